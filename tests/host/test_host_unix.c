/*
 * The helper's Linux side on its own (see host_harness.h): the version
 * answer, a connection's data path, the asynchronous path (a parked
 * receive completed from HOST_CALL_WAIT, cancellation), the random bytes
 * for the mask pool, and bad input from
 * the PE side -- unknown and stale handles, lengths, kinds, pointers --
 * answered with HOST_E_INVALID, never a crash.  Run under ASan/UBSan and
 * under Valgrind by make check.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <poll.h>
#include <stdio.h>

#include "test.h"
#include "host_harness.h"

static uint8_t listen_addr[HOST_ADDR_MAX];
static uint32_t listen_len;
static int listen_fd;

static uint64_t connect_one(int *peer)
{
    struct host_connect_args args;
    struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

    memset(&args, 0, sizeof(args));
    memcpy(args.addr, listen_addr, sizeof(args.addr));
    args.addr_len = listen_len;
    args.timeout_ms = 5000;
    host_call(HOST_CALL_CONNECT, &args);
    ok(args.error == HOST_OK && args.handle, "connect: error %d handle %#llx\n", args.error,
       (unsigned long long)args.handle);
    poll(&pfd, 1, 5000);
    *peer = accept(listen_fd, NULL, NULL);
    ok(*peer >= 0, "accept failed\n");
    return args.handle;
}

static int32_t handle_call(unsigned int code, uint64_t handle, uint32_t how)
{
    struct host_handle_args args = { handle, how, -1 };
    host_call(code, &args);
    return args.error;
}

static int32_t io(unsigned int code, uint64_t handle, const void *buf, uint64_t len, uint32_t flags, uint64_t *done)
{
    struct host_io_args args = { handle, (uintptr_t)buf, len, flags, -1, 0 };
    host_call(code, &args);
    *done = args.done;
    return args.error;
}

static void test_version(void)
{
    struct host_version_args args;

    memset(&args, 0, sizeof(args));
    ok(!host_call(HOST_CALL_VERSION, &args), "version call failed\n");
    ok(args.magic == HOST_ABI_MAGIC, "magic %#x\n", args.magic);
    ok(args.version == HOST_ABI_VERSION, "version %u\n", args.version);
    ok(args.call_count == HOST_CALL_COUNT, "call count %u\n", args.call_count);
}

/* HOST_CALL_RANDOM fills the whole buffer, differently each time (two 4 KiB
 * draws from getrandom agreeing, or one all zero, is a failure of the
 * call, not chance), and refuses more than HOST_RANDOM_MAX untouched, and
 * a NULL buffer. */
static void test_random(void)
{
    static uint8_t a[4096], b[4096], zero[4096], big[HOST_RANDOM_MAX + 1];
    struct host_random_args args = { (uintptr_t)a, sizeof(a), -1, 0 };

    ok(!host_call(HOST_CALL_RANDOM, &args) && args.error == HOST_OK, "random: error %d\n", args.error);
    args.buf = (uintptr_t)b;
    args.error = -1;
    ok(!host_call(HOST_CALL_RANDOM, &args) && args.error == HOST_OK, "random: error %d\n", args.error);
    ok(memcmp(a, zero, sizeof(a)) && memcmp(b, zero, sizeof(b)), "random: a buffer stayed zero\n");
    ok(memcmp(a, b, sizeof(a)), "random: two draws agree\n");
    ok(memcmp(a + sizeof(a) - 64, zero, 64), "random: the end of the buffer stayed zero\n");
    args.buf = (uintptr_t)big;
    args.len = sizeof(big);
    args.error = -1;
    host_call(HOST_CALL_RANDOM, &args);
    ok(args.error == HOST_E_INVALID, "random: %llu bytes: error %d\n", (unsigned long long)args.len, args.error);
    ok(!memcmp(big, zero, sizeof(zero)), "random: a refused call wrote\n");
    args.buf = 0;
    args.len = 16;
    args.error = -1;
    host_call(HOST_CALL_RANDOM, &args);
    ok(args.error == HOST_E_INVALID, "random: NULL buffer: error %d\n", args.error);
}

static void test_sync(void)
{
    char buf[64];
    uint64_t handle, done = 0;
    struct host_address_args addr;
    struct host_timeouts_args timeouts;
    struct host_poll_args poll_args;
    int peer;

    handle = connect_one(&peer);
    ok(io(HOST_CALL_SEND, handle, "hello", 5, 0, &done) == HOST_OK && done == 5, "send: %llu\n",
       (unsigned long long)done);
    ok(read(peer, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "peer did not get hello\n");
    ok(io(HOST_CALL_RECV, handle, buf, sizeof(buf), HOST_IO_NOWAIT, &done) == HOST_E_PENDING, "nowait: not pending\n");

    poll_args = (struct host_poll_args){ handle, 10, -1 };
    host_call(HOST_CALL_POLL, &poll_args);
    ok(poll_args.error == HOST_E_TIMEOUT, "poll of a quiet socket: %d\n", poll_args.error);

    timeouts = (struct host_timeouts_args){ handle, 50, 50, -1, 0 };
    host_call(HOST_CALL_TIMEOUTS, &timeouts);
    ok(timeouts.error == HOST_OK, "timeouts: %d\n", timeouts.error);
    ok(io(HOST_CALL_RECV, handle, buf, sizeof(buf), 0, &done) == HOST_E_TIMEOUT, "blocking recv did not time out\n");

    ok(write(peer, "abc", 3) == 3, "peer write failed\n");
    ok(io(HOST_CALL_RECV, handle, buf, 1, HOST_IO_PEEK | HOST_IO_NOWAIT, &done) == HOST_OK && done == 1,
       "peek failed\n");
    ok(io(HOST_CALL_RECV, handle, buf, sizeof(buf), 0, &done) == HOST_OK && done == 3 && !memcmp(buf, "abc", 3),
       "recv: %llu\n", (unsigned long long)done);

    memset(&addr, 0, sizeof(addr));
    addr.handle = handle;
    host_call(HOST_CALL_ADDRESS, &addr);
    ok(addr.error == HOST_OK && addr.addr_len == 16 && addr.addr[0] == HOST_AF_INET, "address: %d %u\n",
       addr.error, addr.addr_len);

    ok(handle_call(HOST_CALL_SHUTDOWN, handle, HOST_SHUT_SEND) == HOST_OK, "shutdown failed\n");
    ok(read(peer, buf, sizeof(buf)) == 0, "peer did not see the FIN\n");
    close(peer);
    ok(io(HOST_CALL_RECV, handle, buf, sizeof(buf), 0, &done) == HOST_OK && done == 0, "EOF not reported\n");
    ok(handle_call(HOST_CALL_CLOSE, handle, 0) == HOST_OK, "close failed\n");
}

static int wait_completion(struct host_completion *c, int timeout)
{
    struct host_wait_args args;

    memset(&args, 0, sizeof(args));
    args.timeout_ms = timeout;
    host_call(HOST_CALL_WAIT, &args);
    *c = args.completion;
    return args.count;
}

static void test_async(void)
{
    static char buf[64];
    struct host_submit_args submit;
    struct host_completion c;
    uint64_t handle;
    int peer;

    handle = connect_one(&peer);
    memset(&submit, 0, sizeof(submit));
    submit = (struct host_submit_args){ handle, (uintptr_t)buf, sizeof(buf), 0x1234, HOST_OP_RECV, -1, 0 };
    host_call(HOST_CALL_SUBMIT, &submit);
    ok(submit.error == HOST_E_PENDING, "receive with nothing sent: %d\n", submit.error);
    ok(!wait_completion(&c, 10), "a completion before any data\n");

    submit.tag = 0x5678;
    submit.error = -1;
    host_call(HOST_CALL_SUBMIT, &submit);
    ok(submit.error == HOST_E_INVALID, "a second receive was taken: %d\n", submit.error);

    ok(write(peer, "xyz", 3) == 3, "peer write failed\n");
    ok(wait_completion(&c, 5000), "no completion\n");
    ok(c.tag == 0x1234 && c.error == HOST_OK && c.done == 3, "completion %#llx %d %llu\n",
       (unsigned long long)c.tag, c.error, (unsigned long long)c.done);

    /* a waiting receive ended by a cancel, through the ready list */
    submit = (struct host_submit_args){ handle, 0, 0, 0x9abc, HOST_OP_WAIT, -1, 0 };
    host_call(HOST_CALL_SUBMIT, &submit);
    ok(submit.error == HOST_E_PENDING, "wait: %d\n", submit.error);
    ok(handle_call(HOST_CALL_CANCEL, handle, 0) == HOST_OK, "cancel failed\n");
    ok(wait_completion(&c, 5000), "no completion after the cancel\n");
    ok(c.tag == 0x9abc && c.error == HOST_E_CANCELLED, "cancelled completion %#llx %d\n",
       (unsigned long long)c.tag, c.error);
    ok(!wait_completion(&c, 10), "a second completion\n");

    ok(handle_call(HOST_CALL_CLOSE, handle, 0) == HOST_OK, "close failed\n");
    close(peer);

    /* an asynchronous connect to a port nobody listens on */
    {
        struct host_connect_args args;
        uint16_t port = 0;

        memset(&args, 0, sizeof(args));
        memcpy(args.addr, listen_addr, sizeof(args.addr));
        memcpy(args.addr + 2, &port, 2);  /* port 0: refused */
        args.addr_len = listen_len;
        args.timeout_ms = HOST_CONNECT_START;
        host_call(HOST_CALL_CONNECT, &args);
        ok(args.error == HOST_E_PENDING && args.handle, "connect start: %d\n", args.error);
        submit = (struct host_submit_args){ args.handle, 0, 0, 0x77, HOST_OP_CONNECT, -1, 0 };
        host_call(HOST_CALL_SUBMIT, &submit);
        if (submit.error == HOST_E_PENDING)
        {
            ok(wait_completion(&c, 5000), "no connect completion\n");
            submit.error = c.error;
        }
        ok(submit.error == HOST_E_CANNOT_CONNECT, "refused connect: %d\n", submit.error);
        handle_call(HOST_CALL_CLOSE, args.handle, 0);
    }
}

static void test_bad_input(void)
{
    static char buf[16];
    static const uint64_t bad_handles[] = { 0, 1, 0xffffffff, 0xffffffffffffffffull, 0x100000001ull, 12345678 };
    struct host_submit_args submit;
    struct host_connect_args conn;
    uint64_t handle, done = 0;
    unsigned int i;
    int peer;

    for (i = 0; i < sizeof(bad_handles) / sizeof(bad_handles[0]); i++)
    {
        uint64_t h = bad_handles[i];
        ok(io(HOST_CALL_SEND, h, buf, 1, 0, &done) == HOST_E_INVALID, "send on %#llx\n", (unsigned long long)h);
        ok(io(HOST_CALL_RECV, h, buf, 1, 0, &done) == HOST_E_INVALID, "recv on %#llx\n", (unsigned long long)h);
        ok(handle_call(HOST_CALL_CLOSE, h, 0) == HOST_E_INVALID, "close of %#llx\n", (unsigned long long)h);
        ok(handle_call(HOST_CALL_CANCEL, h, 0) == HOST_E_INVALID, "cancel of %#llx\n", (unsigned long long)h);
        submit = (struct host_submit_args){ h, (uintptr_t)buf, 1, 1, HOST_OP_RECV, -1, 0 };
        host_call(HOST_CALL_SUBMIT, &submit);
        ok(submit.error == HOST_E_INVALID, "submit on %#llx: %d\n", (unsigned long long)h, submit.error);
    }

    handle = connect_one(&peer);
    ok(io(HOST_CALL_SEND, handle, buf, (uint64_t)HOST_IO_MAX + 1, 0, &done) == HOST_E_INVALID, "huge length taken\n");
    ok(io(HOST_CALL_RECV, handle, buf, 1, 0x80, &done) == HOST_E_INVALID, "unknown flag taken\n");
#ifndef UNDER_VALGRIND  /* (Valgrind reports the unmapped buffer itself) */
    ok(io(HOST_CALL_SEND, handle, (void *)16, 100, 0, &done) == HOST_E_INVALID, "bad pointer: not EFAULT\n");
#endif
    ok(handle_call(HOST_CALL_SHUTDOWN, handle, 7) == HOST_E_INVALID, "unknown shutdown\n");
    submit = (struct host_submit_args){ handle, (uintptr_t)buf, 1, 1, HOST_OP_KIND_COUNT, -1, 0 };
    host_call(HOST_CALL_SUBMIT, &submit);
    ok(submit.error == HOST_E_INVALID, "unknown kind: %d\n", submit.error);
    submit = (struct host_submit_args){ handle, (uintptr_t)buf, 0, 1, HOST_OP_SEND, -1, 0 };
    host_call(HOST_CALL_SUBMIT, &submit);
    ok(submit.error == HOST_E_INVALID, "empty send: %d\n", submit.error);
    ok(handle_call(HOST_CALL_CLOSE, handle, 0) == HOST_OK, "close failed\n");
    /* the handle is stale now, even once its slot is reused */
    ok(handle_call(HOST_CALL_CLOSE, handle, 0) == HOST_E_INVALID, "double close\n");
    close(peer);
    {
        uint64_t again = connect_one(&peer);
        ok(again != handle, "a reused slot kept its handle\n");
        ok(io(HOST_CALL_SEND, handle, buf, 1, 0, &done) == HOST_E_INVALID, "stale handle reached the new socket\n");
        handle_call(HOST_CALL_CLOSE, again, 0);
        close(peer);
    }

    memset(&conn, 0, sizeof(conn));
    conn.addr_len = HOST_ADDR_MAX + 1;
    host_call(HOST_CALL_CONNECT, &conn);
    ok(conn.error == HOST_E_INVALID && !conn.handle, "oversized address: %d\n", conn.error);
    memcpy(conn.addr, listen_addr, sizeof(conn.addr));
    conn.addr_len = 8;
    host_call(HOST_CALL_CONNECT, &conn);
    ok(conn.error == HOST_E_INVALID, "short address: %d\n", conn.error);
    conn.addr[0] = 99;
    conn.addr_len = listen_len;
    host_call(HOST_CALL_CONNECT, &conn);
    ok(conn.error == HOST_E_INVALID, "unknown family: %d\n", conn.error);
}

START_TEST(host_unix)
{
    if ((listen_fd = host_listener(listen_addr, &listen_len)) < 0)
    {
        skip("no loopback listener\n");
        return;
    }
    test_version();
    test_random();
    test_sync();
    test_async();
    test_bad_input();
    close(listen_fd);
}
