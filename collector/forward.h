/* forward.h - sflowcat -f host/port: every datagram received sent on, unchanged. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FORWARD_MAX 16

struct forward_target {
        int fd;
        const char *spec;
};

struct forwarder {
        struct forward_target t[FORWARD_MAX];
        unsigned n;
};

/* Add "host/port" (name, IPv4 or IPv6 address): a connected UDP socket. Returns 0 or a negative
 * errno with the reason on stderr. */
int forward_add(struct forwarder *f, const char *spec);
/* Send buf to every target; a failing target is reported on stderr once per change of state. */
void forward_datagram(void *user, const uint8_t *buf, size_t len);
void forward_close(struct forwarder *f);
