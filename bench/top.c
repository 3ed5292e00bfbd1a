/* bench/top.c - sflowcat --top's cost: 1 M synthetic samples (skewed sources, random flows, a SYN
 * flood) over a 10 s window through the per-sample path, then one snapshot; then the same number
 * of samples as encoded datagrams (10 flow samples with a sampled Ethernet/IPv4/TCP header each)
 * through the whole path, decoding included. Prints samples per CPU second, CPU nanoseconds per
 * sample, the snapshot's CPU time and the peak RSS.
 *   build/collector/bench-top [SAMPLES]   (built by make check) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "top.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        static struct top t;
        uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
        struct top_packet *pk = calloc(4096, sizeof(*pk));
        struct rusage ru;
        double t0, t1, t2;
        FILE *devnull = fopen("/dev/null", "w");

        if (!pk || !devnull || top_init(&t, 10) < 0)
                return 1;
        /* a pool of packets to draw from: skewed sources (a few heavy), random peers and ports */
        for (int i = 0; i < 4096; i++) {
                struct top_packet *p = &pk[i];
                uint32_t src = (uint32_t)(next() % 100000);

                if (i % 4 == 0)
                        src = (uint32_t)(next() % 16);
                p->agent.type = 1;
                p->agent.addr[0] = 10;
                p->ds_index = (uint32_t)(next() % 48);
                p->family = 4;
                p->proto = i % 5 == 0 ? 17 : 6;
                p->src[0] = 198, p->src[1] = 18, p->src[2] = (uint8_t)(src >> 8),
                p->src[3] = (uint8_t)src;
                p->dst[0] = 203, p->dst[1] = 0, p->dst[2] = (uint8_t)next(),
                p->dst[3] = (uint8_t)next();
                p->sport = (uint16_t)next();
                p->dport = i % 3 ? 443 : (uint16_t)next();
                p->has_ports = true;
                p->tcp_flags = i % 7 == 0 ? 0x02 : 0x10;
                p->bytes = 64 + (uint32_t)(next() % 1400);
        }
        t0 = now_s();
        for (uint64_t i = 0; i < n; i++) {
                struct top_packet *p = &pk[next() & 4095];

                if (i % 64 == 0) { /* new sources keep arriving, as in a flood of spoofed ones */
                        p->src[2] = (uint8_t)next();
                        p->src[3] = (uint8_t)next();
                }
                top_add_packet(&t, p, 10, 1e9 + 10.0 * (double)i / (double)n);
        }
        t1 = now_s();
        top_print_json(&t, devnull, 10);
        t2 = now_s();
        printf("samples        %llu\n", (unsigned long long)n);
        printf("samples/s (CPU) %.0f\n", (double)n / (t1 - t0));
        printf("ns/sample      %.0f\n", (t1 - t0) * 1e9 / (double)n);
        printf("snapshot ms    %.1f\n", (t2 - t1) * 1e3);
        {
                /* the whole path: 256 distinct datagrams of 10 samples, fed in turn */
                static uint8_t dg[256][1400];
                static size_t dlen[256];
                static struct sflow_sample smp;
                struct sflow_datagram d = {.version = 5,
                                           .agent = {.type = 1, .addr = {10, 0, 0, 1}},
                                           .num_samples = 10};
                double t3, t4;

                for (int k = 0; k < 256; k++) {
                        struct sflow_writer w;

                        sflow_writer_init(&w, dg[k], sizeof(dg[k]));
                        d.sequence = (uint32_t)k;
                        if (sflow_encode_datagram_header(&w, &d) < 0)
                                return 1;
                        for (int j = 0; j < 10; j++) {
                                static uint8_t hdr[54];
                                uint32_t src = (uint32_t)(next() % 100000);

                                memset(&smp, 0, sizeof(smp));
                                memset(hdr, 0, sizeof(hdr));
                                hdr[12] = 0x08, hdr[14] = 0x45, hdr[23] = 6;
                                hdr[26] = 198, hdr[27] = 18, hdr[28] = (uint8_t)(src >> 8),
                                hdr[29] = (uint8_t)src;
                                hdr[30] = 203, hdr[33] = (uint8_t)next();
                                hdr[34] = (uint8_t)next(), hdr[37] = 80, hdr[47] = 0x02;
                                smp.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
                                smp.sequence = (uint32_t)(k * 10 + j);
                                smp.ds_index = 3;
                                smp.sampling_rate = 10;
                                smp.sample_pool = (uint32_t)(k * 100 + j * 10);
                                smp.input = 3;
                                smp.output = 0x3fffffff;
                                smp.num_records = 1;
                                smp.records[0].tag = SFLOW_FLOW_HEADER;
                                smp.records[0].u.header = (struct sflow_flow_header){
                                        SFLOW_HEADER_ETHERNET, 54, 0, sizeof(hdr), hdr};
                                if (sflow_encode_sample(&w, &smp) < 0)
                                        return 1;
                        }
                        dlen[k] = w.len;
                }
                t3 = now_s();
                for (uint64_t i = 0; i < n / 10; i++)
                        top_datagram(&t, dg[i & 255], dlen[i & 255],
                                     2e9 + 10.0 * (double)i / (double)(n / 10));
                t4 = now_s();
                printf("whole path (decoding included): samples/s (CPU) %.0f, ns/sample %.0f\n",
                       (double)n / (t4 - t3), (t4 - t3) * 1e9 / (double)n);
        }
        getrusage(RUSAGE_SELF, &ru);
        printf("peak RSS MiB   %.1f\n", ru.ru_maxrss / 1024.0);
        top_free(&t);
        free(pk);
        fclose(devnull);
        return 0;
}
