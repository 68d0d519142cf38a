/*
 * String conversions between UTF-16 (the API) and bytes (the wire), in one
 * place (declared in winhttp_private.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

char *strdupWA(const WCHAR *src, int len, int *out_len)
{
    int n;
    char *dst;

    if (len < 0) len = (int)wcslen(src);
    n = len ? WideCharToMultiByte(CP_UTF8, 0, src, len, NULL, 0, NULL, NULL) : 0;
    if (!(dst = heap_alloc(n + 1))) return NULL;
    if (n) WideCharToMultiByte(CP_UTF8, 0, src, len, dst, n, NULL, NULL);
    dst[n] = 0;
    if (out_len) *out_len = n;
    return dst;
}

WCHAR *strdupAW(const char *src, int len)
{
    int n;
    WCHAR *dst;

    if (len < 0) len = (int)strlen(src);
    n = len ? MultiByteToWideChar(CP_UTF8, 0, src, len, NULL, 0) : 0;
    if (!(dst = heap_alloc((n + 1) * sizeof(WCHAR)))) return NULL;
    if (n) MultiByteToWideChar(CP_UTF8, 0, src, len, dst, n);
    dst[n] = 0;
    return dst;
}

WCHAR *bytes_to_wide(const char *s, size_t len)
{
    int n = len ? MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, (int)len, NULL, 0) : 0;

    if (n > 0 || !len)
    {
        WCHAR *out = heap_alloc((n + 1) * sizeof(WCHAR));
        if (!out) return NULL;
        if (len) MultiByteToWideChar(CP_UTF8, 0, s, (int)len, out, n);
        out[n] = 0;
        return out;
    }
    return latin1_to_wide(s, len);
}

WCHAR *latin1_to_wide(const char *s, size_t len)
{
    WCHAR *out = heap_alloc((len + 1) * sizeof(WCHAR));
    size_t i;

    if (!out) return NULL;
    for (i = 0; i < len; i++) out[i] = (unsigned char)s[i];
    out[len] = 0;
    return out;
}

/* Growable byte strings (struct strbuf) ------------------------------------ */

void sb_append(struct strbuf *sb, const char *s, size_t len)
{
    if (sb->failed) return;
    if (sb->len + len + 1 > sb->size)
    {
        size_t size = max(sb->size * 2, sb->len + len + 256);
        char *data = heap_realloc(sb->data, size);
        if (!data)
        {
            sb->failed = TRUE;
            return;
        }
        sb->data = data;
        sb->size = size;
    }
    memcpy(sb->data + sb->len, s, len);
    sb->len += len;
    sb->data[sb->len] = 0;
}

void sb_append_str(struct strbuf *sb, const char *s)
{
    sb_append(sb, s, strlen(s));
}

void sb_append_wide(struct strbuf *sb, const WCHAR *s)
{
    int len;
    char *utf8 = strdupWA(s, -1, &len);

    if (!utf8)
    {
        sb->failed = TRUE;
        return;
    }
    sb_append(sb, utf8, len);
    heap_free(utf8);
}

char *sb_finish(struct strbuf *sb, size_t *len)
{
    if (sb->failed)
    {
        heap_free(sb->data);
        return NULL;
    }
    *len = sb->len;
    return sb->data;
}
