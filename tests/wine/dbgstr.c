/*
 * __wine_dbg_strdup for Wine's conformance tests built outside Wine's tree.
 *
 * wine/debug.h's debugstr_a()/debugstr_w()/wine_dbgstr_*() format into a
 * stack buffer and hand it to __wine_dbg_strdup(), which Wine's ntdll
 * exports.  The tests must also run where that export is absent (Windows),
 * so this file provides it: each thread gets a ring of buffers, and a
 * returned string stays valid until that thread has made RING more calls
 * (the tests use at most a handful per ok() line).
 *
 * Copyright 2026 the winhttp-ws authors.  LGPL-2.1-or-later.
 */

#include <string.h>

#define RING 32
#define SLOT 1024

const char * __cdecl __wine_dbg_strdup( const char *str )
{
    static __thread char ring[RING][SLOT];
    static __thread unsigned int next;
    char *slot = ring[next++ % RING];
    size_t len = strlen( str );

    /* Longer strings are cut: a debug string is for reading, not for checks. */
    if (len >= SLOT) len = SLOT - 1;
    memcpy( slot, str, len );
    slot[len] = 0;
    return slot;
}
