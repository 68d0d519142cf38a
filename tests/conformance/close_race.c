/*
 * WinHttpCloseHandle racing every kind of pending asynchronous operation:
 * a websocket Receive (against the echo of a Send), a 4 MiB Send, a Close
 * waiting for the peer's close frame, a Shutdown with a Receive pending,
 * and on a request SendRequest, ReceiveResponse, ReadData and a
 * WinHttpReadDataEx with FILL_BUFFER that waits for several pieces.  The handle
 * is closed at once or after a varying spin, so either side may win.
 * Whatever wins, each pending operation completes exactly once (its
 * completion, or REQUEST_ERROR), HANDLE_CLOSING is the last notification of
 * the handle, and nothing arrives after it.  Bounded: ROUNDS rounds per
 * kind or 60 s in all.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>
#include <stdlib.h>

#include "wine/test.h"
#include "ws_helpers.h"

#define ROUNDS    60
#define BIG_SEND  (4 * 1024 * 1024)
#define WAIT_MS   10000

enum kind
{
    WS_RECEIVE,          /* Receive pending, the echo of a Send on its way */
    WS_BIG_SEND,         /* a Send that takes a while */
    WS_CLOSE,            /* Close waiting for the peer's close frame */
    WS_SHUTDOWN,         /* Shutdown with a Receive pending */
    HTTP_SEND,           /* SendRequest pending */
    HTTP_RECEIVE,        /* ReceiveResponse pending (the server waits before it answers) */
    HTTP_READ,           /* ReadData pending on a large body */
    HTTP_READ_FILL,      /* ReadDataEx with FILL_BUFFER, the body sent in pieces 5 ms apart */
    KIND_COUNT
};

static const char *kind_names[KIND_COUNT] =
{
    "ws receive", "ws big send", "ws close", "ws shutdown", "http send", "http receive", "http read", "http read fill"
};

/* What one round saw, counted by its callback. */
struct round
{
    HINTERNET handle;            /* the handle the race is about */
    HANDLE closed, step;
    LONG read_complete, write_complete, close_complete, shutdown_complete;
    LONG send_complete, headers, errors, bad_errors;
    LONG closing_seen, after_closing;
    BYTE buf[16 * 1024];
};

static BYTE *big;

static void CALLBACK race_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct round *r = (struct round *)context;
    DWORD error;

    if (!r || !r->handle || handle != r->handle) return;
    if (r->closing_seen) InterlockedIncrement(&r->after_closing);
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        InterlockedIncrement(&r->read_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        InterlockedIncrement(&r->write_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        InterlockedIncrement(&r->close_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE:
        InterlockedIncrement(&r->shutdown_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        InterlockedIncrement(&r->send_complete);
        SetEvent(r->step);
        break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        InterlockedIncrement(&r->headers);
        SetEvent(r->step);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        /* a cancelled operation, or one cut by the closing socket */
        error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        InterlockedIncrement(&r->errors);
        if (error != ERROR_WINHTTP_OPERATION_CANCELLED && error != ERROR_WINHTTP_CONNECTION_ERROR)
            InterlockedIncrement(&r->bad_errors);
        SetEvent(r->step);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        r->closing_seen = 1;
        SetEvent(r->closed);
        break;
    }
}

/* Starts the websocket operations of a round; FALSE if one failed. */
static BOOL start_ws_round(struct round *r, enum kind kind, int i)
{
    DWORD err = ERROR_SUCCESS;

    switch (kind)
    {
    case WS_RECEIVE:
        err = WinHttpWebSocketReceive(r->handle, r->buf, sizeof(r->buf), NULL, NULL);
        if (!err) err = WinHttpWebSocketSend(r->handle, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"race", 4);
        break;
    case WS_BIG_SEND:
        err = WinHttpWebSocketSend(r->handle, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, big, BIG_SEND);
        break;
    case WS_CLOSE:
        err = WinHttpWebSocketClose(r->handle, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
        break;
    case WS_SHUTDOWN:
        err = WinHttpWebSocketReceive(r->handle, r->buf, sizeof(r->buf), NULL, NULL);
        if (!err) err = WinHttpWebSocketShutdown(r->handle, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
        break;
    default:
        break;
    }
    ok(!err, "%s round %d: starting failed: %lu\n", kind_names[kind], i, err);
    return !err;
}

/* Each operation the round started completed exactly once. */
static void check_ws_round(struct round *r, enum kind kind, int i)
{
    const char *name = kind_names[kind];
    LONG total = r->read_complete + r->write_complete + r->close_complete + r->shutdown_complete + r->errors;

    switch (kind)
    {
    case WS_RECEIVE:
        /* the Send of 4 bytes leaves at once: WRITE_COMPLETE before the close */
        ok(r->write_complete == 1, "%s round %d: %ld WRITE_COMPLETE\n", name, i, r->write_complete);
        ok(r->read_complete + r->errors == 1, "%s round %d: receive completed %ld + %ld times\n", name, i,
           r->read_complete, r->errors);
        break;
    case WS_BIG_SEND:
        ok(r->write_complete + r->errors == 1, "%s round %d: send completed %ld + %ld times\n", name, i,
           r->write_complete, r->errors);
        break;
    case WS_CLOSE:
        ok(r->close_complete + r->errors == 1, "%s round %d: close completed %ld + %ld times\n", name, i,
           r->close_complete, r->errors);
        break;
    case WS_SHUTDOWN:
        ok(total == 2, "%s round %d: %ld completions for 2 operations\n", name, i, total);
        ok(r->shutdown_complete <= 1 && r->read_complete <= 1, "%s round %d: %ld SHUTDOWN_COMPLETE, %ld READ_COMPLETE\n",
           name, i, r->shutdown_complete, r->read_complete);
        break;
    default:
        break;
    }
}

static BOOL wait_step(struct round *r, const char *name, int i)
{
    BOOL done = !WaitForSingleObject(r->step, WAIT_MS);
    ok(done, "%s round %d: no completion\n", name, i);
    return done;
}

/* Opens a request for path and starts the round's operation on it. */
static BOOL start_http_round(struct round *r, enum kind kind, int i, HINTERNET connect)
{
    static const WCHAR *paths[KIND_COUNT] = { NULL, NULL, NULL, NULL, L"/http/hello", L"/http/delay/100",
                                              L"/http/large/8000000", L"/http/drip/length/40/2000/5" };
    const char *name = kind_names[kind];
    DWORD err = ERROR_SUCCESS;

    r->handle = WinHttpOpenRequest(connect, L"GET", paths[kind], NULL, NULL, NULL, 0);
    ok(r->handle != NULL, "%s round %d: OpenRequest failed: %lu\n", name, i, GetLastError());
    if (!r->handle) return FALSE;
    WinHttpSetStatusCallback(r->handle, race_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    if (!WinHttpSendRequest(r->handle, NULL, 0, NULL, 0, 0, (DWORD_PTR)r)) err = GetLastError();
    if (kind == HTTP_SEND || err) goto done;
    if (!wait_step(r, name, i) || !r->send_complete) return FALSE;
    if (!WinHttpReceiveResponse(r->handle, NULL)) err = GetLastError();
    if (kind == HTTP_RECEIVE || err) goto done;
    if (!wait_step(r, name, i) || !r->headers) return FALSE;
    if (kind == HTTP_READ_FILL)
        err = WinHttpReadDataEx(r->handle, r->buf, sizeof(r->buf), NULL, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, 0, NULL);
    else if (!WinHttpReadData(r->handle, r->buf, sizeof(r->buf), NULL)) err = GetLastError();
    if (err == ERROR_IO_PENDING) err = ERROR_SUCCESS;
done:
    ok(!err, "%s round %d: starting failed: %lu\n", name, i, err);
    return !err;
}

static void check_http_round(struct round *r, enum kind kind, int i)
{
    const char *name = kind_names[kind];

    switch (kind)
    {
    case HTTP_SEND:
        ok(r->send_complete + r->errors == 1, "%s round %d: SendRequest completed %ld + %ld times\n", name, i,
           r->send_complete, r->errors);
        break;
    case HTTP_RECEIVE:
        ok(r->send_complete == 1 && r->headers + r->errors == 1, "%s round %d: ReceiveResponse completed %ld + %ld times\n",
           name, i, r->headers, r->errors);
        break;
    case HTTP_READ:
    case HTTP_READ_FILL:
        ok(r->read_complete + r->errors == 1, "%s round %d: ReadData completed %ld + %ld times\n", name, i,
           r->read_complete, r->errors);
        break;
    default:
        break;
    }
}

/* Closes the handle after a spin that varies with the round, waits for
 * HANDLE_CLOSING and checks what came. */
static void close_and_check(struct round *r, enum kind kind, int i)
{
    volatile unsigned int spin;

    for (spin = 0; spin < (unsigned int)(i % 8) * (i % 8) * 100000; spin++) {}
    ok(WinHttpCloseHandle(r->handle), "%s round %d: CloseHandle failed: %lu\n", kind_names[kind], i, GetLastError());
    ok(!WaitForSingleObject(r->closed, WAIT_MS), "%s round %d: no HANDLE_CLOSING\n", kind_names[kind], i);
    ok(!r->bad_errors, "%s round %d: %ld errors other than cancelled or connection error\n", kind_names[kind], i,
       r->bad_errors);
}

START_TEST(close_race)
{
    const char *server = ws_server_env("WSTEST_SERVER");
    struct round *rounds[KIND_COUNT];
    int done[KIND_COUNT] = { 0 }, k, i;
    DWORD start = GetTickCount();
    INTERNET_PORT port;
    struct ws_handles h;
    HINTERNET session, connect;
    WCHAR host[128];

    if (!server || !ws_parse_server(server, host, ARRAY_SIZE(host), &port))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    big = calloc(1, BIG_SEND);
    session = WinHttpOpen(L"close_race", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    connect = WinHttpConnect(session, host, port, 0);
    ok(connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());

    for (k = 0; k < KIND_COUNT; k++) rounds[k] = calloc(ROUNDS, sizeof(struct round));
    for (i = 0; i < ROUNDS && GetTickCount() - start < 60000; i++)
    {
        for (k = 0; k < KIND_COUNT; k++)
        {
            struct round *r = &rounds[k][i];
            BOOL started;

            r->closed = CreateEventW(NULL, TRUE, FALSE, NULL);
            r->step = CreateEventW(NULL, FALSE, FALSE, NULL);
            if (k < HTTP_SEND)
            {
                r->handle = ws_open(server, L"/echo", WS_OPEN_ASYNC, race_callback, (DWORD_PTR)r, &h);
                ok(r->handle != NULL, "%s round %d: ws_open failed in %s: %lu\n", kind_names[k], i, h.failed_call, h.error);
                if (!r->handle) continue;
                started = start_ws_round(r, k, i);
            }
            else started = start_http_round(r, k, i, connect);
            if (!r->handle) continue;
            close_and_check(r, k, i);
            if (started && k < HTTP_SEND) check_ws_round(r, k, i);
            else if (started) check_http_round(r, k, i);
            if (k < HTTP_SEND) ws_close_handles(&h);
            done[k]++;
        }
    }
    /* Late notifications would land after their HANDLE_CLOSING: give them a
     * bounded chance to show up (an event nobody sets), then check all rounds. */
    {
        HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok(WaitForSingleObject(never, 300) == WAIT_TIMEOUT, "wait failed\n");
        CloseHandle(never);
    }
    for (k = 0; k < KIND_COUNT; k++)
    {
        for (i = 0; i < done[k]; i++)
        {
            ok(!rounds[k][i].after_closing, "%s round %d: %ld notifications after HANDLE_CLOSING\n", kind_names[k], i,
               rounds[k][i].after_closing);
            CloseHandle(rounds[k][i].closed);
            CloseHandle(rounds[k][i].step);
        }
        trace("%s: %d rounds\n", kind_names[k], done[k]);
        ok(done[k] >= 10, "%s: only %d rounds in 60 s\n", kind_names[k], done[k]);
        free(rounds[k]);
    }
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
    free(big);
}
