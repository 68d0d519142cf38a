/*
 * libFuzzer target for the helper's Linux side: the input is a script of
 * calls with arbitrary handles, lengths, flags, kinds, pointers and
 * addresses, as a broken or hostile PE side could send them.  Addresses
 * stay on 127.0.0.1 (the harness's listener, or another loopback port);
 * caller buffers are real (or deliberately unmapped: the kernel answers
 * EFAULT), and no wait is longer than a few milliseconds.  Everything the
 * input opened is closed and drained at its end.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>

#include "host_harness.h"

#define MAX_HANDLES 8
#define BUF_SIZE 4096

static uint8_t listen_addr[HOST_ADDR_MAX];
static uint32_t listen_len;
static int listen_fd = -1;
static char buffers[2][BUF_SIZE];  /* parked operations may still write here later */

struct script
{
    const uint8_t *data;
    size_t size, pos;
};

static uint8_t next(struct script *s)
{
    return s->pos < s->size ? s->data[s->pos++] : 0;
}

static uint64_t next64(struct script *s)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++) v = (v << 8) | next(s);
    return v;
}

static uint64_t pick_handle(struct script *s, const uint64_t *handles, int count)
{
    uint8_t b = next(s);
    if (b < 0xf0 && count) return handles[b % count];
    if (b == 0xff) return next64(s);
    return (uint64_t)(b & 7) << 32 | (b & 3);  /* small, probably stale or unused */
}

/* A buffer and a length: in bounds, or an unmapped pointer, or too long for the ABI. */
static void pick_buffer(struct script *s, int which, uint64_t *buf, uint64_t *len)
{
    uint8_t b = next(s);
    *len = ((uint64_t)next(s) << 8 | next(s)) % (BUF_SIZE + 1);
    *buf = (uintptr_t)buffers[which & 1];
#ifndef UNDER_VALGRIND
    if (b == 0xfe) *buf = 16;                          /* unmapped: EFAULT */
#endif
    if (b == 0xfe) ;
    else if (b == 0xfd) *len = (uint64_t)HOST_IO_MAX + 1 + next(s);
    else if (b == 0xfc) *len = ~(uint64_t)0;
    else if (b == 0xfb) *buf = 0;
}

static void feed_peers(int *peers, int *peer_count, uint8_t byte)
{
    int fd, i;

    while (*peer_count < MAX_HANDLES * 2 && (fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0)
        peers[(*peer_count)++] = fd;
    for (i = 0; i < *peer_count; i++)
    {
        char junk[256] = { 0 };
        if (byte & 1) (void)!send(peers[i], junk, byte, MSG_NOSIGNAL);  /* data for the receives */
        while (read(peers[i], junk, sizeof(junk)) > 0) ;     /* room for the sends */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct script s = { data, size, 0 };
    uint64_t handles[MAX_HANDLES];
    int count = 0, peers[MAX_HANDLES * 2], peer_count = 0, steps, i;

    if (listen_fd < 0 && (listen_fd = host_listener(listen_addr, &listen_len)) < 0) return 0;
    for (steps = 0; steps < 64 && s.pos < s.size; steps++)
    {
        unsigned int code = next(&s) % HOST_CALL_COUNT;

        feed_peers(peers, &peer_count, next(&s));
        switch (code)
        {
        case HOST_CALL_VERSION:
        {
            struct host_version_args args;
            host_call(code, &args);
            break;
        }
        case HOST_CALL_CONNECT:
        {
            struct host_connect_args args;
            uint8_t how = next(&s);
            uint16_t port;

            memset(&args, 0, sizeof(args));
            memcpy(args.addr, listen_addr, sizeof(args.addr));
            args.addr_len = listen_len;
            if (how & 1)  /* another loopback port, most likely refused */
            {
                port = next(&s) | 1;
                memcpy(args.addr + 2, &port, 2);
            }
            if (how & 2) args.addr_len = next(&s);          /* wrong lengths */
            if (how & 4) args.addr[0] = next(&s) & ~2;       /* wrong families (never AF_INET) */
            args.timeout_ms = (how & 8) ? HOST_CONNECT_START : 1 + (how >> 4);
            host_call(code, &args);
            if ((args.error == HOST_OK || args.error == HOST_E_PENDING) && args.handle)
            {
                struct host_timeouts_args t = { args.handle, 2, 2, 0, 0 };
                host_call(HOST_CALL_TIMEOUTS, &t);  /* blocking calls below stay short */
                if (count < MAX_HANDLES) handles[count++] = args.handle;
                else
                {
                    struct host_handle_args c = { args.handle, 0, 0 };
                    host_call(HOST_CALL_CLOSE, &c);
                }
            }
            break;
        }
        case HOST_CALL_CLOSE:
        case HOST_CALL_SHUTDOWN:
        case HOST_CALL_CANCEL:
        {
            struct host_handle_args args = { pick_handle(&s, handles, count), next(&s) % 4, 0 };
            host_call(code, &args);
            break;
        }
        case HOST_CALL_TIMEOUTS:
        {
            /* never "none": a blocking call must not wait for ever */
            struct host_timeouts_args args = { pick_handle(&s, handles, count), 1 + next(&s) % 3, 1 + next(&s) % 3, 0, 0 };
            host_call(code, &args);
            break;
        }
        case HOST_CALL_SEND:
        case HOST_CALL_RECV:
        {
            struct host_io_args args;
            memset(&args, 0, sizeof(args));
            args.handle = pick_handle(&s, handles, count);
            pick_buffer(&s, 0, &args.buf, &args.len);
            args.flags = next(&s) % 8;
            host_call(code, &args);
            break;
        }
        case HOST_CALL_POLL:
        {
            struct host_poll_args args = { pick_handle(&s, handles, count), next(&s) % 3, 0 };
            host_call(code, &args);
            break;
        }
        case HOST_CALL_ADDRESS:
        {
            struct host_address_args args;
            memset(&args, 0, sizeof(args));
            args.handle = pick_handle(&s, handles, count);
            host_call(code, &args);
            break;
        }
        case HOST_CALL_SUBMIT:
        {
            struct host_submit_args args;
            memset(&args, 0, sizeof(args));
            args.handle = pick_handle(&s, handles, count);
            args.kind = next(&s) % (HOST_OP_KIND_COUNT + 2);
            pick_buffer(&s, 1, &args.buf, &args.len);
            args.tag = next64(&s);
            host_call(code, &args);
            break;
        }
        case HOST_CALL_RANDOM:
        {
            struct host_random_args args;
            memset(&args, 0, sizeof(args));
            pick_buffer(&s, next(&s), &args.buf, &args.len);
            host_call(code, &args);
            break;
        }
        case HOST_CALL_WAIT:
        {
            struct host_wait_args args;
            memset(&args, 0, sizeof(args));
            args.timeout_ms = next(&s) % 2;
            host_call(code, &args);
            break;
        }
        }
    }
    for (i = 0; i < count; i++)
    {
        struct host_handle_args c = { handles[i], 0, 0 };
        host_call(HOST_CALL_CANCEL, &c);
        host_call(HOST_CALL_CLOSE, &c);
    }
    for (;;)  /* the cancelled operations' completions */
    {
        struct host_wait_args w;
        memset(&w, 0, sizeof(w));
        host_call(HOST_CALL_WAIT, &w);
        if (!w.count) break;
    }
    feed_peers(peers, &peer_count, 0);
    for (i = 0; i < peer_count; i++) close(peers[i]);
    return 0;
}
