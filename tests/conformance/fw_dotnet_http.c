/*
 * Replay of .NET's WinHttpHandler (dotnet/runtime,
 * src/libraries/System.Net.Http.WinHttpHandler/src/System/Net/Http/WinHttpHandler.cs):
 *   EnsureSessionHandleExists(): WinHttpOpen, ASSURED_NON_BLOCKING_CALLBACKS
 *     (only ERROR_WINHTTP_INVALID_OPTION is tolerated), SetSessionHandleOptions()
 *     = SetSessionHandleConnectionOptions (MAX_CONNS_PER_SERVER and _1_0_ to
 *     int.MaxValue), SetSessionHandleTlsOptions (SECURE_PROTOCOLS),
 *     SetSessionHandleTimeoutOptions (WinHttpSetTimeouts), SetTcpKeepalive
 *     (WINHTTP_OPTION_TCP_KEEPALIVE, when enabled);
 *   StartRequestAsync(): WinHttpConnect, OpenRequestHandle() (with
 *     WINHTTP_FLAG_AUTOMATIC_CHUNKING for a body of unknown length, falling
 *     back to manual chunking when that fails with ERROR_INVALID_PARAMETER),
 *     SetStatusCallback, SetRequestHandleOptions() (decompression, tolerating
 *     ERROR_WINHTTP_INVALID_OPTION; MAX_HTTP_AUTOMATIC_REDIRECTS and
 *     REDIRECT_POLICY; AUTOLOGON_POLICY through WinHttpAuthHelper's
 *     ChangeDefaultCredentialsPolicy; MAX_RESPONSE_HEADER_SIZE and
 *     MAX_RESPONSE_DRAIN_SIZE; ENABLE_HTTP_PROTOCOL, result ignored), then the
 *     send, the body (WinHttpRequestStream: manual chunks and the final
 *     "0\r\n\r\n", or with automatic chunking the spans and EndUploadAsync's
 *     zero-length write), the response and RECEIVE_TIMEOUT for the body.
 * Every call .NET turns into an exception must succeed.  Asynchronous session,
 * the handler's defaults (WindowsProxyUsePolicy.UseWinHttpProxy,
 * MaxConnectionsPerServer int.MaxValue, 30 s send and receive-headers
 * timeouts, 50 redirects, 64 KB of headers, 1 MB drain), automatic gzip and
 * deflate decompression switched on.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

static void set_option(HINTERNET handle, DWORD option, DWORD value, const char *name)
{
    BOOL ret = WinHttpSetOption(handle, option, &value, sizeof(value));
    ok(ret, "%s failed: %lu\n", name, GetLastError());
}

/* EnsureSessionHandleExists() */
static HINTERNET ensure_session(void)
{
    struct { ULONG onoff, keepalivetime, keepaliveinterval; } keepalive = { 1, 30000, 1000 };
    DWORD assured = TRUE;
    HINTERNET session;
    BOOL ret;

    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                          WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(session, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, &assured, sizeof(assured));
    ok(ret || GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "ASSURED_NON_BLOCKING_CALLBACKS: %lu\n", GetLastError());
    ok(ret, "Windows 8 and later take ASSURED_NON_BLOCKING_CALLBACKS: %lu\n", GetLastError());

    set_option(session, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, 0x7fffffff, "MAX_CONNS_PER_SERVER");
    set_option(session, WINHTTP_OPTION_MAX_CONNS_PER_1_0_SERVER, 0x7fffffff, "MAX_CONNS_PER_1_0_SERVER");
    set_option(session, WINHTTP_OPTION_SECURE_PROTOCOLS,
               WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2,
               "SECURE_PROTOCOLS");
    ret = WinHttpSetTimeouts(session, 0, 0, 30000, 30000);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    /* SetTcpKeepalive, with TcpKeepAliveEnabled */
    ret = WinHttpSetOption(session, WINHTTP_OPTION_TCP_KEEPALIVE, &keepalive, sizeof(keepalive));
    ok(ret, "TCP_KEEPALIVE failed: %lu\n", GetLastError());
    return session;
}

/* OpenRequestHandle() and SetRequestHandleOptions(); *chunked says whether the
 * body goes out in manual chunks. */
static HINTERNET open_request(HINTERNET connect, const WCHAR *verb, const WCHAR *path, BOOL unknown_length,
                              BOOL *manual_chunks)
{
    DWORD flags = WINHTTP_FLAG_ESCAPE_DISABLE, value;
    HINTERNET request;
    BOOL ret;

    *manual_chunks = FALSE;
    request = WinHttpOpenRequest(connect, verb, path, L"HTTP/1.1", WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                 flags | (unknown_length ? WINHTTP_FLAG_AUTOMATIC_CHUNKING : 0));
    if (!request && unknown_length)
    {
        /* "Platform doesn't support WINHTTP_FLAG_AUTOMATIC_CHUNKING. Revert to manual chunking." */
        ok(GetLastError() == ERROR_INVALID_PARAMETER, "WinHttpOpenRequest failed: %lu\n", GetLastError());
        *manual_chunks = TRUE;
        request = WinHttpOpenRequest(connect, verb, path, L"HTTP/1.1", WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                     flags);
    }
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) return NULL;

    ok(WinHttpSetStatusCallback(request, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS |
                                WINHTTP_CALLBACK_FLAG_HANDLES | WINHTTP_CALLBACK_FLAG_REDIRECT |
                                WINHTTP_CALLBACK_FLAG_SEND_REQUEST, 0) != WINHTTP_INVALID_STATUS_CALLBACK,
       "WinHttpSetStatusCallback failed: %lu\n", GetLastError());

    /* SetRequestHandleDecompressionOptions */
    value = WINHTTP_DECOMPRESSION_FLAG_GZIP | WINHTTP_DECOMPRESSION_FLAG_DEFLATE;
    ret = WinHttpSetOption(request, WINHTTP_OPTION_DECOMPRESSION, &value, sizeof(value));
    ok(ret, "DECOMPRESSION (Windows 8.1 and later take it): %lu\n", GetLastError());
    /* SetRequestHandleRedirectionOptions */
    set_option(request, WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS, 50, "MAX_HTTP_AUTOMATIC_REDIRECTS");
    set_option(request, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_DISALLOW_HTTPS_TO_HTTP,
               "REDIRECT_POLICY");
    /* SetRequestHandleCredentialsOptions: no default credentials until a 401 */
    set_option(request, WINHTTP_OPTION_AUTOLOGON_POLICY, WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH, "AUTOLOGON_POLICY");
    /* SetRequestHandleBufferingOptions */
    set_option(request, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, 64 * 1024, "MAX_RESPONSE_HEADER_SIZE");
    set_option(request, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, 1024 * 1024, "MAX_RESPONSE_DRAIN_SIZE");
    /* SetRequestHandleHttp2Options: result only logged; Windows 10 1607 takes it */
    value = 0;
    ret = WinHttpSetOption(request, WINHTTP_OPTION_ENABLE_HTTP_PROTOCOL, &value, sizeof(value));
    ok(ret, "ENABLE_HTTP_PROTOCOL: %lu\n", GetLastError());
    return request;
}

static void send_and_receive(HINTERNET request, struct replay_async *a, const char *const *chunks, BOOL manual_chunks,
                             char *body, DWORD size, DWORD *status)
{
    DWORD error = 0, len, i;
    char header[16];
    BOOL ret;

    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)a);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(replay_wait(a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, &error), "send: %lu\n", error);
    /* InternalSendRequestBodyAsync: WinHttpRequestStream in manual chunk mode */
    for (i = 0; chunks && chunks[i]; i++)
    {
        len = (DWORD)strlen(chunks[i]);
        if (manual_chunks)
        {
            sprintf(header, "%lx\r\n", len);
            error = replay_write(request, a, TRUE, header, (DWORD)strlen(header));
            ok(!error, "chunk size: %lu\n", error);
        }
        error = replay_write(request, a, TRUE, chunks[i], len);
        ok(!error, "chunk: %lu\n", error);
        if (manual_chunks)
        {
            error = replay_write(request, a, TRUE, "\r\n", 2);
            ok(!error, "chunk end: %lu\n", error);
        }
    }
    /* EndUploadAsync: the last chunk, ours or (automatic chunking) WinHTTP's
     * from the zero-length write */
    if (chunks)
    {
        error = manual_chunks ? replay_write(request, a, TRUE, "0\r\n\r\n", 5) : replay_write(request, a, TRUE, NULL, 0);
        ok(!error, "end chunk: %lu\n", error);
    }

    error = replay_receive(request, a, TRUE, status, body, size, &len);
    ok(!error, "receive: %lu\n", error);
}

static void test_dotnet(const WCHAR *host, INTERNET_PORT port)
{
    static const char *const chunks[] = { "streamed ", "content ", "of unknown length", NULL };
    HINTERNET session, connect, request;
    struct replay_async a;
    BOOL manual_chunks;
    char body[1024];
    DWORD status;

    replay_async_init(&a);
    session = ensure_session();

    /* GET */
    connect = WinHttpConnect(session, host, port, 0);
    ok(connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    request = open_request(connect, L"GET", L"/http/hello", FALSE, &manual_chunks);
    if (request)
    {
        send_and_receive(request, &a, NULL, FALSE, body, sizeof(body), &status);
        ok(status == 200 && !strcmp(body, "hello"), "GET: %lu %s\n", status, body);
        /* after the headers: RECEIVE_TIMEOUT for the body reads (receiveDataTimeout, 30 s) */
        set_option(request, WINHTTP_OPTION_RECEIVE_TIMEOUT, 30000, "RECEIVE_TIMEOUT");
        WinHttpCloseHandle(request);
    }
    WinHttpCloseHandle(connect);

    /* POST of a stream content: no length known */
    connect = WinHttpConnect(session, host, port, 0);
    request = open_request(connect, L"POST", L"/http/echo-body", TRUE, &manual_chunks);
    if (request)
    {
        if (manual_chunks)
            ok(WinHttpAddRequestHeaders(request, L"Transfer-Encoding: chunked\r\n", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD),
               "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());
        send_and_receive(request, &a, chunks, manual_chunks, body, sizeof(body), &status);
        ok(status == 200 && !strcmp(body, "streamed content of unknown length"), "POST: %lu %s\n", status, body);
        WinHttpCloseHandle(request);
    }
    WinHttpCloseHandle(connect);

    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
    CloseHandle(a.event);
}

START_TEST(fw_dotnet_http)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_dotnet(host, port);
}
