#!/bin/sh
# test-host-install.sh BUILDDIR: what make wine-install and wine-uninstall do
# with the host-socket helper (tools/host-install.sh wine-install and
# wine-uninstall), against a stand-in for Wine's builtin folder in a
# temporary directory (never Wine's real one):
#   writable folder    -> both files installed, then removed again; the
#                         i686 helper too (when built) into a stand-in for
#                         32-bit Wine's folder (i386-windows, i386-unix)
#   folder not writable (an unprivileged user, when run as root)
#                      -> a message naming the other ways, nothing written, success
#   helper not built   -> a message, nothing written, success
#   user-install       -> Wine's layout in the folder (x86_64, and i386 when
#                         the i686 helper is built) and the launcher;
#                         user-uninstall removes it all, the folder too
# The loading of an installed helper is host_backend.sh's part.
builddir=$1
here=$(dirname "$0")
. "$here/test-lib.sh"
t_name host_install
lib=$(mktemp -d)
out=$lib/out
trap 'rm -rf "$lib"' EXIT
mkdir -p "$lib/wine/x86_64-windows" "$lib/wine/x86_64-unix" "$lib/wine32/i386-windows" "$lib/wine32/i386-unix"
dll=$lib/wine/x86_64-windows/winhttp_host.dll so=$lib/wine/x86_64-unix/winhttp_host.so
dll32=$lib/wine32/i386-windows/winhttp_host.dll so32=$lib/wine32/i386-unix/winhttp_host.so
have32=0
[ -f "$builddir/i686/host/winhttp_host.so" ] && [ -f "$builddir/i686/host/winhttp_host.dll" ] && have32=1

"$here/host-install.sh" wine-install "$builddir" "$lib/wine" "$lib/wine32" > "$out" 2>&1
t_ok $? "wine-install failed: $(cat "$out")"
[ -f "$dll" ] && [ -f "$so" ] && cmp -s "$so" "$builddir/x86_64/host/winhttp_host.so"
t_ok $? "wine-install into a writable folder did not install both files"
if [ $have32 = 1 ]; then
    [ -f "$dll32" ] && cmp -s "$so32" "$builddir/i686/host/winhttp_host.so"
    t_ok $? "wine-install did not install the i686 helper into the i386 folder: $(cat "$out")"
else
    t_skip "the i686 helper is not built"
fi
"$here/host-install.sh" wine-uninstall "$builddir" "$lib/wine" "$lib/wine32" > "$out" 2>&1
t_ok $? "wine-uninstall failed: $(cat "$out")"
[ ! -e "$dll" ] && [ ! -e "$so" ] && [ ! -e "$dll32" ] && [ ! -e "$so32" ]
t_ok $? "wine-uninstall left the helper behind: $(find "$lib/wine" "$lib/wine32" -type f | tr '\n' ' ')"
"$here/host-install.sh" system-install "$builddir" "$lib/wine" "$lib/wine32" > "$out" 2>&1
t_ok $? "system-install failed: $(cat "$out")"
[ -f "$dll" ] && [ -f "$so" ] && { [ $have32 = 0 ] || { [ -f "$dll32" ] && [ -f "$so32" ]; }; }
t_ok $? "system-install did not install every built helper: $(cat "$out")"
"$here/host-install.sh" system-uninstall "$builddir" "$lib/wine" "$lib/wine32" > "$out" 2>&1
t_ok $? "system-uninstall failed: $(cat "$out")"
[ ! -e "$dll" ] && [ ! -e "$so" ] && [ ! -e "$dll32" ] && [ ! -e "$so32" ]
t_ok $? "system-uninstall left the helper behind"

if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null 2>&1; then
    chmod 755 "$lib" "$lib/wine" "$lib/wine32"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$here/host-install.sh" wine-install "$builddir" "$lib/wine" "$lib/wine32" > "$out" 2>&1
    t_ok $? "wine-install failed for a user who cannot write the folder"
    grep -q "not writable" "$out" && grep -q "host-install-user" "$out"
    t_ok $? "no 'not writable' message naming host-install-user: $(cat "$out")"
    [ ! -e "$dll" ] && [ ! -e "$so" ] && [ ! -e "$dll32" ] && [ ! -e "$so32" ]
    t_ok $? "files written into a folder that is not writable"
else
    t_skip "not root: the unwritable case needs another user"
fi

mkdir -p "$lib/empty"
"$here/host-install.sh" wine-install "$lib/empty" "$lib/wine" > "$out" 2>&1
t_ok $? "wine-install failed without a built helper"
grep -q "not built" "$out" && [ ! -e "$dll" ]
t_ok $? "without a built helper: $(cat "$out")"
user=$lib/user
"$here/host-install.sh" user-install "$builddir" "$user" wine > "$out" 2>&1
t_ok $? "user-install failed: $(cat "$out")"
[ -f "$user/x86_64-windows/winhttp_host.dll" ] && [ -f "$user/x86_64-unix/winhttp_host.so" ] && [ -x "$user/wine-host" ]
t_ok $? "user-install did not write the x86_64 helper and the launcher"
if [ -f "$builddir/i686/host/winhttp_host.so" ]; then
    cmp -s "$user/i386-unix/winhttp_host.so" "$builddir/i686/host/winhttp_host.so" && [ -f "$user/i386-windows/winhttp_host.dll" ]
    t_ok $? "user-install did not write the i686 helper"
fi
grep -q "WINEDLLPATH=\"$user" "$user/wine-host"
t_ok $? "the launcher does not name the folder in WINEDLLPATH"
"$here/host-install.sh" user-uninstall "$builddir" "$user" > "$out" 2>&1
t_ok $? "user-uninstall failed: $(cat "$out")"
[ ! -e "$user" ]
t_ok $? "user-uninstall left $(find "$user" 2>/dev/null | tr '\n' ' ')"
t_summary
