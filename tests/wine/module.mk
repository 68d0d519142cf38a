# Wine's own winhttp conformance tests (url.c, winhttp.c, notification.c),
# fetched from Debian's wine source package at test time and run strictly by
# tools/winetests.sh in a private network namespace (see tests/wine/).
#
#   make check-winetests          every file, our DLL: per-file counts, fails on any failure
#   make check-winetests-builtin  the same against Wine's builtin, report only
#   WINETESTS_RUNS=10             run each file that many times
#
# make check runs WINETESTS_PASSING (the files that pass with our DLL; the
# checks listed in tests/wine/known_failures are visible skips) through
# tests/wine/check.sh; make check-builtin runs all of them against the builtin.

WINETESTS_PASSING = url winhttp notification
WINETESTS_ALL     = url winhttp notification
WINETESTS_RUNS   ?= 1

SCRIPT_TESTS += $(srcdir)/tests/wine/check.sh build/tests/wine_i686.sh
all: build/tests/wine_i686.sh

# The same files for i686 (tools/winetests.sh finds tools/wine32.sh).
build/tests/wine_i686.sh: $(srcdir)/tests/wine/module.mk
	$(call write_wrapper,env WINETESTS_ARCH=i686 $(abspath $(srcdir)/tests/wine/check.sh))

check-winetests: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS)

check-winetests-builtin: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --runs $(WINETESTS_RUNS) --override b --report-only

check-winetests-i686: dlls
	$(srcdir)/tools/winetests.sh --files "$(WINETESTS_ALL)" --arch i686 --loader "$(or $(WINETESTS_LOADER),$(WINE32))"

.PHONY: check-winetests check-winetests-builtin check-winetests-i686
