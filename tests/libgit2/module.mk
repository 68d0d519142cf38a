# libgit2's own online tests (clone, push, redirects, proxies) over its
# WinHTTP transport, a third-party Windows-verified consumer: Debian's
# libgit2 source fetched and cross-built at test time by
# tools/libgit2-tests.sh, run against local servers in a private namespace
# (tools/start-git-http.sh, tools/start-squid.sh).  Not in make check: the
# fetch and the build of libgit2 and its test runner take far longer than
# make check can spare (see README.md).
#
#   make check-libgit2          our DLL; fails on any failure
#   make check-libgit2-builtin  Wine's builtin, report only
check-libgit2: dlls
	$(srcdir)/tools/libgit2-tests.sh

check-libgit2-builtin: dlls
	-$(srcdir)/tools/libgit2-tests.sh --override b

.PHONY: check-libgit2 check-libgit2-builtin
