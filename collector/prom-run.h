/* prom-run.h - sflowcat --prometheus: /metrics over HTTP (libmicrohttpd). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct prom_run_opts {
        int fd;             /* the bound sFlow UDP socket */
        const char *listen; /* [ADDR:]PORT */
        unsigned window;    /* top window, seconds */
        unsigned rows;      /* top entries per list */
        double stale;       /* forget a data source silent this long, seconds */
        void (*on_datagram)(void *user, const uint8_t *buf, size_t len);
        void *user;
};

int prom_run(const struct prom_run_opts *o);
