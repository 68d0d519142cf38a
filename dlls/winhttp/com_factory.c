/*
 * The class factory of WinHttp.WinHttpRequest.5.1 and the DLL's COM entry
 * points DllGetClassObject and DllCanUnloadNow.
 *
 * The factory is a static object: its references only count locks
 * (IClassFactory::LockServer) and live objects, which keep the DLL loaded.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_com.h"

static LONG module_locks;   /* live objects + LockServer(TRUE) calls */

/* Once an object has run, the DLL stays loaded: WinHTTP's own threads (the
 * completion port, the deadline timer, a worker finishing its last lines)
 * may still run its code after the last object is gone, so COM's
 * CoFreeUnusedLibraries must not unmap it then. */
static void pin_module(void)
{
    static LONG pinned;
    HMODULE module;

    if (pinned || InterlockedExchange(&pinned, 1)) return;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (const WCHAR *)pin_module, &module))
        ERR("cannot pin the DLL: %lu\n", GetLastError());
}

void com_lock_module(void)
{
    InterlockedIncrement(&module_locks);
    pin_module();
}

void com_unlock_module(void)
{
    InterlockedDecrement(&module_locks);
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **obj)
{
    TRACE("%s, %p\n", debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory))
    {
        *obj = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **obj)
{
    TRACE("%p, %s, %p\n", outer, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return winhttp_request_create(riid, obj);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    TRACE("%d\n", lock);
    if (lock) com_lock_module();
    else com_unlock_module();
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

static IClassFactory request_factory = { &factory_vtbl };

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **obj)
{
    TRACE("%s, %s, %p\n", debugstr_guid(clsid), debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    *obj = NULL;
    if (!IsEqualGUID(clsid, &CLSID_WinHttpRequest))
    {
        TRACE("class %s not provided\n", debugstr_guid(clsid));
        return CLASS_E_CLASSNOTAVAILABLE;
    }
    return IClassFactory_QueryInterface(&request_factory, riid, obj);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    TRACE("%ld locks\n", module_locks);
    return module_locks ? S_FALSE : S_OK;
}
