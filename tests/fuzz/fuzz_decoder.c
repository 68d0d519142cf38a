/*
 * Fuzz target: frame decoder, whole input vs chunked feeding
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Input layout: byte 0 seeds the chunk sizes, byte 1 picks max_data, byte 2
 * picks the message size limit, the rest is the server byte stream.  Every
 * feeding must produce the same merged event list and final status.
 */

#include <stdio.h>
#include <stdlib.h>

#include "core_util.h"

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); abort(); } } while (0)

static size_t seeded_size(void *ctx)
{
    uint64_t r = prng_next(ctx);
    return (r & 1) ? 1 + (r >> 8) % 3 : 1 + (r >> 8) % 64;
}

static size_t one_byte(void *ctx)
{
    (void)ctx;
    return 1;
}

static void check_trace(const struct evlog *t, uint64_t max_message)
{
    size_t i;

    CHECK(!t->broken);
    for (i = 0; i < t->count; i++)
    {
        const struct evlog_rec *r = &t->recs[i];
        if (r->type == WSP_EVENT_DATA)
        {
            CHECK(r->opcode == WSP_OP_TEXT || r->opcode == WSP_OP_BINARY);
            if (max_message) CHECK(r->len <= max_message);
            if (r->opcode == WSP_OP_TEXT && (r->flags & WSP_DATA_MESSAGE_END) && (r->flags & WSP_DATA_MESSAGE_START))
                CHECK(wsp_utf8_valid(t->bytes + r->off, r->len));
        }
        else
        {
            CHECK(r->len <= WSP_MAX_CONTROL_PAYLOAD);
            if (r->type == WSP_EVENT_CLOSE)
            {
                CHECK(i == t->count - 1);
                CHECK(r->has_code ? wsp_close_code_valid_on_wire(r->code) : r->code == 1005);
                CHECK(!r->has_code || wsp_utf8_valid(t->bytes + r->off + 2, r->len - 2));
            }
        }
    }
    if (t->final != WSP_NEED_MORE && t->final != WSP_CLOSED)
        CHECK(wsp_status_close_code(t->final) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t limits[4] = {0, 1, 130, 70000};
    struct evlog whole, chunked, bytes;
    uint64_t seed, max_message;
    size_t max_data;

    if (size < 3) return 0;
    seed = data[0] | 0x100;
    max_data = data[1] & 0x80 ? 0 : data[1] & 0x1f;
    max_message = limits[data[2] & 3];
    data += 3;
    size -= 3;

    trace_run(&whole, data, size, max_message, 0, NULL, NULL);
    check_trace(&whole, max_message);
    trace_run(&chunked, data, size, max_message, max_data, seeded_size, &seed);
    CHECK(evlog_equal(&whole, &chunked));
    if (size <= 4096)
    {
        trace_run(&bytes, data, size, max_message, 0, one_byte, NULL);
        CHECK(evlog_equal(&whole, &bytes));
        trace_free(&bytes);
    }
    trace_free(&whole);
    trace_free(&chunked);
    return 0;
}
