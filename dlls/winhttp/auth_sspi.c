/*
 * NTLM and Negotiate answers through SSPI (AcquireCredentialsHandle and
 * InitializeSecurityContext of secur32; under Wine the NTLM package runs
 * Samba's ntlm_auth, and Wine's Negotiate sends raw NTLM tokens).  auth.c
 * decides when to answer; this file only turns a challenge's token into the
 * next token of the handshake.
 *
 * The handshake is connection-oriented: the token of the last leg must go on
 * the connection that carried the first (auth_holds_connection, auth.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "auth.h"
#include "request.h"
#include <wincrypt.h>

void auth_sspi_free(struct auth_sspi *s)
{
    if (s->has_ctx) DeleteSecurityContext(&s->ctx);
    if (s->has_cred) FreeCredentialsHandle(&s->cred);
    s->has_ctx = s->has_cred = s->done = FALSE;
}

/* "DOMAIN\user" or "user@domain" as Windows' NTLM package takes it apart. */
static void split_user(const WCHAR *user, SEC_WINNT_AUTH_IDENTITY_W *id)
{
    const WCHAR *sep = wcschr(user, '\\');

    if (sep)
    {
        id->Domain = (unsigned short *)user;
        id->DomainLength = sep - user;
        id->User = (unsigned short *)(sep + 1);
        id->UserLength = wcslen(sep + 1);
    }
    else
    {
        id->Domain = NULL;
        id->DomainLength = 0;
        id->User = (unsigned short *)user;
        id->UserLength = wcslen(user);
    }
}

static BOOL acquire(struct auth_sspi *s, const WCHAR *package, const WCHAR *user, const WCHAR *pass)
{
    SEC_WINNT_AUTH_IDENTITY_W id;
    SECURITY_STATUS status;
    TimeStamp expiry;

    auth_sspi_free(s);
    if (user)
    {
        split_user(user, &id);
        id.Password = (unsigned short *)pass;
        id.PasswordLength = wcslen(pass);
        id.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE;
    }
    /* no identity: the logged-on user's (default credentials) */
    status = AcquireCredentialsHandleW(NULL, (WCHAR *)package, SECPKG_CRED_OUTBOUND, NULL, user ? &id : NULL,
                                       NULL, NULL, &s->cred, &expiry);
    if (status != SEC_E_OK)
    {
        WARN("AcquireCredentialsHandle(%s) failed: %#lx\n", debugstr_w(package), status);
        return FALSE;
    }
    s->has_cred = TRUE;
    return TRUE;
}

/* The base64 token after the scheme name, decoded; *len 0 for none. */
static BYTE *decode_token(const WCHAR *params, DWORD *len)
{
    BYTE *token;

    *len = 0;
    while (params && (*params == ' ' || *params == '\t')) params++;
    if (!params || !*params) return NULL;
    if (!CryptStringToBinaryW(params, 0, CRYPT_STRING_BASE64, NULL, len, NULL, NULL) || !*len) return NULL;
    if (!(token = heap_alloc(*len))) return NULL;
    if (!CryptStringToBinaryW(params, 0, CRYPT_STRING_BASE64, token, len, NULL, NULL))
    {
        heap_free(token);
        return NULL;
    }
    return token;
}

/* "Scheme base64(token)" */
static WCHAR *encode_answer(const WCHAR *scheme, const BYTE *token, DWORD len)
{
    DWORD chars = 0, prefix = wcslen(scheme) + 1;
    WCHAR *ret;

    if (!CryptBinaryToStringW(token, len, CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF, NULL, &chars)) return NULL;
    if (!(ret = heap_alloc((prefix + chars + 1) * sizeof(WCHAR)))) return NULL;
    wcscpy(ret, scheme);
    ret[prefix - 1] = ' ';
    if (!CryptBinaryToStringW(token, len, CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF, ret + prefix, &chars))
    {
        heap_free(ret);
        return NULL;
    }
    return ret;
}

WCHAR *auth_sspi_answer(struct auth_sspi *s, const WCHAR *scheme, const WCHAR *params, const WCHAR *user,
                        const WCHAR *pass, const WCHAR *host)
{
    SecBuffer in_buf = { 0, SECBUFFER_TOKEN, NULL }, out_buf = { 0, SECBUFFER_TOKEN, NULL };
    SecBufferDesc in_desc = { SECBUFFER_VERSION, 1, &in_buf }, out_desc = { SECBUFFER_VERSION, 1, &out_buf };
    SecPkgInfoW *info = NULL;
    SECURITY_STATUS status;
    WCHAR *spn = NULL, *ret = NULL;
    TimeStamp expiry;
    ULONG attrs;
    DWORD len;
    BYTE *token = decode_token(params, &len);
    BOOL first = !token;

    /* a challenge without a token starts the handshake again */
    if (first && !acquire(s, scheme, user, pass)) goto done;
    if (!first && (!s->has_ctx || s->done))
    {
        WARN("a %s token without a handshake in progress\n", debugstr_w(scheme));
        goto done;
    }
    if (QuerySecurityPackageInfoW((WCHAR *)scheme, &info) != SEC_E_OK) goto done;
    if (!(out_buf.pvBuffer = heap_alloc(info->cbMaxToken))) goto done;
    out_buf.cbBuffer = info->cbMaxToken;
    in_buf.pvBuffer = token;
    in_buf.cbBuffer = len;
    /* the service principal Kerberos would look for; NTLM ignores it */
    if (host && (spn = heap_alloc((wcslen(host) + 6) * sizeof(WCHAR)))) swprintf(spn, wcslen(host) + 6, L"HTTP/%ls", host);

    status = InitializeSecurityContextW(&s->cred, first ? NULL : &s->ctx, spn, ISC_REQ_CONNECTION, 0,
                                        SECURITY_NETWORK_DREP, first ? NULL : &in_desc, 0, &s->ctx, &out_desc,
                                        &attrs, &expiry);
    TRACE("%s leg %s: %#lx, %lu bytes\n", debugstr_w(scheme), first ? "first" : "next", status, out_buf.cbBuffer);
    if (status == SEC_I_CONTINUE_NEEDED || status == SEC_E_OK)
    {
        s->has_ctx = TRUE;
        s->done = status == SEC_E_OK;
        if (out_buf.cbBuffer) ret = encode_answer(scheme, out_buf.pvBuffer, out_buf.cbBuffer);
    }
    else
    {
        WARN("InitializeSecurityContext(%s) failed: %#lx\n", debugstr_w(scheme), status);
        auth_sspi_free(s);
    }
done:
    if (info) FreeContextBuffer(info);
    if (out_buf.pvBuffer) SecureZeroMemory(out_buf.pvBuffer, out_buf.cbBuffer);
    heap_free(out_buf.pvBuffer);
    heap_free(token);
    heap_free(spn);
    return ret;
}
