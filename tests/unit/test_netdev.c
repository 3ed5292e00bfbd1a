/* test_netdev.c - /proc/net/dev lines: the kernel's layout, odd spacing, the longest names,
 * missing counters, truncated lines; a whole file; this namespace's own /proc/net/dev against
 * if_nameindex(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdev.h"
#include "procbuf.h"

#define C16 " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"

static void test_lines(void **state) {
        const struct {
                const char *text;
                int ret;
                const char *name; /* when ret is 1 */
                uint64_t rx_bytes, tx_carrier, tx_compressed;
                size_t consumed; /* how far *p moved; 0: the whole text */
        } cases[] = {
                {"Inter-|   Receive                            |  Transmit\n", 0},
                {" face |bytes    packets errs drop fifo frame compressed multicast|bytes\n", 0},
                {"  eth0:" C16 "\n", 1, "eth0", 1, 15, 16},
                {"    lo: 1296 16 0 0 0 0 0 0 1296 16 0 0 0 0 0 0\n", 1, "lo", 1296, 0, 0},
                /* the kernel's %6s: a long name touches the counters, which may touch the colon */
                {"veth1234567890a:" C16 "\n", 1, "veth1234567890a", 1, 15, 16},
                {"eth0:18446744073709551615 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", 1, "eth0",
                 UINT64_MAX, 15, 16},
                {"eth0:\t1\t 2  3   4 5 6 7 8 9 10 11 12 13 14 15    16   \n", 1, "eth0", 1, 15,
                 16},
                {"\t eth0:" C16 " 17 extra\n", 1, "eth0", 1, 15, 16},
                /* IFNAMSIZ-1 is the longest name; one more is not an interface */
                {"veth1234567890ab:" C16 "\n", 0},
                {":" C16 "\n", 0},
                {"   :" C16 "\n", 0},
                {"et h0:" C16 "\n", 0},
                {"eth0 " C16 "\n", 0},
                /* missing or malformed counters */
                {"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n", 0},
                {"eth0:\n", 0},
                {"eth0: 1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16\n", 0},
                {"eth0: 1 2 3 -4 5 6 7 8 9 10 11 12 13 14 15 16\n", 0},
                {"eth0: 1 2 3 4a 5 6 7 8 9 10 11 12 13 14 15 16\n", 0},
                /* the counters do not run on into the next line */
                {"eth0: 1 2 3 4 5 6 7 8\n9 10 11 12 13 14 15 16\n", 0, NULL, 0, 0, 0,
                 sizeof "eth0: 1 2 3 4 5 6 7 8\n" - 1},
                /* the last line without its newline: whole, or cut short */
                {"eth0:" C16, 1, "eth0", 1, 15, 16},
                {"eth0: 1 2 3 4 5", 0},
                {"eth0", 0},
                {"\n", 0},
                {"", -1},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const char *p = cases[i].text;
                struct netdev_line l;
                memset(&l, 0xa5, sizeof l);
                int r = netdev_next(&p, &l);
                if (r != cases[i].ret)
                        fail_msg("case %zu (%s): %d, not %d", i, cases[i].text, r, cases[i].ret);
                size_t want = cases[i].consumed ? cases[i].consumed : strlen(cases[i].text);
                assert_int_equal((size_t)(p - cases[i].text), want);
                if (r != 1)
                        continue;
                assert_string_equal(l.name, cases[i].name);
                assert_true(l.rx_bytes == cases[i].rx_bytes);
                assert_true(l.tx_carrier == cases[i].tx_carrier);
                assert_true(l.tx_compressed == cases[i].tx_compressed);
                if (cases[i].tx_compressed == 16) { /* C16: every column in its place */
                        const uint64_t *v[] = {
                                &l.rx_packets, &l.rx_errs,       &l.rx_drop,      &l.rx_fifo,
                                &l.rx_frame,   &l.rx_compressed, &l.rx_multicast, &l.tx_bytes,
                                &l.tx_packets, &l.tx_errs,       &l.tx_drop,      &l.tx_fifo,
                                &l.tx_colls,
                        };
                        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
                                assert_true(*v[k] == k + 2);
                }
                assert_int_equal(netdev_is_lo(&l), strcmp(cases[i].name, "lo") == 0);
        }
}

static void test_file(void **state) {
        const char *text =
                "Inter-|   Receive                            |  Transmit\n"
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
                "packets errs drop fifo colls carrier compressed\n"
                "    lo:    1296      16    0    0    0     0          0         0     1296      "
                "16    0    0    0     0       0          0\n"
                "  eth0: 27658     321    0    0    0     0          0         0     3978      "
                "41    0    0    0     0       0          0\n"
                "eth1: 1 2\n"
                "verylongname123:" C16 "\n";
        const char *want[] = {"lo", "eth0", "verylongname123"};
        size_t n = 0, skipped = 0;
        int r;
        struct netdev_line l;
        for (const char *p = text; (r = netdev_next(&p, &l)) >= 0;) {
                if (r == 0) {
                        skipped++;
                        continue;
                }
                assert_true(n < 3);
                assert_string_equal(l.name, want[n]);
                n++;
        }
        assert_int_equal(n, 3);
        assert_int_equal(skipped, 3);
}

/* The source of truth: every interface of this namespace, as if_nameindex() lists them. */
static void test_live(void **state) {
        struct hsp_procbuf b = {0};
        assert_int_equal(hsp_procbuf_read(&b, "/proc/self/net/dev"), 0);
        struct if_nameindex *ifs = if_nameindex();
        assert_non_null(ifs);
        size_t n_ifs = 0;
        for (struct if_nameindex *i = ifs; i->if_index; i++)
                n_ifs++;
        size_t n = 0;
        int r;
        struct netdev_line l;
        for (const char *p = b.buf; (r = netdev_next(&p, &l)) >= 0;) {
                if (r == 0)
                        continue;
                assert_int_not_equal(if_nametoindex(l.name), 0);
                n++;
        }
        assert_int_equal(n, n_ifs);
        if_freenameindex(ifs);
        hsp_procbuf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_file),
                cmocka_unit_test(test_live),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
