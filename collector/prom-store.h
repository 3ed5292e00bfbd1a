/* prom-store.h - the latest counters of every agent's data sources, for sflowcat --prometheus:
 * host structures (2000-2006), interfaces (0:1, 0:1005), virtual nodes (data source class 3:
 * 2000, 2101-2104); a data source not heard from for `stale` seconds is forgotten. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "sflow/sflow.h"

struct prom_source;

struct prom_store {
        struct prom_source *src;
        size_t n, cap;
        double stale; /* seconds */
};

void prom_store_init(struct prom_store *s, double stale);
void prom_store_free(struct prom_store *s);
/* Take the counter samples of one datagram received at now. */
void prom_store_datagram(struct prom_store *s, const uint8_t *buf, size_t len, double now);
/* Drop what is stale, then write every metric in the Prometheus text format. */
void prom_store_write(struct prom_store *s, FILE *f, double now);
