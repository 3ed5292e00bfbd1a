/* sender.h - one UDP socket per collector: resolution, device/namespace binding, reachability. */
#pragma once

#include <stddef.h>

#include "config.h"
#include "evloop.h"

struct sender;

/* Datagrams handed to this collector's socket (sent), not taken by the kernel or sent before
 * the socket existed (lost), and errors the network reported (ICMP unreachable...: reported). */
struct sender_stats {
        uint64_t sent, lost, reported;
};

/* Start sending to a collector: a numeric address is used at once, a name is resolved
 * asynchronously and retried while it does not resolve. */
int sender_new(struct evloop *loop, const struct hsp_collector_conf *conf, struct sender **ret);
/* Does this sender serve the same (ip, udpport, dev, namespace)? */
bool sender_matches(const struct sender *s, const struct hsp_collector_conf *conf);
/* Send one datagram. An error the network reported about an earlier datagram does not cost
 * this one (it is sent again); what the kernel cannot take (-EAGAIN, -ENOBUFS, no route) or a
 * collector without a socket yet (-ENOTCONN) loses it. Both are counted and logged once per
 * change of state. Returns 0 or negative errno (the datagram is lost for this collector
 * only). */
int sender_send(struct sender *s, const void *buf, size_t len);
const char *sender_name(const struct sender *s);
const struct sender_stats *sender_stats(const struct sender *s);
void sender_free(struct sender *s);
