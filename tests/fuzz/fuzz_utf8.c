/*
 * Fuzz target: streaming UTF-8 validator vs the reference checker
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Byte 0 seeds where the input is cut into feeds; the rest is the text.
 */

#include <stdio.h>
#include <stdlib.h>

#include "core_util.h"

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wsp_utf8 u;
    uint64_t seed;
    size_t ref, pos = 0, err;
    int ref_complete, valid;

    if (size < 1) return 0;
    seed = data[0] | 0x100;
    data++;
    size--;

    ref = ref_utf8_check(data, size, &ref_complete);
    valid = ref == size && ref_complete;
    CHECK(wsp_utf8_valid(data, size) == valid);

    wsp_utf8_init(&u);
    err = size;
    while (pos < size)
    {
        size_t n = 1 + prng_next(&seed) % 40, r;
        if (n > size - pos) n = size - pos;
        r = wsp_utf8_feed(&u, data + pos, n);
        CHECK(r <= n);
        if (r < n)
        {
            err = pos + r;
            CHECK(wsp_utf8_feed(&u, data, size) == 0);
            break;
        }
        pos += n;
    }
    CHECK(err == ref);
    CHECK(wsp_utf8_finish(&u) == valid);
    return 0;
}
