#!/bin/bash
# bench-scale.sh COUNT...: runs build/x86_64/scale/scale.exe against a local
# wsserver for each COUNT, with our DLL and with Wine's builtin, and prints
# one table.  Each run is bounded (SCALE_SECONDS, default 120).
set -u
top=$(pwd)
wine=${WINE:-/usr/lib/wine/wine64}
seconds=${SCALE_SECONDS:-120}
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
export WINEPREFIX=$top/build/wineprefix WINEDEBUG=-all
unset DISPLAY
mkdir -p build/logs
results=build/logs/bench-scale.txt
: > "$results"
for count in "$@"; do
    for dll in n b; do
        log=build/logs/scale-$dll-$count.log
        WINEDLLOVERRIDES="winhttp=$dll;mscoree=;mshtml=" WSTEST_MAX_SECONDS=$((seconds + 60)) \
            timeout -k 10 $((seconds + 30)) "$top/tools/with-servers.sh" \
            "$wine" "$top/build/x86_64/scale/scale.exe" "$count" "$seconds" > "$log" 2>&1
        line=$(grep 'scale: RESULT' "$log" | tail -n 1)
        [ -z "$line" ] && line="scale: RESULT count=$count opened=? (no result: stalled or crashed, see $log)"
        echo "$dll $line" >> "$results"
    done
done
printf '%-8s %8s %8s %10s %14s %10s\n' dll count opened threads+ KiB/conn echoed
sed -E 's/^(.) scale: RESULT count=([0-9]+) opened=([0-9?]+)( threads_added=(-?[0-9]+) kib_per_conn=([0-9.]+) echoed=([0-9/]+))?.*/\1 \2 \3 \5 \6 \7/' "$results" |
while read -r dll count opened threads kib echoed; do
    name=ours; [ "$dll" = b ] && name=builtin
    printf '%-8s %8s %8s %10s %14s %10s\n' "$name" "$count" "$opened" "${threads:--}" "${kib:--}" "${echoed:--}"
done
