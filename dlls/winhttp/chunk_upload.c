/*
 * WINHTTP_FLAG_AUTOMATIC_CHUNKING: one write as one chunk (chunk_upload.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <string.h>

#include "chunk_upload.h"

size_t chunk_frame_init(struct chunk_frame *frame, const void *data, DWORD len)
{
    frame->size_len = (size_t)snprintf(frame->size_line, sizeof(frame->size_line), "%lx\r\n", (unsigned long)len);
    frame->data = data;
    frame->data_len = len;
    return frame->size_len + frame->data_len + 2;
}

/* Copies what of [start, start + part_len) falls in [*offset, *offset + *len)
 * to *dst, and moves the three on. */
static void fill_part(const void *part, size_t start, size_t part_len, size_t *offset, BYTE **dst, size_t *len)
{
    size_t from, n;

    if (!*len || *offset >= start + part_len || *offset < start) return;
    from = *offset - start;
    n = min(part_len - from, *len);
    memcpy(*dst, (const BYTE *)part + from, n);
    *dst += n;
    *offset += n;
    *len -= n;
}

void chunk_frame_fill(void *context, size_t offset, BYTE *dst, size_t len)
{
    const struct chunk_frame *frame = context;
    size_t data_start = frame->size_len, tail_start = data_start + frame->data_len;

    fill_part(frame->size_line, 0, frame->size_len, &offset, &dst, &len);
    fill_part(frame->data, data_start, frame->data_len, &offset, &dst, &len);
    fill_part("\r\n", tail_start, 2, &offset, &dst, &len);
}
