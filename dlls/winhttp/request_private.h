/*
 * The request object, shared by the files that implement it:
 *   request.c     the request's state machine and the public API
 *                 (WinHttpOpenRequest .. WinHttpQueryHeaders), the options,
 *                 the asynchronous tasks and the websocket hand-over;
 *   connection.c  connection set-up (keep-alive pool, resolve, connect, TLS;
 *                 a proxy tunnel step goes between connect and TLS) and the
 *                 overlapped I/O a task parks on;
 *   body.c        response body framing: Content-Length, chunked, until close.
 *
 * Threads and locks.  A request's operations never overlap: synchronous
 * calls run on the caller's thread one at a time (as Windows requires of the
 * program), asynchronous ones run one after the other from the request's
 * task queue (task.c), possibly parked on I/O in between.  So the state of
 * the operation in progress (send, setup, in, body, io.ready/error/bytes)
 * needs no lock.  cs guards what other threads read or change meanwhile:
 * state, the header lists, resp, conn (WinHttpCloseHandle and the timeout
 * deadline cancel it), io.active/io.timed_out (the deadline sets them).
 * WinHttpCloseHandle cancels the connection only while an operation has
 * I/O on it (io.active): an idle request keeps it for request_unreferenced,
 * which runs once no operation holds the request and so may read in and
 * body without the lock (body_drain_now: a closed request whose body has
 * all arrived gives its connection to the pool).
 * Lock order: cs, then nothing: no callback, no blocking I/O and no
 * deadline_disarm while holding it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_REQUEST_PRIVATE_H
#define WINHTTP_REQUEST_PRIVATE_H

#include "auth.h"
#include "chunk_upload.h"
#include "connlimit.h"
#include "decode.h"
#include "deadline.h"
#include "net.h"
#include "proxy_route.h"
#include "request.h"
#include "headers.h"
#include "task.h"
#include "wsp.h"

/* Largest response head by default (WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE),
 * and most header lines. */
#define MAX_RESPONSE_HEAD   (64 * 1024)
#define MAX_RESPONSE_LINES  256
/* Room for body bytes read ahead. */
#define READ_BUFFER_SIZE    (16 * 1024)

/* Where WinHttpSendRequest's work is, so that a resumed task goes on there. */
enum send_step
{
    SEND_OPEN,         /* getting a connection (connection_open, setup.step) */
    SEND_HEAD,         /* sending the request head */
    SEND_OPTIONAL,     /* sending the optional data */
    SEND_DONE,
};

/* Where connection_open is. */
enum setup_step
{
    SETUP_POOL,        /* take a pooled connection, else go on to resolve */
    SETUP_RESOLVE,     /* looking the server's (or the proxy's) name up */
    SETUP_CONNECT,     /* connecting to setup.addr.all[setup.addr_index] (the proxy's, through one) */
    SETUP_TUNNEL,      /* sending a proxy's CONNECT */
    SETUP_TUNNEL_REPLY,/* reading the proxy's answer to it */
    SETUP_SECURE,      /* TLS handshake */
    SETUP_DONE,
};

/* Where WinHttpReceiveResponse is when it answers an authentication
 * challenge by itself (auth.h): reading the refused response's body, then
 * sending the request again. */
enum auth_step
{
    AUTH_STEP_RECEIVE,
    AUTH_STEP_DRAIN,
    AUTH_STEP_SEND,
};

/* Automatic answers to challenges within one WinHttpReceiveResponse (a
 * Digest server may declare its nonce stale more than once). */
#define MAX_AUTH_RETRIES 4

enum request_state
{
    STATE_INIT,        /* not sent yet */
    STATE_SENT,        /* head (and optional data) sent; WriteData allowed */
    STATE_RESPONSE,    /* response head received */
};

enum body_mode
{
    BODY_NONE,
    BODY_LENGTH,
    BODY_CHUNKED,
    BODY_UNTIL_CLOSE,
};

enum chunk_state
{
    CHUNK_SIZE,        /* expecting a chunk-size line */
    CHUNK_DATA,        /* inside chunk data */
    CHUNK_DATA_END,    /* expecting the CRLF after chunk data */
    CHUNK_TRAILERS,    /* after the last chunk: trailer lines up to the empty one */
    CHUNK_DONE,
};

/* The response head as received (cs). */
struct response
{
    struct header_list headers;
    WCHAR *version;
    WCHAR *status;
    WCHAR *text;
    DWORD status_code;
    char *raw_head;            /* the final response head, for the handshake check */
    size_t raw_head_len;
};

/* WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET and its hand-over (cs for taken). */
struct ws_upgrade
{
    BOOL requested;
    char key[WSP_KEY_LEN + 1];
    DWORD receive_buffer_size; /* the options as set */
    DWORD send_buffer_size;
    DWORD receive_captured;    /* as captured at WinHttpSendRequest */
    DWORD send_captured;
    BOOL taken;                /* the connection went to the websocket */
};

/* Bytes read from the connection and not consumed yet: [pos, len) of buf. */
struct input
{
    char *buf;
    size_t pos, len, size;
};

/* WinHttpSendRequest/WinHttpWriteData in progress. */
struct send_progress
{
    enum send_step step;
    char *head;
    size_t head_len;
    const void *optional;
    DWORD optional_len;
    DWORD total_len;
    DWORD written;
    BOOL chunked_upload;       /* Transfer-Encoding: the body has no length (total_len is 0) */
    BOOL auto_chunked;         /* WINHTTP_FLAG_AUTOMATIC_CHUNKING: we frame each write as a chunk */
    BOOL body_ended;           /* auto_chunked: the last chunk (the zero-length write) went out */
    struct chunk_frame frame;  /* auto_chunked: the chunk of the write in progress (one at a time) */
    BOOL body_overrun;         /* more written than announced: the connection is not reused */
};

/* Getting a connection (connection.c) and what TLS told about it. */
struct setup
{
    enum setup_step step;
    BOOL reused;               /* the connection came from the pool */
    BOOL private_conn;         /* from the pool, where it was this session's alone (authenticated) */
    BOOL retried;              /* a failed pooled connection was replaced once */
    BOOL closed_unanswered;    /* the connection ended before any byte of the answer */
    struct net_address addr;
    struct net_lookup *lookup; /* the asynchronous name lookup in flight (cs) */
    int addr_index;
    DWORD cert_flags;          /* SECURE_FAILURE bits of the handshake */
    const CERT_CONTEXT *server_cert;
    BOOL cert_rejected;        /* server_cert is the one whose check failed: no TLS is up */
    DWORD key_bits;            /* cipher strength of the TLS connection */
};

/* The overlapped operation of the running task (asynchronous mode). */
struct io_slot
{
    BOOL ready;                /* it completed: the result below waits for the task */
    DWORD error;
    size_t bytes;
    BOOL active;               /* (cs) I/O in flight on conn or about to start, synchronous
                                  or not (connection.c, io_enter): WinHttpCloseHandle and the
                                  deadline cancel it; none starts once the handle is closing */
    BOOL timed_out;            /* (cs) */
    struct deadline deadline;
};

/* Response body framing and decoding (body.c). */
struct body
{
    enum body_mode mode;
    ULONGLONG remaining;       /* BODY_LENGTH: bytes left; CHUNKED: left in this chunk */
    enum chunk_state chunk;
    size_t trailer_bytes;
    BOOL done;                 /* the framing ended (the connection was handed back) */
    BOOL keep_alive;
    /* Content-Encoding decoded (decode.h): the body's bytes go through the
     * decoder into out, [out_pos, out_len), where the program reads them */
    struct decoder *decoder;
    char *out;
    size_t out_pos, out_len;
};

struct request
{
    struct object_header hdr;
    /* Set by WinHttpOpenRequest, read-only after. */
    struct connect *connect;
    struct session *session;
    WCHAR *verb;
    WCHAR *path;
    WCHAR *version;
    WCHAR *server;             /* host name to connect to */
    INTERNET_PORT port;
    BOOL secure;
    DWORD open_flags;

    CRITICAL_SECTION cs;       /* see the top of this file */
    enum request_state state;  /* (cs) */
    LONG api_sent;             /* WinHttpSendRequest was called (checked at call time) */
    LONG api_received;         /* WinHttpReceiveResponse was called */
    struct header_list request_headers; /* (cs) */
    struct response resp;      /* (cs) */
    struct netconn *conn;      /* (cs) */
    HANDLE close_event;        /* (cs) set by WinHttpCloseHandle; what a synchronous call's
                                  wait on a name lookup or a connect waits for beside it;
                                  made on first need (connection.c, close_event) */
    struct request_auth auth;  /* (cs) authentication (auth.c) */

    /* options */
    struct timeouts timeouts;
    struct handle_options opts;   /* hdr.options points here; copied from the session */
    DWORD security_flags;
    const CERT_CONTEXT *client_cert;  /* WINHTTP_OPTION_CLIENT_CERT_CONTEXT (our reference), or NULL */
    BOOL client_cert_chosen;          /* set, even as WINHTTP_NO_CLIENT_CERT_CONTEXT */
    struct ws_upgrade ws;

    /* the operation in progress */
    struct send_progress send;
    struct setup setup;
    BOOL receiving;            /* RECEIVING_RESPONSE was sent for this ReceiveResponse */
    DWORD head_error;          /* what the send task met awaiting the response head (await_head) */
    /* redirects followed inside WinHttpReceiveResponse (policy, limit and
     * WINHTTP_DISABLE_REDIRECTS: opts) */
    DWORD redirect_count;
    BOOL redirecting;          /* the redirected request is being sent (send.step) */
    BOOL inline_call;          /* ReceiveResponse runs on the calling thread (response_inline) */
    enum auth_step auth_step;
    DWORD auth_retries;
    ULONGLONG auth_drained;    /* body bytes of the refused response read and dropped */
    struct proxy_option proxy_opt;   /* WINHTTP_OPTION_PROXY on the request */
    /* AUTOMATIC_PROXY: what this send's look-up found (find_automatic_proxy,
     * pac_fetch.c), for it and its redirects and authentication rounds (cs) */
    struct autoproxy_lookup *autoproxy;
    /* the proxy of this send (proxy_route.c), chosen by prepare_request */
    WCHAR *proxy_host;         /* NULL: direct */
    INTERNET_PORT proxy_port;
    BOOL tunnel;               /* CONNECT first: https, and websocket upgrades */
    WCHAR *pool_host;          /* a tunnel's key in the pool: "origin@proxy:port" */
    WCHAR *tunnel_auth;        /* Proxy-Authorization for the CONNECT, never for the origin */
    char *tunnel_head;
    size_t tunnel_head_len;
    BOOL tunnel_refused;       /* the proxy answered the CONNECT itself: that is the response */
    BOOL proxy_failover;       /* the proxy came from AUTOMATIC_PROXY's list: a failed one is marked bad */
    WCHAR *proxy_fallbacks;    /* AUTOMATIC_PROXY: the proxies after the one in use, tried in turn
                                  when it cannot be reached (connection.c, next_proxy) */
    /* The connection an NTLM/Negotiate handshake is under way on
     * (auth_holds_connection): kept out of the pool for this request's next
     * send.  to_proxy: it carried a refused CONNECT, the next send starts
     * with CONNECT again.  Used only by the thread that sends. */
    struct netconn *auth_conn;
    BOOL auth_conn_to_proxy;
    struct input in;
    struct body body;
    struct io_slot io;
    struct conn_slot slot;     /* its share of MAX_CONNS_PER_SERVER (connlimit.h) */

    struct task_queue queue;
};

static inline struct request *impl_from_hdr(struct object_header *hdr)
{
    return CONTAINING_RECORD(hdr, struct request, hdr);
}

/* The longest response head this request takes (0 stands for the default). */
static inline size_t response_head_limit(const struct request *req)
{
    return req->opts.max_response_header_size ? req->opts.max_response_header_size : MAX_RESPONSE_HEAD;
}

/* connection.c */
/* Gives the request a connection, from setup.step on (reset it to
 * SETUP_POOL to start); resumable like every operation (ERROR_IO_PENDING). */
DWORD connection_open(struct request *req);
/* What a pooled connection must match besides host and port. */
DWORD connection_pool_key(struct request *req);
/* The proxy this send goes through (cs held). */
DWORD connection_choose_route(struct request *req, struct proxy_option *automatic);
/* Gives an idle connection to the pool under the key of its route. */
void connection_pool_put(struct request *req, struct netconn *conn);
/* Frees the route connection_choose_route made. */
void connection_free_route(struct request *req);
/* Closes the request's connection, if any, drops buffered input and gives
 * back its connection slot (connlimit.h). */
void connection_drop(struct request *req);
/* WinHttpCloseHandle: a name lookup in flight is given up (an asynchronous
 * request's task resumes, cancelled, at once; the resolver's late answer is
 * dropped), and a synchronous call waiting for a lookup or a connect returns
 * at once (ERROR_WINHTTP_OPERATION_CANCELLED). */
void connection_cancel_setup(struct request *req);
/* The response was read to its end: the connection goes back to the pool
 * if reusable, else is closed. */
void connection_release(struct request *req, BOOL reusable);
/* The request carries "Connection: close" (takes cs). */
BOOL connection_asked_to_close(struct request *req);
/* Sends or receives on the request's connection: blocking for synchronous
 * handles; for asynchronous ones starts the operation (ERROR_IO_PENDING) or,
 * when the task runs again, gives its result. */
DWORD connection_io(struct request *req, BOOL is_send, void *buf, size_t len, size_t *bytes);
/* Sends total bytes that fill writes (net_send_fill): copied once, straight
 * into the send buffer or the TLS records; fill_ctx lives until the send ends. */
DWORD connection_send_fill(struct request *req, size_t total, net_fill_fn fill, void *fill_ctx, size_t *bytes);
/* Errors of an operation interrupted by WinHttpCloseHandle read as cancelled. */
DWORD check_cancelled(struct request *req, DWORD error);

/* request.c */
/* The request's URL (heap_free it). */
WCHAR *request_url(struct request *req);
/* Readies the request head and body for (another) send. */
DWORD prepare_request(struct request *req, const WCHAR *headers, DWORD headers_len, const void *optional,
                      DWORD optional_len, DWORD total_len);
/* How long an unread body's rest may take to arrive to keep the connection. */
DWORD drain_wait(struct request *req);

/* redirect.c */
/* After a response: *follow when it is a redirect to follow, the request
 * then prepared for the next hop (REDIRECT sent). */
DWORD follow_redirect(struct request *req, BOOL *follow);

/* request_option.c: the vtable's option and timeout entries. */
BOOL request_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen);
BOOL request_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen);
void request_set_timeouts(struct object_header *hdr, int resolve, int connect, int send, int receive);

/* body.c */
/* Reads more into req->in (growing it up to limit); *eof when the peer closed. */
/* Room at in.buf + in.len for more input, the buffer growing up to limit. */
DWORD body_make_room(struct request *req, size_t limit);
DWORD body_fill_input(struct request *req, size_t limit, BOOL *eof);
/* Chooses the framing from the response head. */
DWORD body_setup(struct request *req, const struct wsp_http_response *resp);
/* The body's next bytes, its end or an error are there without I/O. */
BOOL body_ready(struct request *req);
/* Drops the rest of the body when it has all arrived (buffered, or in the
 * connection now or within wait_ms, at most limit bytes read); TRUE: the
 * connection is at the next response and may carry another request. */
BOOL body_drain_now(struct request *req, ULONGLONG limit, DWORD wait_ms);
/* The body ended: hands the connection back (kept for a 101 upgrade). */
void body_finish(struct request *req);
/* Forgets the body of the previous response (and its decoder). */
void body_reset(struct request *req);
/* The program has read the whole body (decoded, when it is). */
BOOL body_complete(struct request *req);
DWORD query_data_available(struct request *req, DWORD *available);
DWORD read_data(struct request *req, void *buffer, DWORD size, DWORD *read);
/* WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER: reads until size bytes are in
 * buffer or the body ends.  *total counts what is there so far and must
 * start at 0: after ERROR_IO_PENDING the call is made again with the same
 * arguments and goes on where it parked (an asynchronous task's step). */
DWORD read_data_fill(struct request *req, void *buffer, DWORD size, DWORD *total);
/* TRUE if the header's comma-separated list holds token. */
BOOL response_list_has_token(const struct wsp_http_response *resp, const char *name, const char *token);

#endif /* WINHTTP_REQUEST_PRIVATE_H */
