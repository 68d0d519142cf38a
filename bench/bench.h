/*
 * The WebSocket benchmark driver shared by bench_winhttp.exe (the WinHTTP
 * API: our DLL or Wine's builtin, the same binary) and bench_raw.exe (raw
 * Winsock, the limit for a PE program under Wine).
 *
 * A client provides open/send/receive/close of one binary WebSocket message
 * against ws://HOST:PORT/echo, or wss://TLSHOST:TLSPORT/echo when
 * bench_secure is set; bench_common.c runs the workloads with them (the wss
 * ones named wss_<workload>) and prints one line per workload:
 *
 *   PLAN <client> <workload>,...             (first: what will run, in order)
 *   START <client> <workload>                (before it: a crash leaves no RESULT)
 *   RESULT <client> <workload> <value> <unit> <messages> <seconds>
 *   RESULT <client> <workload> FAIL <reason>
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef BENCH_H
#define BENCH_H

#define __USE_MINGW_ANSI_STDIO 1
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_MAX_MESSAGE (4u << 20)

struct bench_client
{
    /* Opens a websocket on /echo of bench_host:bench_port, over TLS when
     * bench_secure is set; async selects WINHTTP_FLAG_ASYNC (only asked for
     * when async_pipe is set).  NULL on failure (printed). */
    void *(*open)(BOOL async);
    /* Sends one binary message; 0 or an error code. */
    DWORD (*send)(void *conn, const void *buf, DWORD len);
    /* Receives one whole message (all its fragments); 0 or an error code. */
    DWORD (*recv)(void *conn, DWORD *len);
    void (*close)(void *conn);
    /* Optional: pipelined round trips of size-byte messages with depth in
     * flight through the client's asynchronous API, for about seconds
     * (warm-up included by the client).  Returns 0 and the message count and
     * elapsed time, or an error code.  Without it the driver runs the same
     * pipeline with the blocking calls. */
    DWORD (*async_pipe)(DWORD size, int depth, double seconds, unsigned long long *count, double *elapsed);
    /* Only the async_ workloads run (selected or not, the others are left out). */
    BOOL async_only;
};

/* Parsed from the command line by bench_main(); host and port are those of
 * the workload that runs (the --tls server's for wss ones). */
extern char bench_host[256];
extern unsigned short bench_port;
extern BOOL bench_secure;
extern char bench_proxy[256];       /* proxy_ workloads: the --proxy HOST:PORT to tunnel through, else "" */
extern const char *bench_name;
extern const BYTE *bench_payload;   /* BENCH_MAX_MESSAGE bytes of noise */

/* Points bench_host, bench_port and bench_secure at the plain server or at
 * the --tls one; FALSE if there is none such. */
BOOL bench_use_server(BOOL secure);

double bench_now(void);             /* seconds, monotonic */
void bench_note(const char *fmt, ...);  /* "NOTE ..." line on stdout */

int bench_main(int argc, char **argv, const struct bench_client *client);

/* The asynchronous pipeline (bench_pipe.c), for clients with completions. */
struct bench_pipe_ops
{
    /* Starts sending one size-byte message; its completion (inside the call
     * or later, on any thread) calls bench_pipe_sent.  0 or an error. */
    DWORD (*send)(void *conn, DWORD size);
    /* Posts one receive; its completion calls bench_pipe_received, never
     * inside this call.  0 or an error. */
    DWORD (*receive)(void *conn);
};

enum bench_pipe_piece { PIPE_MESSAGE_END, PIPE_FRAGMENT, PIPE_CLOSED };

struct bench_pipe
{
    const struct bench_pipe_ops *ops;
    void *conn;
    HANDLE done;                  /* the pipeline drained, or failed */
    CRITICAL_SECTION cs;          /* guards the counters and flags below */
    volatile DWORD error;         /* the first failure */
    BOOL send_in_flight;          /* a send whose completion has not come */
    BOOL sender_active;           /* a thread is in try_send's loop */
    BOOL stopping;
    unsigned long long owed;      /* sends to issue */
    unsigned long long issued, received;
    DWORD size, partial;
    double stop_at, t_end;
};

void bench_pipe_init(struct bench_pipe *p, const struct bench_pipe_ops *ops, void *conn);
void bench_pipe_free(struct bench_pipe *p);
/* One pipelined run: depth size-byte messages in flight for about seconds. */
DWORD bench_pipe_run(struct bench_pipe *p, DWORD size, int depth, double seconds, unsigned long long *count,
                     double *elapsed);
/* Completions, from the client. */
void bench_pipe_sent(struct bench_pipe *p);
void bench_pipe_received(struct bench_pipe *p, enum bench_pipe_piece piece, DWORD bytes);
void bench_pipe_fail(struct bench_pipe *p, DWORD error);

#endif /* BENCH_H */
