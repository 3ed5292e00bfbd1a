# pcap module: rate rules, the sampling socket filter, and the pcap { } keywords (pure parts).
if UNIT_TESTS
if ENABLE_PCAP
check_PROGRAMS += tests/unit/test_pcap
TESTS += tests/unit/test_pcap
tests_unit_test_pcap_SOURCES = tests/unit/test_pcap.c modules/pcap-conf.c modules/pcap-filter.c \
	modules/pcap.h
tests_unit_test_pcap_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(PCAP_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_pcap_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS)
endif
endif
# pcap module: the handles on a real AF_PACKET ring in a private network namespace (root).
if UNIT_TESTS
if ENABLE_PCAP
check_PROGRAMS += tests/unit/test_pcap_read
TESTS += tests/unit/test_pcap_read
tests_unit_test_pcap_read_SOURCES = tests/unit/test_pcap_read.c tests/unit/testutil.h \
	modules/pcap-read.c modules/pcap-filter.c modules/pcap.h modules/pcap-dl.c modules/pcap-dl.h
tests_unit_test_pcap_read_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SYSTEMD_CFLAGS) $(PCAP_CFLAGS) $(NL_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_pcap_read_LDFLAGS = -Wl,--wrap=clock_gettime
# libpcap is loaded by pcap_dl_load(), as in hsflowd
tests_unit_test_pcap_read_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(NL_LIBS) -ldl
endif
endif
