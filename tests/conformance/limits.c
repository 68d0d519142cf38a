/*
 * Conformance tests for the response limits: WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE
 * (a longer head fails WinHttpReceiveResponse with
 * ERROR_WINHTTP_HEADER_SIZE_OVERFLOW, sync and async; the default is 64 KiB)
 * and WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE (the body of a refused
 * challenge that WinHTTP answers by itself is read and dropped to keep the
 * connection only up to that size; a longer one costs the connection, not
 * the request), and WINHTTP_OPTION_CONNECT_RETRIES (one connection attempt
 * per address of the name, at most that many addresses), against the
 * loopback server in this process (raw_httpd.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include "replay.h"

static struct raw_httpd srv;
static struct raw_route routes[4];

/* A 200 whose head is about 'filler' bytes longer than usual. */
static char *big_head_answer(size_t filler, size_t *len)
{
    char *out = malloc(filler + 256);
    size_t pos;

    if (!out) return NULL;
    pos = sprintf(out, "HTTP/1.1 200 OK\r\nX-Filler: ");
    memset(out + pos, 'f', filler);
    pos += filler;
    pos += sprintf(out + pos, "\r\nContent-Length: 2\r\n\r\nok");
    *len = pos;
    return out;
}

/* A Basic challenge with a body of body_len bytes. */
static char *challenge_answer(size_t body_len, size_t *len)
{
    char *out = malloc(body_len + 256);
    size_t pos;

    if (!out) return NULL;
    pos = sprintf(out, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"limits\"\r\n"
                  "Content-Length: %u\r\n\r\n", (unsigned)body_len);
    memset(out + pos, 'x', body_len);
    *len = pos + body_len;
    return out;
}

#define AUTHORIZED "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

static BOOL setup(void)
{
    size_t len;
    char *a;

    if (!(a = big_head_answer(3000, &len))) return FALSE;
    routes[0].path = "/big-head";
    routes[0].answer = a;
    routes[0].len = len;
    if (!(a = challenge_answer(64 * 1024, &len))) return FALSE;
    routes[1].path = "/auth";
    routes[1].answer = a;
    routes[1].len = len;
    routes[2].path = "/auth#auth";
    routes[2].answer = AUTHORIZED;
    routes[2].len = sizeof(AUTHORIZED) - 1;
    return raw_httpd_start(&srv, routes);
}

static void check_head_size(BOOL async, DWORD session_limit, DWORD request_limit, DWORD expected)
{
    struct replay_async a;
    HINTERNET ses, con, req;
    DWORD status = 0, len, error, value, size = sizeof(value);
    char body[64];

    winetest_push_context("%s session %lu request %lu", async ? "async" : "sync", session_limit, request_limit);
    replay_async_init(&a);
    ses = WinHttpOpen(L"winhttp-ws limits test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, async ? WINHTTP_FLAG_ASYNC : 0);
    if (session_limit)
        ok(WinHttpSetOption(ses, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, &session_limit, sizeof(session_limit)),
           "set: %lu\n", GetLastError());
    if (async) WinHttpSetStatusCallback(ses, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    req = WinHttpOpenRequest(con, L"GET", L"/big-head", NULL, NULL, NULL, 0);
    if (request_limit)
        ok(WinHttpSetOption(req, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, &request_limit, sizeof(request_limit)),
           "set: %lu\n", GetLastError());
    ok(WinHttpQueryOption(req, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, &value, &size), "query: %lu\n", GetLastError());
    ok(value == (request_limit ? request_limit : session_limit ? session_limit : 64 * 1024), "limit %lu\n", value);
    error = REPLAY_CALL(&a, async, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
                        WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, (DWORD_PTR)&a));
    ok(!error, "send: %lu\n", error);
    error = replay_receive(req, &a, async, &status, body, sizeof(body), &len);
    ok(error == expected, "receive: %lu, expected %lu\n", error, expected);
    if (!expected) ok(status == 200 && !strcmp(body, "ok"), "got %lu %s\n", status, body);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    if (async) WinHttpSetStatusCallback(ses, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    WinHttpCloseHandle(ses);
    CloseHandle(a.event);
    winetest_pop_context();
}

static void test_header_size(void)
{
    check_head_size(FALSE, 0, 0, 0);
    check_head_size(FALSE, 1024, 0, ERROR_WINHTTP_HEADER_SIZE_OVERFLOW);
    check_head_size(TRUE, 1024, 0, ERROR_WINHTTP_HEADER_SIZE_OVERFLOW);
    check_head_size(FALSE, 0, 2048, ERROR_WINHTTP_HEADER_SIZE_OVERFLOW);
    check_head_size(TRUE, 1024, 8192, 0);
}

/* WinHttpReceiveResponse answers the challenge itself (credentials set):
 * the 64 KiB body of the 401 is drained to keep the connection, unless the
 * drain limit is smaller; the program sees the 200 either way. */
static void check_drain(DWORD drain_limit, LONG connections)
{
    HINTERNET ses, con, req;
    DWORD status = 0, len, error;
    struct raw_httpd own;   /* a server of its own: no pooled connection leads there */
    char body[64];

    winetest_push_context("drain limit %lu", drain_limit);
    if (!raw_httpd_start(&own, routes))
    {
        ok(0, "starting the server failed\n");
        winetest_pop_context();
        return;
    }
    ses = WinHttpOpen(L"winhttp-ws limits test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)own.port, 0);
    req = WinHttpOpenRequest(con, L"GET", L"/auth", NULL, NULL, NULL, 0);
    if (drain_limit)
        ok(WinHttpSetOption(req, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, &drain_limit, sizeof(drain_limit)),
           "set: %lu\n", GetLastError());
    /* credentials as options: sent only in answer to the challenge */
    ok(WinHttpSetOption(req, WINHTTP_OPTION_USERNAME, (void *)L"user", 4), "user: %lu\n", GetLastError());
    ok(WinHttpSetOption(req, WINHTTP_OPTION_PASSWORD, (void *)L"pass", 4), "password: %lu\n", GetLastError());
    ok(WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0), "send: %lu\n", GetLastError());
    error = replay_receive(req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !strcmp(body, "ok"), "got %lu %lu %s\n", error, status, body);
    ok(own.requests == 2 && own.connections == connections, "%ld requests on %ld connections, expected 2 on %ld\n",
       own.requests, own.connections, connections);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    raw_httpd_stop(&own);
    winetest_pop_context();
}

static void test_drain_size(void)
{
    DWORD value, size = sizeof(value);
    HINTERNET ses = WinHttpOpen(L"winhttp-ws limits test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);

    ok(WinHttpQueryOption(ses, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, &value, &size) && value == 1024 * 1024,
       "default drain size %lu\n", value);
    WinHttpCloseHandle(ses);
    check_drain(0, 1);
    check_drain(1024, 2);
}

static DWORD get_with_retries(const WCHAR *host, DWORD retries)
{
    HINTERNET ses, con, req;
    DWORD status = 0, len, error;
    char body[64];

    ses = WinHttpOpen(L"winhttp-ws limits test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, host, (INTERNET_PORT)srv.port, 0);
    req = WinHttpOpenRequest(con, L"GET", L"/big-head", NULL, NULL, NULL, 0);
    ok(WinHttpSetOption(req, WINHTTP_OPTION_CONNECT_RETRIES, &retries, sizeof(retries)), "set: %lu\n", GetLastError());
    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0)) error = GetLastError();
    else
    {
        error = replay_receive(req, NULL, FALSE, &status, body, sizeof(body), &len);
        if (!error && (status != 200 || strcmp(body, "ok"))) error = ERROR_INVALID_DATA;
    }
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    return error;
}

/* "localhost" with ::1 before 127.0.0.1, and the server on 127.0.0.1 only:
 * as many attempts as addresses up to 127.0.0.1 reach it, one fewer does not. */
static void test_connect_retries(void)
{
    ADDRINFOW hints, *res, *ai;
    DWORD needed = 0, i = 0, error;
    BOOL v6_first = FALSE;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (GetAddrInfoW(L"localhost", NULL, &hints, &res))
    {
        skip("localhost does not resolve\n");
        return;
    }
    for (ai = res; ai; ai = ai->ai_next, i++)
    {
        if (!i) v6_first = ai->ai_family == AF_INET6;
        if (ai->ai_family == AF_INET && !needed) needed = i + 1;
    }
    FreeAddrInfoW(res);
    if (!v6_first || needed < 2)
    {
        skip("localhost does not resolve to ::1 before 127.0.0.1: no address to pass over\n");
        return;
    }
    error = get_with_retries(L"localhost", needed - 1);
    ok(error == ERROR_WINHTTP_CANNOT_CONNECT, "%lu attempts: %lu\n", needed - 1, error);
    error = get_with_retries(L"localhost", needed);
    ok(!error, "%lu attempts: %lu\n", needed, error);
}

START_TEST(limits)
{
    if (!setup())
    {
        ok(0, "setting up the server failed\n");
        return;
    }
    test_header_size();
    test_drain_size();
    test_connect_retries();
    raw_httpd_stop(&srv);
}
