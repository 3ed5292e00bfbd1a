/* test_sflow_bounds.c - sFlow v5 wire library: lengths and counts near UINT32_MAX, from the wire
 * and given to the encoder, are refused at their own offset and never read out of bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sflow/layout.h"
#include "sflow/sflow.h"
#include "xdr.h"

/* ---- hand-built XDR ---- */

/* IPv4 datagram header (28 bytes) with n samples. */
static void xheader(struct xdr *x, uint32_t n) {
        x32(x, 5);
        x32(x, 1);
        x32(x, 0xc0000201);
        x32(x, 100000);
        x32(x, 7);
        x32(x, 12345);
        x32(x, n);
}

/* Expanded sample (flow: 10 fields, counters: 3) with one record [rtag 4*nv v...]; returns the
 * record's offset. */
static size_t xsample(struct xdr *x, uint32_t stag, uint32_t rtag, const uint32_t *v, unsigned nv) {
        size_t at, rec;

        x32(x, stag);
        at = x->n;
        x32(x, 0);
        for (unsigned i = 0; i < (stag == SFLOW_SAMPLE_FLOW_EXPANDED ? 10u : 3u); i++)
                x32(x, i);
        x32(x, 1);
        rec = x->n;
        x32(x, rtag);
        x32(x, 4 * nv);
        for (unsigned i = 0; i < nv; i++)
                x32(x, v[i]);
        xpatch(x, at, (uint32_t)(x->n - at - 4));
        return rec;
}

static struct sflow_sample got;

/* Each datagram is decoded from a heap copy of exactly its size, for the sanitizers. */
static int decode_exact(const struct xdr *x, struct sflow_reader *r) {
        uint8_t *copy = malloc(x->n);
        struct sflow_datagram d;
        int k;

        assert_non_null(copy);
        memcpy(copy, x->b, x->n);
        sflow_reader_init(r, copy, x->n);
        k = sflow_decode_datagram_header(r, &d);
        for (unsigned i = 0; k == 0 && i < d.num_samples; i++)
                k = sflow_decode_sample(r, &got);
        free(copy);
        r->buf = NULL;
        return k;
}

static void test_huge_lengths(void **state) {
        static const uint32_t big[] = {0xffffffff, 0xfffffffe, 0xfffffffd, 0xfffffffc,
                                       0xfffffff8, 0x80000000, 0x7fffffff};
        /* where the bad value goes, relative to what the builder returns */
        enum { STRING, HEADER, REC_LEN, SAMPLE_LEN, REC_COUNT, ADAPTERS, MACS, UNKNOWN_REC };
        static const struct {
                int what;
                const char *error;
        } t[] = {
                {STRING, "opaque or string length overruns its record"},
                {HEADER, "opaque or string length overruns its record"},
                {REC_LEN, "record length overruns the sample"},
                {UNKNOWN_REC, "record length overruns the sample"},
                {SAMPLE_LEN, "sample length overruns the datagram"},
                {REC_COUNT, "record count overruns the sample"},
                {ADAPTERS, "adapter count overruns its record"},
                {MACS, "MAC address count overruns its record"},
        };

        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                for (size_t j = 0; j < sizeof(big) / sizeof(big[0]); j++) {
                        static const uint32_t str[] = {4, 0x61626364};           /* "abcd" */
                        static const uint32_t hdr[] = {1, 64, 0, 4, 0x45000054}; /* 4 bytes */
                        static const uint32_t ad[] = {1, 7, 1, 0x02000000, 0x00010000};
                        static const uint32_t unk[] = {1, 2};
                        struct xdr x = {.n = 0};
                        struct sflow_reader r;
                        size_t rec, bad;

                        xheader(&x, 1);
                        switch (t[i].what) {
                        case STRING:
                                rec = xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_FLOW_FUNCTION,
                                              str, 2);
                                bad = rec + 8;
                                break;
                        case HEADER:
                                rec = xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_FLOW_HEADER,
                                              hdr, 5);
                                bad = rec + 8 + 12;
                                break;
                        case REC_LEN:
                                rec = xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_FLOW_FUNCTION,
                                              str, 2);
                                bad = rec + 4;
                                break;
                        case UNKNOWN_REC:
                                rec = xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_TAG(9999, 1),
                                              unk, 2);
                                bad = rec + 4;
                                break;
                        case SAMPLE_LEN:
                                xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_FLOW_FUNCTION, str,
                                        2);
                                bad = 28 + 4;
                                break;
                        case REC_COUNT:
                                rec = xsample(&x, SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_FLOW_FUNCTION,
                                              str, 2);
                                bad = rec - 4;
                                break;
                        case ADAPTERS:
                                rec = xsample(&x, SFLOW_SAMPLE_COUNTERS_EXPANDED,
                                              SFLOW_CTR_HOST_ADAPTERS, ad, 5);
                                bad = rec + 8;
                                break;
                        default: /* MACS */
                                rec = xsample(&x, SFLOW_SAMPLE_COUNTERS_EXPANDED,
                                              SFLOW_CTR_HOST_ADAPTERS, ad, 5);
                                bad = rec + 8 + 8;
                                break;
                        }
                        xpatch(&x, bad, big[j]);
                        assert_int_equal(decode_exact(&x, &r), -EBADMSG);
                        if (r.error_offset != bad || strcmp(r.error_what, t[i].error) != 0)
                                fail_msg("case %zu, value 0x%08x: \"%s\" at %zu, expected \"%s\" "
                                         "at %zu",
                                         i, big[j], r.error_what, r.error_offset, t[i].error, bad);
                        assert_true(r.off <= x.n);
                }
        }
}

/* The encoder given lengths near UINT32_MAX (and only a few real bytes behind them): -ENOSPC
 * or -EINVAL, the writer rolled back, nothing read past the data (sanitizers). */
static void test_encode_huge_lengths(void **state) {
        static const uint32_t lens[] = {0xffffffff, 0xfffffffe, 0xfffffffd,
                                        0xfffffffc, 0x80000001, 0x7fffffff};
        uint8_t *data = malloc(16);
        static uint8_t buf[1400];

        assert_non_null(data);
        memset(data, 0x5a, 16);
        for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
                for (int what = 0; what < 4; what++) {
                        struct sflow_sample s;
                        struct sflow_record *rec = &s.records[0];
                        struct sflow_writer w;

                        memset(&s, 0, sizeof(s));
                        s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
                        s.num_records = 1;
                        switch (what) {
                        case 0:
                                rec->tag = SFLOW_FLOW_HEADER;
                                rec->u.header.header = data;
                                rec->u.header.header_len = lens[j];
                                break;
                        case 1:
                                rec->tag = SFLOW_FLOW_FUNCTION;
                                rec->u.function.symbol.str = (const char *)data;
                                rec->u.function.symbol.len = lens[j];
                                break;
                        case 2:
                                rec->tag = SFLOW_FLOW_HW_TRAP;
                                rec->u.hw_trap.group.str = (const char *)data;
                                rec->u.hw_trap.group.len = 3;
                                rec->u.hw_trap.trap.str = (const char *)data;
                                rec->u.hw_trap.trap.len = lens[j];
                                break;
                        default:
                                rec->tag = SFLOW_TAG(9999, 1);
                                rec->raw = data;
                                rec->length = lens[j];
                                break;
                        }
                        sflow_writer_init(&w, buf, sizeof(buf));
                        w.len = 100;
                        assert_int_equal(sflow_encode_sample(&w, &s), -ENOSPC);
                        assert_int_equal(w.len, 100);
                        assert_true(w.overflow);
                }
        }
        free(data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_huge_lengths),
                cmocka_unit_test(test_encode_huge_lengths),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
