/* ksample.c - sequence gaps, sub-sampling and message checks shared by the kernel sampling
 * channels. */
#include <errno.h>
#include <linux/genetlink.h>
#include <netlink/msg.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ksample.h"
#include "sflow/sflow.h"

uint32_t ksample_seq_next(struct ksample_seq *s, uint32_t seq) {
        uint32_t gap = 0;
        if (s->have) {
                uint32_t d = seq - s->last; /* modulo 2^32: wraps cleanly */
                if (d == 0 || d > 0x7fffffffu)
                        d = 1; /* repeat or behind: a restart, not a loss */
                gap = d - 1;
        }
        s->have = true;
        s->last = seq;
        s->lost += gap;
        return gap;
}

uint32_t ksample_sub_factor(uint32_t kernel_rate, uint32_t wanted) {
        if (kernel_rate == 0)
                kernel_rate = 1;
        if (wanted <= kernel_rate)
                return 1;
        return (wanted + kernel_rate - 1) / kernel_rate; /* the next rate at or above wanted */
}

void ksample_sub_init(struct ksample_sub *s, uint32_t n, uint64_t seed) {
        s->n = n ? n : 1;
        /* P(keep) = threshold / 2^32 = 1/n, within 2^-32 */
        s->threshold =
                (uint32_t)((UINT64_C(1) << 32) / s->n > UINT32_MAX ? UINT32_MAX
                                                                   : (UINT64_C(1) << 32) / s->n);
        s->state = seed;
}

static uint64_t splitmix64(uint64_t *x) {
        uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

bool ksample_sub_keep(struct ksample_sub *s) {
        if (s->n <= 1)
                return true;
        return (uint32_t)(splitmix64(&s->state) >> 32) < s->threshold;
}

uint64_t ksample_seed(void) {
        uint64_t v;
        if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
                return v;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *ksample_str(const struct nlattr *a) {
        if (!a)
                return NULL;
        const char *s = nla_data(a);
        int n = nla_len(a);
        return n > 0 && memchr(s, '\0', (size_t)n) ? s : NULL;
}

static int int_size(uint16_t type) {
        switch (type) {
        case NLA_U8:
                return 1;
        case NLA_U16:
                return 2;
        case NLA_U32:
                return 4;
        case NLA_U64:
                return 8;
        default:
                return -1;
        }
}

int ksample_attrs_check(struct nlattr **tb, int maxtype, const struct nla_policy *policy,
                        unsigned checks) {
        for (int i = 0; i <= maxtype; i++) {
                if (!tb[i])
                        continue;
                int size = int_size(policy[i].type);
                if ((checks & KSAMPLE_CHECK_EXACT) && size > 0 && nla_len(tb[i]) != size)
                        return -EBADMSG;
                if ((checks & KSAMPLE_CHECK_STRZ) && policy[i].type == NLA_STRING &&
                    !ksample_str(tb[i]))
                        return -EBADMSG;
        }
        return 0;
}

int ksample_msg_parse(const struct ksample_msg *spec, const struct nlmsghdr *nlh, int type,
                      struct nlattr **tb) {
        struct nlmsghdr *h = (struct nlmsghdr *)nlh; /* libnl takes it non-const */
        if (nlh->nlmsg_len < NLMSG_HDRLEN)
                return -EBADMSG;
        if (nlh->nlmsg_type != type)
                return -ENOMSG;
        if (!nlmsg_valid_hdr(h, spec->hdrlen))
                return -EBADMSG;
        if (spec->cmd >= 0 && ((const struct genlmsghdr *)nlmsg_data(h))->cmd != spec->cmd)
                return -ENOMSG;
        if (nlmsg_parse(h, spec->hdrlen, tb, spec->maxtype, spec->policy) < 0)
                return -EBADMSG;
        for (const int *a = spec->required; a && *a; a++)
                if (!tb[*a])
                        return -EBADMSG;
        return ksample_attrs_check(tb, spec->maxtype, spec->policy, spec->checks);
}

uint32_t ksample_header_len(uint32_t len, uint32_t header_bytes) {
        if (len > header_bytes)
                len = header_bytes;
        return len > SFLOW_MAX_HEADER ? SFLOW_MAX_HEADER : len;
}
