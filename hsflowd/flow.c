/* flow.c - the way of a flow sample from its module to the exporter: enrichers see it, may hold
 * it for a bounded time (a copy in a pooled slot), and it is sent when the last holder lets go or
 * at the deadline. One way: nothing here calls back into the agent.
 */
#include "flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "sflow/layout.h"

/* Bytes a held sample may refer to (sampled headers, strings, opaque and unknown records): all
 * that fits in the largest datagram (datagramBytes 8192), so a sample that could be sent fits. */
#define HSP_FLOW_ARENA 8192

/* A sample on its way: the submitter's (transient) until someone holds it, then a slot's copy. */
struct hsp_flow {
        struct flows *flows;
        struct sflow_sample *sample;
        struct hsp_flow_slot *slot;
};

struct hsp_flow_slot {
        struct flows *owner;
        uint64_t generation; /* changes when the slot is sent: stale holds are ignored */
        unsigned holders;
        bool submitting; /* still in flows_submit(): do not send yet */
        bool pending;    /* holds a sample not yet sent */
        uint64_t deadline;
        struct hsp_flow_slot *next; /* pending list (in deadline order) or free list */
        struct sflow_sample copy;
        size_t arena_used;
        uint8_t arena[HSP_FLOW_ARENA]; /* what the copy's records point to */
};

struct flows {
        struct evloop *loop;
        struct exporter *exporter;
        struct hsp_mod **enrichers; /* running modules with enrich(), in the agent's order */
        size_t n_enrichers, enrichers_size;
        struct evsrc *timer;
        struct hsp_flow_slot *pending_head, *pending_tail, *free;
        unsigned allocated, held;
        uint64_t too_late, pool_full, too_big;
};

int flows_new(struct evloop *loop, struct exporter *e, struct flows **ret) {
        struct flows *f = calloc(1, sizeof *f);
        if (!f)
                return -ENOMEM;
        f->loop = loop;
        f->exporter = e;
        *ret = f;
        return 0;
}

int flows_set_enrichers(struct flows *f, struct hsp_mod *const *list, size_t n) {
        if (n > f->enrichers_size) {
                struct hsp_mod **v = realloc(f->enrichers, n * sizeof *v);
                if (!v) {
                        f->n_enrichers = 0;
                        return log_error_errno(-ENOMEM, "Flow samples are not enriched: %m");
                }
                f->enrichers = v;
                f->enrichers_size = n;
        }
        if (n)
                memcpy(f->enrichers, list, n * sizeof *list);
        f->n_enrichers = n;
        return 0;
}

static void slot_send(struct flows *f, struct hsp_flow_slot *s) {
        s->generation++;
        s->pending = false;
        exporter_add_flow(f->exporter, &s->copy);
}

static void unlink_pending(struct flows *f, struct hsp_flow_slot *s) {
        struct hsp_flow_slot **p = &f->pending_head, *prev = NULL;
        for (; *p && *p != s; p = &(*p)->next)
                prev = *p;
        if (!*p)
                return;
        *p = s->next;
        if (f->pending_tail == s)
                f->pending_tail = prev;
        s->next = f->free;
        f->free = s;
        f->held--;
}

static void arm_timer(struct flows *f);

static int on_deadline(struct evsrc *es, uint64_t usec, void *userdata) {
        struct flows *f = userdata;
        uint64_t now;
        evloop_now(f->loop, CLOCK_MONOTONIC, &now);
        while (f->pending_head && f->pending_head->deadline <= now) {
                struct hsp_flow_slot *s = f->pending_head;
                f->too_late++;
                slot_send(f, s);
                unlink_pending(f, s);
        }
        arm_timer(f);
        return 0;
}

static void arm_timer(struct flows *f) {
        if (!f->pending_head) {
                if (f->timer)
                        evsrc_set_enabled(f->timer, EVSRC_OFF);
                return;
        }
        uint64_t when = f->pending_head->deadline;
        if (!f->timer) {
                int r = evloop_add_time(f->loop, &f->timer, CLOCK_MONOTONIC, when, 1000,
                                        on_deadline, f);
                if (r < 0)
                        log_error_errno(r, "Cannot arm the enrichment deadline: %m");
                return;
        }
        evsrc_set_time(f->timer, when);
        evsrc_set_enabled(f->timer, EVSRC_ONESHOT);
}

/* Copy n bytes at *p into the slot's arena and point *p there; false when they do not fit. */
static bool arena_copy(struct hsp_flow_slot *slot, const void **p, size_t n) {
        if (!*p || n == 0) {
                *p = NULL;
                return true;
        }
        if (n > sizeof slot->arena - slot->arena_used)
                return false;
        uint8_t *to = slot->arena + slot->arena_used;
        memcpy(to, *p, n);
        slot->arena_used += n;
        *p = to;
        return true;
}

#define FIELD(r, off, type) ((type *)((uint8_t *)(r) + (off)))

/* Make the copy of record r own every byte it refers to, whatever its type: the fields that the
 * wire layout marks as strings, opaque data or adapter lists, or the raw bytes of a record
 * without a layout. False when they do not fit in the arena. */
static bool record_own(struct hsp_flow_slot *slot, struct sflow_record *r) {
        const struct sflow_layout *l = sflow_layout_find(SFLOW_KIND_FLOW, r->tag);
        if (!l)
                return arena_copy(slot, (const void **)&r->raw, r->length);
        r->raw = NULL; /* the encoder writes a known record from its fields */
        for (unsigned i = 0; i < l->nfields; i++) {
                const struct sflow_field *fd = &l->fields[i];
                bool ok = true;
                switch (fd->type) {
                case SFLOW_F_STRING: {
                        struct sflow_string *str = FIELD(r, fd->off, struct sflow_string);
                        if (fd->max && str->len > fd->max)
                                str->len = fd->max; /* what the encoder sends */
                        ok = arena_copy(slot, (const void **)&str->str, str->len);
                        break;
                }
                case SFLOW_F_OPAQUE:
                        ok = arena_copy(slot, FIELD(r, fd->off2, const void *),
                                        *FIELD(r, fd->off, uint32_t));
                        break;
                case SFLOW_F_ADAPTERS: {
                        struct sflow_ctr_host_adapters *a =
                                FIELD(r, fd->off, struct sflow_ctr_host_adapters);
                        size_t n = a->num_adapters < SFLOW_MAX_ADAPTERS ? a->num_adapters
                                                                        : SFLOW_MAX_ADAPTERS;
                        ok = arena_copy(slot, (const void **)&a->adapters,
                                        n * sizeof a->adapters[0]);
                        break;
                }
                default:
                        break; /* values inside the record itself */
                }
                if (!ok)
                        return false;
        }
        return true;
}

/* Move a transient sample into a slot: a copy that owns everything its records refer to. */
static struct hsp_flow_slot *slot_take(struct flows *f, const struct sflow_sample *s) {
        if (f->held >= HSP_FLOW_MAX_HELD)
                return NULL;
        struct hsp_flow_slot *slot = f->free;
        if (slot)
                f->free = slot->next;
        else {
                slot = calloc(1, sizeof *slot); /* the pool grows to its bound, then is reused */
                if (!slot)
                        return NULL;
                slot->owner = f;
                f->allocated++;
        }
        memcpy(&slot->copy, s, offsetof(struct sflow_sample, records));
        slot->copy.raw = NULL;
        slot->arena_used = 0;
        uint32_t n = 0;
        for (uint32_t i = 0; i < s->num_records && i < SFLOW_MAX_RECORDS; i++) {
                struct sflow_record *r = &slot->copy.records[n];
                size_t used = slot->arena_used;
                *r = s->records[i];
                if (record_own(slot, r))
                        n++;
                else if ((slot->arena_used = used), f->too_big++ % 10000 == 0)
                        log_warning("A held flow sample refers to more than %d bytes: record "
                                    "%u:%u left out (%llu times so far)",
                                    HSP_FLOW_ARENA, SFLOW_TAG_ENTERPRISE(r->tag),
                                    SFLOW_TAG_FORMAT(r->tag), (unsigned long long)f->too_big);
        }
        slot->copy.num_records = n;
        uint64_t now;
        evloop_now(f->loop, CLOCK_MONOTONIC, &now);
        slot->deadline = now + HSP_FLOW_HOLD_USEC;
        slot->holders = 0;
        slot->pending = true;
        slot->submitting = true;
        slot->next = NULL;
        if (f->pending_tail)
                f->pending_tail->next = slot;
        else
                f->pending_head = slot;
        f->pending_tail = slot;
        f->held++;
        if (f->pending_head == slot)
                arm_timer(f);
        return slot;
}

struct sflow_sample *hsp_flow_sample(struct hsp_flow *fl) {
        return fl->sample;
}

int hsp_flow_hold(struct hsp_mod *m, struct hsp_flow *fl, struct hsp_flow_hold *ret) {
        struct flows *f = fl->flows;
        if (!fl->slot) {
                fl->slot = slot_take(f, fl->sample);
                if (!fl->slot) {
                        if (f->pool_full++ % 10000 == 0)
                                log_warning("%u flow samples held already: %s goes on without "
                                            "waiting (%llu times so far)",
                                            HSP_FLOW_MAX_HELD, m->module->name,
                                            (unsigned long long)f->pool_full);
                        return -ENOBUFS;
                }
                fl->sample = &fl->slot->copy;
        }
        fl->slot->holders++;
        ret->slot = fl->slot;
        ret->generation = fl->slot->generation;
        return 0;
}

struct sflow_sample *hsp_flow_held(const struct hsp_flow_hold *h) {
        if (!h->slot || h->slot->generation != h->generation || !h->slot->pending)
                return NULL;
        return &h->slot->copy;
}

void hsp_flow_release(const struct hsp_flow_hold *h) {
        struct hsp_flow_slot *s = h->slot;
        if (!s || s->generation != h->generation || !s->pending)
                return; /* sent already, at its deadline */
        if (s->holders > 0)
                s->holders--;
        if (s->holders == 0 && !s->submitting) {
                struct flows *f = s->owner;
                slot_send(f, s);
                unlink_pending(f, s);
                arm_timer(f);
        }
}

int flows_submit(struct flows *f, struct hsp_mod *from, struct sflow_sample *s) {
        struct hsp_flow fl = {.flows = f, .sample = s, .slot = NULL};
        for (size_t i = 0; i < f->n_enrichers; i++)
                if (f->enrichers[i] != from)
                        f->enrichers[i]->module->enrich(f->enrichers[i], &fl);
        if (!fl.slot)
                return exporter_add_flow(f->exporter, s); /* nobody held it: no copy */
        struct hsp_flow_slot *slot = fl.slot;
        slot->submitting = false;
        if (slot->holders == 0) {
                slot_send(f, slot);
                unlink_pending(f, slot);
                arm_timer(f);
        }
        return 0;
}

void flows_free(struct flows *f) {
        if (!f)
                return;
        /* Send what is still held: its enrichers are gone. */
        while (f->pending_head) {
                struct hsp_flow_slot *s = f->pending_head;
                slot_send(f, s);
                unlink_pending(f, s);
        }
        while (f->free) {
                struct hsp_flow_slot *s = f->free;
                f->free = s->next;
                free(s);
        }
        evsrc_disable_unref(f->timer);
        free(f->enrichers);
        free(f);
}

int hsp_submit_sample(struct hsp_mod *m, struct sflow_sample *s) {
        struct flows *f = m->core->flows;
        if (!f)
                return -ENODEV; /* the core is going away */
        if (s->tag == SFLOW_SAMPLE_RTMETRIC || s->tag == SFLOW_SAMPLE_RTFLOW)
                return exporter_add(f->exporter, s); /* no data source, no sequence, no enrichers */
        return flows_submit(f, m, s);
}
