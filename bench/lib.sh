# Shell functions shared by tools/bench.sh, bench/syscalls.sh and bench/ab.sh
# (sourced, not run).
#
# Copyright 2026 the winhttp-ws authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# wait_port FILE PID: the port a server wrote to FILE (at most ~10 s); fails
# when the server PID exits first
wait_port() {
    local i
    for ((i = 0; i < 200; i++)); do
        [ -s "$1" ] && { cat "$1"; return 0; }
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# prefix_wineserver: the pid of $WINEPREFIX's wineserver, found by its
# directory (named after the prefix's device and inode); empty when none runs
prefix_wineserver() {
    local tag p
    tag=server-$(stat -c '%D' "$WINEPREFIX")-$(printf '%x' "$(stat -c '%i' "$WINEPREFIX")")
    for p in $(pgrep -x wineserver64; pgrep -x wineserver); do
        case $(readlink "/proc/$p/cwd") in */"$tag") echo "$p"; return 0 ;; esac
    done
}
