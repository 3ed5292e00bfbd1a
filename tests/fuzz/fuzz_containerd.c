/* fuzz_containerd.c - the containerd module's protobuf decoding (events, container and task
 * listings) and gRPC framing on arbitrary bytes. The first byte picks the decoder; the rest is
 * a gRPC stream of length-prefixed messages, each handed to it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/containerd.h"
#include "modules/ctrd-dl.h"

/* libprotobuf-c is linked here: the pointers the module and the generated code call are its
 * functions */
PB_SYMBOLS(DLSYM_BIND)
const char ctrd_pb_empty_string[] = "";

static void on_container(const struct ctrd_container *c, void *userdata) {
        (*(volatile size_t *)userdata) += strlen(c->id) + strlen(c->pod_name) + c->sandbox;
}

static void on_task(const struct ctrd_task *t, void *userdata) {
        (*(volatile size_t *)userdata) += strlen(t->id) + t->pid;
}

static void decode(unsigned kind, const uint8_t *msg, size_t len, volatile size_t *sink) {
        struct ctrd_event ev;
        struct ctrd_container c;
        char name[300];
        switch (kind % 4) {
        case 0:
                if (ctrd_decode_event(msg, len, &ev) == 0)
                        *sink += strlen(ev.id) + strlen(ev.ns) + ev.topic + ev.pid;
                break;
        case 1:
                ctrd_decode_containers(msg, len, on_container, (void *)sink);
                break;
        case 2:
                if (ctrd_decode_container_get(msg, len, &c) == 0) {
                        ctrd_container_name(&c, kind & 4, name, sizeof name);
                        *sink += strlen(name);
                }
                break;
        default:
                ctrd_decode_tasks(msg, len, on_task, (void *)sink);
                break;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        volatile size_t sink = 0;
        if (size < 1)
                return 0;
        unsigned kind = data[0];
        data++;
        size--;
        /* the bytes as one message */
        decode(kind, data, size, &sink);
        /* and as a gRPC stream */
        size_t off = 0;
        for (;;) {
                const uint8_t *msg;
                size_t n;
                int k = ctrd_grpc_next(data + off, size - off, 1 << 20, &msg, &n);
                if (k <= 0)
                        break;
                decode(kind, msg, n, &sink);
                off += (size_t)k;
        }
        return 0;
}
