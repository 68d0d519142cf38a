# The demo (README command 1): demo/wscat.c, a WebSocket console client on
# the public WinHTTP API, built for each architecture next to a copy of our
# winhttp.dll, then run by tools/demo.sh against the native test server's
# /echo under Wine: x86_64 through the 64-bit loader, i686 through
# tools/wine32.sh (skipped, with the reason, where no 32-bit loader runs).
# make check runs the i686 client too (build/tests/demo_i686.sh): a program
# the conformance suite did not write.

define demo_rules
build/$(1)/demo:
	$$(MKDIR_P) $$@

build/$(1)/demo/wscat.exe: $(srcdir)/demo/wscat.c $(srcdir)/include/winhttp.h build/$(1)/libwinhttp.a | build/$(1)/demo build/$(1)/demo/winhttp.dll
	$$(cc_$(1)) $$(PE_CFLAGS) -o $$@ $$< $$(PE_LDFLAGS) -Lbuild/$(1) -lwinhttp

build/$(1)/demo/winhttp.dll: build/$(1)/winhttp.dll | build/$(1)/demo
	cp $$< $$@
endef
$(foreach a,$(ARCHES),$(eval $(call demo_rules,$(a))))

demo-build: $(foreach a,$(ARCHES),build/$(a)/demo/wscat.exe build/$(a)/demo/winhttp.dll) $(WSSERVER)

demo: demo-build
	@WSSERVER=$(WSSERVER) WINE=$(WINE) $(srcdir)/tools/demo.sh build/x86_64/demo/wscat.exe
	@echo
	@WSSERVER=$(WSSERVER) WINE=$(WINE) WINE32=$(WINE32) $(srcdir)/tools/demo.sh build/i686/demo/wscat.exe

build/tests/demo_i686.sh: $(srcdir)/tools/demo.sh demo-build
	$(call write_wrapper,env WINE=$(WINE) WINE32=$(WINE32) DEMO_SUMMARY=demo_i686 \
	    $(abspath $(srcdir)/tools/demo.sh) $(abspath build/i686/demo/wscat.exe))

SCRIPT_TESTS += build/tests/demo_i686.sh
all: build/tests/demo_i686.sh

.PHONY: demo demo-build
