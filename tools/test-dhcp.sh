#!/bin/sh
# test-dhcp.sh WINE WINESERVER EXE: runs EXE (tests/conformance/proxycfg.c)
# with WSTEST_DHCP=1 inside a private network and mount namespace where the
# WPAD URL of DHCP (option 252) comes from a stand-in NetworkManager.
#
# How Wine 8 gets a DHCP option: dhcpcsvc.dll's DhcpRequestParams asks
# mountmgr.sys (IOCTL_MOUNTMGR_QUERY_DHCP_REQUEST_PARAMS), whose Unix side
# asks NetworkManager on the system D-Bus for the device of the interface
# (GetDeviceByIpIface), its Dhcp4Config and that object's Options ("wpad" is
# option 252).  So the namespace has:
#   - lo, and a veth pair wstest0 / wstest1, both up: the adapters DHCP is
#     asked about (Wine's builtin and ours skip loopback adapters);
#   - a system bus that is tools/nm-standin.py (bind-mounted over /run/dbus,
#     and named by DBUS_SYSTEM_BUS_ADDRESS): both have a lease, wstest0's
#     with option 252 the content of the file WSTEST_NM_DIR\wpad, which the
#     test writes, wstest1's without; it records each interface asked about;
#   - /etc/hosts naming wpad.wpadtest.invalid and tools/dns-standin.py as the
#     DNS server, as tools/test-wpad.sh has, for the DNS side.
# mountmgr.sys and nsiproxy.sys (GetAdaptersAddresses) run in winedevice.exe,
# a process of the prefix's wineserver: the server netns_prepare started is
# stopped, so that the whole of Wine runs inside the namespace (started there
# by WINE64, default /usr/lib/wine/wine64), and stopped again inside before
# the namespace ends.
#
# WINE may be tools/wine32.sh (i686).  WSTEST_WINHTTP=b runs Wine's builtin
# winhttp instead of ours (docs/BUILTIN_DIFFERENCES.md).  Prints the test's
# winetest summary line; skips (one skipped test) when namespaces, or a veth
# pair, cannot be made here.
wine=$1 wineserver=$2 exe=$3
. "$(dirname "$0")/netns-lib.sh"
case $wine in
*/wine32.sh)
    if ! why=$("$wine" --which 2>&1); then
        echo "wpad_dhcp: i686 cannot run here: $why" >&2
        echo "wpad_dhcp: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        exit 0
    fi ;;
esac
netns_prepare wpad_dhcp "$exe" "$wine"
case $wine in */wine32.sh) "$wine" --prepare > /dev/null 2>&1 ;; esac
[ "${WSTEST_WINHTTP:-n}" = b ] && export WINEDLLOVERRIDES="winhttp=b;mscoree=;mshtml=;winemenubuilder.exe="
"$wineserver" -k 2>/dev/null
"$wineserver" -w 2>/dev/null
if ! unshare -n sh -c 'ip link add wstest0 type veth peer name wstest1' 2>/dev/null; then
    echo "wpad_dhcp: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bus" "$work/nm" "$work/dns"
printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.1 wpad.wpadtest.invalid\n' > "$work/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' > "$work/resolv.conf"
export WSTEST_NM_DIR="Z:$(printf %s "$work/nm" | tr / '\\')"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus/system_bus_socket"

WSTEST_DHCP=1 unshare -m -n sh -c '
    w=$1 tools=$2 wine=$3 exe=$4 wineserver=$5 wine64=$6
    ip link set lo up &&
    ip link add wstest0 type veth peer name wstest1 &&
    ip addr add 192.0.2.2/24 dev wstest0 && ip link set wstest0 up &&
    ip addr add 192.0.2.3/24 dev wstest1 && ip link set wstest1 up &&
    mount --bind "$w/hosts" /etc/hosts && mount --bind "$w/resolv.conf" /etc/resolv.conf || exit 2
    if [ -d /run/dbus ]; then mount --bind "$w/bus" /run/dbus || exit 2; fi
    python3 "$tools/nm-standin.py" "$w/bus/system_bus_socket" "$w/nm" wstest0,wstest1 600 || exit 2
    python3 "$tools/dns-standin.py" "$w/dns" 600 || exit 2
    # the prefix started here by the 64-bit loader (the 32-bit one cannot
    # start wineboot), its server kept until the -k below
    "$wineserver" -p && "$wine64" cmd /c exit > /dev/null 2>&1 || exit 2
    "$wine" "$exe"; status=$?
    "$wineserver" -k 2>/dev/null
    "$wineserver" -w 2>/dev/null
    kill "$(cat "$w/nm/pid")" "$(cat "$w/dns/pid")" 2>/dev/null
    exit $status' \
    sh "$work" "$(dirname "$0")" "$wine" "$exe" "$wineserver" "${WINE64:-/usr/lib/wine/wine64}"
netns_finish "$wineserver" $?
