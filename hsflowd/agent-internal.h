/* agent-internal.h - the core's own view of the agent, used by main.c. */
#pragma once

#include "evloop.h"

#include "agent.h"
#include "config.h"
#include "exporter.h"

struct agent_options {
        const char *uuid;       /* -u */
        const char *machine_id; /* -m */
        const char *auto_path;  /* -o: hsflowd.auto, NULL or "": none */
};

/* Create the agent for a parsed configuration (ownership of config passes to the agent). */
int agent_new(struct evloop *loop, const struct agent_options *opt, struct hsp_config *config,
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

/* The datagram exporter (main.c follows its first datagram for readiness). */
struct exporter *agent_exporter(const struct hsp_agent *a);
