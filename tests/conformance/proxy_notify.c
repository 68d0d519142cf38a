/*
 * Conformance tests for WinHttpRegisterProxyChangeNotification and
 * WinHttpUnregisterProxyChangeNotification: argument checks, a callback with
 * the registered flags and context after a change of the user's Internet
 * Settings and of WinHTTP's default (WinHttpSetDefaultProxyConfiguration),
 * none after unregistering, and unregistering from the callback itself.
 *
 * The registry values touched are saved first and put back after.  No wait
 * is a sleep: a callback is awaited (bounded), and its absence is shown by a
 * second registration, made first, being called for the same change.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <winsock2.h>
#include <windows.h>
#include <winhttp.h>

#include "test.h"
#include "reg_saved.h"

static const WCHAR internet_settings[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";
static const WCHAR connections[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections";

#define WAIT_MS 10000

struct watcher
{
    HANDLE called;                  /* auto-reset: set at each callback */
    volatile LONG calls;
    ULONGLONG flags;
    HANDLE registration;
    BOOL unregister_in_callback;
    DWORD unregister_error;
};

static void CALLBACK proxy_changed(ULONGLONG flags, void *context)
{
    struct watcher *w = context;

    w->flags = flags;
    if (w->unregister_in_callback && !w->calls)
        w->unregister_error = WinHttpUnregisterProxyChangeNotification(w->registration);
    InterlockedIncrement(&w->calls);
    SetEvent(w->called);
}

static void watcher_init(struct watcher *w)
{
    memset(w, 0, sizeof(*w));
    w->called = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static BOOL watcher_register(struct watcher *w, ULONGLONG flags)
{
    DWORD error = WinHttpRegisterProxyChangeNotification(flags, proxy_changed, w, &w->registration);

    ok(error == ERROR_SUCCESS, "register: %lu\n", error);
    ok(error || w->registration != NULL, "no handle\n");
    return !error;
}

/* Waits (bounded) until w has been called more than `before` times. */
static BOOL called_after(struct watcher *w, LONG before)
{
    ULONGLONG end = GetTickCount64() + WAIT_MS;

    while (w->calls <= before)
    {
        ULONGLONG now = GetTickCount64();
        if (now >= end) return FALSE;
        WaitForSingleObject(w->called, (DWORD)(end - now));
    }
    return TRUE;
}

static void test_arguments(void)
{
    WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE handle = (void *)0xdeadbeef;
    struct watcher w;
    DWORD error;

    watcher_init(&w);
    error = WinHttpRegisterProxyChangeNotification(WINHTTP_PROXY_NOTIFY_CHANGE, NULL, &w, &handle);
    ok(error == ERROR_INVALID_PARAMETER, "no callback: got %lu\n", error);
    ok(handle == (void *)0xdeadbeef, "handle written: %p\n", handle);
    error = WinHttpRegisterProxyChangeNotification(WINHTTP_PROXY_NOTIFY_CHANGE, proxy_changed, &w, NULL);
    ok(error == ERROR_INVALID_PARAMETER, "no handle pointer: got %lu\n", error);

    error = WinHttpUnregisterProxyChangeNotification(NULL);
    ok(error == ERROR_INVALID_HANDLE, "NULL: got %lu\n", error);
    error = WinHttpUnregisterProxyChangeNotification(&w);
    ok(error == ERROR_INVALID_HANDLE, "not a registration: got %lu\n", error);
    if (watcher_register(&w, WINHTTP_PROXY_NOTIFY_CHANGE))
    {
        error = WinHttpUnregisterProxyChangeNotification(w.registration);
        ok(error == ERROR_SUCCESS, "got %lu\n", error);
        error = WinHttpUnregisterProxyChangeNotification(w.registration);
        ok(error == ERROR_INVALID_HANDLE, "twice: got %lu\n", error);
    }
    ok(!w.calls, "%ld calls without a change\n", w.calls);
    CloseHandle(w.called);
}

static void test_changes(void)
{
    WINHTTP_PROXY_INFO info;
    struct watcher first, second;
    struct saved_value proxy_server, winhttp_settings;
    DWORD error;
    LONG calls, before;

    save_value(&proxy_server, HKEY_CURRENT_USER, internet_settings, L"ProxyServer");
    save_value(&winhttp_settings, HKEY_LOCAL_MACHINE, connections, L"WinHttpSettings");
    watcher_init(&first);
    watcher_init(&second);
    if (!watcher_register(&first, 0x1234) || !watcher_register(&second, WINHTTP_PROXY_NOTIFY_CHANGE)) return;

    /* the user's settings */
    set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyServer", L"notify.test:1");
    ok(!WaitForSingleObject(first.called, WAIT_MS), "no callback for the user's settings\n");
    ok(first.flags == 0x1234, "flags %#I64x\n", first.flags);
    ok(!WaitForSingleObject(second.called, WAIT_MS), "no callback for the second registration\n");
    ok(second.flags == WINHTTP_PROXY_NOTIFY_CHANGE, "flags %#I64x\n", second.flags);

    /* WinHTTP's default, as WinHttpSetDefaultProxyConfiguration writes it */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    info.lpszProxy = (WCHAR *)L"notify-default.test:2";
    info.lpszProxyBypass = NULL;
    if (WinHttpSetDefaultProxyConfiguration(&info))
        ok(!WaitForSingleObject(first.called, WAIT_MS), "no callback for WinHTTP's default\n");
    else
        skip("cannot write WinHTTP's default: %lu\n", GetLastError());

    /* gone after unregistering: the second registration is called for a
     * change, the first not */
    error = WinHttpUnregisterProxyChangeNotification(first.registration);
    ok(error == ERROR_SUCCESS, "unregister: %lu\n", error);
    calls = first.calls;
    before = second.calls;
    set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyServer", L"notify.test:3");
    ok(called_after(&second, before), "no callback for the second registration\n");
    ok(first.calls == calls, "called %ld times after unregistering\n", first.calls - calls);

    /* unregistering from its own callback: one call, then none */
    CloseHandle(first.called);
    watcher_init(&first);
    first.unregister_in_callback = TRUE;
    if (watcher_register(&first, WINHTTP_PROXY_NOTIFY_CHANGE))
    {
        set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyServer", L"notify.test:4");
        ok(called_after(&first, 0), "no callback\n");
        ok(first.unregister_error == ERROR_SUCCESS, "unregister in the callback: %lu\n", first.unregister_error);
        before = second.calls;
        set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyServer", L"notify.test:5");
        ok(called_after(&second, before), "no callback for the second registration\n");
        ok(first.calls == 1, "%ld calls\n", first.calls);
        error = WinHttpUnregisterProxyChangeNotification(first.registration);
        ok(error == ERROR_INVALID_HANDLE, "already unregistered: %lu\n", error);
    }

    error = WinHttpUnregisterProxyChangeNotification(second.registration);
    ok(error == ERROR_SUCCESS, "unregister: %lu\n", error);
    restore_value(&proxy_server);
    restore_value(&winhttp_settings);
    CloseHandle(first.called);
    CloseHandle(second.called);
}

START_TEST(proxy_notify)
{
    test_arguments();
    test_changes();
}
