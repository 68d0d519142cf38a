/*
 * The asynchronous pipeline of the async_ workloads (bench.h), driven by
 * completions: one receive is always posted and the next one is posted from
 * the completion of the last; sends go one at a time, the next after the
 * completion of the last, keeping DEPTH messages in flight.  Whoever finds
 * sends owed and none in flight issues them (try_send), so a send that
 * completes inside the call lets the same thread go on sending.
 *
 * bench_winhttp.exe drives it with WinHttpWebSocketSend/Receive and their
 * WRITE_COMPLETE/READ_COMPLETE callbacks; bench_raw.exe --callbacks with a
 * blocking send() and an overlapped WSARecv taken from a completion port by
 * a thread of its own: the same program, shape for shape, without WinHTTP.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"

void bench_pipe_init(struct bench_pipe *p, const struct bench_pipe_ops *ops, void *conn)
{
    memset(p, 0, sizeof(*p));
    p->ops = ops;
    p->conn = conn;
    InitializeCriticalSection(&p->cs);
    p->done = CreateEventW(NULL, TRUE, FALSE, NULL);
}

void bench_pipe_free(struct bench_pipe *p)
{
    DeleteCriticalSection(&p->cs);
    CloseHandle(p->done);
}

void bench_pipe_fail(struct bench_pipe *p, DWORD error)
{
    if (!p->error) p->error = error;
    SetEvent(p->done);
}

static void try_send(struct bench_pipe *p)
{
    DWORD error;

    EnterCriticalSection(&p->cs);
    if (p->sender_active)
    {
        LeaveCriticalSection(&p->cs);
        return;
    }
    p->sender_active = TRUE;
    while (!p->send_in_flight && p->owed && !p->error)
    {
        p->send_in_flight = TRUE;
        p->owed--;
        LeaveCriticalSection(&p->cs);
        error = p->ops->send(p->conn, p->size);
        EnterCriticalSection(&p->cs);
        if (error)
        {
            p->send_in_flight = FALSE;
            bench_pipe_fail(p, error);
        }
    }
    p->sender_active = FALSE;
    LeaveCriticalSection(&p->cs);
}

void bench_pipe_sent(struct bench_pipe *p)
{
    BOOL active;

    EnterCriticalSection(&p->cs);
    p->send_in_flight = FALSE;
    active = p->sender_active;
    LeaveCriticalSection(&p->cs);
    if (!active) try_send(p);
}

void bench_pipe_received(struct bench_pipe *p, enum bench_pipe_piece piece, DWORD bytes)
{
    BOOL finished = FALSE;
    DWORD error;

    switch (piece)
    {
    case PIPE_MESSAGE_END:
        EnterCriticalSection(&p->cs);
        if (p->partial + bytes != p->size)
        {
            LeaveCriticalSection(&p->cs);
            bench_pipe_fail(p, ERROR_INVALID_DATA);
            return;
        }
        p->partial = 0;
        p->received++;
        if (!p->stopping)
        {
            if (bench_now() >= p->stop_at) p->stopping = TRUE;
            else
            {
                p->owed++;
                p->issued++;
            }
        }
        finished = p->stopping && p->received == p->issued;
        LeaveCriticalSection(&p->cs);
        break;
    case PIPE_FRAGMENT:
        p->partial += bytes;
        break;
    default:
        bench_pipe_fail(p, ERROR_GRACEFUL_DISCONNECT);
        return;
    }
    if (finished)
    {
        p->t_end = bench_now();
        SetEvent(p->done);
        return;
    }
    if ((error = p->ops->receive(p->conn)))
    {
        bench_pipe_fail(p, error);
        return;
    }
    try_send(p);
}

DWORD bench_pipe_run(struct bench_pipe *p, DWORD size, int depth, double seconds, unsigned long long *count,
                     double *elapsed)
{
    double t0;
    DWORD error;

    EnterCriticalSection(&p->cs);
    p->size = size;
    p->partial = 0;
    p->received = 0;
    p->issued = p->owed = depth;
    p->stopping = FALSE;
    ResetEvent(p->done);
    t0 = bench_now();
    p->stop_at = t0 + seconds;
    LeaveCriticalSection(&p->cs);

    if ((error = p->ops->receive(p->conn))) return error;
    try_send(p);
    if (WaitForSingleObject(p->done, (DWORD)(seconds * 10000) + 10000)) return ERROR_TIMEOUT;
    if (p->error) return p->error;
    *count = p->received;
    *elapsed = p->t_end - t0;
    return 0;
}
