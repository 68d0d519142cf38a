/*
 * WPAD through DNS: the name wpad.<suffix> for each suffix of the machine's
 * primary DNS domain down to two labels; the first that resolves gives
 * http://wpad.<suffix>/wpad.dat.  DHCP (option 252) is not queried.
 *
 * Two ways to ask.  wpad_detect blocks, on the caller's thread: it serves
 * WinHttpDetectAutoProxyConfigUrl, synchronous by its contract, and the
 * synchronous look-ups.  A wpad_search asks with the engine's asynchronous
 * name look-up (net_resolve_async), so that an engine task waiting for it
 * parks instead of holding a worker (pac_fetch.c's look-ups).
 *
 * Threads of a search.  The owner calls wpad_search_step from one thread
 * at a time.  A probe's completion comes on a thread of the resolver's;
 * wpad_search_cancel on any thread.  A look-up in flight may not end when
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

#define WPAD_NAME_MAX 256

struct wpad_search
{
    LONG refs;                 /* the owner's, and a probe's while it is out */
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

static void warn_dhcp(DWORD flags)
{
    if (flags & WINHTTP_AUTO_DETECT_TYPE_DHCP) FIXME("DHCP option 252 is not queried\n");
}

WCHAR *wpad_detect(DWORD flags)
{
    WCHAR domain[WPAD_NAME_MAX], name[WPAD_NAME_MAX + 8];
    const WCHAR *suffix = domain;
    struct net_address addr;

    warn_dhcp(flags);
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
    warn_dhcp(flags);
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
    if (search && !InterlockedDecrement(&search->refs)) heap_free(search);
}

static void probe_done(void *context, DWORD error)
{
    struct wpad_search *search = context;

    search->probe_error = error;
    if (InterlockedExchange(&search->pending, 0)) search->wake(search->context);
    wpad_search_release(search);   /* the probe's */
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
            if (search->lookup && net_lookup_end(search->lookup)) wpad_search_release(search);
            search->lookup = NULL;
            if (!search->cancelled && !search->probe_error) break;
        }
        if (search->cancelled) return ERROR_WINHTTP_OPERATION_CANCELLED;
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
