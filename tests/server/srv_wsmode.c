/* WebSocket scenarios of the test server: upgrade validation, the 101
 * response, and the per-path session behaviour (echo, frames, ping, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "srv.h"

#define WS_MAX_MESSAGE (64u << 20)

enum ws_mode { M_ECHO, M_FRAMES, M_STALL, M_DRAIN };

struct ws_sess {
    struct srv_conn *c;
    enum ws_mode mode;
    size_t frag;                 /* echo-frag: max payload per frame, 0 = whole */
    struct srv_buf out;          /* pending output, flushed once per read */
    struct srv_buf msg;          /* fragments being reassembled */
    int msg_op, in_msg;
    int close_sent;
    int want_pong;
    struct srv_buf pong;         /* expected pong payload */
    struct srv_record *rec;      /* X-Record: what the client sends */
    int read_timeout;            /* ms a read may wait, 0: no limit */
};

/* Returns NULL when the upgrade request is acceptable, else a reason. */
static const char *check_upgrade(const struct http_req *r)
{
    const struct http_header *h;
    unsigned char raw[32];

    if (strcmp(r->method, "GET"))
        return "method is not GET";
    if (r->minor < 1)
        return "not HTTP/1.1";
    if (!http_has_token(r, "Upgrade", "websocket"))
        return "missing Upgrade: websocket";
    if (!http_has_token(r, "Connection", "upgrade"))
        return "Connection does not contain upgrade";
    h = http_find(r, "Sec-WebSocket-Version");
    if (!h || h->vlen != 2 || strncmp(h->value, "13", 2))
        return "Sec-WebSocket-Version is not 13";
    h = http_find(r, "Sec-WebSocket-Key");
    if (!h || h->vlen != 24 || srv_base64_decode(h->value, 24, raw, sizeof(raw)) != 16)
        return "bad Sec-WebSocket-Key";
    if (!http_find(r, "Host"))
        return "missing Host";
    return NULL;
}

static void accept_for(const struct http_req *r, char out[29])
{
    const struct http_header *key = http_find(r, "Sec-WebSocket-Key");
    srv_ws_accept(key ? key->value : "", key ? key->vlen : 0, out);
}

/* Appends a 101 response; extra is appended verbatim before the blank line. */
static void put_101(struct srv_buf *out, const struct http_req *r, const char *extra)
{
    char acc[29];

    accept_for(r, acc);
    srv_buf_printf(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n",
                   acc, extra ? extra : "");
}

static int flush(struct ws_sess *s)
{
    int rc = 0;

    if (s->out.len)
        rc = srv_conn_write(s->c, s->out.p, s->out.len);
    s->out.len = 0;
    return rc;
}

static void send_close(struct ws_sess *s, int code, const char *reason)
{
    if (s->close_sent)
        return;
    ws_put_close(&s->out, code, reason, strlen(reason));
    s->close_sent = 1;
}

static void emit_message(struct ws_sess *s, int op, const unsigned char *p, size_t n)
{
    size_t off = 0;

    if (!s->frag || n <= s->frag) {
        ws_put_frame(&s->out, 1, op, p, n);
        return;
    }
    while (off < n) {
        size_t k = n - off < s->frag ? n - off : s->frag;
        ws_put_frame(&s->out, off + k == n, off ? WS_CONT : op, p + off, k);
        off += k;
    }
}

static void describe_frame(struct ws_sess *s, const struct ws_frame *f, const unsigned char *p)
{
    struct srv_buf d = { 0 };

    srv_buf_printf(&d, "fin=%d rsv=%d op=%d mask=%d len=%llu", f->fin, f->rsv, f->op,
                   f->masked, f->len);
    if (f->op == WS_CLOSE) {
        int code = f->len >= 2 ? (p[0] << 8 | p[1]) : 1005;
        srv_buf_printf(&d, " code=%d reason=", code);
        if (f->len > 2)
            srv_buf_append(&d, p + 2, (size_t)f->len - 2);
    }
    ws_put_frame(&s->out, 1, WS_TEXT, d.p, d.len);
    srv_buf_free(&d);
}

/* Handles one complete frame; returns 1 when the connection is finished. */
static int on_frame(struct ws_sess *s, const struct ws_frame *f, unsigned char *p)
{
    size_t n = (size_t)f->len;

    srv_record_frame(s->rec, f, p);
    if (s->mode == M_STALL)
        return 0;
    if (s->mode == M_DRAIN)      /* read until the client's close, answer nothing */
        return f->op == WS_CLOSE;
    if (s->mode == M_FRAMES) {
        describe_frame(s, f, p);
        if (f->op == WS_CLOSE) {
            if (!s->close_sent)
                ws_put_frame(&s->out, 1, WS_CLOSE, p, n);
            return 1;
        }
        return 0;
    }
    if (f->op == WS_CLOSE) {
        if (n == 1) {
            send_close(s, 1002, "close payload of 1 byte");
            return 1;
        }
        if (!s->close_sent)
            ws_put_frame(&s->out, 1, WS_CLOSE, p, n);
        return 1;
    }
    if (s->close_sent)          /* closing: ignore everything but close */
        return 0;
    if (!f->masked) {
        send_close(s, 1002, "unmasked client frame");
        return 0;
    }
    if (f->rsv) {
        send_close(s, 1002, "reserved bits set");
        return 0;
    }
    if ((f->op > WS_BINARY && f->op < WS_CLOSE) || f->op > WS_PONG) {
        send_close(s, 1002, "unknown opcode");
        return 0;
    }
    if (f->op >= WS_CLOSE && (!f->fin || n > 125)) {
        send_close(s, 1002, "bad control frame");
        return 0;
    }
    switch (f->op) {
    case WS_PING:
        ws_put_frame(&s->out, 1, WS_PONG, p, n);
        return 0;
    case WS_PONG:
        if (s->want_pong) {
            int ok = n == s->pong.len && !memcmp(p, s->pong.p, n);
            s->want_pong = 0;
            ws_put_frame(&s->out, 1, WS_TEXT, ok ? "pong ok" : "bad pong", ok ? 7 : 8);
        }
        return 0;
    case WS_CONT:
        if (!s->in_msg) {
            send_close(s, 1002, "unexpected continuation");
            return 0;
        }
        break;
    default:
        if (s->in_msg) {
            send_close(s, 1002, "expected continuation");
            return 0;
        }
        if (f->fin) {            /* fast path: whole message in one frame */
            emit_message(s, f->op, p, n);
            return 0;
        }
        s->in_msg = 1;
        s->msg_op = f->op;
        s->msg.len = 0;
        break;
    }
    if (s->msg.len + n > WS_MAX_MESSAGE) {
        send_close(s, 1009, "message too big");
        return 0;
    }
    srv_buf_append(&s->msg, p, n);
    if (f->fin) {
        emit_message(s, s->msg_op, s->msg.p, s->msg.len);
        s->in_msg = 0;
        s->msg.len = 0;
    }
    return 0;
}

/* Frame loop: parse every complete frame per read, answer with one write. */
static void run_session(struct ws_sess *s)
{
    struct srv_conn *c = s->c;
    int done = 0;

    if (flush(s))
        goto out;
    while (!done) {
        size_t pos = 0;

        for (;;) {
            struct ws_frame f;
            int h = ws_parse_header(c->in.p + pos, c->in.len - pos, &f);
            if (h < 0 || (h > 0 && f.len > WS_MAX_MESSAGE)) {
                send_close(s, h < 0 ? 1002 : 1009, h < 0 ? "bad frame length" : "frame too big");
                done = 1;
                break;
            }
            if (h == 0)
                break;
            if (c->in.len - pos - f.hdrlen < f.len) {
                /* make room for the whole frame so the next reads complete it */
                srv_buf_reserve(&c->in, f.hdrlen + (size_t)f.len - (c->in.len - pos));
                break;
            }
            if (f.masked)
                ws_unmask(c->in.p + pos + f.hdrlen, (size_t)f.len, f.mask, 0);
            done = on_frame(s, &f, c->in.p + pos + f.hdrlen);
            pos += f.hdrlen + (size_t)f.len;
            if (done)
                break;
        }
        srv_buf_consume(&c->in, pos);
        if (flush(s))
            break;
        if (done || (s->read_timeout ? srv_conn_fill_timeout(c, s->read_timeout) : srv_conn_fill(c)) <= 0)
            break;
    }
out:
    srv_conn_close(c);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts))
        ;
}

static void stall_until_eof(struct srv_conn *c)
{
    while (srv_conn_fill(c) > 0)
        c->in.len = 0;
}

/* /noread/MS[/drain]: after the 101, read nothing for MS ms (the client's
 * sends fill the TCP buffers and stall), then reset the connection, or with
 * /drain read and discard until the client closes. */
static void not_reading(struct ws_sess *s, const char *arg)
{
    struct srv_conn *c = s->c;
    char *end;
    long ms = strtol(arg, &end, 10);

    if (flush(s))
        return;
    sleep_ms(ms > 0 ? ms : 0);
    if (!strcmp(end, "/drain")) {
        stall_until_eof(c);
        srv_conn_close(c);
    } else {
        srv_conn_reset(c);
    }
}

/* /send/SCRIPT[/END], /send-chop/N/SCRIPT[/END]: the script's bytes right
 * after the 101, in one write or in writes of N bytes (over TLS one record
 * each), then END.  Returns 1 when END has finished the connection, 0 to go
 * on as /echo. */
static int send_script(struct ws_sess *s, const char *path)
{
    struct srv_conn *c = s->c;
    const char *script = path + 6, *end;
    struct srv_buf raw = { 0 };
    size_t chop = 0, off;

    if (!strncmp(path, "/send-chop/", 11)) {
        char *after;
        chop = strtoul(path + 11, &after, 10);
        script = *after == '/' ? after + 1 : "";
    }
    end = strchr(script, '/');
    if (flush(s) == 0 && srv_script_decode(script, end ? (size_t)(end - script) : strlen(script), &raw) == 0) {
        if (!chop)
            chop = raw.len;
        for (off = 0; off < raw.len; off += chop)
            if (srv_conn_write(c, raw.p + off, raw.len - off < chop ? raw.len - off : chop))
                break;
    }
    srv_buf_free(&raw);
    if (!end)
        return 0;
    if (!strcmp(end, "/stall")) {
        stall_until_eof(c);
        srv_conn_close(c);
    } else if (!strcmp(end, "/close") && s->rec) {
        /* the client's close frame is what the record is for */
        s->mode = M_DRAIN;
        s->read_timeout = 2000;
        run_session(s);
    } else if (!strcmp(end, "/close")) {
        srv_conn_close(c);
    } else if (!strcmp(end, "/fin")) {
        srv_conn_fin(c);
    } else if (!strcmp(end, "/rst")) {
        sleep_ms(100);    /* let the client read the bytes before the RST */
        srv_conn_reset(c);
    } else {
        return 0;
    }
    return 1;
}

/* /handshake/<variant>; returns 1 when the connection stays usable for HTTP. */
static int handshake_variant(struct srv_conn *c, const struct http_req *r, const char *v,
                             struct ws_sess *s)
{
    struct srv_buf *o = &s->out;
    char acc[29];

    if (!strcmp(v, "status-200")) {
        return !srv_http_respond(c, 200, NULL, "ok", 2, 1, 0);
    } else if (!strcmp(v, "status-404")) {
        return !srv_http_respond(c, 404, NULL, "not found\n", 10, 1, 0);
    } else if (!strcmp(v, "bad-accept")) {
        srv_ws_accept("dGhpcyBpcyBub3QgdGhlIGtleQ==", 28, acc);
        srv_buf_printf(o, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    } else if (!strcmp(v, "no-accept")) {
        srv_buf_printf(o, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\n\r\n");
    } else if (!strcmp(v, "no-upgrade-header")) {
        accept_for(r, acc);
        srv_buf_printf(o, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
    } else if (!strcmp(v, "upgrade-not-websocket")) {
        accept_for(r, acc);
        srv_buf_printf(o, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    } else if (!strcmp(v, "no-connection-upgrade")) {
        accept_for(r, acc);
        srv_buf_printf(o, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       "Connection: keep-alive\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
    } else if (!strcmp(v, "extension")) {
        put_101(o, r, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    } else if (!strcmp(v, "protocol")) {
        put_101(o, r, "Sec-WebSocket-Protocol: chat\r\n");
    } else if (!strcmp(v, "garbage")) {
        static const char junk[] = "\x16\x03\x01\x00\xffnot http at all\x01\x02\r\n\r\n";
        srv_conn_write(c, junk, sizeof(junk) - 1);
        srv_conn_close(c);
        return 0;
    } else if (!strcmp(v, "endless-headers")) {
        char line[128];
        unsigned long i;
        srv_conn_write(c, "HTTP/1.1 101 Switching Protocols\r\n", 34);
        for (i = 0;; i++) {
            int n = snprintf(line, sizeof(line), "X-Endless-%lu: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n", i);
            if (srv_conn_write(c, line, (size_t)n))
                break;
            if (i % 64 == 63)
                sleep_ms(1);
        }
        srv_conn_reset(c);
        return 0;
    } else if (!strcmp(v, "half")) {
        srv_conn_write(c, "HTTP/1.1 10", 11);
        stall_until_eof(c);
        srv_conn_close(c);
        return 0;
    } else if (!strcmp(v, "close-mid-headers") || !strcmp(v, "fin-mid-headers")) {
        srv_conn_write(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n", 54);
        if (v[0] == 'c')
            srv_conn_close(c);
        else
            srv_conn_fin(c);
        return 0;
    } else if (!strcmp(v, "rst")) {
        srv_conn_reset(c);
        return 0;
    } else {
        return !srv_http_respond(c, 404, NULL, "unknown handshake variant\n", 26, 1, 0);
    }
    /* the flawed 101 variants continue as /echo if the client goes on */
    run_session(s);
    return 0;
}

int srv_ws_handle(struct srv_conn *c, const struct http_req *r, const char *path)
{
    struct ws_sess s = { .c = c, .mode = M_ECHO };
    const struct http_header *h;
    const char *why;
    int keep = 0;

    if (!strncmp(path, "/handshake/", 11)) {
        keep = handshake_variant(c, r, path + 11, &s);
        goto out;
    }
    if (strcmp(path, "/echo") && strncmp(path, "/echo-frag/", 11) && strcmp(path, "/frames") &&
        strncmp(path, "/send/", 6) && strncmp(path, "/send-chop/", 11) && strncmp(path, "/ping/", 6) && strcmp(path, "/ping") &&
        strncmp(path, "/close/", 7) && strcmp(path, "/close-empty") && strcmp(path, "/stall") &&
        strcmp(path, "/early") && strcmp(path, "/ws-headers") && strcmp(path, "/echo-protocol") &&
        strncmp(path, "/noread/", 8)) {
        keep = !srv_http_respond(c, 404, NULL, "no such scenario\n", 17, 1, 0);
        goto out;
    }
    if ((why = check_upgrade(r))) {
        char body[128];
        int n = snprintf(body, sizeof(body), "bad upgrade request: %s\n", why);
        srv_log(c, "bad upgrade request: %s", why);
        srv_http_respond(c, 400, "Sec-WebSocket-Version: 13\r\n", body, (size_t)n, 0, 0);
        srv_conn_close(c);
        goto out;
    }

    if (!strcmp(path, "/echo-protocol") && (h = http_find(r, "Sec-WebSocket-Protocol"))) {
        const char *comma = memchr(h->value, ',', h->vlen);
        int len = (int)(comma ? (size_t)(comma - h->value) : h->vlen);
        char extra[300];
        snprintf(extra, sizeof(extra), "Sec-WebSocket-Protocol: %.*s\r\n", len > 250 ? 250 : len,
                 h->value);
        put_101(&s.out, r, extra);
    } else {
        put_101(&s.out, r, NULL);
    }
    if ((h = http_find(r, "X-Record")))
        s.rec = srv_record_open(h->value, h->vlen);

    if (!strncmp(path, "/echo-frag/", 11)) {
        long n = atol(path + 11);
        s.frag = n > 0 ? (size_t)n : 1;
    } else if (!strcmp(path, "/frames")) {
        s.mode = M_FRAMES;
    } else if (!strcmp(path, "/stall")) {
        s.mode = M_STALL;
    } else if (!strcmp(path, "/early")) {
        ws_put_frame(&s.out, 1, WS_TEXT, "early", 5);   /* same write as the 101 */
    } else if (!strcmp(path, "/ws-headers")) {
        ws_put_frame(&s.out, 1, WS_TEXT, r->head, r->headlen);
    } else if (!strncmp(path, "/ping", 5)) {
        const char *hex = path[5] == '/' ? path + 6 : "";
        flush(&s);
        srv_hex_decode(hex, strlen(hex) > 250 ? 250 : strlen(hex), &s.pong);
        ws_put_frame(&s.out, 1, WS_PING, s.pong.p, s.pong.len);
        s.want_pong = 1;
    } else if (!strcmp(path, "/close-empty")) {
        flush(&s);
        ws_put_close(&s.out, -1, "", 0);
        s.close_sent = 1;
    } else if (!strncmp(path, "/close/", 7)) {
        const char *code = path + 7, *slash = strchr(code, '/');
        char reason[2048];
        size_t rl = slash ? srv_url_decode(slash + 1, strlen(slash + 1), reason) : 0;
        flush(&s);
        ws_put_close(&s.out, atoi(code), reason, rl);
        s.close_sent = 1;
    } else if (!strncmp(path, "/send/", 6) || !strncmp(path, "/send-chop/", 11)) {
        if (send_script(&s, path))
            goto out;
    } else if (!strncmp(path, "/noread/", 8)) {
        not_reading(&s, path + 8);
        goto out;
    }
    run_session(&s);
out:
    srv_record_end(s.rec);
    srv_buf_free(&s.out);
    srv_buf_free(&s.msg);
    srv_buf_free(&s.pong);
    return keep;
}
