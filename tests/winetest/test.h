/*
 * A winetest-compatible test API: the subset of Wine's include/wine/test.h
 * that conformance tests use, so a Wine-style test file compiles unmodified.
 * Compiles for PE (mingw-w64) and natively (protocol-core tests).
 * The implementation is in runner.c, which also provides main().
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINETEST_TEST_H
#define WINETEST_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#endif

#if defined(__GNUC__)
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WINETEST_PRINTF_ATTR(fmt, args)
#endif

/* "wine" when the program runs under Wine, otherwise "windows" (or the value
 * of WINETEST_PLATFORM).  Natively built core tests report "native". */
extern const char *winetest_platform;
extern int winetest_debug;
extern int winetest_interactive;

struct winetest_test
{
    const char *name;
    void (*func)(void);
};

void winetest_set_location(const char *file, int line);
int winetest_ok(int condition, const char *msg, ...) WINETEST_PRINTF_ATTR(2, 3);
void winetest_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
void winetest_win_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
void winetest_trace(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
void winetest_start_todo(int is_todo);
int winetest_loop_todo(void);
void winetest_start_nocount(unsigned int flags);
int winetest_loop_nocount(void);
int winetest_is_broken(int condition);
void winetest_push_context(const char *fmt, ...) WINETEST_PRINTF_ATTR(1, 2);
void winetest_pop_context(void);
int winetest_get_mainargs(char ***argv);
const char *winetest_dbgstr_a(const char *s, int n);
#ifdef _WIN32
const char *wine_dbgstr_wn(const WCHAR *s, int n);
static inline const char *wine_dbgstr_w(const WCHAR *s) { return wine_dbgstr_wn(s, -1); }
void winetest_wait_child_process(HANDLE process);
#endif

static inline const char *wine_dbgstr_an(const char *s, int n) { return winetest_dbgstr_a(s, n); }
static inline const char *wine_dbgstr_a(const char *s) { return winetest_dbgstr_a(s, -1); }

#define ok_(file, line)       (winetest_set_location(file, line), 0) ? (void)0 : (void)winetest_ok
#define skip_(file, line)     (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define trace_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace

#define ok       ok_(__FILE__, __LINE__)
#define skip     skip_(__FILE__, __LINE__)
#define win_skip win_skip_(__FILE__, __LINE__)
#define trace    trace_(__FILE__, __LINE__)

/* A check inside a todo block is expected to fail: its failure is counted as
 * "todo", and its success is a failure ("Test succeeded inside todo block"). */
#define todo_if(is_todo) for (winetest_start_todo(is_todo); winetest_loop_todo(); )
#define todo_wine        todo_if(!strcmp(winetest_platform, "wine"))
#define todo_wine_if(is_todo) todo_if((is_todo) && !strcmp(winetest_platform, "wine"))
#define flaky            for (winetest_start_nocount(0); winetest_loop_nocount(); )
#define flaky_wine       flaky

#define broken(condition) winetest_is_broken(condition)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* One test program per START_TEST; runner.c's main() runs it. */
#define START_TEST(name) \
    static void func_##name(void); \
    const struct winetest_test winetest_main_test = { #name, func_##name }; \
    static void func_##name(void)

#endif /* WINETEST_TEST_H */
