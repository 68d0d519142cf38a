#!/bin/bash
# Usage: bench/cpumsg.sh [--rounds N] [--workloads LIST] [--host DIR [--host-a DIR] [--raw-host]] [--cpus LIST] A.dll [B.dll]
#
# Client CPU per message, the measure of docs/HOST.md "Speed": each client
# (bench_winhttp.exe with A.dll, with B.dll, and the reference: the native
# Linux client with --host, bench_raw.exe without) runs each workload for
# 0.3 s and 1.3 s under `perf stat`; (task-clock, user time, system calls,
# context switches) of the longer run minus the shorter, divided by the
# difference in messages, leaves out start-up, handshake and warm-up.  N
# rounds (default 5), interleaved; prints per workload and client the
# median (min-max) of CPU and user µs, and the medians of system calls and
# switches, per message.  --host DIR: A and B run on host sockets
# (WINHTTP_BACKEND=host, WINEDLLPATH=DIR); --host-a DIR: A's helper is
# another (A built against another HOST_ABI_VERSION, e.g. main's, would
# fall back to Winsock with B's helper: a rate of a few thousand messages/s
# shows it); --raw-host: the reference is raw's client on the same helper
# (bench_raw.exe --host) instead of the native client.  Pinned to --cpus (default 0) like make bench, server
# included.  The counts are exact; the CPU figures still move by more than
# small changes on a loaded machine (a round's short run may even cost more
# than its long one: a negative figure), so take several rounds.
# Inputs: WSSERVER, WINE, WINESERVER, BENCH_NATIVE.

set -u
topdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$topdir" || exit 2
. bench/lib.sh
rounds=5 workloads=rt16,stream16 cpus=0 host_dir="" host_a="" raw_host=0
while [ $# -gt 1 ]; do
    case $1 in
    --host) host_dir=$(cd "$2" && pwd) && [ -f "$host_dir/winhttp_host.so" ] ||
                { echo "cpumsg: no winhttp_host.so in $2" >&2; exit 2; }
            shift 2 ;;
    --host-a) host_a=$(cd "$2" && pwd) && [ -f "$host_a/winhttp_host.so" ] ||
                { echo "cpumsg: no winhttp_host.so in $2" >&2; exit 2; }
            shift 2 ;;
    --raw-host) raw_host=1; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] && [ $# -le 2 ] && [ -f "$1" ] && { [ $# = 1 ] || [ -f "$2" ]; } ||
    { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
command -v perf > /dev/null || { echo "cpumsg: perf is not installed" >&2; exit 2; }
[ $raw_host = 0 ] || [ -n "$host_dir" ] || { echo "cpumsg: --raw-host needs --host DIR" >&2; exit 2; }
dir=build/x86_64/bench
wine=${WINE:-wine}
wineserver=${WINESERVER:-wineserver}
wsserver=${WSSERVER:-build/native/server/wsserver}
native=${BENCH_NATIVE:-build/native/bench/bench_native}
for f in "$dir/bench_winhttp.exe" "$dir/bench_raw.exe" "$wsserver" "$native"; do
    [ -e "$f" ] || { echo "cpumsg: $f is missing (run make bench-build)" >&2; exit 2; }
done
pin=(taskset -c "$cpus")

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-cpumsg.XXXXXX")
server_pid= tls_server_pid=
export WINEPREFIX=$topdir/build/bench/wineprefix WINEDEBUG=-all
unset DISPLAY
cleanup() {
    for p in $server_pid $tls_server_pid; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    "$wineserver" -k 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

builds=(A)
[ $# = 2 ] && builds=(A B)
for v in "${builds[@]}"; do
    mkdir "$work/$v"
    cp "$dir/bench_winhttp.exe" "$work/$v/"
done
cp "$1" "$work/A/winhttp.dll"
[ $# = 2 ] && cp "$2" "$work/B/winhttp.dll"
start_servers cpumsg 0
mkdir -p "$WINEPREFIX"
"$wineserver" -p > /dev/null 2>&1 < /dev/null
p=$(prefix_wineserver)
[ -n "$p" ] && taskset -a -p -c "$cpus" "$p" > /dev/null
[ -n "$host_dir" ] && [ -z "$host_a" ] && host_a=$host_dir

# one CLIENT WORKLOAD SECONDS -> "messages syscalls switches cpu_us user_us"
one() {
    local cmd backend=()
    [ -n "$host_dir" ] && backend=(WINHTTP_BACKEND=host WINEDLLPATH="$host_dir")
    [ "$1" = A ] && [ -n "$host_a" ] && backend=(WINHTTP_BACKEND=host WINEDLLPATH="$host_a")
    case $1 in
    ref) if [ $raw_host = 1 ]; then cmd=("$wine" "$dir/bench_raw.exe" --host)
         elif [ -n "$host_dir" ]; then cmd=("$native"); else cmd=("$wine" "$dir/bench_raw.exe"); fi ;;
    *) cmd=("$wine" "$work/$1/bench_winhttp.exe") ;;
    esac
    env ${backend[@]+"${backend[@]}"} WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=" "${pin[@]}" \
        perf stat -x, -e raw_syscalls:sys_enter,context-switches,task-clock,user_time -o "$work/stat" -- \
        timeout -k 5 120 "${cmd[@]}" -n "$1" -t "$3" -w "$2" "$server" 2> /dev/null > "$work/out"
    echo "$(awk '$1 == "RESULT" { print $6 }' "$work/out" | tr -d '\r') $(awk -F, '/sys_enter|context/ { printf "%s ", $1 } /task-clock/ { printf "%d ", $1 * 1000 } /user_time/ { printf "%d ", $1 / 1000 }' "$work/stat")"
}

for ((r = 1; r <= rounds; r++)); do
    for w in ${workloads//,/ }; do
        for c in "${builds[@]}" ref; do
            read -r m1 s1 x1 t1 u1 <<< "$(one $c $w 0.3)"
            read -r m2 s2 x2 t2 u2 <<< "$(one $c $w 1.3)"
            [ -n "${m1:-}" ] && [ -n "${m2:-}" ] && [ -n "${u2:-}" ] || { echo "cpumsg: $c $w failed" >&2; continue; }
            echo "$w $c $m1 $m2 $s1 $s2 $x1 $x2 $t1 $t2 $u1 $u2"
        done
    done
    echo "cpumsg: round $r/$rounds" >&2
done | awk "$awk_median"'
    { n = $4 - $3; if (n <= 0) next
      k = $1 SUBSEP $2; cnt[k]++; val[k, cnt[k]] = ($10 - $9) / n; sys[k, cnt[k]] = ($6 - $5) / n; sw[k, cnt[k]] = ($8 - $7) / n; us[k, cnt[k]] = ($12 - $11) / n
      if (!($1 in seen)) { seen[$1] = 1; order[++nw] = $1 } }
    END {
        printf "%-14s %-4s %-24s %-24s %10s %10s\n", "workload", "who", "CPU us/msg median (range)", "user us/msg", "syscalls", "switches"
        for (i = 1; i <= nw; i++)
            for (c = 0; c < 3; c++) {
                v = c == 0 ? "A" : c == 1 ? "B" : "ref"
                k = order[i] SUBSEP v
                if (!cnt[k]) continue
                mv = median(k)
                lo_v = lo[k]; hi_v = hi[k]
                for (j = 1; j <= cnt[k]; j++) val[k, j] = us[k, j]
                mu = median(k)
                mu_s = sprintf("%.2f (%.2f-%.2f)", mu, lo[k], hi[k])
                for (j = 1; j <= cnt[k]; j++) val[k, j] = sys[k, j]
                ms = median(k)
                for (j = 1; j <= cnt[k]; j++) val[k, j] = sw[k, j]
                mx = median(k)
                printf "%-14s %-4s %-24s %-24s %10.2f %10.3f\n", order[i], v, sprintf("%.2f (%.2f-%.2f)", mv, lo_v, hi_v), mu_s, ms, mx
            }
    }'
