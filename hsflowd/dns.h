/* dns.h - a c-ares channel driven by the agent's evloop: queries and name lookups that never
 * block the loop. */
#pragma once

#include <ares.h>
#include <stdbool.h>

#include "evloop.h"

struct dns;

/* A channel with the system's resolver configuration (/etc/resolv.conf, /etc/hosts), each
 * query tried twice with a 2 s timeout per server. */
int dns_new(struct evloop *loop, struct dns **ret);
/* Pending callbacks are called with ARES_EDESTRUCTION. Not from inside a callback. */
void dns_free(struct dns *d);
struct evloop *dns_loop(const struct dns *d);

/* One query of class IN: the answer (abuf, alen) or a c-ares status (ARES_SUCCESS, ARES_ENODATA
 * for a name without records of the type, ARES_ENOTFOUND for NXDOMAIN, ARES_ETIMEOUT, ...).
 * search: apply the resolver's search domains. */
typedef void (*dns_answer_fn)(void *userdata, int status, const unsigned char *abuf, int alen);
void dns_query(struct dns *d, const char *name, int type, bool search, dns_answer_fn cb,
               void *userdata);
/* Addresses of a host (numeric port): the c-ares result, freed by the caller with
 * ares_freeaddrinfo(), or NULL with the status. */
typedef void (*dns_addr_fn)(void *userdata, int status, struct ares_addrinfo *res);
void dns_getaddrinfo(struct dns *d, const char *host, unsigned port, int socktype, dns_addr_fn cb,
                     void *userdata);
