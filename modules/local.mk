# Modules: the host module is always built; optional ones are conditional on --enable-X.
hsflowd_hsflowd_SOURCES += modules/host.c modules/host.h modules/host-proc.c \
	modules/host-links.c
