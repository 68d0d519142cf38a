/*
 * The Windows 10 forms of the resolver calls: WinHttpGetProxyForUrlEx2,
 * WinHttpGetProxyResultEx and WinHttpFreeProxyResultEx.  They run on the
 * resolver machinery of WinHttpGetProxyForUrlEx (autoproxy.c): the same task,
 * completion (GETPROXYFORURL_COMPLETE or REQUEST_ERROR with
 * API_GET_PROXY_FOR_URL), error codes and stored result.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

/***********************************************************************
 *          WinHttpGetProxyForUrlEx2 (winhttp.@)
 *
 * The interface selection context is optional (_In_reads_bytes_opt_ in the
 * SDK's header); Windows hands it to the connection manager to pick the
 * interface whose proxy settings apply.  This DLL has one set of settings
 * (the user's Internet Settings) for every interface, so whichever interface
 * a context names, the resolution is the one WinHttpGetProxyForUrlEx makes.
 */
DWORD WINAPI WinHttpGetProxyForUrlEx2(HINTERNET hresolver, PCWSTR url, WINHTTP_AUTOPROXY_OPTIONS *options,
                                      DWORD selection_size, BYTE *selection, DWORD_PTR context)
{
    struct object_header *hdr;
    DWORD error;

    TRACE("%p, %s, %p, %lu, %p, %#Ix\n", hresolver, debugstr_w(url), options, selection_size, selection, context);

    /* the handle first, as WinHttpGetProxyForUrlEx checks it first */
    if (!(hdr = grab_typed_object(hresolver, HANDLE_TYPE_RESOLVER, &error))) return error;
    release_object(hdr);
    /* a size without the bytes it counts */
    if (selection_size && !selection) return ERROR_INVALID_PARAMETER;
    return WinHttpGetProxyForUrlEx(hresolver, url, options, context);
}

/***********************************************************************
 *          WinHttpGetProxyResultEx (winhttp.@)
 *
 * WinHttpGetProxyResult's entries.  hProxyDetectionHandle and
 * dwProxyInterfaceAffinity describe the interface-specific detection of the
 * connection manager, which this DLL does not do (see above): NULL and 0.
 */
DWORD WINAPI WinHttpGetProxyResultEx(HINTERNET hresolver, WINHTTP_PROXY_RESULT_EX *result)
{
    DWORD error;

    TRACE("%p, %p\n", hresolver, result);

    if ((error = resolver_copy_result(hresolver, result ? &result->pEntries : NULL,
                                      result ? &result->cEntries : NULL)))
        return error;
    result->hProxyDetectionHandle = NULL;
    result->dwProxyInterfaceAffinity = 0;
    return ERROR_SUCCESS;
}

/***********************************************************************
 *          WinHttpFreeProxyResultEx (winhttp.@)
 */
void WINAPI WinHttpFreeProxyResultEx(WINHTTP_PROXY_RESULT_EX *result)
{
    TRACE("%p\n", result);

    if (result) proxy_result_clear(&result->pEntries, &result->cEntries);
}
