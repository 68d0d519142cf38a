/*
 * Which proxy a request goes through: WinHTTP's proxy list and bypass list
 * syntax, as WinHttpOpen, WINHTTP_PROXY_INFO and WinHttpSetDefaultProxyConfiguration
 * take them.
 *
 *   list:   entries separated by ';' or white space, each
 *           [scheme=][scheme://]host[:port]  (port 80 when absent)
 *   bypass: entries separated by ';', ',' or white space; '*' matches any run
 *           of characters, "<local>" matches any host name without a period;
 *           compared without regard to case.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "proxy_route.h"

static BOOL is_separator(WCHAR c, BOOL comma)
{
    return c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || (comma && c == ',');
}

/* Shell-style match of pattern[0..plen) against str, '*' only. */
static BOOL wildcard_match(const WCHAR *pattern, size_t plen, const WCHAR *str)
{
    size_t i;

    if (!plen) return !*str;
    if (*pattern == '*')
    {
        for (i = 0; ; i++)
        {
            if (wildcard_match(pattern + 1, plen - 1, str + i)) return TRUE;
            if (!str[i]) return FALSE;
        }
    }
    if (!*str || towlower(*pattern) != towlower(*str)) return FALSE;
    return wildcard_match(pattern + 1, plen - 1, str + 1);
}

BOOL proxy_bypassed(const WCHAR *bypass, const WCHAR *host)
{
    const WCHAR *p = bypass, *start;
    size_t len;

    while (p && *p)
    {
        while (*p && is_separator(*p, TRUE)) p++;
        start = p;
        while (*p && !is_separator(*p, TRUE)) p++;
        if (!(len = p - start)) continue;
        if (len == 7 && !_wcsnicmp(start, L"<local>", 7))
        {
            if (!wcschr(host, '.') && !wcschr(host, ':')) return TRUE;
            continue;
        }
        if (wildcard_match(start, len, host)) return TRUE;
    }
    return FALSE;
}

/* Parses one list entry [scheme=][scheme://]host[:port]. */
static BOOL parse_entry(const WCHAR *start, size_t len, WCHAR *scheme, size_t scheme_size, struct proxy_route *route)
{
    const WCHAR *end = start + len, *eq, *colon, *p;
    size_t i;

    scheme[0] = 0;
    for (eq = start; eq < end && *eq != '='; eq++);
    if (eq < end)
    {
        for (i = 0; start + i < eq && i < scheme_size - 1; i++) scheme[i] = towlower(start[i]);
        scheme[i] = 0;
        start = eq + 1;
    }
    for (p = start; p + 2 < end; p++)
    {
        if (p[0] == ':' && p[1] == '/' && p[2] == '/')
        {
            start = p + 3;
            break;
        }
    }
    if (end > start && end[-1] == '/') end--;
    colon = NULL;
    for (p = start; p < end; p++) if (*p == ':') colon = p;
    if (colon && start[0] == '[' && colon < end && colon[-1] != ']') colon = NULL;   /* inside an IPv6 literal */
    route->port = INTERNET_DEFAULT_HTTP_PORT;
    if (colon)
    {
        route->port = (INTERNET_PORT)wcstoul(colon + 1, NULL, 10);
        end = colon;
    }
    if (end > start && start[0] == '[' && end[-1] == ']')
    {
        start++;
        end--;
    }
    if (end <= start || !route->port) return FALSE;
    return (route->host = strndupW(start, end - start)) != NULL;
}

BOOL proxy_pick(const WCHAR *list, const WCHAR *bypass, const WCHAR *host, BOOL secure, struct proxy_route *route)
{
    const WCHAR *want = secure ? L"https" : L"http", *p = list, *start;
    struct proxy_route any = { NULL, 0 }, entry;
    WCHAR scheme[16];
    size_t len;

    route->host = NULL;
    if (!list || proxy_bypassed(bypass, host)) return FALSE;
    while (*p)
    {
        while (*p && is_separator(*p, FALSE)) p++;
        start = p;
        while (*p && !is_separator(*p, FALSE)) p++;
        if (!(len = p - start) || !parse_entry(start, len, scheme, ARRAY_SIZE(scheme), &entry)) continue;
        if (!wcscmp(scheme, want))
        {
            heap_free(any.host);
            *route = entry;
            return TRUE;
        }
        if (!scheme[0] && !any.host) any = entry;
        else heap_free(entry.host);
    }
    *route = any;
    return any.host != NULL;
}

BOOL proxy_list_first(const WCHAR *list, struct proxy_route *route)
{
    const WCHAR *p = list, *start;
    WCHAR scheme[16];

    route->host = NULL;
    while (*p && is_separator(*p, FALSE)) p++;
    start = p;
    while (*p && !is_separator(*p, FALSE)) p++;
    return p > start && parse_entry(start, p - start, scheme, ARRAY_SIZE(scheme), route);
}

/* The list after its first entry, or NULL when nothing follows. */
const WCHAR *proxy_list_next(const WCHAR *list)
{
    const WCHAR *p = list;

    while (*p && is_separator(*p, FALSE)) p++;
    while (*p && !is_separator(*p, FALSE)) p++;
    while (*p && is_separator(*p, FALSE)) p++;
    return *p ? p : NULL;
}

/* WINHTTP_OPTION_PROXY ----------------------------------------------------- */

BOOL proxy_option_set(struct proxy_option *opt, const void *buffer, DWORD buflen)
{
    const WINHTTP_PROXY_INFO *info = buffer;
    WCHAR *server = NULL, *bypass = NULL;

    if (!buffer || buflen != sizeof(*info))
    {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    switch (info->dwAccessType)
    {
    case WINHTTP_ACCESS_TYPE_NO_PROXY:
        break;
    case WINHTTP_ACCESS_TYPE_NAMED_PROXY:
        if (!info->lpszProxy || !info->lpszProxy[0])
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        if (!(server = strdupW(info->lpszProxy)) || (info->lpszProxyBypass && !(bypass = strdupW(info->lpszProxyBypass))))
        {
            heap_free(server);
            SetLastError(ERROR_OUTOFMEMORY);
            return FALSE;
        }
        break;
    default:
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRACE("access %lu, %s, bypass %s\n", info->dwAccessType, debugstr_w(server), debugstr_w(bypass));
    AcquireSRWLockExclusive(&opt->lock);
    heap_free(opt->server);
    heap_free(opt->bypass);
    opt->access = info->dwAccessType;
    opt->server = server;
    opt->bypass = bypass;
    opt->set = TRUE;
    ReleaseSRWLockExclusive(&opt->lock);
    return TRUE;
}

/* The caller frees the strings with GlobalFree, as WinHttpGetDefaultProxyConfiguration's. */
BOOL proxy_option_query(struct proxy_option *opt, void *buffer, DWORD *buflen)
{
    WINHTTP_PROXY_INFO info;
    BOOL ret = TRUE;

    if (!query_buffer_fits(buffer, buflen, sizeof(info))) return FALSE;
    AcquireSRWLockShared(&opt->lock);
    info.dwAccessType = opt->server ? WINHTTP_ACCESS_TYPE_NAMED_PROXY : WINHTTP_ACCESS_TYPE_NO_PROXY;
    info.lpszProxy = opt->server ? proxy_global_strdup(opt->server, -1) : NULL;
    info.lpszProxyBypass = opt->bypass ? proxy_global_strdup(opt->bypass, -1) : NULL;
    if ((opt->server && !info.lpszProxy) || (opt->bypass && !info.lpszProxyBypass))
    {
        GlobalFree(info.lpszProxy);
        GlobalFree(info.lpszProxyBypass);
        SetLastError(ERROR_OUTOFMEMORY);
        ret = FALSE;
    }
    ReleaseSRWLockShared(&opt->lock);
    if (!ret) return FALSE;
    memcpy(buffer, &info, sizeof(info));
    *buflen = sizeof(info);
    return TRUE;
}

BOOL proxy_option_pick(struct proxy_option *opt, const WCHAR *host, BOOL secure, struct proxy_route *route)
{
    BOOL ret;

    AcquireSRWLockShared(&opt->lock);
    ret = opt->server && proxy_pick(opt->server, opt->bypass, host, secure, route);
    ReleaseSRWLockShared(&opt->lock);
    return ret;
}

/* host is on opt's bypass list: "the local intranet" of the autologon policy */
BOOL proxy_option_bypassed(struct proxy_option *opt, const WCHAR *host)
{
    BOOL ret;

    AcquireSRWLockShared(&opt->lock);
    ret = opt->server && proxy_bypassed(opt->bypass, host);
    ReleaseSRWLockShared(&opt->lock);
    return ret;
}

void proxy_option_free(struct proxy_option *opt)
{
    heap_free(opt->server);
    heap_free(opt->bypass);
    opt->server = opt->bypass = NULL;
}
