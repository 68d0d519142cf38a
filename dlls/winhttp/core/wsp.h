/*
 * WebSocket protocol core (RFC 6455, client side)
 *
 * Portable C99: no windows.h, no allocation, no I/O.  The same sources are
 * linked into winhttp.dll (mingw-w64) and into the native tests and fuzzers.
 * Everything public is prefixed wsp_.
 */

#ifndef __WINE_WSP_H
#define __WINE_WSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fills buf with len random bytes (mask keys, handshake nonces). */
typedef void (*wsp_rng_fn)(void *ctx, void *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Opcodes and sizes                                                        */

enum wsp_opcode
{
    WSP_OP_CONTINUATION = 0x0,
    WSP_OP_TEXT         = 0x1,
    WSP_OP_BINARY       = 0x2,
    WSP_OP_CLOSE        = 0x8,
    WSP_OP_PING         = 0x9,
    WSP_OP_PONG         = 0xa,
};

#define WSP_MAX_CONTROL_PAYLOAD  125
#define WSP_MAX_CLOSE_REASON     123   /* 125 minus the 2-byte status code */
#define WSP_MAX_HEADER_SIZE      14    /* 2 + 8 (64-bit length) + 4 (mask) */

/* ------------------------------------------------------------------------ */
/* Masking (wsp_mask.c)                                                     */

/* dst[i] = src[i] ^ key[(key_offset + i) % 4].  key_offset is the payload
 * position of src[0], so a payload can be masked in pieces.  dst and src
 * must either be identical or not overlap. */
void wsp_mask_copy(void *dst, const void *src, size_t len, const uint8_t key[4], size_t key_offset);
/* In-place variant of wsp_mask_copy. */
void wsp_mask_inplace(void *buf, size_t len, const uint8_t key[4], size_t key_offset);

/* ------------------------------------------------------------------------ */
/* Frame encoder, client to server (wsp_frame_enc.c)                        */

/* Size of a masked client frame header for a payload of len bytes: 6, 8 or 14. */
size_t wsp_frame_header_size(uint64_t len);

/* Writes only the header (FIN/opcode, minimal length, mask key) into out
 * (at least WSP_MAX_HEADER_SIZE bytes).  Returns the header size, or 0 if
 * the opcode is not CONTINUATION/TEXT/BINARY/CLOSE/PING/PONG, or a control
 * frame is fragmented or longer than 125 bytes.  The caller masks the
 * payload itself with wsp_mask_copy(..., mask, 0). */
size_t wsp_encode_header(uint8_t *out, int fin, unsigned opcode, uint64_t len, const uint8_t mask[4]);

/* Writes header and masked payload into one buffer of at least
 * wsp_frame_header_size(len) + len bytes; out must not overlap payload.
 * Returns the total frame size or 0 on the errors of wsp_encode_header. */
size_t wsp_encode_frame(uint8_t *out, int fin, unsigned opcode, const void *payload, size_t len,
                        const uint8_t mask[4]);

/* Same, with a fresh mask key drawn from rng. */
size_t wsp_encode_frame_rng(uint8_t *out, int fin, unsigned opcode, const void *payload, size_t len,
                            wsp_rng_fn rng, void *rng_ctx);

#define WSP_ENCODE_ERROR ((size_t)-1)

/* Builds a CLOSE payload: 2-byte big-endian code followed by the reason.
 * code 0 or 1005 (WINHTTP "empty close status") gives an empty payload and
 * then requires reason_len == 0.  Otherwise the code must satisfy
 * wsp_close_code_sendable() and the reason must be valid UTF-8 of at most
 * WSP_MAX_CLOSE_REASON bytes.  out needs WSP_MAX_CONTROL_PAYLOAD bytes.
 * Returns the payload length or WSP_ENCODE_ERROR. */
size_t wsp_encode_close_payload(uint8_t *out, unsigned code, const void *reason, size_t reason_len);

/* ------------------------------------------------------------------------ */
/* Close codes (wsp_close.c)                                                */

/* Codes a peer may put in a CLOSE frame: 1000-1003, 1007-1014, 3000-4999. */
int wsp_close_code_valid_on_wire(unsigned code);
/* Codes this client sends: 1000-1003, 1007-1011 (the endpoint-generic
 * registered ones) and 3000-4999 (registered / private use). */
int wsp_close_code_sendable(unsigned code);

/* ------------------------------------------------------------------------ */
/* Streaming UTF-8 validator (wsp_utf8.c)                                   */

struct wsp_utf8
{
    uint8_t need;    /* continuation bytes still expected */
    uint8_t lo, hi;  /* allowed range of the next continuation byte */
    uint8_t error;   /* sticky */
};

void wsp_utf8_init(struct wsp_utf8 *u);
/* Validates the next piece of a stream; code points may be split anywhere.
 * Returns len if everything so far is valid (or a valid prefix of a code
 * point), otherwise the index of the first offending byte; the validator
 * then stays in the error state (later feeds return 0). */
size_t wsp_utf8_feed(struct wsp_utf8 *u, const void *buf, size_t len);
/* True if the stream fed so far is complete, valid UTF-8. */
int wsp_utf8_finish(const struct wsp_utf8 *u);
/* One-shot check of a whole buffer. */
int wsp_utf8_valid(const void *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* Frame decoder, server to client (wsp_frame_dec.c)                        */

enum wsp_status
{
    WSP_OK = 0,                    /* one event produced */
    WSP_NEED_MORE,                 /* all input consumed, no event yet */
    WSP_CLOSED,                    /* a CLOSE was already delivered; nothing consumed */
    /* protocol violations, 1002 */
    WSP_E_MASKED,                  /* server frame has the MASK bit */
    WSP_E_RSV,                     /* RSV1-3 set (no extensions negotiated) */
    WSP_E_OPCODE,                  /* reserved opcode 3-7, 0xb-0xf */
    WSP_E_CONTROL_FRAGMENTED,      /* control frame without FIN */
    WSP_E_CONTROL_TOO_LONG,        /* control payload > 125 */
    WSP_E_NON_MINIMAL_LENGTH,      /* 126 form for < 126, 127 form for < 65536 */
    WSP_E_LENGTH_TOP_BIT,          /* 64-bit length with the top bit set */
    WSP_E_UNEXPECTED_CONTINUATION, /* continuation with no message open */
    WSP_E_EXPECTED_CONTINUATION,   /* TEXT/BINARY while a fragmented message is open */
    WSP_E_CLOSE_PAYLOAD_SIZE,      /* CLOSE payload of exactly 1 byte */
    WSP_E_CLOSE_CODE,              /* code not valid on the wire */
    /* invalid payload data, 1007 */
    WSP_E_CLOSE_REASON_UTF8,       /* CLOSE reason is not UTF-8 */
    WSP_E_TEXT_UTF8,               /* TEXT message is not UTF-8 */
    /* 1009 */
    WSP_E_MESSAGE_TOO_BIG,         /* message exceeds the configured limit */
    WSP_STATUS_COUNT
};

/* Close code to send for a violation (1002, 1007, 1009), 0 for the rest. */
unsigned wsp_status_close_code(enum wsp_status status);
/* Short stable name, e.g. "WSP_E_RSV". */
const char *wsp_status_name(enum wsp_status status);

enum wsp_decoder_state
{
    WSP_DEC_HEADER,    /* collecting the 2-byte frame header */
    WSP_DEC_LENGTH,    /* collecting the 16/64-bit extended length */
    WSP_DEC_DATA,      /* streaming a TEXT/BINARY/CONTINUATION payload */
    WSP_DEC_CONTROL,   /* buffering a control payload */
    WSP_DEC_CLOSED,    /* CLOSE delivered, no further frames */
    WSP_DEC_ERROR,     /* violation reported; sticky */
};

enum wsp_event_type
{
    WSP_EVENT_NONE = 0,
    WSP_EVENT_DATA,
    WSP_EVENT_PING,
    WSP_EVENT_PONG,
    WSP_EVENT_CLOSE,
};

/* Flags of a DATA event */
#define WSP_DATA_MESSAGE_START 0x1  /* first span of a message */
#define WSP_DATA_FRAME_START   0x2  /* first span of a frame */
#define WSP_DATA_FIN           0x4  /* the frame has the FIN bit */
#define WSP_DATA_FRAME_END     0x8  /* span ends its frame */
#define WSP_DATA_MESSAGE_END   0x10 /* span ends a FIN frame, i.e. the message */

struct wsp_event
{
    enum wsp_event_type type;
    unsigned opcode;        /* DATA: message opcode (TEXT/BINARY); else frame opcode */
    unsigned flags;         /* DATA: WSP_DATA_* */
    const uint8_t *data;    /* DATA: span inside the caller's input (zero copy);
                             * control: whole payload, decoder-owned, valid until
                             * the next call */
    size_t len;
    uint64_t frame_remaining; /* DATA: payload bytes of this frame after the span */
    /* CLOSE only */
    int has_code;
    unsigned code;          /* 1005 (no status) when !has_code */
    const char *reason;
    size_t reason_len;
};

struct wsp_decoder
{
    enum wsp_decoder_state state;
    enum wsp_status error;       /* valid in WSP_DEC_ERROR */
    uint64_t max_message;        /* 0 = unlimited */
    /* current frame */
    uint8_t hdr[10];
    unsigned hdr_have, hdr_need;
    unsigned opcode;
    int fin;
    int frame_started;           /* a span of this frame was emitted */
    uint64_t remaining;          /* payload bytes still to come */
    /* current data message */
    unsigned msg_opcode;         /* 0: no message open */
    int msg_started;
    uint64_t msg_len;
    struct wsp_utf8 utf8;
    enum wsp_status pending;     /* error to report on the next call */
    /* control payload */
    unsigned ctrl_len;
    uint8_t ctrl[WSP_MAX_CONTROL_PAYLOAD];
};

/* max_message: largest data message in bytes, 0 for no limit. */
void wsp_decoder_init(struct wsp_decoder *d, uint64_t max_message);

/* Feeds in[0..len).  Produces at most one event; *consumed tells how much
 * input was used (on WSP_NEED_MORE: all of it).  Call again with the rest.
 * max_data bounds the length of a DATA span (0 = no bound).  Any data frame,
 * even an empty one, yields at least one DATA event.  Invalid UTF-8 in a TEXT
 * message: the bytes before the offending one are still delivered, then the
 * error is returned; a code point cut by the end of the message is reported
 * after its final span (that span then lacks the *_END flags).  Errors are
 * sticky: every later call returns the same status. */
enum wsp_status wsp_decode(struct wsp_decoder *d, const void *in, size_t len, size_t max_data,
                           size_t *consumed, struct wsp_event *ev);

/* The violation the next wsp_decode call will report (WSP_OK if none): lets a
 * caller drop a DATA span whose message is already known to be invalid
 * (e.g. a TEXT span cut short before an invalid UTF-8 byte). */
enum wsp_status wsp_decoder_pending_error(const struct wsp_decoder *d);

/* Payload bytes of the current TEXT/BINARY/CONTINUATION frame still to come,
 * 0 between frames or inside a control frame: input of at most this many
 * bytes is pure payload, and one wsp_decode call turns it into one DATA span
 * (so a caller may read it straight into its destination). */
uint64_t wsp_decoder_payload_remaining(const struct wsp_decoder *d);

/* ------------------------------------------------------------------------ */
/* SHA-1 and base64 (wsp_sha1.c, wsp_base64.c)                              */

struct wsp_sha1
{
    uint32_t h[5];
    uint64_t total;
    uint8_t block[64];
    unsigned used;
};

#define WSP_SHA1_SIZE 20

void wsp_sha1_init(struct wsp_sha1 *s);
void wsp_sha1_update(struct wsp_sha1 *s, const void *data, size_t len);
void wsp_sha1_final(struct wsp_sha1 *s, uint8_t digest[WSP_SHA1_SIZE]);
void wsp_sha1(const void *data, size_t len, uint8_t digest[WSP_SHA1_SIZE]);

#define WSP_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Standard alphabet with '=' padding; writes WSP_BASE64_LEN(len) chars and a
 * NUL.  Returns the number of chars (without the NUL). */
size_t wsp_base64_encode(char *out, const void *in, size_t len);

/* ------------------------------------------------------------------------ */
/* HTTP/1.1 response head parser (wsp_http.c)                               */

struct wsp_http_header
{
    const char *name;
    size_t name_len;
    const char *value;       /* leading/trailing blanks trimmed */
    size_t value_len;
};

struct wsp_http_response
{
    int minor_version;       /* HTTP/1.x */
    int status;
    const char *reason;
    size_t reason_len;
    struct wsp_http_header *headers;  /* caller's array */
    size_t num_headers;
};

#define WSP_HTTP_INCOMPLETE       (-1)  /* valid so far, call again with more */
#define WSP_HTTP_INVALID          (-2)  /* malformed */
#define WSP_HTTP_TOO_LARGE        (-3)  /* no end of head within max_head bytes */
#define WSP_HTTP_TOO_MANY_HEADERS (-4)  /* more than max_headers header lines */

/* Parses the response head at buf[0..len); the buffer is re-parsed from the
 * start on every call.  Returns the head length (including the empty line)
 * or one of the negative codes above.  CRLF and bare LF are accepted;
 * obs-fold, control characters, missing colons and bad status lines are
 * rejected.  resp->headers/num_headers point into headers[]. */
ptrdiff_t wsp_http_parse_response(const char *buf, size_t len, size_t max_head,
                                  struct wsp_http_response *resp,
                                  struct wsp_http_header *headers, size_t max_headers);

/* Blanks between a header's name and its colon ("Name  : v") are skipped
 * instead of rejected (RFC 9112 5.1 forbids them; a proxy strips them, and
 * so does WinHTTP's response parser). */
#define WSP_HTTP_BLANK_BEFORE_COLON 0x1

/* The same with WSP_HTTP_* parse flags (0: as wsp_http_parse_response). */
ptrdiff_t wsp_http_parse_response_ex(const char *buf, size_t len, size_t max_head, unsigned flags,
                                     struct wsp_http_response *resp,
                                     struct wsp_http_header *headers, size_t max_headers);

/* Index of the first header at or after start named name (case-insensitive),
 * or count if there is none. */
size_t wsp_http_find_header(const struct wsp_http_header *headers, size_t count, size_t start,
                            const char *name);

/* True if the comma-separated list value contains token (case-insensitive). */
int wsp_http_list_contains(const char *value, size_t value_len, const char *token, size_t token_len);

/* ASCII case-insensitive equality of two spans. */
int wsp_ascii_ieq(const char *a, size_t a_len, const char *b, size_t b_len);

/* ------------------------------------------------------------------------ */
/* Opening handshake (wsp_handshake.c)                                      */

#define WSP_KEY_LEN     24   /* base64 of 16 bytes */
#define WSP_ACCEPT_LEN  28   /* base64 of a SHA-1 digest */
#define WSP_HANDSHAKE_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* 16 random bytes from rng, base64 encoded, NUL-terminated. */
void wsp_handshake_make_key(char out[WSP_KEY_LEN + 1], wsp_rng_fn rng, void *rng_ctx);
/* base64(SHA-1(key + GUID)), NUL-terminated. */
void wsp_handshake_accept(const char *key, size_t key_len, char out[WSP_ACCEPT_LEN + 1]);

struct wsp_header_line
{
    const char *name;
    const char *value;
};

#define WSP_HANDSHAKE_HEADER_COUNT 4

/* Fills the request header lines the client must add: Upgrade, Connection,
 * Sec-WebSocket-Version and Sec-WebSocket-Key (value = key, not copied).
 * Returns WSP_HANDSHAKE_HEADER_COUNT. */
size_t wsp_handshake_request_headers(struct wsp_header_line out[WSP_HANDSHAKE_HEADER_COUNT],
                                     const char *key);
/* Formats the same lines as "Name: value\r\n" into buf (snprintf-like:
 * returns the full length, writes at most size bytes including a NUL). */
size_t wsp_handshake_format_headers(char *buf, size_t size, const char *key);

enum wsp_handshake_result
{
    WSP_HS_OK = 0,
    WSP_HS_BAD_STATUS,          /* status is not 101 */
    WSP_HS_NO_UPGRADE,          /* Upgrade header missing */
    WSP_HS_BAD_UPGRADE,         /* Upgrade is not "websocket" (or repeated) */
    WSP_HS_NO_CONNECTION,       /* no Connection header has the "upgrade" token */
    WSP_HS_NO_ACCEPT,           /* Sec-WebSocket-Accept missing */
    WSP_HS_BAD_ACCEPT,          /* Sec-WebSocket-Accept wrong (or repeated) */
    WSP_HS_EXTENSIONS,          /* Sec-WebSocket-Extensions present */
    WSP_HS_BAD_PROTOCOL,        /* Sec-WebSocket-Protocol not one we offered */
    WSP_HS_RESULT_COUNT
};

/* Validates a parsed 101 response against the key we sent.  offered is the
 * comma-separated list of subprotocols we requested (NULL or "" for none).
 * On WSP_HS_OK, *protocol / *protocol_len (if non-NULL) get the selected
 * subprotocol span (NULL / 0 if none). */
enum wsp_handshake_result wsp_handshake_check_response(const struct wsp_http_response *resp,
                                                       const char *key, size_t key_len,
                                                       const char *offered,
                                                       const char **protocol, size_t *protocol_len);
const char *wsp_handshake_result_name(enum wsp_handshake_result result);

#ifdef __cplusplus
}
#endif

#endif /* __WINE_WSP_H */
