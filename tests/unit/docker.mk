# docker module: Engine API JSON handling, /proc/PID/net/dev, cgroup v1/v2 parsers on fixtures.
if UNIT_TESTS
if ENABLE_DOCKER
check_PROGRAMS += tests/unit/test_docker
TESTS += tests/unit/test_docker
tests_unit_test_docker_SOURCES = tests/unit/test_docker.c modules/docker-json.c \
	modules/docker-proc.c modules/cgroup.c modules/docker.h modules/cgroup.h \
	modules/json-dl.c modules/json-dl.h
tests_unit_test_docker_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(DOCKER_CFLAGS) \
	-I$(top_srcdir)/modules -DTEST_DATA_DIR=\"$(top_srcdir)/tests/data\"
# libjson-c loaded by json_dl_load(), as in hsflowd
tests_unit_test_docker_LDADD = libhspcore.a libsflow.a $(CMOCKA_LIBS) -ldl
endif
endif
EXTRA_DIST += tests/e2e/docker_engine.py
