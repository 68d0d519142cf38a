/*
 * Conformance tests for WINHTTP_OPTION_DECOMPRESSION: gzip and deflate
 * (zlib-wrapped and raw) response bodies framed by Content-Length or chunked,
 * read synchronously and asynchronously (WinHttpReadDataEx with FILL_BUFFER
 * too), against a loopback server in this
 * process (raw_httpd.h) that sends the coded bytes as written here.
 *
 * What is checked is what public sources show of Windows (dlls/winhttp/decode.c
 * cites them): the request carries one Accept-Encoding naming the allowed
 * codings once each; a decoded response reports neither Content-Encoding nor
 * Content-Length; without the option (the default) or for a coding the flags
 * do not allow, the body is handed over as it came, headers and all.  A stream
 * that does not decode fails the read with ERROR_WINHTTP_INVALID_SERVER_RESPONSE
 * (docs/DECISIONS.md).  The documents are coded with zlib here, and one with
 * a fixed gzip member written by another encoder (Python's gzip module).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "raw_httpd.h"
#include <zlib.h>
#include "replay.h"

/* gzip.compress(b"Hello from a fixed gzip vector.\n", mtime=0), Python 3.11 */
static const char fixed_gzip[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xf3\x48\xcd\xc9\xc9\x57\x48\x2b\xca\xcf\x55\x48\x54\x48\xcb\xac\x48"
    "\x4d\x51\x48\xaf\xca\x2c\x50\x28\x4b\x4d\x2e\xc9\x2f\xd2\xe3\x02\x00\xc8\xc9\x3d\x6a\x20\x00\x00\x00";
static const char fixed_text[] = "Hello from a fixed gzip vector.\n";

#define DOC_SIZE (200 * 1024)
static char *doc;            /* the document every coded route carries */

enum framing { FRAME_LENGTH, FRAME_CHUNKED };

/* window bits for deflateInit2: gzip, zlib-wrapped deflate, raw deflate */
#define WB_GZIP (16 + MAX_WBITS)
#define WB_ZLIB MAX_WBITS
#define WB_RAW  (-MAX_WBITS)

static char *code(const char *data, size_t len, int window_bits, size_t *out_len)
{
    z_stream z;
    char *out;
    size_t size = len + len / 100 + 1024;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    if (!(out = malloc(size))) return NULL;
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)size;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
    {
        free(out);
        out = NULL;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

/* A whole answer: status line, the given headers, framing, the body (cut
 * into chunks of 'chunk' bytes, the first one of 7 to split the gzip header). */
static char *answer(const char *headers, const char *body, size_t body_len, enum framing framing, size_t chunk,
                    size_t *len)
{
    size_t size = body_len + (framing == FRAME_CHUNKED ? (body_len / max(chunk, 1) + 2) * 16 : 0) + 1024, pos = 0, off, n;
    char *out = malloc(size);

    if (!out) return NULL;
    pos += sprintf(out, "HTTP/1.1 200 OK\r\n%s", headers);
    if (framing == FRAME_LENGTH)
    {
        pos += sprintf(out + pos, "Content-Length: %u\r\n\r\n", (unsigned)body_len);
        memcpy(out + pos, body, body_len);
        pos += body_len;
    }
    else
    {
        pos += sprintf(out + pos, "Transfer-Encoding: chunked\r\n\r\n");
        for (off = 0; off < body_len; off += n)
        {
            n = min(off ? chunk : 7, body_len - off);
            pos += sprintf(out + pos, "%x\r\n", (unsigned)n);
            memcpy(out + pos, body + off, n);
            pos += n;
            pos += sprintf(out + pos, "\r\n");
        }
        pos += sprintf(out + pos, "0\r\n\r\n");
    }
    *len = pos;
    return out;
}

/* The routes; filled in by make_routes. */
enum route_id
{
    R_GZIP, R_GZIP_CHUNKED, R_ZLIB, R_RAW_DEFLATE, R_RAW_DEFLATE_CHUNKED, R_XGZIP, R_FIXED, R_EMPTY,
    R_CORRUPT, R_TRUNCATED, R_BAD_CRC, R_TWO_CODINGS, R_RANGE, R_COUNT
};
static struct raw_route routes[R_COUNT + 1];
static char *coded_gzip;        /* the coded document, for the passthrough check */
static size_t coded_gzip_len;

static void set_route(enum route_id id, const char *path, char *data, size_t len)
{
    routes[id].path = path;
    routes[id].answer = data;
    routes[id].len = len;
}

static BOOL make_routes(void)
{
    size_t zlib_len, raw_len, len, i;
    char *zlib_doc, *raw_doc, *bad;
    unsigned int seed = 12345;

    if (!(doc = malloc(DOC_SIZE))) return FALSE;
    /* text-like and compressible, but not trivially: words from a small LCG */
    for (i = 0; i < DOC_SIZE; i++)
    {
        seed = seed * 1103515245 + 12345;
        doc[i] = (seed >> 16) % 7 ? 'a' + (seed >> 20) % 26 : ' ';
    }
    coded_gzip = code(doc, DOC_SIZE, WB_GZIP, &coded_gzip_len);
    zlib_doc = code(doc, DOC_SIZE, WB_ZLIB, &zlib_len);
    raw_doc = code(doc, DOC_SIZE, WB_RAW, &raw_len);
    if (!coded_gzip || !zlib_doc || !raw_doc) return FALSE;

#define ANSWER(id, path, hdrs, body, blen, framing, chunk) \
    do { char *a_ = answer(hdrs, body, blen, framing, chunk, &len); if (!a_) return FALSE; set_route(id, path, a_, len); } while (0)
    ANSWER(R_GZIP, "/gzip", "Content-Encoding: gzip\r\n", coded_gzip, coded_gzip_len, FRAME_LENGTH, 0);
    ANSWER(R_GZIP_CHUNKED, "/gzip-chunked", "Content-Encoding: gzip\r\n", coded_gzip, coded_gzip_len, FRAME_CHUNKED, 1000);
    ANSWER(R_ZLIB, "/deflate-zlib", "Content-Encoding: deflate\r\n", zlib_doc, zlib_len, FRAME_LENGTH, 0);
    ANSWER(R_RAW_DEFLATE, "/deflate-raw", "Content-Encoding: deflate\r\n", raw_doc, raw_len, FRAME_LENGTH, 0);
    ANSWER(R_RAW_DEFLATE_CHUNKED, "/deflate-raw-chunked", "Content-Encoding: DEFLATE\r\n", raw_doc, raw_len,
           FRAME_CHUNKED, 1);
    ANSWER(R_XGZIP, "/x-gzip", "Content-Encoding: x-gzip\r\n", coded_gzip, coded_gzip_len, FRAME_CHUNKED, 4096);
    ANSWER(R_FIXED, "/fixed", "Content-Encoding: gzip\r\n", fixed_gzip, sizeof(fixed_gzip) - 1, FRAME_LENGTH, 0);
    ANSWER(R_EMPTY, "/empty", "Content-Encoding: gzip\r\n", "", 0, FRAME_LENGTH, 0);
    ANSWER(R_TWO_CODINGS, "/two-codings", "Content-Encoding: gzip, identity\r\n", coded_gzip, coded_gzip_len,
           FRAME_LENGTH, 0);
    ANSWER(R_RANGE, "/range", "Content-Encoding: gzip\r\nContent-Range: bytes 0-99/1000\r\n", coded_gzip, 100,
           FRAME_LENGTH, 0);

    /* a byte of the compressed data changed: the deflate stream breaks */
    if (!(bad = malloc(coded_gzip_len))) return FALSE;
    memcpy(bad, coded_gzip, coded_gzip_len);
    for (i = coded_gzip_len / 2; i < coded_gzip_len / 2 + 64; i++) bad[i] = (char)0xff;
    ANSWER(R_CORRUPT, "/corrupt", "Content-Encoding: gzip\r\n", bad, coded_gzip_len, FRAME_CHUNKED, 4096);
    /* the stream cut short by the framing */
    ANSWER(R_TRUNCATED, "/truncated", "Content-Encoding: gzip\r\n", coded_gzip, coded_gzip_len - 100, FRAME_LENGTH, 0);
    /* the trailer's CRC-32 wrong */
    memcpy(bad, coded_gzip, coded_gzip_len);
    bad[coded_gzip_len - 8] ^= 0x55;
    ANSWER(R_BAD_CRC, "/bad-crc", "Content-Encoding: gzip\r\n", bad, coded_gzip_len, FRAME_LENGTH, 0);
#undef ANSWER
    free(bad);
    free(zlib_doc);
    free(raw_doc);
    return TRUE;
}

static struct raw_httpd srv;

struct req
{
    HINTERNET ses, con, req;
    struct replay_async a;
    BOOL async;
};

/* A GET of path; flags: WINHTTP_OPTION_DECOMPRESSION on the request (~0u:
 * not set), session_flags on the session (~0u: not set). */
static BOOL open_get(struct req *r, BOOL async, const WCHAR *path, DWORD session_flags, DWORD flags)
{
    BOOL ret;

    memset(r, 0, sizeof(*r));
    r->async = async;
    replay_async_init(&r->a);
    r->ses = WinHttpOpen(L"winhttp-ws decompression test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                         async ? WINHTTP_FLAG_ASYNC : 0);
    ok(r->ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (session_flags != ~0u)
    {
        ret = WinHttpSetOption(r->ses, WINHTTP_OPTION_DECOMPRESSION, &session_flags, sizeof(session_flags));
        ok(ret, "DECOMPRESSION on the session failed: %lu\n", GetLastError());
    }
    if (async)
        WinHttpSetStatusCallback(r->ses, replay_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);
    r->con = r->ses ? WinHttpConnect(r->ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0) : NULL;
    r->req = r->con ? WinHttpOpenRequest(r->con, L"GET", path, NULL, NULL, NULL, 0) : NULL;
    ok(r->req != NULL, "opening the request failed: %lu\n", GetLastError());
    if (r->req && flags != ~0u)
    {
        ret = WinHttpSetOption(r->req, WINHTTP_OPTION_DECOMPRESSION, &flags, sizeof(flags));
        ok(ret, "DECOMPRESSION on the request failed: %lu\n", GetLastError());
    }
    return r->req != NULL;
}

static DWORD send_get(struct req *r)
{
    return REPLAY_CALL(&r->a, r->async, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE,
                       WinHttpSendRequest(r->req, NULL, 0, NULL, 0, 0, (DWORD_PTR)&r->a));
}

static void close_req(struct req *r)
{
    WinHttpCloseHandle(r->req);
    WinHttpCloseHandle(r->con);
    if (r->async) WinHttpSetStatusCallback(r->ses, NULL, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    WinHttpCloseHandle(r->ses);
    CloseHandle(r->a.event);
}

static BOOL has_header(HINTERNET req, DWORD level)
{
    WCHAR buf[256];
    DWORD len = sizeof(buf);
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpQueryHeaders(req, level, NULL, buf, &len, NULL);
    ok(ret || GetLastError() == ERROR_WINHTTP_HEADER_NOT_FOUND, "query %#lx: %lu\n", level, GetLastError());
    return ret;
}

static char body[DOC_SIZE + 16384];

/* A coded document decoded: the body is the document, the coding headers
 * are gone, and the request announced the codings. */
static void test_decoded(const WCHAR *path, BOOL async, BOOL on_session)
{
    DWORD status = 0, len = 0, error;
    char head[4096], raw[4096];
    DWORD raw_len = sizeof(raw);
    struct req r;

    winetest_push_context("%ls %s%s", path, async ? "async" : "sync", on_session ? " session" : "");
    if (!open_get(&r, async, path, on_session ? WINHTTP_DECOMPRESSION_FLAG_ALL : ~0u,
                  on_session ? ~0u : WINHTTP_DECOMPRESSION_FLAG_ALL))
    {
        winetest_pop_context();
        return;
    }
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = replay_receive(r.req, &r.a, async, &status, body, sizeof(body), &len);
    ok(!error && status == 200, "receive: %lu %lu\n", error, status);
    ok(len == DOC_SIZE && !memcmp(body, doc, DOC_SIZE), "decoded body of %lu bytes differs\n", len);
    ok(!has_header(r.req, WINHTTP_QUERY_CONTENT_ENCODING), "Content-Encoding still reported\n");
    ok(!has_header(r.req, WINHTTP_QUERY_CONTENT_LENGTH), "Content-Length still reported\n");
    ok(WinHttpQueryHeaders(r.req, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, raw, &raw_len, NULL),
       "raw headers: %lu\n", GetLastError());
    ok(!wcsstr((WCHAR *)raw, L"Content-Encoding") && !wcsstr((WCHAR *)raw, L"Content-Length"),
       "raw headers: %ls\n", (WCHAR *)raw);
    raw_httpd_last_head(&srv, head, sizeof(head));
    ok(strstr(head, "\r\nAccept-Encoding: gzip, deflate\r\n") != NULL, "request head: %s\n", head);
    close_req(&r);
    winetest_pop_context();
}

static void test_fixed_vector(void)
{
    DWORD status = 0, len = 0, error;
    struct req r;

    if (!open_get(&r, FALSE, L"/fixed", ~0u, WINHTTP_DECOMPRESSION_FLAG_GZIP)) return;
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = replay_receive(r.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && len == strlen(fixed_text) && !strcmp(body, fixed_text), "got %lu %lu %s\n", error,
       status, body);
    close_req(&r);
}

/* Not decoded: the coded bytes as sent, the headers kept. */
static void check_passthrough(const WCHAR *path, DWORD flags, const char *accept, const char *coded, size_t coded_len)
{
    DWORD status = 0, len = 0, error;
    char head[4096];
    struct req r;

    winetest_push_context("%ls flags %#lx", path, flags);
    if (!open_get(&r, FALSE, path, ~0u, flags))
    {
        winetest_pop_context();
        return;
    }
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = replay_receive(r.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200, "receive: %lu %lu\n", error, status);
    ok(len == coded_len && !memcmp(body, coded, coded_len), "body of %lu bytes, expected %Iu as sent\n", len, coded_len);
    ok(has_header(r.req, WINHTTP_QUERY_CONTENT_ENCODING), "Content-Encoding missing\n");
    ok(has_header(r.req, WINHTTP_QUERY_CONTENT_LENGTH), "Content-Length missing\n");
    raw_httpd_last_head(&srv, head, sizeof(head));
    if (accept) ok(strstr(head, accept) != NULL, "no %s in %s\n", accept, head);
    else ok(!strstr(head, "Accept-Encoding"), "Accept-Encoding sent without the option: %s\n", head);
    close_req(&r);
    winetest_pop_context();
}

static void test_passthrough(void)
{
    /* the option's default: nothing decoded, nothing announced */
    check_passthrough(L"/gzip", ~0u, NULL, coded_gzip, coded_gzip_len);
    check_passthrough(L"/gzip", 0, NULL, coded_gzip, coded_gzip_len);
    /* a coding the flags do not allow */
    check_passthrough(L"/gzip", WINHTTP_DECOMPRESSION_FLAG_DEFLATE, "\r\nAccept-Encoding: deflate\r\n", coded_gzip,
                      coded_gzip_len);
    /* two codings, and a range of a coded body */
    check_passthrough(L"/two-codings", WINHTTP_DECOMPRESSION_FLAG_ALL, "\r\nAccept-Encoding: gzip, deflate\r\n",
                      coded_gzip, coded_gzip_len);
    check_passthrough(L"/range", WINHTTP_DECOMPRESSION_FLAG_ALL, "\r\nAccept-Encoding: gzip, deflate\r\n", coded_gzip,
                      100);
}

/* The program's own Accept-Encoding gets the missing codings, once. */
static void check_accept_encoding(DWORD flags, const WCHAR *header, const char *expected)
{
    DWORD status, len, error;
    char head[4096];
    struct req r;

    if (!open_get(&r, FALSE, L"/fixed", ~0u, flags)) return;
    ok(WinHttpAddRequestHeaders(r.req, header, (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD), "add: %lu\n", GetLastError());
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = replay_receive(r.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && !strcmp(body, fixed_text), "got %lu %s\n", error, body);
    raw_httpd_last_head(&srv, head, sizeof(head));
    ok(strstr(head, expected) != NULL, "request head: %s\n", head);
    close_req(&r);
}

static void test_accept_encoding(void)
{
    check_accept_encoding(WINHTTP_DECOMPRESSION_FLAG_GZIP, L"Accept-Encoding: deflate",
                          "\r\nAccept-Encoding: deflate, gzip\r\n");
    check_accept_encoding(WINHTTP_DECOMPRESSION_FLAG_ALL, L"Accept-Encoding: GZIP;q=1.0",
                          "\r\nAccept-Encoding: GZIP;q=1.0, deflate\r\n");
}

static void test_empty(void)
{
    DWORD status = 0, len = 1, error;
    struct req r;

    if (!open_get(&r, FALSE, L"/empty", ~0u, WINHTTP_DECOMPRESSION_FLAG_ALL)) return;
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = replay_receive(r.req, NULL, FALSE, &status, body, sizeof(body), &len);
    ok(!error && status == 200 && !len, "got %lu %lu, %lu bytes\n", error, status, len);
    close_req(&r);
}

/* A stream that does not decode: the reads fail with
 * ERROR_WINHTTP_INVALID_SERVER_RESPONSE, after whatever decoded before the
 * damage; never a clean end. */
static void check_broken(const WCHAR *path, BOOL async)
{
    DWORD status = 0, len = 0, error, got, total = 0;
    unsigned int rounds;
    struct req r;

    winetest_push_context("%ls %s", path, async ? "async" : "sync");
    if (!open_get(&r, async, path, ~0u, WINHTTP_DECOMPRESSION_FLAG_GZIP))
    {
        winetest_pop_context();
        return;
    }
    error = send_get(&r);
    ok(!error, "send: %lu\n", error);
    error = REPLAY_CALL(&r.a, async, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, WinHttpReceiveResponse(r.req, NULL));
    ok(!error, "receive: %lu\n", error);
    len = sizeof(status);
    WinHttpQueryHeaders(r.req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &len, NULL);
    ok(status == 200, "status %lu\n", status);
    for (rounds = 0, error = 0; rounds < 1000; rounds++)
    {
        got = 0;
        error = REPLAY_CALL(&r.a, async, WINHTTP_CALLBACK_STATUS_READ_COMPLETE,
                            WinHttpReadData(r.req, body, 65536, async ? NULL : &got));
        if (error) break;
        if (async) got = r.a.bytes;
        if (!got) break;
        total += got;
    }
    ok(error == ERROR_WINHTTP_INVALID_SERVER_RESPONSE, "got %lu after %lu bytes\n", error, total);
    ok(total < DOC_SIZE, "%lu bytes decoded\n", total);
    close_req(&r);
    winetest_pop_context();
}

static void test_broken(void)
{
    check_broken(L"/corrupt", FALSE);
    check_broken(L"/corrupt", TRUE);
    check_broken(L"/truncated", FALSE);
    check_broken(L"/truncated", TRUE);
    check_broken(L"/bad-crc", FALSE);
}

/* A decoded body read to its end leaves its connection for the next request. */
static void test_keep_alive(void)
{
    DWORD flags = WINHTTP_DECOMPRESSION_FLAG_ALL, status, len, error;
    HINTERNET ses, con, req;
    LONG before = srv.connections;
    int i;

    ses = WinHttpOpen(L"winhttp-ws decompression test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(WinHttpSetOption(ses, WINHTTP_OPTION_DECOMPRESSION, &flags, sizeof(flags)), "set: %lu\n", GetLastError());
    con = WinHttpConnect(ses, L"127.0.0.1", (INTERNET_PORT)srv.port, 0);
    for (i = 0; i < 3; i++)
    {
        req = WinHttpOpenRequest(con, L"GET", i == 1 ? L"/gzip-chunked" : L"/deflate-zlib", NULL, NULL, NULL, 0);
        ok(req != NULL, "open: %lu\n", GetLastError());
        ok(WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0), "send: %lu\n", GetLastError());
        error = replay_receive(req, NULL, FALSE, &status, body, sizeof(body), &len);
        ok(!error && len == DOC_SIZE && !memcmp(body, doc, DOC_SIZE), "request %d: %lu, %lu bytes\n", i, error, len);
        WinHttpCloseHandle(req);
    }
    ok(srv.connections - before == 1, "%ld connections for 3 requests\n", srv.connections - before);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}

/* An asynchronous WinHttpReadDataEx with FILL_BUFFER: a Win32 error, 0
 * with the READ_COMPLETE count in *got. */
static DWORD fill_async(struct req *r, char *buffer, DWORD size, DWORD *got)
{
    DWORD error = WinHttpReadDataEx(r->req, buffer, size, NULL, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, 0, NULL);

    *got = 0;
    if (error && error != ERROR_IO_PENDING) return error;
    if (!replay_wait(&r->a, WINHTTP_CALLBACK_STATUS_READ_COMPLETE, &error)) return error;
    *got = r->a.bytes;
    return ERROR_SUCCESS;
}

/* FILL_BUFFER counts decoded bytes: on an asynchronous request a fill of
 * part of the document completes once, full, and the next one with the
 * rest (several decode-buffer rounds and receives each). */
static void test_fill_decoded(const WCHAR *path)
{
    static const DWORD first = 100000;
    DWORD error, got = 0;
    struct req r;

    winetest_push_context("fill %ls", path);
    if (open_get(&r, TRUE, path, ~0u, WINHTTP_DECOMPRESSION_FLAG_ALL))
    {
        error = send_get(&r);
        ok(!error, "send: %lu\n", error);
        error = REPLAY_CALL(&r.a, TRUE, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, WinHttpReceiveResponse(r.req, NULL));
        ok(!error, "receive: %lu\n", error);
        memset(body, 0, sizeof(body));
        error = fill_async(&r, body, first, &got);
        ok(!error && got == first, "first fill: %lu, %lu bytes\n", error, got);
        error = fill_async(&r, body + first, sizeof(body) - first, &got);
        ok(!error && got == DOC_SIZE - first, "second fill: %lu, %lu bytes\n", error, got);
        ok(!memcmp(body, doc, DOC_SIZE), "the decoded body differs\n");
        error = fill_async(&r, body, sizeof(body), &got);
        ok(!error && !got, "at the end: %lu, %lu bytes\n", error, got);
    }
    close_req(&r);
    winetest_pop_context();
}

START_TEST(decompression)
{
    static const WCHAR *const paths[] =
        { L"/gzip", L"/gzip-chunked", L"/deflate-zlib", L"/deflate-raw", L"/deflate-raw-chunked", L"/x-gzip" };
    unsigned int i;

    if (!make_routes() || !raw_httpd_start(&srv, routes))
    {
        ok(0, "setting up the server failed\n");
        return;
    }
    for (i = 0; i < ARRAY_SIZE(paths); i++)
    {
        test_decoded(paths[i], FALSE, FALSE);
        test_decoded(paths[i], TRUE, i % 2);
    }
    test_fill_decoded(L"/gzip");
    test_fill_decoded(L"/gzip-chunked");
    test_fixed_vector();
    test_passthrough();
    test_accept_encoding();
    test_empty();
    test_broken();
    test_keep_alive();
    raw_httpd_stop(&srv);
}
