/* json.c - the json module: application documents over UDP on loopback or a FIFO, turned into
 * application flow samples, counter samples (data sources 3:N) and rtmetric/rtflow samples. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "json-dl.h"
#include "json-mod.h"
#include "log.h"

#define JS_RCVBUF (2 * 1024 * 1024)
#define JS_BATCH 64                        /* documents read per wake-up and source */
#define JS_LOG_USEC (10ULL * 1000000ULL)   /* one refusal logged per this, the rest counted */
#define JS_SWEEP_USEC (60ULL * 1000000ULL) /* how often silent applications are looked for */

struct js_conf {
        uint32_t udpport; /* 0: none */
        char *fifo;
};

struct js_state {
        struct hsp_mod *m;
        uint32_t port;
        char *fifo_path;
        int fd4, fd6, fifo;
        struct evsrc *io4, *io6, *iofifo, *sweep;
        struct js_apps apps;
        /* the FIFO's current line */
        size_t line_len, skipped;
        bool skipping;
        /* counts, and the rate limit of the refusal messages */
        uint64_t documents, malformed, oversized;
        uint64_t log_next, suppressed;
        struct js_msg msg;
        struct sflow_sample sample;
        char line[JS_MAX_DOC + 1];
        char buf[JS_MAX_DOC + 1];
};

static uint64_t now_usec(struct js_state *st) {
        uint64_t now;
        if (evloop_now(st->m->loop, CLOCK_MONOTONIC, &now) < 0) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                now = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
        }
        return now;
}

/* ---- configuration ---- */

static const struct hsp_keyword js_keywords[] = {
        {"udpport", HSP_KW_UINT, offsetof(struct js_conf, udpport), 0, 65535,
         "a UDP port on 127.0.0.1 and ::1, 0 = none"},
        {"fifo", HSP_KW_STRING, offsetof(struct js_conf, fifo), 0, 0, "a path"},
        HSP_KEYWORDS_END,
};

/* The block's settings, else the deprecated top-level jsonPort / jsonFIFO. */
static void js_endpoints(const struct hsp_mod *m, uint32_t *port, const char **fifo) {
        const struct js_conf *c = m->blocks ? m->blocks->conf : NULL;
        *port = c && c->udpport ? c->udpport : m->config->json_port;
        *fifo = c && c->fifo ? c->fifo : m->config->json_fifo;
}

static bool js_implied(const struct hsp_config *c) {
        return c->json_port || c->json_fifo;
}

/* sampling.app.<name>, polling.app.<name> or polling.<name> (deepest dotted match). */
static void app_settings(struct js_state *st, struct js_app *a) {
        const struct hsp_config *c = st->m->config;
        char suffix[SFLOW_APP_MAX_APPLICATION + 8];
        uint32_t v, polling = HSP_POLLING_GLOBAL;

        snprintf(suffix, sizeof(suffix), "app.%s", a->key.name);
        a->sampling =
                hsp_config_dotted(c->sampling_dotted, c->n_sampling_dotted, suffix, &v) ? v : 0;
        if (hsp_config_dotted(c->polling_dotted, c->n_polling_dotted, suffix, &v) ||
            hsp_config_dotted(c->polling_dotted, c->n_polling_dotted, a->key.name, &v))
                polling = v;
        if (a->src) {
                hsp_source_set_polling(a->src, polling);
                hsp_source_set_sampling(a->src, a->sampling);
        }
}

/* ---- refusals ---- */

static void refuse(struct js_state *st, const char *from, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void refuse(struct js_state *st, const char *from, const char *fmt, ...) {
        uint64_t now = now_usec(st);
        char why[320];
        va_list ap;

        if (now < st->log_next) {
                st->suppressed++;
                return;
        }
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        if (st->suppressed)
                log_warning("json: %llu more documents refused in the last %llus",
                            (unsigned long long)st->suppressed,
                            (unsigned long long)(JS_LOG_USEC / 1000000));
        log_warning("json: document from %s refused: %s (%llu malformed, %llu oversized so far)",
                    from, why, (unsigned long long)st->malformed,
                    (unsigned long long)st->oversized);
        st->suppressed = 0;
        st->log_next = now + JS_LOG_USEC;
}

/* ---- applications ---- */

static struct js_app *app_get(struct js_state *st, const struct js_app_key *k, const char *from) {
        uint64_t now = now_usec(st);
        struct js_app *a = js_app_find(&st->apps, k);
        if (a) {
                a->last_heard = now;
                return a;
        }
        a = js_app_add(&st->apps, k, now);
        if (!a) {
                refuse(st, from, "no room for application %s", k->name);
                return NULL;
        }
        int r = hsp_source_add(st->m, SFLOW_DS_LOGICAL, a->ds_index, a, &a->src);
        if (r < 0) {
                js_app_free(&st->apps, a);
                return NULL;
        }
        app_settings(st, a);
        log_info("json: application %s (service port %u) is data source 3:%u", k->name,
                 (unsigned)k->port, a->ds_index);
        return a;
}

static void app_forget(struct js_state *st, struct js_app *a) {
        hsp_source_remove(a->src, false);
        js_app_free(&st->apps, a);
}

static int on_sweep(struct evsrc *es, uint64_t usec, void *userdata) {
        struct js_state *st = userdata;
        uint64_t now = now_usec(st);
        struct js_app *a;
        while ((a = js_app_expired(&st->apps, now))) {
                log_info("json: application %s forgotten after %llus of silence", a->key.name,
                         (unsigned long long)(JS_FORGET_USEC / 1000000));
                app_forget(st, a);
        }
        evsrc_set_time(es, now + JS_SWEEP_USEC);
        evsrc_set_enabled(es, EVSRC_ON);
        return 0;
}

/* ---- documents ---- */

static void send_flow(struct js_state *st, const struct js_flow *f, const char *from) {
        struct js_app *a = app_get(st, &f->app, from);
        uint32_t rate;
        if (!a)
                return;
        a->pool += f->sampling_rate;
        a->ops[f->status] += f->sampling_rate;
        if (!js_subsample(&st->apps, f->sampling_rate, a->sampling, &rate))
                return;
        struct sflow_sample *s = &st->sample;
        memset(s, 0, offsetof(struct sflow_sample, records));
        s->tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        s->ds_class = SFLOW_DS_LOGICAL;
        s->ds_index = a->ds_index;
        s->sampling_rate = rate;
        s->sample_pool = a->pool;
        if (f->client)
                s->input = SFLOW_IF_INTERNAL;
        else
                s->output = SFLOW_IF_INTERNAL;
        s->num_records = f->n_records;
        memcpy(s->records, f->records, f->n_records * sizeof(f->records[0]));
        s->records[0].u.app_op.application =
                (struct sflow_string){a->key.name, (uint32_t)strlen(a->key.name)};
        hsp_submit_sample(st->m, s);
}

static void store_counters(struct js_state *st, const struct js_counters *k, const char *from) {
        struct js_app *a = app_get(st, &k->app, from);
        if (!a)
                return;
        bool first = a->last_counters == 0;
        a->counters = *k;
        a->last_counters = now_usec(st);
        if (first)
                hsp_source_poll_now(a->src); /* later ones go out at the polling interval */
}

static void handle(struct js_state *st, const char *text, size_t len, const char *from) {
        json_object *root = NULL;
        char why[256];

        if (len > JS_MAX_DOC) {
                st->oversized++;
                refuse(st, from, "larger than %d bytes", JS_MAX_DOC);
                return;
        }
        if (js_parse(text, len, &st->msg, &root, why, sizeof(why)) < 0) {
                st->malformed++;
                refuse(st, from, "%s", why);
                return;
        }
        st->documents++;
        if (st->msg.kinds & JS_FLOW)
                send_flow(st, &st->msg.flow, from);
        if (st->msg.kinds & JS_COUNTERS)
                store_counters(st, &st->msg.counters, from);
        if (st->msg.kinds & JS_RTMETRIC)
                hsp_submit_sample(st->m, &st->msg.rtmetric);
        if (st->msg.kinds & JS_RTFLOW)
                hsp_submit_sample(st->m, &st->msg.rtflow);
        sym_json_object_put(root);
}

static bool loopback(const struct sockaddr_storage *ss) {
        static const uint8_t one6[16] = {[15] = 1};
        if (ss->ss_family == AF_INET)
                return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
        return ss->ss_family == AF_INET6 &&
               memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, one6, 16) == 0;
}

static int on_udp(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct js_state *st = userdata;
        for (int i = 0; i < JS_BATCH; i++) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                ssize_t n = recvfrom(fd, st->buf, sizeof(st->buf), MSG_TRUNC | MSG_DONTWAIT,
                                     (struct sockaddr *)&ss, &sl);
                if (n < 0)
                        break;
                char from[INET6_ADDRSTRLEN + 16] = "?";
                const void *addr = ss.ss_family == AF_INET
                                           ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                                           : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
                unsigned port =
                        ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
                char a[INET6_ADDRSTRLEN] = "?";
                inet_ntop(ss.ss_family, addr, a, sizeof(a));
                snprintf(from, sizeof(from), "%s port %u", a, port);
                if (!loopback(&ss)) { /* cannot happen on a loopback-bound socket; kept anyway */
                        st->malformed++;
                        refuse(st, from, "not from this host");
                        continue;
                }
                handle(st, st->buf, (size_t)n, from);
        }
        return 0;
}

/* Split FIFO bytes into lines; a line longer than JS_MAX_DOC is skipped to its end. */
static void fifo_bytes(struct js_state *st, const char *p, size_t n) {
        while (n > 0) {
                const char *nl = memchr(p, '\n', n);
                size_t part = nl ? (size_t)(nl - p) : n;
                if (!st->skipping && st->line_len + part > JS_MAX_DOC) {
                        st->skipping = true;
                        st->skipped = st->line_len;
                }
                if (st->skipping)
                        st->skipped += part;
                else {
                        memcpy(st->line + st->line_len, p, part);
                        st->line_len += part;
                }
                if (!nl)
                        return;
                if (st->skipping) {
                        st->oversized++;
                        refuse(st, st->fifo_path, "line of %zu bytes, larger than %d", st->skipped,
                               JS_MAX_DOC);
                } else {
                        size_t k = 0;
                        while (k < st->line_len &&
                               (st->line[k] == ' ' || st->line[k] == '\t' || st->line[k] == '\r'))
                                k++;
                        if (k < st->line_len)
                                handle(st, st->line, st->line_len, st->fifo_path);
                }
                st->line_len = 0;
                st->skipping = false;
                p = nl + 1;
                n -= part + 1;
        }
}

static int on_fifo(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct js_state *st = userdata;
        for (int i = 0; i < JS_BATCH; i++) {
                ssize_t n = read(fd, st->buf, sizeof(st->buf));
                if (n <= 0)
                        break;
                fifo_bytes(st, st->buf, (size_t)n);
        }
        return 0;
}

/* ---- endpoints ---- */

static int open_udp(struct js_state *st, int family, int *ret_fd, struct evsrc **ret_io) {
        struct sockaddr_storage ss = {0};
        socklen_t sl;
        int one = 1, rcvbuf = JS_RCVBUF;
        const char *name = family == AF_INET ? "127.0.0.1" : "[::1]";

        if (family == AF_INET) {
                struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t)st->port);
                sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                sl = sizeof(*sin);
        } else {
                struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t)st->port);
                sin6->sin6_addr = in6addr_loopback;
                sl = sizeof(*sin6);
        }
        int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "json: cannot open a UDP socket for %s: %m", name);
        if (family == AF_INET6)
                (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "json: cannot listen on %s port %u: %m", name,
                                       (unsigned)st->port);
        }
        int r = evloop_add_io(st->m->loop, ret_io, fd, EPOLLIN, on_udp, st);
        if (r < 0) {
                close(fd);
                return log_error_errno(r, "json: cannot watch the UDP socket: %m");
        }
        *ret_fd = fd;
        log_info("json: listening on %s port %u", name, (unsigned)st->port);
        return 0;
}

static int open_fifo(struct js_state *st) {
        struct stat sb;
        const char *path = st->fifo_path;

        if (lstat(path, &sb) < 0) {
                if (errno != ENOENT)
                        return log_error_errno(-errno, "json: cannot use FIFO %s: %m", path);
                if (mkfifo(path, 0660) < 0)
                        return log_error_errno(-errno, "json: cannot create FIFO %s: %m", path);
                (void)chmod(path, 0660); /* whatever the umask */
                log_info("json: created FIFO %s", path);
        } else if (!S_ISFIFO(sb.st_mode))
                return log_error_errno(-EEXIST, "json: %s exists and is not a FIFO", path);
        /* Read and write: the FIFO then never reports end-of-file when writers come and go. */
        int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "json: cannot open FIFO %s: %m", path);
        int r = evloop_add_io(st->m->loop, &st->iofifo, fd, EPOLLIN, on_fifo, st);
        if (r < 0) {
                close(fd);
                return log_error_errno(r, "json: cannot watch FIFO %s: %m", path);
        }
        st->fifo = fd;
        log_info("json: reading FIFO %s", path);
        return 0;
}

static void close_endpoints(struct js_state *st) {
        st->io4 = evsrc_disable_unref(st->io4);
        st->io6 = evsrc_disable_unref(st->io6);
        st->iofifo = evsrc_disable_unref(st->iofifo);
        for (int *fd = &st->fd4; fd <= &st->fifo; fd++) {
                if (*fd >= 0)
                        close(*fd);
                *fd = -1;
        }
        free(st->fifo_path);
        st->fifo_path = NULL;
        st->line_len = 0;
        st->skipping = false;
}

static int open_endpoints(struct js_state *st) {
        const char *fifo;
        js_endpoints(st->m, &st->port, &fifo);
        if (!st->port && !fifo)
                log_warning("json: neither udpport nor fifo is set: listening nowhere");
        if (st->port) {
                int r = open_udp(st, AF_INET, &st->fd4, &st->io4);
                if (r < 0)
                        return r;
                /* IPv6 may be off on this host: IPv4 alone is enough. */
                if (open_udp(st, AF_INET6, &st->fd6, &st->io6) < 0)
                        log_warning("json: not listening on [::1] (IPv6 off?); 127.0.0.1 only");
        }
        if (fifo) {
                if (!(st->fifo_path = strdup(fifo)))
                        return -ENOMEM;
                return open_fifo(st);
        }
        return 0;
}

/* ---- the module ---- */

static int js_start(struct hsp_mod *m) {
        int r = json_dl_load("json");
        if (r < 0)
                return r;
        struct js_state *st = calloc(1, sizeof(*st));
        uint64_t seed;
        if (!st)
                return -ENOMEM;
        m->state = st;
        st->m = m;
        st->fd4 = st->fd6 = st->fifo = -1;
        if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
                seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        js_rng_seed(&st->apps, seed);
        r = evloop_add_time(m->loop, &st->sweep, CLOCK_MONOTONIC, now_usec(st) + JS_SWEEP_USEC,
                            1000000, on_sweep, st);
        if (r < 0)
                return log_error_errno(r, "json: cannot arm the expiry timer: %m");
        return open_endpoints(st);
}

static int js_reconfigure(struct hsp_mod *m) {
        struct js_state *st = m->state;
        uint32_t port;
        const char *fifo;
        js_endpoints(m, &port, &fifo);
        bool same_fifo = (!fifo && !st->fifo_path) ||
                         (fifo && st->fifo_path && strcmp(fifo, st->fifo_path) == 0);
        for (struct js_app *a = st->apps.list; a; a = a->next)
                app_settings(st, a);
        if (port == st->port && same_fifo)
                return 0;
        close_endpoints(st);
        return open_endpoints(st);
}

static int js_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct js_state *st = m->state;
        struct js_app *a = hsp_source_userdata(src);
        bool fresh = a->last_counters && now_usec(st) - a->last_counters < JS_SYNTH_USEC;
        struct sflow_record *r = hsp_sample_add(out, SFLOW_CTR_APP);
        if (!r)
                return -ENOSPC;
        struct sflow_ctr_app *ops = &r->u.app;
        if (fresh && a->counters.has_ops)
                *ops = a->counters.ops;
        else
                *ops = (struct sflow_ctr_app){.success = a->ops[SFLOW_APP_SUCCESS],
                                              .other = a->ops[SFLOW_APP_OTHER],
                                              .timeout = a->ops[SFLOW_APP_TIMEOUT],
                                              .internal_error = a->ops[SFLOW_APP_INTERNAL_ERROR],
                                              .bad_request = a->ops[SFLOW_APP_BAD_REQUEST],
                                              .forbidden = a->ops[SFLOW_APP_FORBIDDEN],
                                              .too_large = a->ops[SFLOW_APP_TOO_LARGE],
                                              .not_implemented = a->ops[SFLOW_APP_NOT_IMPLEMENTED],
                                              .not_found = a->ops[SFLOW_APP_NOT_FOUND],
                                              .unavailable = a->ops[SFLOW_APP_UNAVAILABLE],
                                              .unauthorized = a->ops[SFLOW_APP_UNAUTHORIZED]};
        ops->application = (struct sflow_string){a->key.name, (uint32_t)strlen(a->key.name)};
        if (fresh && a->counters.has_res && (r = hsp_sample_add(out, SFLOW_CTR_APP_RESOURCES)))
                r->u.app_resources = a->counters.res;
        if (fresh && a->counters.has_workers && (r = hsp_sample_add(out, SFLOW_CTR_APP_WORKERS)))
                r->u.app_workers = a->counters.workers;
        if ((r = hsp_sample_add(out, SFLOW_CTR_HOST_PARENT))) {
                r->u.host_parent.container_type = SFLOW_DS_PHYSICAL;
                r->u.host_parent.container_index = 1;
        }
        return 0;
}

static void js_stop(struct hsp_mod *m) {
        struct js_state *st = m->state;
        if (!st)
                return;
        close_endpoints(st);
        st->sweep = evsrc_disable_unref(st->sweep);
        while (st->apps.list)
                app_forget(st, st->apps.list);
        log_info("json: %llu documents taken, %llu malformed, %llu oversized refused",
                 (unsigned long long)st->documents, (unsigned long long)st->malformed,
                 (unsigned long long)st->oversized);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_json = {
        .name = "json",
        .keywords = js_keywords,
        .conf_size = sizeof(struct js_conf),
        .implied = js_implied,
        .start = js_start,
        .poll = js_poll,
        .reconfigure = js_reconfigure,
        .stop = js_stop,
};
