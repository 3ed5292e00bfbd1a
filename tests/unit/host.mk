# Host module: /proc parsers over fixture texts (the parsers need neither libnl nor the loop).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_host
TESTS += tests/unit/test_host
tests_unit_test_host_SOURCES = tests/unit/test_host.c modules/host-proc.c modules/host.h
tests_unit_test_host_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -DTEST_DATA_DIR=\"$(top_srcdir)/tests/data\"
tests_unit_test_host_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS)
endif
