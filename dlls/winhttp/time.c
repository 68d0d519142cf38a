/*
 * HTTP dates: WinHttpTimeFromSystemTime, WinHttpTimeToSystemTime.
 *
 * Dates are written in the RFC 1123 form ("Sun, 06 Nov 1994 08:49:37 GMT").
 * Reading is lenient, as Windows: the result starts as the current time and
 * each piece found in the string (weekday, day, month, year, hours, minutes,
 * seconds) replaces its field; a string that stops early, or has a piece
 * that cannot be read, still succeeds with what was read so far.  Fields may
 * be separated by any run of characters that are neither letters nor digits,
 * so RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") dates are read as well.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "winhttp_private.h"

static const WCHAR day_names[7][4] =
    { L"Sun", L"Mon", L"Tue", L"Wed", L"Thu", L"Fri", L"Sat" };

static const WCHAR month_names[12][4] =
    { L"Jan", L"Feb", L"Mar", L"Apr", L"May", L"Jun", L"Jul", L"Aug", L"Sep", L"Oct", L"Nov", L"Dec" };

/***********************************************************************
 *          WinHttpTimeFromSystemTime (winhttp.@)
 */
BOOL WINAPI WinHttpTimeFromSystemTime(const SYSTEMTIME *time, LPWSTR string)
{
    TRACE("%p, %p\n", time, string);

    if (!time || !string)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    swprintf(string, WINHTTP_TIME_FORMAT_BUFSIZE / sizeof(WCHAR), L"%ls, %02u %ls %04u %02u:%02u:%02u GMT",
             day_names[time->wDayOfWeek % 7], time->wDay,
             month_names[(time->wMonth >= 1 && time->wMonth <= 12) ? time->wMonth - 1 : 0],
             time->wYear, time->wHour, time->wMinute, time->wSecond);
    TRACE("%s\n", debugstr_w(string));
    SetLastError(ERROR_SUCCESS);
    return TRUE;
}

static BOOL is_alpha(WCHAR c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static BOOL is_digit(WCHAR c)
{
    return c >= '0' && c <= '9';
}

/* Skips separators: anything that is not a letter or a digit. */
static const WCHAR *skip_separators(const WCHAR *s)
{
    while (*s && !is_alpha(*s) && !is_digit(*s)) s++;
    return s;
}

/* Matches one of the three-letter names at s (case-insensitive), then skips
 * the rest of the word ("Sunday").  Returns the index or -1. */
static int read_name(const WCHAR **s, const WCHAR (*names)[4], int count)
{
    int i;

    for (i = 0; i < count; i++)
    {
        if (!_wcsnicmp(*s, names[i], 3))
        {
            *s += 3;
            while (is_alpha(**s)) (*s)++;
            return i;
        }
    }
    return -1;
}

/* Reads up to five digits; -1 when there are none. */
static int read_number(const WCHAR **s, int *digits)
{
    int value = 0, n = 0;

    while (is_digit(**s) && n < 5)
    {
        value = value * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    if (digits) *digits = n;
    return n ? value : -1;
}

/***********************************************************************
 *          WinHttpTimeToSystemTime (winhttp.@)
 */
BOOL WINAPI WinHttpTimeToSystemTime(LPCWSTR string, SYSTEMTIME *time)
{
    const WCHAR *s = string;
    int value, digits;

    TRACE("%s, %p\n", debugstr_w(string), time);

    if (!string || !time)
    {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    GetSystemTime(time);
    SetLastError(ERROR_SUCCESS);

    s = skip_separators(s);
    if (is_alpha(*s))
    {
        if ((value = read_name(&s, day_names, 7)) < 0) return TRUE;
        time->wDayOfWeek = value;
    }

    s = skip_separators(s);
    if ((value = read_number(&s, NULL)) < 0) return TRUE;
    time->wDay = value;

    s = skip_separators(s);
    if ((value = read_name(&s, month_names, 12)) < 0) return TRUE;
    time->wMonth = value + 1;

    s = skip_separators(s);
    if ((value = read_number(&s, &digits)) < 0) return TRUE;
    if (digits <= 2) value += (value < 50) ? 2000 : 1900;  /* RFC 850 years */
    time->wYear = value;

    s = skip_separators(s);
    if ((value = read_number(&s, NULL)) < 0) return TRUE;
    time->wHour = value;

    s = skip_separators(s);
    if ((value = read_number(&s, NULL)) < 0) return TRUE;
    time->wMinute = value;

    s = skip_separators(s);
    if ((value = read_number(&s, NULL)) < 0) return TRUE;
    time->wSecond = value;
    time->wMilliseconds = 0;
    return TRUE;
}
