/*
 * Keep-alive pool: idle connections of the process, keyed by host, port and
 * whether they are secure.  A connection is put back when a response was read
 * to its end (or was wholly buffered when its request handle closed) and
 * allowed keep-alive; the next request to the same place takes it if it
 * still looks alive, from any session: Windows reuses a kept-alive
 * connection across the request handles of a connection and across sessions,
 * even after the session that opened it was closed (Wine's
 * notification.c, test_connection_cache; docs/DECISIONS.md).
 *
 * secure is 0 for plain connections; for TLS ones it also carries which
 * certificate checks were ignored when the connection was validated, so that
 * a request with stricter SECURITY_FLAGS never inherits a connection it
 * would have refused (request.c, pool_key).
 *
 * A connection that an NTLM/Negotiate handshake authenticated is the
 * session's alone (owner): the server takes every request on it as that
 * user, so no other session may send on it; it goes when its session does
 * (net_pool_clear, before the session's memory can be reused).  A session
 * that set WINHTTP_OPTION_DISABLE_GLOBAL_POOLING owns every connection it
 * gives back and takes none of the shared ones.
 *
 * Lock: pool_lock guards idle_connections and the entries on it; nothing
 * else is taken under it (net_close runs after).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "net.h"

/* Idle connections older than this are closed instead of reused. */
#define POOL_IDLE_LIMIT_MS  (60 * 1000)
/* At most this many idle connections in the process. */
#define POOL_MAX_IDLE       16

/* One idle connection in the list (pool_lock), newest first. */
struct pool_entry
{
    struct pool_entry *next;
    struct netconn *conn;
    WCHAR *host;
    INTERNET_PORT port;
    DWORD secure;
    struct session *owner;       /* the only session that may take it, or NULL */
    ULONGLONG idle_since;
};

static SRWLOCK pool_lock = SRWLOCK_INIT;
static struct pool_entry *idle_connections;

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

struct netconn *net_pool_take(struct session *session, const WCHAR *host, INTERNET_PORT port, DWORD secure,
                              BOOL *private)
{
    struct pool_entry *entry, **p, *stale = NULL, *found = NULL;
    ULONGLONG now = GetTickCount64();
    struct netconn *conn = NULL;
    int pass;

    AcquireSRWLockExclusive(&pool_lock);
    /* the session's own (authenticated) connection first, then a shared one
     * unless the session keeps out of the process's pool */
    for (pass = 0; pass < (session->opts.disable_global_pooling ? 1 : 2) && !found; pass++)
    {
        p = &idle_connections;
        while ((entry = *p))
        {
            BOOL expired = now - entry->idle_since > POOL_IDLE_LIMIT_MS;
            BOOL match = !found && entry->port == port && entry->secure == secure && !_wcsicmp(entry->host, host) &&
                         entry->owner == (pass ? NULL : session);

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
    }
    ReleaseSRWLockExclusive(&pool_lock);

    close_entries(stale);
    *private = found && found->owner;
    if (found)
    {
        conn = found->conn;
        heap_free(found->host);
        heap_free(found);
    }
    TRACE("%s:%u%s -> %p%s\n", debugstr_w(host), port, secure ? " (secure)" : "", conn,
          *private ? ", the session's alone" : "");
    return conn;
}

void net_pool_put(struct session *session, struct netconn *conn, const WCHAR *host, INTERNET_PORT port, DWORD secure,
                  BOOL private)
{
    struct pool_entry *entry, *evict = NULL, **p;
    unsigned int count = 0;

    TRACE("%p for %s:%u%s%s\n", conn, debugstr_w(host), port, secure ? " (secure)" : "",
          private ? ", the session's alone" : "");
    if (!(entry = heap_alloc_zero(sizeof(*entry))) || !(entry->host = strdupW(host)))
    {
        heap_free(entry);
        net_close(conn);
        return;
    }
    entry->conn = conn;
    entry->port = port;
    entry->secure = secure;
    entry->owner = private || session->opts.disable_global_pooling ? session : NULL;
    entry->idle_since = GetTickCount64();

    AcquireSRWLockExclusive(&pool_lock);
    entry->next = idle_connections;
    idle_connections = entry;
    for (p = &idle_connections; *p; p = &(*p)->next)
    {
        if (++count > POOL_MAX_IDLE)
        {
            evict = *p;   /* the oldest ones are at the end */
            *p = NULL;
            break;
        }
    }
    ReleaseSRWLockExclusive(&pool_lock);
    close_entries(evict);
}

/* A session closed: the pool outlives it (see the top), so this only closes
 * the connections that have been idle too long. */
void net_pool_clear(struct session *session)
{
    struct pool_entry *entry, **p, *stale = NULL;
    ULONGLONG now = GetTickCount64();

    AcquireSRWLockExclusive(&pool_lock);
    p = &idle_connections;
    while ((entry = *p))
    {
        if (now - entry->idle_since > POOL_IDLE_LIMIT_MS || entry->owner == session)
        {
            *p = entry->next;
            entry->next = stale;
            stale = entry;
        }
        else p = &entry->next;
    }
    ReleaseSRWLockExclusive(&pool_lock);
    close_entries(stale);
}
