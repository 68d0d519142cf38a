/* HTTP/1.1 request head parsing for the test server. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "srv.h"

size_t http_head_len(const unsigned char *p, size_t n)
{
    size_t i;

    /* Accept CRLFCRLF and, leniently, LFLF. */
    for (i = 0; i + 1 < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) { (*s)++; (*n)--; }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

int http_parse(const char *head, size_t len, struct http_req *r)
{
    const char *end = head + len, *p = head, *le, *sp1, *sp2;
    size_t n;

    memset(r, 0, sizeof(*r));
    r->head = head;
    r->headlen = len;
    le = line_end(p, end);
    sp1 = memchr(p, ' ', (size_t)(le - p));
    if (!sp1)
        return -1;
    sp2 = memchr(sp1 + 1, ' ', (size_t)(le - sp1 - 1));
    if (!sp2)
        return -1;
    n = (size_t)(sp1 - p);
    if (!n || n >= sizeof(r->method))
        return -1;
    memcpy(r->method, p, n);
    n = (size_t)(sp2 - sp1 - 1);
    if (!n || n >= sizeof(r->target))
        return -1;
    memcpy(r->target, sp1 + 1, n);
    if ((size_t)(le - sp2 - 1) < 8 || strncmp(sp2 + 1, "HTTP/1.", 7))
        return -1;
    r->minor = sp2[8] - '0';
    for (p = le + 1; p < end; p = le + 1) {
        const char *colon, *name, *val;
        size_t nl, vl;

        le = line_end(p, end);
        if (le == p || (le == p + 1 && *p == '\r'))
            break;
        colon = memchr(p, ':', (size_t)(le - p));
        if (!colon)
            return -1;
        if (r->nhdr >= SRV_MAX_HEADERS)
            return -1;
        name = p; nl = (size_t)(colon - p);
        val = colon + 1; vl = (size_t)(le - colon - 1);
        trim(&name, &nl);
        trim(&val, &vl);
        r->hdr[r->nhdr].name = name;
        r->hdr[r->nhdr].nlen = nl;
        r->hdr[r->nhdr].value = val;
        r->hdr[r->nhdr].vlen = vl;
        r->nhdr++;
    }
    return 0;
}

const struct http_header *http_find(const struct http_req *r, const char *name)
{
    size_t nl = strlen(name);
    int i;

    for (i = 0; i < r->nhdr; i++)
        if (r->hdr[i].nlen == nl && !strncasecmp(r->hdr[i].name, name, nl))
            return &r->hdr[i];
    return NULL;
}

int http_has_token(const struct http_req *r, const char *name, const char *token)
{
    size_t tl = strlen(token);
    int i;

    for (i = 0; i < r->nhdr; i++) {
        const char *v = r->hdr[i].value, *e = v + r->hdr[i].vlen;
        if (r->hdr[i].nlen != strlen(name) || strncasecmp(r->hdr[i].name, name, r->hdr[i].nlen))
            continue;
        while (v < e) {
            const char *c = memchr(v, ',', (size_t)(e - v)), *te = c ? c : e;
            const char *t = v;
            size_t n = (size_t)(te - v);
            trim(&t, &n);
            if (n == tl && !strncasecmp(t, token, tl))
                return 1;
            v = te + 1;
        }
    }
    return 0;
}
