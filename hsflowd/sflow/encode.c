/* encode.c - bounded XDR writer for sFlow v5 datagram headers and samples. */
#include <errno.h>
#include <string.h>

#include "layout.h"

/* A write in progress: works on a copy of the writer, committed only when everything fit. */
struct enc {
        uint8_t *buf;
        size_t cap, len;
        int err; /* first error: -ENOSPC or -EINVAL */
};

static void enc_fail(struct enc *e, int err) {
        if (e->err == 0)
                e->err = err;
}

static uint8_t *enc_reserve(struct enc *e, size_t n) {
        uint8_t *p;

        if (e->err < 0)
                return NULL;
        if (e->len > e->cap || n > e->cap - e->len) {
                enc_fail(e, -ENOSPC);
                return NULL;
        }
        p = e->buf + e->len;
        e->len += n;
        return p;
}

static void wr32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static void put32(struct enc *e, uint32_t v) {
        uint8_t *p = enc_reserve(e, 4);

        if (p)
                wr32(p, v);
}

static void put64(struct enc *e, uint64_t v) {
        put32(e, (uint32_t)(v >> 32));
        put32(e, (uint32_t)v);
}

static void put_float(struct enc *e, float f) {
        uint32_t v;

        memcpy(&v, &f, sizeof(v));
        put32(e, v);
}

/* Fixed-size opaque: n bytes then zero padding to a multiple of 4. The room is checked for n
 * first and then for the padding, so no length can wrap the rounding. */
static void put_fixed(struct enc *e, const void *data, size_t n) {
        size_t pad = (4 - (n & 3)) & 3;
        uint8_t *p = enc_reserve(e, n);

        if (!p || !enc_reserve(e, pad))
                return; /* the whole write is rolled back */
        if (n)
                memcpy(p, data, n);
        memset(p + n, 0, pad);
}

/* Variable-size opaque or string: length, bytes, padding. */
static void put_opaque(struct enc *e, const void *data, uint32_t n) {
        if (n > 0 && !data) {
                enc_fail(e, -EINVAL);
                return;
        }
        put32(e, n);
        put_fixed(e, data, n);
}

static void put_string(struct enc *e, const struct sflow_string *s, uint32_t max) {
        uint32_t n = s->str ? s->len : 0;

        if (max && n > max)
                n = max;
        put_opaque(e, s->str, n);
}

/* Placeholder for a length filled in once the content is written; returns its offset. */
static size_t put_length_slot(struct enc *e) {
        put32(e, 0);
        return e->len - 4;
}

static void fill_length_slot(struct enc *e, size_t slot) {
        if (e->err == 0 && (uint64_t)(e->len - slot - 4) > UINT32_MAX)
                enc_fail(e, -ENOSPC); /* a writer larger than 4 GiB: not an sFlow length */
        if (e->err == 0)
                wr32(e->buf + slot, (uint32_t)(e->len - slot - 4));
}

static void put_adapters(struct enc *e, const struct sflow_ctr_host_adapters *a) {
        uint32_t n = a->num_adapters < SFLOW_MAX_ADAPTERS ? a->num_adapters : SFLOW_MAX_ADAPTERS;
        if (!a->adapters)
                n = 0;

        put32(e, n);
        for (uint32_t i = 0; i < n; i++) {
                const struct sflow_adapter *ad = &a->adapters[i];
                uint32_t m = ad->num_macs < SFLOW_MAX_MACS ? ad->num_macs : SFLOW_MAX_MACS;

                put32(e, ad->if_index);
                put32(e, m);
                for (uint32_t j = 0; j < m; j++)
                        put_fixed(e, ad->macs[j], 6);
        }
}

#define AT(base, off, type) ((const type *)((const uint8_t *)(base) + (off)))

#include "encode-ext.inc"

static void put_double(struct enc *e, double d) {
        uint64_t v;

        memcpy(&v, &d, sizeof(v));
        put64(e, v);
}

/* The entries of an rtmetric (metric true) or rtflow sample: count, then name, type, value. */
static void put_rt_entries(struct enc *e, const struct sflow_sample *s, bool metric) {
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        put32(e, n);
        for (uint32_t i = 0; i < n && e->err == 0; i++) {
                const struct sflow_rt_entry *x = &s->records[i].u.rt;
                size_t nbytes;

                put_string(e, &x->name, SFLOW_RT_MAX_NAME);
                put32(e, x->type);
                switch (sflow_rt_value_kind(metric, x->type, &nbytes)) {
                case SFLOW_RT_V_STRING:
                        put_string(e, &x->v.str, SFLOW_RT_MAX_STRING);
                        break;
                case SFLOW_RT_V_U32:
                        put32(e, x->v.u32);
                        break;
                case SFLOW_RT_V_U64:
                        put64(e, x->v.u64);
                        break;
                case SFLOW_RT_V_FLOAT:
                        put_float(e, x->v.f);
                        break;
                case SFLOW_RT_V_DOUBLE:
                        put_double(e, x->v.d);
                        break;
                case SFLOW_RT_V_BYTES:
                        put_fixed(e, x->v.bytes, nbytes);
                        break;
                default:
                        enc_fail(e, -EINVAL);
                        break;
                }
        }
}

static void put_field(struct enc *e, const void *base, const struct sflow_field *f) {
        switch (f->type) {
        case SFLOW_F_U32:
                put32(e, *AT(base, f->off, uint32_t));
                break;
        case SFLOW_F_U64:
                put64(e, *AT(base, f->off, uint64_t));
                break;
        case SFLOW_F_FLOAT:
                put_float(e, *AT(base, f->off, float));
                break;
        case SFLOW_F_STRING:
                put_string(e, AT(base, f->off, struct sflow_string), f->max);
                break;
        case SFLOW_F_UUID:
                put_fixed(e, AT(base, f->off, uint8_t), 16);
                break;
        case SFLOW_F_OPAQUE:
                put_opaque(e, *AT(base, f->off2, uint8_t *), *AT(base, f->off, uint32_t));
                break;
        case SFLOW_F_ADAPTERS:
                put_adapters(e, AT(base, f->off, struct sflow_ctr_host_adapters));
                break;
        case SFLOW_F_SRCID:
                if (*AT(base, f->off, uint32_t) > 0xff || *AT(base, f->off2, uint32_t) > 0xffffff)
                        enc_fail(e, -EINVAL);
                put32(e, *AT(base, f->off, uint32_t) << 24 | *AT(base, f->off2, uint32_t));
                break;
        case SFLOW_F_IFACE:
                if (*AT(base, f->off, uint32_t) > 3 || *AT(base, f->off2, uint32_t) > 0x3fffffff)
                        enc_fail(e, -EINVAL);
                put32(e, *AT(base, f->off, uint32_t) << 30 | *AT(base, f->off2, uint32_t));
                break;
        case SFLOW_F_FIXED:
        case SFLOW_F_ADDRESS:
        case SFLOW_F_LIST32:
        case SFLOW_F_ASPATH:
                put_field_ext(e, base, f);
                break;
        case SFLOW_F_RTMETRICS:
        case SFLOW_F_RTFLOWS:
                put_rt_entries(e, base, f->type == SFLOW_F_RTMETRICS);
                break;
        case SFLOW_F_OPTIONAL:
                break;
        default:
                enc_fail(e, -EINVAL);
        }
}

static void put_fields(struct enc *e, const void *base, const struct sflow_layout *l) {
        for (unsigned i = 0; i < l->nfields && e->err == 0; i++)
                put_field(e, base, &l->fields[i]);
}

/* A record: tag, length, content. Unknown tags are copied from raw when present. */
static void put_record(struct enc *e, enum sflow_kind kind, const struct sflow_record *rec) {
        const struct sflow_layout *l = sflow_layout_find(kind, rec->tag);
        size_t slot;

        if (!l && !rec->raw) {
                enc_fail(e, -EINVAL);
                return;
        }
        put32(e, rec->tag);
        slot = put_length_slot(e);
        if (l)
                put_fields(e, rec, l);
        else
                put_fixed(e, rec->raw, rec->length);
        fill_length_slot(e, slot);
}

static struct enc enc_begin(const struct sflow_writer *w) {
        return (struct enc){.buf = w->buf, .cap = w->cap, .len = w->len};
}

static int enc_end(struct sflow_writer *w, const struct enc *e) {
        if (e->err < 0) {
                if (e->err == -ENOSPC)
                        w->overflow = true;
                return e->err; /* w->len untouched: rolled back */
        }
        w->len = e->len;
        return 0;
}

int sflow_encode_sample(struct sflow_writer *w, const struct sflow_sample *s) {
        const struct sflow_layout *l = sflow_layout_find(SFLOW_KIND_SAMPLE, s->tag);
        int kind = sflow_sample_record_kind(s->tag);
        struct enc e = enc_begin(w);
        uint32_t n;
        size_t slot;

        if (!l || kind < 0)
                return -EINVAL;
        n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;
        put32(&e, s->tag);
        slot = put_length_slot(&e);
        put_fields(&e, s, l);
        if (kind != SFLOW_KIND_RT) { /* rtmetric/rtflow entries are among the fields */
                put32(&e, n);
                for (uint32_t i = 0; i < n && e.err == 0; i++)
                        put_record(&e, (enum sflow_kind)kind, &s->records[i]);
        }
        fill_length_slot(&e, slot);
        return enc_end(w, &e);
}

static size_t address_size(uint32_t type) {
        switch (type) {
        case 0:
                return 0;
        case 1:
                return 4;
        case 2:
                return 16;
        default:
                return SIZE_MAX;
        }
}

size_t sflow_datagram_header_size(const struct sflow_address *agent) {
        size_t n = address_size(agent->type);

        return 24 + (n == SIZE_MAX ? 4 : n);
}

int sflow_encode_datagram_header(struct sflow_writer *w, const struct sflow_datagram *d) {
        struct enc e = enc_begin(w);
        size_t n = address_size(d->agent.type);

        if (n == SIZE_MAX)
                return -EINVAL;
        put32(&e, SFLOW_VERSION);
        put32(&e, d->agent.type);
        put_fixed(&e, d->agent.addr, n);
        put32(&e, d->sub_agent_id);
        put32(&e, d->sequence);
        put32(&e, d->uptime_ms);
        put32(&e, d->num_samples);
        return enc_end(w, &e);
}

void sflow_set_num_samples(uint8_t *buf, uint32_t n) {
        uint32_t type =
                (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
        struct sflow_address a = {.type = type};

        wr32(buf + sflow_datagram_header_size(&a) - 4, n);
}
