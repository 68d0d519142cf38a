/*
 * Keep-alive pool: idle connections of a session, keyed by host, port and
 * whether they are secure.  A connection is put back when a response was read
 * to its end and allowed keep-alive; the next request to the same place takes
 * it if it still looks alive.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "net.h"

/* Idle connections older than this are closed instead of reused. */
#define POOL_IDLE_LIMIT_MS  (60 * 1000)
/* At most this many idle connections per session. */
#define POOL_MAX_IDLE       16

/* One idle connection in a session's list (session->pool_lock), newest first. */
struct pool_entry
{
    struct pool_entry *next;
    struct netconn *conn;
    WCHAR *host;
    INTERNET_PORT port;
    BOOL secure;
    ULONGLONG idle_since;
};

static void close_entries(struct pool_entry *entry)
{
    struct pool_entry *next;

    for (; entry; entry = next)
    {
        next = entry->next;
        TRACE("closing idle connection %p\n", entry->conn);
        net_close(entry->conn);
        heap_free(entry->host);
        heap_free(entry);
    }
}

struct netconn *net_pool_take(struct session *session, const WCHAR *host, INTERNET_PORT port, BOOL secure)
{
    struct pool_entry *entry, **p, *stale = NULL, *found = NULL;
    ULONGLONG now = GetTickCount64();
    struct netconn *conn = NULL;

    AcquireSRWLockExclusive(&session->pool_lock);
    p = &session->idle_connections;
    while ((entry = *p))
    {
        BOOL expired = now - entry->idle_since > POOL_IDLE_LIMIT_MS;
        BOOL match = !found && entry->port == port && !entry->secure == !secure && !_wcsicmp(entry->host, host);

        if (!expired && !match)
        {
            p = &entry->next;
            continue;
        }
        *p = entry->next;
        if (!expired && net_is_alive(entry->conn))
        {
            entry->next = NULL;
            found = entry;
            continue;
        }
        entry->next = stale;
        stale = entry;
    }
    ReleaseSRWLockExclusive(&session->pool_lock);

    close_entries(stale);
    if (found)
    {
        conn = found->conn;
        heap_free(found->host);
        heap_free(found);
    }
    TRACE("%s:%u%s -> %p\n", debugstr_w(host), port, secure ? " (secure)" : "", conn);
    return conn;
}

void net_pool_put(struct session *session, struct netconn *conn, const WCHAR *host, INTERNET_PORT port, BOOL secure)
{
    struct pool_entry *entry, *evict = NULL, **p;
    unsigned int count = 0;

    TRACE("%p for %s:%u%s\n", conn, debugstr_w(host), port, secure ? " (secure)" : "");
    if (!(entry = heap_alloc_zero(sizeof(*entry))) || !(entry->host = strdupW(host)))
    {
        heap_free(entry);
        net_close(conn);
        return;
    }
    entry->conn = conn;
    entry->port = port;
    entry->secure = secure;
    entry->idle_since = GetTickCount64();

    AcquireSRWLockExclusive(&session->pool_lock);
    entry->next = session->idle_connections;
    session->idle_connections = entry;
    for (p = &session->idle_connections; *p; p = &(*p)->next)
    {
        if (++count > POOL_MAX_IDLE)
        {
            evict = *p;   /* the oldest ones are at the end */
            *p = NULL;
            break;
        }
    }
    ReleaseSRWLockExclusive(&session->pool_lock);
    close_entries(evict);
}

void net_pool_clear(struct session *session)
{
    struct pool_entry *entries;

    AcquireSRWLockExclusive(&session->pool_lock);
    entries = session->idle_connections;
    session->idle_connections = NULL;
    ReleaseSRWLockExclusive(&session->pool_lock);
    close_entries(entries);
}
