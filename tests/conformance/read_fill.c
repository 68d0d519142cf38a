/*
 * WinHttpReadDataEx with WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, as
 * Microsoft's page describes it: the call does not complete until the
 * buffer is full or the response is complete.  The body comes from
 * wsserver's /http/drip/MODE/PIECES/SIZE/MS, which sends it in pieces with
 * pauses between them (server-side), framed by Content-Length, chunked or
 * by the close; so a fill must wait for several receives.
 *
 * Asynchronous requests: one READ_COMPLETE, carrying the caller's buffer
 * and the total (the whole buffer, or the rest of the body when that is
 * shorter); a close while a fill waits for the next piece ends it with one
 * REQUEST_ERROR (API_READ_DATA, ERROR_WINHTTP_OPERATION_CANCELLED) before
 * HANDLE_CLOSING and nothing after it, at once, not when the server sends
 * again.  Synchronous requests: the call returns the same totals.
 *
 * Every wait is bounded (WAIT_MS); there are no sleeps: the pauses are the
 * server's.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

#define WAIT_MS  10000

static WCHAR host[128];
static INTERNET_PORT port;

/* What the callback saw of one request. */
struct fill_ctx
{
    HANDLE event;                 /* auto-reset: a completion, an error or HANDLE_CLOSING */
    volatile DWORD last;          /* the last of those */
    volatile LONG read_complete;  /* READ_COMPLETE notifications */
    volatile LONG errors;         /* REQUEST_ERROR notifications */
    volatile LONG closing;        /* HANDLE_CLOSING notifications */
    volatile LONG after_closing;  /* anything after HANDLE_CLOSING */
    void *volatile read_buffer;   /* READ_COMPLETE's buffer and length */
    volatile DWORD read_len;
    volatile DWORD available;     /* DATA_AVAILABLE's count */
    volatile DWORD error_api, error;
};

static void CALLBACK fill_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct fill_ctx *c = (struct fill_ctx *)context;

    if (!c) return;  /* the session and the connection carry none */
    if (c->closing) InterlockedIncrement(&c->after_closing);
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        c->read_buffer = info;
        c->read_len = len;
        InterlockedIncrement(&c->read_complete);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        c->error_api = ((WINHTTP_ASYNC_RESULT *)info)->dwResult;
        c->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        InterlockedIncrement(&c->errors);
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        c->available = *(DWORD *)info;
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        InterlockedIncrement(&c->closing);
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        break;
    default:
        return;
    }
    c->last = status;
    SetEvent(c->event);
}

/* Waits for the next notification the callback signals; TRUE if it is 'expected'. */
static BOOL wait_for(struct fill_ctx *c, DWORD expected)
{
    if (WaitForSingleObject(c->event, WAIT_MS) != WAIT_OBJECT_0)
    {
        ok(0, "no notification in %u ms (expected %#lx)\n", WAIT_MS, expected);
        return FALSE;
    }
    ok(c->last == expected, "got notification %#lx (error %lu), expected %#lx\n", c->last, c->error, expected);
    return c->last == expected;
}

/* Bytes 'a'..'z' repeated from the start of the body, as the server makes them. */
static BOOL body_matches(const char *data, DWORD offset, DWORD len)
{
    DWORD i;

    for (i = 0; i < len; i++)
        if (data[i] != (char)('a' + (offset + i) % 26)) return FALSE;
    return TRUE;
}

struct client
{
    HINTERNET ses, con, req;
    struct fill_ctx ctx;
    BOOL async;
};

/* Sends a GET of path and receives its response head. */
static BOOL open_get(struct client *cl, BOOL async, const WCHAR *path)
{
    BOOL ret;

    memset(cl, 0, sizeof(*cl));
    cl->async = async;
    cl->ctx.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    cl->ses = WinHttpOpen(L"winhttp-ws read_fill test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                          async ? WINHTTP_FLAG_ASYNC : 0);
    ok(cl->ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (async)
        WinHttpSetStatusCallback(cl->ses, fill_callback,
                                 WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    cl->con = cl->ses ? WinHttpConnect(cl->ses, host, port, 0) : NULL;
    cl->req = cl->con ? WinHttpOpenRequest(cl->con, L"GET", path, NULL, NULL, NULL, 0) : NULL;
    ok(cl->req != NULL, "opening the request failed: %lu\n", GetLastError());
    if (!cl->req) return FALSE;
    ret = WinHttpSendRequest(cl->req, NULL, 0, NULL, 0, 0, (DWORD_PTR)&cl->ctx);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    if (ret && async) ret = wait_for(&cl->ctx, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE);
    if (ret)
    {
        ret = WinHttpReceiveResponse(cl->req, NULL);
        ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    }
    if (ret && async) ret = wait_for(&cl->ctx, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    return ret;
}

static void close_client(struct client *cl)
{
    if (cl->req)
    {
        WinHttpCloseHandle(cl->req);
        if (cl->async && !cl->ctx.closing)
        {
            /* HANDLE_CLOSING comes once the request's last reference is gone */
            while (!cl->ctx.closing && WaitForSingleObject(cl->ctx.event, WAIT_MS) == WAIT_OBJECT_0) {}
            ok(cl->ctx.closing == 1, "HANDLE_CLOSING %ld times\n", cl->ctx.closing);
        }
    }
    WinHttpCloseHandle(cl->con);
    if (cl->async) WinHttpSetStatusCallback(cl->ses, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    WinHttpCloseHandle(cl->ses);
    CloseHandle(cl->ctx.event);
}

/* One FILL_BUFFER read of size bytes into buffer; the count it reports (~0u
 * when it failed).  Asynchronous: exactly one READ_COMPLETE, with this buffer. */
static DWORD fill(struct client *cl, char *buffer, DWORD size)
{
    LONG before = cl->ctx.read_complete;
    DWORD error, read = 0xdeadbeef;

    error = WinHttpReadDataEx(cl->req, buffer, size, cl->async ? NULL : &read, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER,
                              0, NULL);
    ok(!error || (cl->async && error == ERROR_IO_PENDING), "WinHttpReadDataEx failed: %lu\n", error);
    if (error && error != ERROR_IO_PENDING) return ~0u;
    if (!cl->async) return read;
    if (!wait_for(&cl->ctx, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) return ~0u;
    ok(cl->ctx.read_complete == before + 1, "%ld READ_COMPLETE for one read\n", cl->ctx.read_complete - before);
    ok(cl->ctx.read_buffer == buffer, "READ_COMPLETE buffer %p, expected %p\n", cl->ctx.read_buffer, buffer);
    return cl->ctx.read_len;
}

static char buffer[64 * 1024];

/* A body of 'pieces' pieces of 'size' bytes: first a fill of 'first' bytes
 * (at most the body: it must come full), then fills of the whole buffer,
 * which end at the body's end with the shorter count, then one of 0. */
static void test_fill(BOOL async, const char *mode, unsigned pieces, unsigned size, unsigned ms, DWORD first)
{
    DWORD body = pieces * size, got, offset = 0, want;
    WCHAR path[128];
    struct client cl;
    int rounds;

    swprintf(path, ARRAY_SIZE(path), L"/http/drip/%hs/%u/%u/%u", mode, pieces, size, ms);
    winetest_push_context("%s %ls first %lu", async ? "async" : "sync", path, first);
    if (open_get(&cl, async, path))
    {
        for (rounds = 0; rounds < 4 && offset < body; rounds++)
        {
            want = rounds ? sizeof(buffer) : first;
            memset(buffer, 0, sizeof(buffer));
            got = fill(&cl, buffer, want);
            /* full, or the rest of the body when it is shorter */
            ok(got == min(want, body - offset), "fill of %lu at %lu: got %lu, body %lu\n", want, offset, got, body);
            if (got == ~0u) break;
            ok(body_matches(buffer, offset, got), "the bytes at %lu differ\n", offset);
            offset += got;
        }
        ok(offset == body, "read %lu of %lu bytes\n", offset, body);
        got = fill(&cl, buffer, sizeof(buffer));
        ok(got == 0, "at the end: %lu\n", got);
        ok(!cl.ctx.errors, "REQUEST_ERROR %lu from API %lu\n", cl.ctx.error, cl.ctx.error_api);
    }
    close_client(&cl);
    winetest_pop_context();
}

/* WinHttpCloseHandle while a fill waits for the server's next piece (8 s
 * away): the call returned at once, and the close ends it at once, with one
 * REQUEST_ERROR (cancelled), no READ_COMPLETE, and HANDLE_CLOSING last. */
static void test_close_during_fill(const char *mode)
{
    static char data[3000];
    WCHAR path[128];
    struct client cl;
    ULONGLONG start, took;
    int rounds;
    DWORD error;
    BOOL ret;

    memset(data, 0, sizeof(data));
    swprintf(path, ARRAY_SIZE(path), L"/http/drip/%hs/3/1000/8000", mode);
    winetest_push_context("close %ls", path);
    if (!open_get(&cl, TRUE, path)) goto done;
    /* the first piece is in: the fill takes it and must wait for the second */
    ret = WinHttpQueryDataAvailable(cl.req, NULL);
    ok(ret, "WinHttpQueryDataAvailable failed: %lu\n", GetLastError());
    if (!ret || !wait_for(&cl.ctx, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE)) goto done;
    ok(cl.ctx.available > 0 && cl.ctx.available <= 1000, "available %lu\n", cl.ctx.available);

    start = GetTickCount64();
    error = WinHttpReadDataEx(cl.req, data, sizeof(data), NULL, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, 0, NULL);
    ok(!error || error == ERROR_IO_PENDING, "WinHttpReadDataEx failed: %lu\n", error);
    took = GetTickCount64() - start;
    ok(took < 4000, "the call took %I64u ms: it waited for the server\n", took);
    /* Closed mid-fill, not before the fill started: the fill writes what
     * it takes into the buffer, so once the first piece is there it waits
     * for the second.  (A close before it started must end it the same way:
     * the wait is bounded and the checks below hold either way.)  No
     * notification may come meanwhile. */
    for (rounds = 0; rounds < 100 && !data[0]; rounds++)
        if (WaitForSingleObject(cl.ctx.event, 20) == WAIT_OBJECT_0) break;
    if (data[0] != 'a') trace("the fill has not taken the first piece: closing before it did\n");
    ok(!cl.ctx.read_complete, "READ_COMPLETE (%lu bytes) before the body could fill the buffer\n", cl.ctx.read_len);

    start = GetTickCount64();
    WinHttpCloseHandle(cl.req);
    while (!cl.ctx.closing && WaitForSingleObject(cl.ctx.event, WAIT_MS) == WAIT_OBJECT_0) {}
    took = GetTickCount64() - start;
    ok(cl.ctx.closing == 1, "HANDLE_CLOSING %ld times\n", cl.ctx.closing);
    ok(took < 4000, "the close took %I64u ms: the fill waited for the server\n", took);
    ok(cl.ctx.errors == 1 && cl.ctx.error_api == API_READ_DATA && cl.ctx.error == ERROR_WINHTTP_OPERATION_CANCELLED,
       "%ld REQUEST_ERROR, API %lu error %lu\n", cl.ctx.errors, cl.ctx.error_api, cl.ctx.error);
    ok(!cl.ctx.read_complete, "READ_COMPLETE (%lu bytes) for a fill the close ended\n", cl.ctx.read_len);
    ok(!cl.ctx.after_closing, "%ld notifications after HANDLE_CLOSING\n", cl.ctx.after_closing);
    cl.req = NULL;
done:
    close_client(&cl);
    winetest_pop_context();
}

START_TEST(read_fill)
{
    static const char *const modes[] = { "length", "chunked", "close" };
    unsigned int i;

    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    for (i = 0; i < ARRAY_SIZE(modes); i++)
    {
        /* the buffer exactly the body, 8 pieces 50 ms apart */
        test_fill(TRUE, modes[i], 8, 512, 50, 4096);
        test_fill(FALSE, modes[i], 8, 512, 50, 4096);
        /* a buffer shorter than the body, then the rest */
        test_fill(TRUE, modes[i], 6, 700, 40, 3000);
        test_fill(FALSE, modes[i], 6, 700, 40, 3000);
        /* a body shorter than the buffer: it completes at the body's end */
        test_fill(TRUE, modes[i], 4, 300, 50, 8192);
        test_fill(FALSE, modes[i], 4, 300, 50, 8192);
        test_close_during_fill(modes[i]);
    }
}
