/* containerd-state.h - the containerd module's state, shared by containerd.c (connection,
 * events, listing, tasks) and containerd-pods.c (identities and pods). Not for other modules. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "containerd.h"
#include "vnode.h"

enum ct_phase { P_DOWN, P_SUBSCRIBING, P_LISTING, P_READY };
enum ct_tstate { T_GETTING, T_RUNNING };

struct ct_pod;

/* What a data source's userdata points to: a task or a pod. */
struct ct_node {
        bool is_pod;
        struct vnode v;
        struct hsp_source *src;
        uint32_t ds_index;
};

struct ct_task {
        struct ct_node n; /* first: the source's userdata */
        char id[CTRD_ID_MAX + 1];
        struct ctrd_container meta;
        enum ct_tstate state;
        bool seen;     /* in the listing being applied */
        bool reported; /* a data source of its own (not only a pod member) */
        struct ct_pod *pod;
        struct ct_state *owner;
        struct ct_task *prev, *next;
};

struct ct_pod {
        struct ct_node n;
        char uid[CTRD_LABEL_MAX];
        unsigned members;
        bool own_cgroup; /* the pod's cgroup (the parent of its containers') was found */
        struct ct_pod *prev, *next;
};

struct ct_state {
        struct hsp_mod *m;
        const char *tag;
        char *socket, *ns;
        bool pod_mode;
        struct ctrd_grpc *g;
        enum ct_phase phase;
        uint64_t backoff;
        struct evsrc *retry;
        struct evsrc *sync_timer; /* publishes the sync event again until it comes back */
        unsigned sync_attempts;
        bool warned_connect;
        struct ct_task *tasks;
        struct ct_pod *pods;
        unsigned n_reported;
        /* the listing: containers' metadata until the tasks are in */
        struct ctrd_container *metas;
        size_t n_metas, cap_metas;
        struct ctrd_event *queue;
        size_t n_queue, cap_queue;
        unsigned long oom_events, bad_messages;
        struct vnode_host host;
};

/* containerd-pods.c */
/* The UUID of a task or pod: a pod's uid is a UUID; a container id of hex digits gives its
 * first 32; any other id a name-based UUID in the agent's UUID. */
void ct_make_uuid(struct ct_state *st, const char *s, uint8_t uuid[16]);
/* A task of a pod joins it (the pod's data source is made with its first member) or leaves
 * it (the pod ends, with its final sample, with its last). */
void ct_pod_join(struct ct_state *st, struct ct_task *t);
void ct_pod_leave(struct ct_state *st, struct ct_task *t);
