#!/bin/sh
# test-lookup.sh WINE WINESERVER EXE: runs EXE (tests/conformance/lookup.c)
# with WSTEST_DEAF_DNS=1 inside a private network and mount namespace where
# loopback is up, /etc/hosts names localhost only and /etc/resolv.conf
# (bind-mounted over by a private file) names a DNS server on 127.0.0.1
# that reads every query and answers none -- a resolver that never answers,
# with the stub resolver's own bound set to 3 s (timeout:3 attempts:1), so a
# lookup nobody bounds still ends within the test.  Prints the test's
# winetest summary line; skips (one skipped test) when namespaces cannot be
# made here.
wine=$1 wineserver=$2 exe=$3
export WINEPREFIX=${WINEPREFIX:-$(cd "$(dirname "$exe")/../.." && pwd)/wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=;winemenubuilder.exe="
export WINEDEBUG=${WINETEST_WINEDEBUG:--all}
unset DISPLAY WAYLAND_DISPLAY
mkdir -p "$WINEPREFIX"

if ! unshare -m -n true 2>/dev/null; then
    echo "lookup: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '127.0.0.1 localhost\n::1 localhost\n' > "$work/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:3 attempts:1\n' > "$work/resolv.conf"
# The deaf server: reads queries and drops them, bounded to 120 s.
cat > "$work/deaf_dns.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(1)
print("ready", flush=True)
end = time.monotonic() + 120
while time.monotonic() < end:
    try:
        s.recvfrom(4096)
    except socket.timeout:
        pass
EOF

# The prefix is made (and its wineserver started) outside the namespace;
# the server is stopped after, so no wine process outlives the namespace.
"$wine" cmd /c exit > /dev/null 2>&1
WSTEST_DEAF_DNS=1 unshare -m -n sh -c '
    ip link set lo up && mount --bind "$1/hosts" /etc/hosts && mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 2
    python3 "$1/deaf_dns.py" > "$1/dns.out" &
    dns=$!
    i=0
    while [ "$(cat "$1/dns.out" 2>/dev/null)" != ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    "$2" "$3"
    status=$?
    kill $dns
    wait $dns 2>/dev/null
    exit $status' sh "$work" "$wine" "$exe"
status=$?
"$wineserver" -k 2>/dev/null
exit $status
