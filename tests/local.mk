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
include tests/unit/kvm.mk
include tests/unit/nflog.mk
include tests/unit/psample.mk
include tests/unit/dropmon.mk
include tests/unit/json.mk
include tests/unit/containerd.mk

E2E_TESTS_LIST = tests/e2e/check_config.py tests/e2e/host.py tests/e2e/interfaces.py \
	tests/e2e/reload.py tests/e2e/collector.py tests/e2e/collector_ns.py tests/e2e/tshark.py \
	tests/e2e/sampling.py tests/e2e/pcap_match.py \
	tests/e2e/tcp.py \
	tests/e2e/json_apps.py tests/e2e/dnssd.py tests/e2e/autofile.py \
	tests/e2e/docker.py tests/e2e/docker_churn.py tests/e2e/docker_fake.py \
	tests/e2e/systemd_unit.py \
	tests/e2e/loss.py tests/e2e/faults_collector.py \
	tests/e2e/kvm.py \
	tests/e2e/top_synflood.py tests/e2e/prometheus.py tests/e2e/prometheus_docker.py \
	tests/e2e/forward.py \
	tests/e2e/deb_package.py tests/e2e/rpm_package.py tests/e2e/container_image.py \
	tests/e2e/nflog.py tests/e2e/psample_vm.py \
	tests/e2e/valgrind.py \
	tests/fuzz/short.sh
# faults from outside the agent: links, the engine, the configuration, the pid file
E2E_TESTS_LIST += tests/e2e/faults_netlink.py tests/e2e/faults_links.py tests/e2e/faults_pidfile.py \
	tests/e2e/faults_docker.py
E2E_TESTS_LIST += tests/e2e/docker_reload.py
E2E_TESTS_LIST += tests/e2e/agent_dns.py
# c-ares and libjson-c not installed: names and the json module fail, the agent goes on
E2E_TESTS_LIST += tests/e2e/dl_missing.py
E2E_TESTS_LIST += tests/e2e/tcp_netns.py
if E2E_TESTS
TESTS += $(E2E_TESTS_LIST)
endif
EXTRA_DIST += $(E2E_TESTS_LIST) tests/e2e/e2e.py tests/fuzz tests/data
EXTRA_DIST += tests/e2e/wire.py
# The UUID derived from -m, read from the raw datagram.
E2E_TESTS_LIST += tests/e2e/uuid.py
EXTRA_DIST += tests/e2e/vm

# The sanitizer pass (scripts/check, in a build configured with --enable-sanitizers): the unit
# and end-to-end tests once more. Left out: the fuzz run (its harnesses are built with the
# sanitizers already), systemd_unit.py, which copies the daemon into a container root
# where the sanitizer runtime and the report directory do not exist, and valgrind.py
# (valgrind cannot run a program built with ASan).
SANITIZER_SKIP_TESTS = tests/fuzz/short.sh tests/e2e/systemd_unit.py tests/e2e/valgrind.py
check-sanitizers:
	@tests=; for t in $(TESTS); do case " $(SANITIZER_SKIP_TESTS) " in *" $$t "*) ;; \
	  *) tests="$$tests $$t" ;; esac; done; $(MAKE) $(AM_MAKEFLAGS) check TESTS="$$tests"
.PHONY: check-sanitizers
include tests/unit/systemd.mk
# systemd services as 3:N sources under a real systemd (nspawn), helpers from systemd_unit.py
E2E_TESTS_LIST += tests/e2e/systemd_services.py
# The shared header walker; sflowcat -t read back by tshark; the capture time of sflowcat -r.
include tests/unit/walk.mk
E2E_TESTS_LIST += tests/e2e/capture_out.py tests/e2e/capture_time.py
# the same under pure cgroup v2: the Debian root as a disk under QEMU (TCG), about 45 s
E2E_TESTS_LIST += tests/e2e/systemd_v2_vm.py
SANITIZER_SKIP_TESTS += tests/e2e/systemd_v2_vm.py
