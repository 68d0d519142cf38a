/*
 * WINHTTP_OPTION_MAX_CONNS_PER_SERVER and _PER_1_0_SERVER: how many
 * connections the requests of the process have in use to one server (its
 * keep-alive pool key: host, port, TLS checks); a request that would go past
 * its session's limit waits until another request gives its connection back
 * (to the pool, or closed), and then takes it, rather than opening one more.
 *
 * A request holds a slot from the moment it looks for a connection until it
 * gives the connection back (body read, pooled or closed; handed to a
 * websocket; request closed).  Idle pooled connections hold no slot: the next
 * request that gets a slot takes them first.
 *
 * Lock: one SRW lock (connlimit.c) guards the server entries, their counts
 * and waiter queues, and each slot's fields marked (lock).  Nothing else is
 * taken under it; waiters are woken after it is released.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_CONNLIMIT_H
#define WINHTTP_CONNLIMIT_H

#include "task.h"

struct conn_server;

struct conn_slot
{
    struct conn_server *server;   /* (lock) held: counts toward the server's limit */
    struct conn_slot *next;       /* (lock) in the server's waiters */
    BOOL waiting;                 /* (lock) queued for a slot */
    DWORD error;                  /* (lock) the wait ended without a slot (timeout, cancelled) */
    HANDLE event;                 /* a synchronous waiter's wake-up */
    struct task_queue *queue;     /* an asynchronous waiter's task, resumed with task_io_done */
};

/* Takes a slot for host:port (key: the pool's TLS key) under limit (0 or
 * ~0u: none).  A synchronous caller (queue NULL) waits at most timeout ms
 * (<= 0: no bound) and gets ERROR_WINHTTP_TIMEOUT past it.  An asynchronous
 * one gets ERROR_IO_PENDING and its task is resumed once the slot is granted
 * or conn_slot_cancel ended the wait; it then calls again for the outcome. */
DWORD conn_slot_acquire(struct conn_slot *slot, const WCHAR *host, INTERNET_PORT port, DWORD key, DWORD limit,
                        DWORD limit_1_0, struct task_queue *queue, int timeout);
/* Gives the slot back: to the first waiter of its server, else to the count. */
void conn_slot_release(struct conn_slot *slot);
/* Ends a wait with error and wakes the waiter; FALSE if it was not waiting. */
BOOL conn_slot_cancel(struct conn_slot *slot, DWORD error);
/* The server answered HTTP/1.0: MAX_CONNS_PER_1_0_SERVER applies to it. */
void conn_slot_server_version(struct conn_slot *slot, BOOL http10);
/* Frees a slot that holds nothing (its event). */
void conn_slot_free(struct conn_slot *slot);

#endif /* WINHTTP_CONNLIMIT_H */
