/*
 * Micro-benchmark for the protocol core: masking, frame decoding and UTF-8
 * validation throughput on 64 KiB buffers.  Prints GB/s (10^9 bytes/s),
 * best of several rounds.  Build with -O2, no sanitizers.
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wsp.h"

#define BUF_SIZE (64 * 1024)
#define FRAMES   16

static volatile size_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef size_t (*bench_fn)(void *ctx);

/* Runs fn (which processes some bytes and returns how many) for about
 * 0.2 s per round, five rounds; returns the best rate in GB/s. */
static double measure(bench_fn fn, void *ctx)
{
    double best = 0;
    int round;

    for (round = 0; round < 5; round++)
    {
        double start = now(), elapsed;
        size_t bytes = 0;
        do
        {
            int i;
            for (i = 0; i < 16; i++) bytes += fn(ctx);
            elapsed = now() - start;
        } while (elapsed < 0.2);
        if (bytes / elapsed / 1e9 > best) best = bytes / elapsed / 1e9;
    }
    return best;
}

struct mask_ctx
{
    uint8_t *src, *dst;
};

static size_t run_mask_copy(void *arg)
{
    struct mask_ctx *c = arg;
    static const uint8_t key[4] = {1, 2, 3, 4};
    wsp_mask_copy(c->dst, c->src, BUF_SIZE, key, 0);
    sink += c->dst[100];
    return BUF_SIZE;
}

static size_t run_mask_inplace(void *arg)
{
    struct mask_ctx *c = arg;
    static const uint8_t key[4] = {1, 2, 3, 4};
    /* unaligned start, odd key phase */
    wsp_mask_inplace(c->dst + 1, BUF_SIZE - 1, key, 3);
    sink += c->dst[100];
    return BUF_SIZE - 1;
}

struct dec_ctx
{
    uint8_t *stream;
    size_t len, payload;
};

static size_t run_decode(void *arg)
{
    struct dec_ctx *c = arg;
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t pos = 0, used, got = 0;

    wsp_decoder_init(&d, 0);
    while (pos < c->len && wsp_decode(&d, c->stream + pos, c->len - pos, 0, &used, &ev) == WSP_OK)
    {
        got += ev.len;
        pos += used;
    }
    sink += got;
    return c->payload;
}

static size_t sink_copy;

/* Decoding as the DLL uses it: spans of at most 16 KiB copied out into a
 * user buffer. */
static size_t run_decode_copy(void *arg)
{
    static uint8_t user[16384];
    struct dec_ctx *c = arg;
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t pos = 0, used, got = 0;

    wsp_decoder_init(&d, 0);
    while (pos < c->len && wsp_decode(&d, c->stream + pos, c->len - pos, sizeof(user), &used, &ev) == WSP_OK)
    {
        memcpy(user, ev.data, ev.len);
        got += ev.len;
        pos += used;
    }
    sink_copy = got;
    sink += user[7];
    return c->payload;
}

struct utf8_ctx
{
    const uint8_t *buf;
    size_t len;
};

static size_t run_utf8(void *arg)
{
    struct utf8_ctx *c = arg;
    sink += wsp_utf8_valid(c->buf, c->len);
    return c->len;
}

/* Fills buf with text whose pattern repeats; cuts on a code point boundary. */
static size_t fill_text(uint8_t *buf, size_t size, const char *pattern)
{
    size_t plen = strlen(pattern), n = 0;

    while (n + plen <= size)
    {
        memcpy(buf + n, pattern, plen);
        n += plen;
    }
    return n;
}

static size_t build_frames(uint8_t *out, unsigned b0, const uint8_t *payload, size_t len)
{
    size_t n = 0;
    int i;

    for (i = 0; i < FRAMES; i++)
    {
        out[n++] = b0;
        if (len < 65536)
        {
            out[n++] = 126;
            out[n++] = (uint8_t)(len >> 8);
            out[n++] = (uint8_t)len;
        }
        else
        {
            out[n++] = 127;
            memset(out + n, 0, 8);
            out[n + 5] = (uint8_t)(len >> 16);
            out[n + 6] = (uint8_t)(len >> 8);
            out[n + 7] = (uint8_t)len;
            n += 8;
        }
        memcpy(out + n, payload, len);
        n += len;
    }
    return n;
}

/* Makes sure a decode benchmark really decodes everything. */
static void check_decode(struct dec_ctx *c)
{
    if (run_decode_copy(c) != c->payload || sink_copy != c->payload)
    {
        fprintf(stderr, "bench input does not decode\n");
        exit(1);
    }
}

int main(void)
{
    /* mostly ASCII with Latin-1, CJK and emoji sprinkled in (about 80% ASCII bytes) */
    static const char mixed[] =
        "The quick brown fox jumps over the lazy dog; caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 "
        "\xe4\xb8\xad\xe6\x96\x87 \xe2\x82\xac 42 \xf0\x9f\x98\x80 {\"key\": \"value\", \"n\": 12345}\n";
    static const char cjk[] = "\xe4\xb8\xad\xe6\x96\x87\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xed\x95\x9c";
    struct mask_ctx mc;
    struct dec_ctx dc;
    struct utf8_ctx uc;
    uint8_t *ascii, *text, *payload;
    size_t i, len;

    mc.src = malloc(BUF_SIZE + 8);
    mc.dst = malloc(BUF_SIZE + 8);
    payload = malloc(BUF_SIZE);
    ascii = malloc(BUF_SIZE);
    text = malloc(BUF_SIZE);
    dc.stream = malloc(FRAMES * (BUF_SIZE + 14));
    for (i = 0; i < BUF_SIZE; i++)
    {
        mc.src[i] = mc.dst[i] = payload[i] = (uint8_t)(i * 7);
        ascii[i] = ' ' + i % 95;
    }

    printf("mask copy 64 KiB:            %6.2f GB/s\n", measure(run_mask_copy, &mc));
    printf("mask in place 64 KiB:        %6.2f GB/s\n", measure(run_mask_inplace, &mc));

    dc.len = build_frames(dc.stream, 0x82, payload, BUF_SIZE);
    dc.payload = FRAMES * BUF_SIZE;
    check_decode(&dc);
    printf("decode binary 64 KiB frames: %6.2f GB/s  (zero copy: header work only)\n", measure(run_decode, &dc));
    printf("  + copy out to 16 KiB buffer: %6.2f GB/s\n", measure(run_decode_copy, &dc));
    dc.len = build_frames(dc.stream, 0x81, ascii, BUF_SIZE);
    check_decode(&dc);
    printf("decode text (ASCII) frames:  %6.2f GB/s\n", measure(run_decode, &dc));
    len = fill_text(text, BUF_SIZE, mixed);
    dc.len = build_frames(dc.stream, 0x81, text, len);
    dc.payload = FRAMES * len;
    check_decode(&dc);
    printf("decode text (mixed) frames:  %6.2f GB/s\n", measure(run_decode, &dc));

    if (!wsp_utf8_valid(text, len) || !wsp_utf8_valid(ascii, BUF_SIZE)) return 1;
    uc.buf = ascii;
    uc.len = BUF_SIZE;
    printf("utf8 ASCII 64 KiB:           %6.2f GB/s\n", measure(run_utf8, &uc));
    uc.buf = text;
    uc.len = len;
    printf("utf8 mixed 64 KiB:           %6.2f GB/s\n", measure(run_utf8, &uc));
    uc.len = fill_text(text, BUF_SIZE, cjk);
    printf("utf8 CJK (all 3-byte) 64 KiB: %5.2f GB/s  (informational)\n", measure(run_utf8, &uc));

    free(mc.src);
    free(mc.dst);
    free(payload);
    free(ascii);
    free(text);
    free(dc.stream);
    return 0;
}
