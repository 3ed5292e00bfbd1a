/* netdev.c - one /proc/net/dev line at a time, without changing the text. */
#include <string.h>

#include "netdev.h"

#define NETDEV_COLUMNS 16

static bool parse_counters(const char *q, const char *end, uint64_t v[NETDEV_COLUMNS]) {
        for (int n = 0; n < NETDEV_COLUMNS; n++) {
                while (q < end && (*q == ' ' || *q == '\t'))
                        q++;
                if (q >= end || *q < '0' || *q > '9')
                        return false;
                uint64_t x = 0;
                for (; q < end && *q >= '0' && *q <= '9'; q++)
                        x = x * 10 + (uint64_t)(*q - '0'); /* wraps like the kernel's counters */
                if (q < end && *q != ' ' && *q != '\t')
                        return false;
                v[n] = x;
        }
        return true;
}

int netdev_next(const char **p, struct netdev_line *ret) {
        const char *s = *p;
        if (!*s)
                return -1;
        const char *nl = strchr(s, '\n');
        const char *end = nl ? nl : s + strlen(s);
        *p = nl ? nl + 1 : end;
        const char *colon = memchr(s, ':', (size_t)(end - s));
        if (!colon)
                return 0;
        const char *name = s;
        while (name < colon && (*name == ' ' || *name == '\t'))
                name++;
        size_t len = (size_t)(colon - name);
        if (len == 0 || len >= IFNAMSIZ || memchr(name, ' ', len))
                return 0;
        uint64_t v[NETDEV_COLUMNS];
        if (!parse_counters(colon + 1, end, v))
                return 0;
        memcpy(ret->name, name, len);
        ret->name[len] = '\0';
        uint64_t *f[NETDEV_COLUMNS] = {
                &ret->rx_bytes, &ret->rx_packets, &ret->rx_errs,       &ret->rx_drop,
                &ret->rx_fifo,  &ret->rx_frame,   &ret->rx_compressed, &ret->rx_multicast,
                &ret->tx_bytes, &ret->tx_packets, &ret->tx_errs,       &ret->tx_drop,
                &ret->tx_fifo,  &ret->tx_colls,   &ret->tx_carrier,    &ret->tx_compressed,
        };
        for (int i = 0; i < NETDEV_COLUMNS; i++)
                *f[i] = v[i];
        return 1;
}
