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
/* Poll at the next loop iteration (a new interface, a started container). */
void hsp_source_poll_now(struct hsp_source *s);
void *hsp_source_userdata(const struct hsp_source *s);
uint32_t hsp_source_class(const struct hsp_source *s);
uint32_t hsp_source_index(const struct hsp_source *s);

/* Send a flow sample (tag SFLOW_SAMPLE_FLOW_EXPANDED) or discard (SFLOW_SAMPLE_DISCARDS) whose
 * ds_class/ds_index and records the module filled; the core sets the sequence number. */
int hsp_submit_sample(struct hsp_mod *m, struct sflow_sample *s);

/* The agent's 16-byte UUID (from -u, the config, DMI, or a hash of the machine-id). */
const uint8_t *hsp_agent_uuid(const struct hsp_agent *a);
