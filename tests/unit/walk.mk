# The shared header walker (hsflowd/sflow/header-walk.c), from packets described layer by layer.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_header_walk
TESTS += tests/unit/test_header_walk
tests_unit_test_header_walk_SOURCES = tests/unit/test_header_walk.c
tests_unit_test_header_walk_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_header_walk_LDADD = libsflow.a $(CMOCKA_LIBS)
endif
