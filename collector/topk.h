/* topk.h - space-saving heavy hitters (Metwally et al.): a fixed number of counters whatever the
 * number of distinct keys, O(log K) per update.
 *
 * Each counter tracks a weight (what the ranking uses), the error it inherited when its key took
 * over the smallest counter, and packets, bytes and samples counted since its key was admitted.
 * For every key k with true weight w(k): tracked(k) <= w(k) <= tracked(k) + err(k), and
 * err(k) <= total / K (total: the weight of everything added). A key whose weight is above
 * total / K is always present. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPK_KEY_BYTES 40

struct topk_key {
        uint8_t b[TOPK_KEY_BYTES];
};

struct topk_entry {
        struct topk_key key;
        double weight;      /* ranking weight, including err */
        double err;         /* over-estimation inherited on admission */
        double pkts, bytes; /* since admission */
        uint32_t samples;   /* since admission */
        uint32_t heap_pos;
};

struct topk_heap {
        double weight; /* a copy of the entry's, so that sifting stays in one array */
        uint32_t idx;
};

struct topk {
        uint32_t cap, used;
        struct topk_entry *e;
        struct topk_heap *heap; /* smallest weight first */
        uint32_t *slot;         /* open-addressing hash: entry index + 1, 0 when empty */
        uint32_t hmask;
        double total;
};

/* Returns 0 or -ENOMEM; cap >= 1. */
int topk_init(struct topk *t, uint32_t cap);
void topk_free(struct topk *t);
void topk_reset(struct topk *t);

/* Count one observation of key: weight w for the ranking, plus packets, bytes and samples. */
void topk_add(struct topk *t, const struct topk_key *k, double w, double pkts, double bytes,
              uint32_t samples);
/* Add a whole entry of another summary (err adds up): merging per-second summaries. */
void topk_merge(struct topk *t, const struct topk_entry *src);
/* The entry of key, or NULL. */
const struct topk_entry *topk_find(const struct topk *t, const struct topk_key *k);

/* The n largest entries by tracked weight (weight - err) into out (at most n, fewer when there are
 * fewer); returns how many. by_pkts: rank by tracked packets instead. */
size_t topk_top(const struct topk *t, const struct topk_entry **out, size_t n, bool by_pkts);
