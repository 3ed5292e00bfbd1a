/* test_nflog.c - nflog module: NFLOG messages built with libnl (well-formed, truncated, unknown
 * attributes, missing payload), the header record, probabilities; sequence gaps and
 * sub-sampling (ksample). */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <cmocka.h>

#include "modules/ksample.h"
#include "modules/nflog.h"

static const uint8_t ETH[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00};

/* An IPv4/UDP packet of total length len (only the first n bytes are given). */
static void ipv4(uint8_t *b, uint16_t len) {
        memset(b, 0xab, len);
        b[0] = 0x45;
        b[2] = (uint8_t)(len >> 8);
        b[3] = (uint8_t)len;
        b[9] = 17;
}

enum { F_HDR = 1, F_PAYLOAD = 2, F_HW = 4, F_SEQ = 8, F_PHYS = 16, F_UNKNOWN = 32, F_TS = 64 };

static struct nl_msg *build(unsigned flags, uint16_t iplen, uint32_t cut) {
        struct nl_msg *msg = nlmsg_alloc_simple((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, 0);
        struct nfgenmsg g = {.nfgen_family = AF_INET, .version = NFNETLINK_V0};
        assert_int_equal(nlmsg_append(msg, &g, sizeof g, NLMSG_ALIGNTO), 0);
        if (flags & F_HDR) {
                struct nfulnl_msg_packet_hdr ph = {.hw_protocol = htons(0x0800), .hook = 1};
                nla_put(msg, NFULA_PACKET_HDR, sizeof ph, &ph);
        }
        if (flags & F_UNKNOWN)
                nla_put_u32(msg, 200, 7);
        nla_put_u32(msg, NFULA_IFINDEX_INDEV, htonl(3));
        if (flags & F_PHYS)
                nla_put_u32(msg, NFULA_IFINDEX_PHYSINDEV, htonl(70000));
        if (flags & F_SEQ)
                nla_put_u32(msg, NFULA_SEQ, htonl(41));
        if (flags & F_TS) {
                struct nfulnl_msg_packet_timestamp ts = {.sec = htobe64(1700000000),
                                                         .usec = htobe64(250000)};
                nla_put(msg, NFULA_TIMESTAMP, sizeof ts, &ts);
        }
        if (flags & F_HW) {
                nla_put_u16(msg, NFULA_HWTYPE, htons(ARPHRD_ETHER));
                nla_put_u16(msg, NFULA_HWLEN, htons(14));
                nla_put(msg, NFULA_HWHEADER, 14, ETH);
        }
        if (flags & F_PAYLOAD) {
                uint8_t b[1500];
                ipv4(b, iplen);
                nla_put(msg, NFULA_PAYLOAD, iplen > 100 ? 100 : iplen, b);
        }
        (void)cut;
        return msg;
}

static void test_parse_good(void **state) {
        struct nl_msg *msg = build(F_HDR | F_PAYLOAD | F_HW | F_SEQ | F_TS | F_UNKNOWN, 1000, 0);
        struct nflog_pkt p;
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), 0);
        assert_int_equal(p.family, AF_INET);
        assert_int_equal(p.hook, 1);
        assert_int_equal(p.hw_protocol, 0x0800);
        assert_int_equal(p.indev, 3);
        assert_int_equal(p.outdev, 0);
        assert_true(p.has_seq);
        assert_int_equal(p.seq, 41);
        assert_true(p.has_ts);
        assert_true(p.ts_ns == UINT64_C(1700000000250000000));
        assert_int_equal(p.payload_len, 100);
        assert_int_equal(p.hwheader_len, 14);
        assert_int_equal(p.hwtype, ARPHRD_ETHER);

        uint8_t buf[256];
        uint32_t proto, frame, stripped;
        int n = nflog_header(&p, 64, buf, sizeof buf, &proto, &frame, &stripped);
        assert_int_equal(n, 64);
        assert_int_equal(proto, SFLOW_HEADER_ETHERNET);
        assert_int_equal(frame, 14 + 1000 + 4);
        assert_int_equal(stripped, 4);
        assert_memory_equal(buf, ETH, 14);
        assert_int_equal(buf[14], 0x45);
        n = nflog_header(&p, 256, buf, sizeof buf, &proto, &frame, &stripped);
        assert_int_equal(n, 114); /* all there is */
        nlmsg_free(msg);
}

static void test_parse_phys_no_hw(void **state) {
        struct nl_msg *msg = build(F_HDR | F_PAYLOAD | F_PHYS, 60, 0);
        struct nflog_pkt p;
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), 0);
        assert_int_equal(p.indev, 70000); /* the physical device wins, 32 bits kept */
        assert_false(p.has_seq);
        assert_false(p.has_ts);
        uint8_t buf[256];
        uint32_t proto, frame, stripped;
        assert_int_equal(nflog_header(&p, 128, buf, sizeof buf, &proto, &frame, &stripped), 60);
        assert_int_equal(proto, SFLOW_HEADER_IPV4);
        assert_int_equal(frame, 60);
        assert_int_equal(stripped, 0);
        nlmsg_free(msg);
}

static void test_parse_bad(void **state) {
        struct nflog_pkt p;
        struct nl_msg *msg = build(F_HDR, 60, 0); /* no payload */
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), -EBADMSG);
        nlmsg_free(msg);
        msg = build(F_PAYLOAD, 60, 0); /* no packet header */
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), -EBADMSG);
        nlmsg_free(msg);
        /* truncated: the length says less than the attributes need */
        msg = build(F_HDR | F_PAYLOAD | F_SEQ, 60, 0);
        struct nlmsghdr *h = nlmsg_hdr(msg);
        uint32_t full = h->nlmsg_len;
        for (uint32_t l = 0; l < full; l++) {
                h->nlmsg_len = l;
                int r = nflog_parse(h, &p);
                assert_true(r == -EBADMSG || r == 0);
                if (r == 0) /* cut between attributes: what is left is still complete */
                        assert_true(p.payload + p.payload_len <= (uint8_t *)h + l);
        }
        h->nlmsg_len = full;
        /* a seq attribute too short for a u32 */
        nlmsg_free(msg);
        msg = nlmsg_alloc_simple((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, 0);
        struct nfgenmsg g = {.nfgen_family = AF_INET};
        nlmsg_append(msg, &g, sizeof g, NLMSG_ALIGNTO);
        struct nfulnl_msg_packet_hdr ph = {0};
        nla_put(msg, NFULA_PACKET_HDR, sizeof ph, &ph);
        uint16_t shortseq = 1;
        nla_put(msg, NFULA_SEQ, sizeof shortseq, &shortseq);
        nla_put(msg, NFULA_PAYLOAD, 1, "E");
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), -EBADMSG);
        nlmsg_free(msg);
        /* another message type */
        msg = nlmsg_alloc_simple(NLMSG_ERROR, 0);
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), -ENOMSG);
        nlmsg_free(msg);
        /* neither IPv4 nor IPv6 */
        msg = build(F_HDR | F_PAYLOAD, 60, 0);
        assert_int_equal(nflog_parse(nlmsg_hdr(msg), &p), 0);
        ((uint8_t *)p.payload)[0] = 0x00;
        uint8_t buf[256];
        uint32_t proto, frame, stripped;
        assert_int_equal(nflog_header(&p, 128, buf, sizeof buf, &proto, &frame, &stripped),
                         -EINVAL);
        nlmsg_free(msg);
}

static void test_rate(void **state) {
        static const struct {
                const char *p;
                uint32_t want;
        } cases[] = {{"0.1", 10}, {"1", 1},     {"0.0025", 400}, {"0.3", 3}, {"0.01", 100},
                     {"0", 0},    {"-0.5", 0},  {"1.5", 0},      {"abc", 0}, {"0.1x", 0},
                     {"", 0},     {"1e-10", 0}, {"nan", 0}};
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                assert_int_equal(nflog_rate(cases[i].p), cases[i].want);
        char err[200];
        struct nflog_conf c = {.group = 5};
        assert_int_equal(nflog_conf_validate(&c, err, sizeof err), -EINVAL);
        c.probability = "0.1";
        assert_int_equal(nflog_conf_validate(&c, err, sizeof err), 0);
        c.probability = "2";
        assert_int_equal(nflog_conf_validate(&c, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "'2'"));
}

static void test_seq(void **state) {
        static const struct {
                uint32_t seq, gap;
        } steps[] = {{5, 0}, {6, 0},          {9, 2},          {9, 0}, {3, 0},
                     {4, 0}, {0xfffffffe, 0}, {0xffffffff, 0}, {1, 1}, {2, 0}};
        struct ksample_seq s = {0};
        uint64_t total = 0;
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
                uint32_t g = ksample_seq_next(&s, steps[i].seq);
                if (i == 6) /* 4 -> 0xfffffffe is "behind" modulo 2^32: a restart */
                        assert_int_equal(g, 0);
                else
                        assert_int_equal(g, steps[i].gap);
                total += g;
        }
        assert_true(s.lost == total && total == 3);
}

static void test_sub(void **state) {
        assert_int_equal(ksample_sub_factor(10, 0), 1);
        assert_int_equal(ksample_sub_factor(10, 5), 1);
        assert_int_equal(ksample_sub_factor(10, 10), 1);
        assert_int_equal(ksample_sub_factor(10, 25), 3);
        assert_int_equal(ksample_sub_factor(10, 100), 10);
        assert_int_equal(ksample_sub_factor(0, 7), 7);
        /* unbiased: about 1/n kept, for n beyond the reference's 32749-period generator */
        static const uint32_t ns[] = {1, 2, 7, 100, 40000};
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
                struct ksample_sub s;
                ksample_sub_init(&s, ns[i], 12345 + i);
                const uint32_t trials = ns[i] > 100 ? 40000000 : 200000;
                uint32_t kept = 0;
                for (uint32_t t = 0; t < trials; t++)
                        kept += ksample_sub_keep(&s);
                double p = 1.0 / ns[i], mean = trials * p, sd = sqrt(trials * p * (1 - p));
                assert_true(fabs(kept - mean) <= 5 * sd + 1e-9);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_phys_no_hw),
                cmocka_unit_test(test_parse_bad),  cmocka_unit_test(test_rate),
                cmocka_unit_test(test_seq),        cmocka_unit_test(test_sub),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
