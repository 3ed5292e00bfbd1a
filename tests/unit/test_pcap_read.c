/* test_pcap_read.c - the pcap handles on a real AF_PACKET ring (root: a veth pair in a private
 * network namespace): packets queued before the sampling filter are never taken for samples,
 * and those after it all are, whatever the real-time clock does meanwhile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "links.h"
#include "pcap-dl.h"
#include "pcap.h"
#include "testutil.h"

#define N_EACH 5          /* frames sent at each step */
#define ETH_P_TEST 0x88b5 /* IEEE 802 local experimental ethertype */
#define DEV_TX "hsptx"    /* the veth end frames are sent from */
#define DEV_RX "hsprx"    /* the end that is sampled */

enum { PRE, MID, POST, N_KINDS }; /* before the first handle's filter, between, after both */
static const char *const marks[N_KINDS] = {"hsp-test-pre", "hsp-test-mid", "hsp-test-post"};
static unsigned got[N_KINDS], got_other;

/* ---- what pcap-read.c needs of the core and of pcap.c ---- */

int hsp_submit_sample(struct hsp_mod *m, struct sflow_sample *s) {
        for (uint32_t i = 0; i < s->num_records; i++) {
                const struct sflow_record *r = &s->records[i];
                if (r->tag != SFLOW_FLOW_HEADER)
                        continue;
                for (int k = 0; k < N_KINDS; k++)
                        if (memmem(r->u.header.header, r->u.header.header_len, marks[k],
                                   strlen(marks[k]))) {
                                got[k]++;
                                return 0;
                        }
        }
        got_other++;
        return 0;
}

int hsp_link_packets(struct hsp_mod *m, int ifindex, uint64_t *rx, uint64_t *tx) {
        return -ENODEV;
}

bool hsp_link_get(struct hsp_mod *m, int ifindex, struct hsp_link_info *ret) {
        return false; /* no speed known: the ring of a 10 Gb/s link */
}

void pcap_tap_failed(struct pcap_tap *t, const char *why) {
        fail_msg("reading the handle failed: %s", why);
}

/* ---- the test's side: frames over a veth pair, the clock, the moment of activation ---- */

static int tx = -1, rx = -1;
static struct sockaddr_ll to;

/* Send N_EACH broadcast frames carrying mark from DEV_TX, and receive them on DEV_RX: by then
 * the packet sockets of DEV_RX that take every protocol (pcap's) have seen them. */
static void send_marked(const char *mark) {
        uint8_t frame[ETH_ZLEN + 32] = {0}, buf[sizeof frame];
        memset(frame, 0xff, ETH_ALEN); /* broadcast */
        memcpy(frame + ETH_ALEN, "\x02\0\0\0\0\1", ETH_ALEN);
        frame[12] = ETH_P_TEST >> 8;
        frame[13] = ETH_P_TEST & 0xff;
        memcpy(frame + ETH_HLEN, mark, strlen(mark));
        for (int i = 0; i < N_EACH; i++) {
                assert_int_equal(
                        sendto(tx, frame, sizeof frame, 0, (struct sockaddr *)&to, sizeof to),
                        (ssize_t)sizeof frame);
                assert_true(recv(rx, buf, sizeof buf, 0) > 0);
        }
}

/* Seconds added to the real-time clock the code under test reads (-Wl,--wrap): +3600 is the
 * clock stepped back an hour after the filter was attached, as far as packet timestamps go. */
static time_t clock_offset;
int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts) {
        int r = __real_clock_gettime(id, ts);
        if (r == 0 && id == CLOCK_REALTIME)
                ts->tv_sec += clock_offset;
        return r;
}

/* Packets arrive at the moment each handle is activated, before its filter is attached: the
 * first handle's (received packets) come before it has a filter, the second's after. The
 * module calls libpcap's pcap_activate() through sym_pcap_activate, pointed here. */
static unsigned activations;
static typeof(pcap_activate) *real_pcap_activate;
static int activate_and_send(pcap_t *p) {
        int r = real_pcap_activate(p);
        if (r >= 0)
                send_marked(marks[activations++ == 0 ? PRE : MID]);
        return r;
}

static void set_up(const char *name) {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        struct ifreq ifr = {0};
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
        assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
        ifr.ifr_flags |= IFF_UP;
        assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
        close(s);
}

static int packet_socket(const char *dev) {
        int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_TEST));
        assert_true(s >= 0);
        struct sockaddr_ll a = {.sll_family = AF_PACKET,
                                .sll_protocol = htons(ETH_P_TEST),
                                .sll_ifindex = (int)if_nametoindex(dev)};
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
        return s;
}

/* RTM_NEWLINK of a veth pair: the peer is an ifinfomsg and its attributes in VETH_INFO_PEER. */
static void veth_add(const char *name, const char *peer) {
        struct nl_sock *sk = nl_socket_alloc();
        assert_non_null(sk);
        assert_int_equal(nl_connect(sk, NETLINK_ROUTE), 0);
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        assert_non_null(msg);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
        assert_int_equal(nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO), 0);
        assert_int_equal(nla_put_string(msg, IFLA_IFNAME, name), 0);
        struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
        assert_int_equal(nla_put_string(msg, IFLA_INFO_KIND, "veth"), 0);
        struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
        struct nlattr *p = nla_nest_start(msg, VETH_INFO_PEER);
        void *peer_ifi = info && data && p ? nlmsg_reserve(msg, sizeof ifi, NLMSG_ALIGNTO) : NULL;
        assert_non_null(peer_ifi);
        memcpy(peer_ifi, &ifi, sizeof ifi);
        assert_int_equal(nla_put_string(msg, IFLA_IFNAME, peer), 0);
        nla_nest_end(msg, p);
        nla_nest_end(msg, data);
        nla_nest_end(msg, info);
        assert_int_equal(nl_send_sync(sk, msg), 0); /* frees msg */
        nl_socket_free(sk);
}

/* A veth pair alone in a new network namespace; no IPv6, so nothing else crosses it. */
static void setup_netns(void) {
        assert_int_equal(unshare(CLONE_NEWNET), 0);
        static const char *const v6[] = {"/proc/sys/net/ipv6/conf/default/disable_ipv6",
                                         "/proc/sys/net/ipv6/conf/all/disable_ipv6"};
        for (size_t i = 0; i < 2; i++) {
                int fd = open(v6[i], O_WRONLY | O_CLOEXEC);
                if (fd >= 0) {
                        (void)!write(fd, "1", 1);
                        close(fd);
                }
        }
        veth_add(DEV_TX, DEV_RX);
        set_up(DEV_TX);
        set_up(DEV_RX);
        tx = packet_socket(DEV_TX);
        rx = packet_socket(DEV_RX);
        to = (struct sockaddr_ll){.sll_family = AF_PACKET,
                                  .sll_protocol = htons(ETH_P_TEST),
                                  .sll_ifindex = (int)if_nametoindex(DEV_TX),
                                  .sll_halen = ETH_ALEN};
        memset(to.sll_addr, 0xff, ETH_ALEN);
        struct timeval tv = {.tv_sec = 2};
        assert_int_equal(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
}

static void test_filter_boundary(void **state) {
        static const time_t offsets[] = {0, 3600, -3600};
        struct evloop *loop;
        assert_int_equal(evloop_new(&loop), 0);
        struct hsp_mod m = {.loop = loop};
        assert_int_equal(pcap_dl_load(), 0);
        real_pcap_activate = sym_pcap_activate;
        sym_pcap_activate = activate_and_send;
        setup_netns();
        for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
                struct pcap_tap t = {.m = &m,
                                     .ifindex = (int)if_nametoindex(DEV_RX),
                                     .rate = 1,
                                     .snap = 128,
                                     .header_bytes = 128};
                snprintf(t.name, sizeof t.name, DEV_RX);
                char why[PCAP_ERRBUF_SIZE + 64];
                clock_offset = offsets[i];
                activations = 0;
                memset(got, 0, sizeof got);
                got_other = 0;
                if (pcap_tap_open(&t, why, sizeof why) < 0)
                        fail_msg("cannot open the handles on " DEV_RX ": %s", why);
                send_marked(marks[POST]);
                /* the ring hands blocks over after 100 ms at most: wait for all, then a bit more
                 * for anything that should not come */
                uint64_t end = test_now_usec() + 3000000;
                while (got[POST] < N_EACH && test_now_usec() < end)
                        evloop_run(loop, 50000);
                test_run_loop(loop, 300000);
                pcap_tap_close(&t);
                printf("clock offset %+ld s: samples pre %u, mid %u, post %u, other %u\n",
                       (long)offsets[i], got[PRE], got[MID], got[POST], got_other);
                /* every frame is received on DEV_RX: its sent-packets handle sees none */
                assert_int_equal(got[PRE], 0);
                assert_int_equal(got[MID], N_EACH);
                assert_int_equal(got[POST], N_EACH);
                assert_int_equal(got_other, 0);
        }
        evloop_unref(loop);
}

/* Ring sizes: 256 KB blocks, 2 to 4, enough for 25 ms of samples of minimum-size frames at line
 * rate (14,880,952 frames/s at 10 Gb/s) with a frame of snap + 96 bytes in the ring (1170 of
 * snap 128 in a block). Worked by hand from those rules. */
static void test_ring_bytes(void **state) {
        const struct {
                uint32_t rate;
                uint64_t speed;
                uint32_t snap;
                size_t want;
        } t[] = {
                {1000, 10000000000ULL, 128, 2 * 262144},  /* 14,880/s: 372 a block's time */
                {300, 10000000000ULL, 128, 3 * 262144},   /* 49,603/s: 1,240 */
                {100, 10000000000ULL, 128, 4 * 262144},   /* 148,809/s: 3,720 (5: at most 4) */
                {1, 10000000000ULL, 128, 4 * 262144},     /* 14.9 M/s */
                {100, 1000000000ULL, 128, 2 * 262144},    /* 14,880/s */
                {10, 1000000000ULL, 128, 4 * 262144},     /* 148,809/s */
                {1000, 0, 128, 2 * 262144},               /* no speed: as 10 Gb/s */
                {100, 0, 128, 4 * 262144},                /* no speed: as 10 Gb/s */
                {0, 100000000ULL, 128, 4 * 262144},       /* rate 0 as 1: 148,809/s */
                {1, 10000000ULL, 128, 2 * 262144},        /* 10 Mb/s: 14,880/s */
                {400, 10000000000ULL, 128, 2 * 262144},   /* 37,202/s: 930 */
                {400, 10000000000ULL, 65535, 4 * 262144}, /* 930 of 3 in a block */
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                size_t got = pcap_ring_bytes(t[i].rate, t[i].speed, t[i].snap);
                if (got != t[i].want)
                        fail_msg("case %zu: 1-in-%u at %llu b/s, snap %u: %zu bytes, want %zu", i,
                                 t[i].rate, (unsigned long long)t[i].speed, t[i].snap, got,
                                 t[i].want);
        }
}

/* The hand-over timeout: 100 ms up to 1-in-100, 500 ms above. */
static void test_timeout(void **state) {
        const struct {
                uint32_t rate;
                int want;
        } t[] = {{0, 100}, {1, 100}, {10, 100}, {100, 100}, {101, 500}, {1000, 500}, {65536, 500}};
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
                assert_int_equal(pcap_timeout_ms(t[i].rate), t[i].want);
}

int main(void) {
        const struct CMUnitTest pure[] = {
                cmocka_unit_test(test_ring_bytes),
                cmocka_unit_test(test_timeout),
        };
        int failed = cmocka_run_group_tests(pure, NULL, NULL);
        if (failed)
                return failed;
        if (geteuid() != 0) {
                const char *ci = getenv("CI");
                printf("%s: needs root (a network namespace, a veth pair, packet sockets)\n",
                       ci && strcmp(ci, "true") == 0 ? "FAIL" : "SKIPPED");
                return ci && strcmp(ci, "true") == 0 ? 1 : 77;
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_filter_boundary),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
