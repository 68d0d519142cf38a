/*
 * bench_raw.exe: the benchmark workloads over plain ws2_32, the limit for a
 * PE program under Wine.  Its own minimal WebSocket client: the upgrade
 * request with a fixed key (the 101 status is checked, nothing else), each
 * message one masked binary frame built in one buffer and given to one
 * send() (TCP_NODELAY), receives into a 1 MiB buffer parsing every frame
 * it holds; payloads are counted, not copied anywhere.
 *
 *   bench_raw.exe [-n NAME] [-t SECONDS] [-w WORKLOAD,...] HOST:PORT
 *   bench_raw.exe --costs HOST:PORT    (what single calls cost under Wine)
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"

#define RX_SIZE (1u << 20)

struct raw
{
    SOCKET s;
    BYTE *rx;
    size_t rpos, rlen;
    BYTE *tx;
    unsigned rng;
};

static DWORD send_all(SOCKET s, const BYTE *p, size_t len)
{
    while (len)
    {
        int n = send(s, (const char *)p, len > 0x40000000 ? 0x40000000 : (int)len, 0);
        if (n == SOCKET_ERROR) return WSAGetLastError();
        p += n;
        len -= n;
    }
    return 0;
}

/* Appends what the socket has to rx (moving unparsed bytes to the front). */
static DWORD fill(struct raw *r)
{
    int n;

    if (r->rpos)
    {
        memmove(r->rx, r->rx + r->rpos, r->rlen - r->rpos);
        r->rlen -= r->rpos;
        r->rpos = 0;
    }
    n = recv(r->s, (char *)r->rx + r->rlen, (int)(RX_SIZE - r->rlen), 0);  /* rx has one byte more, for a NUL */
    if (n == SOCKET_ERROR) return WSAGetLastError();
    if (!n) return ERROR_GRACEFUL_DISCONNECT;
    r->rlen += n;
    return 0;
}

static void *raw_open(BOOL async)
{
    static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    ADDRINFOA hints, *ai;
    struct raw *r;
    char request[512], port[8], *end;
    BOOL nodelay = TRUE;
    int len;

    if (!(r = calloc(1, sizeof(*r))) || !(r->rx = malloc(RX_SIZE + 1)) || !(r->tx = malloc(BENCH_MAX_MESSAGE + 14)))
        return NULL;
    r->rng = 0x2545f491;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(port, sizeof(port), "%u", bench_port);
    if (getaddrinfo(bench_host, port, &hints, &ai))
    {
        bench_note("getaddrinfo failed: %d", WSAGetLastError());
        return NULL;
    }
    r->s = socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP);
    if (r->s == INVALID_SOCKET || connect(r->s, ai->ai_addr, (int)ai->ai_addrlen))
    {
        bench_note("connect failed: %d", WSAGetLastError());
        freeaddrinfo(ai);
        return NULL;
    }
    freeaddrinfo(ai);
    setsockopt(r->s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));

    len = snprintf(request, sizeof(request),
                   "GET /echo HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", bench_host, bench_port, key);
    if (send_all(r->s, (const BYTE *)request, len)) return NULL;
    for (;;)
    {
        if (fill(r))
        {
            bench_note("no upgrade response");
            return NULL;
        }
        r->rx[r->rlen] = 0;
        if ((end = strstr((char *)r->rx, "\r\n\r\n"))) break;
        if (r->rlen >= 4096) return NULL;
    }
    if (strncmp((char *)r->rx, "HTTP/1.1 101", 12))
    {
        bench_note("upgrade refused: %.40s", (char *)r->rx);
        return NULL;
    }
    /* frames that came with the 101 stay in rx */
    r->rpos = end + 4 - (char *)r->rx;
    return r;
}

static DWORD raw_send(void *conn, const void *buf, DWORD len)
{
    struct raw *r = conn;
    const BYTE *in = buf;
    BYTE *p = r->tx, mask[4];
    UINT32 m32, v;
    DWORD i;

    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 17;
    r->rng ^= r->rng << 5;
    memcpy(mask, &r->rng, 4);
    *p++ = 0x82;  /* FIN, binary */
    if (len < 126) *p++ = 0x80 | len;
    else if (len < 65536)
    {
        *p++ = 0x80 | 126;
        *p++ = len >> 8;
        *p++ = len & 0xff;
    }
    else
    {
        *p++ = 0x80 | 127;
        for (i = 0; i < 8; i++) *p++ = i < 4 ? 0 : (BYTE)(len >> (8 * (7 - i)));
    }
    memcpy(p, mask, 4);
    p += 4;
    memcpy(&m32, mask, 4);
    for (i = 0; i + 4 <= len; i += 4)
    {
        memcpy(&v, in + i, 4);
        v ^= m32;
        memcpy(p + i, &v, 4);
    }
    for (; i < len; i++) p[i] = in[i] ^ mask[i & 3];
    return send_all(r->s, r->tx, (p - r->tx) + len);
}

static DWORD raw_recv(void *conn, DWORD *ret_len)
{
    struct raw *r = conn;
    unsigned long long total = 0, plen, take;
    size_t hl;
    BYTE b0, b1;
    DWORD error;
    int i, n;

    for (;;)
    {
        while (r->rlen - r->rpos < 2)
            if ((error = fill(r))) return error;
        b0 = r->rx[r->rpos];
        b1 = r->rx[r->rpos + 1];
        hl = 2 + ((b1 & 0x7f) == 126 ? 2 : (b1 & 0x7f) == 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        while (r->rlen - r->rpos < hl)
            if ((error = fill(r))) return error;
        plen = b1 & 0x7f;
        if (plen == 126) plen = (r->rx[r->rpos + 2] << 8) | r->rx[r->rpos + 3];
        else if (plen == 127)
            for (plen = 0, i = 0; i < 8; i++) plen = (plen << 8) | r->rx[r->rpos + 2 + i];
        r->rpos += hl;
        /* the payload: what is buffered, then straight from the socket */
        take = r->rlen - r->rpos < plen ? r->rlen - r->rpos : plen;
        r->rpos += take;
        if (r->rpos == r->rlen) r->rpos = r->rlen = 0;
        for (take = plen - take; take; )
        {
            n = recv(r->s, (char *)r->rx, RX_SIZE, 0);
            if (n == SOCKET_ERROR) return WSAGetLastError();
            if (!n) return ERROR_GRACEFUL_DISCONNECT;
            if ((unsigned long long)n <= take) take -= n;
            else
            {
                r->rpos = take;
                r->rlen = n;
                take = 0;
            }
        }
        if ((b0 & 0x0f) >= 8)
        {
            if ((b0 & 0x0f) == 8) return ERROR_GRACEFUL_DISCONNECT;
            continue;  /* ping/pong: none expected from /echo */
        }
        total += plen;
        if (b0 & 0x80) break;
    }
    *ret_len = (DWORD)total;
    return 0;
}

static void raw_close(void *conn)
{
    static const BYTE close_frame[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8 };  /* 1000, zero mask */
    struct raw *r = conn;

    send_all(r->s, close_frame, sizeof(close_frame));
    shutdown(r->s, SD_SEND);
    closesocket(r->s);
    free(r->rx);
    free(r->tx);
    free(r);
}

/* --costs: what single calls cost under Wine, the bounds the workloads sit on. */
static HANDLE ping_event, pong_event;

static DWORD WINAPI pong_thread(void *arg)
{
    for (;;)
    {
        WaitForSingleObject(ping_event, INFINITE);
        SetEvent(pong_event);
    }
    return 0;
}

static void CALLBACK pool_work(PTP_CALLBACK_INSTANCE instance, void *context)
{
    SetEvent(context);
}

static void cost(const char *what, double t0, int n)
{
    printf("COST %s %.2f us\n", what, (bench_now() - t0) * 1e6 / n);
    fflush(stdout);
}

static int run_costs(void)
{
    enum { N = 2000 };
    struct raw *r;
    u_long nonblocking = 1;
    char byte;
    double t0;
    DWORD len;
    int i;

    t0 = bench_now();
    for (i = 0; i < N * 100; i++) bench_now();
    printf("COST QueryPerformanceCounter %.3f us\n", (bench_now() - t0) * 1e6 / (N * 100));

    if (!(r = raw_open(FALSE))) return 1;
    t0 = bench_now();
    for (i = 0; i < N; i++) raw_send(r, bench_payload, 16);
    cost("send() of one 22-byte frame", t0, N);
    Sleep(300);  /* every echo is in our receive buffer now */
    t0 = bench_now();
    for (i = 0; i < N; i++) recv(r->s, (char *)r->rx, 18, 0);
    cost("recv() with data waiting", t0, N);
    t0 = bench_now();
    for (i = 0; i < N; i++) raw_send(r, bench_payload, 16), raw_recv(r, &len);
    cost("round trip 16 B (send + recv + server echo)", t0, N);
    ioctlsocket(r->s, FIONBIO, &nonblocking);
    t0 = bench_now();
    for (i = 0; i < N; i++) recv(r->s, &byte, 1, 0);
    cost("recv() that would block (non-blocking socket)", t0, N);
    raw_close(r);

    ping_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    pong_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    CloseHandle(CreateThread(NULL, 0, pong_thread, NULL, 0, NULL));
    t0 = bench_now();
    for (i = 0; i < N; i++)
    {
        SetEvent(ping_event);
        WaitForSingleObject(pong_event, INFINITE);
    }
    cost("thread hop there and back (SetEvent + wait, twice)", t0, N);
    t0 = bench_now();
    for (i = 0; i < N; i++)
    {
        TrySubmitThreadpoolCallback(pool_work, pong_event, NULL);
        WaitForSingleObject(pong_event, INFINITE);
    }
    cost("TrySubmitThreadpoolCallback, run, and wake the caller", t0, N);
    return 0;
}

static const struct bench_client raw_client = { raw_open, raw_send, raw_recv, raw_close, NULL };

int main(int argc, char **argv)
{
    WSADATA data;

    WSAStartup(MAKEWORD(2, 2), &data);
    bench_name = "raw";
    if (argc > 2 && !strcmp(argv[1], "--costs"))
    {
        char *argv2[] = { argv[0], argv[2], NULL };
        /* bench_main's parsing, no workloads */
        bench_main(2, argv2, NULL);
        return run_costs();
    }
    return bench_main(argc, argv, &raw_client);
}
