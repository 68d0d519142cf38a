/*
 * Unpredictable bytes for frame masks and handshake keys.
 *
 * RFC 6455 wants mask keys a server cannot predict, so they come from the
 * OS CSPRNG -- but in batches: one refill serves 1024 frames instead of
 * one call per frame.  On host sockets the refill is one getrandom(2) in
 * the helper: Wine 8's RtlGenRandom makes a system call per few dozen
 * bytes (1085 getrandom calls in 11,557 frames, docs/HOST.md), 0.08 system
 * calls per frame that the native client does not make.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "request.h"
#include <ntsecapi.h>
#include "net_host.h"

#define POOL_SIZE 4096

/* A critical section, not an SRW lock: every frame sent takes it, and
 * under Wine 8 releasing an SRW lock always looks for waiters to wake
 * (RtlWakeAddressAll); initialized when the DLL loads (random_init). */
static CRITICAL_SECTION pool_lock;
static unsigned char pool[POOL_SIZE];
static size_t pool_used = POOL_SIZE;

void random_init(void)
{
    InitializeCriticalSection(&pool_lock);
}

static void fill(void *buf, size_t len)
{
    if (!host_enabled() || !host_random(buf, len)) RtlGenRandom(buf, (ULONG)len);
}

void winhttp_random(void *context, void *buf, size_t len)
{
    unsigned char *out = buf;

    if (len > POOL_SIZE / 4)
    {
        fill(buf, len);
        return;
    }
    EnterCriticalSection(&pool_lock);
    if (POOL_SIZE - pool_used < len)
    {
        fill(pool, sizeof(pool));
        pool_used = 0;
    }
    memcpy(out, pool + pool_used, len);
    /* Never hand out the same bytes twice. */
    SecureZeroMemory(pool + pool_used, len);
    pool_used += len;
    LeaveCriticalSection(&pool_lock);
}
