/* output.c - field writer for sflowcat: sflowtool-compatible text, grep, CSV and JSON layouts. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static void put_json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputc(*p, f);
                }
        }
        fputc('"', f);
}

/* Line-oriented modes: keep one field per line whatever the agent put in a string. */
static void put_text(FILE *f, const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

/* Prefixes in force (pushes beyond OUT_MAX_PREFIX are counted but not kept). */
static unsigned n_prefixes(const struct output *o) {
        return o->n_prefix < OUT_MAX_PREFIX ? o->n_prefix : OUT_MAX_PREFIX;
}

static void put_prefixes(struct output *o) {
        for (unsigned i = 0; i < n_prefixes(o); i++)
                fputs(o->prefix[i], o->f);
}

static void put_context(struct output *o) {
        char when[64], agent[64], t1[32], t2[32];

        fprintf(o->f, "%s %s %" PRIu32 " %" PRIu32 " %" PRIu32 ":%" PRIu32 " %s %s ",
                fmt_localtime(when, sizeof(when), o->ctx.when),
                fmt_address(agent, sizeof(agent), &o->ctx.agent), o->ctx.sub_agent_id,
                o->ctx.sequence, o->ctx.ds_class, o->ctx.ds_index,
                fmt_tag(t1, sizeof(t1), o->ctx.sample_tag),
                fmt_tag(t2, sizeof(t2), o->ctx.element_tag));
}

/* ---- JSON layout (same bracket, comma and indent rules as sflowtool) ---- */

static void json_indent(struct output *o) {
        if (o->mode != OUT_JSON_PRETTY)
                return;
        fputc('\n', o->f);
        for (int i = 0; i < o->depth; i++)
                fputc(' ', o->f);
}

static void json_open(struct output *o, const char *name, char bracket) {
        if (o->json_first)
                o->json_first = false;
        else if (!o->json_list_start) {
                fputc(',', o->f);
                json_indent(o);
        }
        if (name) {
                put_json_string(o->f, name);
                fputc(':', o->f);
        }
        fputc(bracket, o->f);
        o->depth++;
        o->json_list_start = true;
}

static void json_close(struct output *o, char bracket) {
        o->depth--;
        json_indent(o);
        fputc(bracket, o->f);
        o->json_list_start = false;
}

/* ---- CSV (-L) ---- */

static struct out_csv_field *csv_find(struct output *o, const char *name) {
        char key[256];
        size_t n = 0;

        key[0] = '\0';
        for (unsigned i = 0; i < n_prefixes(o); i++)
                n += (size_t)snprintf(key + n, n < sizeof(key) ? sizeof(key) - n : 0, "%s",
                                      o->prefix[i]);
        if (n >= sizeof(key))
                return NULL;
        snprintf(key + n, sizeof(key) - n, "%s", name);
        for (unsigned i = 0; i < o->n_csv; i++)
                if (strcmp(o->csv[i].name, key) == 0)
                        return &o->csv[i];
        return NULL;
}

static void csv_clear(struct output *o, enum out_scope scope) {
        for (unsigned i = 0; i < o->n_csv; i++)
                if (o->csv[i].scope == scope)
                        o->csv[i].value[0] = '\0';
        o->csv_sample_hits = 0;
}

static void csv_write_line(struct output *o) {
        if (o->csv_sample_hits == 0)
                return;
        for (unsigned i = 0; i < o->n_csv; i++) {
                if (i > 0)
                        fputc(',', o->f);
                put_text(o->f, o->csv[i].value);
        }
        fputc('\n', o->f);
}

static int csv_parse(struct output *o, const char *list) {
        const char *sep = " ,";
        const char *p = list;
        unsigned n = 0;

        for (p += strspn(p, sep); *p; p += strspn(p, sep)) {
                p += strcspn(p, sep);
                n++;
        }
        if (n == 0)
                return -EINVAL;
        o->csv = calloc(n, sizeof(*o->csv));
        if (!o->csv)
                return -ENOMEM;
        p = list;
        for (p += strspn(p, sep); *p; p += strspn(p, sep)) {
                size_t len = strcspn(p, sep);
                o->csv[o->n_csv].name = strndup(p, len);
                if (!o->csv[o->n_csv].name)
                        return -ENOMEM;
                o->n_csv++;
                p += len;
        }
        return 0;
}

int out_init(struct output *o, enum out_mode mode, FILE *f, const char *fields) {
        memset(o, 0, sizeof(*o));
        o->mode = mode;
        o->f = f;
        if (mode == OUT_CSV)
                return csv_parse(o, fields ? fields : "");
        return 0;
}

void out_free(struct output *o) {
        for (unsigned i = 0; i < o->n_csv; i++)
                free(o->csv[i].name);
        free(o->csv);
        o->csv = NULL;
        o->n_csv = 0;
}

/* ---- fields ---- */

void out_field(struct output *o, const char *name, const char *value) {
        switch (o->mode) {
        case OUT_GREP:
                put_context(o);
                /* fall through */
        case OUT_TEXT:
                put_prefixes(o);
                put_text(o->f, name);
                fputc(' ', o->f);
                put_text(o->f, value);
                fputc('\n', o->f);
                break;
        case OUT_JSON:
        case OUT_JSON_PRETTY: {
                char key[256];
                size_t n = 0;

                if (!o->json_list_start)
                        fputc(',', o->f);
                else
                        o->json_list_start = false;
                json_indent(o);
                key[0] = '\0';
                for (unsigned i = 0; i < n_prefixes(o) && n < sizeof(key); i++)
                        n += (size_t)snprintf(key + n, sizeof(key) - n, "%s", o->prefix[i]);
                if (n < sizeof(key))
                        snprintf(key + n, sizeof(key) - n, "%s", name);
                put_json_string(o->f, key);
                fputc(':', o->f);
                put_json_string(o->f, value);
                break;
        }
        case OUT_CSV: {
                struct out_csv_field *c = csv_find(o, name);
                if (!c)
                        break;
                snprintf(c->value, sizeof(c->value), "%s", value);
                c->scope = o->scope;
                if (o->scope == OUT_SCOPE_SAMPLE)
                        o->csv_sample_hits++;
                break;
        }
        case OUT_PCAP:
                break;
        }
}

void out_fieldf(struct output *o, const char *name, const char *fmt, ...) {
        char buf[OUT_MAX_VALUE];
        va_list ap;

        if (!out_prints_fields(o))
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        out_field(o, name, buf);
}

void out_u32(struct output *o, const char *name, uint32_t v) {
        out_fieldf(o, name, "%" PRIu32, v);
}

void out_u64(struct output *o, const char *name, uint64_t v) {
        out_fieldf(o, name, "%" PRIu64, v);
}

void out_string(struct output *o, const char *name, const struct sflow_string *s) {
        char buf[OUT_MAX_VALUE];
        size_t n = s->len < sizeof(buf) - 1 ? s->len : sizeof(buf) - 1;

        /* like a C string on the reference decoder: stop at an embedded NUL */
        memcpy(buf, s->str, n);
        buf[n] = '\0';
        out_field(o, name, buf);
}

void out_push_prefix(struct output *o, const char *prefix) {
        if (o->n_prefix < OUT_MAX_PREFIX)
                o->prefix[o->n_prefix] = prefix;
        o->n_prefix++;
}

void out_pop_prefix(struct output *o) {
        if (o->n_prefix > 0)
                o->n_prefix--;
}

void out_note(struct output *o, const char *fmt, ...) {
        va_list ap;

        if (o->mode != OUT_TEXT && o->mode != OUT_GREP)
                return;
        if (o->mode == OUT_GREP)
                put_context(o);
        va_start(ap, fmt);
        vfprintf(o->f, fmt, ap);
        va_end(ap);
}

/* ---- structure ---- */

void out_datagram_begin(struct output *o) {
        o->n_prefix = 0;
        o->scope = OUT_SCOPE_DATAGRAM;
        if (out_is_json(o)) {
                o->depth = 0;
                o->json_first = true;
                json_open(o, NULL, '{');
        } else
                out_note(o, "startDatagram =================================\n");
}

void out_datagram_end(struct output *o) {
        if (out_is_json(o)) {
                json_close(o, '}');
                fputc('\n', o->f);
                o->depth = 0;
                if (o->mode == OUT_JSON_PRETTY)
                        fputc('\n', o->f);
        } else
                out_note(o, "endDatagram   =================================\n");
        if (o->mode == OUT_CSV)
                csv_clear(o, OUT_SCOPE_DATAGRAM);
        o->scope = OUT_SCOPE_NONE;
        fflush(o->f);
}

void out_sample_begin(struct output *o) {
        o->scope = OUT_SCOPE_SAMPLE;
        if (out_is_json(o))
                json_open(o, NULL, '{');
        else
                out_note(o, "startSample ----------------------\n");
}

void out_sample_end(struct output *o, bool emit_csv) {
        if (out_is_json(o))
                json_close(o, '}');
        else
                out_note(o, "endSample   ----------------------\n");
        if (o->mode == OUT_CSV) {
                if (emit_csv)
                        csv_write_line(o);
                csv_clear(o, OUT_SCOPE_SAMPLE);
        }
}

void out_array_begin(struct output *o, const char *name) {
        if (out_is_json(o))
                json_open(o, name, '[');
}

void out_array_end(struct output *o) {
        if (out_is_json(o))
                json_close(o, ']');
}

void out_object_begin(struct output *o, const char *name) {
        if (out_is_json(o))
                json_open(o, name, '{');
}

void out_object_end(struct output *o) {
        if (out_is_json(o))
                json_close(o, '}');
}

void out_array_string(struct output *o, unsigned index, const char *value) {
        if (!out_is_json(o))
                return;
        if (index > 0)
                fputc(',', o->f);
        json_indent(o);
        put_json_string(o->f, value);
        fputc(' ', o->f);
}

/* ---- value formatting ---- */

char *fmt_tag(char *buf, size_t len, uint32_t tag) {
        snprintf(buf, len, "%" PRIu32 ":%" PRIu32, SFLOW_TAG_ENTERPRISE(tag),
                 SFLOW_TAG_FORMAT(tag));
        return buf;
}

char *fmt_ipv4(char *buf, size_t len, const uint8_t *ip) {
        snprintf(buf, len, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        return buf;
}

/* Full zero-padded groups, as sflowtool prints them (no "::" compression). */
char *fmt_ipv6(char *buf, size_t len, const uint8_t *ip) {
        size_t n = 0;

        buf[0] = '\0';
        for (int i = 0; i < 16 && n < len; i += 2)
                n += (size_t)snprintf(buf + n, len - n, "%s%02x%02x", i ? ":" : "", ip[i],
                                      ip[i + 1]);
        return buf;
}

char *fmt_address(char *buf, size_t len, const struct sflow_address *a) {
        if (a->type == 1)
                return fmt_ipv4(buf, len, a->addr);
        if (a->type == 2)
                return fmt_ipv6(buf, len, a->addr);
        snprintf(buf, len, "-");
        return buf;
}

char *fmt_mac(char *buf, size_t len, const uint8_t *mac) {
        return fmt_hex(buf, len, mac, 6, 0, false);
}

char *fmt_localtime(char *buf, size_t len, time_t t) {
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
                snprintf(buf, len, "-");
        return buf;
}

char *fmt_hex(char *buf, size_t len, const uint8_t *bytes, size_t n, char sep, bool upper) {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        size_t per = sep ? 3 : 2, o = 0;

        if (len == 0)
                return buf;
        if (n > (len - 1 + (sep ? 1 : 0)) / per)
                n = (len - 1 + (sep ? 1 : 0)) / per;
        for (size_t i = 0; i < n; i++) {
                if (sep && i)
                        buf[o++] = sep;
                buf[o++] = digits[bytes[i] >> 4];
                buf[o++] = digits[bytes[i] & 0xf];
        }
        buf[o] = '\0';
        return buf;
}
