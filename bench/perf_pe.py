#!/usr/bin/env python3
# Usage: bench/perf_pe.py PERF.DATA TIDS [--dll PE]... [--top N] [--modules]
#
# Self samples of a `perf record` of a Wine process, PE code resolved: perf
# names a native PE DLL's code "[JIT]" (Wine maps it anonymously) and gives
# Wine's own PE modules (ntdll.dll, kernel32.dll) without symbols.  Each
# --dll (default build/x86_64/winhttp.dll) is looked up at its image base
# (objdump -p), Wine's x86_64-windows ntdll.dll and kernel32.dll by their
# symbol tables (x86_64-w64-mingw32-nm); kernel samples count as "[k]".
# TIDS: the client's thread ids, comma-separated (`perf report --sort
# comm,pid`).  --modules: totals per module instead of per function.
# docs/HOST.md, "Speed", describes the profiles it was written for, e.g.
#   WINHTTP_BACKEND=host WINEDLLPATH=$PWD/build/x86_64/host taskset -c 0 \
#     perf record -F 20000 -o s16.data -- wine64 bench_winhttp.exe -t 4 -w stream16 127.0.0.1:PORT
#   bench/perf_pe.py s16.data 1234,1301 --dll build/x86_64/winhttp.dll \
#     --dll build/x86_64/bench/bench_winhttp.exe
#
# Copyright 2026 the winhttp-ws authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import bisect, collections, os, subprocess, sys

WINE_PE = os.environ.get('WINE_PE_DIR', '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows')


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def image_base(path):
    for line in run('x86_64-w64-mingw32-objdump', '-p', path).splitlines():
        if line.startswith('ImageBase'):
            return int(line.split()[1], 16)
    return 0


def symbols(path):
    table = []
    for line in run('x86_64-w64-mingw32-nm', '-n', path).splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'tT' and not p[2].startswith('.'):
            table.append((int(p[0], 16), p[2]))
    return table


class Module:
    def __init__(self, path):
        self.name = os.path.basename(path)
        self.base = image_base(path)
        self.syms = symbols(path)
        self.end = max((a for a, _ in self.syms), default=self.base) + 0x10000

    def lookup(self, addr):
        i = bisect.bisect_right(self.syms, (addr, '\xff')) - 1
        return self.syms[i][1] if i >= 0 else hex(addr)


def main(argv):
    if len(argv) < 2:
        head = open(__file__).read().split('\n\n')[0].split('\n')[1:]
        sys.stderr.write('\n'.join(l[2:] if l.startswith('# ') else l.lstrip('#') for l in head) + '\n')
        return 2
    data, tids, dlls, top, per_module = argv[0], argv[1], [], 50, False
    rest = argv[2:]
    while rest:
        if rest[0] == '--dll': dlls.append(rest[1]); rest = rest[2:]
        elif rest[0] == '--top': top = int(rest[1]); rest = rest[2:]
        elif rest[0] == '--modules': per_module = True; rest = rest[1:]
        else: sys.stderr.write('perf_pe: unknown option %s\n' % rest[0]); return 2
    ours = [Module(p) for p in (dlls or ['build/x86_64/winhttp.dll'])]
    wine = {n: Module(os.path.join(WINE_PE, n)) for n in ('ntdll.dll', 'kernel32.dll')}
    out = run('perf', 'script', '-i', data, '--tid', tids, '-F', 'ip,sym,dso')
    count, total = collections.Counter(), 0
    for line in out.splitlines():
        p = line.split(None, 1)
        if len(p) < 2:
            continue
        try:
            ip = int(p[0], 16)
        except ValueError:
            continue
        total += 1
        rest = p[1]
        dso = rest[rest.rfind('(') + 1:rest.rfind(')')] if '(' in rest else ''
        sym = rest[:rest.rfind('(')].strip() if '(' in rest else rest
        mod = next((m for m in ours if m.base <= ip < m.end), None)
        if 'kallsyms' in dso:
            name = '[k]'
        elif mod:
            name = mod.name + '!' + mod.lookup(ip)
        elif os.path.basename(dso) in wine:
            m = wine[os.path.basename(dso)]
            name = m.name + '!' + m.lookup(ip if ip >= m.base else ip + m.base)
        else:
            name = os.path.basename(dso) + '!' + sym
        count[name.split('!')[0] if per_module else name] += 1
    print('%d samples' % total)
    for name, n in count.most_common(top):
        print('%6.2f%%  %s' % (100.0 * n / total, name))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
