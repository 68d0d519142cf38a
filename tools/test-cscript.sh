#!/bin/sh
# tools/test-cscript.sh WINE BUILDDIR SRCDIR
#
# Real script clients of WinHttp.WinHttpRequest.5.1: Wine's cscript.exe runs
# tests/com/winhttp.vbs (VBScript) and tests/com/winhttp.js (JScript)
# against the test server ($WSTEST_SERVER, from tools/with-servers.sh)
# through our winhttp.dll, installed into a prefix of its own
# (BUILDDIR/cscript/wineprefix, removed at the end) with
# tools/wineprefix-install.sh, which
# also registers it.  Each "ok - ..." / "not ok - ..." line of a script is
# one check; a script that does not reach "done" is one failure.
#
# That the scripts used our DLL is checked, not assumed: a run with
# WINEDEBUG=trace+winhttp must show our object's constructor
# (winhttp_request_create) and not Wine's (WinHttpRequest_create).  After
# "wineprefix-install.sh uninstall" the same probe must show Wine's again:
# the builtin's files and registration are back.
#
# Output: the checks that failed, then the winetest summary line
# "cscript: N tests executed (0 marked as todo, F failures), S skipped."
set -u

wine=$1 builddir=$2 srcdir=$3
. "$(dirname "$0")/test-lib.sh"
t_name cscript
top=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
logdir=$builddir/logs/cscript
mkdir -p "$logdir"

if [ -z "${WSTEST_SERVER:-}" ]; then
    t_skip "WSTEST_SERVER is not set (run under tools/with-servers.sh)"
    t_summary
fi
if ! command -v "$wine" > /dev/null 2>&1; then
    t_skip "no wine ($wine)"
    t_summary
fi

WINEPREFIX=$builddir/cscript/wineprefix
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree=;mshtml=;winemenubuilder.exe="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY
wineserver=$(dirname "$(readlink -f "$(command -v "$wine")")")/wineserver
[ -x "$wineserver" ] || wineserver=wineserver
base="http://$WSTEST_SERVER"

# Runs SCRIPT with cscript; its output goes to LOG.
run_script() {
    script=$1 log=$2
    cp "$script" "$WINEPREFIX/drive_c/$(basename "$script")"
    timeout -k 10 180 "$wine" cscript //nologo "C:\\$(basename "$script")" "$base" > "$log" 2>&1
}

# Which object a script creates: ours, Wine's, or neither.
probe() {
    printf 'Set r = CreateObject("WinHttp.WinHttpRequest.5.1")\r\nWScript.Echo TypeName(r)\r\n' \
        > "$WINEPREFIX/drive_c/probe.vbs"
    WINEDEBUG=trace+winhttp timeout -k 10 120 "$wine" cscript //nologo 'C:\probe.vbs' > "$logdir/probe.log" 2>&1
    if grep -q 'winhttp:winhttp_request_create' "$logdir/probe.log"; then echo ours
    elif grep -q 'winhttp:WinHttpRequest_create' "$logdir/probe.log"; then echo builtin
    else echo none
    fi
}

"$top/tools/wineprefix-install.sh" install "$wine" "$builddir" > "$logdir/install.log" 2>&1
t_ok $? "wineprefix-install.sh install failed (see $logdir/install.log)"
"$wineserver" -p 30 2> /dev/null

which=$(probe)
[ "$which" = ours ]
t_ok $? "after install the scripts' WinHttpRequest is '$which', not ours (see $logdir/probe.log)"

for script in "$top/tests/com/winhttp.vbs" "$top/tests/com/winhttp.js"; do
    name=$(basename "$script")
    log=$logdir/$name.log
    run_script "$script" "$log"
    status=$?
    t_passed "$(grep -c '^ok - ' "$log")"
    failed=$(grep '^not ok - ' "$log")
    while read -r line; do [ -n "$line" ] && t_fail "$name: ${line#not ok - }"; done <<EOF_FAILED
$failed
EOF_FAILED
    grep -q '^done' "$log"
    t_ok $? "$name did not finish (exit status $status); its output:
$(tail -n 15 "$log" | sed 's/^/    /')"
done

"$top/tools/wineprefix-install.sh" uninstall "$wine" "$builddir" > "$logdir/uninstall.log" 2>&1
t_ok $? "wineprefix-install.sh uninstall failed (see $logdir/uninstall.log)"
which=$(probe)
[ "$which" = builtin ]
t_ok $? "after uninstall the scripts' WinHttpRequest is '$which', not Wine's (see $logdir/probe.log)"

"$wineserver" -k 2> /dev/null
"$wineserver" -w 2> /dev/null
# The prefix (1.3 GB with its 32-bit half) is this test's alone: a new one
# every run, none left on the disk.
rm -rf "$WINEPREFIX"
t_summary
