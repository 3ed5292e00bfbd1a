/* agent-internal.h - the core's own view of the agent, used by main.c. */
#pragma once

#include <systemd/sd-event.h>

#include "agent.h"
#include "config.h"
#include "exporter.h"

struct agent_options {
        const char *uuid;       /* -u */
        const char *machine_id; /* -m */
        const char *auto_path;  /* -o: hsflowd.auto, NULL or "": none */
};

/* Create the agent for a parsed configuration (ownership of config passes to the agent). */
int agent_new(sd_event *loop, const struct agent_options *opt, struct hsp_config *config,
              struct hsp_agent **ret);
/* Choose the address, open the collectors, start the modules. */
int agent_start(struct hsp_agent *a);
/* Apply a new, already parsed configuration; ownership passes to the agent, the old one is
 * freed. Sources, their sequence numbers and the datagram sequence survive. */
int agent_reload(struct hsp_agent *a, struct hsp_config *config);
/* Stop the modules, flush what is pending, free. */
void agent_free(struct hsp_agent *a);

/* Capabilities the configuration in force needs after start-up: what the running modules
 * declare, plus CAP_NET_RAW (collector dev=) and CAP_SYS_ADMIN when a collector names a
 * namespace. */
uint64_t agent_capabilities(const struct hsp_agent *a);
/* After root was dropped: a module that a reload enables and that needs more than held is not
 * started, with an error that says why. */
void agent_capabilities_held(struct hsp_agent *a, uint64_t held);

/* The shared interface table (links.c), created by agent_start() before the modules. */
struct links;
int links_new(sd_event *loop, struct links **ret);
void links_free(struct links *l);
struct links *agent_links(const struct hsp_agent *a);

/* The flow sample pipeline (flow.c): enrichers, held samples, deadlines. */
struct flows;
int flows_new(struct hsp_agent *a, sd_event *loop, struct flows **ret);
/* Show s to each enricher but from (n of them), then send it, now or when they let go. */
int flows_submit(struct flows *f, struct hsp_mod *from, struct sflow_sample *s,
                 struct hsp_mod *const *enrichers, size_t n);
void flows_free(struct flows *f); /* sends what is still held */
struct flows *agent_flows(const struct hsp_agent *a);
/* The datagram exporter (main.c follows its first datagram for readiness). */
struct exporter *agent_exporter(const struct hsp_agent *a);
/* Number and send a flow sample now (the end of the pipeline). */
int agent_send_flow(struct hsp_agent *a, struct sflow_sample *s);
