/* docker.c - the docker module: one 3:N data source per running container, from Engine events. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent.h"
#include "cgroup.h"
#include "config.h"
#include "docker.h"
#include "log.h"
#include "privileges.h"

#define DK_MAX_ADAPTERS 8

struct dk_conf {
        bool hostname;     /* 2000 hostname from Config.Hostname instead of the name */
        bool mark_traffic; /* accepted for compatibility */
};

static const struct hsp_keyword dk_keywords[] = {
        {"hostname", HSP_KW_BOOL, offsetof(struct dk_conf, hostname), 0, 0,
         "on: report the container's hostname instead of its name"},
        {"markTraffic", HSP_KW_BOOL, offsetof(struct dk_conf, mark_traffic), 0, 0, "on or off"},
        HSP_KEYWORDS_END,
};

enum dk_cstate { C_INSPECTING, C_RUNNING };

struct dk_container {
        char id[DK_ID_MAX + 1];
        char name[DK_NAME_MAX], hostname[DK_NAME_MAX];
        uint8_t uuid[16];
        enum dk_cstate state;
        bool seen;   /* in the listing being applied */
        bool paused, ending;
        pid_t pid;
        uint32_t cpus;
        uint64_t mem_limit;
        uint32_t ds_index;
        struct hsp_source *src;
        struct cgroup_paths paths;
        bool have_paths;
        int n_ifs; /* interfaces (not lo) when the adapters were read */
        unsigned n_adapters;
        struct sflow_adapter adapters[DK_MAX_ADAPTERS];
        struct cgroup_stats last; /* the last counters read: the final sample's */
        sd_event_source *retry;   /* the next inspection after one failed */
        unsigned inspect_failures;
        struct sflow_ctr_virt_net_io last_net;
        struct dk_state *owner;
        struct dk_container *prev, *next;
};

struct dk_state {
        struct hsp_mod *m;
        struct dk_api *api;
        struct dk_container *list;
        unsigned n_running;
        struct cgroup_mounts mounts;
        bool have_mounts;
        struct hsp_procbuf buf;
        struct utsname uts;
        uint32_t machine_type, host_cpus;
        uint64_t host_mem;
        bool warned_cgroup, warned_adapters;
};

static const struct dk_conf *conf_of(struct hsp_mod *m) {
        static const struct dk_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

/* ---- containers ---- */

static struct dk_container *find(struct dk_state *st, const char *id) {
        for (struct dk_container *c = st->list; c; c = c->next)
                if (strcmp(c->id, id) == 0)
                        return c;
        return NULL;
}

static struct dk_container *container_new(struct dk_state *st, const char *id) {
        struct dk_container *c = calloc(1, sizeof *c);
        if (!c) {
                log_error_errno(-ENOMEM, "Docker: cannot track container %.12s: %m", id);
                return NULL;
        }
        snprintf(c->id, sizeof c->id, "%s", id);
        c->owner = st;
        c->state = C_INSPECTING;
        c->seen = true;
        c->next = st->list;
        if (st->list)
                st->list->prev = c;
        st->list = c;
        return c;
}

/* Forget a container; a reported one gets its final sample (virt_cpu state shutdown). */
static void container_end(struct dk_state *st, struct dk_container *c) {
        c->retry = sd_event_source_disable_unref(c->retry);
        if (c->state == C_RUNNING) {
                c->ending = true;
                log_debug("Docker: container %s (%.12s) ended: 3:%u removed", c->name, c->id,
                          c->ds_index);
                hsp_source_remove(c->src, true);
                st->n_running--;
        }
        if (c->prev)
                c->prev->next = c->next;
        else
                st->list = c->next;
        if (c->next)
                c->next->prev = c->prev;
        free(c);
}

static void start_inspect(struct dk_state *st, const char *id) {
        struct dk_container *c = find(st, id);
        if (c) {
                c->seen = true;
                return;
        }
        c = container_new(st, id);
        if (c && dk_api_inspect(st->api, id) < 0)
                container_end(st, c);
}

/* ---- interfaces seen from the container's network namespace ---- */

struct ifs_ctx {
        struct dk_state *st;
        struct dk_container *c;
        bool failed;
};

static void on_ifname(const char *name, void *userdata) {
        struct ifs_ctx *x = userdata;
        struct dk_container *c = x->c;
        char path[128];
        uint64_t ifindex;
        uint8_t mac[6];
        if (x->failed || c->n_adapters >= DK_MAX_ADAPTERS)
                return;
        /* the container's own /sys shows its namespace's interfaces */
        snprintf(path, sizeof path, "/proc/%d/root/sys/class/net/%s/ifindex", (int)c->pid, name);
        if (hsp_procbuf_read(&x->st->buf, path) < 0 || cgroup_parse_u64(x->st->buf.buf, &ifindex) < 0) {
                x->failed = true;
                return;
        }
        snprintf(path, sizeof path, "/proc/%d/root/sys/class/net/%s/address", (int)c->pid, name);
        if (hsp_procbuf_read(&x->st->buf, path) < 0) {
                x->failed = true;
                return;
        }
        x->st->buf.buf[strcspn(x->st->buf.buf, "\n")] = '\0';
        if (dk_parse_mac(x->st->buf.buf, mac) < 0)
                return; /* no MAC (e.g. a tunnel): not an adapter */
        struct sflow_adapter *a = &c->adapters[c->n_adapters++];
        a->if_index = (uint32_t)ifindex;
        a->num_macs = 1;
        memcpy(a->macs[0], mac, 6);
}

/* Read the adapters from the text of /proc/PID/net/dev; falls back to the MACs the engine
 * reported (without ifIndex) when the namespace's /sys cannot be read. */
static void read_adapters(struct dk_state *st, struct dk_container *c, const char *netdev,
                          const struct dk_inspect *ins, int n_ifs) {
        struct ifs_ctx x = {.st = st, .c = c};
        /* the text lives in st->buf, which on_ifname reuses: copy it */
        char *text = strdup(netdev);
        c->n_adapters = 0;
        c->n_ifs = n_ifs;
        if (text)
                dk_net_dev_names(text, on_ifname, &x);
        free(text);
        if (text && !x.failed)
                return;
        if (!st->warned_adapters) {
                log_info("Docker: container interfaces not readable in /proc/PID/root/sys; "
                         "reporting the engine's MAC addresses without ifIndex");
                st->warned_adapters = true;
        }
        c->n_adapters = 0;
        for (unsigned i = 0; ins && i < ins->n_macs && i < DK_MAX_ADAPTERS; i++) {
                c->adapters[c->n_adapters].if_index = 0;
                c->adapters[c->n_adapters].num_macs = 1;
                memcpy(c->adapters[c->n_adapters].macs[0], ins->macs[i], 6);
                c->n_adapters++;
        }
}

/* Fresh network counters (and adapters when the interfaces changed). */
static void read_net(struct dk_state *st, struct dk_container *c, const struct dk_inspect *ins) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/net/dev", (int)c->pid);
        struct sflow_ctr_virt_net_io io;
        if (hsp_procbuf_read(&st->buf, path) < 0)
                return;
        int n = dk_parse_net_dev(st->buf.buf, &io);
        if (n < 0)
                return;
        c->last_net = io;
        if (ins || n != c->n_ifs)
                read_adapters(st, c, st->buf.buf, ins, n);
}

/* ---- the engine's answers ---- */

static bool index_used(struct dk_state *st, uint32_t idx) {
        for (struct dk_container *c = st->list; c; c = c->next)
                if (c->state == C_RUNNING && c->ds_index == idx)
                        return true;
        return false;
}

#define INSPECT_ATTEMPTS 5
#define INSPECT_RETRY_USEC (1000000ULL)

static int on_inspect_retry(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dk_container *c = userdata;
        struct dk_state *st = c->owner;
        c->retry = sd_event_source_unref(c->retry);
        if (dk_api_inspect(st->api, c->id) < 0)
                container_end(st, c);
        return 0;
}

static void on_inspected(const char *id, const struct dk_inspect *ins, bool gone,
                         void *userdata) {
        struct dk_state *st = userdata;
        struct dk_container *c = find(st, id);
        if (!c || c->state != C_INSPECTING)
                return; /* ended meanwhile */
        if (!ins && !gone && ++c->inspect_failures < INSPECT_ATTEMPTS) {
                /* The engine answered badly (logged with the endpoint): ask again shortly
                 * rather than lose the container until the next resynchronisation. */
                uint64_t now;
                sd_event_now(st->m->loop, CLOCK_MONOTONIC, &now);
                if (sd_event_add_time(st->m->loop, &c->retry, CLOCK_MONOTONIC,
                                      now + INSPECT_RETRY_USEC * c->inspect_failures, 100000,
                                      on_inspect_retry, c) >= 0)
                        return;
        }
        if (!ins || !ins->running || ins->pid <= 0) {
                if (!ins && !gone)
                        log_warning("Docker: container %.12s could not be inspected %u times; "
                                    "it is left out until the engine reconnects", id,
                                    c->inspect_failures);
                container_end(st, c);
                return;
        }
        snprintf(c->name, sizeof c->name, "%s", ins->name);
        snprintf(c->hostname, sizeof c->hostname, "%s", ins->hostname);
        dk_uuid(c->id, c->uuid);
        c->pid = ins->pid;
        c->paused = ins->paused;
        c->cpus = ins->cpus;
        c->mem_limit = ins->memory_limit;
        int r = st->have_mounts ? cgroup_paths_of_pid(&st->buf, &st->mounts, c->pid, &c->paths)
                                : -ENOENT;
        c->have_paths = r >= 0;
        if (r < 0 && !st->warned_cgroup) {
                log_warning_errno(r, "Docker: cgroups of container %s (pid %d) not found: %m",
                                  c->name, (int)c->pid);
                st->warned_cgroup = true;
        }
        c->n_ifs = -1;
        read_net(st, c, ins);
        for (unsigned probe = 0; probe < 50000; probe++) {
                c->ds_index = dk_ds_index(c->id, probe);
                if (!index_used(st, c->ds_index))
                        break;
        }
        r = hsp_source_add(st->m, SFLOW_DS_LOGICAL, c->ds_index, c, &c->src);
        if (r < 0) {
                container_end(st, c);
                return;
        }
        c->state = C_RUNNING;
        st->n_running++;
        log_debug("Docker: container %s (%.12s, pid %d) started: 3:%u", c->name, c->id,
                  (int)c->pid, c->ds_index);
        hsp_source_poll_now(c->src);
}

static void on_event(const struct dk_event *ev, void *userdata) {
        struct dk_state *st = userdata;
        struct dk_container *c = find(st, ev->id);
        switch (ev->action) {
        case DK_EV_START:
                start_inspect(st, ev->id);
                break;
        case DK_EV_DIE:
        case DK_EV_STOP:
        case DK_EV_DESTROY:
                if (c)
                        container_end(st, c);
                break;
        case DK_EV_PAUSE:
        case DK_EV_UNPAUSE:
                if (c)
                        c->paused = ev->action == DK_EV_PAUSE;
                break;
        case DK_EV_RENAME:
                if (c && ev->name[0])
                        snprintf(c->name, sizeof c->name, "%s", ev->name);
                break;
        default:
                break; /* kill (may not kill), oom (die follows), create, exec_*, ... */
        }
}

static void on_listed_begin(void *userdata) {
        struct dk_state *st = userdata;
        for (struct dk_container *c = st->list; c; c = c->next)
                c->seen = false;
}

static void on_listed(const char *id, void *userdata) {
        start_inspect(userdata, id);
}

static void on_listed_end(void *userdata) {
        struct dk_state *st = userdata;
        /* what is no longer running ended while we were not listening */
        for (struct dk_container *c = st->list, *next; c; c = next) {
                next = c->next;
                if (!c->seen)
                        container_end(st, c);
        }
}

static void on_disconnected(void *userdata) {
        struct dk_state *st = userdata;
        /* inspections in flight were dropped: the next listing asks again */
        for (struct dk_container *c = st->list, *next; c; c = next) {
                next = c->next;
                if (c->state == C_INSPECTING)
                        container_end(st, c);
        }
}

/* ---- polling ---- */

static void fill_descr(struct dk_state *st, struct dk_container *c, struct sflow_sample *out) {
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DESCR);
        if (!rec)
                return;
        struct sflow_ctr_host_descr *d = &rec->u.host_descr;
        const char *h = conf_of(st->m)->hostname && c->hostname[0] ? c->hostname : c->name;
        size_t n = strlen(h);
        d->hostname.str = h;
        d->hostname.len = (uint32_t)(n > 64 ? 64 : n);
        memcpy(d->uuid, c->uuid, 16);
        d->machine_type = st->machine_type;
        d->os_name = SFLOW_OS_LINUX;
        n = strlen(st->uts.release);
        d->os_release.str = st->uts.release;
        d->os_release.len = (uint32_t)(n > 32 ? 32 : n);
}

static int docker_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct dk_state *st = m->state;
        struct dk_container *c = hsp_source_userdata(src);
        struct cgroup_stats cs;
        if (c->have_paths && cgroup_read_stats(&st->buf, &c->paths, &cs) == 0)
                c->last = cs;
        /* after the end the pid may belong to another process: keep the last counters */
        if (!c->ending)
                read_net(st, c, NULL);

        fill_descr(st, c, out);
        struct sflow_record *rec;
        if (c->n_adapters && (rec = hsp_sample_add(out, SFLOW_CTR_HOST_ADAPTERS))) {
                rec->u.host_adapters.num_adapters = c->n_adapters;
                rec->u.host_adapters.adapters = c->adapters;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_HOST_PARENT))) {
                rec->u.host_parent.container_type = SFLOW_DS_PHYSICAL;
                rec->u.host_parent.container_index = 1;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_CPU))) {
                struct sflow_ctr_virt_cpu *v = &rec->u.virt_cpu;
                v->state = c->ending ? SFLOW_VIRT_SHUTDOWN
                                     : c->paused ? SFLOW_VIRT_PAUSED : SFLOW_VIRT_RUNNING;
                v->cpu_time = (uint32_t)(c->last.cpu_ns / 1000000);
                v->nr_virt_cpu = c->cpus ? c->cpus : st->host_cpus;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_MEMORY))) {
                uint64_t max = c->mem_limit ? c->mem_limit : c->last.mem_limit;
                rec->u.virt_memory.memory = c->last.mem_usage;
                rec->u.virt_memory.max_memory = max && max < st->host_mem ? max : st->host_mem;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_DISK_IO))) {
                struct sflow_ctr_virt_disk_io *d = &rec->u.virt_disk_io;
                d->rd_req = (uint32_t)c->last.rd_ios;
                d->rd_bytes = c->last.rd_bytes;
                d->wr_req = (uint32_t)c->last.wr_ios;
                d->wr_bytes = c->last.wr_bytes;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_NET_IO)))
                rec->u.virt_net_io = c->last_net;
        return 0;
}

static unsigned docker_count_virtual(struct hsp_mod *m) {
        struct dk_state *st = m->state;
        return st ? st->n_running : 0;
}

/* ---- module ---- */

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

static void docker_stop(struct hsp_mod *m);

static int docker_start(struct hsp_mod *m) {
        struct dk_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the docker module: %m");
        st->m = m;
        m->state = st;
        if (uname(&st->uts) == 0)
                st->machine_type = machine_type(st->uts.machine);
        struct sysinfo si;
        if (sysinfo(&si) == 0)
                st->host_mem = (uint64_t)si.totalram * si.mem_unit;
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        st->host_cpus = n > 0 ? (uint32_t)n : 1;
        int r = cgroup_mounts_read(&st->buf, &st->mounts);
        st->have_mounts = r >= 0;
        if (r < 0)
                log_warning_errno(r, "Docker: no cgroup hierarchy found (%m): containers will "
                                  "report no CPU, memory or disk counters");
        if (conf_of(m)->mark_traffic)
                log_warning("docker: markTraffic=on is not implemented: ignored");
        static const struct dk_api_callbacks cb = {
                .listed_begin = on_listed_begin,
                .listed = on_listed,
                .listed_end = on_listed_end,
                .event = on_event,
                .inspected = on_inspected,
                .disconnected = on_disconnected,
        };
        const char *sock = dk_socket_path();
        r = dk_api_new(m->loop, sock, &cb, st, &st->api);
        if (r < 0)
                return r;
        log_info("Docker: following containers of the engine at %s", sock);
        return 0;
}

static int docker_reconfigure(struct hsp_mod *m) {
        return 0; /* hostname= is read at each poll */
}

static void docker_stop(struct hsp_mod *m) {
        struct dk_state *st = m->state;
        if (!st)
                return;
        dk_api_free(st->api);
        while (st->list) {
                struct dk_container *c = st->list;
                st->list = c->next;
                if (c->state == C_RUNNING)
                        hsp_source_remove(c->src, false);
                free(c);
        }
        hsp_procbuf_free(&st->buf);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_docker = {
        .name = "docker",
        .keywords = dk_keywords,
        .conf_size = sizeof(struct dk_conf),
        /* the engine's socket is root:docker 0660 (connect needs write access); a container's
         * interfaces are read through /proc/PID/root, which needs ptrace access */
        .capabilities = HSP_CAP(CAP_DAC_OVERRIDE) | HSP_CAP(CAP_SYS_PTRACE),
        .start = docker_start,
        .poll = docker_poll,
        .count_virtual = docker_count_virtual,
        .reconfigure = docker_reconfigure,
        .stop = docker_stop,
};
