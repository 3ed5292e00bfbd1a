/* loop.h - the daemon's loop: an evloop with signals and a watch on the configuration file. */
#pragma once

#include "evloop.h"

struct loop_callbacks {
        void (*reload)(void *userdata, const char *why); /* SIGHUP or the file changed */
        void (*terminate)(void *userdata, int signo);    /* SIGTERM, SIGINT */
        void *userdata;
};

struct loop {
        struct evloop *event;
        struct loop_callbacks cb;
        char *dir, *base; /* of the configuration file */
        struct evsrc *signals[3], *watch, *debounce;
};

/* Create the loop; block and watch SIGTERM, SIGINT, SIGHUP; watch config_path (its directory,
 * so that editors that replace the file are seen too). Changes are debounced. */
int loop_new(const char *config_path, const struct loop_callbacks *cb, struct loop **ret);
/* Release the loop's own sources and the event loop (after everything else let go of it). */
void loop_free(struct loop *l);
