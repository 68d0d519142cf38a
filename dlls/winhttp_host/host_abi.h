/*
 * The calls between winhttp.dll (PE) and the host-socket helper's Linux
 * side (winhttp_host.so), made through Wine's unix-call dispatcher.
 *
 * Both sides include this file: mingw-w64 for the PE side, the native
 * compiler for the .so.  Only fixed-size fields, each at an offset that
 * is a multiple of its size; pointers travel as uint64_t.  So the layout is
 * the same on both sides and for both architectures: an i686 winhttp.dll
 * talks to an i386 .so (gcc -m32 aligns uint64_t to 4 inside structs,
 * mingw-w64 to 8: the sizes checked at the end catch a field that would
 * move).
 *
 * HOST_ABI_VERSION changes whenever a call, a field or a meaning changes;
 * winhttp.dll uses the helper only when HOST_CALL_VERSION answers with
 * exactly its own version and call count, and stays on Winsock otherwise.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_HOST_ABI_H
#define WINHTTP_HOST_ABI_H

#include <stdint.h>

#ifndef HOST_ABI_VERSION  /* tests build a helper with another version */
#define HOST_ABI_VERSION 2
#endif
#define HOST_ABI_MAGIC   0x77687374u  /* "whst": a different helper answering code 0 fails this */

enum host_call
{
    HOST_CALL_VERSION,    /* struct host_version_args */
    HOST_CALL_CONNECT,    /* struct host_connect_args */
    HOST_CALL_CLOSE,      /* struct host_handle_args */
    HOST_CALL_SHUTDOWN,   /* struct host_handle_args (how: HOST_SHUT_*) */
    HOST_CALL_CANCEL,     /* struct host_handle_args: shutdown both ways, pending ops end cancelled */
    HOST_CALL_TIMEOUTS,   /* struct host_timeouts_args */
    HOST_CALL_SEND,       /* struct host_io_args, blocking unless HOST_IO_NOWAIT */
    HOST_CALL_RECV,       /* struct host_io_args, blocking unless HOST_IO_NOWAIT */
    HOST_CALL_POLL,       /* struct host_poll_args: wait for readable */
    HOST_CALL_ADDRESS,    /* struct host_address_args: the local address */
    HOST_CALL_SUBMIT,     /* struct host_submit_args: an asynchronous operation */
    HOST_CALL_WAIT,       /* struct host_wait_args: a worker waits for a completion */
    HOST_CALL_RANDOM,     /* struct host_random_args: bytes from the kernel's CSPRNG (getrandom) */
    HOST_CALL_COUNT
};

/* Results (the error fields); the PE side maps them to WinHTTP errors. */
enum host_error
{
    HOST_OK,
    HOST_E_PENDING,       /* nothing yet (HOST_IO_NOWAIT), or the operation was queued */
    HOST_E_TIMEOUT,
    HOST_E_CANNOT_CONNECT,
    HOST_E_CANCELLED,
    HOST_E_CONNECTION,    /* reset, broken pipe, anything else on an established socket */
    HOST_E_NO_MEMORY,
    HOST_E_INVALID        /* bad handle, length or kind */
};

/* Address families as the PE side spells them (Windows' values). */
#define HOST_AF_INET  2
#define HOST_AF_INET6 23
#define HOST_ADDR_MAX 128

struct host_version_args
{
    uint32_t magic;       /* out: HOST_ABI_MAGIC */
    uint32_t version;     /* out: HOST_ABI_VERSION */
    uint32_t call_count;  /* out: HOST_CALL_COUNT */
    uint32_t pad;
};

#define HOST_CONNECT_START (-2)   /* timeout_ms: start connecting, finish with HOST_OP_CONNECT */

struct host_connect_args
{
    uint8_t addr[HOST_ADDR_MAX];  /* a Windows SOCKADDR (family in the first two bytes, host order) */
    uint32_t addr_len;
    int32_t timeout_ms;           /* <= 0: none; HOST_CONNECT_START: do not wait */
    uint64_t handle;              /* out */
    int32_t error;                /* out: HOST_OK, or HOST_E_PENDING after HOST_CONNECT_START */
    uint32_t pad;
};

#define HOST_SHUT_SEND 1
#define HOST_SHUT_BOTH 2

struct host_handle_args
{
    uint64_t handle;
    uint32_t how;
    int32_t error;                /* out */
};

struct host_timeouts_args
{
    uint64_t handle;
    int32_t send_ms;              /* <= 0: none */
    int32_t recv_ms;
    int32_t error;                /* out */
    uint32_t pad;
};

#define HOST_IO_NOWAIT 1          /* do not block: HOST_E_PENDING when nothing can move */
#define HOST_IO_PEEK   2          /* receive: leave the bytes in the socket */

struct host_io_args
{
    uint64_t handle;
    uint64_t buf;
    uint64_t len;                 /* at most HOST_IO_MAX */
    uint32_t flags;
    int32_t error;                /* out */
    uint64_t done;                /* out: bytes moved; 0 on a receive means EOF */
};

#define HOST_IO_MAX (1u << 30)

struct host_poll_args
{
    uint64_t handle;
    int32_t timeout_ms;           /* < 0: none */
    int32_t error;                /* out: HOST_OK (readable or EOF), HOST_E_TIMEOUT */
};

struct host_address_args
{
    uint64_t handle;
    uint8_t addr[HOST_ADDR_MAX];  /* out, Windows layout */
    uint32_t addr_len;            /* out */
    int32_t error;                /* out */
};

enum host_op_kind
{
    HOST_OP_RECV,                 /* at least one byte, at most len (0 bytes: EOF) */
    HOST_OP_SEND,                 /* as many bytes as the socket takes, at least one */
    HOST_OP_WAIT,                 /* completes with 0 bytes once readable (or at EOF) */
    HOST_OP_CONNECT,              /* completes once a HOST_CONNECT_START connection is up */
    HOST_OP_KIND_COUNT
};

/* One asynchronous operation: tried at once; if it cannot move, queued
 * (error HOST_E_PENDING) and its completion, carrying tag, comes later from
 * HOST_CALL_WAIT.  One receive-side (RECV/WAIT) and one send-side
 * (SEND/CONNECT) operation per handle at a time. */
struct host_submit_args
{
    uint64_t handle;
    uint64_t buf;
    uint64_t len;
    uint64_t tag;
    uint32_t kind;
    int32_t error;                /* out */
    uint64_t done;                /* out, when error != HOST_E_PENDING */
};

struct host_completion
{
    uint64_t tag;
    uint64_t done;
    int32_t error;
    uint32_t pad;
};

/* A worker waits up to timeout_ms (< 0: forever) for one completion;
 * count 0 on timeout. */
struct host_wait_args
{
    int32_t timeout_ms;
    uint32_t count;               /* out: 0 or 1 */
    struct host_completion completion;  /* out */
};

/* Fills buf with len (at most HOST_RANDOM_MAX) bytes from getrandom(2), in
 * one system call: under Wine 8 RtlGenRandom makes one call per few dozen
 * bytes, 0.08 system calls per websocket frame's mask (docs/HOST.md). */
#define HOST_RANDOM_MAX 65536
struct host_random_args
{
    uint64_t buf;
    uint64_t len;
    int32_t error;                /* out: HOST_OK, or HOST_E_INVALID (nothing written) */
    uint32_t pad;
};

#define HOST_ABI_SIZE(type, size) _Static_assert(sizeof(struct type) == (size), #type " has the same layout everywhere")
HOST_ABI_SIZE(host_version_args, 16);
HOST_ABI_SIZE(host_connect_args, 152);
HOST_ABI_SIZE(host_handle_args, 16);
HOST_ABI_SIZE(host_timeouts_args, 24);
HOST_ABI_SIZE(host_io_args, 40);
HOST_ABI_SIZE(host_poll_args, 16);
HOST_ABI_SIZE(host_address_args, 144);
HOST_ABI_SIZE(host_submit_args, 48);
HOST_ABI_SIZE(host_completion, 24);
HOST_ABI_SIZE(host_wait_args, 32);
HOST_ABI_SIZE(host_random_args, 24);

#endif /* WINHTTP_HOST_ABI_H */
