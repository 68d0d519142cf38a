/* Blocking I/O on one accepted connection, plain TCP or TLS (GnuTLS). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "srv.h"

#define SRV_READ_CHUNK (256 * 1024)

#ifdef HAVE_GNUTLS
static gnutls_certificate_credentials_t srv_creds;
static int srv_tls_on;

int srv_tls_init(const char *cert, const char *key)
{
    int rc;

    if ((rc = gnutls_certificate_allocate_credentials(&srv_creds)) < 0 ||
        (rc = gnutls_certificate_set_x509_key_file(srv_creds, cert, key,
                                                   GNUTLS_X509_FMT_PEM)) < 0)
        return rc;
    srv_tls_on = 1;
    return 0;
}
#endif

int srv_conn_start(struct srv_conn *c)
{
#ifdef HAVE_GNUTLS
    int rc;

    c->tls = NULL;
    if (!srv_tls_on)
        return 0;
    if (gnutls_init(&c->tls, GNUTLS_SERVER) < 0)
        return -1;
    gnutls_set_default_priority(c->tls);
    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, srv_creds);
    gnutls_certificate_server_set_request(c->tls, GNUTLS_CERT_IGNORE);
    gnutls_transport_set_int(c->tls, c->fd);
    gnutls_handshake_set_timeout(c->tls, 30000);
    do {
        rc = gnutls_handshake(c->tls);
    } while (rc < 0 && !gnutls_error_is_fatal(rc));
    if (rc < 0) {
        srv_log(c, "TLS handshake failed: %s", gnutls_strerror(rc));
        return -1;
    }
#else
    (void)c;
#endif
    return 0;
}

static ssize_t raw_read(struct srv_conn *c, void *p, size_t n)
{
    ssize_t r;
#ifdef HAVE_GNUTLS
    if (c->tls) {
        do {
            r = gnutls_record_recv(c->tls, p, n);
        } while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
                 r == GNUTLS_E_REHANDSHAKE);
        if (r == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        return r < 0 ? -1 : r;
    }
#endif
    do {
        r = recv(c->fd, p, n, 0);
    } while (r < 0 && errno == EINTR);
    return r;
}

ssize_t srv_conn_fill(struct srv_conn *c)
{
    ssize_t r;
    size_t room;

    if (c->eof)
        return 0;
    if (c->in.cap - c->in.len < SRV_READ_CHUNK / 4 && srv_buf_reserve(&c->in, SRV_READ_CHUNK))
        return -1;
    room = c->in.cap - c->in.len;
    r = raw_read(c, c->in.p + c->in.len, room);
    if (r <= 0) {
        c->eof = 1;
        return r;
    }
    c->in.len += (size_t)r;
    return r;
}

ssize_t srv_conn_fill_timeout(struct srv_conn *c, int ms)
{
    struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
    int r;

#ifdef HAVE_GNUTLS
    if (c->tls && gnutls_record_check_pending(c->tls))
        return srv_conn_fill(c);
#endif
    do {
        r = poll(&pfd, 1, ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r == 0)
        return -2;
    return srv_conn_fill(c);
}

int srv_conn_write(struct srv_conn *c, const void *d, size_t n)
{
    const unsigned char *p = d;

    while (n) {
        ssize_t w;
#ifdef HAVE_GNUTLS
        if (c->tls) {
            w = gnutls_record_send(c->tls, p, n);
            if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
                continue;
            if (w < 0)
                return -1;
        } else
#endif
        {
            w = send(c->fd, p, n, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void conn_free(struct srv_conn *c)
{
#ifdef HAVE_GNUTLS
    if (c->tls)
        gnutls_deinit(c->tls);
    c->tls = NULL;
#endif
    close(c->fd);
    c->fd = -1;
    srv_buf_free(&c->in);
}

static void close_gracefully(struct srv_conn *c, int notify)
{
    int i;

#ifdef HAVE_GNUTLS
    if (c->tls && notify)
        gnutls_bye(c->tls, GNUTLS_SHUT_WR);
#else
    (void)notify;
#endif
    shutdown(c->fd, SHUT_WR);
    /* Drain what the peer still sends so close() does not turn into a RST;
     * bounded to ~2 s in total. */
    for (i = 0; i < 20 && !c->eof; i++) {
        ssize_t r = srv_conn_fill_timeout(c, 100);
        if (r == -1 || r == 0)
            break;
        c->in.len = 0;
    }
    conn_free(c);
}

void srv_conn_close(struct srv_conn *c)
{
    close_gracefully(c, 1);
}

void srv_conn_fin(struct srv_conn *c)
{
    close_gracefully(c, 0);
}

void srv_conn_reset(struct srv_conn *c)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };

    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    conn_free(c);
}
