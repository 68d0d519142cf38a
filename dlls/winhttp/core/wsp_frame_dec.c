/*
 * WebSocket frame decoder, server to client (RFC 6455 5.2-5.5)
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * A push parser: the caller hands in whatever bytes arrived, the decoder
 * returns at most one event per call.  Data payloads are never copied; a
 * DATA event points into the caller's buffer.  Only frame headers (at most
 * 10 bytes, server frames are unmasked) and control payloads (at most 125
 * bytes) are buffered, so the result never depends on how input is chunked.
 */

#include <string.h>

#include "wsp.h"

static const char * const status_names[WSP_STATUS_COUNT] =
{
    "WSP_OK",
    "WSP_NEED_MORE",
    "WSP_CLOSED",
    "WSP_E_MASKED",
    "WSP_E_RSV",
    "WSP_E_OPCODE",
    "WSP_E_CONTROL_FRAGMENTED",
    "WSP_E_CONTROL_TOO_LONG",
    "WSP_E_NON_MINIMAL_LENGTH",
    "WSP_E_LENGTH_TOP_BIT",
    "WSP_E_UNEXPECTED_CONTINUATION",
    "WSP_E_EXPECTED_CONTINUATION",
    "WSP_E_CLOSE_PAYLOAD_SIZE",
    "WSP_E_CLOSE_CODE",
    "WSP_E_CLOSE_REASON_UTF8",
    "WSP_E_TEXT_UTF8",
    "WSP_E_MESSAGE_TOO_BIG",
};

const char *wsp_status_name(enum wsp_status status)
{
    if ((unsigned)status >= WSP_STATUS_COUNT) return "WSP_?";
    return status_names[status];
}

unsigned wsp_status_close_code(enum wsp_status status)
{
    switch (status)
    {
    case WSP_OK:
    case WSP_NEED_MORE:
    case WSP_CLOSED:
    case WSP_STATUS_COUNT:
        return 0;
    case WSP_E_CLOSE_REASON_UTF8:
    case WSP_E_TEXT_UTF8:
        return 1007;
    case WSP_E_MESSAGE_TOO_BIG:
        return 1009;
    default:
        return 1002;
    }
}

void wsp_decoder_init(struct wsp_decoder *d, uint64_t max_message)
{
    memset(d, 0, sizeof(*d));
    d->state = WSP_DEC_HEADER;
    d->max_message = max_message;
    wsp_utf8_init(&d->utf8);
}

static enum wsp_status fail(struct wsp_decoder *d, enum wsp_status status)
{
    d->state = WSP_DEC_ERROR;
    d->error = status;
    return status;
}

/* Checks the 2-byte base header; everything here is decidable without the
 * extended length. */
static enum wsp_status check_base_header(struct wsp_decoder *d)
{
    uint8_t b0 = d->hdr[0], b1 = d->hdr[1];
    unsigned opcode = b0 & 0x0f, len7 = b1 & 0x7f;

    if (b0 & 0x70) return WSP_E_RSV;
    switch (opcode)
    {
    case WSP_OP_CONTINUATION:
        if (!d->msg_opcode) return WSP_E_UNEXPECTED_CONTINUATION;
        break;
    case WSP_OP_TEXT:
    case WSP_OP_BINARY:
        if (d->msg_opcode) return WSP_E_EXPECTED_CONTINUATION;
        break;
    case WSP_OP_CLOSE:
    case WSP_OP_PING:
    case WSP_OP_PONG:
        if (!(b0 & 0x80)) return WSP_E_CONTROL_FRAGMENTED;
        if (len7 > WSP_MAX_CONTROL_PAYLOAD) return WSP_E_CONTROL_TOO_LONG;
        break;
    default:
        return WSP_E_OPCODE;
    }
    /* a server must not mask (5.1) */
    if (b1 & 0x80) return WSP_E_MASKED;
    d->opcode = opcode;
    d->fin = !!(b0 & 0x80);
    return WSP_OK;
}

/* Header complete: set up payload handling for a frame of len bytes. */
static enum wsp_status start_frame(struct wsp_decoder *d, uint64_t len)
{
    d->remaining = len;
    d->frame_started = 0;
    d->hdr_have = 0;
    if (d->opcode & 0x8)
    {
        d->ctrl_len = 0;
        d->state = WSP_DEC_CONTROL;
        return WSP_OK;
    }
    if (d->opcode != WSP_OP_CONTINUATION)
    {
        d->msg_opcode = d->opcode;
        d->msg_len = 0;
        d->msg_started = 0;
        wsp_utf8_init(&d->utf8);
    }
    /* msg_len <= max_message and len < 2^63, so the sum cannot wrap */
    if (d->max_message && d->msg_len + len > d->max_message) return WSP_E_MESSAGE_TOO_BIG;
    d->msg_len += len;
    d->state = WSP_DEC_DATA;
    return WSP_OK;
}

static enum wsp_status parse_close(const uint8_t *p, size_t len, struct wsp_event *ev)
{
    ev->has_code = 0;
    ev->code = 1005;
    ev->reason = (const char *)p;
    ev->reason_len = 0;
    if (!len) return WSP_OK;
    if (len == 1) return WSP_E_CLOSE_PAYLOAD_SIZE;
    ev->has_code = 1;
    ev->code = ((unsigned)p[0] << 8) | p[1];
    if (!wsp_close_code_valid_on_wire(ev->code)) return WSP_E_CLOSE_CODE;
    ev->reason = (const char *)p + 2;
    ev->reason_len = len - 2;
    if (!wsp_utf8_valid(ev->reason, ev->reason_len)) return WSP_E_CLOSE_REASON_UTF8;
    return WSP_OK;
}

/* Emits the next span of a data frame; p..end is the unread input. */
static enum wsp_status emit_data(struct wsp_decoder *d, const uint8_t *p, const uint8_t *end,
                                 size_t max_data, size_t *used, struct wsp_event *ev)
{
    size_t n = end - p;

    if ((uint64_t)n > d->remaining) n = (size_t)d->remaining;
    if (max_data && n > max_data) n = max_data;
    *used = 0;
    /* only an empty frame may produce an empty span */
    if (!n && (d->remaining || d->frame_started)) return WSP_NEED_MORE;

    if (d->msg_opcode == WSP_OP_TEXT)
    {
        size_t good = wsp_utf8_feed(&d->utf8, p, n);
        if (good < n)
        {
            /* deliver what precedes the bad byte, fail on the next call */
            if (!good) return WSP_E_TEXT_UTF8;
            d->pending = WSP_E_TEXT_UTF8;
            n = good;
        }
        else if (d->fin && (uint64_t)n == d->remaining && !wsp_utf8_finish(&d->utf8))
        {
            /* message ends inside a code point */
            if (!n) return WSP_E_TEXT_UTF8;
            d->pending = WSP_E_TEXT_UTF8;
        }
    }

    ev->type = WSP_EVENT_DATA;
    ev->opcode = d->msg_opcode;
    ev->data = p;
    ev->len = n;
    ev->flags = 0;
    if (!d->msg_started) ev->flags |= WSP_DATA_MESSAGE_START;
    if (!d->frame_started) ev->flags |= WSP_DATA_FRAME_START;
    if (d->fin) ev->flags |= WSP_DATA_FIN;
    d->msg_started = 1;
    d->frame_started = 1;
    d->remaining -= n;
    ev->frame_remaining = d->remaining;
    *used = n;

    if (!d->remaining && !d->pending)
    {
        ev->flags |= WSP_DATA_FRAME_END;
        if (d->fin)
        {
            ev->flags |= WSP_DATA_MESSAGE_END;
            d->msg_opcode = 0;
        }
        d->state = WSP_DEC_HEADER;
    }
    return WSP_OK;
}

enum wsp_status wsp_decode(struct wsp_decoder *d, const void *in, size_t len, size_t max_data,
                           size_t *consumed, struct wsp_event *ev)
{
    const uint8_t *start = in, *p = start, *end = start + len;
    enum wsp_status status;
    size_t used;

    memset(ev, 0, sizeof(*ev));
    *consumed = 0;
    if (d->state == WSP_DEC_ERROR) return d->error;
    if (d->pending) return fail(d, d->pending);
    if (d->state == WSP_DEC_CLOSED) return WSP_CLOSED;

    for (;;)
    {
        switch (d->state)
        {
        case WSP_DEC_HEADER:
            while (d->hdr_have < 2 && p < end) d->hdr[d->hdr_have++] = *p++;
            if (d->hdr_have < 2) goto need_more;
            if ((status = check_base_header(d))) goto error;
            switch (d->hdr[1] & 0x7f)
            {
            case 126:
                d->hdr_need = 4;
                d->state = WSP_DEC_LENGTH;
                break;
            case 127:
                d->hdr_need = 10;
                d->state = WSP_DEC_LENGTH;
                break;
            default:
                if ((status = start_frame(d, d->hdr[1] & 0x7f))) goto error;
                break;
            }
            break;

        case WSP_DEC_LENGTH:
        {
            uint64_t flen = 0;
            unsigned i;

            while (d->hdr_have < d->hdr_need && p < end) d->hdr[d->hdr_have++] = *p++;
            if (d->hdr_have < d->hdr_need) goto need_more;
            for (i = 2; i < d->hdr_need; i++) flen = (flen << 8) | d->hdr[i];
            if (d->hdr_need == 4 && flen < 126)
            {
                status = WSP_E_NON_MINIMAL_LENGTH;
                goto error;
            }
            if (d->hdr_need == 10)
            {
                if (flen >> 63)
                {
                    status = WSP_E_LENGTH_TOP_BIT;
                    goto error;
                }
                if (flen < 65536)
                {
                    status = WSP_E_NON_MINIMAL_LENGTH;
                    goto error;
                }
            }
            if ((status = start_frame(d, flen))) goto error;
            break;
        }

        case WSP_DEC_DATA:
            status = emit_data(d, p, end, max_data, &used, ev);
            p += used;
            if (status == WSP_NEED_MORE) goto need_more;
            if (status != WSP_OK) goto error;
            *consumed = p - start;
            return WSP_OK;

        case WSP_DEC_CONTROL:
        {
            size_t n = end - p;

            if ((uint64_t)n > d->remaining) n = (size_t)d->remaining;
            memcpy(d->ctrl + d->ctrl_len, p, n);
            d->ctrl_len += n;
            d->remaining -= n;
            p += n;
            if (d->remaining) goto need_more;

            ev->opcode = d->opcode;
            ev->data = d->ctrl;
            ev->len = d->ctrl_len;
            if (d->opcode == WSP_OP_CLOSE)
            {
                ev->type = WSP_EVENT_CLOSE;
                if ((status = parse_close(d->ctrl, d->ctrl_len, ev))) goto error;
                d->state = WSP_DEC_CLOSED;
            }
            else
            {
                ev->type = d->opcode == WSP_OP_PING ? WSP_EVENT_PING : WSP_EVENT_PONG;
                d->state = WSP_DEC_HEADER;
            }
            *consumed = p - start;
            return WSP_OK;
        }

        case WSP_DEC_CLOSED:
        case WSP_DEC_ERROR:
            /* unreachable: handled before the loop */
            *consumed = p - start;
            return d->state == WSP_DEC_CLOSED ? WSP_CLOSED : d->error;
        }
    }

need_more:
    *consumed = p - start;
    return WSP_NEED_MORE;

error:
    *consumed = p - start;
    memset(ev, 0, sizeof(*ev));
    return fail(d, status);
}

enum wsp_status wsp_decoder_pending_error(const struct wsp_decoder *d)
{
    if (d->state == WSP_DEC_ERROR) return d->error;
    return d->pending;
}

uint64_t wsp_decoder_payload_remaining(const struct wsp_decoder *d)
{
    return d->state == WSP_DEC_DATA ? d->remaining : 0;
}
