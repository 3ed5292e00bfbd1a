/* address-lookup.h - agentIP=<name>: looked up without blocking the loop, the last answer kept. */
#pragma once

#include "evloop.h"

#include "sflow/sflow.h"

struct address_lookup;

/* Called on the loop when an answer gives another address than the one known (or the first). */
typedef void (*address_lookup_fn)(void *userdata);

int address_lookup_new(struct evloop *loop, address_lookup_fn changed, void *userdata,
                       struct address_lookup **ret);
void address_lookup_free(struct address_lookup *l);

/* Look name up (again), in the background (resolve.h): nothing when a lookup of it runs
 * already. Another name forgets the answer of the previous one; NULL forgets everything. A
 * failed lookup is logged (once until the next success) and keeps the answer known. */
void address_lookup_start(struct address_lookup *l, const char *name);

/* The last answer for the name asked; NULL until the first one (or l NULL). */
const struct sflow_address *address_lookup_result(const struct address_lookup *l);
