/*
 * Conformance tests for HTTP authentication against Debian's apache2
 * (tools/start-apache.sh, WSTEST_APACHE): WinHttpQueryAuthSchemes,
 * WinHttpSetCredentials, the USERNAME/PASSWORD options, Basic and Digest,
 * answered by the program or by WinHttpReceiveResponse itself, sync and
 * async, and the websocket upgrade behind authentication.  NTLM and
 * Negotiate against tests/server/ntlm_gate.py (WSTEST_NTLM_GATE: Samba's
 * ntlm_auth checks the answers; its header says why not apache): the
 * handshake on requests and on the upgrade, the schemes offered, and when
 * the default (logged-on user's) credentials are tried.
 *
 * Expectations follow Wine's winhttp.c tests (which pass on Windows): the
 * argument checks, credentials of WinHttpSetCredentials winning over the
 * options, Basic credentials sent before any challenge, and a refused answer
 * returned to the program as the 401 it is.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"
#include "ws_helpers.h"

static WCHAR apache_host[64], gate_host[64];
static INTERNET_PORT apache_port, gate_port;
/* the server the requests go to: apache, or the NTLM gate */
static const WCHAR *server_host;
static INTERNET_PORT server_port;

#define SET_CREDS_BEFORE  0x01   /* WinHttpSetCredentials before the first send */
#define SET_OPTIONS       0x02   /* USERNAME/PASSWORD options before the first send */
#define ANSWER_BY_APP     0x04   /* after a 401: WinHttpSetCredentials, send again */
#define ASYNC             0x08
#define POLICY_LOW        0x10   /* WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW */
#define POLICY_HIGH       0x20   /* WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH */
#define BYPASSED          0x40   /* a (dead) named proxy whose bypass list names the server */
#define SECURE            0x80   /* https:// (wss://), the test CA not checked */

struct result
{
    DWORD status;
    char body[256];
    DWORD sends;          /* SENDING_REQUEST notifications (async) */
    DWORD log[48];        /* the notifications (async) */
    LONG logged;
    DWORD error;          /* REQUEST_ERROR's error (async) */
};

struct async_wait
{
    HANDLE event;
    DWORD status;
    DWORD error;
    DWORD sends;
    DWORD bytes;
    DWORD log[48];        /* every notification, in order */
    LONG logged;
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_wait *w = (struct async_wait *)context;
    LONG n;

    /* HANDLE_CLOSING may come after run_request returned: w is gone then */
    if (!w || status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) return;
    if ((n = InterlockedIncrement(&w->logged) - 1) < (LONG)ARRAY_SIZE(w->log)) w->log[n] = status;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDING_REQUEST:
        w->sends++;
        return;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        w->bytes = len;
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        w->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        break;
    default:
        return;
    }
    w->status = status;
    SetEvent(w->event);
}

/* Waits for the asynchronous call just made; FALSE on REQUEST_ERROR or timeout. */
static BOOL async_done(struct async_wait *w, DWORD want)
{
    if (WaitForSingleObject(w->event, 10000))
    {
        ok(0, "no notification after 10 s\n");
        return FALSE;
    }
    if (w->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) return FALSE;
    ok(w->status == want, "status %#lx, want %#lx\n", w->status, want);
    return w->status == want;
}

static BOOL send_and_receive(HINTERNET req, struct async_wait *w, const void *optional, DWORD optional_len)
{
    if (!WinHttpSendRequest(req, NULL, 0, (void *)optional, optional_len, optional_len, 0)) return FALSE;
    if (w && !async_done(w, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)) return FALSE;
    if (!WinHttpReceiveResponse(req, NULL)) return FALSE;
    if (w && !async_done(w, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE)) return FALSE;
    return TRUE;
}

static void read_body(HINTERNET req, struct async_wait *w, char *body, DWORD size)
{
    DWORD got = 0, n, i;

    for (i = 0; i < 64 && got < size - 1; i++)
    {
        n = 0;
        if (!WinHttpReadData(req, body + got, size - 1 - got, &n)) break;
        if (w)
        {
            if (!async_done(w, WINHTTP_CALLBACK_STATUS_READ_COMPLETE)) break;
            n = w->bytes;
        }
        if (!n) break;
        got += n;
    }
    body[got] = 0;
}

static DWORD status_of(HINTERNET req)
{
    DWORD status = 0, size = sizeof(status);
    WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    return status;
}

static HINTERNET open_request(HINTERNET con, const WCHAR *path, DWORD how)
{
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    HINTERNET req = WinHttpOpenRequest(con, NULL, path, NULL, NULL, NULL, (how & SECURE) ? WINHTTP_FLAG_SECURE : 0);

    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (how & SECURE) WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    return req;
}

/* One GET of path with the given credential handling; fills *r. */
static void run_request(const WCHAR *path, DWORD how, DWORD scheme, const WCHAR *user, const WCHAR *pass,
                        struct result *r)
{
    struct async_wait w = { 0 };
    struct async_wait *pw = (how & ASYNC) ? &w : NULL;
    HINTERNET ses, con, req;

    memset(r, 0, sizeof(*r));
    w.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (how & BYPASSED)
        ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"127.0.0.1:1", server_host,
                          (how & ASYNC) ? WINHTTP_FLAG_ASYNC : 0);
    else ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, (how & ASYNC) ? WINHTTP_FLAG_ASYNC : 0);
    if (how & ASYNC) WinHttpSetStatusCallback(ses, async_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    req = open_request(con, path, how);
    if (how & ASYNC) WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &pw, sizeof(pw));
    if (how & (POLICY_LOW | POLICY_HIGH))
    {
        DWORD policy = (how & POLICY_LOW) ? WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW : WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH;
        ok(WinHttpSetOption(req, WINHTTP_OPTION_AUTOLOGON_POLICY, &policy, sizeof(policy)), "AUTOLOGON_POLICY: %lu\n",
           GetLastError());
    }

    if (how & SET_CREDS_BEFORE)
        ok(WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, scheme, user, pass, NULL),
           "WinHttpSetCredentials failed: %lu\n", GetLastError());
    if (how & SET_OPTIONS)
    {
        ok(WinHttpSetOption(req, WINHTTP_OPTION_USERNAME, (void *)user, wcslen(user)), "USERNAME: %lu\n", GetLastError());
        ok(WinHttpSetOption(req, WINHTTP_OPTION_PASSWORD, (void *)pass, wcslen(pass)), "PASSWORD: %lu\n", GetLastError());
    }
    if (!send_and_receive(req, pw, NULL, 0))
    {
        r->error = pw ? w.error : GetLastError();
        goto done;
    }
    r->status = status_of(req);
    if (r->status == HTTP_STATUS_DENIED && (how & ANSWER_BY_APP))
    {
        DWORD supported = 0, first = 0, target = 0;

        ok(WinHttpQueryAuthSchemes(req, &supported, &first, &target), "WinHttpQueryAuthSchemes failed: %lu\n",
           GetLastError());
        ok((supported & scheme) && first == (supported & WINHTTP_AUTH_SCHEME_NEGOTIATE ? WINHTTP_AUTH_SCHEME_NEGOTIATE : scheme),
           "schemes %#lx, first %#lx\n", supported, first);
        ok(target == WINHTTP_AUTH_TARGET_SERVER, "target %lu\n", target);
        ok(WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, scheme, user, pass, NULL),
           "WinHttpSetCredentials failed: %lu\n", GetLastError());
        if (!send_and_receive(req, pw, NULL, 0))
        {
            r->error = pw ? w.error : GetLastError();
            goto done;
        }
        r->status = status_of(req);
    }
    read_body(req, pw, r->body, sizeof(r->body));
    r->sends = w.sends;
    r->logged = min(w.logged, (LONG)ARRAY_SIZE(w.log));
    memcpy(r->log, w.log, sizeof(r->log));
done:
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    CloseHandle(w.event);
}

static void check_result_(int line, const struct result *r, DWORD status, const char *body)
{
    ok_(__FILE__, line)(!r->error, "error %lu\n", r->error);
    ok_(__FILE__, line)(r->status == status, "status %lu, want %lu\n", r->status, status);
    if (body) ok_(__FILE__, line)(!strcmp(r->body, body), "body %s\n", wine_dbgstr_a(r->body));
}
#define check_result(...) check_result_(__LINE__, __VA_ARGS__)

static void test_arguments(void)
{
    HINTERNET ses, con, req;
    DWORD supported, first, target, error;
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpQueryAuthSchemes(NULL, &supported, &first, &target);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_HANDLE, "got %d, %lu\n", ret, error);

    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/basic/ok.txt", NULL, NULL, NULL, 0);

    SetLastError(0xdeadbeef);
    ret = WinHttpQueryAuthSchemes(con, &supported, &first, &target);
    error = GetLastError();
    ok(!ret && error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryAuthSchemes(req, &supported, &first, NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);
    supported = first = target = 0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpQueryAuthSchemes(req, &supported, &first, &target);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_OPERATION, "got %d, %lu\n", ret, error);
    ok(supported == 0xdeadbeef && first == 0xdeadbeef && target == 0xdeadbeef, "outputs changed\n");

    /* Basic and Digest need a user and a password; the SSPI schemes do not */
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", NULL, NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_DIGEST, NULL, L"pass", NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_NTLM, NULL, NULL, NULL);
    error = GetLastError();
    ok(ret && error == ERROR_SUCCESS, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, 0x100, L"user", L"pass", NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(req, 7, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass", NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetCredentials(con, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass", NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d, %lu\n", ret, error);

    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* The credentials of WinHttpSetCredentials are not the options' */
static void test_credentials_not_options(void)
{
    HINTERNET ses, con, req;
    WCHAR buffer[32];
    DWORD size;
    BOOL ret;

    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/basic/ok.txt", NULL, NULL, NULL, 0);
    ret = WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass", NULL);
    ok(ret, "WinHttpSetCredentials failed: %lu\n", GetLastError());
    size = sizeof(buffer);
    buffer[0] = 'x';
    ret = WinHttpQueryOption(req, WINHTTP_OPTION_USERNAME, buffer, &size);
    ok(ret, "WinHttpQueryOption failed: %lu\n", GetLastError());
    ok(!buffer[0] && !size, "username %s, size %lu\n", wine_dbgstr_w(buffer), size);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* Basic credentials given before the first send travel with it. */
static void test_basic_preemptive(void)
{
    HINTERNET ses, con, req;
    WCHAR value[128];
    DWORD size = sizeof(value);
    BOOL ret;

    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/basic/ok.txt", NULL, NULL, NULL, 0);
    WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass", NULL);
    ret = send_and_receive(req, NULL, NULL, 0);
    ok(ret, "request failed: %lu\n", GetLastError());
    ok(status_of(req) == HTTP_STATUS_OK, "status %lu\n", status_of(req));
    ret = WinHttpQueryHeaders(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, L"Authorization",
                              value, &size, NULL);
    ok(ret, "no Authorization header: %lu\n", GetLastError());
    ok(ret && !wcscmp(value, L"Basic dXNlcjpwYXNz"), "Authorization %s\n", wine_dbgstr_w(value));
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

static void test_scheme(const WCHAR *path, DWORD scheme, const char *body, DWORD async)
{
    struct result r;

    winetest_push_context("%s %s", wine_dbgstr_w(path), async ? "async" : "sync");

    /* no credentials: the 401, and what it offers */
    run_request(path, async, scheme, L"user", L"pass", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);

    /* the program answers: QueryAuthSchemes, SetCredentials, send again */
    run_request(path, async | ANSWER_BY_APP, scheme, L"user", L"pass", &r);
    check_result(&r, HTTP_STATUS_OK, body);

    /* credentials known before: WinHttpReceiveResponse answers by itself */
    run_request(path, async | SET_OPTIONS, scheme, L"user", L"pass", &r);
    check_result(&r, HTTP_STATUS_OK, body);
    if (async) ok(r.sends == 2, "%lu requests sent\n", r.sends);
    run_request(path, async | SET_CREDS_BEFORE, scheme, L"user", L"pass", &r);
    check_result(&r, HTTP_STATUS_OK, body);
    if (async) ok(r.sends == (scheme == WINHTTP_AUTH_SCHEME_BASIC ? 1 : 2), "%lu requests sent\n", r.sends);

    /* wrong credentials: the refusal is the program's to see */
    run_request(path, async | SET_OPTIONS, scheme, L"user", L"wrong", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);
    run_request(path, async | SET_CREDS_BEFORE, scheme, L"nobody", L"pass", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);
    run_request(path, async | ANSWER_BY_APP, scheme, L"user", L"wrong", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);

    /* non-ASCII user names go out as UTF-8: unknown to the server, refused */
    run_request(path, async | SET_OPTIONS, scheme, L"\x00fcser", L"pass", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);

    winetest_pop_context();
}

/* SetCredentials wins over the options (Wine's test_basic_authentication). */
static void test_precedence(void)
{
    HINTERNET ses, con, req;

    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);

    req = WinHttpOpenRequest(con, NULL, L"/basic/ok.txt", NULL, NULL, NULL, 0);
    WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass", NULL);
    WinHttpSetOption(req, WINHTTP_OPTION_USERNAME, (void *)L"user", 4);
    WinHttpSetOption(req, WINHTTP_OPTION_PASSWORD, (void *)L"pwd2", 4);
    ok(send_and_receive(req, NULL, NULL, 0), "request failed: %lu\n", GetLastError());
    ok(status_of(req) == HTTP_STATUS_OK, "status %lu\n", status_of(req));
    WinHttpCloseHandle(req);

    req = WinHttpOpenRequest(con, NULL, L"/basic/ok.txt", NULL, NULL, NULL, 0);
    WinHttpSetOption(req, WINHTTP_OPTION_USERNAME, (void *)L"user", 4);
    WinHttpSetOption(req, WINHTTP_OPTION_PASSWORD, (void *)L"pass", 4);
    WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pwd2", NULL);
    ok(send_and_receive(req, NULL, NULL, 0), "request failed: %lu\n", GetLastError());
    ok(status_of(req) == HTTP_STATUS_DENIED, "status %lu\n", status_of(req));
    WinHttpCloseHandle(req);

    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* A websocket behind authentication: the upgrade is answered, then it works. */
static void test_websocket(const WCHAR *path, DWORD how, DWORD scheme, const WCHAR *user, const WCHAR *pass)
{
    static const char msg[] = "through the authenticated upgrade";
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    HINTERNET ses, con, req, ws;
    char buf[64];
    DWORD error, got;

    winetest_push_context("%s", wine_dbgstr_w(path));
    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    req = open_request(con, path, how);
    ok(WinHttpSetOption(req, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0), "upgrade option: %lu\n", GetLastError());
    if (how & SET_OPTIONS)
    {
        WinHttpSetOption(req, WINHTTP_OPTION_USERNAME, (void *)user, wcslen(user));
        WinHttpSetOption(req, WINHTTP_OPTION_PASSWORD, (void *)pass, wcslen(pass));
    }
    else WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, scheme, user, pass, NULL);
    ok(send_and_receive(req, NULL, NULL, 0), "request failed: %lu\n", GetLastError());
    ok(status_of(req) == HTTP_STATUS_SWITCH_PROTOCOLS, "status %lu\n", status_of(req));
    ws = WinHttpWebSocketCompleteUpgrade(req, 0);
    ok(ws != NULL, "WinHttpWebSocketCompleteUpgrade failed: %lu\n", GetLastError());
    if (ws)
    {
        error = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)msg, sizeof(msg) - 1);
        ok(!error, "send: %lu\n", error);
        got = 0;
        error = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &got, &type);
        ok(!error, "receive: %lu\n", error);
        ok(got == sizeof(msg) - 1 && !memcmp(buf, msg, got), "echo of %lu bytes\n", got);
        error = WinHttpWebSocketClose(ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
        ok(!error, "close: %lu\n", error);
        WinHttpCloseHandle(ws);
    }
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    winetest_pop_context();
}

/* The notifications of an asynchronous request that WinHttpReceiveResponse
 * sent rounds times (a new connection, then kept): each round says it sends
 * and receives, the refused bodies it drops make no READ_COMPLETE, and
 * HEADERS_AVAILABLE comes once, for the final response (DECISIONS.md). */
static void check_rounds_(int line, const struct result *r, int rounds)
{
    static const DWORD first[] =
    {
        WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, WINHTTP_CALLBACK_STATUS_NAME_RESOLVED,
        WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER, WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER,
        WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
        WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
        WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED,
    };
    static const DWORD again[] =
    {
        WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, WINHTTP_CALLBACK_STATUS_REQUEST_SENT,
        WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED,
    };
    DWORD want[48];
    LONG n = 0, i;
    int k;

    for (i = 0; i < (LONG)ARRAY_SIZE(first); i++) want[n++] = first[i];
    for (k = 1; k < rounds; k++) for (i = 0; i < (LONG)ARRAY_SIZE(again); i++) want[n++] = again[i];
    want[n++] = WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE;
    ok_(__FILE__, line)(r->logged > n, "%ld notifications, want more than %ld\n", r->logged, n);
    for (i = 0; i < n && i < r->logged; i++)
        if (r->log[i] != want[i]) break;
    ok_(__FILE__, line)(i == n, "notification %ld is %#lx, want %#lx\n", i, i < r->logged ? r->log[i] : 0,
                        i < n ? want[i] : 0);
}
#define check_rounds(...) check_rounds_(__LINE__, __VA_ARGS__)

static const WCHAR ntlm_user[] = L"WSTEST\\ntlmuser", ntlm_pass[] = L"ntlmpass";

/* NTLM or Negotiate: three legs (challenge, negotiate, authenticate), run by
 * WinHttpReceiveResponse once it has credentials. */
static void test_sspi(const WCHAR *path, DWORD scheme, DWORD async)
{
    struct result r;

    winetest_push_context("%s %s%s", wine_dbgstr_w(path), async & ASYNC ? "async" : "sync",
                          async & SECURE ? " https" : "");
    run_request(path, async, scheme, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);
    if (async & ASYNC) ok(r.sends == 1, "%lu requests sent\n", r.sends);

    run_request(path, async | ANSWER_BY_APP, scheme, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_OK, "ntlm ok\n");
    if (async & ASYNC) ok(r.sends == 3, "%lu requests sent\n", r.sends);
    run_request(path, async | SET_OPTIONS, scheme, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_OK, "ntlm ok\n");
    if (async & ASYNC) ok(r.sends == 3, "%lu requests sent\n", r.sends);
    if (async & ASYNC) check_rounds(&r, 3);
    run_request(path, async | SET_CREDS_BEFORE, scheme, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_OK, "ntlm ok\n");
    if (async & ASYNC) ok(r.sends == 3, "%lu requests sent\n", r.sends);

    /* a wrong password: the last leg is refused, and that 401 is the program's */
    run_request(path, async | SET_OPTIONS, scheme, ntlm_user, L"wrong", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);
    if (async & ASYNC) ok(r.sends == 3, "%lu requests sent\n", r.sends);
    run_request(path, async | ANSWER_BY_APP, scheme, ntlm_user, L"wrong", &r);
    check_result(&r, HTTP_STATUS_DENIED, NULL);
    winetest_pop_context();
}

/* A GET of path on con (credentials for NTLM if 'creds'), read to its end;
 * its status, the body in body. */
static DWORD plain_get(HINTERNET con, const WCHAR *path, BOOL creds, char *body, DWORD size)
{
    HINTERNET req = open_request(con, path, 0);
    DWORD status = 0;

    body[0] = 0;
    if (creds)
        ok(WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_SERVER, WINHTTP_AUTH_SCHEME_NTLM, ntlm_user, ntlm_pass, NULL),
           "WinHttpSetCredentials failed: %lu\n", GetLastError());
    if (send_and_receive(req, NULL, NULL, 0))
    {
        status = status_of(req);
        read_body(req, NULL, body, size);
    }
    else ok(0, "request failed: %lu\n", GetLastError());
    WinHttpCloseHandle(req);
    return status;
}

/* The connection an NTLM handshake authenticated carries the session's
 * later requests, which the server takes as the user's (libgit2's POST
 * after its GET, through an NTLM proxy), and never another session's. */
static void test_authenticated_connection(void)
{
    HINTERNET ses, con, other_ses, other_con;
    char body[64];
    DWORD status;

    ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, server_host, server_port, 0);
    other_ses = WinHttpOpen(L"authtest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    other_con = WinHttpConnect(other_ses, server_host, server_port, 0);
    status = plain_get(con, L"/ntlm/", TRUE, body, sizeof(body));
    ok(status == HTTP_STATUS_OK && !strcmp(body, "ntlm ok\n"), "with credentials: %lu %s\n", status, body);
    status = plain_get(other_con, L"/ntlm/", FALSE, body, sizeof(body));
    ok(status == HTTP_STATUS_DENIED, "another session, no credentials: %lu %s\n", status, body);
    status = plain_get(con, L"/ntlm/", FALSE, body, sizeof(body));
    ok(status == HTTP_STATUS_OK && !strcmp(body, "ntlm ok\n"), "the same session, no credentials: %lu %s\n", status,
       body);
    status = plain_get(other_con, L"/ntlm/", FALSE, body, sizeof(body));
    ok(status == HTTP_STATUS_DENIED, "another session again: %lu %s\n", status, body);
    WinHttpCloseHandle(other_con);
    WinHttpCloseHandle(other_ses);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* Both offered: QueryAuthSchemes reports both, Negotiate first as the
 * server lists it; credentials for NTLM only make NTLM the answer. */
static void test_sspi_choice(void)
{
    struct result r;

    run_request(L"/both/", ANSWER_BY_APP, WINHTTP_AUTH_SCHEME_NTLM, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_OK, "ntlm ok\n");
    run_request(L"/both/", ANSWER_BY_APP, WINHTTP_AUTH_SCHEME_NEGOTIATE, ntlm_user, ntlm_pass, &r);
    check_result(&r, HTTP_STATUS_OK, "ntlm ok\n");
}

/* The logged-on user's credentials: tried (the handshake starts: more than
 * one request goes out) only where the autologon policy allows.  No
 * logged-on user is known to the server (under Wine there is none at all),
 * so each ends with the 401. */
static void test_autologon(void)
{
    static const struct
    {
        DWORD how;
        BOOL tried;
    }
    tests[] =
    {
        { ASYNC, FALSE },                    /* MEDIUM, no proxy configured: not the intranet */
        { ASYNC | BYPASSED, TRUE },          /* MEDIUM, on the proxy bypass list */
        { ASYNC | POLICY_LOW, TRUE },
        { ASYNC | POLICY_HIGH, FALSE },
        { ASYNC | POLICY_HIGH | BYPASSED, FALSE },
        { ASYNC | SET_CREDS_BEFORE, TRUE },  /* WinHttpSetCredentials with no user */
    };
    struct result r;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("autologon %u", i);
        run_request(L"/ntlm/", tests[i].how, WINHTTP_AUTH_SCHEME_NTLM, NULL, NULL, &r);
        check_result(&r, HTTP_STATUS_DENIED, NULL);
        ok(tests[i].tried ? r.sends >= 2 : r.sends == 1, "%lu requests sent\n", r.sends);
        winetest_pop_context();
    }
}

/* Negotiate with Kerberos (WSTEST_KERBEROS, tools/test-kerberos.sh): a realm
 * made for the run, the user's ticket in the credentials cache, a server
 * that accepts only Kerberos tokens for HTTP/localhost.  The logged-on
 * user's credentials are the ticket: sent where the autologon policy
 * allows, or when the program sets credentials without a user; one leg (the
 * first token completes the context, the server's mutual-authentication
 * token comes with the 200). */
static void test_kerberos(const char *server, BOOL websocket)
{
    static const char body[] = "kerberos ok krbuser@WSTEST.INVALID\n";
    static const WCHAR krb_user[] = L"WSTEST.INVALID\\krbuser";
    static const DWORD modes[] = { 0, ASYNC };
    static WCHAR host[64];
    struct result r;
    unsigned int i;

    if (!ws_parse_server(server, host, ARRAY_SIZE(host), &server_port))
    {
        ok(0, "WSTEST_KERBEROS %s\n", server);
        return;
    }
    server_host = host;
    for (i = 0; i < ARRAY_SIZE(modes); i++)
    {
        winetest_push_context("kerberos %s", modes[i] & ASYNC ? "async" : "sync");
        run_request(L"/krb/", modes[i] | POLICY_LOW, WINHTTP_AUTH_SCHEME_NEGOTIATE, NULL, NULL, &r);
        check_result(&r, HTTP_STATUS_OK, body);
        if (modes[i] & ASYNC)
        {
            ok(r.sends == 2, "%lu requests sent\n", r.sends);
            check_rounds(&r, 2);
        }
        run_request(L"/krb/", modes[i] | POLICY_HIGH, WINHTTP_AUTH_SCHEME_NEGOTIATE, NULL, NULL, &r);
        check_result(&r, HTTP_STATUS_DENIED, NULL);
        if (modes[i] & ASYNC) ok(r.sends == 1, "%lu requests sent\n", r.sends);
        run_request(L"/krb/", modes[i] | POLICY_HIGH | ANSWER_BY_APP, WINHTTP_AUTH_SCHEME_NEGOTIATE, NULL, NULL, &r);
        check_result(&r, HTTP_STATUS_OK, body);
        run_request(L"/krb/", modes[i] | SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, NULL, NULL, &r);
        check_result(&r, HTTP_STATUS_OK, body);
        if (modes[i] & ASYNC) ok(r.sends == 2, "%lu requests sent\n", r.sends);
        /* a user and password: the package gets its own ticket (REALM\\user;
         * the realm is the domain), a wrong password none */
        run_request(L"/krb/", modes[i] | SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, krb_user, L"krbpass", &r);
        check_result(&r, HTTP_STATUS_OK, body);
        run_request(L"/krb/", modes[i] | SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, krb_user, L"wrong", &r);
        check_result(&r, HTTP_STATUS_DENIED, NULL);
        winetest_pop_context();
    }
    if (!websocket)
    {
        skip("no wsserver behind the Kerberos server: no websocket upgrade\n");
        return;
    }
    test_websocket(L"/krb/echo", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, NULL, NULL);
    test_websocket(L"/krb/echo", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, krb_user, L"krbpass");
}

START_TEST(auth)
{
    const char *server = ws_server_env("WSTEST_APACHE");

    if ((server = ws_server_env("WSTEST_KERBEROS")))
    {
        test_kerberos(server, ws_server_env("WSTEST_KERBEROS_WS") != NULL);
        return;
    }
    server = ws_server_env("WSTEST_APACHE");

    if (!server || !ws_parse_server(server, apache_host, ARRAY_SIZE(apache_host), &apache_port))
    {
        skip("WSTEST_APACHE not set (tools/with-servers.sh starts apache2)\n");
        return;
    }
    server_host = apache_host;
    server_port = apache_port;
    test_arguments();
    test_credentials_not_options();
    test_basic_preemptive();
    test_precedence();
    test_scheme(L"/basic/ok.txt", WINHTTP_AUTH_SCHEME_BASIC, "basic ok\n", 0);
    test_scheme(L"/basic/ok.txt", WINHTTP_AUTH_SCHEME_BASIC, "basic ok\n", ASYNC);
    test_scheme(L"/digest/ok.txt", WINHTTP_AUTH_SCHEME_DIGEST, "digest ok\n", 0);
    test_scheme(L"/digest/ok.txt", WINHTTP_AUTH_SCHEME_DIGEST, "digest ok\n", ASYNC);
    if (ws_server_env("WSTEST_SERVER"))
    {
        test_websocket(L"/basic-ws/", SET_OPTIONS, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass");
        test_websocket(L"/basic-ws/", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_BASIC, L"user", L"pass");
        test_websocket(L"/digest-ws/", SET_OPTIONS, WINHTTP_AUTH_SCHEME_DIGEST, L"user", L"pass");
        test_websocket(L"/digest-ws/", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_DIGEST, L"user", L"pass");
    }
    else skip("WSTEST_SERVER not set: no websocket behind apache\n");

    server = ws_server_env("WSTEST_NTLM_GATE");
    if (!server || !ws_parse_server(server, gate_host, ARRAY_SIZE(gate_host), &gate_port))
    {
        skip("WSTEST_NTLM_GATE not set (tools/with-servers.sh starts it where ntlm_auth is installed)\n");
        return;
    }
    server_host = gate_host;
    server_port = gate_port;
    test_sspi(L"/ntlm/", WINHTTP_AUTH_SCHEME_NTLM, 0);
    test_sspi(L"/ntlm/", WINHTTP_AUTH_SCHEME_NTLM, ASYNC);
    test_sspi(L"/negotiate/", WINHTTP_AUTH_SCHEME_NEGOTIATE, 0);
    test_sspi(L"/negotiate/", WINHTTP_AUTH_SCHEME_NEGOTIATE, ASYNC);
    test_sspi_choice();
    test_authenticated_connection();
    test_autologon();
    test_websocket(L"/ntlm/echo", SET_OPTIONS, WINHTTP_AUTH_SCHEME_NTLM, ntlm_user, ntlm_pass);
    test_websocket(L"/ntlm/echo", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NTLM, ntlm_user, ntlm_pass);
    test_websocket(L"/negotiate/echo", SET_CREDS_BEFORE, WINHTTP_AUTH_SCHEME_NEGOTIATE, ntlm_user, ntlm_pass);

    /* over TLS: the handshake's connection is a TLS one */
    server = ws_server_env("WSTEST_NTLM_GATE_TLS");
    if (!server || !ws_parse_server(server, gate_host, ARRAY_SIZE(gate_host), &gate_port))
    {
        skip("WSTEST_NTLM_GATE_TLS not set: no NTLM over TLS\n");
        return;
    }
    lstrcpyW(gate_host, L"localhost");   /* the test certificate's name */
    server_port = gate_port;
    test_sspi(L"/ntlm/", WINHTTP_AUTH_SCHEME_NTLM, SECURE);
    test_sspi(L"/negotiate/", WINHTTP_AUTH_SCHEME_NEGOTIATE, ASYNC | SECURE);
    test_websocket(L"/ntlm/echo", SET_CREDS_BEFORE | SECURE, WINHTTP_AUTH_SCHEME_NTLM, ntlm_user, ntlm_pass);
}
