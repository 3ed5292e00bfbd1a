/* evloop.h - the agent's event loop: one thread on epoll; io, timer, defer, signal, inotify
 * sources.
 *
 * Sources are reference counted and hold a reference on their loop. io, signal and inotify
 * sources start EVSRC_ON, timer and defer sources EVSRC_ONESHOT; a ONESHOT source is set OFF
 * just before its handler runs, and a handler that returns < 0 has its source set OFF. Any
 * source may be disabled or released from any handler, its own or another's (one already due
 * in the same round then does not run). Times are CLOCK_MONOTONIC microseconds. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>

enum { EVSRC_OFF = 0, EVSRC_ON = 1, EVSRC_ONESHOT = -1 };

struct evloop;
struct evsrc;

typedef int (*evsrc_io_handler_t)(struct evsrc *s, int fd, uint32_t revents, void *userdata);
typedef int (*evsrc_time_handler_t)(struct evsrc *s, uint64_t usec, void *userdata);
typedef int (*evsrc_defer_handler_t)(struct evsrc *s, void *userdata);
typedef int (*evsrc_signal_handler_t)(struct evsrc *s, const struct signalfd_siginfo *si,
                                      void *userdata);
typedef int (*evsrc_inotify_handler_t)(struct evsrc *s, const struct inotify_event *ev,
                                       void *userdata);

int evloop_new(struct evloop **ret);
struct evloop *evloop_ref(struct evloop *e);
struct evloop *evloop_unref(struct evloop *e); /* NULL */

/* One iteration: waits up to timeout_usec (UINT64_MAX: no limit, 0: none) for a source to be
 * due, then runs the handlers of those that are. > 0 when a handler ran, 0 when none did. */
int evloop_run(struct evloop *e, uint64_t timeout_usec);
/* Iterations until evloop_exit(); returns its code (or a negative errno of the loop itself). */
int evloop_loop(struct evloop *e);
int evloop_exit(struct evloop *e, int code);
/* The time the current iteration started (0), or the time now before the first (1). */
int evloop_now(struct evloop *e, clockid_t clock, uint64_t *usec);
/* WATCHDOG=1 to the service manager every half WATCHDOG_USEC, from the loop itself: 1 when
 * armed, 0 when the manager asked for no watchdog (or b is false). */
int evloop_set_watchdog(struct evloop *e, bool b);

int evloop_add_io(struct evloop *e, struct evsrc **ret, int fd, uint32_t events,
                  evsrc_io_handler_t cb, void *userdata);
/* usec absolute; UINT64_MAX never comes; accuracy is how late it may fire (ignored) */
int evloop_add_time(struct evloop *e, struct evsrc **ret, clockid_t clock, uint64_t usec,
                    uint64_t accuracy, evsrc_time_handler_t cb, void *userdata);
int evloop_add_defer(struct evloop *e, struct evsrc **ret, evsrc_defer_handler_t cb,
                     void *userdata);
/* sig must be blocked already; one source per signal */
int evloop_add_signal(struct evloop *e, struct evsrc **ret, int sig, evsrc_signal_handler_t cb,
                      void *userdata);
int evloop_add_inotify(struct evloop *e, struct evsrc **ret, const char *path, uint32_t mask,
                       evsrc_inotify_handler_t cb, void *userdata);

int evsrc_set_enabled(struct evsrc *s, int enabled); /* NULL with EVSRC_OFF: nothing */
/* > 0 when enabled (ON or ONESHOT, in *ret if not NULL), 0 when OFF or s NULL with ret NULL */
int evsrc_get_enabled(struct evsrc *s, int *ret);
int evsrc_set_time(struct evsrc *s, uint64_t usec); /* keeps it enabled or not */
int evsrc_set_io_events(struct evsrc *s, uint32_t events);
int evsrc_set_description(struct evsrc *s, const char *description);
struct evloop *evsrc_get_loop(struct evsrc *s);
struct evsrc *evsrc_unref(struct evsrc *s);         /* NULL */
struct evsrc *evsrc_disable_unref(struct evsrc *s); /* NULL */
