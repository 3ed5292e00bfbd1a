/* prom-store.c - latest counters per data source and their Prometheus exposition (text format
 * 0.0.4): base units in the names (bytes, seconds), _total for counters, labels agent (and
 * ifindex/ifname for interfaces, name for virtual nodes). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "prom-store.h"

#define NAME_MAX_LEN 256

struct prom_source {
        struct sflow_address agent;
        uint32_t sub_agent, ds_class, ds_index;
        double seen;
        bool has_descr, has_cpu, has_mem, has_disk, has_nio, has_if, has_vcpu, has_vmem, has_vdisk,
                has_vnio;
        char hostname[NAME_MAX_LEN], os_release[NAME_MAX_LEN], ifname[NAME_MAX_LEN];
        char uuid[40];
        uint32_t machine_type, os_name;
        bool has_cpu_extra;
        struct sflow_ctr_host_cpu cpu;
        struct sflow_ctr_host_memory mem;
        struct sflow_ctr_host_disk_io disk;
        struct sflow_ctr_host_net_io nio;
        struct sflow_ctr_generic ifc;
        struct sflow_ctr_virt_cpu vcpu;
        struct sflow_ctr_virt_memory vmem;
        struct sflow_ctr_virt_disk_io vdisk;
        struct sflow_ctr_virt_net_io vnio;
};

void prom_store_init(struct prom_store *s, double stale) {
        memset(s, 0, sizeof(*s));
        s->stale = stale;
}

void prom_store_free(struct prom_store *s) {
        free(s->src);
        memset(s, 0, sizeof(*s));
}

static struct prom_source *source(struct prom_store *s, const struct sflow_datagram *d,
                                  const struct sflow_sample *smp) {
        for (size_t i = 0; i < s->n; i++) {
                struct prom_source *p = &s->src[i];

                if (p->ds_class == smp->ds_class && p->ds_index == smp->ds_index &&
                    p->sub_agent == d->sub_agent_id &&
                    memcmp(&p->agent, &d->agent, sizeof(d->agent)) == 0)
                        return p;
        }
        if (s->n == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 64;
                struct prom_source *n = realloc(s->src, cap * sizeof(*n));

                if (!n)
                        return NULL;
                s->src = n;
                s->cap = cap;
        }
        memset(&s->src[s->n], 0, sizeof(s->src[0]));
        s->src[s->n].agent = d->agent;
        s->src[s->n].sub_agent = d->sub_agent_id;
        s->src[s->n].ds_class = smp->ds_class;
        s->src[s->n].ds_index = smp->ds_index;
        return &s->src[s->n++];
}

static void copy_str(char *dst, const struct sflow_string *s) {
        size_t n = s->len < NAME_MAX_LEN - 1 ? s->len : NAME_MAX_LEN - 1;

        memcpy(dst, s->str, n);
        dst[n] = '\0';
}

void prom_store_datagram(struct prom_store *s, const uint8_t *buf, size_t len, double now) {
        static struct sflow_sample smp;
        struct sflow_reader r;
        struct sflow_datagram d;

        sflow_reader_init(&r, buf, len);
        if (sflow_decode_datagram_header(&r, &d) < 0)
                return;
        for (uint32_t i = 0; i < d.num_samples; i++) {
                struct prom_source *p;

                if (sflow_decode_sample(&r, &smp) < 0)
                        return;
                if (!smp.known ||
                    (smp.tag != SFLOW_SAMPLE_COUNTERS && smp.tag != SFLOW_SAMPLE_COUNTERS_EXPANDED))
                        continue;
                p = source(s, &d, &smp);
                if (!p)
                        return;
                p->seen = now;
                for (uint32_t j = 0; j < smp.num_records && j < SFLOW_MAX_RECORDS; j++) {
                        const struct sflow_record *rec = &smp.records[j];
                        const uint8_t *u;

                        if (!rec->known)
                                continue;
                        switch (rec->tag) {
                        case SFLOW_CTR_HOST_DESCR:
                                p->has_descr = true;
                                copy_str(p->hostname, &rec->u.host_descr.hostname);
                                copy_str(p->os_release, &rec->u.host_descr.os_release);
                                p->machine_type = rec->u.host_descr.machine_type;
                                p->os_name = rec->u.host_descr.os_name;
                                u = rec->u.host_descr.uuid;
                                snprintf(p->uuid, sizeof(p->uuid),
                                         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%"
                                         "02x%02x%02x",
                                         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
                                         u[10], u[11], u[12], u[13], u[14], u[15]);
                                break;
                        case SFLOW_CTR_HOST_CPU:
                                p->has_cpu = true;
                                p->has_cpu_extra = rec->length > 68;
                                p->cpu = rec->u.host_cpu;
                                break;
                        case SFLOW_CTR_HOST_MEMORY:
                                p->has_mem = true, p->mem = rec->u.host_memory;
                                break;
                        case SFLOW_CTR_HOST_DISK_IO:
                                p->has_disk = true, p->disk = rec->u.host_disk_io;
                                break;
                        case SFLOW_CTR_HOST_NET_IO:
                                p->has_nio = true, p->nio = rec->u.host_net_io;
                                break;
                        case SFLOW_CTR_GENERIC:
                                p->has_if = true, p->ifc = rec->u.generic;
                                break;
                        case SFLOW_CTR_PORT_NAME:
                                copy_str(p->ifname, &rec->u.port_name.name);
                                break;
                        case SFLOW_CTR_VIRT_CPU:
                                p->has_vcpu = true, p->vcpu = rec->u.virt_cpu;
                                break;
                        case SFLOW_CTR_VIRT_MEMORY:
                                p->has_vmem = true, p->vmem = rec->u.virt_memory;
                                break;
                        case SFLOW_CTR_VIRT_DISK_IO:
                                p->has_vdisk = true, p->vdisk = rec->u.virt_disk_io;
                                break;
                        case SFLOW_CTR_VIRT_NET_IO:
                                p->has_vnio = true, p->vnio = rec->u.virt_net_io;
                                break;
                        default:
                                break;
                        }
                }
        }
}

/* A label value with \, " and newline escaped. */
static void label(FILE *f, const char *name, const char *v, bool first) {
        fprintf(f, "%s%s=\"", first ? "" : ",", name);
        for (; *v; v++) {
                if (*v == '\\' || *v == '"')
                        fprintf(f, "\\%c", *v);
                else if (*v == '\n')
                        fputs("\\n", f);
                else
                        fputc(*v, f);
        }
        fputc('"', f);
}

/* One sample line: name{labels} value. The labels come from the source. */
struct ctx {
        FILE *f;
        const struct prom_source *p;
        char agent[64];
        const char *extra_name, *extra_value; /* mode="user", ... */
};

static void labels(struct ctx *c) {
        const struct prom_source *p = c->p;
        char num[16];

        fputc('{', c->f);
        label(c->f, "agent", c->agent, true);
        if (p->ds_class == 0) {
                snprintf(num, sizeof(num), "%" PRIu32, p->ds_index);
                label(c->f, "ifindex", num, false);
                if (p->ifname[0])
                        label(c->f, "ifname", p->ifname, false);
        } else if (p->ds_class == 3) {
                label(c->f, "name", p->hostname[0] ? p->hostname : "-", false);
        }
        if (c->extra_name)
                label(c->f, c->extra_name, c->extra_value, false);
        fputc('}', c->f);
}

static void val(struct ctx *c, const char *name, double v) {
        fputs(name, c->f);
        labels(c);
        fprintf(c->f, " %.17g\n", v);
}

/* HELP and TYPE once per metric, then the samples of every source that has it. */
typedef bool (*has_fn)(const struct prom_source *p);
typedef double (*get_fn)(const struct prom_source *p);

struct metric {
        const char *name, *type, *help;
        has_fn has;
        get_fn get;
        const char *extra_name, *extra_value;
};

static bool is_host(const struct prom_source *p) {
        return p->ds_class == 2;
}
static bool h_cpu(const struct prom_source *p) {
        return is_host(p) && p->has_cpu;
}
static bool h_cpu_x(const struct prom_source *p) {
        return h_cpu(p) && p->has_cpu_extra;
}
static bool h_mem(const struct prom_source *p) {
        return is_host(p) && p->has_mem;
}
static bool h_disk(const struct prom_source *p) {
        return is_host(p) && p->has_disk;
}
static bool h_nio(const struct prom_source *p) {
        return is_host(p) && p->has_nio;
}
static bool i_if(const struct prom_source *p) {
        return p->ds_class == 0 && p->has_if;
}
static bool v_cpu(const struct prom_source *p) {
        return p->ds_class == 3 && p->has_vcpu;
}
static bool v_mem(const struct prom_source *p) {
        return p->ds_class == 3 && p->has_vmem;
}
static bool v_disk(const struct prom_source *p) {
        return p->ds_class == 3 && p->has_vdisk;
}
static bool v_nio(const struct prom_source *p) {
        return p->ds_class == 3 && p->has_vnio;
}

#include "prom-metrics.inc"

void prom_store_write(struct prom_store *s, FILE *f, double now) {
        size_t k = 0;

        for (size_t i = 0; i < s->n; i++)
                if (now - s->src[i].seen <= s->stale)
                        s->src[k++] = s->src[i];
        s->n = k;

        fputs("# HELP sflow_host_info Host description (2000) of each agent; value 1.\n"
              "# TYPE sflow_host_info gauge\n",
              f);
        for (size_t i = 0; i < s->n; i++) {
                const struct prom_source *p = &s->src[i];
                char agent[64], num[16];

                if (!p->has_descr || p->ds_class != 2)
                        continue;
                fmt_address(agent, sizeof(agent), &p->agent);
                fputs("sflow_host_info{", f);
                label(f, "agent", agent, true);
                label(f, "hostname", p->hostname, false);
                label(f, "os_release", p->os_release, false);
                label(f, "uuid", p->uuid, false);
                snprintf(num, sizeof(num), "%" PRIu32, p->machine_type);
                label(f, "machine_type", num, false);
                snprintf(num, sizeof(num), "%" PRIu32, p->os_name);
                label(f, "os_name", num, false);
                fputs("} 1\n", f);
        }
        for (size_t m = 0; m < sizeof(metrics) / sizeof(metrics[0]); m++) {
                const struct metric *me = &metrics[m];

                if (m == 0 || strcmp(metrics[m - 1].name, me->name) != 0)
                        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", me->name, me->help, me->name,
                                me->type);
                for (size_t i = 0; i < s->n; i++) {
                        struct ctx c = {f, &s->src[i], "", me->extra_name, me->extra_value};

                        if (!me->has(&s->src[i]))
                                continue;
                        fmt_address(c.agent, sizeof(c.agent), &s->src[i].agent);
                        val(&c, me->name, me->get(&s->src[i]));
                }
        }
}
