/*
 * WebSocket handles: WinHttpWebSocketCompleteUpgrade, Send, Receive,
 * Shutdown, Close and QueryCloseStatus.
 *
 * Framing, UTF-8 and close-code rules live in the portable core (wsp.h);
 * this file keeps Windows' state rules and feeds the core from the transport.
 * Synchronous calls block on the socket; asynchronous receives are overlapped
 * reads completed on the shared pool, so a pending receive costs no thread.
 *
 * Decisions where Windows' behaviour is not documented or tested (see
 * docs/DECISIONS.md): close codes that may not be sent and reasons that are
 * not UTF-8 fail with ERROR_INVALID_PARAMETER; a connection that ends without
 * a close frame fails with ERROR_WINHTTP_CONNECTION_ERROR; after a protocol
 * violation every later call returns the same error.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"
#include "deadline.h"
#include "net.h"
#include "request.h"
#include "wsp.h"

#define DEFAULT_KEEPALIVE_INTERVAL 30000
#define DEFAULT_CLOSE_TIMEOUT      10000
#define MIN_RECEIVE_BUFFER         4096
#define DIRECT_READ_MIN            4096                /* smaller reads go through rbuf */
#define BUSY_WINDOW                1000                /* ms: data this recent means more is coming */
#define CONTROL_QUEUE_MAX          64                  /* control frames waiting for the wire */

/* The websocket whose READ_COMPLETE this thread is delivering, if any. */
static __thread struct websocket *delivering;

enum socket_state
{
    SOCKET_STATE_OPEN,
    SOCKET_STATE_SHUTDOWN,   /* our close frame is sent; receiving goes on */
    SOCKET_STATE_CLOSED,     /* WinHttpWebSocketClose was called */
};

enum fragment_type
{
    FRAGMENT_NONE,
    FRAGMENT_BINARY,
    FRAGMENT_UTF8,
};

/* A control frame waiting for the wire (heap, so an idle websocket pays nothing). */
struct control_frame
{
    struct control_frame *next;
    BYTE opcode;
    BYTE len;
    BYTE payload[WSP_MAX_CONTROL_PAYLOAD];
};

/* A frame on its way out: header and the payload with its mask. */
struct frame_fill
{
    uint8_t header[WSP_MAX_HEADER_SIZE];
    size_t header_len;
    const BYTE *payload;
    uint8_t mask[4];
};

/* What process_input() found. */
enum step
{
    STEP_NEED_INPUT,
    STEP_DATA,
    STEP_CLOSE,
    STEP_ERROR,
};

struct websocket
{
    struct object_header hdr;
    struct netconn *conn;
    CRITICAL_SECTION cs;          /* state; held while input is decoded */
    /* The wire: one frame goes out at a time, written by whoever set
     * wire_busy, never under cs.  Control frames that come up meanwhile
     * (pong, the close after a protocol violation, keepalive pings) wait in
     * the control queue (ctl_head); the owner sends them before it gives the wire up, on its own
     * thread if that one may block (synchronous handles), else from a pool
     * task (flush_task).  send_lock guards the fields below and is held for
     * no I/O; lock order: cs, then send_lock. */
    SRWLOCK send_lock;
    CONDITION_VARIABLE wire_free;
    BOOL wire_busy;
    BOOL wire_shutdown;           /* FIN once the queue is empty (protocol violation) */
    BOOL send_queued;             /* an async send waits for the wire (started by the giver) */
    struct control_frame *ctl_head, **ctl_tail;
    unsigned int ctl_count;
    /* the async send in flight (send_pending) */
    struct frame_fill out;
    WINHTTP_WEB_SOCKET_STATUS out_status;
    enum fragment_type out_next_fragment;
    HANDLE close_event;           /* set once the peer's close arrived or the connection died */
    enum socket_state state;
    enum fragment_type send_fragment;
    BOOL send_pending;
    BOOL receive_pending;
    BOOL close_pending;           /* async Close waits for the peer's close */
    BOOL reading;                 /* an overlapped read is in flight */
    BOOL close_sent;
    BOOL close_received;
    DWORD fatal_error;            /* the connection is gone: later calls fail with this */
    USHORT close_status;
    DWORD close_reason_len;
    BYTE close_reason[WINHTTP_WEB_SOCKET_MAX_CLOSE_REASON_LENGTH];
    DWORD keepalive_interval;
    DWORD close_timeout;
    struct deadline close_deadline;      /* bounds an async Close's wait for the peer */
    struct deadline keepalive_deadline;  /* pings an idle peer during async receives */
    BOOL keepalive_armed;
    BOOL ping_outstanding;        /* a keepalive ping got no answer (no byte at all) yet */
    DWORD last_heard;             /* tick count of the last byte from the peer (keepalive) */
    DWORD last_data;              /* same, 0 until the first read: busy or idle? */
    BOOL step_deferred;           /* Receive called from our READ_COMPLETE: run after it returns */
    /* receiving */
    struct wsp_decoder decoder;
    BYTE *rbuf;
    size_t rbuf_size, rpos, rlen;
    void *user_buf;               /* pending async receive */
    DWORD user_len;
    /* sending */
};

static struct websocket *impl_from_hdr(struct object_header *hdr)
{
    return CONTAINING_RECORD(hdr, struct websocket, hdr);
}

/* send_lock held. */
static struct control_frame *pop_control(struct websocket *ws)
{
    struct control_frame *frame;

    if ((frame = ws->ctl_head))
    {
        if (!(ws->ctl_head = frame->next)) ws->ctl_tail = &ws->ctl_head;
        ws->ctl_count--;
    }
    return frame;
}

static void websocket_destroy(struct object_header *hdr)
{
    struct websocket *ws = impl_from_hdr(hdr);

    TRACE("%p\n", ws);
    deadline_disarm(&ws->close_deadline);
    deadline_disarm(&ws->keepalive_deadline);
    while (ws->ctl_count) heap_free(pop_control(ws));
    net_close(ws->conn);
    DeleteCriticalSection(&ws->cs);
    CloseHandle(ws->close_event);
    heap_free(ws->rbuf);
    heap_free(ws);
}

/* WinHttpCloseHandle: pending operations end with ERROR_WINHTTP_OPERATION_CANCELLED. */
static void websocket_handle_closing(struct object_header *hdr)
{
    struct websocket *ws = impl_from_hdr(hdr);
    BOOL cancel;

    EnterCriticalSection(&ws->cs);
    cancel = ws->reading || ws->receive_pending || ws->close_pending || ws->send_pending;
    LeaveCriticalSection(&ws->cs);
    TRACE("%p, cancel %d\n", ws, cancel);
    if (cancel) net_cancel(ws->conn);
}

static BOOL websocket_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    struct websocket *ws = impl_from_hdr(hdr);

    switch (option)
    {
    case WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT:
        return query_dword_option(ws->close_timeout, buffer, buflen);
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return FALSE;
    }
    FIXME("unimplemented option %lu\n", option);
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

static BOOL websocket_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    struct websocket *ws = impl_from_hdr(hdr);
    DWORD value;

    switch (option)
    {
    case WINHTTP_OPTION_WEB_SOCKET_KEEPALIVE_INTERVAL:
        if (buflen != sizeof(DWORD) || *(DWORD *)buffer < WINHTTP_WEB_SOCKET_MIN_KEEPALIVE_VALUE)
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        ws->keepalive_interval = *(DWORD *)buffer;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_CLOSE_TIMEOUT:
        if (!get_dword_option(buffer, buflen, &value)) return FALSE;
        ws->close_timeout = value;
        return TRUE;
    case WINHTTP_OPTION_WEB_SOCKET_RECEIVE_BUFFER_SIZE:
    case WINHTTP_OPTION_WEB_SOCKET_SEND_BUFFER_SIZE:
    case WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET:
        SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
        return FALSE;
    }
    FIXME("unimplemented option %lu\n", option);
    SetLastError(ERROR_WINHTTP_INVALID_OPTION);
    return FALSE;
}

static const struct object_vtbl websocket_vtbl =
{
    websocket_handle_closing,
    websocket_destroy,
    websocket_query_option,
    websocket_set_option,
    NULL,
};

/* Sending ---------------------------------------------------------------- */

/* Writes bytes [offset, offset + len) of the frame to dst (net_fill_fn):
 * header, then payload masked on the way. */
static void fill_frame(void *context, size_t offset, BYTE *dst, size_t len)
{
    const struct frame_fill *f = context;
    size_t n;

    if (offset < f->header_len)
    {
        n = min(len, f->header_len - offset);
        memcpy(dst, f->header + offset, n);
        dst += n;
        offset += n;
        len -= n;
    }
    if (len) wsp_mask_copy(dst, f->payload + (offset - f->header_len), len, f->mask, offset - f->header_len);
}

static DWORD prepare_frame(struct frame_fill *f, BOOL fin, unsigned opcode, const void *payload, size_t len)
{
    winhttp_random(NULL, f->mask, sizeof(f->mask));
    if (!(f->header_len = wsp_encode_header(f->header, fin, opcode, len, f->mask))) return ERROR_INVALID_PARAMETER;
    f->payload = payload;
    return ERROR_SUCCESS;
}

/* Sends one frame, blocking: header and masked payload are written once,
 * into the transport's send buffer or TLS records.  Caller owns the wire. */
static DWORD send_frame(struct websocket *ws, BOOL fin, unsigned opcode, const void *payload, size_t len)
{
    struct frame_fill f;
    DWORD error;

    if ((error = prepare_frame(&f, fin, opcode, payload, len))) return error;
    return net_send_fill(ws->conn, f.header_len + len, fill_frame, &f);
}

/* Takes the wire, waiting while another thread writes (bounded by its send
 * timeout).  Only where blocking is allowed: synchronous calls, close frames. */
static void wire_take(struct websocket *ws)
{
    AcquireSRWLockExclusive(&ws->send_lock);
    while (ws->wire_busy) SleepConditionVariableSRW(&ws->wire_free, &ws->send_lock, INFINITE, 0);
    ws->wire_busy = TRUE;
    ReleaseSRWLockExclusive(&ws->send_lock);
}

static void start_async_send(struct websocket *ws, BOOL on_caller);
static void finish_async_send(struct websocket *ws, DWORD error, BOOL on_caller, BOOL owns_wire);
static void CALLBACK flush_task(PTP_CALLBACK_INSTANCE instance, void *context);

/* Sends the queued control frames, blocking; the caller owns the wire. */
static void flush_controls(struct websocket *ws)
{
    struct control_frame *frame;
    DWORD error;

    for (;;)
    {
        AcquireSRWLockExclusive(&ws->send_lock);
        frame = pop_control(ws);
        ReleaseSRWLockExclusive(&ws->send_lock);
        if (!frame) return;
        if ((error = send_frame(ws, TRUE, frame->opcode, frame->payload, frame->len)))
            WARN("%p: control frame %u not sent: %lu\n", ws, frame->opcode, error);
        heap_free(frame);
    }
}

/* Gives the wire up.  Queued control frames go first: sent here when this
 * thread may block on the network, else handed to a pool task that owns the
 * wire meanwhile; then an async send that waited is started. */
static void wire_give(struct websocket *ws, BOOL may_block)
{
    BOOL queued;

    for (;;)
    {
        if (may_block) flush_controls(ws);
        AcquireSRWLockExclusive(&ws->send_lock);
        if (ws->ctl_count && !may_block)
        {
            ReleaseSRWLockExclusive(&ws->send_lock);
            addref_object(&ws->hdr);
            if (TrySubmitThreadpoolCallback(flush_task, ws, NULL)) return;
            release_object(&ws->hdr);
            ERR("%p: no pool thread for the control frames\n", ws);
            AcquireSRWLockExclusive(&ws->send_lock);
            while (ws->ctl_count) heap_free(pop_control(ws));
        }
        if (!ws->ctl_count && ws->wire_shutdown)
        {
            /* after the close that answers a protocol violation: FIN */
            ws->wire_shutdown = FALSE;
            ReleaseSRWLockExclusive(&ws->send_lock);
            net_shutdown_send(ws->conn);
            continue;
        }
        if (!ws->ctl_count)
        {
            queued = ws->send_queued;
            ws->send_queued = FALSE;
            if (!queued)
            {
                ws->wire_busy = FALSE;
                WakeAllConditionVariable(&ws->wire_free);
            }
            ReleaseSRWLockExclusive(&ws->send_lock);
            if (queued) start_async_send(ws, FALSE);
            return;
        }
        ReleaseSRWLockExclusive(&ws->send_lock);  /* queued meanwhile: flush again */
    }
}

static void CALLBACK flush_task(PTP_CALLBACK_INSTANCE instance, void *context)
{
    struct websocket *ws = context;

    wire_give(ws, TRUE);
    release_object(&ws->hdr);
}

/* Queues a control frame; any thread, cs may be held (nothing is written
 * here: control_kick does that once no lock is held).  A full queue drops
 * the frame: the peer is not reading our pongs (RFC 6455 §5.5.3 lets a pong
 * answer only the latest ping). */
static void queue_control(struct websocket *ws, unsigned opcode, const void *payload, size_t len)
{
    struct control_frame *frame = NULL;

    AcquireSRWLockExclusive(&ws->send_lock);
    if (ws->ctl_count < CONTROL_QUEUE_MAX && len <= WSP_MAX_CONTROL_PAYLOAD && (frame = heap_alloc(sizeof(*frame))))
    {
        frame->next = NULL;
        frame->opcode = opcode;
        frame->len = (BYTE)len;
        memcpy(frame->payload, payload, len);
        *ws->ctl_tail = frame;
        ws->ctl_tail = &frame->next;
        ws->ctl_count++;
    }
    ReleaseSRWLockExclusive(&ws->send_lock);
    if (!frame) WARN("%p: control queue full, frame %u dropped\n", ws, opcode);
}

/* Sends what queue_control queued if the wire is free (else its owner
 * will): on this thread for synchronous handles, from a pool task for
 * asynchronous ones, so async callers and completion threads never write. */
static void control_kick(struct websocket *ws)
{
    BOOL take;

    AcquireSRWLockExclusive(&ws->send_lock);
    take = !ws->wire_busy && (ws->ctl_count || ws->wire_shutdown);
    if (take) ws->wire_busy = TRUE;
    ReleaseSRWLockExclusive(&ws->send_lock);
    if (take) wire_give(ws, !object_is_async(&ws->hdr));
}

/* Sends a frame now (blocking), after whatever is on the wire and the
 * control frames queued before it (a pong must not follow our close). */
static DWORD send_now(struct websocket *ws, BOOL fin, unsigned opcode, const void *payload, size_t len)
{
    DWORD error;

    wire_take(ws);
    flush_controls(ws);
    error = send_frame(ws, fin, opcode, payload, len);
    wire_give(ws, !object_is_async(&ws->hdr));
    return error;
}

/* The connection cannot be used any more: remember why, wake up waiters. */
static void set_fatal_error(struct websocket *ws, DWORD error)
{
    if (!ws->fatal_error) ws->fatal_error = error;
    SetEvent(ws->close_event);
}

/* A protocol violation by the server: answer with the close code the core
 * names (1002, 1007, 1009) if we still may, then give up the connection. */
static void fail_connection(struct websocket *ws, enum wsp_status status)
{
    uint8_t payload[2];
    unsigned code = wsp_status_close_code(status);

    WARN("%p: server violated the protocol: %s, closing with %u\n", ws, wsp_status_name(status), code);
    if (!ws->close_sent && code)
    {
        payload[0] = code >> 8;
        payload[1] = code & 0xff;
        ws->close_sent = TRUE;
        queue_control(ws, WSP_OP_CLOSE, payload, sizeof(payload));
    }
    /* FIN after that frame; control_kick sends both once cs is released. */
    AcquireSRWLockExclusive(&ws->send_lock);
    ws->wire_shutdown = TRUE;
    ReleaseSRWLockExclusive(&ws->send_lock);
    set_fatal_error(ws, ERROR_WINHTTP_INVALID_SERVER_RESPONSE);
}

/* Receiving -------------------------------------------------------------- */

static WINHTTP_WEB_SOCKET_BUFFER_TYPE buffer_type(unsigned opcode, BOOL message_end)
{
    if (opcode == WSP_OP_TEXT)
        return message_end ? WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE : WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE;
    return message_end ? WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE : WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE;
}

static void record_close(struct websocket *ws, const struct wsp_event *ev)
{
    ws->close_received = TRUE;
    ws->close_status = ev->has_code ? ev->code : WINHTTP_WEB_SOCKET_EMPTY_CLOSE_STATUS;
    ws->close_reason_len = ev->reason_len;
    memcpy(ws->close_reason, ev->reason, ev->reason_len);
    TRACE("%p: close frame %u %s\n", ws, ws->close_status, debugstr_an((const char *)ws->close_reason, ws->close_reason_len));
    SetEvent(ws->close_event);
}

/* Decodes in[*used..in_len) until something for the caller comes out: data
 * (copied to out, at most out_len bytes; out NULL discards data, as Close
 * does), the peer's close frame, or an error.  Pings are answered here and
 * pongs dropped: control frames never surface.  Caller holds cs. */
static enum step decode_input(struct websocket *ws, const BYTE *in, size_t in_len, size_t *used, void *out,
                              DWORD out_len, DWORD *bytes, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    struct wsp_event ev;
    enum wsp_status status;
    size_t consumed;

    for (;;)
    {
        status = wsp_decode(&ws->decoder, in ? in + *used : NULL, in_len - *used, out ? out_len : 0, &consumed, &ev);
        *used += consumed;
        if (status == WSP_NEED_MORE) return STEP_NEED_INPUT;
        if (status != WSP_OK)
        {
            fail_connection(ws, status);
            return STEP_ERROR;
        }
        switch (ev.type)
        {
        case WSP_EVENT_DATA:
            /* A span cut short before invalid UTF-8 is not handed out: the
             * receive that would carry the bad bytes fails instead. */
            if ((status = wsp_decoder_pending_error(&ws->decoder)) != WSP_OK)
            {
                fail_connection(ws, status);
                return STEP_ERROR;
            }
            /* an empty frame that does not end its message has nothing to say */
            if (!out || (!ev.len && !(ev.flags & WSP_DATA_MESSAGE_END))) break;
            if (out != ev.data) memmove(out, ev.data, ev.len);  /* direct reads land in the same buffer */
            *bytes = ev.len;
            *type = buffer_type(ev.opcode, (ev.flags & WSP_DATA_MESSAGE_END) != 0);
            return STEP_DATA;
        case WSP_EVENT_PING:
            /* RFC 6455 5.5.3: the pong carries the ping's payload */
            if (!ws->close_sent) queue_control(ws, WSP_OP_PONG, ev.data, ev.len);
            break;
        case WSP_EVENT_CLOSE:
            record_close(ws, &ev);
            *bytes = 0;
            *type = WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE;
            return STEP_CLOSE;
        default:
            break;
        }
    }
}

/* Decodes what rbuf holds (see decode_input). */
static enum step process_input(struct websocket *ws, void *out, DWORD out_len, DWORD *bytes,
                               WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    size_t used = 0;
    enum step step = decode_input(ws, ws->rlen ? ws->rbuf + ws->rpos : NULL, ws->rlen - ws->rpos, &used, out,
                                  out_len, bytes, type);

    ws->rpos += used;
    if (step == STEP_NEED_INPUT) ws->rpos = ws->rlen = 0;
    return step;
}

/* Room in rbuf for the next read (process_input empties it on NEED_INPUT);
 * the buffer exists only while bytes come in.  NULL when out of memory. */
static BYTE *read_position(struct websocket *ws, size_t *room)
{
    if (!ws->rbuf && !(ws->rbuf = heap_alloc(ws->rbuf_size))) return NULL;
    *room = ws->rbuf_size - ws->rlen;
    return ws->rbuf + ws->rlen;
}

/* A keepalive interval passed with nothing from the peer.  The first time we
 * ping it; if a whole interval passes again without a byte (not even the
 * pong), the peer or the path to it is gone: ERROR_WINHTTP_TIMEOUT.  After
 * our close frame no ping is sent: the close timeout bounds that wait. */
static DWORD keepalive_expired(struct websocket *ws)
{
    BYTE payload[4];

    if (ws->close_sent) return ERROR_SUCCESS;
    if (ws->ping_outstanding)
    {
        WARN("%p: no answer to the keepalive ping\n", ws);
        return ERROR_WINHTTP_TIMEOUT;
    }
    TRACE("%p: idle for %lu ms, pinging\n", ws, ws->keepalive_interval);
    winhttp_random(NULL, payload, sizeof(payload));
    ws->ping_outstanding = TRUE;
    queue_control(ws, WSP_OP_PING, payload, sizeof(payload));
    return ERROR_SUCCESS;
}

/* Blocking read into rbuf; an idle peer is pinged (keepalive_expired). */
static DWORD read_into(struct websocket *ws, void *dst, size_t room, int timeout, BOOL keepalive, size_t *received)
{
    DWORD error;

    for (;;)
    {
        net_set_receive_timeout(ws->conn, timeout);
        error = net_recv(ws->conn, dst, room, received);
        if (error == ERROR_WINHTTP_TIMEOUT && keepalive && !ws->hdr.closing)
        {
            if ((error = keepalive_expired(ws))) return error;
            control_kick(ws);
            continue;
        }
        if (error) return error;
        if (!*received) return ERROR_WINHTTP_CONNECTION_ERROR;  /* TCP closed without a close frame */
        ws->ping_outstanding = FALSE;
        return ERROR_SUCCESS;
    }
}

static DWORD read_more(struct websocket *ws, int timeout, BOOL keepalive)
{
    size_t room, received;
    DWORD error;
    BYTE *pos = read_position(ws, &room);

    if (!pos) return ERROR_NOT_ENOUGH_MEMORY;
    if (!(error = read_into(ws, pos, room, timeout, keepalive, &received))) ws->rlen += received;
    return error;
}

/* With nothing buffered and a large enough caller buffer, bytes are read
 * straight into it: inside a frame that is pure payload (no copy at all), at
 * a frame boundary the header is stripped in place and whatever follows the
 * frame is kept in rbuf.  One read per message, as large as the caller takes. */
static BOOL can_read_direct(struct websocket *ws, DWORD len)
{
    return !ws->rlen && len >= DIRECT_READ_MIN;
}

static DWORD read_direct(struct websocket *ws, void *buf, DWORD len, DWORD *bytes, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type,
                         enum step *step)
{
    uint64_t remaining = wsp_decoder_payload_remaining(&ws->decoder);
    size_t want = remaining && remaining < len ? (size_t)remaining : len, received, used = 0, left;
    DWORD error;

    if ((error = read_into(ws, buf, want, ws->keepalive_interval, TRUE, &received))) return error;
    EnterCriticalSection(&ws->cs);
    *step = decode_input(ws, buf, received, &used, buf, len, bytes, type);
    if ((left = received - used) && *step != STEP_ERROR)
    {
        BYTE *rbuf = ws->rbuf;
        if (!rbuf || left > ws->rbuf_size)
        {
            if ((rbuf = heap_realloc(ws->rbuf, max(left, ws->rbuf_size)))) ws->rbuf_size = max(left, ws->rbuf_size);
        }
        if (rbuf)
        {
            ws->rbuf = rbuf;
            memcpy(rbuf, (BYTE *)buf + used, left);
            ws->rpos = 0;
            ws->rlen = left;
        }
        else error = ERROR_NOT_ENOUGH_MEMORY;
    }
    LeaveCriticalSection(&ws->cs);
    control_kick(ws);
    return error;
}

/* Synchronous receive: decode buffered bytes, read when they run out. */
static DWORD receive_sync(struct websocket *ws, void *buf, DWORD len, DWORD *bytes,
                          WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    enum step step;
    DWORD error;

    for (;;)
    {
        EnterCriticalSection(&ws->cs);
        step = process_input(ws, buf, len, bytes, type);
        error = ws->fatal_error;
        LeaveCriticalSection(&ws->cs);
        control_kick(ws);
        if (step == STEP_DATA || step == STEP_CLOSE) return ERROR_SUCCESS;
        if (step == STEP_ERROR) return error;
        if (can_read_direct(ws, len))
        {
            if (!(error = read_direct(ws, buf, len, bytes, type, &step)))
            {
                if (step == STEP_DATA || step == STEP_CLOSE) return ERROR_SUCCESS;
                if (step == STEP_ERROR) return ws->fatal_error;
                continue;
            }
        }
        else error = read_more(ws, ws->keepalive_interval, TRUE);
        if (error)
        {
            if (ws->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
            EnterCriticalSection(&ws->cs);
            set_fatal_error(ws, error);
            LeaveCriticalSection(&ws->cs);
            return error;
        }
    }
}

/* Asynchronous operations -------------------------------------------------- */

static void send_async_error(struct websocket *ws, WINHTTP_WEB_SOCKET_OPERATION operation, DWORD error)
{
    WINHTTP_WEB_SOCKET_ASYNC_RESULT result;

    memset(&result, 0, sizeof(result));
    result.AsyncResult.dwResult = 0;
    result.AsyncResult.dwError = error;
    result.Operation = operation;
    send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, &result, sizeof(result));
}

static void async_read_complete(struct netconn *conn, void *context, DWORD error, size_t bytes);
static void async_data_ready(struct netconn *conn, void *context, DWORD error, size_t bytes);
static void start_keepalive(struct websocket *ws);

/* Runs the pending async receive or close as far as buffered input allows,
 * then either completes it or starts the next overlapped read.  Holds a
 * reference on ws for the read it starts. */
static void async_step(struct websocket *ws)
{
    WINHTTP_WEB_SOCKET_STATUS status;
    enum step step;
    DWORD error = ERROR_SUCCESS;
    BOOL receive, close_done, read, again;
    size_t room;
    BYTE *pos;

    do
    {
        close_done = read = FALSE;
        EnterCriticalSection(&ws->cs);
        receive = ws->receive_pending;
        /* nothing pending, or a read in flight whose completion carries on */
        if ((!receive && !ws->close_pending) || ws->reading)
        {
            LeaveCriticalSection(&ws->cs);
            return;
        }
        if (ws->fatal_error) step = STEP_ERROR;
        else if (receive) step = process_input(ws, ws->user_buf, ws->user_len, &status.dwBytesTransferred, &status.eBufferType);
        else step = ws->close_received ? STEP_CLOSE : process_input(ws, NULL, 0, &status.dwBytesTransferred, &status.eBufferType);
        error = ws->fatal_error;
        if (step == STEP_NEED_INPUT)
        {
            ws->reading = read = TRUE;
            addref_object(&ws->hdr);
            start_keepalive(ws);
        }
        else if (receive) ws->receive_pending = FALSE;
        else
        {
            ws->close_pending = FALSE;
            close_done = TRUE;
        }
        LeaveCriticalSection(&ws->cs);
        control_kick(ws);

        if (read)
        {
            if (!ws->rlen && GetTickCount() - ws->last_data > BUSY_WINDOW)
            {
                /* Idle: wait for data without a buffer, so an idle connection
                 * with a receive pending costs no receive buffer. */
                heap_free(ws->rbuf);
                ws->rbuf = NULL;
                net_wait_async(ws->conn, async_data_ready, ws);
            }
            else if ((pos = read_position(ws, &room))) net_recv_async(ws->conn, pos, room, async_read_complete, ws);
            else async_read_complete(ws->conn, ws, ERROR_NOT_ENOUGH_MEMORY, 0);
            return;
        }
        if (ws->hdr.closing && error) error = ERROR_WINHTTP_OPERATION_CANCELLED;
        if (receive)
        {
            if (step == STEP_ERROR) send_async_error(ws, WINHTTP_WEB_SOCKET_RECEIVE_OPERATION, error);
            else
            {
                /* A Receive the program posts from this callback runs when it returns. */
                delivering = ws;
                send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_READ_COMPLETE, &status, sizeof(status));
                delivering = NULL;
            }
        }
        else if (close_done)
        {
            if (step == STEP_ERROR) send_async_error(ws, WINHTTP_WEB_SOCKET_CLOSE_OPERATION, error);
            else
            {
                net_shutdown_send(ws->conn);
                send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, NULL, 0);
            }
        }
        EnterCriticalSection(&ws->cs);
        again = ws->step_deferred;  /* the deferred receive holds its own reference */
        ws->step_deferred = FALSE;
        LeaveCriticalSection(&ws->cs);
        release_object(&ws->hdr);  /* the operation's reference */
    } while (again);
}

static void async_read_complete(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct websocket *ws = context;

    EnterCriticalSection(&ws->cs);
    ws->reading = FALSE;
    if (!error && !bytes) error = ERROR_WINHTTP_CONNECTION_ERROR;
    if (ws->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    if (error) set_fatal_error(ws, error);
    else
    {
        ws->rlen += bytes;
        ws->ping_outstanding = FALSE;
        ws->last_heard = ws->last_data = GetTickCount();
    }
    LeaveCriticalSection(&ws->cs);
    TRACE("%p: read %Iu bytes, error %lu\n", ws, bytes, error);
    async_step(ws);
    release_object(&ws->hdr);  /* the read's reference */
}

/* Data has arrived on an idle connection: read it into a fresh buffer
 * (on a secure connection the rest of a record may still be on its way). */
static void async_data_ready(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct websocket *ws = context;
    size_t room = 0;
    BYTE *pos = NULL;

    if (!error && !(pos = read_position(ws, &room))) error = ERROR_NOT_ENOUGH_MEMORY;
    if (!error)
    {
        error = net_recv_async(conn, pos, room, async_read_complete, ws);
        if (error == ERROR_IO_PENDING || error == ERROR_SUCCESS) return;  /* it completes (or did) */
    }
    async_read_complete(conn, ws, error, 0);
}

static void CALLBACK async_step_callback(PTP_CALLBACK_INSTANCE instance, void *context)
{
    async_step(context);
}

/* Starts the async receive or close: on a pool thread, so READ_COMPLETE
 * never runs inside the caller's stack and a program that posts the next
 * receive from its callback cannot recurse without bound. */
static DWORD queue_async_step(struct websocket *ws)
{
    if (TrySubmitThreadpoolCallback(async_step_callback, ws, NULL)) return ERROR_SUCCESS;
    return GetLastError();
}

/* Keepalive during async receives: one deadline per websocket, armed when a read
 * starts and not yet armed; it re-arms itself for what is left of the
 * interval since the peer was last heard, so busy connections cost nothing. */
static void keepalive_expired_fn(struct deadline *deadline)
{
    struct websocket *ws = CONTAINING_RECORD(deadline, struct websocket, keepalive_deadline);
    DWORD error = ERROR_SUCCESS, idle, next = 0;

    EnterCriticalSection(&ws->cs);
    idle = GetTickCount() - ws->last_heard;
    if (!ws->reading || ws->fatal_error) ws->keepalive_armed = FALSE;
    else if (idle < ws->keepalive_interval) next = ws->keepalive_interval - idle;
    else if ((error = keepalive_expired(ws))) set_fatal_error(ws, error);
    else
    {
        ws->last_heard = GetTickCount();  /* a whole interval more for the answer */
        next = ws->keepalive_interval;
    }
    if (error) ws->keepalive_armed = FALSE;
    LeaveCriticalSection(&ws->cs);
    if (error) net_cancel(ws->conn);
    else if (next) deadline_arm(&ws->keepalive_deadline, next, keepalive_expired_fn);
    /* The ping leaves from a pool task: a deadline only marks and wakes. */
    control_kick(ws);
}

/* Caller holds cs. */
static void start_keepalive(struct websocket *ws)
{
    if (ws->keepalive_armed) return;
    ws->keepalive_armed = TRUE;
    deadline_arm(&ws->keepalive_deadline, ws->keepalive_interval, keepalive_expired_fn);
}

/* The peer did not answer an async Close in time: the pending read ends, and
 * the close fails with ERROR_WINHTTP_TIMEOUT. */
static void close_expired_fn(struct deadline *deadline)
{
    struct websocket *ws = CONTAINING_RECORD(deadline, struct websocket, close_deadline);
    BOOL expired;

    EnterCriticalSection(&ws->cs);
    expired = ws->close_pending && !ws->close_received;
    if (expired) set_fatal_error(ws, ERROR_WINHTTP_TIMEOUT);
    LeaveCriticalSection(&ws->cs);
    if (expired)
    {
        TRACE("%p: no close frame within %lu ms\n", ws, ws->close_timeout);
        net_cancel(ws->conn);
    }
}

static void start_close_timer(struct websocket *ws)
{
    if (ws->close_timeout) deadline_arm(&ws->close_deadline, ws->close_timeout, close_expired_fn);
}

/* Asynchronous sends: the frame leaves without blocking anyone.  What the
 * socket takes at once leaves on the calling thread, and a send that all
 * left completes there, as on Windows; otherwise the call has returned and
 * the completion reports through a pool thread. */

/* What the callback reports: a copy, as the next Send may start before it runs. */
struct send_result
{
    struct websocket *ws;
    WINHTTP_WEB_SOCKET_STATUS status;
    DWORD error;
};

static void deliver_send_result(struct send_result *r)
{
    struct websocket *ws = r->ws;

    if (r->error) send_async_error(ws, WINHTTP_WEB_SOCKET_SEND_OPERATION, r->error);
    else send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, &r->status, sizeof(r->status));
    release_object(&ws->hdr);  /* the send's reference */
}

static void CALLBACK deliver_send_result_task(PTP_CALLBACK_INSTANCE instance, void *context)
{
    deliver_send_result(context);
    heap_free(context);
}

/* The async send is over: state first (a Send from the callback may follow
 * at once), then the wire, then the callback (here when on the caller's
 * thread, else on a pool thread: never on the completion thread). */
static void finish_async_send(struct websocket *ws, DWORD error, BOOL on_caller, BOOL owns_wire)
{
    if (error && ws->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    TRACE("%p: async send of %lu bytes: %lu\n", ws, ws->out_status.dwBytesTransferred, error);
    struct send_result result = { ws, ws->out_status, error }, *copy;

    EnterCriticalSection(&ws->cs);
    ws->send_pending = FALSE;
    if (!error) ws->send_fragment = ws->out_next_fragment;
    else set_fatal_error(ws, error);
    LeaveCriticalSection(&ws->cs);
    if (owns_wire) wire_give(ws, FALSE);
    if (!on_caller && (copy = heap_alloc(sizeof(*copy))))
    {
        *copy = result;
        if (TrySubmitThreadpoolCallback(deliver_send_result_task, copy, NULL)) return;
        heap_free(copy);
    }
    deliver_send_result(&result);
}

static void async_send_done(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    finish_async_send(context, error, FALSE, TRUE);
}

/* Starts the send prepared in ws->out; the caller owns the wire. */
static void start_async_send(struct websocket *ws, BOOL on_caller)
{
    DWORD error = net_send_fill_async(ws->conn, ws->out.header_len + ws->out_status.dwBytesTransferred, fill_frame,
                                      &ws->out, async_send_done, ws);

    if (error != ERROR_IO_PENDING) finish_async_send(ws, error, on_caller, TRUE);
}

/* Public API ----------------------------------------------------------------- */

static struct websocket *grab_websocket(HINTERNET handle, DWORD *error)
{
    struct object_header *hdr = grab_typed_object(handle, HANDLE_TYPE_SOCKET, error);
    return hdr ? impl_from_hdr(hdr) : NULL;
}

/***********************************************************************
 *          WinHttpWebSocketCompleteUpgrade (winhttp.@)
 */
HINTERNET WINAPI WinHttpWebSocketCompleteUpgrade(HINTERNET hrequest, DWORD_PTR context)
{
    struct upgraded_connection up;
    struct object_header *request;
    struct websocket *ws;
    HINTERNET handle;
    DWORD error;

    TRACE("%p, %#Ix\n", hrequest, context);

    if (!(request = grab_typed_object(hrequest, HANDLE_TYPE_REQUEST, &error)))
    {
        SetLastError(error);
        return NULL;
    }
    if ((error = request_take_upgraded_connection(request, &up)))
    {
        release_object(request);
        SetLastError(error);
        return NULL;
    }
    if (!(ws = heap_alloc_zero(sizeof(*ws))))
    {
        net_close(up.conn);
        heap_free(up.extra);
        release_object(request);
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    /* The websocket does not keep the request alive: the program may close
     * the request handle at once (and gets its HANDLE_CLOSING at once). */
    init_object(&ws->hdr, HANDLE_TYPE_SOCKET, &websocket_vtbl, NULL);
    ws->hdr.flags = request->flags & WINHTTP_FLAG_ASYNC;
    ws->hdr.callback = request->callback;
    ws->hdr.notify_mask = request->notify_mask;
    ws->hdr.context = context;
    ws->conn = up.conn;
    InitializeCriticalSection(&ws->cs);
    InitializeSRWLock(&ws->send_lock);
    ws->ctl_tail = &ws->ctl_head;
    InitializeConditionVariable(&ws->wire_free);
    ws->close_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    ws->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
    ws->last_heard = GetTickCount();
    ws->close_timeout = DEFAULT_CLOSE_TIMEOUT;
    wsp_decoder_init(&ws->decoder, 0);
    ws->rbuf_size = max(max(up.receive_buffer_size, MIN_RECEIVE_BUFFER), up.extra_len);
    /* Frames that came with the 101 are the first input. */
    ws->rlen = up.extra_len;
    if (up.extra_len && !(ws->rbuf = heap_realloc(up.extra, ws->rbuf_size))) heap_free(up.extra);
    net_set_timeouts(ws->conn, up.timeouts.send, 0);

    handle = (ws->rbuf || !ws->rlen) && ws->close_event ? alloc_handle(&ws->hdr) : NULL;
    if (handle) send_callback(request, WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, &handle, sizeof(handle));
    release_object(&ws->hdr);
    release_object(request);
    TRACE("returning %p\n", handle);
    if (!handle)
    {
        SetLastError(ERROR_OUTOFMEMORY);
        return NULL;
    }
    SetLastError(ERROR_SUCCESS);
    return handle;
}

/***********************************************************************
 *          WinHttpWebSocketSend (winhttp.@)
 */
DWORD WINAPI WinHttpWebSocketSend(HINTERNET hsocket, WINHTTP_WEB_SOCKET_BUFFER_TYPE type, void *buf, DWORD len)
{
    enum fragment_type kind, next_fragment;
    struct websocket *ws;
    unsigned opcode;
    BOOL fin, queued;
    DWORD error;

    TRACE("%p, %d, %p, %lu\n", hsocket, type, buf, len);

    if (!buf && len) return ERROR_INVALID_PARAMETER;
    switch (type)
    {
    case WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE:  kind = FRAGMENT_BINARY; fin = TRUE; break;
    case WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE: kind = FRAGMENT_BINARY; fin = FALSE; break;
    case WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE:    kind = FRAGMENT_UTF8; fin = TRUE; break;
    case WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE:   kind = FRAGMENT_UTF8; fin = FALSE; break;
    default: return ERROR_INVALID_PARAMETER;
    }
    if (!(ws = grab_websocket(hsocket, &error))) return error;

    EnterCriticalSection(&ws->cs);
    if (ws->send_fragment != FRAGMENT_NONE && ws->send_fragment != kind) error = ERROR_INVALID_PARAMETER;
    else if (ws->fatal_error) error = ws->fatal_error;
    else if (ws->state != SOCKET_STATE_OPEN || ws->close_sent || ws->close_received || ws->send_pending)
        error = ERROR_INVALID_OPERATION;
    else ws->send_pending = TRUE;
    LeaveCriticalSection(&ws->cs);
    if (error)
    {
        release_object(&ws->hdr);
        return error;
    }

    /* A message in pieces: TEXT/BINARY first, CONTINUATION after, FIN last. */
    opcode = ws->send_fragment != FRAGMENT_NONE ? WSP_OP_CONTINUATION : kind == FRAGMENT_UTF8 ? WSP_OP_TEXT : WSP_OP_BINARY;
    next_fragment = fin ? FRAGMENT_NONE : kind;

    if (object_is_async(&ws->hdr))
    {
        /* The send keeps a reference until its WRITE_COMPLETE or error. */
        addref_object(&ws->hdr);
        ws->out_status.dwBytesTransferred = len;
        ws->out_status.eBufferType = type;
        ws->out_next_fragment = next_fragment;
        if ((error = prepare_frame(&ws->out, fin, opcode, buf, len)))
            finish_async_send(ws, error, TRUE, FALSE);
        else
        {
            AcquireSRWLockExclusive(&ws->send_lock);
            if (!(queued = ws->wire_busy)) ws->wire_busy = TRUE;
            else ws->send_queued = TRUE;  /* wire_give starts it */
            ReleaseSRWLockExclusive(&ws->send_lock);
            if (!queued) start_async_send(ws, TRUE);
        }
        release_object(&ws->hdr);
        return ERROR_SUCCESS;
    }

    error = send_now(ws, fin, opcode, buf, len);
    EnterCriticalSection(&ws->cs);
    ws->send_pending = FALSE;
    if (!error) ws->send_fragment = next_fragment;
    else set_fatal_error(ws, error);
    LeaveCriticalSection(&ws->cs);
    release_object(&ws->hdr);
    return error;
}

/***********************************************************************
 *          WinHttpWebSocketReceive (winhttp.@)
 */
DWORD WINAPI WinHttpWebSocketReceive(HINTERNET hsocket, void *buf, DWORD len, DWORD *ret_len,
                                     WINHTTP_WEB_SOCKET_BUFFER_TYPE *ret_type)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    struct websocket *ws;
    DWORD error, bytes;

    TRACE("%p, %p, %lu, %p, %p\n", hsocket, buf, len, ret_len, ret_type);

    if (!buf || !len) return ERROR_INVALID_PARAMETER;
    if (!(ws = grab_websocket(hsocket, &error))) return error;

    EnterCriticalSection(&ws->cs);
    if (ws->fatal_error) error = ws->fatal_error;
    else if (ws->state >= SOCKET_STATE_CLOSED || ws->close_received || ws->receive_pending)
        error = ERROR_INVALID_OPERATION;
    else if (!object_is_async(&ws->hdr) && (!ret_len || !ret_type)) error = ERROR_INVALID_PARAMETER;
    else
    {
        ws->receive_pending = TRUE;
        ws->user_buf = buf;
        ws->user_len = len;
    }
    LeaveCriticalSection(&ws->cs);
    if (error)
    {
        release_object(&ws->hdr);
        return error;
    }

    if (object_is_async(&ws->hdr))
    {
        BOOL run_here = FALSE;

        /* The pending receive keeps a reference; async_step releases it.
         * Buffered data completes on a pool thread (never inside the
         * caller's stack), or after our READ_COMPLETE returns when called
         * from it; with nothing buffered the read is posted right here. */
        EnterCriticalSection(&ws->cs);
        if (ws->reading) ;  /* the read in flight carries on */
        else if (delivering == ws) ws->step_deferred = TRUE;
        else if (!ws->rlen) run_here = TRUE;
        else if ((error = queue_async_step(ws))) ws->receive_pending = FALSE;
        LeaveCriticalSection(&ws->cs);
        if (run_here) async_step(ws);
        if (error) release_object(&ws->hdr);
        return error;
    }

    error = receive_sync(ws, buf, len, &bytes, &type);
    EnterCriticalSection(&ws->cs);
    ws->receive_pending = FALSE;
    LeaveCriticalSection(&ws->cs);
    if (!error)
    {
        *ret_len = bytes;
        *ret_type = type;
    }
    release_object(&ws->hdr);
    return error;
}

/* Parameter checks shared by Shutdown and Close, then the close frame. */
static DWORD check_close_params(USHORT status, const void *reason, DWORD len, BYTE *payload, size_t *payload_len)
{
    if ((len && !reason) || len > WINHTTP_WEB_SOCKET_MAX_CLOSE_REASON_LENGTH) return ERROR_INVALID_PARAMETER;
    *payload_len = wsp_encode_close_payload(payload, status, reason, len);
    if (*payload_len == WSP_ENCODE_ERROR) return ERROR_INVALID_PARAMETER;
    return ERROR_SUCCESS;
}

/* Sends our close frame once; callers hold no lock. */
static DWORD send_close_frame(struct websocket *ws, const BYTE *payload, size_t len)
{
    DWORD error;

    EnterCriticalSection(&ws->cs);
    if (ws->close_sent)
    {
        LeaveCriticalSection(&ws->cs);
        return ERROR_SUCCESS;
    }
    ws->close_sent = TRUE;
    LeaveCriticalSection(&ws->cs);
    error = send_now(ws, TRUE, WSP_OP_CLOSE, payload, len);
    if (error)
    {
        EnterCriticalSection(&ws->cs);
        set_fatal_error(ws, error);
        LeaveCriticalSection(&ws->cs);
    }
    return error;
}

/***********************************************************************
 *          WinHttpWebSocketShutdown (winhttp.@)
 */
DWORD WINAPI WinHttpWebSocketShutdown(HINTERNET hsocket, USHORT status, void *reason, DWORD len)
{
    BYTE payload[WSP_MAX_CONTROL_PAYLOAD];
    struct websocket *ws;
    size_t payload_len;
    DWORD error;

    TRACE("%p, %u, %p, %lu\n", hsocket, status, reason, len);

    if ((error = check_close_params(status, reason, len, payload, &payload_len))) return error;
    if (!(ws = grab_websocket(hsocket, &error))) return error;

    EnterCriticalSection(&ws->cs);
    if (ws->fatal_error) error = ws->fatal_error;
    else if (ws->state >= SOCKET_STATE_SHUTDOWN || ws->send_pending) error = ERROR_INVALID_OPERATION;
    else ws->state = SOCKET_STATE_SHUTDOWN;
    LeaveCriticalSection(&ws->cs);

    if (!error) error = send_close_frame(ws, payload, payload_len);
    if (!error && object_is_async(&ws->hdr))
        send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE, NULL, 0);
    else if (error && object_is_async(&ws->hdr) && error != ERROR_INVALID_OPERATION)
    {
        send_async_error(ws, WINHTTP_WEB_SOCKET_SHUTDOWN_OPERATION, error);
        error = ERROR_SUCCESS;
    }
    release_object(&ws->hdr);
    return error;
}

/* Synchronous close: wait for the peer's close frame within the close
 * timeout, discarding data; if another thread is receiving, it reads and we
 * wait for it to see the close. */
static DWORD close_sync(struct websocket *ws)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    BOOL other_reader;
    enum step step;
    DWORD error, bytes;

    for (;;)
    {
        EnterCriticalSection(&ws->cs);
        error = ws->fatal_error;
        other_reader = ws->receive_pending;
        step = ws->close_received ? STEP_CLOSE : error ? STEP_ERROR : other_reader ? STEP_NEED_INPUT
               : process_input(ws, NULL, 0, &bytes, &type);
        error = ws->fatal_error;
        LeaveCriticalSection(&ws->cs);
        control_kick(ws);
        if (step == STEP_CLOSE) return ERROR_SUCCESS;
        if (step == STEP_ERROR) return error;
        if (other_reader)
        {
            if (WaitForSingleObject(ws->close_event, ws->close_timeout) == WAIT_TIMEOUT) error = ERROR_WINHTTP_TIMEOUT;
            else continue;
        }
        else error = read_more(ws, ws->close_timeout ? (int)ws->close_timeout : -1, FALSE);
        if (error)
        {
            EnterCriticalSection(&ws->cs);
            set_fatal_error(ws, error);
            LeaveCriticalSection(&ws->cs);
            net_cancel(ws->conn);
            return error;
        }
    }
}

/***********************************************************************
 *          WinHttpWebSocketClose (winhttp.@)
 */
DWORD WINAPI WinHttpWebSocketClose(HINTERNET hsocket, USHORT status, void *reason, DWORD len)
{
    BYTE payload[WSP_MAX_CONTROL_PAYLOAD];
    BOOL cancel_receive = FALSE, async;
    struct websocket *ws;
    size_t payload_len;
    DWORD error;

    TRACE("%p, %u, %p, %lu\n", hsocket, status, reason, len);

    if ((error = check_close_params(status, reason, len, payload, &payload_len))) return error;
    if (!(ws = grab_websocket(hsocket, &error))) return error;
    async = object_is_async(&ws->hdr);

    EnterCriticalSection(&ws->cs);
    if (ws->state >= SOCKET_STATE_CLOSED || ws->send_pending) error = ERROR_INVALID_OPERATION;
    else
    {
        ws->state = SOCKET_STATE_CLOSED;
        if (async)
        {
            /* A pending receive is cancelled now; its read, if any, now works for us. */
            cancel_receive = ws->receive_pending;
            ws->receive_pending = FALSE;
            ws->close_pending = TRUE;
        }
    }
    LeaveCriticalSection(&ws->cs);
    if (error)
    {
        release_object(&ws->hdr);
        return error;
    }

    if (cancel_receive)
    {
        send_async_error(ws, WINHTTP_WEB_SOCKET_RECEIVE_OPERATION, ERROR_WINHTTP_OPERATION_CANCELLED);
        release_object(&ws->hdr);  /* the cancelled receive's reference */
    }
    if (!ws->fatal_error) send_close_frame(ws, payload, payload_len);

    if (async)
    {
        /* The close holds a reference until CLOSE_COMPLETE or its error. */
        addref_object(&ws->hdr);
        if (!ws->close_received && !ws->fatal_error) start_close_timer(ws);
        EnterCriticalSection(&ws->cs);
        if (ws->close_received || ws->fatal_error || !ws->reading)
        {
            LeaveCriticalSection(&ws->cs);
            async_step(ws);
        }
        else LeaveCriticalSection(&ws->cs);
        release_object(&ws->hdr);
        return ERROR_SUCCESS;
    }

    error = close_sync(ws);
    if (!error) net_shutdown_send(ws->conn);
    release_object(&ws->hdr);
    return error;
}

/***********************************************************************
 *          WinHttpWebSocketQueryCloseStatus (winhttp.@)
 */
DWORD WINAPI WinHttpWebSocketQueryCloseStatus(HINTERNET hsocket, USHORT *status, void *reason, DWORD len,
                                              DWORD *consumed)
{
    struct websocket *ws;
    DWORD error;

    TRACE("%p, %p, %p, %lu, %p\n", hsocket, status, reason, len, consumed);

    if (!status || (!reason && len) || !consumed) return ERROR_INVALID_PARAMETER;
    if (!(ws = grab_websocket(hsocket, &error))) return error;

    EnterCriticalSection(&ws->cs);
    if (!ws->close_received) error = ws->fatal_error ? ws->fatal_error : ERROR_INVALID_OPERATION;
    else
    {
        *status = ws->close_status;
        *consumed = ws->close_reason_len;
        if (len < ws->close_reason_len) error = ERROR_INSUFFICIENT_BUFFER;
        else if (ws->close_reason_len) memcpy(reason, ws->close_reason, ws->close_reason_len);
    }
    LeaveCriticalSection(&ws->cs);
    release_object(&ws->hdr);
    return error;
}
