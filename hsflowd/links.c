/* links.c - the host's network interfaces, followed through rtnetlink events: one libnl cache
 * shared by every module, with the few /sys attributes netlink does not carry. */
#include "links.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if.h> /* IF_OPER_* (after net/if.h) */
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "log.h"
#include "netdev.h"
#include "procbuf.h"

#define EXTRA_BUCKETS 64
#define DRAIN_MAX 65536 /* messages discarded at most after an overrun (a flood goes on) */
#define OVERRUN_LOG_USEC (60 * 1000000ULL) /* overruns are logged once a minute at most */

/* What /sys tells of a link, read at each of its events (speed, duplex, driver). */
struct extra {
        int ifindex;
        uint64_t speed;
        uint32_t duplex;
        bool nic;
        int fd_rx, fd_tx; /* statistics/rx_packets, tx_packets kept open (-1: not yet) */
        struct extra *next;
};

struct watcher {
        struct hsp_mod *m;
        hsp_link_fn fn;
        struct watcher *next;
};

struct links {
        struct evloop *loop;
        struct nl_cache_mngr *mngr;
        struct nl_cache *cache;     /* managed: follows link events */
        struct nl_sock *sk;         /* requests: one link's counters, dumps */
        int net_dev_fd;             /* /proc/net/dev kept open for hsp_links_stats_all() (-1) */
        struct hsp_procbuf net_dev; /* its text, reused */
        struct evsrc *io;
        struct extra *extras[EXTRA_BUCKETS];
        struct watcher *watchers;
        unsigned overruns;       /* of the event socket (ENOBUFS) */
        uint64_t overrun_logged; /* the last one logged as a warning (CLOCK_MONOTONIC) */
};

static struct extra *extra_get(struct links *l, int ifindex, bool create) {
        struct extra **b = &l->extras[(unsigned)ifindex % EXTRA_BUCKETS];
        for (struct extra *e = *b; e; e = e->next)
                if (e->ifindex == ifindex)
                        return e;
        if (!create)
                return NULL;
        struct extra *e = calloc(1, sizeof *e);
        if (!e)
                return NULL;
        e->ifindex = ifindex;
        e->fd_rx = e->fd_tx = -1;
        e->next = *b;
        *b = e;
        return e;
}

static void extra_close(struct extra *e) {
        if (e->fd_rx >= 0)
                close(e->fd_rx);
        if (e->fd_tx >= 0)
                close(e->fd_tx);
        e->fd_rx = e->fd_tx = -1;
}

static void extra_drop(struct links *l, int ifindex) {
        for (struct extra **p = &l->extras[(unsigned)ifindex % EXTRA_BUCKETS]; *p; p = &(*p)->next)
                if ((*p)->ifindex == ifindex) {
                        struct extra *e = *p;
                        *p = e->next;
                        extra_close(e);
                        free(e);
                        return;
                }
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

static void extra_refresh(struct links *l, struct rtnl_link *rl) {
        const char *name = rtnl_link_get_name(rl);
        struct extra *e = extra_get(l, rtnl_link_get_ifindex(rl), true);
        if (!e || !name)
                return;
        char buf[32], path[96];
        extra_close(e); /* the name may have changed: reopen the counters when asked */
        e->speed = 0;
        e->duplex = 0;
        /* speed in Mb/s; -1 or unreadable (down, virtual) means unknown */
        if (read_attr(name, "speed", buf, sizeof buf) == 0) {
                long long mbps = strtoll(buf, NULL, 10);
                e->speed = mbps > 0 && mbps < UINT32_MAX ? (uint64_t)mbps * 1000000 : 0;
        }
        if (read_attr(name, "duplex", buf, sizeof buf) == 0)
                e->duplex = strcmp(buf, "full") == 0 ? 1 : strcmp(buf, "half") == 0 ? 2 : 0;
        snprintf(path, sizeof path, "/sys/class/net/%s/device", name);
        e->nic = access(path, F_OK) == 0;
}

static void fill_info(struct links *l, struct rtnl_link *rl, struct hsp_link_info *i) {
        memset(i, 0, sizeof *i);
        i->ifindex = rtnl_link_get_ifindex(rl);
        i->name = rtnl_link_get_name(rl) ? rtnl_link_get_name(rl) : "";
        i->flags = rtnl_link_get_flags(rl);
        i->arptype = rtnl_link_get_arptype(rl);
        i->operstate = rtnl_link_get_operstate(rl);
        i->kind = rtnl_link_get_type(rl) ? rtnl_link_get_type(rl) : "";
        struct nl_addr *a = rtnl_link_get_addr(rl);
        if (a && nl_addr_get_len(a) > 0) {
                i->mac = nl_addr_get_binary_addr(a);
                i->mac_len = nl_addr_get_len(a);
        }
        i->master = rtnl_link_get_master(rl);
        int32_t nsid;
        i->link_netnsid = rtnl_link_get_link_netnsid(rl, &nsid) == 0 ? nsid : -1;
        const struct extra *e = extra_get(l, i->ifindex, false);
        if (e) {
                i->speed = e->speed;
                i->duplex = e->duplex;
                i->nic = e->nic;
        }
}

static void notify(struct links *l, enum hsp_link_event ev, struct rtnl_link *rl) {
        struct hsp_link_info info;
        fill_info(l, rl, &info);
        for (struct watcher *w = l->watchers, *next; w; w = next) {
                next = w->next; /* a callback may unwatch itself */
                w->fn(w->m, ev, &info);
        }
}

static void on_change(struct nl_cache *cache, struct nl_object *obj, int action, void *data) {
        struct links *l = data;
        struct rtnl_link *rl = (struct rtnl_link *)obj;
        if (rtnl_link_get_family(rl) != AF_UNSPEC)
                return; /* AF_BRIDGE port messages share the group */
        switch (action) {
        case NL_ACT_NEW:
        case NL_ACT_CHANGE:
                extra_refresh(l, rl);
                notify(l, action == NL_ACT_NEW ? HSP_LINK_NEW : HSP_LINK_CHANGE, rl);
                break;
        case NL_ACT_DEL:
                notify(l, HSP_LINK_DEL, rl);
                extra_drop(l, rtnl_link_get_ifindex(rl));
                break;
        default:
                break;
        }
}

/* After an overrun the socket still holds events older than any dump (a link created and
 * deleted since would come back from them): discard them, then dump. */
static void drain(int fd) {
        char buf[4096];
        for (int n = 0; n < DRAIN_MAX; n++)
                if (recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC) < 0 && errno != EINTR &&
                    errno != ENOBUFS)
                        break; /* EAGAIN: empty */
}

static int on_netlink(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct links *l = userdata;
        int r = nl_cache_mngr_data_ready(l->mngr);
        if (r >= 0)
                return 0;
        /* libnl reports the socket's ENOBUFS as NLE_NOMEM: events were lost */
        l->overruns++;
        uint64_t now = 0;
        evloop_now(l->loop, CLOCK_MONOTONIC, &now);
        if (l->overruns == 1 || now - l->overrun_logged >= OVERRUN_LOG_USEC) {
                log_warning("Link events lost (%s): resynchronizing the interface table",
                            r == -NLE_NOMEM ? "rtnetlink socket overrun, ENOBUFS" : nl_geterror(r));
                l->overrun_logged = now;
        } else
                log_debug("Link events lost again (%u times): dumping the links", l->overruns);
        drain(fd);
        r = nl_cache_resync(l->sk, l->cache, on_change, l);
        if (r < 0)
                log_error("Cannot resynchronize interfaces: %s", nl_geterror(r));
        return 0;
}

void links_free(struct links *l) {
        if (!l)
                return;
        while (l->watchers) {
                struct watcher *w = l->watchers;
                l->watchers = w->next;
                free(w);
        }
        for (size_t b = 0; b < EXTRA_BUCKETS; b++)
                while (l->extras[b])
                        extra_drop(l, l->extras[b]->ifindex);
        evsrc_disable_unref(l->io);
        if (l->mngr)
                nl_cache_mngr_free(l->mngr); /* frees the managed cache too */
        if (l->net_dev_fd >= 0)
                close(l->net_dev_fd);
        hsp_procbuf_free(&l->net_dev);
        if (l->sk)
                nl_socket_free(l->sk);
        free(l);
}

int links_new(struct evloop *loop, struct links **ret) {
        struct links *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->loop = loop;
        l->net_dev_fd = -1;
        int r = -ENOMEM;
        const char *what = "allocate a netlink socket";
        if (!(l->sk = nl_socket_alloc()))
                goto fail;
        what = "connect to rtnetlink";
        if ((r = nl_connect(l->sk, NETLINK_ROUTE)) < 0)
                goto fail_nl;
        what = "follow link events";
        if ((r = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, 0, &l->mngr)) < 0 ||
            (r = nl_cache_mngr_add(l->mngr, "route/link", on_change, l, &l->cache)) < 0)
                goto fail_nl;
        r = evloop_add_io(loop, &l->io, nl_cache_mngr_get_fd(l->mngr), EPOLLIN, on_netlink, l);
        if (r < 0)
                goto fail;
        /* The initial fill gives no callbacks: read /sys for what is there now. */
        for (struct nl_object *o = nl_cache_get_first(l->cache); o; o = nl_cache_get_next(o))
                if (rtnl_link_get_family((struct rtnl_link *)o) == AF_UNSPEC)
                        extra_refresh(l, (struct rtnl_link *)o);
        *ret = l;
        return 0;
fail_nl:
        log_error("Cannot %s: %s", what, nl_geterror(r));
        links_free(l);
        return -EIO;
fail:
        log_error_errno(r, "Cannot %s: %m", what);
        links_free(l);
        return r;
}

static struct links *links_of(struct hsp_mod *m) {
        return m->core->links;
}

int hsp_links_watch(struct hsp_mod *m, hsp_link_fn fn) {
        struct links *l = links_of(m);
        if (!l)
                return -ENODEV;
        hsp_links_unwatch(m);
        struct watcher *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->m = m;
        w->fn = fn;
        w->next = l->watchers;
        l->watchers = w;
        struct hsp_link_info info;
        for (struct nl_object *o = nl_cache_get_first(l->cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *rl = (struct rtnl_link *)o;
                if (rtnl_link_get_family(rl) != AF_UNSPEC)
                        continue;
                fill_info(l, rl, &info);
                fn(m, HSP_LINK_NEW, &info);
        }
        return 0;
}

void hsp_links_unwatch(struct hsp_mod *m) {
        struct links *l = links_of(m);
        if (!l)
                return;
        for (struct watcher **p = &l->watchers; *p; p = &(*p)->next)
                if ((*p)->m == m) {
                        struct watcher *w = *p;
                        *p = w->next;
                        free(w);
                        return;
                }
}

/* libnl's lookups return a new reference; the cache keeps the object alive until the next
 * event, which is all the callers need. */
static struct rtnl_link *cached(struct links *l, int ifindex) {
        struct rtnl_link *rl = rtnl_link_get(l->cache, ifindex);
        if (rl)
                rtnl_link_put(rl);
        return rl;
}

static struct rtnl_link *cached_by_name(struct links *l, const char *name) {
        struct rtnl_link *rl = rtnl_link_get_by_name(l->cache, name);
        if (rl)
                rtnl_link_put(rl);
        return rl;
}

bool hsp_link_get(struct hsp_mod *m, int ifindex, struct hsp_link_info *ret) {
        struct links *l = links_of(m);
        struct rtnl_link *rl = l ? cached(l, ifindex) : NULL;
        if (!rl)
                return false;
        fill_info(l, rl, ret);
        return true;
}

bool hsp_link_by_name(struct hsp_mod *m, const char *name, struct hsp_link_info *ret) {
        struct links *l = links_of(m);
        struct rtnl_link *rl = l ? cached_by_name(l, name) : NULL;
        if (!rl)
                return false;
        fill_info(l, rl, ret);
        return true;
}

void hsp_links_foreach(struct hsp_mod *m, void (*fn)(const struct hsp_link_info *, void *),
                       void *userdata) {
        struct links *l = links_of(m);
        if (!l)
                return;
        struct hsp_link_info info;
        for (struct nl_object *o = nl_cache_get_first(l->cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *rl = (struct rtnl_link *)o;
                if (rtnl_link_get_family(rl) != AF_UNSPEC)
                        continue;
                fill_info(l, rl, &info);
                fn(&info, userdata);
        }
}

static void fill_stats(struct rtnl_link *rl, struct hsp_link_stats *s) {
        s->rx_packets = rtnl_link_get_stat(rl, RTNL_LINK_RX_PACKETS);
        s->tx_packets = rtnl_link_get_stat(rl, RTNL_LINK_TX_PACKETS);
        s->rx_bytes = rtnl_link_get_stat(rl, RTNL_LINK_RX_BYTES);
        s->tx_bytes = rtnl_link_get_stat(rl, RTNL_LINK_TX_BYTES);
        s->rx_errors = rtnl_link_get_stat(rl, RTNL_LINK_RX_ERRORS);
        s->tx_errors = rtnl_link_get_stat(rl, RTNL_LINK_TX_ERRORS);
        s->rx_dropped = rtnl_link_get_stat(rl, RTNL_LINK_RX_DROPPED);
        s->tx_dropped = rtnl_link_get_stat(rl, RTNL_LINK_TX_DROPPED);
        s->multicast = rtnl_link_get_stat(rl, RTNL_LINK_MULTICAST);
        s->rx_length_errors = rtnl_link_get_stat(rl, RTNL_LINK_RX_LEN_ERR);
        s->rx_crc_errors = rtnl_link_get_stat(rl, RTNL_LINK_RX_CRC_ERR);
        s->rx_frame_errors = rtnl_link_get_stat(rl, RTNL_LINK_RX_FRAME_ERR);
        s->tx_aborted_errors = rtnl_link_get_stat(rl, RTNL_LINK_TX_ABORT_ERR);
        s->tx_carrier_errors = rtnl_link_get_stat(rl, RTNL_LINK_TX_CARRIER_ERR);
        s->tx_window_errors = rtnl_link_get_stat(rl, RTNL_LINK_TX_WIN_ERR);
}

int hsp_link_stats(struct hsp_mod *m, int ifindex, struct hsp_link_stats *ret) {
        struct links *l = links_of(m);
        if (!l)
                return -ENODEV;
        struct rtnl_link *rl = NULL;
        int r = rtnl_link_get_kernel(l->sk, ifindex, NULL, &rl);
        if (r < 0) {
                log_debug("Cannot read the counters of ifIndex %d: %s", ifindex, nl_geterror(r));
                return -ENODEV;
        }
        fill_stats(rl, ret);
        rtnl_link_put(rl);
        return 0;
}

static int pread_u64(int fd, uint64_t *ret) {
        char buf[32];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        char *end;
        *ret = strtoull(buf, &end, 10);
        return end == buf ? -EIO : 0;
}

int hsp_link_packets(struct hsp_mod *m, int ifindex, uint64_t *rx_packets, uint64_t *tx_packets) {
        struct links *l = links_of(m);
        struct extra *e = l ? extra_get(l, ifindex, false) : NULL;
        struct rtnl_link *rl = e ? cached(l, ifindex) : NULL;
        if (rl && e->fd_rx < 0 && rtnl_link_get_name(rl)) {
                char path[128];
                snprintf(path, sizeof path, "/sys/class/net/%s/statistics/rx_packets",
                         rtnl_link_get_name(rl));
                e->fd_rx = open(path, O_RDONLY | O_CLOEXEC);
                snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_packets",
                         rtnl_link_get_name(rl));
                e->fd_tx = open(path, O_RDONLY | O_CLOEXEC);
        }
        if (e && e->fd_rx >= 0 && e->fd_tx >= 0 && pread_u64(e->fd_rx, rx_packets) == 0 &&
            pread_u64(e->fd_tx, tx_packets) == 0)
                return 0;
        if (e)
                extra_close(e); /* /sys not of our namespace, or the link is going: ask netlink */
        struct hsp_link_stats st;
        int r = hsp_link_stats(m, ifindex, &st);
        if (r < 0)
                return r;
        *rx_packets = st.rx_packets;
        *tx_packets = st.tx_packets;
        return 0;
}

/* Counters of every link from /proc/net/dev (far cheaper than a netlink dump on hosts with
 * hundreds of container interfaces: one short line each), names matched with the link cache
 * for the flags, kind and address. The error counters of 0:2 are not in it: those come from
 * hsp_link_stats(). */
int hsp_links_stats_all(struct hsp_mod *m,
                        void (*fn)(const struct hsp_link_info *, const struct hsp_link_stats *,
                                   void *),
                        void *userdata) {
        struct links *l = links_of(m);
        if (!l)
                return -ENODEV;
        int r = hsp_procbuf_pread(&l->net_dev, "/proc/net/dev", &l->net_dev_fd);
        if (r < 0) {
                log_debug("Cannot read /proc/net/dev: %s", strerror(-r));
                return r;
        }
        struct hsp_link_info info;
        struct netdev_line nd;
        for (const char *p = l->net_dev.buf; (r = netdev_next(&p, &nd)) >= 0;) {
                if (r == 0)
                        continue; /* the two headings */
                struct rtnl_link *rl = cached_by_name(l, nd.name);
                if (!rl)
                        continue; /* appeared since the last event: the next round has it */
                const struct hsp_link_stats st = {
                        .rx_bytes = nd.rx_bytes,
                        .rx_packets = nd.rx_packets,
                        .rx_errors = nd.rx_errs,
                        .rx_dropped = nd.rx_drop,
                        .multicast = nd.rx_multicast,
                        .tx_bytes = nd.tx_bytes,
                        .tx_packets = nd.tx_packets,
                        .tx_errors = nd.tx_errs,
                        .tx_dropped = nd.tx_drop,
                        .tx_carrier_errors = nd.tx_carrier,
                };
                fill_info(l, rl, &info);
                fn(&info, &st, userdata);
        }
        return 0;
}
