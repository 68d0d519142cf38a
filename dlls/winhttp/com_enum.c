/*
 * The enumerators of the request object's connection points:
 * IEnumConnectionPoints (IConnectionPointContainer::EnumConnectionPoints)
 * and IEnumConnections (IConnectionPoint::EnumConnections).
 *
 * Both are snapshots, as the IEnumXXXX contract allows: the items are
 * taken, each with a reference, when the enumerator is made, so a sink that
 * advises or unadvises later changes nothing in an enumeration under way.
 * One object serves both interfaces; `kind' says which one it is, and the
 * interface methods are thin wrappers over one set of functions.
 *
 * Threads: an enumerator is used by one thread at a time (COM's rule for
 * enumerators); only its reference count is touched from several.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include "request_com.h"

enum enum_kind { ENUM_POINTS, ENUM_CONNECTIONS };

struct com_enum
{
    union
    {
        IEnumConnectionPoints points;
        IEnumConnections connections;
    } iface;
    enum enum_kind kind;
    LONG refs;
    ULONG position;
    ULONG count;
    CONNECTDATA items[];   /* pUnk held; dwCookie unused for connection points */
};

static const IEnumConnectionPointsVtbl points_vtbl;
static const IEnumConnectionsVtbl connections_vtbl;

/* An enumerator with room for count items, which the caller fills in
 * (each pUnk with a reference the enumerator owns). */
static struct com_enum *enum_alloc(enum enum_kind kind, ULONG count, ULONG position)
{
    struct com_enum *e;

    if (!(e = heap_alloc(offsetof(struct com_enum, items[count])))) return NULL;
    if (kind == ENUM_POINTS) e->iface.points.lpVtbl = &points_vtbl;
    else e->iface.connections.lpVtbl = &connections_vtbl;
    e->kind = kind;
    e->refs = 1;
    e->position = position;
    e->count = count;
    com_lock_module();
    return e;
}

static HRESULT enum_query_interface(struct com_enum *e, REFIID riid, void **obj)
{
    const IID *own = e->kind == ENUM_POINTS ? &IID_IEnumConnectionPoints : &IID_IEnumConnections;

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, own))
    {
        *obj = &e->iface;
        InterlockedIncrement(&e->refs);
        return S_OK;
    }
    *obj = NULL;
    return E_NOINTERFACE;
}

static ULONG enum_release(struct com_enum *e)
{
    ULONG refs = InterlockedDecrement(&e->refs), i;

    if (refs) return refs;
    for (i = 0; i < e->count; i++) IUnknown_Release(e->items[i].pUnk);
    heap_free(e);
    com_unlock_module();
    return 0;
}

/* Next: `out' is an array of IConnectionPoint * or of CONNECTDATA. */
static HRESULT enum_next(struct com_enum *e, ULONG want, void *out, ULONG *fetched)
{
    ULONG n = 0;

    if (!out || (!fetched && want != 1)) return E_POINTER;
    while (n < want && e->position < e->count)
    {
        CONNECTDATA *item = &e->items[e->position++];

        IUnknown_AddRef(item->pUnk);
        if (e->kind == ENUM_POINTS) ((IConnectionPoint **)out)[n] = (IConnectionPoint *)item->pUnk;
        else ((CONNECTDATA *)out)[n] = *item;
        n++;
    }
    if (fetched) *fetched = n;
    return n == want ? S_OK : S_FALSE;
}

static HRESULT enum_skip(struct com_enum *e, ULONG skip)
{
    ULONG left = e->count - e->position;

    e->position += min(skip, left);
    return skip <= left ? S_OK : S_FALSE;
}

static HRESULT enum_clone(struct com_enum *e, void **copy)
{
    struct com_enum *clone;

    ULONG i;

    if (!copy) return E_POINTER;
    if (!(clone = enum_alloc(e->kind, e->count, e->position)))
    {
        *copy = NULL;
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < e->count; i++)
    {
        clone->items[i] = e->items[i];
        IUnknown_AddRef(clone->items[i].pUnk);
    }
    *copy = &clone->iface;
    return S_OK;
}

/* IEnumConnectionPoints ------------------------------------------------------------ */

static struct com_enum *from_points(IEnumConnectionPoints *iface)
{
    return CONTAINING_RECORD(iface, struct com_enum, iface.points);
}

static HRESULT WINAPI points_QueryInterface(IEnumConnectionPoints *iface, REFIID riid, void **obj)
{
    return enum_query_interface(from_points(iface), riid, obj);
}

static ULONG WINAPI points_AddRef(IEnumConnectionPoints *iface)
{
    return InterlockedIncrement(&from_points(iface)->refs);
}

static ULONG WINAPI points_Release(IEnumConnectionPoints *iface)
{
    return enum_release(from_points(iface));
}

static HRESULT WINAPI points_Next(IEnumConnectionPoints *iface, ULONG want, IConnectionPoint **out, ULONG *fetched)
{
    return enum_next(from_points(iface), want, out, fetched);
}

static HRESULT WINAPI points_Skip(IEnumConnectionPoints *iface, ULONG skip)
{
    return enum_skip(from_points(iface), skip);
}

static HRESULT WINAPI points_Reset(IEnumConnectionPoints *iface)
{
    from_points(iface)->position = 0;
    return S_OK;
}

static HRESULT WINAPI points_Clone(IEnumConnectionPoints *iface, IEnumConnectionPoints **copy)
{
    return enum_clone(from_points(iface), (void **)copy);
}

static const IEnumConnectionPointsVtbl points_vtbl =
{
    points_QueryInterface,
    points_AddRef,
    points_Release,
    points_Next,
    points_Skip,
    points_Reset,
    points_Clone,
};

/* IEnumConnections ----------------------------------------------------------------- */

static struct com_enum *from_connections(IEnumConnections *iface)
{
    return CONTAINING_RECORD(iface, struct com_enum, iface.connections);
}

static HRESULT WINAPI connections_QueryInterface(IEnumConnections *iface, REFIID riid, void **obj)
{
    return enum_query_interface(from_connections(iface), riid, obj);
}

static ULONG WINAPI connections_AddRef(IEnumConnections *iface)
{
    return InterlockedIncrement(&from_connections(iface)->refs);
}

static ULONG WINAPI connections_Release(IEnumConnections *iface)
{
    return enum_release(from_connections(iface));
}

static HRESULT WINAPI connections_Next(IEnumConnections *iface, ULONG want, CONNECTDATA *out, ULONG *fetched)
{
    return enum_next(from_connections(iface), want, out, fetched);
}

static HRESULT WINAPI connections_Skip(IEnumConnections *iface, ULONG skip)
{
    return enum_skip(from_connections(iface), skip);
}

static HRESULT WINAPI connections_Reset(IEnumConnections *iface)
{
    from_connections(iface)->position = 0;
    return S_OK;
}

static HRESULT WINAPI connections_Clone(IEnumConnections *iface, IEnumConnections **copy)
{
    return enum_clone(from_connections(iface), (void **)copy);
}

static const IEnumConnectionsVtbl connections_vtbl =
{
    connections_QueryInterface,
    connections_AddRef,
    connections_Release,
    connections_Next,
    connections_Skip,
    connections_Reset,
    connections_Clone,
};

/* Constructors --------------------------------------------------------------------- */

HRESULT com_enum_points_create(IConnectionPoint *const *points, ULONG count, IEnumConnectionPoints **out)
{
    struct com_enum *e;
    ULONG i;

    if (!out) return E_POINTER;
    if (!(e = enum_alloc(ENUM_POINTS, count, 0)))
    {
        *out = NULL;
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < count; i++)
    {
        e->items[i].pUnk = (IUnknown *)points[i];
        e->items[i].dwCookie = 0;
        IUnknown_AddRef(e->items[i].pUnk);
    }
    *out = &e->iface.points;
    return S_OK;
}

/* Takes over the references of connections[i].pUnk (they are released
 * here if the enumerator cannot be made). */
HRESULT com_enum_connections_create(CONNECTDATA *connections, ULONG count, IEnumConnections **out)
{
    struct com_enum *e;
    ULONG i;

    if (!(e = enum_alloc(ENUM_CONNECTIONS, count, 0)))
    {
        for (i = 0; i < count; i++) IUnknown_Release(connections[i].pUnk);
        *out = NULL;
        return E_OUTOFMEMORY;
    }
    memcpy(e->items, connections, count * sizeof(*connections));
    *out = &e->iface.connections;
    return S_OK;
}
