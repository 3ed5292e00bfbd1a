/* nflog.c - the nflog module: joins NFLOG groups (iptables/nftables `-j NFLOG`, typically behind
 * a random `statistic` match) and sends what they log as flow samples. libnl-nf configures the
 * group (loaded when the module starts: nf-dl.c); packet messages are parsed with libnl's
 * attribute parser (nflog-parse.c). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <netlink/netfilter/log.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "agent.h"
#include "config.h"
#include "ksample-sock.h"
#include "ksample.h"
#include "log.h"
#include "nflog.h"
#include "nf-dl.h"
#include "privileges.h"

#define RCVBUF_BYTES (4 * 1024 * 1024)
#define READS_PER_WAKEUP 16
#define FLUSH_CENTISECONDS 10 /* the kernel hands over its batch at least this often */

struct nflog_group {
        struct hsp_mod *m;
        struct nflog_group *next;
        uint32_t group, rate, line;
        struct ksample_sock ks; /* reopened after a failed read */
        struct ksample_seq seq;
        struct ksample_sub sub;
        uint32_t pool, drops;
        bool failed_logged, noseq_logged;
};

static uint8_t hdrbuf[SFLOW_MAX_HEADER];
static struct sflow_sample sample;

static void on_packet(struct nflog_group *g, const struct nflog_pkt *p) {
        uint32_t protocol, frame, stripped;
        if (p->has_seq) {
                uint32_t lost = ksample_seq_next(&g->seq, p->seq);
                g->drops += lost;
                g->pool += lost * (g->rate / g->sub.n);
        } else if (!g->noseq_logged) {
                log_warning("nflog: group %u: the kernel sends no sequence numbers: losses "
                            "cannot be counted",
                            g->group);
                g->noseq_logged = true;
        }
        g->pool += g->rate / g->sub.n;
        if (!ksample_sub_keep(&g->sub))
                return;
        int n = nflog_header(p, g->m->config->header_bytes, hdrbuf, sizeof hdrbuf, &protocol,
                             &frame, &stripped);
        if (n < 0)
                return;
        ksample_sample_init(&sample, SFLOW_SAMPLE_FLOW_EXPANDED, p->indev ? p->indev : p->outdev,
                            p->indev ? p->indev : SFLOW_IF_INTERNAL,
                            p->outdev ? p->outdev : SFLOW_IF_INTERNAL);
        sample.sampling_rate = g->rate;
        sample.sample_pool = g->pool;
        sample.drops = g->drops;
        ksample_add_timestamp(&sample, p->has_ts, p->ts_ns);
        if (ksample_add_header(&sample, protocol, frame, stripped, (uint32_t)n, hdrbuf))
                (void)hsp_submit_sample(g->m, &sample);
}

static void on_msg(void *userdata, const struct nlmsghdr *h) {
        struct nflog_group *g = userdata;
        struct nflog_pkt p;
        int r = nflog_parse(h, &p);
        if (r == 0)
                on_packet(g, &p);
        else if (r == -EBADMSG)
                log_debug("nflog: group %u: malformed message skipped", g->group);
}

static int group_open(struct nflog_group *g) {
        struct nl_sock *sk;
        struct nfnl_log *cfg = NULL;
        int r;

        if ((r = ksample_sock_connect(&g->ks, NETLINK_NETFILTER)) < 0)
                goto fail;
        sk = g->ks.sk;
        /* kernels before 3.17 want the families bound; later ones accept and ignore it */
        (void)sym_nfnl_log_pf_bind(sk, AF_INET);
        (void)sym_nfnl_log_pf_bind(sk, AF_INET6);
        if (!(cfg = sym_nfnl_log_alloc())) {
                r = -NLE_NOMEM;
                goto fail;
        }
        uint32_t hb = g->m->config->header_bytes;
        sym_nfnl_log_set_group(cfg, (uint16_t)g->group);
        sym_nfnl_log_set_copy_mode(cfg, NFNL_LOG_COPY_PACKET);
        sym_nfnl_log_set_copy_range(cfg, hb ? hb : 128);
        sym_nfnl_log_set_flush_timeout(cfg, FLUSH_CENTISECONDS);
        sym_nfnl_log_set_flags(cfg, NFNL_LOG_FLAG_SEQ);
        r = sym_nfnl_log_create(sk, cfg);
        sym_nfnl_log_put(cfg);
        if (r < 0)
                goto fail;
        if ((r = ksample_sock_watch(&g->ks)) < 0)
                return r;
        g->seq = (struct ksample_seq){0};
        return 0;
fail:
        ksample_sock_close(&g->ks);
        /* libnl's codes: say it with errno where it has one */
        return r == -NLE_BUSY                                  ? -EBUSY
               : r == -NLE_PERM                                ? -EPERM
               : r == -NLE_NOMEM                               ? -ENOMEM
               : r == -NLE_OBJ_NOTFOUND || r == -NLE_OPNOTSUPP ? -EOPNOTSUPP
                                                               : -EIO;
}

static void try_open(void *userdata) {
        struct nflog_group *g = userdata;
        int r = group_open(g);
        if (r == 0) {
                log_info("nflog: group %u (nflog block at line %u): sampling 1-in-%u%s", g->group,
                         g->line, g->rate, g->sub.n > 1 ? " (kernel 1-in-N sub-sampled here)" : "");
                g->failed_logged = false;
                return;
        }
        if (!g->failed_logged)
                log_error_errno(r,
                                "nflog: group %u (nflog block at line %u): cannot bind: %m%s; "
                                "retrying every %llu s",
                                g->group, g->line,
                                r == -EBUSY ? " (another program listens to this group)" : "",
                                (unsigned long long)(KSAMPLE_RETRY_USEC / 1000000));
        g->failed_logged = true;
        ksample_sock_retry(&g->ks);
}

static void nflog_stop(struct hsp_mod *m) {
        struct nflog_group *g = m->state;
        while (g) {
                struct nflog_group *next = g->next;
                ksample_sock_free(&g->ks);
                free(g);
                g = next;
        }
        m->state = NULL;
}

static int nflog_start(struct hsp_mod *m) {
        int r = nflog_dl_load();
        if (r < 0)
                return r;
        uint64_t seed = ksample_seed();
        for (const struct hsp_block *b = m->blocks; b; b = b->next_same) {
                const struct nflog_conf *c = b->conf;
                struct nflog_group *g = calloc(1, sizeof *g);
                if (!g)
                        return log_error_errno(-ENOMEM, "nflog: %m");
                g->m = m;
                g->group = c->group;
                g->line = b->line;
                g->next = m->state;
                m->state = g;
                uint32_t kernel = nflog_rate(c->probability);
                uint32_t wanted = c->sampling               ? c->sampling
                                  : m->config->sampling_set ? m->config->sampling
                                                            : 0;
                uint32_t sub = ksample_sub_factor(kernel, wanted);
                ksample_sub_init(&g->sub, sub, seed + g->group);
                g->rate = kernel * sub;
                g->ks = (struct ksample_sock){
                        .m = m,
                        /* the sequence numbers say how many an overrun lost */
                        .lost = "samples lost, counted as drops",
                        .rcvbuf = RCVBUF_BYTES,
                        .reads = READS_PER_WAKEUP,
                        .reopen = true,
                        .on_msg = on_msg,
                        .open = try_open,
                        .userdata = g,
                };
                snprintf(g->ks.name, sizeof g->ks.name, "nflog: group %u", g->group);
                r = ksample_sock_init(&g->ks);
                if (r < 0)
                        return r;
                try_open(g);
        }
        return 0;
}

const struct hsp_module hsp_module_nflog = {
        .name = "nflog",
        .keywords = nflog_keywords,
        .conf_size = sizeof(struct nflog_conf),
        .repeatable = true,
        .capabilities = HSP_CAP(CAP_NET_ADMIN),
        .validate = nflog_conf_validate,
        .start = nflog_start,
        .stop = nflog_stop,
};
