/* sender.h - one UDP socket per collector: resolution, device/namespace binding, reachability. */
#pragma once

#include <sys/uio.h>

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
/* Send n datagrams, in order, handed to the kernel several at a time (sendmmsg). An error the
 * network reported about an earlier datagram does not cost the one it fails (it is sent again);
 * what the kernel cannot take (EAGAIN, ENOBUFS, no route) or a collector without a socket yet
 * loses them, for this collector only. Losses are counted and logged once per change of state.
 * Returns how many were sent. */
size_t sender_send(struct sender *s, const struct iovec *dgrams, size_t n);
const char *sender_name(const struct sender *s);
const struct sender_stats *sender_stats(const struct sender *s);
void sender_free(struct sender *s);
