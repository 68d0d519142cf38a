/*
 * Client certificates (WINHTTP_OPTION_CLIENT_CERT_CONTEXT) against an https
 * server that requires one (tools/with-servers.sh: WSTEST_CLIENTCERT_SERVER,
 * tests/server/clientcert_py.py, TLS 1.2 at most; the client certificate and
 * key made at test time come as WSTEST_CLIENT_PFX).  As Microsoft documents:
 * without a certificate chosen the send fails with
 * ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED; the program then sets a certificate
 * (or WINHTTP_NO_CLIENT_CERT_CONTEXT to go on without one) and sends again.
 * Synchronous and asynchronous.
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

#define WAIT_MS 10000

static WCHAR server_host[64];
static INTERNET_PORT server_port;

/* The client certificate from WSTEST_CLIENT_PFX, in a store of its own. */
static const CERT_CONTEXT *import_client_cert(HCERTSTORE *store)
{
    static char b64[16384];
    static BYTE der[12288];
    DWORD der_len = sizeof(der), len = GetEnvironmentVariableA("WSTEST_CLIENT_PFX", b64, sizeof(b64));
    CRYPT_DATA_BLOB pfx;
    const CERT_CONTEXT *cert;

    *store = NULL;
    if (!len || len >= sizeof(b64)) return NULL;
    if (!CryptStringToBinaryA(b64, 0, CRYPT_STRING_BASE64, der, &der_len, NULL, NULL)) return NULL;
    pfx.pbData = der;
    pfx.cbData = der_len;
    /* the key in memory only: a persisted container from an earlier run (an
     * older key) must not be taken for this certificate's */
    *store = PFXImportCertStore(&pfx, L"", CRYPT_EXPORTABLE | CRYPT_USER_KEYSET | PKCS12_NO_PERSIST_KEY);
    ok(*store != NULL, "PFXImportCertStore failed: %lu\n", GetLastError());
    if (!*store) return NULL;
    cert = CertFindCertificateInStore(*store, X509_ASN_ENCODING, 0, CERT_FIND_ANY, NULL, NULL);
    ok(cert != NULL, "no certificate in the PFX: %lu\n", GetLastError());
    return cert;
}

static HINTERNET open_request(HINTERNET session, HINTERNET *connection)
{
    /* the server's certificate is not what this tests */
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    HINTERNET request;
    BOOL ret;

    *connection = WinHttpConnect(session, server_host, server_port, 0);
    ok(*connection != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    request = WinHttpOpenRequest(*connection, L"GET", L"/whoami", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    ok(request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    ret = WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    ok(ret, "setting SECURITY_FLAGS failed: %lu\n", GetLastError());
    return request;
}

static void check_body(HINTERNET request, const char *expect)
{
    char body[256];
    DWORD got = 0, status = 0, size = sizeof(status);
    BOOL ret;

    ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size,
                              NULL);
    ok(ret, "WinHttpQueryHeaders failed: %lu\n", GetLastError());
    ok(status == 200, "status %lu\n", status);
    memset(body, 0, sizeof(body));
    ret = WinHttpReadData(request, body, sizeof(body) - 1, &got);
    ok(ret, "WinHttpReadData failed: %lu\n", GetLastError());
    ok(!strcmp(body, expect), "body %s\n", wine_dbgstr_a(body));
}

static void test_sync(void)
{
    HINTERNET session, connection, request, plain_connection, plain_request;
    const CERT_CONTEXT *cert;
    HCERTSTORE store;
    BOOL ret;

    session = WinHttpOpen(L"client_cert", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());

    /* only a secure request takes one */
    plain_connection = WinHttpConnect(session, server_host, server_port, 0);
    plain_request = WinHttpOpenRequest(plain_connection, L"GET", L"/", NULL, NULL, NULL, 0);
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(plain_request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "plain request: %d %lu\n", ret,
       GetLastError());
    WinHttpCloseHandle(plain_request);
    WinHttpCloseHandle(plain_connection);

    /* no certificate chosen: the program is asked for one */
    request = open_request(session, &connection);
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(!ret, "send succeeded without a client certificate\n");
    ok(GetLastError() == ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, "got %lu\n", GetLastError());

    /* WINHTTP_NO_CLIENT_CERT_CONTEXT: on without one, and this server refuses that */
    ret = WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, WINHTTP_NO_CLIENT_CERT_CONTEXT, 0);
    ok(ret, "WINHTTP_NO_CLIENT_CERT_CONTEXT failed: %lu\n", GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    if (ret) ret = WinHttpReceiveResponse(request, NULL);
    ok(!ret, "the server took a request without a client certificate\n");
    ok(GetLastError() != ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED && GetLastError() != 0xdeadbeef, "got %lu\n",
       GetLastError());

    /* a certificate: the program may free its own context at once */
    cert = import_client_cert(&store);
    if (!cert)
    {
        skip("no client certificate (WSTEST_CLIENT_PFX)\n");
        WinHttpCloseHandle(request);
        WinHttpCloseHandle(connection);
        WinHttpCloseHandle(session);
        return;
    }
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)cert, sizeof(*cert));
    ok(ret, "setting the client certificate failed: %lu\n", GetLastError());
    CertFreeCertificateContext(cert);
    CertCloseStore(store, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0);
    ok(ret, "send with a client certificate failed: %lu\n", GetLastError());
    ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "receive with a client certificate failed: %lu\n", GetLastError());
    if (ret) check_body(request, "client: winhttp-ws test client\n");

    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
}

struct async_wait
{
    HANDLE event;
    volatile DWORD status;
    volatile DWORD error;
    volatile DWORD_PTR api;
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_wait *w = (struct async_wait *)context;

    if (!w) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        w->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        w->api = ((WINHTTP_ASYNC_RESULT *)info)->dwResult;
        /* fall through */
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        w->status = status;
        SetEvent(w->event);
        break;
    }
}

static DWORD async_step(struct async_wait *w)
{
    DWORD res = WaitForSingleObject(w->event, WAIT_MS);

    ok(res == WAIT_OBJECT_0, "no completion within %u ms\n", WAIT_MS);
    return res == WAIT_OBJECT_0 ? w->status : 0;
}

static void test_async(void)
{
    struct async_wait w = { CreateEventW(NULL, FALSE, FALSE, NULL), 0, 0, 0 };
    HINTERNET session, connection, request;
    const CERT_CONTEXT *cert;
    HCERTSTORE store;
    DWORD status;
    BOOL ret;

    session = WinHttpOpen(L"client_cert", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    request = open_request(session, &connection);
    WinHttpSetStatusCallback(request, async_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);

    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&w);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    status = async_step(&w);
    ok(status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "status %#lx\n", status);
    ok(w.api == API_SEND_REQUEST, "api %Iu\n", w.api);
    ok(w.error == ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, "error %lu\n", w.error);

    cert = import_client_cert(&store);
    if (!cert)
    {
        skip("no client certificate (WSTEST_CLIENT_PFX)\n");
        goto done;
    }
    ret = WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)cert, sizeof(*cert));
    ok(ret, "setting the client certificate failed: %lu\n", GetLastError());
    CertFreeCertificateContext(cert);
    CertCloseStore(store, 0);
    ret = WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&w);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    status = async_step(&w);
    ok(status == WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, "status %#lx, error %lu\n", status, w.error);
    if (status != WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE) goto done;
    ret = WinHttpReceiveResponse(request, NULL);
    ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    status = async_step(&w);
    ok(status == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, "status %#lx, error %lu\n", status, w.error);
    if (status == WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE)
    {
        DWORD code = 0, size = sizeof(code);
        ret = WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &code, &size,
                                  NULL);
        ok(ret && code == 200, "status code %lu (%lu)\n", code, GetLastError());
    }

done:
    WinHttpSetStatusCallback(request, NULL, 0, 0);
    WinHttpCloseHandle(request);
    WinHttpCloseHandle(connection);
    WinHttpCloseHandle(session);
    CloseHandle(w.event);
}

START_TEST(client_cert)
{
    const char *server = ws_server_env("WSTEST_CLIENTCERT_SERVER");

    if (!ws_parse_server(server, server_host, ARRAY_SIZE(server_host), &server_port))
    {
        skip("WSTEST_CLIENTCERT_SERVER not set (tools/with-servers.sh)\n");
        return;
    }
    test_sync();
    test_async();
}
