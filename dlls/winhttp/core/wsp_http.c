/*
 * Bounded, zero-copy HTTP/1.1 response head parser
 *
 * Copyright 2026 The winhttp WebSocket core authors
 *
 * Stateless: every call parses buf from the start, so a caller that reads
 * the socket in pieces simply calls again with the longer buffer until it
 * gets something other than WSP_HTTP_INCOMPLETE.  Results point into buf.
 * Only the first max_head bytes are ever looked at.
 */

#include <string.h>

#include "wsp.h"

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-value / reason-phrase octet: VCHAR, SP, HTAB or obs-text */
static int is_text(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int wsp_ascii_ieq(const char *a, size_t a_len, const char *b, size_t b_len)
{
    size_t i;

    if (a_len != b_len) return 0;
    for (i = 0; i < a_len; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return 0;
    return 1;
}

/* End of line at *pp: CRLF or bare LF.  Returns 1 and advances, 0 if more
 * input is needed, -1 if a CR is followed by something else. */
static int eat_eol(const char **pp, const char *end)
{
    const char *p = *pp;

    if (*p == '\n')
    {
        *pp = p + 1;
        return 1;
    }
    /* caller guarantees *p is CR */
    if (p + 1 == end) return 0;
    if (p[1] != '\n') return -1;
    *pp = p + 2;
    return 1;
}

ptrdiff_t wsp_http_parse_response(const char *buf, size_t len, size_t max_head,
                                  struct wsp_http_response *resp,
                                  struct wsp_http_header *headers, size_t max_headers)
{
    return wsp_http_parse_response_ex(buf, len, max_head, 0, resp, headers, max_headers);
}

ptrdiff_t wsp_http_parse_response_ex(const char *buf, size_t len, size_t max_head, unsigned flags,
                                     struct wsp_http_response *resp,
                                     struct wsp_http_header *headers, size_t max_headers)
{
    static const char proto[] = "HTTP/1.";
    size_t limit = (max_head && max_head < len) ? max_head : len;
    const char *p = buf, *end = buf + limit, *s;
    unsigned i;
    int r;

    resp->minor_version = -1;
    resp->status = 0;
    resp->reason = NULL;
    resp->reason_len = 0;
    resp->headers = headers;
    resp->num_headers = 0;

    /* status line: HTTP/1.x SP 3DIGIT [SP reason] EOL */
    for (i = 0; i < sizeof(proto) - 1; i++, p++)
    {
        if (p == end) goto incomplete;
        if (*p != proto[i]) return WSP_HTTP_INVALID;
    }
    if (p == end) goto incomplete;
    if (*p < '0' || *p > '9') return WSP_HTTP_INVALID;
    resp->minor_version = *p++ - '0';
    if (p == end) goto incomplete;
    if (*p++ != ' ') return WSP_HTTP_INVALID;
    for (i = 0; i < 3; i++, p++)
    {
        if (p == end) goto incomplete;
        if (*p < '0' || *p > '9') return WSP_HTTP_INVALID;
        resp->status = resp->status * 10 + (*p - '0');
    }
    if (resp->status < 100) return WSP_HTTP_INVALID;
    if (p == end) goto incomplete;
    if (*p == ' ')
    {
        s = ++p;
        while (p < end && *p != '\r' && *p != '\n')
        {
            if (!is_text(*p)) return WSP_HTTP_INVALID;
            p++;
        }
        if (p == end) goto incomplete;
        resp->reason = s;
        resp->reason_len = p - s;
    }
    else if (*p != '\r' && *p != '\n') return WSP_HTTP_INVALID;
    if ((r = eat_eol(&p, end)) < 0) return WSP_HTTP_INVALID;
    if (!r) goto incomplete;

    /* header lines until the empty line */
    for (;;)
    {
        struct wsp_http_header h;

        if (p == end) goto incomplete;
        if (*p == '\r' || *p == '\n')
        {
            if ((r = eat_eol(&p, end)) < 0) return WSP_HTTP_INVALID;
            if (!r) goto incomplete;
            return p - buf;
        }
        /* a line starting with blanks is obs-fold (or garbage) */
        s = p;
        while (p < end && is_tchar(*p)) p++;
        h.name = s;
        h.name_len = p - s;
        if (flags & WSP_HTTP_BLANK_BEFORE_COLON) while (p < end && is_ows(*p)) p++;
        if (p == end) goto incomplete;
        if (!h.name_len || *p != ':') return WSP_HTTP_INVALID;
        p++;

        while (p < end && is_ows(*p)) p++;
        s = p;
        while (p < end && *p != '\r' && *p != '\n')
        {
            if (!is_text(*p)) return WSP_HTTP_INVALID;
            p++;
        }
        if (p == end) goto incomplete;
        h.value = s;
        h.value_len = p - s;
        while (h.value_len && is_ows(s[h.value_len - 1])) h.value_len--;
        if ((r = eat_eol(&p, end)) < 0) return WSP_HTTP_INVALID;
        if (!r) goto incomplete;

        if (resp->num_headers == max_headers) return WSP_HTTP_TOO_MANY_HEADERS;
        headers[resp->num_headers++] = h;
    }

incomplete:
    /* out of bytes: either the input ends here or we hit the size cap */
    if (limit < len || (max_head && limit == max_head)) return WSP_HTTP_TOO_LARGE;
    return WSP_HTTP_INCOMPLETE;
}

size_t wsp_http_find_header(const struct wsp_http_header *headers, size_t count, size_t start,
                            const char *name)
{
    size_t name_len = strlen(name);

    for (; start < count; start++)
        if (wsp_ascii_ieq(headers[start].name, headers[start].name_len, name, name_len)) break;
    return start;
}

int wsp_http_list_contains(const char *value, size_t value_len, const char *token, size_t token_len)
{
    const char *p = value, *end = value + value_len;

    while (p < end)
    {
        const char *s, *e;

        while (p < end && (is_ows(*p) || *p == ',')) p++;
        s = p;
        while (p < end && *p != ',') p++;
        e = p;
        while (e > s && is_ows(e[-1])) e--;
        if (e > s && wsp_ascii_ieq(s, e - s, token, token_len)) return 1;
    }
    return 0;
}
