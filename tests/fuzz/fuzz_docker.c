/* fuzz_docker.c - the docker module's JSON handling and /proc text parsers on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cgroup.h"
#include "modules/docker.h"
#include "modules/json-dl.h"
#include "sflow/sflow.h"

/* libjson-c is linked here: the pointers the module calls are its functions */
JSON_SYMBOLS(DLSYM_BIND)

static void on_id(const char *id, void *userdata) {
        (*(volatile size_t *)userdata) += strlen(id);
}

static void on_event(const struct dk_event *ev, void *userdata) {
        (*(volatile size_t *)userdata) += strlen(ev->id) + strlen(ev->name) + ev->action;
}

static void on_name(const char *name, void *userdata) {
        (*(volatile size_t *)userdata) += strlen(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* NUL-terminated copy for the text parsers */
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        volatile size_t sink = 0;

        struct dk_version v;
        if (dk_json_version(text, size, &v) == 0) {
                unsigned m;
                (void)dk_api_choose(&v, &m);
        }
        (void)dk_json_containers(text, size, on_id, (void *)&sink);
        struct dk_inspect c;
        (void)dk_json_inspect(text, size, &c);

        /* the event stream, split where the first byte says, then byte by byte */
        struct dk_stream s;
        if (dk_stream_init(&s) == 0) {
                size_t cut = size ? data[0] % (size + 1) : 0;
                dk_stream_feed(&s, text, cut, on_event, (void *)&sink);
                dk_stream_feed(&s, text + cut, size - cut, on_event, (void *)&sink);
                dk_stream_reset(&s);
                for (size_t i = 0; i < size && i < 4096; i++)
                        dk_stream_feed(&s, text + i, 1, on_event, (void *)&sink);
                dk_stream_free(&s);
        }

        (void)dk_valid_id(text, size);
        uint8_t mac[6];
        (void)dk_parse_mac(text, mac);

        struct sflow_ctr_virt_net_io io;
        (void)dk_parse_net_dev(text, &io);
        (void)dk_net_dev_names(text, on_name, (void *)&sink);
        struct cgroup_mounts mounts;
        if (cgroup_parse_mountinfo(text, &mounts) == 0) {
                struct cgroup_paths p;
                (void)cgroup_paths_from(text, &mounts, &p);
        }
        char path[256];
        (void)cgroup_parse_proc_cgroup(text, "memory", path, sizeof path);
        (void)cgroup_parse_proc_cgroup(text, "", path, sizeof path);
        uint64_t a, b;
        (void)cgroup_parse_u64(text, &a);
        (void)cgroup_parse_keyed(text, "usage_usec", &a);
        (void)cgroup_parse_blkio_v1(text, &a, &b);
        struct cgroup_stats st;
        (void)cgroup_parse_io_v2(text, &st);
        free(text);
        return 0;
}
