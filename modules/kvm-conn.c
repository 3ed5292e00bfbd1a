/* kvm-conn.c - the kvm module's read-only libvirt connection: open, lifecycle events, listing
 * of running domains, and reconnection with backoff when libvirtd goes away.
 *
 * Opening and the first listing are synchronous libvirt calls, and a libvirtd that accepts the
 * connection and never answers (one that is starting or stopping, or hung) would hold them, and
 * with them the agent's loop, for ever: no keepalive runs before the connection is open. So each
 * attempt runs on a short-lived thread (libvirt is thread-safe; the event implementation takes
 * calls from any thread, kvm-event.c) that opens the connection, subscribes to lifecycle events,
 * turns keepalive on and lists the running domains, then hands the result to the loop through an
 * eventfd. An attempt that has not finished after kvm_conn_timeout_usec (10 s) is given up: the
 * loop retries with a new one and the old thread closes what it opened when libvirt returns. After
 * the hand-off, every call is made from the loop, under keepalive (a silent libvirtd is dropped
 * after KEEPALIVE_INTERVAL x 3 s). Events that arrive between the subscription and the hand-off are
 * queued and replayed after the listing, so none is lost or applied before the list. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm-dl.h"

#include "kvm.h"
#include "log.h"

#define RETRY_FIRST_USEC 250000ULL
#define RETRY_MAX_USEC 8000000ULL
#define KEEPALIVE_INTERVAL 5 /* s; libvirtd gone silent is noticed after 3 unanswered */
#define MAX_STUCK 4          /* given-up attempts still inside libvirt: no new thread beyond this */

struct kvm_queued {
        virDomainPtr dom;
        int event, detail;
        struct kvm_queued *next;
};

/* One attempt. References: the loop's (until adopted and disconnected, or given up), the
 * thread's (until it returns), and the event subscription's (libvirt drops it through the free
 * callback once no event can be dispatched to it any more). */
struct kvm_attempt {
        int refs;
        pthread_mutex_t lock;
        bool done;      /* the thread has stored its result */
        bool abandoned; /* the loop wants neither the result nor the events */
        char *uri;
        int fd; /* eventfd: done */
        /* the thread's result */
        virConnectPtr conn;
        int event_id;
        virDomainPtr *doms;
        int n;
        const char *failed; /* what could not be done, NULL: connected and listed */
        char error[256];
        /* loop thread only */
        struct kvm_conn *owner; /* adopted: events go to it */
        struct kvm_queued *queue, **tail;
        struct evsrc *done_src;
};

struct kvm_conn {
        struct evloop *loop;
        char *uri;
        const struct kvm_conn_callbacks *cb;
        void *userdata;
        struct kvm_attempt *pending; /* in flight */
        struct kvm_attempt *current; /* adopted: conn is its connection */
        virConnectPtr conn;
        int event_id;
        bool closed_cb;
        struct evsrc *retry, *drop, *deadline;
        uint64_t backoff;
        unsigned connects, failures, given_up;
};

static int stuck; /* given-up attempts whose thread is still in libvirt (atomic) */
uint64_t kvm_conn_timeout_usec = 10000000ULL; /* open + subscribe + list */

static void schedule_retry(struct kvm_conn *c);
static void on_close(virConnectPtr conn, int reason, void *opaque);

static const char *uri_name(const char *uri) {
        return uri ? uri : "libvirt's default URI";
}

static void queue_drain(struct kvm_attempt *a) {
        while (a->queue) {
                struct kvm_queued *q = a->queue;
                a->queue = q->next;
                sym_virDomainFree(q->dom);
                free(q);
        }
        a->tail = &a->queue;
}

static void attempt_unref(void *p) {
        struct kvm_attempt *a = p;
        if (__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) > 0)
                return;
        queue_drain(a); /* empty unless the loop dropped it with events queued */
        if (a->fd >= 0)
                close(a->fd);
        pthread_mutex_destroy(&a->lock);
        free(a->uri);
        free(a);
}

/* Lifecycle events are dispatched from libvirt's event timer, on the loop's thread. */
static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque) {
        struct kvm_attempt *a = opaque;
        pthread_mutex_lock(&a->lock);
        bool abandoned = a->abandoned;
        pthread_mutex_unlock(&a->lock);
        if (abandoned)
                return 0;
        if (a->owner) {
                a->owner->cb->event(dom, event, detail, a->owner->userdata);
                return 0;
        }
        struct kvm_queued *q = calloc(1, sizeof *q); /* before the hand-off: replayed after it */
        if (!q) {
                log_warning("kvm: out of memory: a lifecycle event is lost (the next poll sees "
                            "the domain's state)");
                return 0;
        }
        sym_virDomainRef(dom);
        q->dom = dom;
        q->event = event;
        q->detail = detail;
        *a->tail = q;
        a->tail = &q->next;
        return 0;
}

/* Close what an attempt opened (any thread). */
static void attempt_close(struct kvm_attempt *a) {
        for (int i = 0; i < a->n; i++)
                sym_virDomainFree(a->doms[i]);
        free(a->doms);
        a->doms = NULL;
        a->n = 0;
        if (!a->conn)
                return;
        if (a->event_id >= 0)
                sym_virConnectDomainEventDeregisterAny(a->conn, a->event_id);
        a->event_id = -1;
        sym_virConnectClose(a->conn);
        a->conn = NULL;
}

static void attempt_fail(struct kvm_attempt *a, const char *what) {
        const char *m = sym_virGetLastErrorMessage(); /* the thread's own last error */
        a->failed = what;
        snprintf(a->error, sizeof a->error, "%s", m ? m : "unknown error");
        attempt_close(a);
}

static void *attempt_run(void *p) {
        struct kvm_attempt *a = p;
        a->conn = sym_virConnectOpenReadOnly(a->uri);
        if (!a->conn) {
                attempt_fail(a, "connect to");
        } else {
                __atomic_add_fetch(&a->refs, 1, __ATOMIC_ACQ_REL); /* the subscription's */
                a->event_id = sym_virConnectDomainEventRegisterAny(
                        a->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                        VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), a, attempt_unref);
                if (a->event_id < 0) {
                        attempt_unref(a); /* libvirt does not call the free callback on failure */
                        attempt_fail(a, "follow the domain events of");
                } else {
                        /* remote connections only; the in-process drivers (test://) refuse it */
                        (void)sym_virConnectSetKeepAlive(a->conn, KEEPALIVE_INTERVAL, 3);
                        a->n = sym_virConnectListAllDomains(a->conn, &a->doms,
                                                            VIR_CONNECT_LIST_DOMAINS_ACTIVE);
                        if (a->n < 0) {
                                a->n = 0;
                                attempt_fail(a, "list the domains of");
                        }
                }
        }
        pthread_mutex_lock(&a->lock);
        a->done = true;
        bool abandoned = a->abandoned;
        pthread_mutex_unlock(&a->lock);
        if (abandoned) {
                attempt_close(a);
                __atomic_sub_fetch(&stuck, 1, __ATOMIC_ACQ_REL);
        } else if (eventfd_write(a->fd, 1) < 0) {
                /* cannot happen with a counter of 1; the deadline takes the result anyway */
        }
        attempt_unref(a);
        return NULL;
}

/* Loop: the loop's reference. With done, what the thread opened is closed here; without, the
 * thread closes it when libvirt returns. Returns whether the thread was still running. */
static bool attempt_drop(struct kvm_attempt *a) {
        pthread_mutex_lock(&a->lock);
        bool running = !a->done;
        a->abandoned = true;
        pthread_mutex_unlock(&a->lock);
        a->done_src = evsrc_disable_unref(a->done_src);
        a->owner = NULL;
        queue_drain(a);
        if (running)
                __atomic_add_fetch(&stuck, 1, __ATOMIC_ACQ_REL);
        else
                attempt_close(a);
        attempt_unref(a);
        return running;
}

static void disconnect(struct kvm_conn *c) {
        c->deadline = evsrc_disable_unref(c->deadline);
        if (c->pending) {
                attempt_drop(c->pending);
                c->pending = NULL;
        }
        if (!c->current)
                return;
        if (c->closed_cb)
                sym_virConnectUnregisterCloseCallback(c->conn, on_close);
        c->closed_cb = false;
        c->current->owner = NULL;
        attempt_drop(c->current); /* unsubscribes and closes on this thread */
        c->current = NULL;
        c->conn = NULL;
        c->event_id = -1;
}

static void adopt(struct kvm_conn *c, struct kvm_attempt *a) {
        const char *name = uri_name(c->uri);
        c->pending = NULL;
        c->deadline = evsrc_disable_unref(c->deadline);
        a->done_src = evsrc_disable_unref(a->done_src);
        if (a->failed) {
                if (c->failures++ == 0)
                        log_warning("kvm: cannot %s %s: %s; retrying", a->failed, name, a->error);
                else
                        log_debug("kvm: cannot %s %s: %s", a->failed, name, a->error);
                attempt_drop(a);
                schedule_retry(c);
                return;
        }
        c->current = a;
        c->conn = a->conn;
        c->event_id = a->event_id;
        a->owner = c;
        c->closed_cb = sym_virConnectRegisterCloseCallback(c->conn, on_close, c, NULL) == 0;
        char *uri = sym_virConnectGetURI(c->conn);
        log_info("kvm: connected to %s (%d running domains)", uri ? uri : name, a->n);
        free(uri);
        c->connects++;
        c->failures = 0;
        c->backoff = 0;
        c->cb->listed_begin(c->userdata);
        for (int i = 0; i < a->n; i++)
                c->cb->running(a->doms[i], c->userdata); /* takes the reference */
        free(a->doms);
        a->doms = NULL;
        a->n = 0;
        c->cb->listed_end(c->userdata);
        /* the events of the time between the subscription and now, in their order */
        while (a->queue && a->owner == c) {
                struct kvm_queued *q = a->queue;
                a->queue = q->next;
                c->cb->event(q->dom, q->event, q->detail, c->userdata);
                sym_virDomainFree(q->dom);
                free(q);
        }
        a->tail = &a->queue;
        /* closed before the close callback was there: it would never be called */
        if (c->current == a && sym_virConnectIsAlive(c->conn) == 0)
                on_close(c->conn, VIR_CONNECT_CLOSE_REASON_EOF, c);
}

static int on_done(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct kvm_conn *c = userdata;
        struct kvm_attempt *a = c->pending;
        eventfd_t v;
        (void)eventfd_read(fd, &v);
        if (a)
                adopt(c, a);
        return 0;
}

static int on_deadline(struct evsrc *s, uint64_t usec, void *userdata) {
        struct kvm_conn *c = userdata;
        c->deadline = evsrc_unref(c->deadline);
        struct kvm_attempt *a = c->pending;
        if (!a)
                return 0;
        pthread_mutex_lock(&a->lock);
        bool done = a->done;
        pthread_mutex_unlock(&a->lock);
        if (done) { /* finished as the deadline came: take it */
                adopt(c, a);
                return 0;
        }
        c->pending = NULL;
        attempt_drop(a);
        c->given_up++;
        if (c->failures++ == 0)
                log_warning("kvm: %s did not answer within %.1f s; trying again with a new "
                            "connection",
                            uri_name(c->uri), kvm_conn_timeout_usec / 1e6);
        else
                log_debug("kvm: %s did not answer within %.1f s", uri_name(c->uri),
                          kvm_conn_timeout_usec / 1e6);
        schedule_retry(c);
        return 0;
}

static int start_attempt(struct kvm_conn *c) {
        if (__atomic_load_n(&stuck, __ATOMIC_ACQUIRE) >= MAX_STUCK) {
                log_debug("kvm: %d attempts still wait for libvirt: not starting another", stuck);
                return -EBUSY;
        }
        struct kvm_attempt *a = calloc(1, sizeof *a);
        if (!a)
                return log_error_errno(-ENOMEM, "kvm: cannot connect: %m");
        a->refs = 2; /* the loop's and the thread's */
        a->fd = -1;
        a->event_id = -1;
        a->tail = &a->queue;
        pthread_mutex_init(&a->lock, NULL);
        int r = 0;
        if (c->uri && !(a->uri = strdup(c->uri)))
                r = -ENOMEM;
        if (r == 0 && (a->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
                r = -errno;
        if (r == 0)
                r = evloop_add_io(c->loop, &a->done_src, a->fd, EPOLLIN, on_done, c);
        uint64_t now;
        evloop_now(c->loop, CLOCK_MONOTONIC, &now);
        if (r == 0)
                r = evloop_add_time(c->loop, &c->deadline, CLOCK_MONOTONIC,
                                    now + kvm_conn_timeout_usec, 10000, on_deadline, c);
        if (r == 0) {
                pthread_attr_t attr;
                sigset_t all, old;
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                sigfillset(&all); /* signals are the loop's (signalfd) */
                pthread_sigmask(SIG_SETMASK, &all, &old);
                pthread_t t;
                r = -pthread_create(&t, &attr, attempt_run, a);
                pthread_sigmask(SIG_SETMASK, &old, NULL);
                pthread_attr_destroy(&attr);
        }
        if (r < 0) {
                c->deadline = evsrc_disable_unref(c->deadline);
                a->refs = 1; /* no thread */
                a->done = true;
                attempt_drop(a);
                return log_error_errno(r, "kvm: cannot start connecting to %s: %m",
                                       uri_name(c->uri));
        }
        c->pending = a;
        return 0;
}

static int on_retry(struct evsrc *s, uint64_t usec, void *userdata) {
        struct kvm_conn *c = userdata;
        c->retry = evsrc_unref(c->retry);
        if (start_attempt(c) < 0)
                schedule_retry(c);
        return 0;
}

static void schedule_retry(struct kvm_conn *c) {
        c->backoff = c->backoff ? c->backoff * 2 : RETRY_FIRST_USEC;
        if (c->backoff > RETRY_MAX_USEC)
                c->backoff = RETRY_MAX_USEC;
        uint64_t now;
        evloop_now(c->loop, CLOCK_MONOTONIC, &now);
        c->retry = evsrc_disable_unref(c->retry);
        int r = evloop_add_time(c->loop, &c->retry, CLOCK_MONOTONIC, now + c->backoff, 10000,
                                on_retry, c);
        if (r < 0)
                log_error_errno(r, "kvm: cannot schedule the reconnection: %m");
}

/* Closing the connection from inside libvirt's own callback is not allowed: do it from the
 * loop, then tell the module and try again. */
static int on_drop(struct evsrc *s, void *userdata) {
        struct kvm_conn *c = userdata;
        c->drop = evsrc_unref(c->drop);
        disconnect(c);
        c->cb->disconnected(c->userdata);
        schedule_retry(c);
        return 0;
}

static void on_close(virConnectPtr conn, int reason, void *opaque) {
        struct kvm_conn *c = opaque;
        static const char *const reasons[] = {"error", "end of file", "keepalive timeout",
                                              "client request"};
        log_warning("kvm: connection to libvirt closed (%s); reconnecting",
                    reason >= 0 && reason < 4 ? reasons[reason] : "unknown reason");
        if (!c->drop && evloop_add_defer(c->loop, &c->drop, on_drop, c) < 0)
                log_error("kvm: cannot schedule the reconnection");
}

int kvm_conn_new(struct evloop *loop, const char *uri, const struct kvm_conn_callbacks *cb,
                 void *userdata, struct kvm_conn **ret) {
        struct kvm_conn *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->loop = loop;
        c->cb = cb;
        c->userdata = userdata;
        c->event_id = -1;
        if (uri && uri[0] && !(c->uri = strdup(uri))) {
                free(c);
                return -ENOMEM;
        }
        int r = kvm_event_register(loop);
        if (r < 0) {
                free(c->uri);
                free(c);
                return r;
        }
        *ret = c;
        if (start_attempt(c) < 0)
                schedule_retry(c);
        return 0;
}

void kvm_conn_free(struct kvm_conn *c) {
        if (!c)
                return;
        c->retry = evsrc_disable_unref(c->retry);
        c->drop = evsrc_disable_unref(c->drop);
        disconnect(c);
        kvm_event_flush();
        free(c->uri);
        free(c);
}

bool kvm_conn_up(const struct kvm_conn *c) {
        return c && c->conn;
}

bool kvm_conn_waiting(const struct kvm_conn *c) {
        return c && c->pending;
}

unsigned kvm_conn_connects(const struct kvm_conn *c) {
        return c->connects;
}

unsigned kvm_conn_given_up(const struct kvm_conn *c) {
        return c->given_up;
}

unsigned kvm_conn_stuck(void) {
        return (unsigned)__atomic_load_n(&stuck, __ATOMIC_ACQUIRE);
}
