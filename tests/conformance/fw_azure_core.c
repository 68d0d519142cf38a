/*
 * Replay of the Azure SDK for C++'s WinHTTP transport (Azure/azure-sdk-for-cpp,
 * sdk/core/azure-core/src/http/winhttp/win_http_transport.cpp and
 * win_http_request.hpp: WinHttpTransport, WinHttpRequest, WinHttpAction,
 * WinHttpStream).  Asynchronous handles driven synchronously: every call is
 * followed by WinHttpAction::WaitForAction, which waits on an event the status
 * callback sets for one expected status (or REQUEST_ERROR).
 *
 *   CreateSessionHandle(): WinHttpOpen(NULL agent, NO_PROXY (AUTOMATIC_PROXY
 *     when EnableSystemDefaultProxy), WINHTTP_FLAG_ASYNC); TLS_FALSE_START
 *     (result ignored; TCP_FAST_OPEN is compiled out there); SECURE_PROTOCOLS
 *     TLS 1.2 | TLS 1.3, falling back to TLS 1.2 alone, fatal if both fail.
 *   CreateConnectionHandle(): WinHttpConnect(host, port or INTERNET_DEFAULT_PORT).
 *   WinHttpRequest(): WinHttpOpenRequest(verb, path or NULL, NULL version,
 *     NO_REFERER, DEFAULT_ACCEPT_TYPES, SECURE for https); for https
 *     CLIENT_CERT_CONTEXT = WINHTTP_NO_CLIENT_CERT_CONTEXT (NULL, 0); with an
 *     expected root or validation off SECURITY_FLAGS IGNORE_UNKNOWN_CA;
 *     WinHttpSetStatusCallback(request, ALL_NOTIFICATIONS) - every step fatal.
 *   SendRequest(): WinHttpSendRequest(headers "Name: value\r\n...\r\n" with
 *     length -1, no optional data, total = body length, context = the action)
 *     -> SENDREQUEST_COMPLETE; Upload(): WinHttpWriteData(buffer, len,
 *     &written) per chunk (a non-NULL count on an asynchronous handle)
 *     -> WRITE_COMPLETE.  In SENDING_REQUEST, with an expected root, it queries
 *     WINHTTP_OPTION_SERVER_CERT_CONTEXT from inside the callback.
 *   ReceiveResponse(): WinHttpReceiveResponse -> HEADERS_AVAILABLE.
 *   SendRequestAndGetResponse(): RAW_HEADERS with a NULL buffer must fail
 *     with ERROR_INSUFFICIENT_BUFFER (anything else throws), then into a buffer
 *     of that size; the status line ends at the first NUL, headers follow one
 *     per NUL; VERSION and STATUS_TEXT read into the same buffer with its
 *     size; STATUS_CODE | NUMBER.  GetContentLength(): CONTENT_LENGTH | NUMBER
 *     (not for HEAD or 204), any failure meaning "unknown".
 *   ReadData(): WinHttpReadData(buffer, count, &read) -> READ_COMPLETE, the
 *     count from the callback's length when *read stayed 0; WinHttpStream
 *     ends at a 0 read or when Content-Length bytes came.
 *   ~WinHttpRequest(): WinHttpCloseHandle(request) waited for as the action
 *     HANDLE_CLOSING (a REQUEST_ERROR meanwhile is only logged).
 *   Errors: a failed call throws with GetLastError(); a REQUEST_ERROR with
 *     its dwError (and dwResult names the API); the message comes from
 *     FormatMessage(FROM_HMODULE winhttp.dll | FROM_SYSTEM).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "loopback.h"
#include "replay.h"

/* WinHttpAction: one outstanding action of one request */
struct azure_action
{
    HANDLE event;
    volatile DWORD expected;
    volatile DWORD stowed_error;
    volatile DWORD_PTR stowed_result;
    volatile DWORD bytes;
    volatile LONG closed;          /* HANDLE_CLOSING seen */
    volatile LONG after_closing;   /* notifications after it (must stay 0) */
    volatile LONG check_cert;      /* query the server certificate in SENDING_REQUEST */
    volatile LONG cert_seen;       /* ... and it was there */
};

static void CALLBACK azure_status(HINTERNET handle, DWORD_PTR ctx, DWORD status, void *info, DWORD len)
{
    struct azure_action *a = (struct azure_action *)ctx;

    if (!a) return;   /* before SendRequest gave the context */
    if (a->closed)
    {
        InterlockedIncrement(&a->after_closing);
        return;
    }
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
    {
        WINHTTP_ASYNC_RESULT *result = info;
        if (a->expected == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) return;
        a->stowed_result = result->dwResult;
        a->stowed_error = result->dwError ? result->dwError : ERROR_GEN_FAILURE;
        SetEvent(a->event);
    }
    else if (status == WINHTTP_CALLBACK_STATUS_SENDING_REQUEST && a->check_cert)
    {
        /* HandleExpectedTlsRootCertificates(): only valid inside the callback */
        const CERT_CONTEXT *cert = NULL;
        DWORD size = sizeof(cert);

        if (WinHttpQueryOption(handle, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size) && cert)
        {
            a->cert_seen = 1;
            CertFreeCertificateContext(cert);
        }
    }
    else if (status == a->expected)
    {
        if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE) a->bytes = len;
        if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) a->closed = 1;
        SetEvent(a->event);
    }
}

/* The first half of WaitForAction: reset, then the caller starts the call. */
static void begin_action(struct azure_action *a, DWORD expected)
{
    ResetEvent(a->event);
    a->expected = expected;
    a->stowed_error = 0;
    a->stowed_result = 0;
    a->bytes = 0;
}

/* The second half: 0, or the error the action completed with. */
static DWORD wait_action(struct azure_action *a, BOOL started)
{
    if (!started) return GetLastError();
    if (WaitForSingleObject(a->event, REPLAY_TIMEOUT) != WAIT_OBJECT_0) return ERROR_TIMEOUT;
    return a->stowed_error;
}

/* CreateSessionHandle() */
static HINTERNET create_session(void)
{
    DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
    BOOL false_start = TRUE;
    HINTERNET session;
    BOOL ret;

    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                          WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (!session) return NULL;
    /* an RTT optimisation of Windows 10 2004: its failure is ignored */
    WinHttpSetOption(session, 154 /* WINHTTP_OPTION_TLS_FALSE_START */, &false_start, sizeof(false_start));
    ret = WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols, sizeof(protocols));
    ok(ret, "SECURE_PROTOCOLS TLS 1.2 | 1.3 failed: %lu\n", GetLastError());
    return session;
}

/* The WinHttpRequest constructor; NULL when a step failed (the SDK throws). */
static HINTERNET open_request(HINTERNET connection, const WCHAR *verb, const WCHAR *path, BOOL secure)
{
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    HINTERNET request;
    BOOL ret;

    request = WinHttpOpenRequest(connection, verb, path, NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                 secure ? WINHTTP_FLAG_SECURE : 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) return NULL;
    if (secure)
    {
        ret = WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
        ok(ret, "CLIENT_CERT_CONTEXT (none) failed: %lu\n", GetLastError());
        /* ExpectedTlsRootCertificate set: unknown CAs are let through and the
         * chain is checked in the callback instead */
        ret = WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
        ok(ret, "SECURITY_FLAGS failed: %lu\n", GetLastError());
    }
    ok(WinHttpSetStatusCallback(request, azure_status, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
       != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    return request;
}

/* ~WinHttpRequest(): close, waiting for HANDLE_CLOSING; nothing after it */
static void close_request(HINTERNET request, struct azure_action *a)
{
    DWORD error;

    begin_action(a, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING);
    error = wait_action(a, WinHttpCloseHandle(request));
    ok(!error, "closing the request: %lu\n", error);
    ok(a->closed, "no HANDLE_CLOSING with the request's context\n");
    ok(!a->after_closing, "%ld notifications after HANDLE_CLOSING\n", a->after_closing);
}

/* SendRequestAndGetResponse(): the header-buffer protocol.  Returns the status. */
static DWORD get_response(HINTERNET request, char *header_text, DWORD text_size)
{
    DWORD size = 0, probe, status = 0, len, i, out = 0;
    WCHAR *buffer, *p, *end;
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS, WINHTTP_HEADER_NAME_BY_INDEX, NULL, &size,
                              WINHTTP_NO_HEADER_INDEX);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "RAW_HEADERS probe: %d %lu\n", ret, GetLastError());
    ok(size && !(size % sizeof(WCHAR)), "RAW_HEADERS size %lu\n", size);
    if (ret || !size) return 0;
    probe = size;
    buffer = calloc(1, size);
    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS, WINHTTP_HEADER_NAME_BY_INDEX, buffer, &size,
                              WINHTTP_NO_HEADER_INDEX);
    ok(ret, "RAW_HEADERS failed: %lu\n", GetLastError());
    /* the probe counted the final terminator, the answer does not */
    ok(size == probe - sizeof(WCHAR), "RAW_HEADERS: %lu bytes after a probe of %lu\n", size, probe);
    /* the status line, then "Name: value" strings, each NUL-terminated */
    end = buffer + size / sizeof(WCHAR);
    p = buffer + wcslen(buffer) + 1;
    ok(!wcsncmp(buffer, L"HTTP/1.1 ", 9), "status line %s\n", wine_dbgstr_w(buffer));
    for (; p < end && *p && out + 2 < text_size; p += wcslen(p) + 1)
    {
        ok(wcschr(p, ':') != NULL, "header without a colon: %s\n", wine_dbgstr_w(p));
        for (i = 0; p[i] && out + 2 < text_size; i++) header_text[out++] = (char)p[i];
        header_text[out++] = '\n';
    }
    header_text[out] = 0;

    len = probe;
    ok(WinHttpQueryHeaders(request, WINHTTP_QUERY_VERSION, WINHTTP_HEADER_NAME_BY_INDEX, buffer, &len,
                           WINHTTP_NO_HEADER_INDEX), "VERSION failed: %lu\n", GetLastError());
    ok(len == 8 * sizeof(WCHAR) && !wcsncmp(buffer, L"HTTP/1.1", 8), "VERSION %s (%lu bytes)\n",
       wine_dbgstr_w(buffer), len);
    len = sizeof(status);
    ok(WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                           WINHTTP_HEADER_NAME_BY_INDEX, &status, &len, WINHTTP_NO_HEADER_INDEX),
       "STATUS_CODE failed: %lu\n", GetLastError());
    ok(len == sizeof(DWORD), "STATUS_CODE length %lu\n", len);
    /* the reason phrase (HTTP/1.x only), optional: "if it succeeds and is not empty" */
    len = probe;
    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_TEXT, WINHTTP_HEADER_NAME_BY_INDEX, buffer, &len,
                            WINHTTP_NO_HEADER_INDEX) && status == 200)
        ok(len == 2 * sizeof(WCHAR) && !wcscmp(buffer, L"OK"), "STATUS_TEXT %s (%lu bytes)\n",
           wine_dbgstr_w(buffer), len);
    free(buffer);
    return status;
}

/* GetContentLength(): -1 when unknown */
static LONGLONG content_length(HINTERNET request, BOOL head, DWORD status)
{
    DWORD value = 0, size = sizeof(value);

    if (head || status == HTTP_STATUS_NO_CONTENT) return 0;
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_LENGTH | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &value, &size, WINHTTP_NO_HEADER_INDEX))
    {
        ok(GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "CONTENT_LENGTH: %lu\n", GetLastError());
        return -1;
    }
    return value;
}

/* WinHttpStream::OnRead until the end; the body NUL-terminated.  0 or an error. */
static DWORD read_body(HINTERNET request, struct azure_action *a, LONGLONG length, char *body, DWORD size,
                       DWORD chunk, DWORD *total)
{
    DWORD read, error;
    unsigned int rounds;

    *total = 0;
    for (rounds = 0; rounds < 10000 && length && *total < size - 1; rounds++)
    {
        DWORD count = min(chunk, size - 1 - *total);

        read = 0;
        begin_action(a, WINHTTP_CALLBACK_STATUS_READ_COMPLETE);
        if ((error = wait_action(a, WinHttpReadData(request, body + *total, count, &read)))) return error;
        if (!read) read = a->bytes;
        ok(read <= count, "read %lu of %lu\n", read, count);
        *total += read;
        if (!read || (length != -1 && *total == length)) break;
    }
    body[*total] = 0;
    return 0;
}

/* WinHttpTransport::Send() for one request, its body in 'chunks' (NULL-ended). */
static DWORD azure_send(HINTERNET session, const WCHAR *host, INTERNET_PORT port, BOOL secure, const WCHAR *verb,
                        const WCHAR *path, const WCHAR *headers, const char *const *chunks, DWORD read_chunk,
                        char *header_text, DWORD text_size, char *body, DWORD body_size, DWORD *status,
                        struct azure_action *a)
{
    DWORD error, written, total = 0, i, got;
    HINTERNET connection, request;
    LONGLONG length;

    *status = 0;
    body[0] = header_text[0] = 0;
    for (i = 0; chunks && chunks[i]; i++) total += (DWORD)strlen(chunks[i]);

    connection = WinHttpConnect(session, host, port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    if (!connection) return GetLastError();
    if (!(request = open_request(connection, verb, path, secure)))
    {
        WinHttpCloseHandle(connection);
        return ERROR_GEN_FAILURE;
    }
    a->closed = a->after_closing = 0;

    begin_action(a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    error = wait_action(a, WinHttpSendRequest(request, headers, headers ? (DWORD)-1 : 0, WINHTTP_NO_REQUEST_DATA, 0,
                                              total, (DWORD_PTR)a));
    for (i = 0; !error && chunks && chunks[i]; i++)
    {
        written = 0;
        begin_action(a, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE);
        error = wait_action(a, WinHttpWriteData(request, chunks[i], (DWORD)strlen(chunks[i]), &written));
    }
    if (!error)
    {
        begin_action(a, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
        error = wait_action(a, WinHttpReceiveResponse(request, NULL));
    }
    if (!error)
    {
        *status = get_response(request, header_text, text_size);
        length = content_length(request, !wcscmp(verb, L"HEAD"), *status);
        error = read_body(request, a, length, body, body_size, read_chunk, &got);
        if (!error && length != -1) ok(got == length, "%lu bytes of %I64d\n", got, length);
    }
    close_request(request, a);
    WinHttpCloseHandle(connection);
    return error;
}

static void test_azure(const WCHAR *host, INTERNET_PORT port)
{
    static const char *const blob[] = { "block one, ", "block two", NULL };
    char headers[2048], body[4096];
    struct azure_action a = {0};
    HINTERNET session;
    DWORD error, status;

    a.event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!(session = create_session())) return;

    /* a GET with a Content-Length, read in reads smaller than the body */
    error = azure_send(session, host, port, FALSE, L"GET", L"/http/hello", NULL, NULL, 2, headers, sizeof(headers),
                       body, sizeof(body), &status, &a);
    ok(!error && status == 200 && !strcmp(body, "hello"), "GET: %lu %lu %s\n", error, status, body);
    ok(strstr(headers, "Content-Length: 5\n") != NULL, "headers:\n%s\n", headers);

    /* the SDK's request headers: "Name: value\r\n" each and a final "\r\n" */
    error = azure_send(session, host, port, FALSE, L"GET", L"/http/echo-headers",
                       L"x-ms-client-request-id: 1234\r\nx-ms-version: 2023-11-03\r\n\r\n", NULL, 4096, headers,
                       sizeof(headers), body, sizeof(body), &status, &a);
    ok(!error && status == 200, "GET echo-headers: %lu %lu\n", error, status);
    ok(strstr(body, "\r\nx-ms-client-request-id: 1234\r\n") && strstr(body, "\r\nx-ms-version: 2023-11-03\r\n"),
       "request head:\n%s\n", body);

    /* a chunked answer: no Content-Length, the end is the 0 read */
    error = azure_send(session, host, port, FALSE, L"GET", L"/http/chunked", NULL, NULL, 7, headers, sizeof(headers),
                       body, sizeof(body), &status, &a);
    ok(!error && status == 200 && !strcmp(body, "hello chunked world"), "chunked: %lu %lu %s\n", error, status, body);

    /* an upload of a known length in the SDK's chunks (PUT Blob) */
    error = azure_send(session, host, port, FALSE, L"PUT", L"/http/echo-body",
                       L"Content-Type: application/octet-stream\r\n\r\n", blob, 4096, headers, sizeof(headers), body,
                       sizeof(body), &status, &a);
    ok(!error && status == 200 && !strcmp(body, "block one, block two"), "PUT: %lu %lu %s\n", error, status, body);

    /* HEAD and 204: no body read at all */
    error = azure_send(session, host, port, FALSE, L"HEAD", L"/http/hello", NULL, NULL, 4096, headers, sizeof(headers),
                       body, sizeof(body), &status, &a);
    ok(!error && status == 200 && !body[0], "HEAD: %lu %lu %s\n", error, status, body);
    error = azure_send(session, host, port, FALSE, L"DELETE", L"/http/status/204", NULL, NULL, 4096, headers,
                       sizeof(headers), body, sizeof(body), &status, &a);
    ok(!error && status == 204, "DELETE: %lu %lu\n", error, status);

    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
    CloseHandle(a.event);
}

/* The error path: a port nobody listens on.  The send's action fails with
 * REQUEST_ERROR (API_SEND_REQUEST, ERROR_WINHTTP_CANNOT_CONNECT), then the
 * destructor's close still gets its HANDLE_CLOSING. */
static void test_azure_cannot_connect(void)
{
    struct azure_action a = {0};
    HINTERNET session, connection, request;
    int port = 0;
    SOCKET s;
    DWORD error;

    /* a loopback port nobody listens on: take a free one, then let it go */
    s = loopback_listen(0, 1, &port);
    ok(s != INVALID_SOCKET, "no port: %d\n", WSAGetLastError());
    closesocket(s);

    a.event = CreateEventW(NULL, TRUE, FALSE, NULL);
    session = create_session();
    connection = WinHttpConnect(session, L"127.0.0.1", port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    request = open_request(connection, L"GET", L"/", FALSE);
    if (request)
    {
        begin_action(&a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
        error = wait_action(&a, WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&a));
        ok(error == ERROR_WINHTTP_CANNOT_CONNECT, "send: %lu\n", error);
        ok(a.stowed_result == API_SEND_REQUEST, "failing API %Iu\n", a.stowed_result);
        close_request(request, &a);
    }
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    CloseHandle(a.event);
}

/* An https request to a server whose CA is not trusted, as with
 * ExpectedTlsRootCertificate: IGNORE_UNKNOWN_CA, and the server's certificate
 * read from inside the SENDING_REQUEST callback. */
static void test_azure_tls(void)
{
    struct azure_action a = {0};
    char headers[2048], body[256];
    INTERNET_PORT port;
    HINTERNET session;
    DWORD error, status;
    WCHAR host[128];

    if (!ws_parse_server(ws_server_env("WSTEST_TLS_UNTRUSTED_SERVER"), host, ARRAY_SIZE(host), &port))
    {
        skip("WSTEST_TLS_UNTRUSTED_SERVER is not set\n");
        return;
    }
    lstrcpyW(host, L"localhost");   /* the name the certificate carries */
    a.event = CreateEventW(NULL, TRUE, FALSE, NULL);
    a.check_cert = 1;
    session = create_session();
    error = azure_send(session, host, port, TRUE, L"GET", L"/http/hello", NULL, NULL, 4096, headers, sizeof(headers),
                       body, sizeof(body), &status, &a);
    ok(!error && status == 200 && !strcmp(body, "hello"), "https GET: %lu %lu %s\n", error, status, body);
    ok(a.cert_seen, "no server certificate in SENDING_REQUEST\n");
    WinHttpCloseHandle(session);
    CloseHandle(a.event);
}

START_TEST(fw_azure_core)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_azure(host, port);
    test_azure_cannot_connect();
    test_azure_tls();
}
