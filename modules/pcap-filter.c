/* pcap-filter.c - the classic socket filter that samples 1-in-N packets of one direction. */
#include <errno.h>
#include <linux/if_packet.h>

#include "pcap.h"

/*
 * The kernel runs this on every packet the AF_PACKET socket sees, before anything is copied:
 *
 *   ldh  [SKF_AD_OFF + SKF_AD_PKTTYPE]      packet type
 *   jeq  #PACKET_OUTGOING  (keep the handle's direction, else drop)
 *   ld   [SKF_AD_OFF + SKF_AD_RANDOM]       (rate > 1) the kernel's 32-bit random number
 *   mod  #rate
 *   jeq  #0, accept, drop
 *   accept: ret #snap                        copy snap bytes of the packet
 *   drop:   ret #0
 */
int pcap_bpf_build(uint32_t rate, bool outgoing, uint32_t snap, struct sock_filter *out, size_t n) {
        struct sock_filter f[PCAP_BPF_MAX];
        size_t i = 0;

        if (rate == 0 || snap == 0)
                return -EINVAL;
        /* the jump from the type test goes to "drop", the last instruction */
        uint8_t to_drop = rate > 1 ? 4 : 1;
        f[i++] =
                (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE);
        f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING,
                                              outgoing ? 0 : to_drop, outgoing ? to_drop : 0);
        if (rate > 1) {
                f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                      SKF_AD_OFF + SKF_AD_RANDOM);
                f[i++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, rate);
                f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
        }
        f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, snap);
        f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
        if (i > n)
                return -ENOBUFS;
        for (size_t k = 0; k < i; k++)
                out[k] = f[k];
        return (int)i;
}

int pcap_bpf_drop_all(struct sock_filter *out, size_t n) {
        if (n < 1)
                return -ENOBUFS;
        out[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
        return 1;
}

uint32_t pcap_frames_queued(uint32_t tp_packets, uint32_t tp_drops) {
        return tp_packets > tp_drops ? tp_packets - tp_drops : 0;
}
