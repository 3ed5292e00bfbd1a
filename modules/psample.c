/* psample.c - the psample module: joins the genetlink family "psample" (group "packets"),
 * where tc's `action sample` and switch ASIC drivers hand over sampled packets, and sends
 * them as flow samples. libnl-genl-3 is loaded when the module starts (genl-dl.c). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/if_arp.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "config.h"
#include "ksample-sock.h"
#include "ksample.h"
#include "links.h"
#include "log.h"
#include "genl-dl.h"
#include "privileges.h"
#include "psample.h"
#include "psample-route.h"

#define RCVBUF_BYTES (8 * 1024 * 1024)
#define READS_PER_WAKEUP 32

/* One direction of one block: its kernel group and what has come through it. */
struct psample_dir {
        uint32_t group, line;
        bool egress;
        uint32_t wanted; /* configured sampling (0: none) */
        struct ksample_seq seq;
        struct ksample_sub sub;
        uint32_t kernel_rate; /* last seen */
        uint32_t pool, drops;
};

struct psample_state {
        struct hsp_mod *m;
        struct ksample_sock ks; /* the family may appear when its kernel module loads */
        struct psample_dir *dirs;
        size_t n_dirs;
        struct psample_ifmap ifmap;
        uint8_t *unresolved_logged; /* a bit per 16-bit value */
        uint64_t unresolved, malformed;
        bool probability_logged;
        struct psample_route *route;
        uint64_t seed;
};

static struct sflow_sample sample;

static void add_link(const struct hsp_link_info *l, void *userdata) {
        psample_ifmap_add(userdata, l->ifindex);
}

/* The namespace's ifindex for a 16-bit value; 0 (logged once per value) when none or several
 * interfaces match. */
static int resolve(struct psample_state *st, uint32_t v16) {
        if (v16 == 0)
                return 0;
        if (st->ifmap.stale) {
                psample_ifmap_clear(&st->ifmap);
                hsp_links_foreach(st->m, add_link, &st->ifmap);
        }
        int ifindex = psample_ifmap_lookup(&st->ifmap, v16);
        if (ifindex > 0)
                return ifindex;
        st->unresolved++;
        if (!(st->unresolved_logged[v16 >> 3] & (1u << (v16 & 7)))) {
                st->unresolved_logged[v16 >> 3] |= (uint8_t)(1u << (v16 & 7));
                log_warning("psample: interface %u (16 bits, as the kernel sends it) %s: its "
                            "samples are not sent (%llu so far)",
                            v16,
                            ifindex < 0 ? "matches several interfaces modulo 65536"
                                        : "matches no interface",
                            (unsigned long long)st->unresolved);
        }
        return 0;
}

static struct psample_dir *find_dir(struct psample_state *st, uint32_t group) {
        for (size_t i = 0; i < st->n_dirs; i++)
                if (st->dirs[i].group == group)
                        return &st->dirs[i];
        return NULL;
}

static void on_sample(struct psample_state *st, const struct psample_pkt *p) {
        struct psample_dir *d = find_dir(st, p->group);
        if (!d)
                return; /* a group no block asks for */
        if (p->probability && !st->probability_logged) {
                log_notice("psample: group %u: the kernel sends a sampling probability; "
                           "reported as 1-in-%u",
                           p->group, p->rate);
                st->probability_logged = true;
        }
        if (p->rate != d->kernel_rate) {
                uint32_t sub = ksample_sub_factor(p->rate, d->wanted);
                ksample_sub_init(&d->sub, sub, st->seed + p->group);
                d->kernel_rate = p->rate;
        }
        if (p->has_seq) {
                uint32_t lost = ksample_seq_next(&d->seq, p->seq);
                d->drops += lost;
                d->pool += lost * p->rate;
        }
        d->pool += p->rate;
        if (!ksample_sub_keep(&d->sub))
                return;

        int iif = resolve(st, p->iif), oif = resolve(st, p->oif);
        int source = d->egress ? oif : iif;
        if ((p->iif && !iif) || (p->oif && !oif) || source <= 0) {
                if (!p->iif && !p->oif)
                        st->unresolved++;
                return;
        }
        struct hsp_link_info link;
        unsigned arptype = hsp_link_get(st->m, source, &link) ? link.arptype : ARPHRD_ETHER;
        uint32_t protocol, frame, stripped, hlen;
        if (!psample_header(p, arptype, st->m->config->header_bytes, &protocol, &frame, &stripped,
                            &hlen)) {
                st->malformed++;
                return;
        }
        uint32_t out = oif ? (uint32_t)oif : 0;
        if (!d->egress && !oif && st->route)
                out = psample_route_output(st->route, protocol, p->data, p->data_len,
                                           (uint32_t)iif);

        ksample_sample_init(&sample, SFLOW_SAMPLE_FLOW_EXPANDED, (uint32_t)source,
                            iif > 0 ? (uint32_t)iif : 0, out);
        sample.sampling_rate = p->rate * d->sub.n;
        sample.sample_pool = d->pool;
        sample.drops = d->drops;
        struct sflow_record *rec;
        if (p->has_out_tc && (rec = hsp_sample_add(&sample, SFLOW_FLOW_EGRESS_QUEUE)))
                rec->u.egress_queue.queue = p->out_tc;
        if (p->has_occ && (rec = hsp_sample_add(&sample, SFLOW_FLOW_QUEUE)))
                rec->u.queue.depth = psample_sat32(p->occ);
        if (p->has_latency && (rec = hsp_sample_add(&sample, SFLOW_FLOW_TRANSIT)))
                rec->u.transit.delay = psample_sat32(p->latency);
        ksample_add_timestamp(&sample, p->has_ts, p->ts_ns);
        if (ksample_add_header(&sample, protocol, frame, stripped, hlen, p->data))
                (void)hsp_submit_sample(st->m, &sample);
}

static void on_msg(void *userdata, const struct nlmsghdr *h) {
        struct psample_state *st = userdata;
        struct psample_pkt p;
        int r = psample_parse(h, st->ks.family, &p);
        if (r == 0)
                on_sample(st, &p);
        else if (r == -EBADMSG && st->malformed++ == 0)
                log_warning("psample: malformed message skipped (more are counted, not logged)");
}

static int try_open(struct psample_state *st) {
        int r = ksample_genl_open(&st->ks, "psample", "packets", "psample");
        if (r < 0)
                return r == -EAGAIN ? 0 : r;
        for (size_t i = 0; i < st->n_dirs; i++) {
                struct psample_dir *d = &st->dirs[i];
                d->seq = (struct ksample_seq){0};
                log_info("psample: group %u (%s, psample block at line %u): listening", d->group,
                         d->egress ? "egress" : "ingress", d->line);
        }
        return 0;
}

static void on_retry(void *userdata) {
        (void)try_open(userdata);
}

static void on_link_event(struct hsp_mod *m, enum hsp_link_event ev,
                          const struct hsp_link_info *link) {
        struct psample_state *st = m->state;
        if (ev != HSP_LINK_CHANGE)
                st->ifmap.stale = true;
}

static void psample_stop(struct hsp_mod *m) {
        struct psample_state *st = m->state;
        if (!st)
                return;
        hsp_links_unwatch(m);
        ksample_sock_free(&st->ks);
        psample_route_free(st->route);
        psample_ifmap_free(&st->ifmap);
        free(st->unresolved_logged);
        free(st->dirs);
        free(st);
        m->state = NULL;
}

static int psample_start(struct hsp_mod *m) {
        int r = ksample_genl_load("psample");
        if (r < 0)
                return r;
        struct psample_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "psample: %m");
        st->m = m;
        m->state = st;
        st->ks = (struct ksample_sock){
                .m = m,
                .name = "psample",
                /* what was lost shows as gaps in the group sequence numbers */
                .lost = "samples lost, counted as drops",
                .rcvbuf = RCVBUF_BYTES,
                .reads = READS_PER_WAKEUP,
                .reopen = true,
                .on_msg = on_msg,
                .open = on_retry,
                .userdata = st,
        };
        st->seed = ksample_seed();
        if (psample_ifmap_init(&st->ifmap) < 0 || !(st->unresolved_logged = calloc(1, 8192)))
                return log_error_errno(-ENOMEM, "psample: %m");
        for (const struct hsp_block *b = m->blocks; b; b = b->next_same) {
                const struct psample_conf *c = b->conf;
                for (int e = 0; e < 2; e++) {
                        if (!(e ? c->egress : c->ingress))
                                continue;
                        uint32_t group = c->group + (uint32_t)e;
                        if (find_dir(st, group)) {
                                log_warning("psample: group %u is configured twice (psample "
                                            "block at line %u): the first one applies",
                                            group, b->line);
                                continue;
                        }
                        struct psample_dir *a = realloc(st->dirs, (st->n_dirs + 1) * sizeof *a);
                        if (!a)
                                return log_error_errno(-ENOMEM, "psample: %m");
                        st->dirs = a;
                        a[st->n_dirs++] = (struct psample_dir){
                                .group = group,
                                .line = b->line,
                                .egress = e,
                                .wanted = c->sampling               ? c->sampling
                                          : m->config->sampling_set ? m->config->sampling
                                                                    : 0,
                        };
                }
        }
        r = hsp_links_watch(m, on_link_event);
        if (r < 0)
                return log_error_errno(r, "psample: cannot follow the interfaces: %m");
        r = psample_route_new(m, &st->route);
        if (r < 0)
                log_warning_errno(r, "psample: no route lookups (output ports of forwarded "
                                     "packets stay 0): %m");
        if ((r = ksample_sock_init(&st->ks)) < 0)
                return r;
        return try_open(st);
}

const struct hsp_module hsp_module_psample = {
        .name = "psample",
        .keywords = psample_keywords,
        .conf_size = sizeof(struct psample_conf),
        .defaults = &psample_defaults,
        .repeatable = true,
        /* joining the group needs CAP_NET_ADMIN on newer kernels */
        .capabilities = HSP_CAP(CAP_NET_ADMIN),
        .validate = psample_conf_validate,
        .start = psample_start,
        .stop = psample_stop,
};
