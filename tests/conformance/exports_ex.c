/*
 * Conformance tests for the exports Windows 10 20348 and Windows 11 added:
 * WinHttpQueryHeadersEx and WinHttpReadDataEx as Microsoft documents them,
 * and the presence of every other new export (tools/winhttp-exports-win11.txt),
 * which fail as an unsupported call fails.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "replay.h"

static WCHAR host[128];
static INTERNET_PORT port;

static HINTERNET ses, con;

static HINTERNET get(const WCHAR *path)
{
    HINTERNET req = WinHttpOpenRequest(con, L"GET", path, NULL, NULL, NULL, 0);
    BOOL ret;

    ok(req != NULL, "WinHttpOpenRequest failed: %lu\n", GetLastError());
    ret = WinHttpAddRequestHeaders(req, L"X-Test: one\r\nX-Test: two", (DWORD)-1, WINHTTP_ADDREQ_FLAG_ADD);
    ok(ret, "WinHttpAddRequestHeaders failed: %lu\n", GetLastError());
    ret = WinHttpSendRequest(req, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(req, NULL);
    ok(ret, "request failed: %lu\n", GetLastError());
    return req;
}

static void test_query_headers_ex(void)
{
    WINHTTP_EXTENDED_HEADER *headers = NULL;
    WINHTTP_HEADER_NAME name;
    DWORD size, count, error, index, i;
    HINTERNET req;
    BYTE buffer[2048];
    BOOL seen_length = FALSE;

    req = WinHttpOpenRequest(con, L"GET", L"/http/hello", NULL, NULL, NULL, 0);
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_EX_ALL_HEADERS, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_STATE, "before the response: %lu\n", error);
    WinHttpCloseHandle(req);

    req = get(L"/http/hello");

    /* size query, then all headers */
    size = 0;
    count = 0xdeadbeef;
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_EX_ALL_HEADERS, 0, 0, NULL, NULL, NULL, &size, &headers, &count);
    ok(error == ERROR_INSUFFICIENT_BUFFER && size > 4 * sizeof(WINHTTP_EXTENDED_HEADER), "got %lu size %lu\n", error,
       size);
    ok(size <= sizeof(buffer), "size %lu\n", size);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_EX_ALL_HEADERS, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(!error && count >= 4 && (BYTE *)headers == buffer, "got %lu count %lu\n", error, count);
    for (i = 0; !error && i < count; i++)
    {
        ok((BYTE *)headers[i].pwszName > buffer && (BYTE *)headers[i].pwszValue < buffer + size,
           "header %lu outside the buffer\n", i);
        if (!wcscmp(headers[i].pwszName, L"Content-Length"))
        {
            seen_length = TRUE;
            ok(!wcscmp(headers[i].pwszValue, L"5"), "Content-Length %s\n", wine_dbgstr_w(headers[i].pwszValue));
        }
    }
    ok(seen_length, "no Content-Length among the headers\n");

    /* one known header */
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CONTENT_LENGTH, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(!error && count == 1 && !wcscmp(headers[0].pwszName, L"Content-Length") && !wcscmp(headers[0].pwszValue, L"5"),
       "got %lu %lu\n", error, count);

    /* a custom one by name, case-insensitively, and as sent on the wire */
    name.pwszName = L"server";
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM, 0, 0, NULL, &name, buffer, &size, &headers, &count);
    ok(!error && count == 1 && !wcscmp(headers[0].pwszValue, L"wstest"), "got %lu %lu\n", error, count);
    name.pszName = "Server";
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_WIRE_ENCODING, 0, 0, NULL, &name,
                                  buffer, &size, &headers, &count);
    ok(!error && count == 1 && !strcmp(headers[0].pszName, "Server") && !strcmp(headers[0].pszValue, "wstest"),
       "got %lu %lu\n", error, count);

    /* request headers, one instance per index */
    name.pwszName = L"X-Test";
    index = 0;
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, 0, 0, &index, &name,
                                  buffer, &size, &headers, &count);
    ok(!error && count == 1 && !wcscmp(headers[0].pwszValue, L"one") && index == 1, "got %lu %lu %lu\n", error, count,
       index);
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, 0, 0, &index, &name,
                                  buffer, &size, &headers, &count);
    ok(!error && count == 1 && !wcscmp(headers[0].pwszValue, L"two") && index == 2, "got %lu %lu %lu\n", error, count,
       index);
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM | WINHTTP_QUERY_FLAG_REQUEST_HEADERS, 0, 0, &index, &name,
                                  buffer, &size, &headers, &count);
    ok(error == ERROR_WINHTTP_HEADER_NOT_FOUND, "third: %lu\n", error);

    /* what the page refuses */
    size = sizeof(buffer);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_STATUS_CODE, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(error == ERROR_INVALID_PARAMETER, "STATUS_CODE: %lu\n", error);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_RAW_HEADERS_CRLF, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(error == ERROR_INVALID_PARAMETER, "RAW_HEADERS_CRLF: %lu\n", error);
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CONTENT_LENGTH | WINHTTP_QUERY_FLAG_NUMBER, 0, 0, NULL, NULL,
                                  buffer, &size, &headers, &count);
    ok(error == ERROR_INVALID_PARAMETER, "FLAG_NUMBER: %lu\n", error);
    name.pwszName = L"X-Missing";
    error = WinHttpQueryHeadersEx(req, WINHTTP_QUERY_CUSTOM, 0, 0, NULL, &name, buffer, &size, &headers, &count);
    ok(error == ERROR_WINHTTP_HEADER_NOT_FOUND, "missing: %lu\n", error);
    error = WinHttpQueryHeadersEx(ses, WINHTTP_QUERY_EX_ALL_HEADERS, 0, 0, NULL, NULL, buffer, &size, &headers, &count);
    ok(error == ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, "session handle: %lu\n", error);

    WinHttpCloseHandle(req);
}

static void test_read_data_ex(void)
{
    static char body[4096];
    DWORD read, error, total = 0, calls = 0;
    HINTERNET req;

    req = get(L"/http/large/3000");
    error = WinHttpReadDataEx(req, body, sizeof(body), &read, 2, 0, NULL);
    ok(error == ERROR_INVALID_PARAMETER, "unknown flag: %lu\n", error);
    error = WinHttpReadDataEx(req, body, sizeof(body), &read, 0, 4, body);
    ok(error == ERROR_INVALID_PARAMETER, "property: %lu\n", error);

    /* FILL_BUFFER: the whole body in one call */
    read = 0xdeadbeef;
    error = WinHttpReadDataEx(req, body, sizeof(body), &read, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, 0, NULL);
    ok(!error && read == 3000, "got %lu, read %lu\n", error, read);
    error = WinHttpReadDataEx(req, body, sizeof(body), &read, WINHTTP_READ_DATA_EX_FLAG_FILL_BUFFER, 0, NULL);
    ok(!error && read == 0, "at the end: %lu, read %lu\n", error, read);
    WinHttpCloseHandle(req);

    /* without it, whatever has arrived, until 0 */
    req = get(L"/http/large/3000");
    do
    {
        error = WinHttpReadDataEx(req, body, 1000, &read, 0, 0, NULL);
        total += read;
    } while (!error && read && ++calls < 100);
    ok(!error && total == 3000, "got %lu, total %lu\n", error, total);
    WinHttpCloseHandle(req);
}

static void test_new_exports(void)
{
    HMODULE module = GetModuleHandleW(L"winhttp.dll");
    WINHTTP_QUERY_CONNECTION_GROUP_RESULT *result = NULL;
    char line[256], name[128], arch[16], path[MAX_PATH], *slash;
    FILE *list = NULL;
    DWORD error;

    /* every export of Windows 11's DLL that mingw-w64's library lacks (the
     * build copies the list next to the test) */
    GetModuleFileNameA(NULL, path, sizeof(path) - 32);
    if ((slash = strrchr(path, '\\')))
    {
        strcpy(slash + 1, "winhttp-exports-win11.txt");
        list = fopen(path, "r");
    }
    if (list)
    {
        while (fgets(line, sizeof(line), list))
        {
            /* NAME@N, or NAME ARCH: the name ends at '@' or blank, the
             * arch (if any) is the word after the first blank */
            arch[0] = 0;
            if (line[0] == '#' || sscanf(line, "%127[^@ \n]", name) < 1) continue;
            sscanf(line + strcspn(line, " \n"), "%15s", arch);
            if (arch[0] && strcmp(arch, sizeof(void *) == 8 ? "x86_64" : "i686")) continue;
            ok(GetProcAddress(module, name) != NULL, "%s is not exported\n", name);
        }
        fclose(list);
    }
    else skip("winhttp-exports-win11.txt is not next to the test\n");

    /* stubs fail as an unsupported call fails */
    error = WinHttpQueryConnectionGroup(ses, NULL, 0, &result);
    ok(error == ERROR_CALL_NOT_IMPLEMENTED && !result, "WinHttpQueryConnectionGroup: %lu %p\n", error, result);
    SetLastError(0xdeadbeef);
    ok(!WinHttpProtocolCompleteUpgrade(NULL, 0) && GetLastError() == ERROR_CALL_NOT_IMPLEMENTED,
       "WinHttpProtocolCompleteUpgrade: %lu\n", GetLastError());
}

START_TEST(exports_ex)
{
    if (!replay_server("WSTEST_SERVER", host, ARRAY_SIZE(host), &port)) return;
    ses = WinHttpOpen(L"winhttp-ws exports test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    con = WinHttpConnect(ses, host, port, 0);
    test_query_headers_ex();
    test_read_data_ex();
    test_new_exports();
    WinHttpCloseHandle(con);
    WinHttpCloseHandle(ses);
}
