# tools/server-lib.sh: what tools/start-apache.sh and tools/start-squid.sh
# share (sourced, bash).  A daemon runs in the foreground in a fresh
# directory, answers on free loopback ports, lives at most a bounded time,
# and is stopped (and its directory removed) when the script ends or gets
# SIGTERM.
#
#   server_dir NAME          sets $server_dir: a fresh directory others may read
#   server_free_ports N      prints N free 127.0.0.1 ports on one line
#   server_run LOG CMD...    starts CMD in the background as the daemon
#   server_wait PORT...      waits (at most ~10 s) until each port answers;
#                            fails, printing LOG, if the daemon died
#   server_live SECONDS      waits for the daemon, ending it after SECONDS
#   apache_conf_head PORT    prints the start of an apache2 configuration
#                            (tools/start-apache.sh, tools/start-git-http.sh):
#                            $server_dir, 127.0.0.1:PORT, Basic auth modules

server_pid=
server_watchdog=
server_dir=
server_log=

server_cleanup() {
    [ -n "$server_watchdog" ] && kill -TERM "$server_watchdog" 2>/dev/null
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -n "$server_dir" ] && rm -rf "$server_dir"
}
trap server_cleanup EXIT
trap 'exit 143' TERM INT

server_dir() {
    server_dir=$(mktemp -d "${TMPDIR:-/tmp}/wstest-$1.XXXXXX")
    chmod 755 "$server_dir"
}

server_free_ports() {
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

server_run() {
    server_log=$1
    shift
    "$@" &
    server_pid=$!
}

server_wait() {
    local i port ready
    for ((i = 0; i < 200; i++)); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$server_log" >&2
            return 1
        fi
        ready=1
        for port in "$@"; do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || ready=0
        done
        [ $ready -eq 1 ] && return 0
        sleep 0.05
    done
    echo "$0: no answer on port(s) $*" >&2
    return 1
}

server_live() {
    # the watchdog ends with the script: its sleep must not outlive it (nor
    # its kill reach a pid used again after an hour)
    ( sleep "$1" & sleeper=$!; trap 'kill $sleeper 2>/dev/null; exit 0' TERM; wait $sleeper
      kill -TERM $$ 2>/dev/null ) &
    server_watchdog=$!
    wait "$server_pid"
    cat "$server_log" >&2
}

apache_conf_head() {
    local mods=/usr/lib/apache2/modules
    cat <<CONF
ServerRoot "$server_dir"
ServerName 127.0.0.1
Listen 127.0.0.1:$1
PidFile "$server_dir/apache.pid"
ErrorLog "$server_dir/error.log"
LogLevel warn
User www-data
Group www-data
Mutex file:$server_dir default
DocumentRoot "$server_dir/htdocs"
KeepAlive On
MaxKeepAliveRequests 1000
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
CONF
}
