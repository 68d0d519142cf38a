/*
 * WebSocket opening handshake, client side (RFC 6455 4.1)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <string.h>

#include "wsp.h"

void wsp_handshake_make_key(char out[WSP_KEY_LEN + 1], wsp_rng_fn rng, void *rng_ctx)
{
    uint8_t nonce[16];

    rng(rng_ctx, nonce, sizeof(nonce));
    wsp_base64_encode(out, nonce, sizeof(nonce));
}

void wsp_handshake_accept(const char *key, size_t key_len, char out[WSP_ACCEPT_LEN + 1])
{
    static const char guid[] = WSP_HANDSHAKE_GUID;
    uint8_t digest[WSP_SHA1_SIZE];
    struct wsp_sha1 sha;

    wsp_sha1_init(&sha);
    wsp_sha1_update(&sha, key, key_len);
    wsp_sha1_update(&sha, guid, sizeof(guid) - 1);
    wsp_sha1_final(&sha, digest);
    wsp_base64_encode(out, digest, sizeof(digest));
}

size_t wsp_handshake_request_headers(struct wsp_header_line out[WSP_HANDSHAKE_HEADER_COUNT],
                                     const char *key)
{
    out[0].name = "Upgrade";
    out[0].value = "websocket";
    out[1].name = "Connection";
    out[1].value = "Upgrade";
    out[2].name = "Sec-WebSocket-Version";
    out[2].value = "13";
    out[3].name = "Sec-WebSocket-Key";
    out[3].value = key;
    return WSP_HANDSHAKE_HEADER_COUNT;
}

/* Appends s at *pos, writing only what fits below size - 1. */
static void append(char *buf, size_t size, size_t *pos, const char *s)
{
    size_t n = strlen(s);

    if (*pos < size)
    {
        size_t room = size - 1 - *pos;
        memcpy(buf + *pos, s, n < room ? n : room);
    }
    *pos += n;
}

size_t wsp_handshake_format_headers(char *buf, size_t size, const char *key)
{
    struct wsp_header_line lines[WSP_HANDSHAKE_HEADER_COUNT];
    size_t i, pos = 0;

    wsp_handshake_request_headers(lines, key);
    for (i = 0; i < WSP_HANDSHAKE_HEADER_COUNT; i++)
    {
        append(buf, size, &pos, lines[i].name);
        append(buf, size, &pos, ": ");
        append(buf, size, &pos, lines[i].value);
        append(buf, size, &pos, "\r\n");
    }
    if (size) buf[pos < size ? pos : size - 1] = 0;
    return pos;
}

/* Index of the only header called name: count if absent, count + 1 if it
 * appears more than once. */
static size_t find_single(const struct wsp_http_response *resp, const char *name)
{
    size_t n = resp->num_headers, i = wsp_http_find_header(resp->headers, n, 0, name);

    if (i < n && wsp_http_find_header(resp->headers, n, i + 1, name) < n) return n + 1;
    return i;
}

/* Whether the token [tok, tok + len) is an element of the comma list. */
static int offered_contains(const char *offered, const char *tok, size_t len)
{
    const char *p = offered;

    while (*p)
    {
        const char *s, *e;

        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        s = p;
        while (*p && *p != ',') p++;
        e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
        /* subprotocol names are case-sensitive tokens */
        if (e > s && (size_t)(e - s) == len && !memcmp(s, tok, len)) return 1;
    }
    return 0;
}

enum wsp_handshake_result wsp_handshake_check_response(const struct wsp_http_response *resp,
                                                       const char *key, size_t key_len,
                                                       const char *offered,
                                                       const char **protocol, size_t *protocol_len)
{
    const struct wsp_http_header *h = resp->headers;
    size_t n = resp->num_headers, i;
    char accept[WSP_ACCEPT_LEN + 1];
    int found;

    if (protocol) *protocol = NULL;
    if (protocol_len) *protocol_len = 0;

    if (resp->status != 101) return WSP_HS_BAD_STATUS;

    i = find_single(resp, "Upgrade");
    if (i == n) return WSP_HS_NO_UPGRADE;
    if (i > n || !wsp_ascii_ieq(h[i].value, h[i].value_len, "websocket", 9)) return WSP_HS_BAD_UPGRADE;

    /* Connection is a list header and may legitimately be split */
    found = 0;
    for (i = wsp_http_find_header(h, n, 0, "Connection"); i < n;
         i = wsp_http_find_header(h, n, i + 1, "Connection"))
    {
        if (wsp_http_list_contains(h[i].value, h[i].value_len, "upgrade", 7))
        {
            found = 1;
            break;
        }
    }
    if (!found) return WSP_HS_NO_CONNECTION;

    i = find_single(resp, "Sec-WebSocket-Accept");
    if (i == n) return WSP_HS_NO_ACCEPT;
    wsp_handshake_accept(key, key_len, accept);
    if (i > n || h[i].value_len != WSP_ACCEPT_LEN || memcmp(h[i].value, accept, WSP_ACCEPT_LEN))
        return WSP_HS_BAD_ACCEPT;

    /* we never offer extensions, so any answer is a failure (4.1 step 5) */
    if (wsp_http_find_header(h, n, 0, "Sec-WebSocket-Extensions") < n) return WSP_HS_EXTENSIONS;

    i = find_single(resp, "Sec-WebSocket-Protocol");
    if (i < n)
    {
        if (!offered || !h[i].value_len || !offered_contains(offered, h[i].value, h[i].value_len))
            return WSP_HS_BAD_PROTOCOL;
        if (protocol) *protocol = h[i].value;
        if (protocol_len) *protocol_len = h[i].value_len;
    }
    else if (i > n) return WSP_HS_BAD_PROTOCOL;

    return WSP_HS_OK;
}

const char *wsp_handshake_result_name(enum wsp_handshake_result result)
{
    static const char * const names[WSP_HS_RESULT_COUNT] =
    {
        "WSP_HS_OK",
        "WSP_HS_BAD_STATUS",
        "WSP_HS_NO_UPGRADE",
        "WSP_HS_BAD_UPGRADE",
        "WSP_HS_NO_CONNECTION",
        "WSP_HS_NO_ACCEPT",
        "WSP_HS_BAD_ACCEPT",
        "WSP_HS_EXTENSIONS",
        "WSP_HS_BAD_PROTOCOL",
    };

    if ((unsigned)result >= WSP_HS_RESULT_COUNT) return "WSP_HS_?";
    return names[result];
}
