/* host.c - the host module: the 2:1 data source (2000-2010) and the interface sources. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>

#include "agent.h"
#include "host.h"
#include "log.h"

/* Files whose failure is logged once (until they can be read again). */
enum {
        F_LOADAVG,
        F_STAT,
        F_UPTIME,
        F_CPUINFO,
        F_MEMINFO,
        F_VMSTAT,
        F_DISKSTATS,
        F_MOUNTS,
        F_SNMP,
        F_UNAME,
        F_LINKS,
};

static void failed(struct hsp_host *h, unsigned f, int r, const char *what) {
        if (h->warned & (1u << f))
                return;
        h->warned |= 1u << f;
        log_warning_errno(r, "Failed to read %s: %m", what);
}

static void succeeded(struct hsp_host *h, unsigned f) {
        h->warned &= ~(1u << f);
}

/* Read path into h->buf; on failure log once and return negative errno. */
static int read_proc(struct hsp_host *h, unsigned f, const char *path) {
        int r = f < sizeof h->fds / sizeof h->fds[0] ? hsp_procbuf_pread(&h->buf, path, &h->fds[f])
                                                     : hsp_procbuf_read(&h->buf, path);
        if (r < 0)
                failed(h, f, r, path);
        return r;
}

/* Parse result: log a file that reads but parses to nothing, once. */
static bool parsed(struct hsp_host *h, unsigned f, int r, const char *path) {
        if (r < 0) {
                failed(h, f, r, path);
                return false;
        }
        succeeded(h, f);
        return true;
}

static uint32_t machine_type(const char *m) {
        static const struct {
                const char *prefix;
                uint32_t type;
        } map[] = {
                {"x86_64", SFLOW_MT_X86_64},   {"amd64", SFLOW_MT_X86_64},
                {"i386", SFLOW_MT_X86},        {"i486", SFLOW_MT_X86},
                {"i586", SFLOW_MT_X86},        {"i686", SFLOW_MT_X86},
                {"ia64", SFLOW_MT_IA64},       {"sparc", SFLOW_MT_SPARC},
                {"alpha", SFLOW_MT_ALPHA},     {"ppc", SFLOW_MT_POWERPC},
                {"powerpc", SFLOW_MT_POWERPC}, {"m68k", SFLOW_MT_M68K},
                {"mips", SFLOW_MT_MIPS},       {"arm", SFLOW_MT_ARM},
                {"aarch64", SFLOW_MT_ARM},     {"parisc", SFLOW_MT_HPPA},
                {"s390", SFLOW_MT_S390},
        };
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
                if (strncmp(m, map[i].prefix, strlen(map[i].prefix)) == 0)
                        return map[i].type;
        return m[0] ? SFLOW_MT_OTHER : SFLOW_MT_UNKNOWN;
}

static void add_descr(struct hsp_host *h, struct sflow_sample *out) {
        if (uname(&h->uts) < 0) {
                failed(h, F_UNAME, -errno, "uname");
                return;
        }
        succeeded(h, F_UNAME);
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DESCR);
        if (!rec)
                return;
        struct sflow_ctr_host_descr *d = &rec->u.host_descr;
        size_t n = strlen(h->uts.nodename);
        d->hostname.str = h->uts.nodename;
        d->hostname.len = (uint32_t)(n > 64 ? 64 : n);
        const uint8_t *uuid = hsp_agent_uuid(h->m->agent);
        if (uuid)
                memcpy(d->uuid, uuid, 16);
        d->machine_type = machine_type(h->uts.machine);
        d->os_name = SFLOW_OS_LINUX;
        n = strlen(h->uts.release);
        d->os_release.str = h->uts.release;
        d->os_release.len = (uint32_t)(n > 32 ? 32 : n);
}

static uint32_t cpu_speed(struct hsp_host *h) {
        /* cpufreq when the kernel has it (kHz), else the first "cpu MHz" of /proc/cpuinfo, read
         * once: cpuinfo is large and slow to generate on big machines */
        if (hsp_procbuf_read(&h->buf, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq") ==
            0) {
                unsigned long khz = strtoul(h->buf.buf, NULL, 10);
                if (khz > 0)
                        return (uint32_t)(khz / 1000);
        }
        if (!h->cpu_mhz_read) {
                h->cpu_mhz_read = true;
                if (read_proc(h, F_CPUINFO, "/proc/cpuinfo") == 0)
                        (void)hsp_parse_cpuinfo_mhz(h->buf.buf, &h->cpu_mhz);
        }
        return h->cpu_mhz;
}

static void add_cpu(struct hsp_host *h, struct sflow_sample *out) {
        struct sflow_ctr_host_cpu cpu = {0};
        bool ok = false;
        if (read_proc(h, F_LOADAVG, "/proc/loadavg") == 0)
                ok |= parsed(h, F_LOADAVG, hsp_parse_loadavg(h->buf.buf, &cpu), "/proc/loadavg");
        if (read_proc(h, F_STAT, "/proc/stat") == 0)
                ok |= parsed(h, F_STAT, hsp_parse_stat(h->buf.buf, h->hz, &cpu), "/proc/stat");
        if (!ok)
                return;
        if (cpu.proc_run > 0)
                cpu.proc_run--; /* not counting ourselves, as the reference agent does */
        if (read_proc(h, F_UPTIME, "/proc/uptime") == 0)
                parsed(h, F_UPTIME, hsp_parse_uptime(h->buf.buf, &cpu), "/proc/uptime");
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cpu.cpu_num = n > 0 ? (uint32_t)n : 0;
        cpu.cpu_speed = cpu_speed(h);

        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_CPU);
        if (rec)
                rec->u.host_cpu = cpu;
}

static void add_memory(struct hsp_host *h, struct sflow_sample *out) {
        struct sflow_ctr_host_memory mem = {0};
        if (read_proc(h, F_MEMINFO, "/proc/meminfo") < 0 ||
            !parsed(h, F_MEMINFO, hsp_parse_meminfo(h->buf.buf, &mem), "/proc/meminfo"))
                return;
        if (read_proc(h, F_VMSTAT, "/proc/vmstat") == 0)
                parsed(h, F_VMSTAT, hsp_parse_vmstat(h->buf.buf, &mem), "/proc/vmstat");
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_MEMORY);
        if (rec)
                rec->u.host_memory = mem;
}

static void on_mount(const char *mountpoint, void *userdata) {
        struct sflow_ctr_host_disk_io *d = userdata;
        struct statvfs v;
        if (statvfs(mountpoint, &v) < 0 || v.f_blocks == 0)
                return;
        uint64_t total = (uint64_t)v.f_blocks * v.f_frsize;
        uint64_t avail = (uint64_t)v.f_bavail * v.f_frsize;
        d->disk_total += total;
        d->disk_free += avail;
        uint32_t used = avail < total ? (uint32_t)((total - avail) * 10000 / total) : 0;
        if (used > d->part_max_used)
                d->part_max_used = used;
}

static void add_disk(struct hsp_host *h, struct sflow_sample *out) {
        struct sflow_ctr_host_disk_io dsk = {0};
        if (read_proc(h, F_DISKSTATS, "/proc/diskstats") < 0 ||
            !parsed(h, F_DISKSTATS, hsp_parse_diskstats(h->buf.buf, &dsk), "/proc/diskstats"))
                return;
        if (read_proc(h, F_MOUNTS, "/proc/mounts") == 0)
                (void)hsp_parse_mounts(h->buf.buf, on_mount, &dsk);
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DISK_IO);
        if (rec)
                rec->u.host_disk_io = dsk;
}

static void add_ifsources(struct hsp_host *h, struct sflow_sample *out) {
        struct sflow_ctr_host_adapters adapters = {0};
        struct sflow_ctr_host_net_io nio = {0};
        if (!h->ifsources)
                return;
        int r = hsp_ifsources_host(h->ifsources, &adapters, &nio);
        if (r < 0) {
                failed(h, F_LINKS, r, "interface statistics");
                return;
        }
        succeeded(h, F_LINKS);
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_ADAPTERS);
        if (rec)
                rec->u.host_adapters = adapters;
        rec = hsp_sample_add(out, SFLOW_CTR_HOST_NET_IO);
        if (rec)
                rec->u.host_net_io = nio;
}

static void add_mib2(struct hsp_host *h, struct sflow_sample *out) {
        struct sflow_ctr_mib2_ip ip = {0};
        struct sflow_ctr_mib2_icmp icmp = {0};
        struct sflow_ctr_mib2_tcp tcp = {0};
        struct sflow_ctr_mib2_udp udp = {0};
        unsigned found = 0;
        if (read_proc(h, F_SNMP, "/proc/net/snmp") < 0 ||
            !parsed(h, F_SNMP, hsp_parse_snmp(h->buf.buf, &ip, &icmp, &tcp, &udp, &found),
                    "/proc/net/snmp"))
                return;
        struct sflow_record *rec;
        if ((found & 1) && (rec = hsp_sample_add(out, SFLOW_CTR_MIB2_IP)))
                rec->u.mib2_ip = ip;
        if ((found & 2) && (rec = hsp_sample_add(out, SFLOW_CTR_MIB2_ICMP)))
                rec->u.mib2_icmp = icmp;
        if ((found & 4) && (rec = hsp_sample_add(out, SFLOW_CTR_MIB2_TCP)))
                rec->u.mib2_tcp = tcp;
        if ((found & 8) && (rec = hsp_sample_add(out, SFLOW_CTR_MIB2_UDP)))
                rec->u.mib2_udp = udp;
}

/* 2100 virt_node when a container or VM module runs: the host's CPUs and memory (from the
 * records just filled) and how many virtual nodes run now. */
static void add_virt_node(struct hsp_host *h, struct sflow_sample *out) {
        uint32_t n;
        if (!hsp_virtual_nodes(h->m, &n))
                return;
        struct sflow_ctr_virt_node v = {.num_domains = n};
        for (uint32_t i = 0; i < out->num_records; i++) {
                const struct sflow_record *r = &out->records[i];
                if (r->tag == SFLOW_CTR_HOST_CPU) {
                        v.mhz = r->u.host_cpu.cpu_speed;
                        v.cpus = r->u.host_cpu.cpu_num;
                } else if (r->tag == SFLOW_CTR_HOST_MEMORY) {
                        v.memory = r->u.host_memory.mem_total;
                        v.memory_free = r->u.host_memory.mem_free;
                }
        }
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_VIRT_NODE);
        if (rec)
                rec->u.virt_node = v;
}

static int host_start(struct hsp_mod *m) {
        struct hsp_host *h = calloc(1, sizeof *h);
        if (!h)
                return log_error_errno(-ENOMEM, "Failed to start the host module: %m");
        h->m = m;
        m->state = h;
        for (size_t i = 0; i < sizeof h->fds / sizeof h->fds[0]; i++)
                h->fds[i] = -1;
        h->hz = sysconf(_SC_CLK_TCK);
        if (h->hz <= 0)
                h->hz = 100;

        int r = hsp_source_add(m, SFLOW_DS_PHYSICAL, 1, h, &h->src);
        if (r < 0)
                return log_error_errno(r, "Failed to add data source 2:1: %m");
        /* The first sample at once, not at its place in the interval: the collectors learn of
         * the agent at start, and readiness under systemd follows that first datagram. */
        hsp_source_poll_now(h->src);

        /* without rtnetlink the host counters still go out (without 2001/2006) */
        r = hsp_ifsources_start(m, &h->ifsources);
        if (r < 0)
                log_warning_errno(r, "Interface counters disabled: %m");
        return 0;
}

static int host_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct hsp_host *h = m->state;
        if (hsp_source_class(src) == SFLOW_DS_IFINDEX)
                return h->ifsources ? hsp_ifsources_poll(h->ifsources, src, out) : -ENODEV;

        add_descr(h, out);
        add_ifsources(h, out);
        add_cpu(h, out);
        add_memory(h, out);
        add_disk(h, out);
        add_mib2(h, out);
        add_virt_node(h, out);
        return out->num_records > 0 ? 0 : -ENODATA;
}

static int host_reconfigure(struct hsp_mod *m) {
        /* no keywords of its own; the polling interval is applied by the core */
        return 0;
}

static void host_stop(struct hsp_mod *m) {
        struct hsp_host *h = m->state;
        if (!h)
                return;
        hsp_ifsources_stop(h->ifsources);
        if (h->src)
                hsp_source_remove(h->src, false);
        hsp_procbuf_free(&h->buf);
        for (size_t i = 0; i < sizeof h->fds / sizeof h->fds[0]; i++)
                if (h->fds[i] >= 0)
                        close(h->fds[i]);
        free(h);
        m->state = NULL;
}

const struct hsp_module hsp_module_host = {
        .name = "host",
        .always = true,
        .start = host_start,
        .poll = host_poll,
        .reconfigure = host_reconfigure,
        .stop = host_stop,
};
