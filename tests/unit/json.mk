# json module: documents, wire layouts of the application and rtmetric/rtflow structures,
# application table, sub-sampling.
if UNIT_TESTS
if ENABLE_JSON
check_PROGRAMS += tests/unit/test_json
TESTS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c modules/json-parse.c modules/json-apps.c \
	modules/json-mod.h
tests_unit_test_json_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSON_CFLAGS) -I$(top_srcdir)/modules
tests_unit_test_json_LDADD = libsflow.a $(CMOCKA_LIBS) $(JSON_LIBS) -lm
endif
endif
