/*
 * Redirects: whether a response is one to follow (status, policy, the
 * redirect limit, a body that cannot be sent again), the next hop's URL
 * from its Location, and the request prepared again for it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"

static BOOL is_redirect(DWORD status)
{
    return status == HTTP_STATUS_MOVED || status == HTTP_STATUS_REDIRECT || status == HTTP_STATUS_REDIRECT_METHOD ||
           status == HTTP_STATUS_REDIRECT_KEEP_VERB || status == HTTP_STATUS_PERMANENT_REDIRECT;
}

/* The request line and Host of the next hop, from the Location of the
 * response: an absolute URL may change host, port and scheme; a relative one
 * replaces the path ("/x") or its last segment ("x"). */
static DWORD redirect_target(struct request *req, const WCHAR *location)
{
    URL_COMPONENTS uc;
    WCHAR *server = NULL, *path, *slash;
    size_t len;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.dwSchemeLength = uc.dwHostNameLength = uc.dwUrlPathLength = uc.dwExtraInfoLength = ~0u;
    if (!WinHttpCrackUrl(location, 0, 0, &uc))
    {
        if (location[0] == '/') path = strdupW(location);
        else
        {
            slash = wcsrchr(req->path, '/');
            len = slash ? (size_t)(slash - req->path) + 1 : 1;
            if ((path = heap_alloc((len + wcslen(location) + 1) * sizeof(WCHAR))))
            {
                if (slash) memcpy(path, req->path, len * sizeof(WCHAR));
                else path[0] = '/';
                wcscpy(path + len, location);
            }
        }
        if (!path) return ERROR_OUTOFMEMORY;
        heap_free(req->path);
        req->path = path;
        return ERROR_SUCCESS;
    }
    if (uc.nScheme != INTERNET_SCHEME_HTTP && uc.nScheme != INTERNET_SCHEME_HTTPS)
        return ERROR_WINHTTP_REDIRECT_FAILED;
    if (req->secure && uc.nScheme == INTERNET_SCHEME_HTTP &&
        req->opts.redirect_policy == WINHTTP_OPTION_REDIRECT_POLICY_DISALLOW_HTTPS_TO_HTTP)
        return ERROR_WINHTTP_REDIRECT_FAILED;
    if (!(server = strndupW(uc.lpszHostName, uc.dwHostNameLength))) return ERROR_OUTOFMEMORY;
    len = uc.dwUrlPathLength + uc.dwExtraInfoLength;
    if (!(path = heap_alloc((len + 2) * sizeof(WCHAR))))
    {
        heap_free(server);
        return ERROR_OUTOFMEMORY;
    }
    if (len) memcpy(path, uc.lpszUrlPath, len * sizeof(WCHAR));
    else path[len++] = '/';
    path[len] = 0;
    heap_free(req->server);
    heap_free(req->path);
    req->server = server;
    req->path = path;
    req->secure = uc.nScheme == INTERNET_SCHEME_HTTPS;
    req->port = uc.nPort;
    return ERROR_SUCCESS;
}

/* The response just received is a redirect to follow (Windows follows 301,
 * 302, 303, 307 and 308 unless the policy or WINHTTP_DISABLE_REDIRECTS says
 * not): sends REDIRECT with the new URL and prepares the next request, which
 * receive_response then sends.  301/302/303 turn a POST into a GET without
 * a body (303: any verb but HEAD); 307/308 keep verb and body. */
static BOOL redirect_drops_body(const struct request *req)
{
    DWORD status = req->resp.status_code;

    if (status == HTTP_STATUS_REDIRECT_METHOD) return wcscmp(req->verb, L"HEAD") != 0;
    return (status == HTTP_STATUS_MOVED || status == HTTP_STATUS_REDIRECT) && !wcscmp(req->verb, L"POST");
}

/* A body streamed with WINHTTP_FLAG_AUTOMATIC_CHUNKING is gone: a redirect
 * that keeps it is not followed, the program gets the 3xx and sends the
 * request again (as it does after a 401/407, receive_final_response). */
DWORD follow_redirect(struct request *req, BOOL *follow)
{
    const void *optional = req->send.optional;
    DWORD optional_len = req->send.optional_len, total_len = req->send.total_len, error;
    WCHAR *location;
    int index;

    *follow = FALSE;
    if (!is_redirect(req->resp.status_code) || (req->opts.disable_features & WINHTTP_DISABLE_REDIRECTS) ||
        req->opts.redirect_policy == WINHTTP_OPTION_REDIRECT_POLICY_NEVER || req->ws.requested ||
        (req->send.auto_chunked && !redirect_drops_body(req)))
        return ERROR_SUCCESS;
    EnterCriticalSection(&req->cs);
    index = headers_find(&req->resp.headers, L"Location", 0);
    location = index >= 0 ? strdupW(req->resp.headers.items[index].value) : NULL;
    LeaveCriticalSection(&req->cs);
    if (index < 0) return ERROR_SUCCESS;
    if (!location) return ERROR_OUTOFMEMORY;
    if (++req->redirect_count > req->opts.max_redirects)
    {
        heap_free(location);
        return ERROR_WINHTTP_REDIRECT_FAILED;
    }
    TRACE("%p: %lu redirect to %s\n", req, req->resp.status_code, debugstr_w(location));

    /* The body of the redirect is not for the application: dropped when it
     * has all arrived, else the connection with it. */
    if (req->body.mode == BODY_NONE || (req->body.mode == BODY_LENGTH && !req->body.remaining) ||
        body_drain_now(req, req->opts.max_response_drain_size, drain_wait(req))) body_finish(req);
    else connection_drop(req);

    EnterCriticalSection(&req->cs);
    error = redirect_target(req, location);
    if (!error && redirect_drops_body(req))
    {
        WCHAR *get = strdupW(L"GET");
        if (!get) error = ERROR_OUTOFMEMORY;
        else
        {
            heap_free(req->verb);
            req->verb = get;
            optional = NULL;
            optional_len = total_len = 0;
            headers_process(&req->request_headers, L"Content-Length", NULL, WINHTTP_ADDREQ_FLAG_REPLACE);
            headers_process(&req->request_headers, L"Content-Type", NULL, WINHTTP_ADDREQ_FLAG_REPLACE);
            /* the framing we added for the body that is dropped */
            if (req->send.auto_chunked)
                headers_process(&req->request_headers, L"Transfer-Encoding", NULL, WINHTTP_ADDREQ_FLAG_REPLACE);
        }
    }
    LeaveCriticalSection(&req->cs);
    if (!error)
    {
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_REDIRECT, location, (DWORD)wcslen(location));
        error = prepare_request(req, NULL, 0, optional, optional_len, total_len);
    }
    heap_free(location);
    if (!error)
    {
        req->redirecting = TRUE;
        *follow = TRUE;
    }
    return error;
}
