/*
 * Cookies: Set-Cookie answers are kept per session and sent back with the
 * session's later requests (WINHTTP_DISABLE_COOKIES turns both off).
 *
 * What is matched follows RFC 6265 (domain-match 5.1.3, default path and
 * path-match 5.1.4, Secure 5.4); what Windows does differently, Wine's
 * test_cookies (which passes on Windows) shows:
 *   - names and values are trimmed of blanks ("name = value ");
 *   - names are case-sensitive ("name" and "NAME" are two cookies);
 *   - the newest cookie comes first ("NAME=value; name=value");
 *   - a Cookie header the program added comes first, the jar's after it;
 *   - Expires and Max-Age are not honoured (a cookie that expired in 2021
 *     is still sent: WinHTTP keeps cookies for the session's life).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "cookie.h"

struct cookie
{
    struct cookie *next;
    WCHAR *name;
    WCHAR *value;
    WCHAR *domain;             /* the host, or the Domain attribute without its dot */
    WCHAR *path;
    BOOL host_only;            /* no Domain attribute: this host only */
    BOOL secure;
};

static void free_cookie(struct cookie *cookie)
{
    heap_free(cookie->name);
    heap_free(cookie->value);
    heap_free(cookie->domain);
    heap_free(cookie->path);
    heap_free(cookie);
}

void cookie_jar_init(struct cookie_jar *jar)
{
    InitializeSRWLock(&jar->lock);
    jar->head = NULL;
}

void cookie_jar_free(struct cookie_jar *jar)
{
    struct cookie *cookie, *next;

    for (cookie = jar->head; cookie; cookie = next)
    {
        next = cookie->next;
        free_cookie(cookie);
    }
    jar->head = NULL;
}

static BOOL is_blank(WCHAR c)
{
    return c == ' ' || c == '\t';
}

/* [start, end) trimmed of blanks, as a new string. */
static WCHAR *trimmed(const WCHAR *start, const WCHAR *end)
{
    while (start < end && is_blank(*start)) start++;
    while (end > start && is_blank(end[-1])) end--;
    return strndupW(start, end - start);
}

/* Splits "name=value" in [start, end) (value NULL without '='). */
static BOOL split_pair(const WCHAR *start, const WCHAR *end, WCHAR **name, WCHAR **value)
{
    const WCHAR *eq = start;

    while (eq < end && *eq != '=') eq++;
    *value = NULL;
    if (!(*name = trimmed(start, eq))) return FALSE;
    if (eq < end && !(*value = trimmed(eq + 1, end)))
    {
        heap_free(*name);
        return FALSE;
    }
    return TRUE;
}

/* The request path without its query or fragment. */
static size_t path_len(const WCHAR *path)
{
    return wcscspn(path, L"?#");
}

/* RFC 6265 5.1.3: host is domain or a name under it (not an IP address). */
static BOOL domain_match(const WCHAR *host, const WCHAR *domain)
{
    size_t hlen = wcslen(host), dlen = wcslen(domain);

    if (!_wcsicmp(host, domain)) return TRUE;
    if (hlen <= dlen || host[hlen - dlen - 1] != '.' || _wcsicmp(host + hlen - dlen, domain)) return FALSE;
    return host[0] != '[' && wcsspn(host, L"0123456789.") != hlen;
}

/* RFC 6265 5.1.4. */
static BOOL path_match(const WCHAR *path, size_t len, const WCHAR *cookie_path)
{
    size_t clen = wcslen(cookie_path);

    if (len < clen || wcsncmp(path, cookie_path, clen)) return FALSE;
    return len == clen || cookie_path[clen - 1] == '/' || path[clen] == '/';
}

/* RFC 6265 5.1.4: the request path up to its last '/', or "/". */
static WCHAR *default_path(const WCHAR *path)
{
    size_t len = path_len(path);

    while (len > 1 && path[len - 1] != '/') len--;
    if (len > 1) len--;
    if (len < 1 || path[0] != '/') return strdupW(L"/");
    return strndupW(path, len);
}

/* Applies one "attribute[=value]" of a Set-Cookie line. */
static BOOL apply_attribute(struct cookie *cookie, const WCHAR *host, const WCHAR *start, const WCHAR *end)
{
    WCHAR *name, *value;
    BOOL ok = TRUE;

    if (!split_pair(start, end, &name, &value)) return FALSE;
    if (!_wcsicmp(name, L"Domain") && value && value[0])
    {
        const WCHAR *domain = value[0] == '.' ? value + 1 : value;

        /* a domain the answering host is not in: the cookie is rejected */
        if (!(ok = domain_match(host, domain))) TRACE("%s may not set cookies for %s\n", debugstr_w(host), debugstr_w(value));
        else if ((cookie->domain = strdupW(domain))) cookie->host_only = FALSE;
    }
    else if (!_wcsicmp(name, L"Path") && value && value[0] == '/')
    {
        heap_free(cookie->path);
        cookie->path = value;
        value = NULL;
    }
    else if (!_wcsicmp(name, L"Secure")) cookie->secure = TRUE;
    heap_free(name);
    heap_free(value);
    return ok;
}

static struct cookie *parse_cookie(const WCHAR *host, const WCHAR *path, const WCHAR *line)
{
    const WCHAR *end = line + wcscspn(line, L";");
    struct cookie *cookie;

    if (!(cookie = heap_alloc_zero(sizeof(*cookie)))) return NULL;
    cookie->host_only = TRUE;
    if (!split_pair(line, end, &cookie->name, &cookie->value) || !cookie->value || !cookie->name[0])
        goto bad;   /* RFC 6265 5.2: no '=' or no name, no cookie */
    cookie->path = default_path(path);
    while (*end == ';')
    {
        const WCHAR *start = end + 1;

        end = start + wcscspn(start, L";");
        if (!apply_attribute(cookie, host, start, end)) goto bad;
    }
    if (cookie->host_only) cookie->domain = strdupW(host);
    if (cookie->path && cookie->domain) return cookie;
bad:
    free_cookie(cookie);
    return NULL;
}

void cookie_jar_set(struct cookie_jar *jar, const WCHAR *host, const WCHAR *path, const WCHAR *set_cookie)
{
    struct cookie *cookie, **p;

    if (!(cookie = parse_cookie(host, path, set_cookie)))
    {
        TRACE("ignored %s\n", debugstr_w(set_cookie));
        return;
    }
    TRACE("%s%s %s: %s=%s\n", cookie->host_only ? "" : ".", debugstr_w(cookie->domain), debugstr_w(cookie->path),
          debugstr_w(cookie->name), debugstr_w(cookie->value));
    AcquireSRWLockExclusive(&jar->lock);
    /* the same name, domain and path: the new one replaces it */
    for (p = &jar->head; *p; p = &(*p)->next)
    {
        if (!wcscmp((*p)->name, cookie->name) && !_wcsicmp((*p)->domain, cookie->domain) &&
            !wcscmp((*p)->path, cookie->path) && (*p)->host_only == cookie->host_only)
        {
            struct cookie *old = *p;
            *p = old->next;
            free_cookie(old);
            break;
        }
    }
    cookie->next = jar->head;
    jar->head = cookie;
    ReleaseSRWLockExclusive(&jar->lock);
}

static BOOL cookie_applies(const struct cookie *cookie, const WCHAR *host, const WCHAR *path, size_t len, BOOL secure)
{
    if (cookie->secure && !secure) return FALSE;
    if (cookie->host_only ? _wcsicmp(host, cookie->domain) : !domain_match(host, cookie->domain)) return FALSE;
    return path_match(path, len, cookie->path);
}

WCHAR *cookie_jar_header(struct cookie_jar *jar, const WCHAR *host, const WCHAR *path, BOOL secure)
{
    size_t len = path_len(path), size = 0, pos = 0;
    struct cookie *cookie;
    WCHAR *ret = NULL;

    AcquireSRWLockShared(&jar->lock);
    for (cookie = jar->head; cookie; cookie = cookie->next)
        if (cookie_applies(cookie, host, path, len, secure))
            size += wcslen(cookie->name) + wcslen(cookie->value) + 3;   /* "=", "; " */
    if (size && (ret = heap_alloc(size * sizeof(WCHAR))))
    {
        for (cookie = jar->head; cookie; cookie = cookie->next)
        {
            if (!cookie_applies(cookie, host, path, len, secure)) continue;
            pos += swprintf(ret + pos, size - pos, L"%ls%ls=%ls", pos ? L"; " : L"", cookie->name, cookie->value);
        }
    }
    ReleaseSRWLockShared(&jar->lock);
    return ret;
}
