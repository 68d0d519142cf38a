/*
 * Replay of .NET's WinHTTP-based ClientWebSocket (dotnet/corefx,
 * src/System.Net.WebSockets.Client/src/System/Net/WebSockets/WinHttpWebSocket.cs):
 *   InitializeWinHttp(): WinHttpOpen (default proxy, async) and
 *     ASSURED_NON_BLOCKING_CALLBACKS TRUE, fatal;
 *   ConnectAsync(): WinHttpConnect, WinHttpOpenRequest("GET", no accept
 *     types), UPGRADE_TO_WEB_SOCKET, CONTEXT_VALUE (IntPtr.Size), the
 *     request's callback (ALL_COMPLETIONS | HANDLES | SECURE_FAILURE), the
 *     request headers, then WinHttpSendRequest and WinHttpReceiveResponse
 *     (InternalSendWsUpgradeRequestAsync, InternalReceiveWsUpgradeResponse),
 *     the status check (VerifyUpgradeResponse), WinHttpWebSocketCompleteUpgrade
 *     and CONTEXT_VALUE on the websocket handle, fatal as well;
 *   SendAsync / ReceiveAsync / CloseAsync: WinHttpWebSocketSend, Receive,
 *     Close, QueryCloseStatus (UpdateServerCloseStatus).
 * Asynchronous, one round trip with the echo server.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

static void test_client_websocket(const WCHAR *host, INTERNET_PORT port)
{
    HINTERNET session, connection, request, ws;
    struct replay_async a, *context = &a;
    DWORD value, status, size, error = 0;
    BOOL ret;

    replay_async_init(&a);

    /* InitializeWinHttp() */
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    value = TRUE;
    ret = WinHttpSetOption(session, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, &value, sizeof(value));
    ok(ret, "ASSURED_NON_BLOCKING_CALLBACKS failed: %lu\n", GetLastError());

    /* ConnectAsync() */
    connection = WinHttpConnect(session, host, port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    request = WinHttpOpenRequest(connection, L"GET", L"/echo", NULL, WINHTTP_NO_REFERER, NULL, 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) goto done;
    ret = WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ok(ret, "UPGRADE_TO_WEB_SOCKET failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
    ok(ret, "CONTEXT_VALUE failed: %lu\n", GetLastError());
    ok(WinHttpSetStatusCallback(request, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS |
                                WINHTTP_CALLBACK_FLAG_HANDLES | WINHTTP_CALLBACK_FLAG_SECURE_FAILURE, 0)
       != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    /* AddRequestHeaders: the subprotocol and the cookies of the options */
    ret = WinHttpAddRequestHeaders(request, L"Sec-WebSocket-Protocol: chat\r\n", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());

    ret = WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, NULL, 0, 0, (DWORD_PTR)context);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(replay_wait(&a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, &error), "send: %lu\n", error);
    ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    ok(replay_wait(&a, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, &error), "receive: %lu\n", error);

    /* VerifyUpgradeResponse() */
    size = sizeof(status);
    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    ok(ret && status == HTTP_STATUS_SWITCH_PROTOCOLS, "status %lu (%lu)\n", status, GetLastError());

    ws = WinHttpWebSocketCompleteUpgrade(request, 0);
    ok(ws != NULL, "WinHttpWebSocketCompleteUpgrade failed: %lu\n", GetLastError());
    if (ws)
    {
        ret = WinHttpSetOption(ws, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
        ok(ret, "CONTEXT_VALUE on the websocket failed: %lu\n", GetLastError());
    }
    WinHttpCloseHandle(request);
    if (ws)
    {
        error = replay_ws_echo(ws, &a, TRUE, "hello from .NET");
        ok(!error, "round trip: %lu\n", error);
        WinHttpCloseHandle(ws);
    }

done:
    WinHttpCloseHandle(connection);
    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
    CloseHandle(a.event);
}

START_TEST(fw_dotnet_websocket)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_client_websocket(host, port);
}
