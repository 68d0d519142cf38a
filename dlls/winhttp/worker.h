/*
 * The engine's workers (worker.c): the threads that take I/O completions
 * and run what they resume to the end (docs/ENGINE.md).
 *
 * A backend supplies one thing, a way to wait for its next completion (an
 * engine_source); the engine starts, grows and retires the workers that
 * wait there.  A worker that takes a completion runs its handler, and the
 * task that completion wakes resumes on that same worker -- callbacks
 * included -- with no hand-off to another thread.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_WORKER_H
#define WINHTTP_WORKER_H

#include "winhttp_private.h"
#include "deadline.h"

/* Runs one completion, on the worker that took it. */
typedef void (*engine_handler)(void *tag, DWORD result, size_t bytes);

struct engine_completion
{
    engine_handler handler;
    void *tag;
    DWORD result;
    size_t bytes;
};

/* A source of completions.  Only wait is the backend's; the rest is the
 * engine's (zero-initialise it). */
struct engine_source
{
    const char *name;
    /* Waits up to timeout ms for the next completion: FALSE when none came. */
    BOOL (*wait)(DWORD timeout, struct engine_completion *completion);
    INIT_ONCE once;
    LONG workers;                 /* started, not yet left */
    LONG leading;                 /* 1 while a worker waits in wait() (the leader) */
    LONG followers;               /* workers parked on promote */
    HANDLE promote;               /* semaphore: the stuck check wakes a follower to lead */
    LONG stuck_armed;             /* stuck is armed */
    volatile DWORD last_take;     /* tick count when the leader last took a completion */
    struct deadline stuck;
};

/* Starts the source's first worker, once.  FALSE if none could start. */
BOOL engine_source_start(struct engine_source *source);

/* The engine's own completion port, created (with its first worker) on the
 * first call; NULL if it cannot be.  Bind a handle to it with the handler
 * as completion key: its completions run handler(overlapped, result, bytes)
 * on an engine worker. */
HANDLE engine_port(void);
/* Has an engine worker run handler(tag, 0, 0); FALSE (GetLastError set) if
 * it cannot. */
BOOL engine_post(engine_handler handler, void *tag);

#endif /* WINHTTP_WORKER_H */
