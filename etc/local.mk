# Installed files: the default configuration and the systemd unit (Type=notify).
dist_sysconf_DATA = etc/hsflowd.conf
systemdsystemunit_DATA = etc/hsflowd.service
EXTRA_DIST += etc/hsflowd.service.in
CLEANFILES += etc/hsflowd.service

etc/hsflowd.service: $(srcdir)/etc/hsflowd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc && sed -e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@docdir[@]|$(docdir)|g' \
		$(srcdir)/etc/hsflowd.service.in > $@
