/* top.c - the --top window: datagrams to sampled packets, pool correction per data source, and
 * per-second space-saving summaries that a snapshot merges over the sliding window. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "top.h"

int top_init(struct top *t, unsigned window) {
        memset(t, 0, sizeof(*t));
        if (window < 1 || window > TOP_MAX_WINDOW)
                return -EINVAL;
        t->window = window;
        for (unsigned i = 0; i < window; i++) {
                t->b[i].second = INT64_MIN;
                for (int l = 0; l < TOP_NLISTS; l++)
                        if (topk_init(&t->b[i].lists[l], TOP_COUNTERS) < 0)
                                goto oom;
        }
        for (int l = 0; l < TOP_NLISTS; l++)
                if (topk_init(&t->merged[l], window * TOP_COUNTERS) < 0)
                        goto oom;
        return 0;
oom:
        top_free(t);
        return -ENOMEM;
}

void top_free(struct top *t) {
        for (unsigned i = 0; i < TOP_MAX_WINDOW; i++)
                for (int l = 0; l < TOP_NLISTS; l++)
                        topk_free(&t->b[i].lists[l]);
        for (int l = 0; l < TOP_NLISTS; l++)
                topk_free(&t->merged[l]);
}

static struct top_bucket *bucket(struct top *t, double now) {
        int64_t sec = (int64_t)floor(now);
        struct top_bucket *b = &t->b[((sec % t->window) + t->window) % t->window];

        if (b->second != sec) {
                for (int l = 0; l < TOP_NLISTS; l++)
                        topk_reset(&b->lists[l]);
                b->pkts = b->bytes = 0;
                b->samples = 0;
                b->second = sec;
        }
        return b;
}

static void addr_key(struct topk_key *k, uint8_t family, const uint8_t *a) {
        memset(k, 0, sizeof(*k));
        k->b[0] = family;
        memcpy(k->b + 1, a, family == 4 ? 4 : 16);
}

void top_add_packet(struct top *t, const struct top_packet *p, double scale, double now) {
        struct top_bucket *b = bucket(t, now);
        double pkts = scale, bytes = scale * p->bytes;
        struct topk_key k;

        if (!t->have_time) {
                t->first_time = now;
                t->have_time = true;
        }
        if (now > t->now)
                t->now = now;
        b->pkts += pkts;
        b->bytes += bytes;
        b->samples++;

        memset(&k, 0, sizeof(k));
        k.b[0] = (uint8_t)p->agent.type;
        memcpy(k.b + 1, p->agent.addr, 16);
        memcpy(k.b + 17, &p->ds_index, 4);
        topk_add(&b->lists[TOP_IFACE], &k, bytes, pkts, bytes, 1);
        if (p->family != 4 && p->family != 6)
                return;
        addr_key(&k, p->family, p->src);
        topk_add(&b->lists[TOP_SRC], &k, bytes, pkts, bytes, 1);
        if (p->proto == 6 && (p->tcp_flags & 0x12) == 0x02)
                topk_add(&b->lists[TOP_SYN], &k, pkts, pkts, bytes, 1);
        addr_key(&k, p->family, p->dst);
        topk_add(&b->lists[TOP_DST], &k, bytes, pkts, bytes, 1);

        memset(&k, 0, sizeof(k));
        k.b[0] = p->family;
        k.b[1] = p->proto;
        memcpy(k.b + 2, p->src, 16);
        memcpy(k.b + 18, p->dst, 16);
        k.b[34] = (uint8_t)(p->sport >> 8), k.b[35] = (uint8_t)p->sport;
        k.b[36] = (uint8_t)(p->dport >> 8), k.b[37] = (uint8_t)p->dport;
        topk_add(&b->lists[TOP_FLOW], &k, bytes, pkts, bytes, 1);
        if (p->has_ports) {
                memset(&k, 0, sizeof(k));
                k.b[0] = p->proto;
                k.b[1] = (uint8_t)(p->dport >> 8), k.b[2] = (uint8_t)p->dport;
                topk_add(&b->lists[TOP_PORT], &k, pkts, pkts, bytes, 1);
        }
}

/* Without losses every sample stands for sampling_rate packets. Samples lost on the way (gaps in
 * the sequence numbers) or dropped by the agent (drops) leave the sample pool counting packets no
 * received sample stands for: then, over the window, pool delta / sum of the rates of the samples
 * received is the factor that restores them (taken once 100 samples back it). */
#define TOP_MIN_CORRECTION_SAMPLES 100

double top_source_scale(struct top *t, const struct sflow_address *agent,
                        const struct sflow_sample *s, double now) {
        uint32_t h = 2166136261u;
        struct top_source *src = NULL;

        for (int i = 0; i < 16; i++)
                h = (h ^ agent->addr[i]) * 16777619u;
        h = (h ^ s->ds_class) * 16777619u;
        h = (h ^ s->ds_index) * 16777619u;
        for (unsigned i = 0; i < TOP_MAX_SOURCES; i++) {
                struct top_source *c = &t->src[(h + i) % TOP_MAX_SOURCES];

                if (!c->used) {
                        memset(c, 0, sizeof(*c));
                        c->used = true;
                        c->agent = *agent;
                        c->ds_class = s->ds_class;
                        c->ds_index = s->ds_index;
                        c->anchor_pool = s->sample_pool;
                        c->anchor_time = now;
                        c->last_seq = s->sequence;
                        c->last_drops = s->drops;
                        c->correction = 1;
                        return 1;
                }
                if (c->ds_class == s->ds_class && c->ds_index == s->ds_index &&
                    memcmp(&c->agent, agent, sizeof(*agent)) == 0) {
                        src = c;
                        break;
                }
        }
        if (!src)
                return 1; /* more sources than tracked: no correction */
        {
                uint32_t gap = s->sequence - src->last_seq, dropped = s->drops - src->last_drops;

                if (gap > 1 && gap < (1u << 30))
                        src->lost += gap - 1;
                if (dropped > 0 && dropped < (1u << 30))
                        src->lost += dropped;
                src->last_seq = s->sequence;
                src->last_drops = s->drops;
        }
        src->anchor_expected += s->sampling_rate;
        src->anchor_samples++;
        if (src->lost && src->anchor_samples >= TOP_MIN_CORRECTION_SAMPLES)
                src->correction = (double)(uint32_t)(s->sample_pool - src->anchor_pool) /
                                  src->anchor_expected;
        if (now - src->anchor_time > t->window &&
            src->anchor_samples >= TOP_MIN_CORRECTION_SAMPLES) {
                src->anchor_pool = s->sample_pool;
                src->anchor_expected = 0;
                src->anchor_samples = 0;
                src->anchor_time = now;
                if (!src->lost)
                        src->correction = 1;
                src->lost_total += src->lost;
                src->lost = 0;
        }
        return src->correction;
}

void top_datagram(struct top *t, const uint8_t *buf, size_t len, double now) {
        static struct sflow_sample s;
        struct sflow_reader r;
        struct sflow_datagram d;

        sflow_reader_init(&r, buf, len);
        if (sflow_decode_datagram_header(&r, &d) < 0)
                return;
        t->datagrams++;
        if (now > t->now)
                t->now = now;
        for (uint32_t i = 0; i < d.num_samples; i++) {
                struct top_packet p;

                if (sflow_decode_sample(&r, &s) < 0)
                        return;
                if (!s.known || (s.tag != SFLOW_SAMPLE_FLOW && s.tag != SFLOW_SAMPLE_FLOW_EXPANDED))
                        continue;
                t->samples_total++;
                memset(&p, 0, sizeof(p));
                p.agent = d.agent;
                p.ds_index = s.ds_index;
                if (!top_parse_sample(&s, &p))
                        t->samples_unparsed++;
                if (s.sampling_rate == 0)
                        continue;
                top_add_packet(t, &p, s.sampling_rate * top_source_scale(t, &d.agent, &s, now),
                               now);
        }
}
