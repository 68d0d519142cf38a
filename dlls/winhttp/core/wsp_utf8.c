/*
 * Streaming UTF-8 validator (RFC 3629)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Rejects overlong forms, UTF-16 surrogates (U+D800-U+DFFF), code points
 * above U+10FFFF and sequences cut by the end of the stream.  A code point
 * may be split across feeds at any byte; the state carried between feeds is
 * just "how many continuation bytes are missing and which range the next one
 * must fall in", which is all the RFC 3629 table needs.
 */

#include <string.h>

#include "wsp.h"

#define ASCII_MASK 0x8080808080808080ull

void wsp_utf8_init(struct wsp_utf8 *u)
{
    u->need = 0;
    u->lo = 0x80;
    u->hi = 0xbf;
    u->error = 0;
}

/* Sets up the expectations after lead byte c; returns 0 for a byte that can
 * never start a sequence (continuation bytes, C0, C1, F5-FF). */
static int utf8_lead(struct wsp_utf8 *u, uint8_t c)
{
    u->lo = 0x80;
    u->hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) u->need = 1;
    else if (c >= 0xe0 && c <= 0xef)
    {
        u->need = 2;
        if (c == 0xe0) u->lo = 0xa0;      /* overlong below U+0800 */
        else if (c == 0xed) u->hi = 0x9f; /* surrogates */
    }
    else if (c >= 0xf0 && c <= 0xf4)
    {
        u->need = 3;
        if (c == 0xf0) u->lo = 0x90;      /* overlong below U+10000 */
        else if (c == 0xf4) u->hi = 0x8f; /* above U+10FFFF */
    }
    else return 0;
    return 1;
}

/* Length of the valid sequence starting at p (whole sequence available in
 * [p, end)), or 0 if it is invalid or runs past end. */
static size_t utf8_whole(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t avail = end - p;

    if (c >= 0xc2 && c <= 0xdf)
    {
        if (avail >= 2 && (p[1] & 0xc0) == 0x80) return 2;
    }
    else if (c >= 0xe0 && c <= 0xef)
    {
        uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        if (avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80) return 3;
    }
    else if (c >= 0xf0 && c <= 0xf4)
    {
        uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        if (avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80
                && (p[3] & 0xc0) == 0x80)
            return 4;
    }
    return 0;
}

/* Takes the continuation bytes of the open code point at *p, as far as the
 * input goes (u->lo..u->hi is the range of the next one).  Returns 0 with
 * *p at the first byte out of range. */
static int take_continuations(struct wsp_utf8 *u, const uint8_t **p, const uint8_t *end)
{
    const uint8_t *q = *p;
    int valid = 1;

    while (u->need && q < end)
    {
        if (*q < u->lo || *q > u->hi)
        {
            valid = 0;
            break;
        }
        u->lo = 0x80;
        u->hi = 0xbf;
        u->need--;
        q++;
    }
    *p = q;
    return valid;
}

size_t wsp_utf8_feed(struct wsp_utf8 *u, const void *buf, size_t len)
{
    const uint8_t *start = buf, *p = start, *end = start + len;

    if (u->error) return 0;

    /* finish a code point left open by the previous feed */
    if (!take_continuations(u, &p, end)) goto fail;

    while (p < end)
    {
        size_t n;

        if (*p < 0x80)
        {
            /* ASCII run: 32 bytes at a time while it lasts, then 8, then 1 */
            while (end - p >= 32)
            {
                uint64_t a, b, c, d;
                memcpy(&a, p, 8);
                memcpy(&b, p + 8, 8);
                memcpy(&c, p + 16, 8);
                memcpy(&d, p + 24, 8);
                if ((a | b | c | d) & ASCII_MASK) break;
                p += 32;
            }
            while (end - p >= 8)
            {
                uint64_t a;
                memcpy(&a, p, 8);
                if (a & ASCII_MASK) break;
                p += 8;
            }
            while (p < end && *p < 0x80) p++;
            continue;
        }

        /* complete multi-byte sequences inside this buffer, back to back */
        while ((n = utf8_whole(p, end)))
        {
            p += n;
            if (p == end || *p < 0x80) break;
        }
        if (n) continue;

        /* invalid, or cut by the end of the buffer: go byte by byte */
        if (!utf8_lead(u, *p)) goto fail;
        p++;
        if (!take_continuations(u, &p, end)) goto fail;
        /* utf8_whole refused it, so the loop above either failed or ran
         * out of input with the code point still open */
    }
    return len;

fail:
    u->error = 1;
    u->need = 0;
    return p - start;
}

int wsp_utf8_finish(const struct wsp_utf8 *u)
{
    return !u->error && !u->need;
}

int wsp_utf8_valid(const void *buf, size_t len)
{
    struct wsp_utf8 u;

    wsp_utf8_init(&u);
    return wsp_utf8_feed(&u, buf, len) == len && wsp_utf8_finish(&u);
}
