/* exporter.h - datagram packing, sequence numbers, collector sockets. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "evloop.h"
#include "sflow/sflow.h"

struct exporter;

/* datagrams: built and numbered (the last sequence number); send_errors: datagram copies that
 * a collector's socket did not take (summed over the collectors, see exporter_log_collectors);
 * dropped_samples: samples too large for a datagram. */
struct exporter_stats {
        uint64_t datagrams, samples, send_errors, dropped_samples;
};

int exporter_new(struct evloop *loop, struct exporter **ret);
/* Apply the collectors, datagramBytes and sub-agent id of a configuration and the agent address.
 * Pending samples are flushed first when the datagram layout changes. Collectors are matched by
 * (ip, port, dev, namespace): unchanged ones keep their socket and state. */
int exporter_configure(struct exporter *e, const struct hsp_config *c,
                       const struct sflow_address *agent);
/* Encode a sample into the pending datagram as it is (its sequence number included); flushes
 * first when it would not fit. rtmetric and rtflow samples, which have neither data source nor
 * sequence number, come this way. */
int exporter_add(struct exporter *e, const struct sflow_sample *s);

/* Sample sequence numbers are the datagram stream's: one counter-sample and one flow-sample
 * sequence per data source (ds_class, ds_index). A data source is referenced by each live
 * counter source with its id; an entry whose references go during a reload keeps its numbers
 * until exporter_purge_sources(), so that a source removed and added again by a reload goes on
 * with the same sequence. */
struct exporter_source;
/* Reference the entry of cls:idx, created at sequence 0 if there is none; NULL: no memory. */
struct exporter_source *exporter_source_ref(struct exporter *e, uint32_t cls, uint32_t idx);
/* Drop a reference. The last one forgets the entry at once unless keep (a reload is under way:
 * the source may be added again) or it numbered flow samples (a data source of flow samples
 * keeps its sequence for good). */
void exporter_source_unref(struct exporter *e, struct exporter_source *src, bool keep);
/* After a reload: forget the entries kept meanwhile that nothing references again and that never
 * numbered a flow sample. */
void exporter_purge_sources(struct exporter *e);
/* Number a counter sample with the next counter sequence of src (0 without src) and add it. */
int exporter_add_counters(struct exporter *e, struct exporter_source *src, struct sflow_sample *s);
/* Number a flow or discard sample with the next flow sequence of its ds_class:ds_index and add
 * it. */
int exporter_add_flow(struct exporter *e, struct sflow_sample *s);
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
