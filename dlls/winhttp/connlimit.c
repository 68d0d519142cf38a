/*
 * Connections in use per server, and the requests waiting for one
 * (WINHTTP_OPTION_MAX_CONNS_PER_SERVER, _PER_1_0_SERVER); connlimit.h has the
 * rules and the lock.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "connlimit.h"

/* One server the requests of the process have had connections to (lock).
 * Entries stay: they remember whether the server speaks HTTP/1.0, and a
 * process talks to few servers. */
struct conn_server
{
    struct conn_server *next;
    WCHAR *host;
    INTERNET_PORT port;
    DWORD key;
    DWORD active;                 /* slots held */
    BOOL http10;                  /* its last answer was HTTP/1.0 */
    struct conn_slot *waiters, **waiters_tail;
};

static SRWLOCK connlimit_lock = SRWLOCK_INIT;
static struct conn_server *servers;

static struct conn_server *find_server(const WCHAR *host, INTERNET_PORT port, DWORD key, BOOL create)
{
    struct conn_server *s;

    for (s = servers; s; s = s->next)
        if (s->port == port && s->key == key && !_wcsicmp(s->host, host)) return s;
    if (!create || !(s = heap_alloc_zero(sizeof(*s)))) return NULL;
    if (!(s->host = strdupW(host)))
    {
        heap_free(s);
        return NULL;
    }
    s->port = port;
    s->key = key;
    s->waiters_tail = &s->waiters;
    s->next = servers;
    servers = s;
    return s;
}

static BOOL unlimited(DWORD limit)
{
    return !limit || limit == ~0u;
}

static void wake(struct conn_slot *slot)
{
    if (slot->queue) task_wake(slot->queue);
    else SetEvent(slot->event);
}

/* Takes slot off its server's waiters (lock held). */
static void dequeue(struct conn_server *server, struct conn_slot *slot)
{
    struct conn_slot **p;

    for (p = &server->waiters; *p; p = &(*p)->next)
    {
        if (*p != slot) continue;
        *p = slot->next;
        if (server->waiters_tail == &slot->next) server->waiters_tail = p;
        slot->next = NULL;
        return;
    }
}

DWORD conn_slot_acquire(struct conn_slot *slot, const WCHAR *host, INTERNET_PORT port, DWORD key, DWORD limit,
                        DWORD limit_1_0, struct task_queue *queue, int timeout)
{
    struct conn_server *server;
    DWORD error, wait;

    AcquireSRWLockExclusive(&connlimit_lock);
    if (slot->server || slot->waiting || slot->error)
    {
        /* a resumed asynchronous wait: granted, still queued (cannot be:
         * the task resumes only once), or ended */
        error = slot->server ? ERROR_SUCCESS : slot->waiting ? ERROR_IO_PENDING : slot->error;
        slot->error = ERROR_SUCCESS;
        ReleaseSRWLockExclusive(&connlimit_lock);
        return error;
    }
    if (!(server = find_server(host, port, key, TRUE)))
    {
        ReleaseSRWLockExclusive(&connlimit_lock);
        return ERROR_OUTOFMEMORY;
    }
    if (server->http10) limit = limit_1_0;
    if (unlimited(limit) || server->active < limit)
    {
        server->active++;
        slot->server = server;
        ReleaseSRWLockExclusive(&connlimit_lock);
        return ERROR_SUCCESS;
    }
    TRACE("%p: %s:%u has %lu of %lu connections in use, waiting\n", slot, debugstr_w(host), port, server->active,
          limit);
    slot->queue = queue;
    if (!queue && !slot->event && !(slot->event = CreateEventW(NULL, FALSE, FALSE, NULL)))
    {
        ReleaseSRWLockExclusive(&connlimit_lock);
        return GetLastError();
    }
    if (!queue) ResetEvent(slot->event);   /* no stale wake-up from an earlier wait */
    slot->waiting = TRUE;
    slot->next = NULL;
    *server->waiters_tail = slot;
    server->waiters_tail = &slot->next;
    ReleaseSRWLockExclusive(&connlimit_lock);
    if (queue) return ERROR_IO_PENDING;

    wait = WaitForSingleObject(slot->event, timeout > 0 ? (DWORD)timeout : INFINITE);
    AcquireSRWLockExclusive(&connlimit_lock);
    if (slot->waiting)
    {
        /* timed out, and nobody granted or cancelled meanwhile (a grant or a
         * cancel takes the slot off the queue before it wakes the waiter) */
        dequeue(server, slot);
        slot->waiting = FALSE;
        slot->error = wait == WAIT_TIMEOUT ? ERROR_WINHTTP_TIMEOUT : GetLastError();
    }
    error = slot->server ? ERROR_SUCCESS : slot->error;
    slot->error = ERROR_SUCCESS;
    ReleaseSRWLockExclusive(&connlimit_lock);
    if (error) TRACE("%p: no connection: %lu\n", slot, error);
    return error;
}

/* The server a waiting slot is queued on (lock held). */
static struct conn_server *waited_server(struct conn_slot *slot)
{
    struct conn_server *s;
    struct conn_slot *w;

    for (s = servers; s; s = s->next)
        for (w = s->waiters; w; w = w->next)
            if (w == slot) return s;
    return NULL;
}

void conn_slot_release(struct conn_slot *slot)
{
    struct conn_server *server;
    struct conn_slot *next = NULL;

    AcquireSRWLockExclusive(&connlimit_lock);
    if ((server = slot->server))
    {
        slot->server = NULL;
        if ((next = server->waiters))
        {
            /* handed over: the count stays */
            server->waiters = next->next;
            if (!server->waiters) server->waiters_tail = &server->waiters;
            next->next = NULL;
            next->waiting = FALSE;
            next->server = server;
        }
        else
        {
            server->active--;
            }
    }
    ReleaseSRWLockExclusive(&connlimit_lock);
    if (next)
    {
        TRACE("%p: connection slot handed to %p\n", slot, next);
        wake(next);
    }
}

BOOL conn_slot_cancel(struct conn_slot *slot, DWORD error)
{
    struct conn_server *server;
    BOOL was_waiting;

    AcquireSRWLockExclusive(&connlimit_lock);
    if ((was_waiting = slot->waiting))
    {
        if ((server = waited_server(slot)))
        {
            dequeue(server, slot);
            }
        slot->waiting = FALSE;
        slot->error = error;
    }
    ReleaseSRWLockExclusive(&connlimit_lock);
    if (was_waiting) wake(slot);
    return was_waiting;
}

void conn_slot_server_version(struct conn_slot *slot, BOOL http10)
{
    AcquireSRWLockExclusive(&connlimit_lock);
    if (slot->server) slot->server->http10 = http10;
    ReleaseSRWLockExclusive(&connlimit_lock);
}

void conn_slot_free(struct conn_slot *slot)
{
    if (slot->event) CloseHandle(slot->event);
    slot->event = NULL;
}
