/* kvm-event.c - libvirt's event loop on ours: virEventRegisterImpl with evloop sources.
 * libvirt watches its sockets and arms its timers through these functions, so its events
 * (domain lifecycle, keepalive, connection close) are dispatched by the agent's one loop.
 *
 * libvirt may call these functions from any thread: the connection is opened on a short-lived
 * thread (kvm-conn.c) so that a libvirtd that accepts and never answers cannot stop the loop.
 * evloop is not thread-safe, so a call from another thread only records the change under the
 * lock and wakes the loop through an eventfd; the loop applies it. Callbacks into libvirt are
 * made without the lock held (they call back into these functions). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm-dl.h"

#include "kvm.h"
#include "log.h"

struct kvm_watch {
        int id;
        bool timer;     /* a timeout, else an fd handle */
        int fd, events; /* handle: fd and VIR_EVENT_HANDLE_* wanted */
        int interval;   /* timeout: ms, 0 = every iteration, -1 = off */
        virEventHandleCallback hcb;
        virEventTimeoutCallback tcb;
        void *opaque;
        virFreeCallback ff;
        struct evsrc *src;
        bool removed;
        bool dirty; /* changed by another thread: the loop applies it */
        struct kvm_watch *next;
};

static struct {
        struct evloop *loop;
        struct kvm_watch *list;
        int next_id;
        unsigned active;
        struct evsrc *reaper; /* runs the free functions of removed watches */
        bool registered;
        pthread_mutex_t lock;
        pthread_t loop_thread;
        int wake_fd; /* eventfd: another thread changed a watch */
        struct evsrc *wake;
        bool pending;
} ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1};

static bool on_loop(void) {
        return ev.loop && pthread_equal(pthread_self(), ev.loop_thread);
}

static struct kvm_watch *find(int id) {
        for (struct kvm_watch *w = ev.list; w; w = w->next)
                if (w->id == id && !w->removed)
                        return w;
        return NULL;
}

static uint32_t to_epoll(int events) {
        uint32_t e = 0;
        if (events & VIR_EVENT_HANDLE_READABLE)
                e |= EPOLLIN;
        if (events & VIR_EVENT_HANDLE_WRITABLE)
                e |= EPOLLOUT;
        return e; /* errors and hang-ups are always reported */
}

static int from_epoll(uint32_t e) {
        int events = 0;
        if (e & EPOLLIN)
                events |= VIR_EVENT_HANDLE_READABLE;
        if (e & EPOLLOUT)
                events |= VIR_EVENT_HANDLE_WRITABLE;
        if (e & EPOLLERR)
                events |= VIR_EVENT_HANDLE_ERROR;
        if (e & EPOLLHUP)
                events |= VIR_EVENT_HANDLE_HANGUP;
        return events;
}

static int on_io(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct kvm_watch *w = userdata;
        pthread_mutex_lock(&ev.lock);
        bool live = !w->removed && w->hcb;
        int id = w->id;
        virEventHandleCallback cb = w->hcb;
        void *opaque = w->opaque;
        pthread_mutex_unlock(&ev.lock);
        if (live) /* w is freed only by the loop, after the reaper: still here */
                cb(id, fd, from_epoll(revents), opaque);
        return 0;
}

/* Loop thread, lock held. */
static void arm_timer(struct kvm_watch *w) {
        if (!w->src)
                return;
        if (w->interval < 0) {
                evsrc_set_enabled(w->src, EVSRC_OFF);
                return;
        }
        uint64_t now;
        evloop_now(ev.loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(w->src, now + (uint64_t)w->interval * 1000);
        evsrc_set_enabled(w->src, EVSRC_ONESHOT);
}

static int on_time(struct evsrc *s, uint64_t usec, void *userdata) {
        struct kvm_watch *w = userdata;
        pthread_mutex_lock(&ev.lock);
        bool live = !w->removed && w->tcb;
        if (!w->removed)
                arm_timer(w); /* periodic until updated or removed; the callback may change it */
        int id = w->id;
        virEventTimeoutCallback cb = w->tcb;
        void *opaque = w->opaque;
        pthread_mutex_unlock(&ev.lock);
        if (live)
                cb(id, opaque);
        return 0;
}

static int on_reap(struct evsrc *s, void *userdata) {
        kvm_event_flush();
        return 0;
}

/* Loop thread, lock held. */
static void schedule_reaper(void) {
        if (!ev.reaper && ev.loop)
                evloop_add_defer(ev.loop, &ev.reaper, on_reap, NULL);
        else if (ev.reaper)
                evsrc_set_enabled(ev.reaper, EVSRC_ONESHOT);
}

/* Loop thread, lock held: make w's evloop source what its fields say. Returns -errno when
 * the source cannot be made. */
static int apply(struct kvm_watch *w) {
        w->dirty = false;
        if (w->removed) {
                w->src = evsrc_disable_unref(w->src);
                schedule_reaper();
                return 0;
        }
        if (w->timer) {
                if (!w->src) {
                        int r = evloop_add_time(ev.loop, &w->src, CLOCK_MONOTONIC, 0, 1000, on_time,
                                                w);
                        if (r < 0)
                                return r;
                }
                arm_timer(w);
                return 0;
        }
        if (!w->src) {
                int r = evloop_add_io(ev.loop, &w->src, w->fd, to_epoll(w->events), on_io, w);
                if (r < 0)
                        return r;
        }
        if (w->events == 0) {
                evsrc_set_enabled(w->src, EVSRC_OFF);
                return 0;
        }
        evsrc_set_io_events(w->src, to_epoll(w->events));
        evsrc_set_enabled(w->src, EVSRC_ON);
        return 0;
}

/* Lock held: apply now on the loop's thread, else leave it to the loop. */
static int changed(struct kvm_watch *w) {
        if (on_loop())
                return apply(w);
        w->dirty = true;
        if (!ev.pending) {
                ev.pending = true;
                uint64_t one = 1;
                if (write(ev.wake_fd, &one, sizeof one) < 0) {
                        /* the counter is full: the loop has a wake-up pending anyway */
                }
        }
        return 0;
}

static int on_wake(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        uint64_t n;
        if (read(fd, &n, sizeof n) < 0) {
                /* EAGAIN: another wake-up read it first */
        }
        pthread_mutex_lock(&ev.lock);
        ev.pending = false;
        for (struct kvm_watch *w = ev.list; w; w = w->next) {
                if (!w->dirty)
                        continue;
                int r = apply(w);
                if (r < 0) {
                        /* libvirt already has the id: the watch stays, with no source */
                        log_warning_errno(r, "kvm: cannot watch libvirt's %s: %m",
                                          w->timer ? "timer" : "fd");
                }
        }
        pthread_mutex_unlock(&ev.lock);
        return 0;
}

/* Lock held. */
static struct kvm_watch *watch_new(void) {
        struct kvm_watch *w = calloc(1, sizeof *w);
        if (!w)
                return NULL;
        w->id = ++ev.next_id;
        w->next = ev.list;
        ev.list = w;
        ev.active++;
        return w;
}

/* libvirt may remove a watch while it holds its own locks: the free function runs later,
 * from the loop (as libvirt's default implementation does). Lock held. */
static int watch_remove(int id, bool timer) {
        struct kvm_watch *w = find(id);
        if (!w || w->timer != timer)
                return -1;
        w->removed = true;
        ev.active--;
        changed(w);
        return 0;
}

static int add_watch(struct kvm_watch *w) {
        int r = changed(w);
        if (r < 0) {
                log_warning_errno(r, "kvm: cannot watch libvirt's %s: %m",
                                  w->timer ? "timer" : "fd");
                w->ff = NULL; /* libvirt frees opaque itself on failure */
                watch_remove(w->id, w->timer);
                return -1;
        }
        return w->id;
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque,
                      virFreeCallback ff) {
        pthread_mutex_lock(&ev.lock);
        struct kvm_watch *w = watch_new();
        int id = -1;
        if (w) {
                w->fd = fd;
                w->events = events;
                w->hcb = cb;
                w->opaque = opaque;
                w->ff = ff;
                id = add_watch(w);
        }
        pthread_mutex_unlock(&ev.lock);
        return id;
}

static void update_handle(int id, int events) {
        pthread_mutex_lock(&ev.lock);
        struct kvm_watch *w = find(id);
        if (w && !w->timer) {
                w->events = events;
                changed(w);
        }
        pthread_mutex_unlock(&ev.lock);
}

static int remove_handle(int id) {
        pthread_mutex_lock(&ev.lock);
        int r = watch_remove(id, false);
        pthread_mutex_unlock(&ev.lock);
        return r;
}

static int add_timeout(int interval, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff) {
        pthread_mutex_lock(&ev.lock);
        struct kvm_watch *w = watch_new();
        int id = -1;
        if (w) {
                w->timer = true;
                w->interval = interval;
                w->tcb = cb;
                w->opaque = opaque;
                w->ff = ff;
                id = add_watch(w);
        }
        pthread_mutex_unlock(&ev.lock);
        return id;
}

static void update_timeout(int id, int interval) {
        pthread_mutex_lock(&ev.lock);
        struct kvm_watch *w = find(id);
        if (w && w->timer) {
                w->interval = interval;
                changed(w);
        }
        pthread_mutex_unlock(&ev.lock);
}

static int remove_timeout(int id) {
        pthread_mutex_lock(&ev.lock);
        int r = watch_remove(id, true);
        pthread_mutex_unlock(&ev.lock);
        return r;
}

int kvm_event_register(struct evloop *loop) {
        pthread_mutex_lock(&ev.lock);
        int r = 0;
        if (ev.loop != loop) {
                ev.reaper = evsrc_disable_unref(ev.reaper);
                ev.wake = evsrc_disable_unref(ev.wake);
                ev.loop = loop;
        }
        ev.loop_thread = pthread_self();
        if (ev.wake_fd < 0 && (ev.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
                r = -errno;
        if (r == 0 && !ev.wake)
                r = evloop_add_io(loop, &ev.wake, ev.wake_fd, EPOLLIN, on_wake, NULL);
        pthread_mutex_unlock(&ev.lock);
        if (r < 0)
                return log_error_errno(r, "kvm: cannot watch libvirt's events: %m");
        if (!ev.registered) {
                sym_virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout,
                                         update_timeout, remove_timeout);
                ev.registered = true;
        }
        return 0;
}

void kvm_event_flush(void) {
        struct kvm_watch *dead = NULL;
        pthread_mutex_lock(&ev.lock);
        struct kvm_watch **pp = &ev.list;
        while (*pp) {
                struct kvm_watch *w = *pp;
                if (!w->removed) {
                        pp = &w->next;
                        continue;
                }
                w->src = evsrc_disable_unref(w->src);
                *pp = w->next;
                w->next = dead;
                dead = w;
        }
        if (!ev.list && ev.reaper)
                ev.reaper = evsrc_disable_unref(ev.reaper);
        pthread_mutex_unlock(&ev.lock);
        while (dead) { /* libvirt's free functions may call back into the functions above */
                struct kvm_watch *w = dead;
                dead = w->next;
                if (w->ff)
                        w->ff(w->opaque);
                free(w);
        }
}

unsigned kvm_event_active(void) {
        pthread_mutex_lock(&ev.lock);
        unsigned n = ev.active;
        pthread_mutex_unlock(&ev.lock);
        return n;
}
