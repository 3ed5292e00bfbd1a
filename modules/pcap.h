/* pcap.h - the pcap module: kernel-sampled packets from AF_PACKET rings, shared declarations. */
#pragma once

#include <linux/filter.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "evloop.h"
#include "module.h"

/* One pcap { } block. */
struct pcap_conf {
        char *dev;                    /* dev= : one device by name */
        char *dev_pattern;            /* dev.pattern= : POSIX extended regex over names */
        struct hsp_speed_range speed; /* speed= : every interface of that speed */
        uint32_t sampling;            /* 0: not given */
        bool promisc, vport;
};

extern const struct hsp_keyword pcap_keywords[];
extern const struct pcap_conf pcap_defaults;
int pcap_conf_validate(const void *conf, char *err, size_t errlen);

/* ---- rate rules (pcap-conf.c) ---- */

enum pcap_rule {
        PCAP_RULE_BLOCK,          /* pcap { sampling=N } */
        PCAP_RULE_SPEED,          /* sampling.<speed> */
        PCAP_RULE_BPS_RATIO,      /* sampling.bps_ratio */
        PCAP_RULE_GLOBAL_SET,     /* sampling= given in the file */
        PCAP_RULE_SPEED_DEFAULT,  /* ifSpeed / 1,000,000, at least 100 */
        PCAP_RULE_GLOBAL_DEFAULT, /* speed unknown: the global default */
};

/* The 1-in-N rate of an interface of speed bits/s (0: unknown) sampled by a block whose
 * sampling= is block_sampling (0: not given). 0 means sampling is disabled. */
uint32_t pcap_rate_choose(uint32_t block_sampling, const struct hsp_config *c, uint64_t speed,
                          enum pcap_rule *ret_rule);
const char *pcap_rule_name(enum pcap_rule r);

/* ---- kernel filter (pcap-filter.c) ---- */

#define PCAP_BPF_MAX 8

/* Build the socket filter of one handle: packets of the direction (outgoing: only
 * PACKET_OUTGOING, else all but those) are accepted with probability 1/rate, snap bytes of
 * each. Returns the number of instructions written to out (at most PCAP_BPF_MAX), or -EINVAL
 * (rate 0). */
int pcap_bpf_build(uint32_t rate, bool outgoing, uint32_t snap, struct sock_filter *out, size_t n);

/* The filter attached first, which drops every packet (pcap-read.c: attach_filter). Returns
 * the number of instructions written to out. */
int pcap_bpf_drop_all(struct sock_filter *out, size_t n);
/* The frames the kernel put in a ring, from its PACKET_STATISTICS (tp_packets counts the
 * packets dropped for want of room too). */
uint32_t pcap_frames_queued(uint32_t tp_packets, uint32_t tp_drops);

/* ---- handles and samples (pcap-read.c) ---- */

struct pcap_tap;

struct pcap_handle {
        struct pcap_tap *tap;
        bool outgoing;
        pcap_t *p;
        struct evsrc *io;
        uint32_t skip;  /* frames at the head of the ring that passed no filter */
        uint32_t drops; /* ps_drop, cumulative */
};

/* One interface being sampled (or wanted and not available). */
struct pcap_tap {
        struct hsp_mod *m;
        struct pcap_tap *next;
        char name[IFNAMSIZ];
        int ifindex; /* 0: the device does not exist */
        uint32_t rate, snap, header_bytes;
        enum pcap_rule rule;
        unsigned line; /* of the block that selected it */
        bool promisc, from_dev, wanted, failed, up;
        int dlt;
        struct pcap_handle h[2]; /* [0] received, [1] sent */
        /* per batch */
        bool stats_read;
        uint32_t pool;
        char status[PCAP_ERRBUF_SIZE + 128]; /* last problem logged, "" when fine */
};

/* The ring of one handle, in bytes: blocks enough for what a link of this speed (bits/s, 0
 * unknown) sampled 1-in-rate can deliver while one block is handed over; 2 to 4 blocks. */
size_t pcap_ring_bytes(uint32_t rate, uint64_t speed, uint32_t snap);

/* How long (ms) a block of the ring may wait before it is handed over. Sampling sparser than
 * 1-in-100: 500 ms, as few samples come and each wake-up costs more than they gain by arriving
 * sooner (datagrams leave once a second anyway); denser: 100 ms, so that rates measured over a
 * few seconds by when samples arrive do not move in half-second steps. */
int pcap_timeout_ms(uint32_t rate);

/* Open both handles of a tap (t->name, rate, snap, promisc). On failure everything is closed
 * again and why holds the reason. */
int pcap_tap_open(struct pcap_tap *t, char *why, size_t whylen);
void pcap_tap_close(struct pcap_tap *t);
bool pcap_tap_is_open(const struct pcap_tap *t);
/* A handle failed while reading: the module closes the tap and tries again later. */
void pcap_tap_failed(struct pcap_tap *t, const char *why);
