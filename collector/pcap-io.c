/* pcap-io.c - capture-file input (Ethernet, Linux SLL/SLL2, raw IP, loopback) for sflowcat -r. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "pcap-io.h"
#include "sflow/header-walk.h"

struct pcap_in {
        pcap_t *pcap;
        int linktype;
        uint64_t packets;
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

/* Walk a captured frame to its IP and transport headers. False when it does not carry IP. */
static bool walk_frame(int linktype, const uint8_t *p, size_t len, struct hdr_walk *w) {
        size_t off = 0;
        uint16_t type;

        switch (linktype) {
        case DLT_EN10MB:
                return hdr_walk(HDR_LINK_ETHERNET, p, len, w) == HDR_STOP_L4;
        case DLT_LINUX_SLL: /* 16-byte cooked header, protocol last */
                if (len < 16)
                        return false;
                type = get16(p + 14);
                if (type != 0x0800 && type != 0x86dd)
                        return false;
                off = 16;
                break;
        case DLT_LINUX_SLL2: /* 20-byte cooked header, protocol first */
                if (len < 20)
                        return false;
                type = get16(p);
                if (type != 0x0800 && type != 0x86dd)
                        return false;
                off = 20;
                break;
        case DLT_NULL:
        case DLT_LOOP:
                /* 4-byte address family; its byte order varies, so look at the IP version */
                off = 4;
                break;
        default: /* raw IP */
                break;
        }
        if (len < off || hdr_walk(HDR_LINK_IP, p + off, len - off, w) != HDR_STOP_L4)
                return false;
        w->l3_offset += off;
        w->l4_offset += off;
        return true;
}

int pcap_in_next(struct pcap_in *in, struct udp_datagram *ret) {
        struct pcap_pkthdr *h;
        const uint8_t *pkt;

        for (;;) {
                int rc = pcap_next_ex(in->pcap, &h, &pkt);
                struct hdr_walk w;
                size_t ulen;
                const uint8_t *udp, *ip;

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
                if (!walk_frame(in->linktype, pkt, h->caplen, &w) || w.protocol != 17 ||
                    hdr_walk_fragment(&w) || h->caplen - w.l4_offset < 8)
                        continue; /* not UDP, or a fragment: not reassembled */
                udp = pkt + w.l4_offset;
                ulen = get16(udp + 4);
                if (ulen < 8)
                        continue;
                if (ulen > h->caplen - w.l4_offset) {
                        fprintf(stderr,
                                "sflowcat: capture packet %" PRIu64
                                ": incomplete UDP datagram (snaplen too short), skipped\n",
                                in->packets);
                        continue;
                }
                ip = pkt + w.l3_offset;
                if (w.ip_version == 4) {
                        ret->src.type = 1;
                        memcpy(ret->src.addr, ip + 12, 4);
                } else {
                        ret->src.type = 2;
                        memcpy(ret->src.addr, ip + 8, 16);
                }
                ret->sport = get16(udp);
                ret->dport = get16(udp + 2);
                ret->data = udp + 8;
                ret->len = ulen - 8;
                ret->ts = h->ts;
                return 1;
        }
}
