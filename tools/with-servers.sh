#!/bin/bash
# Usage: tools/with-servers.sh COMMAND [ARGS...]
#
# Starts the loopback test servers, exports their addresses, runs COMMAND,
# stops the servers and exits with COMMAND's status.
#
#   WSTEST_SERVER       127.0.0.1:PORT of build/native/server/wsserver
#   WSTEST_SERVER6     [::1]:PORT of a second wsserver bound to ::1 (empty without IPv6)
#   WSTEST_TLS_SERVER   127.0.0.1:PORT of a wsserver speaking TLS with a leaf for
#                       localhost/127.0.0.1/::1 signed by a throw-away private CA
#   WSTEST_TLS_EXPIRED_SERVER, WSTEST_TLS_WRONGHOST_SERVER, WSTEST_TLS_UNTRUSTED_SERVER
#                       the same with an expired leaf, a leaf for other.invalid,
#                       and a self-signed leaf
#   WSTEST_TLS_CA       the private CA certificate, base64 DER (empty if no TLS)
#   WSTEST_PY_SERVER    127.0.0.1:PORT of tests/server/echo_py.py (python3-websockets)
#   WSTEST_PY_TLS_SERVER the same over TLS with the CA-signed localhost leaf
#   WSTEST_NODE_SERVER  127.0.0.1:PORT of tests/server/echo_node.js (node ws)
#   WSTEST_APACHE       127.0.0.1:PORT of apache2 with Basic and Digest areas
#                       (tools/start-apache.sh)
#   WSTEST_PROXY, WSTEST_PROXY_AUTH
#                       127.0.0.1:PORT of squid, open and with Basic proxy
#                       authentication (tools/start-squid.sh)
#   WSTEST_PROXY_NTLM, WSTEST_PROXY_NEGOTIATE
#                       127.0.0.1:PORT of the same squid wanting NTLM and
#                       Negotiate proxy authentication (Samba's ntlm_auth)
#   WSTEST_APACHE_PROXY 127.0.0.1:PORT of apache2 as a forward proxy (mod_proxy_http,
#                       mod_proxy_connect) with Basic proxy authentication
#   WSTEST_PROXY2       127.0.0.1:PORT of a second squid, open (as tools/start-squid.sh)
#   WSTEST_PAC_URL      http://127.0.0.1:PORT/pac/proxy.pac on apache2: a PAC script
#                       that sends every URL to a second squid's port with Basic
#                       proxy authentication
#   WSTEST_NTLM_GATE    127.0.0.1:PORT of tests/server/ntlm_gate.py: 401 with
#                       NTLM/Negotiate (ntlm_auth), websockets to wsserver
#   WSTEST_NTLM_GATE_TLS the same over TLS (the localhost leaf of WSTEST_TLS_CA)
#   WSTEST_CLIENTCERT_SERVER 127.0.0.1:PORT of tests/server/clientcert_py.py: https
#                       (TLS 1.2 at most) that requires a client certificate of the CA
#   WSTEST_CLIENT_PFX   that client certificate and key, base64 PKCS#12, no password
#   WSTEST_LOGDIR       directory with the servers' stderr logs (input; default mktemp -d)
#
# Inputs: WSSERVER (path of the wsserver binary), WSTEST_MAX_SECONDS (server
# lifetime cap, default 3600: make check runs x86_64 and i686, and
# on a loaded machine that passed 900 s). Unavailable servers leave their variable empty
# and print one line saying why.

set -u

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

topdir=$(cd "$(dirname "$0")/.." && pwd)
srvdir=$topdir/tests/server
max_seconds=${WSTEST_MAX_SECONDS:-3600}

if [ -z "${WSSERVER:-}" ]; then
    if [ -x build/native/server/wsserver ]; then
        WSSERVER=build/native/server/wsserver
    else
        WSSERVER=$topdir/build/native/server/wsserver
    fi
fi

WSTEST_LOGDIR=${WSTEST_LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/wstest-logs.XXXXXX")}
mkdir -p "$WSTEST_LOGDIR"
export WSTEST_LOGDIR
rundir=$(mktemp -d "${TMPDIR:-/tmp}/wstest-run.XXXXXX")
# PAC scripts apache serves (its user must read them; rundir holds keys)
pacdir=$(mktemp -d "${TMPDIR:-/tmp}/wstest-pac.XXXXXX")
chmod 755 "$pacdir"

pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$rundir" "$pacdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_port PID FILE: prints the port once FILE exists (at most ~10 s)
wait_port() {
    local pid=$1 file=$2 i port
    for ((i = 0; i < 200; i++)); do
        if [ -s "$file" ]; then
            read -r port < "$file"
            echo "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# start [-6] NAME VAR COMMAND...: starts a server writing its port to a file
start() {
    local host=127.0.0.1 name var pid port
    if [ "$1" = -6 ]; then
        host='[::1]'
        shift
    fi
    name=$1 var=$2
    shift 2
    "$@" > /dev/null 2> "$WSTEST_LOGDIR/$name.log" &
    pid=$!
    pids+=("$pid")
    if port=$(wait_port "$pid" "$rundir/$name.port"); then
        export "$var=$host:$port"
    else
        export "$var="
        echo "with-servers: $name did not start (see $WSTEST_LOGDIR/$name.log)" >&2
    fi
}

export WSTEST_SERVER= WSTEST_SERVER6= WSTEST_TLS_SERVER= WSTEST_PY_SERVER= WSTEST_NODE_SERVER= \
    WSTEST_TLS_EXPIRED_SERVER= WSTEST_TLS_WRONGHOST_SERVER= WSTEST_TLS_UNTRUSTED_SERVER= WSTEST_TLS_CA= \
    WSTEST_PY_TLS_SERVER=

if [ -x "$WSSERVER" ]; then
    start wsserver WSTEST_SERVER "$WSSERVER" --port 0 --port-file "$rundir/wsserver.port" \
        --max-seconds "$max_seconds"
    start -6 wsserver6 WSTEST_SERVER6 "$WSSERVER" --bind ::1 --port 0 \
        --port-file "$rundir/wsserver6.port" --max-seconds "$max_seconds" --quiet
else
    echo "with-servers: wsserver not built ($WSSERVER)" >&2
fi

# wss: instances with a throw-away test PKI (tools/make-test-certs.sh): a
# leaf signed by a private CA, an expired one, one for another host name, and
# a self-signed one.  WSTEST_TLS_CA holds the CA certificate as base64 DER so
# a Windows test can trust it for its run.
if [ -x "$WSSERVER" ] && ! "$WSSERVER" --has-tls; then
    echo "with-servers: wsserver built without GnuTLS, no TLS server" >&2
elif [ -x "$WSSERVER" ] && command -v openssl > /dev/null 2>&1; then
    if "$topdir/tools/make-test-certs.sh" "$rundir/pki" > "$WSTEST_LOGDIR/openssl.log" 2>&1; then
        for kind in good expired wronghost untrusted; do
            case $kind in
            good) var=WSTEST_TLS_SERVER ;;
            expired) var=WSTEST_TLS_EXPIRED_SERVER ;;
            wronghost) var=WSTEST_TLS_WRONGHOST_SERVER ;;
            untrusted) var=WSTEST_TLS_UNTRUSTED_SERVER ;;
            esac
            start "wsserver-tls-$kind" "$var" "$WSSERVER" --port 0 \
                --port-file "$rundir/wsserver-tls-$kind.port" --max-seconds "$max_seconds" --quiet \
                --tls "$rundir/pki/$kind.pem" "$rundir/pki/$kind.key"
        done
        WSTEST_TLS_CA=$(openssl x509 -in "$rundir/pki/ca.pem" -outform DER | base64 -w0)
        export WSTEST_TLS_CA WSTEST_TLS_CERT=$rundir/pki/good.pem WSTEST_TLS_KEY=$rundir/pki/good.key
    else
        echo "with-servers: could not create the test certificates, no TLS server" >&2
    fi
elif [ -x "$WSSERVER" ]; then
    echo "with-servers: openssl not installed, no TLS server" >&2
fi

# apache2 with Basic and Digest areas, and websockets to wsserver behind them
# (tools/start-apache.sh); WSTEST_APACHE is its 127.0.0.1:PORT.
export WSTEST_APACHE= WSTEST_APACHE_PROXY=
if [ -x /usr/sbin/apache2 ]; then
    start apache WSTEST_APACHE "$topdir/tools/start-apache.sh" "$rundir/apache.port" "$WSTEST_SERVER" "$max_seconds" \
        "$rundir/apache-proxy.port" "$pacdir"
    if [ -n "$WSTEST_APACHE" ] && [ -s "$rundir/apache-proxy.port" ]; then
        WSTEST_APACHE_PROXY=127.0.0.1:$(cat "$rundir/apache-proxy.port")
    fi
else
    echo "with-servers: apache2 not installed, no authentication server" >&2
fi

# squid as the proxy (tools/start-squid.sh): WSTEST_PROXY is open to all,
# WSTEST_PROXY_AUTH wants Basic proxy authentication.
export WSTEST_PROXY= WSTEST_PROXY_AUTH= WSTEST_PROXY_NTLM= WSTEST_PROXY_NEGOTIATE= WSTEST_PAC_URL= WSTEST_PROXY2=
if [ -x /usr/sbin/squid ]; then
    start squid WSTEST_PROXY "$topdir/tools/start-squid.sh" "$rundir/squid.port" "$rundir/squid-auth.port" \
        "$max_seconds" "$rundir/squid-sspi.ports"
    if [ -n "$WSTEST_PROXY" ] && [ -s "$rundir/squid-auth.port" ]; then
        WSTEST_PROXY_AUTH=127.0.0.1:$(cat "$rundir/squid-auth.port")
    fi
    if [ -n "$WSTEST_PROXY" ] && [ -s "$rundir/squid-sspi.ports" ]; then
        read -r ntlm_port negotiate_port < "$rundir/squid-sspi.ports"
        WSTEST_PROXY_NTLM=127.0.0.1:$ntlm_port WSTEST_PROXY_NEGOTIATE=127.0.0.1:$negotiate_port
    elif [ -n "$WSTEST_PROXY" ]; then
        echo "with-servers: ntlm_auth not installed (Debian's winbind), no NTLM/Negotiate proxy" >&2
    fi
    # a second squid, which only the PAC script on apache names
    if [ -n "$WSTEST_APACHE" ]; then
        start squid2 WSTEST_PROXY2 "$topdir/tools/start-squid.sh" "$rundir/squid2.port" "$rundir/squid2-auth.port" \
            "$max_seconds"
        if [ -s "$rundir/squid2-auth.port" ]; then
            printf 'function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:%s"; }\n' \
                "$(cat "$rundir/squid2-auth.port")" > "$pacdir/proxy.pac"
            chmod 644 "$pacdir/proxy.pac"
            WSTEST_PAC_URL=http://$WSTEST_APACHE/pac/proxy.pac
        fi
    fi
else
    echo "with-servers: squid not installed, no proxy" >&2
fi

# NTLM and Negotiate server authentication (tests/server/ntlm_gate.py, with
# Samba's ntlm_auth as the acceptor), websockets passed on to wsserver.
export WSTEST_NTLM_GATE= WSTEST_NTLM_GATE_TLS=
if [ -x /usr/bin/ntlm_auth ] && [ -x /usr/bin/python3 ] && [ -n "$WSTEST_SERVER" ]; then
    start ntlm_gate WSTEST_NTLM_GATE /usr/bin/python3 "$srvdir/ntlm_gate.py" "$rundir/ntlm_gate.port" \
        --backend "$WSTEST_SERVER" --max-seconds "$max_seconds"
    if [ -n "${WSTEST_TLS_CERT:-}" ]; then
        start ntlm_gate_tls WSTEST_NTLM_GATE_TLS /usr/bin/python3 "$srvdir/ntlm_gate.py" \
            "$rundir/ntlm_gate_tls.port" --backend "$WSTEST_SERVER" --max-seconds "$max_seconds" \
            --tls "$WSTEST_TLS_CERT" "$WSTEST_TLS_KEY"
    fi
else
    echo "with-servers: ntlm_auth (Debian's winbind) or wsserver missing, no NTLM server" >&2
fi

if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
    start echo_py WSTEST_PY_SERVER /usr/bin/python3 "$srvdir/echo_py.py" \
        "$rundir/echo_py.port" --max-seconds "$max_seconds"
    if [ -n "${WSTEST_TLS_CERT:-}" ]; then
        start echo_py_tls WSTEST_PY_TLS_SERVER /usr/bin/python3 "$srvdir/echo_py.py" \
            "$rundir/echo_py_tls.port" --max-seconds "$max_seconds" --tls "$WSTEST_TLS_CERT" "$WSTEST_TLS_KEY"
    fi
else
    echo "with-servers: python3-websockets not installed, no python echo server" >&2
fi

# https that requires a client certificate signed by the test CA
# (tests/server/clientcert_py.py); WSTEST_CLIENT_PFX is that client's
# certificate and key as base64 PKCS#12 (no password) for the test to import.
export WSTEST_CLIENTCERT_SERVER= WSTEST_CLIENT_PFX=
if [ -x /usr/bin/python3 ] && [ -n "${WSTEST_TLS_CERT:-}" ] && [ -s "$rundir/pki/client.pfx" ]; then
    start clientcert WSTEST_CLIENTCERT_SERVER /usr/bin/python3 "$srvdir/clientcert_py.py" "$rundir/clientcert.port" \
        --tls "$WSTEST_TLS_CERT" "$WSTEST_TLS_KEY" --client-ca "$rundir/pki/ca.pem" --max-seconds "$max_seconds"
    WSTEST_CLIENT_PFX=$(base64 -w0 "$rundir/pki/client.pfx")
else
    echo "with-servers: no TLS test certificates, no client-certificate server" >&2
fi

if command -v node > /dev/null 2>&1 &&
        NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH} node -e "require('ws')" 2>/dev/null; then
    start echo_node WSTEST_NODE_SERVER \
        env NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH} node "$srvdir/echo_node.js" \
        "$rundir/echo_node.port" --max-seconds "$max_seconds"
else
    echo "with-servers: node or node-ws not installed, no node echo server" >&2
fi

echo "with-servers: WSTEST_SERVER=$WSTEST_SERVER WSTEST_SERVER6=$WSTEST_SERVER6 WSTEST_TLS_SERVER=$WSTEST_TLS_SERVER" \
     "WSTEST_PY_SERVER=$WSTEST_PY_SERVER WSTEST_NODE_SERVER=$WSTEST_NODE_SERVER WSTEST_APACHE=$WSTEST_APACHE" \
     "WSTEST_PROXY=$WSTEST_PROXY WSTEST_PROXY_AUTH=$WSTEST_PROXY_AUTH" \
     "WSTEST_PROXY_NTLM=$WSTEST_PROXY_NTLM WSTEST_PROXY_NEGOTIATE=$WSTEST_PROXY_NEGOTIATE WSTEST_NTLM_GATE=$WSTEST_NTLM_GATE WSTEST_NTLM_GATE_TLS=$WSTEST_NTLM_GATE_TLS" \
     "WSTEST_APACHE_PROXY=$WSTEST_APACHE_PROXY WSTEST_PAC_URL=$WSTEST_PAC_URL" \
     "(logs in $WSTEST_LOGDIR)" >&2

"$@"
exit $?
