/*
 * HTTP authentication: WinHttpQueryAuthSchemes, WinHttpSetCredentials, and
 * the Basic (RFC 7617) and Digest (RFC 7616, MD5 over Windows' CryptoAPI)
 * answers to a server's 401 or a proxy's 407.  See auth.h for how the
 * request uses it.
 *
 * Which credentials answer a challenge: those given with
 * WinHttpSetCredentials for the offered scheme, else the USERNAME/PASSWORD
 * (PROXY_USERNAME/PROXY_PASSWORD) options; Wine's tests, which pass on
 * Windows, show the former win.  Basic credentials given with
 * WinHttpSetCredentials go out with the first request, before any challenge.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "auth.h"
#include "request.h"
#include "wsp.h"
#include <wincrypt.h>
#include <stdio.h>

static const struct
{
    const WCHAR *name;
    DWORD flag;
}
schemes[AUTH_SCHEMES] =
{
    { L"Basic",       WINHTTP_AUTH_SCHEME_BASIC },
    { L"NTLM",        WINHTTP_AUTH_SCHEME_NTLM },
    { L"Passport1.4", WINHTTP_AUTH_SCHEME_PASSPORT },
    { L"Digest",      WINHTTP_AUTH_SCHEME_DIGEST },
    { L"Negotiate",   WINHTTP_AUTH_SCHEME_NEGOTIATE },
};

static const WCHAR *const challenge_header[AUTH_TARGETS] = { L"WWW-Authenticate", L"Proxy-Authenticate" };
static const WCHAR *const answer_header[AUTH_TARGETS] = { L"Authorization", L"Proxy-Authorization" };
static const DWORD challenge_status[AUTH_TARGETS] = { HTTP_STATUS_DENIED, HTTP_STATUS_PROXY_AUTH_REQ };

static int scheme_index(DWORD flag)
{
    int i;
    for (i = 0; i < AUTH_SCHEMES; i++) if (schemes[i].flag == flag) return i;
    return -1;
}

/* The scheme a challenge header starts with (-1 if unknown); *params after it. */
static int parse_scheme(const WCHAR *value, const WCHAR **params)
{
    size_t len;
    int i;

    while (*value == ' ' || *value == '\t') value++;
    for (i = 0; i < AUTH_SCHEMES; i++)
    {
        len = wcslen(schemes[i].name);
        if (!_wcsnicmp(value, schemes[i].name, len) && (!value[len] || value[len] == ' ' || value[len] == '\t'))
        {
            if (params) *params = value + len;
            return i;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Credentials                                                               */

static void free_target(struct auth_target_state *t)
{
    int i;

    for (i = 0; i < AUTH_SCHEMES; i++)
    {
        heap_free(t->user[i]);
        if (t->pass[i]) SecureZeroMemory(t->pass[i], wcslen(t->pass[i]) * sizeof(WCHAR));
        heap_free(t->pass[i]);
        t->user[i] = t->pass[i] = NULL;
        t->set[i] = FALSE;
    }
    heap_free(t->nonce);
    t->nonce = NULL;
    auth_sspi_free(&t->sspi);
}

void auth_free(struct request_auth *auth)
{
    int i;
    for (i = 0; i < AUTH_TARGETS; i++) free_target(&auth->target[i]);
}

static BOOL is_sspi(int i)
{
    return schemes[i].flag == WINHTTP_AUTH_SCHEME_NTLM || schemes[i].flag == WINHTTP_AUTH_SCHEME_NEGOTIATE;
}

/* WINHTTP_OPTION_AUTOLOGON_POLICY: LOW logs on everywhere with the default
 * credentials, HIGH nowhere, MEDIUM (the default) only on "the local
 * intranet, any server on the proxy bypass list" (Microsoft's words) and,
 * our decision (DECISIONS.md), to the configured proxy itself. */
static BOOL autologon_allowed(int target, const struct auth_request_view *view)
{
    switch (view->hdr->options ? view->hdr->options->autologon_policy : WINHTTP_AUTOLOGON_SECURITY_LEVEL_DEFAULT)
    {
    case WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW: return TRUE;
    case WINHTTP_AUTOLOGON_SECURITY_LEVEL_MEDIUM: return target == 1 || view->intranet;
    default: return FALSE;
    }
}

enum credentials { CRED_NONE, CRED_GIVEN, CRED_DEFAULT };

/* The user and password that answer scheme i for target: heap copies
 * (CRED_GIVEN), the logged-on user's for NTLM and Negotiate (CRED_DEFAULT:
 * WinHttpSetCredentials with no user, or the autologon policy), or none. */
static enum credentials get_credentials(struct auth_target_state *t, int target, int i,
                                        const struct auth_request_view *view, WCHAR **user, WCHAR **pass)
{
    *user = *pass = NULL;
    if (t->set[i])
    {
        if (!t->user[i]) return is_sspi(i) ? CRED_DEFAULT : CRED_NONE;
        *user = strdupW(t->user[i]);
        *pass = strdupW(t->pass[i] ? t->pass[i] : L"");
    }
    else
    {
        *user = options_dup_string(view->hdr, target ? WINHTTP_OPTION_PROXY_USERNAME : WINHTTP_OPTION_USERNAME);
        *pass = options_dup_string(view->hdr, target ? WINHTTP_OPTION_PROXY_PASSWORD : WINHTTP_OPTION_PASSWORD);
        if (*user && !*pass) *pass = strdupW(L"");
    }
    if (*user && *pass) return CRED_GIVEN;
    heap_free(*user);
    heap_free(*pass);
    *user = *pass = NULL;
    return !t->set[i] && is_sspi(i) && autologon_allowed(target, view) ? CRED_DEFAULT : CRED_NONE;
}

static void free_credentials(WCHAR *user, WCHAR *pass)
{
    heap_free(user);
    if (pass) SecureZeroMemory(pass, wcslen(pass) * sizeof(WCHAR));
    heap_free(pass);
}

/* ---------------------------------------------------------------------- */
/* Building answers                                                          */

static char *to_utf8(const WCHAR *src)
{
    int len = WideCharToMultiByte(CP_UTF8, 0, src, -1, NULL, 0, NULL, NULL);
    char *dst = heap_alloc(len);

    if (dst) WideCharToMultiByte(CP_UTF8, 0, src, -1, dst, len, NULL, NULL);
    return dst;
}

static WCHAR *ascii_to_wide(const char *src)
{
    size_t len = strlen(src), i;
    WCHAR *dst = heap_alloc((len + 1) * sizeof(WCHAR));

    if (!dst) return NULL;
    for (i = 0; i <= len; i++) dst[i] = (unsigned char)src[i];
    return dst;
}

/* "Basic base64(user:pass)" */
static WCHAR *basic_answer(const WCHAR *user, const WCHAR *pass)
{
    char *u = to_utf8(user), *p = to_utf8(pass), *joined = NULL, *out = NULL;
    size_t len;
    WCHAR *ret = NULL;

    if (!u || !p) goto done;
    len = strlen(u) + 1 + strlen(p);
    if (!(joined = heap_alloc(len + 1)) || !(out = heap_alloc(6 + (len + 2) / 3 * 4 + 1))) goto done;
    sprintf(joined, "%s:%s", u, p);
    memcpy(out, "Basic ", 6);
    out[6 + wsp_base64_encode(out + 6, joined, len)] = 0;
    ret = ascii_to_wide(out);
done:
    if (joined) SecureZeroMemory(joined, strlen(joined));
    if (p) SecureZeroMemory(p, strlen(p));
    heap_free(u);
    heap_free(p);
    heap_free(joined);
    heap_free(out);
    return ret;
}

/* The value of auth-param name in a challenge (token or quoted string), as a
 * heap string, or NULL. */
static char *challenge_param(const char *params, const char *name)
{
    const char *p = params, *start;
    size_t name_len = strlen(name), len;
    char *value, *q;

    while (*p)
    {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        start = p;
        while (*p && *p != '=' && *p != ' ' && *p != ',') p++;
        len = p - start;
        while (*p == ' ') p++;
        if (*p != '=') { while (*p && *p != ',') p++; continue; }
        p++;
        while (*p == ' ') p++;
        if (!(value = q = heap_alloc(strlen(p) + 1))) return NULL;
        if (*p == '"')
        {
            for (p++; *p && *p != '"'; p++)
            {
                if (*p == '\\' && p[1]) p++;
                *q++ = *p;
            }
            if (*p) p++;
        }
        else while (*p && *p != ',' && *p != ' ') *q++ = *p++;
        *q = 0;
        if (len == name_len && !_strnicmp(start, name, len)) return value;
        heap_free(value);
    }
    return NULL;
}

static BOOL md5_hex(HCRYPTPROV prov, const char *data, char hex[33])
{
    HCRYPTHASH hash;
    BYTE digest[16];
    DWORD len = sizeof(digest), i;
    BOOL ret;

    if (!CryptCreateHash(prov, CALG_MD5, 0, 0, &hash)) return FALSE;
    ret = CryptHashData(hash, (const BYTE *)data, strlen(data), 0)
          && CryptGetHashParam(hash, HP_HASHVAL, digest, &len, 0) && len == sizeof(digest);
    CryptDestroyHash(hash);
    if (!ret) return FALSE;
    for (i = 0; i < 16; i++) sprintf(hex + 2 * i, "%02x", digest[i]);
    return TRUE;
}

/* One "a:b:c..." string of the Digest computation, hashed. */
static BOOL md5_join(HCRYPTPROV prov, char hex[33], int count, ...)
{
    const char *parts[6];
    size_t len = 0;
    va_list args;
    char *s;
    BOOL ret;
    int i;

    va_start(args, count);
    for (i = 0; i < count; i++) len += strlen(parts[i] = va_arg(args, const char *)) + 1;
    va_end(args);
    if (!(s = heap_alloc(len + 1))) return FALSE;
    s[0] = 0;
    for (i = 0; i < count; i++)
    {
        if (i) strcat(s, ":");
        strcat(s, parts[i]);
    }
    ret = md5_hex(prov, s, hex);
    SecureZeroMemory(s, len);
    heap_free(s);
    return ret;
}

/* RFC 7616 with MD5 or MD5-sess and qop "auth" (or none, RFC 2069). */
static WCHAR *digest_answer(struct auth_target_state *t, const WCHAR *params, const WCHAR *user, const WCHAR *pass,
                            const WCHAR *verb, const WCHAR *path)
{
    char *p = to_utf8(params), *u = to_utf8(user), *pw = to_utf8(pass), *m = to_utf8(verb), *uri = to_utf8(path);
    char *realm = NULL, *nonce = NULL, *opaque = NULL, *qop = NULL, *algorithm = NULL, *out = NULL;
    char ha1[33], ha2[33], response[33], cnonce[17], nc[9];
    BYTE random[8];
    HCRYPTPROV prov = 0;
    BOOL qop_auth, sess;
    WCHAR *ret = NULL;
    size_t len;
    int i;

    if (!p || !u || !pw || !m || !uri) goto done;
    realm = challenge_param(p, "realm");
    nonce = challenge_param(p, "nonce");
    opaque = challenge_param(p, "opaque");
    qop = challenge_param(p, "qop");
    algorithm = challenge_param(p, "algorithm");
    if (!realm || !nonce) goto done;
    if (algorithm && _stricmp(algorithm, "MD5") && _stricmp(algorithm, "MD5-sess"))
    {
        FIXME("Digest algorithm %s not supported\n", debugstr_a(algorithm));
        goto done;
    }
    sess = algorithm && !_stricmp(algorithm, "MD5-sess");
    qop_auth = qop && wsp_http_list_contains(qop, strlen(qop), "auth", 4);
    if (qop && !qop_auth)
    {
        FIXME("Digest qop %s not supported\n", debugstr_a(qop));
        goto done;
    }
    if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT)) goto done;

    /* the nonce count goes on while the server keeps its nonce */
    if (!t->nonce || strcmp(t->nonce, nonce))
    {
        heap_free(t->nonce);
        if ((t->nonce = heap_alloc(strlen(nonce) + 1))) strcpy(t->nonce, nonce);
        t->nc = 0;
    }
    sprintf(nc, "%08lx", ++t->nc);
    winhttp_random(NULL, random, sizeof(random));
    for (i = 0; i < 8; i++) sprintf(cnonce + 2 * i, "%02x", random[i]);

    if (!md5_join(prov, ha1, 3, u, realm, pw)) goto done;
    if (sess && !md5_join(prov, ha1, 3, ha1, nonce, cnonce)) goto done;
    if (!md5_join(prov, ha2, 2, m, uri)) goto done;
    if (qop_auth ? !md5_join(prov, response, 6, ha1, nonce, nc, cnonce, "auth", ha2)
                 : !md5_join(prov, response, 3, ha1, nonce, ha2)) goto done;

    len = 200 + strlen(u) + strlen(realm) + strlen(nonce) + strlen(uri) + (opaque ? strlen(opaque) : 0);
    if (!(out = heap_alloc(len))) goto done;
    sprintf(out, "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\"%s%s",
            u, realm, nonce, uri, response, algorithm ? ", algorithm=" : "", algorithm ? algorithm : "");
    if (opaque) sprintf(out + strlen(out), ", opaque=\"%s\"", opaque);
    if (qop_auth) sprintf(out + strlen(out), ", qop=auth, nc=%s, cnonce=\"%s\"", nc, cnonce);
    ret = ascii_to_wide(out);
done:
    if (prov) CryptReleaseContext(prov, 0);
    if (pw) SecureZeroMemory(pw, strlen(pw));
    heap_free(p);
    heap_free(u);
    heap_free(pw);
    heap_free(m);
    heap_free(uri);
    heap_free(realm);
    heap_free(nonce);
    heap_free(opaque);
    heap_free(qop);
    heap_free(algorithm);
    heap_free(out);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Answering challenges                                                      */

/* The challenge of scheme i in the response (its parameters), or NULL. */
static const WCHAR *find_challenge(const struct header_list *response, int target, int i, BOOL *stale)
{
    const WCHAR *params;
    int index = -1;
    DWORD n = 0;

    while (response && (index = headers_find(response, challenge_header[target], n++)) >= 0)
    {
        if (parse_scheme(response->items[index].value, &params) != i) continue;
        if (stale)
        {
            char *p = to_utf8(params), *value = p ? challenge_param(p, "stale") : NULL;
            *stale = value && !_stricmp(value, "true");
            heap_free(value);
            heap_free(p);
        }
        return params;
    }
    return NULL;
}

/* A challenge's parameters carry an SSPI token (the handshake goes on). */
static BOOL has_token(const WCHAR *params)
{
    while (params && (*params == ' ' || *params == '\t')) params++;
    return params && *params;
}

/* The scheme this request would answer target's challenge with: an NTLM or
 * Negotiate handshake under way first, else the first offered scheme it has
 * credentials and code for, in the server's order. */
static int choose_scheme(struct auth_target_state *t, int target, const struct auth_request_view *view)
{
    const WCHAR *params;
    WCHAR *user, *pass;
    int index, i;
    DWORD n;

    if (!view->response || view->status != challenge_status[target]) return -1;
    if (t->sspi.has_ctx && !t->sspi.done
        && has_token(find_challenge(view->response, target, t->sspi_scheme, NULL)))
        return t->sspi_scheme;
    for (n = 0; (index = headers_find(view->response, challenge_header[target], n)) >= 0; n++)
    {
        i = parse_scheme(view->response->items[index].value, &params);
        if (i < 0) continue;
        if (schemes[i].flag == WINHTTP_AUTH_SCHEME_PASSPORT)
        {
            if (t->set[i]) FIXME("scheme %s not supported\n", debugstr_w(schemes[i].name));
            continue;
        }
        /* a token outside our handshake, or a package that refused these credentials */
        if (is_sspi(i) && (has_token(params) || t->sspi_failed[i])) continue;
        if (!get_credentials(t, target, i, view, &user, &pass)) continue;
        free_credentials(user, pass);
        return i;
    }
    return -1;
}

DWORD auth_prepare(struct request_auth *auth, const struct auth_request_view *view, struct header_list *headers)
{
    struct auth_target_state *t;
    WCHAR *user, *pass, *value;
    int target, i;
    DWORD error;

    for (target = 0; target < AUTH_TARGETS; target++)
    {
        t = &auth->target[target];
        value = NULL;
        t->sent_scheme = 0;
        t->sent_from_challenge = FALSE;
        if ((i = choose_scheme(t, target, view)) >= 0)
            t->sent_from_challenge = TRUE;
        else if (t->set[0])
            i = 0;   /* Basic credentials go out before any challenge */
        if (i >= 0 && get_credentials(t, target, i, view, &user, &pass))
        {
            const WCHAR *params = find_challenge(view->response, target, i, NULL);

            if (is_sspi(i))
            {
                t->sspi_scheme = i;
                if (!(value = auth_sspi_answer(&t->sspi, schemes[i].name, params, user, pass, view->host[target])))
                    t->sspi_failed[i] = TRUE;   /* the challenge goes to the program */
            }
            else if (schemes[i].flag == WINHTTP_AUTH_SCHEME_BASIC) value = basic_answer(user, pass);
            else value = digest_answer(t, params, user, pass, view->verb, view->path);
            free_credentials(user, pass);
            if (!value && !is_sspi(i)) return ERROR_OUTOFMEMORY;
            if (value) t->sent_scheme = schemes[i].flag;
            TRACE("%s with %s\n", debugstr_w(answer_header[target]), debugstr_w(schemes[i].name));
        }
        error = headers_process(headers, answer_header[target], value, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
        if (value) SecureZeroMemory(value, wcslen(value) * sizeof(WCHAR));
        heap_free(value);
        if (error && error != ERROR_WINHTTP_HEADER_NOT_FOUND) return error;
    }
    return ERROR_SUCCESS;
}

BOOL auth_holds_connection(const struct request_auth *auth)
{
    int target;

    for (target = 0; target < AUTH_TARGETS; target++)
        if (auth->target[target].sspi.has_ctx && !auth->target[target].sspi.done) return TRUE;
    return FALSE;
}

BOOL auth_connection_private(const struct request_auth *auth)
{
    const struct auth_target_state *t;
    int target;

    for (target = 0; target < AUTH_TARGETS; target++)
    {
        t = &auth->target[target];
        if ((t->sent_scheme == WINHTTP_AUTH_SCHEME_NTLM || t->sent_scheme == WINHTTP_AUTH_SCHEME_NEGOTIATE)
            && t->sspi.done) return TRUE;
    }
    return FALSE;
}

BOOL auth_should_retry(struct request_auth *auth, const struct auth_request_view *view)
{
    struct auth_target_state *t;
    BOOL stale = FALSE;
    int target, i;

    for (target = 0; target < AUTH_TARGETS; target++)
    {
        t = &auth->target[target];
        if ((i = choose_scheme(t, target, view)) < 0) continue;
        /* What was sent was refused: the same again cannot do better, unless
         * a Digest server only says its nonce went stale. */
        if (t->sent_scheme == schemes[i].flag && is_sspi(i))
        {
            /* a token continues the handshake; none refuses what went out */
            if (!has_token(find_challenge(view->response, target, i, NULL))) continue;
        }
        else if (t->sent_scheme == schemes[i].flag)
        {
            find_challenge(view->response, target, i, &stale);
            if (schemes[i].flag != WINHTTP_AUTH_SCHEME_DIGEST || !stale) continue;
        }
        TRACE("answering the %lu with %s\n", view->status, debugstr_w(schemes[i].name));
        return TRUE;
    }
    return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                              */

/***********************************************************************
 *          WinHttpQueryAuthSchemes (winhttp.@)
 */
BOOL WINAPI WinHttpQueryAuthSchemes(HINTERNET hrequest, LPDWORD supported, LPDWORD first, LPDWORD target)
{
    struct auth_request_view view;
    struct request_auth *auth;
    DWORD error = ERROR_INVALID_OPERATION, found = 0, first_found = 0;
    int t, index, i;
    DWORD n;

    TRACE("%p, %p, %p, %p\n", hrequest, supported, first, target);

    if (!(auth = request_auth_acquire(hrequest, &view, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!supported || !first || !target)
    {
        request_auth_release(&view);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    /* The server's challenges first, then the proxy's, as Wine's builtin;
     * none (or no response yet) is ERROR_INVALID_OPERATION. */
    error = ERROR_INVALID_OPERATION;
    for (t = 0; t < AUTH_TARGETS && !found; t++)
    {
        BOOL any = FALSE;
        for (n = 0; view.response && (index = headers_find(view.response, challenge_header[t], n)) >= 0; n++)
        {
            any = TRUE;
            if ((i = parse_scheme(view.response->items[index].value, NULL)) < 0) continue;
            if (!first_found) first_found = schemes[i].flag;
            found |= schemes[i].flag;
        }
        if (any)
        {
            *supported = found;
            *first = first_found;
            *target = t ? WINHTTP_AUTH_TARGET_PROXY : WINHTTP_AUTH_TARGET_SERVER;
            error = ERROR_SUCCESS;
            break;
        }
    }
    request_auth_release(&view);
    SetLastError(error);
    return !error;
}

/***********************************************************************
 *          WinHttpSetCredentials (winhttp.@)
 */
BOOL WINAPI WinHttpSetCredentials(HINTERNET hrequest, DWORD target, DWORD scheme, LPCWSTR user, LPCWSTR password,
                                  LPVOID params)
{
    struct auth_request_view view;
    struct auth_target_state *t;
    struct request_auth *auth;
    WCHAR *user_copy = NULL, *pass_copy = NULL;
    DWORD error;
    int i;

    TRACE("%p, %lu, %#lx, %s, %p, %p\n", hrequest, target, scheme, debugstr_w(user), password, params);

    if (!(auth = request_auth_acquire(hrequest, &view, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    i = scheme_index(scheme);
    /* Basic and Digest need both; the SSPI schemes take NULL for the
     * logged-on user's credentials. */
    if (i < 0 || (target != WINHTTP_AUTH_TARGET_SERVER && target != WINHTTP_AUTH_TARGET_PROXY)
        || ((scheme == WINHTTP_AUTH_SCHEME_BASIC || scheme == WINHTTP_AUTH_SCHEME_DIGEST) && (!user || !password)))
        error = ERROR_INVALID_PARAMETER;
    else if ((user && !(user_copy = strdupW(user))) || (password && !(pass_copy = strdupW(password))))
        error = ERROR_OUTOFMEMORY;
    else
    {
        t = &auth->target[target == WINHTTP_AUTH_TARGET_PROXY];
        free_credentials(t->user[i], t->pass[i]);
        t->user[i] = user_copy;
        t->pass[i] = pass_copy;
        t->set[i] = TRUE;
        memset(t->sspi_failed, 0, sizeof(t->sspi_failed));   /* new credentials: SSPI may take them */
        user_copy = pass_copy = NULL;
        error = ERROR_SUCCESS;
    }
    request_auth_release(&view);
    free_credentials(user_copy, pass_copy);
    SetLastError(error);
    return !error;
}
