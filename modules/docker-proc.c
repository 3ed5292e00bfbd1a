/* docker-proc.c - a container's interfaces and their counters, seen from its network namespace. */
#include <errno.h>
#include <string.h>

#include "docker.h"
#include "netdev.h"
#include "sflow/sflow.h"

int dk_parse_net_dev(const char *text, struct sflow_ctr_virt_net_io *ret) {
        struct sflow_ctr_virt_net_io io = {0};
        bool any = false;
        int count = 0, r;
        struct netdev_line l;
        for (const char *p = text; (r = netdev_next(&p, &l)) >= 0;) {
                if (r == 0)
                        continue;
                any = true; /* a namespace with only lo has valid (zero) counters */
                if (netdev_is_lo(&l))
                        continue;
                count++;
                io.rx_bytes += l.rx_bytes;
                io.rx_packets += (uint32_t)l.rx_packets;
                io.rx_errs += (uint32_t)l.rx_errs;
                io.rx_drop += (uint32_t)l.rx_drop;
                io.tx_bytes += l.tx_bytes;
                io.tx_packets += (uint32_t)l.tx_packets;
                io.tx_errs += (uint32_t)l.tx_errs;
                io.tx_drop += (uint32_t)l.tx_drop;
        }
        if (!any)
                return -ENODATA;
        *ret = io;
        return count;
}

int dk_net_dev_names(const char *text, dk_ifname_fn fn, void *userdata) {
        int count = 0, r;
        struct netdev_line l;
        for (const char *p = text; (r = netdev_next(&p, &l)) >= 0;) {
                if (r == 0 || netdev_is_lo(&l))
                        continue;
                fn(l.name, userdata);
                count++;
        }
        return count;
}
