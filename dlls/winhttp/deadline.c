/*
 * Deadlines on one thread-pool timer (see deadline.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "deadline.h"

static SRWLOCK lock = SRWLOCK_INIT;
static CONDITION_VARIABLE fired = CONDITION_VARIABLE_INIT;
static struct deadline *head, *tail;   /* armed, earliest first */
static PTP_TIMER timer;
static ULONGLONG timer_due;            /* what timer is set for, 0 = not set */
/* The timer's callbacks run in a pool of its own of at most one thread: an
 * expiry only marks and wakes, so one thread does, and Wine's default pool
 * starts a thread for every expiry that fires while another still runs --
 * 7 of them at 10,000 websockets, whose keepalive deadlines fall a few ms
 * apart (make bench-scale, docs/BENCHMARKS.md). */
static PTP_POOL pool;
static TP_CALLBACK_ENVIRON pool_env;

static void CALLBACK timer_fired(PTP_CALLBACK_INSTANCE instance, void *context, PTP_TIMER t);

/* Points the timer at the earliest deadline (lock held). */
static void update_timer(void)
{
    FILETIME ft;
    ULONGLONG now;
    LONGLONG ticks;

    if (!head || head->due == timer_due) return;
    if (!timer && !pool && (pool = CreateThreadpool(NULL)))
    {
        SetThreadpoolThreadMaximum(pool, 1);
        InitializeThreadpoolEnvironment(&pool_env);
        SetThreadpoolCallbackPool(&pool_env, pool);
    }
    if (!timer && !(timer = CreateThreadpoolTimer(timer_fired, NULL, pool ? &pool_env : NULL)))
    {
        ERR("no timer: deadlines will not expire\n");
        return;
    }
    now = GetTickCount64();
    ticks = -(LONGLONG)(head->due > now ? head->due - now : 0) * 10000;  /* relative, 100 ns */
    ft.dwLowDateTime = (DWORD)ticks;
    ft.dwHighDateTime = (DWORD)(ticks >> 32);
    timer_due = head->due;
    SetThreadpoolTimer(timer, &ft, 0, 0);
}

static void unlink_deadline(struct deadline *d)
{
    if (d->prev) d->prev->next = d->next;
    else head = d->next;
    if (d->next) d->next->prev = d->prev;
    else tail = d->prev;
    d->prev = d->next = NULL;
    d->armed = FALSE;
}

static void CALLBACK timer_fired(PTP_CALLBACK_INSTANCE instance, void *context, PTP_TIMER t)
{
    struct deadline *d;

    AcquireSRWLockExclusive(&lock);
    timer_due = 0;
    while ((d = head) && d->due <= GetTickCount64())
    {
        unlink_deadline(d);
        d->firing++;
        ReleaseSRWLockExclusive(&lock);
        d->expired(d);
        AcquireSRWLockExclusive(&lock);
        d->firing--;
        WakeAllConditionVariable(&fired);
    }
    update_timer();
    ReleaseSRWLockExclusive(&lock);
}

void deadline_arm(struct deadline *d, ULONGLONG ms, deadline_fn expired)
{
    struct deadline *after;

    AcquireSRWLockExclusive(&lock);
    if (d->armed) unlink_deadline(d);
    d->due = GetTickCount64() + ms;
    d->expired = expired;
    d->armed = TRUE;
    for (after = tail; after && after->due > d->due; after = after->prev) ;
    d->prev = after;
    d->next = after ? after->next : head;
    if (d->next) d->next->prev = d;
    else tail = d;
    if (after) after->next = d;
    else head = d;
    update_timer();
    ReleaseSRWLockExclusive(&lock);
}

void deadline_disarm(struct deadline *d)
{
    AcquireSRWLockExclusive(&lock);
    if (d->armed) unlink_deadline(d);
    while (d->firing) SleepConditionVariableSRW(&fired, &lock, INFINITE, 0);
    ReleaseSRWLockExclusive(&lock);
}
