/* evloop.c - the agent's event loop: epoll, a timer heap, one signalfd and one inotify fd. */
#include "evloop.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

enum evsrc_type { SRC_IO, SRC_TIME, SRC_DEFER, SRC_SIGNAL, SRC_INOTIFY };

#define NOT_IN_HEAP SIZE_MAX
#define N_SIGNALS 65

struct evsrc {
        unsigned n_ref;
        struct evloop *loop;
        enum evsrc_type type;
        int enabled;
        bool pending;     /* in the loop's pending list */
        bool dispatching; /* its handler is running */
        bool dead;        /* released while dispatching: freed once the handler returns */
        char *description;
        void *userdata;
        struct evsrc *pnext, *pprev; /* pending list */
        struct evsrc *next, *prev;   /* the loop's defer or inotify sources */
        union {
                struct {
                        int fd;
                        uint32_t events, revents;
                        bool registered;
                        evsrc_io_handler_t cb;
                } io;
                struct {
                        uint64_t next;
                        size_t idx; /* in the heap, or NOT_IN_HEAP */
                        evsrc_time_handler_t cb;
                } time;
                struct {
                        evsrc_defer_handler_t cb;
                } defer;
                struct {
                        int sig;
                        struct signalfd_siginfo si;
                        evsrc_signal_handler_t cb;
                } signal;
                struct {
                        int wd;
                        uint32_t mask;
                        const struct inotify_event *ev;
                        evsrc_inotify_handler_t cb;
                } inotify;
        };
};

struct evloop {
        unsigned n_ref;
        int epfd;
        bool running, exiting;
        int exit_code;
        uint64_t now;
        bool have_now;
        struct evsrc *pending_head, *pending_tail;
        struct evsrc *defers, *inotifies;
        struct evsrc **heap; /* enabled timers not pending, earliest first */
        size_t n_heap, n_timers, heap_cap;
        int sigfd;
        sigset_t sigmask;
        struct evsrc *signals[N_SIGNALS];
        int inofd;
        size_t ino_len; /* bytes of ino_buf read */
        union {
                struct inotify_event ev;
                char buf[4096];
        } ino;
        bool watchdog;
        uint64_t watchdog_period, watchdog_last;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the timer heap ---- */

static void heap_swap(struct evloop *e, size_t a, size_t b) {
        struct evsrc *t = e->heap[a];
        e->heap[a] = e->heap[b];
        e->heap[b] = t;
        e->heap[a]->time.idx = a;
        e->heap[b]->time.idx = b;
}

static void heap_up(struct evloop *e, size_t i) {
        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (e->heap[p]->time.next <= e->heap[i]->time.next)
                        break;
                heap_swap(e, i, p);
                i = p;
        }
}

static void heap_down(struct evloop *e, size_t i) {
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;
                if (l < e->n_heap && e->heap[l]->time.next < e->heap[m]->time.next)
                        m = l;
                if (r < e->n_heap && e->heap[r]->time.next < e->heap[m]->time.next)
                        m = r;
                if (m == i)
                        return;
                heap_swap(e, i, m);
                i = m;
        }
}

static void heap_remove(struct evloop *e, struct evsrc *s) {
        size_t i = s->time.idx;
        s->time.idx = NOT_IN_HEAP;
        if (--e->n_heap == i)
                return;
        e->heap[i] = e->heap[e->n_heap];
        e->heap[i]->time.idx = i;
        heap_up(e, i);
        heap_down(e, e->heap[i]->time.idx);
}

/* A timer is in the heap exactly when it is enabled and not pending. The heap has room for
 * every timer of the loop (reserved when it was added): no allocation here. */
static void timer_sync(struct evsrc *s) {
        struct evloop *e = s->loop;
        bool want = s->enabled != EVSRC_OFF && !s->pending && !s->dead;
        if (!want) {
                if (s->time.idx != NOT_IN_HEAP)
                        heap_remove(e, s);
                return;
        }
        if (s->time.idx == NOT_IN_HEAP) {
                s->time.idx = e->n_heap++;
                e->heap[s->time.idx] = s;
        }
        heap_up(e, s->time.idx);
        heap_down(e, s->time.idx);
}

/* ---- pending ---- */

static void pending_add(struct evsrc *s) {
        struct evloop *e = s->loop;
        if (s->pending)
                return;
        s->pending = true;
        s->pnext = NULL;
        s->pprev = e->pending_tail;
        if (e->pending_tail)
                e->pending_tail->pnext = s;
        else
                e->pending_head = s;
        e->pending_tail = s;
        if (s->type == SRC_TIME)
                timer_sync(s);
}

static void pending_remove(struct evsrc *s) {
        struct evloop *e = s->loop;
        if (!s->pending)
                return;
        if (s->pprev)
                s->pprev->pnext = s->pnext;
        else
                e->pending_head = s->pnext;
        if (s->pnext)
                s->pnext->pprev = s->pprev;
        else
                e->pending_tail = s->pprev;
        s->pnext = s->pprev = NULL;
        s->pending = false;
        if (s->type == SRC_TIME)
                timer_sync(s);
}

static void list_add(struct evsrc **head, struct evsrc *s) {
        s->prev = NULL;
        s->next = *head;
        if (*head)
                (*head)->prev = s;
        *head = s;
}

static void list_remove(struct evsrc **head, struct evsrc *s) {
        if (s->prev)
                s->prev->next = s->next;
        else if (*head == s)
                *head = s->next;
        if (s->next)
                s->next->prev = s->prev;
        s->next = s->prev = NULL;
}

/* ---- the loop ---- */

int evloop_new(struct evloop **ret) {
        struct evloop *e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        e->n_ref = 1;
        e->sigfd = e->inofd = -1;
        sigemptyset(&e->sigmask);
        e->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epfd < 0) {
                int r = -errno;
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

struct evloop *evloop_ref(struct evloop *e) {
        if (e)
                e->n_ref++;
        return e;
}

struct evloop *evloop_unref(struct evloop *e) {
        if (!e || --e->n_ref > 0)
                return NULL;
        /* every source holds a reference: none is left */
        if (e->sigfd >= 0)
                close(e->sigfd);
        if (e->inofd >= 0)
                close(e->inofd);
        close(e->epfd);
        free(e->heap);
        free(e);
        return NULL;
}

int evloop_exit(struct evloop *e, int code) {
        if (!e)
                return -EINVAL;
        e->exiting = true;
        e->exit_code = code;
        return 0;
}

int evloop_now(struct evloop *e, clockid_t clock, uint64_t *usec) {
        if (!e || !usec)
                return -EINVAL;
        if (clock != CLOCK_MONOTONIC)
                return -EOPNOTSUPP;
        if (!e->have_now) {
                *usec = now_usec();
                return 1;
        }
        *usec = e->now;
        return 0;
}

/* sd_watchdog_enabled()'s reading of the environment: the period, 0 when none is asked for
 * (or for another process), < 0 when malformed. */
static int watchdog_period(uint64_t *ret) {
        const char *s = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
        if (!s)
                return 0;
        char *end;
        errno = 0;
        unsigned long long u = strtoull(s, &end, 10);
        if (errno || end == s || *end || u == 0 || u == ULLONG_MAX)
                return -EINVAL;
        if (p) {
                errno = 0;
                long pid = strtol(p, &end, 10);
                if (errno || end == p || *end || pid <= 0)
                        return -EINVAL;
                if ((pid_t)pid != getpid())
                        return 0;
        }
        *ret = u;
        return 1;
}

static void watchdog_ping(struct evloop *e, uint64_t now) {
        int r = notify_send("WATCHDOG=1");
        if (r < 0)
                log_debug_errno(r, "Cannot send the watchdog ping: %m");
        e->watchdog_last = now;
}

int evloop_set_watchdog(struct evloop *e, bool b) {
        if (!e)
                return -EINVAL;
        e->watchdog = false;
        if (!b)
                return 0;
        uint64_t period;
        int r = watchdog_period(&period);
        if (r <= 0)
                return r;
        e->watchdog = true;
        e->watchdog_period = period;
        watchdog_ping(e, now_usec());
        return 1;
}

/* ---- sources ---- */

static const char *type_name[] = {[SRC_IO] = "io",
                                  [SRC_TIME] = "timer",
                                  [SRC_DEFER] = "defer",
                                  [SRC_SIGNAL] = "signal",
                                  [SRC_INOTIFY] = "inotify"};

static int signals_update(struct evloop *e) {
        int fd = signalfd(e->sigfd, &e->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (e->sigfd < 0) {
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &e->sigfd};
                if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                e->sigfd = fd;
        }
        return 0;
}

/* Turn the source's watch on or off (epoll, the heap, the signal mask). */
static int source_arm(struct evsrc *s, bool on) {
        struct evloop *e = s->loop;
        switch (s->type) {
        case SRC_IO:
                if (on && !s->io.registered) {
                        struct epoll_event ev = {.events = s->io.events, .data.ptr = s};
                        if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->io.fd, &ev) < 0)
                                return -errno;
                        s->io.registered = true;
                } else if (!on && s->io.registered) {
                        /* the descriptor may be closed already: nothing to remove then */
                        (void)epoll_ctl(e->epfd, EPOLL_CTL_DEL, s->io.fd, NULL);
                        s->io.registered = false;
                }
                return 0;
        case SRC_SIGNAL: {
                sigset_t old = e->sigmask;
                if (on)
                        sigaddset(&e->sigmask, s->signal.sig);
                else
                        sigdelset(&e->sigmask, s->signal.sig);
                int r = signals_update(e);
                if (r < 0)
                        e->sigmask = old;
                return r;
        }
        default:
                return 0;
        }
}

int evsrc_set_enabled(struct evsrc *s, int enabled) {
        if (!s)
                return enabled == EVSRC_OFF ? 0 : -EINVAL;
        if (enabled != EVSRC_OFF && enabled != EVSRC_ON && enabled != EVSRC_ONESHOT)
                return -EINVAL;
        if (s->dead)
                return enabled == EVSRC_OFF ? 0 : -ESTALE;
        if (enabled == EVSRC_OFF) {
                if (s->enabled == EVSRC_OFF)
                        return 0;
                pending_remove(s);
                (void)source_arm(s, false);
        } else if (s->enabled == EVSRC_OFF) {
                int r = source_arm(s, true);
                if (r < 0)
                        return r;
        }
        s->enabled = enabled;
        if (s->type == SRC_TIME)
                timer_sync(s);
        return 0;
}

int evsrc_get_enabled(struct evsrc *s, int *ret) {
        if (!s)
                return ret ? -EINVAL : 0;
        if (ret)
                *ret = s->enabled;
        return s->enabled != EVSRC_OFF;
}

int evsrc_set_time(struct evsrc *s, uint64_t usec) {
        if (!s)
                return -EINVAL;
        if (s->type != SRC_TIME)
                return -EDOM;
        s->time.next = usec;
        pending_remove(s); /* due again only at the new time */
        timer_sync(s);
        return 0;
}

int evsrc_set_io_events(struct evsrc *s, uint32_t events) {
        if (!s)
                return -EINVAL;
        if (s->type != SRC_IO)
                return -EDOM;
        if (s->io.registered && events != s->io.events) {
                struct epoll_event ev = {.events = events, .data.ptr = s};
                if (epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->io.fd, &ev) < 0)
                        return -errno;
        }
        s->io.events = events;
        pending_remove(s);
        return 0;
}

int evsrc_set_description(struct evsrc *s, const char *description) {
        if (!s)
                return -EINVAL;
        char *d = NULL;
        if (description && !(d = strdup(description)))
                return -ENOMEM;
        free(s->description);
        s->description = d;
        return 0;
}

struct evloop *evsrc_get_loop(struct evsrc *s) {
        return s ? s->loop : NULL;
}

/* Detach from everything the loop keeps (after this, no handler of s runs). */
static void source_disconnect(struct evsrc *s) {
        struct evloop *e = s->loop;
        (void)evsrc_set_enabled(s, EVSRC_OFF);
        pending_remove(s);
        switch (s->type) {
        case SRC_TIME:
                e->n_timers--;
                break;
        case SRC_DEFER:
                list_remove(&e->defers, s);
                break;
        case SRC_SIGNAL:
                e->signals[s->signal.sig] = NULL;
                break;
        case SRC_INOTIFY: {
                list_remove(&e->inotifies, s);
                bool shared = false;
                for (struct evsrc *o = e->inotifies; o; o = o->next)
                        shared = shared || o->inotify.wd == s->inotify.wd;
                if (!shared)
                        (void)inotify_rm_watch(e->inofd, s->inotify.wd);
                break;
        }
        default:
                break;
        }
        s->dead = true;
}

static void source_free(struct evsrc *s) {
        struct evloop *e = s->loop;
        free(s->description);
        free(s);
        evloop_unref(e);
}

struct evsrc *evsrc_unref(struct evsrc *s) {
        if (!s || --s->n_ref > 0)
                return NULL;
        if (!s->dead)
                source_disconnect(s);
        if (!s->dispatching)
                source_free(s);
        return NULL;
}

struct evsrc *evsrc_disable_unref(struct evsrc *s) {
        (void)evsrc_set_enabled(s, EVSRC_OFF);
        return evsrc_unref(s);
}

static struct evsrc *source_new(struct evloop *e, enum evsrc_type type, int enabled,
                                void *userdata) {
        struct evsrc *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        s->n_ref = 1;
        s->loop = evloop_ref(e);
        s->type = type;
        s->enabled = enabled;
        s->userdata = userdata;
        return s;
}

int evloop_add_io(struct evloop *e, struct evsrc **ret, int fd, uint32_t events,
                  evsrc_io_handler_t cb, void *userdata) {
        if (!e || !ret || fd < 0 || !cb)
                return -EINVAL;
        struct evsrc *s = source_new(e, SRC_IO, EVSRC_OFF, userdata);
        if (!s)
                return -ENOMEM;
        s->io.fd = fd;
        s->io.events = events;
        s->io.cb = cb;
        int r = evsrc_set_enabled(s, EVSRC_ON);
        if (r < 0) {
                source_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int evloop_add_time(struct evloop *e, struct evsrc **ret, clockid_t clock, uint64_t usec,
                    uint64_t accuracy, evsrc_time_handler_t cb, void *userdata) {
        if (!e || !ret || !cb)
                return -EINVAL;
        if (clock != CLOCK_MONOTONIC)
                return -EOPNOTSUPP;
        if (e->n_timers == e->heap_cap) {
                size_t cap = e->heap_cap ? 2 * e->heap_cap : 16;
                struct evsrc **h = realloc(e->heap, cap * sizeof *h);
                if (!h)
                        return -ENOMEM;
                e->heap = h;
                e->heap_cap = cap;
        }
        struct evsrc *s = source_new(e, SRC_TIME, EVSRC_ONESHOT, userdata);
        if (!s)
                return -ENOMEM;
        e->n_timers++;
        s->time.next = usec;
        s->time.idx = NOT_IN_HEAP;
        s->time.cb = cb;
        timer_sync(s);
        *ret = s;
        return 0;
}

int evloop_add_defer(struct evloop *e, struct evsrc **ret, evsrc_defer_handler_t cb,
                     void *userdata) {
        if (!e || !ret || !cb)
                return -EINVAL;
        struct evsrc *s = source_new(e, SRC_DEFER, EVSRC_ONESHOT, userdata);
        if (!s)
                return -ENOMEM;
        s->defer.cb = cb;
        list_add(&e->defers, s);
        *ret = s;
        return 0;
}

int evloop_add_signal(struct evloop *e, struct evsrc **ret, int sig, evsrc_signal_handler_t cb,
                      void *userdata) {
        if (!e || !ret || !cb || sig <= 0 || sig >= N_SIGNALS)
                return -EINVAL;
        if (e->signals[sig])
                return -EBUSY;
        struct evsrc *s = source_new(e, SRC_SIGNAL, EVSRC_OFF, userdata);
        if (!s)
                return -ENOMEM;
        s->signal.sig = sig;
        s->signal.cb = cb;
        int r = evsrc_set_enabled(s, EVSRC_ON);
        if (r < 0) {
                source_free(s);
                return r;
        }
        e->signals[sig] = s;
        *ret = s;
        return 0;
}

int evloop_add_inotify(struct evloop *e, struct evsrc **ret, const char *path, uint32_t mask,
                       evsrc_inotify_handler_t cb, void *userdata) {
        if (!e || !ret || !path || !cb)
                return -EINVAL;
        if (e->inofd < 0) {
                int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                if (fd < 0)
                        return -errno;
                struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &e->inofd};
                if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                e->inofd = fd;
        }
        /* IN_MASK_ADD: another source may watch the same inode with other events */
        int wd = inotify_add_watch(e->inofd, path, mask | IN_MASK_ADD);
        if (wd < 0)
                return -errno;
        struct evsrc *s = source_new(e, SRC_INOTIFY, EVSRC_ON, userdata);
        if (!s)
                return -ENOMEM;
        s->inotify.wd = wd;
        s->inotify.mask = mask;
        s->inotify.cb = cb;
        list_add(&e->inotifies, s);
        *ret = s;
        return 0;
}

/* ---- dispatch ---- */

static int source_dispatch(struct evsrc *s) {
        if (s->enabled == EVSRC_ONESHOT)
                (void)evsrc_set_enabled(s, EVSRC_OFF);
        s->dispatching = true;
        int r = 0;
        switch (s->type) {
        case SRC_IO:
                r = s->io.cb(s, s->io.fd, s->io.revents, s->userdata);
                break;
        case SRC_TIME:
                r = s->time.cb(s, s->time.next, s->userdata);
                break;
        case SRC_DEFER:
                r = s->defer.cb(s, s->userdata);
                break;
        case SRC_SIGNAL:
                r = s->signal.cb(s, &s->signal.si, s->userdata);
                break;
        case SRC_INOTIFY:
                r = s->inotify.cb(s, s->inotify.ev, s->userdata);
                break;
        }
        s->dispatching = false;
        if (s->dead) {
                if (s->n_ref == 0)
                        source_free(s);
                return 1;
        }
        if (r < 0) {
                log_debug_errno(r, "Event source %s returned an error (%m): disabled",
                                s->description ? s->description : type_name[s->type]);
                (void)evsrc_set_enabled(s, EVSRC_OFF);
        }
        return 1;
}

/* Runs the handlers of the pending sources in the order they came; a handler may disable or
 * release any of them, which takes it out of the list. */
static int dispatch_pending(struct evloop *e) {
        int n = 0;
        struct evsrc *s;
        while (!e->exiting && (s = e->pending_head)) {
                pending_remove(s);
                if (s->enabled == EVSRC_OFF)
                        continue;
                n += source_dispatch(s);
        }
        return n;
}

static int dispatch_signals(struct evloop *e) {
        int n = 0;
        struct signalfd_siginfo si;
        while (!e->exiting && read(e->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                struct evsrc *s = si.ssi_signo < N_SIGNALS ? e->signals[si.ssi_signo] : NULL;
                if (!s || s->enabled == EVSRC_OFF)
                        continue;
                s->signal.si = si;
                pending_add(s);
                n += dispatch_pending(e);
        }
        return n;
}

static int dispatch_inotify(struct evloop *e) {
        int n = 0;
        ssize_t len = read(e->inofd, e->ino.buf, sizeof e->ino.buf);
        if (len <= 0)
                return 0;
        e->ino_len = (size_t)len;
        for (size_t off = 0; off + sizeof(struct inotify_event) <= e->ino_len && !e->exiting;) {
                const struct inotify_event *ev = (const void *)(e->ino.buf + off);
                off += sizeof *ev + ev->len;
                for (struct evsrc *s = e->inotifies; s; s = s->next) {
                        bool mine = ev->wd == s->inotify.wd || (ev->mask & IN_Q_OVERFLOW);
                        uint32_t want = s->inotify.mask | IN_Q_OVERFLOW | IN_IGNORED | IN_UNMOUNT;
                        if (mine && (ev->mask & want) && s->enabled != EVSRC_OFF) {
                                s->inotify.ev = ev;
                                pending_add(s);
                        }
                }
                n += dispatch_pending(e);
        }
        return n;
}

static int wait_timeout_ms(struct evloop *e, uint64_t timeout_usec) {
        if (e->pending_head)
                return 0;
        for (struct evsrc *s = e->defers; s; s = s->next)
                if (s->enabled != EVSRC_OFF)
                        return 0;
        uint64_t now = now_usec(), deadline = UINT64_MAX;
        if (timeout_usec != UINT64_MAX)
                deadline = timeout_usec > UINT64_MAX - now ? UINT64_MAX - 1 : now + timeout_usec;
        if (e->n_heap && e->heap[0]->time.next < deadline)
                deadline = e->heap[0]->time.next;
        if (e->watchdog && e->watchdog_last + e->watchdog_period / 2 < deadline)
                deadline = e->watchdog_last + e->watchdog_period / 2;
        if (deadline == UINT64_MAX)
                return -1;
        if (deadline <= now)
                return 0;
        uint64_t ms = (deadline - now + 999) / 1000; /* rounded up: never early */
        return ms > INT_MAX ? INT_MAX : (int)ms;
}

int evloop_run(struct evloop *e, uint64_t timeout_usec) {
        if (!e)
                return -EINVAL;
        if (e->running)
                return -EBUSY;
        if (e->exiting)
                return 0;
        struct epoll_event evs[32];
        int n = epoll_wait(e->epfd, evs, 32, wait_timeout_ms(e, timeout_usec));
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        evloop_ref(e);
        e->running = true;
        e->now = now_usec();
        e->have_now = true;
        bool sig = false, ino = false;
        for (int i = 0; i < n; i++) {
                if (evs[i].data.ptr == &e->sigfd)
                        sig = true;
                else if (evs[i].data.ptr == &e->inofd)
                        ino = true;
                else {
                        struct evsrc *s = evs[i].data.ptr;
                        s->io.revents = evs[i].events;
                        pending_add(s);
                }
        }
        while (e->n_heap && e->heap[0]->time.next <= e->now)
                pending_add(e->heap[0]);
        for (struct evsrc *s = e->defers; s; s = s->next)
                if (s->enabled != EVSRC_OFF)
                        pending_add(s);
        if (e->watchdog && e->now >= e->watchdog_last + e->watchdog_period / 2)
                watchdog_ping(e, e->now);

        int dispatched = dispatch_pending(e);
        if (sig)
                dispatched += dispatch_signals(e);
        if (ino)
                dispatched += dispatch_inotify(e);
        e->running = false;
        evloop_unref(e);
        return dispatched > 0;
}

int evloop_loop(struct evloop *e) {
        if (!e)
                return -EINVAL;
        evloop_ref(e);
        int r = 0;
        while (!e->exiting && r >= 0)
                r = evloop_run(e, UINT64_MAX);
        if (r >= 0)
                r = e->exit_code;
        evloop_unref(e);
        return r;
}
