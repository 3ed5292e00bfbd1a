dnl Optional modules: one HSP_MODULE line each (name, default, pkg-config deps, Debian package).
dnl The host module is always built.
HSP_MODULE([pcap], [yes], [libpcap], [libpcap-dev])
HSP_MODULE([tcp], [yes], [libnl-3.0], [libnl-3-dev])
