#!/bin/bash
# tools/libgit2-tests.sh: libgit2's own online tests (clar, -sonline::...),
# run over libgit2's WinHTTP smart-HTTP transport on our winhttp.dll (or
# Wine's builtin), as a third-party oracle: libgit2's Windows CI runs these
# tests on real Windows, so they describe Windows' WinHTTP as libgit2 needs it.
#
# libgit2 is Debian's source package (bookworm's, pinned below), fetched at
# test time with apt-get source and cross-built with mingw-w64 + cmake for
# x86_64 with USE_HTTPS=WinHTTP, no SSH; only the library and its test
# runner (libgit2_tests.exe).  Debian's "+ds" source lacks libgit2's deps/:
#   zlib         mingw-w64's static libz.a (libz-mingw-w64-dev)
#   http-parser  Debian's http-parser source (http_parser.c), built into the
#                library as libgit2's own deps/http-parser would be
#   regex        Debian's pcre2 source, built static with mingw-w64
#                (REGEX_BACKEND=pcre2)
#   winhttp      mingw-w64's winhttp.h and import library (libgit2 ships its
#                own for old mingw; the import names a DLL, whichever it is)
# Nothing of it lands in the repository: sources and builds stay under
# build/libgit2-src and build/libgit2.
#
# The servers (tools/libgit2-serve.sh, all on loopback in a private mount +
# network namespace): see that script.
#
#   tools/libgit2-tests.sh [--override n|b] [--build-only] [--skip-unavailable]
#
# Every run is traced with +loaddll and a run that did not load the
# winhttp.dll asked for counts as one failure.  Output: one summary line
# per run in the form tools/runtests.sh counts, and logs in
# build/libgit2/logs/<override>/.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/debsrc-lib.sh"
. "$top/tools/loaddll-lib.sh"

override=n
build_only=0
skip_unavailable=0
inside=0
while [ $# -gt 0 ]; do
    case "$1" in
    --override) override=$2; shift ;;
    --build-only) build_only=1 ;;
    --skip-unavailable) skip_unavailable=1 ;;
    --inside) inside=1 ;;
    *) echo "libgit2-tests: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
case $override in n|b) ;; *) echo "libgit2-tests: --override is n or b" >&2; exit 2 ;; esac

# Pinned: a new upload must not change the tests under us.
libgit2_version=1.5.1+ds-1+deb12u1
http_parser_version=2.9.4-5
pcre2_version=10.42-1

arch=x86_64
known_list=$top/tests/libgit2/known_failures
srcroot=$top/build/libgit2-src
out=$top/build/libgit2
logdir=$out/logs/$override
timeout_secs=${LIBGIT2_TEST_TIMEOUT:-300}

die() { echo "libgit2-tests: $*" >&2; exit 1; }

unavailable() {
    if [ $skip_unavailable -eq 1 ]; then
        echo "libgit2_$override: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        echo "    skipped: $*"
        echo "libgit2: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        exit 0
    fi
    die "$*"
}

# --- fetch ------------------------------------------------------------------
fetch() {
    debsrc_fetch libgit2 "$libgit2_version" "$srcroot" libgit2/CMakeLists.txt || unavailable "$debsrc_error"
    debsrc_fetch http-parser "$http_parser_version" "$srcroot" http-parser/http_parser.c || unavailable "$debsrc_error"
    debsrc_fetch pcre2 "$pcre2_version" "$srcroot" pcre2/CMakeLists.txt || unavailable "$debsrc_error"
}

# --- build ------------------------------------------------------------------
toolchain() {
    cat > "$out/toolchain.cmake.new" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR $arch)
set(CMAKE_C_COMPILER $arch-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER $arch-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$arch-w64-mingw32 $out/pcre2-install)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
EOF
    cmp -s "$out/toolchain.cmake.new" "$out/toolchain.cmake" || mv "$out/toolchain.cmake.new" "$out/toolchain.cmake"
    rm -f "$out/toolchain.cmake.new"
}

build_pcre2() {
    [ -f "$out/pcre2-install/lib/libpcre2-8.a" ] && return 0
    cmake -S "$srcroot/pcre2" -B "$out/pcre2" -DCMAKE_TOOLCHAIN_FILE="$out/toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
        -DPCRE2_BUILD_PCRE2_8=ON -DPCRE2_BUILD_PCRE2_16=OFF -DPCRE2_BUILD_PCRE2_32=OFF \
        -DPCRE2_BUILD_PCRE2GREP=OFF -DPCRE2_BUILD_TESTS=OFF -DPCRE2_SUPPORT_JIT=OFF \
        -DCMAKE_INSTALL_PREFIX="$out/pcre2-install" > "$out/pcre2.log" 2>&1 &&
    cmake --build "$out/pcre2" -j2 --target install >> "$out/pcre2.log" 2>&1 ||
        die "building pcre2 failed (see $out/pcre2.log)"
}

# libgit2's CMake takes its bundled dependencies from deps/NAME: the ones the
# "+ds" source lacks are laid there from the other sources (in build/, a
# copy of Debian's unpacked tree, never in the repository).
lay_deps() {
    local deps=$srcroot/libgit2/deps
    mkdir -p "$deps/http-parser" "$deps/winhttp"
    cp -p "$srcroot/http-parser/http_parser.c" "$srcroot/http-parser/http_parser.h" "$deps/http-parser/"
    printf 'add_library(http-parser OBJECT http_parser.c)\n' > "$deps/http-parser/CMakeLists.txt"
    # mingw-w64 has winhttp.h and libwinhttp.a: nothing to build.
    printf '# mingw-w64 has winhttp.h and its import library\n' > "$deps/winhttp/CMakeLists.txt"
}

# The test runner of the online tests only: libgit2's CMake globs every test
# of tests/libgit2 (some 500 files, most of the build's time) into one
# program; a tree of the online tests and the helpers they include
# (tests/libgit2-online, in the unpacked copy) is what it builds from here.
lay_tests() {
    local t=$srcroot/libgit2/tests cml=$srcroot/libgit2/tests/libgit2/CMakeLists.txt
    rm -rf "$t/libgit2-online"
    mkdir -p "$t/libgit2-online/submodule" "$t/libgit2-online/fetchhead"
    cp -p -r "$t/libgit2/online" "$t/libgit2-online/" &&
    cp -p "$t/libgit2/submodule/submodule_helpers.c" "$t/libgit2/submodule/submodule_helpers.h" \
        "$t/libgit2-online/submodule/" &&
    cp -p "$t/libgit2/fetchhead/fetchhead_data.h" "$t/libgit2-online/fetchhead/" ||
        die "cannot lay the online tests out in $t/libgit2-online"
    grep -q 'libgit2-online' "$cml" ||
        sed -i 's|^set(TEST_PATH "${CMAKE_CURRENT_SOURCE_DIR}")$|set(TEST_PATH "${CMAKE_CURRENT_SOURCE_DIR}/../libgit2-online")|' "$cml"
    grep -q 'libgit2-online' "$cml" || die "cannot point $cml at the online tests"
    # The fixtures (the push tests' sandboxes) as Wine sees the folder: clar
    # makes a "\\?\" path of the name it is built with, which a Unix path
    # is not (Wine's drive Z: is "/").
    grep -q '"Z:${PROJECT_SOURCE_DIR}' "$cml" ||
        sed -i 's|^set(CLAR_FIXTURES "${PROJECT_SOURCE_DIR}|set(CLAR_FIXTURES "Z:${PROJECT_SOURCE_DIR}|' "$cml"
    grep -q '"Z:${PROJECT_SOURCE_DIR}' "$cml" || die "cannot point $cml's fixtures at drive Z:"
}

build() {
    command -v cmake > /dev/null || unavailable "cmake missing (tools/setup-debian.sh installs it)"
    command -v $arch-w64-mingw32-gcc > /dev/null || die "$arch-w64-mingw32-gcc missing"
    [ -f /usr/$arch-w64-mingw32/lib/libz.a ] || unavailable "libz-mingw-w64-dev missing (tools/setup-debian.sh installs it)"
    mkdir -p "$out"
    toolchain
    build_pcre2
    lay_deps
    lay_tests
    if [ ! -f "$out/build/CMakeCache.txt" ]; then
        cmake -S "$srcroot/libgit2" -B "$out/build" -DCMAKE_TOOLCHAIN_FILE="$out/toolchain.cmake" \
            -DCMAKE_BUILD_TYPE=Debug -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTS=ON -DBUILD_CLI=OFF \
            -DBUILD_EXAMPLES=OFF -DUSE_SSH=OFF -DUSE_HTTPS=WinHTTP -DUSE_GSSAPI=OFF \
            -DUSE_HTTP_PARSER=builtin -DREGEX_BACKEND=pcre2 \
            -DPCRE2_INCLUDE_DIR="$out/pcre2-install/include" \
            -DPCRE2_LIBRARY="$out/pcre2-install/lib/libpcre2-8.a" \
            -DCMAKE_C_FLAGS="-DPCRE2_STATIC" \
            -DUSE_BUNDLED_ZLIB=OFF -DZLIB_INCLUDE_DIR=/usr/$arch-w64-mingw32/include \
            -DZLIB_LIBRARY=/usr/$arch-w64-mingw32/lib/libz.a \
            > "$out/cmake.log" 2>&1 || die "cmake of libgit2 failed (see $out/cmake.log)"
    fi
    cmake --build "$out/build" -j2 --target libgit2_tests > "$out/build.log" 2>&1 ||
        die "building libgit2_tests failed (see $out/build.log)"
}

if [ $inside -eq 0 ]; then
    fetch
    build
    [ $build_only -eq 1 ] && exit 0
fi

# --- servers ------------------------------------------------------------------
# The bare repositories the server offers (www-data writes them on a push):
#   test.git                       empty, the push tests' remote (they delete
#                                  every ref first: receive.denyDeleteCurrent
#                                  ignore, as libgit2's docs ask)
#   libgit2/TestGitRepository      libgit2's fixture testrepo.git, what the
#                                  redirect tests clone
make_repos() {
    repos=$out/repos
    rm -rf "$repos"
    mkdir -p "$repos/libgit2"
    git init -q --bare "$repos/test.git" &&
    git -C "$repos/test.git" config receive.denyDeleteCurrent ignore &&
    git clone -q --bare "$srcroot/libgit2/tests/resources/testrepo.git" "$repos/libgit2/TestGitRepository" ||
        die "cannot make the test repositories in $repos"
    chown -R www-data "$repos" 2> /dev/null
}

# $1 NAME, $2 its log; the rest: the command (a tools/start-*.sh), whose
# first argument is the file it writes its port(s) to once it answers.
start_server() {
    local name=$1 log=$2 file=$4 i
    shift 2
    rm -f "$file"
    "$@" > "$log" 2>&1 &
    server_pids="$server_pids $!"
    for i in $(seq 300); do [ -s "$file" ] && return 0; kill -0 $! 2>/dev/null || break; sleep 0.05; done
    cat "$log" >&2
    die "$name did not start"
}

start_servers() {
    local life=$((timeout_secs * 4 + 60))
    start_server "the git HTTP server" "$logdir/git-http.log" \
        "$top/tools/start-git-http.sh" "$logdir/git-http.port" $life "$repos" 80 443
    git_url=http://127.0.0.1
    start_server squid "$logdir/squid.log" \
        "$top/tools/start-squid.sh" "$logdir/squid.port" "$logdir/squid-auth.port" $life "$logdir/squid-sspi.port"
    proxy_auth=127.0.0.1:$(cat "$logdir/squid-auth.port")
    # NTLM: where Samba's ntlm_auth is installed (start-squid.sh)
    proxy_ntlm=""
    [ -s "$logdir/squid-sspi.port" ] && proxy_ntlm=127.0.0.1:$(cut -d' ' -f1 "$logdir/squid-sspi.port")
}

stop_servers() {
    local p
    for p in ${server_pids:-}; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    [ -n "${wineserver:-}" ] && "$wineserver" -k 2> /dev/null
}

# --- runs ---------------------------------------------------------------------
# One run: $1 its name, $2 the clar suites (-s...), the rest VAR=VALUE for
# its environment.  TAP output (-t), traced with +loaddll.
run_one() {
    local name=$1 sel=$2 log=$logdir/$1.log status
    shift 2
    rm -rf "$out/tmp"
    mkdir -p "$out/tmp"
    (cd "$out/tmp" && env "$@" CLAR_TMP="$(winepath_w "$out/tmp")" WINEDEBUG=-all,+loaddll${LIBGIT2_WINEDEBUG:+,$LIBGIT2_WINEDEBUG} \
        timeout -k 10 "$timeout_secs" /usr/lib/wine/wine64 "$out/build/libgit2_tests.exe" -t $sel) > "$log" 2>&1
    status=$?
    [ $status -eq 124 ] && echo "(timed out after ${timeout_secs}s)" >> "$log"
    report "$name" "$log" "$status"
}

winepath_w() { /usr/lib/wine/wine64 winepath -w "$1" 2> /dev/null | tr -d '\r'; }

total_t=0 total_f=0 total_s=0 server_pids=""
# The summary line of a run from its TAP lines, the DLL it loaded (one
# failure if not the one asked for) and its exit status (a crash or a
# timeout with no "not ok" line is one failure).
report() {
    local name=$1 log=$2 status=$3 t f s want=native note
    [ "$override" = b ] && want=builtin
    t=$(tr -d '\r' < "$log" | grep -cE '^(not )?ok [0-9]+ - ')
    f=$(tr -d '\r' < "$log" | grep -cE '^not ok [0-9]+ - ')
    s=$(tr -d '\r' < "$log" | grep -cE '^ok [0-9]+ - # SKIP ')
    note=$(tr -d '\r' < "$log" | loaddll_verdict "$want" -i) || f=$((f + 1))
    if grep -q '^(timed out after' "$log"; then
        f=$((f + 1)); note="$note; timed out: one failure"
    elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; note="$note; exit status $status with no failed test: one failure"
    fi
    # libgit2's own limitations (tests/libgit2/known_failures): skips, with
    # the reason
    local line test reason lines=""
    while IFS= read -r line; do
        test=${line#not ok * - }
        reason=$(awk -F '\t' -v t="$test" '$1 == t { print $2 }' "$known_list")
        if [ -n "$reason" ]; then
            f=$((f - 1)) s=$((s + 1))
            lines="$lines    known: $line ($reason)"$'\n'
        else
            lines="$lines    $line"$'\n'
        fi
    done < <(tr -d '\r' < "$log" | grep -E '^not ok ')
    echo "libgit2_${name}_$override: $t tests executed (0 marked as todo, $f failures), $s skipped."
    echo "    $note"
    printf '%s' "$lines"
    total_t=$((total_t + t)) total_f=$((total_f + f)) total_s=$((total_s + s))
}

# Outside: the program and our DLL beside it, then this script again in a
# private mount + network namespace (--inside), where only "lo" is up.
if [ $inside -eq 0 ]; then
    # Our DLL beside the program: Wine loads it with winhttp=n.
    [ -f "$top/build/$arch/winhttp.dll" ] || die "build/$arch/winhttp.dll missing: run make first"
    cp -p "$top/build/$arch/winhttp.dll" "$out/build/winhttp.dll"
    unshare -m -n true 2> /dev/null || unavailable "unshare -m -n is not permitted here (run as root): the tests need a private network namespace"
    mkdir -p "$logdir"
    exec flock "$out/.lock" unshare -m -n -- "$0" --inside --override "$override"
fi

# Inside: loopback, and an /etc/hosts of our own where github.com (the host
# libgit2's proxy tests clone from) is this machine.
ip link set lo up || die "cannot bring lo up in the namespace"
printf '127.0.0.1 localhost github.com\n::1 localhost\n' > "$out/hosts"
mount --bind "$out/hosts" /etc/hosts || die "cannot bind-mount $out/hosts over /etc/hosts"
mkdir -p "$logdir"
rm -f "$logdir"/*.log
export WINEPREFIX=$out/wineprefix WINEDLLOVERRIDES="winhttp=$override;mscoree=;mshtml=;winemenubuilder.exe="
unset DISPLAY WAYLAND_DISPLAY
wineserver=/usr/lib/wine/wineserver64
[ -x "$wineserver" ] || wineserver=wineserver
trap stop_servers EXIT
# A wineserver of this namespace (Wine's sockets are the server's), after
# any of this prefix outside it.
"$wineserver" -k 2> /dev/null
"$wineserver" -w 2> /dev/null
"$wineserver" -p 60 2> /dev/null
/usr/lib/wine/wine64 cmd /c exit > "$logdir/wineboot.log" 2>&1
make_repos
start_servers

# Basic auth: libgit2's CI runs "auth_clone_and_push" (-sonline::clone::push
# -sonline::push) against its NTLM server with these variables; here Basic.
# ("$": credentials_via_custom_headers clones from bitbucket.org itself.)
run_one auth "-sonline::push -sonline::clone::credentials\$" \
    GITTEST_REMOTE_URL="$git_url/auth/test.git" GITTEST_REMOTE_USER=libgit2 GITTEST_REMOTE_PASS=libgit2pw
# Redirects, as libgit2's CI's "online" run sets them.
run_one redirect "-sonline::clone::redirect" \
    GITTEST_REMOTE_REDIRECT_INITIAL="$git_url/initial-redirect/libgit2/TestGitRepository" \
    GITTEST_REMOTE_REDIRECT_SUBSEQUENT="$git_url/subsequent-redirect/libgit2/TestGitRepository"

# Proxies (squid, Basic proxy authentication), as libgit2's CI's "proxy"
# run sets them: the tests clone http(s)://github.com/libgit2/TestGitRepository
# through the proxy (the namespace's github.com is the git server; its https
# certificate is self-signed, which GITTEST_REMOTE_SSL_NOVERIFY has the
# tests' certificate callback accept, as libgit2's CI does for its own).
run_one proxy "-sonline::clone::proxy" \
    GITTEST_REMOTE_PROXY_HOST="$proxy_auth" GITTEST_REMOTE_PROXY_USER=proxyuser GITTEST_REMOTE_PROXY_PASS=proxypass \
    GITTEST_REMOTE_SSL_NOVERIFY=1

# NTLM proxy authentication (squid + Samba's ntlm_auth): the clone's GET
# authenticates the connection, libgit2 closes the request before the end
# of the chunked body (the refs' flush packet is all it wants), and the POST
# must go on that same connection, which the DLL keeps for the session when
# the rest of the body arrives (docs/DECISIONS.md, "Unread bodies"): a new
# connection gets a 407 that libgit2 1.5.1 replays without its body ("early
# EOF").  (proxy_credentials_in_url cannot carry a DOMAIN\user name:
# libgit2 rejects the URL.)  Skipped, visibly, without ntlm_auth.
if [ -n "$proxy_ntlm" ]; then
    run_one proxy_ntlm "-sonline::clone::proxy_credentials_request" \
        GITTEST_REMOTE_PROXY_HOST="$proxy_ntlm" 'GITTEST_REMOTE_PROXY_USER=WSTEST\ntlmuser' GITTEST_REMOTE_PROXY_PASS=ntlmpass
else
    echo "libgit2_proxy_ntlm_$override: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    echo "    skipped: no NTLM proxy (Samba's ntlm_auth, Debian's winbind, is not installed)"
    total_s=$((total_s + 1))
fi

echo "libgit2: $total_t tests executed (0 marked as todo, $total_f failures), $total_s skipped."
[ $total_f -eq 0 ]
