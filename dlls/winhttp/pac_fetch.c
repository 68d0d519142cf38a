/*
 * Getting PAC scripts: the process's script cache, the download, and the
 * look-up that finds the script for a URL (WPAD, then a configured URL):
 * for an AUTOMATIC_PROXY send (the user's Internet Settings, the session's
 * WPAD URL), for WinHttpGetProxyForUrl and for WinHttpGetProxyForUrlEx (the
 * caller's WINHTTP_AUTOPROXY_OPTIONS).
 *
 * A download is a request of this DLL's own, never through a proxy.  A
 * synchronous look-up (WinHttpGetProxyForUrl, a synchronous send) blocks on
 * its caller's thread.  An asynchronous one is a step machine run by its
 * owner's engine task (task.c): the WPAD names are looked up with the
 * engine's asynchronous resolver (wpad.c) and the script comes over an
 * asynchronous session of the DLL's own, so autoproxy_lookup_run returns
 * ERROR_IO_PENDING while either is under way, the task parks, and the
 * completion wakes it through the owner's wake function, once per
 * ERROR_IO_PENDING; the task then runs the look-up again.  The park and its
 * wake-up meet in task.c's rendezvous (a completion may come on the calling
 * thread before the call returns), so the look-up keeps none of its own.
 *
 * Threads.  The steps run on one thread at a time: the owner's task.
 * autoproxy_lookup_cancel comes from any thread (WinHttpCloseHandle): it
 * closes the download's request, whose call in flight then completes
 * (REQUEST_ERROR, cancelled), and ends a WPAD name look-up's wait.  lock
 * guards the search and `cancelled`; fetch.lock guards fetch.req: calls on
 * it are made holding it shared, and the one that takes req out closes it.
 * Lock order: a request's cs, then none of these (the request takes its
 * lookup's reference under cs and cancels after).
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

DWORD crack_http_url(const WCHAR *url, URL_COMPONENTS *uc)
{
    if (!WinHttpCrackUrl(url, 0, 0, uc))
        /* ftp:// and the like fail here already */
        return GetLastError() == ERROR_WINHTTP_UNRECOGNIZED_SCHEME ? ERROR_WINHTTP_UNRECOGNIZED_SCHEME
                                                                  : ERROR_WINHTTP_INVALID_URL;
    if (uc->nScheme != INTERNET_SCHEME_HTTP && uc->nScheme != INTERNET_SCHEME_HTTPS)
        return ERROR_WINHTTP_UNRECOGNIZED_SCHEME;
    return ERROR_SUCCESS;
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
    /* asynchronous: the call that returned ERROR_IO_PENDING completed */
    void (*wake)(void *context);
    void *context;
};

static void CALLBACK fetch_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len);

/* Opens the request for url.  ERROR_WINHTTP_UNRECOGNIZED_SCHEME or
 * INVALID_URL for what cannot be downloaded at all. */
static DWORD fetch_open(struct script_fetch *fetch, const WCHAR *url)
{
    static const WCHAR *accept[] = { L"*/*", NULL };
    WCHAR host[256];
    URL_COMPONENTS uc;
    HINTERNET req;
    BOOL cancelled;
    DWORD error;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszHostName = host;
    uc.dwHostNameLength = ARRAY_SIZE(host);
    uc.dwUrlPathLength = ~0u;
    if ((error = crack_http_url(url, &uc))) return error;

    fetch->step = FETCH_SEND;
    fetch->size = fetch->read = fetch->error = 0;
    fetch->reading = FALSE;
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
    if (!(req = WinHttpOpenRequest(fetch->con, NULL, uc.dwUrlPathLength ? uc.lpszUrlPath : L"/", NULL, NULL, accept,
                                   uc.nScheme == INTERNET_SCHEME_HTTPS ? WINHTTP_FLAG_SECURE : 0)))
        return ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    /* a cancel that came meanwhile found no request to close */
    AcquireSRWLockExclusive(&fetch->lock);
    if (!(cancelled = fetch->cancelled)) fetch->req = req;
    ReleaseSRWLockExclusive(&fetch->lock);
    if (!cancelled) return ERROR_SUCCESS;
    WinHttpCloseHandle(req);
    return ERROR_WINHTTP_OPERATION_CANCELLED;
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
 * under way (nothing of the fetch is touched after the call: its completion
 * may already run the next step on another thread), ERROR_SUCCESS once the
 * whole script is in buf, or an error. */
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
 * and caches the script.  ERROR_IO_PENDING: parked, fetch->wake will tell. */
static DWORD fetch_drive(struct script_fetch *fetch)
{
    DWORD error;

    if ((error = fetch_steps(fetch)) == ERROR_IO_PENDING) return error;
    fetch_close(fetch);
    TRACE("%s: %lu, %lu bytes\n", debugstr_w(fetch->url), error, fetch->size);
    if (!error) cache_store(fetch->url, fetch->buf, fetch->size);
    else if (error != ERROR_WINHTTP_OPERATION_CANCELLED) error = ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT;
    return error;
}

/* The download's completions (on an engine worker, or on the thread of the
 * call itself): what the step waits for, then its wake-up. */
static void CALLBACK fetch_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct script_fetch *fetch = (struct script_fetch *)context;

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
    fetch->wake(fetch->context);
}

/* Downloads url (or takes it from the cache, unless flags has NO_CACHE_CLIENT):
 * ERROR_SUCCESS with the script in fetch->buf (NUL-terminated, size bytes),
 * ERROR_IO_PENDING (fetch->wake will tell), or an error. */
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

/* ---------------------------------------------------------------------- */
/* The look-up                                                               */

enum lookup_step
{
    LOOKUP_WPAD,       /* the WPAD URL, when detection is on */
    LOOKUP_DETECT,     /* asynchronous: its name look-ups */
    LOOKUP_WPAD_FETCH, /* the WPAD script */
    LOOKUP_CONFIG,     /* else the configured script */
    LOOKUP_DONE,
};

struct autoproxy_lookup
{
    LONG refs;
    struct session *session;   /* holds a reference */
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG cfg;   /* an AUTOMATIC_PROXY send's settings */
    DWORD detect;              /* WINHTTP_AUTO_DETECT_TYPE_*: look for a WPAD script */
    BOOL session_wpad;         /* the session keeps the WPAD URL (AUTOMATIC_PROXY) */
    WCHAR *config_url;         /* the configured script, or NULL */
    DWORD flags;               /* WINHTTP_AUTOPROXY_NO_CACHE_CLIENT */
    enum lookup_step step;
    BOOL fetching;             /* a download of fetch is under way */
    WCHAR *wpad;
    struct script_fetch fetch;
    char *script;              /* the script that answers, or NULL */
    DWORD script_size;
    DWORD error;               /* no script: why */
    SRWLOCK lock;
    struct wpad_search *search; /* lock: the WPAD name look-ups, while they run */
    BOOL cancelled;            /* lock */
    HANDLE sync_wake;          /* a synchronous look-up waits here for a WPAD name's answer or a cancel */
};

/* The session's WPAD URL, when one of its requests looked for it already:
 * TRUE with *url (a heap copy, or NULL: none found).  It is kept, a failure
 * too, until WinHttpResetAutoProxy ("the autoproxy URL and the autoproxy
 * script are cached for the specified session", Microsoft's AutoProxy Cache). */
static BOOL session_wpad_known(struct session *session, WCHAR **url)
{
    BOOL known;

    AcquireSRWLockShared(&session->wpad_lock);
    if ((known = session->wpad_known)) *url = session->wpad_url ? strdupW(session->wpad_url) : NULL;
    ReleaseSRWLockShared(&session->wpad_lock);
    return known;
}

/* What a request of the session found; of two that looked at once, the first keeps it. */
static void session_wpad_store(struct session *session, const WCHAR *url)
{
    AcquireSRWLockExclusive(&session->wpad_lock);
    if (!session->wpad_known)
    {
        session->wpad_url = url ? strdupW(url) : NULL;
        session->wpad_known = TRUE;
    }
    ReleaseSRWLockExclusive(&session->wpad_lock);
}

/* The WPAD URL was found (GlobalAlloc'd, or NULL: none). */
static void lookup_found_wpad(struct autoproxy_lookup *lookup, WCHAR *url)
{
    if (lookup->session_wpad) session_wpad_store(lookup->session, url);
    lookup->wpad = url ? strdupW(url) : NULL;
    GlobalFree(url);
    lookup->step = LOOKUP_WPAD_FETCH;
}

/* A synchronous look-up's search: the name it waits for answered, or the
 * look-up was cancelled (once per ERROR_IO_PENDING of wpad_search_step,
 * while the owner waits, so the look-up is alive). */
static void lookup_sync_wake(void *context)
{
    struct autoproxy_lookup *lookup = context;

    SetEvent(lookup->sync_wake);
}

/* Starts the WPAD search: an asynchronous look-up parks while a name is
 * looked up, a synchronous one waits for it (autoproxy_lookup_run); either
 * way autoproxy_lookup_cancel ends the wait. */
static void lookup_detect(struct autoproxy_lookup *lookup)
{
    struct wpad_search *search;

    if (lookup->session_wpad && session_wpad_known(lookup->session, &lookup->wpad))
    {
        lookup->step = LOOKUP_WPAD_FETCH;
        return;
    }
    if (lookup->fetch.async) search = wpad_search_create(lookup->detect, lookup->fetch.wake, lookup->fetch.context);
    else if ((lookup->sync_wake = CreateEventW(NULL, FALSE, FALSE, NULL)))
        search = wpad_search_create(lookup->detect, lookup_sync_wake, lookup);
    else
    {
        /* no event to wait on beside a cancel: the blocking search */
        lookup_found_wpad(lookup, wpad_detect(lookup->detect));
        return;
    }
    if (!search)
    {
        lookup->error = ERROR_NOT_ENOUGH_MEMORY;
        lookup->step = LOOKUP_CONFIG;
        return;
    }
    AcquireSRWLockExclusive(&lookup->lock);
    lookup->search = search;
    /* a cancel that came before finds it now */
    if (lookup->cancelled) wpad_search_cancel(search);
    ReleaseSRWLockExclusive(&lookup->lock);
    lookup->step = LOOKUP_DETECT;
}

/* The search's next step: ERROR_IO_PENDING while a name is looked up. */
static DWORD lookup_search(struct autoproxy_lookup *lookup)
{
    struct wpad_search *search = lookup->search;
    WCHAR *url;
    DWORD error;

    if ((error = wpad_search_step(search, &url)) == ERROR_IO_PENDING) return error;
    AcquireSRWLockExclusive(&lookup->lock);
    lookup->search = NULL;
    ReleaseSRWLockExclusive(&lookup->lock);
    wpad_search_release(search);
    if (error == ERROR_WINHTTP_OPERATION_CANCELLED)
    {
        lookup->error = error;
        lookup->step = LOOKUP_DONE;
    }
    /* a failure is no WPAD script: AUTODETECTION_FAILED */
    else lookup_found_wpad(lookup, url);
    return ERROR_SUCCESS;
}

/* The download is over (error: how): a script that came answers. */
static void lookup_took(struct autoproxy_lookup *lookup, DWORD error)
{
    lookup->fetching = FALSE;
    if ((lookup->error = error)) return;
    lookup->script = lookup->fetch.buf;
    lookup->script_size = lookup->fetch.size;
    lookup->fetch.buf = NULL;
}

static DWORD lookup_fetch(struct autoproxy_lookup *lookup, const WCHAR *url)
{
    DWORD error;

    if ((error = fetch_script(&lookup->fetch, url, lookup->flags)) == ERROR_IO_PENDING) lookup->fetching = TRUE;
    else lookup_took(lookup, error);
    return error;
}

DWORD autoproxy_lookup_run(struct autoproxy_lookup *lookup)
{
    DWORD error;
    BOOL cancelled;

    for (;;)
    {
        if (lookup->fetching)
        {
            if ((error = fetch_drive(&lookup->fetch)) == ERROR_IO_PENDING) return error;
            lookup_took(lookup, error);
        }
        AcquireSRWLockShared(&lookup->lock);
        cancelled = lookup->cancelled;
        ReleaseSRWLockShared(&lookup->lock);
        if (cancelled && lookup->step != LOOKUP_DONE && lookup->step != LOOKUP_DETECT)
        {
            if (!lookup->script) lookup->error = ERROR_WINHTTP_OPERATION_CANCELLED;
            lookup->step = LOOKUP_DONE;
        }
        switch (lookup->step)
        {
        case LOOKUP_WPAD:
            lookup->step = LOOKUP_CONFIG;
            if (lookup->detect) lookup_detect(lookup);
            break;
        case LOOKUP_DETECT:
            if (lookup_search(lookup) == ERROR_IO_PENDING)
            {
                if (lookup->fetch.async) return ERROR_IO_PENDING;
                WaitForSingleObject(lookup->sync_wake, INFINITE);  /* lookup_sync_wake */
            }
            break;
        case LOOKUP_WPAD_FETCH:
            lookup->step = LOOKUP_CONFIG;
            if (lookup->wpad && lookup_fetch(lookup, lookup->wpad) == ERROR_IO_PENDING) return ERROR_IO_PENDING;
            break;
        case LOOKUP_CONFIG:
            lookup->step = LOOKUP_DONE;
            if (!lookup->script && lookup->config_url
                && lookup_fetch(lookup, lookup->config_url) == ERROR_IO_PENDING)
                return ERROR_IO_PENDING;
            break;
        case LOOKUP_DONE:
            TRACE("%p: script %s (%lu), proxy %s\n", lookup, lookup->script ? "found" : "none", lookup->error,
                  debugstr_w(lookup->cfg.lpszProxy));
            return ERROR_SUCCESS;
        }
    }
}

void autoproxy_lookup_release(struct autoproxy_lookup *lookup)
{
    if (!lookup || InterlockedDecrement(&lookup->refs)) return;
    wpad_search_release(lookup->search);   /* NULL: an owner steps a search to its end */
    if (lookup->sync_wake) CloseHandle(lookup->sync_wake);
    heap_free(lookup->script);
    heap_free(lookup->wpad);
    heap_free(lookup->config_url);
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

static struct autoproxy_lookup *lookup_create(struct session *session, BOOL async, void (*wake)(void *context),
                                              void *context)
{
    struct autoproxy_lookup *lookup;

    if (!(lookup = heap_alloc_zero(sizeof(*lookup)))) return NULL;
    lookup->refs = 1;
    lookup->session = session;
    addref_object(&session->hdr);
    lookup->error = ERROR_WINHTTP_AUTODETECTION_FAILED;
    InitializeSRWLock(&lookup->lock);
    InitializeSRWLock(&lookup->fetch.lock);
    lookup->fetch.async = async;
    lookup->fetch.wake = wake;
    lookup->fetch.context = context;
    return lookup;
}

struct autoproxy_lookup *autoproxy_lookup_create(struct session *session, BOOL async, void (*wake)(void *context),
                                                 void *context)
{
    struct autoproxy_lookup *lookup;

    if (!(lookup = lookup_create(session, async, wake, context))) return NULL;
    if (!WinHttpGetIEProxyConfigForCurrentUser(&lookup->cfg)) memset(&lookup->cfg, 0, sizeof(lookup->cfg));
    if (lookup->cfg.fAutoDetect) lookup->detect = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    lookup->session_wpad = TRUE;
    if (lookup->cfg.lpszAutoConfigUrl && !(lookup->config_url = strdupW(lookup->cfg.lpszAutoConfigUrl)))
        lookup->error = ERROR_NOT_ENOUGH_MEMORY;
    return lookup;
}

DWORD autoproxy_lookup_start_options(struct session *session, const WINHTTP_AUTOPROXY_OPTIONS *options, BOOL async,
                                     void (*wake)(void *context), void *context, struct autoproxy_lookup **ret)
{
    struct autoproxy_lookup *lookup;

    if (!(*ret = lookup = lookup_create(session, async, wake, context))) return ERROR_NOT_ENOUGH_MEMORY;
    if (options->dwFlags & WINHTTP_AUTOPROXY_AUTO_DETECT) lookup->detect = options->dwAutoDetectFlags;
    lookup->flags = options->dwFlags & WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    if ((options->dwFlags & WINHTTP_AUTOPROXY_CONFIG_URL)
        && !(lookup->config_url = strdupW(options->lpszAutoConfigUrl)))
    {
        autoproxy_lookup_release(lookup);
        *ret = NULL;
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    return autoproxy_lookup_run(lookup);
}

void autoproxy_lookup_cancel(struct autoproxy_lookup *lookup)
{
    struct wpad_search *search;
    HINTERNET req;

    AcquireSRWLockExclusive(&lookup->lock);
    lookup->cancelled = TRUE;
    if ((search = lookup->search)) wpad_search_addref(search);
    ReleaseSRWLockExclusive(&lookup->lock);
    /* the task waiting for a WPAD name goes on now (outside the lock: its wake-up) */
    if (search)
    {
        wpad_search_cancel(search);
        wpad_search_release(search);
    }

    AcquireSRWLockExclusive(&lookup->fetch.lock);
    lookup->fetch.cancelled = TRUE;
    req = lookup->fetch.req;
    lookup->fetch.req = NULL;
    ReleaseSRWLockExclusive(&lookup->fetch.lock);
    TRACE("%p%s\n", lookup, req ? ": closing the download" : "");
    /* its call in flight completes now, cancelled */
    if (req) WinHttpCloseHandle(req);
}

const char *autoproxy_lookup_script(struct autoproxy_lookup *lookup, DWORD *size, DWORD *error)
{
    *size = lookup->script_size;
    if (error) *error = lookup->script ? ERROR_SUCCESS : lookup->error;
    return lookup->script;
}

const WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *autoproxy_lookup_config(struct autoproxy_lookup *lookup)
{
    return &lookup->cfg;
}
