# Shell functions shared by tools/bench.sh, bench/syscalls.sh, bench/ab.sh
# and tools/test-kerberos.sh (wait_port)
# (sourced, not run).
#
# Copyright 2026 the winhttp-ws authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# wait_port FILE PID: the port a server wrote to FILE (at most ~10 s); fails
# when the server PID exits first
wait_port() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -s "$1" ] && { cat "$1"; return 0; }
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# prefix_wineserver: the pid of $WINEPREFIX's wineserver, found by its
# directory (named after the prefix's device and inode); empty when none runs
prefix_wineserver() {
    local tag p
    tag=server-$(stat -c '%D' "$WINEPREFIX")-$(printf '%x' "$(stat -c '%i' "$WINEPREFIX")")
    for p in $(pgrep -x wineserver64; pgrep -x wineserver); do
        case $(readlink "/proc/$p/cwd") in */"$tag") echo "$p"; return 0 ;; esac
    done
}

# start_wsserver NAME PORTFILE LOG [wsserver args...]: starts $wsserver on an
# ephemeral loopback port (under "${pin[@]}" when that array is set), its
# stderr to LOG; sets NAME_pid and NAME_port, fails when it did not start
start_wsserver() {
    local name=$1 portfile=$2 log=$3 pid port
    shift 3
    ${pin[@]+"${pin[@]}"} "$wsserver" --port 0 --port-file "$portfile" --quiet --max-seconds 3600 "$@" \
        > /dev/null 2> "$log" &
    pid=$!
    printf -v "${name}_pid" %s "$pid"
    port=$(wait_port "$portfile" "$pid") || return 1
    printf -v "${name}_port" %s "$port"
}

# start_servers WHO WITH_TLS: the plain wsserver (server=127.0.0.1:PORT)
# and, when WITH_TLS is 1, one speaking TLS with build/bench/pki's
# certificate for localhost (tls=(--tls localhost:PORT)); their port files
# go in $work.  Exits naming WHO when one does not start.
start_servers() {
    tls=()
    start_wsserver server "$work/port" /dev/null || { echo "$1: wsserver did not start" >&2; exit 2; }
    server=127.0.0.1:$server_port
    [ "$2" = 1 ] || return 0
    [ -s build/bench/pki/good.pem ] || tools/make-test-certs.sh build/bench/pki > /dev/null 2>&1 ||
        { echo "$1: cannot make certificates" >&2; exit 2; }
    start_wsserver tls_server "$work/tls-port" /dev/null --tls build/bench/pki/good.pem build/bench/pki/good.key ||
        { echo "$1: the TLS wsserver did not start" >&2; exit 2; }
    tls=(--tls "localhost:$tls_server_port")
}

# Awk functions for the scripts' summaries: keep(c, w, r, v) records client
# c's value v on workload w in run r; median(key) of the values
# val[key, 1..cnt[key]] (key: c SUBSEP w), setting lo[key] and hi[key] to
# their range; paired(a, b, w), the median over runs of one run's a/b on
# workload w, from byrun[client, w, run] (runs 1..runs_seen); ratio(a, b)
# and pratio(a, b, w) formatted.
awk_median='
    function keep(c, w, r, v,    key) {
        key = c SUBSEP w; cnt[key]++; val[key, cnt[key]] = v
        byrun[c, w, r] = v; if (r > runs_seen) runs_seen = r
    }
    # the median of v[1..n], which it sorts
    function sorted_median(v, n,    i, j, t) {
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j > 0 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function median(key,    n, i, v, m) {
        n = cnt[key]
        for (i = 1; i <= n; i++) v[i] = val[key, i]
        m = sorted_median(v, n)
        lo[key] = v[1]; hi[key] = v[n]
        return m
    }
    # A run measures the clients of a row seconds apart, so its ratio is free
    # of the drift between runs (minutes apart); a ratio of medians is not.
    function paired(a, b, w,    r, k, q) {
        k = 0
        for (r = 1; r <= runs_seen; r++)
            if (byrun[a, w, r] > 0 && byrun[b, w, r] > 0) q[++k] = byrun[a, w, r] / byrun[b, w, r]
        return k ? sorted_median(q, k) : 0
    }
    # a / b to two decimals, rounded down: a ratio of 0.8995 shows as 0.89,
    # never as a 0.90 that meets a target it misses
    function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", int(a / b * 100 + 1e-9) / 100) : "n/a" }
    function pratio(a, b, w) { return ratio(paired(a, b, w), 1) }'
