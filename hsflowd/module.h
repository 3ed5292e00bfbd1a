/* module.h - the module contract: what a module declares and what the core calls. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"
#include "sflow/sflow.h"

struct hsp_agent;  /* the core (agent.c); modules reach it only through agent.h */
struct hsp_source; /* a data source owned by a module (agent.h) */
struct hsp_config;
struct hsp_block;
struct hsp_flow; /* a flow sample on its way to the collectors (agent.h) */

/* Keyword value types of the configuration tables. */
enum hsp_kw_type {
        HSP_KW_UINT,        /* uint32_t; K/M/G suffixes; checked against min..max */
        HSP_KW_BOOL,        /* bool; on/off, yes/no, true/false, 1/0 */
        HSP_KW_STRING,      /* char * (heap, freed with the configuration) */
        HSP_KW_REGEX,       /* char * holding a POSIX extended regex, checked when parsed */
        HSP_KW_SPEED_RANGE, /* struct hsp_speed_range; "1G", "1G-", "0-1T", "10M-40G" */
        HSP_KW_IGNORED,     /* deprecated: accepted with a warning, value discarded */
        HSP_KW_HOST,        /* char *: an IP address or a host name (resolved later); a value
                             * that looks like an address must be one */
};

struct hsp_speed_range {
        uint64_t min, max; /* bits per second; max UINT64_MAX when open-ended */
        bool set;
};

/* One keyword of a block; aliases are entries of their own with the same offset. */
struct hsp_keyword {
        const char *name; /* matched case-insensitively */
        enum hsp_kw_type type;
        size_t offset;     /* into the block's conf struct */
        uint64_t min, max; /* HSP_KW_UINT range */
        const char *help;  /* what is allowed, for error messages; may be NULL */
};
#define HSP_KEYWORDS_END                                                                           \
        { NULL, 0, 0, 0, 0, NULL }

/* The pieces of the core that every module instance shares. Modules do not look inside: they
 * reach them through links.h and agent.h, whose implementations (links.c, flow.c) find their
 * own state here. */
struct links; /* the interface table; NULL when interfaces cannot be followed */
struct flows; /* the way of flow samples to the exporter */
struct hsp_core {
        struct links *links;
        struct flows *flows;
};

/* A module's running instance, created by the core. */
struct hsp_mod {
        const struct hsp_module *module;
        struct hsp_agent *agent;
        const struct hsp_core *core;
        struct evloop *loop;
        const struct hsp_config *config; /* the configuration in force (global settings) */
        const struct hsp_block *blocks;  /* this module's blocks in file order (NULL if none) */
        void *state;                     /* module-private */
};

struct hsp_module {
        const char *name;                   /* also its config block: "pcap { ... }" */
        const struct hsp_keyword *keywords; /* keywords of its block (may be NULL) */
        size_t conf_size;                   /* size of the struct the keywords fill */
        const void *defaults;               /* conf_size bytes copied in before the keywords are
                                             * read (NULL: zeros); string members must be NULL */
        bool repeatable;                    /* may the block appear more than once? */
        bool always;                        /* started without a block (host) */
        /* Started without a block when this says so (deprecated top-level keywords such as
         * jsonPort). Optional. */
        bool (*implied)(const struct hsp_config *c);
        uint64_t capabilities; /* HSP_CAP(CAP_...) bits it needs after start-up,
                                * when hsflowd has dropped root (privileges.h) */
        /* Check a parsed block (e.g. mutually exclusive keywords). Returns 0 or -EINVAL with
         * a message written to err (size errlen). Optional. */
        int (*validate)(const void *conf, char *err, size_t errlen);
        /* Open fds and add them to m->loop. On failure the core calls stop(). */
        int (*start)(struct hsp_mod *m);
        /* Fill a counter sample for one of the module's data sources (records only: the core
         * sets the sequence number and source). Returns 0, or negative to skip this round. */
        int (*poll)(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out);
        /* See every flow sample other modules submit, before it is sent (agent.h: enrichment).
         * Optional. */
        void (*enrich)(struct hsp_mod *m, struct hsp_flow *flow);
        /* How many virtual nodes (containers, VMs) it reports now; the host sample 2:1 then
         * carries 2100 virt_node with the total. Optional. */
        unsigned (*count_virtual)(struct hsp_mod *m);
        /* Apply a new configuration: m->config and m->blocks already point at the new one.
         * Optional: without it the core stops and starts the module again. */
        int (*reconfigure)(struct hsp_mod *m);
        /* Release everything; must cope with a half-finished start. */
        void (*stop)(struct hsp_mod *m);
};

/* The table of built modules, written by configure (modules.c), NULL-terminated. */
extern const struct hsp_module *const hsp_modules[];

/* Append a zeroed record with tag to a sample; NULL when the sample is full. */
struct sflow_record *hsp_sample_add(struct sflow_sample *s, uint32_t tag);

/* The data source index of a logical entity named key (a container id, a unit name):
 * 100000..149999 from an FNV-1a hash of key, plus probe (the next candidates after a
 * collision). The same key always gives the same index on every architecture. */
#define HSP_DS_HASH_BASE 100000
#define HSP_DS_HASH_RANGE 50000
uint32_t hsp_ds_index_hash(const char *key, unsigned probe);
