/*
 * Exports not implemented yet.  Each traces a FIXME and fails the way Windows
 * fails an unsupported call: BOOL functions return FALSE with
 * ERROR_CALL_NOT_IMPLEMENTED, DWORD functions return ERROR_CALL_NOT_IMPLEMENTED.
 * None reports success for work it did not do.
 *
 * The documented ones left here are those whose behaviour Microsoft's pages
 * do not give enough of to do faithfully (docs/DECISIONS.md, "The Windows 10
 * Ex forms", says what each lacks); WinHttpAddRequestHeadersEx and the Ex
 * forms of the resolver calls and the proxy change notification moved out
 * once implemented (request_headers_ex.c, proxy_result_ex.c, proxy_notify.c).
 *
 * The undocumented exports (Private1, WinHttpConnection*, WinHttpPal*, ...)
 * are given DWORD results with the argument sizes of Windows' DLL (the @N of
 * mingw-w64's import library), so a caller's stack stays balanced on i686.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

static DWORD fail_dword(const char *function)
{
    if (DEBUG_ON(DEBUG_CLASS_FIXME)) debug_printf(DEBUG_CLASS_FIXME, function, "stub\n");
    return ERROR_CALL_NOT_IMPLEMENTED;
}

/* Documented functions */

void WINAPI WinHttpFreeProxySettings(WINHTTP_PROXY_SETTINGS *settings)
{
    fail_dword(__func__);
}

DWORD WINAPI WinHttpGetProxySettingsVersion(HINTERNET session, DWORD *version)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpReadProxySettings(HINTERNET session, PCWSTR connection, BOOL fallback, BOOL autodetect,
                                      DWORD *version, BOOL *defaults, WINHTTP_PROXY_SETTINGS *settings)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpSetProxySettingsPerUser(BOOL per_user)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpWriteProxySettings(HINTERNET session, BOOL force, WINHTTP_PROXY_SETTINGS *settings)
{
    return fail_dword(__func__);
}

/* Documented exports of Windows 10 20348 and Windows 11 */

DWORD WINAPI WinHttpQueryConnectionGroup(HINTERNET handle, const GUID *guid, ULONGLONG flags,
                                         WINHTTP_QUERY_CONNECTION_GROUP_RESULT **result)
{
    return fail_dword(__func__);
}

/* WinHttpQueryConnectionGroup never hands out a result to free. */
VOID WINAPI WinHttpFreeQueryConnectionGroupResult(WINHTTP_QUERY_CONNECTION_GROUP_RESULT *result)
{
    fail_dword(__func__);
}

DWORD WINAPI WinHttpGetProxySettingsEx(HINTERNET resolver, WINHTTP_PROXY_SETTINGS_TYPE type,
                                       WINHTTP_PROXY_SETTINGS_PARAM *param, DWORD_PTR context)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpGetProxySettingsResultEx(HINTERNET resolver, void *settings)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpFreeProxySettingsEx(WINHTTP_PROXY_SETTINGS_TYPE type, void *settings)
{
    return fail_dword(__func__);
}

HINTERNET WINAPI WinHttpProtocolCompleteUpgrade(HINTERNET request, DWORD_PTR context)
{
    SetLastError(fail_dword(__func__));
    return NULL;
}

DWORD WINAPI WinHttpProtocolSend(HINTERNET protocol, ULONGLONG flags, void *buffer, DWORD len)
{
    return fail_dword(__func__);
}

DWORD WINAPI WinHttpProtocolReceive(HINTERNET protocol, ULONGLONG flags, void *buffer, DWORD len, DWORD *read)
{
    return fail_dword(__func__);
}

/* Undocumented exports: the parameter lists only carry Windows' argument sizes. */

#define UNDOCUMENTED_STUB(name, ...) \
    DWORD WINAPI name(__VA_ARGS__); \
    DWORD WINAPI name(__VA_ARGS__) { return fail_dword(__func__); }

UNDOCUMENTED_STUB(Private1, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d, DWORD_PTR e)
UNDOCUMENTED_STUB(SvchostPushServiceGlobals, void *globals)
UNDOCUMENTED_STUB(WinHttpAutoProxySvcMain, DWORD argc, LPWSTR *argv)
UNDOCUMENTED_STUB(WinHttpConnectionDeletePolicyEntries, DWORD_PTR a, DWORD_PTR b)
UNDOCUMENTED_STUB(WinHttpConnectionDeleteProxyInfo, DWORD_PTR a, DWORD_PTR b)
UNDOCUMENTED_STUB(WinHttpConnectionFreeNameList, void *list)
UNDOCUMENTED_STUB(WinHttpConnectionFreeProxyInfo, void *info)
UNDOCUMENTED_STUB(WinHttpConnectionFreeProxyList, void *list)
UNDOCUMENTED_STUB(WinHttpConnectionGetNameList, void *list)
UNDOCUMENTED_STUB(WinHttpConnectionGetProxyInfo, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c)
UNDOCUMENTED_STUB(WinHttpConnectionGetProxyList, DWORD_PTR a, DWORD_PTR b)
UNDOCUMENTED_STUB(WinHttpConnectionSetPolicyEntries, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c)
UNDOCUMENTED_STUB(WinHttpConnectionSetProxyInfo, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c)
UNDOCUMENTED_STUB(WinHttpConnectionUpdateIfIndexTable, DWORD_PTR a, DWORD_PTR b)
UNDOCUMENTED_STUB(WinHttpGetProxyForUrlHvsi, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d, DWORD_PTR e,
                  DWORD_PTR f, DWORD_PTR g, DWORD_PTR h, DWORD_PTR i)
UNDOCUMENTED_STUB(WinHttpGetTunnelSocket, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d)
UNDOCUMENTED_STUB(WinHttpPacJsWorkerMain, DWORD_PTR a, DWORD_PTR b)
UNDOCUMENTED_STUB(WinHttpProbeConnectivity, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d, DWORD_PTR e,
                  DWORD_PTR f)
UNDOCUMENTED_STUB(WinHttpReadProxySettingsHvsi, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d,
                  DWORD_PTR e, DWORD_PTR f, DWORD_PTR g, DWORD_PTR h)
UNDOCUMENTED_STUB(WinHttpSaveProxyCredentials, DWORD_PTR a, DWORD_PTR b, DWORD_PTR c, DWORD_PTR d)

#ifdef _WIN64
/* x86_64 only: the argument lists are unknown and need not be (the caller
 * cleans the stack). */
/* Windows 11's undocumented exports; x86_64 only (their i686 argument sizes
 * are not known, see winhttp.def). */
UNDOCUMENTED_STUB(WinHttpConnectionOnlyConvert, void)
UNDOCUMENTED_STUB(WinHttpConnectionOnlyReceive, void)
UNDOCUMENTED_STUB(WinHttpConnectionOnlySend, void)
UNDOCUMENTED_STUB(WinHttpCreateProxyList, void)
UNDOCUMENTED_STUB(WinHttpCreateProxyManager, void)
UNDOCUMENTED_STUB(WinHttpCreateProxyResult, void)
UNDOCUMENTED_STUB(WinHttpCreateUiCompatibleProxyString, void)
UNDOCUMENTED_STUB(WinHttpRefreshProxySettings, void)
UNDOCUMENTED_STUB(WinHttpResolverGetProxyForUrl, void)
UNDOCUMENTED_STUB(WinHttpSetSecureLegacyServersAppCompat, void)
UNDOCUMENTED_STUB(WinHttpPalAcquireNextInterface, void)
UNDOCUMENTED_STUB(WinHttpPalAcquireNextInterfaceAsync, void)
UNDOCUMENTED_STUB(WinHttpPalCancelRequest, void)
UNDOCUMENTED_STUB(WinHttpPalCreateCmSessionReference, void)
UNDOCUMENTED_STUB(WinHttpPalCreateRequestCtx, void)
UNDOCUMENTED_STUB(WinHttpPalDllInit, void)
UNDOCUMENTED_STUB(WinHttpPalDllUnload, void)
UNDOCUMENTED_STUB(WinHttpPalFreeProxyInfo, void)
UNDOCUMENTED_STUB(WinHttpPalFreeRequestCtx, void)
UNDOCUMENTED_STUB(WinHttpPalGetProxyCreds, void)
UNDOCUMENTED_STUB(WinHttpPalGetProxyForCurrentInterface, void)
UNDOCUMENTED_STUB(WinHttpPalIsImplemented, void)
UNDOCUMENTED_STUB(WinHttpPalOnSendRequestComplete, void)
#endif
