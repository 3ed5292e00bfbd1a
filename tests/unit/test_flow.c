/* test_flow.c - the flow sample pipeline: enrichers, held samples, deadlines, the pool bound,
 * numbering per data source by the exporter at its end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "flow.h"
#include "log.h"
#include "testutil.h"

/* The end of the pipeline: a real exporter sending to a loopback socket; what arrives is read
 * back and decoded. */
static struct {
        unsigned n;
        struct sflow_sample last;             /* decoded: its records point into datagram */
        uint8_t datagram[SFLOW_MAX_DATAGRAM]; /* the last one received */
        size_t datagram_len;
        uint32_t seq[HSP_FLOW_MAX_HELD + 8], ds_index[HSP_FLOW_MAX_HELD + 8]; /* in arrival order */
} sent;
static struct flows *flows;
static struct exporter *exporter;
static int rx = -1;

/* Send what the exporter has pending and read it back; the number of samples sent so far. */
static unsigned n_sent(void) {
        exporter_flush(exporter);
        ssize_t len;
        while ((len = recv(rx, sent.datagram, sizeof sent.datagram, 0)) > 0) {
                struct sflow_reader r;
                struct sflow_datagram d;
                sent.datagram_len = (size_t)len;
                sflow_reader_init(&r, sent.datagram, sent.datagram_len);
                assert_int_equal(sflow_decode_datagram_header(&r, &d), 0);
                for (uint32_t i = 0; i < d.num_samples; i++) {
                        assert_int_equal(sflow_decode_sample(&r, &sent.last), 0);
                        if (sent.n < sizeof sent.seq / sizeof sent.seq[0]) {
                                sent.seq[sent.n] = sent.last.sequence;
                                sent.ds_index[sent.n] = sent.last.ds_index;
                        }
                        sent.n++;
                }
        }
        return sent.n;
}

/* Enricher behaviours, chosen per test. */
enum mode { PASS, HOLD, HOLD_AND_RELEASE_AT_ONCE };
static enum mode mode[2];
static struct hsp_flow_hold holds[HSP_FLOW_MAX_HELD + 8][2];
static unsigned n_holds[2];
static int hold_result[2];

static void enrich(struct hsp_mod *m, struct hsp_flow *f) {
        int who = m->state == NULL ? 0 : 1;
        if (mode[who] == PASS)
                return;
        hold_result[who] = hsp_flow_hold(m, f, &holds[n_holds[who]][who]);
        if (hold_result[who] < 0)
                return;
        if (mode[who] == HOLD_AND_RELEASE_AT_ONCE) {
                hsp_flow_release(&holds[n_holds[who]][who]);
                return;
        }
        n_holds[who]++;
}

static const struct hsp_module enricher = {.name = "enricher", .enrich = enrich};
static const struct hsp_module source = {.name = "source"};
static struct hsp_mod mods[3];
static struct hsp_mod *enrichers[2];
static struct evloop *loop;
static uint8_t packet[64];

static void add_tcp_info(const struct hsp_flow_hold *h, uint32_t rtt) {
        struct sflow_sample *s = hsp_flow_held(h);
        assert_non_null(s);
        struct sflow_record *r = hsp_sample_add(s, SFLOW_FLOW_TCP_INFO);
        assert_non_null(r);
        r->u.tcp_info.rtt = rtt;
}

static void use_enrichers(size_t n) {
        assert_int_equal(flows_set_enrichers(flows, enrichers, n), 0);
}

static int submit_from(uint32_t ds_index) {
        static struct sflow_sample s;
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        s.ds_index = ds_index;
        for (size_t i = 0; i < sizeof packet; i++)
                packet[i] = (uint8_t)(i + 1);
        struct sflow_record *r = hsp_sample_add(&s, SFLOW_FLOW_HEADER);
        r->u.header.header = packet;
        r->u.header.header_len = sizeof packet;
        r->u.header.frame_length = 100;
        int rc = flows_submit(flows, &mods[2], &s);
        memset(packet, 0xee, sizeof packet); /* the ring slot is reused at once */
        return rc;
}

static int submit(size_t n_enrichers) {
        use_enrichers(n_enrichers);
        return submit_from(7);
}

static int setup(void **state) {
        memset(&sent, 0, sizeof sent);
        memset(n_holds, 0, sizeof n_holds);
        memset(hold_result, 0, sizeof hold_result);
        mode[0] = mode[1] = PASS;
        assert_int_equal(evloop_new(&loop), 0);
        rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        assert_true(rx >= 0);
        struct sockaddr_storage ss;
        socklen_t len = test_loopback(AF_INET, &ss);
        assert_int_equal(bind(rx, (struct sockaddr *)&ss, len), 0);
        assert_int_equal(getsockname(rx, (struct sockaddr *)&ss, &len), 0);
        static struct hsp_collector_conf col = {.ip = (char *)"127.0.0.1"};
        col.udpport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        static struct hsp_config c;
        c = (struct hsp_config){.collectors = &col, .n_collectors = 1, .datagram_bytes = 8192};
        struct sflow_address agent = {.type = 1, .addr = {192, 0, 2, 1}};
        assert_int_equal(exporter_new(loop, &exporter), 0);
        assert_int_equal(exporter_configure(exporter, &c, &agent), 0);
        assert_int_equal(flows_new(loop, exporter, &flows), 0);
        mods[0] = (struct hsp_mod){.module = &enricher, .loop = loop, .state = NULL};
        mods[1] = (struct hsp_mod){.module = &enricher, .loop = loop, .state = (void *)1};
        mods[2] = (struct hsp_mod){.module = &source, .loop = loop};
        enrichers[0] = &mods[0];
        enrichers[1] = &mods[1];
        return 0;
}

static int teardown(void **state) {
        flows_free(flows);
        exporter_free(exporter);
        close(rx);
        evloop_unref(loop);
        return 0;
}

static void test_no_hold_sends_at_once(void **state) {
        assert_int_equal(submit(2), 0);
        assert_int_equal(n_sent(), 1);
        assert_int_equal(sent.last.num_records, 1);
}

static void test_hold_then_release(void **state) {
        mode[0] = HOLD;
        submit(1);
        assert_int_equal(n_sent(), 0); /* waits for its enricher */
        add_tcp_info(&holds[0][0], 123);
        hsp_flow_release(&holds[0][0]);
        assert_int_equal(n_sent(), 1);
        assert_int_equal(sent.last.num_records, 2);
        assert_int_equal(sent.last.records[1].u.tcp_info.rtt, 123);
        /* the header bytes were copied before the submitter reused its buffer */
        assert_int_equal(sent.last.records[0].tag, SFLOW_FLOW_HEADER);
        assert_int_equal(sent.last.records[0].u.header.header_len, sizeof packet);
        assert_int_equal(sent.last.records[0].u.header.header[0], 1);
        assert_int_equal(sent.last.records[0].u.header.header[63], 64);
        hsp_flow_release(&holds[0][0]); /* a second release is ignored */
        assert_int_equal(n_sent(), 1);
}

static void test_deadline(void **state) {
        mode[0] = HOLD;
        submit(1);
        /* a short turn of the loop (a long one could pass the deadline on a loaded machine) */
        test_run_loop(loop, 1000);
        assert_int_equal(n_sent(), 0);
        test_run_loop(loop, HSP_FLOW_HOLD_USEC);
        assert_int_equal(n_sent(), 1); /* sent at the deadline without the late record */
        assert_int_equal(sent.last.num_records, 1);
        assert_null(hsp_flow_held(&holds[0][0]));
        hsp_flow_release(&holds[0][0]); /* too late: ignored */
        assert_int_equal(n_sent(), 1);
        /* the slot is reused for the next sample: the stale hold must not reach it */
        submit(1);
        assert_null(hsp_flow_held(&holds[0][0]));
        assert_non_null(hsp_flow_held(&holds[1][0]));
        hsp_flow_release(&holds[1][0]);
        assert_int_equal(n_sent(), 2);
}

static void test_two_holders(void **state) {
        mode[0] = mode[1] = HOLD;
        submit(2);
        add_tcp_info(&holds[0][1], 5);
        hsp_flow_release(&holds[0][1]);
        assert_int_equal(n_sent(), 0);
        hsp_flow_release(&holds[0][0]);
        assert_int_equal(n_sent(), 1);
        assert_int_equal(sent.last.num_records, 2);
}

static void test_release_inside_enrich(void **state) {
        mode[0] = HOLD_AND_RELEASE_AT_ONCE;
        mode[1] = PASS;
        submit(2);
        assert_int_equal(n_sent(), 1); /* once, after every enricher saw it */
}

static void test_pool_bound(void **state) {
        mode[0] = HOLD;
        for (unsigned i = 0; i < HSP_FLOW_MAX_HELD; i++)
                submit(1);
        assert_int_equal(n_sent(), 0);
        assert_int_equal(n_holds[0], HSP_FLOW_MAX_HELD);
        submit(1); /* no room: goes on at once */
        assert_int_equal(hold_result[0], -ENOBUFS);
        assert_int_equal(n_sent(), 1);
        for (unsigned i = 0; i < HSP_FLOW_MAX_HELD; i++)
                hsp_flow_release(&holds[i][0]);
        assert_int_equal(n_sent(), 1 + HSP_FLOW_MAX_HELD);
}

static void test_free_sends_held(void **state) {
        mode[0] = HOLD;
        submit(1);
        flows_free(flows);
        assert_int_equal(n_sent(), 1);
        flows_new(loop, exporter, &flows); /* for teardown */
}

/* Every byte a held sample refers to is copied: sampled header, the strings of 1038, 1041 and
 * 1042, and the raw bytes of a record without a layout. The submitter's buffer is scribbled
 * over and freed while the sample is held; the datagram sent afterwards has the originals. */
static void test_hold_copies_referenced_bytes(void **state) {
        static const char sym[] = "tcp_v4_rcv", group[] = "l3_drops", trap[] = "blackhole_route",
                          reason[] = "NETFILTER_DROP";
        static const uint8_t raw[] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};
        const uint32_t unknown_tag = SFLOW_TAG(9999, 77);
        uint8_t hdr[48];
        for (size_t i = 0; i < sizeof hdr; i++)
                hdr[i] = (uint8_t)(0x40 + i);
        /* the submitter's buffer: all the bytes the records point to */
        size_t size =
                sizeof hdr + sizeof sym + sizeof group + sizeof trap + sizeof reason + sizeof raw;
        uint8_t *buf = malloc(size), *p = buf;
        assert_non_null(buf);
#define PUT(x) (memcpy(p, x, sizeof x), p += sizeof x, p - sizeof x)
        static struct sflow_sample s;
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        s.ds_index = 9;
        struct sflow_record *r = hsp_sample_add(&s, SFLOW_FLOW_HEADER);
        r->u.header.header = PUT(hdr);
        r->u.header.header_len = sizeof hdr;
        r->u.header.frame_length = 60;
        r = hsp_sample_add(&s, SFLOW_FLOW_FUNCTION);
        r->u.function.symbol = (struct sflow_string){(const char *)PUT(sym), strlen(sym)};
        r = hsp_sample_add(&s, SFLOW_FLOW_HW_TRAP);
        r->u.hw_trap.group = (struct sflow_string){(const char *)PUT(group), strlen(group)};
        r->u.hw_trap.trap = (struct sflow_string){(const char *)PUT(trap), strlen(trap)};
        r = hsp_sample_add(&s, SFLOW_FLOW_LINUX_REASON);
        r->u.linux_reason.reason = (struct sflow_string){(const char *)PUT(reason), strlen(reason)};
        r = &s.records[s.num_records++];
        memset(r, 0, sizeof *r);
        r->tag = unknown_tag;
        r->raw = PUT(raw);
        r->length = sizeof raw;
#undef PUT
        assert_int_equal(p - buf, (ptrdiff_t)size);
        assert_int_equal(s.num_records, 5);

        mode[0] = HOLD;
        use_enrichers(1);
        assert_int_equal(flows_submit(flows, &mods[2], &s), 0);
        assert_int_equal(n_sent(), 0);
        /* the submitter reuses its buffer (a store the compiler may not drop), then frees it */
        for (volatile uint8_t *v = buf; v < buf + size; v++)
                *v = 0xee;
        free(buf);
        memset(&s, 0xee, sizeof s);
        hsp_flow_release(&holds[0][0]);
        assert_int_equal(n_sent(), 1);

        struct sflow_reader rd;
        struct sflow_datagram d;
        static struct sflow_sample got;
        sflow_reader_init(&rd, sent.datagram, sent.datagram_len);
        assert_int_equal(sflow_decode_datagram_header(&rd, &d), 0);
        assert_int_equal(d.num_samples, 1);
        assert_int_equal(sflow_decode_sample(&rd, &got), 0);
        assert_int_equal(rd.off, sent.datagram_len);
        assert_int_equal(got.ds_index, 9);
        assert_int_equal(got.num_records, 5);
        const struct sflow_record *g = got.records;
        assert_int_equal(g[0].tag, SFLOW_FLOW_HEADER);
        assert_int_equal(g[0].u.header.header_len, sizeof hdr);
        assert_memory_equal(g[0].u.header.header, hdr, sizeof hdr);
        assert_int_equal(g[1].tag, SFLOW_FLOW_FUNCTION);
        assert_int_equal(g[1].u.function.symbol.len, strlen(sym));
        assert_memory_equal(g[1].u.function.symbol.str, sym, strlen(sym));
        assert_int_equal(g[2].tag, SFLOW_FLOW_HW_TRAP);
        assert_int_equal(g[2].u.hw_trap.group.len, strlen(group));
        assert_memory_equal(g[2].u.hw_trap.group.str, group, strlen(group));
        assert_int_equal(g[2].u.hw_trap.trap.len, strlen(trap));
        assert_memory_equal(g[2].u.hw_trap.trap.str, trap, strlen(trap));
        assert_int_equal(g[3].tag, SFLOW_FLOW_LINUX_REASON);
        assert_int_equal(g[3].u.linux_reason.reason.len, strlen(reason));
        assert_memory_equal(g[3].u.linux_reason.reason.str, reason, strlen(reason));
        assert_int_equal(g[4].tag, unknown_tag);
        assert_false(g[4].known);
        assert_int_equal(g[4].length, sizeof raw);
        assert_memory_equal(g[4].raw, raw, sizeof raw);
        /* and as bytes on the wire: the reason string, length-prefixed and padded (XDR) */
        static const uint8_t reason_xdr[] = {0,   0,   0,   14,  'N', 'E', 'T', 'F', 'I', 'L',
                                             'T', 'E', 'R', '_', 'D', 'R', 'O', 'P', 0,   0};
        assert_non_null(memmem(sent.datagram, sent.datagram_len, reason_xdr, sizeof reason_xdr));
}

/* A sample referring to more bytes than any datagram can carry: the records that do not fit
 * are left out of the held copy, the others are kept. */
static void test_hold_too_big(void **state) {
        static char big[9000];
        memset(big, 'x', sizeof big);
        static struct sflow_sample s;
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        struct sflow_record *r = hsp_sample_add(&s, SFLOW_FLOW_FUNCTION);
        r->u.function.symbol = (struct sflow_string){big, sizeof big};
        r = hsp_sample_add(&s, SFLOW_FLOW_LINUX_REASON);
        r->u.linux_reason.reason = (struct sflow_string){"kept", 4};
        mode[0] = HOLD;
        use_enrichers(1);
        assert_int_equal(flows_submit(flows, &mods[2], &s), 0);
        hsp_flow_release(&holds[0][0]);
        assert_int_equal(n_sent(), 1);
        assert_int_equal(sent.last.num_records, 1);
        assert_int_equal(sent.last.records[0].tag, SFLOW_FLOW_LINUX_REASON);
}

/* Flow samples are numbered per data source in the order they leave: one held longer than the
 * next of its source gets the later number. Counter samples of a source have their own sequence.
 */
static void test_numbered_per_source(void **state) {
        mode[0] = HOLD;
        use_enrichers(1);
        static const uint32_t from[] = {7, 9, 7, 9, 7}; /* holds 0..4 */
        for (size_t i = 0; i < 5; i++)
                assert_int_equal(submit_from(from[i]), 0);
        assert_int_equal(n_sent(), 0);
        static const unsigned release[] = {2, 1, 0, 4, 3};
        for (size_t i = 0; i < 5; i++)
                hsp_flow_release(&holds[release[i]][0]);
        assert_int_equal(n_sent(), 5);
        static const uint32_t ds[] = {7, 9, 7, 7, 9}, seq[] = {1, 1, 2, 3, 2};
        for (size_t i = 0; i < 5; i++) {
                assert_int_equal(sent.ds_index[i], ds[i]);
                assert_int_equal(sent.seq[i], seq[i]);
        }
        /* not held: numbered at once, going on from the held ones */
        mode[0] = PASS;
        submit_from(9);
        assert_int_equal(n_sent(), 6);
        assert_int_equal(sent.ds_index[5], 9);
        assert_int_equal(sent.seq[5], 3);
        /* a counter sample of 0:7 starts its own sequence; the flow sequence goes on */
        struct exporter_source *src = exporter_source_ref(exporter, 0, 7);
        assert_non_null(src);
        static struct sflow_sample c;
        memset(&c, 0, sizeof c);
        c.tag = SFLOW_SAMPLE_COUNTERS_EXPANDED;
        c.ds_index = 7;
        assert_int_equal(exporter_add_counters(exporter, src, &c), 0);
        submit_from(7);
        assert_int_equal(n_sent(), 8);
        assert_int_equal(sent.ds_index[6], 7);
        assert_int_equal(sent.seq[6], 1);
        assert_int_equal(sent.ds_index[7], 7);
        assert_int_equal(sent.seq[7], 4);
        exporter_source_unref(exporter, src, false);
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_WARNING);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_no_hold_sends_at_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hold_then_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_holders, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_inside_enrich, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_bound, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_sends_held, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hold_copies_referenced_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hold_too_big, setup, teardown),
                cmocka_unit_test_setup_teardown(test_numbered_per_source, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
