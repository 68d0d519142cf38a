/*
 * Tests for payload masking (wsp_mask.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

static void ref_mask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t off)
{
    size_t i;
    for (i = 0; i < len; i++) dst[i] = src[i] ^ key[(off + i) % 4];
}

/* All lengths, key phases and src/dst misalignments, with guard bytes. */
static void test_mask_copy(void)
{
    static const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
    uint8_t src[200], dst[220], expect[220];
    unsigned len, off, sa, da, bad = 0, i;

    for (i = 0; i < sizeof(src); i++) src[i] = (uint8_t)(i * 31 + 7);
    for (len = 0; len <= 100; len++)
    for (off = 0; off < 9; off++)
    for (sa = 0; sa < 8; sa++)
    for (da = 0; da < 8; da++)
    {
        memset(dst, 0xee, sizeof(dst));
        memset(expect, 0xee, sizeof(expect));
        ref_mask(expect + da, src + sa, len, key, off);
        wsp_mask_copy(dst + da, src + sa, len, key, off);
        if (memcmp(dst, expect, sizeof(dst))) bad++;
    }
    ok(!bad, "%u mismatches\n", bad);
}

static void test_mask_inplace(void)
{
    static const uint8_t key[4] = {0xa5, 0x00, 0xff, 0x3c};
    uint8_t buf[300], orig[300], expect[300];
    unsigned len, off, bad = 0, i;

    for (i = 0; i < sizeof(orig); i++) orig[i] = (uint8_t)(i ^ 0x5a);
    for (len = 0; len <= 290; len += 7)
    for (off = 0; off < 4; off++)
    {
        memcpy(buf, orig, sizeof(buf));
        memcpy(expect, orig, sizeof(expect));
        ref_mask(expect + 3, orig + 3, len, key, off);
        wsp_mask_inplace(buf + 3, len, key, off);
        if (memcmp(buf, expect, sizeof(buf))) bad++;
        /* masking twice restores the data */
        wsp_mask_inplace(buf + 3, len, key, off);
        if (memcmp(buf, orig, sizeof(buf))) bad++;
    }
    ok(!bad, "%u mismatches\n", bad);
}

/* Masking a payload in arbitrary pieces, passing the running offset, equals
 * masking it in one go. */
static void test_mask_pieces(void)
{
    static const uint8_t key[4] = {1, 2, 3, 4};
    uint8_t src[1000], whole[1000], parts[1000];
    uint64_t seed = 7;
    unsigned iter, bad = 0, i;

    for (i = 0; i < sizeof(src); i++) src[i] = (uint8_t)prng_next(&seed);
    wsp_mask_copy(whole, src, sizeof(src), key, 0);
    for (iter = 0; iter < 200; iter++)
    {
        size_t pos = 0;
        while (pos < sizeof(src))
        {
            size_t n = 1 + prng_next(&seed) % 70;
            if (n > sizeof(src) - pos) n = sizeof(src) - pos;
            wsp_mask_copy(parts + pos, src + pos, n, key, pos);
            pos += n;
        }
        if (memcmp(whole, parts, sizeof(whole))) bad++;
    }
    ok(!bad, "%u mismatches\n", bad);
}

static void test_rfc_example(void)
{
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t out[5];

    wsp_mask_copy(out, "Hello", 5, key, 0);
    ok(!memcmp(out, "\x7f\x9f\x4d\x51\x58", 5), "RFC 6455 5.7 masked Hello differs\n");
}

START_TEST(mask)
{
    test_rfc_example();
    test_mask_copy();
    test_mask_inplace();
    test_mask_pieces();
}
