#!/bin/bash
# tools/setup-debian.sh: installs everything the build and the tests need on
# Debian 12 (bookworm).  Run as root; non-interactive; safe to run again (a
# machine that already has everything costs a few dpkg queries).
#
#   build         make gcc libc6-dev pkg-config
#   the PE DLL    gcc-mingw-w64-{x86-64,i686} binutils-mingw-w64-{x86-64,i686}
#   run the tests wine wine64 (/usr/bin/wine comes from "wine"), wine64-tools +
#                 libwine-dev (Wine's winhttp.h for the ABI test)
#   wss servers   libgnutls28-dev (wsserver --tls), openssl (throw-away test PKI)
#   memcheck      valgrind (the core tests and corpus replays, once more)
#   make bench    gnuplot-nox (the chart), util-linux (taskset)
#   echo servers  python3 python3-websockets nodejs node-ws
#   fuzzers       clang-14 libclang-rt-14-dev (libFuzzer; "make fuzz" only)
#   winetests     dpkg-dev (apt-get source wine: Wine's own winhttp tests, tools/winetests.sh)
#   misc          procps ca-certificates
#
# autoconf is not installed: the generated configure is committed.  To change
# configure.ac, "apt-get install autoconf" and run "autoreconf -i".
#
# Then it tries to add wine32:i386 (multiarch) so the i686 conformance tests
# can run.  That step may fail (no i386 mirror, version skew); it is not
# fatal, apt is left working, and the tests then skip i686 with a reason.
# SETUP_WINE32=0 skips the attempt.

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
    gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64 binutils-mingw-w64-i686
    wine wine64 wine64-tools libwine-dev
    libgnutls28-dev openssl
    gnuplot-nox util-linux
    python3 python3-websockets nodejs node-ws
    clang-14 libclang-rt-14-dev
    dpkg-dev
    procps ca-certificates iproute2
    apache2 apache2-utils squid
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

# wine32:i386, best effort.
wine32_unavailable() {
    echo "wine32 unavailable: i686 runtime tests will be skipped ($1)"
}

install_wine32() {
    local added=0 sim
    if dpkg --print-foreign-architectures | grep -qx i386; then
        :
    else
        dpkg --add-architecture i386
        added=1
    fi
    sim=$(mktemp)
    # One retry: a mirror in the middle of a sync serves mismatched indexes.
    if { apt-get update -q > "$sim" 2>&1 || { sleep 5; apt-get update -q > "$sim" 2>&1; }; } &&
       apt-get install -s "${apt_opts[@]}" wine32:i386 > "$sim" 2>&1; then
        if grep -q '^Remv ' "$sim"; then
            wine32_unavailable "installing it would remove: $(grep '^Remv ' "$sim" | awk '{print $2}' | tr '\n' ' ')"
        elif apt-get install "${apt_opts[@]}" wine32:i386; then
            rm -f "$sim"
            echo "setup-debian: wine32:i386 installed, i686 tests will run"
            return 0
        else
            wine32_unavailable "apt-get install wine32:i386 failed"
            # Leave dpkg/apt consistent for whoever comes next.
            dpkg --configure -a || true
            apt-get install -f "${apt_opts[@]}" || true
        fi
    else
        wine32_unavailable "$(grep -E '^(E|W):' "$sim" | head -n 1 || true)"
    fi
    rm -f "$sim"
    # If we enabled i386 and nothing i386 got installed, take it back so later
    # "apt-get update" runs do not fetch (or fail on) i386 indexes.
    if [ $added -eq 1 ] && ! dpkg-query -W -f='${Architecture}\n' 2>/dev/null | grep -qx i386; then
        dpkg --remove-architecture i386 || true
        apt-get update -q > /dev/null 2>&1 || true
    fi
    return 0
}

if is_installed wine32:i386; then
    echo "setup-debian: wine32:i386 already installed"
elif [ "${SETUP_WINE32:-1}" = 0 ]; then
    echo "wine32 unavailable: i686 runtime tests will be skipped (SETUP_WINE32=0)"
elif [ "$(dpkg --print-architecture)" != amd64 ]; then
    wine32_unavailable "not an amd64 machine"
else
    install_wine32
fi

# apt must still work, whatever happened above.
apt-get check -q > /dev/null
echo "setup-debian: done"
