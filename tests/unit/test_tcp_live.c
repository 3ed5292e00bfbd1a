/* test_tcp_live.c - tcp module against the kernel: a real inet_diag lookup on loopback, and the
 * step-by-step search for namespaces (on a directory tree of the test's own). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <cmocka.h>

#include "testutil.h"
#include "modules/tcp.h"
#include "tcp-replies.h"

/* ---- a real lookup on loopback ---- */

struct conn {
        int listener, client, server;
        struct hsp_tcp_tuple sent; /* a packet the client sends */
};

static void open_conn(int family, struct conn *c) {
        struct sockaddr_storage ss;
        socklen_t sl = test_loopback(family, &ss);
        c->listener = socket(family, SOCK_STREAM, 0);
        assert_true(c->listener >= 0);
        assert_int_equal(bind(c->listener, (struct sockaddr *)&ss, sl), 0);
        assert_int_equal(listen(c->listener, 1), 0);
        assert_int_equal(getsockname(c->listener, (struct sockaddr *)&ss, &sl), 0);
        c->client = socket(family, SOCK_STREAM, 0);
        assert_int_equal(connect(c->client, (struct sockaddr *)&ss, sl), 0);
        c->server = accept(c->listener, NULL, NULL);
        assert_true(c->server >= 0);
        /* some traffic both ways so that the kernel has measured the round trip */
        char b[1000] = {0};
        for (int i = 0; i < 20; i++) {
                assert_int_equal(write(c->client, b, sizeof b), sizeof b);
                assert_int_equal(read(c->server, b, sizeof b) > 0, 1);
                assert_int_equal(write(c->server, b, 10), 10);
                assert_int_equal(read(c->client, b, 10) > 0, 1);
        }
        struct sockaddr_storage local, peer;
        socklen_t ll = sizeof local, pl = sizeof peer;
        getsockname(c->client, (struct sockaddr *)&local, &ll);
        getpeername(c->client, (struct sockaddr *)&peer, &pl);
        c->sent = (struct hsp_tcp_tuple){.family = (uint8_t)family};
        if (family == AF_INET) {
                struct sockaddr_in *l = (struct sockaddr_in *)&local,
                                   *p = (struct sockaddr_in *)&peer;
                memcpy(c->sent.src, &l->sin_addr, 4);
                memcpy(c->sent.dst, &p->sin_addr, 4);
                c->sent.sport = ntohs(l->sin_port);
                c->sent.dport = ntohs(p->sin_port);
        } else {
                struct sockaddr_in6 *l = (struct sockaddr_in6 *)&local,
                                    *p = (struct sockaddr_in6 *)&peer;
                memcpy(c->sent.src, &l->sin6_addr, 16);
                memcpy(c->sent.dst, &p->sin6_addr, 16);
                c->sent.sport = ntohs(l->sin6_port);
                c->sent.dport = ntohs(p->sin6_port);
        }
}

static void close_conn(struct conn *c) {
        close(c->client);
        close(c->server);
        close(c->listener);
}

/* Send one request and wait for its reply. */
static int lookup(struct hsp_tcp_diag *d, const struct hsp_tcp_tuple *t, bool sent, uint32_t seq,
                  struct sflow_flow_tcp_info *ret) {
        struct inet_diag_req_v2 req;
        hsp_tcp_diag_request(t, sent, 0, &req);
        assert_int_equal(hsp_tcp_diag_send(d, &req, seq), 0);
        struct replies rs = {0};
        for (int i = 0; i < 100 && rs.n == 0; i++) {
                struct pollfd p = {.fd = d->fd, .events = POLLIN};
                assert_true(poll(&p, 1, 1000) >= 0);
                assert_true(hsp_tcp_diag_receive(d, 8, collect, &rs) >= 0);
        }
        assert_int_equal(rs.n, 1);
        assert_int_equal(rs.seq[0], seq);
        if (rs.r[0] == 0)
                *ret = rs.info[0];
        return rs.r[0];
}

static void check_lookup(int family) {
        struct conn c;
        open_conn(family, &c);
        struct hsp_tcp_diag d;
        assert_int_equal(hsp_tcp_diag_open(&d, -1, -1), 0);
        struct tcp_info ti;
        socklen_t tl = sizeof ti;
        assert_int_equal(getsockopt(c.client, IPPROTO_TCP, TCP_INFO, &ti, &tl), 0);

        struct sflow_flow_tcp_info info;
        /* the client sent this packet: its socket is found as is */
        assert_int_equal(lookup(&d, &c.sent, true, 1001, &info), 0);
        assert_true(info.rtt > 0);
        assert_int_equal(info.snd_mss, ti.tcpi_snd_mss);
        assert_true(info.pmtu > 0);
        /* the same packet seen as received: the server's socket */
        struct tcp_info ts;
        tl = sizeof ts;
        assert_int_equal(getsockopt(c.server, IPPROTO_TCP, TCP_INFO, &ts, &tl), 0);
        assert_int_equal(lookup(&d, &c.sent, false, 1002, &info), 0);
        assert_int_equal(info.snd_mss, ts.tcpi_snd_mss);
        /* a connection that does not exist */
        struct hsp_tcp_tuple gone = c.sent;
        gone.dport ^= 0x5555;
        assert_int_equal(lookup(&d, &gone, true, 1003, &info), -ENOENT);
        /* a packet to the listening port from an unknown peer: no connection either */
        gone = c.sent;
        gone.sport ^= 0x5555;
        assert_int_equal(lookup(&d, &gone, true, 1004, &info), -ENOENT);
        hsp_tcp_diag_close(&d);
        close_conn(&c);
}

static void test_lookup_ipv4(void **state) {
        check_lookup(AF_INET);
}

static void test_lookup_ipv6(void **state) {
        int s = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        bool ok = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0;
        if (s >= 0)
                close(s);
        if (!ok)
                skip();
        check_lookup(AF_INET6);
}

/* ---- the search for namespaces, step by step ---- */

/* A tree standing for /run/netns and /proc: regular files, each inode one "namespace". */
struct fake_ns {
        const char *paths[3]; /* hard links of one file, relative to the tree */
        int id;               /* its netns id; -1: none */
};
static const struct fake_ns fake_tree[] = {
        {{"self", "proc/1/ns/net", "proc/3/ns/net"}, 0}, /* our own (id 0 here: never asked) */
        {{"run/netns/red", "proc/2/ns/net"}, 5},
        {{"run/netns/blue"}, 6},
        {{"proc/10/ns/net", "proc/11/ns/net"}, 7},
        {{"proc/12/ns/net"}, -1},
        {{"proc/13/ns/net"}, 8},
        {{"run/netns/.hidden", "proc/self/ns/net", "proc/abc/ns/net"}, 9}, /* never looked at */
};
#define N_FAKE (sizeof fake_tree / sizeof fake_tree[0])

struct search {
        char root[64];
        ino_t ino[N_FAKE];
        unsigned asked[N_FAKE], found[N_FAKE], step_asks;
        int wanted[8];      /* ids, -1 terminated */
        struct nl_sock *rt; /* the real question when set */
};

static int fake_id_of(void *userdata, int fd, int *ret_id) {
        struct search *x = userdata;
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        x->step_asks++;
        for (size_t i = 0; i < N_FAKE; i++)
                if (x->ino[i] == st.st_ino) {
                        x->asked[i]++;
                        *ret_id = fake_tree[i].id;
                        return 0;
                }
        fail_msg("asked about an inode that is not in the tree");
        return -EINVAL;
}

static bool search_wanted(void *userdata, int id) {
        struct search *x = userdata;
        for (int *w = x->wanted; *w != -1; w++)
                if (*w == id)
                        return true;
        return false;
}

static void search_found(void *userdata, int id, int fd) {
        struct search *x = userdata;
        for (int *w = x->wanted; *w != -1; w++)
                if (*w == id)
                        *w = -2; /* found: not wanted any more */
        for (size_t i = 0; i < N_FAKE; i++)
                if (fake_tree[i].id == id)
                        x->found[i]++;
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
}

static bool search_more(void *userdata) {
        struct search *x = userdata;
        for (int *w = x->wanted; *w != -1; w++)
                if (*w >= 0)
                        return true;
        return false;
}

static void make_tree(struct search *x) {
        snprintf(x->root, sizeof x->root, "/tmp/hsflowd-netns-XXXXXX");
        assert_non_null(mkdtemp(x->root));
        char path[256], dir[256];
        for (size_t i = 0; i < N_FAKE; i++)
                for (size_t k = 0; k < 3 && fake_tree[i].paths[k]; k++) {
                        snprintf(path, sizeof path, "%s/%s", x->root, fake_tree[i].paths[k]);
                        for (char *p = path + strlen(x->root) + 1; (p = strchr(p, '/')); p++) {
                                snprintf(dir, sizeof dir, "%.*s", (int)(p - path), path);
                                (void)mkdir(dir, 0755);
                        }
                        if (k == 0) {
                                int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
                                assert_true(fd >= 0);
                                close(fd);
                        } else {
                                char first[256];
                                snprintf(first, sizeof first, "%s/%s", x->root,
                                         fake_tree[i].paths[0]);
                                assert_int_equal(link(first, path), 0);
                        }
                        struct stat st;
                        assert_int_equal(stat(path, &st), 0);
                        x->ino[i] = st.st_ino;
                }
}

static void remove_tree(struct search *x) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->root);
        assert_int_equal(system(cmd), 0);
}

static const struct scan_case {
        const char *what;
        int wanted[8];
        unsigned budget;
        bool more;          /* with the more() callback */
        bool no_run_netns;  /* the tree has no run/netns (a host without ip netns names) */
        unsigned asked_max; /* namespaces asked in the pass, at most */
        bool all_found;
} scan_cases[] = {
        {"every namespace wanted, one entry a step", {5, 6, 7, 8, -1}, 1, true, false, 5, true},
        {"every namespace wanted, many entries a step",
         {5, 6, 7, 8, -1},
         100,
         true,
         false,
         5,
         true},
        {"an id that is nowhere: the whole tree once", {42, -1}, 3, true, false, 5, false},
        {"without more(): the whole tree", {6, -1}, 2, false, false, 5, true},
        {"a name in /run/netns: found before /proc is read", {6, -1}, 2, true, false, 2, true},
        {"no /run/netns: /proc only", {5, 7, -1}, 4, true, true, 4, true},
};

static void run_scan(const struct scan_case *c) {
        struct search x = {0};
        make_tree(&x);
        memcpy(x.wanted, c->wanted, sizeof x.wanted);
        char run[128], proc[128], self[128];
        snprintf(run, sizeof run, "%s/%s", x.root, c->no_run_netns ? "nothing" : "run/netns");
        snprintf(proc, sizeof proc, "%s/proc", x.root);
        snprintf(self, sizeof self, "%s/self", x.root);
        const struct hsp_netns_scan_ops ops = {
                .id_of = fake_id_of,
                .wanted = search_wanted,
                .found = search_found,
                .more = c->more ? search_more : NULL,
        };
        struct hsp_netns_scan *s = calloc(1, sizeof *s);
        assert_non_null(s);
        hsp_netns_scan_init(s, &ops, &x);
        s->dirs[0] = run;
        s->dirs[1] = proc;
        s->self = self;
        for (int pass = 0; pass < 2; pass++) {
                memset(x.asked, 0, sizeof x.asked);
                memcpy(x.wanted, c->wanted, sizeof x.wanted);
                int r, steps = 0;
                assert_false(hsp_netns_scan_running(s));
                do {
                        x.step_asks = 0;
                        r = hsp_netns_scan_step(s, c->budget);
                        assert_true(x.step_asks <= c->budget); /* bounded work per step */
                        assert_true(++steps < 100);
                } while (r == 0);
                assert_int_equal(r, 1);
                assert_false(hsp_netns_scan_running(s));
                unsigned asked = 0;
                for (size_t i = 0; i < N_FAKE; i++) {
                        assert_true(x.asked[i] <= 1); /* each namespace once, whatever its links */
                        asked += x.asked[i];
                }
                assert_int_equal(x.asked[0], 0);          /* our own: never */
                assert_int_equal(x.asked[N_FAKE - 1], 0); /* ".hidden", "self", "abc" */
                assert_true(asked <= c->asked_max);
                if (c->no_run_netns)
                        assert_int_equal(x.asked[2], 0); /* blue exists only there */
                for (size_t i = 0; i < N_FAKE; i++) {
                        bool want = false;
                        for (const int *w = c->wanted; *w >= 0; w++)
                                want |= *w == fake_tree[i].id;
                        if (c->all_found || !want)
                                assert_int_equal(x.found[i], want ? (unsigned)pass + 1 : 0);
                }
        }
        assert_int_equal(s->passes, 2);
        free(s);
        remove_tree(&x);
}

static void test_netns_scan(void **state) {
        for (size_t i = 0; i < sizeof scan_cases / sizeof scan_cases[0]; i++) {
                print_message("%s\n", scan_cases[i].what);
                run_scan(&scan_cases[i]);
        }
}

/* A pass abandoned half-way leaves nothing open, and the next one starts from the top. */
static void test_netns_scan_reset(void **state) {
        struct search x = {.wanted = {42, -1}};
        make_tree(&x);
        char run[128], proc[128], self[128];
        snprintf(run, sizeof run, "%s/run/netns", x.root);
        snprintf(proc, sizeof proc, "%s/proc", x.root);
        snprintf(self, sizeof self, "%s/self", x.root);
        const struct hsp_netns_scan_ops ops = {fake_id_of, search_wanted, search_found, NULL};
        struct hsp_netns_scan *s = calloc(1, sizeof *s);
        assert_non_null(s);
        hsp_netns_scan_init(s, &ops, &x);
        s->dirs[0] = run;
        s->dirs[1] = proc;
        s->self = self;
        assert_int_equal(hsp_netns_scan_step(s, 1), 0);
        assert_true(hsp_netns_scan_running(s));
        assert_non_null(s->dir);
        hsp_netns_scan_reset(s);
        assert_false(hsp_netns_scan_running(s));
        assert_null(s->dir);
        memset(x.asked, 0, sizeof x.asked);
        while (hsp_netns_scan_step(s, 2) == 0)
                ;
        for (size_t i = 1; i + 1 < N_FAKE; i++)
                assert_int_equal(x.asked[i], 1);
        free(s);
        remove_tree(&x);
}

static unsigned found_real;
static void search_found_real(void *userdata, int id, int fd) {
        found_real++;
        close(fd);
}

static int real_id_of(void *userdata, int fd, int *ret_id) {
        return hsp_tcp_netns_id(((struct search *)userdata)->rt, fd, ret_id);
}

/* A whole search of this host's /run/netns and /proc for id; returns how many were found. */
static unsigned search_host(struct nl_sock *rt, int id) {
        struct search x = {.wanted = {id, -1}, .rt = rt};
        const struct hsp_netns_scan_ops ops = {real_id_of, search_wanted, search_found_real,
                                               search_more};
        struct hsp_netns_scan *s = calloc(1, sizeof *s);
        assert_non_null(s);
        hsp_netns_scan_init(s, &ops, &x);
        found_real = 0;
        while (hsp_netns_scan_step(s, 64) == 0)
                ;
        free(s);
        return found_real;
}

/* The namespace path with our own namespace: setns() there and back (root only), and the
 * RTM_GETNSID question. */
static void test_own_namespace(void **state) {
        int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        assert_true(self >= 0);
        struct nl_sock *rt = nl_socket_alloc();
        assert_non_null(rt);
        assert_int_equal(nl_connect(rt, NETLINK_ROUTE), 0);
        int id = -5;
        assert_int_equal(hsp_tcp_netns_id(rt, self, &id), 0);
        assert_true(id >= -1);
        assert_int_equal(hsp_tcp_netns_id(rt, 0, &id) < 0, 1); /* stdin: not a namespace */
        /* no namespace has this id here: a whole search on this host finds nothing */
        assert_int_equal(search_host(rt, 1000000), 0);
        struct hsp_tcp_diag d;
        assert_int_equal(hsp_tcp_diag_open(&d, self, -1), -EBADF);
        int r = hsp_tcp_diag_open(&d, self, self);
        if (geteuid() == 0) {
                assert_int_equal(r, 0);
                struct conn c;
                open_conn(AF_INET, &c);
                struct sflow_flow_tcp_info info;
                assert_int_equal(lookup(&d, &c.sent, true, 7, &info), 0);
                close_conn(&c);
                hsp_tcp_diag_close(&d);
        } else
                assert_int_equal(r, -EPERM);
        nl_socket_free(rt);
        close(self);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lookup_ipv4),      cmocka_unit_test(test_lookup_ipv6),
                cmocka_unit_test(test_own_namespace),    cmocka_unit_test(test_netns_scan),
                cmocka_unit_test(test_netns_scan_reset),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
