/*
 * Tests for the opening handshake helpers (wsp_handshake.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

static const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char rfc_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

static void fixed_rng(void *ctx, void *buf, size_t len)
{
    /* "the sample nonce", the RFC 6455 1.3 example */
    ok(len == 16, "asked for %u bytes\n", (unsigned)len);
    memcpy(buf, ctx, len);
}

static void test_accept(void)
{
    char out[WSP_ACCEPT_LEN + 1];

    memset(out, '#', sizeof(out));
    wsp_handshake_accept(rfc_key, strlen(rfc_key), out);
    ok(!strcmp(out, rfc_accept), "got %s\n", out);
    wsp_handshake_accept("x", 1, out);
    ok(strlen(out) == WSP_ACCEPT_LEN && strcmp(out, rfc_accept), "other key: %s\n", out);
}

static void test_make_key(void)
{
    char key[WSP_KEY_LEN + 1], key2[WSP_KEY_LEN + 1];
    uint64_t seed = 5;

    memset(key, '#', sizeof(key));
    wsp_handshake_make_key(key, fixed_rng, (void *)"the sample nonce");
    ok(!strcmp(key, rfc_key), "got %s\n", key);
    wsp_handshake_make_key(key, prng_rng, &seed);
    wsp_handshake_make_key(key2, prng_rng, &seed);
    ok(strlen(key) == WSP_KEY_LEN && key[22] == '=' && key[23] == '=', "key %s\n", key);
    ok(strcmp(key, key2), "two keys are equal\n");
}

static void test_request_headers(void)
{
    struct wsp_header_line lines[WSP_HANDSHAKE_HEADER_COUNT];
    static const char expect[] =
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    char buf[200];
    size_t n, size;

    ok(wsp_handshake_request_headers(lines, rfc_key) == 4, "count\n");
    ok(!strcmp(lines[0].name, "Upgrade") && !strcmp(lines[0].value, "websocket"), "line 0\n");
    ok(!strcmp(lines[1].name, "Connection") && !strcmp(lines[1].value, "Upgrade"), "line 1\n");
    ok(!strcmp(lines[2].name, "Sec-WebSocket-Version") && !strcmp(lines[2].value, "13"), "line 2\n");
    ok(!strcmp(lines[3].name, "Sec-WebSocket-Key") && lines[3].value == rfc_key, "line 3\n");

    n = wsp_handshake_format_headers(buf, sizeof(buf), rfc_key);
    ok(n == sizeof(expect) - 1 && !strcmp(buf, expect), "got %s\n", buf);
    /* snprintf-like truncation at every size */
    for (size = 0; size < sizeof(expect) + 2; size++)
    {
        memset(buf, '#', sizeof(buf));
        n = wsp_handshake_format_headers(buf, size, rfc_key);
        ok(n == sizeof(expect) - 1, "size %u: %u\n", (unsigned)size, (unsigned)n);
        if (size)
            ok(strlen(buf) == (size - 1 < n ? size - 1 : n) && !strncmp(buf, expect, strlen(buf)),
               "size %u: bad prefix\n", (unsigned)size);
        ok(buf[size] == '#', "size %u: overflow\n", (unsigned)size);
    }
}

/* Parses head and validates it against the RFC key. */
static enum wsp_handshake_result check(const char *head, const char *offered, const char **proto,
                                       size_t *proto_len)
{
    struct wsp_http_header hdrs[16];
    struct wsp_http_response resp;
    ptrdiff_t r = wsp_http_parse_response(head, strlen(head), 4096, &resp, hdrs, 16);

    ok(r == (ptrdiff_t)strlen(head), "parse: %d\n", (int)r);
    return wsp_handshake_check_response(&resp, rfc_key, strlen(rfc_key), offered, proto, proto_len);
}

#define STATUS   "HTTP/1.1 101 Switching Protocols\r\n"
#define UPGRADE  "Upgrade: websocket\r\n"
#define CONN     "Connection: Upgrade\r\n"
#define ACCEPT   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"

static void test_response(void)
{
    static const struct
    {
        const char *head;
        const char *offered;
        enum wsp_handshake_result expect;
    }
    tests[] =
    {
        { STATUS UPGRADE CONN ACCEPT "\r\n", NULL, WSP_HS_OK },
        { STATUS "upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
          "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", NULL, WSP_HS_OK },
        { STATUS UPGRADE "Connection: keep-alive\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", NULL, WSP_HS_OK },
        { "HTTP/1.1 200 OK\r\n" UPGRADE CONN ACCEPT "\r\n", NULL, WSP_HS_BAD_STATUS },
        { "HTTP/1.1 403 Forbidden\r\n\r\n", NULL, WSP_HS_BAD_STATUS },
        { STATUS CONN ACCEPT "\r\n", NULL, WSP_HS_NO_UPGRADE },
        { STATUS "Upgrade: websockets\r\n" CONN ACCEPT "\r\n", NULL, WSP_HS_BAD_UPGRADE },
        { STATUS "Upgrade: h2c\r\n" CONN ACCEPT "\r\n", NULL, WSP_HS_BAD_UPGRADE },
        { STATUS UPGRADE UPGRADE CONN ACCEPT "\r\n", NULL, WSP_HS_BAD_UPGRADE },
        { STATUS UPGRADE ACCEPT "\r\n", NULL, WSP_HS_NO_CONNECTION },
        { STATUS UPGRADE "Connection: keep-alive\r\n" ACCEPT "\r\n", NULL, WSP_HS_NO_CONNECTION },
        { STATUS UPGRADE "Connection: upgraded\r\n" ACCEPT "\r\n", NULL, WSP_HS_NO_CONNECTION },
        { STATUS UPGRADE CONN "\r\n", NULL, WSP_HS_NO_ACCEPT },
        { STATUS UPGRADE CONN "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n", NULL, WSP_HS_BAD_ACCEPT },
        { STATUS UPGRADE CONN "Sec-WebSocket-Accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", NULL, WSP_HS_BAD_ACCEPT },
        { STATUS UPGRADE CONN "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", NULL, WSP_HS_BAD_ACCEPT },
        { STATUS UPGRADE CONN ACCEPT ACCEPT "\r\n", NULL, WSP_HS_BAD_ACCEPT },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", NULL, WSP_HS_EXTENSIONS },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Extensions:\r\n\r\n", NULL, WSP_HS_EXTENSIONS },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: chat\r\n\r\n", NULL, WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: chat\r\n\r\n", "", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: chat\r\n\r\n", "superchat, v2", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: Chat\r\n\r\n", "chat", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: chat, v2\r\n\r\n", "chat, v2", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol:\r\n\r\n", "chat", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
          "chat", WSP_HS_BAD_PROTOCOL },
        { STATUS UPGRADE CONN ACCEPT "\r\n", "chat", WSP_HS_OK },  /* server may pick none */
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        enum wsp_handshake_result r = check(tests[i].head, tests[i].offered, NULL, NULL);
        ok(r == tests[i].expect, "%u: got %s, expected %s\n", i, wsp_handshake_result_name(r),
           wsp_handshake_result_name(tests[i].expect));
    }
}

static void test_protocol_selected(void)
{
    static const char *offered[] = {"chat", "superchat,chat", " v1 , chat ", "chat,superchat"};
    const char *proto = (const char *)1;
    size_t len = 99;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(offered); i++)
    {
        enum wsp_handshake_result r = check(STATUS UPGRADE CONN ACCEPT "Sec-WebSocket-Protocol:  chat \r\n\r\n",
                                            offered[i], &proto, &len);
        ok(r == WSP_HS_OK, "%u: %s\n", i, wsp_handshake_result_name(r));
        ok(len == 4 && proto && !memcmp(proto, "chat", 4), "%u: protocol\n", i);
    }
    check(STATUS UPGRADE CONN ACCEPT "\r\n", "chat", &proto, &len);
    ok(!proto && !len, "no protocol selected\n");
}

static void test_result_names(void)
{
    unsigned i, j;

    for (i = 0; i < WSP_HS_RESULT_COUNT; i++)
    {
        ok(!strncmp(wsp_handshake_result_name(i), "WSP_HS_", 7), "%u\n", i);
        for (j = 0; j < i; j++)
            ok(strcmp(wsp_handshake_result_name(i), wsp_handshake_result_name(j)), "duplicate %u\n", i);
    }
    ok(!strcmp(wsp_handshake_result_name(WSP_HS_RESULT_COUNT), "WSP_HS_?"), "out of range\n");
}

START_TEST(handshake)
{
    test_accept();
    test_make_key();
    test_request_headers();
    test_response();
    test_protocol_selected();
    test_result_names();
}
