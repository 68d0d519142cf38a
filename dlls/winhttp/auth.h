/*
 * HTTP authentication of a request (auth.c): the credentials given with
 * WinHttpSetCredentials, the schemes a 401/407 offers, and the
 * Authorization/Proxy-Authorization headers that answer them.
 *
 * The request owns a struct request_auth and calls in at two points, both
 * with its lock held:
 *   - auth_prepare() while it builds a request head: adds the headers, from
 *     the previous response's challenge (or, for Basic credentials given with
 *     WinHttpSetCredentials, without one);
 *   - auth_should_retry() after a response head: TRUE when that response is
 *     a challenge this request can answer with something it has not already
 *     tried, so WinHttpReceiveResponse sends the request again by itself.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_AUTH_H
#define WINHTTP_AUTH_H

#include "headers.h"
#define SECURITY_WIN32
#include <security.h>

#define AUTH_TARGETS  2   /* 0: the server (401), 1: the proxy (407) */
#define AUTH_SCHEMES  5   /* Basic, NTLM, Passport, Digest, Negotiate */

/* An NTLM or Negotiate handshake (auth_sspi.c) */
struct auth_sspi
{
    CredHandle cred;
    CtxtHandle ctx;
    BOOL has_cred;
    BOOL has_ctx;
    BOOL done;              /* the last token went out */
};

/* The answer to a challenge of scheme ("NTLM", "Negotiate", also the SSPI
 * package's name) with params (a base64 token, or none to start over), as
 * "scheme token"; NULL when SSPI refuses.  user NULL: default credentials. */
WCHAR *auth_sspi_answer(struct auth_sspi *s, const WCHAR *scheme, const WCHAR *params, const WCHAR *user,
                        const WCHAR *pass, const WCHAR *host);
void auth_sspi_free(struct auth_sspi *s);

struct auth_target_state
{
    /* WinHttpSetCredentials, per scheme (NULL user: none, or default logon) */
    WCHAR *user[AUTH_SCHEMES];
    WCHAR *pass[AUTH_SCHEMES];
    BOOL set[AUTH_SCHEMES];
    /* what the last request head carried for this target */
    DWORD sent_scheme;
    BOOL sent_from_challenge;
    /* Digest: the nonce in use and its count */
    char *nonce;
    DWORD nc;
    /* NTLM/Negotiate: the handshake, which scheme it is for, and the
     * schemes SSPI refused with the credentials in force */
    struct auth_sspi sspi;
    int sspi_scheme;
    BOOL sspi_failed[AUTH_SCHEMES];
};

struct request_auth
{
    struct auth_target_state target[AUTH_TARGETS];
};

void auth_free(struct request_auth *auth);

/* What the request gives auth.c: its lock held by the caller. */
struct auth_request_view
{
    struct object_header *hdr;            /* for the USERNAME/PASSWORD options */
    const struct header_list *response;   /* the last response's headers, or NULL */
    DWORD status;                         /* its status code, 0 if none */
    const WCHAR *verb;
    const WCHAR *path;                    /* the request-target as sent */
    const WCHAR *host[AUTH_TARGETS];      /* the server, the proxy (NULL if none) */
    BOOL intranet;                        /* the server is on the proxy bypass list */
};

DWORD auth_prepare(struct request_auth *auth, const struct auth_request_view *view, struct header_list *headers);
BOOL auth_should_retry(struct request_auth *auth, const struct auth_request_view *view);
/* An NTLM/Negotiate handshake is half way: the connection that carried its
 * last leg must carry the next one (the request keeps it, not the pool). */
BOOL auth_holds_connection(const struct request_auth *auth);
/* The last request head finished an NTLM/Negotiate handshake: its
 * connection is authenticated as this request's user, and must not serve
 * another request from the pool. */
BOOL auth_connection_private(const struct request_auth *auth);

/* request.c: the request's auth state and a view of it, with its lock held
 * until request_auth_release; NULL with *error for a handle that is not a
 * request. */
struct request_auth *request_auth_acquire(HINTERNET handle, struct auth_request_view *view, DWORD *error);
void request_auth_release(struct auth_request_view *view);

#endif /* WINHTTP_AUTH_H */
