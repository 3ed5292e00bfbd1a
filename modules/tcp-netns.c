/* tcp-netns.c - network namespaces by netns id (RTM_GETNSID over /run/netns, /proc/PID/ns/net). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "tcp.h"

#define MAX_SEEN 4096 /* namespaces asked per search (each is one RTM_GETNSID) */

struct nsid_answer {
        int id;
        bool got;
};

static int on_nsid(struct nl_msg *msg, void *arg) {
        struct nsid_answer *a = arg;
        struct nlattr *tb[NETNSA_MAX + 1];
        struct nlmsghdr *nlh = nlmsg_hdr(msg);
        if (nlh->nlmsg_type != RTM_NEWNSID ||
            nlmsg_parse(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) < 0)
                return NL_SKIP;
        if (tb[NETNSA_NSID] && nla_len(tb[NETNSA_NSID]) >= 4) {
                a->id = (int)nla_get_s32(tb[NETNSA_NSID]);
                a->got = true;
        }
        return NL_STOP;
}

int hsp_tcp_netns_id(struct nl_sock *rt, int fd, int *ret_id) {
        /* one question, one answer: no acks, and replies are matched by order */
        nl_socket_disable_auto_ack(rt);
        nl_socket_disable_seq_check(rt);
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
        if (!msg)
                return -ENOMEM;
        struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
        int r = -ENOMEM;
        if (nlmsg_append(msg, &g, sizeof g, NLMSG_ALIGNTO) < 0 ||
            nla_put_u32(msg, NETNSA_FD, (uint32_t)fd) < 0)
                goto out;
        r = nl_send_auto(rt, msg);
        if (r < 0) {
                r = -EIO;
                goto out;
        }
        struct nsid_answer a = {.id = -1};
        struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!cb) {
                r = -ENOMEM;
                goto out;
        }
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_nsid, &a);
        r = nl_recvmsgs(rt, cb);
        nl_cb_put(cb);
        if (r < 0) {
                r = r == -NLE_OBJ_NOTFOUND ? -ENOENT : r == -NLE_PERM ? -EPERM : -EIO;
                goto out;
        }
        if (!a.got) {
                r = -EBADMSG;
                goto out;
        }
        *ret_id = a.id < 0 ? -1 : a.id;
        r = 0;
out:
        nlmsg_free(msg);
        return r;
}

struct seen {
        dev_t dev[MAX_SEEN];
        ino_t ino[MAX_SEEN];
        size_t n;
};

/* Open path and ask its id; 0 and *ret_fd when it is netnsid, 1 when not, negative errno. */
static int try_path(struct nl_sock *rt, struct seen *seen, const char *path, int netnsid,
                    int *ret_fd) {
        struct stat st;
        if (stat(path, &st) < 0)
                return 1;
        for (size_t i = 0; i < seen->n; i++)
                if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino)
                        return 1;
        if (seen->n >= MAX_SEEN)
                return -E2BIG;
        seen->dev[seen->n] = st.st_dev;
        seen->ino[seen->n] = st.st_ino;
        seen->n++;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 1;
        int id = -1;
        if (hsp_tcp_netns_id(rt, fd, &id) == 0 && id == netnsid) {
                *ret_fd = fd;
                return 0;
        }
        close(fd);
        return 1;
}

int hsp_tcp_netns_find(struct nl_sock *rt, int netnsid, int *ret_fd) {
        if (netnsid < 0)
                return -EINVAL;
        struct seen *seen = calloc(1, sizeof *seen);
        if (!seen)
                return -ENOMEM;
        char path[300];
        int r = 1;
        /* our own namespace is never the one: skip it (and every process sharing it) */
        struct stat st;
        if (stat("/proc/self/ns/net", &st) == 0) {
                seen->dev[0] = st.st_dev;
                seen->ino[0] = st.st_ino;
                seen->n = 1;
        }

        DIR *d = opendir("/run/netns");
        if (d) {
                struct dirent *e;
                while (r > 0 && (e = readdir(d))) {
                        if (e->d_name[0] == '.')
                                continue;
                        snprintf(path, sizeof path, "/run/netns/%s", e->d_name);
                        r = try_path(rt, seen, path, netnsid, ret_fd);
                }
                closedir(d);
        }
        if (r > 0 && (d = opendir("/proc"))) {
                struct dirent *e;
                while (r > 0 && (e = readdir(d))) {
                        if (e->d_name[0] < '1' || e->d_name[0] > '9')
                                continue;
                        snprintf(path, sizeof path, "/proc/%s/ns/net", e->d_name);
                        r = try_path(rt, seen, path, netnsid, ret_fd);
                }
                closedir(d);
        }
        free(seen);
        return r > 0 ? -ENOENT : r;
}
