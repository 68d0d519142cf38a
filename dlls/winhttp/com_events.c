/*
 * IConnectionPointContainer and the one connection point of
 * WinHttp.WinHttpRequest.5.1: IWinHttpRequestEvents (OnResponseStart,
 * OnResponseDataAvailable, OnResponseFinished, OnError).
 *
 * The events are raised by the worker thread of a Send (request_com.c).  A
 * sink lives in its client's apartment, so each one is kept in the Global
 * Interface Table and fetched on the worker thread (an MTA thread), which
 * gives a proxy to an STA sink: the call then runs in the sink's thread
 * while that thread waits in Send or WaitForResponse, which pump messages.
 * A sink the GIT cannot hold (no marshaller for the interface registered)
 * is called directly; that is only right for sinks that take calls on any
 * thread, which a C or C++ client's sink usually does.
 *
 * Lock: events->lock guards the slots.  It is not held while a sink is
 * called, so a sink may Unadvise from its event.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_com.h"

/* A slot: in the GIT (cookie) or held directly (sink); both 0 if free. */
struct sink_slot
{
    DWORD git_cookie;
    IWinHttpRequestEvents *sink;
};

static inline struct com_events *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct com_events, IConnectionPointContainer_iface);
}

static inline struct com_events *impl_from_IConnectionPoint(IConnectionPoint *iface)
{
    return CONTAINING_RECORD(iface, struct com_events, IConnectionPoint_iface);
}

static IGlobalInterfaceTable *get_git(void)
{
    IGlobalInterfaceTable *git;
    if (FAILED(CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                                &IID_IGlobalInterfaceTable, (void **)&git)))
        return NULL;
    return git;
}

/* IConnectionPointContainer ------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **obj)
{
    struct com_events *events = impl_from_IConnectionPointContainer(iface);
    return IUnknown_QueryInterface(events->outer, riid, obj);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    struct com_events *events = impl_from_IConnectionPointContainer(iface);
    return IUnknown_AddRef(events->outer);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    struct com_events *events = impl_from_IConnectionPointContainer(iface);
    return IUnknown_Release(events->outer);
}

/* The object has one connection point. */
static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **list)
{
    struct com_events *events = impl_from_IConnectionPointContainer(iface);
    IConnectionPoint *point = &events->IConnectionPoint_iface;

    TRACE("%p, %p\n", events, list);
    return com_enum_points_create(&point, 1, list);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **point)
{
    struct com_events *events = impl_from_IConnectionPointContainer(iface);

    TRACE("%p, %s, %p\n", events, debugstr_guid(riid), point);

    if (!point) return E_POINTER;
    if (!IsEqualGUID(riid, &IID_IWinHttpRequestEvents))
    {
        *point = NULL;
        return CONNECT_E_NOCONNECTION;
    }
    *point = &events->IConnectionPoint_iface;
    IConnectionPoint_AddRef(*point);
    return S_OK;
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

/* IConnectionPoint ---------------------------------------------------------------- */

static HRESULT WINAPI point_QueryInterface(IConnectionPoint *iface, REFIID riid, void **obj)
{
    TRACE("%p, %s, %p\n", iface, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IConnectionPoint))
    {
        *obj = iface;
        IConnectionPoint_AddRef(iface);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI point_AddRef(IConnectionPoint *iface)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);
    return IUnknown_AddRef(events->outer);
}

static ULONG WINAPI point_Release(IConnectionPoint *iface)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);
    return IUnknown_Release(events->outer);
}

static HRESULT WINAPI point_GetConnectionInterface(IConnectionPoint *iface, IID *iid)
{
    if (!iid) return E_POINTER;
    *iid = IID_IWinHttpRequestEvents;
    return S_OK;
}

static HRESULT WINAPI point_GetConnectionPointContainer(IConnectionPoint *iface, IConnectionPointContainer **container)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);

    if (!container) return E_POINTER;
    *container = &events->IConnectionPointContainer_iface;
    IConnectionPointContainer_AddRef(*container);
    return S_OK;
}

static HRESULT WINAPI point_Advise(IConnectionPoint *iface, IUnknown *unk, DWORD *cookie)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);
    struct sink_slot slot = { 0, NULL }, *slots, *bigger;
    IWinHttpRequestEvents *sink;
    IGlobalInterfaceTable *git;
    DWORD i;

    TRACE("%p, %p, %p\n", events, unk, cookie);

    if (!unk || !cookie) return E_POINTER;
    *cookie = 0;
    if (FAILED(IUnknown_QueryInterface(unk, &IID_IWinHttpRequestEvents, (void **)&sink)))
        return CONNECT_E_CANNOTCONNECT;
    if ((git = get_git()))
    {
        if (FAILED(IGlobalInterfaceTable_RegisterInterfaceInGlobal(git, (IUnknown *)sink, &IID_IWinHttpRequestEvents,
                                                                   &slot.git_cookie)))
            slot.git_cookie = 0;
        IGlobalInterfaceTable_Release(git);
    }
    if (slot.git_cookie) IWinHttpRequestEvents_Release(sink);
    else
    {
        WARN("sink %p is not marshallable: called directly\n", sink);
        slot.sink = sink;
    }

    EnterCriticalSection(&events->lock);
    slots = events->slots;
    for (i = 0; i < events->count; i++) if (!slots[i].git_cookie && !slots[i].sink) break;
    if (i == events->count)
    {
        if (!(bigger = heap_realloc(slots, (events->count + 4) * sizeof(*slots))))
        {
            LeaveCriticalSection(&events->lock);
            if (slot.sink) IWinHttpRequestEvents_Release(slot.sink);
            else if ((git = get_git()))
            {
                IGlobalInterfaceTable_RevokeInterfaceFromGlobal(git, slot.git_cookie);
                IGlobalInterfaceTable_Release(git);
            }
            return E_OUTOFMEMORY;
        }
        memset(bigger + events->count, 0, 4 * sizeof(*slots));
        events->slots = bigger;
        events->count += 4;
        slots = bigger;
    }
    slots[i] = slot;
    LeaveCriticalSection(&events->lock);
    *cookie = i + 1;
    return S_OK;
}

static void release_slot(struct sink_slot *slot)
{
    IGlobalInterfaceTable *git;

    if (slot->sink) IWinHttpRequestEvents_Release(slot->sink);
    else if (slot->git_cookie && (git = get_git()))
    {
        IGlobalInterfaceTable_RevokeInterfaceFromGlobal(git, slot->git_cookie);
        IGlobalInterfaceTable_Release(git);
    }
    slot->sink = NULL;
    slot->git_cookie = 0;
}

static HRESULT WINAPI point_Unadvise(IConnectionPoint *iface, DWORD cookie)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);
    struct sink_slot slot = { 0, NULL }, *slots;

    TRACE("%p, %lu\n", events, cookie);

    EnterCriticalSection(&events->lock);
    slots = events->slots;
    if (cookie && cookie <= events->count)
    {
        slot = slots[cookie - 1];
        slots[cookie - 1].git_cookie = 0;
        slots[cookie - 1].sink = NULL;
    }
    LeaveCriticalSection(&events->lock);
    if (!slot.git_cookie && !slot.sink) return CONNECT_E_NOCONNECTION;
    release_slot(&slot);
    return S_OK;
}

static DWORD grab_sinks(struct com_events *events, CONNECTDATA **out);

/* The sinks connected now, each as this thread reaches it, with its cookie. */
static HRESULT WINAPI point_EnumConnections(IConnectionPoint *iface, IEnumConnections **list)
{
    struct com_events *events = impl_from_IConnectionPoint(iface);
    CONNECTDATA *sinks = NULL;
    DWORD count;
    HRESULT hr;

    TRACE("%p, %p\n", events, list);

    if (!list) return E_POINTER;
    count = grab_sinks(events, &sinks);
    hr = com_enum_connections_create(sinks, count, list);
    heap_free(sinks);
    return hr;
}

static const IConnectionPointVtbl point_vtbl =
{
    point_QueryInterface,
    point_AddRef,
    point_Release,
    point_GetConnectionInterface,
    point_GetConnectionPointContainer,
    point_Advise,
    point_Unadvise,
    point_EnumConnections,
};

/* Raising events ------------------------------------------------------------------ */

void com_events_init(struct com_events *events, IUnknown *outer)
{
    events->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    events->IConnectionPoint_iface.lpVtbl = &point_vtbl;
    events->outer = outer;
    InitializeCriticalSection(&events->lock);
    events->slots = NULL;
    events->count = 0;
}

void com_events_cleanup(struct com_events *events)
{
    struct sink_slot *slots = events->slots;
    DWORD i;

    for (i = 0; i < events->count; i++) release_slot(&slots[i]);
    heap_free(slots);
    events->slots = NULL;
    events->count = 0;
    DeleteCriticalSection(&events->lock);
}

BOOL com_events_have_sinks(struct com_events *events)
{
    struct sink_slot *slots;
    BOOL any = FALSE;
    DWORD i;

    EnterCriticalSection(&events->lock);
    slots = events->slots;
    for (i = 0; i < events->count && !any; i++) any = slots[i].git_cookie || slots[i].sink;
    LeaveCriticalSection(&events->lock);
    return any;
}

/* The sinks connected now, each with a reference, as the calling thread
 * reaches them (pUnk is the IWinHttpRequestEvents pointer), with their
 * cookies.  Returns how many; *out is freed with release_sinks. */
static DWORD grab_sinks(struct com_events *events, CONNECTDATA **out)
{
    struct sink_slot *slots, *copy = NULL;
    IGlobalInterfaceTable *git = NULL;
    CONNECTDATA *sinks = NULL;
    IWinHttpRequestEvents *sink;
    DWORD count, i, n = 0;

    *out = NULL;
    EnterCriticalSection(&events->lock);
    count = events->count;
    slots = events->slots;
    if (count && (copy = heap_alloc(count * sizeof(*copy))))
    {
        memcpy(copy, slots, count * sizeof(*copy));
        for (i = 0; i < count; i++) if (copy[i].sink) IWinHttpRequestEvents_AddRef(copy[i].sink);
    }
    LeaveCriticalSection(&events->lock);
    if (!copy) return 0;

    if ((sinks = heap_alloc(count * sizeof(*sinks))))
    {
        for (i = 0; i < count; i++)
        {
            sink = copy[i].sink;
            if (!sink && copy[i].git_cookie && (git || (git = get_git()))
                && FAILED(IGlobalInterfaceTable_GetInterfaceFromGlobal(git, copy[i].git_cookie,
                                                                       &IID_IWinHttpRequestEvents, (void **)&sink)))
                sink = NULL;
            if (!sink) continue;
            sinks[n].pUnk = (IUnknown *)sink;
            sinks[n].dwCookie = i + 1;
            n++;
        }
    }
    else for (i = 0; i < count; i++) if (copy[i].sink) IWinHttpRequestEvents_Release(copy[i].sink);
    if (git) IGlobalInterfaceTable_Release(git);
    heap_free(copy);
    if (!n)
    {
        heap_free(sinks);   /* every slot free, or no sink reachable */
        sinks = NULL;
    }
    *out = sinks;
    return n;
}

static void release_sinks(CONNECTDATA *sinks, DWORD count)
{
    DWORD i;
    for (i = 0; i < count; i++) IUnknown_Release(sinks[i].pUnk);
    heap_free(sinks);
}

static inline IWinHttpRequestEvents *sink_of(const CONNECTDATA *data)
{
    return (IWinHttpRequestEvents *)data->pUnk;
}

void com_events_response_start(struct com_events *events, LONG status, const WCHAR *content_type)
{
    CONNECTDATA *sinks;
    DWORD count = grab_sinks(events, &sinks), i;
    BSTR type;

    if (!count) return;
    type = SysAllocString(content_type);
    TRACE("OnResponseStart(%ld, %s) to %lu sinks\n", status, debugstr_w(content_type), count);
    for (i = 0; i < count; i++) IWinHttpRequestEvents_OnResponseStart(sink_of(&sinks[i]), status, type);
    SysFreeString(type);
    release_sinks(sinks, count);
}

void com_events_data_available(struct com_events *events, const char *data, DWORD len)
{
    CONNECTDATA *sinks;
    DWORD count = grab_sinks(events, &sinks), i;
    SAFEARRAY *sa;
    void *dest;

    if (!count) return;
    if ((sa = SafeArrayCreateVector(VT_UI1, 0, len)) && SUCCEEDED(SafeArrayAccessData(sa, &dest)))
    {
        memcpy(dest, data, len);
        SafeArrayUnaccessData(sa);
        TRACE("OnResponseDataAvailable(%lu bytes) to %lu sinks\n", len, count);
        for (i = 0; i < count; i++) IWinHttpRequestEvents_OnResponseDataAvailable(sink_of(&sinks[i]), &sa);
    }
    if (sa) SafeArrayDestroy(sa);
    release_sinks(sinks, count);
}

void com_events_response_finished(struct com_events *events)
{
    CONNECTDATA *sinks;
    DWORD count = grab_sinks(events, &sinks), i;

    if (!count) return;
    TRACE("OnResponseFinished to %lu sinks\n", count);
    for (i = 0; i < count; i++) IWinHttpRequestEvents_OnResponseFinished(sink_of(&sinks[i]));
    release_sinks(sinks, count);
}

void com_events_error(struct com_events *events, HRESULT error)
{
    CONNECTDATA *sinks;
    DWORD count = grab_sinks(events, &sinks), i, len;
    WCHAR *text = NULL;
    BSTR description;

    if (!count) return;
    /* The text of the WinHTTP error (our message table), else the system's. */
    len = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM |
                         FORMAT_MESSAGE_IGNORE_INSERTS, winhttp_instance, HRESULT_CODE(error), 0, (WCHAR *)&text,
                         0, NULL);
    description = SysAllocStringLen(text, len);
    LocalFree(text);
    TRACE("OnError(%#lx) to %lu sinks\n", error, count);
    for (i = 0; i < count; i++) IWinHttpRequestEvents_OnError(sink_of(&sinks[i]), error, description);
    SysFreeString(description);
    release_sinks(sinks, count);
}
