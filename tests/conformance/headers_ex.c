/*
 * Conformance tests for WinHttpAddRequestHeadersEx: argument checks and their
 * order, wide and narrow name/value pairs, the WINHTTP_ADDREQ_FLAG_*
 * modifiers (the same as WinHttpAddRequestHeaders'), read back with
 * WinHttpQueryHeaders and seen on the wire by a loopback server of the
 * test's own (raw_httpd.h) that records the request head.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include <winhttp.h>

#include "test.h"

static const char plain_answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
static const struct raw_route routes[] =
{
    { "/h", plain_answer, sizeof(plain_answer) - 1, FALSE },
    { NULL }
};
static struct raw_httpd srv;

struct handles
{
    HINTERNET session, con, req;
};

static BOOL open_request(struct handles *h)
{
    h->session = WinHttpOpen(L"headers_ex", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    h->con = h->session ? WinHttpConnect(h->session, L"127.0.0.1", srv.port, 0) : NULL;
    h->req = h->con ? WinHttpOpenRequest(h->con, L"GET", L"/h", NULL, NULL, NULL, 0) : NULL;
    ok(h->req != NULL, "cannot open a request: %lu\n", GetLastError());
    return h->req != NULL;
}

static void close_request(struct handles *h)
{
    WinHttpCloseHandle(h->req);
    WinHttpCloseHandle(h->con);
    WinHttpCloseHandle(h->session);
}

/* The request's value of name (0-based nth), or "" when it has none. */
static const WCHAR *request_value(HINTERNET req, const WCHAR *name, DWORD nth, WCHAR *buf, DWORD size)
{
    DWORD len = size, index = nth;

    if (!WinHttpQueryHeaders(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, name, buf, &len, &index))
        buf[0] = 0;
    return buf;
}

/* Sends the request and returns the head the server received. */
static void send_and_record(HINTERNET req, char *head, size_t size)
{
    LONG before = srv.requests;
    BOOL ret;

    head[0] = 0;
    ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "WinHttpSendRequest: %lu\n", GetLastError());
    ret = ret && WinHttpReceiveResponse(req, NULL);
    ok(ret, "WinHttpReceiveResponse: %lu\n", GetLastError());
    ok(raw_httpd_wait(&srv, &srv.requests, before + 1, 5000), "the server saw no request\n");
    raw_httpd_last_head(&srv, head, size);
}

static void test_arguments(void)
{
    WINHTTP_EXTENDED_HEADER header = { { L"X-A" }, { L"1" } };
    struct handles h;
    WCHAR buf[64];
    DWORD error;

    /* the arguments before the handle: a bad handle with no headers */
    error = WinHttpAddRequestHeadersEx(NULL, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 0, NULL);
    ok(error == ERROR_INVALID_PARAMETER, "got %lu\n", error);
    error = WinHttpAddRequestHeadersEx(NULL, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_INVALID_HANDLE, "got %lu\n", error);

    if (!open_request(&h)) return;
    error = WinHttpAddRequestHeadersEx(h.con, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 0,
                                       &header);
    ok(error == ERROR_INVALID_PARAMETER, "no headers: got %lu\n", error);
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       NULL);
    ok(error == ERROR_INVALID_PARAMETER, "no array: got %lu\n", error);
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, 2, 0, 1, &header);
    ok(error == ERROR_INVALID_PARAMETER, "unknown flag: got %lu\n", error);
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 1, 1,
                                       &header);
    ok(error == ERROR_INVALID_PARAMETER, "reserved value: got %lu\n", error);
    ok(!request_value(h.req, L"X-A", 0, buf, sizeof(buf))[0], "a refused call added %s\n", wine_dbgstr_w(buf));

    /* names are tokens; a value may not carry a line of its own */
    header.pwszName = L"X B";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_INVALID_HEADER, "blank in the name: got %lu\n", error);
    header.pwszName = L"";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_INVALID_HEADER, "empty name: got %lu\n", error);
    header.pwszName = L"X-C:";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_INVALID_HEADER, "colon in the name: got %lu\n", error);
    header.pwszName = L"X-D";
    header.pwszValue = L"1\r\nX-Injected: 2";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_INVALID_HEADER, "line break in the value: got %lu\n", error);
    ok(!request_value(h.req, L"X-Injected", 0, buf, sizeof(buf))[0], "injected %s\n", wine_dbgstr_w(buf));
    ok(!request_value(h.req, L"X-D", 0, buf, sizeof(buf))[0], "added %s\n", wine_dbgstr_w(buf));
    header.pwszName = NULL;
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_INVALID_PARAMETER, "no name: got %lu\n", error);
    close_request(&h);
}

/* Wide and narrow pairs, and the modifiers, read back and on the wire. */
static void test_headers(void)
{
    WINHTTP_EXTENDED_HEADER wide[] =
    {
        { { L"X-Wide" }, { L"  one  " } },
        { { L"Accept" }, { L"text/*" } },
        { { L"X-Unicode" }, { L"caf\x00e9" } },
    };
    WINHTTP_EXTENDED_HEADER narrow[2];
    WINHTTP_EXTENDED_HEADER header;
    struct handles h;
    char head[4096];
    WCHAR buf[128];
    DWORD error;

    if (!open_request(&h)) return;
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0,
                                       ARRAY_SIZE(wide), wide);
    ok(error == ERROR_SUCCESS, "wide: got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"X-Wide", 0, buf, ARRAY_SIZE(buf)), L"one"), "X-Wide %s\n",
       wine_dbgstr_w(buf));

    narrow[0].pszName = "X-Narrow";
    narrow[0].pszValue = "two";
    narrow[1].pszName = "X-Utf8";
    narrow[1].pszValue = "caf\xc3\xa9";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, 0, 0, ARRAY_SIZE(narrow), narrow);
    ok(error == ERROR_SUCCESS, "narrow: got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"X-Narrow", 0, buf, ARRAY_SIZE(buf)), L"two"), "X-Narrow %s\n",
       wine_dbgstr_w(buf));

    /* COALESCE_WITH_COMMA joins to the first of the name */
    header.pwszName = L"Accept";
    header.pwszValue = L"audio/*";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_COALESCE_WITH_COMMA,
                                       WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1, &header);
    ok(error == ERROR_SUCCESS, "coalesce: got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"Accept", 0, buf, ARRAY_SIZE(buf)), L"text/*, audio/*"), "Accept %s\n",
       wine_dbgstr_w(buf));

    /* ADD_IF_NEW refuses a name already there, and changes nothing */
    header.pwszName = L"X-Wide";
    header.pwszValue = L"other";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD_IF_NEW, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0,
                                       1, &header);
    ok(error == ERROR_WINHTTP_HEADER_ALREADY_EXISTS, "add if new: got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"X-Wide", 0, buf, ARRAY_SIZE(buf)), L"one"), "X-Wide %s\n",
       wine_dbgstr_w(buf));

    /* REPLACE with a value replaces; with an empty (here: no) value removes */
    header.pwszName = L"X-Wide";
    header.pwszValue = L"three";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_REPLACE, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_SUCCESS, "replace: got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"X-Wide", 0, buf, ARRAY_SIZE(buf)), L"three"), "X-Wide %s\n",
       wine_dbgstr_w(buf));
    header.pszName = "X-Narrow";
    header.pszValue = NULL;
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_REPLACE, 0, 0, 1, &header);
    ok(error == ERROR_SUCCESS, "remove: got %lu\n", error);
    ok(!request_value(h.req, L"X-Narrow", 0, buf, ARRAY_SIZE(buf))[0], "X-Narrow still %s\n", wine_dbgstr_w(buf));
    header.pwszName = L"X-Missing";
    header.pwszValue = L"4";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_REPLACE, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 1,
                                       &header);
    ok(error == ERROR_WINHTTP_HEADER_NOT_FOUND, "replace a missing one: got %lu\n", error);

    /* the headers before a failing one stay */
    wide[0].pwszName = L"X-First";
    wide[0].pwszValue = L"5";
    wide[1].pwszName = L"Bad Name";
    error = WinHttpAddRequestHeadersEx(h.req, WINHTTP_ADDREQ_FLAG_ADD, WINHTTP_EXTENDED_HEADER_FLAG_UNICODE, 0, 2,
                                       wide);
    ok(error == ERROR_WINHTTP_INVALID_HEADER, "got %lu\n", error);
    ok(!wcscmp(request_value(h.req, L"X-First", 0, buf, ARRAY_SIZE(buf)), L"5"), "X-First %s\n",
       wine_dbgstr_w(buf));

    send_and_record(h.req, head, sizeof(head));
    ok(strstr(head, "\r\nX-Wide: three\r\n") != NULL, "X-Wide not sent: %s\n", head);
    ok(strstr(head, "\r\nAccept: text/*, audio/*\r\n") != NULL, "Accept not sent: %s\n", head);
    ok(strstr(head, "\r\nX-Unicode: caf\xc3\xa9\r\n") != NULL, "X-Unicode not sent in UTF-8: %s\n", head);
    ok(strstr(head, "\r\nX-Utf8: caf\xc3\xa9\r\n") != NULL, "narrow UTF-8 not sent as given: %s\n", head);
    ok(strstr(head, "\r\nX-First: 5\r\n") != NULL, "X-First not sent: %s\n", head);
    ok(!strstr(head, "X-Narrow"), "removed header sent: %s\n", head);
    ok(!strstr(head, "X-Missing"), "missing header sent: %s\n", head);
    close_request(&h);
}

START_TEST(headers_ex)
{
    if (!raw_httpd_start(&srv, routes))
    {
        ok(0, "cannot start the server: %d\n", WSAGetLastError());
        return;
    }
    test_arguments();
    test_headers();
    raw_httpd_stop(&srv);
}
