/*
 * The type library of WinHttp.WinHttpRequest.5.1, loaded from this DLL's
 * own resource TYPELIB 1 (winhttp_tlb.rc): IDispatch, IProvideClassInfo and
 * registration all read it from there, so they work whether or not the
 * library is registered, and always describe this DLL's object.
 *
 * The library and its type infos are loaded once and kept until the DLL is
 * unloaded; the pointers are published with interlocked exchanges.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The GUIDs of winhttp_tlb.h are defined here, once for the DLL. */
#include <initguid.h>
#include "request_com.h"

static ITypeLib *typelib;
static ITypeInfo *typeinfos[3];
static const GUID *typeinfo_guids[ARRAY_SIZE(typeinfos)] =
{
    &IID_IWinHttpRequest,
    &IID_IWinHttpRequestEvents,
    &CLSID_WinHttpRequest,
};

HRESULT com_load_typelib(ITypeLib **lib)
{
    WCHAR path[MAX_PATH];
    ITypeLib *loaded;
    HRESULT hr;

    if (!typelib)
    {
        if (!GetModuleFileNameW(winhttp_instance, path, ARRAY_SIZE(path))) return HRESULT_FROM_WIN32(GetLastError());
        if (FAILED(hr = LoadTypeLibEx(path, REGKIND_NONE, &loaded)))
        {
            ERR("LoadTypeLibEx(%s) failed: %#lx\n", debugstr_w(path), hr);
            return hr;
        }
        if (InterlockedCompareExchangePointer((void **)&typelib, loaded, NULL)) ITypeLib_Release(loaded);
    }
    ITypeLib_AddRef(typelib);
    *lib = typelib;
    return S_OK;
}

HRESULT com_get_typeinfo(REFGUID guid, ITypeInfo **info)
{
    ITypeInfo *found;
    ITypeLib *lib;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(typeinfos); i++) if (IsEqualGUID(guid, typeinfo_guids[i])) break;
    if (i == ARRAY_SIZE(typeinfos)) return TYPE_E_ELEMENTNOTFOUND;
    if (!typeinfos[i])
    {
        if (FAILED(hr = com_load_typelib(&lib))) return hr;
        hr = ITypeLib_GetTypeInfoOfGuid(lib, guid, &found);
        ITypeLib_Release(lib);
        if (FAILED(hr))
        {
            ERR("GetTypeInfoOfGuid(%s) failed: %#lx\n", debugstr_guid(guid), hr);
            return hr;
        }
        if (InterlockedCompareExchangePointer((void **)&typeinfos[i], found, NULL)) ITypeInfo_Release(found);
    }
    ITypeInfo_AddRef(typeinfos[i]);
    *info = typeinfos[i];
    return S_OK;
}

void com_release_typelib(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(typeinfos); i++)
    {
        if (typeinfos[i]) ITypeInfo_Release(typeinfos[i]);
        typeinfos[i] = NULL;
    }
    if (typelib) ITypeLib_Release(typelib);
    typelib = NULL;
}
