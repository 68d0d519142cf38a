/*
 * WINHTTP_FLAG_AUTOMATIC_CHUNKING: the framing of one WinHttpWriteData as
 * one HTTP/1.1 chunk (RFC 9112 7.1), "SIZE\r\n" DATA "\r\n", sent in one
 * net_send_fill so that the program's data is copied once, into the send
 * buffer or the TLS records, and the chunk leaves in as few packets as the
 * data alone would.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_CHUNK_UPLOAD_H
#define WINHTTP_CHUNK_UPLOAD_H

#include "winhttp_private.h"

struct chunk_frame
{
    char size_line[16];        /* hex size + CRLF */
    size_t size_len;
    const BYTE *data;          /* the program's buffer: valid until the write completes */
    size_t data_len;
};

/* The last chunk, which ends the body (no trailers). */
#define CHUNK_LAST "0\r\n\r\n"

/* Frames len (> 0) bytes of data; returns the chunk's size on the wire. */
size_t chunk_frame_init(struct chunk_frame *frame, const void *data, DWORD len);
/* net_fill_fn over a struct chunk_frame. */
void chunk_frame_fill(void *context, size_t offset, BYTE *dst, size_t len);

#endif
