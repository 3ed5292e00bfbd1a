/* vnode.c - a container as a virtual node: cgroup counters, interfaces seen from its network
 * namespace, and the 2000-2104 structures of its counter sample. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "docker.h"
#include "log.h"
#include "module.h"
#include "vnode.h"

static uint32_t machine_type(const char *m) {
        if (strcmp(m, "x86_64") == 0)
                return SFLOW_MT_X86_64;
        if (m[0] == 'i' && strcmp(m + 2, "86") == 0)
                return SFLOW_MT_X86;
        if (strncmp(m, "arm", 3) == 0 || strcmp(m, "aarch64") == 0)
                return SFLOW_MT_ARM;
        if (strncmp(m, "ppc", 3) == 0)
                return SFLOW_MT_POWERPC;
        if (strncmp(m, "s390", 4) == 0)
                return SFLOW_MT_S390;
        if (strncmp(m, "mips", 4) == 0)
                return SFLOW_MT_MIPS;
        return m[0] ? SFLOW_MT_OTHER : SFLOW_MT_UNKNOWN;
}

void vnode_host_init(struct vnode_host *h, const char *tag) {
        h->tag = tag;
        if (uname(&h->uts) == 0)
                h->machine_type = machine_type(h->uts.machine);
        struct sysinfo si;
        if (sysinfo(&si) == 0)
                h->host_mem = (uint64_t)si.totalram * si.mem_unit;
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        h->host_cpus = n > 0 ? (uint32_t)n : 1;
        int r = cgroup_mounts_read(&h->buf, &h->mounts);
        h->have_mounts = r >= 0;
        if (r < 0)
                log_warning_errno(r,
                                  "%s: no cgroup hierarchy found (%m): containers will "
                                  "report no CPU, memory or disk counters",
                                  tag);
}

void vnode_host_free(struct vnode_host *h) {
        hsp_procbuf_free(&h->buf);
}

int vnode_find_cgroup(struct vnode_host *h, struct vnode *v) {
        int r = h->have_mounts ? cgroup_paths_of_pid(&h->buf, &h->mounts, v->pid, &v->paths)
                               : -ENOENT;
        v->have_paths = r >= 0;
        if (r < 0 && !h->warned_cgroup) {
                log_warning_errno(r, "%s: cgroups of %s (pid %d) not found: %m", h->tag, v->name,
                                  (int)v->pid);
                h->warned_cgroup = true;
        }
        return r;
}

/* ---- interfaces seen from the container's network namespace ---- */

struct ifs_ctx {
        struct vnode_host *h;
        struct vnode *v;
        bool failed;
};

static void on_ifname(const char *name, void *userdata) {
        struct ifs_ctx *x = userdata;
        struct vnode *v = x->v;
        char path[128];
        uint64_t ifindex;
        uint8_t mac[6];
        if (x->failed || v->n_adapters >= VNODE_MAX_ADAPTERS)
                return;
        /* the container's own /sys shows its namespace's interfaces */
        snprintf(path, sizeof path, "/proc/%d/root/sys/class/net/%s/ifindex", (int)v->pid, name);
        if (hsp_procbuf_read(&x->h->buf, path) < 0 ||
            cgroup_parse_u64(x->h->buf.buf, &ifindex) < 0) {
                x->failed = true;
                return;
        }
        snprintf(path, sizeof path, "/proc/%d/root/sys/class/net/%s/address", (int)v->pid, name);
        if (hsp_procbuf_read(&x->h->buf, path) < 0) {
                x->failed = true;
                return;
        }
        x->h->buf.buf[strcspn(x->h->buf.buf, "\n")] = '\0';
        if (dk_parse_mac(x->h->buf.buf, mac) < 0)
                return; /* no MAC (e.g. a tunnel): not an adapter */
        struct sflow_adapter *a = &v->adapters[v->n_adapters++];
        a->if_index = (uint32_t)ifindex;
        a->num_macs = 1;
        memcpy(a->macs[0], mac, 6);
}

static void read_adapters(struct vnode_host *h, struct vnode *v, const char *netdev,
                          const uint8_t (*macs)[6], unsigned n_macs, int n_ifs) {
        struct ifs_ctx x = {.h = h, .v = v};
        /* the text lives in h->buf, which on_ifname reuses: copy it */
        char *text = strdup(netdev);
        v->n_adapters = 0;
        v->n_ifs = n_ifs;
        if (text)
                dk_net_dev_names(text, on_ifname, &x);
        free(text);
        if (text && !x.failed)
                return;
        if (!h->warned_adapters) {
                log_info("%s: container interfaces not readable in /proc/PID/root/sys; "
                         "reporting the runtime's MAC addresses without ifIndex",
                         h->tag);
                h->warned_adapters = true;
        }
        v->n_adapters = 0;
        for (unsigned i = 0; macs && i < n_macs && i < VNODE_MAX_ADAPTERS; i++) {
                v->adapters[v->n_adapters].if_index = 0;
                v->adapters[v->n_adapters].num_macs = 1;
                memcpy(v->adapters[v->n_adapters].macs[0], macs[i], 6);
                v->n_adapters++;
        }
}

void vnode_read_net(struct vnode_host *h, struct vnode *v, bool refresh, const uint8_t (*macs)[6],
                    unsigned n_macs) {
        char path[64];
        struct sflow_ctr_virt_net_io io;
        if (v->ending || v->pid <= 0)
                return;
        snprintf(path, sizeof path, "/proc/%d/net/dev", (int)v->pid);
        if (hsp_procbuf_read(&h->buf, path) < 0)
                return;
        int n = dk_parse_net_dev(h->buf.buf, &io);
        if (n < 0)
                return;
        v->last_net = io;
        if (refresh || n != v->n_ifs)
                read_adapters(h, v, h->buf.buf, macs, n_macs, n);
}

/* ---- the counter sample ---- */

void vnode_stats_add(struct cgroup_stats *sum, const struct cgroup_stats *s) {
        sum->have_cpu |= s->have_cpu;
        sum->have_memory |= s->have_memory;
        sum->have_io |= s->have_io;
        sum->cpu_ns += s->cpu_ns;
        sum->mem_usage += s->mem_usage;
        sum->mem_limit = s->mem_limit; /* no pod-wide limit: the host's applies */
        sum->rd_bytes += s->rd_bytes;
        sum->wr_bytes += s->wr_bytes;
        sum->rd_ios += s->rd_ios;
        sum->wr_ios += s->wr_ios;
}

static void fill_descr(struct vnode_host *h, const char *name, const struct vnode *v,
                       struct sflow_sample *out) {
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DESCR);
        if (!rec)
                return;
        struct sflow_ctr_host_descr *d = &rec->u.host_descr;
        size_t n = strlen(name);
        d->hostname.str = name;
        d->hostname.len = (uint32_t)(n > 64 ? 64 : n);
        memcpy(d->uuid, v->uuid, 16);
        d->machine_type = h->machine_type;
        d->os_name = SFLOW_OS_LINUX;
        n = strlen(h->uts.release);
        d->os_release.str = h->uts.release;
        d->os_release.len = (uint32_t)(n > 32 ? 32 : n);
}

void vnode_fill(struct vnode_host *h, struct vnode *v, const char *hostname,
                struct sflow_sample *out) {
        struct cgroup_stats cs;
        if (v->have_paths && cgroup_read_stats(&h->buf, &v->paths, &cs) == 0)
                v->last = cs;
        fill_descr(h, hostname ? hostname : v->name, v, out);
        struct sflow_record *rec;
        if (v->n_adapters && (rec = hsp_sample_add(out, SFLOW_CTR_HOST_ADAPTERS))) {
                rec->u.host_adapters.num_adapters = v->n_adapters;
                rec->u.host_adapters.adapters = v->adapters;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_HOST_PARENT))) {
                rec->u.host_parent.container_type = SFLOW_DS_PHYSICAL;
                rec->u.host_parent.container_index = 1;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_CPU))) {
                struct sflow_ctr_virt_cpu *c = &rec->u.virt_cpu;
                c->state = v->ending   ? SFLOW_VIRT_SHUTDOWN
                           : v->paused ? SFLOW_VIRT_PAUSED
                                       : SFLOW_VIRT_RUNNING;
                c->cpu_time = (uint32_t)(v->last.cpu_ns / 1000000);
                c->nr_virt_cpu = v->cpus ? v->cpus : h->host_cpus;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_MEMORY))) {
                uint64_t max = v->mem_limit ? v->mem_limit : v->last.mem_limit;
                rec->u.virt_memory.memory = v->last.mem_usage;
                rec->u.virt_memory.max_memory = max && max < h->host_mem ? max : h->host_mem;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_DISK_IO))) {
                struct sflow_ctr_virt_disk_io *d = &rec->u.virt_disk_io;
                d->rd_req = (uint32_t)v->last.rd_ios;
                d->rd_bytes = v->last.rd_bytes;
                d->wr_req = (uint32_t)v->last.wr_ios;
                d->wr_bytes = v->last.wr_bytes;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_NET_IO)))
                rec->u.virt_net_io = v->last_net;
}
