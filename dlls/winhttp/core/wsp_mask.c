/*
 * WebSocket payload masking (RFC 6455 5.3)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <string.h>

#include "wsp.h"

/* The key repeated to 8 bytes, starting at payload position key_offset.
 * Built bytewise and loaded with memcpy, so it is endian-neutral. */
static uint64_t key_word(const uint8_t key[4], size_t key_offset)
{
    uint8_t bytes[8];
    uint64_t word;
    unsigned i;

    for (i = 0; i < 8; i++) bytes[i] = key[(key_offset + i) & 3];
    memcpy(&word, bytes, 8);
    return word;
}

void wsp_mask_copy(void *dst, const void *src, size_t len, const uint8_t key[4], size_t key_offset)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    uint64_t k;

    /* head: bytewise until dst is word aligned (stores are the costly part) */
    while (len && ((uintptr_t)d & 7))
    {
        *d++ = *s++ ^ key[key_offset++ & 3];
        len--;
    }

    /* body: machine words via memcpy (src may stay unaligned).  The key
     * period 4 divides 8, so the key word never needs rotating. */
    k = key_word(key, key_offset);
    while (len >= 32)
    {
        uint64_t a, b, c, e;
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + 16, 8);
        memcpy(&e, s + 24, 8);
        a ^= k;
        b ^= k;
        c ^= k;
        e ^= k;
        memcpy(d, &a, 8);
        memcpy(d + 8, &b, 8);
        memcpy(d + 16, &c, 8);
        memcpy(d + 24, &e, 8);
        s += 32;
        d += 32;
        len -= 32;
    }
    while (len >= 8)
    {
        uint64_t a;
        memcpy(&a, s, 8);
        a ^= k;
        memcpy(d, &a, 8);
        s += 8;
        d += 8;
        len -= 8;
    }

    /* tail; key_offset advanced by a multiple of 8 above, so the phase holds */
    while (len--) *d++ = *s++ ^ key[key_offset++ & 3];
}

void wsp_mask_inplace(void *buf, size_t len, const uint8_t key[4], size_t key_offset)
{
    wsp_mask_copy(buf, buf, len, key, key_offset);
}
