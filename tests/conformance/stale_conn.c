/*
 * A kept-alive connection that the server closes while the next request is
 * on its way: the request went out on the pooled connection and the
 * connection ends before a byte of the answer.  The request is sent once
 * more on a fresh connection and the program sees only the answer (servers
 * close idle connections whenever they like; Wine's winhttp.c server closes
 * after every answer, and its test_websocket met this race under load).
 * The server here closes at the worst moment on purpose: it reads the second
 * request on the first connection and closes without answering.
 * Synchronous and asynchronous.
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

#define WAIT_MS 10000

struct server
{
    SOCKET listener;
    INTERNET_PORT port;
    HANDLE thread;
    LONG connections;
    LONG requests;
};

/* Reads one request head (no body); FALSE when the peer closed or failed. */
static BOOL read_head(SOCKET s)
{
    char buf[4096];
    int len = 0, r;

    while (len < (int)sizeof(buf) - 1)
    {
        if ((r = recv(s, buf + len, 1, 0)) != 1) return FALSE;
        len++;
        if (len >= 4 && !memcmp(buf + len - 4, "\r\n\r\n", 4)) return TRUE;
    }
    return FALSE;
}

static void answer(SOCKET s, const char *body, BOOL close)
{
    char reply[256];
    int len = sprintf(reply, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n%s\r\n%s", (unsigned)strlen(body),
                      close ? "Connection: close\r\n" : "", body);
    send(s, reply, len, 0);
}

/* Connection 1: answers one request, reads the next and closes unanswered.
 * Connection 2: answers one request ("fresh") and closes.  Then it is done. */
static DWORD WINAPI server_thread(void *arg)
{
    struct server *srv = arg;
    SOCKET c;

    if ((c = accept(srv->listener, NULL, NULL)) == INVALID_SOCKET) return 1;
    InterlockedIncrement(&srv->connections);
    if (read_head(c))
    {
        InterlockedIncrement(&srv->requests);
        answer(c, "first", FALSE);
        if (read_head(c)) InterlockedIncrement(&srv->requests);
    }
    closesocket(c);
    if ((c = accept(srv->listener, NULL, NULL)) == INVALID_SOCKET) return 1;
    InterlockedIncrement(&srv->connections);
    if (read_head(c))
    {
        InterlockedIncrement(&srv->requests);
        answer(c, "fresh", TRUE);
    }
    shutdown(c, SD_SEND);
    closesocket(c);
    return 0;
}

static BOOL server_start(struct server *srv)
{
    int port;

    memset(srv, 0, sizeof(*srv));
    if ((srv->listener = loopback_listen(0, 4, &port)) == INVALID_SOCKET) return FALSE;
    srv->port = port;
    return (srv->thread = CreateThread(NULL, 0, server_thread, srv, 0, NULL)) != NULL;
}

static void server_stop(struct server *srv)
{
    closesocket(srv->listener);
    ok(WaitForSingleObject(srv->thread, WAIT_MS) == WAIT_OBJECT_0, "server thread did not end\n");
    CloseHandle(srv->thread);
}

struct async_wait
{
    HANDLE event;
    volatile DWORD status;
    volatile DWORD error;
};

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_wait *w = (struct async_wait *)context;

    if (!w) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        w->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        w->status = status;
        SetEvent(w->event);
        break;
    }
}

static BOOL await(struct async_wait *w, DWORD expected)
{
    DWORD res = WaitForSingleObject(w->event, WAIT_MS);

    ok(res == WAIT_OBJECT_0, "no completion within %u ms\n", WAIT_MS);
    ok(w->status == expected, "status %#lx (expected %#lx), error %lu\n", w->status, expected, w->error);
    return res == WAIT_OBJECT_0 && w->status == expected;
}

/* One GET: its status and body. */
static void get(HINTERNET connection, struct async_wait *w, const WCHAR *path, const char *expect)
{
    HINTERNET request = WinHttpOpenRequest(connection, L"GET", path, NULL, NULL, NULL, 0);
    DWORD status = 0, size = sizeof(status), got = 0;
    char body[64] = {0};
    BOOL ret;

    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (w) WinHttpSetStatusCallback(request, callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)w);
    ok(ret, "%s: WinHttpSendRequest failed: %lu\n", wine_dbgstr_w(path), GetLastError());
    if (ret && w) ret = await(w, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    if (ret) ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "%s: WinHttpReceiveResponse failed: %lu\n", wine_dbgstr_w(path), GetLastError());
    if (ret && w) ret = await(w, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    if (ret)
    {
        WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
        ok(status == 200, "%s: status %lu\n", wine_dbgstr_w(path), status);
        ret = WinHttpReadData(request, body, sizeof(body) - 1, &got);
        ok(ret, "WinHttpReadData failed: %lu\n", GetLastError());
        if (ret && w && await(w, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) got = (DWORD)strlen(body);
        ok(!strcmp(body, expect), "%s: body %s, expected %s\n", wine_dbgstr_w(path), wine_dbgstr_a(body), expect);
    }
    if (w) WinHttpSetStatusCallback(request, NULL, 0, 0);
    WinHttpCloseHandle(request);
}

static void test_stale(BOOL async)
{
    struct async_wait w = { CreateEventW(NULL, FALSE, FALSE, NULL), 0, 0 };
    HINTERNET session, connection;
    struct server srv;

    if (!server_start(&srv))
    {
        skip("no loopback server\n");
        return;
    }
    session = WinHttpOpen(L"stale_conn", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, async ? WINHTTP_FLAG_ASYNC : 0);
    connection = WinHttpConnect(session, L"127.0.0.1", srv.port, 0);
    ok(connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    get(connection, async ? &w : NULL, L"/one", "first");
    /* goes out on the pooled connection, which the server closes unanswered */
    get(connection, async ? &w : NULL, L"/two", "fresh");
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    server_stop(&srv);
    ok(srv.connections == 2, "%s: %ld connections\n", async ? "async" : "sync", srv.connections);
    ok(srv.requests == 3, "%s: %ld requests\n", async ? "async" : "sync", srv.requests);
    CloseHandle(w.event);
}

START_TEST(stale_conn)
{
    WSADATA wsa;

    WSAStartup(MAKEWORD(2, 2), &wsa);
    test_stale(FALSE);
    test_stale(TRUE);
    WSACleanup();
}
