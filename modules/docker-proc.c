/* docker-proc.c - a container's interfaces and their counters, seen from its network namespace. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "sflow/sflow.h"

/* One interface line of /proc/PID/net/dev: its name (not lo) and the 16 counters. */
static const char *parse_line(const char *p, const char **ret_name, size_t *ret_len,
                              unsigned long long v[16], int *ret_n) {
        const char *e = strchr(p, '\n');
        const char *next = e ? e + 1 : p + strlen(p);
        const char *colon = memchr(p, ':', (size_t)((e ? e : next) - p));
        *ret_n = -1;
        if (!colon)
                return next;
        const char *name = p;
        while (*name == ' ')
                name++;
        if (name >= colon || colon - name > 15)
                return next;
        const char *q = colon + 1;
        int n = 0;
        for (; n < 16; n++) {
                char *end;
                while (*q == ' ')
                        q++;
                if (*q < '0' || *q > '9')
                        break;
                v[n] = strtoull(q, &end, 10);
                q = end;
        }
        *ret_name = name;
        *ret_len = (size_t)(colon - name);
        *ret_n = n;
        return next;
}

static bool is_lo(const char *name, size_t len) {
        return len == 2 && memcmp(name, "lo", 2) == 0;
}

int dk_parse_net_dev(const char *text, struct sflow_ctr_virt_net_io *ret) {
        struct sflow_ctr_virt_net_io io = {0};
        bool any = false;
        int count = 0;
        for (const char *p = text; *p;) {
                const char *name;
                size_t len;
                unsigned long long v[16];
                int n;
                p = parse_line(p, &name, &len, v, &n);
                if (n < 16)
                        continue;
                any = true; /* a namespace with only lo has valid (zero) counters */
                if (is_lo(name, len))
                        continue;
                count++;
                io.rx_bytes += v[0];
                io.rx_packets += (uint32_t)v[1];
                io.rx_errs += (uint32_t)v[2];
                io.rx_drop += (uint32_t)v[3];
                io.tx_bytes += v[8];
                io.tx_packets += (uint32_t)v[9];
                io.tx_errs += (uint32_t)v[10];
                io.tx_drop += (uint32_t)v[11];
        }
        if (!any)
                return -ENODATA;
        *ret = io;
        return count;
}

int dk_net_dev_names(const char *text, dk_ifname_fn fn, void *userdata) {
        int count = 0;
        for (const char *p = text; *p;) {
                const char *name;
                size_t len;
                unsigned long long v[16];
                int n;
                p = parse_line(p, &name, &len, v, &n);
                if (n < 16 || is_lo(name, len))
                        continue;
                char buf[16];
                memcpy(buf, name, len);
                buf[len] = '\0';
                fn(buf, userdata);
                count++;
        }
        return count;
}
