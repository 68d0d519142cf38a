#!/bin/sh
# tools/host-install.sh ACTION BUILDDIR DIR [DIR32 | WINE]
#
# Installs or removes the host-socket helper (winhttp_host.dll and
# winhttp_host.so, built in BUILDDIR/x86_64/host, and the i686 one in
# BUILDDIR/i686/host when it is built).
#
# system-install DIR [DIR32]
#                       Wine's own builtin folder (e.g. /usr/lib/x86_64-linux-gnu/wine;
#                       $DESTDIR is prepended): DIR/x86_64-windows/winhttp_host.dll and
#                       DIR/x86_64-unix/winhttp_host.so; and, when the i686 helper
#                       is built and DIR32 (32-bit Wine's folder, e.g.
#                       /usr/lib/i386-linux-gnu/wine) is given, DIR32/i386-windows
#                       and DIR32/i386-unix.  Every Wine program of every prefix
#                       then finds it.  Needs root.
# system-uninstall DIR [DIR32]  removes those files again.
# user-install DIR [WINE]
#                       no root: both files into DIR in Wine's layout
#                       (DIR/x86_64-windows, DIR/x86_64-unix; the i686 helper,
#                       when built, into DIR/i386-windows and DIR/i386-unix),
#                       and DIR/wine-host, a launcher that runs WINE with
#                       WINEDLLPATH naming DIR:
#                           DIR/wine-host program.exe
# user-uninstall DIR    removes the files and the launcher (and DIR if empty).
# wine-install DIR [DIR32]
#                       what make wine-install does: installs each helper
#                       that is built into its folder when that can be
#                       written; otherwise says why not and what to run
#                       instead (never fails: without the helper the DLL
#                       works on Winsock).
# wine-uninstall DIR [DIR32]
#                       removes each helper its folder holds when that can be
#                       written; otherwise says what to run.

set -eu
[ $# -ge 3 ] || { echo "usage: $0 system-install|system-uninstall|user-install|user-uninstall|wine-install|wine-uninstall BUILDDIR DIR [DIR32|WINE]" >&2; exit 2; }
action=$1 builddir=$2 dir=$3 arg4=${4:-}
src=$builddir/x86_64/host
src32=$builddir/i686/host

need_built() {
    if [ ! -f "$src/winhttp_host.dll" ] || [ ! -f "$src/winhttp_host.so" ]; then
        echo "host-install: $src/winhttp_host.dll or .so is not built (run make; it needs winebuild)" >&2
        exit 1
    fi
}

# built ARCH_SRC: both files of that helper are there
built() {
    [ -f "$1/winhttp_host.dll" ] && [ -f "$1/winhttp_host.so" ]
}

# writable ROOT ARCH: Wine's two folders of ARCH under ROOT can be written
writable() {
    [ -w "$1/$2-windows" ] && [ -w "$1/$2-unix" ]
}

# holds ROOT ARCH: one of the helper's files is in ROOT
holds() {
    [ -e "$1/$2-windows/winhttp_host.dll" ] || [ -e "$1/$2-unix/winhttp_host.so" ]
}

# put SRC ROOT ARCH / remove ROOT ARCH
put() {
    mkdir -p "$2/$3-windows" "$2/$3-unix"
    cp "$1/winhttp_host.dll" "$2/$3-windows/winhttp_host.dll"
    cp "$1/winhttp_host.so" "$2/$3-unix/winhttp_host.so"
}
remove() {
    rm -f "$1/$2-windows/winhttp_host.dll" "$1/$2-unix/winhttp_host.so"
}

dir32=$arg4
root=${DESTDIR:-}$dir
root32=${DESTDIR:-}$dir32

case "$action" in
wine-install)
    if ! built "$src"; then
        echo "host-install: host sockets not installed: the helper is not built (winebuild missing?); the DLL uses Winsock"
    elif [ -z "$dir" ]; then
        echo "host-install: host sockets not installed: configure found no Wine builtin folder (x86_64-windows, x86_64-unix)"
    elif ! writable "$root" x86_64; then
        echo "host-install: host sockets not installed: $root is not writable; the DLL uses Winsock until either"
        echo "    sudo make host-install                  (every prefix), or"
        echo "    make host-install-user                  (no root; run programs with ~/.local/lib/winhttp-host/wine-host)"
    else
        put "$src" "$root" x86_64
        echo "host-install: helper installed in $root (every Wine prefix uses host sockets now)"
    fi
    if ! built "$src32" || [ -z "$dir32" ]; then
        :   # no i686 helper, or no 32-bit Wine here: nothing to say
    elif ! writable "$root32" i386; then
        echo "host-install: the i686 helper is not installed: $root32 is not writable (sudo make host-install, or make host-install-user)"
    else
        put "$src32" "$root32" i386
        echo "host-install: i686 helper installed in $root32"
    fi
    ;;
wine-uninstall)
    for arch in x86_64 i386; do
        if [ $arch = x86_64 ]; then d=$dir r=$root; else d=$dir32 r=$root32; fi
        [ -n "$d" ] && holds "$r" $arch || continue
        if writable "$r" $arch; then
            remove "$r" $arch
            echo "host-install: helper ($arch) removed from $r"
        else
            echo "host-install: the helper ($arch) stays in $r (not writable): sudo make host-uninstall"
        fi
    done
    ;;
system-install)
    need_built
    [ -n "$dir" ] || { echo "host-install: no Wine builtin folder found by configure" >&2; exit 1; }
    put "$src" "$root" x86_64
    echo "host-install: helper installed in $root (every Wine prefix uses host sockets now)"
    if built "$src32" && [ -n "$dir32" ]; then
        put "$src32" "$root32" i386
        echo "host-install: i686 helper installed in $root32"
    fi
    ;;
system-uninstall)
    remove "$root" x86_64
    echo "host-install: helper removed from $root"
    if [ -n "$dir32" ]; then
        remove "$root32" i386
        echo "host-install: i686 helper removed from $root32"
    fi
    ;;
user-install)
    wine=${arg4:-wine}
    need_built
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    put "$src" "$dir" x86_64
    if built "$src32"; then
        put "$src32" "$dir" i386
    fi
    cat > "$dir/wine-host.tmp" <<LAUNCHER
#!/bin/sh
# Runs Wine with the winhttp host-socket helper in $dir.
WINEDLLPATH="$dir\${WINEDLLPATH:+:\$WINEDLLPATH}"
export WINEDLLPATH
exec "\${WINE:-$wine}" "\$@"
LAUNCHER
    chmod +x "$dir/wine-host.tmp"
    mv -f "$dir/wine-host.tmp" "$dir/wine-host"
    echo "host-install: helper in $dir; run programs with $dir/wine-host PROGRAM.exe"
    ;;
user-uninstall)
    for arch in x86_64 i386; do
        rm -f "$dir/$arch-windows/winhttp_host.dll" "$dir/$arch-unix/winhttp_host.so"
        rmdir "$dir/$arch-windows" "$dir/$arch-unix" 2>/dev/null || true
    done
    rm -f "$dir/winhttp_host.dll" "$dir/winhttp_host.so" "$dir/wine-host"  # flat, as older versions installed
    rmdir "$dir" 2>/dev/null || true
    echo "host-install: helper removed from $dir"
    ;;
*)
    echo "host-install: unknown action $action" >&2
    exit 2
    ;;
esac
