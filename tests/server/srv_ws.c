/* WebSocket frame header parsing/building (RFC 6455 section 5.2). */
#include <string.h>
#include "srv.h"

int ws_parse_header(const unsigned char *p, size_t n, struct ws_frame *f)
{
    size_t need = 2;
    unsigned long long len;
    int i;

    if (n < 2)
        return 0;
    f->fin = p[0] >> 7;
    f->rsv = (p[0] >> 4) & 7;
    f->op = p[0] & 15;
    f->masked = p[1] >> 7;
    len = p[1] & 127;
    if (len == 126)
        need += 2;
    else if (len == 127)
        need += 8;
    if (f->masked)
        need += 4;
    if (n < need)
        return 0;
    if (len == 126) {
        len = (unsigned)p[2] << 8 | p[3];
    } else if (len == 127) {
        len = 0;
        for (i = 0; i < 8; i++)
            len = len << 8 | p[2 + i];
        if (len >> 63)
            return -1;
    }
    f->len = len;
    if (f->masked)
        memcpy(f->mask, p + need - 4, 4);
    else
        memset(f->mask, 0, 4);
    f->hdrlen = need;
    return 1;
}

void ws_unmask(unsigned char *p, size_t n, const unsigned char mask[4], size_t offset)
{
    unsigned char m[8];
    uint64_t m64, v;
    size_t i = 0;
    int k;

    for (k = 0; k < 8; k++)
        m[k] = mask[(offset + (size_t)k) & 3];
    memcpy(&m64, m, 8);
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, p + i, 8);
        v ^= m64;
        memcpy(p + i, &v, 8);
    }
    for (; i < n; i++)
        p[i] ^= m[i & 7];
}

int ws_put_frame(struct srv_buf *out, int fin, int op, const void *payload, size_t len)
{
    unsigned char h[10];
    size_t hl;
    int i;

    h[0] = (unsigned char)((fin ? 0x80 : 0) | (op & 15));
    if (len < 126) {
        h[1] = (unsigned char)len;
        hl = 2;
    } else if (len <= 0xffff) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        hl = 4;
    } else {
        h[1] = 127;
        for (i = 0; i < 8; i++)
            h[2 + i] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
        hl = 10;
    }
    if (srv_buf_reserve(out, hl + len))
        return -1;
    srv_buf_append(out, h, hl);
    return srv_buf_append(out, payload, len);
}

int ws_put_close(struct srv_buf *out, int code, const char *reason, size_t rlen)
{
    unsigned char p[125];

    if (code < 0)
        return ws_put_frame(out, 1, WS_CLOSE, "", 0);
    if (rlen > 123)
        rlen = 123;
    p[0] = (unsigned char)(code >> 8);
    p[1] = (unsigned char)code;
    memcpy(p + 2, reason, rlen);
    return ws_put_frame(out, 1, WS_CLOSE, p, rlen + 2);
}
