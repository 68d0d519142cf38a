/*
 * Name lookups that get no answer: WINHTTP_OPTION_RESOLVE_TIMEOUT bounds
 * them (ERROR_WINHTTP_TIMEOUT), synchronous and asynchronous, and
 * WinHttpCloseHandle ends an asynchronous request whose lookup is still
 * waiting at once, whether or not the system can cancel the lookup (Wine 8
 * cannot: the resolver's late answer must then be dropped safely); so does
 * closing a synchronous request from another thread while its send waits
 * for the lookup.
 *
 * Only with WSTEST_DEAF_DNS=1 (tools/test-lookup.sh: a private network and
 * mount namespace whose DNS server reads every query and answers none, the
 * stub resolver giving up after about 3 s); elsewhere a real resolver could
 * answer, so everything skips.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"
#include "sync_call.h"

static const WCHAR deaf_host[] = L"no-answer.lookuptest.example";

/* What an asynchronous request reported, and when. */
struct async_state
{
    HANDLE resolving;       /* RESOLVING_NAME came */
    HANDLE finished;        /* REQUEST_ERROR or SENDREQUEST_COMPLETE came */
    HANDLE closing;         /* HANDLE_CLOSING of the request came */
    DWORD status;           /* the callback that finished it */
    DWORD error;            /* REQUEST_ERROR's dwError */
    DWORD_PTR api;          /* REQUEST_ERROR's dwResult */
    LONG errors;            /* REQUEST_ERRORs seen */
    LONG after_closing;     /* callbacks after HANDLE_CLOSING */
    HINTERNET request;
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_state *s = (struct async_state *)context;
    WINHTTP_ASYNC_RESULT *result = info;

    if (!s || handle != s->request) return;
    if (WaitForSingleObject(s->closing, 0) == WAIT_OBJECT_0) InterlockedIncrement(&s->after_closing);
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_RESOLVING_NAME:
        SetEvent(s->resolving);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        s->error = result->dwError;
        s->api = result->dwResult;
        InterlockedIncrement(&s->errors);
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        s->status = status;
        SetEvent(s->finished);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        SetEvent(s->closing);
        break;
    }
}

static void async_init(struct async_state *s)
{
    memset(s, 0, sizeof(*s));
    s->resolving = CreateEventW(NULL, TRUE, FALSE, NULL);
    s->finished = CreateEventW(NULL, TRUE, FALSE, NULL);
    s->closing = CreateEventW(NULL, TRUE, FALSE, NULL);
}

static void async_free(struct async_state *s)
{
    CloseHandle(s->resolving);
    CloseHandle(s->finished);
    CloseHandle(s->closing);
}

/* An asynchronous GET of http://deaf_host/ sent; NULL on failure. */
static HINTERNET async_send(HINTERNET ses, HINTERNET *con, struct async_state *s)
{
    DWORD_PTR context = (DWORD_PTR)s;

    *con = WinHttpConnect(ses, deaf_host, 80, 0);
    ok(*con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    if (!*con) return NULL;
    s->request = WinHttpOpenRequest(*con, L"GET", L"/", NULL, NULL, NULL, 0);
    ok(s->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!s->request) return NULL;
    WinHttpSetOption(s->request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
    if (!WinHttpSendRequest(s->request, NULL, 0, NULL, 0, 0, (DWORD_PTR)s))
    {
        ok(0, "WinHttpSendRequest failed: %lu\n", GetLastError());
        return NULL;
    }
    return s->request;
}

/* s made ready and an asynchronous session with our callback and the given
 * resolve timeout (ms, 0: none). */
static HINTERNET async_start(struct async_state *s, int resolve_timeout)
{
    HINTERNET ses = WinHttpOpen(L"lookup", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);

    async_init(s);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (ses) WinHttpSetStatusCallback(ses, async_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(WinHttpSetTimeouts(ses, resolve_timeout, 5000, 5000, 5000), "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    return ses;
}

static void async_end(struct async_state *s, HINTERNET ses, HINTERNET con)
{
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    async_free(s);
}

/* A synchronous GET of http://deaf_host/ on con: the error it failed with
 * (0 if it succeeded), and how long it took. */
static DWORD sync_send(HINTERNET con, DWORD *elapsed)
{
    HINTERNET req = WinHttpOpenRequest(con, L"GET", L"/", NULL, NULL, NULL, 0);
    DWORD start = GetTickCount(), error = 0;

    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0)) error = GetLastError();
    *elapsed = GetTickCount() - start;
    WinHttpCloseHandle(req);
    return error;
}

/* Synchronous: the resolve timeout ends the wait with ERROR_WINHTTP_TIMEOUT;
 * with none, the lookup ends when the resolver gives up. */
static void test_sync_timeout(void)
{
    HINTERNET ses, con;
    DWORD elapsed, error;

    ses = WinHttpOpen(L"lookup", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ok(WinHttpSetTimeouts(ses, 300, 5000, 5000, 5000), "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    con = WinHttpConnect(ses, deaf_host, 80, 0);
    error = sync_send(con, &elapsed);
    ok(error == ERROR_WINHTTP_TIMEOUT, "got %lu, expected ERROR_WINHTTP_TIMEOUT\n", error);
    ok(elapsed >= 250 && elapsed < 2000, "the lookup ended after %lu ms, expected about 300\n", elapsed);

    /* no resolve timeout: the resolver's own bound (about 3 s here) */
    ok(WinHttpSetTimeouts(ses, 0, 5000, 5000, 5000), "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    error = sync_send(con, &elapsed);
    ok(error == ERROR_WINHTTP_NAME_NOT_RESOLVED, "got %lu, expected ERROR_WINHTTP_NAME_NOT_RESOLVED\n", error);
    ok(elapsed >= 2000, "the resolver gave up after %lu ms: the test's DNS server answered?\n", elapsed);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* Synchronous, no resolve timeout: another thread closes the request (and
 * first, with parents_first, its connect and session handles) while the
 * send waits for its lookup; the send returns at once with
 * ERROR_WINHTTP_OPERATION_CANCELLED, not when the resolver gives up (about
 * 3 s here).  Closing the parents alone ends nothing: the request handle
 * stays valid without them (Wine's winhttp.c, test_websocket). */
static void test_sync_close(BOOL parents_first)
{
    struct sync_call call;
    HINTERNET ses, con, req;
    HANDLE thread;

    ses = WinHttpOpen(L"lookup", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ok(WinHttpSetTimeouts(ses, 0, 5000, 5000, 5000), "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(ses, sync_call_callback, WINHTTP_CALLBACK_FLAG_RESOLVE_NAME, 0);
    con = WinHttpConnect(ses, deaf_host, 80, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    req = WinHttpOpenRequest(con, L"GET", L"/", NULL, NULL, NULL, 0);
    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    sync_call_init(&call, req, WINHTTP_CALLBACK_STATUS_RESOLVING_NAME);
    thread = sync_call_start(&call);
    ok(!WaitForSingleObject(call.reached, 5000), "no RESOLVING_NAME\n");
    /* the DNS server never answers: the send is still waiting */
    ok(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT, "the send ended before the close: %d, %lu\n",
       call.ret, call.error);
    if (parents_first)
    {
        ok(WinHttpCloseHandle(con), "WinHttpCloseHandle failed: %lu\n", GetLastError());
        ok(WinHttpCloseHandle(ses), "WinHttpCloseHandle failed: %lu\n", GetLastError());
        ok(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT, "closing the parents ended the send: %d, %lu\n",
           call.ret, call.error);
    }
    sync_call_close(&call, thread);
    if (!parents_first)
    {
        WinHttpCloseHandle(con);
        WinHttpCloseHandle(ses);
    }
}

/* Asynchronous: REQUEST_ERROR (API_SEND_REQUEST, ERROR_WINHTTP_TIMEOUT) once
 * the resolve timeout has passed, not when the resolver gives up. */
static void test_async_timeout(void)
{
    struct async_state s;
    HINTERNET ses, con = NULL;
    DWORD start, elapsed;

    ses = async_start(&s, 300);
    start = GetTickCount();
    if (async_send(ses, &con, &s))
    {
        ok(!WaitForSingleObject(s.finished, 5000), "the request did not end\n");
        elapsed = GetTickCount() - start;
        ok(s.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "got status %#lx\n", s.status);
        ok(s.api == API_SEND_REQUEST, "got api %Iu\n", s.api);
        ok(s.error == ERROR_WINHTTP_TIMEOUT, "got %lu, expected ERROR_WINHTTP_TIMEOUT\n", s.error);
        ok(elapsed >= 250 && elapsed < 2000, "the request ended after %lu ms, expected about 300\n", elapsed);
    }
    WinHttpCloseHandle(s.request);
    ok(!WaitForSingleObject(s.closing, 2000), "no HANDLE_CLOSING\n");
    ok(s.errors == 1, "%ld REQUEST_ERRORs\n", s.errors);
    ok(!s.after_closing, "%ld callbacks after HANDLE_CLOSING\n", s.after_closing);
    async_end(&s, ses, con);
}

/* Asynchronous, no timeout: closing the request while its lookup waits ends
 * it at once (the send cancelled, then HANDLE_CLOSING), long before the
 * resolver gives up. */
static void test_async_close(void)
{
    struct async_state s;
    HINTERNET ses, con = NULL;
    DWORD start, elapsed;

    ses = async_start(&s, 0);
    if (async_send(ses, &con, &s))
    {
        ok(!WaitForSingleObject(s.resolving, 5000), "no RESOLVING_NAME\n");
        start = GetTickCount();
        ok(WinHttpCloseHandle(s.request), "WinHttpCloseHandle failed: %lu\n", GetLastError());
        ok(!WaitForSingleObject(s.closing, 5000), "no HANDLE_CLOSING\n");
        elapsed = GetTickCount() - start;
        ok(elapsed < 1500, "HANDLE_CLOSING came %lu ms after the close\n", elapsed);
        ok(s.errors <= 1, "%ld REQUEST_ERRORs\n", s.errors);
        if (s.errors)
            ok(s.error == ERROR_WINHTTP_OPERATION_CANCELLED, "got %lu, expected ERROR_WINHTTP_OPERATION_CANCELLED\n",
               s.error);
        ok(!s.after_closing, "%ld callbacks after HANDLE_CLOSING\n", s.after_closing);
    }
    else WinHttpCloseHandle(s.request);
    async_end(&s, ses, con);
}

/* The lookups given up above are still with the resolver; one more request
 * without a timeout ends when the resolver gives up -- by then theirs have
 * answered too, into requests long gone, and are dropped. */
static void test_late_answers(void)
{
    struct async_state s;
    HINTERNET ses, con = NULL;

    ses = async_start(&s, 0);
    if (async_send(ses, &con, &s))
    {
        ok(!WaitForSingleObject(s.finished, 10000), "the request did not end\n");
        ok(s.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "got status %#lx\n", s.status);
        ok(s.error == ERROR_WINHTTP_NAME_NOT_RESOLVED, "got %lu, expected ERROR_WINHTTP_NAME_NOT_RESOLVED\n",
           s.error);
    }
    WinHttpCloseHandle(s.request);
    ok(!WaitForSingleObject(s.closing, 2000), "no HANDLE_CLOSING\n");
    async_end(&s, ses, con);
}

START_TEST(lookup)
{
    char deaf[8];

    if (!GetEnvironmentVariableA("WSTEST_DEAF_DNS", deaf, sizeof(deaf)) || deaf[0] != '1')
    {
        skip("needs a DNS server that never answers (tools/test-lookup.sh)\n");
        return;
    }
    test_async_close();
    test_async_timeout();
    test_sync_close(FALSE);
    test_sync_close(TRUE);
    test_sync_timeout();
    test_late_answers();
}
