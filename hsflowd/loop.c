/* loop.c - the daemon's loop: an evloop with signals and a watch on the configuration file. */
#include "loop.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "log.h"

#define RELOAD_DEBOUNCE_USEC 200000ULL /* editors write in several steps */

static int on_signal(struct evsrc *es, const struct signalfd_siginfo *si, void *userdata) {
        struct loop *l = userdata;
        if (si->ssi_signo == SIGHUP)
                l->cb.reload(l->cb.userdata, "SIGHUP");
        else
                l->cb.terminate(l->cb.userdata, (int)si->ssi_signo);
        return 0;
}

static int on_debounce(struct evsrc *es, uint64_t usec, void *userdata) {
        struct loop *l = userdata;
        l->debounce = evsrc_unref(l->debounce);
        l->cb.reload(l->cb.userdata, "the file changed");
        return 0;
}

static int on_inotify(struct evsrc *es, const struct inotify_event *ev, void *userdata) {
        struct loop *l = userdata;
        if (ev->len == 0 || strcmp(ev->name, l->base) != 0)
                return 0;
        uint64_t now;
        evloop_now(l->event, CLOCK_MONOTONIC, &now);
        if (l->debounce) {
                evsrc_set_time(l->debounce, now + RELOAD_DEBOUNCE_USEC);
                return 0;
        }
        int r = evloop_add_time(l->event, &l->debounce, CLOCK_MONOTONIC, now + RELOAD_DEBOUNCE_USEC,
                                10000, on_debounce, l);
        if (r < 0)
                log_error_errno(r, "Cannot schedule the reload: %m");
        return 0;
}

void loop_free(struct loop *l) {
        if (!l)
                return;
        for (size_t i = 0; i < 3; i++)
                evsrc_disable_unref(l->signals[i]);
        evsrc_disable_unref(l->watch);
        evsrc_disable_unref(l->debounce);
        evloop_unref(l->event);
        free(l->dir);
        free(l->base);
        free(l);
}

int loop_new(const char *config_path, const struct loop_callbacks *cb, struct loop **ret) {
        struct loop *l = calloc(1, sizeof *l);
        char *d = strdup(config_path), *b = strdup(config_path);
        if (!l || !d || !b) {
                free(l);
                free(d);
                free(b);
                return -ENOMEM;
        }
        l->cb = *cb;
        l->dir = strdup(dirname(d));
        l->base = strdup(basename(b));
        free(d);
        free(b);
        int r = evloop_new(&l->event);
        if (r < 0) {
                loop_free(l);
                return log_error_errno(r, "Cannot create the event loop: %m");
        }

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        const int signos[3] = {SIGTERM, SIGINT, SIGHUP};
        for (int i = 0; i < 3; i++) {
                r = evloop_add_signal(l->event, &l->signals[i], signos[i], on_signal, l);
                if (r < 0) {
                        loop_free(l);
                        return log_error_errno(r, "Cannot watch signals: %m");
                }
        }
        if (l->dir && l->base) {
                r = evloop_add_inotify(l->event, &l->watch, l->dir,
                                       IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE, on_inotify, l);
                if (r < 0)
                        log_warning_errno(r,
                                          "Cannot watch %s for changes (%m); SIGHUP still "
                                          "reloads",
                                          config_path);
        }
        *ret = l;
        return 0;
}
