/* docker-json.c - Docker Engine API answers (JSON) into plain structs; no I/O, no logging. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "json-dl.h"
#include "module.h"

#define STREAM_OBJECT_MAX (1024 * 1024) /* an event larger than this is malformed */

bool dk_valid_id(const char *s, size_t len) {
        if (len != DK_ID_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

uint32_t dk_ds_index(const char *id, unsigned probe) {
        return hsp_ds_index_hash(id, probe);
}

static unsigned hexval(char c) {
        if (c >= '0' && c <= '9')
                return (unsigned)(c - '0');
        if (c >= 'a' && c <= 'f')
                return (unsigned)(c - 'a' + 10);
        if (c >= 'A' && c <= 'F')
                return (unsigned)(c - 'A' + 10);
        return 0;
}

void dk_uuid(const char *id, uint8_t uuid[16]) {
        size_t n = strlen(id);
        for (size_t i = 0; i < 16; i++)
                uuid[i] = 2 * i + 1 < n ? (uint8_t)(hexval(id[2 * i]) << 4 | hexval(id[2 * i + 1]))
                                        : 0;
}

int dk_parse_mac(const char *s, uint8_t mac[6]) {
        uint8_t m[6];
        for (int i = 0; i < 6; i++) {
                const char *p = s + 3 * i;
                for (int k = 0; k < 2; k++) {
                        char c = p[k];
                        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                              (c >= 'A' && c <= 'F')))
                                return -EINVAL;
                }
                if (p[2] != (i == 5 ? '\0' : ':'))
                        return -EINVAL;
                m[i] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
        }
        memcpy(mac, m, 6);
        return 0;
}

/* ---- typed getters: a member of the wrong type counts as missing ---- */

static json_object *get(json_object *o, const char *key, json_type type) {
        json_object *v;
        if (!o || !sym_json_object_is_type(o, json_type_object) ||
            !sym_json_object_object_get_ex(o, key, &v) || !sym_json_object_is_type(v, type))
                return NULL;
        return v;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v = get(o, key, json_type_string);
        return v ? sym_json_object_get_string(v) : NULL;
}

static bool get_i64(json_object *o, const char *key, int64_t *ret) {
        json_object *v = get(o, key, json_type_int);
        if (!v)
                return false;
        *ret = sym_json_object_get_int64(v);
        return true;
}

static void copy_str(char *dst, size_t size, const char *src) {
        size_t n = src ? strlen(src) : 0;
        if (n >= size)
                n = size - 1;
        if (n)
                memcpy(dst, src, n);
        dst[n] = '\0';
}

static json_object *parse_whole(const char *body, size_t len) {
        if (!body || len == 0 || len > (size_t)INT32_MAX)
                return NULL;
        json_tokener *tok = sym_json_tokener_new();
        if (!tok)
                return NULL;
        json_object *o = sym_json_tokener_parse_ex(tok, body, (int)len);
        /* the whole body must be one value (trailing blanks allowed) */
        if (o) {
                for (size_t i = sym_json_tokener_get_parse_end(tok); i < len; i++)
                        if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' &&
                            body[i] != '\t') {
                                sym_json_object_put(o);
                                o = NULL;
                                break;
                        }
        }
        sym_json_tokener_free(tok);
        return o;
}

/* "1.41" -> 41 */
static int parse_api(const char *s, unsigned *ret) {
        if (!s || s[0] != '1' || s[1] != '.' || s[2] < '0' || s[2] > '9')
                return -EINVAL;
        char *end;
        unsigned long v = strtoul(s + 2, &end, 10);
        if (*end || v > 1000)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int dk_json_version(const char *body, size_t len, struct dk_version *ret) {
        json_object *o = parse_whole(body, len);
        if (!o)
                return -EBADMSG;
        struct dk_version v = {0};
        int r = parse_api(get_str(o, "ApiVersion"), &v.api_minor);
        if (r == 0 && get_str(o, "MinAPIVersion") &&
            parse_api(get_str(o, "MinAPIVersion"), &v.min_minor) < 0)
                v.min_minor = 0;
        sym_json_object_put(o);
        if (r < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

int dk_api_choose(const struct dk_version *v, unsigned *ret_minor) {
        unsigned m = v->api_minor < DK_API_NEWEST_MINOR ? v->api_minor : DK_API_NEWEST_MINOR;
        int r = 0;
        if (m < v->min_minor) {
                m = v->min_minor;
                r = -EPROTONOSUPPORT;
        }
        *ret_minor = m;
        return r;
}

int dk_json_containers(const char *body, size_t len, dk_id_fn fn, void *userdata) {
        json_object *o = parse_whole(body, len);
        if (!o)
                return -EBADMSG;
        if (!sym_json_object_is_type(o, json_type_array)) {
                sym_json_object_put(o);
                return -EBADMSG;
        }
        int n = 0;
        size_t count = sym_json_object_array_length(o);
        for (size_t i = 0; i < count; i++) {
                const char *id = get_str(sym_json_object_array_get_idx(o, i), "Id");
                if (!id || !dk_valid_id(id, strlen(id)))
                        continue;
                fn(id, userdata);
                n++;
        }
        sym_json_object_put(o);
        return n;
}

/* "0-3,5" -> 5 */
static uint32_t cpuset_count(const char *s) {
        uint32_t n = 0;
        while (s && *s) {
                char *end;
                unsigned long a = strtoul(s, &end, 10), b = a;
                if (end == s)
                        return 0;
                if (*end == '-') {
                        const char *q = end + 1;
                        b = strtoul(q, &end, 10);
                        if (end == q || b < a)
                                return 0;
                }
                if (b - a > 65536)
                        return 0;
                n += (uint32_t)(b - a + 1);
                if (*end == ',')
                        end++;
                else if (*end)
                        return 0;
                s = end;
        }
        return n;
}

static void add_mac(struct dk_inspect *c, const char *s) {
        uint8_t mac[6];
        if (!s || dk_parse_mac(s, mac) < 0 || c->n_macs >= DK_MAX_MACS)
                return;
        for (unsigned i = 0; i < c->n_macs; i++)
                if (memcmp(c->macs[i], mac, 6) == 0)
                        return;
        memcpy(c->macs[c->n_macs++], mac, 6);
}

int dk_json_inspect(const char *body, size_t len, struct dk_inspect *ret) {
        json_object *o = parse_whole(body, len);
        if (!o)
                return -EBADMSG;
        struct dk_inspect *c = calloc(1, sizeof *c);
        if (!c) {
                sym_json_object_put(o);
                return -ENOMEM;
        }
        int r = -EBADMSG;
        const char *id = get_str(o, "Id");
        json_object *state = get(o, "State", json_type_object);
        json_object *running = get(state, "Running", json_type_boolean);
        int64_t pid;
        if (!id || !dk_valid_id(id, strlen(id)) || !running || !get_i64(state, "Pid", &pid) ||
            pid < 0 || pid > INT32_MAX)
                goto out;
        memcpy(c->id, id, DK_ID_MAX + 1);
        c->running = sym_json_object_get_boolean(running);
        json_object *paused = get(state, "Paused", json_type_boolean);
        c->paused = paused && sym_json_object_get_boolean(paused);
        c->pid = (pid_t)pid;
        const char *name = get_str(o, "Name");
        if (name && name[0] == '/')
                name++;
        copy_str(c->name, sizeof c->name, name);
        copy_str(c->hostname, sizeof c->hostname,
                 get_str(get(o, "Config", json_type_object), "Hostname"));
        json_object *hc = get(o, "HostConfig", json_type_object);
        int64_t v, quota, period;
        if (get_i64(hc, "Memory", &v) && v > 0)
                c->memory_limit = (uint64_t)v;
        if (get_i64(hc, "NanoCpus", &v) && v > 0 && v < INT64_MAX - 999999999)
                c->cpus = (uint32_t)((v + 999999999) / 1000000000);
        else if (get_i64(hc, "CpuQuota", &quota) && get_i64(hc, "CpuPeriod", &period) &&
                 quota > 0 && period > 0 && quota < INT64_MAX - period)
                c->cpus = (uint32_t)((quota + period - 1) / period);
        if (!c->cpus)
                c->cpus = cpuset_count(get_str(hc, "CpusetCpus"));
        json_object *ns = get(o, "NetworkSettings", json_type_object);
        add_mac(c, get_str(ns, "MacAddress"));
        json_object *nets = get(ns, "Networks", json_type_object);
        if (nets) {
                json_dl_object_foreach(nets, key, net) {
                        (void)key;
                        add_mac(c, get_str(net, "MacAddress"));
                }
        }
        *ret = *c;
        r = 0;
out:
        free(c);
        sym_json_object_put(o);
        return r;
}

/* ---- the event stream ---- */

static const struct {
        const char *name;
        enum dk_action action;
} actions[] = {
        {"start", DK_EV_START}, {"die", DK_EV_DIE},         {"stop", DK_EV_STOP},
        {"kill", DK_EV_KILL},   {"oom", DK_EV_OOM},         {"destroy", DK_EV_DESTROY},
        {"pause", DK_EV_PAUSE}, {"unpause", DK_EV_UNPAUSE}, {"rename", DK_EV_RENAME},
};

/* A parsed stream object into ev; false when it is not a container event we can use. */
static bool to_event(json_object *o, struct dk_event *ev) {
        const char *type = get_str(o, "Type");
        if (type && strcmp(type, "container") != 0)
                return false;
        const char *action = get_str(o, "Action");
        if (!action)
                action = get_str(o, "status"); /* engines before API 1.22 */
        json_object *actor = get(o, "Actor", json_type_object);
        const char *id = get_str(actor, "ID");
        if (!id)
                id = get_str(o, "id");
        if (!action || !id || !dk_valid_id(id, strlen(id)))
                return false;
        memset(ev, 0, sizeof *ev);
        ev->action = DK_EV_OTHER;
        for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
                if (strcmp(action, actions[i].name) == 0)
                        ev->action = actions[i].action;
        memcpy(ev->id, id, DK_ID_MAX + 1);
        const char *name = get_str(get(actor, "Attributes", json_type_object), "name");
        copy_str(ev->name, sizeof ev->name, name);
        return true;
}

int dk_stream_init(struct dk_stream *s) {
        memset(s, 0, sizeof *s);
        s->tok = sym_json_tokener_new();
        return s->tok ? 0 : -ENOMEM;
}

void dk_stream_free(struct dk_stream *s) {
        if (s->tok)
                sym_json_tokener_free(s->tok);
        s->tok = NULL;
}

void dk_stream_reset(struct dk_stream *s) {
        if (s->tok)
                sym_json_tokener_reset(s->tok);
        s->pending = 0;
        s->skipping = false;
}

void dk_stream_feed(struct dk_stream *s, const char *data, size_t len, dk_event_fn fn,
                    void *userdata) {
        while (len > 0 && s->tok) {
                if (s->skipping) {
                        /* after malformed input: drop everything up to the next line end */
                        const char *nl = memchr(data, '\n', len);
                        if (!nl)
                                return;
                        len -= (size_t)(nl + 1 - data);
                        data = nl + 1;
                        s->skipping = false;
                        continue;
                }
                int chunk = len > INT32_MAX ? INT32_MAX : (int)len;
                json_object *o = sym_json_tokener_parse_ex(s->tok, data, chunk);
                enum json_tokener_error err = sym_json_tokener_get_error(s->tok);
                size_t used = sym_json_tokener_get_parse_end(s->tok);
                if (used > (size_t)chunk || err == json_tokener_continue)
                        used = (size_t)chunk;
                if (o) {
                        struct dk_event ev;
                        if (sym_json_object_is_type(o, json_type_object) && to_event(o, &ev))
                                fn(&ev, userdata);
                        else if (!sym_json_object_is_type(o, json_type_object))
                                s->errors++;
                        sym_json_object_put(o);
                        s->pending = 0;
                        sym_json_tokener_reset(s->tok);
                } else if (err == json_tokener_continue) {
                        s->pending += used;
                        if (s->pending > STREAM_OBJECT_MAX) {
                                s->errors++;
                                dk_stream_reset(s);
                                s->skipping = true;
                        }
                } else {
                        /* skip from the offending byte (perhaps the line end itself) to
                         * the next line end */
                        s->errors++;
                        sym_json_tokener_reset(s->tok);
                        s->pending = 0;
                        s->skipping = true;
                }
                data += used;
                len -= used;
        }
}
