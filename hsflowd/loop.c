/* loop.c - the event loop: sd-event with signals and a watch on the configuration file. */
#include "loop.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "log.h"

#define RELOAD_DEBOUNCE_USEC 200000ULL /* editors write in several steps */

struct loop_state {
        struct loop_callbacks cb;
        char *dir, *base;
        sd_event_source *debounce;
};

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        struct loop_state *st = userdata;
        if (si->ssi_signo == SIGHUP)
                st->cb.reload(st->cb.userdata, "SIGHUP");
        else
                st->cb.terminate(st->cb.userdata, (int)si->ssi_signo);
        return 0;
}

static int on_debounce(sd_event_source *es, uint64_t usec, void *userdata) {
        struct loop_state *st = userdata;
        st->debounce = sd_event_source_unref(st->debounce);
        st->cb.reload(st->cb.userdata, "the file changed");
        return 0;
}

static int on_inotify(sd_event_source *es, const struct inotify_event *ev, void *userdata) {
        struct loop_state *st = userdata;
        if (ev->len == 0 || strcmp(ev->name, st->base) != 0)
                return 0;
        uint64_t now;
        sd_event *e = sd_event_source_get_event(es);
        sd_event_now(e, CLOCK_MONOTONIC, &now);
        if (st->debounce) {
                sd_event_source_set_time(st->debounce, now + RELOAD_DEBOUNCE_USEC);
                return 0;
        }
        int r = sd_event_add_time(e, &st->debounce, CLOCK_MONOTONIC, now + RELOAD_DEBOUNCE_USEC,
                                  10000, on_debounce, st);
        if (r < 0)
                log_error_errno(r, "Cannot schedule the reload: %m");
        return 0;
}

static int on_owner(sd_event_source *es, void *userdata) {
        return 0;
}

static void state_free(void *userdata) {
        struct loop_state *st = userdata;
        sd_event_source_unref(st->debounce);
        free(st->dir);
        free(st->base);
        free(st);
}

int loop_new(const char *config_path, const struct loop_callbacks *cb, sd_event **ret) {
        sd_event *e = NULL;
        int r = sd_event_new(&e);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");

        struct loop_state *st = calloc(1, sizeof *st);
        char *d = strdup(config_path), *b = strdup(config_path);
        if (!st || !d || !b) {
                free(st);
                free(d);
                free(b);
                sd_event_unref(e);
                return -ENOMEM;
        }
        st->cb = *cb;
        st->dir = strdup(dirname(d));
        st->base = strdup(basename(b));
        free(d);
        free(b);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        sd_event_source *sig[3] = {0};
        const int signos[3] = {SIGTERM, SIGINT, SIGHUP};
        for (int i = 0; i < 3 && r >= 0; i++) {
                r = sd_event_add_signal(e, &sig[i], signos[i], on_signal, st);
                if (r >= 0)
                        r = sd_event_source_set_floating(sig[i], 1);
                sd_event_source_unref(sig[i]);
        }
        if (r >= 0 && st->dir && st->base) {
                int w = sd_event_add_inotify(e, NULL, st->dir,
                                             IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE,
                                             on_inotify, st);
                if (w < 0)
                        log_warning_errno(w, "Cannot watch %s for changes (%m); SIGHUP still "
                                          "reloads", config_path);
        }
        /* A disabled source owns the state, so it is freed with the loop. */
        sd_event_source *owner = NULL;
        if (r >= 0)
                r = sd_event_add_defer(e, &owner, on_owner, st);
        if (r < 0) {
                state_free(st);
                sd_event_unref(e);
                return log_error_errno(r, "Cannot watch signals: %m");
        }
        sd_event_source_set_enabled(owner, SD_EVENT_OFF);
        sd_event_source_set_destroy_callback(owner, state_free);
        sd_event_source_set_floating(owner, 1);
        sd_event_source_unref(owner);
        *ret = e;
        return 0;
}

void loop_free(sd_event *e) {
        sd_event_unref(e);
}
