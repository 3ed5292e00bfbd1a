/* packet.c - decode a sampled packet header (Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP, ICMP) into fields. */
#include <stddef.h>
#include <stdint.h>

#include "print.h"

#define ETH_HDR_LEN 14
#define IPV4_HDR_MIN 20
#define IPV6_HDR_LEN 40
#define MAX_8023_LEN 1500

struct hdr_walk {
        const uint8_t *start, *end;
        bool ipv4, ipv6;
        size_t ip_offset;
};

static inline uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

static bool is_vlan_tpid(uint16_t t) {
        return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200 || t == 0x9300;
}

/* Returns 0 once the L3 start is known (or decoding has to stop), with w->ipv4/ipv6 set. */
static int walk_ethernet(struct output *o, struct hdr_walk *w) {
        const uint8_t *p = w->start;
        char buf[64];
        unsigned depth = 0;
        uint16_t type;

        if (w->end - p < ETH_HDR_LEN)
                return 0;
        out_field(o, "dstMAC", fmt_mac(buf, sizeof(buf), p));
        out_field(o, "srcMAC", fmt_mac(buf, sizeof(buf), p + 6));
        type = get16(p + 12);
        p += ETH_HDR_LEN;

        while (is_vlan_tpid(type)) {
                uint16_t tci;

                if (w->end - p < 4)
                        return 0;
                tci = get16(p);
                if (depth == 0) {
                        out_u32(o, "decodedVLAN", tci & 0x0fff);
                        out_u32(o, "decodedPriority", tci >> 13);
                } else {
                        char name[64];
                        snprintf(name, sizeof(name), "decodedVLAN.%u", depth);
                        out_u32(o, name, tci & 0x0fff);
                        snprintf(name, sizeof(name), "decodedPriority.%u", depth);
                        out_u32(o, name, tci >> 13);
                }
                type = get16(p + 2);
                p += 4;
                depth++;
        }

        /* the reference decoder wants room for an IPv4 header in the whole sampled header */
        if (w->end - w->start < IPV4_HDR_MIN)
                return 0;

        if (type == 0x0200 || type == 0x0201 || type == 0x0600) {
                /* IPX: not decoded further */
                if (w->end - p < 4)
                        return 0;
                unsigned ipx_len = get16(p + 2);
                if (p[0] == 0xff && p[1] == 0xff && ipx_len >= 30 && ipx_len <= 30 + 546)
                        return 0;
        }

        if (type <= MAX_8023_LEN) {
                /* 802.3 length, 802.2 LLC follows */
                if (w->end - p < 3)
                        return 0;
                if (p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03) {
                        p += 3;
                        if (w->end - p < 5)
                                return 0;
                        if (p[0] || p[1] || p[2]) {
                                out_field(o, "VSNAP_OUI", fmt_hex(buf, sizeof(buf), p, 3, '-', true));
                                return 0;
                        }
                        type = get16(p + 3);
                        p += 5;
                } else if (p[0] == 0x06 && p[1] == 0x06 && (p[2] & 0x01)) {
                        p += 3;
                        type = 0x0800;
                } else
                        return 0;
        }

        out_u32(o, "ethernet_type", type);

        if (type == 0x0800) {
                if (w->end - p < IPV4_HDR_MIN)
                        return 0;
                if ((p[0] >> 4) != 4 || (p[0] & 0x0f) < 5)
                        return 0;
                w->ipv4 = true;
                w->ip_offset = (size_t)(p - w->start);
        } else if (type == 0x86dd) {
                if (w->end - p < 1 || (p[0] >> 4) != 6)
                        return 0;
                w->ipv6 = true;
                w->ip_offset = (size_t)(p - w->start);
        }
        return 0;
}

static void print_layer4(struct output *o, const struct hdr_walk *w, const uint8_t *p, uint32_t proto) {
        if (w->end - p < 8)
                return;
        switch (proto) {
        case 1: /* ICMP */
                out_u32(o, "ICMPType", p[0]);
                out_u32(o, "ICMPCode", p[1]);
                break;
        case 6: /* TCP */
                out_u32(o, "TCPSrcPort", get16(p));
                out_u32(o, "TCPDstPort", get16(p + 2));
                if (w->end - p >= 14)
                        out_u32(o, "TCPFlags", p[13]);
                break;
        case 17: /* UDP */
                out_u32(o, "UDPSrcPort", get16(p));
                out_u32(o, "UDPDstPort", get16(p + 2));
                out_u32(o, "UDPBytes", get16(p + 4));
                break;
        default:
                break;
        }
}

static void print_ipv4(struct output *o, const struct hdr_walk *w) {
        const uint8_t *p = w->start + w->ip_offset;
        char buf[64];
        unsigned frag, hdr_len;

        if (w->end - p < IPV4_HDR_MIN)
                return;
        out_u32(o, "ip.tot_len", get16(p + 2));
        out_field(o, "srcIP", fmt_ipv4(buf, sizeof(buf), p + 12));
        out_field(o, "dstIP", fmt_ipv4(buf, sizeof(buf), p + 16));
        out_u32(o, "IPProtocol", p[9]);
        out_u32(o, "IPTOS", p[1]);
        out_u32(o, "IPTTL", p[8]);
        /* the reference decoder prints the identification field in little-endian byte order */
        out_u32(o, "IPID", (uint32_t)(p[5] << 8 | p[4]));
        frag = get16(p + 6) & 0x1fff;
        if (frag > 0) {
                out_u32(o, "IPFragmentOffset", frag);
                return;
        }
        hdr_len = (p[0] & 0x0f) * 4u;
        if ((size_t)(w->end - p) < hdr_len)
                return;
        print_layer4(o, w, p + hdr_len, p[9]);
}

static bool is_ipv6_ext(uint32_t nh) {
        return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static void print_ipv6(struct output *o, const struct hdr_walk *w) {
        const uint8_t *p = w->start + w->ip_offset;
        char buf[64];
        uint32_t next, payload;

        if (w->end - p < IPV6_HDR_LEN)
                return;
        if ((p[0] >> 4) != 6) {
                out_note(o, "header decode error: unexpected IP version: %d\n", p[0] >> 4);
                return;
        }
        out_u32(o, "IPTOS", (uint32_t)((p[0] & 0x0f) << 4 | p[1] >> 4));
        out_fieldf(o, "IP6_label", "0x%x", (unsigned)((p[1] & 0x0f) << 16 | p[2] << 8 | p[3]));
        payload = get16(p + 4);
        if (payload == 0)
                out_field(o, "IPV6_payloadLen", "<jumbo>");
        else
                out_u32(o, "IPV6_payloadLen", payload);
        next = p[6];
        out_u32(o, "IPTTL", p[7]);
        out_field(o, "srcIP6", fmt_ipv6(buf, sizeof(buf), p + 8));
        out_field(o, "dstIP6", fmt_ipv6(buf, sizeof(buf), p + 24));
        p += IPV6_HDR_LEN;

        while (is_ipv6_ext(next)) {
                out_u32(o, "IP6HeaderExtension", next);
                if (w->end - p < 2)
                        return;
                next = p[0];
                size_t skip = 8u * (p[1] + 1u);
                if ((size_t)(w->end - p) < skip)
                        return;
                p += skip;
        }
        out_u32(o, "IPProtocol", next);
        print_layer4(o, w, p, next);
}

void print_sampled_header(struct output *o, const struct sflow_flow_header *h) {
        static char hex[3 * SFLOW_MAX_DATAGRAM];
        struct hdr_walk w = { .start = h->header, .end = h->header + h->header_len };

        out_field(o, "flowSampleType", "HEADER");
        out_u32(o, "headerProtocol", h->protocol);
        out_u32(o, "sampledPacketSize", h->frame_length);
        out_u32(o, "strippedBytes", h->stripped);
        out_u32(o, "headerLen", h->header_len);
        if (out_prints_fields(o))
                out_field(o, "headerBytes", fmt_hex(hex, sizeof(hex), h->header, h->header_len, '-', true));

        switch (h->protocol) {
        case SFLOW_HEADER_ETHERNET:
                walk_ethernet(o, &w);
                break;
        case SFLOW_HEADER_IPV4:
                w.ipv4 = true;
                break;
        case SFLOW_HEADER_IPV6:
                w.ipv6 = true;
                break;
        case 2 ... 10:
        case 13 ... 17:
                out_note(o, "NO_DECODE headerProtocol=%u\n", h->protocol);
                break;
        default:
                out_note(o, "UNKNOWN headerProtocol=%u\n", h->protocol);
                break;
        }

        if (w.ipv4 || w.ipv6) {
                /* size of the original IP packet including its header, printed signed */
                int32_t ip_size = (int32_t)(h->frame_length - h->stripped - (uint32_t)w.ip_offset);
                out_fieldf(o, "IPSize", "%d", ip_size);
                if (w.ipv4)
                        print_ipv4(o, &w);
                else
                        print_ipv6(o, &w);
        }
}
