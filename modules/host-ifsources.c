/* host-ifsources.c - interface data sources (0:ifIndex: 0:1, 0:2, 0:1005) and the host's 2001 and
 * 2006, on the core's shared interface table (hsflowd/links.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if.h> /* IF_OPER_* (after net/if.h) */

#include "agent.h"
#include "host.h"
#include "links.h"
#include "log.h"

#define LINK_BUCKETS 256
#define UNKNOWN32 UINT32_MAX /* a 32-bit counter the kernel does not provide */

struct link {
        int ifindex;
        char name[IFNAMSIZ]; /* 0:1005 points here until the next poll */
        struct hsp_source *src;
        bool latched; /* last[] holds a previous reading for 2006 */
        uint64_t last[8];
        struct link *next; /* hash chain */
};

struct hsp_ifsources {
        struct hsp_mod *m;
        struct link *buckets[LINK_BUCKETS];
        bool started;    /* links seen after start are polled at once */
        uint64_t nio[8]; /* 2006 totals, accumulated from per-link deltas */
        bool nio_primed;
        struct sflow_adapter adapters[SFLOW_MAX_ADAPTERS]; /* 2001 of the last host poll */
        uint32_t n_adapters;
};

static struct link *link_find(struct hsp_ifsources *l, int ifindex) {
        for (struct link *k = l->buckets[ifindex & (LINK_BUCKETS - 1)]; k; k = k->next)
                if (k->ifindex == ifindex)
                        return k;
        return NULL;
}

static void link_add(struct hsp_ifsources *l, const struct hsp_link_info *info) {
        /* lo is not exported (nor counted in 2006), as the reference agent does */
        if (info->ifindex <= 0 || (info->flags & IFF_LOOPBACK) || link_find(l, info->ifindex))
                return;
        struct link *k = calloc(1, sizeof *k);
        if (!k) {
                log_error_errno(-ENOMEM, "Failed to track interface %s: %m", info->name);
                return;
        }
        k->ifindex = info->ifindex;
        snprintf(k->name, sizeof k->name, "%s", info->name);
        int r = hsp_source_add(l->m, SFLOW_DS_IFINDEX, (uint32_t)k->ifindex, k, &k->src);
        if (r < 0) {
                log_error_errno(r, "Failed to add data source 0:%d (%s): %m", k->ifindex, k->name);
                free(k);
                return;
        }
        k->next = l->buckets[k->ifindex & (LINK_BUCKETS - 1)];
        l->buckets[k->ifindex & (LINK_BUCKETS - 1)] = k;
        log_debug("Interface %s (ifIndex %d) added", k->name, k->ifindex);
        if (l->started)
                hsp_source_poll_now(k->src);
}

static void link_remove(struct hsp_ifsources *l, int ifindex) {
        for (struct link **pp = &l->buckets[ifindex & (LINK_BUCKETS - 1)]; *pp; pp = &(*pp)->next) {
                struct link *k = *pp;
                if (k->ifindex != ifindex)
                        continue;
                *pp = k->next;
                log_debug("Interface %s (ifIndex %d) removed", k->name, ifindex);
                if (k->src)
                        hsp_source_remove(k->src, false);
                free(k);
                return;
        }
}

static struct hsp_ifsources *ifsources_state(struct hsp_mod *m);

static void on_link(struct hsp_mod *m, enum hsp_link_event ev, const struct hsp_link_info *info) {
        struct hsp_ifsources *l = ifsources_state(m);
        if (ev == HSP_LINK_DEL)
                link_remove(l, info->ifindex);
        else
                link_add(l, info); /* a change needs nothing: polls read the current state */
}

/* The host module's state holds the interface sources; reach it from the module. */
static struct hsp_ifsources *ifsources_state(struct hsp_mod *m) {
        return ((struct hsp_host *)m->state)->ifsources;
}

int hsp_ifsources_start(struct hsp_mod *m, struct hsp_ifsources **ret) {
        struct hsp_ifsources *l = calloc(1, sizeof *l);
        if (!l)
                return log_error_errno(-ENOMEM, "Failed to start interface tracking: %m");
        l->m = m;
        *ret = l; /* on_link reaches it through the module state from now on */
        int r = hsp_links_watch(m, on_link);
        if (r < 0) {
                hsp_ifsources_stop(l);
                *ret = NULL;
                return log_error_errno(r, "Failed to follow interfaces: %m");
        }
        l->started = true;
        return 0;
}

void hsp_ifsources_stop(struct hsp_ifsources *l) {
        if (!l)
                return;
        hsp_links_unwatch(l->m);
        for (size_t b = 0; b < LINK_BUCKETS; b++)
                while (l->buckets[b])
                        link_remove(l, l->buckets[b]->ifindex);
        free(l);
}

static uint32_t if_type(unsigned arptype) {
        switch (arptype) {
        case ARPHRD_ETHER:
                return 6; /* ethernetCsmacd */
        case ARPHRD_LOOPBACK:
                return 24; /* softwareLoopback */
        case ARPHRD_PPP:
                return 23; /* ppp */
        case ARPHRD_INFINIBAND:
                return 199; /* infiniband */
        default:
                return 1; /* other */
        }
}

static void fill_generic(const struct hsp_link_info *i, const struct hsp_link_stats *st,
                         struct sflow_ctr_generic *g) {
        g->if_index = (uint32_t)i->ifindex;
        g->if_type = if_type(i->arptype);
        g->if_speed = i->speed;
        g->if_direction = i->duplex;
        if (i->flags & IFF_UP)
                g->if_status |= 1;
        bool oper_up = i->operstate == IF_OPER_UP ||
                       (i->operstate == IF_OPER_UNKNOWN && (i->flags & IFF_RUNNING));
        if ((i->flags & IFF_UP) && oper_up)
                g->if_status |= 2;
        g->promiscuous = (i->flags & IFF_PROMISC) ? 1 : 0;
        g->in_octets = st->rx_bytes;
        g->in_ucast = (uint32_t)(st->rx_packets - st->multicast);
        g->in_mcast = (uint32_t)st->multicast;
        g->in_bcast = UNKNOWN32;
        g->in_discards = (uint32_t)st->rx_dropped;
        g->in_errors = (uint32_t)st->rx_errors;
        g->in_unknown_protos = UNKNOWN32;
        g->out_octets = st->tx_bytes;
        g->out_ucast = (uint32_t)st->tx_packets;
        g->out_mcast = UNKNOWN32;
        g->out_bcast = UNKNOWN32;
        g->out_discards = (uint32_t)st->tx_dropped;
        g->out_errors = (uint32_t)st->tx_errors;
}

/* 0:2 for Ethernet links backed by a NIC driver (not a veth, bridge or tunnel); its counters
 * are the link statistics include/uapi/linux/if_link.h defines as the IEEE 802.3 ones. */
static void fill_ethernet(const struct hsp_link_stats *st, struct sflow_ctr_ethernet *e) {
        e->alignment_errors = (uint32_t)st->rx_frame_errors;
        e->fcs_errors = (uint32_t)st->rx_crc_errors;
        e->single_collision_frames = UNKNOWN32;
        e->multiple_collision_frames = UNKNOWN32;
        e->sqe_test_errors = UNKNOWN32;
        e->deferred_transmissions = UNKNOWN32;
        e->late_collisions = (uint32_t)st->tx_window_errors;
        e->excessive_collisions = (uint32_t)st->tx_aborted_errors;
        e->internal_mac_transmit_errors = UNKNOWN32;
        e->carrier_sense_errors = (uint32_t)st->tx_carrier_errors;
        e->frame_too_longs = (uint32_t)st->rx_length_errors;
        e->internal_mac_receive_errors = UNKNOWN32;
        e->symbol_errors = UNKNOWN32;
}

int hsp_ifsources_poll(struct hsp_ifsources *l, struct hsp_source *src, struct sflow_sample *out) {
        struct link *k = hsp_source_userdata(src);
        struct hsp_link_info info;
        struct hsp_link_stats st;
        /* gone: the removal event follows */
        if (!hsp_link_get(l->m, k->ifindex, &info) || hsp_link_stats(l->m, k->ifindex, &st) < 0)
                return -ENODEV;
        snprintf(k->name, sizeof k->name, "%s", info.name);

        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_GENERIC);
        if (rec)
                fill_generic(&info, &st, &rec->u.generic);
        if (info.nic && info.arptype == ARPHRD_ETHER &&
            (rec = hsp_sample_add(out, SFLOW_CTR_ETHERNET)))
                fill_ethernet(&st, &rec->u.ethernet);
        rec = hsp_sample_add(out, SFLOW_CTR_PORT_NAME);
        if (rec) {
                rec->u.port_name.name.str = k->name;
                rec->u.port_name.name.len = (uint32_t)strlen(k->name);
        }
        return 0;
}

/* The reference agent's 2001 selection: up, not loopback, a non-zero MAC, not a veth. */
static bool is_adapter(const struct hsp_link_info *i) {
        static const uint8_t zero[6];
        return (i->flags & IFF_UP) && !(i->flags & IFF_LOOPBACK) && strcmp(i->kind, "veth") != 0 &&
               i->mac && i->mac_len == 6 && memcmp(i->mac, zero, 6) != 0;
}

/* The reference agent's 2006 selection: up, not loopback, not a VLAN, not a bond master. */
static bool is_counted(const struct hsp_link_info *i) {
        return (i->flags & IFF_UP) && !(i->flags & IFF_LOOPBACK) && !(i->flags & IFF_MASTER) &&
               strcmp(i->kind, "vlan") != 0 && strcmp(i->kind, "bond") != 0 &&
               strcmp(i->kind, "team") != 0;
}

static void on_stats(const struct hsp_link_info *i, const struct hsp_link_stats *st, void *ud) {
        struct hsp_ifsources *l = ud;
        if (is_adapter(i) && l->n_adapters < SFLOW_MAX_ADAPTERS) {
                struct sflow_adapter *ad = &l->adapters[l->n_adapters++];
                ad->if_index = (uint32_t)i->ifindex;
                ad->num_macs = 1;
                memcpy(ad->macs[0], i->mac, 6);
        }
        /* 2006: accumulate deltas so the totals never go back when an interface goes away;
         * interfaces present at the first poll contribute their full counters */
        struct link *k = link_find(l, i->ifindex);
        if (!k)
                return;
        const uint64_t cur[8] = {st->rx_bytes, st->rx_packets, st->rx_errors, st->rx_dropped,
                                 st->tx_bytes, st->tx_packets, st->tx_errors, st->tx_dropped};
        if (is_counted(i) && (k->latched || !l->nio_primed))
                for (size_t n = 0; n < 8; n++) {
                        uint64_t base = k->latched ? k->last[n] : 0;
                        if (cur[n] >= base) /* a decrease is a reset: skip it */
                                l->nio[n] += cur[n] - base;
                }
        memcpy(k->last, cur, sizeof cur);
        k->latched = true;
}

int hsp_ifsources_host(struct hsp_ifsources *l, struct sflow_ctr_host_adapters *adapters,
                       struct sflow_ctr_host_net_io *nio) {
        l->n_adapters = 0;
        int r = hsp_links_stats_all(l->m, on_stats, l);
        if (r < 0)
                return r;
        l->nio_primed = true;
        if (adapters) {
                adapters->num_adapters = l->n_adapters;
                adapters->adapters = l->adapters;
        }
        if (nio) {
                nio->bytes_in = l->nio[0];
                nio->pkts_in = (uint32_t)l->nio[1];
                nio->errs_in = (uint32_t)l->nio[2];
                nio->drops_in = (uint32_t)l->nio[3];
                nio->bytes_out = l->nio[4];
                nio->pkts_out = (uint32_t)l->nio[5];
                nio->errs_out = (uint32_t)l->nio[6];
                nio->drops_out = (uint32_t)l->nio[7];
        }
        return 0;
}
