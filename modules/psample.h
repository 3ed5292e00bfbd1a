/* psample.h - the psample module: packets sampled by the kernel (tc `action sample`, switch
 * ASIC drivers) and handed over on the genetlink family "psample". */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

/* One psample { } block. */
struct psample_conf {
        uint32_t group; /* 1..32: ingress samples arrive on it, egress on group+1 */
        bool ingress, egress;
        uint32_t sampling; /* 0: not given; above the kernel's rate: sub-sampled here */
};

extern const struct hsp_keyword psample_keywords[];
extern const struct psample_conf psample_defaults;
int psample_conf_validate(const void *conf, char *err, size_t errlen);

/* What one PSAMPLE_CMD_SAMPLE message says (pointers into the message). */
struct psample_pkt {
        uint32_t iif, oif; /* as sent: 16 bits, 0 when absent */
        uint32_t origsize;
        uint32_t group;
        bool has_seq;
        uint32_t seq;
        uint32_t rate;    /* 1-in-N; from a probability when the kernel sends one */
        bool probability; /* the kernel sent a probability (PSAMPLE_ATTR_SAMPLE_PROBABILITY) */
        const uint8_t *data;
        uint32_t data_len;
        bool has_out_tc, has_occ, has_latency, has_ts, has_proto;
        uint32_t out_tc;
        uint64_t occ, latency, ts_ns;
        uint16_t proto; /* ETH_P_*, host order */
};

/* Parse one message of the psample family (family_id: its resolved id). Returns 0 for a sample,
 * -ENOMSG for another message (another family, command), -EBADMSG when malformed (truncated, an
 * attribute of the wrong size, no group, rate or DATA). */
int psample_parse(const struct nlmsghdr *nlh, int family_id, struct psample_pkt *ret);

/* 64-bit kernel values in 32-bit sFlow fields: saturated, as the specification says. */
static inline uint32_t psample_sat32(uint64_t v) {
        return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The sampled header of a packet on a device of link type arptype (ARPHRD_*): Ethernet on
 * Ethernet devices, else IPv4/IPv6 from PROTO or the version nibble. Returns false when the
 * packet is neither. */
bool psample_header(const struct psample_pkt *p, unsigned arptype, uint32_t header_bytes,
                    uint32_t *protocol, uint32_t *frame_length, uint32_t *stripped,
                    uint32_t *header_len);

/* 16-bit ifindexes: a table from the 16 bits the kernel sends to the namespace's ifindex. */
struct psample_ifmap {
        int32_t *map; /* 65536 entries: >0 the one match, 0 none, -1 several */
        bool stale;
};
int psample_ifmap_init(struct psample_ifmap *m);
void psample_ifmap_free(struct psample_ifmap *m);
void psample_ifmap_clear(struct psample_ifmap *m);
void psample_ifmap_add(struct psample_ifmap *m, int ifindex);
/* The interface a 16-bit value names: >0, 0 when none, -1 when several match. */
int psample_ifmap_lookup(const struct psample_ifmap *m, uint32_t v16);
