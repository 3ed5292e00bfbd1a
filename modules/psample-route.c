/* psample-route.c - route lookups (RTM_GETROUTE) for the output port of ingress samples, with a
 * small cache emptied whenever routes or addresses change. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "log.h"
#include "psample-route.h"

#define CACHE_SLOTS 1024

struct slot {
        uint64_t generation;
        uint8_t family;
        uint8_t dst[16];
        uint32_t out;
};

struct psample_route {
        struct nl_sock *query, *events;
        struct evsrc *io;
        uint64_t generation; /* bumped by every event: the cache is empty again */
        uint64_t lookups, failures;
        struct slot cache[CACHE_SLOTS];
};

int psample_route_dst(uint32_t protocol, const uint8_t *d, uint32_t len, uint8_t dst[16]) {
        uint32_t off = 0;
        if (protocol == SFLOW_HEADER_ETHERNET) {
                if (len < 14)
                        return 0;
                uint16_t type = (uint16_t)(d[12] << 8 | d[13]);
                off = 14;
                if ((type == 0x8100 || type == 0x88a8) && len >= 18) {
                        type = (uint16_t)(d[16] << 8 | d[17]);
                        off = 18;
                }
                if (type != 0x0800 && type != 0x86dd)
                        return 0;
        } else if (protocol != SFLOW_HEADER_IPV4 && protocol != SFLOW_HEADER_IPV6)
                return 0;
        if (len <= off)
                return 0;
        uint8_t v = d[off] >> 4;
        if (v == 4 && len >= off + 20) {
                memcpy(dst, d + off + 16, 4);
                return AF_INET;
        }
        if (v == 6 && len >= off + 40) {
                memcpy(dst, d + off + 24, 16);
                return AF_INET6;
        }
        return 0;
}

static int on_events(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct psample_route *r = userdata;
        char buf[8192];
        while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0 || errno == ENOBUFS)
                ;
        r->generation++;
        return 0;
}

struct answer {
        uint32_t out;
        bool done;
};

static int on_reply(struct nl_msg *msg, void *arg) {
        struct answer *a = arg;
        struct nlmsghdr *h = nlmsg_hdr(msg);
        struct nlattr *tb[RTA_MAX + 1];
        if (h->nlmsg_type != RTM_NEWROUTE ||
            nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
                return NL_SKIP;
        const struct rtmsg *rtm = nlmsg_data(h);
        if (rtm->rtm_type == RTN_LOCAL || rtm->rtm_type == RTN_BROADCAST)
                a->out = SFLOW_IF_INTERNAL;
        else if (rtm->rtm_type == RTN_UNICAST && tb[RTA_OIF] && nla_len(tb[RTA_OIF]) == 4)
                a->out = nla_get_u32(tb[RTA_OIF]);
        a->done = true;
        return NL_OK;
}

static uint32_t ask(struct psample_route *r, int family, const uint8_t *dst) {
        struct rtmsg rtm = {.rtm_family = (uint8_t)family,
                            .rtm_dst_len = family == AF_INET ? 32 : 128};
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
        struct answer a = {0};
        if (!msg)
                return 0;
        if (nlmsg_append(msg, &rtm, sizeof rtm, NLMSG_ALIGNTO) < 0 ||
            nla_put(msg, RTA_DST, family == AF_INET ? 4 : 16, dst) < 0) {
                nlmsg_free(msg);
                return 0;
        }
        r->lookups++;
        int e = nl_send_auto(r->query, msg);
        nlmsg_free(msg);
        if (e >= 0) {
                nl_socket_modify_cb(r->query, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &a);
                e = nl_recvmsgs_default(r->query);
        }
        if (e < 0 || !a.done)
                r->failures++; /* no route (unreachable): unknown */
        return a.out;
}

uint32_t psample_route_output(struct psample_route *r, uint32_t protocol, const uint8_t *data,
                              uint32_t len, uint32_t iif) {
        (void)iif; /* an output lookup: the input port does not change it here */
        uint8_t dst[16] = {0};
        int family = psample_route_dst(protocol, data, len, dst);
        if (!family)
                return 0;
        uint32_t h = 2166136261u;
        for (int i = 0; i < 16; i++)
                h = (h ^ dst[i]) * 16777619u;
        struct slot *s = &r->cache[h % CACHE_SLOTS];
        if (s->generation == r->generation + 1 && s->family == family &&
            memcmp(s->dst, dst, 16) == 0)
                return s->out;
        uint32_t out = ask(r, family, dst);
        *s = (struct slot){.generation = r->generation + 1, .family = (uint8_t)family, .out = out};
        memcpy(s->dst, dst, 16);
        return out;
}

int psample_route_new(struct hsp_mod *m, struct psample_route **ret) {
        struct psample_route *r = calloc(1, sizeof *r);
        int e;
        if (!r)
                return -ENOMEM;
        if (!(r->query = nl_socket_alloc()) || !(r->events = nl_socket_alloc())) {
                psample_route_free(r);
                return -ENOMEM;
        }
        nl_socket_disable_seq_check(r->events);
        /* one answer per question: no ACK left behind to be read as the next answer */
        nl_socket_disable_auto_ack(r->query);
        if (nl_connect(r->query, NETLINK_ROUTE) < 0 || nl_connect(r->events, NETLINK_ROUTE) < 0 ||
            nl_socket_add_memberships(r->events, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
                                      RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_LINK,
                                      0) < 0) {
                psample_route_free(r);
                return -EIO;
        }
        (void)nl_socket_set_nonblocking(r->events);
        e = evloop_add_io(m->loop, &r->io, nl_socket_get_fd(r->events), EPOLLIN, on_events, r);
        if (e < 0) {
                psample_route_free(r);
                return e;
        }
        *ret = r;
        return 0;
}

void psample_route_free(struct psample_route *r) {
        if (!r)
                return;
        r->io = evsrc_disable_unref(r->io);
        if (r->query)
                nl_socket_free(r->query);
        if (r->events)
                nl_socket_free(r->events);
        free(r);
}
