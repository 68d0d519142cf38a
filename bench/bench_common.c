/*
 * The workloads, timing and output of the WebSocket benchmarks (bench.h).
 *
 *   bench_*.exe [-n NAME] [-t SECONDS] [-r SECONDS] [-w WORKLOAD,...] [--tls TLSHOST:TLSPORT]
 *               [--proxy PROXYHOST:PROXYPORT] HOST:PORT
 *
 * Every workload opens its own websocket on ws://HOST:PORT/echo, warms up
 * with a few round trips (a stream of 4 MiB messages also streams for -r
 * SECONDS, default 1, unmeasured), then runs for about -t SECONDS
 * (default 1) and prints its figure.  With --tls every workload runs a second time as
 * wss_<name> on wss://TLSHOST:TLSPORT/echo.  With --proxy the round-trip
 * workloads run once more as proxy_<name> on ws://HOST:PORT/echo through
 * the proxy's CONNECT tunnel.  A watchdog ends the process
 * with a FAIL line if a workload does not finish within 10 * (both SECONDS) + 20 s.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"
#include <stdarg.h>

char bench_host[256];
char bench_proxy[256];
static char proxy_arg[256];
unsigned short bench_port;
BOOL bench_secure;
const char *bench_name = "?";
const BYTE *bench_payload;

enum kind
{
    KIND_ROUND_TRIP,    /* send one, receive it back, repeat */
    KIND_STREAM,        /* a sender thread sends, this thread receives the echoes */
    KIND_PIPELINE,      /* depth messages in flight, one sent per one received */
};

struct workload
{
    const char *name;
    enum kind kind;
    DWORD size;
    int depth;          /* KIND_PIPELINE */
    BOOL async;         /* through the client's async API when it has one */
    BOOL megabytes;     /* report MB/s (10^6 payload bytes received per s), else messages/s */
};

static const struct workload workloads[] =
{
    { "rt16",         KIND_ROUND_TRIP, 16,        1,  FALSE, FALSE },
    { "rt64k",        KIND_ROUND_TRIP, 65536,     1,  FALSE, FALSE },
    { "stream16",     KIND_STREAM,     16,        0,  FALSE, FALSE },
    { "stream64k",    KIND_STREAM,     65536,     0,  FALSE, TRUE },
    { "stream4m",     KIND_STREAM,     4u << 20,  0,  FALSE, TRUE },
    { "async_rt16",   KIND_PIPELINE,   16,        1,  TRUE,  FALSE },
    { "async_pipe16", KIND_PIPELINE,   16,        16, TRUE,  FALSE },
};

/* The stream's end marker: a message of another size than the workload's. */
#define SENTINEL_SIZE 1

struct server
{
    char host[256];
    unsigned short port;
};

static struct server plain_server, tls_server;
static BOOL have_tls_server;
static double qpc_period;
static double run_seconds = 1.0;
/* -r: how long a stream of messages of STREAM_RAMP_MIN_SIZE or more runs
 * before its measured part.  A new connection's TCP takes seconds to carry
 * 4 MiB messages at full rate on this machine's loopback, for every client
 * (docs/BENCHMARKS.md, "stream4m: TCP's ramp"); measured from the start,
 * the row was that ramp, not the client. */
#define STREAM_RAMP_MIN_SIZE (1u << 20)
static double ramp_seconds = 1.0;
static volatile double watchdog_deadline;
static const char *volatile current_workload = "";

double bench_now(void)
{
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    return (double)now.QuadPart * qpc_period;
}

void bench_note(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    printf("NOTE %s ", bench_name);
    vprintf(fmt, args);
    printf("\n");
    fflush(stdout);
    va_end(args);
}

static void print_fail(const char *workload, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    printf("RESULT %s %s FAIL ", bench_name, workload);
    vprintf(fmt, args);
    printf("\n");
    fflush(stdout);
    va_end(args);
}

static DWORD WINAPI watchdog(void *arg)
{
    for (;;)
    {
        Sleep(200);
        if (watchdog_deadline > 0 && bench_now() > watchdog_deadline)
        {
            print_fail(current_workload, "timeout (no end within %.0f s)", (run_seconds + ramp_seconds) * 10 + 20);
            ExitProcess(3);
        }
    }
    return 0;
}

/* Blocking round trips. */
static DWORD run_round_trip(const struct bench_client *c, void *conn, DWORD size, unsigned long long *count,
                            double *elapsed)
{
    unsigned long long n = 0;
    unsigned mask = size < 4096 ? 7 : 0;   /* how often the clock is read */
    int warm = size < 4096 ? 50 : 3;
    double t0, t1 = 0;
    DWORD error, len;

    while (warm--)
    {
        if ((error = c->send(conn, bench_payload, size)) || (error = c->recv(conn, &len))) return error;
        if (len != size) return ERROR_INVALID_DATA;
    }
    t0 = bench_now();
    do
    {
        if ((error = c->send(conn, bench_payload, size)) || (error = c->recv(conn, &len))) return error;
        if (len != size) return ERROR_INVALID_DATA;
        n++;
    } while ((n & mask) || (t1 = bench_now()) - t0 < run_seconds);
    *count = n;
    *elapsed = t1 - t0;
    return 0;
}

/* Blocking pipeline: depth messages in flight. */
static DWORD run_pipeline(const struct bench_client *c, void *conn, DWORD size, int depth, double seconds,
                          unsigned long long *count, double *elapsed)
{
    unsigned long long sent = 0, got = 0;
    BOOL stopping = FALSE;
    double t0 = bench_now(), t1 = t0;
    DWORD error, len;

    for (; sent < (unsigned long long)depth; sent++)
        if ((error = c->send(conn, bench_payload, size))) return error;
    while (got < sent)
    {
        if ((error = c->recv(conn, &len))) return error;
        if (len != size) return ERROR_INVALID_DATA;
        got++;
        if (stopping) continue;
        if ((t1 = bench_now()) - t0 >= seconds) stopping = TRUE;
        else if ((error = c->send(conn, bench_payload, size))) return error;
        else sent++;
    }
    *count = got;
    *elapsed = bench_now() - t0;
    return 0;
}

struct stream
{
    const struct bench_client *c;
    void *conn;
    DWORD size;
    double stop_at;
    DWORD error;
};

static DWORD WINAPI stream_sender(void *arg)
{
    struct stream *s = arg;
    unsigned long long n = 0;
    unsigned mask = s->size < 4096 ? 7 : 0;

    for (;;)
    {
        if (!(n & mask) && bench_now() >= s->stop_at) break;
        if ((s->error = s->c->send(s->conn, bench_payload, s->size))) return 0;
        n++;
    }
    /* echoed after every message before it: the receiver stops there */
    s->error = s->c->send(s->conn, bench_payload, SENTINEL_SIZE);
    return 0;
}

/* One thread sends as fast as it can for SECONDS, this one receives the
 * echoes until the sender's sentinel. */
static DWORD stream_for(const struct bench_client *c, void *conn, DWORD size, double seconds,
                        unsigned long long *count, double *elapsed)
{
    struct stream s = { c, conn, size, 0, 0 };
    unsigned long long got = 0;
    HANDLE thread;
    double t0;
    DWORD error, len;

    t0 = bench_now();
    s.stop_at = t0 + seconds;
    if (!(thread = CreateThread(NULL, 0, stream_sender, &s, 0, NULL))) return GetLastError();
    for (;;)
    {
        if ((error = c->recv(conn, &len))) break;
        if (len == SENTINEL_SIZE) break;
        if (len != size)
        {
            error = ERROR_INVALID_DATA;
            break;
        }
        got++;
    }
    *elapsed = bench_now() - t0;
    *count = got;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    return error ? error : s.error;
}

static DWORD run_stream(const struct bench_client *c, void *conn, DWORD size, unsigned long long *count,
                        double *elapsed)
{
    int warm = size < 4096 ? 50 : 2;
    DWORD error, len;

    while (warm--)
    {
        if ((error = c->send(conn, bench_payload, size)) || (error = c->recv(conn, &len))) return error;
        if (len != size) return ERROR_INVALID_DATA;
    }
    if (size >= STREAM_RAMP_MIN_SIZE && ramp_seconds > 0 && (error = stream_for(c, conn, size, ramp_seconds, count, elapsed)))
        return error;
    return stream_for(c, conn, size, run_seconds, count, elapsed);
}

BOOL bench_use_server(BOOL secure)
{
    const struct server *server = secure ? &tls_server : &plain_server;

    if (secure && !have_tls_server) return FALSE;
    strcpy(bench_host, server->host);
    bench_port = server->port;
    bench_secure = secure;
    return TRUE;
}

/* The passes over the workloads: ws, wss (--tls), ws through the proxy (--proxy). */
enum pass { PASS_WS, PASS_WSS, PASS_PROXY, PASS_COUNT };
static const char *const pass_prefix[PASS_COUNT] = { "", "wss_", "proxy_" };

static BOOL pass_runs(enum pass pass, const struct workload *w)
{
    switch (pass)
    {
    case PASS_WSS: return have_tls_server;
    case PASS_PROXY: return proxy_arg[0] && (w->kind == KIND_ROUND_TRIP || (w->kind == KIND_PIPELINE && w->depth == 1));
    default: return TRUE;
    }
}

static void run_workload(const struct bench_client *c, const struct workload *w, const char *name, enum pass pass)
{
    unsigned long long count = 0;
    double elapsed = 0, value;
    DWORD error;
    void *conn;

    bench_use_server(pass == PASS_WSS);
    strcpy(bench_proxy, pass == PASS_PROXY ? proxy_arg : "");
    current_workload = name;
    printf("START %s %s\n", bench_name, name);
    fflush(stdout);
    watchdog_deadline = bench_now() + (run_seconds + ramp_seconds) * 10 + 20;
    if (w->kind == KIND_PIPELINE && w->async && c->async_pipe)
        error = c->async_pipe(w->size, w->depth, run_seconds, &count, &elapsed);
    else if (!(conn = c->open(FALSE))) error = ERROR_CONNECTION_REFUSED;
    else
    {
        switch (w->kind)
        {
        case KIND_ROUND_TRIP: error = run_round_trip(c, conn, w->size, &count, &elapsed); break;
        case KIND_STREAM: error = run_stream(c, conn, w->size, &count, &elapsed); break;
        default:
            /* same warm-up as the async clients: a short pipeline first */
            error = run_pipeline(c, conn, w->size, w->depth, 0.05, &count, &elapsed);
            if (!error) error = run_pipeline(c, conn, w->size, w->depth, run_seconds, &count, &elapsed);
            break;
        }
        c->close(conn);
    }
    watchdog_deadline = 0;
    if (error)
    {
        print_fail(name, "error %lu", error);
        return;
    }
    if (elapsed <= 0 || !count)
    {
        print_fail(name, "nothing measured");
        return;
    }
    value = w->megabytes ? (double)count * w->size / elapsed / 1e6 : (double)count / elapsed;
    printf("RESULT %s %s %.1f %s %llu %.4f\n", bench_name, name, value, w->megabytes ? "MB/s" : "msg/s",
           count, elapsed);
    fflush(stdout);
}

static BOOL selected(const char *list, const char *name)
{
    size_t len = strlen(name);
    const char *p = list;

    if (!strcmp(list, "all")) return TRUE;
    while ((p = strstr(p, name)))
    {
        if ((p == list || p[-1] == ',') && (p[len] == ',' || !p[len])) return TRUE;
        p += len;
    }
    return FALSE;
}

static void usage(void)
{
    size_t i;

    fprintf(stderr, "usage: bench.exe [-l] [-n NAME] [-t SECONDS] [-r SECONDS] [-w WORKLOAD,...|all] [--tls HOST:PORT] [--proxy HOST:PORT]"
            " HOST:PORT\n"
            "-l: print the PLAN line (what would run) and exit\n"
            "workloads:");
    for (i = 0; i < ARRAYSIZE(workloads); i++) fprintf(stderr, " %s", workloads[i].name);
    fprintf(stderr, "\nand with --tls the same as wss_<workload>, with --proxy the round trips as proxy_<workload>\n");
    exit(2);
}

/* HOST:PORT (the host may be a bracketed IPv6 literal: the last colon counts). */
static BOOL parse_server(const char *arg, struct server *server)
{
    const char *colon = strrchr(arg, ':');

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(server->host) || !atoi(colon + 1)) return FALSE;
    memcpy(server->host, arg, colon - arg);
    server->host[colon - arg] = 0;
    server->port = (unsigned short)atoi(colon + 1);
    return TRUE;
}

int bench_main(int argc, char **argv, const struct bench_client *client)
{
    char name[64], plan[1024] = "";
    const char *list = "all";
    LARGE_INTEGER freq;
    BYTE *payload;
    unsigned x = 0x9e3779b9;
    size_t i;
    int arg, pass, run;
    BOOL plan_only = FALSE;

    QueryPerformanceFrequency(&freq);
    qpc_period = 1.0 / (double)freq.QuadPart;
    for (arg = 1; arg < argc && argv[arg][0] == '-'; arg++)
    {
        if (!strcmp(argv[arg], "-l"))
        {
            plan_only = TRUE;
            continue;
        }
        if (arg + 1 >= argc) usage();
        if (!strcmp(argv[arg], "-n")) bench_name = argv[++arg];
        else if (!strcmp(argv[arg], "-t")) run_seconds = atof(argv[++arg]);
        else if (!strcmp(argv[arg], "-r")) ramp_seconds = atof(argv[++arg]);
        else if (!strcmp(argv[arg], "-w")) list = argv[++arg];
        else if (!strcmp(argv[arg], "--proxy"))
        {
            if (strlen(argv[++arg]) >= sizeof(proxy_arg) || !strchr(argv[arg], ':')) usage();
            strcpy(proxy_arg, argv[arg]);
        }
        else if (!strcmp(argv[arg], "--tls"))
        {
            if (!parse_server(argv[++arg], &tls_server)) usage();
            have_tls_server = TRUE;
        }
        else usage();
    }
    if (arg != argc - 1 || !parse_server(argv[arg], &plain_server) || run_seconds <= 0) usage();
    bench_use_server(FALSE);

    if (!(payload = malloc(BENCH_MAX_MESSAGE))) return 1;
    for (i = 0; i < BENCH_MAX_MESSAGE; i++)
    {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        payload[i] = (BYTE)x;
    }
    bench_payload = payload;

    if (!client) return 0;  /* setup only (bench_raw --costs) */
    CloseHandle(CreateThread(NULL, 0, watchdog, NULL, 0, NULL));
    /* PLAN names what will run, so that a caller can go on after a crash */
    for (run = 0; run < 2; run++)
    {
        if (run)
        {
            printf("PLAN %s %s\n", bench_name, plan[0] ? plan + 1 : "");
            fflush(stdout);
            if (plan_only) break;
        }
        for (pass = 0; pass < PASS_COUNT; pass++)
        {
            for (i = 0; i < ARRAYSIZE(workloads); i++)
            {
                if (!pass_runs(pass, &workloads[i]) || (client->async_only && !workloads[i].async)) continue;
                snprintf(name, sizeof(name), "%s%s", pass_prefix[pass], workloads[i].name);
                if (!selected(list, name)) continue;
                if (run) run_workload(client, &workloads[i], name, pass);
                else if (strlen(plan) + strlen(name) + 2 < sizeof(plan)) strcat(strcat(plan, ","), name);
            }
        }
    }
    return 0;
}
