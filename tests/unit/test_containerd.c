/* test_containerd.c - containerd module: events, container and task listings decoded from
 * protobuf bytes written here field by field (from the .proto layout), malformed ones refused;
 * gRPC framing; identifiers; names; requests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"

/* ---- a protobuf writer: just enough of the wire format ---- */

struct pb {
        uint8_t b[4096];
        size_t n;
};

static void pb_varint(struct pb *p, uint64_t v) {
        do {
                uint8_t c = v & 0x7f;
                v >>= 7;
                p->b[p->n++] = c | (v ? 0x80 : 0);
        } while (v);
}
static void pb_key(struct pb *p, unsigned field, unsigned wire) {
        pb_varint(p, (uint64_t)field << 3 | wire);
}
static void pb_bytes(struct pb *p, unsigned field, const void *data, size_t len) {
        pb_key(p, field, 2);
        pb_varint(p, len);
        memcpy(p->b + p->n, data, len);
        p->n += len;
}
static void pb_str(struct pb *p, unsigned field, const char *s) {
        pb_bytes(p, field, s, strlen(s));
}
static void pb_u32(struct pb *p, unsigned field, uint32_t v) {
        pb_key(p, field, 0);
        pb_varint(p, v);
}
static void pb_msg(struct pb *p, unsigned field, const struct pb *m) {
        pb_bytes(p, field, m->b, m->n);
}

/* An Envelope: timestamp 1, namespace 2, topic 3, event 4 (Any: type_url 1, value 2). */
static struct pb envelope(const char *ns, const char *topic, const char *type,
                          const struct pb *ev) {
        struct pb e = {0}, ts = {0}, any = {0};
        pb_u32(&ts, 1, 1796219321); /* Timestamp.seconds */
        pb_msg(&e, 1, &ts);
        pb_str(&e, 2, ns);
        pb_str(&e, 3, topic);
        if (ev) {
                pb_str(&any, 1, type);
                pb_msg(&any, 2, ev);
                pb_msg(&e, 4, &any);
        }
        return e;
}

/* ---- events ---- */

enum payload {
        PL_NONE,
        PL_START,
        PL_EXIT,
        PL_EXIT_EXEC,
        PL_DELETE,
        PL_ID1,
        PL_CDELETE,
        PL_BADID,
        PL_LONGID,
        PL_GARBAGE
};

static struct pb payload(enum payload k) {
        struct pb m = {0};
        char longid[100];
        switch (k) {
        case PL_START: /* TaskStart: container_id 1, pid 2 */
                pb_str(&m, 1, "web-1");
                pb_u32(&m, 2, 4242);
                break;
        case PL_EXIT: /* TaskExit: container_id 1, id 2, pid 3, exit_status 4 */
                pb_str(&m, 1, "web-1");
                pb_str(&m, 2, "web-1");
                pb_u32(&m, 3, 4242);
                pb_u32(&m, 4, 137);
                break;
        case PL_EXIT_EXEC:
                pb_str(&m, 1, "web-1");
                pb_str(&m, 2, "exec-7");
                pb_u32(&m, 3, 999);
                break;
        case PL_DELETE: /* TaskDelete: container_id 1, pid 2, exit_status 3, id 5 */
                pb_str(&m, 1, "web-1");
                pb_u32(&m, 2, 4242);
                pb_u32(&m, 3, 0);
                break;
        case PL_ID1: /* TaskOOM, TaskPaused, TaskResumed: container_id 1 */
                pb_str(&m, 1, "web-1");
                break;
        case PL_CDELETE: /* ContainerDelete: id 1 */
                pb_str(&m, 1, "web-1");
                break;
        case PL_BADID:
                pb_str(&m, 1, "../etc");
                break;
        case PL_LONGID:
                memset(longid, 'a', 99);
                longid[99] = '\0';
                pb_str(&m, 1, longid);
                break;
        case PL_GARBAGE:
                m.b[m.n++] = 0x0a; /* field 1, length 100, but 1 byte follows */
                m.b[m.n++] = 100;
                m.b[m.n++] = 'x';
                break;
        default:
                break;
        }
        return m;
}

static void test_events(void **state) {
        static const struct {
                const char *topic;
                enum payload pl;
                int ret;
                enum ctrd_topic kind;
                bool exec;
                uint32_t pid;
        } cases[] = {
                {"/tasks/start", PL_START, 0, CTRD_EV_TASK_START, false, 4242},
                {"/tasks/exit", PL_EXIT, 0, CTRD_EV_TASK_EXIT, false, 4242},
                {"/tasks/exit", PL_EXIT_EXEC, 0, CTRD_EV_TASK_EXIT, true, 999},
                {"/tasks/delete", PL_DELETE, 0, CTRD_EV_TASK_DELETE, false, 4242},
                {"/tasks/oom", PL_ID1, 0, CTRD_EV_TASK_OOM, false, 0},
                {"/tasks/paused", PL_ID1, 0, CTRD_EV_TASK_PAUSED, false, 0},
                {"/tasks/resumed", PL_ID1, 0, CTRD_EV_TASK_RESUMED, false, 0},
                {"/containers/delete", PL_CDELETE, 0, CTRD_EV_CONTAINER_DELETE, false, 0},
                {CTRD_SYNC_TOPIC, PL_NONE, 0, CTRD_EV_SYNC, false, 0},
                {"/tasks/create", PL_START, 0, CTRD_EV_OTHER, false, 0}, /* not followed */
                {"/images/update", PL_NONE, 0, CTRD_EV_OTHER, false, 0},
                /* refused */
                {"/tasks/start", PL_NONE, -EBADMSG, 0, false, 0},     /* no event */
                {"/tasks/start", PL_BADID, -EBADMSG, 0, false, 0},    /* not an identifier */
                {"/tasks/exit", PL_LONGID, -EBADMSG, 0, false, 0},    /* too long */
                {"/tasks/delete", PL_GARBAGE, -EBADMSG, 0, false, 0}, /* truncated payload */
                {"/containers/delete", PL_GARBAGE, -EBADMSG, 0, false, 0},
                {"/tasks/oom", PL_NONE, -EBADMSG, 0, false, 0},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct pb ev = payload(cases[i].pl);
                struct pb e = envelope("k8s.io", cases[i].topic, "containerd.events.X",
                                       cases[i].pl == PL_NONE ? NULL : &ev);
                struct ctrd_event out = {.topic = 99};
                int r = ctrd_decode_event(e.b, e.n, &out);
                if (r != cases[i].ret)
                        fail_msg("case %zu (%s): %d, expected %d", i, cases[i].topic, r,
                                 cases[i].ret);
                if (r < 0) {
                        assert_int_equal(out.topic, 99); /* untouched */
                        continue;
                }
                assert_int_equal(out.topic, cases[i].kind);
                assert_string_equal(out.ns, "k8s.io");
                if (cases[i].kind == CTRD_EV_OTHER || cases[i].kind == CTRD_EV_SYNC)
                        continue;
                assert_string_equal(out.id, "web-1");
                assert_int_equal(out.exec, cases[i].exec);
                assert_int_equal(out.pid, cases[i].pid);
        }
}

static void test_events_malformed(void **state) {
        struct pb ev = payload(PL_START);
        struct pb e = envelope("k8s.io", "/tasks/start", "containerd.events.TaskStart", &ev);
        struct ctrd_event out;
        /* every truncation of a valid envelope is refused or decodes without reading past it */
        for (size_t n = 0; n < e.n; n++) {
                uint8_t *copy = malloc(n ? n : 1);
                memcpy(copy, e.b, n);
                int r = ctrd_decode_event(copy, n, &out);
                assert_true(r == 0 || r == -EBADMSG);
                free(copy);
        }
        /* a topic sent as a varint (the wrong wire type) */
        struct pb bad = {0};
        pb_u32(&bad, 3, 7);
        assert_int_equal(ctrd_decode_event(bad.b, bad.n, &out), -EBADMSG);
        /* unknown fields are skipped, in the envelope and in the event (TaskOOM has no field 2) */
        struct pb unk = envelope("k8s.io", "/tasks/oom", "containerd.events.TaskOOM", &ev);
        pb_u32(&unk, 15, 1);
        assert_int_equal(ctrd_decode_event(unk.b, unk.n, &out), 0);
        assert_int_equal(out.topic, CTRD_EV_TASK_OOM);
        assert_string_equal(out.id, "web-1");
        /* a length beyond the buffer */
        const uint8_t over[] = {0x1a, 0xff, 0xff, 0x03, '/'};
        assert_int_equal(ctrd_decode_event(over, sizeof over, &out), -EBADMSG);
        /* field number 0 */
        const uint8_t zero[] = {0x02, 0x00};
        assert_int_equal(ctrd_decode_event(zero, sizeof zero, &out), -EBADMSG);
}

/* ---- listings ---- */

/* A Container: id 1, labels 2 (map entries: key 1, value 2), image 3, spec 5. */
static void container(struct pb *list, const char *id, const char *const *labels) {
        struct pb c = {0};
        pb_str(&c, 1, id);
        for (const char *const *l = labels; l && *l; l += 2) {
                struct pb kv = {0};
                pb_str(&kv, 1, l[0]);
                pb_str(&kv, 2, l[1]);
                pb_msg(&c, 2, &kv);
        }
        pb_str(&c, 3, "docker.io/t/busybox:1");
        pb_msg(list, 1, &c);
}

struct seen {
        struct ctrd_container c[8];
        struct ctrd_task t[8];
        int n;
};

static void on_container(const struct ctrd_container *c, void *userdata) {
        struct seen *s = userdata;
        s->c[s->n++] = *c;
}

static void test_containers(void **state) {
        static const char *const pod[] = {"io.kubernetes.pod.name",
                                          "web-1",
                                          "io.kubernetes.pod.namespace",
                                          "shop",
                                          "io.kubernetes.pod.uid",
                                          "1d2c9f7e-0000-4000-8000-000000000001",
                                          "io.kubernetes.container.name",
                                          "app",
                                          "io.cri-containerd.kind",
                                          "container",
                                          "other",
                                          "x",
                                          NULL};
        static const char *const sandbox[] = {"io.kubernetes.pod.name",
                                              "web-1",
                                              "io.kubernetes.pod.namespace",
                                              "shop",
                                              "io.kubernetes.pod.uid",
                                              "1d2c9f7e-0000-4000-8000-000000000001",
                                              "io.cri-containerd.kind",
                                              "sandbox",
                                              NULL};
        struct pb list = {0};
        container(&list, "c1", pod);
        container(&list, "s1", sandbox);
        container(&list, "plain", NULL);
        container(&list, "bad/id", NULL); /* skipped */
        struct seen s = {0};
        assert_int_equal(ctrd_decode_containers(list.b, list.n, on_container, &s), 3);
        assert_int_equal(s.n, 3);
        static const struct {
                bool pod;
                const char *name[3];
        } names[] = {
                {false, {"shop/web-1/app", "shop/web-1", "plain"}},
                {true, {"shop/web-1", "shop/web-1", "plain"}},
        };
        for (size_t k = 0; k < 2; k++)
                for (int i = 0; i < 3; i++) {
                        char buf[256];
                        ctrd_container_name(&s.c[i], names[k].pod, buf, sizeof buf);
                        assert_string_equal(buf, names[k].name[i]);
                }
        assert_string_equal(s.c[0].pod_uid, "1d2c9f7e-0000-4000-8000-000000000001");
        assert_false(s.c[0].sandbox);
        assert_true(s.c[1].sandbox);
        assert_string_equal(s.c[2].pod_uid, "");

        /* Containers.Get: GetContainerResponse { Container container = 1 } */
        struct pb one = {0}, get = {0};
        container(&one, "c1", pod); /* field 1 of the response holds the Container */
        memcpy(get.b, one.b, one.n);
        get.n = one.n;
        struct ctrd_container c;
        assert_int_equal(ctrd_decode_container_get(get.b, get.n, &c), 0);
        assert_string_equal(c.container_name, "app");
        struct pb empty = {0};
        assert_int_equal(ctrd_decode_container_get(empty.b, 0, &c), -EBADMSG);
        /* malformed */
        const uint8_t trunc[] = {0x0a, 0x20, 0x0a, 0x02, 'c'};
        s.n = 0;
        assert_int_equal(ctrd_decode_containers(trunc, sizeof trunc, on_container, &s), -EBADMSG);
        assert_int_equal(s.n, 0);
}

static void on_task(const struct ctrd_task *t, void *userdata) {
        struct seen *s = userdata;
        s->t[s->n++] = *t;
}

/* A Process: container_id 1, id 2, pid 3, status 4 (1 created, 2 running, 3 stopped, 4
 * paused, 5 pausing). */
static void process(struct pb *list, const char *cid, const char *id, uint32_t pid,
                    uint32_t status) {
        struct pb p = {0};
        if (cid)
                pb_str(&p, 1, cid);
        if (id)
                pb_str(&p, 2, id);
        pb_u32(&p, 3, pid);
        pb_u32(&p, 4, status);
        pb_msg(list, 1, &p);
}

static void test_tasks(void **state) {
        static const struct {
                const char *cid, *id;
                uint32_t pid, status;
                bool listed, running, paused;
                const char *want;
        } cases[] = {
                {NULL, "t1", 100, 2, true, true, false, "t1"}, /* as Tasks.List answers */
                {"t2", "t2", 200, 4, true, true, true, "t2"},
                {"t3", NULL, 300, 5, true, true, true, "t3"},
                {NULL, "t4", 0, 3, true, false, false, "t4"},    /* stopped */
                {NULL, "t5", 500, 1, true, false, false, "t5"},  /* created, not started */
                {NULL, "-x", 600, 2, false, false, false, NULL}, /* not an identifier */
                {NULL, NULL, 700, 2, false, false, false, NULL}, /* no id at all */
        };
        struct pb list = {0};
        int want = 0;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                process(&list, cases[i].cid, cases[i].id, cases[i].pid, cases[i].status);
                want += cases[i].listed;
        }
        struct seen s = {0};
        assert_int_equal(ctrd_decode_tasks(list.b, list.n, on_task, &s), want);
        int k = 0;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                if (!cases[i].listed)
                        continue;
                assert_string_equal(s.t[k].id, cases[i].want);
                assert_int_equal(s.t[k].pid, cases[i].pid);
                assert_int_equal(s.t[k].running, cases[i].running);
                assert_int_equal(s.t[k].paused, cases[i].paused);
                k++;
        }
        const uint8_t bad[] = {0x0a, 0x05, 0x18, 0x80, 0x80, 0x80, 0x80}; /* varint runs off */
        assert_int_equal(ctrd_decode_tasks(bad, sizeof bad, on_task, &s), -EBADMSG);
}

/* ---- framing, identifiers, requests ---- */

static void test_grpc_framing(void **state) {
        static const struct {
                uint8_t b[12];
                size_t len, max;
                int ret;
                size_t msg_len;
        } cases[] = {
                {{0, 0, 0, 0, 3, 'a', 'b', 'c'}, 8, 100, 8, 3},
                {{0, 0, 0, 0, 3, 'a', 'b', 'c', 0, 0}, 10, 100, 8, 3}, /* the next one follows */
                {{0, 0, 0, 0, 0}, 5, 100, 5, 0},                       /* empty message */
                {{0, 0, 0, 0, 3, 'a'}, 6, 100, 0, 0},                  /* incomplete */
                {{0, 0, 0}, 3, 100, 0, 0},                             /* prefix incomplete */
                {{1, 0, 0, 0, 1, 'a'}, 6, 100, -EBADMSG, 0},           /* compressed */
                {{0, 0x7f, 0xff, 0xff, 0xff}, 5, 100, -EBADMSG, 0},    /* over the limit */
                {{0, 0, 0, 0, 101}, 5, 100, -EBADMSG, 0},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const uint8_t *msg = NULL;
                size_t n = 99;
                int r = ctrd_grpc_next(cases[i].b, cases[i].len, cases[i].max, &msg, &n);
                if (r != cases[i].ret)
                        fail_msg("framing case %zu: %d, expected %d", i, r, cases[i].ret);
                if (r > 0) {
                        assert_ptr_equal(msg, cases[i].b + 5);
                        assert_int_equal(n, cases[i].msg_len);
                }
        }
}

static void test_ids(void **state) {
        static const struct {
                const char *s;
                bool ok;
        } cases[] = {
                {"abc", true},
                {"a.b_c-d", true},
                {"54a48b7f4dfbc822f1d6c3563763257a0a6065282c0f90f2f83e23428dbe0f5a", true},
                {"", false},
                {"-a", false},
                {"a-", false},
                {"a/b", false},
                {"a b", false},
                {"..", false},
                {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 false},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                if (ctrd_valid_id(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
                        fail_msg("id \"%s\": expected %d", cases[i].s, cases[i].ok);
}

static bool contains(const uint8_t *b, size_t n, const char *s) {
        size_t k = strlen(s);
        for (size_t i = 0; i + k <= n; i++)
                if (memcmp(b + i, s, k) == 0)
                        return true;
        return false;
}

static void test_requests(void **state) {
        uint8_t *b;
        size_t n;
        assert_int_equal(ctrd_encode_subscribe("k8s.io", &b, &n), 0);
        assert_true(contains(b, n, "namespace==k8s.io,topic~=\"^/tasks/\""));
        assert_true(contains(b, n, "namespace==k8s.io,topic==\"/containers/delete\""));
        assert_true(contains(b, n, "topic==\"" CTRD_SYNC_TOPIC "\""));
        assert_int_equal(b[0], 0x0a); /* SubscribeRequest.filters: field 1, length-delimited */
        free(b);
        assert_int_equal(ctrd_encode_get_container("web-1", &b, &n), 0);
        const uint8_t get[] = {0x0a, 5, 'w', 'e', 'b', '-', '1'};
        assert_int_equal(n, sizeof get);
        assert_memory_equal(b, get, n);
        free(b);
        /* our sync event decodes back as one */
        assert_int_equal(ctrd_encode_publish_sync(&b, &n), 0);
        assert_true(contains(b, n, CTRD_SYNC_TOPIC));
        free(b);
        struct pb e = envelope("k8s.io", CTRD_SYNC_TOPIC,
                               "types.googleapis.com/google.protobuf.Empty", NULL);
        struct ctrd_event ev;
        assert_int_equal(ctrd_decode_event(e.b, e.n, &ev), 0);
        assert_int_equal(ev.topic, CTRD_EV_SYNC);
}

int main(void) {
        assert_int_equal(ctrd_dl_load(), 0); /* the module's libraries, as hsflowd loads them */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_events),       cmocka_unit_test(test_events_malformed),
                cmocka_unit_test(test_containers),   cmocka_unit_test(test_tasks),
                cmocka_unit_test(test_grpc_framing), cmocka_unit_test(test_ids),
                cmocka_unit_test(test_requests),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
