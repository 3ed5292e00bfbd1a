/* ksample-sock.h - the netlink socket of a kernel sampling channel (nflog, psample, dropmon):
 * opened with libnl, read from the event loop, reopened by a retry timer, and the parts of
 * the samples they all build. */
#pragma once

#include <netlink/socket.h>
#include <stdbool.h>
#include <stdint.h>

#include "evloop.h"
#include "module.h"

#define KSAMPLE_RETRY_USEC (15 * 1000000ULL) /* a socket that cannot be opened is tried again */

struct ksample_sock {
        /* set by the module before ksample_sock_init() */
        struct hsp_mod *m;
        char name[48];    /* what the log lines begin with: "psample", "nflog: group 3" */
        const char *lost; /* what an overrun loses, for the log line */
        int rcvbuf;       /* receive buffer, bytes */
        int reads;        /* reads per wakeup at most */
        bool reopen;      /* a failed read closes the socket and retries */
        void (*on_msg)(void *userdata, const struct nlmsghdr *h); /* each message read */
        void (*open)(void *userdata); /* called by the retry timer while closed */
        void *userdata;
        /* kept by ksample-sock.c */
        struct nl_sock *sk;
        int family; /* genetlink family id (ksample_genl_open) */
        struct evsrc *io, *retry;
        uint64_t overruns;
        bool overrun_logged, absent_logged;
};

/* Add the retry timer (off). Returns 0 or negative errno (logged). */
int ksample_sock_init(struct ksample_sock *ks);
/* Allocate and connect ks->sk to protocol (NETLINK_*), sequence checks off, receive buffer
 * of ks->rcvbuf bytes (forced when privileged). Returns 0 or a libnl error (closed). */
int ksample_sock_connect(struct ksample_sock *ks, int protocol);
/* Make the socket non-blocking and watch it from the loop. 0 or negative errno (closed). */
int ksample_sock_watch(struct ksample_sock *ks);
/* Close the socket (the retry timer stays). */
void ksample_sock_close(struct ksample_sock *ks);
/* Try ks->open again in KSAMPLE_RETRY_USEC. */
void ksample_sock_retry(struct ksample_sock *ks);
/* Close the socket and drop the retry timer. */
void ksample_sock_free(struct ksample_sock *ks);

/* Open ks on the multicast group of a genetlink family (kmod: the kernel module providing it,
 * for the log). 0 when listening; -EAGAIN when the family or the group is not there (logged
 * once, retry armed); other negative errno when it failed (logged). */
int ksample_genl_open(struct ksample_sock *ks, const char *family, const char *group,
                      const char *kmod);

/* Begin sample s (tag SFLOW_SAMPLE_FLOW_EXPANDED or SFLOW_SAMPLE_DISCARDS) from data source
 * ifIndex ds_index, with no records; rate, pool and drops are the caller's. */
void ksample_sample_init(struct sflow_sample *s, uint32_t tag, uint32_t ds_index, uint32_t input,
                         uint32_t output);
/* Add a timestamp record (when has_ts); add the sampled header record, false when the sample
 * is full. */
void ksample_add_timestamp(struct sflow_sample *s, bool has_ts, uint64_t ns);
bool ksample_add_header(struct sflow_sample *s, uint32_t protocol, uint32_t frame_length,
                        uint32_t stripped, uint32_t len, const uint8_t *bytes);
