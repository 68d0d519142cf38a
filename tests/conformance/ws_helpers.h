/*
 * Helpers for the WebSocket conformance tests: open a websocket on one of
 * the test servers (tests/server/README.md), synchronously or on an
 * asynchronous session.
 *
 *   struct ws_handles h;
 *   HINTERNET ws = ws_open(ws_server_env("WSTEST_SERVER"), L"/echo", WS_OPEN_ASYNC,
 *                          my_callback, (DWORD_PTR)my_context, &h);
 *   if (!ws) ok(0, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
 *   ...
 *   WinHttpCloseHandle(ws);
 *   ws_close_handles(&h);
 *
 * Asynchronous opens drive the upgrade with a callback of their own and wait
 * for each step with a bounded WaitForSingleObject; just before
 * WinHttpWebSocketCompleteUpgrade the session, connection and request handles
 * are switched to the caller's callback (all notifications) and the request's
 * context value to the caller's context, so the caller sees HANDLE_CREATED of
 * the websocket and everything after it.  With a NULL callback no callback is
 * left installed.
 *
 * The functions report nothing through the winetest API: they return NULL and
 * say which call failed, so callers can test failures too.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WS_HELPERS_H
#define WS_HELPERS_H

#include <windows.h>
#include <winhttp.h>
#include <stdlib.h>
#include <string.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define WS_OPEN_ASYNC        0x0001  /* session opened with WINHTTP_FLAG_ASYNC */
#define WS_OPEN_KEEP_REQUEST 0x0002  /* leave the request handle open (default: closed after the upgrade) */
#define WS_OPEN_SECURE       0x0004  /* wss: WINHTTP_FLAG_SECURE, certificate errors ignored */

#define WS_OPEN_TIMEOUT 10000        /* ms for each asynchronous step of the upgrade */

struct ws_handles
{
    HINTERNET session, connect, request;
    DWORD error;               /* why ws_open failed (Win32 / WinHTTP error code) */
    const char *failed_call;   /* which step failed, NULL on success */
    DWORD status_code;         /* HTTP status of the upgrade response, 0 if none */
};

/* The value of an environment variable naming a server ("host:port"), or NULL
 * when it is unset or empty.  The result lives in one of four rotating static
 * buffers: copy it if it must outlive three more calls. */
static inline const char *ws_server_env(const char *var)
{
    static char value[4][128];
    static LONG next;
    char *buf = value[(InterlockedIncrement(&next) & 3)];
    DWORD len = GetEnvironmentVariableA(var, buf, sizeof(value[0]));

    if (!len || len >= sizeof(value[0])) return NULL;
    return buf;
}

/* Splits "host:port" or "[v6addr]:port" into a wide host name (brackets
 * removed) and a port. */
static inline BOOL ws_parse_server(const char *server, WCHAR *host, DWORD host_len, INTERNET_PORT *port)
{
    const char *colon, *start = server, *end;
    char tmp[128];
    size_t n;

    if (!server || !(colon = strrchr(server, ':'))) return FALSE;
    end = colon;
    if (*start == '[')
    {
        start++;
        if (end == start || end[-1] != ']') return FALSE;
        end--;
    }
    n = (size_t)(end - start);
    if (!n || n >= sizeof(tmp)) return FALSE;
    memcpy(tmp, start, n);
    tmp[n] = 0;
    *port = (INTERNET_PORT)atoi(colon + 1);
    if (!*port) return FALSE;
    return MultiByteToWideChar(CP_UTF8, 0, tmp, -1, host, (int)host_len) > 0;
}

/* State of one asynchronous upgrade; reached through the request's context. */
struct ws_upgrade_wait
{
    HANDLE event;
    volatile DWORD status;   /* last completion seen */
    volatile DWORD error;    /* from REQUEST_ERROR */
};

static void CALLBACK ws_upgrade_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct ws_upgrade_wait *wait = (struct ws_upgrade_wait *)context;

    if (!wait) return;  /* session and connection handles carry no context */
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        wait->error = info && len >= sizeof(WINHTTP_ASYNC_RESULT) ? ((WINHTTP_ASYNC_RESULT *)info)->dwError
                                                                   : ERROR_GEN_FAILURE;
        if (!wait->error) wait->error = ERROR_GEN_FAILURE;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        wait->status = status;
        SetEvent(wait->event);
        break;
    }
}

/* Waits for the asynchronous step that ends with 'expected'. */
static BOOL ws_upgrade_step(struct ws_upgrade_wait *wait, DWORD expected, struct ws_handles *h, const char *call)
{
    if (WaitForSingleObject(wait->event, WS_OPEN_TIMEOUT) != WAIT_OBJECT_0)
    {
        h->failed_call = call;
        h->error = ERROR_TIMEOUT;
        return FALSE;
    }
    if (wait->status != expected)
    {
        h->failed_call = call;
        h->error = wait->error ? wait->error : ERROR_GEN_FAILURE;
        return FALSE;
    }
    return TRUE;
}

static inline void ws_close_handles(struct ws_handles *h)
{
    if (h->request) WinHttpCloseHandle(h->request);
    if (h->connect) WinHttpCloseHandle(h->connect);
    if (h->session) WinHttpCloseHandle(h->session);
    h->request = h->connect = h->session = NULL;
}

/* Opens a websocket to path on server ("host:port", e.g. the value of
 * WSTEST_SERVER).  Returns the websocket handle, or NULL with h->failed_call
 * and h->error set (the handles opened so far are closed then).  send_timeout
 * (ms, 0: the default) and receive_buffer_size (bytes, 0: the default) are set
 * on the request and so hold for the websocket. */
static inline HINTERNET ws_open_ex(const char *server, const WCHAR *path, DWORD flags, int send_timeout,
                                   DWORD receive_buffer_size, WINHTTP_STATUS_CALLBACK cb, DWORD_PTR ctx,
                                   struct ws_handles *h)
{
    BOOL async = (flags & WS_OPEN_ASYNC) != 0;
    struct ws_upgrade_wait *wait = NULL;
    DWORD size, value;
    INTERNET_PORT port;
    HINTERNET socket = NULL;
    WCHAR host[128];

    memset(h, 0, sizeof(*h));
    if (!ws_parse_server(server, host, ARRAY_SIZE(host), &port))
    {
        h->failed_call = "server address";
        h->error = ERROR_INVALID_PARAMETER;
        return NULL;
    }

#define WS_FAIL(call) do { h->failed_call = call; h->error = GetLastError(); goto failed; } while (0)
    if (!(h->session = WinHttpOpen(L"winhttp-ws tests", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                                   WINHTTP_NO_PROXY_BYPASS, async ? WINHTTP_FLAG_ASYNC : 0)))
        WS_FAIL("WinHttpOpen");
    if (async)
    {
        if (!(wait = calloc(1, sizeof(*wait))) || !(wait->event = CreateEventW(NULL, FALSE, FALSE, NULL)))
            WS_FAIL("CreateEvent");
        if (WinHttpSetStatusCallback(h->session, ws_upgrade_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
            == WINHTTP_INVALID_STATUS_CALLBACK)
            WS_FAIL("WinHttpSetStatusCallback");
    }
    else if (cb && WinHttpSetStatusCallback(h->session, cb, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
             == WINHTTP_INVALID_STATUS_CALLBACK)
        WS_FAIL("WinHttpSetStatusCallback");

    if (!(h->connect = WinHttpConnect(h->session, host, port, 0))) WS_FAIL("WinHttpConnect");
    if (!(h->request = WinHttpOpenRequest(h->connect, L"GET", path, NULL, WINHTTP_NO_REFERER,
                                          WINHTTP_DEFAULT_ACCEPT_TYPES,
                                          (flags & WS_OPEN_SECURE) ? WINHTTP_FLAG_SECURE : 0)))
        WS_FAIL("WinHttpOpenRequest");
    if (send_timeout && !WinHttpSetOption(h->request, WINHTTP_OPTION_SEND_TIMEOUT, &send_timeout, sizeof(send_timeout)))
        WS_FAIL("WinHttpSetOption(SEND_TIMEOUT)");
    if (receive_buffer_size && !WinHttpSetOption(h->request, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE,
                                                 &receive_buffer_size, sizeof(receive_buffer_size)))
        WS_FAIL("WinHttpSetOption(WEB_SOCKET_RECEIVE_BUFFER_SIZE)");
    if (flags & WS_OPEN_SECURE)
    {
        value = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
                SECURITY_FLAG_IGNORE_CERT_CN_INVALID | SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
        if (!WinHttpSetOption(h->request, WINHTTP_OPTION_SECURITY_FLAGS, &value, sizeof(value)))
            WS_FAIL("WinHttpSetOption(SECURITY_FLAGS)");
    }
    if (async && !WinHttpSetOption(h->request, WINHTTP_OPTION_CONTEXT_VALUE, &wait, sizeof(wait)))
        WS_FAIL("WinHttpSetOption(CONTEXT_VALUE)");
    if (!WinHttpSetOption(h->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0))
        WS_FAIL("WinHttpSetOption(UPGRADE_TO_WEB_SOCKET)");

    /* SendRequest's dwContext becomes the request's context value as well */
    if (!WinHttpSendRequest(h->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                            async ? (DWORD_PTR)wait : ctx))
        WS_FAIL("WinHttpSendRequest");
    if (async && !ws_upgrade_step(wait, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, h, "WinHttpSendRequest (async)"))
        goto failed;
    if (!WinHttpReceiveResponse(h->request, NULL)) WS_FAIL("WinHttpReceiveResponse");
    if (async && !ws_upgrade_step(wait, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, h, "WinHttpReceiveResponse (async)"))
        goto failed;

    size = sizeof(h->status_code);
    if (!WinHttpQueryHeaders(h->request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &h->status_code, &size, WINHTTP_NO_HEADER_INDEX))
        WS_FAIL("WinHttpQueryHeaders(STATUS_CODE)");
    if (h->status_code != HTTP_STATUS_SWITCH_PROTOCOLS)
    {
        h->failed_call = "status code is not 101";
        h->error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        goto failed;
    }

    if (async)
    {
        /* From here on the caller's callback (or none) sees everything. */
        WinHttpSetStatusCallback(h->request, cb, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
        WinHttpSetStatusCallback(h->connect, cb, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
        WinHttpSetStatusCallback(h->session, cb, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
        WinHttpSetOption(h->request, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
        CloseHandle(wait->event);
        free(wait);
        wait = NULL;
    }
    if (!(socket = WinHttpWebSocketCompleteUpgrade(h->request, ctx))) WS_FAIL("WinHttpWebSocketCompleteUpgrade");
    if (!(flags & WS_OPEN_KEEP_REQUEST))
    {
        WinHttpCloseHandle(h->request);
        h->request = NULL;
    }
    return socket;
#undef WS_FAIL

failed:
    {
        DWORD error = h->error;
        const char *call = h->failed_call;

        /* No more upgrade notifications into 'wait'; one may still be running
         * on a worker thread, so 'wait' is leaked rather than freed. */
        if (wait)
        {
            if (h->request) WinHttpSetStatusCallback(h->request, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
            if (h->connect) WinHttpSetStatusCallback(h->connect, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
            if (h->session) WinHttpSetStatusCallback(h->session, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
        }
        ws_close_handles(h);
        h->error = error;
        h->failed_call = call;
    }
    return NULL;
}

/* ws_open_ex with the default send timeout and receive buffer size. */
static inline HINTERNET ws_open(const char *server, const WCHAR *path, DWORD flags, WINHTTP_STATUS_CALLBACK cb,
                                DWORD_PTR ctx, struct ws_handles *h)
{
    return ws_open_ex(server, path, flags, 0, 0, cb, ctx, h);
}

#endif /* WS_HELPERS_H */
