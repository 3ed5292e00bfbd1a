/* fuzz_psample.c - libFuzzer harness: a datagram from the psample socket, walked as the module
 * does, each message parsed and its header record chosen for an Ethernet and an L3 device. */
#include <linux/if_arp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/msg.h>

#include "modules/psample-route.h"
#include "modules/psample.h"

static unsigned sum;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *buf = malloc(size ? size : 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        int left = (int)size;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, left);
             h = nlmsg_next(h, &left)) {
                struct psample_pkt p;
                if (psample_parse(h, 0x1d, &p) != 0)
                        continue;
                static const unsigned types[] = {ARPHRD_ETHER, ARPHRD_NONE};
                for (int i = 0; i < 2; i++) {
                        uint32_t proto, frame, stripped, hlen;
                        if (!psample_header(&p, types[i], 128, &proto, &frame, &stripped, &hlen))
                                continue;
                        uint8_t dst[16];
                        sum += (unsigned)psample_route_dst(proto, p.data, hlen, dst) + frame;
                        if (hlen)
                                sum += p.data[hlen - 1];
                }
                sum += psample_sat32(p.occ) + p.rate + p.seq;
        }
        free(buf);
        return 0;
}
