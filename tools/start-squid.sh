#!/bin/bash
# Usage: tools/start-squid.sh PORT_FILE AUTH_PORT_FILE MAX_SECONDS
#
# Runs Debian's squid on 127.0.0.1 with a private configuration in a fresh
# directory, as the proxy of the tests: one port open to all, one that wants
# Basic proxy authentication (basic_ncsa_auth; user "proxyuser", password
# "proxypass").  CONNECT is allowed to any port; nothing is cached.  Writes
# each port to its file once squid answers, stops after MAX_SECONDS or on
# SIGTERM, and removes its directory.
set -u
port_file=$1 auth_port_file=$2 max_seconds=$3

squid=/usr/sbin/squid
helper=/usr/lib/squid/basic_ncsa_auth
if [ ! -x "$squid" ] || [ ! -x "$helper" ]; then
    echo "start-squid: squid is not installed" >&2
    exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/wstest-squid.XXXXXX")
chmod 755 "$dir"
squid_pid=
cleanup() {
    [ -n "$squid_pid" ] && kill -TERM "$squid_pid" 2>/dev/null && wait "$squid_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

read -r port auth_port < <(python3 -c '
import socket
a = socket.socket(); a.bind(("127.0.0.1", 0))
b = socket.socket(); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')
htpasswd -cbm "$dir/passwd" proxyuser proxypass 2> /dev/null
chmod 644 "$dir/passwd"
chown proxy "$dir" 2>/dev/null

cat > "$dir/squid.conf" <<CONF
http_port 127.0.0.1:$port name=open
http_port 127.0.0.1:$auth_port name=auth
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log stdio:$dir/access.log
coredump_dir $dir
cache_effective_user proxy
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
auth_param basic program $helper $dir/passwd
auth_param basic realm proxy
auth_param basic children 2
acl open_port myportname open
acl auth_port myportname auth
acl users proxy_auth REQUIRED
http_access allow open_port
http_access allow auth_port users
http_access deny all
CONF

"$squid" -N -f "$dir/squid.conf" &
squid_pid=$!
for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$squid_pid" 2>/dev/null; then
        cat "$dir/cache.log" >&2
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$auth_port") 2>/dev/null; then
        echo "$auth_port" > "$auth_port_file"
        echo "$port" > "$port_file"
        break
    fi
    sleep 0.05
done
[ -s "$port_file" ] || { echo "start-squid: no answer on port $port" >&2; exit 1; }
( sleep "$max_seconds"; kill -TERM $$ 2>/dev/null ) &
wait "$squid_pid"
cat "$dir/cache.log" >&2
