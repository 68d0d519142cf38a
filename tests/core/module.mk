# Make fragment for the portable WebSocket protocol core (included by the
# top-level Makefile).  Expects: srcdir, CC, CFLAGS, CLANG, SAN_FLAGS.
# Provides: CORE_SRCS (also compiled into the DLL), CORE_TESTS, FUZZ_REPLAY,
# and the phony targets core-tests, fuzz (FUZZ_SECONDS=N), bench-core.

CORE_DIR  := $(srcdir)/dlls/winhttp/core
CORE_SRCS := $(addprefix $(CORE_DIR)/,wsp_mask.c wsp_utf8.c wsp_close.c wsp_frame_enc.c \
               wsp_frame_dec.c wsp_sha1.c wsp_base64.c wsp_http.c wsp_handshake.c)
CORE_HDRS := $(CORE_DIR)/wsp.h $(srcdir)/tests/core/core_util.h

CORE_OUT  := build/native/core
FUZZ_OUT  := build/native/fuzz
VG_OUT    := build/native/vg
CORE_INC  := -I$(CORE_DIR) -I$(srcdir)/tests/winetest -I$(srcdir)/tests/core
CORE_WARN := -Wall -Wextra
CORE_RUNNER := $(srcdir)/tests/winetest/runner.c

CORE_TEST_NAMES := mask utf8 close sha1_base64 frame http handshake
CORE_TESTS += $(addprefix $(CORE_OUT)/test_,$(CORE_TEST_NAMES))

FUZZ_TARGETS := decoder utf8 http
FUZZ_REPLAY  += $(addprefix $(FUZZ_OUT)/replay_,$(FUZZ_TARGETS))
VALGRIND_TESTS := $(addprefix $(VG_OUT)/vg_test_,$(CORE_TEST_NAMES)) $(addprefix $(VG_OUT)/vg_replay_,$(FUZZ_TARGETS))
SCRIPT_TESTS += $(VALGRIND_TESTS)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=

# Unit tests (core + test + winetest runner) and corpus replays (the
# libFuzzer entry point driven once per corpus file by replay.c, built with
# the native compiler so it works without clang): once under ASan/UBSan,
# and once plain for Valgrind, which cannot run sanitized binaries.
# $(1): output directory, $(2): extra flags.
define core_build_rules
$(1)/test_%: $(srcdir)/tests/core/test_%.c $(CORE_SRCS) $(CORE_HDRS) $(CORE_RUNNER)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -O1 -g $$(CORE_WARN) $(2) $$(CORE_INC) -o $$@ $$< $$(CORE_SRCS) $$(CORE_RUNNER)

$(1)/replay_%: $(srcdir)/tests/fuzz/fuzz_%.c $(srcdir)/tests/fuzz/replay.c $(CORE_SRCS) $(CORE_HDRS) $(CORE_RUNNER)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -O1 -g $$(CORE_WARN) $(2) $$(CORE_INC) -DFUZZ_NAME=fuzz_$$* \
	    -DCORPUS_DIR='"$$(abspath $$(srcdir))/tests/fuzz/corpus/$$*"' \
	    -o $$@ $$< $(srcdir)/tests/fuzz/replay.c $$(CORE_SRCS) $$(CORE_RUNNER)
endef
$(eval $(call core_build_rules,$(CORE_OUT),$(SAN_FLAGS)))
$(eval $(call core_build_rules,$(FUZZ_OUT),$(SAN_FLAGS)))
$(eval $(call core_build_rules,$(VG_OUT),))

# The Valgrind runs: a script per program that runs it under memcheck
# (non-zero exit on any error or definite leak, which the test runner counts
# as a failure), or reports itself skipped where valgrind is missing.
.PRECIOUS: $(VG_OUT)/test_% $(VG_OUT)/replay_%
$(VG_OUT)/vg_%: $(VG_OUT)/% $(srcdir)/tools/valgrind-run.sh
	$(call write_wrapper,$(abspath $(srcdir))/tools/valgrind-run.sh $(abspath $<))

# libFuzzer builds; new inputs go to build/, the committed seeds stay as is.
$(FUZZ_OUT)/fuzz_%: $(srcdir)/tests/fuzz/fuzz_%.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -O1 -g $(CORE_WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $(CORE_INC) -o $@ $< $(CORE_SRCS)

core-tests: $(CORE_TESTS) $(FUZZ_REPLAY) $(VALGRIND_TESTS)

ifneq ($(CLANG),)
fuzz: $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_OUT)/corpus/$$t || exit 1; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS)s"; \
	    $(FUZZ_OUT)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_FLAGS) \
	        $(FUZZ_OUT)/corpus/$$t $(srcdir)/tests/fuzz/corpus/$$t || exit 1; \
	done
else
fuzz:
	@echo "fuzz: no clang with libFuzzer (CLANG is empty); corpus replay still runs in make check"
endif

# Regenerates the committed seed corpora.
fuzz-corpus:
	python3 $(srcdir)/tests/fuzz/make_corpus.py

# Throughput figures; plain -O2, no sanitizers.
$(CORE_OUT)/bench_core: $(srcdir)/tests/core/bench_core.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) -O2 -g $(CORE_WARN) $(CORE_INC) -o $@ $< $(CORE_SRCS)

bench-core: $(CORE_OUT)/bench_core
	$(CORE_OUT)/bench_core

.PHONY: core-tests fuzz fuzz-corpus bench-core
