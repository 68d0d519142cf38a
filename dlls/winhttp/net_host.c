/*
 * The host-socket backend (see net_host.h): finding the helper, the
 * version handshake, and one function per unix call.
 *
 * host_link.c finds the helper (winhttp_host.dll and its Linux side).  Any
 * step failing -- not Wine, no helper, a helper without its .so, another
 * ABI version -- leaves the process on Winsock, and +winhttp says why.
 *
 * Asynchronous completions: the engine's workers (worker.c), started with
 * the first asynchronous operation, wait inside the helper (epoll) and run
 * the completions they get, and the tasks those resume, themselves; the
 * engine adds workers when callbacks block.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "net_host.h"
#include "host_link.h"
#include "worker.h"

static host_unix_call_fn unix_call;
static UINT64 unix_handle;
static BOOL enabled;
static INIT_ONCE select_once = INIT_ONCE_STATIC_INIT;

/* WINHTTP_BACKEND: "winsock", "host", or unset (host when available). */
static const WCHAR *requested_backend(WCHAR *buf, DWORD size)
{
    DWORD len = GetEnvironmentVariableW(L"WINHTTP_BACKEND", buf, size);
    return len && len < size ? buf : L"";
}

/* The helper's call table, or a reason why not (for the trace). */
static const char *load_helper(void)
{
    struct host_link link;
    const char *why_not = host_link_open(&link);

    if (link.path[0]) TRACE("helper loaded from %s\n", debugstr_w(link.path));
    if (why_not)
    {
        if (link.status) TRACE("status %#lx\n", link.status);
        if (link.version.magic || link.version.version)
            WARN("helper: magic %#x version %u calls %u; this DLL needs version %u, %u calls\n", link.version.magic,
                 link.version.version, link.version.call_count, HOST_ABI_VERSION, HOST_CALL_COUNT);
        return why_not;
    }
    unix_call = link.call;
    unix_handle = link.handle;
    return NULL;
}

static BOOL CALLBACK select_backend(INIT_ONCE *once, void *param, void **context)
{
    WCHAR buf[16];
    const WCHAR *want = requested_backend(buf, ARRAY_SIZE(buf));
    const char *why_not;

    if (!_wcsicmp(want, L"winsock"))
    {
        TRACE("backend: winsock (WINHTTP_BACKEND=winsock)\n");
        return TRUE;
    }
    if (!(why_not = load_helper()))
    {
        enabled = TRUE;
        TRACE("backend: host sockets (winhttp_host ABI version %u)\n", HOST_ABI_VERSION);
        return TRUE;
    }
    if (*want && _wcsicmp(want, L"host")) WARN("WINHTTP_BACKEND=%s is not winsock or host\n", debugstr_w(want));
    if (!_wcsicmp(want, L"host")) WARN("WINHTTP_BACKEND=host, but %s: using winsock\n", why_not);
    TRACE("backend: winsock (%s)\n", why_not);
    return TRUE;
}

BOOL host_enabled(void)
{
    InitOnceExecuteOnce(&select_once, select_backend, NULL, NULL);
    return enabled;
}

static DWORD winhttp_error(int32_t error)
{
    switch (error)
    {
    case HOST_OK:               return ERROR_SUCCESS;
    case HOST_E_PENDING:        return ERROR_IO_PENDING;
    case HOST_E_TIMEOUT:        return ERROR_WINHTTP_TIMEOUT;
    case HOST_E_CANNOT_CONNECT: return ERROR_WINHTTP_CANNOT_CONNECT;
    case HOST_E_CANCELLED:      return ERROR_WINHTTP_OPERATION_CANCELLED;
    case HOST_E_NO_MEMORY:      return ERROR_NOT_ENOUGH_MEMORY;
    default:                    return ERROR_WINHTTP_CONNECTION_ERROR;
    }
}

/* For net.c's completions, which map Winsock codes. */
static DWORD wsa_error(int32_t error)
{
    switch (error)
    {
    case HOST_OK:               return 0;
    case HOST_E_TIMEOUT:        return WSAETIMEDOUT;
    case HOST_E_CANNOT_CONNECT: return WSAECONNREFUSED;
    case HOST_E_CANCELLED:      return WSA_OPERATION_ABORTED;
    case HOST_E_NO_MEMORY:      return WSAENOBUFS;
    default:                    return WSAECONNRESET;
    }
}

DWORD host_connect(const SOCKADDR_STORAGE *sa, int sa_len, int timeout, BOOL start, UINT64 *handle)
{
    struct host_connect_args args;

    memset(&args, 0, sizeof(args));
    if (sa_len <= 0 || sa_len > HOST_ADDR_MAX) return ERROR_WINHTTP_CANNOT_CONNECT;
    memcpy(args.addr, sa, sa_len);
    args.addr_len = sa_len;
    args.timeout_ms = start ? HOST_CONNECT_START : timeout;
    unix_call(unix_handle, HOST_CALL_CONNECT, &args);
    if (args.error == HOST_E_INVALID) return ERROR_WINHTTP_CANNOT_CONNECT;
    if (args.error == HOST_OK || args.error == HOST_E_PENDING) *handle = args.handle;
    TRACE("connect: handle %#I64x, error %d\n", args.handle, args.error);
    return winhttp_error(args.error);
}

static int32_t handle_call(UINT64 handle, unsigned int code, unsigned int how)
{
    struct host_handle_args args = { handle, how, HOST_E_INVALID };

    unix_call(unix_handle, code, &args);
    return args.error;
}

void host_close(UINT64 handle)
{
    if (handle_call(handle, HOST_CALL_CLOSE, 0)) WARN("closing %#I64x failed\n", handle);
}

void host_shutdown(UINT64 handle, BOOL both)
{
    handle_call(handle, HOST_CALL_SHUTDOWN, both ? HOST_SHUT_BOTH : HOST_SHUT_SEND);
}

void host_cancel(UINT64 handle)
{
    handle_call(handle, HOST_CALL_CANCEL, 0);
}

void host_set_timeouts(UINT64 handle, int send_timeout, int receive_timeout)
{
    struct host_timeouts_args args = { handle, send_timeout, receive_timeout, HOST_E_INVALID, 0 };

    unix_call(unix_handle, HOST_CALL_TIMEOUTS, &args);
}

static DWORD io_call(unsigned int code, UINT64 handle, const void *buf, size_t len, uint32_t flags, size_t *done)
{
    struct host_io_args args = { handle, (UINT_PTR)buf, min(len, HOST_IO_MAX), flags, HOST_E_INVALID, 0 };

    unix_call(unix_handle, code, &args);
    *done = args.done;
    return winhttp_error(args.error);
}

DWORD host_send(UINT64 handle, const void *buf, size_t len, size_t *sent)
{
    return io_call(HOST_CALL_SEND, handle, buf, len, 0, sent);
}

DWORD host_recv(UINT64 handle, void *buf, size_t len, BOOL nowait, BOOL peek, size_t *received)
{
    return io_call(HOST_CALL_RECV, handle, buf, len, (nowait ? HOST_IO_NOWAIT : 0) | (peek ? HOST_IO_PEEK : 0),
                   received);
}

DWORD host_wait_readable(UINT64 handle, int timeout)
{
    struct host_poll_args args = { handle, timeout, HOST_E_INVALID };

    unix_call(unix_handle, HOST_CALL_POLL, &args);
    return winhttp_error(args.error);
}

void host_local_address(UINT64 handle, SOCKADDR_STORAGE *addr, int *len)
{
    struct host_address_args args;

    memset(&args, 0, sizeof(args));
    args.handle = handle;
    unix_call(unix_handle, HOST_CALL_ADDRESS, &args);
    memset(addr, 0, sizeof(*addr));
    *len = sizeof(*addr);
    if (args.error || args.addr_len > sizeof(*addr)) return;
    memcpy(addr, args.addr, args.addr_len);
    *len = args.addr_len;
}

BOOL host_random(void *buf, size_t len)
{
    struct host_random_args args = { (UINT_PTR)buf, len, HOST_E_INVALID, 0 };

    if (len > HOST_RANDOM_MAX) return FALSE;
    unix_call(unix_handle, HOST_CALL_RANDOM, &args);
    return args.error == HOST_OK;
}

/* The engine's workers wait here for the helper's completions (worker.c):
 * the one that takes a completion runs it, and the task it resumes, itself. */
static BOOL wait_completion(DWORD timeout, struct engine_completion *completion)
{
    struct host_wait_args args;

    memset(&args, 0, sizeof(args));
    args.timeout_ms = timeout == INFINITE ? -1 : (int32_t)timeout;
    unix_call(unix_handle, HOST_CALL_WAIT, &args);
    if (!args.count) return FALSE;
    completion->handler = net_host_complete;
    completion->tag = (void *)(UINT_PTR)args.completion.tag;
    completion->result = wsa_error(args.completion.error);
    completion->bytes = args.completion.done;
    return TRUE;
}

static struct engine_source host_source = { .name = "host", .wait = wait_completion };

BOOL host_submit(UINT64 handle, unsigned int kind, const void *buf, size_t len, void *tag,
                 DWORD *wsa_result, size_t *bytes)
{
    struct host_submit_args args;

    if (!engine_source_start(&host_source))
    {
        *wsa_result = WSAENOBUFS;
        *bytes = 0;
        return TRUE;
    }
    memset(&args, 0, sizeof(args));
    args.handle = handle;
    args.buf = (UINT_PTR)buf;
    args.len = min(len, HOST_IO_MAX);
    args.tag = (UINT_PTR)tag;
    args.kind = kind;
    args.error = HOST_E_INVALID;
    unix_call(unix_handle, HOST_CALL_SUBMIT, &args);
    if (args.error == HOST_E_PENDING) return FALSE;
    *wsa_result = wsa_error(args.error);
    *bytes = args.done;
    return TRUE;
}
