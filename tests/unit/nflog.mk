# nflog module: NFLOG messages built with libnl, the header record, sequence gaps, sub-sampling.
if UNIT_TESTS
if ENABLE_NFLOG
check_PROGRAMS += tests/unit/test_nflog
TESTS += tests/unit/test_nflog
tests_unit_test_nflog_SOURCES = tests/unit/test_nflog.c modules/nflog.h modules/nflog-parse.c \
	modules/ksample.c modules/ksample.h
tests_unit_test_nflog_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(NFLOG_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_nflog_LDADD = $(CMOCKA_LIBS) $(NFLOG_LIBS) -lm
endif
endif
