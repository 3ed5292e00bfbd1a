# The bundled collector: sflowcat decodes sFlow v5 with sflowtool's field names (text, grep, CSV,
# JSON, pcapng) on the shared wire library.
bin_PROGRAMS += collector/sflowcat
collector_sflowcat_SOURCES = collector/sflowcat.c \
	collector/output.c collector/output.h \
	collector/print.h collector/datagram.c collector/print-flow.c collector/print-counters.c \
	collector/packet.c collector/print-records.c collector/print-records-tables.inc collector/print-app.c \
	collector/pcap-io.c collector/pcap-io.h collector/pcap-out.c collector/pcap-out.h \
	collector/forward.c collector/forward.h collector/topk.c collector/topk.h collector/top.c \
	collector/top.h collector/top-parse.c collector/top-print.c collector/top-run.c collector/top-run.h
collector_sflowcat_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS) $(MHD_CFLAGS)
collector_sflowcat_LDADD = libsflow.a $(PCAP_LIBS) $(MHD_LIBS) -lm
if ENABLE_PROMETHEUS
collector_sflowcat_SOURCES += collector/prom-run.c collector/prom-run.h collector/prom-store.c \
	collector/prom-store.h collector/prom-metrics.inc
endif

# Golden test: sflowcat's JSON against the reference decoder's reading of the same capture
# (the capture and its reading are under tests/data, distributed by tests/local.mk).
TESTS += tests/e2e/golden.sh
dist_noinst_SCRIPTS += tests/e2e/golden.sh tests/e2e/jsoncmp.py

# bench/top.c: the cost of --top per sample, built with the tests as collector/bench-top and run
# by hand (the wrapper keeps objects out of bench/, which is distributed as a whole).
check_PROGRAMS += collector/bench-top
collector_bench_top_SOURCES = collector/bench-top.c collector/topk.c collector/top.c \
	collector/top-parse.c collector/top-print.c
collector_bench_top_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/collector
collector_bench_top_CFLAGS = $(AM_CFLAGS) -O2
collector_bench_top_LDADD = libsflow.a -lm
