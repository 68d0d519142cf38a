/*
 * Getting PAC scripts: the process's script cache, the download, and what
 * an AUTOMATIC_PROXY send looks up before it is prepared (the user's
 * Internet Settings, the session's WPAD URL, the script).
 *
 * A download is a request of this DLL's own, never through a proxy.  For
 * WinHttpGetProxyForUrl and a synchronous send it blocks; for an
 * asynchronous send it runs on an asynchronous session of its own, driven
 * by that session's completions, so that the send's task parks while the
 * script comes (as on its other I/O) and WinHttpCloseHandle on the request
 * ends the download at once (autoproxy_lookup_cancel).
 *
 * Threads.  A fetch's steps run on one thread at a time: the caller's, then
 * whichever thread delivers the completion of the call they parked on
 * (rendezvous, as task.c's).  Every asynchronous call our requests accept
 * completes exactly once, a closed handle's with REQUEST_ERROR; so a fetch
 * whose steps are over has no completion to come and may go.  lock guards
 * req against autoproxy_lookup_cancel, which closes it from another thread:
 * calls on req are made holding it shared, and the one that takes req out
 * closes it.  Lock order: a request's cs, then none of these (the request
 * takes its lookup's reference under cs and cancels after).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

/* Largest PAC script accepted; real ones are a few KiB. */
#define MAX_SCRIPT_SIZE (1024 * 1024)
/* How long a downloaded script is reused (as Wine's builtin: one minute). */
#define SCRIPT_CACHE_MS 60000

/* ---------------------------------------------------------------------- */
/* The cache: the last script downloaded                                    */

static SRWLOCK cache_lock = SRWLOCK_INIT;
static WCHAR *cached_url;
static char *cached_script;
static DWORD cached_size;
static ULONGLONG cached_time;

static char *cache_lookup(const WCHAR *url, DWORD *size)
{
    char *ret = NULL;

    AcquireSRWLockShared(&cache_lock);
    if (cached_url && !wcscmp(cached_url, url) && GetTickCount64() - cached_time < SCRIPT_CACHE_MS
        && (ret = heap_alloc(cached_size + 1)))
    {
        memcpy(ret, cached_script, cached_size + 1);
        *size = cached_size;
    }
    ReleaseSRWLockShared(&cache_lock);
    return ret;
}

static void cache_store(const WCHAR *url, const char *script, DWORD size)
{
    WCHAR *url_copy = strdupW(url);
    char *script_copy = heap_alloc(size + 1);

    if (!url_copy || !script_copy)
    {
        heap_free(url_copy);
        heap_free(script_copy);
        return;
    }
    memcpy(script_copy, script, size + 1);
    AcquireSRWLockExclusive(&cache_lock);
    heap_free(cached_url);
    heap_free(cached_script);
    cached_url = url_copy;
    cached_script = script_copy;
    cached_size = size;
    cached_time = GetTickCount64();
    ReleaseSRWLockExclusive(&cache_lock);
}

void pac_cache_clear(void)
{
    AcquireSRWLockExclusive(&cache_lock);
    heap_free(cached_url);
    heap_free(cached_script);
    cached_url = NULL;
    cached_script = NULL;
    ReleaseSRWLockExclusive(&cache_lock);
}

/* ---------------------------------------------------------------------- */
/* One download                                                              */

enum fetch_step
{
    FETCH_SEND,
    FETCH_RECEIVE,
    FETCH_STATUS,
    FETCH_READ,
};

struct script_fetch
{
    SRWLOCK lock;
    HINTERNET ses, con;
    HINTERNET req;             /* lock; NULL once closed */
    BOOL async;
    BOOL cancelled;            /* lock: no new download starts */
    enum fetch_step step;
    WCHAR *url;
    char *buf;
    DWORD size, alloc;
    BOOL reading;              /* a read was made: read is its count */
    DWORD read;
    DWORD error;               /* asynchronous: what REQUEST_ERROR said */
    LONG rendezvous;           /* a parked step vs its completion: the second one goes on */
    /* asynchronous: the steps that parked are over (error: how) */
    void (*done)(struct script_fetch *fetch, DWORD error);
};

static void CALLBACK fetch_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len);

/* Opens the request for url.  ERROR_WINHTTP_UNRECOGNIZED_SCHEME or
 * INVALID_URL for what cannot be downloaded at all. */
static DWORD fetch_open(struct script_fetch *fetch, const WCHAR *url)
{
    static const WCHAR *accept[] = { L"*/*", NULL };
    WCHAR host[256];
    URL_COMPONENTS uc;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszHostName = host;
    uc.dwHostNameLength = ARRAY_SIZE(host);
    uc.dwUrlPathLength = ~0u;
    if (!WinHttpCrackUrl(url, 0, 0, &uc))
        /* ftp:// and the like fail here already */
        return GetLastError() == ERROR_WINHTTP_UNRECOGNIZED_SCHEME ? ERROR_WINHTTP_UNRECOGNIZED_SCHEME
                                                                  : ERROR_WINHTTP_INVALID_URL;
    if (uc.nScheme != INTERNET_SCHEME_HTTP && uc.nScheme != INTERNET_SCHEME_HTTPS)
        return ERROR_WINHTTP_UNRECOGNIZED_SCHEME;

    fetch->step = FETCH_SEND;
    fetch->size = fetch->read = fetch->error = 0;
    fetch->reading = FALSE;
    fetch->rendezvous = 0;
    heap_free(fetch->url);
    if (!(fetch->url = strdupW(url))) return ERROR_NOT_ENOUGH_MEMORY;
    if (!(fetch->ses = WinHttpOpen(L"WinHttp-Autoproxy-Service/5.1", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL,
                                   fetch->async ? WINHTTP_FLAG_ASYNC : 0)))
        return ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    if (fetch->async
        && WinHttpSetStatusCallback(fetch->ses, fetch_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0)
           == WINHTTP_INVALID_STATUS_CALLBACK)
        return ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    if (!(fetch->con = WinHttpConnect(fetch->ses, host, uc.nPort, 0))) return ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    fetch->req = WinHttpOpenRequest(fetch->con, NULL, uc.dwUrlPathLength ? uc.lpszUrlPath : L"/", NULL, NULL, accept,
                                    uc.nScheme == INTERNET_SCHEME_HTTPS ? WINHTTP_FLAG_SECURE : 0);
    return fetch->req ? ERROR_SUCCESS : ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
}

static void fetch_close(struct script_fetch *fetch)
{
    HINTERNET req;

    AcquireSRWLockExclusive(&fetch->lock);
    req = fetch->req;
    fetch->req = NULL;
    ReleaseSRWLockExclusive(&fetch->lock);
    if (req) WinHttpCloseHandle(req);
    if (fetch->con) WinHttpCloseHandle(fetch->con);
    if (fetch->ses) WinHttpCloseHandle(fetch->ses);
    fetch->con = fetch->ses = NULL;
}

/* The step's call on req, unless the fetch was cancelled (req closed). */
static BOOL fetch_call(struct script_fetch *fetch, enum fetch_step step)
{
    DWORD status, len = sizeof(status);
    BOOL ret = FALSE;

    AcquireSRWLockShared(&fetch->lock);
    if (!fetch->req) SetLastError(ERROR_WINHTTP_OPERATION_CANCELLED);
    else switch (step)
    {
    case FETCH_SEND:
        ret = WinHttpSendRequest(fetch->req, NULL, 0, NULL, 0, 0, (DWORD_PTR)fetch);
        break;
    case FETCH_RECEIVE:
        ret = WinHttpReceiveResponse(fetch->req, NULL);
        break;
    case FETCH_STATUS:
        if ((ret = WinHttpQueryHeaders(fetch->req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL,
                                       &status, &len, NULL)) && status != HTTP_STATUS_OK)
        {
            TRACE("%s: status %lu\n", debugstr_w(fetch->url), status);
            SetLastError(ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT);
            ret = FALSE;
        }
        break;
    case FETCH_READ:
        /* asynchronous: the count comes with READ_COMPLETE */
        ret = WinHttpReadData(fetch->req, fetch->buf + fetch->size, fetch->alloc - fetch->size - 1,
                              fetch->async ? NULL : &fetch->read);
        break;
    }
    ReleaseSRWLockShared(&fetch->lock);
    return ret;
}

/* Room for more of the script. */
static DWORD fetch_grow(struct script_fetch *fetch)
{
    char *buf;

    if (fetch->alloc - fetch->size >= 2) return ERROR_SUCCESS;
    if (fetch->alloc >= MAX_SCRIPT_SIZE) return ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    if (!(buf = heap_realloc(fetch->buf, fetch->alloc ? fetch->alloc * 2 : 4096))) return ERROR_NOT_ENOUGH_MEMORY;
    fetch->buf = buf;
    fetch->alloc = fetch->alloc ? fetch->alloc * 2 : 4096;
    return ERROR_SUCCESS;
}

/* From fetch->step on: ERROR_IO_PENDING while an asynchronous call is
 * under way, ERROR_SUCCESS once the whole script is in buf, or an error. */
static DWORD fetch_steps(struct script_fetch *fetch)
{
    DWORD error;

    for (;;)
    {
        if (fetch->error) return fetch->error;
        switch (fetch->step)
        {
        case FETCH_SEND:
        case FETCH_RECEIVE:
            if (!fetch_call(fetch, fetch->step++)) return GetLastError();
            if (fetch->async) return ERROR_IO_PENDING;
            break;
        case FETCH_STATUS:
            if (!fetch_call(fetch, FETCH_STATUS)) return GetLastError();
            fetch->step = FETCH_READ;
            break;
        case FETCH_READ:
            if (fetch->reading)
            {
                if (!fetch->read)
                {
                    fetch->buf[fetch->size] = 0;
                    return ERROR_SUCCESS;
                }
                fetch->size += fetch->read;
            }
            if ((error = fetch_grow(fetch))) return error;
            fetch->reading = TRUE;
            fetch->read = 0;
            if (!fetch_call(fetch, FETCH_READ)) return GetLastError();
            if (fetch->async) return ERROR_IO_PENDING;
            break;
        }
    }
}

/* Runs the steps as far as they go; once they are over, closes the request
 * and caches the script.  ERROR_IO_PENDING: parked, fetch->done will tell. */
static DWORD fetch_drive(struct script_fetch *fetch)
{
    DWORD error;

    for (;;)
    {
        if ((error = fetch_steps(fetch)) != ERROR_IO_PENDING) break;
        if (InterlockedIncrement(&fetch->rendezvous) < 2) return ERROR_IO_PENDING;
        fetch->rendezvous = 0;
    }
    fetch_close(fetch);
    TRACE("%s: %lu, %lu bytes\n", debugstr_w(fetch->url), error, fetch->size);
    if (!error) cache_store(fetch->url, fetch->buf, fetch->size);
    else if (error != ERROR_WINHTTP_OPERATION_CANCELLED) error = ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    return error;
}

static void CALLBACK fetch_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct script_fetch *fetch = (struct script_fetch *)context;
    DWORD error;

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        fetch->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        fetch->read = len;
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        break;
    default:
        return;
    }
    if (InterlockedIncrement(&fetch->rendezvous) < 2) return;
    fetch->rendezvous = 0;
    if ((error = fetch_drive(fetch)) != ERROR_IO_PENDING) fetch->done(fetch, error);
}

/* Downloads url (or takes it from the cache, unless flags has NO_CACHE_CLIENT):
 * ERROR_SUCCESS with the script in fetch->buf (NUL-terminated, size bytes),
 * ERROR_IO_PENDING (fetch->done will tell), or an error. */
static DWORD fetch_script(struct script_fetch *fetch, const WCHAR *url, DWORD flags)
{
    DWORD error;
    char *script;

    if (!(flags & WINHTTP_AUTOPROXY_NO_CACHE_CLIENT) && (script = cache_lookup(url, &fetch->size)))
    {
        TRACE("cached script for %s\n", debugstr_w(url));
        heap_free(fetch->buf);
        fetch->buf = script;
        fetch->alloc = fetch->size + 1;
        return ERROR_SUCCESS;
    }
    if ((error = fetch_open(fetch, url)))
    {
        fetch_close(fetch);
        return error;
    }
    return fetch_drive(fetch);
}

/* The script at url, blocking (WinHttpGetProxyForUrl): a NUL-terminated heap
 * buffer of *size bytes, or NULL with *error. */
char *pac_script_get(const WCHAR *url, DWORD flags, DWORD *size, DWORD *error)
{
    struct script_fetch fetch;
    char *ret = NULL;

    memset(&fetch, 0, sizeof(fetch));
    InitializeSRWLock(&fetch.lock);
    if (!(*error = fetch_script(&fetch, url, flags)))
    {
        ret = fetch.buf;
        *size = fetch.size;
        fetch.buf = NULL;
    }
    heap_free(fetch.buf);
    heap_free(fetch.url);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* An AUTOMATIC_PROXY send's look-up                                        */

enum lookup_step
{
    LOOKUP_WPAD,       /* the session's WPAD script, when detection is on */
    LOOKUP_CONFIG,     /* else the configured script */
    LOOKUP_DONE,
};

struct autoproxy_lookup
{
    LONG refs;
    struct session *session;   /* holds a reference */
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG cfg;
    enum lookup_step step;
    WCHAR *wpad;
    struct script_fetch fetch;
    char *script;              /* the script that answers, or NULL */
    DWORD script_size;
    void (*done)(void *context);
    void *context;
};

/* The session's WPAD URL (a heap copy, or NULL): found on its first request
 * and kept, a failure too, until WinHttpResetAutoProxy ("the autoproxy URL
 * and the autoproxy script are cached for the specified session",
 * Microsoft's AutoProxy Cache).  The DNS look-up blocks, as a request's
 * server name resolution does (connection.c). */
static WCHAR *session_wpad_url(struct session *session)
{
    WCHAR *found, *ret;

    AcquireSRWLockExclusive(&session->wpad_lock);
    if (!session->wpad_known)
    {
        if (WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A, &found))
        {
            session->wpad_url = strdupW(found);
            GlobalFree(found);
        }
        session->wpad_known = TRUE;
    }
    ret = session->wpad_url ? strdupW(session->wpad_url) : NULL;
    ReleaseSRWLockExclusive(&session->wpad_lock);
    return ret;
}

/* The fetch is over (error: how): a script that came answers. */
static void lookup_took(struct autoproxy_lookup *lookup, DWORD error)
{
    if (error) return;
    lookup->script = lookup->fetch.buf;
    lookup->script_size = lookup->fetch.size;
    lookup->fetch.buf = NULL;
}

static DWORD lookup_fetch(struct autoproxy_lookup *lookup, const WCHAR *url)
{
    DWORD error;
    BOOL cancelled;

    AcquireSRWLockShared(&lookup->fetch.lock);
    cancelled = lookup->fetch.cancelled;
    ReleaseSRWLockShared(&lookup->fetch.lock);
    if (cancelled) return ERROR_WINHTTP_OPERATION_CANCELLED;
    if ((error = fetch_script(&lookup->fetch, url, 0)) != ERROR_IO_PENDING) lookup_took(lookup, error);
    return error;
}

/* ERROR_IO_PENDING while a script downloads, else ERROR_SUCCESS (with or without a script). */
static DWORD lookup_steps(struct autoproxy_lookup *lookup)
{
    for (;;)
    {
        switch (lookup->step)
        {
        case LOOKUP_WPAD:
            lookup->step = LOOKUP_CONFIG;
            if (lookup->cfg.fAutoDetect && (lookup->wpad = session_wpad_url(lookup->session))
                && lookup_fetch(lookup, lookup->wpad) == ERROR_IO_PENDING)
                return ERROR_IO_PENDING;
            break;
        case LOOKUP_CONFIG:
            lookup->step = LOOKUP_DONE;
            if (!lookup->script && lookup->cfg.lpszAutoConfigUrl
                && lookup_fetch(lookup, lookup->cfg.lpszAutoConfigUrl) == ERROR_IO_PENDING)
                return ERROR_IO_PENDING;
            break;
        case LOOKUP_DONE:
            TRACE("%p: script %s, proxy %s\n", lookup, lookup->script ? "found" : "none",
                  debugstr_w(lookup->cfg.lpszProxy));
            return ERROR_SUCCESS;
        }
    }
}

void autoproxy_lookup_release(struct autoproxy_lookup *lookup)
{
    if (!lookup || InterlockedDecrement(&lookup->refs)) return;
    heap_free(lookup->script);
    heap_free(lookup->wpad);
    heap_free(lookup->fetch.buf);
    heap_free(lookup->fetch.url);
    GlobalFree(lookup->cfg.lpszAutoConfigUrl);
    GlobalFree(lookup->cfg.lpszProxy);
    GlobalFree(lookup->cfg.lpszProxyBypass);
    release_object(&lookup->session->hdr);
    heap_free(lookup);
}

struct autoproxy_lookup *autoproxy_lookup_addref(struct autoproxy_lookup *lookup)
{
    InterlockedIncrement(&lookup->refs);
    return lookup;
}

static void lookup_fetched(struct script_fetch *fetch, DWORD error)
{
    struct autoproxy_lookup *lookup = CONTAINING_RECORD(fetch, struct autoproxy_lookup, fetch);

    lookup_took(lookup, error);
    if (lookup_steps(lookup) == ERROR_IO_PENDING) return;
    lookup->done(lookup->context);
    autoproxy_lookup_release(lookup);   /* the reference of the look-up in flight */
}

DWORD autoproxy_lookup_start(struct session *session, BOOL async, void (*done)(void *context), void *context,
                             struct autoproxy_lookup **ret)
{
    struct autoproxy_lookup *lookup;

    if (!(*ret = lookup = heap_alloc_zero(sizeof(*lookup)))) return ERROR_NOT_ENOUGH_MEMORY;
    lookup->refs = 2;   /* the caller's, and the look-up's while it runs */
    lookup->session = session;
    addref_object(&session->hdr);
    InitializeSRWLock(&lookup->fetch.lock);
    lookup->fetch.async = async;
    lookup->fetch.done = lookup_fetched;
    lookup->done = done;
    lookup->context = context;
    if (!WinHttpGetIEProxyConfigForCurrentUser(&lookup->cfg)) memset(&lookup->cfg, 0, sizeof(lookup->cfg));
    if (lookup_steps(lookup) == ERROR_IO_PENDING) return ERROR_IO_PENDING;
    autoproxy_lookup_release(lookup);
    return ERROR_SUCCESS;
}

void autoproxy_lookup_cancel(struct autoproxy_lookup *lookup)
{
    HINTERNET req;

    AcquireSRWLockExclusive(&lookup->fetch.lock);
    lookup->fetch.cancelled = TRUE;
    req = lookup->fetch.req;
    lookup->fetch.req = NULL;
    ReleaseSRWLockExclusive(&lookup->fetch.lock);
    TRACE("%p%s\n", lookup, req ? ": closing the download" : "");
    /* its call in flight completes now, cancelled */
    if (req) WinHttpCloseHandle(req);
}

const char *autoproxy_lookup_script(struct autoproxy_lookup *lookup, DWORD *size)
{
    *size = lookup->script_size;
    return lookup->script;
}

const WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *autoproxy_lookup_config(struct autoproxy_lookup *lookup)
{
    return &lookup->cfg;
}
