/* agent.h - what the core offers modules: data sources, polling, flow samples, identity. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "module.h"

/* Add a data source (class:index) owned by module m. It is polled every polling interval
 * (first poll at a staggered offset, or at once with poll_now). userdata is the module's. */
int hsp_source_add(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index, void *userdata,
                   struct hsp_source **ret);
/* Stop polling and free the source. With final_poll, m->module->poll is called one last time
 * first and that sample is sent (e.g. with virt_cpu state shutdown). */
void hsp_source_remove(struct hsp_source *s, bool final_poll);
/* Poll at the next loop iteration (a new interface, a started container); that sample is sent
 * at once rather than when its datagram fills, as is a final sample. */
void hsp_source_poll_now(struct hsp_source *s);
/* Is class:index a data source of any module now? (virtual nodes pick free indexes) */
bool hsp_source_exists(struct hsp_mod *m, uint32_t ds_class, uint32_t ds_index);
/* A polling interval of its own for this source (seconds, 0 = not polled), or back to the
 * global one with HSP_POLLING_GLOBAL (the default). */
#define HSP_POLLING_GLOBAL UINT32_MAX
void hsp_source_set_polling(struct hsp_source *s, uint32_t seconds);
/* The 1-in-N sampling of the source's flow samples, shown in hsflowd.auto (0: none). */
void hsp_source_set_sampling(struct hsp_source *s, uint32_t rate);
void *hsp_source_userdata(const struct hsp_source *s);
uint32_t hsp_source_class(const struct hsp_source *s);
uint32_t hsp_source_index(const struct hsp_source *s);

/* rtmetric and rtflow samples (SFLOW_SAMPLE_RTMETRIC/_RTFLOW) go straight to the datagram.
 * Send a flow sample (tag SFLOW_SAMPLE_FLOW_EXPANDED) or discard (SFLOW_SAMPLE_DISCARDS) whose
 * ds_class/ds_index and records the module filled; the core sets the sequence number when the
 * sample is encoded. Before that, every running module with an enrich() callback sees it (see
 * below). s and the buffers its records point to (sampled header, strings, opaque data, raw
 * bytes of unknown records) need only live for the duration of the call: a sample that an
 * enricher holds is copied with all those bytes (a record that would not fit in the largest
 * datagram is left out of the copy). Returns 0, or negative
 * errno when it was dropped (too large for a datagram). */
int hsp_submit_sample(struct hsp_mod *m, struct sflow_sample *s);

/*
 * Enrichment. A module's enrich(m, flow) is called for each flow sample submitted by another
 * module. It may add records at once (hsp_flow_sample() then hsp_sample_add()), or hold the
 * sample while it asks something asynchronously and add records when the answer comes:
 *
 *     struct hsp_flow_hold h;
 *     if (hsp_flow_hold(m, flow, &h) == 0) { ...remember h, send the question... }
 *     ...later, on the answer:
 *     struct sflow_sample *s = hsp_flow_held(&h);   NULL: too late, it has gone without you
 *     if (s) add records to s;
 *     hsp_flow_release(&h);                         always, exactly once
 *
 * A held sample is sent when every holder has released it, or at the latest after
 * HSP_FLOW_HOLD_USEC, without what the late holders would have added. At most
 * HSP_FLOW_MAX_HELD samples are held at once: beyond that hsp_flow_hold() returns -ENOBUFS and
 * the sample goes on at once.
 */
struct hsp_flow;
#define HSP_FLOW_HOLD_USEC 50000
#define HSP_FLOW_MAX_HELD 128

struct hsp_flow_slot;
struct hsp_flow_hold {
        struct hsp_flow_slot *slot;
        uint64_t generation;
};

struct sflow_sample *hsp_flow_sample(struct hsp_flow *f);
int hsp_flow_hold(struct hsp_mod *m, struct hsp_flow *f, struct hsp_flow_hold *ret);
struct sflow_sample *hsp_flow_held(const struct hsp_flow_hold *h);
void hsp_flow_release(const struct hsp_flow_hold *h);

/* Virtual nodes running now, summed over the modules that have count_virtual(); false when no
 * running module reports virtual nodes (then 2:1 carries no 2100). */
bool hsp_virtual_nodes(struct hsp_mod *m, uint32_t *ret);

/* The agent's 16-byte UUID (from -u, the config, DMI, or a hash of the machine-id). */
const uint8_t *hsp_agent_uuid(const struct hsp_agent *a);

/* Add a data source ds_class:N where N = hsp_ds_index_hash(key, probe) for the first probe
 * whose index no other source of the agent (of any module) uses: stable for a stable key,
 * collisions resolved by probing. */
int hsp_source_add_hashed(struct hsp_mod *m, uint32_t ds_class, const char *key, void *userdata,
                          struct hsp_source **ret);
