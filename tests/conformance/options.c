/*
 * Conformance tests for the stored options of WinHttpQueryOption and
 * WinHttpSetOption: which handle types take each option, query and set,
 * sizes, read-only and write-only options, the NULL handle, defaults.
 *
 * The expectations are Windows' behaviour as Wine's conformance tests
 * (dlls/winhttp/tests/winhttp.c: test_WinHttpQueryOption, test_timeouts,
 * test_credentials, test_basic_request) and Microsoft's option list
 * ("Option Flags", its table of handle types) state it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"

struct handles
{
    HINTERNET ses, con, req;
};

static void open_handles(struct handles *h)
{
    h->ses = WinHttpOpen(L"winhttp-ws options test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(h->ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    h->con = WinHttpConnect(h->ses, L"localhost", 80, 0);
    ok(h->con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    h->req = WinHttpOpenRequest(h->con, NULL, L"/", NULL, NULL, NULL, 0);
    ok(h->req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
}

static void close_handles(struct handles *h)
{
    WinHttpCloseHandle(h->req);
    WinHttpCloseHandle(h->con);
    WinHttpCloseHandle(h->ses);
}

/* Sets a DWORD option and returns the last error (ERROR_SUCCESS on success). */
static DWORD set_dword(HINTERNET handle, DWORD option, DWORD value)
{
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(handle, option, &value, sizeof(value));
    ok(ret == (GetLastError() == ERROR_SUCCESS), "option %lu: ret %d error %lu\n", option, ret, GetLastError());
    return GetLastError();
}

/* Queries a DWORD option; returns the last error, the value in *value. */
static DWORD query_dword(HINTERNET handle, DWORD option, DWORD *value)
{
    DWORD size = sizeof(*value);
    BOOL ret;

    *value = 0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(handle, option, value, &size);
    ok(ret == (GetLastError() == ERROR_SUCCESS), "option %lu: ret %d error %lu\n", option, ret, GetLastError());
    if (ret) ok(size == sizeof(DWORD), "option %lu: size %lu\n", option, size);
    return GetLastError();
}

static void test_redirect_policy(void)
{
    struct handles h;
    DWORD value, size, err;
    BOOL ret;

    open_handles(&h);

    err = query_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value);
    ok(!err && value == WINHTTP_OPTION_REDIRECT_POLICY_DISALLOW_HTTPS_TO_HTTP, "got %lu %lu\n", err, value);

    size = 0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER && size == 4, "got %d %lu %lu\n", ret, GetLastError(), size);

    size = 3;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER && size == 4, "got %d %lu %lu\n", ret, GetLastError(), size);

    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    value = WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, NULL, sizeof(value));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, sizeof(value) - 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value, sizeof(value) + 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(set_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_LAST + 1) == ERROR_INVALID_PARAMETER,
       "an out-of-range policy was taken\n");

    ok(!set_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS), "set failed\n");
    err = query_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value);
    ok(!err && value == WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS, "got %lu %lu\n", err, value);

    /* a request takes its session's value, then has its own */
    close_handles(&h);
    open_handles(&h);
    ok(!set_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_NEVER), "set failed\n");
    WinHttpCloseHandle(h.req);
    h.req = WinHttpOpenRequest(h.con, NULL, L"/", NULL, NULL, NULL, 0);
    err = query_dword(h.req, WINHTTP_OPTION_REDIRECT_POLICY, &value);
    ok(!err && value == WINHTTP_OPTION_REDIRECT_POLICY_NEVER, "got %lu %lu\n", err, value);
    ok(!set_dword(h.req, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS), "set failed\n");
    err = query_dword(h.ses, WINHTTP_OPTION_REDIRECT_POLICY, &value);
    ok(!err && value == WINHTTP_OPTION_REDIRECT_POLICY_NEVER, "session changed: %lu %lu\n", err, value);

    close_handles(&h);
}

static void test_features(void)
{
    struct handles h;
    DWORD value, size, err;
    BOOL ret;

    open_handles(&h);

    /* DISABLE_FEATURE: requests only, write-only, any bits */
    ok(set_dword(h.ses, WINHTTP_OPTION_DISABLE_FEATURE, WINHTTP_DISABLE_COOKIES) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "session took DISABLE_FEATURE\n");
    ok(set_dword(h.con, WINHTTP_OPTION_DISABLE_FEATURE, WINHTTP_DISABLE_COOKIES) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "connect handle took DISABLE_FEATURE\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_DISABLE_FEATURE, 0), "0 refused\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_DISABLE_FEATURE, 0xffffffff), "~0 refused\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_DISABLE_FEATURE, WINHTTP_DISABLE_REDIRECTS), "redirects refused\n");
    err = query_dword(h.req, WINHTTP_OPTION_DISABLE_FEATURE, &value);
    ok(err == ERROR_INVALID_PARAMETER, "query: %lu\n", err);
    size = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_DISABLE_FEATURE, NULL, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    /* ENABLE_FEATURE: revocation on requests, write-only */
    value = 0xdeadbeef;
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_ENABLE_FEATURE, &value, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER && value == 0xdeadbeef, "got %d %lu %#lx\n", ret,
       GetLastError(), value);
    value = WINHTTP_ENABLE_SSL_REVOCATION;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_ENABLE_FEATURE, NULL, sizeof(value));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_ENABLE_FEATURE, &value, 0);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    ok(!set_dword(h.req, WINHTTP_OPTION_ENABLE_FEATURE, WINHTTP_ENABLE_SSL_REVOCATION), "revocation refused\n");
    ok(set_dword(h.req, WINHTTP_OPTION_ENABLE_FEATURE, 0xdeadbeef) == ERROR_INVALID_PARAMETER, "0xdeadbeef taken\n");

    /* CONNECT_RETRIES: session and request, default five */
    err = query_dword(h.ses, WINHTTP_OPTION_CONNECT_RETRIES, &value);
    ok(!err && value == 5, "got %lu %lu\n", err, value);
    ok(!set_dword(h.req, WINHTTP_OPTION_CONNECT_RETRIES, 6), "set failed\n");
    err = query_dword(h.req, WINHTTP_OPTION_CONNECT_RETRIES, &value);
    ok(!err && value == 6, "got %lu %lu\n", err, value);

    /* AUTOLOGON_POLICY: requests, write-only, three levels */
    ok(!set_dword(h.req, WINHTTP_OPTION_AUTOLOGON_POLICY, WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH), "HIGH refused\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_AUTOLOGON_POLICY, WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW), "LOW refused\n");
    ok(set_dword(h.req, WINHTTP_OPTION_AUTOLOGON_POLICY, 3) == ERROR_INVALID_PARAMETER, "3 taken\n");
    ok(set_dword(h.ses, WINHTTP_OPTION_AUTOLOGON_POLICY, 0) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "session took it\n");
    ok(query_dword(h.req, WINHTTP_OPTION_AUTOLOGON_POLICY, &value) == ERROR_INVALID_PARAMETER, "queried\n");

    close_handles(&h);
}

static void test_session_options(void)
{
    static const DWORD protocols[] =
    {
        WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2,
        WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2,
        WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3,
        WINHTTP_FLAG_SECURE_PROTOCOL_SSL3 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1
            | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2,
        WINHTTP_FLAG_SECURE_PROTOCOL_ALL,
    };
    struct handles h;
    DWORD value, err, i;

    open_handles(&h);

    for (i = 0; i < ARRAY_SIZE(protocols); i++)
        ok(!set_dword(h.ses, WINHTTP_OPTION_SECURE_PROTOCOLS, protocols[i]), "protocols %#lx refused\n", protocols[i]);
    ok(set_dword(h.ses, WINHTTP_OPTION_SECURE_PROTOCOLS, 0x4) == ERROR_INVALID_PARAMETER, "unknown bit taken\n");
    ok(set_dword(h.con, WINHTTP_OPTION_SECURE_PROTOCOLS, WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2)
       == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "connect handle took SECURE_PROTOCOLS\n");

    /* MAX_CONNS_PER_SERVER and _1_0_: sessions, INFINITE by default, 0 taken */
    err = query_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &value);
    ok(!err && value == INFINITE, "got %lu %lu\n", err, value);
    err = query_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_1_0_SERVER, &value);
    ok(!err && value == INFINITE, "got %lu %lu\n", err, value);
    ok(!set_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, 0), "0 refused\n");
    ok(!set_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_1_0_SERVER, 0), "0 refused\n");
    ok(!set_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, 1), "1 refused\n");
    err = query_dword(h.ses, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &value);
    ok(!err && value == 1, "got %lu %lu\n", err, value);
    ok(set_dword(h.req, WINHTTP_OPTION_MAX_CONNS_PER_SERVER, 1) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "request took MAX_CONNS_PER_SERVER\n");

    ok(!set_dword(h.ses, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, TRUE), "ASSURED_NON_BLOCKING refused\n");
    ok(set_dword(h.req, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, TRUE) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "request took ASSURED_NON_BLOCKING\n");
    ok(!set_dword(h.ses, WINHTTP_OPTION_CONFIGURE_PASSPORT_AUTH, WINHTTP_ENABLE_PASSPORT_AUTH), "passport refused\n");

    /* bounds with Microsoft's defaults, on both session and request */
    err = query_dword(h.ses, WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS, &value);
    ok(!err && value == 10, "got %lu %lu\n", err, value);
    err = query_dword(h.req, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, &value);
    ok(!err && value == 64 * 1024, "got %lu %lu\n", err, value);
    err = query_dword(h.req, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, &value);
    ok(!err && value == 1024 * 1024, "got %lu %lu\n", err, value);
    ok(!set_dword(h.req, WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS, 3), "set failed\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, 8192), "set failed\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, 4096), "set failed\n");
    err = query_dword(h.req, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, &value);
    ok(!err && value == 8192, "got %lu %lu\n", err, value);

    /* DECOMPRESSION and ENABLE_HTTP_PROTOCOL: set-only, known bits */
    ok(!set_dword(h.ses, WINHTTP_OPTION_DECOMPRESSION, WINHTTP_DECOMPRESSION_FLAG_ALL), "decompression refused\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_DECOMPRESSION, WINHTTP_DECOMPRESSION_FLAG_GZIP), "gzip refused\n");
    ok(set_dword(h.req, WINHTTP_OPTION_DECOMPRESSION, 4) == ERROR_INVALID_PARAMETER, "unknown bit taken\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_ENABLE_HTTP_PROTOCOL, WINHTTP_PROTOCOL_FLAG_HTTP2), "HTTP2 refused\n");
    ok(!set_dword(h.req, WINHTTP_OPTION_ENABLE_HTTP_PROTOCOL, 0), "0 refused\n");
    err = query_dword(h.req, WINHTTP_OPTION_HTTP_PROTOCOL_USED, &value);
    ok(!err && value == 0, "got %lu %lu\n", err, value);
    ok(query_dword(h.ses, WINHTTP_OPTION_HTTP_PROTOCOL_USED, &value) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "session answered HTTP_PROTOCOL_USED\n");
    ok(set_dword(h.req, WINHTTP_OPTION_HTTP_PROTOCOL_USED, 0) == ERROR_WINHTTP_OPTION_NOT_SETTABLE, "read-only set\n");

    /* WORKER_THREAD_COUNT reads 0 on every handle (Wine's tests) */
    err = query_dword(h.ses, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value);
    ok(!err && value == 0, "got %lu %lu\n", err, value);
    err = query_dword(h.con, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value);
    ok(!err && value == 0, "got %lu %lu\n", err, value);
    err = query_dword(h.req, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value);
    ok(!err && value == 0, "got %lu %lu\n", err, value);
    ok(set_dword(h.ses, WINHTTP_OPTION_WORKER_THREAD_COUNT, 2) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "a session took WORKER_THREAD_COUNT\n");

    err = query_dword(h.req, WINHTTP_OPTION_HANDLE_TYPE, &value);
    ok(!err && value == WINHTTP_HANDLE_TYPE_REQUEST, "got %lu %lu\n", err, value);
    err = query_dword(h.con, WINHTTP_OPTION_HANDLE_TYPE, &value);
    ok(!err && value == WINHTTP_HANDLE_TYPE_CONNECT, "got %lu %lu\n", err, value);
    ok(set_dword(h.req, WINHTTP_OPTION_HANDLE_TYPE, 1) == ERROR_WINHTTP_OPTION_NOT_SETTABLE, "read-only set\n");

    close_handles(&h);
}

static void test_client_cert(void)
{
    struct handles h;
    HINTERNET req;
    BOOL ret;

    /* WINHTTP_NO_CLIENT_CERT_CONTEXT: refused on a plain request (Wine's
     * test_secure_connection), taken on an https one (libHttpClient, .NET) */
    open_handles(&h);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %d %lu\n", ret, GetLastError());
    req = WinHttpOpenRequest(h.con, NULL, L"/", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    ret = WinHttpSetOption(req, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
    ok(ret, "https request: %lu\n", GetLastError());
    WinHttpCloseHandle(req);
    close_handles(&h);
}

static void test_unknown(void)
{
    struct handles h;
    char buffer[16];
    DWORD size;
    BOOL ret;

    open_handles(&h);

    /* test_basic_request: setting option 0 is an invalid option, querying it
     * an invalid parameter, on every handle type */
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.ses, 0, buffer, sizeof(buffer));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.con, 0, buffer, sizeof(buffer));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.req, 0, buffer, sizeof(buffer));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION, "got %lu\n", GetLastError());
    size = sizeof(buffer);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.ses, 0, buffer, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.req, 0, buffer, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %lu\n", GetLastError());

    close_handles(&h);
}

static void test_credentials(void)
{
    struct handles h;
    WCHAR buffer[32];
    DWORD size;
    BOOL ret;

    open_handles(&h);

    size = sizeof(buffer);
    buffer[0] = 'x';
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_PROXY_USERNAME, buffer, &size);
    ok(ret && !buffer[0] && !size, "got %d %lu %s\n", ret, size, wine_dbgstr_w(buffer));

    /* the length of a set string is in characters */
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_PROXY_USERNAME, (void *)L"proxyuser", 9);
    ok(ret, "set failed: %lu\n", GetLastError());
    size = sizeof(buffer);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_PROXY_USERNAME, buffer, &size);
    ok(ret && !wcscmp(buffer, L"proxyuser") && size == 9 * sizeof(WCHAR), "got %d %lu %s\n", ret, size,
       wine_dbgstr_w(buffer));

    size = sizeof(buffer);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_USERNAME, buffer, &size);
    ok(ret && !buffer[0] && !size, "got %d %lu\n", ret, size);

    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_USERNAME, (void *)L"user", 4);
    ok(ret, "set failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_PASSWORD, (void *)L"pass", 4);
    ok(ret, "set failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(h.req, WINHTTP_OPTION_PROXY_PASSWORD, (void *)L"proxypass", 9);
    ok(ret, "set failed: %lu\n", GetLastError());

    /* too small a buffer: the size with the terminator */
    size = 2;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_PASSWORD, buffer, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER && size == 5 * sizeof(WCHAR), "got %d %lu %lu\n", ret,
       GetLastError(), size);
    size = sizeof(buffer);
    ret = WinHttpQueryOption(h.req, WINHTTP_OPTION_PASSWORD, buffer, &size);
    ok(ret && !wcscmp(buffer, L"pass") && size == 4 * sizeof(WCHAR), "got %d %lu\n", ret, size);

    /* request handles only */
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(h.ses, WINHTTP_OPTION_USERNAME, (void *)L"user", 4);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());

    close_handles(&h);
}

static void test_timeout_defaults(void)
{
    struct handles h;
    DWORD value, err;

    open_handles(&h);

    /* test_timeouts reads ~0u for an unset receive-response timeout */
    err = query_dword(h.ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value);
    ok(!err && value == ~0u, "got %lu %lu\n", err, value);
    err = query_dword(h.con, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value);
    ok(!err && value == ~0u, "got %lu %lu\n", err, value);
    err = query_dword(h.req, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value);
    ok(!err && value == ~0u, "got %lu %lu\n", err, value);
    ok(set_dword(h.con, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, 30000) == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE,
       "connect handle took a timeout\n");

    /* it reads back the larger of itself and the receive timeout */
    ok(!set_dword(h.ses, WINHTTP_OPTION_RECEIVE_TIMEOUT, 48879), "set failed\n");
    ok(!set_dword(h.ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, 48878), "set failed\n");
    err = query_dword(h.ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value);
    ok(!err && value == 48879, "got %lu %lu\n", err, value);
    ok(!set_dword(h.ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, 48880), "set failed\n");
    err = query_dword(h.ses, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &value);
    ok(!err && value == 48880, "got %lu %lu\n", err, value);

    err = query_dword(h.ses, WINHTTP_OPTION_RECEIVE_TIMEOUT, &value);
    ok(!err && value == 48879, "got %lu %lu\n", err, value);
    err = query_dword(h.req, WINHTTP_OPTION_SEND_TIMEOUT, &value);
    ok(!err && value == 30000, "got %lu %lu\n", err, value);

    close_handles(&h);
}

static void test_null_handle(void)
{
    HTTP_VERSION_INFO version;
    DWORD value, size;
    BOOL ret;

    size = sizeof(value);
    ret = WinHttpQueryOption(NULL, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value, &size);
    ok(ret && value == 0, "got %d %lu %lu\n", ret, GetLastError(), value);

    size = sizeof(version);
    ret = WinHttpQueryOption(NULL, WINHTTP_OPTION_HTTP_VERSION, &version, &size);
    ok(ret && version.dwMajorVersion == 1 && version.dwMinorVersion == 1, "got %d %lu\n", ret, GetLastError());
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_HTTP_VERSION, &version, sizeof(version));
    ok(ret, "set failed: %lu\n", GetLastError());

    value = 0;
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_ENABLETRACING, &value, sizeof(value));
    ok(ret, "set failed: %lu\n", GetLastError());

    /* options of a handle need one */
    value = WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_REDIRECT_POLICY, &value, sizeof(value));
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());
    size = sizeof(value);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(NULL, WINHTTP_OPTION_REDIRECT_POLICY, &value, &size);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d %lu\n", ret, GetLastError());

    /* the worker thread count is set once, on the NULL handle */
    value = 4;
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value, sizeof(value));
    ok(ret, "set failed: %lu\n", GetLastError());
    size = sizeof(value);
    ret = WinHttpQueryOption(NULL, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value, &size);
    ok(ret && value == 4, "got %d %lu\n", ret, value);
    value = 5;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(NULL, WINHTTP_OPTION_WORKER_THREAD_COUNT, &value, sizeof(value));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "set twice: %d %lu\n", ret, GetLastError());
}

static void test_proxy(void)
{
    WINHTTP_PROXY_INFO info, out;
    HINTERNET ses, con, req;
    DWORD size;
    BOOL ret;

    ses = WinHttpOpen(L"winhttp-ws options test", WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.example:8080",
                      L"<local>", 0);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    con = WinHttpConnect(ses, L"localhost", 80, 0);

    /* the session's proxy, strings for GlobalFree */
    size = sizeof(out);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_PROXY, &out, &size);
    ok(ret && out.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && out.lpszProxy
       && !wcscmp(out.lpszProxy, L"proxy.example:8080") && out.lpszProxyBypass
       && !wcscmp(out.lpszProxyBypass, L"<local>"), "got %d %lu\n", ret, GetLastError());
    if (ret)
    {
        GlobalFree(out.lpszProxy);
        GlobalFree(out.lpszProxyBypass);
    }
    size = 1;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_PROXY, &out, &size);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER && size == sizeof(out), "got %d %lu %lu\n", ret,
       GetLastError(), size);

    /* a request starts with it and may have its own (libgit2, cpprestsdk, .NET) */
    req = WinHttpOpenRequest(con, NULL, L"/", NULL, NULL, NULL, 0);
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    info.lpszProxy = info.lpszProxyBypass = NULL;
    ret = WinHttpSetOption(req, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    ok(ret, "set failed: %lu\n", GetLastError());
    size = sizeof(out);
    ret = WinHttpQueryOption(req, WINHTTP_OPTION_PROXY, &out, &size);
    ok(ret && out.dwAccessType == WINHTTP_ACCESS_TYPE_NO_PROXY && !out.lpszProxy, "got %d %lu\n", ret,
       out.dwAccessType);
    size = sizeof(out);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_PROXY, &out, &size);
    ok(ret && out.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY, "session changed: %lu\n", out.dwAccessType);
    if (ret)
    {
        GlobalFree(out.lpszProxy);
        GlobalFree(out.lpszProxyBypass);
    }

    /* a named proxy needs a name; the size is the structure's */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(req, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    info.lpszProxy = (WCHAR *)L"other:3128";
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(req, WINHTTP_OPTION_PROXY, &info, sizeof(info) - 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(con, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d %lu\n", ret, GetLastError());

    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

START_TEST(options)
{
    test_proxy();
    test_redirect_policy();
    test_features();
    test_session_options();
    test_unknown();
    test_client_cert();
    test_credentials();
    test_timeout_defaults();
    /* last: it sets the process-wide worker thread count */
    test_null_handle();
}
