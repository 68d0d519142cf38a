/*
 * Conformance tests for the connection options that change how many
 * connections a program opens: WINHTTP_OPTION_MAX_CONNS_PER_SERVER and
 * _PER_1_0_SERVER (a request past the limit waits for a connection another
 * request gives back instead of opening one; 0 is the default, no limit) and
 * WINHTTP_DISABLE_KEEP_ALIVE.  The loopback server in this process
 * (raw_httpd.h) counts the connections it accepts and how many are open at
 * once, and holds answers until the test lets them go.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include "replay.h"

#define ANSWER_OK   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
#define ANSWER_10   "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"

static const struct raw_route routes[] =
{
    { "/hold", ANSWER_OK, sizeof(ANSWER_OK) - 1, TRUE },
    { "/quick", ANSWER_OK, sizeof(ANSWER_OK) - 1, FALSE },
    { "/http10", ANSWER_10, sizeof(ANSWER_10) - 1, FALSE },
    { "/hold10", ANSWER_10, sizeof(ANSWER_10) - 1, TRUE },
    { NULL }
};

/* How long a test waits for something that must not happen. */
#define QUIET_MS 400

static struct raw_httpd srv;

static BOOL start_server(void)
{
    if (raw_httpd_start(&srv, routes)) return TRUE;
    ok(0, "starting the server failed\n");
    return FALSE;
}

static HINTERNET open_session(BOOL async, DWORD max_conns, DWORD max_conns_1_0)
{
    HINTERNET ses = WinHttpOpen(L"winhttp-ws connections test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                                async ? WINHTTP_FLAG_ASYNC : 0);
    DWORD value = 0xdeadbeef, size = sizeof(value);

    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (max_conns != ~0u)
    {
        ok(WinHttpSetOption(ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &max_conns, sizeof(max_conns)),
           "MAX_CONNS_PER_SERVER: %lu\n", GetLastError());
        ok(WinHttpQueryOption(ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &value, &size) && value == max_conns,
           "read back %#lx (%lu)\n", value, GetLastError());
    }
    if (max_conns_1_0 != ~0u)
        ok(WinHttpSetOption(ses, WINHTTP_OPTION_MAX_CONNS_PER_1_0_SERVER, &max_conns_1_0, sizeof(max_conns_1_0)),
           "MAX_CONNS_PER_1_0_SERVER: %lu\n", GetLastError());
    if (async) WinHttpSetStatusCallback(ses, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);
    return ses;
}

static void close_session(HINTERNET ses, BOOL async)
{
    if (async) WinHttpSetStatusCallback(ses, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    WinHttpCloseHandle(ses);
}

/* One synchronous GET to the end of its body; the Win32 error. */
static DWORD sync_get(HINTERNET con, const WCHAR *path)
{
    HINTERNET req = WinHttpOpenRequest(con, L"GET", path, NULL, NULL, NULL, 0);
    DWORD status = 0, len = 0, error;
    char body[64];

    if (!req) return GetLastError();
    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0)) error = GetLastError();
    else error = replay_receive(req, NULL, FALSE, &status, body, sizeof(body), &len);
    if (!error && (status != 200 || strcmp(body, "ok"))) error = ERROR_INVALID_DATA;
    WinHttpCloseHandle(req);
    return error;
}

#define MAX_REQ 6

/* n asynchronous GETs of path at once: while the server holds its answers,
 * only 'expected' connections open; once they go, every request completes,
 * the later ones on the connections the first ones gave back. */
static void check_async_limit(const char *what, DWORD max_conns, DWORD max_conns_1_0, const WCHAR *path, int n,
                              LONG expected)
{
    struct replay_async a[MAX_REQ];
    HINTERNET ses, con, req[MAX_REQ];
    DWORD status, len, error;
    LONG base;
    char body[64];
    int i, done;

    winetest_push_context("%s", what);
    if (!start_server())
    {
        winetest_pop_context();
        return;
    }
    ses = open_session(TRUE, max_conns, max_conns_1_0);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    base = 0;
    if (max_conns_1_0 != ~0u)
    {
        /* the server says HTTP/1.0 first (its connection stays in the pool) */
        HINTERNET sync_ses = open_session(FALSE, max_conns, max_conns_1_0);
        HINTERNET sync_con = WinHttpConnect(sync_ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
        ok(!sync_get(sync_con, L"/http10"), "HTTP/1.0 request failed\n");
        WinHttpCloseHandle(sync_con);
        close_session(sync_ses, FALSE);
        base = 1;
    }
    for (i = 0; i < n; i++)
    {
        replay_async_init(&a[i]);
        req[i] = WinHttpOpenRequest(con, L"GET", path, NULL, NULL, NULL, 0);
        ok(req[i] != NULL, "open %d: %lu\n", i, GetLastError());
        ok(WinHttpSendRequest(req[i], NULL, 0, NULL, 0, 0, (DWORD_PTR)&a[i]), "send %d: %lu\n", i, GetLastError());
    }
    /* the allowed requests reach the server, and no more connections come */
    ok(raw_httpd_wait(&srv, &srv.held, expected, 10000), "%ld answers held, expected %ld\n", srv.held, expected);
    ok(!raw_httpd_wait(&srv, &srv.connections, max(expected, base) + 1, QUIET_MS),
       "%ld connections for a limit of %ld\n", srv.connections, expected);
    ok(srv.peak == expected, "%ld connections open at once, expected %ld\n", srv.peak, expected);

    SetEvent(srv.release);
    /* The waiting requests get the connections given back in the order they
     * asked for one -- which their tasks decide, not the order of the
     * WinHttpSendRequest calls (Windows documents none): take each request
     * as its send completes. */
    for (done = 0; done < n; done++)
    {
        HANDLE events[MAX_REQ];
        int map[MAX_REQ], m = 0;
        DWORD k;

        for (i = 0; i < n; i++)
            if (req[i]) { events[m] = a[i].event; map[m++] = i; }
        k = WaitForMultipleObjects(m, events, FALSE, REPLAY_TIMEOUT);
        ok(k < (DWORD)m, "%d of %d sends completed (wait %lu)\n", done, n, k);
        if (k >= (DWORD)m) break;
        i = map[k];
        ok(a[i].status == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, "send %d completed with %#lx (error %lu)\n", i,
           a[i].status, a[i].error);
        error = replay_receive(req[i], &a[i], TRUE, &status, body, sizeof(body), &len);
        ok(!error && status == 200 && !strcmp(body, "ok"), "request %d: %lu %lu %s\n", i, error, status, body);
        WinHttpCloseHandle(req[i]);
        req[i] = NULL;
        CloseHandle(a[i].event);
    }
    for (i = 0; i < n; i++)
        if (req[i])
        {
            WinHttpCloseHandle(req[i]);
            CloseHandle(a[i].event);
        }
    ok(srv.connections == max(expected, base), "%ld connections in all, expected %ld\n", srv.connections,
       max(expected, base));
    ok(srv.peak == max(expected, base), "%ld connections open at once\n", srv.peak);
    WinHttpCloseHandle(con);
    close_session(ses, TRUE);
    raw_httpd_stop(&srv);
    winetest_pop_context();
}

static void test_async_limits(void)
{
    check_async_limit("limit 2", 2, ~0u, L"/hold", 5, 2);
    check_async_limit("limit 1", 1, ~0u, L"/hold", 3, 1);
    /* 0 and no setting: the default, no limit */
    check_async_limit("limit 0", 0, ~0u, L"/hold", 4, 4);
    check_async_limit("no limit", ~0u, ~0u, L"/hold", 4, 4);
    /* an HTTP/1.0 server gets MAX_CONNS_PER_1_0_SERVER */
    check_async_limit("HTTP/1.0 server", 1, 3, L"/hold10", 3, 3);
}

struct sync_thread
{
    HINTERNET con;
    const WCHAR *path;
    DWORD error;
};

static DWORD WINAPI sync_thread(void *arg)
{
    struct sync_thread *t = arg;
    t->error = sync_get(t->con, t->path);
    return 0;
}

/* A synchronous request waits for the connection another thread's request
 * holds, then takes it over; with a connect timeout shorter than the wait, it
 * fails with ERROR_WINHTTP_TIMEOUT and opens nothing. */
static void test_sync_wait(void)
{
    struct sync_thread first = { NULL, L"/hold", 0 }, second = { NULL, L"/quick", 0 };
    HINTERNET ses, con, req;
    HANDLE threads[2];
    ULONGLONG start;
    DWORD elapsed;

    if (!start_server()) return;
    ses = open_session(FALSE, 1, ~0u);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    first.con = second.con = con;
    threads[0] = CreateThread(NULL, 0, sync_thread, &first, 0, NULL);
    ok(raw_httpd_wait(&srv, &srv.held, 1, 10000), "the first request did not arrive\n");

    /* past the connect timeout: no connection, ERROR_WINHTTP_TIMEOUT */
    req = WinHttpOpenRequest(con, L"GET", L"/quick", NULL, NULL, NULL, 0);
    ok(WinHttpSetTimeouts(req, 0, 300, 5000, 5000), "timeouts: %lu\n", GetLastError());
    start = GetTickCount64();
    SetLastError(0xdeadbeef);
    ok(!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0) && GetLastError() == ERROR_WINHTTP_TIMEOUT,
       "send past the limit: %lu\n", GetLastError());
    elapsed = (DWORD)(GetTickCount64() - start);
    ok(elapsed >= 250 && elapsed < 5000, "failed after %lu ms\n", elapsed);
    WinHttpCloseHandle(req);
    ok(srv.connections == 1, "%ld connections\n", srv.connections);

    /* waiting: the second request goes out on the first one's connection */
    threads[1] = CreateThread(NULL, 0, sync_thread, &second, 0, NULL);
    ok(!raw_httpd_wait(&srv, &srv.connections, 2, QUIET_MS), "a second connection opened\n");
    ok(WaitForSingleObject(threads[1], 0) == WAIT_TIMEOUT, "the second request did not wait\n");
    SetEvent(srv.release);
    ok(!WaitForMultipleObjects(2, threads, TRUE, 20000), "the requests did not finish\n");
    ok(!first.error && !second.error, "requests: %lu %lu\n", first.error, second.error);
    ok(srv.connections == 1, "%ld connections for two requests\n", srv.connections);
    CloseHandle(threads[0]);
    CloseHandle(threads[1]);
    WinHttpCloseHandle(con);
    close_session(ses, FALSE);
    raw_httpd_stop(&srv);
}

/* Closing an asynchronous request that waits for a connection ends its wait. */
static void test_async_cancel(void)
{
    struct replay_async a, b;
    HINTERNET ses, con, first, second;
    DWORD status, len, error = 0;
    char body[64];

    if (!start_server()) return;
    ses = open_session(TRUE, 1, ~0u);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    replay_async_init(&a);
    replay_async_init(&b);
    first = WinHttpOpenRequest(con, L"GET", L"/hold", NULL, NULL, NULL, 0);
    second = WinHttpOpenRequest(con, L"GET", L"/quick", NULL, NULL, NULL, 0);
    ok(WinHttpSendRequest(first, NULL, 0, NULL, 0, 0, (DWORD_PTR)&a), "send: %lu\n", GetLastError());
    ok(raw_httpd_wait(&srv, &srv.held, 1, 10000), "the first request did not arrive\n");
    ok(WinHttpSendRequest(second, NULL, 0, NULL, 0, 0, (DWORD_PTR)&b), "send: %lu\n", GetLastError());
    ok(WinHttpCloseHandle(second), "close: %lu\n", GetLastError());
    SetEvent(srv.release);
    ok(replay_wait(&a, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, &error), "send completed: %lu\n", error);
    error = replay_receive(first, &a, TRUE, &status, body, sizeof(body), &len);
    ok(!error && !strcmp(body, "ok"), "first request: %lu %s\n", error, body);
    WinHttpCloseHandle(first);
    ok(srv.connections == 1 && srv.requests == 1, "%ld connections, %ld requests\n", srv.connections, srv.requests);
    WinHttpCloseHandle(con);
    close_session(ses, TRUE);
    CloseHandle(a.event);
    CloseHandle(b.event);
    raw_httpd_stop(&srv);
}

/* WINHTTP_DISABLE_KEEP_ALIVE: no "Connection: Keep-Alive", and each request
 * has a connection of its own. */
static void test_disable_keep_alive(void)
{
    DWORD value = WINHTTP_DISABLE_KEEP_ALIVE, status, len, error;
    HINTERNET ses, con, req;
    char head[4096], body[64];
    int i;

    if (!start_server()) return;
    ses = open_session(FALSE, ~0u, ~0u);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    for (i = 0; i < 4; i++)
    {
        BOOL disable = i >= 2;

        req = WinHttpOpenRequest(con, L"GET", L"/quick", NULL, NULL, NULL, 0);
        if (disable)
            ok(WinHttpSetOption(req, WINHTTP_OPTION_DISABLE_FEATURE, &value, sizeof(value)), "set: %lu\n",
               GetLastError());
        ok(WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0), "send: %lu\n", GetLastError());
        error = replay_receive(req, NULL, FALSE, &status, body, sizeof(body), &len);
        ok(!error && !strcmp(body, "ok"), "request %d: %lu %s\n", i, error, body);
        raw_httpd_last_head(&srv, head, sizeof(head));
        ok(!strstr(head, "Keep-Alive") == !!disable, "request %d: %s\n", i, head);
        WinHttpCloseHandle(req);
    }
    /* two kept-alive requests on one connection; the other two neither take
     * it from the pool nor leave theirs there: one connection each */
    ok(srv.connections == 3, "%ld connections\n", srv.connections);
    WinHttpCloseHandle(con);
    close_session(ses, FALSE);
    raw_httpd_stop(&srv);
}

/* A request closed with its whole answer received (not read) gives its
 * connection back before HANDLE_CLOSING is delivered: a request the program
 * sends as soon as it has that notification goes out on that connection.
 * Wine's notification.c (test_connection_cache) does so from another thread,
 * strictly expecting no CONNECTING_TO_SERVER; there the last reference may be
 * a worker's, dropped once its own callback returned, after the program's
 * close.  Here the HANDLE_CLOSING callback waits (bounded) for a thread
 * that sends the next request meanwhile, on both backends. */
struct closing_reuse
{
    HINTERNET con;
    HANDLE closing, sent;         /* HANDLE_CLOSING seen; the second request done */
    DWORD error;
    LONG connections;             /* the server's count when the second request was done */
};

static struct closing_reuse *closing_reuse;

static void CALLBACK closing_reuse_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    if (status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING || context != 1) return;
    SetEvent(closing_reuse->closing);
    ok(!WaitForSingleObject(closing_reuse->sent, REPLAY_TIMEOUT), "the second request did not finish\n");
}

static DWORD WINAPI closing_reuse_thread(void *arg)
{
    struct closing_reuse *t = arg;

    if (WaitForSingleObject(t->closing, REPLAY_TIMEOUT)) t->error = WAIT_TIMEOUT;
    else
    {
        t->error = sync_get(t->con, L"/quick");
        t->connections = srv.connections;
    }
    SetEvent(t->sent);
    return 0;
}

static void test_pooled_before_closing(void)
{
    struct closing_reuse t = { NULL };
    HINTERNET ses, req;
    DWORD status = 0, size = sizeof(status);
    DWORD_PTR context = 1;
    HANDLE thread;

    if (!start_server()) return;
    ses = open_session(FALSE, ~0u, ~0u);
    t.con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    t.closing = CreateEventW(NULL, TRUE, FALSE, NULL);
    t.sent = CreateEventW(NULL, TRUE, FALSE, NULL);
    closing_reuse = &t;
    req = WinHttpOpenRequest(t.con, L"GET", L"/quick", NULL, NULL, NULL, 0);
    ok(req != NULL, "open: %lu\n", GetLastError());
    WinHttpSetStatusCallback(req, closing_reuse_callback, WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    ok(WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context)), "context: %lu\n",
       GetLastError());
    ok(WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 1), "send: %lu\n", GetLastError());
    ok(WinHttpReceiveResponse(req, NULL), "receive: %lu\n", GetLastError());
    ok(WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL)
       && status == 200, "status %lu (%lu)\n", status, GetLastError());
    thread = CreateThread(NULL, 0, closing_reuse_thread, &t, 0, NULL);
    /* the body ("ok") came with the head and stays unread */
    ok(WinHttpCloseHandle(req), "close: %lu\n", GetLastError());
    ok(!WaitForSingleObject(thread, REPLAY_TIMEOUT * 2), "the thread did not finish\n");
    ok(!t.error, "second request: %lu\n", t.error);
    ok(t.connections == 1, "%ld connections for two requests\n", t.connections);
    CloseHandle(thread);
    CloseHandle(t.closing);
    CloseHandle(t.sent);
    WinHttpCloseHandle(t.con);
    close_session(ses, FALSE);
    raw_httpd_stop(&srv);
}

START_TEST(connections)
{
    test_async_limits();
    test_sync_wait();
    test_async_cancel();
    test_disable_keep_alive();
    test_pooled_before_closing();
}
