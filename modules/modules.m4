dnl Optional modules: one HSP_MODULE line each (name, default, pkg-config deps, Debian package).
dnl The host module is always built.
dnl libpcap's headers at build time; the library is loaded when the module starts
dnl (modules/pcap-dl.c), so that hsflowd without pcap {} does not map it (sflowcat links it).
HSP_MODULE([pcap], [yes], [libpcap], [libpcap-dev])
HSP_MODULE([tcp], [yes], [libnl-3.0], [libnl-3-dev])
dnl json-c's headers at build time; the library is loaded when docker or json starts
dnl (modules/json-dl.c), so that hsflowd with neither block does not map it.
HSP_MODULE([docker], [yes], [json-c], [libjson-c-dev])
dnl libcurl's headers at build time; the library itself is loaded when the module starts
dnl (modules/docker-curl.c), so that hsflowd without docker {} does not map it.
AS_IF([test "x$enable_docker" = xyes],
  [PKG_CHECK_MODULES([CURL], [libcurl], [],
    [AC_MSG_ERROR([module docker is enabled but libcurl was not found: apt-get install libcurl4-openssl-dev, or --disable-docker])])])
dnl libvirt's and libxml2's headers at build time; the libraries are loaded when the module
dnl starts (modules/kvm-dl.c), so that hsflowd without kvm {} maps neither.
HSP_MODULE([kvm], [yes], [libvirt libxml-2.0], [libvirt-dev libxml2-dev])
dnl ASan and UBSan intercept the XDR functions and look up the real ones when the program starts.
dnl libvirt's RPC uses libtirpc's XDR; loaded first by dlopen, after that look-up, the interceptors
dnl would call address 0. The sanitizer build alone therefore links libtirpc, so that it is mapped
dnl from the start; the release build still maps it only when kvm {} is configured.
SANITIZER_KVM_LIBS=""
AS_IF([test "x$enable_kvm" = xyes && test "x$enable_sanitizers" = xyes],
  [PKG_CHECK_MODULES([TIRPC], [libtirpc],
    [SANITIZER_KVM_LIBS="-Wl,--no-as-needed $TIRPC_LIBS -Wl,--as-needed"],
    [AC_MSG_ERROR([--enable-sanitizers with kvm needs libtirpc: apt-get install libtirpc-dev, or --disable-kvm])])])
AC_SUBST([SANITIZER_KVM_LIBS])
dnl libnl-nf-3's and libnl-genl-3's headers at build time; the libraries are loaded when nflog,
dnl or psample or dropmon, starts (modules/nf-dl.c, modules/genl-dl.c), not linked.
HSP_MODULE([nflog], [yes], [libnl-3.0 libnl-nf-3.0], [libnl-nf-3-dev])
HSP_MODULE([psample], [yes], [libnl-3.0 libnl-genl-3.0], [libnl-genl-3-dev])
HSP_MODULE([dropmon], [yes], [libnl-3.0 libnl-genl-3.0], [libnl-genl-3-dev])
dnl the genetlink socket shared by psample and dropmon (modules/ksample-genl.c)
AM_CONDITIONAL([ENABLE_KSAMPLE_GENL],
  [test "x$enable_psample" = xyes || test "x$enable_dropmon" = xyes])
HSP_MODULE([json], [yes], [json-c], [libjson-c-dev])
dnl sd-bus's header at build time; libsystemd is loaded when the systemd module starts
dnl (modules/systemd-dl.c), so that hsflowd without systemd {} does not map it.
HSP_MODULE([systemd], [yes], [libsystemd], [libsystemd-dev])
dnl containerd (and its pod mode, the k8s block): gRPC by hand over HTTP/2 (libnghttp2) with
dnl protobuf-c, the C generated at build time from containerd's own .proto files. Headers at
dnl build time; the libraries are loaded when the module starts (modules/ctrd-dl.c).
HSP_MODULE([containerd], [yes], [libnghttp2 libprotobuf-c],
  [libnghttp2-dev libprotobuf-c-dev])
AC_ARG_WITH([containerd-proto],
  [AS_HELP_STRING([--with-containerd-proto=DIR],
    [Go source tree holding github.com/containerd/containerd/api and github.com/gogo/protobuf (default: /usr/share/gocode/src)])],
  [], [with_containerd_proto=/usr/share/gocode/src])
AC_ARG_WITH([protobuf-include],
  [AS_HELP_STRING([--with-protobuf-include=DIR],
    [directory holding google/protobuf/any.proto and the other well-known types (default: /usr/include)])],
  [], [with_protobuf_include=/usr/include])
AS_IF([test "x$enable_containerd" = xyes], [
  AC_PATH_PROG([PROTOC_C], [protoc-c], [no])
  AS_IF([test "x$PROTOC_C" = xno],
    [AC_MSG_ERROR([module containerd is enabled but protoc-c was not found: apt-get install protobuf-c-compiler, or --disable-containerd])])
  AS_IF([test -f "$with_containerd_proto/github.com/containerd/containerd/api/services/events/v1/events.proto" &&
         test -f "$with_containerd_proto/github.com/gogo/protobuf/gogoproto/gogo.proto"], [],
    [AC_MSG_ERROR([module containerd is enabled but containerd's .proto files are not in $with_containerd_proto: apt-get install golang-github-containerd-containerd-dev, or --disable-containerd])])
  AS_IF([test -f "$with_protobuf_include/google/protobuf/any.proto" &&
         test -f "$with_protobuf_include/google/protobuf/descriptor.proto"], [],
    [AC_MSG_ERROR([module containerd is enabled but google/protobuf/any.proto is not in $with_protobuf_include: apt-get install libprotobuf-dev, or --disable-containerd])])
  dnl the k8s block is the same module in pod mode
  HSP_MODULE_LIST="$HSP_MODULE_LIST k8s"
])
HSP_MODULE_OPTIONAL="$HSP_MODULE_OPTIONAL \"k8s\","
AC_SUBST([CONTAINERD_PROTO_DIR], [$with_containerd_proto])
AC_SUBST([PROTOBUF_INCLUDE_DIR], [$with_protobuf_include])
dnl shared by docker, containerd and systemd (cgroup.c, docker-proc.c), docker and containerd (vnode.c)
AM_CONDITIONAL([ENABLE_VNODE],
  [test "x$enable_docker" = xyes || test "x$enable_containerd" = xyes])
AM_CONDITIONAL([ENABLE_CGROUP],
  [test "x$enable_docker" = xyes || test "x$enable_containerd" = xyes || test "x$enable_systemd" = xyes])
dnl shared by docker and json (json-dl.c)
AM_CONDITIONAL([ENABLE_JSONC], [test "x$enable_docker" = xyes || test "x$enable_json" = xyes])
