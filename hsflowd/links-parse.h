/* links-parse.h - rtnetlink link messages (RTM_NEWLINK, RTM_DELLINK) parsed with libnl-3's
 * attribute parser into what the links table keeps (pure functions). */
#pragma once

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "links.h"

#define LINKS_KIND_MAX 32 /* IFLA_INFO_KIND kept (truncated beyond) */
#define LINKS_MAC_MAX 32  /* MAX_ADDR_LEN */

/* What a link message says of the link, compared between two messages to tell a change. */
struct links_attrs {
        int ifindex;
        char name[IFNAMSIZ];
        unsigned flags;
        unsigned arptype;
        uint8_t operstate;
        char kind[LINKS_KIND_MAX];
        uint8_t mac[LINKS_MAC_MAX];
        size_t mac_len;
        int master;
        int link_netnsid; /* -1 when absent */
};

struct links_msg {
        int type; /* RTM_NEWLINK or RTM_DELLINK */
        struct links_attrs a;
        bool has_stats; /* IFLA_STATS64, or IFLA_STATS */
        struct hsp_link_stats stats;
};

/* Parse nlh into ret. 0; -ENOMSG for what is not a link message of ours (another type, a family
 * other than AF_UNSPEC: AF_BRIDGE port messages share the group); -EBADMSG when malformed (too
 * short, an attribute against the policy, an unterminated name, no ifindex, a NEWLINK without
 * IFLA_IFNAME), with what in *err. */
int links_msg_parse(const struct nlmsghdr *nlh, struct links_msg *ret, const char **err);

/* Whether two messages tell the same of a link (every field of struct links_attrs). */
bool links_attrs_equal(const struct links_attrs *a, const struct links_attrs *b);
