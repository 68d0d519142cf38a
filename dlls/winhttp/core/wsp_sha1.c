/*
 * SHA-1 (FIPS 180-4), only used for the 20-byte Sec-WebSocket-Accept digest
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Kept in the core rather than calling bcrypt so that the DLL and the native
 * test build share one implementation.  Not constant time, not meant for
 * anything secret.
 */

#include <string.h>

#include "wsp.h"

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static void sha1_block(uint32_t h[5], const uint8_t *block)
{
    uint32_t w[80], a, b, c, d, e, f, k, t;
    unsigned i;

    for (i = 0; i < 16; i++) w[i] = load_be32(block + 4 * i);
    for (; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
    for (i = 0; i < 80; i++)
    {
        if (i < 20)
        {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        }
        else if (i < 40)
        {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        }
        else if (i < 60)
        {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        }
        else
        {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void wsp_sha1_init(struct wsp_sha1 *s)
{
    s->h[0] = 0x67452301;
    s->h[1] = 0xefcdab89;
    s->h[2] = 0x98badcfe;
    s->h[3] = 0x10325476;
    s->h[4] = 0xc3d2e1f0;
    s->total = 0;
    s->used = 0;
}

void wsp_sha1_update(struct wsp_sha1 *s, const void *data, size_t len)
{
    const uint8_t *p = data;

    s->total += len;
    if (s->used)
    {
        size_t n = 64 - s->used;
        if (n > len) n = len;
        memcpy(s->block + s->used, p, n);
        s->used += n;
        p += n;
        len -= n;
        if (s->used < 64) return;
        sha1_block(s->h, s->block);
        s->used = 0;
    }
    while (len >= 64)
    {
        sha1_block(s->h, p);
        p += 64;
        len -= 64;
    }
    memcpy(s->block, p, len);
    s->used = len;
}

void wsp_sha1_final(struct wsp_sha1 *s, uint8_t digest[WSP_SHA1_SIZE])
{
    uint64_t bits = s->total * 8;
    unsigned i;

    /* 0x80, zeros up to 56 mod 64, then the bit length big-endian */
    s->block[s->used++] = 0x80;
    if (s->used > 56)
    {
        memset(s->block + s->used, 0, 64 - s->used);
        sha1_block(s->h, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    store_be32(s->block + 56, (uint32_t)(bits >> 32));
    store_be32(s->block + 60, (uint32_t)bits);
    sha1_block(s->h, s->block);
    for (i = 0; i < 5; i++) store_be32(digest + 4 * i, s->h[i]);
    memset(s, 0, sizeof(*s));
}

void wsp_sha1(const void *data, size_t len, uint8_t digest[WSP_SHA1_SIZE])
{
    struct wsp_sha1 s;

    wsp_sha1_init(&s);
    wsp_sha1_update(&s, data, len);
    wsp_sha1_final(&s, digest);
}
