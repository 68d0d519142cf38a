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
. "$(dirname "$0")/server-lib.sh"
server_dir squid
read -r port auth_port < <(server_free_ports 2)
htpasswd -cbm "$server_dir/passwd" proxyuser proxypass 2> /dev/null
chmod 644 "$server_dir/passwd"
chown proxy "$server_dir" 2>/dev/null

cat > "$server_dir/squid.conf" <<CONF
http_port 127.0.0.1:$port name=open
http_port 127.0.0.1:$auth_port name=auth
pid_filename $server_dir/squid.pid
cache_log $server_dir/cache.log
access_log stdio:$server_dir/access.log
coredump_dir $server_dir
cache_effective_user proxy
cache deny all
cache_mem 8 MB
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
auth_param basic program $helper $server_dir/passwd
auth_param basic realm proxy
auth_param basic children 2
acl open_port myportname open
acl auth_port myportname auth
acl users proxy_auth REQUIRED
http_access allow open_port
http_access allow auth_port users
http_access deny all
CONF

server_run "$server_dir/cache.log" "$squid" -N -f "$server_dir/squid.conf"
server_wait "$port" "$auth_port" || exit 1
echo "$auth_port" > "$auth_port_file"
echo "$port" > "$port_file"
server_live "$max_seconds"
