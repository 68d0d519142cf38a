# winhttp.dll and its import library, for each architecture.
# The protocol core's sources ($(CORE_SRCS) in dlls/winhttp/core/, from
# tests/core/module.mk) are compiled into the DLL unchanged.

DLL_SRCS = $(wildcard $(srcdir)/dlls/winhttp/*.c)
DLL_HDRS = $(wildcard $(srcdir)/dlls/winhttp/*.h) $(CORE_HDRS) $(srcdir)/include/winhttp.h
# zlib (gzip/deflate bodies) goes in statically: -l:libz.a, not the import library of zlib1.dll.
DLL_LIBS = -l:libz.a -lws2_32 -lsecur32 -lcrypt32 -ladvapi32 -lole32 -loleaut32 -luuid -luser32
DLL_DEF  = $(srcdir)/dlls/winhttp/winhttp.def

# Resources: every dlls/winhttp/*.rc (one per concern) is compiled and linked.
DLL_RCS  = $(wildcard $(srcdir)/dlls/winhttp/*.rc)
WIDL     = widl
windres_x86_64 = $(MINGW64_PREFIX)windres
windres_i686   = $(MINGW32_PREFIX)windres
windmc_x86_64  = $(MINGW64_PREFIX)windmc
windmc_i686    = $(MINGW32_PREFIX)windmc
widl_x86_64    = --win64
widl_i686      = --win32 -L/usr/lib/i386-linux-gnu/wine/i386-windows -L/usr/lib/x86_64-linux-gnu/wine/x86_64-windows

# The WinHttpRequest interfaces: widl writes one C header for the DLL and the
# tests, and a type library per architecture that winhttp_tlb.rc embeds.
TLB_IDL    = $(srcdir)/dlls/winhttp/winhttp_tlb.idl
TLB_HEADER = build/include/winhttp_tlb.h

$(TLB_HEADER): $(TLB_IDL)
	$(MKDIR_P) build/include
	$(WIDL) -h -o $@ $<

define dll_rules
build/$(1)/obj/%.o: $(srcdir)/dlls/winhttp/%.c $(DLL_HDRS) $(TLB_HEADER) | build/$(1)/obj
	$$(cc_$(1)) $$(PE_CFLAGS) -DWINHTTP_BUILDING_DLL -I$(srcdir)/dlls/winhttp -I$(CORE_DIR) -Ibuild/include -c -o $$@ $$<

build/$(1)/obj/%.o: $(CORE_DIR)/%.c $(DLL_HDRS) | build/$(1)/obj
	$$(cc_$(1)) $$(PE_CFLAGS) -DWINHTTP_BUILDING_DLL -I$(CORE_DIR) -c -o $$@ $$<

build/$(1)/obj/winhttp_tlb.tlb: $(TLB_IDL) | build/$(1)/obj
	$(WIDL) $$(widl_$(1)) -t -o $$@ $$<

build/$(1)/obj/%.res.o: $(srcdir)/dlls/winhttp/%.rc build/$(1)/obj/winhttp_tlb.tlb | build/$(1)/obj
	$$(windres_$(1)) -Ibuild/$(1)/obj -I$(srcdir)/dlls/winhttp -o $$@ $$<

# The message table: windmc writes winhttp_msg_MSG00409.bin, which
# winhttp_msg.rc embeds.
build/$(1)/obj/winhttp_msg_MSG00409.bin: $(srcdir)/dlls/winhttp/winhttp_msg.mc | build/$(1)/obj
	$$(windmc_$(1)) -b -r build/$(1)/obj -h build/$(1)/obj $$<

build/$(1)/obj/winhttp_msg.res.o: build/$(1)/obj/winhttp_msg_MSG00409.bin

build/$(1)/obj:
	$$(MKDIR_P) $$@

# i686 keeps the @N decorations in the .def so the linker finds the stdcall
# symbols, then --kill-at exports the plain names Windows' DLL has.
build/$(1)/winhttp.def: $(DLL_DEF) $(srcdir)/dlls/winhttp/module.mk | build/$(1)/obj
	$(if $(filter x86_64,$(1)),sed -e 's/@[0-9]*//' -e 's/ *; x86_64 only//',sed -e '/x86_64 only/d') $$< > $$@

build/$(1)/winhttp.dll: $$(patsubst %.c,build/$(1)/obj/%.o,$$(notdir $$(DLL_SRCS) $$(CORE_SRCS))) $$(patsubst %.rc,build/$(1)/obj/%.res.o,$$(notdir $$(DLL_RCS))) build/$(1)/winhttp.def
	$$(cc_$(1)) -shared -o $$@ $$(filter %.o,$$^) build/$(1)/winhttp.def -Wl,--kill-at $$(PE_LDFLAGS) $(DLL_LIBS)

build/$(1)/libwinhttp.a: build/$(1)/winhttp.def
	$$(dlltool_$(1)) -k -d $$< -D winhttp.dll -l $$@
endef

$(foreach a,$(ARCHES),$(eval $(call dll_rules,$(a))))

dlls: $(foreach a,$(ARCHES),build/$(a)/winhttp.dll build/$(a)/libwinhttp.a)
.PHONY: dlls
