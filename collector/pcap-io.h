/* pcap-io.h - read UDP payloads from a capture file (sflowcat -r). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "sflow/sflow.h"

struct pcap_in;

/* One UDP datagram found in the capture. data points into the reader's buffer. */
struct udp_datagram {
        const uint8_t *data;
        size_t len;
        uint16_t sport, dport;
        struct sflow_address src;
        struct timeval ts;
};

/* Open a capture file ("-" for stdin). Returns 0 or a negative errno; the error text goes to
 * stderr. */
int pcap_in_open(struct pcap_in **ret, const char *path);
/* Next UDP datagram: 1 and *ret filled, 0 at the end of the file, or a negative errno. Packets
 * that are not UDP over IPv4/IPv6 (or are fragments) are passed over. */
int pcap_in_next(struct pcap_in *in, struct udp_datagram *ret);
void pcap_in_close(struct pcap_in *in);
