/*
 * Replay of Chromium's use of WinHTTP: its system proxy configuration and
 * resolver on Windows.  Chromium fetches with its own network stack; WinHTTP
 * only answers "which proxy", call for call as in:
 *
 *   net/proxy_resolution/win/proxy_config_service_win.cc
 *     ProxyConfigServiceWin::GetCurrentProxyConfig: WinHttpGetIEProxyConfigForCurrentUser
 *     (a failure means a direct configuration), SetFromIEConfig, FreeIEConfig
 *     (GlobalFree of each string); PollingProxyConfigService calls it again
 *     on a timer and when the Internet Settings keys change, and compares.
 *   net/proxy_resolution/win/proxy_resolver_winhttp.cc
 *     ProxyResolverWinHttp::OpenWinHttpSession: WinHttpOpen(NULL,
 *     WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0), WinHttpSetTimeouts(10000,
 *     10000, 5000, 5000) (a DCHECK: it must succeed);
 *     GetProxyForURL: ws:// and wss:// become http:// and https:// first
 *     ("Windows' system resolver does not support WebSocket URLs",
 *     crbug.com/862121, ERROR_WINHTTP_UNRECOGNIZED_SCHEME), then
 *     WinHttpGetProxyForUrl with WINHTTP_AUTOPROXY_CONFIG_URL and
 *     fAutoLogonIfChallenged FALSE, again with TRUE after
 *     ERROR_WINHTTP_LOGIN_FAILURE; dwAccessType NO_PROXY is direct,
 *     NAMED_PROXY's lpszProxy a list "host:port;host:port" (the comment: WinHTTP
 *     "strips out the non-HTTP proxy types, and stops the list when PAC
 *     encounters a DIRECT"); both strings GlobalFree'd; the session is closed
 *     after ERROR_WINHTTP_TIMEOUT or AUTO_PROXY_SERVICE_ERROR, and its errors
 *     map through WinHttpErrorToNetError (BAD_AUTO_PROXY_SCRIPT,
 *     UNABLE_TO_DOWNLOAD_SCRIPT, ...).
 *
 * The user's settings are written to this prefix's registry (the
 * DefaultConnectionSettings blob, with the plain values beside it) and put
 * back afterwards; the PAC script comes from a loopback server in this
 * process (stub_httpd.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stub_httpd.h"
#include "replay.h"

static const char chromium_pac[] =
    "function FindProxyForURL(url, host) {\n"
    "  if (host == \"intranet.test\") return \"DIRECT\";\n"
    "  if (shExpMatch(url, \"https:*\")) return \"PROXY tls.proxy.test:8443; SOCKS5 s.test:1080; PROXY b.test:3; DIRECT\";\n"
    "  return \"PROXY web.proxy.test:3128; DIRECT; PROXY never.test:1\";\n"
    "}\n";
static const char broken_pac[] = "function FindProxyForURL(url, host) { return (; }\n";

static const struct stub_doc docs[] =
{
    { "/chromium.pac", 200, chromium_pac },
    { "/broken.pac", 200, broken_pac },
    { NULL }
};

static struct stub_httpd pac_server;

static const WCHAR settings_key[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections";
static const WCHAR settings_value[] = L"DefaultConnectionSettings";

/* The user's DefaultConnectionSettings as it was, to put back. */
static BYTE saved_blob[4096];
static DWORD saved_size, saved_type;
static BOOL saved_present;

static void save_settings(void)
{
    saved_size = sizeof(saved_blob);
    saved_present = !RegGetValueW(HKEY_CURRENT_USER, settings_key, settings_value, RRF_RT_ANY, &saved_type, saved_blob,
                                  &saved_size);
}

static void put_settings(const BYTE *blob, DWORD size, DWORD type)
{
    HKEY key;
    LONG err = RegCreateKeyExW(HKEY_CURRENT_USER, settings_key, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);

    ok(!err, "opening the Connections key: %ld\n", err);
    if (err) return;
    if (blob) err = RegSetValueExW(key, settings_value, 0, type, blob, size);
    else if ((err = RegDeleteValueW(key, settings_value)) == ERROR_FILE_NOT_FOUND) err = 0;
    ok(!err, "writing DefaultConnectionSettings: %ld\n", err);
    RegCloseKey(key);
}

/* IE's layout: version 0x46, a change counter, the PROXY_TYPE_* flags, then
 * the proxy list, the bypass list and the PAC URL, each as a length and
 * ANSI characters, then fields Chromium does not read (zeroes). */
static void write_settings(DWORD flags, const char *proxy, const char *bypass, const char *pac)
{
    const char *strings[3] = { proxy, bypass, pac };
    BYTE blob[1024];
    DWORD fields[3] = { 0x46, 1, flags }, pos, i, n;

    memcpy(blob, fields, sizeof(fields));
    pos = sizeof(fields);
    for (i = 0; i < ARRAY_SIZE(strings); i++)
    {
        n = (DWORD)strlen(strings[i]);
        memcpy(blob + pos, &n, sizeof(n));
        memcpy(blob + pos + sizeof(n), strings[i], n);
        pos += sizeof(n) + n;
    }
    memset(blob + pos, 0, 32);
    put_settings(blob, pos + 32, REG_BINARY);
}

#define PROXY_TYPE_DIRECT         1
#define PROXY_TYPE_PROXY          2
#define PROXY_TYPE_AUTO_PROXY_URL 4

static BOOL same(const WCHAR *got, const WCHAR *want)
{
    return got && want ? !wcscmp(got, want) : got == want;
}

/* ProxyConfigServiceWin::GetCurrentProxyConfig and FreeIEConfig. */
static BOOL current_proxy_config(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    return WinHttpGetIEProxyConfigForCurrentUser(cfg);
}

static void free_ie_config(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *cfg)
{
    if (cfg->lpszAutoConfigUrl) ok(!GlobalFree(cfg->lpszAutoConfigUrl), "GlobalFree of the PAC URL failed\n");
    if (cfg->lpszProxy) ok(!GlobalFree(cfg->lpszProxy), "GlobalFree of the proxy failed\n");
    if (cfg->lpszProxyBypass) ok(!GlobalFree(cfg->lpszProxyBypass), "GlobalFree of the bypass failed\n");
}

static void check_config(const char *when, BOOL autodetect, const WCHAR *pac, const WCHAR *proxy, const WCHAR *bypass)
{
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG cfg;

    ok(current_proxy_config(&cfg), "%s: WinHttpGetIEProxyConfigForCurrentUser failed: %lu\n", when, GetLastError());
    ok(cfg.fAutoDetect == autodetect, "%s: fAutoDetect %d\n", when, cfg.fAutoDetect);
    ok(same(cfg.lpszAutoConfigUrl, pac), "%s: PAC URL %ls\n", when, cfg.lpszAutoConfigUrl);
    ok(same(cfg.lpszProxy, proxy), "%s: proxy %ls\n", when, cfg.lpszProxy);
    ok(same(cfg.lpszProxyBypass, bypass), "%s: bypass %ls\n", when, cfg.lpszProxyBypass);
    free_ie_config(&cfg);
}

static WCHAR pac_url[128], broken_url[128], dead_url[128];

/* What the polling service sees, and how it notices a change. */
static void test_config_polling(void)
{
    char pac[128];

    sprintf(pac, "http://127.0.0.1:%d/chromium.pac", pac_server.port);
    write_settings(PROXY_TYPE_DIRECT | PROXY_TYPE_PROXY | PROXY_TYPE_AUTO_PROXY_URL,
                   "http=127.0.0.1:3128;https=127.0.0.1:3129", "<local>;*.intranet.test", pac);
    check_config("first poll", FALSE, pac_url, L"http=127.0.0.1:3128;https=127.0.0.1:3129", L"<local>;*.intranet.test");
    check_config("second poll", FALSE, pac_url, L"http=127.0.0.1:3128;https=127.0.0.1:3129", L"<local>;*.intranet.test");
    /* the user turns the manual proxy off and auto-detection on */
    write_settings(PROXY_TYPE_DIRECT | 8 /* PROXY_TYPE_AUTO_DETECT */ | PROXY_TYPE_AUTO_PROXY_URL, "", "", pac);
    check_config("after the change", TRUE, pac_url, NULL, NULL);
}

/* ProxyResolverWinHttp::GetProxyForURL, with its fallbacks and cleanup. */
static DWORD resolve(HINTERNET *session, const WCHAR *pac, const WCHAR *url, WINHTTP_PROXY_INFO *info)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    DWORD error = ERROR_SUCCESS;
    BOOL ret;

    memset(&options, 0, sizeof(options));
    memset(info, 0, sizeof(*info));
    options.fAutoLogonIfChallenged = FALSE;
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
    options.lpszAutoConfigUrl = pac;
    if (!(ret = WinHttpGetProxyForUrl(*session, url, &options, info)))
    {
        if (GetLastError() == ERROR_WINHTTP_LOGIN_FAILURE)
        {
            options.fAutoLogonIfChallenged = TRUE;
            ret = WinHttpGetProxyForUrl(*session, url, &options, info);
        }
        if (!ret)
        {
            error = GetLastError();
            if (error == ERROR_WINHTTP_TIMEOUT || error == ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR)
            {
                WinHttpCloseHandle(*session);
                *session = NULL;
            }
        }
    }
    return error;
}

static void check_resolve(HINTERNET *session, const WCHAR *pac, const WCHAR *url, DWORD error, DWORD access,
                          const WCHAR *proxy)
{
    WINHTTP_PROXY_INFO info;
    DWORD got = resolve(session, pac, url, &info);

    ok(got == error, "%ls: error %lu, expected %lu\n", url, got, error);
    if (got) return;
    ok(info.dwAccessType == access, "%ls: access type %lu\n", url, info.dwAccessType);
    ok(same(info.lpszProxy, proxy), "%ls: proxy %ls, expected %ls\n", url, info.lpszProxy, proxy);
    if (info.lpszProxy) ok(!GlobalFree(info.lpszProxy), "GlobalFree of the proxy failed\n");
    if (info.lpszProxyBypass) ok(!GlobalFree(info.lpszProxyBypass), "GlobalFree of the bypass failed\n");
}

static void test_resolver(void)
{
    HINTERNET session;

    /* OpenWinHttpSession */
    session = WinHttpOpen(NULL, WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    if (!session) return;
    ok(WinHttpSetTimeouts(session, 10000, 10000, 5000, 5000), "WinHttpSetTimeouts failed: %lu\n", GetLastError());

    check_resolve(&session, pac_url, L"http://www.example.test/page", 0, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                  L"web.proxy.test:3128");
    /* SOCKS left out, the list stops at DIRECT */
    check_resolve(&session, pac_url, L"https://www.example.test/", 0, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                  L"tls.proxy.test:8443;b.test:3");
    check_resolve(&session, pac_url, L"http://intranet.test/", 0, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL);
    /* a websocket URL goes in as http(s), as Chromium rewrites it; as is, the
     * system resolver refuses it */
    check_resolve(&session, pac_url, L"https://chat.example.test/socket", 0, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                  L"tls.proxy.test:8443;b.test:3");
    check_resolve(&session, pac_url, L"wss://chat.example.test/socket", ERROR_WINHTTP_UNRECOGNIZED_SCHEME, 0, NULL);
    /* the errors WinHttpErrorToNetError maps; none closes the session */
    check_resolve(&session, broken_url, L"http://www.example.test/", ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT, 0, NULL);
    check_resolve(&session, dead_url, L"http://www.example.test/", ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT, 0, NULL);
    ok(session != NULL, "the session was closed\n");
    /* the session still answers */
    check_resolve(&session, pac_url, L"http://again.example.test/", 0, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                  L"web.proxy.test:3128");

    /* CloseWinHttpSession */
    ok(WinHttpCloseHandle(session), "WinHttpCloseHandle failed: %lu\n", GetLastError());
}

START_TEST(fw_chromium)
{
    struct stub_httpd dead;

    if (!stub_httpd_start(&pac_server, docs, 0))
    {
        ok(0, "the PAC server did not start\n");
        return;
    }
    /* a port nobody listens on: a server started and stopped */
    if (!stub_httpd_start(&dead, docs, 0))
    {
        ok(0, "the second server did not start\n");
        stub_httpd_stop(&pac_server);
        return;
    }
    stub_httpd_stop(&dead);
    swprintf(pac_url, ARRAY_SIZE(pac_url), L"http://127.0.0.1:%d/chromium.pac", pac_server.port);
    swprintf(broken_url, ARRAY_SIZE(broken_url), L"http://127.0.0.1:%d/broken.pac", pac_server.port);
    swprintf(dead_url, ARRAY_SIZE(dead_url), L"http://127.0.0.1:%d/chromium.pac", dead.port);

    save_settings();
    test_config_polling();
    test_resolver();
    put_settings(saved_present ? saved_blob : NULL, saved_size, saved_type);
    stub_httpd_stop(&pac_server);
}
