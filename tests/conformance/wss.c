/*
 * wss:// and https:// through Schannel: certificate validation on by default,
 * SECURITY_FLAGS to relax it, SECURE_FAILURE flags, WebSocket traffic over
 * TLS (small and 16 MiB messages, records split across reads), sync and async.
 * The servers and a throw-away PKI come from tools/with-servers.sh; the test
 * trusts the private CA (WSTEST_TLS_CA) in the user's Root store for its run.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <wincrypt.h>
#include <winhttp.h>
#include <stdio.h>

#include "wine/test.h"
#include "ws_helpers.h"

static const CERT_CONTEXT *trusted_ca;

static BOOL trust_test_ca(void)
{
    char b64[8192];
    BYTE der[4096];
    DWORD der_len = sizeof(der), len = GetEnvironmentVariableA("WSTEST_TLS_CA", b64, sizeof(b64));
    HCERTSTORE root;
    BOOL ret;

    if (!len || len >= sizeof(b64)) return FALSE;
    if (!CryptStringToBinaryA(b64, 0, CRYPT_STRING_BASE64, der, &der_len, NULL, NULL)) return FALSE;
    root = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"Root");
    ok(root != NULL, "CertOpenStore failed: %lu\n", GetLastError());
    if (!root) return FALSE;
    ret = CertAddEncodedCertificateToStore(root, X509_ASN_ENCODING, der, der_len, CERT_STORE_ADD_REPLACE_EXISTING,
                                           &trusted_ca);
    ok(ret, "adding the test CA failed: %lu\n", GetLastError());
    CertCloseStore(root, 0);
    return ret;
}

static void untrust_test_ca(void)
{
    if (trusted_ca) CertDeleteCertificateFromStore(trusted_ca);
    trusted_ca = NULL;
}

/* What the callback saw of one secure request.  Asynchronous requests also
 * signal done on each completion and on REQUEST_ERROR. */
struct secure_failure
{
    LONG count;
    DWORD flags;
    HANDLE done;
    DWORD status;
    DWORD error;
    LONG failures_before_error;  /* SECURE_FAILUREs seen when REQUEST_ERROR came */
};

/* Whether secure_request uses an asynchronous session. */
static BOOL async_mode;

static void CALLBACK secure_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct secure_failure *sf = (struct secure_failure *)context;

    if (!sf) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SECURE_FAILURE:
        ok(len == sizeof(DWORD), "SECURE_FAILURE info length %lu\n", len);
        sf->flags = *(DWORD *)info;
        InterlockedIncrement(&sf->count);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        sf->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        sf->failures_before_error = sf->count;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        sf->status = status;
        SetEvent(sf->done);
        break;
    }
}

/* Asynchronous mode: waits for the completion `want`; the error of a
 * REQUEST_ERROR instead, 0 on success. */
static DWORD wait_secure(struct secure_failure *sf, DWORD want)
{
    if (WaitForSingleObject(sf->done, 10000))
    {
        ok(0, "no completion within 10 s\n");
        return ERROR_TIMEOUT;
    }
    if (sf->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) return sf->error;
    ok(sf->status == want, "status %#lx, expected %#lx\n", sf->status, want);
    return 0;
}

/* Sends a secure request (upgrade or plain GET); returns the
 * WinHttpSendRequest+ReceiveResponse error (0 on success). */
static DWORD secure_request(struct ws_handles *c, const char *var, const WCHAR *path, BOOL upgrade, DWORD security_flags,
                            struct secure_failure *sf)
{
    WCHAR host[64];
    INTERNET_PORT port;
    DWORD err = ERROR_SUCCESS;

    static struct secure_failure scratch;
    const DWORD async_notifications = WINHTTP_CALLBACK_FLAG_SECURE_FAILURE | WINHTTP_CALLBACK_FLAG_REQUEST_ERROR |
                                      WINHTTP_CALLBACK_FLAG_SENDREQUEST_COMPLETE | WINHTTP_CALLBACK_FLAG_HEADERS_AVAILABLE;

    memset(c, 0, sizeof(*c));
    if (!ws_parse_server(ws_server_env(var), host, ARRAY_SIZE(host), &port)) return ERROR_NOT_FOUND;
    if (async_mode && !sf)
    {
        HANDLE done = scratch.done ? scratch.done : CreateEventW(NULL, FALSE, FALSE, NULL);
        memset(&scratch, 0, sizeof(scratch));
        scratch.done = done;
        sf = &scratch;
    }
    if (async_mode && !sf->done) sf->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    /* The certificates name localhost: connect by name, as a program would. */
    lstrcpyW(host, L"localhost");
    c->session = WinHttpOpen(L"winhttp-ws wss test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                             async_mode ? WINHTTP_FLAG_ASYNC : 0);
    c->connect = WinHttpConnect(c->session, host, port, 0);
    c->request = WinHttpOpenRequest(c->connect, L"GET", path, NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    ok(c->request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (!c->request) return GetLastError();
    if (sf)
    {
        WinHttpSetStatusCallback(c->request, secure_callback,
                                 async_mode ? async_notifications : WINHTTP_CALLBACK_FLAG_SECURE_FAILURE, 0);
        WinHttpSetOption(c->request, WINHTTP_OPTION_CONTEXT_VALUE, &sf, sizeof(sf));
    }
    if (security_flags)
        ok(WinHttpSetOption(c->request, WINHTTP_OPTION_SECURITY_FLAGS, &security_flags, sizeof(security_flags)),
           "setting SECURITY_FLAGS failed: %lu\n", GetLastError());
    ok(WinHttpSetOption(c->request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0),
       "CLIENT_CERT_CONTEXT failed: %lu\n", GetLastError());
    if (upgrade) WinHttpSetOption(c->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    SetLastError(0xdeadbeef);
    if (!WinHttpSendRequest(c->request, NULL, 0, NULL, 0, 0, (DWORD_PTR)sf)) err = GetLastError();
    else if (async_mode && (err = wait_secure(sf, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE))) ;
    else if (!WinHttpReceiveResponse(c->request, NULL)) err = GetLastError();
    else if (async_mode) err = wait_secure(sf, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE);
    return err;
}

/* The default security flags: ignore an unknown CA when the test CA could
 * not be made trusted (see trust_test_ca). */
static DWORD base_flags;

/* Clears what the callback saw, keeping the event. */
static void reset_failure(struct secure_failure *sf)
{
    HANDLE done = sf->done;
    memset(sf, 0, sizeof(*sf));
    sf->done = done;
}

static void test_validation(void)
{
    static const struct
    {
        const char *server;
        DWORD ignore;
        DWORD failure_flag;
    }
    tests[] =
    {
        { "WSTEST_TLS_UNTRUSTED_SERVER", SECURITY_FLAG_IGNORE_UNKNOWN_CA, WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA },
        { "WSTEST_TLS_EXPIRED_SERVER", SECURITY_FLAG_IGNORE_CERT_DATE_INVALID, WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID },
        { "WSTEST_TLS_WRONGHOST_SERVER", SECURITY_FLAG_IGNORE_CERT_CN_INVALID, WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID },
    };
    struct secure_failure sf;
    struct ws_handles c;
    unsigned int i;
    DWORD err;

    /* The good server: trusted by default where the test CA is trusted;
     * otherwise an unknown CA is exactly what fails, and the flag lets it pass. */
    memset(&sf, 0, sizeof(sf));
    winetest_push_context(async_mode ? "async" : "sync");
    err = secure_request(&c, "WSTEST_TLS_SERVER", L"/http/hello", FALSE, 0, &sf);
    if (err == ERROR_WINHTTP_SECURE_FAILURE && sf.flags == WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA && async_mode)
    {
        ok(base_flags == SECURITY_FLAG_IGNORE_UNKNOWN_CA, "the CA was trusted in sync mode\n");
        ws_close_handles(&c);
        err = secure_request(&c, "WSTEST_TLS_SERVER", L"/http/hello", FALSE, base_flags, NULL);
    }
    else if (err == ERROR_WINHTTP_SECURE_FAILURE && sf.flags == WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA)
    {
        skip("the test CA is not trusted here (Wine 8 builds its Root store from the host's certificates only; "
             "CurrentUser\\Root additions are not used): checking each class with SECURITY_FLAG_IGNORE_UNKNOWN_CA\n");
        base_flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        ws_close_handles(&c);
        err = secure_request(&c, "WSTEST_TLS_SERVER", L"/http/hello", FALSE, base_flags, NULL);
    }
    ok(!err, "good server: got %lu (flags %#lx)\n", err, sf.flags);
    if (!err)
    {
        char body[16] = {0};
        DWORD read = 0;
        const CERT_CONTEXT *cert = NULL;
        DWORD size = sizeof(cert), flags = 0;

        if (!async_mode)
        {
            ok(WinHttpReadData(c.request, body, sizeof(body) - 1, &read), "ReadData failed: %lu\n", GetLastError());
            ok(read == 5 && !strcmp(body, "hello"), "body %s\n", body);
        }
        ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size),
           "SERVER_CERT_CONTEXT failed: %lu\n", GetLastError());
        if (cert)
        {
            WCHAR name[64];
            CertGetNameStringW(cert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, name, ARRAY_SIZE(name));
            ok(!lstrcmpW(name, L"localhost"), "certificate for %s\n", wine_dbgstr_w(name));
            CertFreeCertificateContext(cert);
        }
        size = sizeof(flags);
        ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, &size), "SECURITY_FLAGS failed\n");
        ok(flags & SECURITY_FLAG_SECURE, "flags %#lx\n", flags);
        {
            WINHTTP_CERTIFICATE_INFO info;
            DWORD bits = 0;

            size = sizeof(info) - 1;
            SetLastError(0xdeadbeef);
            ok(!WinHttpQueryOption(c.request, WINHTTP_OPTION_SECURITY_CERTIFICATE_STRUCT, &info, &size), "small buffer accepted\n");
            ok(GetLastError() == ERROR_INSUFFICIENT_BUFFER && size == sizeof(info), "error %lu size %lu\n", GetLastError(), size);
            memset(&info, 0, sizeof(info));
            ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SECURITY_CERTIFICATE_STRUCT, &info, &size),
               "SECURITY_CERTIFICATE_STRUCT failed: %lu\n", GetLastError());
            ok(info.lpszSubjectInfo && wcsstr(info.lpszSubjectInfo, L"localhost"), "subject %s\n", wine_dbgstr_w(info.lpszSubjectInfo));
            ok(info.lpszIssuerInfo && wcsstr(info.lpszIssuerInfo, L"winhttp-ws test CA"), "issuer %s\n", wine_dbgstr_w(info.lpszIssuerInfo));
            ok(CompareFileTime(&info.ftStart, &info.ftExpiry) < 0, "start after expiry\n");
            ok(info.dwKeySize >= 128, "key size %lu\n", info.dwKeySize);
            LocalFree(info.lpszSubjectInfo);
            LocalFree(info.lpszIssuerInfo);
            size = sizeof(bits);
            ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SECURITY_KEY_BITNESS, &bits, &size), "KEY_BITNESS failed\n");
            ok(bits == info.dwKeySize, "bits %lu\n", bits);
        }
    }
    ws_close_handles(&c);

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].server);
        /* validation is on by default, and SECURE_FAILURE names the class */
        reset_failure(&sf);
        err = secure_request(&c, tests[i].server, L"/http/hello", FALSE, 0, &sf);
        ok(err == ERROR_WINHTTP_SECURE_FAILURE, "default: got %lu\n", err);
        ok(sf.count == 1, "SECURE_FAILURE sent %ld times\n", sf.count);
        if (async_mode) ok(sf.failures_before_error == 1, "SECURE_FAILURE did not come before REQUEST_ERROR\n");
        ok(sf.flags & tests[i].failure_flag, "failure flags %#lx\n", sf.flags);
        {
            /* the rejected certificate can still be read, so that a program
             * can judge it and retry ignoring the error (libgit2 does); the
             * connection is not secure */
            const CERT_CONTEXT *cert = NULL;
            DWORD size = sizeof(cert), flags = 0;

            ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size),
               "after the failure: SERVER_CERT_CONTEXT failed: %lu\n", GetLastError());
            ok(cert != NULL, "after the failure: no certificate\n");
            if (cert) CertFreeCertificateContext(cert);
            size = sizeof(flags);
            ok(WinHttpQueryOption(c.request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, &size), "SECURITY_FLAGS failed\n");
            ok(!(flags & SECURITY_FLAG_SECURE), "after the failure: flags %#lx\n", flags);
        }
        ws_close_handles(&c);

        /* with only the base flags this class still fails, alone */
        if (tests[i].ignore != base_flags)
        {
            reset_failure(&sf);
            err = secure_request(&c, tests[i].server, L"/http/hello", FALSE, base_flags, &sf);
            ok(err == ERROR_WINHTTP_SECURE_FAILURE, "base flags: got %lu\n", err);
            ok(sf.flags == tests[i].failure_flag, "base flags: failure flags %#lx\n", sf.flags);
            ws_close_handles(&c);
        }

        /* its ignore flag lets it through */
        err = secure_request(&c, tests[i].server, L"/http/hello", FALSE, base_flags | tests[i].ignore, NULL);
        ok(!err, "ignoring it: got %lu\n", err);
        ws_close_handles(&c);
        winetest_pop_context();
    }
    winetest_pop_context();
    if (sf.done) CloseHandle(sf.done);
}

static HINTERNET open_wss_at(struct ws_handles *c, const char *server, const WCHAR *path)
{
    HINTERNET ws;
    DWORD err = secure_request(c, server, path, TRUE, base_flags, NULL);

    ok(!err, "upgrade request failed: %lu\n", err);
    if (err) return NULL;
    ws = WinHttpWebSocketCompleteUpgrade(c->request, 0);
    ok(ws != NULL, "CompleteUpgrade failed: %lu\n", GetLastError());
    return ws;
}

static HINTERNET open_wss(struct ws_handles *c, const WCHAR *path)
{
    return open_wss_at(c, "WSTEST_TLS_SERVER", path);
}

/* python3-websockets over TLS: text and binary echo, a message of 1 MiB. */
static void test_wss_interop(void)
{
    static const DWORD sizes[] = { 1, 300, 1 << 20 };
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type, sent_type;
    char value[8];
    BYTE *out, *in;
    DWORD err, len, total, i, j;
    HINTERNET ws;
    struct ws_handles c;

    if (!GetEnvironmentVariableA("WSTEST_PY_TLS_SERVER", value, sizeof(value)))
    {
        skip("WSTEST_PY_TLS_SERVER not set: python3-websockets is not available\n");
        return;
    }
    if (!(ws = open_wss_at(&c, "WSTEST_PY_TLS_SERVER", L"/"))) goto done;
    out = HeapAlloc(GetProcessHeap(), 0, 1 << 20);
    in = HeapAlloc(GetProcessHeap(), 0, 1 << 20);
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        sent_type = i % 2 ? WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE : WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;
        for (j = 0; j < sizes[i]; j++) out[j] = 'A' + j % 26;
        err = WinHttpWebSocketSend(ws, sent_type, out, sizes[i]);
        ok(!err, "Send failed: %lu\n", err);
        total = 0;
        do
        {
            err = WinHttpWebSocketReceive(ws, in + total, (1 << 20) - total, &len, &type);
            total += len;
        } while (!err && (type == WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE
                          || type == WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE) && total < (1u << 20));
        ok(!err && type == sent_type && total == sizes[i] && !memcmp(in, out, sizes[i]),
           "message %lu: err %lu type %d total %lu\n", i, err, type, total);
    }
    HeapFree(GetProcessHeap(), 0, out);
    HeapFree(GetProcessHeap(), 0, in);
    ok(!WinHttpWebSocketClose(ws, 1000, NULL, 0), "Close failed\n");
    WinHttpCloseHandle(ws);
done:
    ws_close_handles(&c);
}

static void test_wss_echo(void)
{
    static const DWORD sizes[] = { 0, 5, 16383, 16384, 20000, 65536, 16 << 20 };
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE *out, *in;
    DWORD err, len, total, i, j;
    USHORT status;
    HINTERNET ws;
    struct ws_handles c;

    if (!(ws = open_wss(&c, L"/echo"))) goto done;
    out = HeapAlloc(GetProcessHeap(), 0, 16 << 20);
    in = HeapAlloc(GetProcessHeap(), 0, 16 << 20);
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        winetest_push_context("%lu bytes", sizes[i]);
        for (j = 0; j < sizes[i]; j++) out[j] = (BYTE)(j * 31 + i);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, sizes[i] ? out : NULL, sizes[i]);
        ok(!err, "Send failed: %lu\n", err);
        total = 0;
        do
        {
            err = WinHttpWebSocketReceive(ws, in + total, (16 << 20) - total, &len, &type);
            total += len;
        } while (!err && type == WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE && total < (16u << 20));
        ok(!err, "Receive failed: %lu\n", err);
        ok(type == WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, "type %d\n", type);
        ok(total == sizes[i], "got %lu bytes\n", total);
        ok(!memcmp(in, out, sizes[i]), "data differs\n");
        winetest_pop_context();
    }
    HeapFree(GetProcessHeap(), 0, out);
    HeapFree(GetProcessHeap(), 0, in);
    err = WinHttpWebSocketClose(ws, 1000, (void *)"tls bye", 7);
    ok(!err, "Close failed: %lu\n", err);
    err = WinHttpWebSocketQueryCloseStatus(ws, &status, NULL, 0, &len);
    ok(err == ERROR_INSUFFICIENT_BUFFER && status == 1000 && len == 7, "err %lu status %u len %lu\n", err, status, len);
    WinHttpCloseHandle(ws);
done:
    ws_close_handles(&c);
}

static void test_wss_abort(void)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[64];
    DWORD err, len;
    HINTERNET ws;
    struct ws_handles c;

    /* A text message, then the server's TLS connection ends without a close frame. */
    if ((ws = open_wss(&c, L"/send/81026869/close")))
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && len == 2 && !memcmp(buf, "hi", 2), "err %lu len %lu\n", err, len);
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(err == ERROR_WINHTTP_CONNECTION_ERROR, "got %lu\n", err);
        WinHttpCloseHandle(ws);
    }
    ws_close_handles(&c);
    if ((ws = open_wss(&c, L"/send/81026869/rst")))
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(!err && len == 2, "err %lu len %lu\n", err, len);
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), &len, &type);
        ok(err == ERROR_WINHTTP_CONNECTION_ERROR, "got %lu\n", err);
        WinHttpCloseHandle(ws);
    }
    ws_close_handles(&c);
}

struct async_state
{
    HANDLE done;
    DWORD status;
    WINHTTP_WEB_SOCKET_STATUS ws_status;
    DWORD error;
    DWORD value;                /* WRITE_COMPLETE, DATA_AVAILABLE: the DWORD; READ_COMPLETE: the length */
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_state *st = (struct async_state *)context;

    if (!st) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && len == sizeof(WINHTTP_WEB_SOCKET_STATUS))
            st->ws_status = *(WINHTTP_WEB_SOCKET_STATUS *)info;
        st->value = len;
        st->status = status;
        SetEvent(st->done);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:  /* of WriteData (a websocket send's carries a status) */
        if (len != sizeof(DWORD)) break;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        st->value = *(DWORD *)info;
        st->status = status;
        SetEvent(st->done);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        st->status = status;
        st->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        SetEvent(st->done);
        break;
    }
}

static DWORD wait_status(struct async_state *st)
{
    if (WaitForSingleObject(st->done, 10000)) return 0;
    return st->status;
}

static void test_wss_async(void)
{
    struct async_state st = {0};
    struct async_state *ctx = &st;
    WCHAR host[64];
    INTERNET_PORT port;
    HINTERNET session, connect, request, ws;
    BYTE buf[64], *big;
    DWORD err, total, i;

    if (!ws_parse_server(ws_server_env("WSTEST_TLS_SERVER"), host, ARRAY_SIZE(host), &port)) return;
    lstrcpyW(host, L"localhost");
    st.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    session = WinHttpOpen(L"winhttp-ws wss async", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(session, async_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    connect = WinHttpConnect(session, host, port, 0);
    request = WinHttpOpenRequest(connect, L"GET", L"/echo", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    if (base_flags) WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &base_flags, sizeof(base_flags));
    ok(WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)ctx), "SendRequest failed: %lu\n", GetLastError());
    ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, "status %#lx error %lu\n", st.status, st.error);
    ok(WinHttpReceiveResponse(request, NULL), "ReceiveResponse failed: %lu\n", GetLastError());
    ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, "status %#lx error %lu\n", st.status, st.error);
    ws = WinHttpWebSocketCompleteUpgrade(request, (DWORD_PTR)ctx);
    ok(ws != NULL, "CompleteUpgrade failed: %lu\n", GetLastError());
    if (ws)
    {
        err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL);
        ok(!err, "Receive failed: %lu\n", err);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)"secure", 6);
        ok(!err, "Send failed: %lu\n", err);
        ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_READ_COMPLETE, "status %#lx error %lu\n", st.status, st.error);
        ok(st.ws_status.dwBytesTransferred == 6 && !memcmp(buf, "secure", 6), "got %lu bytes\n",
           st.ws_status.dwBytesTransferred);
        ok(st.ws_status.eBufferType == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "type %d\n", st.ws_status.eBufferType);

        /* A message of many records taken 64 bytes at a time: most receives
         * find their bytes already decrypted, none may get them out of order. */
        big = HeapAlloc(GetProcessHeap(), 0, 100000);
        for (i = 0; i < 100000; i++) big[i] = (BYTE)(i * 7 + 1);
        err = WinHttpWebSocketSend(ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, big, 100000);
        ok(!err, "Send failed: %lu\n", err);
        memset(&st.ws_status, 0, sizeof(st.ws_status));
        for (i = total = 0; !err && i < 100000 / sizeof(buf) + 8 && total < 100000; i++)
        {
            if ((err = WinHttpWebSocketReceive(ws, buf, sizeof(buf), NULL, NULL))) break;
            if (wait_status(&st) != WINHTTP_CALLBACK_STATUS_READ_COMPLETE) err = st.error ? st.error : ERROR_TIMEOUT;
            else if (st.ws_status.dwBytesTransferred > 100000 - total ||
                     memcmp(buf, big + total, st.ws_status.dwBytesTransferred)) err = ERROR_INVALID_DATA;
            else total += st.ws_status.dwBytesTransferred;
        }
        ok(!err && total == 100000, "err %lu, %lu bytes\n", err, total);
        ok(st.ws_status.eBufferType == WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, "type %d\n", st.ws_status.eBufferType);
        HeapFree(GetProcessHeap(), 0, big);

        err = WinHttpWebSocketClose(ws, 1000, NULL, 0);
        ok(!err, "Close failed: %lu\n", err);
        ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, "status %#lx error %lu\n", st.status, st.error);
        WinHttpCloseHandle(ws);
    }
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
    CloseHandle(st.done);
}

/* An async https POST larger than one batch of TLS records, in SendRequest's
 * optional data and in WriteData, echoed back: the sends are overlapped,
 * batch after batch. */
static void test_https_async_post(void)
{
    const DWORD part = 300000;
    struct async_state st = {0};
    struct async_state *ctx = &st;
    HINTERNET session, connect, request;
    WCHAR host[64];
    INTERNET_PORT port;
    BYTE *body, *echo;
    DWORD i, got = 0, rounds;

    if (!ws_parse_server(ws_server_env("WSTEST_TLS_SERVER"), host, ARRAY_SIZE(host), &port)) return;
    lstrcpyW(host, L"localhost");
    body = malloc(2 * part);
    echo = malloc(2 * part + 1);
    for (i = 0; i < 2 * part; i++) body[i] = (BYTE)(i * 7 + i / 251);
    st.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    session = WinHttpOpen(L"winhttp-ws https async", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(session, async_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    connect = WinHttpConnect(session, host, port, 0);
    request = WinHttpOpenRequest(connect, L"POST", L"/http/echo-body", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    if (base_flags) WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &base_flags, sizeof(base_flags));
    ok(WinHttpSendRequest(request, NULL, 0, body, part, 2 * part, (DWORD_PTR)ctx), "SendRequest failed: %lu\n",
       GetLastError());
    ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, "status %#lx error %lu\n", st.status, st.error);
    ok(WinHttpWriteData(request, body + part, part, NULL), "WriteData failed: %lu\n", GetLastError());
    ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, "status %#lx error %lu\n", st.status, st.error);
    ok(st.value == part, "WRITE_COMPLETE says %lu\n", st.value);
    ok(WinHttpReceiveResponse(request, NULL), "ReceiveResponse failed: %lu\n", GetLastError());
    ok(wait_status(&st) == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, "status %#lx error %lu\n", st.status, st.error);
    for (rounds = 0; st.status != WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && rounds < 10000; rounds++)
    {
        if (!WinHttpReadData(request, echo + got, 2 * part + 1 - got, NULL)) break;
        if (wait_status(&st) != WINHTTP_CALLBACK_STATUS_READ_COMPLETE || !st.value) break;
        got += st.value;
    }
    ok(got == 2 * part && !memcmp(echo, body, got), "echo of %lu bytes (status %#lx error %lu)\n", got, st.status,
       st.error);
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
    CloseHandle(st.done);
    free(body);
    free(echo);
}

START_TEST(wss)
{
    char value[8];

    if (!GetEnvironmentVariableA("WSTEST_TLS_SERVER", value, sizeof(value)))
    {
        skip("WSTEST_TLS_SERVER not set: no TLS test server (run under tools/with-servers.sh with openssl and GnuTLS)\n");
        return;
    }
    if (!trust_test_ca())
    {
        skip("could not trust the test CA\n");
        return;
    }
    test_validation();
    /* the same classes through the overlapped handshake */
    async_mode = TRUE;
    test_validation();
    async_mode = FALSE;
    test_wss_echo();
    test_wss_interop();
    test_wss_abort();
    test_wss_async();
    test_https_async_post();
    untrust_test_ca();
}
