/* test_dnssd.c - dns-sd: TXT strings into settings (each key, refusals naming the string), and
 * the deep copy of a configuration that DNS settings are applied over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dnssd.h"

#define REC "_sflow._udp.example.test"

static void test_txt_good(void **state) {
        const char *txt[] = {
                "txtvers=1",          "sampling=512",          "polling=7",
                "headerBytes=64",     "datagramBytes=1000",    "agentIP=192.0.2.5",
                "agent=eth1",         "agent.cidr=10.0.0.0/8", "agent.cidr=!10.1.0.0/16",
                "sampling.10G=10000", "polling.app.shop=3",    "dropLimit=5"};
        struct hsp_config *c = NULL;
        unsigned given = 0;
        char why[768] = "";
        assert_int_equal(
                dnssd_parse_txt(txt, sizeof txt / sizeof txt[0], REC, &c, &given, why, sizeof why),
                0);
        assert_int_equal(given, DNSSD_SAMPLING | DNSSD_POLLING | DNSSD_HEADER | DNSSD_DATAGRAM |
                                        DNSSD_AGENT_IP | DNSSD_AGENT | DNSSD_CIDR);
        assert_int_equal(c->sampling, 512);
        assert_int_equal(c->polling, 7);
        assert_int_equal(c->header_bytes, 64);
        assert_int_equal(c->datagram_bytes, 1000);
        assert_string_equal(c->agent_ip, "192.0.2.5");
        assert_string_equal(c->agent_dev, "eth1");
        assert_int_equal(c->n_agent_cidrs, 2);
        assert_true(c->agent_cidrs[1].exclude);
        uint32_t v;
        assert_true(hsp_config_dotted(c->sampling_dotted, c->n_sampling_dotted, "10g", &v));
        assert_int_equal(v, 10000);
        assert_true(hsp_config_dotted(c->polling_dotted, c->n_polling_dotted, "app.shop", &v));
        assert_int_equal(v, 3);
        hsp_config_free(c);

        /* nothing but txtvers: no settings */
        const char *only[] = {"txtvers=1"};
        assert_int_equal(dnssd_parse_txt(only, 1, REC, &c, &given, why, sizeof why), 0);
        assert_int_equal(given, 0);
        hsp_config_free(c);
}

static void test_txt_refused(void **state) {
        static const struct {
                const char *txt, *why;
        } t[] = {
                {"polling=abc", "\"polling=abc\" refused: polling: bad number 'abc'"},
                {"polling=301", "\"polling=301\" refused: polling: value 301 out of range"},
                {"sampling=-1", "\"sampling=-1\" refused"},
                {"headerBytes=1000", "\"headerBytes=1000\" refused"},
                {"datagramBytes=10", "\"datagramBytes=10\" refused"},
                {"agent.cidr=10.0.0.0/33", "\"agent.cidr=10.0.0.0/33\" refused"},
                {"sampling.10G=x", "\"sampling.10G=x\" refused"},
                {"polling", "\"polling\" refused: not key=value"},
                {"=5", "\"=5\" refused: not key=value"},
                {"agent=a\"b", "refused: the value holds a quote"},
                {"agentIP=a\tb", "refused: the value holds a quote or an unprintable byte"},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                const char *txt[] = {"txtvers=1", "sampling=100", t[i].txt};
                struct hsp_config *c = NULL;
                unsigned given = 0;
                char why[768] = "";
                int r = dnssd_parse_txt(txt, 3, REC, &c, &given, why, sizeof why);
                if (r != -EINVAL || !strstr(why, t[i].why) || !strstr(why, "TXT record of " REC))
                        fail_msg("%s: r=%d why='%s', want '%s'", t[i].txt, r, why, t[i].why);
                assert_null(c);
        }
}

/* A module with strings (one aliased) for the copy. */
struct fake_conf {
        char *name;
        uint32_t n;
        char *pattern;
};
static const struct hsp_keyword fake_keywords[] = {
        {"name", HSP_KW_STRING, offsetof(struct fake_conf, name), 0, 0, NULL},
        {"alias", HSP_KW_STRING, offsetof(struct fake_conf, name), 0, 0, NULL},
        {"n", HSP_KW_UINT, offsetof(struct fake_conf, n), 0, 0, NULL},
        {"pattern", HSP_KW_REGEX, offsetof(struct fake_conf, pattern), 0, 0, NULL},
        HSP_KEYWORDS_END,
};
static const struct hsp_module fake = {.name = "fake",
                                       .keywords = fake_keywords,
                                       .conf_size = sizeof(struct fake_conf),
                                       .repeatable = true};
static const struct hsp_module *const modules[] = {&fake, NULL};

static void test_dup(void **state) {
        const char *text = "sflow {\n sampling=7 polling=9 agentIP=192.0.2.1 agent=eth0 uuid="
                           "0123abcd-4567-89ab-cdef-0123456789ab\n agent.cidr=10.0.0.0/8\n"
                           " sampling.10G=100 polling.app.x=5 jsonFIFO=/tmp/f\n"
                           " collector { ip=192.0.2.9 udpport=7 dev=lo namespace=n1 }\n"
                           " collector { ip=::1 }\n dns-sd { domain=.x.test }\n"
                           " fake { name=a n=3 pattern=\"^e\" }\n fake { alias=b }\n}\n";
        struct hsp_config *c = NULL, *d;
        struct hsp_config_error err;
        assert_int_equal(hsp_config_parse_string(text, strlen(text), "t", modules, &c, &err), 0);
        d = hsp_config_dup(c);
        assert_non_null(d);
        hsp_config_free(c); /* the copy owns all it points to */
        assert_int_equal(d->sampling, 7);
        assert_true(d->sampling_set);
        assert_string_equal(d->agent_ip, "192.0.2.1");
        assert_string_equal(d->uuid, "0123abcd-4567-89ab-cdef-0123456789ab");
        assert_string_equal(d->dns_sd_domain, ".x.test");
        assert_string_equal(d->json_fifo, "/tmp/f");
        assert_int_equal(d->n_agent_cidrs, 1);
        assert_int_equal(d->n_sampling_dotted, 1);
        assert_string_equal(d->polling_dotted[0].suffix, "app.x");
        assert_int_equal(d->n_collectors, 2);
        assert_string_equal(d->collectors[0].namespace, "n1");
        assert_string_equal(d->collectors[1].ip, "::1");
        assert_null(d->collectors[1].dev);
        assert_int_equal(d->n_blocks, 2);
        const struct fake_conf *f0 = d->blocks[0].conf, *f1 = d->blocks[1].conf;
        assert_string_equal(f0->name, "a");
        assert_string_equal(f0->pattern, "^e");
        assert_int_equal(f0->n, 3);
        assert_string_equal(f1->name, "b");
        assert_ptr_equal(d->blocks[0].next_same, &d->blocks[1]);
        assert_ptr_equal(hsp_config_find_block(d, "fake"), &d->blocks[0]);
        struct hsp_config *e = hsp_config_dup(d);
        hsp_config_free(d);
        assert_string_equal(((const struct fake_conf *)e->blocks[1].conf)->name, "b");
        hsp_config_free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_txt_good),
                cmocka_unit_test(test_txt_refused),
                cmocka_unit_test(test_dup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
