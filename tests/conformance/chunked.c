/*
 * Conformance tests for request bodies sent with WinHttpWriteData: a body the
 * caller frames in chunks (Transfer-Encoding: chunked, total length
 * WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH) goes out without Content-Length (RFC
 * 9112 section 6.2; WinHTTP since Vista, per Microsoft's "Large Request
 * Payload Support in WinHttp"), optional data beside it goes out as the
 * caller framed it (as Windows does in Wine 10's test_chunked_request), and
 * the announced total length is what the request head says.
 * WINHTTP_FLAG_AUTOMATIC_CHUNKING (Windows 10 2004 and later; used by .NET's
 * WinHttpHandler and fetch_winhttp's src/body/write.rs): with no length
 * given, WinHTTP frames each WinHttpWriteData as one chunk and the
 * zero-length write (NULL buffer) as the last one.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include "replay.h"

static WCHAR host[128], tls_host[128];
static INTERNET_PORT port, tls_port;

struct conn
{
    HINTERNET ses, con, req;
};

static BOOL open_request(struct conn *c, const WCHAR *verb, const WCHAR *path)
{
    c->ses = WinHttpOpen(L"winhttp-ws chunked test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    c->con = c->ses ? WinHttpConnect(c->ses, host, port, 0) : NULL;
    c->req = c->con ? WinHttpOpenRequest(c->con, verb, path, NULL, NULL, NULL, 0) : NULL;
    ok(c->req != NULL, "opening the request failed: %lu\n", GetLastError());
    return c->req != NULL;
}

static void close_conn(struct conn *c)
{
    WinHttpCloseHandle(c->req);
    WinHttpCloseHandle(c->con);
    WinHttpCloseHandle(c->ses);
}

/* Sends the body in 'count' chunks framed by us, as libgit2 and .NET do. */
static void send_chunked(HINTERNET req, const char *data, DWORD count)
{
    DWORD len = (DWORD)strlen(data), step = (len + count - 1) / count, off, n, error;
    char size[16];
    BOOL ret;

    ret = WinHttpAddRequestHeaders(req, L"Transfer-Encoding: chunked", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    for (off = 0; off < len; off += n)
    {
        n = min(step, len - off);
        sprintf(size, "%lx\r\n", n);
        error = replay_write(req, NULL, FALSE, size, (DWORD)strlen(size));
        ok(!error, "size: %lu\n", error);
        error = replay_write(req, NULL, FALSE, data + off, n);
        ok(!error, "data: %lu\n", error);
        error = replay_write(req, NULL, FALSE, "\r\n", 2);
        ok(!error, "end: %lu\n", error);
    }
    error = replay_write(req, NULL, FALSE, "0\r\n\r\n", 5);
    ok(!error, "last chunk: %lu\n", error);
}

static void test_no_content_length(void)
{
    char body[4096];
    DWORD status, len, error;
    struct conn c;

    /* the head the server received, echoed back */
    if (!open_request(&c, L"POST", L"/http/echo-headers")) return;
    send_chunked(c.req, "some data", 3);
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200, "got %lu %lu\n", error, status);
    ok(strstr(body, "Transfer-Encoding: chunked\r\n") != NULL, "no Transfer-Encoding in %s\n", body);
    ok(!strstr(body, "Content-Length"), "Content-Length beside Transfer-Encoding: %s\n", body);
    close_conn(&c);

    /* and the body, reassembled by the server */
    if (!open_request(&c, L"PUT", L"/http/echo-body")) return;
    send_chunked(c.req, "a body of a length nobody announced, in many small chunks", 17);
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !strcmp(body, "a body of a length nobody announced, in many small chunks"),
       "got %lu %lu %s\n", error, status, body);
    close_conn(&c);

    /* a total length given anyway is ignored */
    if (!open_request(&c, L"POST", L"/http/echo-headers")) return;
    ok(WinHttpAddRequestHeaders(c.req, L"Transfer-Encoding: chunked", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    ok(WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 1234, 0), "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, "0\r\n\r\n", 5), "last chunk failed\n");
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !strstr(body, "Content-Length"), "got %lu %lu %s\n", error, status, body);
    close_conn(&c);
}

static void test_refused(void)
{
    static const char framed[] = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    char body[4096];
    DWORD status, len, error;
    struct conn c;
    BOOL ret;

    /* optional data beside a caller-framed body is sent as the caller framed
     * it, whole chunks and the last one included: the server reassembles it */
    if (!open_request(&c, L"POST", L"/http/echo-body")) return;
    ok(WinHttpAddRequestHeaders(c.req, L"Transfer-Encoding: chunked", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    ret = WinHttpSendRequest(c.req, NULL, 0, (void *)framed, sizeof(framed) - 1, sizeof(framed) - 1, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !strcmp(body, "abcde"), "got %lu %lu %s\n", error, status, body);
    close_conn(&c);
}

/* A request with WINHTTP_FLAG_AUTOMATIC_CHUNKING, synchronous or not; over
 * TLS to the TLS server (self-signed) when tls. */
static BOOL open_automatic(struct conn *c, struct replay_async *a, BOOL async, BOOL tls, const WCHAR *path,
                           const WCHAR *version)
{
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_CN_INVALID;

    c->ses = WinHttpOpen(L"winhttp-ws chunked test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                         async ? WINHTTP_FLAG_ASYNC : 0);
    c->con = c->ses ? WinHttpConnect(c->ses, tls ? tls_host : host, tls ? tls_port : port, 0) : NULL;
    c->req = c->con ? WinHttpOpenRequest(c->con, L"POST", path, version, NULL, NULL, WINHTTP_FLAG_AUTOMATIC_CHUNKING |
                                         (tls ? WINHTTP_FLAG_SECURE : 0)) : NULL;
    ok(c->req != NULL, "opening the request failed: %lu\n", GetLastError());
    if (c->req && tls)
        ok(WinHttpSetOption(c->req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags)),
           "SECURITY_FLAGS failed: %lu\n", GetLastError());
    if (c->req && async)
        ok(WinHttpSetStatusCallback(c->req, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0)
           != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());
    if (async) replay_async_init(a);
    return c->req != NULL;
}

/* Sends data in writes of sizes[] (0-terminated; the rest of data in the
 * last), then the zero-length write, and receives the answer; 0 or an error. */
static DWORD send_automatic(struct conn *c, struct replay_async *a, BOOL async, const char *data, const DWORD *sizes,
                            DWORD *status, char *body, DWORD size)
{
    DWORD len = (DWORD)strlen(data), off = 0, n, error, got;
    unsigned int i;

    if ((error = REPLAY_CALL(a, async, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
                             WinHttpSendRequest(c->req, NULL, 0, NULL, 0, WINHTTP_IGNORE_REQUEST_TOTAL_LENGTH,
                                                (DWORD_PTR)a))))
        return error;
    for (i = 0; off < len; i++)
    {
        n = sizes[i] ? min(sizes[i], len - off) : len - off;
        if ((error = replay_write(c->req, a, async, data + off, n))) return error;
        off += n;
    }
    if ((error = replay_write(c->req, a, async, NULL, 0))) return error;
    return replay_receive(c->req, a, async, status, body, size, &got);
}

static void test_automatic(BOOL async, BOOL tls)
{
    static const DWORD sizes[] = { 1, 300, 4, 70000, 0 };
    static char data[100000];
    char body[sizeof(data)];
    struct replay_async a;
    DWORD status, error, written, i;
    struct conn c;
    BOOL ret;

    for (i = 0; i < sizeof(data) - 1; i++) data[i] = 'a' + (i * 7 + i / 13) % 26;

    /* writes of different sizes, the server's reassembly echoed back */
    if (!open_automatic(&c, &a, async, tls, L"/http/echo-body", NULL)) return;
    error = send_automatic(&c, &a, async, data, sizes, &status, body, sizeof(body));
    ok(!error && status == 200 && strlen(body) == strlen(data) && !strcmp(body, data),
       "async %d tls %d: got %lu %lu, %Iu bytes\n", async, tls, error, status, strlen(body));
    close_conn(&c);
    if (tls) return;

    /* the head on the wire: chunked, no length */
    if (!open_automatic(&c, &a, async, FALSE, L"/http/echo-headers", NULL)) return;
    error = send_automatic(&c, &a, async, "small", sizes, &status, body, sizeof(body));
    ok(!error && status == 200 && strstr(body, "\r\nTransfer-Encoding: chunked\r\n") && !strstr(body, "Content-Length"),
       "async %d: got %lu %lu %s\n", async, error, status, body);
    close_conn(&c);

    /* an empty body: the last chunk alone */
    if (!open_automatic(&c, &a, async, FALSE, L"/http/echo-body", NULL)) return;
    error = send_automatic(&c, &a, async, "", sizes, &status, body, sizeof(body));
    ok(!error && status == 200 && !body[0], "async %d: got %lu %lu %s\n", async, error, status, body);
    close_conn(&c);

    if (async) return;

    /* a length given anyway wins: Content-Length, no framing */
    if (!open_automatic(&c, &a, FALSE, FALSE, L"/http/echo-headers", NULL)) return;
    ret = WinHttpSendRequest(c.req, NULL, 0, (void *)"abc", 3, 3, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &written);
    ok(!error && strstr(body, "Content-Length: 3\r\n") && !strstr(body, "Transfer-Encoding"), "got %lu %s\n", error,
       body);
    close_conn(&c);

    /* the last chunk is the program's to send, and nothing goes after it */
    if (!open_automatic(&c, &a, FALSE, FALSE, L"/http/echo-body", NULL)) return;
    ret = WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, "xy", 2), "write failed\n");
    SetLastError(0xdeadbeef);
    ret = WinHttpReceiveResponse(c.req, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "unended body: %d %lu\n", ret, GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, NULL, 0), "the last chunk failed\n");
    SetLastError(0xdeadbeef);
    ret = WinHttpWriteData(c.req, "z", 1, &written);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "after the end: %d %lu\n", ret, GetLastError());
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &written);
    ok(!error && status == 200 && !strcmp(body, "xy"), "got %lu %lu %s\n", error, status, body);
    close_conn(&c);

    /* HTTP/1.0 has no chunked coding: no way to frame the body */
    if (!open_automatic(&c, &a, FALSE, FALSE, L"/http/echo-body", L"HTTP/1.0")) return;
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "HTTP/1.0: %d %lu\n", ret, GetLastError());
    close_conn(&c);
}

static void test_lengths(void)
{
    char body[4096], first[32];
    DWORD status, len, error;
    struct conn c;
    BOOL ret;

    /* the announced length is the Content-Length, the data comes by WriteData */
    if (!open_request(&c, L"POST", L"/http/echo-headers")) return;
    ret = WinHttpSendRequest(c.req, NULL, 0, (void *)"ab", 2, 6, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, "cdef", 4), "write failed\n");
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && strstr(body, "Content-Length: 6\r\n") && !strstr(body, "Transfer-Encoding"),
       "got %lu %lu %s\n", error, status, body);
    close_conn(&c);

    /* more than announced: taken (Wine's test_WinHttpSendRequest), but the
     * connection is not used again, the extra bytes would start the next request */
    if (!open_request(&c, L"POST", L"/http/conn-id")) return;
    ret = WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 4, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, "abcd", 4), "write failed\n");
    ok(!replay_write(c.req, NULL, FALSE, "xyz", 3), "a write past the announced length failed\n");
    error = replay_receive(c.req, NULL, FALSE, &status, first, sizeof(first), &len);
    ok(!error && status == 200, "got %lu %lu\n", error, status);
    WinHttpCloseHandle(c.req);
    c.req = WinHttpOpenRequest(c.con, L"GET", L"/http/conn-id", NULL, NULL, NULL, 0);
    ok(WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 0, 0), "WinHttpSendRequest failed: %lu\n", GetLastError());
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && strcmp(first, body), "got %lu %lu, connection %s then %s\n", error, status, first,
       body);
    close_conn(&c);

    /* less than announced: the server waits for the rest, the response does not come */
    if (!open_request(&c, L"POST", L"/http/echo-body")) return;
    ok(WinHttpSetTimeouts(c.req, 0, 5000, 5000, 300), "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(c.req, NULL, 0, NULL, 0, 10, 0);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!replay_write(c.req, NULL, FALSE, "abc", 3), "write failed\n");
    error = replay_receive(c.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(error == ERROR_WINHTTP_TIMEOUT, "got %lu\n", error);
    close_conn(&c);
}

/* A redirect of a streamed body: one that keeps the body (307) is not
 * followed, the body is gone; one that drops it (303) is, as a GET. */
static void test_automatic_redirect(void)
{
    static const char r307[] =
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: /target\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    static const char r303[] =
        "HTTP/1.1 303 See Other\r\nLocation: /target\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    static const char target[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ntarget";
    static const struct raw_route routes[] =
    {
        { "/r307", r307, sizeof(r307) - 1, FALSE },
        { "/r303", r303, sizeof(r303) - 1, FALSE },
        { "/target", target, sizeof(target) - 1, FALSE },
        { NULL }
    };
    static const WCHAR *const paths[] = { L"/r307", L"/r303" };
    static const DWORD sizes[] = { 0 }, expect[] = { 307, 200 };
    struct raw_httpd srv;
    DWORD status, error;
    struct conn c;
    char body[256];
    unsigned int i;

    /* the server answers after the head and reads the chunks as a request of
     * its own (path "small"): a 404 nobody reads, on a connection not reused */
    ok(raw_httpd_start(&srv, routes), "the server did not start\n");
    for (i = 0; i < ARRAY_SIZE(paths); i++)
    {
        c.ses = WinHttpOpen(L"winhttp-ws chunked test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
        c.con = WinHttpConnect(c.ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
        c.req = WinHttpOpenRequest(c.con, L"POST", paths[i], NULL, NULL, NULL, WINHTTP_FLAG_AUTOMATIC_CHUNKING);
        ok(c.req != NULL, "opening the request failed: %lu\n", GetLastError());
        status = 0;
        error = c.req ? send_automatic(&c, NULL, FALSE, "small", sizes, &status, body, sizeof(body)) : 0;
        ok(!error && status == expect[i] && (i || !body[0]) && (!i || !strcmp(body, "target")),
           "%s: got %lu %lu %s\n", wine_dbgstr_w(paths[i]), error, status, body);
        close_conn(&c);
    }
    raw_httpd_stop(&srv);
}

START_TEST(chunked)
{
    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    test_no_content_length();
    test_refused();
    test_automatic(FALSE, FALSE);
    test_automatic(TRUE, FALSE);
    if (replay_server("WSTEST_TLS_SERVER", tls_host, ARRAY_SIZE(tls_host), &tls_port))
    {
        test_automatic(FALSE, TRUE);
        test_automatic(TRUE, TRUE);
    }
    test_automatic_redirect();
    test_lengths();
}
