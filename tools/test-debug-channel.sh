#!/bin/sh
# test-debug-channel.sh WINE EXE: runs EXE (tests/debug/debugchan.c) under
# several WINEDEBUG settings and checks the winhttp channel's output on
# stderr.  Prints a winetest summary line.
wine=$1 exe=$2
export WINEPREFIX=${WINEPREFIX:-$(dirname "$exe")/../../wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml="
unset DISPLAY
out=$(mktemp)
tests=0 failures=0

check() {  # check WINEDEBUG PATTERN present|absent DESCRIPTION
    tests=$((tests + 1))
    WINEDEBUG=$1 "$wine" "$exe" > /dev/null 2> "$out"
    if grep -q "$2" "$out"; then found=present; else found=absent; fi
    if [ "$found" != "$3" ]; then
        failures=$((failures + 1))
        echo "test-debug-channel.sh: Test failed: WINEDEBUG='$1': '$2' $found, expected $3 ($4)"
    fi
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
echo "debug_channel: $tests tests executed (0 marked as todo, $failures failures), 0 skipped."
[ "$failures" -eq 0 ]
