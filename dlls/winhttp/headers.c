/*
 * Header lists of a request: WINHTTP_ADDREQ_* semantics, parsing of
 * "Name: value\r\n" strings, and the levels and modifiers of
 * WinHttpQueryHeaders.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "headers.h"

void headers_free(struct header_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        heap_free(list->items[i].name);
        heap_free(list->items[i].value);
    }
    heap_free(list->items);
    memset(list, 0, sizeof(*list));
}

int headers_find(const struct header_list *list, const WCHAR *name, DWORD nth)
{
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        if (_wcsicmp(list->items[i].name, name)) continue;
        if (!nth--) return (int)i;
    }
    return -1;
}

static DWORD insert_header(struct header_list *list, size_t pos, const WCHAR *name, const WCHAR *value)
{
    struct header h;

    if (list->count == list->size)
    {
        size_t size = list->size ? list->size * 2 : 16;
        struct header *items = heap_realloc(list->items, size * sizeof(*items));
        if (!items) return ERROR_OUTOFMEMORY;
        list->items = items;
        list->size = size;
    }
    h.name = strdupW(name);
    h.value = strdupW(value ? value : L"");
    if (!h.name || !h.value)
    {
        heap_free(h.name);
        heap_free(h.value);
        return ERROR_OUTOFMEMORY;
    }
    memmove(list->items + pos + 1, list->items + pos, (list->count - pos) * sizeof(*list->items));
    list->items[pos] = h;
    list->count++;
    return ERROR_SUCCESS;
}

static void delete_header(struct header_list *list, size_t pos)
{
    heap_free(list->items[pos].name);
    heap_free(list->items[pos].value);
    memmove(list->items + pos, list->items + pos + 1, (list->count - pos - 1) * sizeof(*list->items));
    list->count--;
}

static DWORD coalesce(struct header *h, const WCHAR *value, WCHAR sep)
{
    size_t old_len = wcslen(h->value), add_len = wcslen(value);
    WCHAR *joined = heap_alloc((old_len + add_len + 3) * sizeof(WCHAR));

    if (!joined) return ERROR_OUTOFMEMORY;
    memcpy(joined, h->value, old_len * sizeof(WCHAR));
    joined[old_len] = sep;
    joined[old_len + 1] = ' ';
    memcpy(joined + old_len + 2, value, (add_len + 1) * sizeof(WCHAR));
    heap_free(h->value);
    h->value = joined;
    return ERROR_SUCCESS;
}

DWORD headers_process(struct header_list *list, const WCHAR *name, const WCHAR *value, DWORD flags)
{
    int index = headers_find(list, name, 0);

    TRACE("%s: %s, flags %#lx\n", debugstr_w(name), debugstr_w(value), flags);

    if (index >= 0 && (flags & WINHTTP_ADDREQ_FLAG_ADD_IF_NEW)) return ERROR_WINHTTP_HEADER_ALREADY_EXISTS;

    if (flags & WINHTTP_ADDREQ_FLAG_REPLACE)
    {
        if (index >= 0)
        {
            delete_header(list, index);
            if (!value || !value[0]) return ERROR_SUCCESS;
            return insert_header(list, index, name, value);
        }
        if (!(flags & WINHTTP_ADDREQ_FLAG_ADD)) return ERROR_WINHTTP_HEADER_NOT_FOUND;
        if (!value || !value[0]) return ERROR_SUCCESS;
        return insert_header(list, list->count, name, value);
    }
    if (index >= 0 && (flags & WINHTTP_ADDREQ_FLAG_COALESCE_WITH_COMMA))
        return coalesce(&list->items[index], value, ',');
    if (index >= 0 && (flags & WINHTTP_ADDREQ_FLAG_COALESCE_WITH_SEMICOLON))
        return coalesce(&list->items[index], value, ';');
    return insert_header(list, list->count, name, value);
}

static BOOL is_blank(WCHAR c)
{
    return c == ' ' || c == '\t';
}

DWORD headers_add_pair(struct header_list *list, const WCHAR *name, size_t name_len, const WCHAR *value,
                       size_t value_len, DWORD flags)
{
    const WCHAR *v = value, *end = value + value_len;
    WCHAR *name_copy, *value_copy;
    size_t i;
    DWORD error;

    if (!name_len) return ERROR_WINHTTP_INVALID_HEADER;
    /* Windows refuses "g : value" as it refuses " e :f" (blanks in the
     * name, Wine 10's test_request_headers). */
    for (i = 0; i < name_len; i++)
        if (name[i] <= ' ' || name[i] >= 0x7f || name[i] == ':') return ERROR_WINHTTP_INVALID_HEADER;
    /* a line break in a value would start a header of the caller's making */
    for (i = 0; i < value_len; i++)
        if (value[i] == '\r' || value[i] == '\n' || !value[i]) return ERROR_WINHTTP_INVALID_HEADER;

    while (v < end && is_blank(*v)) v++;
    while (end > v && is_blank(end[-1])) end--;

    name_copy = strndupW(name, name_len);
    value_copy = strndupW(v, end - v);
    if (!name_copy || !value_copy) error = ERROR_OUTOFMEMORY;
    else error = headers_process(list, name_copy, value_copy, flags);
    heap_free(name_copy);
    heap_free(value_copy);
    return error;
}

/* One "Name: value" line (no line break). */
static DWORD add_line(struct header_list *list, const WCHAR *line, size_t len, DWORD flags)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (line[i] == ':') return headers_add_pair(list, line, i, line + i + 1, len - i - 1, flags);
    return ERROR_WINHTTP_INVALID_HEADER;
}

DWORD headers_add_string(struct header_list *list, const WCHAR *str, DWORD len, DWORD flags)
{
    const WCHAR *p, *end;
    DWORD error;

    if (len == ~0u) len = (DWORD)wcslen(str);
    p = str;
    end = str + len;
    while (p < end)
    {
        const WCHAR *eol = p;
        size_t line_len;

        while (eol < end && *eol != '\r' && *eol != '\n' && *eol) eol++;
        line_len = eol - p;
        if (line_len && (error = add_line(list, p, line_len, flags))) return error;
        if (eol < end && !*eol) break;
        p = eol;
        while (p < end && (*p == '\r' || *p == '\n')) p++;
    }
    return ERROR_SUCCESS;
}

DWORD headers_append_bytes(struct header_list *list, const char *name, size_t name_len,
                           const char *value, size_t value_len)
{
    WCHAR *nameW = bytes_to_wide(name, name_len), *valueW = bytes_to_wide(value, value_len);
    DWORD error = (nameW && valueW) ? insert_header(list, list->count, nameW, valueW) : ERROR_OUTOFMEMORY;

    heap_free(nameW);
    heap_free(valueW);
    return error;
}

/* WinHttpQueryHeaders --------------------------------------------------------- */

/* Header names of the WINHTTP_QUERY_* levels that are plain headers. */
static const WCHAR *const level_names[] =
{
    [WINHTTP_QUERY_MIME_VERSION]              = L"Mime-Version",
    [WINHTTP_QUERY_CONTENT_TYPE]              = L"Content-Type",
    [WINHTTP_QUERY_CONTENT_TRANSFER_ENCODING] = L"Content-Transfer-Encoding",
    [WINHTTP_QUERY_CONTENT_ID]                = L"Content-ID",
    [WINHTTP_QUERY_CONTENT_DESCRIPTION]       = L"Content-Description",
    [WINHTTP_QUERY_CONTENT_LENGTH]            = L"Content-Length",
    [WINHTTP_QUERY_CONTENT_LANGUAGE]          = L"Content-Language",
    [WINHTTP_QUERY_ALLOW]                     = L"Allow",
    [WINHTTP_QUERY_PUBLIC]                    = L"Public",
    [WINHTTP_QUERY_DATE]                      = L"Date",
    [WINHTTP_QUERY_EXPIRES]                   = L"Expires",
    [WINHTTP_QUERY_LAST_MODIFIED]             = L"Last-Modified",
    [WINHTTP_QUERY_MESSAGE_ID]                = L"Message-ID",
    [WINHTTP_QUERY_URI]                       = L"URI",
    [WINHTTP_QUERY_DERIVED_FROM]              = L"Derived-From",
    [WINHTTP_QUERY_COST]                      = L"Cost",
    [WINHTTP_QUERY_LINK]                      = L"Link",
    [WINHTTP_QUERY_PRAGMA]                    = L"Pragma",
    [WINHTTP_QUERY_CONNECTION]                = L"Connection",
    [WINHTTP_QUERY_ACCEPT]                    = L"Accept",
    [WINHTTP_QUERY_ACCEPT_CHARSET]            = L"Accept-Charset",
    [WINHTTP_QUERY_ACCEPT_ENCODING]           = L"Accept-Encoding",
    [WINHTTP_QUERY_ACCEPT_LANGUAGE]           = L"Accept-Language",
    [WINHTTP_QUERY_AUTHORIZATION]             = L"Authorization",
    [WINHTTP_QUERY_CONTENT_ENCODING]          = L"Content-Encoding",
    [WINHTTP_QUERY_FORWARDED]                 = L"Forwarded",
    [WINHTTP_QUERY_FROM]                      = L"From",
    [WINHTTP_QUERY_IF_MODIFIED_SINCE]         = L"If-Modified-Since",
    [WINHTTP_QUERY_LOCATION]                  = L"Location",
    [WINHTTP_QUERY_ORIG_URI]                  = L"Orig-Uri",
    [WINHTTP_QUERY_REFERER]                   = L"Referer",
    [WINHTTP_QUERY_RETRY_AFTER]               = L"Retry-After",
    [WINHTTP_QUERY_SERVER]                    = L"Server",
    [WINHTTP_QUERY_TITLE]                     = L"Title",
    [WINHTTP_QUERY_USER_AGENT]                = L"User-Agent",
    [WINHTTP_QUERY_WWW_AUTHENTICATE]          = L"WWW-Authenticate",
    [WINHTTP_QUERY_PROXY_AUTHENTICATE]        = L"Proxy-Authenticate",
    [WINHTTP_QUERY_ACCEPT_RANGES]             = L"Accept-Ranges",
    [WINHTTP_QUERY_SET_COOKIE]                = L"Set-Cookie",
    [WINHTTP_QUERY_COOKIE]                    = L"Cookie",
    [WINHTTP_QUERY_REFRESH]                   = L"Refresh",
    [WINHTTP_QUERY_CONTENT_DISPOSITION]       = L"Content-Disposition",
    [WINHTTP_QUERY_AGE]                       = L"Age",
    [WINHTTP_QUERY_CACHE_CONTROL]             = L"Cache-Control",
    [WINHTTP_QUERY_CONTENT_BASE]              = L"Content-Base",
    [WINHTTP_QUERY_CONTENT_LOCATION]          = L"Content-Location",
    [WINHTTP_QUERY_CONTENT_MD5]               = L"Content-MD5",
    [WINHTTP_QUERY_CONTENT_RANGE]             = L"Content-Range",
    [WINHTTP_QUERY_ETAG]                      = L"ETag",
    [WINHTTP_QUERY_HOST]                      = L"Host",
    [WINHTTP_QUERY_IF_MATCH]                  = L"If-Match",
    [WINHTTP_QUERY_IF_NONE_MATCH]             = L"If-None-Match",
    [WINHTTP_QUERY_IF_RANGE]                  = L"If-Range",
    [WINHTTP_QUERY_IF_UNMODIFIED_SINCE]       = L"If-Unmodified-Since",
    [WINHTTP_QUERY_MAX_FORWARDS]              = L"Max-Forwards",
    [WINHTTP_QUERY_PROXY_AUTHORIZATION]       = L"Proxy-Authorization",
    [WINHTTP_QUERY_RANGE]                     = L"Range",
    [WINHTTP_QUERY_TRANSFER_ENCODING]         = L"Transfer-Encoding",
    [WINHTTP_QUERY_UPGRADE]                   = L"Upgrade",
    [WINHTTP_QUERY_VARY]                      = L"Vary",
    [WINHTTP_QUERY_VIA]                       = L"Via",
    [WINHTTP_QUERY_WARNING]                   = L"Warning",
    [WINHTTP_QUERY_EXPECT]                    = L"Expect",
    [WINHTTP_QUERY_PROXY_CONNECTION]          = L"Proxy-Connection",
    [WINHTTP_QUERY_UNLESS_MODIFIED_SINCE]     = L"Unless-Modified-Since",
    [WINHTTP_QUERY_PROXY_SUPPORT]             = L"Proxy-Support",
    [WINHTTP_QUERY_AUTHENTICATION_INFO]       = L"Authentication-Info",
    [WINHTTP_QUERY_PASSPORT_URLS]             = L"Passport-Urls",
    [WINHTTP_QUERY_PASSPORT_CONFIG]           = L"Passport-Config",
};

/* The raw head: first line and headers, each line ended by CRLF (or NUL),
 * plus the final empty line. */
static WCHAR *build_raw(const struct query_source *src, BOOL crlf, size_t *out_len)
{
    const struct header_list *list = src->list;
    size_t len = 0, i, k;
    WCHAR *buf, *p;

    for (k = 0; k < 3; k++) len += wcslen(src->first_line_parts[k] ? src->first_line_parts[k] : L"") + 1;
    len += 1;
    for (i = 0; i < list->count; i++) len += wcslen(list->items[i].name) + 2 + wcslen(list->items[i].value) + 2;
    len += 2 + 1;
    if (!(buf = heap_alloc(len * sizeof(WCHAR)))) return NULL;

    p = buf;
    for (k = 0; k < 3; k++)
    {
        const WCHAR *part = src->first_line_parts[k] ? src->first_line_parts[k] : L"";
        size_t n = wcslen(part);
        if (k) *p++ = ' ';
        memcpy(p, part, n * sizeof(WCHAR));
        p += n;
    }
    if (crlf) { *p++ = '\r'; *p++ = '\n'; } else *p++ = 0;
    for (i = 0; i < list->count; i++)
    {
        size_t n = wcslen(list->items[i].name);
        memcpy(p, list->items[i].name, n * sizeof(WCHAR));
        p += n;
        *p++ = ':';
        *p++ = ' ';
        n = wcslen(list->items[i].value);
        memcpy(p, list->items[i].value, n * sizeof(WCHAR));
        p += n;
        if (crlf) { *p++ = '\r'; *p++ = '\n'; } else *p++ = 0;
    }
    if (crlf) { *p++ = '\r'; *p++ = '\n'; }
    /* RAW_HEADERS ends with an extra NUL: the string terminator below. */
    *p = 0;
    *out_len = p - buf;
    return buf;
}

/* A string answer: wide, or with WINHTTP_QUERY_FLAG_WIRE_ENCODING the bytes
 * as they came (headers are stored one WCHAR per byte of the wire), in a
 * byte count either way, the terminator counted only when asking for room. */
static DWORD copy_string(const WCHAR *str, size_t chars, BOOL wire, void *buffer, DWORD *len)
{
    size_t unit = wire ? 1 : sizeof(WCHAR), need = (chars + 1) * unit, i;

    if (!buffer || *len < need)
    {
        *len = (DWORD)need;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    if (wire)
    {
        for (i = 0; i < chars; i++) ((char *)buffer)[i] = (char)str[i];
        ((char *)buffer)[chars] = 0;
    }
    else
    {
        memcpy(buffer, str, chars * sizeof(WCHAR));
        ((WCHAR *)buffer)[chars] = 0;
    }
    *len = (DWORD)(chars * unit);
    return ERROR_SUCCESS;
}

static DWORD copy_value(const WCHAR *value, DWORD modifiers, void *buffer, DWORD *len)
{
    if (modifiers & WINHTTP_QUERY_FLAG_NUMBER)
    {
        if (!buffer || *len < sizeof(DWORD))
        {
            *len = sizeof(DWORD);
            return ERROR_INSUFFICIENT_BUFFER;
        }
        *(DWORD *)buffer = (DWORD)wcstoul(value, NULL, 10);
        *len = sizeof(DWORD);
        return ERROR_SUCCESS;
    }
    if (modifiers & WINHTTP_QUERY_FLAG_NUMBER64)
    {
        if (!buffer || *len < sizeof(ULONGLONG))
        {
            *len = sizeof(ULONGLONG);
            return ERROR_INSUFFICIENT_BUFFER;
        }
        *(ULONGLONG *)buffer = _wcstoui64(value, NULL, 10);
        *len = sizeof(ULONGLONG);
        return ERROR_SUCCESS;
    }
    if (modifiers & WINHTTP_QUERY_FLAG_SYSTEMTIME)
    {
        SYSTEMTIME st;
        if (!buffer || *len < sizeof(SYSTEMTIME))
        {
            *len = sizeof(SYSTEMTIME);
            return ERROR_INSUFFICIENT_BUFFER;
        }
        if (!WinHttpTimeToSystemTime(value, &st)) return GetLastError();
        *(SYSTEMTIME *)buffer = st;
        *len = sizeof(SYSTEMTIME);
        return ERROR_SUCCESS;
    }
    return copy_string(value, wcslen(value), (modifiers & WINHTTP_QUERY_FLAG_WIRE_ENCODING) != 0, buffer, len);
}

DWORD headers_query(const struct query_source *src, DWORD level, const WCHAR *name, void *buffer,
                    DWORD *len, DWORD *index)
{
    DWORD attr = level & 0xffff, modifiers = level & 0xffff0000 & ~WINHTTP_QUERY_FLAG_REQUEST_HEADERS;
    const WCHAR *first = NULL;
    DWORD error;
    int i;

    if (level & WINHTTP_QUERY_FLAG_TRAILERS)
    {
        /* as WinHttpQueryHeadersEx: none is kept, so none is found */
        FIXME("trailers are not kept\n");
        return ERROR_WINHTTP_HEADER_NOT_FOUND;
    }
    switch (attr)
    {
    case WINHTTP_QUERY_RAW_HEADERS:
    case WINHTTP_QUERY_RAW_HEADERS_CRLF:
    {
        size_t chars;
        WCHAR *raw;

        if (index && *index) return ERROR_WINHTTP_HEADER_NOT_FOUND;
        if (!(raw = build_raw(src, attr == WINHTTP_QUERY_RAW_HEADERS_CRLF, &chars))) return ERROR_OUTOFMEMORY;
        error = copy_string(raw, chars, (modifiers & WINHTTP_QUERY_FLAG_WIRE_ENCODING) != 0, buffer, len);
        heap_free(raw);
        return error;
    }
    case WINHTTP_QUERY_VERSION:
        first = src->first_line_parts[src->is_request ? 2 : 0];
        break;
    case WINHTTP_QUERY_STATUS_CODE:
        if (!src->is_request) first = src->first_line_parts[1];
        break;
    case WINHTTP_QUERY_STATUS_TEXT:
        if (!src->is_request) first = src->first_line_parts[2];
        break;
    case WINHTTP_QUERY_REQUEST_METHOD:
        if (src->is_request) first = src->first_line_parts[0];
        break;
    case WINHTTP_QUERY_CUSTOM:
        if (!name) return ERROR_INVALID_PARAMETER;
        break;
    default:
        /* past the last level Windows defines (Wine's test_WinHttpSendRequest) */
        if (attr > WINHTTP_QUERY_MAX) return ERROR_INVALID_PARAMETER;
        if (attr >= ARRAY_SIZE(level_names) || !level_names[attr])
        {
            TRACE("unsupported level %lu\n", attr);
            return ERROR_WINHTTP_INVALID_QUERY_REQUEST;
        }
        name = level_names[attr];
        break;
    }

    if (attr == WINHTTP_QUERY_VERSION || attr == WINHTTP_QUERY_STATUS_CODE || attr == WINHTTP_QUERY_STATUS_TEXT
        || attr == WINHTTP_QUERY_REQUEST_METHOD)
    {
        if (!first || (index && *index)) return ERROR_WINHTTP_HEADER_NOT_FOUND;
        return copy_value(first, modifiers, buffer, len);
    }

    if ((i = headers_find(src->list, name, index ? *index : 0)) < 0) return ERROR_WINHTTP_HEADER_NOT_FOUND;
    if ((error = copy_value(src->list->items[i].value, modifiers, buffer, len))) return error;
    if (index) (*index)++;
    return ERROR_SUCCESS;
}

/* WinHttpQueryHeadersEx ------------------------------------------------------- */

/* The header as received (headers are stored one WCHAR per byte of the wire). */
static char *wire_bytes(const WCHAR *str, size_t *len)
{
    size_t n = wcslen(str), i;
    char *out;

    if (!(out = heap_alloc(n + 1))) return NULL;
    for (i = 0; i < n; i++) out[i] = (char)str[i];
    out[n] = 0;
    *len = n;
    return out;
}

/* Bytes one header string takes in the caller's buffer, terminator included. */
static DWORD ex_string_size(const WCHAR *str, BOOL wire, UINT codepage)
{
    size_t len;
    char *bytes;
    int chars;

    if (!(bytes = wire_bytes(str, &len))) return 0;
    if (wire) chars = (int)len + 1;
    else chars = MultiByteToWideChar(codepage, 0, bytes, (int)len, NULL, 0) + 1;
    heap_free(bytes);
    return wire ? (DWORD)chars : (DWORD)chars * sizeof(WCHAR);
}

/* Writes one string at *pos; returns its address in the buffer. */
static const void *ex_string_put(const WCHAR *str, BOOL wire, UINT codepage, char **pos)
{
    const void *ret = *pos;
    size_t len;
    char *bytes;
    int chars;

    if (!(bytes = wire_bytes(str, &len))) return NULL;
    if (wire)
    {
        memcpy(*pos, bytes, len + 1);
        *pos += len + 1;
    }
    else
    {
        chars = MultiByteToWideChar(codepage, 0, bytes, (int)len, (WCHAR *)*pos, (int)len);
        ((WCHAR *)*pos)[chars] = 0;
        *pos += (chars + 1) * sizeof(WCHAR);
    }
    heap_free(bytes);
    return ret;
}

/* The levels, flags and buffer layout of Microsoft's WinHttpQueryHeadersEx
 * page: an array of WINHTTP_EXTENDED_HEADER first, then the strings it points
 * to, wide (converted from the wire bytes with uiCodePage, 0 = CP_ACP) or as
 * sent with WINHTTP_QUERY_FLAG_WIRE_ENCODING. */
DWORD headers_query_ex(const struct query_source *src, DWORD level, UINT codepage, DWORD *index,
                       const WINHTTP_HEADER_NAME *header_name, void *buffer, DWORD *len,
                       WINHTTP_EXTENDED_HEADER **headers, DWORD *count)
{
    static const DWORD refused_modifiers = WINHTTP_QUERY_FLAG_NUMBER | WINHTTP_QUERY_FLAG_NUMBER64 |
                                           WINHTTP_QUERY_FLAG_SYSTEMTIME;
    DWORD attr = level & 0xffff, need, i, first, n = 0;
    BOOL wire = (level & WINHTTP_QUERY_FLAG_WIRE_ENCODING) != 0;
    const struct header_list *list = src->list;
    WINHTTP_EXTENDED_HEADER *out;
    WCHAR *name = NULL;
    char *pos;
    int found;

    if (level & refused_modifiers) return ERROR_INVALID_PARAMETER;
    if (level & WINHTTP_QUERY_FLAG_TRAILERS)
    {
        FIXME("trailers are not kept\n");
        return ERROR_WINHTTP_HEADER_NOT_FOUND;
    }
    if (!codepage) codepage = CP_ACP;

    switch (attr)
    {
    case WINHTTP_QUERY_VERSION:
    case WINHTTP_QUERY_STATUS_CODE:
    case WINHTTP_QUERY_STATUS_TEXT:
    case WINHTTP_QUERY_RAW_HEADERS_CRLF:
        return ERROR_INVALID_PARAMETER;
    case WINHTTP_QUERY_EX_ALL_HEADERS:
        first = 0;
        n = (DWORD)list->count;
        break;
    case WINHTTP_QUERY_CUSTOM:
        if (!header_name || !header_name->pwszName) return ERROR_INVALID_PARAMETER;
        if (wire) name = bytes_to_wide(header_name->pszName, strlen(header_name->pszName));
        else name = strdupW(header_name->pwszName);
        if (!name) return ERROR_OUTOFMEMORY;
        /* fall through */
    default:
        if (attr != WINHTTP_QUERY_CUSTOM && (attr >= ARRAY_SIZE(level_names) || !level_names[attr]))
            return ERROR_WINHTTP_INVALID_QUERY_REQUEST;
        found = headers_find(list, name ? name : level_names[attr], index ? *index : 0);
        heap_free(name);
        if (found < 0) return ERROR_WINHTTP_HEADER_NOT_FOUND;
        first = (DWORD)found;
        n = 1;
        break;
    }

    need = n * sizeof(*out);
    for (i = first; i < first + n; i++)
        need += ex_string_size(list->items[i].name, wire, codepage) + ex_string_size(list->items[i].value, wire, codepage);
    if (!buffer || *len < need)
    {
        *len = need;
        return ERROR_INSUFFICIENT_BUFFER;
    }

    out = buffer;
    pos = (char *)(out + n);
    for (i = 0; i < n; i++)
    {
        out[i].pwszName = ex_string_put(list->items[first + i].name, wire, codepage, &pos);
        out[i].pwszValue = ex_string_put(list->items[first + i].value, wire, codepage, &pos);
    }
    *len = need;
    *headers = out;
    *count = n;
    if (index && attr != WINHTTP_QUERY_EX_ALL_HEADERS) (*index)++;
    return ERROR_SUCCESS;
}
