/*
 * Asynchronous HTTP requests: the notification sequences of SendRequest,
 * WriteData, ReceiveResponse, QueryDataAvailable and ReadData, REQUEST_ERROR
 * contents, keep-alive reuse, the receive timeout, and closing a request with
 * an operation pending.  Each scenario is a table of expected notifications,
 * checked in order as they arrive.  Bodies read in a loop (large, chunked)
 * check the data instead of the count of notifications.  Two hundred requests
 * waiting for their responses at once must not cost a thread each.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include <tlhelp32.h>

#include "wine/test.h"
#include "ws_helpers.h"

static WCHAR server_host[64];
static INTERNET_PORT server_port;

#define MAX_EVENTS 32

/* What the callback saw; statuses beyond the table are failures. */
struct sequence
{
    const DWORD *expect;
    unsigned int count;
    LONG index;
    LONG unexpected;
    HANDLE done;                /* set when the last expected status arrives */
    HANDLE step;                /* set on every completion (or error) */
    DWORD available;
    DWORD read;
    DWORD written;
    char data[256];
    WINHTTP_ASYNC_RESULT error;
    DWORD error_len;
    LONG closing_count;
    LONG closings;              /* no table: HANDLE_CLOSINGs that end the sequence */
    BOOL after_closing;
    DWORD log[1024];            /* every status, in order */
    unsigned int cursor;        /* wait_step has looked at the log up to here */
};

static const char *status_name(DWORD status)
{
    switch (status)
    {
#define X(s) case WINHTTP_CALLBACK_STATUS_##s: return #s;
    X(RESOLVING_NAME) X(NAME_RESOLVED) X(CONNECTING_TO_SERVER) X(CONNECTED_TO_SERVER) X(SENDING_REQUEST)
    X(REQUEST_SENT) X(RECEIVING_RESPONSE) X(RESPONSE_RECEIVED) X(HANDLE_CREATED) X(HANDLE_CLOSING)
    X(HEADERS_AVAILABLE) X(DATA_AVAILABLE) X(READ_COMPLETE) X(WRITE_COMPLETE) X(REQUEST_ERROR)
    X(SENDREQUEST_COMPLETE) X(CLOSING_CONNECTION) X(CONNECTION_CLOSED)
#undef X
    }
    return "?";
}

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct sequence *seq = (struct sequence *)context;
    LONG i;

    if (!seq) return;
    if (seq->closing_count) seq->after_closing = TRUE;
    i = InterlockedIncrement(&seq->index) - 1;
    /* The keep-alive pool is the process's (as on Windows: Wine's
     * notification.c, test_connection_cache): a new session may send on a
     * connection an earlier test left idle, without the four connection
     * notifications.  One request's notifications come one at a time. */
    if (seq->expect && i + 4 < (LONG)seq->count && seq->expect[i] == WINHTTP_CALLBACK_STATUS_RESOLVING_NAME &&
        seq->expect[i + 3] == WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER &&
        status == WINHTTP_CALLBACK_STATUS_SENDING_REQUEST)
    {
        LONG k;

        InterlockedExchangeAdd(&seq->index, 4);
        /* wait_step reads the log in order: the skipped steps keep it contiguous */
        for (k = 0; k < 4; k++, i++) if (i < (LONG)ARRAY_SIZE(seq->log)) seq->log[i] = seq->expect[i];
    }
    if (!seq->expect) ;  /* a loop: the test checks the data */
    else if (i >= (LONG)seq->count)
    {
        InterlockedIncrement(&seq->unexpected);
        trace("unexpected status %s (%#lx) at %ld\n", status_name(status), status, i);
    }
    else if (seq->expect[i] != status)
    {
        InterlockedIncrement(&seq->unexpected);
        trace("status %ld: got %s, expected %s\n", i, status_name(status), status_name(seq->expect[i]));
    }

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        seq->available = len == sizeof(DWORD) ? *(DWORD *)info : 0xdeadbeef;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        seq->read = len;
        if (len <= sizeof(seq->data)) memcpy(seq->data, info, len);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        seq->written = len == sizeof(DWORD) ? *(DWORD *)info : 0xdeadbeef;
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        seq->error = *(WINHTTP_ASYNC_RESULT *)info;
        seq->error_len = len;
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        InterlockedIncrement(&seq->closing_count);
        seq->after_closing = FALSE;
        break;
    }
    /* logged last: wait_step may return as soon as it sees the entry */
    if (i < (LONG)ARRAY_SIZE(seq->log)) InterlockedExchange((LONG *)&seq->log[i], status);
    SetEvent(seq->step);
    if (seq->expect && i + 1 == (LONG)seq->count) SetEvent(seq->done);
    /* Without a table, done means every handle's HANDLE_CLOSING came: after
     * that nothing touches seq, so the test may free it. */
    if (!seq->expect && status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING && seq->closing_count == seq->closings)
        SetEvent(seq->done);
}

/* The notifications this test follows: everything but the connection
 * closing ones, whose timing depends on the pool. */
#define NOTIFY_MASK (WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS & ~WINHTTP_CALLBACK_FLAG_CLOSE_CONNECTION)

static void init_sequence(struct sequence *seq, const DWORD *expect, unsigned int count)
{
    memset(seq, 0, sizeof(*seq));
    seq->expect = expect;
    seq->count = count;
    seq->closings = 3;  /* request, connect, session */
    seq->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    seq->step = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void free_sequence(struct sequence *seq)
{
    CloseHandle(seq->done);
    CloseHandle(seq->step);
}

/* Waits for the next `status` (or REQUEST_ERROR) after the ones already
 * waited for: notifications are taken from the log in order, so a signal
 * left over from an earlier one can never be mistaken for this one. */
static BOOL wait_step(struct sequence *seq, DWORD status)
{
    DWORD start = GetTickCount(), found = 0;

    for (;;)
    {
        while (seq->cursor < ARRAY_SIZE(seq->log) && seq->log[seq->cursor])
        {
            DWORD s = seq->log[seq->cursor++];
            if (s == status || s == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
            {
                found = s;
                break;
            }
        }
        if (found || GetTickCount() - start > 10000) break;
        WaitForSingleObject(seq->step, 1000);
    }
    ok(found != 0, "timed out waiting for %s\n", status_name(status));
    return found == status;
}

struct handles
{
    HINTERNET session, connect, request;
};

static BOOL open_async_verb(struct handles *h, struct sequence *seq, const WCHAR *host, INTERNET_PORT port,
                            const WCHAR *verb, const WCHAR *path)
{
    memset(h, 0, sizeof(*h));
    h->session = WinHttpOpen(L"async test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(h->session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(h->session, callback, NOTIFY_MASK, 0);
    WinHttpSetOption(h->session, WINHTTP_OPTION_CONTEXT_VALUE, &seq, sizeof(seq));
    h->connect = WinHttpConnect(h->session, host, port, 0);
    ok(h->connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    h->request = WinHttpOpenRequest(h->connect, verb, path, NULL, NULL, NULL, 0);
    ok(h->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    return h->request != NULL;
}

static BOOL open_async(struct handles *h, struct sequence *seq, const WCHAR *host, INTERNET_PORT port, const WCHAR *path)
{
    return open_async_verb(h, seq, host, port, NULL, path);
}

/* Closes what is open; every handle's HANDLE_CLOSING must come (done). */
static void close_and_check(struct handles *h, struct sequence *seq)
{
    if (h->request) WinHttpCloseHandle(h->request);
    if (h->connect) WinHttpCloseHandle(h->connect);
    if (h->session) WinHttpCloseHandle(h->session);
    ok(!WaitForSingleObject(seq->done, 10000), "sequence incomplete: %ld of %u\n", seq->index, seq->count);
    ok(!seq->unexpected, "%ld unexpected notifications\n", seq->unexpected);
    free_sequence(seq);
}

/* SendRequest then ReceiveResponse, waiting for each completion. */
static BOOL send_and_receive(struct handles *h, struct sequence *seq)
{
    BOOL ret;

    ret = WinHttpSendRequest(h->request, NULL, 0, NULL, 0, 0, (DWORD_PTR)seq);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    if (!ret || !wait_step(seq, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) return FALSE;
    ret = WinHttpReceiveResponse(h->request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    return ret && wait_step(seq, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
}

/* Reads the whole body with QueryDataAvailable and ReadData; returns its length. */
static size_t read_body(HINTERNET request, struct sequence *seq, char *out, size_t size)
{
    static char chunk[65536];
    size_t total = 0;
    unsigned int rounds;

    for (rounds = 0; rounds < 10000; rounds++)
    {
        DWORD want;
        if (!WinHttpQueryDataAvailable(request, NULL) || !wait_step(seq, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE))
            break;
        want = seq->available ? min(seq->available, sizeof(chunk)) : sizeof(chunk);
        if (!WinHttpReadData(request, chunk, want, NULL) || !wait_step(seq, WINHTTP_CALLBACK_STATUS_READ_COMPLETE))
            break;
        if (!seq->read) return total;
        if (total + seq->read <= size) memcpy(out + total, chunk, seq->read);
        total += seq->read;
    }
    ok(0, "body did not end (round %u, %Iu bytes)\n", rounds, total);
    return total;
}

/* A body that fits one ReadData: the text, then the end (0 bytes). */
static void read_short_body(HINTERNET request, struct sequence *seq, const char *text)
{
    size_t len = strlen(text);
    char buf[64];
    int i;

    for (i = 0; i < 2; i++)
    {
        ok(WinHttpReadData(request, buf, sizeof(buf), NULL), "ReadData failed: %lu\n", GetLastError());
        if (!wait_step(seq, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) return;
        if (!i) ok(seq->read == len && !memcmp(seq->data, text, len), "read %lu %.*s\n", seq->read, (int)len, seq->data);
        else ok(seq->read == 0, "read %lu at the end\n", seq->read);
    }
}

/* From the handles' creation to SendRequest's completion, on a fresh connection
 * (or a pooled one: then the callback skips the four connection steps). */
#define SENT_ON_NEW_CONNECTION \
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* connect */ \
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* request */ \
    WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, \
    WINHTTP_CALLBACK_STATUS_NAME_RESOLVED, \
    WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER, \
    WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER, \
    WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, \
    WINHTTP_CALLBACK_STATUS_REQUEST_SENT, \
    WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE

static const DWORD get_sequence[] =
{
    SENT_ON_NEW_CONNECTION,
    WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE,
    WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED,
    WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE,
    WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE,
    WINHTTP_CALLBACK_STATUS_READ_COMPLETE,          /* "hello" */
    WINHTTP_CALLBACK_STATUS_READ_COMPLETE,          /* end */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,         /* request */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,         /* connect */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,         /* session */
};

/* host: the server's literal address, or "localhost", a name that is
 * looked up (asynchronously: no worker waits for the resolver) */
static void test_get(const WCHAR *host)
{
    struct sequence seq;
    struct handles h;
    DWORD status, size;
    BOOL ret;

    winetest_push_context("%s", wine_dbgstr_w(host));
    init_sequence(&seq, get_sequence, ARRAY_SIZE(get_sequence));
    if (!open_async(&h, &seq, host, server_port, L"/http/hello")) goto done;

    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(h.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&seq);
    ok(ret && GetLastError() == ERROR_SUCCESS, "SendRequest: %d %lu\n", ret, GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) goto done;

    ret = WinHttpReceiveResponse(h.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE)) goto done;
    status = 0;
    size = sizeof(status);
    ret = WinHttpQueryHeaders(h.request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    ok(ret && status == 200, "status %d %lu\n", ret, status);

    ret = WinHttpQueryDataAvailable(h.request, NULL);
    ok(ret, "QueryDataAvailable failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE)) goto done;
    ok(seq.available == 5, "available %lu\n", seq.available);

    read_short_body(h.request, &seq, "hello");

done:
    if (h.request) WinHttpCloseHandle(h.request);
    if (h.connect) WinHttpCloseHandle(h.connect);
    if (h.session) WinHttpCloseHandle(h.session);
    ok(!WaitForSingleObject(seq.done, 10000), "sequence incomplete: %ld of %u\n", seq.index, seq.count);
    ok(!seq.unexpected, "%ld unexpected notifications\n", seq.unexpected);
    free_sequence(&seq);
    winetest_pop_context();
}

static const DWORD error_sequence[] =
{
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
    WINHTTP_CALLBACK_STATUS_RESOLVING_NAME,
    WINHTTP_CALLBACK_STATUS_REQUEST_ERROR,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
};

static void test_error(void)
{
    struct sequence seq;
    struct handles h;
    BOOL ret;

    init_sequence(&seq, error_sequence, ARRAY_SIZE(error_sequence));
    if (!open_async(&h, &seq, L"name.invalid", 80, L"/")) goto done;
    ret = WinHttpSendRequest(h.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&seq);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    if (wait_step(&seq, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR))
    {
        ok(seq.error.dwResult == API_SEND_REQUEST, "dwResult %Iu\n", seq.error.dwResult);
        ok(seq.error.dwError == ERROR_WINHTTP_NAME_NOT_RESOLVED, "dwError %lu\n", seq.error.dwError);
        ok(seq.error_len == sizeof(WINHTTP_ASYNC_RESULT), "length %lu\n", seq.error_len);
    }
done:
    if (h.request) WinHttpCloseHandle(h.request);
    if (h.connect) WinHttpCloseHandle(h.connect);
    if (h.session) WinHttpCloseHandle(h.session);
    ok(!WaitForSingleObject(seq.done, 10000), "sequence incomplete: %ld of %u\n", seq.index, seq.count);
    ok(!seq.unexpected, "%ld unexpected notifications\n", seq.unexpected);
    free_sequence(&seq);
}

static const DWORD close_pending_sequence[] =
{
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* connect */
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* request */
    WINHTTP_CALLBACK_STATUS_RESOLVING_NAME,
    WINHTTP_CALLBACK_STATUS_NAME_RESOLVED,
    WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_SENDING_REQUEST,
    WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
    WINHTTP_CALLBACK_STATUS_REQUEST_ERROR,          /* the send, cancelled while it awaited the head */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,         /* request: last of its notifications */
};

/* SENDREQUEST_COMPLETE waits for the response head (as on Windows, so that
 * ReceiveResponse completes on the calling thread): a server that holds the
 * answer keeps the send pending, and closing the handle cancels it. */
static void test_close_pending(void)
{
    struct sequence seq;
    struct handles h;
    DWORD res;
    BOOL ret;

    init_sequence(&seq, close_pending_sequence, ARRAY_SIZE(close_pending_sequence));
    if (!open_async(&h, &seq, server_host, server_port, L"/http/delay/5000")) goto done;
    ret = WinHttpSendRequest(h.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&seq);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    /* The server waits 5 s: the send is pending when the handle goes. */
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_REQUEST_SENT)) goto done;
    ok(WinHttpCloseHandle(h.request), "CloseHandle failed: %lu\n", GetLastError());
    h.request = NULL;
    res = WaitForSingleObject(seq.done, 4000);
    ok(!res, "no HANDLE_CLOSING within 4 s: %ld of %u\n", seq.index, seq.count);
    if (!res)
    {
        ok(seq.error.dwResult == API_SEND_REQUEST, "dwResult %Iu\n", seq.error.dwResult);
        ok(seq.error.dwError == ERROR_WINHTTP_OPERATION_CANCELLED, "dwError %lu\n", seq.error.dwError);
    }
done:
    if (h.request) WinHttpCloseHandle(h.request);
    /* The rest closes without a callback, so nothing may follow the request's HANDLE_CLOSING. */
    if (h.connect) WinHttpSetStatusCallback(h.connect, NULL, 0, 0);
    if (h.session) WinHttpSetStatusCallback(h.session, NULL, 0, 0);
    if (h.connect) WinHttpCloseHandle(h.connect);
    if (h.session) WinHttpCloseHandle(h.session);
    ok(!seq.unexpected, "%ld unexpected notifications\n", seq.unexpected);
    ok(!seq.after_closing, "notification after HANDLE_CLOSING\n");
    free_sequence(&seq);
}

static const DWORD post_sequence[] =
{
    SENT_ON_NEW_CONNECTION,
    WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE,         /* "hello" */
    WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE,         /* "world" */
    WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE,
    WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED,
    WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE,
    WINHTTP_CALLBACK_STATUS_READ_COMPLETE,          /* the echo */
    WINHTTP_CALLBACK_STATUS_READ_COMPLETE,          /* end */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
};

/* A body sent with WriteData after SendRequest, echoed back. */
static void test_post_write(void)
{
    static const char *const parts[] = { "hello", "world" };
    struct sequence seq;
    struct handles h;
    unsigned int i;
    BOOL ret;

    init_sequence(&seq, post_sequence, ARRAY_SIZE(post_sequence));
    if (!open_async_verb(&h, &seq, server_host, server_port, L"POST", L"/http/echo-body")) goto done;
    ret = WinHttpSendRequest(h.request, NULL, 0, NULL, 0, 10, (DWORD_PTR)&seq);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) goto done;
    for (i = 0; i < ARRAY_SIZE(parts); i++)
    {
        seq.written = 0;
        ret = WinHttpWriteData(h.request, parts[i], 5, NULL);
        ok(ret, "WriteData failed: %lu\n", GetLastError());
        if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE)) goto done;
        ok(seq.written == 5, "WRITE_COMPLETE says %lu bytes\n", seq.written);
    }
    ret = WinHttpReceiveResponse(h.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE)) goto done;
    read_short_body(h.request, &seq, "helloworld");
done:
    close_and_check(&h, &seq);
}

/* Bodies read in a loop: many receives, each one parked and resumed. */
static void test_bodies(void)
{
    static const struct { const WCHAR *path; size_t size; const char *text; } tests[] =
    {
        { L"/http/large/1000000", 1000000, NULL },
        { L"/http/chunked", 19, "hello chunked world" },
        { L"/http/close-delimited", 20, "close delimited body" },
    };
    static char body[1000000];
    struct sequence seq;
    struct handles h;
    unsigned int i;
    size_t len, j, bad;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", wine_dbgstr_w(tests[i].path));
        init_sequence(&seq, NULL, 0);
        if (open_async(&h, &seq, server_host, server_port, tests[i].path) && send_and_receive(&h, &seq))
        {
            len = read_body(h.request, &seq, body, sizeof(body));
            ok(len == tests[i].size, "body of %Iu bytes\n", len);
            if (tests[i].text) ok(len == tests[i].size && !memcmp(body, tests[i].text, len), "body %.20s\n", body);
            else
            {
                for (j = bad = 0; j < len && j < sizeof(body); j++) bad += body[j] != (char)('a' + j % 26);
                ok(!bad, "%Iu wrong bytes\n", bad);
            }
        }
        /* no table: done is set by the first HANDLE_CLOSING */
        close_and_check(&h, &seq);
        winetest_pop_context();
    }
}

static BOOL logged(const struct sequence *seq, DWORD status)
{
    LONG i;
    for (i = 0; i < seq->index && i < (LONG)ARRAY_SIZE(seq->log); i++) if (seq->log[i] == status) return TRUE;
    return FALSE;
}

/* The second request on a connect handle reuses the idle connection: same
 * server connection, and no resolving or connecting notifications. */
static void test_keepalive(void)
{
    struct sequence seq[2];
    struct handles h;
    char ids[2][32];
    unsigned int i;
    size_t len;

    memset(ids, 0, sizeof(ids));
    init_sequence(&seq[0], NULL, 0);
    init_sequence(&seq[1], NULL, 0);
    /* each sequence ends with its request's HANDLE_CLOSING: the connect and
     * session close without a callback */
    seq[0].closings = seq[1].closings = 1;
    if (!open_async(&h, &seq[0], server_host, server_port, L"/http/conn-id")) goto done;
    for (i = 0; i < 2; i++)
    {
        if (i)
        {
            WinHttpCloseHandle(h.request);
            ok(!WaitForSingleObject(seq[0].done, 10000), "first request not closed\n");
            h.request = WinHttpOpenRequest(h.connect, NULL, L"/http/conn-id", NULL, NULL, NULL, 0);
            ok(h.request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
            if (!h.request) break;
        }
        if (!send_and_receive(&h, &seq[i])) break;
        len = read_body(h.request, &seq[i], ids[i], sizeof(ids[i]) - 1);
        ok(len > 0 && len < sizeof(ids[i]), "id of %Iu bytes\n", len);
    }
    ok(ids[0][0] && !strcmp(ids[0], ids[1]), "connections %s and %s\n", ids[0], ids[1]);
    ok(logged(&seq[0], WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER), "first request did not connect\n");
    ok(!logged(&seq[1], WINHTTP_CALLBACK_STATUS_RESOLVING_NAME), "second request resolved\n");
    ok(!logged(&seq[1], WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER), "second request connected\n");
    ok(logged(&seq[1], WINHTTP_CALLBACK_STATUS_SENDING_REQUEST), "second request did not send\n");
done:
    /* the request's HANDLE_CLOSING ends seq[1]; connect and session close without callback */
    if (h.connect) WinHttpSetStatusCallback(h.connect, NULL, 0, 0);
    if (h.session) WinHttpSetStatusCallback(h.session, NULL, 0, 0);
    close_and_check(&h, &seq[1]);
    free_sequence(&seq[0]);
}

static const DWORD timeout_sequence[] =
{
    SENT_ON_NEW_CONNECTION,
    WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE,
    WINHTTP_CALLBACK_STATUS_REQUEST_ERROR,          /* the receive timeout */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,
};

/* The receive timeout holds for an overlapped receive too. */
static void test_receive_timeout(void)
{
    struct sequence seq;
    struct handles h;
    DWORD start, elapsed;
    BOOL ret;

    init_sequence(&seq, timeout_sequence, ARRAY_SIZE(timeout_sequence));
    if (!open_async(&h, &seq, server_host, server_port, L"/http/delay/4000")) goto done;
    ok(WinHttpSetTimeouts(h.request, 0, 5000, 5000, 500), "SetTimeouts failed: %lu\n", GetLastError());
    start = GetTickCount();
    ret = WinHttpSendRequest(h.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&seq);
    ok(ret, "SendRequest failed: %lu\n", GetLastError());
    /* the send awaits the head: the timeout runs out there, ReceiveResponse reports it */
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) goto done;
    ret = WinHttpReceiveResponse(h.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)) goto done;
    elapsed = GetTickCount() - start;
    ok(seq.error.dwResult == API_RECEIVE_RESPONSE, "dwResult %Iu\n", seq.error.dwResult);
    ok(seq.error.dwError == ERROR_WINHTTP_TIMEOUT, "dwError %lu\n", seq.error.dwError);
    ok(elapsed >= 400 && elapsed < 3500, "timed out after %lu ms\n", elapsed);
done:
    close_and_check(&h, &seq);
}

/* Closing from inside the callbacks ------------------------------------------- */

/* One request driven entirely from its callbacks, closed when close_at arrives. */
struct chain
{
    HINTERNET request;
    DWORD close_at;             /* 0: the test closes it right after SendRequest */
    LONG closed;                /* WinHttpCloseHandle was called */
    LONG closings;              /* HANDLE_CLOSING seen */
    LONG after_closing;         /* anything seen after it */
    DWORD error;                /* of a REQUEST_ERROR */
    HANDLE done;
    char buf[4096];
};

static void chain_close(struct chain *c)
{
    if (!InterlockedExchange(&c->closed, 1)) WinHttpCloseHandle(c->request);
}

static void CALLBACK chain_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct chain *c = (struct chain *)context;
    BOOL ret = TRUE;

    if (!c) return;
    if (c->closings) InterlockedIncrement(&c->after_closing);
    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
    {
        InterlockedIncrement(&c->closings);
        SetEvent(c->done);
        return;
    }
    if (status == c->close_at || c->closed)
    {
        chain_close(c);
        return;
    }
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE: ret = WinHttpReceiveResponse(c->request, NULL); break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE: ret = WinHttpQueryDataAvailable(c->request, NULL); break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE: ret = WinHttpReadData(c->request, c->buf, sizeof(c->buf), NULL); break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (len) ret = WinHttpReadData(c->request, c->buf, sizeof(c->buf), NULL);
        else chain_close(c);  /* the body is complete */
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        c->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        chain_close(c);
        break;
    }
    if (!ret) chain_close(c);
}

/* WinHttpCloseHandle at every point of a request's life, from inside the
 * callback of each notification: exactly one HANDLE_CLOSING, nothing after
 * it, and an operation cut short reports ERROR_WINHTTP_OPERATION_CANCELLED. */
static void test_close_races(void)
{
    static const DWORD points[] =
    {
        0, WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, WINHTTP_CALLBACK_STATUS_NAME_RESOLVED,
        WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER, WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER,
        WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
        WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE,
        WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE,
        WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE, WINHTTP_CALLBACK_STATUS_READ_COMPLETE,
    };
    static const WCHAR *const paths[] = { L"/http/hello", L"/http/large/300000" };
    static struct chain c;
    HINTERNET session, connect;
    unsigned int i, p, round;

    c.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    for (round = 0; round < 3; round++)
    for (p = 0; p < ARRAY_SIZE(paths); p++)
    for (i = 0; i < ARRAY_SIZE(points); i++)
    {
        HANDLE done = c.done;

        /* a session each time: no pooled connection skips the connecting steps */
        session = WinHttpOpen(L"async close races", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
        WinHttpSetStatusCallback(session, chain_callback, NOTIFY_MASK, 0);
        connect = WinHttpConnect(session, server_host, server_port, 0);
        ok(connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
        winetest_push_context("%s, close at %s, round %u", wine_dbgstr_w(paths[p]),
                              points[i] ? status_name(points[i]) : "once sent", round);
        memset(&c, 0, sizeof(c));
        c.done = done;
        c.close_at = points[i];
        /* the callback needs the handle before SendRequest's first notification */
        c.request = connect ? WinHttpOpenRequest(connect, NULL, paths[p], NULL, NULL, NULL, 0) : NULL;
        ok(c.request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
        if (c.request)
        {
            ok(WinHttpSendRequest(c.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&c), "SendRequest failed: %lu\n",
               GetLastError());
            if (!points[i]) chain_close(&c);
            ok(!WaitForSingleObject(c.done, 10000), "no HANDLE_CLOSING\n");
            ok(c.closings == 1, "%ld HANDLE_CLOSING\n", c.closings);
            ok(!c.after_closing, "%ld notifications after HANDLE_CLOSING\n", c.after_closing);
            ok(!c.error || c.error == ERROR_WINHTTP_OPERATION_CANCELLED, "error %lu\n", c.error);
        }
        winetest_pop_context();
        WinHttpSetStatusCallback(connect, NULL, 0, 0);
        WinHttpSetStatusCallback(session, NULL, 0, 0);
        WinHttpCloseHandle(connect);
        WinHttpCloseHandle(session);
    }
    CloseHandle(c.done);
}

/* Reads from nested callbacks ----------------------------------------------- */

/* A DATA_AVAILABLE callback that reads what it was told is there gets the
 * bytes before WinHttpReadData returns, however deep the callbacks nest
 * (Wine 10's notification.c, test_recursion: Windows nests up to 3 deep,
 * then defers the READ_COMPLETE, never the copy). */
struct nested
{
    HINTERNET request;
    BOOL reading;           /* DATA_AVAILABLE starts the nesting, else only signals */
    LONG queries;           /* QueryDataAvailable calls to nest before the read */
    char byte;
    DWORD read;             /* ReadData's count as it returned */
    BOOL copied;            /* the byte was there as ReadData returned */
    DWORD completed;        /* READ_COMPLETE's length */
    LONG ends;              /* READ_COMPLETE and ReadData's return: the event at 2 */
    DWORD error;
    HANDLE event;
};

static void CALLBACK nested_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct nested *n = (struct nested *)context;

    if (!n) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        if (!WinHttpReceiveResponse(n->request, NULL)) n->error = GetLastError();
        break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        SetEvent(n->event);
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        ok(len == sizeof(DWORD) && *(DWORD *)info >= 1, "DATA_AVAILABLE with %lu bytes\n", *(DWORD *)info);
        if (!n->reading) SetEvent(n->event);
        else if (n->queries > 0)
        {
            n->queries--;
            if (!WinHttpQueryDataAvailable(n->request, NULL)) n->error = GetLastError();
        }
        else
        {
            n->reading = FALSE;
            n->byte = 0;
            n->read = 0xdeadbeef;
            if (!WinHttpReadData(n->request, &n->byte, 1, &n->read)) n->error = GetLastError();
            n->copied = n->read == 1 && n->byte == 'h';
            if (InterlockedIncrement(&n->ends) == 2) SetEvent(n->event);
        }
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        n->completed = len;
        if (InterlockedIncrement(&n->ends) == 2) SetEvent(n->event);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        n->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        SetEvent(n->event);
        break;
    }
}

static void test_nested_reads(void)
{
    static struct nested n;
    HINTERNET session, connect;
    LONG depth;

    session = WinHttpOpen(L"async nested reads", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(session, nested_callback, NOTIFY_MASK, 0);
    connect = WinHttpConnect(session, server_host, server_port, 0);
    ok(connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    n.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    /* the read lands at each depth, past the limit too, whether the chain
     * starts on this thread or on a worker */
    for (depth = 0; depth < 5 && connect; depth++)
    {
        winetest_push_context("%ld nested queries", depth);
        n.request = WinHttpOpenRequest(connect, NULL, L"/http/hello", NULL, NULL, NULL, 0);
        ok(n.request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
        n.reading = FALSE;
        n.error = 0;
        ok(WinHttpSendRequest(n.request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&n), "SendRequest failed: %lu\n", GetLastError());
        ok(!WaitForSingleObject(n.event, 10000) && !n.error, "no HEADERS_AVAILABLE (error %lu)\n", n.error);
        /* the body is in once a DATA_AVAILABLE says so */
        ok(WinHttpQueryDataAvailable(n.request, NULL), "QueryDataAvailable failed: %lu\n", GetLastError());
        ok(!WaitForSingleObject(n.event, 10000) && !n.error, "no DATA_AVAILABLE (error %lu)\n", n.error);
        n.queries = depth;
        n.copied = FALSE;
        n.completed = 0;
        n.ends = 0;
        n.reading = TRUE;
        ok(WinHttpQueryDataAvailable(n.request, NULL), "QueryDataAvailable failed: %lu\n", GetLastError());
        ok(!WaitForSingleObject(n.event, 10000), "no READ_COMPLETE\n");
        ok(!n.error, "error %lu\n", n.error);
        ok(n.copied, "ReadData returned before the byte was copied: count %#lx, byte %#x\n", n.read, n.byte);
        ok(n.completed == 1, "READ_COMPLETE with %lu bytes\n", n.completed);
        WinHttpCloseHandle(n.request);
        winetest_pop_context();
    }
    WinHttpSetStatusCallback(session, NULL, 0, 0);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
    CloseHandle(n.event);
}

/* Many requests waiting for their responses ----------------------------------- */

#define CROWD 200

struct crowd
{
    LONG sent, cancelled, closed, bad;
    HANDLE event;
};

static void crowd_count(struct crowd *c, LONG *counter)
{
    InterlockedIncrement(counter);
    SetEvent(c->event);
}

static void CALLBACK crowd_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct crowd *c = (struct crowd *)context;
    WINHTTP_ASYNC_RESULT *result = info;

    if (!c) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_SENT: crowd_count(c, &c->sent); break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING: crowd_count(c, &c->closed); break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        if (result->dwResult == API_SEND_REQUEST && result->dwError == ERROR_WINHTTP_OPERATION_CANCELLED)
            crowd_count(c, &c->cancelled);
        else
        {
            trace("api %Iu failed with %lu\n", result->dwResult, result->dwError);
            crowd_count(c, &c->bad);
        }
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:  /* the server holds every response */
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        crowd_count(c, &c->bad);
        break;
    }
}

/* Waits (bounded) until *counter reaches n or something went wrong. */
static BOOL crowd_wait(struct crowd *c, LONG *counter, LONG n, DWORD ms)
{
    DWORD start = GetTickCount();
    while (*counter < n && !c->bad && GetTickCount() - start < ms) WaitForSingleObject(c->event, 1000);
    return *counter >= n;
}

static unsigned int count_threads(void)
{
    THREADENTRY32 te;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    DWORD pid = GetCurrentProcessId();
    unsigned int n = 0;

    if (snap == INVALID_HANDLE_VALUE) return 0;
    memset(&te, 0, sizeof(te));
    te.dwSize = sizeof(te);
    if (Thread32First(snap, &te))
        do if (te.th32OwnerProcessID == pid) n++; while (Thread32Next(snap, &te));
    CloseHandle(snap);
    return n;
}

/* CROWD requests awaiting their response heads at once, then closed: the
 * pending sends must hold no thread (at most 8 more than before, once
 * the burst of work items is over), and each ends cancelled, then closing. */
static void test_many_pending(void)
{
    static HINTERNET requests[CROWD];
    struct crowd crowd = { 0 }, *ctx = &crowd;
    struct sequence warm;
    struct handles h;
    unsigned int before, after = 0, i, opened = 0;
    DWORD start;

    /* One whole request first: the I/O threads exist from here on. */
    init_sequence(&warm, NULL, 0);
    if (open_async(&h, &warm, server_host, server_port, L"/http/hello") && send_and_receive(&h, &warm))
        read_body(h.request, &warm, NULL, 0);
    close_and_check(&h, &warm);
    before = count_threads();

    crowd.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    memset(&h, 0, sizeof(h));
    h.session = WinHttpOpen(L"async crowd", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(h.session, crowd_callback, NOTIFY_MASK, 0);
    h.connect = WinHttpConnect(h.session, server_host, server_port, 0);
    ok(h.connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    for (i = 0; h.connect && i < CROWD; i++)
    {
        if (!(requests[i] = WinHttpOpenRequest(h.connect, NULL, L"/http/delay/30000", NULL, NULL, NULL, 0))) break;
        WinHttpSetOption(requests[i], WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
        if (!WinHttpSendRequest(requests[i], NULL, 0, NULL, 0, 0, (DWORD_PTR)ctx)) break;
        opened++;
    }
    ok(opened == CROWD, "sent %u requests: %lu\n", opened, GetLastError());
    /* each send then awaits its response head (SENDREQUEST_COMPLETE comes with it) */
    ok(crowd_wait(&crowd, &crowd.sent, opened, 20000), "%ld of %u requests sent\n", crowd.sent, opened);

    /* Idle pool threads retire after a few seconds; blocked ones would stay. */
    start = GetTickCount();
    do
    {
        after = count_threads();
        if (after <= before + 8) break;
        WaitForSingleObject(crowd.event, 250);
    } while (GetTickCount() - start < 15000);
    ok(after <= before + 8, "%u requests waiting hold %u threads (%u before)\n", opened, after - before, before);
    trace("%u pending requests: %u threads, %u before\n", opened, after, before);
    ok(!crowd.bad, "%ld unexpected outcomes\n", crowd.bad);

    for (i = 0; i < opened; i++) WinHttpCloseHandle(requests[i]);
    ok(crowd_wait(&crowd, &crowd.closed, opened, 20000), "%ld of %u closed\n", crowd.closed, opened);
    ok(crowd.cancelled == (LONG)opened, "%ld of %u cancelled\n", crowd.cancelled, opened);
    WinHttpSetStatusCallback(h.connect, NULL, 0, 0);
    WinHttpSetStatusCallback(h.session, NULL, 0, 0);
    WinHttpCloseHandle(h.connect);
    WinHttpCloseHandle(h.session);
    CloseHandle(crowd.event);
}

START_TEST(http_async)
{
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port))
    {
        skip("WSTEST_SERVER is not set: run under tools/with-servers.sh\n");
        return;
    }
    test_get(server_host);
    /* the server listens on 127.0.0.1: localhost may give ::1 first, refused, then 127.0.0.1 */
    if (!wcscmp(server_host, L"127.0.0.1")) test_get(L"localhost");
    test_error();
    test_close_pending();
    test_post_write();
    test_bodies();
    test_keepalive();
    test_receive_timeout();
    test_close_races();
    test_nested_reads();
    test_many_pending();
}
