# The host-socket helper (x86_64): winhttp_host.dll, a PE stamped as a Wine
# builtin, and winhttp_host.so, its Linux side.  Both go into one folder,
# build/x86_64/host/, which is what WINEDLLPATH names for the tests and
# what the user-level install copies (Wine loads NAME.so from the folder
# where it found NAME.dll).  make wine-install puts them into Wine's own
# x86_64-windows/ and x86_64-unix/ folders instead.

HOST_DIR     := build/x86_64/host
HOST_SRC     := $(srcdir)/dlls/winhttp_host
HOST_DLL     := $(HOST_DIR)/winhttp_host.dll
HOST_SO      := $(HOST_DIR)/winhttp_host.so
HOST_UNIX_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -fPIC -fvisibility=hidden
HOST_HELPER  := $(if $(WINEBUILD),$(HOST_DLL) $(HOST_SO))

$(HOST_DIR):
	$(MKDIR_P) $@

$(HOST_DLL): $(HOST_SRC)/host_pe.c | $(HOST_DIR)
	$(cc_x86_64) $(PE_CFLAGS) -shared -o $@.tmp $< $(PE_LDFLAGS)
	$(WINEBUILD) --builtin $@.tmp
	mv -f $@.tmp $@

# Only the call table is exported (default visibility on it alone).
$(HOST_SO): $(HOST_SRC)/host_unix.c $(HOST_SRC)/host_abi.h | $(HOST_DIR)
	$(CC) $(CFLAGS) $(HOST_UNIX_CFLAGS) -shared -Wl,-z,defs -o $@ $< -lpthread

host-helper: $(HOST_HELPER)

.PHONY: host-helper

# Test-only helpers for tools/test-host-backend.sh: one answering another
# ABI version, one without its Linux side.  Both must leave winhttp.dll on
# Winsock.
HOST_MISMATCH_DIR := build/x86_64/host-mismatch
HOST_NOUNIX_DIR   := build/x86_64/host-nounix

$(HOST_MISMATCH_DIR)/winhttp_host.so: $(HOST_SRC)/host_unix.c $(HOST_SRC)/host_abi.h
	$(MKDIR_P) $(@D)
	$(CC) $(CFLAGS) $(HOST_UNIX_CFLAGS) -DHOST_ABI_VERSION=9999 -shared -Wl,-z,defs -o $@ $< -lpthread

$(HOST_MISMATCH_DIR)/winhttp_host.dll $(HOST_NOUNIX_DIR)/winhttp_host.dll: $(HOST_DLL)
	$(MKDIR_P) $(@D)
	cp $< $@

build/tests/host_backend.sh: $(srcdir)/tools/test-host-backend.sh build/x86_64/tests/upgrade.exe build/x86_64/tests/winhttp.dll \
                             $(HOST_HELPER) $(HOST_MISMATCH_DIR)/winhttp_host.so $(HOST_MISMATCH_DIR)/winhttp_host.dll \
                             $(HOST_NOUNIX_DIR)/winhttp_host.dll
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-host-backend.sh) $(WINE) $(abspath build/x86_64/tests/upgrade.exe) \
	    $(abspath $(HOST_DIR)) $(abspath $(HOST_MISMATCH_DIR)) $(abspath $(HOST_NOUNIX_DIR)) $(WINE_LIBDIR))

# The i686 helper: the same two files for 32-bit Wine (i386 .so by gcc -m32,
# package gcc-multilib), built when the native compiler can make 32-bit
# code and winebuild is there.  This machine cannot exec i386 ELF; 32-bit
# Wine runs under qemu-i386 (tools/wine32.sh), which loads the .so as well.
HOST32_DIR   := build/i686/host
HOST32_DLL   := $(HOST32_DIR)/winhttp_host.dll
HOST32_SO    := $(HOST32_DIR)/winhttp_host.so
HOST32_CC_OK := $(if $(WINEBUILD),$(shell echo 'int x;' | $(CC) -m32 -shared -fPIC -x c -o /dev/null - 2>/dev/null && echo yes))
HOST32_HELPER := $(if $(HOST32_CC_OK),$(HOST32_DLL) $(HOST32_SO))

$(HOST32_DIR):
	$(MKDIR_P) $@

$(HOST32_DLL): $(HOST_SRC)/host_pe.c | $(HOST32_DIR)
	$(cc_i686) $(PE_CFLAGS) -shared -o $@.tmp $< $(PE_LDFLAGS)
	$(WINEBUILD) --builtin $@.tmp
	mv -f $@.tmp $@

$(HOST32_SO): $(HOST_SRC)/host_unix.c $(HOST_SRC)/host_abi.h | $(HOST32_DIR)
	$(CC) -m32 $(CFLAGS) $(HOST_UNIX_CFLAGS) -shared -Wl,-z,defs -o $@ $< -lpthread

host-helper: $(HOST32_HELPER)
all: $(HOST32_HELPER)

# What make wine-install/wine-uninstall do with the helper, against a
# stand-in for Wine's folder.
build/tests/host_install.sh: $(srcdir)/tools/test-host-install.sh $(srcdir)/tools/host-install.sh $(HOST_HELPER)
	$(call write_wrapper,$(abspath $(srcdir)/tools/test-host-install.sh) $(abspath build))

ifneq ($(HOST_HELPER),)
SCRIPT_TESTS += build/tests/host_backend.sh build/tests/host_install.sh
all: build/tests/host_backend.sh build/tests/host_install.sh
# make check runs the x86_64 conformance programs once more on host sockets.
HOST_CHECK_TESTS = $(patsubst %,build/x86_64/tests/%.exe,$(CONFORMANCE_RUN_NAMES))
# and a few i686 ones (each takes tens of seconds under qemu-i386)
HOST32_CHECK_NAMES = upgrade websocket websocket_async
HOST_CHECK_TESTS += $(if $(HOST32_HELPER),$(patsubst %,build/i686/tests/%.exe,$(HOST32_CHECK_NAMES)))
endif
