/* pcap.c - the pcap module: which interfaces to sample, at what rate, and their life cycle. */
#include <errno.h>
#include <linux/capability.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "links.h"
#include "log.h"
#include "pcap-dl.h"
#include "pcap.h"
#include "privileges.h"

#define RETRY_USEC (5 * 1000000ULL) /* a device that cannot be opened is tried again */

struct pcap_state {
        struct hsp_mod *m;
        struct pcap_tap *taps;
        struct evsrc *defer; /* reconcile once the current events are handled */
        struct evsrc *retry;
        /* while reconciling */
        bool lo_warned; /* dev= names a loopback: said once per configuration */
        regex_t *re;
        bool *re_ok;
        size_t n_blocks;
};

static void tap_status(struct pcap_tap *t, int prio, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Log a problem of a tap once, until it changes or goes away. */
static void tap_status(struct pcap_tap *t, int prio, const char *fmt, ...) {
        char buf[sizeof t->status];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (strcmp(buf, t->status) == 0)
                return;
        snprintf(t->status, sizeof t->status, "%s", buf);
        if (buf[0])
                log_full_errno(prio, 0, "pcap: %s: %s", t->name, buf);
}

static struct pcap_tap *tap_find(struct pcap_state *st, const char *name) {
        for (struct pcap_tap *t = st->taps; t; t = t->next)
                if (strcmp(t->name, name) == 0)
                        return t;
        return NULL;
}

static void schedule(struct pcap_state *st) {
        if (st->defer)
                (void)evsrc_set_enabled(st->defer, EVSRC_ONESHOT);
}

static void arm_retry(struct pcap_state *st, bool on);

void pcap_tap_failed(struct pcap_tap *t, const char *why) {
        pcap_tap_close(t);
        t->failed = true;
        tap_status(t, LOG_ERR, "sampling stopped: %s; retrying every %llu s", why,
                   (unsigned long long)(RETRY_USEC / 1000000));
        arm_retry(t->m->state, true);
}

/* Does block b select link l? Loopback is never sampled. */
static bool block_matches(struct pcap_state *st, size_t i, const struct pcap_conf *c,
                          const struct hsp_link_info *l) {
        if (c->dev)
                return strcmp(c->dev, l->name) == 0;
        if (c->dev_pattern)
                return st->re_ok[i] && regexec(&st->re[i], l->name, 0, NULL, 0) == 0;
        /* speed: physical-like ports only, as the reference (not bond masters, VLANs, bridges) */
        if ((l->flags & IFF_MASTER) || strcmp(l->kind, "vlan") == 0 ||
            strcmp(l->kind, "bridge") == 0 || strcmp(l->kind, "bond") == 0 ||
            strcmp(l->kind, "team") == 0)
                return false;
        return l->speed >= c->speed.min && l->speed <= c->speed.max;
}

/* Mark (creating if needed) the tap for a name with the settings it should have. */
static struct pcap_tap *want(struct pcap_state *st, const char *name, int ifindex, bool up,
                             const struct pcap_conf *c, unsigned line, uint64_t speed) {
        const struct hsp_config *cfg = st->m->config;
        struct pcap_tap *t = tap_find(st, name);
        if (t && t->wanted)
                return t; /* an earlier block chose it */
        if (!t) {
                if (!(t = calloc(1, sizeof *t))) {
                        log_error_errno(-ENOMEM, "pcap: %s: %m", name);
                        return NULL;
                }
                t->m = st->m;
                snprintf(t->name, sizeof t->name, "%s", name);
                t->next = st->taps;
                st->taps = t;
        }
        enum pcap_rule rule;
        uint32_t rate = pcap_rate_choose(c->sampling, cfg, speed, &rule);
        uint32_t hb = cfg->header_bytes;
        uint32_t snap = hb ? hb : 1;
        bool same = t->ifindex == ifindex && t->rate == rate && t->snap == snap &&
                    t->promisc == c->promisc;
        if (!same && pcap_tap_is_open(t)) {
                log_info("pcap: %s: settings changed, reopening", name);
                pcap_tap_close(t);
        }
        if (!same || t->rule != rule || t->line != line)
                t->status[0] = '\0'; /* say again what it does */
        if (!same)
                t->failed = false;
        if (!up && pcap_tap_is_open(t)) {
                log_info("pcap: %s: interface is down, sampling paused", name);
                pcap_tap_close(t);
        }
        t->wanted = true;
        t->up = up;
        t->ifindex = ifindex;
        t->rate = rate;
        t->rule = rule;
        t->snap = snap;
        t->header_bytes = hb;
        t->promisc = c->promisc;
        t->line = line;
        t->from_dev = c->dev != NULL;
        return t;
}

struct walk {
        struct pcap_state *st;
};

static void on_link(const struct hsp_link_info *l, void *userdata) {
        struct pcap_state *st = ((struct walk *)userdata)->st;
        size_t i = 0;
        if (l->flags & IFF_LOOPBACK) {
                for (const struct hsp_block *b = st->m->blocks; b; b = b->next_same) {
                        const struct pcap_conf *c = b->conf;
                        if (c->dev && strcmp(c->dev, l->name) == 0 && !st->lo_warned) {
                                log_warning("pcap: %s: loopback is never sampled (pcap block "
                                            "at line %u)",
                                            l->name, b->line);
                                st->lo_warned = true;
                        }
                }
                return;
        }
        for (const struct hsp_block *b = st->m->blocks; b; b = b->next_same, i++)
                if (block_matches(st, i, b->conf, l)) {
                        want(st, l->name, l->ifindex, l->flags & IFF_UP, b->conf, b->line,
                             l->speed);
                        return;
                }
}

static void arm_retry(struct pcap_state *st, bool on) {
        uint64_t now;
        if (!on) {
                if (st->retry)
                        (void)evsrc_set_enabled(st->retry, EVSRC_OFF);
                return;
        }
        if (!st->retry)
                return;
        int enabled = EVSRC_OFF;
        (void)evsrc_get_enabled(st->retry, &enabled);
        if (enabled != EVSRC_OFF)
                return;
        if (evloop_now(st->m->loop, CLOCK_MONOTONIC, &now) < 0)
                return;
        (void)evsrc_set_time(st->retry, now + RETRY_USEC);
        (void)evsrc_set_enabled(st->retry, EVSRC_ONESHOT);
}

/* Bring the taps in line with the configuration and the links that exist now. */
static void reconcile(struct pcap_state *st) {
        size_t n = 0, i = 0;
        bool retry = false;

        for (const struct hsp_block *b = st->m->blocks; b; b = b->next_same)
                n++;
        regex_t re[n ? n : 1];
        bool re_ok[n ? n : 1];
        for (const struct hsp_block *b = st->m->blocks; b; b = b->next_same, i++) {
                const struct pcap_conf *c = b->conf;
                re_ok[i] = c->dev_pattern &&
                           regcomp(&re[i], c->dev_pattern, REG_EXTENDED | REG_NOSUB) == 0;
        }
        st->re = re;
        st->re_ok = re_ok;
        st->n_blocks = n;

        for (struct pcap_tap *t = st->taps; t; t = t->next)
                t->wanted = false;
        struct walk w = {st};
        hsp_links_foreach(st->m, on_link, &w);
        /* a configured device that does not exist is an error, not silence */
        for (const struct hsp_block *b = st->m->blocks; b; b = b->next_same) {
                const struct pcap_conf *c = b->conf;
                struct hsp_link_info l;
                if (!c->dev || hsp_link_by_name(st->m, c->dev, &l))
                        continue;
                struct pcap_tap *t = want(st, c->dev, 0, false, c, b->line, 0);
                if (t && t->ifindex == 0) {
                        pcap_tap_close(t);
                        tap_status(t, LOG_ERR,
                                   "cannot sample (pcap block at line %u): %s; "
                                   "waiting for it to appear",
                                   b->line, strerror(ENODEV));
                        retry = true;
                }
        }
        for (i = 0; i < n; i++)
                if (re_ok[i])
                        regfree(&re[i]);
        st->re = NULL;
        st->re_ok = NULL;

        for (struct pcap_tap **pt = &st->taps; *pt;) {
                struct pcap_tap *t = *pt;
                if (!t->wanted) {
                        if (pcap_tap_is_open(t))
                                log_info("pcap: %s: sampling stopped", t->name);
                        pcap_tap_close(t);
                        *pt = t->next;
                        free(t);
                        continue;
                }
                pt = &t->next;
                if (t->ifindex == 0 || pcap_tap_is_open(t))
                        continue;
                if (!t->up) {
                        tap_status(t, LOG_INFO, "interface is down, waiting for it to come up");
                        continue;
                }
                if (t->rate == 0) {
                        tap_status(t, LOG_INFO, "sampling disabled (rate 0 from %s)",
                                   pcap_rule_name(t->rule));
                        continue;
                }
                char why[PCAP_ERRBUF_SIZE + 64];
                int r = pcap_tap_open(t, why, sizeof why);
                if (r < 0) {
                        tap_status(t, LOG_ERR,
                                   "cannot sample (pcap block at line %u): %s; "
                                   "retrying every %llu s",
                                   t->line, why, (unsigned long long)(RETRY_USEC / 1000000));
                        t->failed = true;
                        retry = true;
                        continue;
                }
                t->failed = false;
                t->status[0] = '\0';
                log_info("pcap: %s (ifIndex %d): sampling 1-in-%u (rule: %s, pcap block at line "
                         "%u), %u header bytes",
                         t->name, t->ifindex, t->rate, pcap_rule_name(t->rule), t->line,
                         t->header_bytes);
        }
        arm_retry(st, retry);
}

static int on_defer(struct evsrc *s, void *userdata) {
        reconcile(userdata);
        return 0;
}

static int on_retry(struct evsrc *s, uint64_t usec, void *userdata) {
        reconcile(userdata);
        return 0;
}

static void on_link_event(struct hsp_mod *m, enum hsp_link_event ev,
                          const struct hsp_link_info *link) {
        struct pcap_state *st = m->state;
        if (ev == HSP_LINK_DEL) {
                /* release it at once; the reconciliation decides what else to do */
                for (struct pcap_tap *t = st->taps; t; t = t->next)
                        if (t->ifindex == link->ifindex && pcap_tap_is_open(t)) {
                                log_info("pcap: %s (ifIndex %d) went away", t->name, t->ifindex);
                                pcap_tap_close(t);
                                t->ifindex = -1; /* reopened when it returns, whatever its index */
                        }
        }
        schedule(st);
}

static void pcap_stop(struct hsp_mod *m) {
        struct pcap_state *st = m->state;
        if (!st)
                return;
        hsp_links_unwatch(m);
        while (st->taps) {
                struct pcap_tap *t = st->taps;
                st->taps = t->next;
                pcap_tap_close(t);
                free(t);
        }
        st->defer = evsrc_disable_unref(st->defer);
        st->retry = evsrc_disable_unref(st->retry);
        free(st);
        m->state = NULL;
}

static int pcap_start(struct hsp_mod *m) {
        int r = pcap_dl_load();
        if (r < 0)
                return r;
        struct pcap_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "pcap: %m");
        st->m = m;
        m->state = st;
        r = evloop_add_defer(m->loop, &st->defer, on_defer, st);
        if (r < 0)
                return log_error_errno(r, "pcap: cannot add an event source: %m");
        (void)evsrc_set_enabled(st->defer, EVSRC_OFF);
        r = evloop_add_time(m->loop, &st->retry, CLOCK_MONOTONIC, 0, 0, on_retry, st);
        if (r < 0)
                return log_error_errno(r, "pcap: cannot add a timer: %m");
        (void)evsrc_set_enabled(st->retry, EVSRC_OFF);
        r = hsp_links_watch(m, on_link_event);
        if (r < 0)
                return log_error_errno(r, "pcap: cannot follow the interfaces: %m");
        reconcile(st);
        return 0;
}

static int pcap_reconfigure(struct hsp_mod *m) {
        /* m->blocks and m->config are the new ones; handles whose settings did not change
         * stay open */
        struct pcap_state *st = m->state;
        st->lo_warned = false;
        reconcile(st);
        return 0;
}

const struct hsp_module hsp_module_pcap = {
        .name = "pcap",
        .keywords = pcap_keywords,
        .conf_size = sizeof(struct pcap_conf),
        .defaults = &pcap_defaults,
        .repeatable = true,
        .capabilities = HSP_CAP(CAP_NET_RAW),
        .validate = pcap_conf_validate,
        .start = pcap_start,
        .reconfigure = pcap_reconfigure,
        .stop = pcap_stop,
};
