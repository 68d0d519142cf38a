/*
 * A synchronous WinHttpSendRequest (then WinHttpReceiveResponse, and
 * WinHttpReadData when read is set) on a thread
 * of its own, for the tests that close its request from another thread
 * while it waits (lookup.c, sync_close.c):
 *
 *   struct sync_call call;
 *   sync_call_init(&call, request, WINHTTP_CALLBACK_STATUS_RESOLVING_NAME);
 *   WinHttpSetStatusCallback(session, sync_call_callback, WINHTTP_CALLBACK_FLAG_RESOLVE_NAME, 0);
 *   thread = sync_call_start(&call);
 *   ... WaitForSingleObject(call.reached, ...): the call got to that status ...
 *   sync_call_close(&call, thread);   closes the request, checks the call ends cancelled at once
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef SYNC_CALL_H
#define SYNC_CALL_H

#include <windows.h>
#include <winhttp.h>
#include <string.h>

#include "wine/test.h"

struct sync_call
{
    HINTERNET request;
    const void *body;       /* the request's body (optional data), or NULL */
    DWORD body_len;
    BOOL read;              /* then WinHttpReadData too */
    DWORD status;           /* the notification that sets reached */
    HANDLE reached;         /* the call got to status */
    BOOL sent;              /* WinHttpSendRequest succeeded */
    BOOL received;          /* WinHttpReceiveResponse succeeded */
    BOOL ret;               /* the last call's result, and its error */
    DWORD error;
};

/* The session's status callback (the request's context value is the call). */
static inline void CALLBACK sync_call_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct sync_call *call = (struct sync_call *)context;

    if (call && status == call->status) SetEvent(call->reached);
}

static inline void sync_call_init(struct sync_call *call, HINTERNET request, DWORD status)
{
    DWORD_PTR context = (DWORD_PTR)call;

    memset(call, 0, sizeof(*call));
    call->request = request;
    call->status = status;
    call->reached = CreateEventW(NULL, TRUE, FALSE, NULL);
    WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
}

static inline DWORD WINAPI sync_call_thread(void *arg)
{
    struct sync_call *call = arg;

    SetLastError(0xdeadbeef);
    call->ret = WinHttpSendRequest(call->request, NULL, 0, (void *)call->body, call->body_len, call->body_len, 0);
    call->sent = call->ret;
    if (call->ret) call->ret = WinHttpReceiveResponse(call->request, NULL);
    call->received = call->ret;
    if (call->ret && call->read)
    {
        char buf[4096];
        DWORD read, i;

        /* up to the part of the body that never comes (an end of the body
         * instead leaves ret set: the call succeeded) */
        for (i = 0; i < 64 && (call->ret = WinHttpReadData(call->request, buf, sizeof(buf), &read)) && read; i++)
            ;
    }
    call->error = GetLastError();
    return 0;
}

static inline HANDLE sync_call_start(struct sync_call *call)
{
    return CreateThread(NULL, 0, sync_call_thread, call, 0, NULL);
}

/* Closes the request while the call waits: the call must end within a
 * second, failing with ERROR_WINHTTP_OPERATION_CANCELLED.  Frees thread
 * and the call's event. */
static inline void sync_call_close(struct sync_call *call, HANDLE thread)
{
    DWORD start = GetTickCount(), elapsed;

    ok(WinHttpCloseHandle(call->request), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(!WaitForSingleObject(thread, 2000), "the call did not end within 2 s of the close\n");
    elapsed = GetTickCount() - start;
    if (WaitForSingleObject(thread, 70000)) ok(0, "the call did not end at all\n");
    else
    {
        ok(!call->ret, "the call succeeded\n");
        ok(call->error == ERROR_WINHTTP_OPERATION_CANCELLED,
           "got %lu (in %s), expected ERROR_WINHTTP_OPERATION_CANCELLED\n", call->error,
           call->received ? "WinHttpReadData" : call->sent ? "WinHttpReceiveResponse" : "WinHttpSendRequest");
        ok(elapsed < 1000, "the call ended %lu ms after the close\n", elapsed);
    }
    CloseHandle(thread);
    CloseHandle(call->reached);
}

#endif /* SYNC_CALL_H */
