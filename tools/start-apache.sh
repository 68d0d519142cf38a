#!/bin/bash
# Usage: tools/start-apache.sh PORT_FILE WS_SERVER MAX_SECONDS
#
# Runs Debian's apache2 on 127.0.0.1 with a private configuration in a fresh
# directory, as an authentication server for the tests:
#   /basic/ok.txt    Basic (mod_auth_basic), realm "basic", user "user" / "pass"
#   /digest/ok.txt   Digest (mod_auth_digest, MD5, qop=auth), realm "digest", the same user
#   /basic-ws/       a websocket to WS_SERVER's /echo (mod_proxy_wstunnel) behind Basic
#   /digest-ws/      the same behind Digest
#   /open/ok.txt     no authentication
# Writes the port to PORT_FILE once apache answers, stops after MAX_SECONDS or
# on SIGTERM, and removes its directory.
set -u
port_file=$1 ws_server=$2 max_seconds=$3

apache=/usr/sbin/apache2
mods=/usr/lib/apache2/modules
if [ ! -x "$apache" ]; then
    echo "start-apache: apache2 is not installed" >&2
    exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/wstest-apache.XXXXXX")
chmod 755 "$dir"
apache_pid=
cleanup() {
    [ -n "$apache_pid" ] && kill -TERM "$apache_pid" 2>/dev/null && wait "$apache_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$dir/htdocs/basic" "$dir/htdocs/digest" "$dir/htdocs/open"
echo "basic ok" > "$dir/htdocs/basic/ok.txt"
echo "digest ok" > "$dir/htdocs/digest/ok.txt"
echo "open ok" > "$dir/htdocs/open/ok.txt"
htpasswd -cbB "$dir/htpasswd" user pass 2> /dev/null
printf 'user:digest:%s\n' "$(printf 'user:digest:pass' | md5sum | cut -d' ' -f1)" > "$dir/htdigest"
chmod 644 "$dir/htpasswd" "$dir/htdigest"

cat > "$dir/apache.conf" <<CONF
ServerRoot "$dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/apache.pid"
ErrorLog "$dir/error.log"
LogLevel warn
User www-data
Group www-data
Mutex file:$dir default
DocumentRoot "$dir/htdocs"
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule auth_digest_module $mods/mod_auth_digest.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_wstunnel_module $mods/mod_proxy_wstunnel.so
KeepAlive On
MaxKeepAliveRequests 1000
<Directory "$dir/htdocs">
    Require all granted
</Directory>
<Location "/basic">
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile "$dir/htpasswd"
    Require valid-user
</Location>
<Location "/digest">
    AuthType Digest
    AuthName "digest"
    AuthDigestProvider file
    AuthUserFile "$dir/htdigest"
    Require valid-user
</Location>
CONF
if [ -n "$ws_server" ]; then
    cat >> "$dir/apache.conf" <<CONF
<Location "/basic-ws/">
    AuthType Basic
    AuthName "basic"
    AuthBasicProvider file
    AuthUserFile "$dir/htpasswd"
    Require valid-user
    ProxyPass "ws://$ws_server/echo"
</Location>
<Location "/digest-ws/">
    AuthType Digest
    AuthName "digest"
    AuthDigestProvider file
    AuthUserFile "$dir/htdigest"
    Require valid-user
    ProxyPass "ws://$ws_server/echo"
</Location>
CONF
fi

"$apache" -f "$dir/apache.conf" -DFOREGROUND &
apache_pid=$!
for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$apache_pid" 2>/dev/null; then
        cat "$dir/error.log" >&2
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "$port" > "$port_file"
        break
    fi
    sleep 0.05
done
[ -s "$port_file" ] || { echo "start-apache: no answer on port $port" >&2; exit 1; }
# Bounded life: the tests' servers never outlive their run.
( sleep "$max_seconds"; kill -TERM $$ 2>/dev/null ) &
wait "$apache_pid"
cat "$dir/error.log" >&2
