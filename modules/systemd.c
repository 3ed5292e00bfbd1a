/* systemd.c - the systemd module: one 3:N data source per active service (and, optionally,
 * scope), followed through the manager's D-Bus signals. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "log.h"
#include "systemd-dl.h"
#include "systemd.h"

static const struct hsp_keyword sd_keywords[] = {
        {"scopes", HSP_KW_BOOL, offsetof(struct sd_conf, scopes), 0, 0,
         "on: report *.scope units (sessions, machines) as well as services"},
        {"dropPriv", HSP_KW_BOOL, offsetof(struct sd_conf, drop_priv), 0, 0,
         "on or off (no effect: hsflowd drops privileges itself)"},
        {"markTraffic", HSP_KW_BOOL, offsetof(struct sd_conf, mark_traffic), 0, 0,
         "on or off (no effect)"},
        HSP_KEYWORDS_END,
};

static const struct sd_conf *conf_of(struct hsp_mod *m) {
        static const struct sd_conf none;
        return m->blocks && m->blocks->conf ? m->blocks->conf : &none;
}

static int systemd_poll(struct hsp_mod *m, struct hsp_source *src, struct sflow_sample *out) {
        struct sd_state *st = m->state;
        struct sd_unit *u = hsp_source_userdata(src);
        int r = sd_unit_poll(st, u, out);
        if (u->refresh && !u->ending)
                (void)sd_client_get(st->client, u->path);
        return r;
}

static unsigned systemd_count_virtual(struct hsp_mod *m) {
        struct sd_state *st = m->state;
        return st ? st->n_running : 0;
}

static uint32_t machine_type(const char *m) {
        if (strcmp(m, "x86_64") == 0)
                return SFLOW_MT_X86_64;
        if (m[0] == 'i' && strcmp(m + 2, "86") == 0)
                return SFLOW_MT_X86;
        if (strncmp(m, "arm", 3) == 0 || strcmp(m, "aarch64") == 0)
                return SFLOW_MT_ARM;
        return m[0] ? SFLOW_MT_OTHER : SFLOW_MT_UNKNOWN;
}

static int systemd_start(struct hsp_mod *m) {
        if (sd_dl_load() < 0) /* logged */
                return -ENOENT;
        struct sd_state *st = calloc(1, sizeof *st);
        if (!st)
                return log_error_errno(-ENOMEM, "Failed to start the systemd module: %m");
        st->m = m;
        m->state = st;
        struct utsname uts;
        if (uname(&uts) == 0) {
                st->machine_type = machine_type(uts.machine);
                snprintf(st->os_release, sizeof st->os_release, "%s", uts.release);
        }
        struct sysinfo si;
        if (sysinfo(&si) == 0)
                st->host_mem = (uint64_t)si.totalram * si.mem_unit;
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        st->host_cpus = n > 0 ? (uint32_t)n : 1;
        int r = cgroup_mounts_read(&st->buf, &st->mounts);
        st->have_mounts = r >= 0;
        if (r < 0)
                log_warning_errno(r, "systemd: no cgroup hierarchy found (%m): counters come "
                                     "from the units' properties");
        const struct sd_conf *c = conf_of(m);
        if (c->mark_traffic)
                log_warning("systemd: markTraffic=on is not implemented: ignored");
        r = sd_client_new(m->loop, c->scopes, &sd_unit_callbacks, st, &st->client);
        if (r < 0)
                return log_error_errno(r, "systemd: cannot start the bus client: %m");
        log_info("systemd: following %s on the system bus",
                 c->scopes ? "services and scopes" : "services");
        return 0;
}

static void systemd_stop(struct hsp_mod *m) {
        struct sd_state *st = m->state;
        if (!st)
                return;
        sd_client_free(st->client);
        while (st->list) {
                struct sd_unit *u = st->list;
                st->list = u->next;
                if (u->state == U_RUNNING)
                        hsp_source_remove(u->src, false);
                free(u);
        }
        hsp_procbuf_free(&st->buf);
        free(st);
        m->state = NULL;
}

const struct hsp_module hsp_module_systemd = {
        .name = "systemd",
        .keywords = sd_keywords,
        .conf_size = sizeof(struct sd_conf),
        .start = systemd_start,
        .poll = systemd_poll,
        .count_virtual = systemd_count_virtual,
        .stop = systemd_stop,
};
