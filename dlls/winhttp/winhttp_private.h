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
#include "cookie.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The certificate errors a caller may ask to ignore (WINHTTP_OPTION_SECURITY_FLAGS,
 * and the COM object's SslErrorIgnoreFlags, whose SslErrorFlag_Ignore_All is the
 * same 0x3300): SECURE and the strengths are reported, never chosen. */
#define SECURITY_FLAGS_IGNORABLE (SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE | \
                                  SECURITY_FLAG_IGNORE_CERT_CN_INVALID | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID)

/* Handle types; 1-3 are public (WINHTTP_HANDLE_TYPE_*), 4 is Wine's id for websockets. */
enum handle_type
{
    HANDLE_TYPE_SESSION = 1,
    HANDLE_TYPE_CONNECT = 2,
    HANDLE_TYPE_REQUEST = 3,
    HANDLE_TYPE_SOCKET  = 4,
    HANDLE_TYPE_RESOLVER = 5,     /* WinHttpCreateProxyResolver (autoproxy.c) */
};

struct object_header;
struct handle_options;

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
    /* WinHttpSetTimeouts; NULL where the handle type has no timeouts
     * (ERROR_WINHTTP_INCORRECT_HANDLE_TYPE).  Optional. */
    void (*set_timeouts)(struct object_header *hdr, int resolve, int connect, int send, int receive);
    /* Last reference gone, before HANDLE_CLOSING is sent: hand back what a
     * request the program makes on that notification may need.  Optional. */
    void (*unreferenced)(struct object_header *hdr);
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
    struct handle_options *options; /* the table-driven options of option.c, or NULL */
};

/* handle.c */
void handle_init(void);  /* DllMain, before any other call */
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
BOOL query_buffer_fits(const void *buffer, DWORD *buflen, DWORD need);
BOOL query_dword_option(DWORD value, void *buffer, DWORD *buflen);
BOOL query_websocket_option_refused(DWORD option);
BOOL get_dword_option(const void *buffer, DWORD buflen, DWORD *value);

/* The options WinHttpSetOption stores for later use (option.c's table says
 * which handle types take each).  A session holds one set; WinHttpOpenRequest
 * copies it into the request (options_inherit), which may then change its own
 * copy.  The DWORDs are written by WinHttpSetOption and read by the engine
 * without a lock (a DWORD store is atomic; a request reads them when it sends).
 * The strings are set on request handles only and guarded by option.c's
 * options_lock: read them with options_dup_string(). */
struct handle_options
{
    DWORD redirect_policy;          /* WINHTTP_OPTION_REDIRECT_POLICY_* */
    DWORD max_redirects;            /* MAX_HTTP_AUTOMATIC_REDIRECTS */
    DWORD max_status_continue;
    DWORD max_response_header_size;
    DWORD max_response_drain_size;
    DWORD connect_retries;
    DWORD decompression;            /* WINHTTP_DECOMPRESSION_FLAG_* */
    DWORD http_protocols;           /* ENABLE_HTTP_PROTOCOL: never used, we speak HTTP/1.1 */
    DWORD disable_features;         /* WINHTTP_DISABLE_*, requests only */
    DWORD enable_features;          /* WINHTTP_ENABLE_SSL_* */
    DWORD autologon_policy;         /* requests only */
    DWORD secure_protocols;         /* WINHTTP_FLAG_SECURE_PROTOCOL_*, session only */
    DWORD max_conns_per_server;     /* session only; 0 stands for Windows' limit of 2 */
    DWORD max_conns_per_1_0_server;
    DWORD assured_non_blocking;
    DWORD codepage;
    DWORD passport;
    DWORD spn;
    DWORD reject_userpwd;
    DWORD receive_proxy_connect_response;
    DWORD use_global_server_creds;
    DWORD read_buffer_size;         /* deprecated by Windows: stored, no effect */
    DWORD write_buffer_size;
    DWORD request_priority;
    DWORD disable_stream_queue;     /* HTTP/2 only: stored, no effect */
    DWORD ipv6_fast_fallback;
    DWORD disable_secure_protocol_fallback;
    DWORD http_protocol_required;
    DWORD tcp_priority_hint;
    DWORD tcp_keepalive[3];         /* struct tcp_keepalive: onoff, time, interval */
    DWORD disable_global_pooling;   /* session only: its idle connections are its own (pool.c) */
    WCHAR *username;
    WCHAR *password;
    WCHAR *proxy_username;
    WCHAR *proxy_password;
};

void options_init_session(struct handle_options *opts);
/* A request's copy of its session's options (strings are not inherited). */
void options_inherit(struct handle_options *dst, const struct handle_options *src);
void options_free(struct handle_options *opts);
/* A heap copy of USERNAME, PASSWORD, PROXY_USERNAME or PROXY_PASSWORD, or NULL. */
WCHAR *options_dup_string(struct object_header *hdr, DWORD option);
/* WINHTTP_OPTION_WORKER_THREAD_COUNT as set on the NULL handle (0: one per CPU). */
DWORD options_worker_thread_count(void);

/* Timeouts, in milliseconds; inherited session -> request. */
struct timeouts
{
    int resolve;
    int connect;
    int send;
    int receive;
    int receive_response;
};

/* A session's or a request's proxy (WinHttpOpen, WINHTTP_OPTION_PROXY):
 * set, queried, and read by requests on other threads, so behind its own
 * lock (proxy_route.c). */
struct proxy_option
{
    SRWLOCK lock;
    BOOL set;               /* requests: the option was set (else the session's applies) */
    DWORD access;
    WCHAR *server;          /* NULL: no proxy */
    WCHAR *bypass;
};

struct session
{
    struct object_header hdr;
    WCHAR *agent;
    DWORD access;
    struct proxy_option proxy;    /* the named or default proxy, WINHTTP_OPTION_PROXY */
    struct timeouts timeouts;
    DWORD websocket_receive_buffer_size;
    DWORD websocket_send_buffer_size;
    struct handle_options opts;   /* hdr.options points here */
    HANDLE unload_event;          /* WINHTTP_OPTION_UNLOAD_NOTIFY_EVENT: set once the session is freed */
    struct cookie_jar cookies;
    /* WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY: the WPAD URL detected on the
     * first request (wpad_known; NULL: none found), kept for the session
     * until WinHttpResetAutoProxy (autoproxy.c, under wpad_lock) */
    SRWLOCK wpad_lock;
    BOOL wpad_known;
    WCHAR *wpad_url;
    /* AUTOMATIC_PROXY: the proxies its requests could not reach lately,
     * tried last (badproxy.c, under bad_lock) */
    SRWLOCK bad_lock;
    struct bad_proxy *bad_proxies;
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
void set_timeouts(struct timeouts *t, int resolve, int connect, int send, int receive);
BOOL session_query_timeout_option(const struct timeouts *t, DWORD option, void *buffer, DWORD *buflen, BOOL *handled);
BOOL session_set_timeout_option(struct timeouts *t, DWORD option, const void *buffer, DWORD buflen, BOOL *handled);

/* pool.c: a session closed (the process-wide keep-alive pool outlives it,
 * but not the connections private to the session) */
void net_pool_clear(struct session *session);
/* net.c: WSAStartup once per process */
void net_init_winsock(void);

/* proxy.c: a copy in GlobalAlloc memory (len < 0: NUL-terminated), the
 * allocator of every string the proxy functions hand to the caller. */
WCHAR *proxy_global_strdup(const WCHAR *src, int len);
/* proxy.c: the default configuration's named proxy as heap strings, or NULLs. */
void proxy_default_config(WCHAR **server, WCHAR **bypass);

/* pac_fetch.c: PAC scripts: the process's cache, and the look-up that
 * finds the script for a URL.  Synchronous (async FALSE): over on return.
 * Asynchronous: autoproxy_lookup_run returns ERROR_IO_PENDING while a WPAD
 * name or the script is awaited, then wake(context) comes once, on any
 * thread, and the owner runs it again.  *ret (the caller's reference) is set
 * unless ERROR_NOT_ENOUGH_MEMORY.  Cancel (any thread): the wait under way
 * ends now, and nothing new starts. */
void pac_cache_clear(void);
struct autoproxy_lookup;
/* An AUTOMATIC_PROXY send's: the user's Internet Settings and the script
 * they lead to; NULL when out of memory.  Nothing runs before
 * autoproxy_lookup_run, so that the owner can publish it first for
 * autoproxy_lookup_cancel (a synchronous look-up runs to its end in that call). */
struct autoproxy_lookup *autoproxy_lookup_create(struct session *session, BOOL async, void (*wake)(void *context),
                                                 void *context);
/* WinHttpGetProxyForUrl(Ex)'s: the script the options name. */
DWORD autoproxy_lookup_start_options(struct session *session, const WINHTTP_AUTOPROXY_OPTIONS *options, BOOL async,
                                     void (*wake)(void *context), void *context, struct autoproxy_lookup **ret);
DWORD autoproxy_lookup_run(struct autoproxy_lookup *lookup);
void autoproxy_lookup_cancel(struct autoproxy_lookup *lookup);
struct autoproxy_lookup *autoproxy_lookup_addref(struct autoproxy_lookup *lookup);
void autoproxy_lookup_release(struct autoproxy_lookup *lookup);
/* The script found (NUL-terminated, *size bytes), or NULL with *error (may be NULL) saying why. */
const char *autoproxy_lookup_script(struct autoproxy_lookup *lookup, DWORD *size, DWORD *error);
const WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *autoproxy_lookup_config(struct autoproxy_lookup *lookup);
/* wpad.c: WPAD through DHCP (option 252), then DNS.  wpad_detect blocks: the
 * URL (GlobalAlloc) or NULL.  A search asks without blocking: wpad_search_step
 * returns ERROR_IO_PENDING while DHCP is asked or a name is looked up, then
 * wake(context) comes once (on a thread of the process's pool or the
 * resolver's, or the canceller's) and the owner steps
 * again; ERROR_SUCCESS with *url (GlobalAlloc, NULL: none found), or
 * ERROR_WINHTTP_OPERATION_CANCELLED. */
WCHAR *wpad_detect(DWORD flags);
struct wpad_search;
struct wpad_search *wpad_search_create(DWORD flags, void (*wake)(void *context), void *context);
DWORD wpad_search_step(struct wpad_search *search, WCHAR **url);
void wpad_search_cancel(struct wpad_search *search);
struct wpad_search *wpad_search_addref(struct wpad_search *search);
void wpad_search_release(struct wpad_search *search);
/* pac_fetch.c: cracks an http:// or https:// URL into uc (set up by the
 * caller): the only schemes a PAC script is fetched over and answers for
 * (the WinHttpGetProxyForUrl page: ERROR_WINHTTP_UNRECOGNIZED_SCHEME for any
 * other), else ERROR_WINHTTP_INVALID_URL when it does not crack. */
DWORD crack_http_url(const WCHAR *url, URL_COMPONENTS *uc);
/* autoproxy.c: the proxy list and bypass list a finished look-up gives url
 * (heap strings, NULL server: direct). */
void autoproxy_lookup_answer(struct autoproxy_lookup *lookup, const WCHAR *url, WCHAR **server, WCHAR **bypass);
/* autoproxy.c: a copy of the entries of the resolver's last completed call
 * (WinHttpGetProxyResult's checks and errors); free with proxy_result_clear. */
DWORD resolver_copy_result(HINTERNET hresolver, WINHTTP_PROXY_RESULT_ENTRY **entries, DWORD *count);
/* The body of WinHttpFreeProxyResult(Ex): frees the entries, zeroes both. */
void proxy_result_clear(WINHTTP_PROXY_RESULT_ENTRY **entries, DWORD *count);

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

/* strings.c: every conversion between UTF-16 and the wire's bytes. */
/* UTF-16 -> UTF-8 (len < 0: up to the terminator); *out_len gets the byte count. */
char *strdupWA(const WCHAR *src, int len, int *out_len);
/* UTF-8 -> UTF-16 (len < 0: up to the terminator). */
WCHAR *strdupAW(const char *src, int len);
/* Header bytes from the wire: UTF-8 if valid, Latin-1 otherwise. */
WCHAR *bytes_to_wide(const char *s, size_t len);
/* Latin-1 bytes (status line parts), one WCHAR each. */
WCHAR *latin1_to_wide(const char *s, size_t len);
/* A growable byte string (request heads): failed once an allocation failed. */
struct strbuf
{
    char *data;
    size_t len, size;
    BOOL failed;
};
void sb_append(struct strbuf *sb, const char *s, size_t len);
void sb_append_str(struct strbuf *sb, const char *s);
/* s in UTF-8 */
void sb_append_wide(struct strbuf *sb, const WCHAR *s);
/* The string and its length (*len), or NULL (freed) if an append failed. */
char *sb_finish(struct strbuf *sb, size_t *len);

/* main.c */
extern HINSTANCE winhttp_instance;
/* TRUE under Wine (ntdll exports wine_get_version). */
BOOL running_on_wine(void);

/* com_typelib.c: drops the WinHttpRequest type library (DLL unload). */
void com_release_typelib(void);

#endif /* WINHTTP_PRIVATE_H */
