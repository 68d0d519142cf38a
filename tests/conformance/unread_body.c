/*
 * A request closed with the rest of its body unread (libgit2 closes a
 * chunked GET before its last chunk): the connection carries the next
 * request when the rest -- the last chunk and the trailers -- has already
 * arrived, in our buffer or in the socket's; when it has not (a
 * synchronous handle waits for it half a second at most, an asynchronous
 * one not at all), the connection closes and the next request opens
 * another (docs/DECISIONS.md, "Unread bodies").  The loopback server in
 * this process (raw_httpd.h) counts the connections and holds parts of its
 * answers until the test lets them go.  Synchronous and asynchronous
 * handles, and a close that meets an asynchronous read: from its
 * READ_COMPLETE, or while it waits for the network.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include <winhttp.h>
#include "test.h"

#define HEAD       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
#define DATA_CHUNK "5\r\nhello\r\n"
#define LAST_CHUNK "0\r\nX-Trailer: yes\r\n\r\n"
#define CHUNKED    HEAD DATA_CHUNK LAST_CHUNK
#define ANSWER_OK  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

/* A held answer stops before its last chunk (srv.hold_at), or before its
 * body. */
#define HOLD_LAST  (sizeof(HEAD DATA_CHUNK) - 1)
#define HOLD_BODY  (sizeof(HEAD) - 1)

static const struct raw_route routes[] =
{
    { "/whole", CHUNKED, sizeof(CHUNKED) - 1, FALSE },
    { "/held", CHUNKED, sizeof(CHUNKED) - 1, TRUE },
    { "/quick", ANSWER_OK, sizeof(ANSWER_OK) - 1, FALSE },
    { NULL }
};

#define WAIT_MS 10000
/* A close that waits for the held rest would take RAW_HTTPD_HOLD. */
#define CLOSE_MS 5000

static struct raw_httpd srv;

/* The request's notifications (its context). */
struct ctx
{
    HANDLE event;              /* auto-reset: a completion came */
    HANDLE closing;            /* manual-reset: HANDLE_CLOSING came */
    volatile DWORD status;     /* the last completion */
    volatile DWORD error;      /* from REQUEST_ERROR */
    volatile DWORD bytes;      /* READ_COMPLETE */
    BOOL close_in_read;        /* READ_COMPLETE closes the handle */
};

static void ctx_init(struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->closing = CreateEventW(NULL, TRUE, FALSE, NULL);
}

static void ctx_free(struct ctx *c)
{
    CloseHandle(c->event);
    CloseHandle(c->closing);
}

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct ctx *c = (struct ctx *)context;

    if (!c) return;  /* the session and the connection carry none */
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        SetEvent(c->closing);
        return;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        c->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        c->bytes = len;
        if (c->close_in_read) WinHttpCloseHandle(handle);
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        break;
    default:
        return;
    }
    c->status = status;
    SetEvent(c->event);
}

/* A call's outcome: sync, its own; async, the completion it pends for. */
static DWORD outcome(BOOL ret, BOOL async, struct ctx *c, DWORD expected)
{
    if (!ret) return GetLastError();
    if (!async) return ERROR_SUCCESS;
    if (WaitForSingleObject(c->event, WAIT_MS) != WAIT_OBJECT_0) return ERROR_TIMEOUT;
    if (c->status != expected) return c->error ? c->error : ERROR_GEN_FAILURE;
    return ERROR_SUCCESS;
}

static HINTERNET open_session(BOOL async)
{
    HINTERNET ses = WinHttpOpen(L"winhttp-ws unread body test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                                async ? WINHTTP_FLAG_ASYNC : 0);

    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (async)
        WinHttpSetStatusCallback(ses, callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    return ses;
}

/* Sends a GET of path (with headers, or NULL) and receives its response
 * head; NULL on failure. */
static HINTERNET start_get(HINTERNET con, const WCHAR *path, const WCHAR *headers, BOOL async, struct ctx *c)
{
    HINTERNET req = WinHttpOpenRequest(con, L"GET", path, NULL, NULL, NULL, 0);
    DWORD_PTR context = (DWORD_PTR)c;
    DWORD error;

    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!req) return NULL;
    WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context));
    error = outcome(WinHttpSendRequest(req, headers, headers ? (DWORD)-1 : 0, NULL, 0, 0, context), async, c,
                    WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    if (!error)
        error = outcome(WinHttpReceiveResponse(req, NULL), async, c, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    ok(!error, "GET failed: %lu\n", error);
    if (error)
    {
        WinHttpCloseHandle(req);
        if (async) WaitForSingleObject(c->closing, WAIT_MS);
        return NULL;
    }
    return req;
}

/* Reads exactly len bytes of the body; the Win32 error. */
static DWORD read_exactly(HINTERNET req, BOOL async, struct ctx *c, char *buf, DWORD len)
{
    DWORD total = 0, got, error;
    int rounds;

    for (rounds = 0; total < len && rounds < 100; rounds++)
    {
        got = 0;
        if ((error = outcome(WinHttpReadData(req, buf + total, len - total, async ? NULL : &got), async, c,
                             WINHTTP_CALLBACK_STATUS_READ_COMPLETE)))
            return error;
        if (async) got = c->bytes;
        if (!got) return ERROR_HANDLE_EOF;
        total += got;
    }
    return total == len ? ERROR_SUCCESS : ERROR_TIMEOUT;
}

/* Closes the request; async, waits for its HANDLE_CLOSING (which comes after
 * its connection went to the pool, if it did).  FALSE if that took more than
 * CLOSE_MS. */
static BOOL close_request(HINTERNET req, BOOL async, struct ctx *c)
{
    ULONGLONG start = GetTickCount64();

    ok(WinHttpCloseHandle(req), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    if (async) ok(WaitForSingleObject(c->closing, WAIT_MS) == WAIT_OBJECT_0, "no HANDLE_CLOSING\n");
    return GetTickCount64() - start < CLOSE_MS;
}

/* A GET of /quick to its end on the same connect handle: succeeds either
 * way.  It closes its connection after it, so that the server's threads
 * end at once. */
static void check_next_request(HINTERNET con, BOOL async)
{
    struct ctx c;
    HINTERNET req;
    DWORD status = 0, size = sizeof(status);
    char body[8] = {0};

    ctx_init(&c);
    if ((req = start_get(con, L"/quick", L"Connection: close", async, &c)))
    {
        ok(WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL),
           "WinHttpQueryHeaders failed: %lu\n", GetLastError());
        ok(status == 200, "next request: status %lu\n", status);
        ok(!read_exactly(req, async, &c, body, 2) && !strcmp(body, "ok"), "next request: body %s\n", body);
        close_request(req, async, &c);
    }
    ctx_free(&c);
}

/* One test's server, handles and notifications. */
struct run
{
    HINTERNET ses, con, req;
    struct ctx c;
};

/* Starts the server (held answers stopping at hold_at), then a GET of path:
 * FALSE if either failed.  run_end undoes it, whatever it returned. */
static BOOL run_start(struct run *r, BOOL async, size_t hold_at, const WCHAR *path)
{
    memset(r, 0, sizeof(*r));
    if (!raw_httpd_start(&srv, routes))
    {
        ok(0, "starting the server failed\n");
        return FALSE;
    }
    srv.hold_at = hold_at;
    ctx_init(&r->c);
    r->ses = open_session(async);
    r->con = WinHttpConnect(r->ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    return (r->req = start_get(r->con, path, NULL, async, &r->c)) != NULL;
}

static void run_end(struct run *r)
{
    if (!r->ses) return;
    WinHttpCloseHandle(r->con);
    WinHttpCloseHandle(r->ses);
    ctx_free(&r->c);
    raw_httpd_stop(&srv);
}

/* One test: a GET of path, 'consumed' bytes of its body read, then (when
 * 'release_first') the held rest sent, then the close; then the next
 * request, and the connections the server saw. */
static void check_close(const char *what, BOOL async, const WCHAR *path, DWORD consumed, BOOL release_first,
                        BOOL close_in_read, LONG expected_connections)
{
    struct run r;
    char body[16] = {0};
    BOOL quick;

    winetest_push_context("%s %s", what, async ? "async" : "sync");
    if (run_start(&r, async, HOLD_LAST, path))
    {
        r.c.close_in_read = close_in_read;
        ok(!read_exactly(r.req, async, &r.c, body, consumed), "reading %lu bytes failed\n", consumed);
        ok(!memcmp(body, "hello", consumed), "body %s\n", body);
        if (release_first)
        {
            SetEvent(srv.release);
            ok(raw_httpd_wait(&srv, &srv.sent, 1, WAIT_MS), "the held rest was not sent\n");
        }
        if (close_in_read)
        {
            ok(WaitForSingleObject(r.c.closing, WAIT_MS) == WAIT_OBJECT_0, "no HANDLE_CLOSING\n");
            quick = TRUE;
        }
        else quick = close_request(r.req, async, &r.c);
        ok(quick, "the close waited for the rest of the body\n");
        check_next_request(r.con, async);
        ok(srv.connections == expected_connections, "%ld connections, expected %ld\n", srv.connections,
           expected_connections);
    }
    run_end(&r);
    winetest_pop_context();
}

/* An asynchronous read waits for the held body when the handle is closed:
 * it ends cancelled, HANDLE_CLOSING follows, and the connection, with the
 * body still to come on it, carries no other request. */
static void test_close_during_read(void)
{
    struct run r;
    char body[16];

    winetest_push_context("close during a read");
    if (run_start(&r, TRUE, HOLD_BODY, L"/held"))
    {
        ok(raw_httpd_wait(&srv, &srv.held, 1, WAIT_MS), "the server did not hold the body\n");
        ok(WinHttpReadData(r.req, body, sizeof(body), NULL), "WinHttpReadData failed: %lu\n", GetLastError());
        ok(close_request(r.req, TRUE, &r.c), "the close waited for the body\n");
        ok(WaitForSingleObject(r.c.event, 0) == WAIT_OBJECT_0 && r.c.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR &&
           r.c.error == ERROR_WINHTTP_OPERATION_CANCELLED, "the read ended with %#lx, error %lu\n", r.c.status,
           r.c.error);
        SetEvent(srv.release);
        ok(raw_httpd_wait(&srv, &srv.sent, 1, WAIT_MS), "the held body was not sent\n");
        check_next_request(r.con, TRUE);
        ok(srv.connections == 2, "%ld connections, expected 2\n", srv.connections);
    }
    run_end(&r);
    winetest_pop_context();
}

START_TEST(unread_body)
{
    int async;

    for (async = 0; async <= 1; async++)
    {
        /* the last chunk and the trailers in our buffer, some data unread */
        check_close("buffered", async, L"/whole", 2, FALSE, FALSE, 1);
        /* every byte of data read, the last chunk arrived after the last read */
        check_close("arrived", async, L"/held", 5, TRUE, FALSE, 1);
        /* the last chunk still held by the server: not waited for */
        check_close("not arrived", async, L"/held", 5, FALSE, FALSE, 2);
    }
    /* closed from the READ_COMPLETE of a read, its operation not over yet */
    check_close("close in READ_COMPLETE", TRUE, L"/whole", 2, FALSE, TRUE, 1);
    test_close_during_read();
}
