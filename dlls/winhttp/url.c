/*
 * URL cracking and creation: WinHttpCrackUrl, WinHttpCreateUrl.
 *
 * A URL is taken apart as scheme "://" [user [":" password] "@"] host
 * [":" port] [path] [extra], where extra starts at the first '?' (or, with no
 * '?', the first '#') after the host.  Components are reported either as
 * pointers into the caller's string (pointer NULL, length non-zero) or copied
 * into the caller's buffers (pointer and size given), the way Windows does.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

/* A span of the URL being cracked; ptr NULL when the component is absent. */
struct span
{
    const WCHAR *ptr;
    DWORD len;
};

static INTERNET_PORT default_port(INTERNET_SCHEME scheme)
{
    if (scheme == INTERNET_SCHEME_HTTPS) return INTERNET_DEFAULT_HTTPS_PORT;
    return INTERNET_DEFAULT_HTTP_PORT;
}

static BOOL span_equals(const WCHAR *str, DWORD len, const WCHAR *ascii)
{
    DWORD n = wcslen(ascii);
    return len == n && !_wcsnicmp(str, ascii, n);
}

static int hex_value(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* %xx -> character; malformed escapes are kept as they are.  dst may be NULL
 * (counting).  Returns the decoded length. */
static DWORD decode_span(const WCHAR *src, DWORD len, WCHAR *dst)
{
    DWORD i = 0, n = 0;

    while (i < len)
    {
        int hi, lo;
        if (src[i] == '%' && i + 2 < len && (hi = hex_value(src[i + 1])) >= 0 && (lo = hex_value(src[i + 2])) >= 0)
        {
            if (dst) dst[n] = (WCHAR)(hi * 16 + lo);
            i += 3;
        }
        else
        {
            if (dst) dst[n] = src[i];
            i++;
        }
        n++;
    }
    return n;
}

/* The ASCII characters Windows escapes (ICU_ESCAPE): controls, space, DEL and
 * " # % < > [ \ ] ^ ` { | } ~ . */
static BOOL needs_escape(unsigned int c)
{
    if (c <= 0x20 || c >= 0x7f) return TRUE;
    return strchr("\"#%<>[\\]^`{|}~", (int)c) != NULL;
}

/* Escapes src into dst (NULL: count only).  Characters outside ASCII are only
 * representable when the ANSI code page is UTF-8 (as bytes %xx); otherwise
 * the result is -1 (ERROR_INVALID_PARAMETER). */
static int escape_span(const WCHAR *src, DWORD len, WCHAR *dst)
{
    static const char hex[] = "0123456789ABCDEF";
    int n = 0;
    DWORD i;

    for (i = 0; i < len; i++)
    {
        unsigned char bytes[4];
        int count, j;

        if (src[i] < 0x80)
        {
            bytes[0] = (unsigned char)src[i];
            count = 1;
        }
        else
        {
            int units = (src[i] >= 0xd800 && src[i] < 0xdc00 && i + 1 < len) ? 2 : 1;
            if (GetACP() != CP_UTF8) return -1;
            count = WideCharToMultiByte(CP_UTF8, 0, src + i, units, (char *)bytes, sizeof(bytes), NULL, NULL);
            if (count <= 0) return -1;
            i += units - 1;
        }
        for (j = 0; j < count; j++)
        {
            if (needs_escape(bytes[j]))
            {
                if (dst)
                {
                    dst[n] = '%';
                    dst[n + 1] = hex[bytes[j] >> 4];
                    dst[n + 2] = hex[bytes[j] & 0xf];
                }
                n += 3;
            }
            else
            {
                if (dst) dst[n] = bytes[j];
                n++;
            }
        }
    }
    return n;
}

/* Applies ICU_DECODE / ICU_ESCAPE to a component for buffer mode.  Returns a
 * heap string in *out (may be NULL for an empty result) and its length. */
static DWORD transform_span(const struct span *s, DWORD flags, BOOL escape, WCHAR **out, DWORD *out_len)
{
    WCHAR *decoded = NULL, *escaped;
    const WCHAR *src = s->ptr;
    DWORD len = s->len;
    int n;

    *out = NULL;
    *out_len = len;
    if (!src) return ERROR_SUCCESS;

    if (flags & ICU_DECODE)
    {
        if (!(decoded = heap_alloc((len + 1) * sizeof(WCHAR)))) return ERROR_OUTOFMEMORY;
        len = decode_span(src, len, decoded);
        src = decoded;
    }
    if (escape && (flags & ICU_ESCAPE))
    {
        if ((n = escape_span(src, len, NULL)) < 0)
        {
            heap_free(decoded);
            return ERROR_INVALID_PARAMETER;
        }
        if (!(escaped = heap_alloc((n + 1) * sizeof(WCHAR))))
        {
            heap_free(decoded);
            return ERROR_OUTOFMEMORY;
        }
        escape_span(src, len, escaped);
        heap_free(decoded);
        decoded = escaped;
        len = n;
    }
    *out = decoded;
    *out_len = len;
    return ERROR_SUCCESS;
}

/* Reports one component.  Pointer mode: the pointer into the URL (or NULL for
 * an absent user name / password).  Buffer mode: a copy with a terminating
 * NUL; when it does not fit, the size needed including the NUL is reported
 * and *overflow set. */
static DWORD set_component(WCHAR **ptr, DWORD *len, const struct span *s, DWORD flags, BOOL escape, BOOL *overflow)
{
    WCHAR *copy;
    DWORD copy_len, err;

    if (!*ptr && !*len) return ERROR_SUCCESS;  /* not wanted */
    if (!*ptr)
    {
        *ptr = (WCHAR *)s->ptr;
        *len = s->ptr ? s->len : 0;
        return ERROR_SUCCESS;
    }
    if ((err = transform_span(s, flags, escape, &copy, &copy_len))) return err;
    if (copy_len >= *len)
    {
        *len = copy_len + 1;
        *overflow = TRUE;
    }
    else
    {
        if (copy_len) memcpy(*ptr, copy ? copy : s->ptr, copy_len * sizeof(WCHAR));
        (*ptr)[copy_len] = 0;
        *len = copy_len;
    }
    heap_free(copy);
    return ERROR_SUCCESS;
}

static DWORD crack_url(const WCHAR *url, DWORD len, DWORD flags, URL_COMPONENTS *uc)
{
    struct span scheme, user = {0}, password = {0}, host, path, extra;
    const WCHAR *p, *end = url + len, *auth_end, *at, *host_end, *colon;
    INTERNET_SCHEME nscheme;
    unsigned int port;
    BOOL overflow = FALSE;
    DWORD err;

    /* scheme */
    for (p = url; p < end && *p != ':'; p++) ;
    if (p == end) return ERROR_WINHTTP_UNRECOGNIZED_SCHEME;
    scheme.ptr = url;
    scheme.len = p - url;
    if (span_equals(url, scheme.len, L"http")) nscheme = INTERNET_SCHEME_HTTP;
    else if (span_equals(url, scheme.len, L"https")) nscheme = INTERNET_SCHEME_HTTPS;
    else return ERROR_WINHTTP_UNRECOGNIZED_SCHEME;
    p++;
    if (end - p < 2 || p[0] != '/' || p[1] != '/') return ERROR_WINHTTP_INVALID_URL;
    p += 2;

    /* authority: up to the path, or the query when there is no path */
    for (auth_end = p; auth_end < end && *auth_end != '/' && *auth_end != '?'; auth_end++) ;
    for (at = auth_end; at > p && at[-1] != '@'; at--) ;
    if (at > p)
    {
        const WCHAR *userinfo_end = at - 1;
        for (colon = p; colon < userinfo_end && *colon != ':'; colon++) ;
        if ((flags & ICU_REJECT_USERPWD)) return ERROR_WINHTTP_INVALID_URL;
        user.ptr = p;
        user.len = colon - p;
        if (colon < userinfo_end)
        {
            password.ptr = colon + 1;
            password.len = userinfo_end - colon - 1;
        }
        p = at;
    }

    /* host, with IPv6 literals in brackets, then the port */
    host.ptr = p;
    if (p < auth_end && *p == '[')
    {
        for (host_end = p; host_end < auth_end && *host_end != ']'; host_end++) ;
        if (host_end == auth_end) return ERROR_WINHTTP_INVALID_URL;
        host_end++;
        if (host_end < auth_end && *host_end != ':') return ERROR_WINHTTP_INVALID_URL;
    }
    else for (host_end = p; host_end < auth_end && *host_end != ':'; host_end++) ;
    host.len = host_end - p;
    if (!host.len) return ERROR_WINHTTP_INVALID_URL;

    port = default_port(nscheme);
    if (host_end < auth_end)  /* ':' */
    {
        const WCHAR *q = host_end + 1;
        if (q < auth_end)
        {
            port = 0;
            for (; q < auth_end; q++)
            {
                if (*q < '0' || *q > '9') return ERROR_WINHTTP_INVALID_URL;
                port = port * 10 + (*q - '0');
                if (port > 65535) return ERROR_WINHTTP_INVALID_URL;
            }
        }
    }

    /* path and extra info; with no path, both are empty at the end */
    if (auth_end < end && *auth_end == '/')
    {
        const WCHAR *q;
        for (q = auth_end; q < end && *q != '?'; q++) ;
        if (q == end) for (q = auth_end; q < end && *q != '#'; q++) ;
        path.ptr = auth_end;
        path.len = q - auth_end;
        extra.ptr = q;
        extra.len = end - q;
        /* Without an extra info component, the path keeps the query. */
        if (!uc->lpszExtraInfo && !uc->dwExtraInfoLength) path.len = end - auth_end;
    }
    else
    {
        path.ptr = extra.ptr = end;
        path.len = extra.len = 0;
    }

    if ((err = set_component(&uc->lpszScheme, &uc->dwSchemeLength, &scheme, 0, FALSE, &overflow))) return err;
    uc->nScheme = nscheme;
    if ((err = set_component(&uc->lpszUserName, &uc->dwUserNameLength, &user, flags, FALSE, &overflow))) return err;
    if ((err = set_component(&uc->lpszPassword, &uc->dwPasswordLength, &password, flags, FALSE, &overflow))) return err;
    if ((err = set_component(&uc->lpszHostName, &uc->dwHostNameLength, &host, 0, FALSE, &overflow))) return err;
    uc->nPort = (INTERNET_PORT)port;
    if ((err = set_component(&uc->lpszUrlPath, &uc->dwUrlPathLength, &path, flags, TRUE, &overflow))) return err;
    if ((err = set_component(&uc->lpszExtraInfo, &uc->dwExtraInfoLength, &extra, flags, TRUE, &overflow))) return err;

    if (overflow) return ERROR_INSUFFICIENT_BUFFER;
    TRACE("scheme %s host %s port %u path %s extra %s\n", debugstr_wn(scheme.ptr, scheme.len),
          debugstr_wn(host.ptr, host.len), port, debugstr_wn(path.ptr, path.len), debugstr_wn(extra.ptr, extra.len));
    return ERROR_SUCCESS;
}

/***********************************************************************
 *          WinHttpCrackUrl (winhttp.@)
 */
BOOL WINAPI WinHttpCrackUrl(LPCWSTR url, DWORD len, DWORD flags, LPURL_COMPONENTS uc)
{
    DWORD err;

    TRACE("%s, %lu, %#lx, %p\n", url ? debugstr_wn(url, len ? (int)len : -1) : "(null)", len, flags, uc);

    if (!url || !uc || uc->dwStructSize != sizeof(URL_COMPONENTS))
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    /* A buffer of size 0 is an error; decoding and escaping need buffers. */
    if ((uc->lpszScheme && !uc->dwSchemeLength) || (uc->lpszHostName && !uc->dwHostNameLength)
        || (uc->lpszUserName && !uc->dwUserNameLength) || (uc->lpszPassword && !uc->dwPasswordLength)
        || (uc->lpszUrlPath && !uc->dwUrlPathLength) || (uc->lpszExtraInfo && !uc->dwExtraInfoLength))
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if ((flags & (ICU_DECODE | ICU_ESCAPE))
        && ((!uc->lpszScheme && uc->dwSchemeLength) || (!uc->lpszHostName && uc->dwHostNameLength)
            || (!uc->lpszUserName && uc->dwUserNameLength) || (!uc->lpszPassword && uc->dwPasswordLength)
            || (!uc->lpszUrlPath && uc->dwUrlPathLength) || (!uc->lpszExtraInfo && uc->dwExtraInfoLength)))
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!len) len = wcslen(url);

    if ((err = crack_url(url, len, flags, uc)))
    {
        SetLastError(err);
        return FALSE;
    }
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/* Output for WinHttpCreateUrl: counts always, writes when buf is set. */
struct builder
{
    WCHAR *buf;
    DWORD len;
};

static void put(struct builder *b, const WCHAR *str, DWORD len)
{
    if (b->buf && len) memcpy(b->buf + b->len, str, len * sizeof(WCHAR));
    b->len += len;
}

static void put_str(struct builder *b, const WCHAR *str)
{
    put(b, str, wcslen(str));
}

static BOOL put_escaped(struct builder *b, const WCHAR *str, DWORD len, BOOL escape)
{
    int n;

    if (!escape)
    {
        put(b, str, len);
        return TRUE;
    }
    if ((n = escape_span(str, len, b->buf ? b->buf + b->len : NULL)) < 0) return FALSE;
    b->len += n;
    return TRUE;
}

static DWORD component_len(const WCHAR *str, DWORD len)
{
    return len ? len : wcslen(str);
}

/* Builds the URL into b; returns an error code. */
static DWORD build_url(const URL_COMPONENTS *uc, DWORD flags, struct builder *b)
{
    BOOL escape = (flags & ICU_ESCAPE) != 0;
    INTERNET_PORT def_port = 0;
    BOOL has_default = TRUE;

    if (uc->lpszScheme)
    {
        DWORD n = component_len(uc->lpszScheme, uc->dwSchemeLength);
        put(b, uc->lpszScheme, n);
        if (span_equals(uc->lpszScheme, n, L"http")) def_port = INTERNET_DEFAULT_HTTP_PORT;
        else if (span_equals(uc->lpszScheme, n, L"https")) def_port = INTERNET_DEFAULT_HTTPS_PORT;
        else has_default = FALSE;
    }
    else
    {
        switch (uc->nScheme)
        {
        case 0:
        case INTERNET_SCHEME_HTTP:
            put_str(b, L"http");
            def_port = INTERNET_DEFAULT_HTTP_PORT;
            break;
        case INTERNET_SCHEME_HTTPS:
            put_str(b, L"https");
            def_port = INTERNET_DEFAULT_HTTPS_PORT;
            break;
        default:
            return ERROR_INVALID_PARAMETER;
        }
    }
    put_str(b, L"://");

    if (uc->lpszUserName)
    {
        put(b, uc->lpszUserName, component_len(uc->lpszUserName, uc->dwUserNameLength));
        if (uc->lpszPassword)
        {
            put_str(b, L":");
            put(b, uc->lpszPassword, component_len(uc->lpszPassword, uc->dwPasswordLength));
        }
        put_str(b, L"@");
    }
    else if (uc->lpszPassword) return ERROR_INVALID_PARAMETER;

    if (uc->lpszHostName)
    {
        put(b, uc->lpszHostName, component_len(uc->lpszHostName, uc->dwHostNameLength));
        if (!has_default || uc->nPort != def_port)
        {
            WCHAR port[8];
            swprintf(port, ARRAY_SIZE(port), L":%u", uc->nPort);
            put_str(b, port);
        }
    }
    if (uc->lpszUrlPath
        && !put_escaped(b, uc->lpszUrlPath, component_len(uc->lpszUrlPath, uc->dwUrlPathLength), escape))
        return ERROR_INVALID_PARAMETER;
    if (uc->lpszExtraInfo
        && !put_escaped(b, uc->lpszExtraInfo, component_len(uc->lpszExtraInfo, uc->dwExtraInfoLength), escape))
        return ERROR_INVALID_PARAMETER;
    return ERROR_SUCCESS;
}

/***********************************************************************
 *          WinHttpCreateUrl (winhttp.@)
 */
BOOL WINAPI WinHttpCreateUrl(LPURL_COMPONENTS uc, DWORD flags, LPWSTR url, LPDWORD required)
{
    struct builder b = {NULL, 0};
    DWORD err;

    TRACE("%p, %#lx, %p, %p\n", uc, flags, url, required);

    if (!uc || uc->dwStructSize != sizeof(URL_COMPONENTS) || !required)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if ((err = build_url(uc, flags, &b)))
    {
        SetLastError(err);
        return FALSE;
    }
    if (*required < b.len + 1)
    {
        *required = b.len + 1;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    if (!url)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    b.buf = url;
    b.len = 0;
    build_url(uc, flags, &b);
    url[b.len] = 0;
    *required = b.len;
    TRACE("%s\n", debugstr_w(url));
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}
