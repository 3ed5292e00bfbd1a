# json module: documents, wire layouts of the application and rtmetric/rtflow structures,
# application table, sub-sampling.
if UNIT_TESTS
if ENABLE_JSON
check_PROGRAMS += tests/unit/test_json
TESTS += tests/unit/test_json
tests_unit_test_json_SOURCES = tests/unit/test_json.c modules/json-parse.c modules/json-apps.c \
	modules/json-mod.h modules/json-dl.c modules/json-dl.h
tests_unit_test_json_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSON_CFLAGS) -I$(top_srcdir)/modules
# libjson-c loaded by json_dl_load(), as in hsflowd
tests_unit_test_json_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) -ldl -lm
endif
endif
