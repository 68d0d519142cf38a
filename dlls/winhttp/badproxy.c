/*
 * The proxies an AUTOMATIC_PROXY session could not reach lately.
 *
 * Such a session fails over from a proxy that cannot be reached to the next
 * of the list (connection.c, next_proxy).  The one that failed is marked
 * bad for BAD_PROXY_MS: the session's later requests try the proxies of a
 * list that are not marked first, and the bad ones only after them, in
 * their order, so that a request still goes out when every proxy has
 * failed lately.  WinHttpResetAutoProxy with WINHTTP_RESET_STATE ("a flush
 * and retry of non-persistent proxy information") forgets them.
 *
 * Threads: requests of the session mark and read the list from any thread,
 * under session->bad_lock; nothing is called while holding it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "proxy_route.h"

/* How long a proxy that could not be reached stays last: Windows does not
 * document it; Chromium's default is five minutes. */
#define BAD_PROXY_MS (5 * 60 * 1000)

struct bad_proxy
{
    struct bad_proxy *next;
    WCHAR *host;
    INTERNET_PORT port;
    ULONGLONG until;
};

/* Drops the entries whose time is up (bad_lock held exclusively). */
static void drop_expired(struct session *session, ULONGLONG now)
{
    struct bad_proxy **p = &session->bad_proxies, *entry;

    while ((entry = *p))
    {
        if (entry->until > now)
        {
            p = &entry->next;
            continue;
        }
        *p = entry->next;
        heap_free(entry->host);
        heap_free(entry);
    }
}

void bad_proxy_mark(struct session *session, const WCHAR *host, INTERNET_PORT port)
{
    ULONGLONG now = GetTickCount64();
    struct bad_proxy *entry;

    TRACE("%p: %s:%u\n", session, debugstr_w(host), port);
    AcquireSRWLockExclusive(&session->bad_lock);
    drop_expired(session, now);
    for (entry = session->bad_proxies; entry; entry = entry->next)
        if (entry->port == port && !wcsicmp(entry->host, host)) break;
    if (!entry && (entry = heap_alloc_zero(sizeof(*entry))))
    {
        if ((entry->host = strdupW(host)))
        {
            entry->port = port;
            entry->next = session->bad_proxies;
            session->bad_proxies = entry;
        }
        else
        {
            heap_free(entry);
            entry = NULL;
        }
    }
    if (entry) entry->until = now + BAD_PROXY_MS;
    ReleaseSRWLockExclusive(&session->bad_lock);
}

static BOOL is_bad(struct session *session, const struct proxy_route *route, ULONGLONG now)
{
    struct bad_proxy *entry;
    BOOL ret = FALSE;

    AcquireSRWLockShared(&session->bad_lock);
    for (entry = session->bad_proxies; entry && !ret; entry = entry->next)
        ret = entry->until > now && entry->port == route->port && !wcsicmp(entry->host, route->host);
    ReleaseSRWLockShared(&session->bad_lock);
    return ret;
}

/* Appends "host:port;" ("[host]:port;" for an IPv6 literal). */
static WCHAR *append_route(WCHAR *p, const struct proxy_route *route)
{
    return p + swprintf(p, wcslen(route->host) + 16, wcschr(route->host, ':') ? L"[%ls]:%u;" : L"%ls:%u;",
                        route->host, route->port);
}

WCHAR *bad_proxy_reorder(struct session *session, const WCHAR *list)
{
    ULONGLONG now = GetTickCount64();
    struct proxy_route route;
    const WCHAR *entry;
    WCHAR *ret, *p;
    BOOL any_bad = FALSE;
    int pass;

    /* each entry grows by at most "[]" and a port */
    if (!(ret = p = heap_alloc((wcslen(list) * 4 + 16) * sizeof(WCHAR)))) return NULL;
    *p = 0;
    for (pass = 0; pass < 2; pass++)
    {
        for (entry = list; entry; entry = proxy_list_next(entry))
        {
            if (!proxy_list_first(entry, &route)) continue;
            if (is_bad(session, &route, now) == pass)
            {
                if (pass) any_bad = TRUE;
                p = append_route(p, &route);
            }
            heap_free(route.host);
        }
    }
    if (p > ret) p[-1] = 0;
    if (any_bad) TRACE("%s -> %s\n", debugstr_w(list), debugstr_w(ret));
    return ret;
}

void bad_proxy_clear(struct session *session)
{
    AcquireSRWLockExclusive(&session->bad_lock);
    drop_expired(session, ~(ULONGLONG)0);
    ReleaseSRWLockExclusive(&session->bad_lock);
}
