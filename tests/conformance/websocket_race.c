/*
 * WinHttpCloseHandle racing a completion: an async websocket with a Receive
 * pending gets an echo while the program closes the handle.  Whatever wins,
 * the receive completes exactly once (READ_COMPLETE, or REQUEST_ERROR with
 * ERROR_WINHTTP_OPERATION_CANCELLED), HANDLE_CLOSING is the last
 * notification, and nothing arrives after it.  Bounded: 300 rounds or 60 s.
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

#define ROUNDS 300

struct round
{
    HINTERNET ws;
    HANDLE closed;
    LONG read_complete, cancelled, other_errors, write_complete;
    LONG closing_seen, after_closing;
    BYTE buf[64];
};

static void CALLBACK race_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct round *r = (struct round *)context;
    WINHTTP_WEB_SOCKET_ASYNC_RESULT *result;

    if (!r || !r->ws || handle != r->ws) return;
    if (r->closing_seen) InterlockedIncrement(&r->after_closing);
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        InterlockedIncrement(&r->read_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        InterlockedIncrement(&r->write_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        result = info;
        if (result->AsyncResult.dwError == ERROR_WINHTTP_OPERATION_CANCELLED
            && result->Operation == WINHTTP_WEB_SOCKET_RECEIVE_OPERATION)
            InterlockedIncrement(&r->cancelled);
        else InterlockedIncrement(&r->other_errors);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        r->closing_seen = 1;
        SetEvent(r->closed);
        break;
    }
}

START_TEST(websocket_race)
{
    const char *server = ws_server_env("WSTEST_SERVER");
    struct round *rounds;
    struct ws_handles h;
    DWORD start = GetTickCount(), err;
    volatile unsigned int spin;
    int i, done = 0, read_won = 0;

    if (!server)
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    rounds = calloc(ROUNDS, sizeof(*rounds));
    for (i = 0; i < ROUNDS && GetTickCount() - start < 60000; i++)
    {
        struct round *r = &rounds[i];
        HINTERNET ws;

        r->closed = CreateEventW(NULL, TRUE, FALSE, NULL);
        ws = ws_open(server, L"/echo", WS_OPEN_ASYNC, race_callback, (DWORD_PTR)r, &h);
        ok(ws != NULL, "round %d: ws_open failed in %s: %lu\n", i, h.failed_call, h.error);
        if (!ws) break;
        r->ws = ws;
        err = WinHttpWebSocketReceive(ws, r->buf, sizeof(r->buf), NULL, NULL);
        ok(!err, "round %d: Receive failed: %lu\n", i, err);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"race", 4);
        ok(!err, "round %d: Send failed: %lu\n", i, err);
        /* vary who wins: close at once, or after the echo may have arrived */
        for (spin = 0; spin < (unsigned int)(i % 8) * (i % 8) * 150000; spin++) {}
        ok(WinHttpCloseHandle(ws), "round %d: CloseHandle failed: %lu\n", i, GetLastError());
        ok(!WaitForSingleObject(r->closed, 10000), "round %d: no HANDLE_CLOSING\n", i);
        ok(r->read_complete + r->cancelled == 1, "round %d: receive completed %ld + %ld times\n", i,
           r->read_complete, r->cancelled);
        ok(!r->other_errors, "round %d: %ld other errors\n", i, r->other_errors);
        ok(r->write_complete == 1, "round %d: %ld WRITE_COMPLETE\n", i, r->write_complete);
        read_won += r->read_complete;
        ws_close_handles(&h);
        done++;
    }
    /* Late notifications would land after their HANDLE_CLOSING: give them a
     * bounded chance to show up (an event nobody sets), then check all rounds. */
    {
        HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
        ok(WaitForSingleObject(never, 300) == WAIT_TIMEOUT, "wait failed\n");
        CloseHandle(never);
    }
    for (i = 0; i < done; i++)
        ok(!rounds[i].after_closing, "round %d: %ld notifications after HANDLE_CLOSING\n", i, rounds[i].after_closing);
    trace("%d rounds, the echo won %d times, the close %d times\n", done, read_won, done - read_won);
    ok(done >= 50, "only %d rounds in 60 s\n", done);
    for (i = 0; i < done; i++) CloseHandle(rounds[i].closed);
    free(rounds);
}
