/*
 * wscat: a small WebSocket console client on the public WinHTTP API.
 *
 *   wscat.exe ws://host:port/path [-f file] [-b]
 *
 * Connects, then sends every line of standard input as one message (or the
 * whole of 'file' as one message with -f), as text or, with -b, as binary.
 * Whatever the server sends is printed as it arrives: text as "< text",
 * binary as "< [binary N bytes] hex...".  At the end of the input the client
 * closes with status 1000, waits for the server's close and prints the close
 * status and reason the server sent.  Errors name the failing call and its
 * Win32 error code.  Exit status: 0 on a clean close, 1 otherwise.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CRITICAL_SECTION print_cs;
static HINTERNET websocket;
static BOOL binary_mode;
static DWORD receive_error;          /* set by the receiver thread */
static BOOL receive_saw_close;

static const char *error_name(DWORD error)
{
    switch (error)
    {
    case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
    case ERROR_INVALID_OPERATION: return "ERROR_INVALID_OPERATION";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
    case ERROR_WINHTTP_TIMEOUT: return "ERROR_WINHTTP_TIMEOUT";
    case ERROR_WINHTTP_INVALID_URL: return "ERROR_WINHTTP_INVALID_URL";
    case ERROR_WINHTTP_UNRECOGNIZED_SCHEME: return "ERROR_WINHTTP_UNRECOGNIZED_SCHEME";
    case ERROR_WINHTTP_NAME_NOT_RESOLVED: return "ERROR_WINHTTP_NAME_NOT_RESOLVED";
    case ERROR_WINHTTP_OPERATION_CANCELLED: return "ERROR_WINHTTP_OPERATION_CANCELLED";
    case ERROR_WINHTTP_INCORRECT_HANDLE_STATE: return "ERROR_WINHTTP_INCORRECT_HANDLE_STATE";
    case ERROR_WINHTTP_CANNOT_CONNECT: return "ERROR_WINHTTP_CANNOT_CONNECT";
    case ERROR_WINHTTP_CONNECTION_ERROR: return "ERROR_WINHTTP_CONNECTION_ERROR";
    case ERROR_WINHTTP_INVALID_SERVER_RESPONSE: return "ERROR_WINHTTP_INVALID_SERVER_RESPONSE";
    case ERROR_WINHTTP_SECURE_FAILURE: return "ERROR_WINHTTP_SECURE_FAILURE";
    }
    return "";
}

static void fail(const char *call, DWORD error)
{
    EnterCriticalSection(&print_cs);
    fprintf(stderr, "wscat: %s failed: error %lu %s\n", call, error, error_name(error));
    fflush(stderr);
    LeaveCriticalSection(&print_cs);
}

static void print_message(const BYTE *data, size_t len, BOOL text)
{
    size_t i;

    EnterCriticalSection(&print_cs);
    if (text)
    {
        fputs("< ", stdout);
        fwrite(data, 1, len, stdout);
        fputc('\n', stdout);
    }
    else
    {
        printf("< [binary %lu bytes]", (unsigned long)len);
        for (i = 0; i < len && i < 32; i++) printf(" %02x", data[i]);
        printf("%s\n", len > 32 ? " ..." : "");
    }
    fflush(stdout);
    LeaveCriticalSection(&print_cs);
}

/* Receives and prints messages until the server's close frame or an error. */
static DWORD WINAPI receiver(void *arg)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type;
    size_t size = 65536, len = 0;
    BYTE *msg = malloc(size);
    DWORD err, got;

    for (;;)
    {
        if (size - len < 16384)
        {
            BYTE *bigger = realloc(msg, size * 2);
            if (!bigger)
            {
                receive_error = ERROR_NOT_ENOUGH_MEMORY;
                break;
            }
            msg = bigger;
            size *= 2;
        }
        err = WinHttpWebSocketReceive(websocket, msg + len, (DWORD)(size - len), &got, &type);
        if (err)
        {
            receive_error = err;
            break;
        }
        if (type == WINHTTP_WEB_SOCKET_CLOSE_BUFFER_TYPE)
        {
            receive_saw_close = TRUE;
            break;
        }
        len += got;
        if (type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE)
        {
            print_message(msg, len, type == WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE);
            len = 0;
        }
    }
    free(msg);
    return 0;
}

static BOOL send_message(const BYTE *data, size_t len)
{
    WINHTTP_WEB_SOCKET_BUFFER_TYPE type = binary_mode ? WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE
                                                      : WINHTTP_WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE;
    DWORD err = WinHttpWebSocketSend(websocket, type, (void *)(len ? data : NULL), (DWORD)len);

    if (err) fail("WinHttpWebSocketSend", err);
    return !err;
}

/* Sends each line of 'in' (without its line end) as one message. */
static BOOL send_lines(FILE *in)
{
    size_t size = 4096, len = 0;
    char *line = malloc(size);
    BOOL ok = TRUE;
    int c;

    while (ok && (c = fgetc(in)) != EOF)
    {
        if (c == '\n')
        {
            if (len && line[len - 1] == '\r') len--;
            ok = send_message((BYTE *)line, len);
            len = 0;
            continue;
        }
        if (len == size)
        {
            char *bigger = realloc(line, size * 2);
            if (!bigger)
            {
                fail("reading the input", ERROR_NOT_ENOUGH_MEMORY);
                ok = FALSE;
                break;
            }
            line = bigger;
            size *= 2;
        }
        line[len++] = (char)c;
    }
    if (ok && len) ok = send_message((BYTE *)line, len);  /* last line without a line end */
    free(line);
    return ok;
}

static BOOL send_file(const char *name)
{
    FILE *f = fopen(name, "rb");
    size_t size = 65536, len = 0, got;
    BYTE *data;
    BOOL ok;

    if (!f)
    {
        fprintf(stderr, "wscat: cannot open %s\n", name);
        return FALSE;
    }
    data = malloc(size);
    while ((got = fread(data + len, 1, size - len, f)) > 0)
    {
        len += got;
        if (len == size)
        {
            BYTE *bigger = realloc(data, size * 2);
            if (!bigger) break;
            data = bigger;
            size *= 2;
        }
    }
    fclose(f);
    ok = send_message(data, len);
    free(data);
    return ok;
}

static void usage(void)
{
    fprintf(stderr, "usage: wscat ws://host[:port]/path [-f file] [-b]\n"
                    "  sends each line of stdin (or the file, as one message) as text, or binary with -b,\n"
                    "  prints what the server sends, then closes with 1000\n");
}

int main(int argc, char **argv)
{
    HINTERNET session = NULL, connect = NULL, request = NULL;
    WCHAR url[2048], host[256], path[2048];
    URL_COMPONENTS uc;
    const char *file = NULL, *url_arg = NULL;
    DWORD status = 0, size, err;
    USHORT close_status;
    BYTE reason[WINHTTP_WEB_SOCKET_MAX_CLOSE_REASON_LENGTH + 1];
    HANDLE thread;
    BOOL secure = FALSE, ok;
    int i, ret = 1;

    for (i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "-b")) binary_mode = TRUE;
        else if (!strcmp(argv[i], "-f") && i + 1 < argc) file = argv[++i];
        else if (argv[i][0] != '-' && !url_arg) url_arg = argv[i];
        else
        {
            usage();
            return 2;
        }
    }
    if (!url_arg)
    {
        usage();
        return 2;
    }
    InitializeCriticalSection(&print_cs);
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);

    /* WinHttpCrackUrl knows http and https: ws and wss map onto them. */
    if (!_strnicmp(url_arg, "wss://", 6)) { secure = TRUE; swprintf(url, ARRAYSIZE(url), L"https://%hs", url_arg + 6); }
    else if (!_strnicmp(url_arg, "ws://", 5)) swprintf(url, ARRAYSIZE(url), L"http://%hs", url_arg + 5);
    else
    {
        fprintf(stderr, "wscat: the URL must start with ws:// or wss://\n");
        return 2;
    }
    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.lpszHostName = host;
    uc.dwHostNameLength = ARRAYSIZE(host);
    uc.lpszUrlPath = path;
    uc.dwUrlPathLength = ARRAYSIZE(path);
    uc.dwExtraInfoLength = 1;   /* extra info stays part of the path */
    if (!WinHttpCrackUrl(url, 0, 0, &uc))
    {
        fail("WinHttpCrackUrl", GetLastError());
        return 1;
    }
    if (uc.lpszExtraInfo && uc.dwExtraInfoLength)
        wcsncat(path, uc.lpszExtraInfo, min(uc.dwExtraInfoLength, ARRAYSIZE(path) - wcslen(path) - 1));
    if (!path[0]) wcscpy(path, L"/");

    if (!(session = WinHttpOpen(L"wscat (winhttp-ws demo)", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                                WINHTTP_NO_PROXY_BYPASS, 0)))
    {
        fail("WinHttpOpen", GetLastError());
        goto done;
    }
    if (!(connect = WinHttpConnect(session, host, uc.nPort, 0)))
    {
        fail("WinHttpConnect", GetLastError());
        goto done;
    }
    if (!(request = WinHttpOpenRequest(connect, L"GET", path, NULL, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                       secure ? WINHTTP_FLAG_SECURE : 0)))
    {
        fail("WinHttpOpenRequest", GetLastError());
        goto done;
    }
    if (!WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0))
    {
        fail("WinHttpSetOption(WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET)", GetLastError());
        goto done;
    }
    if (!WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0, 0))
    {
        fail("WinHttpSendRequest", GetLastError());
        goto done;
    }
    if (!WinHttpReceiveResponse(request, NULL))
    {
        fail("WinHttpReceiveResponse", GetLastError());
        goto done;
    }
    size = sizeof(status);
    WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, WINHTTP_HEADER_NAME_BY_INDEX,
                        &status, &size, WINHTTP_NO_HEADER_INDEX);
    if (status != HTTP_STATUS_SWITCH_PROTOCOLS)
    {
        fprintf(stderr, "wscat: the server answered %lu instead of 101 Switching Protocols\n", status);
        goto done;
    }
    if (!(websocket = WinHttpWebSocketCompleteUpgrade(request, 0)))
    {
        fail("WinHttpWebSocketCompleteUpgrade", GetLastError());
        goto done;
    }
    WinHttpCloseHandle(request);
    request = NULL;
    fprintf(stderr, "wscat: connected to %s (%s)\n", url_arg, binary_mode ? "binary" : "text");

    if (!(thread = CreateThread(NULL, 0, receiver, NULL, 0, NULL)))
    {
        fail("CreateThread", GetLastError());
        goto done;
    }
    ok = file ? send_file(file) : send_lines(stdin);

    /* Our close frame goes out; the receiver prints what is still coming
     * until the server's close frame arrives. */
    err = WinHttpWebSocketShutdown(websocket, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
    if (err) fail("WinHttpWebSocketShutdown", err);
    if (WaitForSingleObject(thread, 15000) == WAIT_TIMEOUT)
    {
        fprintf(stderr, "wscat: no close from the server within 15 s\n");
        ok = FALSE;
    }
    if (receive_error)
    {
        fail("WinHttpWebSocketReceive", receive_error);
        ok = FALSE;
    }
    err = WinHttpWebSocketClose(websocket, WINHTTP_WEB_SOCKET_SUCCESS_CLOSE_STATUS, NULL, 0);
    if (err)
    {
        fail("WinHttpWebSocketClose", err);
        ok = FALSE;
    }
    memset(reason, 0, sizeof(reason));
    size = 0;
    err = WinHttpWebSocketQueryCloseStatus(websocket, &close_status, reason, sizeof(reason) - 1, &size);
    if (err)
    {
        fail("WinHttpWebSocketQueryCloseStatus", err);
        ok = FALSE;
    }
    else fprintf(stderr, "wscat: closed: status %u, reason \"%.*s\"\n", close_status, (int)size, (char *)reason);
    CloseHandle(thread);
    ret = ok && !err ? 0 : 1;

done:
    if (websocket) WinHttpCloseHandle(websocket);
    if (request) WinHttpCloseHandle(request);
    if (connect) WinHttpCloseHandle(connect);
    if (session) WinHttpCloseHandle(session);
    return ret;
}
