/*
 * Helpers shared by the core tests and the fuzz targets: a deterministic
 * PRNG and a "trace" that runs the frame decoder over an input fed in
 * arbitrary chunks and records a normalised event list, so two feedings of
 * the same bytes can be compared.
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#ifndef CORE_UTIL_H
#define CORE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "wsp.h"

/* xorshift64*: fixed seeds make failures reproducible */
static inline uint64_t prng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline void prng_rng(void *ctx, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len--) *p++ = (uint8_t)(prng_next(ctx) >> 56);
}

/* Reference UTF-8 checker, written differently from wsp_utf8.c on purpose:
 * a prefix of a sequence is acceptable iff some code point in the range it
 * still allows is valid (right length class, not a surrogate, <= U+10FFFF).
 * Returns the index of the first byte after which the input can no longer be
 * a prefix of valid UTF-8, or len if there is none; *complete tells whether
 * the input ends on a code point boundary. */
static inline size_t ref_utf8_check(const uint8_t *s, size_t len, int *complete)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t max_cp[5] = {0, 0x7f, 0x7ff, 0xffff, 0x10ffff};
    size_t i = 0;

    *complete = 1;
    while (i < len)
    {
        uint8_t b = s[i];
        unsigned n, k;
        uint32_t v;

        if (b < 0x80) { i++; continue; }
        if ((b & 0xe0) == 0xc0) { n = 2; v = b & 0x1f; }
        else if ((b & 0xf0) == 0xe0) { n = 3; v = b & 0x0f; }
        else if ((b & 0xf8) == 0xf0) { n = 4; v = b & 0x07; }
        else return i;
        for (k = 1; k <= n; k++)
        {
            unsigned rest = n - k;
            uint32_t lo, hi;

            if (k > 1)
            {
                if (i + k - 1 >= len)
                {
                    *complete = 0;
                    return len;
                }
                if ((s[i + k - 1] & 0xc0) != 0x80) return i + k - 1;
                v = (v << 6) | (s[i + k - 1] & 0x3f);
            }
            lo = v << (6 * rest);
            hi = lo | ((1u << (6 * rest)) - 1);
            if (lo < min_cp[n]) lo = min_cp[n];
            if (hi > max_cp[n]) hi = max_cp[n];
            /* drop the surrogate block from the ends of [lo, hi] */
            if (lo >= 0xd800 && lo <= 0xdfff) lo = 0xe000;
            if (hi >= 0xd800 && hi <= 0xdfff) hi = 0xd7ff;
            if (lo > hi) return i + k - 1;
        }
        i += n;
    }
    return len;
}

/* One record per frame-level happening: consecutive spans of one data frame
 * are merged (their flags OR-ed), control events are kept whole. */
struct evlog_rec
{
    enum wsp_event_type type;
    unsigned opcode, flags, code;
    int has_code;
    size_t off, len;       /* into trace.bytes */
    size_t reason_len;
};

struct evlog
{
    struct evlog_rec *recs;
    size_t count, cap;
    uint8_t *bytes;
    size_t nbytes, bytes_cap;
    enum wsp_status final; /* first non-OK status other than NEED_MORE, or NEED_MORE */
    int broken;            /* an API contract was violated (not a protocol error) */
};

static inline void trace_init(struct evlog *t, size_t input_len)
{
    memset(t, 0, sizeof(*t));
    t->cap = input_len + 4;
    t->recs = calloc(t->cap, sizeof(*t->recs));
    t->bytes_cap = input_len + 1;
    t->bytes = malloc(t->bytes_cap);
    t->final = WSP_NEED_MORE;
}

static inline void trace_free(struct evlog *t)
{
    free(t->recs);
    free(t->bytes);
}

static inline void trace_add(struct evlog *t, const struct wsp_event *ev)
{
    struct evlog_rec *r;

    if (ev->type == WSP_EVENT_DATA && !(ev->flags & WSP_DATA_FRAME_START))
    {
        if (!t->count || t->recs[t->count - 1].type != WSP_EVENT_DATA)
        {
            t->broken = 1;
            return;
        }
        r = &t->recs[t->count - 1];
        r->flags |= ev->flags;
    }
    else
    {
        if (t->count == t->cap)
        {
            t->broken = 1;
            return;
        }
        r = &t->recs[t->count++];
        memset(r, 0, sizeof(*r));
        r->type = ev->type;
        r->opcode = ev->opcode;
        r->flags = ev->flags;
        r->code = ev->code;
        r->has_code = ev->has_code;
        r->reason_len = ev->reason_len;
        r->off = t->nbytes;
    }
    if (t->nbytes + ev->len > t->bytes_cap)
    {
        t->broken = 1;
        return;
    }
    if (ev->len) memcpy(t->bytes + t->nbytes, ev->data, ev->len);
    t->nbytes += ev->len;
    r->len += ev->len;
}

/* Feeds one chunk; returns 0 once the decoder reached a final status. */
static inline int trace_feed(struct evlog *t, struct wsp_decoder *d, const uint8_t *p, size_t len,
                             size_t max_data)
{
    for (;;)
    {
        struct wsp_event ev;
        size_t used = (size_t)-1;
        enum wsp_status st = wsp_decode(d, p, len, max_data, &used, &ev);

        if (used > len) t->broken = 1;
        if (used > len) return 0;
        p += used;
        len -= used;
        if (st == WSP_OK)
        {
            if (ev.type == WSP_EVENT_NONE) t->broken = 1;
            if (ev.type == WSP_EVENT_DATA && max_data && ev.len > max_data) t->broken = 1;
            trace_add(t, &ev);
            continue;
        }
        if (st == WSP_NEED_MORE)
        {
            if (len) t->broken = 1;
            return 1;
        }
        t->final = st;
        return 0;
    }
}

/* Whole input in chunks whose sizes come from next_size(ctx) (>= 1). */
static inline void trace_run(struct evlog *t, const uint8_t *in, size_t len, uint64_t max_message,
                             size_t max_data, size_t (*next_size)(void *ctx), void *ctx)
{
    struct wsp_decoder d;
    size_t pos = 0;

    trace_init(t, len);
    wsp_decoder_init(&d, max_message);
    do
    {
        size_t n = next_size ? next_size(ctx) : len;
        if (n > len - pos) n = len - pos;
        if (!trace_feed(t, &d, in + pos, n, max_data)) return;
        pos += n;
    } while (pos < len);
}

static inline int evlog_equal(const struct evlog *a, const struct evlog *b)
{
    size_t i;

    if (a->broken || b->broken) return 0;
    if (a->final != b->final || a->count != b->count || a->nbytes != b->nbytes) return 0;
    if (memcmp(a->bytes, b->bytes, a->nbytes)) return 0;
    for (i = 0; i < a->count; i++)
    {
        const struct evlog_rec *x = &a->recs[i], *y = &b->recs[i];
        if (x->type != y->type || x->opcode != y->opcode || x->flags != y->flags
                || x->code != y->code || x->has_code != y->has_code || x->off != y->off
                || x->len != y->len || x->reason_len != y->reason_len)
            return 0;
    }
    return 1;
}

/* Builds an unmasked server frame with explicit header bits, for tests. */
static inline size_t server_frame(uint8_t *out, unsigned b0, const void *payload, uint64_t len)
{
    size_t pos = 2;
    unsigned i;

    out[0] = (uint8_t)b0;
    if (len < 126) out[1] = (uint8_t)len;
    else if (len < 65536)
    {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        pos = 4;
    }
    else
    {
        out[1] = 127;
        for (i = 0; i < 8; i++) out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        pos = 10;
    }
    if (len) memcpy(out + pos, payload, (size_t)len);
    return pos + (size_t)len;
}

#endif /* CORE_UTIL_H */
