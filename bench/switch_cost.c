/*
 * What a context switch costs a process whose GS base is not zero, as
 * every Wine thread's is (x86_64 Wine keeps the TEB there), against one
 * whose GS base is zero, as a native Linux program's is.
 *
 *   switch_cost [ROUNDS]
 *
 * Two processes pass a byte back and forth through two pipes (ROUNDS
 * round trips, default 200,000; run it pinned to one CPU, taskset -c 0, so
 * that every round trip is two context switches), once with both GS bases
 * zero and once with the child's set by arch_prctl(ARCH_SET_GS).  Prints
 * wall time and CPU time (both processes) per round trip for each.
 *
 * Where the CPU has no FSGSBASE instructions for the kernel (this project's
 * PVM virtual machines), the kernel reloads a non-zero GS base with an MSR
 * write on every switch to or from that process, which a hypervisor may
 * make expensive: the host-socket backend's 16-byte round trips pay it on
 * every message and the native client does not (docs/HOST.md, "Speed").
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <asm/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_seconds(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* One measurement: ROUNDS round trips; the child sets its GS base if asked. */
static int measure(long rounds, int child_gs)
{
    static char area[4096];
    int ping[2], pong[2], status;
    double start, cpu;
    pid_t pid;
    char byte = 0;
    long i;

    if (pipe(ping) || pipe(pong)) return 1;
    cpu = cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN);
    if (!(pid = fork()))
    {
        if (child_gs && syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)area)) _exit(2);
        for (i = 0; i < rounds; i++)
            if (read(ping[0], &byte, 1) != 1 || write(pong[1], &byte, 1) != 1) _exit(3);
        _exit(0);
    }
    if (pid < 0) return 1;
    start = now();
    for (i = 0; i < rounds; i++)
        if (write(ping[1], &byte, 1) != 1 || read(pong[0], &byte, 1) != 1) break;
    start = now() - start;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) return 1;
    cpu = cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN) - cpu;
    printf("switch_cost: GS base %s: %.2f us per round trip, %.2f us CPU\n", child_gs ? "set" : "zero",
           start / rounds * 1e6, cpu / rounds * 1e6);
    close(ping[0]); close(ping[1]); close(pong[0]); close(pong[1]);
    return 0;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 200000;

    if (rounds <= 0 || rounds > 100000000) return 2;
    return measure(rounds, 0) || measure(rounds, 1);
}
