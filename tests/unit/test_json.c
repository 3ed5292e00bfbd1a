/* test_json.c - json module: documents into structures (good, malformed, out of range), the
 * wire layout of the application and rtmetric/rtflow structures written out from the sFlow
 * specifications, data source indexes, expiry, and the sub-sampler's bias. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-dl.h"
#include "json-mod.h"
#include "sflow/sflow.h"
#include "xdr.h"

static struct js_msg msg;

static json_object *parse_ok(const char *doc) {
        json_object *root = NULL;
        char why[256] = "";
        int r = js_parse(doc, strlen(doc), &msg, &root, why, sizeof why);
        if (r != 0)
                fail_msg("refused: %s: %s", doc, why);
        return root;
}

static bool str_is(const struct sflow_string *s, const char *want) {
        return s->len == strlen(want) && memcmp(s->str, want, s->len) == 0;
}

static void test_flow(void **state) {
        json_object *root = parse_ok(
                "{\"flow_sample\":{\"app_name\":\"shop\",\"service_port\":8080,\"client\":true,"
                "\"sampling_rate\":7,\"app_operation\":{\"operation\":\"buy\",\"attributes\":\"a="
                "1\","
                "\"status_descr\":\"fine\",\"status\":10,\"req_bytes\":18446744073709551615,"
                "\"resp_bytes\":9,\"uS\":4294967295},\"app_parent_context\":{\"application\":"
                "\"web\","
                "\"operation\":\"get\",\"attributes\":\"q\"},\"app_initiator\":{\"actor\":\"al\"},"
                "\"app_target\":{\"actor\":\"bo\"},\"extended_socket_ipv4\":{\"protocol\":6,"
                "\"local_ip\":\"192.0.2.1\",\"remote_ip\":\"192.0.2.2\",\"local_port\":80,"
                "\"remote_port\":65535},\"extended_socket_ipv6\":{\"protocol\":17,\"local_ip\":"
                "\"2001:db8::1\",\"remote_ip\":\"::1\",\"local_port\":1,\"remote_port\":2}}}\n");
        const struct js_flow *f = &msg.flow;
        assert_int_equal(msg.kinds, JS_FLOW);
        assert_string_equal(f->app.name, "shop");
        assert_int_equal(f->app.port, 8080);
        assert_true(f->client);
        assert_int_equal(f->sampling_rate, 7);
        assert_int_equal(f->n_records, 6);
        static const uint32_t tags[] = {
                SFLOW_FLOW_APP,           SFLOW_FLOW_APP_CTXT, SFLOW_FLOW_APP_ACTOR_INIT,
                SFLOW_FLOW_APP_ACTOR_TGT, SFLOW_FLOW_SOCKET4,  SFLOW_FLOW_SOCKET6};
        for (int i = 0; i < 6; i++)
                assert_int_equal(f->records[i].tag, tags[i]);
        const struct sflow_flow_app *op = &f->records[0].u.app_op;
        assert_true(str_is(&op->operation, "buy") && str_is(&op->attributes, "a=1") &&
                    str_is(&op->status_descr, "fine"));
        assert_int_equal(op->status, 10);
        assert_true(op->req_bytes == UINT64_MAX);
        assert_int_equal(op->resp_bytes, 9);
        assert_int_equal(op->duration_us, UINT32_MAX);
        assert_true(str_is(&f->records[1].u.app_ctxt.attributes, "q"));
        assert_true(str_is(&f->records[3].u.app_actor.actor, "bo"));
        const struct sflow_flow_socket4 *s4 = &f->records[4].u.socket4;
        assert_memory_equal(s4->local, "\xc0\x00\x02\x01", 4);
        assert_int_equal(s4->remote_port, 65535);
        assert_int_equal(f->records[5].u.socket6.remote[15], 1);
        sym_json_object_put(root);

        /* optional parts absent, sampling_rate 0 read as 1, server side */
        root = parse_ok("{\"flow_sample\":{\"app_name\":\"a\",\"sampling_rate\":0,"
                        "\"app_operation\":{}}}");
        assert_int_equal(msg.flow.n_records, 1);
        assert_int_equal(msg.flow.sampling_rate, 1);
        assert_false(msg.flow.client);
        sym_json_object_put(root);
}

static void test_counters(void **state) {
        json_object *root = parse_ok(
                "{\"counter_sample\":{\"app_name\":\"shop\",\"app_operations\":{\"success\":5,"
                "\"unauthorized\":4294967295},\"app_resources\":{\"mem_used\":5000000000,"
                "\"conn_max\":3},\"app_workers\":{\"workers_max\":8}}}");
        const struct js_counters *k = &msg.counters;
        assert_true(k->has_ops && k->has_res && k->has_workers);
        assert_int_equal(k->ops.success, 5);
        assert_int_equal(k->ops.timeout, UINT32_MAX); /* missing counter */
        assert_int_equal(k->res.mem_used, 5000000000ULL);
        assert_int_equal(k->res.user_time, 0); /* missing gauge */
        assert_int_equal(k->workers.workers_max, 8);
        assert_int_equal(k->workers.req_dropped, UINT32_MAX);
        sym_json_object_put(root);
}

static void test_rt(void **state) {
        json_object *root = parse_ok(
                "{\"rtmetric\":{\"datasource\":\"web-1\",\"c\":{\"type\":\"counter32\",\"value\":7}"
                ","
                "\"s\":{\"type\":\"string\",\"value\":\"hi\"},\"g\":{\"type\":\"gaugeFloat\","
                "\"value\":1.5},\"d\":{\"type\":\"gaugeDouble\",\"value\":-2}},"
                "\"rtflow\":{\"datasource\":\"x\",\"sampling_rate\":9,\"m\":{\"type\":\"mac\","
                "\"value\":\"02:03:04:05:06:0a\"},\"i\":{\"type\":\"ip6\",\"value\":\"::2\"}}}");
        assert_int_equal(msg.kinds, JS_RTMETRIC | JS_RTFLOW);
        assert_int_equal(msg.rtmetric.num_records, 4);
        assert_true(str_is(&msg.rtmetric.rt_datasource, "web-1"));
        assert_int_equal(msg.rtmetric.records[0].u.rt.type, SFLOW_RTM_COUNTER32);
        assert_int_equal(msg.rtmetric.records[0].u.rt.v.u32, 7);
        assert_true(str_is(&msg.rtmetric.records[1].u.rt.v.str, "hi"));
        assert_true(msg.rtmetric.records[2].u.rt.v.f == 1.5f);
        assert_true(msg.rtmetric.records[3].u.rt.v.d == -2.0);
        assert_int_equal(msg.rtflow.sampling_rate, 9);
        assert_memory_equal(msg.rtflow.records[0].u.rt.v.bytes, "\x02\x03\x04\x05\x06\x0a", 6);
        assert_int_equal(msg.rtflow.records[1].u.rt.v.bytes[15], 2);
        sym_json_object_put(root);
}

/* Documents refused as a whole, and the member the reason names. */
static void test_refused(void **state) {
        static const struct {
                const char *doc, *why;
        } t[] = {
                {"", "not JSON"},
                {"{\"flow_sample\":", "not JSON"},
                {"[1,2]", "not a JSON object"},
                {"{} x", "not JSON"},
                {"{}", "empty object"},
                {"{\"flows\":{}}", "unknown member \"flows\""},
                {"{\"flow_sample\":[]}", "flow_sample: not an object"},
                {"{\"flow_sample\":{\"app_operation\":{}}}", "app_name: missing"},
                {"{\"flow_sample\":{\"app_name\":\"a\"}}", "app_operation: missing"},
                {"{\"flow_sample\":{\"app_name\":\"\",\"app_operation\":{}}}", "app_name: empty"},
                {"{\"flow_sample\":{\"app_name\":\"0123456789012345678901234567890123\","
                 "\"app_operation\":{}}}",
                 "longer than 32"},
                {"{\"flow_sample\":{\"app_name\":5,\"app_operation\":{}}}", "not a string"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"service_port\":65536,\"app_operation\":{}}"
                 "}",
                 "service_port: 65536 out of range"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"sampling_rate\":-1,\"app_operation\":{}}}",
                 "sampling_rate: negative"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"sampling_rate\":4294967296,"
                 "\"app_operation\":{}}}",
                 "out of range"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"sampling_rate\":1.5,\"app_operation\":{}}"
                 "}",
                 "not an integer"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"client\":1,\"app_operation\":{}}}",
                 "client: not true or false"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{\"status\":11}}}",
                 "app_operation.status: 11 out of range (0..10)"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{\"req_bytes\":\"7\"}}}",
                 "req_bytes: not an integer"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{\"verb\":1}}}",
                 "app_operation: unknown member \"verb\""},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{},"
                 "\"extended_socket_ipv4\":{\"local_ip\":\"300.1.1.1\"}}}",
                 "extended_socket_ipv4.local_ip: not an IPv4 address"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{},"
                 "\"extended_socket_ipv6\":{\"remote_ip\":\"192.0.2.1\"}}}",
                 "extended_socket_ipv6.remote_ip: not an IPv6 address"},
                {"{\"flow_sample\":{\"app_name\":\"a\",\"app_operation\":{},"
                 "\"extended_socket_ipv4\":{\"protocol\":256}}}",
                 "protocol: 256 out of range"},
                {"{\"counter_sample\":{\"app_name\":\"a\",\"app_resources\":{\"fd_open\":-3}}}",
                 "app_resources.fd_open: negative"},
                {"{\"counter_sample\":{\"app_name\":\"a\",\"app_workers\":{\"workers\":1}}}",
                 "unknown member \"workers\""},
                {"{\"counter_sample\":{\"app_operations\":{}}}",
                 "counter_sample.app_name: missing"},
                {"{\"rtmetric\":{\"datasource\":\"1st\",\"m\":{\"type\":\"gauge32\",\"value\":1}}}",
                 "datasource: bad name"},
                {"{\"rtmetric\":{\"m m\":{\"type\":\"gauge32\",\"value\":1}}}", "bad name \"m m\""},
                {"{\"rtmetric\":{\"m\":{\"type\":\"gauge33\",\"value\":1}}}", "unknown type"},
                {"{\"rtmetric\":{\"m\":{\"type\":\"gaugedouble\",\"value\":1}}}", "unknown type"},
                {"{\"rtmetric\":{\"m\":{\"type\":\"gauge32\"}}}", "value missing"},
                {"{\"rtmetric\":{\"m\":{\"type\":\"gauge32\",\"value\":4294967296}}}",
                 "out of range"},
                {"{\"rtmetric\":{\"m\":{\"type\":\"gaugeFloat\",\"value\":1e300}}}",
                 "out of range for a float"},
                {"{\"rtmetric\":{\"m\":{\"type\":\"counter64\",\"value\":\"x\"}}}",
                 "not an integer"},
                {"{\"rtmetric\":{\"datasource\":\"d\"}}", "rtmetric: no entries"},
                {"{\"rtflow\":{\"m\":{\"type\":\"mac\",\"value\":\"0203040506\"}}}",
                 "not a MAC address"},
                {"{\"rtflow\":{\"m\":{\"type\":\"ip\",\"value\":\"::1\"}}}", "not an IPv4 address"},
                {"{\"rtflow\":{\"m\":{\"type\":\"string\",\"value\":7}}}", "not a string"},
                /* one bad part refuses the good parts with it */
                {"{\"rtmetric\":{\"m\":{\"type\":\"gauge32\",\"value\":1}},\"rtflow\":{\"m\":"
                 "{\"type\":\"ip\",\"value\":\"x\"}}}",
                 "not an IPv4 address"},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                json_object *root = NULL;
                char why[256] = "";
                int r = js_parse(t[i].doc, strlen(t[i].doc), &msg, &root, why, sizeof why);
                if (r != -EINVAL || !strstr(why, t[i].why))
                        fail_msg("%s: r=%d why='%s', want '%s'", t[i].doc, r, why, t[i].why);
                assert_null(root);
                assert_int_equal(msg.kinds, 0);
        }
        /* more entries than a sample holds; a document over the size limit */
        char big[JS_MAX_DOC + 64];
        int n = snprintf(big, sizeof big, "{\"rtmetric\":{");
        for (int i = 0; i <= SFLOW_MAX_RECORDS; i++)
                n += snprintf(big + n, sizeof big - (size_t)n,
                              "%s\"m%d\":{\"type\":\"gauge32\","
                              "\"value\":%d}",
                              i ? "," : "", i, i);
        snprintf(big + n, sizeof big - (size_t)n, "}}");
        json_object *root = NULL;
        char why[256];
        assert_int_equal(js_parse(big, strlen(big), &msg, &root, why, sizeof why), -EINVAL);
        assert_non_null(strstr(why, "more than 24 entries"));
        memset(big, ' ', sizeof big);
        memcpy(big, "{}", 2);
        assert_int_equal(js_parse(big, JS_MAX_DOC + 1, &msg, &root, why, sizeof why), -EINVAL);
        assert_non_null(strstr(why, "larger than 10000"));
}

/* ---- wire layouts, written out from the specifications ---- */

static void check_encoding(const struct sflow_sample *s, const struct xdr *want) {
        uint8_t buf[1024];
        struct sflow_writer w;
        sflow_writer_init(&w, buf, sizeof buf);
        assert_int_equal(sflow_encode_sample(&w, s), 0);
        assert_int_equal(w.len, want->n);
        assert_memory_equal(buf, want->b, want->n);
        /* and the decoder reads back what the specification says */
        struct sflow_reader r;
        static struct sflow_sample back;
        sflow_reader_init(&r, buf, w.len);
        assert_int_equal(sflow_decode_sample(&r, &back), 0);
        assert_true(back.known);
        assert_int_equal(back.num_records, s->num_records);
        assert_int_equal(r.off, w.len);
}

static void test_wire_flow(void **state) {
        json_object *root = parse_ok(
                "{\"flow_sample\":{\"app_name\":\"shop\",\"sampling_rate\":3,\"app_operation\":{"
                "\"operation\":\"buy\",\"attributes\":\"a=1\",\"status_descr\":\"ok\",\"status\":2,"
                "\"req_bytes\":4294967302,\"resp_bytes\":2,\"uS\":77},\"app_parent_context\":{"
                "\"application\":\"web\",\"operation\":\"get\",\"attributes\":\"x\"},"
                "\"app_initiator\":{\"actor\":\"al\"},\"app_target\":{\"actor\":\"bob\"},"
                "\"extended_socket_ipv4\":{\"protocol\":6,\"local_ip\":\"10.0.0.1\",\"remote_ip\":"
                "\"10.0.0.2\",\"local_port\":80,\"remote_port\":5555},\"extended_socket_ipv6\":{"
                "\"protocol\":17,\"local_ip\":\"2001:db8::1\",\"remote_ip\":\"::2\",\"local_port\":"
                "53,"
                "\"remote_port\":6}}}");
        static struct sflow_sample s;
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        s.sequence = 1;
        s.ds_class = 3;
        s.ds_index = 150001;
        s.sampling_rate = 3;
        s.sample_pool = 3;
        s.output = SFLOW_IF_INTERNAL;
        s.num_records = msg.flow.n_records;
        memcpy(s.records, msg.flow.records, sizeof msg.flow.records);
        s.records[0].u.app_op.application = (struct sflow_string){"shop", 4};

        struct xdr x = {{0}, 0}, rec;
        uint8_t v6a[16], v6b[16];
        inet_pton(AF_INET6, "2001:db8::1", v6a);
        inet_pton(AF_INET6, "::2", v6b);
        x32(&x, SFLOW_TAG(0, 3));
        size_t len_at = x.n;
        x32(&x, 0);
        x32(&x, 1), x32(&x, 3), x32(&x, 150001), x32(&x, 3), x32(&x, 3), x32(&x, 0);
        x32(&x, 0), x32(&x, 0), x32(&x, 0), x32(&x, 0x3fffffff);
        x32(&x, 6);
        /* 2202 app_operation: context { application, operation, attributes }, status_descr,
         * req_bytes, resp_bytes, uS, status */
        rec.n = 0;
        xstr(&rec, "shop"), xstr(&rec, "buy"), xstr(&rec, "a=1"), xstr(&rec, "ok");
        x64(&rec, 4294967302ULL), x64(&rec, 2), x32(&rec, 77), x32(&rec, 2);
        x32(&x, 2202), x32(&x, (uint32_t)rec.n), xbytes(&x, rec.b, rec.n);
        /* 2203 app_parent_context: context */
        rec.n = 0;
        xstr(&rec, "web"), xstr(&rec, "get"), xstr(&rec, "x");
        x32(&x, 2203), x32(&x, (uint32_t)rec.n), xbytes(&x, rec.b, rec.n);
        /* 2204 app_initiator, 2205 app_target: actor */
        x32(&x, 2204), x32(&x, 8), xstr(&x, "al");
        x32(&x, 2205), x32(&x, 8), xstr(&x, "bob");
        /* 2100 extended_socket_ipv4: protocol, local_ip, remote_ip, local_port, remote_port */
        x32(&x, 2100), x32(&x, 20), x32(&x, 6), xbytes(&x, "\x0a\0\0\x01", 4);
        xbytes(&x, "\x0a\0\0\x02", 4), x32(&x, 80), x32(&x, 5555);
        /* 2101 extended_socket_ipv6 */
        x32(&x, 2101), x32(&x, 44), x32(&x, 17), xbytes(&x, v6a, 16), xbytes(&x, v6b, 16);
        x32(&x, 53), x32(&x, 6);
        uint32_t be = htonl((uint32_t)(x.n - len_at - 4));
        memcpy(x.b + len_at, &be, 4);
        check_encoding(&s, &x);
        sym_json_object_put(root);
}

static void test_wire_counters(void **state) {
        static struct sflow_sample s;
        memset(&s, 0, sizeof s);
        s.tag = SFLOW_SAMPLE_COUNTERS_EXPANDED;
        s.ds_class = 3;
        s.ds_index = 7;
        s.num_records = 3;
        s.records[0].tag = SFLOW_CTR_APP;
        struct sflow_ctr_app *o = &s.records[0].u.app;
        o->application = (struct sflow_string){"ab", 2};
        uint32_t *ops[] = {&o->success,     &o->other,       &o->timeout,     &o->internal_error,
                           &o->bad_request, &o->forbidden,   &o->too_large,   &o->not_implemented,
                           &o->not_found,   &o->unavailable, &o->unauthorized};
        for (uint32_t i = 0; i < 11; i++)
                *ops[i] = 100 + i;
        s.records[1].tag = SFLOW_CTR_APP_RESOURCES;
        s.records[1].u.app_resources =
                (struct sflow_ctr_app_resources){1, 2, 3ULL << 33, 4, 5, 6, 7, 8};
        s.records[2].tag = SFLOW_CTR_APP_WORKERS;
        s.records[2].u.app_workers = (struct sflow_ctr_app_workers){9, 10, 11, 12, 13};

        struct xdr x = {{0}, 0};
        x32(&x, SFLOW_TAG(0, 4)), x32(&x, 12 + 4 + 8 + 8 + 44 + 8 + 40 + 8 + 20);
        x32(&x, 0), x32(&x, 3), x32(&x, 7), x32(&x, 3);
        /* 2202 app_operations: application, then the eleven status counters */
        x32(&x, 2202), x32(&x, 52), xstr(&x, "ab");
        for (uint32_t i = 0; i < 11; i++)
                x32(&x, 100 + i);
        /* 2203 app_resources: user_time, system_time, mem_used, mem_max, fd_open, fd_max,
         * conn_open, conn_max */
        x32(&x, 2203), x32(&x, 40), x32(&x, 1), x32(&x, 2), x64(&x, 3ULL << 33), x64(&x, 4);
        x32(&x, 5), x32(&x, 6), x32(&x, 7), x32(&x, 8);
        /* 2206 app_workers */
        x32(&x, 2206), x32(&x, 20);
        for (uint32_t i = 9; i <= 13; i++)
                x32(&x, i);
        check_encoding(&s, &x);
}

static void test_wire_rt(void **state) {
        json_object *root = parse_ok(
                "{\"rtmetric\":{\"datasource\":\"web1\",\"a\":{\"type\":\"counter32\",\"value\":7},"
                "\"b\":{\"type\":\"string\",\"value\":\"hello\"},\"c\":{\"type\":\"gauge64\","
                "\"value\":8589934592},\"d\":{\"type\":\"gaugeFloat\",\"value\":1.5},"
                "\"e\":{\"type\":\"gaugeDouble\",\"value\":2.25}},"
                "\"rtflow\":{\"datasource\":\"web1\",\"sampling_rate\":4,\"m\":{\"type\":\"mac\","
                "\"value\":\"020304050607\"},\"i\":{\"type\":\"ip\",\"value\":\"192.0.2.9\"},"
                "\"n\":{\"type\":\"int32\",\"value\":5},\"f\":{\"type\":\"float\",\"value\":-1}}}");
        struct xdr x = {{0}, 0};
        uint32_t f32;
        float fl = 1.5f;
        double dbl = 2.25;
        uint64_t d64;
        /* rtmetric: datasource name, count, { name, type, value } */
        x32(&x, SFLOW_TAG(4300, 1002)), x32(&x, 0);
        xstr(&x, "web1"), x32(&x, 5);
        xstr(&x, "a"), x32(&x, 1), x32(&x, 7);
        xstr(&x, "b"), x32(&x, 0), xstr(&x, "hello");
        xstr(&x, "c"), x32(&x, 4), x64(&x, 8589934592ULL);
        memcpy(&f32, &fl, 4);
        xstr(&x, "d"), x32(&x, 5), x32(&x, f32);
        memcpy(&d64, &dbl, 8);
        xstr(&x, "e"), x32(&x, 6), x64(&x, d64);
        uint32_t be = htonl((uint32_t)(x.n - 8));
        memcpy(x.b + 4, &be, 4);
        check_encoding(&msg.rtmetric, &x);

        /* rtflow: datasource name, sampling rate, pool, count, { name, type, value } */
        x.n = 0;
        x32(&x, SFLOW_TAG(4300, 1003)), x32(&x, 0);
        xstr(&x, "web1"), x32(&x, 4), x32(&x, 0), x32(&x, 4);
        xstr(&x, "m"), x32(&x, 1), xbytes(&x, "\x02\x03\x04\x05\x06\x07", 6);
        xstr(&x, "i"), x32(&x, 2), xbytes(&x, "\xc0\x00\x02\x09", 4);
        xstr(&x, "n"), x32(&x, 4), x32(&x, 5);
        fl = -1.0f;
        memcpy(&f32, &fl, 4);
        xstr(&x, "f"), x32(&x, 6), x32(&x, f32);
        be = htonl((uint32_t)(x.n - 8));
        memcpy(x.b + 4, &be, 4);
        check_encoding(&msg.rtflow, &x);
        sym_json_object_put(root);

        /* an unknown value type cannot be skipped (no length): the sample is malformed */
        struct xdr bad = {{0}, 0};
        x32(&bad, SFLOW_TAG(4300, 1002)), x32(&bad, 20), xstr(&bad, ""), x32(&bad, 1);
        xstr(&bad, "a"), x32(&bad, 9), x32(&bad, 0);
        struct sflow_reader r;
        static struct sflow_sample back;
        sflow_reader_init(&r, bad.b, bad.n);
        assert_int_equal(sflow_decode_sample(&r, &back), -EBADMSG);
}

/* ---- applications ---- */

static void test_apps(void **state) {
        struct js_apps t = {0};
        struct js_app_key a = {"shop", 80}, b = {"shop", 81}, c = {"cart", 80};
        uint32_t ia = js_ds_index(&a, 0);
        assert_true(ia >= JS_DS_FIRST && ia < JS_DS_FIRST + JS_DS_COUNT);
        assert_int_equal(js_ds_index(&a, 0), ia); /* stable */
        assert_int_not_equal(js_ds_index(&b, 0), ia);
        struct js_app *pa = js_app_add(&t, &a, 1000), *pb = js_app_add(&t, &b, 2000);
        struct js_app *pc = js_app_add(&t, &c, 3000);
        assert_int_equal(pa->ds_index, ia);
        assert_ptr_equal(js_app_find(&t, &b), pb);
        assert_int_not_equal(pa->ds_index, pb->ds_index);
        assert_int_not_equal(pc->ds_index, pb->ds_index);
        /* a second application that hashes to a taken index moves on */
        struct js_apps u = {0};
        struct js_app *first = js_app_add(&u, &a, 0);
        first->ds_index = js_ds_index(&c, 0);
        struct js_app *second = js_app_add(&u, &c, 0);
        assert_int_equal(second->ds_index, js_ds_index(&c, 1));
        js_app_free(&u, first);
        js_app_free(&u, second);
        assert_int_equal(u.count, 0);
        /* silence: forgotten after JS_FORGET_USEC, not before */
        assert_null(js_app_expired(&t, 1000 + JS_FORGET_USEC));
        assert_ptr_equal(js_app_expired(&t, 1001 + JS_FORGET_USEC), pa);
        js_app_free(&t, pa);
        pb->last_heard = 5 * JS_FORGET_USEC;
        assert_ptr_equal(js_app_expired(&t, 3001 + JS_FORGET_USEC), pc);
        js_app_free(&t, pc);
        assert_null(js_app_expired(&t, 5 * JS_FORGET_USEC + 10));
        js_app_free(&t, pb);
        assert_int_equal(t.count, 0);
        assert_null(t.list);
}

/* The sub-sampler keeps app/config of the transactions: the estimate it allows (kept * reported
 * rate) matches the transactions offered within 4 standard deviations, for rates that divide
 * and that do not. */
static void test_subsample(void **state) {
        static const struct {
                uint32_t app, config;
        } t[] = {{1, 10}, {3, 10}, {7, 1000}, {10, 3}, {5, 5}, {1, 1}};
        struct js_apps apps = {0};
        js_rng_seed(&apps, 12345);
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                const unsigned n = 200000;
                uint64_t kept = 0, rate_sum = 0;
                for (unsigned k = 0; k < n; k++) {
                        uint32_t rate;
                        if (js_subsample(&apps, t[i].app, t[i].config, &rate)) {
                                kept++;
                                rate_sum += rate;
                        }
                }
                double p = t[i].config > t[i].app ? (double)t[i].app / t[i].config : 1.0;
                double sd = sqrt(n * p * (1 - p));
                double offered = (double)n * t[i].app;
                double estimate = (double)rate_sum;
                if (fabs((double)kept - n * p) > 4 * sd + 0.5)
                        fail_msg("app %u config %u: kept %llu of %u, expected %.0f +- %.0f",
                                 t[i].app, t[i].config, (unsigned long long)kept, n, n * p, 4 * sd);
                if (fabs(estimate - offered) > (4 * sd + 0.5) * (p < 1 ? t[i].config : t[i].app))
                        fail_msg("app %u config %u: estimate %.0f, offered %.0f", t[i].app,
                                 t[i].config, estimate, offered);
        }
        /* js_random_below: every value of a small range equally often (chi-square, 9 dof) */
        unsigned hist[10] = {0};
        for (unsigned k = 0; k < 100000; k++)
                hist[js_random_below(&apps, 10)]++;
        double chi = 0;
        for (int i = 0; i < 10; i++)
                chi += (hist[i] - 10000.0) * (hist[i] - 10000.0) / 10000.0;
        assert_true(chi < 27.9); /* p = 0.001 */
        for (unsigned k = 0; k < 1000; k++)
                assert_true(js_random_below(&apps, 3000000000u) < 3000000000u);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flow),      cmocka_unit_test(test_counters),
                cmocka_unit_test(test_rt),        cmocka_unit_test(test_refused),
                cmocka_unit_test(test_wire_flow), cmocka_unit_test(test_wire_counters),
                cmocka_unit_test(test_wire_rt),   cmocka_unit_test(test_apps),
                cmocka_unit_test(test_subsample),
        };
        /* libjson-c as the module loads it */
        if (json_dl_load("json") < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
