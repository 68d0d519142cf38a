/*
 * Replay of Microsoft's Rust HTTP transport over WinHTTP, fetch_winhttp
 * (microsoft/oxidizer, crates/fetch_winhttp: src/session.rs,
 * src/options.rs, src/request.rs (apply_request_settings), src/query.rs,
 * src/body/read.rs (WinHttpBodyReader), src/bindings/mod.rs and
 * src/bindings/real.rs, docs/implementation.md).  Asynchronous throughout; the
 * status callback is registered once on the session and inherited by every
 * request, whose context is installed with WINHTTP_OPTION_CONTEXT_VALUE.
 *
 *   WinHttpSession::new(): WinHttpOpen(L"fetch_winhttp", AUTOMATIC_PROXY,
 *     NULL, NULL, WINHTTP_FLAG_ASYNC); WinHttpSetTimeouts(resolve or -1, -1,
 *     -1, -1); DISABLE_GLOBAL_POOLING = TRUE; ASSURED_NON_BLOCKING_CALLBACKS =
 *     TRUE; (HTTP2_KEEPALIVE / HTTP3_KEEPALIVE only when the client asks for
 *     keep-alive probes: not replayed); WinHttpSetStatusCallback(session,
 *     completions | SECURE_FAILURE | HANDLE_CREATED | HANDLE_CLOSING |
 *     CONNECTING/CONNECTED_TO_SERVER).  Each step is fatal: "there is no
 *     capability fallback" (SessionInitializationOperation).
 *   Per request: WinHttpConnect; WinHttpOpenRequest(method, path, NULL, NULL,
 *     NULL, SECURE | AUTOMATIC_CHUNKING when the body's length is unknown);
 *     apply_request_settings(): ENABLE_HTTP_PROTOCOL = HTTP2 (its default
 *     versions are 1.1 and 2), SECURITY_FLAGS when asked, REDIRECT_POLICY =
 *     NEVER, DISABLE_FEATURE = COOKIES | AUTHENTICATION, DECOMPRESSION = GZIP |
 *     DEFLATE; CONTEXT_VALUE = the request context (pointer-sized);
 *     WinHttpSendRequest(headers "name: value\r\n"... with their exact length,
 *     no optional data, the total length, the context) -> SENDREQUEST_COMPLETE;
 *     WinHttpWriteData(buffer, len, NULL) -> WRITE_COMPLETE;
 *   src/body/write.rs: a body of unknown length (RequestBodyPlan) opens the
 *     request with AUTOMATIC_CHUNKING, sends with the total length
 *     WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH and no Content-Length, writes each
 *     contiguous span with one WinHttpWriteData (WRITE_COMPLETE must carry
 *     a non-zero length), then end_automatic_chunking(): WinHttpWriteData(NULL,
 *     0, NULL) -> WRITE_COMPLETE with 0, before WinHttpReceiveResponse.
 *     WinHttpReceiveResponse -> HEADERS_AVAILABLE.
 *   query.rs: STATUS_CODE | NUMBER (a 4-byte answer or it is malformed);
 *     WINHTTP_OPTION_HTTP_PROTOCOL_USED (4 bytes; 0 means ask VERSION);
 *     VERSION and RAW_HEADERS_CRLF | WIRE_ENCODING sized with a NULL buffer
 *     and 0 (ERROR_INSUFFICIENT_BUFFER gives the size), then read: the answer
 *     no longer than the buffer, VERSION with no NUL inside.
 *   WinHttpBodyReader: WinHttpReadDataEx(buffer, capacity, NULL, FILL_BUFFER
 *     while the declared Content-Length still owes bytes, else 0, 0, NULL);
 *     ERROR_SUCCESS and ERROR_IO_PENDING both mean "a callback finishes it";
 *     READ_COMPLETE must carry the lent buffer and a length within it; a
 *     0-byte READ_COMPLETE alone is the end, after which RAW_HEADERS_CRLF |
 *     FLAG_TRAILERS | WIRE_ENCODING is asked (ERROR_WINHTTP_HEADER_NOT_FOUND:
 *     no trailers).
 *   Drop: WinHttpCloseHandle(request), and the context is reclaimed at its
 *     HANDLE_CLOSING; callbacks with a NULL context (the session's, the
 *     connection's, a request's before CONTEXT_VALUE) are ignored.
 *
 * DISABLE_GLOBAL_POOLING is checked for what the crate sets it for
 * (implementation.md section 9.3: two clients must not reuse each other's
 * pooled connections), with wsserver's /http/conn-id.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

#define WINHTTP_OPTION_DISABLE_GLOBAL_POOLING_  195
#define WINHTTP_CALLBACK_FLAG_GETPROXYSETTINGS_COMPLETE_  0x08000000
#define DESIRED_READ_SIZE  4096

static const DWORD session_flags =
    WINHTTP_CALLBACK_FLAG_SENDREQUEST_COMPLETE | WINHTTP_CALLBACK_FLAG_HEADERS_AVAILABLE |
    WINHTTP_CALLBACK_FLAG_DATA_AVAILABLE | WINHTTP_CALLBACK_FLAG_READ_COMPLETE | WINHTTP_CALLBACK_FLAG_WRITE_COMPLETE |
    WINHTTP_CALLBACK_FLAG_REQUEST_ERROR | WINHTTP_CALLBACK_FLAG_GETPROXYFORURL_COMPLETE |
    WINHTTP_CALLBACK_FLAG_GETPROXYSETTINGS_COMPLETE_ | WINHTTP_CALLBACK_FLAG_SECURE_FAILURE |
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED | WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING |
    WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER | WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER;

/* RequestContext: one operation armed at a time */
struct fetch_ctx
{
    HANDLE event;
    volatile DWORD armed;          /* the completion awaited, 0 for none */
    volatile DWORD error;          /* REQUEST_ERROR's */
    volatile DWORD bytes;          /* READ_COMPLETE's length, WRITE_COMPLETE's count */
    void *volatile buffer;         /* READ_COMPLETE's buffer */
    volatile LONG unexpected;      /* a completion nobody armed */
    volatile LONG connecting;      /* CONNECTING_TO_SERVER */
    volatile LONG closing;         /* HANDLE_CLOSING */
    volatile LONG after_closing;
};

static volatile LONG null_context_closing;   /* HANDLE_CLOSING of context-less handles */

static void CALLBACK fetch_status(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct fetch_ctx *c = (struct fetch_ctx *)context;

    if (!c)
    {
        if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) InterlockedIncrement(&null_context_closing);
        return;
    }
    if (c->closing)
    {
        InterlockedIncrement(&c->after_closing);
        return;
    }
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER:
        InterlockedIncrement(&c->connecting);
        return;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        c->closing = 1;
        SetEvent(c->event);
        return;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        c->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        if (!c->error) c->error = ERROR_GEN_FAILURE;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        c->buffer = info;
        c->bytes = len;
        goto completion;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        c->bytes = len == sizeof(DWORD) ? *(DWORD *)info : ~0u;
        goto completion;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    completion:
        if (status != c->armed) InterlockedIncrement(&c->unexpected);
        break;
    default:
        return;
    }
    c->armed = 0;
    SetEvent(c->event);
}

/* submit(): arm, start; 0 or the error (the call's own or the completion's) */
static void arm(struct fetch_ctx *c, DWORD status)
{
    c->error = 0;
    c->armed = status;
}

static DWORD await(struct fetch_ctx *c, DWORD started)
{
    if (started) return started;
    if (WaitForSingleObject(c->event, REPLAY_TIMEOUT) != WAIT_OBJECT_0) return ERROR_TIMEOUT;
    return c->error;
}

#define CALL_OK(call) ((call) ? 0 : GetLastError())

static void set_dword(HINTERNET handle, DWORD option, DWORD value, const char *name)
{
    BOOL ret = WinHttpSetOption(handle, option, &value, sizeof(value));
    ok(ret, "%s failed: %lu\n", name, GetLastError());
}

/* WinHttpSession::new(); NULL when a step failed */
static HINTERNET open_session(BOOL private_pool)
{
    HINTERNET session;
    BOOL ret;

    session = WinHttpOpen(L"fetch_winhttp", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (!session) return NULL;
    ret = WinHttpSetTimeouts(session, -1, -1, -1, -1);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    if (private_pool) set_dword(session, WINHTTP_OPTION_DISABLE_GLOBAL_POOLING_, TRUE, "DISABLE_GLOBAL_POOLING");
    set_dword(session, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, TRUE, "ASSURED_NON_BLOCKING_CALLBACKS");
    ok(WinHttpSetStatusCallback(session, fetch_status, session_flags, 0) != WINHTTP_INVALID_STATUS_CALLBACK,
       "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    return session;
}

/* WinHttpBodyWriter::write_view and end_automatic_chunking: the body in
 * spans of 1, 7 and the rest of its bytes (a segmented view), then the
 * zero-length write; 0 or an error. */
static DWORD write_unknown_length(HINTERNET request, struct fetch_ctx *c, const char *body, DWORD len)
{
    static const DWORD spans[] = { 1, 7, ~0u };
    DWORD done = 0, span, error;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(spans) && done < len; i++)
    {
        span = min(spans[i], len - done);
        arm(c, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE);
        if ((error = await(c, CALL_OK(WinHttpWriteData(request, body + done, span, NULL))))) return error;
        ok(c->bytes == span, "WRITE_COMPLETE of %lu for a span of %lu\n", c->bytes, span);
        done += span;
    }
    arm(c, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE);
    if ((error = await(c, CALL_OK(WinHttpWriteData(request, NULL, 0, NULL))))) return error;
    ok(!c->bytes, "the final zero-length write completed with %lu\n", c->bytes);
    return 0;
}

/* The request as the transport opens and sends it; the headers are available
 * when it returns TRUE.  unknown_length: the body goes as write.rs sends a
 * body of unknown length. */
static BOOL start_request(HINTERNET connection, struct fetch_ctx *c, const WCHAR *method, const WCHAR *path,
                          const char *body, BOOL unknown_length, HINTERNET *out)
{
    static const WCHAR headers[] = L"accept: */*\r\nx-request-id: fetch-1\r\n";
    DWORD_PTR context = (DWORD_PTR)c;
    DWORD len = body ? (DWORD)strlen(body) : 0, error;
    HINTERNET request;
    BOOL ret;

    *out = NULL;
    request = WinHttpOpenRequest(connection, method, path, NULL, NULL, NULL,
                                 unknown_length ? WINHTTP_FLAG_AUTOMATIC_CHUNKING : 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) return FALSE;
    *out = request;
    set_dword(request, WINHTTP_OPTION_ENABLE_HTTP_PROTOCOL, WINHTTP_PROTOCOL_FLAG_HTTP2, "ENABLE_HTTP_PROTOCOL");
    set_dword(request, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_NEVER, "REDIRECT_POLICY");
    set_dword(request, WINHTTP_OPTION_DISABLE_FEATURE, WINHTTP_DISABLE_COOKIES | WINHTTP_DISABLE_AUTHENTICATION,
              "DISABLE_FEATURE");
    set_dword(request, WINHTTP_OPTION_DECOMPRESSION, WINHTTP_DECOMPRESSION_FLAG_GZIP | WINHTTP_DECOMPRESSION_FLAG_DEFLATE,
              "DECOMPRESSION");
    /* ContextInstallation::install */
    ret = WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
    ok(ret, "CONTEXT_VALUE failed: %lu\n", GetLastError());

    arm(c, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    error = await(c, CALL_OK(WinHttpSendRequest(request, headers, ARRAY_SIZE(headers) - 1, NULL, 0,
                                                unknown_length ? WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH : len, context)));
    ok(!error, "send: %lu\n", error);
    if (!error && unknown_length)
    {
        error = write_unknown_length(request, c, body, len);
        ok(!error, "unknown-length write: %lu\n", error);
    }
    else if (!error && body)
    {
        arm(c, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE);
        error = await(c, CALL_OK(WinHttpWriteData(request, body, len, NULL)));
        ok(!error, "write: %lu\n", error);
    }
    if (!error)
    {
        arm(c, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
        error = await(c, CALL_OK(WinHttpReceiveResponse(request, NULL)));
        ok(!error, "receive: %lu\n", error);
    }
    return !error;
}

/* query_header_bytes() / query_header_units(): the NULL, 0 sizing call */
static void *query_sized(HINTERNET request, DWORD level, DWORD *bytes)
{
    DWORD required = 0, returned;
    void *buffer;
    BOOL ret;

    *bytes = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(request, level, NULL, NULL, &required, NULL);
    if (ret) return calloc(1, 2);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    {
        *bytes = GetLastError();
        return NULL;
    }
    buffer = calloc(1, required + 2);
    returned = required;
    ret = WinHttpQueryHeaders(request, level, NULL, buffer, &returned, NULL);
    ok(ret, "level %#lx failed after sizing: %lu\n", level, GetLastError());
    ok(returned <= required, "level %#lx: %lu bytes returned for %lu\n", level, returned, required);
    *bytes = returned;
    return buffer;
}

/* The response's metadata as query.rs reads it; returns the status and the
 * declared length (-1: none). */
static DWORD read_metadata(HINTERNET request, LONGLONG *declared)
{
    DWORD status = 0, protocol = 0xdeadbeef, len = sizeof(status), bytes;
    char *raw, *p;
    WCHAR *version;

    *declared = -1;
    ok(WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &len, NULL),
       "STATUS_CODE failed: %lu\n", GetLastError());
    ok(len == sizeof(DWORD), "STATUS_CODE wrote %lu bytes\n", len);
    len = sizeof(protocol);
    ok(WinHttpQueryOption(request, WINHTTP_OPTION_HTTP_PROTOCOL_USED, &protocol, &len),
       "HTTP_PROTOCOL_USED failed: %lu\n", GetLastError());
    ok(len == sizeof(DWORD) && !protocol, "HTTP_PROTOCOL_USED %#lx (%lu bytes)\n", protocol, len);

    version = query_sized(request, WINHTTP_QUERY_VERSION, &bytes);
    ok(version && bytes == 16 && !(bytes % 2), "VERSION: %lu bytes\n", bytes);
    if (version)
    {
        ok(!wcscmp(version, L"HTTP/1.1") && wcslen(version) == bytes / 2, "VERSION %s\n", wine_dbgstr_w(version));
        free(version);
    }

    raw = query_sized(request, WINHTTP_QUERY_RAW_HEADERS_CRLF | WINHTTP_QUERY_FLAG_WIRE_ENCODING, &bytes);
    ok(raw != NULL, "RAW_HEADERS_CRLF | WIRE_ENCODING: %lu\n", bytes);
    if (raw)
    {
        ok(bytes > 4 && !strncmp(raw, "HTTP/1.1 ", 9) && !strcmp(raw + bytes - 4, "\r\n\r\n") && strlen(raw) == bytes,
           "raw headers (%lu bytes): %s\n", bytes, raw);
        if ((p = strstr(raw, "\r\nContent-Length: "))) *declared = _atoi64(p + 18);
        free(raw);
    }
    return status;
}

/* WinHttpBodyReader until the 0-byte READ_COMPLETE; 0 or an error */
static DWORD read_body(HINTERNET request, struct fetch_ctx *c, LONGLONG declared, char *body, DWORD size,
                       DWORD *total, unsigned int *fill_reads)
{
    unsigned int rounds;
    DWORD error, ret, bytes;
    char *raw;

    *total = 0;
    *fill_reads = 0;
    for (rounds = 0; rounds < 1000; rounds++)
    {
        BOOL fill = declared > 0;
        DWORD capacity = fill ? (DWORD)min(declared, DESIRED_READ_SIZE) : DESIRED_READ_SIZE;
        char *buffer = body + *total;

        if (*total + capacity >= size) return ERROR_INSUFFICIENT_BUFFER;
        arm(c, WINHTTP_CALLBACK_STATUS_READ_COMPLETE);
        ret = WinHttpReadDataEx(request, buffer, capacity, NULL, fill ? WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER : 0, 0,
                                NULL);
        ok(ret == ERROR_SUCCESS || ret == ERROR_IO_PENDING, "WinHttpReadDataEx returned %lu\n", ret);
        if ((error = await(c, ret == ERROR_IO_PENDING ? 0 : ret))) return error;
        /* decode_read(): the lent address, a length within it */
        ok(c->buffer == buffer, "READ_COMPLETE for %p, lent %p\n", c->buffer, buffer);
        ok(c->bytes <= capacity, "READ_COMPLETE of %lu for %lu\n", c->bytes, capacity);
        if (fill) (*fill_reads)++;
        if (fill && c->bytes) ok(c->bytes == capacity, "a fill read of %lu for %lu owed\n", c->bytes, capacity);
        if (!c->bytes) break;
        *total += c->bytes;
        if (declared > 0) declared -= c->bytes;
    }
    body[*total] = 0;
    /* query_raw_trailers() at the end */
    raw = query_sized(request, WINHTTP_QUERY_RAW_HEADERS_CRLF | WINHTTP_QUERY_FLAG_TRAILERS |
                      WINHTTP_QUERY_FLAG_WIRE_ENCODING, &bytes);
    ok(!raw && bytes == ERROR_WINHTTP_HEADER_NOT_FOUND, "trailers: %p %lu\n", raw, bytes);
    free(raw);
    return 0;
}

/* Drop: the request's HANDLE_CLOSING reclaims the context; nothing after it */
static void drop_request(HINTERNET request, struct fetch_ctx *c)
{
    ok(WinHttpCloseHandle(request), "closing the request failed: %lu\n", GetLastError());
    ok(WaitForSingleObject(c->event, REPLAY_TIMEOUT) == WAIT_OBJECT_0 && c->closing,
       "no HANDLE_CLOSING with the request's context\n");
    ok(!c->after_closing, "%ld notifications after HANDLE_CLOSING\n", c->after_closing);
    ok(!c->unexpected, "%ld completions nobody armed\n", c->unexpected);
}

static char last_body[8192];   /* the body fetch() read last */

/* One whole exchange; returns the body's first number (for /http/conn-id) */
static DWORD fetch(HINTERNET session, const WCHAR *host, INTERNET_PORT port, const WCHAR *method, const WCHAR *path,
                   const char *send, BOOL unknown_length, const char *expect, DWORD expect_length,
                   LONG *connecting, unsigned int expect_fill_reads)
{
    struct fetch_ctx c = {0};
    HINTERNET connection, request;
    unsigned int fill_reads = 0;
    DWORD status, total = 0, error;
    LONGLONG declared;
    char body[8192];

    body[0] = 0;
    c.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    connection = WinHttpConnect(session, host, port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    if (start_request(connection, &c, method, path, send, unknown_length, &request))
    {
        status = read_metadata(request, &declared);
        ok(status == 200, "%s: status %lu\n", wine_dbgstr_w(path), status);
        error = read_body(request, &c, declared, body, sizeof(body), &total, &fill_reads);
        ok(!error, "%s: body: %lu\n", wine_dbgstr_w(path), error);
        if (expect) ok(!strcmp(body, expect), "%s: body %s\n", wine_dbgstr_w(path), body);
        if (expect_length) ok(total == expect_length, "%s: %lu bytes\n", wine_dbgstr_w(path), total);
        ok(fill_reads == expect_fill_reads, "%s: %u FILL_BUFFER reads\n", wine_dbgstr_w(path), fill_reads);
    }
    memcpy(last_body, body, sizeof(body));
    if (request) drop_request(request, &c);
    WinHttpCloseHandle(connection);
    if (connecting) *connecting = c.connecting;
    CloseHandle(c.event);
    return strtoul(body, NULL, 10);
}

static void test_fetch(const WCHAR *host, INTERNET_PORT port)
{
    HINTERNET session;

    if (!(session = open_session(TRUE))) return;
    /* a declared length, sent in 4 pieces 20 ms apart: one FILL_BUFFER read
     * gets all 400 bytes, then a plain read gets the end */
    fetch(session, host, port, L"GET", L"/http/drip/length/4/100/20", NULL, FALSE, NULL, 400, NULL, 1);
    /* chunked, no length: plain reads until the 0-byte READ_COMPLETE */
    fetch(session, host, port, L"GET", L"/http/drip/chunked/3/50/10", NULL, FALSE, NULL, 150, NULL, 0);
    /* a body of known length, written asynchronously with no count */
    fetch(session, host, port, L"POST", L"/http/echo-body", "fetch_winhttp request body", FALSE,
          "fetch_winhttp request body", 0, NULL, 1);
    /* a body of unknown length: automatic chunking, three spans and the end */
    fetch(session, host, port, L"PUT", L"/http/echo-body", "fetch_winhttp streamed body", TRUE,
          "fetch_winhttp streamed body", 0, NULL, 1);
    /* what went on the wire: chunked framing, no length */
    last_body[0] = 0;
    fetch(session, host, port, L"POST", L"/http/echo-headers", "streamed", TRUE, NULL, 0, NULL, 1);
    ok(strstr(last_body, "\r\nTransfer-Encoding: chunked\r\n") && !strstr(last_body, "Content-Length"),
       "request head %s\n", last_body);
    ok(WinHttpCloseHandle(session), "closing the session failed: %lu\n", GetLastError());
}

/* DISABLE_GLOBAL_POOLING: a session's idle connections are its own */
static void test_private_pool(const WCHAR *host, INTERNET_PORT port)
{
    HINTERNET private1, shared;
    DWORD first, again, other;
    LONG connecting;

    private1 = open_session(TRUE);
    shared = open_session(FALSE);
    if (!private1 || !shared) return;

    first = fetch(private1, host, port, L"GET", L"/http/conn-id", NULL, FALSE, NULL, 0, &connecting, 1);
    ok(first && connecting == 1, "first: connection %lu, %ld connects\n", first, connecting);
    again = fetch(private1, host, port, L"GET", L"/http/conn-id", NULL, FALSE, NULL, 0, &connecting, 1);
    ok(again == first && !connecting, "the session's own idle connection: %lu after %lu, %ld connects\n", again,
       first, connecting);
    /* another client must not get it */
    other = fetch(shared, host, port, L"GET", L"/http/conn-id", NULL, FALSE, NULL, 0, &connecting, 1);
    ok(other && other != first && connecting == 1, "another session took connection %lu (private %lu), %ld connects\n",
       other, first, connecting);
    /* nor does the private one take the other's, which went to the process's pool */
    again = fetch(private1, host, port, L"GET", L"/http/conn-id", NULL, FALSE, NULL, 0, &connecting, 1);
    ok(again == first && !connecting, "private session: connection %lu (own %lu, other %lu)\n", again, first, other);
    ok(WinHttpCloseHandle(private1), "closing the session failed: %lu\n", GetLastError());
    /* the process's pool still serves the sessions that share it */
    again = fetch(shared, host, port, L"GET", L"/http/conn-id", NULL, FALSE, NULL, 0, &connecting, 1);
    ok(again == other && !connecting, "shared session: connection %lu after %lu\n", again, other);
    ok(WinHttpCloseHandle(shared), "closing the session failed: %lu\n", GetLastError());
}

START_TEST(fw_fetch_winhttp)
{
    INTERNET_PORT port;
    WCHAR host[128];

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_fetch(host, port);
    test_private_pool(host, port);
    /* the connection handles carry no context: their HANDLE_CLOSING reached the
     * callback with a NULL one, which the transport ignores */
    ok(null_context_closing > 0, "no HANDLE_CLOSING with a NULL context\n");
}
