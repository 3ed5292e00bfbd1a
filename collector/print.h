/* print.h - printers that turn decoded sFlow structures into output fields. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "output.h"
#include "sflow/sflow.h"

/* How a datagram reached us: live (source address and arrival time) or from a capture file. */
struct recv_info {
        bool from_file;
        struct sflow_address source; /* live only */
        struct timeval arrival;      /* live only */
        struct timeval file_time;    /* capture timestamp, file only */
        uint64_t index;              /* 1-based datagram number, for messages */
};

/* Called for every flow sample that carried a sampled header (the -t capture writer);
 * sample_ns: the sample's 0:1043 timestamp (nanoseconds since the epoch), 0 when it has none. */
typedef void (*header_sink_fn)(void *user, const struct sflow_flow_header *h, uint64_t sample_ns,
                               const struct recv_info *ri);

struct printer {
        struct output *out;
        header_sink_fn header_sink;
        void *header_sink_user;
        const struct recv_info *ri;
};

/* Check the whole datagram first, then print it; a malformed datagram prints nothing to stdout and
 * one line to stderr. Returns 0, -EPROTO (not version 5) or -EBADMSG. quiet: no stderr line. */
int print_datagram(struct printer *p, const uint8_t *buf, size_t len, bool quiet);

/* True when buf starts with a well-formed sFlow version 5 datagram header. */
bool datagram_looks_like_sflow(const uint8_t *buf, size_t len);

/* print-flow.c */
void print_flow_sample(struct printer *p, const struct sflow_sample *s);
void print_discard_sample(struct printer *p, const struct sflow_sample *s);

/* print-counters.c */
void print_counter_sample(struct printer *p, const struct sflow_sample *s);

/* packet.c: the 0:1 sampled header record, decoded down to L4 like sflowtool. */
void print_sampled_header(struct output *o, const struct sflow_flow_header *h);

/* print-records.c: records of other agents (0:2-0:4, 0:1001-0:2210, counters 0:3-0:7, 0:1001-
 * 0:1004, 2105-2207, vendor blocks); kind is SFLOW_KIND_FLOW or SFLOW_KIND_COUNTERS. False when the
 * record is not one of them. */
bool print_record_ext(struct output *o, int kind, const struct sflow_record *r);

/* Shared by the sample printers. */
void print_records_note(struct printer *p, const struct sflow_sample *s);
void print_unknown_record(struct printer *p, const struct sflow_record *r, const char *what);

/* print-app.c: application records (false when r is not one) and rtmetric/rtflow samples. */
void print_rt_sample(struct printer *p, const struct sflow_sample *s);
