/* containerd.h - the containerd module's internal interfaces: API messages, the gRPC client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"

#define CTRD_ID_MAX 76                   /* containerd identifiers: at most 76 characters */
#define CTRD_LABEL_MAX 128               /* a Kubernetes name (cut beyond) */
#define CTRD_MSG_MAX (64u * 1024 * 1024) /* largest gRPC message accepted */
#define CTRD_SYNC_TOPIC "/hsflowd/sync"  /* published to ourselves: the subscription is live */

/* ---- ctrd-proto.c: protobuf messages <-> structs (pure, no logging) ---- */

enum ctrd_topic {
        CTRD_EV_OTHER,
        CTRD_EV_TASK_START,
        CTRD_EV_TASK_EXIT,
        CTRD_EV_TASK_DELETE,
        CTRD_EV_TASK_OOM,
        CTRD_EV_TASK_PAUSED,
        CTRD_EV_TASK_RESUMED,
        CTRD_EV_CONTAINER_DELETE,
        CTRD_EV_SYNC,
};

/* One Envelope of the event stream. */
struct ctrd_event {
        enum ctrd_topic topic;
        char ns[64];              /* namespace */
        char id[CTRD_ID_MAX + 1]; /* the container */
        bool exec;                /* about an exec'd process, not the task itself */
        uint32_t pid;             /* task start */
};

/* A container's metadata (Containers.List, Containers.Get). */
struct ctrd_container {
        char id[CTRD_ID_MAX + 1];
        char pod_name[CTRD_LABEL_MAX], pod_ns[CTRD_LABEL_MAX], pod_uid[CTRD_LABEL_MAX];
        char container_name[CTRD_LABEL_MAX];
        bool sandbox; /* io.cri-containerd.kind=sandbox: a pod's pause task */
};

/* A task (Tasks.List). */
struct ctrd_task {
        char id[CTRD_ID_MAX + 1];
        uint32_t pid;
        bool running, paused;
};

/* Is s (len bytes) a containerd identifier ([A-Za-z0-9] with . _ - inside, 1..76)? */
bool ctrd_valid_id(const char *s, size_t len);
/* Decoders: 0 (or the number of entries) or -EBADMSG when the bytes are not the message or
 * its identifiers are not valid. Entries with an invalid id are skipped. */
int ctrd_decode_event(const uint8_t *buf, size_t len, struct ctrd_event *ret);
typedef void (*ctrd_container_fn)(const struct ctrd_container *c, void *userdata);
int ctrd_decode_containers(const uint8_t *buf, size_t len, ctrd_container_fn fn, void *userdata);
int ctrd_decode_container_get(const uint8_t *buf, size_t len, struct ctrd_container *ret);
typedef void (*ctrd_task_fn)(const struct ctrd_task *t, void *userdata);
int ctrd_decode_tasks(const uint8_t *buf, size_t len, ctrd_task_fn fn, void *userdata);
/* Requests, as protobuf bytes (malloc'd into *ret, length *ret_len). */
int ctrd_encode_subscribe(const char *ns, uint8_t **ret, size_t *ret_len);
int ctrd_encode_get_container(const char *id, uint8_t **ret, size_t *ret_len);
int ctrd_encode_publish_sync(uint8_t **ret, size_t *ret_len);
/* "ns/pod/container" (or "ns/pod" for a pod, or the id without Kubernetes labels). */
void ctrd_container_name(const struct ctrd_container *c, bool pod, char *ret, size_t size);

/* gRPC length-prefixed messages: the next one in buf. Returns the bytes it takes (prefix
 * included) with *ret_msg and *ret_len set, 0 when more bytes are needed, -EBADMSG when it is
 * compressed (we ask for none) or longer than max. */
int ctrd_grpc_next(const uint8_t *buf, size_t len, size_t max, const uint8_t **ret_msg,
                   size_t *ret_len);

/* ---- ctrd-grpc.c: gRPC over HTTP/2 (nghttp2) on a unix socket, on the event loop ---- */

struct ctrd_grpc;
struct ctrd_grpc_callbacks {
        /* The connection broke (or could not be made): every call is finished with it. */
        void (*broken)(struct ctrd_grpc *g, int error, void *userdata);
};
/* A call's answers: msg for each message, done once at the end (status: the grpc-status, or
 * -1 when the stream or the connection failed). */
typedef void (*ctrd_msg_fn)(const uint8_t *msg, size_t len, void *userdata);
typedef void (*ctrd_done_fn)(int status, const char *message, void *userdata);

int ctrd_grpc_connect(struct evloop *loop, const char *socket_path, const char *ns,
                      const struct ctrd_grpc_callbacks *cb, void *userdata, struct ctrd_grpc **ret);
void ctrd_grpc_free(struct ctrd_grpc *g);
/* Give the connection up (from any callback): broken() follows from the loop. */
void ctrd_grpc_abort(struct ctrd_grpc *g, int error);
/* Start a call of method ("/pkg.Service/Method") with one request message. */
int ctrd_grpc_call(struct ctrd_grpc *g, const char *method, const uint8_t *req, size_t len,
                   ctrd_msg_fn msg, ctrd_done_fn done, void *userdata);
unsigned ctrd_grpc_calls(const struct ctrd_grpc *g);

/* ---- ctrd-dl.c ---- */
/* Load libnghttp2 and libprotobuf-c: 0, or -ENOENT logged when one is not installed. */
int ctrd_dl_load(void);
