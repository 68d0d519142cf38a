/*
 * bench_winhttp.exe: the benchmark workloads through the WinHTTP WebSocket
 * API only.  The same binary measures our winhttp.dll (beside the exe,
 * WINEDLLOVERRIDES=winhttp=n) and Wine's builtin (winhttp=b); a NOTE line
 * says which DLL was loaded ("builtin" or "native", and its path).
 *
 *   bench_winhttp.exe [-n NAME] [-t SECONDS] [-w WORKLOAD,...] HOST:PORT
 *
 * wss workloads (--tls) open the request with WINHTTP_FLAG_SECURE and set
 * SECURITY_FLAG_IGNORE_UNKNOWN_CA: the server's certificate comes from a
 * throw-away CA made at bench time that Wine 8 cannot be told to trust (it
 * does not use CurrentUser\Root additions).  The chain is still built and
 * the host name checked, once per connection, before any timing.
 *
 * Blocking workloads use a synchronous session.  The async ones use a
 * WINHTTP_FLAG_ASYNC session: one WinHttpWebSocketReceive is always
 * posted and the next one is posted from its READ_COMPLETE callback; sends
 * are issued one at a time, the next after WRITE_COMPLETE (which our DLL and
 * Windows deliver inline, inside WinHttpWebSocketSend), keeping DEPTH
 * messages in flight.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench.h"
#include <winhttp.h>

#define RECEIVE_BUFFER (1u << 20)

struct wconn
{
    HINTERNET session, connect, request, ws;
    BYTE *buf;
    DWORD buf_len;
    /* asynchronous mode */
    HANDLE event;                 /* a handshake step completed */
    struct bench_pipe pipe;
    DWORD read_len;               /* given to the async Receive, unused */
    WINHTTP_WEB_SOCKET_BUFFER_TYPE read_type;
};

static void fail_async(struct wconn *c, DWORD error)
{
    bench_pipe_fail(&c->pipe, error);
    SetEvent(c->event);
}

static DWORD pipe_send(void *conn, DWORD size)
{
    struct wconn *c = conn;
    return WinHttpWebSocketSend(c->ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)bench_payload, size);
}

static DWORD pipe_receive(void *conn)
{
    struct wconn *c = conn;
    return WinHttpWebSocketReceive(c->ws, c->buf, c->buf_len, &c->read_len, &c->read_type);
}

static const struct bench_pipe_ops pipe_ops = { pipe_send, pipe_receive };

static void on_read_complete(struct wconn *c, const WINHTTP_WEB_SOCKET_STATUS *status)
{
    switch (status->eBufferType)
    {
    case WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE:
    case WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE:
        bench_pipe_received(&c->pipe, PIPE_MESSAGE_END, status->dwBytesTransferred);
        break;
    case WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE:
    case WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE:
        bench_pipe_received(&c->pipe, PIPE_FRAGMENT, status->dwBytesTransferred);
        break;
    default:
        bench_pipe_received(&c->pipe, PIPE_CLOSED, 0);
        break;
    }
}

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct wconn *c = (struct wconn *)context;

    if (!c) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        SetEvent(c->event);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        fail_async(c, ((WINHTTP_ASYNC_RESULT *)info)->dwError);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        if (handle == c->ws) bench_pipe_sent(&c->pipe);
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (handle == c->ws) on_read_complete(c, info);
        break;
    }
}

static BOOL wait_step(struct wconn *c, const char *what)
{
    if (WaitForSingleObject(c->event, 10000))
    {
        bench_note("%s: no completion within 10 s", what);
        return FALSE;
    }
    if (c->pipe.error)
    {
        bench_note("%s failed: %lu", what, c->pipe.error);
        return FALSE;
    }
    return TRUE;
}

static void *w_open(BOOL async)
{
    DWORD status = 0, size = sizeof(status), security_flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    WCHAR host[256], proxy[256];
    struct wconn *c;
    HINTERNET ws;

    if (!(c = calloc(1, sizeof(*c))) || !(c->buf = malloc(RECEIVE_BUFFER))) return NULL;
    c->buf_len = RECEIVE_BUFFER;
    bench_pipe_init(&c->pipe, &pipe_ops, c);
    c->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    MultiByteToWideChar(CP_ACP, 0, bench_host, -1, host, ARRAYSIZE(host));
    MultiByteToWideChar(CP_ACP, 0, bench_proxy, -1, proxy, ARRAYSIZE(proxy));
    if (!(c->session = WinHttpOpen(L"bench_winhttp", proxy[0] ? WINHTTP_ACCESS_TYPE_NAMED_PROXY : WINHTTP_ACCESS_TYPE_NO_PROXY,
                                   proxy[0] ? proxy : WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS,
                                   async ? WINHTTP_FLAG_ASYNC : 0)) ||
        !(c->connect = WinHttpConnect(c->session, host, bench_port, 0)) ||
        !(c->request = WinHttpOpenRequest(c->connect, L"GET", L"/echo", NULL, WINHTTP_NO_REFERER,
                                          WINHTTP_DEFAULT_ACCEPT_TYPES, bench_secure ? WINHTTP_FLAG_SECURE : 0)) ||
        !WinHttpSetOption(c->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0) ||
        (bench_secure && !WinHttpSetOption(c->request, WINHTTP_OPTION_SECURITY_FLAGS, &security_flags,
                                           sizeof(security_flags))))
    {
        bench_note("opening the request failed: %lu", GetLastError());
        return NULL;
    }
    if (async && WinHttpSetStatusCallback(c->request, callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0) ==
                 WINHTTP_INVALID_STATUS_CALLBACK)
    {
        bench_note("WinHttpSetStatusCallback failed: %lu", GetLastError());
        return NULL;
    }
    if (!WinHttpSendRequest(c->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, NULL, 0, 0, (DWORD_PTR)c))
    {
        bench_note("WinHttpSendRequest failed: %lu", GetLastError());
        return NULL;
    }
    if (async && !wait_step(c, "WinHttpSendRequest")) return NULL;
    if (!WinHttpReceiveResponse(c->request, NULL))
    {
        bench_note("WinHttpReceiveResponse failed: %lu", GetLastError());
        return NULL;
    }
    if (async && !wait_step(c, "WinHttpReceiveResponse")) return NULL;
    WinHttpQueryHeaders(c->request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size,
                        NULL);
    if (status != 101)
    {
        bench_note("upgrade refused: status %lu", status);
        return NULL;
    }
    /* c->ws is compared in the callback: set it before any websocket I/O */
    if (!(ws = WinHttpWebSocketCompleteUpgrade(c->request, (DWORD_PTR)c)))
    {
        bench_note("WinHttpWebSocketCompleteUpgrade failed: %lu", GetLastError());
        return NULL;
    }
    c->ws = ws;
    WinHttpCloseHandle(c->request);
    c->request = NULL;
    return c;
}

static DWORD w_send(void *conn, const void *buf, DWORD len)
{
    struct wconn *c = conn;
    return WinHttpWebSocketSend(c->ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)buf, len);
}

static DWORD w_recv(void *conn, DWORD *ret_len)
{
    struct wconn *c = conn;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    DWORD error, n, total = 0;

    for (;;)
    {
        if ((error = WinHttpWebSocketReceive(c->ws, c->buf, c->buf_len, &n, &type))) return error;
        total += n;
        switch (type)
        {
        case WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE:
        case WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE:
            *ret_len = total;
            return 0;
        case WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE:
        case WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE:
            break;
        default:
            return ERROR_GRACEFUL_DISCONNECT;
        }
    }
}

static void w_close(void *conn)
{
    struct wconn *c = conn;

    WinHttpWebSocketClose(c->ws, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
    WinHttpCloseHandle(c->ws);
    WinHttpCloseHandle(c->connect);
    WinHttpCloseHandle(c->session);
    bench_pipe_free(&c->pipe);
    CloseHandle(c->event);
    free(c->buf);
    free(c);
}

static DWORD w_async_pipe(DWORD size, int depth, double seconds, unsigned long long *count, double *elapsed)
{
    struct wconn *c;
    DWORD error;

    if (!(c = w_open(TRUE))) return ERROR_CONNECTION_REFUSED;
    error = bench_pipe_run(&c->pipe, size, depth, 0.05, count, elapsed);
    if (!error) error = bench_pipe_run(&c->pipe, size, depth, seconds, count, elapsed);
    /* Nothing is pending now.  A late HANDLE_CLOSING may still name c, so it
     * is not freed: two of these per process. */
    WinHttpCloseHandle(c->ws);
    WinHttpCloseHandle(c->connect);
    WinHttpCloseHandle(c->session);
    return error;
}

static const struct bench_client winhttp_client = { w_open, w_send, w_recv, w_close, w_async_pipe, FALSE };

int main(int argc, char **argv)
{
    char path[MAX_PATH] = "?";
    HMODULE module = GetModuleHandleA("winhttp.dll");

    bench_name = "winhttp";
    if (module) GetModuleFileNameA(module, path, sizeof(path));
    /* bench_main parses -n; the note goes out after it, with the name */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "-n")) bench_name = argv[i + 1];
    /* Wine's own PE DLLs carry this in their DOS stub; a builtin loaded in
     * place of a native one keeps the native one's path. */
    bench_note("winhttp.dll %s %s", module && !memcmp((const char *)module + 0x40, "Wine builtin DLL", 16)
               ? "builtin" : "native", path);
    return bench_main(argc, argv, &winhttp_client);
}
