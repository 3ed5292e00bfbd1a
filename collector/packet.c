/* packet.c - print a sampled packet header (Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP, ICMP) as the
 * reference decoder does, from the shared header walk. */
#include <stddef.h>
#include <stdint.h>

#include "print.h"
#include "sflow/header-walk.h"

#define IPV4_HDR_MIN 20

static inline uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* The link layer as the reference decoder prints it: MACs, tags, then the ethertype. */
static void print_ethernet(struct output *o, const struct hdr_walk *w, size_t header_len) {
        char buf[64];

        if (!w->dst_mac)
                return;
        out_field(o, "dstMAC", fmt_mac(buf, sizeof(buf), w->dst_mac));
        out_field(o, "srcMAC", fmt_mac(buf, sizeof(buf), w->src_mac));
        for (unsigned i = 0; i < w->n_vlans; i++) {
                char vlan[32] = "decodedVLAN", prio[32] = "decodedPriority";

                if (i > 0) {
                        snprintf(vlan, sizeof(vlan), "decodedVLAN.%u", i);
                        snprintf(prio, sizeof(prio), "decodedPriority.%u", i);
                }
                out_u32(o, vlan, w->vlan_tci[i] & 0x0fff);
                out_u32(o, prio, w->vlan_tci[i] >> 13);
        }
        /* the reference decoder wants room for an IPv4 header in the whole sampled header */
        if (header_len < IPV4_HDR_MIN)
                return;
        if (w->snap_oui)
                out_field(o, "VSNAP_OUI", fmt_hex(buf, sizeof(buf), w->snap_oui, 3, '-', true));
        if (w->has_type)
                out_u32(o, "ethernet_type", w->ethertype);
}

static void print_layer4(struct output *o, const uint8_t *p, const uint8_t *end, uint32_t proto) {
        if (end - p < 8)
                return;
        switch (proto) {
        case 1: /* ICMP */
                out_u32(o, "ICMPType", p[0]);
                out_u32(o, "ICMPCode", p[1]);
                break;
        case 6: /* TCP */
                out_u32(o, "TCPSrcPort", get16(p));
                out_u32(o, "TCPDstPort", get16(p + 2));
                if (end - p >= 14)
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

static void print_ipv4(struct output *o, const struct hdr_walk *w, const uint8_t *hdr, size_t len) {
        const uint8_t *p = hdr + w->l3_offset;
        char buf[64];

        out_u32(o, "ip.tot_len", get16(p + 2));
        out_field(o, "srcIP", fmt_ipv4(buf, sizeof(buf), p + 12));
        out_field(o, "dstIP", fmt_ipv4(buf, sizeof(buf), p + 16));
        out_u32(o, "IPProtocol", p[9]);
        out_u32(o, "IPTOS", p[1]);
        out_u32(o, "IPTTL", p[8]);
        /* the reference decoder prints the identification field in little-endian byte order */
        out_u32(o, "IPID", (uint32_t)(p[5] << 8 | p[4]));
        if (w->frag_offset > 0) {
                out_u32(o, "IPFragmentOffset", w->frag_offset);
                return;
        }
        if (w->stop == HDR_STOP_L4)
                print_layer4(o, hdr + w->l4_offset, hdr + len, w->protocol);
}

static void print_ipv6(struct output *o, const struct hdr_walk *w, const uint8_t *hdr, size_t len) {
        const uint8_t *p = hdr + w->l3_offset;
        char buf[64];
        uint32_t payload;

        out_u32(o, "IPTOS", (uint32_t)((p[0] & 0x0f) << 4 | p[1] >> 4));
        out_fieldf(o, "IP6_label", "0x%x", (unsigned)((p[1] & 0x0f) << 16 | p[2] << 8 | p[3]));
        payload = get16(p + 4);
        if (payload == 0)
                out_field(o, "IPV6_payloadLen", "<jumbo>");
        else
                out_u32(o, "IPV6_payloadLen", payload);
        out_u32(o, "IPTTL", p[7]);
        out_field(o, "srcIP6", fmt_ipv6(buf, sizeof(buf), p + 8));
        out_field(o, "dstIP6", fmt_ipv6(buf, sizeof(buf), p + 24));
        for (unsigned i = 0; i < w->n_ext; i++)
                out_u32(o, "IP6HeaderExtension", w->ext[i]);
        if (w->stop != HDR_STOP_L4)
                return;
        out_u32(o, "IPProtocol", w->protocol);
        print_layer4(o, hdr + w->l4_offset, hdr + len, w->protocol);
}

void print_sampled_header(struct output *o, const struct sflow_flow_header *h) {
        static char hex[3 * SFLOW_MAX_DATAGRAM];
        struct hdr_walk w = {0};
        bool ip = false;

        out_field(o, "flowSampleType", "HEADER");
        out_u32(o, "headerProtocol", h->protocol);
        out_u32(o, "sampledPacketSize", h->frame_length);
        out_u32(o, "strippedBytes", h->stripped);
        out_u32(o, "headerLen", h->header_len);
        if (out_prints_fields(o))
                out_field(o, "headerBytes",
                          fmt_hex(hex, sizeof(hex), h->header, h->header_len, '-', true));

        switch (h->protocol) {
        case SFLOW_HEADER_ETHERNET:
                hdr_walk(HDR_LINK_ETHERNET, h->header, h->header_len, &w);
                print_ethernet(o, &w, h->header_len);
                /* the reference decoder takes an IPv6 header on its version nibble alone */
                ip = h->header_len >= IPV4_HDR_MIN &&
                     (w.ethertype == 0x0800 ? w.ip : w.ethertype == 0x86dd && w.ip_version == 6);
                break;
        case SFLOW_HEADER_IPV4:
        case SFLOW_HEADER_IPV6:
                hdr_walk(h->protocol == SFLOW_HEADER_IPV4 ? HDR_LINK_IPV4 : HDR_LINK_IPV6,
                         h->header, h->header_len, &w);
                ip = true;
                break;
        case 2 ... 10:
        case 13 ... 17:
                out_note(o, "NO_DECODE headerProtocol=%u\n", h->protocol);
                break;
        default:
                out_note(o, "UNKNOWN headerProtocol=%u\n", h->protocol);
                break;
        }
        if (!ip)
                return;

        /* size of the original IP packet including its header, printed signed */
        int32_t ip_size = (int32_t)(h->frame_length - h->stripped - (uint32_t)w.l3_offset);
        out_fieldf(o, "IPSize", "%d", ip_size);
        if (w.stop == HDR_STOP_BAD_IP)
                out_note(o, "header decode error: unexpected IP version: %d\n", w.ip_version);
        if (!w.ip)
                return;
        if (w.ethertype == 0x0800)
                print_ipv4(o, &w, h->header, h->header_len);
        else
                print_ipv6(o, &w, h->header, h->header_len);
}
