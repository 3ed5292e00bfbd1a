/* kvm.c - the kvm module: one 3:N data source per running libvirt domain, from its events. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm-dl.h"

#include "agent.h"
#include "config.h"
#include "kvm.h"
#include "log.h"
#include "module.h"

struct kvm_conf {
        char *uri; /* NULL: libvirt's default (LIBVIRT_DEFAULT_URI, else qemu:///system) */
};

static const struct hsp_keyword kvm_keywords[] = {
        {"uri", HSP_KW_STRING, offsetof(struct kvm_conf, uri), 0, 0,
         "a libvirt connection URI such as qemu:///system"},
        HSP_KEYWORDS_END,
};

struct kvm_dom {
        uint8_t uuid[VIR_UUID_BUFLEN];
        char uuid_str[VIR_UUID_STRING_BUFLEN];
        char name[65];
        virDomainPtr dom;
        struct kvm_domxml xml;
        uint32_t ds_index;
        struct hsp_source *src;
        struct kvm_stats last; /* the last counters read: the final sample's */
        bool have_last, seen, ending;
        unsigned n_adapters;
        struct sflow_adapter adapters[KVM_MAX_IFS];
        struct kvm_dom *prev, *next;
};

struct kvm_state {
        struct hsp_mod *m;
        struct kvm_conn *conn;
        char *uri; /* the one connected to, NULL: the default */
        struct kvm_dom *list;
        unsigned n_running;
};

static const struct kvm_conf *conf_of(struct hsp_mod *m) {
        static const struct kvm_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

static struct kvm_dom *find(struct kvm_state *st, const uint8_t *uuid) {
        for (struct kvm_dom *d = st->list; d; d = d->next)
                if (memcmp(d->uuid, uuid, VIR_UUID_BUFLEN) == 0)
                        return d;
        return NULL;
}

/* The disks and interfaces, from the XML description: when the domain starts, when its
 * definition changes and after a reconnection, never at a poll. */
static void read_xml(struct kvm_dom *d) {
        char *text = sym_virDomainGetXMLDesc(d->dom, 0);
        if (!text) {
                log_warning("kvm: domain %s: no XML description (%s): its disks and interfaces "
                            "are left out",
                            d->name, kvm_last_error());
                return;
        }
        struct kvm_domxml x;
        int r = kvm_domxml_parse(text, strlen(text), &x);
        free(text);
        if (r < 0) {
                log_warning_errno(r,
                                  "kvm: domain %s (%s): malformed XML description (%m): "
                                  "skipped, its disks and interfaces are left out",
                                  d->name, d->uuid_str);
                return;
        }
        d->xml = x;
        d->n_adapters = 0;
        for (unsigned i = 0; i < x.n_ifs; i++) {
                struct sflow_adapter *a = &d->adapters[d->n_adapters++];
                /* the guest's ifIndex is not known here: the host side (tap) is reported */
                a->if_index = x.ifs[i].target[0] ? if_nametoindex(x.ifs[i].target) : 0;
                a->num_macs = 1;
                memcpy(a->macs[0], x.ifs[i].mac, 6);
        }
        log_debug("kvm: domain %s: %u disks (%u skipped), %u interfaces", d->name, x.n_disks,
                  x.skipped_disks, x.n_ifs);
}

static bool index_used(struct kvm_state *st, uint32_t idx) {
        for (struct kvm_dom *d = st->list; d; d = d->next)
                if (d->src && d->ds_index == idx)
                        return true;
        return hsp_source_exists(st->m, SFLOW_DS_LOGICAL, idx);
}

static void dom_unlink(struct kvm_state *st, struct kvm_dom *d) {
        if (d->prev)
                d->prev->next = d->next;
        else
                st->list = d->next;
        if (d->next)
                d->next->prev = d->prev;
        if (d->dom)
                sym_virDomainFree(d->dom);
        free(d);
}

/* Forget a domain after its final sample (virt_cpu state shutdown, the last counters). */
static void dom_end(struct kvm_state *st, struct kvm_dom *d) {
        d->ending = true;
        log_debug("kvm: domain %s ended: 3:%u removed", d->name, d->ds_index);
        hsp_source_remove(d->src, true);
        st->n_running--;
        dom_unlink(st, d);
}

/* A running domain (from the listing or a start event); takes the reference dom. */
static void dom_running(struct kvm_state *st, virDomainPtr dom) {
        uint8_t uuid[VIR_UUID_BUFLEN];
        if (sym_virDomainGetUUID(dom, uuid) < 0) {
                log_warning("kvm: a domain without a UUID (%s): skipped", kvm_last_error());
                sym_virDomainFree(dom);
                return;
        }
        struct kvm_dom *d = find(st, uuid);
        if (d) { /* known: after a reconnection the old reference is stale */
                sym_virDomainFree(d->dom);
                d->dom = dom;
                d->seen = true;
                read_xml(d);
                return;
        }
        d = calloc(1, sizeof *d);
        if (!d) {
                log_error_errno(-ENOMEM, "kvm: cannot track domain %s: %m",
                                sym_virDomainGetName(dom));
                sym_virDomainFree(dom);
                return;
        }
        memcpy(d->uuid, uuid, sizeof uuid);
        d->dom = dom;
        d->seen = true;
        if (sym_virDomainGetUUIDString(dom, d->uuid_str) < 0)
                d->uuid_str[0] = '\0';
        const char *name = sym_virDomainGetName(dom);
        snprintf(d->name, sizeof d->name, "%s", name ? name : d->uuid_str);
        read_xml(d);
        for (unsigned probe = 0; probe < HSP_DS_HASH_RANGE; probe++) {
                d->ds_index = hsp_ds_index_hash(d->uuid_str, probe);
                if (!index_used(st, d->ds_index))
                        break;
        }
        d->next = st->list;
        if (st->list)
                st->list->prev = d;
        st->list = d;
        if (hsp_source_add(st->m, SFLOW_DS_LOGICAL, d->ds_index, d, &d->src) < 0) {
                dom_unlink(st, d);
                return;
        }
        st->n_running++;
        log_debug("kvm: domain %s (%s) running: 3:%u", d->name, d->uuid_str, d->ds_index);
        hsp_source_poll_now(d->src);
}

static void on_listed_begin(void *userdata) {
        struct kvm_state *st = userdata;
        for (struct kvm_dom *d = st->list; d; d = d->next)
                d->seen = false;
}

static void on_running(virDomainPtr dom, void *userdata) {
        dom_running(userdata, dom);
}

static void on_listed_end(void *userdata) {
        struct kvm_state *st = userdata;
        /* what is no longer running stopped while we were not connected */
        for (struct kvm_dom *d = st->list, *next; d; d = next) {
                next = d->next;
                if (!d->seen)
                        dom_end(st, d);
        }
}

static void on_event(virDomainPtr dom, int event, int detail, void *userdata) {
        struct kvm_state *st = userdata;
        uint8_t uuid[VIR_UUID_BUFLEN];
        if (sym_virDomainGetUUID(dom, uuid) < 0)
                return;
        struct kvm_dom *d = find(st, uuid);
        switch (event) {
        case VIR_DOMAIN_EVENT_STARTED:
        case VIR_DOMAIN_EVENT_RESUMED:
                if (!d && sym_virDomainRef(dom) == 0)
                        dom_running(st, dom);
                else if (d)
                        hsp_source_poll_now(d->src);
                break;
        case VIR_DOMAIN_EVENT_SUSPENDED:
        case VIR_DOMAIN_EVENT_PMSUSPENDED:
                if (d)
                        hsp_source_poll_now(d->src); /* the new state at once */
                break;
        case VIR_DOMAIN_EVENT_STOPPED:
        case VIR_DOMAIN_EVENT_CRASHED:
                if (d)
                        dom_end(st, d);
                break;
        case VIR_DOMAIN_EVENT_DEFINED:
                if (d)
                        read_xml(d);
                break;
        default:
                break; /* shutdown (stopped follows), undefined (of an inactive domain) */
        }
}

static void on_disconnected(void *userdata) {
        /* the domains stay: the resynchronisation after the reconnection keeps their 3:N */
        struct kvm_state *st = userdata;
        log_debug("kvm: %u domains kept while libvirt is away", st->n_running);
}

/* ---- polling ---- */

static uint32_t machine_type(const char *a) {
        if (strcmp(a, "x86_64") == 0)
                return SFLOW_MT_X86_64;
        if (a[0] == 'i' && strcmp(a + 2, "86") == 0)
                return SFLOW_MT_X86;
        if (strncmp(a, "arm", 3) == 0 || strcmp(a, "aarch64") == 0)
                return SFLOW_MT_ARM;
        if (strncmp(a, "ppc", 3) == 0)
                return SFLOW_MT_POWERPC;
        if (strncmp(a, "s390", 4) == 0)
                return SFLOW_MT_S390;
        if (strncmp(a, "mips", 4) == 0)
                return SFLOW_MT_MIPS;
        return a[0] ? SFLOW_MT_OTHER : SFLOW_MT_UNKNOWN;
}

static int kvm_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct kvm_dom *d = hsp_source_userdata(src);
        if (!d->ending) {
                struct kvm_stats s;
                if (kvm_stats_read(d->dom, &d->xml, &s) < 0) {
                        log_debug("kvm: domain %s: no counters (%s)", d->name, kvm_last_error());
                        return -EAGAIN; /* libvirt away, or the domain just stopped */
                }
                if (s.state == VIR_DOMAIN_SHUTDOWN || s.state == VIR_DOMAIN_SHUTOFF ||
                    s.state == VIR_DOMAIN_CRASHED)
                        return -EAGAIN; /* going away: the final sample follows its event */
                d->last = s;
                d->have_last = true;
        }
        struct sflow_record *rec = hsp_sample_add(out, SFLOW_CTR_HOST_DESCR);
        if (rec) {
                struct sflow_ctr_host_descr *h = &rec->u.host_descr;
                h->hostname.str = d->name;
                h->hostname.len = (uint32_t)strlen(d->name);
                memcpy(h->uuid, d->uuid, 16);
                h->machine_type = machine_type(d->xml.arch);
                h->os_name = SFLOW_OS_UNKNOWN; /* the guest's: not known to the host */
        }
        if (d->n_adapters && (rec = hsp_sample_add(out, SFLOW_CTR_HOST_ADAPTERS))) {
                rec->u.host_adapters.num_adapters = d->n_adapters;
                rec->u.host_adapters.adapters = d->adapters;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_HOST_PARENT))) {
                rec->u.host_parent.container_type = SFLOW_DS_PHYSICAL;
                rec->u.host_parent.container_index = 1;
        }
        if (d->have_last)
                kvm_stats_records(&d->last, d->ending ? SFLOW_VIRT_SHUTDOWN : -1, out);
        return 0;
}

static unsigned kvm_count_virtual(struct hsp_mod *m) {
        struct kvm_state *st = m->state;
        return st ? st->n_running : 0;
}

/* ---- module ---- */

static const struct kvm_conn_callbacks conn_callbacks = {
        .listed_begin = on_listed_begin,
        .running = on_running,
        .listed_end = on_listed_end,
        .event = on_event,
        .disconnected = on_disconnected,
};

static int connect_to(struct kvm_state *st, const char *uri) {
        free(st->uri);
        st->uri = NULL;
        if (uri && !(st->uri = strdup(uri)))
                return log_error_errno(-ENOMEM, "kvm: cannot connect: %m");
        return kvm_conn_new(st->m->loop, st->uri, &conn_callbacks, st, &st->conn);
}

static int kvm_start(struct hsp_mod *m) {
        int r = kvm_dl_load();
        if (r < 0)
                return r;
        struct kvm_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the kvm module: %m");
        st->m = m;
        m->state = st;
        return connect_to(st, conf_of(m)->uri);
}

/* Same URI: nothing to do (the domains keep their sources and connection). Another: the domains
 * of the old one end (final samples) and the new one is listed. */
static int kvm_reconfigure(struct hsp_mod *m) {
        struct kvm_state *st = m->state;
        const char *uri = conf_of(m)->uri;
        if ((!uri && !st->uri) || (uri && st->uri && strcmp(uri, st->uri) == 0))
                return 0;
        log_info("kvm: the URI changed to %s: reconnecting", uri ? uri : "libvirt's default");
        while (st->list)
                dom_end(st, st->list);
        kvm_conn_free(st->conn);
        st->conn = NULL;
        return connect_to(st, uri);
}

struct kvm_conn *kvm_module_conn(struct hsp_mod *m) {
        struct kvm_state *st = m->state;
        return st ? st->conn : NULL;
}

static void kvm_stop(struct hsp_mod *m) {
        struct kvm_state *st = m->state;
        if (!st)
                return;
        /* domains first: each holds a reference on the connection */
        while (st->list) {
                hsp_source_remove(st->list->src, false);
                dom_unlink(st, st->list);
        }
        kvm_conn_free(st->conn);
        free(st->uri);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_kvm = {
        .name = "kvm",
        .keywords = kvm_keywords,
        .conf_size = sizeof(struct kvm_conf),
        /* libvirtd's read-only socket is world-writable: no capability needed */
        .start = kvm_start,
        .poll = kvm_poll,
        .count_virtual = kvm_count_virtual,
        .reconfigure = kvm_reconfigure,
        .stop = kvm_stop,
};
