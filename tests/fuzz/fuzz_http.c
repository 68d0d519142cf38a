/*
 * Fuzz target: HTTP response head parser and handshake validator
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Byte 0 picks max_head and the header array size; the rest is the head.
 * Checks that spans stay inside the buffer and are well formed, and that
 * every prefix gives INCOMPLETE or the final answer (incremental = whole).
 */

#include <stdio.h>
#include <stdlib.h>

#include "core_util.h"

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); abort(); } } while (0)

#define MAX_HDRS 24

static int inside(const char *buf, size_t len, const char *p, size_t n)
{
    return p >= buf && p + n <= buf + len;
}

static void check_response(const char *buf, ptrdiff_t head, const struct wsp_http_response *resp)
{
    size_t i, j;

    CHECK(resp->status >= 100 && resp->status <= 999);
    CHECK(resp->minor_version >= 0 && resp->minor_version <= 9);
    if (resp->reason) CHECK(inside(buf, head, resp->reason, resp->reason_len));
    for (i = 0; i < resp->num_headers; i++)
    {
        const struct wsp_http_header *h = &resp->headers[i];
        CHECK(h->name_len > 0 && inside(buf, head, h->name, h->name_len));
        CHECK(inside(buf, head, h->value, h->value_len));
        for (j = 0; j < h->name_len; j++) CHECK(h->name[j] != ':' && (unsigned char)h->name[j] > ' ');
        for (j = 0; j < h->value_len; j++)
            CHECK((unsigned char)h->value[j] >= ' ' || h->value[j] == '\t');
        if (h->value_len)
        {
            CHECK(h->value[0] != ' ' && h->value[0] != '\t');
            CHECK(h->value[h->value_len - 1] != ' ' && h->value[h->value_len - 1] != '\t');
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[4] = {0, 64, 512, 8192};
    struct wsp_http_header hdrs[MAX_HDRS], hdrs2[MAX_HDRS];
    struct wsp_http_response resp, resp2;
    const char *buf, *proto;
    size_t max_head, max_headers, len, cut, step, proto_len;
    ptrdiff_t whole;
    int settled = 0;
    char *copy;

    if (size < 1) return 0;
    max_head = caps[data[0] & 3];
    max_headers = (data[0] >> 2) % (MAX_HDRS + 1);
    len = size - 1;
    /* exact-size heap copy so ASan sees any read past the end */
    copy = malloc(len ? len : 1);
    memcpy(copy, data + 1, len);
    buf = copy;

    whole = wsp_http_parse_response(buf, len, max_head, &resp, hdrs, max_headers);
    CHECK(whole > 0 || (whole >= WSP_HTTP_TOO_MANY_HEADERS && whole <= WSP_HTTP_INCOMPLETE));
    if (whole > 0)
    {
        CHECK((size_t)whole <= len && (!max_head || (size_t)whole <= max_head));
        CHECK(buf[whole - 1] == '\n');
        CHECK(resp.num_headers <= max_headers);
        check_response(buf, whole, &resp);
        wsp_handshake_check_response(&resp, "dGhlIHNhbXBsZSBub25jZQ==", 24, "chat, v2", &proto, &proto_len);
        if (proto) CHECK(inside(buf, whole, proto, proto_len));
    }

    step = len <= 600 ? 1 : len / 300;
    for (cut = 0; cut <= len; cut += step)
    {
        ptrdiff_t r = wsp_http_parse_response(buf, cut, max_head, &resp2, hdrs2, max_headers);
        if (r == WSP_HTTP_INCOMPLETE)
        {
            CHECK(!settled);
            continue;
        }
        settled = 1;
        CHECK(r == whole);
        if (r > 0)
        {
            CHECK(resp2.status == resp.status && resp2.num_headers == resp.num_headers);
            CHECK(!memcmp(hdrs, hdrs2, resp.num_headers * sizeof(hdrs[0])));
        }
    }
    free(copy);
    return 0;
}
