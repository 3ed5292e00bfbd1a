/* topk.c - space-saving heavy hitters: counters in a min-heap by weight, keys in a hash table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "topk.h"

static uint64_t hash_key(const struct topk_key *k) {
        uint64_t h = 0x9e3779b97f4a7c15ull, w;

        for (size_t i = 0; i < TOPK_KEY_BYTES; i += 8) {
                memcpy(&w, k->b + i, 8);
                h ^= w;
                h *= 0xff51afd7ed558ccdull;
                h ^= h >> 32;
        }
        return h;
}

int topk_init(struct topk *t, uint32_t cap) {
        uint32_t hcap = 1;

        memset(t, 0, sizeof(*t));
        while (hcap < 2 * cap)
                hcap <<= 1;
        t->e = calloc(cap, sizeof(*t->e));
        t->heap = calloc(cap, sizeof(*t->heap));
        t->slot = calloc(hcap, sizeof(*t->slot));
        if (!t->e || !t->heap || !t->slot) {
                topk_free(t);
                return -ENOMEM;
        }
        t->cap = cap;
        t->hmask = hcap - 1;
        return 0;
}

void topk_free(struct topk *t) {
        free(t->e);
        free(t->heap);
        free(t->slot);
        memset(t, 0, sizeof(*t));
}

void topk_reset(struct topk *t) {
        if (t->used)
                memset(t->slot, 0, ((size_t)t->hmask + 1) * sizeof(*t->slot));
        t->used = 0;
        t->total = 0;
}

/* Slot of key, or of the empty slot where it would go. */
static uint32_t find_slot_h(const struct topk *t, const struct topk_key *k, uint64_t h) {
        uint32_t i = (uint32_t)h & t->hmask;

        while (t->slot[i] && memcmp(&t->e[t->slot[i] - 1].key, k, sizeof(*k)) != 0)
                i = (i + 1) & t->hmask;
        return i;
}

static uint32_t find_slot(const struct topk *t, const struct topk_key *k) {
        return find_slot_h(t, k, hash_key(k));
}

/* Backward-shift deletion keeps linear probing correct without tombstones. */
static void remove_slot(struct topk *t, uint32_t i) {
        uint32_t j = i;

        t->slot[i] = 0;
        for (;;) {
                uint32_t home;

                j = (j + 1) & t->hmask;
                if (!t->slot[j])
                        return;
                home = (uint32_t)hash_key(&t->e[t->slot[j] - 1].key) & t->hmask;
                /* move j back to i when its home is not in (i, j] (cyclically) */
                if ((i <= j) ? (home <= i || home > j) : (home <= i && home > j)) {
                        t->slot[i] = t->slot[j];
                        t->slot[j] = 0;
                        i = j;
                }
        }
}

/* The entry at heap position i got weight w: move it down (w grew) or up (w shrank). */
static void sift_down(struct topk *t, uint32_t i) {
        struct topk_heap x = t->heap[i];

        for (;;) {
                uint32_t l = 2 * i + 1, r = l + 1, m = l;

                if (l >= t->used)
                        break;
                if (r < t->used && t->heap[r].weight < t->heap[l].weight)
                        m = r;
                if (t->heap[m].weight >= x.weight)
                        break;
                t->heap[i] = t->heap[m];
                t->e[t->heap[i].idx].heap_pos = i;
                i = m;
        }
        t->heap[i] = x;
        t->e[x.idx].heap_pos = i;
}

static void sift_up(struct topk *t, uint32_t i) {
        struct topk_heap x = t->heap[i];

        while (i > 0) {
                uint32_t p = (i - 1) / 2;

                if (t->heap[p].weight <= x.weight)
                        break;
                t->heap[i] = t->heap[p];
                t->e[t->heap[i].idx].heap_pos = i;
                i = p;
        }
        t->heap[i] = x;
        t->e[x.idx].heap_pos = i;
}

/* The entry for key: existing, new, or the smallest one taken over (its weight kept as err). */
static struct topk_entry *admit(struct topk *t, const struct topk_key *k) {
        uint64_t h = hash_key(k);
        uint32_t s = find_slot_h(t, k, h), idx;
        struct topk_entry *e;

        if (t->slot[s])
                return &t->e[t->slot[s] - 1];
        if (t->used < t->cap) {
                idx = t->used;
                e = &t->e[idx];
                memset(e, 0, sizeof(*e));
                e->key = *k;
                e->heap_pos = t->used;
                t->heap[t->used].weight = 0;
                t->heap[t->used++].idx = idx;
                t->slot[s] = idx + 1;
                return e;
        }
        idx = t->heap[0].idx;
        e = &t->e[idx];
        remove_slot(t, find_slot(t, &e->key));
        e->key = *k;
        e->err = e->weight;
        e->pkts = e->bytes = 0;
        e->samples = 0;
        t->slot[find_slot_h(t, k, h)] = idx + 1;
        return e;
}

void topk_add(struct topk *t, const struct topk_key *k, double w, double pkts, double bytes,
              uint32_t samples) {
        struct topk_entry *e = admit(t, k);

        e->weight += w;
        e->pkts += pkts;
        e->bytes += bytes;
        e->samples += samples;
        t->total += w;
        t->heap[e->heap_pos].weight = e->weight;
        sift_down(t, e->heap_pos); /* weights only grow */
}

void topk_merge(struct topk *t, const struct topk_entry *src) {
        struct topk_entry *e = admit(t, &src->key);
        double before = e->weight;

        e->weight += src->weight;
        e->err += src->err;
        e->pkts += src->pkts;
        e->bytes += src->bytes;
        e->samples += src->samples;
        t->total += src->weight;
        t->heap[e->heap_pos].weight = e->weight;
        if (e->weight >= before)
                sift_down(t, e->heap_pos);
        else
                sift_up(t, e->heap_pos);
}

const struct topk_entry *topk_find(const struct topk *t, const struct topk_key *k) {
        uint32_t s = find_slot(t, k);

        return t->slot[s] ? &t->e[t->slot[s] - 1] : NULL;
}

/* Ranked by what is certain: the weight counted since admission (the estimate less its error). */
static double rank_of(const struct topk_entry *e, bool by_pkts) {
        return by_pkts ? e->pkts : e->weight - e->err;
}

/* Selection by insertion into a sorted list of n: n is small (a screen's rows). */
size_t topk_top(const struct topk *t, const struct topk_entry **out, size_t n, bool by_pkts) {
        size_t got = 0;

        for (uint32_t i = 0; i < t->used; i++) {
                const struct topk_entry *e = &t->e[i];
                size_t j;

                if (got == n && rank_of(out[n - 1], by_pkts) >= rank_of(e, by_pkts))
                        continue;
                j = got < n ? got++ : n - 1;
                while (j > 0 && rank_of(out[j - 1], by_pkts) < rank_of(e, by_pkts)) {
                        out[j] = out[j - 1];
                        j--;
                }
                out[j] = e;
        }
        return got;
}
