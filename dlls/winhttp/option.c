/*
 * WinHttpQueryOption / WinHttpSetOption.
 *
 * Order of dispatch: the options of every handle (context value, parent),
 * then the options that need no handle (the NULL handle), then the stored
 * options of the table below, then the handle's own vtbl (timeouts, the
 * request's live TLS state, websocket options).
 *
 * Error rules, from Wine's conformance tests (which pass on Windows) and
 * Microsoft's option list:
 *   - querying an option nobody can query (write-only): ERROR_INVALID_PARAMETER;
 *   - an unknown option: ERROR_WINHTTP_INVALID_OPTION (a query of option 0,
 *     ERROR_INVALID_PARAMETER);
 *   - an option known but not taken by this handle type:
 *     ERROR_WINHTTP_INCORRECT_HANDLE_TYPE;
 *   - setting a read-only option: ERROR_WINHTTP_OPTION_NOT_SETTABLE;
 *   - a DWORD set with another size: ERROR_INSUFFICIENT_BUFFER (some options
 *     answer ERROR_INVALID_PARAMETER instead, marked OPTF_SIZE_EINVAL);
 *   - a query into a missing or small buffer: ERROR_INSUFFICIENT_BUFFER with
 *     the size needed in *buflen.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include "winhttp_private.h"

/* Guards the string options of every handle (few writers, rare readers). */
static SRWLOCK options_lock = SRWLOCK_INIT;

/* Process-wide options, set on the NULL handle. */
static LONG worker_thread_count;
static LONG worker_thread_count_set;
static LONG tracing_enabled;

static inline LONG read_long(LONG *value)
{
    return InterlockedCompareExchange(value, 0, 0);
}

/* Windows' buffer-size protocol for a query: a missing or short buffer
 * fails with ERROR_INSUFFICIENT_BUFFER, *buflen then saying what is needed. */
BOOL query_buffer_fits(const void *buffer, DWORD *buflen, DWORD need)
{
    if (buffer && *buflen >= need) return TRUE;
    *buflen = need;
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return FALSE;
}

/* Copies a DWORD result, with Windows' buffer-size protocol. */
BOOL query_dword_option(DWORD value, void *buffer, DWORD *buflen)
{
    if (!query_buffer_fits(buffer, buflen, sizeof(DWORD))) return FALSE;
    *(DWORD *)buffer = value;
    *buflen = sizeof(DWORD);
    return TRUE;
}

/* Websocket options that a connect or websocket handle answers with an
 * error of its own (as Windows does) rather than "invalid option". */
BOOL query_websocket_option_refused(DWORD option)
{
    switch (option)
    {
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
        SetLastError(ERROR_INVALID_PARAMETER);
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return TRUE;
    }
    return FALSE;
}

BOOL get_dword_option(const void *buffer, DWORD buflen, DWORD *value)
{
    if (buflen != sizeof(DWORD))
    {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    *value = *(const DWORD *)buffer;
    return TRUE;
}

/* Defaults from Microsoft's option list ("Option Flags"). */
void options_init_session(struct handle_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->redirect_policy = WINHTTP_OPTION_REDIRECT_POLICY_DEFAULT;
    opts->max_redirects = 10;
    opts->max_status_continue = 10;
    opts->max_response_header_size = 64 * 1024;
    opts->max_response_drain_size = 1024 * 1024;
    opts->connect_retries = 5;
    opts->autologon_policy = WINHTTP_AUTOLOGON_SECURITY_LEVEL_DEFAULT;
    /* Windows 10 also allows TLS 1.0 and 1.1 by default; we kept 1.2 only
     * (docs/DECISIONS.md), a program asking for more gets more. */
    opts->secure_protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;
    opts->max_conns_per_server = ~0u;
    opts->max_conns_per_1_0_server = ~0u;
    opts->codepage = CP_UTF8;
}

void options_inherit(struct handle_options *dst, const struct handle_options *src)
{
    *dst = *src;
    dst->username = dst->password = dst->proxy_username = dst->proxy_password = NULL;
}

void options_free(struct handle_options *opts)
{
    heap_free(opts->username);
    heap_free(opts->password);
    heap_free(opts->proxy_username);
    heap_free(opts->proxy_password);
}

DWORD options_worker_thread_count(void)
{
    return (DWORD)read_long(&worker_thread_count);
}

/* Option table -------------------------------------------------------------- */

#define H_SESSION (1u << HANDLE_TYPE_SESSION)
#define H_CONNECT (1u << HANDLE_TYPE_CONNECT)
#define H_REQUEST (1u << HANDLE_TYPE_REQUEST)
#define H_SR      (H_SESSION | H_REQUEST)

enum option_kind
{
    KIND_DWORD,   /* a DWORD (or BOOL) at .offset */
    KIND_STRING,  /* a WCHAR * at .offset; set with a length in characters */
    KIND_BLOB,    /* .size bytes at .offset */
};

#define OPTF_OR          0x01  /* a set adds flags to the stored ones */
#define OPTF_SIZE_EINVAL 0x02  /* a set of the wrong size fails with ERROR_INVALID_PARAMETER */
#define OPTF_MASK        0x04  /* .limit is the mask of valid bits */
#define OPTF_MAX         0x08  /* .limit is the largest valid value */

struct option_desc
{
    DWORD option;
    BYTE query;        /* handle types that may query it (0: write-only) */
    BYTE set;          /* handle types that may set it (0: read-only) */
    BYTE kind;
    BYTE flags;
    WORD offset;       /* in struct handle_options */
    WORD size;         /* KIND_BLOB */
    DWORD limit;
};

#define OPT(o, q, s, kind, flags, field, limit) \
    { o, q, s, kind, flags, offsetof(struct handle_options, field), sizeof(((struct handle_options *)0)->field), limit }

#define SECURE_PROTOCOLS_MASK \
    (WINHTTP_FLAG_SECURE_PROTOCOL_SSL2 | WINHTTP_FLAG_SECURE_PROTOCOL_SSL3 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1 | \
     WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3)

/* Query and set columns follow the table of Microsoft's "Option Flags" page;
 * where Wine's tests show Windows differing, the tests win (a write-only
 * DISABLE_FEATURE query is ERROR_INVALID_PARAMETER, for instance). */
static const struct option_desc option_table[] =
{
    OPT(WINHTTP_OPTION_REDIRECT_POLICY, H_SR, H_SR, KIND_DWORD, OPTF_MAX, redirect_policy,
        WINHTTP_OPTION_REDIRECT_POLICY_LAST),
    OPT(WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS, H_SR, H_SR, KIND_DWORD, 0, max_redirects, 0),
    OPT(WINHTTP_OPTION_MAX_HTTP_STATUS_CONTINUE, H_SR, H_SR, KIND_DWORD, 0, max_status_continue, 0),
    OPT(WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, H_SR, H_SR, KIND_DWORD, 0, max_response_header_size, 0),
    OPT(WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, H_SR, H_SR, KIND_DWORD, 0, max_response_drain_size, 0),
    OPT(WINHTTP_OPTION_CONNECT_RETRIES, H_SR, H_SR, KIND_DWORD, 0, connect_retries, 0),
    OPT(WINHTTP_OPTION_DECOMPRESSION, 0, H_SR, KIND_DWORD, OPTF_MASK, decompression, WINHTTP_DECOMPRESSION_FLAG_ALL),
    OPT(WINHTTP_OPTION_ENABLE_HTTP_PROTOCOL, 0, H_SR, KIND_DWORD, OPTF_MASK, http_protocols,
        WINHTTP_PROTOCOL_FLAG_HTTP2 | WINHTTP_PROTOCOL_FLAG_HTTP3),
    OPT(WINHTTP_OPTION_DISABLE_FEATURE, 0, H_REQUEST, KIND_DWORD, OPTF_OR, disable_features, 0),
    /* the mask is narrowed per handle type in check_value() */
    OPT(WINHTTP_OPTION_ENABLE_FEATURE, 0, H_SR, KIND_DWORD, OPTF_OR | OPTF_SIZE_EINVAL | OPTF_MASK, enable_features,
        WINHTTP_ENABLE_SSL_REVOCATION | WINHTTP_ENABLE_SSL_REVERT_IMPERSONATION),
    OPT(WINHTTP_OPTION_AUTOLOGON_POLICY, 0, H_REQUEST, KIND_DWORD, OPTF_MAX, autologon_policy,
        WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH),
    OPT(WINHTTP_OPTION_SECURE_PROTOCOLS, 0, H_SESSION, KIND_DWORD, OPTF_MASK, secure_protocols, SECURE_PROTOCOLS_MASK),
    OPT(WINHTTP_OPTION_MAX_CONNS_PER_SERVER, H_SESSION, H_SESSION, KIND_DWORD, 0, max_conns_per_server, 0),
    OPT(WINHTTP_OPTION_MAX_CONNS_PER_1_0_SERVER, H_SESSION, H_SESSION, KIND_DWORD, 0, max_conns_per_1_0_server, 0),
    OPT(WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, 0, H_SESSION, KIND_DWORD, OPTF_MAX, assured_non_blocking, TRUE),
    OPT(WINHTTP_OPTION_CODEPAGE, 0, H_SESSION, KIND_DWORD, 0, codepage, 0),
    OPT(WINHTTP_OPTION_CONFIGURE_PASSPORT_AUTH, 0, H_SESSION, KIND_DWORD, 0, passport, 0),
    OPT(WINHTTP_OPTION_SPN, 0, H_REQUEST, KIND_DWORD, OPTF_MASK, spn, WINHTTP_OPTION_SPN_MASK),
    OPT(WINHTTP_OPTION_REJECT_USERPWD_IN_URL, 0, H_REQUEST, KIND_DWORD, 0, reject_userpwd, 0),
    OPT(WINHTTP_OPTION_RECEIVE_PROXY_CONNECT_RESPONSE, 0, H_SR, KIND_DWORD, 0, receive_proxy_connect_response, 0),
    OPT(WINHTTP_OPTION_USE_GLOBAL_SERVER_CREDENTIALS, 0, H_SR, KIND_DWORD, 0, use_global_server_creds, 0),
    OPT(WINHTTP_OPTION_READ_BUFFER_SIZE, H_REQUEST, H_REQUEST, KIND_DWORD, 0, read_buffer_size, 0),
    OPT(WINHTTP_OPTION_WRITE_BUFFER_SIZE, H_REQUEST, H_REQUEST, KIND_DWORD, 0, write_buffer_size, 0),
    OPT(WINHTTP_OPTION_REQUEST_PRIORITY, H_REQUEST, H_REQUEST, KIND_DWORD, 0, request_priority, 0),
    OPT(WINHTTP_OPTION_DISABLE_STREAM_QUEUE, 0, H_SR, KIND_DWORD, 0, disable_stream_queue, 0),
    OPT(WINHTTP_OPTION_IPV6_FAST_FALLBACK, 0, H_SR, KIND_DWORD, 0, ipv6_fast_fallback, 0),
    OPT(WINHTTP_OPTION_DISABLE_SECURE_PROTOCOL_FALLBACK, 0, H_SR, KIND_DWORD, 0, disable_secure_protocol_fallback, 0),
    OPT(WINHTTP_OPTION_HTTP_PROTOCOL_REQUIRED, 0, H_SR, KIND_DWORD, 0, http_protocol_required, 0),
    OPT(WINHTTP_OPTION_TCP_PRIORITY_HINT, 0, H_SR, KIND_DWORD, 0, tcp_priority_hint, 0),
    OPT(WINHTTP_OPTION_TCP_KEEPALIVE, 0, H_SESSION, KIND_BLOB, OPTF_SIZE_EINVAL, tcp_keepalive, 0),
    /* a BOOL; not in the "Option Flags" page: docs/DECISIONS.md */
    OPT(WINHTTP_OPTION_DISABLE_GLOBAL_POOLING, 0, H_SESSION, KIND_DWORD, OPTF_MAX, disable_global_pooling, TRUE),
    OPT(WINHTTP_OPTION_USERNAME, H_REQUEST, H_REQUEST, KIND_STRING, 0, username, 0),
    OPT(WINHTTP_OPTION_PASSWORD, H_REQUEST, H_REQUEST, KIND_STRING, 0, password, 0),
    OPT(WINHTTP_OPTION_PROXY_USERNAME, H_REQUEST, H_REQUEST, KIND_STRING, 0, proxy_username, 0),
    OPT(WINHTTP_OPTION_PROXY_PASSWORD, H_REQUEST, H_REQUEST, KIND_STRING, 0, proxy_password, 0),
};

static const struct option_desc *find_option(DWORD option)
{
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(option_table); i++)
        if (option_table[i].option == option) return &option_table[i];
    return NULL;
}

static BOOL handle_takes(BYTE types, const struct object_header *hdr)
{
    return (types & (1u << hdr->type)) != 0;
}

static void *option_field(struct object_header *hdr, const struct option_desc *desc)
{
    return (char *)hdr->options + desc->offset;
}

/* Whether Windows knows the option at all: an option it knows but that does
 * not apply to the handle fails with ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, an
 * unknown one with ERROR_WINHTTP_INVALID_OPTION. */
static BOOL is_known_option(DWORD option)
{
    return (option >= WINHTTP_FIRST_OPTION && option <= WINHTTP_LAST_OPTION)
        || (option >= WINHTTP_OPTION_USERNAME && option <= WINHTTP_OPTION_PROXY_PASSWORD)
        || find_option(option);
}

static BOOL fail(DWORD error)
{
    SetLastError(error);
    return FALSE;
}

/* String options are returned without their terminator in *buflen, and an
 * unset one reads as the empty string (Wine's test_credentials). */
static BOOL query_string(const WCHAR *str, void *buffer, DWORD *buflen)
{
    DWORD len = str ? (DWORD)wcslen(str) : 0;
    DWORD need = (len + 1) * sizeof(WCHAR);

    if (!buffer || *buflen < need)
    {
        *buflen = need;
        return fail(ERROR_INSUFFICIENT_BUFFER);
    }
    if (len) memcpy(buffer, str, len * sizeof(WCHAR));
    ((WCHAR *)buffer)[len] = 0;
    *buflen = len * sizeof(WCHAR);
    return TRUE;
}

static BOOL query_table_option(struct object_header *hdr, const struct option_desc *desc, void *buffer,
                               DWORD *buflen)
{
    BOOL ret;

    if (!desc->query) return fail(ERROR_INVALID_PARAMETER);
    if (!handle_takes(desc->query, hdr) || !hdr->options) return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);

    switch (desc->kind)
    {
    case KIND_DWORD:
        return query_dword_option(*(DWORD *)option_field(hdr, desc), buffer, buflen);
    case KIND_STRING:
        AcquireSRWLockShared(&options_lock);
        ret = query_string(*(WCHAR **)option_field(hdr, desc), buffer, buflen);
        ReleaseSRWLockShared(&options_lock);
        return ret;
    default:
        if (!buffer || *buflen < desc->size)
        {
            *buflen = desc->size;
            return fail(ERROR_INSUFFICIENT_BUFFER);
        }
        memcpy(buffer, option_field(hdr, desc), desc->size);
        *buflen = desc->size;
        return TRUE;
    }
}

static BOOL check_value(struct object_header *hdr, const struct option_desc *desc, DWORD value)
{
    DWORD mask = desc->limit;

    /* ENABLE_FEATURE: revocation is a request feature, reverting
     * impersonation a session one. */
    if (desc->option == WINHTTP_OPTION_ENABLE_FEATURE)
        mask = hdr->type == HANDLE_TYPE_SESSION ? WINHTTP_ENABLE_SSL_REVERT_IMPERSONATION : WINHTTP_ENABLE_SSL_REVOCATION;
    if ((desc->flags & OPTF_MASK) && (value & ~mask)) return FALSE;
    if ((desc->flags & OPTF_MAX) && value > desc->limit) return FALSE;
    return TRUE;
}

static BOOL set_string(WCHAR **field, const WCHAR *buffer, DWORD len)
{
    WCHAR *str = NULL, *old;

    if (buffer && !(str = strndupW(buffer, len))) return fail(ERROR_OUTOFMEMORY);
    AcquireSRWLockExclusive(&options_lock);
    old = *field;
    *field = str;
    ReleaseSRWLockExclusive(&options_lock);
    heap_free(old);
    return TRUE;
}

static BOOL set_table_option(struct object_header *hdr, const struct option_desc *desc, void *buffer, DWORD buflen)
{
    DWORD value, *field;

    if (!desc->set) return fail(desc->query ? ERROR_WINHTTP_OPTION_NOT_SETTABLE : ERROR_WINHTTP_INVALID_OPTION);
    if (!handle_takes(desc->set, hdr) || !hdr->options) return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);

    switch (desc->kind)
    {
    case KIND_STRING:
        /* the length is in characters, as for WINHTTP_OPTION_USER_AGENT */
        return set_string(option_field(hdr, desc), buffer, buflen);
    case KIND_BLOB:
        if (buflen != desc->size) return fail(ERROR_INVALID_PARAMETER);
        memcpy(option_field(hdr, desc), buffer, desc->size);
        return TRUE;
    default:
        break;
    }

    if (buflen != sizeof(DWORD))
        return fail(desc->flags & OPTF_SIZE_EINVAL ? ERROR_INVALID_PARAMETER : ERROR_INSUFFICIENT_BUFFER);
    value = *(const DWORD *)buffer;
    if (!check_value(hdr, desc, value)) return fail(ERROR_INVALID_PARAMETER);

    field = option_field(hdr, desc);
    if (desc->flags & OPTF_OR) InterlockedOr((LONG *)field, (LONG)value);
    else InterlockedExchange((LONG *)field, (LONG)value);
    TRACE("option %lu = %#lx\n", desc->option, value);
    return TRUE;
}

WCHAR *options_dup_string(struct object_header *hdr, DWORD option)
{
    const struct option_desc *desc = find_option(option);
    WCHAR *ret = NULL;

    if (!desc || desc->kind != KIND_STRING || !hdr->options) return NULL;
    AcquireSRWLockShared(&options_lock);
    ret = strdupW(*(WCHAR **)option_field(hdr, desc));
    ReleaseSRWLockShared(&options_lock);
    return ret;
}

/* Options of no handle ------------------------------------------------------ */

static BOOL query_global_option(DWORD option, void *buffer, DWORD *buflen, BOOL *handled)
{
    *handled = TRUE;
    switch (option)
    {
    case WINHTTP_OPTION_ENABLETRACING:
        return query_dword_option(read_long(&tracing_enabled), buffer, buflen);
    case WINHTTP_OPTION_HTTP_VERSION:
    {
        HTTP_VERSION_INFO *info = buffer;
        if (!buffer || *buflen < sizeof(*info))
        {
            *buflen = sizeof(*info);
            return fail(ERROR_INSUFFICIENT_BUFFER);
        }
        info->dwMajorVersion = 1;
        info->dwMinorVersion = 1;
        *buflen = sizeof(*info);
        return TRUE;
    }
    }
    *handled = FALSE;
    return FALSE;
}

static BOOL set_global_option(DWORD option, void *buffer, DWORD buflen, BOOL *handled)
{
    DWORD value;

    *handled = TRUE;
    switch (option)
    {
    case WINHTTP_OPTION_WORKER_THREAD_COUNT:
        /* "can only be set once", before any asynchronous operation */
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        if (InterlockedExchange(&worker_thread_count_set, 1)) return fail(ERROR_INVALID_PARAMETER);
        InterlockedExchange(&worker_thread_count, (LONG)value);
        FIXME("worker thread count %lu stored; the pool sizes itself\n", value);
        return TRUE;
    case WINHTTP_OPTION_ENABLETRACING:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        InterlockedExchange(&tracing_enabled, value != 0);
        FIXME("tracing %s: WinHTTP's trace facility is not provided, use WINEDEBUG=+winhttp\n",
              value ? "enabled" : "disabled");
        return TRUE;
    case WINHTTP_OPTION_HTTP_VERSION:
    {
        const HTTP_VERSION_INFO *info = buffer;
        if (buflen != sizeof(*info)) return fail(ERROR_INSUFFICIENT_BUFFER);
        /* we speak HTTP/1.1 only; 1.0 requests come from WinHttpOpenRequest's version */
        if (info->dwMajorVersion != 1 || info->dwMinorVersion > 1) return fail(ERROR_INVALID_PARAMETER);
        return TRUE;
    }
    }
    *handled = FALSE;
    return FALSE;
}

/* Dispatch ------------------------------------------------------------------ */

/* The error for an option the handle's vtbl did not take. */
static BOOL option_not_handled(struct object_header *hdr, DWORD option, BOOL query)
{
    if (is_known_option(option))
    {
        FIXME("option %lu not supported on handle type %u\n", option, hdr->type);
        return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
    }
    WARN("unknown option %lu\n", option);
    /* Wine's test_basic_request: querying option 0 is ERROR_INVALID_PARAMETER
     * where setting it is ERROR_WINHTTP_INVALID_OPTION; the documentation
     * gives ERROR_WINHTTP_INVALID_OPTION for an unknown option otherwise. */
    return fail(query && option < WINHTTP_FIRST_OPTION ? ERROR_INVALID_PARAMETER : ERROR_WINHTTP_INVALID_OPTION);
}

/* Calls a vtbl entry; ERROR_WINHTTP_INVALID_OPTION from it means "not mine". */
static BOOL check_vtbl_result(struct object_header *hdr, DWORD option, BOOL ret, BOOL query)
{
    if (!ret && GetLastError() == ERROR_WINHTTP_INVALID_OPTION) return option_not_handled(hdr, option, query);
    return ret;
}

static BOOL query_pointer(const void *value, void *buffer, DWORD *buflen)
{
    if (!buffer || *buflen < sizeof(value))
    {
        *buflen = sizeof(value);
        return fail(ERROR_INSUFFICIENT_BUFFER);
    }
    memcpy(buffer, &value, sizeof(value));
    *buflen = sizeof(value);
    return TRUE;
}

static BOOL query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    const struct option_desc *desc;
    BOOL ret, handled;

    switch (option)
    {
    case WINHTTP_OPTION_CONTEXT_VALUE:
        return query_pointer((const void *)hdr->context, buffer, buflen);
    case WINHTTP_OPTION_PARENT_HANDLE:
        return query_pointer(hdr->parent ? hdr->parent->handle : NULL, buffer, buflen);
    case WINHTTP_OPTION_WORKER_THREAD_COUNT:
        if (hdr->type == HANDLE_TYPE_SOCKET) return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return query_dword_option(options_worker_thread_count(), buffer, buflen);
    case WINHTTP_OPTION_HANDLE_TYPE:
        if (hdr->type == HANDLE_TYPE_SOCKET) break;
        return query_dword_option(hdr->type, buffer, buflen);
    case WINHTTP_OPTION_IS_PROXY_CONNECT_RESPONSE:
        /* we never hand out a proxy's CONNECT response */
        if (hdr->type == HANDLE_TYPE_SESSION || hdr->type == HANDLE_TYPE_REQUEST)
            return query_dword_option(FALSE, buffer, buflen);
        break;
    }

    if (hdr->type != HANDLE_TYPE_SOCKET)
    {
        ret = query_global_option(option, buffer, buflen, &handled);
        if (handled) return ret;
    }

    if ((desc = find_option(option))) return query_table_option(hdr, desc, buffer, buflen);

    if (hdr->vtbl->query_option)
    {
        ret = hdr->vtbl->query_option(hdr, option, buffer, buflen);
        return check_vtbl_result(hdr, option, ret, TRUE);
    }
    return option_not_handled(hdr, option, TRUE);
}

/***********************************************************************
 *          WinHttpQueryOption (winhttp.@)
 */
BOOL WINAPI WinHttpQueryOption(HINTERNET handle, DWORD option, void *buffer, DWORD *buflen)
{
    struct object_header *hdr;
    BOOL ret, handled;

    TRACE("%p, %lu, %p, %p\n", handle, option, buffer, buflen);

    if (!handle)
    {
        if (!buflen) return fail(ERROR_INVALID_PARAMETER);
        if (option == WINHTTP_OPTION_WORKER_THREAD_COUNT)
            ret = query_dword_option(options_worker_thread_count(), buffer, buflen);
        else if (!(ret = query_global_option(option, buffer, buflen, &handled)) && !handled)
            return fail(ERROR_INVALID_HANDLE);
        if (ret) SetLastError(ERROR_SUCCESS);
        return ret;
    }
    if (!(hdr = grab_object(handle))) return fail(ERROR_INVALID_HANDLE);
    if (!buflen)
    {
        release_object(hdr);
        return fail(ERROR_INVALID_PARAMETER);
    }
    ret = query_option(hdr, option, buffer, buflen);
    release_object(hdr);
    if (ret) SetLastError(ERROR_SUCCESS);
    return ret;
}

static BOOL set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    const struct option_desc *desc;
    BOOL ret, handled;

    if (!buffer && buflen) return fail(ERROR_INVALID_PARAMETER);
    switch (option)
    {
    case WINHTTP_OPTION_CONTEXT_VALUE:
        if (buflen != sizeof(DWORD_PTR)) return fail(ERROR_INSUFFICIENT_BUFFER);
        hdr->context = *(DWORD_PTR *)buffer;
        return TRUE;
    case WINHTTP_OPTION_WORKER_THREAD_COUNT:
    case WINHTTP_OPTION_ENABLETRACING:
        /* "can only be set on a NULL HINTERNET handle" */
        return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
    case WINHTTP_OPTION_HTTP_VERSION:
        /* process-wide, whatever handle carries it */
        if (hdr->type == HANDLE_TYPE_SOCKET || hdr->type == HANDLE_TYPE_CONNECT)
            return fail(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return set_global_option(option, buffer, buflen, &handled);
    case WINHTTP_OPTION_PARENT_HANDLE:
    case WINHTTP_OPTION_HANDLE_TYPE:
    case WINHTTP_OPTION_IS_PROXY_CONNECT_RESPONSE:
    case WINHTTP_OPTION_HTTP_PROTOCOL_USED:
    case WINHTTP_OPTION_URL:
    case WINHTTP_OPTION_SERVER_CERT_CONTEXT:
    case WINHTTP_OPTION_SERVER_CERT_CHAIN_CONTEXT:
    case WINHTTP_OPTION_SECURITY_CERTIFICATE_STRUCT:
    case WINHTTP_OPTION_SECURITY_KEY_BITNESS:
    case WINHTTP_OPTION_CONNECTION_INFO:
        return fail(ERROR_WINHTTP_OPTION_NOT_SETTABLE);
    }

    if ((desc = find_option(option))) return set_table_option(hdr, desc, buffer, buflen);

    if (hdr->vtbl->set_option)
    {
        ret = hdr->vtbl->set_option(hdr, option, buffer, buflen);
        return check_vtbl_result(hdr, option, ret, FALSE);
    }
    return option_not_handled(hdr, option, FALSE);
}

/***********************************************************************
 *          WinHttpSetOption (winhttp.@)
 */
BOOL WINAPI WinHttpSetOption(HINTERNET handle, DWORD option, void *buffer, DWORD buflen)
{
    struct object_header *hdr;
    BOOL ret, handled;

    TRACE("%p, %lu, %p, %lu\n", handle, option, buffer, buflen);

    if (!handle)
    {
        if (!buffer && buflen) return fail(ERROR_INVALID_PARAMETER);
        if (!(ret = set_global_option(option, buffer, buflen, &handled)) && !handled)
            return fail(ERROR_INVALID_HANDLE);
        if (ret) SetLastError(ERROR_SUCCESS);
        return ret;
    }
    if (!(hdr = grab_object(handle))) return fail(ERROR_INVALID_HANDLE);
    ret = set_option(hdr, option, buffer, buflen);
    release_object(hdr);
    if (ret) SetLastError(ERROR_SUCCESS);
    return ret;
}
