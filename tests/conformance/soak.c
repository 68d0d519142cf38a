/*
 * Soak: connect / send / receive / close cycles against wsserver /echo,
 * synchronous and asynchronous in turn, with a failing cycle now and then
 * (a protocol violation by the server, a 404 instead of the 101).  Process
 * memory (private bytes, working set) and the handle count are taken after
 * a warm-up and at the end; they must stay flat:
 *
 *   handles:        at most SOAK_HANDLE_SLACK more
 *   private bytes:  at most SOAK_MEM_SLACK + SOAK_MEM_PER_CYCLE * cycles more
 *
 * WSTEST_SOAK_CYCLES sets the number of cycles (default 1000, a few seconds;
 * make check-full runs 100000); WSTEST_SOAK_MODE=sync or async runs only
 * that kind of handle.  One progress line every tenth of the run.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <psapi.h>
#include <stdio.h>

#include "wine/test.h"
#include "process_stats.h"

#define SOAK_DEFAULT_CYCLES 1000
#define SOAK_WARMUP         40
#define SOAK_HANDLE_SLACK   8
#define SOAK_MEM_SLACK      (2 * 1024 * 1024)
#define SOAK_MEM_PER_CYCLE  32
#define WAIT_MS             10000

static WCHAR server_host[64];
static int soak_mode = -1;   /* -1 both in turn, 0 sync only, 1 async only (WSTEST_SOAK_MODE) */
static INTERNET_PORT server_port;

/* Asynchronous completions of one connection. */
struct async_state
{
    HANDLE event;            /* auto-reset: one completion */
    HANDLE closing;          /* manual: HANDLE_CLOSING of the websocket and the request */
    HINTERNET volatile ws, request;
    volatile LONG closings;
    volatile DWORD status, error, bytes;
    volatile WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
};

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_state *a = (struct async_state *)context;

    if (!a) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (handle != a->ws) return;
        a->bytes = ((WINHTTP_WEB_SOCKET_STATUS *)info)->dwBytesTransferred;
        a->type = ((WINHTTP_WEB_SOCKET_STATUS *)info)->eBufferType;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        a->error = 0;
        a->status = status;
        SetEvent(a->event);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        a->error = handle == a->ws ? ((WINHTTP_WEB_SOCKET_ASYNC_RESULT *)info)->AsyncResult.dwError
                                   : ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        if (!a->error) a->error = ERROR_GEN_FAILURE;
        a->status = status;
        SetEvent(a->event);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        if ((handle == a->ws || handle == a->request) && InterlockedIncrement(&a->closings) == 2) SetEvent(a->closing);
        break;
    }
}

/* Waits for the next completion; its error (ERROR_TIMEOUT if none came). */
static DWORD wait_completion(struct async_state *a)
{
    if (WaitForSingleObject(a->event, WAIT_MS)) return ERROR_TIMEOUT;
    return a->error;
}

struct conn
{
    HINTERNET session, connect, request, ws;
    struct async_state *a;
};

/* Returns the websocket or NULL; the error in *error. */
static HINTERNET conn_open(struct conn *c, const WCHAR *path, BOOL async, DWORD *error)
{
    memset(c, 0, sizeof(*c));
    *error = 0;
    if (async)
    {
        c->a = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*c->a));
        c->a->event = CreateEventW(NULL, FALSE, FALSE, NULL);
        c->a->closing = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    if (!(c->session = WinHttpOpen(L"winhttp-ws soak", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, async ? WINHTTP_FLAG_ASYNC : 0)))
        goto fail;
    if (async) WinHttpSetStatusCallback(c->session, callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    if (!(c->connect = WinHttpConnect(c->session, server_host, server_port, 0))) goto fail;
    if (!(c->request = WinHttpOpenRequest(c->connect, L"GET", path, NULL, NULL, NULL, 0))) goto fail;
    if (async) c->a->request = c->request;
    if (!WinHttpSetOption(c->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0)) goto fail;
    if (!WinHttpSendRequest(c->request, NULL, 0, NULL, 0, 0, (DWORD_PTR)c->a)) goto fail;
    if (async && (*error = wait_completion(c->a))) return NULL;
    if (!WinHttpReceiveResponse(c->request, NULL)) goto fail;
    if (async && (*error = wait_completion(c->a))) return NULL;
    if (!(c->ws = WinHttpWebSocketCompleteUpgrade(c->request, (DWORD_PTR)c->a))) goto fail;
    if (async) c->a->ws = c->ws;
    return c->ws;
fail:
    *error = GetLastError();
    return NULL;
}

/* FALSE if an async context could not be freed (HANDLE_CLOSING missing). */
static BOOL conn_close(struct conn *c)
{
    BOOL done = TRUE;

    if (c->ws) WinHttpCloseHandle(c->ws);
    if (c->request) WinHttpCloseHandle(c->request);
    if (c->a)
    {
        if (!c->ws) InterlockedIncrement(&c->a->closings);
        if (!c->request) InterlockedIncrement(&c->a->closings);
        if (c->a->closings < 2 && WaitForSingleObject(c->a->closing, WAIT_MS)) done = FALSE;
    }
    if (c->connect) WinHttpCloseHandle(c->connect);
    if (c->session) WinHttpCloseHandle(c->session);
    if (c->a && done)
    {
        CloseHandle(c->a->event);
        CloseHandle(c->a->closing);
        HeapFree(GetProcessHeap(), 0, c->a);
    }
    return done;
}

static DWORD ws_send(struct conn *c, WINHTTP_WEB_SOCKET_BUFFER_TYPE type, void *buf, DWORD len)
{
    DWORD err = WinHttpWebSocketSend(c->ws, type, buf, len);
    return err || !c->a ? err : wait_completion(c->a);
}

static DWORD ws_receive(struct conn *c, void *buf, DWORD size, DWORD *len, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    DWORD err = WinHttpWebSocketReceive(c->ws, buf, size, len, type);
    if (err || !c->a) return err;
    if ((err = wait_completion(c->a))) return err;
    *len = c->a->bytes;
    *type = c->a->type;
    return 0;
}

static DWORD ws_close(struct conn *c)
{
    DWORD err = WinHttpWebSocketClose(c->ws, 1000, (void *)"soak", 4);
    return err || !c->a ? err : wait_completion(c->a);
}

/* One cycle; returns FALSE (after an ok() failure) if anything went wrong. */
static BOOL cycle(unsigned n, BYTE *out, BYTE *in)
{
    BOOL async = soak_mode >= 0 ? soak_mode : (int)(n % 2), good = TRUE;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type, want;
    DWORD err, len, got, size;
    struct conn c;
    USHORT status;

    if (n % 25 == 24)
    {
        /* a 404 instead of the 101 */
        ok(!conn_open(&c, L"/handshake/status-404", async, &err), "cycle %u: upgrade on a 404 succeeded\n", n);
        good = err == ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        ok(good, "cycle %u: 404: %lu\n", n, err);
        ok(conn_close(&c), "cycle %u: no HANDLE_CLOSING\n", n);
        return good;
    }
    if (n % 10 == 9)
    {
        /* a server frame with RSV1 set */
        if (!conn_open(&c, L"/send/c20161", async, &err))
        {
            ok(0, "cycle %u: open failed: %lu\n", n, err);
            conn_close(&c);
            return FALSE;
        }
        err = ws_receive(&c, in, 64, &len, &type);
        good = err == ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        ok(good, "cycle %u: Receive after a bad frame: %lu\n", n, err);
        ok(conn_close(&c), "cycle %u: no HANDLE_CLOSING\n", n);
        return good;
    }

    if (!conn_open(&c, L"/echo", async, &err))
    {
        ok(0, "cycle %u: open failed: %lu\n", n, err);
        conn_close(&c);
        return FALSE;
    }
    size = (n * 7919) % 70000;
    want = n % 3 ? WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE : WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE;
    memset(out, 'a' + n % 26, size);
    if ((err = ws_send(&c, want, size ? out : NULL, size)))
    {
        ok(0, "cycle %u: Send of %lu bytes: %lu\n", n, size, err);
        good = FALSE;
    }
    for (got = 0; good;)
    {
        if ((err = ws_receive(&c, in + got, 70000 - got, &len, &type)))
        {
            ok(0, "cycle %u: Receive: %lu\n", n, err);
            good = FALSE;
            break;
        }
        got += len;
        if (type == want) break;
        if (type != (want == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE ? WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE
                                                                         : WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE) || got >= 70000)
        {
            ok(0, "cycle %u: type %d after %lu bytes\n", n, type, got);
            good = FALSE;
        }
    }
    if (good && (got != size || memcmp(in, out, size)))
    {
        ok(0, "cycle %u: echo of %lu bytes came back as %lu bytes or different\n", n, size, got);
        good = FALSE;
    }
    if (good && (err = ws_close(&c)))
    {
        ok(0, "cycle %u: Close: %lu\n", n, err);
        good = FALSE;
    }
    if (good)
    {
        err = WinHttpWebSocketQueryCloseStatus(c.ws, &status, in, 64, &len);
        good = !err && status == 1000 && len == 4;
        ok(good, "cycle %u: QueryCloseStatus: %lu status %u len %lu\n", n, err, status, len);
    }
    ok(conn_close(&c), "cycle %u: no HANDLE_CLOSING\n", n);
    return good;
}

START_TEST(soak)
{
    SIZE_T priv0, ws0, priv1, ws1, priv, wset;
    DWORD handles0, handles1, start, elapsed;
    unsigned cycles = SOAK_DEFAULT_CYCLES, n, failed = 0;
    char value[128], *colon;
    BYTE *out, *in;
    DWORD len;

    len = GetEnvironmentVariableA("WSTEST_SERVER", value, sizeof(value));
    if (!len || len >= sizeof(value) || !(colon = strrchr(value, ':')))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    *colon = 0;
    server_port = (INTERNET_PORT)atoi(colon + 1);
    MultiByteToWideChar(CP_UTF8, 0, value, -1, server_host, ARRAY_SIZE(server_host));
    if (GetEnvironmentVariableA("WSTEST_SOAK_CYCLES", value, sizeof(value)) && atoi(value) > 0)
        cycles = (unsigned)atoi(value);

    if (GetEnvironmentVariableA("WSTEST_SOAK_MODE", value, sizeof(value)))
        soak_mode = !strcmp(value, "sync") ? 0 : !strcmp(value, "async") ? 1 : -1;

    out = HeapAlloc(GetProcessHeap(), 0, 70000);
    in = HeapAlloc(GetProcessHeap(), 0, 70000);

    for (n = 0; n < SOAK_WARMUP; n++) if (!cycle(n, out, in)) failed++;
    process_memory(&priv0, &ws0);
    handles0 = process_handle_count();
    trace("soak: after %u warm-up cycles: private %Iu KiB, working set %Iu KiB, handles %lu\n",
          SOAK_WARMUP, priv0 / 1024, ws0 / 1024, handles0);

    start = GetTickCount();
    for (n = 0; n < cycles; n++)
    {
        if (!cycle(SOAK_WARMUP + n, out, in) && ++failed > 20)
        {
            ok(0, "giving up after %u failed cycles\n", failed);
            break;
        }
        if (cycles >= 10 && (n + 1) % (cycles / 10) == 0)
        {
            process_memory(&priv, &wset);
            trace("soak: cycle %u/%u: private %+Id KiB, working set %+Id KiB, handles %+ld\n", n + 1, cycles,
                  ((LONG_PTR)priv - (LONG_PTR)priv0) / 1024, ((LONG_PTR)wset - (LONG_PTR)ws0) / 1024,
                  (long)process_handle_count() - (long)handles0);
        }
    }
    elapsed = GetTickCount() - start;
    process_memory(&priv1, &ws1);
    handles1 = process_handle_count();
    trace("soak: %u cycles in %lu ms (%u failed): private %Iu -> %Iu KiB (%+Id), working set %Iu -> %Iu KiB (%+Id), "
          "handles %lu -> %lu (%+ld)\n", n, elapsed, failed, priv0 / 1024, priv1 / 1024,
          ((LONG_PTR)priv1 - (LONG_PTR)priv0) / 1024, ws0 / 1024, ws1 / 1024, ((LONG_PTR)ws1 - (LONG_PTR)ws0) / 1024,
          handles0, handles1, (long)handles1 - (long)handles0);
    ok(!failed, "%u cycles failed\n", failed);
    ok((long)handles1 - (long)handles0 <= SOAK_HANDLE_SLACK, "handle count grew from %lu to %lu\n", handles0, handles1);
    ok((LONG_PTR)priv1 - (LONG_PTR)priv0 <= (LONG_PTR)(SOAK_MEM_SLACK + (SIZE_T)SOAK_MEM_PER_CYCLE * n),
       "private bytes grew by %Id KiB over %u cycles (allowed %Iu KiB)\n", ((LONG_PTR)priv1 - (LONG_PTR)priv0) / 1024, n,
       (SIZE_T)(SOAK_MEM_SLACK + (SIZE_T)SOAK_MEM_PER_CYCLE * n) / 1024);
    HeapFree(GetProcessHeap(), 0, out);
    HeapFree(GetProcessHeap(), 0, in);
}
