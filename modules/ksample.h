/* ksample.h - what the kernel sampling channels (nflog, psample, dropmon) share, pure parts:
 * sequence gaps counted as drops, unbiased sub-sampling in user space, and the checks of their
 * netlink messages around libnl's attribute parser. The socket side is in ksample-sock.h. */
#pragma once

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <stdbool.h>
#include <stdint.h>

/* Ethernet frames are reported with the 4-byte FCS counted in the frame length and as
 * stripped, as the reference agent does. */
#define KSAMPLE_FCS_BYTES 4

/* Gaps in a kernel sequence number (u32, wrapping): the messages the kernel numbered but we
 * never received. */
struct ksample_seq {
        bool have;     /* a first number was seen */
        uint32_t last; /* the last number seen */
        uint64_t lost; /* cumulative */
};

/* Account for sequence number seq. Returns how many numbers were skipped before it (0 for the
 * first one, a repeat, or a number behind the last: a restarted or reordered feed). */
uint32_t ksample_seq_next(struct ksample_seq *s, uint32_t seq);

/* Sub-sampling: keep one in n of the kernel's samples, chosen at random. */
struct ksample_sub {
        uint32_t n;         /* 1: keep every one */
        uint32_t threshold; /* keep when a 32-bit random value is below it */
        uint64_t state;     /* generator state (splitmix64) */
};

/* The factor to apply on top of a kernel rate so that the result is at least wanted (0: none
 * wanted, factor 1). */
uint32_t ksample_sub_factor(uint32_t kernel_rate, uint32_t wanted);
void ksample_sub_init(struct ksample_sub *s, uint32_t n, uint64_t seed);
bool ksample_sub_keep(struct ksample_sub *s);
/* A seed from the kernel's random source (getrandom), or the clock when that fails. */
uint64_t ksample_seed(void);

/* One kind of kernel message: its family header and its attributes. */
struct ksample_msg {
        int hdrlen; /* the family header after the nlmsghdr (GENL_HDRLEN, struct nfgenmsg) */
        int cmd;    /* genetlink: the genlmsghdr command wanted; -1: none */
        int maxtype;
        const struct nla_policy *policy; /* maxtype + 1 entries, for nlmsg_parse() */
        const int *required; /* attributes that must be present, 0-terminated (or NULL) */
        unsigned checks;     /* KSAMPLE_CHECK_*, see ksample_attrs_check() */
};

/* libnl's NLA_U8..NLA_U64 policies check a minimum length: require the exact size */
#define KSAMPLE_CHECK_EXACT 1u
/* libnl's NLA_STRING does not check the NUL: require one inside the attribute */
#define KSAMPLE_CHECK_STRZ 2u

/* Check message nlh against spec and parse its attributes into tb (maxtype + 1 entries) with
 * nlmsg_parse(). Returns 0, -ENOMSG for another message (not of type, or not of the command),
 * -EBADMSG when malformed (truncated, an attribute against the policy or the checks, a
 * required attribute missing). */
int ksample_msg_parse(const struct ksample_msg *spec, const struct nlmsghdr *nlh, int type,
                      struct nlattr **tb);
/* The checks (KSAMPLE_CHECK_*) over parsed attributes tb against policy: 0 or -EBADMSG. */
int ksample_attrs_check(struct nlattr **tb, int maxtype, const struct nla_policy *policy,
                        unsigned checks);
/* A string attribute NUL-terminated inside itself, NULL when it is not (or absent). */
const char *ksample_str(const struct nlattr *a);

/* How many of a packet's len bytes go into a sampled header: at most header_bytes and at most
 * SFLOW_MAX_HEADER. */
uint32_t ksample_header_len(uint32_t len, uint32_t header_bytes);
