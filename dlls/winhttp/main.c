/*
 * DLL entry points.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "request.h"

HINSTANCE winhttp_instance;

BOOL running_on_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version");
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        winhttp_instance = instance;
        DisableThreadLibraryCalls(instance);
        debug_init();
        random_init();
        handle_init();
        TRACE("%p, attach\n", instance);
        break;
    case DLL_PROCESS_DETACH:
        TRACE("%p, detach (process ending: %s)\n", instance, reserved ? "yes" : "no");
        /* At process exit other DLLs may be gone already: leave the type
         * library to the process's end then. */
        if (!reserved) com_release_typelib();
        break;
    }
    return TRUE;
}
