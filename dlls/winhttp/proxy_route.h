/*
 * Choosing a request's proxy (proxy_route.c).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_PROXY_ROUTE_H
#define WINHTTP_PROXY_ROUTE_H

#include "winhttp_private.h"

struct proxy_route
{
    WCHAR *host;            /* heap */
    INTERNET_PORT port;
};

/* The proxy of list that serves host (an "https=" entry for secure requests,
 * "http=" otherwise, else an entry without a scheme), unless bypass names
 * host.  FALSE: go direct. */
BOOL proxy_pick(const WCHAR *list, const WCHAR *bypass, const WCHAR *host, BOOL secure, struct proxy_route *route);
BOOL proxy_bypassed(const WCHAR *bypass, const WCHAR *host);
const WCHAR *proxy_list_next(const WCHAR *list);
/* The list's first entry, whatever its scheme. */
BOOL proxy_list_first(const WCHAR *list, struct proxy_route *route);

/* badproxy.c: AUTOMATIC_PROXY's proxies that could not be reached lately
 * (session->bad_proxies).  reorder: a copy of list (heap, entries as
 * host:port) with the bad ones last. */
void bad_proxy_mark(struct session *session, const WCHAR *host, INTERNET_PORT port);
WCHAR *bad_proxy_reorder(struct session *session, const WCHAR *list);
void bad_proxy_clear(struct session *session);

/* WINHTTP_OPTION_PROXY (struct proxy_option, winhttp_private.h) */
BOOL proxy_option_set(struct proxy_option *opt, const void *buffer, DWORD buflen);
BOOL proxy_option_query(struct proxy_option *opt, void *buffer, DWORD *buflen);
BOOL proxy_option_pick(struct proxy_option *opt, const WCHAR *host, BOOL secure, struct proxy_route *route);
BOOL proxy_option_bypassed(struct proxy_option *opt, const WCHAR *host);
void proxy_option_free(struct proxy_option *opt);

#endif /* WINHTTP_PROXY_ROUTE_H */
