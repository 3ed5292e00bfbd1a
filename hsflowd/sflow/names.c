/* names.c - catalogue of sample and record types: short names and XDR field layouts. */
#include <strings.h>

#include "layout.h"

/* Field descriptors relative to struct sflow_record (R*) and struct sflow_sample (S*). */
#define ROFF(m) offsetof(struct sflow_record, u.m)
#define R32(m)                                                                                     \
        { ROFF(m), 0, SFLOW_F_U32, 0 }
#define R64(m)                                                                                     \
        { ROFF(m), 0, SFLOW_F_U64, 0 }
#define RFLT(m)                                                                                    \
        { ROFF(m), 0, SFLOW_F_FLOAT, 0 }
#define RSTR(m, max)                                                                               \
        { ROFF(m), 0, SFLOW_F_STRING, max }
#define SOFF(m) offsetof(struct sflow_sample, m)
#define S32(m)                                                                                     \
        { SOFF(m), 0, SFLOW_F_U32, 0 }
#define NF(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))
#define SFLOW_OPTIONAL                                                                             \
        { 0, 0, SFLOW_F_OPTIONAL, 0 }

/* Spec string limits. */
#define MAX_HOSTNAME 64
#define MAX_OS_RELEASE 32
#define MAX_PORT_NAME 255

/* ---- samples (sFlow version 5; discards: sFlow dropped packet notification) ---- */
static const struct sflow_field f_flow_compact[] = {
        S32(sequence),
        {SOFF(ds_class), SOFF(ds_index), SFLOW_F_SRCID, 0},
        S32(sampling_rate),
        S32(sample_pool),
        S32(drops),
        {SOFF(input_format), SOFF(input), SFLOW_F_IFACE, 0},
        {SOFF(output_format), SOFF(output), SFLOW_F_IFACE, 0},
};
static const struct sflow_field f_counters_compact[] = {
        S32(sequence),
        {SOFF(ds_class), SOFF(ds_index), SFLOW_F_SRCID, 0},
};
static const struct sflow_field f_flow_expanded[] = {
        S32(sequence), S32(ds_class),     S32(ds_index), S32(sampling_rate), S32(sample_pool),
        S32(drops),    S32(input_format), S32(input),    S32(output_format), S32(output),
};
static const struct sflow_field f_counters_expanded[] = {
        S32(sequence),
        S32(ds_class),
        S32(ds_index),
};
static const struct sflow_field f_discards[] = {
        S32(sequence), S32(ds_class), S32(ds_index), S32(drops),
        S32(input),    S32(output),   S32(reason),
};

/* ---- flow records ---- */
static const struct sflow_field f_header[] = {
        R32(header.protocol),
        R32(header.frame_length),
        R32(header.stripped),
        {ROFF(header.header_len), ROFF(header.header), SFLOW_F_OPAQUE, 0},
};
static const struct sflow_field f_egress_queue[] = {R32(egress_queue.queue)};
static const struct sflow_field f_function[] = {RSTR(function.symbol, 0)};
static const struct sflow_field f_transit[] = {R32(transit.delay)};
static const struct sflow_field f_queue[] = {R32(queue.depth)};
static const struct sflow_field f_hw_trap[] = {RSTR(hw_trap.group, 0), RSTR(hw_trap.trap, 0)};
static const struct sflow_field f_linux_reason[] = {RSTR(linux_reason.reason, 0)};
static const struct sflow_field f_timestamp[] = {R64(timestamp.nanoseconds)};
static const struct sflow_field f_tcp_info[] = {
        R32(tcp_info.direction), R32(tcp_info.snd_mss),    R32(tcp_info.rcv_mss),
        R32(tcp_info.unacked),   R32(tcp_info.lost),       R32(tcp_info.retrans),
        R32(tcp_info.pmtu),      R32(tcp_info.rtt),        R32(tcp_info.rttvar),
        R32(tcp_info.snd_cwnd),  R32(tcp_info.reordering), R32(tcp_info.min_rtt),
};

/* ---- counter records ---- */
static const struct sflow_field f_generic[] = {
        R32(generic.if_index),     R32(generic.if_type),      R64(generic.if_speed),
        R32(generic.if_direction), R32(generic.if_status),    R64(generic.in_octets),
        R32(generic.in_ucast),     R32(generic.in_mcast),     R32(generic.in_bcast),
        R32(generic.in_discards),  R32(generic.in_errors),    R32(generic.in_unknown_protos),
        R64(generic.out_octets),   R32(generic.out_ucast),    R32(generic.out_mcast),
        R32(generic.out_bcast),    R32(generic.out_discards), R32(generic.out_errors),
        R32(generic.promiscuous),
};
static const struct sflow_field f_ethernet[] = {
        R32(ethernet.alignment_errors),
        R32(ethernet.fcs_errors),
        R32(ethernet.single_collision_frames),
        R32(ethernet.multiple_collision_frames),
        R32(ethernet.sqe_test_errors),
        R32(ethernet.deferred_transmissions),
        R32(ethernet.late_collisions),
        R32(ethernet.excessive_collisions),
        R32(ethernet.internal_mac_transmit_errors),
        R32(ethernet.carrier_sense_errors),
        R32(ethernet.frame_too_longs),
        R32(ethernet.internal_mac_receive_errors),
        R32(ethernet.symbol_errors),
};
static const struct sflow_field f_port_name[] = {RSTR(port_name.name, MAX_PORT_NAME)};
static const struct sflow_field f_host_descr[] = {
        RSTR(host_descr.hostname, MAX_HOSTNAME),
        {ROFF(host_descr.uuid), 0, SFLOW_F_UUID, 0},
        R32(host_descr.machine_type),
        R32(host_descr.os_name),
        RSTR(host_descr.os_release, MAX_OS_RELEASE),
};
static const struct sflow_field f_host_adapters[] = {
        {ROFF(host_adapters), 0, SFLOW_F_ADAPTERS, 0},
};
static const struct sflow_field f_host_parent[] = {
        R32(host_parent.container_type),
        R32(host_parent.container_index),
};
static const struct sflow_field f_host_cpu[] = {
        RFLT(host_cpu.load_one),  RFLT(host_cpu.load_five), RFLT(host_cpu.load_fifteen),
        R32(host_cpu.proc_run),   R32(host_cpu.proc_total), R32(host_cpu.cpu_num),
        R32(host_cpu.cpu_speed),  R32(host_cpu.uptime),     R32(host_cpu.cpu_user),
        R32(host_cpu.cpu_nice),   R32(host_cpu.cpu_system), R32(host_cpu.cpu_idle),
        R32(host_cpu.cpu_wio),    R32(host_cpu.cpu_intr),   R32(host_cpu.cpu_sintr),
        R32(host_cpu.interrupts), R32(host_cpu.contexts),   SFLOW_OPTIONAL,
        R32(host_cpu.cpu_steal),  R32(host_cpu.cpu_guest),  R32(host_cpu.cpu_guest_nice),
};
static const struct sflow_field f_host_memory[] = {
        R64(host_memory.mem_total),   R64(host_memory.mem_free),   R64(host_memory.mem_shared),
        R64(host_memory.mem_buffers), R64(host_memory.mem_cached), R64(host_memory.swap_total),
        R64(host_memory.swap_free),   R32(host_memory.page_in),    R32(host_memory.page_out),
        R32(host_memory.swap_in),     R32(host_memory.swap_out),
};
static const struct sflow_field f_host_disk_io[] = {
        R64(host_disk_io.disk_total),    R64(host_disk_io.disk_free),
        R32(host_disk_io.part_max_used), R32(host_disk_io.reads),
        R64(host_disk_io.bytes_read),    R32(host_disk_io.read_time),
        R32(host_disk_io.writes),        R64(host_disk_io.bytes_written),
        R32(host_disk_io.write_time),
};
static const struct sflow_field f_host_net_io[] = {
        R64(host_net_io.bytes_in), R32(host_net_io.pkts_in),   R32(host_net_io.errs_in),
        R32(host_net_io.drops_in), R64(host_net_io.bytes_out), R32(host_net_io.pkts_out),
        R32(host_net_io.errs_out), R32(host_net_io.drops_out),
};
static const struct sflow_field f_mib2_ip[] = {
        R32(mib2_ip.forwarding),        R32(mib2_ip.default_ttl),    R32(mib2_ip.in_receives),
        R32(mib2_ip.in_hdr_errors),     R32(mib2_ip.in_addr_errors), R32(mib2_ip.forw_datagrams),
        R32(mib2_ip.in_unknown_protos), R32(mib2_ip.in_discards),    R32(mib2_ip.in_delivers),
        R32(mib2_ip.out_requests),      R32(mib2_ip.out_discards),   R32(mib2_ip.out_no_routes),
        R32(mib2_ip.reasm_timeout),     R32(mib2_ip.reasm_reqds),    R32(mib2_ip.reasm_oks),
        R32(mib2_ip.reasm_fails),       R32(mib2_ip.frag_oks),       R32(mib2_ip.frag_fails),
        R32(mib2_ip.frag_creates),
};
static const struct sflow_field f_mib2_icmp[] = {
        R32(mib2_icmp.in_msgs),
        R32(mib2_icmp.in_errors),
        R32(mib2_icmp.in_dest_unreachs),
        R32(mib2_icmp.in_time_excds),
        R32(mib2_icmp.in_param_probs),
        R32(mib2_icmp.in_src_quenchs),
        R32(mib2_icmp.in_redirects),
        R32(mib2_icmp.in_echos),
        R32(mib2_icmp.in_echo_reps),
        R32(mib2_icmp.in_timestamps),
        R32(mib2_icmp.in_addr_masks),
        R32(mib2_icmp.in_addr_mask_reps),
        R32(mib2_icmp.out_msgs),
        R32(mib2_icmp.out_errors),
        R32(mib2_icmp.out_dest_unreachs),
        R32(mib2_icmp.out_time_excds),
        R32(mib2_icmp.out_param_probs),
        R32(mib2_icmp.out_src_quenchs),
        R32(mib2_icmp.out_redirects),
        R32(mib2_icmp.out_echos),
        R32(mib2_icmp.out_echo_reps),
        R32(mib2_icmp.out_timestamps),
        R32(mib2_icmp.out_timestamp_reps),
        R32(mib2_icmp.out_addr_masks),
        R32(mib2_icmp.out_addr_mask_reps),
};
static const struct sflow_field f_mib2_tcp[] = {
        R32(mib2_tcp.rto_algorithm), R32(mib2_tcp.rto_min),      R32(mib2_tcp.rto_max),
        R32(mib2_tcp.max_conn),      R32(mib2_tcp.active_opens), R32(mib2_tcp.passive_opens),
        R32(mib2_tcp.attempt_fails), R32(mib2_tcp.estab_resets), R32(mib2_tcp.curr_estab),
        R32(mib2_tcp.in_segs),       R32(mib2_tcp.out_segs),     R32(mib2_tcp.retrans_segs),
        R32(mib2_tcp.in_errs),       R32(mib2_tcp.out_rsts),     R32(mib2_tcp.in_csum_errs),
};
static const struct sflow_field f_mib2_udp[] = {
        R32(mib2_udp.in_datagrams),   R32(mib2_udp.no_ports),      R32(mib2_udp.in_errors),
        R32(mib2_udp.out_datagrams),  R32(mib2_udp.rcvbuf_errors), R32(mib2_udp.sndbuf_errors),
        R32(mib2_udp.in_csum_errors),
};
static const struct sflow_field f_virt_node[] = {
        R32(virt_node.mhz),         R32(virt_node.cpus),        R64(virt_node.memory),
        R64(virt_node.memory_free), R32(virt_node.num_domains),
};
static const struct sflow_field f_virt_cpu[] = {
        R32(virt_cpu.state),
        R32(virt_cpu.cpu_time),
        R32(virt_cpu.nr_virt_cpu),
};
static const struct sflow_field f_virt_memory[] = {
        R64(virt_memory.memory),
        R64(virt_memory.max_memory),
};
static const struct sflow_field f_virt_disk_io[] = {
        R64(virt_disk_io.capacity), R64(virt_disk_io.allocation), R64(virt_disk_io.available),
        R32(virt_disk_io.rd_req),   R64(virt_disk_io.rd_bytes),   R32(virt_disk_io.wr_req),
        R64(virt_disk_io.wr_bytes), R32(virt_disk_io.errs),
};
static const struct sflow_field f_virt_net_io[] = {
        R64(virt_net_io.rx_bytes), R32(virt_net_io.rx_packets), R32(virt_net_io.rx_errs),
        R32(virt_net_io.rx_drop),  R64(virt_net_io.tx_bytes),   R32(virt_net_io.tx_packets),
        R32(virt_net_io.tx_errs),  R32(virt_net_io.tx_drop),
};

/* ---- rtmetric/rtflow (the application structures are in names-ext.c) ---- */
static const struct sflow_field f_rtmetric[] = {
        {SOFF(rt_datasource), 0, SFLOW_F_STRING, SFLOW_RT_MAX_NAME},
        {SOFF(num_records), SOFF(records), SFLOW_F_RTMETRICS, 0},
};
static const struct sflow_field f_rtflow[] = {
        {SOFF(rt_datasource), 0, SFLOW_F_STRING, SFLOW_RT_MAX_NAME},
        S32(sampling_rate),
        S32(sample_pool),
        {SOFF(num_records), SOFF(records), SFLOW_F_RTFLOWS, 0},
};

#define ENTRY(k, t, n, f)                                                                          \
        { t, k, NF(f), n, f }
static const struct sflow_layout layouts[] = {
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_FLOW, "flow_sample", f_flow_compact),
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_COUNTERS, "counter_sample", f_counters_compact),
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_FLOW_EXPANDED, "flow_sample_expanded",
              f_flow_expanded),
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_COUNTERS_EXPANDED, "counter_sample_expanded",
              f_counters_expanded),
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_DISCARDS, "discarded_packet", f_discards),

        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_HEADER, "sampled_header", f_header),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_EGRESS_QUEUE, "egress_queue", f_egress_queue),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_FUNCTION, "function", f_function),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_TRANSIT, "transit_delay", f_transit),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_QUEUE, "queue_depth", f_queue),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_HW_TRAP, "hw_trap", f_hw_trap),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_LINUX_REASON, "linux_reason", f_linux_reason),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_TIMESTAMP, "timestamp", f_timestamp),
        ENTRY(SFLOW_KIND_FLOW, SFLOW_FLOW_TCP_INFO, "tcp_info", f_tcp_info),

        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_GENERIC, "generic_interface", f_generic),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_ETHERNET, "ethernet", f_ethernet),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_PORT_NAME, "port_name", f_port_name),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_DESCR, "host_descr", f_host_descr),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_ADAPTERS, "host_adapters", f_host_adapters),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_PARENT, "host_parent", f_host_parent),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_CPU, "host_cpu", f_host_cpu),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_MEMORY, "host_memory", f_host_memory),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_DISK_IO, "host_disk_io", f_host_disk_io),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_NET_IO, "host_net_io", f_host_net_io),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_MIB2_IP, "mib2_ip", f_mib2_ip),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_MIB2_ICMP, "mib2_icmp", f_mib2_icmp),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_MIB2_TCP, "mib2_tcp", f_mib2_tcp),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_MIB2_UDP, "mib2_udp", f_mib2_udp),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_VIRT_NODE, "virt_node", f_virt_node),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_VIRT_CPU, "virt_cpu", f_virt_cpu),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_VIRT_MEMORY, "virt_memory", f_virt_memory),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_VIRT_DISK_IO, "virt_disk_io", f_virt_disk_io),
        ENTRY(SFLOW_KIND_COUNTERS, SFLOW_CTR_VIRT_NET_IO, "virt_net_io", f_virt_net_io),

        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_RTMETRIC, "rtmetric", f_rtmetric),
        ENTRY(SFLOW_KIND_SAMPLE, SFLOW_SAMPLE_RTFLOW, "rtflow", f_rtflow),
};

const struct sflow_layout *sflow_layout_find(enum sflow_kind kind, uint32_t tag) {
        for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
                if (layouts[i].kind == kind && layouts[i].tag == tag)
                        return &layouts[i];
        for (size_t i = 0; i < sflow_layouts_ext_count; i++)
                if (sflow_layouts_ext[i].kind == kind && sflow_layouts_ext[i].tag == tag)
                        return &sflow_layouts_ext[i];
        return NULL;
}

int sflow_sample_record_kind(uint32_t sample_tag) {
        switch (sample_tag) {
        case SFLOW_SAMPLE_FLOW:
        case SFLOW_SAMPLE_FLOW_EXPANDED:
        case SFLOW_SAMPLE_DISCARDS:
                return SFLOW_KIND_FLOW;
        case SFLOW_SAMPLE_COUNTERS:
        case SFLOW_SAMPLE_COUNTERS_EXPANDED:
                return SFLOW_KIND_COUNTERS;
        case SFLOW_SAMPLE_RTMETRIC:
        case SFLOW_SAMPLE_RTFLOW:
                return SFLOW_KIND_RT;
        default:
                return -1;
        }
}

const char *sflow_record_name(uint32_t sample_tag, uint32_t record_tag) {
        int kind = sflow_sample_record_kind(sample_tag);
        const struct sflow_layout *l;

        if (kind < 0 || kind == SFLOW_KIND_RT)
                return "unknown";
        l = sflow_layout_find((enum sflow_kind)kind, record_tag);
        return l ? l->name : "unknown";
}

const char *sflow_sample_name(uint32_t sample_tag) {
        const struct sflow_layout *l = sflow_layout_find(SFLOW_KIND_SAMPLE, sample_tag);

        return l ? l->name : "unknown";
}

int sflow_rt_value_kind(bool metric, uint32_t type, size_t *nbytes) {
        static const int8_t rtm[] = {SFLOW_RT_V_STRING, SFLOW_RT_V_U32, SFLOW_RT_V_U64,
                                     SFLOW_RT_V_U32,    SFLOW_RT_V_U64, SFLOW_RT_V_FLOAT,
                                     SFLOW_RT_V_DOUBLE};
        static const int8_t rtf[] = {SFLOW_RT_V_STRING, SFLOW_RT_V_BYTES, SFLOW_RT_V_BYTES,
                                     SFLOW_RT_V_BYTES,  SFLOW_RT_V_U32,   SFLOW_RT_V_U64,
                                     SFLOW_RT_V_FLOAT,  SFLOW_RT_V_DOUBLE};
        static const uint8_t rtf_bytes[] = {0, 6, 4, 16, 0, 0, 0, 0};

        *nbytes = 0;
        if (metric)
                return type < sizeof(rtm) ? rtm[type] : -1;
        if (type >= sizeof(rtf))
                return -1;
        *nbytes = rtf_bytes[type];
        return rtf[type];
}

/* The codes of the sFlow Dropped Packet Notification Structures (sflow.org, 2020). */
static const struct {
        uint32_t code;
        const char *name;
} drop_reasons[] = {
        {0, "net_unreachable"},
        {1, "host_unreachable"},
        {2, "protocol_unreachable"},
        {3, "port_unreachable"},
        {4, "frag_needed"},
        {5, "src_route_failed"},
        {6, "dst_net_unknown"},
        {7, "dst_host_unknown"},
        {8, "src_host_isolated"},
        {9, "dst_net_prohibited"},
        {10, "dst_host_prohibited"},
        {11, "dst_net_tos_unreachable"},
        {12, "dst_host_tos_unreacheable"},
        {13, "comm_admin_prohibited"},
        {14, "host_precedence_violation"},
        {15, "precedence_cutoff"},
        {256, "unknown"},
        {257, "ttl_exceeded"},
        {258, "acl"},
        {259, "no_buffer_space"},
        {260, "red"},
        {261, "traffic_shaping"},
        {262, "pkt_too_big"},
        {263, "src_mac_is_multicast"},
        {264, "vlan_tag_mismatch"},
        {265, "ingress_vlan_filter"},
        {266, "ingress_spanning_tree_filter"},
        {267, "port_list_is_empty"},
        {268, "port_loopback_filter"},
        {269, "blackhole_route"},
        {270, "non_ip"},
        {271, "uc_dip_over_mc_dmac"},
        {272, "dip_is_loopback_address"},
        {273, "sip_is_mc"},
        {274, "sip_is_loopback_address"},
        {275, "ip_header_corrupted"},
        {276, "ipv4_sip_is_limited_bc"},
        {277, "ipv6_mc_dip_reserved_scope"},
        {278, "ipv6_mc_dip_interface_local_scope"},
        {279, "unresolved_neigh"},
        {280, "mc_reverse_path_forwarding"},
        {281, "non_routable_packet"},
        {282, "decap_error"},
        {283, "overlay_smac_is_mc"},
        {284, "unknown_l2"},
        {285, "unknown_l3"},
        {286, "unknown_l3_exception"},
        {287, "unknown_buffer"},
        {288, "unknown_tunnel"},
        {289, "unknown_l4"},
        {290, "sip_is_unspecified"},
        {291, "mlag_port_isolation"},
        {292, "blackhole_arp_neigh"},
        {293, "src_mac_is_dmac"},
        {294, "dmac_is_reserved"},
        {295, "sip_is_class_e"},
        {296, "mc_dmac_mismatch"},
        {297, "sip_is_dip"},
        {298, "dip_is_local_network"},
        {299, "dip_is_link_local"},
        {300, "overlay_smac_is_dmac"},
        {301, "egress_vlan_filter"},
        {302, "uc_reverse_path_forwarding"},
        {303, "split_horizon"},
        {304, "locked_port"},
        {305, "dmac_filter"},
        {306, "blackhole_nexthop"},
        {307, "vxlan_parsing"},
        {308, "llc_snap_parsing"},
        {309, "vlan_parsing"},
        {310, "pppoe_ppp_parsing"},
        {311, "mpls_parsing"},
        {312, "arp_parsing"},
        {313, "ip_1_parsing"},
        {314, "ip_n_parsing"},
        {315, "gre_parsing"},
        {316, "udp_parsing"},
        {317, "tcp_parsing"},
        {318, "ipsec_parsing"},
        {319, "sctp_parsing"},
        {320, "dccp_parsing"},
        {321, "gtp_parsing"},
        {322, "esp_parsing"},
        {323, "unknown_parsing"},
        {324, "pkt_too_small"},
        {325, "unhandled_proto"},
        {326, "ipv6disabled"},
        {327, "invalid_proto"},
        {328, "ip_noproto"},
        {329, "skb_csum"},
        {330, "skb_ucopy_fault"},
        {331, "dev_ready"},
        {332, "dev_hdr"},
        {333, "dup_frag"},
        {334, "skb_gso_seg"},
        {335, "reverse_path_forwarding"},
        {336, "icmp_parsing"},
        {337, "tcp_md5notfound"},
        {338, "tcp_md5unexpected"},
        {339, "tcp_md5failure"},
        {340, "tcp_flags"},
        {341, "tcp_zerowindow"},
        {342, "tcp_old_data"},
        {343, "tcp_overwindow"},
        {344, "tcp_ofomerge"},
        {345, "tcp_rfc7323_paws"},
        {346, "tcp_invalid_sequence"},
        {347, "tcp_reset"},
        {348, "tcp_invalid_syn"},
        {349, "tcp_close"},
        {350, "tcp_fastopen"},
        {351, "tcp_old_ack"},
        {352, "tcp_too_old_ack"},
        {353, "tcp_ack_unsent_data"},
        {354, "tcp_ofo_queue_prune"},
        {355, "tcp_ofo_drop"},
        {356, "tcp_minttl"},
        {357, "ipv6_bad_exthdr"},
        {358, "ipv6_ndisc_frag"},
        {359, "ipv6_ndisc_hop_limit"},
        {360, "ipv6_ndisc_bad_code"},
        {361, "ipv6_ndisc_bad_options"},
        {362, "ipv6_ndisc_ns_otherhost"},
        {363, "tap_filter"},
        {364, "tap_txfilter"},
        {365, "tc_ingress"},
        {366, "tc_egress"},
        {367, "xdp"},
        {368, "cpu_backlog"},
        {369, "bpf_cgroup_egress"},
        {370, "xfrm_policy"},
        {371, "socket_filter"},
        {372, "bgp_flowspec"},
};

const char *sflow_drop_reason_name(uint32_t code) {
        for (size_t i = 0; i < sizeof drop_reasons / sizeof drop_reasons[0]; i++)
                if (drop_reasons[i].code == code)
                        return drop_reasons[i].name;
        return NULL;
}

int sflow_drop_reason_code(const char *name) {
        for (size_t i = 0; name && i < sizeof drop_reasons / sizeof drop_reasons[0]; i++)
                if (strcasecmp(drop_reasons[i].name, name) == 0)
                        return (int)drop_reasons[i].code;
        return -1;
}
