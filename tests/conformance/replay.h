/*
 * Helpers for the framework replay tests (fw_*.c): each replays, call for
 * call, the WinHTTP sequence a public framework makes before and during its
 * first request, then performs a request (and, where the framework uses
 * them, a websocket round trip) against the test servers.
 *
 * Everything here works on synchronous and asynchronous handles alike: with
 * 'async' set, a call that pends is waited for through replay_callback with a
 * bounded WaitForSingleObject (REPLAY_TIMEOUT each).  The replay_callback
 * must be installed on the handles by the test and the request's context
 * must be a struct replay_async (as WinHttpSendRequest's dwContext or
 * WINHTTP_OPTION_CONTEXT_VALUE).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef REPLAY_H
#define REPLAY_H

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include "test.h"
#include "ws_helpers.h"

#define REPLAY_TIMEOUT 10000

struct replay_async
{
    HANDLE event;
    volatile DWORD status;     /* the last completion seen */
    volatile DWORD error;      /* from REQUEST_ERROR */
    volatile DWORD bytes;      /* DATA_AVAILABLE, READ_COMPLETE, WRITE_COMPLETE */
    volatile DWORD buffer_type; /* websocket READ_COMPLETE */
    HINTERNET websocket;       /* set by replay_ws_echo: its completions carry a WINHTTP_WEB_SOCKET_STATUS */
};

static inline void replay_async_init(struct replay_async *a)
{
    memset(a, 0, sizeof(*a));
    a->event = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static inline void CALLBACK replay_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct replay_async *a = (struct replay_async *)context;

    if (!a) return;  /* sessions and connections carry no context */
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        a->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        if (!a->error) a->error = ERROR_GEN_FAILURE;
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        a->bytes = *(DWORD *)info;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        /* a websocket reports a WINHTTP_WEB_SOCKET_STATUS; a request a count
         * (known from the handle: Wine's builtin cannot be asked for
         * WINHTTP_OPTION_HANDLE_TYPE) */
        if (a->websocket && handle == a->websocket)
        {
            WINHTTP_WEB_SOCKET_STATUS *ws = info;
            a->bytes = ws->dwBytesTransferred;
            a->buffer_type = ws->eBufferType;
        }
        else if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE) a->bytes = len;
        else a->bytes = *(DWORD *)info;
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        break;
    default:
        return;
    }
    a->status = status;
    SetEvent(a->event);
}

/* Waits for the completion of an asynchronous call; FALSE (with the error in
 * *error) when it failed or did not come. */
static inline BOOL replay_wait(struct replay_async *a, DWORD expected, DWORD *error)
{
    if (WaitForSingleObject(a->event, REPLAY_TIMEOUT) != WAIT_OBJECT_0)
    {
        *error = ERROR_TIMEOUT;
        return FALSE;
    }
    if (a->status != expected)
    {
        *error = a->error ? a->error : ERROR_GEN_FAILURE;
        return FALSE;
    }
    return TRUE;
}

/* Runs a WinHTTP call that completes with 'expected' when async; the result
 * is a Win32 error, 0 on success. */
#define REPLAY_CALL(a, async, expected, call) \
    ((call) ? ((async) ? (replay_wait((a), (expected), &replay_error_) ? 0 : replay_error_) : 0) : GetLastError())
static DWORD replay_error_;

static inline DWORD replay_write(HINTERNET req, struct replay_async *a, BOOL async, const void *data, DWORD len)
{
    DWORD written = 0, error;

    error = REPLAY_CALL(a, async, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE,
                        WinHttpWriteData(req, data, len, async ? NULL : &written));
    if (!error && (async ? a->bytes : written) != len) error = ERROR_GEN_FAILURE;
    return error;
}

/* ReceiveResponse, the status code and the whole body (up to size - 1 bytes,
 * NUL-terminated).  Returns a Win32 error, 0 on success. */
static inline DWORD replay_receive(HINTERNET req, struct replay_async *a, BOOL async, DWORD *status, char *body,
                            DWORD size, DWORD *body_len)
{
    DWORD error, len = sizeof(*status), avail, got, total = 0;
    unsigned int rounds;

    *body_len = 0;
    body[0] = 0;
    if ((error = REPLAY_CALL(a, async, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, WinHttpReceiveResponse(req, NULL))))
        return error;
    if (!WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, status, &len, NULL))
        return GetLastError();
    for (rounds = 0; rounds < 10000; rounds++)
    {
        avail = 0;
        if ((error = REPLAY_CALL(a, async, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE,
                                 WinHttpQueryDataAvailable(req, async ? NULL : &avail))))
            return error;
        if (async) avail = a->bytes;
        if (!avail) break;
        if (avail > size - 1 - total) return ERROR_INSUFFICIENT_BUFFER;
        got = 0;
        if ((error = REPLAY_CALL(a, async, WINHTTP_CALLBACK_STATUS_READ_COMPLETE,
                                 WinHttpReadData(req, body + total, avail, async ? NULL : &got))))
            return error;
        total += async ? a->bytes : got;
    }
    body[total] = 0;
    *body_len = total;
    return ERROR_SUCCESS;
}

/* A UTF-8 message sent and its echo received, then a close handshake with
 * 1000.  Returns a Win32 error, 0 on success. */
static inline DWORD replay_ws_echo(HINTERNET ws, struct replay_async *a, BOOL async, const char *msg)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type = 0;
    DWORD error, len = (DWORD)strlen(msg), got = 0;
    USHORT close_status = 0;
    char buffer[256];

    if (a) a->websocket = ws;

    error = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)msg, len);
    if (!error && async && !replay_wait(a, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, &error)) return error;
    if (error) return error;

    error = WinHttpWebSocketReceive(ws, buffer, sizeof(buffer), &got, &type);
    if (!error && async)
    {
        if (!replay_wait(a, WINHTTP_CALLBACK_STATUS_READ_COMPLETE, &error)) return error;
        got = a->bytes;
        type = a->buffer_type;
    }
    if (error) return error;
    if (type != WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || got != len || memcmp(buffer, msg, len))
        return ERROR_INVALID_DATA;

    error = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
    if (!error && async && !replay_wait(a, WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, &error)) return error;
    if (error) return error;
    error = WinHttpWebSocketQueryCloseStatus(ws, &close_status, NULL, 0, &len);
    if (!error && close_status != WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS) error = ERROR_INVALID_DATA;
    return error;
}

/* The test server's address from the environment, or FALSE (with a skip). */
static inline BOOL replay_server(const char *var, WCHAR *host, DWORD host_len, INTERNET_PORT *port)
{
    if (ws_parse_server(ws_server_env(var), host, host_len, port)) return TRUE;
    skip("%s is not set: run under tools/with-servers.sh\n", var);
    return FALSE;
}

#endif /* REPLAY_H */
