/*
 * Content-Encoding of response bodies: WINHTTP_OPTION_DECOMPRESSION.
 *
 * What Windows does, as far as public sources show it (docs/DECISIONS.md):
 *   - the request announces the codings it allows in Accept-Encoding (.NET's
 *     WinHttpHandler leaves that header to WinHTTP when it uses the option,
 *     and its tests expect exactly one Accept-Encoding naming each coding
 *     once, also beside one the program added);
 *   - a response with one such coding is decoded, and its Content-Encoding
 *     and Content-Length headers are no longer reported (WinHttpHandler's
 *     WinHttpResponseParser strips them when it decodes by itself "to match
 *     the behavior of WINHTTP when it does decompression itself");
 *   - "deflate" bodies come zlib-wrapped (RFC 9110 8.4.1.2) or raw (what
 *     .NET's DeflateStream writes, which WinHTTP decodes in WinHttpHandler's
 *     tests): the first two bytes tell which.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <zlib.h>
#include "decode.h"

struct decoder
{
    z_stream z;
    enum content_coding coding;
    BOOL initialized;          /* inflateInit2 done (deflate waits for two bytes to choose) */
    unsigned char head[2];     /* deflate: the first bytes, until there are two */
    size_t head_len;
    BOOL ended;
    BOOL pending;
    BOOL touched;
};

static BOOL token_is(const char *value, size_t len, const char *token)
{
    return len == strlen(token) && !_strnicmp(value, token, len);
}

enum content_coding decode_choose(DWORD flags, const struct wsp_http_response *resp)
{
    size_t i = wsp_http_find_header(resp->headers, resp->num_headers, 0, "Content-Encoding");
    const struct wsp_http_header *h;

    if (!flags || i >= resp->num_headers) return CODING_NONE;
    /* one header, one coding: a body coded twice is the program's to decode */
    if (wsp_http_find_header(resp->headers, resp->num_headers, i + 1, "Content-Encoding") < resp->num_headers)
        return CODING_NONE;
    /* a range of a coded body cannot be decoded on its own */
    if (wsp_http_find_header(resp->headers, resp->num_headers, 0, "Content-Range") < resp->num_headers)
        return CODING_NONE;
    h = &resp->headers[i];
    /* x-gzip: RFC 9110 8.4.1.3 */
    if ((flags & WINHTTP_DECOMPRESSION_FLAG_GZIP) &&
        (token_is(h->value, h->value_len, "gzip") || token_is(h->value, h->value_len, "x-gzip")))
        return CODING_GZIP;
    if ((flags & WINHTTP_DECOMPRESSION_FLAG_DEFLATE) && token_is(h->value, h->value_len, "deflate"))
        return CODING_DEFLATE;
    return CODING_NONE;
}

/* TRUE if the comma-separated list holds token (case-insensitive). */
static BOOL wide_list_has(const WCHAR *list, const WCHAR *token)
{
    size_t len = wcslen(token);
    const WCHAR *p = list;

    while (*p)
    {
        const WCHAR *start, *end;

        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        start = p;
        while (*p && *p != ',' && *p != ';') p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if ((size_t)(end - start) == len && !_wcsnicmp(start, token, len)) return TRUE;
        while (*p && *p != ',') p++;   /* skip parameters such as ";q=0.5" */
    }
    return FALSE;
}

DWORD decode_accept_encoding(DWORD flags, struct header_list *headers)
{
    static const struct { DWORD flag; const WCHAR *token; } codings[] =
    {
        { WINHTTP_DECOMPRESSION_FLAG_GZIP, L"gzip" },
        { WINHTTP_DECOMPRESSION_FLAG_DEFLATE, L"deflate" },
    };
    DWORD error = ERROR_SUCCESS;
    size_t i;
    int index;

    for (i = 0; i < ARRAY_SIZE(codings) && !error; i++)
    {
        if (!(flags & codings[i].flag)) continue;
        index = headers_find(headers, L"Accept-Encoding", 0);
        if (index >= 0 && wide_list_has(headers->items[index].value, codings[i].token)) continue;
        error = headers_process(headers, L"Accept-Encoding", codings[i].token,
                                WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_COALESCE_WITH_COMMA);
    }
    return error;
}

DWORD decoder_create(enum content_coding coding, struct decoder **out)
{
    struct decoder *dec;

    *out = NULL;
    if (!(dec = heap_alloc_zero(sizeof(*dec)))) return ERROR_OUTOFMEMORY;
    dec->coding = coding;
    if (coding == CODING_GZIP)
    {
        /* 16 + window bits: the gzip wrapper (RFC 1952), its CRC and length checked */
        if (inflateInit2(&dec->z, 16 + MAX_WBITS) != Z_OK)
        {
            heap_free(dec);
            return ERROR_OUTOFMEMORY;
        }
        dec->initialized = TRUE;
    }
    *out = dec;
    return ERROR_SUCCESS;
}

void decoder_free(struct decoder *dec)
{
    if (!dec) return;
    if (dec->initialized) inflateEnd(&dec->z);
    heap_free(dec);
}

/* A zlib header (RFC 1950 2.2): method 8 with a window of at most 32 KiB,
 * and the check bits. */
static BOOL is_zlib_header(const unsigned char *p)
{
    return (p[0] & 0x0f) == Z_DEFLATED && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
}

/* Deflate: collects the first two bytes, then starts zlib in the right mode. */
static DWORD start_deflate(struct decoder *dec, const unsigned char *in, size_t in_len, size_t *consumed)
{
    size_t n = min(in_len, sizeof(dec->head) - dec->head_len);

    memcpy(dec->head + dec->head_len, in, n);
    dec->head_len += n;
    *consumed = n;
    if (dec->head_len < sizeof(dec->head)) return ERROR_SUCCESS;
    if (inflateInit2(&dec->z, is_zlib_header(dec->head) ? MAX_WBITS : -MAX_WBITS) != Z_OK) return ERROR_OUTOFMEMORY;
    dec->initialized = TRUE;
    TRACE("%p: deflate %s\n", dec, is_zlib_header(dec->head) ? "with zlib wrapper" : "raw");
    return ERROR_SUCCESS;
}

/* One inflate call over in, into out. */
static DWORD inflate_some(struct decoder *dec, const unsigned char *in, size_t in_len, size_t *consumed,
                          unsigned char *out, size_t out_size, size_t *produced)
{
    int ret;

    dec->z.next_in = (Bytef *)in;
    dec->z.avail_in = (uInt)min(in_len, (size_t)UINT_MAX);
    dec->z.next_out = out;
    dec->z.avail_out = (uInt)min(out_size, (size_t)UINT_MAX);
    ret = inflate(&dec->z, Z_NO_FLUSH);
    *consumed = dec->z.next_in - in;
    *produced = dec->z.next_out - out;
    dec->pending = dec->z.avail_out == 0;
    switch (ret)
    {
    case Z_STREAM_END:
        dec->ended = TRUE;
        dec->pending = FALSE;
        return ERROR_SUCCESS;
    case Z_OK:
        return ERROR_SUCCESS;
    case Z_BUF_ERROR:          /* no progress possible: needs input */
        dec->pending = FALSE;
        return ERROR_SUCCESS;
    case Z_MEM_ERROR:
        return ERROR_OUTOFMEMORY;
    default:                   /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
        WARN("%p: %s body does not decode: %d %s\n", dec, dec->coding == CODING_GZIP ? "gzip" : "deflate", ret,
             debugstr_a(dec->z.msg));
        return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    }
}

DWORD decoder_run(struct decoder *dec, const void *in, size_t in_len, size_t *consumed, void *out, size_t out_size,
                  size_t *produced)
{
    const unsigned char *src = in;
    size_t used = 0, n;
    DWORD error;

    *consumed = *produced = 0;
    if (in_len) dec->touched = TRUE;
    if (dec->ended)
    {
        /* what follows the stream is not part of the document */
        *consumed = in_len;
        return ERROR_SUCCESS;
    }
    if (!dec->initialized)
    {
        if ((error = start_deflate(dec, src, in_len, &used))) return error;
        *consumed = used;
        if (!dec->initialized) return ERROR_SUCCESS;
        if ((error = inflate_some(dec, dec->head, dec->head_len, &n, out, out_size, produced))) return error;
        if (dec->ended) *consumed = in_len;
        if (dec->ended || dec->pending) return ERROR_SUCCESS;
    }
    if ((error = inflate_some(dec, src + used, in_len - used, &n, (unsigned char *)out + *produced,
                              out_size - *produced, &used)))
        return error;
    *consumed += n;
    *produced += used;
    if (dec->ended) *consumed = in_len;
    return ERROR_SUCCESS;
}

BOOL decoder_ended(const struct decoder *dec)
{
    return dec->ended;
}

BOOL decoder_pending(const struct decoder *dec)
{
    return dec->pending;
}

BOOL decoder_untouched(const struct decoder *dec)
{
    return !dec->touched;
}
