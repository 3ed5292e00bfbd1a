/* systemd-bus.c - the system bus client of the systemd module: the manager's signals first,
 * then one ListUnits; properties of single units on request; reconnection with backoff. The bus
 * runs on the agent's loop: a watch on its socket and a timer for its own deadlines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "systemd-dl.h"
#include "systemd.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT_PREFIX "/org/freedesktop/systemd1/unit"
#define BACKOFF_MIN_USEC 1000000ULL
#define BACKOFF_MAX_USEC 30000000ULL
#define CALL_TIMEOUT_USEC 10000000ULL

struct sd_client {
        struct evloop *loop;
        sd_bus *bus;
        bool scopes;
        const struct sd_client_callbacks *cb;
        void *userdata;
        struct evsrc *retry;
        struct evsrc *bus_io, *bus_timer; /* the bus on the loop */
        uint64_t backoff;
        bool listing;
};

static void schedule_reconnect(struct sd_client *c);
static void bus_update(struct sd_client *c);

/* ---- signals ---- */

static int on_props_changed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct sd_client *c = userdata;
        const char *iface, *path = sym_sd_bus_message_get_path(m);
        char *name = NULL;
        if (!path || sym_sd_bus_message_read_basic(m, 's', &iface) <= 0 ||
            strcmp(iface, "org.freedesktop.systemd1.Unit") != 0)
                return 0;
        if (sym_sd_bus_path_decode(path, SD_UNIT_PREFIX, &name) <= 0 || !name)
                return 0;
        struct sd_props p;
        sd_props_init(&p);
        if (sd_props_read(m, &p) < 0)
                log_debug("systemd: malformed PropertiesChanged of %s ignored", path);
        else if (sd_unit_wanted(name, c->scopes) && p.active_state[0])
                c->cb->changed(name, path, &p, c->userdata);
        free(name);
        return 0;
}

/* UnitNew(so) and JobRemoved(uoss): the unit's state may have changed. */
static int on_unit_signal(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct sd_client *c = userdata;
        const char *name = NULL, *path = NULL, *job;
        uint32_t id;
        int r;
        if (sym_sd_bus_message_is_signal(m, SD_MANAGER, "JobRemoved"))
                r = sym_sd_bus_message_read(m, "uos", &id, &job, &name);
        else
                r = sym_sd_bus_message_read(m, "so", &name, &path);
        if (r < 0 || !name || !sd_unit_wanted(name, c->scopes))
                return 0;
        if (sym_sd_bus_message_is_signal(m, SD_MANAGER, "UnitRemoved"))
                c->cb->removed(name, c->userdata);
        else
                c->cb->changed(name, path, NULL, c->userdata);
        return 0;
}

/* ---- the listing ---- */

static int on_list(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct sd_client *c = userdata;
        c->listing = false;
        if (sym_sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *err = sym_sd_bus_message_get_error(m);
                log_warning("systemd: ListUnits failed: %s", err ? err->message : "?");
                return 0;
        }
        int r = sym_sd_bus_message_enter_container(m, 'a', "(ssssssouso)");
        if (r < 0)
                goto bad;
        c->cb->listed_begin(c->userdata);
        const char *name, *desc, *load, *active, *sub, *follow, *path, *jtype, *jpath;
        uint32_t jid;
        unsigned n = 0;
        while ((r = sym_sd_bus_message_read(m, "(ssssssouso)", &name, &desc, &load, &active, &sub,
                                            &follow, &path, &jid, &jtype, &jpath)) > 0)
                if (sd_unit_wanted(name, c->scopes) && sd_virt_state(active, sub)) {
                        c->cb->listed(name, path, c->userdata);
                        n++;
                }
        c->cb->listed_end(c->userdata);
        if (r < 0)
                goto bad;
        log_info("systemd: %u active units followed", n);
        return 0;
bad:
        log_warning_errno(r, "systemd: malformed ListUnits answer: %m");
        return 0;
}

static int list_units(struct sd_client *c) {
        if (c->listing)
                return 0;
        /* the manager's Subscribe: it emits unit signals only while someone is subscribed */
        int r = sym_sd_bus_call_method_async(c->bus, NULL, SD_DEST, SD_PATH, SD_MANAGER,
                                             "Subscribe", NULL, NULL, "");
        if (r >= 0)
                r = sym_sd_bus_call_method_async(c->bus, NULL, SD_DEST, SD_PATH, SD_MANAGER,
                                                 "ListUnits", on_list, c, "");
        if (r < 0)
                return log_warning_errno(r, "systemd: cannot ask for the units: %m");
        c->listing = true;
        return 0;
}

/* systemd itself came back (daemon-reexec, restart): subscribe again and resynchronise. */
static int on_owner(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct sd_client *c = userdata;
        const char *name, *old, *new;
        if (sym_sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || strcmp(name, SD_DEST) != 0)
                return 0;
        if (new[0]) {
                log_info("systemd: the manager is back on the bus: resynchronising");
                c->listing = false;
                list_units(c);
        }
        return 0;
}

/* ---- properties of one unit ---- */

struct get_call {
        struct sd_client *c;
        char path[];
};

static int on_got(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct get_call *g = userdata;
        struct sd_props p;
        sd_props_init(&p);
        if (sym_sd_bus_message_is_method_error(m, NULL) || sd_props_read(m, &p) < 0) {
                g->c->cb->got(g->path, NULL, g->c->userdata);
                return 0;
        }
        g->c->cb->got(g->path, &p, g->c->userdata);
        return 0;
}

int sd_client_get(struct sd_client *c, const char *path) {
        if (!c->bus)
                return -ENOTCONN;
        size_t n = strlen(path) + 1;
        struct get_call *g = malloc(sizeof *g + n);
        if (!g)
                return -ENOMEM;
        g->c = c;
        memcpy(g->path, path, n);
        sd_bus_slot *slot = NULL;
        /* "" asks for the properties of every interface: Unit and Service (or Scope) */
        int r = sym_sd_bus_call_method_async(c->bus, &slot, SD_DEST, path,
                                             "org.freedesktop.DBus.Properties", "GetAll", on_got, g,
                                             "s", "");
        if (r < 0) {
                free(g);
                return log_debug_errno(r, "systemd: GetAll %s: %m", path);
        }
        sym_sd_bus_slot_set_destroy_callback(slot, free);
        sym_sd_bus_slot_set_floating(slot, 1);
        sym_sd_bus_slot_unref(slot);
        bus_update(c); /* the call may wait for the socket, and has a deadline */
        return 0;
}

/* ---- connection ---- */

static void disconnect(struct sd_client *c) {
        c->bus_io = evsrc_disable_unref(c->bus_io);
        c->bus_timer = evsrc_disable_unref(c->bus_timer);
        if (c->bus)
                c->bus = sym_sd_bus_flush_close_unref(c->bus);
        c->listing = false;
}

/* What the bus waits for next: its socket's events and its earliest deadline (a method
 * call's timeout, or at once when it has messages queued already). */
static void bus_update(struct sd_client *c) {
        if (!c->bus || !c->bus_io)
                return;
        int events = sym_sd_bus_get_events(c->bus);
        uint64_t until;
        int r = events < 0 ? events : sym_sd_bus_get_timeout(c->bus, &until);
        if (r >= 0)
                r = evsrc_set_io_events(c->bus_io, (uint32_t)events);
        if (r >= 0 && until == UINT64_MAX)
                r = evsrc_set_enabled(c->bus_timer, EVSRC_OFF);
        else if (r >= 0) {
                r = evsrc_set_time(c->bus_timer, until);
                if (r >= 0)
                        r = evsrc_set_enabled(c->bus_timer, EVSRC_ONESHOT);
        }
        if (r < 0)
                log_warning_errno(r, "systemd: cannot watch the system bus: %m");
}

/* Everything the bus has to do now: read, write, run the callbacks (one of which may close
 * the connection), until it has nothing left. */
static void bus_process(struct sd_client *c) {
        int r = 1;
        while (c->bus && r > 0)
                r = sym_sd_bus_process(c->bus, NULL);
        if (r < 0 && c->bus) {
                log_warning_errno(r, "systemd: the system bus failed (%m); reconnecting");
                disconnect(c);
                schedule_reconnect(c);
                return;
        }
        bus_update(c);
}

static int on_bus_io(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        bus_process(userdata);
        return 0;
}

static int on_bus_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        bus_process(userdata);
        return 0;
}

static int bus_attach(struct sd_client *c) {
        int fd = sym_sd_bus_get_fd(c->bus);
        if (fd < 0)
                return fd;
        int r = evloop_add_io(c->loop, &c->bus_io, fd, EPOLLIN, on_bus_io, c);
        if (r >= 0)
                r = evloop_add_time(c->loop, &c->bus_timer, CLOCK_MONOTONIC, UINT64_MAX, 0,
                                    on_bus_timer, c);
        if (r >= 0) {
                (void)evsrc_set_description(c->bus_io, "systemd-bus");
                (void)evsrc_set_description(c->bus_timer, "systemd-bus-timer");
        }
        return r;
}

static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        struct sd_client *c = userdata;
        log_warning("systemd: the system bus went away; reconnecting");
        disconnect(c);
        schedule_reconnect(c);
        return 0;
}

static int add_match(struct sd_client *c, const char *match, sd_bus_message_handler_t fn) {
        return sym_sd_bus_add_match_async(c->bus, NULL, match, fn, NULL, c);
}

static int try_connect(struct sd_client *c) {
        int r = sym_sd_bus_open_system(&c->bus);
        if (r < 0)
                return r;
        (void)sym_sd_bus_set_method_call_timeout(c->bus, CALL_TIMEOUT_USEC);
        r = bus_attach(c);
        if (r >= 0)
                r = sym_sd_bus_match_signal(c->bus, NULL, "org.freedesktop.DBus.Local", NULL,
                                            "org.freedesktop.DBus.Local", "Disconnected",
                                            on_disconnected, c);
        /* the signals first, so that nothing between the listing and them is missed */
        if (r >= 0)
                r = add_match(c,
                              "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                              "',member='UnitNew'",
                              on_unit_signal);
        if (r >= 0)
                r = add_match(c,
                              "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                              "',member='UnitRemoved'",
                              on_unit_signal);
        if (r >= 0)
                r = add_match(c,
                              "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                              "',member='JobRemoved'",
                              on_unit_signal);
        if (r >= 0)
                r = add_match(c,
                              "type='signal',sender='" SD_DEST "',interface='org.freedesktop."
                              "DBus.Properties',member='PropertiesChanged',path_namespace="
                              "'" SD_UNIT_PREFIX "',arg0='org.freedesktop.systemd1.Unit'",
                              on_props_changed);
        if (r >= 0)
                r = add_match(c,
                              "type='signal',sender='org.freedesktop.DBus',member="
                              "'NameOwnerChanged',arg0='" SD_DEST "'",
                              on_owner);
        if (r >= 0)
                r = list_units(c);
        if (r < 0) {
                disconnect(c);
                return r;
        }
        /* The handshake and the calls queued above are processed from the loop, not here: no
         * callback may run before sd_client_new() has returned the client to its caller. */
        r = evsrc_set_time(c->bus_timer, 0);
        if (r >= 0)
                r = evsrc_set_enabled(c->bus_timer, EVSRC_ONESHOT);
        if (r < 0) {
                disconnect(c);
                return r;
        }
        return 0;
}

static int on_retry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct sd_client *c = userdata;
        c->retry = evsrc_unref(c->retry);
        int r = try_connect(c);
        if (r < 0) {
                log_debug_errno(r, "systemd: system bus not reachable: %m");
                schedule_reconnect(c);
                return 0;
        }
        log_info("systemd: connected to the system bus again");
        c->backoff = 0;
        return 0;
}

static void schedule_reconnect(struct sd_client *c) {
        uint64_t now;
        c->backoff = c->backoff ? c->backoff * 2 : BACKOFF_MIN_USEC;
        if (c->backoff > BACKOFF_MAX_USEC)
                c->backoff = BACKOFF_MAX_USEC;
        evloop_now(c->loop, CLOCK_MONOTONIC, &now);
        if (!c->retry && evloop_add_time(c->loop, &c->retry, CLOCK_MONOTONIC, now + c->backoff,
                                         100000, on_retry, c) < 0)
                log_error("systemd: cannot arm the reconnection timer");
}

int sd_client_new(struct evloop *loop, bool scopes, const struct sd_client_callbacks *cb,
                  void *userdata, struct sd_client **ret) {
        struct sd_client *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->loop = loop;
        c->scopes = scopes;
        c->cb = cb;
        c->userdata = userdata;
        *ret = c; /* before anything can call back */
        int r = try_connect(c);
        if (r < 0) {
                log_warning_errno(r, "systemd: system bus not reachable (%m): retrying");
                schedule_reconnect(c);
        }
        return 0;
}

void sd_client_free(struct sd_client *c) {
        if (!c)
                return;
        c->retry = evsrc_disable_unref(c->retry);
        disconnect(c);
        free(c);
}
