/* Plain HTTP/1.1 scenarios (paths under /http/) of the test server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "srv.h"

const char *srv_http_reason(int code)
{
    switch (code) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default:  return "Status";
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts))
        ;
}

static int body_allowed(int code) { return code >= 200 && code != 204 && code != 304; }

int srv_http_respond(struct srv_conn *c, int code, const char *extra_headers,
                     const char *body, size_t blen, int keep, int head_only)
{
    struct srv_buf out = { 0 };
    int rc;

    srv_buf_printf(&out, "HTTP/1.1 %d %s\r\nServer: wstest\r\n", code, srv_http_reason(code));
    if (body_allowed(code))
        srv_buf_printf(&out, "Content-Type: text/plain\r\nContent-Length: %zu\r\n", blen);
    srv_buf_printf(&out, "Connection: %s\r\n%s\r\n", keep ? "keep-alive" : "close",
                   extra_headers ? extra_headers : "");
    if (body_allowed(code) && !head_only)
        srv_buf_append(&out, body, blen);
    rc = srv_conn_write(c, out.p, out.len);
    srv_buf_free(&out);
    return rc;
}

static int send_chunked(struct srv_conn *c, int keep, int head_only)
{
    static const char *const chunks[] = { "hello", " ", "chunked", " ", "world" };
    char hdr[200];
    size_t i;

    snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nServer: wstest\r\nContent-Type: text/plain\r\n"
             "Transfer-Encoding: chunked\r\nConnection: %s\r\n\r\n", keep ? "keep-alive" : "close");
    if (srv_conn_write(c, hdr, strlen(hdr)))
        return -1;
    if (head_only)
        return 0;
    /* One write per chunk so the client sees them arrive separately. */
    for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n", strlen(chunks[i]), chunks[i]);
        if (srv_conn_write(c, buf, (size_t)n))
            return -1;
    }
    return srv_conn_write(c, "0\r\n\r\n", 5);
}

static int send_slow_headers(struct srv_conn *c, long delay, int keep, int head_only)
{
    char line[128];
    int i, n;

    n = snprintf(line, sizeof(line), "HTTP/1.1 200 OK\r\n");
    if (srv_conn_write(c, line, (size_t)n))
        return -1;
    for (i = 0; i < 5; i++) {
        sleep_ms(delay);
        n = snprintf(line, sizeof(line), "X-Slow-%d: %d\r\n", i, i);
        if (srv_conn_write(c, line, (size_t)n))
            return -1;
    }
    sleep_ms(delay);
    n = snprintf(line, sizeof(line), "Content-Length: 4\r\nConnection: %s\r\n\r\n%s",
                 keep ? "keep-alive" : "close", head_only ? "" : "slow");
    return srv_conn_write(c, line, (size_t)n);
}

/* /http/drip/MODE/PIECES/SIZE/MS: 200 whose body, PIECES * SIZE bytes
 * ("abc...z" repeated, as /http/large/N), goes out SIZE bytes at a time, MS
 * ms apart, the first piece right after the head; MODE frames it: "length"
 * (Content-Length), "chunked" (a chunk per piece) or "close" (no length,
 * then close).  For reads that must wait for more than one piece. */
static int send_drip(struct srv_conn *c, const char *args, int *keep, int head_only)
{
    static const char status[] = "HTTP/1.1 200 OK\r\nServer: wstest\r\nContent-Type: text/plain\r\n";
    char mode[16], hdr[256], size_line[32];
    unsigned pieces, size, delay, i;
    struct srv_buf body = { 0 };
    int rc = 0, n;

    if (sscanf(args, "%15[a-z]/%u/%u/%u", mode, &pieces, &size, &delay) != 4 || !pieces || pieces > 1000 ||
        !size || size > 65536 || delay > 10000 ||
        (strcmp(mode, "length") && strcmp(mode, "chunked") && strcmp(mode, "close")))
        return srv_http_respond(c, 400, NULL, "bad drip path\n", 14, *keep, head_only);
    if (!strcmp(mode, "close"))
        *keep = 0;
    if (!strcmp(mode, "length"))
        n = snprintf(hdr, sizeof(hdr), "Content-Length: %u\r\n", pieces * size);
    else if (!strcmp(mode, "chunked"))
        n = snprintf(hdr, sizeof(hdr), "Transfer-Encoding: chunked\r\n");
    else
        n = 0;
    snprintf(hdr + n, sizeof(hdr) - n, "Connection: %s\r\n\r\n", *keep ? "keep-alive" : "close");
    srv_buf_fill(&body, (size_t)pieces * size);
    if (body.len != (size_t)pieces * size)
        rc = -1;
    if (!rc)
        rc = srv_conn_write(c, status, strlen(status));
    if (!rc)
        rc = srv_conn_write(c, hdr, strlen(hdr));
    for (i = 0; !rc && !head_only && i < pieces; i++) {
        if (i)
            sleep_ms(delay);
        if (!strcmp(mode, "chunked")) {
            n = snprintf(size_line, sizeof(size_line), "%x\r\n", size);
            rc = srv_conn_write(c, size_line, (size_t)n);
        }
        if (!rc)
            rc = srv_conn_write(c, body.p + (size_t)i * size, size);
        if (!rc && !strcmp(mode, "chunked"))
            rc = srv_conn_write(c, "\r\n", 2);
    }
    if (!rc && !head_only && !strcmp(mode, "chunked"))
        rc = srv_conn_write(c, "0\r\n\r\n", 5);
    srv_buf_free(&body);
    return rc;
}

/* 200 with the Content-Type TYPE (URL-decoded, at most 200 bytes) and the
 * request body as the response body. */
static int send_typed(struct srv_conn *c, const char *type, const unsigned char *body, size_t blen, int keep,
                      int head_only)
{
    struct srv_buf out = { 0 };
    char decoded[256];
    size_t n = strlen(type);
    int rc;

    if (n > 200)
        n = 200;
    srv_url_decode(type, n, decoded);
    srv_buf_printf(&out, "HTTP/1.1 200 OK\r\nServer: wstest\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: %s\r\n\r\n", decoded, blen, keep ? "keep-alive" : "close");
    if (!head_only)
        srv_buf_append(&out, body, blen);
    rc = srv_conn_write(c, out.p, out.len);
    srv_buf_free(&out);
    return rc;
}

/* /http/auth-basic/USER/PASS: 401 with a Basic challenge unless the request
 * carries "Authorization: Basic base64(USER:PASS)", then 200 "authorized USER". */
static int send_auth_basic(struct srv_conn *c, const struct http_req *r, const char *userpass, int keep,
                           int head_only)
{
    const struct http_header *h = http_find(r, "Authorization");
    char plain[256], expect[400], text[300];
    const char *slash = strchr(userpass, '/');
    size_t n;

    if (!slash || strlen(userpass) >= sizeof(plain))
        return srv_http_respond(c, 400, NULL, "bad auth path\n", 14, keep, head_only);
    n = srv_url_decode(userpass, (size_t)(slash - userpass), plain);
    plain[n++] = ':';
    n += srv_url_decode(slash + 1, strlen(slash + 1), plain + n);
    memcpy(expect, "Basic ", 6);
    expect[6 + srv_base64_encode((const unsigned char *)plain, n, expect + 6)] = 0;
    if (h && h->vlen == strlen(expect) && !memcmp(h->value, expect, h->vlen)) {
        int len = snprintf(text, sizeof(text), "authorized %.*s", (int)(strchr(plain, ':') - plain), plain);
        return srv_http_respond(c, 200, NULL, text, (size_t)len, keep, head_only);
    }
    return srv_http_respond(c, 401, "WWW-Authenticate: Basic realm=\"wstest\"\r\n", "Unauthorized", 12, keep,
                            head_only);
}

int srv_http_handle(struct srv_conn *c, const struct http_req *r, const unsigned char *body,
                    size_t blen, int *keep)
{
    const char *path = r->target, *arg;
    int head = !strcmp(r->method, "HEAD");
    char tmp[64];
    int rc;

    if (http_has_token(r, "Connection", "close"))
        *keep = 0;
    else if (r->minor == 0)
        *keep = http_has_token(r, "Connection", "keep-alive");
    else
        *keep = 1;

    if (!strcmp(path, "/http/hello")) {
        rc = srv_http_respond(c, 200, NULL, "hello", 5, *keep, head);
    } else if (!strcmp(path, "/http/chunked")) {
        rc = send_chunked(c, *keep, head);
    } else if (!strcmp(path, "/http/close-delimited")) {
        static const char resp[] = "HTTP/1.1 200 OK\r\nServer: wstest\r\nContent-Type: text/plain\r\n"
                                   "Connection: close\r\n\r\nclose delimited body";
        *keep = 0;
        rc = srv_conn_write(c, resp, head ? strlen(resp) - 20 : strlen(resp));
    } else if (!strcmp(path, "/http/echo-headers")) {
        rc = srv_http_respond(c, 200, NULL, r->head, r->headlen, *keep, head);
    } else if (!strcmp(path, "/http/set-cookie")) {
        /* a Set-Cookie header for each X-Set-Cookie header of the request */
        struct srv_buf hdrs = { 0 };
        int i;
        for (i = 0; i < r->nhdr; i++)
            if (r->hdr[i].nlen == 12 && !strncasecmp(r->hdr[i].name, "X-Set-Cookie", 12)) {
                srv_buf_append(&hdrs, "Set-Cookie: ", 12);
                srv_buf_append(&hdrs, r->hdr[i].value, r->hdr[i].vlen);
                srv_buf_append(&hdrs, "\r\n", 2);
            }
        srv_buf_append(&hdrs, "", 1);
        rc = srv_http_respond(c, 200, (const char *)hdrs.p, "set", 3, *keep, head);
        srv_buf_free(&hdrs);
    } else if (!strcmp(path, "/http/echo-body")) {
        rc = srv_http_respond(c, 200, NULL, (const char *)body, blen, *keep, head);
    } else if (!strncmp(path, "/http/auth-basic/", 17)) {
        rc = send_auth_basic(c, r, path + 17, *keep, head);
    } else if (!strncmp(path, "/http/typed/", 12)) {
        rc = send_typed(c, path + 12, body, blen, *keep, head);
    } else if (!strncmp(path, "/http/status/", 13)) {
        int code = atoi(path + 13);
        if (code < 100 || code > 999)
            code = 400;
        snprintf(tmp, sizeof(tmp), "status %d\n", code);
        rc = srv_http_respond(c, code, NULL, tmp, strlen(tmp), *keep, head);
    } else if (!strcmp(path, "/http/conn-id")) {
        snprintf(tmp, sizeof(tmp), "%llu", c->id);
        rc = srv_http_respond(c, 200, NULL, tmp, strlen(tmp), *keep, head);
    } else if (!strcmp(path, "/http/slow-headers") || !strncmp(path, "/http/slow-headers/", 19)) {
        arg = path[18] == '/' ? path + 19 : "200";
        rc = send_slow_headers(c, atol(arg), *keep, head);
    } else if (!strncmp(path, "/http/delay/", 12)) {
        sleep_ms(atol(path + 12));
        rc = srv_http_respond(c, 200, NULL, "hello", 5, *keep, head);
    } else if (!strncmp(path, "/http/drip/", 11)) {
        rc = send_drip(c, path + 11, keep, head);
    } else if (!strncmp(path, "/http/large/", 12)) {
        size_t n = strtoul(path + 12, NULL, 10);
        struct srv_buf big = { 0 };
        if (n > (256u << 20))
            n = 256u << 20;
        srv_buf_fill(&big, n);
        rc = big.len == n ? srv_http_respond(c, 200, NULL, (const char *)big.p, n, *keep, head) : -1;
        srv_buf_free(&big);
    } else if (!strncmp(path, "/http/record/", 13)) {
        struct srv_buf text = { 0 };
        if (srv_record_take(path + 13, 5000, &text))
            rc = srv_http_respond(c, 404, NULL, "no such record\n", 15, *keep, head);
        else
            rc = srv_http_respond(c, 200, NULL, (const char *)text.p, text.len, *keep, head);
        srv_buf_free(&text);
    } else {
        rc = srv_http_respond(c, 404, NULL, "not found\n", 10, *keep, head);
    }
    if (rc)
        *keep = 0;
    return 1;
}
