/* test_netns.c - netns_run: a namespace that cannot be entered, a round trip into our own
 * namespace, and the fatal exit when the way back fails (in a child process). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

static int calls;

static int count_call(void *userdata) {
        calls++;
        return *(const int *)userdata;
}

/* Fake namespace fds: none, a file that is not a namespace. fn is never called. */
static void test_enter_fails(void **state) {
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(devnull >= 0);
        const struct {
                int nsfd, selffd, want;
        } cases[] = {
                {-1, -1, -EBADF},
                {-1, devnull, -EBADF},
                {devnull, -1, -EINVAL},
                {devnull, devnull, -EINVAL},
        };
        int ret = 42;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                calls = 0;
                assert_int_equal(netns_run(cases[i].nsfd, cases[i].selffd, count_call, &ret),
                                 cases[i].want);
                assert_int_equal(calls, 0);
        }
        close(devnull);
}

static void test_named(void **state) {
        char longname[400];
        memset(longname, 'x', sizeof longname - 1);
        longname[sizeof longname - 1] = 0;
        const struct {
                const char *name;
                int want;
        } cases[] = {
                {"hsflowd-unit-no-such-namespace", -ENOENT},
                {longname, -ENAMETOOLONG},
        };
        int ret = 0;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                calls = 0;
                assert_int_equal(netns_run_named(cases[i].name, count_call, &ret), cases[i].want);
                assert_int_equal(calls, 0);
        }
}

/* Our own namespace as the target: fn runs and its result (an fd, an error) comes back. */
static void test_round_trip(void **state) {
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(self >= 0);
        const int results[] = {0, 7, -ENOMEM};
        for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
                calls = 0;
                int r = netns_run(self, i % 2 ? self : -1, count_call, (void *)&results[i]);
                if (r == -EPERM) {
                        close(self);
                        skip(); /* setns needs CAP_SYS_ADMIN */
                }
                assert_int_equal(r, results[i]);
                assert_int_equal(calls, 1);
        }
        close(self);
}

/* Entering works, returning does not (the fd of "our own" namespace is not one): the process
 * logs and exits 1 instead of going on in the other namespace. */
static void test_return_fails_is_fatal(void **state) {
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_true(self >= 0 && devnull >= 0);
        int probe = 0;
        if (netns_run(self, self, count_call, &probe) == -EPERM) {
                close(self);
                close(devnull);
                skip();
        }
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int ret = 0;
                netns_run(self, devnull, count_call, &ret);
                _exit(0); /* not reached when netns_run does its job */
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        close(self);
        close(devnull);
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_DEBUG);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_enter_fails),
                cmocka_unit_test(test_named),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_return_fails_is_fatal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
