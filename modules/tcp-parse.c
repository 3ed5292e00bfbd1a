/* tcp-parse.c - the TCP 4-tuple of a sampled header (by the shared header walker), and the
 * inet_diag request for it. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "sflow/header-walk.h"
#include "tcp.h"

#define TCP_STATE_ESTABLISHED 1

int hsp_tcp_parse_header(uint32_t protocol, const uint8_t *hdr, size_t len,
                         struct hsp_tcp_tuple *ret) {
        struct hdr_walk w;
        enum hdr_link link;

        if (!hdr)
                return -EBADMSG;
        switch (protocol) {
        case SFLOW_HEADER_ETHERNET:
                link = HDR_LINK_ETHERNET;
                break;
        case SFLOW_HEADER_IPV4:
                link = HDR_LINK_IPV4;
                break;
        case SFLOW_HEADER_IPV6:
                link = HDR_LINK_IPV6;
                break;
        default:
                return -EPROTONOSUPPORT;
        }
        hdr_walk(link, hdr, len, &w);
        if (!w.ip) /* not IP (-ENOMSG), or an IP header cut short or malformed */
                return w.stop == HDR_STOP_NOT_IP || w.stop == HDR_STOP_TOO_DEEP ? -ENOMSG
                                                                                : -EBADMSG;
        /* IPv4 names the protocol in its fixed header; IPv6 only after the extension headers */
        bool known = w.stop != HDR_STOP_TRUNCATED || w.ip_version == 4;
        if (known && (w.protocol != IPPROTO_TCP || hdr_walk_later_fragment(&w) ||
                      w.stop == HDR_STOP_TOO_DEEP))
                return -ENOMSG;
        if (w.stop != HDR_STOP_L4 || len - w.l4_offset < 4)
                return -EBADMSG;

        const uint8_t *ip = hdr + w.l3_offset, *l4 = hdr + w.l4_offset;
        struct hsp_tcp_tuple t = {.family = w.ip_version == 4 ? AF_INET : AF_INET6};
        size_t alen = t.family == AF_INET ? 4 : 16;
        memcpy(t.src, ip + (t.family == AF_INET ? 12 : 8), alen);
        memcpy(t.dst, ip + (t.family == AF_INET ? 16 : 24), alen);
        t.sport = (uint16_t)(l4[0] << 8 | l4[1]);
        t.dport = (uint16_t)(l4[2] << 8 | l4[3]);
        *ret = t;
        return 0;
}

void hsp_tcp_diag_request(const struct hsp_tcp_tuple *t, bool sent, uint32_t ifindex,
                          struct inet_diag_req_v2 *ret) {
        struct inet_diag_req_v2 req = {
                .sdiag_family = t->family,
                .sdiag_protocol = IPPROTO_TCP,
                .idiag_ext = 1 << (INET_DIAG_INFO - 1),
                .idiag_states = 1 << TCP_STATE_ESTABLISHED,
        };
        size_t alen = t->family == AF_INET ? 4 : 16;
        const uint8_t *local = sent ? t->src : t->dst, *remote = sent ? t->dst : t->src;
        memcpy(req.id.idiag_src, local, alen);
        memcpy(req.id.idiag_dst, remote, alen);
        req.id.idiag_sport = htons(sent ? t->sport : t->dport);
        req.id.idiag_dport = htons(sent ? t->dport : t->sport);
        req.id.idiag_if = ifindex;
        req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
        req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
        *ret = req;
}

void hsp_tcp_info_convert(const void *data, size_t len, struct sflow_flow_tcp_info *ret) {
        struct tcp_info ti = {0};
        memcpy(&ti, data, len < sizeof ti ? len : sizeof ti);
        *ret = (struct sflow_flow_tcp_info){
                .snd_mss = ti.tcpi_snd_mss,
                .rcv_mss = ti.tcpi_rcv_mss,
                .unacked = ti.tcpi_unacked,
                .lost = ti.tcpi_lost,
                .retrans = ti.tcpi_total_retrans,
                .pmtu = ti.tcpi_pmtu,
                .rtt = ti.tcpi_rtt,
                .rttvar = ti.tcpi_rttvar,
                .snd_cwnd = ti.tcpi_snd_cwnd,
                .reordering = ti.tcpi_reordering,
                .min_rtt = ti.tcpi_min_rtt,
        };
}
