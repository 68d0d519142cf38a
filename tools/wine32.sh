#!/bin/sh
# tools/wine32.sh: runs a 32-bit (i686) Windows program under Wine, however
# this machine can.
#
#   tools/wine32.sh PROGRAM [ARGS...]    run it (in $WINEPREFIX)
#   tools/wine32.sh --prepare            make $WINEPREFIX able to run i686
#                                        programs (once; later calls are cheap)
#   tools/wine32.sh --which              print how i686 programs are run, or
#                                        why they cannot be; exit 1 if not
#
# Two ways, chosen here and nowhere else:
#   native   /usr/lib/wine/wine, Debian's wine32:i386 loader.  setup-debian.sh
#            installs that package only where the kernel executes i386 ELF.
#   qemu     where it does not (this project's CI machines), Wine's 32-bit
#            loader taken out of the wine32:i386 package and kept as
#            /usr/lib/wine/wine32-qemu (a name /usr/bin/wine never picks, in
#            the folder where the loader finds wineserver and its libraries),
#            run by qemu-i386 with WINELOADERNOEXEC=1 (no re-exec through the
#            preloader, which qemu cannot follow).
#
# The prefix is created by the 64-bit loader, as every other test run does.
# Wine's 64-bit wineboot fills windows/syswow64 only when it can start a
# 32-bit process, so --prepare does that part itself under the 32-bit loader:
# it copies the 32-bit builtin PE files into syswow64 and runs wine.inf's
# Wow64Install section (32-bit registry: COM classes, crypto providers, ...).
# Without Wow64Install, CryptAcquireContext fails in 32-bit programs.
#
# Inputs: WINEPREFIX (required for running and --prepare), WINE64 (the 64-bit
# loader, default /usr/lib/wine/wine64), QEMU_I386 (default: qemu-i386 found
# in /usr/local/lib/winhttp-ws, then PATH).
#
# Copyright 2026 the winhttp-ws authors
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u
native_loader=/usr/lib/wine/wine
qemu_loader=/usr/lib/wine/wine32-qemu
builtin_pe=/usr/lib/i386-linux-gnu/wine/i386-windows

find_qemu() {
    for q in "${QEMU_I386:-}" /usr/local/lib/winhttp-ws/qemu-i386 "$(command -v qemu-i386 2>/dev/null)"; do
        [ -n "$q" ] && [ -x "$q" ] && { echo "$q"; return 0; }
    done
    return 1
}

# Sets "how" to native or qemu (and qemu to its path), or "why" not.
choose() {
    if [ -x "$native_loader" ]; then
        how=native
        return 0
    fi
    if [ -x "$qemu_loader" ] && qemu=$(find_qemu); then
        how=qemu
        return 0
    fi
    if [ ! -x "$qemu_loader" ]; then
        why="no 32-bit Wine loader ($native_loader or $qemu_loader; tools/setup-debian.sh installs one)"
    else
        why="no qemu-i386 to run $qemu_loader with (tools/setup-debian.sh installs it)"
    fi
    return 1
}

run32() {
    if [ "$how" = native ]; then
        "$native_loader" "$@"
    else
        WINELOADERNOEXEC=1 "$qemu" "$qemu_loader" "$@"
    fi
}

case "${1:-}" in
--which)
    choose || { echo "$why"; exit 1; }
    if [ "$how" = native ]; then
        echo "native: $native_loader"
    else
        echo "qemu: $qemu ($("$qemu" --version | head -n 1)) running $qemu_loader"
    fi
    exit 0 ;;
--prepare)
    choose || { echo "wine32: $why" >&2; exit 1; }
    : "${WINEPREFIX:?WINEPREFIX must be set}"
    wine64=${WINE64:-/usr/lib/wine/wine64}
    syswow64=$WINEPREFIX/drive_c/windows/syswow64
    [ -f "$WINEPREFIX/.wine32-prepared" ] && exit 0
    if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
        mkdir -p "$WINEPREFIX"
        "$wine64" wineboot -i > /dev/null 2>&1
    fi
    if [ ! -f "$syswow64/kernel32.dll" ]; then
        [ -d "$builtin_pe" ] || { echo "wine32: $builtin_pe is missing (package libwine:i386)" >&2; exit 1; }
        mkdir -p "$syswow64"
        # Copies, not links: Wow64Install rewrites files here, and a link
        # would let it write into /usr/lib.
        cp -r "$builtin_pe"/. "$syswow64"/
        # (It cannot start 64-bit helpers such as explorer from here and
        # says so on stderr; the section is installed all the same.)
        run32 'C:\windows\syswow64\rundll32.exe' setupapi,InstallHinfSection Wow64Install 128 \
            '\\?\unix/usr/share/wine/wine.inf' > "$WINEPREFIX/wow64install.log" 2>&1 ||
            { echo "wine32: Wow64Install failed, see $WINEPREFIX/wow64install.log" >&2; exit 1; }
    fi
    : > "$WINEPREFIX/.wine32-prepared"
    exit 0 ;;
"")
    echo "usage: $0 PROGRAM [ARGS...] | --prepare | --which" >&2
    exit 2 ;;
esac

choose || { echo "wine32: $why" >&2; exit 127; }
run32 "$@"
