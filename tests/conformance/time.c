/*
 * Conformance tests for WinHttpTimeFromSystemTime and WinHttpTimeToSystemTime.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>

#include "test.h"

static const SYSTEMTIME jul28 = { 2008, 7, 1, 28, 10, 5, 52, 0 };

static BOOL same_time(const SYSTEMTIME *a, const SYSTEMTIME *b)
{
    return !memcmp(a, b, sizeof(*a));
}

static const char *dbgstr_time(const SYSTEMTIME *t)
{
    static char buf[4][64];
    static int i;
    char *p = buf[i++ % 4];
    sprintf(p, "%u-%02u-%02u (dow %u) %02u:%02u:%02u.%03u", t->wYear, t->wMonth, t->wDay, t->wDayOfWeek,
            t->wHour, t->wMinute, t->wSecond, t->wMilliseconds);
    return p;
}

static void test_from_system_time(void)
{
    static const struct
    {
        SYSTEMTIME time;
        const WCHAR *expect;
    }
    tests[] =
    {
        { { 2008, 7, 1, 28, 10, 5, 52, 0 }, L"Mon, 28 Jul 2008 10:05:52 GMT" },
        { { 1994, 11, 0, 6, 8, 49, 37, 0 }, L"Sun, 06 Nov 1994 08:49:37 GMT" },
        { { 2000, 1, 6, 1, 0, 0, 0, 999 }, L"Sat, 01 Jan 2000 00:00:00 GMT" },
        { { 2038, 12, 5, 31, 23, 59, 59, 0 }, L"Fri, 31 Dec 2038 23:59:59 GMT" },
        { { 1601, 2, 2, 3, 4, 5, 6, 0 }, L"Tue, 03 Feb 1601 04:05:06 GMT" },
    };
    WCHAR buf[WINHTTP_TIME_FORMAT_BUFSIZE / sizeof(WCHAR) + 1];
    unsigned int i;
    BOOL ret;

    ok(WINHTTP_TIME_FORMAT_BUFSIZE == 62, "WINHTTP_TIME_FORMAT_BUFSIZE %d\n", WINHTTP_TIME_FORMAT_BUFSIZE);

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        memset(buf, 0xcc, sizeof(buf));
        SetLastError(0xdeadbeef);
        ret = WinHttpTimeFromSystemTime(&tests[i].time, buf);
        ok(ret, "%u: failed %lu\n", i, GetLastError());
        ok(GetLastError() == ERROR_SUCCESS, "%u: last error %lu\n", i, GetLastError());
        ok(!wcscmp(buf, tests[i].expect), "%u: got %s\n", i, wine_dbgstr_w(buf));
    }

    SetLastError(0xdeadbeef);
    ret = WinHttpTimeFromSystemTime(&jul28, NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpTimeFromSystemTime(NULL, buf);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
}

static void test_to_system_time(void)
{
    static const WCHAR *same[] =
    {
        L"Mon, 28 Jul 2008 10:05:52 GMT",
        L"Mon, 28 Jul 2008 10:05:52 GMT\n",
        L" mon 28 jul 2008 10 05 52\n",
        L"MON, 28 JUL 2008 10:05:52 GMT",
        L"Monday, 28 July 2008 10:05:52 GMT",
        L"Mon,28 Jul 2008 10:05:52",
    };
    SYSTEMTIME time;
    unsigned int i;
    BOOL ret;

    for (i = 0; i < ARRAY_SIZE(same); i++)
    {
        memset(&time, 0xcc, sizeof(time));
        SetLastError(0xdeadbeef);
        ret = WinHttpTimeToSystemTime(same[i], &time);
        ok(ret, "%s: failed %lu\n", wine_dbgstr_w(same[i]), GetLastError());
        ok(GetLastError() == ERROR_SUCCESS, "%s: last error %lu\n", wine_dbgstr_w(same[i]), GetLastError());
        ok(same_time(&time, &jul28), "%s: got %s\n", wine_dbgstr_w(same[i]), dbgstr_time(&time));
    }

    SetLastError(0xdeadbeef);
    ret = WinHttpTimeToSystemTime(L"Mon, 28 Jul 2008 10:05:52 GMT", NULL);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());

    SetLastError(0xdeadbeef);
    ret = WinHttpTimeToSystemTime(NULL, &time);
    ok(!ret && GetLastError() == ERROR_INVALID_PARAMETER, "got %d %lu\n", ret, GetLastError());
}

/* What cannot be read keeps the current time; the call still succeeds. */
static void test_to_system_time_lenient(void)
{
    SYSTEMTIME time, now;
    BOOL ret;

    GetSystemTime(&now);

    memset(&time, 0, sizeof(time));
    SetLastError(0xdeadbeef);
    ret = WinHttpTimeToSystemTime(L"", &time);
    ok(ret, "failed %lu\n", GetLastError());
    ok(GetLastError() == ERROR_SUCCESS, "last error %lu\n", GetLastError());
    ok(time.wYear == now.wYear || time.wYear == now.wYear + 1, "got %s\n", dbgstr_time(&time));

    memset(&time, 0, sizeof(time));
    ret = WinHttpTimeToSystemTime(L"garbage", &time);
    ok(ret, "failed %lu\n", GetLastError());
    ok(time.wYear == now.wYear || time.wYear == now.wYear + 1, "got %s\n", dbgstr_time(&time));
    ok(time.wMonth >= 1 && time.wMonth <= 12, "got %s\n", dbgstr_time(&time));

    /* a date without the time of day */
    memset(&time, 0, sizeof(time));
    ret = WinHttpTimeToSystemTime(L"Tue, 03 Feb 1998", &time);
    ok(ret, "failed %lu\n", GetLastError());
    ok(time.wYear == 1998 && time.wMonth == 2 && time.wDay == 3 && time.wDayOfWeek == 2,
       "got %s\n", dbgstr_time(&time));

    /* the round trip through the RFC 1123 form */
    {
        SYSTEMTIME in = { 1999, 12, 5, 31, 23, 59, 58, 0 };
        WCHAR buf[WINHTTP_TIME_FORMAT_BUFSIZE / sizeof(WCHAR) + 1];

        ret = WinHttpTimeFromSystemTime(&in, buf);
        ok(ret, "failed %lu\n", GetLastError());
        ret = WinHttpTimeToSystemTime(buf, &time);
        ok(ret, "failed %lu\n", GetLastError());
        ok(same_time(&time, &in), "got %s\n", dbgstr_time(&time));
    }
}

START_TEST(time)
{
    test_from_system_time();
    test_to_system_time();
    test_to_system_time_lenient();
}
