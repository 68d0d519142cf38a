/*
 * The transport: the one place that touches sockets.
 *
 * A small interface -- resolve, connect, secure, send, receive, cancel,
 * close, and completion delivery for asynchronous operations -- so that a
 * second backend (host sockets through a Wine unix library) can replace
 * ws2_32 here without touching the HTTP or WebSocket code.
 *
 * The contract a backend keeps:
 * - struct netconn is opaque: callers hold a pointer and use these calls.
 * - Plain and secure connections take the same calls; TLS (tls.h, a record
 *   codec private to net.c) lives below, callers see plaintext only.
 * - At most one receive and one send in flight per connection, from any
 *   threads; net_cancel and net_set_timeouts may be called beside them.
 * - A completion runs exactly once per operation that was started: on the
 *   backend's completion thread, or inside the call that started it when
 *   the operation finished at once (the call then returns ERROR_SUCCESS;
 *   net_secure_async returns ERROR_IO_PENDING either way).  So a completion
 *   function only stores its result and wakes its task (task.c): it never
 *   runs a program's callback and never blocks.
 * - net_close only once nothing is in flight (net_cancel first).
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

/* Completion of an asynchronous operation; runs on the engine worker that
 * took the completion (worker.h), or on the calling thread when the
 * operation finished at once.  bytes == 0 with
 * error == ERROR_SUCCESS on a receive means the peer closed the connection. */
typedef void (*net_completion_fn)(struct netconn *conn, void *context, DWORD error, size_t bytes);

/* Resolves host (a name, an IPv4 or a bracketless IPv6 literal) for port;
 * timeout in ms, 0 or -1 = none (the resolver's own bound): past it,
 * ERROR_WINHTTP_TIMEOUT; cancel (an event, or NULL) signalled before the
 * answer: ERROR_WINHTTP_OPERATION_CANCELLED.  Either way the caller returns
 * at once and the lookup is given up (net_lookup_end). */
DWORD net_resolve(const WCHAR *host, INTERNET_PORT port, int timeout, HANDLE cancel, struct net_address *addr);
/* The end of an asynchronous lookup: error, and addr filled. */
typedef void (*net_resolved_fn)(void *context, DWORD error);
/* An asynchronous lookup in flight. */
struct net_lookup;
/* Starts resolving host for port into addr without blocking the caller:
 * ERROR_IO_PENDING and *lookup, then done runs at most once, on a thread of
 * the resolver's (not an engine worker: wake the task with task_wake); or
 * the result at once (a literal; or, where the system has no asynchronous
 * lookups, a blocking one), with no call to done and *lookup NULL.  addr
 * and context must stay until done has run or net_lookup_end gave it up. */
DWORD net_resolve_async(const WCHAR *host, INTERNET_PORT port, struct net_address *addr, net_resolved_fn done,
                        void *context, struct net_lookup **lookup);
/* The caller is finished with lookup (call it once, after done ran or to
 * give up; lookup is gone after).  TRUE: done had not started and now never
 * will -- the lookup is cancelled where the system can (GetAddrInfoExCancel),
 * else left to finish and its result dropped (Wine 8, whose
 * GetAddrInfoExCancel is a stub); the caller ends the operation itself.
 * FALSE: done has run or is running. */
BOOL net_lookup_end(struct net_lookup *lookup);
/* Connects to the first address that answers (e.g. "localhost" may give ::1
 * before 127.0.0.1), with TCP_NODELAY set; timeout in ms per address, 0 or
 * -1 = none; cancel (an event, or NULL) signalled ends the wait at once with
 * ERROR_WINHTTP_OPERATION_CANCELLED. */
DWORD net_connect(const struct net_address *addr, int timeout, HANDLE cancel, struct netconn **ret);
/* Timeouts for the blocking calls below, in ms; 0 or -1 = none. */
void net_set_timeouts(struct netconn *conn, int send_timeout, int receive_timeout);
/* The blocking calls' receive timeout alone (the send timeout stays). */
void net_set_receive_timeout(struct netconn *conn, int receive_timeout);
/* The local address of the connection. */
void net_local_address(struct netconn *conn, SOCKADDR_STORAGE *addr, int *len);
/* The address of the peer connected to. */
void net_peer_address(struct netconn *conn, SOCKADDR_STORAGE *addr, int *len);
/* Sends all of buf (blocking). */
DWORD net_send(struct netconn *conn, const void *buf, size_t len);
/* Writes bytes [offset, offset + len) of what net_send_fill sends to dst. */
typedef void (*net_fill_fn)(void *context, size_t offset, BYTE *dst, size_t len);
/* Sends total bytes that fill writes (blocking): straight into the TLS
 * records of a secure connection, into pieces of a send buffer otherwise,
 * so that data the caller transforms on the way out (websocket masking) is
 * copied once. */
DWORD net_send_fill(struct netconn *conn, size_t total, net_fill_fn fill, void *context);
/* Receives at least one byte, at most len (blocking); *received = 0 at EOF. */
DWORD net_recv(struct netconn *conn, void *buf, size_t len, size_t *received);
/* What has arrived, without waiting (no operation of the connection may be
 * in flight): ERROR_IO_PENDING when nothing (or no whole TLS record) has;
 * *received = 0 at EOF. */
DWORD net_recv_now(struct netconn *conn, void *buf, size_t len, size_t *received);
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

/* Asynchronous, completion-based I/O: at most one receive and one send in
 * flight per connection.  Return ERROR_IO_PENDING when the completion will
 * run later, or ERROR_SUCCESS when it already ran on this thread (then it
 * is not called again), or an error (not called). */
DWORD net_recv_async(struct netconn *conn, void *buf, size_t len, net_completion_fn fn, void *context);
/* Completes (bytes == 0) once data can be read, without taking any: a
 * zero-byte overlapped read, so waiting needs no buffer (on a secure
 * connection at once if bytes are already buffered inside). */
DWORD net_wait_async(struct netconn *conn, net_completion_fn fn, void *context);
DWORD net_send_async(struct netconn *conn, const void *buf, size_t len, net_completion_fn fn, void *context);
/* Sends total bytes that fill writes (as net_send_fill) without blocking:
 * what the socket takes at once leaves on this thread; fn reports the
 * outcome (bytes == total), as for every call above.  fill_ctx and what it
 * refers to stay valid until then. */
DWORD net_send_fill_async(struct netconn *conn, size_t total, net_fill_fn fill, void *fill_ctx,
                          net_completion_fn fn, void *context);

/* Starts connecting to one address; *ret is the new connection at once (so
 * that net_cancel can reach it) and fn reports the outcome.  Returns
 * ERROR_IO_PENDING or ERROR_SUCCESS as above, or an error (then *ret is not
 * set, fn not called). */
DWORD net_connect_async(const SOCKADDR_STORAGE *sa, int sa_len, struct netconn **ret, net_completion_fn fn,
                        void *context);

/* What a TLS handshake offers: the protocols (WINHTTP_FLAG_SECURE_PROTOCOL_*)
 * and the request's choice of client certificate
 * (WINHTTP_OPTION_CLIENT_CERT_CONTEXT).  When the server asks for a
 * certificate and none was chosen, the handshake (or a renegotiation the
 * server starts later) fails with ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED. */
struct net_tls_params
{
    DWORD protocols;
    const CERT_CONTEXT *client_cert;  /* NULL: none offered */
    BOOL client_cert_chosen;          /* a certificate or WINHTTP_NO_CLIENT_CERT_CONTEXT was set */
};

/* Turns conn into a TLS connection (Schannel): handshake with SNI for host,
 * then the server certificate is checked unless security_flags
 * (SECURITY_FLAG_IGNORE_*) say otherwise.  On ERROR_WINHTTP_SECURE_FAILURE
 * *cert_flags has the WINHTTP_CALLBACK_STATUS_FLAG_* bits of what failed. */
DWORD net_secure(struct netconn *conn, const WCHAR *host, const struct net_tls_params *params, DWORD security_flags,
                 DWORD *cert_flags);
/* net_secure without blocking: fn reports the outcome (ERROR_IO_PENDING
 * returned), *cert_flags being set before it runs; or an error returned. */
DWORD net_secure_async(struct netconn *conn, const WCHAR *host, const struct net_tls_params *params,
                       DWORD security_flags, DWORD *cert_flags, net_completion_fn fn, void *context);
/* The server's certificate of a secure connection (caller frees), or NULL. */
const CERT_CONTEXT *net_server_certificate(struct netconn *conn);

/* Cipher strength in bits of a secure connection, 0 otherwise. */
DWORD net_cipher_strength(struct netconn *conn);

/* Keep-alive pool of idle connections, process-wide, per host:port (pool.c);
 * secure: 0 for plain, else the request's pool_key (TLS + ignored checks);
 * private: only session may take it (an authenticated connection; it stays
 * the session's when it goes back). */
struct netconn *net_pool_take(struct session *session, const WCHAR *host, INTERNET_PORT port, DWORD secure,
                              BOOL *private);
void net_pool_put(struct session *session, struct netconn *conn, const WCHAR *host, INTERNET_PORT port, DWORD secure,
                  BOOL private);

#endif /* WINHTTP_NET_H */
