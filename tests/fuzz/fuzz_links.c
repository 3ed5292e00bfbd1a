/* fuzz_links.c - libFuzzer harness: rtnetlink link messages through the links table
 * (hsflowd/links.c): libnl parses each RTM_NEWLINK / RTM_DELLINK into the link cache as its
 * cache manager does, then the table's event handler, watchers, lookups and counters read it.
 * Input: one flags byte (bit 0: delete the links again; bit 1: send the message twice, a
 * change) then the message body, an ifinfomsg and its attributes, as the kernel sends it. */
#include "hsflowd/links.c"

#include <netlink/attr.h>
#include <netlink/msg.h>

static struct links fuzz_links;
static const struct hsp_core fuzz_core = {.links = &fuzz_links};
static struct hsp_mod fuzz_mod = {.core = &fuzz_core};
static volatile size_t sink;

static void on_link(struct hsp_mod *m, enum hsp_link_event ev, const struct hsp_link_info *i) {
        (void)m;
        sink += (size_t)ev + strlen(i->name) + strlen(i->kind) + i->flags + i->arptype +
                i->operstate + (size_t)i->master + (size_t)i->link_netnsid + i->speed;
        for (size_t k = 0; i->mac && k < i->mac_len; k++)
                sink += i->mac[k];
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        log_setup(HSP_LOG_STDERR, LOG_CRIT);
        fuzz_links.net_dev_fd = -1;
        if (nl_cache_alloc_name("route/link", &fuzz_links.cache) < 0)
                return -1;
        return hsp_links_watch(&fuzz_mod, on_link);
}

/* libnl (3.7) calls a link kind's parser when IFLA_INFO_XSTATS is there, with IFLA_INFO_DATA
 * NULL when that is not, and the veth parser (at least) reads through it
 * (tests/fuzz/crashes/links-xstats-without-data). The kernel sends xstats only with data:
 * such messages are passed over. So are veth links with IFLA_INFO_DATA: the kernel's veth
 * driver sends none (VETH_INFO_PEER is only in requests to create a pair), and libnl's veth
 * parser writes through a NULL peer on some (tests/fuzz/crashes/links-veth-data). */
static bool libnl_would_crash(struct nl_msg *msg) {
        struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
        if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
            !tb[IFLA_LINKINFO] || nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
                return false;
        if (li[IFLA_INFO_XSTATS] && !li[IFLA_INFO_DATA])
                return true;
        return li[IFLA_INFO_DATA] && li[IFLA_INFO_KIND] &&
               nla_strcmp(li[IFLA_INFO_KIND], "veth") == 0;
}

static void parsed(struct nl_object *obj, void *arg) {
        nl_cache_include(fuzz_links.cache, obj, on_change, arg);
}

static void feed(int type, const uint8_t *body, size_t len) {
        struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGN(len) + 16);
        if (!msg)
                return;
        nlmsg_set_proto(msg, NETLINK_ROUTE);
        if (nlmsg_put(msg, 0, 0, type, 0, 0) &&
            nlmsg_append(msg, (void *)body, len, NLMSG_ALIGNTO) == 0 && !libnl_would_crash(msg))
                (void)nl_msg_parse(msg, parsed, &fuzz_links);
        nlmsg_free(msg);
}

static void read_back(void) {
        struct hsp_link_info info;
        struct hsp_link_stats st;
        for (struct nl_object *o = nl_cache_get_first(fuzz_links.cache); o;
             o = nl_cache_get_next(o)) {
                struct rtnl_link *rl = (struct rtnl_link *)o;
                fill_stats(rl, &st);
                sink += st.rx_packets + st.tx_window_errors;
                if (hsp_link_get(&fuzz_mod, rtnl_link_get_ifindex(rl), &info))
                        on_link(&fuzz_mod, HSP_LINK_CHANGE, &info);
                if (rtnl_link_get_name(rl) &&
                    hsp_link_by_name(&fuzz_mod, rtnl_link_get_name(rl), &info))
                        on_link(&fuzz_mod, HSP_LINK_CHANGE, &info);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > 65000)
                return 0;
        /* an exact-size copy, so reading past the message is caught */
        size_t len = size - 1;
        uint8_t *body = malloc(len ? len : 1);
        if (!body)
                return 0;
        memcpy(body, data + 1, len);
        /* The kernel sends link messages of AF_UNSPEC and AF_BRIDGE only. libnl (3.7) indexes
         * its per-family table with ifi_family unchecked when it compares two cached links, so
         * a family of AF_MAX or more reads past it (tests/fuzz/crashes/links-family-af-max):
         * keep the family in range to fuzz what lies behind it. */
        if (len >= 1)
                body[0] %= AF_MAX;
        feed(RTM_NEWLINK, body, len);
        if (data[0] & 2)
                feed(RTM_NEWLINK, body, len);
        read_back();
        if (data[0] & 1)
                feed(RTM_DELLINK, body, len);
        /* start the next input from an empty table */
        for (struct nl_object *o; (o = nl_cache_get_first(fuzz_links.cache));) {
                on_change(fuzz_links.cache, o, NL_ACT_DEL, &fuzz_links);
                nl_cache_remove(o);
        }
        for (unsigned b = 0; b < EXTRA_BUCKETS; b++)
                while (fuzz_links.extras[b])
                        extra_drop(&fuzz_links, fuzz_links.extras[b]->ifindex);
        free(body);
        return 0;
}
