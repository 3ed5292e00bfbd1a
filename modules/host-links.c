/* host-links.c - interfaces from rtnetlink: one 0:ifIndex source each, 2001 and 2006 sums. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if.h> /* IF_OPER_* (after net/if.h) */
#include <sys/socket.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "agent.h"
#include "host.h"
#include "log.h"

#define LINK_BUCKETS 256
#define UNKNOWN32 UINT32_MAX /* a 32-bit counter the kernel does not provide */

/* The eight host_net_io counters, in struct order. */
static const rtnl_link_stat_id_t nio_stats[8] = {
        RTNL_LINK_RX_BYTES, RTNL_LINK_RX_PACKETS, RTNL_LINK_RX_ERRORS, RTNL_LINK_RX_DROPPED,
        RTNL_LINK_TX_BYTES, RTNL_LINK_TX_PACKETS, RTNL_LINK_TX_ERRORS, RTNL_LINK_TX_DROPPED,
};

struct link {
        struct hsp_links *owner;
        int ifindex;
        char name[IFNAMSIZ];    /* 0:1005 points here until the next poll */
        struct hsp_source *src;
        bool latched;           /* last[] holds a previous reading for 2006 */
        bool attrs_read;        /* speed, direction, ethernet are current (until a link event) */
        bool ethernet;          /* 0:2 available */
        uint64_t speed;         /* bits/s, 0 unknown */
        uint32_t direction;     /* 0:1 ifDirection */
        uint64_t last[8];
        struct link *next;      /* hash chain */
};

struct hsp_links {
        struct hsp_mod *m;
        struct nl_cache_mngr *mngr;
        struct nl_cache *cache;  /* managed route/link: follows link events */
        struct nl_sock *sk;      /* synchronous requests: one link, statistics dumps */
        struct nl_cache *stats;  /* unmanaged route/link, refilled at each host poll */
        sd_event_source *io;
        struct link *buckets[LINK_BUCKETS];
        uint64_t nio[8];         /* 2006 totals, accumulated from per-link deltas */
        bool nio_primed;
};

static struct link *link_find(struct hsp_links *l, int ifindex) {
        for (struct link *k = l->buckets[ifindex & (LINK_BUCKETS - 1)]; k; k = k->next)
                if (k->ifindex == ifindex)
                        return k;
        return NULL;
}

static void link_set_name(struct link *k, const char *name) {
        snprintf(k->name, sizeof k->name, "%s", name ? name : "");
}

static void link_add(struct hsp_links *l, struct rtnl_link *rl, bool poll_now) {
        int ifindex = rtnl_link_get_ifindex(rl);
        if (ifindex <= 0 || rtnl_link_get_family(rl) != AF_UNSPEC)
                return;
        /* lo is not exported (nor counted in 2006), as the reference agent does */
        if (rtnl_link_get_flags(rl) & IFF_LOOPBACK)
                return;
        struct link *k = link_find(l, ifindex);
        if (k) {
                /* carrier, speed or name may have changed: read /sys again at the next poll */
                link_set_name(k, rtnl_link_get_name(rl));
                k->attrs_read = false;
                return;
        }
        k = calloc(1, sizeof *k);
        if (!k) {
                log_error_errno(-ENOMEM, "Failed to track interface %s: %m",
                                rtnl_link_get_name(rl));
                return;
        }
        k->owner = l;
        k->ifindex = ifindex;
        link_set_name(k, rtnl_link_get_name(rl));
        int r = hsp_source_add(l->m, SFLOW_DS_IFINDEX, (uint32_t)ifindex, k, &k->src);
        if (r < 0) {
                log_error_errno(r, "Failed to add data source 0:%d (%s): %m", ifindex, k->name);
                free(k);
                return;
        }
        k->next = l->buckets[ifindex & (LINK_BUCKETS - 1)];
        l->buckets[ifindex & (LINK_BUCKETS - 1)] = k;
        log_debug("Interface %s (ifIndex %d) added", k->name, ifindex);
        if (poll_now)
                hsp_source_poll_now(k->src);
}

static void link_remove(struct hsp_links *l, int ifindex) {
        struct link **pp = &l->buckets[ifindex & (LINK_BUCKETS - 1)];
        for (; *pp; pp = &(*pp)->next) {
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

static void on_link_change(struct nl_cache *cache, struct nl_object *obj, int action, void *data) {
        struct hsp_links *l = data;
        struct rtnl_link *rl = (struct rtnl_link *)obj;
        if (rtnl_link_get_family(rl) != AF_UNSPEC)
                return; /* AF_BRIDGE port messages share the group */
        switch (action) {
        case NL_ACT_NEW:
        case NL_ACT_CHANGE:
                link_add(l, rl, action == NL_ACT_NEW);
                break;
        case NL_ACT_DEL:
                link_remove(l, rtnl_link_get_ifindex(rl));
                break;
        default:
                break;
        }
}

static int on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct hsp_links *l = userdata;
        int r = nl_cache_mngr_data_ready(l->mngr);
        if (r < 0) {
                /* most likely ENOBUFS: events were lost, compare against a fresh dump */
                log_warning("Link events: %s; resynchronizing interfaces", nl_geterror(r));
                r = nl_cache_resync(l->sk, l->cache, on_link_change, l);
                if (r < 0)
                        log_error("Failed to resynchronize interfaces: %s", nl_geterror(r));
        }
        return 0;
}

int hsp_links_start(struct hsp_mod *m, struct hsp_links **ret) {
        struct hsp_links *l = calloc(1, sizeof *l);
        if (!l)
                return log_error_errno(-ENOMEM, "Failed to start interface tracking: %m");
        l->m = m;
        int r;

        l->sk = nl_socket_alloc();
        if (!l->sk) {
                r = log_error_errno(-ENOMEM, "Failed to allocate a netlink socket: %m");
                goto fail;
        }
        r = nl_connect(l->sk, NETLINK_ROUTE);
        if (r < 0) {
                log_error("Failed to connect to rtnetlink: %s", nl_geterror(r));
                r = -EIO;
                goto fail;
        }
        r = rtnl_link_alloc_cache(l->sk, AF_UNSPEC, &l->stats);
        if (r < 0) {
                log_error("Failed to read interface statistics: %s", nl_geterror(r));
                r = -EIO;
                goto fail;
        }
        r = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &l->mngr);
        if (r < 0) {
                log_error("Failed to allocate the link cache manager: %s", nl_geterror(r));
                r = -EIO;
                goto fail;
        }
        r = nl_cache_mngr_add(l->mngr, "route/link", on_link_change, l, &l->cache);
        if (r < 0) {
                log_error("Failed to follow link events: %s", nl_geterror(r));
                r = -EIO;
                goto fail;
        }
        r = sd_event_add_io(m->loop, &l->io, nl_cache_mngr_get_fd(l->mngr), EPOLLIN, on_netlink, l);
        if (r < 0) {
                log_error_errno(r, "Failed to watch link events: %m");
                goto fail;
        }
        (void)sd_event_source_set_description(l->io, "host-links");

        /* the initial fill gives no callbacks: add what is there now (first polls staggered) */
        for (struct nl_object *o = nl_cache_get_first(l->cache); o; o = nl_cache_get_next(o))
                link_add(l, (struct rtnl_link *)o, false);
        *ret = l;
        return 0;
fail:
        hsp_links_stop(l);
        return r;
}

void hsp_links_stop(struct hsp_links *l) {
        if (!l)
                return;
        for (size_t b = 0; b < LINK_BUCKETS; b++)
                while (l->buckets[b])
                        link_remove(l, l->buckets[b]->ifindex);
        sd_event_source_disable_unref(l->io);
        if (l->mngr)
                nl_cache_mngr_free(l->mngr); /* frees the managed cache too */
        if (l->stats)
                nl_cache_free(l->stats);
        if (l->sk)
                nl_socket_free(l->sk);
        free(l);
}

/* A small sysfs attribute of an interface; -errno when missing or unreadable. */
static int read_attr(const char *ifname, const char *attr, char *buf, size_t size) {
        char path[96];
        snprintf(path, sizeof path, "/sys/class/net/%s/%s", ifname, attr);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        int e = n < 0 ? -errno : 0;
        close(fd);
        if (e < 0)
                return e;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

static uint32_t if_type(unsigned arptype) {
        switch (arptype) {
        case ARPHRD_ETHER:
                return 6;   /* ethernetCsmacd */
        case ARPHRD_LOOPBACK:
                return 24;  /* softwareLoopback */
        case ARPHRD_PPP:
                return 23;  /* ppp */
        case ARPHRD_INFINIBAND:
                return 199; /* infiniband */
        default:
                return 1;   /* other */
        }
}

static bool has_ethernet(struct link *k, struct rtnl_link *rl);

/* Speed, duplex and the presence of a NIC only change with a link event: read them from /sys
 * once after each event rather than at every poll. */
static void read_attrs(struct link *k, struct rtnl_link *rl) {
        char buf[32];
        k->speed = 0;
        k->direction = 0;
        /* speed in Mb/s; -1 or unreadable (down, virtual) means unknown */
        if (read_attr(k->name, "speed", buf, sizeof buf) == 0) {
                long long mbps = strtoll(buf, NULL, 10);
                k->speed = mbps > 0 && mbps < UINT32_MAX ? (uint64_t)mbps * 1000000 : 0;
        }
        if (read_attr(k->name, "duplex", buf, sizeof buf) == 0)
                k->direction = strcmp(buf, "full") == 0 ? 1 : strcmp(buf, "half") == 0 ? 2 : 0;
        k->ethernet = has_ethernet(k, rl);
        k->attrs_read = true;
}

static void fill_generic(struct link *k, struct rtnl_link *rl, struct sflow_ctr_generic *g) {
        unsigned flags = rtnl_link_get_flags(rl);

        g->if_index = (uint32_t)k->ifindex;
        g->if_type = if_type(rtnl_link_get_arptype(rl));
        g->if_speed = k->speed;
        g->if_direction = k->direction;
        if (flags & IFF_UP)
                g->if_status |= 1;
        uint8_t oper = rtnl_link_get_operstate(rl);
        bool oper_up = oper == IF_OPER_UP || (oper == IF_OPER_UNKNOWN && (flags & IFF_RUNNING));
        if ((flags & IFF_UP) && oper_up)
                g->if_status |= 2;
        g->promiscuous = (flags & IFF_PROMISC) ? 1 : 0;

        uint64_t rx_pkts = rtnl_link_get_stat(rl, RTNL_LINK_RX_PACKETS);
        uint64_t rx_mcast = rtnl_link_get_stat(rl, RTNL_LINK_MULTICAST);
        g->in_octets = rtnl_link_get_stat(rl, RTNL_LINK_RX_BYTES);
        g->in_ucast = (uint32_t)(rx_pkts - rx_mcast);
        g->in_mcast = (uint32_t)rx_mcast;
        g->in_bcast = UNKNOWN32;
        g->in_discards = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_RX_DROPPED);
        g->in_errors = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_RX_ERRORS);
        g->in_unknown_protos = UNKNOWN32;
        g->out_octets = rtnl_link_get_stat(rl, RTNL_LINK_TX_BYTES);
        g->out_ucast = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_PACKETS);
        g->out_mcast = UNKNOWN32;
        g->out_bcast = UNKNOWN32;
        g->out_discards = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_DROPPED);
        g->out_errors = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_ERRORS);
}

/* 0:2 is available for Ethernet links backed by a device (a NIC driver, not a veth, bridge or
 * tunnel); its counters are the link statistics that include/uapi/linux/if_link.h defines as
 * the IEEE 802.3 ones. */
static bool has_ethernet(struct link *k, struct rtnl_link *rl) {
        char path[96];
        if (rtnl_link_get_arptype(rl) != ARPHRD_ETHER)
                return false;
        snprintf(path, sizeof path, "/sys/class/net/%s/device", k->name);
        return access(path, F_OK) == 0;
}

static void fill_ethernet(struct rtnl_link *rl, struct sflow_ctr_ethernet *e) {
        e->alignment_errors = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_RX_FRAME_ERR);
        e->fcs_errors = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_RX_CRC_ERR);
        e->single_collision_frames = UNKNOWN32;
        e->multiple_collision_frames = UNKNOWN32;
        e->sqe_test_errors = UNKNOWN32;
        e->deferred_transmissions = UNKNOWN32;
        e->late_collisions = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_WIN_ERR);
        e->excessive_collisions = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_ABORT_ERR);
        e->internal_mac_transmit_errors = UNKNOWN32;
        e->carrier_sense_errors = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_TX_CARRIER_ERR);
        e->frame_too_longs = (uint32_t)rtnl_link_get_stat(rl, RTNL_LINK_RX_LEN_ERR);
        e->internal_mac_receive_errors = UNKNOWN32;
        e->symbol_errors = UNKNOWN32;
}

int hsp_links_poll(struct hsp_links *l, struct hsp_source *src, struct sflow_sample *out) {
        struct link *k = hsp_source_userdata(src);
        struct rtnl_link *rl = NULL;
        int r = rtnl_link_get_kernel(l->sk, k->ifindex, NULL, &rl);
        if (r < 0) {
                /* gone: the removal event follows */
                log_debug("Failed to read interface %s: %s", k->name, nl_geterror(r));
                return -ENODEV;
        }
        if (strcmp(k->name, rtnl_link_get_name(rl)) != 0) {
                link_set_name(k, rtnl_link_get_name(rl));
                k->attrs_read = false;
        }
        if (!k->attrs_read)
                read_attrs(k, rl);

        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_GENERIC);
        if (rec)
                fill_generic(k, rl, &rec->u.generic);
        if (k->ethernet && (rec = hsp_sample_add(out, SFLOW_CTR_ETHERNET)))
                fill_ethernet(rl, &rec->u.ethernet);
        rec = hsp_sample_add(out, SFLOW_CTR_PORT_NAME);
        if (rec) {
                rec->u.port_name.name.str = k->name;
                rec->u.port_name.name.len = (uint32_t)strlen(k->name);
        }
        rtnl_link_put(rl);
        return 0;
}

static bool kind_is(struct rtnl_link *rl, const char *kind) {
        const char *t = rtnl_link_get_type(rl);
        return t && strcmp(t, kind) == 0;
}

/* The reference agent's 2001 selection: up, not loopback, a non-zero MAC, not a veth. */
static bool is_adapter(struct rtnl_link *rl, const uint8_t **ret_mac) {
        unsigned flags = rtnl_link_get_flags(rl);
        if (!(flags & IFF_UP) || (flags & IFF_LOOPBACK) || kind_is(rl, "veth"))
                return false;
        struct nl_addr *a = rtnl_link_get_addr(rl);
        if (!a || nl_addr_get_len(a) != 6)
                return false;
        const uint8_t *mac = nl_addr_get_binary_addr(a);
        static const uint8_t zero[6];
        if (memcmp(mac, zero, 6) == 0)
                return false;
        *ret_mac = mac;
        return true;
}

/* The reference agent's 2006 selection: up, not loopback, not a VLAN, not a bond master. */
static bool is_counted(struct rtnl_link *rl) {
        unsigned flags = rtnl_link_get_flags(rl);
        return (flags & IFF_UP) && !(flags & IFF_LOOPBACK) && !(flags & IFF_MASTER) &&
               !kind_is(rl, "vlan") && !kind_is(rl, "bond") && !kind_is(rl, "team");
}

int hsp_links_host(struct hsp_links *l, struct sflow_ctr_host_adapters *adapters,
                   struct sflow_ctr_host_net_io *nio) {
        int r = nl_cache_refill(l->sk, l->stats);
        if (r < 0) {
                log_debug("Failed to read interface statistics: %s", nl_geterror(r));
                return -EIO;
        }

        uint32_t n = 0;
        for (struct nl_object *o = nl_cache_get_first(l->stats); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *rl = (struct rtnl_link *)o;
                if (rtnl_link_get_family(rl) != AF_UNSPEC)
                        continue;
                const uint8_t *mac;
                if (adapters && n < SFLOW_MAX_ADAPTERS && is_adapter(rl, &mac)) {
                        struct sflow_adapter *ad = &adapters->adapters[n++];
                        ad->if_index = (uint32_t)rtnl_link_get_ifindex(rl);
                        ad->num_macs = 1;
                        memcpy(ad->macs[0], mac, 6);
                }

                /* 2006: accumulate deltas so the totals never go back when an interface goes
                 * away; interfaces present at the first poll contribute their full counters */
                struct link *k = link_find(l, rtnl_link_get_ifindex(rl));
                if (!k)
                        continue;
                uint64_t cur[8];
                for (size_t i = 0; i < 8; i++)
                        cur[i] = rtnl_link_get_stat(rl, nio_stats[i]);
                if (is_counted(rl) && (k->latched || !l->nio_primed))
                        for (size_t i = 0; i < 8; i++) {
                                uint64_t base = k->latched ? k->last[i] : 0;
                                if (cur[i] >= base) /* a decrease is a reset: skip it */
                                        l->nio[i] += cur[i] - base;
                        }
                memcpy(k->last, cur, sizeof cur);
                k->latched = true;
        }
        l->nio_primed = true;

        if (adapters)
                adapters->num_adapters = n;
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
