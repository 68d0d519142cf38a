/*
 * TLS as a record codec (tls.c), private to the transport (net.c).
 *
 * tls.c does no socket I/O: it turns plaintext into records for net.c to
 * send, takes the ciphertext net.c received and hands out plaintext, and
 * runs the handshake one step at a time, giving net.c the tokens to send and
 * saying when it needs more input.  Nothing above net.h sees any of this:
 * upper layers use the same send and receive calls for plain and secure
 * connections.
 *
 * Thread rules: one receive path and one send path may run at once on a
 * record state (net.c allows one receive and one send in flight per
 * connection); EncryptMessage and DecryptMessage are serialised inside
 * (crypt_lock, see tls.c).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_TLS_H
#define WINHTTP_TLS_H

#include "winhttp_private.h"
#include "net.h"
#include <wincrypt.h>

struct tls;

/* Writes bytes [offset, offset + len) of the plaintext to dst: the plaintext
 * is produced straight into the records (websocket masking on the way). */
typedef void (*tls_fill_fn)(void *context, size_t offset, BYTE *dst, size_t len);

/* Handshake: begin, then step until it returns something other than
 * ERROR_MORE_DATA.  Each step may give a *token (free with tls_free_token)
 * to send to the server; *need_input asks for more of the server's bytes
 * (tls_read_buffer/tls_add_ciphertext) before the next step. */
DWORD tls_handshake_begin(const struct net_tls_params *params, struct tls **ret);
DWORD tls_handshake_step(struct tls *tls, const WCHAR *server_name, void **token, size_t *token_len,
                         BOOL *need_input);
void tls_free_token(void *token);
/* After the handshake: the server certificate against host and the
 * SECURITY_FLAG_IGNORE_* bits; *flags gets the failure bits. */
DWORD tls_verify_certificate(struct tls *tls, const WCHAR *host, DWORD security_flags, DWORD *flags);
const CERT_CONTEXT *tls_server_certificate(struct tls *tls);
DWORD tls_cipher_strength(struct tls *tls);

/* Sending: encrypts up to a batch of records of the plaintext from *offset
 * on (fill writes it), for one socket send of *out_len bytes at *out (valid
 * until the next call). */
DWORD tls_encrypt_records(struct tls *tls, size_t total, size_t *offset, tls_fill_fn fill, void *context,
                          const BYTE **out, size_t *out_len);
/* The close_notify alert to send (free with tls_free_token), or NULL. */
void *tls_close_notify(struct tls *tls, size_t *len);

/* Receiving: room for ciphertext, then how much of it arrived. */
BYTE *tls_read_buffer(struct tls *tls, size_t *room);
void tls_add_ciphertext(struct tls *tls, size_t len);
/* Plaintext out: ERROR_SUCCESS with *got > 0 (or 0 at close_notify),
 * ERROR_MORE_DATA when no whole record is buffered. */
DWORD tls_take_plaintext(struct tls *tls, void *buf, size_t len, size_t *got);
/* TRUE when bytes wait inside (plaintext, or ciphertext not decrypted yet):
 * a receive may complete without the socket. */
BOOL tls_has_input(struct tls *tls);
/* The TCP stream ended: ERROR_SUCCESS if that was an orderly close. */
DWORD tls_end_of_stream(struct tls *tls);
void tls_free(struct tls *tls);

#endif /* WINHTTP_TLS_H */
