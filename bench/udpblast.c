/* udpblast.c - a paced UDP load for the benchmarks: sends PPS packets a second of SIZE bytes of
 * payload for SECONDS, in batches of sendmmsg() every millisecond; or sinks them.
 *   udpblast send DST_IPV4 PORT PPS SECONDS SIZE   -> prints "sent N"
 *   udpblast sink PORT SECONDS                     (bound, never read: the kernel drops them) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 1024

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int sink(int port, int seconds) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
                perror("udpblast sink");
                return 1;
        }
        int small = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        sleep((unsigned)seconds);
        return 0;
}

static int send_load(const char *dst, int port, long pps, int seconds, int size) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (fd < 0 || inet_pton(AF_INET, dst, &a.sin_addr) != 1 ||
            connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
                perror("udpblast send");
                return 1;
        }
        static char payload[1500];
        memset(payload, 'x', sizeof payload);
        if (size < 1 || size > (int)sizeof payload)
                size = 18;
        static struct iovec iov[MAX_BATCH];
        static struct mmsghdr msgs[MAX_BATCH];
        for (int i = 0; i < MAX_BATCH; i++) {
                iov[i] = (struct iovec){payload, (size_t)size};
                msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
        }
        uint64_t start = now_ns(), end = start + (uint64_t)seconds * 1000000000ULL;
        uint64_t sent = 0;
        for (;;) {
                uint64_t t = now_ns();
                if (t >= end)
                        break;
                /* what should have gone by now, in batches of at most MAX_BATCH */
                uint64_t due = (uint64_t)((double)(t - start) * (double)pps / 1e9);
                while (sent < due) {
                        unsigned n = due - sent > MAX_BATCH ? MAX_BATCH : (unsigned)(due - sent);
                        int r = sendmmsg(fd, msgs, n, 0);
                        if (r < 0) {
                                if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
                                        continue;
                                perror("sendmmsg");
                                return 1;
                        }
                        sent += (uint64_t)r;
                }
                struct timespec ms = {0, 1000000};
                nanosleep(&ms, NULL);
        }
        printf("sent %llu\n", (unsigned long long)sent);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 7 && strcmp(argv[1], "send") == 0)
                return send_load(argv[2], atoi(argv[3]), atol(argv[4]), atoi(argv[5]),
                                 atoi(argv[6]));
        if (argc == 4 && strcmp(argv[1], "sink") == 0)
                return sink(atoi(argv[2]), atoi(argv[3]));
        fprintf(stderr,
                "usage: udpblast send DST PORT PPS SECONDS SIZE | udpblast sink PORT SECONDS\n");
        return 2;
}
