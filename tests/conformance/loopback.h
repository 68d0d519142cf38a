/*
 * Listening sockets on 127.0.0.1 for the servers the tests run in their own
 * process (stub_httpd.h, raw_httpd.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef LOOPBACK_H
#define LOOPBACK_H

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

/* A socket listening on 127.0.0.1:port (0: any free port, *bound says
 * which), or INVALID_SOCKET. */
static inline SOCKET loopback_listen(int port, int backlog, int *bound)
{
    struct sockaddr_in addr;
    int addr_len = sizeof(addr);
    WSADATA data;
    SOCKET s;

    WSAStartup(MAKEWORD(2, 2), &data);
    if ((s = socket(AF_INET, SOCK_STREAM, 0)) == INVALID_SOCKET) return s;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, backlog)
        || getsockname(s, (struct sockaddr *)&addr, &addr_len))
    {
        closesocket(s);
        return INVALID_SOCKET;
    }
    *bound = ntohs(addr.sin_port);
    return s;
}

/* The next connection, if one comes within 100 ms (so that the caller's loop
 * can check its stop flag and deadline), else INVALID_SOCKET. */
static inline SOCKET loopback_accept(SOCKET listener)
{
    struct timeval tv = { 0, 100000 };
    fd_set set;

    FD_ZERO(&set);
    FD_SET(listener, &set);
    if (select(0, &set, NULL, NULL, &tv) <= 0) return INVALID_SOCKET;
    return accept(listener, NULL, NULL);
}

#endif /* LOOPBACK_H */
