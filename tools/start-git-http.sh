#!/bin/bash
# Usage: tools/start-git-http.sh PORT_FILE MAX_SECONDS REPO_ROOT [PORT [TLS_PORT]]
#
# Runs Debian's apache2 on 127.0.0.1 with a private configuration in a fresh
# directory as a git smart-HTTP server (git http-backend through mod_cgid)
# for libgit2's online tests (tools/libgit2-tests.sh), serving the bare
# repositories under REPO_ROOT (which www-data must be able to write, for
# pushes):
#   /git/REPO                   anonymous, read-only (fetch and clone)
#   /auth/REPO                  Basic, realm "git", user "libgit2" / "libgit2pw";
#                               push allowed (git http-backend's receive-pack
#                               is on for an authenticated REMOTE_USER)
#   /initial-redirect/REPO      302 to /git/REPO for the first request of a
#                               clone (GET info/refs) only, as libgit2's CI
#                               server does
#   /subsequent-redirect/REPO   the first request served, the next (POST
#                               git-upload-pack) a 302 to /git/REPO
#   /libgit2/REPO               REPO_ROOT/libgit2/REPO anonymously, where
#                               http://github.com/libgit2/TestGitRepository
#                               (which libgit2's proxy tests clone) lands in a
#                               namespace whose /etc/hosts maps github.com here
# On PORT when given (80 in such a namespace), else on a free port.  With
# TLS_PORT (443 there), the same over https with a self-signed certificate
# for github.com made here (which libgit2's proxy test accepts through its
# certificate callback, GITTEST_REMOTE_SSL_NOVERIFY).
# Writes the port to PORT_FILE once apache answers, stops after MAX_SECONDS
# or on SIGTERM, and removes its directory.
set -u
port_file=$1 max_seconds=$2 repo_root=$3 port=${4:-} tls_port=${5:-}

apache=/usr/sbin/apache2
mods=/usr/lib/apache2/modules
backend=/usr/lib/git-core/git-http-backend
if [ ! -x "$apache" ] || [ ! -x "$backend" ]; then
    echo "start-git-http: apache2 or git is not installed" >&2
    exit 1
fi
. "$(dirname "$0")/server-lib.sh"
server_dir git-http
[ -n "$port" ] || read -r port < <(server_free_ports 1)
htpasswd -cbB "$server_dir/htpasswd" libgit2 libgit2pw 2> /dev/null
chmod 644 "$server_dir/htpasswd"
mkdir -p "$server_dir/htdocs"

{ apache_conf_head "$port"; cat <<CONF; } > "$server_dir/apache.conf"
LoadModule cgid_module $mods/mod_cgid.so
LoadModule env_module $mods/mod_env.so
LoadModule alias_module $mods/mod_alias.so
LoadModule rewrite_module $mods/mod_rewrite.so
ScriptSock "$server_dir/cgid.sock"
SetEnv GIT_PROJECT_ROOT "$repo_root"
SetEnv GIT_HTTP_EXPORT_ALL 1
<Directory "/usr/lib/git-core">
    Options +ExecCGI
    Require all granted
</Directory>
RewriteEngine On
# A clone's first request is GET .../info/refs?service=git-upload-pack,
# the next ones POST .../git-upload-pack.
RewriteRule "^/initial-redirect/(.*)/info/refs\$" "/git/\$1/info/refs" [R=302,QSA,L]
RewriteRule "^/subsequent-redirect/(.*)/git-upload-pack\$" "/git/\$1/git-upload-pack" [R=302,L]
ScriptAlias "/initial-redirect/" "$backend/"
ScriptAlias "/subsequent-redirect/" "$backend/"
ScriptAlias "/git/" "$backend/"
ScriptAlias "/libgit2/" "$backend/libgit2/"
ScriptAlias "/auth/" "$backend/"
<Location "/auth">
    AuthType Basic
    AuthName "git"
    AuthBasicProvider file
    AuthUserFile "$server_dir/htpasswd"
    Require valid-user
</Location>
CONF

ports=("$port")
if [ -n "$tls_port" ]; then
    ports+=("$tls_port")
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=github.com \
        -addext subjectAltName=DNS:github.com -keyout "$server_dir/key.pem" \
        -out "$server_dir/cert.pem" 2> "$server_dir/openssl.log" || { cat "$server_dir/openssl.log" >&2; exit 1; }
    chmod 644 "$server_dir/key.pem"
    cat >> "$server_dir/apache.conf" <<CONF
LoadModule ssl_module $mods/mod_ssl.so
LoadModule socache_shmcb_module $mods/mod_socache_shmcb.so
SSLSessionCache "shmcb:$server_dir/ssl_scache(512000)"
Listen 127.0.0.1:$tls_port
<VirtualHost 127.0.0.1:$tls_port>
    SSLEngine on
    SSLCertificateFile "$server_dir/cert.pem"
    SSLCertificateKeyFile "$server_dir/key.pem"
</VirtualHost>
CONF
fi

server_run "$server_dir/error.log" "$apache" -f "$server_dir/apache.conf" -DFOREGROUND
server_wait "${ports[@]}" || exit 1
echo "$port" > "$port_file"
server_live "$max_seconds"
