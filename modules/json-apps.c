/* json-apps.c - the json module's applications: data source indexes from name and port,
 * expiry after a silence, and unbiased sub-sampling; no I/O, no logging. */
#include <stdlib.h>
#include <string.h>

#include "json-mod.h"

uint32_t js_ds_index(const struct js_app_key *k, unsigned probe) {
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of "name" NUL port */
        for (const char *p = k->name; *p; p++) {
                h ^= (uint8_t)*p;
                h *= 0x100000001b3ULL;
        }
        h *= 0x100000001b3ULL;
        for (int i = 0; i < 2; i++) {
                h ^= (uint8_t)(k->port >> (8 * i));
                h *= 0x100000001b3ULL;
        }
        return JS_DS_FIRST + (uint32_t)((h + probe) % JS_DS_COUNT);
}

static bool same(const struct js_app_key *a, const struct js_app_key *b) {
        return a->port == b->port && strcmp(a->name, b->name) == 0;
}

struct js_app *js_app_find(struct js_apps *t, const struct js_app_key *k) {
        for (struct js_app *a = t->list; a; a = a->next)
                if (same(&a->key, k))
                        return a;
        return NULL;
}

static bool index_used(const struct js_apps *t, uint32_t idx) {
        for (const struct js_app *a = t->list; a; a = a->next)
                if (a->ds_index == idx)
                        return true;
        return false;
}

struct js_app *js_app_add(struct js_apps *t, const struct js_app_key *k, uint64_t now) {
        if (t->count >= JS_DS_COUNT)
                return NULL;
        struct js_app *a = calloc(1, sizeof(*a));
        if (!a)
                return NULL;
        a->key = *k;
        for (unsigned probe = 0;; probe++) {
                a->ds_index = js_ds_index(k, probe);
                if (!index_used(t, a->ds_index))
                        break;
        }
        a->last_heard = now;
        a->next = t->list;
        t->list = a;
        t->count++;
        return a;
}

void js_app_free(struct js_apps *t, struct js_app *a) {
        for (struct js_app **p = &t->list; *p; p = &(*p)->next)
                if (*p == a) {
                        *p = a->next;
                        t->count--;
                        break;
                }
        free(a);
}

struct js_app *js_app_expired(struct js_apps *t, uint64_t now) {
        for (struct js_app *a = t->list; a; a = a->next)
                if (now > a->last_heard && now - a->last_heard > JS_FORGET_USEC)
                        return a;
        return NULL;
}

/* splitmix64: small, fast, full period; good enough to pick 1-in-N transactions. */
static uint64_t next64(struct js_apps *t) {
        uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

void js_rng_seed(struct js_apps *t, uint64_t seed) {
        t->rng = seed;
}

/* Lemire's multiply-and-reject: exactly uniform. */
uint32_t js_random_below(struct js_apps *t, uint32_t n) {
        uint64_t m = (uint64_t)(uint32_t)next64(t) * n;
        uint32_t low = (uint32_t)m;
        if (low < n) {
                uint32_t threshold = (uint32_t)-n % n;
                while (low < threshold) {
                        m = (uint64_t)(uint32_t)next64(t) * n;
                        low = (uint32_t)m;
                }
        }
        return (uint32_t)(m >> 32);
}

bool js_subsample(struct js_apps *t, uint32_t app_rate, uint32_t config_rate, uint32_t *ret_rate) {
        if (app_rate == 0)
                app_rate = 1;
        if (config_rate <= app_rate) {
                *ret_rate = app_rate;
                return true;
        }
        *ret_rate = config_rate;
        return js_random_below(t, config_rate) < app_rate;
}
