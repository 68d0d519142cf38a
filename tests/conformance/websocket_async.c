/*
 * Asynchronous WebSocket notification sequences (WINHTTP_FLAG_ASYNC session,
 * callback with WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS), table driven.
 *
 * Every scenario is a list of steps; a step is one API call, its expected
 * return value and the notifications expected after it, each with its status,
 * whether it must arrive on the calling thread during the call, the length of
 * lpvStatusInformation and checks on its contents.  The callback only records
 * what arrives; the test thread compares the record in order, waiting with a
 * bounded WaitForSingleObject on an event the callback sets.
 *
 * Expectations follow WEBSOCKET_FACTS.md §2 (Wine's notification.c, which
 * passes on Windows).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <stdio.h>

#include "wine/test.h"
#include "ws_helpers.h"

static const char *server;

#define WAIT_MS   10000  /* bound for any expected notification */
#define QUIET_MS  300    /* how long "nothing more arrives" is watched */

/* Recording ----------------------------------------------------------------- */

struct note
{
    HINTERNET handle;
    DWORD_PTR context;
    DWORD status;
    DWORD len;
    BOOL info_null;
    BYTE info[32];
    DWORD thread;
    LONG call;          /* number of the API call it arrived in (main thread), else 0 */
};

#define MAX_NOTES 512

struct recorder
{
    CRITICAL_SECTION cs;
    HANDLE event;                 /* auto-reset, set on every recorded note */
    struct note notes[MAX_NOTES];
    LONG count;                   /* recorded */
    LONG checked;                 /* consumed by the checks */
    BOOL overflow;
    HINTERNET filter;             /* record only this handle (NULL: everything) */
    BOOL record_all;
    DWORD main_thread;
    volatile LONG call;           /* number of the API call in progress, 0 if none */
    LONG calls;
};

static struct recorder rec;

static void CALLBACK record_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct note *n;

    if (!rec.record_all && (!rec.filter || handle != rec.filter)) return;
    EnterCriticalSection(&rec.cs);
    if (rec.count >= MAX_NOTES)
    {
        rec.overflow = TRUE;
        LeaveCriticalSection(&rec.cs);
        return;
    }
    n = &rec.notes[rec.count];
    n->handle = handle;
    n->context = context;
    n->status = status;
    n->len = len;
    n->info_null = !info;
    memset(n->info, 0, sizeof(n->info));
    if (info) memcpy(n->info, info, min(len, sizeof(n->info)));
    n->thread = GetCurrentThreadId();
    n->call = n->thread == rec.main_thread ? rec.call : 0;
    rec.count++;
    LeaveCriticalSection(&rec.cs);
    SetEvent(rec.event);
}

static void rec_reset(HINTERNET filter, BOOL all)
{
    EnterCriticalSection(&rec.cs);
    rec.count = rec.checked = 0;
    rec.overflow = FALSE;
    rec.filter = filter;
    rec.record_all = all;
    rec.main_thread = GetCurrentThreadId();
    LeaveCriticalSection(&rec.cs);
    ResetEvent(rec.event);
}

/* Brackets an API call so notes know whether they arrived inside it. */
static LONG call_begin(void)
{
    rec.call = ++rec.calls;
    return rec.call;
}

static void call_end(void)
{
    rec.call = 0;
}

/* The next unchecked note, waiting until 'deadline' (GetTickCount). */
static BOOL next_note(struct note *out, DWORD deadline)
{
    for (;;)
    {
        DWORD now = GetTickCount();
        BOOL have;

        EnterCriticalSection(&rec.cs);
        have = rec.checked < rec.count;
        if (have) *out = rec.notes[rec.checked++];
        LeaveCriticalSection(&rec.cs);
        if (have) return TRUE;
        if ((LONG)(deadline - now) <= 0) return FALSE;
        WaitForSingleObject(rec.event, deadline - now);
    }
}

/* Nothing more may arrive within ms.  A wake-up without a new note is a
 * late SetEvent of a note already checked, not a notification. */
static void check_quiet(DWORD ms, const char *what)
{
    DWORD deadline = GetTickCount() + ms, now;
    struct note n;
    LONG pending;
    BOOL quiet = TRUE;

    for (;;)
    {
        ResetEvent(rec.event);
        EnterCriticalSection(&rec.cs);
        pending = rec.count - rec.checked;
        LeaveCriticalSection(&rec.cs);
        now = GetTickCount();
        if (pending || (LONG)(deadline - now) <= 0) break;
        WaitForSingleObject(rec.event, deadline - now);
    }
    while (next_note(&n, GetTickCount()))
    {
        quiet = FALSE;
        ok(0, "%s: unexpected notification %#lx (length %lu)\n", what, n.status, n.len);
    }
    ok(quiet, "%s: a notification arrived\n", what);
}

/* Expectations --------------------------------------------------------------- */

#define NF_MAIN     0x01  /* on the calling thread, during the call of this step */
#define NF_OPTIONAL 0x02  /* may be missing */

#define ANY     0xfffffff0u
#define NONZERO 0xfffffff1u
#define LEN_ANY 0xffffffffu

enum which_handle { H_NONE, H_SOCKET, H_REQUEST, H_CONNECT, H_SESSION };

struct expect
{
    DWORD status;
    DWORD flags;
    DWORD len;
    /* READ/WRITE_COMPLETE: a bytes, b buffer type, c offset of the data in the pattern;
     * REQUEST_ERROR: a operation, b error, c dwResult;
     * HANDLE_CREATED/CLOSING: a which handle the info points to (H_*). */
    DWORD a, b, c;
    const char *data;   /* READ_COMPLETE: expected bytes in the receive buffer */
};

#define EX(st, f, l, a, b, c, d) { st, f, l, a, b, c, d }
#define E_(st, f, l, h)    EX(st, f, l, h, 0, 0, NULL)
#define E_WRITE(n, t)      EX(WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE, NF_MAIN, sizeof(WINHTTP_WEB_SOCKET_STATUS), n, t, 0, NULL)
#define E_READ(n, t, d)    EX(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, 0, sizeof(WINHTTP_WEB_SOCKET_STATUS), n, t, 0, d)
#define E_READ_AT(n, t, d, off) EX(WINHTTP_CALLBACK_STATUS_READ_COMPLETE, 0, sizeof(WINHTTP_WEB_SOCKET_STATUS), n, t, off, d)
#define E_ERROR(f, op, e)  EX(WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, f, sizeof(WINHTTP_WEB_SOCKET_ASYNC_RESULT), op, e, 0, NULL)
/* dwResult is 0 for cancellations on Windows; for other errors it is not known */
#define E_FAILED(op, e)    EX(WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, 0, sizeof(WINHTTP_WEB_SOCKET_ASYNC_RESULT), op, e, ANY, NULL)
#define E_SHUTDOWN         EX(WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE, NF_MAIN, 0, 0, 0, 0, NULL)
#define E_CLOSE(f)         EX(WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE, f, 0, 0, 0, 0, NULL)
#define E_CLOSING          EX(WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, 0, sizeof(HINTERNET), H_SOCKET, 0, 0, NULL)

#define RECV_OP  WINHTTP_WEB_SOCKET_RECEIVE_OPERATION
#define CLOSE_OP WINHTTP_WEB_SOCKET_CLOSE_OPERATION
#define CANCELLED ERROR_WINHTTP_OPERATION_CANCELLED

#define BIN_MSG  WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE
#define BIN_FRAG WINHTTP_WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE
#define UTF8_MSG WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE
#define UTF8_FRAG WINHTTP_WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE
#define CLOSE_TYPE WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE

/* Generated payloads: bytes 0..255 cycling (binary) or 'a'..'z' (text). */
static const char PAT_BIN[] = "<binary pattern>";
static const char PAT_TXT[] = "<text pattern>";

static BYTE pattern_byte(const char *pat, DWORD i)
{
    if (pat == PAT_BIN) return (BYTE)((i * 7 + 3) ^ (i >> 8));
    return (BYTE)('a' + i % 26);
}

static BYTE *make_payload(const char *data, DWORD len)
{
    BYTE *buf = malloc(len ? len : 1);
    DWORD i;

    if (data == PAT_BIN || data == PAT_TXT)
        for (i = 0; i < len; i++) buf[i] = pattern_byte(data, i);
    else if (data) memcpy(buf, data, len);
    return buf;
}

/* Compares got[0..len) with data (a string, or a pattern starting at offset). */
static BOOL same_data(const BYTE *got, DWORD len, const char *data, DWORD offset)
{
    DWORD i;

    if (data == PAT_BIN || data == PAT_TXT)
    {
        for (i = 0; i < len; i++) if (got[i] != pattern_byte(data, offset + i)) return FALSE;
        return TRUE;
    }
    return !memcmp(got, data + offset, len);
}

static const char *status_name(DWORD status)
{
    switch (status)
    {
#define X(s) case WINHTTP_CALLBACK_STATUS_##s: return #s;
    X(RESOLVING_NAME) X(NAME_RESOLVED) X(CONNECTING_TO_SERVER) X(CONNECTED_TO_SERVER)
    X(SENDING_REQUEST) X(REQUEST_SENT) X(RECEIVING_RESPONSE) X(RESPONSE_RECEIVED)
    X(CLOSING_CONNECTION) X(CONNECTION_CLOSED) X(HANDLE_CREATED) X(HANDLE_CLOSING)
    X(HEADERS_AVAILABLE) X(DATA_AVAILABLE) X(READ_COMPLETE) X(WRITE_COMPLETE) X(REQUEST_ERROR)
    X(SENDREQUEST_COMPLETE) X(CLOSE_COMPLETE) X(SHUTDOWN_COMPLETE)
#undef X
    }
    return "?";
}

/* What one scenario works with. */
struct scenario_state
{
    const char *name;
    HINTERNET socket, request, connect, session;
    DWORD_PTR context;
    BYTE *rbuf;                 /* buffer of the last Receive */
    DWORD rbuf_size;
    DWORD recv_bytes;           /* *pdwBytesRead / *peBufferType of async receives: */
    WINHTTP_WEB_SOCKET_BUFFER_TYPE recv_type;  /* must keep 0xdeadbeef */
    WINHTTP_WEB_SOCKET_STATUS last_status;
    LONG call;                  /* number of the call of the current step */
};

static HINTERNET which(const struct scenario_state *st, DWORD h)
{
    switch (h)
    {
    case H_SOCKET: return st->socket;
    case H_REQUEST: return st->request;
    case H_CONNECT: return st->connect;
    case H_SESSION: return st->session;
    }
    return NULL;
}

static BOOL dword_matches(DWORD want, DWORD got)
{
    if (want == ANY) return TRUE;
    if (want == NONZERO) return got != 0;
    return want == got;
}

/* Checks one note against one expectation (status already matches). */
static void check_note(struct scenario_state *st, const struct expect *e, const struct note *n, const char *where)
{
    winetest_push_context("%s: %s", where, status_name(e->status));
    if (e->flags & NF_MAIN)
        ok(n->call == st->call, "not delivered on the calling thread during the call (thread %#lx, call %ld/%ld)\n",
           n->thread, n->call, st->call);
    if (e->len != LEN_ANY) ok(n->len == e->len, "length %lu, expected %lu\n", n->len, e->len);
    if (!e->len && e->len != LEN_ANY && !n->info_null) trace("non-NULL info with length 0\n");

    switch (e->status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    {
        const WINHTTP_WEB_SOCKET_STATUS *s = (const WINHTTP_WEB_SOCKET_STATUS *)n->info;
        if (n->info_null) { ok(0, "NULL status information\n"); break; }
        ok(dword_matches(e->a, s->dwBytesTransferred), "dwBytesTransferred %lu, expected %lu\n",
           s->dwBytesTransferred, e->a);
        ok(dword_matches(e->b, s->eBufferType), "eBufferType %u, expected %lu\n", s->eBufferType, e->b);
        st->last_status = *s;
        if (e->status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE)
        {
            ok(st->recv_bytes == 0xdeadbeef, "*pdwBytesRead was written: %lu\n", st->recv_bytes);
            ok(st->recv_type == 0xdeadbeef, "*peBufferType was written: %u\n", st->recv_type);
            if (e->data && s->dwBytesTransferred == e->a && st->rbuf)
                ok(same_data(st->rbuf, s->dwBytesTransferred, e->data, e->c), "received data differs\n");
        }
        break;
    }
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
    {
        const WINHTTP_WEB_SOCKET_ASYNC_RESULT *r = (const WINHTTP_WEB_SOCKET_ASYNC_RESULT *)n->info;
        if (n->info_null) { ok(0, "NULL status information\n"); break; }
        ok(dword_matches(e->a, r->Operation), "Operation %u, expected %lu\n", r->Operation, e->a);
        ok(dword_matches(e->b, r->AsyncResult.dwError), "dwError %lu, expected %lu\n", r->AsyncResult.dwError, e->b);
        ok(dword_matches(e->c, (DWORD)r->AsyncResult.dwResult), "dwResult %lu, expected %lu\n",
           (unsigned long)r->AsyncResult.dwResult, e->c);
        break;
    }
    case WINHTTP_CALLBACK_STATUS_HANDLE_CREATED:
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        if (e->a != H_NONE && !n->info_null && n->len >= sizeof(HINTERNET))
            ok(*(HINTERNET *)n->info == which(st, e->a), "handle %p, expected %p\n",
               *(HINTERNET *)n->info, which(st, e->a));
        break;
    }
    if (st->socket && n->handle == st->socket)
        ok(n->context == st->context, "context %#Ix, expected %#Ix\n", n->context, st->context);
    winetest_pop_context();
}

/* Matches the notes that follow against exp[0..count), in order (optional
 * entries may be skipped) or in any order.  Returns FALSE on a mismatch. */
static BOOL check_notes(struct scenario_state *st, const struct expect *exp, unsigned count, BOOL any_order,
                        const char *where)
{
    DWORD deadline = GetTickCount() + WAIT_MS;
    BOOL matched[8] = {0};
    unsigned i, left = 0;
    struct note n;

    for (i = 0; i < count; i++) if (!(exp[i].flags & NF_OPTIONAL)) left++;
    i = 0;
    while (left)
    {
        if (!next_note(&n, deadline))
        {
            for (i = 0; i < count; i++)
                if (!matched[i] && !(exp[i].flags & NF_OPTIONAL)) break;
            ok(0, "%s: %s did not arrive within %u ms\n", where, status_name(exp[i].status), WAIT_MS);
            return FALSE;
        }
        if (any_order)
        {
            for (i = 0; i < count; i++) if (!matched[i] && exp[i].status == n.status) break;
        }
        else
        {
            while (i < count && exp[i].status != n.status && (exp[i].flags & NF_OPTIONAL)) i++;
            if (i < count && exp[i].status != n.status) i = count;
        }
        if (i >= count)
        {
            ok(0, "%s: unexpected notification %s (%#lx), length %lu\n", where, status_name(n.status), n.status, n.len);
            return FALSE;
        }
        check_note(st, &exp[i], &n, where);
        matched[i] = TRUE;
        if (!(exp[i].flags & NF_OPTIONAL)) left--;
        if (!any_order) i++;
    }
    return TRUE;
}

/* Steps ------------------------------------------------------------------------ */

enum op
{
    OP_END,
    OP_SEND,        /* type, data (NULL: NULL buffer), len */
    OP_RECV,        /* bufsize; the notes say what arrives */
    OP_RECV_MSG,    /* receive one whole message in bufsize pieces: type, data, len */
    OP_SHUTDOWN,    /* len = status, data = reason */
    OP_CLOSE,       /* len = status, data = reason */
    OP_QUERY,       /* ret; on success len = status, data = reason */
    OP_CLOSE_HANDLE,/* closes the websocket; afterwards nothing more may arrive */
    OP_WAIT,        /* no call: the notes arrive by themselves */
};

#define S_ANY_ORDER 0x01

struct step
{
    enum op op;
    DWORD type;
    const char *data;
    DWORD len;
    DWORD bufsize;
    DWORD ret;
    DWORD flags;
    struct expect exp[4];
};

struct scenario
{
    const char *name;
    const WCHAR *path;
    struct step steps[24];
};

#define SEND(t, d, n, r, ...)    { OP_SEND, t, d, n, 0, r, 0, { __VA_ARGS__ } }
#define SEND_ANY(t, d, n, ...)   { OP_SEND, t, d, n, 0, 0, S_ANY_ORDER, { __VA_ARGS__ } }
#define RECV(size, r, ...)       { OP_RECV, 0, NULL, 0, size, r, 0, { __VA_ARGS__ } }
#define RECV_MSG(t, d, n, size)  { OP_RECV_MSG, t, d, n, size, 0, 0, { { 0 } } }
#define SHUTDOWN(code, reason, r, flags, ...) { OP_SHUTDOWN, 0, reason, code, 0, r, flags, { __VA_ARGS__ } }
#define CLOSE(code, reason, r, ...) { OP_CLOSE, 0, reason, code, 0, r, 0, { __VA_ARGS__ } }
#define QUERY(r, code, reason)   { OP_QUERY, 0, reason, code, 0, r, 0, { { 0 } } }
#define CLOSE_HANDLE(...)        { OP_CLOSE_HANDLE, 0, NULL, 0, 0, 0, 0, { __VA_ARGS__ } }
#define WAIT(...)                { OP_WAIT, 0, NULL, 0, 0, 0, 0, { __VA_ARGS__ } }

#define GRUESSE "Gr\xc3\xbc\xc3\x9f" "e"

/* Steps that expect no notification leave exp empty. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct scenario scenarios[] =
{
    {
        "send types", L"/echo",
        {
            SEND(BIN_MSG, "hello", 5, 0, E_WRITE(5, BIN_MSG)),
            SEND(UTF8_MSG, GRUESSE, 7, 0, E_WRITE(7, UTF8_MSG)),
            SEND(BIN_FRAG, "abc", 3, 0, E_WRITE(3, BIN_FRAG)),
            SEND(UTF8_MSG, "x", 1, ERROR_INVALID_PARAMETER),
            SEND(UTF8_FRAG, "x", 1, ERROR_INVALID_PARAMETER),
            SEND(BIN_FRAG, "def", 3, 0, E_WRITE(3, BIN_FRAG)),
            SEND(BIN_MSG, NULL, 0, 0, E_WRITE(0, BIN_MSG)),
            SEND(UTF8_FRAG, "ab", 2, 0, E_WRITE(2, UTF8_FRAG)),
            SEND(BIN_MSG, "x", 1, ERROR_INVALID_PARAMETER),
            SEND(UTF8_MSG, "cd", 2, 0, E_WRITE(2, UTF8_MSG)),
            SEND(BIN_MSG, NULL, 1, ERROR_INVALID_PARAMETER),
            SEND(BIN_MSG, NULL, 0, 0, E_WRITE(0, BIN_MSG)),
            SEND(UTF8_MSG, NULL, 0, 0, E_WRITE(0, UTF8_MSG)),
            SEND(BIN_MSG, PAT_BIN, 16384, 0, E_WRITE(16384, BIN_MSG)),
            RECV_MSG(BIN_MSG, "hello", 5, 1024),
            RECV_MSG(UTF8_MSG, GRUESSE, 7, 1024),
            RECV_MSG(BIN_MSG, "abcdef", 6, 1024),
            RECV_MSG(UTF8_MSG, "abcd", 4, 1024),
            RECV_MSG(BIN_MSG, "", 0, 1024),
            RECV_MSG(UTF8_MSG, "", 0, 1024),
            RECV_MSG(BIN_MSG, PAT_BIN, 16384, 4096),
            CLOSE(1000, "bye", 0, E_CLOSE(0)),
            QUERY(0, 1000, "bye"),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "message larger than the buffer", L"/echo",
        {
            SEND(BIN_MSG, PAT_BIN, 256, 0, E_WRITE(256, BIN_MSG)),
            RECV(128, 0, E_READ_AT(128, BIN_FRAG, PAT_BIN, 0)),
            RECV(128, 0, E_READ_AT(128, BIN_MSG, PAT_BIN, 128)),
            SEND(UTF8_MSG, PAT_TXT, 200, 0, E_WRITE(200, UTF8_MSG)),
            RECV(100, 0, E_READ_AT(100, UTF8_FRAG, PAT_TXT, 0)),
            RECV(100, 0, E_READ_AT(100, UTF8_MSG, PAT_TXT, 100)),
            CLOSE(1000, NULL, 0, E_CLOSE(0)),
            QUERY(0, 1000, ""),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "message in several frames", L"/echo-frag/1000",
        {
            SEND(BIN_MSG, PAT_BIN, 5000, 0, E_WRITE(5000, BIN_MSG)),
            RECV_MSG(BIN_MSG, PAT_BIN, 5000, 65536),
            SEND(UTF8_MSG, PAT_TXT, 2500, 0, E_WRITE(2500, UTF8_MSG)),
            RECV_MSG(UTF8_MSG, PAT_TXT, 2500, 700),
            CLOSE(1000, NULL, 0, E_CLOSE(0)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "second receive while one is pending", L"/echo",
        {
            RECV(1024, 0),
            RECV(1024, ERROR_INVALID_OPERATION),
            SEND_ANY(BIN_MSG, "ping?", 5, E_WRITE(5, BIN_MSG), E_READ(5, BIN_MSG, "ping?")),
            CLOSE(1000, NULL, 0, E_CLOSE(0)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "ping during a receive is invisible", L"/ping/68692074686572652c20706f6e67206d65",
        {
            /* the server's reply to the first pong says whether it carried the ping's payload */
            RECV(1024, 0, E_READ(7, UTF8_MSG, "pong ok")),
            SEND(UTF8_MSG, "after", 5, 0, E_WRITE(5, UTF8_MSG)),
            RECV(1024, 0, E_READ(5, UTF8_MSG, "after")),
            CLOSE(1000, NULL, 0, E_CLOSE(0)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "empty ping", L"/ping",
        {
            RECV(1024, 0, E_READ(7, UTF8_MSG, "pong ok")),
            CLOSE(1000, NULL, 0, E_CLOSE(0)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "shutdown with a pending receive", L"/echo",
        {
            RECV(1024, 0),
            RECV(1024, ERROR_INVALID_OPERATION),
            SHUTDOWN(1000, "success", 0, S_ANY_ORDER, E_SHUTDOWN, E_READ(0, CLOSE_TYPE, NULL)),
            SEND(BIN_MSG, "hello", 5, ERROR_INVALID_OPERATION),
            SHUTDOWN(1000, "again", ERROR_INVALID_OPERATION, 0),
            QUERY(0, 1000, "success"),
            RECV(1024, ERROR_INVALID_OPERATION),
            CLOSE(1000, "success", 0, E_CLOSE(NF_MAIN)),
            QUERY(0, 1000, "success"),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "close with a pending receive", L"/echo",
        {
            SEND(UTF8_MSG, "one", 3, 0, E_WRITE(3, UTF8_MSG)),
            RECV(1024, 0, E_READ(3, UTF8_MSG, "one")),
            RECV(1024, 0),
            CLOSE(1000, "success", 0, E_ERROR(NF_MAIN, RECV_OP, CANCELLED), E_CLOSE(0)),
            QUERY(0, 1000, "success"),
            RECV(1024, ERROR_INVALID_OPERATION),
            SEND(BIN_MSG, "x", 1, ERROR_INVALID_OPERATION),
            CLOSE(1000, NULL, ERROR_INVALID_OPERATION),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        /* /stall never answers the close: the state between Close and CLOSE_COMPLETE is stable */
        "close pending: query, then close the handle", L"/stall",
        {
            CLOSE(1000, "wait", 0),
            QUERY(ERROR_INVALID_OPERATION, 0, NULL),
            SEND(BIN_MSG, "x", 1, ERROR_INVALID_OPERATION),
            RECV(1024, ERROR_INVALID_OPERATION),
            CLOSE_HANDLE(E_ERROR(0, CLOSE_OP, CANCELLED), E_CLOSING),
        }
    },
    {
        "shutdown then close pending", L"/stall",
        {
            SHUTDOWN(1000, "half", 0, 0, E_SHUTDOWN),
            QUERY(ERROR_INVALID_OPERATION, 0, NULL),
            RECV(1024, 0),
            CLOSE(1000, NULL, 0, E_ERROR(NF_MAIN, RECV_OP, CANCELLED)),
            QUERY(ERROR_INVALID_OPERATION, 0, NULL),
            CLOSE_HANDLE(E_ERROR(0, CLOSE_OP, CANCELLED), E_CLOSING),
        }
    },
    {
        "close the handle with a pending receive", L"/stall",
        {
            RECV(1024, 0),
            CLOSE_HANDLE(E_ERROR(0, RECV_OP, CANCELLED), E_CLOSING),
        }
    },
    {
        "close the handle with a pending receive (echo)", L"/echo",
        {
            SEND(BIN_MSG, "a", 1, 0, E_WRITE(1, BIN_MSG)),
            RECV(1024, 0, E_READ(1, BIN_MSG, "a")),
            RECV(1024, 0),
            CLOSE_HANDLE(E_ERROR(0, RECV_OP, CANCELLED), E_CLOSING),
        }
    },
    {
        "server closes with a reason", L"/close/1001/going%20away",
        {
            RECV(1024, 0, E_READ(0, CLOSE_TYPE, NULL)),
            QUERY(0, 1001, "going away"),
            RECV(1024, ERROR_INVALID_OPERATION),
            CLOSE(1000, NULL, 0, E_CLOSE(NF_MAIN)),
            QUERY(0, 1001, "going away"),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        /* a TEXT frame "hi", then RST 100 ms later */
        "server aborts during a pending receive", L"/send/81026869/rst",
        {
            RECV(1024, 0, E_READ(2, UTF8_MSG, "hi")),
            RECV(1024, 0, E_FAILED(RECV_OP, NONZERO)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        /* server frames must not be masked */
        "masked frame from the server", L"/send/818201020304696b/stall",
        {
            RECV(1024, 0, E_FAILED(RECV_OP, ERROR_WINHTTP_INVALID_SERVER_RESPONSE)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "reserved bit set by the server", L"/send/c1026869/stall",
        {
            RECV(1024, 0, E_FAILED(RECV_OP, ERROR_WINHTTP_INVALID_SERVER_RESPONSE)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
    {
        "unknown opcode from the server", L"/send/83026869/stall",
        {
            RECV(1024, 0, E_FAILED(RECV_OP, ERROR_WINHTTP_INVALID_SERVER_RESPONSE)),
            CLOSE_HANDLE(E_CLOSING),
        }
    },
};
#pragma GCC diagnostic pop

static unsigned count_expect(const struct step *s)
{
    unsigned n = 0;
    while (n < ARRAY_SIZE(s->exp) && s->exp[n].status) n++;
    return n;
}

/* OP_RECV_MSG: Receive until the message ends; every piece must be a
 * fragment of the message's kind, the last one the message type. */
static void receive_message(struct scenario_state *st, const struct step *s, const char *where)
{
    DWORD total = 0, err, bufsize = s->bufsize, limit = s->len + 1;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE frag = s->type == BIN_MSG ? BIN_FRAG : UTF8_FRAG;
    BYTE *msg = malloc(s->len + 1);
    struct expect e = E_READ(ANY, ANY, NULL);
    BYTE *saved = st->rbuf;
    unsigned pieces = 0;

    for (;;)
    {
        st->recv_bytes = 0xdeadbeef;
        st->recv_type = 0xdeadbeef;
        st->rbuf = msg + total;
        st->call = call_begin();
        err = WinHttpWebSocketReceive(st->socket, msg + total, min(bufsize, limit - total), &st->recv_bytes,
                                      &st->recv_type);
        call_end();
        ok(err == ERROR_SUCCESS, "%s: Receive returned %lu\n", where, err);
        if (err) break;
        memset(&st->last_status, 0xff, sizeof(st->last_status));
        if (!check_notes(st, &e, 1, FALSE, where)) break;
        pieces++;
        total += st->last_status.dwBytesTransferred;
        if (st->last_status.eBufferType == frag && total < limit) continue;
        ok(st->last_status.eBufferType == s->type, "%s: buffer type %u after %lu bytes, expected %lu\n", where,
           st->last_status.eBufferType, total, s->type);
        break;
    }
    ok(total == s->len, "%s: received %lu bytes in %u pieces, expected %lu\n", where, total, pieces, s->len);
    if (total == s->len && s->len)
        ok(same_data(msg, total, s->data, 0), "%s: message data differs\n", where);
    if (pieces > 1) trace("%s: %lu bytes arrived in %u pieces\n", where, total, pieces);
    st->rbuf = saved;
    free(msg);
}

static void run_scenario(const struct scenario *sc)
{
    struct scenario_state st;
    struct ws_handles h;
    const struct step *s;
    char where[160];
    BYTE *payload, reason[128];
    USHORT close_status;
    DWORD err, len;
    unsigned i, n;
    BOOL closed = FALSE;

    memset(&st, 0, sizeof(st));
    st.name = sc->name;
    st.context = (DWORD_PTR)&st;
    st.rbuf_size = 65536;
    st.rbuf = malloc(st.rbuf_size);
    rec_reset(NULL, FALSE);
    st.socket = ws_open(server, sc->path, WS_OPEN_ASYNC, record_callback, st.context, &h);
    ok(st.socket != NULL, "%s: ws_open failed in %s: %lu\n", sc->name, h.failed_call, h.error);
    if (!st.socket)
    {
        free(st.rbuf);
        return;
    }
    rec_reset(st.socket, FALSE);

    for (i = 0; i < ARRAY_SIZE(sc->steps) && sc->steps[i].op != OP_END; i++)
    {
        s = &sc->steps[i];
        n = count_expect(s);
        sprintf(where, "%s, step %u", sc->name, i + 1);
        err = ERROR_SUCCESS;
        switch (s->op)
        {
        case OP_SEND:
            payload = s->data ? make_payload(s->data, s->len) : NULL;
            st.call = call_begin();
            err = WinHttpWebSocketSend(st.socket, s->type, payload, s->len);
            call_end();
            free(payload);
            break;
        case OP_RECV:
            st.recv_bytes = 0xdeadbeef;
            st.recv_type = 0xdeadbeef;
            st.call = call_begin();
            err = WinHttpWebSocketReceive(st.socket, st.rbuf, min(s->bufsize, st.rbuf_size), &st.recv_bytes,
                                          &st.recv_type);
            call_end();
            if (err)
            {
                ok(st.recv_bytes == 0xdeadbeef && st.recv_type == 0xdeadbeef,
                   "%s: failed Receive wrote %lu/%u\n", where, st.recv_bytes, st.recv_type);
            }
            break;
        case OP_RECV_MSG:
            receive_message(&st, s, where);
            continue;
        case OP_SHUTDOWN:
        case OP_CLOSE:
            st.call = call_begin();
            if (s->op == OP_SHUTDOWN)
                err = WinHttpWebSocketShutdown(st.socket, (USHORT)s->len, (void *)s->data, s->data ? strlen(s->data) : 0);
            else
                err = WinHttpWebSocketClose(st.socket, (USHORT)s->len, (void *)s->data, s->data ? strlen(s->data) : 0);
            call_end();
            break;
        case OP_QUERY:
            close_status = 0xdead;
            len = sizeof(reason) + 1;
            memset(reason, 0, sizeof(reason));
            st.call = call_begin();
            err = WinHttpWebSocketQueryCloseStatus(st.socket, &close_status, reason, sizeof(reason), &len);
            call_end();
            if (!err && !s->ret)
            {
                ok(close_status == s->len, "%s: close status %u, expected %lu\n", where, close_status, s->len);
                if (s->data)
                    ok(len == strlen(s->data) && !memcmp(reason, s->data, len), "%s: reason %s (%lu), expected %s\n",
                       where, wine_dbgstr_an((char *)reason, min(len, sizeof(reason))), len, s->data);
            }
            else if (err)
            {
                ok(close_status == 0xdead, "%s: status changed to %u\n", where, close_status);
                ok(len == sizeof(reason) + 1, "%s: length changed to %lu\n", where, len);
            }
            break;
        case OP_CLOSE_HANDLE:
            st.call = call_begin();
            ok(WinHttpCloseHandle(st.socket), "%s: WinHttpCloseHandle failed: %lu\n", where, GetLastError());
            call_end();
            closed = TRUE;
            break;
        case OP_WAIT:
        case OP_END:
            break;
        }
        ok(err == s->ret, "%s: returned %lu, expected %lu\n", where, err, s->ret);
        if (n) check_notes(&st, s->exp, n, (s->flags & S_ANY_ORDER) != 0, where);
        if (s->op == OP_CLOSE_HANDLE)
        {
            sprintf(where, "%s, after HANDLE_CLOSING", sc->name);
            check_quiet(QUIET_MS, where);
        }
        else if (s->ret || !n)
        {
            /* A failed call, or one that stays pending, says nothing now. */
            struct note note;
            while (next_note(&note, GetTickCount()))
                ok(0, "%s: unexpected notification %s (%#lx)\n", where, status_name(note.status), note.status);
        }
    }
    if (!closed) WinHttpCloseHandle(st.socket);
    ok(!rec.overflow, "%s: too many notifications\n", sc->name);
    rec_reset(NULL, FALSE);
    ws_close_handles(&h);
    free(st.rbuf);
}

static void test_scenarios(void)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(scenarios); i++)
    {
        run_scenario(&scenarios[i]);
    }
}

/* The upgrade: HANDLE_CREATED for connection and request, SendRequest and
 * ReceiveResponse progress, HANDLE_CREATED from CompleteUpgrade, and
 * HANDLE_CLOSING when the request is closed at once. */
static void test_upgrade_sequence(void)
{
    static const struct expect connect_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, NF_MAIN, sizeof(HINTERNET), H_CONNECT),
    };
    static const struct expect request_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, NF_MAIN, sizeof(HINTERNET), H_REQUEST),
    };
    static const struct expect send_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_RESOLVING_NAME, NF_OPTIONAL, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_NAME_RESOLVED, NF_OPTIONAL, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER, 0, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER, 0, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, 0, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_REQUEST_SENT, 0, sizeof(DWORD), 0),
        E_(WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, 0, LEN_ANY, 0),
    };
    static const struct expect receive_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE, 0, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED, 0, sizeof(DWORD), 0),
        E_(WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, 0, LEN_ANY, 0),
    };
    static const struct expect upgrade_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CREATED, NF_MAIN, sizeof(HINTERNET), H_SOCKET),
    };
    static const struct expect close_request_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_CLOSING_CONNECTION, NF_OPTIONAL, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_CONNECTION_CLOSED, NF_OPTIONAL, LEN_ANY, 0),
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, 0, sizeof(HINTERNET), H_REQUEST),
    };
    static const struct expect send_hello_exp[] = { E_WRITE(5, BIN_MSG) };
    static const struct expect recv_hello_exp[] = { E_READ(5, BIN_MSG, "hello") };
    static const struct expect close_exp[] = { E_CLOSE(0) };
    static const struct expect close_socket_exp[] = { E_CLOSING };
    static const struct expect close_connect_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, 0, sizeof(HINTERNET), H_CONNECT),
    };
    static const struct expect close_session_exp[] =
    {
        E_(WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, 0, sizeof(HINTERNET), H_SESSION),
    };
    struct scenario_state st;
    WCHAR host[128];
    INTERNET_PORT port;
    DWORD status, size, err;
    USHORT close_status;
    BYTE buf[64];
    BOOL ret;

    if (!ws_parse_server(server, host, ARRAY_SIZE(host), &port))
    {
        ok(0, "bad server address %s\n", server);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.context = (DWORD_PTR)&st;
    rec_reset(NULL, TRUE);

    st.session = WinHttpOpen(L"winhttp-ws async", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(st.session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (!st.session) return;
    ok(WinHttpSetStatusCallback(st.session, record_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0)
       != WINHTTP_INVALID_STATUS_CALLBACK, "WinHttpSetStatusCallback failed: %lu\n", GetLastError());

    st.call = call_begin();
    st.connect = WinHttpConnect(st.session, host, port, 0);
    call_end();
    ok(st.connect != NULL, "WinHttpConnect failed: %lu\n", GetLastError());
    check_notes(&st, connect_exp, ARRAY_SIZE(connect_exp), FALSE, "WinHttpConnect");

    st.call = call_begin();
    st.request = WinHttpOpenRequest(st.connect, L"GET", L"/echo", NULL, NULL, NULL, 0);
    call_end();
    ok(st.request != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    check_notes(&st, request_exp, ARRAY_SIZE(request_exp), FALSE, "WinHttpOpenRequest");
    if (!st.request) goto done;
    ret = WinHttpSetOption(st.request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
    ok(ret, "WinHttpSetOption(UPGRADE_TO_WEB_SOCKET) failed: %lu\n", GetLastError());

    SetLastError(0xdeadbeef);
    st.call = call_begin();
    ret = WinHttpSendRequest(st.request, NULL, 0, NULL, 0, 0, 0);
    call_end();
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    if (!check_notes(&st, send_exp, ARRAY_SIZE(send_exp), FALSE, "WinHttpSendRequest")) goto done;

    st.call = call_begin();
    ret = WinHttpReceiveResponse(st.request, NULL);
    call_end();
    ok(ret, "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    if (!check_notes(&st, receive_exp, ARRAY_SIZE(receive_exp), FALSE, "WinHttpReceiveResponse")) goto done;

    size = sizeof(status);
    ret = WinHttpQueryHeaders(st.request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status,
                              &size, NULL);
    ok(ret && status == 101, "status %lu (ret %d, error %lu)\n", status, ret, GetLastError());

    SetLastError(0xdeadbeef);
    st.call = call_begin();
    st.socket = WinHttpWebSocketCompleteUpgrade(st.request, st.context);
    call_end();
    ok(st.socket != NULL, "WinHttpWebSocketCompleteUpgrade failed: %lu\n", GetLastError());
    if (!st.socket) goto done;
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu after CompleteUpgrade\n", GetLastError());
    check_notes(&st, upgrade_exp, ARRAY_SIZE(upgrade_exp), FALSE, "WinHttpWebSocketCompleteUpgrade");

    st.call = call_begin();
    WinHttpCloseHandle(st.request);
    call_end();
    check_notes(&st, close_request_exp, ARRAY_SIZE(close_request_exp), FALSE, "WinHttpCloseHandle(request)");
    check_quiet(QUIET_MS, "after closing the request");
    st.request = NULL;

    /* the websocket outlives its request */
    st.call = call_begin();
    err = WinHttpWebSocketSend(st.socket, BIN_MSG, (void *)"hello", 5);
    call_end();
    ok(!err, "Send returned %lu\n", err);
    check_notes(&st, send_hello_exp, 1, FALSE, "Send");

    st.rbuf = buf;
    st.recv_bytes = 0xdeadbeef;
    st.recv_type = 0xdeadbeef;
    st.call = call_begin();
    err = WinHttpWebSocketReceive(st.socket, buf, sizeof(buf), &st.recv_bytes, &st.recv_type);
    call_end();
    ok(!err, "Receive returned %lu\n", err);
    check_notes(&st, recv_hello_exp, 1, FALSE, "Receive");

    st.call = call_begin();
    err = WinHttpWebSocketClose(st.socket, 1000, NULL, 0);
    call_end();
    ok(!err, "Close returned %lu\n", err);
    check_notes(&st, close_exp, 1, FALSE, "Close");
    close_status = 0;
    err = WinHttpWebSocketQueryCloseStatus(st.socket, &close_status, buf, sizeof(buf), &size);
    ok(!err && close_status == 1000, "QueryCloseStatus returned %lu, status %u\n", err, close_status);

    st.call = call_begin();
    WinHttpCloseHandle(st.socket);
    call_end();
    check_notes(&st, close_socket_exp, 1, FALSE, "WinHttpCloseHandle(socket)");
    check_quiet(QUIET_MS, "after closing the websocket");

    st.call = call_begin();
    WinHttpCloseHandle(st.connect);
    call_end();
    check_notes(&st, close_connect_exp, 1, FALSE, "WinHttpCloseHandle(connect)");
    st.connect = NULL;
    st.call = call_begin();
    WinHttpCloseHandle(st.session);
    call_end();
    check_notes(&st, close_session_exp, 1, FALSE, "WinHttpCloseHandle(session)");
    st.session = NULL;
    check_quiet(QUIET_MS, "after closing the session");

done:
    rec_reset(NULL, FALSE);
    if (st.request) WinHttpCloseHandle(st.request);
    if (st.connect) WinHttpCloseHandle(st.connect);
    if (st.session) WinHttpCloseHandle(st.session);
}

/* A chain of receives, each posted from the previous READ_COMPLETE ---------- */

#define CHAIN_COUNT 1000

struct chain
{
    HINTERNET socket;
    HANDLE done;
    BYTE buf[64];
    DWORD bytes;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    volatile LONG received, writes, errors, bad;
    volatile LONG max_depth;
    DWORD first_bad;
};

/* How deep callbacks nest on one thread (a Receive completing inside the
 * Receive call made from a callback nests one level). */
static __thread LONG chain_depth;

static void CALLBACK chain_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct chain *c = (struct chain *)context;
    const WINHTTP_WEB_SOCKET_STATUS *s = info;
    char expect[32];
    LONG depth, max, n;
    DWORD err;

    if (!c || handle != c->socket) return;
    depth = ++chain_depth;
    while ((max = c->max_depth) < depth && InterlockedCompareExchange(&c->max_depth, depth, max) != max);

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
        InterlockedIncrement(&c->writes);
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        n = c->received;
        sprintf(expect, "chain %04ld", n);
        if (len != sizeof(*s) || !s || s->eBufferType != UTF8_MSG || s->dwBytesTransferred != strlen(expect)
            || memcmp(c->buf, expect, s->dwBytesTransferred))
        {
            if (!c->bad) c->first_bad = n;
            InterlockedIncrement(&c->bad);
        }
        if (InterlockedIncrement(&c->received) == CHAIN_COUNT || c->bad)
        {
            SetEvent(c->done);
            break;
        }
        c->bytes = 0xdeadbeef;
        err = WinHttpWebSocketReceive(c->socket, c->buf, sizeof(c->buf), &c->bytes, &c->type);
        if (err)
        {
            InterlockedIncrement(&c->errors);
            SetEvent(c->done);
        }
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        InterlockedIncrement(&c->errors);
        SetEvent(c->done);
        break;
    }
    chain_depth--;
}

static void test_receive_chain(void)
{
    struct ws_handles h;
    struct chain *c = calloc(1, sizeof(*c));
    char msg[32];
    DWORD err, wait, start;
    unsigned i;

    c->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    c->socket = ws_open(server, L"/echo", WS_OPEN_ASYNC, chain_callback, (DWORD_PTR)c, &h);
    ok(c->socket != NULL, "ws_open failed in %s: %lu\n", h.failed_call, h.error);
    if (!c->socket) return;

    start = GetTickCount();
    for (i = 0; i < CHAIN_COUNT; i++)
    {
        sprintf(msg, "chain %04u", i);
        err = WinHttpWebSocketSend(c->socket, UTF8_MSG, msg, strlen(msg));
        if (err)
        {
            ok(0, "Send %u returned %lu\n", i, err);
            break;
        }
    }
    ok(c->writes == CHAIN_COUNT, "%ld WRITE_COMPLETE notifications during the sends, expected %u\n", c->writes,
       CHAIN_COUNT);

    err = WinHttpWebSocketReceive(c->socket, c->buf, sizeof(c->buf), &c->bytes, &c->type);
    ok(!err, "first Receive returned %lu\n", err);
    wait = WaitForSingleObject(c->done, 30000);
    ok(wait == WAIT_OBJECT_0, "chain did not finish: %ld of %u messages\n", c->received, CHAIN_COUNT);
    ok(c->received == CHAIN_COUNT, "received %ld messages, expected %u\n", c->received, CHAIN_COUNT);
    ok(!c->bad, "%ld bad READ_COMPLETE notifications, first at message %lu\n", c->bad, c->first_bad);
    ok(!c->errors, "%ld errors\n", c->errors);
    /* a Receive posted from READ_COMPLETE must not run its completion inside
     * the caller's stack without bound */
    ok(c->max_depth <= 2, "callbacks nested %ld deep\n", c->max_depth);
    trace("%u messages echoed and received in a callback chain in %lu ms, max nesting %ld\n", CHAIN_COUNT,
          GetTickCount() - start, c->max_depth);

    if (wait == WAIT_OBJECT_0)
    {
        err = WinHttpWebSocketClose(c->socket, 1000, NULL, 0);
        ok(!err, "Close returned %lu\n", err);
    }
    /* Once HANDLE_CLOSING has arrived nothing uses c; it is leaked if it did not. */
    WinHttpCloseHandle(c->socket);
    ws_close_handles(&h);
}

/* Many websockets at once ------------------------------------------------------ */

#define MULTI_COUNT 200

struct multi_socket
{
    struct multi *m;
    HINTERNET socket;
    unsigned index;
    char buf[64];
    DWORD bytes;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    volatile LONG read_done, close_done, closing;
};

struct multi
{
    HANDLE reads_done, closes_done, closing_done;
    volatile LONG reads, closes, closings, errors, bad;
};

static void CALLBACK multi_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct multi_socket *ms = (struct multi_socket *)context;
    const WINHTTP_WEB_SOCKET_STATUS *s = info;
    struct multi *m;
    char expect[32];

    if (!ms || handle != ms->socket) return;
    m = ms->m;
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        sprintf(expect, "socket %u", ms->index);
        if (len != sizeof(*s) || s->eBufferType != UTF8_MSG || s->dwBytesTransferred != strlen(expect) ||
            memcmp(ms->buf, expect, s->dwBytesTransferred) || InterlockedIncrement(&ms->read_done) != 1)
            InterlockedIncrement(&m->bad);
        if (InterlockedIncrement(&m->reads) == MULTI_COUNT) SetEvent(m->reads_done);
        break;
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
        if (InterlockedIncrement(&ms->close_done) != 1) InterlockedIncrement(&m->bad);
        if (InterlockedIncrement(&m->closes) == MULTI_COUNT) SetEvent(m->closes_done);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        if (InterlockedIncrement(&ms->closing) != 1) InterlockedIncrement(&m->bad);
        if (InterlockedIncrement(&m->closings) == MULTI_COUNT) SetEvent(m->closing_done);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        InterlockedIncrement(&m->errors);
        break;
    }
}

static void test_many_sockets(void)
{
    struct multi *m = calloc(1, sizeof(*m));
    struct multi_socket *socks = calloc(MULTI_COUNT, sizeof(*socks));
    struct ws_handles *handles = calloc(MULTI_COUNT, sizeof(*handles));
    unsigned i, opened = 0, sent = 0;
    DWORD err, start = GetTickCount(), wait;
    char msg[32];

    m->reads_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    m->closes_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    m->closing_done = CreateEventW(NULL, TRUE, FALSE, NULL);

    for (i = 0; i < MULTI_COUNT; i++)
    {
        socks[i].m = m;
        socks[i].index = i;
        socks[i].socket = ws_open(server, L"/echo", WS_OPEN_ASYNC, multi_callback, (DWORD_PTR)&socks[i], &handles[i]);
        if (!socks[i].socket)
        {
            ok(0, "websocket %u: ws_open failed in %s: %lu\n", i, handles[i].failed_call, handles[i].error);
            break;
        }
        opened++;
        err = WinHttpWebSocketReceive(socks[i].socket, socks[i].buf, sizeof(socks[i].buf), &socks[i].bytes,
                                      &socks[i].type);
        ok(!err, "websocket %u: Receive returned %lu\n", i, err);
    }
    trace("%u websockets opened with a pending receive in %lu ms\n", opened, GetTickCount() - start);
    ok(m->reads == 0, "%ld receives completed before anything was sent\n", m->reads);

    for (i = 0; i < opened; i++)
    {
        sprintf(msg, "socket %u", i);
        err = WinHttpWebSocketSend(socks[i].socket, UTF8_MSG, msg, strlen(msg));
        ok(!err, "websocket %u: Send returned %lu\n", i, err);
        if (!err) sent++;
    }
    if (opened == MULTI_COUNT && sent == opened)
    {
        wait = WaitForSingleObject(m->reads_done, 30000);
        ok(wait == WAIT_OBJECT_0, "only %ld of %u READ_COMPLETE notifications arrived\n", m->reads, MULTI_COUNT);
    }
    for (i = 0; i < opened; i++)
    {
        err = WinHttpWebSocketClose(socks[i].socket, 1000, NULL, 0);
        ok(!err, "websocket %u: Close returned %lu\n", i, err);
    }
    if (opened == MULTI_COUNT)
    {
        wait = WaitForSingleObject(m->closes_done, 30000);
        ok(wait == WAIT_OBJECT_0, "only %ld of %u CLOSE_COMPLETE notifications arrived\n", m->closes, MULTI_COUNT);
    }
    for (i = 0; i < opened; i++)
    {
        WinHttpCloseHandle(socks[i].socket);
        ws_close_handles(&handles[i]);
    }
    if (opened == MULTI_COUNT)
    {
        wait = WaitForSingleObject(m->closing_done, 30000);
        ok(wait == WAIT_OBJECT_0, "only %ld of %u HANDLE_CLOSING notifications arrived\n", m->closings, MULTI_COUNT);
    }
    ok(!m->errors, "%ld REQUEST_ERROR notifications\n", m->errors);
    ok(!m->bad, "%ld bad or repeated notifications\n", m->bad);
    trace("%u websockets: %ld reads, %ld closes, %ld closings in %lu ms\n", opened, m->reads, m->closes, m->closings,
          GetTickCount() - start);
    /* socks and m stay allocated: a late notification must find them */
    free(handles);
}

/* A callback that blocks --------------------------------------------------------- */

/* Windows delivers notifications on a thread pool: while one callback waits,
 * other websockets' completions still arrive.  Here websocket A's
 * READ_COMPLETE sends on websocket B and waits for B's READ_COMPLETE. */
struct blocker
{
    HINTERNET a, b;
    HANDLE b_read, a_done;
    char buf_a[64], buf_b[64];
    DWORD bytes_a, bytes_b;
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type_a, type_b;
    DWORD send_b, wait_b, waited_ms;
    volatile LONG a_reads, b_reads;
};

static void CALLBACK blocker_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct blocker *bl = (struct blocker *)context;
    DWORD start;

    if (!bl || status != WINHTTP_CALLBACK_STATUS_READ_COMPLETE) return;
    if (handle == bl->b)
    {
        InterlockedIncrement(&bl->b_reads);
        SetEvent(bl->b_read);
        return;
    }
    if (handle != bl->a || InterlockedIncrement(&bl->a_reads) != 1) return;
    start = GetTickCount();
    bl->send_b = WinHttpWebSocketSend(bl->b, UTF8_MSG, (void *)"to b", 4);
    bl->wait_b = WaitForSingleObject(bl->b_read, 10000);
    bl->waited_ms = GetTickCount() - start;
    SetEvent(bl->a_done);
}

static void test_blocking_callback(void)
{
    struct blocker *bl = calloc(1, sizeof(*bl));
    struct ws_handles ha, hb;
    DWORD err, wait;

    bl->b_read = CreateEventW(NULL, TRUE, FALSE, NULL);
    bl->a_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    bl->a = ws_open(server, L"/echo", WS_OPEN_ASYNC, blocker_callback, (DWORD_PTR)bl, &ha);
    ok(bl->a != NULL, "websocket A: ws_open failed in %s: %lu\n", ha.failed_call, ha.error);
    bl->b = ws_open(server, L"/echo", WS_OPEN_ASYNC, blocker_callback, (DWORD_PTR)bl, &hb);
    ok(bl->b != NULL, "websocket B: ws_open failed in %s: %lu\n", hb.failed_call, hb.error);
    if (!bl->a || !bl->b) return;

    err = WinHttpWebSocketReceive(bl->b, bl->buf_b, sizeof(bl->buf_b), &bl->bytes_b, &bl->type_b);
    ok(!err, "Receive on B returned %lu\n", err);
    err = WinHttpWebSocketReceive(bl->a, bl->buf_a, sizeof(bl->buf_a), &bl->bytes_a, &bl->type_a);
    ok(!err, "Receive on A returned %lu\n", err);
    err = WinHttpWebSocketSend(bl->a, UTF8_MSG, (void *)"to a", 4);
    ok(!err, "Send on A returned %lu\n", err);

    wait = WaitForSingleObject(bl->a_done, 20000);
    ok(wait == WAIT_OBJECT_0, "A's READ_COMPLETE did not return: %ld A reads, %ld B reads\n", bl->a_reads,
       bl->b_reads);
    if (wait == WAIT_OBJECT_0)
    {
        ok(!bl->send_b, "Send on B inside A's callback returned %lu\n", bl->send_b);
        ok(bl->wait_b == WAIT_OBJECT_0, "B's READ_COMPLETE did not come while A's callback waited (%lu)\n",
           bl->wait_b);
        ok(bl->b_reads == 1, "%ld READ_COMPLETE notifications on B\n", bl->b_reads);
        trace("A's callback waited %lu ms for B's READ_COMPLETE\n", bl->waited_ms);
        err = WinHttpWebSocketClose(bl->a, 1000, NULL, 0);
        ok(!err, "Close on A returned %lu\n", err);
        err = WinHttpWebSocketClose(bl->b, 1000, NULL, 0);
        ok(!err, "Close on B returned %lu\n", err);
    }
    /* bl stays allocated: a late notification must find it */
    WinHttpCloseHandle(bl->a);
    WinHttpCloseHandle(bl->b);
    ws_close_handles(&ha);
    ws_close_handles(&hb);
}

START_TEST(websocket_async)
{
    if (!(server = ws_server_env("WSTEST_SERVER")))
    {
        skip("WSTEST_SERVER not set: run under tools/with-servers.sh\n");
        return;
    }
    InitializeCriticalSection(&rec.cs);
    rec.event = CreateEventW(NULL, FALSE, FALSE, NULL);

    test_upgrade_sequence();
    test_scenarios();
    test_receive_chain();
    test_blocking_callback();
    test_many_sockets();
}
