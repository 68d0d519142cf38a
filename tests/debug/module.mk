# The winhttp debug channel under WINEDEBUG (tools/test-debug-channel.sh).

build/x86_64/debug/debugchan.exe: $(srcdir)/tests/debug/debugchan.c build/x86_64/libwinhttp.a | build/x86_64/debug/winhttp.dll
	$(MINGW64_CC) $(PE_CFLAGS) -o $@ $< $(PE_LDFLAGS) -Lbuild/x86_64 -lwinhttp

build/x86_64/debug/winhttp.dll: build/x86_64/winhttp.dll
	$(MKDIR_P) build/x86_64/debug
	cp $< $@

build/tests/debug_channel.sh: $(srcdir)/tools/test-debug-channel.sh build/x86_64/debug/debugchan.exe build/x86_64/debug/winhttp.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-debug-channel.sh) $(WINE) $(abspath build/x86_64/debug/debugchan.exe))

SCRIPT_TESTS += build/tests/debug_channel.sh
all: build/tests/debug_channel.sh
