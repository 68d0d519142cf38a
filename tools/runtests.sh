#!/bin/sh
# Runs test programs and adds up their winetest summary lines:
#   "<name>: N tests executed (T marked as todo, F failures), S skipped."
# Ends with one line "N passed, N failed, N skipped" and exits non-zero on any
# failure (unless --report-only).  A program that crashes, times out or prints
# no summary counts as one failure.
#
#   runtests.sh [--report-only] [--wine WINE] [--wineserver WS] [--override n|b]
#               [--native "progs"] [--scripts "progs"] [--pe "exes"]
#
# PE programs run under Wine in a private prefix (build/wineprefix), headless,
# with WINEDLLOVERRIDES=winhttp=<override>; i686 ones are skipped, with the
# reason, when this Wine cannot start a 32-bit program.

set -u
report_only=0
wine=""
wineserver=""
override=n
native=""
scripts=""
pe=""
while [ $# -gt 0 ]; do
    case "$1" in
    --report-only) report_only=1 ;;
    --wine) wine="$2"; shift ;;
    --wineserver) wineserver="$2"; shift ;;
    --override) override="$2"; shift ;;
    --native) native="$2"; shift ;;
    --scripts) scripts="$2"; shift ;;
    --pe) pe="$2"; shift ;;
    *) echo "runtests: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

top=$(pwd)
logdir="$top/build/logs/$override"
mkdir -p "$logdir"
timeout_secs=${WINETEST_TIMEOUT:-600}
passed=0; failed=0; skipped=0; todo=0
failed_names=""

# Parses one log; adds to the totals.
account() {
    name=$1; log=$2; status=$3
    line=$(grep -E '^[^ ]+: [0-9]+ tests executed \([0-9]+ marked as todo, [0-9]+ failures?\), [0-9]+ skipped\.' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $name: no summary line (exit status $status)"
        tail -n 20 "$log" | sed 's/^/    /'
        failed=$((failed + 1)); failed_names="$failed_names $name"
        return
    fi
    set -- $(echo "$line" | sed -E 's/^[^ ]+: ([0-9]+) tests executed \(([0-9]+) marked as todo, ([0-9]+) failures?\), ([0-9]+) skipped\..*/\1 \2 \3 \4/')
    executed=$1; t=$2; f=$3; s=$4
    p=$((executed - t - f))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name: exit status $status with no failed check (crash or timeout)"
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s)); todo=$((todo + t))
    if [ "$f" -gt 0 ]; then
        echo "FAIL $name: $p passed, $f failed, $s skipped, $t todo"
        grep -E 'Test failed|Test succeeded inside todo' "$log" | head -n 40 | sed 's/^/    /'
        failed_names="$failed_names $name"
    else
        echo "ok   $name: $p passed, $s skipped, $t todo"
    fi
    grep -E 'Tests skipped' "$log" | head -n 5 | sed 's/^/    /'
}

run_one() {
    name=$1; shift
    log="$logdir/$(echo "$name" | tr '/' '_').log"
    timeout -k 10 "$timeout_secs" "$@" > "$log" 2>&1
    status=$?
    [ $status -eq 124 ] && echo "(timed out after ${timeout_secs}s)" >> "$log"
    account "$name" "$log" $status
}

for prog in $native $scripts; do
    run_one "$prog" "$prog"
done

if [ -n "$pe" ]; then
    if [ -z "$wine" ]; then
        for exe in $pe; do
            echo "skip $exe: wine not found"; skipped=$((skipped + 1))
        done
    else
        WINEPREFIX="$top/build/wineprefix"
        WINEDEBUG=${WINETEST_WINEDEBUG:--all}
        WINEDLLOVERRIDES="winhttp=$override;mscoree=;mshtml=;winemenubuilder.exe="
        export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
        unset DISPLAY WAYLAND_DISPLAY
        mkdir -p "$WINEPREFIX"
        # One persistent wineserver for the whole run: start-up once, not per test.
        [ -n "$wineserver" ] && "$wineserver" -p 60 2>/dev/null
        "$wine" cmd /c exit > "$logdir/wineboot.log" 2>&1
        i686_ok=1; i686_reason=""
        probe=$(for exe in $pe; do case "$exe" in */i686/*) echo "$exe"; break ;; esac; done)
        if [ -n "$probe" ]; then
            probe_exe="$(dirname "$probe")/probe.exe"
            timeout 60 "$wine" "$probe_exe" > "$logdir/probe32.log" 2>&1
            if ! grep -q "probe ok" "$logdir/probe32.log"; then
                i686_ok=0
                i686_reason="this Wine cannot run 32-bit programs ($(grep -m1 -iE 'wine|error' "$logdir/probe32.log" 2>/dev/null || echo 'probe failed'); install wine32:i386 to run them)"
            fi
        fi
        for exe in $pe; do
            case "$exe" in
            */i686/*)
                if [ $i686_ok -eq 0 ]; then
                    echo "skip $exe: $i686_reason"; skipped=$((skipped + 1)); continue
                fi ;;
            esac
            # Wine finds our winhttp.dll in the program's own directory.
            run_one "$exe" "$wine" "$top/$exe"
        done
        [ -n "$wineserver" ] && "$wineserver" -k 2>/dev/null
    fi
fi

[ "$todo" -gt 0 ] && echo "($todo checks marked todo: known differences, counted apart)"
if [ $report_only -eq 1 ]; then
    echo "report only: differences listed above are information, not failures"
    echo "$passed passed, $failed failed, $skipped skipped"
    exit 0
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
