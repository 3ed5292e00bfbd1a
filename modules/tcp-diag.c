/* tcp-diag.c - inet_diag lookups of single TCP sockets over NETLINK_SOCK_DIAG (libnl). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "netns.h"
#include "tcp.h"

#define TCP_LISTEN_STATE 10
#define RECV_BUF_BYTES 8192

/* Create and connect the socket; called in the target namespace. */
static int diag_connect(void *userdata) {
        struct nl_sock **ret = userdata;
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        if (nl_connect(sk, NETLINK_SOCK_DIAG) < 0) {
                int e = errno ? -errno : -EIO;
                nl_socket_free(sk);
                return e;
        }
        *ret = sk;
        return 0;
}

int hsp_tcp_diag_open(struct hsp_tcp_diag *d, int nsfd, int selffd) {
        struct nl_sock *sk = NULL;
        int r;
        if (nsfd < 0)
                r = diag_connect(&sk);
        else if (selffd < 0)
                return -EBADF; /* no way back */
        else
                r = netns_run(nsfd, selffd, diag_connect, &sk); /* exits if it cannot return */
        if (r < 0)
                return r;
        /* requests are matched to replies by our own sequence numbers; no acks */
        nl_socket_disable_seq_check(sk);
        nl_socket_disable_auto_ack(sk);
        int fd = nl_socket_get_fd(sk);
        if (nl_socket_set_nonblocking(sk) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                nl_socket_free(sk);
                return -EIO;
        }
        struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST);
        struct inet_diag_req_v2 zero = {0};
        if (!msg || nlmsg_append(msg, &zero, sizeof zero, NLMSG_ALIGNTO) < 0) {
                nlmsg_free(msg);
                nl_socket_free(sk);
                return -ENOMEM;
        }
        d->sk = sk;
        d->req = msg;
        d->fd = fd;
        return 0;
}

void hsp_tcp_diag_close(struct hsp_tcp_diag *d) {
        if (d->req)
                nlmsg_free(d->req);
        if (d->sk)
                nl_socket_free(d->sk); /* closes the fd */
        d->req = NULL;
        d->sk = NULL;
        d->fd = -1;
}

int hsp_tcp_diag_send(struct hsp_tcp_diag *d, const struct inet_diag_req_v2 *req, uint32_t seq) {
        struct nlmsghdr *nlh = nlmsg_hdr(d->req);
        memcpy(nlmsg_data(nlh), req, sizeof *req);
        nlh->nlmsg_seq = seq ? seq : 1; /* 0 would make libnl pick one */
        int r = nl_send_auto(d->sk, d->req);
        if (r >= 0)
                return 0;
        return r == -NLE_AGAIN ? -EAGAIN : r == -NLE_NOMEM ? -ENOBUFS : -EIO;
}

/* One SOCK_DIAG_BY_FAMILY message. */
static int parse_diag_msg(struct nlmsghdr *nlh, struct sflow_flow_tcp_info *ret) {
        struct nlattr *tb[INET_DIAG_MAX + 1];
        if (nlmsg_parse(nlh, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX, NULL) < 0)
                return -EBADMSG;
        const struct inet_diag_msg *m = nlmsg_data(nlh);
        if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
                return -EBADMSG;
        if (m->idiag_state == TCP_LISTEN_STATE)
                return -ENOENT; /* the lookup fell back to a listener: no connection */
        if (!tb[INET_DIAG_INFO])
                return -ENODATA;
        int n = nla_len(tb[INET_DIAG_INFO]);
        if (n <= 0)
                return -ENODATA;
        hsp_tcp_info_convert(nla_data(tb[INET_DIAG_INFO]), (size_t)n, ret);
        return 0;
}

int hsp_tcp_diag_parse(const void *buf, size_t len, hsp_tcp_reply_fn fn, void *userdata) {
        struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
        int remaining = len > INT32_MAX ? INT32_MAX : (int)len;
        int n = 0;
        for (; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
                struct sflow_flow_tcp_info info = {0};
                int r;
                switch (nlh->nlmsg_type) {
                case NLMSG_ERROR: {
                        if (!nlmsg_valid_hdr(nlh, sizeof(struct nlmsgerr))) {
                                r = -EBADMSG;
                                break;
                        }
                        const struct nlmsgerr *e = nlmsg_data(nlh);
                        if (e->error == 0)
                                continue; /* an ack */
                        r = e->error < 0 && e->error > -4096 ? e->error : -EBADMSG;
                        break;
                }
                case SOCK_DIAG_BY_FAMILY:
                        r = parse_diag_msg(nlh, &info);
                        break;
                default: /* NLMSG_NOOP, NLMSG_DONE, anything newer */
                        continue;
                }
                fn(nlh->nlmsg_seq, r, r == 0 ? &info : NULL, userdata);
                n++;
        }
        if (remaining >= (int)sizeof(struct nlmsghdr) || (remaining > 0 && n == 0))
                return -EBADMSG;
        return n;
}

int hsp_tcp_diag_receive(struct hsp_tcp_diag *d, unsigned max, hsp_tcp_reply_fn fn,
                         void *userdata) {
        /* aligned for struct nlmsghdr; one reply is a few hundred bytes. On the stack: fn may
         * read another diag socket meanwhile. */
        uint64_t buf[RECV_BUF_BYTES / sizeof(uint64_t)];
        int total = 0;
        for (unsigned i = 0; i < max; i++) {
                struct sockaddr_nl from;
                socklen_t fromlen = sizeof from;
                ssize_t n = recvfrom(d->fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC,
                                     (struct sockaddr *)&from, &fromlen);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return total;
                        if (errno == EINTR)
                                continue;
                        if (errno == ENOBUFS)
                                continue; /* replies were lost; their samples time out */
                        return total > 0 ? total : -errno;
                }
                if (from.nl_pid != 0 || (size_t)n > sizeof buf)
                        continue; /* not from the kernel, or cut: ignore */
                int r = hsp_tcp_diag_parse(buf, (size_t)n, fn, userdata);
                if (r > 0)
                        total += r;
        }
        return total;
}
