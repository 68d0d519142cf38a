/*
 * Memory and handle counts of the test process, for leak checks, working
 * around what Wine 8 does not fill in.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef PROCESS_STATS_H
#define PROCESS_STATS_H

#include <windows.h>
#include <psapi.h>

/* Private bytes and working set; Wine 8 leaves PrivateUsage 0, and its
 * PagefileUsage is the same figure there. */
static inline void process_memory(SIZE_T *private_bytes, SIZE_T *working_set)
{
    PROCESS_MEMORY_COUNTERS_EX pmc;

    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc));
    *private_bytes = pmc.PrivateUsage ? pmc.PrivateUsage : pmc.PagefileUsage;
    if (working_set) *working_set = pmc.WorkingSetSize;
}

/* Handles of this process; Wine 8's GetProcessHandleCount gives 0, so count
 * our entries in the system handle list (SystemHandleInformation) then. */
static inline DWORD process_handle_count(void)
{
    struct entry { ULONG pid; BYTE type, flags; USHORT handle; void *object; ACCESS_MASK access; };
    struct list { ULONG count; struct entry e[1]; } *info;
    LONG (WINAPI *query)(int, void *, ULONG, ULONG *);
    ULONG size = 1 << 16, ret, i;
    DWORD count = 0;
    LONG status;

    if (GetProcessHandleCount(GetCurrentProcess(), &count) && count) return count;
    query = (void *)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQuerySystemInformation");
    if (!query) return 0;
    for (;;)
    {
        info = HeapAlloc(GetProcessHeap(), 0, size);
        status = query(16 /* SystemHandleInformation */, info, size, &ret);
        if (status != (LONG)0xc0000004 /* STATUS_INFO_LENGTH_MISMATCH */ || size >= (64u << 20)) break;
        HeapFree(GetProcessHeap(), 0, info);
        size *= 2;
    }
    if (!status)
        for (i = 0; i < info->count; i++) if (info->e[i].pid == GetCurrentProcessId()) count++;
    HeapFree(GetProcessHeap(), 0, info);
    return count;
}

#endif /* PROCESS_STATS_H */
