/*
 * Conformance tests for winhttp.dll's message table: every ERROR_WINHTTP_*
 * code turns into text with FormatMessage(FORMAT_MESSAGE_FROM_HMODULE,
 * GetModuleHandle("winhttp.dll")), as programs print WinHTTP errors (libgit2's
 * git_win32_get_error_message, .NET's WinHttpException).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"

static const DWORD codes[] =
{
    ERROR_WINHTTP_OUT_OF_HANDLES, ERROR_WINHTTP_TIMEOUT, ERROR_WINHTTP_INTERNAL_ERROR, ERROR_WINHTTP_INVALID_URL,
    ERROR_WINHTTP_UNRECOGNIZED_SCHEME, ERROR_WINHTTP_NAME_NOT_RESOLVED, ERROR_WINHTTP_INVALID_OPTION,
    ERROR_WINHTTP_OPTION_NOT_SETTABLE, ERROR_WINHTTP_SHUTDOWN, ERROR_WINHTTP_LOGIN_FAILURE,
    ERROR_WINHTTP_OPERATION_CANCELLED, ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, ERROR_WINHTTP_INCORRECT_HANDLE_STATE,
    ERROR_WINHTTP_CANNOT_CONNECT, ERROR_WINHTTP_CONNECTION_ERROR, ERROR_WINHTTP_RESEND_REQUEST,
    ERROR_WINHTTP_SECURE_CERT_DATE_INVALID, ERROR_WINHTTP_SECURE_CERT_CN_INVALID,
    ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, ERROR_WINHTTP_SECURE_INVALID_CA, ERROR_WINHTTP_SECURE_CERT_REV_FAILED,
    ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN, ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND,
    ERROR_WINHTTP_CANNOT_CALL_AFTER_SEND, ERROR_WINHTTP_CANNOT_CALL_AFTER_OPEN, ERROR_WINHTTP_HEADER_NOT_FOUND,
    ERROR_WINHTTP_INVALID_SERVER_RESPONSE, ERROR_WINHTTP_INVALID_HEADER, ERROR_WINHTTP_INVALID_QUERY_REQUEST,
    ERROR_WINHTTP_HEADER_ALREADY_EXISTS, ERROR_WINHTTP_REDIRECT_FAILED, ERROR_WINHTTP_SECURE_CHANNEL_ERROR,
    ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT, ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT, ERROR_WINHTTP_SECURE_INVALID_CERT,
    ERROR_WINHTTP_SECURE_CERT_REVOKED, ERROR_WINHTTP_NOT_INITIALIZED, ERROR_WINHTTP_SECURE_FAILURE,
    ERROR_WINHTTP_UNHANDLED_SCRIPT_TYPE, ERROR_WINHTTP_SCRIPT_EXECUTION_ERROR,
    ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR, ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE,
    ERROR_WINHTTP_AUTODETECTION_FAILED, ERROR_WINHTTP_HEADER_COUNT_EXCEEDED, ERROR_WINHTTP_HEADER_SIZE_OVERFLOW,
    ERROR_WINHTTP_CHUNKED_ENCODING_HEADER_SIZE_OVERFLOW, ERROR_WINHTTP_RESPONSE_DRAIN_OVERFLOW,
    ERROR_WINHTTP_CLIENT_CERT_NO_PRIVATE_KEY, ERROR_WINHTTP_CLIENT_CERT_NO_ACCESS_PRIVATE_KEY,
    ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED_PROXY, ERROR_WINHTTP_SECURE_FAILURE_PROXY,
    ERROR_WINHTTP_RESERVED_189, ERROR_WINHTTP_HTTP_PROTOCOL_MISMATCH,
};

static DWORD format(HMODULE module, DWORD code, DWORD lang, WCHAR *buffer, DWORD size)
{
    return FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS, module, code, lang, buffer,
                          size, NULL);
}

static void test_every_code(void)
{
    HMODULE module = GetModuleHandleA("winhttp.dll");
    WCHAR text[512], *alloc = NULL;
    DWORD i, len;

    ok(module != NULL, "winhttp.dll is not loaded\n");
    for (i = 0; i < ARRAY_SIZE(codes); i++)
    {
        len = format(module, codes[i], 0, text, ARRAY_SIZE(text));
        ok(len > 2 && text[len - 2] == '\r' && text[len - 1] == '\n', "%lu: len %lu error %lu\n", codes[i], len,
           GetLastError());
    }

    /* Windows' wording where programs compare it */
    format(module, ERROR_WINHTTP_TIMEOUT, 0, text, ARRAY_SIZE(text));
    ok(!wcscmp(text, L"The operation timed out\r\n"), "got %s\n", wine_dbgstr_w(text));
    format(module, ERROR_WINHTTP_NAME_NOT_RESOLVED, 0, text, ARRAY_SIZE(text));
    ok(!wcscmp(text, L"The server name or address could not be resolved\r\n"), "got %s\n", wine_dbgstr_w(text));
    format(module, ERROR_WINHTTP_CANNOT_CONNECT, 0, text, ARRAY_SIZE(text));
    ok(!wcscmp(text, L"A connection with the server could not be established\r\n"), "got %s\n", wine_dbgstr_w(text));

    /* as libgit2 asks: the user's default language, an allocated buffer */
    len = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS,
                         module, ERROR_WINHTTP_INCORRECT_HANDLE_TYPE, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT),
                         (WCHAR *)&alloc, 0, NULL);
    ok(len && alloc && wcsstr(alloc, L"wrong type"), "got %lu %s\n", len, wine_dbgstr_w(alloc));
    LocalFree(alloc);
    /* and in English */
    len = format(module, ERROR_WINHTTP_SECURE_FAILURE, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), text,
                 ARRAY_SIZE(text));
    ok(len && !wcscmp(text, L"A security error occurred\r\n"), "got %s\n", wine_dbgstr_w(text));

    /* a code that is not ours has no text here */
    SetLastError(0xdeadbeef);
    len = format(module, ERROR_FILE_NOT_FOUND, 0, text, ARRAY_SIZE(text));
    ok(!len && GetLastError() == ERROR_MR_MID_NOT_FOUND, "got %lu %lu\n", len, GetLastError());
}

START_TEST(errors)
{
    /* link-time import: winhttp.dll is loaded before the test runs */
    WinHttpCheckPlatform();
    test_every_code();
}
