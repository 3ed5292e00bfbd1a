/* forward.c - sflowcat -f host/port: connected UDP sockets, each datagram sent on unchanged. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward.h"

int forward_add(struct forwarder *f, const char *spec) {
        struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
        struct addrinfo *res = NULL, *ai;
        char host[256];
        const char *slash = strrchr(spec, '/');
        int r, fd = -1;

        if (f->n >= FORWARD_MAX) {
                fprintf(stderr, "sflowcat: -f %s: at most %d targets\n", spec, FORWARD_MAX);
                return -E2BIG;
        }
        if (!slash || slash == spec || !slash[1] || (size_t)(slash - spec) >= sizeof(host)) {
                fprintf(stderr, "sflowcat: -f %s: expected host/port\n", spec);
                return -EINVAL;
        }
        memcpy(host, spec, (size_t)(slash - spec));
        host[slash - spec] = '\0';
        {
                char *end;
                unsigned long port = strtoul(slash + 1, &end, 10);

                if (*end || port == 0 || port > 65535) {
                        fprintf(stderr, "sflowcat: -f %s: invalid port\n", spec);
                        return -EINVAL;
                }
        }
        r = getaddrinfo(host, slash + 1, &hints, &res);
        if (r != 0) {
                fprintf(stderr, "sflowcat: -f %s: %s\n", spec, gai_strerror(r));
                return -EHOSTUNREACH;
        }
        for (ai = res; ai; ai = ai->ai_next) {
                fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
                if (fd < 0)
                        continue;
                if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
                        break;
                close(fd);
                fd = -1;
        }
        freeaddrinfo(res);
        if (fd < 0) {
                fprintf(stderr, "sflowcat: -f %s: %s\n", spec, strerror(errno));
                return -errno;
        }
        f->t[f->n].fd = fd;
        f->t[f->n].spec = spec;
        f->n++;
        return 0;
}

void forward_datagram(void *user, const uint8_t *buf, size_t len) {
        static int last_errno[FORWARD_MAX];
        struct forwarder *f = user;

        for (unsigned i = 0; i < f->n; i++) {
                ssize_t n = send(f->t[i].fd, buf, len, MSG_DONTWAIT);
                int e = n == (ssize_t)len ? 0 : n < 0 ? errno : EMSGSIZE;

                if (e != last_errno[i]) {
                        if (e)
                                fprintf(stderr, "sflowcat: forwarding to %s: %s\n", f->t[i].spec,
                                        strerror(e));
                        else
                                fprintf(stderr, "sflowcat: forwarding to %s works again\n",
                                        f->t[i].spec);
                        last_errno[i] = e;
                }
        }
}

void forward_close(struct forwarder *f) {
        for (unsigned i = 0; i < f->n; i++)
                close(f->t[i].fd);
        f->n = 0;
}
