# Tests: unit tests (cmocka) come from their own fragments; end-to-end tests are Python
# scripts run against the built daemon and collector; a short fuzz run of every harness.
TEST_EXTENSIONS = .py .sh
PY_LOG_COMPILER = $(PYTHON3)
SH_LOG_COMPILER = bash
AM_TESTS_ENVIRONMENT = BUILDDIR='$(abs_top_builddir)'; \
	HSFLOWD='$(abs_top_builddir)/hsflowd/hsflowd'; SFLOWCAT='$(abs_top_builddir)/collector/sflowcat'; \
	srcdir='$(abs_top_srcdir)'; export BUILDDIR HSFLOWD SFLOWCAT srcdir;
AM_DISTCHECK_CONFIGURE_FLAGS = --disable-e2e-tests

include tests/unit/sflow.mk
include tests/unit/config.mk
include tests/unit/host.mk
include tests/unit/core.mk
include tests/unit/tcp.mk
include tests/unit/pcap.mk
include tests/unit/docker.mk

E2E_TESTS_LIST = tests/e2e/check_config.py tests/e2e/host.py tests/e2e/interfaces.py \
	tests/e2e/reload.py tests/e2e/collector.py tests/e2e/collector_ns.py tests/e2e/tshark.py \
	tests/e2e/sampling.py tests/e2e/pcap_match.py \
	tests/e2e/tcp.py \
	tests/e2e/docker.py tests/e2e/docker_churn.py tests/e2e/docker_fake.py \
	tests/e2e/systemd_unit.py \
	tests/fuzz/short.sh
if E2E_TESTS
TESTS += $(E2E_TESTS_LIST)
endif
EXTRA_DIST += $(E2E_TESTS_LIST) tests/e2e/e2e.py tests/fuzz tests/data
