/*
 * TLS through SSPI Schannel (secur32 + crypt32; Wine implements it on
 * GnuTLS): the handshake, record encryption and decryption, and server
 * certificate validation.  No cryptography of our own.
 *
 * A record codec below the transport interface (tls.h): net.c calls in
 * here when a connection is secure and does all the socket I/O itself, so
 * HTTP and WebSocket code only see plaintext.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define SECURITY_WIN32
#include "tls.h"
#include <security.h>
#include <schannel.h>
#include <wincrypt.h>

/* What the server's handshake shows in the clear.  Up to TLS 1.2 its
 * messages travel unencrypted until its ChangeCipherSpec: a CertificateRequest
 * (type 13) there is how we learn that the server asks for a client
 * certificate, since Wine 8's Schannel never returns
 * SEC_I_INCOMPLETE_CREDENTIALS (it lets GnuTLS answer with an empty
 * certificate).  TLS 1.3 encrypts it from ServerHello on; the scan stops at
 * the first record that is not a handshake or alert record.  A stream
 * parser: records and messages may be split anywhere between steps. */
struct server_scan
{
    BYTE rec_hdr[5];
    size_t rec_have;      /* bytes of rec_hdr collected */
    size_t rec_left;      /* bytes of the record's body still to come */
    BYTE msg_hdr[4];
    size_t msg_have;      /* bytes of the handshake message header collected */
    size_t msg_left;      /* bytes of the message body still to skip */
    BOOL done;            /* encrypted from here on */
    BOOL cert_requested;
};

#define TLS_RECORD_CCS        20
#define TLS_RECORD_ALERT      21
#define TLS_RECORD_HANDSHAKE  22
#define TLS_MSG_CERT_REQUEST  13

static void scan_handshake_bytes(struct server_scan *scan, const BYTE *p, size_t len)
{
    size_t n;

    while (len)
    {
        if (scan->msg_have < sizeof(scan->msg_hdr))
        {
            scan->msg_hdr[scan->msg_have++] = *p++;
            len--;
            if (scan->msg_have < sizeof(scan->msg_hdr)) continue;
            if (scan->msg_hdr[0] == TLS_MSG_CERT_REQUEST) scan->cert_requested = TRUE;
            scan->msg_left = (scan->msg_hdr[1] << 16) | (scan->msg_hdr[2] << 8) | scan->msg_hdr[3];
        }
        else
        {
            n = min(len, scan->msg_left);
            p += n;
            len -= n;
            scan->msg_left -= n;
        }
        if (scan->msg_have == sizeof(scan->msg_hdr) && !scan->msg_left) scan->msg_have = 0;
    }
}

static void scan_server_bytes(struct server_scan *scan, const BYTE *p, size_t len)
{
    size_t n;

    while (len && !scan->done)
    {
        if (scan->rec_have < sizeof(scan->rec_hdr))
        {
            scan->rec_hdr[scan->rec_have++] = *p++;
            len--;
            if (scan->rec_have < sizeof(scan->rec_hdr)) continue;
            if (scan->rec_hdr[0] != TLS_RECORD_HANDSHAKE && scan->rec_hdr[0] != TLS_RECORD_ALERT)
            {
                scan->done = TRUE;  /* ChangeCipherSpec or encrypted records */
                break;
            }
            scan->rec_left = (scan->rec_hdr[3] << 8) | scan->rec_hdr[4];
        }
        else
        {
            n = min(len, scan->rec_left);
            if (scan->rec_hdr[0] == TLS_RECORD_HANDSHAKE) scan_handshake_bytes(scan, p, n);
            p += n;
            len -= n;
            scan->rec_left -= n;
        }
        if (scan->rec_have == sizeof(scan->rec_hdr) && !scan->rec_left) scan->rec_have = 0;
    }
}

struct tls
{
    CredHandle cred;
    CtxtHandle ctx;
    BOOL have_ctx;
    SecPkgContext_StreamSizes sizes;
    BYTE *in;             /* ciphertext received, then plaintext decrypted in place */
    size_t in_size;
    size_t in_len;        /* bytes of ciphertext at in + in_start.. */
    size_t in_start;
    size_t in_offered;    /* room the last receive was given */
    BOOL in_filled;       /* and it filled all of it */
    BYTE *plain;          /* decrypted plaintext not yet delivered (points into in) */
    size_t plain_len;
    BYTE *out;            /* records encrypted for one send */
    size_t out_size;
    size_t record_size;   /* header + largest plaintext + trailer */
    BOOL eof;             /* close_notify seen */
    BOOL empty_record;    /* the last record decrypted held no plaintext (see tls_end_of_stream) */
    SRWLOCK crypt_lock;   /* one EncryptMessage or DecryptMessage at a time */
    const CERT_CONTEXT *client_cert;  /* offered to the server (a reference of ours), or NULL */
    BOOL client_cert_chosen;          /* the request chose a certificate or none */
    BOOL renegotiable;    /* TLS 1.2 or older: SEC_I_RENEGOTIATE is the server's HelloRequest */
    struct server_scan scan;
};

/* The receive buffer starts at TLS_IN_SIZE and doubles, up to TLS_IN_MAX,
 * each time a receive fills all the room it had: a busy connection then
 * needs fewer socket calls (each is a wineserver round trip under Wine). */
#define TLS_IN_SIZE (64 * 1024)
#define TLS_IN_MAX  (1024 * 1024)
/* Records encrypted before they leave in one send: up to 1 MiB, as much as
 * the receive side holds.  Each send is at least one wineserver round trip
 * under Wine; a 4 MiB message in 4 sends rather than 16 measured 0.86-0.91
 * -> 0.96-0.99 of raw Schannel on wss_stream4m (bench/ab.sh).  tls->out
 * grows to it only for a connection that sends messages that large. */
#define TLS_SEND_RECORDS 64

/* Windows allows one thread in EncryptMessage and another in DecryptMessage
 * on the same context; Wine 8's Schannel does not survive it.  GnuTLS keeps
 * one transport errno per session: every DecryptMessage ends on a read that
 * fails with EAGAIN, and a concurrent EncryptMessage clears that errno before
 * GnuTLS looks at it, which then fails the receive ("Error in the pull
 * function", SEC_E_INTERNAL_ERROR) and the session.  Seen in bidirectional
 * streams under load, so the two are serialised; each holds the lock for a
 * few microseconds (bench_raw --costs). */
static SECURITY_STATUS encrypt_locked(struct tls *tls, SecBufferDesc *desc)
{
    SECURITY_STATUS status;

    AcquireSRWLockExclusive(&tls->crypt_lock);
    status = EncryptMessage(&tls->ctx, 0, desc, 0);
    ReleaseSRWLockExclusive(&tls->crypt_lock);
    return status;
}

static SECURITY_STATUS decrypt_locked(struct tls *tls, SecBufferDesc *desc)
{
    SECURITY_STATUS status;

    AcquireSRWLockExclusive(&tls->crypt_lock);
    status = DecryptMessage(&tls->ctx, desc, 0, NULL);
    ReleaseSRWLockExclusive(&tls->crypt_lock);
    return status;
}

/* fdwChecks bit of SSL_EXTRA_CERT_CHAIN_POLICY_PARA (wininet.h's value) */
#ifndef SECURITY_FLAG_IGNORE_REVOCATION
#define SECURITY_FLAG_IGNORE_REVOCATION 0x00000080
#endif

static DWORD protocols_to_schannel(DWORD protocols)
{
    DWORD ret = 0;
    if (protocols & WINHTTP_FLAG_SECURE_PROTOCOL_TLS1) ret |= SP_PROT_TLS1_0_CLIENT;
    if (protocols & WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_1) ret |= SP_PROT_TLS1_1_CLIENT;
    if (protocols & WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2) ret |= SP_PROT_TLS1_2_CLIENT;
    if (protocols & WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3) ret |= SP_PROT_TLS1_3_CLIENT;
    return ret;
}

static DWORD map_security_status(SECURITY_STATUS status)
{
    WARN("security status %#lx\n", (unsigned long)status);
    return ERROR_WINHTTP_SECURE_FAILURE;
}

void tls_free(struct tls *tls)
{
    if (!tls) return;
    if (tls->have_ctx) DeleteSecurityContext(&tls->ctx);
    FreeCredentialsHandle(&tls->cred);
    if (tls->client_cert) CertFreeCertificateContext(tls->client_cert);
    heap_free(tls->in);
    heap_free(tls->out);
    heap_free(tls);
}

/* Handshake, one InitializeSecurityContext call at a time, so that the same
 * steps serve the blocking driver below and the overlapped one in net.c. */
DWORD tls_handshake_begin(const struct net_tls_params *params, struct tls **ret)
{
    SCHANNEL_CRED cred;
    SECURITY_STATUS status;
    struct tls *tls;

    if (!(tls = heap_alloc_zero(sizeof(*tls)))) return ERROR_OUTOFMEMORY;
    InitializeSRWLock(&tls->crypt_lock);
    tls->in_size = TLS_IN_SIZE;
    if (!(tls->in = heap_alloc(tls->in_size)))
    {
        heap_free(tls);
        return ERROR_OUTOFMEMORY;
    }
    memset(&cred, 0, sizeof(cred));
    cred.dwVersion = SCHANNEL_CRED_VERSION;
    cred.grbitEnabledProtocols = protocols_to_schannel(params->protocols);
    /* never a certificate Schannel would pick by itself: only the one the
     * request set (WINHTTP_OPTION_CLIENT_CERT_CONTEXT) */
    cred.dwFlags = SCH_CRED_NO_DEFAULT_CREDS | SCH_CRED_MANUAL_CRED_VALIDATION;
    tls->client_cert_chosen = params->client_cert_chosen;
    if (params->client_cert)
    {
        tls->client_cert = CertDuplicateCertificateContext(params->client_cert);
        cred.cCreds = 1;
        cred.paCred = &tls->client_cert;
    }
    status = AcquireCredentialsHandleW(NULL, (WCHAR *)UNISP_NAME_W, SECPKG_CRED_OUTBOUND, NULL, &cred, NULL, NULL,
                                       &tls->cred, NULL);
    if (status != SEC_E_OK)
    {
        /* e.g. a certificate without a private key we can use */
        WARN("AcquireCredentialsHandle failed: %#lx\n", (unsigned long)status);
        if (tls->client_cert) CertFreeCertificateContext(tls->client_cert);
        heap_free(tls->in);
        heap_free(tls);
        return map_security_status(status);
    }
    *ret = tls;
    return ERROR_SUCCESS;
}

static DWORD handshake_done(struct tls *tls)
{
    SecPkgContext_ConnectionInfo info;
    SECURITY_STATUS status;

    if (QueryContextAttributesW(&tls->ctx, SECPKG_ATTR_CONNECTION_INFO, &info) == SEC_E_OK)
        tls->renegotiable = !(info.dwProtocol & (SP_PROT_TLS1_3_CLIENT | SP_PROT_TLS1_3_SERVER));

    if ((status = QueryContextAttributesW(&tls->ctx, SECPKG_ATTR_STREAM_SIZES, &tls->sizes)) != SEC_E_OK)
        return map_security_status(status);
    tls->record_size = tls->sizes.cbHeader + tls->sizes.cbMaximumMessage + tls->sizes.cbTrailer;
    tls->out_size = tls->record_size;
    if (!(tls->out = heap_alloc(tls->out_size))) return ERROR_OUTOFMEMORY;
    TRACE("handshake done, header %lu trailer %lu max %lu\n", tls->sizes.cbHeader, tls->sizes.cbTrailer,
          tls->sizes.cbMaximumMessage);
    return ERROR_SUCCESS;
}

static void discard_token(void **token, size_t *token_len)
{
    if (*token) FreeContextBuffer(*token);
    *token = NULL;
    *token_len = 0;
}

/* Feeds what arrived so far (tls_read_buffer/tls_add_ciphertext) to
 * Schannel.  *token (free with tls_free_token) is to be sent to the server
 * first, then: ERROR_SUCCESS when the handshake is complete, ERROR_MORE_DATA
 * when more must be received before the next step (*need_input) or the next
 * step can run at once (!*need_input), or an error.  Bytes the server sent
 * after its last handshake message stay in tls->in as the first ciphertext. */
DWORD tls_handshake_step(struct tls *tls, const WCHAR *server_name, void **token, size_t *token_len,
                         BOOL *need_input)
{
    static const DWORD isc_flags = ISC_REQ_CONFIDENTIALITY | ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT |
                                   ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_USE_SUPPLIED_CREDS |
                                   ISC_REQ_MANUAL_CRED_VALIDATION | ISC_REQ_EXTENDED_ERROR;
    SecBuffer in_bufs[2], out_buf;
    SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in_bufs }, out_desc = { SECBUFFER_VERSION, 1, &out_buf };
    SECURITY_STATUS status;
    DWORD attrs;

    *token = NULL;
    *token_len = 0;
    *need_input = FALSE;
    if (tls->have_ctx && !tls->in_len)
    {
        *need_input = TRUE;
        return ERROR_MORE_DATA;
    }
    in_bufs[0].BufferType = SECBUFFER_TOKEN;
    in_bufs[0].cbBuffer = (ULONG)tls->in_len;
    in_bufs[0].pvBuffer = tls->in;
    in_bufs[1].BufferType = SECBUFFER_EMPTY;
    in_bufs[1].cbBuffer = 0;
    in_bufs[1].pvBuffer = NULL;
    out_buf.BufferType = SECBUFFER_TOKEN;
    out_buf.cbBuffer = 0;
    out_buf.pvBuffer = NULL;
    status = InitializeSecurityContextW(&tls->cred, tls->have_ctx ? &tls->ctx : NULL, (WCHAR *)server_name,
                                        isc_flags, 0, 0, tls->have_ctx ? &in_desc : NULL, 0, &tls->ctx, &out_desc,
                                        &attrs, NULL);
    tls->have_ctx = TRUE;
    if (out_buf.pvBuffer && !out_buf.cbBuffer) FreeContextBuffer(out_buf.pvBuffer);
    else if (out_buf.pvBuffer)
    {
        *token = out_buf.pvBuffer;
        *token_len = out_buf.cbBuffer;
    }
    if (status == SEC_E_INCOMPLETE_MESSAGE)
    {
        if (tls->in_len == tls->in_size) return ERROR_WINHTTP_SECURE_FAILURE;
        *need_input = TRUE;
        return ERROR_MORE_DATA;
    }
    if (status == SEC_I_INCOMPLETE_CREDENTIALS)
    {
        /* Windows' Schannel: the server asks for a certificate we were not
         * given.  With WINHTTP_NO_CLIENT_CERT_CONTEXT we go on without one
         * (the same input again); otherwise the program must choose. */
        discard_token(token, token_len);
        if (!tls->client_cert_chosen) return ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED;
        return ERROR_MORE_DATA;
    }
    scan_server_bytes(&tls->scan, tls->in, tls->in_len - (in_bufs[1].BufferType == SECBUFFER_EXTRA ?
                                                           in_bufs[1].cbBuffer : 0));
    if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED) return map_security_status(status);
    if (tls->scan.cert_requested && !tls->client_cert_chosen)
    {
        /* Wine's Schannel: what it would send is an empty certificate */
        TRACE("the server asks for a client certificate\n");
        discard_token(token, token_len);
        return ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED;
    }

    /* Keep what the server sent beyond the message just consumed. */
    if (in_bufs[1].BufferType == SECBUFFER_EXTRA && in_bufs[1].cbBuffer)
    {
        memmove(tls->in, tls->in + tls->in_len - in_bufs[1].cbBuffer, in_bufs[1].cbBuffer);
        tls->in_len = in_bufs[1].cbBuffer;
    }
    else tls->in_len = 0;
    if (status == SEC_E_OK) return handshake_done(tls);
    *need_input = !tls->in_len;
    return ERROR_MORE_DATA;
}

void tls_free_token(void *token)
{
    if (token) FreeContextBuffer(token);
}

/* Chain and host-name checks with the SSL policy; *flags gets the
 * WINHTTP_CALLBACK_STATUS_FLAG_* bits of what failed and was not ignored. */
DWORD tls_verify_certificate(struct tls *tls, const WCHAR *host, DWORD security_flags, DWORD *flags)
{
    CERT_CHAIN_PARA chain_para;
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl_para;
    CERT_CHAIN_POLICY_PARA policy_para;
    CERT_CHAIN_POLICY_STATUS policy_status;
    PCCERT_CHAIN_CONTEXT chain;
    PCCERT_CONTEXT cert = NULL;
    DWORD errors, ignored = 0;
    WCHAR *name;
    size_t len;

    *flags = 0;
    memset(&chain_para, 0, sizeof(chain_para));
    chain_para.cbSize = sizeof(chain_para);
    memset(&policy_status, 0, sizeof(policy_status));
    policy_status.cbSize = sizeof(policy_status);
    if (QueryContextAttributesW(&tls->ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &cert) != SEC_E_OK || !cert)
    {
        *flags = WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT;
        return ERROR_WINHTTP_SECURE_FAILURE;
    }
    if (!CertGetCertificateChain(NULL, cert, NULL, cert->hCertStore, &chain_para, 0, NULL, &chain))
    {
        CertFreeCertificateContext(cert);
        *flags = WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT;
        return ERROR_WINHTTP_SECURE_FAILURE;
    }
    errors = chain->TrustStatus.dwErrorStatus;
    if (errors & (CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN))
        *flags |= WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA;
    if (errors & CERT_TRUST_IS_NOT_TIME_VALID) *flags |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID;
    if (errors & CERT_TRUST_IS_REVOKED) *flags |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_REVOKED;
    if (errors & CERT_TRUST_IS_NOT_VALID_FOR_USAGE) *flags |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_WRONG_USAGE;
    if (errors & (CERT_TRUST_IS_NOT_SIGNATURE_VALID | CERT_TRUST_IS_CYCLIC))
        *flags |= WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT;

    len = wcslen(host);
    name = (len >= 2 && host[0] == '[') ? strndupW(host + 1, len - 2) : strdupW(host);
    memset(&ssl_para, 0, sizeof(ssl_para));
    ssl_para.cbSize = sizeof(ssl_para);
    ssl_para.dwAuthType = AUTHTYPE_SERVER;
    ssl_para.pwszServerName = name;
    /* Only the name is asked of the policy here: the chain bits above say the rest. */
    ssl_para.fdwChecks = SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
                         SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE | SECURITY_FLAG_IGNORE_REVOCATION;
    memset(&policy_para, 0, sizeof(policy_para));
    policy_para.cbSize = sizeof(policy_para);
    policy_para.pvExtraPolicyPara = &ssl_para;
    if (CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &policy_para, &policy_status)
        && policy_status.dwError == (DWORD)CERT_E_CN_NO_MATCH)
        *flags |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID;
    heap_free(name);
    CertFreeCertificateChain(chain);
    CertFreeCertificateContext(cert);

    if (security_flags & SECURITY_FLAG_IGNORE_UNKNOWN_CA) ignored |= WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA;
    if (security_flags & SECURITY_FLAG_IGNORE_CERT_CN_INVALID) ignored |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID;
    if (security_flags & SECURITY_FLAG_IGNORE_CERT_DATE_INVALID) ignored |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID;
    if (security_flags & SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE) ignored |= WINHTTP_CALLBACK_STATUS_FLAG_CERT_WRONG_USAGE;
    *flags &= ~ignored;
    TRACE("chain errors %#lx, failure flags %#lx\n", errors, *flags);
    return *flags ? ERROR_WINHTTP_SECURE_FAILURE : ERROR_SUCCESS;
}

PCCERT_CONTEXT tls_server_certificate(struct tls *tls)
{
    PCCERT_CONTEXT cert = NULL;
    if (QueryContextAttributesW(&tls->ctx, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &cert) != SEC_E_OK) return NULL;
    return cert;
}

DWORD tls_cipher_strength(struct tls *tls)
{
    SecPkgContext_ConnectionInfo info;
    if (QueryContextAttributesW(&tls->ctx, SECPKG_ATTR_CONNECTION_INFO, &info) != SEC_E_OK) return 0;
    return info.dwCipherStrength;
}

/* Has fill write the plaintext from *offset on into each record and encrypts
 * up to TLS_SEND_RECORDS records back to back in tls->out (*out, *out_len),
 * to leave with one socket call; *offset moves past what they carry. */
DWORD tls_encrypt_records(struct tls *tls, size_t total, size_t *offset, tls_fill_fn fill, void *context,
                          const BYTE **out, size_t *out_len)
{
    size_t len = total - *offset, records = (len + tls->sizes.cbMaximumMessage - 1) / tls->sizes.cbMaximumMessage;
    SecBuffer bufs[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, bufs };
    SECURITY_STATUS status;
    size_t chunk;
    BYTE *pos;

    records = min(records, TLS_SEND_RECORDS);
    if (tls->out_size < records * tls->record_size)
    {
        BYTE *buf = heap_realloc(tls->out, records * tls->record_size);
        if (!buf) return ERROR_OUTOFMEMORY;
        tls->out = buf;
        tls->out_size = records * tls->record_size;
    }
    for (pos = tls->out; len && pos + tls->record_size <= tls->out + tls->out_size; len -= chunk, *offset += chunk)
    {
        chunk = min(len, tls->sizes.cbMaximumMessage);
        bufs[0].BufferType = SECBUFFER_STREAM_HEADER;
        bufs[0].cbBuffer = tls->sizes.cbHeader;
        bufs[0].pvBuffer = pos;
        bufs[1].BufferType = SECBUFFER_DATA;
        bufs[1].cbBuffer = (ULONG)chunk;
        bufs[1].pvBuffer = pos + tls->sizes.cbHeader;
        bufs[2].BufferType = SECBUFFER_STREAM_TRAILER;
        bufs[2].cbBuffer = tls->sizes.cbTrailer;
        bufs[2].pvBuffer = pos + tls->sizes.cbHeader + chunk;
        bufs[3].BufferType = SECBUFFER_EMPTY;
        bufs[3].cbBuffer = 0;
        bufs[3].pvBuffer = NULL;
        fill(context, *offset, bufs[1].pvBuffer, chunk);
        if ((status = encrypt_locked(tls, &desc)) != SEC_E_OK) return map_security_status(status);
        /* the record may be shorter than the sizes allow: the next one follows it */
        pos += bufs[0].cbBuffer + bufs[1].cbBuffer + bufs[2].cbBuffer;
    }
    *out = tls->out;
    *out_len = pos - tls->out;
    return ERROR_SUCCESS;
}

/* Room for ciphertext from the socket (async reads land here).  Only
 * called with no plaintext pending: nothing points into tls->in. */
BYTE *tls_read_buffer(struct tls *tls, size_t *room)
{
    if (tls->in_start)
    {
        memmove(tls->in, tls->in + tls->in_start, tls->in_len);
        tls->in_start = 0;
    }
    /* the last receive filled its room: more was waiting */
    if (tls->in_filled && tls->in_size < TLS_IN_MAX)
    {
        BYTE *in = heap_realloc(tls->in, tls->in_size * 2);
        if (in)
        {
            tls->in = in;
            tls->in_size *= 2;
        }
    }
    tls->in_filled = FALSE;
    *room = tls->in_offered = tls->in_size - tls->in_len;
    return tls->in + tls->in_len;
}

void tls_add_ciphertext(struct tls *tls, size_t len)
{
    tls->in_len += len;
    tls->in_filled = len == tls->in_offered;
}

/* Decrypts the next whole record in place: ERROR_SUCCESS with tls->plain
 * set (maybe empty) or tls->eof, ERROR_MORE_DATA when no whole record is
 * buffered. */
static DWORD decrypt_record(struct tls *tls)
{
    SecBuffer bufs[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, bufs };
    SECURITY_STATUS status;
    int i;

    if (!tls->in_len) return ERROR_MORE_DATA;
    bufs[0].BufferType = SECBUFFER_DATA;
    bufs[0].cbBuffer = (ULONG)tls->in_len;
    bufs[0].pvBuffer = tls->in + tls->in_start;
    for (i = 1; i < 4; i++)
    {
        bufs[i].BufferType = SECBUFFER_EMPTY;
        bufs[i].cbBuffer = 0;
        bufs[i].pvBuffer = NULL;
    }
    status = decrypt_locked(tls, &desc);
    if (status == SEC_E_INCOMPLETE_MESSAGE)
    {
        /* a record larger than allowed, or one that cannot fit after in_start */
        if (tls->in_len == tls->in_size) return ERROR_WINHTTP_SECURE_FAILURE;
        return ERROR_MORE_DATA;
    }
    if (status == SEC_I_CONTEXT_EXPIRED)
    {
        tls->eof = TRUE;
        return ERROR_SUCCESS;
    }
    if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE) return map_security_status(status);
    if (status == SEC_I_RENEGOTIATE && tls->renegotiable)
    {
        /* TLS 1.2 and older: the server's HelloRequest.  Servers start one
         * to ask for a client certificate for a resource that needs it
         * (Wine's test_client_cert_authentication): that is
         * ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED (Windows learns it from the
         * renegotiation's CertificateRequest, which Wine's Schannel hides).
         * The request decides (connection.c, renegotiation_result): the
         * connection may have been opened for another one. */
        TRACE("the server renegotiates\n");
        return ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED;
    }
    for (i = 0; i < 4; i++)
    {
        if (bufs[i].BufferType == SECBUFFER_DATA)
        {
            tls->plain = bufs[i].pvBuffer;
            tls->plain_len = bufs[i].cbBuffer;
        }
    }
    tls->empty_record = status == SEC_E_OK && !tls->plain_len;
    /* What follows this record stays as ciphertext. */
    tls->in_start = tls->in_len = 0;
    for (i = 0; i < 4; i++)
    {
        if (bufs[i].BufferType == SECBUFFER_EXTRA && bufs[i].cbBuffer)
        {
            tls->in_start = (BYTE *)bufs[i].pvBuffer - tls->in;
            tls->in_len = bufs[i].cbBuffer;
        }
    }
    if (status == SEC_I_RENEGOTIATE) TRACE("post-handshake message (session ticket or key update)\n");
    return ERROR_SUCCESS;
}

/* Hands out decrypted bytes: ERROR_SUCCESS with *got > 0, or *got == 0 at
 * close_notify; ERROR_MORE_DATA when a whole record has not arrived yet.
 * Every whole record buffered goes out while buf has room, so a large read
 * takes many records in one call. */
DWORD tls_take_plaintext(struct tls *tls, void *buf, size_t len, size_t *got)
{
    DWORD error = ERROR_SUCCESS;
    size_t n;

    *got = 0;
    while (*got < len)
    {
        if (!tls->plain_len)
        {
            if (tls->eof) break;
            /* an error after some data waits for the next call */
            if ((error = decrypt_record(tls))) break;
            continue;
        }
        n = min(len - *got, tls->plain_len);
        memcpy((BYTE *)buf + *got, tls->plain, n);
        *got += n;
        tls->plain += n;
        tls->plain_len -= n;
    }
    if (*got || tls->eof) return ERROR_SUCCESS;
    return error;
}

/* The TCP stream has ended (no ciphertext left over).  Windows reports
 * close_notify as SEC_I_CONTEXT_EXPIRED; Wine 8's DecryptMessage returns
 * SEC_E_OK with no data instead, so a FIN right after an empty record is the
 * server's orderly close too.  Anything else is a truncated stream. */
DWORD tls_end_of_stream(struct tls *tls)
{
    if (tls->eof || (tls->empty_record && !tls->in_len))
    {
        tls->eof = TRUE;
        return ERROR_SUCCESS;
    }
    return ERROR_WINHTTP_CONNECTION_ERROR;
}

BOOL tls_has_input(struct tls *tls)
{
    return tls->plain_len || tls->in_len || tls->eof;
}

/* The close_notify alert (best effort: NULL if Schannel gives none). */
void *tls_close_notify(struct tls *tls, size_t *len)
{
    DWORD type = SCHANNEL_SHUTDOWN;
    SecBuffer buf = { sizeof(type), SECBUFFER_TOKEN, &type }, out = { 0, SECBUFFER_TOKEN, NULL };
    SecBufferDesc desc = { SECBUFFER_VERSION, 1, &buf }, out_desc = { SECBUFFER_VERSION, 1, &out };
    DWORD attrs;

    *len = 0;
    if (ApplyControlToken(&tls->ctx, &desc) != SEC_E_OK) return NULL;
    if (InitializeSecurityContextW(&tls->cred, &tls->ctx, NULL, ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM, 0, 0,
                                   NULL, 0, &tls->ctx, &out_desc, &attrs, NULL) < 0 || !out.pvBuffer)
        return NULL;
    *len = out.cbBuffer;
    return out.pvBuffer;
}
