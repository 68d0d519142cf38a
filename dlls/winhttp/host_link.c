/*
 * Finding the host-socket helper and checking it (see host_link.h).
 *
 * The helper is winhttp_host.dll, a Wine builtin whose Linux side
 * (winhttp_host.so) Wine loads beside it.  We load it by name, ask ntdll
 * for its call table (NtQueryVirtualMemory with MemoryWineUnixFuncs) and
 * call through __wine_unix_call_dispatcher, exported by Wine's ntdll.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <wchar.h>
#include <string.h>
#include <stdio.h>
#include "host_link.h"

#define MEMORY_WINE_UNIX_FUNCS 1000   /* Wine's MemoryWineUnixFuncs information class */

typedef NTSTATUS (WINAPI *query_memory_fn)(HANDLE process, const void *addr, int info_class, void *buffer,
                                           SIZE_T len, SIZE_T *ret_len);

/* The helper module.  Wine 8 loads a builtin by name only where a file of
 * that name is found (the prefix's system32, which wineboot fills from the
 * builtin folders it knew when it last updated the prefix, or the
 * program's folder); otherwise it is loaded by path from Wine's builtin
 * folders and WINEDLLPATH, which Wine lists to programs as WINEDLLDIR0..n
 * ("\??\Z:\..."), in Wine's layout (x86_64-windows\) or flat. */
#ifdef _WIN64
#define HOST_PE_FOLDER L"x86_64-windows"
#else
#define HOST_PE_FOLDER L"i386-windows"
#endif
static HMODULE load_helper_module(struct host_link *link)
{
    static const WCHAR *const layouts[] = { L"%ls\\" HOST_PE_FOLDER L"\\winhttp_host.dll", L"%ls\\winhttp_host.dll" };
    WCHAR var[32], dir[MAX_PATH];
    const WCHAR *start;
    HMODULE module;
    unsigned int i, j;
    DWORD len;

    link->path[0] = 0;
    if ((module = LoadLibraryW(L"winhttp_host.dll"))) return module;
    for (i = 0; i < 64; i++)
    {
        swprintf(var, ARRAYSIZE(var), L"WINEDLLDIR%u", i);
        if (!(len = GetEnvironmentVariableW(var, dir, ARRAYSIZE(dir))) || len >= ARRAYSIZE(dir)) break;
        start = wcsncmp(dir, L"\\??\\", 4) ? dir : dir + 4;
        for (j = 0; j < ARRAYSIZE(layouts); j++)
        {
            swprintf(link->path, ARRAYSIZE(link->path), layouts[j], start);
            if (GetFileAttributesW(link->path) == INVALID_FILE_ATTRIBUTES) continue;
            if ((module = LoadLibraryExW(link->path, NULL, 0))) return module;
        }
    }
    link->path[0] = 0;
    return NULL;
}

const char *host_link_open(struct host_link *link)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll"), helper;
    query_memory_fn query_memory;
    void **dispatcher;

    memset(link, 0, sizeof(*link));
    if (!ntdll || !(dispatcher = (void **)GetProcAddress(ntdll, "__wine_unix_call_dispatcher")) || !*dispatcher)
        return "not running under Wine (no __wine_unix_call_dispatcher)";
    if (!(query_memory = (query_memory_fn)(void *)GetProcAddress(ntdll, "NtQueryVirtualMemory")))
        return "no NtQueryVirtualMemory";
    if (!(helper = load_helper_module(link)))
        return "winhttp_host.dll is not installed (make wine-install, or WINEDLLPATH)";
    if ((link->status = query_memory(GetCurrentProcess(), helper, MEMORY_WINE_UNIX_FUNCS, &link->handle,
                                     sizeof(link->handle), NULL)) || !link->handle)
    {
        FreeLibrary(helper);
        return "winhttp_host.dll has no Linux side (winhttp_host.so not beside it, or not loaded as builtin)";
    }
    link->call = (host_unix_call_fn)*dispatcher;
    if ((link->status = link->call(link->handle, HOST_CALL_VERSION, &link->version)))
        return "the helper did not answer the version call";
    if (link->version.magic != HOST_ABI_MAGIC || link->version.version != HOST_ABI_VERSION
        || link->version.call_count != HOST_CALL_COUNT)
        return "version mismatch between winhttp.dll and winhttp_host";
    return NULL;
}
