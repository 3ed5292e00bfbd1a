/* udpsend.c - the traffic of the kernel VM test (built static at test time): send COUNT UDP
 * packets of SIZE bytes to ADDR:PORT, each "HSVM" TAG SEQ(4 bytes) padded with '.', or (with
 * "sink") bind ADDR:PORT and read what comes, so nothing answers and nothing is dropped. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "sink") == 0) {
                int s = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
                inet_pton(AF_INET, argv[2], &a.sin_addr);
                setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                if (bind(s, (struct sockaddr *)&a, sizeof a) < 0)
                        return 1;
                char b[2048];
                for (;;)
                        if (recv(s, b, sizeof b, 0) < 0)
                                return 1;
        }
        if (argc != 6)
                return 2;
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
        inet_pton(AF_INET, argv[1], &a.sin_addr);
        long count = atol(argv[3]), size = atol(argv[4]);
        char buf[2048];
        if (size < 9 || size > (long)sizeof buf)
                return 2;
        for (long i = 0; i < count; i++) {
                memset(buf, '.', (size_t)size);
                memcpy(buf, "HSVM", 4);
                buf[4] = argv[5][0];
                uint32_t seq = htonl((uint32_t)i);
                memcpy(buf + 5, &seq, 4);
                if (sendto(s, buf, (size_t)size, 0, (struct sockaddr *)&a, sizeof a) < 0)
                        perror("sendto");
                if (i % 50 == 49) {
                        struct timespec ts = {0, 2000000};
                        nanosleep(&ts, NULL);
                }
        }
        return 0;
}
