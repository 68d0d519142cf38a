/*
 * Header lists and the logic of WinHttpQueryHeaders (headers.c).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_HEADERS_H
#define WINHTTP_HEADERS_H

#include "winhttp_private.h"

struct header
{
    WCHAR *name;
    WCHAR *value;
};

struct header_list
{
    struct header *items;
    size_t count, size;
};

void headers_free(struct header_list *list);
/* Index of the nth (0-based) header called name at or after 0, or -1. */
int headers_find(const struct header_list *list, const WCHAR *name, DWORD nth);
/* Applies one header with WINHTTP_ADDREQ_* semantics; returns an error code. */
DWORD headers_process(struct header_list *list, const WCHAR *name, const WCHAR *value, DWORD flags);
/* Checks name (a token) and value (no line break), trims the value's blanks
 * and applies it as headers_process does; returns an error code. */
DWORD headers_add_pair(struct header_list *list, const WCHAR *name, size_t name_len, const WCHAR *value,
                       size_t value_len, DWORD flags);
/* Parses "Name: value\r\n..." (len chars, or -1 for NUL-terminated) and
 * applies each line; returns an error code. */
DWORD headers_add_string(struct header_list *list, const WCHAR *str, DWORD len, DWORD flags);
/* Appends name/value given as bytes (from the wire, UTF-8 or Latin-1). */
DWORD headers_append_bytes(struct header_list *list, const char *name, size_t name_len,
                           const char *value, size_t value_len);

/* What WinHttpQueryHeaders needs to see of a request. */
struct query_source
{
    const struct header_list *list;     /* request or response headers */
    const WCHAR *first_line_parts[3];   /* response: version, status code, text; request: verb, path, version */
    BOOL is_request;
};

/* The level/modifier logic of WinHttpQueryHeaders; returns an error code and
 * follows the buffer protocol (*len in bytes). */
DWORD headers_query(const struct query_source *src, DWORD level, const WCHAR *name, void *buffer,
                    DWORD *len, DWORD *index);
/* The same for WinHttpQueryHeadersEx: parsed name/value pairs in the buffer. */
DWORD headers_query_ex(const struct query_source *src, DWORD level, UINT codepage, DWORD *index,
                       const WINHTTP_HEADER_NAME *header_name, void *buffer, DWORD *len,
                       WINHTTP_EXTENDED_HEADER **headers, DWORD *count);

#endif /* WINHTTP_HEADERS_H */
