/* fuzz_systemd.c - the systemd module's property parsing on messages built from arbitrary
 * bytes: known and unknown names, every basic type, nested containers, wrong outer types. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "modules/systemd-dl.h"
#include "modules/systemd.h"

SD_BUS_SYMBOLS(DLSYM_BIND)

static sd_bus *bus;

static const char *const names[] = {
        "Id",
        "ActiveState",
        "SubState",
        "ControlGroup",
        "CPUUsageNSec",
        "MemoryCurrent",
        "MemoryMax",
        "IOReadBytes",
        "IOWriteBytes",
        "IOReadOperations",
        "IOWriteOperations",
        "PrivateNetwork",
        "MainPID",
        "Names",
};
#define NNAMES (sizeof names / sizeof names[0])

struct in {
        const uint8_t *p;
        size_t n;
};

static uint8_t take(struct in *in) {
        if (!in->n)
                return 0;
        in->n--;
        return *in->p++;
}

/* A printable string of up to 255 bytes (D-Bus strings must be valid UTF-8). */
static void take_str(struct in *in, char *buf, size_t size) {
        size_t len = take(in), i;
        for (i = 0; i < len && i + 1 < size && in->n; i++)
                buf[i] = (char)(' ' + take(in) % 95);
        buf[i] = '\0';
}

static uint64_t take_u64(struct in *in) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = v << 8 | take(in);
        return v;
}

static int append_value(sd_bus_message *m, struct in *in, int depth) {
        char s[256];
        switch (take(in) % 9) {
        case 0:
                take_str(in, s, sizeof s);
                return sd_bus_message_append(m, "v", "s", s);
        case 1:
                return sd_bus_message_append(m, "v", "t", take_u64(in));
        case 2:
                return sd_bus_message_append(m, "v", "u", (uint32_t)take_u64(in));
        case 3:
                return sd_bus_message_append(m, "v", "b", take(in) & 1);
        case 4:
                return sd_bus_message_append(m, "v", "i", (int32_t)take_u64(in));
        case 5:
                return sd_bus_message_append(m, "v", "o", "/org/freedesktop/systemd1");
        case 6:
                take_str(in, s, sizeof s);
                return sd_bus_message_append(m, "v", "as", 2, s, "x");
        case 7:
                take_str(in, s, sizeof s);
                return sd_bus_message_append(m, "v", "(st)", s, take_u64(in));
        default:
                if (depth > 2)
                        return sd_bus_message_append(m, "v", "y", take(in));
                /* a variant holding a variant */
                if (sd_bus_message_open_container(m, 'v', "v") < 0)
                        return -1;
                if (append_value(m, in, depth + 1) < 0)
                        return -1;
                return sd_bus_message_close_container(m);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!bus) {
                int s[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) < 0 ||
                    sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, s[0], s[0]) < 0 ||
                    sd_bus_start(bus) < 0)
                        abort();
        }
        struct in in = {data, size};
        sd_bus_message *m = NULL;
        if (sd_bus_message_new_signal(bus, &m, "/x", "a.b", "C") < 0)
                abort();
        uint8_t outer = take(&in) % 8;
        int r = 0;
        if (outer == 0) /* not a dictionary */
                r = sd_bus_message_append(m, "a{ss}", 1, "Id", "x");
        else if (outer == 1)
                r = sd_bus_message_append(m, "s", "Id");
        else if (outer != 2) { /* 2: an empty message */
                r = sd_bus_message_open_container(m, 'a', "{sv}");
                while (r >= 0 && in.n) {
                        char name[256];
                        uint8_t k = take(&in);
                        if (k % (NNAMES + 1) < NNAMES)
                                snprintf(name, sizeof name, "%s", names[k % (NNAMES + 1)]);
                        else
                                take_str(&in, name, sizeof name);
                        r = sd_bus_message_open_container(m, 'e', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(m, "s", name);
                        if (r >= 0)
                                r = append_value(m, &in, 0);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0 && sd_bus_message_seal(m, 1, 0) >= 0 && sd_bus_message_rewind(m, 1) >= 0) {
                struct sd_props p;
                sd_props_init(&p);
                r = sd_props_read(m, &p);
                if (r >= 0 && (strlen(p.id) >= sizeof p.id || strlen(p.cgroup) >= sizeof p.cgroup))
                        abort();
                (void)sd_virt_state(p.active_state, p.sub_state);
                (void)sd_unit_wanted(p.id, true);
        }
        sd_bus_message_unref(m);
        return 0;
}
