/* print-records.c - the records other agents send (switches, routers, application agents), printed
 * with the reference decoder's (sflowtool's) field names and formats from one table per record:
 * the layout (hsflowd/sflow/names-ext.c) says how each field was read, the table here what it is
 * called and how it looks. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "sflow/layout.h"

enum pfmt {
        P_DEF,       /* by the field's wire type: number, string (when not empty), address, MAC */
        P_ALWAYS,    /* string, printed even when empty */
        P_PCT,       /* hundredths of a percent, "unknown" for all ones */
        P_HEX64,     /* 16 hex digits */
        P_LABELS,    /* MPLS label stack: label.exp.bos.ttl joined by '-' */
        P_VLANS,     /* VLAN stack: 0xTPID then priority.cfi.vlan, joined by '-' */
        P_BYTE,      /* byte arg of a fixed opaque, as a number */
        P_URLENC,    /* string, URL-encoded, when not empty */
        P_APPSTATUS, /* application status code by name */
};

struct pfield {
        uint8_t idx;     /* field of the layout */
        uint8_t fmt;     /* enum pfmt */
        uint8_t arg;     /* P_BYTE: which byte */
        uint8_t min_len; /* print only when the record is longer than this (fields added later) */
        const char *name;
};

struct precord;
typedef void (*custom_fn)(struct output *o, const struct sflow_record *r, const struct precord *d);

struct precord {
        uint8_t kind;
        uint32_t tag;
        const char *type_key; /* "extendedType", "flowSampleType" or NULL */
        const char *type_value;
        const char *prefix; /* of the field names (tunnel records) */
        const struct pfield *f;
        uint8_t n;
        custom_fn custom;
};

static uint32_t be32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_labels(char *buf, size_t len, const struct sflow_u32_list *l) {
        size_t n = 0;

        buf[0] = '\0';
        for (uint32_t i = 0; i < l->count && n < len; i++) {
                uint32_t v = be32(l->raw + 4 * i);

                n += (size_t)snprintf(buf + n, len - n, "%s%u.%u.%u.%u", i ? "-" : "", v >> 12,
                                      (v >> 9) & 7, (v >> 8) & 1, v & 255);
        }
}

static void put_vlans(char *buf, size_t len, const struct sflow_u32_list *l) {
        size_t n = 0;

        buf[0] = '\0';
        for (uint32_t i = 0; i < l->count && n < len; i++) {
                uint32_t v = be32(l->raw + 4 * i);

                n += (size_t)snprintf(buf + n, len - n, "%s0x%02x%02x%u.%u.%u", i ? "-" : "",
                                      v >> 24, (v >> 16) & 255, (v >> 13) & 7, (v >> 12) & 1,
                                      v & 4095);
        }
}

static void put_urlencoded(char *buf, size_t len, const struct sflow_string *s) {
        size_t n = 0;

        buf[0] = '\0';
        for (uint32_t i = 0; i < s->len && n + 4 < len; i++) {
                unsigned char c = (unsigned char)s->str[i];

                if (c == '\0')
                        break;
                if (isalnum(c))
                        buf[n++] = (char)c;
                else if (isspace(c))
                        buf[n++] = '+';
                else
                        n += (size_t)snprintf(buf + n, len - n, "%%%02X", c);
        }
        buf[n] = '\0';
}

static const char *const app_status[] = {
        "SUCCESS",   "OTHER",           "TIMEOUT",   "INTERNAL_ERROR", "BAD_REQUEST", "FORBIDDEN",
        "TOO_LARGE", "NOT_IMPLEMENTED", "NOT_FOUND", "UNAVAILABLE",    "UNATHORIZED",
};

#define AT(r, off, type) ((const type *)((const uint8_t *)(r) + (off)))

static void print_field(struct output *o, const struct sflow_record *r, const struct sflow_field *f,
                        const struct pfield *p) {
        char buf[OUT_MAX_VALUE];
        const struct sflow_string *s;
        uint32_t v;

        switch (p->fmt) {
        case P_PCT:
                v = *AT(r, f->off, uint32_t);
                if (v == UINT32_MAX)
                        out_field(o, p->name, "unknown");
                else
                        out_fieldf(o, p->name, "%.2f", (double)((float)v / (float)100.0));
                return;
        case P_HEX64:
                out_fieldf(o, p->name, "%016" PRIx64, *AT(r, f->off, uint64_t));
                return;
        case P_LABELS:
        case P_VLANS:
                if (AT(r, f->off, struct sflow_u32_list)->count == 0)
                        return;
                (p->fmt == P_LABELS ? put_labels : put_vlans)(buf, sizeof(buf),
                                                              AT(r, f->off, struct sflow_u32_list));
                out_field(o, p->name, buf);
                return;
        case P_BYTE:
                out_u32(o, p->name, AT(r, f->off, uint8_t)[p->arg]);
                return;
        case P_URLENC:
                s = AT(r, f->off, struct sflow_string);
                if (s->len > 0) {
                        put_urlencoded(buf, sizeof(buf), s);
                        out_field(o, p->name, buf);
                }
                return;
        case P_APPSTATUS:
                v = *AT(r, f->off, uint32_t);
                if (v < sizeof(app_status) / sizeof(app_status[0]))
                        out_field(o, p->name, app_status[v]);
                else
                        out_fieldf(o, p->name, "<out-of-range=%" PRIu32 ">", v);
                return;
        default:
                break;
        }
        switch (f->type) {
        case SFLOW_F_U32:
                out_u32(o, p->name, *AT(r, f->off, uint32_t));
                break;
        case SFLOW_F_U64:
                out_u64(o, p->name, *AT(r, f->off, uint64_t));
                break;
        case SFLOW_F_FLOAT:
                out_fieldf(o, p->name, "%.3f", (double)*AT(r, f->off, float));
                break;
        case SFLOW_F_STRING:
                s = AT(r, f->off, struct sflow_string);
                if (s->len > 0 || p->fmt == P_ALWAYS)
                        out_string(o, p->name, s);
                break;
        case SFLOW_F_ADDRESS:
                out_field(o, p->name,
                          fmt_address(buf, sizeof(buf), AT(r, f->off, struct sflow_address)));
                break;
        case SFLOW_F_FIXED:
                if (f->max == 4)
                        fmt_ipv4(buf, sizeof(buf), AT(r, f->off, uint8_t));
                else if (f->max == 16)
                        fmt_ipv6(buf, sizeof(buf), AT(r, f->off, uint8_t));
                else if (f->max == 6)
                        fmt_mac(buf, sizeof(buf), AT(r, f->off, uint8_t));
                else
                        fmt_hex(buf, sizeof(buf), AT(r, f->off, uint8_t), f->max, 0, false);
                out_field(o, p->name, buf);
                break;
        default:
                break;
        }
}

/* The fields of a layout by their index, skipping the optional marker. */
static const struct sflow_field *layout_field(const struct sflow_layout *l, unsigned idx) {
        for (unsigned i = 0, k = 0; i < l->nfields; i++) {
                if (l->fields[i].type == SFLOW_F_OPTIONAL)
                        continue;
                if (k++ == idx)
                        return &l->fields[i];
        }
        return NULL;
}

static void print_fields(struct output *o, const struct sflow_record *r, const struct precord *d,
                         const struct sflow_layout *l) {
        for (unsigned i = 0; i < d->n; i++) {
                const struct sflow_field *f = layout_field(l, d->f[i].idx);

                if (f && r->length > d->f[i].min_len)
                        print_field(o, r, f, &d->f[i]);
        }
}

/* 0:3, 0:4 and the tunnel forms: the ports by protocol, as the reference decoder prints them. */
static void print_ports(struct output *o, uint32_t proto, uint32_t sport, uint32_t dport,
                        uint32_t flags) {
        switch (proto) {
        case 1:
                out_u32(o, "ICMPType", dport);
                break;
        case 6:
                out_u32(o, "TCPSrcPort", sport);
                out_u32(o, "TCPDstPort", dport);
                out_u32(o, "TCPFlags", flags);
                break;
        case 17:
                out_u32(o, "UDPSrcPort", sport);
                out_u32(o, "UDPDstPort", dport);
                break;
        default:
                break;
        }
}

static void print_ipv4(struct output *o, const struct sflow_record *r, const struct precord *d) {
        const struct sflow_flow_ipv4 *ip = &r->u.ipv4;
        char buf[64];

        out_u32(o, "sampledPacketSize", ip->length);
        out_u32(o, "IPSize", ip->length);
        out_field(o, "srcIP", fmt_ipv4(buf, sizeof(buf), ip->src));
        out_field(o, "dstIP", fmt_ipv4(buf, sizeof(buf), ip->dst));
        out_u32(o, "IPProtocol", ip->protocol);
        out_u32(o, "IPTOS", ip->tos);
        print_ports(o, ip->protocol, ip->src_port, ip->dst_port, ip->tcp_flags);
}

static void print_ipv6(struct output *o, const struct sflow_record *r, const struct precord *d) {
        const struct sflow_flow_ipv6 *ip = &r->u.ipv6;
        char buf[64];

        out_u32(o, "sampledPacketSize", ip->length);
        out_u32(o, "IPSize", ip->length);
        out_field(o, "srcIP6", fmt_ipv6(buf, sizeof(buf), ip->src));
        out_field(o, "dstIP6", fmt_ipv6(buf, sizeof(buf), ip->dst));
        out_u32(o, "IPProtocol", ip->protocol);
        out_u32(o, "priority", ip->priority);
        print_ports(o, ip->protocol, ip->src_port, ip->dst_port, ip->tcp_flags);
}

/* 0:1003: the AS path as "a-b-(c-d)" (sets in parentheses), first AS the peer, last the dest. */
static void print_gateway(struct output *o, const struct sflow_record *r, const struct precord *d) {
        const struct sflow_flow_gateway *g = &r->u.gateway;
        char buf[OUT_MAX_VALUE];
        uint32_t dst_as = 0, dst_peer_as = 0;
        size_t n = 0, off = 0;

        out_field(o, "bgp_nexthop", fmt_address(buf, sizeof(buf), &g->nexthop));
        out_u32(o, "my_as", g->as);
        out_u32(o, "src_as", g->src_as);
        out_u32(o, "src_peer_as", g->src_peer_as);
        buf[0] = '\0';
        for (uint32_t i = 0; i < g->num_segments; i++) {
                uint32_t type = be32(g->segments + off), len = be32(g->segments + off + 4);
                const uint8_t *as = g->segments + off + 8;

                if (type == 1 && n < sizeof(buf))
                        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "(");
                for (uint32_t j = 0; j < len; j++) {
                        if (n < sizeof(buf))
                                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%" PRIu32,
                                                      j ? "-" : "", be32(as + 4 * j));
                }
                if (type == 1 && n < sizeof(buf))
                        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ")");
                if (i == 0 && len > 0)
                        dst_peer_as = be32(as);
                if (i + 1 == g->num_segments && len > 0)
                        dst_as = be32(as + 4 * (len - 1));
                off += 8 + (size_t)len * 4;
        }
        if (g->num_segments > 0)
                out_field(o, "dst_as_path", buf);
        out_u32(o, "dst_as", dst_as);
        out_u32(o, "dst_peer_as", dst_peer_as);
        if (g->communities.count > 0) {
                n = 0;
                buf[0] = '\0';
                for (uint32_t i = 0; i < g->communities.count && n < sizeof(buf); i++)
                        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%" PRIu32, i ? "-" : "",
                                              be32(g->communities.raw + 4 * i));
                out_field(o, "BGP_communities", buf);
        }
        out_u32(o, "BGP_localpref", g->localpref);
}

/* 0:10: the module, then its lanes: in JSON an array of objects, in the other modes
 * sfp_lane_<name>.<lane> fields. */
static void print_sfp(struct output *o, const struct sflow_record *r, const struct precord *d) {
        static const char *const lane_names[10] = {
                "index",           "tx_bias_current_uA", "tx_power_uW", "tx_power_min_uW",
                "tx_power_max_uW", "tx_wavelength_nM",   "rx_power_uW", "rx_power_min_uW",
                "rx_power_max_uW", "rx_wavelength_nM",
        };
        const struct sflow_ctr_sfp *m = &r->u.sfp;
        char name[64];

        out_u32(o, "sfp_module_id", m->module_id);
        out_u32(o, "sfp_module_total_lanes", m->total_lanes);
        out_u32(o, "sfp_module_supply_voltage", m->supply_voltage);
        out_u32(o, "sfp_module_temperature", m->temperature);
        out_u32(o, "sfp_module_active_lanes", m->lanes.count);
        if (out_is_json(o))
                out_array_begin(o, "sfp_lanes");
        for (uint32_t l = 0; l < m->lanes.count; l++) {
                if (out_is_json(o))
                        out_object_begin(o, NULL);
                for (unsigned w = 0; w < 10; w++) {
                        uint32_t v = be32(m->lanes.raw + 40 * l + 4 * w);

                        if (out_is_json(o)) {
                                out_u32(o, lane_names[w], v);
                        } else {
                                snprintf(name, sizeof(name), "sfp_lane_%s.%" PRIu32, lane_names[w],
                                         l);
                                out_u32(o, name, v);
                        }
                }
                if (out_is_json(o))
                        out_object_end(o);
        }
        if (out_is_json(o))
                out_array_end(o);
}

static void print_wifi_payload(struct output *o, const struct sflow_record *r,
                               const struct precord *d) {
        out_u32(o, "cipher_suite", r->u.wifi_payload.cipher_suite);
        print_sampled_header(o, &r->u.wifi_payload.header);
}

#include "print-records-tables.inc"

bool print_record_ext(struct output *o, int kind, const struct sflow_record *r) {
        const struct sflow_layout *l = sflow_layout_find((enum sflow_kind)kind, r->tag);
        const struct precord *d = NULL;

        for (size_t i = 0; i < sizeof(precords) / sizeof(precords[0]); i++)
                if (precords[i].kind == kind && precords[i].tag == r->tag)
                        d = &precords[i];
        if (!d || !l)
                return false;
        if (d->type_key)
                out_field(o, d->type_key, d->type_value);
        if (d->prefix)
                out_push_prefix(o, d->prefix);
        if (d->custom)
                d->custom(o, r, d);
        else
                print_fields(o, r, d, l);
        if (d->prefix)
                out_pop_prefix(o);
        return true;
}
