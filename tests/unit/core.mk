# Unit tests of the daemon core.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_address tests/unit/test_uuid tests/unit/test_exporter \
	tests/unit/test_flow
TESTS += tests/unit/test_address tests/unit/test_uuid tests/unit/test_exporter tests/unit/test_flow

tests_unit_test_address_SOURCES = tests/unit/test_address.c hsflowd/address.c \
	hsflowd/address-lookup.c
tests_unit_test_address_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_address_LDADD = libhspcore.a $(CMOCKA_LIBS)

tests_unit_test_uuid_SOURCES = tests/unit/test_uuid.c hsflowd/uuid.c
tests_unit_test_uuid_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(GCRYPT_CFLAGS)
tests_unit_test_uuid_LDADD = libhspcore.a $(CMOCKA_LIBS) $(SYSTEMD_LIBS) -ldl

tests_unit_test_exporter_SOURCES = tests/unit/test_exporter.c tests/unit/testutil.h hsflowd/exporter.c \
	hsflowd/sender.c hsflowd/resolve.c hsflowd/dns.c hsflowd/cares-dl.c
tests_unit_test_exporter_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(CARES_CFLAGS)
# c-ares loaded by cares_dl_load() when localhost is resolved, as in hsflowd
tests_unit_test_exporter_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) -ldl

tests_unit_test_flow_SOURCES = tests/unit/test_flow.c tests/unit/testutil.h hsflowd/flow.c \
	hsflowd/flow.h hsflowd/exporter.c hsflowd/sender.c hsflowd/resolve.c hsflowd/dns.c hsflowd/cares-dl.c
tests_unit_test_flow_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(CARES_CFLAGS)
tests_unit_test_flow_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) -ldl

check_PROGRAMS += tests/unit/test_evloop
TESTS += tests/unit/test_evloop
tests_unit_test_evloop_SOURCES = tests/unit/test_evloop.c
tests_unit_test_evloop_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_evloop_LDADD = libhspcore.a $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_netns
TESTS += tests/unit/test_netns
tests_unit_test_netns_SOURCES = tests/unit/test_netns.c
tests_unit_test_netns_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_netns_LDADD = libhspcore.a $(CMOCKA_LIBS)
endif
# Whole-file reads of /proc-like files (hsflowd/procbuf.c); pread is wrapped to change the file
# between two reads and to return short reads.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_procbuf
TESTS += tests/unit/test_procbuf
tests_unit_test_procbuf_SOURCES = tests/unit/test_procbuf.c hsflowd/procbuf.c
tests_unit_test_procbuf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_procbuf_LDFLAGS = -Wl,--wrap=pread -Wl,--wrap=pread64
tests_unit_test_procbuf_LDADD = $(CMOCKA_LIBS) -lpthread
endif

# dns-sd: TXT settings, and the configuration copy they are applied over.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_dnssd
TESTS += tests/unit/test_dnssd
tests_unit_test_dnssd_SOURCES = tests/unit/test_dnssd.c hsflowd/dnssd.c hsflowd/dns.c \
	hsflowd/cares-dl.c
tests_unit_test_dnssd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(CARES_CFLAGS)
tests_unit_test_dnssd_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) -ldl
endif

# dlopen_many (hsflowd/dlopen.c), on libm
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_dlopen
TESTS += tests/unit/test_dlopen
tests_unit_test_dlopen_SOURCES = tests/unit/test_dlopen.c
tests_unit_test_dlopen_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_dlopen_LDADD = libhspcore.a $(CMOCKA_LIBS)
endif

# /proc/net/dev lines (hsflowd/netdev.c)
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_netdev
TESTS += tests/unit/test_netdev
tests_unit_test_netdev_SOURCES = tests/unit/test_netdev.c
tests_unit_test_netdev_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_netdev_LDADD = libhspcore.a $(CMOCKA_LIBS)
endif
# The links table (hsflowd/links.c, its statics included): link messages built with libnl, the
# events and order of the table, a dump of this namespace.
if UNIT_TESTS
check_PROGRAMS += tests/unit/test_links
TESTS += tests/unit/test_links
tests_unit_test_links_SOURCES = tests/unit/test_links.c hsflowd/links-parse.c hsflowd/links-parse.h
EXTRA_tests_unit_test_links_DEPENDENCIES = hsflowd/links.c
tests_unit_test_links_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(NL_CFLAGS) \
	-I$(top_srcdir)/hsflowd
tests_unit_test_links_LDADD = libhspcore.a $(CMOCKA_LIBS) $(NL_LIBS)
endif
