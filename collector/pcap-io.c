/* pcap-io.c - capture-file input (Ethernet, Linux SLL/SLL2, raw IP, loopback) and pcap output. */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "pcap-io.h"

#define SNAPLEN 65535

struct pcap_in {
        pcap_t *pcap;
        int linktype;
        uint64_t packets;
};

struct pcap_out {
        pcap_t *dead;
        pcap_dumper_t *dumper;
};

static inline uint16_t get16(const uint8_t *p) {
        return (uint16_t)(p[0] << 8 | p[1]);
}

int pcap_in_open(struct pcap_in **ret, const char *path) {
        char err[PCAP_ERRBUF_SIZE];
        struct pcap_in *in;

        in = calloc(1, sizeof(*in));
        if (!in)
                return -ENOMEM;
        in->pcap = pcap_open_offline(path, err);
        if (!in->pcap) {
                fprintf(stderr, "sflowcat: cannot read %s: %s\n", path, err);
                free(in);
                return -EINVAL;
        }
        in->linktype = pcap_datalink(in->pcap);
        switch (in->linktype) {
        case DLT_EN10MB:
        case DLT_LINUX_SLL:
        case DLT_LINUX_SLL2:
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
        case DLT_NULL:
        case DLT_LOOP:
                break;
        default:
                fprintf(stderr, "sflowcat: %s: unsupported link type %s\n", path,
                        pcap_datalink_val_to_name(in->linktype) ?: "?");
                pcap_close(in->pcap);
                free(in);
                return -EPROTONOSUPPORT;
        }
        *ret = in;
        return 0;
}

void pcap_in_close(struct pcap_in *in) {
        if (!in)
                return;
        pcap_close(in->pcap);
        free(in);
}

/* Offset of the IP header in a frame, or -1 when the frame does not carry IP. */
static long ip_offset(int linktype, const uint8_t *p, size_t len) {
        size_t off;
        uint16_t type;

        switch (linktype) {
        case DLT_EN10MB:
                if (len < 14)
                        return -1;
                type = get16(p + 12);
                off = 14;
                while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
                        if (len < off + 4)
                                return -1;
                        type = get16(p + off + 2);
                        off += 4;
                }
                return type == 0x0800 || type == 0x86dd ? (long)off : -1;
        case DLT_LINUX_SLL:
                if (len < 16)
                        return -1;
                type = get16(p + 14);
                return type == 0x0800 || type == 0x86dd ? 16 : -1;
        case DLT_LINUX_SLL2:
                if (len < 20)
                        return -1;
                type = get16(p);
                return type == 0x0800 || type == 0x86dd ? 20 : -1;
        case DLT_NULL:
        case DLT_LOOP:
                /* 4-byte address family; its byte order varies, so look at the IP version */
                return len >= 4 ? 4 : -1;
        default: /* raw IP */
                return 0;
        }
}

/* Find the UDP header inside an IP packet. Returns its offset from ip, or -1. */
static long udp_in_ip(const uint8_t *ip, size_t len, struct sflow_address *src) {
        if (len < 1)
                return -1;
        if ((ip[0] >> 4) == 4) {
                size_t hl = (ip[0] & 0x0f) * 4u;
                if (len < 20 || hl < 20 || len < hl || ip[9] != 17)
                        return -1;
                if (get16(ip + 6) & 0x3fff)
                        return -1; /* a fragment: not reassembled */
                src->type = 1;
                memcpy(src->addr, ip + 12, 4);
                return (long)hl;
        }
        if ((ip[0] >> 4) == 6) {
                size_t off = 40;
                uint8_t next;

                if (len < 40)
                        return -1;
                next = ip[6];
                while (next == 0 || next == 43 || next == 60) {
                        if (len < off + 2)
                                return -1;
                        next = ip[off];
                        off += 8u * (ip[off + 1] + 1u);
                }
                if (next != 17 || len < off)
                        return -1;
                src->type = 2;
                memcpy(src->addr, ip + 8, 16);
                return (long)off;
        }
        return -1;
}

int pcap_in_next(struct pcap_in *in, struct udp_datagram *ret) {
        struct pcap_pkthdr *h;
        const uint8_t *pkt;

        for (;;) {
                int rc = pcap_next_ex(in->pcap, &h, &pkt);
                long ipo, udpo;
                size_t iplen, ulen;
                const uint8_t *udp;

                if (rc == PCAP_ERROR_BREAK)
                        return 0;
                if (rc < 0) {
                        fprintf(stderr, "sflowcat: reading capture: %s\n", pcap_geterr(in->pcap));
                        return -EIO;
                }
                if (rc == 0)
                        continue;
                in->packets++;
                memset(ret, 0, sizeof(*ret));
                ipo = ip_offset(in->linktype, pkt, h->caplen);
                if (ipo < 0)
                        continue;
                iplen = h->caplen - (size_t)ipo;
                udpo = udp_in_ip(pkt + ipo, iplen, &ret->src);
                if (udpo < 0 || iplen < (size_t)udpo + 8)
                        continue;
                udp = pkt + ipo + udpo;
                ulen = get16(udp + 4);
                if (ulen < 8)
                        continue;
                if ((size_t)udpo + ulen > iplen) {
                        fprintf(stderr, "sflowcat: capture packet %" PRIu64
                                ": incomplete UDP datagram (snaplen too short), skipped\n",
                                in->packets);
                        continue;
                }
                ret->sport = get16(udp);
                ret->dport = get16(udp + 2);
                ret->data = udp + 8;
                ret->len = ulen - 8;
                ret->ts = h->ts;
                return 1;
        }
}

int pcap_out_open(struct pcap_out **ret, FILE *f) {
        struct pcap_out *out = calloc(1, sizeof(*out));

        if (!out)
                return -ENOMEM;
        out->dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
        if (!out->dead) {
                free(out);
                return -ENOMEM;
        }
        out->dumper = pcap_dump_fopen(out->dead, f);
        if (!out->dumper) {
                fprintf(stderr, "sflowcat: cannot write pcap: %s\n", pcap_geterr(out->dead));
                pcap_close(out->dead);
                free(out);
                return -EIO;
        }
        if (pcap_dump_flush(out->dumper) < 0) {
                pcap_out_close(out);
                return -EIO;
        }
        *ret = out;
        return 0;
}

int pcap_out_write(struct pcap_out *out, const struct sflow_flow_header *h, time_t when) {
        struct pcap_pkthdr ph = {
                .ts = { .tv_sec = when, .tv_usec = 0 },
                .caplen = h->header_len < SNAPLEN ? h->header_len : SNAPLEN,
                .len = h->frame_length,
        };

        if (ph.len < ph.caplen)
                ph.len = ph.caplen;

        pcap_dump((u_char *)out->dumper, &ph, h->header);
        return pcap_dump_flush(out->dumper) < 0 ? -EIO : 0;
}

void pcap_out_close(struct pcap_out *out) {
        if (!out)
                return;
        if (out->dumper)
                pcap_dump_close(out->dumper); /* also closes the FILE */
        pcap_close(out->dead);
        free(out);
}
