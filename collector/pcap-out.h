/* pcap-out.h - sflowcat -t: sampled headers as a pcapng stream, one interface per link type. */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "sflow/sflow.h"

struct pcap_out;

/* A pcapng stream on f (which the writer owns and closes), flushed after every packet. */
int pcap_out_open(struct pcap_out **ret, FILE *f);
/* One sampled header, stamped when_ns (nanoseconds since the epoch). Returns 0, 1 when its
 * header protocol has no capture link type (nothing written; told once on stderr), or -EIO. */
int pcap_out_write(struct pcap_out *out, const struct sflow_flow_header *h, uint64_t when_ns);
void pcap_out_close(struct pcap_out *out);

/* The capture link type (LINKTYPE_*) of an sFlow header protocol, or -1 when there is none. */
int pcap_out_linktype(uint32_t header_protocol);
