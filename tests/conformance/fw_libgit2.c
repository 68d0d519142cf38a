/*
 * Replay of libgit2's WinHTTP transport (libgit2/libgit2,
 * src/libgit2/transports/winhttp.c): winhttp_connect() opens the session,
 * winhttp_stream_connect() prepares each request, send_request() /
 * do_send_request() send it, write_chunk() and winhttp_stream_read() stream a
 * push body in chunks that libgit2 frames itself.  Synchronous handles.
 *
 * Every call whose failure libgit2 treats as fatal must succeed; the one it
 * ignores (WINHTTP_OPTION_PEERDIST_EXTENSION_STATE) is only made.  Then the
 * request goes to the test server: a POST with a chunked body, as a push
 * sends it, echoed back.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

static void CALLBACK libgit2_status(HINTERNET handle, DWORD_PTR ctx, DWORD code, void *info, DWORD len)
{
    /* winhttp_status(): records SENDING_REQUEST, reports SECURE_FAILURE */
    if (code == WINHTTP_CALLBACK_STATUS_SENDING_REQUEST && ctx) *(LONG *)ctx = 1;
}

/* winhttp_stream_connect() for one request; returns it or NULL. */
static HINTERNET stream_connect(HINTERNET connection, const WCHAR *verb, const WCHAR *path, const WCHAR *service)
{
    static const WCHAR *types[] = { L"*/*", NULL };
    DWORD autologon_policy = WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH;
    DWORD disable_redirects = WINHTTP_DISABLE_REDIRECTS;
    BOOL peerdist = FALSE;
    WCHAR header[128];
    HINTERNET request;
    BOOL ret;

    request = WinHttpOpenRequest(connection, verb, path, NULL, WINHTTP_NO_REFERER, types, 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) return NULL;

    /* "Never attempt default credentials; we'll provide them explicitly." */
    ret = WinHttpSetOption(request, WINHTTP_OPTION_AUTOLOGON_POLICY, &autologon_policy, sizeof(DWORD));
    ok(ret, "AUTOLOGON_POLICY failed: %lu\n", GetLastError());
    ret = WinHttpSetTimeouts(request, -1, 60000, -1, -1);
    ok(ret, "WinHttpSetTimeouts(request) failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(request, WINHTTP_OPTION_DISABLE_FEATURE, &disable_redirects, sizeof(disable_redirects));
    ok(ret, "DISABLE_FEATURE(REDIRECTS) failed: %lu\n", GetLastError());
    /* libgit2 ignores the result of this one */
    WinHttpSetOption(request, WINHTTP_OPTION_PEERDIST_EXTENSION_STATE, &peerdist, sizeof(peerdist));

    ret = WinHttpAddRequestHeaders(request, L"Pragma: no-cache", (ULONG)-1, WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "Pragma failed: %lu\n", GetLastError());
    if (!wcscmp(verb, L"POST"))
    {
        swprintf(header, ARRAY_SIZE(header), L"Content-Type: application/x-git-%ls-request", service);
        ret = WinHttpAddRequestHeaders(request, header, (ULONG)-1, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
        ok(ret, "Content-Type failed: %lu\n", GetLastError());
        swprintf(header, ARRAY_SIZE(header), L"Accept: application/x-git-%ls-result", service);
        ret = WinHttpAddRequestHeaders(request, header, (ULONG)-1, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
        ok(ret, "Accept failed: %lu\n", GetLastError());
    }
    return request;
}

/* write_chunk(): libgit2 frames each chunk itself, in three writes */
static void write_chunk(HINTERNET request, const char *data, DWORD len)
{
    char size[16];
    DWORD error;

    sprintf(size, "%lX\r\n", len);
    error = replay_write(request, NULL, FALSE, size, (DWORD)strlen(size));
    ok(!error, "chunk header: %lu\n", error);
    error = replay_write(request, NULL, FALSE, data, len);
    ok(!error, "chunk body: %lu\n", error);
    error = replay_write(request, NULL, FALSE, "\r\n", 2);
    ok(!error, "chunk footer: %lu\n", error);
}

static void test_libgit2(const WCHAR *host, INTERNET_PORT port)
{
    DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 |
                      WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
    HINTERNET session, connection, request;
    DWORD error, status, len;
    LONG sending = 0;
    char body[4096];
    BOOL ret;

    /* winhttp_connect() */
    session = WinHttpOpen(L"git/2.0 (libgit2 1.9.0)", WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, WINHTTP_NO_PROXY_NAME,
                          WINHTTP_NO_PROXY_BYPASS, 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    /* a best-effort attempt with TLS 1.3, then without: on Windows 11 the first succeeds */
    ret = WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols, sizeof(protocols));
    ok(ret, "SECURE_PROTOCOLS with TLS 1.3 failed: %lu\n", GetLastError());
    protocols &= ~WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
    ret = WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols, sizeof(protocols));
    ok(ret, "SECURE_PROTOCOLS up to TLS 1.2 failed: %lu\n", GetLastError());
    ret = WinHttpSetTimeouts(session, -1, 60000, -1, -1);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    connection = WinHttpConnect(session, host, port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    ok(WinHttpSetStatusCallback(connection, libgit2_status,
                                WINHTTP_CALLBACK_FLAG_SECURE_FAILURE | WINHTTP_CALLBACK_FLAG_SEND_REQUEST, 0)
       != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());

    /* the GET of the ref advertisement: do_send_request() with len 0 */
    request = stream_connect(connection, L"GET", L"/http/hello", L"receive-pack");
    if (!request) goto done;
    ret = WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                             (DWORD_PTR)&sending);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(sending == 1, "SENDING_REQUEST not seen\n");
    error = replay_receive(request, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && len == 5 && !strcmp(body, "hello"), "GET: %lu %lu %s\n", error, status, body);
    WinHttpCloseHandle(request);

    /* the push: a chunked POST, Transfer-Encoding added by libgit2
     * (winhttp_stream_write_chunked), WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH */
    request = stream_connect(connection, L"POST", L"/http/echo-body", L"receive-pack");
    if (!request) goto done;
    ret = WinHttpAddRequestHeaders(request, L"Transfer-Encoding: chunked", (ULONG)-1, WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "Transfer-Encoding failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0,
                             WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH, (DWORD_PTR)&sending);
    ok(ret, "WinHttpSendRequest (chunked) failed: %lu\n", GetLastError());
    write_chunk(request, "0014command ref\n", 16);
    write_chunk(request, "0000PACK", 8);
    error = replay_write(request, NULL, FALSE, "0\r\n\r\n", 5);
    ok(!error, "final chunk: %lu\n", error);
    error = replay_receive(request, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !strcmp(body, "0014command ref\n0000PACK"), "POST: %lu %lu %s\n", error, status,
       body);
    WinHttpCloseHandle(request);

done:
    /* winhttp_close_connection() */
    ok(WinHttpCloseHandle(connection), "closing the connection failed: %lu\n", GetLastError());
    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
}

START_TEST(fw_libgit2)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_libgit2(host, port);
}
