#!/bin/sh
# valgrind-run.sh PROGRAM [ARGS...]: runs a native test under Valgrind's
# memcheck.  Any memory error or definite/indirect leak makes the exit status
# non-zero, which tools/runtests.sh counts as a failure; the program's own
# winetest summary line counts its checks.  Without valgrind the run is
# reported as one skipped test, with the reason.
name=$(basename "$1")
if ! command -v valgrind > /dev/null 2>&1; then
    echo "$name: Tests skipped: valgrind is not installed (tools/setup-debian.sh installs it)"
    echo "$name: 0 tests executed (0 marked as todo, 0 failures), 1 skipped."
    exit 0
fi
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$@"
