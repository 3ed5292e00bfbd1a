# psample module: messages built with libnl, saturation, header protocol, 16-bit ifindexes.
if UNIT_TESTS
if ENABLE_PSAMPLE
check_PROGRAMS += tests/unit/test_psample
TESTS += tests/unit/test_psample
tests_unit_test_psample_SOURCES = tests/unit/test_psample.c modules/psample.h \
	modules/psample-parse.c modules/psample-route.c modules/psample-route.h \
	modules/ksample.c modules/ksample.h
tests_unit_test_psample_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(PSAMPLE_CFLAGS) \
	-I$(top_srcdir)/modules -I$(top_srcdir)/hsflowd
tests_unit_test_psample_LDADD = libhspcore.a $(CMOCKA_LIBS) $(PSAMPLE_LIBS)
endif
endif
