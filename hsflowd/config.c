/* config.c - hsflowd.conf tokenizer and table-driven parser. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config-internal.h"
#include "log.h"

#define HSP_CONF_MAX_FILE (16u << 20)

static const struct hsp_keyword no_keywords[] = {HSP_KEYWORDS_END};

/* ---- Keyword lookup and messages ---- */

static unsigned edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned row[65];

        if (la > 64 || lb > 64)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                row[j] = (unsigned)j;
        for (size_t i = 1; i <= la; i++) {
                unsigned prev = row[0];
                row[0] = (unsigned)i;
                for (size_t j = 1; j <= lb; j++) {
                        unsigned tmp = row[j];
                        unsigned cost = tolower((unsigned char)a[i - 1]) !=
                                        tolower((unsigned char)b[j - 1]);
                        unsigned best = row[j] + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        if (prev + cost < best)
                                best = prev + cost;
                        row[j] = best;
                        prev = tmp;
                }
        }
        return row[lb];
}

struct suggest {
        const char *word, *best;
        unsigned dist;
};

static void consider(struct suggest *s, const char *cand) {
        unsigned d = edit_distance(s->word, cand);
        if (d <= 2 && d < strlen(s->word) && d < s->dist) {
                s->best = cand;
                s->dist = d;
        }
}

static const char *hint(const struct suggest *s, char *buf, size_t len) {
        if (!s->best)
                return "";
        snprintf(buf, len, " (did you mean '%s'?)", s->best);
        return buf;
}

static const struct hsp_keyword *find_kw(const struct hsp_keyword *kws, const char *name) {
        for (; kws->name; kws++)
                if (strcasecmp(kws->name, name) == 0)
                        return kws;
        return NULL;
}

static const struct hsp_conf_keyword *find_conf_kw(const char *name) {
        for (const struct hsp_conf_keyword *k = hsp_conf_keywords; k->kw.name; k++)
                if (strcasecmp(k->kw.name, name) == 0)
                        return k;
        return NULL;
}

static const struct hsp_module *find_module(const struct parser *p, const char *name) {
        for (const struct hsp_module *const *m = p->modules; m && *m; m++)
                if ((*m)->name && strcasecmp((*m)->name, name) == 0)
                        return *m;
        return NULL;
}

static const struct hsp_foreign_block *find_foreign(const char *name) {
        for (const struct hsp_foreign_block *f = hsp_foreign_blocks; f->name; f++)
                if (strcasecmp(f->name, name) == 0)
                        return f;
        return NULL;
}

/* "a b c": the names of a keyword table, for "(allowed: ...)". */
static const char *kw_list(const struct hsp_keyword *kws, char *buf, size_t len) {
        size_t off = 0;
        buf[0] = '\0';
        for (; kws->name && off < len; kws++) {
                int k = snprintf(buf + off, len - off, "%s%s", off ? " " : "", kws->name);
                if (k < 0)
                        break;
                off += (size_t)k;
        }
        if (!buf[0])
                snprintf(buf, len, "no keywords");
        return buf;
}

/* ---- Values ---- */

static char *xstrdup(struct parser *p, const char *s, int *r) {
        char *d = strdup(s);
        *r = d ? 0 : config_oom(p);
        return d;
}

/* Store the value token v of keyword kw (written as key) into base + kw->offset. */
static int set_value(struct parser *p, const struct hsp_keyword *kw, void *base,
                     const struct tok *key, const struct tok *v) {
        char *field = (char *)base + kw->offset;
        char errbuf[256];
        regex_t re;
        int r;

        switch (kw->type) {
        case HSP_KW_UINT: {
                uint64_t x, min = kw->min, max = kw->max;
                if (min == 0 && max == 0)
                        max = UINT32_MAX;
                if (max > UINT32_MAX)
                        max = UINT32_MAX;
                r = hsp_parse_scaled(v->s, &x);
                if (r == -EINVAL)
                        return FAIL(p, v, key->s,
                                    "bad number '%s' (allowed: %llu..%llu, K/M/G suffixes)", v->s,
                                    (unsigned long long)min, (unsigned long long)max);
                if (r < 0 || x < min || x > max)
                        return FAIL(p, v, key->s, "value %s out of range (allowed: %llu..%llu)",
                                    v->s, (unsigned long long)min, (unsigned long long)max);
                *(uint32_t *)(void *)field = (uint32_t)x;
                return 0;
        }
        case HSP_KW_BOOL:
                if (hsp_parse_bool(v->s, (bool *)field) < 0)
                        return FAIL(p, v, key->s, "bad boolean '%s' (allowed: on off)", v->s);
                return 0;
        case HSP_KW_REGEX: {
                const char *why = NULL;
                if (hsp_regex_check(v->s, &why) < 0)
                        return FAIL(p, v, key->s,
                                    "bad regex '%.80s': %s (allowed: a POSIX "
                                    "extended regex)",
                                    v->s, why);
                r = regcomp(&re, v->s, REG_EXTENDED | REG_NOSUB);
                if (r != 0) {
                        regerror(r, &re, errbuf, sizeof errbuf);
                        return FAIL(p, v, key->s,
                                    "bad regex '%.80s': %s (allowed: a POSIX extended regex)", v->s,
                                    errbuf);
                }
                regfree(&re);
        }
                __attribute__((fallthrough)); /* kept as a string */
        case HSP_KW_HOST:
        case HSP_KW_STRING: {
                char why[96];
                if (kw->type == HSP_KW_HOST && hsp_check_address(v->s, why, sizeof why) < 0)
                        return FAIL(p, v, key->s,
                                    "'%.80s' looks like an IP address but is not one: %s "
                                    "(allowed: an IPv4 or IPv6 address, or a host name)",
                                    v->s, why);
                char **sp = (char **)(void *)field;
                char *d = xstrdup(p, v->s, &r);
                if (r < 0)
                        return r;
                free(*sp);
                *sp = d;
                return 0;
        }
        case HSP_KW_SPEED_RANGE:
                if (hsp_parse_speed_range(v->s, (struct hsp_speed_range *)(void *)field) < 0)
                        return FAIL(p, v, key->s,
                                    "bad speed range '%s' (allowed: N, N-, N-M in bits/s with "
                                    "K/M/G/T/P suffixes, low <= high)",
                                    v->s);
                return 0;
        case HSP_KW_IGNORED:
                log_warning("%s:%u: %s is ignored%s%s", p->name, key->line, key->s,
                            kw->help ? ": " : "", kw->help ? kw->help : "");
                return 0;
        }
        return FAIL(p, key, key->s, "internal error: bad keyword type");
}

static int set_conf(struct parser *p, const struct hsp_conf_keyword *ck, const struct tok *key,
                    const struct tok *v) {
        struct hsp_config *c = p->c;
        int r;

        if (ck->deprecated && ck->kw.type == HSP_KW_IGNORED) {
                log_warning("%s:%u: %s is deprecated and ignored%s%s", p->name, key->line, key->s,
                            ck->deprecated[0] ? ": use " : "", ck->deprecated);
                return 0;
        }
        if (ck->deprecated)
                log_warning("%s:%u: %s is deprecated, use %s instead", p->name, key->line, key->s,
                            ck->deprecated);
        switch (ck->special) {
        case HSP_CONF_CIDR: {
                struct hsp_cidr cidr;
                if (hsp_parse_cidr(v->s, &cidr) < 0) {
                        char why[96] = "not an IPv4 or IPv6 address", addr[INET6_ADDRSTRLEN + 8];
                        const char *a = v->s[0] == '!' ? v->s + 1 : v->s;
                        snprintf(addr, sizeof addr, "%.*s", (int)strcspn(a, "/"), a);
                        if (hsp_check_address(addr, why, sizeof why) > 0)
                                snprintf(why, sizeof why, "bad prefix length");
                        return FAIL(p, v, key->s,
                                    "bad address '%s' in agent.cidr: %s (allowed: %s)", v->s, why,
                                    ck->kw.help);
                }
                struct hsp_cidr *a = realloc(c->agent_cidrs, (c->n_agent_cidrs + 1) * sizeof *a);
                if (!a)
                        return config_oom(p);
                a[c->n_agent_cidrs++] = cidr;
                c->agent_cidrs = a;
                return 0;
        }
        case HSP_CONF_UUID: {
                char canon[37];
                if (hsp_parse_uuid(v->s, canon) < 0)
                        return FAIL(p, v, key->s, "bad UUID '%s' (allowed: %s)", v->s, ck->kw.help);
                char *d = xstrdup(p, canon, &r);
                if (r < 0)
                        return r;
                free(c->uuid);
                c->uuid = d;
                return 0;
        }
        case HSP_CONF_PLAIN:
                break;
        }
        if ((r = set_value(p, &ck->kw, c, key, v)) < 0)
                return r;
        if (ck->set_offset)
                *(bool *)((char *)c + ck->set_offset) = true;
        return 0;
}

/* sampling.<suffix> = N or polling.<suffix> = N. */
static int set_dotted(struct parser *p, const struct tok *key, const struct tok *v) {
        struct hsp_config *c = p->c;
        bool sampling = strncasecmp(key->s, "sampling.", 9) == 0;
        const char *suffix = key->s + (sampling ? 9 : 8);
        struct hsp_dotted **list = sampling ? &c->sampling_dotted : &c->polling_dotted;
        size_t *n = sampling ? &c->n_sampling_dotted : &c->n_polling_dotted;
        struct hsp_keyword kw = {key->s, HSP_KW_UINT, 0, 0, sampling ? 10000000 : 300, NULL};
        uint32_t value;
        uint64_t speed;
        int r;

        if (!*suffix)
                return FAIL(p, key, key->s, "missing suffix (allowed: %s.<speed>, %s.app.<name>%s)",
                            sampling ? "sampling" : "polling", sampling ? "sampling" : "polling",
                            sampling ? ", sampling.bps_ratio" : "");
        if ((r = set_value(p, &kw, &value, key, v)) < 0)
                return r;
        for (size_t i = 0; i < *n; i++) {
                if (strcasecmp((*list)[i].suffix, suffix) == 0) {
                        (*list)[i].value = value;
                        (*list)[i].line = key->line;
                        return 0;
                }
        }
        char *s = xstrdup(p, suffix, &r);
        if (r < 0)
                return r;
        for (char *q = s; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        struct hsp_dotted *a = realloc(*list, (*n + 1) * sizeof *a);
        if (!a) {
                free(s);
                return config_oom(p);
        }
        if (hsp_parse_scaled(s, &speed) < 0)
                speed = 0;
        a[(*n)++] =
                (struct hsp_dotted){.suffix = s, .speed = speed, .value = value, .line = key->line};
        *list = a;
        return 0;
}

/* ---- Blocks ---- */

/* "{ keyword value ... }" filling base through kws; p->i is at the '{'. */
static int parse_block(struct parser *p, const struct tok *name, const struct hsp_keyword *kws,
                       void *base) {
        char list[512], hbuf[96];
        int r;

        p->i++;
        for (;;) {
                const struct tok *k = &p->t[p->i];
                if (is_brace(k, '}')) {
                        p->i++;
                        return 0;
                }
                if (k->brace)
                        return FAIL(p, k, name->s, "unexpected '{' (allowed: %s)",
                                    kw_list(kws, list, sizeof list));
                p->i++;
                const struct hsp_keyword *kw = find_kw(kws, k->s);
                if (!kw) {
                        struct suggest s = {k->s, NULL, 99};
                        for (const struct hsp_keyword *x = kws; x->name; x++)
                                consider(&s, x->name);
                        return FAIL(p, k, k->s, "unknown keyword in %s block%s (allowed: %s)",
                                    name->s, hint(&s, hbuf, sizeof hbuf),
                                    kw_list(kws, list, sizeof list));
                }
                const struct tok *v = &p->t[p->i];
                if (is_brace(v, '{'))
                        return FAIL(p, k, k->s, "not a block (allowed in %s: %s)", name->s,
                                    kw_list(kws, list, sizeof list));
                if (v->brace)
                        return FAIL(p, k, k->s, "value missing");
                p->i++;
                if ((r = set_value(p, kw, base, k, v)) < 0)
                        return r;
        }
}

static int parse_collector(struct parser *p, const struct tok *name) {
        struct hsp_config *c = p->c;
        char list[256];
        struct hsp_collector_conf *a = realloc(c->collectors, (c->n_collectors + 1) * sizeof *a);
        if (!a)
                return config_oom(p);
        c->collectors = a;
        struct hsp_collector_conf *col = &a[c->n_collectors++];
        *col = (struct hsp_collector_conf){.udpport = SFLOW_DEFAULT_PORT, .line = name->line};
        int r = parse_block(p, name, hsp_collector_keywords, col);
        if (r < 0)
                return r;
        if (!col->ip)
                return FAIL(p, name, name->s, "ip is required (allowed: %s)",
                            kw_list(hsp_collector_keywords, list, sizeof list));
        return 0;
}

static int parse_module_block(struct parser *p, const struct tok *name,
                              const struct hsp_module *m) {
        struct hsp_config *c = p->c;
        char why[256] = "";

        if (!m->repeatable) {
                for (size_t i = 0; i < c->n_blocks; i++)
                        if (c->blocks[i].module == m)
                                return FAIL(p, name, name->s,
                                            "duplicate block, the first is at line %u (allowed: "
                                            "one %s block)",
                                            c->blocks[i].line, m->name);
        }
        struct hsp_block *a = realloc(c->blocks, (c->n_blocks + 1) * sizeof *a);
        if (!a)
                return config_oom(p);
        c->blocks = a;
        struct hsp_block *b = &a[c->n_blocks++];
        *b = (struct hsp_block){.module = m, .line = name->line};
        if (!(b->conf = calloc(1, m->conf_size ? m->conf_size : 1)))
                return config_oom(p);
        if (m->defaults)
                memcpy(b->conf, m->defaults, m->conf_size);
        int r = parse_block(p, name, m->keywords ? m->keywords : no_keywords, b->conf);
        if (r < 0)
                return r;
        if (m->validate && m->validate(b->conf, why, sizeof why) < 0)
                return FAIL(p, name, name->s, "%s", why[0] ? why : "invalid block");
        return 0;
}

/* Handle a block keyword. Returns 1 when name was one, 0 when it is not, negative on error. */
static int try_block(struct parser *p, const struct tok *name, bool opens) {
        const struct hsp_module *m = find_module(p, name->s);
        const struct hsp_foreign_block *f = NULL;
        bool core = strcasecmp(name->s, "collector") == 0 || strcasecmp(name->s, "dns-sd") == 0;
        int r;

        if (!core && !m && !(f = find_foreign(name->s)))
                return 0;
        if (f && f->enable && hsp_module_optional(f->name))
                return FAIL(
                        p, name, name->s,
                        "module '%s' is not built into this hsflowd: rebuild with ./configure %s",
                        f->name, f->enable);
        if (f && f->enable)
                return FAIL(p, name, name->s,
                            "module '%s' is not available in this version of hsflowd "
                            "(remove the block)",
                            f->name);
        if (f)
                return FAIL(p, name, name->s, "block '%s' is not supported by this agent", f->name);
        if (!opens)
                return FAIL(p, name, name->s, "expected '{' after %s (allowed: %s { ... })",
                            name->s, name->s);
        if (m)
                r = parse_module_block(p, name, m);
        else if (strcasecmp(name->s, "collector") == 0)
                r = parse_collector(p, name);
        else if (p->dnssd_line)
                return FAIL(p, name, name->s,
                            "duplicate block, the first is at line %u (allowed: one dns-sd block)",
                            p->dnssd_line);
        else {
                p->dnssd_line = name->line;
                p->c->dns_sd = true;
                r = parse_block(p, name, hsp_dnssd_keywords, p->c);
        }
        return r < 0 ? r : 1;
}

static int unknown_keyword(struct parser *p, const struct tok *k, bool opens) {
        struct suggest s = {k->s, NULL, 99};
        char hbuf[96];

        for (const struct hsp_conf_keyword *c = hsp_conf_keywords; c->kw.name; c++)
                consider(&s, c->kw.name);
        consider(&s, "collector");
        consider(&s, "dns-sd");
        for (const struct hsp_module *const *m = p->modules; m && *m; m++)
                if ((*m)->name)
                        consider(&s, (*m)->name);
        for (const struct hsp_foreign_block *f = hsp_foreign_blocks; f->name; f++)
                consider(&s, f->name);
        return FAIL(p, k, k->s, "unknown %s%s", opens ? "block" : "keyword",
                    hint(&s, hbuf, sizeof hbuf));
}

/* The contents of sflow { ... }; p->i is after the '{'. */
static int parse_sflow(struct parser *p) {
        int r;

        for (;;) {
                const struct tok *k = &p->t[p->i];
                if (is_brace(k, '}')) {
                        p->i++;
                        return 0;
                }
                if (k->brace)
                        return FAIL(p, k, "sflow",
                                    "unexpected '{' (allowed: a block name before it)");
                p->i++;
                const struct tok *v = &p->t[p->i];
                bool opens = is_brace(v, '{');
                if ((r = try_block(p, k, opens)) != 0) {
                        if (r < 0)
                                return r;
                        continue;
                }
                const struct hsp_conf_keyword *ck = find_conf_kw(k->s);
                bool dotted = strncasecmp(k->s, "sampling.", 9) == 0 ||
                              strncasecmp(k->s, "polling.", 8) == 0;
                if (opens || (!ck && !dotted))
                        return unknown_keyword(p, k, opens);
                if (v->brace)
                        return FAIL(p, k, k->s, "value missing");
                p->i++;
                r = ck ? set_conf(p, ck, k, v) : set_dotted(p, k, v);
                if (r < 0)
                        return r;
        }
}

static int parse_top(struct parser *p) {
        struct hsp_config *c = p->c;
        int r;

        if (p->n == 0)
                return config_fail(p, 1, 1, "sflow", "missing 'sflow {' (allowed: sflow { ... })");
        const struct tok *t = &p->t[0];
        if (t->brace || strcasecmp(t->s, "sflow") != 0)
                return FAIL(p, t, t->s, "missing 'sflow {' (allowed: sflow { ... } at the top)");
        if (p->n < 2 || !is_brace(&p->t[1], '{'))
                return FAIL(p, t, t->s, "missing '{' after sflow (allowed: sflow { ... })");
        p->i = 2;
        if ((r = parse_sflow(p)) < 0)
                return r;
        const struct tok *end = &p->t[p->i - 1];
        if (p->i < p->n) {
                t = &p->t[p->i];
                if (!t->brace && strcasecmp(t->s, "sflow") == 0)
                        return FAIL(p, t, t->s, "second sflow block (allowed: exactly one)");
                return FAIL(p, t, t->s, "unexpected after the sflow block (allowed: nothing)");
        }
        if (c->n_collectors == 0 && !c->dns_sd)
                return FAIL(p, end, "sflow",
                            "no collector defined (allowed: collector { ip=... } or dns-sd { })");
        return 0;
}

static void set_defaults(struct hsp_config *c) {
        for (const struct hsp_conf_keyword *k = hsp_conf_keywords; k->kw.name; k++)
                if (k->kw.type == HSP_KW_UINT)
                        *(uint32_t *)(void *)((char *)c + k->kw.offset) = k->def;
}

int hsp_config_parse_string(const char *text, size_t len, const char *name,
                            const struct hsp_module *const *modules, struct hsp_config **ret,
                            struct hsp_config_error *err) {
        struct hsp_config_error dummy;
        struct parser p = {
                .name = name ? name : "(string)", .modules = modules, .err = err ? err : &dummy};
        int r;

        p.err->line = p.err->column = 0;
        p.err->msg[0] = '\0';
        p.c = calloc(1, sizeof *p.c);
        if (!p.c)
                return config_oom(&p);
        set_defaults(p.c);
        if (!(p.c->path = strdup(p.name)))
                r = config_oom(&p);
        else if ((r = config_lex(&p, text ? text : "", text ? len : 0)) == 0)
                r = parse_top(&p);
        for (size_t i = 0; i < p.n; i++)
                free(p.t[i].s);
        free(p.t);
        if (r < 0) {
                hsp_config_free(p.c);
                return r;
        }
        /* Chain the blocks of each module now that the array no longer moves. */
        struct hsp_block *blocks = p.c->blocks;
        for (size_t i = 0; i < p.c->n_blocks; i++)
                for (size_t j = i + 1; j < p.c->n_blocks; j++)
                        if (blocks[j].module == blocks[i].module) {
                                blocks[i].next_same = &blocks[j];
                                break;
                        }
        *ret = p.c;
        return 0;
}

int hsp_config_parse_file(const char *path, const struct hsp_module *const *modules,
                          struct hsp_config **ret, struct hsp_config_error *err) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0, cap = 0;
        int r = 0;

        if (!f)
                r = -errno;
        while (f) {
                if (len == cap) {
                        char *b = cap >= HSP_CONF_MAX_FILE ? NULL
                                                           : realloc(buf, cap ? cap * 2 : 8192);
                        if (!b) {
                                r = cap >= HSP_CONF_MAX_FILE ? -EFBIG : -ENOMEM;
                                break;
                        }
                        buf = b;
                        cap = cap ? cap * 2 : 8192;
                }
                size_t k = fread(buf + len, 1, cap - len, f);
                len += k;
                if (k == 0) {
                        if (ferror(f))
                                r = -EIO;
                        break;
                }
        }
        if (f)
                fclose(f);
        if (r < 0) {
                free(buf);
                if (err) {
                        err->line = err->column = 0;
                        snprintf(err->msg, sizeof err->msg, "%s: cannot read: %s", path,
                                 strerror(-r));
                }
                return r;
        }
        r = hsp_config_parse_string(buf, len, path, modules, ret, err);
        free(buf);
        return r;
}

void hsp_config_free(struct hsp_config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->agent_ip);
        free(c->agent_dev);
        free(c->uuid);
        free(c->modules_path);
        free(c->dns_sd_domain);
        free(c->json_fifo);
        free(c->agent_cidrs);
        for (size_t i = 0; i < c->n_sampling_dotted; i++)
                free(c->sampling_dotted[i].suffix);
        free(c->sampling_dotted);
        for (size_t i = 0; i < c->n_polling_dotted; i++)
                free(c->polling_dotted[i].suffix);
        free(c->polling_dotted);
        for (size_t i = 0; i < c->n_collectors; i++) {
                free(c->collectors[i].ip);
                free(c->collectors[i].dev);
                free(c->collectors[i].namespace);
        }
        free(c->collectors);
        for (size_t i = 0; i < c->n_blocks; i++) {
                struct hsp_block *b = &c->blocks[i];
                if (b->conf && b->module->keywords) {
                        for (const struct hsp_keyword *k = b->module->keywords; k->name; k++) {
                                if (k->type != HSP_KW_STRING && k->type != HSP_KW_REGEX &&
                                    k->type != HSP_KW_HOST)
                                        continue;
                                char **sp = (char **)(void *)((char *)b->conf + k->offset);
                                free(*sp);
                                *sp = NULL; /* aliases share the offset */
                        }
                }
                free(b->conf);
        }
        free(c->blocks);
        free(c);
}

const struct hsp_block *hsp_config_find_block(const struct hsp_config *c, const char *module) {
        for (size_t i = 0; c && i < c->n_blocks; i++)
                if (strcasecmp(c->blocks[i].module->name, module) == 0)
                        return &c->blocks[i];
        return NULL;
}

/* ---- Copies (dns-sd applies its settings over a copy of the file's) ---- */

static int dup_str(char **s) {
        if (*s && !(*s = strdup(*s)))
                return -ENOMEM;
        return 0;
}

static int dup_array(void **p, size_t n, size_t size) {
        if (!*p)
                return 0;
        void *d = malloc(n ? n * size : 1);
        if (!d) {
                *p = NULL;
                return -ENOMEM;
        }
        memcpy(d, *p, n * size);
        *p = d;
        return 0;
}

struct hsp_config *hsp_config_dup(const struct hsp_config *src) {
        struct hsp_config *c = malloc(sizeof *c);
        int r = 0;

        if (!c)
                return NULL;
        *c = *src;
        /* Every pointer becomes a copy or NULL, never one into src, so that a partial copy can
         * be freed. */
        char **strs[] = {&c->path,         &c->agent_ip,      &c->agent_dev, &c->uuid,
                         &c->modules_path, &c->dns_sd_domain, &c->json_fifo};
        c->agent_cidrs = NULL;
        c->sampling_dotted = c->polling_dotted = NULL;
        c->collectors = NULL;
        c->blocks = NULL;
        c->n_blocks = c->n_collectors = c->n_sampling_dotted = c->n_polling_dotted = 0;
        for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
                r |= dup_str(strs[i]);
        c->agent_cidrs = src->agent_cidrs;
        r |= dup_array((void **)&c->agent_cidrs, src->n_agent_cidrs, sizeof *c->agent_cidrs);
        struct hsp_dotted **lists[] = {&c->sampling_dotted, &c->polling_dotted};
        struct hsp_dotted *const from[] = {src->sampling_dotted, src->polling_dotted};
        size_t *counts[] = {&c->n_sampling_dotted, &c->n_polling_dotted};
        const size_t n_from[] = {src->n_sampling_dotted, src->n_polling_dotted};
        for (int l = 0; l < 2 && r == 0; l++) {
                *lists[l] = from[l];
                r |= dup_array((void **)lists[l], n_from[l], sizeof **lists[l]);
                for (size_t i = 0; r == 0 && i < n_from[l]; i++) {
                        r |= dup_str(&(*lists[l])[i].suffix);
                        if (r == 0)
                                (*counts[l])++;
                }
        }
        c->collectors = src->collectors;
        if (r == 0)
                r |= dup_array((void **)&c->collectors, src->n_collectors, sizeof *c->collectors);
        for (size_t i = 0; r == 0 && i < src->n_collectors; i++, c->n_collectors++) {
                struct hsp_collector_conf *col = &c->collectors[i];
                r |= dup_str(&col->ip) | dup_str(&col->dev) | dup_str(&col->namespace);
        }
        if (r == 0 && src->n_blocks && !(c->blocks = calloc(src->n_blocks, sizeof *c->blocks)))
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < src->n_blocks; i++) {
                const struct hsp_block *sb = &src->blocks[i];
                const struct hsp_module *m = sb->module;
                struct hsp_block *b = &c->blocks[i];
                *b = (struct hsp_block){.module = m, .line = sb->line};
                if (!(b->conf = malloc(m->conf_size ? m->conf_size : 1))) {
                        r = -ENOMEM;
                        break;
                }
                memcpy(b->conf, sb->conf, m->conf_size);
                c->n_blocks++;
                for (const struct hsp_keyword *k = m->keywords; k && k->name; k++) {
                        if (k->type != HSP_KW_STRING && k->type != HSP_KW_REGEX)
                                continue;
                        char **sp = (char **)(void *)((char *)b->conf + k->offset);
                        char *const *orig = (char *const *)(void *)((char *)sb->conf + k->offset);
                        if (*sp && *sp == *orig) /* aliases share the offset: copy once */
                                r |= dup_str(sp);
                }
        }
        for (size_t i = 0; i < c->n_blocks; i++)
                for (size_t j = i + 1; j < c->n_blocks; j++)
                        if (c->blocks[j].module == c->blocks[i].module) {
                                c->blocks[i].next_same = &c->blocks[j];
                                break;
                        }
        if (r) {
                hsp_config_free(c);
                return NULL;
        }
        return c;
}
