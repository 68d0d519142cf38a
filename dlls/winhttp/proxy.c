/*
 * Static proxy configuration: WinHttpGetIEProxyConfigForCurrentUser,
 * WinHttpGetDefaultProxyConfiguration and WinHttpSetDefaultProxyConfiguration.
 *
 * Both configurations live in the registry in one binary layout, which Windows
 * (WinINet for the user's settings, netsh/proxycfg for WinHTTP's) writes:
 *
 *     DWORD version      0x46 (IE7 and later) or 0x3c for DefaultConnectionSettings,
 *                        0x18 for WinHttpSettings
 *     DWORD counter      bumped by the writer; never interpreted
 *     DWORD flags        SETTINGS_FLAG_*
 *     DWORD proxy_len,   char proxy[proxy_len]      (no terminator)
 *     DWORD bypass_len,  char bypass[bypass_len]
 *     DWORD url_len,     char url[url_len]          (DefaultConnectionSettings only)
 *     ...                                           (more that WinHTTP ignores)
 *
 * Strings are returned to the caller in GlobalAlloc memory: the documentation
 * tells callers to release them with GlobalFree.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

static const WCHAR internet_settings_key[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";
static const WCHAR connections_key[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections";

#define SETTINGS_VERSION_WINHTTP   0x18
#define SETTINGS_VERSION_IE6       0x3c
#define SETTINGS_VERSION_IE7       0x46

#define SETTINGS_FLAG_DIRECT       0x01
#define SETTINGS_FLAG_PROXY        0x02
#define SETTINGS_FLAG_AUTO_URL     0x04
#define SETTINGS_FLAG_AUTO_DETECT  0x08

#define SETTINGS_HEADER_SIZE       (3 * sizeof(DWORD))

WCHAR *proxy_global_strdup(const WCHAR *src, int len)
{
    WCHAR *dst;

    if (len < 0) len = wcslen(src);
    if ((dst = GlobalAlloc(GMEM_FIXED, (len + 1) * sizeof(WCHAR))))
    {
        memcpy(dst, src, len * sizeof(WCHAR));
        dst[len] = 0;
    }
    return dst;
}

/* A cursor over a settings blob; every read is bounds-checked. */
struct blob_reader
{
    const BYTE *data;
    DWORD size;
    DWORD offset;
};

static BOOL blob_read_dword(struct blob_reader *r, DWORD *value)
{
    if (r->size - r->offset < sizeof(DWORD)) return FALSE;
    memcpy(value, r->data + r->offset, sizeof(DWORD));
    r->offset += sizeof(DWORD);
    return TRUE;
}

/* Reads a length-prefixed string into *str (GlobalAlloc, NULL when empty or
 * unwanted).  FALSE: truncated blob, or out of memory (*oom set). */
static BOOL blob_read_string(struct blob_reader *r, BOOL wanted, WCHAR **str, BOOL *oom)
{
    DWORD len;
    int wlen;

    *str = NULL;
    if (!blob_read_dword(r, &len) || r->size - r->offset < len) return FALSE;
    if (wanted && len)
    {
        /* the strings are stored in the ANSI code page */
        wlen = MultiByteToWideChar(CP_ACP, 0, (const char *)r->data + r->offset, len, NULL, 0);
        if (!(*str = GlobalAlloc(GMEM_FIXED, (wlen + 1) * sizeof(WCHAR))))
        {
            *oom = TRUE;
            return FALSE;
        }
        MultiByteToWideChar(CP_ACP, 0, (const char *)r->data + r->offset, len, *str, wlen);
        (*str)[wlen] = 0;
    }
    r->offset += len;
    return TRUE;
}

/* The value's bytes in a heap buffer, or NULL if it is missing or not binary. */
static BYTE *read_binary_value(HKEY root, const WCHAR *path, const WCHAR *name, DWORD *size)
{
    DWORD type, len = 0;
    BYTE *buf = NULL;
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return NULL;
    if (!RegQueryValueExW(key, name, NULL, &type, NULL, &len) && type == REG_BINARY
        && (buf = heap_alloc(len ? len : 1)))
    {
        if (RegQueryValueExW(key, name, NULL, &type, buf, &len) || type != REG_BINARY)
        {
            heap_free(buf);
            buf = NULL;
        }
        else *size = len;
    }
    RegCloseKey(key);
    return buf;
}

/* A REG_SZ value in GlobalAlloc memory; NULL if missing or empty. */
static WCHAR *read_string_value(HKEY root, const WCHAR *path, const WCHAR *name, BOOL *oom)
{
    DWORD len = 0;
    WCHAR *str;

    if (RegGetValueW(root, path, name, RRF_RT_REG_SZ, NULL, NULL, &len) || len <= sizeof(WCHAR))
        return NULL;
    if (!(str = GlobalAlloc(GMEM_FIXED, len)))
    {
        *oom = TRUE;
        return NULL;
    }
    if (RegGetValueW(root, path, name, RRF_RT_REG_SZ, NULL, str, &len))
    {
        GlobalFree(str);
        return NULL;
    }
    return str;
}

static void free_ie_config(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *config)
{
    GlobalFree(config->lpszAutoConfigUrl);
    GlobalFree(config->lpszProxy);
    GlobalFree(config->lpszProxyBypass);
    memset(config, 0, sizeof(*config));
}

/* DefaultConnectionSettings.  FALSE when the blob is not one we know, so the
 * caller falls back to the plain values; *oom on allocation failure. */
static BOOL decode_ie_blob(const BYTE *data, DWORD size, WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *config, BOOL *oom)
{
    struct blob_reader r = { data, size, 0 };
    DWORD version, counter, flags;

    if (!blob_read_dword(&r, &version) || !blob_read_dword(&r, &counter) || !blob_read_dword(&r, &flags))
        return FALSE;
    if (version != SETTINGS_VERSION_IE7 && version != SETTINGS_VERSION_IE6)
    {
        WARN("unknown DefaultConnectionSettings version %#lx\n", version);
        return FALSE;
    }
    config->fAutoDetect = !!(flags & SETTINGS_FLAG_AUTO_DETECT);
    /* A blob cut short after the flags still says what the flags say; the
     * strings that are there are kept, as WinINet writes them in order. */
    if (!blob_read_string(&r, flags & SETTINGS_FLAG_PROXY, &config->lpszProxy, oom)) return !*oom;
    if (!blob_read_string(&r, flags & SETTINGS_FLAG_PROXY, &config->lpszProxyBypass, oom)) return !*oom;
    blob_read_string(&r, flags & SETTINGS_FLAG_AUTO_URL, &config->lpszAutoConfigUrl, oom);
    return !*oom;
}

/* Without a DefaultConnectionSettings blob: the values older Windows and
 * scripts write beside it (ProxyEnable, ProxyServer, ProxyOverride,
 * AutoConfigURL).  Auto-detection is on, Windows' default for a new user. */
static void read_ie_values(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *config, BOOL *oom)
{
    DWORD enable = 0, len = sizeof(enable);

    config->fAutoDetect = TRUE;
    if (!RegGetValueW(HKEY_CURRENT_USER, internet_settings_key, L"ProxyEnable", RRF_RT_REG_DWORD, NULL,
                      &enable, &len) && enable)
    {
        config->lpszProxy = read_string_value(HKEY_CURRENT_USER, internet_settings_key, L"ProxyServer", oom);
        config->lpszProxyBypass = read_string_value(HKEY_CURRENT_USER, internet_settings_key, L"ProxyOverride", oom);
    }
    config->lpszAutoConfigUrl = read_string_value(HKEY_CURRENT_USER, internet_settings_key, L"AutoConfigURL", oom);
}

/***********************************************************************
 *          WinHttpGetIEProxyConfigForCurrentUser (winhttp.@)
 */
BOOL WINAPI WinHttpGetIEProxyConfigForCurrentUser(WINHTTP_CURRENT_USER_IE_PROXY_CONFIG *config)
{
    BOOL oom = FALSE, decoded = FALSE;
    DWORD size = 0;
    BYTE *blob;

    TRACE("%p\n", config);

    if (!config)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(config, 0, sizeof(*config));

    if ((blob = read_binary_value(HKEY_CURRENT_USER, connections_key, L"DefaultConnectionSettings", &size)))
    {
        decoded = decode_ie_blob(blob, size, config, &oom);
        heap_free(blob);
        if (!decoded && !oom) free_ie_config(config);
    }
    if (!decoded && !oom) read_ie_values(config, &oom);
    if (oom)
    {
        free_ie_config(config);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    TRACE("autodetect %d, url %s, proxy %s, bypass %s\n", config->fAutoDetect, debugstr_w(config->lpszAutoConfigUrl),
          debugstr_w(config->lpszProxy), debugstr_w(config->lpszProxyBypass));
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

/* "http://user@host:port/" -> "host:port"; NULL when unset or unusable. */
static WCHAR *env_proxy(const WCHAR *name)
{
    WCHAR value[1024], *start, *end, *at;
    DWORD len = GetEnvironmentVariableW(name, value, ARRAY_SIZE(value));

    if (!len || len >= ARRAY_SIZE(value)) return NULL;
    start = value;
    if ((end = wcsstr(start, L"://")))
    {
        if (_wcsnicmp(start, L"http://", 7))
        {
            WARN("unsupported scheme in %s: %s\n", debugstr_w(name), debugstr_w(value));
            return NULL;
        }
        start = end + 3;
    }
    if ((end = wcschr(start, '/'))) *end = 0;
    if ((at = wcsrchr(start, '@'))) start = at + 1;
    if (!*start) return NULL;
    return strdupW(start);
}

/* The environment's configuration in WinHTTP's syntax: http_proxy (and
 * https_proxy, as "http=...;https=..." when it differs), no_proxy as the
 * bypass list.  FALSE if there is no proxy there. */
static BOOL env_proxy_config(WINHTTP_PROXY_INFO *info)
{
    WCHAR *http = env_proxy(L"http_proxy"), *https = env_proxy(L"https_proxy"), *list, bypass[1024], *p;
    DWORD len;
    BOOL ret = FALSE;

    if (!http) goto done;
    if (https && wcscmp(http, https))
    {
        len = wcslen(http) + wcslen(https) + ARRAY_SIZE(L"http=;https=");
        if (!(list = heap_alloc(len * sizeof(WCHAR)))) goto done;
        swprintf(list, len, L"http=%ls;https=%ls", http, https);
        info->lpszProxy = proxy_global_strdup(list, -1);
        heap_free(list);
    }
    else info->lpszProxy = proxy_global_strdup(http, -1);
    if (!info->lpszProxy) goto done;

    info->lpszProxyBypass = NULL;
    len = GetEnvironmentVariableW(L"no_proxy", bypass, ARRAY_SIZE(bypass));
    if (len && len < ARRAY_SIZE(bypass))
    {
        for (p = bypass; *p; p++) if (*p == ',') *p = ';';
        info->lpszProxyBypass = proxy_global_strdup(bypass, -1);
    }
    info->dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    TRACE("from the environment: %s, bypass %s\n", debugstr_w(info->lpszProxy), debugstr_w(info->lpszProxyBypass));
    ret = TRUE;
done:
    heap_free(http);
    heap_free(https);
    return ret;
}

/* WinHttpSettings: TRUE with a named proxy filled in, FALSE for direct or no
 * usable value; *oom on allocation failure. */
static BOOL registry_proxy_config(WINHTTP_PROXY_INFO *info, BOOL *oom)
{
    struct blob_reader r;
    DWORD size = 0, version, counter, flags;
    BYTE *blob;
    BOOL ret = FALSE;

    if (!(blob = read_binary_value(HKEY_LOCAL_MACHINE, connections_key, L"WinHttpSettings", &size))) return FALSE;
    r.data = blob;
    r.size = size;
    r.offset = 0;
    /* The version is not checked: netsh and proxycfg wrote different ones
     * over the years, in the same layout. */
    if (blob_read_dword(&r, &version) && blob_read_dword(&r, &counter) && blob_read_dword(&r, &flags)
        && (flags & SETTINGS_FLAG_PROXY))
    {
        if (blob_read_string(&r, TRUE, &info->lpszProxy, oom) && info->lpszProxy
            && blob_read_string(&r, TRUE, &info->lpszProxyBypass, oom))
        {
            info->dwAccessType = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
            ret = TRUE;
        }
        else
        {
            GlobalFree(info->lpszProxy);
            info->lpszProxy = NULL;
        }
    }
    heap_free(blob);
    return ret;
}

/***********************************************************************
 *          WinHttpGetDefaultProxyConfiguration (winhttp.@)
 */
BOOL WINAPI WinHttpGetDefaultProxyConfiguration(WINHTTP_PROXY_INFO *info)
{
    BOOL oom = FALSE;

    TRACE("%p\n", info);

    if (!info)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    info->dwAccessType = WINHTTP_ACCESS_TYPE_NO_PROXY;
    info->lpszProxy = NULL;
    info->lpszProxyBypass = NULL;

    /* Wine's builtin falls back to the Unix proxy variables; so do we, under
     * Wine only (a Windows process does not expect them to matter). */
    if (!registry_proxy_config(info, &oom) && !oom && running_on_wine()) env_proxy_config(info);
    if (oom)
    {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    TRACE("access %lu, proxy %s, bypass %s\n", info->dwAccessType, debugstr_w(info->lpszProxy),
          debugstr_w(info->lpszProxyBypass));
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

static BOOL is_ascii(const WCHAR *str)
{
    for (; str && *str; str++) if (*str > 0x7f) return FALSE;
    return TRUE;
}

static void blob_put_string(BYTE **p, const WCHAR *str)
{
    DWORD len = str ? wcslen(str) : 0, i;

    memcpy(*p, &len, sizeof(len));
    *p += sizeof(len);
    for (i = 0; i < len; i++) *(*p)++ = (BYTE)str[i];
}

/***********************************************************************
 *          WinHttpSetDefaultProxyConfiguration (winhttp.@)
 */
BOOL WINAPI WinHttpSetDefaultProxyConfiguration(WINHTTP_PROXY_INFO *info)
{
    const WCHAR *proxy = NULL, *bypass = NULL;
    DWORD size, header[3], error;
    BYTE *buf, *p;
    HKEY key;

    TRACE("%p\n", info);

    if (!info)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    switch (info->dwAccessType)
    {
    case WINHTTP_ACCESS_TYPE_NO_PROXY:
        break;
    case WINHTTP_ACCESS_TYPE_NAMED_PROXY:
        /* the blob holds single-byte strings: only ASCII survives the trip */
        if (!info->lpszProxy || !is_ascii(info->lpszProxy) || !is_ascii(info->lpszProxyBypass))
        {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        proxy = info->lpszProxy;
        bypass = info->lpszProxyBypass;
        break;
    default:
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRACE("access %lu, proxy %s, bypass %s\n", info->dwAccessType, debugstr_w(proxy), debugstr_w(bypass));

    size = SETTINGS_HEADER_SIZE + 2 * sizeof(DWORD) + (proxy ? wcslen(proxy) : 0) + (bypass ? wcslen(bypass) : 0);
    if (!(buf = heap_alloc(size)))
    {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    /* The counter stays 0, as Wine's builtin writes it: its reader rejects
     * anything else, and the two may share a prefix. */
    header[0] = SETTINGS_VERSION_WINHTTP;
    header[1] = 0;
    header[2] = proxy ? SETTINGS_FLAG_PROXY : SETTINGS_FLAG_DIRECT;
    memcpy(buf, header, sizeof(header));
    p = buf + sizeof(header);
    blob_put_string(&p, proxy);
    blob_put_string(&p, bypass);

    if (!(error = RegCreateKeyExW(HKEY_LOCAL_MACHINE, connections_key, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL)))
    {
        error = RegSetValueExW(key, L"WinHttpSettings", 0, REG_BINARY, buf, size);
        RegCloseKey(key);
    }
    heap_free(buf);
    if (error)
    {
        SetLastError(error);
        return FALSE;
    }
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

void proxy_default_config(WCHAR **server, WCHAR **bypass)
{
    WINHTTP_PROXY_INFO info;
    DWORD error = GetLastError();

    *server = *bypass = NULL;
    if (WinHttpGetDefaultProxyConfiguration(&info) && info.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY)
    {
        *server = strdupW(info.lpszProxy);
        *bypass = strdupW(info.lpszProxyBypass);
    }
    GlobalFree(info.lpszProxy);
    GlobalFree(info.lpszProxyBypass);
    SetLastError(error);
}
