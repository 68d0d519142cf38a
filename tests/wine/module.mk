# Wine's own winhttp conformance tests (url.c, winhttp.c, notification.c),
# and webservices' HTTP ones (proxy.c, channel.c: below), fetched from
# Debian's wine source package at test time and run strictly by
# tools/winetests.sh in a private network namespace (see tests/wine/).
#
#   make check-winetests          every file, our DLL: per-file counts, fails on any failure
#   make check-winetests-builtin  the same against Wine's builtin, report only
#   make check-winetests-host     the same on our DLL's host sockets, x86_64 and i686
#   make check-winetests10        Wine 10.0's tests (Debian trixie's source), our DLL, x86_64 and i686
#   make check-winetests10-builtin  the same against Wine 8's builtin, report only
#   WINETESTS_RUNS=10             run each file that many times
#
# make check runs WINETESTS_PASSING and WINETESTS10_PASSING (the files that pass with our DLL; the
# checks listed in tests/wine/known_failures are visible skips) through
# tests/wine/check.sh; make check-builtin runs all of them against the builtin.

WINETESTS_PASSING = url winhttp notification
WINETESTS_ALL     = url winhttp notification
WINETESTS_RUNS   ?= 1
# Wine 10.0's (tools/winetests.sh --wine-source 10): the known failures are
# tests/wine/known_failures10.
WINETESTS10_PASSING = url winhttp notification

SCRIPT_TESTS += $(srcdir)/tests/wine/check.sh build/tests/wine_i686.sh
all: build/tests/wine_i686.sh

# The same files for i686 (tools/winetests.sh finds tools/wine32.sh).
build/tests/wine_i686.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_ARCH=i686 $(abspath $(srcdir)/tests/wine/check.sh))

# And both again on host sockets (docs/HOST.md; make check-host runs these
# too): WINHTTP_BACKEND=host with the helper of build/ARCH/host, each run
# traced and failed unless it was on host sockets.  (Where the helper is not
# built, each file is reported as skipped with the reason.)
WINETESTS_HOST_SCRIPTS = build/tests/host_wine_x86_64.sh build/tests/host_wine_i686.sh
SCRIPT_TESTS += $(WINETESTS_HOST_SCRIPTS)
all: $(WINETESTS_HOST_SCRIPTS)
build/tests/host_wine_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_ARCH=$* WINETESTS_BACKEND=host $(abspath $(srcdir)/tests/wine/check.sh))

# Wine 10.0's tests: make check runs the x86_64 build (about 20 s; make
# check takes some 18 minutes here already), make check-winetests10 the i686
# one too (about 26 s under qemu).
WINETESTS10_SCRIPTS = build/tests/wine10_x86_64.sh build/tests/wine10_i686.sh
SCRIPT_TESTS += build/tests/wine10_x86_64.sh
all: $(WINETESTS10_SCRIPTS)
build/tests/wine10_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_ARCH=$* WINETESTS_SOURCE=10 $(abspath $(srcdir)/tests/wine/check.sh))

# Wine's webservices tests (tools/winetests.sh --module webservices: proxy.c
# and channel.c, through Wine's builtin webservices.dll, whose HTTP channel
# runs on the winhttp.dll under test; known failures in
# tests/wine/known_failures[10]_webservices).  make check runs Wine 8's and
# Wine 10's on x86_64, Wine 8's on i686, and Wine 8's on host sockets, x86_64
# and i686 (some 8 s each here, 14 s under qemu).
#
#   make check-webservices          every file, both sources, both arches, both backends
#   make check-webservices-builtin  Wine 8's and Wine 10's against the builtin, report only
WEBSERVICES_SCRIPTS = build/tests/webservices_x86_64.sh build/tests/webservices_i686.sh \
    build/tests/host_webservices_x86_64.sh build/tests/host_webservices_i686.sh \
    build/tests/webservices10_x86_64.sh
SCRIPT_TESTS += $(WEBSERVICES_SCRIPTS)
all: $(WEBSERVICES_SCRIPTS) build/tests/webservices10_i686.sh
build/tests/webservices_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_MODULE=webservices WINETESTS_ARCH=$* $(abspath $(srcdir)/tests/wine/check.sh))
build/tests/host_webservices_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_MODULE=webservices WINETESTS_ARCH=$* WINETESTS_BACKEND=host $(abspath $(srcdir)/tests/wine/check.sh))
build/tests/webservices10_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_MODULE=webservices WINETESTS_ARCH=$* WINETESTS_SOURCE=10 $(abspath $(srcdir)/tests/wine/check.sh))

check-webservices: dlls $(HOST_HELPER) $(HOST32_HELPER)
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS)
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --backend host
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --backend host --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --wine-source 10
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --wine-source 10 --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"

check-webservices-builtin: dlls
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --override b --report-only
	$(srcdir)/tools/winetests.sh --module webservices --runs $(WINETESTS_RUNS) --override b --report-only --wine-source 10

# Wine's BITS tests (tools/winetests.sh --module qmgr: qmgr.c, job.c, file.c,
# enum_files.c, enum_jobs.c), Windows-verified tests of a real winhttp
# consumer: Wine's qmgr.dll, in the BITS service (svchost.exe), downloads
# with WINHTTP_FLAG_ASYNC and a completion callback; job.c fetches
# http://test.winehq.org/ (the stand-in).  Our DLL is installed in the
# system32 of a prefix of the module's own, and every run checks in svchost's
# trace that it loaded the DLL asked for.  x86_64 only (the service is 64-bit
# whatever the tests are).  make check runs ours on Winsock: 12-13 s here
# (load 4), 18-22 s when the service's environment must be set first (a new
# prefix, or after a builtin or host-sockets run).
#
#   make check-qmgr          ours, Winsock and host sockets
#   make check-qmgr-builtin  the builtin, report only
QMGR_SCRIPTS = build/tests/qmgr_x86_64.sh
SCRIPT_TESTS += $(QMGR_SCRIPTS)
all: $(QMGR_SCRIPTS)
build/tests/qmgr_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_MODULE=qmgr WINETESTS_ARCH=$* $(abspath $(srcdir)/tests/wine/check.sh))

check-qmgr: dlls $(HOST_HELPER)
	$(srcdir)/tools/winetests.sh --module qmgr --runs $(WINETESTS_RUNS)
	$(srcdir)/tools/winetests.sh --module qmgr --runs $(WINETESTS_RUNS) --backend host

check-qmgr-builtin: dlls
	$(srcdir)/tools/winetests.sh --module qmgr --runs $(WINETESTS_RUNS) --override b --report-only

# Wine's hnetcfg test (tools/winetests.sh --module hnetcfg: policy.c), the
# last Wine consumer of winhttp: Wine's hnetcfg.dll (in-process, our DLL
# beside the program) finds a UPnP gateway by SSDP and adds, lists and
# removes port mappings with SOAP requests over winhttp; tests/wine/igd.py is
# the gateway, in the namespace.  Its two known failures
# (tests/wine/known_failures_hnetcfg) are stubs of hnetcfg.dll's, for either
# winhttp.dll.  Wine 10's policy.c and port.c are Wine 8's: one source.  make
# check runs ours on x86_64, four times: once in each of the gateway's four
# ways of framing its answers (keep-alive, miniupnpd's Connection: close,
# chunked, HTTP/1.0 to the close; igd.py's STYLES): some 7 s here, about
# 30 s the first time, when the module's prefix is made.
#
#   make check-hnetcfg          ours: x86_64, i686 (qemu), host sockets, 4 runs each
#   make check-hnetcfg-builtin  the builtin, report only, 4 runs
HNETCFG_SCRIPTS = build/tests/hnetcfg_x86_64.sh
SCRIPT_TESTS += $(HNETCFG_SCRIPTS)
all: $(HNETCFG_SCRIPTS)
build/tests/hnetcfg_%.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_MODULE=hnetcfg WINETESTS_ARCH=$* $(abspath $(srcdir)/tests/wine/check.sh))

# (--runs: a multiple of 4 meets every style equally often)
HNETCFG_RUNS = $(shell echo $$(( ($(WINETESTS_RUNS) + 3) / 4 * 4 )))
check-hnetcfg: dlls $(HOST_HELPER)
	$(srcdir)/tools/winetests.sh --module hnetcfg --runs $(HNETCFG_RUNS)
	$(srcdir)/tools/winetests.sh --module hnetcfg --runs $(HNETCFG_RUNS) --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"
	$(srcdir)/tools/winetests.sh --module hnetcfg --runs $(HNETCFG_RUNS) --backend host

check-hnetcfg-builtin: dlls
	$(srcdir)/tools/winetests.sh --module hnetcfg --runs $(HNETCFG_RUNS) --override b --report-only

check-winetests: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS)

check-winetests-builtin: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --override b --report-only

check-winetests-i686: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"

check-winetests-host: dlls $(HOST_HELPER) $(HOST32_HELPER)
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --backend host
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --backend host --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"

check-winetests10: dlls
	$(srcdir)/tools/winetests.sh --wine-source 10 --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS)
	$(srcdir)/tools/winetests.sh --wine-source 10 --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"

check-winetests10-builtin: dlls
	$(srcdir)/tools/winetests.sh --wine-source 10 --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --override b --report-only

.PHONY: check-hnetcfg check-hnetcfg-builtin check-qmgr check-qmgr-builtin check-webservices check-webservices-builtin check-winetests check-winetests-builtin check-winetests-i686 check-winetests-host check-winetests10 check-winetests10-builtin
