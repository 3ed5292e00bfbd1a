/* print-counters.c - counter samples (0:2, 0:4) and every counter record sflow.h defines. */
#include <inttypes.h>
#include <stdio.h>

#include "print.h"
#include "sflow/layout.h"

/* Host CPU records before December 2014 end after cpu_contexts (68 bytes). */
#define HOST_CPU_V1_LEN 68

static void print_generic(struct output *o, const struct sflow_ctr_generic *c) {
        out_u32(o, "ifIndex", c->if_index);
        out_u32(o, "networkType", c->if_type);
        out_u64(o, "ifSpeed", c->if_speed);
        out_u32(o, "ifDirection", c->if_direction);
        out_u32(o, "ifStatus", c->if_status);
        out_u64(o, "ifInOctets", c->in_octets);
        out_u32(o, "ifInUcastPkts", c->in_ucast);
        out_u32(o, "ifInMulticastPkts", c->in_mcast);
        out_u32(o, "ifInBroadcastPkts", c->in_bcast);
        out_u32(o, "ifInDiscards", c->in_discards);
        out_u32(o, "ifInErrors", c->in_errors);
        out_u32(o, "ifInUnknownProtos", c->in_unknown_protos);
        out_u64(o, "ifOutOctets", c->out_octets);
        out_u32(o, "ifOutUcastPkts", c->out_ucast);
        out_u32(o, "ifOutMulticastPkts", c->out_mcast);
        out_u32(o, "ifOutBroadcastPkts", c->out_bcast);
        out_u32(o, "ifOutDiscards", c->out_discards);
        out_u32(o, "ifOutErrors", c->out_errors);
        out_u32(o, "ifPromiscuousMode", c->promiscuous);
}

static void print_ethernet(struct output *o, const struct sflow_ctr_ethernet *c) {
        out_u32(o, "dot3StatsAlignmentErrors", c->alignment_errors);
        out_u32(o, "dot3StatsFCSErrors", c->fcs_errors);
        out_u32(o, "dot3StatsSingleCollisionFrames", c->single_collision_frames);
        out_u32(o, "dot3StatsMultipleCollisionFrames", c->multiple_collision_frames);
        out_u32(o, "dot3StatsSQETestErrors", c->sqe_test_errors);
        out_u32(o, "dot3StatsDeferredTransmissions", c->deferred_transmissions);
        out_u32(o, "dot3StatsLateCollisions", c->late_collisions);
        out_u32(o, "dot3StatsExcessiveCollisions", c->excessive_collisions);
        out_u32(o, "dot3StatsInternalMacTransmitErrors", c->internal_mac_transmit_errors);
        out_u32(o, "dot3StatsCarrierSenseErrors", c->carrier_sense_errors);
        out_u32(o, "dot3StatsFrameTooLongs", c->frame_too_longs);
        out_u32(o, "dot3StatsInternalMacReceiveErrors", c->internal_mac_receive_errors);
        out_u32(o, "dot3StatsSymbolErrors", c->symbol_errors);
}

static void print_host_descr(struct output *o, const struct sflow_ctr_host_descr *c) {
        const uint8_t *u = c->uuid;

        if (c->hostname.len > 0)
                out_string(o, "hostname", &c->hostname);
        out_fieldf(o, "UUID",
                   "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                   u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                   u[14], u[15]);
        out_u32(o, "machine_type", c->machine_type);
        out_u32(o, "os_name", c->os_name);
        if (c->os_release.len > 0)
                out_string(o, "os_release", &c->os_release);
}

static void print_host_adapters(struct output *o, const struct sflow_ctr_host_adapters *c) {
        uint32_t n = c->num_adapters < SFLOW_MAX_ADAPTERS ? c->num_adapters : SFLOW_MAX_ADAPTERS;
        char mac[32], prefix[32], name[32];

        if (out_is_json(o)) {
                /* an array of adapters, each with a nested array of MACs */
                out_array_begin(o, "adaptor_list");
                for (uint32_t i = 0; i < n; i++) {
                        const struct sflow_adapter *a = &c->adapters[i];
                        uint32_t m = a->num_macs < SFLOW_MAX_MACS ? a->num_macs : SFLOW_MAX_MACS;

                        out_object_begin(o, NULL);
                        out_u32(o, "ifIndex", a->if_index);
                        out_u32(o, "MACs", a->num_macs);
                        out_array_begin(o, "mac_list");
                        for (uint32_t j = 0; j < m; j++)
                                out_array_string(o, j, fmt_mac(mac, sizeof(mac), a->macs[j]));
                        out_array_end(o);
                        out_object_end(o);
                }
                out_array_end(o);
                return;
        }
        /* a flat list of fields numbered by adapter and MAC */
        for (uint32_t i = 0; i < n; i++) {
                const struct sflow_adapter *a = &c->adapters[i];
                uint32_t m = a->num_macs < SFLOW_MAX_MACS ? a->num_macs : SFLOW_MAX_MACS;

                snprintf(prefix, sizeof(prefix), "adaptor_%" PRIu32 "_", i);
                out_push_prefix(o, prefix);
                out_u32(o, "ifIndex", a->if_index);
                out_u32(o, "MACs", a->num_macs);
                for (uint32_t j = 0; j < m; j++) {
                        snprintf(name, sizeof(name), "MAC_%" PRIu32, j);
                        out_field(o, name, fmt_mac(mac, sizeof(mac), a->macs[j]));
                }
                out_pop_prefix(o);
        }
}

static void print_host_cpu(struct output *o, const struct sflow_ctr_host_cpu *c, uint32_t length) {
        out_fieldf(o, "cpu_load_one", "%.3f", (double)c->load_one);
        out_fieldf(o, "cpu_load_five", "%.3f", (double)c->load_five);
        out_fieldf(o, "cpu_load_fifteen", "%.3f", (double)c->load_fifteen);
        out_u32(o, "cpu_proc_run", c->proc_run);
        out_u32(o, "cpu_proc_total", c->proc_total);
        out_u32(o, "cpu_num", c->cpu_num);
        out_u32(o, "cpu_speed", c->cpu_speed);
        out_u32(o, "cpu_uptime", c->uptime);
        out_u32(o, "cpu_user", c->cpu_user);
        out_u32(o, "cpu_nice", c->cpu_nice);
        out_u32(o, "cpu_system", c->cpu_system);
        out_u32(o, "cpu_idle", c->cpu_idle);
        out_u32(o, "cpu_wio", c->cpu_wio);
        out_u32(o, "cpuintr", c->cpu_intr);
        out_u32(o, "cpu_sintr", c->cpu_sintr);
        out_u32(o, "cpuinterrupts", c->interrupts);
        out_u32(o, "cpu_contexts", c->contexts);
        if (length > HOST_CPU_V1_LEN) {
                out_u32(o, "cpu_steal", c->cpu_steal);
                out_u32(o, "cpu_guest", c->cpu_guest);
                out_u32(o, "cpu_guest_nice", c->cpu_guest_nice);
        }
}

static void print_host_memory(struct output *o, const struct sflow_ctr_host_memory *c) {
        out_u64(o, "mem_total", c->mem_total);
        out_u64(o, "mem_free", c->mem_free);
        out_u64(o, "mem_shared", c->mem_shared);
        out_u64(o, "mem_buffers", c->mem_buffers);
        out_u64(o, "mem_cached", c->mem_cached);
        out_u64(o, "swap_total", c->swap_total);
        out_u64(o, "swap_free", c->swap_free);
        out_u32(o, "page_in", c->page_in);
        out_u32(o, "page_out", c->page_out);
        out_u32(o, "swap_in", c->swap_in);
        out_u32(o, "swap_out", c->swap_out);
}

/* Hundredths of a percent, or "unknown" for all ones. */
static void print_percentage(struct output *o, const char *name, uint32_t hundredths) {
        if (hundredths == UINT32_MAX)
                out_field(o, name, "unknown");
        else
                out_fieldf(o, name, "%.2f", (double)((float)hundredths / (float)100.0));
}

static void print_host_disk_io(struct output *o, const struct sflow_ctr_host_disk_io *c) {
        out_u64(o, "disk_total", c->disk_total);
        out_u64(o, "disk_free", c->disk_free);
        print_percentage(o, "disk_partition_max_used", c->part_max_used);
        out_u32(o, "disk_reads", c->reads);
        out_u64(o, "disk_bytes_read", c->bytes_read);
        out_u32(o, "disk_read_time", c->read_time);
        out_u32(o, "disk_writes", c->writes);
        out_u64(o, "disk_bytes_written", c->bytes_written);
        out_u32(o, "disk_write_time", c->write_time);
}

static void print_host_net_io(struct output *o, const struct sflow_ctr_host_net_io *c) {
        out_u64(o, "nio_bytes_in", c->bytes_in);
        out_u32(o, "nio_pkts_in", c->pkts_in);
        out_u32(o, "nio_errs_in", c->errs_in);
        out_u32(o, "nio_drops_in", c->drops_in);
        out_u64(o, "nio_bytes_out", c->bytes_out);
        out_u32(o, "nio_pkts_out", c->pkts_out);
        out_u32(o, "nio_errs_out", c->errs_out);
        out_u32(o, "nio_drops_out", c->drops_out);
}

static void print_mib2_ip(struct output *o, const struct sflow_ctr_mib2_ip *c) {
        out_u32(o, "ipForwarding", c->forwarding);
        out_u32(o, "ipDefaultTTL", c->default_ttl);
        out_u32(o, "ipInReceives", c->in_receives);
        out_u32(o, "ipInHdrErrors", c->in_hdr_errors);
        out_u32(o, "ipInAddrErrors", c->in_addr_errors);
        out_u32(o, "ipForwDatagrams", c->forw_datagrams);
        out_u32(o, "ipInUnknownProtos", c->in_unknown_protos);
        out_u32(o, "ipInDiscards", c->in_discards);
        out_u32(o, "ipInDelivers", c->in_delivers);
        out_u32(o, "ipOutRequests", c->out_requests);
        out_u32(o, "ipOutDiscards", c->out_discards);
        out_u32(o, "ipOutNoRoutes", c->out_no_routes);
        out_u32(o, "ipReasmTimeout", c->reasm_timeout);
        out_u32(o, "ipReasmReqds", c->reasm_reqds);
        out_u32(o, "ipReasmOKs", c->reasm_oks);
        out_u32(o, "ipReasmFails", c->reasm_fails);
        out_u32(o, "ipFragOKs", c->frag_oks);
        out_u32(o, "ipFragFails", c->frag_fails);
        out_u32(o, "ipFragCreates", c->frag_creates);
}

static void print_mib2_icmp(struct output *o, const struct sflow_ctr_mib2_icmp *c) {
        out_u32(o, "icmpInMsgs", c->in_msgs);
        out_u32(o, "icmpInErrors", c->in_errors);
        out_u32(o, "icmpInDestUnreachs", c->in_dest_unreachs);
        out_u32(o, "icmpInTimeExcds", c->in_time_excds);
        out_u32(o, "icmpInParamProbs", c->in_param_probs);
        out_u32(o, "icmpInSrcQuenchs", c->in_src_quenchs);
        out_u32(o, "icmpInRedirects", c->in_redirects);
        out_u32(o, "icmpInEchos", c->in_echos);
        out_u32(o, "icmpInEchoReps", c->in_echo_reps);
        out_u32(o, "icmpInTimestamps", c->in_timestamps);
        out_u32(o, "icmpInAddrMasks", c->in_addr_masks);
        out_u32(o, "icmpInAddrMaskReps", c->in_addr_mask_reps);
        out_u32(o, "icmpOutMsgs", c->out_msgs);
        out_u32(o, "icmpOutErrors", c->out_errors);
        out_u32(o, "icmpOutDestUnreachs", c->out_dest_unreachs);
        out_u32(o, "icmpOutTimeExcds", c->out_time_excds);
        out_u32(o, "icmpOutParamProbs", c->out_param_probs);
        out_u32(o, "icmpOutSrcQuenchs", c->out_src_quenchs);
        out_u32(o, "icmpOutRedirects", c->out_redirects);
        out_u32(o, "icmpOutEchos", c->out_echos);
        out_u32(o, "icmpOutEchoReps", c->out_echo_reps);
        out_u32(o, "icmpOutTimestamps", c->out_timestamps);
        out_u32(o, "icmpOutTimestampReps", c->out_timestamp_reps);
        out_u32(o, "icmpOutAddrMasks", c->out_addr_masks);
        out_u32(o, "icmpOutAddrMaskReps", c->out_addr_mask_reps);
}

static void print_mib2_tcp(struct output *o, const struct sflow_ctr_mib2_tcp *c) {
        out_u32(o, "tcpRtoAlgorithm", c->rto_algorithm);
        out_u32(o, "tcpRtoMin", c->rto_min);
        out_u32(o, "tcpRtoMax", c->rto_max);
        out_u32(o, "tcpMaxConn", c->max_conn);
        out_u32(o, "tcpActiveOpens", c->active_opens);
        out_u32(o, "tcpPassiveOpens", c->passive_opens);
        out_u32(o, "tcpAttemptFails", c->attempt_fails);
        out_u32(o, "tcpEstabResets", c->estab_resets);
        out_u32(o, "tcpCurrEstab", c->curr_estab);
        out_u32(o, "tcpInSegs", c->in_segs);
        out_u32(o, "tcpOutSegs", c->out_segs);
        out_u32(o, "tcpRetransSegs", c->retrans_segs);
        out_u32(o, "tcpInErrs", c->in_errs);
        out_u32(o, "tcpOutRsts", c->out_rsts);
        out_u32(o, "tcpInCsumErrors", c->in_csum_errs);
}

static void print_mib2_udp(struct output *o, const struct sflow_ctr_mib2_udp *c) {
        out_u32(o, "udpInDatagrams", c->in_datagrams);
        out_u32(o, "udpNoPorts", c->no_ports);
        out_u32(o, "udpInErrors", c->in_errors);
        out_u32(o, "udpOutDatagrams", c->out_datagrams);
        out_u32(o, "udpRcvbufErrors", c->rcvbuf_errors);
        out_u32(o, "udpSndbufErrors", c->sndbuf_errors);
        out_u32(o, "udpInCsumErrors", c->in_csum_errors);
}

static void print_virt_node(struct output *o, const struct sflow_ctr_virt_node *c) {
        out_u32(o, "vnode_mhz", c->mhz);
        out_u32(o, "vnode_cpus", c->cpus);
        out_u64(o, "vnode_memory", c->memory);
        out_u64(o, "vnode_memory_free", c->memory_free);
        out_u32(o, "vnode_num_domains", c->num_domains);
}

static void print_virt_cpu(struct output *o, const struct sflow_ctr_virt_cpu *c) {
        out_u32(o, "vcpu_state", c->state);
        out_u32(o, "vcpu_cpu_mS", c->cpu_time);
        out_u32(o, "vcpu_cpuCount", c->nr_virt_cpu);
}

static void print_virt_memory(struct output *o, const struct sflow_ctr_virt_memory *c) {
        out_u64(o, "vmem_memory", c->memory);
        out_u64(o, "vmem_maxMemory", c->max_memory);
}

static void print_virt_disk_io(struct output *o, const struct sflow_ctr_virt_disk_io *c) {
        out_u64(o, "vdsk_capacity", c->capacity);
        out_u64(o, "vdsk_allocation", c->allocation);
        out_u64(o, "vdsk_available", c->available);
        out_u32(o, "vdsk_rd_req", c->rd_req);
        out_u64(o, "vdsk_rd_bytes", c->rd_bytes);
        out_u32(o, "vdsk_wr_req", c->wr_req);
        out_u64(o, "vdsk_wr_bytes", c->wr_bytes);
        out_u32(o, "vdsk_errs", c->errs);
}

static void print_virt_net_io(struct output *o, const struct sflow_ctr_virt_net_io *c) {
        out_u64(o, "vnio_bytes_in", c->rx_bytes);
        out_u32(o, "vnio_pkts_in", c->rx_packets);
        out_u32(o, "vnio_errs_in", c->rx_errs);
        out_u32(o, "vnio_drops_in", c->rx_drop);
        out_u64(o, "vnio_bytes_out", c->tx_bytes);
        out_u32(o, "vnio_pkts_out", c->tx_packets);
        out_u32(o, "vnio_errs_out", c->tx_errs);
        out_u32(o, "vnio_drops_out", c->tx_drop);
}

static void print_counter_record(struct printer *p, const struct sflow_record *r) {
        struct output *o = p->out;
        char buf[32];

        o->ctx.element_tag = r->tag;
        out_object_begin(o, NULL);
        out_field(o, "counterBlock_tag", fmt_tag(buf, sizeof(buf), r->tag));
        if (!r->known) {
                print_unknown_record(p, r, "counters_sample_element");
                out_object_end(o);
                return;
        }
        switch (r->tag) {
        case SFLOW_CTR_GENERIC:
                print_generic(o, &r->u.generic);
                break;
        case SFLOW_CTR_ETHERNET:
                print_ethernet(o, &r->u.ethernet);
                break;
        case SFLOW_CTR_PORT_NAME:
                if (r->u.port_name.name.len > 0)
                        out_string(o, "ifName", &r->u.port_name.name);
                break;
        case SFLOW_CTR_HOST_DESCR:
                print_host_descr(o, &r->u.host_descr);
                break;
        case SFLOW_CTR_HOST_ADAPTERS:
                print_host_adapters(o, &r->u.host_adapters);
                break;
        case SFLOW_CTR_HOST_PARENT:
                out_u32(o, "parent_dsClass", r->u.host_parent.container_type);
                out_u32(o, "parent_dsIndex", r->u.host_parent.container_index);
                break;
        case SFLOW_CTR_HOST_CPU:
                print_host_cpu(o, &r->u.host_cpu, r->length);
                break;
        case SFLOW_CTR_HOST_MEMORY:
                print_host_memory(o, &r->u.host_memory);
                break;
        case SFLOW_CTR_HOST_DISK_IO:
                print_host_disk_io(o, &r->u.host_disk_io);
                break;
        case SFLOW_CTR_HOST_NET_IO:
                print_host_net_io(o, &r->u.host_net_io);
                break;
        case SFLOW_CTR_MIB2_IP:
                print_mib2_ip(o, &r->u.mib2_ip);
                break;
        case SFLOW_CTR_MIB2_ICMP:
                print_mib2_icmp(o, &r->u.mib2_icmp);
                break;
        case SFLOW_CTR_MIB2_TCP:
                print_mib2_tcp(o, &r->u.mib2_tcp);
                break;
        case SFLOW_CTR_MIB2_UDP:
                print_mib2_udp(o, &r->u.mib2_udp);
                break;
        case SFLOW_CTR_VIRT_NODE:
                print_virt_node(o, &r->u.virt_node);
                break;
        case SFLOW_CTR_VIRT_CPU:
                print_virt_cpu(o, &r->u.virt_cpu);
                break;
        case SFLOW_CTR_VIRT_MEMORY:
                print_virt_memory(o, &r->u.virt_memory);
                break;
        case SFLOW_CTR_VIRT_DISK_IO:
                print_virt_disk_io(o, &r->u.virt_disk_io);
                break;
        case SFLOW_CTR_VIRT_NET_IO:
                print_virt_net_io(o, &r->u.virt_net_io);
                break;
        default:
                if (!print_record_ext(o, SFLOW_KIND_COUNTERS, r))
                        print_unknown_record(p, r, "counters_sample_element");
                break;
        }
        out_object_end(o);
}

void print_counter_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        out_field(o, "sampleType", "COUNTERSSAMPLE");
        out_u32(o, "sampleSequenceNo", s->sequence);
        o->ctx.ds_class = s->ds_class;
        o->ctx.ds_index = s->ds_index;
        out_fieldf(o, "sourceId", "%" PRIu32 ":%" PRIu32, s->ds_class, s->ds_index);
        out_array_begin(o, "elements");
        for (uint32_t i = 0; i < n; i++)
                print_counter_record(p, &s->records[i]);
        out_array_end(o);
        print_records_note(p, s);
}
