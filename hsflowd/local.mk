# The daemon core. libhspcore.a holds what unit tests link: the event loop, logging, parsing.
noinst_LIBRARIES += libhspcore.a
libhspcore_a_SOURCES = hsflowd/log.c hsflowd/log.h hsflowd/module.h hsflowd/module.c \
	hsflowd/config.c hsflowd/config.h hsflowd/config-keywords.c \
	hsflowd/config-lex.c hsflowd/config-internal.h \
	hsflowd/procbuf.c hsflowd/procbuf.h \
	hsflowd/netns.c hsflowd/netns.h \
	hsflowd/dlopen.c hsflowd/dlopen.h hsflowd/netdev.c hsflowd/netdev.h \
	hsflowd/digest.c hsflowd/digest.h \
	hsflowd/evloop.c hsflowd/evloop.h hsflowd/notify.c hsflowd/notify.h
libhspcore_a_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(GCRYPT_CFLAGS)

sbin_PROGRAMS += hsflowd/hsflowd
hsflowd_hsflowd_SOURCES = hsflowd/main.c hsflowd/loop.c hsflowd/loop.h \
	hsflowd/agent.c hsflowd/agent.h hsflowd/agent-internal.h \
	hsflowd/address.c hsflowd/address.h hsflowd/address-lookup.c hsflowd/address-lookup.h hsflowd/uuid.c hsflowd/uuid.h \
	hsflowd/exporter.c hsflowd/exporter.h hsflowd/sender.c hsflowd/sender.h hsflowd/resolve.c hsflowd/resolve.h \
	hsflowd/dns.c hsflowd/dns.h hsflowd/dnssd.c hsflowd/dnssd.h hsflowd/cares-dl.c hsflowd/cares-dl.h \
	hsflowd/autofile.c hsflowd/autofile.h \
	hsflowd/privileges.c hsflowd/privileges.h hsflowd/links.c hsflowd/links.h \
	hsflowd/links-parse.c hsflowd/links-parse.h \
	hsflowd/flow.c hsflowd/flow.h \
	hsflowd/modules.c.in
nodist_hsflowd_hsflowd_SOURCES = hsflowd/modules.c
hsflowd_hsflowd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(NL_CFLAGS) $(CARES_CFLAGS) -DPACKAGE_VERSION=\"$(PACKAGE_VERSION)\"
# c-ares and libresolv are loaded when a name is first resolved (hsflowd/cares-dl.c);
# libsystemd is not linked: the loop and the notifications are hsflowd's own (evloop.c,
# notify.c), sd-bus is loaded by the systemd module (SYSTEMD_CFLAGS: its header)
hsflowd_hsflowd_LDADD = libhspcore.a libsflow.a $(NL_LIBS) -ldl -lm
# Digests of the UUIDs (digest.c): libgcrypt's header only; the library is loaded with dlopen
# where a digest is computed (a short-lived child at start).
hsflowd_hsflowd_CFLAGS += $(GCRYPT_CFLAGS)
