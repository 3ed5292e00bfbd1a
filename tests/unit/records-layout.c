/* records-layout.c - the records of other agents' structures that test_records.c checks,
 * written word by word from the specification's XDR layouts (sFlow v5, sflow.org extensions). */
#include "records.h"

/* ---- flow records: content after tag and length ---- */
void r_ethernet(struct xdr *x) { /* sampled_ethernet: length, src mac, dst mac, type */
        x32(x, 1518);
        xbytes(x, mac1, 6);
        xbytes(x, mac2, 6);
        x32(x, 0x0800);
}
void r_ipv4(struct xdr *x) { /* length, protocol, src, dst, src_port, dst_port, flags, tos */
        x32(x, 60);
        x32(x, 6);
        xip4(x, 192, 0, 2, 1);
        xip4(x, 198, 51, 100, 7);
        x32(x, 40000);
        x32(x, 443);
        x32(x, 0x02);
        x32(x, 0x10);
}
void r_ipv6(struct xdr *x) { /* length, protocol, src, dst, ports, flags, priority */
        x32(x, 1280);
        x32(x, 17);
        xbytes(x, ip6a, 16);
        xbytes(x, ip6b, 16);
        x32(x, 5353);
        x32(x, 53);
        x32(x, 0);
        x32(x, 3);
}
void r_switch(struct xdr *x) {
        x32(x, 10);
        x32(x, 1);
        x32(x, 20);
        x32(x, 2);
}
void r_router(struct xdr *x) { /* next_hop (address), src_mask_len, dst_mask_len */
        x32(x, 1);
        xip4(x, 192, 0, 2, 254);
        x32(x, 24);
        x32(x, 16);
}
void r_gateway(struct xdr *x) {
        x32(x, 1); /* next hop */
        xip4(x, 198, 51, 100, 1);
        x32(x, 65000); /* as */
        x32(x, 64512); /* src_as */
        x32(x, 64513); /* src_peer_as */
        x32(x, 2);     /* segments */
        x32(x, 2);     /* AS_SEQUENCE */
        x32(x, 2);
        x32(x, 3356);
        x32(x, 174);
        x32(x, 1); /* AS_SET */
        x32(x, 2);
        x32(x, 64600);
        x32(x, 64601);
        x32(x, 2); /* communities */
        x32(x, 100);
        x32(x, 200);
        x32(x, 150); /* localpref */
}
void r_user(struct xdr *x) {
        x32(x, 106);
        xstr(x, "alice");
        x32(x, 106);
        xstr(x, "bob");
}
void r_url(struct xdr *x) {
        x32(x, 2);
        xstr(x, "/index.html");
        xstr(x, "example.test");
}
void r_mpls(struct xdr *x) {
        x32(x, 1);
        xip4(x, 192, 0, 2, 9);
        x32(x, 1);                                  /* in stack depth */
        x32(x, 16u << 12 | 5u << 9 | 1u << 8 | 64); /* label 16 exp 5 bos ttl 64 */
        x32(x, 2);
        x32(x, 100u << 12 | 0 << 9 | 0 << 8 | 255);
        x32(x, 200u << 12 | 1 << 9 | 1 << 8 | 254);
}
void r_nat(struct xdr *x) {
        x32(x, 1);
        xip4(x, 203, 0, 113, 5);
        x32(x, 2);
        xbytes(x, ip6b, 16);
}
void r_mpls_tunnel(struct xdr *x) {
        xstr(x, "lsp-east");
        x32(x, 7);
        x32(x, 3);
}
void r_mpls_vc(struct xdr *x) {
        xstr(x, "vc-1");
        x32(x, 42);
        x32(x, 5);
}
void r_mpls_ftn(struct xdr *x) {
        xstr(x, "ftn-a");
        x32(x, 0xffffff00);
}
void r_mpls_ldp(struct xdr *x) {
        x32(x, 24);
}
void r_vlan_tunnel(struct xdr *x) {
        x32(x, 2);
        x32(x, 0x88a8u << 16 | 3u << 13 | 0u << 12 | 100);
        x32(x, 0x8100u << 16 | 0u << 13 | 1u << 12 | 200);
}
void r_wifi_payload(struct xdr *x) {
        static const uint8_t pkt[20] = {0x45, 0, 0,   20, 0, 0, 0,   0, 64, 17,
                                        0,    0, 192, 0,  2, 1, 192, 0, 2,  2};
        x32(x, 0x000fac04); /* cipher suite */
        x32(x, 11);         /* header protocol IPv4 */
        x32(x, 20);
        x32(x, 0);
        x32(x, 20);
        xbytes(x, pkt, 20);
}
void r_wifi_rx(struct xdr *x) {
        xstr(x, "lab");
        xbytes(x, mac1, 6);
        x32(x, 4);
        x32(x, 36);
        x64(x, 300000000);
        x32(x, 30);
        x32(x, 120);
        x32(x, 250);
}
void r_wifi_tx(struct xdr *x) {
        xstr(x, "lab");
        xbytes(x, mac2, 6);
        x32(x, 3);
        x32(x, 2);
        x32(x, 180);
        x32(x, 90);
        x32(x, 6);
        x64(x, 54000000);
        x32(x, 100);
}
void r_nat_port(struct xdr *x) {
        x32(x, 1024);
        x32(x, 8080);
}
void r_one(struct xdr *x) {
        x32(x, 4789);
}
void r_socket4(struct xdr *x) {
        x32(x, 6);
        xip4(x, 192, 0, 2, 10);
        xip4(x, 192, 0, 2, 20);
        x32(x, 8080);
        x32(x, 51000);
}
void r_socket6(struct xdr *x) {
        x32(x, 17);
        xbytes(x, ip6a, 16);
        xbytes(x, ip6b, 16);
        x32(x, 53);
        x32(x, 40001);
}
void r_memcache_op(struct xdr *x) {
        x32(x, 1);
        x32(x, 7);
        xstr(x, "user 42/a");
        x32(x, 1);
        x32(x, 512);
        x32(x, 70);
        x32(x, 1);
}
void r_http(struct xdr *x) { /* 0:2201: method protocol uri host referrer useragent authuser
                                       mimetype bytes uS status */
        x32(x, 2);
        x32(x, 1001);
        xstr(x, "/a");
        xstr(x, "h.test");
        xstr(x, "");
        xstr(x, "curl");
        xstr(x, "");
        xstr(x, "text/html");
        x64(x, 5000);
        x32(x, 1200);
        x32(x, 200);
}
void r_http2(struct xdr *x) { /* 0:2206 adds xff after useragent and req_bytes */
        x32(x, 4);
        x32(x, 2000);
        xstr(x, "/post");
        xstr(x, "h.test");
        xstr(x, "");
        xstr(x, "curl");
        xstr(x, "198.51.100.9");
        xstr(x, "");
        xstr(x, "application/json");
        x64(x, 77);
        x64(x, 88);
        x32(x, 900);
        x32(x, 201);
}
void r_app(struct xdr *x) {
        xstr(x, "payments");
        xstr(x, "charge");
        xstr(x, "card=visa");
        xstr(x, "ok");
        x64(x, 100);
        x64(x, 200);
        x32(x, 3000);
        x32(x, 2);
}
void r_app_ctxt(struct xdr *x) {
        xstr(x, "shop");
        xstr(x, "checkout");
        xstr(x, "cart=3");
}
void r_actor(struct xdr *x) {
        xstr(x, "customer-9");
}
void r_entities(struct xdr *x) {
        x32(x, 3);
        x32(x, 12);
        x32(x, 3);
        x32(x, 13);
}

/* ---- counter records ---- */
static void c_seq(struct xdr *x, unsigned n) { /* n counters 1000+i */
        for (unsigned i = 0; i < n; i++)
                x32(x, 1000 + i);
}
void c_tokenring(struct xdr *x) {
        c_seq(x, 18);
}
void c_80211(struct xdr *x) {
        c_seq(x, 20);
}
void c_radio(struct xdr *x) {
        c_seq(x, 3);
}
void c_http(struct xdr *x) {
        c_seq(x, 15);
}
void c_vdi(struct xdr *x) {
        c_seq(x, 23);
}
void c_workers(struct xdr *x) {
        c_seq(x, 5);
}
void c_ovsdp(struct xdr *x) {
        c_seq(x, 6);
}
void c_bcm(struct xdr *x) {
        c_seq(x, 36);
}
void c_vg(struct xdr *x) {
        x32(x, 1);
        x64(x, 2);
        x32(x, 3);
        x64(x, 4);
        c_seq(x, 5);
        x64(x, 6);
        x32(x, 7);
        x64(x, 8);
        x64(x, 9);
        x64(x, 10000000000ull);
}
void c_vlan(struct xdr *x) {
        x32(x, 100);
        x64(x, 123456789012ull);
        x32(x, 1);
        x32(x, 2);
        x32(x, 3);
        x32(x, 4);
}
void c_lacp(struct xdr *x) {
        static const uint8_t state[4] = {0x3d, 0x3f, 0x3c, 0x3e};
        xbytes(x, mac1, 6);
        xbytes(x, mac2, 6);
        x32(x, 501);
        xbytes(x, state, 4);
        c_seq(x, 8);
}
void c_sfp(struct xdr *x) { /* module id, lanes, mV, temperature, 2 lanes of 10 */
        x32(x, 3);
        x32(x, 4);
        x32(x, 3300);
        x32(x, 41250);
        x32(x, 2);
        for (unsigned l = 0; l < 2; l++) {
                x32(x, l + 1);
                for (unsigned w = 1; w < 10; w++)
                        x32(x, 100 * (l + 1) + w);
        }
}
void c_processor(struct xdr *x) {
        x32(x, 1250);
        x32(x, 999);
        x32(x, 0xffffffff);
        x64(x, 8589934592ull);
        x64(x, 4294967296ull);
}
void c_of_port(struct xdr *x) {
        x64(x, 0x0000000000abcdefull);
        x32(x, 7);
}
void c_jvm(struct xdr *x) {
        xstr(x, "OpenJDK");
        xstr(x, "Debian");
        xstr(x, "17");
}
void c_jmx(struct xdr *x) {
        for (unsigned i = 0; i < 8; i++)
                x64(x, (uint64_t)(i + 1) << 20);
        c_seq(x, 11);
}
void c_jmx_short(struct xdr *x) { /* before fds_open/fds_max: 100 bytes */
        for (unsigned i = 0; i < 8; i++)
                x64(x, (uint64_t)(i + 1) << 20);
        c_seq(x, 9);
}
void c_memcache(struct xdr *x) {
        c_seq(x, 22);
        x64(x, 5000000000ull);
        x64(x, 6000000000ull);
        c_seq(x, 5);
        x64(x, 7000000000ull);
        c_seq(x, 3);
}
void c_memcache2(struct xdr *x) {
        c_seq(x, 27);
        x64(x, 11);
        x64(x, 12);
        x64(x, 13);
        x64(x, 14);
}
void c_app(struct xdr *x) {
        xstr(x, "payments");
        c_seq(x, 11);
}
void c_app_res(struct xdr *x) {
        x32(x, 10);
        x32(x, 20);
        x64(x, 30);
        x64(x, 40);
        c_seq(x, 4);
}
void c_nvml(struct xdr *x) {
        c_seq(x, 4);
        x64(x, 17179869184ull);
        x64(x, 1073741824ull);
        c_seq(x, 4);
}
void c_host_cpu_short(struct xdr *x) { /* 2003 before 2014: 68 bytes */
        x32(x, 0x3f800000);            /* 1.0 */
        x32(x, 0x40000000);            /* 2.0 */
        x32(x, 0x40400000);            /* 3.0 */
        c_seq(x, 14);
}
