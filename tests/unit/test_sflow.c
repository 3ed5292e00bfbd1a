/* test_sflow.c - sFlow v5 wire library: round trips, bounds, malformed input, wire order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sflow/layout.h"
#include "sflow/sflow.h"
#include "xdr.h"

/* ---- helpers: hand-built XDR ---- */

static uint32_t rd32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* IPv4 datagram header with n samples. */
static void xheader(struct xdr *x, uint32_t version, uint32_t n) {
        x32(x, version);
        x32(x, 1);
        x32(x, 0xc0000201);
        x32(x, 100000);
        x32(x, 7);
        x32(x, 12345);
        x32(x, n);
}

/* ---- value generator and comparator driven by the record layouts ---- */
static const char *const texts[] = {"a", "bc", "def", "ghij", "klmno", "pqrstuvw"};
static const uint8_t header_bytes[] = {0x1a, 0x89, 0xa5, 0x69, 0x0c, 0x04, 0x2a, 0x2d, 0x5a};

#define AT(base, off, type) ((type *)((uint8_t *)(base) + (off)))

static void fill_adapters(struct sflow_ctr_host_adapters *a, unsigned seed) {
        static struct sflow_adapter store[8][3]; /* the encoder reads adapters through a pointer */
        struct sflow_adapter *ad = store[seed % 8];
        a->num_adapters = 3;
        a->adapters = ad;
        for (unsigned i = 0; i < 3; i++) {
                ad[i].if_index = 1000 + seed * 10 + i;
                ad[i].num_macs = i == 2 ? 0 : i + 1;
                for (unsigned j = 0; j < ad[i].num_macs; j++)
                        for (unsigned k = 0; k < 6; k++)
                                ad[i].macs[j][k] = (uint8_t)(0x10 * (i + 1) + j * 6 + k);
        }
}

static void fill(void *base, const struct sflow_layout *l, unsigned seed) {
        for (unsigned i = 0; i < l->nfields; i++) {
                const struct sflow_field *f = &l->fields[i];

                switch (f->type) {
                case SFLOW_F_U32:
                        *AT(base, f->off, uint32_t) = 0x81000000u + seed * 0x1000 + i * 7 + 1;
                        break;
                case SFLOW_F_U64:
                        *AT(base, f->off, uint64_t) = 0x1122334455000000ull + seed * 0x10000 + i;
                        break;
                case SFLOW_F_FLOAT:
                        *AT(base, f->off, float) = 0.25f + (float)seed + (float)i * 1.5f;
                        break;
                case SFLOW_F_STRING: {
                        const char *t = texts[(seed + i) % 6];

                        *AT(base, f->off, struct sflow_string) =
                                (struct sflow_string){t, (uint32_t)strlen(t)};
                        break;
                }
                case SFLOW_F_UUID:
                        for (unsigned j = 0; j < 16; j++)
                                AT(base, f->off, uint8_t)[j] = (uint8_t)(0xa0 + j + seed);
                        break;
                case SFLOW_F_OPAQUE:
                        *AT(base, f->off, uint32_t) = 5 + seed % 4;
                        *AT(base, f->off2, const uint8_t *) = header_bytes;
                        break;
                case SFLOW_F_ADAPTERS:
                        fill_adapters(AT(base, f->off, struct sflow_ctr_host_adapters), seed);
                        break;
                case SFLOW_F_SRCID:
                        *AT(base, f->off, uint32_t) = 2;
                        *AT(base, f->off2, uint32_t) = 0xabcdef - seed;
                        break;
                case SFLOW_F_IFACE:
                        *AT(base, f->off, uint32_t) = (seed + i) % 3;
                        *AT(base, f->off2, uint32_t) = 0x3ffffff0u - i;
                        break;
                }
        }
}

static void check_adapters(const struct sflow_ctr_host_adapters *a,
                           const struct sflow_ctr_host_adapters *b) {
        assert_int_equal(a->num_adapters, b->num_adapters);
        for (unsigned i = 0; i < a->num_adapters; i++) {
                assert_int_equal(a->adapters[i].if_index, b->adapters[i].if_index);
                assert_int_equal(a->adapters[i].num_macs, b->adapters[i].num_macs);
                for (unsigned j = 0; j < a->adapters[i].num_macs; j++)
                        assert_memory_equal(a->adapters[i].macs[j], b->adapters[i].macs[j], 6);
        }
}

static void check(void *want, void *got, const struct sflow_layout *l) {
        for (unsigned i = 0; i < l->nfields; i++) {
                const struct sflow_field *f = &l->fields[i];

                switch (f->type) {
                case SFLOW_F_U32:
                case SFLOW_F_FLOAT: /* bit-exact */
                        assert_memory_equal(AT(want, f->off, uint32_t), AT(got, f->off, uint32_t),
                                            4);
                        break;
                case SFLOW_F_U64:
                        assert_true(*AT(want, f->off, uint64_t) == *AT(got, f->off, uint64_t));
                        break;
                case SFLOW_F_STRING: {
                        struct sflow_string *a = AT(want, f->off, struct sflow_string);
                        struct sflow_string *b = AT(got, f->off, struct sflow_string);

                        assert_int_equal(a->len, b->len);
                        assert_memory_equal(a->str, b->str, a->len);
                        break;
                }
                case SFLOW_F_UUID:
                        assert_memory_equal(AT(want, f->off, uint8_t), AT(got, f->off, uint8_t),
                                            16);
                        break;
                case SFLOW_F_OPAQUE:
                        assert_int_equal(*AT(want, f->off, uint32_t), *AT(got, f->off, uint32_t));
                        assert_memory_equal(*AT(want, f->off2, const uint8_t *),
                                            *AT(got, f->off2, const uint8_t *),
                                            *AT(want, f->off, uint32_t));
                        break;
                case SFLOW_F_ADAPTERS:
                        check_adapters(AT(want, f->off, struct sflow_ctr_host_adapters),
                                       AT(got, f->off, struct sflow_ctr_host_adapters));
                        break;
                case SFLOW_F_SRCID:
                case SFLOW_F_IFACE:
                        assert_int_equal(*AT(want, f->off, uint32_t), *AT(got, f->off, uint32_t));
                        assert_int_equal(*AT(want, f->off2, uint32_t), *AT(got, f->off2, uint32_t));
                        break;
                }
        }
}

/* Every record type of the sample's kind, in one sample. */
static const uint32_t flow_tags[] = {
        SFLOW_FLOW_HEADER,       SFLOW_FLOW_EGRESS_QUEUE, SFLOW_FLOW_FUNCTION,
        SFLOW_FLOW_TRANSIT,      SFLOW_FLOW_QUEUE,        SFLOW_FLOW_HW_TRAP,
        SFLOW_FLOW_LINUX_REASON, SFLOW_FLOW_TIMESTAMP,    SFLOW_FLOW_TCP_INFO,
};
static const uint32_t counter_tags[] = {
        SFLOW_CTR_GENERIC,     SFLOW_CTR_ETHERNET,      SFLOW_CTR_PORT_NAME,
        SFLOW_CTR_HOST_DESCR,  SFLOW_CTR_HOST_ADAPTERS, SFLOW_CTR_HOST_PARENT,
        SFLOW_CTR_HOST_CPU,    SFLOW_CTR_HOST_MEMORY,   SFLOW_CTR_HOST_DISK_IO,
        SFLOW_CTR_HOST_NET_IO, SFLOW_CTR_MIB2_IP,       SFLOW_CTR_MIB2_ICMP,
        SFLOW_CTR_MIB2_TCP,    SFLOW_CTR_MIB2_UDP,      SFLOW_CTR_VIRT_NODE,
        SFLOW_CTR_VIRT_CPU,    SFLOW_CTR_VIRT_MEMORY,   SFLOW_CTR_VIRT_DISK_IO,
        SFLOW_CTR_VIRT_NET_IO,
};

static const uint32_t sample_tags[] = {
        SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_SAMPLE_COUNTERS_EXPANDED, SFLOW_SAMPLE_DISCARDS,
        SFLOW_SAMPLE_FLOW,          SFLOW_SAMPLE_COUNTERS,
};
#define NSAMPLES (sizeof(sample_tags) / sizeof(sample_tags[0]))

static struct sflow_sample want[NSAMPLES], got;

static void build_sample(struct sflow_sample *s, uint32_t tag, unsigned seed) {
        int kind = sflow_sample_record_kind(tag);
        const uint32_t *tags = kind == SFLOW_KIND_FLOW ? flow_tags : counter_tags;
        unsigned n = kind == SFLOW_KIND_FLOW ? sizeof(flow_tags) / 4 : sizeof(counter_tags) / 4;

        memset(s, 0, sizeof(*s));
        s->tag = tag;
        fill(s, sflow_layout_find(SFLOW_KIND_SAMPLE, tag), seed);
        s->num_records = n;
        for (unsigned i = 0; i < n; i++) {
                s->records[i].tag = tags[i];
                fill(&s->records[i], sflow_layout_find(kind, tags[i]), seed + i);
        }
}

static void check_sample(struct sflow_sample *w, struct sflow_sample *g) {
        int kind = sflow_sample_record_kind(w->tag);

        assert_int_equal(w->tag, g->tag);
        assert_true(g->known);
        assert_false(g->truncated);
        check(w, g, sflow_layout_find(SFLOW_KIND_SAMPLE, w->tag));
        assert_int_equal(w->num_records, g->num_records);
        for (unsigned i = 0; i < w->num_records; i++) {
                assert_int_equal(w->records[i].tag, g->records[i].tag);
                assert_true(g->records[i].known);
                assert_false(g->records[i].truncated);
                check(&w->records[i], &g->records[i], sflow_layout_find(kind, w->records[i].tag));
        }
}

static const struct sflow_datagram dg4 = {
        .version = 5,
        .agent = {1, {192, 0, 2, 1}},
        .sub_agent_id = 100000,
        .sequence = 0xdeadbeef,
        .uptime_ms = 0x01020304,
};
static const struct sflow_datagram dg6 = {
        .version = 5,
        .agent = {2, {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
        .sub_agent_id = 199999,
        .sequence = 42,
        .uptime_ms = 0xfffffff0,
};

/* A datagram carrying one sample of every type. */
static size_t build_datagram(uint8_t *buf, size_t cap, const struct sflow_datagram *d) {
        struct sflow_writer w;

        sflow_writer_init(&w, buf, cap);
        assert_int_equal(sflow_encode_datagram_header(&w, d), 0);
        for (unsigned i = 0; i < NSAMPLES; i++) {
                build_sample(&want[i], sample_tags[i], 3 * i + 1);
                assert_int_equal(sflow_encode_sample(&w, &want[i]), 0);
        }
        sflow_set_num_samples(buf, NSAMPLES);
        assert_false(w.overflow);
        return w.len;
}

static void test_roundtrip(const struct sflow_datagram *d) {
        static uint8_t buf[16384];
        size_t len = build_datagram(buf, sizeof(buf), d);
        struct sflow_datagram g;
        struct sflow_reader r;

        assert_int_equal(len % 4, 0);
        sflow_reader_init(&r, buf, len);
        assert_int_equal(sflow_decode_datagram_header(&r, &g), 0);
        assert_int_equal(r.off, sflow_datagram_header_size(&d->agent));
        assert_int_equal(g.version, 5);
        assert_int_equal(g.agent.type, d->agent.type);
        assert_memory_equal(g.agent.addr, d->agent.addr, d->agent.type == 1 ? 4 : 16);
        assert_int_equal(g.sub_agent_id, d->sub_agent_id);
        assert_int_equal(g.sequence, d->sequence);
        assert_int_equal(g.uptime_ms, d->uptime_ms);
        assert_int_equal(g.num_samples, NSAMPLES);
        for (unsigned i = 0; i < NSAMPLES; i++) {
                assert_int_equal(sflow_decode_sample(&r, &got), 0);
                check_sample(&want[i], &got);
        }
        assert_int_equal(r.off, len);
        assert_int_equal(r.error, 0);
}

static void test_roundtrip_ipv4(void **state) {
        test_roundtrip(&dg4);
}

static void test_roundtrip_ipv6(void **state) {
        test_roundtrip(&dg6);
}

static void test_header_size(void **state) {
        uint8_t buf[64];
        struct sflow_writer w;

        assert_int_equal(sflow_datagram_header_size(&dg4.agent), 28);
        assert_int_equal(sflow_datagram_header_size(&dg6.agent), 40);
        sflow_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(sflow_encode_datagram_header(&w, &dg6), 0);
        assert_int_equal(w.len, 40);
        sflow_set_num_samples(buf, 0x01020304);
        assert_int_equal(rd32(buf + 36), 0x01020304);
        assert_int_equal(rd32(buf + 32), dg6.uptime_ms);
}

/* Never writes past cap; on -ENOSPC nothing before the call changes and len is restored. */
static void test_enospc_rollback(void **state) {
        static uint8_t ref[16384], buf[16384 + 64];
        struct sflow_sample *s = &want[1];
        size_t full, hdr;
        struct sflow_writer w;

        build_sample(s, SFLOW_SAMPLE_COUNTERS_EXPANDED, 9);
        sflow_writer_init(&w, ref, sizeof(ref));
        assert_int_equal(sflow_encode_datagram_header(&w, &dg4), 0);
        hdr = w.len;
        assert_int_equal(sflow_encode_sample(&w, s), 0);
        full = w.len;
        for (size_t cap = 0; cap < full; cap++) {
                memset(buf, 0x5a, sizeof(buf));
                sflow_writer_init(&w, buf, cap);
                if (cap < hdr) {
                        assert_int_equal(sflow_encode_datagram_header(&w, &dg4), -ENOSPC);
                        assert_int_equal(w.len, 0);
                } else {
                        assert_int_equal(sflow_encode_datagram_header(&w, &dg4), 0);
                        assert_int_equal(sflow_encode_sample(&w, s), -ENOSPC);
                        assert_int_equal(w.len, hdr);
                        assert_memory_equal(buf, ref, hdr);
                }
                assert_true(w.overflow);
                for (size_t i = cap; i < sizeof(buf); i++)
                        assert_int_equal(buf[i], 0x5a);
        }
}

static void test_truncated_every_length(void **state) {
        static uint8_t buf[16384];
        size_t len = build_datagram(buf, sizeof(buf), &dg4);

        for (size_t cut = 0; cut < len; cut++) {
                struct sflow_reader r;
                struct sflow_datagram d;
                int k;

                sflow_reader_init(&r, buf, cut);
                k = sflow_decode_datagram_header(&r, &d);
                for (unsigned i = 0; k == 0 && i < d.num_samples; i++)
                        k = sflow_decode_sample(&r, &got);
                assert_int_equal(k, -EBADMSG);
                assert_int_equal(r.error, -EBADMSG);
                assert_non_null(r.error_what);
                assert_true(r.error_offset <= cut);
        }
}

/* Counter sample with one record: [tag len content...]; returns the record's offset. */
static size_t xcounter_sample(struct xdr *x, uint32_t rtag, uint32_t rlen, const uint32_t *v,
                              unsigned nv) {
        size_t at, rec;

        x32(x, SFLOW_SAMPLE_COUNTERS_EXPANDED);
        at = x->n;
        x32(x, 0);
        x32(x, 1);
        x32(x, 2);
        x32(x, 1);
        x32(x, 1);
        rec = x->n;
        x32(x, rtag);
        x32(x, rlen);
        for (unsigned i = 0; i < nv; i++)
                x32(x, v[i]);
        xpatch(x, at, (uint32_t)(x->n - at - 4));
        return rec;
}

static int decode_all(const struct xdr *x, struct sflow_reader *r) {
        struct sflow_datagram d;
        int k;

        sflow_reader_init(r, x->b, x->n);
        k = sflow_decode_datagram_header(r, &d);
        for (unsigned i = 0; k == 0 && i < d.num_samples; i++)
                k = sflow_decode_sample(r, &got);
        return k;
}

static void test_record_overrun(void **state) {
        static const uint32_t v[] = {1, 2, 3, 4, 5, 6, 7};
        struct xdr x = {.n = 0};
        struct sflow_reader r;
        size_t rec;

        /* mib2_udp needs 28 bytes; the record says 8 */
        xheader(&x, 5, 1);
        rec = xcounter_sample(&x, SFLOW_CTR_MIB2_UDP, 8, v, 7);
        assert_int_equal(decode_all(&x, &r), -EBADMSG);
        assert_true(r.error_offset == rec + 8 + 8);
        assert_string_equal(r.error_what, "record content overruns the record length");

        /* the record says more than the sample holds */
        x.n = 0;
        xheader(&x, 5, 1);
        rec = xcounter_sample(&x, SFLOW_CTR_MIB2_UDP, 32, v, 7);
        assert_int_equal(decode_all(&x, &r), -EBADMSG);
        assert_int_equal(r.error_offset, rec + 4);

        /* the sample says more than the datagram holds */
        x.n = 0;
        xheader(&x, 5, 1);
        xcounter_sample(&x, SFLOW_CTR_MIB2_UDP, 28, v, 7);
        xpatch(&x, 28 + 4, 4096);
        assert_int_equal(decode_all(&x, &r), -EBADMSG);
        assert_int_equal(r.error_offset, 28 + 4);
        /* sticky */
        assert_int_equal(sflow_decode_sample(&r, &got), -EBADMSG);
}

static void test_record_shorter_than_length(void **state) {
        static const uint32_t v[] = {2, 1, 0xeeeeeeee, 0xeeeeeeee};
        struct xdr x = {.n = 0};
        struct sflow_reader r;

        xheader(&x, 5, 1);
        xcounter_sample(&x, SFLOW_CTR_HOST_PARENT, 16, v, 4);
        assert_int_equal(decode_all(&x, &r), 0);
        assert_int_equal(r.off, x.n);
        assert_int_equal(got.records[0].length, 16);
        assert_int_equal(got.records[0].u.host_parent.container_type, 2);
        assert_int_equal(got.records[0].u.host_parent.container_index, 1);
}

static void test_unknown_record_skipped(void **state) {
        static const uint8_t opaque[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        static uint8_t buf[4096];
        struct sflow_sample *s = &want[0];
        struct sflow_writer w;
        struct sflow_reader r;

        build_sample(s, SFLOW_SAMPLE_COUNTERS_EXPANDED, 5);
        s->records[1] = s->records[6]; /* host_cpu after the unknown one */
        s->records[0] = (struct sflow_record){
                .tag = SFLOW_TAG(9999, 7), .raw = opaque, .length = sizeof(opaque)};
        s->num_records = 2;
        sflow_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(sflow_encode_sample(&w, s), 0);
        sflow_reader_init(&r, buf, w.len);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_int_equal(got.num_records, 2);
        assert_false(got.records[0].known);
        assert_int_equal(got.records[0].tag, SFLOW_TAG(9999, 7));
        assert_int_equal(got.records[0].length, sizeof(opaque));
        assert_memory_equal(got.records[0].raw, opaque, sizeof(opaque));
        assert_string_equal(sflow_record_name(got.tag, got.records[0].tag), "unknown");
        assert_true(got.records[1].known);
        check(&s->records[1], &got.records[1],
              sflow_layout_find(SFLOW_KIND_COUNTERS, SFLOW_CTR_HOST_CPU));
        assert_int_equal(r.off, w.len);
}

static void test_unknown_sample_skipped(void **state) {
        static const uint32_t v[] = {3, 4};
        struct xdr x = {.n = 0};
        struct sflow_reader r;
        struct sflow_datagram d;

        xheader(&x, 5, 2);
        x32(&x, SFLOW_TAG(4300, 1999));
        x32(&x, 8);
        x32(&x, 0xffffffff);
        x32(&x, 0xffffffff);
        xcounter_sample(&x, SFLOW_CTR_HOST_PARENT, 8, v, 2);
        sflow_reader_init(&r, x.b, x.n);
        assert_int_equal(sflow_decode_datagram_header(&r, &d), 0);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_false(got.known);
        assert_int_equal(got.tag, SFLOW_TAG(4300, 1999));
        assert_int_equal(got.length, 8);
        assert_int_equal(got.offset, 28);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_true(got.known);
        assert_int_equal(got.records[0].u.host_parent.container_index, 4);
}

static void test_wrong_version(void **state) {
        struct xdr x = {.n = 0};
        struct sflow_reader r;
        struct sflow_datagram d = {.version = 77};

        xheader(&x, 4, 0);
        sflow_reader_init(&r, x.b, x.n);
        assert_int_equal(sflow_decode_datagram_header(&r, &d), -EPROTO);
        assert_int_equal(r.error, -EPROTO);
        assert_int_equal(d.version, 77); /* untouched */
        x.n = 0;
        xheader(&x, 5, 0);
        xpatch(&x, 4, 3); /* bad address type */
        sflow_reader_init(&r, x.b, x.n);
        assert_int_equal(sflow_decode_datagram_header(&r, &d), -EBADMSG);
}

/* Compact forms from hand-built bytes: packed source id and interfaces. */
static void test_compact_samples(void **state) {
        struct xdr x = {.n = 0};
        struct sflow_reader r;
        struct sflow_datagram d;

        xheader(&x, 5, 2);
        x32(&x, SFLOW_SAMPLE_FLOW);
        x32(&x, 44);
        x32(&x, 11);         /* sequence */
        x32(&x, 0x0300abcd); /* 3:0xabcd */
        x32(&x, 400);        /* rate */
        x32(&x, 4000);       /* pool */
        x32(&x, 2);          /* drops */
        x32(&x, 5);          /* input ifIndex 5 */
        x32(&x, 0x80000007); /* output: 7 interfaces */
        x32(&x, 1);
        x32(&x, SFLOW_FLOW_QUEUE);
        x32(&x, 4);
        x32(&x, 1500);
        x32(&x, SFLOW_SAMPLE_COUNTERS);
        x32(&x, 32);
        x32(&x, 12);
        x32(&x, 0x0000000a);
        x32(&x, 1);
        x32(&x, SFLOW_CTR_VIRT_CPU);
        x32(&x, 12);
        x32(&x, 1);
        x32(&x, 2);
        x32(&x, 3);
        sflow_reader_init(&r, x.b, x.n);
        assert_int_equal(sflow_decode_datagram_header(&r, &d), 0);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_int_equal(got.ds_class, 3);
        assert_int_equal(got.ds_index, 0xabcd);
        assert_int_equal(got.sampling_rate, 400);
        assert_int_equal(got.sample_pool, 4000);
        assert_int_equal(got.drops, 2);
        assert_int_equal(got.input_format, SFLOW_IF_SINGLE);
        assert_int_equal(got.input, 5);
        assert_int_equal(got.output_format, SFLOW_IF_MULTIPLE);
        assert_int_equal(got.output, 7);
        assert_int_equal(got.records[0].u.queue.depth, 1500);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_int_equal(got.ds_class, 0);
        assert_int_equal(got.ds_index, 10);
        assert_int_equal(got.records[0].u.virt_cpu.nr_virt_cpu, 3);
        assert_int_equal(r.off, x.n);
}

/* 30 records, 40 adapters of 6 MACs: first N kept, rest skipped, next sample still read. */
static void test_capacity_limits(void **state) {
        static struct xdr x;
        static const uint32_t v[] = {9, 8};
        struct sflow_reader r;
        size_t at, rec;

        x.n = 0;
        xheader(&x, 5, 2);
        x32(&x, SFLOW_SAMPLE_COUNTERS_EXPANDED);
        at = x.n;
        x32(&x, 0);
        x32(&x, 1);
        x32(&x, 2);
        x32(&x, 1);
        x32(&x, 30);
        x32(&x, SFLOW_CTR_HOST_ADAPTERS);
        rec = x.n;
        x32(&x, 0);
        x32(&x, 40);
        for (unsigned i = 0; i < 40; i++) {
                x32(&x, 100 + i);
                x32(&x, 6);
                for (unsigned j = 0; j < 6; j++) {
                        x32(&x, 0x02000000 | i << 8 | j);
                        x32(&x, 0xabcd0000);
                }
        }
        xpatch(&x, rec, (uint32_t)(x.n - rec - 4));
        for (unsigned i = 1; i < 30; i++) {
                x32(&x, SFLOW_CTR_VIRT_CPU);
                x32(&x, 12);
                x32(&x, i);
                x32(&x, 0);
                x32(&x, 0);
        }
        xpatch(&x, at, (uint32_t)(x.n - at - 4));
        xcounter_sample(&x, SFLOW_CTR_HOST_PARENT, 8, v, 2);
        sflow_reader_init(&r, x.b, x.n);
        {
                struct sflow_datagram d;
                struct sflow_ctr_host_adapters *a = &got.records[0].u.host_adapters;

                assert_int_equal(sflow_decode_datagram_header(&r, &d), 0);
                assert_int_equal(sflow_decode_sample(&r, &got), 0);
                assert_int_equal(got.num_records, 30);
                assert_true(got.truncated);
                assert_true(got.records[0].truncated);
                assert_int_equal(a->num_adapters, 40);
                assert_int_equal(a->adapters[31].if_index, 131);
                assert_int_equal(a->adapters[31].num_macs, 6);
                assert_int_equal(a->adapters[31].macs[3][2], 31);
                assert_int_equal(a->adapters[31].macs[3][3], 3);
                assert_int_equal(a->adapters[31].macs[3][5], 0xcd);
                assert_int_equal(got.records[SFLOW_MAX_RECORDS - 1].u.virt_cpu.state,
                                 SFLOW_MAX_RECORDS - 1);
        }
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_int_equal(got.records[0].u.host_parent.container_type, 9);
        assert_int_equal(r.off, x.n);
}

/* One adapter with more MACs than kept: truncated, the record is still consumed exactly. */
static void test_mac_limit(void **state) {
        uint32_t v[3 + 2 * 5] = {1, 5, 5};
        struct xdr x = {.n = 0};
        struct sflow_reader r;

        for (unsigned i = 0; i < 5; i++)
                v[3 + 2 * i] = 0x02000000u | i;
        xheader(&x, 5, 1);
        xcounter_sample(&x, SFLOW_CTR_HOST_ADAPTERS, sizeof(v), v, 13);
        assert_int_equal(decode_all(&x, &r), 0);
        assert_true(got.records[0].truncated);
        assert_int_equal(got.records[0].u.host_adapters.adapters[0].num_macs, 5);
        assert_int_equal(got.records[0].u.host_adapters.adapters[0].macs[3][3], 3);
        assert_int_equal(r.off, x.n);
}

/* Hand-checked wire order and padding of a few records against the specifications. */
static void test_wire_order(void **state) {
        static uint8_t buf[1024];
        static char longname[300];
        struct sflow_sample *s = &want[0];
        struct sflow_writer w;
        struct sflow_reader r;
        uint8_t *p;

        memset(longname, 'x', sizeof(longname));
        memset(s, 0, sizeof(*s));
        s->tag = SFLOW_SAMPLE_DISCARDS;
        s->sequence = 1, s->ds_class = 0, s->ds_index = 3, s->drops = 4;
        s->input = 5, s->output = 6, s->reason = 7;
        s->num_records = 3;
        s->records[0].tag = SFLOW_FLOW_HW_TRAP;
        s->records[0].u.hw_trap.group = (struct sflow_string){"l3", 2};
        s->records[0].u.hw_trap.trap = (struct sflow_string){"ttl", 3};
        s->records[1].tag = SFLOW_FLOW_TIMESTAMP;
        s->records[1].u.timestamp.nanoseconds = 0x0102030405060708ull;
        s->records[2].tag = SFLOW_FLOW_FUNCTION;
        s->records[2].u.function.symbol = (struct sflow_string){"kfree_skb", 9};
        sflow_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(sflow_encode_sample(&w, s), 0);
        p = buf;
        assert_int_equal(rd32(p), 5);
        for (unsigned i = 0; i < 7; i++) /* seq, class, index, drops, in, out, reason */
                assert_int_equal(rd32(p + 8 + 4 * i), i == 1 ? 0 : i == 0 ? 1 : i + 1);
        assert_int_equal(rd32(p + 36), 3);
        p += 40;
        assert_int_equal(rd32(p), 1041);
        assert_int_equal(rd32(p + 4), 16);
        assert_memory_equal(p + 8, "\0\0\0\2l3\0\0\0\0\0\3ttl\0", 16);
        p += 24;
        assert_int_equal(rd32(p), 1043);
        assert_int_equal(rd32(p + 8), 0x01020304);
        assert_int_equal(rd32(p + 12), 0x05060708);
        p += 16;
        assert_int_equal(rd32(p + 4), 16);
        assert_memory_equal(p + 12, "kfree_skb\0\0\0", 12);

        /* 2001 MACs are 6 bytes padded to 8; 2000 strings are cut to 64 and 32 */
        build_sample(s, SFLOW_SAMPLE_COUNTERS_EXPANDED, 1);
        s->num_records = 3;
        s->records[1] = s->records[3]; /* host_descr */
        s->records[0] = (struct sflow_record){.tag = SFLOW_CTR_HOST_ADAPTERS};
        static const struct sflow_adapter one = {10, 1, {{1, 2, 3, 4, 5, 6}}};
        s->records[0].u.host_adapters.num_adapters = 1;
        s->records[0].u.host_adapters.adapters = &one;
        s->records[1].u.host_descr.hostname = (struct sflow_string){longname, 100};
        s->records[1].u.host_descr.os_release = (struct sflow_string){longname, 40};
        s->records[2] = (struct sflow_record){.tag = SFLOW_CTR_PORT_NAME};
        s->records[2].u.port_name.name = (struct sflow_string){longname, 300};
        sflow_writer_init(&w, buf, sizeof(buf));
        assert_int_equal(sflow_encode_sample(&w, s), 0);
        p = buf + 24;
        assert_int_equal(rd32(p), 2001);
        assert_int_equal(rd32(p + 4), 20);
        assert_int_equal(rd32(p + 12), 10);
        assert_int_equal(rd32(p + 16), 1);
        assert_memory_equal(p + 20, "\1\2\3\4\5\6\0\0", 8);
        assert_int_equal(rd32(p + 28), 2000);
        assert_int_equal(rd32(p + 36), 64);
        sflow_reader_init(&r, buf, w.len);
        assert_int_equal(sflow_decode_sample(&r, &got), 0);
        assert_int_equal(got.records[1].u.host_descr.hostname.len, 64);
        assert_int_equal(got.records[1].u.host_descr.os_release.len, 32);
        assert_int_equal(got.records[2].u.port_name.name.len, 255);
}

static void test_encode_einval(void **state) {
        static uint8_t buf[256];
        struct sflow_sample *s = &want[0];
        struct sflow_writer w;

        sflow_writer_init(&w, buf, sizeof(buf));
        memset(s, 0, sizeof(*s));
        s->tag = SFLOW_TAG(0, 99);
        assert_int_equal(sflow_encode_sample(&w, s), -EINVAL);
        s->tag = SFLOW_SAMPLE_COUNTERS_EXPANDED;
        s->num_records = 1;
        s->records[0].tag = SFLOW_TAG(0, 3000); /* unknown, no raw */
        assert_int_equal(sflow_encode_sample(&w, s), -EINVAL);
        s->tag = SFLOW_SAMPLE_COUNTERS;
        s->num_records = 0;
        s->ds_index = 0x1000000; /* does not fit 24 bits */
        assert_int_equal(sflow_encode_sample(&w, s), -EINVAL);
        assert_int_equal(w.len, 0);
        assert_false(w.overflow);
}

static void test_names(void **state) {
        assert_string_equal(sflow_sample_name(SFLOW_SAMPLE_DISCARDS), "discarded_packet");
        assert_string_equal(sflow_sample_name(SFLOW_TAG(1, 1)), "unknown");
        assert_string_equal(sflow_record_name(SFLOW_SAMPLE_FLOW_EXPANDED, SFLOW_TAG(0, 1)),
                            "sampled_header");
        assert_string_equal(sflow_record_name(SFLOW_SAMPLE_COUNTERS_EXPANDED, SFLOW_TAG(0, 1)),
                            "generic_interface");
        assert_string_equal(sflow_record_name(SFLOW_SAMPLE_COUNTERS_EXPANDED, 2003), "host_cpu");
        assert_string_equal(sflow_record_name(SFLOW_SAMPLE_FLOW_EXPANDED, 2209), "tcp_info");
        assert_string_equal(sflow_record_name(SFLOW_SAMPLE_FLOW_EXPANDED, 2003), "unknown");
        for (unsigned i = 0; i < sizeof(flow_tags) / 4; i++)
                assert_string_not_equal(sflow_record_name(SFLOW_SAMPLE_DISCARDS, flow_tags[i]),
                                        "unknown");
        for (unsigned i = 0; i < sizeof(counter_tags) / 4; i++)
                assert_string_not_equal(sflow_record_name(SFLOW_SAMPLE_COUNTERS, counter_tags[i]),
                                        "unknown");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip_ipv4),
                cmocka_unit_test(test_roundtrip_ipv6),
                cmocka_unit_test(test_header_size),
                cmocka_unit_test(test_enospc_rollback),
                cmocka_unit_test(test_truncated_every_length),
                cmocka_unit_test(test_record_overrun),
                cmocka_unit_test(test_record_shorter_than_length),
                cmocka_unit_test(test_unknown_record_skipped),
                cmocka_unit_test(test_unknown_sample_skipped),
                cmocka_unit_test(test_wrong_version),
                cmocka_unit_test(test_compact_samples),
                cmocka_unit_test(test_capacity_limits),
                cmocka_unit_test(test_mac_limit),
                cmocka_unit_test(test_wire_order),
                cmocka_unit_test(test_encode_einval),
                cmocka_unit_test(test_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
