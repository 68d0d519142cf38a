/*
 * Asynchronous mode: every asynchronous call of a request becomes a task on
 * the request's queue.  A queue is drained by one thread-pool callback at a
 * time, so the tasks of one request run in order and never concurrently,
 * while different requests proceed in parallel on the (bounded) pool.
 *
 * Reference counting: each queued task holds a reference on its object, and
 * the draining callback holds one on the queue's owner, so neither the
 * object nor the queue inside it can go away under a running task.
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
    queue->owner = NULL;
}

static void CALLBACK drain_queue(PTP_CALLBACK_INSTANCE instance, void *context)
{
    struct task_queue *queue = context;
    struct object_header *owner = queue->owner;
    struct task *task;

    for (;;)
    {
        struct object_header *obj;
        BOOL cancelled;

        AcquireSRWLockExclusive(&queue->lock);
        if (!(task = queue->head))
        {
            queue->running = FALSE;
            ReleaseSRWLockExclusive(&queue->lock);
            break;
        }
        if (!(queue->head = task->next)) queue->tail = NULL;
        ReleaseSRWLockExclusive(&queue->lock);

        obj = task->obj;
        cancelled = obj->closing != 0;
        TRACE("running task %p of %p%s\n", task, obj, cancelled ? " (cancelled)" : "");
        task->fn(task, cancelled);
        heap_free(task);
        release_object(obj);
    }
    release_object(owner);  /* the drainer's reference */
}

DWORD task_queue_submit(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn)
{
    BOOL start = FALSE;

    task->next = NULL;
    task->obj = addref_object(obj);
    task->fn = fn;

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
