/* tcp-parse.c - the TCP 4-tuple of a sampled header, and the inet_diag request for it. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "tcp.h"

#define ETH_HLEN_ 14
#define ETHERTYPE_IPV4_ 0x0800
#define ETHERTYPE_IPV6_ 0x86dd
#define ETHERTYPE_VLAN_ 0x8100
#define ETHERTYPE_QINQ_ 0x88a8
#define MAX_VLAN_TAGS 2
#define MAX_IPV6_EXT 8 /* extension headers followed before giving up */
#define TCP_STATE_ESTABLISHED 1

static uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* The TCP ports at l4 (len bytes left). */
static int parse_ports(const uint8_t *l4, size_t len, struct hsp_tcp_tuple *t) {
        if (len < 4)
                return -EBADMSG;
        t->sport = get16(l4);
        t->dport = get16(l4 + 2);
        return 0;
}

static int parse_ipv4(const uint8_t *p, size_t len, struct hsp_tcp_tuple *ret) {
        if (len < 20 || p[0] >> 4 != 4)
                return -EBADMSG;
        size_t ihl = (size_t)(p[0] & 0x0f) * 4;
        if (ihl < 20)
                return -EBADMSG;
        if (p[9] != IPPROTO_TCP)
                return -ENOMSG;
        if ((get16(p + 6) & 0x1fff) != 0)
                return -ENOMSG; /* a later fragment: no TCP header in it */
        if (ihl > len)
                return -EBADMSG;
        struct hsp_tcp_tuple t = {.family = AF_INET};
        memcpy(t.src, p + 12, 4);
        memcpy(t.dst, p + 16, 4);
        int r = parse_ports(p + ihl, len - ihl, &t);
        if (r < 0)
                return r;
        *ret = t;
        return 0;
}

static int parse_ipv6(const uint8_t *p, size_t len, struct hsp_tcp_tuple *ret) {
        if (len < 40 || p[0] >> 4 != 6)
                return -EBADMSG;
        struct hsp_tcp_tuple t = {.family = AF_INET6};
        memcpy(t.src, p + 8, 16);
        memcpy(t.dst, p + 24, 16);
        uint8_t next = p[6];
        size_t off = 40;
        for (unsigned i = 0;; i++) {
                if (next == IPPROTO_TCP)
                        break;
                if (i >= MAX_IPV6_EXT)
                        return -ENOMSG;
                size_t hlen;
                switch (next) {
                case IPPROTO_HOPOPTS:
                case IPPROTO_ROUTING:
                case IPPROTO_DSTOPTS:
                        if (len - off < 2)
                                return -EBADMSG;
                        hlen = ((size_t)p[off + 1] + 1) * 8;
                        break;
                case IPPROTO_FRAGMENT:
                        if (len - off < 8)
                                return -EBADMSG;
                        if ((get16(p + off + 2) & 0xfff8) != 0)
                                return -ENOMSG; /* a later fragment */
                        hlen = 8;
                        break;
                case IPPROTO_AH:
                        if (len - off < 2)
                                return -EBADMSG;
                        hlen = ((size_t)p[off + 1] + 2) * 4;
                        break;
                default: /* ESP, no next header, ICMPv6, UDP, ... */
                        return -ENOMSG;
                }
                next = p[off];
                if (hlen > len - off)
                        return -EBADMSG;
                off += hlen;
        }
        int r = parse_ports(p + off, len - off, &t);
        if (r < 0)
                return r;
        *ret = t;
        return 0;
}

static int parse_ethernet(const uint8_t *p, size_t len, struct hsp_tcp_tuple *ret) {
        if (len < ETH_HLEN_)
                return -EBADMSG;
        size_t off = 12;
        uint16_t type = get16(p + off);
        for (unsigned tags = 0; type == ETHERTYPE_VLAN_ || type == ETHERTYPE_QINQ_; tags++) {
                if (tags >= MAX_VLAN_TAGS)
                        return -ENOMSG;
                off += 4;
                if (len < off + 2)
                        return -EBADMSG;
                type = get16(p + off);
        }
        off += 2;
        switch (type) {
        case ETHERTYPE_IPV4_:
                return parse_ipv4(p + off, len - off, ret);
        case ETHERTYPE_IPV6_:
                return parse_ipv6(p + off, len - off, ret);
        default:
                return -ENOMSG;
        }
}

int hsp_tcp_parse_header(uint32_t protocol, const uint8_t *hdr, size_t len,
                         struct hsp_tcp_tuple *ret) {
        if (!hdr)
                return -EBADMSG;
        switch (protocol) {
        case SFLOW_HEADER_ETHERNET:
                return parse_ethernet(hdr, len, ret);
        case SFLOW_HEADER_IPV4:
                return parse_ipv4(hdr, len, ret);
        case SFLOW_HEADER_IPV6:
                return parse_ipv6(hdr, len, ret);
        default:
                return -EPROTONOSUPPORT;
        }
}

void hsp_tcp_diag_request(const struct hsp_tcp_tuple *t, bool sent, uint32_t ifindex,
                          struct inet_diag_req_v2 *ret) {
        struct inet_diag_req_v2 req = {
                .sdiag_family = t->family,
                .sdiag_protocol = IPPROTO_TCP,
                .idiag_ext = 1 << (INET_DIAG_INFO - 1),
                .idiag_states = 1 << TCP_STATE_ESTABLISHED,
        };
        size_t alen = t->family == AF_INET ? 4 : 16;
        const uint8_t *local = sent ? t->src : t->dst, *remote = sent ? t->dst : t->src;
        memcpy(req.id.idiag_src, local, alen);
        memcpy(req.id.idiag_dst, remote, alen);
        req.id.idiag_sport = htons(sent ? t->sport : t->dport);
        req.id.idiag_dport = htons(sent ? t->dport : t->sport);
        req.id.idiag_if = ifindex;
        req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
        req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
        *ret = req;
}

void hsp_tcp_info_convert(const void *data, size_t len, struct sflow_flow_tcp_info *ret) {
        struct tcp_info ti = {0};
        memcpy(&ti, data, len < sizeof ti ? len : sizeof ti);
        *ret = (struct sflow_flow_tcp_info){
                .snd_mss = ti.tcpi_snd_mss,
                .rcv_mss = ti.tcpi_rcv_mss,
                .unacked = ti.tcpi_unacked,
                .lost = ti.tcpi_lost,
                .retrans = ti.tcpi_total_retrans,
                .pmtu = ti.tcpi_pmtu,
                .rtt = ti.tcpi_rtt,
                .rttvar = ti.tcpi_rttvar,
                .snd_cwnd = ti.tcpi_snd_cwnd,
                .reordering = ti.tcpi_reordering,
                .min_rtt = ti.tcpi_min_rtt,
        };
}
