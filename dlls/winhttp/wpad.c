/*
 * WPAD: DHCP first, then DNS, as Windows asks.
 *
 * DHCP (WINHTTP_AUTO_DETECT_TYPE_DHCP): option 252 (the "auto-proxy
 * configuration URL" Microsoft's DHCP servers hand out) of each adapter that
 * is up and is neither loopback nor a tunnel, through dhcpcsvc.dll's
 * DhcpRequestParams; the first adapter with a URL answers.  dhcpcsvc.dll and
 * iphlpapi.dll are loaded at run time, for the look-up only: where either is
 * missing DHCP finds nothing and DNS is asked.  (Wine's dhcpcsvc asks its
 * mountmgr.sys, which asks NetworkManager over the system D-Bus for the
 * lease's "wpad" option; tools/test-dhcp.sh feeds it one.)
 *
 * DNS (WINHTTP_AUTO_DETECT_TYPE_DNS_A): the name wpad.<suffix> for each
 * suffix of the machine's primary DNS domain down to two labels; the first
 * that resolves gives http://wpad.<suffix>/wpad.dat.
 *
 * Two ways to ask.  wpad_detect blocks, on the caller's thread: it serves
 * WinHttpDetectAutoProxyConfigUrl, synchronous by its contract, and the
 * synchronous look-ups.  A wpad_search asks DHCP on a thread of the
 * process's pool (DhcpRequestParams only blocks) and DNS with the engine's
 * asynchronous name look-up (net_resolve_async), so that an engine task
 * waiting for either parks instead of holding a worker (pac_fetch.c's
 * look-ups).
 *
 * Threads of a search.  The owner calls wpad_search_step from one thread
 * at a time.  A probe's completion comes on a thread of the pool's (DHCP)
 * or of the resolver's (DNS); wpad_search_cancel on any thread.  DHCP's
 * probe cannot be given up at all: a cancel wakes the owner, and the probe's
 * answer, when it comes, is dropped with the search.  A look-up in flight may not end when
 * given up (Wine 8: GetAddrInfoExCancel is a stub), so the owner is not made
 * to wait for it: whichever of the completion and the cancel takes `pending`
 * first wakes the owner, whose next step gives the look-up up
 * (net_lookup_end); the probe keeps its own reference on the search, so a
 * late completion writes into memory that is still there.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "net.h"
#include <iphlpapi.h>
#include <dhcpcsdk.h>

#define WPAD_NAME_MAX 256
/* Option 252, OPTION_MSFT_IE_PROXY of Windows' dhcpcsdk.h (mingw-w64's lacks it) */
#define WPAD_DHCP_OPTION 252

struct wpad_search
{
    LONG refs;                 /* the owner's, and a probe's while it is out */
    BOOL dhcp;                 /* owner: DHCP is still to be asked */
    BOOL dhcp_probing;         /* owner: the probe out is DHCP's (a thread-pool callback) */
    WCHAR *dhcp_url;           /* DHCP's answer, written by its probe before it takes pending */
    WCHAR domain[WPAD_NAME_MAX];
    const WCHAR *suffix;       /* owner: the next suffix to try, NULL once none is left */
    WCHAR name[WPAD_NAME_MAX + 8];
    struct net_address addr;   /* the probe's answer (unused: resolving is the test) */
    DWORD probe_error;         /* written by the probe before it takes pending */
    BOOL probing;              /* owner: a probe was started and has not been looked at */
    struct net_lookup *lookup; /* owner: the probe's, when it did not end at once */
    LONG pending;              /* a probe is out and its end has not woken the owner */
    LONG cancelled;
    void (*wake)(void *context);
    void *context;
};

/* The machine's primary DNS domain into domain; FALSE when it has none. */
static BOOL wpad_domain(WCHAR *domain, DWORD len)
{
    if (GetComputerNameExW(ComputerNamePhysicalDnsDomain, domain, &len) && domain[0]) return TRUE;
    TRACE("no DNS domain\n");
    return FALSE;
}

/* Devolution: wpad.a.b.example, wpad.b.example, wpad.example.  It stops at
 * two labels, so wpad.com-style names outside the network are never asked
 * for.  Writes the name for *suffix and advances it; FALSE when none is left. */
static BOOL wpad_next_name(const WCHAR **suffix, WCHAR *name, size_t len)
{
    const WCHAR *dot;

    if (!*suffix || !(dot = wcschr(*suffix, '.'))) return FALSE;
    swprintf(name, len, L"wpad.%ls", *suffix);
    *suffix = dot + 1;
    TRACE("trying %s\n", debugstr_w(name));
    return TRUE;
}

/* The URL for the name that resolved (GlobalAlloc, as the API hands it out). */
static WCHAR *wpad_url(const WCHAR *name)
{
    size_t len = wcslen(name) + ARRAY_SIZE(L"http:///wpad.dat");
    WCHAR *url = GlobalAlloc(GMEM_FIXED, len * sizeof(WCHAR));

    if (url) swprintf(url, len, L"http://%ls/wpad.dat", name);
    return url;
}

/* ---------------------------------------------------------------------- */
/* DHCP                                                                      */

/* Option 252's bytes as a URL (GlobalAlloc), or NULL when they hold none.
 * The option is often configured with its terminating NUL counted, and a
 * hand-edited one can carry a line break or blanks: the URL ends at the
 * first NUL, and blanks at either end are not part of it. */
static WCHAR *wpad_dhcp_url(const BYTE *data, DWORD size)
{
    const BYTE *end;
    WCHAR *url;
    int len;

    if (!data) return NULL;
    if ((end = memchr(data, 0, size))) size = end - data;
    while (size && (data[size - 1] == ' ' || (data[size - 1] >= '\t' && data[size - 1] <= '\r'))) size--;
    while (size && (data[0] == ' ' || (data[0] >= '\t' && data[0] <= '\r'))) { data++; size--; }
    if (!size || !(len = MultiByteToWideChar(CP_ACP, 0, (const char *)data, size, NULL, 0))) return NULL;
    if (!(url = GlobalAlloc(GMEM_FIXED, (len + 1) * sizeof(WCHAR)))) return NULL;
    MultiByteToWideChar(CP_ACP, 0, (const char *)data, size, url, len);
    url[len] = 0;
    return url;
}

typedef ULONG (WINAPI *get_adapters_fn)(ULONG, ULONG, void *, IP_ADAPTER_ADDRESSES *, ULONG *);
typedef DWORD (WINAPI *dhcp_init_fn)(DWORD *);
typedef void (WINAPI *dhcp_cleanup_fn)(void);
typedef DWORD (WINAPI *dhcp_request_fn)(DWORD, void *, WCHAR *, DHCPCAPI_CLASSID *, DHCPCAPI_PARAMS_ARRAY,
                                        DHCPCAPI_PARAMS_ARRAY, BYTE *, DWORD *, WCHAR *);

/* The adapters (heap_alloc), or NULL. */
static IP_ADAPTER_ADDRESSES *dhcp_adapters(get_adapters_fn get_adapters)
{
    static const ULONG skip = GAA_FLAG_SKIP_UNICAST | GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                              GAA_FLAG_SKIP_DNS_SERVER | GAA_FLAG_SKIP_FRIENDLY_NAME;
    IP_ADAPTER_ADDRESSES *adapters = NULL;
    ULONG size = 16 * 1024, error;
    int tries;

    /* the list may grow between the two calls: a few tries */
    for (tries = 0; tries < 4; tries++)
    {
        if (!(adapters = heap_alloc(size))) return NULL;
        if (!(error = get_adapters(AF_UNSPEC, skip, NULL, adapters, &size))) return adapters;
        heap_free(adapters);
        adapters = NULL;
        if (error != ERROR_BUFFER_OVERFLOW) break;
    }
    TRACE("GetAdaptersAddresses failed: %lu\n", error);
    return NULL;
}

/* Option 252 of one adapter, as a URL (GlobalAlloc), or NULL. */
static WCHAR *dhcp_adapter_url(dhcp_request_fn request, const char *adapter_name)
{
    WCHAR name[MAX_ADAPTER_NAME_LENGTH + 4];
    DHCPCAPI_PARAMS param;
    DHCPCAPI_PARAMS_ARRAY send = { 0, NULL }, recv = { 1, &param };
    DWORD size = 256, error = ERROR_MORE_DATA;
    BYTE *buf = NULL;
    WCHAR *url = NULL;
    int tries;

    if (!MultiByteToWideChar(CP_ACP, 0, adapter_name, -1, name, ARRAY_SIZE(name))) return NULL;
    /* ERROR_MORE_DATA gives a size that may have grown by the next call */
    for (tries = 0; tries < 4 && error == ERROR_MORE_DATA; tries++)
    {
        heap_free(buf);
        if (!(buf = heap_alloc(size))) return NULL;
        memset(&param, 0, sizeof(param));
        param.OptionId = WPAD_DHCP_OPTION;
        error = request(DHCPCAPI_REQUEST_SYNCHRONOUS, NULL, name, NULL, send, recv, buf, &size, NULL);
    }
    TRACE("adapter %s: error %lu, %lu bytes\n", debugstr_a(adapter_name), error, error ? 0 : param.nBytesData);
    if (!error && param.nBytesData) url = wpad_dhcp_url(param.Data, param.nBytesData);
    heap_free(buf);
    return url;
}

/* The first URL option 252 of an adapter gives (GlobalAlloc), or NULL.
 * Blocks while the DHCP client asks. */
static WCHAR *wpad_dhcp(void)
{
    HMODULE iphlpapi = LoadLibraryExW(L"iphlpapi.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    HMODULE dhcpcsvc = LoadLibraryExW(L"dhcpcsvc.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    get_adapters_fn get_adapters = iphlpapi ? (void *)GetProcAddress(iphlpapi, "GetAdaptersAddresses") : NULL;
    dhcp_init_fn init = dhcpcsvc ? (void *)GetProcAddress(dhcpcsvc, "DhcpCApiInitialize") : NULL;
    dhcp_cleanup_fn cleanup = dhcpcsvc ? (void *)GetProcAddress(dhcpcsvc, "DhcpCApiCleanup") : NULL;
    dhcp_request_fn request = dhcpcsvc ? (void *)GetProcAddress(dhcpcsvc, "DhcpRequestParams") : NULL;
    IP_ADAPTER_ADDRESSES *adapters = NULL, *adapter;
    WCHAR *url = NULL;
    DWORD version;

    if (!get_adapters || !init || !cleanup || !request)
        TRACE("no DHCP client (iphlpapi %p, dhcpcsvc %p)\n", iphlpapi, dhcpcsvc);
    else if (init(&version))
        TRACE("DhcpCApiInitialize failed\n");
    else
    {
        if ((adapters = dhcp_adapters(get_adapters)))
        {
            for (adapter = adapters; adapter && !url; adapter = adapter->Next)
            {
                /* Wine's GetAdaptersAddresses never sets Dhcpv4Enabled: not looked at */
                if (adapter->IfType == IF_TYPE_SOFTWARE_LOOPBACK || adapter->IfType == IF_TYPE_TUNNEL) continue;
                if (adapter->OperStatus != IfOperStatusUp) continue;
                url = dhcp_adapter_url(request, adapter->AdapterName);
            }
            heap_free(adapters);
        }
        cleanup();
    }
    if (dhcpcsvc) FreeLibrary(dhcpcsvc);
    if (iphlpapi) FreeLibrary(iphlpapi);
    TRACE("DHCP: %s\n", debugstr_w(url));
    return url;
}

/* ---------------------------------------------------------------------- */
/* Both                                                                      */

WCHAR *wpad_detect(DWORD flags)
{
    WCHAR domain[WPAD_NAME_MAX], name[WPAD_NAME_MAX + 8];
    const WCHAR *suffix = domain;
    struct net_address addr;
    WCHAR *url;

    if ((flags & WINHTTP_AUTO_DETECT_TYPE_DHCP) && (url = wpad_dhcp())) return url;
    if (!(flags & WINHTTP_AUTO_DETECT_TYPE_DNS_A) || !wpad_domain(domain, ARRAY_SIZE(domain))) return NULL;
    while (wpad_next_name(&suffix, name, ARRAY_SIZE(name)))
        if (!net_resolve(name, INTERNET_DEFAULT_HTTP_PORT, 0, NULL, &addr)) return wpad_url(name);
    return NULL;
}

struct wpad_search *wpad_search_create(DWORD flags, void (*wake)(void *context), void *context)
{
    struct wpad_search *search = heap_alloc_zero(sizeof(*search));

    if (!search) return NULL;
    search->refs = 1;
    search->wake = wake;
    search->context = context;
    search->dhcp = !!(flags & WINHTTP_AUTO_DETECT_TYPE_DHCP);
    if ((flags & WINHTTP_AUTO_DETECT_TYPE_DNS_A) && wpad_domain(search->domain, ARRAY_SIZE(search->domain)))
        search->suffix = search->domain;
    return search;
}

struct wpad_search *wpad_search_addref(struct wpad_search *search)
{
    InterlockedIncrement(&search->refs);
    return search;
}

void wpad_search_release(struct wpad_search *search)
{
    if (search && !InterlockedDecrement(&search->refs))
    {
        GlobalFree(search->dhcp_url);
        heap_free(search);
    }
}

static void probe_done(void *context, DWORD error)
{
    struct wpad_search *search = context;

    search->probe_error = error;
    if (InterlockedExchange(&search->pending, 0)) search->wake(search->context);
    wpad_search_release(search);   /* the probe's */
}

/* DHCP's probe, on a thread of the process's pool: DhcpRequestParams has
 * no way to be waited for but blocking.  It holds a reference on this
 * module too, let go once it has returned. */
static void CALLBACK dhcp_probe(TP_CALLBACK_INSTANCE *instance, void *context)
{
    struct wpad_search *search = context;
    HMODULE module;

    search->dhcp_url = search->cancelled ? NULL : wpad_dhcp();
    if (InterlockedExchange(&search->pending, 0)) search->wake(search->context);
    wpad_search_release(search);   /* the probe's */
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (const WCHAR *)dhcp_probe, &module))
        FreeLibraryWhenCallbackReturns(instance, module);
}

/* Starts DHCP's probe: FALSE when it could not be. */
static BOOL dhcp_probe_start(struct wpad_search *search)
{
    HMODULE module;

    /* the probe's reference on this module, let go when it returns */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)dhcp_probe, &module)) return FALSE;
    wpad_search_addref(search);   /* the probe's */
    search->pending = 1;
    search->probing = search->dhcp_probing = TRUE;
    if (TrySubmitThreadpoolCallback(dhcp_probe, search, NULL)) return TRUE;
    search->pending = 0;
    search->probing = search->dhcp_probing = FALSE;
    wpad_search_release(search);
    FreeLibrary(module);
    return FALSE;
}

void wpad_search_cancel(struct wpad_search *search)
{
    InterlockedExchange(&search->cancelled, 1);
    /* the owner goes on now; the probe ends in the background */
    if (InterlockedExchange(&search->pending, 0)) search->wake(search->context);
}

DWORD wpad_search_step(struct wpad_search *search, WCHAR **url)
{
    DWORD error;

    *url = NULL;
    for (;;)
    {
        if (search->probing)
        {
            search->probing = FALSE;
            /* given up (cancelled): its completion will not come, nor release the probe's reference */
            if (search->dhcp_probing)
            {
                /* not cancelled: it wrote its answer before it woke us */
                search->dhcp_probing = FALSE;
                if (!search->cancelled && search->dhcp_url)
                {
                    *url = search->dhcp_url;
                    search->dhcp_url = NULL;
                    TRACE("found %s\n", debugstr_w(*url));
                    return ERROR_SUCCESS;
                }
                continue;
            }
            if (search->lookup && net_lookup_end(search->lookup)) wpad_search_release(search);
            search->lookup = NULL;
            if (!search->cancelled && !search->probe_error) break;
        }
        if (search->cancelled) return ERROR_WINHTTP_OPERATION_CANCELLED;
        if (search->dhcp)
        {
            search->dhcp = FALSE;
            /* the completion may have run already, on its thread: search->wake tells */
            if (dhcp_probe_start(search)) return ERROR_IO_PENDING;
            /* no thread to ask on: ask on this one */
            if ((*url = wpad_dhcp())) return ERROR_SUCCESS;
        }
        if (!wpad_next_name(&search->suffix, search->name, ARRAY_SIZE(search->name))) return ERROR_SUCCESS;

        wpad_search_addref(search);   /* the probe's */
        search->pending = 1;
        search->probing = TRUE;
        error = net_resolve_async(search->name, INTERNET_DEFAULT_HTTP_PORT, &search->addr, probe_done, search,
                                  &search->lookup);
        /* the completion may have run already, on its thread: search->wake tells */
        if (error == ERROR_IO_PENDING) return error;
        search->pending = 0;
        search->probe_error = error;   /* no completion: looked at next round */
        wpad_search_release(search);
    }
    if (!(*url = wpad_url(search->name))) return ERROR_NOT_ENOUGH_MEMORY;
    TRACE("found %s\n", debugstr_w(*url));
    return ERROR_SUCCESS;
}
