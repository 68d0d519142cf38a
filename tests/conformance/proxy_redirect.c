/*
 * The proxy route after a redirect: when WinHttpReceiveResponse follows a
 * redirect to another host or scheme, the proxy decision is taken again for
 * the new URL: the bypass list, absolute-form through the proxy for http,
 * a CONNECT tunnel for https.  Debian's squid (tools/start-squid.sh,
 * WSTEST_PROXY) is the proxy; a redirector of our own (a loopback server in
 * this program, "/go?URL" answers 302 to URL) and wsserver's
 * /http/echo-headers (WSTEST_SERVER, WSTEST_TLS_SERVER) are the origins.
 * squid adds a Via header to what it forwards, so each origin sees which way
 * the request came: through the proxy in absolute form (Via), or directly or
 * through a tunnel (none).  The bypass list names "localhost"; 127.0.0.1 goes
 * through the proxy.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <winsock2.h>
#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include "wine/test.h"
#include "loopback.h"
#include "ws_helpers.h"

#define WAIT_MS 10000
#define MAX_CONNECTIONS 64

struct redirector
{
    SOCKET listener;
    INTERNET_PORT port;
    HANDLE thread;
    LONG via;      /* requests that came with a Via header (through squid) */
    LONG direct;   /* and without */
};

static BOOL has_via(const char *head)
{
    const char *p;

    for (p = head; (p = strstr(p, "\r\n")); p += 2)
        if (!_strnicmp(p + 2, "Via:", 4)) return TRUE;
    return FALSE;
}

/* One request per connection: "GET /go?URL ..." gets a 302 to URL. */
static DWORD WINAPI redirector_thread(void *arg)
{
    struct redirector *r = arg;
    char head[4096], target[1024], reply[1200];
    int i, len, n;
    SOCKET c;

    for (i = 0; i < MAX_CONNECTIONS; i++)
    {
        if ((c = accept(r->listener, NULL, NULL)) == INVALID_SOCKET) return 0;
        len = 0;
        while (len < (int)sizeof(head) - 1 && (n = recv(c, head + len, 1, 0)) == 1)
        {
            len++;
            if (len >= 4 && !memcmp(head + len - 4, "\r\n\r\n", 4)) break;
        }
        head[len] = 0;
        InterlockedIncrement(has_via(head) ? &r->via : &r->direct);
        /* origin-form from a client, absolute-form never reaches an origin */
        if (sscanf(head, "GET /go?%1000s HTTP/1.1", target) == 1)
            n = sprintf(reply, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        target);
        else
            n = sprintf(reply, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        send(c, reply, n, 0);
        shutdown(c, SD_SEND);
        closesocket(c);
    }
    return 0;
}

static BOOL redirector_start(struct redirector *r)
{
    int port;

    memset(r, 0, sizeof(*r));
    if ((r->listener = loopback_listen(0, 8, &port)) == INVALID_SOCKET) return FALSE;
    r->port = port;
    return (r->thread = CreateThread(NULL, 0, redirector_thread, r, 0, NULL)) != NULL;
}

static void redirector_stop(struct redirector *r)
{
    closesocket(r->listener);
    ok(WaitForSingleObject(r->thread, WAIT_MS) == WAIT_OBJECT_0, "redirector did not end\n");
    CloseHandle(r->thread);
}

static WCHAR proxy[64];
static INTERNET_PORT plain_port, tls_port;

struct async_wait
{
    HANDLE event;
    volatile DWORD status;
    volatile DWORD error;
    volatile LONG redirects;
};

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_wait *w = (struct async_wait *)context;

    if (!w) return;
    if (status == WINHTTP_CALLBACK_STATUS_REDIRECT) InterlockedIncrement(&w->redirects);
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) w->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR || status == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE ||
        status == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE || status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
    {
        w->status = status;
        SetEvent(w->event);
    }
}

static BOOL await(struct async_wait *w, DWORD expected)
{
    DWORD res = WaitForSingleObject(w->event, WAIT_MS);

    ok(res == WAIT_OBJECT_0, "no completion within %u ms\n", WAIT_MS);
    ok(w->status == expected, "status %#lx (expected %#lx), error %lu\n", w->status, expected, w->error);
    return res == WAIT_OBJECT_0 && w->status == expected;
}

/* GET http://start_host:redirector/go?target; the final answer's body
 * (wsserver's echo of the request head it got) into body. */
static BOOL fetch(const WCHAR *start_host, struct redirector *r, const char *target, BOOL async, char *body,
                  DWORD body_size, WCHAR *final_url, DWORD url_size)
{
    struct async_wait w = { CreateEventW(NULL, FALSE, FALSE, NULL), 0, 0, 0 };
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    DWORD status = 0, size = sizeof(status), got = 0, total = 0;
    HINTERNET session, connection, request;
    WCHAR path[512];
    BOOL ret;

    swprintf(path, ARRAY_SIZE(path), L"/go?%hs", target);
    session = WinHttpOpen(L"proxy_redirect", WINHTTP_ACCESS_TYPE_NAMED_PROXY, proxy, L"localhost",
                          async ? WINHTTP_FLAG_ASYNC : 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    connection = WinHttpConnect(session, start_host, r->port, 0);
    request = WinHttpOpenRequest(connection, L"GET", path, NULL, NULL, NULL, 0);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    /* for the https hop: the test CA is not what this checks */
    WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    if (async)
        WinHttpSetStatusCallback(request, callback,
                                 WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_REDIRECT, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&w);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    if (ret && async) ret = await(&w, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    if (ret) ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    if (ret && async) ret = await(&w, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    if (ret)
    {
        WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
        ok(status == 200, "status %lu\n", status);
        size = url_size * sizeof(WCHAR);
        ok(WinHttpQueryOption(request, WINHTTP_OPTION_URL, final_url, &size), "no URL: %lu\n", GetLastError());
        memset(body, 0, body_size);
        while (total < body_size - 1)  /* bounded by the buffer */
        {
            got = 0;
            if (!WinHttpReadData(request, body + total, body_size - 1 - total, &got)) break;
            if (async && !await(&w, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) break;
            if (async) got = (DWORD)strlen(body + total);
            if (!got) break;
            total += got;
        }
        if (async) ok(w.redirects == 1, "%ld REDIRECT notifications\n", w.redirects);
    }
    if (async) WinHttpSetStatusCallback(request, NULL, 0, 0);
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    CloseHandle(w.event);
    return ret && status == 200;
}

static void test_redirect_route(BOOL async)
{
    const char *mode = async ? "async" : "sync";
    WCHAR url[512], expect[512];
    char target[256], body[8192];
    struct redirector r;

    if (!redirector_start(&r))
    {
        skip("no loopback server\n");
        return;
    }

    /* through the proxy, then to a host the bypass list names: direct */
    sprintf(target, "http://localhost:%u/http/echo-headers", plain_port);
    if (fetch(L"127.0.0.1", &r, target, async, body, sizeof(body), url, ARRAY_SIZE(url)))
    {
        swprintf(expect, ARRAY_SIZE(expect), L"%hs", target);
        ok(!wcscmp(url, expect), "%s: final URL %s\n", mode, wine_dbgstr_w(url));
        ok(!has_via(body), "%s: the bypassed hop went through the proxy:\n%s\n", mode, body);
        ok(strstr(body, "GET /http/echo-headers HTTP/1.1\r\n") == body, "%s: request line of %s\n", mode, body);
    }
    ok(r.via == 1 && r.direct == 0, "%s: the first hop: %ld through the proxy, %ld direct\n", mode, r.via, r.direct);

    /* direct (bypassed), then to a host that goes through the proxy */
    r.via = r.direct = 0;
    sprintf(target, "http://127.0.0.1:%u/http/echo-headers", plain_port);
    if (fetch(L"localhost", &r, target, async, body, sizeof(body), url, ARRAY_SIZE(url)))
        ok(has_via(body), "%s: the proxied hop did not go through the proxy:\n%s\n", mode, body);
    ok(r.via == 0 && r.direct == 1, "%s: the first hop: %ld through the proxy, %ld direct\n", mode, r.via, r.direct);

    /* http through the proxy (absolute form), then https: a CONNECT tunnel,
     * so the origin sees no Via */
    if (tls_port)
    {
        r.via = r.direct = 0;
        sprintf(target, "https://127.0.0.1:%u/http/echo-headers", tls_port);
        if (fetch(L"127.0.0.1", &r, target, async, body, sizeof(body), url, ARRAY_SIZE(url)))
        {
            swprintf(expect, ARRAY_SIZE(expect), L"%hs", target);
            ok(!wcscmp(url, expect), "%s: final URL %s\n", mode, wine_dbgstr_w(url));
            ok(!has_via(body), "%s: the https hop was not tunnelled:\n%s\n", mode, body);
            ok(strstr(body, "GET /http/echo-headers HTTP/1.1\r\n") == body, "%s: request line of %s\n", mode, body);
        }
        ok(r.via == 1 && r.direct == 0, "%s: the first hop: %ld through the proxy, %ld direct\n", mode, r.via,
           r.direct);
    }
    redirector_stop(&r);
}

START_TEST(proxy_redirect)
{
    WCHAR host[64];
    WSADATA wsa;

    if (!ws_server_env("WSTEST_PROXY") || !ws_server_env("WSTEST_SERVER"))
    {
        skip("WSTEST_PROXY (squid) or WSTEST_SERVER not set (tools/with-servers.sh)\n");
        return;
    }
    swprintf(proxy, ARRAY_SIZE(proxy), L"%hs", ws_server_env("WSTEST_PROXY"));
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), host, ARRAY_SIZE(host), &plain_port)) return;
    if (!ws_parse_server(ws_server_env("WSTEST_TLS_SERVER"), host, ARRAY_SIZE(host), &tls_port))
    {
        skip("WSTEST_TLS_SERVER not set: no https hop\n");
        tls_port = 0;
    }
    WSAStartup(MAKEWORD(2, 2), &wsa);
    test_redirect_route(FALSE);
    test_redirect_route(TRUE);
    WSACleanup();
}
