#!/bin/sh
# tools/host-install.sh ACTION BUILDDIR DIR [WINE]
#
# Installs or removes the host-socket helper (winhttp_host.dll and
# winhttp_host.so, built in BUILDDIR/x86_64/host).
#
# system-install DIR    Wine's own builtin folder (e.g. /usr/lib/x86_64-linux-gnu/wine;
#                       $DESTDIR is prepended): DIR/x86_64-windows/winhttp_host.dll and
#                       DIR/x86_64-unix/winhttp_host.so.  Every Wine program of
#                       every prefix then finds it.  Needs root.
# system-uninstall DIR  removes both files again.
# user-install DIR      no root: both files into DIR in Wine's layout
#                       (DIR/x86_64-windows, DIR/x86_64-unix; the i686 helper,
#                       when built, into DIR/i386-windows and DIR/i386-unix),
#                       and DIR/wine-host, a launcher that runs WINE with
#                       WINEDLLPATH naming DIR:
#                           DIR/wine-host program.exe
# user-uninstall DIR    removes the files and the launcher (and DIR if empty).
# wine-install DIR      what make wine-install does: system-install when the
#                       helper is built and DIR can be written; otherwise
#                       says why not and what to run instead (never fails:
#                       without the helper the DLL works on Winsock).
# wine-uninstall DIR    system-uninstall when DIR holds the helper and can be
#                       written; otherwise says what to run.

set -eu
[ $# -ge 3 ] || { echo "usage: $0 system-install|system-uninstall|user-install|user-uninstall BUILDDIR DIR [WINE]" >&2; exit 2; }
action=$1 builddir=$2 dir=$3 wine=${4:-wine}
src=$builddir/x86_64/host

need_built() {
    if [ ! -f "$src/winhttp_host.dll" ] || [ ! -f "$src/winhttp_host.so" ]; then
        echo "host-install: $src/winhttp_host.dll or .so is not built (run make; it needs winebuild)" >&2
        exit 1
    fi
}

case "$action" in
wine-install)
    if [ ! -f "$src/winhttp_host.dll" ] || [ ! -f "$src/winhttp_host.so" ]; then
        echo "host-install: host sockets not installed: the helper is not built (winebuild missing?); the DLL uses Winsock"
    elif [ -z "$dir" ]; then
        echo "host-install: host sockets not installed: configure found no Wine builtin folder (x86_64-windows, x86_64-unix)"
    elif [ ! -w "${DESTDIR:-}$dir/x86_64-windows" ] || [ ! -w "${DESTDIR:-}$dir/x86_64-unix" ]; then
        echo "host-install: host sockets not installed: ${DESTDIR:-}$dir is not writable; the DLL uses Winsock until either"
        echo "    sudo make host-install                  (every prefix), or"
        echo "    make host-install-user                  (no root; run programs with ~/.local/lib/winhttp-host/wine-host)"
    else
        exec "$0" system-install "$builddir" "$dir"
    fi
    ;;
wine-uninstall)
    root=${DESTDIR:-}$dir
    if [ -z "$dir" ] || { [ ! -e "$root/x86_64-windows/winhttp_host.dll" ] && [ ! -e "$root/x86_64-unix/winhttp_host.so" ]; }; then
        :
    elif [ ! -w "$root/x86_64-windows" ] || [ ! -w "$root/x86_64-unix" ]; then
        echo "host-install: the helper stays in $root (not writable): sudo make host-uninstall"
    else
        exec "$0" system-uninstall "$builddir" "$dir"
    fi
    ;;
system-install)
    need_built
    [ -n "$dir" ] || { echo "host-install: no Wine builtin folder found by configure" >&2; exit 1; }
    root=${DESTDIR:-}$dir
    mkdir -p "$root/x86_64-windows" "$root/x86_64-unix"
    cp "$src/winhttp_host.dll" "$root/x86_64-windows/winhttp_host.dll"
    cp "$src/winhttp_host.so" "$root/x86_64-unix/winhttp_host.so"
    echo "host-install: helper installed in $root (every Wine prefix uses host sockets now)"
    ;;
system-uninstall)
    root=${DESTDIR:-}$dir
    rm -f "$root/x86_64-windows/winhttp_host.dll" "$root/x86_64-unix/winhttp_host.so"
    echo "host-install: helper removed from $root"
    ;;
user-install)
    need_built
    mkdir -p "$dir/x86_64-windows" "$dir/x86_64-unix"
    dir=$(cd "$dir" && pwd)
    cp "$src/winhttp_host.dll" "$dir/x86_64-windows/"
    cp "$src/winhttp_host.so" "$dir/x86_64-unix/"
    src32=$builddir/i686/host
    if [ -f "$src32/winhttp_host.dll" ] && [ -f "$src32/winhttp_host.so" ]; then
        mkdir -p "$dir/i386-windows" "$dir/i386-unix"
        cp "$src32/winhttp_host.dll" "$dir/i386-windows/"
        cp "$src32/winhttp_host.so" "$dir/i386-unix/"
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
