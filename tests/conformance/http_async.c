/*
 * Asynchronous HTTP requests: the notification sequences of SendRequest,
 * ReceiveResponse, QueryDataAvailable and ReadData, REQUEST_ERROR contents,
 * and closing a request with an operation pending.  Each scenario is a table
 * of expected notifications, checked in order as they arrive.
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
    DWORD last_status;
    DWORD available;
    DWORD read;
    char data[256];
    WINHTTP_ASYNC_RESULT error;
    DWORD error_len;
    DWORD closing_count;
    BOOL after_closing;
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
    if (i >= (LONG)seq->count)
    {
        InterlockedIncrement(&seq->unexpected);
        trace("unexpected status %s (%#lx) at %ld\n", status_name(status), status, i);
    }
    else if (seq->expect[i] != status)
    {
        InterlockedIncrement(&seq->unexpected);
        trace("status %ld: got %s, expected %s\n", i, status_name(status), status_name(seq->expect[i]));
    }
    seq->last_status = status;

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        seq->available = len == sizeof(DWORD) ? *(DWORD *)info : 0xdeadbeef;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        seq->read = len;
        if (len <= sizeof(seq->data)) memcpy(seq->data, info, len);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        seq->error = *(WINHTTP_ASYNC_RESULT *)info;
        seq->error_len = len;
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        seq->closing_count++;
        seq->after_closing = FALSE;
        break;
    }
    if (status & (WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE | WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE | WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE
                  | WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE | WINHTTP_CALLBACK_STATUS_READ_COMPLETE
                  | WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE | WINHTTP_CALLBACK_STATUS_REQUEST_ERROR
                  | WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING))
        SetEvent(seq->step);
    if (i + 1 == (LONG)seq->count) SetEvent(seq->done);
}

/* The notifications this test follows: everything but the connection
 * closing ones, whose timing depends on the pool. */
#define NOTIFY_MASK (WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS & ~WINHTTP_CALLBACK_FLAG_CLOSE_CONNECTION)

static void init_sequence(struct sequence *seq, const DWORD *expect, unsigned int count)
{
    memset(seq, 0, sizeof(*seq));
    seq->expect = expect;
    seq->count = count;
    seq->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    seq->step = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void free_sequence(struct sequence *seq)
{
    CloseHandle(seq->done);
    CloseHandle(seq->step);
}

static BOOL wait_step(struct sequence *seq, DWORD status)
{
    DWORD res;
    do res = WaitForSingleObject(seq->step, 10000);
    while (!res && seq->last_status != status && seq->last_status != WINHTTP_CALLBACK_STATUS_REQUEST_ERROR);
    ok(!res, "timed out waiting for %s\n", status_name(status));
    return !res && seq->last_status == status;
}

struct handles
{
    HINTERNET session, connect, request;
};

static BOOL open_async(struct handles *h, struct sequence *seq, const WCHAR *host, INTERNET_PORT port, const WCHAR *path)
{
    memset(h, 0, sizeof(*h));
    h->session = WinHttpOpen(L"async test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(h->session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(h->session, callback, NOTIFY_MASK, 0);
    WinHttpSetOption(h->session, WINHTTP_OPTION_CONTEXT_VALUE, &seq, sizeof(seq));
    h->connect = WinHttpConnect(h->session, host, port, 0);
    ok(h->connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    h->request = WinHttpOpenRequest(h->connect, NULL, path, NULL, NULL, NULL, 0);
    ok(h->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    return h->request != NULL;
}

static const DWORD get_sequence[] =
{
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* connect */
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,         /* request */
    WINHTTP_CALLBACK_STATUS_RESOLVING_NAME,
    WINHTTP_CALLBACK_STATUS_NAME_RESOLVED,
    WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_SENDING_REQUEST,
    WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
    WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
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

static void test_get(void)
{
    struct sequence seq;
    struct handles h;
    char buf[64];
    DWORD status, size;
    BOOL ret;

    init_sequence(&seq, get_sequence, ARRAY_SIZE(get_sequence));
    if (!open_async(&h, &seq, server_host, server_port, L"/http/hello")) goto done;

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

    memset(buf, 0, sizeof(buf));
    ret = WinHttpReadData(h.request, buf, sizeof(buf), NULL);
    ok(ret, "ReadData failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) goto done;
    ok(seq.read == 5 && !memcmp(seq.data, "hello", 5), "read %lu %.5s\n", seq.read, seq.data);
    ret = WinHttpReadData(h.request, buf, sizeof(buf), NULL);
    ok(ret, "ReadData failed: %lu\n", GetLastError());
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) goto done;
    ok(seq.read == 0, "read %lu at the end\n", seq.read);

done:
    if (h.request) WinHttpCloseHandle(h.request);
    if (h.connect) WinHttpCloseHandle(h.connect);
    if (h.session) WinHttpCloseHandle(h.session);
    ok(!WaitForSingleObject(seq.done, 10000), "sequence incomplete: %ld of %u\n", seq.index, seq.count);
    ok(!seq.unexpected, "%ld unexpected notifications\n", seq.unexpected);
    free_sequence(&seq);
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
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
    WINHTTP_CALLBACK_STATUS_HANDLE_CREATED,
    WINHTTP_CALLBACK_STATUS_RESOLVING_NAME,
    WINHTTP_CALLBACK_STATUS_NAME_RESOLVED,
    WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER,
    WINHTTP_CALLBACK_STATUS_SENDING_REQUEST,
    WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
    WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
    WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE,
    WINHTTP_CALLBACK_STATUS_REQUEST_ERROR,          /* the receive, cancelled */
    WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING,         /* request: last of its notifications */
};

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
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) goto done;
    ret = WinHttpReceiveResponse(h.request, NULL);
    ok(ret, "ReceiveResponse failed: %lu\n", GetLastError());
    /* The server waits 5 s: the receive is pending when the handle goes. */
    if (!wait_step(&seq, WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE)) goto done;
    ok(WinHttpCloseHandle(h.request), "CloseHandle failed: %lu\n", GetLastError());
    h.request = NULL;
    res = WaitForSingleObject(seq.done, 4000);
    ok(!res, "no HANDLE_CLOSING within 4 s: %ld of %u\n", seq.index, seq.count);
    if (!res)
    {
        ok(seq.error.dwResult == API_RECEIVE_RESPONSE, "dwResult %Iu\n", seq.error.dwResult);
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

START_TEST(http_async)
{
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port))
    {
        skip("WSTEST_SERVER is not set: run under tools/with-servers.sh\n");
        return;
    }
    test_get();
    test_error();
    test_close_pending();
}
