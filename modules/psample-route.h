/* psample-route.h - the output port of a packet sampled at ingress: the kernel's route for its
 * destination, asked over rtnetlink, cached, forgotten on every route or address event. */
#pragma once

#include <stdint.h>

#include "module.h"

struct psample_route;

int psample_route_new(struct hsp_mod *m, struct psample_route **ret);
void psample_route_free(struct psample_route *r);
/* The output ifindex for the packet whose header is data (protocol SFLOW_HEADER_*):
 * SFLOW_IF_INTERNAL when it is delivered to this host, 0 when unknown. */
uint32_t psample_route_output(struct psample_route *r, uint32_t protocol, const uint8_t *data,
                              uint32_t len, uint32_t iif);
/* Where the destination address starts in a header (pure): its family (AF_INET, AF_INET6) or
 * 0 when the header holds no IP destination. */
int psample_route_dst(uint32_t protocol, const uint8_t *data, uint32_t len, uint8_t dst[16]);
