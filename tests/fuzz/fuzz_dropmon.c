/* fuzz_dropmon.c - libFuzzer harness: a datagram from the NET_DM socket, walked as the module
 * does, each message parsed and classified. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/msg.h>

#include "modules/dropmon.h"
#include "sflow/sflow.h"

static unsigned sum;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *buf = malloc(size ? size : 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        int left = (int)size;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; nlmsg_ok(h, left);
             h = nlmsg_next(h, &left)) {
                struct dropmon_pkt p;
                if (dropmon_parse(h, 0x22, &p) != 0)
                        continue;
                int c = dropmon_reason(&p);
                const char *n = c >= 0 ? sflow_drop_reason_name((uint32_t)c) : NULL;
                sum += (unsigned)c + (n ? (unsigned)strlen(n) : 0) + p.in_ifindex;
                if (p.symbol)
                        sum += (unsigned)strlen(p.symbol);
                if (p.payload_len)
                        sum += p.payload[p.payload_len - 1];
        }
        free(buf);
        return 0;
}
