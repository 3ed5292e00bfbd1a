/* test_systemd_bus.c - the systemd module's bus client against a private dbus-daemon and a
 * stand-in for the manager (a child process on the same bus): the units are listed, and no
 * callback runs before sd_client_new() has handed the client to its caller, however fast the
 * manager answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "evloop.h"
#include "systemd-dl.h"
#include "systemd.h"
#include "testutil.h"

extern char **environ;

#define UNIT "t.service"
#define UNIT_PATH "/org/freedesktop/systemd1/unit/t_2eservice"

static char dir[] = "/tmp/hsflowd-bus-XXXXXX";
static pid_t daemon_pid = -1, manager_pid = -1;

/* ---- the stand-in manager: answers Subscribe, ListUnits (one running service) and GetAll ---- */

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        sd_bus_message *reply = NULL;
        int r = 0;
        if (sd_bus_message_is_method_call(m, "org.freedesktop.systemd1.Manager", "Subscribe"))
                r = sd_bus_message_new_method_return(m, &reply);
        else if (sd_bus_message_is_method_call(m, "org.freedesktop.systemd1.Manager",
                                               "ListUnits")) {
                r = sd_bus_message_new_method_return(m, &reply);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "a(ssssssouso)", 1, UNIT, "a test",
                                                  "loaded", "active", "running", "", UNIT_PATH, 0,
                                                  "", "/");
        } else if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "GetAll")) {
                r = sd_bus_message_new_method_return(m, &reply);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "a{sv}", 2, "ActiveState", "s", "active",
                                                  "SubState", "s", "running");
        } else
                return 0;
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 1;
}

static void manager(int ready) {
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0 || sd_bus_add_filter(b, NULL, on_call, NULL) < 0 ||
            sd_bus_request_name(b, "org.freedesktop.systemd1", 0) < 0)
                _exit(1);
        (void)!write(ready, "x", 1);
        close(ready);
        for (;;) {
                int r = sd_bus_process(b, NULL);
                if (r < 0)
                        _exit(1);
                if (r == 0 && sd_bus_wait(b, UINT64_MAX) < 0)
                        _exit(1);
        }
}

static int setup(void **state) {
        if (!mkdtemp(dir))
                return -1;
        char conf[128], addr[160], sock[128];
        snprintf(conf, sizeof conf, "%s/bus.conf", dir);
        snprintf(sock, sizeof sock, "%s/bus", dir);
        snprintf(addr, sizeof addr, "unix:path=%s", sock);
        FILE *f = fopen(conf, "w");
        if (!f)
                return -1;
        fprintf(f,
                "<busconfig><type>system</type><listen>%s</listen><auth>EXTERNAL</auth>"
                "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy>"
                "</busconfig>\n",
                addr);
        fclose(f);
        char arg[160];
        snprintf(arg, sizeof arg, "--config-file=%s", conf);
        char *argv[] = {"dbus-daemon", arg, "--nofork", "--nopidfile", NULL};
        if (posix_spawnp(&daemon_pid, "dbus-daemon", NULL, NULL, argv, environ) != 0)
                return -1;
        struct stat st;
        for (int i = 0; i < 500 && stat(sock, &st) < 0; i++)
                usleep(10000);
        if (stat(sock, &st) < 0)
                return -1;
        setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);
        int p[2];
        if (pipe(p) < 0)
                return -1;
        manager_pid = fork();
        if (manager_pid == 0) {
                close(p[0]);
                manager(p[1]);
        }
        close(p[1]);
        char c;
        int ok = read(p[0], &c, 1) == 1; /* the name is owned */
        close(p[0]);
        return ok ? 0 : -1;
}

static int teardown(void **state) {
        for (int i = 0; i < 2; i++) {
                pid_t pid = i ? daemon_pid : manager_pid;
                if (pid > 0) {
                        kill(pid, SIGTERM);
                        waitpid(pid, NULL, 0);
                }
        }
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* ---- the client, as the module uses it ---- */

struct seen {
        struct sd_client *client; /* set by sd_client_new() */
        bool in_new;              /* inside sd_client_new() */
        unsigned early, without_client, listed, got_active;
};

/* The bus as the client sees it: processing is slowed down while sd_client_new() runs, so that a
 * client that processed the bus there would get the manager's answers there. */
static typeof(sd_bus_process) *real_process;
static struct seen *current;

static int slow_process(sd_bus *b, sd_bus_message **ret) {
        if (current && current->in_new)
                usleep(20000);
        return real_process(b, ret);
}

static void check(struct seen *s) {
        if (s->in_new)
                s->early++;
        if (!s->client)
                s->without_client++;
}

static void on_begin(void *userdata) {
        check(userdata);
}

static void on_listed(const char *name, const char *path, void *userdata) {
        struct seen *s = userdata;
        check(s);
        if (strcmp(name, UNIT) == 0 && strcmp(path, UNIT_PATH) == 0) {
                s->listed++;
                if (s->client) /* the module asks for the unit's properties at once */
                        assert_int_equal(sd_client_get(s->client, path), 0);
        }
}

static void on_end(void *userdata) {
        check(userdata);
}

static void on_changed(const char *name, const char *path, const struct sd_props *p,
                       void *userdata) {
        check(userdata);
}

static void on_removed(const char *name, void *userdata) {
        check(userdata);
}

static void on_got(const char *path, const struct sd_props *p, void *userdata) {
        struct seen *s = userdata;
        check(s);
        if (p && strcmp(p->active_state, "active") == 0 && strcmp(p->sub_state, "running") == 0)
                s->got_active++;
}

static const struct sd_client_callbacks callbacks = {
        .listed_begin = on_begin,
        .listed = on_listed,
        .listed_end = on_end,
        .changed = on_changed,
        .removed = on_removed,
        .got = on_got,
};

static void test_listed_after_new(void **state) {
        for (int round = 0; round < 6; round++) {
                struct evloop *e;
                assert_int_equal(evloop_new(&e), 0);
                struct seen s = {0};
                current = &s;
                s.in_new = true;
                assert_int_equal(sd_client_new(e, false, &callbacks, &s, &s.client), 0);
                s.in_new = false;
                if (round % 2) /* and the manager has answered already */
                        usleep(20000);
                uint64_t end = test_now_usec() + 5000000;
                while (s.got_active == 0 && test_now_usec() < end)
                        evloop_run(e, 50000);
                assert_int_equal(s.early, 0);
                assert_int_equal(s.without_client, 0);
                assert_int_equal(s.listed, 1);
                assert_int_equal(s.got_active, 1);
                sd_client_free(s.client);
                evloop_unref(e);
                current = NULL;
        }
}

int main(void) {
        if (sd_dl_load() < 0) /* sd-bus, as hsflowd loads it */
                return 1;
        real_process = sym_sd_bus_process;
        sym_sd_bus_process = slow_process;
        bool have = system("command -v dbus-daemon >/dev/null") == 0;
        if (!have) {
                const char *ci = getenv("CI");
                bool must = ci && strcmp(ci, "true") == 0;
                printf("%s: needs dbus-daemon (apt-get install dbus-daemon)\n",
                       must ? "FAIL" : "SKIPPED");
                return must ? 1 : 77;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_listed_after_new),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
