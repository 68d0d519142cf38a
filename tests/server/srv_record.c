/* What a client sent on a websocket, kept for the test to fetch afterwards
 * (X-Record: TOKEN on the upgrade, then GET /http/record/TOKEN).  Over TLS
 * no in-process peer can watch the wire, so the server reports it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "srv.h"

#define MAX_RECORDS 256
#define MAX_TOKEN 64

struct srv_record {
    struct srv_record *next;
    char token[MAX_TOKEN + 1];
    int close_code;              /* -1: no close frame; 1005 for an empty one */
    int complete;                /* the connection is over: the session lets go of it */
    struct srv_buf pongs;        /* " HEX" per pong, "-" for an empty one */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct srv_record *records;   /* newest first */
static unsigned count;

static void record_free(struct srv_record *r)
{
    srv_buf_free(&r->pongs);
    free(r);
}

/* Drops the oldest record when there are too many (a test that never
 * fetched); lock held. */
static void trim(void)
{
    struct srv_record **p = &records;

    if (count < MAX_RECORDS)
        return;
    while ((*p)->next)
        p = &(*p)->next;
    if (!(*p)->complete)
        return;
    record_free(*p);
    *p = NULL;
    count--;
}

struct srv_record *srv_record_open(const char *token, size_t len)
{
    struct srv_record *r;

    if (!len || len > MAX_TOKEN || !(r = calloc(1, sizeof(*r))))
        return NULL;
    memcpy(r->token, token, len);
    r->close_code = -1;
    pthread_mutex_lock(&lock);
    trim();
    r->next = records;
    records = r;
    count++;
    pthread_mutex_unlock(&lock);
    return r;
}

void srv_record_frame(struct srv_record *r, const struct ws_frame *f, const unsigned char *p)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    if (!r)
        return;
    pthread_mutex_lock(&lock);
    if (f->op == WS_PONG && r->close_code < 0) {
        srv_buf_append(&r->pongs, " ", 1);
        if (!f->len)
            srv_buf_append(&r->pongs, "-", 1);
        for (i = 0; i < f->len; i++) {
            char hex[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
            srv_buf_append(&r->pongs, hex, 2);
        }
    } else if (f->op == WS_CLOSE && r->close_code < 0) {
        r->close_code = f->len >= 2 ? (p[0] << 8 | p[1]) : 1005;
    }
    pthread_mutex_unlock(&lock);
}

void srv_record_end(struct srv_record *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&lock);
    r->complete = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static struct srv_record **find(const char *token)
{
    struct srv_record **p;

    for (p = &records; *p && strcmp((*p)->token, token); p = &(*p)->next)
        ;
    return p;
}

int srv_record_take(const char *token, int ms, struct srv_buf *out)
{
    struct timespec until;
    struct srv_record **p, *r;
    int timed_out = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (!(*(p = find(token)) && (*p)->complete) && !timed_out)
        timed_out = pthread_cond_timedwait(&changed, &lock, &until) == ETIMEDOUT;
    r = *p;
    if (r) {
        srv_buf_printf(out, "close=%d%s pongs:", r->close_code, r->complete ? "" : " incomplete");
        srv_buf_append(out, r->pongs.p, r->pongs.len);
        if (r->complete) {     /* else the session still writes to it */
            *p = r->next;
            record_free(r);
            count--;
        }
    }
    pthread_mutex_unlock(&lock);
    return r ? 0 : -1;
}
