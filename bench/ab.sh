#!/bin/bash
# Usage: bench/ab.sh [--rounds N] [--seconds S] [--workloads LIST] [--cpus LIST] [--proxy] [--host DIR [--host-a DIR]]
#                    [--raw-callbacks] [--raw-host] A.dll B.dll
#
# A/B of two builds of our winhttp.dll, for changes smaller than the spread
# between `make bench` runs: N rounds (default 6), each running
# bench_winhttp.exe with A.dll, with B.dll and bench_raw.exe once over the
# workloads (default async_pipe16,stream64k), interleaved, pinned like make
# bench (--cpus, default 0).  Prints per workload the median (min-max) of
# A, B and raw and the ratios A/raw and B/raw.  wss_ workloads use the
# certificates in build/bench/pki (made when missing).  --proxy: the round
# trips run once more as proxy_<workload> through a CONNECT tunnel of
# Debian's squid (tools/start-squid.sh), as in make bench; name them in
# --workloads (e.g. async_rt16,proxy_async_rt16).  --host DIR: A and B run
# on host sockets (WINHTTP_BACKEND=host, WINEDLLPATH=DIR, e.g.
# build/x86_64/host; docs/HOST.md) and the reference is the native Linux
# client (BENCH_NATIVE, default build/native/bench/bench_native; ws rows
# only) instead of raw Winsock: the columns are then A/native and B/native.
# --host-a DIR: A's helper is another (an A built against another
# HOST_ABI_VERSION would fall back to Winsock with B's helper).
# --raw-host (with --host): the reference is `bench_raw.exe --host`, raw's
# client on host sockets through the same helper (the limit for a PE
# program there) instead of the native client.
# --raw-callbacks: the reference is `bench_raw.exe --callbacks`, raw Winsock
# shaped as bench_winhttp.exe's async_ workloads (completions, bench_pipe.c);
# async_ rows only.
#
# Keep a build with `cp build/x86_64/winhttp.dll /tmp/a.dll`, change, make,
# then `bench/ab.sh /tmp/a.dll build/x86_64/winhttp.dll`.
# Inputs: WSSERVER, WINE, WINESERVER.

set -u
topdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$topdir" || exit 2
. bench/lib.sh
rounds=6 seconds=1 workloads=async_pipe16,stream64k cpus=0 with_proxy=0 host_dir="" host_a="" ref=raw raw_args=() raw_host=0
while [ $# -gt 2 ]; do
    case $1 in
    --proxy) with_proxy=1; shift ;;
    --host) host_dir=$(cd "$2" && pwd) && [ -f "$host_dir/winhttp_host.so" ] ||
                { echo "ab: no winhttp_host.so in $2" >&2; exit 2; }
            ref=native; shift 2 ;;
    --host-a) host_a=$(cd "$2" && pwd) && [ -f "$host_a/winhttp_host.so" ] ||
                { echo "ab: no winhttp_host.so in $2" >&2; exit 2; }
            shift 2 ;;
    --raw-callbacks) raw_args=(--callbacks) ref=raw_cb; shift ;;
    --raw-host) raw_host=1; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# = 2 ] && [ -f "$1" ] && [ -f "$2" ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
if [ $raw_host = 1 ]; then
    [ -n "$host_dir" ] || { echo "ab: --raw-host needs --host DIR" >&2; exit 2; }
    raw_args=(--host) ref=raw_host
fi
dir=build/x86_64/bench
wine=${WINE:-wine}
wineserver=${WINESERVER:-wineserver}
wsserver=${WSSERVER:-build/native/server/wsserver}
for f in "$dir/bench_winhttp.exe" "$dir/bench_raw.exe" "$wsserver"; do
    [ -e "$f" ] || { echo "ab: $f is missing (run make bench-build)" >&2; exit 2; }
done
pin=(taskset -c "$cpus")

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX")
server_pid= tls_server_pid= squid_pid=
proxy=()
export WINEPREFIX=$topdir/build/bench/wineprefix WINEDEBUG=-all
unset DISPLAY
cleanup() {
    for p in $server_pid $tls_server_pid $squid_pid; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    "$wineserver" -k 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# each build beside its own copy of the exe
for v in A B; do
    mkdir "$work/$v"
    cp "$dir/bench_winhttp.exe" "$work/$v/"
done
cp "$1" "$work/A/winhttp.dll"
cp "$2" "$work/B/winhttp.dll"

case ",$workloads" in
*,wss_*) start_servers ab 1 ;;
*) start_servers ab 0 ;;
esac
if [ "$with_proxy" = 1 ]; then
    "${pin[@]}" tools/start-squid.sh "$work/squid-port" "$work/squid-auth-port" 3600 > /dev/null 2> "$work/squid.log" &
    squid_pid=$!
    squid_port=$(wait_port "$work/squid-port" "$squid_pid") || { echo "ab: squid did not start" >&2; cat "$work/squid.log" >&2; exit 2; }
    proxy=(--proxy "127.0.0.1:$squid_port")
fi

mkdir -p "$WINEPREFIX"
"$wineserver" -p
p=$(prefix_wineserver)
[ -n "$p" ] && taskset -a -p -c "$cpus" "$p" > /dev/null

backend=()
[ -n "$host_dir" ] && backend=(WINHTTP_BACKEND=host WINEDLLPATH="$host_dir")
native=${BENCH_NATIVE:-build/native/bench/bench_native}
[ $ref != native ] || [ -x "$native" ] || { echo "ab: $native is missing (run make bench-build)" >&2; exit 2; }
for ((r = 1; r <= rounds; r++)); do
    for v in A B ref; do
        if [ $v = ref ] && [ $ref = native ]; then
            timeout -k 5 300 "${pin[@]}" "$native" -n ref -t "$seconds" -w "$workloads" "${tls[@]}" "${proxy[@]}" \
                "$server" 2> /dev/null | grep '^RESULT'
            continue
        fi
        exe=$work/$v/bench_winhttp.exe args=()
        [ $v = ref ] && exe=$dir/bench_raw.exe args=(${raw_args[@]+"${raw_args[@]}"})
        b=(${backend[@]+"${backend[@]}"})
        [ $v = A ] && [ -n "$host_a" ] && b=(WINHTTP_BACKEND=host WINEDLLPATH="$host_a")
        env ${b[@]+"${b[@]}"} WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=" timeout -k 5 300 "${pin[@]}" \
            "$wine" "$exe" ${args[@]+"${args[@]}"} -n $v -t "$seconds" -w "$workloads" "${tls[@]}" "${proxy[@]}" "$server" 2> /dev/null |
            tr -d '\r' | grep '^RESULT'
    done
    echo "ab: round $r/$rounds" >&2
done | awk -v label=$ref "$awk_median"'
    $5 != "FAIL" { keep($2, $3, 0, $4); unit[$3] = $5; if (!($3 in seen)) { seen[$3] = 1; order[++nw] = $3 } }
    END {
        printf "%-18s %-6s %-22s %-22s %-22s %6s %6s\n", "workload", "unit", "A", "B", label, "A/" label, "B/" label
        for (i = 1; i <= nw; i++) {
            w = order[i]
            for (c = 0; c < 3; c++) {
                v = c == 0 ? "A" : c == 1 ? "B" : "ref"
                m[v] = cnt[v SUBSEP w] ? median(v SUBSEP w) : 0
                s[v] = cnt[v SUBSEP w] ? sprintf("%.0f (%.0f-%.0f)", m[v], lo[v SUBSEP w], hi[v SUBSEP w]) : "n/a"
            }
            printf "%-18s %-6s %-22s %-22s %-22s %6s %6s\n", w, unit[w], s["A"], s["B"], s["ref"],
                   m["ref"] ? sprintf("%.3f", m["A"] / m["ref"]) : "n/a", m["ref"] ? sprintf("%.3f", m["B"] / m["ref"]) : "n/a"
        }
    }'
