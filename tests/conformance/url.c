/*
 * Conformance tests for WinHttpCrackUrl and WinHttpCreateUrl.
 *
 * Expectations follow Windows (7 and later) as recorded by Wine's own
 * conformance tests and Microsoft's documentation.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"

/* ---------------------------------------------------------------------- */
/* WinHttpCrackUrl: pointer mode                                           */

/* Asks for every component as a pointer into the URL. */
static void want_pointers(URL_COMPONENTS *uc)
{
    memset(uc, 0, sizeof(*uc));
    uc->dwStructSize = sizeof(*uc);
    uc->dwSchemeLength = ~0u;
    uc->dwHostNameLength = 1;
    uc->dwUserNameLength = ~0u;
    uc->dwPasswordLength = ~0u;
    uc->dwUrlPathLength = ~0u;
    uc->dwExtraInfoLength = ~0u;
}

/* A component expected in pointer mode: offset into the URL (-1: NULL) and length. */
struct want { int offset; DWORD len; };

struct crack_case
{
    const WCHAR *url;
    INTERNET_SCHEME scheme;
    INTERNET_PORT port;
    struct want scheme_name, user, pass, host, path, extra;
};

static const struct crack_case crack_cases[] =
{
    { L"http://username:password@www.winehq.org/site/about", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {7, 8}, {16, 8}, {25, 14}, {39, 11}, {50, 0} },
    { L"http://www.winehq.org", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 14}, {21, 0}, {21, 0} },
    { L"https://www.winehq.org/post?", INTERNET_SCHEME_HTTPS, 443,
      {0, 5}, {-1, 0}, {-1, 0}, {8, 14}, {22, 5}, {27, 1} },
    { L"http://winehq/post;a", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 6}, {13, 7}, {20, 0} },
    { L"http://winehq?", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 6}, {14, 0}, {14, 0} },
    { L"http://example.net/path?var1=example@example.com&var2=x&var3=y", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 11}, {18, 5}, {23, 39} },
    { L"HTTPS://Host.Example:8443/a/b?c=d", INTERNET_SCHEME_HTTPS, 8443,
      {0, 5}, {-1, 0}, {-1, 0}, {8, 12}, {25, 4}, {29, 4} },
    { L"http://user@host/", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {7, 4}, {-1, 0}, {12, 4}, {16, 1}, {17, 0} },
    { L"http://username:password@www.winehq.org:42/site/about?query", INTERNET_SCHEME_HTTP, 42,
      {0, 4}, {7, 8}, {16, 8}, {25, 14}, {42, 11}, {53, 6} },
    { L"http://username:password@www.winehq.org:0/site/about?query", INTERNET_SCHEME_HTTP, 0,
      {0, 4}, {7, 8}, {16, 8}, {25, 14}, {41, 11}, {52, 6} },
    { L"http://username:password@www.winehq.org:80/site/about?query", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {7, 8}, {16, 8}, {25, 14}, {42, 11}, {53, 6} },
    { L"https://username:password@www.winehq.org:443/site/about?query", INTERNET_SCHEME_HTTPS, 443,
      {0, 5}, {8, 8}, {17, 8}, {26, 14}, {44, 11}, {55, 6} },
    { L"http://winehq.org:", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 10}, {18, 0}, {18, 0} },
    { L"http://winehq.org:/", INTERNET_SCHEME_HTTP, 80,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 10}, {18, 1}, {19, 0} },
    { L"http://winehq.org:0", INTERNET_SCHEME_HTTP, 0,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 10}, {19, 0}, {19, 0} },
    { L"http://127.0.0.1:65535/x", INTERNET_SCHEME_HTTP, 65535,
      {0, 4}, {-1, 0}, {-1, 0}, {7, 9}, {22, 2}, {24, 0} },
};

static void check_want(const char *name, const WCHAR *url, const WCHAR *ptr, DWORD len, const struct want *w)
{
    if (w->offset < 0) ok(ptr == NULL, "%s: expected NULL, got %s\n", name, wine_dbgstr_w(ptr));
    else ok(ptr == url + w->offset, "%s: expected offset %d, got %s\n", name, w->offset,
            ptr ? wine_dbgstr_wn(ptr, len) : "NULL");
    ok(len == w->len, "%s: expected length %lu, got %lu\n", name, w->len, len);
}

static void test_crack_pointers(void)
{
    URL_COMPONENTS uc;
    unsigned int i;
    DWORD err;
    BOOL ret;

    for (i = 0; i < ARRAY_SIZE(crack_cases); i++)
    {
        const struct crack_case *c = &crack_cases[i];

        winetest_push_context("%s", wine_dbgstr_w(c->url));
        want_pointers(&uc);
        SetLastError(0xdeadbeef);
        ret = WinHttpCrackUrl(c->url, 0, 0, &uc);
        err = GetLastError();
        ok(ret, "WinHttpCrackUrl failed: %lu\n", err);
        ok(err == ERROR_SUCCESS, "last error %lu\n", err);
        if (ret)
        {
            ok(uc.nScheme == c->scheme, "scheme %d\n", uc.nScheme);
            ok(uc.nPort == c->port, "port %u\n", uc.nPort);
            check_want("scheme", c->url, uc.lpszScheme, uc.dwSchemeLength, &c->scheme_name);
            check_want("user", c->url, uc.lpszUserName, uc.dwUserNameLength, &c->user);
            check_want("password", c->url, uc.lpszPassword, uc.dwPasswordLength, &c->pass);
            check_want("host", c->url, uc.lpszHostName, uc.dwHostNameLength, &c->host);
            check_want("path", c->url, uc.lpszUrlPath, uc.dwUrlPathLength, &c->path);
            check_want("extra", c->url, uc.lpszExtraInfo, uc.dwExtraInfoLength, &c->extra);
        }
        winetest_pop_context();
    }
}

/* Components whose pointer and length are both zero are not reported;
 * without an extra info component the path keeps the query. */
static void test_crack_partial(void)
{
    static const WCHAR url[] = L"https://nba2k19-ws.2ksports.com:19133/nba/v4/Accounts/get_account?x=3789526775265663876";
    static const WCHAR url2[] = L"http://www.winehq.org/test";
    WCHAR scheme[20], host[40], path[80];
    URL_COMPONENTS uc;
    BOOL ret;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszScheme = scheme;
    uc.dwSchemeLength = ARRAY_SIZE(scheme);
    uc.lpszHostName = host;
    uc.dwHostNameLength = ARRAY_SIZE(host);
    uc.lpszUrlPath = path;
    uc.dwUrlPathLength = ARRAY_SIZE(path);
    ret = WinHttpCrackUrl(url, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(path, url + 37), "path %s\n", wine_dbgstr_w(path));
    ok(uc.dwUrlPathLength == 50, "path length %lu\n", uc.dwUrlPathLength);
    ok(!wcscmp(host, L"nba2k19-ws.2ksports.com"), "host %s\n", wine_dbgstr_w(host));
    ok(uc.nPort == 19133, "port %u\n", uc.nPort);
    ok(!uc.lpszUserName && !uc.dwUserNameLength, "user name reported\n");
    ok(!uc.lpszExtraInfo && !uc.dwExtraInfoLength, "extra info reported\n");

    /* scheme not wanted, everything else as pointers */
    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.dwHostNameLength = ~0u;
    uc.dwUserNameLength = ~0u;
    uc.dwPasswordLength = ~0u;
    uc.dwUrlPathLength = ~0u;
    uc.dwExtraInfoLength = ~0u;
    ret = WinHttpCrackUrl(url2, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!uc.lpszScheme && !uc.dwSchemeLength, "scheme reported\n");
    ok(uc.nScheme == INTERNET_SCHEME_HTTP, "scheme %d\n", uc.nScheme);
    ok(uc.lpszHostName == url2 + 7 && uc.dwHostNameLength == 14, "host\n");
    ok(uc.nPort == 80, "port %u\n", uc.nPort);
    ok(!uc.lpszUserName && !uc.dwUserNameLength, "user name\n");
    ok(!uc.lpszPassword && !uc.dwPasswordLength, "password\n");
    ok(uc.lpszUrlPath == url2 + 21 && uc.dwUrlPathLength == 5, "path\n");
    ok(uc.lpszExtraInfo && !uc.lpszExtraInfo[0] && !uc.dwExtraInfoLength, "extra info\n");

    /* explicit length: only the first dwUrlLength characters are cracked */
    want_pointers(&uc);
    ret = WinHttpCrackUrl(L"http://host.example/path?query", 17, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(uc.dwHostNameLength == 10, "host length %lu\n", uc.dwHostNameLength);
    ok(uc.dwUrlPathLength == 0, "path length %lu\n", uc.dwUrlPathLength);
    ok(uc.dwExtraInfoLength == 0, "extra length %lu\n", uc.dwExtraInfoLength);
}

/* ---------------------------------------------------------------------- */
/* WinHttpCrackUrl: buffer mode                                            */

struct buffers
{
    WCHAR scheme[20], user[20], pass[20], host[40], path[80], extra[40];
};

static void want_buffers(URL_COMPONENTS *uc, struct buffers *b)
{
    memset(b, 0, sizeof(*b));
    memset(uc, 0, sizeof(*uc));
    uc->dwStructSize = sizeof(*uc);
    uc->lpszScheme = b->scheme;
    uc->dwSchemeLength = ARRAY_SIZE(b->scheme);
    uc->lpszUserName = b->user;
    uc->dwUserNameLength = ARRAY_SIZE(b->user);
    uc->lpszPassword = b->pass;
    uc->dwPasswordLength = ARRAY_SIZE(b->pass);
    uc->lpszHostName = b->host;
    uc->dwHostNameLength = ARRAY_SIZE(b->host);
    uc->lpszUrlPath = b->path;
    uc->dwUrlPathLength = ARRAY_SIZE(b->path);
    uc->lpszExtraInfo = b->extra;
    uc->dwExtraInfoLength = ARRAY_SIZE(b->extra);
}

static void test_crack_buffers(void)
{
    static const WCHAR url[] = L"http://username:password@www.winehq.org/site/about?query";
    struct buffers b;
    URL_COMPONENTS uc;
    DWORD err;
    BOOL ret;

    want_buffers(&uc, &b);
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(url, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(uc.lpszScheme == b.scheme && !wcscmp(b.scheme, L"http") && uc.dwSchemeLength == 4, "scheme %s %lu\n",
       wine_dbgstr_w(b.scheme), uc.dwSchemeLength);
    ok(uc.nScheme == INTERNET_SCHEME_HTTP, "nScheme %d\n", uc.nScheme);
    ok(!wcscmp(b.user, L"username") && uc.dwUserNameLength == 8, "user %s\n", wine_dbgstr_w(b.user));
    ok(!wcscmp(b.pass, L"password") && uc.dwPasswordLength == 8, "password %s\n", wine_dbgstr_w(b.pass));
    ok(!wcscmp(b.host, L"www.winehq.org") && uc.dwHostNameLength == 14, "host %s\n", wine_dbgstr_w(b.host));
    ok(uc.nPort == 80, "port %u\n", uc.nPort);
    ok(!wcscmp(b.path, L"/site/about") && uc.dwUrlPathLength == 11, "path %s\n", wine_dbgstr_w(b.path));
    ok(!wcscmp(b.extra, L"?query") && uc.dwExtraInfoLength == 6, "extra %s\n", wine_dbgstr_w(b.extra));

    /* too small: the size needed, with the terminator, is reported */
    uc.dwSchemeLength = 1;
    uc.dwHostNameLength = 1;
    uc.dwUrlPathLength = 40;
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(url, 0, 0, &uc);
    err = GetLastError();
    ok(!ret, "WinHttpCrackUrl succeeded\n");
    ok(err == ERROR_INSUFFICIENT_BUFFER, "got %lu\n", err);
    ok(uc.dwSchemeLength == 5, "scheme length %lu\n", uc.dwSchemeLength);
    ok(uc.dwHostNameLength == 15, "host length %lu\n", uc.dwHostNameLength);
    ok(uc.dwUrlPathLength == 11, "path length %lu\n", uc.dwUrlPathLength);

    /* exactly the length of the component: no room for the terminator */
    want_buffers(&uc, &b);
    uc.dwHostNameLength = 14;
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(url, 0, 0, &uc);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(uc.dwHostNameLength == 15, "host length %lu\n", uc.dwHostNameLength);

    /* absent components are copied as empty strings */
    want_buffers(&uc, &b);
    b.user[0] = b.pass[0] = b.extra[0] = 'x';
    ret = WinHttpCrackUrl(L"https://www.winehq.org/", 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!b.user[0] && !uc.dwUserNameLength, "user %s %lu\n", wine_dbgstr_w(b.user), uc.dwUserNameLength);
    ok(!b.pass[0] && !uc.dwPasswordLength, "password %s %lu\n", wine_dbgstr_w(b.pass), uc.dwPasswordLength);
    ok(!b.extra[0] && !uc.dwExtraInfoLength, "extra %s %lu\n", wine_dbgstr_w(b.extra), uc.dwExtraInfoLength);
    ok(!wcscmp(b.path, L"/") && uc.dwUrlPathLength == 1, "path %s\n", wine_dbgstr_w(b.path));
    ok(uc.nPort == 443, "port %u\n", uc.nPort);

    /* a buffer with a size of zero is an error, and nothing is touched */
    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszScheme = b.scheme;
    uc.dwUserNameLength = ~0u;
    uc.dwPasswordLength = ~0u;
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(L"http://www.winehq.org/test", 0, 0, &uc);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    ok(uc.nScheme == 0, "nScheme %d\n", uc.nScheme);
    ok(!uc.dwSchemeLength, "scheme length %lu\n", uc.dwSchemeLength);
    ok(!uc.lpszUserName && uc.dwUserNameLength == ~0u, "user changed\n");
    ok(!uc.lpszPassword && uc.dwPasswordLength == ~0u, "password changed\n");
    ok(uc.nPort == 0, "port %u\n", uc.nPort);
}

static void test_crack_flags(void)
{
    static const WCHAR encoded[] = L"http://username:password@www.winehq.org/site/about%20!%22%23$%25&'()"
                                   L"*+,-./:;%3C=%3E?@%5B%5C%5D%5E_%60%7B%7C%7D%7E";
    static const WCHAR decoded_path[] = L"/site/about !\"#$%&'()*+,-./:;<=>";
    struct buffers b;
    URL_COMPONENTS uc;
    DWORD err;
    BOOL ret;

    /* decoding needs buffers */
    want_pointers(&uc);
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(encoded, 0, ICU_DECODE, &uc);
    err = GetLastError();
    ok(!ret, "WinHttpCrackUrl succeeded\n");
    ok(err == ERROR_INVALID_PARAMETER, "got %lu\n", err);

    want_buffers(&uc, &b);
    ret = WinHttpCrackUrl(encoded, 0, ICU_DECODE, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(b.path, decoded_path), "path %s\n", wine_dbgstr_w(b.path));
    ok(uc.dwUrlPathLength == 32, "path length %lu\n", uc.dwUrlPathLength);
    ok(!wcscmp(b.extra, L"?@[\\]^_`{|}~"), "extra %s\n", wine_dbgstr_w(b.extra));
    ok(uc.dwExtraInfoLength == 12, "extra length %lu\n", uc.dwExtraInfoLength);

    /* without ICU_DECODE the escapes stay */
    want_buffers(&uc, &b);
    ret = WinHttpCrackUrl(encoded, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(b.path, L"/site/about%20!%22%23$%25&'()*+,-./:;%3C=%3E"), "path %s\n", wine_dbgstr_w(b.path));

    /* only wanted components need buffers */
    want_buffers(&uc, &b);
    uc.lpszUserName = uc.lpszPassword = uc.lpszExtraInfo = NULL;
    uc.dwUserNameLength = uc.dwPasswordLength = uc.dwExtraInfoLength = 0;
    ret = WinHttpCrackUrl(L"https://tools.google.com/service/update2?w=3:BxDHoWy8ezM", 0, ICU_DECODE, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(b.path, L"/service/update2?w=3:BxDHoWy8ezM"), "path %s\n", wine_dbgstr_w(b.path));

    /* ICU_ESCAPE escapes the path; the host is left alone */
    want_buffers(&uc, &b);
    uc.lpszUserName = uc.lpszPassword = uc.lpszExtraInfo = NULL;
    uc.dwUserNameLength = uc.dwPasswordLength = uc.dwExtraInfoLength = 0;
    ret = WinHttpCrackUrl(L"http://winehq.o g/path with spaces", 0, ICU_ESCAPE | ICU_DECODE, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(b.host, L"winehq.o g"), "host %s\n", wine_dbgstr_w(b.host));
    ok(!wcscmp(b.path, L"/path%20with%20spaces"), "path %s\n", wine_dbgstr_w(b.path));
    ok(uc.dwUrlPathLength == 21, "path length %lu\n", uc.dwUrlPathLength);

    /* user name and password in the URL */
    want_pointers(&uc);
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(L"http://user:pass@host/", 0, ICU_REJECT_USERPWD, &uc);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INVALID_URL, "got %d %lu\n", ret, GetLastError());
    want_pointers(&uc);
    ret = WinHttpCrackUrl(L"http://host/", 0, ICU_REJECT_USERPWD, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
}

static void test_crack_errors(void)
{
    static const struct
    {
        const WCHAR *url;
        DWORD error;
    }
    tests[] =
    {
        { L"HTTP:www.winehq.org",  ERROR_WINHTTP_INVALID_URL },
        { L"http:/www.winehq.org", ERROR_WINHTTP_INVALID_URL },
        { L"www.winehq.org",       ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"www",                  ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"http",                 ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"",                     ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"ftp://ftp.winehq.org/", ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"ws://www.winehq.org/", ERROR_WINHTTP_UNRECOGNIZED_SCHEME },
        { L"http://",              ERROR_WINHTTP_INVALID_URL },
        { L"http://winehq.org:65536", ERROR_WINHTTP_INVALID_URL },
        { L"http://winehq.org:99999/", ERROR_WINHTTP_INVALID_URL },
        { L"http://winehq.org:8o/", ERROR_WINHTTP_INVALID_URL },
    };
    URL_COMPONENTS uc;
    unsigned int i;
    DWORD err;
    BOOL ret;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        want_pointers(&uc);
        SetLastError(0xdeadbeef);
        ret = WinHttpCrackUrl(tests[i].url, 0, 0, &uc);
        err = GetLastError();
        ok(!ret, "%s: WinHttpCrackUrl succeeded\n", wine_dbgstr_w(tests[i].url));
        ok(err == tests[i].error, "%s: expected %lu, got %lu\n", wine_dbgstr_w(tests[i].url), tests[i].error, err);
    }

    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(L"http://www.winehq.org/", 0, 0, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    want_pointers(&uc);
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(NULL, 0, 0, &uc);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    want_pointers(&uc);
    uc.dwStructSize = sizeof(uc) - 1;
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(L"http://www.winehq.org/", 0, 0, &uc);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    want_pointers(&uc);
    uc.dwStructSize = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpCrackUrl(L"http://www.winehq.org/", 0, 0, &uc);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
}

static void test_crack_ipv6(void)
{
    static const WCHAR url[] = L"http://[::1]:8080/path?q";
    static const WCHAR url2[] = L"https://[fe80::1%25eth0]/";
    URL_COMPONENTS uc;
    BOOL ret;

    want_pointers(&uc);
    ret = WinHttpCrackUrl(url, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(uc.lpszHostName == url + 7 && uc.dwHostNameLength == 5, "host %s\n",
       wine_dbgstr_wn(uc.lpszHostName, uc.dwHostNameLength));
    ok(uc.nPort == 8080, "port %u\n", uc.nPort);
    ok(uc.lpszUrlPath == url + 17 && uc.dwUrlPathLength == 5, "path\n");
    ok(uc.lpszExtraInfo == url + 22 && uc.dwExtraInfoLength == 2, "extra\n");

    want_pointers(&uc);
    ret = WinHttpCrackUrl(url2, 0, 0, &uc);
    ok(ret, "WinHttpCrackUrl failed: %lu\n", GetLastError());
    ok(uc.dwHostNameLength == 16, "host %s\n", wine_dbgstr_wn(uc.lpszHostName, uc.dwHostNameLength));
    ok(uc.nPort == 443, "port %u\n", uc.nPort);
}

/* ---------------------------------------------------------------------- */
/* WinHttpCreateUrl                                                        */

static WCHAR str_http[] = L"http", str_ftp[] = L"ftp", str_host[] = L"www.winehq.org", str_user[] = L"username",
             str_pass[] = L"password", str_path[] = L"/site/about", str_query[] = L"?query", str_empty[] = L"";

static void fill_components(URL_COMPONENTS *uc)
{
    memset(uc, 0, sizeof(*uc));
    uc->dwStructSize = sizeof(*uc);
    uc->lpszScheme = str_http;
    uc->dwSchemeLength = 4;
    uc->nScheme = INTERNET_SCHEME_HTTP;
    uc->lpszHostName = str_host;
    uc->dwHostNameLength = 14;
    uc->nPort = 80;
    uc->lpszUserName = str_user;
    uc->dwUserNameLength = 8;
    uc->lpszPassword = str_pass;
    uc->dwPasswordLength = 8;
    uc->lpszUrlPath = str_path;
    uc->dwUrlPathLength = 11;
    uc->lpszExtraInfo = str_query;
    uc->dwExtraInfoLength = 6;
}

/* Creates a URL into buf with a generous length; returns the length reported. */
static BOOL create(URL_COMPONENTS *uc, DWORD flags, WCHAR *buf, DWORD *len)
{
    buf[0] = 0;
    *len = 256;
    return WinHttpCreateUrl(uc, flags, buf, len);
}

static void test_create_sizes(void)
{
    static const WCHAR full[] = L"http://username:password@www.winehq.org/site/about?query";
    URL_COMPONENTS uc;
    WCHAR buf[256];
    DWORD len, err;
    BOOL ret;

    len = ~0u;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(NULL, 0, NULL, &len);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    ok(len == ~0u, "len %lu\n", len);

    memset(&uc, 0, sizeof(uc));
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, NULL, &len);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
    ok(len == ~0u, "len %lu\n", len);

    fill_components(&uc);
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, NULL, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    /* the size needed counts the terminator */
    len = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, NULL, &len);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(len == 57, "len %lu\n", len);

    /* big enough, but no buffer */
    len = 256;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, NULL, &len);
    err = GetLastError();
    ok(!ret && err == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, err);
    ok(len == 256, "len %lu\n", len);

    len = 2;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, buf, &len);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(len == 57, "len %lu\n", len);

    /* no room for the terminator */
    len = 56;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, buf, &len);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(len == 57, "len %lu\n", len);

    /* exactly enough: the length returned leaves the terminator out */
    len = 57;
    SetLastError(0xdeadbeef);
    ret = WinHttpCreateUrl(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(len == 56, "len %lu\n", len);
    ok(!wcscmp(buf, full), "url %s\n", wine_dbgstr_w(buf));
}

static void test_create_components(void)
{
    static const struct
    {
        const char *what;
        const WCHAR *expect;
    }
    expect[] =
    {
        { "all", L"http://username:password@www.winehq.org/site/about?query" },
        { "NULL scheme", L"http://username:password@www.winehq.org/site/about?query" },
        { "scheme 0", L"http://username:password@www.winehq.org/site/about?query" },
        { "empty password", L"http://username:@www.winehq.org/site/about?query" },
        { "NULL password", L"http://username@www.winehq.org/site/about?query" },
        { "empty user", L"http://:password@www.winehq.org/site/about?query" },
        { "no credentials", L"http://www.winehq.org/site/about?query" },
        { "empty credentials", L"http://:@www.winehq.org/site/about?query" },
        { "ftp scheme string", L"ftp://username:password@www.winehq.org:80/site/about?query" },
        { "port 42", L"http://username:password@www.winehq.org:42/site/about?query" },
        { "port 0, no scheme", L"http://username:password@www.winehq.org:0/site/about?query" },
        { "https", L"https://www.winehq.org/site/about?query" },
        { "https port 80", L"https://www.winehq.org:80/site/about?query" },
        { "no extra", L"http://www.winehq.org/site/about" },
    };
    URL_COMPONENTS uc;
    WCHAR buf[256];
    unsigned int i;
    DWORD len;
    BOOL ret;

    for (i = 0; i < ARRAY_SIZE(expect); i++)
    {
        fill_components(&uc);
        switch (i)
        {
        case 1: uc.lpszScheme = NULL; break;
        case 2: uc.nScheme = 0; break;
        case 3: uc.lpszPassword = str_empty; uc.dwPasswordLength = 0; break;
        case 4: uc.lpszPassword = NULL; break;
        case 5: uc.lpszUserName = str_empty; uc.dwUserNameLength = 0; break;
        case 6: uc.lpszUserName = uc.lpszPassword = NULL; break;
        case 7: uc.lpszUserName = uc.lpszPassword = str_empty; uc.dwUserNameLength = uc.dwPasswordLength = 0; break;
        case 8: uc.lpszScheme = str_ftp; uc.dwSchemeLength = 3; break;
        case 9: uc.nPort = 42; break;
        case 10: uc.lpszScheme = NULL; uc.dwSchemeLength = 0; uc.nScheme = 0; uc.nPort = 0; break;
        case 11: uc.lpszScheme = NULL; uc.nScheme = INTERNET_SCHEME_HTTPS; uc.nPort = 443;
                 uc.lpszUserName = uc.lpszPassword = NULL; break;
        case 12: uc.lpszScheme = NULL; uc.nScheme = INTERNET_SCHEME_HTTPS; uc.nPort = 80;
                 uc.lpszUserName = uc.lpszPassword = NULL; break;
        case 13: uc.lpszUserName = uc.lpszPassword = uc.lpszExtraInfo = NULL; break;
        }
        winetest_push_context("%s", expect[i].what);
        SetLastError(0xdeadbeef);
        ret = create(&uc, 0, buf, &len);
        ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
        ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
        ok(!wcscmp(buf, expect[i].expect), "got %s\n", wine_dbgstr_w(buf));
        ok(len == wcslen(expect[i].expect), "len %lu\n", len);
        winetest_pop_context();
    }

    /* a password needs a user name */
    fill_components(&uc);
    uc.lpszUserName = NULL;
    SetLastError(0xdeadbeef);
    ret = create(&uc, 0, buf, &len);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    /* lengths of 0 mean NUL-terminated strings */
    fill_components(&uc);
    uc.dwSchemeLength = uc.dwHostNameLength = uc.dwUserNameLength = uc.dwPasswordLength = 0;
    uc.dwUrlPathLength = uc.dwExtraInfoLength = 0;
    ret = create(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://username:password@www.winehq.org/site/about?query"), "got %s\n", wine_dbgstr_w(buf));

    /* lengths shorter than the strings are honoured */
    fill_components(&uc);
    uc.lpszUserName = uc.lpszPassword = NULL;
    uc.dwHostNameLength = 3;
    uc.dwUrlPathLength = 5;
    uc.dwExtraInfoLength = 2;
    ret = create(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://www/site?q"), "got %s\n", wine_dbgstr_w(buf));
}

static void test_create_escape(void)
{
    static WCHAR all_ascii[] = L" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    static WCHAR controls[] = L"\r\x1f \n\x7f\r\n";
    static WCHAR unicode_query[] = L"?text=\xfb00";
    static WCHAR unicode_path[] = L"/text=\xfb00";
    URL_COMPONENTS uc;
    WCHAR buf[256];
    DWORD len, err;
    BOOL ret;

    fill_components(&uc);
    uc.lpszExtraInfo = all_ascii;
    uc.dwExtraInfoLength = wcslen(all_ascii);
    ret = create(&uc, ICU_ESCAPE, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://username:password@www.winehq.org/site/about%20!%22%23$%25&'()"
                    L"*+,-./:;%3C=%3E?@%5B%5C%5D%5E_%60%7B%7C%7D%7E"), "got %s\n", wine_dbgstr_w(buf));
    ok(len == 113, "len %lu\n", len);

    /* without ICU_ESCAPE nothing is escaped */
    ret = create(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(len == 56 - 6 + wcslen(all_ascii), "len %lu\n", len);

    /* the size needed is the escaped size */
    len = 0;
    SetLastError(0xdeadbeef);
    fill_components(&uc);
    uc.lpszExtraInfo = all_ascii;
    uc.dwExtraInfoLength = wcslen(all_ascii);
    ret = WinHttpCreateUrl(&uc, ICU_ESCAPE, NULL, &len);
    ok(!ret && GetLastError() == ERROR_INSUFFICIENT_BUFFER, "got %d %lu\n", ret, GetLastError());
    ok(len == 114, "len %lu\n", len);

    /* nothing but extra info, then nothing but a path */
    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszExtraInfo = controls;
    uc.dwExtraInfoLength = wcslen(controls);
    ret = create(&uc, ICU_ESCAPE, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://%0D%1F%20%0A%7F%0D%0A"), "got %s\n", wine_dbgstr_w(buf));
    ok(len == 28, "len %lu\n", len);

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszUrlPath = controls;
    uc.dwUrlPathLength = wcslen(controls);
    ret = create(&uc, ICU_ESCAPE, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://%0D%1F%20%0A%7F%0D%0A"), "got %s\n", wine_dbgstr_w(buf));

    /* characters outside ASCII cannot be escaped unless the code page is UTF-8 */
    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszExtraInfo = unicode_query;
    uc.dwExtraInfoLength = wcslen(unicode_query);
    SetLastError(0xdeadbeef);
    ret = create(&uc, ICU_ESCAPE, buf, &len);
    err = GetLastError();
    if (GetACP() == CP_UTF8) ok(ret && !err, "got %d %lu\n", ret, err);
    else ok(!ret && err == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, err);

    ret = create(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http://?text=\xfb00"), "got %s\n", wine_dbgstr_w(buf));
    ok(len == 14, "len %lu\n", len);

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszUrlPath = unicode_path;
    uc.dwUrlPathLength = wcslen(unicode_path);
    SetLastError(0xdeadbeef);
    ret = create(&uc, ICU_ESCAPE, buf, &len);
    err = GetLastError();
    if (GetACP() == CP_UTF8) ok(ret && !err, "got %d %lu\n", ret, err);
    else ok(!ret && err == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, err);

    ret = create(&uc, 0, buf, &len);
    ok(ret, "WinHttpCreateUrl failed: %lu\n", GetLastError());
    ok(!wcscmp(buf, L"http:///text=\xfb00"), "got %s\n", wine_dbgstr_w(buf));
}

/* Cracking what was created gives the components back. */
static void test_round_trip(void)
{
    static const WCHAR *urls[] =
    {
        L"http://username:password@www.winehq.org:8080/site/about?query",
        L"https://www.winehq.org/",
        L"https://host:80/a%20b?c#d",
        L"http://host/",
    };
    URL_COMPONENTS uc;
    WCHAR buf[256];
    unsigned int i;
    DWORD len;
    BOOL ret;

    for (i = 0; i < ARRAY_SIZE(urls); i++)
    {
        want_pointers(&uc);
        ret = WinHttpCrackUrl(urls[i], 0, 0, &uc);
        ok(ret, "%s: crack failed %lu\n", wine_dbgstr_w(urls[i]), GetLastError());
        if (!uc.dwUserNameLength) uc.lpszUserName = NULL;
        if (!uc.dwPasswordLength) uc.lpszPassword = NULL;
        ret = create(&uc, 0, buf, &len);
        ok(ret, "%s: create failed %lu\n", wine_dbgstr_w(urls[i]), GetLastError());
        ok(!wcscmp(buf, urls[i]), "%s: got %s\n", wine_dbgstr_w(urls[i]), wine_dbgstr_w(buf));
    }
}

START_TEST(url)
{
    test_crack_pointers();
    test_crack_partial();
    test_crack_buffers();
    test_crack_flags();
    test_crack_errors();
    test_crack_ipv6();
    test_create_sizes();
    test_create_components();
    test_create_escape();
    test_round_trip();
}
