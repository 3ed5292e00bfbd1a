/* test_header_walk.c - the shared header walker (hsflowd/sflow/header-walk.c) on packets built
 * from a layer-by-layer description, every one of them also cut at every length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sflow/header-walk.h"

/* A packet, layer by layer, separated by spaces:
 *   mac              destination and source MAC (12 bytes: 02:00:00:00:00:01, 02:00:00:00:00:02)
 *   tag:TPID:TCI     a VLAN tag (hex)          type:T     the type/length field (hex)
 *   llc:HEX          802.2 LLC / SNAP bytes (hex, as many as given)
 *   ip4:PROTO:IHL:FRAG  an IPv4 header (IHL in 4-byte words, FRAG: the flags+offset field, hex)
 *   ip6:NEXT         an IPv6 header (40 bytes)
 *   ext:TYPE:NEXT:LEN   an IPv6 extension header of LEN bytes (its length field as TYPE wants)
 *   frag6:NEXT:FIELD    an IPv6 fragment header (FIELD: offset and M flag, hex)
 *   raw:HEX          bytes as given
 *   l4:N             N bytes of transport header, ports 40000 -> 5201 */
static size_t build(const char *desc, uint8_t *b) {
        char copy[512], *save = NULL;
        size_t n = 0;

        snprintf(copy, sizeof copy, "%s", desc);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                unsigned a = 0, c = 0, d = 0;
                if (strcmp(t, "mac") == 0) {
                        memcpy(b + n, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
                        n += 12;
                } else if (sscanf(t, "tag:%x:%x", &a, &c) == 2) {
                        b[n++] = (uint8_t)(a >> 8), b[n++] = (uint8_t)a;
                        b[n++] = (uint8_t)(c >> 8), b[n++] = (uint8_t)c;
                } else if (sscanf(t, "type:%x", &a) == 1) {
                        b[n++] = (uint8_t)(a >> 8), b[n++] = (uint8_t)a;
                } else if (strncmp(t, "llc:", 4) == 0 || strncmp(t, "raw:", 4) == 0) {
                        for (const char *h = t + 4; h[0] && h[1]; h += 2) {
                                sscanf(h, "%2x", &a);
                                b[n++] = (uint8_t)a;
                        }
                } else if (sscanf(t, "ip4:%u:%u:%x", &a, &c, &d) == 3) {
                        uint8_t *ip = b + n;
                        memset(ip, 0, c * 4);
                        ip[0] = (uint8_t)(0x40 | c);
                        ip[6] = (uint8_t)(d >> 8), ip[7] = (uint8_t)d;
                        ip[8] = 64, ip[9] = (uint8_t)a;
                        memcpy(ip + 12, "\xc0\x00\x02\x01\xc6\x33\x64\x02", 8);
                        n += c * 4;
                } else if (sscanf(t, "ip6:%u", &a) == 1) {
                        uint8_t *ip = b + n;
                        memset(ip, 0, 40);
                        ip[0] = 0x60, ip[6] = (uint8_t)a, ip[7] = 64;
                        ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
                        n += 40;
                } else if (sscanf(t, "ext:%u:%u:%u", &a, &c, &d) == 3) {
                        memset(b + n, 0, d);
                        b[n] = (uint8_t)c;
                        b[n + 1] = (uint8_t)(a == 51 ? d / 4 - 2 : d / 8 - 1);
                        n += d;
                } else if (sscanf(t, "frag6:%u:%x", &a, &c) == 2) {
                        memset(b + n, 0, 8);
                        b[n] = (uint8_t)a;
                        b[n + 2] = (uint8_t)(c >> 8), b[n + 3] = (uint8_t)c;
                        n += 8;
                } else if (sscanf(t, "l4:%u", &a) == 1) {
                        memset(b + n, 0, a);
                        memcpy(b + n, "\x9c\x40\x14\x51", a < 4 ? a : 4);
                        n += a;
                } else
                        fail_msg("bad layer %s in \"%s\"", t, desc);
        }
        return n;
}

struct walk_case {
        const char *name;
        enum hdr_link link;
        const char *desc;
        enum hdr_stop stop;
        uint16_t ethertype; /* 0: no type known */
        size_t l3, l4;      /* l4 checked when stop is HDR_STOP_L4 */
        uint8_t version, protocol;
        const char *vlans; /* TCIs, hex, comma separated */
        const char *ext;   /* IPv6 extension headers met, decimal, comma separated */
        uint16_t frag;
        bool more;
};

#define ETH HDR_LINK_ETHERNET
#define L4 HDR_STOP_L4
static const struct walk_case cases[] = {
        {"ethernet ipv4 udp", ETH, "mac type:0800 ip4:17:5:0 l4:8", L4, 0x0800, 14, 34, 4, 17},
        {"ethernet ipv4 options", ETH, "mac type:0800 ip4:6:15:4000 l4:20", L4, 0x0800, 14, 74, 4,
         6},
        {"802.1Q", ETH, "mac tag:8100:2014 type:0800 ip4:6:5:0 l4:20", L4, 0x0800, 18, 38, 4, 6,
         "2014"},
        {"QinQ 802.1ad", ETH, "mac tag:88a8:000a tag:8100:e014 type:86dd ip6:17 l4:8", L4, 0x86dd,
         22, 62, 6, 17, "a,e014"},
        {"QinQ 9100", ETH, "mac tag:9100:0064 tag:8100:0065 type:0800 ip4:1:5:0 l4:8", L4, 0x0800,
         22, 42, 4, 1, "64,65"},
        {"nine tags", ETH,
         "mac tag:8100:1 tag:8100:2 tag:8100:3 tag:8100:4 tag:8100:5 tag:8100:6 tag:8100:7 "
         "tag:8100:8 tag:8100:9 type:0800 ip4:6:5:0 l4:20",
         HDR_STOP_TOO_DEEP, 0, 0, 0, 0, 0, "1,2,3,4,5,6,7,8"},
        {"arp", ETH, "mac type:0806 raw:0001080006040001", HDR_STOP_NOT_IP, 0x0806, 14},
        {"ipx", ETH, "mac type:8137", HDR_STOP_NOT_IP, 0x8137, 14},
        {"ipx by checksum", ETH, "mac type:0600 raw:ffff0040", HDR_STOP_NOT_IP},
        {"snap ipv4", ETH, "mac type:0040 llc:aaaa03000000 type:0800 ip4:17:5:0 l4:8", L4, 0x0800,
         22, 42, 4, 17},
        {"snap vendor", ETH, "mac type:0040 llc:aaaa0300000c2000", HDR_STOP_NOT_IP},
        {"ip over 802.2", ETH, "mac type:0040 llc:060603 ip4:17:5:0 l4:8", L4, 0x0800, 17, 37, 4,
         17},
        {"other llc", ETH, "mac type:0040 llc:424203", HDR_STOP_NOT_IP},
        {"ipv4 first fragment", ETH, "mac type:0800 ip4:17:5:2000 l4:8", L4, 0x0800, 14, 34, 4, 17,
         NULL, NULL, 0, true},
        {"ipv4 later fragment", ETH, "mac type:0800 ip4:17:5:00b9 l4:8", L4, 0x0800, 14, 34, 4, 17,
         NULL, NULL, 0xb9},
        {"ipv4 IHL 4", ETH, "mac type:0800 ip4:6:4:0 l4:24", HDR_STOP_BAD_IP, 0x0800, 14, 0, 4},
        {"ipv6 in an ipv4 type", ETH, "mac type:0800 ip6:6 l4:20", HDR_STOP_BAD_IP, 0x0800, 14, 0,
         6},
        {"ipv6 extension headers", ETH,
         "mac type:86dd ip6:0 ext:0:43:8 ext:43:60:24 ext:60:51:16 ext:51:6:24 l4:20", L4, 0x86dd,
         14, 126, 6, 6, NULL, "0,43,60,51"},
        {"ipv6 first fragment", HDR_LINK_IPV6, "ip6:44 frag6:17:0001 l4:8", L4, 0x86dd, 0, 48, 6,
         17, NULL, "44", 0, true},
        {"ipv6 later fragment", HDR_LINK_IPV6, "ip6:44 frag6:6:0640 l4:8", L4, 0x86dd, 0, 48, 6, 6,
         NULL, "44", 0xc8},
        {"ipv6 esp", HDR_LINK_IPV6, "ip6:50 l4:8", L4, 0x86dd, 0, 40, 6, 50},
        {"ipv6 nine options", HDR_LINK_IPV6,
         "ip6:60 ext:60:60:8 ext:60:60:8 ext:60:60:8 ext:60:60:8 ext:60:60:8 ext:60:60:8 "
         "ext:60:60:8 ext:60:60:8 ext:60:6:8 l4:20",
         HDR_STOP_TOO_DEEP, 0x86dd, 0, 0, 6, 60, NULL, "60,60,60,60,60,60,60,60"},
        {"raw ipv4", HDR_LINK_IPV4, "ip4:6:6:0 l4:20", L4, 0x0800, 0, 24, 4, 6},
        {"raw ipv6", HDR_LINK_IPV6, "ip6:58 l4:8", L4, 0x86dd, 0, 40, 6, 58},
        {"raw ipv4 holding ipv6", HDR_LINK_IPV4, "ip6:6 l4:20", HDR_STOP_BAD_IP, 0x0800, 0, 0, 6},
        {"raw ipv6 holding ipv4", HDR_LINK_IPV6,
         "ip4:6:5:0 raw:0000000000000000000000000000000000000000", HDR_STOP_BAD_IP, 0x86dd, 0, 0,
         4},
        {"ip by version 4", HDR_LINK_IP, "ip4:17:5:0 l4:8", L4, 0x0800, 0, 20, 4, 17},
        {"ip by version 6", HDR_LINK_IP, "ip6:17 l4:8", L4, 0x86dd, 0, 40, 6, 17},
        {"ip by version 5", HDR_LINK_IP, "raw:50000000", HDR_STOP_BAD_IP, 0, 0, 0, 5},
};

/* "a,b,c" (base as given) against n values. */
static void check_list(const char *name, const char *what, const char *want, int base,
                       const unsigned *got, unsigned n) {
        unsigned i = 0;
        char copy[128], *save = NULL;

        snprintf(copy, sizeof copy, "%s", want ? want : "");
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), i++) {
                if (i >= n)
                        fail_msg("%s: %s: only %u, want %s", name, what, n, want);
                if (strtoul(t, NULL, base) != got[i])
                        fail_msg("%s: %s[%u] = %x, want %s", name, what, i, got[i], t);
        }
        if (i != n)
                fail_msg("%s: %s: %u, want %s", name, what, n, want ? want : "none");
}

static void check_case(const struct walk_case *c, const uint8_t *b, size_t len) {
        struct hdr_walk w;
        unsigned list[HDR_WALK_MAX_IPV6_EXT + HDR_WALK_MAX_VLANS];

        memset(&w, 0x5a, sizeof w);
        if (hdr_walk(c->link, b, len, &w) != c->stop || w.stop != c->stop)
                fail_msg("%s: stop %d, want %d", c->name, w.stop, c->stop);
        if (c->link == ETH) {
                assert_ptr_equal(w.dst_mac, b);
                assert_ptr_equal(w.src_mac, b + 6);
        } else
                assert_null(w.dst_mac);
        if (w.has_type != (c->ethertype != 0) || (w.has_type && w.ethertype != c->ethertype))
                fail_msg("%s: ethertype %x (%d), want %x", c->name, w.ethertype, w.has_type,
                         c->ethertype);
        if (c->ethertype == 0x0800 || c->ethertype == 0x86dd) {
                if (w.l3_offset != c->l3)
                        fail_msg("%s: l3 at %zu, want %zu", c->name, w.l3_offset, c->l3);
                if (w.ip_version != c->version)
                        fail_msg("%s: version %u, want %u", c->name, w.ip_version, c->version);
        }
        assert_int_equal(w.ip, c->stop == L4 || (c->stop == HDR_STOP_TOO_DEEP && c->version));
        if (c->stop == L4 || c->stop == HDR_STOP_TOO_DEEP) {
                if (c->version && w.protocol != c->protocol)
                        fail_msg("%s: protocol %u, want %u", c->name, w.protocol, c->protocol);
        }
        if (c->stop == L4 && w.l4_offset != c->l4)
                fail_msg("%s: l4 at %zu, want %zu", c->name, w.l4_offset, c->l4);
        for (unsigned i = 0; i < w.n_vlans; i++)
                list[i] = w.vlan_tci[i];
        check_list(c->name, "vlans", c->vlans, 16, list, w.n_vlans);
        for (unsigned i = 0; i < w.n_ext; i++)
                list[i] = w.ext[i];
        check_list(c->name, "ext", c->ext, 10, list, w.n_ext);
        if (w.ip && (w.frag_offset != c->frag || w.more_fragments != c->more))
                fail_msg("%s: fragment %u/%d, want %u/%d", c->name, w.frag_offset, w.more_fragments,
                         c->frag, c->more);
        assert_int_equal(hdr_walk_later_fragment(&w), w.ip && c->frag != 0);
}

static void test_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                uint8_t b[512];
                size_t len = build(cases[i].desc, b);
                /* an exact-size copy: reading past the end is caught by the sanitizers */
                uint8_t *p = malloc(len);
                assert_non_null(p);
                memcpy(p, b, len);
                check_case(&cases[i], p, len);
                free(p);
        }
}

/* Every packet that reaches its transport header, cut at every length: short of the transport
 * header the walk says truncated (never more), from there on it finds the same offsets. */
static void test_truncated(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const struct walk_case *c = &cases[i];
                uint8_t b[512];
                size_t full = build(c->desc, b);
                if (c->stop != L4)
                        continue;
                for (size_t len = 0; len < full; len++) {
                        uint8_t *p = malloc(len ? len : 1);
                        struct hdr_walk w;
                        assert_non_null(p);
                        memcpy(p, b, len);
                        hdr_walk(c->link, p, len, &w);
                        if (len < c->l4 && w.stop != HDR_STOP_TRUNCATED)
                                fail_msg("%s cut at %zu: stop %d, want truncated", c->name, len,
                                         w.stop);
                        if (len >= c->l4 && (w.stop != L4 || w.l4_offset != c->l4))
                                fail_msg("%s cut at %zu: stop %d at %zu", c->name, len, w.stop,
                                         w.l4_offset);
                        if (c->link == ETH && (w.dst_mac != NULL) != (len >= 14))
                                fail_msg("%s cut at %zu: MACs", c->name, len);
                        free(p);
                }
        }
}

static void test_null(void **state) {
        struct hdr_walk w;
        assert_int_equal(hdr_walk(ETH, NULL, 100, &w), HDR_STOP_TRUNCATED);
        assert_int_equal(hdr_walk(HDR_LINK_IP, NULL, 0, &w), HDR_STOP_TRUNCATED);
        assert_true(hdr_walk_is_vlan_tpid(0x8100) && hdr_walk_is_vlan_tpid(0x88a8));
        assert_false(hdr_walk_is_vlan_tpid(0x0800));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_null),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
