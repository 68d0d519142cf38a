/*
 * bench-scale: how many asynchronous websockets, each with a Receive
 * pending, one process carries, and what each costs in threads and memory.
 *
 *   scale.exe COUNT [SECONDS [WINDOW]]
 *
 * Opens COUNT websockets to WSTEST_SERVER's /echo in an async session, up
 * to WINDOW upgrades (default 32) in flight at once as a busy client would
 * open them, posts a Receive on each (from the upgrade's HEADERS_AVAILABLE
 * callback), then reports the threads the process gained and its private
 * memory per connection (our own buffers subtracted).  Then it proves the
 * sockets are alive (a sample echoes) and closes them all.  Bounded by
 * SECONDS (default 120) for the opening and 30 s more for the echoes: a DLL
 * that stalls is reported as such.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <winhttp.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>

#define RECV_BUF 16

/* A request's context is its slot. */
struct slot
{
    HINTERNET ws;
    BYTE buf[RECV_BUF];
};

static HANDLE window, echo_event;
static volatile LONG opened, errors, echoes;
static struct slot *slots;

/* The websockets' notifications: a READ_COMPLETE is a sampled echo (the
 * other receives end only when their websockets are closed, with an error). */
static void CALLBACK websocket_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE && InterlockedIncrement(&echoes) > 0) SetEvent(echo_event);
}

/* An upgrade is over, opened or not: the next may start. */
static void upgrade_done(HINTERNET request, BOOL ok)
{
    InterlockedIncrement(ok ? &opened : &errors);
    WinHttpCloseHandle(request);
    ReleaseSemaphore(window, 1, NULL);
}

/* The upgrades' notifications. */
static void CALLBACK callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct slot *slot = (struct slot *)context;

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
        if (!WinHttpReceiveResponse(handle, NULL)) upgrade_done(handle, FALSE);
        break;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        if ((slot->ws = WinHttpWebSocketCompleteUpgrade(handle, 0))
            && (WinHttpSetStatusCallback(slot->ws, websocket_callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0)
                == WINHTTP_INVALID_STATUS_CALLBACK
                || WinHttpWebSocketReceive(slot->ws, slot->buf, RECV_BUF, NULL, NULL)))
        {
            WinHttpCloseHandle(slot->ws);
            slot->ws = NULL;
        }
        upgrade_done(handle, slot->ws != NULL);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        upgrade_done(handle, FALSE);
        break;
    }
}

#define MAX_THREADS 4096

/* The process' threads: their count, and their ids in ids (up to MAX_THREADS). */
static unsigned int list_threads(DWORD *ids)
{
    THREADENTRY32 te;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    DWORD pid = GetCurrentProcessId();
    unsigned int n = 0;

    memset(&te, 0, sizeof(te));
    te.dwSize = sizeof(te);
    if (snap == INVALID_HANDLE_VALUE) return 0;
    if (Thread32First(snap, &te))
        do if (te.th32OwnerProcessID == pid && n++ < MAX_THREADS) ids[n - 1] = te.th32ThreadID;
        while (Thread32Next(snap, &te));
    CloseHandle(snap);
    return n;
}

/* Where a thread started: "module+offset" of its start address
 * (NtQueryInformationThread, ThreadQuerySetWin32StartAddress). */
static void thread_origin(DWORD tid, char *out, size_t len)
{
    typedef LONG (WINAPI *query_fn)(HANDLE, int, void *, ULONG, ULONG *);
    query_fn query = (query_fn)(void *)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationThread");
    HANDLE thread = OpenThread(THREAD_QUERY_INFORMATION, FALSE, tid);
    void *start = NULL;
    HMODULE module = NULL;
    char name[MAX_PATH] = "?", *base;

    if (thread && query) query(thread, 9 /* ThreadQuerySetWin32StartAddress */, &start, sizeof(start), NULL);
    if (thread) CloseHandle(thread);
    if (start && GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                    start, &module))
        GetModuleFileNameA(module, name, sizeof(name));
    base = strrchr(name, '\\') ? strrchr(name, '\\') + 1 : name;
    snprintf(out, len, "%s+%#lx", base, (unsigned long)(module ? (ULONG_PTR)start - (ULONG_PTR)module : (ULONG_PTR)start));
}

/* The threads in after that were not in before, counted by where they started. */
static void report_new_threads(const DWORD *before, unsigned int n_before, const DWORD *after, unsigned int n_after)
{
    char origins[64][96], origin[96];
    unsigned int counts[64], kinds = 0, i, j, k;

    for (i = 0; i < n_after && i < MAX_THREADS; i++)
    {
        for (j = 0; j < n_before && j < MAX_THREADS && before[j] != after[i]; j++) {}
        if (j < n_before && j < MAX_THREADS) continue;
        thread_origin(after[i], origin, sizeof(origin));
        for (k = 0; k < kinds && strcmp(origins[k], origin); k++) {}
        if (k == kinds && kinds < 64) { strcpy(origins[kinds], origin); counts[kinds++] = 0; }
        if (k < kinds) counts[k]++;
    }
    for (k = 0; k < kinds; k++) printf("scale: new threads starting at %s: %u\n", origins[k], counts[k]);
}

/* Where the process heap's bytes are: its busy blocks by size (rounded up
 * to a power of two), the five largest totals. */
static void report_heap(void)
{
    SIZE_T bytes[40] = { 0 }, blocks[40] = { 0 }, total = 0;
    PROCESS_HEAP_ENTRY entry;
    HANDLE heap = GetProcessHeap();
    int i, k, best;

    memset(&entry, 0, sizeof(entry));
    if (!HeapLock(heap)) return;
    while (HeapWalk(heap, &entry))
    {
        if (!(entry.wFlags & PROCESS_HEAP_ENTRY_BUSY)) continue;
        for (i = 0; i < 39 && ((SIZE_T)1 << i) < entry.cbData; i++) {}
        bytes[i] += entry.cbData;
        blocks[i]++;
        total += entry.cbData;
    }
    HeapUnlock(heap);
    printf("scale: process heap: %.1f MiB in busy blocks", total / 1048576.0);
    for (k = 0; k < 5; k++)
    {
        for (best = -1, i = 0; i < 40; i++) if (bytes[i] && (best < 0 || bytes[i] > bytes[best])) best = i;
        if (best < 0) break;
        printf("%s %llu of <= %llu bytes (%.1f MiB)", k ? "," : ";", (unsigned long long)blocks[best],
               1ull << best, bytes[best] / 1048576.0);
        bytes[best] = 0;
    }
    printf("\n");
}

static SIZE_T private_bytes(void)
{
    PROCESS_MEMORY_COUNTERS_EX pmc;
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc));
    /* Wine leaves PrivateUsage at 0; its working set is the process' RSS. */
    return pmc.PrivateUsage ? pmc.PrivateUsage : pmc.WorkingSetSize;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1000, seconds = argc > 2 ? atoi(argv[2]) : 120, i, started, sample = 0;
    int width = argc > 3 && atoi(argv[3]) > 0 ? atoi(argv[3]) : 32;
    char server[128], *colon;
    WCHAR host[64];
    INTERNET_PORT port;
    HINTERNET session, connect;
    static DWORD ids_before[MAX_THREADS], ids_after[MAX_THREADS];
    unsigned int threads_before, threads_after;
    SIZE_T mem_before, mem_after;
    LONG echoed;
    DWORD start = GetTickCount(), deadline = seconds * 1000;

    if (!GetEnvironmentVariableA("WSTEST_SERVER", server, sizeof(server)) || !(colon = strrchr(server, ':')))
    {
        printf("scale: WSTEST_SERVER not set\n");
        return 2;
    }
    *colon = 0;
    port = (INTERNET_PORT)atoi(colon + 1);
    MultiByteToWideChar(CP_UTF8, 0, server, -1, host, (int)(sizeof(host) / sizeof(host[0])));
    window = CreateSemaphoreW(NULL, width, width, NULL);
    echo_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    slots = calloc(count, sizeof(*slots));

    session = WinHttpOpen(L"scale", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, WINHTTP_FLAG_ASYNC);
    WinHttpSetStatusCallback(session, callback, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0);
    connect = WinHttpConnect(session, host, port, 0);
    threads_before = list_threads(ids_before);
    mem_before = private_bytes();

    /* Up to width upgrades in flight; the first failure stops new ones. */
    for (started = 0; started < count && !errors; started++)
    {
        HINTERNET request;
        DWORD left = deadline - min(deadline, GetTickCount() - start);

        if (WaitForSingleObject(window, left)) break;
        request = errors ? NULL : WinHttpOpenRequest(connect, L"GET", L"/echo", NULL, NULL, NULL, 0);
        if (request) WinHttpSetOption(request, WINHTTP_OPTION_UPGRADE_TO_WEB_SOCKET, NULL, 0);
        if (!request || !WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, (DWORD_PTR)&slots[started]))
        {
            /* not started: its window slot goes back, or the wait below runs to the deadline */
            if (request) WinHttpCloseHandle(request);
            ReleaseSemaphore(window, 1, NULL);
            break;
        }
    }
    /* the upgrades still in flight end (all window slots back), within the deadline */
    for (i = 0; i < width; i++)
        if (WaitForSingleObject(window, deadline - min(deadline, GetTickCount() - start))) break;
    if (opened + errors < started) printf("scale: %ld upgrades still in flight at the deadline\n", started - opened - errors);
    if (errors) printf("scale: %ld upgrades failed\n", errors);
    threads_after = list_threads(ids_after);
    mem_after = private_bytes();
    report_heap();
    printf("scale: opened %ld of %d websockets with a receive pending in %lu ms (%d upgrades at a time)\n", opened, count,
           GetTickCount() - start, width);
    printf("scale: threads %u -> %u (+%d)\n", threads_before, threads_after, (int)threads_after - (int)threads_before);
    report_new_threads(ids_before, threads_before, ids_after, threads_after);
    printf("scale: private memory (or working set) %.1f MiB -> %.1f MiB, %.2f KiB per connection\n", mem_before / 1048576.0,
           mem_after / 1048576.0, opened ? (double)(mem_after - mem_before) / opened / 1024.0 : 0.0);

    /* Alive: every 100th socket echoes a message. */
    for (i = 0; i < started; i += 100)
    {
        if (!slots[i].ws) continue;
        if (!WinHttpWebSocketSend(slots[i].ws, WINHTTP_WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, (void *)"ping", 4)) sample++;
    }
    start = GetTickCount();
    while (echoes < sample && GetTickCount() - start < 30000 && !WaitForSingleObject(echo_event, 5000)) {}
    echoed = echoes;
    printf("scale: %ld of %d sampled sockets echoed\n", echoed, sample);
    for (i = 0; i < started; i++) if (slots[i].ws) WinHttpCloseHandle(slots[i].ws);
    WinHttpCloseHandle(connect);
    WinHttpCloseHandle(session);
    printf("scale: RESULT count=%d opened=%ld threads_added=%d kib_per_conn=%.2f echoed=%ld/%d\n", count, opened,
           (int)threads_after - (int)threads_before,
           opened ? (double)(mem_after - mem_before) / opened / 1024.0 : 0.0, echoed, sample);
    return opened == count && echoed == sample ? 0 : 1;
}
