/* test_records.c - every record of other agents that sflowcat decodes: each record is written out
 * here word by word from the specification's XDR layout (sFlow v5, sflow.org extensions), wrapped
 * in a datagram, printed as JSON, and its fields checked by the reference decoder's names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"
#include "print.h"
#include "records.h"

struct rcase {
        const char *name;
        uint32_t sample_tag; /* 1 flow, 2 counters */
        uint32_t tag;
        void (*build)(struct xdr *x);
        const char *expect[40]; /* "key" "value" pairs as printed in JSON, NULL-terminated */
        const char *absent;     /* a key that must not be printed */
};

#define FLOWR 1
#define CTRR 2
#define T(e, f) ((uint32_t)(e) << 12 | (f))

static const struct rcase cases[] = {
        {"0:2 ethernet",
         FLOWR,
         T(0, 2),
         r_ethernet,
         {"flowSampleType", "ETHERNET", "ethernet_type", "2048", "ethernet_len", "1518",
          "ethernet_src", "001b21aabbcc", "ethernet_dst", "525400123456"}},
        {"0:3 ipv4", FLOWR, T(0, 3), r_ipv4, {"flowSampleType",
                                              "IPV4",
                                              "sampledPacketSize",
                                              "60",
                                              "IPSize",
                                              "60",
                                              "srcIP",
                                              "192.0.2.1",
                                              "dstIP",
                                              "198.51.100.7",
                                              "IPProtocol",
                                              "6",
                                              "IPTOS",
                                              "16",
                                              "TCPSrcPort",
                                              "40000",
                                              "TCPDstPort",
                                              "443",
                                              "TCPFlags",
                                              "2"}},
        {"0:4 ipv6",
         FLOWR,
         T(0, 4),
         r_ipv6,
         {"flowSampleType", "IPV6", "sampledPacketSize", "1280", "srcIP6",
          "2001:0db8:0000:0000:0000:0000:0000:0001", "dstIP6",
          "2001:0db8:0000:0000:0000:0000:0000:0002", "IPProtocol", "17", "priority", "3",
          "UDPSrcPort", "5353", "UDPDstPort", "53"}},
        {"0:1001 switch",
         FLOWR,
         T(0, 1001),
         r_switch,
         {"extendedType", "SWITCH", "in_vlan", "10", "in_priority", "1", "out_vlan", "20",
          "out_priority", "2"}},
        {"0:1002 router",
         FLOWR,
         T(0, 1002),
         r_router,
         {"extendedType", "ROUTER", "nextHop", "192.0.2.254", "srcSubnetMask", "24",
          "dstSubnetMask", "16"}},
        {"0:1003 gateway",
         FLOWR,
         T(0, 1003),
         r_gateway,
         {"extendedType",    "GATEWAY", "bgp_nexthop",   "198.51.100.1",
          "my_as",           "65000",   "src_as",        "64512",
          "src_peer_as",     "64513",   "dst_as_path",   "3356-174(64600-64601)",
          "dst_as",          "64601",   "dst_peer_as",   "3356",
          "BGP_communities", "100-200", "BGP_localpref", "150"}},
        {"0:1004 user",
         FLOWR,
         T(0, 1004),
         r_user,
         {"extendedType", "USER", "src_user_charset", "106", "dst_user_charset", "106", "src_user",
          "alice", "dst_user", "bob"}},
        {"0:1005 url",
         FLOWR,
         T(0, 1005),
         r_url,
         {"extendedType", "URL", "url_direction", "2", "url", "/index.html", "host",
          "example.test"}},
        {"0:1006 mpls",
         FLOWR,
         T(0, 1006),
         r_mpls,
         {"extendedType", "MPLS", "mpls_nexthop", "192.0.2.9", "mpls_input_stack", "16.5.1.64",
          "mpls_output_stack", "100.0.0.255-200.1.1.254"}},
        {"0:1007 nat",
         FLOWR,
         T(0, 1007),
         r_nat,
         {"extendedType", "NAT", "nat_src", "203.0.113.5", "nat_dst",
          "2001:0db8:0000:0000:0000:0000:0000:0002"}},
        {"0:1008 mpls tunnel",
         FLOWR,
         T(0, 1008),
         r_mpls_tunnel,
         {"mpls_tunnel_lsp_name", "lsp-east", "mpls_tunnel_id", "7", "mpls_tunnel_cos", "3"}},
        {"0:1009 mpls vc",
         FLOWR,
         T(0, 1009),
         r_mpls_vc,
         {"mpls_vc_name", "vc-1", "mpls_vll_vc_id", "42", "mpls_vc_cos", "5"}},
        {"0:1010 mpls ftn",
         FLOWR,
         T(0, 1010),
         r_mpls_ftn,
         {"mpls_ftn_descr", "ftn-a", "mpls_ftn_mask", "4294967040"}},
        {"0:1011 mpls ldp fec", FLOWR, T(0, 1011), r_mpls_ldp, {"mpls_fec_addr_prefix_len", "24"}},
        {"0:1012 vlan tunnel",
         FLOWR,
         T(0, 1012),
         r_vlan_tunnel,
         {"vlan_tunnel", "0x88a83.0.100-0x81000.1.200"}},
        {"0:1013 80211 payload",
         FLOWR,
         T(0, 1013),
         r_wifi_payload,
         {"cipher_suite", "1027076", "flowSampleType", "HEADER", "headerProtocol", "11", "srcIP",
          "192.0.2.1", "dstIP", "192.0.2.2"}},
        {"0:1014 80211 rx",
         FLOWR,
         T(0, 1014),
         r_wifi_rx,
         {"rx_SSID", "lab", "rx_BSSID", "001b21aabbcc", "rx_version", "4", "rx_channel", "36",
          "rx_speed", "300000000", "rx_rsni", "30", "rx_rcpi", "120", "rx_packet_uS", "250"}},
        {"0:1015 80211 tx",
         FLOWR,
         T(0, 1015),
         r_wifi_tx,
         {"tx_SSID", "lab", "tx_BSSID", "525400123456", "tx_version", "3", "tx_transmissions", "2",
          "tx_packet_uS", "180", "tx_retrans_uS", "90", "tx_channel", "6", "tx_speed", "54000000",
          "tx_power_mW", "100"}},
        {"0:1020 nat port",
         FLOWR,
         T(0, 1020),
         r_nat_port,
         {"extendedType", "NAT PORT", "nat_src_port", "1024", "nat_dst_port", "8080"}},
        {"0:1021 l2 tunnel egress",
         FLOWR,
         T(0, 1021),
         r_ethernet,
         {"flowSampleType", "tunnel_l2_out_ETHERNET", "tunnel_l2_out_ethernet_type", "2048",
          "tunnel_l2_out_ethernet_src", "001b21aabbcc"}},
        {"0:1022 l2 tunnel ingress",
         FLOWR,
         T(0, 1022),
         r_ethernet,
         {"flowSampleType", "tunnel_l2_in_ETHERNET", "tunnel_l2_in_ethernet_len", "1518"}},
        {"0:1023 ipv4 tunnel egress",
         FLOWR,
         T(0, 1023),
         r_ipv4,
         {"flowSampleType", "tunnel_ipv4_out_IPV4", "tunnel_ipv4_out_srcIP", "192.0.2.1",
          "tunnel_ipv4_out_TCPDstPort", "443"}},
        {"0:1024 ipv4 tunnel ingress",
         FLOWR,
         T(0, 1024),
         r_ipv4,
         {"flowSampleType", "tunnel_ipv4_in_IPV4", "tunnel_ipv4_in_dstIP", "198.51.100.7"}},
        {"0:1025 ipv6 tunnel egress",
         FLOWR,
         T(0, 1025),
         r_ipv6,
         {"flowSampleType", "tunnel_ipv6_out_IPV6", "tunnel_ipv6_out_UDPDstPort", "53"}},
        {"0:1026 ipv6 tunnel ingress",
         FLOWR,
         T(0, 1026),
         r_ipv6,
         {"flowSampleType", "tunnel_ipv6_in_IPV6", "tunnel_ipv6_in_priority", "3"}},
        {"0:1027 decap egress",
         FLOWR,
         T(0, 1027),
         r_one,
         {"extendedType", "out_decap", "out_decap_inner_header_offset", "4789"}},
        {"0:1028 decap ingress",
         FLOWR,
         T(0, 1028),
         r_one,
         {"extendedType", "in_decap", "in_decap_inner_header_offset", "4789"}},
        {"0:1029 vni egress",
         FLOWR,
         T(0, 1029),
         r_one,
         {"extendedType", "out_VNI", "out_VNI", "4789"}},
        {"0:1030 vni ingress",
         FLOWR,
         T(0, 1030),
         r_one,
         {"extendedType", "in_VNI", "in_VNI", "4789"}},
        {"0:2100 socket4",
         FLOWR,
         T(0, 2100),
         r_socket4,
         {"extendedType", "socket4", "socket4_ip_protocol", "6", "socket4_local_ip", "192.0.2.10",
          "socket4_remote_ip", "192.0.2.20", "socket4_local_port", "8080", "socket4_remote_port",
          "51000"}},
        {"0:2101 socket6",
         FLOWR,
         T(0, 2101),
         r_socket6,
         {"extendedType", "socket6", "socket6_local_ip", "2001:0db8:0000:0000:0000:0000:0000:0001",
          "socket6_remote_port", "40001"}},
        {"0:2102 proxy socket4",
         FLOWR,
         T(0, 2102),
         r_socket4,
         {"extendedType", "proxy_socket4", "proxy_socket4_remote_ip", "192.0.2.20"}},
        {"0:2103 proxy socket6",
         FLOWR,
         T(0, 2103),
         r_socket6,
         {"extendedType", "proxy_socket6", "proxy_socket6_ip_protocol", "17"}},
        {"0:2200 memcache operation",
         FLOWR,
         T(0, 2200),
         r_memcache_op,
         {"flowSampleType", "memcache", "memcache_op_protocol", "1", "memcache_op_cmd", "7",
          "memcache_op_key", "user+42%2Fa", "memcache_op_nkeys", "1", "memcache_op_value_bytes",
          "512", "memcache_op_duration_uS", "70", "memcache_op_status", "1"}},
        {"0:2201 http request (deprecated)",
         FLOWR,
         T(0, 2201),
         r_http,
         {"flowSampleType", "http",      "http_method", "2",      "http_protocol",    "1001",
          "http_uri",       "/a",        "http_host",   "h.test", "http_useragent",   "curl",
          "http_mimetype",  "text/html", "http_bytes",  "5000",   "http_duration_uS", "1200",
          "http_status",    "200"},
         "http_referrer"},
        {"0:2206 http request",
         FLOWR,
         T(0, 2206),
         r_http2,
         {"http_method", "4", "http_xff", "198.51.100.9", "http_mimetype", "application/json",
          "http_request_bytes", "77", "http_bytes", "88", "http_status", "201"},
         "http_authuser"},
        {"0:2202 app operation",
         FLOWR,
         T(0, 2202),
         r_app,
         {"flowSampleType", "applicationOperation", "application", "payments", "operation",
          "charge", "attributes", "card=visa", "status_descr", "ok", "request_bytes", "100",
          "response_bytes", "200", "duration_uS", "3000", "status", "TIMEOUT"}},
        {"0:2203 app context",
         FLOWR,
         T(0, 2203),
         r_app_ctxt,
         {"server_context_application", "shop", "server_context_operation", "checkout",
          "server_context_attributes", "cart=3"}},
        {"0:2204 app initiator", FLOWR, T(0, 2204), r_actor, {"actor_initiator", "customer-9"}},
        {"0:2205 app target", FLOWR, T(0, 2205), r_actor, {"actor_target", "customer-9"}},
        {"0:2210 entities",
         FLOWR,
         T(0, 2210),
         r_entities,
         {"extendedType", "entities", "entities_src_class", "3", "entities_src_index", "12",
          "entities_dst_class", "3", "entities_dst_index", "13"}},

        {"0:3 tokenring",
         CTRR,
         T(0, 3),
         c_tokenring,
         {"dot5StatsLineErrors", "1000", "dot5StatsReceiveCongestions", "1006",
          "dot5StatsFreqErrors", "1017"}},
        {"0:4 100BaseVG",
         CTRR,
         T(0, 4),
         c_vg,
         {"dot12InHighPriorityFrames", "1", "dot12InHighPriorityOctets", "2",
          "dot12InNormPriorityOctets", "4", "dot12InIPMErrors", "1000",
          "dot12OutHighPriorityFrames", "1004", "dot12OutHighPriorityOctets", "6",
          "dot12TransitionIntoTrainings", "7", "dot12HCOutHighPriorityOctets", "10000000000"}},
        {"0:5 vlan",
         CTRR,
         T(0, 5),
         c_vlan,
         {"in_vlan", "100", "octets", "123456789012", "ucastPkts", "1", "multicastPkts", "2",
          "broadcastPkts", "3", "discards", "4"}},
        {"0:6 ieee80211",
         CTRR,
         T(0, 6),
         c_80211,
         {"dot11TransmittedFragmentCount", "1000", "dot11FCSErrorCount", "1011",
          "dot11QoSCFPollsLostCount", "1019"}},
        {"0:7 lag port",
         CTRR,
         T(0, 7),
         c_lacp,
         {"actorSystemID", "001b21aabbcc", "partnerSystemID", "525400123456", "attachedAggID",
          "501", "actorAdminPortState", "61", "actorOperPortState", "63", "partnerAdminPortState",
          "60", "partnerOperPortState", "62", "LACPDUsRx", "1000", "markerResponsePDUsTx", "1007"}},
        {"0:10 sfp",
         CTRR,
         T(0, 10),
         c_sfp,
         {"sfp_module_id", "3", "sfp_module_total_lanes", "4", "sfp_module_supply_voltage", "3300",
          "sfp_module_temperature", "41250", "sfp_module_active_lanes", "2", "index", "2",
          "tx_bias_current_uA", "201", "rx_wavelength_nM", "209", "tx_power_uW", "102"}},
        {"0:1001 processor",
         CTRR,
         T(0, 1001),
         c_processor,
         {"5s_cpu", "12.50", "1m_cpu", "9.99", "5m_cpu", "unknown", "total_memory_bytes",
          "8589934592", "free_memory_bytes", "4294967296"}},
        {"0:1002 radio",
         CTRR,
         T(0, 1002),
         c_radio,
         {"radio_elapsed_time", "1000", "radio_on_channel_time", "1001",
          "radio_on_channel_busy_time", "1002"}},
        {"0:1004 openflow port",
         CTRR,
         T(0, 1004),
         c_of_port,
         {"openflow_datapath_id", "0000000000abcdef", "openflow_port", "7"}},
        {"2003 host cpu, 68-byte form",
         CTRR,
         T(0, 2003),
         c_host_cpu_short,
         {"cpu_load_one", "1.000", "cpu_load_fifteen", "3.000", "cpu_contexts", "1013"},
         "cpu_steal"},
        {"2105 jvm runtime",
         CTRR,
         T(0, 2105),
         c_jvm,
         {"jvm_name", "OpenJDK", "jvm_vendor", "Debian", "jvm_version", "17"}},
        {"2106 jvm statistics",
         CTRR,
         T(0, 2106),
         c_jmx,
         {"heap_mem_initial", "1048576", "non_heap_mem_max", "8388608", "gc_count", "1000",
          "threads_started", "1008", "fds_open", "1009", "fds_max", "1010"}},
        {"2106 jvm statistics, 100-byte form",
         CTRR,
         T(0, 2106),
         c_jmx_short,
         {"threads_started", "1008"},
         "fds_open"},
        {"2200 memcache (deprecated)",
         CTRR,
         T(0, 2200),
         c_memcache,
         {"memcache_uptime", "1000", "memcache_auth_errors", "1021", "memcache_bytes_read",
          "5000000000", "memcache_bytes_written", "6000000000", "memcache_limit_maxbytes", "1000",
          "memcache_conn_yields", "1004", "memcache_bytes", "7000000000", "memcache_evictions",
          "1002"}},
        {"2201 http counters",
         CTRR,
         T(0, 2201),
         c_http,
         {"http_method_option_count", "1000", "http_methd_connect_count", "1007",
          "http_status_other_count", "1014"}},
        {"2202 app operations",
         CTRR,
         T(0, 2202),
         c_app,
         {"application", "payments", "status_OK", "1000", "errors_UNAUTHORIZED", "1010"}},
        {"2203 app resources",
         CTRR,
         T(0, 2203),
         c_app_res,
         {"user_time", "10", "system_time", "20", "memory_used", "30", "memory_max", "40",
          "files_open", "1000", "connections_max", "1003"}},
        {"2204 memcache",
         CTRR,
         T(0, 2204),
         c_memcache2,
         {"memcache_cmd_set", "1000", "memcache_total_items", "1026", "memcache_bytes_read", "11",
          "memcache_limit_maxbytes", "14"}},
        {"2205 vdi",
         CTRR,
         T(0, 2205),
         c_vdi,
         {"vdi_sessions_current", "1000", "vdi_usb_tx_bytes", "1022"}},
        {"2206 app workers",
         CTRR,
         T(0, 2206),
         c_workers,
         {"workers_active", "1000", "requests_dropped", "1004"}},
        {"2207 ovs datapath",
         CTRR,
         T(0, 2207),
         c_ovsdp,
         {"OVS_dp_hits", "1000", "OVS_dp_masks", "1005"}},
        {"5703:1 nvidia gpu",
         CTRR,
         T(5703, 1),
         c_nvml,
         {"nvml_device_count", "1000", "nvml_mem_mS", "1003", "nvml_mem_bytes_total", "17179869184",
          "nvml_mem_bytes_free", "1073741824", "nvml_fan_speed_pc", "1003"}},
        {"4413:3 broadcom tables",
         CTRR,
         T(4413, 3),
         c_bcm,
         {"bcm_asic_host_entries", "1000", "bcm_acl_egress_slices_max", "1035"}},
};

/* A datagram with one compact sample (0:1 flow or 0:2 counters) holding the record. */
static size_t build(uint8_t *out, const struct rcase *c) {
        struct xdr x = {.n = 0};
        size_t slen, rlen;

        x32(&x, 5);
        x32(&x, 1);
        xip4(&x, 192, 0, 2, 100);
        x32(&x, 0);
        x32(&x, 1);
        x32(&x, 1000);
        x32(&x, 1);
        x32(&x, c->sample_tag);
        slen = x.n;
        x32(&x, 0);
        x32(&x, 9); /* sequence */
        x32(&x, 3); /* source id 0:3 */
        if (c->sample_tag == FLOWR) {
                x32(&x, 10); /* rate */
                x32(&x, 90); /* pool */
                x32(&x, 0);  /* drops */
                x32(&x, 3);  /* input */
                x32(&x, 4);  /* output */
        }
        x32(&x, 1); /* one record */
        x32(&x, c->tag);
        rlen = x.n;
        x32(&x, 0);
        c->build(&x);
        x.b[rlen] = 0;
        {
                uint32_t v = (uint32_t)(x.n - rlen - 4);
                uint8_t *p = x.b + rlen;
                p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
                p[3] = (uint8_t)v;
                v = (uint32_t)(x.n - slen - 4);
                p = x.b + slen;
                p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
                p[3] = (uint8_t)v;
        }
        memcpy(out, x.b, x.n);
        return x.n;
}

static void test_record(void **state) {
        const struct rcase *c = *state;
        uint8_t dg[4096];
        size_t n = build(dg, c);
        char *text = NULL, want[512];
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        struct output out;
        struct recv_info ri = {.from_file = true, .index = 1};
        struct printer p = {.out = &out, .ri = &ri};

        assert_non_null(f);
        assert_int_equal(out_init(&out, OUT_JSON, f, NULL), 0);
        assert_int_equal(print_datagram(&p, dg, n, true), 0);
        out_free(&out);
        fclose(f);
        for (unsigned i = 0; c->expect[i]; i += 2) {
                snprintf(want, sizeof(want), "\"%s\":\"%s\"", c->expect[i], c->expect[i + 1]);
                if (!strstr(text, want))
                        fail_msg("%s: %s not in %s", c->name, want, text);
        }
        if (c->absent) {
                snprintf(want, sizeof(want), "\"%s\":", c->absent);
                if (strstr(text, want))
                        fail_msg("%s: %s printed in %s", c->name, want, text);
        }
        free(text);
}

int main(void) {
        struct CMUnitTest t[sizeof(cases) / sizeof(cases[0])];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                t[i] = (struct CMUnitTest){cases[i].name, test_record, NULL, NULL,
                                           (void *)&cases[i]};
        }
        return _cmocka_run_group_tests("records", t, sizeof(t) / sizeof(t[0]), NULL, NULL);
}
