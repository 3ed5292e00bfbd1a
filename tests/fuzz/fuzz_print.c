/* fuzz_print.c - libFuzzer harness: sflowcat's printers (check, decode, print) on one datagram
 * in every output mode: text, grep, CSV, JSON, pretty JSON and the pcapng stream of headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "collector/output.h"
#include "collector/pcap-out.h"
#include "collector/print.h"

static FILE *devnull;

/* Every field name CSV is asked for is looked up on every field the printers emit. */
static const char *const csv_fields =
        "agent,packetSequenceNo,sourceId,sampleSequenceNo,srcIP,dstIP,IPProtocol,srcMAC,"
        "headerBytes,ifInOctets,hostname,nosuchfield";

static void sink_header(void *user, const struct sflow_flow_header *h, uint64_t sample_ns,
                        const struct recv_info *ri) {
        (void)pcap_out_write(user, h,
                             sample_ns ? sample_ns : (uint64_t)ri->file_time.tv_sec * 1000000000);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        devnull = fopen("/dev/null", "w");
        /* the printers' notes about skipped records go to stderr: keep the fuzzer's output
         * readable (libFuzzer and the sanitizers keep their own copy of fd 2) */
        stderr = devnull;
        return devnull ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const enum out_mode modes[] = {OUT_TEXT, OUT_GREP,        OUT_CSV,
                                              OUT_JSON, OUT_JSON_PRETTY, OUT_PCAP};
        struct recv_info ri = {.from_file = (size & 1) != 0,
                               .source = {.type = 1},
                               .file_time = {1795309750, 123456},
                               .index = 1};

        for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
                struct output out;
                struct printer p = {.out = &out, .ri = &ri};
                struct pcap_out *pcap = NULL;

                if (out_init(&out, modes[i], devnull, modes[i] == OUT_CSV ? csv_fields : NULL) < 0)
                        abort();
                if (modes[i] == OUT_PCAP) {
                        /* the pcap writer closes its FILE */
                        FILE *f = fopen("/dev/null", "w");
                        if (!f || pcap_out_open(&pcap, f) < 0)
                                abort();
                        p.header_sink = sink_header;
                        p.header_sink_user = pcap;
                }
                (void)datagram_looks_like_sflow(data, size);
                (void)print_datagram(&p, data, size, i > 0);
                pcap_out_close(pcap);
                out_free(&out);
        }
        return 0;
}
