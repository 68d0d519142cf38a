/*
 * A request's connection: set-up (a pooled connection, or resolve, connect
 * and the TLS handshake; a proxy's CONNECT tunnel will be one more step
 * before TLS), the overlapped I/O a task parks on, and giving the
 * connection back to the keep-alive pool (pool.c).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"

static void send_address_callback(struct request *req, DWORD status, const struct net_address *addr)
{
    WCHAR ip[INET6_ADDRSTRLEN + 8];

    if (GetNameInfoW((const SOCKADDR *)&addr->addr, addr->len, ip, ARRAY_SIZE(ip), NULL, 0, NI_NUMERICHOST))
        ip[0] = 0;
    send_callback(&req->hdr, status, ip, (DWORD)((wcslen(ip) + 1) * sizeof(WCHAR)));
}


static void set_conn(struct request *req, struct netconn *conn)
{
    EnterCriticalSection(&req->cs);
    req->conn = conn;
    LeaveCriticalSection(&req->cs);
}

/* Closes the connection but keeps the slot (the next address is tried). */
static void close_conn(struct request *req)
{
    struct netconn *conn;

    EnterCriticalSection(&req->cs);
    conn = req->conn;
    req->conn = NULL;
    LeaveCriticalSection(&req->cs);
    if (conn) net_close(conn);
    req->in.pos = req->in.len = 0;
}

void connection_drop(struct request *req)
{
    close_conn(req);
    conn_slot_release(&req->slot);
}

DWORD check_cancelled(struct request *req, DWORD error)
{
    if (error && error != ERROR_IO_PENDING && req->hdr.closing) return ERROR_WINHTTP_OPERATION_CANCELLED;
    return error;
}

static void io_store(struct request *req, DWORD error, size_t bytes);

/* The name lookup in flight, taken (cs): whoever takes it ends it. */
static struct net_lookup *lookup_take(struct request *req)
{
    struct net_lookup *lookup;

    EnterCriticalSection(&req->cs);
    lookup = req->setup.lookup;
    req->setup.lookup = NULL;
    LeaveCriticalSection(&req->cs);
    return lookup;
}

/* Gives up the lookup in flight (the handle closes, the resolve timeout
 * expired): unless its result is already on its way, the task resumes now
 * and the late result is dropped (net_lookup_end). */
static void lookup_give_up(struct request *req, BOOL timed_out)
{
    struct net_lookup *lookup = lookup_take(req);

    if (!lookup || !net_lookup_end(lookup)) return;
    TRACE("%p: lookup given up (%s)\n", req, timed_out ? "timeout" : "closing");
    EnterCriticalSection(&req->cs);
    if (timed_out) req->io.timed_out = TRUE;
    LeaveCriticalSection(&req->cs);
    io_store(req, ERROR_WINHTTP_OPERATION_CANCELLED, 0);
    task_wake(&req->queue);
}

void connection_cancel_setup(struct request *req)
{
    EnterCriticalSection(&req->cs);
    if (req->close_event) SetEvent(req->close_event);
    LeaveCriticalSection(&req->cs);
    lookup_give_up(req, FALSE);
}

/* The event a synchronous call waits for beside the network, set once the
 * handle is closed; NULL when none can be made (only the operation's own
 * bound ends the wait then).  hdr.closing is set before
 * connection_cancel_setup looks for the event: either it finds it, or the
 * check here sees the handle closed. */
static HANDLE sync_close_event(struct request *req)
{
    HANDLE event;

    EnterCriticalSection(&req->cs);
    if (!req->close_event) req->close_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    event = req->close_event;
    LeaveCriticalSection(&req->cs);
    if (event && req->hdr.closing) SetEvent(event);
    return event;
}

/* A timeout expired: cancel the operation in flight, if it still is. */
static void io_timed_out(struct deadline *deadline)
{
    struct request *req = CONTAINING_RECORD(deadline, struct request, io.deadline);
    BOOL lookup;

    EnterCriticalSection(&req->cs);
    lookup = req->io.active && req->setup.lookup;
    if (req->io.active && req->conn)
    {
        TRACE("%p: timed out\n", req);
        req->io.timed_out = TRUE;
        net_cancel(req->conn);
    }
    LeaveCriticalSection(&req->cs);
    if (lookup) lookup_give_up(req, TRUE);
}

/* I/O is about to start on the connection: from here WinHttpCloseHandle
 * cancels it (request_handle_closing).  None starts once the handle is
 * closing: the close leaves an idle request's connection alone, for
 * request_unreferenced to keep or close, so an operation still running
 * then (its callback closed the handle) must not wait on it. */
static DWORD io_enter(struct request *req)
{
    DWORD error = ERROR_SUCCESS;

    EnterCriticalSection(&req->cs);
    if (req->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    else req->io.active = TRUE;
    req->io.timed_out = FALSE;
    LeaveCriticalSection(&req->cs);
    return error;
}

/* An asynchronous operation is about to start: io_enter, and its timeout
 * armed (ms, <= 0 for none). */
static DWORD io_begin(struct request *req, int timeout)
{
    DWORD error;

    /* No earlier deadline may fire into this operation. */
    deadline_disarm(&req->io.deadline);
    if ((error = io_enter(req))) return error;
    if (timeout > 0) deadline_arm(&req->io.deadline, timeout, io_timed_out);
    return ERROR_SUCCESS;
}


static void io_end(struct request *req)
{
    EnterCriticalSection(&req->cs);
    req->io.active = FALSE;
    LeaveCriticalSection(&req->cs);
}

/* An operation ended: its result waits for the task. */
static void io_store(struct request *req, DWORD error, size_t bytes)
{
    io_end(req);
    req->io.error = error;
    req->io.bytes = bytes;
    req->io.ready = TRUE;
}

/* Completion of every overlapped operation of a request: keep the result for
 * the task and resume it, on this thread (the engine worker that took the
 * completion). */
static void io_complete(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct request *req = context;

    io_store(req, error, bytes);
    task_io_done(&req->queue);
}

/* The end of an asynchronous lookup, on a resolver thread: the task
 * resumes on an engine worker. */
static void resolved(void *context, DWORD error)
{
    struct request *req = context;

    io_store(req, error, 0);
    task_wake(&req->queue);
}

/* A receive met the server's renegotiation (tls.c): the program is asked
 * for a certificate, unless it chose one (or none) already; renegotiating
 * on an established connection is not done. */
static DWORD renegotiation_result(struct request *req, DWORD error)
{
    if (error != ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED || !req->client_cert_chosen) return error;
    FIXME("renegotiation is not supported\n");
    return ERROR_WINHTTP_SECURE_FAILURE;
}

/* Takes the result io_complete left.  A timed-out or cancelled operation
 * may also end as an EOF (the socket was shut down): that is no answer. */
static DWORD io_result(struct request *req, size_t *bytes)
{
    req->io.ready = FALSE;
    if (bytes) *bytes = req->io.error ? 0 : req->io.bytes;
    if (req->io.timed_out) return ERROR_WINHTTP_TIMEOUT;
    if (req->hdr.closing) return ERROR_WINHTTP_OPERATION_CANCELLED;
    return renegotiation_result(req, req->io.error);
}

/* What starting an operation came to: ERROR_IO_PENDING (the task parks), an
 * error (nothing started), or the result of one that already completed on
 * this thread. */
static DWORD io_wait(struct request *req, DWORD started, size_t *bytes)
{
    if (started == ERROR_IO_PENDING) return ERROR_IO_PENDING;
    io_end(req);
    if (started) return started;
    task_io_inline(&req->queue);
    return io_result(req, bytes);
}

/* One transfer of connection_io or connection_send_fill. */
struct io_op
{
    BOOL is_send;
    void *buf;
    size_t len;
    net_fill_fn fill;          /* a send that fill writes (len bytes), buf unused */
    void *fill_ctx;
};

static DWORD io_op_sync(struct request *req, const struct io_op *op, size_t *bytes)
{
    DWORD error;

    if (op->fill)
    {
        if (!(error = net_send_fill(req->conn, op->len, op->fill, op->fill_ctx))) *bytes = op->len;
        return error;
    }
    if (op->is_send)
    {
        if (!(error = net_send(req->conn, op->buf, op->len))) *bytes = op->len;
        return error;
    }
    error = renegotiation_result(req, net_recv(req->conn, op->buf, op->len, bytes));
    /* the close shut the socket down: the end of the stream that follows is ours, not the peer's */
    if (!error && !*bytes && req->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    return error;
}

static DWORD io_op_start(struct request *req, const struct io_op *op)
{
    if (op->fill) return net_send_fill_async(req->conn, op->len, op->fill, op->fill_ctx, io_complete, req);
    if (op->is_send) return net_send_async(req->conn, op->buf, op->len, io_complete, req);
    return net_recv_async(req->conn, op->buf, op->len, io_complete, req);
}

/* Runs op on the calling thread (synchronous handles) or starts it and
 * parks the task; a resumed task finds the result here. */
static DWORD connection_op(struct request *req, const struct io_op *op, size_t *bytes)
{
    DWORD error;

    *bytes = 0;
    if (req->io.ready) return io_result(req, bytes);
    if (!req->conn) return ERROR_WINHTTP_CONNECTION_ERROR;
    if (!object_is_async(&req->hdr))
    {
        if ((error = io_enter(req))) return error;
        error = io_op_sync(req, op, bytes);
        io_end(req);
        return check_cancelled(req, error);
    }
    if ((error = io_begin(req, op->is_send ? req->timeouts.send : req->timeouts.receive))) return error;
    return io_wait(req, io_op_start(req, op), bytes);
}

DWORD connection_io(struct request *req, BOOL is_send, void *buf, size_t len, size_t *bytes)
{
    struct io_op op = { is_send, buf, len, NULL, NULL };
    return connection_op(req, &op, bytes);
}

DWORD connection_send_fill(struct request *req, size_t total, net_fill_fn fill, void *fill_ctx, size_t *bytes)
{
    struct io_op op = { TRUE, NULL, total, fill, fill_ctx };
    return connection_op(req, &op, bytes);
}


/* Starts the asynchronous lookup; ERROR_IO_PENDING parks the task until
 * resolved(), the resolve timeout or WinHttpCloseHandle (lookup_give_up)
 * resumes it.  The deadline is armed, and closing checked, once the lookup
 * is where they find it. */
static DWORD resolve_async(struct request *req, const WCHAR *name, INTERNET_PORT port)
{
    struct net_lookup *lookup;
    DWORD error;

    if ((error = io_begin(req, 0))) return error;
    if ((error = net_resolve_async(name, port, &req->setup.addr, resolved, req, &lookup)) != ERROR_IO_PENDING)
    {
        io_end(req);  /* done at once, with no completion */
        return error;
    }
    EnterCriticalSection(&req->cs);
    req->setup.lookup = lookup;
    LeaveCriticalSection(&req->cs);
    if (req->timeouts.resolve > 0) deadline_arm(&req->io.deadline, req->timeouts.resolve, io_timed_out);
    if (req->hdr.closing) lookup_give_up(req, FALSE);
    return ERROR_IO_PENDING;
}

/* The server's (or the proxy's) addresses.  Asynchronous handles look the
 * name up without blocking a worker (net_resolve_async); synchronous ones
 * wait for the same lookup on the calling thread (net_resolve).  A lookup
 * cannot always be cancelled (Wine 8), but the request need not wait for
 * it: a closed handle or the resolve timeout ends it at once, sync or async,
 * and the resolver's late answer is dropped. */
static DWORD resolve_server(struct request *req)
{
    const WCHAR *name = req->proxy_host ? req->proxy_host : req->server;
    INTERNET_PORT port = req->proxy_host ? req->proxy_port : req->port;
    struct net_lookup *lookup;
    DWORD error;

    if (req->io.ready)
    {
        /* resumed: resolved() or lookup_give_up left the result */
        if ((lookup = lookup_take(req))) net_lookup_end(lookup);
        error = io_result(req, NULL);
    }
    else
    {
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, (void *)name,
                      (DWORD)((wcslen(name) + 1) * sizeof(WCHAR)));
        if (!object_is_async(&req->hdr))
            error = net_resolve(name, port, req->timeouts.resolve, sync_close_event(req), &req->setup.addr);
        else if ((error = resolve_async(req, name, port)) == ERROR_IO_PENDING) return error;
    }
    if (error) return error;
    /* WINHTTP_OPTION_CONNECT_RETRIES: one attempt per address, at most that
     * many addresses (the first ones) */
    if (req->opts.connect_retries && req->setup.addr.count > (int)req->opts.connect_retries)
    {
        TRACE("%p: trying %lu of %d addresses\n", req, req->opts.connect_retries, req->setup.addr.count);
        req->setup.addr.count = req->opts.connect_retries;
    }
    send_address_callback(req, WINHTTP_CALLBACK_STATUS_NAME_RESOLVED, &req->setup.addr);
    send_address_callback(req, WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER, &req->setup.addr);
    req->setup.addr_index = 0;
    return ERROR_SUCCESS;
}

/* The TCP connection: each address in turn (asynchronous: one per run). */
static DWORD connect_server(struct request *req)
{
    struct netconn *conn;
    DWORD error;

    if (!object_is_async(&req->hdr))
    {
        if ((error = net_connect(&req->setup.addr, req->timeouts.connect, sync_close_event(req), &conn)))
            return error;
        set_conn(req, conn);
        net_set_timeouts(conn, req->timeouts.send, req->timeouts.receive);
        return ERROR_SUCCESS;
    }
    for (;;)
    {
        /* io_result reports a handle closed meanwhile as cancelled */
        if (req->io.ready) error = io_result(req, NULL);
        else
        {
            if ((error = io_begin(req, req->timeouts.connect))) return error;
            conn = NULL;
            error = net_connect_async(&req->setup.addr.all[req->setup.addr_index],
                                      req->setup.addr.all_len[req->setup.addr_index], &conn, io_complete, req);
            if (conn) set_conn(req, conn);  /* before the task parks: net_cancel must reach it */
            if ((error = io_wait(req, error, NULL)) == ERROR_IO_PENDING) return error;
            if (error && !conn) return error;  /* nothing started */
        }
        if (!error) return ERROR_SUCCESS;
        close_conn(req);
        if (req->hdr.closing || ++req->setup.addr_index >= req->setup.addr.count) return error;
        TRACE("%p: trying the next address\n", req);
    }
}

/* The certificate WINHTTP_OPTION_SERVER_CERT_CONTEXT answers with: conn's,
 * the one whose check failed when rejected (SECURITY_FLAGS then not SECURE). */
static void set_server_cert(struct request *req, struct netconn *conn, BOOL rejected)
{
    if (req->setup.server_cert) CertFreeCertificateContext(req->setup.server_cert);
    req->setup.server_cert = net_server_certificate(conn);
    req->setup.cert_rejected = rejected;
}

static DWORD secure_connection(struct request *req)
{
    struct net_tls_params params = { req->opts.secure_protocols, req->client_cert, req->client_cert_chosen };
    DWORD error;

    if (!object_is_async(&req->hdr))
    {
        if (!(error = io_enter(req)))
        {
            error = net_secure(req->conn, req->server, &params, req->security_flags, &req->setup.cert_flags);
            io_end(req);
        }
    }
    else if (req->io.ready) error = io_result(req, NULL);
    else if (!(error = io_begin(req, req->timeouts.receive)))
    {
        /* The handshake as a whole is bounded by the receive timeout. */
        error = io_wait(req, net_secure_async(req->conn, req->server, &params, req->security_flags,
                                              &req->setup.cert_flags, io_complete, req), NULL);
        if (error == ERROR_IO_PENDING) return error;
    }
    if (error)
    {
        if (error == ERROR_WINHTTP_SECURE_FAILURE)
        {
            /* the rejected certificate stays readable (net_server_certificate),
             * from the callback on, as on Windows */
            set_server_cert(req, req->conn, TRUE);
            send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_SECURE_FAILURE, &req->setup.cert_flags,
                          sizeof(req->setup.cert_flags));
        }
        connection_drop(req);
        return error;
    }
    set_server_cert(req, req->conn, FALSE);
    req->setup.key_bits = net_cipher_strength(req->conn);
    return ERROR_SUCCESS;
}

/* Plain, or TLS validated with the same certificate checks ignored. */
DWORD connection_pool_key(struct request *req)
{
    return req->secure ? SECURITY_FLAG_SECURE | (req->security_flags & SECURITY_FLAGS_IGNORABLE) : 0;
}

/* Where a connection of this request lives in the pool: the origin when
 * direct, the proxy for plain HTTP through it (any origin may use it), the
 * pair for a tunnel. */
static void pool_route(struct request *req, const WCHAR **host, INTERNET_PORT *port, DWORD *key)
{
    *host = req->server;
    *port = req->port;
    *key = connection_pool_key(req);
    if (req->proxy_host && req->tunnel) *host = req->pool_host;
    else if (req->proxy_host)
    {
        *host = req->proxy_host;
        *port = req->proxy_port;
        *key = 0;
    }
}

/* Gives an idle connection to the pool, under the key of its route; not one
 * that carried a proxy's refusal of CONNECT (it leads to the proxy, not to
 * the origin), nor one that NTLM or Negotiate authenticated (the server
 * would take any request on it as this request's user: DECISIONS.md). */
void connection_pool_put(struct request *req, struct netconn *conn)
{
    const WCHAR *host;
    INTERNET_PORT port;
    DWORD key;
    BOOL private, authenticated;

    EnterCriticalSection(&req->cs);
    /* a connection that may have shown the server a client certificate
     * speaks for that certificate: never for another request (the pool is
     * the process's) */
    private = req->client_cert != NULL;
    /* one that NTLM/Negotiate authenticated speaks for its user: for the
     * session's later requests only (libgit2's POST after its GET, through
     * an NTLM proxy; docs/DECISIONS.md) */
    authenticated = auth_connection_private(&req->auth) || req->setup.private_conn;
    LeaveCriticalSection(&req->cs);
    if (req->tunnel_refused || private)
    {
        net_close(conn);
        return;
    }
    pool_route(req, &host, &port, &key);
    net_pool_put(req->session, conn, host, port, key, authenticated);
}

/* The proxy this send goes through (cs held).  Through a tunnel the
 * Proxy-Authorization auth.c added goes on the CONNECT, not to the origin. */
/* A tunnel's key in the pool: "origin@proxy:port" (cs held). */
static DWORD set_tunnel_key(struct request *req)
{
    size_t len = wcslen(req->server) + wcslen(req->proxy_host) + 8;

    heap_free(req->pool_host);
    if (!(req->pool_host = heap_alloc(len * sizeof(WCHAR)))) return ERROR_OUTOFMEMORY;
    swprintf(req->pool_host, len, L"%ls@%ls:%u", req->server, req->proxy_host, req->proxy_port);
    return ERROR_SUCCESS;
}

DWORD connection_choose_route(struct request *req, struct proxy_option *automatic)
{
    struct proxy_route route;
    const WCHAR *rest;
    DWORD error;
    int index;

    connection_free_route(req);
    req->tunnel = req->tunnel_refused = FALSE;
    req->proxy_failover = FALSE;
    /* an automatic proxy's list (PAC answers: no scheme entries) fails over,
     * the proxies found unreachable lately last (badproxy.c) */
    if (automatic && automatic->server && !wcschr(automatic->server, '='))
    {
        WCHAR *list = bad_proxy_reorder(req->session, automatic->server);

        if (!list) return ERROR_OUTOFMEMORY;
        heap_free(automatic->server);
        automatic->server = list;
        req->proxy_failover = TRUE;
    }
    /* the request's WINHTTP_OPTION_PROXY, else the automatic proxy's answer
     * for this send, else the session's proxy */
    if (!proxy_option_pick(req->proxy_opt.set ? &req->proxy_opt : automatic ? automatic : &req->session->proxy,
                           req->server, req->secure, &route))
        return ERROR_SUCCESS;
    req->proxy_host = route.host;
    req->proxy_port = route.port;
    if (req->proxy_failover && (rest = proxy_list_next(automatic->server)) && !(req->proxy_fallbacks = strdupW(rest)))
        return ERROR_OUTOFMEMORY;
    /* ws:// tunnels too: an upgrade cannot pass through a proxy that speaks HTTP for us */
    req->tunnel = req->secure || req->ws.requested;
    TRACE("%p: through %s:%u%s\n", req, debugstr_w(req->proxy_host), req->proxy_port, req->tunnel ? ", tunnel" : "");
    if (!req->tunnel) return ERROR_SUCCESS;
    if ((error = set_tunnel_key(req))) return error;
    if ((index = headers_find(&req->request_headers, L"Proxy-Authorization", 0)) >= 0)
    {
        if (!(req->tunnel_auth = strdupW(req->request_headers.items[index].value))) return ERROR_OUTOFMEMORY;
        headers_process(&req->request_headers, L"Proxy-Authorization", NULL,
                        WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    }
    return ERROR_SUCCESS;
}

void connection_free_route(struct request *req)
{
    heap_free(req->proxy_host);
    heap_free(req->pool_host);
    heap_free(req->tunnel_auth);
    heap_free(req->tunnel_head);
    heap_free(req->proxy_fallbacks);
    req->proxy_fallbacks = NULL;
    req->proxy_host = req->pool_host = req->tunnel_auth = NULL;
    req->tunnel_head = NULL;
}

/* "CONNECT host:port HTTP/1.1" and its headers. */
static char *build_tunnel_head(struct request *req, size_t *len)
{
    struct strbuf sb = { 0 };
    WCHAR authority[300];
    BOOL bracket = wcschr(req->server, ':') && req->server[0] != '[';

    swprintf(authority, ARRAY_SIZE(authority), bracket ? L"[%ls]:%u" : L"%ls:%u", req->server, req->port);
    sb_append_str(&sb, "CONNECT ");
    sb_append_wide(&sb, authority);
    sb_append_str(&sb, " HTTP/1.1\r\nHost: ");
    sb_append_wide(&sb, authority);
    sb_append_str(&sb, "\r\n");
    if (req->session->agent && req->session->agent[0])
    {
        sb_append_str(&sb, "User-Agent: ");
        sb_append_wide(&sb, req->session->agent);
        sb_append_str(&sb, "\r\n");
    }
    sb_append_str(&sb, "Proxy-Connection: Keep-Alive\r\n");
    if (req->tunnel_auth)
    {
        sb_append_str(&sb, "Proxy-Authorization: ");
        sb_append_wide(&sb, req->tunnel_auth);
        sb_append_str(&sb, "\r\n");
    }
    sb_append_str(&sb, "\r\n");
    return sb_finish(&sb, len);
}

/* The proxy's answer to CONNECT.  200: the tunnel is open.  Anything else
 * (a 407 first of all) stays in the buffer as the request's response, for
 * WinHttpReceiveResponse. */
static DWORD tunnel_reply(struct request *req)
{
    struct wsp_http_header lines[64];
    struct wsp_http_response resp;
    ptrdiff_t head_len;
    DWORD error;
    BOOL eof;

    for (;;)
    {
        head_len = wsp_http_parse_response_ex(req->in.buf + req->in.pos, req->in.len - req->in.pos, response_head_limit(req),
                                              WSP_HTTP_BLANK_BEFORE_COLON,
                                              &resp, lines, ARRAY_SIZE(lines));
        if (head_len != WSP_HTTP_INCOMPLETE) break;
        if ((error = body_fill_input(req, response_head_limit(req) + READ_BUFFER_SIZE, &eof))) return error;
        if (eof) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    }
    if (head_len < 0) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    TRACE("%p: CONNECT answered %d\n", req, resp.status);
    if (resp.status >= 200 && resp.status < 300)
    {
        req->in.pos += head_len;
        if (req->in.pos != req->in.len) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;   /* nothing may follow */
        req->in.pos = req->in.len = 0;
        return ERROR_SUCCESS;
    }
    req->tunnel_refused = TRUE;
    return ERROR_SUCCESS;
}


/* An asynchronous wait for a connection slot lasted the connect timeout. */
static void slot_wait_expired(struct deadline *deadline)
{
    struct request *req = CONTAINING_RECORD(deadline, struct request, io.deadline);

    conn_slot_cancel(&req->slot, ERROR_WINHTTP_TIMEOUT);
}

/* A connection slot for the route (MAX_CONNS_PER_SERVER of the session):
 * the wait for one is bounded by the connect timeout. */
static DWORD take_slot(struct request *req, const WCHAR *host, INTERNET_PORT port, DWORD key)
{
    const struct handle_options *opts = &req->session->opts;
    BOOL async = object_is_async(&req->hdr);
    DWORD error;

    error = conn_slot_acquire(&req->slot, host, port, key, opts->max_conns_per_server, opts->max_conns_per_1_0_server,
                              async ? &req->queue : NULL, req->timeouts.connect);
    if (error == ERROR_IO_PENDING && req->timeouts.connect > 0)
        deadline_arm(&req->io.deadline, req->timeouts.connect, slot_wait_expired);
    return error;
}

/* The connection a handshake kept for this send, if it still leads where
 * this send goes: to the origin (or its tunnel), or to the proxy for a new
 * CONNECT (*to_proxy). */
static struct netconn *take_auth_conn(struct request *req, BOOL *to_proxy)
{
    struct netconn *conn = req->auth_conn;

    req->auth_conn = NULL;
    *to_proxy = req->auth_conn_to_proxy;
    if (conn && ((*to_proxy && !req->tunnel) || !net_is_alive(conn)))
    {
        net_close(conn);
        conn = NULL;
    }
    return conn;
}

/* AUTOMATIC_PROXY's failover ("automatically attempts to handle failover
 * between multiple proxies", Microsoft): when the proxy in use cannot be
 * reached (its name does not resolve, it refuses or does not answer), the
 * next of the list takes its place and the setup starts over.  TRUE when
 * there was one. */
static BOOL next_proxy(struct request *req, DWORD error)
{
    struct proxy_route route;
    const WCHAR *rest;
    WCHAR *copy = NULL;
    BOOL ret = FALSE;

    if (error != ERROR_WINHTTP_NAME_NOT_RESOLVED && error != ERROR_WINHTTP_CANNOT_CONNECT
        && error != ERROR_WINHTTP_TIMEOUT) return FALSE;
    /* (the route is this thread's to change: no lock to read it) a
     * cancelled request's failure says nothing of the proxy */
    if (req->proxy_failover && req->proxy_host && !req->hdr.closing)
        bad_proxy_mark(req->session, req->proxy_host, req->proxy_port);
    EnterCriticalSection(&req->cs);
    if (req->proxy_fallbacks && !req->hdr.closing && proxy_pick(req->proxy_fallbacks, NULL, req->server, req->secure, &route))
    {
        if ((rest = proxy_list_next(req->proxy_fallbacks))) copy = strdupW(rest);
        TRACE("%p: %s:%u failed (%lu), trying %s:%u\n", req, debugstr_w(req->proxy_host), req->proxy_port, error,
              debugstr_w(route.host), route.port);
        heap_free(req->proxy_host);
        req->proxy_host = route.host;
        req->proxy_port = route.port;
        heap_free(req->tunnel_head);
        req->tunnel_head = NULL;
        ret = !req->tunnel || !set_tunnel_key(req);
    }
    heap_free(req->proxy_fallbacks);
    req->proxy_fallbacks = copy;
    LeaveCriticalSection(&req->cs);
    if (ret) req->setup.step = SETUP_POOL;
    return ret;
}

static DWORD open_steps(struct request *req)
{
    struct netconn *conn;
    size_t bytes;
    DWORD error;

    for (;;)
    {
        switch (req->setup.step)
        {
        case SETUP_POOL:
            {
                const WCHAR *host;
                INTERNET_PORT port;
                DWORD key;

                BOOL to_proxy;

                req->setup.private_conn = FALSE;

                pool_route(req, &host, &port, &key);
                if ((error = take_slot(req, host, port, key))) return error;
                if ((conn = take_auth_conn(req, &to_proxy)) && to_proxy)
                {
                    TRACE("%p: CONNECT again on connection %p\n", req, conn);
                    set_conn(req, conn);
                    req->setup.reused = TRUE;
                    req->setup.step = SETUP_TUNNEL;
                    break;
                }
                /* WINHTTP_DISABLE_KEEP_ALIVE: a connection of its own, not kept after */
                if (!conn && !(req->opts.disable_features & WINHTTP_DISABLE_KEEP_ALIVE))
                    conn = net_pool_take(req->session, host, port, key, &req->setup.private_conn);
            }
            if ((req->setup.reused = conn != NULL))
            {
                TRACE("%p: reusing connection %p\n", req, conn);
                set_conn(req, conn);
                if (req->secure)
                {
                    /* the certificate options answer for the connection in use */
                    set_server_cert(req, conn, FALSE);
                    req->setup.key_bits = net_cipher_strength(conn);
                }
                net_set_timeouts(conn, req->timeouts.send, req->timeouts.receive);
                req->setup.step = SETUP_DONE;
                break;
            }
            req->setup.step = SETUP_RESOLVE;
            break;
        case SETUP_RESOLVE:
            if ((error = resolve_server(req)))
            {
                if (error != ERROR_IO_PENDING && next_proxy(req, error)) break;
                return error;
            }
            req->setup.step = SETUP_CONNECT;
            break;
        case SETUP_CONNECT:
            if ((error = connect_server(req)))
            {
                if (error != ERROR_IO_PENDING && next_proxy(req, error)) break;
                return error;
            }
            req->setup.step = req->tunnel ? SETUP_TUNNEL : SETUP_SECURE;
            break;
        case SETUP_TUNNEL:
            if (!req->tunnel_head && !(req->tunnel_head = build_tunnel_head(req, &req->tunnel_head_len)))
                return ERROR_OUTOFMEMORY;
            if ((error = connection_io(req, TRUE, req->tunnel_head, req->tunnel_head_len, &bytes)))
            {
                if (error != ERROR_IO_PENDING) connection_drop(req);
                return error;
            }
            req->setup.step = SETUP_TUNNEL_REPLY;
            break;
        case SETUP_TUNNEL_REPLY:
            if ((error = tunnel_reply(req)))
            {
                if (error != ERROR_IO_PENDING) connection_drop(req);
                return error;
            }
            /* refused: no TLS, no request; the proxy's answer is the response */
            req->setup.step = req->tunnel_refused ? SETUP_DONE : SETUP_SECURE;
            break;
        case SETUP_SECURE:
            if (req->secure && (error = secure_connection(req))) return error;
            net_peer_address(req->conn, &req->setup.addr.addr, &req->setup.addr.len);
            send_address_callback(req, WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER, &req->setup.addr);
            req->setup.step = SETUP_DONE;
            break;
        case SETUP_DONE:
            return ERROR_SUCCESS;
        }
    }
}

DWORD connection_open(struct request *req)
{
    DWORD error = open_steps(req);

    /* a request that got no connection holds no slot */
    if (error && error != ERROR_IO_PENDING) connection_drop(req);
    return error;
}

/* The request carries "Connection: close". */
BOOL connection_asked_to_close(struct request *req)
{
    BOOL ret;
    int i;

    EnterCriticalSection(&req->cs);
    i = headers_find(&req->request_headers, L"Connection", 0);
    ret = i >= 0 && !_wcsicmp(req->request_headers.items[i].value, L"close");
    LeaveCriticalSection(&req->cs);
    return ret;
}

static BOOL holds_connection(struct request *req)
{
    BOOL ret;

    EnterCriticalSection(&req->cs);
    ret = auth_holds_connection(&req->auth);
    LeaveCriticalSection(&req->cs);
    return ret;
}

void connection_release(struct request *req, BOOL reusable)
{
    struct netconn *conn;

    EnterCriticalSection(&req->cs);
    conn = req->conn;
    req->conn = NULL;
    LeaveCriticalSection(&req->cs);
    if (!conn)
    {
        conn_slot_release(&req->slot);
        return;
    }
    if (reusable && req->in.pos == req->in.len && !req->hdr.closing && holds_connection(req))
    {
        /* the request keeps its connection slot with it */
        TRACE("%p: keeping connection %p for the next leg of the handshake\n", req, conn);
        if (req->auth_conn) net_close(req->auth_conn);
        req->auth_conn = conn;
        req->auth_conn_to_proxy = req->tunnel_refused;
        req->in.pos = req->in.len = 0;
        return;
    }
    else if (reusable && req->in.pos == req->in.len && !req->hdr.closing) connection_pool_put(req, conn);
    else if (connection_asked_to_close(req) && !req->hdr.closing)
    {
        /* The application asked for the close ("Connection: close"): Windows
         * reports it (Wine's notification.c, test_async). */
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_CLOSING_CONNECTION, NULL, 0);
        net_close(conn);
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_CONNECTION_CLOSED, NULL, 0);
    }
    else net_close(conn);
    req->in.pos = req->in.len = 0;
    /* after the pool has it: a waiter handed the slot takes it from there */
    conn_slot_release(&req->slot);
}
