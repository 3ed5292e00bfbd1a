/* exporter.c - datagram packing and sequence numbers; hands full datagrams to the senders, several
 * at a time. */
#include "exporter.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sender.h"

#define FLUSH_USEC 1000000ULL /* a sample waits at most this long for its datagram */
/* Full datagrams wait for the end of the loop's round (or for this many) and leave together, in
 * one sendmmsg per collector: a send costs a third of what it did one by one under load. */
#define QUEUE 16
#define SOURCE_BUCKETS 256

/* The sequence numbers of one data source. */
struct exporter_source {
        uint64_t id; /* class << 32 | index */
        uint32_t counter_seq, flow_seq;
        unsigned users; /* live counter sources with this id */
        struct exporter_source *next;
};

struct exporter {
        struct evloop *loop;
        struct evsrc *flush_timer;
        struct evsrc *send_defer; /* full datagrams are queued: send them */
        struct sender **senders;
        size_t n_senders;
        struct sflow_datagram header;
        size_t header_size;
        uint8_t *slots; /* QUEUE datagrams of datagram_bytes, back to back (pages used only) */
        size_t queued;  /* full datagrams in slots[0..queued) */
        size_t lens[QUEUE];
        size_t datagram_bytes;
        struct sflow_writer w; /* samples of the open datagram (slot queued), after the header */
        uint32_t num_samples;
        uint64_t start_usec;
        uint32_t dropped_logged;
        struct exporter_stats stats;
        void (*first_fn)(void *userdata, size_t n_collectors);
        void *first_userdata;
        struct exporter_source *sources[SOURCE_BUCKETS];
};

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static uint8_t *slot(struct exporter *e, size_t i) {
        return e->slots + i * e->datagram_bytes;
}

static void reset_writer(struct exporter *e) {
        sflow_writer_init(&e->w, slot(e, e->queued) + e->header_size,
                          e->datagram_bytes - e->header_size);
        e->num_samples = 0;
}

static int on_send(struct evsrc *es, void *userdata);

int exporter_new(struct evloop *loop, struct exporter **ret) {
        struct exporter *e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        /* malloc'd apart: pages that are never written stay out of memory */
        e->slots = malloc((size_t)QUEUE * SFLOW_MAX_DATAGRAM);
        if (!e->slots) {
                free(e);
                return -ENOMEM;
        }
        int r = evloop_add_defer(loop, &e->send_defer, on_send, e);
        if (r < 0) {
                free(e->slots);
                free(e);
                return r;
        }
        (void)evsrc_set_enabled(e->send_defer, EVSRC_OFF);
        e->loop = evloop_ref(loop);
        e->header.version = SFLOW_VERSION;
        e->header.sub_agent_id = HSP_DEFAULT_SUB_AGENT_ID;
        e->header_size = sflow_datagram_header_size(&e->header.agent);
        e->datagram_bytes = HSP_DEFAULT_DATAGRAM_BYTES;
        e->start_usec = mono_usec();
        reset_writer(e);
        *ret = e;
        return 0;
}

/* Send the queued datagrams to every collector. The open datagram (slot queued) moves to slot 0. */
static void send_queued(struct exporter *e) {
        (void)evsrc_set_enabled(e->send_defer, EVSRC_OFF);
        size_t n = e->queued;
        if (n == 0)
                return;
        struct iovec iov[QUEUE];
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec){.iov_base = slot(e, i), .iov_len = e->lens[i]};
        for (size_t i = 0; i < e->n_senders; i++) {
                size_t sent = sender_send(e->senders[i], iov, n);
                if (sent < n) {
                        e->stats.send_errors += n - sent;
                        log_debug("%zu of %zu datagrams (up to %u) not sent to %s", n - sent, n,
                                  e->header.sequence, sender_name(e->senders[i]));
                }
        }
        e->queued = 0;
        size_t used = e->w.len;
        uint32_t samples = e->num_samples;
        if (samples) /* the open datagram's samples, after its (not yet written) header */
                memmove(slot(e, 0) + e->header_size, slot(e, n) + e->header_size, used);
        reset_writer(e);
        e->w.len = used;
        e->num_samples = samples;
        if (e->first_fn) {
                void (*fn)(void *, size_t) = e->first_fn;
                e->first_fn = NULL;
                fn(e->first_userdata, e->n_senders);
        }
}

/* The open datagram is complete: number it, write its header, queue it. */
static void close_datagram(struct exporter *e) {
        e->flush_timer = evsrc_disable_unref(e->flush_timer);
        if (e->num_samples == 0)
                return;
        e->header.sequence++;
        e->header.uptime_ms = (uint32_t)((mono_usec() - e->start_usec) / 1000);
        e->header.num_samples = e->num_samples;
        struct sflow_writer hw;
        sflow_writer_init(&hw, slot(e, e->queued), e->header_size);
        sflow_encode_datagram_header(&hw, &e->header);
        e->lens[e->queued++] = e->header_size + e->w.len;
        e->stats.datagrams++;
        e->stats.samples += e->num_samples;
        e->num_samples = 0;
        e->w.len = 0;
        if (e->queued == QUEUE)
                send_queued(e); /* and opens the next datagram in slot 0 */
        else
                reset_writer(e);
}

static int on_send(struct evsrc *es, void *userdata) {
        send_queued(userdata);
        return 0;
}

void exporter_flush(struct exporter *e) {
        close_datagram(e);
        send_queued(e);
}

void exporter_on_first_datagram(struct exporter *e, void (*fn)(void *userdata, size_t n_collectors),
                                void *userdata) {
        e->first_fn = fn;
        e->first_userdata = userdata;
}

static int on_flush_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        exporter_flush(userdata);
        return 0;
}

int exporter_add(struct exporter *e, const struct sflow_sample *s) {
        int r = sflow_encode_sample(&e->w, s);
        if (r == -ENOSPC && e->num_samples > 0) {
                close_datagram(e); /* it leaves with the others at the end of this round */
                if (e->queued)
                        (void)evsrc_set_enabled(e->send_defer, EVSRC_ONESHOT);
                r = sflow_encode_sample(&e->w, s);
        }
        if (r < 0) {
                e->stats.dropped_samples++;
                /* Log the first, then every 1000th, so a bad source cannot flood the log. */
                if (e->dropped_logged++ % 1000 == 0)
                        log_error_errno(r, "Sample of %u:%u dropped (%u records): %s", s->ds_class,
                                        s->ds_index, s->num_records,
                                        r == -ENOSPC ? "larger than datagramBytes"
                                                     : "cannot be encoded");
                return r;
        }
        if (e->num_samples++ == 0 && !e->flush_timer) {
                uint64_t now;
                evloop_now(e->loop, CLOCK_MONOTONIC, &now);
                r = evloop_add_time(e->loop, &e->flush_timer, CLOCK_MONOTONIC, now + FLUSH_USEC,
                                    10000, on_flush_timer, e);
                if (r < 0) {
                        log_error_errno(r, "Cannot arm the flush timer: %m");
                        exporter_flush(e);
                }
        }
        return 0;
}

/* ---- per data source sequence numbers ---- */

static struct exporter_source *source_get(struct exporter *e, uint32_t cls, uint32_t idx) {
        uint64_t id = (uint64_t)cls << 32 | idx;
        struct exporter_source **b = &e->sources[(id * 0x9e3779b97f4a7c15ULL) >> 56];
        for (struct exporter_source *src = *b; src; src = src->next)
                if (src->id == id)
                        return src;
        struct exporter_source *src = calloc(1, sizeof *src);
        if (!src)
                return NULL;
        src->id = id;
        src->next = *b;
        *b = src;
        return src;
}

static void sources_purge(struct exporter *e, bool all) {
        for (size_t i = 0; i < SOURCE_BUCKETS; i++)
                for (struct exporter_source **p = &e->sources[i]; *p;) {
                        struct exporter_source *src = *p;
                        if (all || (src->users == 0 && src->flow_seq == 0)) {
                                *p = src->next;
                                free(src);
                        } else
                                p = &src->next;
                }
}

struct exporter_source *exporter_source_ref(struct exporter *e, uint32_t cls, uint32_t idx) {
        struct exporter_source *src = source_get(e, cls, idx);
        if (src)
                src->users++;
        return src;
}

void exporter_source_unref(struct exporter *e, struct exporter_source *src, bool keep) {
        if (!src || src->users == 0 || --src->users > 0 || keep || src->flow_seq != 0)
                return;
        /* the last reference, outside a reload: forget it now (its bucket only) */
        struct exporter_source **p = &e->sources[(src->id * 0x9e3779b97f4a7c15ULL) >> 56];
        while (*p && *p != src)
                p = &(*p)->next;
        if (*p) {
                *p = src->next;
                free(src);
        }
}

void exporter_purge_sources(struct exporter *e) {
        sources_purge(e, false);
}

int exporter_add_counters(struct exporter *e, struct exporter_source *src, struct sflow_sample *s) {
        s->sequence = src ? ++src->counter_seq : 0;
        return exporter_add(e, s);
}

int exporter_add_flow(struct exporter *e, struct sflow_sample *s) {
        struct exporter_source *src = source_get(e, s->ds_class, s->ds_index);
        s->sequence = src ? ++src->flow_seq : 0;
        return exporter_add(e, s);
}

/* ---- collectors ---- */

static int configure_senders(struct exporter *e, const struct hsp_config *c) {
        struct sender **next = calloc(c->n_collectors ? c->n_collectors : 1, sizeof *next);
        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_collectors; i++) {
                for (size_t j = 0; j < e->n_senders; j++)
                        if (e->senders[j] && sender_matches(e->senders[j], &c->collectors[i])) {
                                next[i] = e->senders[j];
                                e->senders[j] = NULL;
                                break;
                        }
                if (!next[i]) {
                        int r = sender_new(e->loop, &c->collectors[i], &next[i]);
                        if (r < 0) {
                                log_error_errno(r, "Collector %s:%u: %m", c->collectors[i].ip,
                                                c->collectors[i].udpport);
                                next[i] = NULL;
                        } else
                                log_info("Collector %s added", sender_name(next[i]));
                }
        }
        for (size_t j = 0; j < e->n_senders; j++)
                if (e->senders[j]) {
                        const struct sender_stats *st = sender_stats(e->senders[j]);
                        log_info("Collector %s removed (%llu datagrams sent, %llu lost)",
                                 sender_name(e->senders[j]), (unsigned long long)st->sent,
                                 (unsigned long long)st->lost);
                        sender_free(e->senders[j]);
                }
        free(e->senders);
        /* Compact: a collector that failed to start is left out. */
        size_t n = 0;
        for (size_t i = 0; i < c->n_collectors; i++)
                if (next[i])
                        next[n++] = next[i];
        e->senders = next;
        e->n_senders = n;
        return 0;
}

int exporter_configure(struct exporter *e, const struct hsp_config *c,
                       const struct sflow_address *agent) {
        size_t hsize = sflow_datagram_header_size(agent);
        size_t dbytes = c->datagram_bytes ? c->datagram_bytes : HSP_DEFAULT_DATAGRAM_BYTES;
        if (dbytes > SFLOW_MAX_DATAGRAM)
                dbytes = SFLOW_MAX_DATAGRAM;
        bool layout = hsize != e->header_size || dbytes != e->datagram_bytes ||
                      c->sub_agent_id != e->header.sub_agent_id ||
                      memcmp(agent, &e->header.agent, sizeof *agent) != 0;
        /* Pending samples leave with the old settings, to the old collectors. */
        if (layout)
                exporter_flush(e);
        int r = configure_senders(e, c);
        if (r < 0)
                return r;
        if (layout) {
                e->header.agent = *agent;
                e->header.sub_agent_id = c->sub_agent_id;
                e->header_size = hsize;
                e->datagram_bytes = dbytes;
                reset_writer(e);
        }
        return 0;
}

const struct exporter_stats *exporter_stats(const struct exporter *e) {
        return &e->stats;
}

void exporter_log_collectors(const struct exporter *e) {
        for (size_t i = 0; i < e->n_senders; i++) {
                const struct sender_stats *st = sender_stats(e->senders[i]);
                log_info("Collector %s: %llu datagrams sent, %llu lost, %llu errors reported",
                         sender_name(e->senders[i]), (unsigned long long)st->sent,
                         (unsigned long long)st->lost, (unsigned long long)st->reported);
        }
}

void exporter_free(struct exporter *e) {
        if (!e)
                return;
        exporter_flush(e);
        for (size_t i = 0; i < e->n_senders; i++)
                sender_free(e->senders[i]);
        free(e->senders);
        evsrc_disable_unref(e->flush_timer);
        evsrc_disable_unref(e->send_defer);
        sources_purge(e, true);
        evloop_unref(e->loop);
        free(e->slots);
        free(e);
}
