/* test_systemd.c - systemd module: unit properties out of canned D-Bus messages (a{sv} as
 * GetAll and PropertiesChanged carry them), unit selection, states, counter fallbacks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "module.h"
#include "sflow/sflow.h"
#include "systemd-dl.h"
#include "systemd.h"
#include "uuid.h"

/* A bus that is never connected to anything: enough to build and read messages. */
static sd_bus *bus;
static int peer = -1; /* the other end, kept open and never read */

static int setup(void **state) {
        int s[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) < 0)
                return -1;
        peer = s[1];
        if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, s[0], s[0]) < 0 || sd_bus_start(bus) < 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        sd_bus_close_unref(bus);
        close(peer);
        return 0;
}

/* One dictionary entry: a name and a value of D-Bus type sig (a basic type, or "as"). */
struct entry {
        const char *name, *sig;
        const char *s;
        uint64_t n;
};

static sd_bus_message *build(const char *prefix_s, const struct entry *e, size_t n) {
        sd_bus_message *m = NULL;
        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/org/freedesktop/systemd1/unit/x",
                                                   "org.freedesktop.DBus.Properties",
                                                   "PropertiesChanged"),
                         0);
        if (prefix_s)
                assert_true(sd_bus_message_append(m, "s", prefix_s) >= 0);
        assert_true(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        for (size_t i = 0; i < n; i++) {
                assert_true(sd_bus_message_open_container(m, 'e', "sv") >= 0);
                assert_true(sd_bus_message_append(m, "s", e[i].name) >= 0);
                const char *t = e[i].sig;
                int r;
                if (strcmp(t, "as") == 0)
                        r = sd_bus_message_append(m, "v", "as", 2, "a", "b");
                else if (t[0] == 's' || t[0] == 'o')
                        r = sd_bus_message_append(m, "v", t, e[i].s);
                else if (t[0] == 't')
                        r = sd_bus_message_append(m, "v", "t", e[i].n);
                else if (t[0] == 'u')
                        r = sd_bus_message_append(m, "v", "u", (uint32_t)e[i].n);
                else if (t[0] == 'b')
                        r = sd_bus_message_append(m, "v", "b", (int)e[i].n);
                else
                        r = sd_bus_message_append(m, "v", "i", (int32_t)e[i].n);
                assert_true(r >= 0);
                assert_true(sd_bus_message_close_container(m) >= 0);
        }
        assert_true(sd_bus_message_close_container(m) >= 0);
        if (prefix_s)
                assert_true(sd_bus_message_append(m, "as", 0) >= 0);
        assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        if (prefix_s) {
                const char *iface;
                assert_int_equal(sd_bus_message_read_basic(m, 's', &iface), 1);
        }
        return m;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_getall(void **state) {
        static const struct entry e[] = {
                {"Id", "s", "web.service", 0},
                {"Names", "as", NULL, 0},
                {"ActiveState", "s", "active", 0},
                {"SubState", "s", "running", 0},
                {"ControlGroup", "s", "/system.slice/web.service", 0},
                {"CPUUsageNSec", "t", NULL, 1234567890},
                {"MemoryCurrent", "t", NULL, 4096 * 1000},
                {"MemoryMax", "t", NULL, UINT64_MAX},
                {"IOReadBytes", "t", NULL, 11},
                {"IOWriteBytes", "t", NULL, 22},
                {"IOReadOperations", "t", NULL, 3},
                {"IOWriteOperations", "t", NULL, 4},
                {"PrivateNetwork", "b", NULL, 1},
                {"MainPID", "u", NULL, 4242},
                {"Unknown", "i", NULL, 7},
        };
        sd_bus_message *m = build(NULL, e, N(e));
        struct sd_props p;
        sd_props_init(&p);
        assert_int_equal(sd_props_read(m, &p), 13);
        assert_string_equal(p.id, "web.service");
        assert_string_equal(p.active_state, "active");
        assert_string_equal(p.sub_state, "running");
        assert_string_equal(p.cgroup, "/system.slice/web.service");
        assert_int_equal(p.cpu_ns, 1234567890);
        assert_int_equal(p.mem_current, 4096000);
        assert_true(p.mem_limit == UINT64_MAX);
        assert_int_equal(p.io_rd_bytes, 11);
        assert_int_equal(p.io_wr_bytes, 22);
        assert_int_equal(p.io_rd_ops, 3);
        assert_int_equal(p.io_wr_ops, 4);
        assert_true(p.private_network && p.have_private_network);
        assert_int_equal(p.main_pid, 4242);
        sd_bus_message_unref(m);
}

/* Wrong types count as missing; the rest of the dictionary is still read. */
static void test_wrong_types(void **state) {
        static const struct entry e[] = {
                {"Id", "t", NULL, 5},
                {"MemoryCurrent", "s", "lots", 0},
                {"CPUUsageNSec", "u", NULL, 9},
                {"ControlGroup", "o", "/system_2eslice", 0},
                {"PrivateNetwork", "i", NULL, 1},
                {"ActiveState", "s", "failed", 0},
        };
        sd_bus_message *m = build("org.freedesktop.systemd1.Unit", e, N(e));
        struct sd_props p;
        sd_props_init(&p);
        assert_int_equal(sd_props_read(m, &p), 1);
        assert_string_equal(p.id, "");
        assert_string_equal(p.cgroup, "");
        assert_true(p.mem_current == SD_NONE && p.cpu_ns == SD_NONE);
        assert_false(p.have_private_network);
        assert_string_equal(p.active_state, "failed");
        /* the rest of PropertiesChanged (the invalidated names) is still there */
        assert_int_equal(sd_bus_message_enter_container(m, 'a', "s"), 1);
        sd_bus_message_unref(m);
}

/* Strings longer than their field are cut, never overflow. */
static void test_long_string(void **state) {
        char big[2000];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        const struct entry e[] = {{"ControlGroup", "s", big, 0}, {"Id", "s", big, 0}};
        sd_bus_message *m = build(NULL, e, N(e));
        struct sd_props p;
        sd_props_init(&p);
        assert_int_equal(sd_props_read(m, &p), 2);
        assert_int_equal(strlen(p.cgroup), SD_CGROUP_MAX - 1);
        assert_int_equal(strlen(p.id), SD_NAME_MAX - 1);
        sd_bus_message_unref(m);
}

/* A message that is not a{sv} where one is expected. */
static void test_not_a_dict(void **state) {
        sd_bus_message *m = NULL;
        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/x", "a.b", "C"), 0);
        assert_true(sd_bus_message_append(m, "a{ss}", 1, "Id", "x") >= 0);
        assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        struct sd_props p;
        sd_props_init(&p);
        assert_int_equal(sd_props_read(m, &p), -EBADMSG);
        sd_bus_message_unref(m);
        /* an empty message */
        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/x", "a.b", "C"), 0);
        assert_int_equal(sd_bus_message_seal(m, 2, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_int_equal(sd_props_read(m, &p), -EBADMSG);
        sd_bus_message_unref(m);
}

static void test_wanted(void **state) {
        static const struct {
                const char *name;
                bool scopes, want;
        } t[] = {
                {"ssh.service", false, true},       {"ssh.service", true, true},
                {"session-1.scope", false, false},  {"session-1.scope", true, true},
                {"docker-0123.scope", true, false}, {"libpod-0123.scope", true, false},
                {"system.slice", true, false},      {"dev-sda.device", false, false},
                {".service", false, false},         {"service", false, false},
                {"a.service.d", false, false},
        };
        for (size_t i = 0; i < N(t); i++)
                assert_true(sd_unit_wanted(t[i].name, t[i].scopes) == t[i].want);
}

static void test_states(void **state) {
        static const struct {
                const char *active, *sub;
                uint32_t want;
        } t[] = {
                {"active", "running", SFLOW_VIRT_RUNNING},
                {"active", "exited", SFLOW_VIRT_RUNNING},
                {"reloading", "reload", SFLOW_VIRT_RUNNING},
                {"activating", "start", SFLOW_VIRT_BLOCKED},
                {"activating", "auto-restart", SFLOW_VIRT_NOSTATE},
                {"deactivating", "stop-sigterm", SFLOW_VIRT_NOSTATE},
                {"inactive", "dead", SFLOW_VIRT_NOSTATE},
                {"failed", "failed", SFLOW_VIRT_NOSTATE},
                {"", "", SFLOW_VIRT_NOSTATE},
        };
        for (size_t i = 0; i < N(t); i++)
                assert_int_equal(sd_virt_state(t[i].active, t[i].sub), t[i].want);
}

/* cgroup files win; properties fill in what the files lack; nothing else is made up. */
static void test_fallback(void **state) {
        struct sd_props p;
        sd_props_init(&p);
        p.cpu_ns = 5000000;
        p.mem_current = 777;
        p.io_rd_bytes = 9;
        struct cgroup_stats files = {.have_memory = true, .mem_usage = 100, .mem_limit = 200};
        struct cgroup_stats r;
        sd_unit_counters(&p, &files, &r);
        assert_true(r.have_cpu && r.cpu_ns == 5000000);
        assert_true(r.have_memory && r.mem_usage == 100 && r.mem_limit == 200);
        assert_true(r.have_io && r.rd_bytes == 9 && r.wr_bytes == 0);
        sd_props_init(&p);
        memset(&files, 0, sizeof files);
        sd_unit_counters(&p, &files, &r);
        assert_false(r.have_cpu || r.have_memory || r.have_io);
}

static void test_cgroup_of_unit(void **state) {
        struct cgroup_mounts mt;
        memset(&mt, 0, sizeof mt);
        strcpy(mt.mount[CG_MEMORY], "/sys/fs/cgroup/memory");
        strcpy(mt.root[CG_MEMORY], "/");
        strcpy(mt.mount[CG_V2], "/sys/fs/cgroup/unified");
        strcpy(mt.root[CG_V2], "/");
        struct cgroup_paths p;
        assert_int_equal(cgroup_paths_of_cgroup(&mt, "/system.slice/a.service", &p), 0);
        assert_string_equal(p.dir[CG_MEMORY], "/sys/fs/cgroup/memory/system.slice/a.service");
        assert_string_equal(p.dir[CG_V2], "/sys/fs/cgroup/unified/system.slice/a.service");
        assert_string_equal(p.dir[CG_CPUACCT], "");
        assert_int_equal(cgroup_paths_of_cgroup(&mt, "", &p), -EINVAL);
        assert_int_equal(cgroup_paths_of_cgroup(&mt, "/", &p), -EINVAL);
        memset(&mt, 0, sizeof mt);
        assert_int_equal(cgroup_paths_of_cgroup(&mt, "/x.service", &p), -ENODATA);
}

/* Identity: fixed values, so that a change of the derivation shows. */
static void test_identity(void **state) {
        /* RFC 4122 version 5 of "python.org" in the DNS namespace */
        static const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                        0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
        uint8_t u[16];
        char s[37];
        assert_int_equal(uuid_v5(dns, "python.org", 10, u), 0);
        uuid_format(u, s);
        assert_string_equal(s, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        /* FNV-1a of the name, the same everywhere; probing takes the next index */
        assert_int_equal(hsp_ds_index_hash("ssh.service", 0), 120396);
        assert_int_equal(hsp_ds_index_hash("", 0), 100000 + 0xcbf29ce484222325ULL % 50000);
        uint32_t a = hsp_ds_index_hash("ssh.service", 0), b = hsp_ds_index_hash("ssh.service", 1);
        assert_true(b == a + 1 || (a == 149999 && b == 100000));
}

int main(void) {
        if (sd_dl_load() < 0) /* sd-bus, as hsflowd loads it */
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_getall),      cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_long_string), cmocka_unit_test(test_not_a_dict),
                cmocka_unit_test(test_wanted),      cmocka_unit_test(test_states),
                cmocka_unit_test(test_fallback),    cmocka_unit_test(test_cgroup_of_unit),
                cmocka_unit_test(test_identity),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
