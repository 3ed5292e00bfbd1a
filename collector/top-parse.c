/* top-parse.c - what --top needs of a flow sample: addresses, protocol, ports, TCP flags and the
 * length, from a 0:1 sampled header (by the shared header walk) or a 0:3/0:4 record. */
#include <string.h>

#include "sflow/header-walk.h"
#include "top.h"

static uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

static bool parse_header(struct top_packet *p, const struct sflow_flow_header *h) {
        struct hdr_walk w;
        enum hdr_link link;
        const uint8_t *ip, *l4;

        p->bytes = h->frame_length > h->stripped ? h->frame_length - h->stripped : h->frame_length;
        switch (h->protocol) {
        case SFLOW_HEADER_ETHERNET:
                link = HDR_LINK_ETHERNET;
                break;
        case SFLOW_HEADER_IPV4:
                link = HDR_LINK_IPV4;
                break;
        case SFLOW_HEADER_IPV6:
                link = HDR_LINK_IPV6;
                break;
        default:
                return false;
        }
        hdr_walk(link, h->header, h->header_len, &w);
        if (!w.ip)
                return false;
        ip = h->header + w.l3_offset;
        p->family = w.ip_version;
        memcpy(p->src, ip + (w.ip_version == 4 ? 12 : 8), w.ip_version == 4 ? 4 : 16);
        memcpy(p->dst, ip + (w.ip_version == 4 ? 16 : 24), w.ip_version == 4 ? 4 : 16);
        /* IPv6 cut inside its extension headers: the protocol is not known */
        p->proto = w.stop == HDR_STOP_L4 || w.ip_version == 4 ? w.protocol : 0;
        if (w.stop != HDR_STOP_L4 || hdr_walk_later_fragment(&w))
                return true;
        if (p->proto != 6 && p->proto != 17 && p->proto != 132)
                return true;
        l4 = h->header + w.l4_offset;
        if (h->header_len - w.l4_offset < 4)
                return true;
        p->sport = get16(l4);
        p->dport = get16(l4 + 2);
        p->has_ports = true;
        if (p->proto == 6 && h->header_len - w.l4_offset >= 14)
                p->tcp_flags = l4[13];
        return true;
}

bool top_parse_sample(const struct sflow_sample *s, struct top_packet *p) {
        const struct sflow_record *ip4 = NULL, *ip6 = NULL;
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        for (uint32_t i = 0; i < n; i++) {
                const struct sflow_record *r = &s->records[i];

                if (!r->known)
                        continue;
                if (r->tag == SFLOW_FLOW_HEADER && parse_header(p, &r->u.header))
                        return true;
                if (r->tag == SFLOW_FLOW_IPV4)
                        ip4 = r;
                if (r->tag == SFLOW_FLOW_IPV6)
                        ip6 = r;
        }
        if (ip4) {
                const struct sflow_flow_ipv4 *v = &ip4->u.ipv4;

                p->family = 4;
                p->proto = (uint8_t)v->protocol;
                memcpy(p->src, v->src, 4);
                memcpy(p->dst, v->dst, 4);
        } else if (ip6) {
                const struct sflow_flow_ipv6 *v = &ip6->u.ipv6;

                p->family = 6;
                p->proto = (uint8_t)v->protocol;
                memcpy(p->src, v->src, 16);
                memcpy(p->dst, v->dst, 16);
        } else {
                return false;
        }
        {
                const uint32_t len = ip4 ? ip4->u.ipv4.length : ip6->u.ipv6.length;
                const uint32_t sp = ip4 ? ip4->u.ipv4.src_port : ip6->u.ipv6.src_port;
                const uint32_t dp = ip4 ? ip4->u.ipv4.dst_port : ip6->u.ipv6.dst_port;
                const uint32_t fl = ip4 ? ip4->u.ipv4.tcp_flags : ip6->u.ipv6.tcp_flags;

                p->bytes = len;
                p->sport = (uint16_t)sp;
                p->dport = (uint16_t)dp;
                p->tcp_flags = (uint8_t)fl;
                p->has_ports = p->proto == 6 || p->proto == 17 || p->proto == 132;
        }
        return true;
}
