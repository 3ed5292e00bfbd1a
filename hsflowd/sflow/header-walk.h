/* header-walk.h - the one walk over a packet's link and network headers (Ethernet, 802.1Q/QinQ
 * tags, 802.2 LLC/SNAP, IPv4 with options, IPv6 with extension headers) to its transport header.
 * Shared by hsflowd (tcp module) and sflowcat (printers, --top, capture reader). No logging. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HDR_WALK_MAX_VLANS 8    /* tags followed before giving up */
#define HDR_WALK_MAX_IPV6_EXT 8 /* IPv6 extension headers followed before giving up */

/* What the buffer starts with. */
enum hdr_link {
        HDR_LINK_ETHERNET, /* Ethernet II or 802.3 frame without FCS */
        HDR_LINK_IP,       /* an IP header; its version nibble says which */
        HDR_LINK_IPV4,     /* an IPv4 header */
        HDR_LINK_IPV6,     /* an IPv6 header */
};

/* Why the walk ended. */
enum hdr_stop {
        HDR_STOP_L4,        /* reached the transport header (it may still be cut short) */
        HDR_STOP_TRUNCATED, /* the buffer ended inside a header */
        HDR_STOP_NOT_IP,    /* not IP: another ethertype, IPX, vendor SNAP, unknown LLC */
        HDR_STOP_BAD_IP,    /* the IP header's version or length field is wrong */
        HDR_STOP_TOO_DEEP,  /* more VLAN tags or IPv6 extension headers than are followed */
};

struct hdr_walk {
        enum hdr_stop stop;
        /* Ethernet: MAC addresses (NULL when the 14-byte header is not all there) and tags */
        const uint8_t *dst_mac, *src_mac;
        uint16_t vlan_tci[HDR_WALK_MAX_VLANS];
        unsigned n_vlans;
        bool has_type;           /* ethertype known (after tags and LLC/SNAP) */
        uint16_t ethertype;      /* for raw IP links: 0x0800 or 0x86dd */
        const uint8_t *snap_oui; /* a vendor-specific SNAP header (not decoded) */
        /* network layer: l3_offset is valid when has_type and ethertype is IPv4/IPv6 */
        size_t l3_offset;
        uint8_t ip_version;    /* version nibble at l3_offset, 0 when none */
        bool ip;               /* a complete, well-formed fixed IP header at l3_offset */
        uint8_t ip_header_len; /* IPv4: IHL * 4 */
        uint8_t protocol;      /* IPv4 protocol, IPv6 next header after the extensions */
        uint16_t frag_offset;  /* in 8-byte units (IPv4 header or IPv6 fragment header) */
        bool more_fragments;   /* MF flag (IPv4) or M flag (IPv6 fragment header) */
        uint8_t ext[HDR_WALK_MAX_IPV6_EXT]; /* IPv6 extension headers met, in order (the last may
                                               be the one that was cut short) */
        unsigned n_ext;
        /* transport: l4_offset is valid when stop == HDR_STOP_L4; l4_offset <= len */
        size_t l4_offset;
};

/* Walk p[0..len). Always fills *ret (as far as the headers go); returns ret->stop. */
enum hdr_stop hdr_walk(enum hdr_link link, const uint8_t *p, size_t len, struct hdr_walk *ret);

/* True for the VLAN tag protocol identifiers followed (802.1Q, 802.1ad and the older QinQ ones). */
bool hdr_walk_is_vlan_tpid(uint16_t type);

/* A fragment after the first (no transport header in it). */
static inline bool hdr_walk_later_fragment(const struct hdr_walk *w) {
        return w->frag_offset != 0;
}

/* Any fragment, the first included. */
static inline bool hdr_walk_fragment(const struct hdr_walk *w) {
        return w->frag_offset != 0 || w->more_fragments;
}
