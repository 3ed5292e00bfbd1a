/* psample-parse.c - psample messages parsed with libnl (genl), the header record, 16-bit
 * ifindex resolution and the psample { } keywords (pure functions). */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/psample.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksample.h"
#include "psample.h"

/* Newer than some kernels' headers (6.11): the value is then read from the attribute. */
#define ATTR_USER_COOKIE (PSAMPLE_ATTR_PROTO + 1)
#define ATTR_SAMPLE_PROBABILITY (PSAMPLE_ATTR_PROTO + 2)
#define ATTR_MAX ATTR_SAMPLE_PROBABILITY

const struct hsp_keyword psample_keywords[] = {
        {"group", HSP_KW_UINT, offsetof(struct psample_conf, group), 1, 32,
         "the tc sample action's group, 1..32"},
        {"ingress", HSP_KW_BOOL, offsetof(struct psample_conf, ingress), 0, 0, "on or off"},
        {"egress", HSP_KW_BOOL, offsetof(struct psample_conf, egress), 0, 0, "on or off"},
        {"sampling", HSP_KW_UINT, offsetof(struct psample_conf, sampling), 1, 10000000,
         "1-in-N, 1..10000000"},
        HSP_KEYWORDS_END,
};

const struct psample_conf psample_defaults = {.group = 1, .ingress = true, .egress = false};

int psample_conf_validate(const void *conf, char *err, size_t errlen) {
        const struct psample_conf *c = conf;
        if (!c->ingress && !c->egress) {
                snprintf(err, errlen, "ingress and egress are both off: nothing to sample");
                return -EINVAL;
        }
        return 0;
}

static struct nla_policy policy[ATTR_MAX + 1] = {
        [PSAMPLE_ATTR_IIFINDEX] = {.type = NLA_U16},
        [PSAMPLE_ATTR_OIFINDEX] = {.type = NLA_U16},
        [PSAMPLE_ATTR_ORIGSIZE] = {.type = NLA_U32},
        [PSAMPLE_ATTR_SAMPLE_GROUP] = {.type = NLA_U32},
        [PSAMPLE_ATTR_GROUP_SEQ] = {.type = NLA_U32},
        [PSAMPLE_ATTR_SAMPLE_RATE] = {.type = NLA_U32},
        [PSAMPLE_ATTR_OUT_TC] = {.type = NLA_U16},
        [PSAMPLE_ATTR_OUT_TC_OCC] = {.type = NLA_U64},
        [PSAMPLE_ATTR_LATENCY] = {.type = NLA_U64},
        [PSAMPLE_ATTR_TIMESTAMP] = {.type = NLA_U64},
        [PSAMPLE_ATTR_PROTO] = {.type = NLA_U16},
};

/* libnl's NLA_U16/U32/U64 policies check a minimum length; the kernel sends exact sizes */
static const struct ksample_msg spec = {
        .hdrlen = GENL_HDRLEN,
        .cmd = PSAMPLE_CMD_SAMPLE,
        .maxtype = ATTR_MAX,
        .policy = policy,
        .required = (const int[]){PSAMPLE_ATTR_SAMPLE_GROUP, PSAMPLE_ATTR_SAMPLE_RATE,
                                  PSAMPLE_ATTR_DATA, 0},
        .checks = KSAMPLE_CHECK_EXACT,
};

int psample_parse(const struct nlmsghdr *nlh, int family_id, struct psample_pkt *ret) {
        struct nlattr *tb[ATTR_MAX + 1];
        int r = ksample_msg_parse(&spec, nlh, family_id, tb);
        if (r < 0)
                return r;

        struct psample_pkt p = {0};
        if (tb[PSAMPLE_ATTR_IIFINDEX])
                p.iif = nla_get_u16(tb[PSAMPLE_ATTR_IIFINDEX]);
        if (tb[PSAMPLE_ATTR_OIFINDEX])
                p.oif = nla_get_u16(tb[PSAMPLE_ATTR_OIFINDEX]);
        p.data = nla_data(tb[PSAMPLE_ATTR_DATA]);
        p.data_len = (uint32_t)nla_len(tb[PSAMPLE_ATTR_DATA]);
        p.origsize =
                tb[PSAMPLE_ATTR_ORIGSIZE] ? nla_get_u32(tb[PSAMPLE_ATTR_ORIGSIZE]) : p.data_len;
        if (p.origsize < p.data_len)
                p.origsize = p.data_len;
        p.group = nla_get_u32(tb[PSAMPLE_ATTR_SAMPLE_GROUP]);
        if (tb[PSAMPLE_ATTR_GROUP_SEQ]) {
                p.has_seq = true;
                p.seq = nla_get_u32(tb[PSAMPLE_ATTR_GROUP_SEQ]);
        }
        uint32_t rate = nla_get_u32(tb[PSAMPLE_ATTR_SAMPLE_RATE]);
        if (tb[ATTR_SAMPLE_PROBABILITY]) {
                /* a probability scaled to 0..UINT32_MAX */
                p.probability = true;
                rate = rate ? (uint32_t)(((uint64_t)UINT32_MAX + rate / 2) / rate) : 0;
        }
        if (rate == 0)
                return -EBADMSG;
        p.rate = rate;
        if (tb[PSAMPLE_ATTR_OUT_TC]) {
                p.has_out_tc = true;
                p.out_tc = nla_get_u16(tb[PSAMPLE_ATTR_OUT_TC]);
        }
        if (tb[PSAMPLE_ATTR_OUT_TC_OCC]) {
                p.has_occ = true;
                p.occ = nla_get_u64(tb[PSAMPLE_ATTR_OUT_TC_OCC]);
        }
        if (tb[PSAMPLE_ATTR_LATENCY]) {
                p.has_latency = true;
                p.latency = nla_get_u64(tb[PSAMPLE_ATTR_LATENCY]);
        }
        if (tb[PSAMPLE_ATTR_TIMESTAMP]) {
                p.has_ts = true;
                p.ts_ns = nla_get_u64(tb[PSAMPLE_ATTR_TIMESTAMP]);
        }
        if (tb[PSAMPLE_ATTR_PROTO]) {
                p.has_proto = true;
                p.proto = nla_get_u16(tb[PSAMPLE_ATTR_PROTO]);
        }
        *ret = p;
        return 0;
}

bool psample_header(const struct psample_pkt *p, unsigned arptype, uint32_t header_bytes,
                    uint32_t *protocol, uint32_t *frame_length, uint32_t *stripped,
                    uint32_t *header_len) {
        uint32_t n = p->data_len;
        if (n == 0)
                return false;
        if (arptype == ARPHRD_ETHER) {
                *protocol = SFLOW_HEADER_ETHERNET;
                *frame_length = p->origsize + KSAMPLE_FCS_BYTES;
                *stripped = KSAMPLE_FCS_BYTES;
        } else {
                /* an L3 device (tun, ppp, wireguard, ipip...): the data is the IP packet */
                uint8_t version = p->data[0] >> 4;
                if (p->has_proto && p->proto == ETH_P_IP && version == 4)
                        *protocol = SFLOW_HEADER_IPV4;
                else if (p->has_proto && p->proto == ETH_P_IPV6 && version == 6)
                        *protocol = SFLOW_HEADER_IPV6;
                else if (!p->has_proto && version == 4)
                        *protocol = SFLOW_HEADER_IPV4;
                else if (!p->has_proto && version == 6)
                        *protocol = SFLOW_HEADER_IPV6;
                else
                        return false;
                *frame_length = p->origsize;
                *stripped = 0;
        }
        *header_len = ksample_header_len(n, header_bytes);
        return true;
}

int psample_ifmap_init(struct psample_ifmap *m) {
        m->map = calloc(65536, sizeof *m->map);
        m->stale = true;
        return m->map ? 0 : -ENOMEM;
}

void psample_ifmap_free(struct psample_ifmap *m) {
        free(m->map);
        m->map = NULL;
}

void psample_ifmap_clear(struct psample_ifmap *m) {
        memset(m->map, 0, 65536 * sizeof *m->map);
        m->stale = false;
}

void psample_ifmap_add(struct psample_ifmap *m, int ifindex) {
        if (ifindex <= 0)
                return;
        int32_t *e = &m->map[(uint32_t)ifindex & 0xffff];
        *e = *e == 0 ? ifindex : -1;
}

int psample_ifmap_lookup(const struct psample_ifmap *m, uint32_t v16) {
        return m->map[v16 & 0xffff];
}
