/*
 * Conformance tests for proxy configuration and discovery:
 * WinHttpGetIEProxyConfigForCurrentUser, WinHttpGet/SetDefaultProxyConfiguration,
 * WinHttpDetectAutoProxyConfigUrl, WinHttpGetProxyForUrl (PAC scripts run by
 * jsproxy.dll), the resolver functions and WinHttpResetAutoProxy, and
 * WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY sessions sending requests as those
 * settings say (squid's authenticating port as the proxy, whose 407 shows
 * it was used, and wsserver as the origin; tools/with-servers.sh).
 *
 * The registry values touched are saved first and put back after.  PAC files
 * come from a server inside this process (stub_httpd.h).  With WSTEST_WPAD=1
 * (tools/test-wpad.sh: a private network and mount namespace whose hosts file
 * names wpad.wpadtest.invalid) WPAD discovery through DNS is tested too; with
 * WSTEST_DHCP=1 (tools/test-dhcp.sh: such a namespace, with an adapter whose
 * DHCP lease a stand-in NetworkManager reports) WPAD through DHCP.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "stub_httpd.h"
#include <winhttp.h>

#include "test.h"
#include "ws_helpers.h"
#include "sync_call.h"
#include "reg_saved.h"

static const WCHAR internet_settings[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";
static const WCHAR connections[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections";
static const WCHAR tcpip_parameters[] = L"System\\CurrentControlSet\\Services\\Tcpip\\Parameters";

/* A settings blob: version, counter, flags, then each string length-prefixed. */
static DWORD make_blob(BYTE *buf, DWORD version, DWORD flags, const char **strings, int count)
{
    DWORD header[3] = { version, 7, flags }, len;
    BYTE *p = buf;
    int i;

    memcpy(p, header, sizeof(header));
    p += sizeof(header);
    for (i = 0; i < count; i++)
    {
        len = strlen(strings[i]);
        memcpy(p, &len, sizeof(len));
        p += sizeof(len);
        memcpy(p, strings[i], len);
        p += len;
    }
    return p - buf;
}

static BOOL str_is(const WCHAR *got, const WCHAR *want)
{
    if (!got || !want) return got == want;
    return !wcscmp(got, want);
}

static BOOL on_wine(void)
{
    return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != NULL;
}

/* ---------------------------------------------------------------------- */
/* WinHttpGetIEProxyConfigForCurrentUser                                     */

static void get_ie_config(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *cfg)
{
    BOOL ret;

    memset(cfg, 0xcc, sizeof(*cfg));
    SetLastError(0xdeadbeef);
    ret = WinHttpGetIEProxyConfigForCurrentUser(cfg);
    ok(ret, "WinHttpGetIEProxyConfigForCurrentUser failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
}

static void free_ie_config(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *cfg)
{
    GlobalFree(cfg->lpszAutoConfigUrl);
    GlobalFree(cfg->lpszProxy);
    GlobalFree(cfg->lpszProxyBypass);
}

static void check_ie_config(int line, BOOL autodetect, const WCHAR *url, const WCHAR *proxy, const WCHAR *bypass)
{
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG cfg;

    get_ie_config(&cfg);
    ok_(__FILE__, line)(cfg.fAutoDetect == autodetect, "fAutoDetect %d\n", cfg.fAutoDetect);
    ok_(__FILE__, line)(str_is(cfg.lpszAutoConfigUrl, url), "url %s\n", wine_dbgstr_w(cfg.lpszAutoConfigUrl));
    ok_(__FILE__, line)(str_is(cfg.lpszProxy, proxy), "proxy %s\n", wine_dbgstr_w(cfg.lpszProxy));
    ok_(__FILE__, line)(str_is(cfg.lpszProxyBypass, bypass), "bypass %s\n", wine_dbgstr_w(cfg.lpszProxyBypass));
    free_ie_config(&cfg);
}

static void test_ie_config(void)
{
    static const char *all[] = { "proxy.example:8080", "<local>;*.corp", "http://pac.example/proxy.pac" };
    struct saved_value saved[5];
    BYTE blob[512];
    DWORD size, one = 1, zero = 0, error;
    BOOL ret;

    save_value(&saved[0], HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");
    save_value(&saved[1], HKEY_CURRENT_USER, internet_settings, L"ProxyEnable");
    save_value(&saved[2], HKEY_CURRENT_USER, internet_settings, L"ProxyServer");
    save_value(&saved[3], HKEY_CURRENT_USER, internet_settings, L"ProxyOverride");
    save_value(&saved[4], HKEY_CURRENT_USER, internet_settings, L"AutoConfigURL");

    SetLastError(0xdeadbeef);
    ret = WinHttpGetIEProxyConfigForCurrentUser(NULL);
    error = GetLastError();
    ok(!ret && error == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, error);

    /* nothing configured: auto-detection only */
    delete_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");
    delete_value(HKEY_CURRENT_USER, internet_settings, L"ProxyEnable");
    delete_value(HKEY_CURRENT_USER, internet_settings, L"ProxyServer");
    delete_value(HKEY_CURRENT_USER, internet_settings, L"ProxyOverride");
    delete_value(HKEY_CURRENT_USER, internet_settings, L"AutoConfigURL");
    check_ie_config(__LINE__, TRUE, NULL, NULL, NULL);

    /* the blob as WinINet writes it, every flag set */
    size = make_blob(blob, 0x46, 0x0f, all, 3);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, TRUE, L"http://pac.example/proxy.pac", L"proxy.example:8080", L"<local>;*.corp");

    /* the flags decide: strings present but not enabled are not returned */
    size = make_blob(blob, 0x46, 0x01, all, 3);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, FALSE, NULL, NULL, NULL);

    size = make_blob(blob, 0x46, 0x05, all, 3);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, FALSE, L"http://pac.example/proxy.pac", NULL, NULL);

    /* IE6's version number, same layout */
    size = make_blob(blob, 0x3c, 0x03, all, 3);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, FALSE, NULL, L"proxy.example:8080", L"<local>;*.corp");

    /* a blob cut inside the bypass string keeps what came before it */
    size = make_blob(blob, 0x46, 0x0b, all, 2);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size - 3);
    check_ie_config(__LINE__, TRUE, NULL, L"proxy.example:8080", NULL);

    /* a length running past the end is not read */
    size = make_blob(blob, 0x46, 0x0b, all, 1);
    blob[12] = 0xff;
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, TRUE, NULL, NULL, NULL);

    /* no blob: the plain values */
    delete_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");
    set_value(HKEY_CURRENT_USER, internet_settings, L"ProxyEnable", REG_DWORD, &one, sizeof(one));
    set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyServer", L"legacy.example:3128");
    set_string(HKEY_CURRENT_USER, internet_settings, L"ProxyOverride", L"<local>");
    set_string(HKEY_CURRENT_USER, internet_settings, L"AutoConfigURL", L"http://legacy.example/x.pac");
    check_ie_config(__LINE__, TRUE, L"http://legacy.example/x.pac", L"legacy.example:3128", L"<local>");

    set_value(HKEY_CURRENT_USER, internet_settings, L"ProxyEnable", REG_DWORD, &zero, sizeof(zero));
    check_ie_config(__LINE__, TRUE, L"http://legacy.example/x.pac", NULL, NULL);

    /* the blob wins over the values */
    size = make_blob(blob, 0x46, 0x03, all, 3);
    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
    check_ie_config(__LINE__, FALSE, NULL, L"proxy.example:8080", L"<local>;*.corp");

    for (size = 0; size < ARRAY_SIZE(saved); size++) restore_value(&saved[size]);
}

/* ---------------------------------------------------------------------- */
/* WinHttpGet/SetDefaultProxyConfiguration                                   */

static DWORD read_winhttp_settings(BYTE *buf, DWORD size)
{
    HKEY key;
    DWORD type;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, connections, 0, KEY_READ, &key)) return 0;
    if (RegQueryValueExW(key, L"WinHttpSettings", NULL, &type, buf, &size) || type != REG_BINARY) size = 0;
    RegCloseKey(key);
    return size;
}

static void check_default_config(int line, DWORD access, const WCHAR *proxy, const WCHAR *bypass)
{
    WINHTTP_PROXY_INFO info;
    BOOL ret;

    memset(&info, 0xcc, sizeof(info));
    SetLastError(0xdeadbeef);
    ret = WinHttpGetDefaultProxyConfiguration(&info);
    ok_(__FILE__, line)(ret, "WinHttpGetDefaultProxyConfiguration failed: %lu\n", GetLastError());
    ok_(__FILE__, line)(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok_(__FILE__, line)(info.dwAccessType == access, "access type %lu\n", info.dwAccessType);
    ok_(__FILE__, line)(str_is(info.lpszProxy, proxy), "proxy %s\n", wine_dbgstr_w(info.lpszProxy));
    ok_(__FILE__, line)(str_is(info.lpszProxyBypass, bypass), "bypass %s\n", wine_dbgstr_w(info.lpszProxyBypass));
    GlobalFree(info.lpszProxy);
    GlobalFree(info.lpszProxyBypass);
}

static void test_default_config(void)
{
    static WCHAR wide[] = { 0x226f, 0x575b, 0 };
    static const char *named[] = { "proxy.test:8080", "<local>" };
    static const char *direct[] = { "", "" };
    struct saved_value saved;
    WINHTTP_PROXY_INFO info;
    BYTE want[256], got[256];
    DWORD want_size, got_size;
    BOOL ret;

    save_value(&saved, HKEY_LOCAL_MACHINE, connections, L"WinHttpSettings");
    SetEnvironmentVariableW(L"http_proxy", NULL);
    SetEnvironmentVariableW(L"https_proxy", NULL);
    SetEnvironmentVariableW(L"no_proxy", NULL);

    /* Wine's checks (dlls/winhttp/tests/winhttp.c) */
    info.dwAccessType = 0xdeadbeef;
    info.lpszProxy = info.lpszProxyBypass = NULL;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());

    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    info.lpszProxyBypass = (WCHAR *)L"foo";
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());

    info.lpszProxy = wide;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    info.lpszProxy = (WCHAR *)L"foo";
    info.lpszProxyBypass = wide;
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpGetDefaultProxyConfiguration(NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());

    /* a named proxy: the blob, and reading it back */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    info.lpszProxy = (WCHAR *)L"proxy.test:8080";
    info.lpszProxyBypass = (WCHAR *)L"<local>";
    SetLastError(0xdeadbeef);
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(ret, "WinHttpSetDefaultProxyConfiguration failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    want_size = make_blob(want, 0x18, 0x02, named, 2);
    ((DWORD *)want)[1] = 0;
    got_size = read_winhttp_settings(got, sizeof(got));
    ok(got_size == want_size && !memcmp(got, want, want_size), "blob of %lu bytes\n", got_size);
    check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:8080", L"<local>");

    /* without a bypass list */
    info.lpszProxyBypass = NULL;
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(ret, "WinHttpSetDefaultProxyConfiguration failed: %lu\n", GetLastError());
    check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:8080", NULL);

    /* direct: the strings given are not stored */
    info.dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    info.lpszProxy = (WCHAR *)L"ignored:1";
    ret = WinHttpSetDefaultProxyConfiguration(&info);
    ok(ret, "WinHttpSetDefaultProxyConfiguration failed: %lu\n", GetLastError());
    want_size = make_blob(want, 0x18, 0x01, direct, 2);
    ((DWORD *)want)[1] = 0;
    got_size = read_winhttp_settings(got, sizeof(got));
    ok(got_size == want_size && !memcmp(got, want, want_size), "blob of %lu bytes\n", got_size);
    check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);

    /* a blob whose proxy string runs past its end is no proxy */
    want_size = make_blob(want, 0x18, 0x02, named, 1);
    set_value(HKEY_LOCAL_MACHINE, connections, L"WinHttpSettings", REG_BINARY, want, want_size - 2);
    check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);

    /* under Wine, without a registry proxy, the Unix variables */
    delete_value(HKEY_LOCAL_MACHINE, connections, L"WinHttpSettings");
    check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL);
    if (on_wine())
    {
        SetEnvironmentVariableW(L"http_proxy", L"http://envproxy.test:3128/");
        check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"envproxy.test:3128", NULL);
        SetEnvironmentVariableW(L"https_proxy", L"user@envsecure.test:3129");
        SetEnvironmentVariableW(L"no_proxy", L"localhost,.corp.test");
        check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
                             L"http=envproxy.test:3128;https=envsecure.test:3129", L"localhost;.corp.test");
        /* the registry comes first */
        info.dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
        info.lpszProxy = (WCHAR *)L"reg.test:1";
        info.lpszProxyBypass = NULL;
        ret = WinHttpSetDefaultProxyConfiguration(&info);
        ok(ret, "WinHttpSetDefaultProxyConfiguration failed: %lu\n", GetLastError());
        check_default_config(__LINE__, WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"reg.test:1", NULL);
        SetEnvironmentVariableW(L"http_proxy", NULL);
        SetEnvironmentVariableW(L"https_proxy", NULL);
        SetEnvironmentVariableW(L"no_proxy", NULL);
    }
    restore_value(&saved);
}

/* ---------------------------------------------------------------------- */
/* PAC scripts                                                               */

static const char pac_script[] =
    "function FindProxyForURL(url, host) {\n"
    "  if (host == \"direct.test\") return \"DIRECT\";\n"
    "  if (shExpMatch(url, \"https:*\")) return \"PROXY secure.proxy:8443\";\n"
    "  if (dnsDomainIs(host, \".multi.test\")) return \"PROXY p1.test:8080; PROXY p2.test; DIRECT\";\n"
    "  if (dnsDomainIs(host, \".socks.test\")) return \"SOCKS s.test:1080; PROXY after.socks:1\";\n"
    "  if (host == \"first-direct.test\") return \"DIRECT; PROXY never.test:1\";\n"
    "  if (dnsDomainIs(host, \".echo.test\") || dnsDomainIs(host, \".Echo.Test\")) return \"PROXY \" + host + \":1\";\n"
    "  return \"PROXY proxy.test:3128\";\n"
    "}\n";
static const char pac_script2[] =
    "function FindProxyForURL(url, host) { return \"PROXY second.test:2\"; }\n";
static const char bad_script[] =
    "function FindProxyForURL(url, host) { return (; }\n";

/* written by test_automatic_proxy: sends localhost through the proxy */
static char auto_script[256];

static const struct stub_doc pac_docs[] =
{
    { "/auto.pac", 200, auto_script },
    { "/slow.pac", 200, auto_script },
    { "/proxy.pac", 200, pac_script },
    { "/second.pac", 200, pac_script2 },
    { "/bad.pac", 200, bad_script },
    { "/wpad.dat", 200, pac_script2 },
    { NULL }
};

static struct stub_httpd pac_server;

static WCHAR *pac_url(const char *path)
{
    static WCHAR url[4][128];
    static int next;
    WCHAR *ret = url[next++ % 4];

    swprintf(ret, 128, L"http://127.0.0.1:%d%hs", pac_server.port, path);
    return ret;
}

static void check_pac_(int line, HINTERNET session, const WCHAR *url, DWORD flags, const WCHAR *config_url,
                       DWORD access, const WCHAR *proxy)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_INFO info;
    BOOL ret;

    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL | flags;
    options.lpszAutoConfigUrl = config_url;
    memset(&info, 0xcc, sizeof(info));
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, url, &options, &info);
    ok_(__FILE__, line)(ret, "WinHttpGetProxyForUrl(%s) failed: %lu\n", wine_dbgstr_w(url), GetLastError());
    if (!ret) return;
    ok_(__FILE__, line)(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok_(__FILE__, line)(info.dwAccessType == access, "%s: access %lu\n", wine_dbgstr_w(url), info.dwAccessType);
    ok_(__FILE__, line)(str_is(info.lpszProxy, proxy), "%s: proxy %s\n", wine_dbgstr_w(url),
                        wine_dbgstr_w(info.lpszProxy));
    ok_(__FILE__, line)(!info.lpszProxyBypass, "bypass %s\n", wine_dbgstr_w(info.lpszProxyBypass));
    GlobalFree(info.lpszProxy);
    GlobalFree(info.lpszProxyBypass);
}
#define check_pac(...) check_pac_(__LINE__, __VA_ARGS__)

static void check_pac_error_(int line, HINTERNET session, const WCHAR *config_url, DWORD error)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_INFO info;
    BOOL ret;

    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL | WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    options.lpszAutoConfigUrl = config_url;
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://www.example.test/", &options, &info);
    ok_(__FILE__, line)(!ret, "%s: succeeded\n", wine_dbgstr_w(config_url));
    ok_(__FILE__, line)(GetLastError() == error, "%s: error %lu, want %lu\n", wine_dbgstr_w(config_url),
                        GetLastError(), error);
}
#define check_pac_error(...) check_pac_error_(__LINE__, __VA_ARGS__)

static void test_get_proxy_for_url(void)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_INFO info;
    HINTERNET session, con;
    LONG before;
    BOOL ret;

    /* Wine's argument checks */
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(NULL, NULL, NULL, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_HANDLE, "got %d, %lu\n", ret, GetLastError());
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    ok(session != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    con = WinHttpConnect(session, L"localhost", 80, 0);
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(con, L"http://winehq.org", NULL, NULL);
    ok(!ret && GetLastError() == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %d, %lu\n", ret, GetLastError());
    WinHttpCloseHandle(con);

    memset(&options, 0, sizeof(options));
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, NULL, NULL, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"", NULL, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://winehq.org", &options, &info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    options.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
    options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://winehq.org", &options, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    options.dwAutoDetectFlags = 0;
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://winehq.org", &options, &info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    options.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT | WINHTTP_AUTOPROXY_CONFIG_URL;
    options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://winehq.org", &options, &info);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());

    /* the script's answers */
    check_pac(session, L"http://www.example.test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:3128");
    check_pac(session, L"http://direct.test/a/b?c", 0, pac_url("/proxy.pac"), WINHTTP_ACCESS_TYPE_NO_PROXY, NULL);
    check_pac(session, L"https://direct2.test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"secure.proxy:8443");
    check_pac(session, L"http://a.multi.test:81/x", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"p1.test:8080;p2.test");
    check_pac(session, L"http://b.socks.test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"after.socks:1");
    check_pac(session, L"http://first-direct.test/", 0, pac_url("/proxy.pac"), WINHTTP_ACCESS_TYPE_NO_PROXY, NULL);
    /* the host keeps its case unless asked otherwise */
    check_pac(session, L"http://Host.Echo.Test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"Host.Echo.Test:1");
    check_pac(session, L"http://Host.Echo.Test/", WINHTTP_AUTOPROXY_HOST_KEEPCASE, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"Host.Echo.Test:1");
    check_pac(session, L"http://Host.Echo.Test/", WINHTTP_AUTOPROXY_HOST_LOWERCASE, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"host.echo.test:1");

    /* the script is fetched once and kept; NO_CACHE_CLIENT and
     * WinHttpResetAutoProxy fetch it again */
    before = pac_server.requests;
    check_pac(session, L"http://www.example.test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:3128");
    ok(pac_server.requests == before, "%ld more requests\n", pac_server.requests - before);
    check_pac(session, L"http://www.example.test/", WINHTTP_AUTOPROXY_NO_CACHE_CLIENT, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:3128");
    ok(pac_server.requests == before + 1, "%ld more requests\n", pac_server.requests - before);
    ok(WinHttpResetAutoProxy(session, WINHTTP_RESET_SCRIPT_CACHE) == ERROR_SUCCESS, "reset failed\n");
    check_pac(session, L"http://www.example.test/", 0, pac_url("/proxy.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"proxy.test:3128");
    ok(pac_server.requests == before + 2, "%ld more requests\n", pac_server.requests - before);
    /* another URL is another script */
    check_pac(session, L"http://www.example.test/", 0, pac_url("/second.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"second.test:2");

    /* failures */
    check_pac_error(session, pac_url("/missing.pac"), ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT);
    check_pac_error(session, pac_url("/bad.pac"), ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT);
    check_pac_error(session, L"http://127.0.0.1:1/proxy.pac", ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT);
    check_pac_error(session, L"ftp://127.0.0.1/proxy.pac", ERROR_WINHTTP_UNRECOGNIZED_SCHEME);

    /* a URL that cannot be cracked */
    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
    options.lpszAutoConfigUrl = pac_url("/proxy.pac");
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http:", &options, &info);
    ok(!ret, "WinHttpGetProxyForUrl(\"http:\") succeeded\n");

    WinHttpCloseHandle(session);
}

/* ---------------------------------------------------------------------- */
/* Resolver handles                                                          */

struct resolver_wait
{
    HANDLE done, closing;
    DWORD status;
    DWORD_PTR context;
    WINHTTP_ASYNC_RESULT result;
    HINTERNET handle;
    volatile LONG completions;          /* GETPROXYFORURL_COMPLETE and REQUEST_ERROR so far */
    volatile LONG completions_at_closing;
};

static void CALLBACK resolver_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct resolver_wait *wait = (struct resolver_wait *)context;

    if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING)
    {
        wait->completions_at_closing = wait->completions;
        SetEvent(((struct resolver_wait *)context)->closing);
        return;
    }
    if (status == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE || status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
        InterlockedIncrement(&wait->completions);
    wait->status = status;
    wait->context = context;
    wait->handle = handle;
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR && len == sizeof(wait->result))
        memcpy(&wait->result, info, len);
    SetEvent(wait->done);
}

static struct resolver_wait *resolver_wait_new(void)
{
    static struct resolver_wait wait;

    memset(&wait, 0, sizeof(wait));
    wait.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    wait.closing = CreateEventW(NULL, FALSE, FALSE, NULL);
    return &wait;
}

static void resolver_wait_free(struct resolver_wait *wait)
{
    CloseHandle(wait->done);
    CloseHandle(wait->closing);
}

/* WinHttpGetProxyForUrlEx on a new resolver of session (wait as its
 * callback's context): returns the resolver, the call's result in *error
 * and how long the call took in *elapsed. */
static HINTERNET resolver_call(HINTERNET session, const WCHAR *url, WINHTTP_AUTOPROXY_OPTIONS *options,
                               struct resolver_wait *wait, DWORD *error, DWORD *elapsed)
{
    HINTERNET resolver = NULL;
    ULONGLONG start;

    ok(!WinHttpCreateProxyResolver(session, &resolver), "WinHttpCreateProxyResolver failed\n");
    WinHttpSetStatusCallback(resolver, resolver_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    start = GetTickCount64();
    *error = WinHttpGetProxyForUrlEx(resolver, url, options, (DWORD_PTR)wait);
    *elapsed = (DWORD)(GetTickCount64() - start);
    return resolver;
}

/* Closes resolver while its call waits (for a script or a WPAD name): the
 * call completes at once, REQUEST_ERROR with ERROR_WINHTTP_OPERATION_CANCELLED
 * (the function's documented code for a handle closed before the operation
 * completed), and HANDLE_CLOSING comes after it. */
static void check_resolver_close_(int line, HINTERNET resolver, struct resolver_wait *wait, DWORD limit)
{
    ULONGLONG start = GetTickCount64();
    DWORD elapsed;

    InterlockedExchange(&wait->completions, 0);
    wait->completions_at_closing = -1;
    ok_(__FILE__, line)(WinHttpCloseHandle(resolver), "WinHttpCloseHandle failed: %lu\n", GetLastError());
    ok_(__FILE__, line)(!WaitForSingleObject(wait->closing, limit), "no HANDLE_CLOSING within %lu ms\n", limit);
    elapsed = (DWORD)(GetTickCount64() - start);
    ok_(__FILE__, line)(elapsed < limit, "the close took %lu ms\n", elapsed);
    ok_(__FILE__, line)(wait->completions_at_closing == 1, "%ld completions before HANDLE_CLOSING\n",
                        wait->completions_at_closing);
    ok_(__FILE__, line)(wait->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "status %#lx\n", wait->status);
    ok_(__FILE__, line)(wait->result.dwResult == API_GET_PROXY_FOR_URL, "api %Iu\n", wait->result.dwResult);
    ok_(__FILE__, line)(wait->result.dwError == ERROR_WINHTTP_OPERATION_CANCELLED, "error %lu\n",
                        wait->result.dwError);
}
#define check_resolver_close(...) check_resolver_close_(__LINE__, __VA_ARGS__)

/* Waits for resolver's call to complete with GETPROXYFORURL_COMPLETE and
 * fetches its result into *result (empty when there is none). */
static void check_resolver_result_(int line, HINTERNET resolver, struct resolver_wait *wait,
                                   WINHTTP_PROXY_RESULT *result)
{
    DWORD error;

    memset(result, 0, sizeof(*result));
    ok_(__FILE__, line)(!WaitForSingleObject(wait->done, 10000), "no completion\n");
    ok_(__FILE__, line)(wait->status == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE, "status %#lx, error %lu\n",
                        wait->status, wait->result.dwError);
    error = WinHttpGetProxyResult(resolver, result);
    ok_(__FILE__, line)(error == ERROR_SUCCESS, "WinHttpGetProxyResult: %lu\n", error);
    if (error) memset(result, 0, sizeof(*result));
}
#define check_resolver_result(...) check_resolver_result_(__LINE__, __VA_ARGS__)

/* A new resolver of session answers options (automatic detection) with one
 * entry, host:port; the PAC server's count (*requests) is then want. */
static void check_resolved_one_(int line, HINTERNET session, WINHTTP_AUTOPROXY_OPTIONS *options,
                                struct resolver_wait *wait, const WCHAR *host, INTERNET_PORT port,
                                volatile LONG *requests, LONG want)
{
    WINHTTP_PROXY_RESULT result;
    HINTERNET resolver;
    DWORD error, elapsed;

    resolver = resolver_call(session, L"http://www.example.test/", options, wait, &error, &elapsed);
    ok_(__FILE__, line)(error == ERROR_IO_PENDING, "got %lu\n", error);
    check_resolver_result_(line, resolver, wait, &result);
    ok_(__FILE__, line)(result.cEntries == 1 && str_is(result.pEntries[0].pwszProxy, host) &&
                        result.pEntries[0].ProxyPort == port, "%lu entries, %s\n", result.cEntries,
                        result.cEntries ? wine_dbgstr_w(result.pEntries[0].pwszProxy) : "");
    WinHttpFreeProxyResult(&result);
    ok_(__FILE__, line)(*requests == want, "%ld requests\n", *requests);
    WinHttpCloseHandle(resolver);
}
#define check_resolved_one(...) check_resolved_one_(__LINE__, __VA_ARGS__)

/* A new resolver of session finds nothing to detect: REQUEST_ERROR with
 * ERROR_WINHTTP_AUTODETECTION_FAILED. */
static void check_resolver_detects_nothing_(int line, HINTERNET session, WINHTTP_AUTOPROXY_OPTIONS *options,
                                            struct resolver_wait *wait)
{
    HINTERNET resolver;
    DWORD error, elapsed;

    resolver = resolver_call(session, L"http://www.example.test/", options, wait, &error, &elapsed);
    ok_(__FILE__, line)(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok_(__FILE__, line)(!WaitForSingleObject(wait->done, 10000), "no completion\n");
    ok_(__FILE__, line)(wait->status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "status %#lx\n", wait->status);
    ok_(__FILE__, line)(wait->result.dwError == ERROR_WINHTTP_AUTODETECTION_FAILED, "error %lu\n",
                        wait->result.dwError);
    WinHttpCloseHandle(resolver);
}
#define check_resolver_detects_nothing(...) check_resolver_detects_nothing_(__LINE__, __VA_ARGS__)

/* A PAC server that holds its answer: WinHttpGetProxyForUrlEx returns at
 * once (the download parks the engine's task, no thread waits); the call
 * completes with the script's answer once the server answers; closing the
 * resolver while the server holds it ends the call at once. */
static void test_resolver_slow_pac(void)
{
    struct resolver_wait *wait = resolver_wait_new();
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT result;
    HINTERNET session, resolver;
    DWORD error, elapsed;

    snprintf(auto_script, sizeof(auto_script),
             "function FindProxyForURL(url, host) { return \"PROXY slow.test:8; DIRECT\"; }\n");
    pac_server.held = "/slow.pac";
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL | WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    options.lpszAutoConfigUrl = pac_url("/slow.pac");

    resolver = resolver_call(session, L"http://www.example.test/", &options, wait, &error, &elapsed);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(elapsed < STUB_HTTPD_HOLD / 2, "WinHttpGetProxyForUrlEx waited %lu ms for the script\n", elapsed);
    ok(!WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD), "the script was not asked for\n");
    ok(WaitForSingleObject(wait->done, 0) == WAIT_TIMEOUT, "completed before the script came\n");
    SetEvent(pac_server.release);
    check_resolver_result(resolver, wait, &result);
    ok(result.cEntries == 2, "%lu entries\n", result.cEntries);
    if (result.cEntries == 2)
    {
        ok(result.pEntries[0].fProxy && str_is(result.pEntries[0].pwszProxy, L"slow.test")
           && result.pEntries[0].ProxyPort == 8, "entry 0: %s:%u\n", wine_dbgstr_w(result.pEntries[0].pwszProxy),
           result.pEntries[0].ProxyPort);
        ok(!result.pEntries[1].fProxy, "entry 1 not direct\n");
    }
    WinHttpFreeProxyResult(&result);

    /* the same resolver again, closed while the server holds the script */
    error = WinHttpGetProxyForUrlEx(resolver, L"http://www.example.test/", &options, (DWORD_PTR)wait);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(!WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD), "the script was not asked for\n");
    check_resolver_close(resolver, wait, STUB_HTTPD_HOLD / 2);
    SetEvent(pac_server.release);
    pac_server.held = NULL;
    WinHttpCloseHandle(session);

    /* the server answers one request at a time: once this one is answered,
     * so is the one held above, and the later tests count from here */
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    check_pac(session, L"http://www.example.test/", WINHTTP_AUTOPROXY_NO_CACHE_CLIENT, pac_url("/second.pac"),
              WINHTTP_ACCESS_TYPE_NAMED_PROXY, L"second.test:2");
    WinHttpCloseHandle(session);
    resolver_wait_free(wait);
}

static void test_resolver(void)
{
    WINHTTP_AUTOPROXY_OPTIONS options;
    WINHTTP_PROXY_RESULT result;
    struct resolver_wait wait;
    HINTERNET sync_session, session, resolver, con;
    DWORD error;

    memset(&wait, 0, sizeof(wait));
    wait.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    wait.closing = CreateEventW(NULL, FALSE, FALSE, NULL);

    error = WinHttpCreateProxyResolver(NULL, &resolver);
    ok(error == ERROR_INVALID_HANDLE, "got %lu\n", error);
    sync_session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    error = WinHttpCreateProxyResolver(sync_session, &resolver);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    error = WinHttpResetAutoProxy(NULL, 0);
    ok(error == ERROR_INVALID_HANDLE, "got %lu\n", error);
    con = WinHttpConnect(sync_session, L"localhost", 80, 0);
    error = WinHttpResetAutoProxy(con, 0);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);
    error = WinHttpResetAutoProxy(sync_session, WINHTTP_RESET_ALL);
    ok(error == ERROR_SUCCESS, "got %lu\n", error);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(sync_session);

    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    resolver = NULL;
    error = WinHttpCreateProxyResolver(session, &resolver);
    ok(error == ERROR_SUCCESS, "got %lu\n", error);
    ok(resolver != NULL, "no handle\n");

    memset(&result, 0xcc, sizeof(result));
    error = WinHttpGetProxyResult(resolver, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %lu\n", error);
    error = WinHttpGetProxyResult(session, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);

    WinHttpSetStatusCallback(resolver, resolver_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
    options.lpszAutoConfigUrl = pac_url("/proxy.pac");
    error = WinHttpGetProxyForUrlEx(resolver, NULL, &options, (DWORD_PTR)&wait);
    ok(error == ERROR_INVALID_PARAMETER, "got %lu\n", error);
    error = WinHttpGetProxyForUrlEx(session, L"http://a.multi.test/", &options, (DWORD_PTR)&wait);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "got %lu\n", error);

    error = WinHttpGetProxyForUrlEx(resolver, L"http://a.multi.test/", &options, (DWORD_PTR)&wait);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(!WaitForSingleObject(wait.done, 10000), "no completion\n");
    ok(wait.status == WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE, "status %#lx\n", wait.status);
    ok(wait.context == (DWORD_PTR)&wait, "context %#Ix\n", wait.context);
    ok(wait.handle == resolver, "handle %p\n", wait.handle);

    memset(&result, 0xcc, sizeof(result));
    error = WinHttpGetProxyResult(resolver, &result);
    ok(error == ERROR_SUCCESS, "got %lu\n", error);
    if (error) memset(&result, 0, sizeof(result));
    ok(result.cEntries == 3, "%lu entries\n", result.cEntries);
    if (result.cEntries == 3)
    {
        ok(result.pEntries[0].fProxy && !result.pEntries[0].fBypass, "entry 0 not a proxy\n");
        ok(result.pEntries[0].ProxyScheme == INTERNET_SCHEME_HTTP, "scheme %d\n", result.pEntries[0].ProxyScheme);
        ok(str_is(result.pEntries[0].pwszProxy, L"p1.test"), "%s\n", wine_dbgstr_w(result.pEntries[0].pwszProxy));
        ok(result.pEntries[0].ProxyPort == 8080, "port %u\n", result.pEntries[0].ProxyPort);
        ok(result.pEntries[1].fProxy, "entry 1 not a proxy\n");
        ok(str_is(result.pEntries[1].pwszProxy, L"p2.test"), "%s\n", wine_dbgstr_w(result.pEntries[1].pwszProxy));
        ok(result.pEntries[1].ProxyPort == 80, "port %u\n", result.pEntries[1].ProxyPort);
        ok(!result.pEntries[2].fProxy && !result.pEntries[2].pwszProxy, "entry 2 not direct\n");
    }
    WinHttpFreeProxyResult(&result);
    ok(!result.cEntries && !result.pEntries, "not cleared\n");

    /* a failure comes as REQUEST_ERROR and leaves no result */
    options.lpszAutoConfigUrl = pac_url("/missing.pac");
    options.dwFlags |= WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    error = WinHttpGetProxyForUrlEx(resolver, L"http://a.multi.test/", &options, (DWORD_PTR)&wait);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(!WaitForSingleObject(wait.done, 10000), "no completion\n");
    ok(wait.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR, "status %#lx\n", wait.status);
    ok(wait.result.dwResult == API_GET_PROXY_FOR_URL, "api %Iu\n", wait.result.dwResult);
    ok(wait.result.dwError == ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT, "error %lu\n", wait.result.dwError);
    error = WinHttpGetProxyResult(resolver, &result);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "got %lu\n", error);

    WinHttpCloseHandle(resolver);
    ok(!WaitForSingleObject(wait.closing, 10000), "no HANDLE_CLOSING\n");
    WinHttpCloseHandle(session);
    CloseHandle(wait.done);
    CloseHandle(wait.closing);
}

/* ---------------------------------------------------------------------- */
/* WPAD                                                                      */

static void test_detect_arguments(void)
{
    WCHAR *url;
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(0, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    url = (WCHAR *)0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(0, &url);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DNS_A, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d, %lu\n", ret, GetLastError());
}

/* WinHttpGetProxyForUrl with automatic detection (detect: its flags, left
 * in *options for the caller's next calls) finds the PAC, fetches it once
 * (*requests, the PAC server's count, goes from 0 to 1) and runs it: want. */
static void check_detected_proxy_(int line, WINHTTP_AUTOPROXY_OPTIONS *options, DWORD detect, const WCHAR *want,
                                  volatile LONG *requests)
{
    WINHTTP_PROXY_INFO info;
    HINTERNET session;
    BOOL ret;

    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    memset(options, 0, sizeof(*options));
    options->dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
    options->dwAutoDetectFlags = detect;
    memset(&info, 0, sizeof(info));
    SetLastError(0xdeadbeef);
    ret = WinHttpGetProxyForUrl(session, L"http://www.example.test/", options, &info);
    ok_(__FILE__, line)(ret, "WinHttpGetProxyForUrl failed: %lu\n", GetLastError());
    ok_(__FILE__, line)(info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY, "access %lu\n", info.dwAccessType);
    ok_(__FILE__, line)(str_is(info.lpszProxy, want), "proxy %s\n", wine_dbgstr_w(info.lpszProxy));
    ok_(__FILE__, line)(*requests == 1, "%ld requests\n", *requests);
    GlobalFree(info.lpszProxy);
    GlobalFree(info.lpszProxyBypass);
    WinHttpCloseHandle(session);
}
#define check_detected_proxy(...) check_detected_proxy_(__LINE__, __VA_ARGS__)

/* Run by tools/test-wpad.sh inside a namespace whose hosts file has
 * wpad.wpadtest.invalid at 127.0.0.1; port 80 there is ours. */
static void test_wpad(void)
{
    static const struct stub_doc wpad_docs[] = { { "/wpad.dat", 200, pac_script2 }, { NULL } };
    WINHTTP_AUTOPROXY_OPTIONS options;
    struct saved_value saved;
    struct stub_httpd wpad_server;
    struct resolver_wait *wait = resolver_wait_new();
    HINTERNET session;
    WCHAR *url;
    BOOL ret;

    save_value(&saved, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");

    /* no domain: nothing to ask for */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"");
    url = (WCHAR *)0xdeadbeef;
    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DNS_A, &url);
    ok(!ret && GetLastError() == ERROR_WINHTTP_AUTODETECTION_FAILED, "got %d, %lu\n", ret, GetLastError());
    ok(!url, "url %p\n", url);

    /* wpad.sub.wpadtest.invalid does not exist, wpad.wpadtest.invalid does */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"sub.wpadtest.invalid");
    url = NULL;
    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DNS_A, &url);
    ok(ret, "WinHttpDetectAutoProxyConfigUrl failed: %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(str_is(url, L"http://wpad.wpadtest.invalid/wpad.dat"), "url %s\n", wine_dbgstr_w(url));
    GlobalFree(url);

    /* devolution stops at two labels: "invalid" alone is never tried */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"other.invalid");
    url = (WCHAR *)0xdeadbeef;
    ret = WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DNS_A, &url);
    ok(!ret && GetLastError() == ERROR_WINHTTP_AUTODETECTION_FAILED, "got %d, %lu\n", ret, GetLastError());

    /* the whole chain: detect, fetch wpad.dat from port 80, run it */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"wpadtest.invalid");
    ok(stub_httpd_start(&wpad_server, wpad_docs, 80), "cannot listen on port 80\n");
    check_detected_proxy(&options, WINHTTP_AUTO_DETECT_TYPE_DNS_A | WINHTTP_AUTO_DETECT_TYPE_DHCP, L"second.test:2",
                         &wpad_server.requests);

    /* the same through a resolver: its task looks the names up asynchronously */
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"sub.wpadtest.invalid");
    options.dwFlags |= WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    check_resolved_one(session, &options, wait, L"second.test", 2, &wpad_server.requests, 2);

    /* nothing to detect: AUTODETECTION_FAILED */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"other.invalid");
    check_resolver_detects_nothing(session, &options, wait);
    WinHttpCloseHandle(session);
    resolver_wait_free(wait);
    stub_httpd_stop(&wpad_server);

    restore_value(&saved);
}

static void test_detect_none(void)
{
    WCHAR *url = (WCHAR *)0xdeadbeef;
    WCHAR domain[256];
    DWORD len = ARRAY_SIZE(domain);
    BOOL ret;

    /* In an ordinary run the test machine has no WPAD server: detection
     * fails, and says so. */
    if (GetComputerNameExW(ComputerNamePhysicalDnsDomain, domain, &len) && domain[0])
    {
        skip("machine domain %s may have a WPAD server\n", wine_dbgstr_w(domain));
        return;
    }
    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(WINHTTP_AUTO_DETECT_TYPE_DNS_A | WINHTTP_AUTO_DETECT_TYPE_DHCP, &url);
    ok(!ret && GetLastError() == ERROR_WINHTTP_AUTODETECTION_FAILED, "got %d, %lu\n", ret, GetLastError());
    ok(!url, "url %p\n", url);
}

/* ---------------------------------------------------------------------- */
/* WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY                                       */

/* An asynchronous request's end: HEADERS_AVAILABLE (error 0) or REQUEST_ERROR. */
struct async_end
{
    HANDLE event;
    DWORD error;
};

static void CALLBACK async_end_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_end *end = (struct async_end *)context;

    if (!end) return;
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) end->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
    else if (status != WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE && status != WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE)
        return;
    SetEvent(end->event);
}

/* The status of a GET of host:port through an AUTOMATIC_PROXY session, or the
 * error; *session: keep the session for the next call (NULL: a new one);
 * flags WINHTTP_FLAG_ASYNC for an asynchronous session. */
static DWORD automatic_get_flags(HINTERNET *session, const WCHAR *host, INTERNET_PORT port, DWORD flags)
{
    HINTERNET ses = session && *session ? *session : NULL, con, req;
    DWORD status = 0, size = sizeof(status);
    struct async_end end = { CreateEventW(NULL, FALSE, FALSE, NULL), 0 }, *pend = &end;
    BOOL async = flags & WINHTTP_FLAG_ASYNC;

    if (!ses) ses = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, flags);
    ok(ses != NULL, "WinHttpOpen(AUTOMATIC_PROXY) failed: %lu\n", GetLastError());
    if (async) WinHttpSetStatusCallback(ses, async_end_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    con = WinHttpConnect(ses, host, port, 0);
    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, 0);
    if (async) WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &pend, sizeof(pend));
    if (!WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0)) status = GetLastError();
    else if (async && WaitForSingleObject(end.event, 20000)) status = WAIT_TIMEOUT;
    else if (end.error) status = end.error;
    else if (!WinHttpReceiveResponse(req, NULL)) status = GetLastError();
    else if (async && WaitForSingleObject(end.event, 20000)) status = WAIT_TIMEOUT;
    else if (end.error) status = end.error;
    else WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    WinHttpCloseHandle(req);
    WinHttpCloseHandle(con);
    if (session) *session = ses;
    else WinHttpCloseHandle(ses);
    CloseHandle(end.event);
    return status;
}

static DWORD automatic_get(HINTERNET *session, const WCHAR *host, INTERNET_PORT port)
{
    return automatic_get_flags(session, host, port, 0);
}

static void set_connection_settings(DWORD flags, const char *proxy, const char *bypass, const char *pac)
{
    const char *strings[3] = { proxy, bypass, pac };
    BYTE blob[512];
    DWORD size = make_blob(blob, 0x46, flags, strings, 3);

    set_value(HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings", REG_BINARY, blob, size);
}

static void CALLBACK closing_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct async_end *end = (struct async_end *)context;

    if (end && status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING) SetEvent(end->event);
}

struct releaser
{
    HANDLE thread;
    volatile LONG released;
};

static DWORD WINAPI release_when_held(void *arg)
{
    struct releaser *r = arg;

    if (WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD)) return 1;
    InterlockedExchange(&r->released, 1);
    SetEvent(pac_server.release);
    return 0;
}

/* An asynchronous AUTOMATIC_PROXY request of localhost (sent through proxy
 * by the script at slow.pac, which the PAC server holds): returns the
 * request, sent with WinHttpSendRequest's result in *ret and how long the
 * call took in *elapsed. */
static HINTERNET send_slow_pac(HINTERNET ses, INTERNET_PORT port, struct async_end **pend, BOOL *ret, DWORD *elapsed)
{
    HINTERNET con = WinHttpConnect(ses, L"localhost", port, 0), req;
    ULONGLONG start;

    req = WinHttpOpenRequest(con, NULL, L"/http/status/200", NULL, NULL, NULL, 0);
    WinHttpCloseHandle(con);
    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, pend, sizeof(*pend));
    start = GetTickCount64();
    *ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0);
    *elapsed = (DWORD)(GetTickCount64() - start);
    return req;
}

/* The PAC script of an asynchronous send is fetched by the send's task: with
 * the script's server holding its answer, WinHttpSendRequest returns at once,
 * and the request goes through the proxy the script names once it comes;
 * closing the request meanwhile ends it without waiting for the script.  A
 * synchronous send waits for the script. */
static void test_automatic_slow_pac(const char *proxy, INTERNET_PORT port)
{
    struct async_end end = { CreateEventW(NULL, FALSE, FALSE, NULL), 0 }, *pend = &end;
    DWORD status, size = sizeof(status), elapsed;
    struct releaser releaser = { NULL, 0 };
    HINTERNET ses, req;
    char slow[128];
    BOOL ret;

    snprintf(auto_script, sizeof(auto_script), "function FindProxyForURL(url, host) {\n"
             "  if (host == \"localhost\") return \"PROXY %s\";\n  return \"DIRECT\";\n}\n", proxy);
    snprintf(slow, sizeof(slow), "http://127.0.0.1:%d/slow.pac", pac_server.port);
    set_connection_settings(0x05, "", "", slow);
    pac_server.held = "/slow.pac";

    ses = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    ok(ses != NULL, "WinHttpOpen failed: %lu\n", GetLastError());
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    WinHttpSetStatusCallback(ses, async_end_callback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0);
    req = send_slow_pac(ses, port, &pend, &ret, &elapsed);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(elapsed < STUB_HTTPD_HOLD / 2, "WinHttpSendRequest waited %lu ms for the script\n", elapsed);
    ok(!WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD), "the script was not asked for\n");
    ok(WaitForSingleObject(end.event, 0) == WAIT_TIMEOUT, "the send ended before the script came (%lu)\n", end.error);
    SetEvent(pac_server.release);
    ok(!WaitForSingleObject(end.event, 20000) && !end.error, "send: error %lu\n", end.error);
    ok(WinHttpReceiveResponse(req, NULL), "WinHttpReceiveResponse failed: %lu\n", GetLastError());
    ok(!WaitForSingleObject(end.event, 20000) && !end.error, "receive: error %lu\n", end.error);
    status = 0;
    WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "slow PAC: localhost not through the proxy: %lu\n", status);
    WinHttpCloseHandle(req);

    /* closed while the script is awaited: the request ends now */
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    WinHttpSetStatusCallback(ses, closing_callback, WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    req = send_slow_pac(ses, port, &pend, &ret, &elapsed);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(!WaitForSingleObject(pac_server.holding, STUB_HTTPD_HOLD), "the script was not asked for\n");
    ResetEvent(end.event);
    WinHttpCloseHandle(req);
    ok(!WaitForSingleObject(end.event, STUB_HTTPD_HOLD / 2), "the closed request waited for the script\n");
    SetEvent(pac_server.release);
    WinHttpCloseHandle(ses);

    /* synchronous: WinHttpSendRequest waits for the script */
    releaser.thread = CreateThread(NULL, 0, release_when_held, &releaser, 0, NULL);
    ses = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, 0);
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    status = automatic_get(&ses, L"localhost", port);
    ok(releaser.released, "the synchronous send did not wait for the script\n");
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "sync slow PAC: localhost not through the proxy: %lu\n", status);
    WaitForSingleObject(releaser.thread, STUB_HTTPD_HOLD);
    CloseHandle(releaser.thread);
    WinHttpCloseHandle(ses);
    CloseHandle(end.event);
    pac_server.held = NULL;
}

/* A proxy of the script's list that could not be reached is tried last by
 * the session's later requests, sync and async, until WinHttpResetAutoProxy
 * (WINHTTP_RESET_STATE); another session does not know it.  The dead
 * proxy's port comes alive in between (a stub server: 404 to anything), so
 * that where a request went shows. */
static void test_bad_proxy(const char *proxy, INTERNET_PORT port)
{
    static const struct stub_doc nothing[] = { { NULL } };
    HINTERNET ses = NULL, async_ses = NULL;
    struct stub_httpd dead;
    int dead_port;
    DWORD status;
    SOCKET s;

    if ((s = loopback_listen(0, 1, &dead_port)) == INVALID_SOCKET)
    {
        skip("no free port\n");
        return;
    }
    closesocket(s);
    snprintf(auto_script, sizeof(auto_script), "function FindProxyForURL(url, host) {\n"
             "  return \"PROXY 127.0.0.1:%d; PROXY %s\";\n}\n", dead_port, proxy);
    ses = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, 0);
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "the dead proxy's successor not used: %lu\n", status);
    status = automatic_get_flags(&async_ses, L"localhost", port, WINHTTP_FLAG_ASYNC);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "async: the dead proxy's successor not used: %lu\n", status);

    if (!stub_httpd_start(&dead, nothing, dead_port))
    {
        skip("port %d taken meanwhile\n", dead_port);
        WinHttpCloseHandle(ses);
        WinHttpCloseHandle(async_ses);
        return;
    }
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "the bad proxy not tried last: %lu\n", status);
    status = automatic_get_flags(&async_ses, L"localhost", port, WINHTTP_FLAG_ASYNC);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "async: the bad proxy not tried last: %lu\n", status);
    ok(dead.requests == 0, "the bad proxy was asked %ld times\n", dead.requests);

    status = automatic_get(NULL, L"localhost", port);
    ok(status == HTTP_STATUS_NOT_FOUND, "a new session did not try the first proxy: %lu\n", status);
    ok(dead.requests == 1, "the first proxy was asked %ld times\n", dead.requests);

    ok(!WinHttpResetAutoProxy(ses, WINHTTP_RESET_STATE), "WinHttpResetAutoProxy failed\n");
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_NOT_FOUND, "after WINHTTP_RESET_STATE, the first proxy not tried: %lu\n", status);
    ok(!WinHttpResetAutoProxy(async_ses, WINHTTP_RESET_STATE), "WinHttpResetAutoProxy failed\n");
    status = automatic_get_flags(&async_ses, L"localhost", port, WINHTTP_FLAG_ASYNC);
    ok(status == HTTP_STATUS_NOT_FOUND, "async: after WINHTTP_RESET_STATE, the first proxy not tried: %lu\n", status);
    ok(dead.requests == 3, "the first proxy was asked %ld times\n", dead.requests);

    stub_httpd_stop(&dead);
    WinHttpCloseHandle(ses);
    WinHttpCloseHandle(async_ses);
}

static void test_automatic_proxy(void)
{
    const char *proxy = ws_server_env("WSTEST_PROXY_AUTH"), *origin = ws_server_env("WSTEST_SERVER");
    char pac[128], missing[128];
    struct saved_value saved;
    HINTERNET ses = NULL;
    INTERNET_PORT port;
    WCHAR host[64];
    LONG fetched;
    DWORD status;

    if (!proxy || !origin || !ws_parse_server(origin, host, ARRAY_SIZE(host), &port))
    {
        skip("WSTEST_PROXY_AUTH or WSTEST_SERVER not set (tools/with-servers.sh): no automatic proxy requests\n");
        return;
    }
    snprintf(auto_script, sizeof(auto_script), "function FindProxyForURL(url, host) {\n"
             "  if (host == \"localhost\") return \"PROXY %s\";\n  return \"DIRECT\";\n}\n", proxy);
    snprintf(pac, sizeof(pac), "http://127.0.0.1:%d/auto.pac", pac_server.port);
    snprintf(missing, sizeof(missing), "http://127.0.0.1:%d/missing.pac", pac_server.port);
    save_value(&saved, HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");

    /* the user's PAC script decides, per URL */
    set_connection_settings(0x05, "", "", pac);
    fetched = pac_server.requests;
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "PAC: localhost not through the proxy: %lu\n", status);
    ok(pac_server.requests == fetched + 1, "script fetched %ld times\n", pac_server.requests - fetched);
    status = automatic_get(&ses, L"127.0.0.1", port);
    ok(status == HTTP_STATUS_OK, "PAC: 127.0.0.1 not direct: %lu\n", status);

    /* the script is cached: a changed one is not seen until the cache is reset */
    auto_script[0] = 0;   /* now no script at all: direct */
    fetched = pac_server.requests;
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "cached PAC not used: %lu\n", status);
    ok(pac_server.requests == fetched, "script fetched %ld times\n", pac_server.requests - fetched);
    ok(!WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE), "WinHttpResetAutoProxy failed\n");
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_OK, "after the reset, the empty script: %lu\n", status);
    ok(pac_server.requests == fetched + 1, "script fetched %ld times\n", pac_server.requests - fetched);

    /* failover: a proxy that cannot be reached gives way to the next one */
    snprintf(auto_script, sizeof(auto_script), "function FindProxyForURL(url, host) {\n"
             "  return \"PROXY 127.0.0.1:1; PROXY no-such-proxy.invalid:3128; PROXY %s\";\n}\n", proxy);
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    status = automatic_get(&ses, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "failover: the third proxy not used: %lu\n", status);
    status = automatic_get_flags(NULL, L"localhost", port, WINHTTP_FLAG_ASYNC);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "async failover: the third proxy not used: %lu\n", status);
    snprintf(auto_script, sizeof(auto_script), "function FindProxyForURL(url, host) {\n"
             "  return \"PROXY no-such-proxy.invalid:3128; PROXY 127.0.0.1:1\";\n}\n");
    WinHttpResetAutoProxy(ses, WINHTTP_RESET_SCRIPT_CACHE);
    status = automatic_get(&ses, L"localhost", port);
    ok(status == ERROR_WINHTTP_CANNOT_CONNECT, "failover: the last proxy's error: %lu\n", status);
    status = automatic_get_flags(NULL, L"localhost", port, WINHTTP_FLAG_ASYNC);
    ok(status == ERROR_WINHTTP_CANNOT_CONNECT, "async failover: the last proxy's error: %lu\n", status);
    WinHttpCloseHandle(ses);
    test_bad_proxy(proxy, port);

    /* the named proxy and its bypass list */
    set_connection_settings(0x03, proxy, "127.0.0.1", "");
    status = automatic_get(NULL, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "named: localhost not through the proxy: %lu\n", status);
    status = automatic_get(NULL, L"127.0.0.1", port);
    ok(status == HTTP_STATUS_OK, "named: bypassed 127.0.0.1 not direct: %lu\n", status);

    /* a PAC file that cannot be had: the named proxy, else direct */
    set_connection_settings(0x07, proxy, "", missing);
    status = automatic_get(NULL, L"localhost", port);
    ok(status == HTTP_STATUS_PROXY_AUTH_REQ, "no PAC: the named proxy not used: %lu\n", status);
    set_connection_settings(0x05, "", "", missing);
    status = automatic_get(NULL, L"localhost", port);
    ok(status == HTTP_STATUS_OK, "no PAC, no proxy: not direct: %lu\n", status);

    /* direct only */
    set_connection_settings(0x01, proxy, "", pac);
    status = automatic_get(NULL, L"localhost", port);
    ok(status == HTTP_STATUS_OK, "direct: %lu\n", status);

    test_automatic_slow_pac(proxy, port);

    restore_value(&saved);
}

/* In the WPAD namespace: an AUTOMATIC_PROXY session detects WPAD on its
 * first request and keeps what it found until WinHttpResetAutoProxy.  The
 * script found sends everything to second.test:2, a name that does not
 * resolve; direct, the stub's 404 answers. */
static void test_wpad_automatic(void)
{
    static const struct stub_doc wpad_docs[] = { { "/wpad.dat", 200, pac_script2 }, { NULL } };
    struct saved_value saved_domain, saved_settings;
    struct stub_httpd wpad_server;
    HINTERNET ses = NULL;
    DWORD status;

    save_value(&saved_domain, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    save_value(&saved_settings, HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"wpadtest.invalid");
    set_connection_settings(0x09, "", "", "");   /* direct, auto-detect */
    ok(stub_httpd_start(&wpad_server, wpad_docs, 80), "cannot listen on port 80\n");

    status = automatic_get(&ses, L"127.0.0.1", 80);
    ok(status == ERROR_WINHTTP_NAME_NOT_RESOLVED, "WPAD's proxy not used: %lu\n", status);

    /* nothing can be detected now: the session keeps what it found, a new one goes direct */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"");
    status = automatic_get(&ses, L"127.0.0.1", 80);
    ok(status == ERROR_WINHTTP_NAME_NOT_RESOLVED, "the session's WPAD URL not kept: %lu\n", status);
    status = automatic_get(NULL, L"127.0.0.1", 80);
    ok(status == HTTP_STATUS_NOT_FOUND, "a new session did not go direct: %lu\n", status);
    ok(!WinHttpResetAutoProxy(ses, WINHTTP_RESET_SWPAD_ALL), "WinHttpResetAutoProxy failed\n");
    status = automatic_get(&ses, L"127.0.0.1", 80);
    ok(status == HTTP_STATUS_NOT_FOUND, "after the reset, not direct: %lu\n", status);
    WinHttpCloseHandle(ses);

    stub_httpd_stop(&wpad_server);
    restore_value(&saved_settings);
    restore_value(&saved_domain);
}

/* Waits (at most 10 s) until a file matching <dir>\<name_glob> appears: the
 * stand-in servers leave one per request they take. */
static BOOL file_appears(const char *dir, const char *name_glob)
{
    char pattern[MAX_PATH + 64];
    ULONGLONG end = GetTickCount64() + 10000, now;
    WIN32_FIND_DATAA data;
    HANDLE change, find;
    BOOL seen = FALSE;

    change = FindFirstChangeNotificationA(dir, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
    ok(change != INVALID_HANDLE_VALUE, "cannot watch %s: %lu\n", dir, GetLastError());
    if (change == INVALID_HANDLE_VALUE) return FALSE;
    snprintf(pattern, sizeof(pattern), "%s\\%s", dir, name_glob);
    for (;;)
    {
        if ((find = FindFirstFileA(pattern, &data)) != INVALID_HANDLE_VALUE)
        {
            FindClose(find);
            seen = TRUE;
            break;
        }
        if ((now = GetTickCount64()) >= end || WaitForSingleObject(change, (DWORD)(end - now))) break;
        FindNextChangeNotification(change);
    }
    FindCloseChangeNotification(change);
    return seen;
}

/* Waits (at most 10 s) until tools/dns-standin.py, the namespace's DNS
 * server, has had a query for wpad.<label>.invalid: it makes a file for each
 * query in WSTEST_DNS_DIR, watched here. */
static BOOL dns_query_seen(const char *label)
{
    char dir[MAX_PATH], name[64];

    if (!GetEnvironmentVariableA("WSTEST_DNS_DIR", dir, sizeof(dir))) return FALSE;
    snprintf(name, sizeof(name), "*-wpad.%s.invalid", label);
    return file_appears(dir, name);
}

/* In the WPAD namespace (tools/test-wpad.sh), the DNS server takes queries
 * for names with a "stall..." label and never answers them: WPAD's name
 * look-up of wpad.stall1.invalid waits for the resolver's 30 s, and cannot be
 * cancelled.  A resolver's call
 * and an asynchronous AUTOMATIC_PROXY send return at once (the look-up parks
 * the engine's task), and closing the handle ends them at once, cancelled. */
static void test_wpad_dns_stall(void)
{
    struct saved_value saved_domain, saved_settings;
    struct async_end end = { NULL, 0 }, *pend = &end;
    struct resolver_wait *wait;
    struct sync_call call;
    WINHTTP_AUTOPROXY_OPTIONS options;
    HINTERNET session, resolver, con, req;
    HANDLE thread;
    DWORD error, elapsed;
    ULONGLONG start;
    BOOL ret;

    save_value(&saved_domain, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    save_value(&saved_settings, HKEY_CURRENT_USER, connections, L"DefaultConnectionSettings");

    /* a resolver's call */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"stall1.invalid");
    wait = resolver_wait_new();
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
    options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    resolver = resolver_call(session, L"http://www.example.test/", &options, wait, &error, &elapsed);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(elapsed < 5000, "WinHttpGetProxyForUrlEx waited %lu ms for the name\n", elapsed);
    ok(dns_query_seen("stall1"), "no DNS query for wpad.stall1.invalid\n");
    check_resolver_close(resolver, wait, 5000);
    WinHttpCloseHandle(session);
    resolver_wait_free(wait);

    /* an AUTOMATIC_PROXY send with auto-detection on */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"stall2.invalid");
    set_connection_settings(0x09, "", "", "");
    end.event = CreateEventW(NULL, FALSE, FALSE, NULL);
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(session, closing_callback, WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    con = WinHttpConnect(session, L"127.0.0.1", 80, 0);
    req = WinHttpOpenRequest(con, NULL, L"/", NULL, NULL, NULL, 0);
    WinHttpSetOption(req, WINHTTP_OPTION_CONTEXT_VALUE, &pend, sizeof(pend));
    start = GetTickCount64();
    ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0);
    elapsed = (DWORD)(GetTickCount64() - start);
    ok(ret, "WinHttpSendRequest failed: %lu\n", GetLastError());
    ok(elapsed < 5000, "WinHttpSendRequest waited %lu ms for the name\n", elapsed);
    ok(dns_query_seen("stall2"), "no DNS query for wpad.stall2.invalid\n");
    start = GetTickCount64();
    WinHttpCloseHandle(req);
    ok(!WaitForSingleObject(end.event, 5000), "the closed request waited for the name\n");
    elapsed = (DWORD)(GetTickCount64() - start);
    ok(elapsed < 5000, "the close took %lu ms\n", elapsed);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(session);
    CloseHandle(end.event);

    /* a synchronous one, closed from another thread while it waits for the name */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"stall3.invalid");
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(session, L"127.0.0.1", 80, 0);
    req = WinHttpOpenRequest(con, NULL, L"/", NULL, NULL, NULL, 0);
    sync_call_init(&call, req, 0);
    thread = sync_call_start(&call);
    ok(dns_query_seen("stall3"), "no DNS query for wpad.stall3.invalid\n");
    ok(WaitForSingleObject(thread, 200) == WAIT_TIMEOUT, "the send did not wait for the name: %d, %lu\n", call.ret,
       call.error);
    sync_call_close(&call, thread);
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(session);

    restore_value(&saved_settings);
    restore_value(&saved_domain);
}

/* ---------------------------------------------------------------------- */
/* WPAD through DHCP                                                         */

/* tools/test-dhcp.sh: the namespace's adapters are lo, and wstest0 and
 * wstest1, both up with a DHCP lease; tools/nm-standin.py answers Wine's
 * dhcpcsvc.dll (through its mountmgr.sys) for wstest0 with option 252 the
 * content of WSTEST_NM_DIR\wpad, none when that file is absent, for wstest1
 * with none, and makes a file "<n>-device-<interface>" in WSTEST_NM_DIR for
 * each interface asked about.  The hosts file names wpad.wpadtest.invalid, as test-wpad.sh's. */
static char nm_dir[MAX_PATH];

/* Option 252 from now on: data (len bytes), or none (NULL). */
static void set_dhcp_wpad(const char *data, DWORD len)
{
    char path[MAX_PATH + 8];
    HANDLE file;
    DWORD written;

    snprintf(path, sizeof(path), "%s\\wpad", nm_dir);
    if (!data)
    {
        ok(DeleteFileA(path) || GetLastError() == ERROR_FILE_NOT_FOUND, "cannot delete %s: %lu\n", path, GetLastError());
        return;
    }
    file = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    ok(file != INVALID_HANDLE_VALUE, "cannot create %s: %lu\n", path, GetLastError());
    ok(WriteFile(file, data, len, &written, NULL) && written == len, "cannot write %s\n", path);
    CloseHandle(file);
}

/* How many times the stand-in was asked about iface so far. */
static int dhcp_asked(const char *iface)
{
    char pattern[MAX_PATH + 32];
    WIN32_FIND_DATAA data;
    HANDLE find;
    int count = 0;

    snprintf(pattern, sizeof(pattern), "%s\\*-device-%s", nm_dir, iface);
    if ((find = FindFirstFileA(pattern, &data)) == INVALID_HANDLE_VALUE) return 0;
    do count++; while (FindNextFileA(find, &data));
    FindClose(find);
    return count;
}

/* Waits (at most 10 s) until the stand-in has made a file named
 * "<n>-<what>" in WSTEST_NM_DIR. */
static BOOL nm_seen(const char *what)
{
    char name[64];

    snprintf(name, sizeof(name), "*-%s", what);
    return file_appears(nm_dir, name);
}

/* WinHttpDetectAutoProxyConfigUrl(flags): the URL it finds (want), or its
 * failure with AUTODETECTION_FAILED (want NULL). */
static void check_detect_(int line, DWORD flags, const WCHAR *want)
{
    WCHAR *url = (WCHAR *)0xdeadbeef;
    BOOL ret;

    SetLastError(0xdeadbeef);
    ret = WinHttpDetectAutoProxyConfigUrl(flags, &url);
    if (want)
    {
        ok_(__FILE__, line)(ret, "WinHttpDetectAutoProxyConfigUrl(%#lx) failed: %lu\n", flags, GetLastError());
        ok_(__FILE__, line)(ret && str_is(url, want), "url %s, not %s\n", ret ? wine_dbgstr_w(url) : "-",
                            wine_dbgstr_w(want));
        if (ret) GlobalFree(url);
    }
    else
    {
        ok_(__FILE__, line)(!ret && GetLastError() == ERROR_WINHTTP_AUTODETECTION_FAILED, "flags %#lx: got %d, %lu\n",
                            flags, ret, GetLastError());
        ok_(__FILE__, line)(!url, "url %p\n", url);
    }
}
#define check_detect(...) check_detect_(__LINE__, __VA_ARGS__)

static void test_dhcp_detect(void)
{
    static const char option[] = "http://dhcp.wpadtest.invalid:8080/proxy.pac";
    static const WCHAR option_w[] = L"http://dhcp.wpadtest.invalid:8080/proxy.pac";
    static const WCHAR dns_url[] = L"http://wpad.wpadtest.invalid/wpad.dat";
    const DWORD both = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    struct saved_value saved;
    char long_option[1000];
    WCHAR long_w[1000];
    int asked, asked1;

    save_value(&saved, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    /* DNS finds wpad.wpadtest.invalid too, for the cases that ask it */
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"wpadtest.invalid");

    /* DHCP alone: option 252 of wstest0's lease, as it came; the loopback
     * adapter is not asked */
    set_dhcp_wpad(option, strlen(option));
    asked = dhcp_asked("wstest0");
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, option_w);
    ok(dhcp_asked("wstest0") == asked + 1, "wstest0 asked %d times, not once\n", dhcp_asked("wstest0") - asked);
    ok(!dhcp_asked("lo"), "the loopback adapter was asked\n");

    /* DHCP and DNS both have an answer: DHCP's is taken */
    check_detect(both, option_w);
    ok(dhcp_asked("wstest0") == asked + 2, "wstest0 asked %d times\n", dhcp_asked("wstest0") - asked);

    /* DNS alone does not ask DHCP */
    asked = dhcp_asked("wstest0");
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DNS_A, dns_url);
    ok(dhcp_asked("wstest0") == asked, "DHCP asked for DNS_A\n");

    /* no option 252: DHCP alone fails, having asked each adapter that is up
     * once (and not the loopback one); DHCP then DNS finds DNS's */
    set_dhcp_wpad(NULL, 0);
    asked1 = dhcp_asked("wstest1");
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, NULL);
    ok(dhcp_asked("wstest0") == asked + 1, "wstest0 asked %d times\n", dhcp_asked("wstest0") - asked);
    ok(dhcp_asked("wstest1") == asked1 + 1, "wstest1 asked %d times\n", dhcp_asked("wstest1") - asked1);
    ok(!dhcp_asked("lo"), "the loopback adapter was asked\n");
    check_detect(both, dns_url);

    /* an empty option is none */
    set_dhcp_wpad("", 0);
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, NULL);

    /* a line break and blanks around the URL are not part of it */
    set_dhcp_wpad("http://dhcp.wpadtest.invalid:8080/proxy.pac \r\n", strlen(option) + 3);
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, option_w);
    set_dhcp_wpad(" \n", 2);
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, NULL);

    /* longer than a first buffer of 256 bytes: ERROR_MORE_DATA, then the
     * call again with the size it gave */
    memset(long_option, 'a', sizeof(long_option) - 1);
    long_option[sizeof(long_option) - 1] = 0;
    memcpy(long_option, "http://dhcp.wpadtest.invalid/", strlen("http://dhcp.wpadtest.invalid/"));
    MultiByteToWideChar(CP_ACP, 0, long_option, -1, long_w, ARRAY_SIZE(long_w));
    set_dhcp_wpad(long_option, strlen(long_option));
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, long_w);

    set_dhcp_wpad(NULL, 0);
    restore_value(&saved);
}

/* The whole chain: the PAC script at the URL DHCP gives is fetched and run,
 * by WinHttpGetProxyForUrl and by a resolver (WinHttpGetProxyForUrlEx). */
static void test_dhcp_proxy_for_url(void)
{
    static const char dhcp_script[] =
        "function FindProxyForURL(url, host) { return \"PROXY dhcp.test:252\"; }\n";
    static const struct stub_doc docs[] = { { "/dhcp.pac", 200, dhcp_script }, { NULL } };
    struct resolver_wait *wait = resolver_wait_new();
    WINHTTP_AUTOPROXY_OPTIONS options;
    struct stub_httpd server;
    struct saved_value saved;
    HINTERNET session;
    char url[64];

    save_value(&saved, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"");
    if (!stub_httpd_start(&server, docs, 0))
    {
        ok(0, "cannot start the PAC server: %d\n", WSAGetLastError());
        restore_value(&saved);
        return;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/dhcp.pac", server.port);
    set_dhcp_wpad(url, strlen(url));

    check_detected_proxy(&options, WINHTTP_AUTO_DETECT_TYPE_DHCP, L"dhcp.test:252", &server.requests);

    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    options.dwFlags |= WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    check_resolved_one(session, &options, wait, L"dhcp.test", 252, &server.requests, 2);

    /* no option 252 and no domain: AUTODETECTION_FAILED */
    set_dhcp_wpad(NULL, 0);
    check_resolver_detects_nothing(session, &options, wait);
    WinHttpCloseHandle(session);
    resolver_wait_free(wait);
    stub_httpd_stop(&server);
    ok(server.requests == 2, "%ld requests\n", server.requests);
    restore_value(&saved);
}

/* Runs a copy of this program, named name, with WSTEST_DHCP=mode and
 * Wine's registry load order for its dhcpcsvc.dll set to order (Wine's
 * AppDefaults\<exe>\DllOverrides: a child's WINEDLLOVERRIDES is not
 * honoured); the child's checks count as one here. */
static void run_dhcp_child(const char *name, const char *mode, const WCHAR *order)
{
    WCHAR app[64], overrides[128];
    char exe[MAX_PATH], copy[MAX_PATH + 32], cmdline[MAX_PATH + 40], *slash;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    swprintf(app, ARRAY_SIZE(app), L"Software\\Wine\\AppDefaults\\%hs", name);
    swprintf(overrides, ARRAY_SIZE(overrides), L"%ls\\DllOverrides", app);
    GetModuleFileNameA(NULL, exe, sizeof(exe));
    strcpy(copy, exe);
    if ((slash = strrchr(copy, '\\'))) slash[1] = 0;
    strcat(copy, name);
    ok(CopyFileA(exe, copy, FALSE), "cannot copy %s: %lu\n", exe, GetLastError());
    set_string(HKEY_CURRENT_USER, overrides, L"dhcpcsvc", order);
    SetEnvironmentVariableA("WSTEST_DHCP", mode);
    snprintf(cmdline, sizeof(cmdline), "\"%s\"", copy);
    if (CreateProcessA(copy, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        winetest_wait_child_process(pi.hProcess);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    /* i686 under qemu-i386 (tools/wine32.sh): Wine cannot start the 32-bit
     * loader for a child there */
    else if (sizeof(void *) == 4 && on_wine()) skip("no child process here: %lu\n", GetLastError());
    else ok(0, "CreateProcess failed: %lu\n", GetLastError());
    SetEnvironmentVariableA("WSTEST_DHCP", "1");
    RegDeleteKeyW(HKEY_CURRENT_USER, overrides);
    RegDeleteKeyW(HKEY_CURRENT_USER, app);
    DeleteFileA(copy);
}

/* No DHCP client: a copy of this program for which dhcpcsvc.dll is
 * disabled, while the lease has option 252.  There DHCP finds nothing and
 * is not asked, and DNS still is (test_dhcp_absent, in the child). */
static void test_dhcp_no_client(void)
{
    static const char option[] = "http://dhcp.wpadtest.invalid:8080/proxy.pac";

    set_dhcp_wpad(option, strlen(option));
    run_dhcp_child("proxycfg_nodhcp.exe", "absent", L"");
    set_dhcp_wpad(NULL, 0);
}

/* The child of test_dhcp_no_client. */
static void test_dhcp_absent(void)
{
    const DWORD both = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    struct saved_value saved;
    int asked = dhcp_asked("wstest0");

    ok(!LoadLibraryA("dhcpcsvc.dll"), "dhcpcsvc.dll is there\n");
    save_value(&saved, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"wpadtest.invalid");
    check_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, NULL);
    check_detect(both, L"http://wpad.wpadtest.invalid/wpad.dat");
    ok(dhcp_asked("wstest0") == asked, "DHCP was asked\n");
    restore_value(&saved);
}

/* Bytes Wine's dhcpcsvc never hands out, and adapters whose question fails:
 * a copy of this program loads tests/conformance/fake/dhcpcsvc.c's DLL
 * (native load order; put in system32, where the DLL is looked for, and the
 * Wine placeholder put back after), whose answers WSTEST_FAKE_DHCP gives
 * (test_dhcp_fake, in the child).  Under Wine only: it writes system32. */
static void test_dhcp_fake_client(void)
{
    char dir[MAX_PATH], fake[MAX_PATH + 32], sys[MAX_PATH + 32], saved[MAX_PATH + 32], *slash;

    if (!on_wine())
    {
        skip("not replacing dhcpcsvc.dll outside Wine\n");
        return;
    }
    GetModuleFileNameA(NULL, dir, sizeof(dir));
    if ((slash = strrchr(dir, '\\'))) *slash = 0;
    snprintf(fake, sizeof(fake), "%s\\fake_dhcpcsvc.dll", dir);
    snprintf(saved, sizeof(saved), "%s\\dhcpcsvc.dll.saved", dir);
    GetSystemDirectoryA(sys, MAX_PATH);
    strcat(sys, "\\dhcpcsvc.dll");
    ok(CopyFileA(sys, saved, FALSE), "cannot save %s: %lu\n", sys, GetLastError());
    ok(CopyFileA(fake, sys, FALSE), "cannot put %s in place: %lu\n", fake, GetLastError());
    run_dhcp_child("proxycfg_fakedhcp.exe", "fake", L"native");
    ok(CopyFileA(saved, sys, FALSE), "cannot put %s back: %lu\n", sys, GetLastError());
    DeleteFileA(saved);
}

/* WinHttpDetectAutoProxyConfigUrl(DHCP) with the fake's answers spec: url
 * (NULL: AUTODETECTION_FAILED), after calls questions. */
static void check_fake_(int line, const char *spec, DWORD flags, const WCHAR *url, int calls)
{
    char count[16] = "0";

    SetEnvironmentVariableA("WSTEST_FAKE_DHCP", spec);
    SetEnvironmentVariableA("WSTEST_FAKE_DHCP_CALLS", "0");
    check_detect_(line, flags, url);
    GetEnvironmentVariableA("WSTEST_FAKE_DHCP_CALLS", count, sizeof(count));
    ok_(__FILE__, line)(atoi(count) == calls, "%s: %s questions, not %d\n", spec, count, calls);
}
#define check_fake(...) check_fake_(__LINE__, __VA_ARGS__)

/* The child of test_dhcp_fake_client.  Two adapters are up (wstest0 and
 * wstest1): each detection asks each once until one gives a URL. */
static void test_dhcp_fake(void)
{
    const DWORD dhcp = WINHTTP_AUTO_DETECT_TYPE_DHCP, both = dhcp | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    static const WCHAR url[] = L"http://fake.wpadtest.invalid/wpad.pac";
    struct saved_value saved;
    HMODULE module;

    /* the stand-in is the DLL loaded: it has no DhcpRegisterParamChange */
    module = LoadLibraryExW(L"dhcpcsvc.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    ok(module && !GetProcAddress(module, "DhcpRegisterParamChange") && GetProcAddress(module, "DhcpRequestParams"),
       "not the stand-in dhcpcsvc.dll: %p\n", module);
    if (module) FreeLibrary(module);
    save_value(&saved, HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain");
    set_string(HKEY_LOCAL_MACHINE, tcpip_parameters, L"Domain", L"wpadtest.invalid");

    /* the option counted with its NUL, and bytes after it: the URL ends there */
    check_fake("http://fake.wpadtest.invalid/wpad.pac%00", dhcp, url, 1);
    check_fake("http://fake.wpadtest.invalid/wpad.pac%00junk%00", dhcp, url, 1);
    check_fake("http://fake.wpadtest.invalid/wpad.pac \r\n%00", dhcp, url, 1);
    /* a NUL first, or nothing: no URL from either adapter */
    check_fake("%00http://fake.wpadtest.invalid/wpad.pac", dhcp, NULL, 2);
    check_fake("", dhcp, NULL, 2);
    /* the first adapter's question fails, or it has no option: the second answers */
    check_fake("!2|http://fake.wpadtest.invalid/wpad.pac", dhcp, url, 2);
    check_fake("|http://fake.wpadtest.invalid/wpad.pac", dhcp, url, 2);
    /* every question fails: nothing through DHCP, DNS still answers */
    check_fake("!1359", dhcp, NULL, 2);
    check_fake("!1359", both, L"http://wpad.wpadtest.invalid/wpad.dat", 2);
    /* ERROR_MORE_DATA twice in a row (the size grew), then the answer */
    check_fake("!234|!234|http://fake.wpadtest.invalid/wpad.pac", dhcp, url, 3);

    restore_value(&saved);
}

/* A resolver closed while DHCP is asked (the stand-in never answers, and
 * Wine's mountmgr waits 25 s for it): the call completes at once with
 * OPERATION_CANCELLED, as while a WPAD name is looked up.  Run last: the
 * unanswered question stays in mountmgr until then. */
static void test_dhcp_cancel(void)
{
    struct resolver_wait *wait = resolver_wait_new();
    WINHTTP_AUTOPROXY_OPTIONS options;
    HINTERNET session, resolver;
    DWORD error, elapsed;

    set_dhcp_wpad("stall", 5);
    session = WinHttpOpen(L"proxycfg", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    memset(&options, 0, sizeof(options));
    options.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT | WINHTTP_AUTOPROXY_NO_CACHE_CLIENT;
    options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP;
    resolver = resolver_call(session, L"http://www.example.test/", &options, wait, &error, &elapsed);
    ok(error == ERROR_IO_PENDING, "got %lu\n", error);
    ok(elapsed < 2000, "the call took %lu ms\n", elapsed);
    ok(nm_seen("stall"), "DHCP was not asked\n");
    check_resolver_close(resolver, wait, 5000);
    WinHttpCloseHandle(session);
    resolver_wait_free(wait);
    set_dhcp_wpad(NULL, 0);
}

START_TEST(proxycfg)
{
    char wpad[8];

    if (GetEnvironmentVariableA("WSTEST_WPAD", wpad, sizeof(wpad)) && wpad[0] == '1')
    {
        test_wpad();
        test_wpad_automatic();
        test_wpad_dns_stall();
        return;
    }
    if (GetEnvironmentVariableA("WSTEST_DHCP", wpad, sizeof(wpad)) && (wpad[0] == '1' || !strcmp(wpad, "absent") || !strcmp(wpad, "fake")))
    {
        if (!GetEnvironmentVariableA("WSTEST_NM_DIR", nm_dir, sizeof(nm_dir)))
        {
            ok(0, "WSTEST_NM_DIR is not set\n");
            return;
        }
        if (!strcmp(wpad, "absent"))
        {
            test_dhcp_absent();
            return;
        }
        if (!strcmp(wpad, "fake"))
        {
            test_dhcp_fake();
            return;
        }
        test_dhcp_detect();
        test_dhcp_proxy_for_url();
        test_dhcp_no_client();
        test_dhcp_fake_client();
        test_dhcp_cancel();
        return;
    }
    test_ie_config();
    test_default_config();
    test_detect_arguments();
    test_detect_none();
    if (!stub_httpd_start(&pac_server, pac_docs, 0))
    {
        ok(0, "cannot start the PAC server: %d\n", WSAGetLastError());
        return;
    }
    test_get_proxy_for_url();
    test_resolver();
    test_resolver_slow_pac();
    test_automatic_proxy();
    stub_httpd_stop(&pac_server);
}
