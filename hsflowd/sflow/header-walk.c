/* header-walk.c - walk Ethernet, VLAN tags, LLC/SNAP, IPv4 and IPv6 headers to the transport
 * header. */
#include <string.h>

#include "header-walk.h"

#define ETH_HEADER 14
#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define MAX_8023_LENGTH 1500 /* type/length fields up to this are 802.3 lengths */
#define IPX_HEADER 30
#define IPX_MAX_DATA 546

static inline uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

bool hdr_walk_is_vlan_tpid(uint16_t type) {
        return type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200 ||
               type == 0x9300;
}

static enum hdr_stop stop(struct hdr_walk *w, enum hdr_stop why) {
        w->stop = why;
        return why;
}

static enum hdr_stop walk_ipv4(struct hdr_walk *w, const uint8_t *p, size_t len) {
        const uint8_t *ip = p + w->l3_offset;
        size_t left = len - w->l3_offset, ihl;

        if (left < IPV4_HEADER)
                return stop(w, HDR_STOP_TRUNCATED);
        ihl = (size_t)(ip[0] & 0x0f) * 4;
        if (ip[0] >> 4 != 4 || ihl < IPV4_HEADER)
                return stop(w, HDR_STOP_BAD_IP);
        w->ip = true;
        w->ip_header_len = (uint8_t)ihl;
        w->protocol = ip[9];
        w->frag_offset = get16(ip + 6) & 0x1fff;
        w->more_fragments = (ip[6] & 0x20) != 0;
        if (ihl > left)
                return stop(w, HDR_STOP_TRUNCATED);
        w->l4_offset = w->l3_offset + ihl;
        return stop(w, HDR_STOP_L4);
}

static bool is_ipv6_ext(uint8_t next) {
        /* hop-by-hop, routing, fragment, AH, destination options, mobility, HIP, shim6 */
        return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135 ||
               next == 139 || next == 140;
}

static enum hdr_stop walk_ipv6(struct hdr_walk *w, const uint8_t *p, size_t len) {
        size_t off = w->l3_offset;
        uint8_t next;

        if (len - off < IPV6_HEADER)
                return stop(w, HDR_STOP_TRUNCATED);
        if (p[off] >> 4 != 6)
                return stop(w, HDR_STOP_BAD_IP);
        w->ip = true;
        next = p[off + 6];
        off += IPV6_HEADER;
        while (is_ipv6_ext(next)) {
                size_t hlen;

                if (w->n_ext >= HDR_WALK_MAX_IPV6_EXT) {
                        w->protocol = next;
                        return stop(w, HDR_STOP_TOO_DEEP);
                }
                w->ext[w->n_ext++] = next;
                if (len - off < (next == 44 ? 8u : 2u))
                        return stop(w, HDR_STOP_TRUNCATED);
                if (next == 44) { /* fragment: fixed size */
                        hlen = 8;
                        w->frag_offset = get16(p + off + 2) >> 3;
                        w->more_fragments = (p[off + 3] & 1) != 0;
                } else if (next == 51) /* AH: length in 4-byte units, minus 2 */
                        hlen = ((size_t)p[off + 1] + 2) * 4;
                else
                        hlen = ((size_t)p[off + 1] + 1) * 8;
                if (hlen > len - off)
                        return stop(w, HDR_STOP_TRUNCATED);
                next = p[off];
                off += hlen;
        }
        w->protocol = next;
        w->l4_offset = off;
        return stop(w, HDR_STOP_L4);
}

static enum hdr_stop walk_ip(struct hdr_walk *w, const uint8_t *p, size_t len) {
        if (w->l3_offset >= len)
                return stop(w, HDR_STOP_TRUNCATED);
        w->ip_version = p[w->l3_offset] >> 4;
        return w->ethertype == 0x0800 ? walk_ipv4(w, p, len) : walk_ipv6(w, p, len);
}

/* From the type/length field at off: tags, IPX, 802.2 LLC and SNAP, to the ethertype. */
static enum hdr_stop walk_ethertype(struct hdr_walk *w, const uint8_t *p, size_t len, size_t off,
                                    uint16_t type) {
        while (hdr_walk_is_vlan_tpid(type)) {
                if (w->n_vlans >= HDR_WALK_MAX_VLANS)
                        return stop(w, HDR_STOP_TOO_DEEP);
                if (len - off < 4)
                        return stop(w, HDR_STOP_TRUNCATED);
                w->vlan_tci[w->n_vlans++] = get16(p + off);
                type = get16(p + off + 2);
                off += 4;
        }
        if (type == 0x0200 || type == 0x0201 || type == 0x0600) {
                if (len - off < 4)
                        return stop(w, HDR_STOP_TRUNCATED);
                unsigned ipx_len = get16(p + off + 2);
                if (p[off] == 0xff && p[off + 1] == 0xff && ipx_len >= IPX_HEADER &&
                    ipx_len <= IPX_HEADER + IPX_MAX_DATA)
                        return stop(w, HDR_STOP_NOT_IP); /* IPX */
        }
        if (type <= MAX_8023_LENGTH) {
                /* 802.3 length: 802.2 LLC follows */
                if (len - off < 3)
                        return stop(w, HDR_STOP_TRUNCATED);
                if (p[off] == 0xaa && p[off + 1] == 0xaa && p[off + 2] == 0x03) {
                        off += 3;
                        if (len - off < 5)
                                return stop(w, HDR_STOP_TRUNCATED);
                        if (p[off] || p[off + 1] || p[off + 2]) {
                                w->snap_oui = p + off;
                                return stop(w, HDR_STOP_NOT_IP);
                        }
                        type = get16(p + off + 3); /* OUI 0: an ethertype (RFC 2895) */
                        off += 5;
                } else if (p[off] == 0x06 && p[off + 1] == 0x06 && (p[off + 2] & 0x01)) {
                        off += 3; /* IP over 802.2 */
                        type = 0x0800;
                } else
                        return stop(w, HDR_STOP_NOT_IP);
        }
        w->has_type = true;
        w->ethertype = type;
        w->l3_offset = off;
        if (type != 0x0800 && type != 0x86dd)
                return stop(w, HDR_STOP_NOT_IP);
        return walk_ip(w, p, len);
}

enum hdr_stop hdr_walk(enum hdr_link link, const uint8_t *p, size_t len, struct hdr_walk *ret) {
        memset(ret, 0, sizeof(*ret));
        if (!p)
                len = 0;
        switch (link) {
        case HDR_LINK_ETHERNET:
                if (len < ETH_HEADER)
                        return stop(ret, HDR_STOP_TRUNCATED);
                ret->dst_mac = p;
                ret->src_mac = p + 6;
                return walk_ethertype(ret, p, len, ETH_HEADER, get16(p + 12));
        case HDR_LINK_IP:
                if (len < 1)
                        return stop(ret, HDR_STOP_TRUNCATED);
                ret->ip_version = p[0] >> 4;
                if (ret->ip_version != 4 && ret->ip_version != 6)
                        return stop(ret, HDR_STOP_BAD_IP);
                ret->has_type = true;
                ret->ethertype = ret->ip_version == 4 ? 0x0800 : 0x86dd;
                return walk_ip(ret, p, len);
        case HDR_LINK_IPV4:
        case HDR_LINK_IPV6:
                ret->has_type = true;
                ret->ethertype = link == HDR_LINK_IPV4 ? 0x0800 : 0x86dd;
                return walk_ip(ret, p, len);
        }
        return stop(ret, HDR_STOP_NOT_IP);
}
