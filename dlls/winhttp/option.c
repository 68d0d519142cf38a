/*
 * WinHttpQueryOption / WinHttpSetOption: the options every handle has, then
 * the handle's own vtbl.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

/* Copies a DWORD result, with Windows' buffer-size protocol. */
BOOL query_dword_option(DWORD value, void *buffer, DWORD *buflen)
{
    if (!buffer || *buflen < sizeof(DWORD))
    {
        *buflen = sizeof(DWORD);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    *(DWORD *)buffer = value;
    *buflen = sizeof(DWORD);
    return TRUE;
}

BOOL get_dword_option(const void *buffer, DWORD buflen, DWORD *value)
{
    if (buflen != sizeof(DWORD))
    {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    *value = *(const DWORD *)buffer;
    return TRUE;
}

/* Whether Windows knows the option at all: an option it knows but that does
 * not apply to the handle fails with ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, an
 * unknown one with ERROR_WINHTTP_INVALID_OPTION. */
static BOOL is_known_option(DWORD option)
{
    return (option >= WINHTTP_FIRST_OPTION && option <= WINHTTP_LAST_OPTION)
        || (option >= WINHTTP_OPTION_USERNAME && option <= WINHTTP_OPTION_PROXY_PASSWORD);
}

/* The error for an option the handle's vtbl did not take. */
static BOOL option_not_handled(struct object_header *hdr, DWORD option)
{
    if (is_known_option(option))
    {
        FIXME("option %lu not supported on handle type %u\n", option, hdr->type);
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
    }
    else
    {
        WARN("unknown option %lu\n", option);
        SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    }
    return FALSE;
}

/* Calls a vtbl entry; ERROR_WINHTTP_INVALID_OPTION from it means "not mine". */
static BOOL check_vtbl_result(struct object_header *hdr, DWORD option, BOOL ret)
{
    if (!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION) return option_not_handled(hdr, option);
    return ret;
}

static BOOL query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    switch (option)
    {
    case WINHTTP_OPTION_CONTEXT_VALUE:
        if (!buffer || *buflen < sizeof(DWORD_PTR))
        {
            *buflen = sizeof(DWORD_PTR);
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        *(DWORD_PTR *)buffer = hdr->context;
        *buflen = sizeof(DWORD_PTR);
        return TRUE;

    case WINHTTP_OPTION_PARENT_HANDLE:
    {
        HINTERNET parent = hdr->parent ? hdr->parent->handle : NULL;
        if (!buffer || *buflen < sizeof(HINTERNET))
        {
            *buflen = sizeof(HINTERNET);
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        *(HINTERNET *)buffer = parent;
        *buflen = sizeof(HINTERNET);
        return TRUE;
    }
    }

    if (hdr->vtbl->query_option)
        return check_vtbl_result(hdr, option, hdr->vtbl->query_option(hdr, option, buffer, buflen));
    return option_not_handled(hdr, option);
}

/***********************************************************************
 *          WinHttpQueryOption (winhttp.@)
 */
BOOL WINAPI WinHttpQueryOption(HINTERNET handle, DWORD option, void *buffer, DWORD *buflen)
{
    struct object_header *hdr;
    BOOL ret;

    TRACE("%p, %lu, %p, %p\n", handle, option, buffer, buflen);

    if (!(hdr = grab_object(handle)))
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (!buflen)
    {
        release_object(hdr);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    ret = query_option(hdr, option, buffer, buflen);
    release_object(hdr);
    if (ret) SetLastError(ERROR_SUCCESS);
    return ret;
}

static BOOL set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    if (!buffer && buflen)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (option == WINHTTP_OPTION_CONTEXT_VALUE)
    {
        if (buflen != sizeof(DWORD_PTR))
        {
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        hdr->context = *(DWORD_PTR *)buffer;
        return TRUE;
    }
    if (hdr->vtbl->set_option)
        return check_vtbl_result(hdr, option, hdr->vtbl->set_option(hdr, option, buffer, buflen));
    return option_not_handled(hdr, option);
}

/***********************************************************************
 *          WinHttpSetOption (winhttp.@)
 */
BOOL WINAPI WinHttpSetOption(HINTERNET handle, DWORD option, void *buffer, DWORD buflen)
{
    struct object_header *hdr;
    BOOL ret;

    TRACE("%p, %lu, %p, %lu\n", handle, option, buffer, buflen);

    if (!(hdr = grab_object(handle)))
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    ret = set_option(hdr, option, buffer, buflen);
    release_object(hdr);
    if (ret) SetLastError(ERROR_SUCCESS);
    return ret;
}
