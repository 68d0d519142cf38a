/*
 * The engine's workers: every thread that takes an I/O completion runs what
 * it resumes to the end.
 *
 * Each backend has one source of completions (worker.h): the Winsock
 * backend, the engine's completion port below, which carries both the
 * sockets' completions and posted work (a queue to drain); the host-socket
 * backend, the helper's epoll set (net_host.c).  Workers wait on their
 * source; the one that takes a completion runs its handler, and the task
 * the completion wakes (task_io_done) resumes on that worker, the program's
 * callbacks included.  No completion is handed from one thread to another:
 * under Wine each hand-off is a wineserver round trip, one per read that
 * had to wait.
 *
 * One worker at a time waits on the source (the leader); the others park on
 * a semaphore (followers).  The leader that takes a completion stops leading
 * and runs it, and waits again when it is done, so a read that it started
 * and that pends comes back to it: Wine finishes such a read with an APC on
 * the starting thread and then queues the packet on the port, where it
 * wakes the oldest waiter -- with several waiters, another thread, and two
 * wake-ups per read.  Since a program's callback may block, a deadline (the
 * stuck check) looks every STUCK_MS while no worker leads: when none has
 * taken a completion for that long, it promotes a follower (or starts a
 * worker), which leads meanwhile.  A source never has more than
 * MAX_WORKERS.  Followers beyond IDLE_KEEP workers leave after IDLE_EXIT_MS.
 *
 * Why our own threads and not Wine's thread pool: under Wine, an overlapped
 * read that had to wait is finished (its data copied, its completion
 * posted) by the thread that started it, as a system APC.  A thread asleep
 * in a server wait -- GetQueuedCompletionStatus -- takes that at once; one
 * asleep on a futex, as Wine's pool workers are, must first be interrupted
 * with a signal.  Tasks start most reads, and run on these workers.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "worker.h"

#define STUCK_MS      50
#define MAX_WORKERS   6     /* the most a source ever has */
#define IDLE_KEEP     2
#define IDLE_EXIT_MS  5000

static BOOL start_worker(struct engine_source *source);

/* The stuck check: armed by a leader that took a completion, it looks every
 * STUCK_MS while no worker leads.  Clearing stuck_armed before looking at
 * leading, where a leader clears leading before looking at stuck_armed,
 * means one of the two always sees the other: no leader goes unwatched. */
static void stuck_expired(struct deadline *deadline)
{
    struct engine_source *source = CONTAINING_RECORD(deadline, struct engine_source, stuck);
    DWORD since_take;

    InterlockedExchange(&source->stuck_armed, 0);
    if (InterlockedCompareExchange(&source->leading, 0, 0)) return;
    since_take = GetTickCount() - source->last_take;
    if (since_take >= STUCK_MS)
    {
        /* inside one completion for STUCK_MS: a callback that blocks, or
         * long work; another worker takes the source meanwhile */
        TRACE("%s: no leader, none took a completion for %lu ms: promoting\n", source->name, since_take);
        if (InterlockedCompareExchange(&source->followers, 0, 0) > 0) ReleaseSemaphore(source->promote, 1, NULL);
        else start_worker(source);
        since_take = 0;
    }
    if (!InterlockedExchange(&source->stuck_armed, 1))
        deadline_arm(&source->stuck, STUCK_MS - since_take, stuck_expired);
}

/* Follows: parks until the stuck check promotes this worker.  FALSE when
 * it waited IDLE_EXIT_MS in vain and enough other workers remain: it
 * leaves. */
static BOOL follow(struct engine_source *source)
{
    DWORD ret;

    InterlockedIncrement(&source->followers);
    ret = WaitForSingleObject(source->promote, IDLE_EXIT_MS);
    InterlockedDecrement(&source->followers);
    if (ret != WAIT_TIMEOUT) return TRUE;
    if (InterlockedDecrement(&source->workers) >= IDLE_KEEP) return FALSE;
    InterlockedIncrement(&source->workers);
    return TRUE;
}

static DWORD CALLBACK worker_main(void *arg)
{
    struct engine_source *source = arg;
    struct engine_completion completion;

    for (;;)
    {
        /* one leader at a time */
        if (InterlockedCompareExchange(&source->leading, 1, 0))
        {
            if (!follow(source)) break;
            continue;
        }
        while (!source->wait(IDLE_EXIT_MS, &completion)) ;
        source->last_take = GetTickCount();
        /* Nobody waits on the source while this runs: what completes
         * meanwhile waits for this worker, unless it stays STUCK_MS. */
        InterlockedExchange(&source->leading, 0);
        if (!InterlockedExchange(&source->stuck_armed, 1)) deadline_arm(&source->stuck, STUCK_MS, stuck_expired);
        completion.handler(completion.tag, completion.result, completion.bytes);
    }
    TRACE("%s: worker leaves\n", source->name);
    return 0;
}

static BOOL start_worker(struct engine_source *source)
{
    HANDLE thread;
    LONG count = InterlockedIncrement(&source->workers);

    if (count > MAX_WORKERS || !(thread = CreateThread(NULL, 0, worker_main, source, 0, NULL)))
    {
        InterlockedDecrement(&source->workers);
        return FALSE;
    }
    CloseHandle(thread);
    TRACE("%s: worker %ld started\n", source->name, count);
    return TRUE;
}

static BOOL CALLBACK start_first_worker(INIT_ONCE *once, void *param, void **context)
{
    struct engine_source *source = param;

    if (!(source->promote = CreateSemaphoreW(NULL, 0, MAX_WORKERS, NULL))) return FALSE;
    return start_worker(source);
}

BOOL engine_source_start(struct engine_source *source)
{
    return InitOnceExecuteOnce(&source->once, start_first_worker, source, NULL);
}

/* The engine's completion port (the Winsock backend's source) ------------- */

static HANDLE port;
static INIT_ONCE port_once = INIT_ONCE_STATIC_INIT;

/* A packet's key is its handler; its OVERLAPPED pointer, the tag. */
static BOOL port_wait(DWORD timeout, struct engine_completion *completion)
{
    OVERLAPPED *overlapped = NULL;
    ULONG_PTR key = 0;
    DWORD bytes = 0;

    completion->result = GetQueuedCompletionStatus(port, &bytes, &key, &overlapped, timeout)
                         ? ERROR_SUCCESS : GetLastError();
    if (!overlapped) return FALSE;
    completion->handler = (engine_handler)key;
    completion->tag = overlapped;
    completion->bytes = bytes;
    return TRUE;
}

static struct engine_source port_source = { .name = "port", .wait = port_wait };

static BOOL CALLBACK create_port(INIT_ONCE *once, void *param, void **context)
{
    if (!(port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0))) return FALSE;
    return engine_source_start(&port_source);
}

HANDLE engine_port(void)
{
    if (!InitOnceExecuteOnce(&port_once, create_port, NULL, NULL)) return NULL;
    return port;
}

BOOL engine_post(engine_handler handler, void *tag)
{
    if (!engine_port()) return FALSE;
    return PostQueuedCompletionStatus(port, 0, (ULONG_PTR)handler, tag);
}
