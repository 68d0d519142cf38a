#!/bin/sh
# test-wpad.sh WINE WINESERVER EXE: runs EXE (tests/conformance/proxycfg.c)
# with WSTEST_WPAD=1 inside a private network and mount namespace, where
# loopback is up, port 80 is free, and /etc/hosts (bind-mounted over by a
# private file) names wpad.wpadtest.invalid, and resolv.conf (bind-mounted
# too) names a DNS server at 127.0.0.1 (tools/dns-standin.py: "no such name"
# at once, except that names with a "stall..." label are never answered; the
# resolver waits 30 s for them).  WPAD's DNS lookups then find a server, or
# stall, without touching the machine's resolver or network.  Prints the
# test's winetest summary line; skips (one skipped test) when namespaces
# cannot be made here.
wine=$1 wineserver=$2 exe=$3
. "$(dirname "$0")/netns-lib.sh"
netns_prepare wpad "$exe" "$wine"
hosts=$(mktemp)
resolv=$(mktemp)
dnsdir=$(mktemp -d)
trap 'rm -rf "$hosts" "$resolv" "$dnsdir"' EXIT
printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 wpad.wpadtest.invalid\n' > "$hosts"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' > "$resolv"

# The DNS stand-in (tools/dns-standin.py) records each query as a file in
# $dnsdir, which the test watches as WSTEST_DNS_DIR (its Wine path).
export WSTEST_DNS_DIR="Z:$(printf %s "$dnsdir" | tr / '\\')"
WSTEST_WPAD=1 unshare -m -n sh -c '
    ip link set lo up && mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf || exit 1
    python3 "$5" "$6" 600 || exit 1
    "$3" "$4"; status=$?
    kill "$(cat "$6/pid")" 2>/dev/null
    exit $status' \
    sh "$hosts" "$resolv" "$wine" "$exe" "$(dirname "$0")/dns-standin.py" "$dnsdir"
netns_finish "$wineserver" $?
