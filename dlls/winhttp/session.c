/*
 * Session and connect handles: WinHttpOpen, WinHttpConnect, WinHttpSetTimeouts,
 * WinHttpCheckPlatform and their options.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "proxy_route.h"

/* Defaults from the WinHttpSetTimeouts documentation. */
#define DEFAULT_RESOLVE_TIMEOUT          0
#define DEFAULT_CONNECT_TIMEOUT          60000
#define DEFAULT_SEND_TIMEOUT             30000
#define DEFAULT_RECEIVE_TIMEOUT          30000
/* Wine's tests (winhttp.c, test_timeouts) read ~0u on every handle type
 * before it is set, although the option list says 90 seconds. */
#define DEFAULT_RECEIVE_RESPONSE_TIMEOUT (-1)
#define DEFAULT_WEB_SOCKET_BUFFER_SIZE   32768

/* The timeout options shared by session and request handles.  *handled says
 * whether the option was a timeout option at all. */
BOOL session_query_timeout_option(const struct timeouts *t, DWORD option, void *buffer, DWORD *buflen, BOOL *handled)
{
    int value;

    *handled = TRUE;
    switch (option)
    {
    case WINHTTP_OPTION_RESOLVE_TIMEOUT:          value = t->resolve; break;
    case WINHTTP_OPTION_CONNECT_TIMEOUT:          value = t->connect; break;
    case WINHTTP_OPTION_SEND_TIMEOUT:             value = t->send; break;
    case WINHTTP_OPTION_RECEIVE_TIMEOUT:          value = t->receive; break;
    case WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT:
        /* Windows reads back the larger of this and the receive timeout
         * (test_timeouts: 48878 set beside a receive timeout of 48879 reads
         * 48879), unsigned, so an unset (~0u) one stays ~0u. */
        value = (int)max((DWORD)t->receive_response, (DWORD)t->receive);
        break;
    default:
        *handled = FALSE;
        return FALSE;
    }
    return query_dword_option(value, buffer, buflen);
}

BOOL session_set_timeout_option(struct timeouts *t, DWORD option, const void *buffer, DWORD buflen, BOOL *handled)
{
    int *field;
    DWORD value;

    *handled = TRUE;
    switch (option)
    {
    case WINHTTP_OPTION_RESOLVE_TIMEOUT:          field = &t->resolve; break;
    case WINHTTP_OPTION_CONNECT_TIMEOUT:          field = &t->connect; break;
    case WINHTTP_OPTION_SEND_TIMEOUT:             field = &t->send; break;
    case WINHTTP_OPTION_RECEIVE_TIMEOUT:          field = &t->receive; break;
    case WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT: field = &t->receive_response; break;
    default:
        *handled = FALSE;
        return FALSE;
    }
    if (!get_dword_option(buffer, buflen, &value)) return FALSE;
    *field = (int)value;
    return TRUE;
}

static void session_destroy(struct object_header *hdr)
{
    struct session *session = CONTAINING_RECORD(hdr, struct session, hdr);
    HANDLE unload_event = session->unload_event;

    TRACE("%p\n", session);
    net_pool_clear(session);
    heap_free(session->agent);
    proxy_option_free(&session->proxy);
    options_free(&session->opts);
    cookie_jar_free(&session->cookies);
    heap_free(session->wpad_url);
    bad_proxy_clear(session);
    heap_free(session);
    /* the last reference went (its connections' and requests' too): nothing
     * of the session runs any more (Wine's notification.c waits for it) */
    if (unload_event) SetEvent(unload_event);
}

static BOOL session_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    struct session *session = CONTAINING_RECORD(hdr, struct session, hdr);
    BOOL handled, ret;

    ret = session_query_timeout_option(&session->timeouts, option, buffer, buflen, &handled);
    if (handled) return ret;

    switch (option)
    {
    case WINHTTP_OPTION_PROXY:
        return proxy_option_query(&session->proxy, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
        return query_dword_option(session->websocket_receive_buffer_size, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        return query_dword_option(session->websocket_send_buffer_size, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:  /* write-only, and only on websocket handles */
    case WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT:             /* write-only */
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

static BOOL session_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    struct session *session = CONTAINING_RECORD(hdr, struct session, hdr);
    BOOL handled, ret;
    DWORD value;

    ret = session_set_timeout_option(&session->timeouts, option, buffer, buflen, &handled);
    if (handled) return ret;

    switch (option)
    {
    case WINHTTP_OPTION_PROXY:
        return proxy_option_set(&session->proxy, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        session->websocket_receive_buffer_size = value;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        session->websocket_send_buffer_size = value;
        return TRUE;
    case WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT:
        if (buflen != sizeof(HANDLE))
        {
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        session->unload_event = *(HANDLE *)buffer;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
    case WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET:
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return FALSE;
    }
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

void set_timeouts(struct timeouts *t, int resolve, int connect, int send, int receive)
{
    t->resolve = resolve;
    t->connect = connect;
    t->send = send;
    t->receive = receive;
}

static void session_set_timeouts(struct object_header *hdr, int resolve, int connect, int send, int receive)
{
    set_timeouts(&CONTAINING_RECORD(hdr, struct session, hdr)->timeouts, resolve, connect, send, receive);
}

static const struct object_vtbl session_vtbl =
{
    NULL,
    session_destroy,
    session_query_option,
    session_set_option,
    session_set_timeouts,
    NULL,
};

/***********************************************************************
 *          WinHttpOpen (winhttp.@)
 */
HINTERNET WINAPI WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass, DWORD flags)
{
    struct session *session;
    HINTERNET handle = NULL;

    TRACE("%s, %lu, %s, %s, %#lx\n", debugstr_w(agent), access, debugstr_w(proxy), debugstr_w(bypass), flags);

    if (!(session = heap_alloc_zero(sizeof(*session))))
    {
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    init_object(&session->hdr, HANDLE_TYPE_SESSION, &session_vtbl, NULL);
    session->hdr.flags = flags & WINHTTP_FLAG_ASYNC;
    session->access = access;
    InitializeSRWLock(&session->proxy.lock);
    InitializeSRWLock(&session->wpad_lock);
    InitializeSRWLock(&session->bad_lock);
    session->timeouts.resolve = DEFAULT_RESOLVE_TIMEOUT;
    session->timeouts.connect = DEFAULT_CONNECT_TIMEOUT;
    session->timeouts.send = DEFAULT_SEND_TIMEOUT;
    session->timeouts.receive = DEFAULT_RECEIVE_TIMEOUT;
    session->timeouts.receive_response = DEFAULT_RECEIVE_RESPONSE_TIMEOUT;
    session->websocket_receive_buffer_size = DEFAULT_WEB_SOCKET_BUFFER_SIZE;
    session->websocket_send_buffer_size = DEFAULT_WEB_SOCKET_BUFFER_SIZE;
    options_init_session(&session->opts);
    cookie_jar_init(&session->cookies);
    session->hdr.options = &session->opts;

    if ((agent && !(session->agent = strdupW(agent)))
        || (access == WINHTTP_ACCESS_TYPE_NAMED_PROXY
            && ((proxy && !(session->proxy.server = strdupW(proxy)))
                || (bypass && !(session->proxy.bypass = strdupW(bypass))))))
    {
        release_object(&session->hdr);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }

    /* WINHTTP_ACCESS_TYPE_DEFAULT_PROXY: the configuration as it is now
     * (WinHttpGetDefaultProxyConfiguration), read once like Windows does. */
    if (access == WINHTTP_ACCESS_TYPE_DEFAULT_PROXY)
        proxy_default_config(&session->proxy.server, &session->proxy.bypass);

    handle = alloc_handle(&session->hdr);
    release_object(&session->hdr);
    TRACE("returning %p\n", handle);
    if (handle) SetLastError(ERROR_SUCCESS);
    return handle;
}

static void connect_destroy(struct object_header *hdr)
{
    struct connect *connect = CONTAINING_RECORD(hdr, struct connect, hdr);

    TRACE("%p\n", connect);
    heap_free(connect->hostname);
    heap_free(connect->username);
    heap_free(connect->password);
    heap_free(connect);
}

static BOOL connect_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    struct connect *connect = CONTAINING_RECORD(hdr, struct connect, hdr);
    BOOL handled, ret;

    ret = session_query_timeout_option(&connect->session->timeouts, option, buffer, buflen, &handled);
    if (handled) return ret;
    if (query_websocket_option_refused(option)) return FALSE;
    /* option.c tells unknown options from ones a connect handle lacks */
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

static BOOL connect_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    /* Nothing is settable on a connect handle but the common options
     * (timeouts included: ERROR_WINHTTP_INCORRECT_HANDLE_TYPE). */
    (void)hdr; (void)option; (void)buffer; (void)buflen;
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

static const struct object_vtbl connect_vtbl =
{
    NULL,
    connect_destroy,
    connect_query_option,
    connect_set_option,
    NULL,
    NULL,
};

/***********************************************************************
 *          WinHttpConnect (winhttp.@)
 */
HINTERNET WINAPI WinHttpConnect(HINTERNET hsession, LPCWSTR server, INTERNET_PORT port, DWORD reserved)
{
    struct object_header *hdr;
    struct connect *connect;
    HINTERNET handle = NULL;
    DWORD error;

    TRACE("%p, %s, %u, %#lx\n", hsession, debugstr_w(server), port, reserved);

    if (!server)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (!(hdr = grab_typed_object(hsession, HANDLE_TYPE_SESSION, &error)))
    {
        SetLastError(error);
        return NULL;
    }
    if (!(connect = heap_alloc_zero(sizeof(*connect))))
    {
        release_object(hdr);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    init_object(&connect->hdr, HANDLE_TYPE_CONNECT, &connect_vtbl, hdr);
    connect->session = CONTAINING_RECORD(hdr, struct session, hdr);
    connect->hdr.context = hdr->context;
    connect->hostport = port;
    if (!(connect->hostname = strdupW(server)))
    {
        release_object(&connect->hdr);
        release_object(hdr);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }

    if ((handle = alloc_handle(&connect->hdr)))
        send_callback(&connect->hdr, WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, &handle, sizeof(handle));
    release_object(&connect->hdr);
    release_object(hdr);
    TRACE("returning %p\n", handle);
    if (handle) SetLastError(ERROR_SUCCESS);
    return handle;
}

/***********************************************************************
 *          WinHttpSetTimeouts (winhttp.@)
 */
BOOL WINAPI WinHttpSetTimeouts(HINTERNET handle, int resolve, int connect, int send, int receive)
{
    struct object_header *hdr;
    BOOL ret = TRUE;

    TRACE("%p, %d, %d, %d, %d\n", handle, resolve, connect, send, receive);

    if (resolve < -1 || connect < -1 || send < -1 || receive < -1)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!(hdr = grab_object(handle)))
    {
        SetLastError(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (hdr->vtbl->set_timeouts) hdr->vtbl->set_timeouts(hdr, resolve, connect, send, receive);
    else
    {
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        ret = FALSE;
    }
    release_object(hdr);
    if (ret) SetLastError(ERROR_SUCCESS);
    return ret;
}

/***********************************************************************
 *          WinHttpCheckPlatform (winhttp.@)
 */
BOOL WINAPI WinHttpCheckPlatform(void)
{
    TRACE("\n");
    return TRUE;
}
