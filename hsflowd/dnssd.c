/* dnssd.c - DNS-SD: collectors from the _sflow._udp SRV records and settings from its TXT
 * record, looked up with c-ares on the loop and again after their TTL. */
#include "dnssd.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cares-dl.h"
#include "dns.h"
#include "log.h"

#define DNSSD_MAX_COLLECTORS 32
#define DNSSD_MAX_TXT 64

struct srv {
        char *host;
        unsigned port;
};

struct dnssd {
        struct evloop *loop;
        dnssd_changed_fn cb;
        void *userdata;
        struct dns *dns;
        char *name; /* _sflow._udp.<domain>, or _sflow._udp searched */
        bool search;
        struct evsrc *timer;
        /* the lookup under way */
        unsigned pending;
        bool srv_failed, txt_failed;
        uint32_t ttl;
        struct srv next_srv[DNSSD_MAX_COLLECTORS];
        size_t n_next_srv;
        bool next_srv_ok;
        struct hsp_config *next_txt; /* NULL: no TXT record */
        unsigned next_given;
        bool next_txt_ok;
        /* what is in force */
        bool answered; /* an SRV answer came (with or without records) */
        struct srv srv[DNSSD_MAX_COLLECTORS];
        size_t n_srv;
        struct hsp_config *txt;
        unsigned given;
        char *state;      /* the last applied state, as text, to see changes */
        int last_failure; /* logged once per state */
};

/* ---- TXT ---- */

static const char *const txt_keys[] = {"sampling", "polling", "headerBytes", "datagramBytes",
                                       "agentIP",  "agent",   "agent.cidr"};

static int bad(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *why, size_t len, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

int dnssd_parse_txt(const char *const *txt, size_t n, const char *record, struct hsp_config **ret,
                    unsigned *ret_given, char *why, size_t whylen) {
        size_t cap = 64, len = 0;
        char *text = malloc(cap);
        const char **line_of = calloc(n + 4, sizeof *line_of); /* text line -> TXT string */
        unsigned given = 0, line = 3;
        int r = 0;

        if (!text || !line_of) {
                free(text);
                free(line_of);
                return bad(why, whylen, "out of memory");
        }
        len = (size_t)snprintf(text, cap, "sflow {\ndns-sd { }\n");
        for (size_t i = 0; i < n && r == 0; i++) {
                const char *s = txt[i], *eq = strchr(s, '=');
                size_t klen = eq ? (size_t)(eq - s) : strlen(s);
                if (strncasecmp(s, "txtvers", klen) == 0 && klen == 7)
                        continue;
                if (!eq || klen == 0) {
                        r = bad(why, whylen, "TXT record of %s: \"%.80s\" refused: not key=value",
                                record, s);
                        break;
                }
                for (const char *p = eq + 1; *p && r == 0; p++)
                        if (!isprint((unsigned char)*p) || *p == '"')
                                r = bad(why, whylen,
                                        "TXT record of %s: \"%.80s\" refused: the "
                                        "value holds a quote or an unprintable byte",
                                        record, s);
                unsigned bit = 0;
                for (size_t k = 0; k < sizeof txt_keys / sizeof txt_keys[0]; k++)
                        if (strlen(txt_keys[k]) == klen && strncasecmp(s, txt_keys[k], klen) == 0)
                                bit = 1u << k;
                bool dotted = (klen > 9 && strncasecmp(s, "sampling.", 9) == 0) ||
                              (klen > 8 && strncasecmp(s, "polling.", 8) == 0);
                if (r == 0 && !bit && !dotted) {
                        log_warning("DNS-SD: TXT record of %s: \"%.80s\" skipped: unknown key",
                                    record, s);
                        continue;
                }
                given |= bit;
                size_t need = len + strlen(s) + 8;
                if (r == 0 && need > cap) {
                        char *t = realloc(text, cap = need * 2);
                        if (!t)
                                r = bad(why, whylen, "out of memory");
                        else
                                text = t;
                }
                if (r == 0) {
                        len += (size_t)snprintf(text + len, cap - len, "%.*s = \"%s\"\n", (int)klen,
                                                s, eq + 1);
                        line_of[line++] = s;
                }
        }
        if (r == 0 && len + 3 <= cap)
                len += (size_t)snprintf(text + len, cap - len, "}\n");
        else if (r == 0) {
                char *t = realloc(text, len + 3);
                if (!t)
                        r = bad(why, whylen, "out of memory");
                else {
                        text = t;
                        len += (size_t)snprintf(text + len, 3, "}\n");
                }
        }
        struct hsp_config_error err;
        struct hsp_config *c = NULL;
        if (r == 0 && hsp_config_parse_string(text, len, record, NULL, &c, &err) < 0) {
                char prefix[512];
                snprintf(prefix, sizeof prefix, "%s:%u:%u: ", record, err.line, err.column);
                const char *msg = strncmp(err.msg, prefix, strlen(prefix)) == 0
                                          ? err.msg + strlen(prefix)
                                          : err.msg;
                const char *s = err.line >= 3 && err.line < line ? line_of[err.line] : "?";
                r = bad(why, whylen, "TXT record of %s: \"%.80s\" refused: %s", record, s, msg);
        }
        free(text);
        free(line_of);
        if (r < 0)
                return r;
        *ret = c;
        *ret_given = given;
        return 0;
}

/* ---- lookups ---- */

static void clear_srv(struct srv *s, size_t *n) {
        for (size_t i = 0; i < *n; i++)
                free(s[i].host);
        *n = 0;
}

/* The smallest TTL of the answer's records (answers, else authority), or 0 for none. */
static uint32_t answer_ttl(const unsigned char *abuf, int alen) {
        ns_msg msg;
        uint32_t best = 0;
        if (!abuf || alen <= 0 || sym_ns_initparse(abuf, alen, &msg) < 0)
                return 0;
        for (int sec = ns_s_an; sec <= ns_s_ns && best == 0; sec++)
                for (int i = 0; i < ns_msg_count(msg, (ns_sect)sec); i++) {
                        ns_rr rr;
                        if (sym_ns_parserr(&msg, (ns_sect)sec, i, &rr) == 0 &&
                            (best == 0 || ns_rr_ttl(rr) < best))
                                best = ns_rr_ttl(rr);
                }
        return best;
}

static void note_ttl(struct dnssd *d, const unsigned char *abuf, int alen) {
        uint32_t t = answer_ttl(abuf, alen);
        if (t < DNSSD_TTL_MIN)
                t = DNSSD_TTL_MIN;
        if (t > DNSSD_TTL_MAX)
                t = DNSSD_TTL_MAX;
        if (d->ttl == 0 || t < d->ttl)
                d->ttl = t;
}

static void finish(struct dnssd *d);

static void on_srv(void *userdata, int status, const unsigned char *abuf, int alen) {
        struct dnssd *d = userdata;
        struct ares_srv_reply *srv = NULL;
        if (status == ARES_EDESTRUCTION)
                return;
        if (status == ARES_SUCCESS && sym_ares_parse_srv_reply(abuf, alen, &srv) == ARES_SUCCESS) {
                for (struct ares_srv_reply *s = srv; s && d->n_next_srv < DNSSD_MAX_COLLECTORS;
                     s = s->next) {
                        char *h = strdup(s->host);
                        if (h)
                                d->next_srv[d->n_next_srv++] = (struct srv){h, s->port};
                }
                sym_ares_free_data(srv);
                d->next_srv_ok = true;
                note_ttl(d, abuf, alen);
        } else if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
                d->next_srv_ok = true; /* an answer: there are no collectors */
                note_ttl(d, abuf, alen);
        } else {
                d->srv_failed = true;
                if (d->last_failure != status)
                        log_warning("DNS-SD: SRV lookup of %s failed (%s): keeping the collectors "
                                    "and settings in force",
                                    d->name, sym_ares_strerror(status));
                d->last_failure = status;
        }
        finish(d);
}

static void on_txt(void *userdata, int status, const unsigned char *abuf, int alen) {
        struct dnssd *d = userdata;
        struct ares_txt_ext *txt = NULL;
        if (status == ARES_EDESTRUCTION)
                return;
        if (status == ARES_SUCCESS &&
            sym_ares_parse_txt_reply_ext(abuf, alen, &txt) == ARES_SUCCESS) {
                const char *strs[DNSSD_MAX_TXT];
                char *copies[DNSSD_MAX_TXT];
                size_t n = 0;
                for (struct ares_txt_ext *t = txt; t && n < DNSSD_MAX_TXT; t = t->next) {
                        copies[n] = strndup((const char *)t->txt, t->length);
                        if (copies[n]) {
                                strs[n] = copies[n];
                                n++;
                        }
                }
                sym_ares_free_data(txt);
                char why[768];
                struct hsp_config *c = NULL;
                unsigned given = 0;
                if (dnssd_parse_txt(strs, n, d->name, &c, &given, why, sizeof why) < 0)
                        log_error("DNS-SD: %s; the settings from DNS stay as they were", why);
                else {
                        d->next_txt = c;
                        d->next_given = given;
                        d->next_txt_ok = true;
                }
                for (size_t i = 0; i < n; i++)
                        free(copies[i]);
                note_ttl(d, abuf, alen);
        } else if (status == ARES_ENODATA || status == ARES_ENOTFOUND) {
                d->next_txt_ok = true; /* no settings from DNS */
                note_ttl(d, abuf, alen);
        } else
                d->txt_failed = true;
        finish(d);
}

static int on_timer(struct evsrc *es, uint64_t usec, void *userdata);

static void lookup(struct dnssd *d) {
        d->pending = 2;
        d->ttl = 0;
        d->srv_failed = d->txt_failed = d->next_srv_ok = d->next_txt_ok = false;
        clear_srv(d->next_srv, &d->n_next_srv);
        hsp_config_free(d->next_txt);
        d->next_txt = NULL;
        dns_query(d->dns, d->name, ns_t_srv, d->search, on_srv, d);
        dns_query(d->dns, d->name, ns_t_txt, d->search, on_txt, d);
}

/* The state in force as text: the collectors and the TXT strings that made the settings. */
static char *state_text(const struct dnssd *d) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);
        if (!f)
                return NULL;
        fprintf(f, "%d", d->answered);
        for (size_t i = 0; i < d->n_srv; i++)
                fprintf(f, " %s:%u", d->srv[i].host, d->srv[i].port);
        const struct hsp_config *t = d->txt;
        if (t) {
                fprintf(f, " | %x %u %u %u %u %s %s", d->given, t->sampling, t->polling,
                        t->header_bytes, t->datagram_bytes, t->agent_ip ? t->agent_ip : "-",
                        t->agent_dev ? t->agent_dev : "-");
                for (size_t i = 0; i < t->n_agent_cidrs; i++)
                        fprintf(f, " c%d/%u/%d", t->agent_cidrs[i].family, t->agent_cidrs[i].prefix,
                                t->agent_cidrs[i].exclude),
                                fwrite(t->agent_cidrs[i].addr, 1, 16, f);
                for (size_t i = 0; i < t->n_sampling_dotted; i++)
                        fprintf(f, " s.%s=%u", t->sampling_dotted[i].suffix,
                                t->sampling_dotted[i].value);
                for (size_t i = 0; i < t->n_polling_dotted; i++)
                        fprintf(f, " p.%s=%u", t->polling_dotted[i].suffix,
                                t->polling_dotted[i].value);
        }
        fclose(f);
        return s;
}

static void finish(struct dnssd *d) {
        if (--d->pending > 0)
                return;
        if (d->next_srv_ok) {
                d->last_failure = 0;
                clear_srv(d->srv, &d->n_srv);
                memcpy(d->srv, d->next_srv, d->n_next_srv * sizeof d->srv[0]);
                d->n_srv = d->n_next_srv;
                d->n_next_srv = 0;
                d->answered = true;
        }
        if (d->next_txt_ok) {
                hsp_config_free(d->txt);
                d->txt = d->next_txt;
                d->given = d->next_given;
                d->next_txt = NULL;
        }
        uint32_t next = d->srv_failed || d->txt_failed || !d->ttl ? DNSSD_TTL_MIN : d->ttl;
        char *st = state_text(d);
        if (st && (!d->state || strcmp(st, d->state) != 0)) {
                if (d->answered && d->n_srv == 0)
                        log_warning("DNS-SD: %s has no SRV records: not sending until some appear",
                                    d->name);
                else
                        log_info("DNS-SD: %s: %zu collector%s%s%s, TXT settings %s; next lookup "
                                 "in %us",
                                 d->name, d->n_srv, d->n_srv == 1 ? "" : "s",
                                 d->n_srv ? " from " : "", d->n_srv ? d->srv[0].host : "",
                                 d->txt ? "applied" : "none", next);
                free(d->state);
                d->state = st;
                d->cb(d->userdata);
        } else
                free(st);
        uint64_t now;
        evloop_now(d->loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(d->timer, now + (uint64_t)next * 1000000ULL);
        evsrc_set_enabled(d->timer, EVSRC_ONESHOT);
}

static int on_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        lookup(userdata);
        return 0;
}

int dnssd_new(struct evloop *loop, dnssd_changed_fn cb, void *userdata, struct dnssd **ret) {
        struct dnssd *d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        d->loop = evloop_ref(loop);
        d->cb = cb;
        d->userdata = userdata;
        int r = evloop_add_time(loop, &d->timer, CLOCK_MONOTONIC, 0, 100000, on_timer, d);
        if (r < 0) {
                dnssd_free(d);
                return log_error_errno(r, "DNS-SD: cannot arm a timer: %m");
        }
        evsrc_set_enabled(d->timer, EVSRC_OFF);
        *ret = d;
        return 0;
}

int dnssd_configure(struct dnssd *d, const char *domain) {
        char name[300];
        bool search = !domain || !*domain;
        snprintf(name, sizeof name, "_sflow._udp%s%s", search || domain[0] == '.' ? "" : ".",
                 search ? "" : domain);
        if (d->name && strcmp(name, d->name) == 0)
                return 0;
        dns_free(d->dns); /* lookups of the old name end here */
        d->dns = NULL;
        free(d->name);
        d->name = strdup(name);
        d->search = search;
        if (!d->name)
                return -ENOMEM;
        int r = dns_new(d->loop, &d->dns);
        if (r < 0) {
                free(d->name); /* tried again when configured again (a reload) */
                d->name = NULL;
                return r;
        }
        log_info("DNS-SD: looking up %s (SRV, TXT)%s", name,
                 search ? " in the search domains" : "");
        lookup(d);
        return 0;
}

void dnssd_free(struct dnssd *d) {
        if (!d)
                return;
        dns_free(d->dns);
        evsrc_disable_unref(d->timer);
        clear_srv(d->srv, &d->n_srv);
        clear_srv(d->next_srv, &d->n_next_srv);
        hsp_config_free(d->txt);
        hsp_config_free(d->next_txt);
        free(d->name);
        free(d->state);
        evloop_unref(d->loop);
        free(d);
}

/* sampling.<x> / polling.<x> from DNS replace the file's of the same suffix or are added. */
static int merge_dotted(struct hsp_dotted **list, size_t *n, const struct hsp_dotted *add,
                        size_t n_add) {
        for (size_t i = 0; i < n_add; i++) {
                size_t j = 0;
                while (j < *n && strcasecmp((*list)[j].suffix, add[i].suffix) != 0)
                        j++;
                if (j < *n) {
                        (*list)[j].value = add[i].value;
                        continue;
                }
                struct hsp_dotted *a = realloc(*list, (*n + 1) * sizeof *a);
                if (!a)
                        return -ENOMEM;
                *list = a;
                a[*n] = add[i];
                if (!(a[*n].suffix = strdup(add[i].suffix)))
                        return -ENOMEM;
                (*n)++;
        }
        return 0;
}

static int replace_str(char **dst, const char *src) {
        char *s = src ? strdup(src) : NULL;
        if (src && !s)
                return -ENOMEM;
        free(*dst);
        *dst = s;
        return 0;
}

struct hsp_config *dnssd_apply(const struct dnssd *d, const struct hsp_config *base) {
        struct hsp_config *c = hsp_config_dup(base);
        int r = 0;
        if (!c || !d)
                return c;
        if (d->answered) {
                for (size_t i = 0; i < c->n_collectors; i++) {
                        free(c->collectors[i].ip);
                        free(c->collectors[i].dev);
                        free(c->collectors[i].namespace);
                }
                free(c->collectors);
                c->collectors = calloc(d->n_srv ? d->n_srv : 1, sizeof *c->collectors);
                c->n_collectors = 0;
                for (size_t i = 0; c->collectors && i < d->n_srv; i++) {
                        struct hsp_collector_conf *col = &c->collectors[c->n_collectors];
                        if (!(col->ip = strdup(d->srv[i].host)))
                                break;
                        col->udpport = d->srv[i].port ? d->srv[i].port : SFLOW_DEFAULT_PORT;
                        c->n_collectors++;
                }
                if (!c->collectors || c->n_collectors < d->n_srv)
                        r = -ENOMEM;
        }
        const struct hsp_config *t = d->txt;
        if (t && r == 0) {
                if (d->given & DNSSD_SAMPLING) {
                        c->sampling = t->sampling;
                        c->sampling_set = true;
                }
                if (d->given & DNSSD_POLLING) {
                        c->polling = t->polling;
                        c->polling_set = true;
                }
                if (d->given & DNSSD_HEADER)
                        c->header_bytes = t->header_bytes;
                if (d->given & DNSSD_DATAGRAM)
                        c->datagram_bytes = t->datagram_bytes;
                if (d->given & DNSSD_AGENT_IP)
                        r |= replace_str(&c->agent_ip, t->agent_ip);
                if (d->given & DNSSD_AGENT)
                        r |= replace_str(&c->agent_dev, t->agent_dev);
                if (d->given & DNSSD_CIDR) {
                        struct hsp_cidr *a = malloc(t->n_agent_cidrs * sizeof *a + 1);
                        if (!a)
                                r = -ENOMEM;
                        else {
                                memcpy(a, t->agent_cidrs, t->n_agent_cidrs * sizeof *a);
                                free(c->agent_cidrs);
                                c->agent_cidrs = a;
                                c->n_agent_cidrs = t->n_agent_cidrs;
                        }
                }
                r |= merge_dotted(&c->sampling_dotted, &c->n_sampling_dotted, t->sampling_dotted,
                                  t->n_sampling_dotted);
                r |= merge_dotted(&c->polling_dotted, &c->n_polling_dotted, t->polling_dotted,
                                  t->n_polling_dotted);
        }
        if (r) {
                hsp_config_free(c);
                return NULL;
        }
        return c;
}
