/*
 * The session's cookie jar (cookie.c): what Set-Cookie answers store, sent
 * back in the Cookie header of the session's later requests.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_COOKIE_H
#define WINHTTP_COOKIE_H

#include <windows.h>

struct cookie;

/* Lives in the session, dies with it (no persistence: WinHTTP keeps cookies
 * per session).  lock guards the list; taking it, a thread may hold a
 * request's cs but takes nothing else. */
struct cookie_jar
{
    SRWLOCK lock;
    struct cookie *head;       /* newest first: the order they are sent in */
};

void cookie_jar_init(struct cookie_jar *jar);
void cookie_jar_free(struct cookie_jar *jar);
/* Stores the cookie of one Set-Cookie value, answered by host for path (the
 * request's path, its query ignored); a malformed one, or one for a domain
 * host does not belong to, is dropped. */
void cookie_jar_set(struct cookie_jar *jar, const WCHAR *host, const WCHAR *path, const WCHAR *set_cookie);
/* "name=value; name=value" of the cookies for host and path (secure: an
 * https request, which also gets the Secure ones), or NULL when none. */
WCHAR *cookie_jar_header(struct cookie_jar *jar, const WCHAR *host, const WCHAR *path, BOOL secure);

#endif /* WINHTTP_COOKIE_H */
