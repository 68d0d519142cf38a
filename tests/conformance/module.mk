# Conformance tests: Windows programs written against the winetest API, one
# per tests/conformance/*.c, built for each architecture next to a copy of
# our winhttp.dll and run under Wine by tools/runtests.sh.  zlib (static) codes
# the bodies decompression.c serves.

CONFORMANCE_SRCS = $(wildcard $(srcdir)/tests/conformance/*.c)
CONFORMANCE_NAMES = $(basename $(notdir $(CONFORMANCE_SRCS)))
CONFORMANCE_HDRS = $(wildcard $(srcdir)/tests/conformance/*.h) $(srcdir)/tests/winetest/test.h $(srcdir)/include/winhttp.h $(TLB_HEADER)
TEST_PE_CFLAGS = $(PE_CFLAGS) -I$(srcdir)/tests/winetest -I$(srcdir)/tests/conformance -Ibuild/include

define conformance_rules
build/$(1)/tests/runner.o: $(srcdir)/tests/winetest/runner.c $(srcdir)/tests/winetest/test.h | build/$(1)/tests
	$$(cc_$(1)) $$(TEST_PE_CFLAGS) -c -o $$@ $$<

build/$(1)/tests/%.exe: $(srcdir)/tests/conformance/%.c build/$(1)/tests/runner.o build/$(1)/libwinhttp.a $$(CONFORMANCE_HDRS) | build/$(1)/tests/winhttp.dll
	$$(cc_$(1)) $$(TEST_PE_CFLAGS) -o $$@ $$< build/$(1)/tests/runner.o $$(PE_LDFLAGS) -Lbuild/$(1) -lwinhttp -l:libz.a -lws2_32 -ladvapi32 -lcrypt32 -lpsapi -lole32 -loleaut32 -luuid

build/$(1)/tests/probe.exe: $(srcdir)/tests/winetest/probe.c | build/$(1)/tests
	$$(cc_$(1)) -O2 -o $$@ $$<

build/$(1)/tests/winhttp.dll: build/$(1)/winhttp.dll | build/$(1)/tests
	cp $$< $$@

# A stand-in dhcpcsvc.dll (proxycfg.c's test_dhcp_fake, through tools/test-dhcp.sh).
build/$(1)/tests/fake_dhcpcsvc.dll: $(srcdir)/tests/conformance/fake/dhcpcsvc.c | build/$(1)/tests
	$$(cc_$(1)) $$(PE_CFLAGS) -shared -o $$@ $$< -Wl,--kill-at $$(PE_LDFLAGS)

build/$(1)/tests/winhttp-exports-win11.txt: $(srcdir)/tools/winhttp-exports-win11.txt | build/$(1)/tests
	cp $$< $$@

build/$(1)/tests:
	$$(MKDIR_P) $$@
endef
$(foreach a,$(ARCHES),$(eval $(call conformance_rules,$(a))))

# Programs that need a set-up of their own run only through their script
# (lookup.exe: a namespace whose DNS server never answers, build/tests/lookup.sh);
# run bare they could only skip.
CONFORMANCE_SCRIPT_ONLY = lookup
CONFORMANCE_RUN_NAMES = $(filter-out $(CONFORMANCE_SCRIPT_ONLY),$(CONFORMANCE_NAMES))
CONFORMANCE_TESTS = $(foreach a,$(ARCHES),$(patsubst %,build/$(a)/tests/%.exe,$(CONFORMANCE_RUN_NAMES)))
conformance-tests: $(CONFORMANCE_TESTS) $(foreach a,$(ARCHES),build/$(a)/tests/winhttp.dll build/$(a)/tests/probe.exe \
                   build/$(a)/tests/winhttp-exports-win11.txt build/$(a)/tests/fake_dhcpcsvc.dll)
.PHONY: conformance-tests

# WPAD discovery through DNS, in a private network namespace (tools/test-wpad.sh).
build/tests/wpad.sh: $(srcdir)/tools/test-wpad.sh build/x86_64/tests/proxycfg.exe build/x86_64/tests/winhttp.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-wpad.sh) $(WINE) $(WINESERVER) $(abspath build/x86_64/tests/proxycfg.exe))

SCRIPT_TESTS += build/tests/wpad.sh
all: build/tests/wpad.sh

# WPAD discovery through DHCP (option 252), in a private network namespace
# whose system D-Bus is a stand-in NetworkManager (tools/test-dhcp.sh), for
# both architectures.
build/tests/wpad_dhcp.sh: $(srcdir)/tools/test-dhcp.sh build/x86_64/tests/proxycfg.exe build/x86_64/tests/winhttp.dll \
                          build/x86_64/tests/fake_dhcpcsvc.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-dhcp.sh) $(WINE) $(WINESERVER) $(abspath build/x86_64/tests/proxycfg.exe))

build/tests/wpad_dhcp_i686.sh: $(srcdir)/tools/test-dhcp.sh build/i686/tests/proxycfg.exe build/i686/tests/winhttp.dll \
                               build/i686/tests/fake_dhcpcsvc.dll
	$(call write_wrapper,env WINE64=$(WINE) $(abspath $(srcdir)/tools/test-dhcp.sh) $(WINE32) $(WINESERVER) \
	    $(abspath build/i686/tests/proxycfg.exe))

SCRIPT_TESTS += build/tests/wpad_dhcp.sh build/tests/wpad_dhcp_i686.sh
all: build/tests/wpad_dhcp.sh build/tests/wpad_dhcp_i686.sh

# Negotiate with Kerberos against a realm and KDC made for the run (tools/test-kerberos.sh).
build/tests/kerberos.sh: $(srcdir)/tools/test-kerberos.sh build/x86_64/tests/auth.exe build/x86_64/tests/winhttp.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-kerberos.sh) $(WINE) $(WINESERVER) $(abspath build/x86_64/tests/auth.exe))

SCRIPT_TESTS += build/tests/kerberos.sh
all: build/tests/kerberos.sh

# Name lookups that never get an answer, in a private network namespace
# whose DNS server swallows every query (tools/test-lookup.sh).
build/tests/lookup.sh: $(srcdir)/tools/test-lookup.sh build/x86_64/tests/lookup.exe build/x86_64/tests/winhttp.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-lookup.sh) $(WINE) $(WINESERVER) $(abspath build/x86_64/tests/lookup.exe))

SCRIPT_TESTS += build/tests/lookup.sh
all: build/tests/lookup.sh
