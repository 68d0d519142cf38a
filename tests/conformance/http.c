/*
 * Synchronous HTTP requests: WinHttpOpenRequest, AddRequestHeaders,
 * SendRequest, WriteData, ReceiveResponse, QueryHeaders, QueryDataAvailable
 * and ReadData against the scripted test server (tests/server, /http/...).
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

struct conn
{
    HINTERNET session, connect, request;
};

/* version NULL: HTTP/1.1; flags: WinHttpOpenRequest's */
static BOOL open_request_ex(struct conn *c, const WCHAR *host, INTERNET_PORT port, const WCHAR *verb,
                            const WCHAR *path, const WCHAR *version, DWORD flags)
{
    memset(c, 0, sizeof(*c));
    c->session = WinHttpOpen(L"winhttp-ws http test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(c->session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    c->connect = WinHttpConnect(c->session, host, port, 0);
    ok(c->connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    c->request = WinHttpOpenRequest(c->connect, verb, path, version, NULL, NULL, flags);
    ok(c->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    return c->request != NULL;
}

static BOOL open_request(struct conn *c, const WCHAR *host, INTERNET_PORT port, const WCHAR *verb, const WCHAR *path)
{
    return open_request_ex(c, host, port, verb, path, NULL, 0);
}

static void close_conn(struct conn *c)
{
    if (c->request) WinHttpCloseHandle(c->request);
    if (c->connect) WinHttpCloseHandle(c->connect);
    if (c->session) WinHttpCloseHandle(c->session);
    memset(c, 0, sizeof(*c));
}

/* Reads the whole body with ReadData; returns its length. */
static DWORD read_body(HINTERNET request, char *buf, DWORD size)
{
    DWORD total = 0, read;
    int i;

    for (i = 0; i < 10000; i++)
    {
        read = 0xdeadbeef;
        if (!WinHttpReadData(request, buf + total, size - 1 - total, &read))
        {
            ok(0, "ReadData failed: %lu\n", GetLastError());
            break;
        }
        if (!read) break;
        total += read;
        if (total == size - 1) break;
    }
    buf[total] = 0;
    return total;
}

static DWORD status_code(HINTERNET request)
{
    DWORD status = 0, size = sizeof(status);
    BOOL ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status,
                                   &size, NULL);
    ok(ret, "QueryHeaders(STATUS_CODE) failed: %lu\n", GetLastError());
    return status;
}

/* Sends and receives; returns the status code (0 on failure, last error kept). */
static DWORD do_request(struct conn *c, const WCHAR *verb, const WCHAR *path, const WCHAR *headers, const void *data,
                        DWORD len)
{
    if (!open_request(c, server_host, server_port, verb, path)) return 0;
    SetLastError(0xdeadbeef);
    if (!WinHttpSendRequest(c->request, headers, headers ? ~0u : 0, (void *)data, len, len, 0)) return 0;
    ok(GetLastError() == ERROR_SUCCESS, "SendRequest last error %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    if (!WinHttpReceiveResponse(c->request, NULL)) return 0;
    ok(GetLastError() == ERROR_SUCCESS, "ReceiveResponse last error %lu\n", GetLastError());
    return status_code(c->request);
}

static void test_open_request(void)
{
    HINTERNET session, connect, request;
    WCHAR url[256];
    DWORD size;
    BOOL ret;

    SetLastError(0xdeadbeef);
    request = WinHttpOpenRequest(NULL, NULL, NULL, NULL, NULL, NULL, 0);
    size = GetLastError();  /* the first ok() of the process sets up TLS, which resets the last error */
    ok(!request && size == ERROR_INVALID_HANDLE, "got %p %lu\n", request, size);

    session = WinHttpOpen(L"test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(session != NULL, "WinHttpOpen failed\n");
    SetLastError(0xdeadbeef);
    request = WinHttpOpenRequest(session, NULL, NULL, NULL, NULL, NULL, 0);
    ok(!request && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %p %lu\n", request, GetLastError());

    connect = WinHttpConnect(session, L"example.invalid", 0, 0);
    ok(connect != NULL, "WinHttpConnect failed\n");
    SetLastError(0xdeadbeef);
    request = WinHttpOpenRequest(connect, NULL, NULL, NULL, NULL, NULL, 0);
    ok(request != NULL && GetLastError() == ERROR_SUCCESS, "WinHttpOpenRequest: %p %lu\n", request, GetLastError());

    /* Defaults: GET / on port 80. */
    size = sizeof(url);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_URL, url, &size);
    ok(ret, "QueryOption(URL) failed: %lu\n", GetLastError());
    ok(!lstrcmpW(url, L"http://example.invalid/"), "url %s\n", wine_dbgstr_w(url));
    ok(size == lstrlenW(url) * sizeof(WCHAR), "size %lu\n", size);
    size = 4;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_URL, url, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == (lstrlenW(L"http://example.invalid/") + 1) * sizeof(WCHAR), "size %lu\n", size);

    /* Nothing is received before SendRequest. */
    size = sizeof(url);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE, NULL, url, &size, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpReceiveResponse(request, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %d %lu\n", ret, GetLastError());

    /* Header strings. */
    SetLastError(0xdeadbeef);
    ret = WinHttpAddRequestHeaders(request, NULL, 0, WINHTTP_ADDREQ_FLAG_ADD);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpAddRequestHeaders(request, L"no colon here", ~0u, WINHTTP_ADDREQ_FLAG_ADD);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_HEADER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpAddRequestHeaders(session, L"A: b", ~0u, WINHTTP_ADDREQ_FLAG_ADD);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());
    WinHttpCloseHandle(request);

    /* A secure request defaults to 443 and keeps a given path. */
    request = WinHttpOpenRequest(connect, L"POST", L"/a/b?c=d", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    size = sizeof(url);
    ret = WinHttpQueryOption(request, WINHTTP_OPTION_URL, url, &size);
    ok(ret && !lstrcmpW(url, L"https://example.invalid/a/b?c=d"), "url %s\n", wine_dbgstr_w(url));

    /* The name does not resolve. */
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_NAME_NOT_RESOLVED, "got %d %lu\n", ret, GetLastError());
    WinHttpCloseHandle(request);

    request = WinHttpOpenRequest(connect, NULL, NULL, NULL, NULL, NULL, 0);
    if (!is_wine_builtin())  /* Wine 8's builtin crashes here */
    {
        SetLastError(0xdeadbeef);
        ret = WinHttpQueryDataAvailable(request, &size);
        ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %d %lu\n", ret, GetLastError());
    }
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

static void test_hello(void)
{
    WCHAR buf[1024];
    char body[256];
    DWORD size, len, index, avail;
    struct conn c;
    BOOL ret;

    len = do_request(&c, L"GET", L"/http/hello", NULL, NULL, 0);
    ok(len == 200, "status %lu\n", len);
    if (!len) goto done;

    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_STATUS_CODE, NULL, buf, &size, NULL);
    ok(ret && !lstrcmpW(buf, L"200"), "status %s\n", wine_dbgstr_w(buf));
    ok(size == 3 * sizeof(WCHAR), "size %lu\n", size);
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_STATUS_TEXT, NULL, buf, &size, NULL);
    ok(ret && !lstrcmpW(buf, L"OK"), "text %s\n", wine_dbgstr_w(buf));
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_VERSION, NULL, buf, &size, NULL);
    ok(ret && !lstrcmpW(buf, L"HTTP/1.1"), "version %s\n", wine_dbgstr_w(buf));
    size = sizeof(len);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CONTENT_LENGTH | WINHTTP_QUERY_FLAG_NUMBER, NULL, &len, &size, NULL);
    ok(ret && len == 5, "content length %lu\n", len);
    ok(size == sizeof(DWORD), "size %lu\n", size);

    /* The buffer protocol: too small gives the size with the NUL. */
    size = 2;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_STATUS_CODE, NULL, buf, &size, NULL);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == 4 * sizeof(WCHAR), "size %lu\n", size);
    size = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, NULL, &size, NULL);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    len = size;
    ok(size > 20 && size < sizeof(buf), "size %lu\n", size);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, buf, &size, NULL);
    ok(ret, "RAW_HEADERS_CRLF failed: %lu\n", GetLastError());
    ok(size == len - sizeof(WCHAR), "size %lu, needed %lu\n", size, len);
    ok(!wcsncmp(buf, L"HTTP/1.1 200 OK\r\n", 17), "raw %s\n", wine_dbgstr_w(buf));
    ok(wcsstr(buf, L"\r\n\r\n") == buf + size / sizeof(WCHAR) - 4, "raw headers do not end in CRLFCRLF\n");
    ok(wcsstr(buf, L"Content-Length: 5\r\n") != NULL, "raw %s\n", wine_dbgstr_w(buf));

    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_RAW_HEADERS, NULL, buf, &size, NULL);
    ok(ret, "RAW_HEADERS failed: %lu\n", GetLastError());
    ok(!lstrcmpW(buf, L"HTTP/1.1 200 OK"), "first line %s\n", wine_dbgstr_w(buf));
    ok(!wcschr(buf + lstrlenW(buf) + 1, '\r'), "CR in RAW_HEADERS\n");

    if (!is_wine_builtin())  /* Wine 8's builtin crashes on a NULL length */
    {
        SetLastError(0xdeadbeef);
        ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_STATUS_CODE, NULL, buf, NULL, NULL);
        ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    }

    /* Custom names and indices. */
    size = sizeof(buf);
    index = 0;
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM, L"content-length", buf, &size, &index);
    ok(ret && !lstrcmpW(buf, L"5"), "custom %s\n", wine_dbgstr_w(buf));
    ok(index == 1, "index %lu\n", index);
    size = sizeof(buf);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM, L"content-length", buf, &size, &index);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "got %d %lu\n", ret, GetLastError());
    ok(index == 1, "index %lu\n", index);
    size = sizeof(buf);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM, L"X-Not-There", buf, &size, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "got %d %lu\n", ret, GetLastError());
    size = sizeof(buf);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_UPGRADE, NULL, buf, &size, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "got %d %lu\n", ret, GetLastError());

    /* Request headers went out as the session and request said. */
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_USER_AGENT | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, NULL, buf, &size, NULL);
    ok(ret && !lstrcmpW(buf, L"winhttp-ws http test"), "agent %s\n", wine_dbgstr_w(buf));
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_HOST | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, NULL, buf, &size, NULL);
    ok(ret && wcschr(buf, ':'), "host %s\n", wine_dbgstr_w(buf));

    avail = 0;
    ok(WinHttpQueryDataAvailable(c.request, &avail), "QueryDataAvailable failed: %lu\n", GetLastError());
    ok(avail == 5, "available %lu\n", avail);
    ok(read_body(c.request, body, sizeof(body)) == 5 && !strcmp(body, "hello"), "body %s\n", body);
    avail = 0xdeadbeef;
    ok(WinHttpQueryDataAvailable(c.request, &avail), "QueryDataAvailable failed: %lu\n", GetLastError());
    ok(!avail, "available %lu at the end\n", avail);

    /* HEAD: no body even with a Content-Length. */
    close_conn(&c);
    len = do_request(&c, L"HEAD", L"/http/hello", NULL, NULL, 0);
    ok(len == 200, "HEAD status %lu\n", len);
    if (len) ok(read_body(c.request, body, sizeof(body)) == 0, "HEAD body %s\n", body);
done:
    close_conn(&c);
}

static void test_bodies(void)
{
    char body[4096];
    DWORD status, size, len;
    WCHAR buf[64];
    struct conn c;
    BOOL ret;

    status = do_request(&c, L"GET", L"/http/chunked", NULL, NULL, 0);
    ok(status == 200, "chunked status %lu\n", status);
    if (status)
    {
        size = sizeof(buf);
        ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_TRANSFER_ENCODING, NULL, buf, &size, NULL);
        ok(ret && !lstrcmpW(buf, L"chunked"), "transfer encoding %s\n", wine_dbgstr_w(buf));
        len = read_body(c.request, body, sizeof(body));
        ok(len == 19 && !strcmp(body, "hello chunked world"), "chunked body %s\n", body);
    }
    close_conn(&c);

    status = do_request(&c, L"GET", L"/http/close-delimited", NULL, NULL, 0);
    ok(status == 200, "close-delimited status %lu\n", status);
    if (status)
    {
        len = read_body(c.request, body, sizeof(body));
        ok(len == 20 && !strcmp(body, "close delimited body"), "body %s\n", body);
    }
    close_conn(&c);

    status = do_request(&c, L"GET", L"/http/large/3000", NULL, NULL, 0);
    ok(status == 200, "large status %lu\n", status);
    if (status)
    {
        len = read_body(c.request, body, sizeof(body));
        ok(len == 3000, "large body %lu bytes\n", len);
        ok(!memcmp(body, "abcdefghijklmnopqrstuvwxyzabc", 29), "large body %.30s\n", body);
        ok(body[2999] == 'a' + 2999 % 26, "last byte %c\n", body[2999]);
    }
    close_conn(&c);

    status = do_request(&c, L"GET", L"/http/status/404", NULL, NULL, 0);
    ok(status == 404, "status %lu\n", status);
    if (status)
    {
        size = sizeof(buf);
        ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_STATUS_TEXT, NULL, buf, &size, NULL);
        ok(ret && buf[0], "404 text %s\n", wine_dbgstr_w(buf));
        len = read_body(c.request, body, sizeof(body));
        ok(!strcmp(body, "status 404\n"), "404 body %s\n", body);
    }
    close_conn(&c);

    status = do_request(&c, L"GET", L"/http/status/204", NULL, NULL, 0);
    ok(status == 204, "status %lu\n", status);
    if (status) ok(read_body(c.request, body, sizeof(body)) == 0, "204 body %s\n", body);
    close_conn(&c);
}

static void test_echo_headers(void)
{
    char body[4096];
    DWORD status, size, index;
    WCHAR buf[256];
    struct conn c;
    BOOL ret;

    if (!open_request(&c, server_host, server_port, L"GET", L"/http/echo-headers")) return;
    ok(WinHttpAddRequestHeaders(c.request, L"X-Added: one\r\nX-Multi: a\r\n", ~0u, WINHTTP_ADDREQ_FLAG_ADD),
       "AddRequestHeaders failed: %lu\n", GetLastError());
    ok(WinHttpAddRequestHeaders(c.request, L"X-Multi: b", ~0u, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    SetLastError(0xdeadbeef);
    ret = WinHttpAddRequestHeaders(c.request, L"X-Added: two", ~0u, WINHTTP_ADDREQ_FLAG_ADD_IF_NEW);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_ALREADY_EXISTS, "got %d %lu\n", ret, GetLastError());
    ok(WinHttpAddRequestHeaders(c.request, L"X-Coalesce: 1", ~0u, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    ok(WinHttpAddRequestHeaders(c.request, L"X-Coalesce: 2", ~0u, WINHTTP_ADDREQ_FLAG_COALESCE_WITH_COMMA), "coalesce failed\n");
    ok(WinHttpAddRequestHeaders(c.request, L"X-Semi: 1", ~0u, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    ok(WinHttpAddRequestHeaders(c.request, L"X-Semi: 2", ~0u, WINHTTP_ADDREQ_FLAG_COALESCE_WITH_SEMICOLON), "coalesce failed\n");
    ok(WinHttpAddRequestHeaders(c.request, L"X-Gone: 1", ~0u, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    ok(WinHttpAddRequestHeaders(c.request, L"X-Gone:", ~0u, WINHTTP_ADDREQ_FLAG_REPLACE), "remove failed\n");
    SetLastError(0xdeadbeef);
    ret = WinHttpAddRequestHeaders(c.request, L"X-Missing: 1", ~0u, WINHTTP_ADDREQ_FLAG_REPLACE);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "got %d %lu\n", ret, GetLastError());

    /* Request headers are queryable before sending; Host is added by SendRequest. */
    size = sizeof(buf);
    index = 1;
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, L"X-Multi", buf,
                              &size, &index);
    ok(ret && !lstrcmpW(buf, L"b") && index == 2, "X-Multi[1] %s index %lu\n", wine_dbgstr_w(buf), index);
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, L"X-Coalesce", buf,
                              &size, NULL);
    ok(ret && !lstrcmpW(buf, L"1, 2"), "X-Coalesce %s\n", wine_dbgstr_w(buf));
    size = sizeof(buf);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, L"X-Gone", buf,
                              &size, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "got %d %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(c.request, L"X-Send: from send\r\n", ~0u, NULL, 0, 0, 0);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    ret = WinHttpReceiveResponse(c.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (!ret) goto done;
    status = status_code(c.request);
    ok(status == 200, "status %lu\n", status);
    read_body(c.request, body, sizeof(body));
    ok(!strncmp(body, "GET /http/echo-headers HTTP/1.1\r\n", 33), "request line %.40s\n", body);
    ok(strstr(body, "\r\nHost: ") != NULL, "no Host in %s\n", body);
    ok(strstr(body, "\r\nUser-Agent: winhttp-ws http test\r\n") != NULL, "no User-Agent in %s\n", body);
    ok(strstr(body, "\r\nX-Added: one\r\n") != NULL, "no X-Added in %s\n", body);
    ok(strstr(body, "\r\nX-Multi: a\r\n") && strstr(body, "\r\nX-Multi: b\r\n"), "no X-Multi in %s\n", body);
    ok(strstr(body, "\r\nX-Coalesce: 1, 2\r\n") != NULL, "no X-Coalesce in %s\n", body);
    ok(strstr(body, "\r\nX-Semi: 1; 2\r\n") != NULL, "no X-Semi in %s\n", body);
    ok(strstr(body, "\r\nX-Send: from send\r\n") != NULL, "no X-Send in %s\n", body);
    ok(!strstr(body, "X-Gone"), "X-Gone sent: %s\n", body);
    ok(strlen(body) > 4 && !strcmp(body + strlen(body) - 4, "\r\n\r\n"), "head does not end in CRLFCRLF\n");
    {
        char expect[128];
        sprintf(expect, "\r\nHost: %ls:%u\r\n", server_host, server_port);
        ok(strstr(body, expect) != NULL, "expected %s in %s\n", expect, body);
    }
    size = sizeof(buf);
    ret = WinHttpQueryHeaders(c.request, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, L"X-Send", buf,
                              &size, NULL);
    ok(ret && !lstrcmpW(buf, L"from send"), "X-Send %s\n", wine_dbgstr_w(buf));
done:
    close_conn(&c);
}

/* The request head /http/echo-headers sent back for a request opened with
 * 'flags' and 'version' (the body, as webservices' channel sends one). */
static BOOL echo_head(const WCHAR *verb, const WCHAR *version, DWORD flags, char *head, DWORD size)
{
    struct conn c;
    BOOL ret;

    head[0] = 0;
    if (!open_request_ex(&c, server_host, server_port, verb, L"/http/echo-headers", version, flags)) return FALSE;
    ret = WinHttpSendRequest(c.request, NULL, 0, (void *)"<s:Envelope/>", 13, 13, 0);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    if (ret) ret = WinHttpReceiveResponse(c.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (ret) read_body(c.request, head, size);
    close_conn(&c);
    return ret;
}

/* WINHTTP_FLAG_REFRESH, as Wine's webservices.dll opens every request of its
 * HTTP channel: MSDN's WinHttpOpenRequest says the flag adds "Pragma:
 * no-cache" and, to an HTTP/1.1 request, "Cache-Control: no-cache". */
static void test_refresh_flag(void)
{
    char head[4096];

    if (echo_head(L"POST", NULL, WINHTTP_FLAG_REFRESH, head, sizeof(head)))
    {
        ok(strstr(head, "\r\nPragma: no-cache\r\n") != NULL, "no Pragma in %s\n", head);
        ok(strstr(head, "\r\nCache-Control: no-cache\r\n") != NULL, "no Cache-Control in %s\n", head);
    }
    if (echo_head(L"POST", NULL, 0, head, sizeof(head)))
        ok(!strstr(head, "Pragma") && !strstr(head, "Cache-Control"), "no-cache headers without the flag: %s\n", head);
    if (echo_head(L"POST", L"HTTP/1.0", WINHTTP_FLAG_REFRESH, head, sizeof(head)))
    {
        ok(!strncmp(head, "POST /http/echo-headers HTTP/1.0\r\n", 34), "request line %.40s\n", head);
        ok(strstr(head, "\r\nPragma: no-cache\r\n") != NULL, "no Pragma in %s\n", head);
        ok(!strstr(head, "Cache-Control"), "Cache-Control in an HTTP/1.0 request: %s\n", head);
    }
}

static void test_echo_body(void)
{
    static const char data[] = "the optional data";
    char body[4096];
    DWORD status, written;
    struct conn c;
    BOOL ret;

    status = do_request(&c, L"POST", L"/http/echo-body", NULL, data, sizeof(data) - 1);
    ok(status == 200, "status %lu\n", status);
    if (status) ok(read_body(c.request, body, sizeof(body)) == sizeof(data) - 1 && !strcmp(body, data), "body %s\n", body);
    close_conn(&c);

    /* Optional data, then the rest with WriteData. */
    if (!open_request(&c, server_host, server_port, L"POST", L"/http/echo-body")) return;
    ret = WinHttpSendRequest(c.request, NULL, 0, (void *)"abc", 3, 3 + 8, 0);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    written = 0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpWriteData(c.request, "defg", 4, &written);
    ok(ret && written == 4 && GetLastError() == ERROR_SUCCESS, "WriteData: %d %lu (%lu)\n", ret, written, GetLastError());
    ret = WinHttpWriteData(c.request, "hijk", 4, &written);
    ok(ret && written == 4, "WriteData: %d %lu (%lu)\n", ret, written, GetLastError());
    ret = WinHttpReceiveResponse(c.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (ret)
    {
        ok(status_code(c.request) == 200, "status\n");
        ok(read_body(c.request, body, sizeof(body)) == 11 && !strcmp(body, "abcdefghijk"), "body %s\n", body);
        if (!is_wine_builtin())  /* Wine 8's builtin crashes writing after the response */
        {
            SetLastError(0xdeadbeef);
            ret = WinHttpWriteData(c.request, "x", 1, &written);
            ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %d %lu\n", ret, GetLastError());
        }
    }
    close_conn(&c);
}

static int get_conn_id(HINTERNET connect, const WCHAR *headers)
{
    HINTERNET request = WinHttpOpenRequest(connect, L"GET", L"/http/conn-id", NULL, NULL, NULL, 0);
    char body[64];
    int id = -1;

    if (!request) return -1;
    if (WinHttpSendRequest(request, headers, headers ? ~0u : 0, NULL, 0, 0, 0)
        && WinHttpReceiveResponse(request, NULL))
    {
        read_body(request, body, sizeof(body));
        id = atoi(body);
    }
    else ok(0, "conn-id request failed: %lu\n", GetLastError());
    WinHttpCloseHandle(request);
    return id;
}

static void test_keep_alive(void)
{
    HINTERNET session, connect;
    int id1, id2, id3, id4;

    session = WinHttpOpen(L"keep-alive test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connect = WinHttpConnect(session, server_host, server_port, 0);
    id1 = get_conn_id(connect, NULL);
    id2 = get_conn_id(connect, NULL);
    ok(id1 > 0 && id1 == id2, "connection not reused: %d, %d\n", id1, id2);
    /* A response with Connection: close is not kept. */
    id3 = get_conn_id(connect, L"Connection: close\r\n");
    ok(id3 == id2, "keep-alive connection not used for the closing request: %d, %d\n", id2, id3);
    id4 = get_conn_id(connect, NULL);
    ok(id4 > 0 && id4 != id3, "closed connection reused: %d, %d\n", id3, id4);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);

    /* The pool is the process's, as on Windows (Wine's notification.c,
     * test_connection_cache): another session, opened after the first was
     * closed, reuses its idle connection. */
    session = WinHttpOpen(L"keep-alive test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connect = WinHttpConnect(session, server_host, server_port, 0);
    id1 = get_conn_id(connect, NULL);
    ok(id1 > 0 && id1 == id4, "idle connection not shared with the next session: %d, %d\n", id4, id1);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

static void test_errors(void)
{
    HINTERNET session, connect, request;
    SOCKET s;
    struct sockaddr_in addr;
    int addr_len = sizeof(addr);
    INTERNET_PORT closed_port;
    WSADATA wsa;
    BOOL ret;

    /* A loopback port nobody listens on: bind one, note it, close it. */
    WSAStartup(MAKEWORD(2, 2), &wsa);
    s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(s, (struct sockaddr *)&addr, &addr_len);
    closed_port = ntohs(addr.sin_port);
    closesocket(s);

    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connect = WinHttpConnect(session, L"127.0.0.1", closed_port, 0);
    request = WinHttpOpenRequest(connect, NULL, NULL, NULL, NULL, NULL, 0);
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_CANNOT_CONNECT, "closed port: %d %lu\n", ret, GetLastError());
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);

    connect = WinHttpConnect(session, L"name.invalid", 80, 0);
    request = WinHttpOpenRequest(connect, NULL, NULL, NULL, NULL, NULL, 0);
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_NAME_NOT_RESOLVED, "unresolvable: %d %lu\n", ret, GetLastError());
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);

    /* Bad responses. */
    connect = WinHttpConnect(session, server_host, server_port, 0);
    {
        static const WCHAR *const bad[] = { L"/handshake/garbage", L"/handshake/close-mid-headers" };
        unsigned int i;
        for (i = 0; i < ARRAY_SIZE(bad); i++)
        {
            request = WinHttpOpenRequest(connect, NULL, bad[i], NULL, NULL, NULL, 0);
            ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
            ok(ret, "%s: SendRequest failed: %lu\n", wine_dbgstr_w(bad[i]), GetLastError());
            SetLastError(0xdeadbeef);
            ret = WinHttpReceiveResponse(request, NULL);
            ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_SERVER_RESPONSE, "%s: %d %lu\n",
               wine_dbgstr_w(bad[i]), ret, GetLastError());
            WinHttpCloseHandle(request);
        }
    }

    /* A receive timeout while the server dribbles the head. */
    request = WinHttpOpenRequest(connect, NULL, L"/http/slow-headers/1000", NULL, NULL, NULL, 0);
    ok(WinHttpSetTimeouts(request, 0, 5000, 5000, 300), "SetTimeouts failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpReceiveResponse(request, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_TIMEOUT, "slow headers: %d %lu\n", ret, GetLastError());
    WinHttpCloseHandle(request);

    /* The same with a generous timeout works. */
    request = WinHttpOpenRequest(connect, NULL, L"/http/slow-headers/50", NULL, NULL, NULL, 0);
    ok(WinHttpSetTimeouts(request, 0, 5000, 5000, 5000), "SetTimeouts failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL);
    ok(ret, "slow headers with a long timeout: %lu\n", GetLastError());
    if (ret) ok(status_code(request) == 200, "status\n");
    WinHttpCloseHandle(request);

    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

static void test_ipv6(void)
{
    WCHAR host[64];
    INTERNET_PORT port;
    HINTERNET session, connect, request;
    char body[64];
    BOOL ret;

    if (!ws_parse_server(ws_server_env("WSTEST_SERVER6"), host, ARRAY_SIZE(host), &port))
    {
        skip("WSTEST_SERVER6 is not set: no IPv6 loopback server\n");
        return;
    }
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    connect = WinHttpConnect(session, host, port, 0);
    request = WinHttpOpenRequest(connect, NULL, L"/http/echo-headers", NULL, NULL, NULL, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL);
    ok(ret, "request to %s failed: %lu\n", wine_dbgstr_w(host), GetLastError());
    if (ret)
    {
        char expect[64];
        ok(status_code(request) == 200, "status\n");
        read_body(request, body, sizeof(body));
        sprintf(expect, "Host: [::1]:%u", port);
        ok(strstr(body, expect) != NULL, "expected %s in %.60s\n", expect, body);
    }
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
}

/* One request of the session c->session: sends path with headers (NULL:
 * none) and returns the head the server saw (/http/echo-headers) in head. */
static DWORD session_request(struct conn *c, const WCHAR *path, const WCHAR *headers, DWORD disable, char *head,
                             DWORD size)
{
    HINTERNET request;
    DWORD status = 0;

    head[0] = 0;
    request = WinHttpOpenRequest(c->connect, L"GET", path, NULL, NULL, NULL, 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!request) return 0;
    if (disable)
        ok(WinHttpSetOption(request, WINHTTP_OPTION_DISABLE_FEATURE, &disable, sizeof(disable)),
           "DISABLE_FEATURE failed: %lu\n", GetLastError());
    /* added one by one (SendRequest's headers replace those of the same name) */
    if (headers) ok(WinHttpAddRequestHeaders(request, headers, ~0u, WINHTTP_ADDREQ_FLAG_ADD), "add failed\n");
    if (WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL))
    {
        status = status_code(request);
        read_body(request, head, size);
    }
    else ok(0, "request failed: %lu\n", GetLastError());
    WinHttpCloseHandle(request);
    return status;
}

/* The Cookie header line the server saw, or "" (at most size - 1 chars). */
static const char *cookie_line(const char *head, char *line, size_t size)
{
    const char *p = strstr(head, "\r\nCookie: "), *end;

    line[0] = 0;
    if (!p) return line;
    p += 10;
    end = strstr(p, "\r\n");
    snprintf(line, size, "%.*s", (int)(end ? end - p : (ptrdiff_t)strlen(p)), p);
    return line;
}

/* Set-Cookie answers are sent back by the session's later requests (Wine's
 * test_cookies shows the order and trimming Windows uses); a new session
 * starts without them; WINHTTP_DISABLE_COOKIES keeps them out. */
static void test_cookies(void)
{
    char head[4096], line[256];
    struct conn c, c2;

    if (!open_request(&c, server_host, server_port, L"GET", L"/http/hello")) goto done;
    ok(session_request(&c, L"/http/set-cookie", L"X-Set-Cookie: a = 1 \r\nX-Set-Cookie: A=2; Path=/http\r\n"
                       L"X-Set-Cookie: elsewhere=3; Path=/other\r\nX-Set-Cookie: tls=4; Secure\r\n"
                       L"X-Set-Cookie: foreign=5; Domain=example.com\r\nX-Set-Cookie: noequals\r\n", 0,
                       head, sizeof(head)) == 200, "set-cookie failed\n");
    ok(session_request(&c, L"/http/echo-headers", NULL, 0, head, sizeof(head)) == 200, "echo failed\n");
    ok(!strcmp(cookie_line(head, line, sizeof(line)), "A=2; a=1"), "Cookie: %s\n", line);
    /* a program's own Cookie header first, the jar's after it */
    ok(session_request(&c, L"/http/echo-headers?x=/y", L"Cookie: mine=0\r\n", 0, head, sizeof(head)) == 200,
       "echo failed\n");
    ok(!strcmp(cookie_line(head, line, sizeof(line)), "mine=0; A=2; a=1"), "Cookie: %s\n", line);
    /* a cookie set again replaces the old one, and is the newest */
    ok(session_request(&c, L"/http/set-cookie", L"X-Set-Cookie: a=9\r\n", 0, head, sizeof(head)) == 200,
       "set-cookie failed\n");
    ok(session_request(&c, L"/http/echo-headers", NULL, 0, head, sizeof(head)) == 200, "echo failed\n");
    ok(!strcmp(cookie_line(head, line, sizeof(line)), "a=9; A=2"), "Cookie: %s\n", line);
    ok(session_request(&c, L"/http/echo-headers", NULL, WINHTTP_DISABLE_COOKIES, head, sizeof(head)) == 200,
       "echo failed\n");
    ok(!strstr(head, "Cookie:"), "cookies sent although disabled: %s\n", head);
    /* a request with cookies disabled stores none */
    ok(session_request(&c, L"/http/set-cookie", L"X-Set-Cookie: b=1\r\n", WINHTTP_DISABLE_COOKIES, head,
                       sizeof(head)) == 200, "set-cookie failed\n");
    ok(session_request(&c, L"/http/echo-headers", NULL, 0, head, sizeof(head)) == 200, "echo failed\n");
    ok(!strcmp(cookie_line(head, line, sizeof(line)), "a=9; A=2"), "Cookie: %s\n", line);

    /* another session has its own jar */
    if (open_request(&c2, server_host, server_port, L"GET", L"/http/hello"))
    {
        ok(session_request(&c2, L"/http/echo-headers", NULL, 0, head, sizeof(head)) == 200, "echo failed\n");
        ok(!strstr(head, "Cookie:"), "another session's cookies: %s\n", head);
    }
    close_conn(&c2);
done:
    close_conn(&c);
}

START_TEST(http)
{
    test_open_request();
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port))
    {
        skip("WSTEST_SERVER is not set: run under tools/with-servers.sh\n");
        return;
    }
    test_hello();
    test_bodies();
    test_echo_headers();
    test_refresh_flag();
    test_echo_body();
    test_cookies();
    test_keep_alive();
    test_errors();
    test_ipv6();
}
