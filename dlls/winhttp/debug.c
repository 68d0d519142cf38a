/*
 * The winhttp debug channel (see debug.h).
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <oleauto.h>

#include "debug.h"

/* Wine's default: fixme and err on, warn and trace off. */
unsigned char winhttp_debug_flags = (1 << DEBUG_CLASS_FIXME) | (1 << DEBUG_CLASS_ERR);

static int (__cdecl *wine_dbg_output)(const char *str);

static const char *const class_names[] = { "fixme", "err", "warn", "trace" };

/* Applies one WINEDEBUG item such as "+winhttp", "warn-all" or "-all". */
static void apply_option(const char *item, size_t len)
{
    unsigned char mask = 0xff;
    const char *op = NULL, *name;
    size_t i, name_len;
    int set;

    for (i = 0; i < len; i++) if (item[i] == '+' || item[i] == '-') { op = item + i; break; }
    if (!op) return;
    if (op > item)
    {
        mask = 0;
        for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
            if (strlen(class_names[i]) == (size_t)(op - item) && !strncmp(item, class_names[i], op - item))
                mask = 1 << i;
        if (!mask) return;
    }
    set = *op == '+';
    name = op + 1;
    name_len = len - (name - item);
    if (!(name_len == 3 && !strncmp(name, "all", 3)) && !(name_len == 7 && !strncmp(name, "winhttp", 7)))
        return;
    if (set) winhttp_debug_flags |= mask;
    else winhttp_debug_flags &= ~mask;
}

void debug_init(void)
{
    char value[1024];
    const char *p, *end;
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    DWORD len;

    if (ntdll) wine_dbg_output = (void *)GetProcAddress(ntdll, "__wine_dbg_output");
    len = GetEnvironmentVariableA("WINEDEBUG", value, sizeof(value));
    if (!len || len >= sizeof(value)) return;
    for (p = value; *p; p = end)
    {
        end = p + strcspn(p, ",");
        apply_option(p, end - p);
        if (*end) end++;
    }
}

void debug_printf(enum debug_class cls, const char *function, const char *format, ...)
{
    char buffer[2048];
    va_list args;
    int len;

    len = snprintf(buffer, sizeof(buffer), "%04lx:%s:winhttp:%s ", GetCurrentThreadId(), class_names[cls], function);
    va_start(args, format);
    if (len >= 0 && len < (int)sizeof(buffer)) vsnprintf(buffer + len, sizeof(buffer) - len, format, args);
    va_end(args);
    buffer[sizeof(buffer) - 1] = 0;
    if (wine_dbg_output) wine_dbg_output(buffer);
    else
    {
        DWORD written;
        WriteFile(GetStdHandle(STD_ERROR_HANDLE), buffer, strlen(buffer), &written, NULL);
    }
}

/* Strings for trace messages, from a small per-thread ring of buffers. */
static char *debug_buffer(void)
{
    static __thread char buffers[4][512];
    static __thread unsigned int next;
    return buffers[next++ % 4];
}

const char *debugstr_wn(const WCHAR *str, int len)
{
    char *buf, *p;
    int i;
    if (!str) return "(null)";
    if (!((ULONG_PTR)str >> 16)) { buf = debug_buffer(); sprintf(buf, "#%04x", (unsigned)(ULONG_PTR)str); return buf; }
    buf = p = debug_buffer();
    *p++ = 'L';
    *p++ = '"';
    for (i = 0; (len < 0 ? str[i] != 0 : i < len) && p - buf < 490; i++)
    {
        WCHAR c = str[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') *p++ = (char)c;
        else p += sprintf(p, "\\x%04x", c);
    }
    *p++ = '"';
    *p = 0;
    return buf;
}

const char *debugstr_an(const char *str, int len)
{
    char *buf, *p;
    int i;
    if (!str) return "(null)";
    buf = p = debug_buffer();
    *p++ = '"';
    for (i = 0; (len < 0 ? str[i] != 0 : i < len) && p - buf < 490; i++)
    {
        unsigned char c = str[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') *p++ = (char)c;
        else p += sprintf(p, "\\x%02x", c);
    }
    *p++ = '"';
    *p = 0;
    return buf;
}

const char *debugstr_guid(const GUID *guid)
{
    char *buf;
    if (!guid) return "(null)";
    buf = debug_buffer();
    sprintf(buf, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", guid->Data1, guid->Data2, guid->Data3,
            guid->Data4[0], guid->Data4[1], guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5],
            guid->Data4[6], guid->Data4[7]);
    return buf;
}

/* The type and, for the simple types, the value. */
const char *debugstr_variant(const VARIANT *v)
{
    char *buf;
    if (!v) return "(null)";
    buf = debug_buffer();
    switch (V_VT(v))
    {
    case VT_EMPTY: return "{VT_EMPTY}";
    case VT_NULL:  return "{VT_NULL}";
    case VT_I4:    sprintf(buf, "{VT_I4: %ld}", V_I4(v)); break;
    case VT_UI4:   sprintf(buf, "{VT_UI4: %lu}", V_UI4(v)); break;
    case VT_BOOL:  sprintf(buf, "{VT_BOOL: %d}", V_BOOL(v)); break;
    case VT_ERROR: sprintf(buf, "{VT_ERROR: %#lx}", V_ERROR(v)); break;
    case VT_BSTR:  snprintf(buf, 512, "{VT_BSTR: %s}", debugstr_w(V_BSTR(v))); break;
    default:       sprintf(buf, "{vt %#x}", V_VT(v)); break;
    }
    return buf;
}
