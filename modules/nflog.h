/* nflog.h - the nflog module: packets of an iptables/nftables NFLOG group as flow samples. */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

/* One nflog { } block. */
struct nflog_conf {
        uint32_t group;    /* --nflog-group of the rule */
        char *probability; /* the rule's --probability, "0.01" (text: a decimal fraction) */
        uint32_t sampling; /* 0: not given; above 1/probability: sub-sampled here */
};

extern const struct hsp_keyword nflog_keywords[];
int nflog_conf_validate(const void *conf, char *err, size_t errlen);
/* The 1-in-N rate of a probability written as text: round(1/p); 0 when it is not a number in
 * (0, 1]. */
uint32_t nflog_rate(const char *probability);

/* What one NFLOG packet message says (pointers into the message). */
struct nflog_pkt {
        uint8_t family;         /* nfgen_family: AF_INET, AF_INET6, AF_BRIDGE ... */
        uint8_t hook;           /* NF_INET_* */
        uint16_t hw_protocol;   /* host order */
        uint32_t indev, outdev; /* physical device preferred; 0 when absent */
        bool has_seq;
        uint32_t seq;
        bool has_ts;
        uint64_t ts_ns;
        const uint8_t *payload; /* from the network header */
        uint32_t payload_len;
        const uint8_t *hwheader; /* link-layer header, when the packet has one */
        uint32_t hwheader_len;
        uint16_t hwtype; /* ARPHRD_*; 0 when absent */
};

/* Parse one netlink message from the NFLOG socket. Returns 0 for a packet, -ENOMSG for a message
 * of another type (acks, errors: nothing to sample), -EBADMSG when it is malformed (truncated,
 * no PACKET_HDR or no PAYLOAD). */
int nflog_parse(const struct nlmsghdr *nlh, struct nflog_pkt *ret);

/* The sampled header of a packet: protocol, frame length, stripped bytes and the bytes
 * (copied into buf, at most buflen). Ethernet when the packet carries an Ethernet link-layer
 * header, else IPv4/IPv6 from the version nibble. Returns the header length or -EINVAL when the
 * packet is neither. */
int nflog_header(const struct nflog_pkt *p, uint32_t header_bytes, uint8_t *buf, size_t buflen,
                 uint32_t *protocol, uint32_t *frame_length, uint32_t *stripped);
