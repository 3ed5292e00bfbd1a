/* testutil.h - small helpers shared by the unit tests: running the loop, loopback addresses. */
#pragma once

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "evloop.h"

static inline uint64_t test_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Run the loop for usec, whatever it does meanwhile. */
static inline void test_run_loop(struct evloop *e, uint64_t usec) {
        uint64_t end = test_now_usec() + usec;
        for (uint64_t now; (now = test_now_usec()) < end;)
                evloop_run(e, end - now);
}

/* The loopback address of family (port 0) in ss; returns its length. */
static inline socklen_t test_loopback(int family, struct sockaddr_storage *ss) {
        memset(ss, 0, sizeof *ss);
        if (family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *)ss;
                a->sin_family = AF_INET;
                a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                return sizeof *a;
        }
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        return sizeof *a;
}
