/* fuzz_links.c - libFuzzer harness: rtnetlink link messages through the links table
 * (hsflowd/links.c): each RTM_NEWLINK / RTM_DELLINK goes through the parser
 * (hsflowd/links-parse.c) and the table's event handler as the event socket's does, then the
 * watchers, lookups, ordered walk and counters read it.
 * Input: one flags byte (bit 0: delete the links again; bit 1: send the message twice, the
 * same again; bit 2: then once more with a new name, a rename) then the message body, an
 * ifinfomsg and its attributes, as the kernel sends it. */
#include "hsflowd/links.c"

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

static void on_each(const struct hsp_link_info *i, void *userdata) {
        int *prev = userdata;
        if (i->ifindex <= *prev)
                __builtin_trap(); /* the walk is in ifindex order */
        *prev = i->ifindex;
        on_link(&fuzz_mod, HSP_LINK_CHANGE, i);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        log_setup(HSP_LOG_STDERR, LOG_CRIT);
        fuzz_links.net_dev_fd = -1;
        return hsp_links_watch(&fuzz_mod, on_link);
}

/* The message in a buffer of its exact size, so that reading past it is caught. */
static void feed(int type, const uint8_t *body, size_t len) {
        struct nlmsghdr *nlh = malloc(NLMSG_HDRLEN + len);
        if (!nlh)
                return;
        *nlh = (struct nlmsghdr){.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len),
                                 .nlmsg_type = (uint16_t)type};
        memcpy((char *)nlh + NLMSG_HDRLEN, body, len);
        handle(&fuzz_links, nlh);
        struct links_msg m;
        if (links_msg_parse(nlh, &m, NULL) == 0)
                sink += m.stats.rx_packets + m.stats.tx_window_errors;
        free(nlh);
}

static void read_back(void) {
        struct hsp_link_info info;
        for (struct link *k = fuzz_links.first; k; k = k->next_ord) {
                if (!hsp_link_get(&fuzz_mod, k->a.ifindex, &info) ||
                    !hsp_link_by_name(&fuzz_mod, k->a.name, &info))
                        __builtin_trap(); /* every link is found by its index and its name */
                on_link(&fuzz_mod, HSP_LINK_CHANGE, &info);
        }
        int prev = 0;
        hsp_links_foreach(&fuzz_mod, on_each, &prev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > 65000)
                return 0;
        size_t len = size - 1;
        const uint8_t *body = data + 1;
        feed(RTM_NEWLINK, body, len);
        if (data[0] & 2)
                feed(RTM_NEWLINK, body, len);
        if ((data[0] & 4) && fuzz_links.first) {
                /* a rename of the first link: its NEWLINK with another IFLA_IFNAME */
                struct {
                        struct ifinfomsg ifi;
                        struct nlattr nla;
                        char name[8];
                } rn = {.ifi = {.ifi_index = fuzz_links.first->a.ifindex},
                        .nla = {.nla_len = NLA_HDRLEN + 8, .nla_type = IFLA_IFNAME},
                        .name = "fzren"};
                feed(RTM_NEWLINK, (const uint8_t *)&rn, sizeof rn);
        }
        read_back();
        if (data[0] & 1)
                feed(RTM_DELLINK, body, len);
        /* start the next input from an empty table */
        while (fuzz_links.first) {
                notify(&fuzz_links, HSP_LINK_DEL, fuzz_links.first);
                link_drop(&fuzz_links, fuzz_links.first);
        }
        return 0;
}
