# tools/netns-lib.sh: what the tests run in a private network and mount
# namespace share (sourced, sh: tools/test-wpad.sh, tools/test-lookup.sh).
#
#   netns_prepare NAME EXE WINE
#       the Wine environment for EXE (our DLL, the prefix beside its
#       build/ folder, no display); prints NAME's one-skip summary line and
#       exits 0 when namespaces cannot be made here.  The prefix is made
#       (and its wineserver started) here, outside the namespace; stop that
#       server after the run (netns_finish), so no wine process outlives the
#       namespace.
#   netns_finish WINESERVER STATUS
#       stops the wineserver and exits with STATUS.
#
# The DNS server such a namespace names in its resolv.conf is
# tools/dns-standin.py.

netns_prepare() {
    export WINEPREFIX=${WINEPREFIX:-$(cd "$(dirname "$2")/../.." && pwd)/wineprefix}
    export WINEDLLOVERRIDES="winhttp=n;mscoree=;mshtml=;winemenubuilder.exe="
    export WINEDEBUG=${WINETEST_WINEDEBUG:--all}
    unset DISPLAY WAYLAND_DISPLAY
    mkdir -p "$WINEPREFIX"
    if ! unshare -m -n true 2>/dev/null; then
        echo "$1: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
        exit 0
    fi
    "$3" cmd /c exit > /dev/null 2>&1
}

netns_finish() {
    "$1" -k 2>/dev/null
    exit "$2"
}
