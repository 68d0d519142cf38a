# Native tests of the host-socket helper's Linux side (dlls/winhttp_host/
# host_unix.c): a unit test and the fuzz target's corpus replay, each built
# with ASan/UBSan and again plain for Valgrind; make fuzz-host runs
# libFuzzer (clang).

HOST_TEST_OUT := build/native/host
HOST_VG_OUT   := build/native/host-vg
HOST_TEST_INC := -I$(srcdir)/dlls/winhttp_host -I$(srcdir)/tests/host -I$(srcdir)/tests/winetest
HOST_TEST_DEPS := $(srcdir)/dlls/winhttp_host/host_unix.c $(srcdir)/dlls/winhttp_host/host_abi.h \
                  $(srcdir)/tests/host/host_harness.h $(CORE_RUNNER)

define host_test_rules
$(1)/test_host_unix: $(srcdir)/tests/host/test_host_unix.c $(HOST_TEST_DEPS)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -O1 -g $$(CORE_WARN) -Wno-unused-parameter $(2) $$(HOST_TEST_INC) -o $$@ $$< \
	    $(srcdir)/dlls/winhttp_host/host_unix.c $$(CORE_RUNNER) -lpthread

$(1)/replay_host: $(srcdir)/tests/host/fuzz_host.c $(srcdir)/tests/fuzz/replay.c $(HOST_TEST_DEPS)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -O1 -g $$(CORE_WARN) -Wno-unused-parameter $(2) $$(HOST_TEST_INC) -DFUZZ_NAME=fuzz_host \
	    -DCORPUS_DIR='"$$(abspath $$(srcdir))/tests/host/corpus"' -o $$@ $$< $(srcdir)/tests/fuzz/replay.c \
	    $(srcdir)/dlls/winhttp_host/host_unix.c $$(CORE_RUNNER) -lpthread
endef
$(eval $(call host_test_rules,$(HOST_TEST_OUT),$(SAN_FLAGS)))
# (Valgrind reports the deliberately unmapped buffers as errors: those
# cases run under ASan only.)
$(eval $(call host_test_rules,$(HOST_VG_OUT),-DUNDER_VALGRIND))

.PRECIOUS: $(HOST_VG_OUT)/test_host_unix $(HOST_VG_OUT)/replay_host
$(HOST_VG_OUT)/vg_%: $(HOST_VG_OUT)/% $(srcdir)/tools/valgrind-run.sh
	$(call write_wrapper,$(abspath $(srcdir))/tools/valgrind-run.sh $(abspath $<))

CORE_TESTS   += $(HOST_TEST_OUT)/test_host_unix
FUZZ_REPLAY  += $(HOST_TEST_OUT)/replay_host
HOST_VG_TESTS := $(HOST_VG_OUT)/vg_test_host_unix $(HOST_VG_OUT)/vg_replay_host
SCRIPT_TESTS += $(HOST_VG_TESTS)
all: $(HOST_VG_TESTS)

ifneq ($(CLANG),)
$(FUZZ_OUT)/fuzz_host: $(srcdir)/tests/host/fuzz_host.c $(HOST_TEST_DEPS)
	@mkdir -p $(@D)
	$(CLANG) -O1 -g $(CORE_WARN) -Wno-unused-parameter -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $(HOST_TEST_INC) -o $@ $< $(srcdir)/dlls/winhttp_host/host_unix.c -lpthread

fuzz-host: $(FUZZ_OUT)/fuzz_host
	mkdir -p $(FUZZ_OUT)/corpus/host
	$(FUZZ_OUT)/fuzz_host -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_FLAGS) \
	    $(FUZZ_OUT)/corpus/host $(srcdir)/tests/host/corpus
else
fuzz-host:
	@echo "fuzz-host: no clang with libFuzzer (CLANG is empty); the corpus replay still runs in make check"
endif
.PHONY: fuzz-host
