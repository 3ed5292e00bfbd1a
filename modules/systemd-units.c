/* systemd-units.c - the systemd module's unit table, kept by the manager's signals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "sflow/sflow.h"
#include "systemd-dl.h"
#include "systemd.h"
#include "uuid.h"

struct sd_unit *sd_unit_find(struct sd_state *st, const char *name) {
        for (struct sd_unit *u = st->list; u; u = u->next)
                if (strcmp(u->name, name) == 0)
                        return u;
        return NULL;
}

static struct sd_unit *find_path(struct sd_state *st, const char *path) {
        for (struct sd_unit *u = st->list; u; u = u->next)
                if (strcmp(u->path, path) == 0)
                        return u;
        return NULL;
}

/* Forget a unit; a reported one gets its final sample (virt_cpu state shutdown) with final. */
void sd_unit_end(struct sd_state *st, struct sd_unit *u, bool final) {
        if (u->state == U_RUNNING) {
                u->ending = true;
                log_debug("systemd: unit %s ended (%s/%s): 3:%u removed", u->name,
                          u->props.active_state, u->props.sub_state, hsp_source_index(u->src));
                hsp_source_remove(u->src, final);
                st->n_running--;
        }
        if (u->prev)
                u->prev->next = u->next;
        else
                st->list = u->next;
        if (u->next)
                u->next->prev = u->prev;
        free(u);
}

/* Track a unit and ask for its properties; path NULL: derived from the name. */
static void ask(struct sd_state *st, const char *name, const char *path) {
        struct sd_unit *u = sd_unit_find(st, name);
        if (u) {
                u->seen = true;
                if (u->state == U_RUNNING)
                        (void)sd_client_get(st->client, u->path);
                return;
        }
        char *p = NULL;
        if (!path) {
                if (sym_sd_bus_path_encode("/org/freedesktop/systemd1/unit", name, &p) < 0)
                        return;
                path = p;
        }
        u = calloc(1, sizeof *u);
        if (!u || strlen(name) >= sizeof u->name || strlen(path) >= sizeof u->path) {
                free(u);
                free(p);
                return;
        }
        snprintf(u->name, sizeof u->name, "%s", name);
        snprintf(u->path, sizeof u->path, "%s", path);
        free(p);
        u->owner = st;
        u->state = U_ASKING;
        u->seen = true;
        sd_props_init(&u->props);
        u->next = st->list;
        if (st->list)
                st->list->prev = u;
        st->list = u;
        if (sd_client_get(st->client, u->path) < 0)
                sd_unit_end(st, u, false);
}

static void start(struct sd_state *st, struct sd_unit *u) {
        const uint8_t *machine = hsp_agent_uuid(st->m->agent);
        if (uuid_v5(machine, u->name, strlen(u->name), u->uuid) < 0)
                memset(u->uuid, 0, sizeof u->uuid);
        int r = st->have_mounts ? cgroup_paths_of_cgroup(&st->mounts, u->props.cgroup, &u->paths)
                                : -ENOENT;
        u->have_paths = r >= 0;
        if (hsp_source_add_hashed(st->m, SFLOW_DS_LOGICAL, u->name, u, &u->src) < 0) {
                sd_unit_end(st, u, false);
                return;
        }
        u->state = U_RUNNING;
        st->n_running++;
        log_debug("systemd: unit %s (%s) started: 3:%u", u->name, u->props.cgroup,
                  hsp_source_index(u->src));
        hsp_source_poll_now(u->src);
}

static void on_got(const char *path, const struct sd_props *p, void *userdata) {
        struct sd_state *st = userdata;
        struct sd_unit *u = find_path(st, path);
        if (!u)
                return;
        if (!p) {
                if (u->state == U_ASKING)
                        sd_unit_end(st, u, false);
                return; /* a running unit keeps its last properties */
        }
        uint32_t vs = sd_virt_state(p->active_state, p->sub_state);
        if (!vs || !p->cgroup[0]) {
                u->props = *p;
                sd_unit_end(st, u, true);
                return;
        }
        u->props = *p;
        u->virt_state = vs;
        if (u->state == U_ASKING)
                start(st, u);
}

static void on_changed(const char *name, const char *path, const struct sd_props *p,
                       void *userdata) {
        struct sd_state *st = userdata;
        struct sd_unit *u = sd_unit_find(st, name);
        if (!p) {
                ask(st, name, path); /* UnitNew, JobRemoved: the state is in the answer */
                return;
        }
        uint32_t vs = sd_virt_state(p->active_state, p->sub_state);
        if (u && u->state == U_RUNNING) {
                snprintf(u->props.active_state, sizeof u->props.active_state, "%s",
                         p->active_state);
                snprintf(u->props.sub_state, sizeof u->props.sub_state, "%s", p->sub_state);
                if (vs)
                        u->virt_state = vs;
                else
                        sd_unit_end(st, u, true);
        } else if (!u && vs)
                ask(st, name, path);
}

/* UnitRemoved: the manager also sends it for every unit when it re-executes, so it is not an
 * end by itself; a unit that really stopped said so through its ActiveState first. Ask again:
 * while the manager is away the call fails and the unit is kept until the resynchronisation. */
static void on_removed(const char *name, void *userdata) {
        struct sd_state *st = userdata;
        struct sd_unit *u = sd_unit_find(st, name);
        if (u && u->state == U_RUNNING)
                (void)sd_client_get(st->client, u->path);
}

static void on_listed_begin(void *userdata) {
        struct sd_state *st = userdata;
        for (struct sd_unit *u = st->list; u; u = u->next)
                u->seen = false;
}

static void on_listed(const char *name, const char *path, void *userdata) {
        ask(userdata, name, path);
}

static void on_listed_end(void *userdata) {
        struct sd_state *st = userdata;
        /* what is no longer active ended while we were not listening */
        for (struct sd_unit *u = st->list, *next; u; u = next) {
                next = u->next;
                if (!u->seen)
                        sd_unit_end(st, u, true);
        }
}

const struct sd_client_callbacks sd_unit_callbacks = {
        .listed_begin = on_listed_begin,
        .listed = on_listed,
        .listed_end = on_listed_end,
        .changed = on_changed,
        .removed = on_removed,
        .got = on_got,
};
