#!/bin/bash
# tools/winetests.sh: Wine's own conformance tests of winhttp and of a
# consumer of it, fetched from Debian's wine source package at test time,
# built with mingw-w64 and run under Wine, strictly (WINETEST_PLATFORM=windows:
# a todo_wine check is an ordinary check), against our winhttp.dll or Wine's
# builtin.  Wine's files stay under build/ (never in the repository); what we
# add to build them is tests/wine/ (dbgstr.c) and the test list this script
# writes.  The modules (--module):
#
#   winhttp      dlls/winhttp/tests: url.c, winhttp.c, notification.c (the
#                programs import winhttp.dll).
#   webservices  dlls/webservices/tests: proxy.c and channel.c, run through
#                Wine's builtin webservices.dll (WWSAPI), whose HTTP channel
#                is built on winhttp (WinHttpCrackUrl/Open/Connect/
#                OpenRequest/SendRequest/ReceiveResponse/QueryHeaders/
#                QueryDataAvailable/ReadData/AddRequestHeaders).  proxy.c
#                talks HTTP to a server thread on 127.0.0.1:7533 (WsCall,
#                200/500 answers, faults, mapped headers); channel.c opens
#                and resets HTTP channels (its TCP/UDP parts use Winsock
#                only, but run too: they are one program).  Left out, as
#                they never reach winhttp (+winhttp traces of their runs
#                show no call): reader.c and writer.c (XML), url.c
#                (WsDecodeUrl/WsEncodeUrl are webservices' own parser, not
#                WinHttpCrackUrl), msg.c (it builds messages for HTTP
#                channels but sends none; its only winhttp calls are
#                WinHttpCloseHandle(NULL) for channels never opened, whose
#                result webservices ignores).
#                The programs do not import winhttp.dll; webservices.dll
#                does, and finds ours beside the program (winhttp=n).
#   qmgr         dlls/qmgr/tests: qmgr.c, job.c, file.c, enum_files.c,
#                enum_jobs.c, Windows-verified tests of BITS (Wine's
#                qmgr.dll), which downloads http(s) files with winhttp
#                (WINHTTP_FLAG_ASYNC, a callback for every completion):
#                job.c's test_HttpOptions fetches http://test.winehq.org/;
#                the others queue jobs, enumerate them and copy file://
#                URLs (WinHttpCrackUrl first).  BITS is a service: our
#                winhttp.dll is installed in the system32 of a prefix of
#                the module's own (wineprefix-qmgr, removed after the run
#                unless WINETEST_KEEP_PREFIX=1), and the runs check in
#                svchost's trace that it loaded ours and, for ours, that it
#                connected on the backend asked for (service_setup below).
#                x86_64 only: the service is 64-bit whatever the tests are.
#   hnetcfg      dlls/hnetcfg/tests: policy.c, Windows-verified tests of
#                Wine's hnetcfg.dll (in-process, delay-importing winhttp,
#                so ours beside the program with winhttp=n): its
#                test_IUPnPNAT finds a UPnP gateway with an SSDP M-SEARCH
#                (multicast, 239.255.255.250:1900) and manages its port
#                mappings over winhttp (WinHttpCrackUrl, Open NO_PROXY,
#                SetTimeouts, Connect, OpenRequest, SendRequest with
#                headers of length -1 and a SOAP body, ReceiveResponse,
#                QueryHeaders STATUS_CODE|FLAG_NUMBER, ReadData).  The
#                namespace gets a route for 239.0.0.0/8 through lo and
#                tests/wine/igd.py, a stand-in Internet Gateway Device
#                (igd.log beside the logs), which frames its HTTP answers
#                another way for each run (keep-alive, Connection: close,
#                chunked, HTTP/1.0: --runs 4 meets all; tests/wine/check.sh
#                runs 4); a run that skips with "UPNP gateway not found"
#                counts as one failure, as the port mapping checks would
#                not have run.
#
# Every run is traced with +loaddll, and a run that did not load the
# winhttp.dll asked for (ours from beside the program with "n", the builtin
# with "b"), or none, counts as one failure: a run on the wrong DLL would be
# a test that cannot fail.
#
#   tools/winetests.sh [--module winhttp|webservices|qmgr|hnetcfg]
#                      [--override n|b] [--arch x86_64|i686] [--loader CMD]
#                      [--files "url winhttp notification"] [--runs N]
#                      [--backend winsock|host [--host-dir DIR]]
#                      [--wine-source 8|10]
#                      [--build-only] [--fetch-only] [--report-only]
#
#   --override n   our DLL (default; copied next to the test programs), b: the builtin
#   --arch         x86_64 (default) or i686
#   --loader CMD   the command that runs a PE program of that arch (default:
#                  /usr/lib/wine/wine64 for x86_64, tools/wine32.sh for i686 --
#                  the native 32-bit loader or qemu-i386; where neither runs,
#                  the i686 tests are built and reported as skipped)
#   --module       whose tests: winhttp (default), webservices, qmgr or hnetcfg (above)
#   --files        which of the module's test files to run (default: all:
#                  "url winhttp notification", "proxy channel",
#                  "qmgr job file enum_files enum_jobs" or "policy")
#   --backend      the socket backend of our DLL (docs/HOST.md): winsock
#                  (default; WINHTTP_BACKEND=winsock) or host (host sockets:
#                  WINHTTP_BACKEND=host, WINEDLLPATH=the helper's build folder,
#                  --host-dir, default build/ARCH/host).  The runs are traced
#                  (+winhttp, into FILE.N.trace beside the log) and a run
#                  whose trace names another backend than the one asked for,
#                  or none though the file connects, counts as one failure.
#                  Summary names end in "@host" on the host backend.
#   --wine-source  whose tests: 8 (default) the installed Wine's (Debian 12,
#                  bookworm), or 10: Wine 10.0's (Debian 13, trixie; the
#                  version pinned below), fetched through a deb-src-only
#                  trixie entry (never a binary one: apt would upgrade the
#                  system to trixie) and built with Wine 10's own wine/test.h.
#                  They run on the installed Wine 8 (in Wine 8's tests'
#                  prefix, build/winetest/wineprefix); their sources,
#                  programs and logs live in build/winetest-src10 and
#                  build/winetest10, their summaries are named wine10_...,
#                  and their known failures are tests/wine/known_failures10.
#   --runs N       run each file N times (stability runs), counting every run
#   --report-only  exit 0 even when checks fail
#   --skip-unavailable  when Wine's sources cannot be fetched (no network, no
#                  root for deb-src), report each file as skipped with the
#                  reason instead of failing (make check uses this)
#
# Offline: every run happens in a private mount + network namespace
# (unshare -m -n) with only "lo" up and a bind-mounted /etc/hosts that maps
# test.winehq.org to 127.0.0.2 and ws.ifelse.io to 127.0.0.3, where
# tests/wine/standin.py answers what the tests ask of those hosts (see its
# header).  https://test.winehq.org is served with a certificate from a CA
# made here, which the namespace trusts: the host's CA bundle with that CA
# added is bind-mounted over /etc/ssl/certs/ca-certificates.crt, where Wine's
# crypt32 builds its root store from (a fresh wineserver per run, so the
# store is built again each time).
# The tests' own local servers (ports 7532, 7533) run on loopback as written.
# The hnetcfg module's UPnP gateway: see igd_start.
#
# Known failures: tests/wine/known_failures (known_failures10) lists the
# checks our DLL cannot pass under Wine, each with its reason; for our DLL a
# failure line that matches one exactly is counted as skipped and printed
# with the reason ("known: ..."); anything else about that check still
# fails.  The webservices module's lists (known_failures_webservices,
# known_failures10_webservices) and the hnetcfg module's
# (known_failures_hnetcfg) hold checks of webservices.dll and hnetcfg.dll
# themselves that fail under Wine whichever winhttp.dll they run on: they
# apply to the builtin's runs too.
#
# Output: one winetest summary line per file and run, named
# wine_<file>_<override>_<arch> (wine_webservices_<file>_... for the
# webservices module, wine_qmgr_..., wine_hnetcfg_... likewise; wine10_... for --wine-source 10; with "@host" on host
# sockets), then a total line "winetests: ..." that tools/runtests.sh counts.
# Logs: build/winetest[10]/logs/[webservices-|qmgr-|hnetcfg-]<override>-<arch>[-host]/;
# programs: build/winetest[10]/<arch>[/webservices|/qmgr|/hnetcfg].  Exit status non-zero
# when a check failed, a program crashed or timed out.
# Restarts: a test program whose process printed no summary and never loaded
# winhttp.dll (Wine did not start it; nothing under test ran) is run once
# more, and its report line says so with the first attempt's output
# ("restarted: ...").  Anything that loaded the DLL and failed stays a
# failure.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/debsrc-lib.sh"
. "$top/tools/loaddll-lib.sh"
override=n
arch=x86_64
backend=winsock
host_dir=""
loader=""
module=winhttp
files=""
runs=1
build_only=0
fetch_only=0
report_only=0
skip_unavailable=0
wine_source=8
inside=""
while [ $# -gt 0 ]; do
    case "$1" in
    --override) override=$2; shift ;;
    --arch) arch=$2; shift ;;
    --backend) backend=$2; shift ;;
    --host-dir) host_dir=$2; shift ;;
    --loader) loader=$2; shift ;;
    --module) module=$2; shift ;;
    --files) files=$2; shift ;;
    --runs) runs=$2; shift ;;
    --build-only) build_only=1 ;;
    --fetch-only) fetch_only=1 ;;
    --report-only) report_only=1 ;;
    --skip-unavailable) skip_unavailable=1 ;;
    --wine-source) wine_source=$2; shift ;;
    --inside) inside=$2; shift ;;
    *) echo "winetests: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

case $backend in
winsock) tag="" ;;
host) tag="@host"; host_dir=${host_dir:-$top/build/$arch/host} ;;
*) echo "winetests: --backend is winsock or host, not $backend" >&2; exit 2 ;;
esac
[ "$override" = b ] && [ "$backend" = host ] && { echo "winetests: --backend host is our DLL's (--override n)" >&2; exit 2; }

# Wine 10.0 as Debian trixie has it: pinned, so that a new upload cannot
# change the tests under us.
wine10_version=10.0~repack-6
case $wine_source in
8) vtag="" prefix=wine known_list=$top/tests/wine/known_failures ;;
10) vtag=10 prefix=wine10 known_list=$top/tests/wine/known_failures10 ;;
*) echo "winetests: --wine-source is 8 or 10, not $wine_source" >&2; exit 2 ;;
esac
# What differs between the modules: the files, where the programs and logs
# go (msub, mlog), the summary names (mname), the known failures (msuffix)
# and the files that make no connection, so never pick a backend (quiet).
# A module whose winhttp client is a service (service=1: qmgr, BITS) has a
# prefix of its own (mpfx), where our DLL is installed: see service_setup.
service=0 mpfx=""
case $module in
winhttp) all_files="url winhttp notification" msub="" mlog="" mname="" msuffix="" quiet="url" ;;
webservices) all_files="proxy channel" msub=/webservices mlog=webservices- mname=webservices_ msuffix=_webservices quiet="channel" ;;
qmgr) all_files="qmgr job file enum_files enum_jobs" msub=/qmgr mlog=qmgr- mname=qmgr_ msuffix=_qmgr
      quiet="qmgr file enum_files enum_jobs" service=1 mpfx=-qmgr ;;
# (hnetcfg: Wine 10's policy.c and port.c are Wine 8's, so are the known failures)
hnetcfg) all_files="policy" msub=/hnetcfg mlog=hnetcfg- mname=hnetcfg_ msuffix=_hnetcfg quiet=""
         known_list=$top/tests/wine/known_failures ;;
*) echo "winetests: --module is winhttp, webservices, qmgr or hnetcfg, not $module" >&2; exit 2 ;;
esac
files=${files:-$all_files}
known_list=$known_list$msuffix
# The known failures are our DLL's; the webservices and hnetcfg ones are
# webservices.dll's and hnetcfg.dll's own (no winhttp call in them), so they
# hold for the builtin winhttp too.
known_applies=0
{ [ "$override" = n ] || [ "$module" = webservices ] || [ "$module" = hnetcfg ]; } && [ -f "$known_list" ] && known_applies=1
srcroot=$top/build/winetest-src$vtag
wine_src=$srcroot/wine
tests_src=$wine_src/dlls/$module/tests
out=$top/build/winetest$vtag
# One prefix for Wine 8's and Wine 10's tests (the same Wine runs both; a
# prefix is 0.7 GB, 1.3 GB with its 32-bit half), one run at a time in it.
pfx_dir=$top/build/winetest
bin=$out/$arch$msub
logdir=$out/logs/$mlog$override-$arch${tag:+-host}
timeout_secs=${WINETEST_TIMEOUT:-300}

name_of() { echo "${prefix}_$mname$1_${override}_$arch$tag"; }

# Each file reported as skipped, with the reason, and a total line.
skip_all() {
    local t
    for t in $files; do
        echo "$(name_of "$t"): 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        echo "    skipped: $*"
    done
    echo "winetests: 0 tests executed (0 marked as todo, 0 failures), $(echo $files | wc -w) skipped."
    exit 0
}

die() { echo "winetests: $*" >&2; exit 1; }

# Wine's sources cannot be had here: a failure, or with --skip-unavailable a
# visible skip.
unavailable() {
    [ $skip_unavailable -eq 1 ] && skip_all "$*"
    die "$*"
}

# --- fetch: Wine's source, the version of the installed Wine, once ---------
# $1: the version wanted (empty: any)
have_deb_src() {
    apt-cache showsrc wine 2>/dev/null | grep -q '^Package: wine' || return 1
    [ -z "$1" ] || apt-cache showsrc wine 2>/dev/null | grep -qxF "Version: $1"
}

# A sources file of ours beside the system's own: $1 its name, $2 the
# suites (tools/debsrc-lib.sh, which tools/libgit2-tests.sh shares).
add_deb_src() {
    debsrc_add "$1" "$2" || unavailable "$debsrc_error"
}

fetch() {
    # One package holds both modules' tests (unpacked whole, or not at all).
    [ -f "$wine_src/dlls/winhttp/tests/notification.c" ] && return 0
    command -v dpkg-source > /dev/null || unavailable "dpkg-source missing: apt-get install dpkg-dev (tools/setup-debian.sh installs it)"
    if [ "$wine_source" = 10 ]; then
        version=$wine10_version
        have_deb_src "$version" || add_deb_src winhttp-ws-src-trixie trixie
        have_deb_src "$version" || unavailable "apt has no source of wine $version"
    else
        # The installed Wine's own version.
        version=$(dpkg-query -W -f='${Version}' wine64 2>/dev/null || true)
        # Debian 12 keeps its sources in deb822 form; a separate file adds
        # the source indexes without touching the system's own file.
        have_deb_src "" || add_deb_src winhttp-ws-src "bookworm bookworm-updates"
    fi
    mkdir -p "$srcroot"
    pkg=wine${version:+=$version}
    echo "winetests: fetching the source of $pkg into $srcroot"
    (cd "$srcroot" && apt-get source -q --download-only "$pkg" > fetch.log 2>&1) ||
        unavailable "apt-get source $pkg failed (see $srcroot/fetch.log)"
    dsc=$(ls "$srcroot"/wine_*.dsc | head -n 1)
    rm -rf "$wine_src.tmp"
    (cd "$srcroot" && dpkg-source -x "$dsc" "$wine_src.tmp" >> fetch.log 2>&1) ||
        unavailable "dpkg-source -x failed (see $srcroot/fetch.log)"
    # Only the headers and the modules' own folders are used: the rest of
    # the tree (about 400 MB of it) would only fill the disk.
    find "$wine_src.tmp" -mindepth 1 -maxdepth 1 ! -name include ! -name dlls -exec rm -rf {} +
    find "$wine_src.tmp/dlls" -mindepth 1 -maxdepth 1 \
         ! -name winhttp ! -name webservices ! -name qmgr ! -name hnetcfg -exec rm -rf {} +
    mv "$wine_src.tmp" "$wine_src"
}

# --- build: the module's test files and our test lists, per arch -----------
# What a module's programs are built with: sets srcs (ours, beside Wine's
# file), libs, deps (files whose change rebuilds) and makes its headers.
build_setup_winhttp() {
    # The COM header from Wine's IDL (mingw-w64 has no httprequest.h).
    if [ ! -f "$inc/httprequest.h" ] || [ "$wine_src/include/httprequest.idl" -nt "$inc/httprequest.h" ]; then
        widl -h -o "$inc/httprequest.h" -I "$wine_src/include" "$wine_src/include/httprequest.idl" ||
            die "widl failed on httprequest.idl"
    fi
    srcs=$top/tests/wine/dbgstr.c
    deps="$top/tests/wine/dbgstr.c $top/include/winhttp.h"
    libs="-L$top/build/$arch -lwinhttp -loleaut32 -lole32 -lcrypt32 -ladvapi32 -lws2_32 -luuid"
}

build_setup_webservices() {
    local spec=$wine_src/dlls/webservices/webservices.spec lib=$bin/libwebservices.a
    # mingw-w64 has neither webservices.h nor its import library: Wine's
    # header (a plain one), and the import library made by winebuild
    # (wine64-tools) from the spec of the same source.  No winhttp here:
    # webservices.dll imports it, not the tests.
    cp -p "$wine_src/include/webservices.h" "$inc/"
    if [ ! -f "$lib" ] || [ "$spec" -nt "$lib" ]; then
        command -v "${WINEBUILD:-winebuild}" > /dev/null ||
            unavailable "winebuild missing (wine64-tools): it makes webservices' import library"
        "${WINEBUILD:-winebuild}" --implib -w -b "$arch-w64-mingw32" -F webservices.dll \
            --export "$spec" -o "$lib" || die "winebuild failed to make $lib"
    fi
    srcs=$top/tests/wine/dbgstr.c
    deps="$top/tests/wine/dbgstr.c $lib"
    libs="-L$bin -lwebservices -loleaut32 -lole32 -luser32 -lrpcrt4 -lws2_32 -ladvapi32 -luuid"
}

build_setup_qmgr() {
    # mingw-w64 has BITS' headers but not their GUIDs (Wine's libuuid has).
    srcs="$top/tests/wine/dbgstr.c $top/tests/wine/qmgr_guids.c"
    deps=$srcs
    libs="-lole32 -lshlwapi -luser32 -luuid"
}

build_setup_hnetcfg() {
    # mingw-w64 has netfw.h but not natupnp.h (IUPnPNAT): Wine's IDL gives
    # it; the GUIDs of both, which Wine's libuuid has and mingw-w64's not,
    # come from our hnetcfg_guids.c.
    if [ ! -f "$inc/natupnp.h" ] || [ "$wine_src/include/natupnp.idl" -nt "$inc/natupnp.h" ]; then
        widl -h -o "$inc/natupnp.h" -I "$wine_src/include" "$wine_src/include/natupnp.idl" ||
            die "widl failed on natupnp.idl"
    fi
    srcs="$top/tests/wine/dbgstr.c $top/tests/wine/hnetcfg_guids.c"
    deps="$srcs $inc/natupnp.h"
    libs="-lole32 -loleaut32 -ladvapi32 -lmpr -luuid"
}

build() {
    local cc=$arch-w64-mingw32-gcc inc=$out/include srcs libs deps d t stale
    command -v "$cc" > /dev/null || die "$cc missing"
    [ -f "$top/build/$arch/libwinhttp.a" ] || die "build/$arch/libwinhttp.a missing: run make first"
    mkdir -p "$inc/wine" "$bin"
    # wine/test.h and the wine/debug.h it includes, as Wine has them.
    cp -p "$wine_src/include/wine/test.h" "$wine_src/include/wine/debug.h" "$inc/wine/"
    build_setup_$module
    for t in $files; do
        [ -f "$tests_src/$t.c" ] || die "no $t.c in $tests_src"
        # The test list: what Wine's make generates for a test module, one
        # test per program here.
        printf '#include <windows.h>\n#define STANDALONE\n#include <wine/test.h>\nextern void func_%s(void);\nconst struct test winetest_testlist[] = { { "%s", func_%s }, { 0, 0 } };\n' \
            "$t" "$t" "$t" > "$bin/testlist_$t.c.new"
        cmp -s "$bin/testlist_$t.c.new" "$bin/testlist_$t.c" || mv "$bin/testlist_$t.c.new" "$bin/testlist_$t.c"
        rm -f "$bin/testlist_$t.c.new"
        stale=0
        for d in "$tests_src/$t.c" "$bin/testlist_$t.c" $deps; do
            [ "$d" -nt "$bin/$t.exe" ] && stale=1
        done
        if [ ! -f "$bin/$t.exe" ] || [ $stale -eq 1 ]; then
            # -w: Wine's sources warn under mingw-w64's headers; they are not ours to fix.
            # DECLSPEC_EXPORT: Wine's winnt.h has it (Wine 10's wine/debug.h
            # uses it), mingw-w64's not; nothing is exported from a test.
            "$cc" -O1 -g -w -D__WINESRC__ -D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00 -DDECLSPEC_EXPORT= \
                -I"$inc" -I"$top/include" -o "$bin/$t.exe" \
                "$tests_src/$t.c" "$bin/testlist_$t.c" $srcs $libs ||
                die "building $t.exe for $arch failed"
        fi
    done
    # Our DLL beside the programs: Wine loads it with winhttp=n.
    cp -p "$top/build/$arch/winhttp.dll" "$bin/winhttp.dll"
}

# --- a module whose winhttp client is a service -----------------------------
# qmgr: Wine's BITS runs in the "BITS" service (svchost.exe -k netsvcs, which
# loads qmgr.dll, which imports winhttp), started by services.exe when a test
# first creates the manager.  svchost.exe lives in system32 and looks for
# winhttp.dll there, so that is where ours goes (the module's prefix is its
# own: nothing else runs on this copy); WINEDLLOVERRIDES reaches svchost
# (ntdll passes it on to every child), but not the rest of the test's
# environment: services.exe gives a service the registry's environment
# (CreateEnvironmentBlock), so WINEDEBUG and WINHTTP_BACKEND for it are put
# in HKCU\Environment.  svchost writes to the stderr of the process that
# started services.exe, the boot command: wineboot.log, traced with +pid and
# +loaddll (and +winhttp for ours), which the accounting reads.
service_setup() {
    local sys=$WINEPREFIX/drive_c/windows/system32 dbg=$WINEDEBUG,+pid,+loaddll
    if [ "$override" = n ]; then
        cp "$bin/winhttp.dll" "$sys/winhttp.dll" && cmp -s "$bin/winhttp.dll" "$sys/winhttp.dll" ||
            die "cannot install our winhttp.dll in $sys"
        dbg=$dbg,+winhttp
    fi
    # Already so when this session started (user.reg is what the
    # wineserver loaded): nothing to do.
    awk -v a="\"WINEDEBUG\"=\"$dbg\"" -v b="\"WINHTTP_BACKEND\"=\"$backend\"" \
        '/^\[/ { env = ($1 == "[Environment]") } env && $0 == a { x = 1 } env && $0 == b { y = 1 }
         END { exit !(x && y) }' "$WINEPREFIX/user.reg" && return 0
    printf 'REGEDIT4\n\n[HKEY_CURRENT_USER\\Environment]\n"WINEDEBUG"="%s"\n"WINHTTP_BACKEND"="%s"\n' \
        "$dbg" "$backend" > "$WINEPREFIX/drive_c/winetests-env.reg"
    $loader regedit /s 'C:\winetests-env.reg' >> "$logdir/wineboot.log" 2>&1 ||
        die "regedit failed to set the service's environment (see $logdir/wineboot.log)"
    # Services may be running already (svchost -k netsvcs is shared: one
    # started at boot serves BITS too) with the environment of before: a
    # new session, whose services start with this one.
    "$wineserver" -k 2> /dev/null
    "$wineserver" -w 2> /dev/null
    echo "$session_mark" >> "$logdir/wineboot.log"
    "$wineserver" -p 60 2> /dev/null
    $loader cmd /c exit >> "$logdir/wineboot.log" 2>&1
}
session_mark="--- winetests.sh: a new wineserver session ---"


# The trace lines of the svchost processes (by their +pid prefix) in the
# boot log, of the last session (process ids are reused): where a service
# module's winhttp.dll shows which it was.
service_lines() {
    local session p
    session=$(tr -d '\r' < "$logdir/wineboot.log" 2>/dev/null | awk -v m="$session_mark" '$0 == m { n = NR } { l[NR] = $0 } END { for (i = n + 1; i <= NR; i++) print l[i] }')
    for p in $(echo "$session" |
               sed -nE 's/^([0-9a-f]+):[0-9a-f]+:trace:loaddll:.*Loaded L"[^"]*[\\/]svchost\.exe".*/\1/p' | sort -u); do
        echo "$session" | grep -a "^$p:"
    done
}

# --- hnetcfg: a UPnP gateway in the namespace --------------------------------
# hnetcfg multicasts its M-SEARCH from an unbound socket: with only lo up
# there is no route to 239.255.255.250 (sendto fails, "network unreachable"),
# and without a source address on the route the datagram leaves from 0.0.0.0,
# which the gateway cannot answer.  lo needs no MULTICAST flag: the kernel
# loops the datagram back to the group's members (IP_MULTICAST_LOOP).
igd_start() {
    local ready=$out/igd.ready.$$ i
    ip route add 239.0.0.0/8 dev lo src 127.0.0.1 || die "cannot add the multicast route through lo"
    rm -f "$ready"
    "$py" "$top/tests/wine/igd.py" --ready "$ready" --max-seconds $((timeout_secs * runs * 3 + 60)) \
        > "$logdir/igd.log" 2>&1 &
    igd_pid=$!
    for i in $(seq 100); do [ -f "$ready" ] && break; kill -0 $igd_pid 2>/dev/null || break; sleep 0.1; done
    [ -f "$ready" ] || { echo "winetests: the stand-in gateway did not start:"; cat "$logdir/igd.log"; exit 1; }
    rm -f "$ready"
}
igd_pid=""

# summary_line T LOG: test T's winetest summary line in LOG (empty if none).
summary_line() {
    grep -aE "^[0-9a-f]+:$1: [0-9]+ tests executed" "$2" 2>/dev/null | tail -n 1
}

# --- inside the namespace: stand-ins, a private wineserver, the tests -------
# Runs test T's program (run I) with +loaddll, its output in $logdir/T.I.log
# (stderr in T.I.trace on host sockets); sets status.
run_test_exe() {
    local t=$1 i=$2
    if [ "$backend" = host ]; then
        WINEDEBUG=$WINEDEBUG,+loaddll timeout -k 10 "$timeout_secs" $loader "$bin/$t.exe" > "$logdir/$t.$i.log" 2> "$logdir/$t.$i.trace"
    else
        WINEDEBUG=$WINEDEBUG,+loaddll timeout -k 10 "$timeout_secs" $loader "$bin/$t.exe" > "$logdir/$t.$i.log" 2>&1
    fi
    status=$?
    [ $status -eq 124 ] && echo "(timed out after ${timeout_secs}s)" >> "$logdir/$t.$i.log"
}

run_inside() {
    local list=$1 ready pid status t i
    ip link set lo up || die "ip link set lo up failed"
    mount --bind "$out/hosts" /etc/hosts || die "cannot bind-mount the hosts file"
    ready=$out/standin.ready.$$
    rm -f "$ready"
    if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        mount --bind "$out/pki/ca-bundle.crt" /etc/ssl/certs/ca-certificates.crt ||
            die "cannot bind-mount the CA bundle"
    fi
    # /usr/bin/python3: Debian's, with python3-openssl (not a pyenv one)
    py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3
    "$py" "$top/tests/wine/standin.py" --http 127.0.0.2:80 --http 127.0.0.3:80 \
        --tls 127.0.0.3:443 "$out/pki/ifelse.pem" "$out/pki/ifelse.key" \
        --tls-or-plain 127.0.0.2:443 "$out/pki/winehq.pem" "$out/pki/winehq.key" \
        --ready "$ready" --max-seconds $((timeout_secs * runs * 3 + 60)) \
        > "$logdir/standin.log" 2>&1 &
    pid=$!
    for i in $(seq 100); do [ -f "$ready" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    [ -f "$ready" ] || { echo "winetests: the stand-in server did not start:"; cat "$logdir/standin.log"; kill $pid 2>/dev/null; exit 1; }
    rm -f "$ready"
    [ "$module" = hnetcfg ] && igd_start

    export WINEPREFIX=$pfx_dir/wineprefix$mpfx WINEDEBUG=${WINETEST_WINEDEBUG:--all} WINETEST_PLATFORM=windows
    export WINEDLLOVERRIDES="winhttp=$override;mscoree=;mshtml=;winemenubuilder.exe="
    unset DISPLAY WAYLAND_DISPLAY
    mkdir -p "$WINEPREFIX"
    # A wineserver of this namespace: in Wine the server creates the sockets.
    wineserver=$(dirname "$(readlink -f "$(command -v ${loader%% *})")")/wineserver
    [ -x "$wineserver" ] || wineserver=wineserver
    "$wineserver" -p 60 2> /dev/null
    if [ "$arch" = i686 ] && $loader --which > /dev/null 2>&1; then
        # tools/wine32.sh: the prefix is made by the 64-bit loader, its 32-bit
        # half by the 32-bit one
        WINE64=/usr/lib/wine/wine64 $loader --prepare >> "$logdir/wineboot.log" 2>&1
    else
        # (appended to: the services it starts keep writing there)
        $loader cmd /c exit >> "$logdir/wineboot.log" 2>&1
    fi
    if [ "$backend" = host ]; then
        # Our DLL on host sockets (docs/HOST.md): the helper from its build
        # folder.  For x86_64 a prefix update that knows the folder copies it
        # into system32, where Wine 8 finds a builtin by name (once per
        # prefix); the i686 DLL loads it by path from WINEDLLPATH, as in
        # tools/runtests.sh.  Traced: the accounting checks the backend.  Before
        # regsvr32: the prefix update registers the builtin's COM class again.
        if [ "$arch" = x86_64 ] && [ ! -f "$WINEPREFIX/drive_c/windows/system32/winhttp_host.dll" ]; then
            WINEDLLPATH=$host_dir $loader wineboot -u >> "$logdir/wineboot.log" 2>&1
        fi
        export WINHTTP_BACKEND=host WINEDLLPATH=$host_dir WINEDEBUG=$WINEDEBUG,+winhttp
    else
        export WINHTTP_BACKEND=winsock
    fi
    [ $service -eq 1 ] && service_setup
    # WinHttp.WinHttpRequest.5.1 (test_IWinHttpRequest*) is reached through
    # the registry: point the class at the DLL under test (our
    # DllRegisterServer writes the path it was loaded from).  Wine's builtin
    # is registered at the system32 path already.
    # The i686 one through the 32-bit regsvr32, named by its path
    # (tools/wine32.sh does not look bare names up), for the 32-bit view.
    # (webservices never creates the class.)
    if [ "$override" = n ] && [ "$module" = winhttp ]; then
        regsvr32=regsvr32
        [ "$arch" = i686 ] && regsvr32='C:\windows\syswow64\regsvr32.exe'
        $loader "$regsvr32" /s "$("${WINE64:-/usr/lib/wine/wine64}" winepath -w "$bin/winhttp.dll")" >> "$logdir/wineboot.log" 2>&1 ||
            echo "winetests: regsvr32 of our winhttp.dll failed (see $logdir/wineboot.log)" >&2
    fi
    # +loaddll: the accounting checks which winhttp.dll each run loaded.
    # A process that never got as far as loading winhttp.dll and printed
    # no summary (Wine did not start it: no code under test ran) is started
    # once more; the first attempt's output is kept and reported (restarts).
    # A service module's test programs do not load winhttp.dll themselves:
    # theirs only when they loaded no DLL at all.
    local started=":trace:loaddll:.*$loaddll_winhttp"
    [ $service -eq 1 ] && started=':trace:loaddll:'
    for i in $(seq "$runs"); do
        for t in $list; do
            run_test_exe "$t" "$i"
            if [ $status -ne 0 ] && [ -z "$(summary_line "$t" "$logdir/$t.$i.log")" ] &&
               ! cat "$logdir/$t.$i.log" "$logdir/$t.$i.trace" 2>/dev/null | grep -aq "$started"; then
                mv "$logdir/$t.$i.log" "$logdir/$t.$i.first.log"
                [ -f "$logdir/$t.$i.trace" ] && mv "$logdir/$t.$i.trace" "$logdir/$t.$i.first.trace"
                echo "$t $i $status" >> "$logdir/restarts"
                run_test_exe "$t" "$i"
            fi
            echo "$t $i $status" >> "$logdir/status"
        done
    done
    "$wineserver" -k 2> /dev/null
    kill $pid $igd_pid 2>/dev/null
    wait $pid $igd_pid 2>/dev/null
}

if [ -n "$inside" ]; then
    run_inside "$inside"
    exit 0
fi

# A service's winhttp.dll is the x86_64 one, whatever the arch of the tests.
if [ $service -eq 1 ] && [ "$arch" != x86_64 ]; then
    skip_all "$module's service runs in the 64-bit svchost.exe on the x86_64 winhttp.dll: the $arch tests would not run the $arch DLL"
fi

fetch
[ $fetch_only -eq 1 ] && exit 0
build
[ $build_only -eq 1 ] && exit 0
if [ "$backend" = host ] && [ ! -f "$host_dir/winhttp_host.so" ]; then
    skip_all "the host-socket helper is not built in $host_dir (winebuild missing? gcc -m32 for i686)"
fi

if [ -z "$loader" ]; then
    if [ "$arch" = x86_64 ]; then
        loader=/usr/lib/wine/wine64
    elif how32=$("$top/tools/wine32.sh" --which 2>&1); then
        loader=$top/tools/wine32.sh
    else
        skip_all "no way to run $arch programs here ($how32); built in $out/$arch"
    fi
fi

if ! unshare -m -n true 2> /dev/null; then
    skip_all "unshare -m -n is not permitted here (run as root): the tests need a private network namespace"
fi

# The hosts file and a throw-away self-signed leaf for wss://ws.ifelse.io (the
# tests ignore the CA, date and name errors for it, as they do against the real
# host).
printf '127.0.0.1 localhost\n::1 localhost\n127.0.0.2 test.winehq.org\n127.0.0.3 ws.ifelse.io\n' > "$out/hosts"
if [ ! -f "$out/pki/ifelse.pem" ]; then
    mkdir -p "$out/pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ws.ifelse.io" \
        -addext "subjectAltName=DNS:ws.ifelse.io" -keyout "$out/pki/ifelse.key" \
        -out "$out/pki/ifelse.pem" 2> /dev/null || die "openssl failed to make the ws.ifelse.io certificate"
fi
# test.winehq.org: a leaf from a CA of our own, which the namespace trusts
# (see the top).  Remade when older than 20 days (they last 30).
pki=$out/pki
if [ ! -f "$pki/winehq.pem" ] || [ -n "$(find "$pki/winehq.pem" -mtime +20 2>/dev/null)" ]; then
    mkdir -p "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=winhttp-ws winetests CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$pki/ca.key" -out "$pki/ca.pem" 2> /dev/null &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=test.winehq.org" -keyout "$pki/winehq.key" \
        -out "$pki/winehq.csr" 2> /dev/null &&
    printf 'subjectAltName=DNS:test.winehq.org\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > "$pki/winehq.ext" &&
    openssl x509 -req -in "$pki/winehq.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
        -extfile "$pki/winehq.ext" -out "$pki/winehq.pem" 2> /dev/null ||
        die "openssl failed to make the test.winehq.org certificate"
fi
{ cat /etc/ssl/certs/ca-certificates.crt 2> /dev/null; cat "$pki/ca.pem"; } > "$pki/ca-bundle.crt"

rm -rf "$logdir"
mkdir -p "$logdir"
# One namespace run at a time per prefix: a wineserver outside the namespace
# would create the sockets outside it.
mkdir -p "$pfx_dir"
flock "$pfx_dir/.lock" unshare -m -n -- "$0" --inside "$files" --module "$module" --override "$override" --arch "$arch" \
    --loader "$loader" --runs "$runs" --wine-source "$wine_source" --backend "$backend" ${host_dir:+--host-dir "$host_dir"} > "$logdir/namespace.log" 2>&1 ||
    { echo "winetests: the namespace run failed:"; cat "$logdir/namespace.log"; }
# A service module's prefix (mpfx) has our DLL in its system32 and serves
# that module only: removed after its run (WINETEST_KEEP_PREFIX=1 keeps it),
# so that a check run does not keep a third prefix on the disk.
if [ -n "$mpfx" ] && [ "${WINETEST_KEEP_PREFIX:-0}" != 1 ]; then
    flock "$pfx_dir/.lock" rm -rf "$pfx_dir/wineprefix$mpfx"
fi

total=0 ttodo=0 tfail=0 tskip=0 bad=0
for i in $(seq "$runs"); do
    for t in $files; do
        log=$logdir/$t.$i.log
        status=$(awk -v t="$t" -v i="$i" '$1 == t && $2 == i { print $3 }' "$logdir/status" 2>/dev/null)
        line=$(summary_line "$t" "$log")
        name=$(name_of "$t")
        [ "$runs" -gt 1 ] && name="$name#$i"
        if [ -z "$line" ]; then
            n=0 td=0 f=1 s=0
            echo "$name: no summary line (exit status ${status:-none}): counted as one failure"
            grep -v ':trace:' "$log" 2>/dev/null | tail -n 10 | sed 's/^/    /'
            [ -n "$tag" ] && grep -v ':trace:' "$logdir/$t.$i.trace" 2>/dev/null | tail -n 10 | sed 's/^/    /'
        else
            set -- $(echo "$line" | sed -E 's/.*: ([0-9]+) tests executed \(([0-9]+) marked as todo, ([0-9]+) as flaky, ([0-9]+) failures?\), ([0-9]+) skipped\..*/\1 \2 \4 \5/')
            n=$1 td=$2 f=$3 s=$4
            if [ "${status:-1}" -ne 0 ] && [ "$f" -eq 0 ]; then
                f=1
                echo "$name: exit status $status with no failed check (crash or timeout): one failure"
            fi
        fi
        # our DLL: the listed checks it cannot pass under Wine are skips with
        # their reason (tests/wine/known_failures), matched line for line
        known=""
        # (only in a run that finished: a crash stays one failure)
        if [ $known_applies -eq 1 ] && [ -n "$line" ]; then
            while IFS=$'\t' read -r fline reason; do
                case $fline in ''|'#'*) continue ;; esac
                if tr -d '\r' < "$log" 2>/dev/null | grep -qxF "$fline"; then
                    f=$((f - 1)) s=$((s + 1))
                    known="$known    known: $fline ($reason)"$'\n'
                fi
            done < "$known_list"
        fi
        # the DLL: the run must have loaded the winhttp.dll asked for (the
        # +loaddll lines, in the log or the trace): ours from beside the
        # program, or the builtin.
        # A service module's: its svchost's (every file's run shares it).
        want=native; [ "$override" = b ] && want=builtin
        dll_note=$({ if [ $service -eq 1 ]; then service_lines; else cat "$log" "$logdir/$t.$i.trace"; fi; } 2>/dev/null |
                   tr -d '\r' | loaddll_verdict "$want") || f=$((f + 1))
        dll_note="    $dll_note"$'\n'
        # the host backend: the run must have been on host sockets (a silent
        # fall-back to Winsock would pass as Winsock does).  A file that
        # makes no connection (quiet: url.c, webservices' channel.c, which
        # only opens HTTP channels) never has its DLL pick a backend.
        # A service module's trace is its svchost's (service_setup), checked
        # on either backend: the one asked for reaches the service through
        # the registry, not the test's environment.
        backend_note=""
        if [ -n "$tag" ] || { [ $service -eq 1 ] && [ "$override" = n ]; }; then
            trace=$logdir/$t.$i.trace
            [ $service -eq 1 ] && trace=$logdir/wineboot.log
            wantb="host sockets" otherb=winsock
            [ -z "$tag" ] && wantb=winsock otherb="host sockets"
            if grep -aq "backend: $otherb" "$trace" 2>/dev/null; then
                f=$((f + 1))
                backend_note="    backend: NOT $wantb, one failure: $(grep -a -m1 -o "backend: $otherb.*" "$trace")"$'\n'
                backend_note="$backend_note$(grep -a -m3 'WINHTTP_BACKEND' "$trace" | sed 's/^/    /')"$'\n'
            elif grep -aq "backend: $wantb" "$trace" 2>/dev/null; then
                backend_note="    backend: $wantb ($(grep -ac "backend: $wantb" "$trace") process(es) traced)"$'\n'
            elif ! echo " $quiet " | grep -qF " $t "; then
                f=$((f + 1))
                backend_note="    backend: no trace of the backend choice in $trace: one failure"$'\n'
            fi
        fi
        # hnetcfg: without the gateway test_IUPnPNAT skips its port mapping
        # checks, which are why the module is run.
        gateway_note=""
        if [ "$module" = hnetcfg ]; then
            if grep -q "UPNP gateway not found" "$log" 2>/dev/null; then
                f=$((f + 1))
                gateway_note="    gateway: NOT found (test_IUPnPNAT skipped), one failure; see $logdir/igd.log"$'\n'
            else
                # this run's share of igd.log: from its M-SEARCH (the i-th answered) on
                gateway_note="    gateway: found ($(awk -v i="$i" '/^ssdp: .*answered/ { n++; if (n == i) s = $NF } n == i && /^  action / { a++ }
                    END { printf "igd.log: M-SEARCH %d of %d, answers in the style %s, %d SOAP actions", i, n, s, a }' "$logdir/igd.log" 2>/dev/null))"$'\n'
            fi
        fi
        echo "$name: $n tests executed ($td marked as todo, $f failures), $s skipped."
        restart_status=$(awk -v t="$t" -v i="$i" '$1 == t && $2 == i { print $3 }' "$logdir/restarts" 2>/dev/null)
        if [ -n "$restart_status" ]; then
            echo "    restarted: the first process did not start (exit status $restart_status); its output:"
            cat "$logdir/$t.$i.first.log" "$logdir/$t.$i.first.trace" 2>/dev/null | tr -d '\r' | tail -n 10 | sed 's/^/        /'
        fi
        printf '%s' "$known" "$dll_note" "$backend_note" "$gateway_note"
        tr -d '\r' < "$log" 2>/dev/null | grep -E 'Test failed|Test succeeded inside todo|unhandled exception|timed out' |
            { if [ $known_applies -eq 1 ]; then
                  grep -vxF -f <(grep -v '^#' "$known_list" | cut -f1 | grep .); else cat; fi; } |
            head -n "${WINETESTS_SHOW:-15}" | sed 's/^/    /'
        grep -E 'Tests skipped|[Ss]kipping' "$log" 2>/dev/null | sort | uniq -c | head -n 10 | sed 's/^/    skip: /'
        total=$((total + n)); ttodo=$((ttodo + td)); tfail=$((tfail + f)); tskip=$((tskip + s))
    done
done
echo "logs: $logdir"
echo "winetests: $total tests executed ($ttodo marked as todo, $tfail failures), $tskip skipped."
[ $report_only -eq 1 ] && exit 0
[ $tfail -eq 0 ]
