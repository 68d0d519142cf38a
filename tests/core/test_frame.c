/*
 * Tests for the frame encoder and decoder (wsp_frame_enc.c, wsp_frame_dec.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

static const uint8_t rfc_mask[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Decodes a whole buffer in one go; returns the final status. */
static enum wsp_status decode_whole(const uint8_t *in, size_t len, uint64_t max_message,
                                    struct evlog *t)
{
    trace_run(t, in, len, max_message, 0, NULL, NULL);
    ok(!t->broken, "decoder broke an API contract\n");
    return t->final;
}

/* Expects exactly status after feeding a stream, with no event. */
static void check_reject(const uint8_t *in, size_t len, enum wsp_status expect, unsigned close_code)
{
    struct evlog t;
    enum wsp_status st = decode_whole(in, len, 0, &t);

    ok(st == expect, "got %s, expected %s\n", wsp_status_name(st), wsp_status_name(expect));
    ok(t.count == 0, "got %u events\n", (unsigned)t.count);
    ok(wsp_status_close_code(st) == close_code, "%s: close code %u, expected %u\n",
       wsp_status_name(st), wsp_status_close_code(st), close_code);
    trace_free(&t);
}

static void test_header_size(void)
{
    ok(wsp_frame_header_size(0) == 6, "0\n");
    ok(wsp_frame_header_size(125) == 6, "125\n");
    ok(wsp_frame_header_size(126) == 8, "126\n");
    ok(wsp_frame_header_size(65535) == 8, "65535\n");
    ok(wsp_frame_header_size(65536) == 14, "65536\n");
    ok(wsp_frame_header_size(((uint64_t)1 << 63) - 1) == 14, "2^63-1\n");
}

static void test_encode_rfc_examples(void)
{
    /* RFC 6455 5.7 */
    static const uint8_t hello_masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                           0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t pong_masked[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                          0x7f, 0x9f, 0x4d, 0x51, 0x58};
    uint8_t out[64], hdr[WSP_MAX_HEADER_SIZE];
    size_t n;

    n = wsp_encode_frame(out, 1, WSP_OP_TEXT, "Hello", 5, rfc_mask);
    ok(n == sizeof(hello_masked) && !memcmp(out, hello_masked, n), "masked Hello mismatch\n");
    n = wsp_encode_frame(out, 1, WSP_OP_PONG, "Hello", 5, rfc_mask);
    ok(n == sizeof(pong_masked) && !memcmp(out, pong_masked, n), "masked pong mismatch\n");

    /* 256 bytes and 64 KiB lengths as in the RFC (there unmasked) */
    n = wsp_encode_header(hdr, 1, WSP_OP_BINARY, 256, rfc_mask);
    ok(n == 8 && hdr[0] == 0x82 && hdr[1] == 0xfe && hdr[2] == 0x01 && hdr[3] == 0x00,
       "256-byte header wrong\n");
    ok(!memcmp(hdr + 4, rfc_mask, 4), "mask key not after the length\n");
    n = wsp_encode_header(hdr, 1, WSP_OP_BINARY, 65536, rfc_mask);
    ok(n == 14 && hdr[0] == 0x82 && hdr[1] == 0xff, "64K header wrong\n");
    ok(!memcmp(hdr + 2, "\x00\x00\x00\x00\x00\x01\x00\x00", 8), "64K length wrong\n");

    /* non-FIN data frame and continuation */
    n = wsp_encode_header(hdr, 0, WSP_OP_TEXT, 3, rfc_mask);
    ok(n == 6 && hdr[0] == 0x01 && hdr[1] == 0x83, "fragment header wrong\n");
    n = wsp_encode_header(hdr, 1, WSP_OP_CONTINUATION, 2, rfc_mask);
    ok(n == 6 && hdr[0] == 0x80 && hdr[1] == 0x82, "continuation header wrong\n");
}

static void test_encode_reject(void)
{
    uint8_t out[300], payload[200] = {0};
    unsigned op;

    ok(wsp_encode_frame(out, 1, WSP_OP_PING, payload, 125, rfc_mask) == 131, "125-byte ping\n");
    ok(!wsp_encode_frame(out, 1, WSP_OP_PING, payload, 126, rfc_mask), "126-byte ping accepted\n");
    ok(!wsp_encode_frame(out, 1, WSP_OP_CLOSE, payload, 126, rfc_mask), "126-byte close accepted\n");
    ok(!wsp_encode_frame(out, 0, WSP_OP_PONG, payload, 1, rfc_mask), "fragmented pong accepted\n");
    for (op = 0; op < 16; op++)
    {
        int known = op <= 2 || (op >= 8 && op <= 10);
        size_t n = wsp_encode_frame(out, 1, op, payload, 1, rfc_mask);
        ok(!!n == known, "opcode %u: got %u\n", op, (unsigned)n);
    }
    ok(!wsp_encode_header(out, 1, WSP_OP_BINARY, (uint64_t)1 << 63, rfc_mask), "top bit length\n");
}

static void test_encode_close_payload(void)
{
    uint8_t out[WSP_MAX_CONTROL_PAYLOAD];
    char reason[WSP_MAX_CLOSE_REASON + 2];
    static const unsigned bad[] = {1, 999, 1004, 1005 + 0x10000, 1006, 1012, 1015, 1016, 2999, 5000, 65535};
    unsigned i;
    size_t n;

    n = wsp_encode_close_payload(out, 1000, "bye", 3);
    ok(n == 5 && !memcmp(out, "\x03\xe8" "bye", 5), "1000 bye: %u\n", (unsigned)n);
    n = wsp_encode_close_payload(out, 4999, NULL, 0);
    ok(n == 2 && out[0] == 0x13 && out[1] == 0x87, "4999: %u\n", (unsigned)n);
    ok(wsp_encode_close_payload(out, 0, NULL, 0) == 0, "no status\n");
    ok(wsp_encode_close_payload(out, 1005, NULL, 0) == 0, "1005 = no status\n");
    ok(wsp_encode_close_payload(out, 1005, "x", 1) == WSP_ENCODE_ERROR, "reason without status\n");
    ok(wsp_encode_close_payload(out, 0, "x", 1) == WSP_ENCODE_ERROR, "reason without status\n");
    for (i = 0; i < ARRAY_SIZE(bad); i++)
        ok(wsp_encode_close_payload(out, bad[i], NULL, 0) == WSP_ENCODE_ERROR, "code %u accepted\n", bad[i]);
    memset(reason, 'r', sizeof(reason));
    ok(wsp_encode_close_payload(out, 1001, reason, WSP_MAX_CLOSE_REASON) == 125, "123-byte reason\n");
    ok(wsp_encode_close_payload(out, 1001, reason, WSP_MAX_CLOSE_REASON + 1) == WSP_ENCODE_ERROR,
       "124-byte reason accepted\n");
    ok(wsp_encode_close_payload(out, 1001, "\xc3\x28", 2) == WSP_ENCODE_ERROR, "bad UTF-8 reason\n");
    ok(wsp_encode_close_payload(out, 1001, "\xc3\xa9", 2) == 4, "good UTF-8 reason\n");
}

/* Turns a masked client frame into the unmasked server frame it stands for. */
static size_t unmask_frame(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t hdr = 2, plen;
    uint64_t flen = src[1] & 0x7f;
    unsigned i;

    if (flen == 126)
    {
        flen = ((unsigned)src[2] << 8) | src[3];
        hdr = 4;
    }
    else if (flen == 127)
    {
        for (flen = 0, i = 0; i < 8; i++) flen = (flen << 8) | src[2 + i];
        hdr = 10;
    }
    plen = len - hdr - 4;
    ok(flen == plen, "length field %u, payload %u\n", (unsigned)flen, (unsigned)plen);
    memcpy(dst, src, hdr);
    dst[1] &= 0x7f;
    wsp_mask_copy(dst + hdr, src + hdr + 4, plen, src + hdr, 0);
    return hdr + plen;
}

static void test_round_trip(void)
{
    static const size_t sizes[] = {0, 1, 125, 126, 127, 65535, 65536, 1 << 20};
    static const unsigned ops[] = {WSP_OP_BINARY, WSP_OP_TEXT, WSP_OP_PING, WSP_OP_PONG};
    uint64_t seed = 42;
    size_t i, j, k;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    for (j = 0; j < ARRAY_SIZE(ops); j++)
    {
        size_t len = sizes[i], n, m;
        uint8_t *payload, *frame, *plain;
        struct evlog t;

        if ((ops[j] & 8) && len > WSP_MAX_CONTROL_PAYLOAD) continue;
        payload = malloc(len + 1);
        frame = malloc(len + WSP_MAX_HEADER_SIZE);
        plain = malloc(len + WSP_MAX_HEADER_SIZE);
        for (k = 0; k < len; k++) payload[k] = ops[j] == WSP_OP_TEXT ? 'a' + k % 26 : (uint8_t)prng_next(&seed);

        n = wsp_encode_frame_rng(frame, 1, ops[j], payload, len, prng_rng, &seed);
        ok(n == wsp_frame_header_size(len) + len, "size %u: frame %u\n", (unsigned)len, (unsigned)n);
        ok(frame[1] & 0x80, "mask bit missing\n");

        /* the decoder refuses masked frames... */
        trace_run(&t, frame, n, 0, 0, NULL, NULL);
        ok(t.final == WSP_E_MASKED, "masked frame: %s\n", wsp_status_name(t.final));
        trace_free(&t);

        /* ...and gets the payload back once unmasked */
        m = unmask_frame(plain, frame, n);
        trace_run(&t, plain, m, 0, 0, NULL, NULL);
        ok(!t.broken && t.final == WSP_NEED_MORE, "size %u op %u: %s\n", (unsigned)len, ops[j],
           wsp_status_name(t.final));
        ok(t.count == 1, "size %u: %u records\n", (unsigned)len, (unsigned)t.count);
        if (t.count == 1)
        {
            enum wsp_event_type type = ops[j] == WSP_OP_PING ? WSP_EVENT_PING
                    : ops[j] == WSP_OP_PONG ? WSP_EVENT_PONG : WSP_EVENT_DATA;
            ok(t.recs[0].type == type, "type %d\n", t.recs[0].type);
            ok(t.recs[0].opcode == ops[j], "opcode %u\n", t.recs[0].opcode);
            ok(t.recs[0].len == len && !memcmp(t.bytes, payload, len), "size %u: payload differs\n",
               (unsigned)len);
            if (type == WSP_EVENT_DATA)
                ok(t.recs[0].flags == (WSP_DATA_MESSAGE_START | WSP_DATA_FRAME_START | WSP_DATA_FIN
                                       | WSP_DATA_FRAME_END | WSP_DATA_MESSAGE_END),
                   "flags %#x\n", t.recs[0].flags);
        }
        trace_free(&t);
        free(payload);
        free(frame);
        free(plain);
    }
}

static void test_reject_rules(void)
{
    uint8_t buf[64];
    unsigned op;

    /* masked server frame */
    check_reject((const uint8_t *)"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11, WSP_E_MASKED, 1002);
    /* RSV1, RSV2, RSV3 */
    check_reject((const uint8_t *)"\xc1\x00", 2, WSP_E_RSV, 1002);
    check_reject((const uint8_t *)"\xa1\x00", 2, WSP_E_RSV, 1002);
    check_reject((const uint8_t *)"\x91\x00", 2, WSP_E_RSV, 1002);
    /* reserved opcodes */
    for (op = 3; op < 16; op++)
    {
        if (op >= 8 && op <= 10) continue;
        buf[0] = 0x80 | op;
        buf[1] = 0;
        check_reject(buf, 2, WSP_E_OPCODE, 1002);
    }
    /* fragmented control frames */
    check_reject((const uint8_t *)"\x09\x00", 2, WSP_E_CONTROL_FRAGMENTED, 1002);
    check_reject((const uint8_t *)"\x0a\x00", 2, WSP_E_CONTROL_FRAGMENTED, 1002);
    check_reject((const uint8_t *)"\x08\x00", 2, WSP_E_CONTROL_FRAGMENTED, 1002);
    /* control frames > 125: 126 and 127 length forms */
    check_reject((const uint8_t *)"\x89\x7e\x00\x7e", 4, WSP_E_CONTROL_TOO_LONG, 1002);
    check_reject((const uint8_t *)"\x88\x7f", 2, WSP_E_CONTROL_TOO_LONG, 1002);
    /* non-minimal lengths */
    check_reject((const uint8_t *)"\x82\x7e\x00\x7d", 4, WSP_E_NON_MINIMAL_LENGTH, 1002);
    check_reject((const uint8_t *)"\x82\x7e\x00\x00", 4, WSP_E_NON_MINIMAL_LENGTH, 1002);
    check_reject((const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", 10, WSP_E_NON_MINIMAL_LENGTH, 1002);
    check_reject((const uint8_t *)"\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05", 10, WSP_E_NON_MINIMAL_LENGTH, 1002);
    /* 64-bit length with the top bit set */
    check_reject((const uint8_t *)"\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10, WSP_E_LENGTH_TOP_BIT, 1002);
    check_reject((const uint8_t *)"\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 10, WSP_E_LENGTH_TOP_BIT, 1002);
    /* continuation without an open message */
    check_reject((const uint8_t *)"\x80\x00", 2, WSP_E_UNEXPECTED_CONTINUATION, 1002);
    check_reject((const uint8_t *)"\x00\x00", 2, WSP_E_UNEXPECTED_CONTINUATION, 1002);
    /* one-byte close payload */
    check_reject((const uint8_t *)"\x88\x01\x03", 3, WSP_E_CLOSE_PAYLOAD_SIZE, 1002);
    /* close reason not UTF-8 */
    check_reject((const uint8_t *)"\x88\x04\x03\xe8\xc0\xaf", 6, WSP_E_CLOSE_REASON_UTF8, 1007);
    check_reject((const uint8_t *)"\x88\x03\x03\xe8\xe2", 5, WSP_E_CLOSE_REASON_UTF8, 1007);
    /* message too big needs a limit */
    {
        struct evlog t;
        trace_run(&t, (const uint8_t *)"\x82\x03" "abc", 5, 2, 0, NULL, NULL);
        ok(t.final == WSP_E_MESSAGE_TOO_BIG && !t.count, "too big: %s\n", wsp_status_name(t.final));
        ok(wsp_status_close_code(t.final) == 1009, "too big close code\n");
        trace_free(&t);
    }
}

static void test_new_message_while_open(void)
{
    static const uint8_t text_open[] = "\x01\x01" "a" "\x81\x01" "b";
    static const uint8_t bin_open[] = "\x02\x01" "a" "\x02\x01" "b";
    struct evlog t;

    trace_run(&t, text_open, sizeof(text_open) - 1, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_EXPECTED_CONTINUATION, "got %s\n", wsp_status_name(t.final));
    ok(t.count == 1 && t.recs[0].len == 1, "first fragment not delivered\n");
    ok(wsp_status_close_code(t.final) == 1002, "close code\n");
    trace_free(&t);
    trace_run(&t, bin_open, sizeof(bin_open) - 1, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_EXPECTED_CONTINUATION, "got %s\n", wsp_status_name(t.final));
    trace_free(&t);
}

static void test_close_codes_on_wire(void)
{
    unsigned code;
    uint8_t frame[4] = {0x88, 0x02};

    for (code = 0; code < 5100; code++)
    {
        struct evlog t;
        int valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);

        frame[2] = code >> 8;
        frame[3] = (uint8_t)code;
        trace_run(&t, frame, 4, 0, 0, NULL, NULL);
        if (valid)
        {
            ok(t.final == WSP_CLOSED && t.count == 1 && t.recs[0].type == WSP_EVENT_CLOSE
               && t.recs[0].has_code && t.recs[0].code == code,
               "code %u: %s\n", code, wsp_status_name(t.final));
        }
        else
        {
            ok(t.final == WSP_E_CLOSE_CODE && !t.count, "code %u: %s\n", code, wsp_status_name(t.final));
        }
        trace_free(&t);
    }
    ok(wsp_status_close_code(WSP_E_CLOSE_CODE) == 1002, "close code\n");
}

static void test_close_parse(void)
{
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t used;
    enum wsp_status st;
    static const uint8_t with_reason[] = "\x88\x07\x03\xe9" "caf\xc3\xa9";

    wsp_decoder_init(&d, 0);
    st = wsp_decode(&d, "\x88\x00", 2, 0, &used, &ev);
    ok(st == WSP_OK && used == 2 && ev.type == WSP_EVENT_CLOSE, "empty close: %s\n", wsp_status_name(st));
    ok(!ev.has_code && ev.code == 1005 && ev.reason_len == 0 && ev.len == 0, "empty close fields\n");
    ok(d.state == WSP_DEC_CLOSED, "state %d\n", d.state);
    st = wsp_decode(&d, "\x81\x00", 2, 0, &used, &ev);
    ok(st == WSP_CLOSED && used == 0, "after close: %s %u\n", wsp_status_name(st), (unsigned)used);
    ok(wsp_status_close_code(WSP_CLOSED) == 0, "CLOSED has no close code\n");

    wsp_decoder_init(&d, 0);
    st = wsp_decode(&d, with_reason, sizeof(with_reason) - 1, 0, &used, &ev);
    ok(st == WSP_OK && ev.type == WSP_EVENT_CLOSE && ev.has_code && ev.code == 1001,
       "close 1001: %s %u\n", wsp_status_name(st), ev.code);
    ok(ev.reason_len == 5 && !memcmp(ev.reason, "caf\xc3\xa9", 5), "reason\n");
    ok(ev.len == 7 && ev.opcode == WSP_OP_CLOSE, "raw payload\n");
}

static void test_fragments_and_control(void)
{
    /* "Hel" + ping + "lo" (RFC 6455 5.6 plus an interleaved ping) */
    static const uint8_t in[] = "\x01\x03" "Hel" "\x89\x02" "hi" "\x80\x02" "lo" "\x8a\x00";
    struct wsp_decoder d;
    struct wsp_event ev;
    const uint8_t *p = in;
    size_t len = sizeof(in) - 1, used;
    enum wsp_status st;

    wsp_decoder_init(&d, 0);
    st = wsp_decode(&d, p, len, 0, &used, &ev);
    ok(st == WSP_OK && ev.type == WSP_EVENT_DATA && ev.opcode == WSP_OP_TEXT && ev.len == 3
       && ev.data == p + 2 && used == 5, "first fragment\n");
    ok(ev.flags == (WSP_DATA_MESSAGE_START | WSP_DATA_FRAME_START | WSP_DATA_FRAME_END),
       "flags %#x\n", ev.flags);
    p += used; len -= used;
    st = wsp_decode(&d, p, len, 0, &used, &ev);
    ok(st == WSP_OK && ev.type == WSP_EVENT_PING && ev.len == 2 && !memcmp(ev.data, "hi", 2),
       "ping\n");
    ok(ev.data != p + 2, "control payload should be decoder-owned\n");
    p += used; len -= used;
    st = wsp_decode(&d, p, len, 0, &used, &ev);
    ok(st == WSP_OK && ev.type == WSP_EVENT_DATA && ev.opcode == WSP_OP_TEXT && ev.len == 2
       && !memcmp(ev.data, "lo", 2), "second fragment\n");
    ok(ev.flags == (WSP_DATA_FRAME_START | WSP_DATA_FIN | WSP_DATA_FRAME_END | WSP_DATA_MESSAGE_END),
       "flags %#x\n", ev.flags);
    p += used; len -= used;
    st = wsp_decode(&d, p, len, 0, &used, &ev);
    ok(st == WSP_OK && ev.type == WSP_EVENT_PONG && ev.len == 0, "pong\n");
    p += used; len -= used;
    ok(len == 0, "left %u\n", (unsigned)len);
    st = wsp_decode(&d, p, 0, 0, &used, &ev);
    ok(st == WSP_NEED_MORE && used == 0 && ev.type == WSP_EVENT_NONE, "end: %s\n", wsp_status_name(st));
}

static void test_empty_frames(void)
{
    static const uint8_t in[] = "\x01\x00" "\x00\x00" "\x80\x00" "\x82\x00";
    struct wsp_decoder d;
    struct wsp_event ev;
    const uint8_t *p = in;
    size_t len = sizeof(in) - 1, used;
    static const unsigned flags[4] =
    {
        WSP_DATA_MESSAGE_START | WSP_DATA_FRAME_START | WSP_DATA_FRAME_END,
        WSP_DATA_FRAME_START | WSP_DATA_FRAME_END,
        WSP_DATA_FRAME_START | WSP_DATA_FIN | WSP_DATA_FRAME_END | WSP_DATA_MESSAGE_END,
        WSP_DATA_MESSAGE_START | WSP_DATA_FRAME_START | WSP_DATA_FIN | WSP_DATA_FRAME_END
                | WSP_DATA_MESSAGE_END,
    };
    unsigned i;

    wsp_decoder_init(&d, 0);
    for (i = 0; i < 4; i++)
    {
        enum wsp_status st = wsp_decode(&d, p, len, 0, &used, &ev);
        ok(st == WSP_OK && ev.type == WSP_EVENT_DATA && ev.len == 0 && used == 2,
           "frame %u: %s len %u\n", i, wsp_status_name(st), (unsigned)ev.len);
        ok(ev.flags == flags[i], "frame %u: flags %#x\n", i, ev.flags);
        ok(ev.opcode == (i == 3 ? WSP_OP_BINARY : WSP_OP_TEXT), "frame %u: opcode %u\n", i, ev.opcode);
        p += used;
        len -= used;
    }
    /* the header alone of a non-empty frame yields nothing */
    ok(wsp_decode(&d, "\x82\x05", 2, 0, &used, &ev) == WSP_NEED_MORE && used == 2, "header only\n");
}

static void test_max_data(void)
{
    uint8_t frame[300], payload[200];
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t n, used, got = 0, pos = 0, events = 0;
    unsigned i;

    for (i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)i;
    n = server_frame(frame, 0x82, payload, sizeof(payload));
    wsp_decoder_init(&d, 0);
    while (pos < n)
    {
        enum wsp_status st = wsp_decode(&d, frame + pos, n - pos, 7, &used, &ev);
        if (st != WSP_OK) break;
        ok(ev.len <= 7, "span %u > 7\n", (unsigned)ev.len);
        ok(!memcmp(ev.data, payload + got, ev.len), "span content\n");
        ok(!!(ev.flags & WSP_DATA_FRAME_START) == (got == 0), "frame start flag at %u\n", (unsigned)got);
        got += ev.len;
        ok(ev.frame_remaining == sizeof(payload) - got, "frame_remaining %u\n", (unsigned)ev.frame_remaining);
        ok(!!(ev.flags & WSP_DATA_MESSAGE_END) == (got == sizeof(payload)), "end flag at %u\n", (unsigned)got);
        pos += used;
        events++;
    }
    ok(got == sizeof(payload) && events == (sizeof(payload) + 6) / 7, "got %u in %u events\n",
       (unsigned)got, (unsigned)events);
}

static void test_message_limit(void)
{
    static const uint8_t two_frames[] = "\x02\x03" "abc" "\x80\x03" "def";
    static const uint8_t with_ping[] = "\x02\x03" "abc" "\x89\x05" "12345" "\x80\x02" "de";
    struct evlog t;

    trace_run(&t, two_frames, sizeof(two_frames) - 1, 6, 0, NULL, NULL);
    ok(t.final == WSP_NEED_MORE && t.count == 2, "6-byte limit: %s\n", wsp_status_name(t.final));
    trace_free(&t);
    trace_run(&t, two_frames, sizeof(two_frames) - 1, 5, 0, NULL, NULL);
    ok(t.final == WSP_E_MESSAGE_TOO_BIG && t.count == 1, "5-byte limit: %s\n", wsp_status_name(t.final));
    trace_free(&t);
    /* control payloads do not count; the limit is per message */
    trace_run(&t, with_ping, sizeof(with_ping) - 1, 5, 0, NULL, NULL);
    ok(t.final == WSP_NEED_MORE && t.count == 3, "ping counted: %s\n", wsp_status_name(t.final));
    trace_free(&t);
    {
        static const uint8_t msgs[] = "\x82\x04" "abcd" "\x82\x04" "efgh";
        trace_run(&t, msgs, sizeof(msgs) - 1, 4, 0, NULL, NULL);
        ok(t.final == WSP_NEED_MORE && t.count == 2, "limit not reset: %s\n", wsp_status_name(t.final));
        trace_free(&t);
    }
    /* the limit applies to the declared length, before any payload */
    trace_run(&t, (const uint8_t *)"\x82\x7f\x00\x00\x00\x01\x00\x00\x00\x00", 10, 1 << 20, 0, NULL, NULL);
    ok(t.final == WSP_E_MESSAGE_TOO_BIG, "4 GiB frame: %s\n", wsp_status_name(t.final));
    trace_free(&t);
}

static void test_text_utf8(void)
{
    struct evlog t;

    /* bad byte mid-frame: the prefix is delivered, then the error */
    trace_run(&t, (const uint8_t *)"\x81\x05" "ab\xff" "cd", 7, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8, "got %s\n", wsp_status_name(t.final));
    ok(t.count == 1 && t.nbytes == 2 && !memcmp(t.bytes, "ab", 2), "prefix %u bytes\n", (unsigned)t.nbytes);
    ok(t.count == 1 && !(t.recs[0].flags & (WSP_DATA_FRAME_END | WSP_DATA_MESSAGE_END)), "end flags set\n");
    ok(wsp_status_close_code(t.final) == 1007, "close code\n");
    trace_free(&t);

    /* bad first byte: nothing is delivered */
    trace_run(&t, (const uint8_t *)"\x81\x02\x80" "a", 4, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8 && t.count == 0, "got %s, %u\n", wsp_status_name(t.final), (unsigned)t.count);
    trace_free(&t);

    /* partial code point delivered, then the byte that breaks it */
    trace_run(&t, (const uint8_t *)"\x81\x03" "a\xe2" "a", 5, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8 && t.nbytes == 2, "got %s, %u\n", wsp_status_name(t.final), (unsigned)t.nbytes);
    trace_free(&t);

    /* code point split across fragments (and an interleaved ping) is fine */
    trace_run(&t, (const uint8_t *)"\x01\x02" "a\xe2" "\x89\x00" "\x00\x01\x82" "\x80\x01\xac", 13, 0, 0, NULL, NULL);
    ok(t.final == WSP_NEED_MORE && t.nbytes == 4 && !memcmp(t.bytes, "a\xe2\x82\xac", 4),
       "split euro: %s\n", wsp_status_name(t.final));
    trace_free(&t);

    /* invalid across a fragment boundary: detected in the second frame */
    trace_run(&t, (const uint8_t *)"\x01\x02" "a\xed" "\x80\x02\xa0\x80", 8, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8 && t.nbytes == 2 && t.count == 1, "surrogate: %s %u\n",
       wsp_status_name(t.final), (unsigned)t.count);
    trace_free(&t);

    /* truncated at message end: all bytes delivered without end flags */
    trace_run(&t, (const uint8_t *)"\x81\x03" "a\xe2\x82", 5, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8 && t.count == 1 && t.nbytes == 3, "truncated: %s %u\n",
       wsp_status_name(t.final), (unsigned)t.nbytes);
    ok(t.count == 1 && !(t.recs[0].flags & WSP_DATA_MESSAGE_END), "end flag on bad message\n");
    trace_free(&t);

    /* truncated, ended by an empty final fragment: error with no event */
    trace_run(&t, (const uint8_t *)"\x01\x01\xc3" "\x80\x00", 5, 0, 0, NULL, NULL);
    ok(t.final == WSP_E_TEXT_UTF8 && t.count == 1 && t.nbytes == 1, "empty end: %s %u\n",
       wsp_status_name(t.final), (unsigned)t.count);
    trace_free(&t);

    /* binary messages are not checked; a non-final fragment may end mid code point */
    trace_run(&t, (const uint8_t *)"\x82\x01\xff" "\x01\x01\xc3", 6, 0, 0, NULL, NULL);
    ok(t.final == WSP_NEED_MORE && t.count == 2, "got %s\n", wsp_status_name(t.final));
    trace_free(&t);
}

/* The error behind a span is known as the span comes out. */
static void test_pending_error(void)
{
    static const uint8_t bad[] = { 0x81, 0x05, 'a', 'b', 0xff, 'c', 'd' };
    static const uint8_t good[] = { 0x01, 0x02, 'a', 0xe2 };
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t consumed;

    wsp_decoder_init(&d, 0);
    ok(wsp_decode(&d, bad, sizeof(bad), 0, &consumed, &ev) == WSP_OK && ev.len == 2, "prefix expected\n");
    ok(wsp_decoder_pending_error(&d) == WSP_E_TEXT_UTF8, "got %s\n", wsp_status_name(wsp_decoder_pending_error(&d)));
    ok(wsp_decode(&d, bad + consumed, sizeof(bad) - consumed, 0, &consumed, &ev) == WSP_E_TEXT_UTF8, "error expected\n");
    ok(wsp_decoder_pending_error(&d) == WSP_E_TEXT_UTF8, "sticky error expected\n");

    /* a code point cut by a fragment boundary is no error (yet) */
    wsp_decoder_init(&d, 0);
    ok(wsp_decode(&d, good, sizeof(good), 0, &consumed, &ev) == WSP_OK && ev.len == 2, "span expected\n");
    ok(wsp_decoder_pending_error(&d) == WSP_OK, "got %s\n", wsp_status_name(wsp_decoder_pending_error(&d)));
}

/* Inside a data frame, input up to payload_remaining is one DATA span. */
static void test_payload_remaining(void)
{
    static const uint8_t frame[] = { 0x82, 0x7e, 0x01, 0x00 };  /* binary, 256 bytes */
    static uint8_t payload[256];
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t consumed;

    wsp_decoder_init(&d, 0);
    ok(wsp_decoder_payload_remaining(&d) == 0, "between frames\n");
    ok(wsp_decode(&d, frame, sizeof(frame), 0, &consumed, &ev) == WSP_NEED_MORE && consumed == 4, "header\n");
    ok(wsp_decoder_payload_remaining(&d) == 256, "got %u\n", (unsigned)wsp_decoder_payload_remaining(&d));
    ok(wsp_decode(&d, payload, 100, 0, &consumed, &ev) == WSP_OK && ev.data == payload && ev.len == 100
       && consumed == 100, "span in place\n");
    ok(wsp_decoder_payload_remaining(&d) == 156, "got %u\n", (unsigned)wsp_decoder_payload_remaining(&d));
    ok(wsp_decode(&d, payload, 156, 0, &consumed, &ev) == WSP_OK && ev.len == 156
       && (ev.flags & WSP_DATA_MESSAGE_END), "last span\n");
    ok(wsp_decoder_payload_remaining(&d) == 0, "after the frame\n");
}

static void test_sticky_error(void)
{
    struct wsp_decoder d;
    struct wsp_event ev;
    size_t used;
    enum wsp_status st;

    wsp_decoder_init(&d, 0);
    st = wsp_decode(&d, "\xc1\x00\x81\x00", 4, 0, &used, &ev);
    ok(st == WSP_E_RSV && d.state == WSP_DEC_ERROR, "got %s\n", wsp_status_name(st));
    st = wsp_decode(&d, "\x81\x00", 2, 0, &used, &ev);
    ok(st == WSP_E_RSV && used == 0 && ev.type == WSP_EVENT_NONE, "not sticky: %s\n", wsp_status_name(st));
    st = wsp_decode(&d, NULL, 0, 0, &used, &ev);
    ok(st == WSP_E_RSV, "not sticky: %s\n", wsp_status_name(st));

    /* a pending UTF-8 error turns into the error state too */
    wsp_decoder_init(&d, 0);
    st = wsp_decode(&d, "\x81\x03" "a\xff" "b", 5, 0, &used, &ev);
    ok(st == WSP_OK && ev.len == 1 && used == 3, "prefix: %s %u\n", wsp_status_name(st), (unsigned)ev.len);
    st = wsp_decode(&d, "b", 1, 0, &used, &ev);
    ok(st == WSP_E_TEXT_UTF8 && used == 0, "got %s\n", wsp_status_name(st));
    st = wsp_decode(&d, "b", 1, 0, &used, &ev);
    ok(st == WSP_E_TEXT_UTF8 && d.state == WSP_DEC_ERROR, "got %s\n", wsp_status_name(st));
}

static void test_status_names(void)
{
    unsigned i, j;

    for (i = 0; i < WSP_STATUS_COUNT; i++)
    {
        const char *name = wsp_status_name(i);
        ok(name && !strncmp(name, "WSP_", 4), "status %u: %s\n", i, name);
        for (j = 0; j < i; j++) ok(strcmp(name, wsp_status_name(j)), "duplicate name %s\n", name);
        if (i >= WSP_E_MASKED)
            ok(wsp_status_close_code(i) == 1002 || wsp_status_close_code(i) == 1007
               || wsp_status_close_code(i) == 1009, "%s: %u\n", name, wsp_status_close_code(i));
    }
    ok(!strcmp(wsp_status_name(WSP_E_LENGTH_TOP_BIT), "WSP_E_LENGTH_TOP_BIT"), "name\n");
    ok(!strcmp(wsp_status_name(WSP_STATUS_COUNT + 5), "WSP_?"), "out of range name\n");
}

/* ---- chunked-feed equivalence ---- */

static size_t fixed_size(void *ctx)
{
    return *(size_t *)ctx;
}

static size_t random_size(void *ctx)
{
    uint64_t *s = ctx;
    uint64_t r = prng_next(s);
    /* mostly tiny chunks, sometimes large ones */
    return (r & 3) ? 1 + (r >> 8) % 4 : 1 + (r >> 8) % 300;
}

static size_t build_stream(uint8_t *out, int variant)
{
    static uint8_t big[70000];
    size_t n = 0, i;

    for (i = 0; i < sizeof(big); i++) big[i] = (uint8_t)(i * 7);
    n += server_frame(out + n, 0x81, "plain text", 10);
    n += server_frame(out + n, 0x01, "caf\xc3", 4);
    n += server_frame(out + n, 0x89, "ping!", 5);
    n += server_frame(out + n, 0x00, "\xa9 \xf0\x9f\x98", 5);
    n += server_frame(out + n, 0x80, "\x80", 1);
    n += server_frame(out + n, 0x82, big, 200);
    n += server_frame(out + n, 0x82, NULL, 0);
    n += server_frame(out + n, 0x02, big, 70000);
    n += server_frame(out + n, 0x8a, NULL, 0);
    n += server_frame(out + n, 0x80, big, 126);
    switch (variant)
    {
    case 0: n += server_frame(out + n, 0x88, "\x03\xe8" "done", 6); break;
    case 1: n += server_frame(out + n, 0x81, "ok\xed\xa0\x80", 5); break;          /* surrogate */
    case 2: n += server_frame(out + n, 0x81, "ok\xf0\x9f\x98", 5); break;          /* truncated */
    case 3: n += server_frame(out + n, 0x88, "\x03\xee", 2); break;                 /* 1006 */
    case 4: n += server_frame(out + n, 0x88, "\x03", 1); break;
    case 5: memcpy(out + n, "\x82\x7e\x00\x10", 4); n += 4; break;                 /* non-minimal */
    case 6: memcpy(out + n, "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10); n += 10; break;
    case 7: n += server_frame(out + n, 0x00, "x", 1); break;                       /* stray continuation */
    case 8: n += server_frame(out + n, 0x01, "x", 1); n += server_frame(out + n, 0x81, "y", 1); break;
    case 9: n += server_frame(out + n, 0xe2, "x", 1); break;                       /* RSV */
    case 10: n += server_frame(out + n, 0x83, "x", 1); break;                      /* opcode */
    case 11: n += server_frame(out + n, 0x09, "x", 1); break;                      /* fragmented ping */
    case 12: out[n++] = 0x82; out[n++] = 0x81; memcpy(out + n, "\1\2\3\4x", 5); n += 5; break;
    case 13: n += server_frame(out + n, 0x88, "\x03\xe8\xc3", 3); break;           /* bad reason */
    case 14: n += server_frame(out + n, 0x82, "abc", 3); break;                    /* unterminated */
    case 15: n += server_frame(out + n, 0x81, "\xc3", 1);                          /* truncated + more */
             n += server_frame(out + n, 0x81, "z", 1); break;
    }
    return n;
}

static void test_chunk_equivalence(void)
{
    static uint8_t stream[80000];
    static const enum wsp_status finals[] =
    {
        WSP_CLOSED, WSP_E_TEXT_UTF8, WSP_E_TEXT_UTF8, WSP_E_CLOSE_CODE, WSP_E_CLOSE_PAYLOAD_SIZE,
        WSP_E_NON_MINIMAL_LENGTH, WSP_E_LENGTH_TOP_BIT, WSP_E_UNEXPECTED_CONTINUATION,
        WSP_E_EXPECTED_CONTINUATION, WSP_E_RSV, WSP_E_OPCODE, WSP_E_CONTROL_FRAGMENTED, WSP_E_MASKED,
        WSP_E_CLOSE_REASON_UTF8, WSP_NEED_MORE, WSP_E_TEXT_UTF8,
    };
    int variant;

    for (variant = 0; variant < (int)ARRAY_SIZE(finals); variant++)
    {
        size_t len = build_stream(stream, variant), size, mismatches = 0, runs = 0, i;
        uint64_t seed = 1234 + variant;
        struct evlog whole;

        trace_run(&whole, stream, len, 0, 0, NULL, NULL);
        ok(!whole.broken && whole.final == finals[variant], "variant %d: %s\n", variant,
           wsp_status_name(whole.final));

        /* every fixed chunk size up to 40, then a few big ones */
        for (size = 1; size <= 48; size++)
        {
            struct evlog t;
            size_t sz = size > 40 ? (size - 40) * 1000 : size;
            trace_run(&t, stream, len, 0, 0, fixed_size, &sz);
            if (!evlog_equal(&whole, &t)) mismatches++;
            runs++;
            trace_free(&t);
        }
        /* random splits, some with a small max_data */
        for (i = 0; i < 60; i++)
        {
            struct evlog t;
            trace_run(&t, stream, len, 0, i % 3 ? 0 : 1 + i % 17, random_size, &seed);
            if (!evlog_equal(&whole, &t)) mismatches++;
            runs++;
            trace_free(&t);
        }
        ok(!mismatches, "variant %d: %u of %u chunked runs differ\n", variant, (unsigned)mismatches,
           (unsigned)runs);
        trace_free(&whole);
    }
}

/* Every prefix of a small stream fed 1 byte at a time gives a prefix of the
 * whole run: nothing is emitted early or late. */
static void test_byte_at_a_time_small(void)
{
    uint8_t stream[200];
    size_t len = 0, one = 1, cut;
    unsigned bad = 0;

    len += server_frame(stream + len, 0x01, "\xe2\x82", 2);
    len += server_frame(stream + len, 0x89, "p", 1);
    len += server_frame(stream + len, 0x80, "\xac!", 2);
    len += server_frame(stream + len, 0x82, NULL, 0);
    len += server_frame(stream + len, 0x88, "\x0f\xa0" "bye", 5);
    for (cut = 0; cut <= len; cut++)
    {
        struct evlog a, b;
        trace_run(&a, stream, cut, 0, 0, NULL, NULL);
        trace_run(&b, stream, cut, 0, 0, fixed_size, &one);
        if (!evlog_equal(&a, &b)) bad++;
        trace_free(&a);
        trace_free(&b);
    }
    ok(!bad, "%u prefixes differ\n", bad);
}

START_TEST(frame)
{
    test_header_size();
    test_encode_rfc_examples();
    test_encode_reject();
    test_encode_close_payload();
    test_round_trip();
    test_reject_rules();
    test_new_message_while_open();
    test_close_codes_on_wire();
    test_close_parse();
    test_fragments_and_control();
    test_empty_frames();
    test_max_data();
    test_message_limit();
    test_text_utf8();
    test_pending_error();
    test_payload_remaining();
    test_sticky_error();
    test_status_names();
    test_chunk_equivalence();
    test_byte_at_a_time_small();
}
