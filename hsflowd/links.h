/* links.h - the host's network interfaces, followed through rtnetlink events: one cache shared
 * by every module (interface counters, packet sampling, ...). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"

#include "module.h"

/* The core's side: the one table, created before the modules start (agent.c puts it in each
 * module's hsp_core) and freed after they stopped. */
struct links;
int links_new(struct evloop *loop, struct links **ret);
void links_free(struct links *l);

/* What is known of a link. Pointers stay valid until the next event of that link or the end
 * of the callback that received it, whichever comes first: copy what you keep. */
struct hsp_link_info {
        int ifindex;
        const char *name;
        unsigned flags;     /* IFF_UP, IFF_RUNNING, IFF_LOOPBACK, IFF_PROMISC, IFF_MASTER ... */
        unsigned arptype;   /* ARPHRD_ETHER, ARPHRD_NONE (tun), ARPHRD_PPP ... */
        uint8_t operstate;  /* IF_OPER_* */
        const char *kind;   /* "veth", "vlan", "bond", "bridge", "team", ...; "" if none */
        const uint8_t *mac; /* NULL when the link has no hardware address */
        size_t mac_len;
        int master;       /* ifindex of the bridge/bond it is enslaved to, or 0 */
        int link_netnsid; /* netns id (as seen from ours) of a veth peer, or -1 */
        uint64_t speed;   /* bits/s from /sys/class/net/NAME/speed; 0 unknown */
        uint32_t duplex;  /* 0 unknown, 1 full, 2 half */
        bool nic;         /* backed by a device driver (/sys/class/net/NAME/device) */
};

/* Kernel counters of one link (64-bit, from IFLA_STATS64). */
struct hsp_link_stats {
        uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors;
        uint64_t rx_dropped, tx_dropped, multicast;
        uint64_t rx_length_errors, rx_crc_errors, rx_frame_errors;
        uint64_t tx_aborted_errors, tx_carrier_errors, tx_window_errors;
};

enum hsp_link_event { HSP_LINK_NEW, HSP_LINK_CHANGE, HSP_LINK_DEL };

typedef void (*hsp_link_fn)(struct hsp_mod *m, enum hsp_link_event ev,
                            const struct hsp_link_info *link);

/* Follow the links: fn is called at once with HSP_LINK_NEW for every existing link, then for
 * each event (a rename or a change of flags, speed or carrier is HSP_LINK_CHANGE). One watch per
 * module; it ends with hsp_links_unwatch() or when the module stops. */
int hsp_links_watch(struct hsp_mod *m, hsp_link_fn fn);
void hsp_links_unwatch(struct hsp_mod *m);

/* The link with this index or name; false when there is none. */
bool hsp_link_get(struct hsp_mod *m, int ifindex, struct hsp_link_info *ret);
bool hsp_link_by_name(struct hsp_mod *m, const char *name, struct hsp_link_info *ret);
/* Call fn for every link (in ifindex order). */
void hsp_links_foreach(struct hsp_mod *m, void (*fn)(const struct hsp_link_info *, void *),
                       void *userdata);

/* Fresh counters of one link, asked of the kernel now (one RTM_GETLINK). 0 or -ENODEV. */
int hsp_link_stats(struct hsp_mod *m, int ifindex, struct hsp_link_stats *ret);
/* Just the packet counters of one link, read now from /sys/class/net/NAME/statistics through
 * files kept open (two preads: far cheaper than a netlink request, for per-batch sample pools);
 * falls back to hsp_link_stats(). 0 or -ENODEV. */
int hsp_link_packets(struct hsp_mod *m, int ifindex, uint64_t *rx_packets, uint64_t *tx_packets);

/* Fresh counters of every link in one dump: fn(link, stats) for each. 0 or negative errno. */
int hsp_links_stats_all(struct hsp_mod *m,
                        void (*fn)(const struct hsp_link_info *, const struct hsp_link_stats *,
                                   void *),
                        void *userdata);
