/* tcp.c - the tcp module: 0:2209 extended_tcp_info for sampled packets of local TCP sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "agent.h"
#include "config.h"
#include "links.h"
#include "log.h"
#include "privileges.h"
#include "tcp.h"

#define TCP_MAX_NS 64                             /* diag sockets: ours + other namespaces */
#define TCP_MAX_PENDING HSP_FLOW_MAX_HELD         /* lookups in flight */
#define TCP_PENDING_USEC (2 * HSP_FLOW_HOLD_USEC) /* then we give up on an answer */
#define TCP_NS_RETRY_USEC 1000000    /* between attempts to open a namespace's socket */
#define TCP_SCAN_BUDGET 32           /* namespace files looked at per step of a search */
#define TCP_RESCAN_MIN_USEC 1000000  /* a search that missed a namespace is made again */
#define TCP_RESCAN_MAX_USEC 60000000 /* ... with a delay doubling up to this */
#define TCP_NS_IDLE_USEC 60000000    /* an unused namespace's socket is closed */
#define TCP_HOUSEKEEP_USEC 10000000
#define TCP_RECV_BATCH 64
/* An answer is reused for later samples of the same connection for this long: a burst of
 * samples (more than HSP_FLOW_MAX_HELD can wait at once) costs one lookup, and a router's
 * forwarded connections are not looked up for every sample. */
#define TCP_CACHE_USEC 10000

struct tcp_conf {
        bool tunnel, udp, dump;
};

static const struct hsp_keyword tcp_keywords[] = {
        {"tunnel", HSP_KW_BOOL, offsetof(struct tcp_conf, tunnel), 0, 0,
         "on or off (not implemented: inner headers are not looked up)"},
        {"udp", HSP_KW_BOOL, offsetof(struct tcp_conf, udp), 0, 0,
         "on or off (not implemented: only TCP sockets are looked up)"},
        {"dump", HSP_KW_BOOL, offsetof(struct tcp_conf, dump), 0, 0, "on or off (not implemented)"},
        HSP_KEYWORDS_END,
};

struct tcp_state;

/* A network namespace by its id, and its diag socket once used. A slot with an id but no nsfd
 * is searched for (hsp_netns_scan, a few entries per loop iteration, never on the per-sample
 * path); a slot of id -2 is free. */
struct tcp_ns {
        struct tcp_state *st;
        int netnsid; /* -1: our own; -2: free slot */
        int nsfd;    /* -1 for our own, and while the namespace is searched for */
        bool open;
        struct hsp_tcp_diag diag;
        struct evsrc *io;
        uint64_t last_used, checked_at, failed_at;
};

/* A held sample waiting for its answer. */
struct tcp_pending {
        uint32_t seq; /* 0: free */
        unsigned ns;  /* index of the namespace asked */
        struct hsp_flow_hold hold;
        uint64_t deadline;
        struct hsp_tcp_tuple tuple;
        struct inet_diag_req_v2 key; /* the request in our namespace (cache key) */
        struct inet_diag_req_v2 req; /* the request in flight (shared by equal ones) */
        uint32_t ifindex;
        bool sent; /* the packet left through our own interface */
        bool peer_tried;
        uint32_t direction; /* SFLOW_TCP_* for the record */
};

struct tcp_state {
        struct hsp_mod *m;
        int selffd;         /* our own network namespace */
        struct nl_sock *rt; /* RTM_GETNSID questions, opened when first needed */
        struct tcp_ns ns[TCP_MAX_NS];
        unsigned nns;
        struct tcp_pending pending[TCP_MAX_PENDING];
        unsigned npending;
        uint32_t seq;
        struct evsrc *expiry, *housekeeping;
        struct hsp_tcp_cache cache;
        /* the search for namespaces: a step per loop iteration, again later while some
         * remain unfound */
        struct hsp_netns_scan scan;
        struct evsrc *scan_step, *rescan;
        uint64_t rescan_usec;
        bool scan_again; /* a namespace was wanted during the pass: another one at once */
        struct {
                uint64_t lookups, records, not_found, too_late, timeouts, full, errors, peer,
                        cached, shared;
        } n, logged;
};

static uint64_t now_usec(struct tcp_state *st) {
        uint64_t t = 0;
        evloop_now(st->m->loop, CLOCK_MONOTONIC, &t);
        return t;
}

/* ---- namespaces ---- */

static void ns_close(struct tcp_ns *ns) {
        ns->io = evsrc_disable_unref(ns->io);
        if (ns->open)
                hsp_tcp_diag_close(&ns->diag);
        ns->open = false;
        if (ns->nsfd >= 0)
                close(ns->nsfd);
        ns->nsfd = -1;
}

static void on_reply(uint32_t seq, int r, const struct sflow_flow_tcp_info *info, void *userdata);

static int on_io(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct tcp_ns *ns = userdata;
        int r = hsp_tcp_diag_receive(&ns->diag, TCP_RECV_BATCH, on_reply, ns);
        if (r < 0)
                log_debug_errno(r, "tcp: reading inet_diag replies failed: %m");
        return 0;
}

/* Open the diag socket of ns (nsfd already set for another namespace). */
static int ns_open(struct tcp_state *st, struct tcp_ns *ns) {
        int r = hsp_tcp_diag_open(&ns->diag, ns->nsfd, st->selffd);
        if (r < 0)
                return r;
        ns->open = true;
        r = evloop_add_io(st->m->loop, &ns->io, ns->diag.fd, EPOLLIN, on_io, ns);
        if (r < 0) {
                hsp_tcp_diag_close(&ns->diag);
                ns->open = false;
                return r;
        }
        (void)evsrc_set_description(ns->io, "tcp-diag");
        return 0;
}

static int rt_socket(struct tcp_state *st) {
        if (st->rt)
                return 0;
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        if (nl_connect(sk, NETLINK_ROUTE) < 0) {
                nl_socket_free(sk);
                return -EIO;
        }
        (void)fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
        st->rt = sk;
        return 0;
}

/* ---- the search for namespaces ---- */

static struct tcp_ns *ns_find(struct tcp_state *st, int netnsid) {
        for (unsigned i = 1; i < st->nns; i++)
                if (st->ns[i].netnsid == netnsid)
                        return &st->ns[i];
        return NULL;
}

static void scan_schedule(struct tcp_state *st) {
        (void)evsrc_set_enabled(st->rescan, EVSRC_OFF);
        (void)evsrc_set_enabled(st->scan_step, EVSRC_ONESHOT);
}

/* Search for the namespace with this id (a slot for it, if there is room): the sample that
 * asked goes on without it. */
static struct tcp_ns *ns_want(struct tcp_state *st, int netnsid) {
        struct tcp_ns *ns = ns_find(st, netnsid);
        if (ns)
                return ns;
        for (unsigned i = 1; i < st->nns && !ns; i++)
                if (st->ns[i].netnsid == -2)
                        ns = &st->ns[i];
        if (!ns && st->nns < TCP_MAX_NS)
                ns = &st->ns[st->nns++];
        if (!ns)
                return NULL;
        *ns = (struct tcp_ns){.st = st, .netnsid = netnsid, .nsfd = -1, .last_used = now_usec(st)};
        log_debug("tcp: searching for netns id %d", netnsid);
        if (hsp_netns_scan_running(&st->scan))
                st->scan_again = true; /* the pass may be past it already */
        else {
                st->rescan_usec = TCP_RESCAN_MIN_USEC;
                scan_schedule(st);
        }
        return ns;
}

static int scan_id_of(void *userdata, int fd, int *ret_id) {
        struct tcp_state *st = userdata;
        int r = rt_socket(st);
        return r < 0 ? r : hsp_tcp_netns_id(st->rt, fd, ret_id);
}

static bool scan_wanted(void *userdata, int id) {
        struct tcp_ns *ns = ns_find(userdata, id);
        return ns && ns->nsfd < 0;
}

static void scan_found(void *userdata, int id, int fd) {
        struct tcp_state *st = userdata;
        struct tcp_ns *ns = ns_find(st, id);
        ns->nsfd = fd;
        ns->checked_at = now_usec(st);
        log_debug("tcp: netns id %d found", id);
}

static bool scan_more(void *userdata) {
        struct tcp_state *st = userdata;
        for (unsigned i = 1; i < st->nns; i++)
                if (st->ns[i].netnsid >= 0 && st->ns[i].nsfd < 0)
                        return true;
        return false;
}

static int on_scan_step(struct evsrc *es, void *userdata) {
        struct tcp_state *st = userdata;
        if (hsp_netns_scan_step(&st->scan, TCP_SCAN_BUDGET) == 0) {
                (void)evsrc_set_enabled(es, EVSRC_ONESHOT);
                return 0;
        }
        if (!scan_more(st)) {
                st->scan_again = false;
                return 0;
        }
        if (st->scan_again) {
                st->scan_again = false;
                (void)evsrc_set_enabled(es, EVSRC_ONESHOT);
                return 0;
        }
        /* not reachable now (a namespace may get a process or a name later): again after a
         * while, less and less often */
        (void)evsrc_set_time(st->rescan, now_usec(st) + st->rescan_usec);
        (void)evsrc_set_enabled(st->rescan, EVSRC_ONESHOT);
        st->rescan_usec = st->rescan_usec * 2 > TCP_RESCAN_MAX_USEC ? TCP_RESCAN_MAX_USEC
                                                                    : st->rescan_usec * 2;
        return 0;
}

static int on_rescan(struct evsrc *es, uint64_t usec, void *userdata) {
        struct tcp_state *st = userdata;
        if (scan_more(st))
                (void)evsrc_set_enabled(st->scan_step, EVSRC_ONESHOT);
        return 0;
}

/* The namespace with this id with its diag socket open; NULL when it is not known yet (then it
 * is searched for, off this path) or its socket cannot be opened now. */
static struct tcp_ns *ns_get(struct tcp_state *st, int netnsid) {
        uint64_t now = now_usec(st);
        struct tcp_ns *ns = ns_want(st, netnsid);
        if (!ns || ns->nsfd < 0)
                return NULL;
        if (ns->open)
                return ns;
        if (now - ns->failed_at < TCP_NS_RETRY_USEC)
                return NULL;
        int r = ns_open(st, ns); /* setns() there and back, and a socket: no search */
        if (r < 0) {
                log_debug_errno(r, "tcp: no inet_diag socket in netns id %d: %m", netnsid);
                ns->failed_at = now;
                return NULL;
        }
        log_debug("tcp: inet_diag socket opened in netns id %d", netnsid);
        ns->checked_at = ns->last_used = now;
        return ns;
}

/* A lookup in another namespace found nothing: is our fd still the namespace with that id (ids
 * are reused when namespaces go away)? Asked at most once a second per namespace. */
static void ns_check(struct tcp_state *st, struct tcp_ns *ns) {
        uint64_t now = now_usec(st);
        if (ns->netnsid < 0 || now - ns->checked_at < TCP_NS_RETRY_USEC)
                return;
        ns->checked_at = now;
        int id = -1;
        if (hsp_tcp_netns_id(st->rt, ns->nsfd, &id) == 0 && id == ns->netnsid)
                return;
        log_debug("tcp: netns id %d now names another namespace; searching again", ns->netnsid);
        int netnsid = ns->netnsid;
        ns_close(ns);
        ns->netnsid = -2;
        (void)ns_want(st, netnsid);
}

/* ---- lookups ---- */

static void arm_expiry(struct tcp_state *st) {
        uint64_t first = UINT64_MAX;
        for (unsigned i = 0; i < TCP_MAX_PENDING; i++)
                if (st->pending[i].seq && st->pending[i].deadline < first)
                        first = st->pending[i].deadline;
        if (first == UINT64_MAX) {
                (void)evsrc_set_enabled(st->expiry, EVSRC_OFF);
                return;
        }
        (void)evsrc_set_time(st->expiry, first);
        (void)evsrc_set_enabled(st->expiry, EVSRC_ONESHOT);
}

static void pending_done(struct tcp_state *st, struct tcp_pending *p) {
        hsp_flow_release(&p->hold);
        p->seq = 0;
        st->npending--;
}

static uint32_t next_seq(struct tcp_state *st) {
        if (++st->seq == 0)
                st->seq = 1;
        return st->seq;
}

/* Ask namespace index ni about p; 0 or negative errno (p is then not in flight). */
static int pending_send(struct tcp_state *st, struct tcp_pending *p, unsigned ni, bool sent,
                        uint32_t ifindex) {
        struct tcp_ns *ns = &st->ns[ni];
        struct inet_diag_req_v2 req;
        hsp_tcp_diag_request(&p->tuple, sent, ifindex, &req);
        uint32_t seq = 0;
        /* the same question in flight (the same connection sampled again): share its answer */
        for (unsigned i = 0; i < TCP_MAX_PENDING && !seq; i++) {
                const struct tcp_pending *q = &st->pending[i];
                if (q != p && q->seq && q->ns == ni && memcmp(&q->req, &req, sizeof req) == 0)
                        seq = q->seq;
        }
        if (seq)
                st->n.shared++;
        else {
                seq = next_seq(st);
                int r = hsp_tcp_diag_send(&ns->diag, &req, seq);
                if (r < 0)
                        return r;
                st->n.lookups++;
        }
        p->seq = seq;
        p->req = req;
        p->ns = ni;
        p->direction = sent ? SFLOW_TCP_SENT : SFLOW_TCP_RECEIVED;
        ns->last_used = now_usec(st);
        return 0;
}

/* Our namespace has no such socket: if the interface is a veth whose peer is in another
 * namespace, the socket may be there, where the packet went the other way. */
static bool try_peer(struct tcp_state *st, struct tcp_pending *p) {
        if (p->peer_tried || st->selffd < 0)
                return false;
        p->peer_tried = true;
        struct hsp_link_info li;
        if (!hsp_link_get(st->m, (int)p->ifindex, &li) || li.link_netnsid < 0)
                return false;
        struct tcp_ns *ns = ns_get(st, li.link_netnsid);
        if (!ns)
                return false;
        st->n.peer++;
        /* the peer's interface index is not ours: no device binding in the lookup */
        if (pending_send(st, p, (unsigned)(ns - st->ns), !p->sent, 0) < 0)
                return false;
        /* answered as it was sent (see tcp_enrich): p may be done when this returns */
        (void)hsp_tcp_diag_receive(&ns->diag, TCP_RECV_BATCH, on_reply, ns);
        return true;
}

static void add_record(struct tcp_state *st, struct sflow_sample *s,
                       const struct sflow_flow_tcp_info *info, uint32_t direction) {
        struct sflow_record *rec = s ? hsp_sample_add(s, SFLOW_FLOW_TCP_INFO) : NULL;
        if (!rec) {
                st->n.too_late++;
                return;
        }
        rec->u.tcp_info = *info;
        rec->u.tcp_info.direction = direction;
        st->n.records++;
}

/* One waiting sample's answer. */
static void answer(struct tcp_state *st, struct tcp_ns *ns, struct tcp_pending *p, int r,
                   const struct sflow_flow_tcp_info *info) {
        uint64_t now = now_usec(st);
        if (r == 0) {
                add_record(st, hsp_flow_held(&p->hold), info, p->direction);
                hsp_tcp_cache_put(&st->cache, &p->key, now, true, p->ns != 0, info);
        } else if (r == -ENOENT) {
                st->n.not_found++;
                if (ns->netnsid >= 0)
                        ns_check(st, ns);
                else if (try_peer(st, p))
                        return;
                hsp_tcp_cache_put(&st->cache, &p->key, now, false, false, NULL);
        } else
                st->n.errors++;
        pending_done(st, p);
}

static void on_reply(uint32_t seq, int r, const struct sflow_flow_tcp_info *info, void *userdata) {
        struct tcp_ns *ns = userdata;
        struct tcp_state *st = ns->st;
        if (!seq)
                return;
        /* every sample waiting on this question (none: given up on already) */
        for (unsigned i = 0; i < TCP_MAX_PENDING; i++) {
                struct tcp_pending *p = &st->pending[i];
                if (p->seq == seq && &st->ns[p->ns] == ns)
                        answer(st, ns, p, r, info);
        }
}

static int on_expiry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct tcp_state *st = userdata;
        uint64_t now = now_usec(st);
        for (unsigned i = 0; i < TCP_MAX_PENDING; i++) {
                struct tcp_pending *p = &st->pending[i];
                if (p->seq && p->deadline <= now) {
                        st->n.timeouts++;
                        pending_done(st, p);
                }
        }
        arm_expiry(st);
        return 0;
}

/* The sampled header of a flow sample, and which way the packet went through us. */
static int local_packet(const struct sflow_sample *s, const struct sflow_flow_header **ret_hdr,
                        bool *ret_sent, uint32_t *ret_ifindex) {
        if (s->tag != SFLOW_SAMPLE_FLOW_EXPANDED && s->tag != SFLOW_SAMPLE_FLOW)
                return -ENOMSG;
        if (s->input_format != SFLOW_IF_SINGLE || s->output_format != SFLOW_IF_SINGLE)
                return -ENOMSG;
        bool sent;
        if (s->input == SFLOW_IF_INTERNAL && s->output != SFLOW_IF_INTERNAL && s->output != 0)
                sent = true;
        else if (s->output == SFLOW_IF_INTERNAL && s->input != SFLOW_IF_INTERNAL && s->input != 0)
                sent = false;
        else
                return -ENOMSG; /* forwarded, or direction unknown */
        const struct sflow_flow_header *hdr = NULL;
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;
        for (uint32_t i = 0; i < n; i++) {
                if (s->records[i].tag == SFLOW_FLOW_TCP_INFO)
                        return -EEXIST;
                if (s->records[i].tag == SFLOW_FLOW_HEADER && !hdr)
                        hdr = &s->records[i].u.header;
        }
        if (!hdr)
                return -ENOMSG;
        *ret_hdr = hdr;
        *ret_sent = sent;
        *ret_ifindex = sent ? s->output : s->input;
        return 0;
}

static void tcp_enrich(struct hsp_mod *m, struct hsp_flow *flow) {
        struct tcp_state *st = m->state;
        struct sflow_sample *s = hsp_flow_sample(flow);
        const struct sflow_flow_header *hdr;
        bool sent;
        uint32_t ifindex;
        struct hsp_tcp_tuple t;
        if (!st || !s || local_packet(s, &hdr, &sent, &ifindex) < 0 ||
            hsp_tcp_parse_header(hdr->protocol, hdr->header, hdr->header_len, &t) < 0)
                return;
        struct inet_diag_req_v2 key;
        hsp_tcp_diag_request(&t, sent, ifindex, &key);
        const struct hsp_tcp_cached *c =
                hsp_tcp_cache_get(&st->cache, &key, now_usec(st), TCP_CACHE_USEC);
        if (c) {
                st->n.cached++;
                if (c->found)
                        add_record(st, s, &c->info,
                                   sent != c->peer ? SFLOW_TCP_SENT : SFLOW_TCP_RECEIVED);
                return;
        }
        if (st->npending >= TCP_MAX_PENDING) {
                st->n.full++;
                return;
        }
        struct tcp_pending *p = NULL;
        for (unsigned i = 0; i < TCP_MAX_PENDING && !p; i++)
                if (!st->pending[i].seq)
                        p = &st->pending[i];
        if (!p)
                return;
        *p = (struct tcp_pending){.tuple = t, .key = key, .ifindex = ifindex, .sent = sent};
        if (hsp_flow_hold(m, flow, &p->hold) < 0) {
                st->n.full++;
                return;
        }
        if (pending_send(st, p, 0, sent, ifindex) < 0) {
                st->n.errors++;
                hsp_flow_release(&p->hold);
                p->seq = 0;
                return;
        }
        p->deadline = now_usec(st) + TCP_PENDING_USEC;
        st->npending++;
        /* deadlines only grow: an armed timer is already at or before this one */
        if (evsrc_get_enabled(st->expiry, NULL) <= 0)
                arm_expiry(st);
        /* the kernel answers inet_diag requests as they are sent: read the answer now rather
         * than hold the sample until the next loop iteration (a batch of samples would
         * otherwise fill the held samples' table before the first answer is read) */
        struct tcp_ns *own = &st->ns[0];
        int r = hsp_tcp_diag_receive(&own->diag, TCP_RECV_BATCH, on_reply, own);
        if (r < 0)
                log_debug_errno(r, "tcp: reading inet_diag replies failed: %m");
}

static int on_housekeeping(struct evsrc *es, uint64_t usec, void *userdata) {
        struct tcp_state *st = userdata;
        uint64_t now = now_usec(st);
        for (unsigned i = 1; i < st->nns; i++) {
                struct tcp_ns *ns = &st->ns[i];
                bool busy = false;
                for (unsigned j = 0; j < TCP_MAX_PENDING && !busy; j++)
                        busy = st->pending[j].seq && st->pending[j].ns == i;
                if (ns->netnsid >= 0 && !busy && now - ns->last_used >= TCP_NS_IDLE_USEC) {
                        log_debug("tcp: forgetting netns id %d, unused for %llu s", ns->netnsid,
                                  (unsigned long long)((now - ns->last_used) / 1000000));
                        ns_close(ns);
                        ns->netnsid = -2; /* slot free for another namespace */
                }
        }
        if (memcmp(&st->n, &st->logged, sizeof st->n) != 0) {
                log_debug("tcp: lookups %llu (+%llu shared, %llu answered from cache), records "
                          "%llu, no socket %llu, in other netns %llu, timeouts %llu, too late "
                          "%llu, table full %llu, errors %llu",
                          (unsigned long long)st->n.lookups, (unsigned long long)st->n.shared,
                          (unsigned long long)st->n.cached, (unsigned long long)st->n.records,
                          (unsigned long long)st->n.not_found, (unsigned long long)st->n.peer,
                          (unsigned long long)st->n.timeouts, (unsigned long long)st->n.too_late,
                          (unsigned long long)st->n.full, (unsigned long long)st->n.errors);
                log_debug("tcp: namespace searches %lu, namespaces asked their id %lu",
                          st->scan.passes, st->scan.asked);
                st->logged = st->n;
        }
        (void)evsrc_set_time(es, usec + TCP_HOUSEKEEP_USEC);
        return 0;
}

static const struct tcp_conf *conf_of(struct hsp_mod *m) {
        static const struct tcp_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

static void warn_unimplemented(struct hsp_mod *m) {
        const struct tcp_conf *c = conf_of(m);
        if (c->tunnel)
                log_warning("tcp: tunnel=on is not implemented: packets are looked up by their "
                            "outer headers only");
        if (c->udp)
                log_warning("tcp: udp=on is not implemented: only TCP sockets are looked up");
        if (c->dump)
                log_warning("tcp: dump=on is not implemented: ignored");
}

/* A veth whose peer is in another namespace: find that namespace before samples need it. */
static void on_link(struct hsp_mod *m, enum hsp_link_event ev, const struct hsp_link_info *link) {
        struct tcp_state *st = m->state;
        if (!st || ev == HSP_LINK_DEL || link->link_netnsid < 0 || st->selffd < 0)
                return;
        struct tcp_ns *ns = ns_find(st, link->link_netnsid);
        if (ns && ns->nsfd >= 0 && ev == HSP_LINK_NEW)
                ns_check(st, ns); /* ids are reused: is it still that namespace? */
        else if (!ns)
                (void)ns_want(st, link->link_netnsid);
}

static void tcp_stop(struct hsp_mod *m);

static int tcp_start(struct hsp_mod *m) {
        struct tcp_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the tcp module: %m");
        m->state = st;
        st->m = m;
        st->ns[0] = (struct tcp_ns){.st = st, .netnsid = -1, .nsfd = -1};
        st->nns = 1;
        st->selffd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (st->selffd < 0)
                log_warning_errno(-errno, "tcp: cannot open /proc/self/ns/net (%m): sockets in "
                                          "other network namespaces will not be looked up");
        int r = ns_open(st, &st->ns[0]);
        if (r < 0)
                return log_error_errno(r, "tcp: cannot open a NETLINK_SOCK_DIAG socket: %m");
        uint64_t now = now_usec(st);
        r = evloop_add_time(m->loop, &st->expiry, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_expiry, st);
        if (r >= 0)
                r = evsrc_set_enabled(st->expiry, EVSRC_OFF);
        if (r >= 0)
                r = evloop_add_time(m->loop, &st->housekeeping, CLOCK_MONOTONIC,
                                    now + TCP_HOUSEKEEP_USEC, 1000000, on_housekeeping, st);
        if (r >= 0)
                r = evsrc_set_enabled(st->housekeeping, EVSRC_ON);
        static const struct hsp_netns_scan_ops scan_ops = {
                .id_of = scan_id_of,
                .wanted = scan_wanted,
                .found = scan_found,
                .more = scan_more,
        };
        hsp_netns_scan_init(&st->scan, &scan_ops, st);
        st->rescan_usec = TCP_RESCAN_MIN_USEC;
        if (r >= 0)
                r = evloop_add_time(m->loop, &st->rescan, CLOCK_MONOTONIC, UINT64_MAX, 100000,
                                    on_rescan, st);
        if (r >= 0)
                r = evsrc_set_enabled(st->rescan, EVSRC_OFF);
        /* a step of the search per loop iteration: evloop runs every source due in an
         * iteration, so other events wait one step at most */
        if (r >= 0)
                r = evloop_add_defer(m->loop, &st->scan_step, on_scan_step, st);
        if (r >= 0)
                r = evsrc_set_enabled(st->scan_step, EVSRC_OFF);
        if (r < 0)
                return log_error_errno(r, "tcp: cannot add timers: %m");
        if (st->selffd >= 0 && (r = hsp_links_watch(m, on_link)) < 0)
                log_warning_errno(r, "tcp: cannot follow the interfaces (%m): namespaces of veth "
                                     "peers are searched for when a sample needs them");
        warn_unimplemented(m);
        return 0;
}

static int tcp_reconfigure(struct hsp_mod *m) {
        warn_unimplemented(m);
        return 0;
}

static void tcp_stop(struct hsp_mod *m) {
        struct tcp_state *st = m->state;
        if (!st)
                return;
        for (unsigned i = 0; i < TCP_MAX_PENDING; i++)
                if (st->pending[i].seq)
                        pending_done(st, &st->pending[i]);
        hsp_links_unwatch(m);
        for (unsigned i = 0; i < st->nns; i++)
                ns_close(&st->ns[i]);
        hsp_netns_scan_reset(&st->scan);
        evsrc_disable_unref(st->scan_step);
        evsrc_disable_unref(st->rescan);
        evsrc_disable_unref(st->expiry);
        evsrc_disable_unref(st->housekeeping);
        if (st->rt)
                nl_socket_free(st->rt);
        if (st->selffd >= 0)
                close(st->selffd);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_tcp = {
        .name = "tcp",
        .keywords = tcp_keywords,
        .conf_size = sizeof(struct tcp_conf),
        /* setns() into containers' namespaces needs CAP_SYS_ADMIN; opening another user's
         * /proc/PID/ns/net needs CAP_SYS_PTRACE. inet_diag lookups of single sockets, tcp_info
         * included, need no capability. */
        .capabilities = HSP_CAP(CAP_SYS_ADMIN) | HSP_CAP(CAP_SYS_PTRACE),
        .enrich = tcp_enrich,
        .start = tcp_start,
        .reconfigure = tcp_reconfigure,
        .stop = tcp_stop,
};
