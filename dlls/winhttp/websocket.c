/*
 * WebSocket handles: WinHttpWebSocketCompleteUpgrade, Send, Receive,
 * Shutdown, Close and QueryCloseStatus.
 *
 * Framing, UTF-8 and close-code rules live in the portable core (wsp.h);
 * this file keeps Windows' state rules and feeds the core from the transport.
 * Synchronous calls block on the socket, bounded by the handle's timeouts.
 * Asynchronous calls are tasks (task.c) on two queues per websocket, one for
 * receiving and one for the wire: each step parks while its overlapped I/O
 * is in flight, so a pending operation costs no thread, and the program's
 * callbacks run where the task runs -- a pool thread, or the calling thread
 * when the network took the frame at once (docs/ENGINE.md).
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
#include "task.h"
#include "wsp.h"

#define DEFAULT_KEEPALIVE_INTERVAL 30000
#define DEFAULT_CLOSE_TIMEOUT      10000
#define MIN_RECEIVE_BUFFER         4096
#define DIRECT_READ_MIN            4096                /* smaller reads go through rbuf */
#define RBUF_MAX                   (256 * 1024)        /* rbuf grows up to this while reads fill it */
#define BUSY_WINDOW                1000                /* ms: data this recent means more is coming */
#define CONTROL_QUEUE_MAX          64                  /* control frames waiting for the wire */
#define MAX_UPGRADE_HEAD           (64 * 1024)         /* the 101 head, when it comes after the upgrade */

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

/* The asynchronous operations, each a task (task.c). */
enum ws_op_type
{
    OP_RECEIVE,                   /* receive queue: WinHttpWebSocketReceive */
    OP_CLOSE_WAIT,                /* receive queue: Close waits for the peer's close frame */
    OP_SEND,                      /* send queue: WinHttpWebSocketSend */
    OP_SHUTDOWN,                  /* send queue: our close frame, then SHUTDOWN_COMPLETE */
    OP_CLOSE_FRAME,               /* send queue: our close frame for Close */
    OP_FLUSH,                     /* send queue: queued control frames only */
};

struct ws_op
{
    struct task task;             /* first: the queue frees the op */
    enum ws_op_type type;
    BOOL cancelled;               /* receive: Close has reported it (cs) */
    void *buf;                    /* receive: the caller's buffer */
    DWORD len;
    struct frame_fill frame;      /* send queue: the op's own frame (data or close) */
    BOOL frame_done;
    WINHTTP_WEB_SOCKET_STATUS status;     /* send: what WRITE_COMPLETE reports */
    enum fragment_type next_fragment;     /* send: what the next Send must continue */
    BYTE close_payload[WSP_MAX_CONTROL_PAYLOAD];
    struct control_frame *control;        /* send queue: the control frame in flight */
    struct frame_fill control_frame;
    BOOL writing;                 /* send queue: a write is in flight, its result in ws->write_error */
};

/* Threads and locks.
 *
 * cs guards the state, the decoder and the receive buffer; it is never held
 * across I/O or a callback.  send_lock guards the control queue and the
 * wire flags and is held for no I/O.  Lock order: cs, then send_lock.
 * Both are critical sections, not SRW locks: every message takes them, and
 * under Wine 8 releasing even an uncontended SRW lock looks for waiters to
 * wake (RtlWakeAddressAll), 3-5 times an uncontended critical section's
 * cost; a contended one waits on a futex alike (docs/HOST.md, "Speed").
 *
 * Asynchronous handles: recv_queue runs receives and the close wait, one at
 * a time, send_queue every write (data, close frames, control frames), one
 * at a time -- so one read and one write are in flight at most, as net.h
 * wants.  Their steps run on pool threads, or the first step on the calling
 * thread (Send, Shutdown, Close).  Control frames (pong, the close after a
 * protocol violation, keepalive pings) wait in the control queue until a
 * send-queue task writes them -- never under cs, never on the timer or the
 * completion thread.
 *
 * Synchronous handles: the wire is taken with wire_busy (blocking while
 * another thread writes); its owner writes the queued control frames before
 * it gives the wire up. */
struct websocket
{
    struct object_header hdr;
    struct netconn *conn;
    CRITICAL_SECTION cs;
    CRITICAL_SECTION send_lock;
    CONDITION_VARIABLE wire_free; /* synchronous handles: wire_busy went FALSE */
    BOOL wire_busy;               /* synchronous handles: a thread writes */
    unsigned int wire_waiters;    /* synchronous handles: threads waiting for wire_free */
    BOOL wire_shutdown;           /* FIN once the control queue is empty (protocol violation) */
    BOOL flush_queued;            /* an OP_FLUSH task is queued (send_lock) */
    struct control_frame *ctl_head, **ctl_tail;
    unsigned int ctl_count;
    struct task_queue recv_queue;
    struct task_queue send_queue;
    struct ws_op *receive_op;     /* the pending async receive (cs) */
    DWORD write_error;            /* the send queue's write that completed */
    /* the receive queue's read: one in flight at most */
    BOOL read_ready;              /* it completed: read_error, read_bytes */
    BOOL read_waiting;            /* it is a wait for data without a buffer */
    BOOL readable;                /* that wait said data is there: read it now */
    DWORD read_error;
    size_t read_bytes;
    HANDLE close_event;           /* set once the peer's close arrived or the connection died */
    enum socket_state state;
    enum fragment_type send_fragment;
    BOOL send_pending;
    BOOL receive_pending;
    BOOL close_pending;           /* async Close waits for the peer's close */
    BOOL reading;                 /* a read is in flight */
    BOOL close_sent;              /* our close frame is queued or sent */
    BOOL close_frame_out;         /* async: it has left */
    BOOL fin_sent;
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
    DWORD last_data;              /* tick count of the last data frame bytes, 0 before the first:
                                   * busy or idle?  Control frames do not count: the pong that
                                   * answers a keepalive ping must not keep an idle connection's
                                   * receive buffer (start_read) */
    /* receiving */
    char *head;                   /* the 101 head still to check (upgraded before the answer), or NULL */
    size_t head_len;
    char key[WSP_KEY_LEN + 1];    /* what it is checked against */
    struct wsp_decoder decoder;
    BYTE *rbuf;
    size_t rbuf_size, rpos, rlen;
};

static struct websocket *impl_from_hdr(struct object_header *hdr)
{
    return CONTAINING_RECORD(hdr, struct websocket, hdr);
}

/* Ops that are over, kept for the next: an asynchronous message allocates
 * two (its Receive's and its Send's), and under Wine 8 every heap
 * allocation and free takes the heap's critical section.  One lock-free
 * list (SList) for all websockets, at most OP_CACHE_MAX ops: a spare per
 * websocket would cost every idle connection its size.  An op is a heap
 * block either way, so heap_free stays right for any of them. */
#define OP_CACHE_MAX 32
static SLIST_HEADER op_cache;  /* zeroed: an empty list */

static struct ws_op *alloc_op(void)
{
    struct ws_op *op = (struct ws_op *)InterlockedPopEntrySList(&op_cache);

    if (!op && !(op = heap_alloc(sizeof(*op)))) return NULL;
    memset(op, 0, sizeof(*op));
    return op;
}

/* The websocket queues' free_task (task.h). */
static void free_op(struct task *task)
{
    C_ASSERT(FIELD_OFFSET(struct ws_op, task) == 0);
    if (QueryDepthSList(&op_cache) < OP_CACHE_MAX) InterlockedPushEntrySList(&op_cache, (SLIST_ENTRY *)task);
    else heap_free(task);
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
    task_queue_destroy(&ws->recv_queue);
    task_queue_destroy(&ws->send_queue);
    DeleteCriticalSection(&ws->send_lock);
    DeleteCriticalSection(&ws->cs);
    CloseHandle(ws->close_event);
    heap_free(ws->head);
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
    cancel = cancel || task_queue_busy(&ws->recv_queue) || task_queue_busy(&ws->send_queue);
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
    }
    if (query_websocket_option_refused(option)) return FALSE;
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

/* Synchronous handles: takes the wire, waiting while another thread writes
 * (bounded by its send timeout).  TRUE when control frames are queued. */
static BOOL wire_take(struct websocket *ws)
{
    BOOL queued;

    EnterCriticalSection(&ws->send_lock);
    while (ws->wire_busy)
    {
        ws->wire_waiters++;
        SleepConditionVariableCS(&ws->wire_free, &ws->send_lock, INFINITE);
        ws->wire_waiters--;
    }
    ws->wire_busy = TRUE;
    queued = ws->ctl_count != 0;
    LeaveCriticalSection(&ws->send_lock);
    return queued;
}

/* TRUE once (send_lock held): the FIN that follows the close answering a
 * protocol violation is due, the control queue being empty. */
static BOOL take_fin(struct websocket *ws)
{
    if (!ws->wire_shutdown || ws->ctl_count) return FALSE;
    ws->wire_shutdown = FALSE;
    return TRUE;
}

/* Synchronous handles: sends a control frame taken from the queue
 * (blocking); the caller owns the wire. */
static void send_control(struct websocket *ws, struct control_frame *frame)
{
    DWORD error;

    if ((error = send_frame(ws, TRUE, frame->opcode, frame->payload, frame->len)))
        WARN("%p: control frame %u not sent: %lu\n", ws, frame->opcode, error);
    heap_free(frame);
}

/* Synchronous handles: sends the queued control frames; the caller owns the wire. */
static void send_controls(struct websocket *ws)
{
    struct control_frame *frame;

    for (;;)
    {
        EnterCriticalSection(&ws->send_lock);
        frame = pop_control(ws);
        LeaveCriticalSection(&ws->send_lock);
        if (!frame) return;
        send_control(ws, frame);
    }
}

/* Synchronous handles: gives the wire up, the queued control frames sent.
 * One lock round when none is queued (every message). */
static void wire_give(struct websocket *ws)
{
    struct control_frame *frame;
    BOOL fin = FALSE;

    for (;;)
    {
        EnterCriticalSection(&ws->send_lock);
        if (!(frame = pop_control(ws)))
        {
            fin = take_fin(ws);
            ws->wire_busy = FALSE;
            if (ws->wire_waiters) WakeAllConditionVariable(&ws->wire_free);
        }
        LeaveCriticalSection(&ws->send_lock);
        if (!frame) break;
        send_control(ws, frame);
    }
    if (fin) net_shutdown_send(ws->conn);
}

/* Queues a control frame; any thread, cs may be held (nothing is written
 * here: control_kick does that once no lock is held).  A full queue drops
 * the frame: the peer is not reading our pongs (RFC 6455 §5.5.3 lets a pong
 * answer only the latest ping). */
static void queue_control(struct websocket *ws, unsigned opcode, const void *payload, size_t len)
{
    struct control_frame *frame = NULL;

    EnterCriticalSection(&ws->send_lock);
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
    LeaveCriticalSection(&ws->send_lock);
    if (!frame) WARN("%p: control queue full, frame %u dropped\n", ws, opcode);
}

static DWORD start_send_op(struct websocket *ws, struct ws_op *op, BOOL here);

/* Has what queue_control queued written: synchronous handles on this thread
 * (if the wire is free, else its owner does it); asynchronous ones by a
 * send-queue task, whose first step runs here unless on_timer (a deadline
 * only marks and wakes). */
static void control_kick(struct websocket *ws, BOOL on_timer)
{
    struct ws_op *op;
    BOOL take;

    /* Every receive comes here; nearly always nothing is queued.  Reading
     * without the lock is enough: whoever queues a frame or sets
     * wire_shutdown calls this afterwards on its own thread, and sees its
     * own write. */
    if (!*(volatile unsigned int *)&ws->ctl_count && !*(volatile BOOL *)&ws->wire_shutdown) return;
    EnterCriticalSection(&ws->send_lock);
    if (!object_is_async(&ws->hdr))
    {
        take = !ws->wire_busy && (ws->ctl_count || ws->wire_shutdown);
        if (take) ws->wire_busy = TRUE;
    }
    else
    {
        take = !ws->flush_queued && (ws->ctl_count || ws->wire_shutdown);
        if (take) ws->flush_queued = TRUE;
    }
    LeaveCriticalSection(&ws->send_lock);
    if (!take) return;
    if (!object_is_async(&ws->hdr))
    {
        wire_give(ws);
        return;
    }
    if ((op = alloc_op()))
    {
        op->type = OP_FLUSH;
        if (!start_send_op(ws, op, !on_timer)) return;
    }
    ERR("%p: cannot queue the control frames\n", ws);
    EnterCriticalSection(&ws->send_lock);
    ws->flush_queued = FALSE;
    LeaveCriticalSection(&ws->send_lock);
}

/* Synchronous handles: sends a frame now, after whatever is on the wire
 * and the control frames queued before it (a pong must not follow our
 * close). */
static DWORD send_now(struct websocket *ws, BOOL fin, unsigned opcode, const void *payload, size_t len)
{
    DWORD error;

    if (wire_take(ws)) send_controls(ws);
    error = send_frame(ws, fin, opcode, payload, len);
    wire_give(ws);
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
    EnterCriticalSection(&ws->send_lock);
    ws->wire_shutdown = TRUE;
    LeaveCriticalSection(&ws->send_lock);
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
/* Upgraded before the answer came (request_take_upgraded_connection): the
 * answer's head comes first and is collected here (cs held), then checked
 * as CompleteUpgrade checks one that came before it; frames follow it.
 * STEP_DATA once it passed (nothing handed out), STEP_NEED_INPUT while it is
 * incomplete (the bytes are kept here), STEP_ERROR when it is not a 101 for
 * our key. */
static enum step take_upgrade_head(struct websocket *ws, const BYTE *in, size_t in_len, size_t *used)
{
    static const char end[] = "\r\n\r\n";
    size_t n, scan_from = ws->head_len > 3 ? ws->head_len - 3 : 0;
    char *head, *found;
    DWORD error;

    n = min(in_len - *used, MAX_UPGRADE_HEAD - ws->head_len);
    if (!(head = heap_realloc(ws->head, ws->head_len + n + 1)))
    {
        set_fatal_error(ws, ERROR_NOT_ENOUGH_MEMORY);
        return STEP_ERROR;
    }
    memcpy(head + ws->head_len, in + *used, n);
    head[ws->head_len + n] = 0;
    ws->head = head;
    if (!(found = strstr(head + scan_from, end)))
    {
        ws->head_len += n;
        *used += n;
        if (ws->head_len < MAX_UPGRADE_HEAD) return STEP_NEED_INPUT;
        set_fatal_error(ws, ERROR_WINHTTP_INVALID_SERVER_RESPONSE);
        return STEP_ERROR;
    }
    n = found + strlen(end) - (head + ws->head_len);  /* of this input, up to the end of the head */
    *used += n;
    ws->head_len += n;
    error = upgrade_check_head(ws->head, ws->head_len, ws->key);
    TRACE("%p: the answer to the upgrade came: %lu\n", ws, error);
    heap_free(ws->head);
    ws->head = NULL;
    if (!error) return STEP_DATA;
    set_fatal_error(ws, error);
    return STEP_ERROR;
}

static enum step decode_input(struct websocket *ws, const BYTE *in, size_t in_len, size_t *used, void *out,
                              DWORD out_len, DWORD *bytes, WINHTTP_WEB_SOCKET_BUFFER_TYPE *type)
{
    struct wsp_event ev;
    enum wsp_status status;
    enum step step;
    size_t consumed;

    if (ws->head && (step = take_upgrade_head(ws, in, in_len, used)) != STEP_DATA) return step;
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
            ws->last_data = GetTickCount();
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

/* A read filled rbuf: more is coming than it holds, so the next read may
 * take more (up to RBUF_MAX).  Fewer, larger reads: under Wine each read is
 * a server round trip, far dearer than copying what it brought. */
static void rbuf_filled(struct websocket *ws)
{
    size_t size = min(ws->rbuf_size * 2, RBUF_MAX);
    BYTE *rbuf;

    if (ws->rlen < ws->rbuf_size || size <= ws->rbuf_size) return;
    if (!(rbuf = heap_realloc(ws->rbuf, size))) return;
    ws->rbuf = rbuf;
    ws->rbuf_size = size;
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
            control_kick(ws, FALSE);
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
    if (!(error = read_into(ws, pos, room, timeout, keepalive, &received)))
    {
        ws->rlen += received;
        rbuf_filled(ws);
    }
    return error;
}

/* Inside a frame with enough payload to come, nothing buffered and a large
 * enough caller buffer, the payload is read straight into the caller's
 * buffer, no more than the frame holds: no copy at all.  At a frame
 * boundary the read goes to rbuf (the next frame's size is not known yet):
 * a direct read there would bring the frames behind it along, to be copied
 * out of the caller's buffer into rbuf and back -- twice the copying just
 * when the reader falls behind, which kept it behind (the bimodal
 * stream64k of docs/BENCHMARKS.md). */
static BOOL can_read_direct(struct websocket *ws, DWORD len)
{
    return !ws->rlen && len >= DIRECT_READ_MIN && wsp_decoder_payload_remaining(&ws->decoder) >= DIRECT_READ_MIN;
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
    control_kick(ws, FALSE);
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
        control_kick(ws, FALSE);
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

static struct ws_op *op_from_task(struct task *task)
{
    return CONTAINING_RECORD(task, struct ws_op, task);
}

/* Our FIN after the close handshake, once both close frames have passed:
 * from whichever of the close wait and the close frame's write ends last. */
static void finish_close_handshake(struct websocket *ws)
{
    BOOL fin;

    EnterCriticalSection(&ws->cs);
    fin = ws->close_frame_out && ws->close_received && ws->state == SOCKET_STATE_CLOSED && !ws->fin_sent;
    if (fin) ws->fin_sent = TRUE;
    LeaveCriticalSection(&ws->cs);
    if (fin) net_shutdown_send(ws->conn);
}

/* An async Close is over: the peer's close frame came (error 0) or not. */
static void report_close(struct websocket *ws, DWORD error)
{
    deadline_disarm(&ws->close_deadline);
    if (error)
    {
        send_async_error(ws, WINHTTP_WEB_SOCKET_CLOSE_OPERATION, error);
        return;
    }
    finish_close_handshake(ws);
    send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, NULL, 0);
}

/* The receive queue ---------------------------------------------------------- */

static void start_keepalive(struct websocket *ws);

/* The completion of the receive queue's read: stores and wakes. */
static void read_done(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct websocket *ws = context;

    ws->read_error = error;
    ws->read_bytes = bytes;
    ws->read_ready = TRUE;
    task_io_done(&ws->recv_queue);
}

/* Takes in what the read brought. */
static void read_finished(struct websocket *ws)
{
    DWORD error = ws->read_error;
    size_t bytes = ws->read_bytes;

    EnterCriticalSection(&ws->cs);
    ws->read_ready = FALSE;
    ws->reading = FALSE;
    if (ws->read_waiting)
    {
        ws->read_waiting = FALSE;
        ws->readable = !error;
    }
    else if (!error && !bytes) error = ERROR_WINHTTP_CONNECTION_ERROR;  /* TCP closed without a close frame */
    else if (!error)
    {
        ws->rlen += bytes;
        rbuf_filled(ws);
        ws->ping_outstanding = FALSE;
        ws->last_heard = GetTickCount();
    }
    if (error && ws->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    if (error) set_fatal_error(ws, error);
    LeaveCriticalSection(&ws->cs);
    TRACE("%p: read %Iu bytes, error %lu\n", ws, bytes, error);
}

/* Starts the receive queue's read: into rbuf, or, on a connection idle for
 * a while with nothing buffered, a wait for data without a buffer -- so an
 * idle connection with a receive pending costs no receive buffer.  Returns
 * as net_recv_async. */
static DWORD start_read(struct websocket *ws)
{
    size_t room;
    BYTE *pos;

    if (!ws->readable && !ws->rlen && GetTickCount() - ws->last_data > BUSY_WINDOW)
    {
        heap_free(ws->rbuf);
        ws->rbuf = NULL;
        ws->read_waiting = TRUE;
        return net_wait_async(ws->conn, read_done, ws);
    }
    ws->readable = FALSE;
    if (!(pos = read_position(ws, &room))) return ERROR_NOT_ENOUGH_MEMORY;
    return net_recv_async(ws->conn, pos, room, read_done, ws);
}

/* OP_RECEIVE and OP_CLOSE_WAIT: decode what is buffered; read while that
 * is not enough (parked while the read is in flight); then the callback. */
static DWORD receive_step(struct task *task, BOOL cancelled)
{
    struct ws_op *op = op_from_task(task);
    struct websocket *ws = impl_from_hdr(task->obj);
    WINHTTP_WEB_SOCKET_STATUS status = { 0 };
    enum step step;
    DWORD error;

    for (;;)
    {
        if (ws->read_ready) read_finished(ws);
        EnterCriticalSection(&ws->cs);
        if (op->cancelled)
        {
            /* Close has reported it; what its read brought stays for the close */
            LeaveCriticalSection(&ws->cs);
            return ERROR_SUCCESS;
        }
        if (cancelled && !ws->fatal_error) set_fatal_error(ws, ERROR_WINHTTP_OPERATION_CANCELLED);
        if (ws->fatal_error) step = STEP_ERROR;
        else if (op->type == OP_RECEIVE)
            step = process_input(ws, op->buf, op->len, &status.dwBytesTransferred, &status.eBufferType);
        else if (ws->close_received) step = STEP_CLOSE;
        else step = process_input(ws, NULL, 0, &status.dwBytesTransferred, &status.eBufferType);
        error = ws->fatal_error;
        if (step == STEP_NEED_INPUT)
        {
            ws->reading = TRUE;
            start_keepalive(ws);
        }
        else if (op->type == OP_RECEIVE)
        {
            ws->receive_pending = FALSE;
            ws->receive_op = NULL;
        }
        else ws->close_pending = FALSE;
        LeaveCriticalSection(&ws->cs);
        control_kick(ws, FALSE);
        if (step != STEP_NEED_INPUT) break;

        if ((error = start_read(ws)) == ERROR_IO_PENDING) return ERROR_IO_PENDING;
        if (!error) task_io_inline(&ws->recv_queue);  /* read_done ran here */
        else
        {
            ws->read_error = error;
            ws->read_bytes = 0;
            ws->read_ready = TRUE;
        }
    }

    if (ws->hdr.closing && error) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    if (op->type == OP_RECEIVE)
    {
        if (step == STEP_ERROR) send_async_error(ws, WINHTTP_WEB_SOCKET_RECEIVE_OPERATION, error);
        else send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_READ_COMPLETE, &status, sizeof(status));
    }
    else report_close(ws, step == STEP_ERROR ? error : ERROR_SUCCESS);
    return ERROR_SUCCESS;
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
    control_kick(ws, TRUE);
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

/* The send queue ------------------------------------------------------------- */

/* The completion of the send queue's write: stores and wakes. */
static void write_done(struct netconn *conn, void *context, DWORD error, size_t bytes)
{
    struct websocket *ws = context;

    ws->write_error = error;
    task_io_done(&ws->send_queue);
}

/* Starts writing a frame: ERROR_IO_PENDING (the step parks), or its result. */
static DWORD start_write(struct websocket *ws, struct ws_op *op, struct frame_fill *frame, size_t payload_len)
{
    DWORD error;

    op->writing = TRUE;
    error = net_send_fill_async(ws->conn, frame->header_len + payload_len, fill_frame, frame, write_done, ws);
    if (error == ERROR_IO_PENDING) return error;
    op->writing = FALSE;
    if (error) return error;
    task_io_inline(&ws->send_queue);  /* write_done ran here */
    return ws->write_error;
}

/* A write ended: the control frame it carried is done with, or the op's own frame. */
static void write_finished(struct ws_op *op)
{
    op->writing = FALSE;
    if (op->control)
    {
        heap_free(op->control);
        op->control = NULL;
    }
    else op->frame_done = TRUE;
}

/* The next frame for the wire: the queued control frames first (a pong
 * need not wait behind a long message, and none may follow our close),
 * then the op's own frame.  NULL when there is nothing left to write. */
static struct frame_fill *next_frame(struct websocket *ws, struct ws_op *op, size_t *payload_len)
{
    struct control_frame *control;

    EnterCriticalSection(&ws->send_lock);
    control = pop_control(ws);
    if (!control && op->type == OP_FLUSH) ws->flush_queued = FALSE;
    LeaveCriticalSection(&ws->send_lock);
    if (control)
    {
        op->control = control;
        prepare_frame(&op->control_frame, TRUE, control->opcode, control->payload, control->len);
        *payload_len = control->len;
        return &op->control_frame;
    }
    if (op->type == OP_FLUSH || op->frame_done) return NULL;
    *payload_len = op->type == OP_SEND ? op->status.dwBytesTransferred : op->len;
    return &op->frame;
}

/* Every send-queue op: write its frames (parked while a write is in
 * flight), then report. */
static DWORD send_step(struct task *task, BOOL cancelled)
{
    struct ws_op *op = op_from_task(task);
    struct websocket *ws = impl_from_hdr(task->obj);
    struct frame_fill *frame;
    DWORD error = ERROR_SUCCESS;
    size_t payload_len;
    BOOL fin;

    if (op->writing)
    {
        error = ws->write_error;
        write_finished(op);
    }
    else if (cancelled) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    while (!error && (frame = next_frame(ws, op, &payload_len)))
    {
        if ((error = start_write(ws, op, frame, payload_len)) == ERROR_IO_PENDING) return ERROR_IO_PENDING;
        if (!error) write_finished(op);
    }
    if (error)
    {
        WARN("%p: write failed: %lu\n", ws, error);
        heap_free(op->control);
        op->control = NULL;
        if (ws->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;
    }
    EnterCriticalSection(&ws->send_lock);
    if (op->type == OP_FLUSH && error) ws->flush_queued = FALSE;
    fin = !error && take_fin(ws);
    LeaveCriticalSection(&ws->send_lock);
    if (fin) net_shutdown_send(ws->conn);

    EnterCriticalSection(&ws->cs);
    if (op->type == OP_SEND)
    {
        ws->send_pending = FALSE;
        if (!error) ws->send_fragment = op->next_fragment;
    }
    else if (op->type != OP_FLUSH && !error) ws->close_frame_out = TRUE;
    if (error) set_fatal_error(ws, error);
    LeaveCriticalSection(&ws->cs);

    switch (op->type)
    {
    case OP_SEND:
        TRACE("%p: async send of %lu bytes: %lu\n", ws, op->status.dwBytesTransferred, error);
        if (error) send_async_error(ws, WINHTTP_WEB_SOCKET_SEND_OPERATION, error);
        else send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, &op->status, sizeof(op->status));
        break;
    case OP_SHUTDOWN:
        if (error) send_async_error(ws, WINHTTP_WEB_SOCKET_SHUTDOWN_OPERATION, error);
        else
        {
            finish_close_handshake(ws);  /* Close may have come meanwhile */
            send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE, NULL, 0);
        }
        break;
    case OP_CLOSE_FRAME:
        /* an error reaches the program through the close wait */
        if (error) net_cancel(ws->conn);
        else finish_close_handshake(ws);
        break;
    default:
        break;
    }
    return ERROR_SUCCESS;
}

/* Queues a send-queue op; its first step runs on this thread if here and the
 * queue is idle (a frame the socket takes at once completes before the call
 * returns, as on Windows), else on the pool. */
static DWORD start_send_op(struct websocket *ws, struct ws_op *op, BOOL here)
{
    if (here) return task_queue_run(&ws->send_queue, &ws->hdr, &op->task, send_step);
    return task_queue_submit(&ws->send_queue, &ws->hdr, &op->task, send_step);
}

/* A send-queue op for our close frame (Shutdown, Close). */
static struct ws_op *close_frame_op(enum ws_op_type type, const BYTE *payload, size_t len)
{
    struct ws_op *op;

    if (!(op = alloc_op())) return NULL;
    op->type = type;
    memcpy(op->close_payload, payload, len);
    op->len = (DWORD)len;
    prepare_frame(&op->frame, TRUE, WSP_OP_CLOSE, op->close_payload, len);
    return op;
}

/* Public API ----------------------------------------------------------------- */

/* An API call that fails before it starts: what it took is given back. */
static DWORD refuse(struct websocket *ws, struct ws_op *op, DWORD error)
{
    heap_free(op);
    release_object(&ws->hdr);
    return error;
}

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
    InitializeCriticalSection(&ws->send_lock);
    ws->ctl_tail = &ws->ctl_head;
    InitializeConditionVariable(&ws->wire_free);
    task_queue_init(&ws->recv_queue);
    task_queue_init(&ws->send_queue);
    ws->recv_queue.free_task = ws->send_queue.free_task = free_op;
    ws->close_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    ws->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
    ws->last_heard = GetTickCount();
    ws->close_timeout = DEFAULT_CLOSE_TIMEOUT;
    wsp_decoder_init(&ws->decoder, 0);
    if (up.head_pending)
    {
        /* an empty string: its head is still to come (take_upgrade_head) */
        ws->head = heap_alloc_zero(1);
        memcpy(ws->key, up.key, sizeof(ws->key));
    }
    ws->rbuf_size = max(max(up.receive_buffer_size, MIN_RECEIVE_BUFFER), up.extra_len);
    /* Frames that came with the 101 are the first input. */
    ws->rlen = up.extra_len;
    if (up.extra_len && !(ws->rbuf = heap_realloc(up.extra, ws->rbuf_size))) heap_free(up.extra);
    net_set_timeouts(ws->conn, up.timeouts.send, 0);

    handle = (ws->rbuf || !ws->rlen) && ws->close_event && (ws->head || !up.head_pending) ? alloc_handle(&ws->hdr)
                                                                                        : NULL;
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
    DWORD error;
    BOOL fin;

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
        struct ws_op *op = alloc_op();

        if (op)
        {
            op->type = OP_SEND;
            op->status.dwBytesTransferred = len;
            op->status.eBufferType = type;
            op->next_fragment = next_fragment;
            error = prepare_frame(&op->frame, fin, opcode, buf, len);
        }
        else error = ERROR_OUTOFMEMORY;
        if (!error) error = start_send_op(ws, op, TRUE);
        else heap_free(op);
        if (error)
        {
            EnterCriticalSection(&ws->cs);
            ws->send_pending = FALSE;
            LeaveCriticalSection(&ws->cs);
        }
        release_object(&ws->hdr);
        return error;
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
    struct ws_op *op = NULL;
    struct websocket *ws;
    DWORD error, bytes;

    TRACE("%p, %p, %lu, %p, %p\n", hsocket, buf, len, ret_len, ret_type);

    if (!buf || !len) return ERROR_INVALID_PARAMETER;
    if (!(ws = grab_websocket(hsocket, &error))) return error;

    if (object_is_async(&ws->hdr) && !(op = alloc_op()))
    {
        release_object(&ws->hdr);
        return ERROR_OUTOFMEMORY;
    }
    EnterCriticalSection(&ws->cs);
    if (ws->fatal_error) error = ws->fatal_error;
    else if (ws->state >= SOCKET_STATE_CLOSED || ws->close_received || ws->receive_pending)
        error = ERROR_INVALID_OPERATION;
    else if (!op && (!ret_len || !ret_type)) error = ERROR_INVALID_PARAMETER;
    else
    {
        ws->receive_pending = TRUE;
        if ((ws->receive_op = op))
        {
            op->type = OP_RECEIVE;
            op->buf = buf;
            op->len = len;
        }
    }
    LeaveCriticalSection(&ws->cs);
    if (error) return refuse(ws, op, error);

    if (op)
    {
        /* READ_COMPLETE comes from the pool, never inside this call (as on
         * Windows); a Receive posted from READ_COMPLETE runs once it returns. */
        if ((error = task_queue_submit(&ws->recv_queue, &ws->hdr, &op->task, receive_step)))
        {
            EnterCriticalSection(&ws->cs);
            ws->receive_pending = FALSE;
            ws->receive_op = NULL;
            LeaveCriticalSection(&ws->cs);
        }
        release_object(&ws->hdr);
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

/* Asynchronous handles: our close frame goes on the send queue, once. */
static DWORD queue_close_frame(struct websocket *ws, enum ws_op_type type, const BYTE *payload, size_t len)
{
    struct ws_op *op;
    BOOL sent;

    EnterCriticalSection(&ws->cs);
    sent = ws->close_sent;
    ws->close_sent = TRUE;
    LeaveCriticalSection(&ws->cs);
    if (sent)
    {
        if (type == OP_SHUTDOWN) send_callback(&ws->hdr, WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE, NULL, 0);
        return ERROR_SUCCESS;
    }
    if (!(op = close_frame_op(type, payload, len))) return ERROR_OUTOFMEMORY;
    return start_send_op(ws, op, TRUE);
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

    /* async: SHUTDOWN_COMPLETE here when the frame left at once, else from the pool */
    if (!error && object_is_async(&ws->hdr)) error = queue_close_frame(ws, OP_SHUTDOWN, payload, payload_len);
    else if (!error) error = send_close_frame(ws, payload, payload_len);
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
        control_kick(ws, FALSE);
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
    struct ws_op *op = NULL;
    BOOL cancel_receive = FALSE, done;
    struct websocket *ws;
    size_t payload_len;
    DWORD error;

    TRACE("%p, %u, %p, %lu\n", hsocket, status, reason, len);

    if ((error = check_close_params(status, reason, len, payload, &payload_len))) return error;
    if (!(ws = grab_websocket(hsocket, &error))) return error;
    if (object_is_async(&ws->hdr) && !(op = alloc_op()))
    {
        release_object(&ws->hdr);
        return ERROR_OUTOFMEMORY;
    }

    EnterCriticalSection(&ws->cs);
    if (ws->state >= SOCKET_STATE_CLOSED || ws->send_pending) error = ERROR_INVALID_OPERATION;
    else
    {
        ws->state = SOCKET_STATE_CLOSED;
        if (op)
        {
            /* A pending receive is cancelled now; its read, if any, goes on for the close. */
            if ((cancel_receive = ws->receive_pending))
            {
                ws->receive_op->cancelled = TRUE;
                ws->receive_op = NULL;
                ws->receive_pending = FALSE;
            }
            ws->close_pending = TRUE;
        }
    }
    LeaveCriticalSection(&ws->cs);
    if (error) return refuse(ws, op, error);

    if (!op)
    {
        if (!ws->fatal_error) send_close_frame(ws, payload, payload_len);
        error = close_sync(ws);
        if (!error) net_shutdown_send(ws->conn);
        release_object(&ws->hdr);
        return error;
    }

    if (cancel_receive) send_async_error(ws, WINHTTP_WEB_SOCKET_RECEIVE_OPERATION, ERROR_WINHTTP_OPERATION_CANCELLED);
    if (!ws->fatal_error && (error = queue_close_frame(ws, OP_CLOSE_FRAME, payload, payload_len)))
    {
        EnterCriticalSection(&ws->cs);
        set_fatal_error(ws, error);
        LeaveCriticalSection(&ws->cs);
    }
    /* The peer's close frame is in already (or the connection is gone): the
     * close completes here, as on Windows; else when it comes (or the close
     * timeout passes). */
    EnterCriticalSection(&ws->cs);
    if ((done = ws->close_received || ws->fatal_error))
    {
        ws->close_pending = FALSE;
        error = ws->close_received ? ERROR_SUCCESS : ws->fatal_error;
    }
    LeaveCriticalSection(&ws->cs);
    if (done)
    {
        heap_free(op);
        report_close(ws, error);
    }
    else
    {
        start_close_timer(ws);
        op->type = OP_CLOSE_WAIT;
        task_queue_run(&ws->recv_queue, &ws->hdr, &op->task, receive_step);
    }
    release_object(&ws->hdr);
    return ERROR_SUCCESS;
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
