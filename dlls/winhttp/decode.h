/*
 * Content-Encoding of response bodies (WINHTTP_OPTION_DECOMPRESSION): the
 * gzip and deflate codings, decoded with zlib (linked statically).
 *
 * A decoder belongs to one request's body and is used by the operation in
 * progress only (request_private.h: operations never overlap), so it has no
 * lock.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_DECODE_H
#define WINHTTP_DECODE_H

#include "headers.h"
#include "wsp.h"

enum content_coding
{
    CODING_NONE,
    CODING_GZIP,
    CODING_DEFLATE,
};

struct decoder;

/* The coding WinHTTP decodes for this response head, given the request's
 * WINHTTP_DECOMPRESSION_FLAG_*: one Content-Encoding header naming one coding
 * the flags allow, and no Content-Range. */
enum content_coding decode_choose(DWORD flags, const struct wsp_http_response *resp);

/* Adds the codings the flags allow to the request's Accept-Encoding (one
 * header; tokens already there are not repeated). */
DWORD decode_accept_encoding(DWORD flags, struct header_list *headers);

DWORD decoder_create(enum content_coding coding, struct decoder **out);
void decoder_free(struct decoder *dec);

/* Decodes from in (in_len bytes; *consumed taken) into out (*produced
 * written).  ERROR_WINHTTP_INVALID_SERVER_RESPONSE when the stream is not
 * valid.  Bytes after the end of the coded stream are taken and dropped. */
DWORD decoder_run(struct decoder *dec, const void *in, size_t in_len, size_t *consumed, void *out, size_t out_size,
                  size_t *produced);
/* The coded stream ended (its trailer checked). */
BOOL decoder_ended(const struct decoder *dec);
/* The last run filled the output: more may come without more input. */
BOOL decoder_pending(const struct decoder *dec);
/* No coded byte was given yet (an empty body is no stream at all). */
BOOL decoder_untouched(const struct decoder *dec);

#endif /* WINHTTP_DECODE_H */
