/*
 * Automatic proxy configuration: WinHttpDetectAutoProxyConfigUrl (wpad.c asks),
 * PAC scripts (WinHttpGetProxyForUrl), the resolver handles of Windows 8
 * (WinHttpCreateProxyResolver, WinHttpGetProxyForUrlEx, WinHttpGetProxyResult,
 * WinHttpFreeProxyResult) and WinHttpResetAutoProxy.
 *
 * The PAC script is JavaScript.  It runs in jsproxy.dll, the engine Windows
 * and Wine ship for exactly this (InternetInitializeAutoProxyDll loads a
 * script, InternetGetProxyInfo calls its FindProxyForURL).  It is loaded at
 * run time: a process that never asks for a PAC never maps it.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "proxy_route.h"
#include "task.h"

/***********************************************************************
 *          WinHttpDetectAutoProxyConfigUrl (winhttp.@)
 */
BOOL WINAPI WinHttpDetectAutoProxyConfigUrl(DWORD flags, LPWSTR *url)
{
    TRACE("%#lx, %p\n", flags, url);

    if (!flags || !url)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    /* synchronous by contract: the name look-ups block this thread (wpad.c) */
    if (!(*url = wpad_detect(flags)))
    {
        SetLastError(ERROR_WINHTTP_AUTODETECTION_FAILED);
        return FALSE;
    }
    TRACE("returning %s\n", debugstr_w(*url));
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Running it in jsproxy.dll                                                 */

/* AUTO_PROXY_SCRIPT_BUFFER of wininet.h */
struct script_buffer
{
    DWORD dwStructSize;
    LPSTR lpszScriptBuffer;
    DWORD dwScriptBufferSize;
};

static BOOL (WINAPI *pInternetInitializeAutoProxyDll)(DWORD, LPSTR, LPSTR, void *, struct script_buffer *);
static BOOL (WINAPI *pInternetDeInitializeAutoProxyDll)(LPSTR, DWORD);
static BOOL (WINAPI *pInternetGetProxyInfo)(LPCSTR, DWORD, LPSTR, DWORD, LPSTR *, LPDWORD);
static INIT_ONCE jsproxy_once = INIT_ONCE_STATIC_INIT;
/* jsproxy.dll holds one script for the whole process: load, run and unload
 * are one step under this lock. */
static SRWLOCK jsproxy_lock = SRWLOCK_INIT;

static BOOL CALLBACK load_jsproxy(INIT_ONCE *once, void *param, void **context)
{
    HMODULE module = LoadLibraryW(L"jsproxy.dll");

    if (!module)
    {
        WARN("jsproxy.dll not available: %lu\n", GetLastError());
        return TRUE;
    }
    pInternetInitializeAutoProxyDll = (void *)GetProcAddress(module, "InternetInitializeAutoProxyDll");
    pInternetDeInitializeAutoProxyDll = (void *)GetProcAddress(module, "InternetDeInitializeAutoProxyDll");
    pInternetGetProxyInfo = (void *)GetProcAddress(module, "InternetGetProxyInfo");
    return TRUE;
}

/* jsproxy.dll takes and returns strings in the ANSI code page. */
static char *to_ansi(const WCHAR *src, int len, int *out_len)
{
    int n = WideCharToMultiByte(CP_ACP, 0, src, len, NULL, 0, NULL, NULL);
    char *dst = heap_alloc(n + 1);

    if (!dst) return NULL;
    WideCharToMultiByte(CP_ACP, 0, src, len, dst, n, NULL, NULL);
    dst[n] = 0;
    if (out_len) *out_len = n;
    return dst;
}

static WCHAR *from_ansi(const char *src, int len)
{
    int n = MultiByteToWideChar(CP_ACP, 0, src, len, NULL, 0);
    WCHAR *dst = heap_alloc((n + 1) * sizeof(WCHAR));

    if (!dst) return NULL;
    MultiByteToWideChar(CP_ACP, 0, src, len, dst, n);
    dst[n] = 0;
    return dst;
}

/* The arguments of FindProxyForURL(url, host): scheme://host/rest without
 * user information, and the host alone; the host lowercased on request
 * (Windows keeps its case by default).  Only http and https URLs have a
 * proxy (crack_http_url; Chromium's proxy_resolver_winhttp.cc found ws and
 * wss refused, crbug.com/862121). */
static DWORD script_args(const WCHAR *url, DWORD flags, char **urlA, char **hostA, int *host_len)
{
    WCHAR *buf, *p, *host;
    URL_COMPONENTS uc;
    DWORD i, error;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.dwSchemeLength = ~0u;
    uc.dwHostNameLength = ~0u;
    if ((error = crack_http_url(url, &uc))) return error;
    if (!uc.dwHostNameLength) return ERROR_WINHTTP_INVALID_URL;
    if (!(buf = p = heap_alloc((uc.dwSchemeLength + 3 + wcslen(uc.lpszHostName) + 1) * sizeof(WCHAR))))
        return ERROR_NOT_ENOUGH_MEMORY;
    for (i = 0; i < uc.dwSchemeLength; i++) *p++ = towlower(uc.lpszScheme[i]);
    *p++ = ':';
    *p++ = '/';
    *p++ = '/';
    host = p;
    for (i = 0; i < uc.dwHostNameLength; i++)
        *p++ = (flags & WINHTTP_AUTOPROXY_HOST_LOWERCASE) && !(flags & WINHTTP_AUTOPROXY_HOST_KEEPCASE)
               ? towlower(uc.lpszHostName[i]) : uc.lpszHostName[i];
    wcscpy(p, uc.lpszHostName + uc.dwHostNameLength);

    *urlA = to_ansi(buf, -1, NULL);
    *hostA = to_ansi(host, uc.dwHostNameLength, host_len);
    heap_free(buf);
    if (*urlA && *hostA) return ERROR_SUCCESS;
    heap_free(*urlA);
    heap_free(*hostA);
    return ERROR_NOT_ENOUGH_MEMORY;
}

/* Runs FindProxyForURL(url, host); returns its string (GlobalFree it) or NULL with *error. */
static char *run_script(const char *script, DWORD size, const WCHAR *url, DWORD flags, DWORD *error)
{
    struct script_buffer buffer;
    char *urlA, *hostA, *result = NULL;
    DWORD result_len;
    int host_len;

    InitOnceExecuteOnce(&jsproxy_once, load_jsproxy, NULL, NULL);
    if (!pInternetInitializeAutoProxyDll || !pInternetGetProxyInfo || !pInternetDeInitializeAutoProxyDll)
    {
        *error = ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR;
        return NULL;
    }
    if ((*error = script_args(url, flags, &urlA, &hostA, &host_len))) return NULL;

    buffer.dwStructSize = sizeof(buffer);
    buffer.lpszScriptBuffer = (char *)script;
    buffer.dwScriptBufferSize = size + 1;

    AcquireSRWLockExclusive(&jsproxy_lock);
    if (pInternetInitializeAutoProxyDll(0, NULL, NULL, NULL, &buffer))
    {
        if (!pInternetGetProxyInfo(urlA, strlen(urlA), hostA, host_len, &result, &result_len)) result = NULL;
        pInternetDeInitializeAutoProxyDll(NULL, 0);
    }
    ReleaseSRWLockExclusive(&jsproxy_lock);
    heap_free(urlA);
    heap_free(hostA);
    if (result) TRACE("FindProxyForURL: %s\n", debugstr_a(result));
    else *error = ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT;
    return result;
}

/* ---------------------------------------------------------------------- */
/* The script's answer                                                       */

/* One entry of "PROXY host:port; DIRECT; ..." at *p; advances *p.  Returns
 * FALSE at the end.  Entries other than PROXY and DIRECT (SOCKS, ...) come
 * back with proxy FALSE and direct FALSE: WinHTTP cannot use them. */
struct pac_entry
{
    BOOL proxy;
    BOOL direct;
    const char *host;
    int host_len;
};

static BOOL next_pac_entry(const char **p, struct pac_entry *e)
{
    const char *s = *p, *end, *word;
    int word_len;

    while (*s == ' ' || *s == ';' || *s == '\t') s++;
    if (!*s) return FALSE;
    end = strchr(s, ';');
    if (!end) end = s + strlen(s);
    *p = end;

    word = s;
    while (s < end && *s != ' ' && *s != '\t') s++;
    word_len = s - word;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    e->host = s;
    while (s < end && *s != ' ' && *s != '\t') s++;
    e->host_len = s - e->host;

    e->direct = word_len == 6 && !_strnicmp(word, "DIRECT", 6);
    e->proxy = word_len == 5 && !_strnicmp(word, "PROXY", 5) && e->host_len;
    return TRUE;
}

/* WinHttpGetProxyForUrl's form: the PROXY entries before the first DIRECT,
 * separated by ';'; none means no proxy. */
static BOOL pac_to_proxy_info(const char *result, WINHTTP_PROXY_INFO *info)
{
    const char *p = result;
    struct pac_entry e;
    char *list, *q;

    info->dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    info->lpszProxy = NULL;
    info->lpszProxyBypass = NULL;
    if (!(list = q = heap_alloc(strlen(result) + 1))) return FALSE;
    while (next_pac_entry(&p, &e) && !e.direct)
    {
        if (!e.proxy) continue;
        if (q != list) *q++ = ';';
        memcpy(q, e.host, e.host_len);
        q += e.host_len;
    }
    *q = 0;
    if (q != list)
    {
        WCHAR *wide = from_ansi(list, -1);
        info->lpszProxy = wide ? proxy_global_strdup(wide, -1) : NULL;
        heap_free(wide);
        if (!info->lpszProxy)
        {
            heap_free(list);
            return FALSE;
        }
        info->dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    }
    heap_free(list);
    return TRUE;
}

/* WinHttpGetProxyResult's form: every usable entry in order, DIRECT as a
 * non-proxy entry. */
static DWORD pac_to_entries(const char *result, WINHTTP_PROXY_RESULT_ENTRY **entries, DWORD *count)
{
    const char *p = result;
    struct pac_entry e;
    DWORD n = 0, max = 0;
    WINHTTP_PROXY_RESULT_ENTRY *list;

    while (next_pac_entry(&p, &e)) max++;
    *entries = NULL;
    *count = 0;
    if (!max) return ERROR_SUCCESS;
    if (!(list = heap_alloc_zero(max * sizeof(*list)))) return ERROR_NOT_ENOUGH_MEMORY;
    p = result;
    while (next_pac_entry(&p, &e))
    {
        WINHTTP_PROXY_RESULT_ENTRY *entry = &list[n];
        const char *colon;
        int len;

        if (e.direct)
        {
            n++;
            continue;
        }
        if (!e.proxy) continue;
        colon = memchr(e.host, ':', e.host_len);
        len = colon ? colon - e.host : e.host_len;
        entry->fProxy = TRUE;
        entry->ProxyScheme = INTERNET_SCHEME_HTTP;
        entry->ProxyPort = colon ? (INTERNET_PORT)atoi(colon + 1) : INTERNET_DEFAULT_HTTP_PORT;
        if (!(entry->pwszProxy = from_ansi(e.host, len)))
        {
            *entries = list;
            *count = n;
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        n++;
    }
    *entries = list;
    *count = n;
    return ERROR_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* The common part of WinHttpGetProxyForUrl and WinHttpGetProxyForUrlEx     */

static BOOL valid_autoproxy_options(const WINHTTP_AUTOPROXY_OPTIONS *options)
{
    if (!(options->dwFlags & (WINHTTP_AUTOPROXY_AUTO_DETECT | WINHTTP_AUTOPROXY_CONFIG_URL))) return FALSE;
    if ((options->dwFlags & WINHTTP_AUTOPROXY_AUTO_DETECT) && !options->dwAutoDetectFlags) return FALSE;
    if ((options->dwFlags & WINHTTP_AUTOPROXY_CONFIG_URL) && !options->lpszAutoConfigUrl) return FALSE;
    return TRUE;
}

/* Runs the script a finished look-up found for url: FindProxyForURL's
 * string (GlobalFree it) or NULL with *error. */
static char *lookup_evaluate(struct autoproxy_lookup *lookup, const WCHAR *url, DWORD flags, DWORD *error)
{
    const char *script;
    DWORD size;

    if (!(script = autoproxy_lookup_script(lookup, &size, error))) return NULL;
    return run_script(script, size, url, flags, error);
}

/* WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, for each request: what the send's
 * look-up found (pac_fetch.c: the user's Internet Settings and the script
 * they lead to) decides.  The script answers when it runs; else the named
 * proxy and bypass list apply, else the request goes direct.  The answer
 * is asked per URL, as a script may answer each URL differently.  Of
 * several proxies the first serves; connection.c fails over to the next. */
void autoproxy_lookup_answer(struct autoproxy_lookup *lookup, const WCHAR *url, WCHAR **server, WCHAR **bypass)
{
    const WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *cfg = autoproxy_lookup_config(lookup);
    WINHTTP_PROXY_INFO info;
    char *result;
    DWORD error;

    *server = *bypass = NULL;
    if ((result = lookup_evaluate(lookup, url, 0, &error)))
    {
        if (pac_to_proxy_info(result, &info))
        {
            *server = info.lpszProxy ? strdupW(info.lpszProxy) : NULL;
            GlobalFree(info.lpszProxy);
            GlobalFree(info.lpszProxyBypass);
        }
        GlobalFree(result);
    }
    else if (cfg->lpszProxy)
    {
        *server = strdupW(cfg->lpszProxy);
        if (cfg->lpszProxyBypass) *bypass = strdupW(cfg->lpszProxyBypass);
    }
    TRACE("%s: %s, bypass %s\n", debugstr_w(url), debugstr_w(*server), debugstr_w(*bypass));
}

/***********************************************************************
 *          WinHttpGetProxyForUrl (winhttp.@)
 */
BOOL WINAPI WinHttpGetProxyForUrl(HINTERNET hsession, LPCWSTR url, WINHTTP_AUTOPROXY_OPTIONS *options,
                                  WINHTTP_PROXY_INFO *info)
{
    struct autoproxy_lookup *lookup;
    struct object_header *hdr;
    DWORD error;
    char *result = NULL;
    BOOL ret = FALSE;

    TRACE("%p, %s, %p, %p\n", hsession, debugstr_w(url), options, info);

    if (!(hdr = grab_typed_object(hsession, HANDLE_TYPE_SESSION, &error)))
    {
        SetLastError(error);
        return FALSE;
    }
    if (!url || !*url || !options || !info || !valid_autoproxy_options(options))
    {
        release_object(hdr);
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    /* the detection and the download block this thread, as the API does */
    if (!(error = autoproxy_lookup_start_options(CONTAINING_RECORD(hdr, struct session, hdr), options, FALSE, NULL,
                                                 NULL, &lookup)))
    {
        result = lookup_evaluate(lookup, url, options->dwFlags, &error);
        autoproxy_lookup_release(lookup);
    }
    if (result)
    {
        if (!(ret = pac_to_proxy_info(result, info))) error = ERROR_NOT_ENOUGH_MEMORY;
        GlobalFree(result);
    }
    release_object(hdr);
    SetLastError(ret ? ERROR_SUCCESS : error);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Resolver handles                                                          */

/* A resolver runs one WinHttpGetProxyForUrlEx at a time, as a task of the
 * engine on its queue (task.c): the task parks while a WPAD name or the
 * script is awaited (pac_fetch.c's look-up) and runs the script once it is
 * there.  lock guards busy, the stored result and lookup; the task holds a
 * reference on the resolver.  WinHttpCloseHandle cancels the look-up in
 * flight (resolver_handle_closing), and the call then completes at once with
 * REQUEST_ERROR, ERROR_WINHTTP_OPERATION_CANCELLED: the code the function's
 * page gives for "the handle ... was closed before the operation completed". */
struct resolver
{
    struct object_header hdr;
    struct task_queue queue;
    SRWLOCK lock;
    BOOL busy;
    BOOL has_result;
    WINHTTP_PROXY_RESULT_ENTRY *entries;
    DWORD count;
    struct autoproxy_lookup *lookup;   /* the call in flight's, once it started */
};

/* One WinHttpGetProxyForUrlEx call. */
struct resolve_task
{
    struct task task;
    WCHAR *url;
    WINHTTP_AUTOPROXY_OPTIONS options;   /* lpszAutoConfigUrl: config_url */
    WCHAR *config_url;
    DWORD_PTR context;                   /* the call's: its completion's context value */
};

/* A call's strings; the task itself is task.c's to free once queued. */
static void resolve_task_free_strings(struct resolve_task *t)
{
    heap_free(t->url);
    heap_free(t->config_url);
}

static void proxy_entries_free(WINHTTP_PROXY_RESULT_ENTRY *entries, DWORD count)
{
    DWORD i;

    for (i = 0; i < count; i++) heap_free(entries[i].pwszProxy);
    heap_free(entries);
}

void proxy_result_clear(WINHTTP_PROXY_RESULT_ENTRY **entries, DWORD *count)
{
    proxy_entries_free(*entries, *count);
    *entries = NULL;
    *count = 0;
}

static void resolver_destroy(struct object_header *hdr)
{
    struct resolver *resolver = CONTAINING_RECORD(hdr, struct resolver, hdr);

    TRACE("%p\n", resolver);
    proxy_entries_free(resolver->entries, resolver->count);
    task_queue_destroy(&resolver->queue);
    heap_free(resolver);
}

static void resolver_handle_closing(struct object_header *hdr)
{
    struct resolver *resolver = CONTAINING_RECORD(hdr, struct resolver, hdr);
    struct autoproxy_lookup *lookup;

    AcquireSRWLockExclusive(&resolver->lock);
    if ((lookup = resolver->lookup)) autoproxy_lookup_addref(lookup);
    ReleaseSRWLockExclusive(&resolver->lock);
    if (!lookup) return;
    TRACE("%p: cancelling %p\n", resolver, lookup);
    autoproxy_lookup_cancel(lookup);
    autoproxy_lookup_release(lookup);
}

static BOOL resolver_query_option(struct object_header *hdr, DWORD option, void *buffer, DWORD *buflen)
{
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
    return FALSE;
}

static BOOL resolver_set_option(struct object_header *hdr, DWORD option, void *buffer, DWORD buflen)
{
    SetLastError(ERROR_WINHTTP_INCORRECT_HANDLE_TYPE);
    return FALSE;
}

static const struct object_vtbl resolver_vtbl =
{
    resolver_handle_closing,
    resolver_destroy,
    resolver_query_option,
    resolver_set_option,
    NULL,
    NULL,
};

/***********************************************************************
 *          WinHttpCreateProxyResolver (winhttp.@)
 */
DWORD WINAPI WinHttpCreateProxyResolver(HINTERNET hsession, HINTERNET *hresolver)
{
    struct object_header *hdr;
    struct resolver *resolver;
    HINTERNET handle;
    DWORD error;

    TRACE("%p, %p\n", hsession, hresolver);

    if (!hsession) return ERROR_INVALID_HANDLE;
    if (!(hdr = grab_typed_object(hsession, HANDLE_TYPE_SESSION, &error))) return error;
    if (!object_is_async(hdr))
    {
        release_object(hdr);
        return ERROR_WINHTTP_INCORRECT_HANDLE_TYPE;
    }
    if (!hresolver)
    {
        release_object(hdr);
        return ERROR_INVALID_PARAMETER;
    }
    if (!(resolver = heap_alloc_zero(sizeof(*resolver))))
    {
        release_object(hdr);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    init_object(&resolver->hdr, HANDLE_TYPE_RESOLVER, &resolver_vtbl, hdr);
    InitializeSRWLock(&resolver->lock);
    task_queue_init(&resolver->queue);
    handle = alloc_handle(&resolver->hdr);
    release_object(&resolver->hdr);
    release_object(hdr);
    if (!handle) return ERROR_NOT_ENOUGH_MEMORY;
    *hresolver = handle;
    TRACE("returning %p\n", handle);
    return ERROR_SUCCESS;
}

/* A wait of the look-up is over: the task goes on, on an engine worker. */
static void resolver_wake(void *context)
{
    struct resolver *resolver = context;

    task_wake(&resolver->queue);
}

/* Starts the look-up (first run) or takes it on (after a wake-up). */
static DWORD resolve_lookup(struct resolver *resolver, struct resolve_task *t)
{
    struct session *session = CONTAINING_RECORD(resolver->hdr.parent, struct session, hdr);
    struct autoproxy_lookup *lookup;
    DWORD error;

    /* only this task sets lookup: no lock to read it */
    if (resolver->lookup) return autoproxy_lookup_run(resolver->lookup);
    error = autoproxy_lookup_start_options(session, &t->options, TRUE, resolver_wake, resolver, &lookup);
    if (!lookup) return error;
    AcquireSRWLockExclusive(&resolver->lock);
    resolver->lookup = lookup;
    ReleaseSRWLockExclusive(&resolver->lock);
    /* closed before resolver_handle_closing could see it */
    if (resolver->hdr.closing) autoproxy_lookup_cancel(lookup);
    return error;
}

static DWORD resolve_task_fn(struct task *task, BOOL cancelled)
{
    struct resolve_task *t = CONTAINING_RECORD(task, struct resolve_task, task);
    struct resolver *resolver = CONTAINING_RECORD(task->obj, struct resolver, hdr);
    WINHTTP_PROXY_RESULT_ENTRY *entries = NULL;
    struct autoproxy_lookup *lookup;
    DWORD count = 0, error;
    char *result;

    error = cancelled ? ERROR_WINHTTP_OPERATION_CANCELLED : resolve_lookup(resolver, t);
    if (error == ERROR_IO_PENDING) return error;

    AcquireSRWLockExclusive(&resolver->lock);
    lookup = resolver->lookup;
    resolver->lookup = NULL;
    ReleaseSRWLockExclusive(&resolver->lock);
    if (!error && lookup && (result = lookup_evaluate(lookup, t->url, t->options.dwFlags, &error)))
    {
        error = pac_to_entries(result, &entries, &count);
        GlobalFree(result);
    }
    autoproxy_lookup_release(lookup);
    if (resolver->hdr.closing) error = ERROR_WINHTTP_OPERATION_CANCELLED;

    AcquireSRWLockExclusive(&resolver->lock);
    proxy_entries_free(resolver->entries, resolver->count);
    resolver->entries = error ? NULL : entries;
    resolver->count = error ? 0 : count;
    resolver->has_result = !error;
    resolver->busy = FALSE;
    /* only the running task writes it: a call made meanwhile waits in the queue */
    resolver->hdr.context = t->context;
    ReleaseSRWLockExclusive(&resolver->lock);
    if (error) proxy_entries_free(entries, count);
    resolve_task_free_strings(t);

    TRACE("%p: %lu, %lu entries\n", resolver, error, count);
    if (!error)
        send_callback(&resolver->hdr, WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE, NULL, 0);
    else
    {
        WINHTTP_ASYNC_RESULT async = { API_GET_PROXY_FOR_URL, error };
        send_callback(&resolver->hdr, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, &async, sizeof(async));
    }
    return error;
}

/***********************************************************************
 *          WinHttpGetProxyForUrlEx (winhttp.@)
 */
DWORD WINAPI WinHttpGetProxyForUrlEx(HINTERNET hresolver, PCWSTR url, WINHTTP_AUTOPROXY_OPTIONS *options,
                                     DWORD_PTR context)
{
    struct object_header *hdr;
    struct resolver *resolver;
    struct resolve_task *t;
    WCHAR *url_copy, *config_copy;
    DWORD error;

    TRACE("%p, %s, %p, %#Ix\n", hresolver, debugstr_w(url), options, context);

    if (!(hdr = grab_typed_object(hresolver, HANDLE_TYPE_RESOLVER, &error))) return error;
    resolver = CONTAINING_RECORD(hdr, struct resolver, hdr);
    if (!url || !*url || !options || !valid_autoproxy_options(options))
    {
        release_object(hdr);
        return ERROR_INVALID_PARAMETER;
    }
    if (!(t = heap_alloc_zero(sizeof(*t))) || !(t->url = strdupW(url))
        || ((options->dwFlags & WINHTTP_AUTOPROXY_CONFIG_URL) && !(t->config_url = strdupW(options->lpszAutoConfigUrl))))
    {
        if (t) resolve_task_free_strings(t);
        heap_free(t);
        release_object(hdr);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    t->options = *options;
    t->options.lpszAutoConfigUrl = t->config_url;
    /* the completion's context is this call's, not the handle's */
    t->context = context;

    AcquireSRWLockExclusive(&resolver->lock);
    if (resolver->busy)
    {
        ReleaseSRWLockExclusive(&resolver->lock);
        resolve_task_free_strings(t);
        heap_free(t);
        release_object(hdr);
        return ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    }
    resolver->busy = TRUE;
    ReleaseSRWLockExclusive(&resolver->lock);

    /* nothing waits here: the download and the name look-ups park the task */
    url_copy = t->url;
    config_copy = t->config_url;
    if ((error = task_queue_submit(&resolver->queue, hdr, &t->task, resolve_task_fn)))
    {
        /* t is freed */
        heap_free(url_copy);
        heap_free(config_copy);
        AcquireSRWLockExclusive(&resolver->lock);
        resolver->busy = FALSE;
        ReleaseSRWLockExclusive(&resolver->lock);
    }
    release_object(hdr);
    return error ? error : ERROR_IO_PENDING;
}

DWORD resolver_copy_result(HINTERNET hresolver, WINHTTP_PROXY_RESULT_ENTRY **entries, DWORD *count)
{
    struct object_header *hdr;
    struct resolver *resolver;
    WINHTTP_PROXY_RESULT_ENTRY *copy = NULL;
    DWORD error = ERROR_SUCCESS, i;

    if (!(hdr = grab_typed_object(hresolver, HANDLE_TYPE_RESOLVER, &error))) return error;
    resolver = CONTAINING_RECORD(hdr, struct resolver, hdr);
    if (!entries || !count)
    {
        release_object(hdr);
        return ERROR_INVALID_PARAMETER;
    }
    AcquireSRWLockShared(&resolver->lock);
    if (resolver->busy || !resolver->has_result) error = ERROR_WINHTTP_INCORRECT_HANDLE_STATE;
    else if (resolver->count && !(copy = heap_alloc_zero(resolver->count * sizeof(*copy))))
        error = ERROR_NOT_ENOUGH_MEMORY;
    else
    {
        for (i = 0; i < resolver->count; i++)
        {
            copy[i] = resolver->entries[i];
            if (copy[i].pwszProxy && !(copy[i].pwszProxy = strdupW(resolver->entries[i].pwszProxy)))
                error = ERROR_NOT_ENOUGH_MEMORY;
        }
        if (error) proxy_entries_free(copy, resolver->count);
        else
        {
            *entries = copy;
            *count = resolver->count;
        }
    }
    ReleaseSRWLockShared(&resolver->lock);
    release_object(hdr);
    return error;
}

/***********************************************************************
 *          WinHttpGetProxyResult (winhttp.@)
 */
DWORD WINAPI WinHttpGetProxyResult(HINTERNET hresolver, WINHTTP_PROXY_RESULT *result)
{
    TRACE("%p, %p\n", hresolver, result);

    return resolver_copy_result(hresolver, result ? &result->pEntries : NULL, result ? &result->cEntries : NULL);
}

/***********************************************************************
 *          WinHttpFreeProxyResult (winhttp.@)
 */
void WINAPI WinHttpFreeProxyResult(WINHTTP_PROXY_RESULT *result)
{
    TRACE("%p\n", result);

    if (result) proxy_result_clear(&result->pEntries, &result->cEntries);
}

/***********************************************************************
 *          WinHttpResetAutoProxy (winhttp.@)
 */
DWORD WINAPI WinHttpResetAutoProxy(HINTERNET hsession, DWORD flags)
{
    static const DWORD valid = WINHTTP_RESET_ALL | WINHTTP_RESET_NOTIFY_NETWORK_CHANGED | WINHTTP_RESET_OUT_OF_PROC
                               | WINHTTP_RESET_DISCARD_RESOLVERS;
    struct object_header *hdr;
    DWORD error;

    TRACE("%p, %#lx\n", hsession, flags);

    if (!(hdr = grab_typed_object(hsession, HANDLE_TYPE_SESSION, &error))) return error;
    if (flags & ~valid)
    {
        release_object(hdr);
        return ERROR_INVALID_PARAMETER;
    }
    /* The state kept here: the script cache, and the WPAD URL an
     * AUTOMATIC_PROXY session found; there is no out-of-process service. */
    if (flags & (WINHTTP_RESET_STATE | WINHTTP_RESET_SCRIPT_CACHE | WINHTTP_RESET_SWPAD_CURRENT_NETWORK
                 | WINHTTP_RESET_SWPAD_ALL))
        pac_cache_clear();
    if (flags & (WINHTTP_RESET_STATE | WINHTTP_RESET_SWPAD_CURRENT_NETWORK | WINHTTP_RESET_SWPAD_ALL))
    {
        struct session *session = CONTAINING_RECORD(hdr, struct session, hdr);

        AcquireSRWLockExclusive(&session->wpad_lock);
        heap_free(session->wpad_url);
        session->wpad_url = NULL;
        session->wpad_known = FALSE;
        ReleaseSRWLockExclusive(&session->wpad_lock);
    }
    /* the proxies found unreachable (badproxy.c) are "non-persistent proxy information" */
    if (flags & WINHTTP_RESET_STATE) bad_proxy_clear(CONTAINING_RECORD(hdr, struct session, hdr));
    release_object(hdr);
    return ERROR_SUCCESS;
}
