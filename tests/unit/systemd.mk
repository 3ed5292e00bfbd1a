# systemd module: unit properties from canned D-Bus messages, unit selection, fallbacks.
if UNIT_TESTS
if ENABLE_SYSTEMD
check_PROGRAMS += tests/unit/test_systemd
TESTS += tests/unit/test_systemd
tests_unit_test_systemd_SOURCES = tests/unit/test_systemd.c modules/systemd-props.c modules/systemd-dl.c \
	modules/cgroup.c modules/systemd.h modules/cgroup.h hsflowd/uuid.c
tests_unit_test_systemd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(GCRYPT_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_systemd_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(SYSTEMD_LIBS) -ldl

# the bus client against a private dbus-daemon and a stand-in manager (which links sd-bus)
check_PROGRAMS += tests/unit/test_systemd_bus
TESTS += tests/unit/test_systemd_bus
tests_unit_test_systemd_bus_SOURCES = tests/unit/test_systemd_bus.c modules/systemd-bus.c \
	modules/systemd-props.c modules/systemd-dl.c modules/cgroup.c modules/systemd.h \
	modules/cgroup.h tests/unit/testutil.h
tests_unit_test_systemd_bus_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_systemd_bus_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(SYSTEMD_LIBS) -ldl
endif
endif
