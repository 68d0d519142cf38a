/*
 * Asynchronous mode: every asynchronous call of a request or a websocket
 * becomes a task on one of the object's queues.  A queue is drained by one
 * engine worker (worker.c) at a time, so the tasks of one queue run in order
 * and never concurrently, while different queues proceed in parallel.
 *
 * A task that starts overlapped I/O returns ERROR_IO_PENDING and parks: it
 * stays at the head of its queue, no thread waits for it, and the I/O
 * completion (task_io_done) resumes it on the worker that took the
 * completion.  Other wake-ups (task_wake) go through the engine's port.
 *
 * Reference counting: each queued task holds a reference on its object, and
 * the draining callback holds one on the queue's owner, so neither the
 * object nor the queue inside it can go away under a running or parked task.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "task.h"
#include "worker.h"

void task_queue_init(struct task_queue *queue)
{
    InitializeCriticalSection(&queue->lock);
    queue->head = queue->tail = NULL;
    queue->running = FALSE;
    queue->rendezvous = 0;
    queue->owner = NULL;
    queue->inline_thread = 0;
    queue->inline_depth = 0;
    queue->drain_thread = 0;
    queue->finishing = FALSE;
    queue->free_task = NULL;
}

void task_queue_destroy(struct task_queue *queue)
{
    DeleteCriticalSection(&queue->lock);
}

static void free_task(struct task_queue *queue, struct task *task)
{
    if (queue->free_task) queue->free_task(task);
    else heap_free(task);
}

/* Where a drain runs ------------------------------------------------------ */

static void drain(struct task_queue *queue, BOOL on_caller);

static void drain_packet(void *tag, DWORD result, size_t bytes)
{
    drain(tag, FALSE);
}

/* Has an engine worker drain the queue; FALSE (GetLastError set) if it cannot. */
static BOOL submit_drain(struct task_queue *queue)
{
    return engine_post(drain_packet, queue);
}

/* TRUE when this call is the second of park and wake-up: the caller resumes the task. */
static BOOL rendezvous(struct task_queue *queue)
{
    if (InterlockedIncrement(&queue->rendezvous) < 2) return FALSE;
    queue->rendezvous = 0;
    return TRUE;
}

/* Queues ------------------------------------------------------------------ */

/* Runs the queue's tasks until it is empty or one waits for I/O.  The
 * caller owns the queue (running is TRUE) and a reference on its owner,
 * which a parked queue keeps until it is resumed.  on_caller: this is the
 * thread of an API call (task_queue_run), which runs the first task only
 * and leaves what is queued behind it to the pool. */
static void drain(struct task_queue *queue, BOOL on_caller)
{
    struct object_header *owner = queue->owner;
    struct task *task;
    BOOL handed_over, idle;

    for (;;)
    {
        struct object_header *obj;
        BOOL cancelled;
        DWORD status;

        /* One lock round before the step and one after it: this runs for
         * every message (docs/HOST.md, "Where the 16-byte cost goes"). */
        EnterCriticalSection(&queue->lock);
        if (!(task = queue->head))
        {
            queue->running = FALSE;
            LeaveCriticalSection(&queue->lock);
            break;
        }
        queue->drain_thread = GetCurrentThreadId();
        LeaveCriticalSection(&queue->lock);

        obj = task->obj;
        cancelled = !task->started && obj->closing != 0;
        TRACE("%s task %p of %p%s\n", task->started ? "resuming" : "running", task, obj,
              cancelled ? " (cancelled)" : "");
        task->started = TRUE;
        status = task->fn(task, cancelled);
        if (status == ERROR_IO_PENDING)
        {
            EnterCriticalSection(&queue->lock);
            queue->drain_thread = 0;
            LeaveCriticalSection(&queue->lock);
            /* Parked: whichever of this and the completion comes second runs it again. */
            if (!rendezvous(queue)) return;
            continue;
        }

        EnterCriticalSection(&queue->lock);
        queue->drain_thread = 0;
        if (!(queue->head = task->next)) queue->tail = NULL;
        queue->finishing = FALSE;
        /* a call runs inline on another thread (task_queue_finishing): it
         * owns the queue now and starts what is queued when it ends */
        handed_over = queue->inline_depth > 0;
        /* Nothing behind it: the queue is idle from here, in the same lock
         * as the task left it.  Otherwise a call made right after the task's
         * completion callback (a program that waits for it) would find the
         * queue neither finishing nor idle and go to a worker instead of
         * completing on its own thread (Wine's notification.c, seen under
         * qemu-i386). */
        if ((idle = !handed_over && !queue->head)) queue->running = FALSE;
        LeaveCriticalSection(&queue->lock);
        free_task(queue, task);
        release_object(obj);
        if (handed_over || idle) break;
        if (on_caller)
        {
            BOOL more;

            EnterCriticalSection(&queue->lock);
            if (!(more = queue->head != NULL)) queue->running = FALSE;
            LeaveCriticalSection(&queue->lock);
            if (!more) break;
            on_caller = FALSE;
            /* what was queued behind it runs on the pool, with the drainer's reference */
            if (submit_drain(queue)) return;
        }
    }
    release_object(owner);  /* the drainer's reference */
}

void task_io_done(struct task_queue *queue)
{
    /* Here: this is the worker that took the completion (worker.c), or the
     * task's own step, which then has not parked yet. */
    if (rendezvous(queue)) drain(queue, FALSE);
}

void task_wake(struct task_queue *queue)
{
    /* Never here: the waker may hold a lock or be another object's task. */
    if (rendezvous(queue) && !submit_drain(queue)) drain(queue, FALSE);
}

void task_io_inline(struct task_queue *queue)
{
    InterlockedDecrement(&queue->rendezvous);
}

/* Appends task; TRUE when the queue was idle and the caller now drains it. */
static BOOL enqueue(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn)
{
    BOOL start;

    task->next = NULL;
    task->obj = addref_object(obj);
    task->fn = fn;
    task->started = FALSE;

    EnterCriticalSection(&queue->lock);
    queue->owner = obj;
    if (queue->tail) queue->tail->next = task;
    else queue->head = task;
    queue->tail = task;
    if ((start = !queue->running)) queue->running = TRUE;
    LeaveCriticalSection(&queue->lock);
    return start;
}

DWORD task_queue_submit(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn)
{
    BOOL start = enqueue(queue, obj, task, fn);

    TRACE("queued task %p for %p%s\n", task, obj, start ? ", starting a drainer" : "");
    if (!start) return ERROR_SUCCESS;

    addref_object(obj);
    if (submit_drain(queue)) return ERROR_SUCCESS;

    /* No pool thread: take the task back. */
    {
        DWORD error = GetLastError();
        struct task **p;

        EnterCriticalSection(&queue->lock);
        for (p = &queue->head; *p; p = &(*p)->next)
            if (*p == task) { *p = task->next; break; }
        queue->tail = NULL;
        for (p = &queue->head; *p; p = &(*p)->next) queue->tail = *p;
        queue->running = FALSE;
        LeaveCriticalSection(&queue->lock);
        release_object(obj);
        release_object(obj);
        free_task(queue, task);
        return error ? error : ERROR_OUTOFMEMORY;
    }
}

DWORD task_queue_run(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn)
{
    BOOL idle = enqueue(queue, obj, task, fn);

    TRACE("task %p for %p%s\n", task, obj, idle ? ": running it here" : " queued");
    if (!idle) return ERROR_SUCCESS;
    addref_object(obj);  /* the drainer's */
    drain(queue, TRUE);
    return ERROR_SUCCESS;
}

BOOL task_queue_busy(struct task_queue *queue)
{
    BOOL busy;

    EnterCriticalSection(&queue->lock);
    busy = queue->running || queue->head;
    LeaveCriticalSection(&queue->lock);
    return busy;
}

static BOOL begin_inline(struct task_queue *queue, LONG max_depth)
{
    DWORD thread = GetCurrentThreadId();
    BOOL ret = FALSE;

    EnterCriticalSection(&queue->lock);
    if ((!queue->running && !queue->head) ||
        (queue->finishing && !queue->inline_depth && queue->drain_thread != thread && !queue->head->next))
    {
        queue->running = TRUE;
        queue->inline_thread = thread;
        queue->inline_depth = 1;
        ret = TRUE;
    }
    else if (queue->inline_depth < max_depth &&
             ((queue->inline_thread == thread && (!queue->head || (queue->finishing && !queue->head->next))) ||
              (queue->drain_thread == thread && queue->head && !queue->head->next)))
    {
        /* from a callback of an inline call, or of the running task, whose
         * work is done when it notifies */
        queue->inline_depth++;
        ret = TRUE;
    }
    LeaveCriticalSection(&queue->lock);
    return ret;
}

BOOL task_queue_begin_inline(struct task_queue *queue)
{
    return begin_inline(queue, TASK_INLINE_DEPTH);
}

BOOL task_queue_begin_inline_work(struct task_queue *queue)
{
    return begin_inline(queue, MAXLONG);
}

void task_queue_end_inline(struct task_queue *queue, struct object_header *obj)
{
    BOOL start = FALSE;

    EnterCriticalSection(&queue->lock);
    if (!--queue->inline_depth && queue->inline_thread == GetCurrentThreadId())
    {
        queue->inline_thread = 0;
        /* the finishing task's drainer goes on with what was queued */
        if (queue->finishing) ;
        else if (queue->head) start = TRUE;   /* queued behind us: running stays TRUE for the drainer */
        else queue->running = FALSE;
    }
    LeaveCriticalSection(&queue->lock);
    if (!start) return;
    addref_object(obj);
    if (!submit_drain(queue)) drain(queue, FALSE);
}

void task_queue_finishing(struct task_queue *queue)
{
    EnterCriticalSection(&queue->lock);
    queue->finishing = TRUE;
    LeaveCriticalSection(&queue->lock);
}
