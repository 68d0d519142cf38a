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

void connection_drop(struct request *req)
{
    struct netconn *conn;

    EnterCriticalSection(&req->cs);
    conn = req->conn;
    req->conn = NULL;
    LeaveCriticalSection(&req->cs);
    if (conn) net_close(conn);
    req->in.pos = req->in.len = 0;
}

DWORD check_cancelled(struct request *req, DWORD error)
{
    if (error && error != ERROR_IO_PENDING && req->hdr.closing) return ERROR_WINHTTP_OPERATION_CANCELLED;
    return error;
}

/* A timeout expired: cancel the operation in flight, if it still is. */
static void io_timed_out(struct deadline *deadline)
{
    struct request *req = CONTAINING_RECORD(deadline, struct request, io.deadline);

    EnterCriticalSection(&req->cs);
    if (req->io.active && req->conn)
    {
        TRACE("%p: timed out\n", req);
        req->io.timed_out = TRUE;
        net_cancel(req->conn);
    }
    LeaveCriticalSection(&req->cs);
}

/* An operation is about to start: arm its timeout (ms, <= 0 for none). */
static void io_begin(struct request *req, int timeout)
{
    /* No earlier deadline may fire into this operation. */
    deadline_disarm(&req->io.deadline);
    EnterCriticalSection(&req->cs);
    req->io.active = TRUE;
    req->io.timed_out = FALSE;
    LeaveCriticalSection(&req->cs);
    if (timeout > 0) deadline_arm(&req->io.deadline, timeout, io_timed_out);
}


static void io_end(struct request *req)
{
    EnterCriticalSection(&req->cs);
    req->io.active = FALSE;
    LeaveCriticalSection(&req->cs);
}

/* Completion of every overlapped operation of a request: keep the result for
 * the task and resume it. */
static void io_complete(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct request *req = context;

    io_end(req);
    req->io.error = error;
    req->io.bytes = bytes;
    req->io.ready = TRUE;
    task_io_done(&req->queue);
}

/* Takes the result io_complete left.  A timed-out or cancelled operation
 * may also end as an EOF (the socket was shut down): that is no answer. */
static DWORD io_result(struct request *req, size_t *bytes)
{
    req->io.ready = FALSE;
    if (bytes) *bytes = req->io.error ? 0 : req->io.bytes;
    if (req->io.timed_out) return ERROR_WINHTTP_TIMEOUT;
    if (req->hdr.closing) return ERROR_WINHTTP_OPERATION_CANCELLED;
    return req->io.error;
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

DWORD connection_io(struct request *req, BOOL is_send, void *buf, size_t len, size_t *bytes)
{
    DWORD error;

    *bytes = 0;
    if (req->io.ready) return io_result(req, bytes);
    if (!req->conn) return ERROR_WINHTTP_CONNECTION_ERROR;
    if (!object_is_async(&req->hdr))
    {
        if (!is_send) return check_cancelled(req, net_recv(req->conn, buf, len, bytes));
        if (!(error = net_send(req->conn, buf, len))) *bytes = len;
        return check_cancelled(req, error);
    }
    io_begin(req, is_send ? req->timeouts.send : req->timeouts.receive);
    if (is_send) return io_wait(req, net_send_async(req->conn, buf, len, io_complete, req), bytes);
    return io_wait(req, net_recv_async(req->conn, buf, len, io_complete, req), bytes);
}


static DWORD resolve_server(struct request *req)
{
    DWORD error;

    send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, req->server,
                  (DWORD)((wcslen(req->server) + 1) * sizeof(WCHAR)));
    /* getaddrinfo has no completion in Wine: a lookup is bounded by the resolver. */
    if ((error = net_resolve(req->server, req->port, req->timeouts.resolve, &req->setup.addr))) return error;
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
        if ((error = net_connect(&req->setup.addr, req->timeouts.connect, &conn))) return error;
        set_conn(req, conn);
        net_set_timeouts(conn, req->timeouts.send, req->timeouts.receive);
        return ERROR_SUCCESS;
    }
    if (req->io.ready)
    {
        /* io_result reports a handle closed meanwhile as cancelled */
        if (!(error = io_result(req, NULL))) return ERROR_SUCCESS;
        connection_drop(req);
        if (req->hdr.closing || ++req->setup.addr_index >= req->setup.addr.count) return error;
        TRACE("%p: trying the next address\n", req);
    }
    io_begin(req, req->timeouts.connect);
    error = io_wait(req, net_connect_async(&req->setup.addr.all[req->setup.addr_index], req->setup.addr.all_len[req->setup.addr_index],
                                           &conn, io_complete, req), NULL);
    if (error == ERROR_IO_PENDING) set_conn(req, conn);
    return error;
}

static DWORD secure_connection(struct request *req)
{
    DWORD error;

    if (!object_is_async(&req->hdr))
        error = net_secure(req->conn, req->server, req->opts.secure_protocols, req->security_flags,
                           &req->setup.cert_flags);
    else if (req->io.ready) error = io_result(req, NULL);
    else
    {
        /* The handshake as a whole is bounded by the receive timeout. */
        io_begin(req, req->timeouts.receive);
        error = io_wait(req, net_secure_async(req->conn, req->server, req->opts.secure_protocols,
                                              req->security_flags, &req->setup.cert_flags, io_complete, req), NULL);
        if (error == ERROR_IO_PENDING) return error;
    }
    if (error)
    {
        if (error == ERROR_WINHTTP_SECURE_FAILURE)
            send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_SECURE_FAILURE, &req->setup.cert_flags,
                          sizeof(req->setup.cert_flags));
        connection_drop(req);
        return error;
    }
    if (req->setup.server_cert) CertFreeCertificateContext(req->setup.server_cert);
    req->setup.server_cert = net_server_certificate(req->conn);
    req->setup.key_bits = net_cipher_strength(req->conn);
    return ERROR_SUCCESS;
}

/* Plain, or TLS validated with the same certificate checks ignored. */
DWORD connection_pool_key(struct request *req)
{
    static const DWORD ignore = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
                                SECURITY_FLAG_IGNORE_CERT_CN_INVALID | SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;

    return req->secure ? SECURITY_FLAG_SECURE | (req->security_flags & ignore) : 0;
}

DWORD connection_open(struct request *req)
{
    struct netconn *conn;
    DWORD error;

    for (;;)
    {
        switch (req->setup.step)
        {
        case SETUP_POOL:
            if ((req->setup.reused = (conn = net_pool_take(req->session, req->server, req->port,
                                                           connection_pool_key(req))) != NULL))
            {
                TRACE("%p: reusing connection %p\n", req, conn);
                set_conn(req, conn);
                if (req->secure)
                {
                    /* the certificate options answer for the connection in use */
                    if (req->setup.server_cert) CertFreeCertificateContext(req->setup.server_cert);
                    req->setup.server_cert = net_server_certificate(conn);
                    req->setup.key_bits = net_cipher_strength(conn);
                }
                net_set_timeouts(conn, req->timeouts.send, req->timeouts.receive);
                req->setup.step = SETUP_DONE;
                break;
            }
            if ((error = resolve_server(req))) return error;
            req->setup.step = SETUP_CONNECT;
            break;
        case SETUP_CONNECT:
            if ((error = connect_server(req))) return error;
            req->setup.step = SETUP_SECURE;
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

void connection_release(struct request *req, BOOL reusable)
{
    struct netconn *conn;

    EnterCriticalSection(&req->cs);
    conn = req->conn;
    req->conn = NULL;
    LeaveCriticalSection(&req->cs);
    if (!conn) return;
    if (reusable && req->in.pos == req->in.len && !req->hdr.closing)
        net_pool_put(req->session, conn, req->server, req->port, connection_pool_key(req));
    else net_close(conn);
    req->in.pos = req->in.len = 0;
}
