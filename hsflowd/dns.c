/* dns.c - a c-ares channel driven by the agent's evloop: c-ares tells which sockets to watch,
 * the loop watches them and the channel's next timeout. */
#include "dns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cares-dl.h"
#include "log.h"

#define DNS_TIMEOUT_MS 2000
#define DNS_TRIES 2
#define DNS_MAX_SOCKETS 16

struct dns_socket {
        int fd;
        struct evsrc *io;
};

struct dns {
        struct evloop *loop;
        ares_channel channel;
        struct evsrc *timer;
        struct dns_socket socks[DNS_MAX_SOCKETS];
};

struct dns_call {
        struct dns *d;
        dns_answer_fn answer;
        dns_addr_fn addr;
        void *userdata;
};

static void arm_timer(struct dns *d) {
        struct timeval tv, *t = sym_ares_timeout(d->channel, NULL, &tv);
        if (!t) {
                evsrc_set_enabled(d->timer, EVSRC_OFF);
                return;
        }
        uint64_t now;
        evloop_now(d->loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(d->timer, now + (uint64_t)t->tv_sec * 1000000ULL + (uint64_t)t->tv_usec);
        evsrc_set_enabled(d->timer, EVSRC_ONESHOT);
}

static int on_timer(struct evsrc *es, uint64_t usec, void *userdata) {
        struct dns *d = userdata;
        sym_ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        arm_timer(d);
        return 0;
}

static int on_io(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct dns *d = userdata;
        sym_ares_process_fd(d->channel,
                            revents & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
                            revents & EPOLLOUT ? fd : ARES_SOCKET_BAD);
        arm_timer(d);
        return 0;
}

/* c-ares opens, closes and changes interest in its sockets through this. */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable) {
        struct dns *d = data;
        struct dns_socket *s = NULL, *free_slot = NULL;
        for (int i = 0; i < DNS_MAX_SOCKETS; i++) {
                if (d->socks[i].io && d->socks[i].fd == fd)
                        s = &d->socks[i];
                else if (!d->socks[i].io && !free_slot)
                        free_slot = &d->socks[i];
        }
        if (!readable && !writable) {
                if (s)
                        s->io = evsrc_disable_unref(s->io);
                return;
        }
        uint32_t events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
        if (s) {
                evsrc_set_io_events(s->io, events);
                return;
        }
        if (!free_slot || evloop_add_io(d->loop, &free_slot->io, fd, events, on_io, d) < 0) {
                log_error("DNS: cannot watch a resolver socket: queries on it time out");
                return;
        }
        free_slot->fd = fd;
}

int dns_new(struct evloop *loop, struct dns **ret) {
        int r = cares_dl_load();
        if (r < 0)
                return r;
        struct dns *d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        struct ares_options o = {0};
        o.sock_state_cb = on_sock_state;
        o.sock_state_cb_data = d;
        o.timeout = DNS_TIMEOUT_MS;
        o.tries = DNS_TRIES;
        int st = sym_ares_init_options(
                &d->channel, &o, ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
        if (st != ARES_SUCCESS) {
                free(d);
                return log_error_errno(-EIO, "DNS: cannot set up the resolver: %s",
                                       sym_ares_strerror(st));
        }
        r = evloop_add_time(loop, &d->timer, CLOCK_MONOTONIC, 0, 1000, on_timer, d);
        if (r < 0) {
                sym_ares_destroy(d->channel);
                free(d);
                return log_error_errno(r, "DNS: cannot arm a timer: %m");
        }
        evsrc_set_enabled(d->timer, EVSRC_OFF);
        d->loop = evloop_ref(loop);
        *ret = d;
        return 0;
}

void dns_free(struct dns *d) {
        if (!d)
                return;
        sym_ares_destroy(d->channel); /* calls what is pending with ARES_EDESTRUCTION */
        for (int i = 0; i < DNS_MAX_SOCKETS; i++)
                d->socks[i].io = evsrc_disable_unref(d->socks[i].io);
        evsrc_disable_unref(d->timer);
        evloop_unref(d->loop);
        free(d);
}

struct evloop *dns_loop(const struct dns *d) {
        return d->loop;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
        struct dns_call *c = arg;
        c->answer(c->userdata, status, abuf, alen);
        free(c);
}

void dns_query(struct dns *d, const char *name, int type, bool search, dns_answer_fn cb,
               void *userdata) {
        struct dns_call *c = calloc(1, sizeof *c);
        if (!c) {
                cb(userdata, ARES_ENOMEM, NULL, 0);
                return;
        }
        *c = (struct dns_call){.d = d, .answer = cb, .userdata = userdata};
        if (search)
                sym_ares_search(d->channel, name, 1 /* IN */, type, on_answer, c);
        else
                sym_ares_query(d->channel, name, 1 /* IN */, type, on_answer, c);
        arm_timer(d);
}

static void on_addr(void *arg, int status, int timeouts, struct ares_addrinfo *res) {
        struct dns_call *c = arg;
        c->addr(c->userdata, status, res);
        free(c);
}

void dns_getaddrinfo(struct dns *d, const char *host, unsigned port, int socktype, dns_addr_fn cb,
                     void *userdata) {
        struct dns_call *c = calloc(1, sizeof *c);
        char service[8];
        if (!c) {
                cb(userdata, ARES_ENOMEM, NULL);
                return;
        }
        *c = (struct dns_call){.d = d, .addr = cb, .userdata = userdata};
        snprintf(service, sizeof service, "%u", port);
        struct ares_addrinfo_hints hints = {
                .ai_flags = ARES_AI_NUMERICSERV, .ai_family = AF_UNSPEC, .ai_socktype = socktype};
        /* c-ares refuses the service "0" (ARES_ESERVICE): port 0 asks for the address alone */
        sym_ares_getaddrinfo(d->channel, host, port ? service : NULL, &hints, on_addr, c);
        arm_timer(d);
}
