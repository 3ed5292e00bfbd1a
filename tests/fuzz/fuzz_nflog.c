/* fuzz_nflog.c - libFuzzer harness: a datagram from the NFLOG socket, walked as the module
 * does (nlmsg_ok/nlmsg_next), each message parsed and its header record built. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/msg.h>

#include "modules/nflog.h"

static unsigned sum;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* the socket buffer is aligned: copy to a buffer of the exact size */
        uint8_t *buf = malloc(size ? size : 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        int left = (int)size;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, left);
             h = nlmsg_next(h, &left)) {
                struct nflog_pkt p;
                if (nflog_parse(h, &p) != 0)
                        continue;
                uint8_t hdr[256];
                uint32_t proto, frame, stripped;
                int n = nflog_header(&p, (uint32_t)(size & 0x1ff), hdr, sizeof hdr, &proto, &frame,
                                     &stripped);
                if (n > 0)
                        sum += hdr[n - 1] + frame + p.seq + p.indev;
        }
        free(buf);
        return 0;
}
