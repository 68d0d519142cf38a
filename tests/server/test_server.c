/*
 * Native smoke test of wsserver: a tiny blocking client that talks to the
 * server named by $WSTEST_SERVER (host:port, "[::1]:port" for IPv6) or argv[1].
 * Prints a winetest-style summary line and exits non-zero on failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "srv.h"

static int tests, failures;
static char host[64];
static int port;

#define ok(cond, ...) ok_(__LINE__, (cond), __VA_ARGS__)
static int ok_(int line, int cond, const char *fmt, ...)
{
    va_list ap;

    tests++;
    if (!cond) {
        failures++;
        printf("test_server.c:%d: Test failed: ", line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    return cond;
}

struct cl {
    int fd;
    struct srv_buf in;
};

static int cl_connect(struct cl *c)
{
    struct sockaddr_storage ss;
    struct timeval tv = { 10, 0 };
    socklen_t sl;
    int one = 1;

    memset(c, 0, sizeof(*c));
    memset(&ss, 0, sizeof(ss));
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        inet_pton(AF_INET6, host, &a->sin6_addr);
        sl = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((unsigned short)port);
        inet_pton(AF_INET, host, &a->sin_addr);
        sl = sizeof(*a);
    }
    c->fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&ss, sl)) {
        perror("connect");
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));   /* never hang */
    return 0;
}

static void cl_close(struct cl *c)
{
    close(c->fd);
    srv_buf_free(&c->in);
}

static void cl_send(struct cl *c, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static int cl_fill(struct cl *c)
{
    ssize_t r;
    if (srv_buf_reserve(&c->in, 65536))
        return -1;
    r = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len, 0);
    if (r <= 0)
        return -1;
    c->in.len += (size_t)r;
    return 0;
}

/* Reads one HTTP response; returns status, body (NUL-terminated) in *body. */
static int cl_response(struct cl *c, struct srv_buf *body, char *head_out, size_t headcap)
{
    size_t hl;
    int status;
    const char *te, *cl;

    body->len = 0;
    while (!(hl = http_head_len(c->in.p, c->in.len)))
        if (cl_fill(c))
            return -1;
    if (head_out) {
        size_t n = hl < headcap - 1 ? hl : headcap - 1;
        memcpy(head_out, c->in.p, n);
        head_out[n] = 0;
    }
    body->len = 0;                   /* scratch copy of the head */
    srv_buf_append(body, c->in.p, hl);
    srv_buf_append(body, "", 1);
    status = atoi((char *)body->p + 9);
    te = strcasestr((char *)body->p, "\ntransfer-encoding: chunked");
    cl = strcasestr((char *)body->p, "\ncontent-length:");
    {
        long clen = cl ? atol(cl + 16) : -1;
        srv_buf_consume(&c->in, hl);
        body->len = 0;
        if (status == 101)
            ;
        else if (te) {
            for (;;) {
                unsigned char *nl;
                unsigned long sz;
                while (!(nl = memchr(c->in.p, '\n', c->in.len)))
                    if (cl_fill(c))
                        return -1;
                sz = strtoul((char *)c->in.p, NULL, 16);
                srv_buf_consume(&c->in, (size_t)(nl - c->in.p) + 1);
                while (c->in.len < sz + 2)
                    if (cl_fill(c))
                        return -1;
                srv_buf_append(body, c->in.p, sz);
                srv_buf_consume(&c->in, sz + 2);
                if (!sz)
                    break;
            }
        } else if (clen >= 0) {
            while (c->in.len < (size_t)clen)
                if (cl_fill(c))
                    return -1;
            srv_buf_append(body, c->in.p, (size_t)clen);
            srv_buf_consume(&c->in, (size_t)clen);
        } else {
            while (!cl_fill(c))
                ;
            srv_buf_append(body, c->in.p, c->in.len);
            c->in.len = 0;
        }
    }
    srv_buf_append(body, "", 1);
    body->len--;
    return status;
}

static int http_get(struct cl *c, const char *path, struct srv_buf *body)
{
    char req[512];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: test_server\r\n\r\n",
             path, host, port);
    cl_send(c, req, strlen(req));
    return cl_response(c, body, NULL, 0);
}

/* Connects and upgrades, with extra request header lines; returns 0 when
 * the 101 and accept are right. */
static int ws_open_with(struct cl *c, const char *path, const char *extra)
{
    char req[1024], head[4096];
    struct srv_buf body = { 0 };
    int status;

    if (cl_connect(c))
        return -1;
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n%s\r\n", path, host, port, extra);
    cl_send(c, req, strlen(req));
    status = cl_response(c, &body, head, sizeof(head));
    srv_buf_free(&body);
    ok(status == 101, "%s: status %d", path, status);
    ok(strstr(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != NULL,
       "%s: bad accept in %s", path, head);
    return status == 101 ? 0 : -1;
}

static int ws_open(struct cl *c, const char *path)
{
    return ws_open_with(c, path, "");
}

/* Sends one masked client frame. */
static void ws_send(struct cl *c, int fin, int op, const void *p, size_t n, int masked)
{
    static const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
    struct srv_buf f = { 0 };
    size_t i;

    ws_put_frame(&f, fin, op, p, n);
    if (masked) {
        size_t hl = f.len - n;
        f.p[1] |= 0x80;
        srv_buf_reserve(&f, 4);
        memmove(f.p + hl + 4, f.p + hl, n);
        memcpy(f.p + hl, mask, 4);
        for (i = 0; i < n; i++)
            f.p[hl + 4 + i] ^= mask[i & 3];
        f.len += 4;
    }
    cl_send(c, f.p, f.len);
    srv_buf_free(&f);
}

/* Reads one server frame; payload into *pl (NUL-terminated). -1 on EOF. */
static int ws_recv(struct cl *c, struct ws_frame *f, struct srv_buf *pl)
{
    int h;
    while ((h = ws_parse_header(c->in.p, c->in.len, f)) == 0 ||
           (h > 0 && c->in.len < f->hdrlen + f->len))
        if (cl_fill(c))
            return -1;
    if (h < 0)
        return -1;
    pl->len = 0;
    srv_buf_append(pl, c->in.p + f->hdrlen, (size_t)f->len);
    if (f->masked)
        ws_unmask(pl->p, pl->len, f->mask, 0);
    srv_buf_append(pl, "", 1);
    pl->len--;
    srv_buf_consume(&c->in, f->hdrlen + (size_t)f->len);
    return 0;
}

static int expect_frame(struct cl *c, int line, int fin, int op, const void *p, size_t n)
{
    struct ws_frame f;
    struct srv_buf pl = { 0 };
    int r = ws_recv(c, &f, &pl);
    int good = !r && f.fin == fin && f.op == op && !f.masked && !f.rsv && pl.len == n &&
               !memcmp(pl.p, p, n);
    ok_(line, good, "frame: got rc %d fin %d op %d mask %d len %zu \"%.60s\", want fin %d op %d len %zu",
        r, r ? -1 : f.fin, r ? -1 : f.op, r ? -1 : f.masked, pl.len, pl.p ? (char *)pl.p : "",
        fin, op, n);
    srv_buf_free(&pl);
    return good;
}
#define expect(c, fin, op, p, n) expect_frame(c, __LINE__, fin, op, p, n)

static int expect_eof(struct cl *c)
{
    char b;
    return c->in.len == 0 && recv(c->fd, &b, 1, 0) == 0;
}

static void test_echo(void)
{
    struct cl c;
    unsigned char *big;
    size_t i, n = 1000000;
    struct srv_buf batch = { 0 };

    if (ws_open(&c, "/echo"))
        return;
    ws_send(&c, 1, WS_TEXT, "hello", 5, 1);
    expect(&c, 1, WS_TEXT, "hello", 5);
    ws_send(&c, 1, WS_TEXT, "", 0, 1);
    expect(&c, 1, WS_TEXT, "", 0);
    big = malloc(n);
    for (i = 0; i < n; i++)
        big[i] = (unsigned char)(i * 7);
    ws_send(&c, 1, WS_BINARY, big, n, 1);
    expect(&c, 1, WS_BINARY, big, n);
    free(big);
    /* fragmented message with a ping in the middle */
    ws_send(&c, 0, WS_TEXT, "ab", 2, 1);
    ws_send(&c, 1, WS_PING, "p1", 2, 1);
    ws_send(&c, 0, WS_CONT, "cd", 2, 1);
    ws_send(&c, 1, WS_CONT, "ef", 2, 1);
    expect(&c, 1, WS_PONG, "p1", 2);
    expect(&c, 1, WS_TEXT, "abcdef", 6);
    /* many frames in one write */
    for (i = 0; i < 100; i++) {
        char m[16];
        int k = snprintf(m, sizeof(m), "m%zu", i);
        ws_put_frame(&batch, 1, WS_TEXT, m, (size_t)k);
        batch.p[batch.len - (size_t)k - 1] |= 0x80;   /* masked, zero mask key */
        srv_buf_reserve(&batch, 4);
        memmove(batch.p + batch.len - (size_t)k + 4, batch.p + batch.len - (size_t)k, (size_t)k);
        memset(batch.p + batch.len - (size_t)k, 0, 4);
        batch.len += 4;
    }
    cl_send(&c, batch.p, batch.len);
    for (i = 0; i < 100; i++) {
        char m[16];
        int k = snprintf(m, sizeof(m), "m%zu", i);
        if (!expect(&c, 1, WS_TEXT, m, (size_t)k))
            break;
    }
    srv_buf_free(&batch);
    ws_send(&c, 1, WS_CLOSE, "\x03\xe8" "bye", 5, 1);
    expect(&c, 1, WS_CLOSE, "\x03\xe8" "bye", 5);
    ok(expect_eof(&c), "/echo: no EOF after close");
    cl_close(&c);

    if (ws_open(&c, "/echo"))
        return;
    ws_send(&c, 1, WS_TEXT, "x", 1, 0);
    expect(&c, 1, WS_CLOSE, "\x03\xea" "unmasked client frame", 23);
    ws_send(&c, 1, WS_CLOSE, "\x03\xea", 2, 1);
    ok(expect_eof(&c), "/echo unmasked: no EOF after close");
    cl_close(&c);
}

static void test_echo_frag(void)
{
    struct cl c;

    if (ws_open(&c, "/echo-frag/3"))
        return;
    ws_send(&c, 1, WS_BINARY, "abcdefgh", 8, 1);
    expect(&c, 0, WS_BINARY, "abc", 3);
    expect(&c, 0, WS_CONT, "def", 3);
    expect(&c, 1, WS_CONT, "gh", 2);
    ws_send(&c, 1, WS_TEXT, "xyz", 3, 1);
    expect(&c, 1, WS_TEXT, "xyz", 3);
    ws_send(&c, 1, WS_CLOSE, "\x03\xe8", 2, 1);
    expect(&c, 1, WS_CLOSE, "\x03\xe8", 2);
    cl_close(&c);
}

static void test_frames(void)
{
    static const char d1[] = "fin=0 rsv=0 op=1 mask=1 len=2";
    static const char d2[] = "fin=1 rsv=0 op=0 mask=0 len=0";
    static const char d3[] = "fin=1 rsv=0 op=8 mask=1 len=4 code=1001 reason=go";
    struct cl c;

    if (ws_open(&c, "/frames"))
        return;
    ws_send(&c, 0, WS_TEXT, "ab", 2, 1);
    expect(&c, 1, WS_TEXT, d1, strlen(d1));
    ws_send(&c, 1, WS_CONT, "", 0, 0);
    expect(&c, 1, WS_TEXT, d2, strlen(d2));
    ws_send(&c, 1, WS_CLOSE, "\x03\xe9go", 4, 1);
    expect(&c, 1, WS_TEXT, d3, strlen(d3));
    expect(&c, 1, WS_CLOSE, "\x03\xe9go", 4);
    ok(expect_eof(&c), "/frames: no EOF after close");
    cl_close(&c);
}

static void test_scripted(void)
{
    struct cl c;

    if (!ws_open(&c, "/send/8103616263")) {
        expect(&c, 1, WS_TEXT, "abc", 3);
        cl_close(&c);
    }
    if (!ws_open(&c, "/ping/abcd")) {
        expect(&c, 1, WS_PING, "\xab\xcd", 2);
        ws_send(&c, 1, WS_PONG, "\xab\xcd", 2, 1);
        expect(&c, 1, WS_TEXT, "pong ok", 7);
        cl_close(&c);
    }
    if (!ws_open(&c, "/close/4000/go%20away")) {
        expect(&c, 1, WS_CLOSE, "\x0f\xa0go away", 9);
        ws_send(&c, 1, WS_CLOSE, "\x0f\xa0", 2, 1);
        ok(expect_eof(&c), "/close: no EOF");
        cl_close(&c);
    }
    if (!ws_open(&c, "/early")) {
        expect(&c, 1, WS_TEXT, "early", 5);
        cl_close(&c);
    }
}

/* /send-chop, ".N." fills, the /fin end, X-Record and /http/record/. */
static void test_send_variants(void)
{
    struct srv_buf body = { 0 };
    struct cl c;
    int st;

    if (!ws_open(&c, "/send-chop/1/8105.5./close")) {
        expect(&c, 1, WS_TEXT, "abcde", 5);
        ok(expect_eof(&c), "/send-chop: no EOF after the script");
        cl_close(&c);
    }
    if (!ws_open(&c, "/send/8100/fin")) {
        expect(&c, 1, WS_TEXT, "", 0);
        ok(expect_eof(&c), "/send/.../fin: no EOF");
        cl_close(&c);
    }
    /* with a record, /close waits for our close frame */
    if (!ws_open_with(&c, "/send/8900/close", "X-Record: test-server-1\r\n")) {
        expect(&c, 1, WS_PING, "", 0);
        ws_send(&c, 1, WS_PONG, "hi", 2, 1);
        ws_send(&c, 1, WS_PONG, "", 0, 1);
        ws_send(&c, 1, WS_CLOSE, "\x03\xea", 2, 1);
        ok(expect_eof(&c), "recorded /close: no EOF after our close");
        cl_close(&c);
    }
    if (!cl_connect(&c)) {
        st = http_get(&c, "/http/record/test-server-1", &body);
        ok(st == 200 && !strcmp((char *)body.p, "close=1002 pongs: 6869 -"), "/http/record/: %d \"%s\"", st,
           body.p);
        cl_close(&c);
    }
    srv_buf_free(&body);
}

static void test_http(void)
{
    struct srv_buf body = { 0 };
    struct cl c, c2;
    char id1[32], req[256];
    int st;

    if (cl_connect(&c))
        return;
    st = http_get(&c, "/http/hello", &body);
    ok(st == 200 && !strcmp((char *)body.p, "hello"), "/http/hello: %d \"%s\"", st, body.p);
    st = http_get(&c, "/http/chunked", &body);
    ok(st == 200 && !strcmp((char *)body.p, "hello chunked world"), "/http/chunked: %d \"%s\"", st,
       body.p);
    st = http_get(&c, "/http/conn-id", &body);
    snprintf(id1, sizeof(id1), "%s", (char *)body.p);
    ok(st == 200 && atoi(id1) > 0, "/http/conn-id: %d \"%s\"", st, id1);
    st = http_get(&c, "/http/conn-id", &body);
    ok(st == 200 && !strcmp((char *)body.p, id1), "keep-alive: id %s then %s", id1, body.p);
    snprintf(req, sizeof(req), "POST /http/echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
    cl_send(&c, req, strlen(req));
    st = cl_response(&c, &body, NULL, 0);
    ok(st == 200 && !strcmp((char *)body.p, "body"), "/http/echo-body: %d \"%s\"", st, body.p);
    st = http_get(&c, "/http/status/418", &body);
    ok(st == 418, "/http/status/418: %d", st);
    st = http_get(&c, "/http/echo-headers", &body);
    ok(st == 200 && strstr((char *)body.p, "User-Agent: test_server\r\n"), "/http/echo-headers: %s",
       body.p);
    if (!cl_connect(&c2)) {
        st = http_get(&c2, "/http/conn-id", &body);
        ok(st == 200 && strcmp((char *)body.p, id1), "new connection has id %s, old %s", body.p, id1);
        cl_close(&c2);
    }
    /* a WebSocket path without a valid upgrade gets 400 */
    snprintf(req, sizeof(req), "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    cl_send(&c, req, strlen(req));
    st = cl_response(&c, &body, NULL, 0);
    ok(st == 400, "upgrade without version: %d", st);
    cl_close(&c);
    if (!cl_connect(&c)) {
        st = http_get(&c, "/http/close-delimited", &body);
        ok(st == 200 && !strcmp((char *)body.p, "close delimited body"), "/http/close-delimited: %d \"%s\"",
           st, body.p);
        cl_close(&c);
    }
    srv_buf_free(&body);
}

int main(int argc, char **argv)
{
    const char *addr = argc > 1 ? argv[1] : getenv("WSTEST_SERVER");
    const char *colon;

    if (!addr || !*addr || !(colon = strrchr(addr, ':'))) {
        printf("server: WSTEST_SERVER not set (run under tools/with-servers.sh)\n");
        printf("server: 0 tests executed (0 marked as todo, 1 failures), 0 skipped.\n");
        return 1;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = 0;
    }
    port = atoi(colon + 1);

    test_echo();
    test_echo_frag();
    test_frames();
    test_scripted();
    test_send_variants();
    test_http();
    printf("server: %d tests executed (0 marked as todo, %d failures), 0 skipped.\n", tests, failures);
    return failures ? 1 : 0;
}
