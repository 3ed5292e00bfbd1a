/* test_address.c - agent address ranking, agent.cidr rules and device choice on tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "address.h"

struct iface {
        const char *name;
        unsigned ifindex;
        int up;
        const char *addrs; /* space-separated */
};

struct cidr_text {
        const char *text; /* "10.0.0.0/8" or "!10.1.0.0/16" */
};

struct select_case {
        const char *what;
        struct iface ifs[6];
        const char *agent_dev;
        const char *cidrs[4];
        const char *expect; /* NULL: no address */
        const char *reason_has;
};

static size_t build(const struct iface *ifs, struct address_candidate *out) {
        size_t n = 0;
        for (; ifs->name; ifs++) {
                char buf[256];
                snprintf(buf, sizeof buf, "%s", ifs->addrs);
                for (char *save, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                        struct address_candidate *c = &out[n++];
                        memset(c, 0, sizeof *c);
                        snprintf(c->ifname, sizeof c->ifname, "%s", ifs->name);
                        c->ifindex = ifs->ifindex;
                        c->up = ifs->up;
                        c->loopback = strcmp(ifs->name, "lo") == 0;
                        c->family = strchr(t, ':') ? AF_INET6 : AF_INET;
                        assert_int_equal(inet_pton(c->family, t, c->addr), 1);
                }
        }
        return n;
}

static void parse_cidr(const char *s, struct hsp_cidr *c) {
        memset(c, 0, sizeof *c);
        if (*s == '!') {
                c->exclude = true;
                s++;
        }
        char buf[64];
        snprintf(buf, sizeof buf, "%s", s);
        char *slash = strchr(buf, '/');
        assert_non_null(slash);
        *slash = '\0';
        c->prefix = (unsigned)atoi(slash + 1);
        c->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        assert_int_equal(inet_pton(c->family, buf, c->addr), 1);
}

#define LO {"lo", 1, 1, "127.0.0.1 ::1"}

static const struct select_case cases[] = {
        {"global IPv4 beats private", {LO, {"eth0", 2, 1, "10.0.0.5"}, {"eth1", 3, 1, "192.0.2.7"}},
         NULL, {NULL}, "192.0.2.7", "global IPv4"},
        {"private IPv4 beats global IPv6", {LO, {"eth0", 2, 1, "2001:db8::1 172.16.3.4"}},
         NULL, {NULL}, "172.16.3.4", "private IPv4"},
        {"global IPv6 beats ULA", {LO, {"eth0", 2, 1, "fd00::1 2001:db8::5"}}, NULL, {NULL},
         "2001:db8::5", "global IPv6"},
        {"ULA beats link-local", {LO, {"eth0", 2, 1, "fe80::1 fd12::9"}}, NULL, {NULL}, "fd12::9",
         "unique-local"},
        {"link-local beats loopback", {LO, {"eth0", 2, 1, "169.254.1.1"}}, NULL, {NULL},
         "169.254.1.1", "link-local"},
        {"loopback when nothing else", {LO}, NULL, {NULL}, "127.0.0.1", "loopback"},
        {"100.64/10 is private", {{"eth0", 2, 1, "100.64.0.1"}, {"eth1", 3, 1, "198.51.100.9"}},
         NULL, {NULL}, "198.51.100.9", NULL},
        {"up beats down at equal rank",
         {{"eth0", 2, 0, "192.0.2.1"}, {"eth1", 3, 1, "192.0.2.2"}}, NULL, {NULL}, "192.0.2.2", NULL},
        {"lowest ifindex at equal rank",
         {{"eth1", 5, 1, "192.0.2.9"}, {"eth0", 4, 1, "198.51.100.1"}}, NULL, {NULL},
         "198.51.100.1", NULL},
        {"lowest address on one interface", {{"eth0", 2, 1, "192.0.2.9 192.0.2.3"}}, NULL, {NULL},
         "192.0.2.3", NULL},
        {"multicast and unspecified never chosen", {{"eth0", 2, 1, "0.0.0.0 224.0.0.1"}}, NULL,
         {NULL}, NULL, "no usable address"},
        {"agent device restricts", {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.1.1.1"}},
         "eth1", {NULL}, "10.1.1.1", "agent device eth1"},
        {"agent device without address", {LO, {"eth0", 2, 1, "192.0.2.1"}}, "eth9", {NULL}, NULL,
         "on device eth9"},
        {"cidr include picks a private address",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.1.1.1"}}, NULL, {"10.0.0.0/8"},
         "10.1.1.1", "agent.cidr rule 1"},
        {"cidr exclusion first match wins",
         {LO, {"eth0", 2, 1, "10.1.1.1"}, {"eth1", 3, 1, "10.2.2.2"}}, NULL,
         {"!10.1.0.0/16", "10.0.0.0/8"}, "10.2.2.2", NULL},
        {"only exclusions leave the rest eligible",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.2.2.2"}}, NULL, {"!192.0.2.0/24"},
         "10.2.2.2", NULL},
        {"earlier cidr rule preferred",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "2001:db8::7"}}, NULL,
         {"2001:db8::/32", "192.0.2.0/24"}, "2001:db8::7", "rule 1"},
        {"cidr matching nothing", {LO, {"eth0", 2, 1, "192.0.2.1"}}, NULL, {"203.0.113.0/24"},
         NULL, "matching agent.cidr"},
        {"IPv6 prefix not on byte boundary",
         {LO, {"eth0", 2, 1, "2001:db8:8000::1 2001:db8:4000::1"}}, NULL, {"2001:db8:8000::/33"},
         "2001:db8:8000::1", NULL},
};

static void test_select_table(void **state) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const struct select_case *t = &cases[i];
                struct address_candidate cand[32];
                size_t n = build(t->ifs, cand);
                struct hsp_cidr cidrs[4];
                size_t nc = 0;
                for (; nc < 4 && t->cidrs[nc]; nc++)
                        parse_cidr(t->cidrs[nc], &cidrs[nc]);
                struct sflow_address got;
                char reason[256], text[64];
                int r = address_select(cand, n, t->agent_dev, cidrs, nc, &got, reason,
                                       sizeof reason);
                print_message("case: %s -> %s (%s)\n", t->what,
                              r == 0 ? address_format(&got, text, sizeof text) : "none", reason);
                if (!t->expect) {
                        assert_int_equal(r, -ENOENT);
                } else {
                        assert_int_equal(r, 0);
                        assert_string_equal(address_format(&got, text, sizeof text), t->expect);
                        assert_int_equal(got.type, strchr(t->expect, ':') ? 2 : 1);
                }
                if (t->reason_has)
                        assert_non_null(strstr(reason, t->reason_has));
        }
}

static void test_rank_names(void **state) {
        const struct {
                const char *addr;
                enum address_rank rank;
        } t[] = {
                {"8.8.8.8", RANK_GLOBAL4},     {"192.168.1.1", RANK_PRIVATE4},
                {"172.31.255.255", RANK_PRIVATE4}, {"172.32.0.1", RANK_GLOBAL4},
                {"2001:db8::1", RANK_GLOBAL6}, {"fc00::1", RANK_ULA6},
                {"fe80::1", RANK_LINKLOCAL},   {"febf::1", RANK_LINKLOCAL},
                {"fec0::1", RANK_GLOBAL6},     {"::1", RANK_LOOPBACK},
                {"127.1.2.3", RANK_LOOPBACK},  {"ff02::1", RANK_UNUSABLE},
                {"::", RANK_UNUSABLE},         {"::ffff:10.0.0.1", RANK_UNUSABLE},
                {"255.255.255.255", RANK_UNUSABLE},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                uint8_t a[16];
                int fam = strchr(t[i].addr, ':') ? AF_INET6 : AF_INET;
                assert_int_equal(inet_pton(fam, t[i].addr, a), 1);
                print_message("%s\n", t[i].addr);
                assert_int_equal(address_rank(fam, a), t[i].rank);
        }
}

/* The live host: whatever it has, the choice is one of its own addresses. */
static void test_live_choice(void **state) {
        struct address_candidate *c = NULL;
        int n = address_candidates(&c);
        assert_true(n >= 0);
        struct hsp_config cfg = {0};
        struct sflow_address got;
        char reason[256];
        if (address_choose(&cfg, &got, reason, sizeof reason) == 0) {
                bool found = false;
                for (int i = 0; i < n; i++)
                        found |= memcmp(c[i].addr, got.addr, c[i].family == AF_INET ? 4 : 16) == 0;
                assert_true(found);
        }
        free(c);
}

static void test_agent_ip(void **state) {
        struct hsp_config cfg = {.agent_ip = (char *)"2001:db8::42"};
        struct sflow_address got;
        char reason[256], text[64];
        assert_int_equal(address_choose(&cfg, &got, reason, sizeof reason), 0);
        assert_string_equal(address_format(&got, text, sizeof text), "2001:db8::42");
        assert_non_null(strstr(reason, "agentIP"));
        cfg.agent_ip = (char *)"no-such-host.invalid";
        assert_true(address_choose(&cfg, &got, reason, sizeof reason) < 0);
        assert_non_null(strstr(reason, "does not resolve"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_select_table),
                cmocka_unit_test(test_rank_names),
                cmocka_unit_test(test_live_choice),
                cmocka_unit_test(test_agent_ip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
