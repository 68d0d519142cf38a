/* Growable byte buffer and small text decoders used by the test server. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "srv.h"

int srv_buf_reserve(struct srv_buf *b, size_t extra)
{
    size_t want = b->len + extra, cap = b->cap ? b->cap : 4096;
    unsigned char *np;

    if (want <= b->cap)
        return 0;
    while (cap < want)
        cap *= 2;
    np = realloc(b->p, cap);
    if (!np)
        return -1;
    b->p = np;
    b->cap = cap;
    return 0;
}

int srv_buf_append(struct srv_buf *b, const void *d, size_t n)
{
    if (srv_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->p + b->len, d, n);
    b->len += n;
    return 0;
}

int srv_buf_printf(struct srv_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || srv_buf_reserve(b, (size_t)n + 1))
        return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void srv_buf_consume(struct srv_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

void srv_buf_free(struct srv_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int srv_hex_decode(const char *hex, size_t n, struct srv_buf *out)
{
    size_t i;

    if (n % 2)
        return -1;
    for (i = 0; i < n; i += 2) {
        int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
        unsigned char byte;
        if (hi < 0 || lo < 0)
            return -1;
        byte = (unsigned char)(hi << 4 | lo);
        if (srv_buf_append(out, &byte, 1))
            return -1;
    }
    return 0;
}

void srv_buf_fill(struct srv_buf *b, size_t n)
{
    size_t i;

    if (srv_buf_reserve(b, n))
        return;
    for (i = 0; i < n; i++)
        b->p[b->len + i] = (unsigned char)('a' + i % 26);
    b->len += n;
}

int srv_script_decode(const char *s, size_t n, struct srv_buf *out)
{
    size_t i = 0, j;

    while (i < n) {
        unsigned long count = 0;

        for (j = i; j < n && s[j] != '.'; j++)
            ;
        if (srv_hex_decode(s + i, j - i, out))
            return -1;
        if (j == n)
            break;
        /* ".N." */
        for (i = j + 1; i < n && s[i] >= '0' && s[i] <= '9' && count <= SRV_MAX_FILL; i++)
            count = count * 10 + (unsigned long)(s[i] - '0');
        if (i == j + 1 || i == n || s[i] != '.' || count > SRV_MAX_FILL)
            return -1;
        srv_buf_fill(out, count);
        i++;
    }
    return 0;
}

size_t srv_url_decode(const char *in, size_t n, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (in[i] == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 &&
            hexval(in[i + 2]) >= 0) {
            out[o++] = (char)(hexval(in[i + 1]) << 4 | hexval(in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = 0;
    return o;
}
