/*
 * A peer that stops reading, and callbacks that block: no caller and no
 * other connection waits for them.
 *
 * - Synchronous WinHttpWebSocketSend of 64 MiB to a peer that reads nothing
 *   fails with ERROR_WINHTTP_TIMEOUT once the send timeout has passed.
 * - Asynchronous WinHttpWebSocketSend of 64 MiB returns at once; it ends
 *   with REQUEST_ERROR (send operation) when the peer resets the connection,
 *   or with WRITE_COMPLETE for the whole message once the peer reads again.
 * - WinHttpCloseHandle with such a send pending ends it (REQUEST_ERROR,
 *   cancelled or a connection error), before HANDLE_CLOSING.
 * - A callback that blocks for a second on one websocket delays neither
 *   another websocket's completions nor a deadline (an async Close's timeout).
 * - A keepalive ping due on a connection whose peer reads nothing does not
 *   delay another connection's deadline (about 16 s: the shortest keepalive
 *   interval Windows allows is 15 s).
 *
 * The server (tests/server, /noread/MS[/drain]) reads nothing for MS ms.
 * Every wait is bounded.
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

#define BIG_SEND      (64 * 1024 * 1024)
#define RETURN_MS     1000   /* "at once", with room for a loaded machine (it was 24,700 ms) */
#define OUTCOME_MS    30000  /* bound for the completion of a stalled send */

static const char *server;
static BYTE *big;

/* What an async websocket reported. */
struct outcome
{
    HINTERNET ws;
    HANDLE done;                  /* WRITE_COMPLETE or REQUEST_ERROR of the send */
    HANDLE closed;                /* HANDLE_CLOSING */
    LONG write_complete, send_errors, other_errors, after_closing;
    DWORD error, bytes, done_thread;
    LONG closing;
};

static void CALLBACK outcome_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct outcome *o = (struct outcome *)context;
    WINHTTP_WEB_SOCKET_ASYNC_RESULT *result = info;
    WINHTTP_WEB_SOCKET_STATUS *ws_status = info;

    if (!o || !o->ws || handle != o->ws) return;
    if (o->closing) InterlockedIncrement(&o->after_closing);
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        o->bytes = ws_status->dwBytesTransferred;
        o->done_thread = GetCurrentThreadId();
        InterlockedIncrement(&o->write_complete);
        SetEvent(o->done);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        if (result->Operation != WINHTTP_WEB_SOCKET_SEND_OPERATION)
        {
            InterlockedIncrement(&o->other_errors);
            break;
        }
        o->error = result->AsyncResult.dwError;
        o->done_thread = GetCurrentThreadId();
        InterlockedIncrement(&o->send_errors);
        SetEvent(o->done);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        o->closing = 1;
        SetEvent(o->closed);
        break;
    }
}

static HINTERNET open_async(struct outcome *o, const WCHAR *path, struct ws_handles *h)
{
    memset(o, 0, sizeof(*o));
    o->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    o->closed = CreateEventW(NULL, TRUE, FALSE, NULL);
    o->ws = ws_open(server, path, WS_OPEN_ASYNC, outcome_callback, (DWORD_PTR)o, h);
    if (!o->ws) ok(0, "ws_open %s failed in %s: %lu\n", wine_dbgstr_w(path), h->failed_call, h->error);
    return o->ws;
}

static void close_async(struct outcome *o, struct ws_handles *h)
{
    ok(WinHttpCloseHandle(o->ws), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(WaitForSingleObject(o->closed, 10000) == WAIT_OBJECT_0, "no HANDLE_CLOSING\n");
    ws_close_handles(h);
    ok(!o->after_closing, "%ld notifications after HANDLE_CLOSING\n", o->after_closing);
    CloseHandle(o->done);
    CloseHandle(o->closed);
}

/* Sends BIG_SEND bytes asynchronously: returns how long the call took. */
static DWORD timed_async_send(struct outcome *o)
{
    DWORD start = GetTickCount(), error;

    error = WinHttpWebSocketSend(o->ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, big, BIG_SEND);
    ok(!error, "WinHttpWebSocketSend returned %lu\n", error);
    return GetTickCount() - start;
}

static void test_sync_send_timeout(void)
{
    DWORD start, elapsed, error;
    struct ws_handles h;
    HINTERNET ws;

    ws = ws_open_ex(server, L"/noread/15000", 0, 1000, 0, NULL, 0, &h);
    if (!ws)
    {
        ok(0, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
        return;
    }
    start = GetTickCount();
    error = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, big, BIG_SEND);
    elapsed = GetTickCount() - start;
    ok(error == ERROR_WINHTTP_TIMEOUT, "sync send to a peer that reads nothing: %lu\n", error);
    ok(elapsed >= 900 && elapsed < 10000, "the 1000 ms send timeout ended the send after %lu ms\n", elapsed);
    trace("sync 64 MiB send, send timeout 1000 ms: %lu after %lu ms\n", error, elapsed);
    WinHttpCloseHandle(ws);
    ws_close_handles(&h);
}

static void test_async_send_peer_resets(void)
{
    struct ws_handles h;
    struct outcome o;
    DWORD elapsed, start;

    if (!open_async(&o, L"/noread/1500", &h)) return;
    start = GetTickCount();
    elapsed = timed_async_send(&o);
    ok(elapsed < RETURN_MS, "async 64 MiB send to a peer that reads nothing took %lu ms to return\n", elapsed);
    trace("async 64 MiB send returned after %lu ms\n", elapsed);
    ok(WaitForSingleObject(o.done, OUTCOME_MS) == WAIT_OBJECT_0, "the send never completed\n");
    ok(o.send_errors == 1 && !o.write_complete, "write_complete %ld, send errors %ld\n", o.write_complete,
       o.send_errors);
    ok(o.error == ERROR_WINHTTP_CONNECTION_ERROR || o.error == ERROR_WINHTTP_OPERATION_CANCELLED,
       "the reset peer ended the send with %lu\n", o.error);
    trace("async send ended with %lu after %lu ms\n", o.error, GetTickCount() - start);
    close_async(&o, &h);
}

static void test_async_send_peer_reads_later(void)
{
    struct ws_handles h;
    struct outcome o;
    DWORD elapsed;

    if (!open_async(&o, L"/noread/1000/drain", &h)) return;
    elapsed = timed_async_send(&o);
    ok(elapsed < RETURN_MS, "async 64 MiB send to a peer that reads later took %lu ms to return\n", elapsed);
    ok(WaitForSingleObject(o.done, OUTCOME_MS) == WAIT_OBJECT_0, "the send never completed\n");
    ok(o.write_complete == 1 && !o.send_errors, "write_complete %ld, send errors %ld (error %lu)\n",
       o.write_complete, o.send_errors, o.error);
    ok(o.bytes == BIG_SEND, "WRITE_COMPLETE for %lu bytes\n", o.bytes);
    ok(o.done_thread != GetCurrentThreadId(), "the completion ran on the calling thread\n");
    close_async(&o, &h);
}

static void test_async_send_closed(void)
{
    struct ws_handles h;
    struct outcome o;
    DWORD elapsed;

    if (!open_async(&o, L"/noread/15000", &h)) return;
    elapsed = timed_async_send(&o);
    ok(elapsed < RETURN_MS, "async send took %lu ms to return\n", elapsed);
    ok(WaitForSingleObject(o.done, 300) == WAIT_TIMEOUT, "the send to a stalled peer completed\n");
    ok(WinHttpCloseHandle(o.ws), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(WaitForSingleObject(o.closed, 10000) == WAIT_OBJECT_0, "no HANDLE_CLOSING\n");
    ok(o.send_errors == 1 && !o.write_complete, "write_complete %ld, send errors %ld\n", o.write_complete,
       o.send_errors);
    ok(o.error == ERROR_WINHTTP_OPERATION_CANCELLED, "the closed handle ended the send with %lu\n", o.error);
    ok(!o.after_closing, "%ld notifications after HANDLE_CLOSING\n", o.after_closing);
    ws_close_handles(&h);
    CloseHandle(o.done);
    CloseHandle(o.closed);
}

/* A callback that blocks ------------------------------------------------------ */

/* Records how an async Close ended (struct outcome: error, done). */
static void CALLBACK close_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct outcome *o = (struct outcome *)context;
    WINHTTP_WEB_SOCKET_ASYNC_RESULT *result = info;

    if (!o || handle != o->ws) return;
    if (status == WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE) SetEvent(o->done);
    else if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && result->Operation == WINHTTP_WEB_SOCKET_CLOSE_OPERATION)
    {
        o->error = result->AsyncResult.dwError;
        SetEvent(o->done);
    }
}

struct echo
{
    HINTERNET ws;
    HANDLE read_done;
    BOOL block;                   /* READ_COMPLETE sleeps BLOCK_MS */
    volatile LONG reads;
    HANDLE blocking;              /* set when the blocking callback started */
    BYTE buf[64];
};

#define BLOCK_MS 1000

static void CALLBACK echo_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct echo *e = (struct echo *)context;

    if (!e || handle != e->ws || status != WINHTTP_CALLBACK_STATUS_READ_COMPLETE) return;
    InterlockedIncrement(&e->reads);
    if (e->block)
    {
        SetEvent(e->blocking);
        Sleep(BLOCK_MS);  /* the program's callback is slow: what it delays is the point */
    }
    SetEvent(e->read_done);
}

static void test_blocked_callback(void)
{
    struct echo a = { 0 }, b = { 0 };
    struct ws_handles ha, hb, hc;
    struct outcome c = { 0 };
    DWORD start, error, elapsed, slowest = 0, i, timeout = 300;

    a.block = TRUE;
    a.read_done = CreateEventW(NULL, FALSE, FALSE, NULL);
    a.blocking = CreateEventW(NULL, FALSE, FALSE, NULL);
    b.read_done = CreateEventW(NULL, FALSE, FALSE, NULL);
    a.ws = ws_open(server, L"/echo", WS_OPEN_ASYNC, echo_callback, (DWORD_PTR)&a, &ha);
    b.ws = ws_open(server, L"/echo", WS_OPEN_ASYNC, echo_callback, (DWORD_PTR)&b, &hb);
    if (!a.ws || !b.ws)
    {
        ok(0, "ws_open failed: %s %lu, %s %lu\n", ha.failed_call, ha.error, hb.failed_call, hb.error);
        return;
    }

    /* a's READ_COMPLETE blocks a thread for a second */
    ok(!WinHttpWebSocketReceive(a.ws, a.buf, sizeof(a.buf), NULL, NULL), "receive a failed\n");
    ok(!WinHttpWebSocketSend(a.ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"a", 1), "send a failed\n");
    ok(WaitForSingleObject(a.blocking, 10000) == WAIT_OBJECT_0, "a's callback never ran\n");

    /* meanwhile b's round trips complete at their own pace */
    start = GetTickCount();
    for (i = 0; i < 5; i++)
    {
        DWORD t0 = GetTickCount(), took;
        ok(!WinHttpWebSocketReceive(b.ws, b.buf, sizeof(b.buf), NULL, NULL), "receive b failed\n");
        ok(!WinHttpWebSocketSend(b.ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"b", 1), "send b failed\n");
        ok(WaitForSingleObject(b.read_done, 10000) == WAIT_OBJECT_0, "b's echo never came\n");
        took = GetTickCount() - t0;
        if (took > slowest) slowest = took;
    }
    ok(slowest < BLOCK_MS / 2, "b's round trip took %lu ms beside a blocked callback\n", slowest);
    ok(GetTickCount() - start < BLOCK_MS, "b's 5 round trips took %lu ms\n", GetTickCount() - start);

    /* and a deadline fires on time: an async Close's 300 ms wait for a peer that never answers */
    ok(!WinHttpWebSocketReceive(a.ws, a.buf, sizeof(a.buf), NULL, NULL), "receive a failed\n");
    ok(!WinHttpWebSocketSend(a.ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"a", 1), "send a failed\n");
    ok(WaitForSingleObject(a.blocking, 10000) == WAIT_OBJECT_0, "a's callback never ran again\n");
    c.done = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.ws = ws_open(server, L"/stall", WS_OPEN_ASYNC, close_callback, (DWORD_PTR)&c, &hc);
    ok(c.ws != NULL, "ws_open /stall failed in %s: %lu\n", hc.failed_call, hc.error);
    if (c.ws)
    {
        ok(WinHttpSetOption(c.ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &timeout, sizeof(timeout)),
           "setting the close timeout failed: %lu\n", GetLastError());
        start = GetTickCount();
        error = WinHttpWebSocketClose(c.ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
        ok(!error, "WinHttpWebSocketClose returned %lu\n", error);
        ok(WaitForSingleObject(c.done, 10000) == WAIT_OBJECT_0, "the close never completed\n");
        elapsed = GetTickCount() - start;
        ok(c.error == ERROR_WINHTTP_TIMEOUT, "close of a silent peer ended with %lu\n", c.error);
        ok(elapsed < BLOCK_MS, "the 300 ms close timeout fired after %lu ms beside a blocked callback\n", elapsed);
        WinHttpCloseHandle(c.ws);
        ws_close_handles(&hc);
    }
    CloseHandle(c.done);

    ok(WaitForSingleObject(a.read_done, 10000) == WAIT_OBJECT_0, "a's callback never returned\n");
    WinHttpCloseHandle(a.ws);
    WinHttpCloseHandle(b.ws);
    ws_close_handles(&ha);
    ws_close_handles(&hb);
}

/* Keepalive to a stalled peer ---------------------------------------------------- */

/* k's peer reads nothing and k's send is stuck behind full TCP buffers;
 * a Receive is pending, so k's keepalive ping falls due after 15 s with the
 * wire still busy.  c's async Close to a silent peer has a 15.5 s timeout:
 * its deadline comes 500 ms after k's ping and must not wait for it. */
static void test_keepalive_to_stalled_peer(void)
{
    DWORD keepalive = WINHTTP_WEB_SOCKET_MIN_KEEPALIVE_VALUE, close_timeout = keepalive + 500, start, elapsed;
    struct ws_handles hk, hc;
    struct outcome k, c = { 0 };
    BYTE buf[16];

    if (!open_async(&k, L"/noread/60000", &hk)) return;
    ok(WinHttpSetOption(k.ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &keepalive, sizeof(keepalive)),
       "setting the keepalive interval failed: %lu\n", GetLastError());
    ok(timed_async_send(&k) < RETURN_MS, "the async send did not return at once\n");
    ok(!WinHttpWebSocketReceive(k.ws, buf, sizeof(buf), NULL, NULL), "receive failed\n");

    c.done = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.ws = ws_open(server, L"/stall", WS_OPEN_ASYNC, close_callback, (DWORD_PTR)&c, &hc);
    ok(c.ws != NULL, "ws_open /stall failed in %s: %lu\n", hc.failed_call, hc.error);
    if (c.ws)
    {
        ok(WinHttpSetOption(c.ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &close_timeout, sizeof(close_timeout)),
           "setting the close timeout failed: %lu\n", GetLastError());
        start = GetTickCount();
        ok(!WinHttpWebSocketClose(c.ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0), "close failed\n");
        ok(WaitForSingleObject(c.done, close_timeout + 10000) == WAIT_OBJECT_0, "the close never completed\n");
        elapsed = GetTickCount() - start;
        ok(c.error == ERROR_WINHTTP_TIMEOUT, "close of a silent peer ended with %lu\n", c.error);
        ok(elapsed >= close_timeout - 100 && elapsed < close_timeout + 1500,
           "the %lu ms close timeout fired after %lu ms, beside a keepalive ping to a stalled peer\n",
           close_timeout, elapsed);
        WinHttpCloseHandle(c.ws);
        ws_close_handles(&hc);
    }
    CloseHandle(c.done);
    ok(WaitForSingleObject(k.done, 0) == WAIT_TIMEOUT, "the stalled send completed\n");
    close_async(&k, &hk);
    ok(k.send_errors == 1 && k.error == ERROR_WINHTTP_OPERATION_CANCELLED, "send errors %ld, error %lu\n",
       k.send_errors, k.error);
}

START_TEST(websocket_stall)
{
    server = ws_server_env("WSTEST_SERVER");
    if (!server)
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    if (!(big = malloc(BIG_SEND)))
    {
        skip("no memory for a 64 MiB message\n");
        return;
    }
    memset(big, 'x', BIG_SEND);
    test_sync_send_timeout();
    test_async_send_peer_resets();
    test_async_send_peer_reads_later();
    test_async_send_closed();
    test_blocked_callback();
    test_keepalive_to_stalled_peer();
    free(big);
}
