dnl Optional modules: one HSP_MODULE line each (name, default, pkg-config deps, Debian package).
dnl The host module is always built.
HSP_MODULE([pcap], [yes], [libpcap], [libpcap-dev])
HSP_MODULE([tcp], [yes], [libnl-3.0], [libnl-3-dev])
HSP_MODULE([docker], [yes], [json-c], [libjson-c-dev])
dnl libcurl's headers at build time; the library itself is loaded when the module starts
dnl (modules/docker-curl.c), so that hsflowd without docker {} does not map it.
AS_IF([test "x$enable_docker" = xyes],
  [PKG_CHECK_MODULES([CURL], [libcurl], [],
    [AC_MSG_ERROR([module docker is enabled but libcurl was not found: apt-get install libcurl4-openssl-dev, or --disable-docker])])])
