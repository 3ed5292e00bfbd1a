/* decode.c - bounded cursor reader for sFlow v5 datagrams: header, samples and records. */
#include <errno.h>
#include <string.h>

#include "layout.h"

/* A view of the reader limited to [r->off, end): a sample or a record. */
struct cur {
        struct sflow_reader *r;
        size_t end;
        const char *what;             /* error text when the content runs past end */
        struct sflow_adapter **store; /* the sample's adapter storage, NULL once used */
};

static int fail(struct sflow_reader *r, size_t off, int err, const char *what) {
        r->error = err;
        r->error_offset = off;
        r->error_what = what;
        return err;
}

static int need(struct cur *c, size_t n) {
        if (c->r->off > c->end || n > c->end - c->r->off)
                return fail(c->r, c->r->off, -EBADMSG, c->what);
        return 0;
}

static uint32_t rd32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int get32(struct cur *c, uint32_t *v) {
        int k = need(c, 4);

        if (k < 0)
                return k;
        *v = rd32(c->r->buf + c->r->off);
        c->r->off += 4;
        return 0;
}

static int get64(struct cur *c, uint64_t *v) {
        uint32_t hi, lo;
        int k = get32(c, &hi);

        if (k == 0)
                k = get32(c, &lo);
        if (k == 0)
                *v = (uint64_t)hi << 32 | lo;
        return k;
}

static int get_float(struct cur *c, float *f) {
        uint32_t v;
        int k = get32(c, &v);

        if (k == 0)
                memcpy(f, &v, sizeof(*f));
        return k;
}

/* Bytes left in the view; 0 when the cursor is past its end. */
static size_t left(const struct cur *c) {
        return c->r->off > c->end ? 0 : c->end - c->r->off;
}

/* n bytes plus XDR padding; *p points into the datagram. n is compared with what is left
 * before any rounding, so no length from the wire can wrap the arithmetic. */
static int get_fixed(struct cur *c, size_t n, const uint8_t **p) {
        size_t pad = (4 - (n & 3)) & 3;

        if (n > left(c) || pad > left(c) - n)
                return fail(c->r, c->r->off, -EBADMSG, c->what);
        *p = c->r->buf + c->r->off;
        c->r->off += n + pad;
        return 0;
}

/* A length or count from the wire that the rest of the view cannot hold is refused at its own
 * offset (at) before anything is read: each of the n items takes at least min_size bytes. */
static int check_count(struct cur *c, size_t at, uint32_t n, size_t min_size, const char *what) {
        if (n > left(c) / min_size)
                return fail(c->r, at, -EBADMSG, what);
        return 0;
}

static int get_opaque(struct cur *c, uint32_t *len, const uint8_t **p) {
        size_t at = c->r->off;
        int k = get32(c, len);

        if (k == 0)
                k = check_count(c, at, *len, 1, "opaque or string length overruns its record");
        return k < 0 ? k : get_fixed(c, *len, p);
}

static int get_string(struct cur *c, struct sflow_string *s) {
        const uint8_t *p;
        int k = get_opaque(c, &s->len, &p);

        if (k == 0)
                s->str = (const char *)p;
        return k;
}

static int get_adapter(struct cur *c, struct sflow_adapter *ad, bool *truncated) {
        const uint8_t *mac;
        uint32_t if_index, n;
        int k = get32(c, &if_index);
        size_t at = c->r->off;

        if (k == 0)
                k = get32(c, &n);
        if (k == 0)
                k = check_count(c, at, n, 8, "MAC address count overruns its record");
        for (uint32_t j = 0; k == 0 && j < n; j++) {
                k = get_fixed(c, 6, &mac);
                if (k == 0 && ad && j < SFLOW_MAX_MACS)
                        memcpy(ad->macs[j], mac, 6);
        }
        if (k < 0)
                return k;
        if (ad) {
                ad->if_index = if_index;
                ad->num_macs = n;
                if (n > SFLOW_MAX_MACS)
                        *truncated = true;
        }
        return 0;
}

static int get_adapters(struct cur *c, struct sflow_ctr_host_adapters *a, bool *truncated) {
        size_t at = c->r->off;
        int k = get32(c, &a->num_adapters);
        struct sflow_adapter *store = c->store ? *c->store : NULL;

        if (k == 0)
                k = check_count(c, at, a->num_adapters, 8, "adapter count overruns its record");
        if (k < 0) {
                a->num_adapters = 0;
                a->adapters = NULL;
                return k;
        }

        if (c->store)
                *c->store = NULL; /* one 2001 record per sample has storage */
        a->adapters = store;
        for (uint32_t i = 0; k == 0 && i < a->num_adapters; i++)
                k = get_adapter(c, store && i < SFLOW_MAX_ADAPTERS ? &store[i] : NULL, truncated);
        if (a->num_adapters > SFLOW_MAX_ADAPTERS || (!store && a->num_adapters > 0)) {
                *truncated = true;
                if (!store)
                        a->num_adapters = 0;
        }
        return k;
}

#define AT(base, off, type) ((type *)((uint8_t *)(base) + (off)))

#include "decode-ext.inc"

/* The entries of an rtmetric (metric true) or rtflow sample into s->records (entries past
 * SFLOW_MAX_RECORDS are read and dropped, s->truncated set). */
static int get_rt_entries(struct cur *c, struct sflow_sample *s, bool metric) {
        struct sflow_rt_entry spare;
        const uint8_t *p;
        uint32_t n, type;
        size_t nbytes;
        int k = get32(c, &n);

        for (uint32_t i = 0; k == 0 && i < n; i++) {
                struct sflow_rt_entry *x = i < SFLOW_MAX_RECORDS ? &s->records[i].u.rt : &spare;
                uint64_t d;

                if (i < SFLOW_MAX_RECORDS) {
                        memset(&s->records[i], 0, sizeof(s->records[i]));
                        s->records[i].tag = 0; /* entries have no tag */
                        s->records[i].offset = (uint32_t)c->r->off;
                        s->records[i].known = true;
                }
                k = get_string(c, &x->name);
                if (k == 0)
                        k = get32(c, &type);
                if (k < 0)
                        return k;
                x->type = type;
                switch (sflow_rt_value_kind(metric, type, &nbytes)) {
                case SFLOW_RT_V_STRING:
                        k = get_string(c, &x->v.str);
                        break;
                case SFLOW_RT_V_U32:
                        k = get32(c, &x->v.u32);
                        break;
                case SFLOW_RT_V_U64:
                        k = get64(c, &x->v.u64);
                        break;
                case SFLOW_RT_V_FLOAT:
                        k = get_float(c, &x->v.f);
                        break;
                case SFLOW_RT_V_DOUBLE:
                        k = get64(c, &d);
                        if (k == 0)
                                memcpy(&x->v.d, &d, sizeof(d));
                        break;
                case SFLOW_RT_V_BYTES:
                        k = get_fixed(c, nbytes, &p);
                        if (k == 0)
                                memcpy(x->v.bytes, p, nbytes);
                        break;
                default:
                        return fail(c->r, c->r->off - 4, -EBADMSG,
                                    metric ? "unknown rtmetric value type"
                                           : "unknown rtflow value type");
                }
        }
        if (k == 0) {
                s->num_records = n;
                s->truncated = n > SFLOW_MAX_RECORDS;
        }
        return k;
}

static int get_field(struct cur *c, void *base, const struct sflow_field *f, bool *truncated) {
        uint32_t v;
        int k;

        switch (f->type) {
        case SFLOW_F_U32:
                return get32(c, AT(base, f->off, uint32_t));
        case SFLOW_F_U64:
                return get64(c, AT(base, f->off, uint64_t));
        case SFLOW_F_FLOAT:
                return get_float(c, AT(base, f->off, float));
        case SFLOW_F_STRING:
                return get_string(c, AT(base, f->off, struct sflow_string));
        case SFLOW_F_UUID: {
                const uint8_t *p;

                k = get_fixed(c, 16, &p);
                if (k == 0)
                        memcpy(AT(base, f->off, uint8_t), p, 16);
                return k;
        }
        case SFLOW_F_OPAQUE:
                return get_opaque(c, AT(base, f->off, uint32_t),
                                  AT(base, f->off2, const uint8_t *));
        case SFLOW_F_ADAPTERS:
                return get_adapters(c, AT(base, f->off, struct sflow_ctr_host_adapters), truncated);
        case SFLOW_F_SRCID:
                k = get32(c, &v);
                if (k == 0) {
                        *AT(base, f->off, uint32_t) = v >> 24;
                        *AT(base, f->off2, uint32_t) = v & 0xffffff;
                }
                return k;
        case SFLOW_F_IFACE:
                k = get32(c, &v);
                if (k == 0) {
                        *AT(base, f->off, uint32_t) = v >> 30;
                        *AT(base, f->off2, uint32_t) = v & 0x3fffffff;
                }
                return k;
        case SFLOW_F_FIXED:
        case SFLOW_F_ADDRESS:
        case SFLOW_F_LIST32:
        case SFLOW_F_ASPATH:
                return get_field_ext(c, base, f);
        case SFLOW_F_RTMETRICS:
        case SFLOW_F_RTFLOWS:
                return get_rt_entries(c, base, f->type == SFLOW_F_RTMETRICS);
        default:
                return fail(c->r, c->r->off, -EBADMSG, "internal: bad field type");
        }
}

static int get_fields(struct cur *c, void *base, const struct sflow_layout *l, bool *truncated) {
        int k = 0;

        for (unsigned i = 0; k == 0 && i < l->nfields; i++) {
                if (l->fields[i].type == SFLOW_F_OPTIONAL) {
                        if (c->r->off >= c->end)
                                break;
                        continue;
                }
                k = get_field(c, base, &l->fields[i], truncated);
        }
        return k;
}

/* One record of a sample ending at sample_end; rec NULL: beyond capacity, only skipped. */
static int get_record(struct sflow_reader *r, size_t sample_end, enum sflow_kind kind,
                      struct sflow_record *rec, struct sflow_adapter **store) {
        struct cur c = {r, sample_end, "record header overruns the sample", NULL};
        const struct sflow_layout *l;
        size_t start = r->off, end;
        uint32_t tag, len;
        int k = get32(&c, &tag);

        if (k == 0)
                k = get32(&c, &len);
        if (k < 0)
                return k;
        if (len > sample_end - r->off)
                return fail(r, start + 4, -EBADMSG, "record length overruns the sample");
        end = r->off + len;
        if (rec) {
                memset(rec, 0, sizeof(*rec));
                rec->tag = tag;
                rec->length = len;
                rec->offset = (uint32_t)start;
                rec->raw = r->buf + r->off;
                l = sflow_layout_find(kind, tag);
                if (l) {
                        struct cur rc = {r, end, "record content overruns the record length",
                                         store};

                        rec->known = true;
                        k = get_fields(&rc, rec, l, &rec->truncated);
                        if (k < 0)
                                return k;
                }
        }
        r->off = end; /* content shorter than the length: the rest is skipped */
        return 0;
}

static void sample_reset(struct sflow_sample *s, uint32_t tag, uint32_t len, size_t start,
                         const uint8_t *raw) {
        memset(s, 0, offsetof(struct sflow_sample, records));
        s->tag = tag;
        s->length = len;
        s->offset = (uint32_t)start;
        s->known = false;
        s->truncated = false;
        s->raw = raw;
}

int sflow_decode_sample(struct sflow_reader *r, struct sflow_sample *s) {
        struct cur c = {r, r->len, "datagram truncated in a sample header", NULL};
        const struct sflow_layout *l;
        size_t start = r->off, end;
        uint32_t tag, len, n;
        int kind, k;

        if (r->error)
                return r->error;
        k = get32(&c, &tag);
        if (k == 0)
                k = get32(&c, &len);
        if (k < 0)
                return k;
        if (len > r->len - r->off)
                return fail(r, start + 4, -EBADMSG, "sample length overruns the datagram");
        end = r->off + len;
        sample_reset(s, tag, len, start, r->buf + r->off);
        l = sflow_layout_find(SFLOW_KIND_SAMPLE, tag);
        kind = sflow_sample_record_kind(tag);
        if (l && kind >= 0) {
                struct cur sc = {r, end, "sample content overruns the sample length", NULL};
                struct sflow_adapter *store = s->adapter_store;
                bool unused = false;

                s->known = true;
                k = get_fields(&sc, s, l, &unused);
                size_t at = r->off;
                if (k == 0 && kind == SFLOW_KIND_RT) /* entries were among the fields */
                        n = s->num_records;
                else if (k == 0)
                        k = get32(&sc, &n);
                if (k == 0 &&
                    kind != SFLOW_KIND_RT) /* each record has at least its tag and length */
                        k = check_count(&sc, at, n, 8, "record count overruns the sample");
                for (uint32_t i = 0; k == 0 && kind != SFLOW_KIND_RT && i < n; i++)
                        k = get_record(r, end, (enum sflow_kind)kind,
                                       i < SFLOW_MAX_RECORDS ? &s->records[i] : NULL, &store);
                if (k < 0)
                        return k;
                s->num_records = n;
                s->truncated = n > SFLOW_MAX_RECORDS;
        }
        r->off = end;
        return 0;
}

int sflow_decode_datagram_header(struct sflow_reader *r, struct sflow_datagram *ret) {
        struct cur c = {r, r->len, "datagram truncated in its header", NULL};
        struct sflow_datagram d = {0};
        const uint8_t *p;
        int k;

        if (r->error)
                return r->error;
        if (r->len > SFLOW_MAX_DATAGRAM)
                return fail(r, SFLOW_MAX_DATAGRAM, -EBADMSG, "datagram too large");
        k = get32(&c, &d.version);
        if (k < 0)
                return k;
        if (d.version != SFLOW_VERSION)
                return fail(r, r->off - 4, -EPROTO, "unsupported datagram version");
        k = get32(&c, &d.agent.type);
        if (k < 0)
                return k;
        switch (d.agent.type) {
        case 0:
                break;
        case 1:
        case 2:
                k = get_fixed(&c, d.agent.type == 1 ? 4 : 16, &p);
                if (k < 0)
                        return k;
                memcpy(d.agent.addr, p, d.agent.type == 1 ? 4 : 16);
                break;
        default:
                return fail(r, r->off - 4, -EBADMSG, "unknown agent address type");
        }
        if (k == 0)
                k = get32(&c, &d.sub_agent_id);
        if (k == 0)
                k = get32(&c, &d.sequence);
        if (k == 0)
                k = get32(&c, &d.uptime_ms);
        if (k == 0)
                k = get32(&c, &d.num_samples);
        if (k < 0)
                return k;
        *ret = d;
        return 0;
}
