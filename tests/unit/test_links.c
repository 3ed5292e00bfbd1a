/* test_links.c - the links table: link messages built with libnl parsed (each attribute, no
 * IFLA_IFNAME, truncated and wrong-sized attributes, IFLA_LINKINFO without a kind, IFLA_STATS
 * only, other families), then sequences of events through the table (new, the same again, a
 * change, a rename, a deletion and a new link of the same ifindex, ifindex order), and the
 * table of this host's namespace (a dump, one link's counters). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hsflowd/links.c"

#include <linux/if_arp.h>
#include <netlink/attr.h>

enum {
        A_NAME = 1 << 0,
        A_OPER = 1 << 1,
        A_MAC = 1 << 2,
        A_MASTER = 1 << 3,
        A_NSID = 1 << 4,
        A_KIND = 1 << 5,        /* IFLA_LINKINFO { IFLA_INFO_KIND "veth" } */
        A_INFO_NOKIND = 1 << 6, /* IFLA_LINKINFO { IFLA_INFO_DATA {} } */
        A_STATS64 = 1 << 7,
        A_STATS = 1 << 8,
        A_NAME_UNTERM = 1 << 9, /* "eth0" without its NUL */
        A_MASTER_SHORT = 1 << 10,
        A_NAME_LONG = 1 << 11,     /* 17 bytes: more than IFNAMSIZ */
        A_NAME_LAST = 1 << 12,     /* IFLA_IFNAME after the others (for a cut) */
        A_STATS64_OLD = 1 << 13,   /* without rx_nohandler and after, as kernels before 4.6 */
        A_STATS64_SHORT = 1 << 14, /* without tx_window_errors */
};

static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x42};

static struct nl_msg *build(int type, int family, int ifindex, const char *name, unsigned f) {
        struct nl_msg *msg = nlmsg_alloc_simple(type, 0);
        assert_non_null(msg);
        struct ifinfomsg ifi = {.ifi_family = family,
                                .ifi_index = ifindex,
                                .ifi_type = ARPHRD_ETHER,
                                .ifi_flags = IFF_UP | IFF_RUNNING};
        assert_int_equal(nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO), 0);
        if ((f & A_NAME) && !(f & A_NAME_LAST))
                nla_put_string(msg, IFLA_IFNAME, name);
        if (f & A_NAME_UNTERM)
                nla_put(msg, IFLA_IFNAME, 4, "eth0");
        if (f & A_NAME_LONG)
                nla_put_string(msg, IFLA_IFNAME, "abcdefghijklmnop");
        if (f & A_OPER)
                nla_put_u8(msg, IFLA_OPERSTATE, IF_OPER_UP);
        if (f & A_MAC)
                nla_put(msg, IFLA_ADDRESS, sizeof mac, mac);
        if (f & A_MASTER)
                nla_put_u32(msg, IFLA_MASTER, 3);
        if (f & A_MASTER_SHORT)
                nla_put_u16(msg, IFLA_MASTER, 3);
        if (f & A_NSID)
                nla_put_s32(msg, IFLA_LINK_NETNSID, 2);
        if (f & (A_KIND | A_INFO_NOKIND)) {
                struct nlattr *li = nla_nest_start(msg, IFLA_LINKINFO);
                if (f & A_KIND)
                        nla_put_string(msg, IFLA_INFO_KIND, "veth");
                else {
                        struct nlattr *d = nla_nest_start(msg, IFLA_INFO_DATA);
                        nla_nest_end(msg, d);
                }
                nla_nest_end(msg, li);
        }
        if (f & A_STATS64) {
                struct rtnl_link_stats64 s = {.rx_packets = 1ULL << 40, .tx_window_errors = 7};
                nla_put(msg, IFLA_STATS64, sizeof s, &s);
        }
        if (f & (A_STATS64_OLD | A_STATS64_SHORT)) {
                struct rtnl_link_stats64 s = {.rx_packets = 12, .tx_window_errors = 3};
                nla_put(msg, IFLA_STATS64,
                        (f & A_STATS64_OLD)
                                ? (int)offsetof(struct rtnl_link_stats64, rx_nohandler)
                                : (int)offsetof(struct rtnl_link_stats64, tx_window_errors),
                        &s);
        }
        if (f & A_STATS) {
                struct rtnl_link_stats s = {.rx_packets = 11, .tx_window_errors = 5};
                nla_put(msg, IFLA_STATS, sizeof s, &s);
        }
        if ((f & A_NAME) && (f & A_NAME_LAST))
                nla_put_string(msg, IFLA_IFNAME, name);
        return msg;
}

/* ---- the parser ---- */

struct parse_case {
        const char *what;
        int type, family;
        unsigned attrs;
        unsigned cut; /* bytes taken off the end of the message */
        int ret;
        /* when ret is 0 */
        const char *name, *kind;
        uint8_t operstate;
        size_t mac_len;
        int master, netnsid;
        bool has_stats;
        uint64_t rx_packets, tx_window_errors;
};

static const struct parse_case parse_cases[] = {
        {"a NEWLINK with its name only", RTM_NEWLINK, AF_UNSPEC, A_NAME, 0, 0, "eth0", "",
         IF_OPER_UNKNOWN, 0, 0, -1},
        {"a NEWLINK with every attribute", RTM_NEWLINK, AF_UNSPEC,
         A_NAME | A_OPER | A_MAC | A_MASTER | A_NSID | A_KIND | A_STATS64, 0, 0, "eth0", "veth",
         IF_OPER_UP, 6, 3, 2, true, 1ULL << 40, 7},
        {"IFLA_OPERSTATE", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_OPER, 0, 0, "eth0", "", IF_OPER_UP, 0,
         0, -1},
        {"IFLA_ADDRESS", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_MAC, 0, 0, "eth0", "", IF_OPER_UNKNOWN,
         6, 0, -1},
        {"IFLA_MASTER", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_MASTER, 0, 0, "eth0", "",
         IF_OPER_UNKNOWN, 0, 3, -1},
        {"IFLA_LINK_NETNSID", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_NSID, 0, 0, "eth0", "",
         IF_OPER_UNKNOWN, 0, 0, 2},
        {"IFLA_LINKINFO with a kind", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_KIND, 0, 0, "eth0", "veth",
         IF_OPER_UNKNOWN, 0, 0, -1},
        {"IFLA_LINKINFO without a kind", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_INFO_NOKIND, 0, 0,
         "eth0", "", IF_OPER_UNKNOWN, 0, 0, -1},
        {"IFLA_STATS64 and IFLA_STATS: the 64-bit ones", RTM_NEWLINK, AF_UNSPEC,
         A_NAME | A_STATS64 | A_STATS, 0, 0, "eth0", "", IF_OPER_UNKNOWN, 0, 0, -1, true,
         1ULL << 40, 7},
        {"IFLA_STATS64 of an older kernel", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_STATS64_OLD, 0, 0,
         "eth0", "", IF_OPER_UNKNOWN, 0, 0, -1, true, 12, 3},
        {"IFLA_STATS64 too short", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_STATS64_SHORT, 0, -EBADMSG},
        {"IFLA_STATS only", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_STATS, 0, 0, "eth0", "",
         IF_OPER_UNKNOWN, 0, 0, -1, true, 11, 5},
        {"a DELLINK without a name", RTM_DELLINK, AF_UNSPEC, 0, 0, 0, "", "", IF_OPER_UNKNOWN, 0, 0,
         -1},
        {"a NEWLINK without IFLA_IFNAME", RTM_NEWLINK, AF_UNSPEC, A_OPER, 0, -EBADMSG},
        {"IFLA_IFNAME without its NUL", RTM_NEWLINK, AF_UNSPEC, A_NAME_UNTERM, 0, -EBADMSG},
        {"IFLA_IFNAME longer than IFNAMSIZ", RTM_NEWLINK, AF_UNSPEC, A_NAME_LONG, 0, -EBADMSG},
        {"IFLA_MASTER of 2 bytes", RTM_NEWLINK, AF_UNSPEC, A_NAME | A_MASTER_SHORT, 0, -EBADMSG},
        /* the attribute says 9 bytes, 6 are there: libnl stops before it, the name is missing */
        {"IFLA_IFNAME truncated", RTM_NEWLINK, AF_UNSPEC, A_OPER | A_NAME | A_NAME_LAST, 6,
         -EBADMSG},
        {"an ifinfomsg truncated", RTM_NEWLINK, AF_UNSPEC, 0, 4, -EBADMSG},
        {"AF_BRIDGE: a port, not a link", RTM_NEWLINK, AF_BRIDGE, A_NAME, 0, -ENOMSG},
        {"RTM_NEWADDR: not a link message", RTM_NEWADDR, AF_UNSPEC, A_NAME, 0, -ENOMSG},
};

static void test_parse(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
                const struct parse_case *c = &parse_cases[i];
                print_message("%s\n", c->what);
                struct nl_msg *msg = build(c->type, c->family, 5, "eth0", c->attrs);
                struct nlmsghdr *nlh = nlmsg_hdr(msg);
                nlh->nlmsg_len -= c->cut;
                struct links_msg m;
                const char *err = NULL;
                int r = links_msg_parse(nlh, &m, &err);
                assert_int_equal(r, c->ret);
                if (r == -EBADMSG)
                        assert_non_null(err);
                if (r == 0) {
                        assert_int_equal(m.type, c->type);
                        assert_int_equal(m.a.ifindex, 5);
                        assert_int_equal(m.a.flags, IFF_UP | IFF_RUNNING);
                        assert_int_equal(m.a.arptype, ARPHRD_ETHER);
                        assert_string_equal(m.a.name, c->name);
                        assert_string_equal(m.a.kind, c->kind);
                        assert_int_equal(m.a.operstate, c->operstate);
                        assert_int_equal(m.a.mac_len, c->mac_len);
                        if (c->mac_len)
                                assert_memory_equal(m.a.mac, mac, sizeof mac);
                        assert_int_equal(m.a.master, c->master);
                        assert_int_equal(m.a.link_netnsid, c->netnsid);
                        assert_int_equal(m.has_stats, c->has_stats);
                        assert_int_equal(m.stats.rx_packets, c->rx_packets);
                        assert_int_equal(m.stats.tx_window_errors, c->tx_window_errors);
                }
                nlmsg_free(msg);
        }
}

/* ---- the table: events and order ---- */

static struct links table;
static const struct hsp_core core = {.links = &table};
static struct hsp_mod mod = {.core = &core};
static char events[256]; /* "N5:a C5:b D5 " ... */

static void on_link(struct hsp_mod *m, enum hsp_link_event ev, const struct hsp_link_info *i) {
        (void)m;
        size_t n = strlen(events);
        if (ev == HSP_LINK_DEL)
                snprintf(events + n, sizeof events - n, "D%d ", i->ifindex);
        else
                snprintf(events + n, sizeof events - n, "%c%d:%s ", ev == HSP_LINK_NEW ? 'N' : 'C',
                         i->ifindex, i->name);
}

static void on_each(const struct hsp_link_info *i, void *userdata) {
        char *order = userdata;
        size_t n = strlen(order);
        snprintf(order + n, 64 - n, "%d ", i->ifindex);
}

struct step {
        int type; /* 0: the end */
        int ifindex;
        const char *name;
        unsigned attrs;
};

struct table_case {
        const char *what;
        struct step steps[8];
        const char *events; /* what the watcher saw */
        const char *order;  /* hsp_links_foreach() afterwards */
};

/* names no host has, so that nothing is read from /sys */
static const struct table_case table_cases[] = {
        {"a new link", {{RTM_NEWLINK, 5, "hspa", A_NAME}}, "N5:hspa ", "5 "},
        {"the same message again is no event",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, 5, "hspa", A_NAME}},
         "N5:hspa ",
         "5 "},
        {"counters alone are no change",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, 5, "hspa", A_NAME | A_STATS64}},
         "N5:hspa ",
         "5 "},
        {"a carrier change",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, 5, "hspa", A_NAME | A_OPER}},
         "N5:hspa C5:hspa ",
         "5 "},
        {"enslaved",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, 5, "hspa", A_NAME | A_MASTER}},
         "N5:hspa C5:hspa ",
         "5 "},
        {"a rename",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, 5, "hspb", A_NAME}},
         "N5:hspa C5:hspb ",
         "5 "},
        {"deleted, then a new link of the same ifindex",
         {{RTM_NEWLINK, 5, "hspa", A_NAME},
          {RTM_DELLINK, 5, "hspa", A_NAME},
          {RTM_NEWLINK, 5, "hspc", A_NAME}},
         "N5:hspa D5 N5:hspc ",
         "5 "},
        {"a deletion of an unknown link is no event", {{RTM_DELLINK, 9, "hspa", A_NAME}}, "", ""},
        {"a malformed message is skipped, the next one taken",
         {{RTM_NEWLINK, 5, "hspa", A_OPER}, {RTM_NEWLINK, 6, "hspb", A_NAME}},
         "N6:hspb ",
         "6 "},
        {"bridge port messages are no links",
         {{RTM_NEWLINK, 5, "hspa", A_NAME}, {RTM_NEWLINK, -5, "hspa", A_NAME | A_MASTER}},
         "N5:hspa ",
         "5 "},
        {"ifindex order, whatever the order of the events",
         {{RTM_NEWLINK, 9, "hspc", A_NAME},
          {RTM_NEWLINK, 3, "hspa", A_NAME},
          {RTM_NEWLINK, 70, "hspd", A_NAME},
          {RTM_NEWLINK, 5, "hspb", A_NAME},
          {RTM_NEWLINK, 3 + LINK_BUCKETS, "hspe", A_NAME},
          {RTM_DELLINK, 9, "hspc", A_NAME}},
         "N9:hspc N3:hspa N70:hspd N5:hspb N67:hspe D9 ",
         "3 5 67 70 "},
};

static void test_table(void **state) {
        (void)state;
        table.net_dev_fd = -1;
        assert_int_equal(hsp_links_watch(&mod, on_link), 0);
        for (size_t i = 0; i < sizeof table_cases / sizeof *table_cases; i++) {
                const struct table_case *c = &table_cases[i];
                print_message("%s\n", c->what);
                events[0] = '\0';
                for (const struct step *s = c->steps; s->type; s++) {
                        /* a negative ifindex: the same link in an AF_BRIDGE message */
                        struct nl_msg *msg =
                                build(s->type, s->ifindex < 0 ? AF_BRIDGE : AF_UNSPEC,
                                      s->ifindex < 0 ? -s->ifindex : s->ifindex, s->name, s->attrs);
                        handle(&table, nlmsg_hdr(msg));
                        nlmsg_free(msg);
                }
                assert_string_equal(events, c->events);
                char order[64] = "";
                hsp_links_foreach(&mod, on_each, order);
                assert_string_equal(order, c->order);
                /* every link is found by its index and by its name */
                struct hsp_link_info info;
                for (struct link *k = table.first; k; k = k->next_ord) {
                        assert_true(hsp_link_get(&mod, k->a.ifindex, &info));
                        assert_string_equal(info.name, k->a.name);
                        assert_true(hsp_link_by_name(&mod, k->a.name, &info));
                        assert_int_equal(info.ifindex, k->a.ifindex);
                }
                assert_false(hsp_link_get(&mod, 1000, &info));
                assert_false(hsp_link_by_name(&mod, "hspz", &info));
                links_forget(&table);
        }
        hsp_links_unwatch(&mod);
}

/* ---- this host's namespace: the dump, one link's counters ---- */

static void test_live(void **state) {
        (void)state;
        struct evloop *loop = NULL;
        assert_int_equal(evloop_new(&loop), 0);
        struct links *l = NULL;
        assert_int_equal(links_new(loop, &l), 0);
        const struct hsp_core c = {.links = l};
        struct hsp_mod m = {.core = &c};
        struct hsp_link_info info;
        assert_true(hsp_link_by_name(&m, "lo", &info));
        assert_true(info.flags & IFF_LOOPBACK);
        assert_int_equal(info.arptype, ARPHRD_LOOPBACK);
        struct hsp_link_stats st;
        assert_int_equal(hsp_link_stats(&m, info.ifindex, &st), 0);
        assert_int_equal(hsp_link_stats(&m, 0x7fffff00, &st), -ENODEV);
        uint64_t rx, tx;
        assert_int_equal(hsp_link_packets(&m, info.ifindex, &rx, &tx), 0);
        /* a resynchronization keeps what is there */
        assert_int_equal(dump(l), 0);
        assert_true(hsp_link_get(&m, info.ifindex, &info));
        links_free(l);
        evloop_unref(loop);
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_CRIT);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_live),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
