#!/bin/bash
# test-kerberos.sh WINE WINESERVER EXE: runs EXE (tests/conformance/auth.c)
# with WSTEST_KERBEROS=localhost:PORT against a Kerberos realm made for the
# run: MIT's KDC (krb5kdc, Debian's krb5-kdc) on a free loopback port with a
# database in a fresh directory, the user krbuser@WSTEST.INVALID (kinit into
# a credentials cache of the run) and the service HTTP/localhost, whose
# keytab tests/server/krb_gate.py accepts Negotiate with (python3-gssapi),
# and passes websocket upgrades to a wsserver ($WSSERVER, else the build's).
# Wine's kerberos.dll runs the host's libkrb5/libgssapi_krb5, which find the
# realm and the cache through KRB5_CONFIG and KRB5CCNAME.  Nothing of the
# machine's Kerberos set-up is read or changed.  Prints the test's winetest
# summary line; skips (one skipped test, with the reason) when a package is
# missing.
wine=$1 wineserver=$2 exe=$3
top=$(cd "$(dirname "$0")/.." && pwd)
export WINEPREFIX=${WINEPREFIX:-$(cd "$(dirname "$exe")/../.." && pwd)/wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=;winemenubuilder.exe="
export WINEDEBUG=${WINETEST_WINEDEBUG:--all}
unset DISPLAY WAYLAND_DISPLAY

skip() {
    echo "kerberos: $1" >&2
    echo "kerberos: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    exit 0
}
for tool in /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local /usr/bin/kinit; do
    [ -x "$tool" ] || skip "$tool is missing (Debian's krb5-kdc, krb5-admin-server, krb5-user)"
done
/usr/bin/python3 -c 'import gssapi' 2>/dev/null || skip "python3-gssapi is missing"

. "$top/tools/server-lib.sh"
. "$top/bench/lib.sh"   # wait_port
kdc_pid= gate_pid= ws_pid=
cleanup() {
    for p in $gate_pid $ws_pid $kdc_pid; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    server_cleanup
}
trap cleanup EXIT

server_dir kerberos
dir=$server_dir
realm=WSTEST.INVALID
read -r kdc_port < <(server_free_ports 1)
cat > "$dir/krb5.conf" <<EOF
[libdefaults]
    default_realm = $realm
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    udp_preference_limit = 1
[realms]
    $realm = {
        kdc = 127.0.0.1:$kdc_port
    }
[domain_realm]
    localhost = $realm
EOF
cat > "$dir/kdc.conf" <<EOF
[kdcdefaults]
    kdc_ports = $kdc_port
    kdc_tcp_ports = $kdc_port
[realms]
    $realm = {
        database_name = $dir/principal
        key_stash_file = $dir/stash
        acl_file = $dir/kadm5.acl
    }
[logging]
    kdc = FILE:$dir/kdc.log
EOF
export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf KRB5CCNAME=FILE:$dir/ccache
export KRB5_KTNAME=FILE:$dir/http.keytab
# krb_gate.py imports ntlm_gate.py: no __pycache__ in the source tree
export PYTHONDONTWRITEBYTECODE=1
{
    /usr/sbin/kdb5_util create -s -r "$realm" -P "master-$$" &&
    /usr/sbin/kadmin.local -q "addprinc -pw krbpass krbuser" &&
    /usr/sbin/kadmin.local -q "addprinc -randkey HTTP/localhost" &&
    /usr/sbin/kadmin.local -q "ktadd -k $dir/http.keytab HTTP/localhost"
} > "$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; echo "kerberos: the realm could not be made" >&2; exit 1; }

/usr/sbin/krb5kdc -n > "$dir/kdc.out" 2>&1 &
kdc_pid=$!
server_pid=$kdc_pid server_log=$dir/kdc.out
server_wait "$kdc_port" || { echo "kerberos: the KDC did not start" >&2; exit 1; }
server_pid=
echo krbpass | /usr/bin/kinit krbuser > "$dir/kinit.log" 2>&1 ||
    { cat "$dir/kinit.log" "$dir/kdc.log" >&2; echo "kerberos: kinit failed" >&2; exit 1; }

backend=()
wsserver=${WSSERVER:-$top/build/native/server/wsserver}
if [ -x "$wsserver" ]; then
    "$wsserver" --port 0 --port-file "$dir/ws-port" --quiet --max-seconds 600 > /dev/null 2>&1 &
    ws_pid=$!
    ws_port=$(wait_port "$dir/ws-port" "$ws_pid") || { echo "kerberos: wsserver did not start" >&2; exit 1; }
    backend=(--backend "127.0.0.1:$ws_port")
fi
/usr/bin/python3 "$top/tests/server/krb_gate.py" "$dir/gate-port" "${backend[@]}" --max-seconds 600 2> "$dir/gate.log" &
gate_pid=$!
gate_port=$(wait_port "$dir/gate-port" "$gate_pid") ||
    { cat "$dir/gate.log" >&2; echo "kerberos: krb_gate.py did not start" >&2; exit 1; }

mkdir -p "$WINEPREFIX"
WSTEST_KERBEROS=localhost:$gate_port WSTEST_KERBEROS_WS=${ws_pid:+1} timeout -k 5 300 "$wine" "$exe"
status=$?
[ $status = 0 ] || cat "$dir/gate.log" "$dir/kdc.log" >&2
exit $status
