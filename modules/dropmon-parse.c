/* dropmon-parse.c - NET_DM packet alerts parsed with libnl, drop reasons mapped to the sFlow
 * codes, the exact rate limit and the overload breaker, the dropmon { } keywords (pure). */
#include <errno.h>
#include <fnmatch.h>
#include <linux/net_dropmon.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <string.h>
#include <strings.h>

#include "dropmon.h"
#include "sflow/sflow.h"
#include "ksample.h"

#define STR_MAX 256

const struct hsp_keyword dropmon_keywords[] = {
        {"start", HSP_KW_BOOL, offsetof(struct dropmon_conf, start), 0, 0, "on or off"},
        {"force", HSP_KW_BOOL, offsetof(struct dropmon_conf, force), 0, 0, "on or off"},
        {"sw", HSP_KW_BOOL, offsetof(struct dropmon_conf, sw), 0, 0, "on or off"},
        {"hw", HSP_KW_BOOL, offsetof(struct dropmon_conf, hw), 0, 0, "on or off"},
        {"rn", HSP_KW_BOOL, offsetof(struct dropmon_conf, rn), 0, 0, "on or off"},
        {"hw_unknown", HSP_KW_BOOL, offsetof(struct dropmon_conf, hw_unknown), 0, 0, "on or off"},
        {"sw_passive", HSP_KW_BOOL, offsetof(struct dropmon_conf, sw_passive), 0, 0, "on or off"},
        {"hw_passive", HSP_KW_BOOL, offsetof(struct dropmon_conf, hw_passive), 0, 0, "on or off"},
        {"limit", HSP_KW_UINT, offsetof(struct dropmon_conf, limit), 1, 10000,
         "discard samples per second, 1..10000"},
        {"hide", HSP_KW_REGEX, offsetof(struct dropmon_conf, hide), 0, 0,
         "a regular expression over the drop reason and function"},
        {"max", HSP_KW_UINT, offsetof(struct dropmon_conf, max), 1, 100000000,
         "drop notifications per second that count as an overload"},
        {"max_trip", HSP_KW_UINT, offsetof(struct dropmon_conf, max_trip), 1, 3600,
         "seconds of overload before the feed pauses"},
        {"group", HSP_KW_IGNORED, 0, 0, 0, NULL},
        {"hw_function", HSP_KW_IGNORED, 0, 0, 0, NULL},
        HSP_KEYWORDS_END,
};

const struct dropmon_conf dropmon_defaults = {
        .start = true,
        .force = true,
        .sw = true,
        .hw = true,
        .rn = true,
        .limit = 100,
        .max = 100000,
        .max_trip = 2,
};

static struct nla_policy policy[NET_DM_ATTR_MAX + 1] = {
        [NET_DM_ATTR_SYMBOL] = {.type = NLA_STRING, .maxlen = STR_MAX},
        [NET_DM_ATTR_IN_PORT] = {.type = NLA_NESTED},
        [NET_DM_ATTR_TIMESTAMP] = {.type = NLA_U64},
        [NET_DM_ATTR_PROTO] = {.type = NLA_U16},
        [NET_DM_ATTR_ORIG_LEN] = {.type = NLA_U32},
        [NET_DM_ATTR_ORIGIN] = {.type = NLA_U16},
        [NET_DM_ATTR_HW_TRAP_GROUP_NAME] = {.type = NLA_STRING, .maxlen = STR_MAX},
        [NET_DM_ATTR_HW_TRAP_NAME] = {.type = NLA_STRING, .maxlen = STR_MAX},
        [NET_DM_ATTR_REASON] = {.type = NLA_STRING, .maxlen = STR_MAX},
};
static struct nla_policy port_policy[NET_DM_ATTR_PORT_MAX + 1] = {
        [NET_DM_ATTR_PORT_NETDEV_IFINDEX] = {.type = NLA_U32},
        [NET_DM_ATTR_PORT_NETDEV_NAME] = {.type = NLA_STRING, .maxlen = 16},
};

/* strings NUL-terminated inside themselves (libnl's NLA_STRING does not check it) */
static const struct ksample_msg spec = {
        .hdrlen = GENL_HDRLEN,
        .cmd = NET_DM_CMD_PACKET_ALERT,
        .maxtype = NET_DM_ATTR_MAX,
        .policy = policy,
        .required = (const int[]){NET_DM_ATTR_PAYLOAD, 0},
        .checks = KSAMPLE_CHECK_STRZ,
};

int dropmon_parse(const struct nlmsghdr *nlh, int family_id, struct dropmon_pkt *ret) {
        struct nlattr *tb[NET_DM_ATTR_MAX + 1];
        int r = ksample_msg_parse(&spec, nlh, family_id, tb);
        if (r < 0)
                return r;
        struct dropmon_pkt p = {0};
        p.symbol = ksample_str(tb[NET_DM_ATTR_SYMBOL]);
        p.reason = ksample_str(tb[NET_DM_ATTR_REASON]);
        p.trap_group = ksample_str(tb[NET_DM_ATTR_HW_TRAP_GROUP_NAME]);
        p.trap_name = ksample_str(tb[NET_DM_ATTR_HW_TRAP_NAME]);
        if (tb[NET_DM_ATTR_IN_PORT]) {
                struct nlattr *pt[NET_DM_ATTR_PORT_MAX + 1];
                if (nla_parse_nested(pt, NET_DM_ATTR_PORT_MAX, tb[NET_DM_ATTR_IN_PORT],
                                     port_policy) < 0)
                        return -EBADMSG;
                if ((r = ksample_attrs_check(pt, NET_DM_ATTR_PORT_MAX, port_policy,
                                             KSAMPLE_CHECK_STRZ)) < 0)
                        return r;
                if (pt[NET_DM_ATTR_PORT_NETDEV_IFINDEX])
                        p.in_ifindex = nla_get_u32(pt[NET_DM_ATTR_PORT_NETDEV_IFINDEX]);
                p.in_name = ksample_str(pt[NET_DM_ATTR_PORT_NETDEV_NAME]);
        }
        if (tb[NET_DM_ATTR_TIMESTAMP]) {
                p.has_ts = true;
                p.ts_ns = nla_get_u64(tb[NET_DM_ATTR_TIMESTAMP]);
        }
        if (tb[NET_DM_ATTR_PROTO])
                p.proto = nla_get_u16(tb[NET_DM_ATTR_PROTO]);
        if (tb[NET_DM_ATTR_ORIGIN])
                p.hw = nla_get_u16(tb[NET_DM_ATTR_ORIGIN]) == NET_DM_ORIGIN_HW;
        p.payload = nla_data(tb[NET_DM_ATTR_PAYLOAD]);
        p.payload_len = (uint32_t)nla_len(tb[NET_DM_ATTR_PAYLOAD]);
        p.orig_len =
                tb[NET_DM_ATTR_ORIG_LEN] ? nla_get_u32(tb[NET_DM_ATTR_ORIG_LEN]) : p.payload_len;
        if (p.orig_len < p.payload_len)
                p.orig_len = p.payload_len;
        *ret = p;
        return 0;
}

/* Linux drop reasons (SKB_DROP_REASON_*, as NET_DM_ATTR_REASON names them) and devlink traps
 * whose sFlow code is not their own name; the others match by name (case-insensitive). */
static const struct {
        const char *pattern; /* fnmatch, case-insensitive */
        int code;
} aliases[] = {
        {"NOT_DROPPED_YET", -1},
        {"NO_SOCKET", 3},
        {"NETFILTER_DROP", 258},
        {"SOCKET_RCVBUFF", 259},
        {"PROTO_MEM", 259},
        {"FULL_RING", 259},
        {"QDISC_DROP", 259},
        {"IP_CSUM", 275},
        {"IP_INHDR", 275},
        {"IP_RPFILTER", 335},
        {"UNICAST_IN_L2_MULTICAST", 271},
        {"IP_OUTNOROUTES", 6},
        {"IP_INNOROUTES", 6},
        {"IPV4_LPM_MISS", 6},
        {"IPV6_LPM_MISS", 6},
        {"REJECT_ROUTE", 9},
        {"NEIGH_FAILED", 279},
        {"NEIGH_QUEUEFULL", 279},
        {"NEIGH_CREATEFAIL", 279},
        {"TCP_CSUM", 329},
        {"UDP_CSUM", 329},
        {"ICMP_CSUM", 336},
        {"TTL_VALUE_IS_TOO_SMALL", 257},
        {"INGRESS_FLOW_ACTION_DROP", 258},
        {"EGRESS_FLOW_ACTION_DROP", 258},
        {"ACL_DROPS", 258},
        {"TAIL_DROP", 259},
        {"MTU_VALUE_IS_TOO_SMALL", 262},
        {"L2_DROPS", 284},
        {"L3_DROPS", 285},
        {"L3_EXCEPTIONS", 286},
        {"BUFFER_DROPS", 287},
        {"TUNNEL_DROPS", 288},
        {"PARSER_ERROR_DROPS", 323},
        {"IP_NOPROTO", 328},
        {"OTHERHOST", 284},
        {"PKT_TOO_SMALL", 324},
        {"SOCKET_FILTER", 371},
        {"XFRM_POLICY", 370},
};

static int by_name(const char *s) {
        if (!s || !s[0])
                return 256;
        for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
                if (fnmatch(aliases[i].pattern, s, FNM_CASEFOLD) == 0)
                        return aliases[i].code;
        int c = sflow_drop_reason_code(s);
        return c >= 0 ? c : 256;
}

int dropmon_reason(const struct dropmon_pkt *p) {
        int c = 256;
        if (p->reason && strcasecmp(p->reason, "NOT_SPECIFIED") != 0)
                c = by_name(p->reason);
        if (c == 256 && p->trap_name)
                c = by_name(p->trap_name);
        if (c == 256 && p->trap_group)
                c = by_name(p->trap_group);
        if (c == 256 && p->symbol) {
                if (fnmatch("tcp_*", p->symbol, 0) == 0 || fnmatch("udp_*", p->symbol, 0) == 0)
                        c = 289;
                else if (fnmatch("ip_*", p->symbol, 0) == 0 || fnmatch("ip6_*", p->symbol, 0) == 0)
                        c = 285;
                else if (fnmatch("br_*", p->symbol, 0) == 0)
                        c = 284;
        }
        return c;
}

void dropmon_bucket_init(struct dropmon_bucket *b, uint32_t limit, uint64_t now_ns) {
        b->limit = limit;
        b->last_ns = now_ns;
        b->milli_tokens = (uint64_t)limit * 1000; /* a full second's worth to begin with */
}

bool dropmon_bucket_take(struct dropmon_bucket *b, uint64_t now_ns) {
        uint64_t cap = (uint64_t)b->limit * 1000;
        if (now_ns > b->last_ns) {
                /* limit tokens per 1e9 ns, in thousandths; remainders carried by last_ns */
                uint64_t dt = now_ns - b->last_ns;
                uint64_t add = dt / 1000000 * b->limit; /* whole ms: limit thousandths each */
                b->last_ns += dt / 1000000 * 1000000;
                b->milli_tokens = b->milli_tokens + add > cap ? cap : b->milli_tokens + add;
        }
        if (b->milli_tokens < 1000)
                return false;
        b->milli_tokens -= 1000;
        return true;
}

bool dropmon_breaker_tick(struct dropmon_breaker *b, uint64_t messages) {
        if (messages > b->max)
                b->over++;
        else
                b->over = 0;
        if (b->over >= b->max_trip) {
                b->over = 0;
                return true;
        }
        return false;
}
