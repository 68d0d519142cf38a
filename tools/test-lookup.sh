#!/bin/sh
# test-lookup.sh WINE WINESERVER EXE: runs EXE (tests/conformance/lookup.c)
# with WSTEST_DEAF_DNS=1 inside a private network and mount namespace where
# loopback is up, /etc/hosts names localhost only and /etc/resolv.conf
# (bind-mounted over by a private file) names a DNS server on 127.0.0.1
# that reads every query and answers none (tools/dns-standin.py with every
# name stalled) -- a resolver that never answers,
# with the stub resolver's own bound set to 3 s (timeout:3 attempts:1), so a
# lookup nobody bounds still ends within the test.  Prints the test's
# winetest summary line; skips (one skipped test) when namespaces cannot be
# made here.
wine=$1 wineserver=$2 exe=$3
. "$(dirname "$0")/netns-lib.sh"
netns_prepare lookup "$exe" "$wine"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '127.0.0.1 localhost\n::1 localhost\n' > "$work/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:3 attempts:1\n' > "$work/resolv.conf"
mkdir "$work/dns"

WSTEST_DEAF_DNS=1 unshare -m -n sh -c '
    ip link set lo up && mount --bind "$1/hosts" /etc/hosts && mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 2
    python3 "$4" "$1/dns" 120 "" || exit 2
    "$2" "$3"
    status=$?
    kill "$(cat "$1/dns/pid")" 2>/dev/null
    exit $status' sh "$work" "$wine" "$exe" "$(dirname "$0")/dns-standin.py"
netns_finish "$wineserver" $?
