/*
 * bench_raw.exe: the benchmark workloads without WinHTTP, the limit for a PE
 * program under Wine: over plain ws2_32 for ws://, and over ws2_32 plus
 * Schannel (secur32, used directly) for wss://.  Its own minimal WebSocket
 * client: the upgrade request with a fixed key (the 101 status is checked,
 * nothing else), each message one masked binary frame built in one buffer
 * and given to one send() (TCP_NODELAY), receives into a 1 MiB buffer
 * parsing every frame it holds; payloads are counted, not copied anywhere.
 *
 * Over TLS it does what a competent Schannel client does: the frame is
 * masked straight into the data part of its record, one EncryptMessage per
 * record (one per message up to the maximum record size, 16 KiB), and all
 * the records of a message leave in one send(); received records are
 * decrypted in place in the 1 MiB buffer, one DecryptMessage each, and the
 * frames parsed from there.  TLS 1.2, which is what WinHTTP asks for by
 * default; the server certificate is not checked (WinHTTP checks it once per
 * connection, outside the timed part).
 *
 *   bench_raw.exe [-n NAME] [-t SECONDS] [-w WORKLOAD,...] [--tls HOST:PORT] HOST:PORT
 *   bench_raw.exe --costs [--tls HOST:PORT] HOST:PORT   (what single calls cost under Wine)
 *   bench_raw.exe --callbacks [options as above]         (async_ workloads shaped
 *                 as bench_winhttp.exe's: completions, bench_pipe.c; name raw_cb)
 *   bench_raw.exe --host [options as above]              (name raw_host: the same
 *                 blocking client on Linux sockets, each send and receive one
 *                 unix call into our helper, winhttp_host, found as winhttp.dll
 *                 finds it -- WINEDLLPATH: the limit for a PE program on host
 *                 sockets, which the host column is measured against)
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define SECURITY_WIN32
#include "bench.h"
#include <security.h>
#include <schannel.h>
#include "../dlls/winhttp/host_link.h"

#define RX_SIZE (1u << 20)
#define MAX_HEADER 14

/* --host: Linux sockets through the helper instead of ws2_32 */
static struct host_link host;
static BOOL use_host;

struct raw
{
    SOCKET s;
    UINT64 host;              /* --host: the helper's socket handle, else 0 */
    BYTE *rx;                 /* received bytes: plaintext, or TLS records decrypted in place */
    size_t rx_len;            /* bytes in rx */
    size_t rx_next;           /* TLS: the first byte of rx not decrypted yet */
    const BYTE *span;         /* received plaintext not parsed yet (in rx) */
    size_t span_len;
    BYTE head[MAX_HEADER];    /* the frame header being parsed: it may straddle spans */
    size_t head_len;
    BOOL in_payload;
    unsigned long long frame_len, left;  /* payload of the current frame, and what is still to come */
    unsigned long long message_len;      /* payload of the frames of the current message so far */
    BYTE *tx;
    unsigned rng;
    /* TLS */
    BOOL secure, have_cred, have_ctx;
    SRWLOCK crypt_lock;       /* Wine 8's Schannel: one Encrypt/DecryptMessage at a time */
    CredHandle cred;
    CtxtHandle ctx;
    SecPkgContext_StreamSizes sizes;
};

/* One frame to send: header, payload and mask.  Bytes that are not a frame
 * (the upgrade request) go out as a "frame" with no header and a zero mask. */
struct frame
{
    BYTE head[MAX_HEADER];
    size_t head_len;
    const BYTE *payload;
    size_t len;
    BYTE mask[4];
};

/* One blocking send or receive on the connection's socket: *done bytes. */
static DWORD socket_io(struct raw *r, unsigned int call, void *buf, size_t len, size_t *done)
{
    int n;

    if (r->host)
    {
        struct host_io_args args = { r->host, (UINT_PTR)buf, len, 0, HOST_E_INVALID, 0 };

        host.call(host.handle, call, &args);
        *done = args.done;
        return args.error == HOST_OK ? 0 : WSAECONNRESET;
    }
    if (call == HOST_CALL_SEND) n = send(r->s, buf, len > 0x40000000 ? 0x40000000 : (int)len, 0);
    else n = recv(r->s, buf, len > 0x40000000 ? 0x40000000 : (int)len, 0);
    *done = n > 0 ? n : 0;
    return n == SOCKET_ERROR ? WSAGetLastError() : 0;
}

static DWORD send_all(struct raw *r, const BYTE *p, size_t len)
{
    DWORD error;
    size_t n;

    while (len)
    {
        if ((error = socket_io(r, HOST_CALL_SEND, (void *)p, len, &n))) return error;
        p += n;
        len -= n;
    }
    return 0;
}

/* Receives up to len bytes into buf; 0 bytes is the end of the stream. */
static DWORD recv_bytes(struct raw *r, void *buf, size_t len, size_t *got)
{
    DWORD error = socket_io(r, HOST_CALL_RECV, buf, len, got);

    return error ? error : *got ? 0 : ERROR_GRACEFUL_DISCONNECT;
}

/* Receives into rx + at, as much as fits. */
static DWORD recv_some(struct raw *r, size_t at, size_t *got)
{
    return recv_bytes(r, r->rx + at, RX_SIZE - at, got);
}

/* Frames ---------------------------------------------------------------- */

static void frame_init(struct raw *r, struct frame *f, BYTE b0, const void *payload, size_t len)
{
    BYTE *p = f->head;
    int i;

    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 17;
    r->rng ^= r->rng << 5;
    memcpy(f->mask, &r->rng, 4);
    *p++ = b0;
    if (len < 126) *p++ = 0x80 | len;
    else if (len < 65536)
    {
        *p++ = 0x80 | 126;
        *p++ = len >> 8;
        *p++ = len & 0xff;
    }
    else
    {
        *p++ = 0x80 | 127;
        for (i = 0; i < 8; i++) *p++ = i < 4 ? 0 : (BYTE)(len >> (8 * (7 - i)));
    }
    memcpy(p, f->mask, 4);
    f->head_len = p + 4 - f->head;
    f->payload = payload;
    f->len = len;
}

/* Writes bytes [pos, pos + n) of the frame (header, then masked payload) to dst. */
static void frame_copy(const struct frame *f, size_t pos, size_t n, BYTE *dst)
{
    const BYTE *in;
    BYTE m[4];
    UINT32 m32, v;
    size_t i;

    for (; n && pos < f->head_len; n--) *dst++ = f->head[pos++];
    in = f->payload + (pos - f->head_len);
    for (i = 0; i < 4; i++) m[i] = f->mask[(pos - f->head_len + i) & 3];
    memcpy(&m32, m, 4);
    for (i = 0; i + 4 <= n; i += 4)
    {
        memcpy(&v, in + i, 4);
        v ^= m32;
        memcpy(dst + i, &v, 4);
    }
    for (; i < n; i++) dst[i] = in[i] ^ m[i & 3];
}

/* TLS (Schannel) ---------------------------------------------------------- */

/* Each record's plaintext is masked into place and encrypted there; the
 * records go out together. */
static DWORD tls_send_frame(struct raw *r, const struct frame *f)
{
    size_t total = f->head_len + f->len, pos, n;
    ULONG head = r->sizes.cbHeader;
    SECURITY_STATUS status;
    BYTE *p = r->tx;

    for (pos = 0; pos < total; pos += n)
    {
        n = min(total - pos, r->sizes.cbMaximumMessage);
        {
            SecBuffer bufs[4] = { { head, SECBUFFER_STREAM_HEADER, p }, { (ULONG)n, SECBUFFER_DATA, p + head },
                                  { r->sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, p + head + n },
                                  { 0, SECBUFFER_EMPTY, NULL } };
            SecBufferDesc desc = { SECBUFFER_VERSION, 4, bufs };

            frame_copy(f, pos, n, p + head);
            AcquireSRWLockExclusive(&r->crypt_lock);
            status = EncryptMessage(&r->ctx, 0, &desc, 0);
            ReleaseSRWLockExclusive(&r->crypt_lock);
            if (status != SEC_E_OK) return status;
            /* the record may be shorter than the sizes allow */
            p += bufs[0].cbBuffer + bufs[1].cbBuffer + bufs[2].cbBuffer;
        }
    }
    return send_all(r, r->tx, p - r->tx);
}

/* The next buffered record's plaintext as the span, decrypted in place;
 * ERROR_MORE_DATA when no whole record is buffered (what there is was moved
 * to the front of rx, to be received after). */
static DWORD tls_decrypt_next(struct raw *r)
{
    SecBuffer bufs[4];
    SecBufferDesc desc = { SECBUFFER_VERSION, 4, bufs };
    SECURITY_STATUS status;
    int i;

    while (r->rx_len - r->rx_next >= 5)
    {
        SecBuffer data = { (ULONG)(r->rx_len - r->rx_next), SECBUFFER_DATA, r->rx + r->rx_next };

        memset(bufs, 0, sizeof(bufs));  /* SECBUFFER_EMPTY is 0 */
        bufs[0] = data;
        /* a concurrent EncryptMessage can fail it under Wine 8 (see dlls/winhttp/tls.c) */
        AcquireSRWLockExclusive(&r->crypt_lock);
        status = DecryptMessage(&r->ctx, &desc, 0, NULL);
        ReleaseSRWLockExclusive(&r->crypt_lock);
        if (status == SEC_I_CONTEXT_EXPIRED) return ERROR_GRACEFUL_DISCONNECT;
        if (status == SEC_E_INCOMPLETE_MESSAGE) break;
        if (status != SEC_E_OK && status != SEC_I_RENEGOTIATE) return status;
        r->span_len = 0;
        r->rx_next = r->rx_len;
        for (i = 0; i < 4; i++)
        {
            if (bufs[i].BufferType == SECBUFFER_DATA)
            {
                r->span = bufs[i].pvBuffer;
                r->span_len = bufs[i].cbBuffer;
            }
            else if (bufs[i].BufferType == SECBUFFER_EXTRA && bufs[i].cbBuffer)
                r->rx_next = r->rx_len - bufs[i].cbBuffer;
        }
        if (r->span_len) return 0;
        /* a record without application data (a session ticket) */
    }
    /* Part of a record or nothing: move it to the front, receive after it. */
    if (r->rx_next)
    {
        memmove(r->rx, r->rx + r->rx_next, r->rx_len - r->rx_next);
        r->rx_len -= r->rx_next;
        r->rx_next = 0;
    }
    return r->rx_len == RX_SIZE ? ERROR_INVALID_DATA : ERROR_MORE_DATA;
}

/* The next record's plaintext as the span; more ciphertext is received when
 * no whole record is buffered. */
static DWORD tls_next_span(struct raw *r)
{
    size_t got;
    DWORD error;

    while ((error = tls_decrypt_next(r)) == ERROR_MORE_DATA)
    {
        if ((error = recv_some(r, r->rx_len, &got))) return error;
        r->rx_len += got;
    }
    return error;
}

/* The handshake, on the connected socket, with SNI for bench_host.  What
 * the server sent after it stays in rx as the first ciphertext. */
static DWORD tls_connect(struct raw *r)
{
    static const DWORD flags = ISC_REQ_CONFIDENTIALITY | ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT |
                               ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM | ISC_REQ_MANUAL_CRED_VALIDATION;
    static BOOL noted;
    SCHANNEL_CRED cred;
    SecBuffer in[2], out;
    SecBufferDesc in_desc = { SECBUFFER_VERSION, 2, in }, out_desc = { SECBUFFER_VERSION, 1, &out };
    SecPkgContext_ConnectionInfo info;
    SECURITY_STATUS status;
    DWORD error, attrs;
    size_t got;
    int step;

    memset(&cred, 0, sizeof(cred));
    cred.dwVersion = SCHANNEL_CRED_VERSION;
    cred.grbitEnabledProtocols = SP_PROT_TLS1_2_CLIENT;
    cred.dwFlags = SCH_CRED_NO_DEFAULT_CREDS | SCH_CRED_MANUAL_CRED_VALIDATION;
    if ((status = AcquireCredentialsHandleA(NULL, (char *)UNISP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, &cred, NULL,
                                            NULL, &r->cred, NULL)) != SEC_E_OK)
        return status;
    r->have_cred = TRUE;
    r->rx_len = 0;
    /* bounded: a handshake is a handful of flights, each maybe in pieces */
    for (step = 0; step < 200; step++)
    {
        SecBuffer token = { (ULONG)r->rx_len, SECBUFFER_TOKEN, r->rx }, none = { 0, SECBUFFER_EMPTY, NULL };

        in[0] = token;
        in[1] = none;
        out = none;
        out.BufferType = SECBUFFER_TOKEN;
        status = InitializeSecurityContextA(&r->cred, r->have_ctx ? &r->ctx : NULL, bench_host, flags, 0, 0,
                                            r->have_ctx ? &in_desc : NULL, 0, &r->ctx, &out_desc, &attrs, NULL);
        if (status != SEC_E_OK && status != SEC_I_CONTINUE_NEEDED && status != SEC_E_INCOMPLETE_MESSAGE)
            return status;
        r->have_ctx = TRUE;
        if (out.cbBuffer && out.pvBuffer)
        {
            error = send_all(r, out.pvBuffer, out.cbBuffer);
            FreeContextBuffer(out.pvBuffer);
            if (error) return error;
        }
        if (status != SEC_E_INCOMPLETE_MESSAGE)
        {
            /* what follows the message just consumed */
            if (in[1].BufferType == SECBUFFER_EXTRA && in[1].cbBuffer)
            {
                memmove(r->rx, r->rx + r->rx_len - in[1].cbBuffer, in[1].cbBuffer);
                r->rx_len = in[1].cbBuffer;
            }
            else r->rx_len = 0;
            if (status == SEC_E_OK) break;
            if (r->rx_len) continue;
        }
        if (r->rx_len == RX_SIZE) return ERROR_INVALID_DATA;
        if ((error = recv_some(r, r->rx_len, &got))) return error;
        r->rx_len += got;
    }
    if (status != SEC_E_OK) return ERROR_TIMEOUT;
    if ((status = QueryContextAttributesA(&r->ctx, SECPKG_ATTR_STREAM_SIZES, &r->sizes)) != SEC_E_OK) return status;
    r->rx_next = 0;
    if (!noted && QueryContextAttributesA(&r->ctx, SECPKG_ATTR_CONNECTION_INFO, &info) == SEC_E_OK)
    {
        bench_note("tls protocol %#lx cipher %#lx/%lu bits, records up to %lu bytes (header %lu, trailer %lu)",
                   info.dwProtocol, (unsigned long)info.aiCipher, info.dwCipherStrength, r->sizes.cbMaximumMessage,
                   r->sizes.cbHeader, r->sizes.cbTrailer);
        noted = TRUE;
    }
    return 0;
}

/* The transport ------------------------------------------------------------ */

static DWORD send_frame(struct raw *r, const struct frame *f)
{
    if (r->secure) return tls_send_frame(r, f);
    frame_copy(f, 0, f->head_len + f->len, r->tx);
    return send_all(r, r->tx, f->head_len + f->len);
}

/* Received plaintext not parsed yet becomes the span. */
static DWORD next_span(struct raw *r)
{
    DWORD error;
    size_t got;

    if (r->secure) return tls_next_span(r);
    if ((error = recv_some(r, 0, &got))) return error;
    r->span = r->rx;
    r->span_len = got;
    return 0;
}

/* Through bench_proxy: "CONNECT host:port", and its 2xx answer read to the
 * end of its head (nothing may follow it before the server speaks). */
static BOOL open_tunnel(struct raw *r)
{
    char buf[1024];
    int len = 0, n;
    size_t got;

    n = snprintf(buf, sizeof(buf), "CONNECT %s:%u HTTP/1.1\r\nHost: %s:%u\r\n\r\n", bench_host, bench_port,
                 bench_host, bench_port);
    if (send_all(r, (const BYTE *)buf, n)) return FALSE;
    while (len < (int)sizeof(buf) - 1)
    {
        if (recv_bytes(r, buf + len, 1, &got)) return FALSE;   /* byte by byte: not past the head */
        buf[++len] = 0;
        if (len >= 4 && !memcmp(buf + len - 4, "\r\n\r\n", 4)) break;
    }
    if (strncmp(buf, "HTTP/1.", 7) || buf[9] != '2')
    {
        bench_note("the proxy refused the tunnel: %.40s", buf);
        return FALSE;
    }
    return TRUE;
}

/* One connection attempt: r->s, or r->host with --host. */
static BOOL connect_addr(struct raw *r, const ADDRINFOA *ai)
{
    BOOL nodelay = TRUE;

    if (use_host)
    {
        struct host_connect_args args;

        memset(&args, 0, sizeof(args));
        if (ai->ai_addrlen > sizeof(args.addr)) return FALSE;
        memcpy(args.addr, ai->ai_addr, ai->ai_addrlen);
        args.addr_len = ai->ai_addrlen;
        host.call(host.handle, HOST_CALL_CONNECT, &args);  /* TCP_NODELAY set by the helper */
        r->host = args.error == HOST_OK ? args.handle : 0;
        return r->host != 0;
    }
    if ((r->s = socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP)) == INVALID_SOCKET) return FALSE;
    if (!connect(r->s, ai->ai_addr, (int)ai->ai_addrlen))
    {
        setsockopt(r->s, IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof(nodelay));
        return TRUE;
    }
    closesocket(r->s);
    r->s = INVALID_SOCKET;
    return FALSE;
}

static BOOL connect_to_server(struct raw *r)
{
    ADDRINFOA hints, *list, *ai;
    char host[256], port[8], *colon;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    strcpy(host, bench_proxy[0] ? bench_proxy : bench_host);
    if (bench_proxy[0] && (colon = strrchr(host, ':'))) *colon = 0;
    snprintf(port, sizeof(port), "%u", bench_proxy[0] ? (unsigned)atoi(strrchr(bench_proxy, ':') + 1) : bench_port);
    if (getaddrinfo(host, port, &hints, &list))
    {
        bench_note("getaddrinfo failed: %d", WSAGetLastError());
        return FALSE;
    }
    /* "localhost" may name ::1 first and the server listen on 127.0.0.1 only */
    for (ai = list; ai; ai = ai->ai_next) if (connect_addr(r, ai)) break;
    freeaddrinfo(list);
    if (!ai)
    {
        bench_note("connect failed: %d", WSAGetLastError());
        return FALSE;
    }
    return !bench_proxy[0] || open_tunnel(r);
}

static void close_socket(struct raw *r)
{
    if (r->host)
    {
        struct host_handle_args args = { r->host, 0, HOST_E_INVALID };

        host.call(host.handle, HOST_CALL_CLOSE, &args);
        r->host = 0;
    }
    if (r->s != INVALID_SOCKET) closesocket(r->s);
    r->s = INVALID_SOCKET;
}

static void raw_free(struct raw *r)
{
    close_socket(r);
    if (r->have_ctx) DeleteSecurityContext(&r->ctx);
    if (r->have_cred) FreeCredentialsHandle(&r->cred);
    free(r->rx);
    free(r->tx);
    free(r);
}

/* The client ------------------------------------------------------------------ */

static void *raw_open(BOOL async)
{
    static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    struct raw *r;
    struct frame f;
    char request[512], response[4096];
    size_t len = 0, tx_size = BENCH_MAX_MESSAGE + MAX_HEADER, records;
    DWORD error;

    if (!(r = calloc(1, sizeof(*r)))) return NULL;
    r->s = INVALID_SOCKET;
    r->rng = 0x2545f491;
    r->secure = bench_secure;
    InitializeSRWLock(&r->crypt_lock);
    if (!(r->rx = malloc(RX_SIZE)) || !connect_to_server(r)) goto fail;
    if (r->secure)
    {
        if ((error = tls_connect(r)))
        {
            bench_note("TLS handshake failed: %#lx", error);
            goto fail;
        }
        records = (tx_size + r->sizes.cbMaximumMessage - 1) / r->sizes.cbMaximumMessage;
        tx_size += records * (r->sizes.cbHeader + r->sizes.cbTrailer);
    }
    if (!(r->tx = malloc(tx_size))) goto fail;

    memset(&f, 0, sizeof(f));
    f.payload = (const BYTE *)request;
    f.len = snprintf(request, sizeof(request),
                     "GET /echo HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", bench_host, bench_port, key);
    if (send_frame(r, &f)) goto fail;
    /* byte by byte up to the blank line: frames that came with it stay in the span */
    for (;;)
    {
        if (!r->span_len && next_span(r))
        {
            bench_note("no upgrade response");
            goto fail;
        }
        if (len == sizeof(response) - 1) goto fail;
        response[len++] = *r->span++;
        r->span_len--;
        if (len >= 4 && !memcmp(response + len - 4, "\r\n\r\n", 4)) break;
    }
    response[len] = 0;
    if (strncmp(response, "HTTP/1.1 101", 12))
    {
        bench_note("upgrade refused: %.40s", response);
        goto fail;
    }
    return r;

fail:
    raw_free(r);
    return NULL;
}

static DWORD raw_send(void *conn, const void *buf, DWORD len)
{
    struct raw *r = conn;
    struct frame f;

    frame_init(r, &f, 0x82, buf, len);  /* FIN, binary */
    return send_frame(r, &f);
}

/* Takes header bytes from the span; TRUE once the whole header is there. */
static BOOL parse_header(struct raw *r)
{
    size_t need, take;
    BYTE b1;
    int i;

    for (;;)
    {
        b1 = r->head[1];
        need = r->head_len < 2 ? 2 : 2 + ((b1 & 0x7f) == 126 ? 2 : (b1 & 0x7f) == 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        if (r->head_len == need) break;
        if (!r->span_len) return FALSE;
        take = min(need - r->head_len, r->span_len);
        memcpy(r->head + r->head_len, r->span, take);
        r->head_len += take;
        r->span += take;
        r->span_len -= take;
    }
    r->frame_len = b1 & 0x7f;
    if (r->frame_len == 126) r->frame_len = (r->head[2] << 8) | r->head[3];
    else if (r->frame_len == 127)
        for (r->frame_len = 0, i = 0; i < 8; i++) r->frame_len = (r->frame_len << 8) | r->head[2 + i];
    r->left = r->frame_len;
    r->in_payload = TRUE;
    return TRUE;
}

/* Parses what the span holds; TRUE once a whole message (its length in
 * *len) or the close (*error set) was taken, FALSE when the span ran out
 * first: what was parsed so far stays in r. */
static BOOL take_message(struct raw *r, DWORD *len, DWORD *error)
{
    unsigned long long take;
    BYTE b0;

    *error = 0;
    for (;;)
    {
        if (!r->in_payload && !parse_header(r)) return FALSE;
        if (r->left)
        {
            /* the payload is counted where it lies */
            take = min(r->left, r->span_len);
            r->span += take;
            r->span_len -= take;
            r->left -= take;
            if (r->left) return FALSE;
        }
        r->in_payload = FALSE;
        r->head_len = 0;
        b0 = r->head[0];
        if ((b0 & 0x0f) >= 8)
        {
            if ((b0 & 0x0f) != 8) continue;  /* ping/pong: none expected from /echo */
            *error = ERROR_GRACEFUL_DISCONNECT;
            return TRUE;
        }
        r->message_len += r->frame_len;
        if (b0 & 0x80) break;
    }
    *len = (DWORD)r->message_len;
    r->message_len = 0;
    return TRUE;
}

static DWORD raw_recv(void *conn, DWORD *ret_len)
{
    struct raw *r = conn;
    DWORD error;

    while (!take_message(r, ret_len, &error))
        if ((error = next_span(r))) return error;
    return error;
}

static void raw_close(void *conn)
{
    static const BYTE code[] = { 0x03, 0xe8 };  /* 1000 */
    struct raw *r = conn;
    struct frame f;

    frame_init(r, &f, 0x88, code, sizeof(code));
    send_frame(r, &f);
    if (r->host)
    {
        struct host_handle_args args = { r->host, HOST_SHUT_SEND, HOST_E_INVALID };

        host.call(host.handle, HOST_CALL_SHUTDOWN, &args);
    }
    else shutdown(r->s, SD_SEND);
    raw_free(r);
}

/* --callbacks: the async_ workloads shaped as bench_winhttp.exe runs them
 * (bench_pipe.c), without WinHTTP.  A send is one blocking send() whose
 * completion is reported inside the call, as WRITE_COMPLETE is; a receive
 * is taken from what was read before if a whole message is there, else by
 * an overlapped WSARecv (skipping the port when it finishes at once) whose
 * completion a thread of our own takes from a completion port and delivers,
 * as a WinHTTP completion thread would. */
struct callbacks
{
    struct raw *r;
    struct bench_pipe pipe;
    HANDLE port, reader;
    DWORD reader_id;
    volatile LONG want;           /* a receive is posted and not completed */
    BOOL reading;                 /* a WSARecv is pending (the reader's own) */
    OVERLAPPED ovl;
};

enum { CB_KEY_READ, CB_KEY_WAKE, CB_KEY_STOP };

static DWORD cb_send(void *conn, DWORD size)
{
    struct callbacks *cb = conn;
    DWORD error;

    if (!(error = raw_send(cb->r, bench_payload, size))) bench_pipe_sent(&cb->pipe);
    return error;
}

static DWORD cb_receive(void *conn)
{
    struct callbacks *cb = conn;

    InterlockedExchange(&cb->want, 1);
    /* from the reader's own delivery it looks again when that returns */
    if (GetCurrentThreadId() != cb->reader_id && !PostQueuedCompletionStatus(cb->port, 0, CB_KEY_WAKE, NULL))
        return GetLastError();
    return 0;
}

/* A read whose bytes are now in rx: a span (plain) or more ciphertext (TLS). */
static void cb_got(struct callbacks *cb, DWORD got)
{
    struct raw *r = cb->r;

    if (r->secure) r->rx_len += got;
    else
    {
        r->span = r->rx;
        r->span_len = got;
    }
}

/* Takes the next message, or starts a read: ERROR_IO_PENDING while one is out. */
static DWORD cb_next(struct callbacks *cb, DWORD *len)
{
    struct raw *r = cb->r;
    DWORD error, got, flags;
    WSABUF buf;

    for (;;)
    {
        if (take_message(r, len, &error)) return error;
        if (r->secure && (error = tls_decrypt_next(r)) != ERROR_MORE_DATA)
        {
            if (error) return error;
            continue;
        }
        buf.buf = (char *)r->rx + (r->secure ? r->rx_len : 0);
        buf.len = (ULONG)(RX_SIZE - (r->secure ? r->rx_len : 0));
        flags = 0;
        memset(&cb->ovl, 0, sizeof(cb->ovl));
        if (WSARecv(r->s, &buf, 1, &got, &flags, &cb->ovl, NULL))
        {
            if ((error = WSAGetLastError()) != WSA_IO_PENDING) return error;
            cb->reading = TRUE;
            return ERROR_IO_PENDING;
        }
        if (!got) return ERROR_GRACEFUL_DISCONNECT;
        cb_got(cb, got);
    }
}

static DWORD WINAPI cb_reader(void *arg)
{
    struct callbacks *cb = arg;
    OVERLAPPED *ovl;
    ULONG_PTR key;
    DWORD got, len, error;

    for (;;)
    {
        while (cb->want && !cb->reading)
        {
            if ((error = cb_next(cb, &len)) == ERROR_IO_PENDING) break;
            InterlockedExchange(&cb->want, 0);
            if (error == ERROR_GRACEFUL_DISCONNECT) bench_pipe_received(&cb->pipe, PIPE_CLOSED, 0);
            else if (error) bench_pipe_fail(&cb->pipe, error);
            else bench_pipe_received(&cb->pipe, PIPE_MESSAGE_END, len);
        }
        if (!GetQueuedCompletionStatus(cb->port, &got, &key, &ovl, INFINITE))
        {
            if (!ovl) return 0;
            cb->reading = FALSE;
            bench_pipe_fail(&cb->pipe, GetLastError());
            continue;
        }
        if (key == CB_KEY_STOP) return 0;
        if (key != CB_KEY_READ) continue;
        cb->reading = FALSE;
        if (got) cb_got(cb, got);
        else
        {
            InterlockedExchange(&cb->want, 0);
            bench_pipe_received(&cb->pipe, PIPE_CLOSED, 0);
        }
    }
}

static const struct bench_pipe_ops cb_ops = { cb_send, cb_receive };

static DWORD raw_callbacks_pipe(DWORD size, int depth, double seconds, unsigned long long *count, double *elapsed)
{
    struct callbacks cb;
    DWORD error = 0;

    memset(&cb, 0, sizeof(cb));
    if (!(cb.r = raw_open(FALSE))) return ERROR_CONNECTION_REFUSED;
    bench_pipe_init(&cb.pipe, &cb_ops, &cb);
    if (!(cb.port = CreateIoCompletionPort((HANDLE)cb.r->s, NULL, CB_KEY_READ, 0)))
        error = GetLastError();
    else
    {
        /* as our DLL's sockets (net.c) */
        SetFileCompletionNotificationModes((HANDLE)cb.r->s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
        if (!(cb.reader = CreateThread(NULL, 0, cb_reader, &cb, 0, &cb.reader_id))) error = GetLastError();
    }
    if (!error) error = bench_pipe_run(&cb.pipe, size, depth, 0.05, count, elapsed);
    if (!error) error = bench_pipe_run(&cb.pipe, size, depth, seconds, count, elapsed);
    if (cb.reader)
    {
        /* the pipeline drained: no receive is posted, no read pending */
        PostQueuedCompletionStatus(cb.port, 0, CB_KEY_STOP, NULL);
        WaitForSingleObject(cb.reader, INFINITE);
        CloseHandle(cb.reader);
    }
    raw_close(cb.r);
    if (cb.port) CloseHandle(cb.port);
    bench_pipe_free(&cb.pipe);
    return error;
}

/* --costs: what single calls cost under Wine, the bounds the workloads sit on. */
static HANDLE ping_event, pong_event;

static DWORD WINAPI pong_thread(void *arg)
{
    for (;;)
    {
        WaitForSingleObject(ping_event, INFINITE);
        SetEvent(pong_event);
    }
    return 0;
}

static void CALLBACK pool_work(PTP_CALLBACK_INSTANCE instance, void *context)
{
    SetEvent(context);
}

static void cost(const char *what, double t0, int n)
{
    printf("COST %s %.2f us\n", what, (bench_now() - t0) * 1e6 / n);
    fflush(stdout);
}

/* EncryptMessage alone, len bytes of plaintext, in place in tx. */
static void encrypt_cost(struct raw *r, ULONG len, const char *what)
{
    enum { N = 2000 };
    ULONG head = r->sizes.cbHeader;
    double t0 = bench_now();
    int i;

    for (i = 0; i < N; i++)
    {
        SecBuffer bufs[4] = { { head, SECBUFFER_STREAM_HEADER, r->tx }, { len, SECBUFFER_DATA, r->tx + head },
                              { r->sizes.cbTrailer, SECBUFFER_STREAM_TRAILER, r->tx + head + len },
                              { 0, SECBUFFER_EMPTY, NULL } };
        SecBufferDesc desc = { SECBUFFER_VERSION, 4, bufs };

        memcpy(r->tx + head, bench_payload, len);
        if (EncryptMessage(&r->ctx, 0, &desc, 0) != SEC_E_OK) return;
    }
    cost(what, t0, N);
}

/* Round trips like raw_send + raw_recv, the echo read by an overlapped
 * WSARecv whose completion is taken from a completion port: what an async
 * receive that finds nothing waiting costs over a blocking one. */
static BOOL port_round_trips(struct raw *r, int n)
{
    HANDLE port = CreateIoCompletionPort((HANDLE)r->s, NULL, 0, 1);
    OVERLAPPED ovl, *done;
    WSABUF buf;
    ULONG_PTR key;
    DWORD got, flags, left;
    int i;

    if (!port) return FALSE;
    for (i = 0; i < n; i++)
    {
        raw_send(r, bench_payload, 16);
        for (left = 18; left; left -= got)  /* the echo: 2-byte header, 16 bytes */
        {
            memset(&ovl, 0, sizeof(ovl));
            buf.buf = (char *)r->rx;
            buf.len = left;
            flags = 0;
            if (WSARecv(r->s, &buf, 1, &got, &flags, &ovl, NULL) && WSAGetLastError() != WSA_IO_PENDING)
                return FALSE;
            if (!GetQueuedCompletionStatus(port, &got, &key, &done, INFINITE) || !got) return FALSE;
        }
    }
    return TRUE;
}

static int run_costs(void)
{
    enum { N = 2000 };
    struct raw *r;
    u_long nonblocking = 1;
    char byte;
    double t0;
    DWORD len;
    int i;

    t0 = bench_now();
    for (i = 0; i < N * 100; i++) bench_now();
    printf("COST QueryPerformanceCounter %.3f us\n", (bench_now() - t0) * 1e6 / (N * 100));

    if (!(r = raw_open(FALSE))) return 1;
    t0 = bench_now();
    for (i = 0; i < N; i++) raw_send(r, bench_payload, 16);
    cost("send() of one 22-byte frame", t0, N);
    Sleep(300);  /* every echo is in our receive buffer now */
    t0 = bench_now();
    for (i = 0; i < N; i++) recv(r->s, (char *)r->rx, 18, 0);
    cost("recv() with data waiting", t0, N);
    t0 = bench_now();
    for (i = 0; i < N; i++) raw_send(r, bench_payload, 16), raw_recv(r, &len);
    cost("round trip 16 B (send + recv + server echo)", t0, N);
    t0 = bench_now();
    if (port_round_trips(r, N)) cost("round trip 16 B, the receive overlapped and taken from a completion port", t0, N);
    ioctlsocket(r->s, FIONBIO, &nonblocking);
    t0 = bench_now();
    for (i = 0; i < N; i++) recv(r->s, &byte, 1, 0);
    cost("recv() that would block (non-blocking socket)", t0, N);
    raw_close(r);

    ping_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    pong_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    CloseHandle(CreateThread(NULL, 0, pong_thread, NULL, 0, NULL));
    t0 = bench_now();
    for (i = 0; i < N; i++)
    {
        SetEvent(ping_event);
        WaitForSingleObject(pong_event, INFINITE);
    }
    cost("thread hop there and back (SetEvent + wait, twice)", t0, N);
    t0 = bench_now();
    for (i = 0; i < N; i++)
    {
        TrySubmitThreadpoolCallback(pool_work, pong_event, NULL);
        WaitForSingleObject(pong_event, INFINITE);
    }
    cost("TrySubmitThreadpoolCallback, run, and wake the caller", t0, N);
    /* the records are never sent: the connection is not used again */
    if (bench_use_server(TRUE) && (r = raw_open(FALSE)))
    {
        encrypt_cost(r, 22, "EncryptMessage of a 22-byte record (no send)");
        encrypt_cost(r, 16384, "EncryptMessage of a 16 KiB record (no send)");
        close_socket(r);
        raw_free(r);
    }
    return 0;
}

static struct bench_client raw_client = { raw_open, raw_send, raw_recv, raw_close, NULL, FALSE };

int main(int argc, char **argv)
{
    WSADATA data;

    WSAStartup(MAKEWORD(2, 2), &data);
    bench_name = "raw";
    if (argc > 2 && !strcmp(argv[1], "--costs"))
    {
        /* bench_main's parsing, no workloads */
        argv[1] = argv[0];
        bench_main(argc - 1, argv + 1, NULL);
        return run_costs();
    }
    if (argc > 1 && !strcmp(argv[1], "--callbacks"))
    {
        /* the async_ workloads through raw_callbacks_pipe */
        bench_name = "raw_cb";
        raw_client.async_pipe = raw_callbacks_pipe;
        raw_client.async_only = TRUE;
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    else if (argc > 1 && !strcmp(argv[1], "--host"))
    {
        const char *why_not;

        bench_name = "raw_host";
        if ((why_not = host_link_open(&host)))
        {
            fprintf(stderr, "bench_raw --host: %s\n", why_not);
            return 2;
        }
        use_host = TRUE;
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    return bench_main(argc, argv, &raw_client);
}
