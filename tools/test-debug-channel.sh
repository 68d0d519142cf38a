#!/bin/sh
# test-debug-channel.sh WINE EXE: runs EXE (tests/debug/debugchan.c) under
# several WINEDEBUG settings and checks the winhttp channel's output on
# stderr.  Prints a winetest summary line.
wine=$1 exe=$2
export WINEPREFIX=${WINEPREFIX:-$(dirname "$exe")/../../wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml="
unset DISPLAY
out=$(mktemp)
. "$(dirname "$0")/test-lib.sh"
t_name debug_channel

check() {  # check WINEDEBUG PATTERN present|absent DESCRIPTION
    WINEDEBUG=$1 "$wine" "$exe" > /dev/null 2> "$out"
    if grep -q "$2" "$out"; then found=present; else found=absent; fi
    [ "$found" = "$3" ]
    t_ok $? "WINEDEBUG='$1': '$2' $found, expected $3 ($4)"
}

check "-all,+winhttp" ":trace:winhttp:WinHttpOpen " present "+winhttp traces entry points"
check "-all,+winhttp" "^[0-9a-f]*:trace:winhttp:" present "Wine's line format tid:class:channel:function"
check "-all,+winhttp" ":fixme:winhttp:WinHttpGetProxySettingsVersion" present "+winhttp includes fixme"
check "-all" "winhttp" absent "-all silences the channel"
check "fixme-all" ":fixme:winhttp:" absent "fixme-all silences fixmes"
# (Debian's wine wrapper turns an unset WINEDEBUG into fixme-all, so the
# defaults are checked with a setting that touches another class only.)
check "warn-all" ":fixme:winhttp:WinHttpGetProxySettingsVersion" present "fixme is on by default"
check "warn-all" ":trace:winhttp:" absent "trace is off by default"
check "-all,warn+winhttp" ":trace:winhttp:" absent "warn+winhttp adds no traces"
check "-all,trace+winhttp" ":trace:winhttp:WinHttpCloseHandle" present "trace+winhttp"
check "-all,+winhttp,-winhttp" ":trace:winhttp:" absent "a later -winhttp wins"
rm -f "$out"
t_summary
