#!/bin/sh
# tools/wineprefix-install.sh install|uninstall WINE BUILDDIR
#
# Puts our winhttp.dll into the Wine prefix named by $WINEPREFIX (required)
# and makes Wine prefer it, or takes it out again.  Called by
# "make wine-install WINEPREFIX=..." and "make wine-uninstall WINEPREFIX=...".
#
# install    BUILDDIR/x86_64/winhttp.dll -> drive_c/windows/system32 (64-bit
#            prefix) and BUILDDIR/i686/winhttp.dll -> drive_c/windows/syswow64
#            (if the prefix has one; a 32-bit prefix gets the i686 DLL in
#            system32).  Wine's own file is kept once as
#            winhttp.dll.builtin-backup (where Wine had none, an empty
#            winhttp.dll.no-builtin marks ours for removal).  Sets
#            HKCU\Software\Wine\DllOverrides winhttp = native,builtin.
#            Then regsvr32 registers the 64-bit DLL's COM class
#            (WinHttp.WinHttpRequest.5.1) and type library, and the 32-bit
#            regsvr32 (through tools/wine32.sh, where this machine can run
#            i686 programs) the i686 DLL's in the 32-bit registry view.
#            A prefix that does not exist yet is created first.
# uninstall  puts the backups back, deletes the override value and lets
#            regsvr32 (both of them) register Wine's builtin again.

set -eu

usage() {
    echo "usage: WINEPREFIX=DIR $0 install|uninstall WINE BUILDDIR" >&2
    exit 2
}

[ $# -eq 3 ] || usage
action=$1 wine=$2 builddir=$3
case "$action" in install|uninstall) ;; *) usage ;; esac

if [ -z "${WINEPREFIX:-}" ]; then
    echo "wineprefix-install: WINEPREFIX is not set; say which prefix, e.g." >&2
    echo "    make wine-$action WINEPREFIX=\$HOME/.wine" >&2
    exit 1
fi
if [ -z "$wine" ] || ! command -v "$wine" > /dev/null 2>&1; then
    echo "wineprefix-install: no wine program ('$wine'); install wine and re-run ./configure" >&2
    exit 1
fi
case "$WINEPREFIX" in /*) ;; *) WINEPREFIX=$(pwd)/$WINEPREFIX ;; esac
export WINEPREFIX
# Quiet and headless; no Mono/Gecko download prompts when a prefix is created.
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree=;mshtml="
export WINEDEBUG WINEDLLOVERRIDES

key='HKCU\Software\Wine\DllOverrides'
windir=$WINEPREFIX/drive_c/windows
wine32=$(dirname "$0")/wine32.sh

# regsvr32 of syswow64's winhttp.dll by the 32-bit regsvr32 (the 32-bit
# registry view, where 32-bit programs look for the class); $1 says whose.
register32() {
    [ -d "$windir/syswow64" ] || return 0
    if ! how=$("$wine32" --which 2>&1); then
        echo "wineprefix-install: 32-bit registration skipped: $how"
        return 0
    fi
    if "$wine32" 'C:\windows\syswow64\regsvr32.exe' /s 'C:\windows\syswow64\winhttp.dll' > /dev/null 2>&1; then
        echo "wineprefix-install: WinHttp.WinHttpRequest.5.1 (32-bit) registered to $1 winhttp.dll"
    else
        echo "wineprefix-install: 32-bit regsvr32 of $1 winhttp.dll failed" >&2
        exit 1
    fi
}

if [ "$action" = install ] && [ ! -d "$windir/system32" ]; then
    echo "wineprefix-install: creating the prefix $WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    "$wine" wineboot -i > /dev/null 2>&1 || true
fi
if [ ! -d "$windir/system32" ]; then
    echo "wineprefix-install: $WINEPREFIX is not a Wine prefix (no drive_c/windows/system32)" >&2
    exit 1
fi
# A 64-bit prefix gets its 32-bit half (syswow64, the 32-bit registry) where
# this machine can run i686 programs, so that our i686 DLL goes there too.
if [ "$action" = install ] && ! grep -q '^#arch=win32' "$WINEPREFIX/system.reg" 2>/dev/null &&
   "$wine32" --which > /dev/null 2>&1; then
    WINE64=$wine "$wine32" --prepare > /dev/null 2>&1 ||
        echo "wineprefix-install: could not prepare $WINEPREFIX for 32-bit programs" >&2
fi

# Which of our DLLs goes where: "ARCH DIR" lines.
targets() {
    if grep -q '^#arch=win32' "$WINEPREFIX/system.reg" 2>/dev/null; then
        echo "i686 $windir/system32"
    else
        echo "x86_64 $windir/system32"
        [ -d "$windir/syswow64" ] && echo "i686 $windir/syswow64"
    fi
    return 0
}

if [ "$action" = install ]; then
    for arch in x86_64 i686; do
        if targets | grep -q "^$arch " && [ ! -f "$builddir/$arch/winhttp.dll" ]; then
            echo "wineprefix-install: $builddir/$arch/winhttp.dll is not built (run make first)" >&2
            exit 1
        fi
    done
    targets | while read -r arch dir; do
        if [ ! -f "$dir/winhttp.dll.builtin-backup" ] && [ ! -f "$dir/winhttp.dll.no-builtin" ]; then
            if [ -f "$dir/winhttp.dll" ]; then
                cp -p "$dir/winhttp.dll" "$dir/winhttp.dll.builtin-backup"
            else
                : > "$dir/winhttp.dll.no-builtin"  # uninstall just removes ours
            fi
        fi
        cp "$builddir/$arch/winhttp.dll" "$dir/winhttp.dll.tmp"
        mv -f "$dir/winhttp.dll.tmp" "$dir/winhttp.dll"
        echo "wineprefix-install: $builddir/$arch/winhttp.dll -> $dir/winhttp.dll"
    done
    "$wine" reg add "$key" /v winhttp /d native,builtin /f > /dev/null
    echo "wineprefix-install: winhttp override set to native,builtin in $WINEPREFIX"
    # The COM class is found through the registry: point it at ours.
    if "$wine" regsvr32 /s 'C:\windows\system32\winhttp.dll' > /dev/null 2>&1; then
        echo "wineprefix-install: WinHttp.WinHttpRequest.5.1 registered to our winhttp.dll"
    else
        echo "wineprefix-install: regsvr32 of our winhttp.dll failed" >&2
        exit 1
    fi
    register32 our
else
    for dir in "$windir/system32" "$windir/syswow64"; do
        if [ -f "$dir/winhttp.dll.builtin-backup" ]; then
            mv -f "$dir/winhttp.dll.builtin-backup" "$dir/winhttp.dll"
            echo "wineprefix-install: restored Wine's $dir/winhttp.dll"
        elif [ -f "$dir/winhttp.dll.no-builtin" ]; then
            rm -f "$dir/winhttp.dll" "$dir/winhttp.dll.no-builtin"
            echo "wineprefix-install: removed $dir/winhttp.dll (Wine had none there)"
        fi
    done
    if "$wine" reg query "$key" /v winhttp > /dev/null 2>&1; then
        "$wine" reg delete "$key" /v winhttp /f > /dev/null
        echo "wineprefix-install: winhttp override removed from $WINEPREFIX"
    else
        echo "wineprefix-install: no winhttp override in $WINEPREFIX"
    fi
    # Wine's builtin writes its own COM registration back.
    if "$wine" regsvr32 /s 'C:\windows\system32\winhttp.dll' > /dev/null 2>&1; then
        echo "wineprefix-install: WinHttp.WinHttpRequest.5.1 registered to Wine's winhttp.dll again"
    else
        echo "wineprefix-install: regsvr32 of Wine's winhttp.dll failed" >&2
        exit 1
    fi
    register32 "Wine's"
fi
