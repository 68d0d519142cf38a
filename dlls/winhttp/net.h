/*
 * The transport: the one place that touches sockets.
 *
 * A small interface -- resolve, connect, send, receive, close, and
 * completion delivery for asynchronous receives and sends -- so that a second
 * backend (host sockets through a Wine unix library) can replace ws2_32 here
 * without touching the HTTP or WebSocket code.  TLS (Schannel) will live
 * below this interface too: callers see plaintext.
 *
 * Errors are WinHTTP error codes (ERROR_WINHTTP_TIMEOUT,
 * ERROR_WINHTTP_CONNECTION_ERROR, ERROR_WINHTTP_CANNOT_CONNECT,
 * ERROR_WINHTTP_NAME_NOT_RESOLVED, ...).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_NET_H
#define WINHTTP_NET_H

#include "winhttp_private.h"
#include <wincrypt.h>

struct netconn;

#define NET_MAX_ADDRESSES 8

struct net_address
{
    SOCKADDR_STORAGE addr;        /* the first address (the one connected to, in conn->addr) */
    int len;
    int count;                    /* every address the name has, tried in order by net_connect */
    SOCKADDR_STORAGE all[NET_MAX_ADDRESSES];
    int all_len[NET_MAX_ADDRESSES];
};

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
    DWORD tls_error;              /* and the error to complete it with */
    DWORD done_result;            /* an operation that finished at once, waiting to be completed */
    ULONG_PTR done_bytes;
    struct net_op *next_done;
    size_t done;                  /* bytes sent so far (send) */
    size_t total;
    BOOL connecting;              /* the send slot carries a ConnectEx */
    const void *plain;            /* TLS send: the plaintext, encrypted batch by batch */
    size_t plain_total;
    size_t plain_done;            /* encrypted so far */
};

struct netconn
{
    SOCKET socket;
    SOCKADDR_STORAGE addr;        /* the peer */
    int addr_len;
    int send_timeout;             /* as last applied to the socket */
    int receive_timeout;
    struct tls *tls;              /* set once net_secure succeeded */
    BOOL io_bound;                /* associated with the completion port (first async use) */
    BOOL skip_port_on_success;    /* operations that finish at once queue no packet */
    struct net_op recv_op;
    struct net_op send_op;
    /* keep-alive pool bookkeeping (pool.c) */
    struct netconn *pool_next;
    WCHAR *pool_host;
    INTERNET_PORT pool_port;
    DWORD pool_secure;          /* 0: plain; else the request's pool_key (TLS + ignored checks) */
    ULONGLONG pool_idle_since;
};

/* Completion of an asynchronous operation; runs on a pool thread, or on the
 * calling thread when the operation finished at once.  bytes == 0 with
 * error == ERROR_SUCCESS on a receive means the peer closed the connection. */
typedef void (*net_completion_fn)(struct netconn *conn, void *context, DWORD error, size_t bytes);

/* Resolves host (a name, an IPv4 or a bracketless IPv6 literal) for port;
 * timeout in ms, 0 or -1 = none. */
DWORD net_resolve(const WCHAR *host, INTERNET_PORT port, int timeout, struct net_address *addr);
/* Connects to the first address that answers (e.g. "localhost" may give ::1
 * before 127.0.0.1), with TCP_NODELAY set; timeout in ms per address, 0 or -1 = none. */
DWORD net_connect(const struct net_address *addr, int timeout, struct netconn **ret);
/* Timeouts for the blocking calls below, in ms; 0 or -1 = none. */
void net_set_timeouts(struct netconn *conn, int send_timeout, int receive_timeout);
/* Sends all of buf (blocking). */
DWORD net_send(struct netconn *conn, const void *buf, size_t len);
/* Writes bytes [offset, offset + len) of what net_send_fill sends to dst. */
typedef void (*net_fill_fn)(void *context, size_t offset, BYTE *dst, size_t len);
/* Secure connections only: sends total bytes that fill writes straight into
 * the TLS records (blocking), so data the caller transforms on the way out
 * (websocket masking) is copied once, not into a buffer and again into the
 * records. */
DWORD net_send_fill(struct netconn *conn, size_t total, net_fill_fn fill, void *context);
/* Receives at least one byte, at most len (blocking); *received = 0 at EOF. */
DWORD net_recv(struct netconn *conn, void *buf, size_t len, size_t *received);
/* Waits up to timeout ms for data to read: ERROR_SUCCESS when readable
 * (or at EOF), ERROR_WINHTTP_TIMEOUT otherwise. */
DWORD net_wait_readable(struct netconn *conn, int timeout);
/* TRUE if the connection still looks usable for another request (no EOF, no
 * unexpected bytes pending): used before reusing a pooled connection. */
BOOL net_is_alive(struct netconn *conn);
/* Stops further sends (TCP FIN), keeps receiving. */
void net_shutdown_send(struct netconn *conn);
/* Aborts whatever is pending on conn (completions fire with
 * ERROR_WINHTTP_OPERATION_CANCELLED) without freeing it. */
void net_cancel(struct netconn *conn);
/* Closes and frees; pending completions must have fired (see net_cancel). */
void net_close(struct netconn *conn);

/* Asynchronous, completion-based I/O on the shared bounded pool: at most one
 * receive and one send in flight per connection.  Return ERROR_IO_PENDING
 * when the completion will fire later, or ERROR_SUCCESS when it already ran
 * on this thread (then it is not called again), or an error (not called). */
DWORD net_recv_async(struct netconn *conn, void *buf, size_t len, net_completion_fn fn, void *context);
/* Completes (bytes == 0) once data can be read, without taking any: a
 * zero-byte overlapped read, so waiting needs no buffer.  Not for TLS. */
DWORD net_wait_async(struct netconn *conn, net_completion_fn fn, void *context);
DWORD net_send_async(struct netconn *conn, const void *buf, size_t len, net_completion_fn fn, void *context);

/* Starts connecting to one address; *ret is the new connection at once (so
 * that net_cancel can reach it) and fn reports the outcome.  Returns
 * ERROR_IO_PENDING, or an error (then *ret is not set, fn not called). */
DWORD net_connect_async(const SOCKADDR_STORAGE *sa, int sa_len, struct netconn **ret, net_completion_fn fn,
                        void *context);

/* Turns conn into a TLS connection (Schannel): handshake with SNI for host,
 * then the server certificate is checked unless security_flags
 * (SECURITY_FLAG_IGNORE_*) say otherwise.  On ERROR_WINHTTP_SECURE_FAILURE
 * *cert_flags has the WINHTTP_CALLBACK_STATUS_FLAG_* bits of what failed. */
DWORD net_secure(struct netconn *conn, const WCHAR *host, DWORD protocols, DWORD security_flags, DWORD *cert_flags);
/* net_secure without blocking: fn reports the outcome (ERROR_IO_PENDING
 * returned), *cert_flags being set before it runs; or an error returned. */
DWORD net_secure_async(struct netconn *conn, const WCHAR *host, DWORD protocols, DWORD security_flags,
                       DWORD *cert_flags, net_completion_fn fn, void *context);
/* The server's certificate of a secure connection (caller frees), or NULL. */
const CERT_CONTEXT *net_server_certificate(struct netconn *conn);

/* Cipher strength in bits of a secure connection, 0 otherwise. */
DWORD net_cipher_strength(struct netconn *conn);

/* Raw socket I/O and the TLS layer (tls.c), for net.c and tls.c only. */
DWORD sock_send(struct netconn *conn, const void *buf, size_t len);
DWORD sock_recv(struct netconn *conn, void *buf, size_t len, size_t *received);
struct tls;
DWORD tls_handshake_begin(DWORD protocols, struct tls **ret);
DWORD tls_handshake_step(struct tls *tls, const WCHAR *server_name, void **token, size_t *token_len,
                         BOOL *need_input);
void tls_free_token(void *token);
DWORD tls_verify_certificate(struct tls *tls, const WCHAR *host, DWORD security_flags, DWORD *flags);
const CERT_CONTEXT *tls_server_certificate(struct tls *tls);
DWORD tls_cipher_strength(struct tls *tls);
DWORD tls_send(struct netconn *conn, struct tls *tls, const void *buf, size_t len);
DWORD tls_send_fill(struct netconn *conn, struct tls *tls, size_t len, net_fill_fn fill, void *context);
DWORD tls_encrypt_records(struct tls *tls, size_t total, size_t *offset, net_fill_fn fill, void *context,
                          const BYTE **out, size_t *out_len);
/* net_fill_fn for a plain buffer (context). */
void tls_fill_copy(void *context, size_t offset, BYTE *dst, size_t len);
BYTE *tls_read_buffer(struct tls *tls, size_t *room);
void tls_add_ciphertext(struct tls *tls, size_t len);
DWORD tls_take_plaintext(struct tls *tls, void *buf, size_t len, size_t *got);
DWORD tls_end_of_stream(struct tls *tls);
void tls_shutdown(struct netconn *conn, struct tls *tls);
void tls_free(struct tls *tls);

/* Keep-alive pool of idle connections, process-wide, per host:port (pool.c). */
struct netconn *net_pool_take(struct session *session, const WCHAR *host, INTERNET_PORT port, DWORD secure);
void net_pool_put(struct session *session, struct netconn *conn, const WCHAR *host, INTERNET_PORT port, DWORD secure);

#endif /* WINHTTP_NET_H */
