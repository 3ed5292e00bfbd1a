/* names-ext.c - XDR layouts of the sFlow v5 structures other agents send (switches, routers,
 * application agents): flow records 0:2-0:4, 0:1001-0:1030, 0:2100-0:2210 and counter records
 * 0:3-0:7, 0:1001-0:1004, 2105-2207 and the vendor blocks sflowtool decodes. */
#include "layout.h"

#define ROFF(m) offsetof(struct sflow_record, u.m)
#define R32(m)                                                                                     \
        { ROFF(m), 0, SFLOW_F_U32, 0 }
#define R64(m)                                                                                     \
        { ROFF(m), 0, SFLOW_F_U64, 0 }
#define RSTR(m)                                                                                    \
        { ROFF(m), 0, SFLOW_F_STRING, 0 }
#define RSTRN(m, n)                                                                                \
        { ROFF(m), 0, SFLOW_F_STRING, n }
#define RFIX(m, n)                                                                                 \
        { ROFF(m), 0, SFLOW_F_FIXED, n }
#define RADDR(m)                                                                                   \
        { ROFF(m), 0, SFLOW_F_ADDRESS, 0 }
#define RLIST(m)                                                                                   \
        { ROFF(m), 0, SFLOW_F_LIST32, 0 }
#define OPTIONAL                                                                                   \
        { 0, 0, SFLOW_F_OPTIONAL, 0 }
#define NF(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))

/* n consecutive 32-bit words of array m starting at index i */
#define W1(m, i) R32(m[i])
#define W2(m, i) W1(m, i), W1(m, (i) + 1)
#define W4(m, i) W2(m, i), W2(m, (i) + 2)
#define W8(m, i) W4(m, i), W4(m, (i) + 4)
#define W16(m, i) W8(m, i), W8(m, (i) + 8)
#define W32(m, i) W16(m, i), W16(m, (i) + 16)

/* ---- flow records ---- */
static const struct sflow_field f_ethernet[] = {
        R32(ethernet_frame.length),
        RFIX(ethernet_frame.src, 6),
        RFIX(ethernet_frame.dst, 6),
        R32(ethernet_frame.type),
};
static const struct sflow_field f_ipv4[] = {
        R32(ipv4.length),   R32(ipv4.protocol), RFIX(ipv4.src, 4),   RFIX(ipv4.dst, 4),
        R32(ipv4.src_port), R32(ipv4.dst_port), R32(ipv4.tcp_flags), R32(ipv4.tos),
};
static const struct sflow_field f_ipv6[] = {
        R32(ipv6.length),   R32(ipv6.protocol), RFIX(ipv6.src, 16),  RFIX(ipv6.dst, 16),
        R32(ipv6.src_port), R32(ipv6.dst_port), R32(ipv6.tcp_flags), R32(ipv6.priority),
};
static const struct sflow_field f_switch[] = {
        R32(ex_switch.src_vlan),
        R32(ex_switch.src_priority),
        R32(ex_switch.dst_vlan),
        R32(ex_switch.dst_priority),
};
static const struct sflow_field f_router[] = {
        RADDR(router.nexthop),
        R32(router.src_mask),
        R32(router.dst_mask),
};
static const struct sflow_field f_gateway[] = {
        RADDR(gateway.nexthop),
        R32(gateway.as),
        R32(gateway.src_as),
        R32(gateway.src_peer_as),
        {ROFF(gateway.num_segments), ROFF(gateway.segments), SFLOW_F_ASPATH, 0},
        RLIST(gateway.communities),
        R32(gateway.localpref),
};
static const struct sflow_field f_user[] = {
        R32(user.src_charset),
        RSTR(user.src_user),
        R32(user.dst_charset),
        RSTR(user.dst_user),
};
static const struct sflow_field f_url[] = {
        R32(url.direction),
        RSTR(url.url),
        RSTR(url.host),
};
static const struct sflow_field f_mpls[] = {
        RADDR(mpls.nexthop),
        RLIST(mpls.in_stack),
        RLIST(mpls.out_stack),
};
static const struct sflow_field f_nat[] = {RADDR(nat.src), RADDR(nat.dst)};
static const struct sflow_field f_mpls_name[] = {
        RSTR(mpls_name.name),
        R32(mpls_name.id),
        R32(mpls_name.cos),
};
static const struct sflow_field f_mpls_ftn[] = {RSTR(mpls_name.name), R32(mpls_name.id)};
static const struct sflow_field f_words1[] = {W1(words.w, 0)};
static const struct sflow_field f_words2[] = {W2(words.w, 0)};
static const struct sflow_field f_words3[] = {W2(words.w, 0), W1(words.w, 2)};
static const struct sflow_field f_words4[] = {W4(words.w, 0)};
static const struct sflow_field f_words6[] = {W4(words.w, 0), W2(words.w, 4)};
static const struct sflow_field f_words15[] = {
        W8(words.w, 0),
        W4(words.w, 8),
        W2(words.w, 12),
        W1(words.w, 14),
};
static const struct sflow_field f_words18[] = {W16(words.w, 0), W2(words.w, 16)};
static const struct sflow_field f_words20[] = {W16(words.w, 0), W4(words.w, 16)};
static const struct sflow_field f_words23[] = {
        W16(words.w, 0),
        W4(words.w, 16),
        W2(words.w, 20),
        W1(words.w, 22),
};
static const struct sflow_field f_words36[] = {W32(words.w, 0), W4(words.w, 32)};
static const struct sflow_field f_vlan_tunnel[] = {RLIST(vlan_tunnel.stack)};
static const struct sflow_field f_wifi_payload[] = {
        R32(wifi_payload.cipher_suite),
        R32(wifi_payload.header.protocol),
        R32(wifi_payload.header.frame_length),
        R32(wifi_payload.header.stripped),
        {ROFF(wifi_payload.header.header_len), ROFF(wifi_payload.header.header), SFLOW_F_OPAQUE, 0},
};
static const struct sflow_field f_wifi_rx[] = {
        RSTR(wifi_rx.ssid),   RFIX(wifi_rx.bssid, 6),
        R32(wifi_rx.version), R32(wifi_rx.channel),
        R64(wifi_rx.speed),   R32(wifi_rx.rsni),
        R32(wifi_rx.rcpi),    R32(wifi_rx.packet_duration_us),
};
static const struct sflow_field f_wifi_tx[] = {
        RSTR(wifi_tx.ssid),
        RFIX(wifi_tx.bssid, 6),
        R32(wifi_tx.version),
        R32(wifi_tx.transmissions),
        R32(wifi_tx.packet_duration_us),
        R32(wifi_tx.retrans_duration_us),
        R32(wifi_tx.channel),
        R64(wifi_tx.speed),
        R32(wifi_tx.power_mw),
};
static const struct sflow_field f_socket4[] = {
        R32(socket4.protocol),   RFIX(socket4.local, 4),   RFIX(socket4.remote, 4),
        R32(socket4.local_port), R32(socket4.remote_port),
};
static const struct sflow_field f_socket6[] = {
        R32(socket6.protocol),   RFIX(socket6.local, 16),  RFIX(socket6.remote, 16),
        R32(socket6.local_port), R32(socket6.remote_port),
};
static const struct sflow_field f_memcache_op[] = {
        R32(memcache_op.protocol), R32(memcache_op.command),     RSTR(memcache_op.key),
        R32(memcache_op.nkeys),    R32(memcache_op.value_bytes), R32(memcache_op.duration_us),
        R32(memcache_op.status),
};
static const struct sflow_field f_http[] = {
        R32(http.method),     R32(http.protocol),    RSTR(http.uri),      RSTR(http.host),
        RSTR(http.referrer),  RSTR(http.useragent),  RSTR(http.authuser), RSTR(http.mimetype),
        R64(http.resp_bytes), R32(http.duration_us), R32(http.status),
};
static const struct sflow_field f_http2[] = {
        R32(http.method),    R32(http.protocol),   RSTR(http.uri),       RSTR(http.host),
        RSTR(http.referrer), RSTR(http.useragent), RSTR(http.xff),       RSTR(http.authuser),
        RSTR(http.mimetype), R64(http.req_bytes),  R64(http.resp_bytes), R32(http.duration_us),
        R32(http.status),
};
static const struct sflow_field f_app_op[] = {
        RSTRN(app_op.application, SFLOW_APP_MAX_APPLICATION),
        RSTRN(app_op.operation, SFLOW_APP_MAX_OPERATION),
        RSTRN(app_op.attributes, SFLOW_APP_MAX_ATTRIBUTES),
        RSTRN(app_op.status_descr, SFLOW_APP_MAX_STATUS),
        R64(app_op.req_bytes),
        R64(app_op.resp_bytes),
        R32(app_op.duration_us),
        R32(app_op.status),
};
static const struct sflow_field f_app_ctxt[] = {
        RSTRN(app_ctxt.application, SFLOW_APP_MAX_APPLICATION),
        RSTRN(app_ctxt.operation, SFLOW_APP_MAX_OPERATION),
        RSTRN(app_ctxt.attributes, SFLOW_APP_MAX_ATTRIBUTES),
};
static const struct sflow_field f_app_actor[] = {RSTRN(app_actor.actor, SFLOW_APP_MAX_ACTOR)};

/* ---- counter records ---- */
static const struct sflow_field f_vg[] = {
        R32(vg.in_high_frames),
        R64(vg.in_high_octets),
        R32(vg.in_norm_frames),
        R64(vg.in_norm_octets),
        R32(vg.in_ipm_errors),
        R32(vg.in_oversize_errors),
        R32(vg.in_data_errors),
        R32(vg.in_null_addressed),
        R32(vg.out_high_frames),
        R64(vg.out_high_octets),
        R32(vg.transitions_into_training),
        R64(vg.hc_in_high_octets),
        R64(vg.hc_in_norm_octets),
        R64(vg.hc_out_high_octets),
};
static const struct sflow_field f_vlan[] = {
        R32(vlan.vlan_id), R64(vlan.octets), R32(vlan.ucast),
        R32(vlan.mcast),   R32(vlan.bcast),  R32(vlan.discards),
};
static const struct sflow_field f_lacp[] = {
        RFIX(lacp.actor_system_id, 6), RFIX(lacp.partner_system_id, 6),
        R32(lacp.attached_agg_id),     RFIX(lacp.port_state, 4),
        W8(lacp.counters, 0),
};
static const struct sflow_field f_sfp[] = {
        R32(sfp.module_id),
        R32(sfp.total_lanes),
        R32(sfp.supply_voltage),
        R32(sfp.temperature),
        {ROFF(sfp.lanes), 0, SFLOW_F_LIST32, 10},
};
static const struct sflow_field f_processor[] = {
        R32(processor.cpu_5s),       R32(processor.cpu_1m),      R32(processor.cpu_5m),
        R64(processor.total_memory), R64(processor.free_memory),
};
static const struct sflow_field f_of_port[] = {R64(of_port.datapath_id), R32(of_port.port)};
static const struct sflow_field f_jvm[] = {RSTR(jvm.name), RSTR(jvm.vendor), RSTR(jvm.version)};
static const struct sflow_field f_jmx[] = {
        R64(jmx.mem[0]), R64(jmx.mem[1]), R64(jmx.mem[2]), R64(jmx.mem[3]),
        R64(jmx.mem[4]), R64(jmx.mem[5]), R64(jmx.mem[6]), R64(jmx.mem[7]),
        W8(jmx.w, 0),    W1(jmx.w, 8),    OPTIONAL,        W2(jmx.w, 9),
};
static const struct sflow_field f_memcache[] = {
        W16(memcache.a, 0),       W4(memcache.a, 16),          W2(memcache.a, 20),
        R64(memcache.bytes_read), R64(memcache.bytes_written), W4(memcache.b, 0),
        W1(memcache.b, 4),        R64(memcache.bytes),         W2(memcache.c, 0),
        W1(memcache.c, 2),
};
static const struct sflow_field f_memcache2[] = {
        W16(memcache2.a, 0), W8(memcache2.a, 16), W2(memcache2.a, 24), W1(memcache2.a, 26),
        R64(memcache2.b[0]), R64(memcache2.b[1]), R64(memcache2.b[2]), R64(memcache2.b[3]),
};
static const struct sflow_field f_app[] = {
        RSTRN(app.application, SFLOW_APP_MAX_APPLICATION),
        R32(app.success),
        R32(app.other),
        R32(app.timeout),
        R32(app.internal_error),
        R32(app.bad_request),
        R32(app.forbidden),
        R32(app.too_large),
        R32(app.not_implemented),
        R32(app.not_found),
        R32(app.unavailable),
        R32(app.unauthorized),
};
static const struct sflow_field f_app_resources[] = {
        R32(app_resources.user_time), R32(app_resources.system_time), R64(app_resources.mem_used),
        R64(app_resources.mem_max),   R32(app_resources.fd_open),     R32(app_resources.fd_max),
        R32(app_resources.conn_open), R32(app_resources.conn_max),
};
static const struct sflow_field f_app_workers[] = {
        R32(app_workers.workers_active), R32(app_workers.workers_idle),
        R32(app_workers.workers_max),    R32(app_workers.req_delayed),
        R32(app_workers.req_dropped),
};
static const struct sflow_field f_gpu_nvml[] = {
        W4(gpu_nvml.a, 0),
        R64(gpu_nvml.mem_total),
        R64(gpu_nvml.mem_free),
        W4(gpu_nvml.b, 0),
};

#define FLOW(t, n, f)                                                                              \
        { t, SFLOW_KIND_FLOW, NF(f), n, f }
#define CTR(t, n, f)                                                                               \
        { t, SFLOW_KIND_COUNTERS, NF(f), n, f }
const struct sflow_layout sflow_layouts_ext[] = {
        FLOW(SFLOW_FLOW_ETHERNET, "sampled_ethernet", f_ethernet),
        FLOW(SFLOW_FLOW_IPV4, "sampled_ipv4", f_ipv4),
        FLOW(SFLOW_FLOW_IPV6, "sampled_ipv6", f_ipv6),
        FLOW(SFLOW_FLOW_SWITCH, "extended_switch", f_switch),
        FLOW(SFLOW_FLOW_ROUTER, "extended_router", f_router),
        FLOW(SFLOW_FLOW_GATEWAY, "extended_gateway", f_gateway),
        FLOW(SFLOW_FLOW_USER, "extended_user", f_user),
        FLOW(SFLOW_FLOW_URL, "extended_url", f_url),
        FLOW(SFLOW_FLOW_MPLS, "extended_mpls", f_mpls),
        FLOW(SFLOW_FLOW_NAT, "extended_nat", f_nat),
        FLOW(SFLOW_FLOW_MPLS_TUNNEL, "extended_mpls_tunnel", f_mpls_name),
        FLOW(SFLOW_FLOW_MPLS_VC, "extended_mpls_vc", f_mpls_name),
        FLOW(SFLOW_FLOW_MPLS_FTN, "extended_mpls_FTN", f_mpls_ftn),
        FLOW(SFLOW_FLOW_MPLS_LDP_FEC, "extended_mpls_LDP_FEC", f_words1),
        FLOW(SFLOW_FLOW_VLAN_TUNNEL, "extended_vlantunnel", f_vlan_tunnel),
        FLOW(SFLOW_FLOW_WIFI_PAYLOAD, "extended_80211_payload", f_wifi_payload),
        FLOW(SFLOW_FLOW_WIFI_RX, "extended_80211_rx", f_wifi_rx),
        FLOW(SFLOW_FLOW_WIFI_TX, "extended_80211_tx", f_wifi_tx),
        FLOW(SFLOW_FLOW_NAT_PORT, "extended_nat_port", f_words2),
        FLOW(SFLOW_FLOW_L2_TUNNEL_OUT, "extended_L2_tunnel_egress", f_ethernet),
        FLOW(SFLOW_FLOW_L2_TUNNEL_IN, "extended_L2_tunnel_ingress", f_ethernet),
        FLOW(SFLOW_FLOW_IPV4_TUNNEL_OUT, "extended_ipv4_tunnel_egress", f_ipv4),
        FLOW(SFLOW_FLOW_IPV4_TUNNEL_IN, "extended_ipv4_tunnel_ingress", f_ipv4),
        FLOW(SFLOW_FLOW_IPV6_TUNNEL_OUT, "extended_ipv6_tunnel_egress", f_ipv6),
        FLOW(SFLOW_FLOW_IPV6_TUNNEL_IN, "extended_ipv6_tunnel_ingress", f_ipv6),
        FLOW(SFLOW_FLOW_DECAP_OUT, "extended_decapsulate_egress", f_words1),
        FLOW(SFLOW_FLOW_DECAP_IN, "extended_decapsulate_ingress", f_words1),
        FLOW(SFLOW_FLOW_VNI_OUT, "extended_vni_egress", f_words1),
        FLOW(SFLOW_FLOW_VNI_IN, "extended_vni_ingress", f_words1),
        FLOW(SFLOW_FLOW_SOCKET4, "extended_socket_ipv4", f_socket4),
        FLOW(SFLOW_FLOW_SOCKET6, "extended_socket_ipv6", f_socket6),
        FLOW(SFLOW_FLOW_PROXY_SOCKET4, "extended_proxy_socket_ipv4", f_socket4),
        FLOW(SFLOW_FLOW_PROXY_SOCKET6, "extended_proxy_socket_ipv6", f_socket6),
        FLOW(SFLOW_FLOW_MEMCACHE, "memcache_operation", f_memcache_op),
        FLOW(SFLOW_FLOW_HTTP, "http_request_deprecated", f_http),
        FLOW(SFLOW_FLOW_APP, "app_operation", f_app_op),
        FLOW(SFLOW_FLOW_APP_CTXT, "app_parent_context", f_app_ctxt),
        FLOW(SFLOW_FLOW_APP_ACTOR_INIT, "app_initiator", f_app_actor),
        FLOW(SFLOW_FLOW_APP_ACTOR_TGT, "app_target", f_app_actor),
        FLOW(SFLOW_FLOW_HTTP2, "http_request", f_http2),
        FLOW(SFLOW_FLOW_ENTITIES, "extended_entities", f_words4),

        CTR(SFLOW_CTR_TOKENRING, "tokenring", f_words18),
        CTR(SFLOW_CTR_VG, "vg", f_vg),
        CTR(SFLOW_CTR_VLAN, "vlan", f_vlan),
        CTR(SFLOW_CTR_80211, "ieee80211", f_words20),
        CTR(SFLOW_CTR_LACP, "lag_port_stats", f_lacp),
        CTR(SFLOW_CTR_SFP, "sfp", f_sfp),
        CTR(SFLOW_CTR_PROCESSOR, "processor", f_processor),
        CTR(SFLOW_CTR_RADIO, "radio_utilization", f_words3),
        CTR(SFLOW_CTR_OF_PORT, "of_port", f_of_port),
        CTR(SFLOW_CTR_JVM, "jvm_runtime", f_jvm),
        CTR(SFLOW_CTR_JMX, "jvm_statistics", f_jmx),
        CTR(SFLOW_CTR_MEMCACHE, "memcache_counters_deprecated", f_memcache),
        CTR(SFLOW_CTR_HTTP, "http_counters", f_words15),
        CTR(SFLOW_CTR_APP, "app_operations", f_app),
        CTR(SFLOW_CTR_APP_RESOURCES, "app_resources", f_app_resources),
        CTR(SFLOW_CTR_MEMCACHE2, "memcache_counters", f_memcache2),
        CTR(SFLOW_CTR_VDI, "vdi_counters", f_words23),
        CTR(SFLOW_CTR_APP_WORKERS, "app_workers", f_app_workers),
        CTR(SFLOW_CTR_OVS_DP, "ovs_dp_stats", f_words6),
        CTR(SFLOW_CTR_GPU_NVML, "nvidia_gpu", f_gpu_nvml),
        CTR(SFLOW_CTR_BCM_TABLES, "bcm_tables", f_words36),
};
const size_t sflow_layouts_ext_count = sizeof(sflow_layouts_ext) / sizeof(sflow_layouts_ext[0]);
