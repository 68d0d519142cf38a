/*
 * Conformance tests for WinHttpGetProxyForUrlEx2, WinHttpGetProxyResultEx and
 * WinHttpFreeProxyResultEx: argument and state checks, and for the same PAC
 * script the same entries, notifications and errors as WinHttpGetProxyForUrlEx
 * and WinHttpGetProxyResult give.  PAC files come from a loopback server inside
 * this process (stub_httpd.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stub_httpd.h"
#include <winhttp.h>

#include "test.h"

static const char pac_script[] =
    "function FindProxyForURL(url, host) {\n"
    "  if (host == \"direct.test\") return \"DIRECT\";\n"
    "  if (dnsDomainIs(host, \".multi.test\")) return \"PROXY p1.test:8080; PROXY p2.test; DIRECT\";\n"
    "  return \"PROXY proxy.test:3128\";\n"
    "}\n";

static const struct stub_doc pac_docs[] =
{
    { "/proxy.pac", 200, pac_script },
    { "/slow.pac", 200, pac_script },
    { NULL }
};

static struct stub_httpd pac_server;

static WCHAR *pac_url(const char *path)
{
    static WCHAR url[128];

    swprintf(url, ARRAY_SIZE(url), L"http://127.0.0.1:%d%hs", pac_server.port, path);
    return url;
}

#define MAX_NOTES 16

/* What a resolver's callback saw, in order. */
struct notes
{
    HANDLE done;                 /* set at GETPROXYFORURL_COMPLETE or REQUEST_ERROR */
    HANDLE closing;              /* set at HANDLE_CLOSING */
    volatile LONG count;
    DWORD status[MAX_NOTES];
    DWORD_PTR context;           /* of the completion */
    WINHTTP_ASYNC_RESULT result;
};

static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct notes *notes = (struct notes *)context;
    LONG n = InterlockedIncrement(&notes->count) - 1;

    if (n < MAX_NOTES) notes->status[n] = status;
    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
    {
        SetEvent(notes->closing);
        return;
    }
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && len == sizeof(notes->result))
        memcpy(&notes->result, info, len);
    if (status == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE || status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
    {
        notes->context = context;
        SetEvent(notes->done);
    }
}

static void notes_init(struct notes *notes)
{
    memset(notes, 0, sizeof(*notes));
    notes->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    notes->closing = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static void notes_free(struct notes *notes)
{
    CloseHandle(notes->done);
    CloseHandle(notes->closing);
}

static HINTERNET new_resolver(HINTERNET session)
{
    HINTERNET resolver = NULL;
    DWORD error = WinHttpCreateProxyResolver(session, &resolver);

    ok(!error, "WinHttpCreateProxyResolver: %lu\n", error);
    WinHttpSetStatusCallback(resolver, callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    return resolver;
}

static void close_resolver(HINTERNET resolver, struct notes *notes)
{
    ok(WinHttpCloseHandle(resolver), "WinHttpCloseHandle: %lu\n", GetLastError());
    ok(!WaitForSingleObject(notes->closing, 10000), "no HANDLE_CLOSING\n");
}

static void set_options(WINHTTP_AUTOPROXY_OPTIONS *options, const char *path, DWORD flags)
{
    memset(options, 0, sizeof(*options));
    options->dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL | flags;
    options->lpszAutoConfigUrl = pac_url(path);
}

static BOOL same_entries(const WINHTTP_PROXY_RESULT_ENTRY *a, const WINHTTP_PROXY_RESULT_ENTRY *b, DWORD count)
{
    DWORD i;

    for (i = 0; i < count; i++)
    {
        if (a[i].fProxy != b[i].fProxy || a[i].fBypass != b[i].fBypass || a[i].ProxyScheme != b[i].ProxyScheme
            || a[i].ProxyPort != b[i].ProxyPort) return FALSE;
        if (!a[i].pwszProxy != !b[i].pwszProxy) return FALSE;
        if (a[i].pwszProxy && wcscmp(a[i].pwszProxy, b[i].pwszProxy)) return FALSE;
    }
    return TRUE;
}

static void test_arguments(void)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT_EX result;
    HINTERNET session, resolver;
    BYTE selection[4] = { 1, 2, 3, 4 };
    DWORD error;

    set_options(&options, "/proxy.pac", 0);
    session = WinHttpOpen(L"proxy_result_ex", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    /* no callback: a refused call sets no context value for HANDLE_CLOSING to carry */
    error = WinHttpCreateProxyResolver(session, &resolver);
    ok(!error, "WinHttpCreateProxyResolver: %lu\n", error);

    error = WinHttpGetProxyForUrlEx2(NULL, L"http://a.test/", &options, 0, NULL, 0);
    ok(error == ERROR_INVALID_HANDLE, "got %lu\n", error);
    error = WinHttpGetProxyForUrlEx2(session, L"http://a.test/", &options, 0, NULL, 0);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    /* the handle is checked before the selection context */
    error = WinHttpGetProxyForUrlEx2(session, L"http://a.test/", &options, sizeof(selection), NULL, 0);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    error = WinHttpGetProxyForUrlEx2(resolver, L"http://a.test/", &options, sizeof(selection), NULL, 0);
    ok(error == ERROR_INVALID_PARAMETER, "size without a context: got %lu\n", error);
    /* WinHttpGetProxyForUrlEx's own checks */
    error = WinHttpGetProxyForUrlEx2(resolver, NULL, &options, 0, NULL, 0);
    ok(error == ERROR_INVALID_PARAMETER, "no URL: got %lu\n", error);
    error = WinHttpGetProxyForUrlEx2(resolver, L"http://a.test/", NULL, 0, NULL, 0);
    ok(error == ERROR_INVALID_PARAMETER, "no options: got %lu\n", error);
    options.dwFlags = 0;
    error = WinHttpGetProxyForUrlEx2(resolver, L"http://a.test/", &options, 0, NULL, 0);
    ok(error == ERROR_INVALID_PARAMETER, "no source: got %lu\n", error);

    error = WinHttpGetProxyResultEx(NULL, &result);
    ok(error == ERROR_INVALID_HANDLE, "got %lu\n", error);
    error = WinHttpGetProxyResultEx(session, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    error = WinHttpGetProxyResultEx(resolver, NULL);
    ok(error == ERROR_INVALID_PARAMETER, "got %lu\n", error);
    memset(&result, 0xcc, sizeof(result));
    error = WinHttpGetProxyResultEx(resolver, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "before any call: got %lu\n", error);
    ok(result.cEntries == 0xcccccccc, "result written on failure\n");

    /* freeing nothing is harmless */
    WinHttpFreeProxyResultEx(NULL);
    memset(&result, 0, sizeof(result));
    WinHttpFreeProxyResultEx(&result);

    WinHttpCloseHandle(resolver);
    WinHttpCloseHandle(session);
}

/* Ex2 (with and without a selection context) against Ex on the same script:
 * the same notifications in the same order, the same entries. */
static void test_same_as_ex(const WCHAR *url)
{
    static BYTE selection[8] = { 0xde, 0xad, 0xbe, 0xef };
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT plain;
    WINHTTP_PROXY_RESULT_EX ex, ex_selected;
    struct notes notes_plain, notes_ex;
    HINTERNET session, resolver_plain, resolver_ex;
    DWORD error;
    LONG i, per_call;

    winetest_push_context("%s", wine_dbgstr_w(url));
    notes_init(&notes_plain);
    notes_init(&notes_ex);
    set_options(&options, "/proxy.pac", 0);
    session = WinHttpOpen(L"proxy_result_ex", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    resolver_plain = new_resolver(session);
    resolver_ex = new_resolver(session);

    error = WinHttpGetProxyForUrlEx(resolver_plain, url, &options, (DWORD_PTR)&notes_plain);
    ok(error == ERROR_IO_PENDING, "Ex: got %lu\n", error);
    ok(!WaitForSingleObject(notes_plain.done, 10000), "Ex: no completion\n");
    memset(&plain, 0, sizeof(plain));
    error = WinHttpGetProxyResult(resolver_plain, &plain);
    ok(!error, "WinHttpGetProxyResult: %lu\n", error);

    error = WinHttpGetProxyForUrlEx2(resolver_ex, url, &options, 0, NULL, (DWORD_PTR)&notes_ex);
    ok(error == ERROR_IO_PENDING, "Ex2: got %lu\n", error);
    ok(!WaitForSingleObject(notes_ex.done, 10000), "Ex2: no completion\n");
    ok(notes_ex.context == (DWORD_PTR)&notes_ex, "completion context %#Ix\n", notes_ex.context);
    ok(notes_ex.status[notes_ex.count - 1] == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE, "status %#lx\n",
       notes_ex.status[notes_ex.count - 1]);
    memset(&ex, 0xcc, sizeof(ex));
    error = WinHttpGetProxyResultEx(resolver_ex, &ex);
    ok(!error, "WinHttpGetProxyResultEx: %lu\n", error);
    if (error) memset(&ex, 0, sizeof(ex));
    ok(ex.hProxyDetectionHandle == NULL, "hProxyDetectionHandle %p\n", ex.hProxyDetectionHandle);
    ok(ex.dwProxyInterfaceAffinity == 0, "dwProxyInterfaceAffinity %#lx\n", ex.dwProxyInterfaceAffinity);
    ok(ex.cEntries && ex.cEntries == plain.cEntries, "%lu entries, Ex gave %lu\n", ex.cEntries, plain.cEntries);
    if (ex.cEntries == plain.cEntries)
        ok(same_entries(ex.pEntries, plain.pEntries, ex.cEntries), "entries differ from Ex's\n");

    /* an Ex2 result reads through WinHttpGetProxyResult too */
    WinHttpFreeProxyResult(&plain);
    error = WinHttpGetProxyResult(resolver_ex, &plain);
    ok(!error && plain.cEntries == ex.cEntries && same_entries(plain.pEntries, ex.pEntries, ex.cEntries),
       "WinHttpGetProxyResult after Ex2: %lu, %lu entries\n", error, plain.cEntries);

    /* a selection context: the one set of settings there is answers */
    error = WinHttpGetProxyForUrlEx2(resolver_ex, url, &options, sizeof(selection), selection, (DWORD_PTR)&notes_ex);
    ok(error == ERROR_IO_PENDING, "Ex2 with a context: got %lu\n", error);
    ok(!WaitForSingleObject(notes_ex.done, 10000), "Ex2 with a context: no completion\n");
    memset(&ex_selected, 0, sizeof(ex_selected));
    error = WinHttpGetProxyResultEx(resolver_ex, &ex_selected);
    ok(!error && ex_selected.cEntries == ex.cEntries && same_entries(ex_selected.pEntries, ex.pEntries, ex.cEntries),
       "with a context: %lu, %lu entries\n", error, ex_selected.cEntries);
    WinHttpFreeProxyResultEx(&ex_selected);
    ok(!ex_selected.cEntries && !ex_selected.pEntries, "not cleared\n");

    close_resolver(resolver_plain, &notes_plain);
    close_resolver(resolver_ex, &notes_ex);
    /* one call on resolver_plain, two on resolver_ex, each then HANDLE_CLOSING */
    ok(notes_ex.count == 2 * (notes_plain.count - 1) + 1, "%ld notifications for Ex2, %ld for Ex\n", notes_ex.count,
       notes_plain.count);
    per_call = notes_plain.count - 1;
    for (i = 0; i < per_call && 2 * per_call < MAX_NOTES; i++)
    {
        ok(notes_ex.status[i] == notes_plain.status[i], "notification %ld: %#lx, Ex gave %#lx\n", i,
           notes_ex.status[i], notes_plain.status[i]);
        ok(notes_ex.status[per_call + i] == notes_plain.status[i],
           "second call's notification %ld: %#lx, Ex gave %#lx\n", i, notes_ex.status[per_call + i],
           notes_plain.status[i]);
    }
    ok(notes_ex.status[notes_ex.count - 1] == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING, "last %#lx\n",
       notes_ex.status[notes_ex.count - 1]);

    WinHttpFreeProxyResult(&plain);
    WinHttpFreeProxyResultEx(&ex);
    WinHttpCloseHandle(session);
    notes_free(&notes_plain);
    notes_free(&notes_ex);
    winetest_pop_context();
}

/* An async session and a resolver on it with one Ex2 call for url in flight
 * (the script at path, never from the cache). */
static HINTERNET start_ex2(struct notes *notes, WINHTTP_AUTOPROXY_OPTIONS *options, const char *path,
                           const WCHAR *url, HINTERNET *session)
{
    HINTERNET resolver;
    DWORD error;

    notes_init(notes);
    set_options(options, path, WINHTTP_AUTOPROXY_NO_CACHE_CLIENT);
    *session = WinHttpOpen(L"proxy_result_ex", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    resolver = new_resolver(*session);
    error = WinHttpGetProxyForUrlEx2(resolver, url, options, 0, NULL, (DWORD_PTR)notes);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    return resolver;
}

/* Failures come as WinHttpGetProxyForUrlEx's: REQUEST_ERROR for
 * API_GET_PROXY_FOR_URL, and no result to read. */
static void test_failure(void)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT_EX result;
    HINTERNET session, resolver;
    struct notes notes;
    DWORD error;

    resolver = start_ex2(&notes, &options, "/missing.pac", L"http://www.example.test/", &session);
    ok(!WaitForSingleObject(notes.done, 10000), "no completion\n");
    ok(notes.status[notes.count - 1] == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "status %#lx\n",
       notes.status[notes.count - 1]);
    ok(notes.result.dwResult == API_GET_PROXY_FOR_URL, "api %Iu\n", notes.result.dwResult);
    ok(notes.result.dwError == ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT, "error %lu\n", notes.result.dwError);
    error = WinHttpGetProxyResultEx(resolver, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %lu\n", error);
    close_resolver(resolver, &notes);
    WinHttpCloseHandle(session);
    notes_free(&notes);
}

/* One call at a time: while the server holds the script, a second call and
 * the result are refused; the held call then completes. */
static void test_busy(void)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT_EX result;
    HINTERNET session, resolver;
    struct notes notes;
    DWORD error;

    pac_server.held = "/slow.pac";
    resolver = start_ex2(&notes, &options, "/slow.pac", L"http://a.multi.test/", &session);
    ok(!WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD), "the script was not asked for\n");
    error = WinHttpGetProxyForUrlEx2(resolver, L"http://a.multi.test/", &options, 0, NULL, (DWORD_PTR)&notes);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "second call: got %lu\n", error);
    error = WinHttpGetProxyResultEx(resolver, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "result while busy: got %lu\n", error);
    SetEvent(pac_server.release);
    ok(!WaitForSingleObject(notes.done, 10000), "no completion\n");
    ok(notes.status[notes.count - 1] == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE, "status %#lx\n",
       notes.status[notes.count - 1]);
    memset(&result, 0, sizeof(result));
    error = WinHttpGetProxyResultEx(resolver, &result);
    ok(!error && result.cEntries == 3, "got %lu, %lu entries\n", error, result.cEntries);
    if (result.cEntries == 3)
    {
        ok(result.pEntries[0].fProxy && result.pEntries[0].ProxyPort == 8080
           && !wcscmp(result.pEntries[0].pwszProxy, L"p1.test"), "entry 0 %s:%u\n",
           wine_dbgstr_w(result.pEntries[0].pwszProxy), result.pEntries[0].ProxyPort);
        ok(!result.pEntries[2].fProxy, "entry 2 not direct\n");
    }
    WinHttpFreeProxyResultEx(&result);
    pac_server.held = NULL;
    close_resolver(resolver, &notes);
    WinHttpCloseHandle(session);
    notes_free(&notes);
}

START_TEST(proxy_result_ex)
{
    if (!stub_httpd_start(&pac_server, pac_docs, 0))
    {
        ok(0, "cannot start the PAC server: %d\n", WSAGetLastError());
        return;
    }
    test_arguments();
    test_same_as_ex(L"http://a.multi.test/x");
    test_same_as_ex(L"http://direct.test/");
    test_same_as_ex(L"http://www.example.test/");
    test_failure();
    test_busy();
    stub_httpd_stop(&pac_server);
}
