/*
 * Asynchronous mode: every asynchronous call of a request becomes a task on
 * the request's queue.  A queue is drained by one thread-pool callback at a
 * time, so the tasks of one request run in order and never concurrently,
 * while different requests proceed in parallel on the (bounded) pool.
 *
 * A task that starts overlapped I/O returns ERROR_IO_PENDING and parks: it
 * stays at the head of its queue, no thread waits for it, and the I/O
 * completion (task_io_done) resumes it on the pool.
 *
 * Reference counting: each queued task holds a reference on its object, and
 * the draining callback holds one on the queue's owner, so neither the
 * object nor the queue inside it can go away under a running or parked task.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "task.h"

void task_queue_init(struct task_queue *queue)
{
    InitializeSRWLock(&queue->lock);
    queue->head = queue->tail = NULL;
    queue->running = FALSE;
    queue->rendezvous = 0;
    queue->owner = NULL;
    queue->inline_thread = 0;
    queue->inline_depth = 0;
    queue->drain_thread = 0;
    queue->finishing = FALSE;
}

/* Runs the queue's tasks until it is empty or one waits for I/O.  The
 * caller owns the queue (running is TRUE) and a reference on its owner,
 * which a parked queue keeps until it is resumed. */
static void drain(struct task_queue *queue)
{
    struct object_header *owner = queue->owner;
    struct task *task;
    BOOL handed_over;

    for (;;)
    {
        struct object_header *obj;
        BOOL cancelled;
        DWORD status;

        AcquireSRWLockExclusive(&queue->lock);
        if (!(task = queue->head))
        {
            queue->running = FALSE;
            ReleaseSRWLockExclusive(&queue->lock);
            break;
        }
        ReleaseSRWLockExclusive(&queue->lock);

        obj = task->obj;
        cancelled = !task->started && obj->closing != 0;
        TRACE("%s task %p of %p%s\n", task->started ? "resuming" : "running", task, obj,
              cancelled ? " (cancelled)" : "");
        task->started = TRUE;
        AcquireSRWLockExclusive(&queue->lock);
        queue->drain_thread = GetCurrentThreadId();
        ReleaseSRWLockExclusive(&queue->lock);
        status = task->fn(task, cancelled);
        AcquireSRWLockExclusive(&queue->lock);
        queue->drain_thread = 0;
        ReleaseSRWLockExclusive(&queue->lock);
        if (status == ERROR_IO_PENDING)
        {
            /* Parked: whichever of this and the completion comes second runs it again. */
            if (InterlockedIncrement(&queue->rendezvous) < 2) return;
            queue->rendezvous = 0;
            continue;
        }

        AcquireSRWLockExclusive(&queue->lock);
        if (!(queue->head = task->next)) queue->tail = NULL;
        queue->finishing = FALSE;
        /* a call runs inline on another thread (task_queue_finishing): it
         * owns the queue now and starts what is queued when it ends */
        handed_over = queue->inline_depth > 0;
        ReleaseSRWLockExclusive(&queue->lock);
        heap_free(task);
        release_object(obj);
        if (handed_over) break;
    }
    release_object(owner);  /* the drainer's reference */
}

static void CALLBACK drain_queue(PTP_CALLBACK_INSTANCE instance, void *context)
{
    drain(context);
}

void task_io_done(struct task_queue *queue)
{
    if (InterlockedIncrement(&queue->rendezvous) < 2) return;
    queue->rendezvous = 0;
    /* On the pool, not on the I/O thread: the program's callbacks run in
     * the task and may block; the few completion threads must not. */
    if (!TrySubmitThreadpoolCallback(drain_queue, queue, NULL)) drain(queue);
}

void task_io_inline(struct task_queue *queue)
{
    InterlockedDecrement(&queue->rendezvous);
}

DWORD task_queue_submit(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn)
{
    BOOL start = FALSE;

    task->next = NULL;
    task->obj = addref_object(obj);
    task->fn = fn;
    task->started = FALSE;

    AcquireSRWLockExclusive(&queue->lock);
    queue->owner = obj;
    if (queue->tail) queue->tail->next = task;
    else queue->head = task;
    queue->tail = task;
    if (!queue->running) start = queue->running = TRUE;
    ReleaseSRWLockExclusive(&queue->lock);

    TRACE("queued task %p for %p%s\n", task, obj, start ? ", starting a drainer" : "");
    if (!start) return ERROR_SUCCESS;

    addref_object(obj);
    if (TrySubmitThreadpoolCallback(drain_queue, queue, NULL)) return ERROR_SUCCESS;

    /* No pool thread: take the task back. */
    {
        DWORD error = GetLastError();
        struct task **p;

        AcquireSRWLockExclusive(&queue->lock);
        for (p = &queue->head; *p; p = &(*p)->next)
            if (*p == task) { *p = task->next; break; }
        queue->tail = NULL;
        for (p = &queue->head; *p; p = &(*p)->next) queue->tail = *p;
        queue->running = FALSE;
        ReleaseSRWLockExclusive(&queue->lock);
        release_object(obj);
        release_object(obj);
        heap_free(task);
        return error ? error : ERROR_OUTOFMEMORY;
    }
}

BOOL task_queue_begin_inline(struct task_queue *queue)
{
    DWORD thread = GetCurrentThreadId();
    BOOL ret = FALSE;

    AcquireSRWLockExclusive(&queue->lock);
    if ((!queue->running && !queue->head) ||
        (queue->finishing && !queue->inline_depth && queue->drain_thread != thread && !queue->head->next))
    {
        queue->running = TRUE;
        queue->inline_thread = thread;
        queue->inline_depth = 1;
        ret = TRUE;
    }
    else if (queue->inline_depth < TASK_INLINE_DEPTH &&
             ((queue->inline_thread == thread && (!queue->head || (queue->finishing && !queue->head->next))) ||
              (queue->drain_thread == thread && queue->head && !queue->head->next)))
    {
        /* from a callback of an inline call, or of the running task, whose
         * work is done when it notifies */
        queue->inline_depth++;
        ret = TRUE;
    }
    ReleaseSRWLockExclusive(&queue->lock);
    return ret;
}

void task_queue_end_inline(struct task_queue *queue, struct object_header *obj)
{
    BOOL start = FALSE;

    AcquireSRWLockExclusive(&queue->lock);
    if (!--queue->inline_depth && queue->inline_thread == GetCurrentThreadId())
    {
        queue->inline_thread = 0;
        /* the finishing task's drainer goes on with what was queued */
        if (queue->finishing) ;
        else if (queue->head) start = TRUE;   /* queued behind us: running stays TRUE for the drainer */
        else queue->running = FALSE;
    }
    ReleaseSRWLockExclusive(&queue->lock);
    if (!start) return;
    addref_object(obj);
    if (!TrySubmitThreadpoolCallback(drain_queue, queue, NULL)) drain(queue);
}

void task_queue_finishing(struct task_queue *queue)
{
    AcquireSRWLockExclusive(&queue->lock);
    queue->finishing = TRUE;
    ReleaseSRWLockExclusive(&queue->lock);
}
