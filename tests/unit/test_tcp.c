/* test_tcp.c - tcp module, the pure parts: sampled-header parsing, the inet_diag request,
 * inet_diag replies built with libnl, the answer cache. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <cmocka.h>

#include "testutil.h"
#include "modules/tcp.h"
#include "tcp-replies.h"

/* ---- header parsing: packets built from a description ---- */

enum link { L_ETH, L_VLAN, L_QINQ, L_RAW };

struct pkt_case {
        const char *name;
        enum link link;
        int ipver;         /* 4 or 6 */
        uint8_t proto;     /* IPv4 protocol / last IPv6 next header */
        unsigned ip4_opts; /* bytes of IPv4 options (multiple of 4) */
        uint16_t frag;     /* IPv4 fragment offset field / IPv6 fragment offset */
        uint8_t ext[4];    /* IPv6 extension headers in order (0-terminated, 0 = none) */
        int cut;           /* bytes removed from the end (negative: keep only -cut bytes) */
        int want;          /* expected return */
};

#define SPORT 40000
#define DPORT 5201

static size_t build(const struct pkt_case *c, uint8_t *b, uint32_t *ret_proto) {
        size_t n = 0;
        *ret_proto = c->link == L_RAW ? (c->ipver == 4 ? SFLOW_HEADER_IPV4 : SFLOW_HEADER_IPV6)
                                      : SFLOW_HEADER_ETHERNET;
        if (c->link != L_RAW) {
                memset(b, 0xaa, 12);
                n = 12;
                if (c->link == L_QINQ) {
                        memcpy(b + n, "\x88\xa8\x00\x0a", 4);
                        n += 4;
                }
                if (c->link == L_VLAN || c->link == L_QINQ) {
                        memcpy(b + n, "\x81\x00\x00\x14", 4);
                        n += 4;
                }
                memcpy(b + n, c->ipver == 4 ? "\x08\x00" : "\x86\xdd", 2);
                n += 2;
        }
        if (c->ipver == 4) {
                uint8_t *ip = b + n;
                memset(ip, 0, 20 + c->ip4_opts);
                ip[0] = (uint8_t)(0x40 | (20 + c->ip4_opts) / 4);
                ip[6] = (uint8_t)(c->frag >> 8);
                ip[7] = (uint8_t)c->frag;
                ip[8] = 64;
                ip[9] = c->proto;
                memcpy(ip + 12, "\xc6\x33\x64\x01", 4);
                memcpy(ip + 16, "\xc6\x33\x64\x02", 4);
                memset(ip + 20, 1, c->ip4_opts); /* NOPs */
                n += 20 + c->ip4_opts;
        } else {
                uint8_t *ip = b + n;
                memset(ip, 0, 40);
                ip[0] = 0x60;
                ip[6] = c->ext[0] ? c->ext[0] : c->proto;
                ip[7] = 64;
                ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
                ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
                n += 40;
                for (unsigned i = 0; i < 4 && c->ext[i]; i++) {
                        uint8_t next = i + 1 < 4 && c->ext[i + 1] ? c->ext[i + 1] : c->proto;
                        uint8_t *e = b + n;
                        size_t len = c->ext[i] == IPPROTO_FRAGMENT ? 8
                                     : c->ext[i] == IPPROTO_AH     ? 16
                                                                   : 16;
                        memset(e, 0, len);
                        e[0] = next;
                        if (c->ext[i] == IPPROTO_FRAGMENT) {
                                e[2] = (uint8_t)(c->frag >> 8);
                                e[3] = (uint8_t)c->frag;
                        } else if (c->ext[i] == IPPROTO_AH)
                                e[1] = 2; /* (2 + 2) * 4 = 16 bytes */
                        else
                                e[1] = 1; /* (1 + 1) * 8 = 16 bytes */
                        n += len;
                }
        }
        uint8_t *l4 = b + n;
        memset(l4, 0, 20);
        l4[0] = SPORT >> 8, l4[1] = SPORT & 0xff, l4[2] = DPORT >> 8, l4[3] = DPORT & 0xff;
        l4[12] = 0x50;
        n += 20;
        if (c->cut < 0)
                return (size_t)-c->cut;
        return n - (size_t)c->cut;
}

static const struct pkt_case pkt_cases[] = {
        {"eth ipv4", L_ETH, 4, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"eth ipv4 only ports", L_ETH, 4, IPPROTO_TCP, 0, 0, {0}, 16, 0},
        {"eth ipv4 cut in ports", L_ETH, 4, IPPROTO_TCP, 0, 0, {0}, 17, -EBADMSG},
        {"eth ipv4 options", L_ETH, 4, IPPROTO_TCP, 12, 0, {0}, 0, 0},
        {"eth ipv4 max options cut", L_ETH, 4, IPPROTO_TCP, 40, 0, {0}, 20, -EBADMSG},
        {"vlan ipv4", L_VLAN, 4, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"qinq ipv4", L_QINQ, 4, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"raw ipv4", L_RAW, 4, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"raw ipv4 udp", L_RAW, 4, IPPROTO_UDP, 0, 0, {0}, 0, -ENOMSG},
        {"ipv4 first fragment", L_ETH, 4, IPPROTO_TCP, 0, 0x2000, {0}, 0, 0},
        {"ipv4 later fragment", L_ETH, 4, IPPROTO_TCP, 0, 0x0010, {0}, 0, -ENOMSG},
        {"ipv4 cut in header", L_RAW, 4, IPPROTO_TCP, 0, 0, {0}, -19, -EBADMSG},
        {"eth only", L_ETH, 4, IPPROTO_TCP, 0, 0, {0}, -14, -EBADMSG},
        {"eth cut in type", L_ETH, 4, IPPROTO_TCP, 0, 0, {0}, -13, -EBADMSG},
        {"vlan cut in type", L_VLAN, 4, IPPROTO_TCP, 0, 0, {0}, -17, -EBADMSG},
        {"vlan cut in tag", L_VLAN, 4, IPPROTO_TCP, 0, 0, {0}, -14, -EBADMSG},
        {"qinq cut after outer tag", L_QINQ, 4, IPPROTO_TCP, 0, 0, {0}, -15, -EBADMSG},
        {"empty", L_RAW, 4, IPPROTO_TCP, 0, 0, {0}, 0, -EBADMSG}, /* length 0, below */
        {"eth ipv6", L_ETH, 6, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"raw ipv6", L_RAW, 6, IPPROTO_TCP, 0, 0, {0}, 0, 0},
        {"ipv6 hop-by-hop, dstopts",
         L_RAW,
         6,
         IPPROTO_TCP,
         0,
         0,
         {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS},
         0,
         0},
        {"ipv6 routing, AH", L_ETH, 6, IPPROTO_TCP, 0, 0, {IPPROTO_ROUTING, IPPROTO_AH}, 0, 0},
        {"ipv6 first fragment", L_ETH, 6, IPPROTO_TCP, 0, 0, {IPPROTO_FRAGMENT}, 0, 0},
        {"ipv6 later fragment", L_ETH, 6, IPPROTO_TCP, 0, 0x0100, {IPPROTO_FRAGMENT}, 0, -ENOMSG},
        {"ipv6 ext cut", L_RAW, 6, IPPROTO_TCP, 0, 0, {IPPROTO_HOPOPTS}, 30, -EBADMSG},
        {"ipv6 ext then cut in ports",
         L_RAW,
         6,
         IPPROTO_TCP,
         0,
         0,
         {IPPROTO_DSTOPTS},
         17,
         -EBADMSG},
        {"ipv6 icmp", L_RAW, 6, IPPROTO_ICMPV6, 0, 0, {0}, 0, -ENOMSG},
        {"ipv6 esp", L_RAW, 6, IPPROTO_ESP, 0, 0, {0}, 0, -ENOMSG},
        {"ipv6 cut in header", L_ETH, 6, IPPROTO_TCP, 0, 0, {0}, -53, -EBADMSG},
};

static void test_parse_table(void **state) {
        for (size_t i = 0; i < sizeof pkt_cases / sizeof pkt_cases[0]; i++) {
                const struct pkt_case *c = &pkt_cases[i];
                uint8_t buf[256];
                uint32_t proto;
                size_t len = build(c, buf, &proto);
                if (strcmp(c->name, "empty") == 0)
                        len = 0;
                int want = c->want;
                struct hsp_tcp_tuple t;
                memset(&t, 0x5a, sizeof t);
                int r = hsp_tcp_parse_header(proto, buf, len, &t);
                if (r != want)
                        fail_msg("%s: got %d, want %d", c->name, r, want);
                if (r < 0) {
                        assert_int_equal(t.family, 0x5a); /* untouched on failure */
                        continue;
                }
                assert_int_equal(t.sport, SPORT);
                assert_int_equal(t.dport, DPORT);
                if (c->ipver == 4) {
                        assert_int_equal(t.family, AF_INET);
                        assert_memory_equal(t.src, "\xc6\x33\x64\x01", 4);
                        assert_memory_equal(t.dst, "\xc6\x33\x64\x02", 4);
                } else {
                        assert_int_equal(t.family, AF_INET6);
                        assert_int_equal(t.src[15], 1);
                        assert_int_equal(t.dst[15], 2);
                        assert_int_equal(t.src[0], 0x20);
                }
        }
}

static void test_parse_other(void **state) {
        uint8_t arp[64] = {0};
        arp[12] = 0x08, arp[13] = 0x06;
        struct hsp_tcp_tuple t;
        assert_int_equal(hsp_tcp_parse_header(SFLOW_HEADER_ETHERNET, arp, 64, &t), -ENOMSG);
        assert_int_equal(hsp_tcp_parse_header(99, arp, 64, &t), -EPROTONOSUPPORT);
        assert_int_equal(hsp_tcp_parse_header(SFLOW_HEADER_ETHERNET, NULL, 0, &t), -EBADMSG);
        /* version nibble disagreeing with the header protocol */
        uint8_t ip[60] = {0x45};
        ip[9] = IPPROTO_TCP;
        assert_int_equal(hsp_tcp_parse_header(SFLOW_HEADER_IPV6, ip, 60, &t), -EBADMSG);
        /* IHL below 5 */
        ip[0] = 0x44;
        assert_int_equal(hsp_tcp_parse_header(SFLOW_HEADER_IPV4, ip, 60, &t), -EBADMSG);
}

static void test_request(void **state) {
        struct hsp_tcp_tuple t = {.family = AF_INET, .sport = 40000, .dport = 5201};
        memcpy(t.src, "\x0a\x00\x00\x01", 4);
        memcpy(t.dst, "\x0a\x00\x00\x02", 4);
        struct inet_diag_req_v2 req;
        hsp_tcp_diag_request(&t, true, 7, &req);
        assert_int_equal(req.sdiag_family, AF_INET);
        assert_int_equal(req.sdiag_protocol, IPPROTO_TCP);
        assert_int_equal(req.idiag_ext, 1 << (INET_DIAG_INFO - 1));
        assert_int_equal(ntohs(req.id.idiag_sport), 40000);
        assert_int_equal(ntohs(req.id.idiag_dport), 5201);
        assert_memory_equal(req.id.idiag_src, "\x0a\x00\x00\x01", 4);
        assert_int_equal(req.id.idiag_if, 7);
        assert_int_equal(req.id.idiag_cookie[0], INET_DIAG_NOCOOKIE);
        /* received: the socket's source is the packet's destination */
        hsp_tcp_diag_request(&t, false, 0, &req);
        assert_int_equal(ntohs(req.id.idiag_sport), 5201);
        assert_int_equal(ntohs(req.id.idiag_dport), 40000);
        assert_memory_equal(req.id.idiag_src, "\x0a\x00\x00\x02", 4);
        assert_memory_equal(req.id.idiag_dst, "\x0a\x00\x00\x01", 4);
}

/* ---- reply parsing: messages built with libnl ---- */

#define KERNEL_TCP_INFO_MIN_RTT 148 /* offsetof(struct tcp_info, tcpi_min_rtt) in linux/tcp.h */

/* A SOCK_DIAG_BY_FAMILY reply with info_len bytes of tcp_info (0: no INFO attribute). */
static struct nl_msg *diag_reply(uint32_t seq, uint8_t state, size_t info_len, bool unknown) {
        struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, 0);
        assert_non_null(msg);
        nlmsg_hdr(msg)->nlmsg_seq = seq;
        struct inet_diag_msg m = {.idiag_family = AF_INET, .idiag_state = state};
        assert_int_equal(nlmsg_append(msg, &m, sizeof m, NLMSG_ALIGNTO), 0);
        if (unknown) {
                uint8_t junk[5] = {1, 2, 3, 4, 5};
                assert_int_equal(nla_put(msg, 200, sizeof junk, junk), 0);
                assert_int_equal(nla_put_u8(msg, INET_DIAG_SHUTDOWN, 0), 0);
        }
        if (info_len) {
                uint8_t raw[400] = {0};
                struct tcp_info ti = {0}; /* glibc's: the kernel's layout up to total_retrans */
                ti.tcpi_snd_mss = 1448;
                ti.tcpi_rcv_mss = 536;
                ti.tcpi_unacked = 3;
                ti.tcpi_lost = 1;
                ti.tcpi_retrans = 9; /* in flight now: not what is sent */
                ti.tcpi_total_retrans = 4;
                ti.tcpi_pmtu = 1500;
                ti.tcpi_rtt = 66;
                ti.tcpi_rttvar = 33;
                ti.tcpi_snd_cwnd = 10;
                ti.tcpi_reordering = 3;
                memcpy(raw, &ti, sizeof ti);
                uint32_t min_rtt = 50;
                memcpy(raw + KERNEL_TCP_INFO_MIN_RTT, &min_rtt, 4);
                assert_true(info_len <= sizeof raw);
                assert_int_equal(nla_put(msg, INET_DIAG_INFO, (int)info_len, raw), 0);
        }
        return msg;
}

static struct nl_msg *error_reply(uint32_t seq, int error) {
        struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_ERROR, 0);
        assert_non_null(msg);
        nlmsg_hdr(msg)->nlmsg_seq = seq;
        struct nlmsgerr e = {.error = error};
        assert_int_equal(nlmsg_append(msg, &e, sizeof e, NLMSG_ALIGNTO), 0);
        return msg;
}

/* Concatenate messages into buf; returns the length. */
static size_t concat(uint8_t *buf, struct nl_msg **msgs, size_t n) {
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                struct nlmsghdr *h = nlmsg_hdr(msgs[i]);
                memcpy(buf + len, h, h->nlmsg_len);
                len += NLMSG_ALIGN(h->nlmsg_len);
                nlmsg_free(msgs[i]);
        }
        return len;
}

static void test_reply_full(void **state) {
        uint8_t buf[4096];
        struct nl_msg *m[] = {diag_reply(11, 1, 232, true)};
        size_t len = concat(buf, m, 1);
        struct replies rs = {0};
        assert_int_equal(hsp_tcp_diag_parse(buf, len, collect, &rs), 1);
        assert_int_equal(rs.seq[0], 11);
        assert_int_equal(rs.r[0], 0);
        const struct sflow_flow_tcp_info *i = &rs.info[0];
        assert_int_equal(i->direction, 0);
        assert_int_equal(i->snd_mss, 1448);
        assert_int_equal(i->rcv_mss, 536);
        assert_int_equal(i->unacked, 3);
        assert_int_equal(i->lost, 1);
        assert_int_equal(i->retrans, 4);
        assert_int_equal(i->pmtu, 1500);
        assert_int_equal(i->rtt, 66);
        assert_int_equal(i->rttvar, 33);
        assert_int_equal(i->snd_cwnd, 10);
        assert_int_equal(i->reordering, 3);
        assert_int_equal(i->min_rtt, 50);
}

static void test_reply_short_long(void **state) {
        uint8_t buf[4096];
        /* an old kernel's tcp_info (ends before min_rtt), and a future one (longer) */
        struct nl_msg *m[] = {diag_reply(1, 1, 104, false), diag_reply(2, 1, 400, true)};
        size_t len = concat(buf, m, 2);
        struct replies rs = {0};
        assert_int_equal(hsp_tcp_diag_parse(buf, len, collect, &rs), 2);
        assert_int_equal(rs.r[0], 0);
        assert_int_equal(rs.info[0].rtt, 66);
        assert_int_equal(rs.info[0].retrans, 4);
        assert_int_equal(rs.info[0].min_rtt, 0);
        assert_int_equal(rs.r[1], 0);
        assert_int_equal(rs.info[1].min_rtt, 50);
        /* cut inside the snd_mss field */
        struct nl_msg *m2[] = {diag_reply(3, 1, 18, false)};
        len = concat(buf, m2, 1);
        rs = (struct replies){0};
        assert_int_equal(hsp_tcp_diag_parse(buf, len, collect, &rs), 1);
        assert_int_equal(rs.r[0], 0);
        assert_int_equal(rs.info[0].snd_mss, 1448 & 0xffff);
        assert_int_equal(rs.info[0].rtt, 0);
}

static void test_reply_errors(void **state) {
        uint8_t buf[4096];
        struct nl_msg *m[] = {
                error_reply(5, -ENOENT),       /* no such socket */
                error_reply(6, 0),             /* an ack: not a reply */
                diag_reply(7, 1, 0, true),     /* no INFO (time-wait) */
                diag_reply(8, 10, 232, false), /* a listener */
                error_reply(9, -EPERM),
        };
        size_t len = concat(buf, m, 5);
        struct replies rs = {0};
        assert_int_equal(hsp_tcp_diag_parse(buf, len, collect, &rs), 4);
        assert_int_equal(rs.seq[0], 5);
        assert_int_equal(rs.r[0], -ENOENT);
        assert_int_equal(rs.seq[1], 7);
        assert_int_equal(rs.r[1], -ENODATA);
        assert_int_equal(rs.seq[2], 8);
        assert_int_equal(rs.r[2], -ENOENT);
        assert_int_equal(rs.seq[3], 9);
        assert_int_equal(rs.r[3], -EPERM);

        /* a datagram cut in the middle of its second message: the first is still reported */
        struct nl_msg *m2[] = {error_reply(1, -ENOENT), diag_reply(2, 1, 232, false)};
        len = concat(buf, m2, 2);
        rs = (struct replies){0};
        assert_int_equal(hsp_tcp_diag_parse(buf, len - 40, collect, &rs), -EBADMSG);
        assert_int_equal(rs.n, 1);
        /* a diag message too short for struct inet_diag_msg */
        struct nlmsghdr h = {
                .nlmsg_len = sizeof h + 8, .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_seq = 4};
        memset(buf, 0, sizeof buf);
        memcpy(buf, &h, sizeof h);
        rs = (struct replies){0};
        assert_int_equal(hsp_tcp_diag_parse(buf, sizeof h + 8, collect, &rs), 1);
        assert_int_equal(rs.r[0], -EBADMSG);
        /* an error message too short for struct nlmsgerr */
        h.nlmsg_type = NLMSG_ERROR;
        memcpy(buf, &h, sizeof h);
        rs = (struct replies){0};
        assert_int_equal(hsp_tcp_diag_parse(buf, sizeof h + 8, collect, &rs), 1);
        assert_int_equal(rs.r[0], -EBADMSG);
        /* garbage shorter than a header */
        assert_int_equal(hsp_tcp_diag_parse(buf, 7, collect, &rs), -EBADMSG);
}

/* ---- the answer cache ---- */

static void test_cache(void **state) {
        static struct hsp_tcp_cache c;
        /* a packet A:1 -> B:2 that we sent, and B:2 -> A:1 that we received: one socket */
        struct hsp_tcp_tuple out = {.family = AF_INET, .sport = 1, .dport = 2};
        memcpy(out.src, "\x0a\x00\x00\x01", 4);
        memcpy(out.dst, "\x0a\x00\x00\x02", 4);
        struct hsp_tcp_tuple in = {.family = AF_INET, .sport = 2, .dport = 1};
        memcpy(in.src, out.dst, 4);
        memcpy(in.dst, out.src, 4);
        struct inet_diag_req_v2 sent, received, other;
        hsp_tcp_diag_request(&out, true, 3, &sent);
        hsp_tcp_diag_request(&in, false, 3, &received);
        assert_memory_equal(&sent, &received, sizeof sent);
        in.sport = 9;
        hsp_tcp_diag_request(&in, false, 3, &other);

        assert_null(hsp_tcp_cache_get(&c, &sent, 100, 10));
        struct sflow_flow_tcp_info info = {.rtt = 77};
        hsp_tcp_cache_put(&c, &sent, 100, true, true, &info);
        const struct hsp_tcp_cached *e = hsp_tcp_cache_get(&c, &received, 109, 10);
        assert_non_null(e);
        assert_true(e->found && e->peer);
        assert_int_equal(e->info.rtt, 77);
        assert_null(hsp_tcp_cache_get(&c, &sent, 110, 10)); /* too old */
        assert_null(hsp_tcp_cache_get(&c, &sent, 99, 10));  /* clock before it */
        assert_null(hsp_tcp_cache_get(&c, &other, 105, 10));
        hsp_tcp_cache_put(&c, &other, 200, false, false, NULL);
        e = hsp_tcp_cache_get(&c, &other, 200, 10);
        assert_non_null(e);
        assert_false(e->found);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_parse_other),
                cmocka_unit_test(test_request),
                cmocka_unit_test(test_reply_full),
                cmocka_unit_test(test_reply_short_long),
                cmocka_unit_test(test_reply_errors),
                cmocka_unit_test(test_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
