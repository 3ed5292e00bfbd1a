/* test_pcap.c - the pcap module's rate rules, sampling socket filter and block keywords. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pcap.h"

static const struct hsp_module pcap_module = {
        .name = "pcap",
        .keywords = pcap_keywords,
        .conf_size = sizeof(struct pcap_conf),
        .defaults = &pcap_defaults,
        .repeatable = true,
        .validate = pcap_conf_validate,
};
static const struct hsp_module *const mods[] = {&pcap_module, NULL};

#define COLL "collector { ip=127.0.0.1 }\n"
#define G (1000000000ULL)

static struct hsp_config *parse(const char *text, struct hsp_config_error *err) {
        struct hsp_config *c = NULL;
        int r = hsp_config_parse_string(text, strlen(text), "test.conf", mods, &c, err);
        return r < 0 ? NULL : c;
}

static struct hsp_config *parse_ok(const char *text) {
        struct hsp_config_error err;
        struct hsp_config *c = parse(text, &err);
        if (!c)
                fail_msg("unexpected error: %s\n--- input ---\n%s", err.msg, text);
        return c;
}

/* ---- rate rules ---- */

static const struct rate_case {
        const char *conf; /* inside sflow { } */
        uint32_t block;   /* pcap { sampling } */
        uint64_t speed;
        uint32_t rate;
        enum pcap_rule rule;
} rate_cases[] = {
        /* the block's own rate wins over everything */
        {"sampling=256 sampling.10G=5000", 7, 10 * G, 7, PCAP_RULE_BLOCK},
        /* sampling.<speed> for that speed, however it is written */
        {"sampling.10G=5000", 0, 10 * G, 5000, PCAP_RULE_SPEED},
        {"sampling.10000M=4000", 0, 10 * G, 4000, PCAP_RULE_SPEED},
        {"sampling=256 sampling.1G=1000", 0, 1 * G, 1000, PCAP_RULE_SPEED},
        /* another speed's entry does not apply */
        {"sampling.1G=1000", 0, 10 * G, 10000, PCAP_RULE_SPEED_DEFAULT},
        /* bps_ratio: rate = speed / ratio; 0 disables the rule */
        {"sampling.bps_ratio=1000000", 0, 10 * G, 10000, PCAP_RULE_BPS_RATIO},
        {"sampling.bps_ratio=2000000 sampling=256", 0, 1 * G, 500, PCAP_RULE_BPS_RATIO},
        {"sampling.bps_ratio=0", 0, 10 * G, 10000, PCAP_RULE_SPEED_DEFAULT},
        {"sampling.bps_ratio=1000000", 0, 0, 400, PCAP_RULE_GLOBAL_DEFAULT},
        {"sampling.bps_ratio=10000000", 0, 1000000, 1, PCAP_RULE_BPS_RATIO},
        /* #11: sampling= given in the file wins over the speed default (10G veth) */
        {"sampling=256", 0, 10 * G, 256, PCAP_RULE_GLOBAL_SET},
        {"sampling=256", 0, 0, 256, PCAP_RULE_GLOBAL_SET},
        {"packetSamplingRate=64", 0, 1 * G, 64, PCAP_RULE_GLOBAL_SET},
        /* speed default: speed / 1M, at least 100 */
        {"", 0, 10 * G, 10000, PCAP_RULE_SPEED_DEFAULT},
        {"", 0, 1 * G, 1000, PCAP_RULE_SPEED_DEFAULT},
        {"", 0, 100000000, 100, PCAP_RULE_SPEED_DEFAULT},
        {"", 0, 10000000, 100, PCAP_RULE_SPEED_DEFAULT},
        /* speed unknown: the global default */
        {"", 0, 0, 400, PCAP_RULE_GLOBAL_DEFAULT},
        {"sampling.10G=5000", 0, 0, 400, PCAP_RULE_GLOBAL_DEFAULT},
        /* sampling=0 given: disabled */
        {"sampling=0", 0, 1 * G, 0, PCAP_RULE_GLOBAL_SET},
        /* application entries are not speeds */
        {"sampling.app.nginx=10 sampling.http=20", 0, 1 * G, 1000, PCAP_RULE_SPEED_DEFAULT},
};

static void test_rate_rules(void **state) {
        char text[512];
        for (size_t i = 0; i < sizeof rate_cases / sizeof rate_cases[0]; i++) {
                const struct rate_case *t = &rate_cases[i];
                snprintf(text, sizeof text, "sflow { %s " COLL " }\n", t->conf);
                struct hsp_config *c = parse_ok(text);
                enum pcap_rule rule = (enum pcap_rule) - 1;
                uint32_t rate = pcap_rate_choose(t->block, c, t->speed, &rule);
                if (rate != t->rate || rule != t->rule)
                        fail_msg("case %zu '%s' block %u speed %llu: rate %u rule %s, expected "
                                 "%u %s",
                                 i, t->conf, t->block, (unsigned long long)t->speed, rate,
                                 pcap_rule_name(rule), t->rate, pcap_rule_name(t->rule));
                assert_non_null(pcap_rule_name(rule));
                hsp_config_free(c);
        }
}

/* ---- the socket filter, run by a small classic BPF interpreter ---- */

struct pkt {
        uint32_t pkttype, random;
};

/* Runs the instructions the builder may emit; fails the test on anything else. */
static uint32_t run(const struct sock_filter *f, int n, const struct pkt *p) {
        uint32_t a = 0;
        for (int pc = 0; pc < n; pc++) {
                const struct sock_filter *i = &f[pc];
                switch (i->code) {
                case BPF_LD | BPF_H | BPF_ABS:
                case BPF_LD | BPF_W | BPF_ABS:
                        if (i->k == (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE))
                                a = p->pkttype;
                        else if (i->k == (uint32_t)(SKF_AD_OFF + SKF_AD_RANDOM))
                                a = p->random;
                        else
                                fail_msg("load of offset %#x", i->k);
                        break;
                case BPF_ALU | BPF_MOD | BPF_K:
                        assert_int_not_equal(i->k, 0);
                        a %= i->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += a == i->k ? i->jt : i->jf;
                        assert_true(pc + 1 < n);
                        break;
                case BPF_RET | BPF_K:
                        return i->k;
                default:
                        fail_msg("unexpected opcode %#x", i->code);
                }
        }
        fail_msg("fell off the end of the program");
        return 0;
}

static const uint32_t types[] = {PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST,
                                 PACKET_OUTGOING};

static void test_bpf_sequence(void **state) {
        struct sock_filter f[PCAP_BPF_MAX];
        int n = pcap_bpf_build(10, false, 128, f, PCAP_BPF_MAX);
        assert_int_equal(n, 7);
        const struct sock_filter want[] = {
                BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 4, 0),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_RANDOM),
                BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 10),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 128),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        assert_memory_equal(f, want, sizeof want);
        n = pcap_bpf_build(10, true, 128, f, PCAP_BPF_MAX);
        assert_int_equal(n, 7);
        assert_int_equal(f[1].jt, 0);
        assert_int_equal(f[1].jf, 4);
        /* N=1: no random number at all */
        n = pcap_bpf_build(1, false, 64, f, PCAP_BPF_MAX);
        assert_int_equal(n, 4);
        for (int i = 0; i < n; i++)
                assert_false(f[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
                             f[i].k == (uint32_t)(SKF_AD_OFF + SKF_AD_RANDOM));
        /* errors */
        assert_int_equal(pcap_bpf_build(0, false, 128, f, PCAP_BPF_MAX), -EINVAL);
        assert_int_equal(pcap_bpf_build(10, false, 0, f, PCAP_BPF_MAX), -EINVAL);
        assert_int_equal(pcap_bpf_build(10, false, 128, f, 3), -ENOBUFS);
}

static void test_bpf_accept_all(void **state) {
        struct sock_filter in[PCAP_BPF_MAX], out[PCAP_BPF_MAX];
        int ni = pcap_bpf_build(1, false, 128, in, PCAP_BPF_MAX);
        int no = pcap_bpf_build(1, true, 128, out, PCAP_BPF_MAX);
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
                for (uint32_t r = 0; r < 1000; r += 7) {
                        struct pkt p = {types[t], r * 2654435761u};
                        bool outgoing = types[t] == PACKET_OUTGOING;
                        /* every packet is accepted by exactly one of the two handles */
                        assert_int_equal(run(in, ni, &p), outgoing ? 0 : 128);
                        assert_int_equal(run(out, no, &p), outgoing ? 128 : 0);
                }
}

static void test_bpf_one_in_n(void **state) {
        static const uint32_t rates[] = {2, 10, 400, 10000, 10000000};
        struct sock_filter in[PCAP_BPF_MAX], out[PCAP_BPF_MAX];
        for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
                uint32_t n = rates[k];
                int ni = pcap_bpf_build(n, false, 100, in, PCAP_BPF_MAX);
                int no = pcap_bpf_build(n, true, 100, out, PCAP_BPF_MAX);
                /* over 3*n consecutive random values exactly 3 pass, per direction */
                uint32_t acc_in = 0, acc_out = 0, wrong = 0;
                for (uint64_t r = 0; r < 3ull * n; r++) {
                        struct pkt host = {PACKET_HOST, (uint32_t)(r + 12345)};
                        struct pkt sent = {PACKET_OUTGOING, (uint32_t)(r + 12345)};
                        acc_in += run(in, ni, &host) == 100;
                        acc_out += run(out, no, &sent) == 100;
                        wrong += run(in, ni, &sent) != 0;
                        wrong += run(out, no, &host) != 0;
                }
                assert_int_equal(acc_in, 3);
                assert_int_equal(acc_out, 3);
                assert_int_equal(wrong, 0);
        }
}

/* The filter attached before the sampling one drops every packet, of either direction. */
static void test_bpf_drop_all(void **state) {
        struct sock_filter f[PCAP_BPF_MAX];
        int n = pcap_bpf_drop_all(f, PCAP_BPF_MAX);
        assert_int_equal(n, 1);
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
                for (uint32_t r = 0; r < 100; r++) {
                        struct pkt p = {types[t], r * 2654435761u};
                        assert_int_equal(run(f, n, &p), 0);
                }
        assert_int_equal(pcap_bpf_drop_all(f, 0), -ENOBUFS);
}

/* Frames in the ring from the kernel's PACKET_STATISTICS (tp_packets includes the drops). */
static void test_frames_queued(void **state) {
        static const struct {
                uint32_t packets, drops, queued;
        } t[] = {
                {0, 0, 0}, {7, 0, 7}, {7, 2, 5},
                {7, 7, 0}, {3, 5, 0}, {UINT32_MAX, 1, UINT32_MAX - 1},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
                assert_int_equal(pcap_frames_queued(t[i].packets, t[i].drops), t[i].queued);
}

/* ---- pcap { } blocks ---- */

static void test_keywords(void **state) {
        struct hsp_config *c =
                parse_ok("sflow {\n" COLL "  pcap { dev = eth0 sampling = 10 promisc = on }\n"
                         "  pcap { dev.pattern = \"veth.*\" vport = on }\n"
                         "  pcap { speed = 1G-40G sampling = 2K }\n"
                         "  PCAP { SPEED = 10G }\n"
                         "}\n");
        assert_int_equal(c->n_blocks, 4);
        const struct hsp_block *b = hsp_config_find_block(c, "pcap");
        assert_non_null(b);
        const struct pcap_conf *p = b->conf;
        assert_string_equal(p->dev, "eth0");
        assert_null(p->dev_pattern);
        assert_int_equal(p->sampling, 10);
        assert_true(p->promisc);
        assert_false(p->vport);
        assert_false(p->speed.set);
        b = b->next_same;
        p = b->conf;
        assert_string_equal(p->dev_pattern, "veth.*");
        assert_null(p->dev);
        assert_int_equal(p->sampling, 0);
        assert_false(p->promisc); /* default off */
        assert_true(p->vport);
        b = b->next_same;
        p = b->conf;
        assert_true(p->speed.set);
        assert_int_equal(p->speed.min, 1 * G);
        assert_int_equal(p->speed.max, 40 * G);
        assert_int_equal(p->sampling, 2000);
        b = b->next_same;
        p = b->conf;
        assert_int_equal(p->speed.min, 10 * G);
        assert_int_equal(p->speed.max, 10 * G);
        assert_null(b->next_same);
        hsp_config_free(c);
}

static const struct bad_case {
        const char *block;
        const char *msg; /* part of the error */
} bad_cases[] = {
        {"pcap { }", "one of dev, dev.pattern or speed is required"},
        {"pcap { sampling = 10 }", "one of dev, dev.pattern or speed is required"},
        {"pcap { dev = eth0 dev.pattern = eth }", "mutually exclusive"},
        {"pcap { dev = eth0 speed = 1G }", "mutually exclusive"},
        {"pcap { dev.pattern = eth speed = 1G- }", "mutually exclusive"},
        {"pcap { dev = eth0 sampling = 0 }", "sampling"},
        {"pcap { dev = eth0 sampling = 10000001 }", "sampling"},
        {"pcap { dev = eth0 promisc = maybe }", "promisc"},
        {"pcap { dev.pattern = \"eth[\" }", "dev.pattern"},
        {"pcap { speed = fast }", "speed"},
        {"pcap { dev = eth0 bogus = 1 }", "bogus"},
};

static void test_bad_blocks(void **state) {
        char text[512];
        for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
                struct hsp_config_error err;
                snprintf(text, sizeof text, "sflow {\n" COLL "  %s\n}\n", bad_cases[i].block);
                struct hsp_config *c = parse(text, &err);
                if (c) {
                        hsp_config_free(c);
                        fail_msg("accepted: %s", bad_cases[i].block);
                }
                if (!strstr(err.msg, bad_cases[i].msg))
                        fail_msg("%s: error '%s' does not mention '%s'", bad_cases[i].block,
                                 err.msg, bad_cases[i].msg);
                assert_int_equal(err.line, 3);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rate_rules),     cmocka_unit_test(test_bpf_sequence),
                cmocka_unit_test(test_bpf_accept_all), cmocka_unit_test(test_bpf_one_in_n),
                cmocka_unit_test(test_keywords),       cmocka_unit_test(test_bad_blocks),
                cmocka_unit_test(test_bpf_drop_all),   cmocka_unit_test(test_frames_queued),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
