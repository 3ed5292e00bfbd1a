/* agent.c - the agent core: modules, data sources and their polling, sequence numbers. */
#include "agent-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <linux/capability.h>

#include "address.h"
#include "privileges.h"
#include "log.h"
#include "uuid.h"

#define SEQ_BUCKETS 256
#define ADDRESS_RETRY_USEC (10ULL * 1000000ULL)

/* Sequence numbers of one data source: they outlive the source during a reload. */
struct seq_entry {
        uint64_t id; /* class << 32 | index */
        uint32_t counter_seq, flow_seq;
        unsigned users; /* live sources with this id */
        struct seq_entry *next;
};

struct hsp_source {
        struct hsp_agent *agent;
        struct hsp_mod *mod;
        uint32_t ds_class, ds_index;
        void *userdata;
        sd_event_source *timer;
        struct seq_entry *seq;
        struct hsp_source *prev, *next;
};

struct mod_slot {
        struct hsp_mod m;
        bool running;
};

#include "links.h"

struct hsp_agent {
        sd_event *loop;
        struct hsp_config *config;
        struct exporter *exporter;
        struct links *links;
        struct flows *flows;
        struct mod_slot *mods;
        size_t n_mods;
        struct hsp_mod **enrichers; /* running modules with enrich(), refreshed on start/stop */
        size_t n_enrichers;
        struct hsp_source *sources;
        struct seq_entry *seq[SEQ_BUCKETS];
        bool reloading;
        uint64_t caps_held;         /* all ones until root is dropped */
        uint8_t uuid[16];
        struct sflow_address address;
        char address_reason[256];
        sd_event_source *address_timer;
        struct sflow_sample scratch; /* the counter sample being filled: no allocation per poll */
};

/* ---- sequence numbers ---- */

static struct seq_entry *seq_get(struct hsp_agent *a, uint32_t cls, uint32_t idx) {
        uint64_t id = (uint64_t)cls << 32 | idx;
        struct seq_entry **b = &a->seq[(id * 0x9e3779b97f4a7c15ULL) >> 56];
        for (struct seq_entry *e = *b; e; e = e->next)
                if (e->id == id)
                        return e;
        struct seq_entry *e = calloc(1, sizeof *e);
        if (!e)
                return NULL;
        e->id = id;
        e->next = *b;
        *b = e;
        return e;
}

/* Forget sequence numbers of sources that are gone (not during a reload). */
static void seq_purge(struct hsp_agent *a, bool all) {
        for (size_t i = 0; i < SEQ_BUCKETS; i++)
                for (struct seq_entry **p = &a->seq[i]; *p;) {
                        struct seq_entry *e = *p;
                        if (all || (e->users == 0 && e->flow_seq == 0)) {
                                *p = e->next;
                                free(e);
                        } else
                                p = &e->next;
                }
}

/* ---- polling ---- */

static uint64_t interval_usec(const struct hsp_agent *a) {
        return (uint64_t)a->config->polling * 1000000ULL;
}

/* Sources are spread over the interval by a hash of their id, so they do not fire together. */
static uint64_t next_poll(const struct hsp_source *s, uint64_t now) {
        uint64_t iv = interval_usec(s->agent);
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
        out->sequence = s->seq ? ++s->seq->counter_seq : 0;
        exporter_add(a->exporter, out);
}

static int on_poll_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct hsp_source *s = userdata;
        uint64_t now;
        sd_event_now(s->agent->loop, CLOCK_MONOTONIC, &now);
        /* Re-arm first: poll() may remove the source. */
        sd_event_source_set_time(es, next_poll(s, now));
        sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
        poll_source(s);
        return 0;
}

static void schedule_source(struct hsp_source *s, bool now_too) {
        struct hsp_agent *a = s->agent;
        if (a->config->polling == 0) {
                sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
                return;
        }
        uint64_t now;
        sd_event_now(a->loop, CLOCK_MONOTONIC, &now);
        sd_event_source_set_time(s->timer, now_too ? now : next_poll(s, now));
        sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
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
        s->seq = seq_get(a, ds_class, ds_index);
        int r = sd_event_add_time(a->loop, &s->timer, CLOCK_MONOTONIC, 0, 100000, on_poll_timer, s);
        if (r < 0 || !s->seq) {
                sd_event_source_unref(s->timer);
                free(s);
                return log_error_errno(r < 0 ? r : -ENOMEM, "Cannot add data source %u:%u: %m",
                                       ds_class, ds_index);
        }
        s->seq->users++;
        schedule_source(s, false);
        s->next = a->sources;
        if (a->sources)
                a->sources->prev = s;
        a->sources = s;
        log_debug("Data source %u:%u added by %s", ds_class, ds_index, m->module->name);
        *ret = s;
        return 0;
}

void hsp_source_remove(struct hsp_source *s, bool final_poll) {
        if (!s)
                return;
        struct hsp_agent *a = s->agent;
        if (final_poll && a->config->polling)
                poll_source(s);
        sd_event_source_disable_unref(s->timer);
        if (s->prev)
                s->prev->next = s->next;
        else
                a->sources = s->next;
        if (s->next)
                s->next->prev = s->prev;
        if (s->seq)
                s->seq->users--;
        if (!a->reloading)
                seq_purge(a, false);
        log_debug("Data source %u:%u removed", s->ds_class, s->ds_index);
        free(s);
}

void hsp_source_poll_now(struct hsp_source *s) {
        schedule_source(s, true);
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

int hsp_submit_sample(struct hsp_mod *m, struct sflow_sample *s) {
        struct hsp_agent *a = m->agent;
        if (a->n_enrichers == 0 || !a->flows)
                return agent_send_flow(a, s);
        return flows_submit(a->flows, m, s, a->enrichers, a->n_enrichers);
}

int agent_send_flow(struct hsp_agent *a, struct sflow_sample *s) {
        struct seq_entry *e = seq_get(a, s->ds_class, s->ds_index);
        s->sequence = e ? ++e->flow_seq : 0;
        return exporter_add(a->exporter, s);
}

struct links *agent_links(const struct hsp_agent *a) {
        return a->links;
}

struct flows *agent_flows(const struct hsp_agent *a) {
        return a->flows;
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

static void choose_address(struct hsp_agent *a) {
        struct sflow_address addr;
        char reason[256], text[64];
        int r = address_choose(a->config, &addr, reason, sizeof reason);
        if (r < 0) {
                if (strcmp(reason, a->address_reason) != 0)
                        log_warning("No agent address yet: %s; checking again every %llus",
                                    reason, (unsigned long long)(ADDRESS_RETRY_USEC / 1000000));
                snprintf(a->address_reason, sizeof a->address_reason, "%s", reason);
                arm_address_timer(a, ADDRESS_RETRY_USEC);
                return;
        }
        if (memcmp(&addr, &a->address, sizeof addr) != 0 ||
            strcmp(reason, a->address_reason) != 0)
                log_info("Agent address %s: %s", address_format(&addr, text, sizeof text), reason);
        a->address = addr;
        snprintf(a->address_reason, sizeof a->address_reason, "%s", reason);
        uint64_t refresh = (uint64_t)(a->config->refresh_adaptors ? a->config->refresh_adaptors : 180);
        arm_address_timer(a, refresh * 1000000ULL);
}

static int on_address_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct hsp_agent *a = userdata;
        struct sflow_address before = a->address;
        choose_address(a);
        if (memcmp(&before, &a->address, sizeof before) != 0)
                exporter_configure(a->exporter, a->config, &a->address);
        return 0;
}

static void arm_address_timer(struct hsp_agent *a, uint64_t after) {
        uint64_t now;
        sd_event_now(a->loop, CLOCK_MONOTONIC, &now);
        if (!a->address_timer) {
                int r = sd_event_add_time(a->loop, &a->address_timer, CLOCK_MONOTONIC, now + after,
                                          1000000, on_address_timer, a);
                if (r < 0)
                        log_error_errno(r, "Cannot arm the agent address timer: %m");
                return;
        }
        sd_event_source_set_time(a->address_timer, now + after);
        sd_event_source_set_enabled(a->address_timer, SD_EVENT_ONESHOT);
}

/* ---- modules ---- */

static const struct hsp_block *module_blocks(const struct hsp_config *c,
                                             const struct hsp_module *mod) {
        for (size_t i = 0; i < c->n_blocks; i++)
                if (c->blocks[i].module == mod)
                        return &c->blocks[i];
        return NULL;
}

/* The running modules that enrich flow samples, in table order. */
static void refresh_enrichers(struct hsp_agent *a) {
        a->n_enrichers = 0;
        for (size_t i = 0; i < a->n_mods; i++)
                if (a->mods[i].running && a->mods[i].m.module->enrich)
                        a->enrichers[a->n_enrichers++] = &a->mods[i].m;
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
                return log_error_errno(-EPERM, "Module %s needs capabilities 0x%llx that hsflowd "
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

static void modules_apply(struct hsp_agent *a) {
        for (size_t i = 0; i < a->n_mods; i++) {
                struct mod_slot *slot = &a->mods[i];
                const struct hsp_block *b = module_blocks(a->config, slot->m.module);
                bool wanted = slot->m.module->always || b;
                slot->m.config = a->config;
                slot->m.blocks = b;
                if (slot->running && !wanted) {
                        module_stop(slot);
                        log_info("Module %s stopped: its block was removed", slot->m.module->name);
                } else if (slot->running && slot->m.module->reconfigure) {
                        int r = slot->m.module->reconfigure(&slot->m);
                        if (r < 0) {
                                log_error_errno(r, "Module %s: reconfiguration failed (%m); restarting it",
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
}

/* ---- life cycle ---- */

int agent_new(sd_event *loop, const struct agent_options *opt, struct hsp_config *config,
              struct hsp_agent **ret) {
        struct hsp_agent *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->loop = sd_event_ref(loop);
        a->config = config;
        a->caps_held = UINT64_MAX;
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
        a->enrichers = calloc(a->n_mods ? a->n_mods : 1, sizeof *a->enrichers);
        r = a->mods && a->enrichers ? exporter_new(loop, &a->exporter) : -ENOMEM;
        if (r >= 0)
                r = flows_new(a, loop, &a->flows);
        if (r < 0) {
                a->config = NULL;
                agent_free(a);
                return r;
        }
        for (size_t i = 0; i < a->n_mods; i++) {
                a->mods[i].m.module = hsp_modules[i];
                a->mods[i].m.agent = a;
                a->mods[i].m.loop = loop;
        }
        *ret = a;
        return 0;
}

int agent_start(struct hsp_agent *a) {
        /* Without rtnetlink modules that need interfaces say so; the others still work. */
        int r = links_new(a->loop, &a->links);
        if (r < 0)
                log_error_errno(r, "Interfaces cannot be followed: %m");
        choose_address(a);
        r = exporter_configure(a->exporter, a->config, &a->address);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the collectors: %m");
        modules_apply(a);
        return 0;
}

int agent_reload(struct hsp_agent *a, struct hsp_config *config) {
        struct hsp_config *old = a->config;
        bool polling_changed = old->polling != config->polling;
        a->config = config;
        choose_address(a);
        int r = exporter_configure(a->exporter, config, &a->address);
        if (r < 0)
                log_error_errno(r, "Cannot set up the collectors: %m");
        a->reloading = true;
        modules_apply(a);
        a->reloading = false;
        seq_purge(a, false);
        if (polling_changed)
                for (struct hsp_source *s = a->sources; s; s = s->next)
                        schedule_source(s, false);
        hsp_config_free(old);
        return 0;
}

void agent_free(struct hsp_agent *a) {
        if (!a)
                return;
        for (size_t i = a->n_mods; i > 0; i--)
                module_stop(&a->mods[i - 1]);
        flows_free(a->flows); /* held samples go out before the final flush */
        a->flows = NULL;
        links_free(a->links);
        a->links = NULL;
        while (a->sources) {
                log_warning("Module %s left data source %u:%u behind", a->sources->mod->module->name,
                            a->sources->ds_class, a->sources->ds_index);
                hsp_source_remove(a->sources, false);
        }
        if (a->exporter) {
                exporter_flush(a->exporter);
                const struct exporter_stats *st = exporter_stats(a->exporter);
                log_info("Exiting: %llu datagrams, %llu samples sent, %llu dropped",
                         (unsigned long long)st->datagrams, (unsigned long long)st->samples,
                         (unsigned long long)st->dropped_samples);
        }
        exporter_free(a->exporter);
        sd_event_source_disable_unref(a->address_timer);
        seq_purge(a, true);
        free(a->mods);
        free(a->enrichers);
        hsp_config_free(a->config);
        sd_event_unref(a->loop);
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
        return keep;
}

void agent_capabilities_held(struct hsp_agent *a, uint64_t held) {
        a->caps_held = held;
}

