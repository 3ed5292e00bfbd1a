/* records.h - the records test_records.c builds from the specification's layouts
 * (records-layout.c): each builder writes a record's content, after its tag and length, word by
 * word, with the XDR writer of xdr.h. */
#ifndef TESTS_UNIT_RECORDS_H
#define TESTS_UNIT_RECORDS_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xdr.h"

static const uint8_t mac1[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
static const uint8_t mac2[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t ip6a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static inline void xip4(struct xdr *x, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
        uint8_t ip[4] = {a, b, c, d};
        xbytes(x, ip, 4);
}

void r_ethernet(struct xdr *x);
void r_ipv4(struct xdr *x);
void r_ipv6(struct xdr *x);
void r_switch(struct xdr *x);
void r_router(struct xdr *x);
void r_gateway(struct xdr *x);
void r_user(struct xdr *x);
void r_url(struct xdr *x);
void r_mpls(struct xdr *x);
void r_nat(struct xdr *x);
void r_mpls_tunnel(struct xdr *x);
void r_mpls_vc(struct xdr *x);
void r_mpls_ftn(struct xdr *x);
void r_mpls_ldp(struct xdr *x);
void r_vlan_tunnel(struct xdr *x);
void r_wifi_payload(struct xdr *x);
void r_wifi_rx(struct xdr *x);
void r_wifi_tx(struct xdr *x);
void r_nat_port(struct xdr *x);
void r_one(struct xdr *x);
void r_socket4(struct xdr *x);
void r_socket6(struct xdr *x);
void r_memcache_op(struct xdr *x);
void r_http(struct xdr *x);
void r_http2(struct xdr *x);
void r_app(struct xdr *x);
void r_app_ctxt(struct xdr *x);
void r_actor(struct xdr *x);
void r_entities(struct xdr *x);
void c_tokenring(struct xdr *x);
void c_80211(struct xdr *x);
void c_radio(struct xdr *x);
void c_http(struct xdr *x);
void c_vdi(struct xdr *x);
void c_workers(struct xdr *x);
void c_ovsdp(struct xdr *x);
void c_bcm(struct xdr *x);
void c_vg(struct xdr *x);
void c_vlan(struct xdr *x);
void c_lacp(struct xdr *x);
void c_sfp(struct xdr *x);
void c_processor(struct xdr *x);
void c_of_port(struct xdr *x);
void c_jvm(struct xdr *x);
void c_jmx(struct xdr *x);
void c_jmx_short(struct xdr *x);
void c_memcache(struct xdr *x);
void c_memcache2(struct xdr *x);
void c_app(struct xdr *x);
void c_app_res(struct xdr *x);
void c_nvml(struct xdr *x);
void c_host_cpu_short(struct xdr *x);

#endif
