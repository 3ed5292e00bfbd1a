# Unit tests of the sFlow v5 wire library (hsflowd/sflow/).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_sflow
TESTS += tests/unit/test_sflow
tests_unit_test_sflow_SOURCES = tests/unit/test_sflow.c tests/unit/xdr.h
tests_unit_test_sflow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sflow_LDADD = libsflow.a $(CMOCKA_LIBS)
endif
# Lengths and counts near UINT32_MAX (decoder and encoder).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_sflow_bounds
TESTS += tests/unit/test_sflow_bounds
tests_unit_test_sflow_bounds_SOURCES = tests/unit/test_sflow_bounds.c tests/unit/xdr.h
tests_unit_test_sflow_bounds_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sflow_bounds_LDADD = libsflow.a $(CMOCKA_LIBS)
endif

# Records of other agents, from layouts written out in the test, printed by sflowcat's printers.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_records
TESTS += tests/unit/test_records
tests_unit_test_records_SOURCES = tests/unit/test_records.c tests/unit/records.h tests/unit/xdr.h \
	tests/unit/records-layout.c collector/output.c \
	collector/datagram.c collector/print-flow.c collector/print-counters.c collector/packet.c \
	collector/print-records.c collector/print-app.c
tests_unit_test_records_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/collector
tests_unit_test_records_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_records_LDADD = libsflow.a $(CMOCKA_LIBS)
endif

# The heavy-hitter summary of sflowcat --top against exact counts.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_topk
TESTS += tests/unit/test_topk
tests_unit_test_topk_SOURCES = tests/unit/test_topk.c collector/topk.c
tests_unit_test_topk_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/collector
tests_unit_test_topk_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_topk_LDADD = $(CMOCKA_LIBS) -lm
endif

# The --top window from hand-written datagrams.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_top
TESTS += tests/unit/test_top
tests_unit_test_top_SOURCES = tests/unit/test_top.c collector/topk.c collector/top.c \
	collector/top-parse.c collector/top-print.c
tests_unit_test_top_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/collector
tests_unit_test_top_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_top_LDADD = libsflow.a $(CMOCKA_LIBS) -lm
endif
