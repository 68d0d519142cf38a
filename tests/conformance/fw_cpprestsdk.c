/*
 * Replay of cpprestsdk's WinHTTP client (microsoft/cpprestsdk,
 * Release/src/http/client/http_client_winhttp.cpp, class winhttp_client):
 *   open(): WinHttpOpen (WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY on Windows 8.1
 *     and later), WinHttpSetTimeouts with the configured timeout (default
 *     30 s), MAX_CONNS_PER_SERVER 1 when guarantee_order is set,
 *     SECURE_PROTOCOLS SSL3 | TLS1 | TLS1_1 | TLS1_2 (a failure here is the
 *     "Open failed" of the issue), the session callback, WinHttpConnect;
 *   send_request(): WinHttpOpenRequest with WINHTTP_FLAG_ESCAPE_DISABLE,
 *     AUTOLOGON_POLICY HIGH when credentials are set, ENABLE_FEATURE
 *     SSL_REVOCATION when certificates are validated (the default), the
 *     flattened headers;
 *   _start_request_send() / _transfer_encoding_chunked_write_data(): a body of
 *     unknown length goes with WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH, each
 *     chunk framed by cpprestsdk (add_chunked_delimiters), the last one empty;
 *   read_next_response_chunk(): WinHttpQueryDataAvailable / WinHttpReadData.
 * Every call it reports as an error must succeed.  Asynchronous; plain http
 * (cpprestsdk's websocket client does not use WinHTTP on the desktop).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

static void test_cpprestsdk(const WCHAR *host, INTERNET_PORT port)
{
    static const char *const chunks[] = { "{\"a\":1,", "\"b\":[1,2,3],", "\"c\":\"json\"}", NULL };
    DWORD value, status, len, error = 0, i;
    HINTERNET session, connection, request;
    struct replay_async a;
    char body[1024], frame[64];
    BOOL ret;

    replay_async_init(&a);

    /* open() */
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                          WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ret = WinHttpSetTimeouts(session, 30000, 30000, 30000, 30000);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    value = 1;
    ret = WinHttpSetOption(session, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &value, sizeof(value));
    ok(ret, "MAX_CONNS_PER_SERVER failed: %lu\n", GetLastError());
    value = WINHTTP_FLAG_SECURE_PROTOCOL_SSL3 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 |
            WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
    ret = WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &value, sizeof(value));
    ok(ret, "SECURE_PROTOCOLS failed (\"Open failed\"): %lu\n", GetLastError());
    ok(WinHttpSetStatusCallback(session, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS |
                                WINHTTP_CALLBACK_FLAG_HANDLES | WINHTTP_CALLBACK_FLAG_SECURE_FAILURE |
                                WINHTTP_CALLBACK_FLAG_SEND_REQUEST, 0) != WINHTTP_INVALID_STATUS_CALLBACK,
       "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    connection = WinHttpConnect(session, host, port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());

    for (i = 0; i < 2; i++)
    {
        BOOL chunked = i == 1;

        /* send_request() */
        request = WinHttpOpenRequest(connection, chunked ? L"PUT" : L"GET", chunked ? L"/http/echo-body" : L"/http/hello",
                                     NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, WINHTTP_FLAG_ESCAPE_DISABLE);
        ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
        if (!request) break;
        value = WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH;
        ret = WinHttpSetOption(request, WINHTTP_OPTION_AUTOLOGON_POLICY, &value, sizeof(value));
        ok(ret, "AUTOLOGON_POLICY failed: %lu\n", GetLastError());
        value = WINHTTP_ENABLE_SSL_REVOCATION;
        ret = WinHttpSetOption(request, WINHTTP_OPTION_ENABLE_FEATURE, &value, sizeof(value));
        ok(ret, "ENABLE_FEATURE(SSL_REVOCATION) failed: %lu\n", GetLastError());
        ret = WinHttpAddRequestHeaders(request, chunked ? L"Content-Type: application/json\r\nTransfer-Encoding: chunked"
                                                        : L"User-Agent: cpprestsdk/2.10.19",
                                       (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD);
        ok(ret, "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());

        /* _start_request_send() */
        ret = WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, NULL, 0,
                                 chunked ? WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH : 0, (DWORD_PTR)&a);
        ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
        ok(replay_wait(&a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, &error), "send: %lu\n", error);
        if (chunked)
        {
            /* each chunk with its delimiters in one write, then the empty one */
            for (len = 0; chunks[len]; len++)
            {
                sprintf(frame, "%zx\r\n%s\r\n", strlen(chunks[len]), chunks[len]);
                error = replay_write(request, &a, TRUE, frame, (DWORD)strlen(frame));
                ok(!error, "WinHttpWriteData: %lu\n", error);
            }
            error = replay_write(request, &a, TRUE, "0\r\n\r\n", 5);
            ok(!error, "WinHttpWriteData (last chunk): %lu\n", error);
        }
        error = replay_receive(request, &a, TRUE, &status, body, sizeof(body), &len);
        ok(!error && status == 200, "response: %lu %lu\n", error, status);
        if (chunked) ok(!strcmp(body, "{\"a\":1,\"b\":[1,2,3],\"c\":\"json\"}"), "echo: %s\n", body);
        else ok(!strcmp(body, "hello"), "body: %s\n", body);
        WinHttpCloseHandle(request);
    }

    /* ~winhttp_client() */
    ok(WinHttpCloseHandle(connection), "closing the connection failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(session, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
    CloseHandle(a.event);
}

START_TEST(fw_cpprestsdk)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_cpprestsdk(host, port);
}
