/*
 * The asynchronous engine: per-object task queues (task.c).  Every
 * asynchronous operation of a request or a websocket is a task -- a step
 * function that parks while its I/O is in flight and is resumed by the
 * completion (docs/ENGINE.md).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_TASK_H
#define WINHTTP_TASK_H

#include "winhttp_private.h"

/* Tasks ------------------------------------------------------------------ */

struct task;
/* Runs (or resumes) a task.  Returns ERROR_IO_PENDING when it started an
 * asynchronous operation and must run again once task_io_done() is called
 * for it; anything else means the task is over.  cancelled: the handle was
 * closed before the task first ran. */
typedef DWORD (*task_fn)(struct task *task, BOOL cancelled);

/* A unit of asynchronous work.  Callers embed it first in a bigger struct
 * allocated with heap_alloc; the queue frees it once fn says it is over. */
struct task
{
    struct task *next;
    struct object_header *obj;   /* holds a reference while queued/running */
    task_fn fn;
    BOOL started;
};

/* The tasks of one queue run in order, one at a time, on engine workers.
 * A task waiting for I/O holds the queue but no thread.
 *
 * lock guards the fields below it that say "lock", head, tail and running;
 * it is a leaf (task.c takes nothing else and runs no task or callback
 * while holding it).  A critical section, not an SRW lock: an asynchronous
 * message takes it 6-7 times, and under Wine 8 every SRW release calls
 * RtlWakeAddressAll (39-72 ns a pair on the test VM against 12.6 ns for a
 * critical section; docs/HOST.md, "Speed"); task_queue_destroy frees it. */
struct task_queue
{
    CRITICAL_SECTION lock;
    struct task *head, *tail;
    BOOL running;                /* a drainer owns the queue (running, or parked on I/O) */
    LONG rendezvous;             /* parked task vs its I/O completion: the second one resumes */
    struct object_header *owner; /* the object the queue lives in */
    DWORD inline_thread;         /* lock: the thread running calls inline (task_queue_begin_inline) */
    LONG inline_depth;           /* lock: how deep those calls nest */
    DWORD drain_thread;          /* lock: the thread inside a task's function, while it is */
    BOOL finishing;              /* lock: that task only notifies its end (task_queue_finishing) */
    /* How a task that is over is freed (set by the owner after
     * task_queue_init, before anything is queued): NULL is heap_free. */
    void (*free_task)(struct task *task);
};

void task_queue_init(struct task_queue *queue);
/* When the object the queue lives in is destroyed (nothing queued, no drainer). */
void task_queue_destroy(struct task_queue *queue);
/* Takes a reference on obj; ERROR_SUCCESS or an error (task not queued, freed). */
DWORD task_queue_submit(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn);
/* Runs the task's first step on this thread when the queue is idle (then
 * what queues up behind it goes to the pool), else queues it: for calls that
 * Windows completes on the calling thread when the network takes or gives
 * the data at once (a websocket send).  Takes a reference on obj. */
DWORD task_queue_run(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn);
/* TRUE while a task is queued, runs or is parked. */
BOOL task_queue_busy(struct task_queue *queue);
/* The I/O a task returned ERROR_IO_PENDING for has finished (its result is
 * stored where the task will look): resumes the task on this thread, now
 * or, if it has not parked yet, when it does.  Call it only from an I/O
 * completion function: on the engine worker that took the completion
 * (worker.h), or inside the task's own step. */
void task_io_done(struct task_queue *queue);
/* The same for a wake-up that is no I/O completion (a connection slot
 * handed over, a cancelled wait): the task resumes on an engine worker,
 * never on the waker's thread, which may hold a lock or run another task. */
void task_wake(struct task_queue *queue);
/* The completion of an operation that finished on the task's own thread
 * (it called task_io_done before the task could park): undo that call. */
void task_io_inline(struct task_queue *queue);

/* An asynchronous call that needs no I/O completes on the calling thread,
 * callback included, as on Windows (Wine's notification.c: the data is
 * already there).  TRUE when the queue is idle, or this thread is already in
 * such a call (a call from its callback), or in the callback of the task
 * that runs (nothing queued behind it), less than TASK_INLINE_DEPTH deep:
 * the caller then owns the queue until
 * task_queue_end_inline.  FALSE: queue a task as usual. */
#define TASK_INLINE_DEPTH 3
BOOL task_queue_begin_inline(struct task_queue *queue);
/* The same without the depth limit, for a call that does its work here but
 * leaves its notification to a task (so that the callbacks nest no deeper):
 * a read of buffered data, which Windows copies at once however deep the
 * callbacks nest (Wine 10's notification.c, test_recursion). */
BOOL task_queue_begin_inline_work(struct task_queue *queue);
/* Gives the queue back; tasks queued meanwhile start now. */
void task_queue_end_inline(struct task_queue *queue, struct object_header *obj);
/* Called by a running task whose work is done, just before its completion
 * callback: from then on a call on another thread may run inline
 * (task_queue_begin_inline) while that callback still runs, as on Windows,
 * where a program that waits for SENDREQUEST_COMPLETE and calls
 * WinHttpReceiveResponse sees it complete on its own thread (Wine's
 * notification.c).  The task must touch its object no more after it. */
void task_queue_finishing(struct task_queue *queue);

#endif /* WINHTTP_TASK_H */
