/* netns.c - run a function inside another network namespace, then come back. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

int netns_run(int nsfd, int selffd, netns_fn fn, void *userdata) {
        if (nsfd < 0)
                return -EBADF;
        int own = -1;
        if (selffd < 0) {
                own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (own < 0)
                        return log_error_errno(-errno, "Cannot open our own network "
                                                       "namespace: %m");
                selffd = own;
        }
        if (setns(nsfd, CLONE_NEWNET) < 0) {
                int e = -errno;
                if (own >= 0)
                        close(own);
                return e;
        }
        int r = fn(userdata);
        if (setns(selffd, CLONE_NEWNET) < 0) {
                /* Every socket, route and lookup from now on would be in the other namespace. */
                log_error_errno(-errno, "Cannot return to our own network namespace (%m): "
                                        "exiting");
                exit(EXIT_FAILURE);
        }
        if (own >= 0)
                close(own);
        return r;
}

int netns_run_named(const char *name, netns_fn fn, void *userdata) {
        char path[300];
        if (snprintf(path, sizeof path, "/run/netns/%s", name) >= (int)sizeof path)
                return -ENAMETOOLONG;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = netns_run(fd, -1, fn, userdata);
        close(fd);
        return r;
}
