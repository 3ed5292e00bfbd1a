/* systemd-counters.c - one unit's counter sample: its cgroup files first, its properties when
 * accounting files are absent; never sums over processes (those go backwards on exit). */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "docker.h"
#include "sflow/sflow.h"
#include "systemd.h"

/* Keep the last value of what cannot be read now (a unit that has just ended). */
static void merge(struct cgroup_stats *last, const struct cgroup_stats *now) {
        if (now->have_cpu) {
                last->cpu_ns = now->cpu_ns;
                last->have_cpu = true;
        }
        if (now->have_memory) {
                last->mem_usage = now->mem_usage;
                last->mem_limit = now->mem_limit;
                last->have_memory = true;
        }
        if (now->have_io) {
                last->rd_bytes = now->rd_bytes, last->wr_bytes = now->wr_bytes;
                last->rd_ios = now->rd_ios, last->wr_ios = now->wr_ios;
                last->have_io = true;
        }
}

static void fill_descr(struct sd_state *st, struct sd_unit *u, struct sflow_sample *out) {
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DESCR);
        if (!rec)
                return;
        struct sflow_ctr_host_descr *d = &rec->u.host_descr;
        size_t n = strlen(u->name);
        d->hostname.str = u->name;
        d->hostname.len = (uint32_t)(n > 64 ? 64 : n);
        memcpy(d->uuid, u->uuid, 16);
        d->machine_type = st->machine_type;
        d->os_name = SFLOW_OS_LINUX;
        n = strlen(st->os_release);
        d->os_release.str = st->os_release;
        d->os_release.len = (uint32_t)(n > 32 ? 32 : n);
}

static void fill_net(struct sd_state *st, struct sd_unit *u, struct sflow_sample *out) {
        char path[64];
        struct sflow_ctr_virt_net_io io;
        if (!u->props.private_network || !u->props.main_pid || u->ending)
                return;
        snprintf(path, sizeof path, "/proc/%u/net/dev", u->props.main_pid);
        if (hsp_procbuf_read(&st->buf, path) < 0 || dk_parse_net_dev(st->buf.buf, &io) < 0)
                return;
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_VIRT_NET_IO);
        if (rec)
                rec->u.virt_net_io = io;
}

int sd_unit_poll(struct sd_state *st, struct sd_unit *u, struct sflow_sample *out) {
        struct cgroup_stats files, now;
        memset(&files, 0, sizeof files);
        files.mem_limit = UINT64_MAX;
        if (u->have_paths && cgroup_read_stats(&st->buf, &u->paths, &files) < 0)
                memset(&files, 0, sizeof files);
        sd_unit_counters(&u->props, &files, &now);
        merge(&u->last, &now);
        /* Counters from properties are as old as the last answer: ask again for the next poll.
         * What neither the files nor the properties have (accounting off) is asked for only now
         * and then, in case accounting is turned on: a GetAll costs more than the files. */
        bool from_props = (!files.have_cpu && now.have_cpu) ||
                          (!files.have_memory && now.have_memory) ||
                          (!files.have_io && now.have_io);
        bool missing = !now.have_cpu || !now.have_memory || !now.have_io;
        u->refresh = from_props || (missing && ++u->missing_polls % SD_MISSING_REFRESH_POLLS == 0);

        fill_descr(st, u, out);
        struct sflow_record *rec;
        if ((rec = hsp_sample_add(out, SFLOW_CTR_HOST_PARENT))) {
                rec->u.host_parent.container_type = SFLOW_DS_PHYSICAL;
                rec->u.host_parent.container_index = 1;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_CPU))) {
                struct sflow_ctr_virt_cpu *v = &rec->u.virt_cpu;
                v->state = u->ending ? SFLOW_VIRT_SHUTDOWN : u->virt_state;
                v->cpu_time = (uint32_t)(u->last.cpu_ns / 1000000);
                v->nr_virt_cpu = st->host_cpus;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_MEMORY))) {
                uint64_t max = u->last.mem_limit;
                rec->u.virt_memory.memory = u->last.mem_usage;
                rec->u.virt_memory.max_memory = max && max < st->host_mem ? max : st->host_mem;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_DISK_IO))) {
                struct sflow_ctr_virt_disk_io *d = &rec->u.virt_disk_io;
                d->rd_req = (uint32_t)u->last.rd_ios;
                d->rd_bytes = u->last.rd_bytes;
                d->wr_req = (uint32_t)u->last.wr_ios;
                d->wr_bytes = u->last.wr_bytes;
        }
        fill_net(st, u, out);
        return 0;
}
