#!/bin/sh
# make check's share of Wine's winhttp tests (tools/winetests.sh): the files
# that pass strictly with our DLL (WINETESTS_FILES, set by the Makefile).
# make check-builtin runs it with WINETESTS_OVERRIDE=b, report only.
# WINETESTS_ARCH=i686 runs the i686 builds (through tools/wine32.sh).
# WINETESTS_BACKEND=host runs them on our DLL's host sockets (docs/HOST.md),
# the helper from build/ARCH/host.
# Where the tests cannot be had (no network for apt-get source, no
# namespaces), each file is reported as skipped with the reason.
top=$(cd "$(dirname "$0")/../.." && pwd)
set -- --files "${WINETESTS_FILES:-url}" --override "${WINETESTS_OVERRIDE:-n}" --skip-unavailable \
    --arch "${WINETESTS_ARCH:-x86_64}" --backend "${WINETESTS_BACKEND:-winsock}"
[ "${WINETESTS_OVERRIDE:-n}" = b ] && set -- "$@" --report-only
exec "$top/tools/winetests.sh" "$@"
