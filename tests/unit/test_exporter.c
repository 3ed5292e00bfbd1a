/* test_exporter.c - datagram packing against a real loopback socket: size limit, sequence
 * numbers, flush timer, several collectors, names, a collector that is down, a closed port,
 * sequence numbers per data source. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exporter.h"
#include "log.h"
#include "testutil.h"

struct rx {
        int fd;
        unsigned port;
};

static struct rx rx_open(int family) {
        struct rx r = {.fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0)};
        assert_true(r.fd >= 0);
        struct sockaddr_storage ss;
        socklen_t len = test_loopback(family, &ss);
        assert_int_equal(bind(r.fd, (struct sockaddr *)&ss, len), 0);
        assert_int_equal(getsockname(r.fd, (struct sockaddr *)&ss, &len), 0);
        r.port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                         : ((struct sockaddr_in6 *)&ss)->sin6_port);
        return r;
}

struct received {
        unsigned datagrams, samples;
        uint32_t first_seq, last_seq;
        size_t max_len;
        uint32_t sample_seq[512];
};

static void drain(int fd, struct received *got) {
        uint8_t buf[65536];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
                struct sflow_reader r;
                struct sflow_datagram d;
                sflow_reader_init(&r, buf, (size_t)n);
                assert_int_equal(sflow_decode_datagram_header(&r, &d), 0);
                assert_int_equal(d.version, 5);
                assert_int_equal(d.sub_agent_id, 7);
                if (got->datagrams == 0)
                        got->first_seq = d.sequence;
                else
                        assert_int_equal(d.sequence, got->last_seq + 1);
                got->last_seq = d.sequence;
                got->datagrams++;
                if ((size_t)n > got->max_len)
                        got->max_len = (size_t)n;
                static struct sflow_sample s;
                for (uint32_t i = 0; i < d.num_samples; i++) {
                        assert_int_equal(sflow_decode_sample(&r, &s), 0);
                        assert_int_equal(s.tag, SFLOW_SAMPLE_COUNTERS_EXPANDED);
                        if (got->samples < 512)
                                got->sample_seq[got->samples] = s.sequence;
                        got->samples++;
                }
                assert_int_equal(r.off, (size_t)n); /* nothing after the last sample */
        }
}

static struct sflow_sample *make_sample(uint32_t seq, unsigned n_names) {
        static struct sflow_sample s;
        static const char name[] = "interface-name-of-some-length";
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_COUNTERS_EXPANDED;
        s.sequence = seq;
        s.ds_class = 0;
        s.ds_index = seq;
        for (unsigned i = 0; i < n_names && i < SFLOW_MAX_RECORDS; i++) {
                struct sflow_record *r = hsp_sample_add(&s, SFLOW_CTR_PORT_NAME);
                r->u.port_name.name.str = name;
                r->u.port_name.name.len = sizeof name - 1;
        }
        return &s;
}

static struct hsp_config *config_for(struct hsp_collector_conf *cols, size_t n, uint32_t dbytes) {
        static struct hsp_config c;
        memset(&c, 0, sizeof c);
        c.collectors = cols;
        c.n_collectors = n;
        c.datagram_bytes = dbytes;
        c.sub_agent_id = 7;
        return &c;
}

static void test_size_limit_and_sequences(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rx a = rx_open(AF_INET), b = rx_open(AF_INET6);
        struct hsp_collector_conf cols[] = {
                {.ip = (char *)"127.0.0.1", .udpport = a.port},
                {.ip = (char *)"::1", .udpport = b.port},
        };
        struct sflow_address agent = {.type = 1, .addr = {192, 0, 2, 1}};
        struct exporter *x;
        assert_int_equal(exporter_new(e, &x), 0);
        assert_int_equal(exporter_configure(x, config_for(cols, 2, 400), &agent), 0);

        /* 100 samples of 1 to 6 records: many datagrams, none above 400 bytes. */
        for (uint32_t i = 1; i <= 100; i++)
                assert_int_equal(exporter_add(x, make_sample(i, 1 + i % 6)), 0);
        /* One that cannot fit any datagram is refused and counted, the others go on. */
        assert_int_equal(exporter_add(x, make_sample(1000, 20)), -ENOSPC);
        assert_int_equal(exporter_stats(x)->dropped_samples, 1);
        exporter_flush(x);

        struct received ga = {0}, gb = {0};
        drain(a.fd, &ga);
        drain(b.fd, &gb);
        assert_int_equal(ga.samples, 100);
        assert_int_equal(gb.samples, 100);
        assert_true(ga.max_len <= 400);
        assert_true(ga.datagrams > 10);
        assert_int_equal(ga.datagrams, gb.datagrams);
        for (unsigned i = 0; i < 100; i++)
                assert_int_equal(ga.sample_seq[i], i + 1); /* order kept */

        /* Reconfigure with a larger datagram: the datagram sequence goes on. */
        assert_int_equal(exporter_configure(x, config_for(cols, 2, 1400), &agent), 0);
        exporter_add(x, make_sample(101, 2));
        exporter_flush(x);
        struct received ga2 = {0};
        drain(a.fd, &ga2);
        assert_int_equal(ga2.first_seq, ga.last_seq + 1);

        exporter_free(x);
        close(a.fd);
        close(b.fd);
        evloop_unref(e);
}

static void test_flush_timer_and_names(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rx a = rx_open(AF_INET);
        /* A closed port (collector down), a name that never resolves, and localhost by name. */
        struct rx closed = rx_open(AF_INET);
        unsigned closed_port = closed.port;
        close(closed.fd);
        struct hsp_collector_conf cols[] = {
                {.ip = (char *)"127.0.0.1", .udpport = closed_port},
                {.ip = (char *)"no-such-collector.invalid", .udpport = 6343},
                {.ip = (char *)"localhost", .udpport = a.port},
        };
        struct sflow_address agent = {.type = 2, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
        struct exporter *x;
        assert_int_equal(exporter_new(e, &x), 0);
        assert_int_equal(exporter_configure(x, config_for(cols, 3, 1400), &agent), 0);
        test_run_loop(e, 300000); /* let localhost resolve */

        for (int round = 0; round < 3; round++) {
                exporter_add(x, make_sample(1 + round, 1));
                struct received g = {0};
                drain(a.fd, &g);
                assert_int_equal(g.samples, 0); /* held for the flush timer */
                test_run_loop(e, 1300000);      /* at most one second later it is sent */
                drain(a.fd, &g);
                assert_int_equal(g.samples, 1);
        }
        assert_true(exporter_stats(x)->datagrams >= 3);
        exporter_free(x);
        close(a.fd);
        evloop_unref(e);
}

/* A collector port closed (ICMP port unreachable for every datagram), IPv4 and IPv6, datagrams
 * sent back to back without the loop reading the socket errors in between: each error belongs
 * to the datagram before, so none is lost. */
static void test_port_unreachable_loses_nothing(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rx c4 = rx_open(AF_INET), c6 = rx_open(AF_INET6);
        struct hsp_collector_conf cols[] = {
                {.ip = (char *)"127.0.0.1", .udpport = c4.port},
                {.ip = (char *)"::1", .udpport = c6.port},
        };
        close(c4.fd);
        close(c6.fd);
        struct sflow_address agent = {.type = 1, .addr = {192, 0, 2, 1}};
        struct exporter *x;
        assert_int_equal(exporter_new(e, &x), 0);
        assert_int_equal(exporter_configure(x, config_for(cols, 2, 1400), &agent), 0);
        for (uint32_t i = 1; i <= 50; i++) {
                assert_int_equal(exporter_add(x, make_sample(i, 1)), 0);
                exporter_flush(x);
        }
        assert_int_equal(exporter_stats(x)->datagrams, 50);
        assert_int_equal(exporter_stats(x)->send_errors, 0);
        exporter_free(x);
        evloop_unref(e);
}

/* Full datagrams leave together: sixteen at once when the queue is full, the rest at the end of
 * the loop's round (long before the flush timer), the open one at the flush; numbered in order,
 * none lost, also to a collector whose port is closed (an error per datagram). */
static void test_queued_leave_together(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct rx a = rx_open(AF_INET), closed = rx_open(AF_INET);
        struct hsp_collector_conf cols[] = {
                {.ip = (char *)"127.0.0.1", .udpport = a.port},
                {.ip = (char *)"127.0.0.1", .udpport = closed.port},
        };
        close(closed.fd);
        struct sflow_address agent = {.type = 1, .addr = {192, 0, 2, 1}};
        struct exporter *x;
        assert_int_equal(exporter_new(e, &x), 0);
        /* a sample of 6 names (about 300 bytes) fills a datagram of 400 */
        assert_int_equal(exporter_configure(x, config_for(cols, 2, 400), &agent), 0);
        for (uint32_t i = 1; i <= 40; i++)
                assert_int_equal(exporter_add(x, make_sample(i, 6)), 0);
        struct received g = {0};
        drain(a.fd, &g);
        assert_int_equal(g.datagrams, 32); /* two full queues of 16; 7 wait, 1 is open */
        assert_int_equal(g.samples, 32);
        test_run_loop(e, 100000); /* the round ends: the 7 leave, well before the timer */
        drain(a.fd, &g);
        assert_int_equal(g.datagrams, 39);
        exporter_flush(x);
        drain(a.fd, &g);
        assert_int_equal(g.datagrams, 40);
        assert_int_equal(g.samples, 40);
        for (unsigned i = 0; i < 40; i++)
                assert_int_equal(g.sample_seq[i], i + 1);
        assert_int_equal(exporter_stats(x)->datagrams, 40);
        assert_int_equal(exporter_stats(x)->send_errors, 0); /* nor to the closed port */
        exporter_free(x);
        close(a.fd);
        evloop_unref(e);
}

/* Sequence numbers per data source: a counter and a flow sequence each; an entry outlives its
 * last reference until a purge (a reload removes and adds sources again in between), and one
 * that numbered flow samples is never purged. */
static void test_source_sequences(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct exporter *x;
        assert_int_equal(exporter_new(e, &x), 0); /* no collector: only the numbers matter */
        struct sflow_sample *s = make_sample(0, 1);
        struct exporter_source *a = exporter_source_ref(x, 0, 5);
        assert_non_null(a);
        for (uint32_t i = 1; i <= 3; i++) {
                assert_int_equal(exporter_add_counters(x, a, s), 0);
                assert_int_equal(s->sequence, i);
        }
        /* a second source with the same id shares the entry */
        struct exporter_source *a2 = exporter_source_ref(x, 0, 5);
        assert_ptr_equal(a2, a);
        exporter_source_unref(x, a2, false); /* not the last reference */
        /* removed and added again during a reload: the sequence goes on */
        exporter_source_unref(x, a, true);
        a = exporter_source_ref(x, 0, 5);
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 4);
        /* referenced: a purge keeps it */
        exporter_purge_sources(x);
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 5);
        /* gone during a reload and purged after it: it starts again */
        exporter_source_unref(x, a, true);
        exporter_purge_sources(x);
        a = exporter_source_ref(x, 0, 5);
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 1);
        /* gone outside a reload: forgotten at once, no purge needed */
        exporter_source_unref(x, a, false);
        a = exporter_source_ref(x, 0, 5);
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 1);
        /* without an entry (none could be made): 0 */
        assert_int_equal(exporter_add_counters(x, NULL, s), 0);
        assert_int_equal(s->sequence, 0);

        /* flow samples: a sequence per ds_class:ds_index of their own, beside the counters' */
        static struct sflow_sample f;
        memset(&f, 0, sizeof f);
        f.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        static const uint32_t cls[] = {0, 0, 3, 0, 3}, idx[] = {5, 6, 5, 5, 5};
        static const uint32_t want[] = {1, 1, 1, 2, 2};
        for (size_t i = 0; i < 5; i++) {
                f.ds_class = cls[i];
                f.ds_index = idx[i];
                assert_int_equal(exporter_add_flow(x, &f), 0);
                assert_int_equal(f.sequence, want[i]);
        }
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 2);
        /* an entry that numbered flow samples survives its last reference and a purge */
        exporter_source_unref(x, a, false);
        exporter_purge_sources(x);
        f.ds_class = 0;
        f.ds_index = 5;
        assert_int_equal(exporter_add_flow(x, &f), 0);
        assert_int_equal(f.sequence, 3);
        a = exporter_source_ref(x, 0, 5);
        assert_int_equal(exporter_add_counters(x, a, s), 0);
        assert_int_equal(s->sequence, 3);
        exporter_source_unref(x, a, false);
        exporter_free(x); /* frees the entries (the sanitizers check) */
        evloop_unref(e);
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_DEBUG);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_size_limit_and_sequences),
                cmocka_unit_test(test_flush_timer_and_names),
                cmocka_unit_test(test_port_unreachable_loses_nothing),
                cmocka_unit_test(test_queued_leave_together),
                cmocka_unit_test(test_source_sequences),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
