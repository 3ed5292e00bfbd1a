/* tcp-netns.c - network namespaces by netns id: RTM_GETNSID, and a search over /run/netns and
 * /proc/PID/ns/net made a few entries at a time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* Where namespaces are found: the entries of a directory, and the path of each one's file. */
static const struct {
        bool digits;        /* only entries whose name is a number (processes) */
        const char *suffix; /* appended to DIR/NAME */
} places[HSP_NETNS_DIRS] = {
        {false, ""},       /* /run/netns/NAME (ip netns add) */
        {true, "/ns/net"}, /* /proc/PID/ns/net */
};

void hsp_netns_scan_init(struct hsp_netns_scan *s, const struct hsp_netns_scan_ops *ops,
                         void *userdata) {
        *s = (struct hsp_netns_scan){
                .dirs = {"/run/netns", "/proc"},
                .self = "/proc/self/ns/net",
                .ops = *ops,
                .userdata = userdata,
        };
}

void hsp_netns_scan_reset(struct hsp_netns_scan *s) {
        if (s->dir)
                closedir(s->dir);
        s->dir = NULL;
        s->running = false;
        s->place = 0;
        s->n_seen = 0;
}

bool hsp_netns_scan_running(const struct hsp_netns_scan *s) {
        return s->running;
}

/* Remember a namespace file; false when it was seen already in this pass (or no room). */
static bool first_sight(struct hsp_netns_scan *s, const struct stat *st) {
        for (size_t i = 0; i < s->n_seen; i++)
                if (s->seen[i].dev == st->st_dev && s->seen[i].ino == st->st_ino)
                        return false;
        if (s->n_seen >= HSP_NETNS_MAX_SEEN)
                return false;
        s->seen[s->n_seen].dev = st->st_dev;
        s->seen[s->n_seen].ino = st->st_ino;
        s->n_seen++;
        return true;
}

/* One namespace file: asked for its id if not seen yet, handed over when it is wanted. */
static void visit(struct hsp_netns_scan *s, const char *path) {
        struct stat st;
        if (stat(path, &st) < 0 || !first_sight(s, &st))
                return;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        int id = -1;
        s->asked++;
        if (s->ops.id_of(s->userdata, fd, &id) == 0 && id >= 0 && s->ops.wanted(s->userdata, id)) {
                s->ops.found(s->userdata, id, fd);
                return;
        }
        close(fd);
}

int hsp_netns_scan_step(struct hsp_netns_scan *s, unsigned budget) {
        char path[PATH_MAX];
        if (!s->running) {
                hsp_netns_scan_reset(s);
                s->running = true;
                s->passes++;
                struct stat st; /* our own namespace is never the one: skip it (and its sharers) */
                if (s->self && stat(s->self, &st) == 0)
                        first_sight(s, &st);
        }
        bool over = false;
        for (unsigned n = 0; n < budget && !over;) {
                if (s->ops.more && !s->ops.more(s->userdata)) {
                        over = true; /* nothing searched for any more */
                        break;
                }
                if (!s->dir) {
                        if (s->place >= HSP_NETNS_DIRS) {
                                over = true;
                                break;
                        }
                        s->dir = opendir(s->dirs[s->place]);
                        if (!s->dir) {
                                s->place++;
                                continue;
                        }
                }
                struct dirent *e = readdir(s->dir);
                if (!e) {
                        closedir(s->dir);
                        s->dir = NULL;
                        s->place++;
                        continue;
                }
                if (e->d_name[0] == '.' ||
                    (places[s->place].digits && (e->d_name[0] < '1' || e->d_name[0] > '9')))
                        continue;
                n++;
                if (snprintf(path, sizeof path, "%s/%s%s", s->dirs[s->place], e->d_name,
                             places[s->place].suffix) < (int)sizeof path)
                        visit(s, path);
        }
        if (!over)
                return 0; /* the budget is spent: more at the next step */
        hsp_netns_scan_reset(s);
        return 1;
}
