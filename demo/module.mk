# The demo (README command 1): demo/wscat.c, a WebSocket console client on
# the public WinHTTP API, built for x86_64 next to a copy of our winhttp.dll,
# then run by tools/demo.sh against the native test server's /echo under Wine.

DEMO_DIR = build/x86_64/demo

$(DEMO_DIR):
	$(MKDIR_P) $@

$(DEMO_DIR)/wscat.exe: $(srcdir)/demo/wscat.c $(srcdir)/include/winhttp.h build/x86_64/libwinhttp.a | $(DEMO_DIR) $(DEMO_DIR)/winhttp.dll
	$(cc_x86_64) $(PE_CFLAGS) -o $@ $< $(PE_LDFLAGS) -Lbuild/x86_64 -lwinhttp

$(DEMO_DIR)/winhttp.dll: build/x86_64/winhttp.dll | $(DEMO_DIR)
	cp $< $@

demo-build: $(DEMO_DIR)/wscat.exe $(DEMO_DIR)/winhttp.dll $(WSSERVER)

demo: demo-build
	@WSSERVER=$(WSSERVER) WINE=$(WINE) $(srcdir)/tools/demo.sh $(DEMO_DIR)/wscat.exe

.PHONY: demo demo-build
