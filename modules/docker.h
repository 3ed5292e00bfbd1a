/* docker.h - the docker module's internal interfaces: JSON answers, the Engine API client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evloop.h"

#define DK_ID_MAX 64 /* container ids are 64 hex digits */
#define DK_NAME_MAX 128
#define DK_MAX_MACS 8
#define DK_API_NEWEST_MINOR 47 /* the newest Engine API version we know: 1.47 */

/* ---- docker-json.c: pure JSON -> structs ---- */

/* GET /version: ApiVersion and MinAPIVersion as "1.NN" (major must be 1). */
struct dk_version {
        unsigned api_minor;
        unsigned min_minor; /* 0 when the engine does not say */
};
int dk_json_version(const char *body, size_t len, struct dk_version *ret);
/* The minor version to use: the engine's, up to the newest we know, never below its minimum.
 * -EPROTONOSUPPORT when the engine's minimum is above what we know... then we use its minimum
 * anyway (returned in *ret) and the caller may warn. */
int dk_api_choose(const struct dk_version *v, unsigned *ret_minor);

/* GET /containers/json: calls fn with the id of each container in the array. Returns the
 * number of ids or a negative errno (-EBADMSG: not a JSON array). Entries without a valid id
 * are skipped. */
typedef void (*dk_id_fn)(const char *id, void *userdata);
int dk_json_containers(const char *body, size_t len, dk_id_fn fn, void *userdata);

/* GET /containers/{id}/json */
struct dk_inspect {
        char id[DK_ID_MAX + 1];
        char name[DK_NAME_MAX];     /* without the leading '/' */
        char hostname[DK_NAME_MAX]; /* Config.Hostname */
        bool running, paused;
        pid_t pid;
        uint64_t memory_limit; /* HostConfig.Memory, 0 = none */
        uint32_t cpus;         /* from NanoCpus, CpuQuota/CpuPeriod or CpusetCpus; 0 = all */
        unsigned n_macs;
        uint8_t macs[DK_MAX_MACS][6];
};
int dk_json_inspect(const char *body, size_t len, struct dk_inspect *ret);

/* One object of the /events stream. */
enum dk_action {
        DK_EV_OTHER,
        DK_EV_START,
        DK_EV_DIE,
        DK_EV_STOP,
        DK_EV_KILL,
        DK_EV_OOM,
        DK_EV_DESTROY,
        DK_EV_PAUSE,
        DK_EV_UNPAUSE,
        DK_EV_RENAME,
};
struct dk_event {
        enum dk_action action;
        char id[DK_ID_MAX + 1];
        char name[DK_NAME_MAX]; /* Actor.Attributes.name, "" when absent */
};

/* The /events body: JSON objects one after another, split anywhere across writes. */
struct json_tokener;
struct dk_stream {
        struct json_tokener *tok;
        size_t pending; /* bytes of the object being parsed */
        bool skipping;  /* after malformed input, until the next line end */
        size_t errors;  /* malformed objects skipped */
};
typedef void (*dk_event_fn)(const struct dk_event *ev, void *userdata);
int dk_stream_init(struct dk_stream *s);
void dk_stream_free(struct dk_stream *s);
void dk_stream_reset(struct dk_stream *s);
/* Feed bytes; fn is called for each complete container event. Malformed input is counted,
 * the parser resynchronised at the next line, and parsing goes on. */
void dk_stream_feed(struct dk_stream *s, const char *data, size_t len, dk_event_fn fn,
                    void *userdata);

/* Is s a full container id (64 lower-case hex digits)? */
bool dk_valid_id(const char *s, size_t len);
/* The data source index of a container: 100000..149999 from a hash of its id. */
uint32_t dk_ds_index(const char *id, unsigned probe);
/* The 16-byte UUID of a container: the first 32 hex digits of its id. */
void dk_uuid(const char *id, uint8_t uuid[16]);

/* ---- docker-api.c: the Engine API over its unix socket, on the event loop ---- */

struct dk_api;

struct dk_api_callbacks {
        /* Connected and subscribed: the running containers (one call per id, then done). */
        void (*listed_begin)(void *userdata);
        void (*listed)(const char *id, void *userdata);
        void (*listed_end)(void *userdata);
        /* A container event (queued while the listing runs, delivered after it). */
        void (*event)(const struct dk_event *ev, void *userdata);
        /* The inspection of a container finished: ret NULL when it failed, gone when the
         * engine answered 404 (the container does not exist any more). */
        void (*inspected)(const char *id, const struct dk_inspect *ret, bool gone, void *userdata);
        /* The connection to the engine broke; it will be retried with backoff. */
        void (*disconnected)(void *userdata);
};

int dk_api_new(struct evloop *loop, const char *socket_path, const struct dk_api_callbacks *cb,
               void *userdata, struct dk_api **ret);
void dk_api_free(struct dk_api *a);
/* Ask for GET /containers/{id}/json; the answer comes through cb->inspected. */
int dk_api_inspect(struct dk_api *a, const char *id);
/* The socket path from DOCKER_HOST (unix:// only) or the default. */
const char *dk_socket_path(void);
/* Counters of the client (for tests of leaks): requests running. */
unsigned dk_api_requests(const struct dk_api *a);

/* ---- docker-proc.c: a container's interfaces, seen from its network namespace ---- */

struct sflow_ctr_virt_net_io;
struct sflow_adapter;
/* /proc/PID/net/dev text: sums over the interfaces other than lo. Returns their number, or
 * -ENODATA when the text has no interface line. */
int dk_parse_net_dev(const char *text, struct sflow_ctr_virt_net_io *ret);
/* Calls fn with each interface name (not lo) of /proc/PID/net/dev text. Returns the count. */
typedef void (*dk_ifname_fn)(const char *name, void *userdata);
int dk_net_dev_names(const char *text, dk_ifname_fn fn, void *userdata);
/* Parse "aa:bb:cc:dd:ee:ff" (a MAC address). */
int dk_parse_mac(const char *s, uint8_t mac[6]);
