/*
 * A stand-in dhcpcsvc.dll for proxycfg.c's DHCP tests (test_dhcp_fake): the
 * answers of DhcpRequestParams come from the environment, so that bytes
 * Wine's own dhcpcsvc never hands out (a NUL inside option 252) and failing
 * adapters can be tried.
 *
 * WSTEST_FAKE_DHCP: answers separated by '|', one per DhcpRequestParams
 * call (the last one repeats), counted in WSTEST_FAKE_DHCP_CALLS, which the
 * test sets to 0 before a detection and this DLL counts up (the process's
 * environment: whether the DLL stays loaded between detections does not
 * matter).  An answer "!<number>" fails the call with that error; any other
 * is option 252's bytes, with "%00" a NUL and "%25" a '%'; an empty one is
 * no option.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <dhcpcsdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__declspec(dllexport) DWORD WINAPI DhcpCApiInitialize(DWORD *version)
{
    *version = 2;
    return ERROR_SUCCESS;
}

__declspec(dllexport) void WINAPI DhcpCApiCleanup(void)
{
}

/* The n-th answer of spec into answer (NUL-terminated, as written). */
static void nth_answer(const char *spec, long n, char *answer, size_t size)
{
    const char *end;

    for (; n > 0 && (end = strchr(spec, '|')); n--) spec = end + 1;
    end = strchr(spec, '|');
    if (!end) end = spec + strlen(spec);
    if ((size_t)(end - spec) >= size) end = spec + size - 1;
    memcpy(answer, spec, end - spec);
    answer[end - spec] = 0;
}

__declspec(dllexport) DWORD WINAPI DhcpRequestParams(DWORD flags, void *reserved, WCHAR *adapter,
                                                      DHCPCAPI_CLASSID *class_id, DHCPCAPI_PARAMS_ARRAY send,
                                                      DHCPCAPI_PARAMS_ARRAY recv, BYTE *buf, DWORD *size,
                                                      WCHAR *request_id)
{
    char spec[1024], answer[1024], count[16];
    BYTE data[1024];
    DWORD len = 0;
    const char *p;
    long n;

    (void)flags; (void)reserved; (void)class_id; (void)send; (void)request_id;
    n = GetEnvironmentVariableA("WSTEST_FAKE_DHCP_CALLS", count, sizeof(count)) ? atol(count) : 0;
    snprintf(count, sizeof(count), "%ld", n + 1);
    SetEnvironmentVariableA("WSTEST_FAKE_DHCP_CALLS", count);
    if (!adapter || !size || recv.nParams != 1) return ERROR_INVALID_PARAMETER;
    if (!GetEnvironmentVariableA("WSTEST_FAKE_DHCP", spec, sizeof(spec))) spec[0] = 0;
    nth_answer(spec, n, answer, sizeof(answer));
    if (answer[0] == '!') return strtoul(answer + 1, NULL, 10);
    for (p = answer; *p; p++)
    {
        if (p[0] == '%' && p[1] == '0' && p[2] == '0') { data[len++] = 0; p += 2; }
        else if (p[0] == '%' && p[1] == '2' && p[2] == '5') { data[len++] = '%'; p += 2; }
        else data[len++] = *p;
    }
    if (*size < len)
    {
        *size = len;
        return ERROR_MORE_DATA;
    }
    recv.Params[0].Data = len ? buf : NULL;
    recv.Params[0].nBytesData = len;
    if (len) memcpy(buf, data, len);
    *size = len;
    return ERROR_SUCCESS;
}
