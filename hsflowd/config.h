/* config.h - hsflowd.conf: parsed settings, collectors and module blocks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "module.h"

/* agent.cidr entry: address/prefix, possibly negated with a leading '!'. */
struct hsp_cidr {
        int family; /* AF_INET or AF_INET6 */
        uint8_t addr[16];
        unsigned prefix;
        bool exclude;
};

/* A dotted wildcard such as sampling.10G = 1000 or polling.app.x = 10. */
struct hsp_dotted {
        char *suffix;   /* what follows "sampling." / "polling.", lower-case: "10g", "bps_ratio",
                           "app.nginx" */
        uint64_t speed; /* the suffix read as a speed (bits/s) when it is one, else 0 */
        uint32_t value;
        unsigned line;
};

struct hsp_collector_conf {
        char *ip;         /* address or name */
        uint32_t udpport; /* default 6343 */
        char *dev;        /* bind to device (VRF), may be NULL */
        char *namespace;  /* send from this netns, may be NULL */
        unsigned line;
};

/* A module block (or one instance of a repeatable block). */
struct hsp_block {
        const struct hsp_module *module;
        void *conf; /* module->conf_size bytes, filled from module->keywords */
        unsigned line;
        struct hsp_block *next_same; /* next block of the same module */
};

struct hsp_config {
        char *path;
        uint32_t sampling, polling, header_bytes, datagram_bytes, sub_agent_id;
        uint32_t refresh_adaptors, check_adaptors, refresh_vms, forget_vms;
        bool sampling_set, polling_set; /* given explicitly in the file */
        char *agent_ip, *agent_dev, *uuid, *modules_path;
        struct hsp_cidr *agent_cidrs;
        size_t n_agent_cidrs;
        struct hsp_dotted *sampling_dotted, *polling_dotted;
        size_t n_sampling_dotted, n_polling_dotted;
        struct hsp_collector_conf *collectors;
        size_t n_collectors;
        bool dns_sd; /* a dns-sd {} block was given */
        char *dns_sd_domain;
        uint32_t json_port;       /* deprecated top-level jsonPort (0: none) */
        char *json_fifo;          /* deprecated top-level jsonFIFO */
        struct hsp_block *blocks; /* all module blocks in file order */
        size_t n_blocks;
};

/* Defaults of the reference agent. */
#define HSP_DEFAULT_SAMPLING 400
#define HSP_DEFAULT_POLLING 30
#define HSP_DEFAULT_HEADER_BYTES 128
#define HSP_DEFAULT_DATAGRAM_BYTES 1400
#define HSP_DEFAULT_SUB_AGENT_ID 100000
#define HSP_DEFAULT_CONFIG_PATH "/etc/hsflowd.conf"

/* Where and why parsing failed. msg is "file:line:column: keyword: what is wrong (allowed: ...)".
 */
struct hsp_config_error {
        unsigned line, column;
        char msg[768];
};

/* Parse text (name is used in messages). modules is the NULL-terminated table of built modules.
 * Returns 0 and *ret, or -EINVAL and err filled. Warnings (deprecated keywords) go to the log. */
int hsp_config_parse_string(const char *text, size_t len, const char *name,
                            const struct hsp_module *const *modules, struct hsp_config **ret,
                            struct hsp_config_error *err);
/* Read and parse a file; an unreadable file is an error with line 0. */
int hsp_config_parse_file(const char *path, const struct hsp_module *const *modules,
                          struct hsp_config **ret, struct hsp_config_error *err);
void hsp_config_free(struct hsp_config *c);
/* A deep copy (NULL when out of memory). */
struct hsp_config *hsp_config_dup(const struct hsp_config *c);

/* First block of a module, or NULL. */
const struct hsp_block *hsp_config_find_block(const struct hsp_config *c, const char *module);

/* The sampling.<x> / polling.<x> value for a dotted suffix, deepest match wins
 * ("app.nginx.x" falls back to "app.nginx", "app"); returns false when none is set. */
bool hsp_config_dotted(const struct hsp_dotted *list, size_t n, const char *suffix, uint32_t *ret);

/* Read a number with a K/M/G (and T/P for speeds) suffix, 1K = 1000; decimal, or hex with 0x.
 * Returns 0 or -EINVAL (not a number) / -ERANGE (over 64 bits). */
int hsp_parse_scaled(const char *s, uint64_t *ret);

/* Read a boolean: on/off, yes/no, true/false, 1/0 (any case). Returns 0 or -EINVAL. */
int hsp_parse_bool(const char *s, bool *ret);
/* Read a speed range: "1G" (exactly), "1G-" (and above), "0-1T", "10M-40G"; suffixes K..P. */
int hsp_parse_speed_range(const char *s, struct hsp_speed_range *ret);
/* Is s an IPv4 or IPv6 address (1), a value that cannot be one and may be a host name (0), or
 * one that looks like an address and is not (-EINVAL, what is wrong written to why)? Digits
 * and dots only look like IPv4 (10.1.2, 1.2.3.4.5, 256.1.1.1); anything with ':' like IPv6. */
int hsp_check_address(const char *s, char *why, size_t len);
/* Read an agent.cidr value: [!]address[/prefix], IPv4 or IPv6. */
int hsp_parse_cidr(const char *s, struct hsp_cidr *ret);
/* Check a UUID (32 hex digits, with or without the 8-4-4-4-12 dashes) and write it in
 * canonical lower-case form to out (37 bytes). */
int hsp_parse_uuid(const char *s, char out[37]);

/* ---- Keyword tables of the core blocks (config-keywords.c), used by the parser. ---- */

enum hsp_conf_special {
        HSP_CONF_PLAIN, /* stored by type at offset */
        HSP_CONF_CIDR,  /* appended to agent_cidrs */
        HSP_CONF_UUID,  /* checked and stored in canonical form (char *) */
};

/* A keyword of the sflow {} block: kw.offset is into struct hsp_config. */
struct hsp_conf_keyword {
        struct hsp_keyword kw;
        uint32_t def;      /* default of an HSP_KW_UINT setting */
        size_t set_offset; /* bool in struct hsp_config set when given, 0 for none */
        enum hsp_conf_special special;
        const char *deprecated; /* non-NULL: accepted with a warning naming this instead */
};

/* Block names of the reference grammar that may be missing from the module table: a module
 * of ours not built (enable is its configure option) or a network OS block (enable NULL). */
struct hsp_foreign_block {
        const char *name;
        const char *enable;
};

extern const struct hsp_conf_keyword hsp_conf_keywords[];   /* ends with a NULL name */
extern const struct hsp_keyword hsp_collector_keywords[];   /* into hsp_collector_conf */
extern const struct hsp_keyword hsp_dnssd_keywords[];       /* into struct hsp_config */
extern const struct hsp_foreign_block hsp_foreign_blocks[]; /* ends with a NULL name */
/* Refuse a regex that would make regcomp() use huge memory (stacked repetitions, large
 * bounds). 0, or -EINVAL with *why set. */
int hsp_regex_check(const char *re, const char **why);

/* Optional modules configure knows (built or not), NULL-terminated; written by configure. */
extern const char *const hsp_modules_optional[];
bool hsp_module_optional(const char *name);

#define HSP_CONF_MAX_LINE 2048 /* bytes per line, line ending excluded */
#define HSP_CONF_MAX_TOKEN 255 /* bytes per token */
#define HSP_CONF_MAX_DEPTH 3   /* sflow { block { block { } } } */
