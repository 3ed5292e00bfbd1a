/* netdev.h - the lines of /proc/net/dev (and /proc/PID/net/dev): an interface's name and its
 * sixteen counters, receive then transmit. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct netdev_line {
        char name[IFNAMSIZ];
        uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, rx_fifo, rx_frame, rx_compressed,
                rx_multicast;
        uint64_t tx_bytes, tx_packets, tx_errs, tx_drop, tx_fifo, tx_colls, tx_carrier,
                tx_compressed;
};

/* Reads the line at *p and moves *p to the next one. Returns 1 with *ret filled when it is an
 * interface line (a name of 1 to IFNAMSIZ-1 characters, ':', sixteen decimal counters), 0 for
 * any other line (the two headings, a name too long, counters missing, a truncated line) and -1
 * at the end of text. */
int netdev_next(const char **p, struct netdev_line *ret);

static inline bool netdev_is_lo(const struct netdev_line *l) {
        return l->name[0] == 'l' && l->name[1] == 'o' && l->name[2] == '\0';
}
