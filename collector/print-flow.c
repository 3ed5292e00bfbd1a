/* print-flow.c - flow samples (0:1, 0:3), discard samples (0:5) and their records. */
#include <inttypes.h>
#include <stdio.h>

#include "print.h"

/* Dropped packet reason codes (sFlow drop notification structures). */
static const struct {
        uint32_t code;
        const char *name;
} drop_reasons[] = {
        { 0, "net_unreachable" }, { 1, "host_unreachable" }, { 2, "protocol_unreachable" },
        { 3, "port_unreachable" }, { 4, "frag_needed" }, { 5, "src_route_failed" },
        { 6, "dst_net_unknown" }, { 7, "dst_host_unknown" }, { 8, "src_host_isolated" },
        { 9, "dst_net_prohibited" }, { 10, "dst_host_prohibited" },
        { 11, "dst_net_tos_unreachable" }, { 12, "dst_host_tos_unreacheable" },
        { 13, "comm_admin_prohibited" }, { 14, "host_precedence_violation" },
        { 15, "precedence_cutoff" }, { 256, "unknown" }, { 257, "ttl_exceeded" }, { 258, "acl" },
        { 259, "no_buffer_space" }, { 260, "red" }, { 261, "traffic_shaping" },
        { 262, "pkt_too_big" }, { 263, "src_mac_is_multicast" }, { 264, "vlan_tag_mismatch" },
        { 265, "ingress_vlan_filter" }, { 266, "ingress_spanning_tree_filter" },
        { 267, "port_list_is_empty" }, { 268, "port_loopback_filter" }, { 269, "blackhole_route" },
        { 270, "non_ip" }, { 271, "uc_dip_over_mc_dmac" }, { 272, "dip_is_loopback_address" },
        { 273, "sip_is_mc" }, { 274, "sip_is_loopback_address" }, { 275, "ip_header_corrupted" },
        { 276, "ipv4_sip_is_limited_bc" }, { 277, "ipv6_mc_dip_reserved_scope" },
        { 278, "ipv6_mc_dip_interface_local_scope" }, { 279, "unresolved_neigh" },
        { 280, "mc_reverse_path_forwarding" }, { 281, "non_routable_packet" },
        { 282, "decap_error" }, { 283, "overlay_smac_is_mc" }, { 284, "unknown_l2" },
        { 285, "unknown_l3" }, { 286, "unknown_l3_exception" }, { 287, "unknown_buffer" },
        { 288, "unknown_tunnel" }, { 289, "unknown_l4" }, { 290, "sip_is_unspecified" },
        { 291, "mlag_port_isolation" }, { 292, "blackhole_arp_neigh" }, { 293, "src_mac_is_dmac" },
        { 294, "dmac_is_reserved" }, { 295, "sip_is_class_e" }, { 296, "mc_dmac_mismatch" },
        { 297, "sip_is_dip" }, { 298, "dip_is_local_network" }, { 299, "dip_is_link_local" },
        { 300, "overlay_smac_is_dmac" }, { 301, "egress_vlan_filter" },
        { 302, "uc_reverse_path_forwarding" }, { 303, "split_horizon" }, { 304, "locked_port" },
        { 305, "dmac_filter" }, { 306, "blackhole_nexthop" }, { 307, "vxlan_parsing" },
        { 308, "llc_snap_parsing" }, { 309, "vlan_parsing" }, { 310, "pppoe_ppp_parsing" },
        { 311, "mpls_parsing" }, { 312, "arp_parsing" }, { 313, "ip_1_parsing" },
        { 314, "ip_n_parsing" }, { 315, "gre_parsing" }, { 316, "udp_parsing" },
        { 317, "tcp_parsing" }, { 318, "ipsec_parsing" }, { 319, "sctp_parsing" },
        { 320, "dccp_parsing" }, { 321, "gtp_parsing" }, { 322, "esp_parsing" },
        { 323, "unknown_parsing" }, { 324, "pkt_too_small" }, { 325, "unhandled_proto" },
        { 326, "ipv6disabled" }, { 327, "invalid_proto" }, { 328, "ip_noproto" },
        { 329, "skb_csum" }, { 330, "skb_ucopy_fault" }, { 331, "dev_ready" }, { 332, "dev_hdr" },
        { 333, "dup_frag" }, { 334, "skb_gso_seg" }, { 335, "reverse_path_forwarding" },
        { 336, "icmp_parsing" }, { 337, "tcp_md5notfound" }, { 338, "tcp_md5unexpected" },
        { 339, "tcp_md5failure" }, { 340, "tcp_flags" }, { 341, "tcp_zerowindow" },
        { 342, "tcp_old_data" }, { 343, "tcp_overwindow" }, { 344, "tcp_ofomerge" },
        { 345, "tcp_rfc7323_paws" }, { 346, "tcp_invalid_sequence" }, { 347, "tcp_reset" },
        { 348, "tcp_invalid_syn" }, { 349, "tcp_close" }, { 350, "tcp_fastopen" },
        { 351, "tcp_old_ack" }, { 352, "tcp_too_old_ack" }, { 353, "tcp_ack_unsent_data" },
        { 354, "tcp_ofo_queue_prune" }, { 355, "tcp_ofo_drop" }, { 356, "tcp_minttl" },
        { 357, "ipv6_bad_exthdr" }, { 358, "ipv6_ndisc_frag" }, { 359, "ipv6_ndisc_hop_limit" },
        { 360, "ipv6_ndisc_bad_code" }, { 361, "ipv6_ndisc_bad_options" },
        { 362, "ipv6_ndisc_ns_otherhost" }, { 363, "tap_filter" }, { 364, "tap_txfilter" },
        { 365, "tc_ingress" }, { 366, "tc_egress" }, { 367, "xdp" }, { 368, "cpu_backlog" },
        { 369, "bpf_cgroup_egress" }, { 370, "xfrm_policy" }, { 371, "socket_filter" },
};

static const char *drop_reason_name(uint32_t code) {
        for (size_t i = 0; i < sizeof(drop_reasons) / sizeof(drop_reasons[0]); i++)
                if (drop_reasons[i].code == code)
                        return drop_reasons[i].name;
        return NULL;
}

/* Input/output port of a flow sample: "N", "multiple N", "dropCode N" (sflowtool's forms). */
static void print_port(struct output *o, const char *name, uint32_t format, uint32_t value) {
        switch (format) {
        case SFLOW_IF_SINGLE: out_u32(o, name, value); break;
        case SFLOW_IF_DISCARD: out_fieldf(o, name, "dropCode %" PRIu32, value); break;
        case SFLOW_IF_MULTIPLE: out_fieldf(o, name, "multiple %" PRIu32, value); break;
        case 3: out_fieldf(o, name, "format==3 %" PRIu32, value); break;
        default: out_field(o, name, ""); break;
        }
}

static void print_tcp_info(struct output *o, const struct sflow_flow_tcp_info *t) {
        static const char *const dirs[] = { "unknown", "received", "sent" };

        out_field(o, "tcpinfo_direction", t->direction < 3 ? dirs[t->direction] : "<bad value>");
        out_u32(o, "tcpinfo_send_mss", t->snd_mss);
        out_u32(o, "tcpinfo_receive_mss", t->rcv_mss);
        out_u32(o, "tcpinfo_unacked_pkts", t->unacked);
        out_u32(o, "tcpinfo_lost_pkts", t->lost);
        out_u32(o, "tcpinfo_retrans_pkts", t->retrans);
        out_u32(o, "tcpinfo_path_mtu", t->pmtu);
        out_u32(o, "tcpinfo_rtt_uS", t->rtt);
        out_u32(o, "tcpinfo_rtt_uS_var", t->rttvar);
        out_u32(o, "tcpinfo_send_congestion_win", t->snd_cwnd);
        out_u32(o, "tcpinfo_reordering", t->reordering);
        out_u32(o, "tcpinfo_rtt_uS_min", t->min_rtt);
}

/* Strings are printed only when not empty, as the reference decoder does. */
static void print_nonempty(struct output *o, const char *name, const struct sflow_string *s) {
        if (s->len > 0)
                out_string(o, name, s);
}

static void print_flow_record(struct printer *p, const struct sflow_record *r) {
        struct output *o = p->out;
        char buf[32];

        o->ctx.element_tag = r->tag;
        out_object_begin(o, NULL);
        out_field(o, "flowBlock_tag", fmt_tag(buf, sizeof(buf), r->tag));
        if (!r->known) {
                print_unknown_record(p, r, "flow_sample_element");
                out_object_end(o);
                return;
        }
        switch (r->tag) {
        case SFLOW_FLOW_HEADER:
                print_sampled_header(o, &r->u.header);
                break;
        case SFLOW_FLOW_TIMESTAMP:
                out_field(o, "extendedType", "timestamp");
                out_u64(o, "timestamp_nS", r->u.timestamp.nanoseconds);
                break;
        case SFLOW_FLOW_TCP_INFO:
                print_tcp_info(o, &r->u.tcp_info);
                break;
        case SFLOW_FLOW_EGRESS_QUEUE:
                out_field(o, "extendedType", "egress_queue");
                out_u32(o, "egress_queue_id", r->u.egress_queue.queue);
                break;
        case SFLOW_FLOW_FUNCTION:
                out_field(o, "extendedType", "function");
                print_nonempty(o, "symbol", &r->u.function.symbol);
                break;
        case SFLOW_FLOW_TRANSIT:
                out_field(o, "extendedType", "transit_delay");
                out_u32(o, "transit_delay_nS", r->u.transit.delay);
                break;
        case SFLOW_FLOW_QUEUE:
                out_field(o, "extendedType", "queue_depth");
                out_u32(o, "queue_depth_bytes", r->u.queue.depth);
                break;
        case SFLOW_FLOW_HW_TRAP:
                out_field(o, "extendedType", "hw_trap");
                print_nonempty(o, "hw_trap_group", &r->u.hw_trap.group);
                print_nonempty(o, "hw_trap_name", &r->u.hw_trap.trap);
                break;
        case SFLOW_FLOW_LINUX_REASON:
                out_field(o, "extendedType", "linux_reason");
                print_nonempty(o, "linux_drop_reason", &r->u.linux_reason.reason);
                break;
        default:
                print_unknown_record(p, r, "flow_sample_element");
                break;
        }
        out_object_end(o);
}

static void print_flow_records(struct printer *p, const struct sflow_sample *s) {
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        out_array_begin(p->out, "elements");
        for (uint32_t i = 0; i < n; i++)
                print_flow_record(p, &s->records[i]);
        out_array_end(p->out);
        print_records_note(p, s);
}

void print_flow_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        const struct sflow_flow_header *last_header = NULL;

        out_field(o, "sampleType", "FLOWSAMPLE");
        out_u32(o, "sampleSequenceNo", s->sequence);
        o->ctx.ds_class = s->ds_class;
        o->ctx.ds_index = s->ds_index;
        out_fieldf(o, "sourceId", "%" PRIu32 ":%" PRIu32, s->ds_class, s->ds_index);
        out_u32(o, "meanSkipCount", s->sampling_rate);
        out_u32(o, "samplePool", s->sample_pool);
        out_u32(o, "dropEvents", s->drops);
        print_port(o, "inputPort", s->input_format, s->input);
        print_port(o, "outputPort", s->output_format, s->output);
        print_flow_records(p, s);

        if (!p->header_sink)
                return;
        for (uint32_t i = 0; i < s->num_records && i < SFLOW_MAX_RECORDS; i++)
                if (s->records[i].known && s->records[i].tag == SFLOW_FLOW_HEADER)
                        last_header = &s->records[i].u.header;
        if (last_header)
                p->header_sink(p->header_sink_user, last_header, p->ri);
}

void print_discard_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        const char *reason = drop_reason_name(s->reason);

        out_field(o, "sampleType", "DISCARD");
        out_u32(o, "sampleSequenceNo", s->sequence);
        o->ctx.ds_class = s->ds_class;
        o->ctx.ds_index = s->ds_index;
        out_fieldf(o, "sourceId", "%" PRIu32 ":%" PRIu32, s->ds_class, s->ds_index);
        out_u32(o, "dropEvents", s->drops);
        out_u32(o, "inputPort", s->input);
        out_u32(o, "outputPort", s->output);
        out_u32(o, "discardCode", s->reason);
        out_field(o, "discardReason", reason ? reason : "NotFound");
        out_push_prefix(o, "discarded_");
        print_flow_records(p, s);
        out_pop_prefix(o);
}
