# Unit tests of the sFlow v5 wire library (hsflowd/sflow/).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_sflow
TESTS += tests/unit/test_sflow
tests_unit_test_sflow_SOURCES = tests/unit/test_sflow.c
tests_unit_test_sflow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sflow_LDADD = libsflow.a $(CMOCKA_LIBS)
endif
