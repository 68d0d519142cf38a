#!/bin/bash
# Usage: tools/start-apache.sh PORT_FILE WS_SERVER MAX_SECONDS [PROXY_PORT_FILE PAC_DIR]
#
# Runs Debian's apache2 on 127.0.0.1 with a private configuration in a fresh
# directory, as an authentication server for the tests:
#   /basic/ok.txt    Basic (mod_auth_basic), realm "basic", user "user" / "pass"
#   /digest/ok.txt   Digest (mod_auth_digest, MD5, qop=auth), realm "digest", the same user
#   /basic-ws/       a websocket to WS_SERVER's /echo (mod_proxy_wstunnel) behind Basic
#   /digest-ws/      the same behind Digest
#   /open/ok.txt     no authentication
#   /pac/            the files of PAC_DIR (with PAC_DIR): PAC scripts
# With PROXY_PORT_FILE, a second port is a forward proxy (mod_proxy_http for
# absolute-form requests, mod_proxy_connect for CONNECT to any port) that
# wants Basic proxy authentication, the same user: its 407 shows a request
# went through it.  Its port goes to PROXY_PORT_FILE.
# Writes the port to PORT_FILE once apache answers, stops after MAX_SECONDS or
# on SIGTERM, and removes its directory.
set -u
port_file=$1 ws_server=$2 max_seconds=$3 proxy_port_file=${4:-} pac_dir=${5:-}

apache=/usr/sbin/apache2
mods=/usr/lib/apache2/modules
if [ ! -x "$apache" ]; then
    echo "start-apache: apache2 is not installed" >&2
    exit 1
fi
. "$(dirname "$0")/server-lib.sh"
server_dir apache
read -r port proxy_port < <(server_free_ports 2)
mkdir -p "$server_dir/htdocs/basic" "$server_dir/htdocs/digest" "$server_dir/htdocs/open"
echo "basic ok" > "$server_dir/htdocs/basic/ok.txt"
echo "digest ok" > "$server_dir/htdocs/digest/ok.txt"
echo "open ok" > "$server_dir/htdocs/open/ok.txt"
htpasswd -cbB "$server_dir/htpasswd" user pass 2> /dev/null
printf 'user:digest:%s\n' "$(printf 'user:digest:pass' | md5sum | cut -d' ' -f1)" > "$server_dir/htdigest"
chmod 644 "$server_dir/htpasswd" "$server_dir/htdigest"

{ apache_conf_head "$port"; cat <<CONF; } > "$server_dir/apache.conf"
LoadModule auth_digest_module $mods/mod_auth_digest.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_wstunnel_module $mods/mod_proxy_wstunnel.so
<Directory "$server_dir/htdocs">
    Require all granted
</Directory>
<Location "/basic">
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile "$server_dir/htpasswd"
    Require valid-user
</Location>
<Location "/digest">
    AuthType Digest
    AuthName "digest"
    AuthDigestProvider file
    AuthUserFile "$server_dir/htdigest"
    Require valid-user
</Location>
CONF
if [ -n "$ws_server" ]; then
    cat >> "$server_dir/apache.conf" <<CONF
<Location "/basic-ws/">
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile "$server_dir/htpasswd"
    Require valid-user
    ProxyPass "ws://$ws_server/echo"
</Location>
<Location "/digest-ws/">
    AuthType Digest
    AuthName "digest"
    AuthDigestProvider file
    AuthUserFile "$server_dir/htdigest"
    Require valid-user
    ProxyPass "ws://$ws_server/echo"
</Location>
CONF
fi

if [ -n "$pac_dir" ]; then
    cat >> "$server_dir/apache.conf" <<CONF
LoadModule alias_module $mods/mod_alias.so
Alias "/pac/" "$pac_dir/"
<Directory "$pac_dir">
    Require all granted
</Directory>
CONF
fi
ports=("$port")
if [ -n "$proxy_port_file" ]; then
    ports+=("$proxy_port")
    cat >> "$server_dir/apache.conf" <<CONF
LoadModule proxy_http_module $mods/mod_proxy_http.so
LoadModule proxy_connect_module $mods/mod_proxy_connect.so
Listen 127.0.0.1:$proxy_port
<VirtualHost 127.0.0.1:$proxy_port>
    ProxyRequests On
    AllowCONNECT 1-65535
    <Proxy "*">
        AuthType Basic
        AuthName "proxy"
        AuthBasicProvider file
        AuthUserFile "$server_dir/htpasswd"
        Require valid-user
    </Proxy>
</VirtualHost>
CONF
fi

server_run "$server_dir/error.log" "$apache" -f "$server_dir/apache.conf" -DFOREGROUND
server_wait "${ports[@]}" || exit 1
[ -n "$proxy_port_file" ] && echo "$proxy_port" > "$proxy_port_file"
echo "$port" > "$port_file"
server_live "$max_seconds"
