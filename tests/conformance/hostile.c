/*
 * Hostile servers and faults.
 *
 * Part 1 is table-driven (hostile_cases.h): after the client cases of the
 * Autobahn|Testsuite, categories 1-10, a server sends raw frames right after
 * the 101 and the program checks what WinHTTP makes of them.  Every case runs
 *   sync       synchronous handles against wsserver /send/<script>
 *              (/send/<script>/close where the client must fail)
 *   async      WINHTTP_FLAG_ASYNC handles, same server, bounded waits on events
 *   wire       synchronous handles against an in-process peer that writes the
 *              same bytes in small pieces (one byte per send(), 997 for large
 *              scripts)
 *   tls-sync, tls-async   the same as sync and async over wss:// against the
 *              TLS wsserver; chopped cases use /send-chop/<n>/ there (one TLS
 *              record per write)
 * and checks what the client sends back, the close code of a failed
 * connection and the payload of every pong: the peer sees it, wsserver keeps
 * it for /http/record/<token> (plain cases too large for a /send/ URL, or
 * marked HF_PEER, use the peer in sync and async too).
 *
 * Part 2 injects faults: servers that die mid-header or mid-payload (with
 * and without TLS close_notify), TCP resets, stalls past a timeout, garbage
 * and endless headers, non-101 answers, bad accepts and broken TLS
 * handshakes; every pending operation must end with an error in bounded
 * time, sync and async, over TCP and TLS, and nothing may leak.
 *
 * Each case and mode prints one line "case <id> <mode>: pass|fail (<seen>)";
 * tools/hostile-report.sh turns them into docs/HOSTILE.md.  Every client
 * flow runs on a worker thread under a watchdog, so a hang is a failure and
 * not a stuck test.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wincrypt.h>
#include <winhttp.h>
#include <psapi.h>
#include <stdio.h>
#include <ctype.h>

#include "wine/test.h"
#include "process_stats.h"
#include "hostile_cases.h"

#define ASYNC_WAIT     10000   /* ms for one asynchronous completion */
#define CASE_WATCHDOG  15000   /* ms for one case and mode */
#define SLOW_WATCHDOG  90000
#define PEER_WAIT      10000

/* Where a session connects; tls: https, certificate from the private test CA. */
struct server
{
    char host[64];
    INTERNET_PORT port;
    BOOL tls;
};

static struct server plain_server, tls_server;

/* ------------------------------------------------------------------------ */
/* Byte buffers, payload and script syntax                                   */

struct buf
{
    BYTE *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap)
    {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) cap *= 2;
        b->p = b->p ? HeapReAlloc(GetProcessHeap(), 0, b->p, cap) : HeapAlloc(GetProcessHeap(), 0, cap);
        b->cap = cap;
    }
    if (n && data) memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_byte(struct buf *b, BYTE v)
{
    buf_add(b, &v, 1);
}

static void buf_free(struct buf *b)
{
    if (b->p) HeapFree(GetProcessHeap(), 0, b->p);
    memset(b, 0, sizeof(*b));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* hex | #N | =text ('_' is a blank); s[0..n) */
static BOOL parse_payload(const char *s, size_t n, struct buf *out)
{
    size_t i;

    if (n && s[0] == '#')
    {
        size_t count = strtoul(s + 1, NULL, 10), start = out->len;
        buf_add(out, NULL, count);
        for (i = 0; i < count; i++) out->p[start + i] = 'a' + i % 26;
        return TRUE;
    }
    if (n && s[0] == '=')
    {
        for (i = 1; i < n; i++) buf_byte(out, s[i] == '_' ? ' ' : s[i]);
        return TRUE;
    }
    if (n % 2) return FALSE;
    for (i = 0; i < n; i += 2)
    {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0) return FALSE;
        buf_byte(out, (BYTE)(hi << 4 | lo));
    }
    return TRUE;
}

static void put_frame(struct buf *b, BOOL fin, unsigned op, const BYTE *p, size_t n)
{
    int i;

    buf_byte(b, (fin ? 0x80 : 0) | op);
    if (n < 126) buf_byte(b, (BYTE)n);
    else if (n < 65536)
    {
        buf_byte(b, 126);
        buf_byte(b, (BYTE)(n >> 8));
        buf_byte(b, (BYTE)n);
    }
    else
    {
        buf_byte(b, 127);
        for (i = 7; i >= 0; i--) buf_byte(b, (BYTE)((unsigned long long)n >> (i * 8)));
    }
    buf_add(b, p, n);
}

/* Next blank-separated token of *s; FALSE at the end. */
static BOOL next_token(const char **s, const char **tok, size_t *len)
{
    const char *p = *s;
    while (*p == ' ') p++;
    if (!*p) return FALSE;
    *tok = p;
    while (*p && *p != ' ') p++;
    *len = p - *tok;
    *s = p;
    return TRUE;
}

static void url_hex(struct buf *url, const BYTE *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++)
    {
        buf_byte(url, digits[p[i] >> 4]);
        buf_byte(url, digits[p[i] & 15]);
    }
}

#define OP_RAW 0x100

/* Builds the server bytes of a script; pings receives [len][payload] of each
 * ping before the first close, has_close whether a close is in it.  url, if
 * not NULL, gets the same bytes as wsserver's /send/ takes them: hex, with a
 * "#N" payload as ".N." so that large frames fit a request target. */
static BOOL build_script(const char *spec, struct buf *out, struct buf *pings, BOOL *has_close, struct buf *url)
{
    const char *tok;
    size_t len;
    BOOL closed = FALSE;

    *has_close = FALSE;
    while (next_token(&spec, &tok, &len))
    {
        struct buf payload = { 0 };
        BOOL fin = islower((unsigned char)tok[0]) != 0;
        size_t start = out->len;
        unsigned op;

        if (len < 2 || tok[1] != ':' || !parse_payload(tok + 2, len - 2, &payload)) { buf_free(&payload); return FALSE; }
        switch (tok[0])
        {
        case 't': case 'T': op = 1; break;
        case 'b': case 'B': op = 2; break;
        case 'c': case 'C': op = 0; break;
        case 'p': op = 9; fin = TRUE; break;
        case 'P': op = 10; fin = TRUE; break;
        case 'x': op = 8; fin = TRUE; break;
        case 'r': op = OP_RAW; break;
        default: buf_free(&payload); return FALSE;
        }
        if (op == 9 && !closed && pings)
        {
            buf_byte(pings, (BYTE)payload.len);
            buf_add(pings, payload.p, payload.len);
        }
        if (op == 8) closed = *has_close = TRUE;
        if (op == OP_RAW) buf_add(out, payload.p, payload.len);
        else put_frame(out, fin, op, payload.p, payload.len);
        if (url)
        {
            url_hex(url, out->p + start, out->len - start - payload.len);
            if (tok[2] == '#' && len > 3)
            {
                buf_byte(url, '.');
                buf_add(url, tok + 3, len - 3);
                buf_byte(url, '.');
            }
            else url_hex(url, payload.p, payload.len);
        }
        buf_free(&payload);
    }
    if (url)
    {
        buf_byte(url, 0);
        url->len--;
    }
    return TRUE;
}

/* One expected message. */
struct expect_msg
{
    char kind;         /* t b T B */
    struct buf data;
};

/* Parses the expect string; returns the count, *msgs allocated. */
static unsigned parse_expect(const char *spec, struct expect_msg **msgs)
{
    const char *tok;
    size_t len;
    unsigned count = 0, cap = 0, repeat, i;
    struct expect_msg *m = NULL;

    while (next_token(&spec, &tok, &len))
    {
        const char *star = memchr(tok, '*', len);
        struct buf payload = { 0 };
        repeat = 1;
        if (star && star < tok + len && isdigit((unsigned char)tok[0]) && star[1] && star[2] == ':')
        {
            repeat = atoi(tok);
            len -= star + 1 - tok;
            tok = star + 1;
        }
        if (len < 2 || tok[1] != ':' || !strchr("tbTB", tok[0])) continue;
        parse_payload(tok + 2, len - 2, &payload);
        for (i = 0; i < repeat; i++)
        {
            if (count == cap)
            {
                cap = cap ? cap * 2 : 8;
                m = m ? HeapReAlloc(GetProcessHeap(), 0, m, cap * sizeof(*m)) : HeapAlloc(GetProcessHeap(), 0, cap * sizeof(*m));
            }
            m[count].kind = tok[0];
            memset(&m[count].data, 0, sizeof(m[count].data));
            buf_add(&m[count].data, payload.p, payload.len);
            count++;
        }
        buf_free(&payload);
    }
    *msgs = m;
    return count;
}

static void free_expect(struct expect_msg *m, unsigned count)
{
    unsigned i;
    for (i = 0; i < count; i++) buf_free(&m[i].data);
    if (m) HeapFree(GetProcessHeap(), 0, m);
}

/* ------------------------------------------------------------------------ */
/* In-process peer: a minimal WebSocket server on a Winsock socket           */

/* What the client sent back: seen by the peer, or reported by wsserver
 * (fetch_record) where no peer can watch, as over TLS. */
struct wire
{
    int client_close;         /* -1: none; the code, 1005 when empty */
    struct buf pongs;         /* [len][payload] for each pong before the close */
    BOOL client_eof;
};

struct peer
{
    SOCKET listener;
    USHORT port;
    struct buf script;
    size_t chop;
    BOOL script_has_close;
    HANDLE thread;
    /* results */
    BOOL upgraded;
    struct wire wire;
};

static BOOL sha1(const void *data, DWORD len, BYTE digest[20])
{
    HCRYPTPROV prov;
    HCRYPTHASH hash;
    DWORD size = 20;
    BOOL ret = FALSE;

    if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT)) return FALSE;
    if (CryptCreateHash(prov, CALG_SHA1, 0, 0, &hash))
    {
        ret = CryptHashData(hash, data, len, 0) && CryptGetHashParam(hash, HP_HASHVAL, digest, &size, 0);
        CryptDestroyHash(hash);
    }
    CryptReleaseContext(prov, 0);
    return ret;
}

static void base64(const BYTE *in, size_t n, char *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    for (i = 0; i + 2 < n; i += 3)
    {
        *out++ = alphabet[in[i] >> 2];
        *out++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
        *out++ = alphabet[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
        *out++ = alphabet[in[i + 2] & 63];
    }
    if (n - i == 1)
    {
        *out++ = alphabet[in[i] >> 2];
        *out++ = alphabet[(in[i] & 3) << 4];
        *out++ = '=';
        *out++ = '=';
    }
    else if (n - i == 2)
    {
        *out++ = alphabet[in[i] >> 2];
        *out++ = alphabet[(in[i] & 3) << 4 | in[i + 1] >> 4];
        *out++ = alphabet[(in[i + 1] & 15) << 2];
        *out++ = '=';
    }
    *out = 0;
}

/* Waits until s is readable; FALSE on timeout. */
static BOOL wait_readable(SOCKET s, DWORD ms)
{
    fd_set set;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    FD_ZERO(&set);
    FD_SET(s, &set);
    return select(0, &set, NULL, NULL, &tv) == 1;
}

static DWORD WINAPI peer_thread(void *arg)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    struct peer *p = arg;
    char head[8192], key[128], accept_str[64], response[256];
    BYTE digest[20], *in = NULL;
    size_t have = 0, in_len = 0, in_cap = 65536, off;
    SOCKET s;
    DWORD deadline;
    int n, one = 1;
    char *k, *end;

    p->wire.client_close = -1;
    if (!wait_readable(p->listener, PEER_WAIT)) return 0;
    s = accept(p->listener, NULL, NULL);
    if (s == INVALID_SOCKET) return 0;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&one, sizeof(one));

    /* the upgrade request */
    for (;;)
    {
        if (have >= sizeof(head) - 1 || !wait_readable(s, PEER_WAIT)) goto done;
        n = recv(s, head + have, (int)(sizeof(head) - 1 - have), 0);
        if (n <= 0) goto done;
        have += n;
        head[have] = 0;
        if (strstr(head, "\r\n\r\n")) break;
    }
    for (k = head; *k; k++) if (!_strnicmp(k, "\nSec-WebSocket-Key:", 19)) break;
    if (!*k) goto done;
    k += 19;
    while (*k == ' ') k++;
    end = strstr(k, "\r\n");
    if (!end || end - k > 64) goto done;
    memcpy(key, k, end - k);
    strcpy(key + (end - k), guid);
    if (!sha1(key, (DWORD)strlen(key), digest)) goto done;
    base64(digest, 20, accept_str);
    n = sprintf(response, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: %s\r\n\r\n", accept_str);
    if (send(s, response, n, 0) != n) goto done;
    p->upgraded = TRUE;

    /* the script, in pieces; the client may have failed and stopped reading */
    for (off = 0; off < p->script.len; off += p->chop)
    {
        size_t piece = min(p->chop, p->script.len - off);
        if (send(s, (const char *)p->script.p + off, (int)piece, 0) != (int)piece) break;
    }

    /* what the client sends back, until its close, EOF or 5 s */
    in = HeapAlloc(GetProcessHeap(), 0, in_cap);
    deadline = GetTickCount() + 5000;
    for (;;)
    {
        DWORD now = GetTickCount();
        BOOL closed = FALSE;
        if ((int)(deadline - now) <= 0 || !wait_readable(s, deadline - now)) break;
        if (in_len == in_cap) break;
        n = recv(s, (char *)in + in_len, (int)(in_cap - in_len), 0);
        if (n <= 0)
        {
            p->wire.client_eof = TRUE;
            break;
        }
        in_len += n;
        for (;;)
        {
            size_t hdr = 2, plen, i;
            BYTE mask[4] = { 0 };
            if (in_len < 2) break;
            plen = in[1] & 0x7f;
            if (plen == 126) hdr += 2;
            else if (plen == 127) hdr += 8;
            if (in[1] & 0x80) hdr += 4;
            if (in_len < hdr) break;
            if (plen == 126) plen = in[2] << 8 | in[3];
            else if (plen == 127) for (plen = 0, i = 2; i < 10; i++) plen = plen << 8 | in[i];
            if (plen > in_cap - hdr) { closed = TRUE; break; }
            if (in_len < hdr + plen) break;
            if (in[1] & 0x80) memcpy(mask, in + hdr - 4, 4);
            for (i = 0; i < plen; i++) in[hdr + i] ^= mask[i % 4];
            if ((in[0] & 0x0f) == 0x0a)
            {
                buf_byte(&p->wire.pongs, (BYTE)plen);
                buf_add(&p->wire.pongs, in + hdr, plen);
            }
            else if ((in[0] & 0x0f) == 0x08)
            {
                p->wire.client_close = plen >= 2 ? (in[hdr] << 8 | in[hdr + 1]) : 1005;
                if (!p->script_has_close)
                {
                    BYTE frame[2 + 125];
                    frame[0] = 0x88;
                    frame[1] = (BYTE)min(plen, 125);
                    memcpy(frame + 2, in + hdr, frame[1]);
                    send(s, (const char *)frame, 2 + frame[1], 0);
                }
                closed = TRUE;
                break;
            }
            memmove(in, in + hdr + plen, in_len - hdr - plen);
            in_len -= hdr + plen;
        }
        if (closed) break;
    }
done:
    shutdown(s, SD_SEND);
    closesocket(s);
    if (in) HeapFree(GetProcessHeap(), 0, in);
    return 0;
}

/* A listening socket on 127.0.0.1 with an ephemeral port. */
static BOOL listen_loopback(SOCKET *listener, USHORT *port)
{
    struct sockaddr_in addr;
    int addr_len = sizeof(addr);

    *listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (*listener == INVALID_SOCKET) return FALSE;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(*listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(*listener, 1) ||
        getsockname(*listener, (struct sockaddr *)&addr, &addr_len))
    {
        closesocket(*listener);
        return FALSE;
    }
    *port = ntohs(addr.sin_port);
    return TRUE;
}

static BOOL peer_start(struct peer *p, const char *spec, size_t chop)
{
    memset(p, 0, sizeof(*p));
    p->wire.client_close = -1;
    if (!build_script(spec, &p->script, NULL, &p->script_has_close, NULL)) return FALSE;
    p->chop = chop ? chop : (p->script.len < 4096 ? 1 : 997);
    if (!listen_loopback(&p->listener, &p->port)) return FALSE;
    p->thread = CreateThread(NULL, 0, peer_thread, p, 0, NULL);
    return p->thread != NULL;
}

/* Waits for the peer to finish; FALSE if it did not in time. */
static BOOL peer_finish(struct peer *p)
{
    BOOL done = WaitForSingleObject(p->thread, PEER_WAIT + 6000) == WAIT_OBJECT_0;
    closesocket(p->listener);
    if (done) CloseHandle(p->thread);
    return done;
}

static void peer_free(struct peer *p)
{
    buf_free(&p->script);
    buf_free(&p->wire.pongs);
}

/* ------------------------------------------------------------------------ */
/* Sessions: synchronous or asynchronous websocket handles                    */

struct actx
{
    HANDLE ev_req, ev_read, ev_write, ev_close, ev_ws_closing, ev_req_closing;
    HINTERNET volatile ws, request;
    volatile DWORD req_status, req_error;
    volatile DWORD read_error, write_error, close_error;
    WINHTTP_WEB_SOCKET_STATUS read_status;
    volatile LONG read_count, close_count;
};

static void CALLBACK async_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct actx *a = (struct actx *)context;

    if (!a) return;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        a->req_error = 0;
        a->req_status = status;
        SetEvent(a->ev_req);
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        if (handle != a->ws || len < sizeof(WINHTTP_WEB_SOCKET_STATUS)) break;
        a->read_status = *(WINHTTP_WEB_SOCKET_STATUS *)info;
        a->read_error = 0;
        InterlockedIncrement(&a->read_count);
        SetEvent(a->ev_read);
        break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        if (handle != a->ws) break;
        a->write_error = 0;
        SetEvent(a->ev_write);
        break;
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        a->close_error = 0;
        InterlockedIncrement(&a->close_count);
        SetEvent(a->ev_close);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        if (handle && handle == a->ws)
        {
            const WINHTTP_WEB_SOCKET_ASYNC_RESULT *r = info;
            DWORD error = r->AsyncResult.dwError ? r->AsyncResult.dwError : ERROR_GEN_FAILURE;
            switch (r->Operation)
            {
            case WINHTTP_WEB_SOCKET_RECEIVE_OPERATION:
                a->read_error = error;
                InterlockedIncrement(&a->read_count);
                SetEvent(a->ev_read);
                break;
            case WINHTTP_WEB_SOCKET_SEND_OPERATION:
                a->write_error = error;
                SetEvent(a->ev_write);
                break;
            default:
                a->close_error = error;
                InterlockedIncrement(&a->close_count);
                SetEvent(a->ev_close);
                break;
            }
        }
        else
        {
            const WINHTTP_ASYNC_RESULT *r = info;
            a->req_error = r && r->dwError ? r->dwError : ERROR_GEN_FAILURE;
            a->req_status = status;
            SetEvent(a->ev_req);
        }
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        if (handle == a->ws) SetEvent(a->ev_ws_closing);
        else if (handle == a->request) SetEvent(a->ev_req_closing);
        break;
    }
}

struct sess
{
    BOOL async;
    HINTERNET session, connect, request, ws;
    struct actx *a;
    const char *failed_step;
    DWORD error;
    DWORD status_code;
};

struct open_opts
{
    DWORD receive_timeout;   /* WinHttpSetTimeouts, 0: default */
    const char *record;      /* X-Record token: wsserver keeps what we send (fetch_record) */
};

static BOOL async_wait_req(struct sess *s, DWORD expected, const char *step)
{
    if (WaitForSingleObject(s->a->ev_req, ASYNC_WAIT) != WAIT_OBJECT_0)
    {
        s->failed_step = step;
        s->error = ERROR_TIMEOUT;
        return FALSE;
    }
    if (s->a->req_status != expected)
    {
        s->failed_step = step;
        s->error = s->a->req_error;
        return FALSE;
    }
    return TRUE;
}

/* Sends a GET for path (upgrade: asking for a websocket) and receives the
 * response head.  FALSE with failed_step and error set when a step fails
 * (the handles stay for sess_close). */
static BOOL sess_request(struct sess *s, const struct server *srv, const char *path, BOOL async, BOOL upgrade,
                         const struct open_opts *opts)
{
    /* Wine 8 does not trust the private test CA (see wss.c); the name and
     * the dates are still checked. */
    DWORD security_flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    WCHAR hostW[64], *pathW;
    int n = MultiByteToWideChar(CP_UTF8, 0, path, -1, NULL, 0);
    DWORD size;

    memset(s, 0, sizeof(*s));
    s->async = async;
    if (async)
    {
        s->a = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*s->a));
        s->a->ev_req = CreateEventW(NULL, FALSE, FALSE, NULL);
        s->a->ev_read = CreateEventW(NULL, FALSE, FALSE, NULL);
        s->a->ev_write = CreateEventW(NULL, FALSE, FALSE, NULL);
        s->a->ev_close = CreateEventW(NULL, FALSE, FALSE, NULL);
        s->a->ev_ws_closing = CreateEventW(NULL, TRUE, FALSE, NULL);
        s->a->ev_req_closing = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    MultiByteToWideChar(CP_UTF8, 0, srv->host, -1, hostW, ARRAY_SIZE(hostW));
    pathW = HeapAlloc(GetProcessHeap(), 0, n * sizeof(WCHAR));
    MultiByteToWideChar(CP_UTF8, 0, path, -1, pathW, n);

    s->failed_step = "WinHttpOpen";
    s->session = WinHttpOpen(L"winhttp-ws hostile", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                             async ? WINHTTP_FLAG_ASYNC : 0);
    if (!s->session) goto fail;
    if (async && WinHttpSetStatusCallback(s->session, async_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
                 == WINHTTP_INVALID_STATUS_CALLBACK)
        goto fail;
    if (opts && opts->receive_timeout)
        WinHttpSetTimeouts(s->session, 5000, 5000, 5000, (int)opts->receive_timeout);
    s->failed_step = "WinHttpConnect";
    if (!(s->connect = WinHttpConnect(s->session, hostW, srv->port, 0))) goto fail;
    s->failed_step = "WinHttpOpenRequest";
    if (!(s->request = WinHttpOpenRequest(s->connect, L"GET", pathW, NULL, NULL, NULL,
                                          srv->tls ? WINHTTP_FLAG_SECURE : 0))) goto fail;
    s->failed_step = "WinHttpSetOption(SECURITY_FLAGS)";
    if (srv->tls && !WinHttpSetOption(s->request, WINHTTP_OPTION_SECURITY_FLAGS, &security_flags, sizeof(security_flags)))
        goto fail;
    if (async)
    {
        DWORD_PTR ctx = (DWORD_PTR)s->a;
        s->a->request = s->request;
        WinHttpSetOption(s->request, WINHTTP_OPTION_CONTEXT_VALUE, &ctx, sizeof(ctx));
    }
    s->failed_step = "WinHttpSetOption(UPGRADE_TO_WEB_SOCKET)";
    if (upgrade && !WinHttpSetOption(s->request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0)) goto fail;
    if (opts && opts->record)
    {
        WCHAR header[96] = L"X-Record: ";
        MultiByteToWideChar(CP_ACP, 0, opts->record, -1, header + 10, ARRAY_SIZE(header) - 10);
        s->failed_step = "WinHttpAddRequestHeaders";
        if (!WinHttpAddRequestHeaders(s->request, header, (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD)) goto fail;
    }
    s->failed_step = "WinHttpSendRequest";
    if (!WinHttpSendRequest(s->request, NULL, 0, NULL, 0, 0, (DWORD_PTR)s->a)) goto fail;
    if (async && !async_wait_req(s, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, "WinHttpSendRequest")) goto out;
    s->failed_step = "WinHttpReceiveResponse";
    if (!WinHttpReceiveResponse(s->request, NULL)) goto fail;
    if (async && !async_wait_req(s, WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, "WinHttpReceiveResponse")) goto out;
    size = sizeof(s->status_code);
    WinHttpQueryHeaders(s->request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL,
                        &s->status_code, &size, NULL);
    s->failed_step = NULL;
    s->error = 0;
    HeapFree(GetProcessHeap(), 0, pathW);
    return TRUE;
fail:
    s->error = GetLastError();
out:
    HeapFree(GetProcessHeap(), 0, pathW);
    return FALSE;
}

/* Opens an upgrade on path and completes it; FALSE as for sess_request. */
static BOOL sess_open(struct sess *s, const struct server *srv, const char *path, BOOL async,
                      const struct open_opts *opts)
{
    if (!sess_request(s, srv, path, async, TRUE, opts)) return FALSE;
    s->failed_step = "WinHttpWebSocketCompleteUpgrade";
    SetLastError(0xdeadbeef);
    if (!(s->ws = WinHttpWebSocketCompleteUpgrade(s->request, (DWORD_PTR)s->a)))
    {
        s->error = GetLastError();
        return FALSE;
    }
    if (async) s->a->ws = s->ws;
    s->failed_step = NULL;
    return TRUE;
}

/* Closes every handle; async: waits (bounded) for HANDLE_CLOSING of the
 * websocket and the request before the context goes.  FALSE if one never came. */
static BOOL sess_close(struct sess *s)
{
    BOOL ok_closing = TRUE;

    if (s->ws) WinHttpCloseHandle(s->ws);
    if (s->request) WinHttpCloseHandle(s->request);
    if (s->a)
    {
        if (s->ws && WaitForSingleObject(s->a->ev_ws_closing, 5000)) ok_closing = FALSE;
        if (s->request && WaitForSingleObject(s->a->ev_req_closing, 5000)) ok_closing = FALSE;
    }
    if (s->connect) WinHttpCloseHandle(s->connect);
    if (s->session) WinHttpCloseHandle(s->session);
    if (s->a && ok_closing)
    {
        CloseHandle(s->a->ev_req);
        CloseHandle(s->a->ev_read);
        CloseHandle(s->a->ev_write);
        CloseHandle(s->a->ev_close);
        CloseHandle(s->a->ev_ws_closing);
        CloseHandle(s->a->ev_req_closing);
        HeapFree(GetProcessHeap(), 0, s->a);
    }
    /* else: a late callback may still come; the context is leaked on purpose */
    memset(s, 0, sizeof(*s));
    return ok_closing;
}

static DWORD s_receive(struct sess *s, void *buf, DWORD size, DWORD *len, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    DWORD err;

    err = WinHttpWebSocketReceive(s->ws, buf, size, len, type);
    if (err || !s->async) return err;
    if (WaitForSingleObject(s->a->ev_read, ASYNC_WAIT)) return ERROR_TIMEOUT;
    if (s->a->read_error) return s->a->read_error;
    *len = s->a->read_status.dwBytesTransferred;
    *type = s->a->read_status.eBufferType;
    return 0;
}

static DWORD s_send(struct sess *s, WINHTTP_WEB_SOCKET_BUFFER_TYPE type, void *buf, DWORD len)
{
    DWORD err = WinHttpWebSocketSend(s->ws, type, buf, len);
    if (err || !s->async) return err;
    if (WaitForSingleObject(s->a->ev_write, ASYNC_WAIT)) return ERROR_TIMEOUT;
    return s->a->write_error;
}

static DWORD s_close(struct sess *s, USHORT code, void *reason, DWORD len)
{
    DWORD err = WinHttpWebSocketClose(s->ws, code, reason, len);
    if (err || !s->async) return err;
    if (WaitForSingleObject(s->a->ev_close, ASYNC_WAIT)) return ERROR_TIMEOUT;
    return s->a->close_error;
}

/* ------------------------------------------------------------------------ */
/* Jobs under a watchdog                                                     */

struct job
{
    const struct hcase *c;
    const char *mode;            /* "sync", "async", "wire" */
    void (*fn)(struct job *);
    DWORD fault_arg;
    HINTERNET volatile ws;       /* for the watchdog to cancel a hang */
    volatile LONG done;
    unsigned failures;
    char seen[200];
};

static BOOL is_async(const struct job *j)
{
    return strstr(j->mode, "async") != NULL;
}

static BOOL is_tls(const struct job *j)
{
    return !strncmp(j->mode, "tls-", 4);
}

static const struct server *job_server(const struct job *j)
{
    return is_tls(j) ? &tls_server : &plain_server;
}

#define CHECK(j, cond, ...) do { BOOL c_ = (cond) != 0; ok(c_, __VA_ARGS__); if (!c_) (j)->failures++; } while (0)

static void seen(struct job *j, const char *fmt, ...) WINETEST_PRINTF_ATTR(2, 3);
static void seen(struct job *j, const char *fmt, ...)
{
    size_t len = strlen(j->seen);
    va_list args;
    if (len >= sizeof(j->seen) - 2) return;
    if (len) j->seen[len++] = ' ';
    va_start(args, fmt);
    vsnprintf(j->seen + len, sizeof(j->seen) - len, fmt, args);
    va_end(args);
}

static DWORD WINAPI job_thread(void *arg)
{
    struct job *j = arg;
    winetest_push_context("%s %s", j->c->id, j->mode);
    j->fn(j);
    winetest_pop_context();
    InterlockedExchange(&j->done, 1);
    return 0;
}

static unsigned cases_run, cases_passed;

/* Runs j->fn on a thread; a hang is a failure, and the thread is left
 * behind (blocked on its own connection). */
static void run_job(struct job *j, DWORD timeout)
{
    HANDLE thread = CreateThread(NULL, 0, job_thread, j, 0, NULL);
    BOOL hung = FALSE;

    if (WaitForSingleObject(thread, timeout))
    {
        hung = TRUE;
        ok(0, "case %s %s: no result after %lu ms\n", j->c->id, j->mode, timeout);
        j->failures++;
        seen(j, "HANG");
        /* Left alone: closing the handle under a blocked call crashed Wine's
         * builtin winhttp, which ends the whole run. */
    }
    CloseHandle(thread);
    cases_run++;
    if (!j->failures) cases_passed++;
    trace("case %s %s: %s (%s)\n", j->c->id, j->mode, j->failures ? "fail" : "pass", j->seen);
    if (!hung) HeapFree(GetProcessHeap(), 0, j);
    /* a hung job's memory stays: its thread may still write to it */
}

/* ------------------------------------------------------------------------ */
/* Part 1: the case table                                                    */

static const char *type_name(WINHTTP_WEB_SOCKET_BUFFER_TYPE t)
{
    switch (t)
    {
    case WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE: return "BINARY_MESSAGE";
    case WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE: return "BINARY_FRAGMENT";
    case WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE: return "UTF8_MESSAGE";
    case WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE: return "UTF8_FRAGMENT";
    case WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE: return "CLOSE";
    }
    return "?";
}

/* Receives one expected message (m->kind t/b: whole; T/B: fragments adding
 * up to m->data).  On the first mismatch returns FALSE; *err gets the error
 * of a failing Receive. */
static BOOL receive_message(struct job *j, struct sess *s, const struct expect_msg *m, BYTE *buf, DWORD size,
                            DWORD *err)
{
    BOOL text = m->kind == 't' || m->kind == 'T', whole = islower((unsigned char)m->kind) != 0;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE frag = text ? WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE : WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE end = text ? WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE : WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    size_t total = 0;
    unsigned pieces = 0;
    DWORD len;

    *err = 0;
    if (!whole && !m->data.len) return TRUE;
    for (;;)
    {
        DWORD room = (DWORD)min((size_t)size, whole ? (size_t)size : m->data.len - total);
        len = 0xdeadbeef;
        type = 0xdeadbeef;
        if ((*err = s_receive(s, buf, room, &len, &type)))
        {
            CHECK(j, 0, "message %c of %Iu bytes: Receive failed with %lu after %Iu bytes\n", m->kind, m->data.len, *err, total);
            seen(j, "recv-err=%lu", *err);
            return FALSE;
        }
        pieces++;
        if (type != frag && type != end)
        {
            CHECK(j, 0, "message %c of %Iu bytes: got type %s (%lu bytes) after %Iu bytes\n", m->kind, m->data.len,
                  type_name(type), len, total);
            seen(j, "type=%s", type_name(type));
            return FALSE;
        }
        if (len > m->data.len - total || memcmp(buf, m->data.p + total, len))
        {
            CHECK(j, 0, "message %c: data differs at %Iu (%lu bytes, %Iu expected in all)\n", m->kind, total, len, m->data.len);
            seen(j, "data-differs");
            return FALSE;
        }
        total += len;
        if (type == end)
        {
            CHECK(j, whole, "message %c: got the end of the message, expected fragments only\n", m->kind);
            CHECK(j, total == m->data.len, "message %c: %Iu bytes, expected %Iu\n", m->kind, total, m->data.len);
            return whole && total == m->data.len;
        }
        if (!whole && total == m->data.len) return TRUE;
        if (pieces > 20000000) return FALSE;
    }
}

static BOOL is_path(const char *script)
{
    return script[0] == '/';
}

/* The close code we sent and our pongs: the code of a failed connection,
 * else 1000 and a pong with the payload of every ping. */
static void check_wire(struct job *j, const struct wire *w, const struct buf *pings)
{
    const struct hcase *c = j->c;
    BOOL pongs_ok = w->pongs.len == pings->len && !memcmp(w->pongs.p, pings->p, pings->len);

    if (w->client_close >= 0) seen(j, "sent=%d", w->client_close);
    else seen(j, "sent=none%s", w->client_eof ? "+eof" : "");
    if (c->kind == HX_FAIL)
    {
        CHECK(j, w->client_close == (int)c->code, "close code we sent: %d, expected %u\n", w->client_close, c->code);
        return;
    }
    CHECK(j, w->client_close == 1000, "close code we sent: %d, expected 1000\n", w->client_close);
    CHECK(j, pongs_ok, "pongs differ from the pings: %Iu bytes of pongs, %Iu of pings\n", w->pongs.len, pings->len);
    if (pings->len) seen(j, "pongs=%s", pongs_ok ? "ok" : "bad");
}

/* wsserver's record of what we sent ("close=CODE pongs: HEX|- ..."), from
 * /http/record/<token> on the same server, synchronously. */
static BOOL fetch_record(struct job *j, const struct server *srv, const char *token, struct wire *w)
{
    char path[64], body[8192], *p, *tok, *ctx = NULL;
    DWORD got, total = 0;
    struct sess s;
    BOOL good = FALSE;

    memset(w, 0, sizeof(*w));
    w->client_close = -1;
    sprintf(path, "/http/record/%s", token);
    if (sess_request(&s, srv, path, FALSE, FALSE, NULL) && s.status_code == 200)
    {
        while (total < sizeof(body) - 1 && WinHttpReadData(s.request, body + total, sizeof(body) - 1 - total, &got) && got)
            total += got;
        body[total] = 0;
        good = !strncmp(body, "close=", 6) && (p = strstr(body, " pongs:")) && !strstr(body, "incomplete");
    }
    CHECK(j, good, "no complete record from the server: %s %lu, status %lu\n", s.failed_step ? s.failed_step : "",
          s.error, s.status_code);
    sess_close(&s);
    if (!good) return FALSE;
    w->client_close = atoi(body + 6);
    for (tok = strtok_s(p + 7, " ", &ctx); tok; tok = strtok_s(NULL, " ", &ctx))
    {
        size_t start = w->pongs.len;
        buf_byte(&w->pongs, 0);
        if (strcmp(tok, "-") && !parse_payload(tok, strlen(tok), &w->pongs)) return FALSE;
        w->pongs.p[start] = (BYTE)(w->pongs.len - start - 1);
    }
    return TRUE;
}

/* The client side of one table case in one mode. */
static void run_table_case(struct job *j)
{
    const struct hcase *c = j->c;
    BOOL wire = !strcmp(j->mode, "wire"), async = is_async(j), tls = is_tls(j);
    /* the peer speaks no TLS: over TLS every script goes to wsserver */
    BOOL use_peer = !tls && !is_path(c->script) && (wire || (c->flags & HF_PEER));
    /* wsserver takes request targets of up to 2047 characters: without TLS
     * larger scripts go to the peer; over TLS ".N." fills keep them short */
    BOOL too_long = FALSE;
    struct expect_msg *msgs = NULL;
    unsigned nmsgs, i;
    struct buf script = { 0 }, pings = { 0 }, url = { 0 };
    BOOL has_close = FALSE;
    struct peer peer;
    struct server peer_server = { "127.0.0.1" };
    const struct server *srv = job_server(j);
    struct open_opts opts = { 0 };
    char record[32] = "";
    struct sess s;
    char *path = NULL;
    size_t bufsize = 65536;
    BYTE *buf;
    DWORD err, len;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    USHORT status;
    BYTE reason[128];

    nmsgs = parse_expect(c->expect, &msgs);
    for (i = 0; i < nmsgs; i++) bufsize = max(bufsize, msgs[i].data.len + 1);
    buf = HeapAlloc(GetProcessHeap(), 0, bufsize);

    if (!is_path(c->script))
    {
        /* HX_MSGS: the server ends with a close 1000 */
        char *full = HeapAlloc(GetProcessHeap(), 0, strlen(c->script) + 16);
        sprintf(full, "%s%s", c->script, c->kind == HX_MSGS ? " x:03e8" : "");
        if (!build_script(full, &script, &pings, &has_close, &url))
        {
            CHECK(j, 0, "bad script %s\n", full);
            HeapFree(GetProcessHeap(), 0, full);
            goto out;
        }
        if (script.len > 1000 && !tls) use_peer = too_long = TRUE;
        if (use_peer)
        {
            size_t chop = (c->flags & HF_CHOP1) ? 1 : (c->flags & HF_CHOP997) ? 997 : wire ? 0 : (size_t)-1;
            if (too_long && !(c->flags & HF_PEER)) seen(j, "(peer: script of %Iu bytes)", script.len);
            if (!peer_start(&peer, full, chop == (size_t)-1 ? 1 << 30 : chop))
            {
                CHECK(j, 0, "could not start the peer\n");
                HeapFree(GetProcessHeap(), 0, full);
                goto out;
            }
            peer_server.port = peer.port;
            srv = &peer_server;
            path = HeapAlloc(GetProcessHeap(), 0, 16);
            strcpy(path, "/peer");
        }
        else
        {
            /* chops over TLS: wsserver writes (and GnuTLS seals) that many bytes at a time */
            unsigned chop = (c->flags & HF_CHOP1) ? 1 : (c->flags & HF_CHOP997) ? 997 : 0;
            if (url.len > 2000)
            {
                CHECK(j, 0, "script of %Iu URL characters: too long for wsserver\n", url.len);
                HeapFree(GetProcessHeap(), 0, full);
                goto out;
            }
            path = HeapAlloc(GetProcessHeap(), 0, url.len + 32);
            if (chop) sprintf(path, "/send-chop/%u/%s", chop, (char *)url.p);
            else sprintf(path, "/send/%s", (char *)url.p);
            /* the client must fail: a FIN after the script, so a client
             * that does not fail sees the end instead of blocking */
            if (c->kind == HX_FAIL) strcat(path, "/close");
        }
        HeapFree(GetProcessHeap(), 0, full);
    }
    else
    {
        path = HeapAlloc(GetProcessHeap(), 0, strlen(c->script) + 1);
        strcpy(path, c->script);
    }

    /* what we send back: the peer sees it, or wsserver keeps it for us */
    if (!use_peer && !is_path(c->script))
    {
        static LONG serial;
        sprintf(record, "%lu-%ld", GetCurrentProcessId(), InterlockedIncrement(&serial));
        opts.record = record;
    }
    if (!sess_open(&s, srv, path, async, &opts))
    {
        CHECK(j, 0, "%s failed: %lu (HTTP status %lu)\n", s.failed_step, s.error, s.status_code);
        seen(j, "open-failed=%s/%lu", s.failed_step, s.error);
        sess_close(&s);
        goto peer_done;
    }
    j->ws = s.ws;

    if (c->kind == HX_ECHO)
    {
        for (i = 0; i < nmsgs; i++)
        {
            WINHTTP_WEB_SOCKET_BUFFER_TYPE t = msgs[i].kind == 't' ? WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE
                                                                   : WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;
            err = s_send(&s, t, msgs[i].data.len ? msgs[i].data.p : NULL, (DWORD)msgs[i].data.len);
            CHECK(j, !err, "message %u: Send failed: %lu\n", i, err);
            if (err) { seen(j, "send-err=%lu", err); break; }
            if (!receive_message(j, &s, &msgs[i], buf, (DWORD)bufsize, &err)) break;
        }
        if (i == nmsgs) seen(j, "echoed=%u", nmsgs);
    }
    else
    {
        for (i = 0; i < nmsgs; i++)
        {
            if (c->kind == HX_FAIL && i == nmsgs - 1 && isupper((unsigned char)msgs[i].kind)) break;
            if (!receive_message(j, &s, &msgs[i], buf, (DWORD)bufsize, &err)) break;
        }
        if (i < nmsgs && !(c->kind == HX_FAIL && i == nmsgs - 1 && isupper((unsigned char)msgs[i].kind))) goto close;
        seen(j, "msgs=%u", i);
    }

    switch (c->kind)
    {
    case HX_MSGS:
    case HX_CLOSE:
        len = 0xdeadbeef;
        type = 0xdeadbeef;
        err = s_receive(&s, buf, (DWORD)bufsize, &len, &type);
        CHECK(j, !err && type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE && !len,
              "expected the close: err %lu type %s len %lu\n", err, err ? "-" : type_name(type), err ? 0 : len);
        if (err) { seen(j, "recv-err=%lu", err); break; }
        if (type != WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE) { seen(j, "type=%s", type_name(type)); break; }
        {
            unsigned want = c->kind == HX_MSGS ? 1000 : c->code;
            struct buf want_reason = { 0 };
            if (c->reason) parse_payload(c->reason, strlen(c->reason), &want_reason);
            status = 0;
            len = 0;
            memset(reason, 0, sizeof(reason));
            err = WinHttpWebSocketQueryCloseStatus(s.ws, &status, reason, sizeof(reason), &len);
            CHECK(j, !err && status == want, "QueryCloseStatus: err %lu status %u, expected %u\n", err, status, want);
            CHECK(j, !err && len == want_reason.len && !memcmp(reason, want_reason.p, len),
                  "reason %s (%lu bytes), expected %Iu bytes\n", wine_dbgstr_an((char *)reason, (int)min(len, 128)), len, want_reason.len);
            seen(j, "close=%u/%lu", status, len);
            buf_free(&want_reason);
        }
        err = s_close(&s, 1000, NULL, 0);
        CHECK(j, !err, "Close after the server's close failed: %lu\n", err);
        break;
    case HX_PATH:
    case HX_ECHO:
        err = s_close(&s, 1000, NULL, 0);
        CHECK(j, !err, "Close failed: %lu\n", err);
        if (err) { seen(j, "close-err=%lu", err); break; }
        status = 0;
        err = WinHttpWebSocketQueryCloseStatus(s.ws, &status, reason, sizeof(reason), &len);
        CHECK(j, !err && status == 1000, "QueryCloseStatus: err %lu status %u\n", err, status);
        seen(j, "close=%u", status);
        break;
    case HX_FAIL:
    {
        /* What the client passed on before failing must be a prefix of the message. */
        const struct expect_msg *partial = (nmsgs && isupper((unsigned char)msgs[nmsgs - 1].kind)) ? &msgs[nmsgs - 1] : NULL;
        size_t got = 0;
        unsigned pieces = 0;
        for (;;)
        {
            len = 0xdeadbeef;
            type = 0xdeadbeef;
            err = s_receive(&s, buf, (DWORD)bufsize, &len, &type);
            if (err) break;
            pieces++;
            if (partial && (type == WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE || type == WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE) &&
                got + len <= partial->data.len && !memcmp(buf, partial->data.p + got, len) && pieces < 100000)
            {
                got += len;
                continue;
            }
            break;
        }
        if (got) seen(j, "prefix=%Iu", got);
        CHECK(j, err == ERROR_WINHTTP_INVALID_SERVER_RESPONSE, "expected the connection to fail: err %lu type %s len %lu\n",
              err, err ? "-" : type_name(type), err ? 0 : len);
        if (err) seen(j, "recv-err=%lu", err);
        else
        {
            seen(j, "got=%s/%lu", type_name(type), len);
            if (type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE)
            {
                status = 0;
                WinHttpWebSocketQueryCloseStatus(s.ws, &status, reason, sizeof(reason), &len);
                seen(j, "close=%u", status);
            }
            break;
        }
        err = s_receive(&s, buf, (DWORD)bufsize, &len, &type);
        CHECK(j, err == ERROR_WINHTTP_INVALID_SERVER_RESPONSE, "second Receive: %lu\n", err);
        err = s_send(&s, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
        CHECK(j, err != 0, "Send after the failure succeeded\n");
        err = s_close(&s, 1000, NULL, 0);
        CHECK(j, err != 0, "Close after the failure succeeded\n");
        status = 0xdead;
        err = WinHttpWebSocketQueryCloseStatus(s.ws, &status, reason, sizeof(reason), &len);
        CHECK(j, err != 0 && status == 0xdead, "QueryCloseStatus after the failure: err %lu status %u\n", err, status);
        break;
    }
    }

close:
    j->ws = NULL;
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING for the websocket or the request\n");
    if (record[0])
    {
        struct wire w;
        if (fetch_record(j, srv, record, &w)) check_wire(j, &w, &pings);
        buf_free(&w.pongs);
    }
peer_done:
    if (use_peer)
    {
        BOOL finished = peer_finish(&peer);
        CHECK(j, finished, "the peer did not finish\n");
        if (finished)
        {
            CHECK(j, peer.upgraded, "the peer saw no upgrade\n");
            check_wire(j, &peer.wire, &pings);
            peer_free(&peer);
        }
    }
out:
    buf_free(&script);
    buf_free(&pings);
    buf_free(&url);
    free_expect(msgs, nmsgs);
    if (path) HeapFree(GetProcessHeap(), 0, path);
    HeapFree(GetProcessHeap(), 0, buf);
}

/* The table plus the generated UTF-8 cases. */
static struct hcase *all_cases;
static unsigned all_count;

static char *strdup_heap(const char *s)
{
    char *p = HeapAlloc(GetProcessHeap(), 0, strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static void add_case(const struct hcase *c)
{
    static unsigned cap;
    if (all_count == cap)
    {
        cap = cap ? cap * 2 : 512;
        all_cases = all_cases ? HeapReAlloc(GetProcessHeap(), 0, all_cases, cap * sizeof(*all_cases))
                              : HeapAlloc(GetProcessHeap(), 0, cap * sizeof(*all_cases));
    }
    all_cases[all_count++] = *c;
}

static void build_cases(void)
{
    unsigned i, k;
    char tmp[512];

    for (i = 0; i < ARRAY_SIZE(static_cases); i++) add_case(&static_cases[i]);
    for (i = 0; i < ARRAY_SIZE(utf8_seqs); i++)
    {
        const char *hex = utf8_seqs[i].hex;
        size_t n = strlen(hex) / 2;
        struct hcase c;

        memset(&c, 0, sizeof(c));
        c.id = utf8_seqs[i].id;
        c.what = utf8_seqs[i].valid ? "valid UTF-8 sample" : "invalid UTF-8 sample";
        sprintf(tmp, "t:%s", hex);
        c.script = strdup_heap(tmp);
        sprintf(tmp, "%c:%s", utf8_seqs[i].valid ? 't' : 'T', hex);
        c.expect = strdup_heap(tmp);
        c.kind = utf8_seqs[i].valid ? HX_MSGS : HX_FAIL;
        c.code = utf8_seqs[i].valid ? 0 : 1007;
        add_case(&c);
        if (n < 2 || n > 16) continue;
        for (k = 1; k < n; k++)
        {
            sprintf(tmp, "%s/%u", utf8_seqs[i].id, k);
            c.id = strdup_heap(tmp);
            c.what = utf8_seqs[i].valid ? "valid UTF-8 split over 2 fragments" : "invalid UTF-8 split over 2 fragments";
            sprintf(tmp, "T:%.*s c:%s", (int)(2 * k), hex, hex + 2 * k);
            c.script = strdup_heap(tmp);
            add_case(&c);
        }
    }
}

static BOOL want_case(const char *id)
{
    char filter[256], *tok, *ctx = NULL;
    size_t n;

    if (!GetEnvironmentVariableA("WSTEST_HOSTILE_CASES", filter, sizeof(filter)) || !filter[0]) return TRUE;
    for (tok = strtok_s(filter, ",", &ctx); tok; tok = strtok_s(NULL, ",", &ctx))
    {
        n = strlen(tok);
        if (!strncmp(id, tok, n) && (!id[n] || id[n] == '.' || id[n] == '/')) return TRUE;
    }
    return FALSE;
}

/* Runs over TLS (tls-sync, tls-async): WSTEST_HOSTILE_TLS=all (the
 * default), subset (make check) or off; none without WSTEST_TLS_SERVER. */
static enum { TLS_OFF, TLS_SUBSET, TLS_ALL } tls_runs;

/* make check's share of the TLS runs: every case but the UTF-8 samples split
 * at each byte (the unsplit sample and its plain runs stay) and the long
 * echoes; every fault. */
static BOOL want_tls(const struct hcase *c)
{
    if (tls_runs == TLS_ALL) return TRUE;
    return tls_runs == TLS_SUBSET && !strchr(c->id, '/') && !(c->flags & HF_SLOW);
}

static const char *const modes[] = { "sync", "async", "wire", "tls-sync", "tls-async" };

static BOOL runs_in(const struct hcase *c, const char *mode)
{
    if (!strcmp(mode, "wire")) return !is_path(c->script) && !(c->flags & HF_NO_WIRE);
    if (!strncmp(mode, "tls-", 4)) return want_tls(c);
    return TRUE;
}

static void run_table(void)
{
    unsigned i, m;

    build_cases();
    for (i = 0; i < all_count; i++)
    {
        const struct hcase *c = &all_cases[i];
        if (!want_case(c->id)) continue;
        for (m = 0; m < ARRAY_SIZE(modes); m++)
        {
            struct job *j;
            if (!runs_in(c, modes[m])) continue;
            j = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*j));
            j->c = c;
            j->mode = modes[m];
            j->fn = run_table_case;
            run_job(j, (c->flags & HF_SLOW) ? SLOW_WATCHDOG : CASE_WATCHDOG);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Part 2: faults                                                            */

/* Private bytes (process_stats.h). */
static SIZE_T private_usage(void)
{
    SIZE_T private_bytes;
    process_memory(&private_bytes, NULL);
    return private_bytes;
}

/* F.7: an in-process peer that speaks no TLS reads the ClientHello and
 * answers it badly; it needs no TLS stack of its own to break a handshake. */
enum hello_answer { HELLO_NONE, HELLO_FIN, HELLO_RST, HELLO_GARBAGE, HELLO_HTTP, HELLO_CUT, HELLO_STALL };

struct hello_peer
{
    SOCKET listener;
    USHORT port;
    enum hello_answer answer;
    HANDLE thread;
    BOOL got_hello;
};

static DWORD WINAPI hello_peer_thread(void *arg)
{
    static const char garbage[] = "\x01\x02\x03 this is no TLS record at all \xff\xfe\r\n";
    static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    /* a handshake record header that promises 122 bytes, and 2 of them */
    static const char cut[] = "\x16\x03\x03\x00\x7a\x02\x00";
    struct hello_peer *p = arg;
    struct linger rst = { 1, 0 };
    char buf[4096];
    DWORD deadline;
    SOCKET s;
    int i;

    if (!wait_readable(p->listener, PEER_WAIT)) return 0;
    s = accept(p->listener, NULL, NULL);
    if (s == INVALID_SOCKET) return 0;
    p->got_hello = wait_readable(s, PEER_WAIT) && recv(s, buf, sizeof(buf), 0) > 0 && buf[0] == 0x16;
    switch (p->answer)
    {
    case HELLO_RST:
        setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&rst, sizeof(rst));
        closesocket(s);
        return 0;
    case HELLO_GARBAGE: send(s, garbage, sizeof(garbage) - 1, 0); break;
    case HELLO_HTTP: send(s, http, sizeof(http) - 1, 0); break;
    case HELLO_CUT: send(s, cut, sizeof(cut) - 1, 0); break;
    default: break;
    }
    if (p->answer != HELLO_STALL) shutdown(s, SD_SEND);
    /* until the client gives up and closes: unread bytes at closesocket would
     * turn our FIN into a RST */
    deadline = GetTickCount() + PEER_WAIT;
    for (i = 0; i < 1000; i++)
    {
        int left = (int)(deadline - GetTickCount());
        if (left <= 0 || !wait_readable(s, left) || recv(s, buf, sizeof(buf), 0) <= 0) break;
    }
    closesocket(s);
    return 0;
}

static BOOL hello_peer_start(struct hello_peer *p, enum hello_answer answer)
{
    memset(p, 0, sizeof(*p));
    p->answer = answer;
    if (!listen_loopback(&p->listener, &p->port)) return FALSE;
    p->thread = CreateThread(NULL, 0, hello_peer_thread, p, 0, NULL);
    return p->thread != NULL;
}

static BOOL hello_peer_finish(struct hello_peer *p)
{
    BOOL done = WaitForSingleObject(p->thread, 2 * PEER_WAIT) == WAIT_OBJECT_0;
    closesocket(p->listener);
    if (done) CloseHandle(p->thread);
    return done;
}

/* Handshakes that never produce a websocket: the step that fails and its
 * error.  fault_arg indexes handshake_faults.  Cases with a hello answer
 * break the TLS handshake and run over TLS only. */
static const struct
{
    const char *id, *what, *path;
    DWORD timeout;             /* receive timeout, 0 default */
    const char *step;          /* step that must fail */
    DWORD errors[3];           /* acceptable errors (first: expected) */
    enum hello_answer hello;   /* not HELLO_NONE: the hello peer instead of wsserver */
}
handshake_faults[] =
{
    /* an orderly close (over TLS with close_notify) ends the stream: the head is incomplete */
    { "F.1.1", "server closes mid-header", "/handshake/close-mid-headers", 0, "WinHttpReceiveResponse",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.2", "RST instead of a response", "/handshake/rst", 0, "*",
      { ERROR_WINHTTP_CONNECTION_ERROR, ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.3", "half a status line, then a stall past the receive timeout", "/handshake/half", 500, "WinHttpReceiveResponse",
      { ERROR_WINHTTP_TIMEOUT } },
    { "F.1.4", "garbage instead of a response", "/handshake/garbage", 0, "WinHttpReceiveResponse",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.5", "endless header lines", "/handshake/endless-headers", 0, "WinHttpReceiveResponse",
      { ERROR_WINHTTP_HEADER_SIZE_OVERFLOW, ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.6", "200 instead of 101", "/handshake/status-200", 0, "WinHttpWebSocketCompleteUpgrade",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.7", "404 instead of 101", "/handshake/status-404", 0, "WinHttpWebSocketCompleteUpgrade",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.8", "101 with a wrong Sec-WebSocket-Accept", "/handshake/bad-accept", 0, "WinHttpWebSocketCompleteUpgrade",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.9", "101 without Sec-WebSocket-Accept", "/handshake/no-accept", 0, "WinHttpWebSocketCompleteUpgrade",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    { "F.1.10", "101 without Upgrade", "/handshake/no-upgrade-header", 0, "WinHttpWebSocketCompleteUpgrade",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE } },
    /* over TLS a truncation (no close_notify), which may be reported as such */
    { "F.1.11", "server FIN without close_notify mid-header", "/handshake/fin-mid-headers", 0, "WinHttpReceiveResponse",
      { ERROR_WINHTTP_INVALID_SERVER_RESPONSE, ERROR_WINHTTP_CONNECTION_ERROR } },
    { "F.7.1", "TLS: FIN instead of a ServerHello", "/", 0, "WinHttpSendRequest",
      { ERROR_WINHTTP_SECURE_FAILURE, ERROR_WINHTTP_CONNECTION_ERROR }, HELLO_FIN },
    { "F.7.2", "TLS: RST instead of a ServerHello", "/", 0, "WinHttpSendRequest",
      { ERROR_WINHTTP_CONNECTION_ERROR, ERROR_WINHTTP_SECURE_FAILURE }, HELLO_RST },
    { "F.7.3", "TLS: garbage instead of a ServerHello", "/", 0, "WinHttpSendRequest",
      { ERROR_WINHTTP_SECURE_FAILURE }, HELLO_GARBAGE },
    { "F.7.4", "TLS: a plain HTTP answer to the ClientHello", "/", 0, "WinHttpSendRequest",
      { ERROR_WINHTTP_SECURE_FAILURE }, HELLO_HTTP },
    { "F.7.5", "TLS: a record cut short, then FIN", "/", 0, "WinHttpSendRequest",
      { ERROR_WINHTTP_SECURE_FAILURE, ERROR_WINHTTP_CONNECTION_ERROR }, HELLO_CUT },
    { "F.7.6", "TLS: no ServerHello, a stall past the receive timeout", "/", 500, "WinHttpSendRequest",
      { ERROR_WINHTTP_TIMEOUT }, HELLO_STALL },
};

static void run_handshake_fault(struct job *j)
{
    const struct open_opts opts = { handshake_faults[j->fault_arg].timeout };
    const char *path = handshake_faults[j->fault_arg].path, *step = handshake_faults[j->fault_arg].step;
    const DWORD *errors = handshake_faults[j->fault_arg].errors;
    enum hello_answer hello = handshake_faults[j->fault_arg].hello;
    struct server peer_server = { "127.0.0.1", 0, TRUE };
    const struct server *srv = job_server(j);
    struct hello_peer peer;
    DWORD start, elapsed;
    struct sess s;
    BOOL opened;

    if (hello)
    {
        if (!hello_peer_start(&peer, hello))
        {
            CHECK(j, 0, "could not start the peer\n");
            return;
        }
        peer_server.port = peer.port;
        srv = &peer_server;
    }
    start = GetTickCount();
    opened = sess_open(&s, srv, path, is_async(j), &opts);
    elapsed = GetTickCount() - start;
    CHECK(j, !opened, "the upgrade succeeded\n");
    if (!opened)
    {
        CHECK(j, !strcmp(step, "*") || !strcmp(s.failed_step, step), "failed in %s, expected %s\n", s.failed_step, step);
        CHECK(j, s.error == errors[0] || (errors[1] && s.error == errors[1]) || (errors[2] && s.error == errors[2]),
              "%s failed with %lu, expected %lu\n", s.failed_step, s.error, errors[0]);
        seen(j, "%s=%lu %lums", s.failed_step, s.error, elapsed);
    }
    CHECK(j, elapsed < 8000, "took %lu ms\n", elapsed);
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING\n");
    if (hello)
    {
        BOOL finished = hello_peer_finish(&peer);
        CHECK(j, finished, "the peer did not finish\n");
        CHECK(j, !finished || peer.got_hello, "the peer saw no ClientHello\n");
    }
}

/* Endless headers, repeated: memory stays flat. */
static void run_endless_memory(struct job *j)
{
    SIZE_T before, after;
    DWORD hbefore, hafter;
    struct sess s;
    int i;

    sess_open(&s, job_server(j), "/handshake/endless-headers", is_async(j), NULL);
    sess_close(&s);
    before = private_usage();
    hbefore = process_handle_count();
    for (i = 0; i < 5; i++)
    {
        BOOL opened = sess_open(&s, job_server(j), "/handshake/endless-headers", is_async(j), NULL);
        CHECK(j, !opened, "upgrade %d succeeded\n", i);
        sess_close(&s);
    }
    after = private_usage();
    hafter = process_handle_count();
    seen(j, "private %+ld KiB handles %+ld", (long)(((LONG_PTR)after - (LONG_PTR)before) / 1024), (long)hafter - (long)hbefore);
    CHECK(j, (LONG_PTR)after - (LONG_PTR)before < 4 * 1024 * 1024, "private usage grew by %Iu bytes\n", after - before);
    CHECK(j, (long)hafter - (long)hbefore < 16, "handle count grew from %lu to %lu\n", hbefore, hafter);
}

/* The server dies after the 101: fault_arg indexes death_faults.  The
 * messages before the cut arrive, then Receive fails with the error. */
static const struct
{
    const char *id, *what, *path;
    const char *expect;        /* messages before the failure (hostile_cases.h syntax) */
    DWORD error;
}
death_faults[] =
{
    { "F.2.1", "FIN before any frame", "/send//close", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.2", "FIN after one header byte", "/send/81/close", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.3", "FIN inside a 16-bit length", "/send/827e00/close", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.4", "FIN inside a 64-bit length", "/send/827f000000/close", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.5", "FIN inside a payload", "/send/81056162/close", "T:=ab", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.6", "FIN after a message", "/send/81026869/close", "t:=hi", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.7", "FIN inside a fragmented message", "/send/0102686980/close", "T:=hi", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.8", "FIN inside a close frame", "/send/880403e8/close", "", ERROR_WINHTTP_CONNECTION_ERROR },
    /* over TLS a truncation: the TCP stream ends without close_notify (plain: as F.2.x) */
    { "F.2.9", "FIN without close_notify before any frame", "/send//fin", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.10", "FIN without close_notify inside a 64-bit length", "/send/827f000000/fin", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.11", "FIN without close_notify inside a payload", "/send/81056162/fin", "T:=ab", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.12", "FIN without close_notify after a message", "/send/81026869/fin", "t:=hi", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.2.13", "1 byte per write (TLS: per record), FIN inside a payload", "/send-chop/1/810a6162636465/close", "T:=abcde",
      ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.3.1", "RST with nothing sent", "/send//rst", "", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.3.2", "RST inside a payload", "/send/81056162/rst", "T:=ab", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.3.3", "RST after a message", "/send/81026869/rst", "t:=hi", ERROR_WINHTTP_CONNECTION_ERROR },
    { "F.3.4", "RST inside a 64 KiB frame header", "/send/827f/rst", "", ERROR_WINHTTP_CONNECTION_ERROR },
};

static void run_death_fault(struct job *j)
{
    struct expect_msg *msgs = NULL;
    unsigned nmsgs = parse_expect(death_faults[j->fault_arg].expect, &msgs), i;
    DWORD err, len, want = death_faults[j->fault_arg].error;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[256];
    USHORT status = 0xdead;
    struct sess s;

    if (!sess_open(&s, job_server(j), death_faults[j->fault_arg].path, is_async(j), NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        free_expect(msgs, nmsgs);
        return;
    }
    j->ws = s.ws;
    for (i = 0; i < nmsgs; i++)
        if (!receive_message(j, &s, &msgs[i], buf, sizeof(buf), &err)) break;
    err = s_receive(&s, buf, sizeof(buf), &len, &type);
    CHECK(j, err == want, "Receive: got %lu, expected %lu\n", err, want);
    seen(j, "recv-err=%lu", err);
    err = s_receive(&s, buf, sizeof(buf), &len, &type);
    CHECK(j, err == want, "second Receive: got %lu, expected %lu\n", err, want);
    err = s_send(&s, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, buf, 1);
    CHECK(j, err != 0, "Send after the connection died succeeded\n");
    seen(j, "send-err=%lu", err);
    err = s_close(&s, 1000, NULL, 0);
    CHECK(j, err != 0, "Close after the connection died succeeded\n");
    seen(j, "close-err=%lu", err);
    err = WinHttpWebSocketQueryCloseStatus(s.ws, &status, buf, sizeof(buf), &len);
    CHECK(j, err != 0 && status == 0xdead, "QueryCloseStatus: err %lu status %u\n", err, status);
    j->ws = NULL;
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING\n");
    free_expect(msgs, nmsgs);
}

/* F.4.1: a server that never answers our close: Close gives up after
 * WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT. */
static void run_close_timeout(struct job *j)
{
    DWORD timeout = 300, start, elapsed, err;
    struct sess s;

    if (!sess_open(&s, job_server(j), "/stall", is_async(j), NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        return;
    }
    j->ws = s.ws;
    CHECK(j, WinHttpSetOption(s.ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &timeout, sizeof(timeout)),
          "setting the close timeout failed: %lu\n", GetLastError());
    start = GetTickCount();
    err = s_close(&s, 1000, NULL, 0);
    elapsed = GetTickCount() - start;
    CHECK(j, err == ERROR_WINHTTP_TIMEOUT, "Close: got %lu, expected ERROR_WINHTTP_TIMEOUT\n", err);
    CHECK(j, elapsed >= 250 && elapsed < 5000, "Close took %lu ms with a 300 ms timeout\n", elapsed);
    seen(j, "close-err=%lu %lums", err, elapsed);
    j->ws = NULL;
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING\n");
}

struct pending_receive
{
    struct sess *s;
    HANDLE thread;
    DWORD err, len;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BYTE buf[64];
};

static DWORD WINAPI pending_receive_thread(void *arg)
{
    struct pending_receive *r = arg;
    r->err = WinHttpWebSocketReceive(r->s->ws, r->buf, sizeof(r->buf), &r->len, &r->type);
    return 0;
}

/* Starts a receive that will not complete by itself (/stall). Sync: on a
 * thread; async: posted.  Returns after it is surely pending. */
static BOOL start_pending_receive(struct job *j, struct sess *s, struct pending_receive *r)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    r->err = 0xdeadbeef;
    if (s->async)
    {
        r->err = WinHttpWebSocketReceive(s->ws, r->buf, sizeof(r->buf), &r->len, &r->type);
        CHECK(j, !r->err, "async Receive: %lu\n", r->err);
        CHECK(j, WaitForSingleObject(s->a->ev_read, 0) == WAIT_TIMEOUT, "the receive completed on a stalled server\n");
        return !r->err;
    }
    r->thread = CreateThread(NULL, 0, pending_receive_thread, r, 0, NULL);
    CHECK(j, WaitForSingleObject(r->thread, 200) == WAIT_TIMEOUT, "the receive completed on a stalled server: %lu\n", r->err);
    return TRUE;
}

/* Waits for the pending receive's end; returns its error. */
static DWORD finish_pending_receive(struct sess *s, struct pending_receive *r)
{
    if (s->async)
    {
        if (WaitForSingleObject(s->a->ev_read, ASYNC_WAIT)) return ERROR_TIMEOUT;
        return s->a->read_error;
    }
    if (WaitForSingleObject(r->thread, ASYNC_WAIT)) return ERROR_TIMEOUT;
    CloseHandle(r->thread);
    return r->err;
}

/* F.5.1: WinHttpCloseHandle while a receive is pending cancels it. */
static void run_close_handle_pending(struct job *j)
{
    struct pending_receive r;
    struct sess s;
    DWORD err;

    if (!sess_open(&s, job_server(j), "/stall", is_async(j), NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        return;
    }
    start_pending_receive(j, &s, &r);
    WinHttpCloseHandle(s.ws);
    err = finish_pending_receive(&s, &r);
    CHECK(j, err == ERROR_WINHTTP_OPERATION_CANCELLED, "pending Receive ended with %lu, expected ERROR_WINHTTP_OPERATION_CANCELLED\n", err);
    seen(j, "recv-err=%lu", err);
    if (s.async) CHECK(j, !WaitForSingleObject(s.a->ev_ws_closing, 5000), "no HANDLE_CLOSING\n");
    s.ws = NULL;
    if (s.a) s.a->ws = NULL;
    sess_close(&s);
}

/* F.5.2: Close while a receive is pending on a server that never answers:
 * the receive is cancelled (async) or ends (sync), Close times out. */
static void run_close_pending(struct job *j)
{
    DWORD timeout = 300, err, cerr, start;
    struct pending_receive r;
    struct sess s;

    if (!sess_open(&s, job_server(j), "/stall", is_async(j), NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        return;
    }
    j->ws = s.ws;
    WinHttpSetOption(s.ws, WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT, &timeout, sizeof(timeout));
    start_pending_receive(j, &s, &r);
    start = GetTickCount();
    cerr = s_close(&s, 1000, NULL, 0);
    err = finish_pending_receive(&s, &r);
    CHECK(j, cerr == ERROR_WINHTTP_TIMEOUT, "Close: %lu, expected ERROR_WINHTTP_TIMEOUT\n", cerr);
    if (s.async) CHECK(j, err == ERROR_WINHTTP_OPERATION_CANCELLED, "pending Receive: %lu, expected cancelled\n", err);
    else CHECK(j, err && err != ERROR_TIMEOUT, "pending Receive: %lu, expected an error\n", err);
    seen(j, "close-err=%lu recv-err=%lu %lums", cerr, err, GetTickCount() - start);
    j->ws = NULL;
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING\n");
}

/* F.5.3: a receive pending when the server resets the connection. */
static void run_rst_pending(struct job *j)
{
    struct pending_receive r;
    struct sess s;
    DWORD err;

    if (!sess_open(&s, job_server(j), "/send/8105/rst", is_async(j), NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        return;
    }
    j->ws = s.ws;
    memset(&r, 0, sizeof(r));
    r.s = &s;
    if (s.async)
    {
        err = WinHttpWebSocketReceive(s.ws, r.buf, sizeof(r.buf), &r.len, &r.type);
        CHECK(j, !err, "async Receive: %lu\n", err);
    }
    else r.thread = CreateThread(NULL, 0, pending_receive_thread, &r, 0, NULL);
    err = finish_pending_receive(&s, &r);
    CHECK(j, err == ERROR_WINHTTP_CONNECTION_ERROR, "Receive pending at the RST: %lu\n", err);
    seen(j, "recv-err=%lu", err);
    j->ws = NULL;
    CHECK(j, sess_close(&s), "no HANDLE_CLOSING\n");
}

/* F.8.1: a response body delimited by the server's close (over TLS:
 * close_notify, then FIN) reads to its end without an error. */
static void run_close_delimited(struct job *j)
{
    static const char want[] = "close delimited body";
    char body[64];
    DWORD got, total = 0, err = 0;
    struct sess s;
    int i;

    if (!sess_request(&s, job_server(j), "/http/close-delimited", FALSE, FALSE, NULL))
    {
        CHECK(j, 0, "%s failed: %lu\n", s.failed_step, s.error);
        sess_close(&s);
        return;
    }
    for (i = 0; i < 64 && total < sizeof(body) - 1; i++)
    {
        if (!WinHttpReadData(s.request, body + total, sizeof(body) - 1 - total, &got)) err = GetLastError();
        if (err || !got) break;
        total += got;
    }
    body[total] = 0;
    CHECK(j, !err && !strcmp(body, want), "read %s, error %lu\n", wine_dbgstr_a(body), err);
    seen(j, "read-err=%lu bytes=%lu", err, total);
    sess_close(&s);
}

static const struct hcase fault_ids[] =
{
    { "F.4.1", "close timeout against a stalled server" },
    { "F.5.1", "WinHttpCloseHandle cancels a pending receive" },
    { "F.5.2", "Close with a pending receive on a stalled server" },
    { "F.5.3", "receive pending when the server sends RST mid-frame" },
    { "F.6.1", "endless headers x5: memory and handles flat" },
    { "F.8.1", "HTTP body delimited by the server's close (synchronous)" },
};

static void run_fault(const struct hcase *c, void (*fn)(struct job *), DWORD arg, const char *mode)
{
    struct job *j;
    if (!want_case(c->id) || (!strncmp(mode, "tls-", 4) && tls_runs == TLS_OFF)) return;
    j = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*j));
    j->c = c;
    j->mode = mode;
    j->fn = fn;
    j->fault_arg = arg;
    run_job(j, 60000);
}

static void run_faults(void)
{
    static struct hcase hs[ARRAY_SIZE(handshake_faults)], death[ARRAY_SIZE(death_faults)];
    unsigned i, m;

    for (m = 0; m < ARRAY_SIZE(modes); m++)
    {
        const char *mode = modes[m];
        if (!strcmp(mode, "wire")) continue;
        for (i = 0; i < ARRAY_SIZE(handshake_faults); i++)
        {
            hs[i].id = handshake_faults[i].id;
            hs[i].what = handshake_faults[i].what;
            /* a broken TLS handshake needs TLS */
            if (handshake_faults[i].hello && strncmp(mode, "tls-", 4)) continue;
            run_fault(&hs[i], run_handshake_fault, i, mode);
        }
        for (i = 0; i < ARRAY_SIZE(death_faults); i++)
        {
            death[i].id = death_faults[i].id;
            death[i].what = death_faults[i].what;
            run_fault(&death[i], run_death_fault, i, mode);
        }
        run_fault(&fault_ids[0], run_close_timeout, 0, mode);
        run_fault(&fault_ids[1], run_close_handle_pending, 0, mode);
        run_fault(&fault_ids[2], run_close_pending, 0, mode);
        run_fault(&fault_ids[3], run_rst_pending, 0, mode);
        run_fault(&fault_ids[4], run_endless_memory, 0, mode);
        if (!strstr(mode, "async")) run_fault(&fault_ids[5], run_close_delimited, 0, mode);
    }
}

/* host:port from var; FALSE when unset. */
static BOOL server_from_env(struct server *srv, const char *var)
{
    char value[128], *colon;
    DWORD len = GetEnvironmentVariableA(var, value, sizeof(value));

    if (!len || len >= sizeof(value) || !(colon = strrchr(value, ':'))) return FALSE;
    *colon = 0;
    srv->port = (INTERNET_PORT)atoi(colon + 1);
    lstrcpynA(srv->host, value, sizeof(srv->host));
    return TRUE;
}

START_TEST(hostile)
{
    char value[16];
    SIZE_T mem_before, mem_after;
    DWORD handles_before, handles_after;
    WSADATA wsa;

    if (!server_from_env(&plain_server, "WSTEST_SERVER"))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    tls_runs = TLS_ALL;
    if (GetEnvironmentVariableA("WSTEST_HOSTILE_TLS", value, sizeof(value)) && !strcmp(value, "subset"))
        tls_runs = TLS_SUBSET;
    else if (GetEnvironmentVariableA("WSTEST_HOSTILE_TLS", value, sizeof(value)) && !strcmp(value, "off"))
        tls_runs = TLS_OFF;
    if (tls_runs != TLS_OFF && !server_from_env(&tls_server, "WSTEST_TLS_SERVER"))
    {
        skip("WSTEST_TLS_SERVER not set (no wsserver with TLS): no tls-sync and tls-async runs\n");
        tls_runs = TLS_OFF;
    }
    /* the test certificate names localhost, not 127.0.0.1 */
    lstrcpyA(tls_server.host, "localhost");
    tls_server.tls = TRUE;
    if (tls_runs != TLS_OFF)
        skip("wire mode runs on plain TCP only: its in-process peer has no TLS stack (TLS comes from wsserver's "
             "GnuTLS); over TLS, wsserver /send-chop writes the chops and /http/record/ reports what we sent\n");
    if (tls_runs == TLS_SUBSET)
        skip("WSTEST_HOSTILE_TLS=subset: over TLS only the cases make check runs (no split UTF-8 samples, "
             "no long echoes); make check-full runs them all\n");
    WSAStartup(MAKEWORD(2, 2), &wsa);

    /* warm-up: thread pool, winsock, crypto provider */
    {
        static const struct hcase warm = { "warmup", "", "t:" HELLO, "t:" HELLO, HX_MSGS };
        struct job *j = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*j));
        j->c = &warm;
        j->mode = "wire";
        j->fn = run_table_case;
        run_job(j, CASE_WATCHDOG);
        cases_run = cases_passed = 0;
    }
    mem_before = private_usage();
    handles_before = process_handle_count();

    run_table();
    run_faults();

    mem_after = private_usage();
    handles_after = process_handle_count();
    trace("hostile: %u case runs, %u passed; private usage %Iu -> %Iu KiB, handles %lu -> %lu\n",
          cases_run, cases_passed, mem_before / 1024, mem_after / 1024, handles_before, handles_after);
    ok((LONG_PTR)mem_after - (LONG_PTR)mem_before < 32 * 1024 * 1024, "private usage grew by %Id KiB over the suite\n",
       ((LONG_PTR)mem_after - (LONG_PTR)mem_before) / 1024);
    ok((long)handles_after - (long)handles_before < 64, "handle count grew from %lu to %lu over the suite\n",
       handles_before, handles_after);
    WSACleanup();
}
