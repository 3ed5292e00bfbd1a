/* exporter.h - datagram packing, sequence numbers, collector sockets. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "sflow/sflow.h"

struct exporter;

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
const struct exporter_stats *exporter_stats(const struct exporter *e);
/* Flush and free. */
void exporter_free(struct exporter *e);
