/*
 * Tests for SHA-1 (FIPS 180 examples) and base64 (RFC 4648 section 10)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

static const char *hex(const uint8_t *d, size_t len)
{
    static char buf[2 * WSP_SHA1_SIZE + 1];
    size_t i;

    for (i = 0; i < len && i < WSP_SHA1_SIZE; i++) sprintf(buf + 2 * i, "%02x", d[i]);
    return buf;
}

static void test_sha1_vectors(void)
{
    static const struct
    {
        const char *msg;
        const char *digest;
    }
    tests[] =
    {
        { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          "a49b2446a02c645bf419f995b67091253a04a259" },
    };
    uint8_t digest[WSP_SHA1_SIZE];
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        wsp_sha1(tests[i].msg, strlen(tests[i].msg), digest);
        ok(!strcmp(hex(digest, sizeof(digest)), tests[i].digest), "%u: got %s\n", i, hex(digest, sizeof(digest)));
    }
}

static void test_sha1_million(void)
{
    struct wsp_sha1 s;
    uint8_t digest[WSP_SHA1_SIZE], chunk[1000];
    unsigned i;

    memset(chunk, 'a', sizeof(chunk));
    wsp_sha1_init(&s);
    for (i = 0; i < 1000; i++) wsp_sha1_update(&s, chunk, sizeof(chunk));
    wsp_sha1_final(&s, digest);
    ok(!strcmp(hex(digest, sizeof(digest)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
       "million a: %s\n", hex(digest, sizeof(digest)));
}

/* Any split of the input gives the same digest (block boundary handling),
 * and lengths around the 55/56/64-byte padding edges agree with one-shot. */
static void test_sha1_incremental(void)
{
    uint8_t msg[200], one[WSP_SHA1_SIZE], two[WSP_SHA1_SIZE];
    unsigned len, cut, bad = 0;

    for (len = 0; len < sizeof(msg); len++) msg[len] = (uint8_t)(len * 13 + 1);
    for (len = 0; len <= 130; len++)
    {
        wsp_sha1(msg, len, one);
        for (cut = 0; cut <= len; cut++)
        {
            struct wsp_sha1 s;
            wsp_sha1_init(&s);
            wsp_sha1_update(&s, msg, cut);
            wsp_sha1_update(&s, msg + cut, 0);
            wsp_sha1_update(&s, msg + cut, len - cut);
            wsp_sha1_final(&s, two);
            if (memcmp(one, two, sizeof(one))) bad++;
        }
    }
    ok(!bad, "%u split digests differ\n", bad);
}

static void test_base64(void)
{
    static const struct
    {
        const char *in;
        const char *out;
    }
    tests[] =
    {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
    };
    static const uint8_t all_bits[] = {0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83};
    char out[64];
    unsigned i;
    size_t n;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        memset(out, '#', sizeof(out));
        n = wsp_base64_encode(out, tests[i].in, strlen(tests[i].in));
        ok(n == strlen(tests[i].out) && !strcmp(out, tests[i].out), "%u: got %s\n", i, out);
        ok(n == WSP_BASE64_LEN(strlen(tests[i].in)), "%u: WSP_BASE64_LEN\n", i);
    }
    n = wsp_base64_encode(out, all_bits, sizeof(all_bits));
    ok(n == 8 && !strcmp(out, "+/+/ABCD"), "'+' and '/': got %s\n", out);
    ok(WSP_BASE64_LEN(16) == WSP_KEY_LEN && WSP_BASE64_LEN(20) == WSP_ACCEPT_LEN, "lengths\n");
}

START_TEST(sha1_base64)
{
    test_sha1_vectors();
    test_sha1_million();
    test_sha1_incremental();
    test_base64();
}
