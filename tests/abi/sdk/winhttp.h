/*
 * Reference for tests/abi: the declarations of the Windows SDK's winhttp.h
 * (Windows 11 SDK) that neither mingw-w64's nor Wine's winhttp.h carries,
 * written out by us from the SDK's values and prototypes so the ABI test can
 * compare include/winhttp.h with them.  Not a usable header.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifdef _WIN64
#pragma pack(push, 8)
#else
#pragma pack(push, 4)
#endif

typedef LPVOID HINTERNET;

#define WINHTTP_FLAG_AUTOMATIC_CHUNKING          0x00000200
#define WINHTTP_OPTION_PEERDIST_EXTENSION_STATE  135
#define WINHTTP_OPTION_TCP_KEEPALIVE             152
#define WINHTTP_OPTION_DISABLE_GLOBAL_POOLING    195
#define WINHTTP_PROTOCOL_FLAG_HTTP3              0x2
#define WINHTTP_QUERY_FLAG_WIRE_ENCODING         0x01000000
#define WINHTTP_QUERY_FLAG_TRAILERS              0x02000000
#define WINHTTP_QUERY_EX_ALL_HEADERS             21
#define WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER    0x0000000000000001ull
#define WINHTTP_PROXY_NOTIFY_CHANGE              0x0001
#define WINHTTP_EXTENDED_HEADER_FLAG_UNICODE     0x00000001

typedef struct _WINHTTP_EXTENDED_HEADER
{
    union { PCWSTR pwszName; PCSTR pszName; };
    union { PCWSTR pwszValue; PCSTR pszValue; };
} WINHTTP_EXTENDED_HEADER, *PWINHTTP_EXTENDED_HEADER;

typedef union _WINHTTP_HEADER_NAME
{
    PCWSTR pwszName;
    PCSTR pszName;
} WINHTTP_HEADER_NAME, *PWINHTTP_HEADER_NAME;

typedef struct _WINHTTP_CONNECTION_GROUP
{
    ULONG cConnections;
    GUID guidGroup;
} WINHTTP_CONNECTION_GROUP, *PWINHTTP_CONNECTION_GROUP;

typedef struct _WINHTTP_HOST_CONNECTION_GROUP
{
    PCWSTR pwszHost;
    ULONG cConnectionGroups;
    PWINHTTP_CONNECTION_GROUP pConnectionGroups;
} WINHTTP_HOST_CONNECTION_GROUP, *PWINHTTP_HOST_CONNECTION_GROUP;

typedef struct _WINHTTP_QUERY_CONNECTION_GROUP_RESULT
{
    ULONG cHosts;
    PWINHTTP_HOST_CONNECTION_GROUP pHostConnectionGroups;
} WINHTTP_QUERY_CONNECTION_GROUP_RESULT, *PWINHTTP_QUERY_CONNECTION_GROUP_RESULT;

typedef PVOID WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE;
typedef VOID (CALLBACK *WINHTTP_PROXY_CHANGE_CALLBACK)(ULONGLONG ullFlags, PVOID pvContext);

typedef enum _WINHTTP_PROXY_SETTINGS_TYPE
{
    WinHttpProxySettingsTypeUnknown,
    WinHttpProxySettingsTypeWsl,
    WinHttpProxySettingsTypeWsa,
    WinHttpProxySettingsTypeXBox
} WINHTTP_PROXY_SETTINGS_TYPE, *PWINHTTP_PROXY_SETTINGS_TYPE;

typedef struct _WINHTTP_PROXY_SETTINGS_EX
{
    ULONGLONG ullGenerationId;
    ULONGLONG ullFlags;
    PCWSTR pcwszAutoconfigUrl;
    PCWSTR pcwszProxy;
    PCWSTR pcwszSecureProxy;
    DWORD cProxyBypasses;
    PCWSTR *rgpcwszProxyBypasses;
    DWORD dwInterfaceIndex;
    PCWSTR pcwszConnectionName;
} WINHTTP_PROXY_SETTINGS_EX, *PWINHTTP_PROXY_SETTINGS_EX;

typedef struct _WINHTTP_PROXY_SETTINGS_PARAM
{
    ULONGLONG ullFlags;
    PCWSTR pcwszConnectionName;
    PCWSTR pcwszProbeHost;
} WINHTTP_PROXY_SETTINGS_PARAM, *PWINHTTP_PROXY_SETTINGS_PARAM;

DWORD WINAPI WinHttpQueryHeadersEx(HINTERNET hRequest, DWORD dwInfoLevel, ULONGLONG ullFlags, UINT uiCodePage,
                                   PDWORD pdwIndex, PWINHTTP_HEADER_NAME pHeaderName, PVOID pBuffer,
                                   PDWORD pdwBufferLength, PWINHTTP_EXTENDED_HEADER *ppHeaders, PDWORD pdwHeadersCount);
DWORD WINAPI WinHttpReadDataEx(HINTERNET hRequest, LPVOID lpBuffer, DWORD dwNumberOfBytesToRead,
                               LPDWORD lpdwNumberOfBytesRead, ULONGLONG ullFlags, DWORD cbProperty, PVOID pvProperty);
DWORD WINAPI WinHttpQueryConnectionGroup(HINTERNET hInternet, const GUID *pGuidConnection, ULONGLONG ullFlags,
                                         PWINHTTP_QUERY_CONNECTION_GROUP_RESULT *ppResult);
VOID WINAPI WinHttpFreeQueryConnectionGroupResult(WINHTTP_QUERY_CONNECTION_GROUP_RESULT *pResult);
DWORD WINAPI WinHttpRegisterProxyChangeNotification(ULONGLONG ullFlags, WINHTTP_PROXY_CHANGE_CALLBACK pfnCallback,
                                                    PVOID pvContext,
                                                    WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE *hRegistration);
DWORD WINAPI WinHttpUnregisterProxyChangeNotification(WINHTTP_PROXY_CHANGE_REGISTRATION_HANDLE hRegistration);
DWORD WINAPI WinHttpGetProxySettingsEx(HINTERNET hResolver, WINHTTP_PROXY_SETTINGS_TYPE ProxySettingsType,
                                       PWINHTTP_PROXY_SETTINGS_PARAM pProxySettingsParam, DWORD_PTR pContext);
DWORD WINAPI WinHttpGetProxySettingsResultEx(HINTERNET hResolver, PVOID pProxySettingsEx);
DWORD WINAPI WinHttpFreeProxySettingsEx(WINHTTP_PROXY_SETTINGS_TYPE ProxySettingsType, PVOID pProxySettingsEx);
HINTERNET WINAPI WinHttpProtocolCompleteUpgrade(HINTERNET hRequest, DWORD_PTR dwContext);
DWORD WINAPI WinHttpProtocolSend(HINTERNET ProtocolHandle, ULONGLONG Flags, PVOID pvBuffer, DWORD dwBufferLength);
DWORD WINAPI WinHttpProtocolReceive(HINTERNET ProtocolHandle, ULONGLONG Flags, PVOID pvBuffer, DWORD dwBufferLength,
                                    DWORD *pdwBytesRead);

#pragma pack(pop)

