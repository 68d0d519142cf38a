#!/bin/bash
# tools/setup-debian.sh: installs everything the build and the tests need on
# Debian 12 (bookworm).  Run as root; non-interactive; safe to run again (a
# machine that already has everything costs a few dpkg queries).
#
#   build         make gcc libc6-dev pkg-config
#   the PE DLL    gcc-mingw-w64-{x86-64,i686} binutils-mingw-w64-{x86-64,i686}
#                 libz-mingw-w64-dev (zlib, linked statically: gzip/deflate bodies)
#   run the tests wine wine64 (/usr/bin/wine comes from "wine"), wine64-tools +
#                 libwine-dev (Wine's winhttp.h for the ABI test)
#   wss servers   libgnutls28-dev (wsserver --tls), openssl (throw-away test PKI)
#   memcheck      valgrind (the core tests and corpus replays, once more)
#   i686 helper   gcc-multilib (gcc -m32: the host-socket helper's i386 .so, docs/HOST.md)
#   make bench    gnuplot-nox (the chart), util-linux (taskset)
#   echo servers  python3 python3-websockets nodejs node-ws
#   fuzzers       clang-14 libclang-rt-14-dev (libFuzzer; "make fuzz" only)
#   winetests     dpkg-dev (apt-get source wine: Wine's own winhttp tests, tools/winetests.sh),
#                 python3-openssl (the stand-in's https renegotiates for a client certificate)
#   misc          procps ca-certificates
#   auth servers  apache2 apache2-utils (Basic, Digest, a second proxy), squid
#                 (the proxy), winbind (Samba's ntlm_auth: Wine's NTLM client,
#                 and the NTLM/Negotiate acceptor of squid and ntlm_gate.py),
#                 krb5-kdc krb5-admin-server krb5-user python3-gssapi (a
#                 Kerberos realm made per run, tools/test-kerberos.sh)
#   libgit2 tests cmake (cross-builds Debian's libgit2 source), git (its
#                 http-backend behind apache2: tools/start-git-http.sh), with
#                 dpkg-dev, apache2, squid and libz-mingw-w64-dev above
#                 (tools/libgit2-tests.sh)
#
# autoconf is not installed: the generated configure is committed.  To change
# configure.ac, "apt-get install autoconf" and run "autoreconf -i".
#
# Then it sets up the i686 runtime (see setup_i686 below): natively where the
# kernel runs i386 programs, through qemu-i386 where it does not.  That step
# may fail (no i386 mirror, version skew); it is not fatal, apt is left
# working, and the tests then skip i686 with a reason.  SETUP_WINE32=0 skips
# it.

set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian: run this as root" >&2
    exit 1
fi
if [ -r /etc/os-release ]; then
    . /etc/os-release
    if [ "${ID:-}" != debian ] || [ "${VERSION_ID:-}" != 12 ]; then
        echo "setup-debian: written for Debian 12, this is ${PRETTY_NAME:-unknown}; trying anyway" >&2
    fi
fi

packages=(
    make gcc libc6-dev pkg-config valgrind
    gcc-multilib
    gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64 binutils-mingw-w64-i686 libz-mingw-w64-dev
    wine wine64 wine64-tools libwine-dev
    libgnutls28-dev openssl
    gnuplot-nox util-linux
    python3 python3-websockets nodejs node-ws
    clang-14 libclang-rt-14-dev
    dpkg-dev python3-openssl
    procps ca-certificates iproute2
    apache2 apache2-utils squid
    winbind
    krb5-kdc krb5-admin-server krb5-user python3-gssapi
    cmake git
)

apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# is_installed PKG[:ARCH]
is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

missing=()
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-debian: all ${#packages[@]} packages already installed"
else
    echo "setup-debian: installing ${missing[*]}"
    apt-get update -q
    apt-get install "${apt_opts[@]}" "${missing[@]}"
fi

# The i686 runtime, best effort.  What it installs is checked to run, and
# whatever cannot run is taken out again: /usr/bin/wine prefers the 32-bit
# loader /usr/lib/wine/wine whenever it exists, so a loader the kernel cannot
# execute (no i386 ELF support, as on this project's CI machines) would break
# every Wine run, 64-bit ones too.
#   native  the kernel executes i386 ELF: wine32:i386 is installed.
#   qemu    it does not: libwine:i386 (the 32-bit builtin DLLs and libraries)
#           is installed, Wine's 32-bit loader is taken out of the wine32:i386
#           package without installing it and kept as /usr/lib/wine/wine32-qemu,
#           and qemu-i386 runs it (tools/wine32.sh).  qemu-user comes from
#           bookworm-backports (qemu 10, one static binary, unpacked into
#           /usr/local/lib/winhttp-ws, nothing installed through dpkg):
#           bookworm's qemu 7.2 ignores MAP_FIXED_NOREPLACE, and Wine then
#           probes the address space 64 KiB at a time, ~40 s per process.
#           If backports cannot be reached, bookworm's qemu-user is installed.
i686_off() {
    echo "i686 runtime unavailable: i686 runtime tests will be skipped ($1)"
}

wine32_loader=/usr/lib/wine/wine
qemu_loader=/usr/lib/wine/wine32-qemu
qemu_dir=/usr/local/lib/winhttp-ws

# can_exec FILE: the kernel can execute it (status 126 / "Exec format error" is no).
can_exec() {
    local out status=0
    out=$("$1" --version 2>&1) || status=$?
    [ "$status" -ne 126 ] && [ "$status" -ne 127 ] && ! echo "$out" | grep -qi 'exec format error'
}

# Never leave a 32-bit loader behind that cannot run.
remove_broken_wine32() {
    if [ -e "$wine32_loader" ] && ! can_exec "$wine32_loader"; then
        echo "setup-debian: $wine32_loader cannot be executed here; removing wine32:i386 so /usr/bin/wine stays 64-bit"
        if is_installed wine32:i386; then
            apt-get remove "${apt_opts[@]}" wine32:i386
        else
            rm -f "$wine32_loader"
        fi
    fi
}

# apt-get with bookworm-backports as its only source, in a private state
# folder: nothing in /etc/apt changes.
bpo_apt() {
    local dir=/var/cache/winhttp-ws/bpo
    mkdir -p "$dir/lists/partial"
    echo "deb http://deb.debian.org/debian bookworm-backports main" > "$dir/sources.list"
    "$@" -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$dir/lists" -o Dir::State::status=/dev/null -o APT::Architecture=amd64
}

install_qemu() {
    local tmp q
    [ -x "$qemu_dir/qemu-i386" ] && return 0
    tmp=$(mktemp -d)
    if bpo_apt apt-get update -q > "$tmp/log" 2>&1 &&
       (cd "$tmp" && bpo_apt apt-get download -q qemu-user >> "$tmp/log" 2>&1) &&
       dpkg-deb -x "$tmp"/qemu-user_*.deb "$tmp/x" && [ -x "$tmp/x/usr/bin/qemu-i386" ] &&
       "$tmp/x/usr/bin/qemu-i386" --version > /dev/null 2>&1; then
        mkdir -p "$qemu_dir"
        cp "$tmp/x/usr/bin/qemu-i386" "$qemu_dir/qemu-i386.tmp"
        mv -f "$qemu_dir/qemu-i386.tmp" "$qemu_dir/qemu-i386"
        echo "setup-debian: $("$qemu_dir/qemu-i386" --version | head -n 1) in $qemu_dir"
    else
        echo "setup-debian: no qemu-user from bookworm-backports ($(tail -n 1 "$tmp/log")); using bookworm's (slow: ~40 s per 32-bit process)"
        is_installed qemu-user || apt-get install "${apt_opts[@]}" qemu-user || true
    fi
    rm -rf "$tmp"
    q=$qemu_dir/qemu-i386; [ -x "$q" ] || q=$(command -v qemu-i386 || true)
    [ -n "$q" ] && "$q" --version > /dev/null 2>&1
}

setup_i686() {
    local tmp sim
    if is_installed libwine:i386 && { is_installed wine32:i386 ||
       { [ -x "$qemu_loader" ] && [ -x "$qemu_dir/qemu-i386" ]; }; }; then
        echo "setup-debian: i686 runtime already set up: $("$(dirname "$0")/wine32.sh" --which)"
        return 0
    fi
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        dpkg --add-architecture i386
    fi
    sim=$(mktemp)
    # One retry: a mirror in the middle of a sync serves mismatched indexes.
    if ! { apt-get update -q > "$sim" 2>&1 || { sleep 5; apt-get update -q > "$sim" 2>&1; }; }; then
        i686_off "apt-get update with i386: $(grep -E '^(E|W):' "$sim" | head -n 1)"
        rm -f "$sim"; return 0
    fi
    if ! is_installed libwine:i386; then
        if ! apt-get install -s "${apt_opts[@]}" libwine:i386 > "$sim" 2>&1; then
            i686_off "libwine:i386: $(grep -E '^(E|W):' "$sim" | head -n 1)"; rm -f "$sim"; return 0
        fi
        if grep -q '^Remv ' "$sim"; then
            i686_off "installing libwine:i386 would remove: $(grep '^Remv ' "$sim" | awk '{print $2}' | tr '\n' ' ')"
            rm -f "$sim"; return 0
        fi
        if ! apt-get install "${apt_opts[@]}" libwine:i386; then
            dpkg --configure -a || true
            apt-get install -f "${apt_opts[@]}" || true
            i686_off "apt-get install libwine:i386 failed"; rm -f "$sim"; return 0
        fi
    fi
    rm -f "$sim"
    if is_installed wine32:i386; then
        echo "setup-debian: wine32:i386 installed and runs: i686 tests run natively"
        return 0
    fi
    # The loader, unpacked from the package without installing it.
    tmp=$(mktemp -d)
    if ! (cd "$tmp" && apt-get download -q wine32:i386 > "$tmp/log" 2>&1) ||
       ! dpkg-deb -x "$tmp"/wine32_*.deb "$tmp/x"; then
        i686_off "apt-get download wine32:i386: $(tail -n 1 "$tmp/log")"; rm -rf "$tmp"; return 0
    fi
    if can_exec "$tmp/x$wine32_loader"; then
        rm -rf "$tmp"
        if apt-get install "${apt_opts[@]}" wine32:i386 && can_exec "$wine32_loader"; then
            rm -f "$qemu_loader"
            echo "setup-debian: wine32:i386 installed and runs: i686 tests run natively"
        else
            remove_broken_wine32
            i686_off "wine32:i386 could not be installed"
        fi
        return 0
    fi
    echo "setup-debian: this kernel cannot execute i386 programs; the 32-bit loader runs under qemu-i386"
    cp "$tmp/x$wine32_loader" "$qemu_loader.tmp"
    mv -f "$qemu_loader.tmp" "$qemu_loader"
    rm -rf "$tmp"
    if ! install_qemu; then
        rm -f "$qemu_loader"
        i686_off "no working qemu-i386"
        return 0
    fi
    echo "setup-debian: i686 tests run as: $("$(dirname "$0")/wine32.sh" --which)"
}

remove_broken_wine32
if [ "${SETUP_WINE32:-1}" = 0 ]; then
    i686_off "SETUP_WINE32=0"
elif [ "$(dpkg --print-architecture)" != amd64 ]; then
    i686_off "not an amd64 machine"
else
    setup_i686
fi
# Whatever happened: the 64-bit loader must run.
if ! /usr/lib/wine/wine64 --version > /dev/null 2>&1; then
    echo "setup-debian: /usr/lib/wine/wine64 does not run" >&2
    exit 1
fi

# apt must still work, whatever happened above.
apt-get check -q > /dev/null
# The downloaded packages (about 1.8 GB with wine, mingw-w64, squid, apache2,
# qemu...) are installed now: their copies in apt's cache only fill the disk
# the tests need (a fresh CI machine's disk filled, 2026-12-07).
apt-get clean
echo "setup-debian: done"
