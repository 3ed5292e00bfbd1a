/* loop.h - the event loop: sd-event with signals and a watch on the configuration file. */
#pragma once

#include <systemd/sd-event.h>

struct loop_callbacks {
        void (*reload)(void *userdata, const char *why); /* SIGHUP or the file changed */
        void (*terminate)(void *userdata, int signo);      /* SIGTERM, SIGINT */
        void *userdata;
};

/* Create the loop; block and watch SIGTERM, SIGINT, SIGHUP; watch config_path (its directory,
 * so that editors that replace the file are seen too). Changes are debounced. */
int loop_new(const char *config_path, const struct loop_callbacks *cb, sd_event **ret);
void loop_free(sd_event *e);
