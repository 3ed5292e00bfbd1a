/* json-parse.c - a json module document (flow_sample, counter_sample, rtmetric, rtflow) into
 * sFlow structures, every value checked against its type; no I/O, no logging. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json-dl.h"
#include "json-mod.h"

struct ctx {
        char *why;
        size_t len;
};

static int bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct ctx *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, c->len, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* An unsigned integer of at most max; JSON numbers with a fraction, negative numbers and strings
 * are refused. */
static int get_uint(struct ctx *c, const char *path, const char *key, json_object *v, uint64_t max,
                    uint64_t *ret) {
        if (!sym_json_object_is_type(v, json_type_int))
                return bad(c, "%s.%s: not an integer", path, key);
        int64_t i = sym_json_object_get_int64(v);
        if (i < 0)
                return bad(c, "%s.%s: negative", path, key);
        uint64_t u = i < INT64_MAX ? (uint64_t)i : sym_json_object_get_uint64(v);
        if (u > max)
                return bad(c, "%s.%s: %llu out of range (0..%llu)", path, key,
                           (unsigned long long)u, (unsigned long long)max);
        *ret = u;
        return 0;
}

static int get_u32(struct ctx *c, const char *path, const char *key, json_object *v,
                   uint32_t *ret) {
        uint64_t u;
        int r = get_uint(c, path, key, v, UINT32_MAX, &u);
        if (r == 0)
                *ret = (uint32_t)u;
        return r;
}

static int get_u64(struct ctx *c, const char *path, const char *key, json_object *v,
                   uint64_t *ret) {
        return get_uint(c, path, key, v, UINT64_MAX, ret);
}

static int get_str(struct ctx *c, const char *path, const char *key, json_object *v, size_t max,
                   struct sflow_string *ret) {
        if (!sym_json_object_is_type(v, json_type_string))
                return bad(c, "%s.%s: not a string", path, key);
        size_t n = (size_t)sym_json_object_get_string_len(v);
        if (n > max)
                return bad(c, "%s.%s: %zu bytes, longer than %zu", path, key, n, max);
        *ret = (struct sflow_string){sym_json_object_get_string(v), (uint32_t)n};
        return 0;
}

static int get_bool(struct ctx *c, const char *path, const char *key, json_object *v, bool *ret) {
        if (!sym_json_object_is_type(v, json_type_boolean))
                return bad(c, "%s.%s: not true or false", path, key);
        *ret = sym_json_object_get_boolean(v);
        return 0;
}

static int get_object(struct ctx *c, const char *path, const char *key, json_object *v) {
        if (!sym_json_object_is_type(v, json_type_object))
                return bad(c, "%s.%s: not an object", path, key);
        return 0;
}

static int unknown(struct ctx *c, const char *path, const char *key) {
        return bad(c, "%s: unknown member \"%.64s\"", path, key);
}

static int get_addr(struct ctx *c, const char *path, const char *key, json_object *v, int family,
                    uint8_t *ret) {
        if (!sym_json_object_is_type(v, json_type_string) ||
            inet_pton(family, sym_json_object_get_string(v), ret) != 1)
                return bad(c, "%s.%s: not an IPv%c address", path, key,
                           family == AF_INET ? '4' : '6');
        return 0;
}

static int get_app(struct ctx *c, const char *path, json_object *v, struct js_app_key *k) {
        struct sflow_string s;
        int r = get_str(c, path, "app_name", v, SFLOW_APP_MAX_APPLICATION, &s);
        if (r < 0)
                return r;
        if (s.len == 0)
                return bad(c, "%s.app_name: empty", path);
        for (uint32_t i = 0; i < s.len; i++)
                if (!isprint((unsigned char)s.str[i]))
                        return bad(c, "%s.app_name: not printable", path);
        memcpy(k->name, s.str, s.len);
        k->name[s.len] = '\0';
        return 0;
}

static int get_port(struct ctx *c, const char *path, const char *key, json_object *v,
                    uint32_t *ret) {
        uint64_t u;
        int r = get_uint(c, path, key, v, 65535, &u);
        if (r == 0)
                *ret = (uint32_t)u;
        return r;
}

/* ---- flow_sample ---- */

static int parse_operation(struct ctx *c, json_object *o, struct sflow_flow_app *op) {
        const char *p = "flow_sample.app_operation";
        int r = 0;
        json_dl_object_foreach(o, key, v) {
                if (strcmp(key, "operation") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_OPERATION, &op->operation);
                else if (strcmp(key, "attributes") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_ATTRIBUTES, &op->attributes);
                else if (strcmp(key, "status_descr") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_STATUS, &op->status_descr);
                else if (strcmp(key, "status") == 0) {
                        uint64_t u;
                        r = get_uint(c, p, key, v, SFLOW_APP_NUM_STATUS - 1, &u);
                        op->status = (uint32_t)u;
                } else if (strcmp(key, "req_bytes") == 0)
                        r = get_u64(c, p, key, v, &op->req_bytes);
                else if (strcmp(key, "resp_bytes") == 0)
                        r = get_u64(c, p, key, v, &op->resp_bytes);
                else if (strcmp(key, "uS") == 0)
                        r = get_u32(c, p, key, v, &op->duration_us);
                else
                        r = unknown(c, p, key);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_context(struct ctx *c, json_object *o, struct sflow_flow_app_ctxt *x) {
        const char *p = "flow_sample.app_parent_context";
        int r = 0;
        json_dl_object_foreach(o, key, v) {
                if (strcmp(key, "application") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_APPLICATION, &x->application);
                else if (strcmp(key, "operation") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_OPERATION, &x->operation);
                else if (strcmp(key, "attributes") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_ATTRIBUTES, &x->attributes);
                else
                        r = unknown(c, p, key);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_actor(struct ctx *c, const char *p, json_object *o,
                       struct sflow_flow_app_actor *x) {
        int r = 0;
        json_dl_object_foreach(o, key, v) {
                if (strcmp(key, "actor") == 0)
                        r = get_str(c, p, key, v, SFLOW_APP_MAX_ACTOR, &x->actor);
                else
                        r = unknown(c, p, key);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* extended_socket_ipv4 / _ipv6: the addresses are written to local and remote (4 or 16 bytes). */
static int parse_socket(struct ctx *c, const char *p, json_object *o, int family,
                        uint32_t *protocol, uint8_t *local, uint8_t *remote, uint32_t *lport,
                        uint32_t *rport) {
        int r = 0;
        json_dl_object_foreach(o, key, v) {
                uint64_t u;
                if (strcmp(key, "protocol") == 0) {
                        r = get_uint(c, p, key, v, 255, &u);
                        *protocol = (uint32_t)u;
                } else if (strcmp(key, "local_ip") == 0)
                        r = get_addr(c, p, key, v, family, local);
                else if (strcmp(key, "remote_ip") == 0)
                        r = get_addr(c, p, key, v, family, remote);
                else if (strcmp(key, "local_port") == 0)
                        r = get_port(c, p, key, v, lport);
                else if (strcmp(key, "remote_port") == 0)
                        r = get_port(c, p, key, v, rport);
                else
                        r = unknown(c, p, key);
                if (r < 0)
                        return r;
        }
        return 0;
}

static struct sflow_record *add(struct js_flow *f, uint32_t tag) {
        struct sflow_record *rec = &f->records[f->n_records++];
        memset(rec, 0, sizeof(*rec));
        rec->tag = tag;
        rec->known = true;
        return rec;
}

static int parse_flow(struct ctx *c, json_object *o, struct js_flow *f) {
        const char *p = "flow_sample";
        json_object *op = NULL, *ctx = NULL, *init = NULL, *tgt = NULL, *s4 = NULL, *s6 = NULL;
        bool have_app = false;
        uint32_t port = 0;
        int r = 0;

        memset(f, 0, sizeof(*f));
        f->sampling_rate = 1;
        json_dl_object_foreach(o, key, v) {
                json_object **sub = NULL;
                if (strcmp(key, "app_name") == 0) {
                        r = get_app(c, p, v, &f->app);
                        have_app = true;
                } else if (strcmp(key, "service_port") == 0)
                        r = get_port(c, p, key, v, &port);
                else if (strcmp(key, "client") == 0)
                        r = get_bool(c, p, key, v, &f->client);
                else if (strcmp(key, "sampling_rate") == 0)
                        r = get_u32(c, p, key, v, &f->sampling_rate);
                else if (strcmp(key, "app_operation") == 0)
                        sub = &op;
                else if (strcmp(key, "app_parent_context") == 0)
                        sub = &ctx;
                else if (strcmp(key, "app_initiator") == 0)
                        sub = &init;
                else if (strcmp(key, "app_target") == 0)
                        sub = &tgt;
                else if (strcmp(key, "extended_socket_ipv4") == 0)
                        sub = &s4;
                else if (strcmp(key, "extended_socket_ipv6") == 0)
                        sub = &s6;
                else
                        r = unknown(c, p, key);
                if (sub && (r = get_object(c, p, key, v)) == 0)
                        *sub = v;
                if (r < 0)
                        return r;
        }
        if (!have_app)
                return bad(c, "flow_sample.app_name: missing");
        if (!op)
                return bad(c, "flow_sample.app_operation: missing");
        f->app.port = (uint16_t)port;
        if (f->sampling_rate == 0)
                f->sampling_rate = 1;
        struct sflow_record *rec = add(f, SFLOW_FLOW_APP);
        if ((r = parse_operation(c, op, &rec->u.app_op)) < 0)
                return r;
        f->status = rec->u.app_op.status;
        if (ctx && (r = parse_context(c, ctx, &add(f, SFLOW_FLOW_APP_CTXT)->u.app_ctxt)) < 0)
                return r;
        if (init && (r = parse_actor(c, "flow_sample.app_initiator", init,
                                     &add(f, SFLOW_FLOW_APP_ACTOR_INIT)->u.app_actor)) < 0)
                return r;
        if (tgt && (r = parse_actor(c, "flow_sample.app_target", tgt,
                                    &add(f, SFLOW_FLOW_APP_ACTOR_TGT)->u.app_actor)) < 0)
                return r;
        if (s4) {
                struct sflow_flow_socket4 *s = &add(f, SFLOW_FLOW_SOCKET4)->u.socket4;
                r = parse_socket(c, "flow_sample.extended_socket_ipv4", s4, AF_INET, &s->protocol,
                                 s->local, s->remote, &s->local_port, &s->remote_port);
                if (r < 0)
                        return r;
        }
        if (s6) {
                struct sflow_flow_socket6 *s = &add(f, SFLOW_FLOW_SOCKET6)->u.socket6;
                r = parse_socket(c, "flow_sample.extended_socket_ipv6", s6, AF_INET6, &s->protocol,
                                 s->local, s->remote, &s->local_port, &s->remote_port);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- counter_sample ---- */

/* Members of a counter block, by name, into consecutive uint32_t (counters missing = all ones,
 * gauges missing = 0, as the reference sends them). */
struct member {
        const char *name;
        size_t off;
        bool wide;    /* uint64_t */
        bool counter; /* missing = 0xffffffff */
};

static int parse_block(struct ctx *c, const char *p, json_object *o, const struct member *m,
                       size_t n, void *base) {
        for (size_t i = 0; i < n; i++)
                if (m[i].counter)
                        *(uint32_t *)(void *)((char *)base + m[i].off) = UINT32_MAX;
        int r = 0;
        json_dl_object_foreach(o, key, v) {
                size_t i = 0;
                while (i < n && strcmp(m[i].name, key) != 0)
                        i++;
                if (i == n)
                        r = unknown(c, p, key);
                else if (m[i].wide)
                        r = get_u64(c, p, key, v, (uint64_t *)(void *)((char *)base + m[i].off));
                else
                        r = get_u32(c, p, key, v, (uint32_t *)(void *)((char *)base + m[i].off));
                if (r < 0)
                        return r;
        }
        return 0;
}

#define OPS(f)                                                                                     \
        { #f, offsetof(struct sflow_ctr_app, f), false, true }
static const struct member ops_members[] = {
        OPS(success),     OPS(other),       OPS(timeout),      OPS(internal_error),
        OPS(bad_request), OPS(forbidden),   OPS(too_large),    OPS(not_implemented),
        OPS(not_found),   OPS(unavailable), OPS(unauthorized),
};
#define RES(f, w)                                                                                  \
        { #f, offsetof(struct sflow_ctr_app_resources, f), w, false }
static const struct member res_members[] = {
        RES(user_time, false), RES(system_time, false), RES(mem_used, true),   RES(mem_max, true),
        RES(fd_open, false),   RES(fd_max, false),      RES(conn_open, false), RES(conn_max, false),
};
#define WRK(f, cnt)                                                                                \
        { #f, offsetof(struct sflow_ctr_app_workers, f), false, cnt }
static const struct member workers_members[] = {
        WRK(workers_active, false), WRK(workers_idle, false), WRK(workers_max, false),
        WRK(req_delayed, true),     WRK(req_dropped, true),
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static int parse_counters(struct ctx *c, json_object *o, struct js_counters *k) {
        const char *p = "counter_sample";
        bool have_app = false;
        uint32_t port = 0;
        int r = 0;

        memset(k, 0, sizeof(*k));
        json_dl_object_foreach(o, key, v) {
                if (strcmp(key, "app_name") == 0) {
                        r = get_app(c, p, v, &k->app);
                        have_app = true;
                } else if (strcmp(key, "service_port") == 0)
                        r = get_port(c, p, key, v, &port);
                else if (strcmp(key, "app_operations") == 0) {
                        if ((r = get_object(c, p, key, v)) == 0)
                                r = parse_block(c, "counter_sample.app_operations", v, ops_members,
                                                N(ops_members), &k->ops);
                        k->has_ops = true;
                } else if (strcmp(key, "app_resources") == 0) {
                        if ((r = get_object(c, p, key, v)) == 0)
                                r = parse_block(c, "counter_sample.app_resources", v, res_members,
                                                N(res_members), &k->res);
                        k->has_res = true;
                } else if (strcmp(key, "app_workers") == 0) {
                        if ((r = get_object(c, p, key, v)) == 0)
                                r = parse_block(c, "counter_sample.app_workers", v, workers_members,
                                                N(workers_members), &k->workers);
                        k->has_workers = true;
                } else
                        r = unknown(c, p, key);
                if (r < 0)
                        return r;
        }
        if (!have_app)
                return bad(c, "counter_sample.app_name: missing");
        k->app.port = (uint16_t)port;
        return 0;
}

/* ---- rtmetric, rtflow ---- */

static const char *const rtm_names[SFLOW_RTM_NUM_TYPES] = {
        "string", "counter32", "counter64", "gauge32", "gauge64", "gaugeFloat", "gaugeDouble",
};
static const char *const rtf_names[SFLOW_RTF_NUM_TYPES] = {
        "string", "mac", "ip", "ip6", "int32", "int64", "float", "double",
};

/* [A-Za-z0-9_-]{1,64}; a data source name must not start with a digit. */
static bool rt_name_ok(const char *s, bool dsname) {
        size_t n = strlen(s);
        if (n == 0 || n > SFLOW_RT_MAX_NAME || (dsname && isdigit((unsigned char)s[0])))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}

static int get_mac(struct ctx *c, const char *p, const char *key, json_object *v, uint8_t *mac) {
        const char *s =
                sym_json_object_is_type(v, json_type_string) ? sym_json_object_get_string(v) : "";
        unsigned n = 0;
        for (; *s && n < 12; s++) {
                int d = isdigit((unsigned char)*s)    ? *s - '0'
                        : isxdigit((unsigned char)*s) ? tolower((unsigned char)*s) - 'a' + 10
                                                      : -1;
                if (d < 0 && (*s == ':' || *s == '-') && n % 2 == 0 && n > 0)
                        continue;
                if (d < 0)
                        break;
                mac[n / 2] = (uint8_t)(n % 2 ? mac[n / 2] | d : d << 4);
                n++;
        }
        if (n != 12 || *s)
                return bad(c, "%s.%s.value: not a MAC address", p, key);
        return 0;
}

static int get_real(struct ctx *c, const char *p, const char *key, json_object *v, bool single,
                    double *ret) {
        if (!sym_json_object_is_type(v, json_type_double) &&
            !sym_json_object_is_type(v, json_type_int))
                return bad(c, "%s.%s.value: not a number", p, key);
        double d = sym_json_object_get_double(v);
        if (!isfinite(d) || (single && fabs(d) > FLT_MAX))
                return bad(c, "%s.%s.value: out of range for a %s", p, key,
                           single ? "float" : "double");
        *ret = d;
        return 0;
}

/* One {"type": ..., "value": ...} entry. */
static int parse_rt_entry(struct ctx *c, const char *p, const char *key, json_object *o,
                          bool metric, struct sflow_rt_entry *x) {
        json_object *t = NULL, *v = NULL;
        const char *const *names = metric ? rtm_names : rtf_names;
        unsigned ntypes = metric ? SFLOW_RTM_NUM_TYPES : SFLOW_RTF_NUM_TYPES;
        char sub[96];
        int r = 0;

        snprintf(sub, sizeof(sub), "%s.%s", p, key);
        if (!rt_name_ok(key, false))
                return bad(c, "%s: bad name \"%.64s\" (allowed: [A-Za-z0-9_-]{1,64})", p, key);
        if (!sym_json_object_is_type(o, json_type_object))
                return bad(c, "%s: not an object", sub);
        json_dl_object_foreach(o, k, val) {
                if (strcmp(k, "type") == 0)
                        t = val;
                else if (strcmp(k, "value") == 0)
                        v = val;
                else
                        return unknown(c, sub, k);
        }
        if (!t || !v)
                return bad(c, "%s: %s missing", sub, t ? "value" : "type");
        const char *tn =
                sym_json_object_is_type(t, json_type_string) ? sym_json_object_get_string(t) : "";
        x->type = ntypes;
        for (unsigned i = 0; i < ntypes; i++)
                if (strcmp(tn, names[i]) == 0)
                        x->type = i;
        if (x->type == ntypes)
                return bad(c, "%s.type: unknown type \"%.32s\"", sub, tn);
        x->name = (struct sflow_string){key, (uint32_t)strlen(key)};
        size_t nbytes;
        double d;
        switch (sflow_rt_value_kind(metric, x->type, &nbytes)) {
        case SFLOW_RT_V_STRING:
                return get_str(c, sub, "value", v, SFLOW_RT_MAX_STRING, &x->v.str);
        case SFLOW_RT_V_U32:
                return get_u32(c, sub, "value", v, &x->v.u32);
        case SFLOW_RT_V_U64:
                return get_u64(c, sub, "value", v, &x->v.u64);
        case SFLOW_RT_V_FLOAT:
                if ((r = get_real(c, p, key, v, true, &d)) == 0)
                        x->v.f = (float)d;
                return r;
        case SFLOW_RT_V_DOUBLE:
                if ((r = get_real(c, p, key, v, false, &d)) == 0)
                        x->v.d = d;
                return r;
        default:
                if (x->type == SFLOW_RTF_MAC)
                        return get_mac(c, p, key, v, x->v.bytes);
                return get_addr(c, sub, "value", v, x->type == SFLOW_RTF_IP ? AF_INET : AF_INET6,
                                x->v.bytes);
        }
}

static int parse_rt(struct ctx *c, json_object *o, bool metric, struct sflow_sample *s) {
        const char *p = metric ? "rtmetric" : "rtflow";
        int r = 0;

        memset(s, 0, offsetof(struct sflow_sample, records));
        s->tag = metric ? SFLOW_SAMPLE_RTMETRIC : SFLOW_SAMPLE_RTFLOW;
        if (!metric)
                s->sampling_rate = 1;
        json_dl_object_foreach(o, key, v) {
                if (strcmp(key, "datasource") == 0) {
                        r = get_str(c, p, key, v, SFLOW_RT_MAX_NAME, &s->rt_datasource);
                        if (r == 0 && !rt_name_ok(s->rt_datasource.str, true))
                                r = bad(c,
                                        "%s.datasource: bad name (allowed: [A-Za-z0-9_-]{1,64}, "
                                        "not starting with a digit)",
                                        p);
                } else if (!metric && strcmp(key, "sampling_rate") == 0) {
                        r = get_u32(c, p, key, v, &s->sampling_rate);
                        if (s->sampling_rate == 0)
                                s->sampling_rate = 1;
                } else if (s->num_records >= SFLOW_MAX_RECORDS)
                        r = bad(c, "%s: more than %d entries", p, SFLOW_MAX_RECORDS);
                else {
                        struct sflow_record *rec = &s->records[s->num_records++];
                        memset(rec, 0, sizeof(*rec));
                        rec->known = true;
                        r = parse_rt_entry(c, p, key, v, metric, &rec->u.rt);
                }
                if (r < 0)
                        return r;
        }
        if (s->num_records == 0)
                return bad(c, "%s: no entries", p);
        return 0;
}

/* ---- the document ---- */

int js_parse(const char *text, size_t len, struct js_msg *m, struct json_object **ret_root,
             char *why, size_t whylen) {
        struct ctx c = {why, whylen};
        json_tokener *tok;
        json_object *root;
        int r = 0;

        m->kinds = 0;
        if (len > JS_MAX_DOC)
                return bad(&c, "%zu bytes, larger than %d", len, JS_MAX_DOC);
        if (!(tok = sym_json_tokener_new_ex(16)))
                return bad(&c, "out of memory");
        sym_json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = sym_json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error err = sym_json_tokener_get_error(tok);
        size_t end = sym_json_tokener_get_parse_end(tok);
        sym_json_tokener_free(tok);
        if (!root || err != json_tokener_success) {
                sym_json_object_put(root);
                return bad(&c, "not JSON: %s at byte %zu",
                           sym_json_tokener_error_desc(
                                   err == json_tokener_success ? json_tokener_continue : err),
                           end);
        }
        for (size_t i = end; i < len; i++)
                if (!isspace((unsigned char)text[i])) {
                        sym_json_object_put(root);
                        return bad(&c, "text after the document at byte %zu", i);
                }
        m->kinds = 0;
        if (!sym_json_object_is_type(root, json_type_object))
                r = bad(&c, "not a JSON object");
        else {
                json_dl_object_foreach(root, key, v) {
                        unsigned kind = strcmp(key, "flow_sample") == 0      ? JS_FLOW
                                        : strcmp(key, "counter_sample") == 0 ? JS_COUNTERS
                                        : strcmp(key, "rtmetric") == 0       ? JS_RTMETRIC
                                        : strcmp(key, "rtflow") == 0         ? JS_RTFLOW
                                                                             : 0;
                        if (!kind)
                                r = bad(&c,
                                        "unknown member \"%.64s\" (allowed: flow_sample "
                                        "counter_sample rtmetric rtflow)",
                                        key);
                        else if (!sym_json_object_is_type(v, json_type_object))
                                r = bad(&c, "%s: not an object", key);
                        else if (kind == JS_FLOW)
                                r = parse_flow(&c, v, &m->flow);
                        else if (kind == JS_COUNTERS)
                                r = parse_counters(&c, v, &m->counters);
                        else
                                r = parse_rt(&c, v, kind == JS_RTMETRIC,
                                             kind == JS_RTMETRIC ? &m->rtmetric : &m->rtflow);
                        if (r < 0)
                                break;
                        m->kinds |= kind;
                }
                if (r == 0 && m->kinds == 0)
                        r = bad(&c, "empty object (allowed: flow_sample counter_sample rtmetric "
                                    "rtflow)");
        }
        if (r < 0) {
                m->kinds = 0;
                sym_json_object_put(root);
                return r;
        }
        *ret_root = root;
        return 0;
}
