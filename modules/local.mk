# Modules: the host module is always built; optional ones are conditional on --enable-X.
hsflowd_hsflowd_SOURCES += modules/host.c modules/host.h modules/host-proc.c \
	modules/host-links.c
if ENABLE_PCAP
hsflowd_hsflowd_SOURCES += modules/pcap.c modules/pcap.h modules/pcap-conf.c modules/pcap-filter.c modules/pcap-read.c
hsflowd_hsflowd_CFLAGS += $(PCAP_CFLAGS)
hsflowd_hsflowd_LDADD += $(PCAP_LIBS)
endif
if ENABLE_TCP
hsflowd_hsflowd_SOURCES += modules/tcp.c modules/tcp.h modules/tcp-diag.c modules/tcp-netns.c modules/tcp-parse.c modules/tcp-cache.c
hsflowd_hsflowd_CFLAGS += $(TCP_CFLAGS)
hsflowd_hsflowd_LDADD += $(TCP_LIBS)
endif
if ENABLE_DOCKER
hsflowd_hsflowd_SOURCES += modules/docker.c modules/docker.h modules/docker-api.c \
	modules/docker-json.c modules/docker-proc.c modules/docker-curl.c modules/cgroup.c \
	modules/cgroup.h
hsflowd_hsflowd_CFLAGS += $(DOCKER_CFLAGS) $(CURL_CFLAGS)
hsflowd_hsflowd_LDADD += $(DOCKER_LIBS) -ldl
endif
