/*
 * The winhttp debug channel: Wine's TRACE/WARN/FIXME/ERR macros for a PE DLL.
 *
 * WINEDEBUG is parsed with Wine's syntax ("+winhttp", "warn+winhttp",
 * "-all", "trace-all,+winhttp", ...).  Output goes through Wine's ntdll
 * (__wine_dbg_output) when present, so lines interleave with Wine's own and
 * look the same ("0024:trace:winhttp:WinHttpOpen ..."), and to stderr on
 * Windows.  A disabled class costs one test of a byte.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_DEBUG_H
#define WINHTTP_DEBUG_H

enum debug_class
{
    DEBUG_CLASS_FIXME,
    DEBUG_CLASS_ERR,
    DEBUG_CLASS_WARN,
    DEBUG_CLASS_TRACE,
};

/* One bit per class; filled in once from WINEDEBUG by debug_init(). */
extern unsigned char winhttp_debug_flags;

void debug_init(void);
void debug_printf(enum debug_class cls, const char *function, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
const char *debugstr_wn(const WCHAR *str, int len);
const char *debugstr_an(const char *str, int len);
const char *debugstr_guid(const GUID *guid);
struct tagVARIANT;
const char *debugstr_variant(const struct tagVARIANT *v);
#define debugstr_w(s) debugstr_wn((s), -1)
#define debugstr_a(s) debugstr_an((s), -1)

#define DEBUG_ON(cls) (winhttp_debug_flags & (1 << (cls)))
#define TRACE_ON(ch) DEBUG_ON(DEBUG_CLASS_TRACE)
#define WARN_ON(ch)  DEBUG_ON(DEBUG_CLASS_WARN)

#define DEBUG_PRINT(cls, ...) \
    do { if (DEBUG_ON(cls)) debug_printf(cls, __func__, __VA_ARGS__); } while (0)

#define TRACE(...) DEBUG_PRINT(DEBUG_CLASS_TRACE, __VA_ARGS__)
#define WARN(...)  DEBUG_PRINT(DEBUG_CLASS_WARN, __VA_ARGS__)
#define FIXME(...) DEBUG_PRINT(DEBUG_CLASS_FIXME, __VA_ARGS__)
#define ERR(...)   DEBUG_PRINT(DEBUG_CLASS_ERR, __VA_ARGS__)

#endif /* WINHTTP_DEBUG_H */
