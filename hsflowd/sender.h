/* sender.h - one UDP socket per collector: resolution, device/namespace binding, reachability. */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#include "config.h"

struct sender;

/* Start sending to a collector: a numeric address is used at once, a name is resolved
 * asynchronously and retried while it does not resolve. */
int sender_new(sd_event *loop, const struct hsp_collector_conf *conf, struct sender **ret);
/* Does this sender serve the same (ip, udpport, dev, namespace)? */
bool sender_matches(const struct sender *s, const struct hsp_collector_conf *conf);
/* Send one datagram; errors are counted and logged once per change of state. Returns 0 or
 * negative errno (the datagram is lost for this collector only). */
int sender_send(struct sender *s, const void *buf, size_t len);
const char *sender_name(const struct sender *s);
void sender_free(struct sender *s);
