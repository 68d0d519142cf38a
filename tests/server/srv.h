/*
 * Private declarations shared by the test server (tests/server/).
 * Nothing here is part of winhttp; it only serves the conformance tests.
 */
#ifndef WSTEST_SRV_H
#define WSTEST_SRV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef HAVE_GNUTLS
#include <gnutls/gnutls.h>
#endif

/* ---- srv_sha1.c / srv_base64.c ---- */
#define SRV_SHA1_LEN 20
void srv_sha1(const void *data, size_t len, unsigned char out[SRV_SHA1_LEN]);
/* Writes a NUL-terminated encoding; out must hold 4*((len+2)/3)+1 bytes. */
size_t srv_base64_encode(const unsigned char *in, size_t len, char *out);
/* Returns decoded length or -1 when the text is not canonical base64. */
long srv_base64_decode(const char *in, size_t len, unsigned char *out, size_t outcap);
/* Sec-WebSocket-Accept for a client key; out must hold 29 bytes. */
void srv_ws_accept(const char *key, size_t keylen, char out[29]);

/* ---- srv_buf.c: growable byte buffer ---- */
struct srv_buf {
    unsigned char *p;
    size_t len, cap;
};
int srv_buf_reserve(struct srv_buf *b, size_t extra);   /* 0 ok, -1 oom */
int srv_buf_append(struct srv_buf *b, const void *d, size_t n);
int srv_buf_printf(struct srv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void srv_buf_consume(struct srv_buf *b, size_t n);        /* drop n bytes at front */
void srv_buf_free(struct srv_buf *b);
int srv_hex_decode(const char *hex, size_t n, struct srv_buf *out); /* -1 on bad hex */
/* Appends n filler bytes: 'a'..'z' repeated. */
void srv_buf_fill(struct srv_buf *b, size_t n);
/* Hex in which ".N." stands for N filler bytes (at most SRV_MAX_FILL), so
 * that long payloads fit a request target; -1 when malformed. */
#define SRV_MAX_FILL (64ul << 20)
int srv_script_decode(const char *s, size_t n, struct srv_buf *out);
size_t srv_url_decode(const char *in, size_t n, char *out); /* out >= n+1 bytes */

/* ---- srv_conn.c: one accepted TCP (optionally TLS) connection ---- */
struct srv_conn {
    int fd;
    unsigned long long id;       /* per-TCP-connection serial number, from 1 */
#ifdef HAVE_GNUTLS
    gnutls_session_t tls;
#endif
    struct srv_buf in;           /* received, not yet consumed bytes */
    int eof;                     /* peer closed (or error) */
};

#ifdef HAVE_GNUTLS
int srv_tls_init(const char *cert, const char *key);  /* 0 ok */
#endif
int srv_conn_start(struct srv_conn *c);  /* TLS handshake if enabled; 0 ok */
/* Reads more data into c->in (large reads). >0 bytes read, 0 EOF, -1 error. */
ssize_t srv_conn_fill(struct srv_conn *c);
/* Like fill, but waits at most ms milliseconds; -2 on timeout. */
ssize_t srv_conn_fill_timeout(struct srv_conn *c, int ms);
int srv_conn_write(struct srv_conn *c, const void *d, size_t n); /* 0 ok, -1 err */
/* Graceful close: TLS bye, FIN, drain briefly so no RST is generated. */
void srv_conn_close(struct srv_conn *c);
/* The same without the TLS close_notify: to a TLS client a truncation. */
void srv_conn_fin(struct srv_conn *c);
/* Abortive close: SO_LINGER 0 so the peer sees a RST. */
void srv_conn_reset(struct srv_conn *c);

/* ---- srv_ws.c: frame codec ---- */
enum { WS_CONT = 0, WS_TEXT = 1, WS_BINARY = 2, WS_CLOSE = 8, WS_PING = 9, WS_PONG = 10 };
struct ws_frame {
    int fin, rsv, op, masked;
    unsigned long long len;
    unsigned char mask[4];
    size_t hdrlen;
};
/* 1 = header complete, 0 = need more bytes, -1 = malformed length. */
int ws_parse_header(const unsigned char *p, size_t n, struct ws_frame *f);
void ws_unmask(unsigned char *p, size_t n, const unsigned char mask[4], size_t offset);
/* Appends one unmasked server frame. */
int ws_put_frame(struct srv_buf *out, int fin, int op, const void *payload, size_t len);
int ws_put_close(struct srv_buf *out, int code, const char *reason, size_t rlen);

/* ---- srv_http.c: request head parsing ---- */
#define SRV_MAX_HEADERS 100
struct http_header { const char *name, *value; size_t nlen, vlen; };
struct http_req {
    const char *head; size_t headlen;   /* raw request head incl. final CRLFCRLF */
    char method[32];
    char target[2048];                  /* request target as sent */
    int minor;                          /* HTTP/1.minor */
    struct http_header hdr[SRV_MAX_HEADERS];
    int nhdr;
};
/* Finds the end of a head in buf; returns its length or 0 if incomplete. */
size_t http_head_len(const unsigned char *p, size_t n);
int http_parse(const char *head, size_t len, struct http_req *r); /* 0 ok */
/* Value of the first header with this name (case-insensitive) or NULL. */
const struct http_header *http_find(const struct http_req *r, const char *name);
/* Does the comma-separated header value list contain token (case-insens.)? */
int http_has_token(const struct http_req *r, const char *name, const char *token);

/* ---- srv_record.c: what a client sent (X-Record), fetched by /http/record/ ---- */
struct srv_record;
struct srv_record *srv_record_open(const char *token, size_t len);   /* NULL: no record */
void srv_record_frame(struct srv_record *r, const struct ws_frame *f, const unsigned char *p);
void srv_record_end(struct srv_record *r);   /* the connection is over; r is no longer used */
/* Waits up to ms for the record to be complete; appends "close=CODE pongs: HEX..."
 * (" incomplete" after the code when it timed out).  -1 if there is none. */
int srv_record_take(const char *token, int ms, struct srv_buf *out);

/* ---- scenario handlers (srv_wsmode.c, srv_httpmode.c, srv_handshake.c) ---- */
extern int srv_verbose;
void srv_log(const struct srv_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* HTTP request loop on a connection; dispatches WebSocket paths. */
void srv_serve(struct srv_conn *c);
/* Returns 1 if this was an HTTP path it answered; keep-alive in *keep. */
int srv_http_handle(struct srv_conn *c, const struct http_req *r, const unsigned char *body,
                    size_t blen, int *keep);
/* WebSocket scenarios; returns 1 if the connection is still open for HTTP
 * keep-alive, 0 once the scenario finished (and closed) the connection. */
int srv_ws_handle(struct srv_conn *c, const struct http_req *r, const char *path);
/* Sends a simple complete HTTP response. */
int srv_http_respond(struct srv_conn *c, int code, const char *extra_headers,
                     const char *body, size_t blen, int keep, int head_only);
const char *srv_http_reason(int code);

#endif
