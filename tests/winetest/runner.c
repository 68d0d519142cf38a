/*
 * Implementation of the winetest-compatible API declared in test.h, and the
 * main() that runs the one test of a test program.
 *
 * Output and counting follow Wine's winetest, so tools that read Wine test
 * logs read ours: "file.c:12: Test failed: ..." lines and a final
 * "name: N tests executed (T marked as todo, F failures), S skipped." line.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test.h"

#define MAX_CONTEXTS 8
#define CONTEXT_LEN 128

const char *winetest_platform = "windows";
int winetest_debug = 1;
int winetest_interactive = 0;
extern const struct winetest_test winetest_main_test;

static const char *test_name = "?";
static int main_argc;
static char **main_argv;

/* Counters are shared by all threads: callbacks check results too. */
static long successes, failures, todo_successes, todo_failures, skipped;

/* Location, todo and context state are per thread, as in Wine. */
struct thread_state
{
    const char *file;
    int line;
    int todo_level;   /* bit mask: one bit per nested todo block that is active */
    int todo_do_loop;
    int nocount_level;
    int nocount_do_loop;
    int context_count;
    char context[MAX_CONTEXTS][CONTEXT_LEN];
    char strings[4][1024];
    int next_string;
};

static __thread struct thread_state thread_state;

static long counter_add(long *counter)
{
    return __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
}

static long counter_get(long *counter)
{
    return __atomic_load_n(counter, __ATOMIC_SEQ_CST);
}

static int output_lock;

static void lock_output(void)
{
    while (__atomic_exchange_n(&output_lock, 1, __ATOMIC_ACQUIRE))
    {
#ifdef _WIN32
        SwitchToThread();
#endif
    }
}

static void unlock_output(void)
{
    __atomic_store_n(&output_lock, 0, __ATOMIC_RELEASE);
}

static const char *base_name(const char *file)
{
    const char *p = file, *q;
    for (q = file; *q; q++) if (*q == '/' || *q == '\\') p = q + 1;
    return p;
}

/* Prints "file:line: <prefix><contexts><message>" as one line. */
static void print_line(const char *prefix, const char *msg, va_list args)
{
    struct thread_state *ts = &thread_state;
    char buf[4096];
    int len, i;

    len = snprintf(buf, sizeof(buf), "%s:%d: %s", base_name(ts->file ? ts->file : "?"), ts->line, prefix);
    for (i = 0; i < ts->context_count && i < MAX_CONTEXTS && len < (int)sizeof(buf); i++)
        len += snprintf(buf + len, sizeof(buf) - len, "%s: ", ts->context[i]);
    if (len < (int)sizeof(buf)) vsnprintf(buf + len, sizeof(buf) - len, msg, args);
    lock_output();
    fputs(buf, stdout);
    fflush(stdout);
    unlock_output();
}

void winetest_set_location(const char *file, int line)
{
    thread_state.file = file;
    thread_state.line = line;
}

static int winetest_vok(int condition, const char *msg, va_list args)
{
    struct thread_state *ts = &thread_state;

    if (ts->nocount_level)
    {
        if (!condition) print_line("Test failed (flaky): ", msg, args);
        return condition != 0;
    }
    if (ts->todo_level)
    {
        if (condition)
        {
            print_line("Test succeeded inside todo block: ", msg, args);
            counter_add(&todo_failures);
            return 0;
        }
        if (winetest_debug > 0) print_line("Test marked todo: ", msg, args);
        counter_add(&todo_successes);
        return 1;
    }
    if (!condition)
    {
        print_line("Test failed: ", msg, args);
        counter_add(&failures);
        return 0;
    }
    if (winetest_debug > 1) print_line("Test succeeded: ", msg, args);
    counter_add(&successes);
    return 1;
}

int winetest_ok(int condition, const char *msg, ...)
{
    va_list args;
    int ret;
    va_start(args, msg);
    ret = winetest_vok(condition, msg, args);
    va_end(args);
    return ret;
}

void winetest_trace(const char *msg, ...)
{
    va_list args;
    if (winetest_debug <= 0) return;
    va_start(args, msg);
    print_line("", msg, args);
    va_end(args);
}

void winetest_skip(const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    print_line("Tests skipped: ", msg, args);
    va_end(args);
    counter_add(&skipped);
}

/* A Windows-version skip: on Wine it means something is missing, a failure. */
void winetest_win_skip(const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    if (strcmp(winetest_platform, "windows"))
    {
        winetest_vok(0, msg, args);
    }
    else
    {
        print_line("Tests skipped: ", msg, args);
        counter_add(&skipped);
    }
    va_end(args);
}

void winetest_start_todo(int is_todo)
{
    struct thread_state *ts = &thread_state;
    ts->todo_level = (ts->todo_level << 1) | (is_todo != 0);
    ts->todo_do_loop = 1;
}

int winetest_loop_todo(void)
{
    struct thread_state *ts = &thread_state;
    int do_loop = ts->todo_do_loop;
    ts->todo_do_loop = 0;
    if (!do_loop) ts->todo_level >>= 1;
    return do_loop;
}

void winetest_start_nocount(unsigned int flags)
{
    (void)flags;
    thread_state.nocount_level++;
    thread_state.nocount_do_loop = 1;
}

int winetest_loop_nocount(void)
{
    struct thread_state *ts = &thread_state;
    int do_loop = ts->nocount_do_loop;
    ts->nocount_do_loop = 0;
    if (!do_loop) ts->nocount_level--;
    return do_loop;
}

/* broken() marks behaviour seen only on some Windows versions: accepted
 * there, never on Wine or natively. */
int winetest_is_broken(int condition)
{
    return condition && !strcmp(winetest_platform, "windows");
}

void winetest_push_context(const char *fmt, ...)
{
    struct thread_state *ts = &thread_state;
    va_list args;
    if (ts->context_count < MAX_CONTEXTS)
    {
        va_start(args, fmt);
        vsnprintf(ts->context[ts->context_count], CONTEXT_LEN, fmt, args);
        va_end(args);
    }
    ts->context_count++;
}

void winetest_pop_context(void)
{
    if (thread_state.context_count) thread_state.context_count--;
}

int winetest_get_mainargs(char ***argv)
{
    *argv = main_argv;
    return main_argc;
}

static char *next_string_buffer(void)
{
    struct thread_state *ts = &thread_state;
    char *buf = ts->strings[ts->next_string];
    ts->next_string = (ts->next_string + 1) % 4;
    return buf;
}

/* Quotes a string for messages, escaping what would garble a log line. */
const char *winetest_dbgstr_a(const char *s, int n)
{
    char *buf, *p;
    int i;
    if (!s) return "(null)";
    buf = next_string_buffer();
    p = buf;
    *p++ = '"';
    for (i = 0; (n < 0 ? s[i] != 0 : i < n) && p - buf < 1000; i++)
    {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') { *p++ = '\\'; *p++ = 'n'; }
        else if (c == '\r') { *p++ = '\\'; *p++ = 'r'; }
        else if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
        else if (c < 0x20 || c >= 0x7f) p += sprintf(p, "\\x%02x", c);
        else *p++ = (char)c;
    }
    *p++ = '"';
    *p = 0;
    return buf;
}

#ifdef _WIN32
static void print_prefixed(const char *prefix, const char *msg, ...) WINETEST_PRINTF_ATTR(2, 3);
static void print_prefixed(const char *prefix, const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    print_line(prefix, msg, args);
    va_end(args);
}

const char *wine_dbgstr_wn(const WCHAR *s, int n)
{
    char *buf, *p;
    int i;
    if (!s) return "(null)";
    if (!((ULONG_PTR)s >> 16)) { buf = next_string_buffer(); sprintf(buf, "#%04x", (unsigned)(ULONG_PTR)s); return buf; }
    buf = next_string_buffer();
    p = buf;
    *p++ = 'L';
    *p++ = '"';
    for (i = 0; (n < 0 ? s[i] != 0 : i < n) && p - buf < 1000; i++)
    {
        WCHAR c = s[i];
        if (c == '\n') { *p++ = '\\'; *p++ = 'n'; }
        else if (c == '\r') { *p++ = '\\'; *p++ = 'r'; }
        else if (c == '"' || c == '\\') { *p++ = '\\'; *p++ = (char)c; }
        else if (c < 0x20 || c >= 0x7f) p += sprintf(p, "\\x%04x", c);
        else *p++ = (char)c;
    }
    *p++ = '"';
    *p = 0;
    return buf;
}

void winetest_wait_child_process(HANDLE process)
{
    DWORD exit_code = 1;
    if (WaitForSingleObject(process, 30000) == WAIT_TIMEOUT)
        print_prefixed("Test failed: ", "child process wait timed out\n");
    else
    {
        GetExitCodeProcess(process, &exit_code);
        winetest_ok(exit_code == 0, "child process failed with %lu\n", exit_code);
    }
}

static const char *detect_platform(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    if (ntdll && GetProcAddress(ntdll, "wine_get_version")) return "wine";
    return "windows";
}
#else
static const char *detect_platform(void)
{
    return "native";
}
#endif

int main(int argc, char **argv)
{
    const char *env;
    long total_failures;

    main_argc = argc;
    main_argv = argv;
    setvbuf(stdout, NULL, _IONBF, 0);
    winetest_platform = detect_platform();
    if ((env = getenv("WINETEST_PLATFORM")) && *env) winetest_platform = env;
    if ((env = getenv("WINETEST_DEBUG")) && *env) winetest_debug = atoi(env);
    if ((env = getenv("WINETEST_INTERACTIVE")) && *env) winetest_interactive = atoi(env);

    test_name = winetest_main_test.name;
    winetest_main_test.func();

    total_failures = counter_get(&failures) + counter_get(&todo_failures);
    lock_output();
    printf("%s: %ld tests executed (%ld marked as todo, %ld %s), %ld skipped.\n", test_name,
           counter_get(&successes) + total_failures + counter_get(&todo_successes),
           counter_get(&todo_successes), total_failures, total_failures == 1 ? "failure" : "failures",
           counter_get(&skipped));
    fflush(stdout);
    unlock_output();
    return total_failures > 255 ? 255 : (int)total_failures;
}
