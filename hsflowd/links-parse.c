/* links-parse.c - rtnetlink link messages parsed with libnl-3 (nlmsg_parse, nla_parse_nested). */
#include "links-parse.h"

#include <errno.h>
#include <stddef.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdio.h>
#include <string.h>
#include <sys/param.h> /* MIN */
#include <sys/socket.h>

/* The counters read, up to tx_window_errors: the structures have grown since (rx_nohandler,
 * rx_otherhost_dropped), an older kernel sends them shorter than these headers say. */
#define STATS_MIN(type) (offsetof(type, tx_window_errors) + sizeof(((type *)0)->tx_window_errors))

static struct nla_policy link_policy[IFLA_MAX + 1] = {
        [IFLA_IFNAME] = {.type = NLA_STRING, .maxlen = IFNAMSIZ},
        [IFLA_OPERSTATE] = {.type = NLA_U8},
        [IFLA_ADDRESS] = {.type = NLA_UNSPEC, .maxlen = LINKS_MAC_MAX},
        [IFLA_MASTER] = {.type = NLA_U32},
        [IFLA_LINK_NETNSID] = {.type = NLA_S32},
        [IFLA_LINKINFO] = {.type = NLA_NESTED},
        [IFLA_STATS64] = {.minlen = STATS_MIN(struct rtnl_link_stats64)},
        [IFLA_STATS] = {.minlen = STATS_MIN(struct rtnl_link_stats)},
};

static struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
        [IFLA_INFO_KIND] = {.type = NLA_STRING},
};

/* A string attribute NUL-terminated inside itself (libnl's NLA_STRING checks a length only) */
static const char *attr_str(const struct nlattr *a) {
        const char *s = nla_data(a);
        return nla_len(a) > 0 && memchr(s, '\0', (size_t)nla_len(a)) ? s : NULL;
}

/* The counters kept, from the kernel's rtnl_link_stats64 or rtnl_link_stats (same names) */
#define STATS_FROM(k)                                                                              \
        (struct hsp_link_stats) {                                                                  \
                .rx_packets = (k).rx_packets, .tx_packets = (k).tx_packets,                        \
                .rx_bytes = (k).rx_bytes, .tx_bytes = (k).tx_bytes, .rx_errors = (k).rx_errors,    \
                .tx_errors = (k).tx_errors, .rx_dropped = (k).rx_dropped,                          \
                .tx_dropped = (k).tx_dropped, .multicast = (k).multicast,                          \
                .rx_length_errors = (k).rx_length_errors, .rx_crc_errors = (k).rx_crc_errors,      \
                .rx_frame_errors = (k).rx_frame_errors,                                            \
                .tx_aborted_errors = (k).tx_aborted_errors,                                        \
                .tx_carrier_errors = (k).tx_carrier_errors,                                        \
                .tx_window_errors = (k).tx_window_errors,                                          \
        }

static void stats64(const struct nlattr *a, struct hsp_link_stats *s) {
        struct rtnl_link_stats64 k = {0};
        /* attributes are 4-byte aligned only */
        memcpy(&k, nla_data(a), MIN((size_t)nla_len(a), sizeof k));
        *s = STATS_FROM(k);
}

static void stats32(const struct nlattr *a, struct hsp_link_stats *s) {
        struct rtnl_link_stats k = {0};
        memcpy(&k, nla_data(a), MIN((size_t)nla_len(a), sizeof k));
        *s = STATS_FROM(k);
}

static int bad(const char **err, const char *what) {
        if (err)
                *err = what;
        return -EBADMSG;
}

int links_msg_parse(const struct nlmsghdr *nlh, struct links_msg *ret, const char **err) {
        if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
                return -ENOMSG;
        struct nlmsghdr *h = (struct nlmsghdr *)nlh; /* libnl takes it non-const */
        if (!nlmsg_valid_hdr(h, sizeof(struct ifinfomsg)))
                return bad(err, "shorter than its ifinfomsg");
        const struct ifinfomsg *ifi = nlmsg_data(h);
        if (ifi->ifi_family != AF_UNSPEC)
                return -ENOMSG;
        struct nlattr *tb[IFLA_MAX + 1];
        if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, link_policy) < 0)
                return bad(err, "an attribute of the wrong size");
        if (ifi->ifi_index <= 0)
                return bad(err, "no ifindex");

        struct links_msg m = {.type = nlh->nlmsg_type};
        m.a.ifindex = ifi->ifi_index;
        m.a.flags = ifi->ifi_flags;
        m.a.arptype = ifi->ifi_type;
        m.a.link_netnsid = -1;
        if (tb[IFLA_IFNAME]) {
                const char *name = attr_str(tb[IFLA_IFNAME]);
                if (!name)
                        return bad(err, "IFLA_IFNAME not terminated");
                snprintf(m.a.name, sizeof m.a.name, "%s", name);
        } else if (m.type == RTM_NEWLINK)
                return bad(err, "no IFLA_IFNAME");
        if (tb[IFLA_OPERSTATE])
                m.a.operstate = nla_get_u8(tb[IFLA_OPERSTATE]);
        if (tb[IFLA_ADDRESS]) {
                m.a.mac_len = (size_t)nla_len(tb[IFLA_ADDRESS]);
                memcpy(m.a.mac, nla_data(tb[IFLA_ADDRESS]), m.a.mac_len);
        }
        if (tb[IFLA_MASTER])
                m.a.master = (int)nla_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_LINK_NETNSID])
                m.a.link_netnsid = nla_get_s32(tb[IFLA_LINK_NETNSID]);
        if (tb[IFLA_LINKINFO]) {
                struct nlattr *li[IFLA_INFO_MAX + 1];
                if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy) < 0)
                        return bad(err, "IFLA_LINKINFO malformed");
                if (li[IFLA_INFO_KIND]) {
                        const char *kind = attr_str(li[IFLA_INFO_KIND]);
                        if (!kind)
                                return bad(err, "IFLA_INFO_KIND not terminated");
                        snprintf(m.a.kind, sizeof m.a.kind, "%s", kind);
                }
        }
        if (tb[IFLA_STATS64]) {
                stats64(tb[IFLA_STATS64], &m.stats);
                m.has_stats = true;
        } else if (tb[IFLA_STATS]) {
                stats32(tb[IFLA_STATS], &m.stats);
                m.has_stats = true;
        }
        *ret = m;
        return 0;
}

bool links_attrs_equal(const struct links_attrs *a, const struct links_attrs *b) {
        return a->ifindex == b->ifindex && strcmp(a->name, b->name) == 0 && a->flags == b->flags &&
               a->arptype == b->arptype && a->operstate == b->operstate &&
               strcmp(a->kind, b->kind) == 0 && a->mac_len == b->mac_len &&
               memcmp(a->mac, b->mac, a->mac_len) == 0 && a->master == b->master &&
               a->link_netnsid == b->link_netnsid;
}
