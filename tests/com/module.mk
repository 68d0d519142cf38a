# WinHttp.WinHttpRequest.5.1 from real script clients: Wine's cscript.exe
# runs tests/com/winhttp.vbs and winhttp.js through our DLL
# (tools/test-cscript.sh).  The COM conformance test itself is
# tests/conformance/com.c.

build/tests/cscript.sh: $(srcdir)/tools/test-cscript.sh $(srcdir)/tests/com/winhttp.vbs $(srcdir)/tests/com/winhttp.js \
                        build/x86_64/winhttp.dll build/i686/winhttp.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-cscript.sh) $(WINE) $(abspath build) $(abspath $(srcdir)))

SCRIPT_TESTS += build/tests/cscript.sh
all: build/tests/cscript.sh
