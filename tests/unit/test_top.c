/* test_top.c - the --top window from datagrams written out here: flow samples carrying 0:3/0:4
 * records instead of sampled headers, scaling by the sampling rate, SYN without ACK, the pool
 * correction once samples were lost, the sliding window following the datagrams' timestamps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "top.h"
#include "xdr.h"

/* A datagram with one expanded flow sample (0:3) holding a 0:3 (v6: 0:4) record. */
static size_t datagram(uint8_t *out, uint32_t seq, uint32_t rate, uint32_t pool, uint32_t drops,
                       uint8_t src_last, bool v6, uint32_t flags, uint32_t length) {
        struct xdr x = {.n = 0};
        size_t sl, rl;

        x32(&x, 5), x32(&x, 1), x32(&x, 0xc0000264), x32(&x, 0), x32(&x, seq), x32(&x, 1000);
        x32(&x, 1);
        x32(&x, 3);
        sl = x.n;
        x32(&x, 0);
        x32(&x, seq), x32(&x, 0), x32(&x, 7), x32(&x, rate), x32(&x, pool), x32(&x, drops);
        x32(&x, 0), x32(&x, 7), x32(&x, 0), x32(&x, 0x3fffffff);
        x32(&x, 1);
        x32(&x, v6 ? 4 : 3);
        rl = x.n;
        x32(&x, 0);
        x32(&x, length);
        x32(&x, 6); /* TCP */
        if (v6) {
                x32(&x, 0x20010db8), x32(&x, 0), x32(&x, 0), x32(&x, src_last);
                x32(&x, 0x20010db8), x32(&x, 0), x32(&x, 0), x32(&x, 0x64);
        } else {
                x32(&x, 0xc0000200 | src_last);
                x32(&x, 0xc0000264);
        }
        x32(&x, 40000), x32(&x, 80), x32(&x, flags), x32(&x, 0);
        xpatch(&x, rl, (uint32_t)(x.n - rl - 4)); /* its length */
        xpatch(&x, sl, (uint32_t)(x.n - sl - 4)); /* its length */
        memcpy(out, x.b, x.n);
        return x.n;
}

static const struct topk_entry *addr_entry(struct top *t, enum top_list l, uint8_t fam,
                                           uint8_t last) {
        struct topk_key k;

        memset(&k, 0, sizeof(k));
        k.b[0] = fam;
        if (fam == 4) {
                k.b[1] = 192, k.b[2] = 0, k.b[3] = 2, k.b[4] = last;
        } else {
                k.b[1] = 0x20, k.b[2] = 0x01, k.b[3] = 0x0d, k.b[4] = 0xb8, k.b[16] = last;
        }
        return topk_find(&t->merged[l], &k);
}

static void snapshot(struct top *t) {
        FILE *f = fopen("/dev/null", "w");

        assert_non_null(f);
        top_print_json(t, f, 10);
        fclose(f);
}

static struct top t;

/* 1000 SYNs from 192.0.2.1 (0:3) and 500 ACKs from 2001:db8::2 (0:4) over 10 s, 1-in-100. */
static void test_records_scaled(void **state) {
        uint8_t dg[512];
        const struct topk_entry *e;

        assert_int_equal(top_init(&t, 10), 0);
        for (uint32_t i = 0; i < 1500; i++) {
                bool syn = i % 3 != 2;
                size_t n = datagram(dg, i + 1, 100, 100 * (i + 1), 0, syn ? 1 : 2, !syn,
                                    syn ? 0x02 : 0x10, syn ? 60 : 1000);

                top_datagram(&t, dg, n, 1000.0 + i * (10.0 / 1500));
        }
        t.now = 1009.999; /* the window: seconds 1000 to 1009 */
        snapshot(&t);
        e = addr_entry(&t, TOP_SYN, 4, 1);
        assert_non_null(e);
        assert_int_equal(e->samples, 1000);
        assert_true(fabs(e->pkts - 100000) < 1e-6);
        e = addr_entry(&t, TOP_SRC, 6, 2);
        assert_non_null(e);
        assert_true(fabs(e->bytes - 500 * 100 * 1000.0) < 1e-3); /* the 0:4 length, scaled */
        assert_null(addr_entry(&t, TOP_SYN, 6, 2));              /* ACK: not a SYN source */
        top_free(&t);
}

/* Every other sample lost on the way: the sequence gaps switch on the pool correction, which
 * makes the estimate what the pool says went through. */
static void test_pool_correction(void **state) {
        uint8_t dg[512];
        const struct topk_entry *e;

        assert_int_equal(top_init(&t, 10), 0);
        for (uint32_t i = 0; i < 2000; i += 2) {
                size_t n = datagram(dg, i + 1, 10, 10 * (i + 1), 0, 1, false, 0x02, 60);

                top_datagram(&t, dg, n, 2000.0 + i * (9.0 / 2000));
        }
        t.now = 2009.5;
        snapshot(&t);
        e = addr_entry(&t, TOP_SYN, 4, 1);
        assert_non_null(e);
        /* 1000 samples at 1-in-10 stand for 20000 packets; corrected from the 100th on (the
         * first 99 count 10 each): 99 * 10 + 901 * ~19.9 */
        print_message("estimate %.0f\n", e->pkts);
        assert_true(e->pkts > 18800 && e->pkts < 19200);
        for (unsigned i = 0; i < TOP_MAX_SOURCES; i++)
                if (t.src[i].used)
                        assert_true(fabs(t.src[i].correction - 2.0) < 0.03);
        top_free(&t);
}

/* The window follows the datagrams' time: what is older than the window is gone. */
static void test_window_slides(void **state) {
        uint8_t dg[512];

        assert_int_equal(top_init(&t, 5), 0);
        for (uint32_t i = 0; i < 100; i++) {
                size_t n = datagram(dg, i + 1, 1, i + 1, 0, i < 50 ? 1 : 2, false, 0x02, 60);

                top_datagram(&t, dg, n, 3000.0 + i * 0.2); /* .1 for 10 s, then .2 for 10 s */
        }
        t.now = 3019.9;
        snapshot(&t);
        assert_null(addr_entry(&t, TOP_SYN, 4, 1));
        assert_non_null(addr_entry(&t, TOP_SYN, 4, 2));
        top_free(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records_scaled),
                cmocka_unit_test(test_pool_correction),
                cmocka_unit_test(test_window_slides),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
