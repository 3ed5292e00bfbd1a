/* fuzz_decode.c - libFuzzer harness: decode a whole datagram and touch every decoded value. */
#include <stddef.h>
#include <stdint.h>

#include "sflow/sflow.h"

static struct sflow_sample sample;

/* Read what the decoder points at so the sanitizers see any pointer past the input. */
static unsigned touch(const uint8_t *p, size_t n) {
        unsigned sum = 0;

        for (size_t i = 0; i < n; i++)
                sum += p[i];
        return sum;
}

static unsigned touch_record(const struct sflow_record *rec) {
        unsigned sum = touch(rec->raw, rec->length);

        (void)sflow_record_name(sample.tag, rec->tag);
        if (rec->known && rec->tag == SFLOW_FLOW_HEADER && sample.tag != SFLOW_SAMPLE_COUNTERS &&
            sample.tag != SFLOW_SAMPLE_COUNTERS_EXPANDED)
                sum += touch(rec->u.header.header, rec->u.header.header_len);
        if (rec->known && rec->tag == SFLOW_CTR_HOST_DESCR &&
            (sample.tag == SFLOW_SAMPLE_COUNTERS || sample.tag == SFLOW_SAMPLE_COUNTERS_EXPANDED))
                sum += touch((const uint8_t *)rec->u.host_descr.hostname.str,
                             rec->u.host_descr.hostname.len);
        return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct sflow_reader r;
        struct sflow_datagram d;
        volatile unsigned sink = 0;

        sflow_reader_init(&r, data, size);
        if (sflow_decode_datagram_header(&r, &d) < 0)
                return 0;
        for (uint32_t i = 0; i < d.num_samples; i++) {
                if (sflow_decode_sample(&r, &sample) < 0)
                        break;
                (void)sflow_sample_name(sample.tag);
                sink += touch(sample.raw, sample.length);
                for (uint32_t j = 0; sample.known && j < sample.num_records; j++) {
                        if (j >= SFLOW_MAX_RECORDS)
                                break;
                        sink += touch_record(&sample.records[j]);
                }
                if (r.off > r.len)
                        __builtin_trap();
        }
        (void)sink;
        return 0;
}
