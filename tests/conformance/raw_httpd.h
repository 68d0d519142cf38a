/*
 * A loopback HTTP/1.1 server inside the test process that sends answers the
 * test wrote byte for byte (coded bodies, odd chunking, broken streams), keeps
 * connections alive, serves each connection on its own thread, and counts
 * connections: accepted so far, open now, and the most open at once.
 *
 *   static const struct raw_route routes[] = { { "/x", answer, answer_len, FALSE }, { NULL } };
 *   struct raw_httpd srv;
 *   if (!raw_httpd_start(&srv, routes)) ...;
 *   ... srv.port, srv.connections, srv.peak, raw_httpd_last_head(&srv, buf, size) ...
 *   raw_httpd_stop(&srv);
 *
 * A route's answer goes out as it is, after the request head; a route with
 * hold set first waits for srv.release (at most RAW_HTTPD_HOLD ms; srv.held
 * counts the answers waiting, and srv.event is set at each change of held or
 * connections); with srv.hold_at set (after raw_httpd_start), it sends that
 * many bytes of its answer first and waits before the rest.  srv.sent counts
 * the held answers sent after their wait (srv.event is set then too).  A request with an Authorization header is answered by the
 * route for its path followed by "#auth" when there is one.  A missing path
 * gets a 404.  Request
 * bodies are not read: the tests send GETs.  Every wait is bounded: a
 * connection's thread waits at most 5 s for a request head, the server lives
 * at most RAW_HTTPD_LIFETIME ms, and raw_httpd_stop ends every thread.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef RAW_HTTPD_H
#define RAW_HTTPD_H

#include "loopback.h"
#include <stdio.h>
#include <string.h>

#define RAW_HTTPD_LIFETIME 120000
#define RAW_HTTPD_HOLD     10000
#define RAW_HTTPD_MAX_CONN 64

struct raw_route
{
    const char *path;
    const char *answer;
    size_t len;
    BOOL hold;             /* wait for release first */
};

struct raw_httpd
{
    SOCKET listener;
    HANDLE thread;
    int port;
    const struct raw_route *routes;
    HANDLE release;                 /* manual-reset: held answers go out */
    HANDLE event;                   /* auto-reset: held or connections changed */
    volatile LONG stop;
    volatile LONG connections;      /* accepted so far */
    volatile LONG open;             /* open now */
    volatile LONG peak;             /* most open at once */
    volatile LONG requests;         /* request heads received */
    volatile LONG held;             /* answers waiting for release now */
    volatile LONG sent;             /* held answers sent after their release */
    size_t hold_at;                 /* bytes of a held answer sent before the wait */
    CRITICAL_SECTION cs;            /* guards what follows */
    char last_head[4096];
    SOCKET socks[RAW_HTTPD_MAX_CONN];
    HANDLE threads[RAW_HTTPD_MAX_CONN];
    int count;
};

struct raw_conn
{
    struct raw_httpd *srv;
    SOCKET s;
};

static void raw_httpd_answer(struct raw_httpd *srv, SOCKET s, const char *path, BOOL authorized)
{
    static const char missing[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    const struct raw_route *r;
    char auth_path[520];

    snprintf(auth_path, sizeof(auth_path), "%s#auth", path);
    if (authorized)
    {
        for (r = srv->routes; r->path; r++) if (!strcmp(r->path, auth_path)) break;
        if (r->path) path = auth_path;
    }
    for (r = srv->routes; r->path; r++)
    {
        if (strcmp(r->path, path)) continue;
        if (!r->hold)
        {
            send(s, r->answer, (int)r->len, 0);
            return;
        }
        if (srv->hold_at) send(s, r->answer, (int)min(srv->hold_at, r->len), 0);
        InterlockedIncrement(&srv->held);
        SetEvent(srv->event);
        WaitForSingleObject(srv->release, RAW_HTTPD_HOLD);
        InterlockedDecrement(&srv->held);
        send(s, r->answer + min(srv->hold_at, r->len), (int)(r->len - min(srv->hold_at, r->len)), 0);
        InterlockedIncrement(&srv->sent);
        SetEvent(srv->event);
        return;
    }
    send(s, missing, sizeof(missing) - 1, 0);
}

static DWORD WINAPI raw_httpd_conn_thread(void *arg)
{
    struct raw_conn *c = arg;
    struct raw_httpd *srv = c->srv;
    char head[8192], path[512], *end;
    int len = 0, n, used;
    DWORD timeout = 5000;
    LONG now, peak;

    now = InterlockedIncrement(&srv->open);
    while ((peak = srv->peak) < now && InterlockedCompareExchange(&srv->peak, now, peak) != peak) {}
    setsockopt(c->s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));
    while (!srv->stop)
    {
        head[len] = 0;
        if (!(end = strstr(head, "\r\n\r\n")))
        {
            if (len >= (int)sizeof(head) - 1 || (n = recv(c->s, head + len, sizeof(head) - 1 - len, 0)) <= 0) break;
            len += n;
            continue;
        }
        used = (int)(end + 4 - head);
        InterlockedIncrement(&srv->requests);
        EnterCriticalSection(&srv->cs);
        memcpy(srv->last_head, head, min(used, (int)sizeof(srv->last_head) - 1));
        srv->last_head[min(used, (int)sizeof(srv->last_head) - 1)] = 0;
        LeaveCriticalSection(&srv->cs);
        if (sscanf(head, "%*s %511s", path) != 1) break;
        head[used - 2] = 0;   /* the head alone, for the header search */
        raw_httpd_answer(srv, c->s, path, strstr(head, "\r\nAuthorization:") != NULL);
        memmove(head, head + used, len - used);
        len -= used;
    }
    shutdown(c->s, SD_SEND);
    InterlockedDecrement(&srv->open);
    free(c);
    return 0;
}

static DWORD WINAPI raw_httpd_thread(void *arg)
{
    struct raw_httpd *srv = arg;
    ULONGLONG end = GetTickCount64() + RAW_HTTPD_LIFETIME;

    while (!srv->stop && GetTickCount64() < end)
    {
        struct raw_conn *c;
        SOCKET s;

        if ((s = loopback_accept(srv->listener)) == INVALID_SOCKET) continue;
        InterlockedIncrement(&srv->connections);
        SetEvent(srv->event);
        EnterCriticalSection(&srv->cs);
        if (srv->count == RAW_HTTPD_MAX_CONN || !(c = malloc(sizeof(*c))))
        {
            LeaveCriticalSection(&srv->cs);
            closesocket(s);
            continue;
        }
        c->srv = srv;
        c->s = s;
        srv->socks[srv->count] = s;
        if ((srv->threads[srv->count] = CreateThread(NULL, 0, raw_httpd_conn_thread, c, 0, NULL))) srv->count++;
        else
        {
            closesocket(s);
            free(c);
        }
        LeaveCriticalSection(&srv->cs);
    }
    return 0;
}

static BOOL raw_httpd_start(struct raw_httpd *srv, const struct raw_route *routes)
{
    memset(srv, 0, sizeof(*srv));
    srv->routes = routes;
    InitializeCriticalSection(&srv->cs);
    srv->release = CreateEventW(NULL, TRUE, FALSE, NULL);
    srv->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if ((srv->listener = loopback_listen(0, 64, &srv->port)) == INVALID_SOCKET) return FALSE;
    if (!(srv->thread = CreateThread(NULL, 0, raw_httpd_thread, srv, 0, NULL)))
    {
        closesocket(srv->listener);
        return FALSE;
    }
    return TRUE;
}

/* Waits (bounded by ms) until *value reaches at least target; TRUE if it did. */
static inline BOOL raw_httpd_wait(struct raw_httpd *srv, volatile LONG *value, LONG target, DWORD ms)
{
    ULONGLONG end = GetTickCount64() + ms;

    while (*value < target)
    {
        ULONGLONG now = GetTickCount64();
        if (now >= end) return FALSE;
        WaitForSingleObject(srv->event, (DWORD)(end - now));
    }
    return TRUE;
}

/* The head of the last request received, NUL-terminated. */
static inline void raw_httpd_last_head(struct raw_httpd *srv, char *buf, size_t size)
{
    EnterCriticalSection(&srv->cs);
    snprintf(buf, size, "%s", srv->last_head);
    LeaveCriticalSection(&srv->cs);
}

static void raw_httpd_stop(struct raw_httpd *srv)
{
    int i;

    srv->stop = 1;
    SetEvent(srv->release);
    WaitForSingleObject(srv->thread, 10000);
    CloseHandle(srv->thread);
    closesocket(srv->listener);
    /* wake the connection threads out of recv, then collect them */
    for (i = 0; i < srv->count; i++) shutdown(srv->socks[i], SD_BOTH);
    for (i = 0; i < srv->count; i++)
    {
        WaitForSingleObject(srv->threads[i], 10000);
        CloseHandle(srv->threads[i]);
        closesocket(srv->socks[i]);
    }
    CloseHandle(srv->release);
    CloseHandle(srv->event);
    DeleteCriticalSection(&srv->cs);
}

#endif /* RAW_HTTPD_H */
