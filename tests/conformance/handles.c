/*
 * Conformance tests for handles and their options: WinHttpOpen, WinHttpConnect,
 * WinHttpCloseHandle, WinHttpSetStatusCallback, WinHttpQueryOption,
 * WinHttpSetOption, WinHttpSetTimeouts, WinHttpCheckPlatform.
 *
 * Nothing here touches the network: connect handles are only created.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"

static const WCHAR agent[] = L"winhttp-ws handles test";

static HINTERNET open_session(DWORD flags)
{
    HINTERNET ses;

    SetLastError(0xdeadbeef);
    ses = WinHttpOpen(agent, WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, flags);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    return ses;
}

/* ---------------------------------------------------------------------- */

static void test_open_connect_close(void)
{
    HINTERNET ses, con, con2;
    BOOL ret;

    SetLastError(0xdeadbeef);
    ses = WinHttpOpen(agent, WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    con = WinHttpConnect(ses, NULL, INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(!con, "WinHttpConnect succeeded with a NULL server\n");
    ok(GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    con = WinHttpConnect(NULL, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(!con, "WinHttpConnect succeeded with a NULL session\n");
    ok(GetLastError() == ERROR_INVALID_HANDLE, "got %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    con = WinHttpConnect(ses, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(con != ses, "same handle\n");

    /* a connect handle is not a session */
    SetLastError(0xdeadbeef);
    con2 = WinHttpConnect(con, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(!con2, "WinHttpConnect succeeded on a connect handle\n");
    ok(GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", GetLastError());

    /* a second connection on the same session, any port */
    con2 = WinHttpConnect(ses, L"127.0.0.1", 0, 0);
    ok(con2 != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    ok(con2 != con, "same handle\n");

    SetLastError(0xdeadbeef);
    ret = WinHttpCloseHandle(con2);
    ok(ret, "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());

    /* a closed handle is invalid */
    SetLastError(0xdeadbeef);
    ret = WinHttpCloseHandle(con2);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpCloseHandle(NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpCloseHandle((HINTERNET)(ULONG_PTR)0xdead0000);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    ok(WinHttpCloseHandle(con), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(WinHttpCloseHandle(ses), "WinHttpCloseHandle failed: %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    con = WinHttpConnect(ses, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(!con && GetLastError() == ERROR_INVALID_HANDLE, "got %p %lu\n", con, GetLastError());
}

static void test_check_platform(void)
{
    ok(WinHttpCheckPlatform(), "WinHttpCheckPlatform failed\n");
}

/* ---------------------------------------------------------------------- */
/* Status callbacks                                                        */

struct notification
{
    HINTERNET handle;
    DWORD_PTR context;
    DWORD status;
    HINTERNET info;   /* the handle given as status information */
    DWORD info_len;
};

static struct notification notes[32];
static LONG note_count;

static void CALLBACK record_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    LONG i = InterlockedIncrement(&note_count) - 1;

    if (i >= (LONG)ARRAY_SIZE(notes)) return;
    notes[i].handle = handle;
    notes[i].context = context;
    notes[i].status = status;
    notes[i].info = (info && len == sizeof(HINTERNET)) ? *(HINTERNET *)info : NULL;
    notes[i].info_len = len;
}

static void CALLBACK other_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
}

/* How many notifications of a status a handle got; *last tells whether the
 * last notification of the handle had that status. */
static int count_notes(HINTERNET handle, DWORD status, BOOL *last)
{
    int i, n = 0, last_index = -1;

    for (i = 0; i < note_count && i < (int)ARRAY_SIZE(notes); i++)
    {
        if (notes[i].handle != handle) continue;
        last_index = i;
        if (notes[i].status == status) n++;
    }
    if (last) *last = last_index >= 0 && notes[last_index].status == status;
    return n;
}

static const struct notification *find_note(HINTERNET handle, DWORD status)
{
    int i;

    for (i = 0; i < note_count && i < (int)ARRAY_SIZE(notes); i++)
        if (notes[i].handle == handle && notes[i].status == status) return &notes[i];
    return NULL;
}

/* How many HANDLE_CREATED notifications named the handle as created. */
static int count_created(HINTERNET handle)
{
    int i, n = 0;

    for (i = 0; i < note_count && i < (int)ARRAY_SIZE(notes); i++)
        if (notes[i].status == WINHTTP_CALLBACK_STATUS_HANDLE_CREATED && notes[i].info == handle) n++;
    return n;
}

static const struct notification *find_created(HINTERNET handle)
{
    int i;

    for (i = 0; i < note_count && i < (int)ARRAY_SIZE(notes); i++)
        if (notes[i].status == WINHTTP_CALLBACK_STATUS_HANDLE_CREATED && notes[i].info == handle) return &notes[i];
    return NULL;
}

static void test_set_status_callback(void)
{
    WINHTTP_STATUS_CALLBACK prev;
    HINTERNET ses, con;

    SetLastError(0xdeadbeef);
    prev = WinHttpSetStatusCallback(NULL, record_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(prev == WINHTTP_INVALID_STATUS_CALLBACK, "got %p\n", prev);
    ok(GetLastError() == ERROR_INVALID_HANDLE, "got %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    prev = WinHttpSetStatusCallback((HINTERNET)(ULONG_PTR)0xdead0000, record_callback,
                                    WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(prev == WINHTTP_INVALID_STATUS_CALLBACK, "got %p\n", prev);
    ok(GetLastError() == ERROR_INVALID_HANDLE, "got %lu\n", GetLastError());

    ses = open_session(0);

    prev = WinHttpSetStatusCallback(ses, record_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(prev == NULL, "got %p\n", prev);
    prev = WinHttpSetStatusCallback(ses, other_callback, WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    ok(prev == record_callback, "got %p\n", prev);
    prev = WinHttpSetStatusCallback(ses, NULL, 0, 0);
    ok(prev == other_callback, "got %p\n", prev);
    prev = WinHttpSetStatusCallback(ses, NULL, 0, 0);
    ok(prev == NULL, "got %p\n", prev);

    /* on a connect handle too */
    con = WinHttpConnect(ses, L"localhost", 0, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    prev = WinHttpSetStatusCallback(con, other_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    ok(prev == NULL, "got %p\n", prev);
    prev = WinHttpSetStatusCallback(con, NULL, 0, 0);
    ok(prev == other_callback, "got %p\n", prev);

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

static void test_handle_notifications(void)
{
    HINTERNET ses, con, req;
    DWORD_PTR ctx;
    BOOL last = FALSE, ret;
    const struct notification *n;

    note_count = 0;
    memset(notes, 0, sizeof(notes));

    ses = open_session(0);
    ctx = 0x1234;
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(ses, record_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);

    con = WinHttpConnect(ses, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    /* One HANDLE_CREATED, with the new handle as status information.  Ours
     * comes on the new handle; Wine's builtin sends it on the session. */
    ok(count_created(con) == 1, "HANDLE_CREATED %d times\n", count_created(con));
    if ((n = find_created(con)))
    {
        ok(n->info == con, "status info %p, expected %p\n", n->info, con);
        ok(n->info_len == sizeof(HINTERNET), "status info length %lu\n", n->info_len);
        ok(n->context == 0x1234, "context %#Ix\n", n->context);
    }

    req = WinHttpOpenRequest(con, NULL, L"/", NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (req)
    {
        ok(count_created(req) == 1, "request HANDLE_CREATED %d times\n", count_created(req));
        if ((n = find_created(req)))
            ok(n->info == req, "status info %p, expected %p\n", n->info, req);
        ok(WinHttpCloseHandle(req), "WinHttpCloseHandle failed: %lu\n", GetLastError());
        ok(count_notes(req, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, &last) == 1 && last,
           "request HANDLE_CLOSING %d times, last %d\n",
           count_notes(req, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL), last);
    }

    ok(!count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL), "HANDLE_CLOSING before the close\n");
    ok(WinHttpCloseHandle(con), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, &last) == 1, "HANDLE_CLOSING %d times\n",
       count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL));
    ok(last, "HANDLE_CLOSING was not the last notification\n");
    if ((n = find_note(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)))
    {
        ok(n->info == con, "status info %p, expected %p\n", n->info, con);
        ok(n->info_len == sizeof(HINTERNET), "status info length %lu\n", n->info_len);
    }

    ok(WinHttpCloseHandle(ses), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(count_notes(ses, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, &last) <= 1, "session HANDLE_CLOSING %d times\n",
       count_notes(ses, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL));
    ok(count_created(ses) == 0, "HANDLE_CREATED for the session\n");

    /* only what the flags ask for */
    note_count = 0;
    ses = open_session(0);
    WinHttpSetStatusCallback(ses, record_callback, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, 0);
    con = WinHttpConnect(ses, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(!count_created(con), "HANDLE_CREATED not asked for\n");
    WinHttpCloseHandle(con);
    ok(count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL) == 1, "HANDLE_CLOSING %d times\n",
       count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL));
    WinHttpSetStatusCallback(ses, NULL, 0, 0);
    WinHttpCloseHandle(ses);
}

/* Closing a session does not invalidate its connect handles. */
static void test_close_parent_first(void)
{
    HINTERNET ses, con, parent;
    DWORD_PTR ctx;
    DWORD size;
    BOOL ret;

    note_count = 0;
    ses = open_session(0);
    ctx = 0xbeef;
    WinHttpSetOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    con = WinHttpConnect(ses, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(con, record_callback, WINHTTP_CALLBACK_FLAG_HANDLES, 0);

    ok(WinHttpCloseHandle(ses), "WinHttpCloseHandle failed: %lu\n", GetLastError());

    ctx = 0;
    size = sizeof(ctx);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(con, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ok(ctx == 0xbeef, "context %#Ix\n", ctx);

    /* the session handle itself is gone */
    size = sizeof(ctx);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    parent = (HINTERNET)0xdeadbeef;
    size = sizeof(parent);
    ret = WinHttpQueryOption(con, WINHTTP_OPTION_PARENT_HANDLE, &parent, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());

    ok(!count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL), "connect handle closed with its session\n");
    ok(WinHttpCloseHandle(con), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok(count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL) == 1, "HANDLE_CLOSING %d times\n",
       count_notes(con, WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, NULL));
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */

static void test_context_and_parent(void)
{
    HINTERNET ses, con, parent;
    DWORD_PTR ctx;
    DWORD size;
    BOOL ret;

    ses = open_session(0);

    ctx = 0xdeadbeef;
    size = sizeof(ctx);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(ctx == 0, "context %#Ix\n", ctx);
    ok(size == sizeof(DWORD_PTR), "size %lu\n", size);

    /* too small: the size needed comes back */
    size = sizeof(DWORD_PTR) - 1;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == sizeof(DWORD_PTR), "size %lu\n", size);

    size = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == sizeof(DWORD_PTR), "size %lu\n", size);

    /* no size at all */
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_REDIRECT_POLICY, NULL, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    /* set: exactly the size of a DWORD_PTR */
    ctx = 0xfeed;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx) - 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());

    ctx = 0;
    size = sizeof(ctx);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(ret && ctx == 0xfeed, "got %d %#Ix\n", ret, ctx);

    /* the connect handle starts with the session's context, then has its own */
    con = WinHttpConnect(ses, L"localhost", 0, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    ctx = 0;
    size = sizeof(ctx);
    ret = WinHttpQueryOption(con, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ctx = 0x5678;
    ret = WinHttpSetOption(con, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
    ctx = 0;
    size = sizeof(ctx);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(ret && ctx == 0xfeed, "session context changed: %#Ix\n", ctx);

    parent = NULL;
    size = sizeof(parent);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(con, WINHTTP_OPTION_PARENT_HANDLE, &parent, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ok(parent == ses, "parent %p, expected %p\n", parent, ses);
    ok(size == sizeof(HINTERNET), "size %lu\n", size);

    size = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(con, WINHTTP_OPTION_PARENT_HANDLE, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == sizeof(HINTERNET), "size %lu\n", size);

    /* bad handles */
    size = sizeof(ctx);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(NULL, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

static void test_dword_option_protocol(void)
{
    HINTERNET ses;
    DWORD value, size;
    BOOL ret;

    ses = open_session(0);

    size = 0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_REDIRECT_POLICY, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == 4, "size %lu\n", size);

    value = 0xdeadbeef;
    size = sizeof(value) - 1;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(size == 4, "size %lu\n", size);

    value = 0xdeadbeef;
    size = sizeof(value) + 1;
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ok(size == sizeof(value), "size %lu\n", size);
    ok(value == WINHTTP_OPTION_REDIRECT_POLICY_DISALLOW_HTTPS_TO_HTTP, "value %lu\n", value);

    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONNECT_TIMEOUT, NULL, sizeof(DWORD));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    value = 1000;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONNECT_TIMEOUT, &value, sizeof(value) - 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_CONNECT_TIMEOUT, &value, sizeof(value) + 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());

    WinHttpCloseHandle(ses);
}

static void test_unknown_options(void)
{
    HINTERNET ses, con;
    DWORD value, size;
    BOOL ret;

    ses = open_session(0);
    con = WinHttpConnect(ses, L"localhost", 0, 0);

    value = 0;
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, 9999, &value, &size);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, 9999, &value, sizeof(value));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "got %d %lu\n", ret, GetLastError());

    /* an option that exists but not for the handle */
    value = WINHTTP_DISABLE_COOKIES;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_DISABLE_FEATURE, &value, sizeof(value));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(con, WINHTTP_OPTION_DISABLE_FEATURE, &value, sizeof(value));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* ---------------------------------------------------------------------- */
/* Timeouts                                                                */

static DWORD query_dword(HINTERNET h, DWORD option, BOOL *ret)
{
    DWORD value = 0xdeadbeef, size = sizeof(value);

    SetLastError(0xdeadbeef);
    *ret = WinHttpQueryOption(h, option, &value, &size);
    if (*ret) ok(size == sizeof(DWORD), "option %lu: size %lu\n", option, size);
    return value;
}

static const DWORD timeout_options[] =
{
    WINHTTP_OPTION_RESOLVE_TIMEOUT, WINHTTP_OPTION_CONNECT_TIMEOUT,
    WINHTTP_OPTION_SEND_TIMEOUT, WINHTTP_OPTION_RECEIVE_TIMEOUT,
};

static void check_timeouts(HINTERNET h, DWORD resolve, DWORD connect, DWORD send, DWORD receive, int line)
{
    const DWORD expect[4] = { resolve, connect, send, receive };
    unsigned int i;
    DWORD value;
    BOOL ret;

    for (i = 0; i < 4; i++)
    {
        value = query_dword(h, timeout_options[i], &ret);
        ok_(__FILE__, line)(ret, "option %lu: failed %lu\n", timeout_options[i], GetLastError());
        ok_(__FILE__, line)(value == expect[i], "option %lu: expected %lu, got %lu\n",
                            timeout_options[i], expect[i], value);
    }
}

static void test_timeouts(void)
{
    static const int bad[][4] = { { -2, 0, 0, 0 }, { 0, -2, 0, 0 }, { 0, 0, -2, 0 }, { 0, 0, 0, -2 },
                                  { INT_MIN, -1, -1, -1 } };
    HINTERNET ses, con, req;
    unsigned int i;
    DWORD value;
    BOOL ret;

    ses = open_session(0);

    /* documented defaults */
    check_timeouts(ses, 0, 60000, 30000, 30000, __LINE__);

    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        SetLastError(0xdeadbeef);
        ret = WinHttpSetTimeouts(ses, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
        ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "%u: got %d %lu\n", i, ret, GetLastError());
    }
    check_timeouts(ses, 0, 60000, 30000, 30000, __LINE__);

    SetLastError(0xdeadbeef);
    ret = WinHttpSetTimeouts(ses, -1, -1, -1, -1);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());

    ret = WinHttpSetTimeouts(ses, 0x0123, 0x4567, 0x89ab, 0xcdef);
    ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
    check_timeouts(ses, 0x0123, 0x4567, 0x89ab, 0xcdef, __LINE__);

    SetLastError(0xdeadbeef);
    ret = WinHttpSetTimeouts(NULL, 0, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    /* options: any value is taken */
    for (i = 0; i < ARRAY_SIZE(timeout_options); i++)
    {
        value = 0xbeefdead;
        SetLastError(0xdeadbeef);
        ret = WinHttpSetOption(ses, timeout_options[i], &value, sizeof(value));
        ok(ret, "option %lu: failed %lu\n", timeout_options[i], GetLastError());
        ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    }
    check_timeouts(ses, 0xbeefdead, 0xbeefdead, 0xbeefdead, 0xbeefdead, __LINE__);

    /* Windows reads back the larger of the receive-response and the receive
     * timeout (Wine's winhttp.c test_timeouts: 48878 beside 48879 reads 48879) */
    value = 12345;
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value, sizeof(value));
    ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
    value = query_dword(ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &ret);
    ok(ret && value == 0xbeefdead, "got %d %lu\n", ret, value);
    value = 0xbeefdeae;
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value, sizeof(value));
    ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
    value = query_dword(ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &ret);
    ok(ret && value == 0xbeefdeae, "got %d %lu\n", ret, value);

    /* a connect handle shows its session's timeouts but cannot change them */
    con = WinHttpConnect(ses, L"localhost", 0, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    check_timeouts(con, 0xbeefdead, 0xbeefdead, 0xbeefdead, 0xbeefdead, __LINE__);

    for (i = 0; i < ARRAY_SIZE(bad) - 1; i++)
    {
        SetLastError(0xdeadbeef);
        ret = WinHttpSetTimeouts(con, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
        ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "%u: got %d %lu\n", i, ret, GetLastError());
    }
    SetLastError(0xdeadbeef);
    ret = WinHttpSetTimeouts(con, -1, -1, -1, -1);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetTimeouts(con, 0, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());
    for (i = 0; i < ARRAY_SIZE(timeout_options); i++)
    {
        value = 0;
        SetLastError(0xdeadbeef);
        ret = WinHttpSetOption(con, timeout_options[i], &value, sizeof(value));
        ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "option %lu: got %d %lu\n",
           timeout_options[i], ret, GetLastError());
    }

    /* later changes to the session show through the connect handle */
    for (i = 0; i < ARRAY_SIZE(timeout_options); i++)
    {
        value = 0xdead;
        ret = WinHttpSetOption(ses, timeout_options[i], &value, sizeof(value));
        ok(ret, "option %lu: failed %lu\n", timeout_options[i], GetLastError());
    }
    check_timeouts(con, 0xdead, 0xdead, 0xdead, 0xdead, __LINE__);

    /* a request takes the session's values, then has its own */
    req = WinHttpOpenRequest(con, NULL, NULL, NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (req)
    {
        check_timeouts(req, 0xdead, 0xdead, 0xdead, 0xdead, __LINE__);
        ret = WinHttpSetTimeouts(req, 0xcdef, 0x89ab, 0x4567, 0x0123);
        ok(ret, "WinHttpSetTimeouts failed: %lu\n", GetLastError());
        check_timeouts(req, 0xcdef, 0x89ab, 0x4567, 0x0123, __LINE__);
        check_timeouts(ses, 0xdead, 0xdead, 0xdead, 0xdead, __LINE__);

        value = 0xbeef;
        ret = WinHttpSetOption(ses, WINHTTP_OPTION_RESOLVE_TIMEOUT, &value, sizeof(value));
        ok(ret, "WinHttpSetOption failed: %lu\n", GetLastError());
        value = query_dword(req, WINHTTP_OPTION_RESOLVE_TIMEOUT, &ret);
        ok(ret && value == 0xcdef, "request resolve timeout %lu\n", value);

        SetLastError(0xdeadbeef);
        ret = WinHttpSetTimeouts(req, 0, 0, 0, -2);
        ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
        WinHttpCloseHandle(req);
    }

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* ---------------------------------------------------------------------- */
/* WebSocket options on session and connect handles                        */

static void test_websocket_options(void)
{
    static const DWORD buffer_options[] =
        { WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE, WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE };
    HINTERNET ses, con;
    DWORD value, size;
    unsigned int i;
    BOOL ret;

    ses = open_session(0);
    con = WinHttpConnect(ses, L"localhost", 0, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());

    for (i = 0; i < ARRAY_SIZE(buffer_options); i++)
    {
        winetest_push_context("option %lu", buffer_options[i]);

        value = query_dword(ses, buffer_options[i], &ret);
        ok(ret, "query failed: %lu\n", GetLastError());
        ok(value == 32768, "default %lu\n", value);

        value = 15;
        ret = WinHttpSetOption(ses, buffer_options[i], &value, sizeof(value));
        ok(ret, "set failed: %lu\n", GetLastError());
        value = query_dword(ses, buffer_options[i], &ret);
        ok(ret && value == 15, "got %d %lu\n", ret, value);

        value = 1048576;
        ret = WinHttpSetOption(ses, buffer_options[i], &value, sizeof(value));
        ok(ret, "set failed: %lu\n", GetLastError());
        value = query_dword(ses, buffer_options[i], &ret);
        ok(ret && value == 1048576, "got %d %lu\n", ret, value);

        size = 0;
        SetLastError(0xdeadbeef);
        ret = WinHttpQueryOption(ses, buffer_options[i], NULL, &size);
        ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
        ok(size == sizeof(DWORD), "size %lu\n", size);

        value = query_dword(con, buffer_options[i], &ret);
        ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "connect: got %d %lu\n", ret,
           GetLastError());

        winetest_pop_context();
    }

    /* keep-alive interval: write-only, and not for these handles */
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, &value, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    size = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

START_TEST(handles)
{
    test_check_platform();
    test_open_connect_close();
    test_set_status_callback();
    test_handle_notifications();
    test_close_parent_first();
    test_context_and_parent();
    test_dword_option_protocol();
    test_unknown_options();
    test_timeouts();
    test_websocket_options();
}
