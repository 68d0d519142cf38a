# Make fragment for the native test servers (included by the top-level
# Makefile). Expects: srcdir, CC, CFLAGS, GNUTLS_CFLAGS, GNUTLS_LIBS, HAVE_GNUTLS.
# Provides: WSSERVER, SERVER_TESTS and the phony targets server, check-server.

SRV_DIR := $(srcdir)/tests/server
SRV_OUT := build/native/server

WSSERVER := $(SRV_OUT)/wsserver
SERVER_TESTS += $(SRV_OUT)/test_server

SRV_COMMON_SRCS := $(SRV_DIR)/srv_sha1.c $(SRV_DIR)/srv_base64.c $(SRV_DIR)/srv_buf.c \
                   $(SRV_DIR)/srv_ws.c $(SRV_DIR)/srv_http.c
SRV_SRCS := $(SRV_DIR)/wsserver.c $(SRV_DIR)/srv_conn.c \
            $(SRV_DIR)/srv_httpmode.c $(SRV_DIR)/srv_wsmode.c $(SRV_DIR)/srv_record.c $(SRV_COMMON_SRCS)
SRV_HDRS := $(SRV_DIR)/srv.h

ifeq ($(HAVE_GNUTLS),yes)
SRV_TLS_CFLAGS := -DHAVE_GNUTLS $(GNUTLS_CFLAGS)
SRV_TLS_LIBS := $(GNUTLS_LIBS)
else
SRV_TLS_CFLAGS :=
SRV_TLS_LIBS :=
endif

$(WSSERVER): $(SRV_SRCS) $(SRV_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O2 -pthread $(SRV_TLS_CFLAGS) -o $@ $(SRV_SRCS) $(SRV_TLS_LIBS)

$(SRV_OUT)/test_server: $(SRV_DIR)/test_server.c $(SRV_COMMON_SRCS) $(SRV_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O2 -o $@ $(SRV_DIR)/test_server.c $(SRV_COMMON_SRCS)

.PHONY: server check-server
server: $(WSSERVER) $(SRV_OUT)/test_server

check-server: $(WSSERVER) $(SRV_OUT)/test_server
	WSSERVER=$(WSSERVER) $(srcdir)/tools/with-servers.sh $(SRV_OUT)/test_server
