/*
 * Replay of libHttpClient's WinHTTP provider (microsoft/libHttpClient, the
 * HTTP and WebSocket layer of Xbox Live games):
 *   Source/HTTP/WinHttp/winhttp_provider.cpp: GetWinHttpWebSocketExportsHelper()
 *     (LoadLibrary + GetProcAddress of the websocket functions),
 *     WinHttpProvider::GetHSession() (the session, SECURE_PROTOCOLS, fatal);
 *   Source/HTTP/WinHttp/winhttp_connection.cpp: WinHttpConnection::Initialize()
 *     (connect, request, timeouts on the session, SECURITY_FLAGS when SSL
 *     validation is off, headers, CLIENT_CERT_CONTEXT on https),
 *     SendRequest() (callback on the request, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS),
 *     and its completion_callback: SENDREQUEST_COMPLETE -> WinHttpReceiveResponse,
 *     HEADERS_AVAILABLE -> raw headers and status code by size query, then
 *     QueryDataAvailable / ReadData; for a websocket, HEADERS_AVAILABLE ->
 *     WinHttpWebSocketCompleteUpgrade and WinHttpCloseHandle of the request
 *     inside the callback, then WinHttpWebSocketReceive (callback_websocket_status_headers_available,
 *     WebSocketReadAsync).
 * Asynchronous session.  One https request (its ssl validation switched off,
 * the test CA is not trusted under Wine) and one websocket round trip.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

typedef HINTERNET (WINAPI *complete_upgrade_fn)(HINTERNET, DWORD_PTR);
typedef DWORD (WINAPI *ws_send_fn)(HINTERNET, WINHTTP_WEB_SOCKET_BUFFER_TYPE, void *, DWORD);
typedef DWORD (WINAPI *ws_receive_fn)(HINTERNET, void *, DWORD, DWORD *, WINHTTP_WEB_SOCKET_BUFFER_TYPE *);
typedef DWORD (WINAPI *ws_close_fn)(HINTERNET, USHORT, void *, DWORD);
typedef DWORD (WINAPI *ws_query_close_fn)(HINTERNET, USHORT *, void *, DWORD, DWORD *);
typedef DWORD (WINAPI *ws_shutdown_fn)(HINTERNET, USHORT, void *, DWORD);

static struct
{
    complete_upgrade_fn complete_upgrade;
    ws_send_fn send;
    ws_receive_fn receive;
    ws_close_fn close;
    ws_query_close_fn query_close_status;
    ws_shutdown_fn shutdown;
} exports;

/* One call in flight, as WinHttpConnection keeps it. */
struct connection
{
    HINTERNET request;            /* the websocket once upgraded */
    BOOL websocket;
    HANDLE done;                  /* the HTTP call or the websocket connect completed */
    HANDLE message;               /* a websocket message arrived */
    DWORD error;                  /* first failure seen in the callback */
    DWORD status_code;
    char body[256];
    DWORD body_len;
    char ws_buffer[256];
    DWORD ws_len;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE ws_type;
};

static void fail_call(struct connection *c, DWORD error)
{
    if (!c->error) c->error = error ? error : ERROR_GEN_FAILURE;
    SetEvent(c->done);
}

static void read_next(struct connection *c)
{
    if (!WinHttpQueryDataAvailable(c->request, NULL)) fail_call(c, GetLastError());
}

static void websocket_read(struct connection *c)
{
    DWORD read = 0, error;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type = 0;

    error = exports.receive(c->request, c->ws_buffer, sizeof(c->ws_buffer), &read, &type);
    if (error) fail_call(c, error);
}

static void headers_available(struct connection *c, HINTERNET handle)
{
    WCHAR status[16], *raw;
    DWORD len = 0;

    if (c->websocket)
    {
        /* callback_websocket_status_headers_available */
        if (!(c->request = exports.complete_upgrade(handle, (DWORD_PTR)c)))
        {
            fail_call(c, GetLastError());
            return;
        }
        WinHttpCloseHandle(handle);
        SetEvent(c->done);
        websocket_read(c);
        return;
    }

    /* query_header_length: a NULL buffer must give ERROR_INSUFFICIENT_BUFFER */
    if (WinHttpQueryHeaders(handle, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX,
                            WINHTTP_NO_OUTPUT_BUFFER, &len, WINHTTP_NO_HEADER_INDEX)
        || GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    {
        fail_call(c, ERROR_INVALID_DATA);
        return;
    }
    raw = malloc(len);
    if (!WinHttpQueryHeaders(handle, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, raw, &len,
                             WINHTTP_NO_HEADER_INDEX))
    {
        free(raw);
        fail_call(c, GetLastError());
        return;
    }
    free(raw);
    /* parse_status_code: the size, then the text */
    len = 0;
    if (WinHttpQueryHeaders(handle, WINHTTP_QUERY_STATUS_CODE, WINHTTP_HEADER_NAME_BY_INDEX, WINHTTP_NO_OUTPUT_BUFFER,
                            &len, WINHTTP_NO_HEADER_INDEX) || GetLastError() != ERROR_INSUFFICIENT_BUFFER
        || len > sizeof(status)
        || !WinHttpQueryHeaders(handle, WINHTTP_QUERY_STATUS_CODE, WINHTTP_HEADER_NAME_BY_INDEX, status, &len,
                                WINHTTP_NO_HEADER_INDEX))
    {
        fail_call(c, ERROR_INVALID_DATA);
        return;
    }
    c->status_code = (DWORD)_wtoi(status);
    read_next(c);
}

static void CALLBACK completion_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct connection *c = (struct connection *)context;
    WINHTTP_WEB_SOCKET_STATUS *ws;
    DWORD avail;

    if (!c) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        if (!WinHttpReceiveResponse(handle, NULL)) fail_call(c, GetLastError());
        break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        headers_available(c, handle);
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        avail = *(DWORD *)info;
        if (!avail)
        {
            c->body[c->body_len] = 0;
            SetEvent(c->done);
        }
        else if (avail > sizeof(c->body) - 1 - c->body_len) fail_call(c, ERROR_INSUFFICIENT_BUFFER);
        else if (!WinHttpReadData(handle, c->body + c->body_len, avail, NULL)) fail_call(c, GetLastError());
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (c->websocket)
        {
            /* callback_websocket_status_read_complete: a close is queried,
             * a message handed on and the next receive started */
            ws = info;
            c->ws_len = ws->dwBytesTransferred;
            c->ws_type = ws->eBufferType;
            if (c->ws_type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE)
            {
                USHORT reason = 0;
                DWORD consumed = 0;
                if (exports.query_close_status(c->request, &reason, NULL, 0, &consumed) || reason != 1000)
                    c->error = ERROR_INVALID_DATA;
                SetEvent(c->message);
            }
            else
            {
                SetEvent(c->message);
                websocket_read(c);
            }
        }
        else
        {
            c->body_len += len;
            read_next(c);
        }
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        fail_call(c, ((WINHTTP_ASYNC_RESULT *)info)->dwError);
        break;
    }
}

/* WinHttpConnection::Initialize() and SendRequest() */
static HINTERNET initialize(HINTERNET session, const WCHAR *host, INTERNET_PORT port, BOOL secure, const WCHAR *path,
                            struct connection *c, HINTERNET *connection)
{
    static const WCHAR headers[] = L"Accept:application/json\r\nUser-Agent:libHttpClient/1.0.0.0\r\n";
    DWORD value;
    BOOL ret;

    *connection = WinHttpConnect(session, host, port, 0);
    ok(*connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    c->request = WinHttpOpenRequest(*connection, L"GET", path, NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                    WINHTTP_FLAG_ESCAPE_DISABLE | (secure ? WINHTTP_FLAG_SECURE : 0));
    ok(c->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    /* HCHttpCallRequestGetTimeout's default, 30 s, in milliseconds */
    ret = WinHttpSetTimeouts(session, 30000, 30000, 30000, 30000);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    if (secure)
    {
        /* !m_call->sslValidation: a warning only if it fails, but Windows takes it */
        value = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
        ret = WinHttpSetOption(c->request, WINHTTP_OPTION_SECURITY_FLAGS, &value, sizeof(value));
        ok(ret, "SECURITY_FLAGS failed: %lu\n", GetLastError());
    }
    ret = WinHttpAddRequestHeaders(c->request, headers, (DWORD)wcslen(headers), WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());
    if (secure)
    {
        ret = WinHttpSetOption(c->request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
        ok(ret, "CLIENT_CERT_CONTEXT failed: %lu\n", GetLastError());
    }
    if (c->websocket)
    {
        /* WebSocketConnectAsync */
        ret = WinHttpSetOption(c->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
        ok(ret, "UPGRADE_TO_WEB_SOCKET failed: %lu\n", GetLastError());
    }
    ok(WinHttpSetStatusCallback(c->request, completion_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
       != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(c->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, NULL, 0, 0, (DWORD_PTR)c);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    return c->request;
}

static BOOL load_exports(void)
{
    HMODULE module = LoadLibraryW(L"Winhttp.dll");

    ok(module != NULL, "LoadLibrary failed: %lu\n", GetLastError());
    if (!module) return FALSE;
    exports.complete_upgrade = (complete_upgrade_fn)(void *)GetProcAddress(module, "WinHttpWebSocketCompleteUpgrade");
    exports.send = (ws_send_fn)(void *)GetProcAddress(module, "WinHttpWebSocketSend");
    exports.receive = (ws_receive_fn)(void *)GetProcAddress(module, "WinHttpWebSocketReceive");
    exports.close = (ws_close_fn)(void *)GetProcAddress(module, "WinHttpWebSocketClose");
    exports.query_close_status = (ws_query_close_fn)(void *)GetProcAddress(module, "WinHttpWebSocketQueryCloseStatus");
    exports.shutdown = (ws_shutdown_fn)(void *)GetProcAddress(module, "WinHttpWebSocketShutdown");
    ok(exports.complete_upgrade && exports.send && exports.receive && exports.close && exports.query_close_status
       && exports.shutdown, "a websocket export is missing\n");
    return exports.complete_upgrade && exports.send && exports.receive && exports.close;
}

static void init_connection(struct connection *c, BOOL websocket)
{
    memset(c, 0, sizeof(*c));
    c->websocket = websocket;
    c->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->message = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void free_connection(struct connection *c)
{
    CloseHandle(c->done);
    CloseHandle(c->message);
}

static void test_libhttpclient(void)
{
    DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 |
                      WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
    HINTERNET session, connection, ws;
    struct connection c;
    INTERNET_PORT port;
    WCHAR host[128];
    DWORD error;
    BOOL ret;

    if (!load_exports()) return;

    /* GetHSession: proxy type from the IE settings; without any, automatic */
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                          WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols, sizeof(protocols));
    ok(ret, "SECURE_PROTOCOLS failed: %lu\n", GetLastError());

    if (replay_server("WSTEST_TLS_SERVER", host, ARRAY_SIZE(host), &port))
    {
        init_connection(&c, FALSE);
        initialize(session, host, port, TRUE, L"/http/hello", &c, &connection);
        ok(WaitForSingleObject(c.done, REPLAY_TIMEOUT) == WAIT_OBJECT_0, "the https call did not complete\n");
        ok(!c.error && c.status_code == 200 && !strcmp(c.body, "hello"), "https call: error %lu status %lu body %s\n",
           c.error, c.status_code, c.body);
        WinHttpCloseHandle(c.request);
        WinHttpCloseHandle(connection);
        free_connection(&c);
    }

    if (replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port))
    {
        init_connection(&c, TRUE);
        initialize(session, host, port, FALSE, L"/echo", &c, &connection);
        ok(WaitForSingleObject(c.done, REPLAY_TIMEOUT) == WAIT_OBJECT_0, "the websocket connect did not complete\n");
        ok(!c.error, "websocket connect: %lu\n", c.error);
        ws = c.request;
        if (!c.error)
        {
            /* WebSocketSendMessage: one send at a time, completion by callback */
            error = exports.send(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"hello xbox", 10);
            ok(!error, "WinHttpWebSocketSend: %lu\n", error);
            ok(WaitForSingleObject(c.message, REPLAY_TIMEOUT) == WAIT_OBJECT_0, "no message\n");
            ok(c.ws_type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE && c.ws_len == 10
               && !memcmp(c.ws_buffer, "hello xbox", 10), "echo: type %u len %lu\n", c.ws_type, c.ws_len);
            /* WebSocketDisconnect */
            error = exports.shutdown(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
            ok(!error, "WinHttpWebSocketShutdown: %lu\n", error);
            ok(WaitForSingleObject(c.message, REPLAY_TIMEOUT) == WAIT_OBJECT_0, "no close\n");
            ok(c.ws_type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE && !c.error, "got buffer type %u, error %lu\n",
               c.ws_type, c.error);
            WinHttpCloseHandle(ws);
        }
        WinHttpCloseHandle(connection);
        free_connection(&c);
    }

    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
}

START_TEST(fw_libhttpclient)
{
    test_libhttpclient();
}
