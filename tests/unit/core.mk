# Unit tests of the daemon core.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_address tests/unit/test_uuid tests/unit/test_exporter \
	tests/unit/test_flow
TESTS += tests/unit/test_address tests/unit/test_uuid tests/unit/test_exporter tests/unit/test_flow

tests_unit_test_address_SOURCES = tests/unit/test_address.c hsflowd/address.c
tests_unit_test_address_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_address_LDADD = $(CMOCKA_LIBS)

tests_unit_test_uuid_SOURCES = tests/unit/test_uuid.c hsflowd/uuid.c
tests_unit_test_uuid_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_uuid_LDADD = $(CMOCKA_LIBS)

tests_unit_test_exporter_SOURCES = tests/unit/test_exporter.c tests/unit/testutil.h hsflowd/exporter.c \
	hsflowd/sender.c hsflowd/resolve.c
tests_unit_test_exporter_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_exporter_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(SYSTEMD_LIBS) -lpthread

tests_unit_test_flow_SOURCES = tests/unit/test_flow.c tests/unit/testutil.h hsflowd/flow.c
tests_unit_test_flow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_flow_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(SYSTEMD_LIBS)
endif
