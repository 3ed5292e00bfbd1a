/* json-mod.h - the json module's internal interfaces: documents into samples, the applications. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sflow/sflow.h"

#define JS_MAX_DOC 10000                      /* bytes of one document (a datagram, a FIFO line) */
#define JS_FORGET_USEC (7200ULL * 1000000ULL) /* an application silent this long is forgotten */
#define JS_SYNTH_USEC                                                                              \
        (120ULL * 1000000ULL) /* no counter_sample for this long: 2202 from                        \
                               * the operations seen instead */
#define JS_DS_FIRST 150000    /* applications are data sources 3:150000..199999 */
#define JS_DS_COUNT 50000

/* ---- json-parse.c: one document into structures; no I/O, no logging ---- */

enum { JS_FLOW = 1, JS_COUNTERS = 2, JS_RTMETRIC = 4, JS_RTFLOW = 8 };

struct js_app_key {
        char name[SFLOW_APP_MAX_APPLICATION + 1];
        uint16_t port; /* service_port, 0 when not given */
};

struct js_flow {
        struct js_app_key app;
        bool client;            /* input is internal (else output) */
        uint32_t sampling_rate; /* the application's own 1-in-N, at least 1 */
        uint32_t status;        /* of the operation (SFLOW_APP_*) */
        unsigned n_records;
        struct sflow_record records[6]; /* 2202 first, then 2203 2204 2205 2100 2101 as given */
};

struct js_counters {
        struct js_app_key app;
        bool has_ops, has_res, has_workers;
        struct sflow_ctr_app ops; /* application string unset */
        struct sflow_ctr_app_resources res;
        struct sflow_ctr_app_workers workers;
};

/* What a document held. Strings point into the parsed JSON (root): keep it until the samples
 * are sent. */
struct js_msg {
        unsigned kinds; /* JS_* present */
        struct js_flow flow;
        struct js_counters counters;
        struct sflow_sample rtmetric, rtflow; /* tag, rt_datasource, entries (records) */
};

struct json_object;
/* Parse and check a whole document. Returns 0 with *ret_root to json_object_put() after use,
 * or -EINVAL with why (the first problem, naming the member) and nothing kept: a document with
 * any value that does not fit its type is refused as a whole. */
int js_parse(const char *text, size_t len, struct js_msg *m, struct json_object **ret_root,
             char *why, size_t whylen);

/* ---- json-apps.c: applications, their data source indexes, sub-sampling ---- */

struct hsp_source;
struct js_app {
        struct js_app_key key;
        uint32_t ds_index;
        struct hsp_source *src;
        uint64_t last_heard, last_counters; /* CLOCK_MONOTONIC usec; last_counters 0: never */
        uint32_t sampling;                  /* configured 1-in-N (sampling.app.<name>), 0: none */
        uint32_t pool;                      /* transactions the application reported */
        uint32_t ops[SFLOW_APP_NUM_STATUS]; /* operations seen, by status (synthesized 2202) */
        struct js_counters counters;        /* the last counter_sample */
        struct js_app *next;
};

struct js_apps {
        struct js_app *list;
        unsigned count;
        uint64_t rng; /* generator state */
};

/* The index of an application: JS_DS_FIRST + a hash of name and port, moved on by probe. */
uint32_t js_ds_index(const struct js_app_key *k, unsigned probe);
/* Find an application, or NULL. */
struct js_app *js_app_find(struct js_apps *t, const struct js_app_key *k);
/* Add one with a free index (the caller adds its data source). NULL when out of memory. */
struct js_app *js_app_add(struct js_apps *t, const struct js_app_key *k, uint64_t now);
/* Unlink and free an application. */
void js_app_free(struct js_apps *t, struct js_app *a);
/* The first application silent since before now - JS_FORGET_USEC, or NULL. */
struct js_app *js_app_expired(struct js_apps *t, uint64_t now);

/* Seed the generator (from getrandom; a fixed seed for tests). */
void js_rng_seed(struct js_apps *t, uint64_t seed);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint32_t js_random_below(struct js_apps *t, uint32_t n);
/* Sub-sampling of one transaction the application sampled 1-in-app_rate, against the
 * configured 1-in-config_rate: true to send it, with *ret_rate the rate to report. Kept with
 * probability app_rate / config_rate when config_rate > app_rate, else always. */
bool js_subsample(struct js_apps *t, uint32_t app_rate, uint32_t config_rate, uint32_t *ret_rate);
