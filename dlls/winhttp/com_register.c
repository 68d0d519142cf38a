/*
 * DllRegisterServer / DllUnregisterServer: the registry entries of
 * WinHttp.WinHttpRequest.5.1, the same keys Windows (and Wine's builtin)
 * have, with this DLL's own path:
 *
 *   HKCR\CLSID\{2087C2F4-...}                  "WinHttpRequest Component version 5.1"
 *            \InprocServer32                   <this DLL>, ThreadingModel = Apartment
 *            \ProgID                           WinHttp.WinHttpRequest.5.1
 *            \TypeLib                          {662901FC-...}
 *            \Version                          5.1
 *   HKCR\WinHttp.WinHttpRequest.5.1            description, \CLSID
 *   HKCR\TypeLib\{662901FC-...}\5.1 and HKCR\Interface\{...} for the two
 *   interfaces: written by RegisterTypeLib from our embedded type library,
 *   so the universal marshaller can carry IWinHttpRequest and
 *   IWinHttpRequestEvents between apartments.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_com.h"

#define CLSID_KEY    L"CLSID\\{2087C2F4-2CEF-4953-A8AB-66779B670495}"
#define PROGID       L"WinHttp.WinHttpRequest.5.1"
#define DESCRIPTION  L"WinHttpRequest Component version 5.1"
#define LIBID_STRING L"{662901FC-6951-4854-9EB2-D9A2570F2B2E}"

struct reg_value
{
    const WCHAR *key;      /* under HKEY_CLASSES_ROOT */
    const WCHAR *name;     /* NULL: the default value */
    const WCHAR *data;     /* NULL: this DLL's path */
};

static const struct reg_value class_values[] =
{
    { CLSID_KEY, NULL, DESCRIPTION },
    { CLSID_KEY L"\\InprocServer32", NULL, NULL },
    { CLSID_KEY L"\\InprocServer32", L"ThreadingModel", L"Apartment" },
    { CLSID_KEY L"\\ProgID", NULL, PROGID },
    { CLSID_KEY L"\\TypeLib", NULL, LIBID_STRING },
    { CLSID_KEY L"\\Version", NULL, L"5.1" },
    { PROGID, NULL, DESCRIPTION },
    { PROGID L"\\CLSID", NULL, L"{2087C2F4-2CEF-4953-A8AB-66779B670495}" },
};

static LSTATUS set_value(const struct reg_value *v, const WCHAR *path)
{
    const WCHAR *data = v->data ? v->data : path;
    LSTATUS status;
    HKEY key;

    if ((status = RegCreateKeyExW(HKEY_CLASSES_ROOT, v->key, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL)))
        return status;
    status = RegSetValueExW(key, v->name, 0, REG_SZ, (const BYTE *)data, (wcslen(data) + 1) * sizeof(WCHAR));
    RegCloseKey(key);
    return status;
}

HRESULT WINAPI DllRegisterServer(void)
{
    WCHAR path[MAX_PATH];
    ITypeLib *lib;
    LSTATUS status;
    unsigned int i;
    HRESULT hr;

    TRACE("\n");

    if (!GetModuleFileNameW(winhttp_instance, path, ARRAY_SIZE(path))) return HRESULT_FROM_WIN32(GetLastError());
    for (i = 0; i < ARRAY_SIZE(class_values); i++)
    {
        if ((status = set_value(&class_values[i], path)))
        {
            ERR("cannot write %s: %ld\n", debugstr_w(class_values[i].key), status);
            return HRESULT_FROM_WIN32(status);
        }
    }
    if (FAILED(hr = com_load_typelib(&lib))) return hr;
    hr = RegisterTypeLib(lib, path, NULL);
    ITypeLib_Release(lib);
    if (FAILED(hr)) ERR("RegisterTypeLib failed: %#lx\n", hr);
    return hr;
}

HRESULT WINAPI DllUnregisterServer(void)
{
    LSTATUS status;
    HRESULT hr;

    TRACE("\n");

    hr = UnRegisterTypeLib(&LIBID_WinHttp, 5, 1, LOCALE_NEUTRAL, sizeof(void *) == 8 ? SYS_WIN64 : SYS_WIN32);
    if (FAILED(hr) && hr != TYPE_E_REGISTRYACCESS) WARN("UnRegisterTypeLib failed: %#lx\n", hr);
    status = RegDeleteTreeW(HKEY_CLASSES_ROOT, CLSID_KEY);
    if (status && status != ERROR_FILE_NOT_FOUND) return HRESULT_FROM_WIN32(status);
    status = RegDeleteTreeW(HKEY_CLASSES_ROOT, PROGID);
    if (status && status != ERROR_FILE_NOT_FOUND) return HRESULT_FROM_WIN32(status);
    return S_OK;
}
