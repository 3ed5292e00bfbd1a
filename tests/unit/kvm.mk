# kvm module: domain XML extraction and the module against libvirt's built-in test driver.
if UNIT_TESTS
if ENABLE_KVM
check_PROGRAMS += tests/unit/test_kvm
TESTS += tests/unit/test_kvm
tests_unit_test_kvm_SOURCES = tests/unit/test_kvm.c tests/unit/testutil.h modules/kvm.c \
	modules/kvm.h modules/kvm-conn.c modules/kvm-event.c modules/kvm-xml.c modules/kvm-stats.c \
	modules/kvm-dl.c modules/kvm-dl.h
tests_unit_test_kvm_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(KVM_CFLAGS) $(SYSTEMD_CFLAGS) \
	-I$(top_srcdir)/modules -DTEST_DATA_DIR=\"$(abs_top_srcdir)/tests/data\"
tests_unit_test_kvm_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) $(KVM_LIBS) -ldl
endif
endif
