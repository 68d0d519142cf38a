#!/bin/bash
# bench-scale.sh COUNT...: runs build/x86_64/scale/scale.exe against a local
# wsserver for each COUNT, with our DLL (Winsock), our DLL on host sockets
# (when the helper is built in HOST_DIR, default build/x86_64/host;
# docs/HOST.md) and Wine's builtin, and prints one table.  SCALE_DLLS picks
# among "n host b" (default: all three).  Each run is bounded
# (SCALE_SECONDS, default 120).
set -u
top=$(pwd)
host_dir=$(cd "${HOST_DIR:-build/x86_64/host}" 2> /dev/null && pwd)
dlls=${SCALE_DLLS:-n host b}
if [ -z "$host_dir" ] || [ ! -f "$host_dir/winhttp_host.so" ]; then
    case " $dlls " in *" host "*) echo "bench-scale: no host runs: the helper is not built" >&2 ;; esac
    dlls=$(echo " $dlls " | sed 's/ host / /')
fi
wine=${WINE:-/usr/lib/wine/wine64}
seconds=${SCALE_SECONDS:-120}
# a descriptor per websocket in the client, the wineserver and the echo
# server, plus room: raised past the hard limit where we may (root)
need=20000
for count in "$@"; do [ "$count" -ge 0 ] 2>/dev/null && [ $((count + 2000)) -gt $need ] && need=$((count + 2000)); done
[ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $need ] && ulimit -Hn $need 2>/dev/null
ulimit -n $need 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $need ] ||
    echo "bench-scale: only $(ulimit -n) descriptors per process (need $need): larger counts will fail to open" >&2
# Every websocket takes a client port from the ephemeral range, and a closed
# one keeps it in TIME_WAIT for a minute: a large run right after another
# could run short of ports (connects then fail), so wait for them, bounded.
wait_for_ports() {
    local need=$1 lo hi tw i
    read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range || return 0
    [ "$need" -lt $((hi - lo + 1)) ] || echo "bench-scale: $need websockets, $((hi - lo + 1)) client ports" >&2
    for ((i = 0; i < 75; i++)); do
        tw=$(ss -tanH state time-wait 2>/dev/null | wc -l)
        [ $((hi - lo + 1 - tw)) -gt $((need + 1000)) ] && return 0
        sleep 1
    done
    echo "bench-scale: $tw client ports still in TIME_WAIT: the next run may run short" >&2
}
export WINEPREFIX=$top/build/wineprefix WINEDEBUG=-all
unset DISPLAY
mkdir -p build/logs
results=build/logs/bench-scale.txt
: > "$results"
for count in "$@"; do
    for dll in $dlls; do
        log=build/logs/scale-$dll-$count.log
        wait_for_ports "$count"
        override=$dll backend=(WINHTTP_BACKEND=winsock)
        [ "$dll" = host ] && override=n backend=(WINHTTP_BACKEND=host WINEDLLPATH="$host_dir")
        env "${backend[@]}" WINEDLLOVERRIDES="winhttp=$override;mscoree=;mshtml=" WSTEST_MAX_SECONDS=$((seconds + 90 + count / 100)) \
            timeout -k 10 $((seconds + 60 + count / 100)) "$top/tools/with-servers.sh" \
            "$wine" "$top/build/x86_64/scale/scale.exe" "$count" "$seconds" > "$log" 2>&1
        line=$(grep 'scale: RESULT' "$log" | tail -n 1)
        [ -z "$line" ] && line="scale: RESULT count=$count opened=? (no result: stalled or crashed, see $log)"
        echo "$dll $line" >> "$results"
    done
done
printf '%-8s %8s %8s %10s %14s %10s\n' dll count opened threads+ KiB/conn echoed
sed -E 's/^([a-z]+) scale: RESULT count=([0-9]+) opened=([0-9?]+)( threads_added=(-?[0-9]+) kib_per_conn=([0-9.]+) echoed=([0-9/]+))?.*/\1 \2 \3 \5 \6 \7/' "$results" |
while read -r dll count opened threads kib echoed; do
    name=ours; [ "$dll" = b ] && name=builtin; [ "$dll" = host ] && name=host
    printf '%-8s %8s %8s %10s %14s %10s\n' "$name" "$count" "$opened" "${threads:--}" "${kib:--}" "${echoed:--}"
done
