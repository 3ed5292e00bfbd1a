/* test_psample.c - psample module: messages built with libnl (well-formed, truncated, unknown
 * attributes, oversized and truncated ifindexes, missing DATA, a probability instead of a
 * rate), saturation, the header protocol by link type, 16-bit ifindex resolution, route
 * destinations. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/psample.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <cmocka.h>

#include "modules/psample-route.h"
#include "modules/psample.h"

#define FAMILY 0x1d

enum {
        F_IIF = 1,
        F_OIF = 2,
        F_SEQ = 4,
        F_DATA = 8,
        F_EXTRA = 16,
        F_UNKNOWN = 32,
        F_PROB = 64,
        F_BIGIIF = 128,
        F_NORATE = 256,
        F_PROTO6 = 512,
};

static uint8_t frame[100];

static struct nl_msg *build(unsigned f) {
        struct nl_msg *msg = nlmsg_alloc();
        genlmsg_put(msg, 0, 0, FAMILY, 0, 0, PSAMPLE_CMD_SAMPLE, 1);
        if (f & F_IIF)
                nla_put_u16(msg, PSAMPLE_ATTR_IIFINDEX, 7);
        if (f & F_BIGIIF)
                nla_put_u32(msg, PSAMPLE_ATTR_IIFINDEX, 70000); /* wrong size */
        if (f & F_OIF)
                nla_put_u16(msg, PSAMPLE_ATTR_OIFINDEX, (uint16_t)70000); /* truncated: 4464 */
        nla_put_u32(msg, PSAMPLE_ATTR_ORIGSIZE, 1000);
        nla_put_u32(msg, PSAMPLE_ATTR_SAMPLE_GROUP, 1);
        if (f & F_SEQ)
                nla_put_u32(msg, PSAMPLE_ATTR_GROUP_SEQ, 99);
        if (!(f & F_NORATE))
                nla_put_u32(msg, PSAMPLE_ATTR_SAMPLE_RATE, (f & F_PROB) ? UINT32_MAX / 10 : 10);
        if (f & F_UNKNOWN)
                nla_put_u32(msg, 77, 1);
        if (f & F_EXTRA) {
                nla_put_u16(msg, PSAMPLE_ATTR_OUT_TC, 3);
                nla_put_u64(msg, PSAMPLE_ATTR_OUT_TC_OCC, UINT64_C(0x100000005));
                nla_put_u64(msg, PSAMPLE_ATTR_LATENCY, 1234);
                nla_put_u64(msg, PSAMPLE_ATTR_TIMESTAMP, UINT64_C(1700000000123456789));
                nla_put_u16(msg, PSAMPLE_ATTR_PROTO, (f & F_PROTO6) ? ETH_P_IPV6 : ETH_P_IP);
        }
        if (f & F_PROB)
                nla_put_flag(msg, PSAMPLE_ATTR_PROTO + 2);
        if (f & F_DATA)
                nla_put(msg, PSAMPLE_ATTR_DATA, sizeof frame, frame);
        return msg;
}

static void test_good(void **state) {
        struct nl_msg *msg = build(F_IIF | F_OIF | F_SEQ | F_DATA | F_EXTRA | F_UNKNOWN);
        struct psample_pkt p;
        assert_int_equal(psample_parse(nlmsg_hdr(msg), FAMILY, &p), 0);
        assert_int_equal(p.iif, 7);
        assert_int_equal(p.oif, 70000 & 0xffff);
        assert_int_equal(p.origsize, 1000);
        assert_int_equal(p.group, 1);
        assert_true(p.has_seq && p.seq == 99);
        assert_int_equal(p.rate, 10);
        assert_false(p.probability);
        assert_int_equal(p.data_len, sizeof frame);
        assert_true(p.has_out_tc && p.out_tc == 3);
        assert_true(p.has_occ && psample_sat32(p.occ) == UINT32_MAX); /* saturated */
        assert_true(p.has_latency && psample_sat32(p.latency) == 1234);
        assert_true(p.has_ts && p.ts_ns == UINT64_C(1700000000123456789));
        assert_true(p.has_proto && p.proto == ETH_P_IP);
        assert_int_equal(psample_parse(nlmsg_hdr(msg), FAMILY + 1, &p), -ENOMSG);
        nlmsg_free(msg);
}

static void test_bad(void **state) {
        struct psample_pkt p;
        static const unsigned bad[] = {F_IIF, /* no DATA */ F_DATA | F_NORATE,
                                       F_DATA | F_BIGIIF /* 32-bit ifindex: not ours */};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct nl_msg *msg = build(bad[i]);
                assert_int_equal(psample_parse(nlmsg_hdr(msg), FAMILY, &p), -EBADMSG);
                nlmsg_free(msg);
        }
        /* every truncation is refused or parses to what is inside the message */
        struct nl_msg *msg = build(F_IIF | F_OIF | F_SEQ | F_DATA | F_EXTRA);
        struct nlmsghdr *h = nlmsg_hdr(msg);
        uint32_t full = h->nlmsg_len;
        for (uint32_t l = 0; l < full; l++) {
                h->nlmsg_len = l;
                int r = psample_parse(h, FAMILY, &p);
                assert_true(r == -EBADMSG || r == 0);
                if (r == 0)
                        assert_true(p.data + p.data_len <= (uint8_t *)h + l);
        }
        nlmsg_free(msg);
        /* another command */
        msg = nlmsg_alloc();
        genlmsg_put(msg, 0, 0, FAMILY, 0, 0, PSAMPLE_CMD_NEW_GROUP, 1);
        assert_int_equal(psample_parse(nlmsg_hdr(msg), FAMILY, &p), -ENOMSG);
        nlmsg_free(msg);
}

static void test_probability(void **state) {
        struct nl_msg *msg = build(F_IIF | F_DATA | F_PROB);
        struct psample_pkt p;
        assert_int_equal(psample_parse(nlmsg_hdr(msg), FAMILY, &p), 0);
        assert_true(p.probability);
        assert_int_equal(p.rate, 10);
        nlmsg_free(msg);
}

static void test_header(void **state) {
        struct psample_pkt p = {.data = frame, .data_len = sizeof frame, .origsize = 1000};
        uint32_t proto, flen, stripped, hlen;
        frame[0] = 0x45;
        assert_true(psample_header(&p, ARPHRD_ETHER, 64, &proto, &flen, &stripped, &hlen));
        assert_true(proto == SFLOW_HEADER_ETHERNET && flen == 1004 && stripped == 4 && hlen == 64);
        /* tun/wireguard: the packet is IP, never read as Ethernet */
        assert_true(psample_header(&p, ARPHRD_NONE, 128, &proto, &flen, &stripped, &hlen));
        assert_true(proto == SFLOW_HEADER_IPV4 && flen == 1000 && stripped == 0 && hlen == 100);
        p.has_proto = true;
        p.proto = ETH_P_IPV6;
        assert_false(psample_header(&p, ARPHRD_PPP, 128, &proto, &flen, &stripped, &hlen));
        frame[0] = 0x60;
        assert_true(psample_header(&p, ARPHRD_PPP, 128, &proto, &flen, &stripped, &hlen));
        assert_int_equal(proto, SFLOW_HEADER_IPV6);
        frame[0] = 0x10;
        p.has_proto = false;
        assert_false(psample_header(&p, ARPHRD_NONE, 128, &proto, &flen, &stripped, &hlen));
}

static void test_ifmap(void **state) {
        struct psample_ifmap m;
        assert_int_equal(psample_ifmap_init(&m), 0);
        psample_ifmap_clear(&m);
        psample_ifmap_add(&m, 1);
        psample_ifmap_add(&m, 7);
        psample_ifmap_add(&m, 70000);     /* 4464 modulo 65536 */
        psample_ifmap_add(&m, 65536 + 7); /* collides with 7 */
        assert_int_equal(psample_ifmap_lookup(&m, 1), 1);
        assert_int_equal(psample_ifmap_lookup(&m, 70000 & 0xffff), 70000);
        assert_int_equal(psample_ifmap_lookup(&m, 7), -1);
        assert_int_equal(psample_ifmap_lookup(&m, 9), 0);
        psample_ifmap_free(&m);
}

static void test_route_dst(void **state) {
        uint8_t d[60] = {0}, dst[16];
        d[12] = 0x08;
        d[14] = 0x45;
        memcpy(d + 14 + 16, "\xc6\x33\x64\x02", 4);
        assert_int_equal(psample_route_dst(SFLOW_HEADER_ETHERNET, d, sizeof d, dst), AF_INET);
        assert_memory_equal(dst, "\xc6\x33\x64\x02", 4);
        assert_int_equal(psample_route_dst(SFLOW_HEADER_ETHERNET, d, 20, dst), 0); /* cut */
        d[13] = 0x06;                                                              /* ARP */
        assert_int_equal(psample_route_dst(SFLOW_HEADER_ETHERNET, d, sizeof d, dst), 0);
        assert_int_equal(psample_route_dst(SFLOW_HEADER_IPV4, d + 14, 46, dst), AF_INET);
        uint8_t v6[40] = {0x60};
        v6[24] = 0x20;
        assert_int_equal(psample_route_dst(SFLOW_HEADER_IPV6, v6, 40, dst), AF_INET6);
        assert_int_equal(dst[0], 0x20);
        assert_int_equal(psample_route_dst(SFLOW_HEADER_IPV6, v6, 39, dst), 0);
}

static void test_conf(void **state) {
        char err[128];
        struct psample_conf c = psample_defaults;
        assert_int_equal(c.group, 1);
        assert_true(c.ingress && !c.egress);
        assert_int_equal(psample_conf_validate(&c, err, sizeof err), 0);
        c.ingress = false;
        assert_int_equal(psample_conf_validate(&c, err, sizeof err), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),        cmocka_unit_test(test_bad),
                cmocka_unit_test(test_probability), cmocka_unit_test(test_header),
                cmocka_unit_test(test_ifmap),       cmocka_unit_test(test_route_dst),
                cmocka_unit_test(test_conf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
