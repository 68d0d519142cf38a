/*
 * WinHttpAddRequestHeadersEx: WinHttpAddRequestHeaders with each header as a
 * separate name and value, wide or narrow (Windows 10 20348+).  The header
 * logic is headers.c's, shared with WinHttpAddRequestHeaders.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"

/* The wide form of one string of a narrow header: the bytes are what goes on
 * the wire, and the request goes out in UTF-8 (request.c), so UTF-8 comes
 * back unchanged; other bytes are read as Latin-1, as received headers are. */
static WCHAR *narrow_to_wide(const char *str)
{
    return bytes_to_wide(str, strlen(str));
}

static DWORD add_header(struct header_list *list, const WINHTTP_EXTENDED_HEADER *header, BOOL unicode,
                        DWORD modifiers)
{
    WCHAR *name, *value;
    DWORD error;

    if (!header->pwszName) return ERROR_INVALID_PARAMETER;
    if (unicode)
    {
        /* no value is an empty one: with REPLACE it removes the header */
        const WCHAR *v = header->pwszValue ? header->pwszValue : L"";
        return headers_add_pair(list, header->pwszName, wcslen(header->pwszName), v, wcslen(v), modifiers);
    }
    name = narrow_to_wide(header->pszName);
    value = narrow_to_wide(header->pszValue ? header->pszValue : "");
    if (!name || !value) error = ERROR_NOT_ENOUGH_MEMORY;
    else error = headers_add_pair(list, name, wcslen(name), value, wcslen(value), modifiers);
    heap_free(name);
    heap_free(value);
    return error;
}

/***********************************************************************
 *          WinHttpAddRequestHeadersEx (winhttp.@)
 *
 * The headers apply in order, as the lines of WinHttpAddRequestHeaders do:
 * those before a failing one stay added.
 */
DWORD WINAPI WinHttpAddRequestHeadersEx(HINTERNET hrequest, DWORD modifiers, ULONGLONG flags, ULONGLONG extra,
                                        DWORD count, WINHTTP_EXTENDED_HEADER *headers)
{
    struct object_header *hdr;
    struct request *req;
    DWORD error = ERROR_SUCCESS, i;

    TRACE("%p, %#lx, %#I64x, %#I64x, %lu, %p\n", hrequest, modifiers, flags, extra, count, headers);

    /* as WinHttpAddRequestHeaders: nothing to add is a bad argument, checked
     * before the handle; so are flags not documented and the reserved value */
    if (!headers || !count || (flags & ~(ULONGLONG)WINHTTP_EXTENDED_HEADER_FLAG_UNICODE) || extra)
        return ERROR_INVALID_PARAMETER;
    if (!(hdr = grab_typed_object(hrequest, HANDLE_TYPE_REQUEST, &error))) return error;
    req = impl_from_hdr(hdr);

    EnterCriticalSection(&req->cs);
    for (i = 0; i < count && !error; i++)
        error = add_header(&req->request_headers, &headers[i], flags & WINHTTP_EXTENDED_HEADER_FLAG_UNICODE,
                           modifiers);
    LeaveCriticalSection(&req->cs);
    release_object(hdr);
    TRACE("returning %lu\n", error);
    return error;
}
