/*
 * Deadlines: timeouts of many objects served by one thread-pool timer.
 *
 * A thread-pool timer per object does not scale under Wine: its timer queue
 * is a sorted list, so arming costs time in the number of pending timers,
 * and ten thousand of them stall the process.  Here the deadlines are kept in
 * one list, sorted by due time; as most deadlines are "now + a fixed
 * timeout", a new one usually goes at the end, found from the tail.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_DEADLINE_H
#define WINHTTP_DEADLINE_H

#include "winhttp_private.h"

struct deadline;
typedef void (*deadline_fn)(struct deadline *deadline);

struct deadline
{
    struct deadline *prev, *next;
    ULONGLONG due;                /* GetTickCount64() value */
    deadline_fn expired;
    BOOL armed;
    unsigned int firing;          /* runs of its expired function in progress (lock held to change) */
};

/* (Re)arms d to expire in ms milliseconds: expired(d) then runs once on a
 * pool thread, unless deadline_disarm comes first.  Never waits, so it may
 * be called with locks held and from d's own expired function. */
void deadline_arm(struct deadline *d, ULONGLONG ms, deadline_fn expired);
/* Cancels d; if its expired function is running, waits until it returned,
 * so that afterwards d (and what holds it) may be freed.  Never call it with
 * a lock held that the expired function takes. */
void deadline_disarm(struct deadline *d);

#endif /* WINHTTP_DEADLINE_H */
