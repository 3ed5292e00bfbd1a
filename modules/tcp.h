/* tcp.h - the tcp module's parts: sampled-header parsing, inet_diag lookups, namespaces. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "sflow/sflow.h"

struct nl_sock;
struct nl_msg;

/* The addresses and ports of a sampled TCP packet, as they appear in the packet. */
struct hsp_tcp_tuple {
        uint8_t family;           /* AF_INET or AF_INET6 */
        uint8_t src[16], dst[16]; /* network byte order; IPv4 in the first 4 bytes */
        uint16_t sport, dport;    /* host byte order */
};

/* ---- tcp-parse.c: pure, no logging ---- */

/* Find the TCP 4-tuple of a sampled header (protocol SFLOW_HEADER_ETHERNET with up to two
 * 802.1Q/802.1ad tags, SFLOW_HEADER_IPV4 or SFLOW_HEADER_IPV6), reading no byte at or beyond
 * hdr + len. IPv4 options and IPv6 extension headers are skipped. Returns 0 and fills ret, or
 * -ENOMSG (not TCP: another protocol or ethertype, a non-first fragment, ESP), -EBADMSG (cut
 * before the TCP ports, or malformed), -EPROTONOSUPPORT (header protocol not understood). */
int hsp_tcp_parse_header(uint32_t protocol, const uint8_t *hdr, size_t len,
                         struct hsp_tcp_tuple *ret);

/* The inet_diag request for the socket that sent (sent) or received (!sent) the packet t: the
 * socket's source is the packet's source when sent, its destination when received. ifindex is
 * the interface for sockets bound to one (0: any). Established sockets, with INET_DIAG_INFO. */
void hsp_tcp_diag_request(const struct hsp_tcp_tuple *t, bool sent, uint32_t ifindex,
                          struct inet_diag_req_v2 *ret);

/* The record fields of a kernel struct tcp_info of len bytes (shorter ones from older kernels
 * are zero-filled, longer ones cut); direction is left 0. retrans is tcpi_total_retrans. */
void hsp_tcp_info_convert(const void *data, size_t len, struct sflow_flow_tcp_info *ret);

/* ---- tcp-cache.c: recent answers, direct-mapped by request ---- */

#define HSP_TCP_CACHE_SIZE 256

struct hsp_tcp_cached {
        bool used;
        bool found;  /* false: no such socket anywhere we looked */
        bool peer;   /* found in the interface's peer namespace (direction reversed) */
        uint64_t at; /* when answered (CLOCK_MONOTONIC usec) */
        struct inet_diag_req_v2 key; /* the request in our own namespace */
        struct sflow_flow_tcp_info info;
};

struct hsp_tcp_cache {
        struct hsp_tcp_cached e[HSP_TCP_CACHE_SIZE];
};

/* The answer to key if one came less than ttl ago, else NULL. */
const struct hsp_tcp_cached *hsp_tcp_cache_get(const struct hsp_tcp_cache *c,
                                               const struct inet_diag_req_v2 *key, uint64_t now,
                                               uint64_t ttl);
/* Remember an answer (replacing whatever shared its slot). */
void hsp_tcp_cache_put(struct hsp_tcp_cache *c, const struct inet_diag_req_v2 *key, uint64_t now,
                       bool found, bool peer, const struct sflow_flow_tcp_info *info);

/* ---- tcp-diag.c: the NETLINK_SOCK_DIAG socket of one network namespace ---- */

struct hsp_tcp_diag {
        struct nl_sock *sk;
        struct nl_msg *req; /* one request message, rewritten for each lookup */
        int fd;
};

/* Open a non-blocking diag socket in the namespace nsfd refers to (-1: our own; selffd is an
 * fd of our own namespace to return to). 0 or negative errno; d is untouched on failure. */
int hsp_tcp_diag_open(struct hsp_tcp_diag *d, int nsfd, int selffd);
void hsp_tcp_diag_close(struct hsp_tcp_diag *d);
/* Send a request with sequence number seq. 0 or negative errno (-EAGAIN: socket full). */
int hsp_tcp_diag_send(struct hsp_tcp_diag *d, const struct inet_diag_req_v2 *req, uint32_t seq);

/* What one reply said: the socket's tcp_info (r == 0; direction left 0), or why not (r < 0:
 * -ENOENT no such socket, another errno from the kernel, -ENODATA a socket without tcp_info,
 * -EBADMSG a malformed reply). */
typedef void (*hsp_tcp_reply_fn)(uint32_t seq, int r, const struct sflow_flow_tcp_info *info,
                                 void *userdata);

/* Parse a datagram of netlink messages (len bytes) from the diag socket: fn once per reply
 * message (SOCK_DIAG_BY_FAMILY or an NLMSG_ERROR that is not an ack). Unknown attributes and
 * message types are skipped; a tcp_info shorter than today's is zero-filled. Returns the number
 * of replies, or -EBADMSG when the datagram ends in the middle of a message (replies before it
 * were reported). */
int hsp_tcp_diag_parse(const void *buf, size_t len, hsp_tcp_reply_fn fn, void *userdata);

/* Read every datagram waiting on the socket and parse it (at most max datagrams). Returns the
 * number of replies, or negative errno other than -EAGAIN. */
int hsp_tcp_diag_receive(struct hsp_tcp_diag *d, unsigned max, hsp_tcp_reply_fn fn, void *userdata);

/* ---- tcp-netns.c: network namespaces by id ---- */

/* The netns id (as seen from our namespace) of the namespace fd refers to, through an
 * RTM_GETNSID request on rt (a connected NETLINK_ROUTE socket): 0 and *ret_id (-1 when that
 * namespace has no id here), or negative errno. */
int hsp_tcp_netns_id(struct nl_sock *rt, int fd, int *ret_id);

/* The search for namespaces by id, made a few entries at a time so that the loop never waits
 * for it: the entries of /run/netns/, then each process's /proc/PID/ns/net, each namespace
 * (device and inode) asked its id once per pass, our own never. */
#define HSP_NETNS_DIRS 2
#define HSP_NETNS_MAX_SEEN 4096 /* namespaces asked per pass (each one RTM_GETNSID) */

struct hsp_netns_scan_ops {
        /* The netns id of the namespace fd refers to (-1: it has none here): 0 or negative. */
        int (*id_of)(void *userdata, int fd, int *ret_id);
        /* Is the namespace with this id searched for? */
        bool (*wanted)(void *userdata, int id);
        /* A wanted namespace: fd (O_CLOEXEC) now belongs to the callee. */
        void (*found)(void *userdata, int id, int fd);
        /* Is anything searched for any more? (NULL: always.) A pass ends early when not. */
        bool (*more)(void *userdata);
};

struct hsp_netns_scan {
        const char *dirs[HSP_NETNS_DIRS]; /* "/run/netns", "/proc" (tests: their own) */
        const char *self;                 /* "/proc/self/ns/net": never the one */
        struct hsp_netns_scan_ops ops;
        void *userdata;
        /* the pass under way */
        bool running;
        unsigned place; /* index in dirs */
        DIR *dir;
        size_t n_seen;
        struct {
                dev_t dev;
                ino_t ino;
        } seen[HSP_NETNS_MAX_SEEN];
        /* totals */
        unsigned long passes, asked;
};

void hsp_netns_scan_init(struct hsp_netns_scan *s, const struct hsp_netns_scan_ops *ops,
                         void *userdata);
/* Go on with the pass (a new one when none is under way), looking at up to budget directory
 * entries. Returns 1 when the pass is over (every entry seen, or nothing searched for any
 * more), 0 when it is not. */
int hsp_netns_scan_step(struct hsp_netns_scan *s, unsigned budget);
bool hsp_netns_scan_running(const struct hsp_netns_scan *s);
/* Abandon the pass under way (closing its directory). */
void hsp_netns_scan_reset(struct hsp_netns_scan *s);
