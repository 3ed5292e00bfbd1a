/* test_docker.c - docker module: Engine API JSON, /proc/PID/net/dev, cgroup v1/v2 parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "docker.h"
#include "json-dl.h"
#include "procbuf.h"
#include "sflow/sflow.h"

#define ID1 "54a48b7f4dfbc822f1d6c3563763257a0a6065282c0f90f2f83e23428dbe0f5a"
#define ID2 "059e12be3b277f16e6d2f1cd6c967906f785e8a50922e72c8148e3c8facb54a7"

static char *slurp(const char *rel) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, rel);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char *buf = calloc(1, 1 << 20);
        assert_non_null(buf);
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* ---- /version ---- */

static void test_version(void **state) {
        static const struct {
                const char *body;
                int r;
                unsigned api, min;
        } t[] = {
                {"{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"}", 0, 41, 12},
                {"{\"ApiVersion\":\"1.47\"}", 0, 47, 0},
                {"{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":12}", 0, 41, 0},
                {"{\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"x\"}", 0, 41, 0},
                {"{\"ApiVersion\":1.41}", -EBADMSG, 0, 0},
                {"{\"ApiVersion\":\"2.1\"}", -EBADMSG, 0, 0},
                {"{\"ApiVersion\":\"1.\"}", -EBADMSG, 0, 0},
                {"{\"ApiVersion\":\"1.41x\"}", -EBADMSG, 0, 0},
                {"{}", -EBADMSG, 0, 0},
                {"[]", -EBADMSG, 0, 0},
                {"{\"ApiVersion\":\"1.41\"", -EBADMSG, 0, 0},
                {"{\"ApiVersion\":\"1.41\"} trailing", -EBADMSG, 0, 0},
                {"404 page not found", -EBADMSG, 0, 0},
                {"", -EBADMSG, 0, 0},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                struct dk_version v = {99, 99};
                int r = dk_json_version(t[i].body, strlen(t[i].body), &v);
                assert_int_equal(r, t[i].r);
                if (r == 0) {
                        assert_int_equal(v.api_minor, t[i].api);
                        assert_int_equal(v.min_minor, t[i].min);
                } else {
                        assert_int_equal(v.api_minor, 99); /* untouched on failure */
                }
        }
        char *real = slurp("../fuzz/corpus/docker/version.json");
        struct dk_version v;
        assert_int_equal(dk_json_version(real, strlen(real), &v), 0);
        assert_true(v.api_minor >= 12);
        free(real);
}

static void test_api_choose(void **state) {
        static const struct {
                unsigned api, min, want;
                int r;
        } t[] = {
                {41, 12, 41, 0}, {47, 24, 47, 0}, {51, 24, 47, 0}, {60, 50, 50, -EPROTONOSUPPORT},
                {24, 0, 24, 0},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                struct dk_version v = {t[i].api, t[i].min};
                unsigned m;
                assert_int_equal(dk_api_choose(&v, &m), t[i].r);
                assert_int_equal(m, t[i].want);
        }
}

/* ---- /containers/json ---- */

static void count_id(const char *id, void *userdata) {
        assert_true(dk_valid_id(id, strlen(id)));
        (*(int *)userdata)++;
}

static void test_containers(void **state) {
        static const struct {
                const char *body;
                int r;
        } t[] = {
                {"[]", 0},
                {"[{\"Id\":\"" ID1 "\"},{\"Id\":\"" ID2 "\",\"Names\":[\"/b\"]}]", 2},
                {"[{\"Id\":\"" ID1 "\"},{\"Id\":42},{},17,null,\"x\",{\"Id\":\"abc\"}]", 1},
                {"[{\"Id\":\"" ID1 "0\"}]", 0}, /* 65 digits */
                {"[{\"Id\":\"54A48B7F4DFBC822F1D6C3563763257A0A6065282C0F90F2F83E23428DBE0F5A\"}]",
                 0},
                {"{\"message\":\"client version 1.12 is too old\"}", -EBADMSG},
                {"[{\"Id\":\"" ID1 "\"}", -EBADMSG},
                {"[{\"Id\":\"" ID1 "\"}]]", -EBADMSG},
                {"null", -EBADMSG},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                int n = 0;
                int r = dk_json_containers(t[i].body, strlen(t[i].body), count_id, &n);
                assert_int_equal(r, t[i].r);
                assert_int_equal(n, r < 0 ? 0 : r);
        }
        /* a huge id is skipped, not copied */
        size_t big = 1 << 20;
        char *body = malloc(big + 64);
        strcpy(body, "[{\"Id\":\"");
        memset(body + 8, 'a', big);
        strcpy(body + 8 + big, "\"}]");
        int n = 0;
        assert_int_equal(dk_json_containers(body, strlen(body), count_id, &n), 0);
        free(body);
        char *real = slurp("../fuzz/corpus/docker/list.json");
        n = 0;
        assert_true(dk_json_containers(real, strlen(real), count_id, &n) >= 1);
        free(real);
}

/* ---- /containers/{id}/json ---- */

static void test_inspect_real(void **state) {
        char *real = slurp("../fuzz/corpus/docker/inspect.json");
        struct dk_inspect c;
        assert_int_equal(dk_json_inspect(real, strlen(real), &c), 0);
        assert_true(dk_valid_id(c.id, strlen(c.id)));
        assert_string_equal(c.name, "c1");
        assert_true(c.running);
        assert_true(c.pid > 0);
        assert_int_equal(c.memory_limit, 0);
        free(real);
}

static void test_inspect(void **state) {
#define ST(x) "\"State\":{\"Running\":" x "}"
        static const struct {
                const char *body;
                int r;
                const char *name;
                int pid;
                uint32_t cpus;
                uint64_t mem;
                unsigned macs;
        } t[] = {
                {"{\"Id\":\"" ID1 "\",\"Name\":\"/web\",\"State\":{\"Running\":true,\"Pid\":42},"
                 "\"HostConfig\":{\"Memory\":1048576,\"NanoCpus\":1500000000},"
                 "\"NetworkSettings\":{\"MacAddress\":\"02:42:ac:11:00:02\",\"Networks\":"
                 "{\"a\":{\"MacAddress\":\"02:42:ac:11:00:02\"},\"b\":{\"MacAddress\":"
                 "\"02:42:AC:12:00:03\"},\"c\":{\"MacAddress\":\"\"},\"d\":7}}}",
                 0, "web", 42, 2, 1048576, 2},
                {"{\"Id\":\"" ID1 "\",\"Name\":\"noslash\",\"State\":{\"Running\":false,\"Pid\":0},"
                 "\"HostConfig\":{\"CpuQuota\":50000,\"CpuPeriod\":100000}}",
                 0, "noslash", 0, 1, 0, 0},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":1},"
                 "\"HostConfig\":{\"CpusetCpus\":\"0-3,6\",\"Memory\":-5,\"NanoCpus\":\"x\"}}",
                 0, "", 1, 5, 0, 0},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":1},"
                 "\"HostConfig\":{\"CpusetCpus\":\"3-1\"},\"Name\":7,\"Config\":[]}",
                 0, "", 1, 0, 0, 0},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":\"42\"}}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":\"true\",\"Pid\":42}}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":-1}}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":99999999999}}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\"," ST("true") "}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\",\"State\":[]}", -EBADMSG},
                {"{\"Id\":\"short\",\"State\":{\"Running\":true,\"Pid\":1}}", -EBADMSG},
                {"{\"State\":{\"Running\":true,\"Pid\":1}}", -EBADMSG},
                {"{\"message\":\"No such container: x\"}", -EBADMSG},
                {"{\"Id\":\"" ID1 "\",\"State\":{\"Running\":true,\"Pid\":1}", -EBADMSG},
                {"[1,2,3]", -EBADMSG},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                struct dk_inspect c;
                memset(&c, 0x55, sizeof c);
                int r = dk_json_inspect(t[i].body, strlen(t[i].body), &c);
                assert_int_equal(r, t[i].r);
                if (r < 0) {
                        assert_int_equal(c.pid, 0x55555555); /* untouched */
                        continue;
                }
                assert_string_equal(c.id, ID1);
                assert_string_equal(c.name, t[i].name);
                assert_int_equal(c.pid, t[i].pid);
                assert_int_equal(c.cpus, t[i].cpus);
                assert_int_equal(c.memory_limit, t[i].mem);
                assert_int_equal(c.n_macs, t[i].macs);
        }
        /* a long name is cut, not overflowed */
        char body[1024];
        char name[600];
        memset(name, 'n', sizeof name - 1);
        name[sizeof name - 1] = '\0';
        snprintf(body, sizeof body,
                 "{\"Id\":\"" ID1 "\",\"Name\":\"/%s\",\"State\":{\"Running\":true,\"Pid\":3}}",
                 name);
        struct dk_inspect c;
        assert_int_equal(dk_json_inspect(body, strlen(body), &c), 0);
        assert_int_equal(strlen(c.name), DK_NAME_MAX - 1);
}

/* ---- the event stream ---- */

struct collected {
        struct dk_event ev[32];
        int n;
};

static void collect(const struct dk_event *ev, void *userdata) {
        struct collected *c = userdata;
        assert_true(c->n < 32);
        c->ev[c->n++] = *ev;
}

static const char events[] =
        "{\"status\":\"start\",\"id\":\"" ID1 "\",\"Type\":\"container\",\"Action\":\"start\","
        "\"Actor\":{\"ID\":\"" ID1 "\",\"Attributes\":{\"name\":\"web\"}},\"time\":1}\n"
        "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"" ID2 "\"}}\n"
        "{\"Type\":\"container\",\"Action\":\"exec_start: sh -c true\",\"Actor\":{\"ID\":\"" ID1
        "\"}}\n"
        "{\"status\":\"die\",\"id\":\"" ID2 "\"}\n" /* an old engine: no Type, Action, Actor */
        "{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" ID2 "\","
        "\"Attributes\":{\"name\":\"\\u00e9t\\u00e9\"}}}\n";

static void check_events(const struct collected *c) {
        assert_int_equal(c->n, 4);
        assert_int_equal(c->ev[0].action, DK_EV_START);
        assert_string_equal(c->ev[0].id, ID1);
        assert_string_equal(c->ev[0].name, "web");
        assert_int_equal(c->ev[1].action, DK_EV_OTHER);
        assert_int_equal(c->ev[2].action, DK_EV_DIE);
        assert_string_equal(c->ev[2].id, ID2);
        assert_int_equal(c->ev[3].action, DK_EV_DESTROY);
        assert_string_equal(c->ev[3].name, "\xc3\xa9t\xc3\xa9");
}

static void test_stream_split_everywhere(void **state) {
        size_t len = strlen(events);
        struct dk_stream s;
        assert_int_equal(dk_stream_init(&s), 0);
        for (size_t cut = 0; cut <= len; cut++) {
                struct collected c = {0};
                dk_stream_reset(&s);
                dk_stream_feed(&s, events, cut, collect, &c);
                dk_stream_feed(&s, events + cut, len - cut, collect, &c);
                check_events(&c);
        }
        /* one byte per write */
        struct collected c = {0};
        dk_stream_reset(&s);
        for (size_t i = 0; i < len; i++)
                dk_stream_feed(&s, events + i, 1, collect, &c);
        check_events(&c);
        assert_int_equal(s.errors, 0);
        /* the real stream of an engine */
        char *real = slurp("../fuzz/corpus/docker/events.json");
        struct collected r = {0};
        dk_stream_reset(&s);
        dk_stream_feed(&s, real, strlen(real), collect, &r);
        assert_true(r.n >= 1);
        assert_int_equal(s.errors, 0);
        free(real);
        dk_stream_free(&s);
}

static void test_stream_malformed(void **state) {
        struct dk_stream s;
        assert_int_equal(dk_stream_init(&s), 0);
        static const char *bad[] = {
                "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":}}\n",
                "}}}\n",
                "[1,2]\n",
                "\"just a string\"\n",
                "{\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID1 "ff\"}}\n", /* bad id */
                "{\"Action\":7,\"Actor\":{\"ID\":\"" ID1 "\"}}\n",
                "{\"Action\":\"start\",\"Actor\":[\"" ID1 "\"]}\n",
                "nul\n",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct collected c = {0};
                dk_stream_reset(&s);
                dk_stream_feed(&s, bad[i], strlen(bad[i]), collect, &c);
                /* whatever was wrong, the next good object is read */
                dk_stream_feed(&s, events, strlen(events), collect, &c);
                check_events(&c);
        }
        assert_true(s.errors >= 4);
        /* an object larger than the bound is dropped up to the next line end */
        size_t big = 2 << 20;
        char *huge = malloc(big + 32);
        strcpy(huge, "{\"x\":\"");
        memset(huge + 6, 'a', big);
        strcpy(huge + 6 + big, "\"}\n");
        struct collected c = {0};
        size_t before = s.errors;
        dk_stream_reset(&s);
        for (size_t off = 0, len = strlen(huge); off < len; off += 65536)
                dk_stream_feed(&s, huge + off, len - off < 65536 ? len - off : 65536, collect, &c);
        dk_stream_feed(&s, events, strlen(events), collect, &c);
        check_events(&c);
        assert_int_equal(s.errors, before + 1);
        free(huge);
        dk_stream_free(&s);
}

/* ---- ids, indexes, MACs ---- */

static void test_ids(void **state) {
        assert_true(dk_valid_id(ID1, strlen(ID1)));
        assert_false(dk_valid_id(ID1, 63));
        char bad[] = ID1;
        bad[0] = 'g';
        assert_false(dk_valid_id(bad, 64));
        for (unsigned p = 0; p < 100; p++) {
                uint32_t i = dk_ds_index(ID1, p);
                assert_true(i >= 100000 && i <= 149999);
        }
        assert_int_equal(dk_ds_index(ID1, 0), dk_ds_index(ID1, 0)); /* stable */
        assert_int_not_equal(dk_ds_index(ID1, 0), dk_ds_index(ID1, 1));
        uint8_t uuid[16];
        dk_uuid(ID1, uuid);
        static const uint8_t want[16] = {0x54, 0xa4, 0x8b, 0x7f, 0x4d, 0xfb, 0xc8, 0x22,
                                         0xf1, 0xd6, 0xc3, 0x56, 0x37, 0x63, 0x25, 0x7a};
        assert_memory_equal(uuid, want, 16);
        uint8_t mac[6] = {0};
        assert_int_equal(dk_parse_mac("02:42:aC:11:00:ff", mac), 0);
        assert_int_equal(mac[5], 0xff);
        assert_int_equal(dk_parse_mac("02:42:ac:11:00", mac), -EINVAL);
        assert_int_equal(dk_parse_mac("02:42:ac:11:00:ff:00", mac), -EINVAL);
        assert_int_equal(dk_parse_mac("", mac), -EINVAL);
}

/* ---- /proc/PID/net/dev ---- */

static void count_name(const char *name, void *userdata) {
        assert_string_not_equal(name, "lo");
        (*(int *)userdata)++;
}

static void test_net_dev(void **state) {
        char *text = slurp("cgroup/net-dev");
        struct sflow_ctr_virt_net_io io;
        assert_int_equal(dk_parse_net_dev(text, &io), 2);
        assert_int_equal(io.rx_bytes, 12350);
        assert_int_equal(io.rx_packets, 101);
        assert_int_equal(io.rx_errs, 1);
        assert_int_equal(io.rx_drop, 2);
        assert_int_equal(io.tx_bytes, 67896);
        assert_int_equal(io.tx_packets, 202);
        assert_int_equal(io.tx_errs, 3);
        assert_int_equal(io.tx_drop, 4);
        int n = 0;
        assert_int_equal(dk_net_dev_names(text, count_name, &n), 2);
        assert_int_equal(n, 2);
        free(text);
        const char *lo_only = "h\nh\n    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        assert_int_equal(dk_parse_net_dev(lo_only, &io), 0);
        assert_int_equal(io.rx_bytes, 0);
        assert_int_equal(dk_parse_net_dev("garbage\n", &io), -ENODATA);
        assert_int_equal(dk_parse_net_dev("  eth0: 1 2 3\n", &io), -ENODATA);
}

/* ---- cgroups ---- */

static void test_mountinfo(void **state) {
        struct cgroup_mounts m;
        char *t = slurp("cgroup/mountinfo-v1");
        assert_int_equal(cgroup_parse_mountinfo(t, &m), 0);
        assert_string_equal(m.mount[CG_CPUACCT], "/sys/fs/cgroup/cpuacct");
        assert_string_equal(m.mount[CG_MEMORY], "/sys/fs/cgroup/memory");
        assert_string_equal(m.mount[CG_BLKIO], "/sys/fs/cgroup/blkio");
        assert_string_equal(m.mount[CG_V2], "/sys/fs/cgroup/unified");
        free(t);
        t = slurp("cgroup/mountinfo-v2");
        assert_int_equal(cgroup_parse_mountinfo(t, &m), 0);
        assert_string_equal(m.mount[CG_V2], "/sys/fs/cgroup");
        assert_string_equal(m.mount[CG_MEMORY], "");
        free(t);
        t = slurp("cgroup/mountinfo-comounted");
        assert_int_equal(cgroup_parse_mountinfo(t, &m), 0);
        assert_string_equal(m.mount[CG_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(m.root[CG_MEMORY], "/kubepods");
        assert_string_equal(m.mount[CG_V2], "");
        free(t);
        assert_int_equal(cgroup_parse_mountinfo("1 2 3:4 / / rw - ext4 /dev/x rw\n", &m), -ENODATA);
        assert_int_equal(cgroup_parse_mountinfo("garbage", &m), -ENODATA);
}

static void test_mountinfo_unescape(void **state) {
        const struct {
                const char *in;
                size_t size;
                int ret;
                const char *out;
        } cases[] = {
                {"/sys/fs/cgroup", 64, 0, "/sys/fs/cgroup"},
                {"/mnt/my\\040cgroups", 64, 0, "/mnt/my cgroups"},
                {"/a\\011b\\012c\\134d", 64, 0, "/a\tb\nc\\d"},
                {"\\040\\040", 64, 0, "  "},
                {"/end\\040", 64, 0, "/end "},
                /* not an escape: kept as it is */
                {"/a\\04", 64, 0, "/a\\04"},
                {"/a\\", 64, 0, "/a\\"},
                {"/a\\xyz", 64, 0, "/a\\xyz"},
                {"/a\\089", 64, 0, "/a\\089"},
                {"/a\\000b", 64, 0, "/a\\000b"},
                {"", 1, 0, ""},
                /* the room counted after decoding */
                {"/a\\040b", 5, 0, "/a b"},
                {"/a\\040bc", 5, -ENAMETOOLONG, NULL},
                {"abc", 3, -ENAMETOOLONG, NULL},
                {"", 0, -ENAMETOOLONG, NULL},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                char buf[64];
                int r = cgroup_mountinfo_unescape(buf, cases[i].size, cases[i].in,
                                                  strlen(cases[i].in));
                if (r != cases[i].ret)
                        fail_msg("case %zu (%s): %d, not %d", i, cases[i].in, r, cases[i].ret);
                if (r == 0)
                        assert_string_equal(buf, cases[i].out);
        }
}

/* cgroup hierarchies mounted where the path has a space, a tab and a backslash */
static void test_mountinfo_escaped(void **state) {
        const char *mi =
                "25 28 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
                "26 25 0:24 / /run/my\\040cgroups rw,nosuid shared:8 - cgroup2 cgroup2 rw\n"
                "27 25 0:25 /ku\\011be /run/v1\\134mem rw - cgroup cgroup rw,memory\n";
        struct cgroup_mounts m;
        struct cgroup_paths p;
        assert_int_equal(cgroup_parse_mountinfo(mi, &m), 0);
        assert_string_equal(m.mount[CG_V2], "/run/my cgroups");
        assert_string_equal(m.mount[CG_MEMORY], "/run/v1\\mem");
        assert_string_equal(m.root[CG_MEMORY], "/ku\tbe");
        assert_int_equal(cgroup_paths_from("0::/system.slice/docker-" ID1 ".scope\n", &m, &p), 0);
        assert_string_equal(p.dir[CG_V2], "/run/my cgroups/system.slice/docker-" ID1 ".scope");
}

/* The kernel's own escaping: in a mount namespace of its own, a child mounts cgroup2 (alone: the
 * others are detached) on a directory whose name has a space; the mount point parsed from
 * /proc/self/mountinfo must be that directory, holding cgroup.controllers. */
static int live_child(void) {
        char top[] = "/tmp/test-cgroup-XXXXXX";
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return 10;
        if (!mkdtemp(top))
                return 11;
        char dir[256];
        snprintf(dir, sizeof dir, "%s/my cgroups", top);
        if (mkdir(dir, 0755) < 0)
                return 12;
        while (umount2("/sys/fs/cgroup", MNT_DETACH) == 0)
                ;
        int ret = 0;
        if (mount("cgroup2", dir, "cgroup2", 0, NULL) < 0) {
                ret = 13;
                goto out;
        }
        struct hsp_procbuf b = {0};
        struct cgroup_mounts m;
        char probe[300];
        if (hsp_procbuf_read(&b, "/proc/self/mountinfo") < 0)
                ret = 14;
        else if (!strstr(b.buf, "/my\\040cgroups "))
                ret = 15; /* the kernel did not escape it as expected */
        else if (cgroup_parse_mountinfo(b.buf, &m) < 0)
                ret = 16;
        else if (strcmp(m.mount[CG_V2], dir) != 0)
                ret = 17;
        else if (snprintf(probe, sizeof probe, "%s/cgroup.controllers", m.mount[CG_V2]) < 0 ||
                 access(probe, R_OK) < 0)
                ret = 18;
        hsp_procbuf_free(&b);
        umount2(dir, MNT_DETACH);
out:
        rmdir(dir);
        rmdir(top);
        return ret;
}

static void test_mountinfo_live(void **state) {
        if (geteuid() != 0) {
                printf("SKIPPED: test_mountinfo_live needs root (a mount namespace)\n");
                skip();
        }
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(live_child());
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        if (WEXITSTATUS(st) != 0)
                fail_msg("the child failed at step %d", WEXITSTATUS(st));
}

static void test_paths(void **state) {
        struct cgroup_mounts m;
        struct cgroup_paths p;
        char *mi = slurp("cgroup/mountinfo-v1"), *pc = slurp("cgroup/proc-cgroup-v1");
        assert_int_equal(cgroup_parse_mountinfo(mi, &m), 0);
        assert_int_equal(cgroup_paths_from(pc, &m, &p), 0);
        assert_string_equal(p.dir[CG_MEMORY], "/sys/fs/cgroup/memory/docker/" ID1);
        assert_string_equal(p.dir[CG_CPUACCT], "/sys/fs/cgroup/cpuacct/docker/" ID1);
        assert_string_equal(p.dir[CG_BLKIO], "/sys/fs/cgroup/blkio/docker/" ID1);
        free(mi);
        free(pc);
        mi = slurp("cgroup/mountinfo-v2");
        pc = slurp("cgroup/proc-cgroup-v2");
        assert_int_equal(cgroup_parse_mountinfo(mi, &m), 0);
        assert_int_equal(cgroup_paths_from(pc, &m, &p), 0);
        assert_string_equal(p.dir[CG_V2], "/sys/fs/cgroup/system.slice/docker-" ID1 ".scope");
        assert_string_equal(p.dir[CG_MEMORY], "");
        free(mi);
        free(pc);
        mi = slurp("cgroup/mountinfo-comounted");
        pc = slurp("cgroup/proc-cgroup-comounted");
        assert_int_equal(cgroup_parse_mountinfo(mi, &m), 0);
        assert_int_equal(cgroup_paths_from(pc, &m, &p), 0);
        assert_string_equal(p.dir[CG_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct/docker/" ID1);
        assert_string_equal(p.dir[CG_MEMORY], "/sys/fs/cgroup/memory/docker/" ID1);
        free(mi);
        free(pc);
        char buf[16];
        assert_int_equal(cgroup_parse_proc_cgroup("0::/a/b\n", NULL, buf, sizeof buf), 0);
        assert_string_equal(buf, "/a/b");
        assert_int_equal(
                cgroup_parse_proc_cgroup("0::/a/bbbbbbbbbbbbbbbbbbbb\n", NULL, buf, sizeof buf),
                -ENAMETOOLONG);
        assert_int_equal(cgroup_parse_proc_cgroup("3:memory:rel\n", "memory", buf, sizeof buf),
                         -EINVAL);
        assert_int_equal(cgroup_parse_proc_cgroup("3:memoryx:/a\n", "memory", buf, sizeof buf),
                         -ENODATA);
        assert_int_equal(cgroup_parse_proc_cgroup("garbage\n", "memory", buf, sizeof buf),
                         -ENODATA);
        /* the v2 root is not a container's cgroup (hybrid: v1 holds the counters) */
        memset(&m, 0, sizeof m);
        strcpy(m.mount[CG_V2], "/sys/fs/cgroup/unified");
        strcpy(m.root[CG_V2], "/");
        assert_int_equal(cgroup_paths_from("0::/\n", &m, &p), -ENODATA);
}

static void test_values(void **state) {
        uint64_t v;
        char *t = slurp("cgroup/memory.max-v2");
        assert_int_equal(cgroup_parse_u64(t, &v), 0);
        assert_int_equal(v, 52428800);
        free(t);
        t = slurp("cgroup/memory.max-v2-unlimited");
        assert_int_equal(cgroup_parse_u64(t, &v), 0);
        assert_true(v == UINT64_MAX);
        free(t);
        t = slurp("cgroup/memory.limit_in_bytes-v1-unlimited");
        assert_int_equal(cgroup_parse_u64(t, &v), 0);
        assert_true(v > (UINT64_C(1) << 62));
        free(t);
        assert_int_equal(cgroup_parse_u64("", &v), -ENODATA);
        assert_int_equal(cgroup_parse_u64("12x", &v), -EINVAL);
        assert_int_equal(cgroup_parse_u64("99999999999999999999999", &v), -EINVAL);
        assert_int_equal(cgroup_parse_u64("maximum", &v), -ENODATA);
        t = slurp("cgroup/cpu.stat-v2");
        assert_int_equal(cgroup_parse_keyed(t, "usage_usec", &v), 0);
        assert_int_equal(v, 2345678);
        assert_int_equal(cgroup_parse_keyed(t, "usage", &v), -ENODATA);
        free(t);
        t = slurp("cgroup/memory.stat-v1");
        assert_int_equal(cgroup_parse_keyed(t, "rss", &v), 0);
        assert_int_equal(cgroup_parse_keyed(t, "nonexistent", &v), -ENODATA);
        free(t);
}

static void test_blkio(void **state) {
        uint64_t rd = 1, wr = 1;
        char *t = slurp("cgroup/blkio-v1-service-bytes");
        assert_int_equal(cgroup_parse_blkio_v1(t, &rd, &wr), 0);
        assert_int_equal(rd, 5096);
        assert_int_equal(wr, 8216);
        free(t);
        t = slurp("cgroup/blkio-v1-serviced-lower");
        assert_int_equal(cgroup_parse_blkio_v1(t, &rd, &wr), 0);
        assert_int_equal(rd, 10);
        assert_int_equal(wr, 20);
        free(t);
        assert_int_equal(cgroup_parse_blkio_v1("Total 0\n", &rd, &wr), -ENODATA);
        assert_int_equal(cgroup_parse_blkio_v1("", &rd, &wr), 0);
        assert_int_equal(rd, 0);

        struct cgroup_stats st = {0};
        t = slurp("cgroup/io.stat-v2");
        assert_int_equal(cgroup_parse_io_v2(t, &st), 0);
        assert_int_equal(st.rd_bytes, 1010);
        assert_int_equal(st.wr_bytes, 2020);
        assert_int_equal(st.rd_ios, 33);
        assert_int_equal(st.wr_ios, 44);
        free(t);
        t = slurp("cgroup/io.stat-v2-upper");
        assert_int_equal(cgroup_parse_io_v2(t, &st), 0);
        assert_int_equal(st.rd_bytes, 7);
        assert_int_equal(st.wr_bytes, 8);
        assert_int_equal(st.rd_ios, 9);
        assert_int_equal(st.wr_ios, 10);
        free(t);
        assert_int_equal(cgroup_parse_io_v2("8:0 foo=1 bar\n", &st), -ENODATA);
        assert_int_equal(cgroup_parse_io_v2("8:0 rbytes=\n", &st), -ENODATA);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version),
                cmocka_unit_test(test_api_choose),
                cmocka_unit_test(test_containers),
                cmocka_unit_test(test_inspect_real),
                cmocka_unit_test(test_inspect),
                cmocka_unit_test(test_stream_split_everywhere),
                cmocka_unit_test(test_stream_malformed),
                cmocka_unit_test(test_ids),
                cmocka_unit_test(test_net_dev),
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_mountinfo_unescape),
                cmocka_unit_test(test_mountinfo_escaped),
                cmocka_unit_test(test_mountinfo_live),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_values),
                cmocka_unit_test(test_blkio),
        };
        /* libjson-c as the module loads it */
        if (json_dl_load("docker") < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
