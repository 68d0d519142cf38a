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
#include "worker.h"
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
    BOOL waiting;                 /* net_wait_async: a zero-byte read, no EOF, nothing to decrypt */
    size_t done;                  /* bytes sent so far (send) */
    size_t total;
    BOOL connecting;              /* the send slot carries a ConnectEx */
    net_fill_fn fill;             /* batched send: writes the plaintext (TLS: into records; */
    void *fill_ctx;               /* plain: into conn->fill_buf), one batch after the other */
    size_t plain_total;
    size_t plain_done;            /* batched so far */
    size_t last_read;             /* receive: what the last socket read took (op_issue's yield) */
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
    const CERT_CONTEXT *rejected_cert; /* the server's certificate when its check failed */
    BOOL io_bound;                /* associated with the completion port (first async use) */
    BOOL skip_port_on_success;    /* operations that finish at once queue no packet */
    struct net_op recv_op;
    struct net_op send_op;
    BYTE *fill_buf;               /* net_send_fill on a plain connection: one piece */
    size_t fill_size;
};

/* Plain net_send_fill sends pieces of FILL_PIECE bytes, so that a huge
 * message needs no buffer of its size; a rest of up to FILL_SLACK bytes goes
 * with the piece before it.  A 4 MiB message and its frame header then
 * leave in one send, not one of 4 MiB and one of 14 bytes: a second socket
 * call and a tiny segment per message that cost stream4m a third of raw's
 * speed (docs/BENCHMARKS.md). */
#define FILL_PIECE (4 * 1024 * 1024)
#define FILL_SLACK (64 * 1024)

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

/* What GetAddrInfoExW needs for host and port: the name unbracketed (IPv6
 * literals arrive bracketed from URLs), the port as a service string. */
static DWORD resolve_args(const WCHAR *host, INTERNET_PORT port, WCHAR **name, WCHAR *service, size_t service_len,
                          ADDRINFOEXW *hints)
{
    size_t len = wcslen(host);

    net_init_winsock();
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') *name = strndupW(host + 1, len - 2);
    else *name = strdupW(host);
    if (!*name) return ERROR_OUTOFMEMORY;
    swprintf(service, service_len, L"%u", port);
    memset(hints, 0, sizeof(*hints));
    hints->ai_family = AF_UNSPEC;
    hints->ai_socktype = SOCK_STREAM;
    hints->ai_protocol = IPPROTO_TCP;
    return ERROR_SUCCESS;
}

/* Takes the addresses of a lookup that returned ret (and frees them). */
static DWORD take_addresses(const WCHAR *name, int ret, ADDRINFOEXW *result, struct net_address *addr)
{
    ADDRINFOEXW *ai;

    if (ret)
    {
        TRACE("failed to resolve %s: %d\n", debugstr_w(name), ret);
        if (result) FreeAddrInfoExW(result);
        return ERROR_WINHTTP_NAME_NOT_RESOLVED;
    }
    addr->count = 0;
    for (ai = result; ai && addr->count < NET_MAX_ADDRESSES; ai = (ADDRINFOEXW *)ai->ai_next)  /* mingw names its tag apart */
    {
        if (ai->ai_addrlen > sizeof(addr->all[0])) continue;
        memcpy(&addr->all[addr->count], ai->ai_addr, ai->ai_addrlen);
        addr->all_len[addr->count++] = (int)ai->ai_addrlen;
    }
    if (result) FreeAddrInfoExW(result);
    if (!addr->count) return ERROR_WINHTTP_NAME_NOT_RESOLVED;
    addr->addr = addr->all[0];
    addr->len = addr->all_len[0];
    return ERROR_SUCCESS;
}

/* A blocking lookup; numeric_only: literals only, which never wait. */
static DWORD resolve_now(const WCHAR *name, const WCHAR *service, ADDRINFOEXW *hints, BOOL numeric_only,
                         struct net_address *addr)
{
    ADDRINFOEXW *result = NULL;
    int ret;

    hints->ai_flags = numeric_only ? AI_NUMERICHOST : 0;
    ret = GetAddrInfoExW(name, service, NS_DNS, NULL, hints, &result, NULL, NULL, NULL, NULL);
    hints->ai_flags = 0;
    if (numeric_only && ret) return ERROR_IO_PENDING;  /* a name: it has to be looked up */
    return take_addresses(name, ret, result, addr);
}

/* An asynchronous lookup in flight (net_resolve_async).  Two references:
 * the resolver's (dropped by its completion routine) and the caller's
 * (net_lookup_end).  state is decided once: LOOKUP_DONE, the completion
 * hands the result to done; LOOKUP_DROPPED, the caller gave up first and
 * the late result is freed unseen -- the completion then touches nothing of
 * the caller's (addr, context), which may be gone. */
enum lookup_state { LOOKUP_PENDING, LOOKUP_DONE, LOOKUP_DROPPED };

struct net_lookup
{
    OVERLAPPED ovl;
    ADDRINFOEXW *result;          /* written by the resolver */
    HANDLE cancel;                /* for GetAddrInfoExCancel, where it works */
    LONG refs;
    LONG state;                   /* enum lookup_state */
    WCHAR *name;
    struct net_address *addr;
    net_resolved_fn done;
    void *context;
};

typedef INT (WSAAPI *lookup_cancel_fn)(HANDLE *handle);
static lookup_cancel_fn lookup_cancel;
static INIT_ONCE lookup_cancel_once = INIT_ONCE_STATIC_INIT;

/* GetAddrInfoExCancel (Windows 8 and later).  Not under Wine 8: there it is
 * a stub that cancels nothing, and asking GetAddrInfoExW for a cancel handle
 * prints a FIXME per lookup; a lookup given up is left to finish instead. */
static BOOL CALLBACK find_lookup_cancel(INIT_ONCE *once, void *param, void **context)
{
    HMODULE ws2 = GetModuleHandleW(L"ws2_32.dll");

    if (ws2 && !running_on_wine()) lookup_cancel = (lookup_cancel_fn)(void *)GetProcAddress(ws2, "GetAddrInfoExCancel");
    TRACE("GetAddrInfoExCancel: %p\n", lookup_cancel);
    return TRUE;
}

static void lookup_release(struct net_lookup *op)
{
    if (InterlockedDecrement(&op->refs)) return;
    heap_free(op->name);
    heap_free(op);
}

/* GetAddrInfoExW's completion routine: on a thread of the resolver's (a
 * Wine thread-pool thread under Wine 8), never the caller's. */
static void CALLBACK resolve_complete(DWORD error, DWORD bytes, OVERLAPPED *ovl)
{
    struct net_lookup *op = CONTAINING_RECORD(ovl, struct net_lookup, ovl);
    DWORD result;

    if (InterlockedCompareExchange(&op->state, LOOKUP_DONE, LOOKUP_PENDING) == LOOKUP_PENDING)
    {
        result = take_addresses(op->name, error, op->result, op->addr);
        TRACE("%s resolved: %lu\n", debugstr_w(op->name), result);
        op->done(op->context, result);
    }
    else
    {
        TRACE("%s: given up before it ended (%lu): result dropped\n", debugstr_w(op->name), error);
        if (op->result) FreeAddrInfoExW(op->result);
    }
    lookup_release(op);
}

BOOL net_lookup_end(struct net_lookup *lookup)
{
    BOOL dropped = InterlockedCompareExchange(&lookup->state, LOOKUP_DROPPED, LOOKUP_PENDING) == LOOKUP_PENDING;
    int ret;

    if (dropped)
    {
        TRACE("%s: lookup given up\n", debugstr_w(lookup->name));
        /* where it works, the resolver's completion comes sooner (cancelled) */
        if (lookup->cancel && lookup_cancel && (ret = lookup_cancel(&lookup->cancel)))
            TRACE("GetAddrInfoExCancel: %d\n", ret);
    }
    lookup_release(lookup);
    return dropped;
}

DWORD net_resolve_async(const WCHAR *host, INTERNET_PORT port, struct net_address *addr, net_resolved_fn done,
                        void *context, struct net_lookup **lookup)
{
    struct net_lookup *op = NULL;
    ADDRINFOEXW hints;
    WCHAR service[8], *name;
    DWORD error;
    int ret;

    *lookup = NULL;
    if ((error = resolve_args(host, port, &name, service, ARRAY_SIZE(service), &hints))) return error;
    /* a literal needs no lookup, and no thread */
    error = resolve_now(name, service, &hints, TRUE, addr);
    if (error == ERROR_IO_PENDING && !(op = heap_alloc_zero(sizeof(*op)))) error = ERROR_OUTOFMEMORY;
    if (error != ERROR_IO_PENDING)
    {
        heap_free(name);
        return error;
    }
    InitOnceExecuteOnce(&lookup_cancel_once, find_lookup_cancel, NULL, NULL);
    op->refs = 2;
    op->state = LOOKUP_PENDING;
    op->name = name;
    op->addr = addr;
    op->done = done;
    op->context = context;
    ret = GetAddrInfoExW(name, service, NS_DNS, NULL, &hints, &op->result, NULL, &op->ovl, resolve_complete,
                         lookup_cancel ? &op->cancel : NULL);
    if (ret == WSA_IO_PENDING)
    {
        *lookup = op;
        return ERROR_IO_PENDING;
    }
    if (!ret) error = take_addresses(name, ret, op->result, addr);  /* finished at once: no completion */
    else
    {
        /* no asynchronous lookups here (before Windows 8): the blocking one */
        TRACE("asynchronous lookup of %s refused (%d): blocking\n", debugstr_w(name), ret);
        error = resolve_now(name, service, &hints, FALSE, addr);
    }
    heap_free(name);
    heap_free(op);
    return error;
}

/* A blocking lookup bounded by a timeout or a cancel event: the
 * asynchronous one, waited for. */
struct lookup_wait
{
    HANDLE event;
    DWORD error;
};

static void lookup_waited(void *context, DWORD error)
{
    struct lookup_wait *wait = context;

    wait->error = error;
    SetEvent(wait->event);
}

/* A blocking call's wait: for done, at most timeout ms (<= 0: no bound),
 * and until cancel (an event, or NULL) is signalled.  WAIT_OBJECT_0: done;
 * WAIT_OBJECT_0 + 1: cancelled; else timed out. */
static DWORD wait_or_cancel(HANDLE done, HANDLE cancel, int timeout)
{
    HANDLE events[2] = { done, cancel };

    return WaitForMultipleObjects(cancel ? 2 : 1, events, FALSE, timeout > 0 ? (DWORD)timeout : INFINITE);
}

/* Waits for the lookup started with wait (see wait_or_cancel); a lookup
 * given up ends the wait at once, its late answer is dropped
 * (net_lookup_end). */
static DWORD lookup_wait_for(struct net_lookup *lookup, struct lookup_wait *wait, int timeout, HANDLE cancel,
                             const WCHAR *host)
{
    DWORD waited = wait_or_cancel(wait->event, cancel, timeout);

    if (waited != WAIT_OBJECT_0 && net_lookup_end(lookup))
    {
        if (waited == WAIT_OBJECT_0 + 1)
        {
            TRACE("lookup of %s cancelled\n", debugstr_w(host));
            return ERROR_WINHTTP_OPERATION_CANCELLED;
        }
        TRACE("lookup of %s: no answer in %d ms\n", debugstr_w(host), timeout);
        return ERROR_WINHTTP_TIMEOUT;
    }
    /* done ran, or is running: wait and wake belong to us until it returns */
    if (waited == WAIT_OBJECT_0) net_lookup_end(lookup);
    else WaitForSingleObject(wait->event, INFINITE);
    return wait->error;
}

DWORD net_resolve(const WCHAR *host, INTERNET_PORT port, int timeout, HANDLE cancel, struct net_address *addr)
{
    struct lookup_wait wait = { NULL, ERROR_SUCCESS };
    struct net_lookup *lookup;
    ADDRINFOEXW hints;
    WCHAR service[8], *name;
    DWORD error;

    if ((timeout > 0 || cancel) && (wait.event = CreateEventW(NULL, TRUE, FALSE, NULL)))
    {
        if ((error = net_resolve_async(host, port, addr, lookup_waited, &wait, &lookup)) == ERROR_IO_PENDING)
            error = lookup_wait_for(lookup, &wait, timeout, cancel, host);
        CloseHandle(wait.event);
        return error;
    }
    if ((error = resolve_args(host, port, &name, service, ARRAY_SIZE(service), &hints))) return error;
    error = resolve_now(name, service, &hints, FALSE, addr);
    heap_free(name);
    return error;
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

static void free_conn(struct netconn *conn)
{
    if (conn->host) host_close(conn->host);
    else closesocket(conn->socket);
    heap_free(conn);
}

/* What a connect the caller waits for came to (host sockets: the
 * completion of HOST_OP_CONNECT, on the backend's worker). */
struct connect_wait
{
    HANDLE event;
    DWORD error;
};

static void connect_waited(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct connect_wait *wait = context;

    wait->error = error;
    SetEvent(wait->event);
}

/* The error of an operation that wait_or_cancel ended as waited. */
static DWORD wait_error(DWORD waited, DWORD error)
{
    if (waited == WAIT_OBJECT_0) return error;
    return waited == WAIT_OBJECT_0 + 1 ? ERROR_WINHTTP_OPERATION_CANCELLED : ERROR_WINHTTP_TIMEOUT;
}

/* Host sockets: the asynchronous connect, waited for; a cancel or the
 * timeout cancels it (host_cancel) and the call returns once its completion
 * ran, which is at once. */
static DWORD host_connect_wait(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, HANDLE cancel,
                               struct netconn **ret)
{
    struct connect_wait wait = { NULL, ERROR_SUCCESS };
    struct netconn *conn = NULL;
    DWORD error, waited = WAIT_OBJECT_0;

    if (!(wait.event = CreateEventW(NULL, TRUE, FALSE, NULL))) return ERROR_OUTOFMEMORY;
    if ((error = net_connect_async(sa, sa_len, &conn, connect_waited, &wait)) == ERROR_IO_PENDING)
    {
        if ((waited = wait_or_cancel(wait.event, cancel, timeout)) != WAIT_OBJECT_0) net_cancel(conn);
        WaitForSingleObject(wait.event, INFINITE);
        error = wait_error(waited, wait.error);
    }
    else if (!error) error = wait.error;  /* the completion ran on this thread */
    CloseHandle(wait.event);
    if (error && conn) net_close(conn);
    else if (!error) *ret = conn;
    return error;
}

/* Winsock: a connect within timeout that cancel (or NULL) ends early:
 * non-blocking while it waits (WSAEventSelect), blocking again after. */
static DWORD socket_connect_wait(struct netconn *conn, const SOCKADDR_STORAGE *sa, int sa_len, int timeout,
                                 HANDLE cancel)
{
    WSANETWORKEVENTS events;
    u_long nonblocking = 0;
    DWORD error = ERROR_SUCCESS, waited;
    HANDLE event;

    if (!(event = CreateEventW(NULL, TRUE, FALSE, NULL))) return ERROR_OUTOFMEMORY;
    WSAEventSelect(conn->socket, event, FD_CONNECT);
    if (connect(conn->socket, (const struct sockaddr *)sa, sa_len) == SOCKET_ERROR)
    {
        if (WSAGetLastError() != WSAEWOULDBLOCK) error = ERROR_WINHTTP_CANNOT_CONNECT;
        else if ((waited = wait_or_cancel(event, cancel, timeout)) != WAIT_OBJECT_0) error = wait_error(waited, 0);
        else if (WSAEnumNetworkEvents(conn->socket, event, &events) || !(events.lNetworkEvents & FD_CONNECT)
                 || events.iErrorCode[FD_CONNECT_BIT])
            error = ERROR_WINHTTP_CANNOT_CONNECT;
    }
    WSAEventSelect(conn->socket, NULL, 0);
    ioctlsocket(conn->socket, FIONBIO, &nonblocking);
    CloseHandle(event);
    return error;
}

static DWORD connect_one(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, HANDLE cancel, struct netconn **ret)
{
    struct netconn *conn;
    DWORD error = ERROR_SUCCESS;

    if (host_enabled() && cancel) return host_connect_wait(sa, sa_len, timeout, cancel, ret);
    if ((error = new_conn(sa, sa_len, timeout, FALSE, &conn))) return error;
    if (conn->host)  /* connected already */
    {
        *ret = conn;
        return ERROR_SUCCESS;
    }
    if (timeout > 0 || cancel) error = socket_connect_wait(conn, sa, sa_len, timeout, cancel);
    else if (connect(conn->socket, (const struct sockaddr *)sa, sa_len) == SOCKET_ERROR)
        error = ERROR_WINHTTP_CANNOT_CONNECT;
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

DWORD net_connect(const struct net_address *addr, int timeout, HANDLE cancel, struct netconn **ret)
{
    DWORD error = ERROR_WINHTTP_CANNOT_CONNECT;
    int i;

    if (!addr->count) return connect_one(&addr->addr, addr->len, timeout, cancel, ret);
    for (i = 0; i < addr->count; i++)
    {
        if (!(error = connect_one(&addr->all[i], addr->all_len[i], timeout, cancel, ret))) break;
        if (error == ERROR_WINHTTP_OPERATION_CANCELLED) break;
    }
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

/* Plain connections: the next piece of what net_send_fill sends, bytes
 * [offset, offset + *len) of total, written by fill into conn->fill_buf. */
static DWORD fill_piece(struct netconn *conn, size_t total, size_t offset, net_fill_fn fill, void *context,
                        size_t *len)
{
    size_t left = total - offset, piece = left <= FILL_PIECE + FILL_SLACK ? left : FILL_PIECE;

    if (conn->fill_size < piece)
    {
        BYTE *buf = heap_realloc(conn->fill_buf, piece);
        if (!buf) return ERROR_NOT_ENOUGH_MEMORY;
        conn->fill_buf = buf;
        conn->fill_size = piece;
    }
    fill(context, offset, conn->fill_buf, piece);
    *len = piece;
    return ERROR_SUCCESS;
}

DWORD net_send_fill(struct netconn *conn, size_t total, net_fill_fn fill, void *context)
{
    size_t piece, offset;
    DWORD error;

    if (conn->tls) return tls_send_fill(conn, total, fill, context);
    for (offset = 0; offset < total; offset += piece)
    {
        if ((error = fill_piece(conn, total, offset, fill, context, &piece))) return error;
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
        /* Windows still answers WINHTTP_OPTION_SERVER_CERT_CONTEXT after an
         * ERROR_WINHTTP_SECURE_FAILURE: programs look at the certificate to
         * decide whether to retry ignoring the errors (libgit2 does). */
        if (error == ERROR_WINHTTP_SECURE_FAILURE && !conn->rejected_cert)
            conn->rejected_cert = tls_server_certificate(tls);
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

DWORD net_secure(struct netconn *conn, const WCHAR *host, const struct net_tls_params *params, DWORD security_flags,
                 DWORD *cert_flags)
{
    struct tls *tls;
    WCHAR *name;
    void *token;
    size_t token_len;
    BOOL need_input;
    DWORD error, send_error;

    *cert_flags = 0;
    if (!(name = bare_host(host))) return ERROR_OUTOFMEMORY;
    if ((error = tls_handshake_begin(params, &tls)))
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
    if (conn->tls) return tls_server_certificate(conn->tls);
    return conn->rejected_cert ? CertDuplicateCertificateContext(conn->rejected_cert) : NULL;
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
    if (conn->rejected_cert) CertFreeCertificateContext(conn->rejected_cert);
    if (conn->host) host_close(conn->host);
    else closesocket(conn->socket);
    heap_free(conn->fill_buf);
    heap_free(conn);
}

/* Asynchronous I/O ------------------------------------------------------ */

/* A completion function only stores its result and wakes the task that
 * waits for it (task.c), or runs one step of the TLS handshake below: it
 * never runs a program's callback and never blocks.  So it may run on the
 * completion thread, or on the thread that started the operation when the
 * socket finished it at once. */

/* TLS receive: decrypt what has arrived; FALSE if another read is needed
 * (op->wsabuf then points at the room for it). */
static BOOL finish_tls_recv(struct net_op *op, DWORD *error, size_t *bytes)
{
    *error = tls_take_plaintext(op->conn->tls, op->user_buf, op->user_len, bytes);
    if (*error != ERROR_MORE_DATA) return TRUE;
    op->wsabuf.buf = (char *)tls_read_buffer(op->conn->tls, bytes);
    op->wsabuf.len = (ULONG)*bytes;
    *error = ERROR_SUCCESS;
    return FALSE;
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
        if ((error = fill_piece(conn, op->plain_total, op->plain_done, op->fill, op->fill_ctx, &out_len)))
            return error;
        op->plain_done += out_len;
        out = conn->fill_buf;
    }
    op->base = out;
    op->total = out_len;
    op->done = 0;
    return ERROR_SUCCESS;
}

/* Points the send's buffer at what is left of the current batch. */
static void aim_send(struct net_op *op)
{
    size_t left = op->total - op->done;
    op->wsabuf.buf = (char *)op->base + op->done;
    op->wsabuf.len = left > 0x40000000 ? 0x40000000 : (ULONG)left;
}

/* One Winsock call of op finished with result (a Winsock error or 0) and
 * bytes.  TRUE: the operation is over, *error and *out say how; FALSE: it
 * goes on (op->wsabuf is set for the next call). */
static BOOL op_step(struct net_op *op, DWORD result, ULONG_PTR bytes, DWORD *error, size_t *out)
{
    struct netconn *conn = op->conn;

    *error = result ? map_socket_error(result) : ERROR_SUCCESS;
    *out = 0;
    if (op->connecting)
    {
        op->connecting = FALSE;
        if (!*error && !conn->host && setsockopt(conn->socket, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0))
            *error = ERROR_WINHTTP_CANNOT_CONNECT;
        else if (*error && *error != ERROR_WINHTTP_OPERATION_CANCELLED) *error = ERROR_WINHTTP_CANNOT_CONNECT;
        TRACE("connect of %p: %lu\n", conn, *error);
        return TRUE;
    }
    if (op == &conn->recv_op)
    {
        if (*error || op->waiting || !conn->tls)
        {
            *out = *error ? 0 : bytes;
            return TRUE;
        }
        if (!bytes)
        {
            *error = tls_end_of_stream(conn->tls);
            return TRUE;
        }
        tls_add_ciphertext(conn->tls, bytes);
        if (!finish_tls_recv(op, error, out)) return FALSE;
        if (*error) *out = 0;
        return TRUE;
    }
    if (*error) return TRUE;
    op->done += bytes;
    if (bytes && op->done < op->total)
    {
        aim_send(op);  /* partial send: carry on */
        return FALSE;
    }
    if (op->done < op->total) *error = ERROR_WINHTTP_CONNECTION_ERROR;
    else if (op->fill && op->plain_done < op->plain_total)
    {
        if (!(*error = next_batch(op)))
        {
            aim_send(op);
            return FALSE;
        }
    }
    else *out = op->fill ? op->plain_total : op->done;
    return TRUE;
}

/* A socket read that took less than this yields before the next one. */
#define YIELD_BELOW 4096

/* Makes op's next Winsock call.  TRUE when it finished at once (*result,
 * *bytes say how; no packet will come), FALSE when the port brings it. */
static BOOL op_issue(struct net_op *op, DWORD *result, ULONG_PTR *bytes)
{
    struct netconn *conn = op->conn;
    DWORD flags = 0, count = 0;
    int ret;

    if (conn->host)
    {
        BOOL send = op == &conn->send_op;
        unsigned int kind = send ? HOST_OP_SEND : op->wsabuf.len ? HOST_OP_RECV : HOST_OP_WAIT;
        size_t done = 0;

        *result = ERROR_SUCCESS;
        if (send && !op->wsabuf.len) done = 0;  /* nothing to send: finished */
        else if (!host_submit(conn->host, kind, op->wsabuf.buf, op->wsabuf.len, op, result, &done)) return FALSE;
        *bytes = done;
        return TRUE;
    }
    memset(&op->ovl, 0, sizeof(op->ovl));
    if (op == &conn->send_op) ret = WSASend(conn->socket, &op->wsabuf, 1, &count, 0, &op->ovl, NULL);
    else
    {
        /* Under Wine a socket read costs two wineserver round trips whether
         * it finds one message or twenty, and a worker that reads the moment
         * it may finds one at a time: the program's sending thread and a
         * peer on this machine have not run yet.  Giving up the CPU first
         * lets what is ready run, and the read takes what they produced
         * together (async_pipe16 0.58 -> 0.93 of raw Winsock, a read through
         * a proxy no longer pends: docs/BENCHMARKS.md, "A yield before each
         * read").  One cheap system call where nothing else is ready; only
         * after a small read (a bulk transfer's reads are full: nothing to
         * gather, and a busy CPU would delay them by a time slice); not for
         * zero-byte waits (idle connections), not on host sockets (their
         * reads are no server call; measured no gain). */
        if (op->wsabuf.len && op->last_read < YIELD_BELOW) SwitchToThread();
        ret = WSARecv(conn->socket, &op->wsabuf, 1, &count, &flags, &op->ovl, NULL);
    }
    if (!ret && conn->skip_port_on_success)
    {
        *result = ERROR_SUCCESS;
        *bytes = count;
        return TRUE;
    }
    if (!ret || (ret = WSAGetLastError()) == WSA_IO_PENDING) return FALSE;
    TRACE("%s failed at once: %d\n", op == &conn->send_op ? "WSASend" : "WSARecv", ret);
    *result = ret;
    *bytes = 0;
    return TRUE;
}

/* Carries op on from a finished Winsock call until it is over (then its
 * completion function runs here: TRUE) or waits for the port (FALSE).  A
 * loop, not recursion: a stream of calls that finish at once stays flat. */
static BOOL op_drive(struct net_op *op, DWORD result, ULONG_PTR bytes)
{
    size_t out;
    DWORD error;

    for (;;)
    {
        if (op == &op->conn->recv_op) op->last_read = bytes;
        if (op_step(op, result, bytes, &error, &out)) break;
        if (!op_issue(op, &result, &bytes)) return FALSE;
    }
    op->fn(op->conn, op->context, error, out);
    return TRUE;
}

/* The host backend's completion of an operation it took (net_host.c). */
void net_host_complete(void *tag, DWORD wsa_error, size_t bytes)
{
    op_drive(tag, wsa_error, bytes);
}

/* Starts op (its buffer set): ERROR_SUCCESS when it is already over and its
 * completion ran on this thread, ERROR_IO_PENDING otherwise. */
static DWORD op_start(struct net_op *op)
{
    ULONG_PTR bytes;
    DWORD result;

    if (!op_issue(op, &result, &bytes)) return ERROR_IO_PENDING;
    return op_drive(op, result, bytes) ? ERROR_SUCCESS : ERROR_IO_PENDING;
}

/* Every socket is bound to the engine's completion port (worker.c) with
 * this as its key: the engine worker that takes a completion carries the
 * operation on, and runs its completion function -- and so the task it
 * wakes -- itself. */
static void port_completion(void *overlapped, DWORD result, size_t bytes)
{
    op_drive(CONTAINING_RECORD(overlapped, struct net_op, ovl), result, bytes);
}

static DWORD ensure_io(struct netconn *conn)
{
    HANDLE port;

    if (conn->io_bound || conn->host) return ERROR_SUCCESS;  /* host: its workers start with the first submit */
    if (!(port = engine_port())) return ERROR_OUTOFMEMORY;
    if (!CreateIoCompletionPort((HANDLE)conn->socket, port, (ULONG_PTR)port_completion, 0)) return GetLastError();
    conn->io_bound = TRUE;
    conn->skip_port_on_success = SetFileCompletionNotificationModes((HANDLE)conn->socket,
                                                                    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    return ERROR_SUCCESS;
}

/* Readies the connection's receive or send operation for a new start. */
static DWORD prepare_op(struct netconn *conn, struct net_op *op, net_completion_fn fn, void *context)
{
    DWORD error;

    if ((error = ensure_io(conn))) return error;
    op->conn = conn;
    op->fn = fn;
    op->context = context;
    op->connecting = FALSE;
    op->waiting = FALSE;
    op->fill = NULL;
    return ERROR_SUCCESS;
}

DWORD net_recv_async(struct netconn *conn, void *buf, size_t len, net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->recv_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    if (conn->tls)
    {
        size_t plain;

        op->user_buf = buf;
        op->user_len = len;
        if (finish_tls_recv(op, &error, &plain))
        {
            /* the plaintext was there already */
            fn(conn, context, error, error ? 0 : plain);
            return ERROR_SUCCESS;
        }
        return op_start(op);
    }
    op->wsabuf.buf = buf;
    op->wsabuf.len = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    return op_start(op);
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
        fn(conn, context, ERROR_SUCCESS, 0);
        return ERROR_SUCCESS;
    }
    op->wsabuf.buf = NULL;
    op->wsabuf.len = 0;
    return op_start(op);
}

DWORD net_send_async(struct netconn *conn, const void *buf, size_t len, net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->send_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->done = 0;
    op->total = len;
    op->base = buf;
    if (conn->tls)
    {
        /* Batches of records, each encrypted once the one before has left. */
        op->fill = fill_copy;
        op->fill_ctx = (void *)buf;
        op->plain_total = len;
        op->plain_done = 0;
        if ((error = next_batch(op))) return error;
    }
    aim_send(op);
    return op_start(op);
}

DWORD net_send_fill_async(struct netconn *conn, size_t total, net_fill_fn fill, void *fill_ctx,
                          net_completion_fn fn, void *context)
{
    struct net_op *op = &conn->send_op;
    DWORD error;

    if ((error = prepare_op(conn, op, fn, context))) return error;
    op->fill = fill;
    op->fill_ctx = fill_ctx;
    op->plain_total = total;
    op->plain_done = 0;
    if ((error = next_batch(op))) return error;
    aim_send(op);
    return op_start(op);
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
    DWORD error, result;
    size_t bytes;

    if ((error = new_conn(sa, sa_len, 0, TRUE, &conn))) return error;
    if (conn->host)
    {
        /* connecting already: the send slot waits for it */
        prepare_op(conn, &conn->send_op, fn, context);
        op = &conn->send_op;
        op->connecting = TRUE;
        op->done = op->total = 0;
        *ret = conn;
        if (!host_submit(conn->host, HOST_OP_CONNECT, NULL, 0, op, &result, &bytes)) return ERROR_IO_PENDING;
        return op_drive(op, result, 0) ? ERROR_SUCCESS : ERROR_IO_PENDING;
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
    if (connect_ex(conn->socket, (const struct sockaddr *)sa, sa_len, NULL, 0, NULL, &op->ovl))
    {
        if (!conn->skip_port_on_success) return ERROR_IO_PENDING;
        return op_drive(op, ERROR_SUCCESS, 0) ? ERROR_SUCCESS : ERROR_IO_PENDING;
    }
    if ((result = WSAGetLastError()) == WSA_IO_PENDING) return ERROR_IO_PENDING;
    TRACE("ConnectEx failed at once: %lu\n", result);
    op_drive(op, result, 0);
    return ERROR_SUCCESS;
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
    DWORD error;
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
    else if ((error = net_recv_async(conn, pos, room, handshake_received, hs)) && error != ERROR_IO_PENDING)
        handshake_finish(conn, hs, error);  /* else handshake_received runs (or ran) */
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
    DWORD error;

    hs->after_token = tls_handshake_step(hs->tls, hs->name, &hs->token, &token_len, &hs->need_input);
    if (!hs->token)
    {
        handshake_next(conn, hs);
        return;
    }
    /* conn->tls is not set yet: this goes out as it is. */
    if ((error = net_send_async(conn, hs->token, token_len, handshake_sent, hs)) && error != ERROR_IO_PENDING)
        handshake_finish(conn, hs, error);  /* else handshake_sent runs (or ran) */
}

DWORD net_secure_async(struct netconn *conn, const WCHAR *host, const struct net_tls_params *params,
                       DWORD security_flags, DWORD *cert_flags, net_completion_fn fn, void *context)
{
    struct handshake *hs;
    DWORD error;

    *cert_flags = 0;
    if (!(hs = heap_alloc_zero(sizeof(*hs)))) return ERROR_OUTOFMEMORY;
    hs->name = bare_host(host);
    hs->host = strdupW(host);
    if (!hs->name || !hs->host) error = ERROR_OUTOFMEMORY;
    else error = tls_handshake_begin(params, &hs->tls);
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
