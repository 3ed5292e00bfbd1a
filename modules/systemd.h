/* systemd.h - the systemd module's internal interfaces: unit properties, the unit table, the
 * bus client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "cgroup.h"
#include "evloop.h"

#define SD_NAME_MAX 256
#define SD_CGROUP_MAX 512
#define SD_STATE_MAX 32
#define SD_NONE UINT64_MAX /* a counter property systemd does not have (accounting off) */
#define SD_MISSING_REFRESH_POLLS                                                                   \
        10 /* then the properties are asked again every this many polls                            \
            */

/* ---- systemd-props.c: unit properties from D-Bus messages; no I/O, no logging ---- */

/* What we use of a unit's properties. Counters are SD_NONE when absent or of the wrong type;
 * the strings are "" when absent. */
struct sd_props {
        char id[SD_NAME_MAX];
        char active_state[SD_STATE_MAX], sub_state[SD_STATE_MAX];
        char cgroup[SD_CGROUP_MAX];
        uint64_t cpu_ns, mem_current, mem_limit;
        uint64_t io_rd_bytes, io_wr_bytes, io_rd_ops, io_wr_ops;
        bool private_network, have_private_network;
        uint32_t main_pid;
};
void sd_props_init(struct sd_props *p);
/* Read an a{sv} dictionary (a GetAll answer, or the changed properties of PropertiesChanged)
 * at the message's read position into p: known names of the expected type are stored, others
 * skipped. Returns the number of properties stored, or a negative errno (-EBADMSG when the
 * message is not an a{sv} there). */
int sd_props_read(sd_bus_message *m, struct sd_props *p);
/* A unit's counters from its cgroup files, else from its properties (never per process). */
void sd_unit_counters(const struct sd_props *p, const struct cgroup_stats *files,
                      struct cgroup_stats *ret);
/* Is the unit name of a kind we report (*.service, and *.scope when scopes)? Container scopes
 * (docker-*.scope, libpod-*.scope) are never reported: docker {} counts those. */
bool sd_unit_wanted(const char *name, bool scopes);
/* The sFlow virt state (SFLOW_VIRT_*) for ActiveState/SubState; 0 (NOSTATE) when the unit is
 * not running any more (it is to be forgotten). */
uint32_t sd_virt_state(const char *active, const char *sub);

/* ---- systemd-bus.c: the system bus, signals and calls, attached to the event loop ---- */

struct sd_client;
struct sd_client_callbacks {
        /* A (re)connection listed the units: begin, one call per wanted active unit, end. */
        void (*listed_begin)(void *userdata);
        void (*listed)(const char *name, const char *path, void *userdata);
        void (*listed_end)(void *userdata);
        /* A unit's state may have changed (a signal): the module asks for its properties. */
        void (*changed)(const char *name, const char *path, const struct sd_props *p,
                        void *userdata);
        /* A unit was unloaded (UnitRemoved). */
        void (*removed)(const char *name, void *userdata);
        /* Properties of a unit asked with sd_client_get(); NULL when the call failed. */
        void (*got)(const char *path, const struct sd_props *p, void *userdata);
};
int sd_client_new(struct evloop *loop, bool scopes, const struct sd_client_callbacks *cb,
                  void *userdata, struct sd_client **ret);
void sd_client_free(struct sd_client *c);
/* Ask for all properties of the unit at path (answer through cb->got). */
int sd_client_get(struct sd_client *c, const char *path);

/* ---- the module's state (systemd.c, systemd-units.c, systemd-counters.c) ---- */

struct hsp_mod;
struct hsp_source;
struct sflow_sample;

struct sd_conf {
        bool scopes;       /* also *.scope units (user sessions, machines) */
        bool drop_priv;    /* accepted for compatibility: no effect */
        bool mark_traffic; /* accepted for compatibility: no effect */
};

enum sd_ustate { U_ASKING, U_RUNNING };

struct sd_unit {
        char name[SD_NAME_MAX];
        char path[SD_NAME_MAX + 64]; /* its object path */
        enum sd_ustate state;
        bool seen;              /* in the listing being applied */
        bool ending;            /* the final sample is being taken */
        bool refresh;           /* the counters come from properties: ask again after each poll */
        uint32_t missing_polls; /* polls with counters that neither files nor properties have */
        uint8_t uuid[16];
        struct sd_props props; /* the last properties read */
        struct cgroup_paths paths;
        bool have_paths;
        struct cgroup_stats last; /* the last counters: the final sample's */
        uint32_t virt_state;
        struct hsp_source *src;
        struct sd_state *owner;
        struct sd_unit *prev, *next;
};

struct sd_state {
        struct hsp_mod *m;
        struct sd_client *client;
        struct sd_unit *list;
        unsigned n_running;
        struct cgroup_mounts mounts;
        bool have_mounts;
        struct hsp_procbuf buf;
        uint32_t machine_type, host_cpus;
        uint64_t host_mem;
        char os_release[65];
};

/* systemd-units.c: the unit table, fed by the bus client's callbacks */
extern const struct sd_client_callbacks sd_unit_callbacks;
struct sd_unit *sd_unit_find(struct sd_state *st, const char *name);
void sd_unit_end(struct sd_state *st, struct sd_unit *u, bool final);

/* systemd-counters.c: one unit's counter sample (2000, 2002, 2101, 2102, 2103, 2104) */
int sd_unit_poll(struct sd_state *st, struct sd_unit *u, struct sflow_sample *out);
