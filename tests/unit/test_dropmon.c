/* test_dropmon.c - dropmon module: NET_DM packet alerts built with libnl (well-formed,
 * truncated, unknown attributes, unterminated strings, missing payload), reason codes against
 * the specification's table, the exact rate limit, the breaker. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/net_dropmon.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <cmocka.h>

#include "modules/dropmon.h"
#include "sflow/sflow.h"

#define FAMILY 0x22

enum { F_PAYLOAD = 1, F_PORT = 2, F_REASON = 4, F_UNKNOWN = 8, F_BADSTR = 16, F_TRAP = 32 };

static struct nl_msg *build(unsigned f, const char *reason, const char *symbol) {
        struct nl_msg *msg = nlmsg_alloc();
        genlmsg_put(msg, 0, 0, FAMILY, 0, 0, NET_DM_CMD_PACKET_ALERT, 2);
        nla_put_string(msg, NET_DM_ATTR_SYMBOL, symbol ? symbol : "__udp4_lib_rcv+0x1a/0x40");
        if (f & F_PORT) {
                struct nlattr *n = nla_nest_start(msg, NET_DM_ATTR_IN_PORT);
                nla_put_u32(msg, NET_DM_ATTR_PORT_NETDEV_IFINDEX, 70000);
                nla_put_string(msg, NET_DM_ATTR_PORT_NETDEV_NAME, "vbig");
                nla_nest_end(msg, n);
        }
        nla_put_u64(msg, NET_DM_ATTR_TIMESTAMP, 1234567);
        nla_put_u16(msg, NET_DM_ATTR_PROTO, 0x0800);
        nla_put_u32(msg, NET_DM_ATTR_ORIG_LEN, 1500);
        if (f & F_REASON)
                nla_put_string(msg, NET_DM_ATTR_REASON, reason);
        if (f & F_TRAP) {
                nla_put_string(msg, NET_DM_ATTR_HW_TRAP_GROUP_NAME, "l3_drops");
                nla_put_string(msg, NET_DM_ATTR_HW_TRAP_NAME, "blackhole_route");
                nla_put_u16(msg, NET_DM_ATTR_ORIGIN, NET_DM_ORIGIN_HW);
        }
        if (f & F_UNKNOWN)
                nla_put_u32(msg, 99, 1);
        if (f & F_BADSTR)
                nla_put(msg, NET_DM_ATTR_REASON, 4, "ABCD"); /* no NUL */
        if (f & F_PAYLOAD) {
                uint8_t d[60] = {0};
                d[12] = 0x08;
                d[14] = 0x45;
                nla_put(msg, NET_DM_ATTR_PAYLOAD, sizeof d, d);
        }
        return msg;
}

static void test_parse(void **state) {
        struct dropmon_pkt p;
        struct nl_msg *msg = build(F_PAYLOAD | F_PORT | F_REASON | F_UNKNOWN, "NO_SOCKET", NULL);
        assert_int_equal(dropmon_parse(nlmsg_hdr(msg), FAMILY, &p), 0);
        assert_int_equal(p.in_ifindex, 70000); /* 32 bits here */
        assert_string_equal(p.in_name, "vbig");
        assert_string_equal(p.reason, "NO_SOCKET");
        assert_string_equal(p.symbol, "__udp4_lib_rcv+0x1a/0x40");
        assert_true(p.has_ts && p.ts_ns == 1234567);
        assert_int_equal(p.proto, 0x0800);
        assert_int_equal(p.orig_len, 1500);
        assert_int_equal(p.payload_len, 60);
        assert_false(p.hw);
        assert_int_equal(dropmon_reason(&p), 3);
        assert_int_equal(dropmon_parse(nlmsg_hdr(msg), FAMILY + 1, &p), -ENOMSG);
        /* truncations */
        struct nlmsghdr *h = nlmsg_hdr(msg);
        uint32_t full = h->nlmsg_len;
        for (uint32_t l = 0; l < full; l++) {
                h->nlmsg_len = l;
                int r = dropmon_parse(h, FAMILY, &p);
                assert_true(r == 0 || r == -EBADMSG);
                if (r == 0)
                        assert_true(p.payload + p.payload_len <= (uint8_t *)h + l);
        }
        nlmsg_free(msg);
        msg = build(F_PORT, NULL, NULL); /* no payload */
        assert_int_equal(dropmon_parse(nlmsg_hdr(msg), FAMILY, &p), -EBADMSG);
        nlmsg_free(msg);
        msg = build(F_PAYLOAD | F_BADSTR, NULL, NULL);
        assert_int_equal(dropmon_parse(nlmsg_hdr(msg), FAMILY, &p), -EBADMSG);
        nlmsg_free(msg);
        msg = build(F_PAYLOAD | F_TRAP, NULL, "mlxsw_sp_rx_listener+0x10/0x20");
        assert_int_equal(dropmon_parse(nlmsg_hdr(msg), FAMILY, &p), 0);
        assert_true(p.hw);
        assert_int_equal(dropmon_reason(&p), 269); /* the trap's own name */
        nlmsg_free(msg);
}

static void test_reasons(void **state) {
        static const struct {
                const char *reason, *symbol;
                int code;
        } cases[] = {
                {"NO_SOCKET", NULL, 3},
                {"NETFILTER_DROP", NULL, 258},
                {"TCP_CSUM", NULL, 329},
                {"ip_rpfilter", NULL, 335},
                {"DEV_HDR", NULL, 332},
                {"TC_EGRESS", NULL, 366},
                {"TC_INGRESS", NULL, 365},
                {"DUP_FRAG", NULL, 333},
                {"IP_INNOROUTES", NULL, 6},
                {"NEIGH_FAILED", NULL, 279},
                {"SOCKET_FILTER", NULL, 371},
                {"NOT_DROPPED_YET", NULL, -1},
                {"PKT_TOO_SMALL", NULL, 324},
                {"TCP_MINTTL", NULL, 356},
                {"NOT_SPECIFIED", "tcp_v4_rcv+0x1", 289},
                {"NOT_SPECIFIED", "ip_rcv_core+0x1", 285},
                {"NOT_SPECIFIED", "br_handle_frame+0x1", 284},
                {NULL, "kfree_skb_list+0x1", 256},
                {"SOME_FUTURE_REASON", "ip6_forward", 285},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct dropmon_pkt p = {.reason = cases[i].reason, .symbol = cases[i].symbol};
                assert_int_equal(dropmon_reason(&p), cases[i].code);
        }
        /* the specification's codes (and the two its reference decoder gets wrong) */
        assert_string_equal(sflow_drop_reason_name(0), "net_unreachable");
        assert_string_equal(sflow_drop_reason_name(256), "unknown");
        assert_string_equal(sflow_drop_reason_name(332), "dev_hdr");
        assert_string_equal(sflow_drop_reason_name(366), "tc_egress");
        assert_string_equal(sflow_drop_reason_name(372), "bgp_flowspec");
        assert_null(sflow_drop_reason_name(33));
        assert_null(sflow_drop_reason_name(36));
        /* codes are a contiguous run 0..15 and 256..372 */
        for (uint32_t c = 0; c <= 372; c++)
                assert_true((sflow_drop_reason_name(c) != NULL) == (c <= 15 || c >= 256));
}

static void test_bucket(void **state) {
        /* limit=15 sends 15 per second, not 10: a steady flood of 1000/s for 10 s */
        struct dropmon_bucket b;
        const uint64_t s = 1000000000;
        dropmon_bucket_init(&b, 15, 0);
        unsigned sent = 0;
        for (uint64_t t = 0; t < 10 * s; t += s / 1000)
                sent += dropmon_bucket_take(&b, t);
        assert_int_equal(sent, 15 + 149); /* the burst, then 15/s over the 9.999 s that follow */
        /* limit below 10 is exact too */
        dropmon_bucket_init(&b, 3, 0);
        sent = 0;
        for (uint64_t t = 0; t < 20 * s; t += s / 100)
                sent += dropmon_bucket_take(&b, t);
        assert_int_equal(sent, 3 + 59); /* 3/s over 19.99 s */
        /* idle time does not accumulate beyond one second's worth */
        dropmon_bucket_init(&b, 15, 0);
        sent = 0;
        for (uint64_t t = 100 * s; t < 100 * s + s / 10; t += s / 10000)
                sent += dropmon_bucket_take(&b, t);
        assert_int_equal(sent, 15 + 1);
}

static void test_breaker(void **state) {
        struct dropmon_breaker b = {.max = 100, .max_trip = 2};
        assert_false(dropmon_breaker_tick(&b, 101));
        assert_false(dropmon_breaker_tick(&b, 50)); /* not in a row */
        assert_false(dropmon_breaker_tick(&b, 101));
        assert_true(dropmon_breaker_tick(&b, 500));
        assert_false(dropmon_breaker_tick(&b, 500)); /* counts again after tripping */
        assert_true(dropmon_breaker_tick(&b, 500));
}

static void test_defaults(void **state) {
        assert_true(dropmon_defaults.start && dropmon_defaults.sw && dropmon_defaults.hw);
        assert_int_equal(dropmon_defaults.limit, 100);
        assert_int_equal(dropmon_defaults.max, 100000);
        assert_int_equal(dropmon_defaults.max_trip, 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),    cmocka_unit_test(test_reasons),
                cmocka_unit_test(test_bucket),   cmocka_unit_test(test_breaker),
                cmocka_unit_test(test_defaults),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
