/*
 * Base64 encoder (RFC 4648 section 4, with padding)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * The handshake only ever encodes 16 (key) or 20 (digest) bytes, so a
 * straightforward 3-in/4-out loop is all that is needed.
 */

#include "wsp.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t wsp_base64_encode(char *out, const void *in, size_t len)
{
    const uint8_t *p = in;
    char *o = out;

    for (; len >= 3; len -= 3, p += 3)
    {
        uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = b64_alphabet[(v >> 6) & 63];
        *o++ = b64_alphabet[v & 63];
    }
    if (len)
    {
        uint32_t v = (uint32_t)p[0] << 16;
        if (len == 2) v |= (uint32_t)p[1] << 8;
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = len == 2 ? b64_alphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = 0;
    return o - out;
}
