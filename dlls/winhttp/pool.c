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
 * Lock: pool_lock guards idle_connections and every pool_* field of the
 * connections on it; nothing else is taken under it (net_close runs after).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "net.h"

/* Idle connections older than this are closed instead of reused. */
#define POOL_IDLE_LIMIT_MS  (60 * 1000)
/* At most this many idle connections in the process. */
#define POOL_MAX_IDLE       16

static SRWLOCK pool_lock = SRWLOCK_INIT;
static struct netconn *idle_connections;

struct netconn *net_pool_take(struct session *session, const WCHAR *host, INTERNET_PORT port, DWORD secure)
{
    struct netconn *conn, **p, *stale = NULL, *found = NULL;
    ULONGLONG now = GetTickCount64();

    AcquireSRWLockExclusive(&pool_lock);
    p = &idle_connections;
    while ((conn = *p))
    {
        if (now - conn->pool_idle_since > POOL_IDLE_LIMIT_MS)
        {
            *p = conn->pool_next;
            conn->pool_next = stale;
            stale = conn;
            continue;
        }
        if (!found && conn->pool_port == port && conn->pool_secure == secure && !_wcsicmp(conn->pool_host, host))
        {
            *p = conn->pool_next;
            conn->pool_next = NULL;
            if (net_is_alive(conn))
            {
                found = conn;
                continue;
            }
            conn->pool_next = stale;
            stale = conn;
            continue;
        }
        p = &conn->pool_next;
    }
    ReleaseSRWLockExclusive(&pool_lock);

    while ((conn = stale))
    {
        stale = conn->pool_next;
        TRACE("closing stale connection %p\n", conn);
        net_close(conn);
    }
    TRACE("%s:%u%s -> %p\n", debugstr_w(host), port, secure ? " (secure)" : "", found);
    return found;
}

void net_pool_put(struct session *session, struct netconn *conn, const WCHAR *host, INTERNET_PORT port, DWORD secure)
{
    struct netconn *evict = NULL, **p;
    unsigned int count = 0;

    TRACE("%p for %s:%u%s\n", conn, debugstr_w(host), port, secure ? " (secure)" : "");
    heap_free(conn->pool_host);
    if (!(conn->pool_host = strdupW(host)))
    {
        net_close(conn);
        return;
    }
    conn->pool_port = port;
    conn->pool_secure = secure;
    conn->pool_idle_since = GetTickCount64();

    AcquireSRWLockExclusive(&pool_lock);
    conn->pool_next = idle_connections;
    idle_connections = conn;
    for (p = &idle_connections; *p; p = &(*p)->pool_next)
    {
        if (++count > POOL_MAX_IDLE)
        {
            evict = *p;   /* the oldest ones are at the end */
            *p = NULL;
            break;
        }
    }
    ReleaseSRWLockExclusive(&pool_lock);

    while ((conn = evict))
    {
        evict = conn->pool_next;
        net_close(conn);
    }
}

/* A session closed: the pool outlives it (see the top), so this only closes
 * the connections that have been idle too long. */
void net_pool_clear(struct session *session)
{
    struct netconn *conn, **p, *stale = NULL;
    ULONGLONG now = GetTickCount64();

    AcquireSRWLockExclusive(&pool_lock);
    p = &idle_connections;
    while ((conn = *p))
    {
        if (now - conn->pool_idle_since > POOL_IDLE_LIMIT_MS)
        {
            *p = conn->pool_next;
            conn->pool_next = stale;
            stale = conn;
        }
        else p = &conn->pool_next;
    }
    ReleaseSRWLockExclusive(&pool_lock);

    for (; (conn = stale); )
    {
        stale = conn->pool_next;
        net_close(conn);
    }
}
