/* containerd.c - the containerd module: one 3:N data source per running task (or, in pod mode,
 * per Kubernetes pod), followed through containerd's event stream; the k8s block is the same
 * module in pod mode. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "config.h"
#include "containerd-state.h"
#include "containerd.h"
#include "log.h"
#include "privileges.h"
#include "uuid.h"
#include "vnode.h"

#define DEFAULT_SOCKET "/run/containerd/containerd.sock"
#define DEFAULT_NAMESPACE "k8s.io"
#define BACKOFF_MIN_USEC 1000000ULL
#define BACKOFF_MAX_USEC 30000000ULL
#define QUEUE_MAX 100000 /* events kept while a listing runs */

#define M_SUBSCRIBE "/containerd.services.events.v1.Events/Subscribe"
#define M_PUBLISH "/containerd.services.events.v1.Events/Publish"
#define M_CONTAINERS "/containerd.services.containers.v1.Containers/List"
#define M_GET "/containerd.services.containers.v1.Containers/Get"
#define M_TASKS "/containerd.services.tasks.v1.Tasks/List"

struct ct_conf {
        char *socket;
        char *ns;
        bool pod;
};

static const struct ct_conf k8s_defaults = {.pod = true};

static const struct hsp_keyword ct_keywords[] = {
        {"socket", HSP_KW_STRING, offsetof(struct ct_conf, socket), 0, 0,
         "the path of containerd's unix socket"},
        {"unixsock", HSP_KW_STRING, offsetof(struct ct_conf, socket), 0, 0,
         "the path of containerd's unix socket"},
        {"namespace", HSP_KW_STRING, offsetof(struct ct_conf, ns), 0, 0,
         "a containerd namespace (k8s.io for the kubelet's)"},
        {"pod", HSP_KW_BOOL, offsetof(struct ct_conf, pod), 0, 0,
         "on: one data source per Kubernetes pod instead of per container"},
        {"markTraffic", HSP_KW_IGNORED, 0, 0, 0, NULL},
        {"eof", HSP_KW_IGNORED, 0, 0, 0, NULL},
        {"setIfAlias", HSP_KW_IGNORED, 0, 0, 0, NULL},
        {"setIfName", HSP_KW_IGNORED, 0, 0, 0, NULL},
        HSP_KEYWORDS_END,
};

static const struct ct_conf *conf_of(struct hsp_mod *m) {
        static const struct ct_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

/* ---- tasks ---- */

static struct ct_task *task_find(struct ct_state *st, const char *id) {
        for (struct ct_task *t = st->tasks; t; t = t->next)
                if (strcmp(t->id, id) == 0)
                        return t;
        return NULL;
}

static struct ct_task *task_new(struct ct_state *st, const char *id, uint32_t pid) {
        struct ct_task *t = calloc(1, sizeof *t);
        if (!t) {
                log_error_errno(-ENOMEM, "%s: cannot track task %s: %m", st->tag, id);
                return NULL;
        }
        snprintf(t->id, sizeof t->id, "%s", id);
        snprintf(t->meta.id, sizeof t->meta.id, "%s", id);
        t->n.v.pid = (pid_t)pid;
        t->n.v.n_ifs = -1;
        t->owner = st;
        t->state = T_GETTING;
        t->seen = true;
        t->next = st->tasks;
        if (st->tasks)
                st->tasks->prev = t;
        st->tasks = t;
        return t;
}

/* Forget a task; a reported one (or its pod, when it was the last member) gets its final sample. */
static void task_end(struct ct_state *st, struct ct_task *t) {
        if (t->state == T_RUNNING) {
                if (t->reported) {
                        t->n.v.ending = true;
                        log_debug("%s: task %s (%s) ended: 3:%u removed", st->tag, t->n.v.name,
                                  t->id, t->n.ds_index);
                        hsp_source_remove(t->n.src, true);
                        st->n_reported--;
                }
                if (t->pod)
                        ct_pod_leave(st, t);
        }
        if (t->prev)
                t->prev->next = t->next;
        else
                st->tasks = t->next;
        if (t->next)
                t->next->prev = t->prev;
        free(t);
}

/* The task's metadata is known: report it (or add it to its pod). */
static void task_run(struct ct_state *st, struct ct_task *t) {
        if (t->n.v.pid <= 0) {
                task_end(st, t);
                return;
        }
        ctrd_container_name(&t->meta, false, t->n.v.name, sizeof t->n.v.name);
        ct_make_uuid(st, t->id, t->n.v.uuid);
        vnode_find_cgroup(&st->host, &t->n.v);
        t->state = T_RUNNING;
        if (st->pod_mode && t->meta.pod_uid[0]) {
                ct_pod_join(st, t);
                return;
        }
        vnode_read_net(&st->host, &t->n.v, true, NULL, 0);
        if (hsp_source_add_hashed(st->m, SFLOW_DS_LOGICAL, t->id, &t->n, &t->n.src) < 0) {
                t->state = T_GETTING; /* nothing reported to end */
                task_end(st, t);
                return;
        }
        t->reported = true;
        t->n.ds_index = hsp_source_index(t->n.src);
        st->n_reported++;
        log_debug("%s: task %s (%s, pid %d) started: 3:%u", st->tag, t->n.v.name, t->id,
                  (int)t->n.v.pid, t->n.ds_index);
        hsp_source_poll_now(t->n.src);
}

struct get_ctx {
        struct ct_state *st;
        char id[CTRD_ID_MAX + 1];
        struct ctrd_container meta;
        bool have;
};

static void on_get_msg(const uint8_t *msg, size_t len, void *userdata) {
        struct get_ctx *x = userdata;
        if (ctrd_decode_container_get(msg, len, &x->meta) == 0)
                x->have = true;
        else
                x->st->bad_messages++;
}

static void on_get_done(int status, const char *message, void *userdata) {
        struct get_ctx *x = userdata;
        struct ct_task *t = task_find(x->st, x->id);
        if (t && t->state == T_GETTING) {
                if (x->have && strcmp(x->meta.id, t->id) == 0)
                        t->meta = x->meta;
                else
                        log_debug("%s: no metadata for %s (status %d %s): named by its id",
                                  x->st->tag, x->id, status, message);
                task_run(x->st, t);
        }
        free(x);
}

static void task_started(struct ct_state *st, const char *id, uint32_t pid) {
        struct ct_task *t = task_find(st, id);
        if (t)
                return;
        t = task_new(st, id, pid);
        if (!t)
                return;
        uint8_t *req;
        size_t len;
        struct get_ctx *x = calloc(1, sizeof *x);
        if (x && ctrd_encode_get_container(id, &req, &len) == 0) {
                x->st = st;
                snprintf(x->id, sizeof x->id, "%s", id);
                int r = ctrd_grpc_call(st->g, M_GET, req, len, on_get_msg, on_get_done, x);
                free(req);
                if (r == 0)
                        return;
        }
        free(x);
        task_run(st, t); /* named by its id */
}

/* ---- events ---- */

static void apply_event(struct ct_state *st, const struct ctrd_event *ev) {
        struct ct_task *t = task_find(st, ev->id);
        switch (ev->topic) {
        case CTRD_EV_TASK_START:
                task_started(st, ev->id, ev->pid);
                break;
        case CTRD_EV_TASK_EXIT:
        case CTRD_EV_TASK_DELETE:
                if (t && !ev->exec)
                        task_end(st, t);
                break;
        case CTRD_EV_CONTAINER_DELETE:
                if (t)
                        task_end(st, t);
                break;
        case CTRD_EV_TASK_OOM:
                st->oom_events++;
                log_info("%s: task %s ran out of memory (OOM event %lu)", st->tag,
                         t ? t->n.v.name : ev->id, st->oom_events);
                break;
        case CTRD_EV_TASK_PAUSED:
        case CTRD_EV_TASK_RESUMED:
                if (t) {
                        t->n.v.paused = ev->topic == CTRD_EV_TASK_PAUSED;
                        if (t->pod)
                                t->pod->n.v.paused = t->n.v.paused;
                }
                break;
        default:
                break;
        }
}

static void start_listing(struct ct_state *st);

static void on_event_msg(const uint8_t *msg, size_t len, void *userdata) {
        struct ct_state *st = userdata;
        struct ctrd_event ev;
        if (ctrd_decode_event(msg, len, &ev) < 0) {
                if (st->bad_messages++ == 0)
                        log_warning("%s: an event that does not decode was skipped", st->tag);
                return;
        }
        static const char *const names[] = {
                [CTRD_EV_OTHER] = "other",
                [CTRD_EV_TASK_START] = "task start",
                [CTRD_EV_TASK_EXIT] = "task exit",
                [CTRD_EV_TASK_DELETE] = "task delete",
                [CTRD_EV_TASK_OOM] = "task OOM",
                [CTRD_EV_TASK_PAUSED] = "task paused",
                [CTRD_EV_TASK_RESUMED] = "task resumed",
                [CTRD_EV_CONTAINER_DELETE] = "container delete",
                [CTRD_EV_SYNC] = "sync",
        };
        log_debug("%s: event %s %s%s(namespace %s)", st->tag, names[ev.topic], ev.id,
                  ev.exec ? " (exec) " : " ", ev.ns);
        if (strcmp(ev.ns, st->ns) != 0)
                return;
        if (ev.topic == CTRD_EV_SYNC) {
                if (st->phase == P_SUBSCRIBING)
                        start_listing(st); /* the subscription is live: nothing can be missed */
                return;
        }
        if (st->phase == P_READY) {
                apply_event(st, &ev);
                return;
        }
        /* queued while the listing runs, applied after it */
        if (st->n_queue == st->cap_queue) {
                size_t cap = st->cap_queue ? st->cap_queue * 2 : 64;
                struct ctrd_event *q =
                        cap <= QUEUE_MAX ? realloc(st->queue, cap * sizeof *q) : NULL;
                if (!q) {
                        log_warning("%s: too many events during the listing: resynchronising",
                                    st->tag);
                        ctrd_grpc_abort(st->g, -ENOBUFS);
                        return;
                }
                st->queue = q;
                st->cap_queue = cap;
        }
        st->queue[st->n_queue++] = ev;
}

static void on_subscribe_done(int status, const char *message, void *userdata) {
        struct ct_state *st = userdata;
        log_info("%s: the event stream ended (status %d %s): reconnecting", st->tag, status,
                 message);
        ctrd_grpc_abort(st->g, -ECONNRESET);
}

/* ---- the listing: containers (metadata), then tasks ---- */

static void on_container_listed(const struct ctrd_container *c, void *userdata) {
        struct ct_state *st = userdata;
        if (st->n_metas == st->cap_metas) {
                size_t cap = st->cap_metas ? st->cap_metas * 2 : 64;
                struct ctrd_container *m = realloc(st->metas, cap * sizeof *m);
                if (!m)
                        return;
                st->metas = m;
                st->cap_metas = cap;
        }
        st->metas[st->n_metas++] = *c;
}

static void on_containers_msg(const uint8_t *msg, size_t len, void *userdata) {
        struct ct_state *st = userdata;
        int n = ctrd_decode_containers(msg, len, on_container_listed, st);
        log_debug("%s: %d containers listed (%zu bytes)", st->tag, n, len);
        if (n < 0)
                st->bad_messages++;
}

static const struct ctrd_container *meta_find(struct ct_state *st, const char *id) {
        for (size_t i = 0; i < st->n_metas; i++)
                if (strcmp(st->metas[i].id, id) == 0)
                        return &st->metas[i];
        return NULL;
}

static void on_task_listed(const struct ctrd_task *lt, void *userdata) {
        struct ct_state *st = userdata;
        if (!lt->running || lt->pid == 0)
                return;
        struct ct_task *t = task_find(st, lt->id);
        if (t && t->n.v.pid == (pid_t)lt->pid) {
                t->seen = true;
                t->n.v.paused = lt->paused;
                return;
        }
        if (t)
                task_end(st, t); /* restarted with another process */
        t = task_new(st, lt->id, lt->pid);
        if (!t)
                return;
        const struct ctrd_container *meta = meta_find(st, lt->id);
        if (meta)
                t->meta = *meta;
        t->n.v.paused = lt->paused;
        task_run(st, t);
}

static void on_tasks_msg(const uint8_t *msg, size_t len, void *userdata) {
        struct ct_state *st = userdata;
        for (struct ct_task *t = st->tasks; t; t = t->next)
                t->seen = false;
        int n = ctrd_decode_tasks(msg, len, on_task_listed, st);
        log_debug("%s: %d tasks listed (%zu bytes)", st->tag, n, len);
        if (n < 0) {
                st->bad_messages++;
                for (struct ct_task *t = st->tasks; t; t = t->next)
                        t->seen = true;
        }
}

static void on_tasks_done(int status, const char *message, void *userdata) {
        struct ct_state *st = userdata;
        free(st->metas);
        st->metas = NULL;
        st->n_metas = st->cap_metas = 0;
        if (status != 0) {
                log_warning("%s: listing the tasks failed (status %d %s)", st->tag, status,
                            message);
                ctrd_grpc_abort(st->g, -EIO);
                return;
        }
        /* what is no longer running ended while we were not listening */
        for (struct ct_task *t = st->tasks, *next; t; t = next) {
                next = t->next;
                if (!t->seen)
                        task_end(st, t);
        }
        st->phase = P_READY;
        st->backoff = BACKOFF_MIN_USEC;
        for (size_t i = 0; i < st->n_queue; i++)
                apply_event(st, &st->queue[i]);
        st->n_queue = 0;
        log_debug("%s: %u data sources after the listing", st->tag, st->n_reported);
}

static void on_containers_done(int status, const char *message, void *userdata) {
        struct ct_state *st = userdata;
        if (status != 0) {
                log_warning("%s: listing the containers failed (status %d %s)", st->tag, status,
                            message);
                ctrd_grpc_abort(st->g, -EIO);
                return;
        }
        if (ctrd_grpc_call(st->g, M_TASKS, NULL, 0, on_tasks_msg, on_tasks_done, st) < 0)
                ctrd_grpc_abort(st->g, -EIO);
}

static void start_listing(struct ct_state *st) {
        st->phase = P_LISTING;
        st->n_metas = 0;
        if (st->sync_timer)
                evsrc_set_enabled(st->sync_timer, EVSRC_OFF);
        if (ctrd_grpc_call(st->g, M_CONTAINERS, NULL, 0, on_containers_msg, on_containers_done,
                           st) < 0)
                ctrd_grpc_abort(st->g, -EIO);
}

static void on_ignore_msg(const uint8_t *msg, size_t len, void *userdata) {
}

#define SYNC_INTERVAL_USEC 100000ULL
#define SYNC_ATTEMPTS 50

static void publish_sync(struct ct_state *st);

static void on_publish_done(int status, const char *message, void *userdata) {
        struct ct_state *st = userdata;
        if (status == 0 || st->phase != P_SUBSCRIBING)
                return; /* the event comes back on the stream */
        /* cannot publish (an older or restricted containerd): list now */
        log_debug("%s: publishing the sync event failed (status %d %s)", st->tag, status, message);
        start_listing(st);
}

static int on_sync_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        struct ct_state *st = userdata;
        if (st->phase != P_SUBSCRIBING || !st->g)
                return 0;
        if (st->sync_attempts >= SYNC_ATTEMPTS) {
                log_warning("%s: our own sync event never came back on the event stream: listing "
                            "anyway",
                            st->tag);
                start_listing(st);
                return 0;
        }
        publish_sync(st);
        return 0;
}

static void publish_sync(struct ct_state *st) {
        uint8_t *req;
        size_t len;
        int r = ctrd_encode_publish_sync(&req, &len);
        if (r == 0) {
                r = ctrd_grpc_call(st->g, M_PUBLISH, req, len, on_ignore_msg, on_publish_done, st);
                free(req);
        }
        if (r < 0) {
                ctrd_grpc_abort(st->g, r);
                return;
        }
        st->sync_attempts++;
        uint64_t now;
        evloop_now(st->m->loop, CLOCK_MONOTONIC, &now);
        if (!st->sync_timer) {
                if (evloop_add_time(st->m->loop, &st->sync_timer, CLOCK_MONOTONIC,
                                    now + SYNC_INTERVAL_USEC, 10000, on_sync_timer, st) < 0)
                        return;
        } else
                evsrc_set_time(st->sync_timer, now + SYNC_INTERVAL_USEC);
        evsrc_set_enabled(st->sync_timer, EVSRC_ONESHOT);
}

/* ---- the connection ---- */

static void schedule_retry(struct ct_state *st);

static void on_broken(struct ctrd_grpc *g, int error, void *userdata) {
        struct ct_state *st = userdata;
        ctrd_grpc_free(st->g);
        st->g = NULL;
        st->phase = P_DOWN;
        st->n_queue = 0;
        free(st->metas);
        st->metas = NULL;
        st->n_metas = st->cap_metas = 0;
        log_info_errno(error, "%s: connection to %s lost (%m): reconnecting", st->tag, st->socket);
        /* metadata requests in flight are gone: the next listing asks again */
        for (struct ct_task *t = st->tasks, *next; t; t = next) {
                next = t->next;
                if (t->state == T_GETTING)
                        task_end(st, t);
        }
        schedule_retry(st);
}

static void connect_containerd(struct ct_state *st) {
        static const struct ctrd_grpc_callbacks cb = {.broken = on_broken};
        int r = ctrd_grpc_connect(st->m->loop, st->socket, st->ns, &cb, st, &st->g);
        if (r < 0) {
                if (!st->warned_connect)
                        log_warning_errno(r, "%s: cannot connect to %s (%m): retrying", st->tag,
                                          st->socket);
                st->warned_connect = true;
                schedule_retry(st);
                return;
        }
        st->warned_connect = false;
        st->phase = P_SUBSCRIBING;
        uint8_t *req;
        size_t len;
        r = ctrd_encode_subscribe(st->ns, &req, &len);
        if (r == 0) {
                r = ctrd_grpc_call(st->g, M_SUBSCRIBE, req, len, on_event_msg, on_subscribe_done,
                                   st);
                free(req);
        }
        if (r < 0) {
                ctrd_grpc_abort(st->g, r);
                return;
        }
        /* then an event of our own: when it comes back, the subscription is in force (the
         * server registers it a moment after the call arrives, and says nothing when it has) */
        st->sync_attempts = 0;
        publish_sync(st);
}

static int on_retry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct ct_state *st = userdata;
        connect_containerd(st);
        return 0;
}

static void schedule_retry(struct ct_state *st) {
        uint64_t now;
        evloop_now(st->m->loop, CLOCK_MONOTONIC, &now);
        if (!st->retry) {
                if (evloop_add_time(st->m->loop, &st->retry, CLOCK_MONOTONIC, now + st->backoff,
                                    100000, on_retry, st) < 0)
                        return;
        } else {
                evsrc_set_time(st->retry, now + st->backoff);
        }
        evsrc_set_enabled(st->retry, EVSRC_ONESHOT);
        log_debug("%s: reconnecting in %llu ms", st->tag, (unsigned long long)(st->backoff / 1000));
        st->backoff = st->backoff * 2 > BACKOFF_MAX_USEC ? BACKOFF_MAX_USEC : st->backoff * 2;
}

/* ---- polling ---- */

static int ct_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct ct_state *st = m->state;
        struct ct_node *n = hsp_source_userdata(src);
        if (n->is_pod) {
                struct ct_pod *p = (struct ct_pod *)n;
                if (!p->own_cgroup && !p->n.v.ending) {
                        /* no cgroup of its own: the sum of its containers' */
                        struct cgroup_stats sum = {0}, cs;
                        for (struct ct_task *t = st->tasks; t; t = t->next)
                                if (t->pod == p && t->n.v.have_paths &&
                                    cgroup_read_stats(&st->host.buf, &t->n.v.paths, &cs) == 0)
                                        vnode_stats_add(&sum, &cs);
                        p->n.v.last = sum;
                }
        }
        vnode_read_net(&st->host, &n->v, false, NULL, 0);
        vnode_fill(&st->host, &n->v, NULL, out);
        return 0;
}

static unsigned ct_count_virtual(struct hsp_mod *m) {
        struct ct_state *st = m->state;
        return st ? st->n_reported : 0;
}

/* ---- module ---- */

static void ct_stop(struct hsp_mod *m);
static bool docker_present(struct hsp_mod *m);
extern const struct hsp_module hsp_module_k8s;

static int ct_start_mode(struct hsp_mod *m, const char *tag) {
        const struct ct_conf *c = conf_of(m);
        int r = ctrd_dl_load();
        if (r < 0)
                return r;
        struct ct_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the %s module: %m",
                                       m->module->name);
        st->m = m;
        m->state = st;
        st->tag = tag;
        st->pod_mode = c->pod;
        st->socket = strdup(c->socket && c->socket[0] ? c->socket : DEFAULT_SOCKET);
        st->ns = strdup(c->ns && c->ns[0] ? c->ns : DEFAULT_NAMESPACE);
        if (!st->socket || !st->ns)
                return log_error_errno(-ENOMEM, "Failed to start the %s module: %m",
                                       m->module->name);
        st->backoff = BACKOFF_MIN_USEC;
        vnode_host_init(&st->host, tag);
        log_info("%s: following %s of namespace %s at %s", tag,
                 st->pod_mode ? "pods" : "containers", st->ns, st->socket);
        connect_containerd(st);
        return 0;
}

static bool same(const char *running, const char *configured, const char *dflt) {
        return strcmp(running, configured && configured[0] ? configured : dflt) == 0;
}

/* A reload: nothing changes unless the block's settings (or, for k8s, the choice between it
 * and docker) did; then the module starts over with the new ones. */
static int ct_reconfigure(struct hsp_mod *m) {
        struct ct_state *st = m->state;
        const struct ct_conf *c = conf_of(m);
        bool is_k8s = m->module == &hsp_module_k8s;
        if (st && same(st->socket, c->socket, DEFAULT_SOCKET) &&
            same(st->ns, c->ns, DEFAULT_NAMESPACE) && st->pod_mode == c->pod &&
            !(is_k8s && docker_present(m)))
                return 0;
        if (!st && is_k8s && docker_present(m))
                return 0; /* still idle */
        log_info("%s: settings changed: starting over", is_k8s ? "k8s" : "containerd");
        ct_stop(m);
        return m->module->start(m);
}

static int ct_start(struct hsp_mod *m) {
        return ct_start_mode(m, "containerd");
}

/* Docker's socket, as the docker module finds it (DOCKER_HOST or the default). */
static const char *docker_socket(void) {
        const char *h = getenv("DOCKER_HOST");
        return h && strncmp(h, "unix://", 7) == 0 && h[7] ? h + 7 : "/var/run/docker.sock";
}

/* As the reference: with docker { } configured and Docker's socket present, the node's
 * containers are Docker's and k8s { } stays idle (one configuration for both kinds of node). */
static bool docker_present(struct hsp_mod *m) {
        struct stat sb;
        return hsp_config_find_block(m->config, "docker") && stat(docker_socket(), &sb) == 0 &&
               S_ISSOCK(sb.st_mode);
}

static int k8s_start(struct hsp_mod *m) {
        if (docker_present(m)) {
                log_info("k8s: docker { } is configured and %s exists: containers are reported "
                         "by the docker module, k8s { } stays idle",
                         docker_socket());
                return 0;
        }
        return ct_start_mode(m, "k8s");
}

static void ct_stop(struct hsp_mod *m) {
        struct ct_state *st = m->state;
        if (!st)
                return;
        ctrd_grpc_free(st->g);
        st->retry = evsrc_disable_unref(st->retry);
        st->sync_timer = evsrc_disable_unref(st->sync_timer);
        while (st->tasks) {
                struct ct_task *t = st->tasks;
                st->tasks = t->next;
                if (t->reported)
                        hsp_source_remove(t->n.src, false);
                free(t);
        }
        while (st->pods) {
                struct ct_pod *p = st->pods;
                st->pods = p->next;
                hsp_source_remove(p->n.src, false);
                free(p);
        }
        free(st->metas);
        free(st->queue);
        free(st->socket);
        free(st->ns);
        vnode_host_free(&st->host);
        free(st);
        m->state = NULL;
}

/* containerd's socket is root-only (connect needs write access); a task's interfaces are read
 * through /proc/PID/root, which needs ptrace access */
#define CT_CAPS (HSP_CAP(CAP_DAC_OVERRIDE) | HSP_CAP(CAP_SYS_PTRACE))

const struct hsp_module hsp_module_containerd = {
        .name = "containerd",
        .keywords = ct_keywords,
        .conf_size = sizeof(struct ct_conf),
        .capabilities = CT_CAPS,
        .start = ct_start,
        .poll = ct_poll,
        .count_virtual = ct_count_virtual,
        .reconfigure = ct_reconfigure,
        .stop = ct_stop,
};

/* The reference's k8s { } block: the same module, one data source per pod. */
const struct hsp_module hsp_module_k8s = {
        .name = "k8s",
        .keywords = ct_keywords,
        .conf_size = sizeof(struct ct_conf),
        .defaults = &k8s_defaults,
        .capabilities = CT_CAPS,
        .start = k8s_start,
        .poll = ct_poll,
        .count_virtual = ct_count_virtual,
        .reconfigure = ct_reconfigure,
        .stop = ct_stop,
};
