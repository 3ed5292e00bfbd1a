/* nflog-parse.c - NFLOG packet messages (nfnetlink_log) parsed with libnl, and the header
 * record built from them (pure functions). */
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <math.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ksample.h"
#include "nflog.h"

#define ETH_HLEN_ 14

const struct hsp_keyword nflog_keywords[] = {
        {"group", HSP_KW_UINT, offsetof(struct nflog_conf, group), 0, 65535,
         "the rule's --nflog-group, 0..65535"},
        {"probability", HSP_KW_STRING, offsetof(struct nflog_conf, probability), 0, 0,
         "the rule's --probability, a fraction such as 0.01"},
        {"sampling", HSP_KW_UINT, offsetof(struct nflog_conf, sampling), 1, 10000000,
         "1-in-N, 1..10000000"},
        HSP_KEYWORDS_END,
};

uint32_t nflog_rate(const char *probability) {
        if (!probability || !probability[0])
                return 0;
        char *end;
        errno = 0;
        double p = strtod(probability, &end);
        if (errno || *end || !(p > 0.0) || p > 1.0 || !isfinite(p))
                return 0;
        double n = floor(1.0 / p + 0.5);
        return n > 1e9 ? 0 : (uint32_t)n;
}

int nflog_conf_validate(const void *conf, char *err, size_t errlen) {
        const struct nflog_conf *c = conf;
        if (!c->probability) {
                snprintf(err, errlen, "probability= is required (the rule's --probability)");
                return -EINVAL;
        }
        if (nflog_rate(c->probability) == 0) {
                snprintf(err, errlen,
                         "probability '%s' is not a fraction in (0, 1] whose inverse is at most "
                         "1000000000",
                         c->probability);
                return -EINVAL;
        }
        return 0;
}

static struct nla_policy policy[NFULA_MAX + 1] = {
        [NFULA_PACKET_HDR] = {.minlen = sizeof(struct nfulnl_msg_packet_hdr)},
        [NFULA_TIMESTAMP] = {.minlen = sizeof(struct nfulnl_msg_packet_timestamp)},
        [NFULA_IFINDEX_INDEV] = {.type = NLA_U32},
        [NFULA_IFINDEX_OUTDEV] = {.type = NLA_U32},
        [NFULA_IFINDEX_PHYSINDEV] = {.type = NLA_U32},
        [NFULA_IFINDEX_PHYSOUTDEV] = {.type = NLA_U32},
        [NFULA_SEQ] = {.type = NLA_U32},
        [NFULA_HWTYPE] = {.type = NLA_U16},
        [NFULA_HWLEN] = {.type = NLA_U16},
};

static const struct ksample_msg spec = {
        .hdrlen = sizeof(struct nfgenmsg),
        .cmd = -1,
        .maxtype = NFULA_MAX,
        .policy = policy,
        .required = (const int[]){NFULA_PACKET_HDR, NFULA_PAYLOAD, 0},
};

static uint32_t be32_attr(const struct nlattr *a) {
        return a ? ntohl(nla_get_u32((struct nlattr *)a)) : 0;
}

int nflog_parse(const struct nlmsghdr *nlh, struct nflog_pkt *ret) {
        struct nlattr *tb[NFULA_MAX + 1];
        int r = ksample_msg_parse(&spec, nlh, (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, tb);
        if (r < 0)
                return r;

        struct nflog_pkt p = {0};
        const struct nfgenmsg *g = nlmsg_data(nlh);
        const struct nfulnl_msg_packet_hdr *ph = nla_data(tb[NFULA_PACKET_HDR]);
        p.family = g->nfgen_family;
        p.hook = ph->hook;
        p.hw_protocol = ntohs(ph->hw_protocol);
        p.indev = be32_attr(tb[NFULA_IFINDEX_PHYSINDEV]);
        if (!p.indev)
                p.indev = be32_attr(tb[NFULA_IFINDEX_INDEV]);
        p.outdev = be32_attr(tb[NFULA_IFINDEX_PHYSOUTDEV]);
        if (!p.outdev)
                p.outdev = be32_attr(tb[NFULA_IFINDEX_OUTDEV]);
        if (tb[NFULA_SEQ]) {
                p.has_seq = true;
                p.seq = be32_attr(tb[NFULA_SEQ]);
        }
        if (tb[NFULA_TIMESTAMP]) {
                struct nfulnl_msg_packet_timestamp ts;
                memcpy(&ts, nla_data(tb[NFULA_TIMESTAMP]), sizeof ts);
                uint64_t sec = be64toh(ts.sec), usec = be64toh(ts.usec);
                if (usec < 1000000 && sec < UINT64_C(18000000000)) {
                        p.has_ts = true;
                        p.ts_ns = sec * 1000000000u + usec * 1000u;
                }
        }
        p.payload = nla_data(tb[NFULA_PAYLOAD]);
        p.payload_len = (uint32_t)nla_len(tb[NFULA_PAYLOAD]);
        if (tb[NFULA_HWTYPE])
                p.hwtype = ntohs(nla_get_u16(tb[NFULA_HWTYPE]));
        if (tb[NFULA_HWHEADER]) {
                uint32_t n = (uint32_t)nla_len(tb[NFULA_HWHEADER]);
                if (tb[NFULA_HWLEN]) {
                        uint32_t hl = ntohs(nla_get_u16(tb[NFULA_HWLEN]));
                        if (hl < n)
                                n = hl;
                }
                p.hwheader = nla_data(tb[NFULA_HWHEADER]);
                p.hwheader_len = n;
        }
        *ret = p;
        return 0;
}

/* The length of the IP packet from its own header; the captured length when it cannot say. */
static uint32_t ip_length(const uint8_t *b, uint32_t n) {
        if (n >= 4 && b[0] >> 4 == 4) {
                uint32_t l = (uint32_t)b[2] << 8 | b[3];
                return l >= n ? l : n;
        }
        if (n >= 6 && b[0] >> 4 == 6) {
                uint32_t l = 40 + ((uint32_t)b[4] << 8 | b[5]);
                return l >= n ? l : n;
        }
        return n;
}

int nflog_header(const struct nflog_pkt *p, uint32_t header_bytes, uint8_t *buf, size_t buflen,
                 uint32_t *protocol, uint32_t *frame_length, uint32_t *stripped) {
        uint32_t limit = header_bytes < buflen ? header_bytes : (uint32_t)buflen;
        if (p->payload_len == 0)
                return -EINVAL;
        uint8_t version = p->payload[0] >> 4;
        if (version != 4 && version != 6)
                return -EINVAL;
        uint32_t iplen = ip_length(p->payload, p->payload_len);
        uint32_t n = 0;
        bool eth = p->hwheader && p->hwheader_len == ETH_HLEN_ &&
                   (p->hwtype == ARPHRD_ETHER || p->hwtype == 0);
        if (eth) {
                *protocol = SFLOW_HEADER_ETHERNET;
                *frame_length = ETH_HLEN_ + iplen + KSAMPLE_FCS_BYTES;
                *stripped = KSAMPLE_FCS_BYTES;
                n = ETH_HLEN_ < limit ? ETH_HLEN_ : limit;
                memcpy(buf, p->hwheader, n);
        } else {
                *protocol = version == 4 ? SFLOW_HEADER_IPV4 : SFLOW_HEADER_IPV6;
                *frame_length = iplen;
                *stripped = 0;
        }
        uint32_t m = p->payload_len;
        if (m > limit - n)
                m = limit - n;
        memcpy(buf + n, p->payload, m);
        return (int)(n + m);
}
