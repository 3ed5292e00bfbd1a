# The bundled collector: sflowcat decodes sFlow v5 with sflowtool's field names (text, grep, CSV,
# JSON, pcap) on the shared wire library.
bin_PROGRAMS += collector/sflowcat
collector_sflowcat_SOURCES = collector/sflowcat.c \
	collector/output.c collector/output.h \
	collector/print.h collector/datagram.c collector/print-flow.c collector/print-counters.c \
	collector/packet.c \
	collector/pcap-io.c collector/pcap-io.h
collector_sflowcat_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
collector_sflowcat_LDADD = libsflow.a $(PCAP_LIBS)

# Golden test: sflowcat's JSON against the reference decoder's reading of the same capture
# (the capture and its reading are under tests/data, distributed by tests/local.mk).
TESTS += tests/e2e/golden.sh
dist_noinst_SCRIPTS += tests/e2e/golden.sh tests/e2e/jsoncmp.py
