/*
 * Tests for the HTTP/1.1 response head parser (wsp_http.c)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 */

#include <stdio.h>

#include "test.h"
#include "core_util.h"

#define MAX_HDRS 16

static ptrdiff_t parse(const char *s, size_t len, size_t max_head, struct wsp_http_response *resp,
                       struct wsp_http_header *hdrs, size_t max_headers)
{
    return wsp_http_parse_response(s, len, max_head, resp, hdrs, max_headers);
}

static const char typical[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
    "X-Empty:\r\n"
    "X-Tab:\tv a l\t\r\n"
    "\r\n"
    "trailing body bytes";

static void test_typical(void)
{
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    size_t head = strstr(typical, "\r\n\r\n") + 4 - typical;
    ptrdiff_t r = parse(typical, sizeof(typical) - 1, 0, &resp, hdrs, MAX_HDRS);

    ok(r == (ptrdiff_t)head, "got %d, expected %u\n", (int)r, (unsigned)head);
    ok(resp.minor_version == 1 && resp.status == 101, "status line %d %d\n", resp.minor_version, resp.status);
    ok(resp.reason_len == 19 && !memcmp(resp.reason, "Switching Protocols", 19), "reason\n");
    ok(resp.num_headers == 5 && resp.headers == hdrs, "%u headers\n", (unsigned)resp.num_headers);
    ok(hdrs[0].name_len == 7 && !memcmp(hdrs[0].name, "Upgrade", 7), "name 0\n");
    ok(hdrs[0].value_len == 9 && !memcmp(hdrs[0].value, "websocket", 9), "value 0\n");
    ok(hdrs[2].value_len == 28 && !memcmp(hdrs[2].value, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28),
       "value 2 not trimmed: %s\n", wine_dbgstr_an(hdrs[2].value, (int)hdrs[2].value_len));
    ok(hdrs[3].value_len == 0, "empty value\n");
    ok(hdrs[4].value_len == 5 && !memcmp(hdrs[4].value, "v a l", 5), "tab value\n");
    /* spans point into the buffer (zero copy) */
    ok(hdrs[1].name == typical + 54, "name not in buffer\n");

    ok(wsp_http_find_header(hdrs, resp.num_headers, 0, "connection") == 1, "find connection\n");
    ok(wsp_http_find_header(hdrs, resp.num_headers, 0, "SEC-WEBSOCKET-ACCEPT") == 2, "find accept\n");
    ok(wsp_http_find_header(hdrs, resp.num_headers, 2, "upgrade") == resp.num_headers, "start index\n");
    ok(wsp_http_find_header(hdrs, resp.num_headers, 0, "Upgrad") == resp.num_headers, "prefix matched\n");
    ok(wsp_http_find_header(hdrs, resp.num_headers, 0, "missing") == resp.num_headers, "missing\n");
}

/* Every proper prefix of a valid head is INCOMPLETE; the full head parses
 * the same with and without LF-only line ends. */
static void test_truncation(void)
{
    static const char *heads[] =
    {
        typical,
        "HTTP/1.0 200 OK\n\n",
        "HTTP/1.1 101\r\nA: b\r\n\r\n",
        "HTTP/1.1 404 \nA:b\nC: d \r\n\n",
    };
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    unsigned i, bad = 0;

    for (i = 0; i < ARRAY_SIZE(heads); i++)
    {
        size_t len = strlen(heads[i]), cut;
        ptrdiff_t full = parse(heads[i], len, 0, &resp, hdrs, MAX_HDRS);

        ok(full > 0, "head %u: %d\n", i, (int)full);
        for (cut = 0; cut < (size_t)full; cut++)
        {
            ptrdiff_t r = parse(heads[i], cut, 0, &resp, hdrs, MAX_HDRS);
            if (r != WSP_HTTP_INCOMPLETE)
            {
                bad++;
                trace("head %u cut %u: %d\n", i, (unsigned)cut, (int)r);
            }
        }
        for (cut = full; cut <= len; cut++)
            if (parse(heads[i], cut, 0, &resp, hdrs, MAX_HDRS) != full) bad++;
    }
    ok(!bad, "%u truncation results wrong\n", bad);
}

static void test_line_endings(void)
{
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    static const char lf[] = "HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: upgrade\n\n";
    static const char mixed[] = "HTTP/1.1 101 OK\r\nUpgrade: websocket\nConnection: upgrade\r\n\n";

    ok(parse(lf, sizeof(lf) - 1, 0, &resp, hdrs, MAX_HDRS) == sizeof(lf) - 1, "LF only\n");
    ok(resp.num_headers == 2 && hdrs[1].value_len == 7, "LF headers\n");
    ok(parse(mixed, sizeof(mixed) - 1, 0, &resp, hdrs, MAX_HDRS) == sizeof(mixed) - 1, "mixed\n");
    ok(resp.num_headers == 2 && hdrs[0].value_len == 9, "mixed values\n");
}

static void test_invalid(void)
{
    static const char *bad[] =
    {
        "HTTP/2.0 101 OK\r\n\r\n",          /* version */
        "HTTP/1.x 101 OK\r\n\r\n",
        "http/1.1 101 OK\r\n\r\n",
        "HTTP/1.1  101 OK\r\n\r\n",         /* double space */
        "HTTP/1.1 10 OK\r\n\r\n",           /* two digits */
        "HTTP/1.1 1010 OK\r\n\r\n",         /* four digits */
        "HTTP/1.1 1a1 OK\r\n\r\n",
        "HTTP/1.1 099 OK\r\n\r\n",
        "HTTP/1.1 101OK\r\n\r\n",
        "HTTP/1.1 101 O\x01K\r\n\r\n",      /* control char in reason */
        "HTTP/1.1 101 OK\r\r\n\r\n",        /* bare CR */
        "HTTP/1.1 101 OK\r\nA: b\rc\r\n\r\n",
        "HTTP/1.1 101 OK\r\nA: b\r\n continued\r\n\r\n",  /* obs-fold */
        "HTTP/1.1 101 OK\r\nA: b\r\n\tcontinued\r\n\r\n",
        "HTTP/1.1 101 OK\r\n Leading: space\r\n\r\n",
        "HTTP/1.1 101 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 101 OK\r\nName : v\r\n\r\n",  /* space before colon */
        "HTTP/1.1 101 OK\r\n: v\r\n\r\n",       /* empty name */
        "HTTP/1.1 101 OK\r\nA(b): v\r\n\r\n",   /* separator in name */
        "HTTP/1.1 101 OK\r\nA: v\x7f\r\n\r\n",  /* DEL */
        "HTTP/1.1 101 OK\r\nA: v\x1b[0m\r\n\r\n",
        "HTTP/1.1 101 OK\r\nA: v\r\n\r\r",      /* bad end */
        " HTTP/1.1 101 OK\r\n\r\n",
        "\r\nHTTP/1.1 101 OK\r\n\r\n",
    };
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        size_t len = strlen(bad[i]), cut;
        ptrdiff_t r = parse(bad[i], len, 0, &resp, hdrs, MAX_HDRS);
        int prefix_ok = 1, seen_invalid = 0;

        ok(r == WSP_HTTP_INVALID, "bad %u: got %d\n", i, (int)r);
        /* prefixes are INCOMPLETE until the bad byte, INVALID from there on */
        for (cut = 0; cut <= len; cut++)
        {
            ptrdiff_t p = parse(bad[i], cut, 0, &resp, hdrs, MAX_HDRS);
            if (p == WSP_HTTP_INVALID) seen_invalid = 1;
            else if (p != WSP_HTTP_INCOMPLETE || seen_invalid) prefix_ok = 0;
        }
        ok(prefix_ok, "bad %u: prefixes inconsistent\n", i);
    }
    /* a NUL byte is a control character too */
    ok(parse("HTTP/1.1 101 O\0K\r\n\r\n", 20, 0, &resp, hdrs, MAX_HDRS) == WSP_HTTP_INVALID, "NUL\n");
    /* obs-text (bytes >= 0x80) is allowed in values */
    ok(parse("HTTP/1.1 200 OK\r\nA: caf\xc3\xa9\r\n\r\n", 29, 0, &resp, hdrs, MAX_HDRS) == 29, "obs-text\n");
}

/* WSP_HTTP_BLANK_BEFORE_COLON: "Name  :  v" is the header "Name" (WinHTTP's
 * responses); names still may not start with or consist of blanks. */
static void test_blank_before_colon(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nSpaceAfterHdr  :   bad\r\nOkHdr\t: ok\r\n\r\n";
    static const char *const bad[] =
    {
        "HTTP/1.1 200 OK\r\n Leading: space\r\n\r\n",
        "HTTP/1.1 200 OK\r\n  : v\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTwo words : v\r\n\r\n",
    };
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    size_t n = sizeof(head) - 1, cut;
    ptrdiff_t r;
    unsigned i;

    r = wsp_http_parse_response_ex(head, n, 0, WSP_HTTP_BLANK_BEFORE_COLON, &resp, hdrs, MAX_HDRS);
    ok(r == (ptrdiff_t)n, "got %d\n", (int)r);
    ok(resp.num_headers == 2, "%u headers\n", (unsigned)resp.num_headers);
    ok(hdrs[0].name_len == 13 && !memcmp(hdrs[0].name, "SpaceAfterHdr", 13), "name 0 %s\n",
       wine_dbgstr_an(hdrs[0].name, (int)hdrs[0].name_len));
    ok(hdrs[0].value_len == 3 && !memcmp(hdrs[0].value, "bad", 3), "value 0\n");
    ok(hdrs[1].name_len == 5 && !memcmp(hdrs[1].name, "OkHdr", 5), "name 1\n");
    for (cut = 0; cut < n; cut++)
        if (wsp_http_parse_response_ex(head, cut, 0, WSP_HTTP_BLANK_BEFORE_COLON, &resp, hdrs, MAX_HDRS) !=
            WSP_HTTP_INCOMPLETE) break;
    ok(cut == n, "prefix of %u bytes not INCOMPLETE\n", (unsigned)cut);
    /* without the flag it stays invalid */
    ok(parse(head, n, 0, &resp, hdrs, MAX_HDRS) == WSP_HTTP_INVALID, "strict parse accepted it\n");
    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        r = wsp_http_parse_response_ex(bad[i], strlen(bad[i]), 0, WSP_HTTP_BLANK_BEFORE_COLON, &resp, hdrs, MAX_HDRS);
        ok(r == WSP_HTTP_INVALID, "bad %u: got %d\n", i, (int)r);
    }
}

static void test_too_many_headers(void)
{
    static const char three[] = "HTTP/1.1 101 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    struct wsp_http_header hdrs[3];
    struct wsp_http_response resp;

    ok(parse(three, sizeof(three) - 1, 0, &resp, hdrs, 3) == sizeof(three) - 1, "3 of 3\n");
    ok(parse(three, sizeof(three) - 1, 0, &resp, hdrs, 2) == WSP_HTTP_TOO_MANY_HEADERS, "3 of 2\n");
    ok(parse(three, sizeof(three) - 1, 0, &resp, hdrs, 0) == WSP_HTTP_TOO_MANY_HEADERS, "3 of 0\n");
    ok(parse("HTTP/1.1 101 OK\r\n\r\n", 19, 0, &resp, hdrs, 0) == 19, "0 of 0\n");
}

static void test_too_large(void)
{
    static const char head[] = "HTTP/1.1 101 OK\r\nA: 1\r\n\r\n";   /* 25 bytes */
    struct wsp_http_header hdrs[MAX_HDRS];
    struct wsp_http_response resp;
    size_t n = sizeof(head) - 1;

    ok(parse(head, n, n, &resp, hdrs, MAX_HDRS) == (ptrdiff_t)n, "exactly max\n");
    ok(parse(head, n, n - 1, &resp, hdrs, MAX_HDRS) == WSP_HTTP_TOO_LARGE, "max - 1\n");
    ok(parse(head, n - 5, n - 1, &resp, hdrs, MAX_HDRS) == WSP_HTTP_INCOMPLETE, "not there yet\n");
    ok(parse(head, n - 1, n - 1, &resp, hdrs, MAX_HDRS) == WSP_HTTP_TOO_LARGE, "at the cap\n");
    ok(parse(head, n, 5, &resp, hdrs, MAX_HDRS) == WSP_HTTP_TOO_LARGE, "tiny cap\n");
    /* garbage inside the cap is still INVALID, not TOO_LARGE */
    ok(parse("HTTP/1.1 1x1 OK\r\n\r\n", 19, 12, &resp, hdrs, MAX_HDRS) == WSP_HTTP_INVALID, "invalid first\n");
}

static void test_list_contains(void)
{
    static const struct
    {
        const char *value;
        int expect;
    }
    tests[] =
    {
        { "Upgrade", 1 },
        { "upgrade", 1 },
        { "keep-alive, Upgrade", 1 },
        { "keep-alive,UPGRADE ", 1 },
        { " , ,upgrade,,", 1 },
        { "\tupgrade\t, close", 1 },
        { "keep-alive", 0 },
        { "upgraded", 0 },
        { "up grade", 0 },
        { "", 0 },
        { "upgrade2, xupgrade", 0 },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
        ok(wsp_http_list_contains(tests[i].value, strlen(tests[i].value), "upgrade", 7) == tests[i].expect,
           "%s\n", tests[i].value);
    ok(wsp_ascii_ieq("WebSocket", 9, "websocket", 9), "ieq\n");
    ok(!wsp_ascii_ieq("websocket", 9, "websockets", 10), "ieq length\n");
    ok(!wsp_ascii_ieq("websocke\xd4", 9, "websocke\xf4", 9), "ieq must be ASCII only\n");
}

START_TEST(http)
{
    test_typical();
    test_truncation();
    test_line_endings();
    test_invalid();
    test_blank_before_colon();
    test_too_many_headers();
    test_too_large();
    test_list_contains();
}
