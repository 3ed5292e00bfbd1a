/* test_evloop.c - the event loop: sources, their states, timers, dispatch order, notification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "evloop.h"
#include "notify.h"

static uint64_t mono(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Iterations for usec, whatever happens meanwhile. */
static void run_for(struct evloop *e, uint64_t usec) {
        uint64_t end = mono() + usec;
        for (uint64_t now; (now = mono()) < end;)
                assert_true(evloop_run(e, end - now) >= 0);
}

struct rec {
        int calls;
        int ret;             /* what the handler returns */
        int set_self;        /* != 99: the handler sets its own source to this */
        bool unref_self;     /* the handler releases its own source */
        struct evsrc **kill; /* the handler releases this other source */
        int enabled_inside;  /* evsrc_get_enabled() inside the handler */
        uint32_t revents;
        uint64_t at, usec, now;
        int order;
        struct evsrc *src;
};

static int order_counter;

static void handled(struct rec *r, struct evsrc *s) {
        r->calls++;
        r->order = ++order_counter;
        r->at = mono();
        evloop_now(evsrc_get_loop(s), CLOCK_MONOTONIC, &r->now);
        r->enabled_inside = evsrc_get_enabled(s, NULL);
        if (r->kill)
                *r->kill = evsrc_disable_unref(*r->kill);
        if (r->set_self != 99)
                assert_int_equal(evsrc_set_enabled(s, r->set_self), 0);
        if (r->unref_self)
                r->src = evsrc_unref(r->src);
}

static int on_io(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct rec *r = userdata;
        r->revents = revents;
        handled(r, s);
        return r->ret;
}

static int on_time(struct evsrc *s, uint64_t usec, void *userdata) {
        struct rec *r = userdata;
        r->usec = usec;
        handled(r, s);
        return r->ret;
}

static int on_defer(struct evsrc *s, void *userdata) {
        struct rec *r = userdata;
        handled(r, s);
        return r->ret;
}

#define REC(...) ((struct rec){.set_self = 99, __VA_ARGS__})

static void test_io_readiness(void **state) {
        struct evloop *e;
        int sv[2];
        assert_int_equal(evloop_new(&e), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
        struct rec r = REC();
        assert_int_equal(evloop_add_io(e, &r.src, sv[0], EPOLLIN, on_io, &r), 0);
        int en;
        assert_int_equal(evsrc_get_enabled(r.src, &en), 1);
        assert_int_equal(en, EVSRC_ON);

        assert_int_equal(evloop_run(e, 10000), 0); /* nothing to read: timeout */
        assert_int_equal(r.calls, 0);
        assert_int_equal(write(sv[1], "x", 1), 1);
        assert_int_equal(evloop_run(e, 1000000), 1);
        assert_int_equal(r.calls, 1);
        assert_true(r.revents & EPOLLIN);
        assert_int_equal(evloop_run(e, 1000), 1); /* ON: level-triggered, still readable */
        assert_int_equal(r.calls, 2);

        char c;
        assert_int_equal(read(sv[0], &c, 1), 1);
        assert_int_equal(evsrc_set_io_events(r.src, EPOLLOUT), 0);
        assert_int_equal(evloop_run(e, 1000000), 1);
        assert_int_equal(r.calls, 3);
        assert_true(r.revents & EPOLLOUT);
        assert_false(r.revents & EPOLLIN);

        assert_int_equal(evsrc_set_enabled(r.src, EVSRC_OFF), 0);
        assert_int_equal(evloop_run(e, 10000), 0);
        assert_int_equal(r.calls, 3);
        assert_int_equal(evsrc_set_enabled(r.src, EVSRC_ONESHOT), 0);
        assert_int_equal(evloop_run(e, 1000000), 1);
        assert_int_equal(evloop_run(e, 10000), 0);
        assert_int_equal(r.calls, 4);
        assert_int_equal(r.enabled_inside, 0); /* ONESHOT: off before the handler */

        r.src = evsrc_disable_unref(r.src);
        close(sv[0]);
        close(sv[1]);
        assert_null(evloop_unref(e));
}

/* Each kind of source, as created and then in each state, over three iterations. */
static void test_enabled_states(void **state) {
        static const struct {
                int kind; /* 0 defer, 1 timer at 0, 2 io always writable */
                int initial, set;
                int calls;
        } cases[] = {
                {0, EVSRC_ONESHOT, 99, 1},
                {0, EVSRC_ONESHOT, EVSRC_ON, 3},
                {0, EVSRC_ONESHOT, EVSRC_OFF, 0},
                {1, EVSRC_ONESHOT, 99, 1},
                {1, EVSRC_ONESHOT, EVSRC_ON, 3},
                {1, EVSRC_ONESHOT, EVSRC_OFF, 0},
                {2, EVSRC_ON, 99, 3},
                {2, EVSRC_ON, EVSRC_ONESHOT, 1},
                {2, EVSRC_ON, EVSRC_OFF, 0},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct evloop *e;
                int sv[2];
                assert_int_equal(evloop_new(&e), 0);
                assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
                struct rec r = REC();
                if (cases[i].kind == 0)
                        assert_int_equal(evloop_add_defer(e, &r.src, on_defer, &r), 0);
                else if (cases[i].kind == 1)
                        assert_int_equal(
                                evloop_add_time(e, &r.src, CLOCK_MONOTONIC, 0, 0, on_time, &r), 0);
                else
                        assert_int_equal(evloop_add_io(e, &r.src, sv[0], EPOLLOUT, on_io, &r), 0);
                int en;
                assert_int_equal(evsrc_get_enabled(r.src, &en), 1);
                assert_int_equal(en, cases[i].initial);
                if (cases[i].set != 99)
                        assert_int_equal(evsrc_set_enabled(r.src, cases[i].set), 0);
                for (int k = 0; k < 3; k++)
                        assert_true(evloop_run(e, 1000) >= 0);
                assert_int_equal(r.calls, cases[i].calls);
                r.src = evsrc_unref(r.src);
                close(sv[0]);
                close(sv[1]);
                assert_null(evloop_unref(e));
        }
}

static void test_timers_order(void **state) {
        static const uint64_t offsets[] = {30000, 10000, 45000, 0, 20000, 5000};
        enum { N = sizeof offsets / sizeof offsets[0] };
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rec r[N];
        uint64_t base = mono();
        for (size_t i = 0; i < N; i++) {
                r[i] = REC();
                assert_int_equal(evloop_add_time(e, &r[i].src, CLOCK_MONOTONIC, base + offsets[i],
                                                 0, on_time, &r[i]),
                                 0);
        }
        order_counter = 0;
        run_for(e, 80000);
        for (size_t i = 0; i < N; i++) {
                assert_int_equal(r[i].calls, 1);
                assert_int_equal(r[i].usec, base + offsets[i]);
                assert_true(r[i].at >= base + offsets[i]);  /* never early */
                assert_true(r[i].now >= base + offsets[i]); /* the iteration's time too */
                for (size_t j = 0; j < N; j++)
                        if (offsets[j] < offsets[i])
                                assert_true(r[j].order < r[i].order);
        }
        for (size_t i = 0; i < N; i++)
                r[i].src = evsrc_unref(r[i].src);
        assert_null(evloop_unref(e));
}

static void test_set_time(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rec r = REC();
        uint64_t base = mono();
        assert_int_equal(evloop_add_time(e, &r.src, CLOCK_MONOTONIC, base + 500000, 0, on_time, &r),
                         0);
        assert_int_equal(evsrc_set_time(r.src, base + 10000), 0); /* earlier */
        run_for(e, 40000);
        assert_int_equal(r.calls, 1);
        assert_true(r.at >= base + 10000 && r.at < base + 500000);

        /* off after it fired: a new time alone does not arm it */
        base = mono();
        assert_int_equal(evsrc_set_time(r.src, base + 5000), 0);
        run_for(e, 20000);
        assert_int_equal(r.calls, 1);
        assert_int_equal(evsrc_set_enabled(r.src, EVSRC_ONESHOT), 0);
        run_for(e, 10000);
        assert_int_equal(r.calls, 2);

        /* later while armed; UINT64_MAX never comes */
        base = mono();
        assert_int_equal(evsrc_set_time(r.src, base + 10000), 0);
        assert_int_equal(evsrc_set_enabled(r.src, EVSRC_ONESHOT), 0);
        assert_int_equal(evsrc_set_time(r.src, base + 30000), 0);
        run_for(e, 20000);
        assert_int_equal(r.calls, 2);
        run_for(e, 20000);
        assert_int_equal(r.calls, 3);
        assert_true(r.at >= base + 30000);
        assert_int_equal(evsrc_set_time(r.src, UINT64_MAX), 0);
        assert_int_equal(evsrc_set_enabled(r.src, EVSRC_ON), 0);
        assert_int_equal(evloop_run(e, 10000), 0);
        assert_int_equal(r.calls, 3);
        r.src = evsrc_unref(r.src);
        assert_null(evloop_unref(e));
}

/* Two sources due in the same iteration; the one that runs first releases, disables or keeps
 * the other, or releases itself. */
static void test_same_round(void **state) {
        static const struct {
                int kind;        /* 0 defers, 1 timers, 2 io */
                bool kill_other; /* release the other one */
                int set_self;    /* 99: leave itself */
                bool unref_self;
                int total; /* handler calls over both */
        } cases[] = {
                {0, true, 99, false, 1},  {1, true, 99, false, 1},         {2, true, 99, false, 1},
                {0, false, 99, false, 2}, {2, false, EVSRC_OFF, false, 2}, {0, false, 99, true, 2},
                {2, false, 99, true, 2},  {1, false, 99, true, 2},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct evloop *e;
                int sv[2][2];
                assert_int_equal(evloop_new(&e), 0);
                struct rec r[2] = {REC(), REC()};
                for (int k = 0; k < 2; k++) {
                        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[k]), 0);
                        if (cases[i].kind == 0)
                                assert_int_equal(evloop_add_defer(e, &r[k].src, on_defer, &r[k]),
                                                 0);
                        else if (cases[i].kind == 1)
                                assert_int_equal(evloop_add_time(e, &r[k].src, CLOCK_MONOTONIC, 0,
                                                                 0, on_time, &r[k]),
                                                 0);
                        else
                                assert_int_equal(evloop_add_io(e, &r[k].src, sv[k][0], EPOLLOUT,
                                                               on_io, &r[k]),
                                                 0);
                }
                for (int k = 0; k < 2; k++) {
                        if (cases[i].kill_other)
                                r[k].kill = &r[1 - k].src;
                        r[k].set_self = cases[i].set_self;
                        r[k].unref_self = cases[i].unref_self;
                }
                assert_int_equal(evloop_run(e, 1000), 1);
                assert_int_equal(r[0].calls + r[1].calls, cases[i].total);
                if (cases[i].kind == 2 && !cases[i].kill_other) {
                        /* both are off or gone: nothing more, though still writable */
                        assert_int_equal(evloop_run(e, 1000), 0);
                        assert_int_equal(r[0].calls + r[1].calls, cases[i].total);
                }
                for (int k = 0; k < 2; k++) {
                        r[k].src = evsrc_disable_unref(r[k].src);
                        close(sv[k][0]);
                        close(sv[k][1]);
                }
                assert_null(evloop_unref(e));
        }
}

static void test_handler_error(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rec ok = REC(), bad = REC(.ret = -EIO);
        assert_int_equal(evloop_add_defer(e, &ok.src, on_defer, &ok), 0);
        assert_int_equal(evloop_add_defer(e, &bad.src, on_defer, &bad), 0);
        assert_int_equal(evsrc_set_enabled(ok.src, EVSRC_ON), 0);
        assert_int_equal(evsrc_set_enabled(bad.src, EVSRC_ON), 0);
        for (int k = 0; k < 3; k++)
                assert_int_equal(evloop_run(e, 1000), 1);
        assert_int_equal(ok.calls, 3);
        assert_int_equal(bad.calls, 1);
        assert_int_equal(evsrc_get_enabled(bad.src, NULL), 0);
        assert_int_equal(evsrc_get_enabled(ok.src, NULL), 1);
        assert_int_equal(evsrc_get_enabled(NULL, NULL), 0);
        assert_int_equal(evsrc_set_enabled(NULL, EVSRC_OFF), 0);
        ok.src = evsrc_unref(ok.src);
        bad.src = evsrc_unref(bad.src);
        assert_null(evloop_unref(e));
}

static int on_exit_defer(struct evsrc *s, void *userdata) {
        return evloop_exit(evsrc_get_loop(s), *(int *)userdata);
}

static void test_exit_code(void **state) {
        static const int codes[] = {0, 42, -5};
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
                struct evloop *e;
                struct evsrc *s, *t;
                assert_int_equal(evloop_new(&e), 0);
                struct rec r = REC();
                assert_int_equal(
                        evloop_add_time(e, &t, CLOCK_MONOTONIC, mono() + 20000, 0, on_time, &r), 0);
                assert_int_equal(evsrc_set_enabled(t, EVSRC_ON), 0);
                assert_int_equal(evsrc_set_time(t, 0), 0);
                assert_int_equal(evloop_add_defer(e, &s, on_exit_defer, (void *)&codes[i]), 0);
                /* the defer in the first iteration, the ON timer due in every one */
                assert_int_equal(evloop_loop(e), codes[i]);
                assert_true(r.calls <= 1);
                s = evsrc_unref(s);
                t = evsrc_unref(t);
                assert_null(evloop_unref(e));
        }
}

static void test_now_cached(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        uint64_t a, b;
        uint64_t before = mono();
        assert_int_equal(evloop_now(e, CLOCK_MONOTONIC, &a), 1); /* none cached yet */
        assert_true(a >= before);
        assert_int_equal(evloop_now(e, CLOCK_REALTIME, &a), -EOPNOTSUPP);
        struct rec r = REC();
        assert_int_equal(evloop_add_defer(e, &r.src, on_defer, &r), 0);
        assert_int_equal(evloop_run(e, 0), 1);
        usleep(5000);
        assert_int_equal(evloop_now(e, CLOCK_MONOTONIC, &b), 0);
        assert_int_equal(b, r.now); /* the iteration's, not now */
        assert_true(mono() >= b + 5000);
        r.src = evsrc_unref(r.src);
        assert_null(evloop_unref(e));
}

static int signo_seen;
static int on_signal(struct evsrc *s, const struct signalfd_siginfo *si, void *userdata) {
        signo_seen = (int)si->ssi_signo;
        (*(int *)userdata)++;
        return 0;
}

static void test_signal(void **state) {
        static const int signos[] = {SIGUSR1, SIGUSR2};
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        assert_int_equal(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
        struct evloop *e;
        struct evsrc *s[2], *dup;
        int n[2] = {0, 0};
        assert_int_equal(evloop_new(&e), 0);
        for (int i = 0; i < 2; i++)
                assert_int_equal(evloop_add_signal(e, &s[i], signos[i], on_signal, &n[i]), 0);
        assert_int_equal(evloop_add_signal(e, &dup, SIGUSR1, on_signal, NULL), -EBUSY);
        for (int i = 0; i < 2; i++) {
                assert_int_equal(raise(signos[i]), 0);
                assert_int_equal(evloop_run(e, 1000000), 1);
                assert_int_equal(signo_seen, signos[i]);
                assert_int_equal(n[i], 1);
        }
        /* off: the signal stays pending until the source is on again */
        assert_int_equal(evsrc_set_enabled(s[0], EVSRC_OFF), 0);
        assert_int_equal(raise(SIGUSR1), 0);
        assert_int_equal(evloop_run(e, 10000), 0);
        assert_int_equal(n[0], 1);
        assert_int_equal(evsrc_set_enabled(s[0], EVSRC_ON), 0);
        assert_int_equal(evloop_run(e, 1000000), 1);
        assert_int_equal(n[0], 2);
        for (int i = 0; i < 2; i++)
                s[i] = evsrc_unref(s[i]);
        assert_null(evloop_unref(e));
        assert_int_equal(sigprocmask(SIG_UNBLOCK, &mask, NULL), 0);
}

struct ino_rec {
        int calls;
        uint32_t mask;
        char name[64];
};

static int on_inotify(struct evsrc *s, const struct inotify_event *ev, void *userdata) {
        struct ino_rec *r = userdata;
        r->calls++;
        r->mask = ev->mask;
        snprintf(r->name, sizeof r->name, "%s", ev->len ? ev->name : "");
        return 0;
}

static void test_inotify(void **state) {
        char dir[] = "/tmp/test_evloop.XXXXXX", path[64];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/conf", dir);
        struct evloop *e;
        struct evsrc *s, *other;
        struct ino_rec r = {0}, ro = {0};
        assert_int_equal(evloop_new(&e), 0);
        assert_int_equal(evloop_add_inotify(e, &s, dir, IN_CLOSE_WRITE, on_inotify, &r), 0);
        assert_int_equal(evloop_add_inotify(e, &other, dir, IN_DELETE, on_inotify, &ro), 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        close(fd);
        run_for(e, 20000);
        assert_int_equal(r.calls, 1);
        assert_true(r.mask & IN_CLOSE_WRITE);
        assert_string_equal(r.name, "conf");
        assert_int_equal(ro.calls, 0); /* the same directory, other events */
        assert_int_equal(unlink(path), 0);
        run_for(e, 20000);
        assert_int_equal(r.calls, 1);
        assert_int_equal(ro.calls, 1);
        assert_true(ro.mask & IN_DELETE);
        other = evsrc_unref(other);
        s = evsrc_unref(s);
        assert_null(evloop_unref(e));
        assert_int_equal(rmdir(dir), 0);
}

/* A datagram socket bound where NOTIFY_SOCKET says: a path, or an abstract name. */
static int bind_notify(bool abstract, char *name, size_t size) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        socklen_t len;
        if (abstract) {
                snprintf(name, size, "@test_evloop/%d", (int)getpid());
                memcpy(sa.sun_path + 1, name + 1, strlen(name) - 1);
                len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
        } else {
                snprintf(name, size, "/tmp/test_evloop.%d.sock", (int)getpid());
                unlink(name);
                strcpy(sa.sun_path, name);
                len = sizeof sa;
        }
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
        assert_int_equal(setenv("NOTIFY_SOCKET", name, 1), 0);
        return fd;
}

static void test_notify_send(void **state) {
        static const struct {
                bool abstract;
                const char *state;
        } cases[] = {{false, "READY=1"}, {true, "READY=1\nSTATUS=Exporting sFlow"}};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char name[108], buf[256];
                int fd = bind_notify(cases[i].abstract, name, sizeof name);
                assert_int_equal(notify_send(cases[i].state), 0);
                ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
                assert_int_equal(n, (ssize_t)strlen(cases[i].state));
                buf[n] = 0;
                assert_string_equal(buf, cases[i].state);
                assert_int_equal(notify_sendf("STATUS=%d units", 3), 0);
                n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
                assert_true(n > 0);
                buf[n] = 0;
                assert_string_equal(buf, "STATUS=3 units");
                close(fd);
                if (!cases[i].abstract)
                        unlink(name);
        }
        assert_int_equal(setenv("NOTIFY_SOCKET", "relative", 1), 0);
        assert_int_equal(notify_send("READY=1"), -EAFNOSUPPORT);
        assert_int_equal(setenv("NOTIFY_SOCKET", "/nonexistent/sock", 1), 0);
        assert_int_equal(notify_send("READY=1"), -ENOENT);
        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(notify_send("READY=1"), 0);
}

static void test_watchdog(void **state) {
        static const struct {
                const char *usec, *pid; /* pid "self": ours */
                int armed;
                int min_pings, max_pings; /* over 110 ms */
        } cases[] = {
                {"40000", NULL, 1, 3, 7},                            /* at once, then every 20 ms */
                {"40000", "self", 1, 3, 7}, {"40000", "1", 0, 0, 0}, /* for another process */
                {NULL, NULL, 0, 0, 0},      {"junk", NULL, -EINVAL, 0, 0},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char name[108], buf[64], pid[16];
                int fd = bind_notify(false, name, sizeof name);
                if (cases[i].usec)
                        setenv("WATCHDOG_USEC", cases[i].usec, 1);
                else
                        unsetenv("WATCHDOG_USEC");
                snprintf(pid, sizeof pid, "%d", (int)getpid());
                if (cases[i].pid)
                        setenv("WATCHDOG_PID", strcmp(cases[i].pid, "self") ? cases[i].pid : pid,
                               1);
                else
                        unsetenv("WATCHDOG_PID");
                struct evloop *e;
                assert_int_equal(evloop_new(&e), 0);
                assert_int_equal(evloop_set_watchdog(e, true), cases[i].armed);
                run_for(e, 110000);
                int pings = 0;
                ssize_t n;
                while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
                        assert_int_equal(n, 10);
                        assert_memory_equal(buf, "WATCHDOG=1", 10);
                        pings++;
                }
                assert_in_range(pings, cases[i].min_pings, cases[i].max_pings);
                assert_int_equal(evloop_set_watchdog(e, false), 0);
                run_for(e, 50000);
                assert_true(recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0);
                assert_null(evloop_unref(e));
                close(fd);
                unlink(name);
        }
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        unsetenv("NOTIFY_SOCKET");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_io_readiness), cmocka_unit_test(test_enabled_states),
                cmocka_unit_test(test_timers_order), cmocka_unit_test(test_set_time),
                cmocka_unit_test(test_same_round),   cmocka_unit_test(test_handler_error),
                cmocka_unit_test(test_exit_code),    cmocka_unit_test(test_now_cached),
                cmocka_unit_test(test_signal),       cmocka_unit_test(test_inotify),
                cmocka_unit_test(test_notify_send),  cmocka_unit_test(test_watchdog),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
