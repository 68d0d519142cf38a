/*
 * Requests through a proxy, against Debian's squid (tools/start-squid.sh:
 * WSTEST_PROXY open, WSTEST_PROXY_AUTH with Basic proxy authentication,
 * WSTEST_PROXY_NTLM and WSTEST_PROXY_NEGOTIATE with NTLM and Negotiate
 * through Samba's ntlm_auth), Debian's apache2 as a second proxy
 * (WSTEST_APACHE_PROXY: mod_proxy_http, mod_proxy_connect, Basic), a second
 * squid named only by a PAC script on apache (WSTEST_PAC_URL, asked with
 * WinHttpGetProxyForUrl and set with WINHTTP_OPTION_PROXY per request, as
 * Microsoft's samples do) and wsserver as the origin: the matrix {http,
 * https, ws, wss} x {direct, proxy, squid with Basic, NTLM and Negotiate
 * authentication, apache with Basic, PAC's squid with Basic} x {sync,
 * async}; 407 answered by the
 * program and by WinHttpReceiveResponse; a dead proxy, bypass lists, the
 * keep-alive connection to the proxy, and TLS checked against the origin's
 * name through a tunnel.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <winsock2.h>
#include <windows.h>
#include <winhttp.h>

#include "test.h"
#include "ws_helpers.h"

enum kind { KIND_HTTP, KIND_HTTPS, KIND_WS, KIND_WSS };
enum route { ROUTE_DIRECT, ROUTE_PROXY, ROUTE_PROXY_AUTH, ROUTE_PROXY_NTLM, ROUTE_PROXY_NEGOTIATE, ROUTE_APACHE,
             ROUTE_PAC, ROUTE_COUNT };
static const char *const kind_names[] = { "http", "https", "ws", "wss" };
static const char *const route_names[] = { "direct", "proxy", "proxy+basic", "proxy+ntlm", "proxy+negotiate",
                                            "apache+basic", "pac+basic" };

static WCHAR proxy_list[64], proxy_auth_list[64], proxy_ntlm_list[64], proxy_negotiate_list[64],
             apache_proxy_list[64], pac_url[128];
static BOOL route_available[ROUTE_COUNT] = { TRUE, TRUE, TRUE };

/* What an authenticating route's proxy wants: its list, scheme and credentials. */
struct route_auth
{
    const WCHAR *list;
    DWORD scheme;
    const WCHAR *user;
    const WCHAR *pass;
};

static struct route_auth route_auth(enum route route)
{
    struct route_auth a = { proxy_auth_list, WINHTTP_AUTH_SCHEME_BASIC, L"proxyuser", L"proxypass" };

    if (route == ROUTE_APACHE)
    {
        a.list = apache_proxy_list;
        a.user = L"user";
        a.pass = L"pass";
    }
    else if (route == ROUTE_PAC) a.list = NULL;   /* the session has none; the PAC script's goes on the request */
    else if (route == ROUTE_PROXY_NTLM || route == ROUTE_PROXY_NEGOTIATE)
    {
        a.list = route == ROUTE_PROXY_NTLM ? proxy_ntlm_list : proxy_negotiate_list;
        a.scheme = route == ROUTE_PROXY_NTLM ? WINHTTP_AUTH_SCHEME_NTLM : WINHTTP_AUTH_SCHEME_NEGOTIATE;
        a.user = L"WSTEST\\ntlmuser";
        a.pass = L"ntlmpass";
    }
    return a;
}

struct wait
{
    HANDLE event;
    DWORD status;
    DWORD error;
    DWORD bytes;
    BOOL websocket;     /* READ_COMPLETE carries a WINHTTP_WEB_SOCKET_STATUS */
};

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct wait *w = (struct wait *)context;

    if (!w) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        w->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        w->bytes = w->websocket ? ((WINHTTP_WEB_SOCKET_STATUS *)info)->dwBytesTransferred : len;
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        break;
    default:
        return;
    }
    w->status = status;
    SetEvent(w->event);
}

/* The asynchronous call just made completed with want (error: its code). */
static DWORD await(struct wait *w, DWORD want)
{
    if (WaitForSingleObject(w->event, 15000)) return WAIT_TIMEOUT;
    if (w->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) return w->error;
    return w->status == want ? ERROR_SUCCESS : ERROR_GEN_FAILURE;
}

struct outcome
{
    DWORD error;
    const char *call;
    DWORD status;
    BOOL echoed;        /* websocket: the message came back */
    char body[64];
    DWORD local_port;   /* of the connection, for keep-alive checks */
};

#define FAIL(name) do { o->call = name; goto done; } while (0)

/* What a program does with a PAC script: asks it about the request's URL
 * and sets the answer on the request. */
static BOOL set_proxy_from_pac(HINTERNET ses, HINTERNET req, BOOL secure, const WCHAR *host, INTERNET_PORT port)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_INFO info;
    WCHAR url[128];
    BOOL ret;

    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
    options.lpszAutoConfigUrl = pac_url;
    swprintf(url, ARRAY_SIZE(url), L"%ls://%ls:%u/", secure ? L"https" : L"http", host, port);
    if (!WinHttpGetProxyForUrl(ses, url, &options, &info)) return FALSE;
    ret = info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY
          && WinHttpSetOption(req, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    GlobalFree(info.lpszProxy);
    GlobalFree(info.lpszProxyBypass);
    return ret;
}

/* One exchange of kind over route; creds: PROXY_* options (sync) or
 * WinHttpSetCredentials before the send (async). */
static void exchange(enum kind kind, enum route route, BOOL async, BOOL with_creds, HINTERNET ses_in,
                     struct outcome *o)
{
    static const char msg[] = "through the proxy";
    const char *env = (kind == KIND_HTTP || kind == KIND_WS) ? "WSTEST_SERVER" : "WSTEST_TLS_SERVER";
    BOOL secure = kind == KIND_HTTPS || kind == KIND_WSS, ws = kind == KIND_WS || kind == KIND_WSS;
    HINTERNET ses = ses_in, con = NULL, req = NULL, sock = NULL;
    struct route_auth auth = route_auth(route);
    struct wait w = { 0 }, *pw = &w;
    WINHTTP_CONNECTION_INFO info;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    DWORD flags, size, n;
    INTERNET_PORT port;
    WCHAR host[64];
    char buf[64];

    memset(o, 0, sizeof(*o));
    w.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!ws_parse_server(ws_server_env(env), host, ARRAY_SIZE(host), &port)) FAIL("server");
    /* the test certificates name localhost */
    if (secure) lstrcpyW(host, L"localhost");
    if (!ses)
    {
        if (route == ROUTE_DIRECT || route == ROUTE_PAC)
            ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, async ? WINHTTP_FLAG_ASYNC : 0);
        else ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                               route == ROUTE_PROXY ? proxy_list : auth.list, NULL, async ? WINHTTP_FLAG_ASYNC : 0);
        if (!ses) FAIL("WinHttpOpen");
    }
    if (async) WinHttpSetStatusCallback(ses, callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    if (!(con = WinHttpConnect(ses, host, port, 0))) FAIL("WinHttpConnect");
    if (!(req = WinHttpOpenRequest(con, NULL, ws ? L"/echo" : L"/http/status/200", NULL, NULL, NULL,
                                   secure ? WINHTTP_FLAG_SECURE : 0))) FAIL("WinHttpOpenRequest");
    WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &pw, sizeof(pw));
    if (route == ROUTE_PAC && !set_proxy_from_pac(ses, req, secure, host, port)) FAIL("WinHttpGetProxyForUrl");
    if (secure)
    {
        flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    }
    if (ws) WinHttpSetOption(req, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    if (with_creds && !async)
    {
        WinHttpSetOption(req, WINHTTP_OPTION_PROXY_USERNAME, (void *)auth.user, wcslen(auth.user));
        WinHttpSetOption(req, WINHTTP_OPTION_PROXY_PASSWORD, (void *)auth.pass, wcslen(auth.pass));
    }
    else if (with_creds)
        WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_PROXY, auth.scheme, auth.user, auth.pass, NULL);

    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0)) { o->error = GetLastError(); FAIL("WinHttpSendRequest"); }
    if (async && (o->error = await(&w, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE))) FAIL("SENDREQUEST_COMPLETE");
    if (!WinHttpReceiveResponse(req, NULL)) { o->error = GetLastError(); FAIL("WinHttpReceiveResponse"); }
    if (async && (o->error = await(&w, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE))) FAIL("HEADERS_AVAILABLE");
    size = sizeof(o->status);
    WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &o->status, &size, NULL);
    size = sizeof(info);
    info.cbSize = sizeof(info);
    if (WinHttpQueryOption(req, WINHTTP_OPTION_CONNECTION_INFO, &info, &size))
        o->local_port = ntohs(((SOCKADDR_IN *)&info.LocalAddress)->sin_port);

    if (!ws || o->status != HTTP_STATUS_SWITCH_PROTOCOLS)
    {
        n = 0;
        if (!WinHttpReadData(req, o->body, sizeof(o->body) - 1, &n)) { o->error = GetLastError(); FAIL("WinHttpReadData"); }
        if (async && (o->error = await(&w, WINHTTP_CALLBACK_STATUS_READ_COMPLETE))) FAIL("READ_COMPLETE");
        if (async) n = w.bytes;
        o->body[n] = 0;
        goto done;
    }
    if (!(sock = WinHttpWebSocketCompleteUpgrade(req, (DWORD_PTR)pw))) { o->error = GetLastError(); FAIL("CompleteUpgrade"); }
    w.websocket = TRUE;
    if ((o->error = WinHttpWebSocketSend(sock, WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, (void *)msg,
                                         sizeof(msg) - 1))) FAIL("WebSocketSend");
    if (async && (o->error = await(&w, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE))) FAIL("WRITE_COMPLETE");
    n = 0;
    if ((o->error = WinHttpWebSocketReceive(sock, buf, sizeof(buf), &n, &type))) FAIL("WebSocketReceive");
    if (async)
    {
        if ((o->error = await(&w, WINHTTP_CALLBACK_STATUS_READ_COMPLETE))) FAIL("READ_COMPLETE");
        n = w.bytes;
    }
    o->echoed = n == sizeof(msg) - 1 && !memcmp(buf, msg, n);
    if ((o->error = WinHttpWebSocketClose(sock, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0))
        && o->error != ERROR_IO_PENDING) FAIL("WebSocketClose");
    if (async && (o->error = await(&w, WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE))) FAIL("CLOSE_COMPLETE");
    o->error = 0;
done:
    if (sock) WinHttpCloseHandle(sock);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    if (!ses_in) WinHttpCloseHandle(ses);
    CloseHandle(w.event);
}

static void test_matrix(void)
{
    struct outcome o;
    enum kind kind;
    enum route route;
    int async;

    for (kind = KIND_HTTP; kind <= KIND_WSS; kind++)
    for (route = ROUTE_DIRECT; route < ROUTE_COUNT; route++)
    for (async = 0; async < 2; async++)
    {
        if (!route_available[route]) continue;
        winetest_push_context("%s %s %s", kind_names[kind], route_names[route], async ? "async" : "sync");
        exchange(kind, route, async, route >= ROUTE_PROXY_AUTH, NULL, &o);
        ok(!o.error, "%s failed: %lu\n", o.call ? o.call : "?", o.error);
        if (kind == KIND_WS || kind == KIND_WSS)
        {
            ok(o.status == HTTP_STATUS_SWITCH_PROTOCOLS, "status %lu\n", o.status);
            ok(o.echoed, "no echo\n");
        }
        else
        {
            ok(o.status == HTTP_STATUS_OK, "status %lu\n", o.status);
            ok(!strcmp(o.body, "status 200\n"), "body %s\n", wine_dbgstr_a(o.body));
        }
        winetest_pop_context();
    }
}

/* Without credentials the authenticating proxy refuses: proof that the
 * traffic goes through it.  Run before the matrix: a tunnel opened with
 * credentials is kept alive in the process's pool, and a later request to
 * the same origin may use it without asking the proxy again. */
static void test_refused(void)
{
    struct outcome o;
    enum route route;
    enum kind kind;
    int async;

    for (route = ROUTE_PROXY_AUTH; route < ROUTE_COUNT; route++)
    for (kind = KIND_HTTP; kind <= KIND_WSS; kind++)
    for (async = 0; async < 2; async++)
    {
        if (!route_available[route]) continue;
        winetest_push_context("%s %s %s", route_names[route], kind_names[kind], async ? "async" : "sync");
        exchange(kind, route, async, FALSE, NULL, &o);
        ok(!o.error, "%s failed: %lu\n", o.call ? o.call : "?", o.error);
        ok(o.status == HTTP_STATUS_PROXY_AUTH_REQ, "without credentials: status %lu\n", o.status);
        winetest_pop_context();
    }
}

/* A 407 answered by the program: QueryAuthSchemes says proxy and the
 * route's scheme; a wrong password is refused, the right one is taken (for
 * NTLM and Negotiate, WinHttpReceiveResponse then runs the handshake's
 * remaining legs on the connection that carried the first). */
static void test_proxy_auth_by_app(enum route route, BOOL secure)
{
    struct route_auth auth = route_auth(route);
    HINTERNET ses, con, req;
    DWORD status, size, supported, first, target, flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    INTERNET_PORT port = 0;
    WCHAR host[64];
    int i;

    winetest_push_context("%s %s", route_names[route], secure ? "https" : "http");
    ws_parse_server(ws_server_env(secure ? "WSTEST_TLS_SERVER" : "WSTEST_SERVER"), host, ARRAY_SIZE(host), &port);
    if (secure) lstrcpyW(host, L"localhost");
    ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NAMED_PROXY, auth.list, NULL, 0);
    con = WinHttpConnect(ses, host, port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, secure ? WINHTTP_FLAG_SECURE : 0);
    if (secure) WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    for (i = 0; i < 3; i++)
    {
        ok(WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0), "send %d: %lu\n", i, GetLastError());
        ok(WinHttpReceiveResponse(req, NULL), "receive %d: %lu\n", i, GetLastError());
        status = 0;
        size = sizeof(status);
        WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
        if (i == 0 || i == 1)
        {
            ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "round %d: status %lu\n", i, status);
            ok(WinHttpQueryAuthSchemes(req, &supported, &first, &target), "QueryAuthSchemes: %lu\n", GetLastError());
            ok(supported == auth.scheme && first == auth.scheme, "schemes %#lx %#lx\n", supported, first);
            ok(target == WINHTTP_AUTH_TARGET_PROXY, "target %lu\n", target);
            /* first a wrong password: refused again */
            WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_PROXY, auth.scheme, auth.user,
                                  i == 0 ? L"wrong" : auth.pass, NULL);
        }
        else ok(status == HTTP_STATUS_OK, "round %d: status %lu\n", i, status);
    }
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    winetest_pop_context();
}

static DWORD simple_get(const WCHAR *proxy, const WCHAR *bypass, const WCHAR *host, INTERNET_PORT port, DWORD *status)
{
    HINTERNET ses, con, req;
    DWORD error = ERROR_SUCCESS, size = sizeof(*status);

    *status = 0;
    ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NAMED_PROXY, proxy, bypass, 0);
    WinHttpSetTimeouts(ses, 5000, 5000, 5000, 5000);
    con = WinHttpConnect(ses, host, port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, 0);
    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0) || !WinHttpReceiveResponse(req, NULL)) error = GetLastError();
    else WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, status, &size, NULL);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    return error;
}

static void test_routes(void)
{
    INTERNET_PORT port = 0;
    WCHAR host[64], list[128];
    DWORD error, status;

    ws_parse_server(ws_server_env("WSTEST_SERVER"), host, ARRAY_SIZE(host), &port);

    /* a proxy whose name does not resolve, one that refuses connections */
    error = simple_get(L"no-such-proxy.invalid:3128", NULL, host, port, &status);
    ok(error == ERROR_WINHTTP_NAME_NOT_RESOLVED, "unresolvable proxy: %lu\n", error);
    error = simple_get(L"127.0.0.1:1", NULL, host, port, &status);
    ok(error == ERROR_WINHTTP_CANNOT_CONNECT, "closed proxy port: %lu\n", error);

    /* bypassed: the dead proxy is not used */
    error = simple_get(L"no-such-proxy.invalid:3128", L"127.0.0.1", host, port, &status);
    ok(!error && status == 200, "bypass by address: %lu, %lu\n", error, status);
    error = simple_get(L"no-such-proxy.invalid:3128", L"*.example;127.0.0.*", host, port, &status);
    ok(!error && status == 200, "bypass by wildcard: %lu, %lu\n", error, status);
    error = simple_get(L"no-such-proxy.invalid:3128", L"<local>", L"localhost", port, &status);
    ok(!error && status == 200, "<local> bypass: %lu, %lu\n", error, status);
    error = simple_get(L"no-such-proxy.invalid:3128", L"<local>", host, port, &status);
    ok(error == ERROR_WINHTTP_NAME_NOT_RESOLVED, "<local> does not match a dotted address: %lu\n", error);

    /* the list syntax: scheme entries, scheme prefixes */
    swprintf(list, ARRAY_SIZE(list), L"https=no-such-proxy.invalid:1 http=http://%ls", proxy_list);
    error = simple_get(list, NULL, host, port, &status);
    ok(!error && status == 200, "http= entry: %lu, %lu\n", error, status);
    swprintf(list, ARRAY_SIZE(list), L"http=no-such-proxy.invalid:1;https=%ls", proxy_list);
    error = simple_get(list, NULL, host, port, &status);
    ok(error == ERROR_WINHTTP_NAME_NOT_RESOLVED, "the http= entry serves http: %lu\n", error);
}

/* Two requests through the proxy on one session share its connection. */
static void test_keep_alive(void)
{
    struct outcome first, second;
    HINTERNET ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NAMED_PROXY, proxy_list, NULL, 0);

    exchange(KIND_HTTP, ROUTE_PROXY, FALSE, FALSE, ses, &first);
    exchange(KIND_HTTP, ROUTE_PROXY, FALSE, FALSE, ses, &second);
    ok(!first.error && !second.error, "errors %lu %lu\n", first.error, second.error);
    ok(first.local_port && first.local_port == second.local_port, "local ports %lu, %lu\n", first.local_port,
       second.local_port);
    exchange(KIND_HTTPS, ROUTE_PROXY, FALSE, FALSE, ses, &first);
    exchange(KIND_HTTPS, ROUTE_PROXY, FALSE, FALSE, ses, &second);
    ok(!first.error && !second.error, "errors %lu %lu\n", first.error, second.error);
    ok(first.local_port && first.local_port == second.local_port, "tunnel local ports %lu, %lu\n",
       first.local_port, second.local_port);
    WinHttpCloseHandle(ses);
}

/* Through a tunnel the certificate is checked against the origin's name. */
static void test_tunnel_certificate(void)
{
    HINTERNET ses, con, req;
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    INTERNET_PORT port;
    WCHAR host[64];
    BOOL ret;

    if (!ws_parse_server(ws_server_env("WSTEST_TLS_WRONGHOST_SERVER"), host, ARRAY_SIZE(host), &port))
    {
        skip("no WSTEST_TLS_WRONGHOST_SERVER\n");
        return;
    }
    ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NAMED_PROXY, proxy_list, NULL, 0);
    con = WinHttpConnect(ses, host, port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, WINHTTP_FLAG_SECURE);
    WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    SetLastError(0xdeadbeef);
    ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0);
    ok(!ret && GetLastError() == ERROR_WINHTTP_SECURE_FAILURE, "got %d, %lu\n", ret, GetLastError());
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* WINHTTP_OPTION_PROXY on the session and on the request. */
static DWORD status_with_option(HINTERNET ses, const WINHTTP_PROXY_INFO *request_proxy)
{
    HINTERNET con, req;
    INTERNET_PORT port = 0;
    WCHAR host[64];
    DWORD status = 0, size = sizeof(status);

    ws_parse_server(ws_server_env("WSTEST_SERVER"), host, ARRAY_SIZE(host), &port);
    con = WinHttpConnect(ses, host, port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, 0);
    if (request_proxy)
        ok(WinHttpSetOption(req, WINHTTP_OPTION_PROXY, (void *)request_proxy, sizeof(*request_proxy)),
           "request WINHTTP_OPTION_PROXY: %lu\n", GetLastError());
    if (WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(req, NULL))
        WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    else status = GetLastError();
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    return status;
}

static void test_proxy_option(void)
{
    WINHTTP_PROXY_INFO info, got;
    HINTERNET ses;
    DWORD size;
    BOOL ret;

    ses = WinHttpOpen(L"proxytest", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    size = sizeof(got);
    memset(&got, 0xcc, sizeof(got));
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_PROXY, &got, &size);
    ok(ret && got.dwAccessType == WINHTTP_ACCESS_TYPE_NO_PROXY && !got.lpszProxy && !got.lpszProxyBypass,
       "no proxy: %d, %lu\n", ret, got.dwAccessType);

    /* the authenticating proxy set on the session: its 407 shows it is used */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    info.lpszProxy = proxy_auth_list;
    info.lpszProxyBypass = (WCHAR *)L"*.example";
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_PROXY, &info, sizeof(info) - 1);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "short buffer: %d, %lu\n", ret, GetLastError());
    info.dwAccessType = 0xdead;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "bad access type: %d, %lu\n", ret, GetLastError());
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    ret = WinHttpSetOption(ses, WINHTTP_OPTION_PROXY, &info, sizeof(info));
    ok(ret, "WinHttpSetOption: %lu\n", GetLastError());
    size = sizeof(got);
    ret = WinHttpQueryOption(ses, WINHTTP_OPTION_PROXY, &got, &size);
    ok(ret && got.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY, "query: %d, %lu\n", ret, got.dwAccessType);
    ok(ret && got.lpszProxy && !wcscmp(got.lpszProxy, proxy_auth_list), "proxy %s\n", wine_dbgstr_w(got.lpszProxy));
    ok(ret && got.lpszProxyBypass && !wcscmp(got.lpszProxyBypass, L"*.example"), "bypass %s\n",
       wine_dbgstr_w(got.lpszProxyBypass));
    if (ret)
    {
        GlobalFree(got.lpszProxy);
        GlobalFree(got.lpszProxyBypass);
    }
    ok(status_with_option(ses, NULL) == HTTP_STATUS_PROXY_AUTH_REQ, "session option not used\n");

    /* the request's option wins: direct */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    ok(status_with_option(ses, &info) == HTTP_STATUS_OK, "request NO_PROXY not used\n");
    /* ... or through the open proxy */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    info.lpszProxy = proxy_list;
    info.lpszProxyBypass = NULL;
    ok(status_with_option(ses, &info) == HTTP_STATUS_OK, "request proxy not used\n");

    /* back to direct on the session */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    ok(WinHttpSetOption(ses, WINHTTP_OPTION_PROXY, &info, sizeof(info)), "WinHttpSetOption: %lu\n", GetLastError());
    ok(status_with_option(ses, NULL) == HTTP_STATUS_OK, "session NO_PROXY not used\n");
    WinHttpCloseHandle(ses);
}

START_TEST(proxy)
{
    const char *proxy = ws_server_env("WSTEST_PROXY"), *proxy_auth = ws_server_env("WSTEST_PROXY_AUTH");
    enum route route;

    if (!proxy || !proxy_auth || !ws_server_env("WSTEST_SERVER") || !ws_server_env("WSTEST_TLS_SERVER"))
    {
        skip("WSTEST_PROXY, WSTEST_PROXY_AUTH, WSTEST_SERVER or WSTEST_TLS_SERVER not set (tools/with-servers.sh)\n");
        return;
    }
    MultiByteToWideChar(CP_ACP, 0, proxy, -1, proxy_list, ARRAY_SIZE(proxy_list));
    MultiByteToWideChar(CP_ACP, 0, proxy_auth, -1, proxy_auth_list, ARRAY_SIZE(proxy_auth_list));
    if (ws_server_env("WSTEST_PROXY_NTLM") && ws_server_env("WSTEST_PROXY_NEGOTIATE"))
    {
        MultiByteToWideChar(CP_ACP, 0, ws_server_env("WSTEST_PROXY_NTLM"), -1, proxy_ntlm_list,
                            ARRAY_SIZE(proxy_ntlm_list));
        MultiByteToWideChar(CP_ACP, 0, ws_server_env("WSTEST_PROXY_NEGOTIATE"), -1, proxy_negotiate_list,
                            ARRAY_SIZE(proxy_negotiate_list));
        route_available[ROUTE_PROXY_NTLM] = route_available[ROUTE_PROXY_NEGOTIATE] = TRUE;
    }
    else skip("WSTEST_PROXY_NTLM/NEGOTIATE not set (no ntlm_auth): no NTLM or Negotiate proxy\n");
    if (ws_server_env("WSTEST_APACHE_PROXY"))
    {
        MultiByteToWideChar(CP_ACP, 0, ws_server_env("WSTEST_APACHE_PROXY"), -1, apache_proxy_list,
                            ARRAY_SIZE(apache_proxy_list));
        route_available[ROUTE_APACHE] = TRUE;
    }
    else skip("WSTEST_APACHE_PROXY not set: no apache proxy\n");
    if (ws_server_env("WSTEST_PAC_URL"))
    {
        MultiByteToWideChar(CP_ACP, 0, ws_server_env("WSTEST_PAC_URL"), -1, pac_url, ARRAY_SIZE(pac_url));
        route_available[ROUTE_PAC] = TRUE;
    }
    else skip("WSTEST_PAC_URL not set: no PAC-named proxy\n");
    test_refused();
    for (route = ROUTE_PROXY_AUTH; route < ROUTE_PAC; route++)
    {
        if (!route_available[route]) continue;
        test_proxy_auth_by_app(route, FALSE);
        test_proxy_auth_by_app(route, TRUE);
    }
    test_matrix();
    test_routes();
    test_keep_alive();
    test_tunnel_certificate();
    test_proxy_option();
}
