#!/bin/bash
# Usage: tools/bench.sh [--dir DIR] [--runs N] [--seconds S] [--workloads LIST]
#                       [--cpus LIST|all] [--no-docs] [--doc FILE] [--png FILE]
#                       [--report-only]
#
# `make bench`: WebSocket throughput of our winhttp.dll, Wine's builtin
# winhttp and raw Winsock / raw Schannel, side by side.  Starts two native
# wsservers (/echo) on loopback, one plain and one speaking TLS with a
# throw-away certificate for localhost (tools/make-test-certs.sh, made in
# build/bench/pki), then N times (default 5) runs each workload with every
# client below, one process each, before the next workload (the clients'
# order rotating with the workload and the run),
#
#   ours     DIR/bench_winhttp.exe with WINEDLLOVERRIDES=winhttp=n (our DLL beside it),
#            forced onto Winsock (WINHTTP_BACKEND=winsock)
#   host     the same on host sockets (WINHTTP_BACKEND=host, WINEDLLPATH=HOST_DIR,
#            default build/x86_64/host; docs/HOST.md), when the helper is built
#   builtin  the same exe with winhttp=b
#   raw      DIR/bench_raw.exe (ws2_32, and secur32 for wss: the limit for a
#            PE program under Wine)
#   raw_cb   DIR/bench_raw.exe --callbacks: the async_ rows only, raw Winsock
#            shaped as bench_winhttp.exe runs them (sends from whichever thread
#            finds one owed, receives completed on a completion-port thread;
#            bench/bench_pipe.c), where raw's async_ rows are one thread in
#            blocking calls
#   raw_host DIR/bench_raw.exe --host: raw's client on Linux sockets, each send
#            and receive one unix call into the helper (the limit for a PE
#            program on host sockets under Wine), when the helper is built
#   native   BENCH_NATIVE (build/native/bench/bench_native): a Linux program on
#            Linux sockets, no Wine; ws rows only
#
# each doing every workload for about S seconds (default 1), on ws:// and
# then as wss_<workload> on wss://localhost, and the round trips once more as
# proxy_<workload> through a CONNECT tunnel of Debian's squid
# (tools/start-squid.sh; raw: the CONNECT written by hand on the same
# socket), then bench_raw.exe --costs (the
# cost of single calls under Wine).  A client process that dies is noted
# (FAIL "crashed"); the next workload starts a new one.  Prints a table
# of medians with min-max and the ratios ours/raw and ours/builtin, then
# rewrites the generated part of docs/BENCHMARKS.md (between the
# "bench:begin" and "bench:end" markers) and docs/benchmarks.png (gnuplot;
# skipped with a message if gnuplot is missing).  --no-docs only prints.
#
# --cpus (default 0): the servers (squid too), the clients and the prefix's wineserver
# run pinned to these CPUs (taskset).  On the two-vCPU VM this was written
# on, unpinned 16 B round trips jump between ~40k and ~4k messages/s from
# one second to the next, idle machine or not (wake-ups across vCPUs);
# pinned they stay within ~20%.  --cpus all measures unpinned.
#
# Without openssl or a wsserver built with GnuTLS the wss workloads are
# left out (said on stderr and in the doc).
#
# Inputs: WSSERVER (default build/native/server/wsserver), WINE (default
# wine).  Wine runs in a private prefix, build/bench/wineprefix, so the
# bench never shares a wineserver with tests running at the same time.
# Raw per-run lines are kept in build/bench/results.txt; --report-only
# formats them again (table, docs, chart) without measuring.

set -u
topdir=$(cd "$(dirname "$0")/.." && pwd)
. "$topdir/bench/lib.sh"
dir=build/x86_64/bench
runs=5
seconds=1
workloads=all
cpus=0
docs=1
report_only=0
doc=$topdir/docs/BENCHMARKS.md
png=$topdir/docs/benchmarks.png
command_line="tools/bench.sh $*"

while [ $# -gt 0 ]; do
    case $1 in
    --dir) dir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --no-docs) docs=0; shift ;;
    --report-only) report_only=1; shift ;;
    --doc) doc=$2; shift 2 ;;
    --png) png=$2; shift 2 ;;
    *) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
done

out=build/bench
results=$out/results.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
server_pid=
tls_server_pid=
squid_pid=
cleanup() {
    local p
    for p in $server_pid $tls_server_pid $squid_pid; do
        kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wine=${WINE:-/usr/lib/wine/wine64}

# "Source tree: ..." for the doc: what our DLL was built from
describe_tree() {
    local rev dirty
    rev=$(git -C "$topdir" rev-parse --short HEAD 2>/dev/null) || return 0
    dirty=$(git -C "$topdir" status --porcelain -- dlls/winhttp 2>/dev/null | wc -l)
    echo "Source tree: commit $rev$([ "$dirty" -gt 0 ] && echo " with uncommitted changes in $dirty file(s) of dlls/winhttp")."
}

measure() {
    wsserver=${WSSERVER:-build/native/server/wsserver}
    for f in "$dir/bench_winhttp.exe" "$dir/bench_raw.exe" "$dir/winhttp.dll" "$wsserver"; do
        if [ ! -e "$f" ]; then
            echo "bench: $f is missing (run make bench)" >&2
            exit 2
        fi
    done

    if [ "$cpus" != all ] && ! command -v taskset > /dev/null 2>&1; then
        echo "bench: taskset not installed, running unpinned" >&2
        cpus=all
    fi
    # prefix for commands that run on the --cpus CPUs
    pin=()
    [ "$cpus" = all ] || pin=(taskset -c "$cpus")

    mkdir -p "$out"


    # One server for every client and run: the fast /echo path.
    if ! start_wsserver server "$work/port" "$out/wsserver.log"; then
        echo "bench: wsserver did not start (see $out/wsserver.log)" >&2
        exit 2
    fi
    server=127.0.0.1:$server_port

    # The same over TLS.  Clients connect to "localhost": the name in the
    # certificate (Wine's SSL policy may not match IP addresses).
    tls=()
    tls_note=
    if ! "$wsserver" --has-tls; then
        tls_note="wsserver was built without GnuTLS"
    elif ! command -v openssl > /dev/null 2>&1; then
        tls_note="openssl is not installed"
    elif ! "$topdir/tools/make-test-certs.sh" "$out/pki" > "$out/openssl.log" 2>&1; then
        tls_note="tools/make-test-certs.sh failed (see $out/openssl.log)"
    else
        if start_wsserver tls_server "$work/tls-port" "$out/wsserver-tls.log" \
            --tls "$out/pki/good.pem" "$out/pki/good.key"; then
            tls=(--tls "localhost:$tls_server_port")
        else
            tls_note="the TLS wsserver did not start (see $out/wsserver-tls.log)"
        fi
    fi
    [ -z "$tls_note" ] || echo "bench: no wss workloads: $tls_note" >&2

    # squid for the proxy_ rows (its open port)
    proxy=()
    proxy_note=
    if [ ! -x /usr/sbin/squid ]; then
        proxy_note="squid is not installed"
    else
        ${pin[@]+"${pin[@]}"} "$topdir/tools/start-squid.sh" "$work/squid-port" "$work/squid-auth-port" 3600 > /dev/null 2> "$out/squid.log" &
        squid_pid=$!
        if squid_port=$(wait_port "$work/squid-port" "$squid_pid"); then
            proxy=(--proxy "127.0.0.1:$squid_port")
        else
            proxy_note="squid did not start (see $out/squid.log)"
        fi
    fi
    [ -z "$proxy_note" ] || echo "bench: no proxy workloads: $proxy_note" >&2

    export WINEPREFIX=$topdir/build/bench/wineprefix WINEDEBUG=-all
    unset DISPLAY
    [ "$runs" -ge 1 ] 2>/dev/null || { echo "bench: --runs must be a positive number" >&2; exit 2; }

    # run CLIENT OVERRIDE EXE: the workloads in $workloads; RESULT/NOTE lines to stdout.
    # One process, unless it dies: then the workload it died in gets a FAIL
    # line and a new process runs the ones after it (from its PLAN line).
    run() {
        local list=$workloads tries status last limit
        for ((tries = 0; tries < 30; tries++)); do
            # a bound per process: every workload is time-bounded, the
            # watchdog in the exe stops one that hangs after 10 * S + 20 s
            limit=$(awk -v s="$seconds" -v list="$list" 'BEGIN { printf "%d", split(list, w, ",") * (10 * s + 20) + 60 }')
            local loader=("$wine")
            [[ $3 == *.exe ]] || loader=()
            env "${backend_env[@]}" WINEDLLOVERRIDES="winhttp=$2;mscoree=;mshtml=" timeout -k 5 "$limit" \
                "${pin[@]}" "${loader[@]}" "$3" ${extra[@]+"${extra[@]}"} -n "$1" -t "$seconds" -w "$list" "${tls[@]}" "${proxy[@]}" "$server" \
                2>> "$out/wine.log" | tr -d '\r' > "$work/run.out"
            status=${PIPESTATUS[0]}
            grep -v '^PLAN ' "$work/run.out"
            last=$(awk '$1 == "START" { s = $3 } $1 == "RESULT" && $3 == s { done = s } END { if (s != done) print s }' "$work/run.out")
            [ -n "$last" ] && echo "RESULT $1 $last FAIL crashed (exit status $status)"
            [ "$status" = 0 ] && break
            echo "bench: $1 exited with status $status${last:+ in $last}" >&2
            # what the plan had after the last workload that started
            list=$(awk '$1 == "PLAN" { plan = $3 } $1 == "START" { s = $3 }
                END { n = split(plan, w, ","); for (i = 1; i <= n; i++) { if (go) out = out (out ? "," : "") w[i]; if (w[i] == s) go = 1 }
                      print out }' "$work/run.out")
            [ -n "$list" ] || break
        done
    }

    echo "bench: server $server, $runs runs of ${seconds} s per workload, CPUs $cpus, prefix $WINEPREFIX" >&2
    # the first start creates or updates the prefix: not measured
    backend_env=(WINHTTP_BACKEND=winsock) extra=()
    workloads=rt16,wss_rt16 run warmup n "$dir/bench_raw.exe" > /dev/null
    : > "$out/wine.log"
    # The prefix's wineserver (ours alone: a private prefix) may predate this
    # run; pin it too.  It is found by its directory, named after the prefix's
    # device and inode.
    if [ "$cpus" != all ] && p=$(prefix_wineserver) && [ -n "$p" ]; then
        taskset -a -p -c "$cpus" "$p" > /dev/null
    fi

    {
        echo "0 META command $command_line"
        echo "0 META cpus $cpus"
        echo "0 META seconds $seconds"
        echo "0 META date $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "0 META source $(describe_tree)"
        [ -z "$tls_note" ] || echo "0 META tls no wss workloads: $tls_note"
        [ -z "$proxy_note" ] || echo "0 META proxy no proxy workloads: $proxy_note"
    } > "$results"
    clients=(ours builtin raw raw_cb)
    host_dir=$(cd "${HOST_DIR:-build/x86_64/host}" 2> /dev/null && pwd)
    if [ -n "$host_dir" ] && [ -f "$host_dir/winhttp_host.so" ]; then
        clients=(ours host builtin raw raw_cb raw_host)
    else
        echo "bench: no host column: the helper is not built (${HOST_DIR:-build/x86_64/host})" >&2
    fi
    native_exe=${BENCH_NATIVE:-build/native/bench/bench_native}
    if [ -x "$native_exe" ]; then
        clients+=(native)
    else
        echo "bench: no native column: $native_exe is not built" >&2
    fi
    # Every workload, in the exe's order (its PLAN line with -l)
    plan=$(WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=" "$wine" "$dir/bench_winhttp.exe" -l -w "$workloads" \
               "${tls[@]}" "${proxy[@]}" "$server" 2>> "$out/wine.log" | tr -d '\r' | awk '$1 == "PLAN" { print $3 }')
    [ -n "$plan" ] || { echo "bench: no workload matches '$workloads'" >&2; exit 2; }
    # Side by side: each workload is run by every client, one process each,
    # before the next workload, so a row's columns are measured seconds apart
    # (the VM's speed drifts over the minutes a run takes).  The clients'
    # order rotates with the workload and the run: none is always first.
    for ((r = 1; r <= runs; r++)); do
        echo "bench: run $r/$runs" >&2
        w=0
        for workload in ${plan//,/ }; do
            for ((k = 0; k < ${#clients[@]}; k++)); do
                client=${clients[$(((r - 1 + w + k) % ${#clients[@]}))]}
                backend_env=(WINHTTP_BACKEND=winsock) extra=()
                case $client in
                ours) override=n exe=$dir/bench_winhttp.exe ;;
                host) override=n exe=$dir/bench_winhttp.exe backend_env=(WINHTTP_BACKEND=host WINEDLLPATH="$host_dir") ;;
                builtin) override=b exe=$dir/bench_winhttp.exe ;;
                raw) override=n exe=$dir/bench_raw.exe ;;
                raw_cb) override=n exe=$dir/bench_raw.exe extra=(--callbacks) ;;
                raw_host) override=n exe=$dir/bench_raw.exe extra=(--host) backend_env=(WINEDLLPATH="$host_dir") ;;
                native) override=n exe=$native_exe ;;
                esac
                workloads=$workload run "$client" "$override" "$exe" | sed "s/^/$r /" >> "$results"
            done
            w=$((w + 1))
        done
        # what single calls cost under Wine right now (bench_raw --costs)
        WINEDLLOVERRIDES="mscoree=;mshtml=" timeout -k 5 60 "${pin[@]}" "$wine" "$dir/bench_raw.exe" --costs "${tls[@]}" "$server" \
            2>> "$out/wine.log" | tr -d '\r' | sed "s/^/$r /" >> "$results"
    done

}

if [ $report_only = 1 ]; then
    [ -s "$results" ] || { echo "bench: no $results to report" >&2; exit 2; }
    runs=$(awk '$2 == "RESULT" { if ($1 > n) n = $1 } END { print n + 0 }' "$results")
    meta() { sed -n "s/^0 META $1 //p" "$results" | head -n 1; }
    command_line=$(meta command) cpus=$(meta cpus) seconds=$(meta seconds) measured=$(meta date) source_tree=$(meta source)
    tls_note=$(meta tls) proxy_note=$(meta proxy)
else
    source_tree=$(describe_tree)
    measure || exit $?
fi

# The loaded DLL must be the one the column is named after.
dll_ok=1
grep -q '^[0-9]* NOTE ours winhttp.dll native' "$results" || dll_ok=0
grep -q '^[0-9]* NOTE builtin winhttp.dll builtin' "$results" || dll_ok=0
if grep -q '^[0-9]* NOTE ours winhttp.dll builtin\|^[0-9]* NOTE builtin winhttp.dll native' "$results"; then
    dll_ok=0
fi
[ $dll_ok = 1 ] || echo "bench: WARNING: ours/builtin did not load the expected winhttp.dll (see $results)" >&2

# table.awk: medians, spreads and ratios from the RESULT lines.  Emits a
# markdown table, then "DATA workload ours/raw builtin/raw" lines for the chart.
summarize() {
    awk "$awk_median"'
    function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
    function cell(c, w,    key, m) {
        key = c SUBSEP w
        if (!(key in cnt)) return (key in failed) ? "failed: " why[key] : "n/a"
        m = median(key)
        return fmt(m) " (" fmt(lo[key]) "–" fmt(hi[key]) ")" ((key in failed) ? " [" failed[key] " failed: " why[key] "]" : "")
    }
    $2 == "RESULT" {
        key = $3 SUBSEP $4
        if (!($4 in seen)) { seen[$4] = 1; order[++nw] = $4 }
        if ($5 == "FAIL") {
            if (!failed[key]++) { why[key] = $6; for (i = 7; i <= NF; i++) why[key] = why[key] " " $i }
            next
        }
        keep($3, $4, $1, $5); unit[$4] = $6
    }
    END {
        desc["rt16"] = "round trip, 16 B, sync"
        desc["rt64k"] = "round trip, 64 KiB, sync"
        desc["stream16"] = "stream, 16 B, sync"
        desc["stream64k"] = "stream, 64 KiB, sync"
        desc["stream4m"] = "stream, 4 MiB, sync"
        desc["async_rt16"] = "round trip, 16 B, async (1 in flight)"
        desc["async_pipe16"] = "round trip, 16 B, async pipelined (16 in flight)"
        hashost = 0
        for (k in cnt) { split(k, kk, SUBSEP); if (kk[1] == "host") hashost = 1 }
        if (hashost) {
            print "| workload | | unit | ours | host | builtin | raw | native | ours/raw | host/raw | host/native | ours/builtin |"
            print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        } else {
            print "| workload | | unit | ours | builtin | raw | ours/raw | ours/builtin |"
            print "|---|---|---|---:|---:|---:|---:|---:|"
        }
        for (i = 1; i <= nw; i++) {
            w = order[i]
            d = (w in desc) ? desc[w] : (w ~ /^wss_/ && substr(w, 5) in desc) ? "TLS: " desc[substr(w, 5)] : \
                (w ~ /^proxy_/ && substr(w, 7) in desc) ? "through squid (CONNECT): " desc[substr(w, 7)] : ""
            o = cell("ours", w); b = cell("builtin", w); r = cell("raw", w)
            q = pratio("ours", "raw", w); if (q != "n/a" && q + 0 < 0.9) q = "**" q "**"
            if (hashost) {
                h = cell("host", w); nv = cell("native", w)
                qn = pratio("host", "native", w); if (qn != "n/a" && qn + 0 < 0.8) qn = "**" qn "**"
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", w, d, unit[w], o, h, b, r, nv, q,
                       pratio("host", "raw", w), qn, pratio("ours", "builtin", w)
            } else
                printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", w, d, unit[w], o, b, r, q, pratio("ours", "builtin", w)
            po = paired("ours", "raw", w); pb = paired("builtin", "raw", w)
            data[i] = sprintf("DATA %s %s %s", w, po ? po : "NaN", pb ? pb : "NaN")
        }
        for (i = 1; i <= nw; i++) print data[i]
    }' "$results"
}

summarize > "$out/summary.txt"
table=$(grep -v '^DATA ' "$out/summary.txt")
# pair_table A B REF: the rows B measured, "| workload | unit | A | B | REF |
# A/B | B/REF |" (medians; the ratios are medians of the runs' ratios):
# ours against raw_cb (the async_ rows against raw Winsock of the same
# shape), host against raw_host (host sockets against the limit for a PE
# program on them).
pair_table() {
    awk -v a="$1" -v b="$2" -v ref="$3" "$awk_median"'
    $2 == "RESULT" && $5 != "FAIL" && ($3 == a || $3 == b || $3 == ref) {
        keep($3, $4, $1, $5); unit[$4] = $6
        if ($3 == b && !($4 in seen)) { seen[$4] = 1; order[++nw] = $4 }
    }
    END {
        if (!nw) exit
        printf "| workload | unit | %s | %s | %s | %s/%s | %s/%s |\n", a, b, ref, a, b, b, ref
        print "|---|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= nw; i++) {
            w = order[i]
            for (c = 1; c <= 3; c++) {
                n = c == 1 ? a : c == 2 ? b : ref
                m[c] = cnt[n SUBSEP w] ? median(n SUBSEP w) : 0
            }
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", w, unit[w], m[1] ? sprintf("%.0f", m[1]) : "n/a",
                   m[2] ? sprintf("%.0f", m[2]) : "n/a", m[3] ? sprintf("%.0f", m[3]) : "n/a", pratio(a, b, w), pratio(b, ref, w)
        }
    }' "$results"
}
shape=$(pair_table ours raw_cb raw)
host_limit=$(pair_table host raw_host native)
# medians of the --costs lines: "| what | median us (min–max) |"
costs=$(awk '$2 == "COST" {
        what = $3; for (i = 4; i < NF - 1; i++) what = what " " $i
        if (!(what in n)) order[++k] = what
        v[what, ++n[what]] = $(NF - 1)
    }
    END {
        if (!k) exit
        print "| call under Wine (bench_raw --costs) | µs, median (min–max) |"
        print "|---|---:|"
        for (j = 1; j <= k; j++) {
            w = order[j]; m = n[w]
            for (a = 1; a <= m; a++) x[a] = v[w, a]
            for (a = 2; a <= m; a++) { t = x[a]; for (b = a - 1; b > 0 && x[b] > t; b--) x[b + 1] = x[b]; x[b + 1] = t }
            med = m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
            printf "| %s | %.2f (%.2f–%.2f) |\n", w, med, x[1], x[m]
        }
    }' "$results")
echo
echo "$table"
echo
echo "Medians of $runs runs (min–max); each ratio is the median of the runs' ratios, rounded down; ours/raw target >= 0.9, host/native >= 0.8 (bold: below). msg/s = messages echoed per second; MB/s = 10^6 payload bytes received per second."
echo "raw: raw Winsock for the ws rows, raw Schannel (secur32 used directly) for the wss_ rows, raw Winsock through the same squid tunnel for the proxy_ rows."
if [ -n "$shape" ]; then
    echo
    echo "The async_ rows against raw Winsock/Schannel shaped as our client (raw_cb: bench_raw --callbacks, medians; ratios: medians of the runs' ratios):"
    echo
    echo "$shape"
fi
if [ -n "$host_limit" ]; then
    echo
    echo "Host sockets against raw's client on host sockets (raw_host: bench_raw --host, one unix call per send and receive), medians; ratios: medians of the runs' ratios:"
    echo
    echo "$host_limit"
fi
[ -z "$tls_note" ] || echo "No wss rows: $tls_note."
[ -z "$proxy_note" ] || echo "No proxy rows: $proxy_note."
[ -n "$costs" ] && { echo; echo "$costs"; }
[ $dll_ok = 1 ] || echo "WARNING: the DLL check failed, see $results"

[ $docs = 1 ] || exit 0

# Chart: throughput relative to raw Winsock, log scale.
if command -v gnuplot > /dev/null 2>&1; then
    grep '^DATA ' "$out/summary.txt" | cut -d' ' -f2- > "$work/chart.dat"
    gnuplot <<EOF 2> "$out/gnuplot.log" || echo "bench: gnuplot failed (see $out/gnuplot.log)" >&2
set terminal pngcairo size 1200,560 font ",10" noenhanced
set output "$png"
set title "WebSocket throughput relative to raw Winsock (ws) / raw Schannel (wss_) under Wine (1.0 = raw; median of $runs runs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.0005:2]
set ytics (0.001, 0.01, 0.1, 0.2, 0.5, 1, 2)
set grid ytics
set key top right
set xtics rotate by 30 right
set arrow from graph 0, first 0.9 to graph 1, first 0.9 nohead dashtype 2 lc rgb "#cc0000"
set label "target 0.9" at graph 0.01, first 0.78 tc rgb "#cc0000"
plot "$work/chart.dat" using 2:xtic(1) title "ours / raw" lc rgb "#2a6fbb", \
     "" using 3 title "builtin / raw" lc rgb "#bbbbbb"
EOF
    [ -s "$png" ] && echo "bench: chart written to ${png#$topdir/}" >&2
else
    echo "bench: gnuplot not installed, no chart (apt-get install gnuplot-nox)" >&2
fi

# docs/BENCHMARKS.md: replace the generated block, keep the rest.
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
{
    echo "<!-- bench:begin (generated by tools/bench.sh; edits here are overwritten) -->"
    echo
    echo "Measured ${measured:-$(date -u '+%Y-%m-%d %H:%M UTC')} on $(nproc) cores, ${cpu:-unknown CPU}," \
         "$("$wine" --version 2>/dev/null), Linux $(uname -r), x86_64 PE clients."
    echo
    [ -n "$source_tree" ] && { echo "$source_tree"; echo; }
    echo "Command: \`${BENCH_MAKE_COMMAND:-make bench}\` (runs \`$command_line\`)," \
         "$runs runs of about $seconds s per workload and client, each workload run by every client in turn (rotating order) before the next," \
         "$([ "$cpus" = all ] && echo "unpinned." || echo "server, clients and wineserver pinned to CPU(s) $cpus.")"
    echo
    echo "$table"
    echo
    echo "Median (min–max) of $runs runs.  Each ratio is the median of the $runs runs' own ratios (a run measures a row's clients seconds apart, runs are minutes apart), rounded down to two decimals.  **Bold** ratios are below the target (ours/raw 0.9, host/native 0.8)."
    echo "raw: raw Winsock for the ws rows, raw Schannel (secur32 used directly, TLS 1.2) for the wss_ rows," \
         "raw Winsock through the same squid CONNECT tunnel (written by hand) for the proxy_ rows."
    [ -z "$tls_note" ] || echo "No wss rows: $tls_note."
    [ -z "$proxy_note" ] || echo "No proxy rows: $proxy_note."
    echo "msg/s: messages echoed per second; MB/s: 10^6 payload bytes received per second."
    if [ -n "$shape" ]; then
        echo
        echo "raw's async_ rows are one thread in blocking \`send()\`/\`recv()\`. The same rows from raw Winsock (Schannel" \
             "for wss_) shaped as our client runs them -- a send from whichever thread finds one owed, every receive" \
             "completed on a completion-port thread (\`bench_raw --callbacks\`, \`bench/bench_pipe.c\`), medians; ratios: medians of the runs' ratios:"
        echo
        echo "$shape"
    fi
    if [ -n "$host_limit" ]; then
        echo
        echo "What a PE program can reach on host sockets under Wine on this machine: raw's client (blocking, as" \
             "raw's rows) with each send and receive one unix call into the helper (\`bench_raw --host\`), against" \
             "the host column and the native Linux client, medians; ratios: medians of the runs' ratios:"
        echo
        echo "$host_limit"
    fi
    [ $dll_ok = 1 ] || echo "WARNING: the check of which winhttp.dll was loaded failed."
    echo
    if [ -n "$costs" ]; then
        echo "The same runs measured what single calls cost under Wine on this machine:"
        echo
        echo "$costs"
        echo
    fi
    echo "![throughput relative to raw Winsock and raw Schannel](benchmarks.png)"
    echo
    echo "<!-- bench:end -->"
} > "$work/generated.md"

if [ -f "$doc" ] && grep -q '<!-- bench:begin' "$doc" && grep -q '<!-- bench:end -->' "$doc"; then
    awk -v gen="$work/generated.md" '
        /<!-- bench:begin/ { while ((getline line < gen) > 0) print line; skip = 1; next }
        /<!-- bench:end -->/ { skip = 0; next }
        !skip' "$doc" > "$work/doc.md"
else
    { echo "# Benchmarks"; echo; cat "$work/generated.md"; [ -f "$doc" ] && { echo; cat "$doc"; }; } > "$work/doc.md"
fi
cp "$work/doc.md" "$doc"
echo "bench: results written to ${doc#$topdir/}" >&2
