/*
 * Native tests of the host-socket helper's Linux side: host_unix.c is
 * linked in and driven through its call table, as Wine's dispatcher would,
 * against a listener on 127.0.0.1 (nothing leaves loopback).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef HOST_HARNESS_H
#define HOST_HARNESS_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_abi.h"

typedef int32_t (*host_entry)(void *args);
extern const host_entry __wine_unix_call_funcs[];

static inline int32_t host_call(unsigned int code, void *args)
{
    return __wine_unix_call_funcs[code](args);
}

/* A non-blocking listener on 127.0.0.1 and its address in Windows layout. */
static inline int host_listener(uint8_t addr[HOST_ADDR_MAX], uint32_t *addr_len)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    uint16_t family = HOST_AF_INET;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 64)
        || getsockname(fd, (struct sockaddr *)&sin, &len))
        return -1;
    memset(addr, 0, HOST_ADDR_MAX);
    memcpy(addr, &sin, sizeof(sin));
    memcpy(addr, &family, 2);
    *addr_len = sizeof(sin);
    return fd;
}

#endif
