/*
 * Finding the host-socket helper and checking it (host_link.c): shared by
 * winhttp.dll (net_host.c) and the benchmark's raw host client
 * (bench/bench_raw.c --host), so both reach Linux sockets the same way.
 *
 * No trace calls here: the caller says why a link could not be made.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_HOST_LINK_H
#define WINHTTP_HOST_LINK_H

#include <windows.h>
#include "../winhttp_host/host_abi.h"

typedef NTSTATUS (WINAPI *host_unix_call_fn)(UINT64 handle, unsigned int code, void *args);

struct host_link
{
    host_unix_call_fn call;            /* ntdll's __wine_unix_call_dispatcher */
    UINT64 handle;                     /* winhttp_host.so's call table */
    WCHAR path[MAX_PATH + 64];         /* where the helper was loaded from; "" when by name */
    NTSTATUS status;                   /* of the step that failed, when one did */
    struct host_version_args version;  /* what the helper answered */
};

/* Loads winhttp_host.dll, gets its Linux side's call table and makes the
 * version handshake.  NULL when link can be used (the helper then stays
 * loaded for the life of the process), else a phrase saying why not. */
const char *host_link_open(struct host_link *link);

#endif /* WINHTTP_HOST_LINK_H */
