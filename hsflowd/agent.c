/* agent.c - the agent core: modules, data sources and their polling, the agent address. */
#include "agent-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "address-lookup.h"
#include "address.h"
#include "autofile.h"
#include "dnssd.h"
#include "flow.h"
#include "links.h"
#include "privileges.h"
#include "log.h"
#include "uuid.h"

#define ADDRESS_RETRY_USEC (10ULL * 1000000ULL)

struct hsp_source {
        struct hsp_agent *agent;
        struct hsp_mod *mod;
        uint32_t ds_class, ds_index;
        void *userdata;
        struct evsrc *timer;
        struct exporter_source *seq; /* its sequence numbers, the exporter's */
        bool flush_next;             /* poll_now: the sample of a start leaves at once */
        uint32_t polling;            /* seconds, or HSP_POLLING_GLOBAL */
        uint32_t sampling;           /* 1-in-N of its flow samples, 0: none (hsflowd.auto) */
        struct hsp_source *prev, *next;
};

struct mod_slot {
        struct hsp_mod m;
        bool running;
};

struct hsp_agent {
        struct evloop *loop;
        struct hsp_config *config;      /* in force */
        struct hsp_config *file_config; /* with dns-sd: the file's, config is it plus DNS */
        struct dnssd *dnssd;
        struct exporter *exporter;
        struct hsp_core core; /* the interface table and the flow path, shared by the modules */
        struct mod_slot *mods;
        size_t n_mods;
        struct hsp_source *sources;
        bool reloading;     /* sources removed now keep their sequence numbers */
        uint64_t caps_held; /* all ones until root is dropped */
        uint64_t caps_rare; /* held but raised only when used (hsflowd.auto) */
        uint8_t uuid[16];
        struct sflow_address address;
        char address_reason[256];
        struct evsrc *address_timer;
        struct address_lookup *agent_ip; /* agentIP=<name> */
        struct sflow_sample scratch; /* the counter sample being filled: no allocation per poll */
        char *auto_path;             /* hsflowd.auto, NULL: none */
        struct evsrc *auto_timer;
        char *auto_last; /* what was written, without the revision lines */
        unsigned auto_rev;
        bool sources_ready; /* agent_start() ran: the file may be written */
};

static void auto_changed(struct hsp_agent *a);

/* ---- polling ---- */

static uint32_t source_polling(const struct hsp_source *s) {
        return s->polling == HSP_POLLING_GLOBAL ? s->agent->config->polling : s->polling;
}

static uint64_t interval_usec(const struct hsp_source *s) {
        return (uint64_t)source_polling(s) * 1000000ULL;
}

/* Sources are spread over the interval by a hash of their id, so they do not fire together. */
static uint64_t next_poll(const struct hsp_source *s, uint64_t now) {
        uint64_t iv = interval_usec(s);
        uint64_t id = (uint64_t)s->ds_class << 32 | s->ds_index;
        uint64_t phase = ((id + 1) * 0x9e3779b97f4a7c15ULL >> 11) % iv;
        return (now / iv) * iv + phase + (now % iv >= phase ? iv : 0);
}

static void poll_source(struct hsp_source *s) {
        struct hsp_agent *a = s->agent;
        struct sflow_sample *out = &a->scratch;
        memset(out, 0, offsetof(struct sflow_sample, records));
        out->tag = SFLOW_SAMPLE_COUNTERS_EXPANDED;
        out->ds_class = s->ds_class;
        out->ds_index = s->ds_index;
        int r = s->mod->module->poll(s->mod, s, out);
        if (r < 0 || out->num_records == 0)
                return;
        exporter_add_counters(a->exporter, s->seq, out);
}

static int on_poll_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        struct hsp_source *s = userdata;
        uint64_t now;
        evloop_now(s->agent->loop, CLOCK_MONOTONIC, &now);
        /* Re-arm first: poll() may remove the source. */
        evsrc_set_time(es, next_poll(s, now));
        evsrc_set_enabled(es, EVSRC_ONESHOT);
        struct hsp_agent *a = s->agent;
        bool flush = s->flush_next;
        s->flush_next = false;
        poll_source(s);
        if (flush)
                exporter_flush(a->exporter);
        return 0;
}

static void schedule_source(struct hsp_source *s, bool now_too) {
        struct hsp_agent *a = s->agent;
        if (source_polling(s) == 0) {
                evsrc_set_enabled(s->timer, EVSRC_OFF);
                return;
        }
        uint64_t now;
        evloop_now(a->loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(s->timer, now_too ? now : next_poll(s, now));
        evsrc_set_enabled(s->timer, EVSRC_ONESHOT);
}

int hsp_source_add(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index, void *userdata,
                   struct hsp_source **ret) {
        struct hsp_agent *a = m->agent;
        struct hsp_source *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->agent = a;
        s->mod = m;
        s->ds_class = ds_class;
        s->ds_index = ds_index;
        s->userdata = userdata;
        s->polling = HSP_POLLING_GLOBAL;
        s->seq = exporter_source_ref(a->exporter, ds_class, ds_index);
        int r = evloop_add_time(a->loop, &s->timer, CLOCK_MONOTONIC, 0, 100000, on_poll_timer, s);
        if (r < 0 || !s->seq) {
                exporter_source_unref(a->exporter, s->seq, false);
                evsrc_unref(s->timer);
                free(s);
                return log_error_errno(r < 0 ? r : -ENOMEM, "Cannot add data source %u:%u: %m",
                                       ds_class, ds_index);
        }
        schedule_source(s, false);
        s->next = a->sources;
        if (a->sources)
                a->sources->prev = s;
        a->sources = s;
        log_debug("Data source %u:%u added by %s", ds_class, ds_index, m->module->name);
        auto_changed(a);
        *ret = s;
        return 0;
}

void hsp_source_remove(struct hsp_source *s, bool final_poll) {
        if (!s)
                return;
        struct hsp_agent *a = s->agent;
        if (final_poll && source_polling(s)) {
                poll_source(s);
                exporter_flush(a->exporter); /* an end is news: do not wait for a full datagram */
        }
        evsrc_disable_unref(s->timer);
        if (s->prev)
                s->prev->next = s->next;
        else
                a->sources = s->next;
        if (s->next)
                s->next->prev = s->prev;
        exporter_source_unref(a->exporter, s->seq, a->reloading);
        log_debug("Data source %u:%u removed", s->ds_class, s->ds_index);
        free(s);
        auto_changed(a);
}

void hsp_source_poll_now(struct hsp_source *s) {
        s->flush_next = true;
        schedule_source(s, true);
}

bool hsp_source_exists(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index) {
        for (const struct hsp_source *s = m->agent->sources; s; s = s->next)
                if (s->ds_class == ds_class && s->ds_index == ds_index)
                        return true;
        return false;
}

void hsp_source_set_polling(struct hsp_source *s, uint32_t seconds) {
        if (s->polling == seconds)
                return;
        s->polling = seconds;
        schedule_source(s, false);
        auto_changed(s->agent);
}

void hsp_source_set_sampling(struct hsp_source *s, uint32_t rate) {
        if (s->sampling == rate)
                return;
        s->sampling = rate;
        auto_changed(s->agent);
}

void *hsp_source_userdata(const struct hsp_source *s) {
        return s->userdata;
}
uint32_t hsp_source_class(const struct hsp_source *s) {
        return s->ds_class;
}
uint32_t hsp_source_index(const struct hsp_source *s) {
        return s->ds_index;
}

struct exporter *agent_exporter(const struct hsp_agent *a) {
        return a->exporter;
}

bool hsp_virtual_nodes(struct hsp_mod *m, uint32_t *ret) {
        struct hsp_agent *a = m->agent;
        bool any = false;
        uint32_t n = 0;
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running && a->mods[i].m.module->count_virtual) {
                        any = true;
                        n += a->mods[i].m.module->count_virtual(&a->mods[i].m);
                }
        *ret = n;
        return any;
}

const uint8_t *hsp_agent_uuid(const struct hsp_agent *a) {
        return a->uuid;
}

/* ---- agent address ---- */

static void arm_address_timer(struct hsp_agent *a, uint64_t after);

/* Choose the agent address now, without blocking: agentIP=<name> is looked up (again, when
 * look_up) in the background and its last answer used; until the first one the address is
 * chosen as without agentIP, and on_agent_ip_resolved() chooses again. */
static void choose_address(struct hsp_agent *a, bool look_up) {
        struct sflow_address addr;
        char reason[256], text[64];
        if (look_up) {
                const char *ip = a->config->agent_ip;
                address_lookup_start(a->agent_ip, ip && address_parse(ip, &addr) < 0 ? ip : NULL);
        }
        int r = address_choose(a->config, address_lookup_result(a->agent_ip), &addr, reason,
                               sizeof reason);
        if (r < 0) {
                if (strcmp(reason, a->address_reason) != 0)
                        log_warning("No agent address yet: %s; checking again every %llus", reason,
                                    (unsigned long long)(ADDRESS_RETRY_USEC / 1000000));
                snprintf(a->address_reason, sizeof a->address_reason, "%s", reason);
                arm_address_timer(a, ADDRESS_RETRY_USEC);
                return;
        }
        if (memcmp(&addr, &a->address, sizeof addr) != 0 || strcmp(reason, a->address_reason) != 0)
                log_info("Agent address %s: %s", address_format(&addr, text, sizeof text), reason);
        a->address = addr;
        snprintf(a->address_reason, sizeof a->address_reason, "%s", reason);
        uint64_t refresh =
                (uint64_t)(a->config->refresh_adaptors ? a->config->refresh_adaptors : 180);
        arm_address_timer(a, refresh * 1000000ULL);
}

static void address_refresh(struct hsp_agent *a, bool look_up) {
        struct sflow_address before = a->address;
        choose_address(a, look_up);
        if (memcmp(&before, &a->address, sizeof before) != 0) {
                exporter_configure(a->exporter, a->config, &a->address);
                auto_changed(a);
        }
}

static int on_address_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        address_refresh(userdata, true);
        return 0;
}

static void on_agent_ip_resolved(void *userdata) {
        address_refresh(userdata, false);
}

static void arm_address_timer(struct hsp_agent *a, uint64_t after) {
        uint64_t now;
        evloop_now(a->loop, CLOCK_MONOTONIC, &now);
        if (!a->address_timer) {
                int r = evloop_add_time(a->loop, &a->address_timer, CLOCK_MONOTONIC, now + after,
                                        1000000, on_address_timer, a);
                if (r < 0)
                        log_error_errno(r, "Cannot arm the agent address timer: %m");
                return;
        }
        evsrc_set_time(a->address_timer, now + after);
        evsrc_set_enabled(a->address_timer, EVSRC_ONESHOT);
}

/* ---- modules ---- */

static const struct hsp_block *module_blocks(const struct hsp_config *c,
                                             const struct hsp_module *mod) {
        for (size_t i = 0; i < c->n_blocks; i++)
                if (c->blocks[i].module == mod)
                        return &c->blocks[i];
        return NULL;
}

/* The running modules that enrich flow samples, in table order, to the flow path. */
static void refresh_enrichers(struct hsp_agent *a) {
        struct hsp_mod *list[a->n_mods + 1];
        size_t n = 0;
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running && a->mods[i].m.module->enrich)
                        list[n++] = &a->mods[i].m;
        if (a->core.flows)
                flows_set_enrichers(a->core.flows, list, n);
}

static void module_stop(struct mod_slot *slot) {
        if (!slot->running)
                return;
        if (slot->m.module->stop)
                slot->m.module->stop(&slot->m);
        hsp_links_unwatch(&slot->m);
        slot->running = false;
        slot->m.state = NULL;
        refresh_enrichers(slot->m.agent);
}

static int module_start(struct mod_slot *slot) {
        uint64_t missing = slot->m.module->capabilities & ~slot->m.agent->caps_held;
        if (missing)
                return log_error_errno(-EPERM,
                                       "Module %s needs capabilities 0x%llx that hsflowd "
                                       "gave up at start (it runs as nobody): restart hsflowd "
                                       "to enable it, or run it with -P",
                                       slot->m.module->name, (unsigned long long)missing);
        slot->running = true;
        int r = slot->m.module->start ? slot->m.module->start(&slot->m) : 0;
        if (r < 0) {
                log_error_errno(r, "Module %s failed to start: %m", slot->m.module->name);
                module_stop(slot);
                return r;
        }
        log_info("Module %s started", slot->m.module->name);
        refresh_enrichers(slot->m.agent);
        return 0;
}

static void caps_lower(struct hsp_agent *a);

static void modules_apply(struct hsp_agent *a) {
        if (a->caps_rare) /* modules start with everything held */
                privileges_effective(a->caps_held);
        for (size_t i = 0; i < a->n_mods; i++) {
                struct mod_slot *slot = &a->mods[i];
                const struct hsp_block *b = module_blocks(a->config, slot->m.module);
                bool wanted = slot->m.module->always || b ||
                              (slot->m.module->implied && slot->m.module->implied(a->config));
                slot->m.config = a->config;
                slot->m.blocks = b;
                if (slot->running && !wanted) {
                        module_stop(slot);
                        log_info("Module %s stopped: its block was removed", slot->m.module->name);
                } else if (slot->running && slot->m.module->reconfigure) {
                        int r = slot->m.module->reconfigure(&slot->m);
                        if (r < 0) {
                                log_error_errno(
                                        r, "Module %s: reconfiguration failed (%m); restarting it",
                                        slot->m.module->name);
                                module_stop(slot);
                                module_start(slot);
                        }
                } else if (slot->running) {
                        module_stop(slot);
                        module_start(slot);
                } else if (wanted)
                        module_start(slot);
        }
        caps_lower(a);
}

/* ---- life cycle ---- */

int agent_new(struct evloop *loop, const struct agent_options *opt, struct hsp_config *config,
              struct hsp_agent **ret) {
        struct hsp_agent *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->loop = evloop_ref(loop);
        a->config = config;
        a->caps_held = UINT64_MAX;
        if (opt->auto_path && *opt->auto_path && !(a->auto_path = strdup(opt->auto_path))) {
                free(a);
                return -ENOMEM;
        }
        const char *src = NULL;
        int r = uuid_choose(opt->uuid, config->uuid, "/sys/class/dmi/id/product_uuid",
                            opt->machine_id, "/etc/machine-id", a->uuid, &src);
        char text[37];
        if (r < 0)
                log_warning("No UUID: no -u, no uuid=, no DMI product UUID and no machine-id");
        else {
                uuid_format(a->uuid, text);
                log_info("UUID %s from the %s", text, src);
        }
        for (const struct hsp_module *const *m = hsp_modules; *m; m++)
                a->n_mods++;
        a->mods = calloc(a->n_mods ? a->n_mods : 1, sizeof *a->mods);
        r = a->mods ? exporter_new(loop, &a->exporter) : -ENOMEM;
        if (r >= 0)
                r = address_lookup_new(loop, on_agent_ip_resolved, a, &a->agent_ip);
        if (r >= 0)
                r = flows_new(loop, a->exporter, &a->core.flows);
        if (r < 0) {
                a->config = NULL;
                agent_free(a);
                return r;
        }
        for (size_t i = 0; i < a->n_mods; i++) {
                a->mods[i].m.module = hsp_modules[i];
                a->mods[i].m.agent = a;
                a->mods[i].m.core = &a->core;
                a->mods[i].m.loop = loop;
        }
        *ret = a;
        return 0;
}

/* Apply a configuration (owned from here on); the old one is freed. */
static int apply_config(struct hsp_agent *a, struct hsp_config *config) {
        struct hsp_config *old = a->config;
        bool polling_changed = old->polling != config->polling;
        a->config = config;
        choose_address(a, true);
        int r = exporter_configure(a->exporter, config, &a->address);
        if (r < 0)
                log_error_errno(r, "Cannot set up the collectors: %m");
        a->reloading = true;
        modules_apply(a);
        a->reloading = false;
        exporter_purge_sources(a->exporter);
        if (polling_changed)
                for (struct hsp_source *s = a->sources; s; s = s->next)
                        schedule_source(s, false);
        hsp_config_free(old);
        auto_changed(a);
        return 0;
}

/* DNS-SD has news: its settings over the file's, applied as a reload is. */
static void on_dnssd_changed(void *userdata) {
        struct hsp_agent *a = userdata;
        struct hsp_config *c = dnssd_apply(a->dnssd, a->file_config);
        if (!c) {
                log_error("DNS-SD: out of memory: the settings from DNS are not applied");
                return;
        }
        apply_config(a, c);
}

/* A configuration from the file: with dns-sd it is kept as the base of what DNS says and the
 * configuration to apply is a copy; without, it is applied as it is. */
static struct hsp_config *take_file_config(struct hsp_agent *a, struct hsp_config *config) {
        if (config->dns_sd && !a->dnssd && dnssd_new(a->loop, on_dnssd_changed, a, &a->dnssd) < 0)
                a->dnssd = NULL;
        struct hsp_config *eff = config->dns_sd && a->dnssd ? dnssd_apply(a->dnssd, config) : NULL;
        if (!eff) {
                dnssd_free(a->dnssd);
                a->dnssd = NULL;
                hsp_config_free(a->file_config);
                a->file_config = NULL;
                return config;
        }
        hsp_config_free(a->file_config);
        a->file_config = config;
        return eff;
}

int agent_start(struct hsp_agent *a) {
        /* Without rtnetlink modules that need interfaces say so; the others still work. */
        int r = links_new(a->loop, &a->core.links);
        if (r < 0)
                log_error_errno(r, "Interfaces cannot be followed: %m");
        a->config = take_file_config(a, a->config);
        a->sources_ready = true;
        choose_address(a, true);
        r = exporter_configure(a->exporter, a->config, &a->address);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the collectors: %m");
        modules_apply(a);
        if (a->dnssd)
                dnssd_configure(a->dnssd, a->file_config->dns_sd_domain);
        auto_changed(a);
        return 0;
}

int agent_reload(struct hsp_agent *a, struct hsp_config *config) {
        int r = apply_config(a, take_file_config(a, config));
        if (a->dnssd)
                dnssd_configure(a->dnssd, a->file_config->dns_sd_domain);
        return r;
}

void agent_free(struct hsp_agent *a) {
        if (!a)
                return;
        for (size_t i = a->n_mods; i > 0; i--)
                module_stop(&a->mods[i - 1]);
        flows_free(a->core.flows); /* held samples go out before the final flush */
        a->core.flows = NULL;
        links_free(a->core.links);
        a->core.links = NULL;
        while (a->sources) {
                log_warning("Module %s left data source %u:%u behind",
                            a->sources->mod->module->name, a->sources->ds_class,
                            a->sources->ds_index);
                hsp_source_remove(a->sources, false);
        }
        if (a->exporter) {
                exporter_flush(a->exporter);
                const struct exporter_stats *st = exporter_stats(a->exporter);
                log_info("Exiting: %llu datagrams, %llu samples sent, %llu dropped, %llu "
                         "datagrams lost",
                         (unsigned long long)st->datagrams, (unsigned long long)st->samples,
                         (unsigned long long)st->dropped_samples,
                         (unsigned long long)st->send_errors);
                exporter_log_collectors(a->exporter);
        }
        exporter_free(a->exporter);
        dnssd_free(a->dnssd);
        hsp_config_free(a->file_config);
        evsrc_disable_unref(a->auto_timer);
        free(a->auto_path);
        free(a->auto_last);
        evsrc_disable_unref(a->address_timer);
        address_lookup_free(a->agent_ip);
        free(a->mods);
        hsp_config_free(a->config);
        evloop_unref(a->loop);
        free(a);
}

uint64_t agent_capabilities(const struct hsp_agent *a) {
        uint64_t keep = HSP_CAP(CAP_NET_RAW);
        for (size_t i = 0; i < a->config->n_collectors; i++)
                if (a->config->collectors[i].namespace)
                        keep |= HSP_CAP(CAP_SYS_ADMIN);
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running)
                        keep |= a->mods[i].m.module->capabilities;
        /* hsflowd.auto is replaced by a rename in its directory (/etc: root's), by the user
         * the agent runs as */
        if (a->auto_path && !autofile_writable_by(a->auto_path, privileges_user("nobody")))
                keep |= HSP_CAP(CAP_DAC_OVERRIDE);
        return keep;
}

/* CAP_DAC_OVERRIDE held for hsflowd.auto alone is effective only while the file is written. */
static void caps_lower(struct hsp_agent *a) {
        uint64_t dac = HSP_CAP(CAP_DAC_OVERRIDE), used = 0;
        if (a->caps_held == UINT64_MAX || !(a->caps_held & dac))
                return;
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running)
                        used |= a->mods[i].m.module->capabilities;
        a->caps_rare = used & dac ? 0 : dac;
        int r = privileges_effective(a->caps_held & ~a->caps_rare);
        if (r < 0)
                log_warning_errno(r, "Cannot lower capabilities: %m");
}

void agent_capabilities_held(struct hsp_agent *a, uint64_t held) {
        a->caps_held = held;
        caps_lower(a);
}

/* ---- hsflowd.auto ---- */

static int cmp_source(const void *x, const void *y) {
        const struct hsp_source *a = *(const struct hsp_source *const *)x;
        const struct hsp_source *b = *(const struct hsp_source *const *)y;
        uint64_t ia = (uint64_t)a->ds_class << 32 | a->ds_index;
        uint64_t ib = (uint64_t)b->ds_class << 32 | b->ds_index;
        return ia < ib ? -1 : ia > ib;
}

/* The settings in force, in the reference's key=value lines plus ours (README.md). */
static char *auto_text(struct hsp_agent *a) {
        const struct hsp_config *c = a->config;
        char *text = NULL, buf[64], host[256] = "";
        size_t len = 0, n = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        gethostname(host, sizeof host - 1);
        fprintf(f, "hostname=%s\nsampling=%u\nheader=%u\ndatagram=%u\npolling=%u\n", host,
                c->sampling, c->header_bytes, c->datagram_bytes, c->polling);
        for (size_t i = 0; i < c->n_sampling_dotted; i++)
                fprintf(f, "sampling.%s=%u\n", c->sampling_dotted[i].suffix,
                        c->sampling_dotted[i].value);
        for (size_t i = 0; i < c->n_polling_dotted; i++)
                fprintf(f, "polling.%s=%u\n", c->polling_dotted[i].suffix,
                        c->polling_dotted[i].value);
        if (a->address.type)
                fprintf(f, "agentIP=%s\n", address_format(&a->address, buf, sizeof buf));
        if (c->agent_dev)
                fprintf(f, "agent=%s\n", c->agent_dev);
        uuid_format(a->uuid, buf);
        fprintf(f, "uuid=%s\nsubAgentId=%u\nds_index=1\n", buf, c->sub_agent_id);
        for (size_t i = 0; i < c->n_collectors; i++)
                fprintf(f, "collector=%s %u\n", c->collectors[i].ip, c->collectors[i].udpport);
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running)
                        fprintf(f, "module=%s\n", a->mods[i].m.module->name);
        for (struct hsp_source *s = a->sources; s; s = s->next)
                n++;
        struct hsp_source **v = calloc(n ? n : 1, sizeof *v);
        n = 0;
        for (struct hsp_source *s = a->sources; v && s; s = s->next)
                v[n++] = s;
        if (v)
                qsort(v, n, sizeof *v, cmp_source);
        for (size_t i = 0; v && i < n; i++) {
                fprintf(f, "datasource=%u:%u %s polling=%u", v[i]->ds_class, v[i]->ds_index,
                        v[i]->mod->module->name, source_polling(v[i]));
                if (v[i]->sampling)
                        fprintf(f, " sampling=%u", v[i]->sampling);
                fputc('\n', f);
        }
        free(v);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static int on_auto_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        struct hsp_agent *a = userdata;
        char *body = auto_text(a);
        if (!body || (a->auto_last && strcmp(body, a->auto_last) == 0)) {
                free(body);
                return 0;
        }
        a->auto_rev++;
        char *text = NULL;
        if (asprintf(&text,
                     "# WARNING: Do not edit this file. It is generated automatically by "
                     "hsflowd.\nrev_start=%u\n%srev_end=%u\n",
                     a->auto_rev, body, a->auto_rev) < 0)
                text = NULL;
        if (a->caps_rare)
                privileges_effective(a->caps_held);
        int r = text ? autofile_write(a->auto_path, text) : -ENOMEM;
        if (a->caps_rare)
                privileges_effective(a->caps_held & ~a->caps_rare);
        if (r < 0)
                log_error_errno(r, "Cannot write %s: %m", a->auto_path);
        else
                log_debug("Wrote %s (revision %u)", a->auto_path, a->auto_rev);
        free(text);
        free(a->auto_last);
        a->auto_last = r < 0 ? NULL : body;
        if (r < 0)
                free(body);
        return 0;
}

/* Something the file shows changed: written once things settle (changes come in bursts). */
static void auto_changed(struct hsp_agent *a) {
        if (!a->auto_path || !a->sources_ready)
                return;
        uint64_t now;
        evloop_now(a->loop, CLOCK_MONOTONIC, &now);
        if (!a->auto_timer) {
                if (evloop_add_time(a->loop, &a->auto_timer, CLOCK_MONOTONIC, now + 100000, 10000,
                                    on_auto_timer, a) < 0)
                        log_error("Cannot arm the timer of %s", a->auto_path);
                return;
        }
        if (evsrc_get_enabled(a->auto_timer, NULL) == 0) {
                evsrc_set_time(a->auto_timer, now + 100000);
                evsrc_set_enabled(a->auto_timer, EVSRC_ONESHOT);
        }
}

static bool source_used(const struct hsp_agent *a, uint32_t ds_class, uint32_t ds_index) {
        for (const struct hsp_source *s = a->sources; s; s = s->next)
                if (s->ds_class == ds_class && s->ds_index == ds_index)
                        return true;
        return false;
}

int hsp_source_add_hashed(struct hsp_mod *m, uint32_t ds_class, const char *key, void *userdata,
                          struct hsp_source **ret) {
        for (unsigned probe = 0; probe < HSP_DS_HASH_RANGE; probe++) {
                uint32_t idx = hsp_ds_index_hash(key, probe);
                if (!source_used(m->agent, ds_class, idx))
                        return hsp_source_add(m, ds_class, idx, userdata, ret);
        }
        return log_error_errno(-ENOSPC, "No free data source index for %s: %m", key);
}
