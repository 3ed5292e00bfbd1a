/* dropmon.c - the dropmon module: joins the genetlink family NET_DM (drop_monitor), starts
 * packet-mode monitoring when asked (and stops it at exit if it started it), and sends each
 * drop as a discarded-packet sample, rate limited exactly, with an overload breaker that pauses
 * the feed and re-arms it after a cool-off. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/if_arp.h>
#include <linux/net_dropmon.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "config.h"
#include "dropmon.h"
#include "ksample-sock.h"
#include "ksample.h"
#include "links.h"
#include "log.h"
#include "genl-dl.h"
#include "privileges.h"

#define COOL_OFF_USEC (30 * 1000000ULL) /* a tripped breaker re-arms after this */
#define RCVBUF_BYTES (4 * 1024 * 1024)
#define QUEUE_LEN 1000
#define READS_PER_WAKEUP 32

struct dropmon_state {
        struct hsp_mod *m;
        const struct dropmon_conf *c;
        struct ksample_sock ks; /* the feed */
        struct nl_sock *ctl;    /* commands */
        struct evsrc *tick;
        bool ours, paused;
        regex_t hide;
        bool hide_ok;
        struct dropmon_bucket bucket;
        struct dropmon_breaker breaker;
        uint64_t messages, pause_until;
        uint32_t suppressed;
};

static struct sflow_sample sample;

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int command(struct dropmon_state *st, uint8_t cmd, bool config) {
        struct nl_msg *msg = nlmsg_alloc();
        if (!msg)
                return -NLE_NOMEM;
        sym_genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, st->ks.family, 0, 0, cmd, 2);
        uint32_t hb = st->m->config->header_bytes;
        if (config) {
                nla_put_u8(msg, NET_DM_ATTR_ALERT_MODE, NET_DM_ALERT_MODE_PACKET);
                nla_put_u32(msg, NET_DM_ATTR_TRUNC_LEN, hb ? hb : 128);
                nla_put_u32(msg, NET_DM_ATTR_QUEUE_LEN, QUEUE_LEN);
        } else if (cmd == NET_DM_CMD_START || cmd == NET_DM_CMD_STOP) {
                if (st->c->sw)
                        nla_put_flag(msg, NET_DM_ATTR_SW_DROPS);
                if (st->c->hw)
                        nla_put_flag(msg, NET_DM_ATTR_HW_DROPS);
        }
        return nl_send_sync(st->ctl, msg); /* frees msg; waits for the ACK */
}

static void feed_start(struct dropmon_state *st) {
        if (!st->c->start) {
                log_info("dropmon: listening (start=off: another program runs the monitor)");
                return;
        }
        int r = command(st, NET_DM_CMD_CONFIG, true);
        if (r == 0)
                r = command(st, NET_DM_CMD_START, false);
        if (r == -NLE_BUSY || r == -NLE_AGAIN) {
                log_warning("dropmon: another program owns the drop monitor: listening to its "
                            "feed");
                return;
        }
        if (r < 0) {
                log_error("dropmon: cannot start the drop monitor: %s; listening", nl_geterror(r));
                return;
        }
        st->ours = true;
        log_info("dropmon: drop monitor started (packet mode, %s%s%s, %u header bytes, limit "
                 "%u/s)",
                 st->c->sw ? "software" : "", st->c->sw && st->c->hw ? " and " : "",
                 st->c->hw ? "hardware" : "", st->m->config->header_bytes, st->c->limit);
}

static void feed_stop(struct dropmon_state *st) {
        if (st->ours && st->ctl) {
                int r = command(st, NET_DM_CMD_STOP, false);
                if (r < 0)
                        log_warning("dropmon: cannot stop the drop monitor: %s", nl_geterror(r));
        }
        st->ours = false;
}

static void on_drop(struct dropmon_state *st, const struct dropmon_pkt *p) {
        int code = dropmon_reason(p);
        if (code < 0)
                return;
        if (st->hide_ok && ((p->reason && regexec(&st->hide, p->reason, 0, NULL, 0) == 0) ||
                            (p->symbol && regexec(&st->hide, p->symbol, 0, NULL, 0) == 0)))
                return;
        if (!dropmon_bucket_take(&st->bucket, now_ns())) {
                st->suppressed++;
                return;
        }
        ksample_sample_init(&sample, SFLOW_SAMPLE_DISCARDS, p->in_ifindex, p->in_ifindex, 0);
        sample.sampling_rate = sample.sample_pool = 0;
        sample.drops = st->suppressed;
        sample.reason = (uint32_t)code;
        struct sflow_record *rec;
        ksample_add_timestamp(&sample, p->has_ts, p->ts_ns);
        if (p->reason && (rec = hsp_sample_add(&sample, SFLOW_FLOW_LINUX_REASON)))
                rec->u.linux_reason.reason =
                        (struct sflow_string){p->reason, (uint32_t)strlen(p->reason)};
        if (p->symbol && (rec = hsp_sample_add(&sample, SFLOW_FLOW_FUNCTION)))
                rec->u.function.symbol =
                        (struct sflow_string){p->symbol, (uint32_t)strlen(p->symbol)};
        if ((p->trap_group || p->trap_name) && (rec = hsp_sample_add(&sample, SFLOW_FLOW_HW_TRAP)))
                rec->u.hw_trap = (struct sflow_flow_hw_trap){
                        {p->trap_group ?: "", p->trap_group ? (uint32_t)strlen(p->trap_group) : 0},
                        {p->trap_name ?: "", p->trap_name ? (uint32_t)strlen(p->trap_name) : 0}};
        /* the payload starts at the MAC header when the packet had one */
        struct hsp_link_info link;
        bool eth = p->payload_len >= 14 && p->proto &&
                   (!p->in_ifindex || !hsp_link_get(st->m, (int)p->in_ifindex, &link) ||
                    link.arptype == ARPHRD_ETHER) &&
                   ((uint16_t)(p->payload[12] << 8 | p->payload[13]) == p->proto);
        uint8_t v = p->payload_len ? p->payload[0] >> 4 : 0;
        uint32_t n = ksample_header_len(p->payload_len, st->m->config->header_bytes);
        uint32_t fcs = eth ? KSAMPLE_FCS_BYTES : 0;
        if ((eth || v == 4 || v == 6) && n)
                (void)ksample_add_header(&sample,
                                         eth      ? SFLOW_HEADER_ETHERNET
                                         : v == 4 ? SFLOW_HEADER_IPV4
                                                  : SFLOW_HEADER_IPV6,
                                         p->orig_len + fcs, fcs, n, p->payload);
        (void)hsp_submit_sample(st->m, &sample);
}

static void on_msg(void *userdata, const struct nlmsghdr *h) {
        struct dropmon_state *st = userdata;
        struct dropmon_pkt p;
        st->messages++;
        if (!st->paused && dropmon_parse(h, st->ks.family, &p) == 0)
                on_drop(st, &p);
}

static int on_tick(struct evsrc *s, uint64_t usec, void *userdata) {
        struct dropmon_state *st = userdata;
        (void)evsrc_set_time(s, usec + 1000000);
        if (st->paused) {
                if (usec >= st->pause_until) {
                        st->paused = false;
                        log_notice("dropmon: cool-off over, drop feed re-armed");
                        if (st->c->start)
                                feed_start(st);
                }
        } else if (dropmon_breaker_tick(&st->breaker, st->messages)) {
                log_warning("dropmon: more than %u drop notifications per second for %u s: "
                            "feed paused for %llu s",
                            st->c->max, st->c->max_trip,
                            (unsigned long long)(COOL_OFF_USEC / 1000000));
                feed_stop(st);
                st->paused = true;
                st->pause_until = usec + COOL_OFF_USEC;
        }
        st->messages = 0;
        return 0;
}

static void close_all(struct dropmon_state *st) {
        ksample_sock_close(&st->ks);
        if (st->ctl)
                nl_socket_free(st->ctl);
        st->ctl = NULL;
}

static int try_open(struct dropmon_state *st) {
        int r = ksample_genl_open(&st->ks, "NET_DM", "events", "drop_monitor");
        if (r < 0)
                return r == -EAGAIN ? 0 : r;
        if (!(st->ctl = nl_socket_alloc())) {
                close_all(st);
                return log_error_errno(-ENOMEM, "dropmon: %m");
        }
        if ((r = sym_genl_connect(st->ctl)) < 0) {
                close_all(st);
                log_error("dropmon: cannot open a generic netlink socket: %s", nl_geterror(r));
                return -EIO;
        }
        feed_start(st);
        return 0;
}

static void on_retry(void *userdata) {
        (void)try_open(userdata);
}

static void dropmon_stop(struct hsp_mod *m) {
        struct dropmon_state *st = m->state;
        if (!st)
                return;
        feed_stop(st);
        close_all(st);
        ksample_sock_free(&st->ks);
        st->tick = evsrc_disable_unref(st->tick);
        if (st->hide_ok)
                regfree(&st->hide);
        free(st);
        m->state = NULL;
}

static int dropmon_start(struct hsp_mod *m) {
        int r = ksample_genl_load("dropmon");
        if (r < 0)
                return r;
        struct dropmon_state *st = calloc(1, sizeof *st);
        uint64_t now;
        if (!st)
                return log_error_errno(-ENOMEM, "dropmon: %m");
        st->m = m;
        m->state = st;
        st->ks = (struct ksample_sock){
                .m = m,
                .name = "dropmon",
                .lost = "drop notifications lost",
                .rcvbuf = RCVBUF_BYTES,
                .reads = READS_PER_WAKEUP,
                .on_msg = on_msg,
                .open = on_retry,
                .userdata = st,
        };
        st->c = m->blocks->conf;
        if (st->c->hide)
                st->hide_ok = regcomp(&st->hide, st->c->hide, REG_EXTENDED | REG_NOSUB) == 0;
        dropmon_bucket_init(&st->bucket, st->c->limit, now_ns());
        st->breaker = (struct dropmon_breaker){.max = st->c->max, .max_trip = st->c->max_trip};
        if ((r = ksample_sock_init(&st->ks)) < 0)
                return r;
        if ((r = evloop_now(m->loop, CLOCK_MONOTONIC, &now)) < 0 ||
            (r = evloop_add_time(m->loop, &st->tick, CLOCK_MONOTONIC, now + 1000000, 0, on_tick,
                                 st)) < 0)
                return log_error_errno(r, "dropmon: cannot add a timer: %m");
        (void)evsrc_set_enabled(st->tick, EVSRC_ON);
        return try_open(st);
}

const struct hsp_module hsp_module_dropmon = {
        .name = "dropmon",
        .keywords = dropmon_keywords,
        .conf_size = sizeof(struct dropmon_conf),
        .defaults = &dropmon_defaults,
        /* starting and stopping the monitor, and joining its group */
        .capabilities = HSP_CAP(CAP_NET_ADMIN),
        .start = dropmon_start,
        .stop = dropmon_stop,
};
