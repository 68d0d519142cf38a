/*
 * WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL: an idle websocket pings its
 * peer after one interval; if a whole interval more passes without a byte
 * (not even the pong), the pending receive fails with ERROR_WINHTTP_TIMEOUT
 * (our decision, see docs/DECISIONS.md).  A peer that answers pings keeps
 * the connection up, and its receive buffer is let go while it idles: the
 * pong is not data.  The minimum interval is 15 s, so the five scenarios run
 * side by side: about 35 s in all.
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

#define INTERVAL 15000

static const char *server;

static void set_keepalive(HINTERNET ws)
{
    DWORD value = INTERVAL;
    ok(WinHttpSetOption(ws, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, sizeof(value)),
       "setting the keepalive interval failed: %lu\n", GetLastError());
}

/* Sync, /frames: the server describes every frame we send; idle, we ping. */
static DWORD WINAPI ping_sent_thread(void *arg)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    struct ws_handles h;
    char buf[128] = {0};
    DWORD err, len, start;
    HINTERNET ws = ws_open(server, L"/frames", 0, NULL, 0, &h);

    ok(ws != NULL, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
    if (!ws) return 0;
    set_keepalive(ws);
    start = GetTickCount();
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf) - 1, &len, &type);
    ok(!err, "Receive failed: %lu\n", err);
    ok(!strcmp(buf, "fin=1 rsv=0 op=9 mask=1 len=4"), "server saw %s\n", buf);
    ok(GetTickCount() - start >= INTERVAL - 1000, "pinged after %lu ms\n", GetTickCount() - start);
    WinHttpWebSocketClose(ws, 1000, NULL, 0);
    WinHttpCloseHandle(ws);
    ws_close_handles(&h);
    return 0;
}

/* Sync, /stall: the server never answers: two intervals, then the timeout. */
static DWORD WINAPI dead_peer_sync_thread(void *arg)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    struct ws_handles h;
    BYTE buf[16];
    DWORD err, len, start, elapsed;
    HINTERNET ws = ws_open(server, L"/stall", 0, NULL, 0, &h);

    ok(ws != NULL, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
    if (!ws) return 0;
    set_keepalive(ws);
    start = GetTickCount();
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
    elapsed = GetTickCount() - start;
    ok(err == ERROR_WINHTTP_TIMEOUT, "sync: got %lu\n", err);
    ok(elapsed >= 2 * INTERVAL - 1000 && elapsed < 3 * INTERVAL, "sync: gave up after %lu ms\n", elapsed);
    WinHttpCloseHandle(ws);
    ws_close_handles(&h);
    return 0;
}

struct async_wait
{
    HANDLE done;
    DWORD status, error, operation, bytes;
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_wait *w = (struct async_wait *)context;

    if (!w) return;
    if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
    {
        w->bytes = ((WINHTTP_WEB_SOCKET_STATUS *)info)->dwBytesTransferred;
        w->status = status;
        SetEvent(w->done);
    }
    else if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
    {
        w->error = ((WINHTTP_WEB_SOCKET_ASYNC_RESULT *)info)->AsyncResult.dwError;
        w->operation = ((WINHTTP_WEB_SOCKET_ASYNC_RESULT *)info)->Operation;
        w->status = status;
        SetEvent(w->done);
    }
}

/* Async, /stall: the pending receive fails with ERROR_WINHTTP_TIMEOUT. */
static DWORD WINAPI dead_peer_async_thread(void *arg)
{
    struct async_wait w = {0};
    struct ws_handles h;
    BYTE buf[16];
    DWORD err, start, elapsed;
    HINTERNET ws;

    w.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    ws = ws_open(server, L"/stall", WS_OPEN_ASYNC, async_callback, (DWORD_PTR)&w, &h);
    ok(ws != NULL, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
    if (!ws) return 0;
    set_keepalive(ws);
    start = GetTickCount();
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL);
    ok(!err, "async: Receive failed: %lu\n", err);
    ok(!WaitForSingleObject(w.done, 3 * INTERVAL), "async: the receive never completed\n");
    elapsed = GetTickCount() - start;
    ok(w.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && w.error == ERROR_WINHTTP_TIMEOUT
       && w.operation == WINHTTP_WEB_SOCKET_RECEIVE_OPERATION, "async: status %#lx error %lu operation %lu\n",
       w.status, w.error, w.operation);
    ok(elapsed >= 2 * INTERVAL - 1000, "async: gave up after %lu ms\n", elapsed);
    WinHttpCloseHandle(ws);
    ws_close_handles(&h);
    CloseHandle(w.done);
    return 0;
}

/* An async websocket to /echo with the keepalive set, its callback filling
 * w; receive_buffer_size 0: the default.  NULL (reported) on failure. */
static HINTERNET open_echo_async(struct async_wait *w, DWORD receive_buffer_size, struct ws_handles *h)
{
    HINTERNET ws;

    w->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    ws = ws_open_ex(server, L"/echo", WS_OPEN_ASYNC, 0, receive_buffer_size, async_callback, (DWORD_PTR)w, h);
    ok(ws != NULL, "ws_open failed in %s: %lu\n", h->failed_call, h->error);
    if (ws) set_keepalive(ws);
    return ws;
}

/* The connection still works (the receive pending into buf gets "alive"
 * back); then everything is closed. */
static void check_alive_and_close(HINTERNET ws, struct async_wait *w, const BYTE *buf, struct ws_handles *h,
                                  const char *who)
{
    DWORD err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"alive", 5);

    ok(!err, "%s: Send failed: %lu\n", who, err);
    ok(!WaitForSingleObject(w->done, 10000), "%s: no echo\n", who);
    ok(w->status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && w->bytes == 5 && !memcmp(buf, "alive", 5),
       "%s: status %#lx bytes %lu\n", who, w->status, w->bytes);
    WinHttpCloseHandle(ws);
    ws_close_handles(h);
    CloseHandle(w->done);
}

/* Async, /echo: the server answers our pings, so an idle receive stays
 * pending past two intervals, and still gets the next message. */
static DWORD WINAPI live_peer_async_thread(void *arg)
{
    struct async_wait w = {0};
    struct ws_handles h;
    BYTE buf[16];
    DWORD err;
    HINTERNET ws;

    if (!(ws = open_echo_async(&w, 0, &h))) return 0;
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL);
    ok(!err, "live: Receive failed: %lu\n", err);
    /* nothing may complete the receive while the peer answers pings */
    ok(WaitForSingleObject(w.done, 2 * INTERVAL + 3000) == WAIT_TIMEOUT, "live: status %#lx error %lu\n",
       w.status, w.error);
    check_alive_and_close(ws, &w, buf, &h, "live");
    return 0;
}

/* Busy blocks of exactly size bytes in the process heap (the DLL's heap). */
static unsigned int heap_blocks_of(SIZE_T size)
{
    PROCESS_HEAP_ENTRY entry;
    HANDLE heap = GetProcessHeap();
    unsigned int count = 0;

    memset(&entry, 0, sizeof(entry));
    if (!HeapLock(heap)) return ~0u;
    while (HeapWalk(heap, &entry))
        if ((entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) && entry.cbData == size) count++;
    HeapUnlock(heap);
    return count;
}

/* Async, /echo, a receive buffer of a size nothing else allocates: right
 * after a message the next receive reads into that buffer (more is likely
 * to come); once the connection has idled through a keepalive ping, the
 * receive waits for data without it -- the pong that came back is a control
 * frame, not data, so 10,000 idle websockets do not keep 10,000 buffers. */
#define ODD_BUFFER_SIZE 45679
static DWORD WINAPI idle_buffer_thread(void *arg)
{
    struct async_wait w = {0};
    struct ws_handles h;
    BYTE buf[16];
    DWORD err;
    HINTERNET ws;

    if (!(ws = open_echo_async(&w, ODD_BUFFER_SIZE, &h))) return 0;
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL);
    ok(!err, "idle: Receive failed: %lu\n", err);
    err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"busy", 4);
    ok(!err, "idle: Send failed: %lu\n", err);
    ok(!WaitForSingleObject(w.done, 10000) && w.status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && w.bytes == 4,
       "idle: no echo: status %#lx bytes %lu\n", w.status, w.bytes);
    err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL);
    ok(!err, "idle: Receive failed: %lu\n", err);
    ok(heap_blocks_of(ODD_BUFFER_SIZE) == 1, "idle: right after a message: %u receive buffers\n",
       heap_blocks_of(ODD_BUFFER_SIZE));
    /* pinged after an interval, the pong back at once; the receive goes on */
    ok(WaitForSingleObject(w.done, INTERVAL + 10000) == WAIT_TIMEOUT, "idle: status %#lx error %lu\n",
       w.status, w.error);
    ok(heap_blocks_of(ODD_BUFFER_SIZE) == 0, "idle: after a keepalive ping: %u receive buffers\n",
       heap_blocks_of(ODD_BUFFER_SIZE));
    check_alive_and_close(ws, &w, buf, &h, "idle");
    return 0;
}

START_TEST(keepalive)
{
    LPTHREAD_START_ROUTINE scenarios[] = { ping_sent_thread, dead_peer_sync_thread, dead_peer_async_thread,
                                           live_peer_async_thread, idle_buffer_thread };
    HANDLE threads[ARRAY_SIZE(scenarios)];
    unsigned int i;

    if (!(server = ws_server_env("WSTEST_SERVER")))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    for (i = 0; i < ARRAY_SIZE(scenarios); i++) threads[i] = CreateThread(NULL, 0, scenarios[i], NULL, 0, NULL);
    ok(!WaitForMultipleObjects(ARRAY_SIZE(threads), threads, TRUE, 120000), "scenarios did not finish\n");
    for (i = 0; i < ARRAY_SIZE(threads); i++) CloseHandle(threads[i]);
}
