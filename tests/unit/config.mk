# Unit tests of the hsflowd.conf parser (hsflowd/config.c, hsflowd/config-keywords.c).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_config_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS)
endif
# Values that look like IP addresses (collector ip, agentIP, agent.cidr).
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_config_address
TESTS += tests/unit/test_config_address
tests_unit_test_config_address_SOURCES = tests/unit/test_config_address.c
tests_unit_test_config_address_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_config_address_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS)
endif
