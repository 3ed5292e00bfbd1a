/* flow.h - the core's side of the way of a flow sample: module -> enrichers -> exporter
 * (flow.c; what modules see of it is in agent.h). */
#pragma once

#include <stddef.h>

#include "evloop.h"
#include "exporter.h"
#include "module.h"

struct flows;

/* Samples leave through the exporter e (numbered per data source there). */
int flows_new(struct evloop *loop, struct exporter *e, struct flows **ret);
/* The running modules that enrich flow samples, in the order they see them (copied). On -ENOMEM
 * there are none until the next call. */
int flows_set_enrichers(struct flows *f, struct hsp_mod *const *list, size_t n);
/* A flow or discard sample from module from: shown to each enricher but from, then sent, now or
 * when the enrichers that hold it let go. */
int flows_submit(struct flows *f, struct hsp_mod *from, struct sflow_sample *s);
/* Send what is still held, and free. */
void flows_free(struct flows *f);
