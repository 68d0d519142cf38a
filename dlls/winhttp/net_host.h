/*
 * The host-socket backend's PE side (net_host.c): Linux sockets driven
 * through the winhttp_host helper (a Wine builtin DLL and its .so).
 *
 * net.c is the only user, but for host_random (random.c).  A connection is
 * on the host backend when its handle (UINT64, never 0) is set; each call
 * here is one unix call made from the calling thread, no wineserver round
 * trip.  Errors are WinHTTP errors, ERROR_IO_PENDING where a call did not
 * complete.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_NET_HOST_H
#define WINHTTP_NET_HOST_H

#include "winhttp_private.h"
#include "../winhttp_host/host_abi.h"

/* TRUE when new connections use host sockets: decided once per process
 * (WINHTTP_BACKEND=winsock|host, the helper present, its version). */
BOOL host_enabled(void);

/* start: return at once (ERROR_IO_PENDING) and complete with
 * host_submit(HOST_OP_CONNECT); else connect within timeout ms (<= 0: none). */
DWORD host_connect(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, BOOL start, UINT64 *handle);
void host_close(UINT64 handle);
void host_shutdown(UINT64 handle, BOOL both);
/* Shuts the socket both ways; pending asynchronous operations complete
 * (cancelled) on a worker. */
void host_cancel(UINT64 handle);
void host_set_timeouts(UINT64 handle, int send_timeout, int receive_timeout);
/* One send or receive (blocking, or nowait: ERROR_IO_PENDING if nothing moves). */
DWORD host_send(UINT64 handle, const void *buf, size_t len, size_t *sent);
DWORD host_recv(UINT64 handle, void *buf, size_t len, BOOL nowait, BOOL peek, size_t *received);
DWORD host_wait_readable(UINT64 handle, int timeout);
void host_local_address(UINT64 handle, SOCKADDR_STORAGE *addr, int *len);

/* An asynchronous operation (HOST_OP_*), tried at once.  Returns TRUE when
 * it completed now (*wsa_error: a Winsock error code or 0, *bytes);
 * FALSE when its completion comes later: a worker thread (started on the
 * first call) passes tag to net_host_complete. */
BOOL host_submit(UINT64 handle, unsigned int kind, const void *buf, size_t len, void *tag,
                 DWORD *wsa_error, size_t *bytes);

/* len bytes (at most HOST_RANDOM_MAX) from the kernel's CSPRNG in one
 * system call; FALSE (nothing written) when the call fails.  Only once
 * host_enabled() said TRUE. */
BOOL host_random(void *buf, size_t len);

/* net.c: runs the completion of the operation tag (a struct net_op). */
void net_host_complete(void *tag, DWORD wsa_error, size_t bytes);

#endif /* WINHTTP_NET_HOST_H */
