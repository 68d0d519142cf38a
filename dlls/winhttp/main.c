/*
 * DLL entry points.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

HINSTANCE winhttp_instance;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        winhttp_instance = instance;
        DisableThreadLibraryCalls(instance);
        debug_init();
        TRACE("%p, attach\n", instance);
        break;
    case DLL_PROCESS_DETACH:
        TRACE("%p, detach (process ending: %s)\n", instance, reserved ? "yes" : "no");
        break;
    }
    return TRUE;
}

/* The WinHttpRequest COM object is not provided: say so honestly. */
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void **obj)
{
    FIXME("%p, %p, %p: WinHttpRequest COM object not implemented\n", clsid, iid, obj);
    if (obj) *obj = NULL;
    return CLASS_E_CLASSNOTAVAILABLE;
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return S_FALSE;
}
