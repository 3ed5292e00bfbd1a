# containerd module: events and listings decoded from protobuf, gRPC framing, requests.
if UNIT_TESTS
if ENABLE_CONTAINERD
check_PROGRAMS += tests/unit/test_containerd
TESTS += tests/unit/test_containerd
tests_unit_test_containerd_SOURCES = tests/unit/test_containerd.c modules/ctrd-proto.c \
	modules/ctrd-dl.c modules/containerd.h
tests_unit_test_containerd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CTRD_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_containerd_LDADD = libctrdpb.a libhspcore.a $(CMOCKA_LIBS) $(CONTAINERD_LIBS)
endif
endif
# the gRPC client against an nghttp2 server on a unix socket
if UNIT_TESTS
if ENABLE_CONTAINERD
check_PROGRAMS += tests/unit/test_ctrd_grpc
TESTS += tests/unit/test_ctrd_grpc
tests_unit_test_ctrd_grpc_SOURCES = tests/unit/test_ctrd_grpc.c modules/ctrd-grpc.c \
	modules/ctrd-proto.c modules/ctrd-dl.c modules/containerd.h tests/unit/testutil.h
tests_unit_test_ctrd_grpc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CTRD_CFLAGS) $(SYSTEMD_CFLAGS) \
	-I$(top_srcdir)/modules
tests_unit_test_ctrd_grpc_LDADD = libctrdpb.a libhspcore.a $(CMOCKA_LIBS) $(CONTAINERD_LIBS)
endif
endif
