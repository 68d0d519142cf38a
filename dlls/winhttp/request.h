/*
 * What the websocket code needs from a request (request.c).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_REQUEST_H
#define WINHTTP_REQUEST_H

#include "winhttp_private.h"
#include "wsp.h"

struct netconn;

/* A request whose upgrade to WebSocket succeeded gives up its connection. */
struct upgraded_connection
{
    struct netconn *conn;
    char *extra;                  /* bytes read past the 101 head (heap, may be NULL) */
    size_t extra_len;
    DWORD send_buffer_size;       /* WEB_SOCKET_*_BUFFER_SIZE captured at WinHttpSendRequest */
    DWORD receive_buffer_size;
    struct timeouts timeouts;
    /* The request was sent again and its answer has not come yet (Windows
     * upgrades it anyway, Wine's test_websocket): the 101 head is the first
     * thing on the connection, checked against key by the websocket
     * (upgrade_check_head) before any frame. */
    BOOL head_pending;
    char key[WSP_KEY_LEN + 1];
};

/* Whether head[0..len) (a whole response head) is a valid 101 for key:
 * ERROR_SUCCESS or ERROR_WINHTTP_INVALID_SERVER_RESPONSE. */
DWORD upgrade_check_head(const char *head, size_t len, const char *key);

/* Checks that the request asked for the upgrade (WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET),
 * that its response is a valid 101 for the key it sent (status, Upgrade,
 * Connection, Sec-WebSocket-Accept: through the protocol core), and detaches
 * the connection.  The request stays usable for WinHttpQueryHeaders.
 * Errors: ERROR_WINHTTP_INCORRECT_HANDLE_STATE (no upgrade asked, no response
 * yet, connection already taken), ERROR_WINHTTP_INVALID_SERVER_RESPONSE (not
 * a valid 101 handshake). */
DWORD request_take_upgraded_connection(struct object_header *request, struct upgraded_connection *out);

/* random.c: unpredictable bytes (masks, keys), from the OS CSPRNG in batches. */
void winhttp_random(void *context, void *buf, size_t len);
void random_init(void);  /* DllMain, before any other call */

#endif /* WINHTTP_REQUEST_H */
