/*
 * The native Linux client of make bench: the same ws:// workloads as
 * bench_common.c (round trips, streams, blocking pipelines; no wss or
 * proxy passes) over plain Linux sockets, so that the host-socket backend
 * can be compared with what a Linux program gets on this machine.
 *
 *   bench_native [-n NAME] [-t SECONDS] [-r SECONDS] [-w WORKLOAD,...|all] [--tls X] [--proxy X] HOST:PORT
 *
 * (--tls and --proxy are accepted and ignored, so that tools/bench.sh can
 * pass every client the same arguments.)  Prints PLAN, START and RESULT
 * lines as bench.h describes.  Frames: binary, FIN, client-masked with a
 * key per frame; the server's are unmasked.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE (4u << 20)
#define SENTINEL_SIZE 1

enum kind { KIND_ROUND_TRIP, KIND_STREAM, KIND_PIPELINE };

static const struct workload
{
    const char *name;
    enum kind kind;
    uint32_t size;
    int depth;
    int megabytes;
} workloads[] =
{
    { "rt16",         KIND_ROUND_TRIP, 16,        1,  0 },
    { "rt64k",        KIND_ROUND_TRIP, 65536,     1,  0 },
    { "stream16",     KIND_STREAM,     16,        0,  0 },
    { "stream64k",    KIND_STREAM,     65536,     0,  1 },
    { "stream4m",     KIND_STREAM,     4u << 20,  0,  1 },
    { "async_rt16",   KIND_PIPELINE,   16,        1,  0 },
    { "async_pipe16", KIND_PIPELINE,   16,        16, 0 },
};

static const char *name = "native";
static double run_seconds = 1.0;
/* -r: as bench_common.c, a large-message stream runs through TCP's ramp first */
#define STREAM_RAMP_MIN_SIZE (1u << 20)
static double ramp_seconds = 1.0;
static char host[256];
static char port[16];
static uint8_t *payload;

struct conn
{
    int fd;
    uint8_t *in;          /* receive buffer */
    size_t in_len, in_pos;
    uint8_t *out;         /* one frame being built (sender side) */
    uint32_t mask_seed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len)
    {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) return -1;
        p += n;
        len -= n;
    }
    return 0;
}

/* Ensures want bytes are buffered from in_pos on. */
static int fill(struct conn *c, size_t want)
{
    if (c->in_pos + want > MAX_MESSAGE + 64)
    {
        memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
        c->in_len -= c->in_pos;
        c->in_pos = 0;
    }
    while (c->in_len - c->in_pos < want)
    {
        ssize_t n = recv(c->fd, c->in + c->in_len, 2 * (MAX_MESSAGE + 64) - c->in_len, 0);
        if (n <= 0) return -1;
        c->in_len += n;
    }
    return 0;
}

static struct conn *ws_open(void)
{
    static const char request[] =
        "GET /echo HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
    struct conn *c = calloc(1, sizeof(*c));
    char head[512];
    int one = 1;
    uint8_t *end;

    if (!c || getaddrinfo(host, port, &hints, &ai)) return NULL;
    c->fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, ai->ai_addr, ai->ai_addrlen))
    {
        freeaddrinfo(ai);
        return NULL;
    }
    freeaddrinfo(ai);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->in = malloc(2 * (MAX_MESSAGE + 64));
    c->out = malloc(MAX_MESSAGE + 16);
    c->mask_seed = 0x9e3779b9;
    snprintf(head, sizeof(head), request, host, port);
    if (!c->in || !c->out || send_all(c->fd, head, strlen(head))) return NULL;
    for (;;)  /* the 101 head */
    {
        if (fill(c, c->in_len - c->in_pos + 1)) return NULL;
        if ((end = memmem(c->in, c->in_len, "\r\n\r\n", 4))) break;
    }
    if (memcmp(c->in, "HTTP/1.1 101", 12)) return NULL;
    c->in_pos = end + 4 - c->in;
    return c;
}

static void ws_close(struct conn *c)
{
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

/* One masked binary frame (the stream's sender thread uses out alone). */
static int ws_send(struct conn *c, const uint8_t *data, uint32_t len)
{
    uint8_t *p = c->out;
    uint32_t key, i;

    c->mask_seed = c->mask_seed * 1664525 + 1013904223;
    key = c->mask_seed;
    *p++ = 0x82;
    if (len < 126) *p++ = 0x80 | len;
    else if (len < 65536)
    {
        *p++ = 0x80 | 126;
        *p++ = len >> 8;
        *p++ = len;
    }
    else
    {
        *p++ = 0x80 | 127;
        for (i = 0; i < 8; i++) *p++ = i < 4 ? 0 : len >> (8 * (7 - i));
    }
    memcpy(p, &key, 4);
    for (i = 0; i < len; i++) p[4 + i] = data[i] ^ ((uint8_t *)&key)[i & 3];
    return send_all(c->fd, c->out, p + 4 + len - c->out);
}

/* One whole message (the server sends unfragmented, unmasked frames). */
static int ws_recv(struct conn *c, uint32_t *len)
{
    uint64_t n;
    size_t header = 2;
    uint8_t *h;

    if (fill(c, 2)) return -1;
    h = c->in + c->in_pos;
    n = h[1] & 0x7f;
    if (n == 126) header = 4;
    else if (n == 127) header = 10;
    if (fill(c, header)) return -1;
    h = c->in + c->in_pos;
    if (n == 126) n = (uint64_t)h[2] << 8 | h[3];
    else if (n == 127)
    {
        int i;
        for (n = 0, i = 2; i < 10; i++) n = n << 8 | h[i];
    }
    if (n > MAX_MESSAGE || (h[0] & 0x0f) != 2 || fill(c, header + n)) return -1;
    c->in_pos += header + n;
    *len = (uint32_t)n;
    return 0;
}

static int round_trips(struct conn *c, uint32_t size, unsigned long long *count, double *elapsed)
{
    unsigned long long n = 0;
    unsigned mask = size < 4096 ? 7 : 0;
    int warm = size < 4096 ? 50 : 3;
    double t0, t1 = 0;
    uint32_t len;

    while (warm--)
        if (ws_send(c, payload, size) || ws_recv(c, &len) || len != size) return -1;
    t0 = now();
    do
    {
        if (ws_send(c, payload, size) || ws_recv(c, &len) || len != size) return -1;
        n++;
    } while ((n & mask) || (t1 = now()) - t0 < run_seconds);
    *count = n;
    *elapsed = t1 - t0;
    return 0;
}

static int pipeline(struct conn *c, uint32_t size, int depth, double seconds, unsigned long long *count,
                    double *elapsed)
{
    unsigned long long sent = 0, got = 0;
    int stopping = 0;
    double t0 = now();
    uint32_t len;

    for (; sent < (unsigned long long)depth; sent++)
        if (ws_send(c, payload, size)) return -1;
    while (got < sent)
    {
        if (ws_recv(c, &len) || len != size) return -1;
        got++;
        if (stopping) continue;
        if (now() - t0 >= seconds) stopping = 1;
        else if (ws_send(c, payload, size)) return -1;
        else sent++;
    }
    *count = got;
    *elapsed = now() - t0;
    return 0;
}

struct stream
{
    struct conn *c;
    uint32_t size;
    double stop_at;
    int error;
};

static void *stream_sender(void *arg)
{
    struct stream *s = arg;
    unsigned long long n = 0;
    unsigned mask = s->size < 4096 ? 7 : 0;

    for (;;)
    {
        if (!(n & mask) && now() >= s->stop_at) break;
        if ((s->error = ws_send(s->c, payload, s->size))) return NULL;
        n++;
    }
    s->error = ws_send(s->c, payload, SENTINEL_SIZE);
    return NULL;
}

static int stream_for(struct conn *c, uint32_t size, double seconds, unsigned long long *count, double *elapsed)
{
    struct stream s = { c, size, 0, 0 };
    unsigned long long got = 0;
    int error = 0;
    pthread_t thread;
    uint32_t len;
    double t0;

    t0 = now();
    s.stop_at = t0 + seconds;
    if (pthread_create(&thread, NULL, stream_sender, &s)) return -1;
    for (;;)
    {
        if ((error = ws_recv(c, &len)) || len == SENTINEL_SIZE) break;
        if (len != size)
        {
            error = -1;
            break;
        }
        got++;
    }
    *elapsed = now() - t0;
    *count = got;
    pthread_join(thread, NULL);
    return error ? error : s.error;
}

static int stream(struct conn *c, uint32_t size, unsigned long long *count, double *elapsed)
{
    int warm = size < 4096 ? 50 : 2;
    uint32_t len;

    while (warm--)
        if (ws_send(c, payload, size) || ws_recv(c, &len) || len != size) return -1;
    if (size >= STREAM_RAMP_MIN_SIZE && ramp_seconds > 0 && stream_for(c, size, ramp_seconds, count, elapsed)) return -1;
    return stream_for(c, size, run_seconds, count, elapsed);
}

static int selected(const char *list, const char *w)
{
    size_t len = strlen(w);
    const char *p = list;

    if (!strcmp(list, "all")) return 1;
    while ((p = strstr(p, w)))
    {
        if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len])) return 1;
        p += len;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *list = "all", *server = NULL;
    char plan[512] = "";
    size_t i;
    int a;

    for (a = 1; a < argc; a++)
    {
        if (!strcmp(argv[a], "-n") && a + 1 < argc) name = argv[++a];
        else if (!strcmp(argv[a], "-t") && a + 1 < argc) run_seconds = atof(argv[++a]);
        else if (!strcmp(argv[a], "-r") && a + 1 < argc) ramp_seconds = atof(argv[++a]);
        else if (!strcmp(argv[a], "-w") && a + 1 < argc) list = argv[++a];
        else if ((!strcmp(argv[a], "--tls") || !strcmp(argv[a], "--proxy")) && a + 1 < argc) a++;
        else server = argv[a];
    }
    if (!server || !strchr(server, ':') || !(payload = malloc(MAX_MESSAGE)))
    {
        fprintf(stderr, "usage: bench_native [-n NAME] [-t SECONDS] [-w WORKLOAD,...] HOST:PORT\n");
        return 2;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(strrchr(server, ':') - server), server);
    snprintf(port, sizeof(port), "%s", strrchr(server, ':') + 1);
    for (i = 0; i < MAX_MESSAGE; i++) payload[i] = (uint8_t)(i * 7 + 3);
    for (i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
        if (selected(list, workloads[i].name))
            snprintf(plan + strlen(plan), sizeof(plan) - strlen(plan), "%s%s", plan[0] ? "," : "", workloads[i].name);
    printf("PLAN %s %s\n", name, plan);
    printf("NOTE %s a Linux program on Linux sockets (no Wine)\n", name);
    for (i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
    {
        const struct workload *w = &workloads[i];
        unsigned long long count = 0;
        double elapsed = 0;
        struct conn *c;
        int error;

        if (!selected(list, w->name)) continue;
        printf("START %s %s\n", name, w->name);
        fflush(stdout);
        if (!(c = ws_open())) error = -1;
        else
        {
            if (w->kind == KIND_ROUND_TRIP) error = round_trips(c, w->size, &count, &elapsed);
            else if (w->kind == KIND_STREAM) error = stream(c, w->size, &count, &elapsed);
            else if (!(error = pipeline(c, w->size, w->depth, 0.05, &count, &elapsed)))
                error = pipeline(c, w->size, w->depth, run_seconds, &count, &elapsed);
            ws_close(c);
        }
        if (error || elapsed <= 0 || !count) printf("RESULT %s %s FAIL %s\n", name, w->name, error ? "error" : "nothing measured");
        else
            printf("RESULT %s %s %.1f %s %llu %.4f\n", name, w->name,
                   w->megabytes ? (double)count * w->size / elapsed / 1e6 : (double)count / elapsed,
                   w->megabytes ? "MB/s" : "msg/s", count, elapsed);
        fflush(stdout);
    }
    return 0;
}
