/* pcap-out.c - sflowcat -t: sampled headers as a pcapng stream (section header, one interface
 * description per capture link type as it first appears, an enhanced packet block per header).
 *
 * pcapng rather than pcap because a sample's header protocol decides how its bytes read
 * (Ethernet frames, bare IPv4/IPv6 packets from tun or PPP links, ...) and a pcap file has one
 * link type for all its packets; pcapng gives each packet the interface, and so the link type,
 * it came from, and nanosecond timestamps for the 0:1043 record. libpcap reads pcapng but does
 * not write it, and its reader takes one link type only: a stream of Ethernet samples alone
 * (one interface) stays readable by tcpdump; tshark reads them all. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pcap-out.h"

#define SNAPLEN 65535
#define MAX_IFACES 16

/* LINKTYPE_* values (tcpdump.org link-layer header types) */
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_IEEE802_5 6
#define LINKTYPE_PPP 9
#define LINKTYPE_FDDI 10
#define LINKTYPE_PPP_HDLC 50
#define LINKTYPE_RAW 101
#define LINKTYPE_IEEE802_11 105
#define LINKTYPE_FRELAY 107
#define LINKTYPE_MPLS 219

/* pcapng block types and options */
#define BT_SHB 0x0a0d0d0a
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1a2b3c4d
#define OPT_END 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9

struct pcap_out {
        FILE *f;
        int linktype[MAX_IFACES]; /* interface id -> link type */
        unsigned n_ifaces;
        bool told[256]; /* header protocols already reported as not written */
};

int pcap_out_linktype(uint32_t header_protocol) {
        switch (header_protocol) {
        case SFLOW_HEADER_ETHERNET:
                return LINKTYPE_ETHERNET;
        case 3:
                return LINKTYPE_IEEE802_5; /* ISO 802.5 token ring */
        case 4:
                return LINKTYPE_FDDI;
        case 5:
                return LINKTYPE_FRELAY;
        case 7:
                return LINKTYPE_PPP;
        case SFLOW_HEADER_IPV4:
        case SFLOW_HEADER_IPV6:
                return LINKTYPE_RAW; /* the version nibble tells them apart */
        case 13:
                return LINKTYPE_MPLS;
        case 14:
                return LINKTYPE_PPP_HDLC; /* packet over SONET/SDH: PPP in HDLC framing */
        case 15:
                return LINKTYPE_IEEE802_11;
        default:
                return -1; /* token bus, X.25, SMDS, AAL5, 802.11 aggregates: no link type */
        }
}

/* A little buffer writer: blocks are built whole, then written with one fwrite. */
struct blk {
        uint8_t b[SNAPLEN + 256];
        size_t n;
};

static void put(struct blk *k, const void *p, size_t n) {
        if (n)
                memcpy(k->b + k->n, p, n);
        k->n += n;
}

static void put32(struct blk *k, uint32_t v) {
        put(k, &v, 4);
}

static void put16(struct blk *k, uint16_t v) {
        put(k, &v, 2);
}

static void put_pad(struct blk *k) {
        while (k->n % 4)
                k->b[k->n++] = 0;
}

static void put_option(struct blk *k, uint16_t code, const void *v, size_t len) {
        put16(k, code);
        put16(k, (uint16_t)len);
        put(k, v, len);
        put_pad(k);
}

static void begin(struct blk *k, uint32_t type) {
        k->n = 0;
        put32(k, type);
        put32(k, 0); /* total length, set by finish() */
}

static int finish(struct pcap_out *out, struct blk *k) {
        uint32_t total = (uint32_t)k->n + 4;

        memcpy(k->b + 4, &total, 4);
        put32(k, total);
        if (fwrite(k->b, 1, k->n, out->f) != k->n)
                return -EIO;
        return 0;
}

static struct blk blk; /* one block at a time: sflowcat is single-threaded */

static const char *link_name(int linktype) {
        switch (linktype) {
        case LINKTYPE_ETHERNET:
                return "sflow-ethernet";
        case LINKTYPE_RAW:
                return "sflow-ip";
        default:
                return "sflow-header";
        }
}

/* The interface id for linktype, describing a new interface first when needed. */
static int interface_for(struct pcap_out *out, int linktype, uint32_t *ret_id) {
        static const uint8_t nanoseconds = 9;
        const char *name = link_name(linktype);

        for (unsigned i = 0; i < out->n_ifaces; i++)
                if (out->linktype[i] == linktype) {
                        *ret_id = i;
                        return 0;
                }
        if (out->n_ifaces >= MAX_IFACES)
                return -ENOSPC;
        begin(&blk, BT_IDB);
        put16(&blk, (uint16_t)linktype);
        put16(&blk, 0);
        put32(&blk, SNAPLEN);
        put_option(&blk, OPT_IF_NAME, name, strlen(name));
        put_option(&blk, OPT_IF_TSRESOL, &nanoseconds, 1);
        put_option(&blk, OPT_END, NULL, 0);
        if (finish(out, &blk) < 0)
                return -EIO;
        out->linktype[out->n_ifaces] = linktype;
        *ret_id = out->n_ifaces++;
        return 0;
}

int pcap_out_open(struct pcap_out **ret, FILE *f) {
        static const char app[] = "sflowcat";
        struct pcap_out *out = calloc(1, sizeof(*out));
        int64_t unknown_length = -1;

        if (!out) {
                fclose(f);
                return -ENOMEM;
        }
        out->f = f;
        begin(&blk, BT_SHB);
        put32(&blk, BYTE_ORDER_MAGIC);
        put16(&blk, 1); /* version 1.0 */
        put16(&blk, 0);
        put(&blk, &unknown_length, 8);
        put_option(&blk, OPT_SHB_USERAPPL, app, strlen(app));
        put_option(&blk, OPT_END, NULL, 0);
        if (finish(out, &blk) < 0 || fflush(f) != 0) {
                fprintf(stderr, "sflowcat: cannot write pcapng: %s\n", strerror(errno));
                pcap_out_close(out);
                return -EIO;
        }
        *ret = out;
        return 0;
}

int pcap_out_write(struct pcap_out *out, const struct sflow_flow_header *h, uint64_t when_ns) {
        int linktype = pcap_out_linktype(h->protocol);
        uint32_t id, caplen = h->header_len < SNAPLEN ? h->header_len : SNAPLEN;
        uint32_t len = h->frame_length > h->stripped ? h->frame_length - h->stripped : 0;

        int r = linktype < 0 ? -ENOSPC : interface_for(out, linktype, &id);

        if (r == -ENOSPC) {
                unsigned k = h->protocol < 256 ? h->protocol : 255;
                if (!out->told[k]) {
                        out->told[k] = true;
                        fprintf(stderr,
                                "sflowcat: sampled headers of header protocol %u have no "
                                "capture link type: not written\n",
                                h->protocol);
                }
                return 1;
        }
        if (r < 0)
                return r;
        /* the length on the wire, without what the agent stripped (the FCS) */
        if (len < caplen)
                len = caplen; /* the original length covers at least what was captured */
        begin(&blk, BT_EPB);
        put32(&blk, id);
        put32(&blk, (uint32_t)(when_ns >> 32));
        put32(&blk, (uint32_t)when_ns);
        put32(&blk, caplen);
        put32(&blk, len);
        if (caplen)
                put(&blk, h->header, caplen);
        put_pad(&blk);
        if (finish(out, &blk) < 0 || fflush(out->f) != 0)
                return -EIO;
        return 0;
}

void pcap_out_close(struct pcap_out *out) {
        if (!out)
                return;
        if (out->f)
                fclose(out->f);
        free(out);
}
