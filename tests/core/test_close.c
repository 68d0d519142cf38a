/*
 * Tests for close status code rules (wsp_close.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

static void test_valid_on_wire(void)
{
    static const unsigned good[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012,
                                    1013, 1014, 3000, 3999, 4000, 4999};
    static const unsigned bad[] = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999,
                                   5000, 65535, 0x10000 + 1000};
    unsigned i, code, count = 0;

    for (i = 0; i < ARRAY_SIZE(good); i++) ok(wsp_close_code_valid_on_wire(good[i]), "%u rejected\n", good[i]);
    for (i = 0; i < ARRAY_SIZE(bad); i++) ok(!wsp_close_code_valid_on_wire(bad[i]), "%u accepted\n", bad[i]);
    for (code = 0; code < 65536; code++) count += !!wsp_close_code_valid_on_wire(code);
    ok(count == 4 + 8 + 2000, "%u codes valid\n", count);
}

static void test_sendable(void)
{
    unsigned code, bad = 0;

    for (code = 0; code < 65536; code++)
    {
        int expect = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011)
                || (code >= 3000 && code <= 4999);
        if (!!wsp_close_code_sendable(code) != expect) bad++;
        /* anything we send must be acceptable to a peer */
        if (wsp_close_code_sendable(code) && !wsp_close_code_valid_on_wire(code)) bad++;
    }
    ok(!bad, "%u codes misjudged\n", bad);
    ok(!wsp_close_code_sendable(1005), "1005 is a pseudo code\n");
    ok(!wsp_close_code_sendable(1012), "1012 is server-only\n");
}

START_TEST(close)
{
    test_valid_on_wire();
    test_sendable();
}
