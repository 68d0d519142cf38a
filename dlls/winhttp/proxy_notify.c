/*
 * WinHttpRegisterProxyChangeNotification and
 * WinHttpUnregisterProxyChangeNotification: a callback run when the effective
 * proxy settings change.
 *
 * The settings this DLL applies live in two registry trees (proxy.c,
 * pac_fetch.c): the user's Internet Settings (HKCU; its Connections subkey
 * holds DefaultConnectionSettings) and WinHTTP's own default
 * (HKLM\...\Internet Settings\Connections\WinHttpSettings).  Each
 * registration watches both trees with RegNotifyChangeKeyValue and calls the
 * program back after each change it sees.
 *
 * Threads.  Each registration has a thread of its own that waits for the
 * watches and its stop event and runs the callback; a program registers once
 * or twice, so a thread each costs little and keeps every callback of a
 * registration in order, never two at once.  Unregistering stops the thread
 * and waits for it, so no callback runs after the call returns; called from
 * the registration's own callback, it cannot wait for itself: the thread
 * then ends and frees the registration once the callback returns.
 * registrations_lock guards the list of live registrations (a handle is
 * checked against it); it is a leaf, never held while waiting or calling back.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

#define WATCHED_TREES 2

struct registration
{
    struct registration *next;              /* registrations_lock */
    ULONGLONG flags;
    WINHTTP_PROXY_CHANGE_CALLBACK callback;
    void *context;
    HKEY keys[WATCHED_TREES];
    HANDLE events[1 + WATCHED_TREES];       /* the stop event, then one per key */
    DWORD count;                            /* keys watched */
    HANDLE thread;
    DWORD thread_id;
    volatile LONG stopping;                 /* unregistered from its own callback */
};

static SRWLOCK registrations_lock = SRWLOCK_INIT;
static struct registration *registrations;

static const struct
{
    HKEY root;
    const WCHAR *path;
}
watched[WATCHED_TREES] =
{
    { HKEY_CURRENT_USER, L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings" },
    { HKEY_LOCAL_MACHINE, L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings" },
};

/* One change notification of key, to events[i + 1]; the watch stays after
 * the thread that asked ends (REG_NOTIFY_THREAD_AGNOSTIC, Windows 8+), where
 * the flag is refused, without it. */
static LONG arm(struct registration *reg, DWORD i)
{
    static const DWORD filter = REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET;
    LONG err;

    err = RegNotifyChangeKeyValue(reg->keys[i], TRUE, filter | REG_NOTIFY_THREAD_AGNOSTIC, reg->events[i + 1], TRUE);
    if (err == ERROR_INVALID_PARAMETER)
        err = RegNotifyChangeKeyValue(reg->keys[i], TRUE, filter, reg->events[i + 1], TRUE);
    if (err) WARN("%p: watch %lu: %ld\n", reg, i, err);
    return err;
}

static void registration_free(struct registration *reg)
{
    DWORD i;

    for (i = 0; i < reg->count; i++) RegCloseKey(reg->keys[i]);
    for (i = 0; i < ARRAY_SIZE(reg->events); i++) if (reg->events[i]) CloseHandle(reg->events[i]);
    if (reg->thread) CloseHandle(reg->thread);
    heap_free(reg);
}

static DWORD CALLBACK registration_thread(void *arg)
{
    struct registration *reg = arg;
    DWORD ret;

    for (;;)
    {
        ret = WaitForMultipleObjects(1 + reg->count, reg->events, FALSE, INFINITE);
        if (ret == WAIT_OBJECT_0 || ret > WAIT_OBJECT_0 + reg->count) break;
        /* watch again before calling back: a change made during the
         * callback is another notification */
        arm(reg, ret - WAIT_OBJECT_0 - 1);
        TRACE("%p: settings changed, calling %p(%#I64x, %p)\n", reg, reg->callback, reg->flags, reg->context);
        reg->callback(reg->flags, reg->context);
        if (reg->stopping) break;
    }
    /* unregistered from its own callback: nobody else will free it */
    if (reg->stopping) registration_free(reg);
    return 0;
}

/***********************************************************************
 *          WinHttpRegisterProxyChangeNotification (winhttp.@)
 *
 * ullFlags is the value handed to the callback (the page: "The flag to pass
 * to the callback"), so any value is taken.
 */
DWORD WINAPI WinHttpRegisterProxyChangeNotification(ULONGLONG flags, WINHTTP_PROXY_CHANGE_CALLBACK callback,
                                                    void *context, WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE *handle)
{
    struct registration *reg;
    DWORD i, error = ERROR_SUCCESS;
    LONG err;

    TRACE("%#I64x, %p, %p, %p\n", flags, callback, context, handle);

    if (!callback || !handle) return ERROR_INVALID_PARAMETER;
    if (!(reg = heap_alloc_zero(sizeof(*reg)))) return ERROR_NOT_ENOUGH_MEMORY;
    reg->flags = flags;
    reg->callback = callback;
    reg->context = context;
    if (!(reg->events[0] = CreateEventW(NULL, TRUE, FALSE, NULL))) error = GetLastError();
    for (i = 0; !error && i < WATCHED_TREES; i++)
    {
        if ((err = RegOpenKeyExW(watched[i].root, watched[i].path, 0, KEY_NOTIFY, &reg->keys[reg->count])))
        {
            /* a tree that does not exist holds no settings; its parent is not watched */
            WARN("cannot open %s: %ld\n", debugstr_w(watched[i].path), err);
            continue;
        }
        if (!(reg->events[reg->count + 1] = CreateEventW(NULL, FALSE, FALSE, NULL))) error = GetLastError();
        else if ((err = arm(reg, reg->count))) error = err;
        reg->count++;
    }
    if (!error && !reg->count) error = ERROR_FILE_NOT_FOUND;
    if (!error && !(reg->thread = CreateThread(NULL, 0, registration_thread, reg, 0, &reg->thread_id)))
        error = GetLastError();
    if (error)
    {
        registration_free(reg);
        return error;
    }
    AcquireSRWLockExclusive(&registrations_lock);
    reg->next = registrations;
    registrations = reg;
    ReleaseSRWLockExclusive(&registrations_lock);
    *handle = reg;
    TRACE("returning %p\n", reg);
    return ERROR_SUCCESS;
}

/***********************************************************************
 *          WinHttpUnregisterProxyChangeNotification (winhttp.@)
 */
DWORD WINAPI WinHttpUnregisterProxyChangeNotification(WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE handle)
{
    struct registration **p, *reg = NULL;

    TRACE("%p\n", handle);

    AcquireSRWLockExclusive(&registrations_lock);
    for (p = &registrations; *p; p = &(*p)->next)
    {
        if (*p != handle) continue;
        reg = *p;
        *p = reg->next;
        break;
    }
    ReleaseSRWLockExclusive(&registrations_lock);
    /* NULL, freed or never returned by WinHttpRegisterProxyChangeNotification */
    if (!reg) return ERROR_INVALID_HANDLE;

    if (GetCurrentThreadId() == reg->thread_id)
    {
        /* from the callback: the thread frees it when the callback returns */
        InterlockedExchange(&reg->stopping, TRUE);
        return ERROR_SUCCESS;
    }
    SetEvent(reg->events[0]);
    WaitForSingleObject(reg->thread, INFINITE);
    registration_free(reg);
    return ERROR_SUCCESS;
}
