/* test_address.c - agent address ranking, agent.cidr rules and device choice on tables; agentIP
 * names looked up in the background (with a resolver of the test's own). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "address-lookup.h"
#include "address.h"
#include "resolve.h"

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
                for (char *save, *t = strtok_r(buf, " ", &save); t;
                     t = strtok_r(NULL, " ", &save)) {
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

#define LO                                                                                         \
        { "lo", 1, 1, "127.0.0.1 ::1" }

static const struct select_case cases[] = {
        {"global IPv4 beats private",
         {LO, {"eth0", 2, 1, "10.0.0.5"}, {"eth1", 3, 1, "192.0.2.7"}},
         NULL,
         {NULL},
         "192.0.2.7",
         "global IPv4"},
        {"private IPv4 beats global IPv6",
         {LO, {"eth0", 2, 1, "2001:db8::1 172.16.3.4"}},
         NULL,
         {NULL},
         "172.16.3.4",
         "private IPv4"},
        {"global IPv6 beats ULA",
         {LO, {"eth0", 2, 1, "fd00::1 2001:db8::5"}},
         NULL,
         {NULL},
         "2001:db8::5",
         "global IPv6"},
        {"ULA beats link-local",
         {LO, {"eth0", 2, 1, "fe80::1 fd12::9"}},
         NULL,
         {NULL},
         "fd12::9",
         "unique-local"},
        {"link-local beats loopback",
         {LO, {"eth0", 2, 1, "169.254.1.1"}},
         NULL,
         {NULL},
         "169.254.1.1",
         "link-local"},
        {"loopback when nothing else", {LO}, NULL, {NULL}, "127.0.0.1", "loopback"},
        {"100.64/10 is private",
         {{"eth0", 2, 1, "100.64.0.1"}, {"eth1", 3, 1, "198.51.100.9"}},
         NULL,
         {NULL},
         "198.51.100.9",
         NULL},
        {"up beats down at equal rank",
         {{"eth0", 2, 0, "192.0.2.1"}, {"eth1", 3, 1, "192.0.2.2"}},
         NULL,
         {NULL},
         "192.0.2.2",
         NULL},
        {"lowest ifindex at equal rank",
         {{"eth1", 5, 1, "192.0.2.9"}, {"eth0", 4, 1, "198.51.100.1"}},
         NULL,
         {NULL},
         "198.51.100.1",
         NULL},
        {"lowest address on one interface",
         {{"eth0", 2, 1, "192.0.2.9 192.0.2.3"}},
         NULL,
         {NULL},
         "192.0.2.3",
         NULL},
        {"multicast and unspecified never chosen",
         {{"eth0", 2, 1, "0.0.0.0 224.0.0.1"}},
         NULL,
         {NULL},
         NULL,
         "no usable address"},
        {"agent device restricts",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.1.1.1"}},
         "eth1",
         {NULL},
         "10.1.1.1",
         "agent device eth1"},
        {"agent device without address",
         {LO, {"eth0", 2, 1, "192.0.2.1"}},
         "eth9",
         {NULL},
         NULL,
         "on device eth9"},
        {"cidr include picks a private address",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.1.1.1"}},
         NULL,
         {"10.0.0.0/8"},
         "10.1.1.1",
         "agent.cidr rule 1"},
        {"cidr exclusion first match wins",
         {LO, {"eth0", 2, 1, "10.1.1.1"}, {"eth1", 3, 1, "10.2.2.2"}},
         NULL,
         {"!10.1.0.0/16", "10.0.0.0/8"},
         "10.2.2.2",
         NULL},
        {"only exclusions leave the rest eligible",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "10.2.2.2"}},
         NULL,
         {"!192.0.2.0/24"},
         "10.2.2.2",
         NULL},
        {"earlier cidr rule preferred",
         {LO, {"eth0", 2, 1, "192.0.2.1"}, {"eth1", 3, 1, "2001:db8::7"}},
         NULL,
         {"2001:db8::/32", "192.0.2.0/24"},
         "2001:db8::7",
         "rule 1"},
        {"cidr matching nothing",
         {LO, {"eth0", 2, 1, "192.0.2.1"}},
         NULL,
         {"203.0.113.0/24"},
         NULL,
         "matching agent.cidr"},
        {"IPv6 prefix not on byte boundary",
         {LO, {"eth0", 2, 1, "2001:db8:8000::1 2001:db8:4000::1"}},
         NULL,
         {"2001:db8:8000::/33"},
         "2001:db8:8000::1",
         NULL},
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
                {"8.8.8.8", RANK_GLOBAL4},
                {"192.168.1.1", RANK_PRIVATE4},
                {"172.31.255.255", RANK_PRIVATE4},
                {"172.32.0.1", RANK_GLOBAL4},
                {"2001:db8::1", RANK_GLOBAL6},
                {"fc00::1", RANK_ULA6},
                {"fe80::1", RANK_LINKLOCAL},
                {"febf::1", RANK_LINKLOCAL},
                {"fec0::1", RANK_GLOBAL6},
                {"::1", RANK_LOOPBACK},
                {"127.1.2.3", RANK_LOOPBACK},
                {"ff02::1", RANK_UNUSABLE},
                {"::", RANK_UNUSABLE},
                {"::ffff:10.0.0.1", RANK_UNUSABLE},
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
        if (address_choose(&cfg, NULL, &got, reason, sizeof reason) == 0) {
                bool found = false;
                for (int i = 0; i < n; i++)
                        found |= memcmp(c[i].addr, got.addr, c[i].family == AF_INET ? 4 : 16) == 0;
                assert_true(found);
        }
        free(c);
}

static struct sflow_address addr(const char *text) {
        struct sflow_address a;
        assert_int_equal(address_parse(text, &a), 0);
        return a;
}

static void test_agent_ip(void **state) {
        struct hsp_config cfg = {.agent_ip = (char *)"2001:db8::42"};
        struct sflow_address got, other = addr("192.0.2.9");
        char reason[256], text[64];
        /* an address is used as it is, whatever a lookup said */
        assert_int_equal(address_choose(&cfg, &other, &got, reason, sizeof reason), 0);
        assert_string_equal(address_format(&got, text, sizeof text), "2001:db8::42");
        assert_non_null(strstr(reason, "agentIP"));
        /* a name with its answer */
        cfg.agent_ip = (char *)"agent.example.test";
        assert_int_equal(address_choose(&cfg, &other, &got, reason, sizeof reason), 0);
        assert_string_equal(address_format(&got, text, sizeof text), "192.0.2.9");
        assert_non_null(strstr(reason, "agent.example.test"));
        /* a name without an answer yet: as without agentIP (this host's choice), and said */
        struct hsp_config none = {0};
        struct sflow_address want;
        char want_reason[256];
        int r = address_choose(&none, NULL, &want, want_reason, sizeof want_reason);
        memset(&got, 0, sizeof got);
        assert_int_equal(address_choose(&cfg, NULL, &got, reason, sizeof reason), r);
        if (r == 0)
                assert_memory_equal(&got, &want, sizeof got);
        assert_non_null(strstr(reason, "agentIP agent.example.test not resolved yet"));
        assert_non_null(strstr(reason, want_reason));
        /* text that is not an address */
        static const char *const names[] = {"agent.example.test", "10.0.0", "", "::g", "1.2.3.4 "};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                assert_int_equal(address_parse(names[i], &got), -EINVAL);
}

/* ---- agentIP names looked up in the background ---- */

/* The test's resolver: resolve_start() only records the question; the test answers. */
struct resolve_req {
        char host[64];
        resolve_cb cb;
        void *userdata;
        bool live;
};
static struct resolve_req reqs[8];
static unsigned n_reqs, n_cancelled;
static int fail_start; /* resolve_start() fails with this (negative errno) when set */

int resolve_start(struct evloop *loop, const char *host, unsigned port, resolve_cb cb,
                  void *userdata, struct resolve_req **ret) {
        if (fail_start)
                return fail_start;
        assert_true(n_reqs < sizeof reqs / sizeof reqs[0]);
        struct resolve_req *r = &reqs[n_reqs++];
        snprintf(r->host, sizeof r->host, "%s", host);
        r->cb = cb;
        r->userdata = userdata;
        r->live = true;
        *ret = r;
        return 0;
}

void resolve_cancel(struct resolve_req *r) {
        if (!r)
                return;
        assert_true(r->live); /* never a request already answered */
        r->live = false;
        n_cancelled++;
}

static unsigned n_changed;
static void on_changed(void *userdata) {
        n_changed++;
}

/* The lookup in flight (the last one started) answers: error 0 with text, or an EAI_* error. */
static void answer(int error, const char *text) {
        struct resolve_req *r = NULL;
        for (unsigned i = 0; i < n_reqs; i++)
                if (reqs[i].live)
                        r = &reqs[i];
        assert_non_null(r);
        struct sockaddr_storage ss = {0};
        socklen_t len = 0;
        if (!error) {
                struct sflow_address a = addr(text);
                if (a.type == 1) {
                        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
                        in->sin_family = AF_INET;
                        memcpy(&in->sin_addr, a.addr, 4);
                        len = sizeof *in;
                } else {
                        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
                        in6->sin6_family = AF_INET6;
                        memcpy(&in6->sin6_addr, a.addr, 16);
                        len = sizeof *in6;
                }
        }
        r->live = false; /* as resolve.c: the request is gone once its callback runs */
        r->cb(error, (struct sockaddr *)&ss, len, r->userdata);
}

enum step_op { END, ASK, OK, FAIL, START_FAILS };

static const struct lookup_case {
        const char *what;
        struct step {
                enum step_op op;
                const char *arg; /* ASK: the name (NULL: none); OK: the answer */
                /* after the step */
                const char *result; /* NULL: no answer known */
                unsigned started, cancelled, changed;
        } steps[8];
} lookup_cases[] = {
        {"first answer, then a failure keeps it",
         {{ASK, "a.example.test", NULL, 1, 0, 0},
          {OK, "192.0.2.1", "192.0.2.1", 1, 0, 1},
          {ASK, "a.example.test", "192.0.2.1", 2, 0, 1},
          {FAIL, NULL, "192.0.2.1", 2, 0, 1},
          {ASK, "a.example.test", "192.0.2.1", 3, 0, 1},
          {FAIL, NULL, "192.0.2.1", 3, 0, 1},
          {ASK, NULL, NULL, 3, 0, 1}}},
        {"a failure before any answer: still none",
         {{ASK, "a.example.test", NULL, 1, 0, 0},
          {FAIL, NULL, NULL, 1, 0, 0},
          {ASK, "a.example.test", NULL, 2, 0, 0},
          {OK, "2001:db8::7", "2001:db8::7", 2, 0, 1}}},
        {"asked again while a lookup runs: no second lookup",
         {{ASK, "a.example.test", NULL, 1, 0, 0},
          {ASK, "a.example.test", NULL, 1, 0, 0},
          {OK, "192.0.2.1", "192.0.2.1", 1, 0, 1},
          {ASK, "a.example.test", "192.0.2.1", 2, 0, 1},
          {OK, "192.0.2.1", "192.0.2.1", 2, 0, 1},
          {ASK, "a.example.test", "192.0.2.1", 3, 0, 1},
          {OK, "192.0.2.2", "192.0.2.2", 3, 0, 2}}},
        {"another name: the lookup running is cancelled, the old answer forgotten",
         {{ASK, "a.example.test", NULL, 1, 0, 0},
          {OK, "192.0.2.1", "192.0.2.1", 1, 0, 1},
          {ASK, "a.example.test", "192.0.2.1", 2, 0, 1},
          {ASK, "b.example.test", NULL, 3, 1, 1},
          {OK, "192.0.2.1", "192.0.2.1", 3, 1, 2}}},
        {"agentIP removed while a lookup runs",
         {{ASK, "a.example.test", NULL, 1, 0, 0},
          {ASK, NULL, NULL, 1, 1, 0},
          {ASK, NULL, NULL, 1, 1, 0}}},
        {"the lookup cannot start: tried again at the next ask",
         {{START_FAILS, "a.example.test", NULL, 0, 0, 0},
          {ASK, "a.example.test", NULL, 1, 0, 0},
          {OK, "192.0.2.3", "192.0.2.3", 1, 0, 1}}},
};

static void test_lookup_table(void **state) {
        for (size_t i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++) {
                const struct lookup_case *c = &lookup_cases[i];
                struct address_lookup *l;
                memset(reqs, 0, sizeof reqs);
                n_reqs = n_cancelled = n_changed = 0;
                assert_int_equal(address_lookup_new(NULL, on_changed, NULL, &l), 0);
                assert_null(address_lookup_result(l));
                for (size_t k = 0; k < 8 && c->steps[k].op != END; k++) {
                        const struct step *s = &c->steps[k];
                        print_message("%s: step %zu\n", c->what, k + 1);
                        switch (s->op) {
                        case ASK:
                                address_lookup_start(l, s->arg);
                                if (s->arg)
                                        assert_string_equal(reqs[n_reqs - 1].host, s->arg);
                                break;
                        case START_FAILS:
                                fail_start = -EAGAIN;
                                address_lookup_start(l, s->arg);
                                fail_start = 0;
                                break;
                        case OK:
                                answer(0, s->arg);
                                break;
                        case FAIL:
                                answer(EAI_AGAIN, NULL);
                                break;
                        case END:
                                break;
                        }
                        const struct sflow_address *got = address_lookup_result(l);
                        char text[64];
                        if (s->result) {
                                assert_non_null(got);
                                assert_string_equal(address_format(got, text, sizeof text),
                                                    s->result);
                        } else
                                assert_null(got);
                        assert_int_equal(n_reqs, s->started);
                        assert_int_equal(n_cancelled, s->cancelled);
                        assert_int_equal(n_changed, s->changed);
                }
                address_lookup_free(l);
                /* freeing cancels what runs; nothing is left live */
                for (unsigned k = 0; k < n_reqs; k++)
                        assert_false(reqs[k].live);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_select_table), cmocka_unit_test(test_rank_names),
                cmocka_unit_test(test_live_choice),  cmocka_unit_test(test_agent_ip),
                cmocka_unit_test(test_lookup_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
