/* address.c - choosing the agent address: configured, by device, by CIDR, or by ranking. */
#include "address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
        unsigned bytes = bits / 8, rem = bits % 8;
        if (memcmp(a, b, bytes) != 0)
                return false;
        if (rem == 0)
                return true;
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        return (a[bytes] & mask) == (b[bytes] & mask);
}

bool address_in_cidr(int family, const uint8_t *addr, const struct hsp_cidr *c) {
        return c->family == family && prefix_match(addr, c->addr, c->prefix);
}

static bool in4(const uint8_t *a, uint8_t b0, uint8_t b1, unsigned bits) {
        const uint8_t net[4] = {b0, b1, 0, 0};
        return prefix_match(a, net, bits);
}

enum address_rank address_rank(int family, const uint8_t *a) {
        if (family == AF_INET) {
                if (in4(a, 0, 0, 8) || a[0] >= 224)
                        return RANK_UNUSABLE;
                if (in4(a, 127, 0, 8))
                        return RANK_LOOPBACK;
                if (in4(a, 169, 254, 16))
                        return RANK_LINKLOCAL;
                if (in4(a, 10, 0, 8) || in4(a, 172, 16, 12) || in4(a, 192, 168, 16) ||
                    in4(a, 100, 64, 10))
                        return RANK_PRIVATE4;
                return RANK_GLOBAL4;
        }
        if (family != AF_INET6)
                return RANK_UNUSABLE;
        static const uint8_t loop6[16] = {[15] = 1}, any6[16] = {0};
        if (memcmp(a, loop6, 16) == 0)
                return RANK_LOOPBACK;
        if (memcmp(a, any6, 16) == 0 || a[0] == 0xff)
                return RANK_UNUSABLE;
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return RANK_LINKLOCAL;
        if ((a[0] & 0xfe) == 0xfc)
                return RANK_ULA6;
        /* IPv4-mapped ::ffff:0:0/96 is not an interface address; rank it as unusable. */
        static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
        if (memcmp(a, mapped, 12) == 0)
                return RANK_UNUSABLE;
        return RANK_GLOBAL6;
}

const char *address_rank_name(enum address_rank r) {
        static const char *const names[] = {
                [RANK_GLOBAL4] = "global IPv4",  [RANK_PRIVATE4] = "private IPv4",
                [RANK_GLOBAL6] = "global IPv6",  [RANK_ULA6] = "unique-local IPv6",
                [RANK_LINKLOCAL] = "link-local", [RANK_LOOPBACK] = "loopback",
                [RANK_UNUSABLE] = "unusable",
        };
        return r <= RANK_UNUSABLE ? names[r] : "?";
}

/* Index of the agent.cidr rule deciding for this address: -1 excluded, n_cidrs when no rule
 * matched (eligible only if there are no include rules). */
static long cidr_decision(const struct address_candidate *c, const struct hsp_cidr *cidrs,
                          size_t n_cidrs, bool *eligible) {
        bool have_include = false;
        for (size_t i = 0; i < n_cidrs; i++) {
                if (!cidrs[i].exclude)
                        have_include = true;
                if (address_in_cidr(c->family, c->addr, &cidrs[i])) {
                        *eligible = !cidrs[i].exclude;
                        return (long)i;
                }
        }
        *eligible = !have_include;
        return (long)n_cidrs;
}

/* Negative when a is the better choice. */
static int compare(const struct address_candidate *a, long ra, const struct address_candidate *b,
                   long rb) {
        if (ra != rb)
                return ra < rb ? -1 : 1;
        int fa = address_rank(a->family, a->addr), fb = address_rank(b->family, b->addr);
        if (fa != fb)
                return fa < fb ? -1 : 1;
        if (a->up != b->up)
                return a->up ? -1 : 1;
        if (a->family != b->family) /* equal rank (link-local, loopback): IPv4 first */
                return a->family == AF_INET ? -1 : 1;
        if (a->ifindex != b->ifindex)
                return a->ifindex < b->ifindex ? -1 : 1;
        size_t len = a->family == AF_INET ? 4 : 16;
        return memcmp(a->addr, b->addr, len);
}

int address_select(const struct address_candidate *c, size_t n, const char *agent_dev,
                   const struct hsp_cidr *cidrs, size_t n_cidrs, struct sflow_address *ret,
                   char *reason, size_t reason_len) {
        const struct address_candidate *best = NULL;
        long best_rule = 0;

        for (size_t i = 0; i < n; i++) {
                if (agent_dev && strcmp(c[i].ifname, agent_dev) != 0)
                        continue;
                if (address_rank(c[i].family, c[i].addr) == RANK_UNUSABLE)
                        continue;
                bool eligible;
                long rule = cidr_decision(&c[i], cidrs, n_cidrs, &eligible);
                if (!eligible)
                        continue;
                if (!best || compare(&c[i], rule, best, best_rule) < 0) {
                        best = &c[i];
                        best_rule = rule;
                }
        }
        if (!best) {
                snprintf(reason, reason_len, "no usable address%s%s%s",
                         agent_dev ? " on device " : "", agent_dev ? agent_dev : "",
                         n_cidrs ? " matching agent.cidr" : "");
                return -ENOENT;
        }

        memset(ret, 0, sizeof *ret);
        ret->type = best->family == AF_INET ? 1 : 2;
        memcpy(ret->addr, best->addr, best->family == AF_INET ? 4 : 16);

        char text[INET6_ADDRSTRLEN];
        inet_ntop(best->family, best->addr, text, sizeof text);
        const char *rank = address_rank_name(address_rank(best->family, best->addr));
        if (agent_dev)
                snprintf(reason, reason_len, "best %s address of agent device %s", rank, agent_dev);
        else if (best_rule < (long)n_cidrs)
                snprintf(reason, reason_len, "%s address of %s matching agent.cidr rule %ld", rank,
                         best->ifname, best_rule + 1);
        else
                snprintf(reason, reason_len, "%s address of %s (%s%s)", rank, best->ifname,
                         "ranking: global IPv4 > private IPv4 > global IPv6 > ULA > link-local"
                         " > loopback",
                         best->up ? "" : "; interface down");
        return 0;
}

int address_candidates(struct address_candidate **ret) {
        struct ifaddrs *ifa_list;
        if (getifaddrs(&ifa_list) < 0)
                return -errno;
        size_t n = 0, cap = 0;
        struct address_candidate *v = NULL;
        for (struct ifaddrs *ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
                if (!ifa->ifa_addr ||
                    (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6))
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        struct address_candidate *nv = realloc(v, cap * sizeof *v);
                        if (!nv) {
                                free(v);
                                freeifaddrs(ifa_list);
                                return -ENOMEM;
                        }
                        v = nv;
                }
                struct address_candidate *c = &v[n++];
                memset(c, 0, sizeof *c);
                snprintf(c->ifname, sizeof c->ifname, "%s", ifa->ifa_name);
                c->ifindex = if_nametoindex(ifa->ifa_name);
                c->up = (ifa->ifa_flags & IFF_UP) && (ifa->ifa_flags & IFF_RUNNING);
                c->loopback = ifa->ifa_flags & IFF_LOOPBACK;
                c->family = ifa->ifa_addr->sa_family;
                if (c->family == AF_INET)
                        memcpy(c->addr, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, 4);
                else
                        memcpy(c->addr, &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, 16);
        }
        freeifaddrs(ifa_list);
        *ret = v;
        return (int)n;
}

int address_parse(const char *s, struct sflow_address *ret) {
        struct sflow_address a = {0};
        if (inet_pton(AF_INET, s, a.addr) == 1)
                a.type = 1;
        else if (inet_pton(AF_INET6, s, a.addr) == 1)
                a.type = 2;
        else
                return -EINVAL;
        *ret = a;
        return 0;
}

int address_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct sflow_address *ret) {
        struct sflow_address a = {0};
        if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
                a.type = 1;
                memcpy(a.addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        } else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
                a.type = 2;
                memcpy(a.addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        } else
                return -EAFNOSUPPORT;
        *ret = a;
        return 0;
}

int address_choose(const struct hsp_config *config, const struct sflow_address *agent_ip_answer,
                   struct sflow_address *ret, char *reason, size_t reason_len) {
        char text[INET6_ADDRSTRLEN], why[200];
        if (config->agent_ip && address_parse(config->agent_ip, ret) == 0) {
                snprintf(reason, reason_len, "agentIP=%s in the configuration", config->agent_ip);
                return 0;
        }
        if (config->agent_ip && agent_ip_answer) {
                *ret = *agent_ip_answer;
                snprintf(reason, reason_len, "agentIP=%s in the configuration (resolves to %s)",
                         config->agent_ip, address_format(agent_ip_answer, text, sizeof text));
                return 0;
        }
        struct address_candidate *c = NULL;
        int r = address_candidates(&c);
        if (r < 0)
                snprintf(why, sizeof why, "cannot list interface addresses: %s", strerror(-r));
        else {
                r = address_select(c, (size_t)r, config->agent_dev, config->agent_cidrs,
                                   config->n_agent_cidrs, ret, why, sizeof why);
                free(c);
        }
        if (config->agent_ip) /* a name not resolved yet: chosen as if it were not there */
                snprintf(reason, reason_len, "agentIP %s not resolved yet; until it is: %s",
                         config->agent_ip, why);
        else
                snprintf(reason, reason_len, "%s", why);
        return r;
}

const char *address_format(const struct sflow_address *a, char *buf, size_t len) {
        if (a->type == 1 || a->type == 2)
                inet_ntop(a->type == 1 ? AF_INET : AF_INET6, a->addr, buf, (socklen_t)len);
        else
                snprintf(buf, len, "(none)");
        return buf;
}
