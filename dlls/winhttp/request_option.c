/*
 * The request handle's options (WinHttpQueryOption/WinHttpSetOption on a
 * request, through its object vtable): timeouts, proxy, websocket buffer
 * sizes, security flags, the server certificate and its chain, the client
 * certificate, the connection's addresses.  Options common to every handle
 * type are in option.c.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_private.h"

static BOOL query_string_option(const WCHAR *str, void *buffer, DWORD *buflen)
{
    DWORD need = (DWORD)((wcslen(str) + 1) * sizeof(WCHAR));

    if (!query_buffer_fits(buffer, buflen, need)) return FALSE;
    memcpy(buffer, str, need);
    *buflen = need - sizeof(WCHAR);
    return TRUE;
}

/* The certificate options answer once an https request's connection has
 * shown the server's certificate; before, INCORRECT_HANDLE_STATE. */
static BOOL server_cert_shown(struct request *req)
{
    if (req->secure && req->setup.server_cert) return TRUE;
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    return FALSE;
}

/* A certificate name as "CN=..., O=..." in LocalAlloc'd memory (the caller frees it). */
static WCHAR *cert_name(const CERT_NAME_BLOB *name)
{
    DWORD len = CertNameToStrW(X509_ASN_ENCODING, (CERT_NAME_BLOB *)name, CERT_SIMPLE_NAME_STR | CERT_NAME_STR_CRLF_FLAG,
                               NULL, 0);
    WCHAR *str = LocalAlloc(0, len * sizeof(WCHAR));

    if (str) CertNameToStrW(X509_ASN_ENCODING, (CERT_NAME_BLOB *)name, CERT_SIMPLE_NAME_STR | CERT_NAME_STR_CRLF_FLAG,
                            str, len);
    return str;
}

/* WINHTTP_OPTION_SECURITY_CERTIFICATE_STRUCT: dates, subject and issuer of
 * the server certificate, and the key size. */
static BOOL query_certificate_info(struct request *req, void *buffer, DWORD *buflen)
{
    WINHTTP_CERTIFICATE_INFO *info = buffer;
    const CERT_INFO *cert = req->setup.server_cert->pCertInfo;

    if (!query_buffer_fits(buffer, buflen, sizeof(*info))) return FALSE;
    memset(info, 0, sizeof(*info));
    info->ftExpiry = cert->NotAfter;
    info->ftStart = cert->NotBefore;
    info->lpszSubjectInfo = cert_name(&cert->Subject);
    info->lpszIssuerInfo = cert_name(&cert->Issuer);
    info->dwKeySize = req->setup.key_bits;
    *buflen = sizeof(*info);
    return TRUE;
}

/* WINHTTP_OPTION_SERVER_CERT_CHAIN_CONTEXT: the chain of the server
 * certificate, built from the certificates the server sent (held in the
 * certificate's store); the caller frees it with CertFreeCertificateChain. */
static BOOL query_cert_chain(struct request *req, void *buffer, DWORD *buflen)
{
    CERT_CHAIN_PARA para;
    const CERT_CHAIN_CONTEXT *chain;

    memset(&para, 0, sizeof(para));
    para.cbSize = sizeof(para);
    if (!query_buffer_fits(buffer, buflen, sizeof(chain))) return FALSE;
    if (!CertGetCertificateChain(NULL, req->setup.server_cert, NULL, req->setup.server_cert->hCertStore, &para, 0,
                                 NULL, &chain))
        return FALSE;
    *(const CERT_CHAIN_CONTEXT **)buffer = chain;
    *buflen = sizeof(chain);
    return TRUE;
}

/* WINHTTP_OPTION_CONNECTION_INFO: the two ends of the request's connection,
 * once WinHttpSendRequest has one. */
static BOOL query_connection_info(struct request *req, void *buffer, DWORD *buflen)
{
    WINHTTP_CONNECTION_INFO *info = buffer;
    SOCKADDR_STORAGE addr;
    int len;
    BOOL ret = FALSE;

    EnterCriticalSection(&req->cs);
    if (!req->conn) SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    else if (query_buffer_fits(buffer, buflen, sizeof(*info)))
    {
        memset(info, 0, sizeof(*info));
        info->cbSize = sizeof(*info);
        net_local_address(req->conn, &info->LocalAddress, &len);
        net_peer_address(req->conn, &addr, &len);
        memcpy(&info->RemoteAddress, &addr, min(sizeof(info->RemoteAddress), (size_t)len));
        *buflen = sizeof(*info);
        ret = TRUE;
    }
    LeaveCriticalSection(&req->cs);
    return ret;
}

BOOL request_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    struct request *req = impl_from_hdr(hdr);
    BOOL handled, ret;

    ret = session_query_timeout_option(&req->timeouts, option, buffer, buflen, &handled);
    if (handled) return ret;

    switch (option)
    {
    case WINHTTP_OPTION_PROXY:
        return proxy_option_query(req->proxy_opt.set ? &req->proxy_opt : &req->session->proxy, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
        return query_dword_option(req->ws.receive_buffer_size, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        return query_dword_option(req->ws.send_buffer_size, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
    case WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET:
        /* write-only */
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    case WINHTTP_OPTION_SECURITY_FLAGS:
        /* SECURE once a TLS connection is up: before, a secure request reads 0
         * (Wine's test_secure_connection) */
        return query_dword_option(req->security_flags | (req->secure && req->setup.server_cert && !req->setup.cert_rejected
                                                         ? SECURITY_FLAG_SECURE : 0),
                                  buffer, buflen);
    case WINHTTP_OPTION_URL:
    {
        WCHAR *url;

        if (!(url = request_url(req)))
        {
            SetLastError(ERROR_OUTOFMEMORY);
            return FALSE;
        }
        ret = query_string_option(url, buffer, buflen);
        heap_free(url);
        return ret;
    }
    case WINHTTP_OPTION_SERVER_CERT_CONTEXT:
    {
        const CERT_CONTEXT *cert;

        if (!server_cert_shown(req) || !query_buffer_fits(buffer, buflen, sizeof(cert))) return FALSE;
        if (!(cert = CertDuplicateCertificateContext(req->setup.server_cert))) return FALSE;
        *(const CERT_CONTEXT **)buffer = cert;
        *buflen = sizeof(cert);
        return TRUE;
    }
    case WINHTTP_OPTION_SECURITY_CERTIFICATE_STRUCT:
        return server_cert_shown(req) && query_certificate_info(req, buffer, buflen);
    case WINHTTP_OPTION_SECURITY_KEY_BITNESS:
        return server_cert_shown(req) && query_dword_option(req->setup.key_bits, buffer, buflen);
    case WINHTTP_OPTION_SERVER_CERT_CHAIN_CONTEXT:
        return server_cert_shown(req) && query_cert_chain(req, buffer, buflen);
    case WINHTTP_OPTION_HTTP_PROTOCOL_USED:
        /* 0: HTTP/1.1 or earlier, the only protocol we speak */
        return query_dword_option(0, buffer, buflen);
    case WINHTTP_OPTION_CONNECTION_INFO:
        return query_connection_info(req, buffer, buflen);
    }
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

/* The connection's blocking calls follow the request's timeouts. */
static void request_timeouts_changed(struct request *req)
{
    EnterCriticalSection(&req->cs);
    if (req->conn) net_set_timeouts(req->conn, req->timeouts.send, req->timeouts.receive);
    LeaveCriticalSection(&req->cs);
}

void request_set_timeouts(struct object_header *hdr, int resolve, int connect, int send, int receive)
{
    struct request *req = impl_from_hdr(hdr);

    set_timeouts(&req->timeouts, resolve, connect, send, receive);
    request_timeouts_changed(req);
}

/* WINHTTP_OPTION_CLIENT_CERT_CONTEXT: a CERT_CONTEXT (we keep our own
 * reference: the program may free its own at once, as Wine's
 * test_client_cert_authentication does), or WINHTTP_NO_CLIENT_CERT_CONTEXT
 * (NULL, 0) to go on without one when the server asks.  Offered in the
 * next handshake of this request (Schannel's SCHANNEL_CRED paCred). */
static BOOL set_client_cert(struct request *req, const void *buffer, DWORD buflen)
{
    const CERT_CONTEXT *cert = NULL;

    if (buffer || buflen)
    {
        if (!buffer || buflen != sizeof(CERT_CONTEXT))
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        if (!(cert = CertDuplicateCertificateContext(buffer)))
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
    }
    EnterCriticalSection(&req->cs);
    if (req->client_cert) CertFreeCertificateContext(req->client_cert);
    req->client_cert = cert;
    req->client_cert_chosen = TRUE;
    LeaveCriticalSection(&req->cs);
    TRACE("%p: client certificate %p\n", req, cert);
    return TRUE;
}

BOOL request_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    struct request *req = impl_from_hdr(hdr);
    BOOL handled, ret;
    DWORD value;

    ret = session_set_timeout_option(&req->timeouts, option, buffer, buflen, &handled);
    if (handled)
    {
        if (ret) request_timeouts_changed(req);
        return ret;
    }

    switch (option)
    {
    case WINHTTP_OPTION_PROXY:
        return proxy_option_set(&req->proxy_opt, buffer, buflen);
    case WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET:
        req->ws.requested = TRUE;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        req->ws.receive_buffer_size = value;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        req->ws.send_buffer_size = value;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return FALSE;
    case WINHTTP_OPTION_CLIENT_CERT_CONTEXT:
        /* only an https request has a certificate to give (Wine's
         * test_secure_connection: ERROR_WINHTTP_INCORRECT_HANDLE_STATE) */
        if (!req->secure)
        {
            SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
            return FALSE;
        }
        return set_client_cert(req, buffer, buflen);
    case WINHTTP_OPTION_SECURITY_FLAGS:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        /* only the checks to ignore can be set: SECURE and the strengths
         * are reported, not chosen (Wine's test_secure_connection) */
        if (value & ~SECURITY_FLAGS_IGNORABLE)
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        req->security_flags = value;
        return TRUE;
    }
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}
