/* test_host.c - host module /proc parsers over fixture texts (tests/data/proc). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "modules/host.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

static struct hsp_procbuf buf;

static const char *fixture(const char *name) {
        char path[512];
        snprintf(path, sizeof path, "%s/proc/%s", TEST_DATA_DIR, name);
        int r = hsp_procbuf_read(&buf, path);
        if (r < 0)
                fail_msg("cannot read %s: %s", path, strerror(-r));
        return buf.buf;
}

/* ---- /proc/net/snmp: by column name ---- */

#define NIP (sizeof(struct sflow_ctr_mib2_ip) / 4)
#define NICMP (sizeof(struct sflow_ctr_mib2_icmp) / 4)
#define NTCP (sizeof(struct sflow_ctr_mib2_tcp) / 4)
#define NUDP (sizeof(struct sflow_ctr_mib2_udp) / 4)

static const struct snmp_case {
        const char *file;
        uint32_t ip[NIP], icmp[NICMP], tcp[NTCP], udp[NUDP]; /* in struct field order */
} snmp_cases[] = {
        {"snmp-6.x", /* kernel 6.x header order, every value distinct */
         {1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015,
          1016, 1017, 1018, 1019},
         {2001, 2002, 2004, 2005, 2006, 2007, 2008, 2009, 2010, 2011, 2013, 2014, 2015,
          2016, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028, 2029},
         {4001, 4002, 4003, UINT32_MAX, 4005, 4006, 4007, 4008, 4009, 4010, 4011, 4012, 4013, 4014,
          4015},
         {5001, 5002, 5003, 5004, 5005, 5006, 5007}},
        {"snmp-reordered", /* shuffled columns, unknown names, a 64-bit value */
         {1, 64, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118,
          119},
         {201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213,
          214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 229},
         {1, 200, 120000, UINT32_MAX, 305, 306, 307, 308, 309, 310, 311, 312, 313, 314, 315},
         {401, 402, 403, 404, 405, 406, 407}},
        {"snmp-3.x", /* old kernels: no InCsumErrors anywhere (stays 0) */
         {2, 64, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26},
         {30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 41, 42, 43,
          44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55},
         {1, 200, 120000, UINT32_MAX, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 0},
         {70, 71, 72, 73, 74, 75, 0}},
        {"snmp", /* this machine (6.18): InDestUnreachs must not shift into InTimeExcds */
         {2, 64, 532, 0, 0, 0, 0, 0, 532, 389, 0, 0, 0, 0, 0, 0, 0, 0, 0},
         {1, 0, 1, 0},
         {1, 200, 120000, UINT32_MAX, 13, 2, 0, 0, 0, 505, 363, 0, 0, 2, 0},
         {26, 0, 0, 27, 0, 0, 0}},
};

static void check_u32(const char *file, const char *what, const void *got, const uint32_t *want,
                      size_t n) {
        const uint32_t *g = got;
        for (size_t i = 0; i < n; i++)
                if (g[i] != want[i])
                        fail_msg("%s: %s field %zu: got %u, want %u", file, what, i, g[i], want[i]);
}

static void test_snmp(void **state) {
        for (size_t c = 0; c < sizeof snmp_cases / sizeof snmp_cases[0]; c++) {
                const struct snmp_case *t = &snmp_cases[c];
                struct sflow_ctr_mib2_ip ip;
                struct sflow_ctr_mib2_icmp icmp;
                struct sflow_ctr_mib2_tcp tcp;
                struct sflow_ctr_mib2_udp udp;
                memset(&ip, 0, sizeof ip);
                memset(&icmp, 0, sizeof icmp);
                memset(&tcp, 0, sizeof tcp);
                memset(&udp, 0, sizeof udp);
                unsigned found = 0;
                assert_int_equal(hsp_parse_snmp(fixture(t->file), &ip, &icmp, &tcp, &udp, &found),
                                 0);
                assert_int_equal(found, 15);
                check_u32(t->file, "ip", &ip, t->ip, NIP);
                check_u32(t->file, "icmp", &icmp, t->icmp, NICMP);
                check_u32(t->file, "tcp", &tcp, t->tcp, NTCP);
                check_u32(t->file, "udp", &udp, t->udp, NUDP);
        }
}

static void test_snmp_partial(void **state) {
        struct sflow_ctr_mib2_tcp tcp = {0};
        unsigned found = 0;
        /* a header without its value line, and a section that is missing */
        assert_int_equal(hsp_parse_snmp("Ip: Forwarding\nTcp: RtoMin MaxConn\nTcp: 200 -1\n", NULL,
                                        NULL, &tcp, NULL, &found),
                         0);
        assert_int_equal(found, 4);
        assert_int_equal(tcp.rto_min, 200);
        assert_int_equal(tcp.max_conn, UINT32_MAX);
        assert_int_equal(hsp_parse_snmp("", NULL, NULL, &tcp, NULL, &found), -ENODATA);
        assert_int_equal(found, 0);
}

/* ---- /proc/diskstats ---- */

static void test_disk_counted(void **state) {
        static const struct {
                const char *name;
                bool counted;
        } cases[] = {
                {"sda", true},     {"sda1", false},      {"sda2", false},
                {"sdb", true},     {"nvme0n1", true},    {"nvme0n1p1", false},
                {"mmcblk0", true}, {"mmcblk0p1", false}, {"mmcblk0boot0", true},
                {"md0", false},    {"dm-0", false},      {"vdb", true},
                {"loop1", false},  {"loop10", false},    {"zram0", false},
                {"sr0", true},     {"xvda1", true}, /* its disk is not listed */
        };
        const char *text = fixture("diskstats-mixed");
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
                if (hsp_disk_counted(text, cases[i].name, strlen(cases[i].name)) !=
                    cases[i].counted)
                        fail_msg("%s: want counted=%d", cases[i].name, cases[i].counted);
}

static void test_diskstats(void **state) {
        static const struct {
                const char *file;
                struct sflow_ctr_host_disk_io want;
        } cases[] = {
                /* sda sdb nvme0n1 mmcblk0 mmcblk0boot0 vdb sr0 xvda1; 32-bit fields wrap */
                {"diskstats-mixed",
                 {.reads = (uint32_t)5000001113ull,
                  .bytes_read = 10000010062ull * 512,
                  .read_time = 408,
                  .writes = (uint32_t)4294969511ull,
                  .bytes_written = 20000020072ull * 512,
                  .write_time = 529}},
                {"diskstats", /* this machine: vda only (loop and zram left out) */
                 {.reads = 29717,
                  .bytes_read = 2050554ull * 512,
                  .read_time = 8676,
                  .writes = 12126,
                  .bytes_written = 757016ull * 512,
                  .write_time = 5027}},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct sflow_ctr_host_disk_io d = {0};
                assert_int_equal(hsp_parse_diskstats(fixture(cases[i].file), &d), 0);
                assert_int_equal(d.reads, cases[i].want.reads);
                assert_int_equal(d.bytes_read, cases[i].want.bytes_read);
                assert_int_equal(d.read_time, cases[i].want.read_time);
                assert_int_equal(d.writes, cases[i].want.writes);
                assert_int_equal(d.bytes_written, cases[i].want.bytes_written);
                assert_int_equal(d.write_time, cases[i].want.write_time);
        }
        struct sflow_ctr_host_disk_io d = {0};
        assert_int_equal(hsp_parse_diskstats("garbage\n", &d), -ENODATA);
}

/* ---- /proc/meminfo and /proc/vmstat ---- */

static void test_meminfo(void **state) {
        static const struct {
                const char *file;
                struct sflow_ctr_host_memory want;
        } cases[] = {
                {"meminfo",
                 {.mem_total = 24684084ull * 1024,
                  .mem_free = 24522000ull * 1024,
                  .mem_shared = 8872ull * 1024,
                  .mem_buffers = 968ull * 1024,
                  .mem_cached = 23184ull * 1024}},
                {"meminfo-missing", /* no Cached, Shmem, SwapFree */
                 {.mem_total = 2048000ull * 1024,
                  .mem_free = 512000ull * 1024,
                  .mem_buffers = 1000ull * 1024,
                  .swap_total = 1048576ull * 1024}},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct sflow_ctr_host_memory m = {0};
                assert_int_equal(hsp_parse_meminfo(fixture(cases[i].file), &m), 0);
                assert_int_equal(m.mem_total, cases[i].want.mem_total);
                assert_int_equal(m.mem_free, cases[i].want.mem_free);
                assert_int_equal(m.mem_shared, cases[i].want.mem_shared);
                assert_int_equal(m.mem_buffers, cases[i].want.mem_buffers);
                assert_int_equal(m.mem_cached, cases[i].want.mem_cached);
                assert_int_equal(m.swap_total, cases[i].want.swap_total);
                assert_int_equal(m.swap_free, cases[i].want.swap_free);
        }
        struct sflow_ctr_host_memory m = {0};
        assert_int_equal(hsp_parse_meminfo("SwapCached: 0 kB\nHugePages_Total: 5\n", &m), -ENODATA);
        /* "Cached" must not match "SwapCached" */
        assert_int_equal(m.mem_cached, 0);
}

static void test_vmstat(void **state) {
        struct sflow_ctr_host_memory m = {0};
        assert_int_equal(hsp_parse_vmstat(fixture("vmstat"), &m), 0);
        assert_int_equal(m.page_in, 1025277);
        assert_int_equal(m.page_out, 378508);
        assert_int_equal(m.swap_in, 0);
        assert_int_equal(m.swap_out, 0);
        memset(&m, 0, sizeof m);
        assert_int_equal(hsp_parse_vmstat("pgpgin_x 5\npgpgout 7\npswpout 4294967297\n", &m), 0);
        assert_int_equal(m.page_in, 0);
        assert_int_equal(m.page_out, 7);
        assert_int_equal(m.swap_out, 1);
}

/* ---- cpu ---- */

static void test_cpu(void **state) {
        struct sflow_ctr_host_cpu c = {0};
        assert_int_equal(hsp_parse_loadavg(fixture("loadavg"), &c), 0);
        assert_true(c.load_one > 0.039f && c.load_one < 0.041f);
        assert_true(c.load_five > 0.079f && c.load_five < 0.081f);
        assert_true(c.load_fifteen > 0.039f && c.load_fifteen < 0.041f);
        assert_int_equal(c.proc_run, 1);
        assert_int_equal(c.proc_total, 86);

        assert_int_equal(hsp_parse_stat(fixture("stat"), 100, &c), 0);
        assert_int_equal(c.cpu_user, 17710);
        assert_int_equal(c.cpu_nice, 0);
        assert_int_equal(c.cpu_system, 18450);
        assert_int_equal(c.cpu_idle, 810250);
        assert_int_equal(c.cpu_wio, 3690);
        assert_int_equal(c.cpu_intr, 0);
        assert_int_equal(c.cpu_sintr, 340);
        assert_int_equal(c.cpu_steal, 260);
        assert_int_equal(c.interrupts, 125701);
        assert_int_equal(c.contexts, 276329);
        assert_int_equal(c.proc_run, 1);

        /* USER_HZ 250, an old kernel with only four times */
        memset(&c, 0, sizeof c);
        assert_int_equal(hsp_parse_stat("cpu  250 500 750 1000\ncpu0 1 1 1 1\nctxt 9\n", 250, &c),
                         0);
        assert_int_equal(c.cpu_user, 1000);
        assert_int_equal(c.cpu_nice, 2000);
        assert_int_equal(c.cpu_system, 3000);
        assert_int_equal(c.cpu_idle, 4000);
        assert_int_equal(c.cpu_wio, 0);
        assert_int_equal(c.contexts, 9);

        assert_int_equal(hsp_parse_uptime(fixture("uptime"), &c), 0);
        assert_int_equal(c.uptime, 426);

        uint32_t mhz = 0;
        assert_int_equal(hsp_parse_cpuinfo_mhz(fixture("cpuinfo"), &mhz), 0);
        assert_int_equal(mhz, 2596);
        assert_int_equal(hsp_parse_cpuinfo_mhz("processor : 0\nBogoMIPS : 50.00\n", &mhz),
                         -ENODATA);

        assert_int_equal(hsp_parse_loadavg("", &c), -ENODATA);
        assert_int_equal(hsp_parse_stat("", 100, &c), -ENODATA);
        assert_int_equal(hsp_parse_uptime("x", &c), -ENODATA);
}

/* ---- /proc/mounts ---- */

struct mounts_seen {
        int n;
        char paths[8][64];
};

static void on_mount(const char *mountpoint, void *userdata) {
        struct mounts_seen *s = userdata;
        if (s->n < 8)
                snprintf(s->paths[s->n], sizeof s->paths[0], "%s", mountpoint);
        s->n++;
}

static void test_mounts(void **state) {
        static const struct {
                const char *file;
                int n;
                const char *paths[4];
        } cases[] = {
                /* sda1 once, ro/nfs/smb/overlay/tmpfs/autofs skipped, \040 unescaped, ubi kept */
                {"mounts-mixed", 3, {"/", "/home dir", "/ubi"}},
                {"mounts", 1, {"/"}},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct mounts_seen s = {0};
                assert_int_equal(hsp_parse_mounts(fixture(cases[i].file), on_mount, &s),
                                 cases[i].n);
                assert_int_equal(s.n, cases[i].n);
                for (int j = 0; j < cases[i].n; j++)
                        assert_string_equal(s.paths[j], cases[i].paths[j]);
        }
}

static void test_procbuf_grows(void **state) {
        struct hsp_procbuf b = {0};
        assert_int_equal(hsp_procbuf_read(&b, "/proc/self/status"), 0);
        assert_true(b.len > 0 && b.buf[b.len] == '\0');
        /* a file larger than the first allocation grows the buffer */
        char path[] = "/tmp/test_host.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        char line[100];
        memset(line, 'x', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        for (int i = 0; i < 500; i++)
                assert_int_equal(write(fd, line, sizeof line), (ssize_t)sizeof line);
        close(fd);
        assert_int_equal(hsp_procbuf_read(&b, path), 0);
        unlink(path);
        assert_int_equal(b.len, 50000);
        assert_true(b.size > 50000 && b.buf[50000] == '\0');
        assert_int_equal(hsp_procbuf_read(&b, "/nonexistent/file"), -ENOENT);
        hsp_procbuf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_snmp),          cmocka_unit_test(test_snmp_partial),
                cmocka_unit_test(test_disk_counted),  cmocka_unit_test(test_diskstats),
                cmocka_unit_test(test_meminfo),       cmocka_unit_test(test_vmstat),
                cmocka_unit_test(test_cpu),           cmocka_unit_test(test_mounts),
                cmocka_unit_test(test_procbuf_grows),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        hsp_procbuf_free(&buf);
        return r;
}
