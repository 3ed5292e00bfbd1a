# tcp module: header parsing, inet_diag replies built with libnl, a real lookup on loopback.
if UNIT_TESTS
if ENABLE_TCP
check_PROGRAMS += tests/unit/test_tcp
TESTS += tests/unit/test_tcp
tests_unit_test_tcp_SOURCES = tests/unit/test_tcp.c tests/unit/testutil.h modules/tcp.h modules/tcp-parse.c \
	modules/tcp-diag.c modules/tcp-netns.c modules/tcp-cache.c
tests_unit_test_tcp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(NL_CFLAGS)
tests_unit_test_tcp_LDADD = $(CMOCKA_LIBS) $(NL_LIBS)
endif
endif
