/* docker.c - the docker module: one 3:N data source per running container, from Engine events. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "cgroup.h"
#include "config.h"
#include "docker.h"
#include "json-dl.h"
#include "log.h"
#include "privileges.h"
#include "vnode.h"

struct dk_conf {
        bool hostname;     /* 2000 hostname from Config.Hostname instead of the name */
        bool mark_traffic; /* accepted for compatibility */
};

static const struct hsp_keyword dk_keywords[] = {
        {"hostname", HSP_KW_BOOL, offsetof(struct dk_conf, hostname), 0, 0,
         "on: report the container's hostname instead of its name"},
        {"markTraffic", HSP_KW_BOOL, offsetof(struct dk_conf, mark_traffic), 0, 0, "on or off"},
        HSP_KEYWORDS_END,
};

enum dk_cstate { C_INSPECTING, C_RUNNING };

struct dk_container {
        char id[DK_ID_MAX + 1];
        char hostname[DK_NAME_MAX];
        struct vnode v; /* name, pid, cgroup, interfaces, last counters */
        enum dk_cstate state;
        bool seen; /* in the listing being applied */
        uint32_t ds_index;
        struct hsp_source *src;
        struct evsrc *retry; /* the next inspection after one failed */
        unsigned inspect_failures;
        struct dk_state *owner;
        struct dk_container *prev, *next;
};

struct dk_state {
        struct hsp_mod *m;
        struct dk_api *api;
        struct dk_container *list;
        unsigned n_running;
        struct vnode_host host;
};

static const struct dk_conf *conf_of(struct hsp_mod *m) {
        static const struct dk_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

/* ---- containers ---- */

static struct dk_container *find(struct dk_state *st, const char *id) {
        for (struct dk_container *c = st->list; c; c = c->next)
                if (strcmp(c->id, id) == 0)
                        return c;
        return NULL;
}

static struct dk_container *container_new(struct dk_state *st, const char *id) {
        struct dk_container *c = calloc(1, sizeof *c);
        if (!c) {
                log_error_errno(-ENOMEM, "Docker: cannot track container %.12s: %m", id);
                return NULL;
        }
        snprintf(c->id, sizeof c->id, "%s", id);
        c->owner = st;
        c->state = C_INSPECTING;
        c->seen = true;
        c->next = st->list;
        if (st->list)
                st->list->prev = c;
        st->list = c;
        return c;
}

/* Forget a container; a reported one gets its final sample (virt_cpu state shutdown). */
static void container_end(struct dk_state *st, struct dk_container *c) {
        c->retry = evsrc_disable_unref(c->retry);
        if (c->state == C_RUNNING) {
                c->v.ending = true;
                log_debug("Docker: container %s (%.12s) ended: 3:%u removed", c->v.name, c->id,
                          c->ds_index);
                hsp_source_remove(c->src, true);
                st->n_running--;
        }
        if (c->prev)
                c->prev->next = c->next;
        else
                st->list = c->next;
        if (c->next)
                c->next->prev = c->prev;
        free(c);
}

static void start_inspect(struct dk_state *st, const char *id) {
        struct dk_container *c = find(st, id);
        if (c) {
                c->seen = true;
                return;
        }
        c = container_new(st, id);
        if (c && dk_api_inspect(st->api, id) < 0)
                container_end(st, c);
}

/* ---- the engine's answers ---- */

#define INSPECT_ATTEMPTS 5
#define INSPECT_RETRY_USEC (1000000ULL)

static int on_inspect_retry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct dk_container *c = userdata;
        struct dk_state *st = c->owner;
        c->retry = evsrc_unref(c->retry);
        if (dk_api_inspect(st->api, c->id) < 0)
                container_end(st, c);
        return 0;
}

static void on_inspected(const char *id, const struct dk_inspect *ins, bool gone, void *userdata) {
        struct dk_state *st = userdata;
        struct dk_container *c = find(st, id);
        if (!c || c->state != C_INSPECTING)
                return; /* ended meanwhile */
        if (!ins && !gone && ++c->inspect_failures < INSPECT_ATTEMPTS) {
                /* The engine answered badly (logged with the endpoint): ask again shortly
                 * rather than lose the container until the next resynchronisation. */
                uint64_t now;
                evloop_now(st->m->loop, CLOCK_MONOTONIC, &now);
                if (evloop_add_time(st->m->loop, &c->retry, CLOCK_MONOTONIC,
                                    now + INSPECT_RETRY_USEC * c->inspect_failures, 100000,
                                    on_inspect_retry, c) >= 0)
                        return;
        }
        if (!ins || !ins->running || ins->pid <= 0) {
                if (!ins && !gone)
                        log_warning("Docker: container %.12s could not be inspected %u times; "
                                    "it is left out until the engine reconnects",
                                    id, c->inspect_failures);
                container_end(st, c);
                return;
        }
        snprintf(c->v.name, sizeof c->v.name, "%s", ins->name);
        snprintf(c->hostname, sizeof c->hostname, "%s", ins->hostname);
        dk_uuid(c->id, c->v.uuid);
        c->v.pid = ins->pid;
        c->v.paused = ins->paused;
        c->v.cpus = ins->cpus;
        c->v.mem_limit = ins->memory_limit;
        vnode_find_cgroup(&st->host, &c->v);
        c->v.n_ifs = -1;
        vnode_read_net(&st->host, &c->v, true, (const uint8_t(*)[6])ins->macs, ins->n_macs);
        int r = hsp_source_add_hashed(st->m, SFLOW_DS_LOGICAL, c->id, c, &c->src);
        if (r < 0) {
                container_end(st, c);
                return;
        }
        c->ds_index = hsp_source_index(c->src);
        c->state = C_RUNNING;
        st->n_running++;
        log_debug("Docker: container %s (%.12s, pid %d) started: 3:%u", c->v.name, c->id,
                  (int)c->v.pid, c->ds_index);
        hsp_source_poll_now(c->src);
}

static void on_event(const struct dk_event *ev, void *userdata) {
        struct dk_state *st = userdata;
        struct dk_container *c = find(st, ev->id);
        switch (ev->action) {
        case DK_EV_START:
                start_inspect(st, ev->id);
                break;
        case DK_EV_DIE:
        case DK_EV_STOP:
        case DK_EV_DESTROY:
                if (c)
                        container_end(st, c);
                break;
        case DK_EV_PAUSE:
        case DK_EV_UNPAUSE:
                if (c)
                        c->v.paused = ev->action == DK_EV_PAUSE;
                break;
        case DK_EV_RENAME:
                if (c && ev->name[0])
                        snprintf(c->v.name, sizeof c->v.name, "%s", ev->name);
                break;
        default:
                break; /* kill (may not kill), oom (die follows), create, exec_*, ... */
        }
}

static void on_listed_begin(void *userdata) {
        struct dk_state *st = userdata;
        for (struct dk_container *c = st->list; c; c = c->next)
                c->seen = false;
}

static void on_listed(const char *id, void *userdata) {
        start_inspect(userdata, id);
}

static void on_listed_end(void *userdata) {
        struct dk_state *st = userdata;
        /* what is no longer running ended while we were not listening */
        for (struct dk_container *c = st->list, *next; c; c = next) {
                next = c->next;
                if (!c->seen)
                        container_end(st, c);
        }
}

static void on_disconnected(void *userdata) {
        struct dk_state *st = userdata;
        /* inspections in flight were dropped: the next listing asks again */
        for (struct dk_container *c = st->list, *next; c; c = next) {
                next = c->next;
                if (c->state == C_INSPECTING)
                        container_end(st, c);
        }
}

/* ---- polling ---- */

static int docker_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct dk_state *st = m->state;
        struct dk_container *c = hsp_source_userdata(src);
        vnode_read_net(&st->host, &c->v, false, NULL, 0);
        vnode_fill(&st->host, &c->v, conf_of(m)->hostname && c->hostname[0] ? c->hostname : NULL,
                   out);
        return 0;
}

static unsigned docker_count_virtual(struct hsp_mod *m) {
        struct dk_state *st = m->state;
        return st ? st->n_running : 0;
}

/* ---- module ---- */

static void docker_stop(struct hsp_mod *m);

static int docker_start(struct hsp_mod *m) {
        int r = json_dl_load("docker");
        if (r < 0)
                return r;
        struct dk_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the docker module: %m");
        st->m = m;
        m->state = st;
        vnode_host_init(&st->host, "Docker");
        if (conf_of(m)->mark_traffic)
                log_warning("docker: markTraffic=on is not implemented: ignored");
        static const struct dk_api_callbacks cb = {
                .listed_begin = on_listed_begin,
                .listed = on_listed,
                .listed_end = on_listed_end,
                .event = on_event,
                .inspected = on_inspected,
                .disconnected = on_disconnected,
        };
        const char *sock = dk_socket_path();
        r = dk_api_new(m->loop, sock, &cb, st, &st->api);
        if (r < 0)
                return r;
        log_info("Docker: following containers of the engine at %s", sock);
        return 0;
}

static int docker_reconfigure(struct hsp_mod *m) {
        return 0; /* hostname= is read at each poll */
}

static void docker_stop(struct hsp_mod *m) {
        struct dk_state *st = m->state;
        if (!st)
                return;
        dk_api_free(st->api);
        while (st->list) {
                struct dk_container *c = st->list;
                st->list = c->next;
                /* an inspection retry may be armed: it must not fire on freed memory */
                c->retry = evsrc_disable_unref(c->retry);
                if (c->state == C_RUNNING)
                        hsp_source_remove(c->src, false);
                free(c);
        }
        vnode_host_free(&st->host);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_docker = {
        .name = "docker",
        .keywords = dk_keywords,
        .conf_size = sizeof(struct dk_conf),
        /* the engine's socket is root:docker 0660 (connect needs write access); a container's
         * interfaces are read through /proc/PID/root, which needs ptrace access */
        .capabilities = HSP_CAP(CAP_DAC_OVERRIDE) | HSP_CAP(CAP_SYS_PTRACE),
        .start = docker_start,
        .poll = docker_poll,
        .count_virtual = docker_count_virtual,
        .reconfigure = docker_reconfigure,
        .stop = docker_stop,
};
