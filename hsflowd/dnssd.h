/* dnssd.h - collectors and settings from DNS-SD: the _sflow._udp SRV and TXT records. */
#pragma once

#include <stddef.h>

#include "config.h"
#include "evloop.h"

#define DNSSD_TTL_MIN 10 /* seconds: records are looked up again after their TTL, */
#define DNSSD_TTL_MAX                                                                              \
        3600 /* bounded to this range; a failed lookup is retried after the minimum                \
              */

struct dnssd;
/* What DNS says changed: collectors, settings, or an answer without SRV records. */
typedef void (*dnssd_changed_fn)(void *userdata);

int dnssd_new(struct evloop *loop, dnssd_changed_fn cb, void *userdata, struct dnssd **ret);
void dnssd_free(struct dnssd *d);
/* Look up _sflow._udp.<domain> (a leading '.' is allowed; NULL or "": _sflow._udp in the
 * resolver's search domains), now and after each TTL. Another domain starts over. */
int dnssd_configure(struct dnssd *d, const char *domain);
/* A copy of base with what DNS said over it: the SRV collectors once an answer came (none when
 * it had no SRV records), the TXT settings. NULL when out of memory. */
struct hsp_config *dnssd_apply(const struct dnssd *d, const struct hsp_config *base);

/* TXT strings ("key=value") into the settings they set: keys sampling, polling, sampling.<x>,
 * polling.<x>, agentIP, agent, agent.cidr, headerBytes, datagramBytes (txtvers and unknown keys
 * are skipped, the unknown ones with a warning naming record). A malformed value refuses the
 * whole record: -EINVAL with why naming the string. */
int dnssd_parse_txt(const char *const *txt, size_t n, const char *record, struct hsp_config **ret,
                    unsigned *ret_given, char *why, size_t whylen);
enum {
        DNSSD_SAMPLING = 1,
        DNSSD_POLLING = 2,
        DNSSD_HEADER = 4,
        DNSSD_DATAGRAM = 8,
        DNSSD_AGENT_IP = 16,
        DNSSD_AGENT = 32,
        DNSSD_CIDR = 64,
};
