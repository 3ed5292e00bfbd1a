# tcp module: the pure parts (header parsing, inet_diag requests, replies built with libnl, the
# cache) and, against the kernel, a real lookup on loopback and the search for namespaces.
if UNIT_TESTS
if ENABLE_TCP
TCP_UNIT_SOURCES = tests/unit/testutil.h tests/unit/tcp-replies.h modules/tcp.h modules/tcp-parse.c \
	modules/tcp-diag.c modules/tcp-netns.c modules/tcp-cache.c
check_PROGRAMS += tests/unit/test_tcp tests/unit/test_tcp_live
TESTS += tests/unit/test_tcp tests/unit/test_tcp_live
tests_unit_test_tcp_SOURCES = tests/unit/test_tcp.c $(TCP_UNIT_SOURCES)
tests_unit_test_tcp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(NL_CFLAGS)
tests_unit_test_tcp_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(NL_LIBS)
tests_unit_test_tcp_live_SOURCES = tests/unit/test_tcp_live.c $(TCP_UNIT_SOURCES)
tests_unit_test_tcp_live_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(NL_CFLAGS)
tests_unit_test_tcp_live_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(NL_LIBS)
endif
endif
