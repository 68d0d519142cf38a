/*
 * A loopback HTTP/1.1 server inside the test process, for tests that need a
 * few fixed documents (PAC files): every connection carries one request and
 * is closed after the answer.
 *
 *   static const struct stub_doc docs[] = { { "/proxy.pac", 200, script }, { NULL } };
 *   struct stub_httpd srv;
 *   if (!stub_httpd_start(&srv, docs, 0)) ...;      (port 0: any free port)
 *   ... srv.port, srv.requests ...
 *   stub_httpd_stop(&srv);
 *
 * A path missing from the table gets a 404.  The server thread lives at most
 * STUB_HTTPD_LIFETIME ms, waits at most 5 s for a request head, and stops
 * when stub_httpd_stop closes its socket.
 *
 * The document at srv.held, if set (a slow server), is answered only once the
 * test sets srv.release (at most STUB_HTTPD_HOLD ms later); srv.holding is
 * set when a request for it has come in.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef STUB_HTTPD_H
#define STUB_HTTPD_H

#include "loopback.h"
#include <stdio.h>
#include <string.h>

#define STUB_HTTPD_LIFETIME 120000
#define STUB_HTTPD_HOLD     10000

struct stub_doc
{
    const char *path;
    int status;
    const char *body;
};

struct stub_httpd
{
    SOCKET listener;
    HANDLE thread;
    int port;
    volatile LONG requests;        /* requests answered so far */
    volatile LONG stop;
    const struct stub_doc *docs;
    const char *held;              /* the path of a held document, or NULL */
    HANDLE holding, release;       /* auto-reset events for it */
};

static void stub_httpd_serve(struct stub_httpd *srv, SOCKET s)
{
    char head[4096], path[512], *reply;
    const struct stub_doc *doc;
    const char *body = "not found\n";
    int len = 0, n, status = 404, reply_len;
    DWORD timeout = 5000;

    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));
    while (len < (int)sizeof(head) - 1)
    {
        if ((n = recv(s, head + len, sizeof(head) - 1 - len, 0)) <= 0) return;
        len += n;
        head[len] = 0;
        if (strstr(head, "\r\n\r\n")) break;
    }
    if (sscanf(head, "%*s %511s", path) != 1) return;
    for (doc = srv->docs; doc->path; doc++)
    {
        if (strcmp(doc->path, path)) continue;
        status = doc->status;
        body = doc->body;
        if (srv->held && !strcmp(srv->held, path))
        {
            SetEvent(srv->holding);
            WaitForSingleObject(srv->release, STUB_HTTPD_HOLD);
        }
        break;
    }
    reply_len = strlen(body) + 200;
    if (!(reply = malloc(reply_len))) return;
    n = snprintf(reply, reply_len, "HTTP/1.1 %d Stub\r\nContent-Type: application/x-ns-proxy-autoconfig\r\n"
                 "Content-Length: %u\r\nConnection: close\r\n\r\n%s", status, (unsigned)strlen(body), body);
    InterlockedIncrement(&srv->requests);
    send(s, reply, n, 0);
    free(reply);
}

static DWORD WINAPI stub_httpd_thread(void *arg)
{
    struct stub_httpd *srv = arg;
    ULONGLONG end = GetTickCount64() + STUB_HTTPD_LIFETIME;

    while (!srv->stop && GetTickCount64() < end)
    {
        SOCKET s;

        if ((s = loopback_accept(srv->listener)) == INVALID_SOCKET) continue;
        stub_httpd_serve(srv, s);
        shutdown(s, SD_SEND);
        closesocket(s);
    }
    return 0;
}

static BOOL stub_httpd_start(struct stub_httpd *srv, const struct stub_doc *docs, int port)
{
    memset(srv, 0, sizeof(*srv));
    srv->docs = docs;
    srv->holding = CreateEventW(NULL, FALSE, FALSE, NULL);
    srv->release = CreateEventW(NULL, FALSE, FALSE, NULL);
    if ((srv->listener = loopback_listen(port, 16, &srv->port)) == INVALID_SOCKET) return FALSE;
    if (!(srv->thread = CreateThread(NULL, 0, stub_httpd_thread, srv, 0, NULL)))
    {
        closesocket(srv->listener);
        return FALSE;
    }
    return TRUE;
}

static void stub_httpd_stop(struct stub_httpd *srv)
{
    srv->stop = 1;
    WaitForSingleObject(srv->thread, 10000);
    CloseHandle(srv->thread);
    closesocket(srv->listener);
    CloseHandle(srv->holding);
    CloseHandle(srv->release);
}

#endif /* STUB_HTTPD_H */
