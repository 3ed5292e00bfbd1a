/* names.c - catalogue of sample and record types: short names and XDR field layouts. */
#include "layout.h"

/* Field descriptors relative to struct sflow_record (R*) and struct sflow_sample (S*). */
#define ROFF(m) offsetof(struct sflow_record, u.m)
#define R32(m) { ROFF(m), 0, SFLOW_F_U32, 0 }
#define R64(m) { ROFF(m), 0, SFLOW_F_U64, 0 }
#define RFLT(m) { ROFF(m), 0, SFLOW_F_FLOAT, 0 }
#define RSTR(m, max) { ROFF(m), 0, SFLOW_F_STRING, max }
#define SOFF(m) offsetof(struct sflow_sample, m)
#define S32(m) { SOFF(m), 0, SFLOW_F_U32, 0 }
#define NF(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))

/* Spec string limits. */
#define MAX_HOSTNAME 64
#define MAX_OS_RELEASE 32
#define MAX_PORT_NAME 255

/* ---- samples (sFlow version 5; discards: sFlow dropped packet notification) ---- */
static const struct sflow_field f_flow_compact[] = {
        S32(sequence), { SOFF(ds_class), SOFF(ds_index), SFLOW_F_SRCID, 0 },
        S32(sampling_rate), S32(sample_pool), S32(drops),
        { SOFF(input_format), SOFF(input), SFLOW_F_IFACE, 0 },
        { SOFF(output_format), SOFF(output), SFLOW_F_IFACE, 0 },
};
static const struct sflow_field f_counters_compact[] = {
        S32(sequence), { SOFF(ds_class), SOFF(ds_index), SFLOW_F_SRCID, 0 },
};
static const struct sflow_field f_flow_expanded[] = {
        S32(sequence), S32(ds_class), S32(ds_index), S32(sampling_rate), S32(sample_pool),
        S32(drops), S32(input_format), S32(input), S32(output_format), S32(output),
};
static const struct sflow_field f_counters_expanded[] = {
        S32(sequence), S32(ds_class), S32(ds_index),
};
static const struct sflow_field f_discards[] = {
        S32(sequence), S32(ds_class), S32(ds_index), S32(drops), S32(input), S32(output),
        S32(reason),
};

/* ---- flow records ---- */
static const struct sflow_field f_header[] = {
        R32(header.protocol), R32(header.frame_length), R32(header.stripped),
        { ROFF(header.header_len), ROFF(header.header), SFLOW_F_OPAQUE, 0 },
};
static const struct sflow_field f_egress_queue[] = { R32(egress_queue.queue) };
static const struct sflow_field f_function[] = { RSTR(function.symbol, 0) };
static const struct sflow_field f_transit[] = { R32(transit.delay) };
static const struct sflow_field f_queue[] = { R32(queue.depth) };
static const struct sflow_field f_hw_trap[] = { RSTR(hw_trap.group, 0), RSTR(hw_trap.trap, 0) };
static const struct sflow_field f_linux_reason[] = { RSTR(linux_reason.reason, 0) };
static const struct sflow_field f_timestamp[] = { R64(timestamp.nanoseconds) };
static const struct sflow_field f_tcp_info[] = {
        R32(tcp_info.direction), R32(tcp_info.snd_mss), R32(tcp_info.rcv_mss),
        R32(tcp_info.unacked), R32(tcp_info.lost), R32(tcp_info.retrans), R32(tcp_info.pmtu),
        R32(tcp_info.rtt), R32(tcp_info.rttvar), R32(tcp_info.snd_cwnd),
        R32(tcp_info.reordering), R32(tcp_info.min_rtt),
};

/* ---- counter records ---- */
static const struct sflow_field f_generic[] = {
        R32(generic.if_index), R32(generic.if_type), R64(generic.if_speed),
        R32(generic.if_direction), R32(generic.if_status), R64(generic.in_octets),
        R32(generic.in_ucast), R32(generic.in_mcast), R32(generic.in_bcast),
        R32(generic.in_discards), R32(generic.in_errors), R32(generic.in_unknown_protos),
        R64(generic.out_octets), R32(generic.out_ucast), R32(generic.out_mcast),
        R32(generic.out_bcast), R32(generic.out_discards), R32(generic.out_errors),
        R32(generic.promiscuous),
};
static const struct sflow_field f_ethernet[] = {
        R32(ethernet.alignment_errors), R32(ethernet.fcs_errors),
        R32(ethernet.single_collision_frames), R32(ethernet.multiple_collision_frames),
        R32(ethernet.sqe_test_errors), R32(ethernet.deferred_transmissions),
        R32(ethernet.late_collisions), R32(ethernet.excessive_collisions),
        R32(ethernet.internal_mac_transmit_errors), R32(ethernet.carrier_sense_errors),
        R32(ethernet.frame_too_longs), R32(ethernet.internal_mac_receive_errors),
        R32(ethernet.symbol_errors),
};
static const struct sflow_field f_port_name[] = { RSTR(port_name.name, MAX_PORT_NAME) };
static const struct sflow_field f_host_descr[] = {
        RSTR(host_descr.hostname, MAX_HOSTNAME), { ROFF(host_descr.uuid), 0, SFLOW_F_UUID, 0 },
        R32(host_descr.machine_type), R32(host_descr.os_name),
        RSTR(host_descr.os_release, MAX_OS_RELEASE),
};
static const struct sflow_field f_host_adapters[] = {
        { ROFF(host_adapters), 0, SFLOW_F_ADAPTERS, 0 },
};
static const struct sflow_field f_host_parent[] = {
        R32(host_parent.container_type), R32(host_parent.container_index),
};
static const struct sflow_field f_host_cpu[] = {
        RFLT(host_cpu.load_one), RFLT(host_cpu.load_five), RFLT(host_cpu.load_fifteen),
        R32(host_cpu.proc_run), R32(host_cpu.proc_total), R32(host_cpu.cpu_num),
        R32(host_cpu.cpu_speed), R32(host_cpu.uptime), R32(host_cpu.cpu_user),
        R32(host_cpu.cpu_nice), R32(host_cpu.cpu_system), R32(host_cpu.cpu_idle),
        R32(host_cpu.cpu_wio), R32(host_cpu.cpu_intr), R32(host_cpu.cpu_sintr),
        R32(host_cpu.interrupts), R32(host_cpu.contexts), R32(host_cpu.cpu_steal),
        R32(host_cpu.cpu_guest), R32(host_cpu.cpu_guest_nice),
};
static const struct sflow_field f_host_memory[] = {
        R64(host_memory.mem_total), R64(host_memory.mem_free), R64(host_memory.mem_shared),
        R64(host_memory.mem_buffers), R64(host_memory.mem_cached), R64(host_memory.swap_total),
        R64(host_memory.swap_free), R32(host_memory.page_in), R32(host_memory.page_out),
        R32(host_memory.swap_in), R32(host_memory.swap_out),
};
static const struct sflow_field f_host_disk_io[] = {
        R64(host_disk_io.disk_total), R64(host_disk_io.disk_free),
        R32(host_disk_io.part_max_used), R32(host_disk_io.reads), R64(host_disk_io.bytes_read),
        R32(host_disk_io.read_time), R32(host_disk_io.writes), R64(host_disk_io.bytes_written),
        R32(host_disk_io.write_time),
};
static const struct sflow_field f_host_net_io[] = {
        R64(host_net_io.bytes_in), R32(host_net_io.pkts_in), R32(host_net_io.errs_in),
        R32(host_net_io.drops_in), R64(host_net_io.bytes_out), R32(host_net_io.pkts_out),
        R32(host_net_io.errs_out), R32(host_net_io.drops_out),
};
static const struct sflow_field f_mib2_ip[] = {
        R32(mib2_ip.forwarding), R32(mib2_ip.default_ttl), R32(mib2_ip.in_receives),
        R32(mib2_ip.in_hdr_errors), R32(mib2_ip.in_addr_errors), R32(mib2_ip.forw_datagrams),
        R32(mib2_ip.in_unknown_protos), R32(mib2_ip.in_discards), R32(mib2_ip.in_delivers),
        R32(mib2_ip.out_requests), R32(mib2_ip.out_discards), R32(mib2_ip.out_no_routes),
        R32(mib2_ip.reasm_timeout), R32(mib2_ip.reasm_reqds), R32(mib2_ip.reasm_oks),
        R32(mib2_ip.reasm_fails), R32(mib2_ip.frag_oks), R32(mib2_ip.frag_fails),
        R32(mib2_ip.frag_creates),
};
static const struct sflow_field f_mib2_icmp[] = {
        R32(mib2_icmp.in_msgs), R32(mib2_icmp.in_errors), R32(mib2_icmp.in_dest_unreachs),
        R32(mib2_icmp.in_time_excds), R32(mib2_icmp.in_param_probs),
        R32(mib2_icmp.in_src_quenchs), R32(mib2_icmp.in_redirects), R32(mib2_icmp.in_echos),
        R32(mib2_icmp.in_echo_reps), R32(mib2_icmp.in_timestamps), R32(mib2_icmp.in_addr_masks),
        R32(mib2_icmp.in_addr_mask_reps), R32(mib2_icmp.out_msgs), R32(mib2_icmp.out_errors),
        R32(mib2_icmp.out_dest_unreachs), R32(mib2_icmp.out_time_excds),
        R32(mib2_icmp.out_param_probs), R32(mib2_icmp.out_src_quenchs),
        R32(mib2_icmp.out_redirects), R32(mib2_icmp.out_echos), R32(mib2_icmp.out_echo_reps),
        R32(mib2_icmp.out_timestamps), R32(mib2_icmp.out_timestamp_reps),
        R32(mib2_icmp.out_addr_masks), R32(mib2_icmp.out_addr_mask_reps),
};
static const struct sflow_field f_mib2_tcp[] = {
        R32(mib2_tcp.rto_algorithm), R32(mib2_tcp.rto_min), R32(mib2_tcp.rto_max),
        R32(mib2_tcp.max_conn), R32(mib2_tcp.active_opens), R32(mib2_tcp.passive_opens),
        R32(mib2_tcp.attempt_fails), R32(mib2_tcp.estab_resets), R32(mib2_tcp.curr_estab),
        R32(mib2_tcp.in_segs), R32(mib2_tcp.out_segs), R32(mib2_tcp.retrans_segs),
        R32(mib2_tcp.in_errs), R32(mib2_tcp.out_rsts), R32(mib2_tcp.in_csum_errs),
};
static const struct sflow_field f_mib2_udp[] = {
        R32(mib2_udp.in_datagrams), R32(mib2_udp.no_ports), R32(mib2_udp.in_errors),
        R32(mib2_udp.out_datagrams), R32(mib2_udp.rcvbuf_errors), R32(mib2_udp.sndbuf_errors),
        R32(mib2_udp.in_csum_errors),
};
static const struct sflow_field f_virt_node[] = {
        R32(virt_node.mhz), R32(virt_node.cpus), R64(virt_node.memory),
        R64(virt_node.memory_free), R32(virt_node.num_domains),
};
static const struct sflow_field f_virt_cpu[] = {
        R32(virt_cpu.state), R32(virt_cpu.cpu_time), R32(virt_cpu.nr_virt_cpu),
};
static const struct sflow_field f_virt_memory[] = {
        R64(virt_memory.memory), R64(virt_memory.max_memory),
};
static const struct sflow_field f_virt_disk_io[] = {
        R64(virt_disk_io.capacity), R64(virt_disk_io.allocation), R64(virt_disk_io.available),
        R32(virt_disk_io.rd_req), R64(virt_disk_io.rd_bytes), R32(virt_disk_io.wr_req),
        R64(virt_disk_io.wr_bytes), R32(virt_disk_io.errs),
};
static const struct sflow_field f_virt_net_io[] = {
        R64(virt_net_io.rx_bytes), R32(virt_net_io.rx_packets), R32(virt_net_io.rx_errs),
        R32(virt_net_io.rx_drop), R64(virt_net_io.tx_bytes), R32(virt_net_io.tx_packets),
        R32(virt_net_io.tx_errs), R32(virt_net_io.tx_drop),
};

#define ENTRY(k, t, n, f) { t, k, NF(f), n, f }
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
};

const struct sflow_layout *sflow_layout_find(enum sflow_kind kind, uint32_t tag) {
        for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
                if (layouts[i].kind == kind && layouts[i].tag == tag)
                        return &layouts[i];
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
        default:
                return -1;
        }
}

const char *sflow_record_name(uint32_t sample_tag, uint32_t record_tag) {
        int kind = sflow_sample_record_kind(sample_tag);
        const struct sflow_layout *l;

        if (kind < 0)
                return "unknown";
        l = sflow_layout_find((enum sflow_kind)kind, record_tag);
        return l ? l->name : "unknown";
}

const char *sflow_sample_name(uint32_t sample_tag) {
        const struct sflow_layout *l = sflow_layout_find(SFLOW_KIND_SAMPLE, sample_tag);

        return l ? l->name : "unknown";
}
