# make bench-scale: async websockets with a receive pending, ours (Winsock
# and host sockets) vs Wine's builtin, at 1,000 and 10,000 connections
# (tools/bench-scale.sh; SCALE_DLLS picks the columns).

build/x86_64/scale/scale.exe: $(srcdir)/tests/scale/scale.c build/x86_64/libwinhttp.a | build/x86_64/scale/winhttp.dll
	$(MINGW64_CC) $(PE_CFLAGS) -o $@ $< $(PE_LDFLAGS) -Lbuild/x86_64 -lwinhttp -lpsapi

build/x86_64/scale/winhttp.dll: build/x86_64/winhttp.dll
	$(MKDIR_P) build/x86_64/scale
	cp $< $@

bench-scale: build/x86_64/scale/scale.exe build/x86_64/scale/winhttp.dll $(WSSERVER) $(HOST_HELPER)
	WSSERVER=$(WSSERVER) WINE=$(WINE) $(srcdir)/tools/bench-scale.sh $(BENCH_SCALE_COUNTS)

BENCH_SCALE_COUNTS ?= 1000 10000
.PHONY: bench-scale
