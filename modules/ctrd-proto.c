/* ctrd-proto.c - containerd's API messages: events, containers and tasks decoded from protobuf
 * (protobuf-c, with the C generated from containerd's .proto files), requests encoded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "ctrd-dl.h"

#include "github.com/containerd/containerd/api/events/container.pb-c.h"
#include "github.com/containerd/containerd/api/events/task.pb-c.h"
#include "github.com/containerd/containerd/api/services/containers/v1/containers.pb-c.h"
#include "github.com/containerd/containerd/api/services/events/v1/events.pb-c.h"
#include "github.com/containerd/containerd/api/services/tasks/v1/tasks.pb-c.h"

bool ctrd_valid_id(const char *s, size_t len) {
        if (len == 0 || len > CTRD_ID_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool alnum =
                        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (alnum)
                        continue;
                /* a separator between alphanumerics */
                if ((c == '.' || c == '_' || c == '-') && i > 0 && i + 1 < len)
                        continue;
                return false;
        }
        return true;
}

static bool valid_id(const char *s) {
        return s && ctrd_valid_id(s, strlen(s));
}

static void copy(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src ? src : "");
}

/* ---- events ---- */

static const struct {
        const char *topic;
        enum ctrd_topic kind;
} topics[] = {
        {"/tasks/start", CTRD_EV_TASK_START},
        {"/tasks/exit", CTRD_EV_TASK_EXIT},
        {"/tasks/delete", CTRD_EV_TASK_DELETE},
        {"/tasks/oom", CTRD_EV_TASK_OOM},
        {"/tasks/paused", CTRD_EV_TASK_PAUSED},
        {"/tasks/resumed", CTRD_EV_TASK_RESUMED},
        {"/containers/delete", CTRD_EV_CONTAINER_DELETE},
        {CTRD_SYNC_TOPIC, CTRD_EV_SYNC},
};

/* The container id of the event inside the envelope; -EBADMSG when it does not decode. */
static int decode_payload(enum ctrd_topic kind, const uint8_t *b, size_t n, struct ctrd_event *ev) {
        const char *id = NULL;
        int r = 0;
        switch (kind) {
        case CTRD_EV_TASK_START: {
                Containerd__Events__TaskStart *m =
                        containerd__events__task_start__unpack(NULL, n, b);
                if (!m)
                        return -EBADMSG;
                id = m->container_id;
                ev->pid = m->pid;
                r = valid_id(id) ? 0 : -EBADMSG;
                if (!r)
                        copy(ev->id, sizeof ev->id, id);
                containerd__events__task_start__free_unpacked(m, NULL);
                return r;
        }
        case CTRD_EV_TASK_EXIT: {
                Containerd__Events__TaskExit *m = containerd__events__task_exit__unpack(NULL, n, b);
                if (!m)
                        return -EBADMSG;
                id = m->container_id;
                ev->pid = m->pid;
                ev->exec = m->id && m->id[0] && strcmp(m->id, id ? id : "") != 0;
                r = valid_id(id) ? 0 : -EBADMSG;
                if (!r)
                        copy(ev->id, sizeof ev->id, id);
                containerd__events__task_exit__free_unpacked(m, NULL);
                return r;
        }
        case CTRD_EV_TASK_DELETE: {
                Containerd__Events__TaskDelete *m =
                        containerd__events__task_delete__unpack(NULL, n, b);
                if (!m)
                        return -EBADMSG;
                id = m->container_id;
                ev->pid = m->pid;
                ev->exec = m->id && m->id[0] && strcmp(m->id, id ? id : "") != 0;
                r = valid_id(id) ? 0 : -EBADMSG;
                if (!r)
                        copy(ev->id, sizeof ev->id, id);
                containerd__events__task_delete__free_unpacked(m, NULL);
                return r;
        }
        case CTRD_EV_TASK_OOM:
        case CTRD_EV_TASK_PAUSED:
        case CTRD_EV_TASK_RESUMED: {
                /* TaskOOM, TaskPaused and TaskResumed: field 1 is the container id */
                Containerd__Events__TaskOOM *m = containerd__events__task_oom__unpack(NULL, n, b);
                if (!m)
                        return -EBADMSG;
                r = valid_id(m->container_id) ? 0 : -EBADMSG;
                if (!r)
                        copy(ev->id, sizeof ev->id, m->container_id);
                containerd__events__task_oom__free_unpacked(m, NULL);
                return r;
        }
        case CTRD_EV_CONTAINER_DELETE: {
                Containerd__Events__ContainerDelete *m =
                        containerd__events__container_delete__unpack(NULL, n, b);
                if (!m)
                        return -EBADMSG;
                r = valid_id(m->id) ? 0 : -EBADMSG;
                if (!r)
                        copy(ev->id, sizeof ev->id, m->id);
                containerd__events__container_delete__free_unpacked(m, NULL);
                return r;
        }
        default:
                return 0;
        }
}

int ctrd_decode_event(const uint8_t *buf, size_t len, struct ctrd_event *ret) {
        Containerd__Services__Events__V1__Envelope *e =
                containerd__services__events__v1__envelope__unpack(NULL, len, buf);
        if (!e)
                return -EBADMSG;
        struct ctrd_event ev = {.topic = CTRD_EV_OTHER};
        int r = 0;
        copy(ev.ns, sizeof ev.ns, e->namespace_);
        for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
                if (e->topic && strcmp(e->topic, topics[i].topic) == 0)
                        ev.topic = topics[i].kind;
        if (ev.topic != CTRD_EV_OTHER && ev.topic != CTRD_EV_SYNC) {
                if (!e->event)
                        r = -EBADMSG;
                else
                        r = decode_payload(ev.topic, e->event->value.data, e->event->value.len,
                                           &ev);
        }
        containerd__services__events__v1__envelope__free_unpacked(e, NULL);
        if (r < 0)
                return r;
        *ret = ev;
        return 0;
}

/* ---- containers and tasks ---- */

static void container_from(const Containerd__Services__Containers__V1__Container *m,
                           struct ctrd_container *c) {
        memset(c, 0, sizeof *c);
        copy(c->id, sizeof c->id, m->id);
        for (size_t i = 0; i < m->n_labels; i++) {
                const char *k = m->labels[i]->key, *v = m->labels[i]->value;
                if (!k || !v)
                        continue;
                if (strcmp(k, "io.kubernetes.pod.name") == 0)
                        copy(c->pod_name, sizeof c->pod_name, v);
                else if (strcmp(k, "io.kubernetes.pod.namespace") == 0)
                        copy(c->pod_ns, sizeof c->pod_ns, v);
                else if (strcmp(k, "io.kubernetes.pod.uid") == 0)
                        copy(c->pod_uid, sizeof c->pod_uid, v);
                else if (strcmp(k, "io.kubernetes.container.name") == 0)
                        copy(c->container_name, sizeof c->container_name, v);
                else if (strcmp(k, "io.cri-containerd.kind") == 0)
                        c->sandbox = strcmp(v, "sandbox") == 0;
        }
}

int ctrd_decode_containers(const uint8_t *buf, size_t len, ctrd_container_fn fn, void *userdata) {
        Containerd__Services__Containers__V1__ListContainersResponse *m =
                containerd__services__containers__v1__list_containers_response__unpack(NULL, len,
                                                                                       buf);
        if (!m)
                return -EBADMSG;
        int n = 0;
        for (size_t i = 0; i < m->n_containers; i++) {
                struct ctrd_container c;
                if (!m->containers[i] || !valid_id(m->containers[i]->id))
                        continue;
                container_from(m->containers[i], &c);
                fn(&c, userdata);
                n++;
        }
        containerd__services__containers__v1__list_containers_response__free_unpacked(m, NULL);
        return n;
}

int ctrd_decode_container_get(const uint8_t *buf, size_t len, struct ctrd_container *ret) {
        Containerd__Services__Containers__V1__GetContainerResponse *m =
                containerd__services__containers__v1__get_container_response__unpack(NULL, len,
                                                                                     buf);
        if (!m)
                return -EBADMSG;
        int r = -EBADMSG;
        if (m->container && valid_id(m->container->id)) {
                container_from(m->container, ret);
                r = 0;
        }
        containerd__services__containers__v1__get_container_response__free_unpacked(m, NULL);
        return r;
}

int ctrd_decode_tasks(const uint8_t *buf, size_t len, ctrd_task_fn fn, void *userdata) {
        Containerd__Services__Tasks__V1__ListTasksResponse *m =
                containerd__services__tasks__v1__list_tasks_response__unpack(NULL, len, buf);
        if (!m)
                return -EBADMSG;
        int n = 0;
        for (size_t i = 0; i < m->n_tasks; i++) {
                const Containerd__V1__Types__Process *p = m->tasks[i];
                /* a task's process: its id is the container's (container_id stays empty) */
                const char *id = p && p->container_id && p->container_id[0] ? p->container_id
                                 : p                                        ? p->id
                                                                            : NULL;
                if (!valid_id(id))
                        continue;
                struct ctrd_task t = {.pid = p->pid};
                copy(t.id, sizeof t.id, id);
                t.paused = p->status == CONTAINERD__V1__TYPES__STATUS__PAUSED ||
                           p->status == CONTAINERD__V1__TYPES__STATUS__PAUSING;
                t.running = p->status == CONTAINERD__V1__TYPES__STATUS__RUNNING || t.paused;
                fn(&t, userdata);
                n++;
        }
        containerd__services__tasks__v1__list_tasks_response__free_unpacked(m, NULL);
        return n;
}

/* ---- requests ---- */

static int pack(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_len) {
        size_t n = sym_protobuf_c_message_get_packed_size(m);
        uint8_t *b = malloc(n ? n : 1);
        if (!b)
                return -ENOMEM;
        sym_protobuf_c_message_pack(m, b);
        *ret = b;
        *ret_len = n;
        return 0;
}

int ctrd_encode_subscribe(const char *ns, uint8_t **ret, size_t *ret_len) {
        /* filters are ORed; the terms of one filter (commas) are ANDed */
        char f[3][160];
        snprintf(f[0], sizeof f[0], "namespace==%s,topic~=\"^/tasks/\"", ns);
        snprintf(f[1], sizeof f[1], "namespace==%s,topic==\"/containers/delete\"", ns);
        snprintf(f[2], sizeof f[2], "namespace==%s,topic==\"%s\"", ns, CTRD_SYNC_TOPIC);
        char *filters[3] = {f[0], f[1], f[2]};
        Containerd__Services__Events__V1__SubscribeRequest m =
                CONTAINERD__SERVICES__EVENTS__V1__SUBSCRIBE_REQUEST__INIT;
        m.n_filters = 3;
        m.filters = filters;
        return pack(&m.base, ret, ret_len);
}

int ctrd_encode_get_container(const char *id, uint8_t **ret, size_t *ret_len) {
        Containerd__Services__Containers__V1__GetContainerRequest m =
                CONTAINERD__SERVICES__CONTAINERS__V1__GET_CONTAINER_REQUEST__INIT;
        m.id = (char *)id;
        return pack(&m.base, ret, ret_len);
}

int ctrd_encode_publish_sync(uint8_t **ret, size_t *ret_len) {
        Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
        any.type_url = (char *)"types.googleapis.com/google.protobuf.Empty";
        Containerd__Services__Events__V1__PublishRequest m =
                CONTAINERD__SERVICES__EVENTS__V1__PUBLISH_REQUEST__INIT;
        m.topic = (char *)CTRD_SYNC_TOPIC;
        m.event = &any;
        return pack(&m.base, ret, ret_len);
}

void ctrd_container_name(const struct ctrd_container *c, bool pod, char *ret, size_t size) {
        if (c->pod_name[0] && c->pod_ns[0]) {
                if (pod || c->sandbox || !c->container_name[0])
                        snprintf(ret, size, "%s/%s", c->pod_ns, c->pod_name);
                else
                        snprintf(ret, size, "%s/%s/%s", c->pod_ns, c->pod_name, c->container_name);
        } else
                snprintf(ret, size, "%s", c->id);
}

/* ---- gRPC framing ---- */

int ctrd_grpc_next(const uint8_t *buf, size_t len, size_t max, const uint8_t **ret_msg,
                   size_t *ret_len) {
        if (len < 5)
                return 0;
        uint32_t n =
                (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 | buf[4];
        if (buf[0] != 0 || n > max)
                return -EBADMSG;
        if (len - 5 < n)
                return 0;
        *ret_msg = buf + 5;
        *ret_len = n;
        return (int)(5 + n);
}
