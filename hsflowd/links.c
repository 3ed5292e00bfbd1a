/* links.c - the host's network interfaces, followed through rtnetlink events: one table by
 * ifindex shared by every module, with the few /sys attributes netlink does not carry. */
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
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "links-parse.h"
#include "log.h"
#include "netdev.h"
#include "procbuf.h"

#define LINK_BUCKETS 64
#define DRAIN_MAX 65536 /* messages discarded at most after an overrun (a flood goes on) */
#define OVERRUN_LOG_USEC (60 * 1000000ULL) /* overruns are logged once a minute at most */
#define DUMP_TRIES 3 /* a dump interrupted by a change (NLM_F_DUMP_INTR) is started again */

/* One link: what its last message said, and what /sys tells of it, read at each of its events
 * (speed, duplex, driver). */
struct link {
        struct links_attrs a;
        uint64_t speed;
        uint32_t duplex;
        bool nic;
        bool stale;        /* not seen yet by the dump under way */
        int fd_rx, fd_tx;  /* statistics/rx_packets, tx_packets kept open (-1: not yet) */
        struct link *next; /* in its bucket */
        struct link *prev_ord, *next_ord; /* in ifindex order */
};

struct watcher {
        struct hsp_mod *m;
        hsp_link_fn fn;
        struct watcher *next;
};

struct links {
        struct evloop *loop;
        struct nl_sock *ev;         /* link events (RTNLGRP_LINK) */
        struct nl_sock *sk;         /* requests: one link's counters, dumps */
        int net_dev_fd;             /* /proc/net/dev kept open for hsp_links_stats_all() (-1) */
        struct hsp_procbuf net_dev; /* its text, reused */
        struct evsrc *io;
        struct link *buckets[LINK_BUCKETS];
        struct link *first, *last; /* ifindex order */
        struct watcher *watchers;
        unsigned overruns;       /* of the event socket (ENOBUFS) */
        uint64_t overrun_logged; /* the last one logged as a warning (CLOCK_MONOTONIC) */
};

static struct link *link_get(struct links *l, int ifindex) {
        for (struct link *k = l->buckets[(unsigned)ifindex % LINK_BUCKETS]; k; k = k->next)
                if (k->a.ifindex == ifindex)
                        return k;
        return NULL;
}

static struct link *link_by_name(struct links *l, const char *name) {
        for (struct link *k = l->first; k; k = k->next_ord)
                if (strcmp(k->a.name, name) == 0)
                        return k;
        return NULL;
}

static struct link *link_add(struct links *l, int ifindex) {
        struct link *k = calloc(1, sizeof *k);
        if (!k)
                return NULL;
        k->a.ifindex = ifindex;
        k->fd_rx = k->fd_tx = -1;
        struct link **b = &l->buckets[(unsigned)ifindex % LINK_BUCKETS];
        k->next = *b;
        *b = k;
        /* new links have the highest ifindex but after a wrap or a move between namespaces */
        struct link *after = l->last;
        while (after && after->a.ifindex > ifindex)
                after = after->prev_ord;
        k->prev_ord = after;
        k->next_ord = after ? after->next_ord : l->first;
        if (k->next_ord)
                k->next_ord->prev_ord = k;
        else
                l->last = k;
        if (after)
                after->next_ord = k;
        else
                l->first = k;
        return k;
}

static void link_close(struct link *k) {
        if (k->fd_rx >= 0)
                close(k->fd_rx);
        if (k->fd_tx >= 0)
                close(k->fd_tx);
        k->fd_rx = k->fd_tx = -1;
}

static void link_drop(struct links *l, struct link *k) {
        for (struct link **p = &l->buckets[(unsigned)k->a.ifindex % LINK_BUCKETS]; *p;
             p = &(*p)->next)
                if (*p == k) {
                        *p = k->next;
                        break;
                }
        if (k->prev_ord)
                k->prev_ord->next_ord = k->next_ord;
        else
                l->first = k->next_ord;
        if (k->next_ord)
                k->next_ord->prev_ord = k->prev_ord;
        else
                l->last = k->prev_ord;
        link_close(k);
        free(k);
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

static void link_refresh(struct link *k) {
        const char *name = k->a.name;
        char buf[32], path[96];
        link_close(k); /* the name may have changed: reopen the counters when asked */
        k->speed = 0;
        k->duplex = 0;
        k->nic = false;
        if (!*name)
                return;
        /* speed in Mb/s; -1 or unreadable (down, virtual) means unknown */
        if (read_attr(name, "speed", buf, sizeof buf) == 0) {
                long long mbps = strtoll(buf, NULL, 10);
                k->speed = mbps > 0 && mbps < UINT32_MAX ? (uint64_t)mbps * 1000000 : 0;
        }
        if (read_attr(name, "duplex", buf, sizeof buf) == 0)
                k->duplex = strcmp(buf, "full") == 0 ? 1 : strcmp(buf, "half") == 0 ? 2 : 0;
        snprintf(path, sizeof path, "/sys/class/net/%s/device", name);
        k->nic = access(path, F_OK) == 0;
}

static void fill_info(const struct link *k, struct hsp_link_info *i) {
        *i = (struct hsp_link_info){
                .ifindex = k->a.ifindex,
                .name = k->a.name,
                .flags = k->a.flags,
                .arptype = k->a.arptype,
                .operstate = k->a.operstate,
                .kind = k->a.kind,
                .mac = k->a.mac_len > 0 ? k->a.mac : NULL,
                .mac_len = k->a.mac_len,
                .master = k->a.master,
                .link_netnsid = k->a.link_netnsid,
                .speed = k->speed,
                .duplex = k->duplex,
                .nic = k->nic,
        };
}

static void notify(struct links *l, enum hsp_link_event ev, const struct link *k) {
        struct hsp_link_info info;
        fill_info(k, &info);
        for (struct watcher *w = l->watchers, *next; w; w = next) {
                next = w->next; /* a callback may unwatch itself */
                w->fn(w->m, ev, &info);
        }
}

/* A parsed message into the table: a new link, a change (of anything in struct links_attrs: a
 * rename, flags, carrier...), or a deletion. A message that says nothing new is no event. */
static void apply(struct links *l, const struct links_msg *m) {
        struct link *k = link_get(l, m->a.ifindex);
        if (m->type == RTM_DELLINK) {
                if (k) {
                        notify(l, HSP_LINK_DEL, k);
                        link_drop(l, k);
                }
                return;
        }
        bool created = !k;
        if (created && !(k = link_add(l, m->a.ifindex))) {
                log_error("Cannot add interface %s (ifIndex %d): out of memory", m->a.name,
                          m->a.ifindex);
                return;
        }
        k->stale = false;
        if (!created && links_attrs_equal(&k->a, &m->a))
                return;
        k->a = m->a;
        link_refresh(k);
        notify(l, created ? HSP_LINK_NEW : HSP_LINK_CHANGE, k);
}

/* One message of the kernel; a malformed one is logged and skipped, the table goes on. */
static void handle(struct links *l, const struct nlmsghdr *nlh) {
        struct links_msg m;
        const char *err = NULL;
        int r = links_msg_parse(nlh, &m, &err);
        if (r == -EBADMSG)
                log_error("Malformed link message (type %u, %u bytes) skipped: %s", nlh->nlmsg_type,
                          nlh->nlmsg_len, err);
        else if (r == 0)
                apply(l, &m);
}

static int on_msg(struct nl_msg *msg, void *userdata) {
        handle(userdata, nlmsg_hdr(msg));
        return NL_OK;
}

/* Dump every link on the request socket; those the table had and the dump has not are gone. */
static int dump(struct links *l) {
        for (struct link *k = l->first; k; k = k->next_ord)
                k->stale = true;
        int r = -NLE_NOMEM;
        for (int t = 0; t < DUMP_TRIES; t++) {
                struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
                struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
                r = -NLE_NOMEM;
                if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0 &&
                    (r = nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, l)) == 0 &&
                    (r = nl_send_auto(l->sk, msg)) >= 0)
                        r = nl_recvmsgs_default(l->sk);
                nlmsg_free(msg);
                if (r != -NLE_DUMP_INTR)
                        break;
        }
        if (r < 0)
                return r;
        for (struct link *k = l->first, *next; k; k = next) {
                next = k->next_ord;
                if (k->stale) {
                        notify(l, HSP_LINK_DEL, k);
                        link_drop(l, k);
                }
        }
        return 0;
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
        struct nl_cb *cb = nl_socket_get_cb(l->ev);
        int r;
        while ((r = nl_recvmsgs_report(l->ev, cb)) > 0)
                ;
        nl_cb_put(cb);
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
        r = dump(l);
        if (r < 0)
                log_error("Cannot resynchronize interfaces: %s", nl_geterror(r));
        return 0;
}

static void links_forget(struct links *l) {
        while (l->first)
                link_drop(l, l->first);
}

void links_free(struct links *l) {
        if (!l)
                return;
        while (l->watchers) {
                struct watcher *w = l->watchers;
                l->watchers = w->next;
                free(w);
        }
        links_forget(l);
        evsrc_disable_unref(l->io);
        if (l->ev)
                nl_socket_free(l->ev);
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
        if (!(l->sk = nl_socket_alloc()) || !(l->ev = nl_socket_alloc()))
                goto fail;
        what = "connect to rtnetlink";
        nl_socket_disable_auto_ack(l->sk); /* a reply or an error answers each request */
        if ((r = nl_connect(l->sk, NETLINK_ROUTE)) < 0)
                goto fail_nl;
        /* events: before the dump, so that none is missed */
        what = "follow link events";
        nl_socket_disable_seq_check(l->ev);
        if ((r = nl_connect(l->ev, NETLINK_ROUTE)) < 0 ||
            (r = nl_socket_add_membership(l->ev, RTNLGRP_LINK)) < 0 ||
            (r = nl_socket_set_nonblocking(l->ev)) < 0 ||
            (r = nl_socket_modify_cb(l->ev, NL_CB_VALID, NL_CB_CUSTOM, on_msg, l)) < 0)
                goto fail_nl;
        r = evloop_add_io(loop, &l->io, nl_socket_get_fd(l->ev), EPOLLIN, on_netlink, l);
        if (r < 0)
                goto fail;
        what = "list the interfaces";
        if ((r = dump(l)) < 0)
                goto fail_nl;
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
        for (struct link *k = l->first; k; k = k->next_ord) {
                fill_info(k, &info);
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

bool hsp_link_get(struct hsp_mod *m, int ifindex, struct hsp_link_info *ret) {
        struct links *l = links_of(m);
        struct link *k = l ? link_get(l, ifindex) : NULL;
        if (!k)
                return false;
        fill_info(k, ret);
        return true;
}

bool hsp_link_by_name(struct hsp_mod *m, const char *name, struct hsp_link_info *ret) {
        struct links *l = links_of(m);
        struct link *k = l ? link_by_name(l, name) : NULL;
        if (!k)
                return false;
        fill_info(k, ret);
        return true;
}

void hsp_links_foreach(struct hsp_mod *m, void (*fn)(const struct hsp_link_info *, void *),
                       void *userdata) {
        struct links *l = links_of(m);
        if (!l)
                return;
        struct hsp_link_info info;
        for (struct link *k = l->first; k; k = k->next_ord) {
                fill_info(k, &info);
                fn(&info, userdata);
        }
}

struct stats_reply {
        int ifindex;
        bool got;
        struct hsp_link_stats *stats;
};

static int on_stats(struct nl_msg *msg, void *userdata) {
        struct stats_reply *sr = userdata;
        struct links_msg m;
        if (links_msg_parse(nlmsg_hdr(msg), &m, NULL) == 0 && m.type == RTM_NEWLINK &&
            m.a.ifindex == sr->ifindex) {
                *sr->stats = m.has_stats ? m.stats : (struct hsp_link_stats){0};
                sr->got = true;
        }
        return NL_OK;
}

int hsp_link_stats(struct hsp_mod *m, int ifindex, struct hsp_link_stats *ret) {
        struct links *l = links_of(m);
        if (!l)
                return -ENODEV;
        struct stats_reply sr = {.ifindex = ifindex, .stats = ret};
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
        int r = -NLE_NOMEM;
        if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0 &&
            (r = nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, on_stats, &sr)) == 0 &&
            (r = nl_send_auto(l->sk, msg)) >= 0)
                r = nl_recvmsgs_default(l->sk);
        nlmsg_free(msg);
        if (r >= 0 && !sr.got)
                r = -NLE_OBJ_NOTFOUND;
        if (r < 0) {
                log_debug("Cannot read the counters of ifIndex %d: %s", ifindex, nl_geterror(r));
                return -ENODEV;
        }
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
        struct link *k = l ? link_get(l, ifindex) : NULL;
        if (k && k->fd_rx < 0 && *k->a.name) {
                char path[128];
                snprintf(path, sizeof path, "/sys/class/net/%s/statistics/rx_packets", k->a.name);
                k->fd_rx = open(path, O_RDONLY | O_CLOEXEC);
                snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_packets", k->a.name);
                k->fd_tx = open(path, O_RDONLY | O_CLOEXEC);
        }
        if (k && k->fd_rx >= 0 && k->fd_tx >= 0 && pread_u64(k->fd_rx, rx_packets) == 0 &&
            pread_u64(k->fd_tx, tx_packets) == 0)
                return 0;
        if (k)
                link_close(k); /* /sys not of our namespace, or the link is going: ask netlink */
        struct hsp_link_stats st;
        int r = hsp_link_stats(m, ifindex, &st);
        if (r < 0)
                return r;
        *rx_packets = st.rx_packets;
        *tx_packets = st.tx_packets;
        return 0;
}

/* Counters of every link from /proc/net/dev (far cheaper than a netlink dump on hosts with
 * hundreds of container interfaces: one short line each), names matched with the link table
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
                const struct link *k = link_by_name(l, nd.name);
                if (!k)
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
                fill_info(k, &info);
                fn(&info, &st, userdata);
        }
        return 0;
}
