/* layout.h - wire layouts of samples and records, shared by the encoder and the decoder. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sflow.h"

/* How one field goes on the wire. Offsets are from the start of the described struct. */
enum sflow_field_type {
        SFLOW_F_U32,      /* uint32_t at off */
        SFLOW_F_U64,      /* uint64_t at off: XDR unsigned hyper */
        SFLOW_F_FLOAT,    /* float at off: IEEE 754 single, big-endian */
        SFLOW_F_STRING,   /* struct sflow_string at off: string<max> (max 0: unbounded) */
        SFLOW_F_UUID,     /* uint8_t[16] at off: opaque[16] */
        SFLOW_F_OPAQUE,   /* uint32_t length at off, const uint8_t * at off2: opaque<> */
        SFLOW_F_ADAPTERS, /* struct sflow_ctr_host_adapters at off: adapter list (2001) */
        SFLOW_F_SRCID,    /* compact source id: ds_class at off, ds_index at off2 */
        SFLOW_F_IFACE,    /* compact interface: format at off, value at off2 */
        SFLOW_F_FIXED,    /* uint8_t[max] at off: opaque[max] (MAC 6, IPv4 4, IPv6 16) */
        SFLOW_F_ADDRESS,  /* struct sflow_address at off: address type 1 (IPv4) or 2 (IPv6) */
        SFLOW_F_LIST32,   /* struct sflow_u32_list at off: unsigned int<> kept in the datagram;
                             max > 1: count elements of max words each */
        SFLOW_F_ASPATH,   /* uint32_t count at off, const uint8_t * at off2: as_path_type<> */
        SFLOW_F_OPTIONAL, /* no data: the record may end here (fields added to a structure later) */
        SFLOW_F_RTMETRICS, /* rtmetric entries: count at off (num_records), the sample's records
                            * at off2, each a struct sflow_rt_entry of an SFLOW_RTM_* type */
        SFLOW_F_RTFLOWS,   /* rtflow entries, the same with SFLOW_RTF_* types */
};

struct sflow_field {
        uint16_t off, off2;
        uint8_t type;
        uint16_t max;
};

/* Which namespace a tag belongs to: record tags overlap between flow and counter samples. */
enum sflow_kind {
        SFLOW_KIND_SAMPLE,
        SFLOW_KIND_FLOW,
        SFLOW_KIND_COUNTERS,
        SFLOW_KIND_RT /* rtmetric/rtflow: entries are fields, not tagged records */
};

struct sflow_layout {
        uint32_t tag;
        uint8_t kind;
        uint8_t nfields;
        const char *name;
        const struct sflow_field *fields;
};

/* The layout of a sample (kind SFLOW_KIND_SAMPLE) or record, or NULL when unknown. */
const struct sflow_layout *sflow_layout_find(enum sflow_kind kind, uint32_t tag);
/* The kind of records a sample type carries (flow or counters), or -1 for unknown samples. */
int sflow_sample_record_kind(uint32_t sample_tag);

/* names-ext.c: the structures the agent does not send (other agents' records), same form. */
extern const struct sflow_layout sflow_layouts_ext[];
extern const size_t sflow_layouts_ext_count;
