/* fuzz_header.c - libFuzzer harness: the shared header walker (hsflowd/sflow/header-walk.c:
 * Ethernet, VLAN tags, LLC/SNAP, IPv4 options, IPv6 extension headers) on every link type, its
 * results checked to stay inside the buffer; sflowcat's sampled-header printer on it in every
 * output mode, and the pcapng writer of -t. First byte: the record's header protocol (1
 * Ethernet, 11 IPv4, 12 IPv6, else as given); next 4: frame length; next: stripped bytes; the
 * rest is the header. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/output.h"
#include "collector/pcap-out.h"
#include "collector/print.h"
#include "sflow/header-walk.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        devnull = fopen("/dev/null", "w");
        return devnull ? 0 : -1;
}

/* Whatever the input, the walk's offsets stay inside the buffer and its counts inside its arrays.
 */
static void check_walk(const uint8_t *hdr, size_t len) {
        static const enum hdr_link links[] = {HDR_LINK_ETHERNET, HDR_LINK_IP, HDR_LINK_IPV4,
                                              HDR_LINK_IPV6};
        for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
                struct hdr_walk w;
                enum hdr_stop r = hdr_walk(links[i], hdr, len, &w);
                if (r != w.stop || w.n_vlans > HDR_WALK_MAX_VLANS ||
                    w.n_ext > HDR_WALK_MAX_IPV6_EXT)
                        abort();
                if (w.ip && (!w.has_type || w.l3_offset + (w.ip_version == 4 ? 20 : 40) > len))
                        abort();
                if (r == HDR_STOP_L4 && (!w.ip || w.l4_offset > len || w.l4_offset < w.l3_offset))
                        abort();
                if (w.dst_mac && len < 14)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const enum out_mode modes[] = {OUT_TEXT, OUT_GREP, OUT_CSV, OUT_JSON,
                                              OUT_JSON_PRETTY};
        if (size < 6)
                return 0;
        struct sflow_flow_header h = {
                .protocol = data[0] % 4 == 0   ? data[0]
                            : data[0] % 4 == 1 ? SFLOW_HEADER_ETHERNET
                            : data[0] % 4 == 2 ? SFLOW_HEADER_IPV4
                                               : SFLOW_HEADER_IPV6,
                .frame_length = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
                                (uint32_t)data[3] << 8 | data[4],
                .stripped = data[5],
        };
        /* an exact-size copy, so reading past the header is caught */
        size_t len = size - 6;
        uint8_t *hdr = malloc(len ? len : 1);
        if (!hdr)
                return 0;
        memcpy(hdr, data + 6, len);
        h.header = hdr;
        h.header_len = (uint32_t)len;
        check_walk(hdr, len);

        for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
                struct output out;
                const char *fields =
                        modes[i] == OUT_CSV ? "srcIP,dstIP,IPProtocol,decodedVLAN" : NULL;
                if (out_init(&out, modes[i], devnull, fields) < 0)
                        abort();
                out_sample_begin(&out);
                print_sampled_header(&out, &h);
                out_sample_end(&out, true);
                out_free(&out);
        }
        struct pcap_out *pcap;
        FILE *f = fopen("/dev/null", "w"); /* the pcap writer closes it */
        if (f && pcap_out_open(&pcap, f) == 0) {
                (void)pcap_out_write(pcap, &h, 1795309750123456789ull);
                pcap_out_close(pcap);
        }
        free(hdr);
        return 0;
}
