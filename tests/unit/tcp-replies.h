/* tcp-replies.h - what the tcp unit tests collect from hsp_tcp_diag_parse/receive callbacks. */
#pragma once

#include <stdint.h>

#include "modules/tcp.h"

struct replies {
        unsigned n;
        uint32_t seq[8];
        int r[8];
        struct sflow_flow_tcp_info info[8];
};

static void collect(uint32_t seq, int r, const struct sflow_flow_tcp_info *info, void *ud) {
        struct replies *rs = ud;
        assert_true(rs->n < 8);
        assert_true((r == 0) == (info != NULL));
        rs->seq[rs->n] = seq;
        rs->r[rs->n] = r;
        if (info)
                rs->info[rs->n] = *info;
        rs->n++;
}
