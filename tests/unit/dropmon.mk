# dropmon module: NET_DM alerts built with libnl, reason codes, the exact limit, the breaker.
if UNIT_TESTS
if ENABLE_DROPMON
check_PROGRAMS += tests/unit/test_dropmon
TESTS += tests/unit/test_dropmon
tests_unit_test_dropmon_SOURCES = tests/unit/test_dropmon.c modules/dropmon.h modules/dropmon-parse.c \
	modules/ksample.c modules/ksample.h
tests_unit_test_dropmon_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(DROPMON_CFLAGS) \
	-I$(top_srcdir)/modules -I$(top_srcdir)/hsflowd
tests_unit_test_dropmon_LDADD = libsflow.a $(CMOCKA_LIBS) $(DROPMON_LIBS)
endif
endif
