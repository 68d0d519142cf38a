/*
 * wsserver - WebSocket + HTTP/1.1 test server for the winhttp conformance
 * tests (native Linux program; the Windows tests reach it over loopback).
 *
 * Usage:
 *   wsserver [--port N] [--bind 127.0.0.1|::1] [--port-file F]
 *            [--tls CERT KEY] [--max-seconds N] [--quiet]
 *
 *   --port N         TCP port, 0 (default) picks an ephemeral port
 *   --bind ADDR      listen address, default 127.0.0.1 (IPv6 literal allowed)
 *   --port-file F    write the chosen port to F (via F.tmp + rename)
 *   --tls CERT KEY   serve TLS (wss/https) with these PEM files; only when
 *                    built with GnuTLS (HAVE_GNUTLS)
 *   --max-seconds N  exit by itself after N seconds (default 900)
 *   --quiet          do not log one line per request to stderr
 *   --has-tls        exit at once with status 0 if TLS is built in, else 1
 * The chosen port is also printed on stdout. SIGTERM/SIGINT stop the server.
 * One thread per connection, blocking I/O, TCP_NODELAY; the echo loop reads
 * up to 256 KiB at a time, handles every complete frame in the buffer and
 * answers with a single write.
 *
 * The request path selects the scenario (a query string is ignored).
 *
 * WebSocket paths. The upgrade request must be GET HTTP/1.1 with Host,
 * Upgrade: websocket, Connection containing "upgrade",
 * Sec-WebSocket-Version: 13 and a 24-character base64 key of 16 bytes;
 * otherwise the answer is 400 (body says why) and the connection is closed.
 *   /echo            echo each message with its type as one frame (fragments
 *                    reassembled), ping -> pong with the same payload, close ->
 *                    the same close payload back, then TCP close. Unmasked
 *                    frames, RSV bits, unknown opcodes, bad control frames or
 *                    continuation errors -> close 1002; >64 MiB -> close 1009.
 *                    Text is not UTF-8 validated.
 *   /echo-frag/N     like /echo, messages are sent back split into frames of
 *                    at most N payload bytes
 *   /echo-protocol   like /echo, selects the first Sec-WebSocket-Protocol the
 *                    client offered (if any)
 *   /frames          for every client frame a TEXT message
 *                    "fin=%d rsv=%d op=%d mask=%d len=%llu", close frames add
 *                    " code=%d reason=%s" (code 1005 when the payload is
 *                    empty); no validation; the close is then echoed and TCP
 *                    closed
 *   /send/HEX        right after the 101 (separate write) send the raw bytes
 *                    HEX, then behave like /echo; in HEX ".N." stands for N
 *                    filler bytes (a..z repeated, as /http/large/N)
 *   /send/HEX/stall  send, then read and discard until the client closes
 *   /send/HEX/close  send, then close TCP gracefully (TLS: close_notify, FIN);
 *                    with X-Record, first read until the client's close
 *                    frame, EOF or 2 s of silence
 *   /send/HEX/fin    send, then FIN without a TLS close_notify (truncation)
 *   /send/HEX/rst    send, wait 100 ms, then reset (SO_LINGER 0 -> RST)
 *   /send-chop/N/HEX[/END]  the same in writes of N bytes (over TLS one
 *                    record each)
 *   (any path)       an upgrade with "X-Record: TOKEN" keeps the client's
 *                    pong payloads and close code for /http/record/TOKEN
 *   /ping/HEX        send a ping with payload HEX (/ping: empty); the first
 *                    pong gets TEXT "pong ok" or "bad pong"; otherwise /echo
 *   /close/CODE/REASON  send close CODE with the URL-decoded REASON (REASON
 *                    optional), ignore data, close TCP after the client's close
 *   /close-empty     same with an empty close payload
 *   /early           the 101 and a TEXT "early" frame in one write, then /echo
 *   /ws-headers      after the 101 a TEXT message holding the raw request
 *                    head, then /echo
 *   /stall           valid 101, then never send anything (client data is
 *                    read and discarded until the client closes)
 *   /noread/MS       valid 101, then read nothing for MS ms (the client's
 *                    sends stall once the TCP buffers are full), then reset
 *   /noread/MS/drain the same, then read and discard until the client closes
 *   /handshake/V     broken handshakes (request not validated):
 *       status-200 / status-404   normal response with a small body, keep-alive
 *       bad-accept / no-accept    101 with a wrong / no Sec-WebSocket-Accept
 *       no-upgrade-header         101 without Upgrade
 *       upgrade-not-websocket     101 with Upgrade: h2c
 *       no-connection-upgrade     101 with Connection: keep-alive
 *       extension                 101 + Sec-WebSocket-Extensions: permessage-deflate
 *       protocol                  101 + Sec-WebSocket-Protocol: chat (not requested)
 *         (the 101 variants then act like /echo)
 *       garbage                   non-HTTP bytes, then close
 *       endless-headers           status line then header lines forever, until
 *                                 the client gives up (then RST) or max time
 *       half                      "HTTP/1.1 10", then stall until client closes
 *       close-mid-headers         status line + one header, then close (FIN)
 *       fin-mid-headers           the same without a TLS close_notify
 *       rst                       reset right after the request (no response)
 *   other paths      404 (keep-alive)
 *
 * HTTP paths (any method, HEAD gets no body; keep-alive for HTTP/1.1 unless
 * "Connection: close"; request bodies by Content-Length or chunked):
 *   /http/hello          200, Content-Length 5, body "hello"
 *   /http/chunked        200 chunked, "hello chunked world" in 5 chunks
 *   /http/close-delimited 200 without length, body then close
 *   /http/echo-headers   200, body = raw request head as received
 *   /http/echo-body      200, body = request body
 *   /http/set-cookie     200, a Set-Cookie header per X-Set-Cookie request header
 *   /http/status/CODE    that status, body "status CODE\n" (none for 1xx/204/304)
 *   /http/conn-id        body = serial number of this TCP connection (from 1)
 *   /http/slow-headers[/MS] headers one line every MS ms (default 200), body "slow"
 *   /http/delay/MS       wait MS ms, then like /http/hello
 *   /http/large/N        N bytes body (a..z repeated)
 *   /http/record/TOKEN   waits (at most 5 s) until the connection that sent
 *                        X-Record: TOKEN is over, then 200 with
 *                        "close=CODE pongs: HEX HEX ..." (CODE -1: no close
 *                        frame, 1005: empty; "-" for an empty pong; " incomplete"
 *                        after CODE on timeout); 404 if there is none
 *   other /http/ paths   404
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "srv.h"

#define MAX_HEAD (64 * 1024)
#define MAX_BODY (64u << 20)

int srv_verbose = 1;
static int sig_pipe[2] = { -1, -1 };
static unsigned long long conn_serial;

void srv_log(const struct srv_conn *c, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!srv_verbose)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "wsserver[%llu]: %s\n", c ? c->id : 0ULL, line);
}

/* Ensures at least n bytes are buffered; 0 ok, -1 on EOF/error. */
static int need(struct srv_conn *c, size_t n)
{
    while (c->in.len < n)
        if (srv_conn_fill(c) <= 0)
            return -1;
    return 0;
}

/* Reads a chunked request body into body; 0 ok. */
static int read_chunked(struct srv_conn *c, struct srv_buf *body)
{
    for (;;) {
        unsigned char *nl;
        unsigned long size;

        while (!(nl = memchr(c->in.p, '\n', c->in.len))) {
            if (c->in.len > 1024 || srv_conn_fill(c) <= 0)
                return -1;
        }
        size = strtoul((const char *)c->in.p, NULL, 16);
        srv_buf_consume(&c->in, (size_t)(nl - c->in.p) + 1);
        if (size == 0)
            break;
        if (body->len + size > MAX_BODY || need(c, size + 2))
            return -1;
        srv_buf_append(body, c->in.p, size);
        srv_buf_consume(&c->in, size + 2);
    }
    /* trailers up to the empty line */
    for (;;) {
        unsigned char *nl;
        size_t n;
        while (!(nl = memchr(c->in.p, '\n', c->in.len)))
            if (c->in.len > MAX_HEAD || srv_conn_fill(c) <= 0)
                return -1;
        n = (size_t)(nl - c->in.p) + 1;
        srv_buf_consume(&c->in, n);
        if (n <= 2)
            return 0;
    }
}

void srv_serve(struct srv_conn *c)
{
    struct srv_buf body = { 0 };

    for (;;) {
        struct http_req *r;
        const struct http_header *h;
        size_t hl;
        char *head, *q;
        int keep = 0;

        while (!(hl = http_head_len(c->in.p, c->in.len))) {
            if (c->in.len > MAX_HEAD) {
                srv_http_respond(c, 431, NULL, "head too large\n", 15, 0, 0);
                goto done;
            }
            if (srv_conn_fill(c) <= 0)
                goto done;
        }
        head = malloc(hl + 1);
        r = malloc(sizeof(*r));
        if (!head || !r) {
            free(head);
            free(r);
            goto done;
        }
        memcpy(head, c->in.p, hl);
        head[hl] = 0;
        srv_buf_consume(&c->in, hl);
        if (http_parse(head, hl, r)) {
            srv_http_respond(c, 400, NULL, "bad request\n", 12, 0, 0);
            free(head);
            free(r);
            goto done;
        }
        if ((q = strchr(r->target, '?')))
            *q = 0;
        srv_log(c, "%s %s", r->method, r->target);

        body.len = 0;
        if (http_has_token(r, "Transfer-Encoding", "chunked")) {
            if (read_chunked(c, &body))
                keep = -1;
        } else if ((h = http_find(r, "Content-Length"))) {
            unsigned long len = strtoul(h->value, NULL, 10);
            if (len > MAX_BODY || need(c, len))
                keep = -1;
            else {
                srv_buf_append(&body, c->in.p, len);
                srv_buf_consume(&c->in, len);
            }
        }
        if (keep == 0) {
            if (!strncmp(r->target, "/http/", 6))
                srv_http_handle(c, r, body.p, body.len, &keep);
            else
                keep = srv_ws_handle(c, r, r->target);
        } else {
            keep = 0;
        }
        free(head);
        free(r);
        if (!keep || c->fd < 0)
            break;
    }
done:
    srv_buf_free(&body);
    if (c->fd >= 0)
        srv_conn_close(c);
}

static void *conn_thread(void *arg)
{
    struct srv_conn *c = arg;

    if (srv_conn_start(c) == 0)
        srv_serve(c);
    else
        srv_conn_reset(c);
    srv_buf_free(&c->in);
    free(c);
    return NULL;
}

static void on_signal(int sig)
{
    char b = (char)sig;
    ssize_t r = write(sig_pipe[1], &b, 1);
    (void)r;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    if (!(f = fopen(tmp, "w")))
        return -1;
    fprintf(f, "%d\n", port);
    if (fclose(f) || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: wsserver [--port N] [--bind 127.0.0.1|::1] [--port-file F] "
            "[--tls CERT KEY] [--max-seconds N] [--quiet]\n");
    exit(2);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    const char *bind_addr = "127.0.0.1", *port_file = NULL, *cert = NULL, *key = NULL;
    struct sockaddr_storage ss;
    socklen_t sl;
    long max_seconds = 900;
    long long deadline;
    int port = 0, fd, one = 1, i;
    pthread_attr_t attr;
    struct sigaction sa;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--bind") && i + 1 < argc)
            bind_addr = argv[++i];
        else if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--max-seconds") && i + 1 < argc)
            max_seconds = atol(argv[++i]);
        else if (!strcmp(argv[i], "--tls") && i + 2 < argc) {
            cert = argv[++i];
            key = argv[++i];
        } else if (!strcmp(argv[i], "--quiet"))
            srv_verbose = 0;
        else if (!strcmp(argv[i], "--has-tls")) {
#ifdef HAVE_GNUTLS
            return 0;
#else
            return 1;
#endif
        }
        else
            usage();
    }
    if (cert) {
#ifdef HAVE_GNUTLS
        int rc = srv_tls_init(cert, key);
        if (rc) {
            fprintf(stderr, "wsserver: cannot load %s / %s: %s\n", cert, key, gnutls_strerror(rc));
            return 1;
        }
#else
        (void)key;
        fprintf(stderr, "wsserver: built without GnuTLS, --tls is not supported\n");
        return 1;
#endif
    }

    memset(&ss, 0, sizeof(ss));
    if (strchr(bind_addr, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, bind_addr, &a6->sin6_addr) != 1)
            usage();
        sl = sizeof(*a6);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, bind_addr, &a4->sin_addr) != 1)
            usage();
        sl = sizeof(*a4);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("wsserver: socket");
        return 1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 1024)) {
        perror("wsserver: bind/listen");
        return 1;
    }
    sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);

    if (pipe2(sig_pipe, O_CLOEXEC)) {
        perror("wsserver: pipe");
        return 1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (port_file && write_port_file(port_file, port)) {
        perror("wsserver: port file");
        return 1;
    }
    printf("%d\n", port);
    fflush(stdout);
    if (srv_verbose)
        fprintf(stderr, "wsserver: listening on %s port %d%s, max %ld s\n", bind_addr, port,
                cert ? " (TLS)" : "", max_seconds);

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    deadline = now_ms() + max_seconds * 1000;
    for (;;) {
        struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = sig_pipe[0], .events = POLLIN } };
        long long left = deadline - now_ms();
        struct srv_conn *c;
        pthread_t th;
        int cfd, r;

        if (left <= 0) {
            if (srv_verbose)
                fprintf(stderr, "wsserver: max time reached, exiting\n");
            break;
        }
        r = poll(pfd, 2, left > 60000 ? 60000 : (int)left);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (pfd[1].revents) {
            if (srv_verbose)
                fprintf(stderr, "wsserver: signal, exiting\n");
            break;
        }
        cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0)
            continue;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (!c) {
            close(cfd);
            continue;
        }
        c->fd = cfd;
        c->id = __atomic_add_fetch(&conn_serial, 1, __ATOMIC_SEQ_CST);
        if (pthread_create(&th, &attr, conn_thread, c)) {
            close(cfd);
            free(c);
        }
    }
    return 0;
}
