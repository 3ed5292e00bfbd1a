/* test_topk.c - the space-saving summary of sflowcat --top against exact counts: skewed (Zipf)
 * and uniform streams, weighted updates, the error bound total/K, merging. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "topk.h"

#define K 256

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static void key_of(struct topk_key *k, uint32_t id) {
        memset(k, 0, sizeof(*k));
        memcpy(k->b + 3, &id, sizeof(id));
        k->b[39] = (uint8_t)id;
}

static uint32_t id_of(const struct topk_key *k) {
        uint32_t id;

        memcpy(&id, k->b + 3, sizeof(id));
        return id;
}

/* Every guarantee of the structure against exact per-key weights. */
static void check_bounds(const struct topk *t, const double *exact, uint32_t nkeys, double total) {
        double min = INFINITY;
        uint32_t present = 0;

        assert_true(fabs(t->total - total) < 1e-6 * total);
        for (uint32_t i = 0; i < t->used; i++) {
                const struct topk_entry *e = &t->e[i];
                double w = exact[id_of(&e->key)];

                assert_ptr_equal(topk_find(t, &e->key), e); /* hash and entries agree */
                assert_true(e->weight - e->err <= w + 1e-9);
                assert_true(w <= e->weight + 1e-9);
                assert_true(e->err <= total / t->cap + 1e-9);
                if (e->weight < min)
                        min = e->weight;
        }
        for (uint32_t id = 0; id < nkeys; id++) {
                struct topk_key k;

                key_of(&k, id);
                if (topk_find(t, &k)) {
                        present++;
                        continue;
                }
                /* a key not kept weighs no more than the smallest counter, itself <= total/K */
                if (t->used == t->cap)
                        assert_true(exact[id] <= min + 1e-9);
                assert_true(exact[id] <= total / t->cap + 1e-9);
        }
        assert_int_equal(present, t->used);
}

/* Zipf(s) over n keys by inversion of the cumulative weights. */
static uint32_t zipf(const double *cdf, uint32_t n) {
        double u = (double)(next() >> 11) / 9007199254740992.0;
        uint32_t lo = 0, hi = n - 1;

        while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (cdf[mid] < u)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static void run_stream(bool skewed, bool weighted) {
        const uint32_t nkeys = 20000, events = 400000;
        double *exact = calloc(nkeys, sizeof(double)), *cdf = calloc(nkeys, sizeof(double));
        double total = 0, sum = 0;
        struct topk t;
        const struct topk_entry *top[10];

        assert_non_null(exact);
        assert_non_null(cdf);
        for (uint32_t i = 0; i < nkeys; i++) {
                sum += 1.0 / pow(i + 1, 1.1);
                cdf[i] = sum;
        }
        for (uint32_t i = 0; i < nkeys; i++)
                cdf[i] /= sum;
        assert_int_equal(topk_init(&t, K), 0);
        for (uint32_t i = 0; i < events; i++) {
                uint32_t id = skewed ? zipf(cdf, nkeys) : (uint32_t)(next() % nkeys);
                double w = weighted ? (double)(64 + next() % 1400) : 1.0;
                struct topk_key k;

                key_of(&k, id);
                topk_add(&t, &k, w, 1, w, 1);
                exact[id] += w;
                total += w;
        }
        check_bounds(&t, exact, nkeys, total);
        if (skewed) {
                /* the heaviest keys, far above total/K, come out first and in order */
                size_t n = topk_top(&t, top, 10, false);

                assert_int_equal(n, 10);
                for (uint32_t i = 0; i < 5; i++) {
                        assert_int_equal(id_of(&top[i]->key), i);
                        /* admitted early: the tracked figure is exact or nearly */
                        assert_true(fabs(top[i]->bytes - exact[i]) <= total / K);
                }
        } else {
                /* nothing stands out: every counter's error is within the bound */
                assert_true(t.used == K);
        }
        topk_free(&t);
        free(exact);
        free(cdf);
}

static void test_skewed(void **state) {
        run_stream(true, false);
}
static void test_skewed_weighted(void **state) {
        run_stream(true, true);
}
static void test_uniform(void **state) {
        run_stream(false, false);
}
static void test_uniform_weighted(void **state) {
        run_stream(false, true);
}

/* Fewer keys than counters: every count is exact. */
static void test_exact_when_small(void **state) {
        struct topk t;
        struct topk_key k;

        assert_int_equal(topk_init(&t, K), 0);
        for (uint32_t i = 0; i < 10000; i++) {
                key_of(&k, i % 100);
                topk_add(&t, &k, (double)(i % 100), 1, 0, 1);
        }
        for (uint32_t id = 0; id < 100; id++) {
                const struct topk_entry *e;

                key_of(&k, id);
                e = topk_find(&t, &k);
                assert_non_null(e);
                assert_true(e->err == 0);
                assert_true(e->weight == 100.0 * id);
                assert_int_equal(e->samples, 100);
        }
        topk_free(&t);
}

/* Per-second summaries merged: weights, errors and samples add up. */
static void test_merge(void **state) {
        struct topk a, b, m;
        struct topk_key k;
        const struct topk_entry *e;

        assert_int_equal(topk_init(&a, K), 0);
        assert_int_equal(topk_init(&b, K), 0);
        assert_int_equal(topk_init(&m, 2 * K), 0);
        for (uint32_t i = 0; i < 5000; i++) {
                key_of(&k, i % 700);
                topk_add(&a, &k, 1, 1, 1, 1);
                key_of(&k, i % 300);
                topk_add(&b, &k, 2, 1, 2, 1);
        }
        for (uint32_t i = 0; i < a.used; i++)
                topk_merge(&m, &a.e[i]);
        for (uint32_t i = 0; i < b.used; i++)
                topk_merge(&m, &b.e[i]);
        assert_true(fabs(m.total - (a.total + b.total)) < 1e-9);
        key_of(&k, 5);
        e = topk_find(&m, &k);
        assert_non_null(e);
        /* key 5: 8 in a (5000/700, maybe evicted meanwhile) and 17 or 16 * 2 in b, exactly */
        assert_true(e->weight >= 2.0 * 16);
        assert_true(e->weight - e->err <= 8 + 2.0 * 17);
        topk_free(&a);
        topk_free(&b);
        topk_free(&m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_skewed),           cmocka_unit_test(test_skewed_weighted),
                cmocka_unit_test(test_uniform),          cmocka_unit_test(test_uniform_weighted),
                cmocka_unit_test(test_exact_when_small), cmocka_unit_test(test_merge),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
