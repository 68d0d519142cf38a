#!/bin/sh
# make check's share of Wine's winhttp tests (tools/winetests.sh): the files
# that pass strictly with our DLL (WINETESTS_FILES, set by the Makefile).
# make check-builtin runs it with WINETESTS_OVERRIDE=b, report only.
# WINETESTS_ARCH=i686 runs the i686 builds (through tools/wine32.sh).
# WINETESTS_BACKEND=host runs them on our DLL's host sockets (docs/HOST.md),
# the helper from build/ARCH/host.
# WINETESTS_SOURCE=10 runs Wine 10.0's tests (tools/winetests.sh --wine-source
# 10; their known failures are tests/wine/known_failures10): the files of
# WINETESTS10_FILES (the Makefile's WINETESTS10_PASSING; default all three).
# WINETESTS_MODULE=webservices runs Wine's webservices tests instead (proxy.c
# and channel.c through Wine's webservices.dll on our winhttp; their known
# failures are tests/wine/known_failures[10]_webservices): the files of
# WINETESTS_WEBSERVICES_FILES (default both), either source.
# WINETESTS_MODULE=qmgr runs Wine's BITS tests (qmgr.c, job.c, file.c,
# enum_files.c, enum_jobs.c: Wine's qmgr.dll in its service downloads with
# the winhttp.dll under test): the files of WINETESTS_QMGR_FILES (default all).
# WINETESTS_MODULE=hnetcfg runs Wine's hnetcfg test (policy.c: Wine's
# hnetcfg.dll manages a UPnP gateway's port mappings with the winhttp.dll
# under test; tests/wine/igd.py is the gateway), four times: once in each of
# the gateway's four ways of framing its answers (igd.py's STYLES).
# Where the tests cannot be had (no network for apt-get source, no
# namespaces), each file is reported as skipped with the reason.
top=$(cd "$(dirname "$0")/../.." && pwd)
module=${WINETESTS_MODULE:-winhttp}
files=${WINETESTS_FILES:-url}
[ "${WINETESTS_SOURCE:-8}" = 10 ] && files=${WINETESTS10_FILES:-url winhttp notification}
[ "$module" = webservices ] && files=${WINETESTS_WEBSERVICES_FILES:-proxy channel}
# (empty: all of them)
[ "$module" = qmgr ] && files=${WINETESTS_QMGR_FILES:-}
runs=1
[ "$module" = hnetcfg ] && files=policy runs=4
set -- --module "$module" --files "$files" --override "${WINETESTS_OVERRIDE:-n}" --skip-unavailable \
    --arch "${WINETESTS_ARCH:-x86_64}" --backend "${WINETESTS_BACKEND:-winsock}" \
    --wine-source "${WINETESTS_SOURCE:-8}" --runs $runs
[ "${WINETESTS_OVERRIDE:-n}" = b ] && set -- "$@" --report-only
exec "$top/tools/winetests.sh" "$@"
