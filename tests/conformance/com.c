/*
 * WinHttp.WinHttpRequest.5.1, the COM object: class factory, registration,
 * every IWinHttpRequest member with its error states, IDispatch through the
 * type library, IProvideClassInfo, the IWinHttpRequestEvents connection
 * point, STA and MTA callers, Abort from another thread, and a leak check
 * over create / send / release cycles (WSTEST_COM_CYCLES, default 2000;
 * make check-full runs 10000).
 *
 * Runs against the scripted test server (tools/with-servers.sh).  The object
 * is reached through CoCreateInstance after our DllRegisterServer pointed
 * the class at this directory's winhttp.dll; every object is checked to
 * come from our module.  The prefix's previous registration is put back at
 * the end.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <winhttp.h>
#include <ole2.h>
#include <olectl.h>
#include <ocidl.h>
#include <psapi.h>
#include <stdio.h>
#include <initguid.h>
#include "winhttp_tlb.h"

#include "wine/test.h"
#include "ws_helpers.h"
#include "process_stats.h"

#define WAIT_MS 10000
#define DEFAULT_UA L"Mozilla/4.0 (compatible; Win32; WinHttp.WinHttpRequest.5)"

static WCHAR server_host[64];
static INTERNET_PORT server_port;
static HMODULE winhttp;
static MODULEINFO winhttp_info;
static VARIANT vfalse, vtrue, vmissing;

static const char *guid_str(const GUID *g)
{
    static char bufs[4][40];
    static int next;
    char *buf = bufs[next++ % 4];
    sprintf(buf, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", g->Data1, g->Data2, g->Data3, g->Data4[0],
            g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
    return buf;
}

static BOOL in_our_module(const void *p)
{
    const char *base = winhttp_info.lpBaseOfDll;
    return (const char *)p >= base && (const char *)p < base + winhttp_info.SizeOfImage;
}

static BSTR url_of(const WCHAR *path)
{
    WCHAR buf[256];
    swprintf(buf, ARRAY_SIZE(buf), L"http://%ls:%u%ls", server_host, server_port, path);
    return SysAllocString(buf);
}

/* The class is registered ThreadingModel=Apartment: an STA gets the object
 * itself, an MTA a proxy to it (in COM's host STA). */
static IWinHttpRequest *create_request_in(BOOL mta)
{
    IWinHttpRequest *req = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_WinHttpRequest, NULL, CLSCTX_INPROC_SERVER, &IID_IWinHttpRequest,
                                  (void **)&req);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    if (req) ok(in_our_module(req->lpVtbl) == !mta, "object from our winhttp.dll: %d\n", in_our_module(req->lpVtbl));
    return req;
}

static IWinHttpRequest *create_request(void)
{
    return create_request_in(FALSE);
}

static HRESULT open_req(IWinHttpRequest *req, const WCHAR *method, const WCHAR *path, VARIANT async)
{
    BSTR m = SysAllocString(method), u = url_of(path);
    HRESULT hr = IWinHttpRequest_Open(req, m, u, async);
    SysFreeString(m);
    SysFreeString(u);
    return hr;
}

static HRESULT send_bstr(IWinHttpRequest *req, const WCHAR *text)
{
    VARIANT v;
    HRESULT hr;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(text);
    hr = IWinHttpRequest_Send(req, v);
    VariantClear(&v);
    return hr;
}

/* ResponseText compared with an expected string; returns the text's length. */
static int check_text(IWinHttpRequest *req, const WCHAR *expect, int line)
{
    BSTR text = NULL;
    HRESULT hr = IWinHttpRequest_get_ResponseText(req, &text);
    int len;

    ok_(__FILE__, line)(hr == S_OK, "ResponseText: %#lx\n", hr);
    len = text ? (int)SysStringLen(text) : -1;
    if (expect) ok_(__FILE__, line)(text && !wcscmp(text, expect), "ResponseText %s, expected %s\n",
                                    wine_dbgstr_w(text), wine_dbgstr_w(expect));
    SysFreeString(text);
    return len;
}

static LONG get_status(IWinHttpRequest *req)
{
    LONG status = -1;
    HRESULT hr = IWinHttpRequest_get_Status(req, &status);
    ok(hr == S_OK, "Status: %#lx\n", hr);
    return status;
}

static BOOL text_contains(IWinHttpRequest *req, const WCHAR *needle)
{
    BSTR text = NULL;
    BOOL found;
    IWinHttpRequest_get_ResponseText(req, &text);
    found = text && wcsstr(text, needle);
    if (!found) trace("response: %s\n", wine_dbgstr_w(text));
    SysFreeString(text);
    return found;
}

/* Class factory, DllCanUnloadNow ------------------------------------------------ */

static void test_factory(void)
{
    HRESULT (WINAPI *get_class)(REFCLSID, REFIID, void **) = (void *)GetProcAddress(winhttp, "DllGetClassObject");
    HRESULT (WINAPI *can_unload)(void) = (void *)GetProcAddress(winhttp, "DllCanUnloadNow");
    IClassFactory *factory = NULL;
    IUnknown *unk = NULL, *outer = (IUnknown *)0xdeadbeef;
    HRESULT hr;

    ok(get_class && can_unload, "entry points missing\n");
    if (!get_class || !can_unload) return;

    hr = get_class(&IID_IWinHttpRequest, &IID_IClassFactory, (void **)&factory);
    ok(hr == CLASS_E_CLASSNOTAVAILABLE, "other class: %#lx\n", hr);
    ok(!factory, "factory set\n");
    hr = get_class(&CLSID_WinHttpRequest, &IID_IWinHttpRequest, (void **)&factory);
    ok(hr == E_NOINTERFACE, "factory as IWinHttpRequest: %#lx\n", hr);
    hr = get_class(&CLSID_WinHttpRequest, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "DllGetClassObject: %#lx\n", hr);
    if (!factory) return;

    hr = IClassFactory_CreateInstance(factory, outer, &IID_IUnknown, (void **)&unk);
    ok(hr == CLASS_E_NOAGGREGATION, "aggregation: %#lx\n", hr);
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IClassFactory, (void **)&unk);
    ok(hr == E_NOINTERFACE, "wrong interface: %#lx\n", hr);
    ok(!unk, "object returned\n");

    ok(can_unload() == S_OK, "nothing alive: DllCanUnloadNow %#lx\n", can_unload());
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "CreateInstance: %#lx\n", hr);
    ok(can_unload() == S_FALSE, "object alive: DllCanUnloadNow %#lx\n", can_unload());
    if (unk) IUnknown_Release(unk);
    ok(can_unload() == S_OK, "released: DllCanUnloadNow %#lx\n", can_unload());
    IClassFactory_LockServer(factory, TRUE);
    ok(can_unload() == S_FALSE, "locked: DllCanUnloadNow %#lx\n", can_unload());
    IClassFactory_LockServer(factory, FALSE);
    ok(can_unload() == S_OK, "unlocked: DllCanUnloadNow %#lx\n", can_unload());
    IClassFactory_Release(factory);
}

/* Registration ------------------------------------------------------------------- */

#define CLSID_KEY L"CLSID\\{2087C2F4-2CEF-4953-A8AB-66779B670495}"
#define TLB_KEY L"TypeLib\\{662901FC-6951-4854-9EB2-D9A2570F2B2E}\\5.1\\0\\" WIN_SYS

#ifdef _WIN64
#define WIN_SYS L"win64"
#else
#define WIN_SYS L"win32"
#endif

static BOOL read_value(const WCHAR *key, const WCHAR *name, WCHAR *buf, DWORD size)
{
    DWORD len = size * sizeof(WCHAR);
    return !RegGetValueW(HKEY_CLASSES_ROOT, key, name, RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND, NULL,
                         buf, &len);
}

static void write_value(const WCHAR *key, const WCHAR *value)
{
    RegSetKeyValueW(HKEY_CLASSES_ROOT, key, NULL, REG_SZ, value, (wcslen(value) + 1) * sizeof(WCHAR));
}

/* What the prefix had before, put back by restore_registration. */
static WCHAR saved_server[MAX_PATH], saved_typelib[MAX_PATH];
static BOOL have_saved_server, have_saved_typelib;

static BOOL register_ours(void)
{
    HRESULT (WINAPI *reg)(void) = (void *)GetProcAddress(winhttp, "DllRegisterServer");
    HRESULT hr;

    have_saved_server = read_value(CLSID_KEY L"\\InprocServer32", NULL, saved_server, ARRAY_SIZE(saved_server));
    have_saved_typelib = read_value(TLB_KEY, NULL, saved_typelib, ARRAY_SIZE(saved_typelib));
    ok(reg != NULL, "no DllRegisterServer export\n");
    if (!reg) return FALSE;
    hr = reg();
    if (hr == E_ACCESSDENIED || hr == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED))
    {
        skip("cannot write HKEY_CLASSES_ROOT\n");
        return FALSE;
    }
    ok(hr == S_OK, "DllRegisterServer: %#lx\n", hr);
    return hr == S_OK;
}

static void restore_registration(void)
{
    if (have_saved_server) write_value(CLSID_KEY L"\\InprocServer32", saved_server);
    if (have_saved_typelib) write_value(TLB_KEY, saved_typelib);
}

static void test_registration(void)
{
    HRESULT (WINAPI *unreg)(void) = (void *)GetProcAddress(winhttp, "DllUnregisterServer");
    HRESULT (WINAPI *reg)(void) = (void *)GetProcAddress(winhttp, "DllRegisterServer");
    WCHAR value[MAX_PATH], path[MAX_PATH];
    ITypeLib *lib;
    CLSID clsid;
    HRESULT hr;

    GetModuleFileNameW(winhttp, path, ARRAY_SIZE(path));
    ok(read_value(CLSID_KEY L"\\InprocServer32", NULL, value, ARRAY_SIZE(value)) && !wcsicmp(value, path),
       "InprocServer32 %s, expected %s\n", wine_dbgstr_w(value), wine_dbgstr_w(path));
    ok(read_value(CLSID_KEY L"\\InprocServer32", L"ThreadingModel", value, ARRAY_SIZE(value)) &&
       !wcscmp(value, L"Apartment"), "ThreadingModel %s\n", wine_dbgstr_w(value));
    ok(read_value(CLSID_KEY L"\\ProgID", NULL, value, ARRAY_SIZE(value)) &&
       !wcscmp(value, L"WinHttp.WinHttpRequest.5.1"), "ProgID %s\n", wine_dbgstr_w(value));
    ok(read_value(CLSID_KEY L"\\TypeLib", NULL, value, ARRAY_SIZE(value)) &&
       !wcsicmp(value, L"{662901FC-6951-4854-9EB2-D9A2570F2B2E}"), "TypeLib %s\n", wine_dbgstr_w(value));
    ok(read_value(L"WinHttp.WinHttpRequest.5.1\\CLSID", NULL, value, ARRAY_SIZE(value)) &&
       !wcsicmp(value, L"{2087C2F4-2CEF-4953-A8AB-66779B670495}"), "ProgID's CLSID %s\n", wine_dbgstr_w(value));
    ok(read_value(TLB_KEY, NULL, value, ARRAY_SIZE(value)) && !wcsicmp(value, path),
       "type library path %s\n", wine_dbgstr_w(value));
    ok(read_value(L"Interface\\{016FE2EC-B2C8-45F8-B23B-39E53A75396B}\\ProxyStubClsid32", NULL, value,
                  ARRAY_SIZE(value)) && !wcsicmp(value, L"{00020424-0000-0000-C000-000000000046}"),
       "IWinHttpRequest marshaller %s\n", wine_dbgstr_w(value));
    ok(read_value(L"Interface\\{F97F4E15-B787-4212-80D1-D380CBBF982E}\\ProxyStubClsid32", NULL, value,
                  ARRAY_SIZE(value)), "IWinHttpRequestEvents has no marshaller\n");

    hr = CLSIDFromProgID(L"WinHttp.WinHttpRequest.5.1", &clsid);
    ok(hr == S_OK && IsEqualGUID(&clsid, &CLSID_WinHttpRequest), "CLSIDFromProgID: %#lx\n", hr);
    hr = LoadRegTypeLib(&LIBID_WinHttp, 5, 1, 0, &lib);
    ok(hr == S_OK, "LoadRegTypeLib: %#lx\n", hr);
    if (lib) ITypeLib_Release(lib);

    ok(unreg != NULL, "no DllUnregisterServer export\n");
    if (!unreg || !reg) return;
    hr = unreg();
    ok(hr == S_OK, "DllUnregisterServer: %#lx\n", hr);
    ok(!read_value(CLSID_KEY L"\\InprocServer32", NULL, value, ARRAY_SIZE(value)), "class still registered\n");
    ok(!read_value(L"WinHttp.WinHttpRequest.5.1\\CLSID", NULL, value, ARRAY_SIZE(value)), "ProgID still there\n");
    ok(!read_value(TLB_KEY, NULL, value, ARRAY_SIZE(value)), "type library still registered\n");
    hr = CLSIDFromProgID(L"WinHttp.WinHttpRequest.5.1", &clsid);
    ok(hr == CO_E_CLASSSTRING, "CLSIDFromProgID after unregistering: %#lx\n", hr);
    hr = unreg();
    ok(hr == S_OK, "DllUnregisterServer twice: %#lx\n", hr);
    hr = reg();
    ok(hr == S_OK, "DllRegisterServer again: %#lx\n", hr);
}

/* Error states before and after Open ------------------------------------------- */

static void test_before_open(void)
{
    IWinHttpRequest *req = create_request();
    BSTR str = NULL, name = SysAllocString(L"Connection"), value = SysAllocString(L"x");
    VARIANT v, server, bypass;
    VARIANT_BOOL done;
    LONG status;
    HRESULT hr;

    if (!req) return;
    VariantInit(&v);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "Send: %#lx\n", hr);
    hr = IWinHttpRequest_get_Status(req, NULL);
    ok(hr == E_INVALIDARG, "Status(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_get_Status(req, &status);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "Status: %#lx\n", hr);
    hr = IWinHttpRequest_get_StatusText(req, NULL);
    ok(hr == E_INVALIDARG, "StatusText(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_get_StatusText(req, &str);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "StatusText: %#lx\n", hr);
    hr = IWinHttpRequest_get_ResponseText(req, NULL);
    ok(hr == E_INVALIDARG, "ResponseText(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_get_ResponseText(req, &str);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "ResponseText: %#lx\n", hr);
    hr = IWinHttpRequest_get_ResponseBody(req, NULL);
    ok(hr == E_INVALIDARG, "ResponseBody(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_get_ResponseBody(req, &v);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "ResponseBody: %#lx\n", hr);
    hr = IWinHttpRequest_get_ResponseStream(req, &v);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "ResponseStream: %#lx\n", hr);
    hr = IWinHttpRequest_GetAllResponseHeaders(req, NULL);
    ok(hr == E_INVALIDARG, "GetAllResponseHeaders(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_GetAllResponseHeaders(req, &str);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "GetAllResponseHeaders: %#lx\n", hr);
    hr = IWinHttpRequest_GetResponseHeader(req, NULL, NULL);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "GetResponseHeader: %#lx\n", hr);
    hr = IWinHttpRequest_GetResponseHeader(req, name, &str);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "GetResponseHeader: %#lx\n", hr);
    hr = IWinHttpRequest_SetRequestHeader(req, NULL, NULL);
    ok(hr == E_INVALIDARG, "SetRequestHeader(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_SetRequestHeader(req, name, value);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "SetRequestHeader: %#lx\n", hr);
    hr = IWinHttpRequest_SetCredentials(req, value, value, HTTPREQUEST_SETCREDENTIALS_FOR_SERVER);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "SetCredentials: %#lx\n", hr);
    hr = IWinHttpRequest_WaitForResponse(req, vmissing, &done);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "WaitForResponse: %#lx\n", hr);
    hr = IWinHttpRequest_Abort(req);
    ok(hr == S_OK, "Abort: %#lx\n", hr);

    /* Settings are taken before Open. */
    hr = IWinHttpRequest_SetTimeouts(req, 1000, 2000, 3000, 4000);
    ok(hr == S_OK, "SetTimeouts: %#lx\n", hr);
    hr = IWinHttpRequest_SetTimeouts(req, -1, -1, -1, -1);
    ok(hr == S_OK, "SetTimeouts(-1): %#lx\n", hr);
    hr = IWinHttpRequest_SetTimeouts(req, -2, 0, 0, 0);
    ok(hr == E_INVALIDARG, "SetTimeouts(-2): %#lx\n", hr);
    hr = IWinHttpRequest_SetAutoLogonPolicy(req, 0xdeadbeef);
    ok(hr == E_INVALIDARG, "SetAutoLogonPolicy(bad): %#lx\n", hr);
    hr = IWinHttpRequest_SetAutoLogonPolicy(req, AutoLogonPolicy_Never);
    ok(hr == S_OK, "SetAutoLogonPolicy: %#lx\n", hr);
    hr = IWinHttpRequest_SetAutoLogonPolicy(req, AutoLogonPolicy_OnlyIfBypassProxy);
    ok(hr == S_OK, "SetAutoLogonPolicy: %#lx\n", hr);
    V_VT(&server) = VT_ERROR;
    V_ERROR(&server) = DISP_E_PARAMNOTFOUND;
    bypass = server;
    hr = IWinHttpRequest_SetProxy(req, HTTPREQUEST_PROXYSETTING_DIRECT, server, bypass);
    ok(hr == S_OK, "SetProxy(DIRECT): %#lx\n", hr);
    hr = IWinHttpRequest_SetProxy(req, 0xdeadbeef, server, bypass);
    ok(hr == E_INVALIDARG, "SetProxy(bad): %#lx\n", hr);
    hr = IWinHttpRequest_SetProxy(req, HTTPREQUEST_PROXYSETTING_DEFAULT, server, bypass);
    ok(hr == S_OK, "SetProxy(DEFAULT): %#lx\n", hr);
    hr = IWinHttpRequest_SetClientCertificate(req, value);
    ok(hr == HRESULT_FROM_WIN32(CRYPT_E_NOT_FOUND), "SetClientCertificate(no such): %#lx\n", hr);

    IWinHttpRequest_Release(req);
    SysFreeString(name);
    SysFreeString(value);
}

static void test_open(void)
{
    IWinHttpRequest *req = create_request();
    BSTR get = SysAllocString(L"GET"), url = url_of(L"/http/hello"), bad = SysAllocString(L"no.scheme.example");
    VARIANT async;
    HRESULT hr;

    if (!req) return;
    hr = IWinHttpRequest_Open(req, NULL, NULL, vmissing);
    ok(hr == E_INVALIDARG, "Open(NULL, NULL): %#lx\n", hr);
    hr = IWinHttpRequest_Open(req, get, NULL, vmissing);
    ok(hr == E_INVALIDARG, "Open(GET, NULL): %#lx\n", hr);
    hr = IWinHttpRequest_Open(req, NULL, url, vmissing);
    ok(hr == E_INVALIDARG, "Open(NULL, url): %#lx\n", hr);
    hr = IWinHttpRequest_Open(req, get, bad, vfalse);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_UNRECOGNIZED_SCHEME), "Open(no scheme): %#lx\n", hr);

    /* Async given as anything that converts to a boolean, or left out. */
    hr = IWinHttpRequest_Open(req, get, url, vmissing);
    ok(hr == S_OK, "Open(missing): %#lx\n", hr);
    V_VT(&async) = VT_I4;
    V_I4(&async) = 1;
    hr = IWinHttpRequest_Open(req, get, url, async);
    ok(hr == S_OK, "Open(VT_I4 1): %#lx\n", hr);
    V_VT(&async) = VT_BSTR;
    V_BSTR(&async) = SysAllocString(L"true");
    hr = IWinHttpRequest_Open(req, get, url, async);
    ok(hr == S_OK, "Open(\"true\"): %#lx\n", hr);
    VariantClear(&async);

    /* A second Open replaces the first; Abort ends the open request. */
    hr = IWinHttpRequest_Open(req, get, url, vfalse);
    ok(hr == S_OK, "Open: %#lx\n", hr);
    hr = IWinHttpRequest_Abort(req);
    ok(hr == S_OK, "Abort: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "Send after Abort: %#lx\n", hr);

    IWinHttpRequest_Release(req);
    SysFreeString(get);
    SysFreeString(url);
    SysFreeString(bad);
}

/* Requests -------------------------------------------------------------------- */

static void test_get(void)
{
    IWinHttpRequest *req = create_request();
    BSTR str = NULL, name = SysAllocString(L"Content-Length"), missing = SysAllocString(L"X-Not-There");
    VARIANT body, stream_var;
    VARIANT_BOOL done = VARIANT_FALSE;
    LARGE_INTEGER zero;
    IStream *stream;
    char buf[16];
    ULONG read;
    HRESULT hr;
    void *data;

    if (!req) return;
    hr = open_req(req, L"GET", L"/http/hello", vfalse);
    ok(hr == S_OK, "Open: %#lx\n", hr);
    hr = IWinHttpRequest_get_Status(req, (LONG *)&read);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "Status before Send: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "second Send: %#lx\n", hr);

    ok(get_status(req) == 200, "status\n");
    hr = IWinHttpRequest_get_StatusText(req, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"OK"), "StatusText %#lx %s\n", hr, wine_dbgstr_w(str));
    SysFreeString(str);
    check_text(req, L"hello", __LINE__);

    hr = IWinHttpRequest_GetResponseHeader(req, name, NULL);
    ok(hr == E_INVALIDARG, "GetResponseHeader(NULL): %#lx\n", hr);
    hr = IWinHttpRequest_GetResponseHeader(req, name, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"5"), "Content-Length %#lx %s\n", hr, wine_dbgstr_w(str));
    SysFreeString(str);
    str = NULL;
    hr = IWinHttpRequest_GetResponseHeader(req, missing, &str);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND), "missing header: %#lx\n", hr);
    hr = IWinHttpRequest_GetAllResponseHeaders(req, &str);
    ok(hr == S_OK, "GetAllResponseHeaders: %#lx\n", hr);
    ok(str && wcsstr(str, L"Content-Length: 5\r\n") && wcsncmp(str, L"HTTP/", 5),
       "all headers %s\n", wine_dbgstr_w(str));
    SysFreeString(str);

    VariantInit(&body);
    hr = IWinHttpRequest_get_ResponseBody(req, &body);
    ok(hr == S_OK && V_VT(&body) == (VT_ARRAY | VT_UI1), "ResponseBody %#lx vt %#x\n", hr, V_VT(&body));
    if (hr == S_OK)
    {
        ok(V_ARRAY(&body)->rgsabound[0].cElements == 5, "%lu bytes\n", V_ARRAY(&body)->rgsabound[0].cElements);
        SafeArrayAccessData(V_ARRAY(&body), &data);
        ok(!memcmp(data, "hello", 5), "body differs\n");
        SafeArrayUnaccessData(V_ARRAY(&body));
        VariantClear(&body);
    }

    VariantInit(&stream_var);
    hr = IWinHttpRequest_get_ResponseStream(req, &stream_var);
    ok(hr == S_OK && V_VT(&stream_var) == VT_UNKNOWN, "ResponseStream %#lx vt %#x\n", hr, V_VT(&stream_var));
    if (hr == S_OK)
    {
        hr = IUnknown_QueryInterface(V_UNKNOWN(&stream_var), &IID_IStream, (void **)&stream);
        ok(hr == S_OK && (IUnknown *)stream == V_UNKNOWN(&stream_var), "IStream: %#lx\n", hr);
        memset(buf, 0, sizeof(buf));
        hr = IStream_Read(stream, buf, sizeof(buf), &read);
        ok(hr == S_OK && read == 5 && !memcmp(buf, "hello", 5), "Read %#lx %lu %s\n", hr, read, buf);
        zero.QuadPart = 0;
        IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
        hr = IStream_Read(stream, buf, 2, &read);
        ok(hr == S_OK && read == 2 && !memcmp(buf, "he", 2), "Read after Seek %#lx %lu\n", hr, read);
        IStream_Release(stream);
        VariantClear(&stream_var);
    }

    hr = IWinHttpRequest_SetRequestHeader(req, name, name);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_AFTER_SEND), "SetRequestHeader after Send: %#lx\n", hr);
    hr = IWinHttpRequest_WaitForResponse(req, vmissing, &done);
    ok(hr == S_OK && done == VARIANT_TRUE, "WaitForResponse after a synchronous Send: %#lx %d\n", hr, done);

    /* The object can be opened again for the next request. */
    hr = open_req(req, L"GET", L"/http/chunked", vfalse);
    ok(hr == S_OK, "Open again: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    check_text(req, L"hello chunked world", __LINE__);

    hr = open_req(req, L"GET", L"/http/status/404", vfalse);
    ok(hr == S_OK, "Open: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send 404: %#lx\n", hr);
    ok(get_status(req) == 404, "status\n");
    hr = IWinHttpRequest_get_StatusText(req, &str);
    ok(hr == S_OK && str && !wcscmp(str, L"Not Found"), "StatusText %s\n", wine_dbgstr_w(str));
    SysFreeString(str);

    IWinHttpRequest_Release(req);
    SysFreeString(name);
    SysFreeString(missing);
}

static void test_headers_and_agent(void)
{
    IWinHttpRequest *req = create_request();
    BSTR name = SysAllocString(L"X-Com-Test"), value = SysAllocString(L"one"), value2 = SysAllocString(L"two");
    VARIANT agent;
    HRESULT hr;

    if (!req) return;
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_UserAgentString, &agent);
    ok(hr == S_OK && V_VT(&agent) == VT_BSTR && !wcscmp(V_BSTR(&agent), DEFAULT_UA), "user agent %#lx %s\n", hr,
       V_VT(&agent) == VT_BSTR ? wine_dbgstr_w(V_BSTR(&agent)) : "?");
    VariantClear(&agent);

    open_req(req, L"GET", L"/http/echo-headers", vfalse);
    hr = IWinHttpRequest_SetRequestHeader(req, name, value);
    ok(hr == S_OK, "SetRequestHeader: %#lx\n", hr);
    hr = IWinHttpRequest_SetRequestHeader(req, name, value2);
    ok(hr == S_OK, "SetRequestHeader again: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    ok(text_contains(req, L"X-Com-Test: two\r\n"), "header not replaced\n");
    ok(!text_contains(req, L"X-Com-Test: one"), "old value still sent\n");
    ok(text_contains(req, L"User-Agent: " DEFAULT_UA "\r\n"), "default user agent not sent\n");
    ok(text_contains(req, L"Accept: */*\r\n"), "Accept not sent\n");

    V_VT(&agent) = VT_BSTR;
    V_BSTR(&agent) = SysAllocString(L"com-test-agent/1.0");
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_UserAgentString, agent);
    ok(hr == S_OK, "put UserAgentString: %#lx\n", hr);
    VariantClear(&agent);
    open_req(req, L"GET", L"/http/echo-headers", vfalse);
    IWinHttpRequest_SetRequestHeader(req, name, value);
    hr = IWinHttpRequest_SetRequestHeader(req, name, NULL);
    ok(hr == S_OK, "SetRequestHeader(NULL value): %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    ok(text_contains(req, L"User-Agent: com-test-agent/1.0\r\n"), "user agent option not used\n");
    ok(!text_contains(req, L"X-Com-Test"), "a header set to nothing was sent\n");

    IWinHttpRequest_Release(req);
    SysFreeString(name);
    SysFreeString(value);
    SysFreeString(value2);
}

static void test_post(void)
{
    IWinHttpRequest *req = create_request();
    unsigned char bytes[256];
    SAFEARRAY *sa;
    VARIANT v, body;
    IStream *stream;
    HGLOBAL mem;
    HRESULT hr;
    void *data;
    int i;

    if (!req) return;
    for (i = 0; i < 256; i++) bytes[i] = i;

    /* Text: ASCII goes as it is. */
    open_req(req, L"POST", L"/http/echo-body", vfalse);
    hr = send_bstr(req, L"plain text");
    ok(hr == S_OK, "Send(BSTR): %#lx\n", hr);
    check_text(req, L"plain text", __LINE__);

    /* Text beyond ASCII: UTF-8, and the Content-Type says so. */
    open_req(req, L"POST", L"/http/echo-headers", vfalse);
    hr = send_bstr(req, L"caf\x00e9");
    ok(hr == S_OK, "Send(BSTR): %#lx\n", hr);
    ok(text_contains(req, L"Content-Type: text/plain; charset=UTF-8\r\n"), "no charset in Content-Type\n");
    ok(text_contains(req, L"Content-Length: 5\r\n"), "not 5 bytes of UTF-8\n");
    open_req(req, L"POST", L"/http/echo-body", vfalse);
    send_bstr(req, L"caf\x00e9");
    VariantInit(&body);
    hr = IWinHttpRequest_get_ResponseBody(req, &body);
    ok(hr == S_OK, "ResponseBody: %#lx\n", hr);
    if (hr == S_OK)
    {
        SafeArrayAccessData(V_ARRAY(&body), &data);
        ok(V_ARRAY(&body)->rgsabound[0].cElements == 5 && !memcmp(data, "caf\xc3\xa9", 5), "UTF-8 body differs\n");
        SafeArrayUnaccessData(V_ARRAY(&body));
        VariantClear(&body);
    }

    /* Bytes: a SAFEARRAY of VT_UI1, also by reference. */
    sa = SafeArrayCreateVector(VT_UI1, 0, sizeof(bytes));
    SafeArrayAccessData(sa, &data);
    memcpy(data, bytes, sizeof(bytes));
    SafeArrayUnaccessData(sa);
    open_req(req, L"POST", L"/http/echo-body", vfalse);
    V_VT(&v) = VT_ARRAY | VT_UI1;
    V_ARRAY(&v) = sa;
    hr = IWinHttpRequest_Send(req, v);
    ok(hr == S_OK, "Send(array): %#lx\n", hr);
    VariantInit(&body);
    hr = IWinHttpRequest_get_ResponseBody(req, &body);
    ok(hr == S_OK, "ResponseBody: %#lx\n", hr);
    if (hr == S_OK)
    {
        SafeArrayAccessData(V_ARRAY(&body), &data);
        ok(V_ARRAY(&body)->rgsabound[0].cElements == 256 && !memcmp(data, bytes, 256), "binary echo differs\n");
        SafeArrayUnaccessData(V_ARRAY(&body));
        VariantClear(&body);
    }
    open_req(req, L"PUT", L"/http/echo-headers", vfalse);
    V_VT(&v) = VT_ARRAY | VT_UI1 | VT_BYREF;
    V_ARRAYREF(&v) = &sa;
    hr = IWinHttpRequest_Send(req, v);
    ok(hr == S_OK, "Send(array by reference): %#lx\n", hr);
    ok(text_contains(req, L"PUT /http/echo-headers HTTP/1.1"), "not a PUT\n");
    ok(text_contains(req, L"Content-Length: 256\r\n"), "not 256 bytes\n");
    SafeArrayDestroy(sa);

    /* A stream. */
    mem = GlobalAlloc(GMEM_MOVEABLE, 100);
    memcpy(GlobalLock(mem), bytes + 100, 100);
    GlobalUnlock(mem);
    CreateStreamOnHGlobal(mem, TRUE, &stream);
    open_req(req, L"POST", L"/http/echo-body", vfalse);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)stream;
    hr = IWinHttpRequest_Send(req, v);
    ok(hr == S_OK, "Send(IStream): %#lx\n", hr);
    IStream_Release(stream);
    VariantInit(&body);
    hr = IWinHttpRequest_get_ResponseBody(req, &body);
    if (hr == S_OK)
    {
        SafeArrayAccessData(V_ARRAY(&body), &data);
        ok(V_ARRAY(&body)->rgsabound[0].cElements == 100 && !memcmp(data, bytes + 100, 100), "stream echo differs\n");
        SafeArrayUnaccessData(V_ARRAY(&body));
        VariantClear(&body);
    }

    /* No body: VT_EMPTY and the missing argument both send nothing. */
    open_req(req, L"POST", L"/http/echo-headers", vfalse);
    VariantInit(&v);
    hr = IWinHttpRequest_Send(req, v);
    ok(hr == S_OK, "Send(VT_EMPTY): %#lx\n", hr);
    ok(text_contains(req, L"Content-Length: 0\r\n"), "a body was sent\n");

    IWinHttpRequest_Release(req);
}

/* SetProxy(HTTPREQUEST_PROXYSETTING_PROXY) before Open: the request goes
 * through the proxy (squid from tools/with-servers.sh, which adds Via). */
static void test_proxy(void)
{
    const char *env = getenv("WSTEST_PROXY");
    IWinHttpRequest *req;
    VARIANT server, bypass;
    BSTR via = SysAllocString(L"Via"), value = NULL;
    WCHAR proxy[64];
    HRESULT hr;

    if (!env || !*env)
    {
        skip("WSTEST_PROXY is not set (no squid)\n");
        SysFreeString(via);
        return;
    }
    if (!(req = create_request())) return;
    MultiByteToWideChar(CP_ACP, 0, env, -1, proxy, ARRAY_SIZE(proxy));
    V_VT(&server) = VT_BSTR;
    V_BSTR(&server) = SysAllocString(proxy);
    V_VT(&bypass) = VT_BSTR;
    V_BSTR(&bypass) = SysAllocString(L"");
    hr = IWinHttpRequest_SetProxy(req, HTTPREQUEST_PROXYSETTING_PROXY, server, bypass);
    ok(hr == S_OK, "SetProxy: %#lx\n", hr);
    open_req(req, L"GET", L"/http/hello", vfalse);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send through the proxy: %#lx\n", hr);
    if (hr == S_OK)
    {
        ok(get_status(req) == 200, "status through the proxy\n");
        check_text(req, L"hello", __LINE__);
        hr = IWinHttpRequest_GetResponseHeader(req, via, &value);
        ok(hr == S_OK && value, "no Via header: %#lx\n", hr);
        SysFreeString(value);
    }

    /* DIRECT again: the next Open goes straight to the server. */
    hr = IWinHttpRequest_SetProxy(req, HTTPREQUEST_PROXYSETTING_DIRECT, server, bypass);
    ok(hr == S_OK, "SetProxy(DIRECT): %#lx\n", hr);
    open_req(req, L"GET", L"/http/hello", vfalse);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    value = NULL;
    hr = IWinHttpRequest_GetResponseHeader(req, via, &value);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND), "Via without a proxy: %#lx\n", hr);
    SysFreeString(value);

    VariantClear(&server);
    VariantClear(&bypass);
    SysFreeString(via);
    IWinHttpRequest_Release(req);
}

/* A 401, then the same request with credentials (Basic). */
static void test_credentials(void)
{
    IWinHttpRequest *req = create_request();
    BSTR user = SysAllocString(L"scott"), pass = SysAllocString(L"tiger"), wrong = SysAllocString(L"lion");
    HRESULT hr;

    if (!req) return;
    open_req(req, L"GET", L"/http/auth-basic/scott/tiger", vfalse);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(get_status(req) == 401, "no credentials: not 401\n");
    check_text(req, L"Unauthorized", __LINE__);

    open_req(req, L"GET", L"/http/auth-basic/scott/tiger", vfalse);
    hr = IWinHttpRequest_SetCredentials(req, user, NULL, 2);
    ok(hr == E_INVALIDARG, "SetCredentials(flags 2): %#lx\n", hr);
    hr = IWinHttpRequest_SetCredentials(req, NULL, pass, HTTPREQUEST_SETCREDENTIALS_FOR_SERVER);
    ok(hr == E_INVALIDARG, "SetCredentials(no user): %#lx\n", hr);
    hr = IWinHttpRequest_SetCredentials(req, user, pass, HTTPREQUEST_SETCREDENTIALS_FOR_SERVER);
    ok(hr == S_OK, "SetCredentials: %#lx\n", hr);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(get_status(req) == 200, "with credentials: not 200\n");
    check_text(req, L"authorized scott", __LINE__);

    open_req(req, L"GET", L"/http/auth-basic/scott/tiger", vfalse);
    IWinHttpRequest_SetCredentials(req, user, wrong, HTTPREQUEST_SETCREDENTIALS_FOR_SERVER);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(get_status(req) == 401, "wrong password: not 401\n");

    IWinHttpRequest_Release(req);
    SysFreeString(user);
    SysFreeString(pass);
    SysFreeString(wrong);
}

static void test_response_text_charset(void)
{
    static const struct
    {
        const WCHAR *type;
        const char *bytes;
        const WCHAR *text;
    }
    tests[] =
    {
        { L"text/plain;%20charset=utf-8", "caf\xc3\xa9", L"caf\x00e9" },
        { L"text/plain;%20charset=%22UTF-8%22", "caf\xc3\xa9", L"caf\x00e9" },
        { L"text/html;%20charset=iso-8859-1", "caf\xe9", L"caf\x00e9" },
        { L"text/plain;%20charset=windows-1251", "\xc0", L"\x0410" },
        { L"text/plain", "\xef\xbb\xbf" "caf\xc3\xa9", L"caf\x00e9" },   /* a UTF-8 BOM wins */
    };
    IWinHttpRequest *req = create_request();
    WCHAR path[128];
    SAFEARRAY *sa;
    VARIANT v;
    void *data;
    unsigned int i;

    if (!req) return;
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        swprintf(path, ARRAY_SIZE(path), L"/http/typed/%ls", tests[i].type);
        open_req(req, L"POST", path, vfalse);
        sa = SafeArrayCreateVector(VT_UI1, 0, strlen(tests[i].bytes));
        SafeArrayAccessData(sa, &data);
        memcpy(data, tests[i].bytes, strlen(tests[i].bytes));
        SafeArrayUnaccessData(sa);
        V_VT(&v) = VT_ARRAY | VT_UI1;
        V_ARRAY(&v) = sa;
        ok(IWinHttpRequest_Send(req, v) == S_OK, "%u: Send failed\n", i);
        SafeArrayDestroy(sa);
        winetest_push_context("%u", i);
        check_text(req, tests[i].text, __LINE__);
        winetest_pop_context();
    }
    IWinHttpRequest_Release(req);
}

static void test_timeouts(void)
{
    IWinHttpRequest *req = create_request();
    DWORD start, elapsed;
    HRESULT hr;

    if (!req) return;
    hr = IWinHttpRequest_SetTimeouts(req, 0, 5000, 5000, 300);
    ok(hr == S_OK, "SetTimeouts: %#lx\n", hr);
    open_req(req, L"GET", L"/http/delay/3000", vfalse);
    start = GetTickCount();
    hr = IWinHttpRequest_Send(req, vmissing);
    elapsed = GetTickCount() - start;
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT), "Send past the receive timeout: %#lx\n", hr);
    ok(elapsed < 2500, "the timeout took %lu ms\n", elapsed);

    /* A direct connection is what a WinHTTP without proxies makes anyway. */
    {
        VARIANT server, bypass;
        V_VT(&server) = VT_ERROR;
        V_ERROR(&server) = DISP_E_PARAMNOTFOUND;
        bypass = server;
        hr = IWinHttpRequest_SetProxy(req, HTTPREQUEST_PROXYSETTING_DIRECT, server, bypass);
        ok(hr == S_OK, "SetProxy(DIRECT): %#lx\n", hr);
    }

    /* Settings outlive Open: a longer timeout lets the same request through. */
    IWinHttpRequest_SetTimeouts(req, 0, 5000, 5000, 5000);
    open_req(req, L"GET", L"/http/delay/500", vfalse);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send within the timeout: %#lx\n", hr);
    check_text(req, L"hello", __LINE__);
    IWinHttpRequest_Release(req);

    /* Nobody listens there: the connection is refused. */
    req = create_request();
    if (!req) return;
    {
        BSTR get = SysAllocString(L"GET"), url = SysAllocString(L"http://127.0.0.1:1/");
        IWinHttpRequest_Open(req, get, url, vfalse);
        hr = IWinHttpRequest_Send(req, vmissing);
        ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT), "Send to a closed port: %#lx\n", hr);
        SysFreeString(get);
        SysFreeString(url);
    }
    IWinHttpRequest_Release(req);
}

static void test_async(void)
{
    IWinHttpRequest *req = create_request();
    VARIANT zero, five;
    VARIANT_BOOL done;
    BSTR text = NULL;
    HRESULT hr;

    if (!req) return;
    V_VT(&zero) = VT_I4;
    V_I4(&zero) = 0;
    V_VT(&five) = VT_I4;
    V_I4(&five) = 5;

    hr = open_req(req, L"GET", L"/http/delay/1000", vtrue);
    ok(hr == S_OK, "Open async: %#lx\n", hr);
    hr = IWinHttpRequest_WaitForResponse(req, zero, &done);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "WaitForResponse before Send: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    /* The server waits a second before it answers. */
    done = 0xcc;
    hr = IWinHttpRequest_WaitForResponse(req, zero, &done);
    ok(hr == S_OK && done == VARIANT_FALSE, "WaitForResponse(0) while pending: %#lx %d\n", hr, done);
    hr = IWinHttpRequest_get_ResponseText(req, &text);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "ResponseText while pending: %#lx\n", hr);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send while pending: %#lx\n", hr);
    hr = IWinHttpRequest_WaitForResponse(req, five, &done);
    ok(hr == S_OK && done == VARIANT_TRUE, "WaitForResponse(5): %#lx %d\n", hr, done);
    ok(get_status(req) == 200, "status\n");
    check_text(req, L"hello", __LINE__);

    /* Errors come back from WaitForResponse. */
    hr = open_req(req, L"GET", L"/http/delay/3000", vtrue);
    IWinHttpRequest_SetTimeouts(req, 0, 5000, 5000, 200);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    hr = IWinHttpRequest_WaitForResponse(req, five, &done);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT) && done == VARIANT_TRUE, "WaitForResponse: %#lx %d\n", hr,
       done);

    /* Released while pending: the request is abandoned cleanly. */
    open_req(req, L"GET", L"/http/delay/2000", vtrue);
    IWinHttpRequest_SetTimeouts(req, 0, 5000, 5000, 5000);
    IWinHttpRequest_Send(req, vmissing);
    IWinHttpRequest_Release(req);
}

/* Abort from another thread ends a pending Send. */
struct abort_args
{
    IWinHttpRequest *req;
    HANDLE started;
    HRESULT hr;
};

static DWORD WINAPI send_thread(void *arg)
{
    struct abort_args *a = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    SetEvent(a->started);
    a->hr = IWinHttpRequest_Send(a->req, vmissing);
    CoUninitialize();
    return 0;
}

static void test_abort(void)
{
    struct abort_args a;
    HANDLE thread;
    DWORD start, elapsed, wait;
    VARIANT_BOOL done;
    HRESULT hr;
    LONG status;

    a.req = create_request();
    if (!a.req) return;
    a.started = CreateEventW(NULL, TRUE, FALSE, NULL);
    a.hr = 0xdeadbeef;
    open_req(a.req, L"GET", L"/http/delay/8000", vfalse);
    thread = CreateThread(NULL, 0, send_thread, &a, 0, NULL);
    WaitForSingleObject(a.started, WAIT_MS);
    /* Let Send reach the server; the answer is 8 s away either way. */
    WaitForSingleObject(thread, 300);
    start = GetTickCount();
    hr = IWinHttpRequest_Abort(a.req);
    ok(hr == S_OK, "Abort: %#lx\n", hr);
    wait = WaitForSingleObject(thread, 5000);
    elapsed = GetTickCount() - start;
    ok(wait == WAIT_OBJECT_0, "Send did not end after Abort\n");
    ok(elapsed < 3000, "Send ended %lu ms after Abort\n", elapsed);
    ok(a.hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_OPERATION_CANCELLED), "aborted Send: %#lx\n", a.hr);
    hr = IWinHttpRequest_get_Status(a.req, &status);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND), "Status after Abort: %#lx\n", hr);
    hr = IWinHttpRequest_Send(a.req, vmissing);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "Send after Abort: %#lx\n", hr);
    CloseHandle(thread);

    /* Asynchronous: Abort, then WaitForResponse reports the cancellation. */
    open_req(a.req, L"GET", L"/http/delay/8000", vtrue);
    ok(IWinHttpRequest_Send(a.req, vmissing) == S_OK, "async Send failed\n");
    start = GetTickCount();
    hr = IWinHttpRequest_Abort(a.req);
    ok(hr == S_OK && GetTickCount() - start < 3000, "Abort: %#lx after %lu ms\n", hr, GetTickCount() - start);
    hr = IWinHttpRequest_WaitForResponse(a.req, vmissing, &done);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "WaitForResponse after Abort: %#lx\n", hr);

    /* The object is usable after an abort. */
    open_req(a.req, L"GET", L"/http/hello", vfalse);
    ok(IWinHttpRequest_Send(a.req, vmissing) == S_OK, "Send after Abort failed\n");
    check_text(a.req, L"hello", __LINE__);
    IWinHttpRequest_Release(a.req);
    CloseHandle(a.started);
}

/* Options -------------------------------------------------------------------- */

static void test_options(void)
{
    static const struct { WinHttpRequestOption option; VARTYPE vt; LONG value; } defaults[] =
    {
        { WinHttpRequestOption_URLCodePage, VT_I4, CP_UTF8 },
        { WinHttpRequestOption_EscapePercentInURL, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_SslErrorIgnoreFlags, VT_I4, 0 },
        { WinHttpRequestOption_EnableRedirects, VT_BOOL, VARIANT_TRUE },
        { WinHttpRequestOption_UrlEscapeDisable, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_UrlEscapeDisableQuery, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_EnableTracing, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_RevertImpersonationOverSsl, VT_BOOL, VARIANT_TRUE },
        { WinHttpRequestOption_EnableHttpsToHttpRedirects, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_EnablePassportAuthentication, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_MaxAutomaticRedirects, VT_I4, 10 },
        { WinHttpRequestOption_MaxResponseHeaderSize, VT_I4, 64 * 1024 },
        { WinHttpRequestOption_MaxResponseDrainSize, VT_I4, 1024 * 1024 },
        { WinHttpRequestOption_EnableHttp1_1, VT_BOOL, VARIANT_TRUE },
        { WinHttpRequestOption_EnableCertificateRevocationCheck, VT_BOOL, VARIANT_FALSE },
        { WinHttpRequestOption_RejectUserpwd, VT_BOOL, VARIANT_FALSE },
    };
    IWinHttpRequest *req = create_request();
    VARIANT v, set;
    BSTR url;
    HRESULT hr;
    unsigned int i;

    if (!req) return;
    for (i = 0; i < ARRAY_SIZE(defaults); i++)
    {
        V_VT(&v) = VT_ERROR;
        hr = IWinHttpRequest_get_Option(req, defaults[i].option, &v);
        ok(hr == S_OK, "option %d: %#lx\n", defaults[i].option, hr);
        ok(V_VT(&v) == defaults[i].vt, "option %d: vt %#x\n", defaults[i].option, V_VT(&v));
        ok((defaults[i].vt == VT_BOOL ? V_BOOL(&v) : V_I4(&v)) == defaults[i].value, "option %d: value %ld\n",
           defaults[i].option, V_I4(&v));
    }
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_RejectUserpwd + 1, &v);
    ok(hr == E_INVALIDARG, "unknown option: %#lx\n", hr);
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_URL, &v);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN), "URL before Open: %#lx\n", hr);
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_SelectCertificate, &v);
    ok(hr == E_INVALIDARG, "SelectCertificate is write-only: %#lx\n", hr);
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_SecureProtocols, &v);
    ok(hr == S_OK && V_VT(&v) == VT_I4 && V_I4(&v) == WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2,
       "SecureProtocols %#lx vt %#x %#lx\n", hr, V_VT(&v), V_I4(&v));
    V_VT(&set) = VT_I4;
    V_I4(&set) = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_SecureProtocols, set);
    ok(hr == S_OK, "put SecureProtocols: %#lx\n", hr);
    IWinHttpRequest_get_Option(req, WinHttpRequestOption_SecureProtocols, &v);
    ok(V_I4(&v) == (WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3), "SecureProtocols %#lx\n",
       V_I4(&v));
    V_I4(&set) = 0x40000000;
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_SecureProtocols, set);
    ok(hr == E_INVALIDARG, "put SecureProtocols (unknown bit): %#lx\n", hr);

    /* Round trips, with conversion of the value's type. */
    V_VT(&set) = VT_BSTR;
    V_BSTR(&set) = SysAllocString(L"25");
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_MaxAutomaticRedirects, set);
    ok(hr == S_OK, "put MaxAutomaticRedirects: %#lx\n", hr);
    VariantClear(&set);
    IWinHttpRequest_get_Option(req, WinHttpRequestOption_MaxAutomaticRedirects, &v);
    ok(V_VT(&v) == VT_I4 && V_I4(&v) == 25, "MaxAutomaticRedirects %ld\n", V_I4(&v));
    V_VT(&set) = VT_I4;
    V_I4(&set) = 0;
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_EnableHttp1_1, set);
    ok(hr == S_OK, "put EnableHttp1_1: %#lx\n", hr);
    IWinHttpRequest_get_Option(req, WinHttpRequestOption_EnableHttp1_1, &v);
    ok(V_VT(&v) == VT_BOOL && V_BOOL(&v) == VARIANT_FALSE, "EnableHttp1_1 %d\n", V_BOOL(&v));
    V_VT(&set) = VT_BSTR;
    V_BSTR(&set) = SysAllocString(L"not a number");
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_MaxResponseHeaderSize, set);
    ok(hr == DISP_E_TYPEMISMATCH, "put a word as a number: %#lx\n", hr);
    VariantClear(&set);
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_URL, vfalse);
    ok(hr == E_INVALIDARG, "put URL: %#lx\n", hr);
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_EnableTracing, vtrue);
    ok(hr == E_NOTIMPL, "put EnableTracing TRUE: %#lx\n", hr);
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_EnableTracing, vfalse);
    ok(hr == S_OK, "put EnableTracing FALSE: %#lx\n", hr);

    /* Back to the default, which asks nothing of the request handle. */
    V_VT(&set) = VT_I4;
    V_I4(&set) = 10;
    IWinHttpRequest_put_Option(req, WinHttpRequestOption_MaxAutomaticRedirects, set);

    /* EnableHttp1_1 FALSE: the request goes out as HTTP/1.0. */
    open_req(req, L"GET", L"/http/echo-headers?q=1", vfalse);
    hr = IWinHttpRequest_get_Option(req, WinHttpRequestOption_URL, &v);
    url = url_of(L"/http/echo-headers?q=1");
    ok(hr == S_OK && V_VT(&v) == VT_BSTR && !wcscmp(V_BSTR(&v), url), "URL %s\n",
       V_VT(&v) == VT_BSTR ? wine_dbgstr_w(V_BSTR(&v)) : "?");
    VariantClear(&v);
    SysFreeString(url);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(text_contains(req, L"GET /http/echo-headers?q=1 HTTP/1.0\r\n"), "not HTTP/1.0\n");

    /* URLCodePage: characters beyond ASCII are escaped in that code page. */
    V_VT(&set) = VT_I4;
    V_I4(&set) = 1252;
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_URLCodePage, set);
    ok(hr == S_OK, "put URLCodePage: %#lx\n", hr);
    open_req(req, L"GET", L"/http/echo-headers?caf\x00e9", vfalse);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(text_contains(req, L"?caf%E9 HTTP/1.0"), "not escaped in code page 1252\n");
    V_VT(&set) = VT_BSTR;
    V_BSTR(&set) = SysAllocString(L"UTF-8");
    hr = IWinHttpRequest_put_Option(req, WinHttpRequestOption_URLCodePage, set);
    ok(hr == S_OK, "put URLCodePage UTF-8: %#lx\n", hr);
    VariantClear(&set);
    open_req(req, L"GET", L"/http/echo-headers?caf\x00e9", vfalse);
    ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
    ok(text_contains(req, L"?caf%C3%A9 HTTP/1.0"), "not escaped in UTF-8\n");

    IWinHttpRequest_Release(req);
}

/* IDispatch, IProvideClassInfo ------------------------------------------------ */

static void test_dispatch(void)
{
    static const struct { const WCHAR *name; DISPID id; } names[] =
    {
        { L"Open", 1 }, { L"SetRequestHeader", 2 }, { L"GetResponseHeader", 3 }, { L"GetAllResponseHeaders", 4 },
        { L"Send", 5 }, { L"Option", 6 }, { L"Status", 7 }, { L"StatusText", 8 }, { L"ResponseText", 9 },
        { L"ResponseBody", 10 }, { L"ResponseStream", 11 }, { L"Abort", 12 }, { L"SetProxy", 13 },
        { L"SetCredentials", 14 }, { L"WaitForResponse", 15 }, { L"SetTimeouts", 16 },
        { L"SetClientCertificate", 17 }, { L"SetAutoLogonPolicy", 18 }, { L"responsetext", 9 },
    };
    IWinHttpRequest *req = create_request();
    IProvideClassInfo2 *pci;
    IDispatch *disp;
    ITypeInfo *info;
    TYPEATTR *attr;
    DISPPARAMS params;
    VARIANT args[3], result;
    LPOLESTR name;
    DISPID id, put = DISPID_PROPERTYPUT;
    UINT count, err;
    HRESULT hr;
    GUID guid;
    unsigned int i;

    if (!req) return;
    hr = IWinHttpRequest_QueryInterface(req, &IID_IDispatch, (void **)&disp);
    ok(hr == S_OK && (void *)disp == (void *)req, "IDispatch: %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IDispatch_GetTypeInfoCount(disp, &count);
    ok(hr == S_OK && count == 1, "GetTypeInfoCount %#lx %u\n", hr, count);
    hr = IDispatch_GetTypeInfo(disp, 0, 0, &info);
    ok(hr == S_OK, "GetTypeInfo: %#lx\n", hr);
    if (hr == S_OK)
    {
        ITypeInfo_GetTypeAttr(info, &attr);
        ok(IsEqualGUID(&attr->guid, &IID_IWinHttpRequest), "type info of %s\n", guid_str(&attr->guid));
        ITypeInfo_ReleaseTypeAttr(info, attr);
        ITypeInfo_Release(info);
    }
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        name = (LPOLESTR)names[i].name;
        id = -1;
        hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, 0, &id);
        ok(hr == S_OK && id == names[i].id, "%s: %#lx id %ld\n", wine_dbgstr_w(names[i].name), hr, id);
    }
    name = (LPOLESTR)L"NoSuchMember";
    hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, &name, 1, 0, &id);
    ok(hr == DISP_E_UNKNOWNNAME, "unknown name: %#lx\n", hr);

    /* A whole request through Invoke: Open, SetRequestHeader, Send, Status, ResponseText. */
    memset(&params, 0, sizeof(params));
    V_VT(&args[2]) = VT_BSTR;
    V_BSTR(&args[2]) = SysAllocString(L"GET");
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = url_of(L"/http/hello");
    args[0] = vfalse;
    params.rgvarg = args;
    params.cArgs = 3;
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_OPEN, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, &err);
    ok(hr == S_OK, "Invoke(Open): %#lx\n", hr);
    params.cArgs = 2;   /* the optional Async left out */
    args[0] = args[1];
    args[1] = args[2];
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_OPEN, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, &err);
    ok(hr == S_OK, "Invoke(Open) without Async: %#lx\n", hr);
    VariantClear(&args[0]);
    VariantClear(&args[1]);
    params.cArgs = 0;
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_SEND, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, &err);
    ok(hr == S_OK, "Invoke(Send): %#lx\n", hr);
    VariantInit(&result);
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_STATUS, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result,
                          NULL, &err);
    ok(hr == S_OK && V_VT(&result) == VT_I4 && V_I4(&result) == 200, "Invoke(Status): %#lx vt %#x\n", hr,
       V_VT(&result));
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_RESPONSETEXT, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params,
                          &result, NULL, &err);
    ok(hr == S_OK && V_VT(&result) == VT_BSTR && !wcscmp(V_BSTR(&result), L"hello"), "Invoke(ResponseText) %#lx\n",
       hr);
    VariantClear(&result);
    hr = IDispatch_Invoke(disp, 255, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, &err);
    ok(hr == DISP_E_MEMBERNOTFOUND, "Invoke(255): %#lx\n", hr);
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_SEND, &IID_IUnknown, 0, DISPATCH_METHOD, &params, NULL, NULL,
                          &err);
    ok(hr == DISP_E_UNKNOWNINTERFACE, "Invoke with a riid: %#lx\n", hr);

    /* Option as an indexed property: put then get. */
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = WinHttpRequestOption_MaxAutomaticRedirects;
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 3;
    params.cArgs = 2;
    params.cNamedArgs = 1;
    params.rgdispidNamedArgs = &put;
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_OPTION, &IID_NULL, 0, DISPATCH_PROPERTYPUT, &params, NULL, NULL,
                          &err);
    ok(hr == S_OK, "Invoke(Option put): %#lx\n", hr);
    params.cArgs = 1;
    params.cNamedArgs = 0;
    params.rgvarg = &args[1];
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_OPTION, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result,
                          NULL, &err);
    ok(hr == S_OK && V_VT(&result) == VT_I4 && V_I4(&result) == 3, "Invoke(Option get): %#lx %ld\n", hr,
       V_I4(&result));
    params.cArgs = 0;
    hr = IDispatch_Invoke(disp, DISPID_HTTPREQUEST_OPTION, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result,
                          NULL, &err);
    ok(hr == DISP_E_PARAMNOTFOUND, "Invoke(Option) without index: %#lx\n", hr);
    IDispatch_Release(disp);

    hr = IWinHttpRequest_QueryInterface(req, &IID_IProvideClassInfo2, (void **)&pci);
    ok(hr == S_OK, "IProvideClassInfo2: %#lx\n", hr);
    if (hr == S_OK)
    {
        hr = IProvideClassInfo2_GetClassInfo(pci, &info);
        ok(hr == S_OK, "GetClassInfo: %#lx\n", hr);
        if (hr == S_OK)
        {
            ITypeInfo_GetTypeAttr(info, &attr);
            ok(attr->typekind == TKIND_COCLASS && IsEqualGUID(&attr->guid, &CLSID_WinHttpRequest),
               "class info kind %d %s\n", attr->typekind, guid_str(&attr->guid));
            ITypeInfo_ReleaseTypeAttr(info, attr);
            ITypeInfo_Release(info);
        }
        hr = IProvideClassInfo2_GetGUID(pci, GUIDKIND_DEFAULT_SOURCE_DISP_IID, &guid);
        ok(hr == S_OK && IsEqualGUID(&guid, &IID_IWinHttpRequestEvents), "GetGUID %#lx %s\n", hr,
           guid_str(&guid));
        hr = IProvideClassInfo2_GetGUID(pci, 5, &guid);
        ok(hr == E_INVALIDARG, "GetGUID(5): %#lx\n", hr);
        IProvideClassInfo2_Release(pci);
    }
    IWinHttpRequest_Release(req);
}

/* Events ---------------------------------------------------------------------- */

struct sink
{
    IWinHttpRequestEvents IWinHttpRequestEvents_iface;
    LONG refs;
    LONG starts, finished, errors;
    LONG status, error;
    DWORD bytes, data_calls;
    WCHAR type[64];
    DWORD thread;            /* the thread the first event came on */
};

static struct sink *impl_from_sink(IWinHttpRequestEvents *iface)
{
    return CONTAINING_RECORD(iface, struct sink, IWinHttpRequestEvents_iface);
}

static HRESULT WINAPI sink_QueryInterface(IWinHttpRequestEvents *iface, REFIID riid, void **obj)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IWinHttpRequestEvents))
    {
        *obj = iface;
        IWinHttpRequestEvents_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IWinHttpRequestEvents *iface)
{
    return InterlockedIncrement(&impl_from_sink(iface)->refs);
}

static ULONG WINAPI sink_Release(IWinHttpRequestEvents *iface)
{
    return InterlockedDecrement(&impl_from_sink(iface)->refs);
}

static void WINAPI sink_OnResponseStart(IWinHttpRequestEvents *iface, LONG status, BSTR type)
{
    struct sink *s = impl_from_sink(iface);
    if (!s->thread) s->thread = GetCurrentThreadId();
    s->starts++;
    s->status = status;
    lstrcpynW(s->type, type ? type : L"", ARRAY_SIZE(s->type));
}

static void WINAPI sink_OnResponseDataAvailable(IWinHttpRequestEvents *iface, SAFEARRAY **data)
{
    struct sink *s = impl_from_sink(iface);
    s->data_calls++;
    if (data && *data) s->bytes += (*data)->rgsabound[0].cElements;
}

static void WINAPI sink_OnResponseFinished(IWinHttpRequestEvents *iface)
{
    impl_from_sink(iface)->finished++;
}

static void WINAPI sink_OnError(IWinHttpRequestEvents *iface, LONG error, BSTR description)
{
    struct sink *s = impl_from_sink(iface);
    if (!s->thread) s->thread = GetCurrentThreadId();
    s->errors++;
    s->error = error;
}

static const IWinHttpRequestEventsVtbl sink_vtbl =
{
    sink_QueryInterface,
    sink_AddRef,
    sink_Release,
    sink_OnResponseStart,
    sink_OnResponseDataAvailable,
    sink_OnResponseFinished,
    sink_OnError,
};

/* IEnumConnectionPoints: the one point, by the IEnumXXXX contract. */
static void test_enum_points(IConnectionPointContainer *cpc, IConnectionPoint *cp)
{
    IEnumConnectionPoints *list, *clone;
    IConnectionPoint *got[2] = { NULL, NULL };
    ULONG fetched;
    HRESULT hr;

    hr = IConnectionPointContainer_EnumConnectionPoints(cpc, NULL);
    ok(hr == E_POINTER, "EnumConnectionPoints(NULL): %#lx\n", hr);
    hr = IConnectionPointContainer_EnumConnectionPoints(cpc, &list);
    ok(hr == S_OK && list, "EnumConnectionPoints: %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IEnumConnectionPoints_Next(list, 2, got, NULL);
    ok(hr == E_POINTER, "Next(2) without a count: %#lx\n", hr);
    fetched = 99;
    hr = IEnumConnectionPoints_Next(list, 2, got, &fetched);
    ok(hr == S_FALSE && fetched == 1 && got[0] == cp && !got[1], "Next(2): %#lx, %lu, %p (point %p)\n", hr,
       fetched, got[0], cp);
    if (got[0]) IConnectionPoint_Release(got[0]);
    got[0] = NULL;
    hr = IEnumConnectionPoints_Next(list, 1, got, NULL);
    ok(hr == S_FALSE && !got[0], "Next at the end: %#lx\n", hr);
    ok(IEnumConnectionPoints_Reset(list) == S_OK, "Reset\n");
    ok(IEnumConnectionPoints_Skip(list, 1) == S_OK, "Skip(1)\n");
    ok(IEnumConnectionPoints_Skip(list, 1) == S_FALSE, "Skip past the end\n");
    ok(IEnumConnectionPoints_Reset(list) == S_OK, "Reset\n");
    hr = IEnumConnectionPoints_Clone(list, &clone);
    ok(hr == S_OK && clone, "Clone: %#lx\n", hr);
    IEnumConnectionPoints_Release(list);
    if (hr != S_OK) return;
    hr = IEnumConnectionPoints_Next(clone, 1, got, NULL);
    ok(hr == S_OK && got[0] == cp, "Next on the clone: %#lx %p\n", hr, got[0]);
    if (hr == S_OK) IConnectionPoint_Release(got[0]);
    IEnumConnectionPoints_Release(clone);
}

/* IEnumConnections with two connections of `unk': a snapshot that holds
 * each sink until it is released. */
static void test_enum_connections(IConnectionPoint *cp, IUnknown *unk, DWORD cookie, DWORD cookie2,
                                  struct sink *sink)
{
    IEnumConnections *list, *clone;
    CONNECTDATA got[3];
    BOOL seen[2] = { FALSE, FALSE };
    LONG refs_before = sink->refs;
    ULONG fetched, i;
    HRESULT hr;

    hr = IConnectionPoint_EnumConnections(cp, NULL);
    ok(hr == E_POINTER, "EnumConnections(NULL): %#lx\n", hr);
    hr = IConnectionPoint_EnumConnections(cp, &list);
    ok(hr == S_OK && list, "EnumConnections: %#lx\n", hr);
    if (hr != S_OK) return;
    ok(sink->refs == refs_before + 2, "the enumerator holds %ld references\n", sink->refs - refs_before);
    memset(got, 0, sizeof(got));
    fetched = 0;
    hr = IEnumConnections_Next(list, 3, got, &fetched);
    ok(hr == S_FALSE && fetched == 2, "Next(3): %#lx, %lu\n", hr, fetched);
    for (i = 0; i < fetched && i < 2; i++)
    {
        ok(got[i].pUnk == unk, "connection %lu: %p, sink %p\n", i, got[i].pUnk, unk);
        if (got[i].dwCookie == cookie) seen[0] = TRUE;
        if (got[i].dwCookie == cookie2) seen[1] = TRUE;
        if (got[i].pUnk) IUnknown_Release(got[i].pUnk);
    }
    ok(seen[0] && seen[1], "cookies %lu, %lu not both enumerated\n", cookie, cookie2);
    ok(IEnumConnections_Reset(list) == S_OK, "Reset\n");
    ok(IEnumConnections_Skip(list, 1) == S_OK, "Skip(1)\n");
    hr = IEnumConnections_Clone(list, &clone);
    ok(hr == S_OK && clone, "Clone: %#lx\n", hr);
    IEnumConnections_Release(list);
    if (hr != S_OK) return;
    /* the clone starts where the original was: one connection left */
    fetched = 0;
    hr = IEnumConnections_Next(clone, 2, got, &fetched);
    ok(hr == S_FALSE && fetched == 1, "Next(2) on the clone: %#lx, %lu\n", hr, fetched);
    if (fetched) IUnknown_Release(got[0].pUnk);
    IEnumConnections_Release(clone);
    ok(sink->refs == refs_before, "references left by the enumerators: %ld\n", sink->refs - refs_before);
}

static void test_events(void)
{
    IWinHttpRequest *req = create_request();
    IConnectionPointContainer *cpc;
    IConnectionPoint *cp, *cp2;
    struct sink sink;
    IUnknown *unk = (IUnknown *)&sink.IWinHttpRequestEvents_iface;
    DWORD cookie = 0, cookie2;
    BSTR get = SysAllocString(L"GET"), url;
    BOOL marshallable;
    HRESULT hr;
    IID iid;

    if (!req) return;
    memset(&sink, 0, sizeof(sink));
    sink.IWinHttpRequestEvents_iface.lpVtbl = &sink_vtbl;
    sink.refs = 1;

    hr = IWinHttpRequest_QueryInterface(req, &IID_IConnectionPointContainer, (void **)&cpc);
    ok(hr == S_OK, "IConnectionPointContainer: %#lx\n", hr);
    if (hr != S_OK) return;
    hr = IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IDispatch, &cp);
    ok(hr == CONNECT_E_NOCONNECTION, "FindConnectionPoint(IDispatch): %#lx\n", hr);
    hr = IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IWinHttpRequestEvents, &cp);
    ok(hr == S_OK, "FindConnectionPoint: %#lx\n", hr);
    if (hr != S_OK) return;
    test_enum_points(cpc, cp);
    hr = IConnectionPoint_GetConnectionInterface(cp, &iid);
    ok(hr == S_OK && IsEqualGUID(&iid, &IID_IWinHttpRequestEvents), "GetConnectionInterface %#lx\n", hr);
    hr = IConnectionPoint_GetConnectionPointContainer(cp, (IConnectionPointContainer **)&cp2);
    ok(hr == S_OK && (void *)cp2 == (void *)cpc, "GetConnectionPointContainer %#lx\n", hr);
    if (hr == S_OK) IUnknown_Release((IUnknown *)cp2);

    /* Whether COM can carry IWinHttpRequestEvents between apartments here
     * (Wine 8's type-library marshaller builds stubs for IDispatch-based
     * interfaces only): if it can, our STA sink is called on this thread,
     * through a proxy; if not, directly on the worker. */
    {
        IStream *stream;
        IUnknown *back;
        marshallable = SUCCEEDED(CoMarshalInterThreadInterfaceInStream(&IID_IWinHttpRequestEvents, unk, &stream));
        if (marshallable && SUCCEEDED(CoGetInterfaceAndReleaseStream(stream, &IID_IUnknown, (void **)&back)))
            IUnknown_Release(back);
        trace("IWinHttpRequestEvents can%s be marshalled\n", marshallable ? "" : "not");
    }

    hr = IConnectionPoint_Advise(cp, (IUnknown *)cpc, &cookie);
    ok(hr == CONNECT_E_CANNOTCONNECT, "Advise(not a sink): %#lx\n", hr);
    hr = IConnectionPoint_Advise(cp, unk, &cookie);
    ok(hr == S_OK && cookie, "Advise: %#lx %lu\n", hr, cookie);
    ok(sink.refs > 1, "the sink is not held\n");

    /* 100000 bytes: at least one OnResponseDataAvailable, the total right. */
    open_req(req, L"GET", L"/http/large/100000", vfalse);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == S_OK, "Send: %#lx\n", hr);
    ok(sink.starts == 1 && sink.status == 200, "OnResponseStart %ld times, status %ld\n", sink.starts, sink.status);
    ok(!wcscmp(sink.type, L"text/plain"), "content type %s\n", wine_dbgstr_w(sink.type));
    ok(sink.data_calls >= 1 && sink.bytes == 100000, "%lu bytes in %lu events\n", sink.bytes, sink.data_calls);
    ok(sink.finished == 1 && !sink.errors, "finished %ld, errors %ld\n", sink.finished, sink.errors);
    ok(sink.thread && (sink.thread == GetCurrentThreadId()) == marshallable, "events on thread %#lx, caller %#lx\n",
       sink.thread, GetCurrentThreadId());

    /* A failed request: OnError with the HRESULT. */
    url = SysAllocString(L"http://127.0.0.1:1/");
    IWinHttpRequest_Open(req, get, url, vfalse);
    SysFreeString(url);
    hr = IWinHttpRequest_Send(req, vmissing);
    ok(hr == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT), "Send: %#lx\n", hr);
    ok(sink.errors == 1 && sink.error == HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT), "OnError %ld %#lx\n",
       sink.errors, sink.error);
    ok(sink.starts == 1 && sink.finished == 1, "other events on failure\n");

    hr = IConnectionPoint_Advise(cp, unk, &cookie2);
    ok(hr == S_OK && cookie2 != cookie, "second Advise: %#lx\n", hr);
    test_enum_connections(cp, unk, cookie, cookie2, &sink);
    hr = IConnectionPoint_Unadvise(cp, cookie2);
    ok(hr == S_OK, "Unadvise: %#lx\n", hr);
    hr = IConnectionPoint_Unadvise(cp, cookie2);
    ok(hr == CONNECT_E_NOCONNECTION, "Unadvise twice: %#lx\n", hr);
    hr = IConnectionPoint_Unadvise(cp, cookie);
    ok(hr == S_OK, "Unadvise: %#lx\n", hr);
    ok(sink.refs == 1, "sink references left: %ld\n", sink.refs);

    /* Unadvised: no more events. */
    open_req(req, L"GET", L"/http/hello", vfalse);
    IWinHttpRequest_Send(req, vmissing);
    ok(sink.starts == 1, "event after Unadvise\n");

    /* A sink still connected when the object goes is let go. */
    IConnectionPoint_Advise(cp, unk, &cookie);
    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(cpc);
    IWinHttpRequest_Release(req);
    ok(sink.refs == 1, "sink references left after Release: %ld\n", sink.refs);
    SysFreeString(get);
}

/* Apartments ------------------------------------------------------------------ */

static DWORD WINAPI apartment_thread(void *arg)
{
    DWORD model = (DWORD)(ULONG_PTR)arg;
    IWinHttpRequest *req;
    HRESULT hr;

    hr = CoInitializeEx(NULL, model);
    ok(hr == S_OK, "CoInitializeEx(%#lx): %#lx\n", model, hr);
    if ((req = create_request_in(model == COINIT_MULTITHREADED)))
    {
        ok(open_req(req, L"GET", L"/http/hello", vfalse) == S_OK, "Open failed\n");
        ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "Send failed\n");
        check_text(req, L"hello", __LINE__);
        ok(open_req(req, L"GET", L"/http/delay/200", vtrue) == S_OK, "Open async failed\n");
        ok(IWinHttpRequest_Send(req, vmissing) == S_OK, "async Send failed\n");
        {
            VARIANT_BOOL done = VARIANT_FALSE;
            hr = IWinHttpRequest_WaitForResponse(req, vmissing, &done);
            ok(hr == S_OK && done == VARIANT_TRUE, "WaitForResponse %#lx %d\n", hr, done);
        }
        check_text(req, L"hello", __LINE__);
        IWinHttpRequest_Release(req);
    }
    CoUninitialize();
    return 0;
}

static void test_apartments(void)
{
    static const DWORD models[] = { COINIT_APARTMENTTHREADED, COINIT_MULTITHREADED };
    unsigned int i;
    HANDLE thread;

    for (i = 0; i < ARRAY_SIZE(models); i++)
    {
        winetest_push_context("%s", i ? "MTA" : "STA");
        thread = CreateThread(NULL, 0, apartment_thread, (void *)(ULONG_PTR)models[i], 0, NULL);
        ok(WaitForSingleObject(thread, 30000) == WAIT_OBJECT_0, "thread did not finish\n");
        CloseHandle(thread);
        winetest_pop_context();
    }
}

/* Leaks ----------------------------------------------------------------------- */

static void one_cycle(int i)
{
    IWinHttpRequest *req = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_WinHttpRequest, NULL, CLSCTX_INPROC_SERVER, &IID_IWinHttpRequest,
                                  (void **)&req);
    LONG status = 0;

    if (hr != S_OK) { ok(0, "cycle %d: CoCreateInstance %#lx\n", i, hr); return; }
    hr = open_req(req, L"GET", L"/http/hello", (i & 1) ? vtrue : vfalse);
    if (hr == S_OK) hr = IWinHttpRequest_Send(req, vmissing);
    if (hr == S_OK && (i & 1))
    {
        VARIANT_BOOL done;
        hr = IWinHttpRequest_WaitForResponse(req, vmissing, &done);
    }
    if (hr == S_OK) hr = IWinHttpRequest_get_Status(req, &status);
    if (hr != S_OK || status != 200) ok(0, "cycle %d: %#lx status %ld\n", i, hr, status);
    IWinHttpRequest_Release(req);
}

static void test_soak(void)
{
    const char *env = getenv("WSTEST_COM_CYCLES");
    int cycles = env ? atoi(env) : 2000, warmup = 100, i;
    SIZE_T mem_before, mem_after;
    DWORD handles_before, handles_after, start = GetTickCount();

    /* the warm-up cycles come on top of the measured ones */
    if (cycles < 10) cycles = 10;
    for (i = 0; i < warmup; i++) one_cycle(i);
    process_memory(&mem_before, NULL);
    handles_before = process_handle_count();
    for (i = 0; i < cycles; i++)
    {
        one_cycle(warmup + i);
        if (winetest_debug > 1 && !(i % (cycles / 10))) trace("cycle %d\n", i);
    }
    process_memory(&mem_after, NULL);
    handles_after = process_handle_count();
    trace("%d create/send/release cycles in %lu ms: private bytes %Iu -> %Iu (%+Id), handles %lu -> %lu\n",
          cycles, GetTickCount() - start, mem_before, mem_after, (SSIZE_T)(mem_after - mem_before),
          handles_before, handles_after);
    ok(handles_after <= handles_before + 8, "handles grew from %lu to %lu\n", handles_before, handles_after);
    ok(mem_after <= mem_before + 2 * 1024 * 1024 + 32 * (SIZE_T)cycles, "private bytes grew from %Iu to %Iu\n",
       mem_before, mem_after);
}

START_TEST(com)
{
    HRESULT hr;

    /* Nothing here imports winhttp.dll: load it (ours, from this directory). */
    winhttp = LoadLibraryA("winhttp.dll");
    ok(winhttp != NULL, "winhttp.dll not loaded: %lu\n", GetLastError());
    if (!winhttp) return;
    GetModuleInformation(GetCurrentProcess(), winhttp, &winhttp_info, sizeof(winhttp_info));
    if (!memcmp((const char *)winhttp + 0x40, "Wine builtin DLL", 16))
    {
        skip("Wine's builtin winhttp.dll is loaded: these tests are for ours\n");
        return;
    }
    V_VT(&vfalse) = VT_BOOL;
    V_BOOL(&vfalse) = VARIANT_FALSE;
    V_VT(&vtrue) = VT_BOOL;
    V_BOOL(&vtrue) = VARIANT_TRUE;
    V_VT(&vmissing) = VT_ERROR;
    V_ERROR(&vmissing) = DISP_E_PARAMNOTFOUND;

    hr = CoInitialize(NULL);
    ok(hr == S_OK, "CoInitialize: %#lx\n", hr);
    test_factory();
    if (!register_ours())
    {
        CoUninitialize();
        return;
    }
    test_registration();
    test_before_open();
    if (!ws_parse_server(ws_server_env("WSTEST_SERVER"), server_host, ARRAY_SIZE(server_host), &server_port))
        skip("WSTEST_SERVER is not set: run under tools/with-servers.sh\n");
    else
    {
        test_open();
        test_options();
        test_get();
        test_headers_and_agent();
        test_post();
        test_response_text_charset();
        test_credentials();
        test_proxy();
        test_timeouts();
        test_async();
        test_abort();
        test_dispatch();
        test_events();
        test_apartments();
        test_soak();
    }
    restore_registration();
    CoUninitialize();
}
