/*
 * Response bodies: framing (Content-Length, chunked with trailers, until
 * close) read through the request's input buffer, and the Content-Encoding
 * WinHTTP decodes (WINHTTP_OPTION_DECOMPRESSION, decode.c) between that
 * buffer and the program.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"

/* Longest chunk-size or trailer line, and all trailers together. */
#define MAX_CHUNK_LINE      4096
#define MAX_TRAILERS        (64 * 1024)
/* Decoded bytes waiting for the program. */
#define DECODE_BUFFER_SIZE  (16 * 1024)

void body_finish(struct request *req)
{
    req->body.done = TRUE;
    if (req->resp.status_code == HTTP_STATUS_SWITCH_PROTOCOLS) return;  /* kept for the upgrade */
    connection_release(req, req->body.keep_alive);
}

DWORD body_make_room(struct request *req, size_t limit)
{
    if (req->in.pos == req->in.len) req->in.pos = req->in.len = 0;
    else if (req->in.pos && req->in.len == req->in.size)
    {
        memmove(req->in.buf, req->in.buf + req->in.pos, req->in.len - req->in.pos);
        req->in.len -= req->in.pos;
        req->in.pos = 0;
    }
    if (req->in.len == req->in.size)
    {
        size_t size = req->in.size ? req->in.size * 2 : READ_BUFFER_SIZE;
        char *buf;
        if (size > limit) size = limit;
        if (size <= req->in.size) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        if (!(buf = heap_realloc(req->in.buf, size))) return ERROR_OUTOFMEMORY;
        req->in.buf = buf;
        req->in.size = size;
    }
    return ERROR_SUCCESS;
}

DWORD body_fill_input(struct request *req, size_t limit, BOOL *eof)
{
    size_t received;
    DWORD error;

    *eof = FALSE;
    /* Make room (not when resuming: the bytes landed at in.buf + in.len). */
    if (!req->io.ready && (error = body_make_room(req, limit))) return error;
    if ((error = connection_io(req, FALSE, req->in.buf + req->in.len, req->in.size - req->in.len, &received))) return error;
    if (!received) *eof = TRUE;
    req->in.len += received;
    return ERROR_SUCCESS;
}

BOOL response_list_has_token(const struct wsp_http_response *resp, const char *name, const char *token)
{
    size_t i = 0;

    while ((i = wsp_http_find_header(resp->headers, resp->num_headers, i, name)) < resp->num_headers)
    {
        if (wsp_http_list_contains(resp->headers[i].value, resp->headers[i].value_len, token, strlen(token)))
            return TRUE;
        i++;
    }
    return FALSE;
}

void body_reset(struct request *req)
{
    struct body *b = &req->body;

    b->mode = BODY_NONE;
    b->done = FALSE;
    b->keep_alive = FALSE;
    b->remaining = 0;
    b->chunk = CHUNK_SIZE;
    b->trailer_bytes = 0;
    decoder_free(b->decoder);
    b->decoder = NULL;
    heap_free(b->out);
    b->out = NULL;
    b->out_pos = b->out_len = 0;
}

static void remove_response_header(struct request *req, const WCHAR *name)
{
    while (headers_find(&req->resp.headers, name, 0) >= 0)
        headers_process(&req->resp.headers, name, NULL, WINHTTP_ADDREQ_FLAG_REPLACE);
}

/* A body in a coding the request allows is decoded; the program then sees
 * neither the coding nor the coded length (decode.c says why). */
static DWORD setup_decoding(struct request *req, const struct wsp_http_response *resp)
{
    enum content_coding coding;
    DWORD error;

    if (req->body.mode == BODY_NONE) return ERROR_SUCCESS;
    if ((coding = decode_choose(req->opts.decompression, resp)) == CODING_NONE) return ERROR_SUCCESS;
    if (!(req->body.out = heap_alloc(DECODE_BUFFER_SIZE))) return ERROR_OUTOFMEMORY;
    if ((error = decoder_create(coding, &req->body.decoder))) return error;
    remove_response_header(req, L"Content-Encoding");
    remove_response_header(req, L"Content-Length");
    TRACE("%p: decoding the body (%s)\n", req, coding == CODING_GZIP ? "gzip" : "deflate");
    return ERROR_SUCCESS;
}

static DWORD setup_framing(struct request *req, const struct wsp_http_response *resp)
{
    size_t i;

    if (resp->minor_version >= 1) req->body.keep_alive = !response_list_has_token(resp, "Connection", "close");
    else req->body.keep_alive = response_list_has_token(resp, "Connection", "keep-alive");
    if (req->send.body_overrun) req->body.keep_alive = FALSE;
    /* The program's "Connection: close" ends the connection whatever the
     * server answers (Wine 10's test_cache_control: Windows sends no further
     * request on it). */
    if (connection_asked_to_close(req)) req->body.keep_alive = FALSE;
    if (req->opts.disable_features & WINHTTP_DISABLE_KEEP_ALIVE) req->body.keep_alive = FALSE;

    if (!wcscmp(req->verb, L"HEAD") || resp->status == 204 || resp->status == 304 || resp->status < 200)
    {
        req->body.mode = BODY_NONE;
        return ERROR_SUCCESS;
    }
    if (response_list_has_token(resp, "Transfer-Encoding", "chunked"))
    {
        req->body.mode = BODY_CHUNKED;
        req->body.chunk = CHUNK_SIZE;
        return ERROR_SUCCESS;
    }
    if ((i = wsp_http_find_header(resp->headers, resp->num_headers, 0, "Content-Length")) < resp->num_headers)
    {
        const char *p = resp->headers[i].value, *end = p + resp->headers[i].value_len;
        ULONGLONG value = 0;

        if (p == end) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        for (; p < end; p++)
        {
            if (*p < '0' || *p > '9' || value > (~0ull - 9) / 10) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            value = value * 10 + (*p - '0');
        }
        req->body.mode = BODY_LENGTH;
        req->body.remaining = value;
        return ERROR_SUCCESS;
    }
    req->body.mode = BODY_UNTIL_CLOSE;
    req->body.keep_alive = FALSE;
    return ERROR_SUCCESS;
}

DWORD body_setup(struct request *req, const struct wsp_http_response *resp)
{
    DWORD error = setup_framing(req, resp);

    if (!error) error = setup_decoding(req, resp);
    return error;
}


static size_t buffered(struct request *req)
{
    return req->in.len - req->in.pos;
}

/* Bytes of body that can be handed out now without I/O. */
static size_t body_available(struct request *req)
{
    size_t have = buffered(req);

    if (req->body.done) return 0;
    switch (req->body.mode)
    {
    case BODY_LENGTH:
        return (size_t)min((ULONGLONG)have, req->body.remaining);
    case BODY_CHUNKED:
        return req->body.chunk == CHUNK_DATA ? (size_t)min((ULONGLONG)have, req->body.remaining) : 0;
    case BODY_UNTIL_CLOSE:
        return have;
    default:
        return 0;
    }
}

/* Takes one line from the buffer if a whole one is there. */
static BOOL take_line(struct request *req, const char **line, size_t *len, DWORD *error)
{
    const char *start = req->in.buf + req->in.pos;
    const char *nl = memchr(start, '\n', buffered(req));

    *error = ERROR_SUCCESS;
    if (!nl)
    {
        if (buffered(req) > MAX_CHUNK_LINE) *error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        return FALSE;
    }
    *line = start;
    *len = nl - start;
    if (*len && start[*len - 1] == '\r') (*len)--;
    if (*len > MAX_CHUNK_LINE) *error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    req->in.pos += nl - start + 1;
    return TRUE;
}

static DWORD parse_chunk_size(const char *line, size_t len, ULONGLONG *size)
{
    size_t i = 0, digits = 0;

    *size = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    for (; i < len; i++, digits++)
    {
        char c = line[i];
        unsigned v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else break;
        if (*size >> 60) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        *size = (*size << 4) | v;
    }
    if (!digits) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    /* chunk extensions are ignored */
    if (i < len && line[i] != ';') return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    return ERROR_SUCCESS;
}

/* Moves the chunked decoder as far as the buffered bytes allow. */
static DWORD advance_chunked(struct request *req)
{
    const char *line;
    size_t len;
    DWORD error;

    for (;;)
    {
        switch (req->body.chunk)
        {
        case CHUNK_SIZE:
            if (!take_line(req, &line, &len, &error)) return error;
            if (error) return error;
            if ((error = parse_chunk_size(line, len, &req->body.remaining))) return error;
            req->body.chunk = req->body.remaining ? CHUNK_DATA : CHUNK_TRAILERS;
            break;
        case CHUNK_DATA:
            if (req->body.remaining) return ERROR_SUCCESS;
            req->body.chunk = CHUNK_DATA_END;
            break;
        case CHUNK_DATA_END:
            if (!take_line(req, &line, &len, &error)) return error;
            if (error || len) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            req->body.chunk = CHUNK_SIZE;
            break;
        case CHUNK_TRAILERS:
            if (!take_line(req, &line, &len, &error)) return error;
            if (error) return error;
            req->body.trailer_bytes += len + 2;
            if (req->body.trailer_bytes > MAX_TRAILERS) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            if (!len) req->body.chunk = CHUNK_DONE;
            else if (!memchr(line, ':', len)) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            break;
        case CHUNK_DONE:
            return ERROR_SUCCESS;
        }
    }
}

/* Takes n body bytes off the input buffer. */
static void take_raw(struct request *req, size_t n)
{
    req->in.pos += n;
    if (req->body.mode == BODY_LENGTH || req->body.mode == BODY_CHUNKED) req->body.remaining -= n;
}

/* The framing of the body ended (the decoder, if any, is not asked). */
static BOOL framing_ended(struct request *req)
{
    if (req->body.mode == BODY_LENGTH) return !req->body.remaining;
    return req->body.mode == BODY_CHUNKED && req->body.chunk == CHUNK_DONE;
}

/* Drops the body's buffered bytes through its framing, up to its end or to
 * the end of the buffer. */
static DWORD skip_buffered(struct request *req)
{
    size_t n;
    DWORD error;

    for (;;)
    {
        if (req->body.mode == BODY_CHUNKED && (error = advance_chunked(req))) return error;
        if (framing_ended(req) || !(n = body_available(req))) return ERROR_SUCCESS;
        take_raw(req, n);
    }
}

/* A program that leaves a body unread (its handle closed, a redirect
 * followed) keeps the connection when the rest of the body, trailers
 * included, has arrived: what is buffered, then what the connection holds
 * now (net_recv_now), or within wait_ms (0: no waiting), limit bytes of
 * that at most (WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE).  TRUE when the
 * body ended there with no byte after it: the connection is at the next
 * response.  The caller owns req->in (the operation running, or no
 * operation at all). */
BOOL body_drain_now(struct request *req, ULONGLONG limit, DWORD wait_ms)
{
    ULONGLONG end = GetTickCount64() + wait_ms, now;
    size_t received;
    DWORD error;

    if (req->state != STATE_RESPONSE || req->body.done || !req->body.keep_alive || req->ws.taken || !req->conn ||
        (req->body.mode != BODY_LENGTH && req->body.mode != BODY_CHUNKED))
        return FALSE;
    /* a length past the limit is not waited for */
    if (req->body.mode == BODY_LENGTH && req->body.remaining > buffered(req) + limit) return FALSE;
    for (;;)
    {
        if (skip_buffered(req)) return FALSE;
        if (framing_ended(req))
        {
            if (buffered(req)) WARN("%p: %Iu bytes after the body\n", req, buffered(req));
            return !buffered(req);
        }
        /* the buffer does not grow: the skipped bytes made room */
        if (body_make_room(req, max(req->in.size, READ_BUFFER_SIZE))) return FALSE;
        error = net_recv_now(req->conn, req->in.buf + req->in.len, req->in.size - req->in.len, &received);
        if (error == ERROR_IO_PENDING && (now = GetTickCount64()) < end &&
            !net_wait_readable(req->conn, (int)(end - now)))
            continue;
        if (error || !received)
        {
            TRACE("%p: the rest of the body has not arrived\n", req);
            return FALSE;
        }
        if (received > limit) return FALSE;
        limit -= received;
        req->in.len += received;
    }
}

/* Checks whether the body ended with what is buffered. */
static DWORD check_body_end(struct request *req)
{
    DWORD error;

    if (req->body.done) return ERROR_SUCCESS;
    switch (req->body.mode)
    {
    case BODY_NONE:
        body_finish(req);
        break;
    case BODY_LENGTH:
        if (!req->body.remaining) body_finish(req);
        break;
    case BODY_CHUNKED:
        if ((error = advance_chunked(req))) return error;
        if (req->body.chunk == CHUNK_DONE) body_finish(req);
        break;
    default:
        break;
    }
    return ERROR_SUCCESS;
}

/* Runs the decoder over the body bytes in the input buffer, filling the
 * output buffer as far as they go (many small chunks make one read). */
static DWORD decode_buffered(struct request *req)
{
    struct body *b = &req->body;
    size_t raw, room, consumed, produced;
    DWORD error;

    for (;;)
    {
        if ((error = check_body_end(req))) return error;
        if (b->out_pos == b->out_len) b->out_pos = b->out_len = 0;
        room = DECODE_BUFFER_SIZE - b->out_len;
        raw = body_available(req);
        if (!room) return ERROR_SUCCESS;
        if (!raw && !decoder_pending(b->decoder))
        {
            /* The framing ended inside the coded stream: the body was cut
             * short.  An empty body is no stream at all (servers send
             * "Content-Encoding: gzip" on empty answers). */
            if (b->out_pos == b->out_len && b->done && !decoder_ended(b->decoder) &&
                !decoder_untouched(b->decoder))
            {
                WARN("%p: coded body ends before its stream\n", req);
                return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            }
            return ERROR_SUCCESS;
        }
        if ((error = decoder_run(b->decoder, req->in.buf + req->in.pos, raw, &consumed, b->out + b->out_len, room,
                                 &produced)))
            return error;
        take_raw(req, consumed);
        b->out_len += produced;
    }
}

/* Brings the next bytes for the program (or the end) forward as far as the
 * buffered input allows, without I/O. */
static DWORD prepare_output(struct request *req)
{
    return req->body.decoder ? decode_buffered(req) : check_body_end(req);
}

/* Bytes the program can read now without I/O. */
static size_t output_available(struct request *req)
{
    return req->body.decoder ? req->body.out_len - req->body.out_pos : body_available(req);
}

static const char *output_data(struct request *req)
{
    return req->body.decoder ? req->body.out + req->body.out_pos : req->in.buf + req->in.pos;
}

static void take_output(struct request *req, size_t n)
{
    if (req->body.decoder) req->body.out_pos += n;
    else take_raw(req, n);
}

BOOL body_complete(struct request *req)
{
    return req->body.done && !output_available(req) && (!req->body.decoder || !decoder_pending(req->body.decoder));
}

BOOL body_ready(struct request *req)
{
    return prepare_output(req) || output_available(req) || body_complete(req);
}

/* Blocks until bytes for the program are available or the body ended. */
static DWORD wait_for_body(struct request *req)
{
    DWORD error;
    BOOL eof;

    for (;;)
    {
        if ((error = prepare_output(req))) return error;
        if (output_available(req) || body_complete(req)) return ERROR_SUCCESS;
        if ((error = body_fill_input(req, max(req->in.size, READ_BUFFER_SIZE) * 2, &eof))) return error;
        if (!eof) continue;

        TRACE("%p: connection closed by the server\n", req);
        req->body.keep_alive = FALSE;
        if (req->body.mode == BODY_CHUNKED) return ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        body_finish(req);
        /* once more: a coded stream may still be cut short */
    }
}

DWORD query_data_available(struct request *req, DWORD *available)
{
    DWORD error;

    *available = 0;
    if (req->state != STATE_RESPONSE) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    if ((error = wait_for_body(req)))
    {
        if (error != ERROR_IO_PENDING) connection_drop(req);
        return error;
    }
    *available = (DWORD)min(output_available(req), (size_t)~0u);
    return ERROR_SUCCESS;
}

DWORD read_data(struct request *req, void *buffer, DWORD size, DWORD *read)
{
    char *out = buffer;
    DWORD error;
    size_t n;

    *read = 0;
    if (req->state != STATE_RESPONSE) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    if ((error = wait_for_body(req)))
    {
        if (error != ERROR_IO_PENDING) connection_drop(req);
        return error;
    }
    while (*read < size && (n = output_available(req)))
    {
        n = min(n, (size_t)(size - *read));
        memcpy(out + *read, output_data(req), n);
        take_output(req, n);
        *read += (DWORD)n;
        if ((error = prepare_output(req)))
        {
            /* A stream that stops decoding keeps its bad bytes buffered:
             * the program gets what decoded, and the error at its next read. */
            if (req->body.decoder) break;
            connection_drop(req);
            return error;
        }
    }
    TRACE("%p: read %lu bytes%s\n", req, *read, body_complete(req) ? ", body complete" : "");
    return ERROR_SUCCESS;
}

DWORD read_data_fill(struct request *req, void *buffer, DWORD size, DWORD *total)
{
    DWORD error, count;

    /* read_data parks inside the loop: on resumption it is called again
     * where it parked, its arguments unchanged (*total moved only after it
     * returned), and finds its I/O result there. */
    do
    {
        if ((error = read_data(req, (char *)buffer + *total, size - *total, &count))) return error;
        *total += count;
    } while (count && *total < size && !body_complete(req));
    return ERROR_SUCCESS;
}
