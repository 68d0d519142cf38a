/*
 * WinHttpCloseHandle from another thread while a synchronous call waits on
 * the network: the call returns at once, failing with
 * ERROR_WINHTTP_OPERATION_CANCELLED, whatever it waits in -- the TCP
 * connect (a listener whose accept queue is full drops the SYN), the TLS
 * handshake (a server that reads the ClientHello and says nothing), the
 * send (a server that never reads a large request body), the response (a
 * server that reads the request and never answers) or the body (a server
 * that sends part of it and then nothing).  None of these waits
 * would end by itself before the default timeouts (60 s connect, 30 s send
 * and receive); the name lookup has its own test (lookup.c, which needs a
 * DNS server that never answers).
 *
 * The servers run in this process, on 127.0.0.1; every wait is bounded.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "loopback.h"
#include <winhttp.h>
#include <stdlib.h>

#include "wine/test.h"
#include "sync_call.h"

#define BIG_BODY (32 * 1024 * 1024)

enum mute
{
    MUTE_HOLD,      /* accepts nothing: its accept queue is full */
    MUTE_SILENT,    /* reads everything, answers nothing */
    MUTE_DEAF,      /* accepts and never reads */
    MUTE_PART,      /* answers the request with a head and part of the body, then nothing */
};

/* A server that never answers (in full), on its own thread (all but MUTE_HOLD). */
struct mute_server
{
    enum mute mode;
    SOCKET listener;
    SOCKET filler;          /* MUTE_HOLD: the connection that fills the queue */
    int port;
    HANDLE thread;
    HANDLE contacted;       /* a client connected (DEAF) or its first bytes came (SILENT) */
    HANDLE stop;
};

static DWORD WINAPI mute_thread(void *arg)
{
    struct mute_server *srv = arg;
    SOCKET s = INVALID_SOCKET;
    DWORD start = GetTickCount();
    char buf[16384];
    int i;

    for (i = 0; i < 300 && s == INVALID_SOCKET && WaitForSingleObject(srv->stop, 0); i++)
        s = loopback_accept(srv->listener);
    if (s == INVALID_SOCKET) return 0;
    if (srv->mode == MUTE_DEAF) SetEvent(srv->contacted);
    else
    {
        /* read until the peer goes (or 30 s), never answering */
        while (GetTickCount() - start < 30000 && WaitForSingleObject(srv->stop, 0))
        {
            struct timeval tv = { 0, 100000 };
            fd_set set;
            int got;

            FD_ZERO(&set);
            FD_SET(s, &set);
            if (select(0, &set, NULL, NULL, &tv) <= 0) continue;
            if ((got = recv(s, buf, sizeof(buf), 0)) <= 0) break;
            if (srv->mode == MUTE_PART && WaitForSingleObject(srv->contacted, 0))
            {
                static const char part[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nthe first bytes";
                send(s, part, sizeof(part) - 1, 0);
            }
            SetEvent(srv->contacted);
        }
    }
    WaitForSingleObject(srv->stop, 30000);
    closesocket(s);
    return 0;
}

static BOOL mute_start(struct mute_server *srv, enum mute mode)
{
    struct sockaddr_in addr;
    int rcvbuf = 4096;

    memset(srv, 0, sizeof(*srv));
    srv->mode = mode;
    srv->filler = INVALID_SOCKET;
    /* a queue of one, taken by the filler: the kernel drops the next SYN */
    if ((srv->listener = loopback_listen(0, mode == MUTE_HOLD ? 0 : 1, &srv->port)) == INVALID_SOCKET) return FALSE;
    srv->contacted = CreateEventW(NULL, TRUE, FALSE, NULL);
    srv->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (mode == MUTE_HOLD)
    {
        memset(&addr, 0, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(srv->port);
        srv->filler = socket(AF_INET, SOCK_STREAM, 0);
        return !connect(srv->filler, (struct sockaddr *)&addr, sizeof(addr));
    }
    /* a small window, so that a large body stops moving soon */
    if (mode == MUTE_DEAF) setsockopt(srv->listener, SOL_SOCKET, SO_RCVBUF, (char *)&rcvbuf, sizeof(rcvbuf));
    srv->thread = CreateThread(NULL, 0, mute_thread, srv, 0, NULL);
    return srv->thread != NULL;
}

static void mute_stop(struct mute_server *srv)
{
    SetEvent(srv->stop);
    if (srv->thread)
    {
        ok(!WaitForSingleObject(srv->thread, 10000), "the server thread did not end\n");
        CloseHandle(srv->thread);
    }
    if (srv->filler != INVALID_SOCKET) closesocket(srv->filler);
    closesocket(srv->listener);
    CloseHandle(srv->contacted);
    CloseHandle(srv->stop);
}

/* Sends to a server of the given mode, waits until the call is where the
 * phase says (the server was contacted; for the connect, CONNECTING_TO_SERVER
 * came), checks that it still waits 200 ms later, closes the request, and
 * expects the call to fail with ERROR_WINHTTP_OPERATION_CANCELLED within a
 * second. */
static void test_close_during(const char *phase, enum mute mode, BOOL secure, BOOL big_body, BOOL read)
{
    DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_CN_INVALID
                  | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID;
    struct mute_server srv;
    struct sync_call call;
    HINTERNET ses, con, req;
    HANDLE thread;
    char *body = NULL;

    winetest_push_context("%s", phase);
    if (!mute_start(&srv, mode))
    {
        ok(0, "the server did not start: %d\n", WSAGetLastError());
        mute_stop(&srv);
        winetest_pop_context();
        return;
    }
    ses = WinHttpOpen(L"sync_close", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    WinHttpSetStatusCallback(ses, sync_call_callback, WINHTTP_CALLBACK_FLAG_CONNECT_TO_SERVER, 0);
    con = WinHttpConnect(ses, L"127.0.0.1", srv.port, 0);
    ok(con != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    req = WinHttpOpenRequest(con, big_body ? L"POST" : L"GET", L"/", NULL, NULL, NULL, secure ? WINHTTP_FLAG_SECURE : 0);
    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    if (secure) WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
    sync_call_init(&call, req, WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER);
    call.read = read;
    if (big_body && (body = calloc(1, BIG_BODY)))
    {
        call.body = body;
        call.body_len = BIG_BODY;
    }
    thread = sync_call_start(&call);
    ok(!WaitForSingleObject(mode == MUTE_HOLD ? call.reached : srv.contacted, 5000), "the call did not get there\n");
    /* nothing answers: the call still waits */
    ok(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT, "the call ended before the close: %d, %lu\n", call.ret,
       call.error);
    sync_call_close(&call, thread);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
    mute_stop(&srv);
    free(body);
    winetest_pop_context();
}

START_TEST(sync_close)
{
    test_close_during("connect", MUTE_HOLD, FALSE, FALSE, FALSE);
    test_close_during("TLS handshake", MUTE_SILENT, TRUE, FALSE, FALSE);
    test_close_during("send", MUTE_DEAF, FALSE, TRUE, FALSE);
    test_close_during("response", MUTE_SILENT, FALSE, FALSE, FALSE);
    test_close_during("body", MUTE_PART, FALSE, FALSE, TRUE);
}
