/*
 * Private declarations shared by the Windows-facing parts of winhttp.dll.
 *
 * Every handle is an object with a common header and a small per-type vtable
 * (the shape of Wine's winhttp): public entry points look the handle up,
 * check its type, call into the object and release it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WINHTTP_PRIVATE_H
#define WINHTTP_PRIVATE_H

#ifndef WINHTTP_BUILDING_DLL
#define WINHTTP_BUILDING_DLL
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winhttp.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "debug.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Handle types; 1-3 are public (WINHTTP_HANDLE_TYPE_*), 4 is Wine's id for websockets. */
enum handle_type
{
    HANDLE_TYPE_SESSION = 1,
    HANDLE_TYPE_CONNECT = 2,
    HANDLE_TYPE_REQUEST = 3,
    HANDLE_TYPE_SOCKET  = 4,
};

struct object_header;

struct object_vtbl
{
    /* WinHttpCloseHandle was called: cancel what is pending.  Optional. */
    void (*handle_closing)(struct object_header *hdr);
    /* Last reference gone: free the object (after HANDLE_CLOSING was sent). */
    void (*destroy)(struct object_header *hdr);
    /* Type-specific options; return FALSE with SetLastError, or defer to the
     * common options by setting ERROR_WINHTTP_INVALID_OPTION. */
    BOOL (*query_option)(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen);
    BOOL (*set_option)(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen);
};

struct object_header
{
    enum handle_type type;
    HINTERNET handle;
    const struct object_vtbl *vtbl;
    DWORD flags;                  /* WINHTTP_FLAG_ASYNC is inherited from the session */
    DWORD_PTR context;
    LONG refs;
    LONG closing;                 /* WinHttpCloseHandle has been called */
    WINHTTP_STATUS_CALLBACK callback;
    DWORD notify_mask;
    struct object_header *parent; /* holds a reference */
};

/* handle.c */
HINTERNET alloc_handle(struct object_header *hdr);
void init_object(struct object_header *hdr, enum handle_type type, const struct object_vtbl *vtbl,
                 struct object_header *parent);
struct object_header *grab_object(HINTERNET handle);
struct object_header *addref_object(struct object_header *hdr);
void release_object(struct object_header *hdr);
BOOL free_handle(HINTERNET handle);
/* Looks up a handle of the wanted type; on failure sets the last error
 * (ERROR_INVALID_HANDLE or ERROR_WINHTTP_INCORRECT_HANDLE_TYPE). */
struct object_header *grab_typed_object(HINTERNET handle, enum handle_type type, DWORD *error);
void send_callback(struct object_header *hdr, DWORD status, void *info, DWORD buflen);
BOOL object_is_async(const struct object_header *hdr);

/* option.c: helpers for options common to every handle type */
BOOL query_dword_option(DWORD value, void *buffer, DWORD *buflen);
BOOL get_dword_option(const void *buffer, DWORD buflen, DWORD *value);

/* Timeouts, in milliseconds; inherited session -> request. */
struct timeouts
{
    int resolve;
    int connect;
    int send;
    int receive;
    int receive_response;
};

struct session
{
    struct object_header hdr;
    WCHAR *agent;
    DWORD access;
    WCHAR *proxy_server;
    WCHAR *proxy_bypass;
    struct timeouts timeouts;
    DWORD websocket_receive_buffer_size;
    DWORD websocket_send_buffer_size;
    DWORD secure_protocols;
    DWORD max_connections_per_server;
    SRWLOCK pool_lock;            /* keep-alive connection pool, see request.c */
    struct netconn *idle_connections;
};

struct connect
{
    struct object_header hdr;
    struct session *session;
    WCHAR *hostname;
    WCHAR *username;
    WCHAR *password;
    INTERNET_PORT hostport;
};

/* session.c */
BOOL session_query_timeout_option(const struct timeouts *t, DWORD option, void *buffer, DWORD *buflen, BOOL *handled);
BOOL session_set_timeout_option(struct timeouts *t, DWORD option, const void *buffer, DWORD buflen, BOOL *handled);

/* request.c: the parts of a request other files need */
struct timeouts *request_timeouts(struct object_header *hdr);
void request_timeouts_changed(struct object_header *hdr);

/* net.c: keep-alive pool of a session */
void net_pool_clear(struct session *session);

/* Heap helpers (the process heap, as Wine's winhttp). */
static inline void *heap_alloc(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), 0, size);
}

static inline void *heap_alloc_zero(SIZE_T size)
{
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size);
}

static inline void *heap_realloc(void *mem, SIZE_T size)
{
    if (!mem) return heap_alloc(size);
    return HeapReAlloc(GetProcessHeap(), 0, mem, size);
}

static inline void heap_free(void *mem)
{
    if (mem) HeapFree(GetProcessHeap(), 0, mem);
}

static inline WCHAR *strdupW(const WCHAR *src)
{
    WCHAR *dst;
    size_t len;
    if (!src) return NULL;
    len = (wcslen(src) + 1) * sizeof(WCHAR);
    if ((dst = heap_alloc(len))) memcpy(dst, src, len);
    return dst;
}

static inline WCHAR *strndupW(const WCHAR *src, size_t len)
{
    WCHAR *dst;
    if (!src) return NULL;
    if ((dst = heap_alloc((len + 1) * sizeof(WCHAR))))
    {
        memcpy(dst, src, len * sizeof(WCHAR));
        dst[len] = 0;
    }
    return dst;
}

/* UTF-16 -> UTF-8 (or CP_ACP-free ASCII) conversions for the wire. */
char *strdupWA(const WCHAR *src, int len, int *out_len);
WCHAR *strdupAW(const char *src, int len);

/* main.c */
extern HINSTANCE winhttp_instance;

/* com_typelib.c: drops the WinHttpRequest type library (DLL unload). */
void com_release_typelib(void);

#endif /* WINHTTP_PRIVATE_H */
