#!/bin/bash
# Usage: bench/syscalls.sh [WORKLOAD...]   (default: rt16 rt64k stream4m async_rt16)
#        (wss_<workload> for TLS: a second wsserver with a throw-away
#        certificate, as tools/bench.sh starts it)
#
# Where the time goes: Linux system calls, context switches and CPU time
# (task-clock, µs) per message, in the client process (all its threads) and
# in the wineserver, for ours,
# builtin, raw and raw_cb (bench_raw --callbacks: the async_ rows shaped as
# our client runs them).  Each client runs each workload twice (0.3 s and 1.3 s,
# perf stat counting); the difference divided by the difference in messages
# leaves out start-up, handshake and warm-up.  A wineserver request is one
# or more syscalls on each side, so the server column counts them.
#
# Needs perf (raw_syscalls tracepoint), the built bench (make bench-build)
# and runs in build/bench/wineprefix with a wineserver of its own, stopped
# at the end.  Inputs: WSSERVER, WINE, WINESERVER; CPUS (e.g. 0): client,
# server and wineserver pinned there (taskset), as make bench runs them.

set -u
topdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$topdir" || exit 2
. bench/lib.sh
dir=build/x86_64/bench
wine=${WINE:-wine}
wineserver=${WINESERVER:-wineserver}
wsserver=${WSSERVER:-build/native/server/wsserver}
[ $# -gt 0 ] || set -- rt16 rt64k stream4m async_rt16
command -v perf > /dev/null || { echo "syscalls: perf is not installed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-sys.XXXXXX")
server_pid=
tls_server_pid=
export WINEPREFIX=$topdir/build/bench/wineprefix WINEDEBUG=-all
unset DISPLAY
cleanup() {
    for p in $server_pid $tls_server_pid; do
        kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    "$wineserver" -k 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

case " $* " in
*" wss_"*) start_servers syscalls 1 ;;
*) start_servers syscalls 0 ;;
esac

# our own wineserver, kept alive, found by its directory (named after the
# prefix's device and inode)
mkdir -p "$WINEPREFIX"
"$wineserver" -p
WINEDLLOVERRIDES="mscoree=;mshtml=" "$wine" "$dir/bench_raw.exe" -t 0.05 -w rt16 "$server" > /dev/null 2>&1
ws_pid=$(prefix_wineserver)
[ -n "$ws_pid" ] || { echo "syscalls: cannot find the wineserver of $WINEPREFIX" >&2; exit 2; }

pin=()
if [ -n "${CPUS:-}" ]; then
    pin=(taskset -c "$CPUS")
    taskset -a -p -c "$CPUS" "$ws_pid" > /dev/null
    for p in $server_pid ${tls_server_pid:-}; do taskset -a -p -c "$CPUS" "$p" > /dev/null; done
fi

# one CLIENT OVERRIDE EXE WORKLOAD SECONDS [ARGS...] -> "messages client_syscalls client_cs server_syscalls server_cs"
one() {
    perf stat -x, -e raw_syscalls:sys_enter,context-switches,task-clock -p "$ws_pid" -o "$work/srv" &
    local sp=$!
    sleep 0.2
    WINEDLLOVERRIDES="winhttp=$2;mscoree=;mshtml=" perf stat -x, -e raw_syscalls:sys_enter,context-switches,task-clock \
        -o "$work/cli" -- ${pin[@]+"${pin[@]}"} "$wine" "$3" "${@:6}" -n "$1" -t "$5" -w "$4" "${tls[@]}" "$server" > "$work/out" 2> /dev/null
    kill -INT $sp
    wait $sp
    # task-clock is in ms: kept as whole microseconds
    echo "$(awk '$1 == "RESULT" { print $6 }' "$work/out" | tr -d '\r') $(awk -F, '/sys_enter|context/ { printf "%s ", $1 } /task-clock/ { printf "%d ", $1 * 1000 }' "$work/cli") $(awk -F, '/sys_enter|context/ { printf "%s ", $1 } /task-clock/ { printf "%d ", $1 * 1000 }' "$work/srv")"
}

printf '%-12s %-8s %10s %12s %12s %12s %12s %12s %12s\n' workload client messages cli-sys/msg cli-cs/msg cli-cpu-us \
    srv-sys/msg srv-cs/msg srv-cpu-us
for w in "$@"; do
    clients="ours builtin raw"
    case $w in async_*|wss_async_*) clients="$clients raw_cb" ;; esac
    for c in $clients; do
        args=()
        case $c in
        ours) o=n exe=$dir/bench_winhttp.exe ;;
        builtin) o=b exe=$dir/bench_winhttp.exe ;;
        raw) o=n exe=$dir/bench_raw.exe ;;
        raw_cb) o=n exe=$dir/bench_raw.exe args=(--callbacks) ;;
        esac
        read -r m1 a1 b1 t1 c1 d1 u1 <<< "$(one $c $o $exe $w 0.3 ${args[@]+"${args[@]}"})"
        read -r m2 a2 b2 t2 c2 d2 u2 <<< "$(one $c $o $exe $w 1.3 ${args[@]+"${args[@]}"})"
        awk -v w=$w -v c=$c -v m1="$m1" -v m2="$m2" -v a="$((a2 - a1))" -v b="$((b2 - b1))" -v t="$((t2 - t1))" \
            -v s="$((c2 - c1))" -v d="$((d2 - d1))" -v u="$((u2 - u1))" \
            'BEGIN { n = m2 - m1; if (n <= 0) { printf "%-12s %-8s %10s (no difference in messages)\n", w, c, m2; exit }
                     printf "%-12s %-8s %10d %12.1f %12.2f %12.1f %12.1f %12.2f %12.1f\n", w, c, m2, a / n, b / n, t / n,
                            s / n, d / n, u / n }'
    done
done
