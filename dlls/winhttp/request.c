/*
 * Request handles: WinHttpOpenRequest, WinHttpAddRequestHeaders,
 * WinHttpSendRequest, WinHttpWriteData, WinHttpReceiveResponse,
 * WinHttpQueryHeaders, WinHttpQueryDataAvailable, WinHttpReadData, and the
 * hand-over of an upgraded connection to the websocket code.  Connection
 * set-up is in connection.c, body framing in body.c, redirects in
 * redirect.c, the request's options in request_option.c; the object and its locks are described in
 * request_private.h.
 *
 * Every operation is written once, as a function returning a WinHTTP error
 * code that can be run again from the top: its progress lives in the
 * request.  Synchronous handles call it directly and its I/O blocks.
 * Asynchronous handles queue it as a task (task.c); there its I/O is
 * overlapped, and while that is in flight the function returns
 * ERROR_IO_PENDING and the task parks, holding no thread.  The completion
 * resumes the task, which runs the function again: it finds the result in
 * the request (io.ready) at the point where it left.  The result is
 * reported through the completion notification or REQUEST_ERROR.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"
#include <stdio.h>

/* The request head ------------------------------------------------------------ */

/* The path in UTF-8, with bytes that may not appear in a request line
 * percent-escaped unless the request was opened with ESCAPE_DISABLE. */
static void sb_append_path_real(struct strbuf *sb, const WCHAR *path, DWORD flags)
{
    static const char hex[] = "0123456789ABCDEF";
    int len, i;
    char *utf8 = strdupWA(path, -1, &len);

    if (!utf8)
    {
        sb->failed = TRUE;
        return;
    }
    for (i = 0; i < len; i++)
    {
        unsigned char c = utf8[i];
        if (!(flags & WINHTTP_FLAG_ESCAPE_DISABLE) && (c <= 0x20 || c >= 0x7f))
        {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
            sb_append(sb, esc, 3);
        }
        else sb_append(sb, (const char *)&c, 1);
    }
    heap_free(utf8);
}

/* Notifications ---------------------------------------------------------------- */

static void send_error(struct request *req, DWORD api, DWORD error)
{
    WINHTTP_ASYNC_RESULT result;

    result.dwResult = api;
    result.dwError = error;
    TRACE("%p: api %lu failed with %lu\n", req, api, error);
    send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, &result, sizeof(result));
}

////* WinHttpSendRequest ------------------------------------------------------------- */

static BOOL is_default_port(struct request *req)
{
    return req->port == (req->secure ? INTERNET_DEFAULT_HTTPS_PORT : INTERNET_DEFAULT_HTTP_PORT);
}

static DWORD add_host_header(struct request *req)
{
    WCHAR *value;
    size_t len = wcslen(req->server) + 16;
    BOOL bracket = wcschr(req->server, ':') && req->server[0] != '[';
    DWORD error;

    if (!(value = heap_alloc(len * sizeof(WCHAR)))) return ERROR_OUTOFMEMORY;
    if (is_default_port(req))
        swprintf(value, len, bracket ? L"[%ls]" : L"%ls", req->server);
    else
        swprintf(value, len, bracket ? L"[%ls]:%u" : L"%ls:%u", req->server, req->port);
    error = headers_process(&req->request_headers, L"Host", value, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    heap_free(value);
    return error;
}

/* A header WinHttpSendRequest adds unless the caller has one of that name. */
static DWORD add_header_if_new(struct request *req, const WCHAR *name, const WCHAR *value)
{
    DWORD error = headers_process(&req->request_headers, name, value, WINHTTP_ADDREQ_FLAG_ADD_IF_NEW);
    return error == ERROR_WINHTTP_HEADER_ALREADY_EXISTS ? ERROR_SUCCESS : error;
}

/* WINHTTP_FLAG_REFRESH (webservices.dll opens every request of its HTTP
 * channel with it): MSDN's WinHttpOpenRequest says the flag adds "Pragma:
 * no-cache", and "Cache-Control: no-cache" too when the request is
 * HTTP/1.1 (Cache-Control is an HTTP/1.1 header: an HTTP/1.0 cache knows
 * only Pragma).  Added at send time, if new, as Wine's builtin does: a
 * caller's own Pragma or Cache-Control stands. */
static DWORD add_refresh_headers(struct request *req)
{
    DWORD error;

    if (!(req->open_flags & WINHTTP_FLAG_REFRESH)) return ERROR_SUCCESS;
    if ((error = add_header_if_new(req, L"Pragma", L"no-cache"))) return error;
    if (!_wcsicmp(req->version, L"HTTP/1.0")) return ERROR_SUCCESS;
    return add_header_if_new(req, L"Cache-Control", L"no-cache");
}

static DWORD add_upgrade_headers(struct request *req)
{
    struct wsp_header_line lines[WSP_HANDSHAKE_HEADER_COUNT];
    size_t count, i;
    DWORD error = ERROR_SUCCESS;

    wsp_handshake_make_key(req->ws.key, winhttp_random, NULL);
    count = wsp_handshake_request_headers(lines, req->ws.key);
    for (i = 0; i < count && !error; i++)
    {
        WCHAR *name = strdupAW(lines[i].name, -1), *value = strdupAW(lines[i].value, -1);
        BOOL is_key = !_wcsicmp(name ? name : L"", L"Sec-WebSocket-Key");
        DWORD flags = is_key ? WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE : WINHTTP_ADDREQ_FLAG_ADD_IF_NEW;

        if (!name || !value) error = ERROR_OUTOFMEMORY;
        else if ((error = headers_process(&req->request_headers, name, value, flags)) == ERROR_WINHTTP_HEADER_ALREADY_EXISTS)
            error = ERROR_SUCCESS;
        heap_free(name);
        heap_free(value);
    }
    return error;
}

static BOOL cookies_enabled(struct request *req)
{
    return !(req->opts.disable_features & WINHTTP_DISABLE_COOKIES);
}

/* Builds the request head; called with cs held.  The session's cookies join
 * a Cookie header the program added, after its own, or make one at the end. */
static char *build_request_head(struct request *req, size_t *len)
{
    WCHAR *cookies = cookies_enabled(req) ? cookie_jar_header(&req->session->cookies, req->server, req->path, req->secure)
                                          : NULL;
    struct strbuf sb = { 0 };
    int host;
    size_t i;

    sb_append_wide(&sb, req->verb);
    sb_append_str(&sb, " ");
    if (req->proxy_host && !req->tunnel)
    {
        /* absolute-form (RFC 9112 3.2.2): the proxy needs the origin */
        WCHAR port[8];
        BOOL bracket = wcschr(req->server, ':') && req->server[0] != '[';

        sb_append_str(&sb, "http://");
        if (bracket) sb_append_str(&sb, "[");
        sb_append_wide(&sb, req->server);
        if (bracket) sb_append_str(&sb, "]");
        if (!is_default_port(req))
        {
            swprintf(port, ARRAY_SIZE(port), L":%u", req->port);
            sb_append_wide(&sb, port);
        }
    }
    sb_append_path_real(&sb, req->path, req->open_flags);
    sb_append_str(&sb, " ");
    sb_append_wide(&sb, req->version);
    sb_append_str(&sb, "\r\n");
    /* Host first, the rest in the order they were added. */
    if ((host = headers_find(&req->request_headers, L"Host", 0)) >= 0)
    {
        sb_append_str(&sb, "Host: ");
        sb_append_wide(&sb, req->request_headers.items[host].value);
        sb_append_str(&sb, "\r\n");
    }
    for (i = 0; i < req->request_headers.count; i++)
    {
        if ((int)i == host) continue;
        sb_append_wide(&sb, req->request_headers.items[i].name);
        sb_append_str(&sb, ": ");
        sb_append_wide(&sb, req->request_headers.items[i].value);
        if (cookies && !_wcsicmp(req->request_headers.items[i].name, L"Cookie"))
        {
            sb_append_str(&sb, "; ");
            sb_append_wide(&sb, cookies);
            heap_free(cookies);
            cookies = NULL;
        }
        sb_append_str(&sb, "\r\n");
    }
    if (cookies)
    {
        sb_append_str(&sb, "Cookie: ");
        sb_append_wide(&sb, cookies);
        sb_append_str(&sb, "\r\n");
        heap_free(cookies);
    }
    sb_append_str(&sb, "\r\n");
    return sb_finish(&sb, len);
}

static void reset_response(struct request *req)
{
    headers_free(&req->resp.headers);
    heap_free(req->resp.version);
    heap_free(req->resp.status);
    heap_free(req->resp.text);
    heap_free(req->resp.raw_head);
    req->resp.version = req->resp.status = req->resp.text = NULL;
    req->resp.raw_head = NULL;
    req->resp.raw_head_len = 0;
    req->resp.status_code = 0;
    body_reset(req);
}

static BOOL has_transfer_coding(const struct header_list *headers)
{
    int i = headers_find(headers, L"Transfer-Encoding", 0);
    return i >= 0 && wcsicmp(headers->items[i].value, L"identity");
}

/* WINHTTP_FLAG_AUTOMATIC_CHUNKING frames the body when its length is
 * unknown: no total length, no optional data, no Content-Length header
 * (fetch_winhttp sets the flag only then; a known length wins, as without
 * the flag).  GET and HEAD have no body to frame (cs held). */
static BOOL wants_automatic_chunking(const struct request *req, BOOL body_verb, DWORD total_len, DWORD optional_len)
{
    return (req->open_flags & WINHTTP_FLAG_AUTOMATIC_CHUNKING) && body_verb && !total_len && !optional_len
           && headers_find(&req->request_headers, L"Content-Length", 0) < 0;
}

/* "scheme://host[:port]/path" of the request (heap), as WINHTTP_OPTION_URL
 * reports it and a PAC script is asked about it. */
WCHAR *request_url(struct request *req)
{
    size_t len = wcslen(req->server) + wcslen(req->path) + 32;
    WCHAR *url = heap_alloc(len * sizeof(WCHAR));

    if (!url) return NULL;
    if (is_default_port(req))
        swprintf(url, len, L"%ls://%ls%ls", req->secure ? L"https" : L"http", req->server, req->path);
    else
        swprintf(url, len, L"%ls://%ls:%u%ls", req->secure ? L"https" : L"http", req->server, req->port, req->path);
    return url;
}

static BOOL uses_automatic_proxy(struct request *req)
{
    return req->session->access == WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY && !req->proxy_opt.set;
}

/* A wait of an asynchronous send's look-up is over: its task goes on, on
 * an engine worker (the wake-up comes from a resolver thread or from the
 * download's completion, another object's task). */
static void automatic_proxy_wake(void *context)
{
    struct request *req = context;

    task_wake(&req->queue);
}

/* WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY: the settings and the PAC script that
 * decide this send's proxies, looked up when the send starts and kept for
 * its redirects and authentication rounds.  An asynchronous send parks
 * (ERROR_IO_PENDING) while the WPAD name is looked up or the script
 * downloads, and runs the look-up again when woken
 * (resume_automatic_proxy); WinHttpCloseHandle ends the wait
 * (request_handle_closing). */
static DWORD find_automatic_proxy(struct request *req)
{
    struct autoproxy_lookup *lookup = NULL, *old;
    DWORD error = ERROR_SUCCESS;

    if (uses_automatic_proxy(req)
        && !(lookup = autoproxy_lookup_create(req->session, object_is_async(&req->hdr), automatic_proxy_wake, req)))
        error = ERROR_NOT_ENOUGH_MEMORY;
    /* published before it runs: a close ends a synchronous look-up too */
    EnterCriticalSection(&req->cs);
    old = req->autoproxy;
    req->autoproxy = lookup;
    LeaveCriticalSection(&req->cs);
    autoproxy_lookup_release(old);
    if (!lookup) return error;
    /* closed before request_handle_closing could see the look-up */
    if (req->hdr.closing) autoproxy_lookup_cancel(lookup);
    if ((error = autoproxy_lookup_run(lookup)) == ERROR_IO_PENDING) return error;
    return req->hdr.closing ? ERROR_WINHTTP_OPERATION_CANCELLED : error;
}

/* The send's task was woken: the look-up goes on (only the task sets
 * req->autoproxy, so it reads it without cs). */
static DWORD resume_automatic_proxy(struct request *req)
{
    DWORD error = autoproxy_lookup_run(req->autoproxy);

    if (error == ERROR_IO_PENDING) return error;
    return req->hdr.closing ? ERROR_WINHTTP_OPERATION_CANCELLED : ERROR_SUCCESS;
}

/* This send's proxy configuration from its look-up; FALSE when the
 * session's or request's applies. */
static BOOL automatic_proxy(struct request *req, struct proxy_option *automatic)
{
    WCHAR *url;

    memset(automatic, 0, sizeof(*automatic));
    InitializeSRWLock(&automatic->lock);
    if (!uses_automatic_proxy(req)) return FALSE;
    if (req->autoproxy && (url = request_url(req)))
    {
        autoproxy_lookup_answer(req->autoproxy, url, &automatic->server, &automatic->bypass);
        heap_free(url);
    }
    return TRUE;
}

/* What auth.c sees of the request (cs held); response NULL for none. */
static void get_auth_view(struct request *req, const struct header_list *response, struct auth_request_view *view)
{
    struct proxy_option *proxy = req->proxy_opt.set ? &req->proxy_opt : &req->session->proxy;

    view->hdr = &req->hdr;
    view->response = response;
    view->status = response ? req->resp.status_code : 0;
    view->verb = req->verb;
    view->path = req->path;
    view->host[0] = req->server;
    view->host[1] = req->proxy_host;
    view->intranet = proxy_option_bypassed(proxy, req->server);
}

/* The part of WinHttpSendRequest that needs no I/O: headers and the head. */
DWORD prepare_request(struct request *req, const WCHAR *headers, DWORD headers_len, const void *optional,
                      DWORD optional_len, DWORD total_len)
{
    static const WCHAR *const no_body_verbs[] = { L"GET", L"HEAD" };
    struct proxy_option automatic;
    BOOL body_verb = TRUE, use_automatic;
    DWORD error = ERROR_SUCCESS;
    size_t i;

    /* A previous response that was not read to its end ends here. */
    connection_drop(req);
    use_automatic = automatic_proxy(req, &automatic);

    EnterCriticalSection(&req->cs);
    {
        struct auth_request_view view;

        get_auth_view(req, req->resp.status_code ? &req->resp.headers : NULL, &view);
        error = auth_prepare(&req->auth, &view, &req->request_headers);
    }
    if (!error) error = connection_choose_route(req, use_automatic ? &automatic : NULL);
    req->state = STATE_INIT;
    req->ws.taken = FALSE;
    reset_response(req);
    heap_free(req->send.head);
    req->send.head = NULL;
    req->send.step = SEND_OPEN;
    req->setup.step = SETUP_POOL;
    req->setup.retried = FALSE;
    req->setup.closed_unanswered = FALSE;
    req->receiving = FALSE;
    req->head_error = ERROR_SUCCESS;
    req->send.optional = optional;
    req->send.optional_len = optional_len;
    req->send.body_overrun = FALSE;
    req->send.body_ended = FALSE;
    if (total_len < optional_len) total_len = optional_len;
    req->send.total_len = total_len;
    for (i = 0; i < ARRAY_SIZE(no_body_verbs); i++) if (!wcscmp(req->verb, no_body_verbs[i])) body_verb = FALSE;

    if (!error && headers && headers_len)
        error = headers_add_string(&req->request_headers, headers, headers_len,
                                   WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    if (!error) error = add_host_header(req);
    if (!error && req->session->agent && req->session->agent[0])
        error = add_header_if_new(req, L"User-Agent", req->session->agent);
    if (!error) error = decode_accept_encoding(req->opts.decompression, &req->request_headers);
    req->send.auto_chunked = !error && wants_automatic_chunking(req, body_verb, total_len, optional_len);
    /* HTTP/1.0 has no chunked coding (RFC 9112 6.1): no framing for a body
     * of unknown length, so the call fails rather than send it unframed. */
    if (req->send.auto_chunked && !wcsicmp(req->version, L"HTTP/1.0")) error = ERROR_INVALID_PARAMETER;
    else if (req->send.auto_chunked)
        error = headers_process(&req->request_headers, L"Transfer-Encoding", L"chunked",
                                WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    /* A Transfer-Encoding other than identity means the caller frames the
     * body (WinHTTP's behaviour since Vista, "Large Request Payload
     * Support"): no Content-Length beside it (RFC 9112 6.2), the total
     * length is ignored, and optional data goes out as it is, framed by the
     * caller like what WinHttpWriteData sends (Wine 10's
     * test_chunked_request: Windows sends "post" unframed). */
    req->send.chunked_upload = !error && has_transfer_coding(&req->request_headers);
    if (req->send.chunked_upload) req->send.total_len = 0;
    else if (!error && (total_len || body_verb))
    {
        WCHAR length[16];
        swprintf(length, ARRAY_SIZE(length), L"%lu", total_len);
        error = headers_process(&req->request_headers, L"Content-Length", length,
                                WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
    }
    if (!error && req->ws.requested)
    {
        req->ws.send_captured = req->ws.send_buffer_size;
        req->ws.receive_captured = req->ws.receive_buffer_size;
        if (req->ws.send_captured < 16) error = ERROR_NOT_ENOUGH_MEMORY;
        else error = add_upgrade_headers(req);
    }
    else if (!error && !(req->opts.disable_features & WINHTTP_DISABLE_KEEP_ALIVE))
        error = add_header_if_new(req, L"Connection", L"Keep-Alive");
    if (!error) error = add_refresh_headers(req);
    if (!error && !(req->send.head = build_request_head(req, &req->send.head_len))) error = ERROR_OUTOFMEMORY;
    LeaveCriticalSection(&req->cs);
    proxy_option_free(&automatic);
    if (!error) TRACE("%p: request head %s\n", req, debugstr_an(req->send.head, (int)req->send.head_len));
    return error;
}

/* A send on a pooled connection failed: the server may have closed it while
 * it was idle, so try once more on a fresh one. */
static BOOL retry_fresh(struct request *req, DWORD error)
{
    connection_drop(req);
    if (!req->setup.reused || req->setup.retried || req->hdr.closing) return FALSE;
    TRACE("%p: pooled connection failed (%lu), reconnecting\n", req, error);
    req->setup.retried = TRUE;
    req->send.step = SEND_OPEN;
    req->setup.step = SETUP_POOL;
    return TRUE;
}

/* The I/O part of WinHttpSendRequest, from req->send.step on. */
static DWORD send_request_steps(struct request *req)
{
    DWORD error, sent;
    size_t bytes;

    for (;;)
    {
        switch (req->send.step)
        {
        case SEND_OPEN:
            if ((error = connection_open(req))) return error;
            req->send.step = req->tunnel_refused ? SEND_DONE : SEND_HEAD;
            break;
        case SEND_HEAD:
            if (!req->io.ready) send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, NULL, 0);
            if ((error = connection_io(req, TRUE, req->send.head, req->send.head_len, &bytes)))
            {
                if (error == ERROR_IO_PENDING || !retry_fresh(req, error)) return error;
                break;
            }
            req->send.step = SEND_OPTIONAL;
            break;
        case SEND_OPTIONAL:
            if (req->send.optional_len &&
                (error = connection_io(req, TRUE, (void *)req->send.optional, req->send.optional_len, &bytes)))
            {
                if (error == ERROR_IO_PENDING || !retry_fresh(req, error)) return error;
                break;
            }
            req->send.step = SEND_DONE;
            break;
        case SEND_DONE:
            sent = (DWORD)(req->send.head_len + req->send.optional_len);
            heap_free(req->send.head);
            req->send.head = NULL;
            send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_REQUEST_SENT, &sent, sizeof(sent));
            EnterCriticalSection(&req->cs);
            req->send.written = req->send.optional_len;
            req->state = STATE_SENT;
            LeaveCriticalSection(&req->cs);
            return ERROR_SUCCESS;
        }
    }
}

static DWORD send_request(struct request *req, const WCHAR *headers, DWORD headers_len, const void *optional,
                          DWORD optional_len, DWORD total_len)
{
    DWORD error;

    req->redirect_count = 0;
    if (!(error = prepare_request(req, headers, headers_len, optional, optional_len, total_len)))
        error = send_request_steps(req);
    return check_cancelled(req, error);
}

/* WinHttpWriteData --------------------------------------------------------------- */

/* WINHTTP_FLAG_AUTOMATIC_CHUNKING: a write is one chunk; the zero-length
 * write sends the last chunk, which ends the body (the program must make
 * it before WinHttpReceiveResponse, as fetch_winhttp does); nothing may
 * follow it. */
static DWORD write_chunk(struct request *req, const void *buffer, DWORD len)
{
    size_t bytes, total;
    DWORD error;

    if (req->send.body_ended) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    if (!len)
    {
        if ((error = connection_io(req, TRUE, (void *)CHUNK_LAST, sizeof(CHUNK_LAST) - 1, &bytes))) return error;
        req->send.body_ended = TRUE;
        return ERROR_SUCCESS;
    }
    /* a resumed send finds its result without looking at the frame again */
    total = chunk_frame_init(&req->send.frame, buffer, len);
    return connection_send_fill(req, total, chunk_frame_fill, &req->send.frame, &bytes);
}

static DWORD write_data(struct request *req, const void *buffer, DWORD len, DWORD *written)
{
    size_t bytes;
    DWORD error;

    *written = 0;
    if (req->state != STATE_SENT || !req->conn) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    if (req->send.auto_chunked)
    {
        if ((error = write_chunk(req, buffer, len))) return error;
    }
    else if (len && (error = connection_io(req, TRUE, (void *)buffer, len, &bytes))) return error;
    req->send.written += len;
    *written = len;
    /* Windows takes more than announced (Wine's test_WinHttpSendRequest), but
     * the extra bytes would be read as the next request: no reuse. */
    if (!req->send.chunked_upload && req->send.written > req->send.total_len) req->send.body_overrun = TRUE;
    return ERROR_SUCCESS;
}

/* WinHttpReceiveResponse ----------------------------------------------------------- */

/* Installs a parsed head (cs held). */
static DWORD install_response(struct request *req, const char *head, size_t head_len,
                              const struct wsp_http_response *resp)
{
    char version[16];
    WCHAR status[16];
    size_t i;
    DWORD error = ERROR_SUCCESS;

    reset_response(req);
    sprintf(version, "HTTP/1.%d", resp->minor_version);
    swprintf(status, ARRAY_SIZE(status), L"%d", resp->status);
    req->resp.status_code = resp->status;
    req->resp.version = latin1_to_wide(version, strlen(version));
    req->resp.status = strdupW(status);
    req->resp.text = latin1_to_wide(resp->reason, resp->reason_len);
    if ((req->resp.raw_head = heap_alloc(head_len)))
    {
        memcpy(req->resp.raw_head, head, head_len);
        req->resp.raw_head_len = head_len;
    }
    if (!req->resp.version || !req->resp.status || !req->resp.text || !req->resp.raw_head)
        return ERROR_OUTOFMEMORY;
    for (i = 0; i < resp->num_headers && !error; i++)
        error = headers_append_bytes(&req->resp.headers, resp->headers[i].name, resp->headers[i].name_len,
                                     resp->headers[i].value, resp->headers[i].value_len);
    return error;
}

/* The response's Set-Cookie headers go to the session's jar (cs held); those
 * of a redirect too, before the next hop is sent. */
static void record_cookies(struct request *req)
{
    DWORD nth;
    int i;

    if (!cookies_enabled(req)) return;
    for (nth = 0; (i = headers_find(&req->resp.headers, L"Set-Cookie", nth)) >= 0; nth++)
        cookie_jar_set(&req->session->cookies, req->server, req->path, req->resp.headers.items[i].value);
}

/* With WINHTTP_ENABLE_PASSPORT_AUTH, a 302 that challenges with Passport1.4
 * is the program's 401, status text kept ("401 Found"), and not followed
 * (Wine's test_passport_auth, which passes on Windows).  cs held. */
static DWORD passport_challenge(struct request *req)
{
    WCHAR *status;
    int i;

    if (!(req->opts.passport & WINHTTP_ENABLE_PASSPORT_AUTH) || req->resp.status_code != HTTP_STATUS_REDIRECT)
        return ERROR_SUCCESS;
    if ((i = headers_find(&req->resp.headers, L"WWW-Authenticate", 0)) < 0 ||
        _wcsnicmp(req->resp.headers.items[i].value, L"Passport1.4", 11))
        return ERROR_SUCCESS;
    if (!(status = strdupW(L"401"))) return ERROR_OUTOFMEMORY;
    heap_free(req->resp.status);
    req->resp.status = status;
    req->resp.status_code = HTTP_STATUS_DENIED;
    return ERROR_SUCCESS;
}

/* Redirects ------------------------------------------------------------------------- */

/* How long a body the program leaves unread may take to arrive, so that
 * its connection is kept (body_drain_now): a synchronous handle's thread is
 * the program's, which waits a little, bounded by the receive timeout too;
 * an asynchronous handle's may be an engine worker, which never waits on
 * the network (docs/ENGINE.md).  A proxy relays a chunked body's last chunk
 * just behind its data (libgit2 closes its GET between the two). */
#define DRAIN_WAIT_MS 500

DWORD drain_wait(struct request *req)
{
    if (object_is_async(&req->hdr)) return 0;
    if (req->timeouts.receive > 0 && req->timeouts.receive < DRAIN_WAIT_MS) return req->timeouts.receive;
    return DRAIN_WAIT_MS;
}

/* Parses the response head at in.pos, past interim 1xx answers (but 101,
 * which is final): its length, WSP_HTTP_INCOMPLETE or a negative parse error. */
static ptrdiff_t next_final_head(struct request *req, struct wsp_http_response *resp, struct wsp_http_header *lines)
{
    ptrdiff_t head_len;

    for (;;)
    {
        head_len = wsp_http_parse_response_ex(req->in.buf + req->in.pos, req->in.len - req->in.pos, response_head_limit(req),
                                              WSP_HTTP_BLANK_BEFORE_COLON,
                                              resp, lines, MAX_RESPONSE_LINES);
        if (head_len < 0 || resp->status < 100 || resp->status >= 200 || resp->status == HTTP_STATUS_SWITCH_PROTOCOLS)
            return head_len;
        TRACE("%p: skipping interim response %d\n", req, resp->status);
        req->in.pos += head_len;
    }
}

/* The connection ended (or was reset) before a byte of the answer came. */
static void note_unanswered(struct request *req, DWORD error, BOOL eof)
{
    if ((eof || error == ERROR_WINHTTP_CONNECTION_ERROR) && req->in.pos == req->in.len)
        req->setup.closed_unanswered = TRUE;
}

/* A kept-alive connection the server closed while it was idle may still
 * take the request (the close crossed it) and then end unanswered: the
 * request goes out once more on a fresh connection, as a failed send on one
 * does (retry_fresh), when it has no body to send again.
 * Seen with Wine's winhttp.c server, which closes after each answer. */
static BOOL retry_unanswered(struct request *req, DWORD error)
{
    BOOL unanswered = req->setup.closed_unanswered;

    req->setup.closed_unanswered = FALSE;
    /* a body is the program's buffer, which need not outlive the send */
    if (!unanswered || req->send.chunked_upload || req->send.total_len || req->send.optional_len) return FALSE;
    if (!retry_fresh(req, error)) return FALSE;
    heap_free(req->send.head);
    EnterCriticalSection(&req->cs);
    req->send.head = build_request_head(req, &req->send.head_len);
    LeaveCriticalSection(&req->cs);
    if (!req->send.head) return FALSE;
    req->state = STATE_SENT;
    req->redirecting = TRUE;  /* receive_response sends it again */
    return TRUE;
}

/* Asynchronous WinHttpSendRequest that sent the whole body: the response
 * head is awaited (not parsed, no notification) before SENDREQUEST_COMPLETE,
 * as on Windows, so that WinHttpReceiveResponse finds it and completes on
 * the calling thread (Wine's notification.c marks RECEIVING_RESPONSE ..
 * HEADERS_AVAILABLE NF_MAIN_THREAD against a remote host, and Wine's own
 * send reads the reply the same way).  A failure is kept in head_error for
 * ReceiveResponse to report; a cancellation is the send's. */
static DWORD await_head(struct request *req)
{
    struct wsp_http_header *lines;
    struct wsp_http_response resp;
    DWORD error = ERROR_SUCCESS;
    BOOL eof = FALSE;

    if (!(lines = heap_alloc(MAX_RESPONSE_LINES * sizeof(*lines)))) return ERROR_SUCCESS;
    while (!eof && next_final_head(req, &resp, lines) == WSP_HTTP_INCOMPLETE)
        if ((error = body_fill_input(req, response_head_limit(req) + READ_BUFFER_SIZE, &eof))) break;
    heap_free(lines);
    note_unanswered(req, error, eof);
    if (error == ERROR_IO_PENDING || (error = check_cancelled(req, error)) == ERROR_WINHTTP_OPERATION_CANCELLED)
        return error;
    req->head_error = error;
    return ERROR_SUCCESS;
}

/* One response head: RECEIVING_RESPONSE, the head, RESPONSE_RECEIVED. */
static DWORD receive_one_response(struct request *req)
{
    struct wsp_http_header *lines;
    struct wsp_http_response resp;
    ptrdiff_t head_len;
    DWORD error = ERROR_SUCCESS, received;
    BOOL eof;

    if (req->state != STATE_SENT || !req->conn) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    if (!(lines = heap_alloc(MAX_RESPONSE_LINES * sizeof(*lines)))) return ERROR_OUTOFMEMORY;

    if (!req->receiving)
    {
        req->receiving = TRUE;
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, NULL, 0);
        net_set_timeouts(req->conn, req->timeouts.send, req->timeouts.receive);
    }
    /* what the send task met while it awaited this head (await_head) */
    error = req->head_error;
    req->head_error = ERROR_SUCCESS;
    while (!error)
    {
        head_len = next_final_head(req, &resp, lines);
        if (head_len == WSP_HTTP_INCOMPLETE)
        {
            error = body_fill_input(req, response_head_limit(req) + READ_BUFFER_SIZE, &eof);
            if (!error && eof) error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
            note_unanswered(req, error, eof);
            continue;
        }
        if (head_len < 0)
        {
            TRACE("%p: bad response head (%Id)\n", req, head_len);
            /* more than MAX_RESPONSE_LINES lines is our limit, not Windows': no
             * HEADER_COUNT_EXCEEDED for it (hostile F.1.5) */
            error = head_len == WSP_HTTP_TOO_LARGE ? ERROR_WINHTTP_HEADER_SIZE_OVERFLOW
                                                   : ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
        }
        break;
    }
    if (error == ERROR_IO_PENDING)
    {
        heap_free(lines);
        return error;
    }
    req->receiving = FALSE;
    if (error)
    {
        heap_free(lines);
        connection_drop(req);
        return error;
    }

    EnterCriticalSection(&req->cs);
    error = install_response(req, req->in.buf + req->in.pos, head_len, &resp);
    if (!error) record_cookies(req);
    if (!error) error = passport_challenge(req);
    if (!error) error = body_setup(req, &resp);
    if (!error) req->state = STATE_RESPONSE;
    LeaveCriticalSection(&req->cs);
    conn_slot_server_version(&req->slot, resp.minor_version == 0);
    heap_free(lines);
    if (error)
    {
        connection_drop(req);
        return error;
    }
    req->in.pos += head_len;
    TRACE("%p: status %lu, body mode %u, keep-alive %d\n", req, req->resp.status_code, req->body.mode, req->body.keep_alive);

    received = (DWORD)head_len;
    send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED, &received, sizeof(received));
    if (req->body.mode == BODY_NONE || (req->body.mode == BODY_LENGTH && !req->body.remaining)) body_finish(req);
    return ERROR_SUCCESS;
}

/* WinHttpReceiveResponse's work: the response, and the redirects it leads to
 * (at most max_redirects: follow_redirect fails past them). */
static DWORD receive_response(struct request *req)
{
    DWORD error;
    BOOL follow;

    for (;;)
    {
        if (req->redirecting)
        {
            if ((error = check_cancelled(req, send_request_steps(req))))
            {
                if (error != ERROR_IO_PENDING) req->redirecting = FALSE;
                return error;
            }
            req->redirecting = FALSE;
        }
        if ((error = receive_one_response(req)))
        {
            if (!retry_unanswered(req, error)) return error;
            if (req->inline_call) return ERROR_IO_PENDING;
            continue;
        }
        if ((error = follow_redirect(req, &follow)) || !follow) return error;
        /* On the calling thread: the next hop's I/O is for a task (response_inline). */
        if (req->inline_call) return ERROR_IO_PENDING;
    }
}

/* WinHttpReceiveResponse: a challenge this request can answer (auth.h) is
 * answered here, by reading the refused response to its end and sending the
 * request again (on the same connection when it is kept alive), so the
 * program sees the final response.  Not when the body went out with
 * WinHttpWriteData: that cannot be sent again. */
static DWORD receive_final_response(struct request *req)
{
    struct auth_request_view view;
    char scratch[4096];
    DWORD error, read;
    BOOL retry;

    /* the last chunk is the program's to send (fetch_winhttp's
     * end_automatic_chunking); the server would wait for it.  The call
     * fails as one made too early: the program may still end the body. */
    if (req->auth_step == AUTH_STEP_RECEIVE && req->send.auto_chunked && !req->send.body_ended && req->conn)
    {
        InterlockedExchange(&req->api_received, 0);
        return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    }
    for (;;)
    {
        switch (req->auth_step)
        {
        case AUTH_STEP_RECEIVE:
            if ((error = receive_response(req))) return error;
            if (req->auth_retries >= MAX_AUTH_RETRIES || req->send.chunked_upload || req->send.total_len > req->send.optional_len
                || req->send.written > req->send.optional_len)
                return ERROR_SUCCESS;
            EnterCriticalSection(&req->cs);
            get_auth_view(req, &req->resp.headers, &view);
            retry = auth_should_retry(&req->auth, &view);
            LeaveCriticalSection(&req->cs);
            if (!retry) return ERROR_SUCCESS;
            req->auth_retries++;
            req->auth_step = AUTH_STEP_DRAIN;
            req->auth_drained = 0;
            /* On the calling thread: the round's I/O is for a task (response_inline). */
            if (req->inline_call) return ERROR_IO_PENDING;
            break;
        case AUTH_STEP_DRAIN:
            do
            {
                /* past MAX_RESPONSE_DRAIN_SIZE the connection is not worth
                 * keeping: it goes, and the request goes out on another */
                if (req->auth_drained > req->opts.max_response_drain_size)
                {
                    TRACE("%p: more than %lu bytes to drain, closing\n", req, req->opts.max_response_drain_size);
                    connection_drop(req);
                    break;
                }
                if ((error = read_data(req, scratch, sizeof(scratch), &read)))
                {
                    if (error != ERROR_IO_PENDING) req->auth_step = AUTH_STEP_RECEIVE;
                    return error;
                }
                req->auth_drained += read;
            } while (read);
            if ((error = prepare_request(req, NULL, 0, req->send.optional, req->send.optional_len, req->send.total_len)))
            {
                req->auth_step = AUTH_STEP_RECEIVE;
                return error;
            }
            req->auth_step = AUTH_STEP_SEND;
            break;
        case AUTH_STEP_SEND:
            error = send_request_steps(req);
            if (error == ERROR_IO_PENDING) return error;
            req->auth_step = AUTH_STEP_RECEIVE;
            if (error) return error;
            break;
        }
    }
}

static DWORD receive_response_call(struct request *req)
{
    req->auth_step = AUTH_STEP_RECEIVE;
    req->auth_retries = 0;
    return receive_final_response(req);
}

/* auth.c's view of a request */
struct request_auth *request_auth_acquire(HINTERNET handle, struct auth_request_view *view, DWORD *error)
{
    struct object_header *hdr = grab_typed_object(handle, HANDLE_TYPE_REQUEST, error);
    struct request *req;

    if (!hdr) return NULL;
    req = impl_from_hdr(hdr);
    EnterCriticalSection(&req->cs);
    get_auth_view(req, req->state == STATE_RESPONSE ? &req->resp.headers : NULL, view);
    return &req->auth;
}

void request_auth_release(struct auth_request_view *view)
{
    struct request *req = impl_from_hdr(view->hdr);

    LeaveCriticalSection(&req->cs);
    release_object(view->hdr);
}

/* Asynchronous tasks ---------------------------------------------------------------- */

struct send_task
{
    struct task task;
    WCHAR *headers;
    DWORD headers_len;
    const void *optional;
    DWORD optional_len;
    DWORD total_len;
    BOOL looked_up;            /* find_automatic_proxy ran */
    BOOL prepared;
    BOOL awaiting;             /* the request went out: await_head */
};

struct receive_task
{
    struct task task;
    BOOL started;
};

struct data_task
{
    struct task task;
    void *buffer;
    DWORD size;       /* read_notify_task_fn: the bytes read */
    DWORD *result;
    DWORD error;      /* read_notify_task_fn: the read's result */
    DWORD total;      /* fill_task_fn: the bytes in buffer so far */
};

/* Each task function returns ERROR_IO_PENDING while its operation waits for
 * I/O (see task.c), and reports the outcome once it is over. */

static DWORD send_task_fn(struct task *task, BOOL cancelled)
{
    struct send_task *t = CONTAINING_RECORD(task, struct send_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD error;

    if (cancelled) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    else if (t->awaiting) error = await_head(req);
    else if (t->prepared) error = check_cancelled(req, send_request_steps(req));
    else
    {
        /* first the automatic proxy's look-up, which may park the task */
        if (!t->looked_up)
        {
            t->looked_up = TRUE;
            if ((error = find_automatic_proxy(req)) == ERROR_IO_PENDING) return error;
        }
        else if ((error = resume_automatic_proxy(req)) == ERROR_IO_PENDING) return error;
        if (!error)
        {
            t->prepared = TRUE;
            error = send_request(req, t->headers, t->headers_len, t->optional, t->optional_len, t->total_len);
        }
    }
    /* the whole body went out (not a WriteData upload, not a refused tunnel) */
    if (!error && !t->awaiting && req->conn && !req->send.chunked_upload && req->send.total_len <= req->send.optional_len)
    {
        t->awaiting = TRUE;
        error = await_head(req);
    }
    if (error == ERROR_IO_PENDING) return error;

    heap_free(t->headers);
    task_queue_finishing(&req->queue);
    if (error) send_error(req, API_SEND_REQUEST, error);
    else send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, NULL, 0);
    return error;
}

static DWORD receive_task_fn(struct task *task, BOOL cancelled)
{
    struct receive_task *t = CONTAINING_RECORD(task, struct receive_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD error;

    if (cancelled) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    else if (t->started) error = receive_final_response(req);
    else
    {
        t->started = TRUE;
        error = receive_response_call(req);
    }

    if (error == ERROR_IO_PENDING) return error;
    if (!req->inline_call) task_queue_finishing(&req->queue);
    if (error) send_error(req, API_RECEIVE_RESPONSE, error);
    else send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, NULL, 0);
    return error;
}

static DWORD query_data_task_fn(struct task *task, BOOL cancelled)
{
    struct data_task *t = CONTAINING_RECORD(task, struct data_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD available = 0, error = cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : query_data_available(req, &available);

    if (error == ERROR_IO_PENDING) return error;
    if (error) send_error(req, API_QUERY_DATA_AVAILABLE, error);
    else
    {
        if (t->result) *t->result = available;
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE, &available, sizeof(available));
    }
    return error;
}

/* The end of an asynchronous read: READ_COMPLETE with the buffer and the
 * count (stored at result first, when the program gave one), or REQUEST_ERROR. */
static DWORD notify_read(struct request *req, DWORD error, void *buffer, DWORD read, DWORD *result)
{
    if (error) send_error(req, API_READ_DATA, error);
    else
    {
        if (result) *result = read;
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_READ_COMPLETE, buffer, read);
    }
    return error;
}

static DWORD read_task_fn(struct task *task, BOOL cancelled)
{
    struct data_task *t = CONTAINING_RECORD(task, struct data_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD read = 0, error = cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : read_data(req, t->buffer, t->size, &read);

    if (error == ERROR_IO_PENDING) return error;
    return notify_read(req, error, t->buffer, read, t->result);
}

/* A read done at the call (read_now_notify_later): only its notification is left. */
static DWORD read_notify_task_fn(struct task *task, BOOL cancelled)
{
    struct data_task *t = CONTAINING_RECORD(task, struct data_task, task);
    struct request *req = impl_from_hdr(task->obj);

    return notify_read(req, cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : t->error, t->buffer, t->size, NULL);
}

/* WinHttpReadDataEx with WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER: one task
 * reads until the buffer is full or the body ends and notifies once, with
 * the total.  Each step goes on with the fill where the last one parked; a
 * close ends the parked receive (request_handle_closing), and the fill then
 * reports the cancellation, not the bytes it had: it did not fill the
 * buffer. */
static DWORD fill_task_fn(struct task *task, BOOL cancelled)
{
    struct data_task *t = CONTAINING_RECORD(task, struct data_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD error = cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : read_data_fill(req, t->buffer, t->size, &t->total);

    if (error == ERROR_IO_PENDING) return error;
    return notify_read(req, check_cancelled(req, error), t->buffer, t->total, t->result);
}

static DWORD write_task_fn(struct task *task, BOOL cancelled)
{
    struct data_task *t = CONTAINING_RECORD(task, struct data_task, task);
    struct request *req = impl_from_hdr(task->obj);
    DWORD written = 0, error = cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : write_data(req, t->buffer, t->size, &written);

    if (error == ERROR_IO_PENDING) return error;
    if (error) send_error(req, API_WRITE_DATA, error);
    else
    {
        if (t->result) *t->result = written;
        send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, &written, sizeof(written));
    }
    return error;
}

/* Asynchronous QueryDataAvailable/ReadData: when the body's next bytes (or
 * its end) are already in our buffer, the call completes on the calling
 * thread with its notification, as on Windows (Wine's notification.c,
 * test_async and test_recursion, which reads into a callback's local
 * variable); otherwise a task does it, and the call's last error is
 * ERROR_IO_PENDING.  TRUE if it ran here (*error: the call's result). */
static BOOL data_call_inline(struct request *req, task_fn fn, void *buffer, DWORD size, DWORD *result)
{
    struct data_task t;
    BOOL ready;

    if (!task_queue_begin_inline(&req->queue)) return FALSE;
    ready = req->state == STATE_RESPONSE && body_ready(req);
    if (ready)
    {
        memset(&t, 0, sizeof(t));
        t.task.obj = &req->hdr;
        t.buffer = buffer;
        t.size = size;
        t.result = result;
        fn(&t.task, FALSE);
    }
    task_queue_end_inline(&req->queue, &req->hdr);
    return ready;
}

/* The final response head is complete in our buffer, after taking what the
 * connection already holds without waiting (net_recv_now): then
 * WinHttpReceiveResponse needs no I/O.  Also TRUE when it will fail at once
 * (no connection, a malformed head, an error await_head met). */
static BOOL head_arrived(struct request *req)
{
    struct wsp_http_header *lines;
    struct wsp_http_response resp;
    size_t received;
    BOOL ret = FALSE;
    int i;

    if (req->redirecting) return FALSE;
    if (!req->conn || req->head_error) return TRUE;
    if (!(lines = heap_alloc(MAX_RESPONSE_LINES * sizeof(*lines)))) return FALSE;
    for (i = 0; i < 16; i++)
    {
        if (next_final_head(req, &resp, lines) != WSP_HTTP_INCOMPLETE)
        {
            ret = TRUE;
            break;
        }
        if (body_make_room(req, response_head_limit(req) + READ_BUFFER_SIZE) ||
            net_recv_now(req->conn, req->in.buf + req->in.len, req->in.size - req->in.len, &received) || !received)
            break;
        req->in.len += received;
    }
    heap_free(lines);
    return ret;
}

/* Asynchronous WinHttpReceiveResponse: when the response head has already
 * arrived (or a response was already received: the call fails at once),
 * RECEIVING_RESPONSE, RESPONSE_RECEIVED and HEADERS_AVAILABLE (or
 * REQUEST_ERROR) come on the calling thread before it returns, as on Windows
 * (Wine's notification.c: test_connection_cache, test_redirect, test_async).
 * A redirect's REDIRECT comes here too; the next hop's I/O (or an
 * authentication round's) goes to a task.  Otherwise a task does it all.
 * TRUE if it ran here. */
static BOOL response_inline(struct request *req)
{
    struct receive_task t, *next;
    BOOL ready;

    if (!task_queue_begin_inline(&req->queue)) return FALSE;
    /* STATE_INIT: the send is still running (a call from its callbacks); it waits */
    if ((ready = req->state == STATE_RESPONSE || (req->state == STATE_SENT && head_arrived(req))))
    {
        memset(&t, 0, sizeof(t));
        t.task.obj = &req->hdr;
        req->inline_call = TRUE;
        if (receive_task_fn(&t.task, FALSE) == ERROR_IO_PENDING)
        {
            req->inline_call = FALSE;
            if (!(next = heap_alloc_zero(sizeof(*next)))) send_error(req, API_RECEIVE_RESPONSE, ERROR_OUTOFMEMORY);
            else
            {
                next->started = TRUE;
                task_queue_submit(&req->queue, &req->hdr, &next->task, receive_task_fn);  /* starts at end_inline */
            }
        }
        req->inline_call = FALSE;
    }
    task_queue_end_inline(&req->queue, &req->hdr);
    return ready;
}

/* An asynchronous ReadData that data_call_inline could not run because the
 * callbacks already nest TASK_INLINE_DEPTH deep on this thread: the buffered
 * data is still copied now, as Windows does (Wine 10's test_recursion reads
 * one byte from each DATA_AVAILABLE and checks it at once), and only
 * READ_COMPLETE comes later, from a task.  TRUE if so (*error: the queuing's
 * result); FALSE when the call must be queued whole. */
static BOOL read_now_notify_later(struct request *req, void *buffer, DWORD size, DWORD *result, DWORD *error)
{
    struct data_task *t;
    BOOL ready;

    if (!(t = heap_alloc_zero(sizeof(*t)))) return FALSE;
    if (!task_queue_begin_inline_work(&req->queue))
    {
        heap_free(t);
        return FALSE;
    }
    if ((ready = req->state == STATE_RESPONSE && body_ready(req)))
    {
        t->buffer = buffer;
        t->error = read_data(req, buffer, size, &t->size);
        if (!t->error && result) *result = t->size;
    }
    task_queue_end_inline(&req->queue, &req->hdr);
    if (!ready)
    {
        heap_free(t);
        return FALSE;
    }
    TRACE("%p: read %lu bytes at the call, READ_COMPLETE from a task\n", req, t->size);
    *error = task_queue_submit(&req->queue, &req->hdr, &t->task, read_notify_task_fn);
    return TRUE;
}

static DWORD queue_data_task(struct request *req, task_fn fn, void *buffer, DWORD size, DWORD *result)
{
    struct data_task *t = heap_alloc_zero(sizeof(*t));

    if (!t) return ERROR_OUTOFMEMORY;
    t->buffer = buffer;
    t->size = size;
    t->result = result;
    return task_queue_submit(&req->queue, &req->hdr, &t->task, fn);
}

/* Object ---------------------------------------------------------------------------- */

static void request_handle_closing(struct object_header *hdr)
{
    struct request *req = impl_from_hdr(hdr);
    struct autoproxy_lookup *lookup;

    TRACE("%p\n", req);
    /* Wake up an operation blocked on the connection; it reports
     * cancellation.  An idle request's connection is left for
     * request_unreferenced to keep or close: the operation that may still
     * run (one whose callback closed the handle) starts no I/O now (io_enter). */
    EnterCriticalSection(&req->cs);
    if (req->conn && req->io.active) net_cancel(req->conn);
    if ((lookup = req->autoproxy)) autoproxy_lookup_addref(lookup);
    LeaveCriticalSection(&req->cs);
    /* a PAC script download the send waits for ends too */
    if (lookup)
    {
        autoproxy_lookup_cancel(lookup);
        autoproxy_lookup_release(lookup);
    }
    /* A wait for a connection slot ends too (an asynchronous one resumes its task). */
    conn_slot_cancel(&req->slot, ERROR_WINHTTP_OPERATION_CANCELLED);
    /* and a name lookup or a synchronous connect (no socket yet for net_cancel to reach) */
    connection_cancel_setup(req);
}

/* Closed with the rest of the body arrived -- in our buffer, or in the
 * connection's (body_drain_now takes it without waiting): the connection is
 * as good as read to its end, and Windows keeps it for the next request
 * (Wine's notification.c, test_connection_cache; libgit2 closes a chunked
 * GET before its last chunk and needs its NTLM-authenticated proxy
 * connection kept).  No operation holds the request any more, so in and
 * body are ours.  Pooled before HANDLE_CLOSING is sent, with its slot: the
 * program may send the next request as soon as it has that notification,
 * and the last reference is often a worker's, dropped after its own
 * callback returned.  A body still on its way is waited for only briefly,
 * and only on a synchronous handle (drain_wait): else the connection
 * closes (docs/DECISIONS.md, "Unread bodies"). */
static void request_unreferenced(struct object_header *hdr)
{
    struct request *req = impl_from_hdr(hdr);

    /* first: no timeout may cancel the connection once the pool has it */
    deadline_disarm(&req->io.deadline);
    if (!req->conn || !body_drain_now(req, req->opts.max_response_drain_size, drain_wait(req))) return;
    TRACE("%p: the rest of the body had arrived, keeping connection %p\n", req, req->conn);
    connection_pool_put(req, req->conn);
    req->conn = NULL;
    conn_slot_release(&req->slot);
}

static void request_destroy(struct object_header *hdr)
{
    struct request *req = impl_from_hdr(hdr);

    TRACE("%p\n", req);
    /* (its deadline was disarmed by request_unreferenced) */
    if (req->conn) net_close(req->conn);
    if (req->auth_conn) net_close(req->auth_conn);
    autoproxy_lookup_release(req->autoproxy);
    conn_slot_release(&req->slot);
    conn_slot_free(&req->slot);
    heap_free(req->send.head);
    if (req->setup.server_cert) CertFreeCertificateContext(req->setup.server_cert);
    if (req->client_cert) CertFreeCertificateContext(req->client_cert);
    reset_response(req);
    headers_free(&req->request_headers);
    auth_free(&req->auth);
    heap_free(req->in.buf);
    heap_free(req->verb);
    heap_free(req->path);
    heap_free(req->version);
    heap_free(req->server);
    connection_free_route(req);
    proxy_option_free(&req->proxy_opt);
    options_free(&req->opts);
    task_queue_destroy(&req->queue);
    if (req->close_event) CloseHandle(req->close_event);
    DeleteCriticalSection(&req->cs);
    heap_free(req);
}

static const struct object_vtbl request_vtbl =
{
    request_handle_closing,
    request_destroy,
    request_query_option,
    request_set_option,
    request_set_timeouts,
    request_unreferenced,
};

/* WinHttpWebSocketCompleteUpgrade right after WinHttpSendRequest, without
 * WinHttpReceiveResponse (Wine's test_websocket, which passes on Windows: a
 * request sent again gives a second websocket): the answer is taken here
 * when it has already arrived (an asynchronous send awaited it, see
 * await_head), never waiting for I/O.  Before the answer came, Windows
 * upgrades all the same; so do we, and the websocket checks the 101 when
 * it arrives (request_take_upgraded_connection, DECISIONS). */
static DWORD receive_for_upgrade(struct request *req)
{
    DWORD error = ERROR_SUCCESS;

    if (!req->ws.requested || req->state != STATE_SENT || !task_queue_begin_inline(&req->queue)) return error;
    if (req->state == STATE_SENT && head_arrived(req)) error = receive_one_response(req);
    task_queue_end_inline(&req->queue, &req->hdr);
    return error;
}

DWORD upgrade_check_head(const char *head, size_t len, const char *key)
{
    struct wsp_http_header *lines;
    struct wsp_http_response resp;
    enum wsp_handshake_result result;
    DWORD error = ERROR_SUCCESS;

    if (!(lines = heap_alloc(MAX_RESPONSE_LINES * sizeof(*lines)))) return ERROR_OUTOFMEMORY;
    if (wsp_http_parse_response_ex(head, len, len, WSP_HTTP_BLANK_BEFORE_COLON, &resp, lines,
                                   MAX_RESPONSE_LINES) != (ptrdiff_t)len)
        error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    else if ((result = wsp_handshake_check_response(&resp, key, WSP_KEY_LEN, NULL, NULL, NULL)) != WSP_HS_OK)
    {
        TRACE("handshake check failed: %s\n", wsp_handshake_result_name(result));
        error = ERROR_WINHTTP_INVALID_SERVER_RESPONSE;
    }
    heap_free(lines);
    return error;
}

/* The connection and what was read past the head go to the websocket. */
static DWORD hand_over(struct request *req, struct upgraded_connection *out)
{
    size_t extra = req->in.len - req->in.pos;

    if (extra && !(out->extra = heap_alloc(extra))) return ERROR_OUTOFMEMORY;
    if (extra) memcpy(out->extra, req->in.buf + req->in.pos, extra);
    out->extra_len = extra;
    out->conn = req->conn;
    out->send_buffer_size = req->ws.send_captured;
    out->receive_buffer_size = req->ws.receive_captured;
    out->timeouts = req->timeouts;
    req->conn = NULL;
    req->ws.taken = TRUE;
    req->in.pos = req->in.len = 0;
    return ERROR_SUCCESS;
}

DWORD request_take_upgraded_connection(struct object_header *hdr, struct upgraded_connection *out)
{
    struct request *req = impl_from_hdr(hdr);
    DWORD error;

    memset(out, 0, sizeof(*out));
    if ((error = receive_for_upgrade(req))) return error;
    EnterCriticalSection(&req->cs);
    if (req->ws.requested && req->state == STATE_SENT && req->conn && !req->ws.taken && req->api_sent &&
        !object_is_async(&req->hdr))
    {
        /* sent (again) and not answered yet: Windows gives the websocket at
         * once (Wine's test_websocket: its server is busy with the first
         * websocket and never answers); the 101 is checked when it comes.
         * Synchronous requests only: an asynchronous send's task reads the
         * answer itself (await_head), and it is taken above once there. */
        TRACE("%p: upgrading before the answer\n", req);
        out->head_pending = TRUE;
        memcpy(out->key, req->ws.key, sizeof(out->key));
        error = hand_over(req, out);
    }
    else if (!req->ws.requested || req->state != STATE_RESPONSE || !req->conn || req->ws.taken || !req->resp.raw_head)
    {
        TRACE("%p: upgrade %d, state %u, conn %p, taken %d\n", req, req->ws.requested, req->state, req->conn, req->ws.taken);
        error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    }
    else if (!(error = upgrade_check_head(req->resp.raw_head, req->resp.raw_head_len, req->ws.key)))
        error = hand_over(req, out);
    LeaveCriticalSection(&req->cs);
    /* a websocket's connection no longer counts toward MAX_CONNS_PER_SERVER */
    if (!error) conn_slot_release(&req->slot);
    TRACE("%p: %lu, conn %p, %Iu extra bytes\n", req, error, out->conn, out->extra_len);
    return error;
}

/* Public API ---------------------------------------------------------------------- */

static struct request *grab_request(HINTERNET handle, DWORD *error)
{
    struct object_header *hdr = grab_typed_object(handle, HANDLE_TYPE_REQUEST, error);
    return hdr ? impl_from_hdr(hdr) : NULL;
}

static BOOL finish_call(struct request *req, DWORD error)
{
    release_object(&req->hdr);
    SetLastError(error);
    return !error;
}

/***********************************************************************
 *          WinHttpOpenRequest (winhttp.@)
 */
HINTERNET WINAPI WinHttpOpenRequest(HINTERNET hconnect, LPCWSTR verb, LPCWSTR object, LPCWSTR version,
                                    LPCWSTR referrer, LPCWSTR *types, DWORD flags)
{
    struct object_header *hdr;
    struct connect *connect;
    struct request *req;
    HINTERNET handle = NULL;
    DWORD error;

    TRACE("%p, %s, %s, %s, %s, %p, %#lx\n", hconnect, debugstr_w(verb), debugstr_w(object), debugstr_w(version),
          debugstr_w(referrer), types, flags);
    if (types && TRACE_ON(winhttp))
    {
        const WCHAR **t;
        for (t = types; *t; t++) TRACE("accept type %s\n", debugstr_w(*t));
    }

    if (!(hdr = grab_typed_object(hconnect, HANDLE_TYPE_CONNECT, &error)))
    {
        SetLastError(error);
        return NULL;
    }
    connect = CONTAINING_RECORD(hdr, struct connect, hdr);
    if (!(req = heap_alloc_zero(sizeof(*req))))
    {
        release_object(hdr);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    init_object(&req->hdr, HANDLE_TYPE_REQUEST, &request_vtbl, hdr);
    InitializeCriticalSection(&req->cs);
    InitializeSRWLock(&req->proxy_opt.lock);
    task_queue_init(&req->queue);
    req->connect = connect;
    req->session = connect->session;
    req->hdr.context = hdr->context;
    req->open_flags = flags;
    req->secure = (flags & WINHTTP_FLAG_SECURE) != 0;
    req->port = connect->hostport;
    if (req->port == INTERNET_DEFAULT_PORT)
        req->port = req->secure ? INTERNET_DEFAULT_HTTPS_PORT : INTERNET_DEFAULT_HTTP_PORT;
    req->timeouts = connect->session->timeouts;
    options_inherit(&req->opts, &connect->session->opts);
    req->hdr.options = &req->opts;
    req->ws.receive_buffer_size = connect->session->websocket_receive_buffer_size;
    req->ws.send_buffer_size = connect->session->websocket_send_buffer_size;
    req->state = STATE_INIT;

    error = ERROR_SUCCESS;
    req->verb = strdupW(verb && verb[0] ? verb : L"GET");
    req->version = strdupW(version && version[0] ? version : L"HTTP/1.1");
    req->server = strdupW(connect->hostname);
    if (object && object[0] == '/') req->path = strdupW(object);
    else if ((req->path = heap_alloc(((object ? wcslen(object) : 0) + 2) * sizeof(WCHAR))))
    {
        req->path[0] = '/';
        wcscpy(req->path + 1, object ? object : L"");
    }
    if (!req->verb || !req->version || !req->server || !req->path) error = ERROR_OUTOFMEMORY;
    if (!error && referrer && referrer[0])
        error = headers_process(&req->request_headers, L"Referer", referrer, WINHTTP_ADDREQ_FLAG_ADD);
    for (; !error && types && *types; types++)
        error = headers_process(&req->request_headers, L"Accept", *types,
                                WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_COALESCE_WITH_COMMA);

    if (!error && !(handle = alloc_handle(&req->hdr))) error = GetLastError();
    if (handle) send_callback(&req->hdr, WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, &handle, sizeof(handle));
    release_object(&req->hdr);
    release_object(hdr);
    TRACE("returning %p\n", handle);
    SetLastError(error);
    return handle;
}

/***********************************************************************
 *          WinHttpAddRequestHeaders (winhttp.@)
 */
BOOL WINAPI WinHttpAddRequestHeaders(HINTERNET hrequest, LPCWSTR headers, DWORD len, DWORD flags)
{
    struct request *req;
    DWORD error;

    TRACE("%p, %s, %lu, %#lx\n", hrequest, debugstr_wn(headers, len == ~0u ? -1 : (int)len), len, flags);

    if (!headers || !len)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    EnterCriticalSection(&req->cs);
    error = headers_add_string(&req->request_headers, headers, len, flags);
    LeaveCriticalSection(&req->cs);
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpSendRequest (winhttp.@)
 */
BOOL WINAPI WinHttpSendRequest(HINTERNET hrequest, LPCWSTR headers, DWORD headers_len, LPVOID optional,
                               DWORD optional_len, DWORD total_len, DWORD_PTR context)
{
    struct request *req;
    DWORD error;

    TRACE("%p, %s, %lu, %p, %lu, %lu, %#Ix\n", hrequest,
          debugstr_wn(headers, headers_len == ~0u ? -1 : (int)headers_len), headers_len, optional, optional_len,
          total_len, context);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    /* -1 (documented) and 0 (Wine's test_not_modified, which passes on
     * Windows) both mean a NUL-terminated string */
    if (headers && (headers_len == ~0u || !headers_len)) headers_len = (DWORD)wcslen(headers);
    if (!headers) headers_len = 0;
    if (context) req->hdr.context = context;
    InterlockedExchange(&req->api_sent, 1);
    InterlockedExchange(&req->api_received, 0);

    if (object_is_async(&req->hdr))
    {
        struct send_task *t = heap_alloc_zero(sizeof(*t));

        if (!t) error = ERROR_OUTOFMEMORY;
        else
        {
            if (headers_len && !(t->headers = strndupW(headers, headers_len))) error = ERROR_OUTOFMEMORY;
            t->headers_len = headers_len;
            t->optional = optional;
            t->optional_len = optional_len;
            t->total_len = total_len;
            if (error) heap_free(t);
            else error = task_queue_submit(&req->queue, &req->hdr, &t->task, send_task_fn);
        }
    }
    else if (!(error = find_automatic_proxy(req)))
        error = send_request(req, headers, headers_len, optional, optional_len, total_len);
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpWriteData (winhttp.@)
 */
BOOL WINAPI WinHttpWriteData(HINTERNET hrequest, LPCVOID buffer, DWORD to_write, LPDWORD written)
{
    struct request *req;
    DWORD error, count;

    TRACE("%p, %p, %lu, %p\n", hrequest, buffer, to_write, written);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!buffer && to_write) error = ERROR_INVALID_PARAMETER;
    else if (!req->api_sent || req->api_received) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else if (object_is_async(&req->hdr))
        error = queue_data_task(req, write_task_fn, (void *)buffer, to_write, written);
    else if (!(error = write_data(req, buffer, to_write, &count)) && written) *written = count;
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpReceiveResponse (winhttp.@)
 */
BOOL WINAPI WinHttpReceiveResponse(HINTERNET hrequest, LPVOID reserved)
{
    struct request *req;
    DWORD error;

    TRACE("%p, %p\n", hrequest, reserved);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!req->api_sent && object_is_async(&req->hdr))
    {
        /* Asynchronous handles report even this through the callback, on the
         * calling thread, and the call succeeds (Wine's notification.c,
         * test_recursion). */
        send_error(req, API_RECEIVE_RESPONSE, ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
        error = ERROR_SUCCESS;
    }
    else if (!req->api_sent) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else
    {
        InterlockedExchange(&req->api_received, 1);
        if (object_is_async(&req->hdr))
        {
            struct receive_task *t;

            if (response_inline(req)) error = ERROR_SUCCESS;
            else if (!(t = heap_alloc_zero(sizeof(*t)))) error = ERROR_OUTOFMEMORY;
            else error = task_queue_submit(&req->queue, &req->hdr, &t->task, receive_task_fn);
        }
        /* whatever a close from another thread made the wait end with is a cancel */
        else error = check_cancelled(req, receive_response_call(req));
    }
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpQueryDataAvailable (winhttp.@)
 */
BOOL WINAPI WinHttpQueryDataAvailable(HINTERNET hrequest, LPDWORD available)
{
    struct request *req;
    DWORD error, count;

    TRACE("%p, %p\n", hrequest, available);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!req->api_received) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else if (object_is_async(&req->hdr))
    {
        if (data_call_inline(req, query_data_task_fn, NULL, 0, available)) error = ERROR_SUCCESS;
        else if (!(error = queue_data_task(req, query_data_task_fn, NULL, 0, available)))
        {
            release_object(&req->hdr);
            SetLastError(ERROR_IO_PENDING);
            return TRUE;
        }
    }
    else if (!(error = query_data_available(req, &count)) && available) *available = count;
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpReadData (winhttp.@)
 */
BOOL WINAPI WinHttpReadData(HINTERNET hrequest, LPVOID buffer, DWORD to_read, LPDWORD read)
{
    struct request *req;
    DWORD error, count;

    TRACE("%p, %p, %lu, %p\n", hrequest, buffer, to_read, read);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!buffer && to_read) error = ERROR_INVALID_PARAMETER;
    else if (!req->api_received) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else if (object_is_async(&req->hdr))
    {
        if (data_call_inline(req, read_task_fn, buffer, to_read, read)) error = ERROR_SUCCESS;
        else
        {
            if (!read_now_notify_later(req, buffer, to_read, read, &error))
                error = queue_data_task(req, read_task_fn, buffer, to_read, read);
            if (!error)
            {
                release_object(&req->hdr);
                SetLastError(ERROR_IO_PENDING);
                return TRUE;
            }
        }
    }
    else if (!(error = read_data(req, buffer, to_read, &count)) && read) *read = count;
    return finish_call(req, error);
}

/* The header list WinHttpQueryHeaders(Ex) reads for 'level' (cs held). */
static DWORD query_source(struct request *req, DWORD level, struct query_source *src)
{
    memset(src, 0, sizeof(*src));
    /* the verb is the request's, asked for with or without the flag, before
     * the request is sent too (Wine's test_WinHttpSendRequest) */
    if ((level & WINHTTP_QUERY_FLAG_REQUEST_HEADERS) || (level & 0xffff) == WINHTTP_QUERY_REQUEST_METHOD)
    {
        src->is_request = TRUE;
        src->list = &req->request_headers;
        src->first_line_parts[0] = req->verb;
        src->first_line_parts[1] = req->path;
        src->first_line_parts[2] = req->version;
        return ERROR_SUCCESS;
    }
    if (req->state != STATE_RESPONSE) return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    src->list = &req->resp.headers;
    src->first_line_parts[0] = req->resp.version;
    src->first_line_parts[1] = req->resp.status;
    src->first_line_parts[2] = req->resp.text;
    return ERROR_SUCCESS;
}

/***********************************************************************
 *          WinHttpQueryHeaders (winhttp.@)
 */
BOOL WINAPI WinHttpQueryHeaders(HINTERNET hrequest, DWORD level, LPCWSTR name, LPVOID buffer, LPDWORD buflen,
                                LPDWORD index)
{
    struct query_source src;
    struct request *req;
    DWORD error;

    TRACE("%p, %#lx, %s, %p, %p, %p\n", hrequest, level, debugstr_w(name), buffer, buflen, index);

    if (!(req = grab_request(hrequest, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!buflen)
    {
        release_object(&req->hdr);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    EnterCriticalSection(&req->cs);
    if (!(error = query_source(req, level, &src))) error = headers_query(&src, level, name, buffer, buflen, index);
    LeaveCriticalSection(&req->cs);
    TRACE("returning %lu\n", error);
    return finish_call(req, error);
}

/***********************************************************************
 *          WinHttpQueryHeadersEx (winhttp.@)
 */
DWORD WINAPI WinHttpQueryHeadersEx(HINTERNET hrequest, DWORD level, ULONGLONG flags, UINT codepage, DWORD *index,
                                   WINHTTP_HEADER_NAME *name, void *buffer, DWORD *buflen,
                                   WINHTTP_EXTENDED_HEADER **headers, DWORD *count)
{
    struct query_source src;
    struct request *req;
    DWORD error;

    TRACE("%p, %#lx, %#I64x, %u, %p, %p, %p, %p, %p, %p\n", hrequest, level, flags, codepage, index, name, buffer,
          buflen, headers, count);

    if (!(req = grab_request(hrequest, &error))) return error;
    if (!buflen || !count || flags) error = ERROR_INVALID_PARAMETER;
    else
    {
        *count = 0;
        EnterCriticalSection(&req->cs);
        if (!(error = query_source(req, level, &src)))
            error = headers_query_ex(&src, level, codepage, index, name, buffer, buflen, headers, count);
        LeaveCriticalSection(&req->cs);
    }
    release_object(&req->hdr);
    TRACE("returning %lu\n", error);
    return error;
}

/***********************************************************************
 *          WinHttpReadDataEx (winhttp.@)
 *
 * WinHttpReadData returning its error; WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER
 * waits until the buffer is full or the body ends, and on an asynchronous
 * request completes once, with READ_COMPLETE and the total, as Microsoft's
 * page says the call does not complete before (docs/DECISIONS.md).
 */
DWORD WINAPI WinHttpReadDataEx(HINTERNET hrequest, void *buffer, DWORD to_read, DWORD *read, ULONGLONG flags,
                               DWORD property_size, void *property)
{
    struct request *req;
    DWORD error, total = 0;

    TRACE("%p, %p, %lu, %p, %#I64x, %lu, %p\n", hrequest, buffer, to_read, read, flags, property_size, property);

    if (read) *read = 0;
    if (flags & ~WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER || property_size || property) return ERROR_INVALID_PARAMETER;
    if (!(flags & WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER))
        return WinHttpReadData(hrequest, buffer, to_read, read) ? ERROR_SUCCESS : GetLastError();

    if (!(req = grab_request(hrequest, &error))) return error;
    if (!buffer && to_read) error = ERROR_INVALID_PARAMETER;
    else if (!req->api_received) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else if (object_is_async(&req->hdr))
    {
        /* Queued, never run here: a fill that needs a receive would start
         * it on the program's thread, and under Wine an overlapped read is
         * finished by the thread that started it (docs/ENGINE.md), which
         * may be busy, asleep on something else, or gone. */
        error = queue_data_task(req, fill_task_fn, buffer, to_read, read);
    }
    else if (!(error = read_data_fill(req, buffer, to_read, &total)) && read) *read = total;
    return finish_call(req, error) ? ERROR_SUCCESS : GetLastError();
}
