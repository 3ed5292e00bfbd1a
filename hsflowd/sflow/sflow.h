/* sflow.h - sFlow version 5 wire structures: the one definition shared by agent and collector. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Library rules: no logging, no allocation. Encoders write into a caller-owned buffer through
 * struct sflow_writer and never write past its capacity; decoders read from a caller-owned buffer
 * through struct sflow_reader and never read past its end. Decoded strings and opaque byte arrays
 * point into the datagram (not NUL-terminated): print them with "%.*s".
 */

#define SFLOW_VERSION 5
#define SFLOW_DEFAULT_PORT 6343

/* Tag of a sample or record: enterprise << 12 | format. */
#define SFLOW_TAG(ent, fmt) (((uint32_t)(ent) << 12) | (uint32_t)(fmt))
#define SFLOW_TAG_ENTERPRISE(t) ((t) >> 12)
#define SFLOW_TAG_FORMAT(t) ((t)&0xfffu)

/* Sample types. */
enum {
        SFLOW_SAMPLE_FLOW = SFLOW_TAG(0, 1),              /* compact flow sample */
        SFLOW_SAMPLE_COUNTERS = SFLOW_TAG(0, 2),          /* compact counter sample */
        SFLOW_SAMPLE_FLOW_EXPANDED = SFLOW_TAG(0, 3),     /* what we send */
        SFLOW_SAMPLE_COUNTERS_EXPANDED = SFLOW_TAG(0, 4), /* what we send */
        SFLOW_SAMPLE_DISCARDS = SFLOW_TAG(0, 5),          /* dropped packet notification */
        SFLOW_SAMPLE_RTMETRIC = SFLOW_TAG(4300, 1002),    /* named metrics (json module) */
        SFLOW_SAMPLE_RTFLOW = SFLOW_TAG(4300, 1003),      /* named flow fields (json module) */
};

/* Flow record types. */
enum {
        SFLOW_FLOW_HEADER = SFLOW_TAG(0, 1),
        SFLOW_FLOW_ETHERNET = SFLOW_TAG(0, 2),
        SFLOW_FLOW_IPV4 = SFLOW_TAG(0, 3),
        SFLOW_FLOW_IPV6 = SFLOW_TAG(0, 4),
        SFLOW_FLOW_SWITCH = SFLOW_TAG(0, 1001),
        SFLOW_FLOW_ROUTER = SFLOW_TAG(0, 1002),
        SFLOW_FLOW_GATEWAY = SFLOW_TAG(0, 1003),
        SFLOW_FLOW_USER = SFLOW_TAG(0, 1004),
        SFLOW_FLOW_URL = SFLOW_TAG(0, 1005),
        SFLOW_FLOW_MPLS = SFLOW_TAG(0, 1006),
        SFLOW_FLOW_NAT = SFLOW_TAG(0, 1007),
        SFLOW_FLOW_MPLS_TUNNEL = SFLOW_TAG(0, 1008),
        SFLOW_FLOW_MPLS_VC = SFLOW_TAG(0, 1009),
        SFLOW_FLOW_MPLS_FTN = SFLOW_TAG(0, 1010),
        SFLOW_FLOW_MPLS_LDP_FEC = SFLOW_TAG(0, 1011),
        SFLOW_FLOW_VLAN_TUNNEL = SFLOW_TAG(0, 1012),
        SFLOW_FLOW_WIFI_PAYLOAD = SFLOW_TAG(0, 1013),
        SFLOW_FLOW_WIFI_RX = SFLOW_TAG(0, 1014),
        SFLOW_FLOW_WIFI_TX = SFLOW_TAG(0, 1015),
        SFLOW_FLOW_NAT_PORT = SFLOW_TAG(0, 1020),
        SFLOW_FLOW_L2_TUNNEL_OUT = SFLOW_TAG(0, 1021),
        SFLOW_FLOW_L2_TUNNEL_IN = SFLOW_TAG(0, 1022),
        SFLOW_FLOW_IPV4_TUNNEL_OUT = SFLOW_TAG(0, 1023),
        SFLOW_FLOW_IPV4_TUNNEL_IN = SFLOW_TAG(0, 1024),
        SFLOW_FLOW_IPV6_TUNNEL_OUT = SFLOW_TAG(0, 1025),
        SFLOW_FLOW_IPV6_TUNNEL_IN = SFLOW_TAG(0, 1026),
        SFLOW_FLOW_DECAP_OUT = SFLOW_TAG(0, 1027),
        SFLOW_FLOW_DECAP_IN = SFLOW_TAG(0, 1028),
        SFLOW_FLOW_VNI_OUT = SFLOW_TAG(0, 1029),
        SFLOW_FLOW_VNI_IN = SFLOW_TAG(0, 1030),
        SFLOW_FLOW_SOCKET4 = SFLOW_TAG(0, 2100),
        SFLOW_FLOW_SOCKET6 = SFLOW_TAG(0, 2101),
        SFLOW_FLOW_PROXY_SOCKET4 = SFLOW_TAG(0, 2102),
        SFLOW_FLOW_PROXY_SOCKET6 = SFLOW_TAG(0, 2103),
        SFLOW_FLOW_MEMCACHE = SFLOW_TAG(0, 2200),
        SFLOW_FLOW_HTTP = SFLOW_TAG(0, 2201),
        SFLOW_FLOW_APP = SFLOW_TAG(0, 2202),
        SFLOW_FLOW_APP_CTXT = SFLOW_TAG(0, 2203),
        SFLOW_FLOW_APP_ACTOR_INIT = SFLOW_TAG(0, 2204),
        SFLOW_FLOW_APP_ACTOR_TGT = SFLOW_TAG(0, 2205),
        SFLOW_FLOW_HTTP2 = SFLOW_TAG(0, 2206),
        SFLOW_FLOW_ENTITIES = SFLOW_TAG(0, 2210),
        SFLOW_FLOW_EGRESS_QUEUE = SFLOW_TAG(0, 1036),
        SFLOW_FLOW_FUNCTION = SFLOW_TAG(0, 1038),
        SFLOW_FLOW_TRANSIT = SFLOW_TAG(0, 1039),
        SFLOW_FLOW_QUEUE = SFLOW_TAG(0, 1040),
        SFLOW_FLOW_HW_TRAP = SFLOW_TAG(0, 1041),
        SFLOW_FLOW_LINUX_REASON = SFLOW_TAG(0, 1042),
        SFLOW_FLOW_TIMESTAMP = SFLOW_TAG(0, 1043),
        SFLOW_FLOW_TCP_INFO = SFLOW_TAG(0, 2209),
};

/* Counter record types. */
enum {
        SFLOW_CTR_GENERIC = SFLOW_TAG(0, 1),
        SFLOW_CTR_ETHERNET = SFLOW_TAG(0, 2),
        SFLOW_CTR_TOKENRING = SFLOW_TAG(0, 3),
        SFLOW_CTR_VG = SFLOW_TAG(0, 4),
        SFLOW_CTR_VLAN = SFLOW_TAG(0, 5),
        SFLOW_CTR_80211 = SFLOW_TAG(0, 6),
        SFLOW_CTR_LACP = SFLOW_TAG(0, 7),
        SFLOW_CTR_SFP = SFLOW_TAG(0, 10),
        SFLOW_CTR_PROCESSOR = SFLOW_TAG(0, 1001),
        SFLOW_CTR_RADIO = SFLOW_TAG(0, 1002),
        SFLOW_CTR_OF_PORT = SFLOW_TAG(0, 1004),
        SFLOW_CTR_PORT_NAME = SFLOW_TAG(0, 1005),
        SFLOW_CTR_HOST_DESCR = SFLOW_TAG(0, 2000),
        SFLOW_CTR_HOST_ADAPTERS = SFLOW_TAG(0, 2001),
        SFLOW_CTR_HOST_PARENT = SFLOW_TAG(0, 2002),
        SFLOW_CTR_HOST_CPU = SFLOW_TAG(0, 2003),
        SFLOW_CTR_HOST_MEMORY = SFLOW_TAG(0, 2004),
        SFLOW_CTR_HOST_DISK_IO = SFLOW_TAG(0, 2005),
        SFLOW_CTR_HOST_NET_IO = SFLOW_TAG(0, 2006),
        SFLOW_CTR_MIB2_IP = SFLOW_TAG(0, 2007),
        SFLOW_CTR_MIB2_ICMP = SFLOW_TAG(0, 2008),
        SFLOW_CTR_MIB2_TCP = SFLOW_TAG(0, 2009),
        SFLOW_CTR_MIB2_UDP = SFLOW_TAG(0, 2010),
        SFLOW_CTR_VIRT_NODE = SFLOW_TAG(0, 2100),
        SFLOW_CTR_VIRT_CPU = SFLOW_TAG(0, 2101),
        SFLOW_CTR_VIRT_MEMORY = SFLOW_TAG(0, 2102),
        SFLOW_CTR_VIRT_DISK_IO = SFLOW_TAG(0, 2103),
        SFLOW_CTR_VIRT_NET_IO = SFLOW_TAG(0, 2104),
        SFLOW_CTR_JVM = SFLOW_TAG(0, 2105),
        SFLOW_CTR_JMX = SFLOW_TAG(0, 2106),
        SFLOW_CTR_MEMCACHE = SFLOW_TAG(0, 2200),
        SFLOW_CTR_HTTP = SFLOW_TAG(0, 2201),
        SFLOW_CTR_APP = SFLOW_TAG(0, 2202),
        SFLOW_CTR_APP_RESOURCES = SFLOW_TAG(0, 2203),
        SFLOW_CTR_MEMCACHE2 = SFLOW_TAG(0, 2204),
        SFLOW_CTR_VDI = SFLOW_TAG(0, 2205),
        SFLOW_CTR_APP_WORKERS = SFLOW_TAG(0, 2206),
        SFLOW_CTR_OVS_DP = SFLOW_TAG(0, 2207),
        SFLOW_CTR_GPU_NVML = SFLOW_TAG(5703, 1),
        SFLOW_CTR_BCM_TABLES = SFLOW_TAG(4413, 3),
};

/* Application operation status (2202). */
enum {
        SFLOW_APP_SUCCESS = 0,
        SFLOW_APP_OTHER,
        SFLOW_APP_TIMEOUT,
        SFLOW_APP_INTERNAL_ERROR,
        SFLOW_APP_BAD_REQUEST,
        SFLOW_APP_FORBIDDEN,
        SFLOW_APP_TOO_LARGE,
        SFLOW_APP_NOT_IMPLEMENTED,
        SFLOW_APP_NOT_FOUND,
        SFLOW_APP_UNAVAILABLE,
        SFLOW_APP_UNAUTHORIZED,
        SFLOW_APP_NUM_STATUS,
};
/* Spec string limits of the application structures and of rtmetric/rtflow. */
#define SFLOW_APP_MAX_APPLICATION 32
#define SFLOW_APP_MAX_OPERATION 32
#define SFLOW_APP_MAX_ATTRIBUTES 255
#define SFLOW_APP_MAX_STATUS 32
#define SFLOW_APP_MAX_ACTOR 64
#define SFLOW_RT_MAX_NAME 64
#define SFLOW_RT_MAX_STRING 255

/* Value types of rtmetric (4300:1002) and rtflow (4300:1003) entries. */
enum {
        SFLOW_RTM_STRING = 0,
        SFLOW_RTM_COUNTER32,
        SFLOW_RTM_COUNTER64,
        SFLOW_RTM_GAUGE32,
        SFLOW_RTM_GAUGE64,
        SFLOW_RTM_GAUGE_FLOAT,
        SFLOW_RTM_GAUGE_DOUBLE,
        SFLOW_RTM_NUM_TYPES,
};
enum {
        SFLOW_RTF_STRING = 0,
        SFLOW_RTF_MAC,
        SFLOW_RTF_IP,
        SFLOW_RTF_IP6,
        SFLOW_RTF_INT32,
        SFLOW_RTF_INT64,
        SFLOW_RTF_FLOAT,
        SFLOW_RTF_DOUBLE,
        SFLOW_RTF_NUM_TYPES,
};

/* Data source classes (the high byte of a compact source id). */
enum { SFLOW_DS_IFINDEX = 0, SFLOW_DS_VLAN = 1, SFLOW_DS_PHYSICAL = 2, SFLOW_DS_LOGICAL = 3 };

/* Interface value formats for flow sample input/output (expanded form). */
enum { SFLOW_IF_SINGLE = 0, SFLOW_IF_DISCARD = 1, SFLOW_IF_MULTIPLE = 2 };
#define SFLOW_IF_INTERNAL 0x3fffffffu /* "packet originated/terminated internally" */

/* Header protocols of the 0:1 sampled header record. */
enum { SFLOW_HEADER_ETHERNET = 1, SFLOW_HEADER_IPV4 = 11, SFLOW_HEADER_IPV6 = 12 };

/* host_descr machine_type and os_name enumerations. */
enum {
        SFLOW_MT_UNKNOWN = 0,
        SFLOW_MT_OTHER,
        SFLOW_MT_X86,
        SFLOW_MT_X86_64,
        SFLOW_MT_IA64,
        SFLOW_MT_SPARC,
        SFLOW_MT_ALPHA,
        SFLOW_MT_POWERPC,
        SFLOW_MT_M68K,
        SFLOW_MT_MIPS,
        SFLOW_MT_ARM,
        SFLOW_MT_HPPA,
        SFLOW_MT_S390,
};
enum {
        SFLOW_OS_UNKNOWN = 0,
        SFLOW_OS_OTHER,
        SFLOW_OS_LINUX,
        SFLOW_OS_WINDOWS,
        SFLOW_OS_DARWIN,
        SFLOW_OS_HPUX,
        SFLOW_OS_AIX,
        SFLOW_OS_DRAGONFLY,
        SFLOW_OS_FREEBSD,
        SFLOW_OS_NETBSD,
        SFLOW_OS_OPENBSD,
        SFLOW_OS_OSF,
        SFLOW_OS_SOLARIS,
        SFLOW_OS_JAVA,
};

/* virt_cpu state (libvirt's virDomainState). */
enum {
        SFLOW_VIRT_NOSTATE = 0,
        SFLOW_VIRT_RUNNING,
        SFLOW_VIRT_BLOCKED,
        SFLOW_VIRT_PAUSED,
        SFLOW_VIRT_SHUTDOWN,
        SFLOW_VIRT_SHUTOFF,
        SFLOW_VIRT_CRASHED,
};

/* tcp_info direction. */
enum { SFLOW_TCP_UNKNOWN = 0, SFLOW_TCP_RECEIVED = 1, SFLOW_TCP_SENT = 2 };

/* Capacity limits of the decoded forms (wire data beyond them is skipped and flagged). */
#define SFLOW_MAX_RECORDS 24     /* records per sample */
#define SFLOW_MAX_ADAPTERS 32    /* adapters in 2001 */
#define SFLOW_MAX_MACS 4         /* MACs per adapter in 2001 */
#define SFLOW_MAX_HEADER 256     /* bytes of sampled header we send */
#define SFLOW_MAX_DATAGRAM 65536 /* largest datagram the decoder accepts */

struct sflow_string {
        const char *str; /* not NUL-terminated */
        uint32_t len;
};

struct sflow_address {
        uint32_t type;    /* 0 unknown, 1 IPv4, 2 IPv6 (wire values) */
        uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
};

/* ---- flow records ---- */
struct sflow_flow_header {     /* 0:1 */
        uint32_t protocol;     /* SFLOW_HEADER_* */
        uint32_t frame_length; /* original length of the packet including stripped bytes */
        uint32_t stripped;     /* bytes removed before the header (e.g. FCS = 4) */
        uint32_t header_len;
        const uint8_t *header; /* header_len bytes */
};
struct sflow_flow_timestamp { /* 0:1043 */
        uint64_t nanoseconds; /* since the Unix epoch */
};
struct sflow_flow_tcp_info { /* 0:2209 */
        uint32_t direction;  /* SFLOW_TCP_* */
        uint32_t snd_mss, rcv_mss, unacked, lost, retrans, pmtu, rtt, rttvar, snd_cwnd, reordering,
                min_rtt;
};
struct sflow_flow_egress_queue { /* 0:1036 */
        uint32_t queue;
};
struct sflow_flow_transit { /* 0:1039 */
        uint32_t delay;     /* nanoseconds */
};
struct sflow_flow_queue { /* 0:1040 */
        uint32_t depth;   /* bytes */
};
struct sflow_flow_function { /* 0:1038 */
        struct sflow_string symbol;
};
struct sflow_flow_hw_trap { /* 0:1041 */
        struct sflow_string group, trap;
};
struct sflow_flow_linux_reason { /* 0:1042 */
        struct sflow_string reason;
};

/* Records of the sFlow v5 specification and its extensions (sflow.org), decoded by the collector.
 */
struct sflow_u32_list { /* count big-endian words at raw, in the datagram */
        uint32_t count;
        const uint8_t *raw;
};
struct sflow_flow_ethernet { /* 0:2, and 0:1021/0:1022 (tunnel) */
        uint32_t length;
        uint8_t src[6], dst[6];
        uint32_t type;
};
struct sflow_flow_ipv4 { /* 0:3, and 0:1023/0:1024 (tunnel) */
        uint32_t length, protocol;
        uint8_t src[4], dst[4];
        uint32_t src_port, dst_port, tcp_flags, tos;
};
struct sflow_flow_ipv6 { /* 0:4, and 0:1025/0:1026 (tunnel) */
        uint32_t length, protocol;
        uint8_t src[16], dst[16];
        uint32_t src_port, dst_port, tcp_flags, priority;
};
struct sflow_flow_switch { /* 0:1001 */
        uint32_t src_vlan, src_priority, dst_vlan, dst_priority;
};
struct sflow_flow_router { /* 0:1002 */
        struct sflow_address nexthop;
        uint32_t src_mask, dst_mask;
};
struct sflow_flow_gateway { /* 0:1003 */
        struct sflow_address nexthop;
        uint32_t as, src_as, src_peer_as;
        uint32_t num_segments; /* as-path: segments of { type, count, count words } */
        const uint8_t *segments;
        struct sflow_u32_list communities;
        uint32_t localpref;
};
struct sflow_flow_user { /* 0:1004 */
        uint32_t src_charset;
        struct sflow_string src_user;
        uint32_t dst_charset;
        struct sflow_string dst_user;
};
struct sflow_flow_url { /* 0:1005 */
        uint32_t direction;
        struct sflow_string url, host;
};
struct sflow_flow_mpls { /* 0:1006: label stacks, top first (RFC 3032 words) */
        struct sflow_address nexthop;
        struct sflow_u32_list in_stack, out_stack;
};
struct sflow_flow_nat { /* 0:1007 */
        struct sflow_address src, dst;
};
struct sflow_flow_mpls_name { /* 0:1008 tunnel (name, id, cos), 0:1009 vc, 0:1010 ftn */
        struct sflow_string name;
        uint32_t id, cos; /* 0:1010: mask in id, no cos */
};
struct sflow_flow_vlan_tunnel { /* 0:1012: TPID/TCI words, outermost first */
        struct sflow_u32_list stack;
};
struct sflow_flow_wifi_payload { /* 0:1013 */
        uint32_t cipher_suite;
        struct sflow_flow_header header;
};
struct sflow_flow_wifi_rx { /* 0:1014 */
        struct sflow_string ssid;
        uint8_t bssid[6];
        uint32_t version, channel;
        uint64_t speed;
        uint32_t rsni, rcpi, packet_duration_us;
};
struct sflow_flow_wifi_tx { /* 0:1015 */
        struct sflow_string ssid;
        uint8_t bssid[6];
        uint32_t version, transmissions, packet_duration_us, retrans_duration_us, channel;
        uint64_t speed;
        uint32_t power_mw;
};
struct sflow_flow_socket4 { /* 0:2100, 0:2102 */
        uint32_t protocol;
        uint8_t local[4], remote[4];
        uint32_t local_port, remote_port;
};
struct sflow_flow_socket6 { /* 0:2101, 0:2103 */
        uint32_t protocol;
        uint8_t local[16], remote[16];
        uint32_t local_port, remote_port;
};
struct sflow_flow_memcache { /* 0:2200 */
        uint32_t protocol, command;
        struct sflow_string key;
        uint32_t nkeys, value_bytes, duration_us, status;
};
struct sflow_flow_http { /* 0:2201 (no xff, no req_bytes), 0:2206 */
        uint32_t method, protocol;
        struct sflow_string uri, host, referrer, useragent, xff, authuser, mimetype;
        uint64_t req_bytes, resp_bytes;
        uint32_t duration_us, status;
};
struct sflow_flow_app { /* 0:2202 */
        struct sflow_string application, operation, attributes, status_descr;
        uint64_t req_bytes, resp_bytes;
        uint32_t duration_us;
        uint32_t status; /* SFLOW_APP_* */
};
struct sflow_flow_app_ctxt { /* 0:2203 parent context */
        struct sflow_string application, operation, attributes;
};
struct sflow_flow_app_actor { /* 0:2204 initiator, 0:2205 target */
        struct sflow_string actor;
};
/* One entry of an rtmetric or rtflow sample (kept in the sample's records). */
struct sflow_rt_entry {
        struct sflow_string name; /* [A-Za-z0-9_-]{1,64} */
        uint32_t type;            /* SFLOW_RTM_* or SFLOW_RTF_* by sample type */
        union {
                struct sflow_string str;
                uint32_t u32;
                uint64_t u64;
                float f;
                double d;
                uint8_t bytes[16]; /* mac (6), ip (4), ip6 (16) */
        } v;
};

/* Counter records of 32-bit counters only (0:3, 0:6, 0:1002, 2201, 2205-2207, 4413:3) and flow
 * records of 32-bit words only (0:1011, 0:1020, 0:1027-0:1030, 0:2210): words in wire order. */
#define SFLOW_MAX_WORDS 36
struct sflow_words {
        uint32_t w[SFLOW_MAX_WORDS];
};

/* ---- counter records ---- */
struct sflow_ctr_vg { /* 0:4 */
        uint32_t in_high_frames;
        uint64_t in_high_octets;
        uint32_t in_norm_frames;
        uint64_t in_norm_octets;
        uint32_t in_ipm_errors, in_oversize_errors, in_data_errors, in_null_addressed,
                out_high_frames;
        uint64_t out_high_octets;
        uint32_t transitions_into_training;
        uint64_t hc_in_high_octets, hc_in_norm_octets, hc_out_high_octets;
};
struct sflow_ctr_vlan { /* 0:5 */
        uint32_t vlan_id;
        uint64_t octets;
        uint32_t ucast, mcast, bcast, discards;
};
struct sflow_ctr_lacp { /* 0:7 */
        uint8_t actor_system_id[6], partner_system_id[6];
        uint32_t attached_agg_id;
        uint8_t port_state[4]; /* actor admin, actor oper, partner admin, partner oper */
        uint32_t counters[8];  /* LACPDUs rx, marker rx, marker response rx, unknown rx,
                                  illegal rx, LACPDUs tx, marker tx, marker response tx */
};
struct sflow_ctr_sfp {                                   /* 0:10: optical module and its lanes */
        uint32_t module_id, total_lanes, supply_voltage; /* mV */
        uint32_t temperature;                            /* signed, in 1/1000 degree C */
        struct sflow_u32_list lanes; /* count lanes of 10 words: index, tx bias uA, tx power,
                                        min, max uW, tx wavelength nm, rx power, min, max uW,
                                        rx wavelength nm */
};
struct sflow_ctr_processor {             /* 0:1001 */
        uint32_t cpu_5s, cpu_1m, cpu_5m; /* hundredths of a percent */
        uint64_t total_memory, free_memory;
};
struct sflow_ctr_of_port { /* 0:1004 */
        uint64_t datapath_id;
        uint32_t port;
};
struct sflow_ctr_jvm { /* 2105 */
        struct sflow_string name, vendor, version;
};
struct sflow_ctr_jmx {   /* 2106: fds_open and fds_max were added later */
        uint64_t mem[8]; /* heap initial/used/committed/max, non-heap the same */
        uint32_t w[11];  /* gc_count ... fds_max */
};
struct sflow_ctr_memcache { /* 2200 (deprecated) */
        uint32_t a[22];
        uint64_t bytes_read, bytes_written;
        uint32_t b[5];
        uint64_t bytes;
        uint32_t c[3];
};
struct sflow_ctr_memcache2 { /* 2204 */
        uint32_t a[27];
        uint64_t b[4];
};
struct sflow_ctr_app { /* 2202 */
        struct sflow_string application;
        uint32_t success, other, timeout, internal_error, bad_request, forbidden, too_large,
                not_implemented, not_found, unavailable, unauthorized;
};
struct sflow_ctr_app_resources {         /* 2203 */
        uint32_t user_time, system_time; /* ms */
        uint64_t mem_used, mem_max;
        uint32_t fd_open, fd_max, conn_open, conn_max;
};
struct sflow_ctr_app_workers { /* 2206 */
        uint32_t workers_active, workers_idle, workers_max, req_delayed, req_dropped;
};
struct sflow_ctr_gpu_nvml { /* 5703:1 */
        uint32_t a[4];
        uint64_t mem_total, mem_free;
        uint32_t b[4];
};

struct sflow_ctr_generic { /* 0:1 */
        uint32_t if_index, if_type;
        uint64_t if_speed;
        uint32_t if_direction; /* 0 unknown, 1 full, 2 half, 3 in, 4 out */
        uint32_t if_status;    /* bit 0 admin up, bit 1 oper up */
        uint64_t in_octets;
        uint32_t in_ucast, in_mcast, in_bcast, in_discards, in_errors, in_unknown_protos;
        uint64_t out_octets;
        uint32_t out_ucast, out_mcast, out_bcast, out_discards, out_errors;
        uint32_t promiscuous;
};
struct sflow_ctr_ethernet { /* 0:2 */
        uint32_t alignment_errors, fcs_errors, single_collision_frames, multiple_collision_frames,
                sqe_test_errors, deferred_transmissions, late_collisions, excessive_collisions,
                internal_mac_transmit_errors, carrier_sense_errors, frame_too_longs,
                internal_mac_receive_errors, symbol_errors;
};
struct sflow_ctr_port_name {      /* 0:1005 */
        struct sflow_string name; /* up to 255 */
};
struct sflow_ctr_host_descr {         /* 2000 */
        struct sflow_string hostname; /* up to 64 */
        uint8_t uuid[16];
        uint32_t machine_type;          /* SFLOW_MT_* */
        uint32_t os_name;               /* SFLOW_OS_* */
        struct sflow_string os_release; /* up to 32 */
};
struct sflow_adapter {
        uint32_t if_index;
        uint32_t num_macs; /* on the wire; at most SFLOW_MAX_MACS are kept */
        uint8_t macs[SFLOW_MAX_MACS][6];
};
struct sflow_ctr_host_adapters { /* 2001 */
        uint32_t num_adapters;   /* on the wire; at most SFLOW_MAX_ADAPTERS are kept */
        /* The encoder reads min(num_adapters, SFLOW_MAX_ADAPTERS) entries here; the decoder
         * points it at the sample's adapter_store. Kept out of the record so that records stay
         * small (samples are copied while enrichers hold them). */
        const struct sflow_adapter *adapters;
};
struct sflow_ctr_host_parent {    /* 2002 */
        uint32_t container_type;  /* data source class of the parent (2) */
        uint32_t container_index; /* its index (1) */
};
struct sflow_ctr_host_cpu { /* 2003 */
        float load_one, load_five, load_fifteen;
        uint32_t proc_run, proc_total, cpu_num, cpu_speed /* MHz */, uptime /* s */;
        uint32_t cpu_user, cpu_nice, cpu_system, cpu_idle, cpu_wio, cpu_intr, cpu_sintr; /* ms */
        uint32_t interrupts, contexts;
        uint32_t cpu_steal, cpu_guest, cpu_guest_nice; /* ms */
};
struct sflow_ctr_host_memory { /* 2004: bytes, and pages */
        uint64_t mem_total, mem_free, mem_shared, mem_buffers, mem_cached, swap_total, swap_free;
        uint32_t page_in, page_out, swap_in, swap_out;
};
struct sflow_ctr_host_disk_io { /* 2005 */
        uint64_t disk_total, disk_free;
        uint32_t part_max_used; /* percent * 100 */
        uint32_t reads;
        uint64_t bytes_read;
        uint32_t read_time; /* ms */
        uint32_t writes;
        uint64_t bytes_written;
        uint32_t write_time; /* ms */
};
struct sflow_ctr_host_net_io { /* 2006 */
        uint64_t bytes_in;
        uint32_t pkts_in, errs_in, drops_in;
        uint64_t bytes_out;
        uint32_t pkts_out, errs_out, drops_out;
};
struct sflow_ctr_mib2_ip { /* 2007 */
        uint32_t forwarding, default_ttl, in_receives, in_hdr_errors, in_addr_errors,
                forw_datagrams, in_unknown_protos, in_discards, in_delivers, out_requests,
                out_discards, out_no_routes, reasm_timeout, reasm_reqds, reasm_oks, reasm_fails,
                frag_oks, frag_fails, frag_creates;
};
struct sflow_ctr_mib2_icmp { /* 2008 */
        uint32_t in_msgs, in_errors, in_dest_unreachs, in_time_excds, in_param_probs,
                in_src_quenchs, in_redirects, in_echos, in_echo_reps, in_timestamps, in_addr_masks,
                in_addr_mask_reps, out_msgs, out_errors, out_dest_unreachs, out_time_excds,
                out_param_probs, out_src_quenchs, out_redirects, out_echos, out_echo_reps,
                out_timestamps, out_timestamp_reps, out_addr_masks, out_addr_mask_reps;
};
struct sflow_ctr_mib2_tcp { /* 2009 */
        uint32_t rto_algorithm, rto_min, rto_max, max_conn, active_opens, passive_opens,
                attempt_fails, estab_resets, curr_estab, in_segs, out_segs, retrans_segs, in_errs,
                out_rsts, in_csum_errs;
};
struct sflow_ctr_mib2_udp { /* 2010 */
        uint32_t in_datagrams, no_ports, in_errors, out_datagrams, rcvbuf_errors, sndbuf_errors,
                in_csum_errors;
};
struct sflow_ctr_virt_node { /* 2100 */
        uint32_t mhz, cpus;
        uint64_t memory, memory_free;
        uint32_t num_domains;
};
struct sflow_ctr_virt_cpu { /* 2101 */
        uint32_t state;     /* SFLOW_VIRT_* */
        uint32_t cpu_time;  /* ms */
        uint32_t nr_virt_cpu;
};
struct sflow_ctr_virt_memory { /* 2102 */
        uint64_t memory, max_memory;
};
struct sflow_ctr_virt_disk_io { /* 2103 */
        uint64_t capacity, allocation, available;
        uint32_t rd_req;
        uint64_t rd_bytes;
        uint32_t wr_req;
        uint64_t wr_bytes;
        uint32_t errs;
};
struct sflow_ctr_virt_net_io { /* 2104 */
        uint64_t rx_bytes;
        uint32_t rx_packets, rx_errs, rx_drop;
        uint64_t tx_bytes;
        uint32_t tx_packets, tx_errs, tx_drop;
};

/* One record of a sample: tag selects the union member. */
struct sflow_record {
        uint32_t tag;
        /* decoder only: */
        uint32_t length;    /* bytes of record data on the wire */
        uint32_t offset;    /* of the record's tag in the datagram */
        bool known;         /* false: tag not understood, raw holds the bytes */
        bool truncated;     /* wire data exceeded SFLOW_MAX_* and was cut */
        const uint8_t *raw; /* record data (length bytes) */
        union {
                struct sflow_flow_header header;
                struct sflow_flow_timestamp timestamp;
                struct sflow_flow_tcp_info tcp_info;
                struct sflow_flow_egress_queue egress_queue;
                struct sflow_flow_transit transit;
                struct sflow_flow_queue queue;
                struct sflow_flow_function function;
                struct sflow_flow_hw_trap hw_trap;
                struct sflow_flow_linux_reason linux_reason;
                struct sflow_flow_ethernet ethernet_frame;
                struct sflow_flow_ipv4 ipv4;
                struct sflow_flow_ipv6 ipv6;
                struct sflow_flow_switch ex_switch;
                struct sflow_flow_router router;
                struct sflow_flow_gateway gateway;
                struct sflow_flow_user user;
                struct sflow_flow_url url;
                struct sflow_flow_mpls mpls;
                struct sflow_flow_nat nat;
                struct sflow_flow_mpls_name mpls_name;
                struct sflow_flow_vlan_tunnel vlan_tunnel;
                struct sflow_flow_wifi_payload wifi_payload;
                struct sflow_flow_wifi_rx wifi_rx;
                struct sflow_flow_wifi_tx wifi_tx;
                struct sflow_flow_socket4 socket4;
                struct sflow_flow_socket6 socket6;
                struct sflow_flow_memcache memcache_op;
                struct sflow_flow_http http;
                struct sflow_flow_app app_op;
                struct sflow_flow_app_ctxt app_ctxt;
                struct sflow_flow_app_actor app_actor;
                struct sflow_rt_entry rt; /* entries of 4300:1002 and 4300:1003 samples */
                struct sflow_words words;

                struct sflow_ctr_generic generic;
                struct sflow_ctr_ethernet ethernet;
                struct sflow_ctr_port_name port_name;
                struct sflow_ctr_host_descr host_descr;
                struct sflow_ctr_host_adapters host_adapters;
                struct sflow_ctr_host_parent host_parent;
                struct sflow_ctr_host_cpu host_cpu;
                struct sflow_ctr_host_memory host_memory;
                struct sflow_ctr_host_disk_io host_disk_io;
                struct sflow_ctr_host_net_io host_net_io;
                struct sflow_ctr_mib2_ip mib2_ip;
                struct sflow_ctr_mib2_icmp mib2_icmp;
                struct sflow_ctr_mib2_tcp mib2_tcp;
                struct sflow_ctr_mib2_udp mib2_udp;
                struct sflow_ctr_virt_node virt_node;
                struct sflow_ctr_virt_cpu virt_cpu;
                struct sflow_ctr_virt_memory virt_memory;
                struct sflow_ctr_virt_disk_io virt_disk_io;
                struct sflow_ctr_virt_net_io virt_net_io;
                struct sflow_ctr_vg vg;
                struct sflow_ctr_vlan vlan;
                struct sflow_ctr_lacp lacp;
                struct sflow_ctr_sfp sfp;
                struct sflow_ctr_processor processor;
                struct sflow_ctr_of_port of_port;
                struct sflow_ctr_jvm jvm;
                struct sflow_ctr_jmx jmx;
                struct sflow_ctr_memcache memcache;
                struct sflow_ctr_memcache2 memcache2;
                struct sflow_ctr_app app;
                struct sflow_ctr_app_resources app_resources;
                struct sflow_ctr_app_workers app_workers;
                struct sflow_ctr_gpu_nvml gpu_nvml;
        } u;
};

/*
 * A sample. The encoder uses the expanded forms (0:3, 0:4) and 0:5; the decoder also reads the
 * compact forms (0:1, 0:2) into the same fields. Which fields apply depends on tag.
 */
struct sflow_sample {
        uint32_t tag; /* SFLOW_SAMPLE_* */
        uint32_t sequence;
        uint32_t ds_class, ds_index;
        /* flow samples and discards */
        uint32_t sampling_rate, sample_pool, drops;
        uint32_t input_format, input; /* SFLOW_IF_* and value (discards: plain ifindex) */
        uint32_t output_format, output;
        uint32_t reason;                   /* discards only */
        struct sflow_string rt_datasource; /* rtmetric/rtflow (which also use sampling_rate and
                                            * sample_pool); their entries are the records */
        /* records */
        uint32_t num_records; /* on the wire; at most SFLOW_MAX_RECORDS are kept */
        struct sflow_record records[SFLOW_MAX_RECORDS];
        /* decoder only */
        uint32_t length, offset; /* bytes of sample data; offset of the sample's tag */
        bool known;              /* false: sample type not understood, skipped by length */
        const uint8_t *raw;      /* sample data (length bytes) */
        bool truncated;          /* num_records > SFLOW_MAX_RECORDS: the rest was skipped */
        /* decoder's storage for the adapters of a 2001 record (one per sample; a second 2001
         * record in the same sample is returned with truncated set and no adapters) */
        struct sflow_adapter adapter_store[SFLOW_MAX_ADAPTERS];
};

struct sflow_datagram {
        uint32_t version;
        struct sflow_address agent;
        uint32_t sub_agent_id;
        uint32_t sequence;
        uint32_t uptime_ms;
        uint32_t num_samples;
};

/* ---- encoder (encode.c) ---- */
struct sflow_writer {
        uint8_t *buf;
        size_t cap, len;
        bool overflow; /* a write did not fit; len is unchanged by that write */
};

static inline void sflow_writer_init(struct sflow_writer *w, void *buf, size_t cap) {
        w->buf = buf;
        w->cap = cap;
        w->len = 0;
        w->overflow = false;
}

/* Each returns 0, or -ENOSPC when it would not fit (the writer is then rolled back to where it
 * was before the call, bytes before that point untouched, and overflow set), or -EINVAL (also
 * rolled back, overflow not set) for an unknown sample type, an unknown record without raw
 * bytes, an agent address type other than 0/1/2, or a value that does not fit a compact field.
 * Samples: any SFLOW_SAMPLE_* tag (the agent sends 0:3, 0:4, 0:5; compact 0:1/0:2 pack
 * ds_class:8/ds_index:24 and format:2/value:30). Records are flow or counter records according
 * to the sample tag; at most SFLOW_MAX_RECORDS / _ADAPTERS / _MACS are written and the counts on
 * the wire say how many. A record whose tag the encoder does not know is written from raw
 * (length bytes) when raw is set, so decoded records can be forwarded unchanged. Strings are cut
 * to the spec limits (hostname 64, os_release 32, port name 255); a NULL str is an empty string.
 * The input, length, offset, known and truncated fields are ignored. */
int sflow_encode_datagram_header(struct sflow_writer *w, const struct sflow_datagram *d);
int sflow_encode_sample(struct sflow_writer *w, const struct sflow_sample *s);
/* Rewrite the num_samples field of a datagram header already at the start of buf (the agent
 * address type is read from buf). */
void sflow_set_num_samples(uint8_t *buf, uint32_t n);
/* Size in bytes of the encoded datagram header for the agent address type (IPv4 28, IPv6 40);
 * num_samples is its last field, at sflow_datagram_header_size() - 4. */
size_t sflow_datagram_header_size(const struct sflow_address *agent);

#include "sflow-decode.h" /* the decoder */

/* Names for logs and output. */
const char *sflow_record_name(uint32_t sample_tag, uint32_t record_tag);
const char *sflow_sample_name(uint32_t sample_tag);
/* The reason codes of the sFlow Dropped Packet Notification Structures: the name of a code
 * (NULL when unknown), and the code of a name, case-insensitive (-1 when unknown). */
const char *sflow_drop_reason_name(uint32_t code);
int sflow_drop_reason_code(const char *name);

/* How the value of an rtmetric (metric true) or rtflow entry of a type goes on the wire; -1 for
 * a type the sample does not define. *nbytes is the size of an SFLOW_RT_V_BYTES value. */
enum sflow_rt_value {
        SFLOW_RT_V_STRING,
        SFLOW_RT_V_U32,
        SFLOW_RT_V_U64,
        SFLOW_RT_V_FLOAT,
        SFLOW_RT_V_DOUBLE,
        SFLOW_RT_V_BYTES
};
int sflow_rt_value_kind(bool metric, uint32_t type, size_t *nbytes);
