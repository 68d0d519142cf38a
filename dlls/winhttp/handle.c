/*
 * The handle table and the object header: lookup, reference counting, and the
 * one place that delivers status callbacks.
 *
 * An object lives while anything uses it: the table holds one reference until
 * WinHttpCloseHandle, and every operation in flight holds its own.  When the
 * last reference goes, HANDLE_CLOSING is delivered -- so it is always the last
 * notification of a handle -- and the object is destroyed.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

/* The table: table_lock guards table, table_size and next_free, and is a
 * leaf (nothing else is taken, no callback runs, while it is held).  It is
 * a critical section, not a shared SRW lock: every API call takes it
 * (grab_object), and under Wine 8 every SRW release calls
 * RtlWakeAddressAll, 39-72 ns a pair on the test VM against 12.6 ns for a
 * critical section; held for a few instructions, sharing it among readers
 * gains nothing (docs/HOST.md, "Speed").
 * Initialized when the DLL loads (handle_init). */
static CRITICAL_SECTION table_lock;
static struct object_header **table;
static ULONG table_size;
static ULONG next_free;  /* lowest index that may be free */

void handle_init(void)
{
    InitializeCriticalSection(&table_lock);
}

/* Handle values are small integers, never NULL, as in Wine. */
static inline ULONG handle_to_index(HINTERNET handle)
{
    return (ULONG)(ULONG_PTR)handle - 1;
}

static inline HINTERNET index_to_handle(ULONG index)
{
    return (HINTERNET)(ULONG_PTR)(index + 1);
}

void init_object(struct object_header *hdr, enum handle_type type, const struct object_vtbl *vtbl,
                 struct object_header *parent)
{
    hdr->type = type;
    hdr->vtbl = vtbl;
    hdr->refs = 1;
    if (parent)
    {
        hdr->parent = addref_object(parent);
        hdr->flags = parent->flags & WINHTTP_FLAG_ASYNC;
        hdr->callback = parent->callback;
        hdr->notify_mask = parent->notify_mask;
    }
}

HINTERNET alloc_handle(struct object_header *hdr)
{
    HINTERNET handle = NULL;
    ULONG i;

    EnterCriticalSection(&table_lock);
    for (i = next_free; i < table_size; i++) if (!table[i]) break;
    if (i == table_size)
    {
        ULONG new_size = table_size ? table_size * 2 : 64;
        struct object_header **new_table = heap_realloc(table, new_size * sizeof(*table));
        if (!new_table) goto done;
        memset(new_table + table_size, 0, (new_size - table_size) * sizeof(*table));
        table = new_table;
        table_size = new_size;
    }
    table[i] = addref_object(hdr);
    next_free = i + 1;
    handle = hdr->handle = index_to_handle(i);
done:
    LeaveCriticalSection(&table_lock);
    if (!handle) SetLastError(ERROR_OUTOFMEMORY);
    return handle;
}

struct object_header *addref_object(struct object_header *hdr)
{
    InterlockedIncrement(&hdr->refs);
    return hdr;
}

struct object_header *grab_object(HINTERNET handle)
{
    struct object_header *hdr = NULL;
    ULONG index = handle_to_index(handle);

    EnterCriticalSection(&table_lock);
    if (handle && index < table_size && table[index]) hdr = addref_object(table[index]);
    LeaveCriticalSection(&table_lock);
    TRACE("handle %p -> %p\n", handle, hdr);
    return hdr;
}

struct object_header *grab_typed_object(HINTERNET handle, enum handle_type type, DWORD *error)
{
    struct object_header *hdr = grab_object(handle);

    if (!hdr) *error = ERROR_INVALID_HANDLE;
    else if (hdr->type != type)
    {
        release_object(hdr);
        hdr = NULL;
        *error = ERROR_WINHTTP_INCORRECT_HANDLE_TYPE;
    }
    else *error = ERROR_SUCCESS;
    return hdr;
}

void release_object(struct object_header *hdr)
{
    struct object_header *parent;

    if (InterlockedDecrement(&hdr->refs)) return;
    TRACE("destroying object %p (handle %p)\n", hdr, hdr->handle);
    if (hdr->vtbl->unreferenced) hdr->vtbl->unreferenced(hdr);
    if (hdr->handle) send_callback(hdr, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, &hdr->handle, sizeof(HINTERNET));
    parent = hdr->parent;
    hdr->vtbl->destroy(hdr);
    if (parent) release_object(parent);
}

BOOL free_handle(HINTERNET handle)
{
    struct object_header *hdr = NULL;
    ULONG index = handle_to_index(handle);

    EnterCriticalSection(&table_lock);
    if (handle && index < table_size && table[index])
    {
        hdr = table[index];
        table[index] = NULL;
        if (index < next_free) next_free = index;
    }
    LeaveCriticalSection(&table_lock);
    if (!hdr) return FALSE;

    InterlockedExchange(&hdr->closing, 1);
    if (hdr->vtbl->handle_closing) hdr->vtbl->handle_closing(hdr);
    release_object(hdr);
    return TRUE;
}

BOOL object_is_async(const struct object_header *hdr)
{
    return (hdr->flags & WINHTTP_FLAG_ASYNC) != 0;
}

/* The websocket close and shutdown completions have no WINHTTP_CALLBACK_FLAG_*
 * of their own: a program that asked for completions gets them (.NET's
 * WinHTTP ClientWebSocket subscribes with ALL_COMPLETIONS | HANDLES |
 * SECURE_FAILURE and waits for CLOSE_COMPLETE in CloseAsync). */
static DWORD effective_mask(DWORD mask)
{
    if (mask & WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS)
        mask |= WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE | WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE;
    return mask;
}

void send_callback(struct object_header *hdr, DWORD status, void *info, DWORD buflen)
{
    WINHTTP_STATUS_CALLBACK callback = hdr->callback;

    if (callback && (effective_mask(hdr->notify_mask) & status))
    {
        TRACE("%p, %#lx, %p, %lu\n", hdr->handle, status, info, buflen);
        callback(hdr->handle, hdr->context, status, info, buflen);
        TRACE("returned from %#lx callback\n", status);
    }
}

/***********************************************************************
 *          WinHttpCloseHandle (winhttp.@)
 */
BOOL WINAPI WinHttpCloseHandle(HINTERNET handle)
{
    TRACE("%p\n", handle);

    if (!free_handle(handle))
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/***********************************************************************
 *          WinHttpSetStatusCallback (winhttp.@)
 */
WINHTTP_STATUS_CALLBACK WINAPI WinHttpSetStatusCallback(HINTERNET handle, WINHTTP_STATUS_CALLBACK callback,
                                                        DWORD flags, DWORD_PTR reserved)
{
    struct object_header *hdr;
    WINHTTP_STATUS_CALLBACK ret;

    TRACE("%p, %p, %#lx, %#Ix\n", handle, callback, flags, reserved);

    if (!(hdr = grab_object(handle)))
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return WINHTTP_INVALID_STATUS_CALLBACK;
    }
    ret = hdr->callback;
    hdr->notify_mask = flags;
    hdr->callback = callback;
    release_object(hdr);
    SetLastError(ERROR_SUCCESS);
    return ret;
}
