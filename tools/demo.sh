#!/bin/bash
# Usage: tools/demo.sh [build/x86_64/demo/wscat.exe | build/i686/demo/wscat.exe]
#
# README command 1 (`make demo`): starts the native test server
# (tools/with-servers.sh), runs demo/wscat.exe under Wine with our
# winhttp.dll (private prefix build/wineprefix, WINEDLLOVERRIDES=winhttp=n,
# headless) against ws://$WSTEST_SERVER/echo, pipes a few lines in
# (ASCII, UTF-8, one 64 KiB line), then sends a binary file with -b -f,
# shows the exchange and checks that every message came back unchanged.
# Exits non-zero if an echo differs or wscat fails.
#
# Inputs: WSSERVER (wsserver binary), WINE (default: /usr/lib/wine/wine64),
# WINE32 (for an i686 wscat.exe; default tools/wine32.sh), DEMO_OVERRIDE
# (n = our DLL, the default; b = Wine's builtin, for comparison), DEMO_SUMMARY
# (a name: also print a winetest summary line under it, for make check).
# An i686 wscat.exe that this machine cannot run is skipped (exit 0) unless
# DEMO_SUMMARY is set, where it counts as skipped.

set -u
topdir=$(cd "$(dirname "$0")/.." && pwd)
wscat=${1:-build/x86_64/demo/wscat.exe}

if [ "${DEMO_INNER:-}" != 1 ] && [ -z "${WSTEST_SERVER:-}" ]; then
    if [ ! -f "$wscat" ]; then
        echo "demo: $wscat not built (run make demo)" >&2
        exit 2
    fi
    # only the plain wsserver is needed; the other servers start and stay unused
    DEMO_INNER=1 exec "$topdir/tools/with-servers.sh" "$0" "$wscat"
fi

if [ -z "${WSTEST_SERVER:-}" ]; then
    echo "demo: the test server did not start" >&2
    exit 2
fi

wine=${WINE:-/usr/lib/wine/wine64}
override=${DEMO_OVERRIDE:-n}
summary=${DEMO_SUMMARY:-}
arch=x86_64
case "$wscat" in
*/i686/*)
    arch=i686
    wine32=${WINE32:-$topdir/tools/wine32.sh}
    if ! how=$("$wine32" --which) ||
       ! WINEPREFIX="$topdir/build/wineprefix" WINE64="$wine" "$wine32" --prepare; then
        echo "demo: skipping the i686 client: $how"
        [ -n "$summary" ] && echo "$summary: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        exit 0
    fi
    echo "demo: the i686 client runs through $how"
    wine=$wine32 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/wscat-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$topdir/build/wineprefix"

run_wscat() {
    env -u DISPLAY WINEPREFIX="$topdir/build/wineprefix" WINEDEBUG=-all \
        WINEDLLOVERRIDES="winhttp=$override;mscoree=;mshtml=" \
        timeout 120 "$wine" "$wscat" "$@"
}

# show FILE PREFIX: the lines of FILE, long ones shortened
show() {
    awk -v p="$2" '{ if (length($0) > 130) printf "%s%s... (%d bytes)\n", p, substr($0, 1, 60), length($0); else print p $0 }' "$1"
}

status=0
failures=0
url="ws://$WSTEST_SERVER/echo"

# 1. text lines from stdin
{
    echo "hello"
    echo "Grüße from Wine"
    echo "{\"json\": [1, 2, 3], \"ok\": true}"
    head -c 65536 /dev/zero | tr '\0' 'w'
    echo
} > "$work/lines.txt"

echo "== wscat ($arch) $url (text lines on stdin, winhttp=$override)"
show "$work/lines.txt" "> "
run_wscat "$url" < "$work/lines.txt" > "$work/out1.txt" 2> "$work/err1.txt"
rc=$?
show "$work/out1.txt" ""
sed 's/^/   /' "$work/err1.txt" | tr -d '\r'
sed 's/^/< /' "$work/lines.txt" > "$work/expect1.txt"
if [ $rc -ne 0 ]; then
    echo "demo: FAIL: wscat exited with status $rc"
    status=1; failures=$((failures + 1))
elif ! grep '^< ' "$work/out1.txt" | cmp -s - "$work/expect1.txt"; then
    echo "demo: FAIL: the echo differs from what was sent"
    status=1; failures=$((failures + 1))
else
    echo "demo: OK: $(wc -l < "$work/lines.txt") text messages echoed unchanged"
fi
echo

# 2. a binary file as one message
head -c 1000 /dev/urandom > "$work/blob.bin"
expect2="< [binary 1000 bytes] $(head -c 32 "$work/blob.bin" | od -An -tx1 -v | tr -s ' \n' ' ' | sed 's/^ //; s/ $//') ..."
echo "== wscat ($arch) $url -b -f blob.bin (1000 random bytes)"
run_wscat "$url" -b -f "$work/blob.bin" > "$work/out2.txt" 2> "$work/err2.txt"
rc=$?
show "$work/out2.txt" ""
sed 's/^/   /' "$work/err2.txt" | tr -d '\r'
if [ $rc -ne 0 ]; then
    echo "demo: FAIL: wscat exited with status $rc"
    status=1; failures=$((failures + 1))
elif [ "$(grep '^< ' "$work/out2.txt")" != "$expect2" ]; then
    echo "demo: FAIL: binary echo differs; expected: $expect2"
    status=1; failures=$((failures + 1))
else
    echo "demo: OK: binary message echoed unchanged"
fi

[ -n "$summary" ] && echo "$summary: 2 tests executed (0 marked as todo, $failures failures), 0 skipped."
exit $status
