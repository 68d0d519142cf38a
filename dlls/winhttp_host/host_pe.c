/*
 * winhttp_host.dll: the PE half of the host-socket helper.
 *
 * It holds no code of its own.  It exists so that Wine, which loads it as a
 * builtin (winebuild --builtin stamps it), loads winhttp_host.so beside it;
 * winhttp.dll then asks ntdll for that library's call table
 * (NtQueryVirtualMemory, MemoryWineUnixFuncs) with this module's base and
 * makes the calls itself (see dlls/winhttp/net_host.c).  A native DLL such
 * as winhttp.dll cannot have a Linux side of its own.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    if (reason == DLL_PROCESS_ATTACH) DisableThreadLibraryCalls(instance);
    return TRUE;
}
