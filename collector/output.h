/* output.h - one field interface behind the text, grep, CSV and JSON output modes of sflowcat. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "sflow/sflow.h"

enum out_mode {
        OUT_TEXT,        /* "key value" lines with start/end markers (sflowtool default) */
        OUT_GREP,        /* every line prefixed with its context (sflowtool -g) */
        OUT_CSV,         /* selected fields, one line per sample (sflowtool -L) */
        OUT_JSON,        /* one object per datagram per line (sflowtool -j) */
        OUT_JSON_PRETTY, /* indented (sflowtool -J) */
        OUT_PCAP,        /* sampled headers as a pcap stream; no field output (sflowtool -t) */
};

/* Which part of a datagram a field belongs to (CSV clears sample fields after each sample). */
enum out_scope { OUT_SCOPE_NONE, OUT_SCOPE_DATAGRAM, OUT_SCOPE_SAMPLE };

#define OUT_MAX_PREFIX 4
#define OUT_MAX_VALUE 2048

/* What grep mode prints in front of every line. */
struct out_context {
        time_t when;
        struct sflow_address agent;
        uint32_t sub_agent_id, sequence;
        uint32_t ds_class, ds_index;
        uint32_t sample_tag, element_tag;
};

struct out_csv_field {
        char *name;
        char value[OUT_MAX_VALUE];
        enum out_scope scope;
};

struct output {
        enum out_mode mode;
        FILE *f;
        struct out_context ctx;
        enum out_scope scope;
        const char *prefix[OUT_MAX_PREFIX];
        unsigned n_prefix;
        /* JSON writer state */
        bool json_first, json_list_start;
        int depth;
        /* CSV (-L) */
        struct out_csv_field *csv;
        unsigned n_csv;
        unsigned csv_sample_hits;
};

/* Set up the writer; fields is the -L list (comma or space separated) for OUT_CSV, else NULL. */
int out_init(struct output *o, enum out_mode mode, FILE *f, const char *fields);
void out_free(struct output *o);

/* True when the mode prints fields at all (OUT_PCAP does not). */
static inline bool out_prints_fields(const struct output *o) {
        return o->mode != OUT_PCAP;
}
static inline bool out_is_json(const struct output *o) {
        return o->mode == OUT_JSON || o->mode == OUT_JSON_PRETTY;
}

/* Fields: the value is printed as given (JSON always quotes, as sflowtool does). */
void out_field(struct output *o, const char *name, const char *value);
void out_fieldf(struct output *o, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void out_u32(struct output *o, const char *name, uint32_t v);
void out_u64(struct output *o, const char *name, uint64_t v);
/* A string that points into the datagram (not NUL-terminated). */
void out_string(struct output *o, const char *name, const struct sflow_string *s);

/* Name prefixes, e.g. "discarded_" for the records of a discard sample. */
void out_push_prefix(struct output *o, const char *prefix);
void out_pop_prefix(struct output *o);

/* A free-form line for the text modes only (sflowtool's notes such as "skipping unknown ..."). */
void out_note(struct output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Structure. Objects and arrays exist in JSON only; the other modes ignore them. */
void out_datagram_begin(struct output *o);
void out_datagram_end(struct output *o);
void out_sample_begin(struct output *o);
/* emit_csv: write the CSV line for this sample (flow, counter and discard samples). */
void out_sample_end(struct output *o, bool emit_csv);
void out_array_begin(struct output *o, const char *name);
void out_array_end(struct output *o);
void out_object_begin(struct output *o, const char *name);
void out_object_end(struct output *o);
/* A bare string element of a JSON array (index 0 for the first). */
void out_array_string(struct output *o, unsigned index, const char *value);

/* Value formatting helpers shared by the printers. buf must hold the result. */
char *fmt_tag(char *buf, size_t len, uint32_t tag);
char *fmt_address(char *buf, size_t len, const struct sflow_address *a);
char *fmt_ipv4(char *buf, size_t len, const uint8_t *ip);
char *fmt_ipv6(char *buf, size_t len, const uint8_t *ip);
char *fmt_mac(char *buf, size_t len, const uint8_t *mac);
char *fmt_localtime(char *buf, size_t len, time_t t);
/* Uppercase hex bytes joined by sep (0 for none); truncated to fit. */
char *fmt_hex(char *buf, size_t len, const uint8_t *bytes, size_t n, char sep, bool upper);
