/* exporter.h - datagram packing, sequence numbers, collector sockets. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "sflow/sflow.h"

struct exporter;

/* datagrams: built and numbered (the last sequence number); send_errors: datagram copies that
 * a collector's socket did not take (summed over the collectors, see exporter_log_collectors);
 * dropped_samples: samples too large for a datagram. */
struct exporter_stats {
        uint64_t datagrams, samples, send_errors, dropped_samples;
};

int exporter_new(sd_event *loop, struct exporter **ret);
/* Apply the collectors, datagramBytes and sub-agent id of a configuration and the agent address.
 * Pending samples are flushed first when the datagram layout changes. Collectors are matched by
 * (ip, port, dev, namespace): unchanged ones keep their socket and state. */
int exporter_configure(struct exporter *e, const struct hsp_config *c,
                       const struct sflow_address *agent);
/* Encode a sample into the pending datagram; flushes first when it would not fit. */
int exporter_add(struct exporter *e, const struct sflow_sample *s);
/* Send the pending datagram (if any) to every collector. */
void exporter_flush(struct exporter *e);
/* Call fn once, right after the next datagram has been handed to the collectors' senders
 * (n_collectors: how many it went to; 0 when none is configured yet). Readiness under systemd
 * follows it. fn NULL cancels. */
void exporter_on_first_datagram(struct exporter *e, void (*fn)(void *userdata, size_t n_collectors),
                                void *userdata);
const struct exporter_stats *exporter_stats(const struct exporter *e);
/* One line per collector: datagrams sent, lost, errors the network reported. */
void exporter_log_collectors(const struct exporter *e);
/* Flush and free. */
void exporter_free(struct exporter *e);
