/* pcap-read.c - the pcap module's handles: open, filter, read batches, build flow samples. */
#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "agent.h"
#include "links.h"
#include "log.h"
#include "pcap-dl.h"
#include "pcap.h"

/* libpcap's TPACKET_V3 ring is made of 256 KB blocks; the kernel fills one while the agent reads
 * the one before. The ring is all resident from the start: its size follows what can arrive. */
#define PCAP_BLOCK_BYTES (256 * 1024)
#define PCAP_BLOCKS_MIN 2
#define PCAP_BLOCKS_MAX 4                 /* 1 MB: held 240 k samples/s with no drops */
#define PCAP_FILL_MS 25                   /* time to hand over a block, at the highest rate */
#define PCAP_FRAME_OVERHEAD 96            /* tpacket3_hdr, sockaddr_ll, alignment: per sample */
#define PCAP_DEFAULT_SPEED 10000000000ULL /* a link that reports none (veth, tun): 10 Gb/s */
/* How long a block may wait before it is handed over: see pcap_timeout_ms() */
#define PCAP_TIMEOUT_DENSE_MS 100
#define PCAP_TIMEOUT_SPARSE_MS 500
#define PCAP_SPARSE_RATE 100 /* sampling sparser than 1-in-100 */
#define FCS_BYTES 4

/* One sample reused for every packet: it is large, and hsp_submit_sample() copies what it
 * keeps. Records point into the ring. */
static struct sflow_sample sample;

/* Pool and drops, once per batch: the interface's own packet counters and the kernel's drop
 * counts of both handles. */
static void batch_stats(struct pcap_tap *t) {
        uint64_t rx, tx;
        if (hsp_link_packets(t->m, t->ifindex, &rx, &tx) == 0)
                t->pool = (uint32_t)(rx + tx);
        for (int i = 0; i < 2; i++) {
                struct pcap_stat ps;
                if (t->h[i].p && sym_pcap_stats(t->h[i].p, &ps) == 0)
                        t->h[i].drops = ps.ps_drop;
        }
        t->stats_read = true;
}

/* Where the network header starts and what it is. Returns false to skip the packet. */
static bool locate(int dlt, const uint8_t *buf, uint32_t caplen, uint32_t len, uint32_t *off,
                   uint32_t *protocol, uint32_t *frame, uint32_t *stripped) {
        *off = 0;
        *stripped = 0;
        switch (dlt) {
        case DLT_EN10MB:
                *protocol = SFLOW_HEADER_ETHERNET;
                *frame = len + FCS_BYTES;
                *stripped = FCS_BYTES;
                return true;
        case DLT_LINUX_SLL: /* cooked (ppp): a 16-byte pseudo header before the IP packet */
                if (caplen <= 16 || len <= 16)
                        return false;
                *off = 16;
                break;
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
                if (caplen == 0)
                        return false;
                break;
        default:
                return false;
        }
        uint8_t version = buf[*off] >> 4;
        if (version == 4)
                *protocol = SFLOW_HEADER_IPV4;
        else if (version == 6)
                *protocol = SFLOW_HEADER_IPV6;
        else
                return false;
        *frame = len - *off;
        return true;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *buf) {
        struct pcap_handle *h = (struct pcap_handle *)user;
        struct pcap_tap *t = h->tap;
        uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000000ULL + (uint64_t)hdr->ts.tv_usec;
        uint32_t off, protocol, frame, stripped;

        if (h->skip) {
                h->skip--; /* queued before the filter was attached */
                return;
        }
        if (!locate(t->dlt, buf, hdr->caplen, hdr->len, &off, &protocol, &frame, &stripped))
                return;
        if (!t->stats_read)
                batch_stats(t);

        sample.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
        sample.ds_class = SFLOW_DS_IFINDEX;
        sample.ds_index = (uint32_t)t->ifindex;
        sample.sampling_rate = t->rate;
        sample.sample_pool = t->pool;
        sample.drops = t->h[0].drops + t->h[1].drops;
        sample.input_format = sample.output_format = SFLOW_IF_SINGLE;
        sample.input = h->outgoing ? SFLOW_IF_INTERNAL : (uint32_t)t->ifindex;
        sample.output = h->outgoing ? (uint32_t)t->ifindex : SFLOW_IF_INTERNAL;
        sample.num_records = 0;

        struct sflow_record *rec = hsp_sample_add(&sample, SFLOW_FLOW_TIMESTAMP);
        rec->u.timestamp.nanoseconds = ts;
        rec = hsp_sample_add(&sample, SFLOW_FLOW_HEADER);
        uint32_t n = hdr->caplen - off;
        if (n > t->header_bytes)
                n = t->header_bytes;
        if (n > SFLOW_MAX_HEADER)
                n = SFLOW_MAX_HEADER;
        rec->u.header = (struct sflow_flow_header){
                .protocol = protocol,
                .frame_length = frame,
                .stripped = stripped,
                .header_len = n,
                .header = buf + off,
        };
        (void)hsp_submit_sample(t->m, &sample);
}

static int on_io(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct pcap_handle *h = userdata;
        struct pcap_tap *t = h->tap;
        char why[PCAP_ERRBUF_SIZE + 64];

        t->stats_read = false;
        int n = sym_pcap_dispatch(h->p, -1, on_packet, (u_char *)h);
        if (n >= 0 && !(revents & (EPOLLERR | EPOLLHUP)))
                return 0;
        if (n >= 0) {
                /* an error pending on the socket is reported by the next read */
                n = sym_pcap_dispatch(h->p, -1, on_packet, (u_char *)h);
                if (n >= 0)
                        return 0;
        }
        snprintf(why, sizeof why, "%s",
                 n == PCAP_ERROR_BREAK ? "read interrupted" : sym_pcap_geterr(h->p));
        pcap_tap_failed(t, why);
        return 0;
}

static void handle_close(struct pcap_handle *h) {
        h->io = evsrc_disable_unref(h->io);
        if (h->p)
                sym_pcap_close(h->p);
        h->p = NULL;
}

static int attach(struct pcap_handle *h, struct sock_filter *code, int n) {
        struct sock_fprog prog = {.len = (unsigned short)n, .filter = code};
        return setsockopt(sym_pcap_fileno(h->p), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) <
                               0
                       ? -errno
                       : 0;
}

/* Attach the sampling filter without taking what came before it for samples. libpcap binds the
 * socket to every protocol only once its ring exists, so each packet the socket took since
 * sym_pcap_activate() is a frame in the ring, unfiltered. A filter that drops everything stops
 * that; the kernel's count of the frames it put in the ring (PACKET_STATISTICS, read and reset
 * under the lock the ring is written with) is then the number of frames at the head of the
 * ring that on_packet() discards; then the sampling filter. The order of the ring does the
 * work, not timestamps, so a step of the real-time clock changes nothing. libpcap hands every
 * frame to on_packet() on the links we sample (it leaves out only loopback's and CAN's copies
 * of sent packets). The read resets the kernel's counters: sym_pcap_stats() counts drops from then
 * on. (A packet that another CPU is putting in the ring at the very moment the first filter is
 * attached passed no filter and may be counted after the read: at most one per CPU, once per
 * opening.) */
static int attach_filter(struct pcap_handle *h, struct sock_filter *code, int n, char *why,
                         size_t whylen) {
        struct sock_filter none[PCAP_BPF_MAX];
        struct tpacket_stats_v3 st = {0};
        socklen_t len = sizeof st;
        int r = attach(h, none, pcap_bpf_drop_all(none, PCAP_BPF_MAX));
        if (r < 0) {
                snprintf(why, whylen, "cannot attach the drop-all filter: %s", strerror(-r));
                return r;
        }
        if (getsockopt(sym_pcap_fileno(h->p), SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) {
                r = -errno;
                snprintf(why, whylen, "cannot read the socket's statistics: %s", strerror(-r));
                return r;
        }
        h->skip = pcap_frames_queued(st.tp_packets, st.tp_drops);
        r = attach(h, code, n);
        if (r < 0) {
                snprintf(why, whylen, "cannot attach the sampling filter: %s", strerror(-r));
                return r;
        }
        return 0;
}

size_t pcap_ring_bytes(uint32_t rate, uint64_t speed, uint32_t snap) {
        if (!speed)
                speed = PCAP_DEFAULT_SPEED;
        /* the most samples a second: minimum-size frames at line rate (84 bytes on the wire) */
        uint64_t samples = speed / (84 * 8) / (rate ? rate : 1);
        uint64_t per_block = PCAP_BLOCK_BYTES / (snap + PCAP_FRAME_OVERHEAD);
        uint64_t filled = samples * PCAP_FILL_MS / 1000; /* while one block is handed over */
        uint64_t blocks = 1 + (filled + per_block - 1) / per_block;
        if (blocks < PCAP_BLOCKS_MIN)
                blocks = PCAP_BLOCKS_MIN;
        if (blocks > PCAP_BLOCKS_MAX)
                blocks = PCAP_BLOCKS_MAX;
        return (size_t)blocks * PCAP_BLOCK_BYTES;
}

int pcap_timeout_ms(uint32_t rate) {
        return rate > PCAP_SPARSE_RATE ? PCAP_TIMEOUT_SPARSE_MS : PCAP_TIMEOUT_DENSE_MS;
}

static int handle_open(struct pcap_tap *t, struct pcap_handle *h, char *why, size_t whylen) {
        char err[PCAP_ERRBUF_SIZE] = "";
        struct sock_filter code[PCAP_BPF_MAX];
        int r;

        h->tap = t;
        h->drops = 0;
        h->skip = 0;
        struct hsp_link_info li;
        uint64_t speed = hsp_link_get(t->m, t->ifindex, &li) ? li.speed : 0;
        h->p = sym_pcap_create(t->name, err);
        if (!h->p) {
                snprintf(why, whylen, "%s", err);
                return -ENODEV;
        }
        /* TPACKET_V3 ring, handed over in blocks (not one wake-up per packet) */
        if (sym_pcap_set_snaplen(h->p, (int)t->snap) < 0 ||
            sym_pcap_set_promisc(h->p, t->promisc) < 0 ||
            sym_pcap_set_timeout(h->p, pcap_timeout_ms(t->rate)) < 0 ||
            sym_pcap_set_immediate_mode(h->p, 0) < 0 ||
            sym_pcap_set_buffer_size(h->p, (int)pcap_ring_bytes(t->rate, speed, t->snap)) < 0) {
                snprintf(why, whylen, "cannot set capture options: %s", sym_pcap_geterr(h->p));
                return -EINVAL;
        }
        (void)sym_pcap_set_tstamp_precision(h->p, PCAP_TSTAMP_PRECISION_NANO);
        r = sym_pcap_activate(h->p);
        if (r < 0) {
                const char *detail = sym_pcap_geterr(h->p);
                snprintf(why, whylen, "%s%s%s", sym_pcap_statustostr(r), detail[0] ? ": " : "",
                         detail);
                return r == PCAP_ERROR_PERM_DENIED      ? -EPERM
                       : r == PCAP_ERROR_NO_SUCH_DEVICE ? -ENODEV
                                                        : -EIO;
        }
        if (r > 0)
                log_warning("pcap: %s: %s", t->name, sym_pcap_geterr(h->p));
        if (sym_pcap_get_tstamp_precision(h->p) != PCAP_TSTAMP_PRECISION_NANO) {
                snprintf(why, whylen, "no nanosecond timestamps");
                return -EOPNOTSUPP;
        }
        t->dlt = sym_pcap_datalink(h->p);
        if (t->dlt != DLT_EN10MB && t->dlt != DLT_RAW && t->dlt != DLT_IPV4 && t->dlt != DLT_IPV6 &&
            t->dlt != DLT_LINUX_SLL) {
                snprintf(why, whylen, "link type %s is not supported",
                         sym_pcap_datalink_val_to_name(t->dlt) ?: "unknown");
                return -EOPNOTSUPP;
        }

        /* libpcap's filter compiler cannot express the random number: attach our own */
        int n = pcap_bpf_build(t->rate, h->outgoing, t->snap, code, PCAP_BPF_MAX);
        if (n < 0) {
                snprintf(why, whylen, "cannot build the sampling filter");
                return n;
        }
        r = attach_filter(h, code, n, why, whylen);
        if (r < 0)
                return r;
        if (sym_pcap_setnonblock(h->p, 1, err) < 0) {
                snprintf(why, whylen, "cannot set non-blocking mode: %s", err);
                return -EIO;
        }
        int fd = sym_pcap_get_selectable_fd(h->p);
        if (fd < 0) {
                snprintf(why, whylen, "no selectable descriptor");
                return -EIO;
        }
        r = evloop_add_io(t->m->loop, &h->io, fd, EPOLLIN, on_io, h);
        if (r < 0) {
                snprintf(why, whylen, "cannot watch the descriptor: %s", strerror(-r));
                return r;
        }
        (void)evsrc_set_description(h->io, h->outgoing ? "pcap-out" : "pcap-in");
        return 0;
}

int pcap_tap_open(struct pcap_tap *t, char *why, size_t whylen) {
        t->h[0].outgoing = false;
        t->h[1].outgoing = true;
        for (int i = 0; i < 2; i++) {
                int r = handle_open(t, &t->h[i], why, whylen);
                if (r < 0) {
                        pcap_tap_close(t);
                        return r;
                }
        }
        return 0;
}

void pcap_tap_close(struct pcap_tap *t) {
        for (int i = 0; i < 2; i++)
                handle_close(&t->h[i]);
}

bool pcap_tap_is_open(const struct pcap_tap *t) {
        return t->h[0].p && t->h[1].p;
}
