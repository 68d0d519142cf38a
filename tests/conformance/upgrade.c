/*
 * The request side of the WebSocket handshake: WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET,
 * the headers WinHttpSendRequest adds for it, and the websocket buffer-size
 * options on session, connect and request handles (WEBSOCKET_FACTS.md §3, §4).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include "wine/test.h"
#include "ws_helpers.h"

static WCHAR server_host[64];
static INTERNET_PORT server_port;

/* Wine's own winhttp.dll (WINEDLLOVERRIDES=winhttp=b) carries this mark in its DOS stub. */
static BOOL is_wine_builtin(void)
{
    const char *base = (const char *)GetModuleHandleA("winhttp.dll");
    return base && !memcmp(base + 0x40, "Wine builtin DLL", 16);
}

static DWORD query_request_header(HINTERNET request, const WCHAR *name, WCHAR *buf, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR);
    SetLastError(0xdeadbeef);
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, name, buf, &size, NULL))
        return GetLastError();
    return ERROR_SUCCESS;
}

static void test_buffer_size_options(void)
{
    HINTERNET session, connect, request;
    DWORD value, size, err;
    BOOL ret;

    session = WinHttpOpen(L"upgrade test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());

    /* Session: defaults 32768, settable. */
    value = 0xdeadbeef;
    size = sizeof(value);
    ret = WinHttpQueryOption(session, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, &size);
    ok(ret && value == 32768 && size == sizeof(DWORD), "send size %d %lu %lu\n", ret, value, size);
    value = 0xdeadbeef;
    size = sizeof(value);
    ret = WinHttpQueryOption(session, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, &value, &size);
    ok(ret && value == 32768, "receive size %d %lu\n", ret, value);
    value = 4096;
    ok(WinHttpSetOption(session, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, sizeof(value)),
       "set failed: %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(session, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "keepalive query on session: %d %lu\n", ret, GetLastError());

    /* Connect handles have none of them. */
    connect = WinHttpConnect(session, server_host[0] ? server_host : L"localhost", server_port ? server_port : 80, 0);
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(connect, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, &size);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "connect: %d %lu\n", ret, GetLastError());

    /* Requests inherit at open time; setting them does not touch the session. */
    request = WinHttpOpenRequest(connect, NULL, L"/", NULL, NULL, NULL, 0);
    value = 0;
    size = sizeof(value);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, &size);
    ok(ret && value == 4096, "request send size %d %lu\n", ret, value);
    value = 1048576;
    ok(WinHttpSetOption(request, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, &value, sizeof(value)),
       "set receive size failed: %lu\n", GetLastError());
    value = 0;
    size = sizeof(value);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, &value, &size);
    ok(ret && value == 1048576, "request receive size %d %lu\n", ret, value);
    value = 0;
    size = sizeof(value);
    ret = WinHttpQueryOption(session, WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, &value, &size);
    ok(ret && value == 32768, "session receive size changed to %lu\n", value);
    value = 15;
    ok(WinHttpSetOption(request, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, sizeof(value)),
       "15 not accepted: %lu\n", GetLastError());

    /* KEEPALIVE_INTERVAL belongs to websocket handles. */
    value = 20000;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(request, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, sizeof(value));
    err = GetLastError();
    ok(!ret && err == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "keepalive set on request: %d %lu\n", ret, err);
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "keepalive query on request: %d %lu\n", ret, GetLastError());

    /* The upgrade option takes no data. */
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ok(ret && GetLastError() == ERROR_SUCCESS, "upgrade option: %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(session, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ok(!ret, "upgrade option accepted on a session\n");

    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

static void test_handshake_headers(void)
{
    HINTERNET session, connect, request;
    WCHAR key1[64], key2[64], buf[64];
    char body[4096];
    DWORD err, value, size, read, total;
    BOOL ret;

    session = WinHttpOpen(L"upgrade test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connect = WinHttpConnect(session, server_host, server_port, 0);
    request = WinHttpOpenRequest(connect, L"GET", L"/http/echo-headers", NULL, NULL, NULL, 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    ok(WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0), "option failed\n");

    /* Nothing is there before SendRequest. */
    err = query_request_header(request, L"Sec-WebSocket-Key", buf, ARRAY_SIZE(buf));
    ok(err == ERROR_WINHTTP_HEADER_NOT_FOUND, "key before send: %lu\n", err);
    err = query_request_header(request, L"Sec-WebSocket-Version", buf, ARRAY_SIZE(buf));
    ok(err == ERROR_WINHTTP_HEADER_NOT_FOUND, "version before send: %lu\n", err);
    size = sizeof(buf);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_UPGRADE, NULL, buf, &size, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "response Upgrade: %d %lu\n", ret, GetLastError());

    /* A send buffer below 16 bytes fails the send, 16 is enough. */
    value = 15;
    WinHttpSetOption(request, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, sizeof(value));
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_NOT_ENOUGH_MEMORY, "send buffer 15: %d %lu\n", ret, GetLastError());
    value = 16;
    WinHttpSetOption(request, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE, &value, sizeof(value));
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "send buffer 16: %lu\n", GetLastError());

    err = query_request_header(request, L"Sec-WebSocket-Key", key1, ARRAY_SIZE(key1));
    ok(!err && lstrlenW(key1) == 24 && key1[22] == '=' && key1[23] == '=', "key %lu %s\n", err, wine_dbgstr_w(key1));
    err = query_request_header(request, L"Sec-WebSocket-Version", buf, ARRAY_SIZE(buf));
    ok(!err && !lstrcmpW(buf, L"13"), "version %lu %s\n", err, wine_dbgstr_w(buf));
    err = query_request_header(request, L"Upgrade", buf, ARRAY_SIZE(buf));
    ok(!err && !lstrcmpiW(buf, L"websocket"), "upgrade %lu %s\n", err, wine_dbgstr_w(buf));
    err = query_request_header(request, L"Connection", buf, ARRAY_SIZE(buf));
    ok(!err && !lstrcmpiW(buf, L"Upgrade"), "connection %lu %s\n", err, wine_dbgstr_w(buf));

    /* The server sees them on the wire (it answers 200 with the request head). */
    ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    total = 0;
    while (ret && total < sizeof(body) - 1 && WinHttpReadData(request, body + total, sizeof(body) - 1 - total, &read) && read)
        total += read;
    body[total] = 0;
    {
        char expect[64];
        sprintf(expect, "\r\nSec-WebSocket-Key: %ls\r\n", key1);
        ok(strstr(body, expect) != NULL, "key not on the wire: %s\n", body);
    }
    ok(strstr(body, "\r\nSec-WebSocket-Version: 13\r\n") != NULL, "version not on the wire: %s\n", body);
    ok(strstr(body, "\r\nUpgrade: websocket\r\n") || strstr(body, "\r\nUpgrade: Websocket\r\n"), "no Upgrade: %s\n", body);
    ok(strstr(body, "\r\nConnection: Upgrade\r\n") != NULL, "no Connection: Upgrade: %s\n", body);
    ok(!strstr(body, "Keep-Alive"), "Keep-Alive on an upgrade request: %s\n", body);

    /* Not a 101: no websocket.  (Wine 8's builtin upgrades it and then crashes.) */
    if (!is_wine_builtin())
    {
        SetLastError(0xdeadbeef);
        ok(!WinHttpWebSocketCompleteUpgrade(request, 0), "upgraded a 200 response\n");
    }

    /* Sending again makes a new key. */
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "second SendRequest failed: %lu\n", GetLastError());
    err = query_request_header(request, L"Sec-WebSocket-Key", key2, ARRAY_SIZE(key2));
    ok(!err && lstrlenW(key2) == 24, "second key %lu %s\n", err, wine_dbgstr_w(key2));
    ok(lstrcmpW(key1, key2), "same key twice: %s\n", wine_dbgstr_w(key1));
    ok(WinHttpReceiveResponse(request, NULL), "second ReceiveResponse failed: %lu\n", GetLastError());
    WinHttpCloseHandle(request);

    /* The application's own Upgrade/Connection values win; the key is always ours. */
    request = WinHttpOpenRequest(connect, L"GET", L"/http/echo-headers", NULL, NULL, NULL, 0);
    WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ok(WinHttpAddRequestHeaders(request, L"Upgrade: Websocket\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n", ~0u,
                                WINHTTP_ADDREQ_FLAG_ADD), "AddRequestHeaders failed\n");
    ok(WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0), "SendRequest failed: %lu\n", GetLastError());
    err = query_request_header(request, L"Upgrade", buf, ARRAY_SIZE(buf));
    ok(!err && !lstrcmpW(buf, L"Websocket"), "upgrade %lu %s\n", err, wine_dbgstr_w(buf));
    err = query_request_header(request, L"Sec-WebSocket-Key", key1, ARRAY_SIZE(key1));
    ok(!err && lstrcmpW(key1, L"AAAAAAAAAAAAAAAAAAAAAA=="), "key %lu %s\n", err, wine_dbgstr_w(key1));
    WinHttpCloseHandle(request);

    /* A real upgrade: 101, no body, the response headers stay queryable. */
    request = WinHttpOpenRequest(connect, L"GET", L"/echo", NULL, NULL, NULL, 0);
    WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL);
    ok(ret, "upgrade request failed: %lu\n", GetLastError());
    if (ret)
    {
        HINTERNET ws;

        value = 0;
        size = sizeof(value);
        WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &value, &size, NULL);
        ok(value == 101, "status %lu\n", value);
        value = 0xdeadbeef;
        ok(WinHttpQueryDataAvailable(request, &value) && !value, "available %lu\n", value);
        size = sizeof(buf);
        SetLastError(0xdeadbeef);
        ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_LENGTH, NULL, buf, &size, NULL);
        ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "content length: %d %lu\n", ret, GetLastError());
        ws = WinHttpWebSocketCompleteUpgrade(request, 0);
        ok(ws != NULL, "CompleteUpgrade failed: %lu\n", GetLastError());
        size = sizeof(buf);
        ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_UPGRADE, NULL, buf, &size, NULL);
        ok(ret && !lstrcmpiW(buf, L"websocket"), "Upgrade after CompleteUpgrade: %d %s\n", ret, wine_dbgstr_w(buf));
        size = sizeof(buf);
        ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_CUSTOM, L"Sec-WebSocket-Accept", buf, &size, NULL);
        ok(ret && lstrlenW(buf) == 28, "Accept %d %s\n", ret, wine_dbgstr_w(buf));
        if (ws)
        {
            WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
            WinHttpCloseHandle(ws);
        }
    }
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

START_TEST(upgrade)
{
    BOOL have_server = ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port);

    test_buffer_size_options();
    if (!have_server)
    {
        skip("WSTEST_SERVER is not set: run under tools/with-servers.sh\n");
        return;
    }
    test_handshake_headers();
}
