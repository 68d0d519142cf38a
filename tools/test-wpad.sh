#!/bin/sh
# test-wpad.sh WINE WINESERVER EXE: runs EXE (tests/conformance/proxycfg.c)
# with WSTEST_WPAD=1 inside a private network and mount namespace, where
# loopback is up, port 80 is free, and /etc/hosts (bind-mounted over by a
# private file) names wpad.wpadtest.invalid.  WPAD's DNS lookups then find a
# server without touching the machine's resolver or network.  Prints the
# test's winetest summary line; skips (one skipped test) when namespaces
# cannot be made here.
wine=$1 wineserver=$2 exe=$3
export WINEPREFIX=${WINEPREFIX:-$(cd "$(dirname "$exe")/../.." && pwd)/wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=;winemenubuilder.exe="
export WINEDEBUG=${WINETEST_WINEDEBUG:--all}
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$WINEPREFIX"

if ! unshare -m -n true 2>/dev/null; then
    echo "wpad: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    exit 0
fi
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 wpad.wpadtest.invalid\n' > "$hosts"

# The prefix is made (and its wineserver started) outside the namespace;
# the server is stopped after, so no wine process outlives the namespace.
"$wine" cmd /c exit > /dev/null 2>&1
WSTEST_WPAD=1 unshare -m -n sh -c 'ip link set lo up && mount --bind "$1" /etc/hosts && exec "$2" "$3"' \
    sh "$hosts" "$wine" "$exe"
status=$?
"$wineserver" -k 2>/dev/null
exit $status
