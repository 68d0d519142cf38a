/*
 * The transport over ws2_32 (see net.h).
 *
 * Blocking calls use the socket's own timeouts (SO_SNDTIMEO/SO_RCVTIMEO);
 * asynchronous calls are overlapped WSARecv/WSASend completed through one
 * shared completion port, so a pending receive costs no thread.
 *
 * Under Wine, when the winhttp_host helper is installed, the socket is a
 * Linux one instead (conn->host, net_host.c): the socket primitives below
 * branch there (each "if (conn->host)"), and everything above them -- TLS
 * records, batching, completions -- is shared by both backends.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "net.h"
#include "tls.h"
#include "net_host.h"
#include <mswsock.h>

/* One asynchronous operation in flight (receive or send). */
struct net_op
{
    OVERLAPPED ovl;               /* first: the completion gives us the OVERLAPPED */
    struct netconn *conn;
    void (*fn)(struct netconn *conn, void *context, DWORD error, size_t bytes);
    void *context;
    WSABUF wsabuf;
    const void *base;             /* start of the buffer (send) */
    void *user_buf;               /* TLS receive: where the plaintext goes */
    size_t user_len;
    BOOL tls_ready;               /* TLS receive: plaintext was buffered, no socket call made */
    BOOL waiting;                 /* net_wait_async: a zero-byte read, no EOF, nothing to decrypt */
    DWORD tls_error;              /* and the error to complete it with */
    DWORD done_result;            /* an operation that finished at once, waiting to be completed */
    ULONG_PTR done_bytes;
    struct net_op *next_done;
    size_t done;                  /* bytes sent so far (send) */
    size_t total;
    BOOL connecting;              /* the send slot carries a ConnectEx */
    net_fill_fn fill;             /* batched send: writes the plaintext (TLS: into records; */
    void *fill_ctx;               /* plain: into conn->fill_buf), one batch after the other */
    size_t plain_total;
    size_t plain_done;            /* batched so far */
};

struct netconn
{
    SOCKET socket;                /* INVALID_SOCKET on the host backend */
    UINT64 host;                  /* the host backend's socket, or 0 */
    SOCKADDR_STORAGE addr;        /* the peer */
    int addr_len;
    int send_timeout;             /* as last applied to the socket */
    int receive_timeout;
    struct tls *tls;              /* set once net_secure succeeded */
    BOOL io_bound;                /* associated with the completion port (first async use) */
    BOOL skip_port_on_success;    /* operations that finish at once queue no packet */
    struct net_op recv_op;
    struct net_op send_op;
    BYTE *fill_buf;               /* net_send_fill on a plain connection: one piece */
    size_t fill_size;
};

/* Plain net_send_fill sends pieces of at most this many bytes. */
#define FILL_PIECE (4 * 1024 * 1024)

static INIT_ONCE winsock_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK winsock_startup(INIT_ONCE *once, void *param, void **context)
{
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
    return TRUE;
}

void net_init_winsock(void)
{
    InitOnceExecuteOnce(&winsock_once, winsock_startup, NULL, NULL);
}

static DWORD map_socket_error(int error)
{
    switch (error)
    {
    case WSAETIMEDOUT:
    case WSAEWOULDBLOCK:
        return ERROR_WINHTTP_TIMEOUT;
    case WSAECONNREFUSED:
    case WSAENETUNREACH:
    case WSAEHOSTUNREACH:
    case WSAEADDRNOTAVAIL:
        return ERROR_WINHTTP_CANNOT_CONNECT;
    case WSA_OPERATION_ABORTED:
        return ERROR_WINHTTP_OPERATION_CANCELLED;
    default:
        return ERROR_WINHTTP_CONNECTION_ERROR;
    }
}

DWORD net_resolve(const WCHAR *host, INTERNET_PORT port, int timeout, struct net_address *addr)
{
    ADDRINFOW hints, *result, *ai;
    WCHAR service[8], *name;
    size_t len = wcslen(host);
    int ret;

    net_init_winsock();
    /* IPv6 literals arrive bracketed from URLs. */
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') name = strndupW(host + 1, len - 2);
    else name = strdupW(host);
    if (!name) return ERROR_OUTOFMEMORY;
    swprintf(service, ARRAY_SIZE(service), L"%u", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    if (timeout > 0) TRACE("resolve timeout %d ms not applied: lookups are bounded by the resolver\n", timeout);
    ret = GetAddrInfoW(name, service, &hints, &result);
    heap_free(name);
    if (ret)
    {
        TRACE("failed to resolve %s: %d\n", debugstr_w(host), ret);
        return ERROR_WINHTTP_NAME_NOT_RESOLVED;
    }
    addr->count = 0;
    for (ai = result; ai && addr->count < NET_MAX_ADDRESSES; ai = ai->ai_next)
    {
        if (ai->ai_addrlen > sizeof(addr->all[0])) continue;
        memcpy(&addr->all[addr->count], ai->ai_addr, ai->ai_addrlen);
        addr->all_len[addr->count++] = (int)ai->ai_addrlen;
    }
    FreeAddrInfoW(result);
    if (!addr->count) return ERROR_WINHTTP_NAME_NOT_RESOLVED;
    addr->addr = addr->all[0];
    addr->len = addr->all_len[0];
    return ERROR_SUCCESS;
}

static void apply_timeout(SOCKET s, int option, int timeout)
{
    DWORD value = timeout > 0 ? (DWORD)timeout : 0;
    setsockopt(s, SOL_SOCKET, option, (const char *)&value, sizeof(value));
}

void net_set_receive_timeout(struct netconn *conn, int receive_timeout)
{
    net_set_timeouts(conn, conn->send_timeout, receive_timeout);
}

void net_local_address(struct netconn *conn, SOCKADDR_STORAGE *addr, int *len)
{
    if (conn->host) return host_local_address(conn->host, addr, len);
    *len = sizeof(*addr);
    if (getsockname(conn->socket, (struct sockaddr *)addr, len)) memset(addr, 0, *len = sizeof(*addr));
}

void net_peer_address(struct netconn *conn, SOCKADDR_STORAGE *addr, int *len)
{
    *addr = conn->addr;
    *len = conn->addr_len;
}

void net_set_timeouts(struct netconn *conn, int send_timeout, int receive_timeout)
{
    if (conn->host && (conn->send_timeout != send_timeout || conn->receive_timeout != receive_timeout))
        host_set_timeouts(conn->host, send_timeout, receive_timeout);
    if (conn->host)
    {
        conn->send_timeout = send_timeout;
        conn->receive_timeout = receive_timeout;
        return;
    }
    if (conn->send_timeout != send_timeout)
    {
        apply_timeout(conn->socket, SO_SNDTIMEO, send_timeout);
        conn->send_timeout = send_timeout;
    }
    if (conn->receive_timeout != receive_timeout)
    {
        apply_timeout(conn->socket, SO_RCVTIMEO, receive_timeout);
        conn->receive_timeout = receive_timeout;
    }
}

/* A new overlapped TCP socket for the family of sa, not connected yet; on
 * the host backend a connected one (within timeout), or one connecting
 * (start: finished by a HOST_OP_CONNECT operation). */
static DWORD new_conn(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, BOOL start, struct netconn **ret)
{
    struct netconn *conn;
    BOOL nodelay = TRUE;

    net_init_winsock();
    if (!(conn = heap_alloc_zero(sizeof(*conn)))) return ERROR_OUTOFMEMORY;
    memcpy(&conn->addr, sa, sa_len);
    conn->addr_len = sa_len;
    if (host_enabled())
    {
        DWORD error = host_connect(sa, sa_len, timeout, start, &conn->host);
        conn->socket = INVALID_SOCKET;
        if (error && error != ERROR_IO_PENDING)
        {
            heap_free(conn);
            return error;
        }
        *ret = conn;
        return ERROR_SUCCESS;
    }
    conn->socket = WSASocketW(sa->ss_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (conn->socket == INVALID_SOCKET)
    {
        heap_free(conn);
        return ERROR_WINHTTP_CANNOT_CONNECT;
    }
    /* Small messages must leave at once: no Nagle, no delayed-ACK stalls. */
    setsockopt(conn->socket, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));
    *ret = conn;
    return ERROR_SUCCESS;
}

static void unbind_port(struct netconn *conn);

static void free_conn(struct netconn *conn)
{
    unbind_port(conn);
    if (conn->host) host_close(conn->host);
    else closesocket(conn->socket);
    heap_free(conn);
}

static DWORD connect_one(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, struct netconn **ret)
{
    struct netconn *conn;
    u_long nonblocking = 1;
    DWORD error;

    if ((error = new_conn(sa, sa_len, timeout, FALSE, &conn))) return error;
    if (conn->host)  /* connected already */
    {
        *ret = conn;
        return ERROR_SUCCESS;
    }
    if (timeout > 0) ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    if (connect(conn->socket, (const struct sockaddr *)sa, sa_len) == SOCKET_ERROR)
    {
        int err = WSAGetLastError();
        if (timeout > 0 && err == WSAEWOULDBLOCK)
        {
            fd_set writable, failed;
            struct timeval tv = { timeout / 1000, (timeout % 1000) * 1000 };
            int res;

            FD_ZERO(&writable);
            FD_ZERO(&failed);
            FD_SET(conn->socket, &writable);
            FD_SET(conn->socket, &failed);
            res = select(0, NULL, &writable, &failed, &tv);
            if (!res) error = ERROR_WINHTTP_TIMEOUT;
            else if (res < 0 || FD_ISSET(conn->socket, &failed)) error = ERROR_WINHTTP_CANNOT_CONNECT;
            else
            {
                int so_error = 0, len = sizeof(so_error);
                getsockopt(conn->socket, SOL_SOCKET, SO_ERROR, (char *)&so_error, &len);
                if (so_error) error = ERROR_WINHTTP_CANNOT_CONNECT;
            }
        }
        else error = ERROR_WINHTTP_CANNOT_CONNECT;
    }
    if (!error && timeout > 0)
    {
        nonblocking = 0;
        ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    }
    if (error)
    {
        TRACE("connect failed: %lu\n", error);
        free_conn(conn);
        return error;
    }
    TRACE("connected %p, socket %#Ix\n", conn, (ULONG_PTR)conn->socket);
    *ret = conn;
    return ERROR_SUCCESS;
}

DWORD net_connect(const struct net_address *addr, int timeout, struct netconn **ret)
{
    DWORD error = ERROR_WINHTTP_CANNOT_CONNECT;
    int i;

    if (!addr->count) return connect_one(&addr->addr, addr->len, timeout, ret);
    for (i = 0; i < addr->count; i++)
        if (!(error = connect_one(&addr->all[i], addr->all_len[i], timeout, ret))) break;
    return error;
}

static DWORD sock_send(struct netconn *conn, const void *buf, size_t len)
{
    const char *p = buf;

    while (len)
    {
        int chunk = len > 0x40000000 ? 0x40000000 : (int)len;
        int sent;

        if (conn->host)
        {
            size_t done;
            DWORD error = host_send(conn->host, p, chunk, &done);
            if (error) return error;
            sent = (int)done;
        }
        else sent = send(conn->socket, p, chunk, 0);
        if (sent == SOCKET_ERROR)
        {
            int err = WSAGetLastError();
            TRACE("send failed: %d\n", err);
            return map_socket_error(err);
        }
        p += sent;
        len -= sent;
    }
    return ERROR_SUCCESS;
}

static DWORD sock_recv(struct netconn *conn, void *buf, size_t len, size_t *received)
{
    int ret;

    if (conn->host) return host_recv(conn->host, buf, len, FALSE, FALSE, received);
    ret = recv(conn->socket, buf, len > 0x40000000 ? 0x40000000 : (int)len, 0);

    if (ret == SOCKET_ERROR)
    {
        int err = WSAGetLastError();
        TRACE("recv failed: %d\n", err);
        *received = 0;
        return map_socket_error(err);
    }
    *received = ret;
    return ERROR_SUCCESS;
}

static void fill_copy(void *context, size_t offset, BYTE *dst, size_t len)
{
    memcpy(dst, (const BYTE *)context + offset, len);
}

/* Blocking TLS send: the records of every batch leave before the next is encrypted. */
static DWORD tls_send_fill(struct netconn *conn, size_t len, net_fill_fn fill, void *context)
{
    size_t offset = 0, out_len;
    const BYTE *out;
    DWORD error;

    while (offset < len)
    {
        if ((error = tls_encrypt_records(conn->tls, len, &offset, fill, context, &out, &out_len))) return error;
        if ((error = sock_send(conn, out, out_len))) return error;
    }
    return ERROR_SUCCESS;
}

DWORD net_send(struct netconn *conn, const void *buf, size_t len)
{
    if (conn->tls) return tls_send_fill(conn, len, fill_copy, (void *)buf);
    return sock_send(conn, buf, len);
}

DWORD net_send_fill(struct netconn *conn, size_t total, net_fill_fn fill, void *context)
{
    size_t piece, offset;
    DWORD error;

    if (conn->tls) return tls_send_fill(conn, total, fill, context);
    piece = min(total, FILL_PIECE);
    if (conn->fill_size < piece)
    {
        BYTE *buf = heap_realloc(conn->fill_buf, piece);
        if (!buf) return ERROR_NOT_ENOUGH_MEMORY;
        conn->fill_buf = buf;
        conn->fill_size = piece;
    }
    for (offset = 0; offset < total; offset += piece)
    {
        piece = min(total - offset, FILL_PIECE);
        fill(context, offset, conn->fill_buf, piece);
        if ((error = sock_send(conn, conn->fill_buf, piece))) return error;
    }
    return ERROR_SUCCESS;
}

typedef DWORD (*raw_recv_fn)(struct netconn *conn, void *buf, size_t len, size_t *received);

/* Plaintext from the connection, the raw bytes coming from raw_recv. */
static DWORD recv_with(struct netconn *conn, void *buf, size_t len, size_t *received, raw_recv_fn raw_recv)
{
    size_t raw, room;
    BYTE *pos;
    DWORD error;

    if (!conn->tls) return raw_recv(conn, buf, len, received);
    while ((error = tls_take_plaintext(conn->tls, buf, len, received)) == ERROR_MORE_DATA)
    {
        pos = tls_read_buffer(conn->tls, &room);
        if ((error = raw_recv(conn, pos, room, &raw))) return error;
        if (!raw)  /* TCP ended: the end of the stream only after close_notify */
        {
            *received = 0;
            return tls_end_of_stream(conn->tls);
        }
        tls_add_ciphertext(conn->tls, raw);
    }
    return error;
}

DWORD net_recv(struct netconn *conn, void *buf, size_t len, size_t *received)
{
    return recv_with(conn, buf, len, received, sock_recv);
}

/* sock_recv without waiting: ERROR_IO_PENDING when nothing has arrived. */
static DWORD sock_recv_now(struct netconn *conn, void *buf, size_t len, size_t *received)
{
    u_long nonblocking = 1;
    int ret, err;

    *received = 0;
    if (conn->host) return host_recv(conn->host, buf, len, TRUE, FALSE, received);
    ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    ret = recv(conn->socket, buf, len > 0x40000000 ? 0x40000000 : (int)len, 0);
    err = WSAGetLastError();
    nonblocking = 0;
    ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    if (ret != SOCKET_ERROR)
    {
        *received = ret;
        return ERROR_SUCCESS;
    }
    return err == WSAEWOULDBLOCK ? ERROR_IO_PENDING : map_socket_error(err);
}

DWORD net_recv_now(struct netconn *conn, void *buf, size_t len, size_t *received)
{
    /* a record cut short stays in the TLS buffer for the next read */
    return recv_with(conn, buf, len, received, sock_recv_now);
}

/* The name Schannel gets for SNI and the policy check: no IPv6 brackets. */
static WCHAR *bare_host(const WCHAR *host)
{
    size_t len = wcslen(host);
    return (len >= 2 && host[0] == '[') ? strndupW(host + 1, len - 2) : strdupW(host);
}

/* After the handshake: the certificate check, then conn becomes secure. */
static DWORD finish_secure(struct netconn *conn, struct tls *tls, const WCHAR *host, DWORD security_flags,
                           DWORD *cert_flags)
{
    DWORD error;

    if ((error = tls_verify_certificate(tls, host, security_flags, cert_flags)))
    {
        tls_free(tls);
        return error;
    }
    conn->tls = tls;
    return ERROR_SUCCESS;
}

/* Blocking handshake: what the server sends next; ERROR_MORE_DATA to step on. */
static DWORD receive_handshake(struct netconn *conn, struct tls *tls)
{
    size_t room, received;
    BYTE *pos = tls_read_buffer(tls, &room);
    DWORD error;

    if (!room) return ERROR_WINHTTP_SECURE_FAILURE;
    if ((error = sock_recv(conn, pos, room, &received))) return error;
    if (!received) return ERROR_WINHTTP_SECURE_FAILURE;  /* the server hung up */
    tls_add_ciphertext(tls, received);
    return ERROR_MORE_DATA;
}

DWORD net_secure(struct netconn *conn, const WCHAR *host, DWORD protocols, DWORD security_flags, DWORD *cert_flags)
{
    struct tls *tls;
    WCHAR *name;
    void *token;
    size_t token_len;
    BOOL need_input;
    DWORD error, send_error;

    *cert_flags = 0;
    if (!(name = bare_host(host))) return ERROR_OUTOFMEMORY;
    if ((error = tls_handshake_begin(protocols, &tls)))
    {
        heap_free(name);
        return error;
    }
    do
    {
        error = tls_handshake_step(tls, name, &token, &token_len, &need_input);
        if (token)
        {
            send_error = sock_send(conn, token, token_len);
            tls_free_token(token);
            if (send_error) error = send_error;
        }
        if (error == ERROR_MORE_DATA && need_input) error = receive_handshake(conn, tls);
    } while (error == ERROR_MORE_DATA);
    heap_free(name);
    if (error)
    {
        tls_free(tls);
        return error;
    }
    return finish_secure(conn, tls, host, security_flags, cert_flags);
}

const CERT_CONTEXT *net_server_certificate(struct netconn *conn)
{
    return conn->tls ? tls_server_certificate(conn->tls) : NULL;
}

DWORD net_cipher_strength(struct netconn *conn)
{
    return conn->tls ? tls_cipher_strength(conn->tls) : 0;
}

DWORD net_wait_readable(struct netconn *conn, int timeout)
{
    fd_set readable;
    struct timeval tv = { timeout / 1000, (timeout % 1000) * 1000 };
    int res;

    if (conn->host) return host_wait_readable(conn->host, timeout);
    FD_ZERO(&readable);
    FD_SET(conn->socket, &readable);
    res = select(0, &readable, NULL, NULL, timeout >= 0 ? &tv : NULL);
    if (res < 0) return map_socket_error(WSAGetLastError());
    return res ? ERROR_SUCCESS : ERROR_WINHTTP_TIMEOUT;
}

BOOL net_is_alive(struct netconn *conn)
{
    char byte;
    u_long nonblocking = 1;
    int ret, err;

    /* An idle keep-alive connection has nothing to read; EOF or stray
     * bytes mean it cannot carry another request. */
    if (conn->host)
    {
        size_t peeked;
        return host_recv(conn->host, &byte, 1, TRUE, TRUE, &peeked) == ERROR_IO_PENDING;
    }
    ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    ret = recv(conn->socket, &byte, 1, MSG_PEEK);
    err = WSAGetLastError();
    nonblocking = 0;
    ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    return ret == SOCKET_ERROR && err == WSAEWOULDBLOCK;
}

void net_shutdown_send(struct netconn *conn)
{
    if (conn->host) return host_shutdown(conn->host, FALSE);
    shutdown(conn->socket, SD_SEND);
}

void net_cancel(struct netconn *conn)
{
    /* Both directions: blocked recv/send calls on other threads return, and
     * overlapped operations complete with an error. */
    if (conn->host) return host_cancel(conn->host);
    shutdown(conn->socket, SD_BOTH);
    CancelIoEx((HANDLE)conn->socket, NULL);
}

void net_close(struct netconn *conn)
{
    TRACE("%p\n", conn);
    /* No operation is in flight here: each holds a reference on its owner,
     * so no completion packet for this connection is left in the port. */
    if (conn->tls)
    {
        size_t len;
        void *alert = tls_close_notify(conn->tls, &len);

        if (alert) sock_send(conn, alert, len);  /* best effort */
        tls_free_token(alert);
        tls_free(conn->tls);
    }
    unbind_port(conn);
    if (conn->host) host_close(conn->host);
    else closesocket(conn->socket);
    heap_free(conn->fill_buf);
    heap_free(conn);
}

/* Asynchronous I/O ------------------------------------------------------ */

static void start_send(struct net_op *op);

static void start_op(struct net_op *op, BOOL is_send);
static void started_op(struct net_op *op, int ret, DWORD count, const char *what);
static void done_at_once(struct net_op *op, DWORD result, size_t count);

/* TLS receive: decrypt what has arrived; FALSE if another read is needed. */
static BOOL finish_tls_recv(struct net_op *op, DWORD *error, size_t *bytes)
{
    *error = tls_take_plaintext(op->conn->tls, op->user_buf, op->user_len, bytes);
    if (*error != ERROR_MORE_DATA) return TRUE;
    op->wsabuf.buf = (char *)tls_read_buffer(op->conn->tls, bytes);
    op->wsabuf.len = (ULONG)*bytes;
    *error = ERROR_SUCCESS;
    return FALSE;
}

/* Completions run one at a time per thread: an operation that finishes at
 * once while a completion runs on this thread waits in this list and runs
 * after it, so a stream of ready data loops instead of recursing. */
static __thread BOOL completing;
static __thread struct net_op *done_head, *done_tail;
static __thread BOOL primary_thread;  /* the thread that waits on the port */
static volatile LONG primary_seq;     /* operations it has completed */

static void complete_op(struct netconn *conn, OVERLAPPED *overlapped, DWORD result, ULONG_PTR bytes);

static void run_completion(struct net_op *op, DWORD result, ULONG_PTR bytes)
{
    op->done_result = result;
    op->done_bytes = bytes;
    op->next_done = NULL;
    if (done_tail) done_tail->next_done = op;
    else done_head = op;
    done_tail = op;
    if (completing) return;
    completing = TRUE;
    while ((op = done_head))
    {
        if (!(done_head = op->next_done)) done_tail = NULL;
        if (primary_thread) primary_seq++;
        complete_op(op->conn, &op->ovl, op->done_result, op->done_bytes);
    }
    completing = FALSE;
}

static void CALLBACK run_completion_work(PTP_CALLBACK_INSTANCE instance, void *context)
{
    struct net_op *op = context;
    run_completion(op, op->done_result, op->done_bytes);
}

/* Batched send: the next batch to go out, as the send's buffer: TLS
 * records, or a piece of plaintext written into conn->fill_buf. */
static DWORD next_batch(struct net_op *op)
{
    struct netconn *conn = op->conn;
    const BYTE *out;
    size_t out_len;
    DWORD error;

    if (conn->tls)
    {
        if ((error = tls_encrypt_records(conn->tls, op->plain_total, &op->plain_done, op->fill, op->fill_ctx,
                                         &out, &out_len)))
            return error;
    }
    else
    {
        out_len = min(op->plain_total - op->plain_done, FILL_PIECE);
        if (conn->fill_size < out_len)
        {
            BYTE *buf = heap_realloc(conn->fill_buf, out_len);
            if (!buf) return ERROR_NOT_ENOUGH_MEMORY;
            conn->fill_buf = buf;
            conn->fill_size = out_len;
        }
        op->fill(op->fill_ctx, op->plain_done, conn->fill_buf, out_len);
        op->plain_done += out_len;
        out = conn->fill_buf;
    }
    op->base = out;
    op->total = out_len;
    op->done = 0;
    return ERROR_SUCCESS;
}

static void complete_op(struct netconn *conn, OVERLAPPED *overlapped, DWORD result, ULONG_PTR bytes)
{
    struct net_op *op = CONTAINING_RECORD(overlapped, struct net_op, ovl);
    DWORD error = result ? map_socket_error(result) : ERROR_SUCCESS;

    if (op->tls_ready)
    {
        op->tls_ready = FALSE;
        op->fn(conn, op->context, op->tls_error, bytes);
        return;
    }
    if (op == &conn->recv_op && conn->tls && !error && !op->waiting)
    {
        size_t plain;
        if (!bytes)
        {
            op->fn(conn, op->context, tls_end_of_stream(conn->tls), 0);
            return;
        }
        tls_add_ciphertext(conn->tls, bytes);
        if (!finish_tls_recv(op, &error, &plain))
        {
            start_op(op, FALSE);
            return;
        }
        op->fn(conn, op->context, error, error ? 0 : plain);
        return;
    }

    if (op->connecting)
    {
        op->connecting = FALSE;
        if (!error && !conn->host && setsockopt(conn->socket, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0))
            error = ERROR_WINHTTP_CANNOT_CONNECT;
        else if (error && error != ERROR_WINHTTP_OPERATION_CANCELLED) error = ERROR_WINHTTP_CANNOT_CONNECT;
        TRACE("connect of %p: %lu\n", conn, error);
        op->fn(conn, op->context, error, 0);
        return;
    }

    if (op == &conn->send_op && !error)
    {
        op->done += bytes;
        if (bytes && op->done < op->total)
        {
            start_send(op);  /* partial send: carry on */
            return;
        }
        if (op->done < op->total) error = ERROR_WINHTTP_CONNECTION_ERROR;
        else if (op->fill && op->plain_done < op->plain_total)
        {
            if (!(error = next_batch(op)))
            {
                start_send(op);
                return;
            }
        }
        bytes = op->fill ? op->plain_total : op->done;
    }
    op->fn(conn, op->context, error, error ? 0 : bytes);
}

/* One completion port for every connection: a pending operation costs no
 * thread and no per-socket pool object.  One thread waits on it.  Wine wakes
 * the waiters of a port oldest first (Windows: most recent first), and a
 * socket read pending under Wine is finished by the thread that started it;
 * with two threads waiting, the completion of a read the first one started
 * went to the second -- a thread hop per message (async_pipe16 in
 * docs/BENCHMARKS.md).  Completion functions run caller callbacks, which may
 * block, even on another connection's completion; so a second thread, the
 * rescuer, looks at the first every RESCUE_MS while connections are bound
 * and takes packets from the port while the same completion has been running
 * since its last look. */
#define RESCUE_MS 50

static HANDLE completion_port;
static HANDLE rescue_wake;          /* the first connection was bound */
static LONG bound_count;            /* connections associated with the port */
static volatile LONG primary_busy;  /* the primary thread runs completions */
static INIT_ONCE completion_once = INIT_ONCE_STATIC_INIT;

/* Waits up to timeout for one packet and runs it (with whatever it
 * completes at once, see run_completion). */
static void serve_port(DWORD timeout)
{
    OVERLAPPED *overlapped = NULL;
    ULONG_PTR key;
    DWORD bytes, result;

    result = GetQueuedCompletionStatus(completion_port, &bytes, &key, &overlapped, timeout)
             ? ERROR_SUCCESS : GetLastError();
    if (!overlapped) return;
    if (primary_thread) primary_busy = TRUE;
    run_completion(CONTAINING_RECORD(overlapped, struct net_op, ovl), result, bytes);
    if (primary_thread) primary_busy = FALSE;
}

static DWORD CALLBACK primary_worker(void *arg)
{
    primary_thread = TRUE;
    for (;;) serve_port(INFINITE);
    return 0;
}

static BOOL primary_stuck_in(LONG seq)
{
    return primary_busy && primary_seq == seq;
}

static DWORD CALLBACK rescue_worker(void *arg)
{
    LONG seen = -1, seq;

    for (;;)
    {
        WaitForSingleObject(rescue_wake, bound_count ? RESCUE_MS : INFINITE);
        seq = primary_seq;
        if (!primary_stuck_in(seq) || seq != seen)
        {
            seen = seq;
            continue;
        }
        TRACE("completion %ld has run for %u ms or more: serving the port beside it\n", seq, RESCUE_MS);
        while (primary_stuck_in(seq)) serve_port(RESCUE_MS);
    }
    return 0;
}

static BOOL CALLBACK start_completion_workers(INIT_ONCE *once, void *param, void **context)
{
    HANDLE thread;

    if (!(completion_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1))) return FALSE;
    if (!(rescue_wake = CreateEventW(NULL, FALSE, FALSE, NULL))) return FALSE;
    if (!(thread = CreateThread(NULL, 64 * 1024, primary_worker, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL)))
        return FALSE;
    CloseHandle(thread);
    if ((thread = CreateThread(NULL, 64 * 1024, rescue_worker, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL)))
        CloseHandle(thread);
    else WARN("no rescue thread: a blocking callback delays every completion\n");
    return TRUE;
}

static DWORD ensure_io(struct netconn *conn)
{
    if (conn->io_bound || conn->host) return ERROR_SUCCESS;  /* host: its workers start with the first submit */
    if (!InitOnceExecuteOnce(&completion_once, start_completion_workers, NULL, NULL)) return ERROR_OUTOFMEMORY;
    if (!CreateIoCompletionPort((HANDLE)conn->socket, completion_port, (ULONG_PTR)conn, 0)) return GetLastError();
    conn->io_bound = TRUE;
    if (InterlockedIncrement(&bound_count) == 1) SetEvent(rescue_wake);
    conn->skip_port_on_success = SetFileCompletionNotificationModes((HANDLE)conn->socket,
                                                                    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    return ERROR_SUCCESS;
}

/* The socket is about to close: one connection fewer for the rescuer to watch. */
static void unbind_port(struct netconn *conn)
{
    if (conn->io_bound) InterlockedDecrement(&bound_count);
}

/* Starts (or restarts) the overlapped operation; errors other than pending
 * are reported through the completion function. */
static void start_op(struct net_op *op, BOOL is_send)
{
    struct netconn *conn = op->conn;
    DWORD flags = 0, count;
    int ret;

    if (conn->host)
    {
        unsigned int kind = is_send ? HOST_OP_SEND : op->wsabuf.len ? HOST_OP_RECV : HOST_OP_WAIT;
        DWORD result;
        size_t bytes = 0;

        if ((is_send && !op->wsabuf.len) || host_submit(conn->host, kind, op->wsabuf.buf, op->wsabuf.len, op,
                                                        &result, &bytes))
            done_at_once(op, is_send && !op->wsabuf.len ? 0 : result, bytes);
        return;
    }
    memset(&op->ovl, 0, sizeof(op->ovl));
    if (is_send) ret = WSASend(conn->socket, &op->wsabuf, 1, &count, 0, &op->ovl, NULL);
    else ret = WSARecv(conn->socket, &op->wsabuf, 1, &count, &flags, &op->ovl, NULL);
    started_op(op, ret, count, is_send ? "WSASend" : "WSARecv");
}

/* What follows the start of an overlapped operation (ret as WSASend's). */
static void started_op(struct net_op *op, int ret, DWORD count, const char *what)
{
    struct netconn *conn = op->conn;
    int err;

    if (!ret && conn->skip_port_on_success) done_at_once(op, ERROR_SUCCESS, count);
    else if (ret == SOCKET_ERROR && (err = WSAGetLastError()) != WSA_IO_PENDING)
    {
        /* No completion packet will come. */
        TRACE("%s failed at once: %d\n", what, err);
        complete_op(conn, &op->ovl, err, 0);
    }
}

/* An operation finished at once, and no packet will come: complete it here
 * when this thread already runs completions, else on the pool -- never
 * inside the caller of an API function.  result: a Winsock error or 0. */
static void done_at_once(struct net_op *op, DWORD result, size_t count)
{
    if (completing) run_completion(op, result, count);
    else
    {
        op->done_result = result;
        op->done_bytes = count;
        if (!TrySubmitThreadpoolCallback(run_completion_work, op, NULL)) run_completion(op, result, count);
    }
}

void net_host_complete(void *tag, DWORD wsa_error, size_t bytes)
{
    run_completion(tag, wsa_error, bytes);
}

static void start_send(struct net_op *op)
{
    size_t left = op->total - op->done;
    op->wsabuf.buf = (char *)op->base + op->done;
    op->wsabuf.len = left > 0x40000000 ? 0x40000000 : (ULONG)left;
    start_op(op, TRUE);
}

/* Readies the connection's receive or send operation for a new start. */
static DWORD prepare_op(struct netconn *conn, struct net_op *op, net_completion_fn fn, void *context)
{
    DWORD error;

    if ((error = ensure_io(conn))) return error;
    op->conn = conn;
    op->fn = fn;
    op->context = context;
    return ERROR_SUCCESS;
}

DWORD net_recv_async(struct netconn *conn, void *buf, size_t len, net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->recv_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->waiting = FALSE;
    if (conn->tls)
    {
        size_t plain;
        op->user_buf = buf;
        op->user_len = len;
        if (finish_tls_recv(op, &error, &plain))
        {
            /* Plaintext was already there: complete on this thread, after
             * the completion running here if any, so that a stream of
             * buffered records loops instead of recursing. */
            BOOL queued = completing;
            op->tls_ready = TRUE;
            op->tls_error = error;
            run_completion(op, ERROR_SUCCESS, error ? 0 : plain);
            return queued ? ERROR_IO_PENDING : ERROR_SUCCESS;
        }
        start_op(op, FALSE);
        return ERROR_IO_PENDING;
    }
    op->wsabuf.buf = buf;
    op->wsabuf.len = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    start_op(op, FALSE);
    return ERROR_IO_PENDING;
}

DWORD net_wait_async(struct netconn *conn, net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->recv_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->waiting = TRUE;
    if (conn->tls && tls_has_input(conn->tls))
    {
        /* Bytes are inside already: no socket read would report them. */
        BOOL queued = completing;
        op->tls_ready = TRUE;
        op->tls_error = ERROR_SUCCESS;
        run_completion(op, ERROR_SUCCESS, 0);
        return queued ? ERROR_IO_PENDING : ERROR_SUCCESS;
    }
    op->wsabuf.buf = NULL;
    op->wsabuf.len = 0;
    start_op(op, FALSE);
    return ERROR_IO_PENDING;
}

DWORD net_send_async(struct netconn *conn, const void *buf, size_t len, net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->send_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->done = 0;
    op->total = len;
    op->base = buf;
    op->fill = NULL;
    if (conn->tls)
    {
        /* Batches of records, each encrypted once the one before has left. */
        op->fill = fill_copy;
        op->fill_ctx = (void *)buf;
        op->plain_total = len;
        op->plain_done = 0;
        if ((error = next_batch(op))) return error;
    }
    start_send(op);
    return ERROR_IO_PENDING;
}

DWORD net_send_fill_async(struct netconn *conn, size_t total, net_fill_fn fill, void *fill_ctx,
                          net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->send_op;
    DWORD error, count;
    int ret;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->fill = fill;
    op->fill_ctx = fill_ctx;
    op->plain_total = total;
    op->plain_done = 0;
    do
    {
        if ((error = next_batch(op))) return error;
        while (op->done < op->total)
        {
            size_t left = op->total - op->done;

            op->wsabuf.buf = (char *)op->base + op->done;
            op->wsabuf.len = left > 0x40000000 ? 0x40000000 : (ULONG)left;
            if (conn->host)
            {
                size_t bytes;
                DWORD result;

                if (!host_submit(conn->host, HOST_OP_SEND, op->wsabuf.buf, op->wsabuf.len, op, &result, &bytes))
                    return ERROR_IO_PENDING;
                if (result) return map_socket_error(result);
                ret = 0;
                count = (DWORD)bytes;
            }
            else
            {
                memset(&op->ovl, 0, sizeof(op->ovl));
                ret = WSASend(conn->socket, &op->wsabuf, 1, &count, 0, &op->ovl, NULL);
            }
            if (!ret && (conn->skip_port_on_success || conn->host))
            {
                /* taken at once, and no packet will come: go on here */
                if (!count) return ERROR_WINHTTP_CONNECTION_ERROR;
                op->done += count;
                continue;
            }
            /* The socket is full: complete_op carries on from the completion. */
            if (!ret || WSAGetLastError() == WSA_IO_PENDING) return ERROR_IO_PENDING;
            TRACE("WSASend failed at once: %d\n", WSAGetLastError());
            return map_socket_error(WSAGetLastError());
        }
    } while (op->plain_done < op->plain_total);
    return ERROR_SUCCESS;
}

/* Connecting and the TLS handshake, overlapped ---------------------------- */

static LPFN_CONNECTEX connect_ex;
static INIT_ONCE connect_ex_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK find_connect_ex(INIT_ONCE *once, void *param, void **context)
{
    GUID guid = WSAID_CONNECTEX;
    SOCKET s = *(SOCKET *)param;
    DWORD bytes;

    return !WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof(guid), &connect_ex, sizeof(connect_ex),
                     &bytes, NULL, NULL) && connect_ex;
}

DWORD net_connect_async(const SOCKADDR_STORAGE *sa, int sa_len, struct netconn **ret, net_completion_fn fn,
                        void *context)
{
    SOCKADDR_STORAGE local;
    struct netconn *conn;
    struct net_op *op;
    DWORD error;
    size_t bytes;
    BOOL done;

    if ((error = new_conn(sa, sa_len, 0, TRUE, &conn))) return error;
    if (conn->host)
    {
        /* connecting already: the send slot waits for it */
        prepare_op(conn, &conn->send_op, fn, context);
        op = &conn->send_op;
        op->connecting = TRUE;
        op->done = op->total = 0;
        *ret = conn;
        if (host_submit(conn->host, HOST_OP_CONNECT, NULL, 0, op, &error, &bytes)) done_at_once(op, error, 0);
        return ERROR_IO_PENDING;
    }
    /* ConnectEx wants a bound socket: any local address of the family. */
    memset(&local, 0, sizeof(local));
    local.ss_family = sa->ss_family;
    if (!InitOnceExecuteOnce(&connect_ex_once, find_connect_ex, &conn->socket, NULL)
        || bind(conn->socket, (struct sockaddr *)&local, sa_len)
        || (error = prepare_op(conn, &conn->send_op, fn, context)))
    {
        TRACE("cannot start connecting: %d %lu\n", WSAGetLastError(), error);
        free_conn(conn);
        return ERROR_WINHTTP_CANNOT_CONNECT;
    }
    op = &conn->send_op;
    op->connecting = TRUE;
    op->done = op->total = 0;
    memset(&op->ovl, 0, sizeof(op->ovl));
    *ret = conn;  /* before the completion can run */
    done = connect_ex(conn->socket, (const struct sockaddr *)sa, sa_len, NULL, 0, NULL, &op->ovl);
    started_op(op, done ? 0 : SOCKET_ERROR, 0, "ConnectEx");
    return ERROR_IO_PENDING;
}

/* One overlapped handshake: its steps alternate token sends and receives
 * until Schannel is done; then the certificate is checked as in net_secure. */
struct handshake
{
    struct tls *tls;
    WCHAR *name;                  /* SNI */
    WCHAR *host;                  /* for the certificate check */
    DWORD security_flags;
    DWORD *cert_flags;
    void *token;                  /* being sent */
    DWORD after_token;            /* the step's result, acted on once the token is out */
    BOOL need_input;
    net_completion_fn fn;
    void *context;
};

static void handshake_continue(struct netconn *conn, struct handshake *hs);

static void handshake_finish(struct netconn *conn, struct handshake *hs, DWORD error)
{
    net_completion_fn fn = hs->fn;
    void *context = hs->context;

    tls_free_token(hs->token);
    if (error) tls_free(hs->tls);
    else error = finish_secure(conn, hs->tls, hs->host, hs->security_flags, hs->cert_flags);
    heap_free(hs->name);
    heap_free(hs->host);
    heap_free(hs);
    TRACE("handshake of %p: %lu\n", conn, error);
    fn(conn, context, error, 0);
}

static void handshake_received(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct handshake *hs = context;

    if (!error && !bytes) error = ERROR_WINHTTP_SECURE_FAILURE;  /* the server hung up */
    if (error)
    {
        handshake_finish(conn, hs, error);
        return;
    }
    tls_add_ciphertext(hs->tls, bytes);
    handshake_continue(conn, hs);
}

/* After the token went out: done, receive, or step again. */
static void handshake_next(struct netconn *conn, struct handshake *hs)
{
    size_t room;
    BYTE *pos;

    if (hs->after_token != ERROR_MORE_DATA)
    {
        handshake_finish(conn, hs, hs->after_token);
        return;
    }
    if (!hs->need_input)
    {
        handshake_continue(conn, hs);
        return;
    }
    pos = tls_read_buffer(hs->tls, &room);
    if (!room) handshake_finish(conn, hs, ERROR_WINHTTP_SECURE_FAILURE);
    else if (net_recv_async(conn, pos, room, handshake_received, hs) != ERROR_IO_PENDING)
        handshake_finish(conn, hs, ERROR_WINHTTP_CONNECTION_ERROR);
}

static void handshake_sent(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct handshake *hs = context;

    tls_free_token(hs->token);
    hs->token = NULL;
    if (error) handshake_finish(conn, hs, error);
    else handshake_next(conn, hs);
}

static void handshake_continue(struct netconn *conn, struct handshake *hs)
{
    size_t token_len;

    hs->after_token = tls_handshake_step(hs->tls, hs->name, &hs->token, &token_len, &hs->need_input);
    if (!hs->token)
    {
        handshake_next(conn, hs);
        return;
    }
    /* conn->tls is not set yet: this goes out as it is. */
    if (net_send_async(conn, hs->token, token_len, handshake_sent, hs) != ERROR_IO_PENDING)
        handshake_finish(conn, hs, ERROR_WINHTTP_CONNECTION_ERROR);
}

DWORD net_secure_async(struct netconn *conn, const WCHAR *host, DWORD protocols, DWORD security_flags,
                       DWORD *cert_flags, net_completion_fn fn, void *context)
{
    struct handshake *hs;
    DWORD error;

    *cert_flags = 0;
    if (!(hs = heap_alloc_zero(sizeof(*hs)))) return ERROR_OUTOFMEMORY;
    hs->name = bare_host(host);
    hs->host = strdupW(host);
    if (!hs->name || !hs->host) error = ERROR_OUTOFMEMORY;
    else error = tls_handshake_begin(protocols, &hs->tls);
    if (error)
    {
        heap_free(hs->name);
        heap_free(hs->host);
        heap_free(hs);
        return error;
    }
    hs->security_flags = security_flags;
    hs->cert_flags = cert_flags;
    hs->fn = fn;
    hs->context = context;
    handshake_continue(conn, hs);
    return ERROR_IO_PENDING;
}
