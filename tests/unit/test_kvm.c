/* test_kvm.c - the kvm module against libvirt's test driver: domain XML extraction, every
 * counter structure against the driver's own answers, lifecycle events on our loop. */
#include <errno.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "agent.h"
#include "config.h"
#include "kvm.h"
#include "testutil.h"
#include "module.h"

extern const struct hsp_module hsp_module_kvm;
static const struct hsp_module *const mods[] = {&hsp_module_kvm, NULL};
const char *const hsp_modules_optional[] = {"kvm", NULL};

#define NODE_XML "test://" TEST_DATA_DIR "/kvm/node.xml"

/* ---- the agent, as far as the module sees it ---- */

struct hsp_source {
        uint32_t ds_class, ds_index;
        void *userdata;
        unsigned poll_now;
        struct hsp_source *next;
};

static struct hsp_source *sources;
static unsigned n_removed, n_final;
static struct sflow_sample final_sample;
static uint32_t final_index;

int hsp_source_add(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index, void *userdata,
                   struct hsp_source **ret) {
        struct hsp_source *s = calloc(1, sizeof *s);
        assert_non_null(s);
        s->ds_class = ds_class;
        s->ds_index = ds_index;
        s->userdata = userdata;
        s->next = sources;
        sources = s;
        *ret = s;
        return 0;
}

static struct hsp_mod mod;

void hsp_source_remove(struct hsp_source *s, bool final_poll) {
        if (final_poll) {
                memset(&final_sample, 0, sizeof final_sample);
                assert_int_equal(mod.module->poll(&mod, s, &final_sample), 0);
                final_index = s->ds_index;
                n_final++;
        }
        for (struct hsp_source **pp = &sources; *pp; pp = &(*pp)->next)
                if (*pp == s) {
                        *pp = s->next;
                        break;
                }
        n_removed++;
        free(s);
}

void hsp_source_poll_now(struct hsp_source *s) {
        s->poll_now++;
}
void *hsp_source_userdata(const struct hsp_source *s) {
        return s->userdata;
}
bool hsp_source_exists(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index) {
        for (struct hsp_source *s = sources; s; s = s->next)
                if (s->ds_class == ds_class && s->ds_index == ds_index)
                        return true;
        return false;
}

static unsigned n_sources(void) {
        unsigned n = 0;
        for (struct hsp_source *s = sources; s; s = s->next)
                n++;
        return n;
}

static struct hsp_source *source_at(uint32_t index) {
        for (struct hsp_source *s = sources; s; s = s->next)
                if (s->ds_index == index)
                        return s;
        return NULL;
}

static const struct sflow_record *record(const struct sflow_sample *s, uint32_t tag) {
        for (uint32_t i = 0; i < s->num_records; i++)
                if (s->records[i].tag == tag)
                        return &s->records[i];
        return NULL;
}

static struct evloop *loop;
static struct hsp_config *config;

/* The connection is made on a thread and handed to the loop: run the loop until it is. */
static void wait_attempt(void) {
        uint64_t end = test_now_usec() + 5000000;
        while (kvm_conn_waiting(kvm_module_conn(&mod)) && test_now_usec() < end)
                evloop_run(loop, 10000);
        assert_false(kvm_conn_waiting(kvm_module_conn(&mod)));
}

static void start_module_waiting(const char *uri);
static void start_module(const char *uri) {
        start_module_waiting(uri);
        wait_attempt();
}

static void start_module_waiting(const char *uri) {
        char text[512];
        struct hsp_config_error err;
        snprintf(text, sizeof text, "sflow { collector { ip=192.0.2.1 } kvm { uri=%s } }", uri);
        assert_int_equal(hsp_config_parse_string(text, strlen(text), "t.conf", mods, &config, &err),
                         0);
        assert_int_equal(evloop_new(&loop), 0);
        memset(&mod, 0, sizeof mod);
        mod.module = &hsp_module_kvm;
        mod.loop = loop;
        mod.config = config;
        mod.blocks = hsp_config_find_block(config, "kvm");
        assert_non_null(mod.blocks);
        n_removed = n_final = 0;
        assert_int_equal(mod.module->start(&mod), 0);
}

static void stop_module(void) {
        mod.module->stop(&mod);
        assert_null(sources);
        assert_int_equal(kvm_event_active(), 0); /* libvirt removed every handle and timer */
        hsp_config_free(config);
        loop = evloop_unref(loop);
}

/* ---- XML extraction ---- */

struct disk_want {
        const char *target;
        enum kvm_disk_type type;
        const char *source;
};

static void test_xml_of_driver_domain(void **state) {
        /* node.xml's "web": file, block and network disks, a read-only CD-ROM, two interfaces */
        virConnectPtr c = virConnectOpenReadOnly(NODE_XML);
        assert_non_null(c);
        virDomainPtr d = virDomainLookupByName(c, "web");
        assert_non_null(d);
        char *xml = virDomainGetXMLDesc(d, 0);
        assert_non_null(xml);
        struct kvm_domxml x;
        assert_int_equal(kvm_domxml_parse(xml, strlen(xml), &x), 0);
        free(xml);
        static const struct disk_want disks[] = {
                {"vda", KVM_DISK_FILE, "/var/lib/libvirt/images/web.img"},
                {"vdb", KVM_DISK_BLOCK, "/dev/vg0/web-data"},
                {"vdc", KVM_DISK_NETWORK, "rbd:pool/web-logs"},
        };
        assert_int_equal(x.n_disks, 3);
        assert_int_equal(x.skipped_disks, 1);
        for (unsigned i = 0; i < 3; i++) {
                assert_string_equal(x.disks[i].target, disks[i].target);
                assert_int_equal(x.disks[i].type, disks[i].type);
                assert_string_equal(x.disks[i].source, disks[i].source);
        }
        assert_string_equal(x.arch, "x86_64");
        assert_int_equal(x.n_ifs, 2);
        static const uint8_t macs[2][6] = {{0x52, 0x54, 0, 0x12, 0x34, 1},
                                           {0x52, 0x54, 0, 0x12, 0x34, 2}};
        for (unsigned i = 0; i < 2; i++) {
                assert_memory_equal(x.ifs[i].mac, macs[i], 6);
                virDomainInterfaceStatsStruct st;
                /* the target names work with the driver's own interface calls */
                assert_int_equal(virDomainInterfaceStats(d, x.ifs[i].target, &st, sizeof st), 0);
        }
        virDomainFree(d);
        virConnectClose(c);
}

struct xml_case {
        const char *name, *xml;
        int ret;
        unsigned disks, ifs, skipped;
};

static const struct xml_case xml_cases[] = {
        {"empty", "", -EBADMSG},
        {"not XML", "garbage{}", -EBADMSG},
        {"unclosed", "<domain><devices><disk type='file'>", -EBADMSG},
        {"other root", "<network><devices/></network>", -EBADMSG},
        {"mismatched tags", "<domain><devices></domain></devices>", -EBADMSG},
        {"no devices", "<domain type='kvm'><name>x</name></domain>", 0, 0, 0, 0},
        {"disk without target",
         "<domain><devices><disk type='file'><source file='/a'/></disk>"
         "</devices></domain>",
         0, 0, 0, 1},
        {"disk without source",
         "<domain><devices><disk type='block'><target dev='vda'/></disk>"
         "</devices></domain>",
         0, 0, 0, 1},
        {"dir disk",
         "<domain><devices><disk type='dir'><source dir='/d'/><target dev='vda'/>"
         "</disk></devices></domain>",
         0, 0, 0, 1},
        {"volume disk",
         "<domain><devices><disk type='volume'><source pool='p' volume='v'/>"
         "<target dev='vda'/></disk></devices></domain>",
         0, 1, 0, 0},
        {"bad MAC",
         "<domain><devices><interface type='bridge'><mac address='52:54:00:zz:00:01'/>"
         "<target dev='vnet0'/></interface></devices></domain>",
         0, 0, 0, 0},
        {"short MAC",
         "<domain><devices><interface type='bridge'><mac address='52:54:00'/>"
         "</interface></devices></domain>",
         0, 0, 0, 0},
        {"interface without target",
         "<domain><devices><interface type='user'>"
         "<mac address='52:54:00:00:00:01'/></interface></devices>"
         "</domain>",
         0, 0, 1, 0},
};

static void test_xml_cases(void **state) {
        for (size_t i = 0; i < sizeof xml_cases / sizeof xml_cases[0]; i++) {
                const struct xml_case *c = &xml_cases[i];
                struct kvm_domxml x;
                memset(&x, 0xaa, sizeof x);
                int r = kvm_domxml_parse(c->xml, strlen(c->xml), &x);
                if (r != c->ret)
                        fail_msg("%s: returned %d, expected %d", c->name, r, c->ret);
                if (r < 0) {
                        assert_int_equal(x.n_disks, 0xaaaaaaaa); /* untouched on failure */
                        continue;
                }
                if (x.n_disks != c->disks || x.n_ifs != c->ifs || x.skipped_disks != c->skipped)
                        fail_msg("%s: %u disks %u ifs %u skipped", c->name, x.n_disks, x.n_ifs,
                                 x.skipped_disks);
        }
}

static void test_xml_limits(void **state) {
        char xml[16384] = "<domain><devices>";
        for (int i = 0; i < KVM_MAX_DISKS + 4; i++)
                snprintf(xml + strlen(xml), sizeof xml - strlen(xml),
                         "<disk type='file'><source file='/d%d'/><target dev='vd%d'/></disk>"
                         "<interface><mac address='52:54:00:00:00:%02x'/></interface>",
                         i, i, i);
        strcat(xml, "</devices></domain>");
        struct kvm_domxml x;
        assert_int_equal(kvm_domxml_parse(xml, strlen(xml), &x), 0);
        assert_int_equal(x.n_disks, KVM_MAX_DISKS);
        assert_int_equal(x.n_ifs, KVM_MAX_IFS);
        assert_string_equal(x.disks[KVM_MAX_DISKS - 1].target, "vd15");
}

/* ---- counters against the driver ---- */

/* What the driver says about one domain, summed as the structures want it. The test driver's
 * I/O and CPU counters grow with the clock, so they are read before and after the module. */
struct want {
        virDomainInfo info;
        uint64_t capacity, allocation, rd_bytes, wr_bytes, rx_bytes, tx_bytes;
        uint32_t rd_req, wr_req, errs, rx_packets, tx_packets, rx_errs, tx_errs, rx_drop, tx_drop;
};

struct dom_case {
        const char *name, *uuid;
        const char *disks[4];
        const char *ifs[3]; /* MAC addresses: the driver renames the host side */
        unsigned vcpus;
        uint64_t mem_kib, max_kib;
};

static const struct dom_case dom_cases[] = {
        {"web",
         "4dea22b3-1d52-d8f3-2516-782e98ab3fa0",
         {"vda", "vdb", "vdc"},
         {"52:54:00:12:34:01", "52:54:00:12:34:02"},
         3,
         1048576,
         2097152},
        {"db",
         "8a1f6c36-9d3e-4f0a-b3a2-5c7d1e2f3a4b",
         {"sda"},
         {"52:54:00:12:34:03"},
         2,
         4194304,
         4194304},
};

static void driver_reads(virDomainPtr d, const struct dom_case *c, struct want *w) {
        memset(w, 0, sizeof *w);
        assert_int_equal(virDomainGetInfo(d, &w->info), 0);
        for (int i = 0; c->disks[i]; i++) {
                virDomainBlockInfo bi;
                virDomainBlockStatsStruct bs;
                assert_int_equal(virDomainGetBlockInfo(d, c->disks[i], &bi, 0), 0);
                assert_int_equal(virDomainBlockStats(d, c->disks[i], &bs, sizeof bs), 0);
                w->capacity += bi.capacity;
                w->allocation += bi.allocation;
                w->rd_req += (uint32_t)bs.rd_req;
                w->rd_bytes += (uint64_t)bs.rd_bytes;
                w->wr_req += (uint32_t)bs.wr_req;
                w->wr_bytes += (uint64_t)bs.wr_bytes;
                w->errs += (uint32_t)bs.errs;
        }
        for (int i = 0; c->ifs[i]; i++) {
                virDomainInterfaceStatsStruct is;
                assert_int_equal(virDomainInterfaceStats(d, c->ifs[i], &is, sizeof is), 0);
                w->rx_bytes += (uint64_t)is.rx_bytes;
                w->tx_bytes += (uint64_t)is.tx_bytes;
                w->rx_packets += (uint32_t)is.rx_packets;
                w->tx_packets += (uint32_t)is.tx_packets;
                w->rx_errs += (uint32_t)is.rx_errs;
                w->tx_errs += (uint32_t)is.tx_errs;
                w->rx_drop += (uint32_t)is.rx_drop;
                w->tx_drop += (uint32_t)is.tx_drop;
        }
}

#define BETWEEN64(v, a, b) assert_in_range((v), (a), (b))
/* 32-bit counters wrap: compare the distances from the first reading */
#define BETWEEN32(v, a, b) assert_true((uint32_t)((v) - (a)) <= (uint32_t)((b) - (a)))

static void check_sample(const struct sflow_sample *s, const struct dom_case *c,
                         const struct want *a, const struct want *b) {
        const struct sflow_record *r = record(s, SFLOW_CTR_HOST_DESCR);
        assert_non_null(r);
        assert_int_equal(r->u.host_descr.hostname.len, strlen(c->name));
        assert_memory_equal(r->u.host_descr.hostname.str, c->name, strlen(c->name));
        uint8_t uuid[16];
        char text[40];
        for (int i = 0, k = 0; i < 16; i++, k += 2) {
                if (c->uuid[k] == '-')
                        k++;
                unsigned v;
                sscanf(c->uuid + k, "%2x", &v);
                uuid[i] = (uint8_t)v;
        }
        assert_memory_equal(r->u.host_descr.uuid, uuid, 16);
        assert_int_equal(r->u.host_descr.machine_type, SFLOW_MT_X86_64);

        assert_non_null(r = record(s, SFLOW_CTR_HOST_ADAPTERS));
        unsigned n_ifs = 0;
        while (c->ifs[n_ifs])
                n_ifs++;
        assert_int_equal(r->u.host_adapters.num_adapters, n_ifs);
        for (unsigned i = 0; i < n_ifs; i++) {
                const uint8_t *m = r->u.host_adapters.adapters[i].macs[0];
                snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                         m[4], m[5]);
                assert_string_equal(text, c->ifs[i]);
                assert_int_equal(r->u.host_adapters.adapters[i].num_macs, 1);
        }

        assert_non_null(r = record(s, SFLOW_CTR_HOST_PARENT));
        assert_int_equal(r->u.host_parent.container_type, SFLOW_DS_PHYSICAL);
        assert_int_equal(r->u.host_parent.container_index, 1);

        assert_non_null(r = record(s, SFLOW_CTR_VIRT_CPU));
        assert_int_equal(r->u.virt_cpu.state, a->info.state);
        assert_int_equal(r->u.virt_cpu.nr_virt_cpu, c->vcpus);
        assert_int_equal(r->u.virt_cpu.nr_virt_cpu, a->info.nrVirtCpu);
        BETWEEN32(r->u.virt_cpu.cpu_time, (uint32_t)(a->info.cpuTime / 1000000),
                  (uint32_t)(b->info.cpuTime / 1000000));

        assert_non_null(r = record(s, SFLOW_CTR_VIRT_MEMORY));
        assert_int_equal(r->u.virt_memory.memory, a->info.memory * 1024);
        assert_int_equal(r->u.virt_memory.memory, c->mem_kib * 1024);
        assert_int_equal(r->u.virt_memory.max_memory, a->info.maxMem * 1024);
        assert_int_equal(r->u.virt_memory.max_memory, c->max_kib * 1024);

        assert_non_null(r = record(s, SFLOW_CTR_VIRT_DISK_IO));
        const struct sflow_ctr_virt_disk_io *d = &r->u.virt_disk_io;
        assert_int_equal(d->capacity, a->capacity);
        assert_int_equal(d->allocation, a->allocation);
        assert_int_equal(d->available,
                         a->capacity > a->allocation ? a->capacity - a->allocation : 0);
        BETWEEN32(d->rd_req, a->rd_req, b->rd_req);
        BETWEEN64(d->rd_bytes, a->rd_bytes, b->rd_bytes);
        BETWEEN32(d->wr_req, a->wr_req, b->wr_req);
        BETWEEN64(d->wr_bytes, a->wr_bytes, b->wr_bytes);
        BETWEEN32(d->errs, a->errs, b->errs);

        assert_non_null(r = record(s, SFLOW_CTR_VIRT_NET_IO));
        const struct sflow_ctr_virt_net_io *n = &r->u.virt_net_io;
        BETWEEN64(n->rx_bytes, a->rx_bytes, b->rx_bytes);
        BETWEEN64(n->tx_bytes, a->tx_bytes, b->tx_bytes);
        BETWEEN32(n->rx_packets, a->rx_packets, b->rx_packets);
        BETWEEN32(n->tx_packets, a->tx_packets, b->tx_packets);
        BETWEEN32(n->rx_errs, a->rx_errs, b->rx_errs);
        BETWEEN32(n->tx_errs, a->tx_errs, b->tx_errs);
        BETWEEN32(n->rx_drop, a->rx_drop, b->rx_drop);
        BETWEEN32(n->tx_drop, a->tx_drop, b->tx_drop);
}

static void test_node_domains(void **state) {
        start_module(NODE_XML);
        /* the two running domains, not the shut-off one */
        assert_int_equal(n_sources(), 2);
        assert_int_equal(mod.module->count_virtual(&mod), 2);
        /* an independent connection to the same node description */
        virConnectPtr c = virConnectOpenReadOnly(NODE_XML);
        assert_non_null(c);
        for (size_t i = 0; i < sizeof dom_cases / sizeof dom_cases[0]; i++) {
                const struct dom_case *dc = &dom_cases[i];
                struct hsp_source *src = source_at(hsp_ds_index_hash(dc->uuid, 0));
                if (!src)
                        fail_msg("%s: no data source 3:%u", dc->name,
                                 hsp_ds_index_hash(dc->uuid, 0));
                assert_int_equal(src->ds_class, SFLOW_DS_LOGICAL);
                assert_int_equal(src->poll_now, 1); /* polled at once */
                virDomainPtr d = virDomainLookupByName(c, dc->name);
                assert_non_null(d);
                struct want a, b;
                struct sflow_sample s = {0};
                driver_reads(d, dc, &a);
                assert_int_equal(mod.module->poll(&mod, src, &s), 0);
                driver_reads(d, dc, &b);
                check_sample(&s, dc, &a, &b);
                virDomainFree(d);
        }
        virConnectClose(c);
        stop_module();
}

/* ---- lifecycle: the shared test:///default driver, changed through a second connection ---- */

static bool run_until(bool (*cond)(void), uint64_t usec) {
        uint64_t end = test_now_usec() + usec;
        while (!cond() && test_now_usec() < end)
                evloop_run(loop, 10000);
        return cond();
}
static bool have_final(void) {
        return n_final > 0;
}
static bool have_source(void) {
        return n_sources() > 0;
}

static void test_lifecycle(void **state) {
        start_module("test:///default");
        assert_int_equal(n_sources(), 1);
        uint32_t index = sources->ds_index;
        char uuid[VIR_UUID_STRING_BUFLEN];
        virConnectPtr rw = virConnectOpen("test:///default");
        assert_non_null(rw);
        virDomainPtr d = virDomainLookupByName(rw, "test");
        assert_non_null(d);
        assert_int_equal(virDomainGetUUIDString(d, uuid), 0);
        assert_int_equal(index, hsp_ds_index_hash(uuid, 0));

        /* paused: polled at once for the new state */
        assert_int_equal(virDomainSuspend(d), 0);
        unsigned before = sources->poll_now;
        test_run_loop(loop, 100000);
        assert_int_equal(sources->poll_now, before + 1);
        struct sflow_sample s = {0};
        assert_int_equal(mod.module->poll(&mod, sources, &s), 0);
        assert_int_equal(record(&s, SFLOW_CTR_VIRT_CPU)->u.virt_cpu.state, SFLOW_VIRT_PAUSED);
        assert_int_equal(virDomainResume(d), 0);

        /* destroyed: one final sample, state shutdown, within a second */
        assert_int_equal(virDomainDestroy(d), 0);
        assert_true(run_until(have_final, 1000000));
        assert_int_equal(n_final, 1);
        assert_int_equal(final_index, index);
        assert_int_equal(record(&final_sample, SFLOW_CTR_VIRT_CPU)->u.virt_cpu.state,
                         SFLOW_VIRT_SHUTDOWN);
        assert_int_equal(record(&final_sample, SFLOW_CTR_VIRT_MEMORY)->u.virt_memory.memory,
                         2097152ULL * 1024);
        assert_null(sources);
        assert_int_equal(mod.module->count_virtual(&mod), 0);

        /* started again: the same 3:N, polled at once */
        assert_int_equal(virDomainCreate(d), 0);
        assert_true(run_until(have_source, 1000000));
        assert_int_equal(sources->ds_index, index);
        assert_int_equal(sources->poll_now, 1);
        assert_int_equal(mod.module->count_virtual(&mod), 1);
        test_run_loop(loop, 50000);
        assert_int_equal(n_final, 1); /* nothing else ended */
        virDomainFree(d);
        virConnectClose(rw);
        stop_module();
}

static struct hsp_config *parse_uri(const char *uri) {
        char text[512];
        struct hsp_config *c = NULL;
        struct hsp_config_error err;
        snprintf(text, sizeof text, "sflow { collector { ip=192.0.2.1 } kvm { uri=%s } }", uri);
        assert_int_equal(hsp_config_parse_string(text, strlen(text), "t.conf", mods, &c, &err), 0);
        return c;
}

static void test_reconfigure(void **state) {
        start_module("test:///default");
        struct hsp_source *first = sources;
        assert_non_null(first);
        /* the same URI: nothing moves */
        struct hsp_config *same = parse_uri("test:///default");
        mod.config = same;
        mod.blocks = hsp_config_find_block(same, "kvm");
        assert_int_equal(mod.module->reconfigure(&mod), 0);
        assert_ptr_equal(sources, first);
        assert_int_equal(n_removed, 0);
        /* another: the old domain ends with its final sample, the new node's are listed */
        struct hsp_config *other = parse_uri(NODE_XML);
        mod.config = other;
        mod.blocks = hsp_config_find_block(other, "kvm");
        assert_int_equal(mod.module->reconfigure(&mod), 0);
        assert_int_equal(n_final, 1);
        wait_attempt();
        assert_int_equal(n_sources(), 2);
        assert_int_equal(mod.module->count_virtual(&mod), 2);
        hsp_config_free(same);
        hsp_config_free(config);
        config = other;
        stop_module();
}

static void test_unreachable(void **state) {
        /* libvirtd absent: the module runs, reports nothing and keeps trying */
        start_module("\"qemu+unix:///system?socket=/nonexistent/libvirt-sock\"");
        assert_int_equal(n_sources(), 0);
        assert_int_equal(mod.module->count_virtual(&mod), 0);
        test_run_loop(loop, 600000); /* first retries after 250 and 500 ms */
        assert_int_equal(n_sources(), 0);
        assert_false(kvm_conn_up(kvm_module_conn(&mod)));
        stop_module();
}

static unsigned ticks;
static int on_tick(struct evsrc *s, uint64_t usec, void *userdata) {
        ticks++;
        evsrc_set_time(s, usec + 20000);
        evsrc_set_enabled(s, EVSRC_ON);
        return 0;
}

/* A libvirtd that accepts connections and never answers (starting, stopping, hung): the loop
 * goes on, each attempt is given up at its deadline and retried, and an attempt's thread closes
 * what it opened when libvirt returns (here: when the socket goes away). */
static void test_silent_libvirtd(void **state) {
        char dir[] = "/tmp/test-kvm-XXXXXX", uri[256];
        assert_non_null(mkdtemp(dir));
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        snprintf(sun.sun_path, sizeof sun.sun_path, "%s/sock", dir);
        int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(lfd >= 0);
        assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
        assert_int_equal(listen(lfd, 64), 0); /* never accepted: connect succeeds, no answer */
        uint64_t saved = kvm_conn_timeout_usec;
        kvm_conn_timeout_usec = 200000;
        snprintf(uri, sizeof uri, "\"qemu+unix:///system?socket=%s\"", sun.sun_path);
        start_module_waiting(uri);
        struct evsrc *tick = NULL;
        uint64_t now;
        evloop_now(loop, CLOCK_MONOTONIC, &now);
        assert_int_equal(
                evloop_add_time(loop, &tick, CLOCK_MONOTONIC, now + 20000, 1000, on_tick, NULL), 0);
        ticks = 0;
        struct kvm_conn *kc = kvm_module_conn(&mod);
        uint64_t end = test_now_usec() + 5000000;
        while (kvm_conn_given_up(kc) < 2 && test_now_usec() < end)
                evloop_run(loop, 10000);
        /* given up twice (200 ms each, 250 ms between): the loop ran its 20 ms timer meanwhile */
        assert_true(kvm_conn_given_up(kc) >= 2);
        assert_true(ticks >= 10);
        assert_true(kvm_conn_stuck() >= 1);
        assert_int_equal(n_sources(), 0);
        assert_false(kvm_conn_up(kc));
        /* the peer goes: the threads return and close their connections */
        close(lfd);
        unlink(sun.sun_path);
        end = test_now_usec() + 5000000;
        while (kvm_conn_stuck() > 0 && test_now_usec() < end)
                evloop_run(loop, 10000);
        assert_int_equal(kvm_conn_stuck(), 0);
        tick = evsrc_disable_unref(tick);
        kvm_conn_timeout_usec = saved;
        mod.module->stop(&mod);
        assert_null(sources);
        /* the handles the threads removed are released by the loop */
        end = test_now_usec() + 2000000;
        while (kvm_event_active() > 0 && test_now_usec() < end)
                evloop_run(loop, 10000);
        assert_int_equal(kvm_event_active(), 0);
        hsp_config_free(config);
        loop = evloop_unref(loop);
        rmdir(dir);
}

int main(void) {
        assert_int_equal(kvm_dl_load(), 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_xml_of_driver_domain),
                cmocka_unit_test(test_xml_cases),
                cmocka_unit_test(test_xml_limits),
                cmocka_unit_test(test_node_domains),
                cmocka_unit_test(test_lifecycle),
                cmocka_unit_test(test_reconfigure),
                cmocka_unit_test(test_unreachable),
                cmocka_unit_test(test_silent_libvirtd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
