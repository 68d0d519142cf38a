/*
 * Unpredictable bytes for frame masks and handshake keys.
 *
 * RFC 6455 wants mask keys a server cannot predict, so they come from the
 * OS CSPRNG -- but in batches: one RtlGenRandom call serves 1024 frames
 * instead of one call (a Wine syscall) per frame.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "request.h"
#include <ntsecapi.h>

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

void winhttp_random(void *context, void *buf, size_t len)
{
    unsigned char *out = buf;

    if (len > POOL_SIZE / 4)
    {
        RtlGenRandom(buf, (ULONG)len);
        return;
    }
    EnterCriticalSection(&pool_lock);
    if (POOL_SIZE - pool_used < len)
    {
        RtlGenRandom(pool, sizeof(pool));
        pool_used = 0;
    }
    memcpy(out, pool + pool_used, len);
    /* Never hand out the same bytes twice. */
    SecureZeroMemory(pool + pool_used, len);
    pool_used += len;
    LeaveCriticalSection(&pool_lock);
}
