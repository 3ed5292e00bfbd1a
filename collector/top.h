/* top.h - the --top window: per-second space-saving summaries over a sliding window of W seconds,
 * every sampled packet scaled by its sampling rate (corrected by the sample pool when samples
 * were lost). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sflow/sflow.h"
#include "topk.h"

#define TOP_MAX_WINDOW 60
#define TOP_COUNTERS 1024 /* counters per summary and second */

/* What a flow sample says about one packet. */
struct top_packet {
        struct sflow_address agent;
        uint32_t ds_index; /* data source (the interface for ds_class 0) */
        uint8_t family;    /* 4 or 6; 0: not IP */
        uint8_t proto;
        uint8_t src[16], dst[16];
        uint16_t sport, dport;
        uint8_t tcp_flags;
        bool has_ports;
        uint32_t bytes; /* frame (or IP packet for 0:3/0:4) length */
};

enum top_list { TOP_SRC, TOP_DST, TOP_FLOW, TOP_SYN, TOP_PORT, TOP_IFACE, TOP_NLISTS };

struct top_bucket {
        int64_t second; /* INT64_MIN: unused */
        struct topk lists[TOP_NLISTS];
        double pkts, bytes;
        uint32_t samples;
};

/* Per data source: the pool correction, applied once samples were lost. */
struct top_source {
        struct sflow_address agent;
        uint32_t ds_class, ds_index;
        uint32_t anchor_pool;
        double anchor_expected; /* sum of sampling rates of samples since the anchor */
        uint32_t anchor_samples;
        double anchor_time;
        uint32_t last_seq, last_drops;
        uint64_t lost; /* sequence gaps and agent drops seen since the anchor */
        uint64_t lost_total;
        double correction; /* pool delta / expected, once samples were lost */
        bool used;
};
#define TOP_MAX_SOURCES 256

struct top {
        unsigned window; /* seconds */
        struct top_bucket b[TOP_MAX_WINDOW];
        struct topk merged[TOP_NLISTS];
        struct top_source src[TOP_MAX_SOURCES];
        double first_time, now;
        bool have_time;
        uint64_t datagrams, samples_total, samples_unparsed;
};

int top_init(struct top *t, unsigned window);
void top_free(struct top *t);

/* Feed one datagram received at time now (unix seconds; capture time when reading a file). */
void top_datagram(struct top *t, const uint8_t *buf, size_t len, double now);
/* Count one sampled packet that represents scale packets (used by the datagram path and bench). */
void top_add_packet(struct top *t, const struct top_packet *p, double scale, double now);
/* Pool correction of a flow sample's data source: the factor (>= 1) its rate is multiplied by. */
double top_source_scale(struct top *t, const struct sflow_address *agent,
                        const struct sflow_sample *s, double now);

/* Extract the packet of a flow sample: a 0:1 sampled header or a 0:3/0:4 record. false: not IP
 * and no record to count it by (it is still counted in the totals when bytes are known). */
bool top_parse_sample(const struct sflow_sample *s, struct top_packet *p);

/* A snapshot of the window ending at t->now: rows per list, as text (width x height terminal)
 * with ANSI cursor control, or plain) or JSON (one object). */
void top_print_text(struct top *t, FILE *f, unsigned width, unsigned height, bool ansi);
void top_print_json(struct top *t, FILE *f, unsigned rows);
void top_print_prometheus(struct top *t, FILE *f, unsigned rows);
