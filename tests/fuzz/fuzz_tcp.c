/* fuzz_tcp.c - libFuzzer harness: the tcp module's header parser and inet_diag reply parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/tcp.h"

static unsigned sum;

static void on_reply(uint32_t seq, int r, const struct sflow_flow_tcp_info *info, void *ud) {
        sum += seq + (unsigned)r;
        if (info)
                sum += info->snd_mss + info->rtt + info->min_rtt;
}

/* First byte: 0, 1, 2 = a sampled header (Ethernet, IPv4, IPv6); anything else = a datagram
 * from the diag socket. The rest is copied to a buffer of its exact size (aligned). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        static const uint32_t protocols[] = {SFLOW_HEADER_ETHERNET, SFLOW_HEADER_IPV4,
                                             SFLOW_HEADER_IPV6};
        size_t len = size - 1;
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf)
                return 0;
        memcpy(buf, data + 1, len);
        if (data[0] < 3) {
                struct hsp_tcp_tuple t;
                if (hsp_tcp_parse_header(protocols[data[0]], buf, len, &t) == 0) {
                        struct inet_diag_req_v2 req;
                        hsp_tcp_diag_request(&t, t.sport & 1, 0, &req);
                        sum += req.id.idiag_sport;
                }
        } else
                (void)hsp_tcp_diag_parse(buf, len, on_reply, NULL);
        free(buf);
        return 0;
}
