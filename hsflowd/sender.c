/* sender.c - one UDP socket per collector: resolution, device/namespace binding, reachability. */
#include "sender.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"
#include "resolve.h"

#define RESOLVE_RETRY_FIRST_USEC (1ULL * 1000000ULL) /* doubled after each failure */
#define RESOLVE_RETRY_USEC (30ULL * 1000000ULL)      /* up to this */
#define UP_AFTER_QUIET_USEC (10ULL * 1000000ULL)     /* no error for this long: reachable again */
/* A send that fails may fail for an error the network reported about an earlier datagram (an
 * ICMP port unreachable queued on the socket): that error is consumed by the failed send and the
 * datagram was not transmitted, so it is sent again. A new report can arrive between two
 * attempts when several datagrams are in flight; a local cause (no route) fails every attempt. */
#define SEND_ATTEMPTS 3

enum sender_state { SENDER_RESOLVING, SENDER_UNRESOLVED, SENDER_UP, SENDER_DOWN };

struct sender {
        struct evloop *loop;
        char *ip, *dev, *namespace;
        unsigned port;
        char name[300];
        enum sender_state state;
        int fd;
        struct evsrc *io, *retry;
        struct resolve_req *query;
        uint64_t last_error_usec, retry_usec;
        int loss_errno; /* why the last datagram was not sent; 0 when it was */
        struct sender_stats stats;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static bool streq_null(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool sender_matches(const struct sender *s, const struct hsp_collector_conf *c) {
        return strcmp(s->ip, c->ip) == 0 && s->port == c->udpport && streq_null(s->dev, c->dev) &&
               streq_null(s->namespace, c->namespace);
}

const char *sender_name(const struct sender *s) {
        return s->name;
}

static void set_state(struct sender *s, enum sender_state st, int error) {
        if (s->state == st)
                return;
        enum sender_state was = s->state;
        s->state = st;
        switch (st) {
        case SENDER_UP:
                if (was == SENDER_DOWN)
                        log_notice("Collector %s: reachable again", s->name);
                else if (was == SENDER_UNRESOLVED)
                        log_notice("Collector %s: resolved, sending", s->name);
                break;
        case SENDER_DOWN:
                log_warning_errno(error, "Collector %s: unreachable (%m); still sending", s->name);
                break;
        case SENDER_UNRESOLVED:
                log_warning("Collector %s: name does not resolve; retrying (every %llus at most)",
                            s->name, (unsigned long long)(RESOLVE_RETRY_USEC / 1000000));
                break;
        case SENDER_RESOLVING:
                break;
        }
}

static int open_udp(void *userdata) {
        int fd = socket(*(const int *)userdata, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        return fd < 0 ? -errno : fd;
}

/* Create the socket in the collector's network namespace, if one is configured. */
static int socket_in_namespace(const char *ns, int family) {
        if (!ns)
                return open_udp(&family);
        return netns_run_named(ns, open_udp, &family);
}

/* ICMP errors arrive as socket errors: read them as soon as they are queued. */
static int on_socket_event(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct sender *s = userdata;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err) {
                s->stats.reported++;
                s->last_error_usec = now_usec();
                set_state(s, SENDER_DOWN, err);
        }
        if (revents & EPOLLIN) {
                char drain[64];
                while (recv(fd, drain, sizeof drain, MSG_DONTWAIT) >= 0)
                        ;
        }
        return 0;
}

static int open_socket(struct sender *s, const struct sockaddr *sa, socklen_t salen) {
        int fd = socket_in_namespace(s->namespace, sa->sa_family);
        if (fd < 0)
                return log_error_errno(fd, "Collector %s: cannot open socket%s%s: %m", s->name,
                                       s->namespace ? " in namespace " : "",
                                       s->namespace ? s->namespace : "");
        if (s->dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->dev,
                                 (socklen_t)strlen(s->dev) + 1) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "Collector %s: cannot bind to device %s: %m", s->name,
                                       s->dev);
        }
        /* Connected, so that ICMP unreachable is reported back on this socket (and only
         * datagrams from the collector are accepted); see SEND_ATTEMPTS for what that costs. */
        if (connect(fd, sa, salen) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "Collector %s: cannot connect: %m", s->name);
        }
        int r = evloop_add_io(s->loop, &s->io, fd, EPOLLIN, on_socket_event, s);
        if (r < 0) {
                close(fd);
                return log_error_errno(r, "Collector %s: cannot watch socket: %m", s->name);
        }
        s->fd = fd;
        s->retry_usec = 0;
        set_state(s, SENDER_UP, 0);
        return 0;
}

static int start_resolve(struct sender *s);

static int on_retry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct sender *s = userdata;
        s->retry = evsrc_unref(s->retry);
        start_resolve(s);
        return 0;
}

/* Retry after 1 s, 2 s, 4 s... up to RESOLVE_RETRY_USEC. */
static void schedule_retry(struct sender *s) {
        uint64_t now;
        evloop_now(s->loop, CLOCK_MONOTONIC, &now);
        s->retry = evsrc_unref(s->retry);
        s->retry_usec = s->retry_usec ? s->retry_usec * 2 : RESOLVE_RETRY_FIRST_USEC;
        if (s->retry_usec > RESOLVE_RETRY_USEC)
                s->retry_usec = RESOLVE_RETRY_USEC;
        int r = evloop_add_time(s->loop, &s->retry, CLOCK_MONOTONIC, now + s->retry_usec, 0,
                                on_retry, s);
        if (r < 0)
                log_error_errno(r, "Collector %s: cannot schedule a retry: %m", s->name);
}

static void on_resolved(int error, const struct sockaddr *sa, socklen_t len, void *userdata) {
        struct sender *s = userdata;
        s->query = NULL; /* completed: the request is gone */
        if (error != 0) {
                if (s->state != SENDER_UNRESOLVED)
                        log_debug("Collector %s: %s", s->name, gai_strerror(error));
                set_state(s, SENDER_UNRESOLVED, 0);
                schedule_retry(s);
                return;
        }
        if (open_socket(s, sa, len) < 0)
                schedule_retry(s);
}

static int start_resolve(struct sender *s) {
        resolve_cancel(s->query);
        s->query = NULL;
        int r = resolve_start(s->loop, s->ip, s->port, on_resolved, s, &s->query);
        if (r < 0) {
                schedule_retry(s);
                return log_error_errno(r, "Collector %s: cannot resolve: %m", s->name);
        }
        return 0;
}

int sender_new(struct evloop *loop, const struct hsp_collector_conf *c, struct sender **ret) {
        struct sender *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->loop = evloop_ref(loop);
        s->fd = -1;
        s->port = c->udpport;
        s->state = SENDER_RESOLVING;
        s->ip = strdup(c->ip);
        s->dev = strdup_or_null(c->dev);
        s->namespace = strdup_or_null(c->namespace);
        if (!s->ip || (c->dev && !s->dev) || (c->namespace && !s->namespace)) {
                sender_free(s);
                return -ENOMEM;
        }
        bool v6 = strchr(c->ip, ':') != NULL;
        snprintf(s->name, sizeof s->name, "%s%s%s:%u%s%s%s%s", v6 ? "[" : "", c->ip, v6 ? "]" : "",
                 c->udpport, c->dev ? " dev " : "", c->dev ? c->dev : "",
                 c->namespace ? " namespace " : "", c->namespace ? c->namespace : "");

        struct sockaddr_storage ss = {0};
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, c->ip, &sin->sin_addr) == 1) {
                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t)c->udpport);
                open_socket(s, (struct sockaddr *)sin, sizeof *sin);
        } else if (inet_pton(AF_INET6, c->ip, &sin6->sin6_addr) == 1) {
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t)c->udpport);
                open_socket(s, (struct sockaddr *)sin6, sizeof *sin6);
        } else {
                start_resolve(s);
        }
        /* A socket that failed to open is retried like a name that did not resolve. */
        if (s->fd < 0 && !s->query && !s->retry)
                schedule_retry(s);
        *ret = s;
        return 0;
}

static void note_lost(struct sender *s, int e) {
        s->stats.lost++;
        if (s->loss_errno == e)
                return;
        s->loss_errno = e;
        if (e != ENOTCONN) /* no socket yet: the reason (name, socket) was logged already */
                log_warning_errno(e, "Collector %s: datagrams not sent (%m); counting them as lost",
                                  s->name);
}

/* Datagrams handed to the kernel in one call at most (sendmmsg). */
#define SEND_BATCH 16

size_t sender_send(struct sender *s, const struct iovec *dgrams, size_t n) {
        if (s->fd < 0) {
                for (size_t i = 0; i < n; i++)
                        note_lost(s, ENOTCONN);
                return 0;
        }
        struct mmsghdr m[SEND_BATCH];
        size_t done = 0, sent = 0; /* done: sent or lost */
        int e = 0, first = 0, failed = 0, attempts = 0;
        while (done < n) {
                size_t k = n - done < SEND_BATCH ? n - done : SEND_BATCH;
                for (size_t i = 0; i < k; i++)
                        m[i] = (struct mmsghdr){
                                .msg_hdr = {.msg_iov = (struct iovec *)&dgrams[done + i],
                                            .msg_iovlen = 1}};
                int r = sendmmsg(s->fd, m, (unsigned)k, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (r > 0) { /* an error on the next one, if any, comes at the next call */
                        done += (size_t)r;
                        sent += (size_t)r;
                        /* each failed attempt before was about an earlier datagram */
                        s->stats.reported += (uint64_t)attempts;
                        attempts = 0;
                        e = 0;
                        continue;
                }
                e = r == 0 ? EAGAIN : errno;
                s->last_error_usec = now_usec();
                if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS)
                        break; /* the socket or the device queue is full: nothing to retry now */
                if (!failed++)
                        first = e;
                if (++attempts == SEND_ATTEMPTS) { /* a local cause (no route): lost */
                        note_lost(s, e);
                        done++;
                        attempts = 0;
                }
                e = 0;
        }
        if (failed)
                set_state(s, SENDER_DOWN, first);
        for (size_t i = done; i < n; i++) /* what the kernel could not take now */
                note_lost(s, e);
        s->stats.sent += (uint64_t)sent;
        if (sent && done == n && s->loss_errno) {
                log_notice("Collector %s: sending again (%llu datagrams lost so far)", s->name,
                           (unsigned long long)s->stats.lost);
                s->loss_errno = 0;
        }
        if (s->state == SENDER_DOWN && now_usec() - s->last_error_usec > UP_AFTER_QUIET_USEC)
                set_state(s, SENDER_UP, 0);
        return sent;
}

const struct sender_stats *sender_stats(const struct sender *s) {
        return &s->stats;
}

void sender_free(struct sender *s) {
        if (!s)
                return;
        evsrc_disable_unref(s->io);
        evsrc_disable_unref(s->retry);
        resolve_cancel(s->query);
        if (s->fd >= 0)
                close(s->fd);
        evloop_unref(s->loop);
        free(s->ip);
        free(s->dev);
        free(s->namespace);
        free(s);
}
