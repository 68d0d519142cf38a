#!/bin/sh
# test-host-backend.sh WINE EXE HOSTDIR MISMATCHDIR NOUNIXDIR [WINE_LIBDIR]
#
# Which backend winhttp.dll picks, and why (the +winhttp "backend:" line),
# with the helper in each state; EXE (a conformance program that connects,
# e.g. upgrade.exe) must pass in every one:
#   HOSTDIR      the helper as built        -> host sockets
#   (none)       no WINEDLLPATH              -> winsock, not installed (or no .so)
#   HOSTDIR and WINHTTP_BACKEND=winsock      -> winsock, forced
#   MISMATCHDIR  a helper answering another ABI version -> winsock, mismatch
#   NOUNIXDIR    winhttp_host.dll without its .so        -> winsock, no Linux side
# Prints a winetest summary line.
wine=$1 exe=$2 hostdir=$3 mismatchdir=$4 nounixdir=$5 winelibdir=${6:-}
export WINEPREFIX=${WINEPREFIX:-$(dirname "$exe")/../../wineprefix}
export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml="
unset DISPLAY WINEDLLPATH WINHTTP_BACKEND
out=$(mktemp)
# Wine finds the helper by name only through a copy in system32, which
# wineboot makes from WINEDLLPATH (a fresh prefix has none).
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/winhttp_host.dll" ]; then
    WINEDLLPATH="$hostdir" "$wine" wineboot -u > /dev/null 2>&1
fi
. "$(dirname "$0")/test-lib.sh"
t_name host_backend

# check DESCRIPTION PATTERN [VAR=VALUE...]: the backend line matches, EXE passes.
check() {
    what=$1 pattern=$2
    shift 2
    env "$@" WINEDEBUG=-all,+winhttp timeout 300 "$wine" "$exe" > "$out" 2>&1
    status=$?
    line=$(grep -m1 ':trace:winhttp:select_backend backend:' "$out")
    case "$line" in
    *"$pattern"*) t_passed 1 ;;
    *) t_fail "$what: expected '$pattern', got '${line:-no backend line}'" ;;
    esac
    if [ $status -ne 0 ] || ! grep -qE ' tests executed \([0-9]+ marked as todo, 0 failures\)' "$out"; then
        t_fail "$what: $(basename "$exe") failed (status $status)"
        grep -E 'Test failed' "$out" | head -n 10
    else
        t_passed 1
    fi
}

check "helper present" "backend: host sockets" WINEDLLPATH="$hostdir"
if [ -n "$winelibdir" ] && [ -f "$winelibdir/x86_64-unix/winhttp_host.so" ]; then
    t_skip "the helper is installed in Wine ($winelibdir): it is never absent"
else
    # (a prefix once started with WINEDLLPATH keeps a copy of the PE half in
    # system32, and then says "no Linux side": either way, Winsock)
    check "helper absent" "backend: winsock (winhttp_host.dll "
fi
check "forced winsock" "backend: winsock (WINHTTP_BACKEND=winsock)" WINEDLLPATH="$hostdir" WINHTTP_BACKEND=winsock
check "version mismatch" "backend: winsock (version mismatch" WINEDLLPATH="$mismatchdir" WINHTTP_BACKEND=host
check "no Linux side" "backend: winsock (winhttp_host.dll has no Linux side" WINEDLLPATH="$nounixdir"
rm -f "$out"
t_summary
