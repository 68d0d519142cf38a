/*
 * Tests for the streaming UTF-8 validator (wsp_utf8.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

/* Feeds s in pieces cut at cut1 and cut2; returns the absolute error index
 * (len if none) and the finish result. */
static size_t feed_split(const uint8_t *s, size_t len, size_t cut1, size_t cut2, int *finished)
{
    struct wsp_utf8 u;
    size_t cuts[3] = {cut1, cut2, len}, pos = 0, i;

    wsp_utf8_init(&u);
    for (i = 0; i < 3; i++)
    {
        size_t n = cuts[i] - pos, r = wsp_utf8_feed(&u, s + pos, n);
        if (r != n)
        {
            *finished = wsp_utf8_finish(&u);
            return pos + r;
        }
        pos = cuts[i];
    }
    *finished = wsp_utf8_finish(&u);
    return len;
}

static size_t encode_cp(uint8_t *out, uint32_t cp)
{
    if (cp < 0x80) { out[0] = cp; return 1; }
    if (cp < 0x800) { out[0] = 0xc0 | (cp >> 6); out[1] = 0x80 | (cp & 0x3f); return 2; }
    if (cp < 0x10000)
    {
        out[0] = 0xe0 | (cp >> 12); out[1] = 0x80 | ((cp >> 6) & 0x3f); out[2] = 0x80 | (cp & 0x3f);
        return 3;
    }
    out[0] = 0xf0 | (cp >> 18); out[1] = 0x80 | ((cp >> 12) & 0x3f);
    out[2] = 0x80 | ((cp >> 6) & 0x3f); out[3] = 0x80 | (cp & 0x3f);
    return 4;
}

struct vector
{
    const char *s;
    size_t len;
    size_t err;    /* index of the offending byte, or len */
    int complete;
};

#define V(str, err, complete) { str, sizeof(str) - 1, err, complete }

static const struct vector vectors[] =
{
    V("", 0, 1),
    V("hello", 5, 1),
    V("\xc2\x80", 2, 1),                 /* U+0080 */
    V("\xdf\xbf", 2, 1),                 /* U+07FF */
    V("\xe0\xa0\x80", 3, 1),             /* U+0800 */
    V("\xed\x9f\xbf", 3, 1),             /* U+D7FF */
    V("\xee\x80\x80", 3, 1),             /* U+E000 */
    V("\xef\xbf\xbf", 3, 1),             /* U+FFFF */
    V("\xf0\x90\x80\x80", 4, 1),         /* U+10000 */
    V("\xf4\x8f\xbf\xbf", 4, 1),         /* U+10FFFF */
    V("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11, 1), /* kosme */
    V("\xc0\x80", 0, 0),                 /* overlong NUL */
    V("\xc1\xbf", 0, 0),                 /* overlong 2-byte */
    V("\xe0\x80\x80", 1, 0),             /* overlong 3-byte */
    V("\xe0\x9f\xbf", 1, 0),
    V("\xf0\x80\x80\x80", 1, 0),         /* overlong 4-byte */
    V("\xf0\x8f\xbf\xbf", 1, 0),
    V("\xed\xa0\x80", 1, 0),             /* U+D800 */
    V("\xed\xbf\xbf", 1, 0),             /* U+DFFF */
    V("\xed\xa0\x80\xed\xb0\x80", 1, 0), /* CESU pair */
    V("\xf4\x90\x80\x80", 1, 0),         /* U+110000 */
    V("\xf5\x80\x80\x80", 0, 0),
    V("\xf8\x88\x80\x80\x80", 0, 0),     /* 5-byte form */
    V("\xfe", 0, 0),
    V("\xff", 0, 0),
    V("\x80", 0, 0),                     /* lone continuation */
    V("a\xbf", 1, 0),
    V("\xc2", 1, 0),                     /* truncated */
    V("\xe2\x82", 2, 0),
    V("\xf0\x9f\x98", 3, 0),
    V("\xc2" "a", 1, 0),                 /* interrupted */
    V("\xe2\x82" "a", 2, 0),
    V("\xf0\x9f\x98" "a", 3, 0),
    V("abcdefgh\xff", 8, 0),
    V("abcdefghijklmnopqrstuvwxyz0123456789\xe2\x82\xac", 39, 1),
    V("abcdefghijklmnopqrstuvwxyz01234\xc3", 32, 0),
};

static void test_vectors(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(vectors); i++)
    {
        const struct vector *v = &vectors[i];
        const uint8_t *s = (const uint8_t *)v->s;
        int complete, ref_complete;
        size_t err = feed_split(s, v->len, 0, 0, &complete);
        size_t ref = ref_utf8_check(s, v->len, &ref_complete);

        ok(err == v->err, "vector %u: error at %u, expected %u\n", i, (unsigned)err, (unsigned)v->err);
        ok(complete == v->complete, "vector %u: complete %d\n", i, complete);
        ok(ref == v->err && (ref == v->len ? ref_complete : 0) == v->complete,
           "vector %u: reference disagrees (%u)\n", i, (unsigned)ref);
        ok(wsp_utf8_valid(s, v->len) == v->complete, "vector %u: wsp_utf8_valid\n", i);
    }
}

/* Every way of cutting every vector into up to three pieces. */
static void test_split_everywhere(void)
{
    unsigned i, bad = 0, runs = 0;

    for (i = 0; i < ARRAY_SIZE(vectors); i++)
    {
        const struct vector *v = &vectors[i];
        size_t a, b;

        for (a = 0; a <= v->len; a++)
        for (b = a; b <= v->len; b++)
        {
            int complete;
            size_t err = feed_split((const uint8_t *)v->s, v->len, a, b, &complete);
            if (err != v->err || complete != v->complete) bad++;
            runs++;
        }
    }
    ok(!bad, "%u of %u split feeds disagree\n", bad, runs);
}

/* Byte-at-a-time feeding gives the same verdict. */
static void test_byte_at_a_time(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(vectors); i++)
    {
        const struct vector *v = &vectors[i];
        struct wsp_utf8 u;
        size_t pos, err = v->len;

        wsp_utf8_init(&u);
        for (pos = 0; pos < v->len; pos++)
        {
            if (wsp_utf8_feed(&u, v->s + pos, 1) != 1)
            {
                err = pos;
                break;
            }
        }
        ok(err == v->err, "vector %u: byte feed error at %u\n", i, (unsigned)err);
        ok(wsp_utf8_finish(&u) == v->complete, "vector %u: byte feed finish\n", i);
        ok(!u.error == (err == v->len), "vector %u: error flag\n", i);
        if (u.error) ok(wsp_utf8_feed(&u, "a", 1) == 0, "vector %u: error not sticky\n", i);
    }
}

static void test_all_code_points(void)
{
    uint32_t cp;
    unsigned bad = 0;
    uint8_t buf[4];

    for (cp = 0; cp <= 0x10ffff; cp++)
    {
        size_t n = encode_cp(buf, cp);
        int expect = cp < 0xd800 || cp > 0xdfff;
        if (wsp_utf8_valid(buf, n) != expect) bad++;
    }
    ok(!bad, "%u code points misjudged\n", bad);
}

/* Every 1-, 2- and 3-byte string against the reference checker. */
static void test_exhaustive_short(void)
{
    uint8_t s[3];
    unsigned bad = 0, a, b, c;

    for (a = 0; a < 256; a++)
    {
        s[0] = a;
        for (b = 0; b < 256; b++)
        {
            s[1] = b;
            for (c = 0; c < 256; c++)
            {
                int complete, ref_complete;
                size_t n = c < 255 ? 3 : 2, err, ref;
                s[2] = c;
                if (b == 255 && c == 255) n = 1;
                err = feed_split(s, n, 0, 0, &complete);
                ref = ref_utf8_check(s, n, &ref_complete);
                if (err != ref || complete != (ref == n && ref_complete)) bad++;
            }
        }
    }
    ok(!bad, "%u short strings disagree with the reference\n", bad);
}

/* 4-byte strings with a 4-byte-ish lead, all second bytes, sampled rest. */
static void test_four_byte(void)
{
    uint8_t s[4];
    unsigned bad = 0, a, b, c, d;

    for (a = 0xf0; a < 0x100; a++)
    for (b = 0; b < 256; b++)
    for (c = 0x70; c < 0xd0; c += 3)
    for (d = 0x70; d < 0xd0; d += 5)
    {
        int complete, ref_complete;
        size_t err, ref;
        s[0] = a; s[1] = b; s[2] = c; s[3] = d;
        err = feed_split(s, 4, 2, 3, &complete);
        ref = ref_utf8_check(s, 4, &ref_complete);
        if (err != ref || complete != (ref == 4 && ref_complete)) bad++;
    }
    ok(!bad, "%u 4-byte strings disagree with the reference\n", bad);
}

/* A non-ASCII byte at every offset of a long ASCII run exercises the word
 * fast path's exits. */
static void test_fast_path(void)
{
    uint8_t buf[100];
    unsigned pos, bad = 0;

    for (pos = 0; pos + 2 <= sizeof(buf); pos++)
    {
        int complete;
        memset(buf, 'x', sizeof(buf));
        buf[pos] = 0xc3;
        buf[pos + 1] = 0xa9;
        if (!wsp_utf8_valid(buf, sizeof(buf))) bad++;
        buf[pos + 1] = 'x';
        if (feed_split(buf, sizeof(buf), 0, 0, &complete) != pos + 1) bad++;
        buf[pos] = 0x80;
        if (feed_split(buf, sizeof(buf), 0, 0, &complete) != pos) bad++;
    }
    ok(!bad, "%u fast path errors\n", bad);
}

/* Random mostly-valid strings cut at random places, against the reference. */
static void test_random(void)
{
    uint64_t seed = 99;
    unsigned iter, bad = 0;
    uint8_t buf[64];

    for (iter = 0; iter < 200000; iter++)
    {
        size_t len = 0, cut1, cut2, err, ref;
        int complete, ref_complete;

        while (len + 4 <= sizeof(buf))
        {
            uint64_t r = prng_next(&seed);
            if ((r & 0xff) < 4) buf[len++] = (uint8_t)(r >> 8);     /* noise */
            else len += encode_cp(buf + len, (uint32_t)((r >> 16) % (r & 0x100 ? 0x110000 : 0x800)));
        }
        len -= prng_next(&seed) % 4;
        cut1 = prng_next(&seed) % (len + 1);
        cut2 = cut1 + prng_next(&seed) % (len - cut1 + 1);
        err = feed_split(buf, len, cut1, cut2, &complete);
        ref = ref_utf8_check(buf, len, &ref_complete);
        if (err != ref || complete != (ref == len && ref_complete)) bad++;
    }
    ok(!bad, "%u random strings disagree\n", bad);
}

START_TEST(utf8)
{
    test_vectors();
    test_split_everywhere();
    test_byte_at_a_time();
    test_all_code_points();
    test_exhaustive_short();
    test_four_byte();
    test_fast_path();
    test_random();
}
