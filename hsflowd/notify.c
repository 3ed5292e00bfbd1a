/* notify.c - the service manager's notification protocol, one datagram per state change. */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int notify_send(const char *state) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !path[0])
                return 0;
        if (!state)
                return -EINVAL;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t n = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || n < 2 || n > sizeof sa.sun_path)
                return -EAFNOSUPPORT;
        memcpy(sa.sun_path, path, n);
        socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
        if (path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract: the name is the bytes that follow */
        else if (n == sizeof sa.sun_path)
                return -EAFNOSUPPORT; /* no room for the terminating NUL */
        else
                len++;

        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct iovec iov = {.iov_base = (void *)state, .iov_len = strlen(state)};
        struct msghdr mh = {.msg_name = &sa, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
        int r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
        close(fd);
        return r;
}

int notify_sendf(const char *format, ...) {
        if (!getenv("NOTIFY_SOCKET"))
                return 0;
        char *s;
        va_list ap;
        va_start(ap, format);
        int n = vasprintf(&s, format, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        int r = notify_send(s);
        free(s);
        return r;
}
