/* top-print.c - snapshots of the --top window: the per-second summaries merged over the window,
 * printed as a terminal screen or as one JSON object. Rates are per second of the window's span;
 * each carries the 95 % sampling confidence +-196/sqrt(n) % for its n samples. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "top.h"

#define MAX_ROWS 64

struct snap {
        double start, end, span;
        double pkts, bytes;
        uint64_t samples;
};

static void snapshot(struct top *t, struct snap *s) {
        int64_t now_sec = (int64_t)floor(t->now);

        memset(s, 0, sizeof(*s));
        s->end = t->now;
        s->start = (double)(now_sec - (int64_t)t->window + 1);
        if (t->have_time && t->first_time > s->start)
                s->start = t->first_time;
        s->span = s->end - s->start;
        if (s->span < 0.001)
                s->span = 0.001;
        for (int l = 0; l < TOP_NLISTS; l++)
                topk_reset(&t->merged[l]);
        for (unsigned i = 0; i < t->window; i++) {
                const struct top_bucket *b = &t->b[i];

                if (b->second == INT64_MIN || b->second <= now_sec - (int64_t)t->window ||
                    b->second > now_sec)
                        continue;
                s->pkts += b->pkts;
                s->bytes += b->bytes;
                s->samples += b->samples;
                for (int l = 0; l < TOP_NLISTS; l++)
                        for (uint32_t j = 0; j < b->lists[l].used; j++)
                                topk_merge(&t->merged[l], &b->lists[l].e[j]);
        }
}

static double confidence(uint32_t n) {
        return n ? 196.0 / sqrt((double)n) : 100.0;
}

static const char *addr_str(char *buf, size_t len, uint8_t family, const uint8_t *a) {
        if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len))
                snprintf(buf, len, "?");
        return buf;
}

static const char *proto_name(char *buf, size_t len, uint8_t p) {
        switch (p) {
        case 1:
                return "icmp";
        case 6:
                return "tcp";
        case 17:
                return "udp";
        case 58:
                return "icmp6";
        case 132:
                return "sctp";
        default:
                snprintf(buf, len, "%u", p);
                return buf;
        }
}

/* The key of an entry as text, per list. */
static void key_str(char *buf, size_t len, enum top_list l, const struct topk_key *k) {
        char a[64], b[64], p[16];
        struct sflow_address ag;
        uint32_t ifx;

        switch (l) {
        case TOP_SRC:
        case TOP_DST:
        case TOP_SYN:
                addr_str(buf, len, k->b[0], k->b + 1);
                break;
        case TOP_FLOW:
                snprintf(buf, len, "%s %s:%u > %s:%u", proto_name(p, sizeof(p), k->b[1]),
                         addr_str(a, sizeof(a), k->b[0], k->b + 2), k->b[34] << 8 | k->b[35],
                         addr_str(b, sizeof(b), k->b[0], k->b + 18), k->b[36] << 8 | k->b[37]);
                break;
        case TOP_PORT:
                snprintf(buf, len, "%s/%u", proto_name(p, sizeof(p), k->b[0]),
                         k->b[1] << 8 | k->b[2]);
                break;
        case TOP_IFACE:
                ag.type = k->b[0];
                memcpy(ag.addr, k->b + 1, 16);
                memcpy(&ifx, k->b + 17, 4);
                if (ag.type == 1 || ag.type == 2)
                        snprintf(buf, len, "%s ifIndex %" PRIu32,
                                 addr_str(a, sizeof(a), ag.type == 1 ? 4 : 6, ag.addr), ifx);
                else
                        snprintf(buf, len, "- ifIndex %" PRIu32, ifx);
                break;
        default:
                buf[0] = '\0';
                break;
        }
}

static const char *si(char *buf, size_t len, double v) {
        static const char units[] = " kMGTP";
        int u = 0;

        while (v >= 1000 && u < 5) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(buf, len, "%.0f", v);
        else
                snprintf(buf, len, "%.*f%c", v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
        return buf;
}

static const char *const titles[TOP_NLISTS] = {
        [TOP_SRC] = "TOP TALKERS (source)",
        [TOP_DST] = "TOP TALKERS (destination)",
        [TOP_FLOW] = "TOP FLOWS",
        [TOP_SYN] = "TOP TCP SYN SOURCES (SYN without ACK)",
        [TOP_PORT] = "TOP DESTINATION PORTS",
        [TOP_IFACE] = "AGENTS AND INTERFACES",
};
static const enum top_list order[] = {TOP_SYN, TOP_SRC, TOP_DST, TOP_FLOW, TOP_PORT, TOP_IFACE};

static bool ansi;

static void line(FILE *f, unsigned width, const char *s) {
        fprintf(f, ansi ? "%.*s\x1b[K\r\n" : "%.*s\n", (int)width, s);
}

void top_print_text(struct top *t, FILE *f, unsigned width, unsigned height, bool use_ansi) {
        const struct topk_entry *rows[MAX_ROWS];
        char buf[512], k[256], a[32], b[32];
        struct snap s;
        unsigned per, used = 3;

        ansi = use_ansi;
        snapshot(t, &s);
        if (width > sizeof(buf) - 1)
                width = sizeof(buf) - 1;
        if (ansi)
                fprintf(f, "\x1b[H");
        snprintf(buf, sizeof(buf),
                 "sflowcat --top   window %.1f s of %u   samples %" PRIu64
                 "   total %s pkt/s %sbit/s%s",
                 s.span, t->window, s.samples, si(a, sizeof(a), s.pkts / s.span),
                 si(b, sizeof(b), 8 * s.bytes / s.span), ansi ? "   (q quits)" : "");
        line(f, width, buf);
        line(f, width, "rates are estimates from samples, +-% at 95 % confidence");
        line(f, width, "");
        per = height > used + 2 * 6 ? (height - used - 2 * 6) / 6 : 1;
        if (per > MAX_ROWS)
                per = MAX_ROWS;
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
                enum top_list l = order[i];
                size_t n = topk_top(&t->merged[l], rows, per, false);

                if (used + 2 > height)
                        break;
                snprintf(buf, sizeof(buf), "%s%-46s %10s %10s %6s%s", ansi ? "\x1b[1m" : "",
                         titles[l], l == TOP_SYN ? "SYN/s" : "bit/s", "pkt/s", "+-%",
                         ansi ? "\x1b[0m" : "");
                line(f, width + (ansi ? 8 : 0), buf);
                used++;
                for (size_t j = 0; j < n && used < height; j++, used++) {
                        key_str(k, sizeof(k), l, &rows[j]->key);
                        snprintf(buf, sizeof(buf), "%-46.46s %10s %10s %6.1f", k,
                                 l == TOP_SYN ? si(a, sizeof(a), rows[j]->pkts / s.span)
                                              : si(a, sizeof(a), 8 * rows[j]->bytes / s.span),
                                 si(b, sizeof(b), rows[j]->pkts / s.span),
                                 confidence(rows[j]->samples));
                        line(f, width, buf);
                }
                for (size_t j = n; ansi && j < per && used + 1 < height; j++, used++)
                        line(f, width, "");
                if (used < height) {
                        line(f, width, "");
                        used++;
                }
        }
        if (ansi)
                fprintf(f, "\x1b[J");
        fflush(f);
}

static void json_key(FILE *f, enum top_list l, const struct topk_key *k) {
        char a[64], b[64], p[16];

        switch (l) {
        case TOP_FLOW:
                fprintf(f,
                        "\"proto\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u",
                        proto_name(p, sizeof(p), k->b[1]),
                        addr_str(a, sizeof(a), k->b[0], k->b + 2), k->b[34] << 8 | k->b[35],
                        addr_str(b, sizeof(b), k->b[0], k->b + 18), k->b[36] << 8 | k->b[37]);
                break;
        case TOP_PORT:
                fprintf(f, "\"proto\":\"%s\",\"port\":%u", proto_name(p, sizeof(p), k->b[0]),
                        k->b[1] << 8 | k->b[2]);
                break;
        case TOP_IFACE: {
                uint32_t ifx;

                memcpy(&ifx, k->b + 17, 4);
                fprintf(f, "\"agent\":\"%s\",\"ifindex\":%" PRIu32,
                        k->b[0] == 1 || k->b[0] == 2
                                ? addr_str(a, sizeof(a), k->b[0] == 1 ? 4 : 6, k->b + 1)
                                : "-",
                        ifx);
                break;
        }
        default:
                fprintf(f, "\"address\":\"%s\"", addr_str(a, sizeof(a), k->b[0], k->b + 1));
                break;
        }
}

static const char *const json_names[TOP_NLISTS] = {
        [TOP_SRC] = "talkers_src", [TOP_DST] = "talkers_dst", [TOP_FLOW] = "flows",
        [TOP_SYN] = "syn_sources", [TOP_PORT] = "dst_ports",  [TOP_IFACE] = "interfaces",
};

void top_print_json(struct top *t, FILE *f, unsigned nrows) {
        const struct topk_entry *rows[MAX_ROWS];
        struct snap s;

        snapshot(t, &s);
        if (nrows > MAX_ROWS)
                nrows = MAX_ROWS;
        fprintf(f,
                "{\"window_s\":%u,\"start\":%.3f,\"end\":%.3f,\"span_s\":%.3f,\"counters\":%d,"
                "\"samples\":%" PRIu64 ",\"datagrams\":%" PRIu64 ",\"pps\":%.3f,\"bps\":%.3f",
                t->window, s.start, s.end, s.span, TOP_COUNTERS, s.samples, t->datagrams,
                s.pkts / s.span, 8 * s.bytes / s.span);
        fprintf(f, ",\"sources\":[");
        for (unsigned i = 0, n = 0; i < TOP_MAX_SOURCES; i++) {
                const struct top_source *c = &t->src[i];
                char a[64];

                if (!c->used)
                        continue;
                fprintf(f,
                        "%s{\"agent\":\"%s\",\"source_id\":\"%" PRIu32 ":%" PRIu32
                        "\",\"samples_lost\":%" PRIu64 ",\"pool_correction\":%.4f}",
                        n++ ? "," : "",
                        c->agent.type == 1 || c->agent.type == 2
                                ? addr_str(a, sizeof(a), c->agent.type == 1 ? 4 : 6, c->agent.addr)
                                : "-",
                        c->ds_class, c->ds_index, c->lost_total + c->lost, c->correction);
        }
        fprintf(f, "]");
        for (int l = 0; l < TOP_NLISTS; l++) {
                size_t n = topk_top(&t->merged[l], rows, nrows, false);

                fprintf(f, ",\"%s\":[", json_names[l]);
                for (size_t j = 0; j < n; j++) {
                        const struct topk_entry *e = rows[j];

                        fprintf(f, "%s{", j ? "," : "");
                        json_key(f, (enum top_list)l, &e->key);
                        fprintf(f, ",\"pps\":%.3f,\"bps\":%.3f,", e->pkts / s.span,
                                8 * e->bytes / s.span);
                        if (l == TOP_SYN)
                                fprintf(f, "\"syn_per_s\":%.3f,", e->pkts / s.span);
                        fprintf(f,
                                "\"samples\":%" PRIu32 ",\"confidence_pct\":%.3f,"
                                "\"max_undercount\":%.3f}",
                                e->samples, confidence(e->samples),
                                (l == TOP_SYN || l == TOP_PORT ? 1 : 8) * e->err / s.span);
                }
                fprintf(f, "]");
        }
        fprintf(f, "}\n");
        fflush(f);
}

/* The window's top entries as Prometheus gauges (rates over the window). */
void top_print_prometheus(struct top *t, FILE *f, unsigned nrows) {
        static const struct {
                enum top_list l;
                const char *name, *help;
                bool bits;
        } g[] = {
                {TOP_SRC, "sflow_top_source_bits_per_second",
                 "Top sources by bits/s over the window.", true},
                {TOP_SRC, "sflow_top_source_packets_per_second",
                 "Top sources by bits/s: their packets/s.", false},
                {TOP_DST, "sflow_top_destination_bits_per_second",
                 "Top destinations by bits/s over the window.", true},
                {TOP_FLOW, "sflow_top_flow_bits_per_second",
                 "Top flows (5-tuple) by bits/s over the window.", true},
                {TOP_SYN, "sflow_top_tcp_syn_per_second",
                 "Top sources of TCP SYN without ACK, per second.", false},
                {TOP_PORT, "sflow_top_destination_port_packets_per_second",
                 "Top destination ports by packets/s.", false},
                {TOP_IFACE, "sflow_top_interface_bits_per_second",
                 "Sampled traffic by agent and data source.", true},
        };
        const struct topk_entry *rows[MAX_ROWS];
        struct snap s;
        char a[64], b[64], p[16];

        snapshot(t, &s);
        if (nrows > MAX_ROWS)
                nrows = MAX_ROWS;
        fprintf(f,
                "# HELP sflow_top_window_seconds Span of the window the top rates cover.\n"
                "# TYPE sflow_top_window_seconds gauge\nsflow_top_window_seconds %.3f\n",
                s.span);
        for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
                size_t n = topk_top(&t->merged[g[i].l], rows, nrows, false);

                fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", g[i].name, g[i].help, g[i].name);
                for (size_t j = 0; j < n; j++) {
                        const struct topk_key *k = &rows[j]->key;
                        double v = g[i].bits ? 8 * rows[j]->bytes / s.span : rows[j]->pkts / s.span;

                        fprintf(f, "%s{", g[i].name);
                        switch (g[i].l) {
                        case TOP_FLOW:
                                fprintf(f,
                                        "proto=\"%s\",src=\"%s\",sport=\"%u\",dst=\"%s\",dport=\"%"
                                        "u\"",
                                        proto_name(p, sizeof(p), k->b[1]),
                                        addr_str(a, sizeof(a), k->b[0], k->b + 2),
                                        k->b[34] << 8 | k->b[35],
                                        addr_str(b, sizeof(b), k->b[0], k->b + 18),
                                        k->b[36] << 8 | k->b[37]);
                                break;
                        case TOP_PORT:
                                fprintf(f, "proto=\"%s\",port=\"%u\"",
                                        proto_name(p, sizeof(p), k->b[0]), k->b[1] << 8 | k->b[2]);
                                break;
                        case TOP_IFACE: {
                                uint32_t ifx;

                                memcpy(&ifx, k->b + 17, 4);
                                fprintf(f, "agent=\"%s\",ifindex=\"%" PRIu32 "\"",
                                        k->b[0] == 1 || k->b[0] == 2
                                                ? addr_str(a, sizeof(a), k->b[0] == 1 ? 4 : 6,
                                                           k->b + 1)
                                                : "-",
                                        ifx);
                                break;
                        }
                        default:
                                fprintf(f, "address=\"%s\"",
                                        addr_str(a, sizeof(a), k->b[0], k->b + 1));
                                break;
                        }
                        fprintf(f, "} %.3f\n", v);
                }
        }
}
