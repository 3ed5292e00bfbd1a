/* systemd-props.c - unit properties out of D-Bus messages into plain structs; no I/O. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sflow/sflow.h"
#include "systemd-dl.h"
#include "systemd.h"

void sd_props_init(struct sd_props *p) {
        memset(p, 0, sizeof *p);
        p->cpu_ns = p->mem_current = p->mem_limit = SD_NONE;
        p->io_rd_bytes = p->io_wr_bytes = p->io_rd_ops = p->io_wr_ops = SD_NONE;
}

enum kind { K_STR, K_U64, K_BOOL, K_U32 };
static const struct prop {
        const char *name;
        enum kind kind;
        size_t off, size;
} props[] = {
#define S(n, f)                                                                                    \
        { n, K_STR, offsetof(struct sd_props, f), sizeof(((struct sd_props *)0)->f) }
#define U(n, f)                                                                                    \
        { n, K_U64, offsetof(struct sd_props, f), 8 }
        S("Id", id),
        S("ActiveState", active_state),
        S("SubState", sub_state),
        S("ControlGroup", cgroup),
        U("CPUUsageNSec", cpu_ns),
        U("MemoryCurrent", mem_current),
        U("MemoryMax", mem_limit),
        U("IOReadBytes", io_rd_bytes),
        U("IOWriteBytes", io_wr_bytes),
        U("IOReadOperations", io_rd_ops),
        U("IOWriteOperations", io_wr_ops),
        {"PrivateNetwork", K_BOOL, offsetof(struct sd_props, private_network), 1},
        {"MainPID", K_U32, offsetof(struct sd_props, main_pid), 4},
#undef S
#undef U
};

static const struct prop *find_prop(const char *name) {
        for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
                if (strcmp(props[i].name, name) == 0)
                        return &props[i];
        return NULL;
}

static const char sig[] = {[K_STR] = 's', [K_U64] = 't', [K_BOOL] = 'b', [K_U32] = 'u'};

/* One variant's value into p when it has the expected type; 1 stored, 0 skipped. */
static int read_value(sd_bus_message *m, const struct prop *d, struct sd_props *p) {
        char type = 0;
        const char *contents = NULL;
        int r = sym_sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        char want[2] = {d ? sig[d->kind] : 0, 0};
        if (!d || type != 'v' || !contents || strcmp(contents, want) != 0)
                return sym_sd_bus_message_skip(m, "v") < 0 ? -EBADMSG : 0;
        r = sym_sd_bus_message_enter_container(m, 'v', want);
        if (r < 0)
                return r;
        char *dst = (char *)p + d->off;
        switch (d->kind) {
        case K_STR: {
                const char *s;
                r = sym_sd_bus_message_read_basic(m, 's', &s);
                if (r > 0)
                        snprintf(dst, d->size, "%s", s);
                break;
        }
        case K_U64:
                r = sym_sd_bus_message_read_basic(m, 't', dst);
                break;
        case K_U32:
                r = sym_sd_bus_message_read_basic(m, 'u', dst);
                break;
        case K_BOOL: {
                int b;
                r = sym_sd_bus_message_read_basic(m, 'b', &b);
                if (r > 0) {
                        *(bool *)dst = b;
                        p->have_private_network = true;
                }
                break;
        }
        }
        if (r < 0)
                return r;
        r = sym_sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

int sd_props_read(sd_bus_message *m, struct sd_props *p) {
        int r = sym_sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r <= 0)
                return -EBADMSG;
        int n = 0;
        while ((r = sym_sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;
                r = sym_sd_bus_message_read_basic(m, 's', &name);
                if (r <= 0)
                        return -EBADMSG;
                r = read_value(m, find_prop(name), p);
                if (r < 0)
                        return -EBADMSG;
                n += r;
                if (sym_sd_bus_message_exit_container(m) < 0)
                        return -EBADMSG;
        }
        if (r < 0 || sym_sd_bus_message_exit_container(m) < 0)
                return -EBADMSG;
        return n;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n > k && strcmp(s + n - k, suffix) == 0;
}

bool sd_unit_wanted(const char *name, bool scopes) {
        if (ends_with(name, ".service"))
                return true;
        if (!scopes || !ends_with(name, ".scope"))
                return false;
        return strncmp(name, "docker-", 7) != 0 && strncmp(name, "libpod-", 7) != 0;
}

uint32_t sd_virt_state(const char *active, const char *sub) {
        if (strcmp(active, "active") == 0 || strcmp(active, "reloading") == 0)
                return SFLOW_VIRT_RUNNING;
        if (strcmp(active, "activating") == 0 && strcmp(sub, "auto-restart") != 0)
                return SFLOW_VIRT_BLOCKED; /* starting: its processes run already */
        return SFLOW_VIRT_NOSTATE;
}

/* cgroup files first; a unit without accounting files has the counters systemd keeps. */
void sd_unit_counters(const struct sd_props *p, const struct cgroup_stats *files,
                      struct cgroup_stats *ret) {
        struct cgroup_stats s = *files;
        if (!s.have_cpu && p->cpu_ns != SD_NONE) {
                s.cpu_ns = p->cpu_ns;
                s.have_cpu = true;
        }
        if (!s.have_memory && p->mem_current != SD_NONE) {
                s.mem_usage = p->mem_current;
                s.mem_limit = p->mem_limit;
                s.have_memory = true;
        }
        if (!s.have_io && (p->io_rd_bytes != SD_NONE || p->io_wr_bytes != SD_NONE)) {
                s.rd_bytes = p->io_rd_bytes != SD_NONE ? p->io_rd_bytes : 0;
                s.wr_bytes = p->io_wr_bytes != SD_NONE ? p->io_wr_bytes : 0;
                s.rd_ios = p->io_rd_ops != SD_NONE ? p->io_rd_ops : 0;
                s.wr_ios = p->io_wr_ops != SD_NONE ? p->io_wr_ops : 0;
                s.have_io = true;
        }
        *ret = s;
}
