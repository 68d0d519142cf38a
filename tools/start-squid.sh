#!/bin/bash
# Usage: tools/start-squid.sh PORT_FILE AUTH_PORT_FILE MAX_SECONDS [SSPI_PORTS_FILE]
#
# Runs Debian's squid on 127.0.0.1 with a private configuration in a fresh
# directory, as the proxy of the tests: one port open to all, one that wants
# Basic proxy authentication (basic_ncsa_auth; user "proxyuser", password
# "proxypass").  CONNECT is allowed to any port; nothing is cached.  Writes
# each port to its file once squid answers, stops after MAX_SECONDS or on
# SIGTERM, and removes its directory.
#
# With SSPI_PORTS_FILE, and Samba's ntlm_auth installed (Debian's winbind),
# two more ports want NTLM and Negotiate proxy authentication; their numbers
# go on one line of that file.  ntlm_auth is the acceptor, as squid's docs
# configure it, checking the password it is given (--username/--domain/
# --password: user "WSTEST\ntlmuser", password "ntlmpass") instead of asking
# winbindd, so no domain is needed.  Its Negotiate (gss-spnego) takes SPNEGO
# and raw NTLM tokens, which is what Wine's Negotiate package sends.
set -u
port_file=$1 auth_port_file=$2 max_seconds=$3 sspi_ports_file=${4:-}

squid=/usr/sbin/squid
helper=/usr/lib/squid/basic_ncsa_auth
if [ ! -x "$squid" ] || [ ! -x "$helper" ]; then
    echo "start-squid: squid is not installed" >&2
    exit 1
fi
. "$(dirname "$0")/server-lib.sh"
server_dir squid
read -r port auth_port ntlm_port negotiate_port < <(server_free_ports 4)
ntlm_auth=/usr/bin/ntlm_auth
[ -x "$ntlm_auth" ] || sspi_ports_file=
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
CONF
if [ -n "$sspi_ports_file" ]; then
    identity="--username=ntlmuser --domain=WSTEST --password=ntlmpass"
    cat >> "$server_dir/squid.conf" <<CONF
http_port 127.0.0.1:$ntlm_port name=ntlm
http_port 127.0.0.1:$negotiate_port name=negotiate
auth_param ntlm program $ntlm_auth --helper-protocol=squid-2.5-ntlmssp $identity
auth_param ntlm children 2
auth_param negotiate program $ntlm_auth --helper-protocol=gss-spnego $identity
auth_param negotiate children 2
acl ntlm_port myportname ntlm
acl negotiate_port myportname negotiate
auth_schemes ntlm ntlm_port
auth_schemes negotiate negotiate_port
auth_schemes basic all
http_access allow ntlm_port users
http_access allow negotiate_port users
CONF
fi
cat >> "$server_dir/squid.conf" <<CONF
http_access allow open_port
http_access allow auth_port users
http_access deny all
CONF

server_run "$server_dir/cache.log" "$squid" -N -f "$server_dir/squid.conf"
if [ -n "$sspi_ports_file" ]; then
    server_wait "$port" "$auth_port" "$ntlm_port" "$negotiate_port" || exit 1
    echo "$ntlm_port $negotiate_port" > "$sspi_ports_file"
else
    server_wait "$port" "$auth_port" || exit 1
fi
echo "$auth_port" > "$auth_port_file"
echo "$port" > "$port_file"
server_live "$max_seconds"
