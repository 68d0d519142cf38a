# make bench: WebSocket throughput of our winhttp.dll vs Wine's builtin vs
# raw Winsock / raw Schannel, side by side in one run (tools/bench.sh).
# bench_winhttp.exe uses only the WinHTTP API and sits beside a copy of our
# DLL; bench.sh runs it with winhttp=n and with winhttp=b, and bench_raw.exe
# (ws2_32, and secur32 for wss) as the limit, all against native wsservers
# /echo on loopback, one plain and one TLS.  Prints the
# table and rewrites the generated part of docs/BENCHMARKS.md and
# docs/benchmarks.png.  BENCH_ARGS passes options (e.g. --runs 3 --seconds 1
# --no-docs; see tools/bench.sh).

BENCH_DIR     = build/x86_64/bench
BENCH_COMMON  = $(srcdir)/bench/bench_common.c $(srcdir)/bench/bench_pipe.c $(srcdir)/bench/bench.h
BENCH_ARGS   ?=

$(BENCH_DIR):
	$(MKDIR_P) $@

$(BENCH_DIR)/bench_winhttp.exe: $(srcdir)/bench/bench_winhttp.c $(BENCH_COMMON) $(srcdir)/include/winhttp.h build/x86_64/libwinhttp.a | $(BENCH_DIR)
	$(cc_x86_64) $(PE_CFLAGS) -o $@ $(srcdir)/bench/bench_winhttp.c $(srcdir)/bench/bench_common.c $(srcdir)/bench/bench_pipe.c $(PE_LDFLAGS) -Lbuild/x86_64 -lwinhttp -lws2_32

$(BENCH_DIR)/bench_raw.exe: $(srcdir)/bench/bench_raw.c $(srcdir)/dlls/winhttp/host_link.c $(srcdir)/dlls/winhttp/host_link.h $(BENCH_COMMON) | $(BENCH_DIR)
	$(cc_x86_64) $(PE_CFLAGS) -o $@ $(srcdir)/bench/bench_raw.c $(srcdir)/bench/bench_common.c $(srcdir)/bench/bench_pipe.c $(srcdir)/dlls/winhttp/host_link.c $(PE_LDFLAGS) -lws2_32 -lsecur32

$(BENCH_DIR)/winhttp.dll: build/x86_64/winhttp.dll | $(BENCH_DIR)
	cp $< $@

# The native Linux client (the native column): plain gcc, no Wine.
build/native/bench/bench_native: $(srcdir)/bench/bench_native.c
	$(MKDIR_P) $(@D)
	$(CC) -O2 -g -Wall -Wextra -o $@ $< -lpthread

# What a context switch costs a process with a GS base, as Wine's (docs/HOST.md).
build/native/bench/switch_cost: $(srcdir)/bench/switch_cost.c
	$(MKDIR_P) $(@D)
	$(CC) -O2 -g -Wall -Wextra -o $@ $<

bench-build: build/native/bench/bench_native build/native/bench/switch_cost $(BENCH_DIR)/bench_winhttp.exe $(BENCH_DIR)/bench_raw.exe $(BENCH_DIR)/winhttp.dll $(WSSERVER) $(HOST_HELPER)

bench: bench-build
	@WSSERVER=$(WSSERVER) BENCH_NATIVE=build/native/bench/bench_native WINE=$(WINE) WINESERVER=$(WINESERVER) $(srcdir)/tools/bench.sh --dir $(BENCH_DIR) $(BENCH_ARGS)

.PHONY: bench bench-build
