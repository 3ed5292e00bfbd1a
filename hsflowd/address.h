/* address.h - choosing the agent address: configured, by device, by CIDR, or by ranking. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "sflow/sflow.h"

/* One address of one interface, as getifaddrs() reports it. */
struct address_candidate {
        char ifname[32];
        unsigned ifindex;
        bool up, loopback;
        int family; /* AF_INET or AF_INET6 */
        uint8_t addr[16];
};

/* Ranks, best first: the automatic choice prefers the lowest rank. */
enum address_rank {
        RANK_GLOBAL4 = 0, /* IPv4 outside the private, shared and special ranges */
        RANK_PRIVATE4,    /* 10/8, 172.16/12, 192.168/16, 100.64/10 */
        RANK_GLOBAL6,     /* global unicast IPv6 */
        RANK_ULA6,        /* fc00::/7 */
        RANK_LINKLOCAL,   /* 169.254/16, fe80::/10 */
        RANK_LOOPBACK,    /* 127/8, ::1 */
        RANK_UNUSABLE,    /* unspecified, multicast: never chosen */
};

enum address_rank address_rank(int family, const uint8_t *addr);
const char *address_rank_name(enum address_rank r);
bool address_in_cidr(int family, const uint8_t *addr, const struct hsp_cidr *c);

/* Pick the agent address among candidates following the configuration (agentIP is handled by
 * the caller since it may be any address): agent=<dev> restricts to that device, agent.cidr
 * rules (first matching rule wins; '!' excludes; when include rules exist an address must match
 * one, and earlier rules are preferred), then the ranking, then up before down, then IPv4
 * before IPv6, then the lowest
 * ifindex, then the lowest address. Returns 0 with ret and a sentence in reason, or -ENOENT. */
int address_select(const struct address_candidate *c, size_t n, const char *agent_dev,
                   const struct hsp_cidr *cidrs, size_t n_cidrs, struct sflow_address *ret,
                   char *reason, size_t reason_len);

/* Gather the host's addresses (getifaddrs). Returns the count or negative errno; *ret is
 * heap memory to free(). */
int address_candidates(struct address_candidate **ret);

/* An address written as IPv4 or IPv6 text: 0, or -EINVAL (a name, or nothing valid). */
int address_parse(const char *s, struct sflow_address *ret);
/* The address of an AF_INET or AF_INET6 socket address: 0, or -EAFNOSUPPORT. */
int address_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct sflow_address *ret);

/* The whole choice for a configuration, never blocking: agentIP as an address; agentIP as a
 * name with agent_ip_answer, its last answer (address-lookup.h); else (no agentIP, or a name
 * without an answer yet, which reason says) address_select() on this host's addresses. */
int address_choose(const struct hsp_config *config, const struct sflow_address *agent_ip_answer,
                   struct sflow_address *ret, char *reason, size_t reason_len);

/* Format an sflow_address as text. */
const char *address_format(const struct sflow_address *a, char *buf, size_t len);
