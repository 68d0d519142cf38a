/* Base64 (RFC 4648, padded) and the WebSocket accept computation. */
#include <string.h>
#include "srv.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t srv_base64_encode(const unsigned char *in, size_t len, char *out)
{
    size_t i, o = 0;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = b64chars[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = b64chars[v >> 18];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = b64chars[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}

static int b64val(char c)
{
    const char *p = c ? strchr(b64chars, c) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

long srv_base64_decode(const char *in, size_t len, unsigned char *out, size_t outcap)
{
    size_t i, o = 0;

    if (len % 4)
        return -1;
    for (i = 0; i < len; i += 4) {
        int v[4], k, pad = 0;
        unsigned acc = 0;
        for (k = 0; k < 4; k++) {
            if (in[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(in[i + k])) < 0) {
                return -1;
            }
            acc = acc << 6 | (unsigned)v[k];
        }
        if (o + 3 - pad > outcap)
            return -1;
        out[o++] = (unsigned char)(acc >> 16);
        if (pad < 2) out[o++] = (unsigned char)(acc >> 8);
        if (pad < 1) out[o++] = (unsigned char)acc;
    }
    return (long)o;
}

void srv_ws_accept(const char *key, size_t keylen, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char tmp[256 + sizeof(guid)];
    unsigned char digest[SRV_SHA1_LEN];

    if (keylen > 256)
        keylen = 256;
    memcpy(tmp, key, keylen);
    memcpy(tmp + keylen, guid, sizeof(guid) - 1);
    srv_sha1(tmp, keylen + sizeof(guid) - 1, digest);
    srv_base64_encode(digest, sizeof(digest), out);
}
