/*
 * Request internals shared by request.c, headers.c and task.c: the
 * per-object task queue of asynchronous mode and the header lists.
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

/* The tasks of one object run in order, one at a time, on the thread pool.
 * A task waiting for I/O holds the queue but no thread. */
struct task_queue
{
    SRWLOCK lock;
    struct task *head, *tail;
    BOOL running;                /* a drainer owns the queue (running, or parked on I/O) */
    LONG rendezvous;             /* parked task vs its I/O completion: the second one resumes */
    struct object_header *owner; /* the object the queue lives in */
    DWORD inline_thread;         /* lock: the thread running calls inline (task_queue_begin_inline) */
    LONG inline_depth;           /* lock: how deep those calls nest */
    DWORD drain_thread;          /* lock: the thread inside a task's function, while it is */
    BOOL finishing;              /* lock: that task only notifies its end (task_queue_finishing) */
};

void task_queue_init(struct task_queue *queue);
/* Takes a reference on obj; ERROR_SUCCESS or an error (task not queued, freed). */
DWORD task_queue_submit(struct task_queue *queue, struct object_header *obj, struct task *task, task_fn fn);
/* The I/O a task returned ERROR_IO_PENDING for has finished (its result is
 * stored where the task will look): resumes the task, now or when it has
 * finished parking.  Call it from the I/O completion, on any thread. */
void task_io_done(struct task_queue *queue);
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
/* Gives the queue back; tasks queued meanwhile start now. */
void task_queue_end_inline(struct task_queue *queue, struct object_header *obj);
/* Called by a running task whose work is done, just before its completion
 * callback: from then on a call on another thread may run inline
 * (task_queue_begin_inline) while that callback still runs, as on Windows,
 * where a program that waits for SENDREQUEST_COMPLETE and calls
 * WinHttpReceiveResponse sees it complete on its own thread (Wine's
 * notification.c).  The task must touch its object no more after it. */
void task_queue_finishing(struct task_queue *queue);

/* Header lists ------------------------------------------------------------ */

struct header
{
    WCHAR *name;
    WCHAR *value;
};

struct header_list
{
    struct header *items;
    size_t count, size;
};

void headers_free(struct header_list *list);
/* Index of the nth (0-based) header called name at or after 0, or -1. */
int headers_find(const struct header_list *list, const WCHAR *name, DWORD nth);
/* Applies one header with WINHTTP_ADDREQ_* semantics; returns an error code. */
DWORD headers_process(struct header_list *list, const WCHAR *name, const WCHAR *value, DWORD flags);
/* Parses "Name: value\r\n..." (len chars, or -1 for NUL-terminated) and
 * applies each line; returns an error code. */
DWORD headers_add_string(struct header_list *list, const WCHAR *str, DWORD len, DWORD flags);
/* Appends name/value given as bytes (from the wire, UTF-8 or Latin-1). */
DWORD headers_append_bytes(struct header_list *list, const char *name, size_t name_len,
                           const char *value, size_t value_len);

/* What WinHttpQueryHeaders needs to see of a request. */
struct query_source
{
    const struct header_list *list;     /* request or response headers */
    const WCHAR *first_line_parts[3];   /* response: version, status code, text; request: verb, path, version */
    BOOL is_request;
};

/* The level/modifier logic of WinHttpQueryHeaders; returns an error code and
 * follows the buffer protocol (*len in bytes). */
DWORD headers_query(const struct query_source *src, DWORD level, const WCHAR *name, void *buffer,
                    DWORD *len, DWORD *index);
/* The same for WinHttpQueryHeadersEx: parsed name/value pairs in the buffer. */
DWORD headers_query_ex(const struct query_source *src, DWORD level, UINT codepage, DWORD *index,
                       const WINHTTP_HEADER_NAME *header_name, void *buffer, DWORD *len,
                       WINHTTP_EXTENDED_HEADER **headers, DWORD *count);

#endif /* WINHTTP_TASK_H */
