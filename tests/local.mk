# Tests: unit tests (cmocka) are added by their own fragments; e2e scripts run from make check.
include tests/unit/sflow.mk
include tests/unit/config.mk
include tests/unit/host.mk
include tests/unit/core.mk
EXTRA_DIST += tests/e2e tests/fuzz tests/data
