/*
 * WebSocket frame encoder, client to server (RFC 6455 5.2)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Client frames are always masked, so the header is 2 bytes, the extended
 * length (0, 2 or 8 bytes, always the shortest form) and the 4-byte key.
 */

#include <string.h>

#include "wsp.h"

static int is_control(unsigned opcode)
{
    return opcode & 0x8;
}

static int opcode_known(unsigned opcode)
{
    switch (opcode)
    {
    case WSP_OP_CONTINUATION:
    case WSP_OP_TEXT:
    case WSP_OP_BINARY:
    case WSP_OP_CLOSE:
    case WSP_OP_PING:
    case WSP_OP_PONG:
        return 1;
    }
    return 0;
}

size_t wsp_frame_header_size(uint64_t len)
{
    if (len < 126) return 6;
    if (len < 65536) return 8;
    return 14;
}

size_t wsp_encode_header(uint8_t *out, int fin, unsigned opcode, uint64_t len, const uint8_t mask[4])
{
    size_t pos = 2;
    unsigned i;

    if (!opcode_known(opcode)) return 0;
    if (is_control(opcode) && (!fin || len > WSP_MAX_CONTROL_PAYLOAD)) return 0;
    /* the 64-bit form has the top bit reserved */
    if (len >> 63) return 0;

    out[0] = (fin ? 0x80 : 0) | opcode;
    if (len < 126)
        out[1] = 0x80 | (uint8_t)len;
    else if (len < 65536)
    {
        out[1] = 0x80 | 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        pos = 4;
    }
    else
    {
        out[1] = 0x80 | 127;
        for (i = 0; i < 8; i++) out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        pos = 10;
    }
    memcpy(out + pos, mask, 4);
    return pos + 4;
}

size_t wsp_encode_frame(uint8_t *out, int fin, unsigned opcode, const void *payload, size_t len,
                        const uint8_t mask[4])
{
    size_t hdr = wsp_encode_header(out, fin, opcode, len, mask);

    if (!hdr) return 0;
    if (len) wsp_mask_copy(out + hdr, payload, len, mask, 0);
    return hdr + len;
}

size_t wsp_encode_frame_rng(uint8_t *out, int fin, unsigned opcode, const void *payload, size_t len,
                            wsp_rng_fn rng, void *rng_ctx)
{
    uint8_t mask[4];

    rng(rng_ctx, mask, sizeof(mask));
    return wsp_encode_frame(out, fin, opcode, payload, len, mask);
}

size_t wsp_encode_close_payload(uint8_t *out, unsigned code, const void *reason, size_t reason_len)
{
    /* "no status": the frame carries no body at all */
    if (code == 0 || code == 1005) return reason_len ? WSP_ENCODE_ERROR : 0;
    if (!wsp_close_code_sendable(code)) return WSP_ENCODE_ERROR;
    if (reason_len > WSP_MAX_CLOSE_REASON) return WSP_ENCODE_ERROR;
    if (reason_len && !wsp_utf8_valid(reason, reason_len)) return WSP_ENCODE_ERROR;

    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    if (reason_len) memcpy(out + 2, reason, reason_len);
    return 2 + reason_len;
}
