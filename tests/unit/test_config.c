/* test_config.c - table-driven tests of the hsflowd.conf parser (good files, errors, lookups). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "log.h"

/* ---- Two fake modules ---- */

struct pcap_conf {
        char *dev;
        char *dev_pattern;
        struct hsp_speed_range speed;
        uint32_t sampling;
        bool promisc, vport;
};

static const struct hsp_keyword pcap_keywords[] = {
        {"dev", HSP_KW_STRING, offsetof(struct pcap_conf, dev), 0, 0, "a device name"},
        {"device", HSP_KW_STRING, offsetof(struct pcap_conf, dev), 0, 0, "a device name"},
        {"dev.pattern", HSP_KW_REGEX, offsetof(struct pcap_conf, dev_pattern), 0, 0, NULL},
        {"speed", HSP_KW_SPEED_RANGE, offsetof(struct pcap_conf, speed), 0, 0, NULL},
        {"sampling", HSP_KW_UINT, offsetof(struct pcap_conf, sampling), 0, 10000000, NULL},
        {"promisc", HSP_KW_BOOL, offsetof(struct pcap_conf, promisc), 0, 0, NULL},
        {"vport", HSP_KW_BOOL, offsetof(struct pcap_conf, vport), 0, 0, NULL},
        {"legacy", HSP_KW_IGNORED, 0, 0, 0, "no longer used"},
        HSP_KEYWORDS_END,
};

static int pcap_validate(const void *conf, char *err, size_t len) {
        const struct pcap_conf *pc = conf;
        if (pc->dev && pc->dev_pattern) {
                snprintf(err, len, "dev and dev.pattern are mutually exclusive");
                return -EINVAL;
        }
        return 0;
}

/* Module defaults: promisc on unless the block says otherwise, sampling 0 = "not given". */
static const struct pcap_conf pcap_defaults = {.promisc = true};

static const struct hsp_module pcap_module = {
        .name = "pcap",
        .keywords = pcap_keywords,
        .conf_size = sizeof(struct pcap_conf),
        .defaults = &pcap_defaults,
        .repeatable = true,
        .validate = pcap_validate,
};

struct tcp_conf {
        bool tunnel, udp;
};

static const struct hsp_keyword tcp_keywords[] = {
        {"tunnel", HSP_KW_BOOL, offsetof(struct tcp_conf, tunnel), 0, 0, NULL},
        {"udp", HSP_KW_BOOL, offsetof(struct tcp_conf, udp), 0, 0, NULL},
        HSP_KEYWORDS_END,
};

static const struct hsp_module tcp_module = {
        .name = "tcp",
        .keywords = tcp_keywords,
        .conf_size = sizeof(struct tcp_conf),
};

static const struct hsp_module *const mods[] = {&pcap_module, &tcp_module, NULL};
static const struct hsp_module *const no_mods[] = {NULL};

/* What configure would list as buildable; ovs is not, so its block is "not available". */
const char *const hsp_modules_optional[] = {"pcap", "psample", "tcp", NULL};

#define COLL "collector { ip=192.0.2.1 }\n"

static struct hsp_config *parse_ok(const char *text, const struct hsp_module *const *m) {
        struct hsp_config *c = NULL;
        struct hsp_config_error err;
        int r = hsp_config_parse_string(text, strlen(text), "test.conf", m, &c, &err);
        if (r < 0)
                fail_msg("unexpected error %d: %s\n--- input ---\n%s", r, err.msg, text);
        assert_non_null(c);
        return c;
}

/* ---- Checks of the good inputs ---- */

static void chk_minimal(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 400);
        assert_int_equal(c->polling, 30);
        assert_int_equal(c->header_bytes, 128);
        assert_int_equal(c->datagram_bytes, 1400);
        assert_int_equal(c->sub_agent_id, 100000);
        assert_int_equal(c->refresh_adaptors, 180);
        assert_int_equal(c->check_adaptors, 10);
        assert_int_equal(c->refresh_vms, 60);
        assert_int_equal(c->forget_vms, 180);
        assert_false(c->sampling_set);
        assert_false(c->polling_set);
        assert_int_equal(c->n_collectors, 1);
        assert_string_equal(c->collectors[0].ip, "127.0.0.1");
        assert_int_equal(c->collectors[0].udpport, 6343);
        assert_null(c->collectors[0].dev);
        assert_false(c->dns_sd);
        assert_int_equal(c->n_blocks, 0);
        assert_string_equal(c->path, "test.conf");
}

static void chk_all_keywords(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 512);
        assert_true(c->sampling_set);
        assert_int_equal(c->polling, 20);
        assert_true(c->polling_set);
        assert_int_equal(c->header_bytes, 256);
        assert_int_equal(c->datagram_bytes, 8192);
        assert_int_equal(c->sub_agent_id, 5);
        assert_int_equal(c->refresh_adaptors, 300);
        assert_int_equal(c->check_adaptors, 1);
        assert_int_equal(c->refresh_vms, 3600);
        assert_int_equal(c->forget_vms, 600);
        assert_string_equal(c->agent_ip, "10.1.2.3");
        assert_string_equal(c->agent_dev, "eth0");
        assert_string_equal(c->uuid, "0123abcd-4567-89ab-cdef-0123456789ab");
        assert_string_equal(c->modules_path, "/usr/lib/hsflowd/modules");
        assert_int_equal(c->n_agent_cidrs, 3);
        assert_int_equal(c->agent_cidrs[0].family, AF_INET);
        assert_int_equal(c->agent_cidrs[0].prefix, 8);
        assert_int_equal(c->agent_cidrs[0].addr[0], 10);
        assert_false(c->agent_cidrs[0].exclude);
        assert_true(c->agent_cidrs[1].exclude);
        assert_int_equal(c->agent_cidrs[1].prefix, 16);
        assert_int_equal(c->agent_cidrs[2].family, AF_INET6);
        assert_int_equal(c->agent_cidrs[2].prefix, 32);
        assert_int_equal(c->agent_cidrs[2].addr[0], 0x20);
}

static void chk_aliases(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 1000);
        assert_true(c->sampling_set);
        assert_int_equal(c->polling, 0);
        assert_true(c->polling_set);
}

static void chk_deprecated(const struct hsp_config *c) {
        assert_true(c->dns_sd);
        assert_string_equal(c->dns_sd_domain, ".example.com");
        assert_int_equal(c->n_collectors, 0);
        assert_int_equal(c->json_port, 36343);
        assert_string_equal(c->json_fifo, "/tmp/fifo");
}

static void chk_suffixes(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 2000000);
        assert_int_equal(c->datagram_bytes, 1000);
        assert_int_equal(c->sub_agent_id, 16);
}

static void chk_dotted(const struct hsp_config *c) {
        assert_int_equal(c->n_sampling_dotted, 6);
        assert_string_equal(c->sampling_dotted[0].suffix, "100m");
        assert_int_equal(c->sampling_dotted[0].speed, 100000000ull);
        assert_int_equal(c->sampling_dotted[0].value, 100);
        assert_string_equal(c->sampling_dotted[1].suffix, "10g");
        assert_int_equal(c->sampling_dotted[1].speed, 10000000000ull);
        assert_int_equal(c->sampling_dotted[1].value, 10000);
        assert_string_equal(c->sampling_dotted[2].suffix, "bps_ratio");
        assert_int_equal(c->sampling_dotted[2].speed, 0);
        assert_int_equal(c->sampling_dotted[2].value, 0);
        assert_string_equal(c->sampling_dotted[3].suffix, "http");
        assert_int_equal(c->sampling_dotted[3].value, 60); /* given twice: last wins */
        assert_string_equal(c->sampling_dotted[4].suffix, "app.myapp");
        assert_string_equal(c->sampling_dotted[5].suffix, "1t");
        assert_int_equal(c->sampling_dotted[5].speed, 1000000000000ull);
        assert_int_equal(c->sampling_dotted[5].line, 7);
        assert_int_equal(c->n_polling_dotted, 2);
        assert_string_equal(c->polling_dotted[0].suffix, "app.myapp");
        assert_int_equal(c->polling_dotted[0].value, 10);
        assert_string_equal(c->polling_dotted[1].suffix, "http");
        assert_int_equal(c->polling_dotted[1].value, 300);
}

static void chk_lexical(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 7);
        assert_int_equal(c->polling, 9);
        assert_int_equal(c->n_collectors, 2);
        assert_string_equal(c->collectors[0].ip, "192.0.2.7");
        assert_int_equal(c->collectors[0].udpport, 9999);
        assert_string_equal(c->collectors[1].ip, "host#1.example.com");
        const struct hsp_block *b = hsp_config_find_block(c, "pcap");
        assert_non_null(b);
        const struct pcap_conf *pc = b->conf;
        assert_string_equal(pc->dev_pattern, "^(eth|en)[0-9]{1,2} #x; \"q\"");
}

static void chk_collectors(const struct hsp_config *c) {
        assert_int_equal(c->n_collectors, 3);
        assert_string_equal(c->collectors[0].ip, "192.0.2.1");
        assert_int_equal(c->collectors[0].udpport, 6343);
        assert_int_equal(c->collectors[0].line, 2);
        assert_string_equal(c->collectors[1].ip, "2001:db8::1");
        assert_int_equal(c->collectors[1].udpport, 1);
        assert_string_equal(c->collectors[1].dev, "mgmt");
        assert_string_equal(c->collectors[2].ip, "collector.example.com");
        assert_int_equal(c->collectors[2].udpport, 65535);
        assert_string_equal(c->collectors[2].namespace, "monitoring");
        assert_null(c->collectors[2].dev);
}

static void chk_dnssd(const struct hsp_config *c) {
        assert_true(c->dns_sd);
        assert_int_equal(c->n_collectors, 0);
}

static void chk_dnssd_domain(const struct hsp_config *c) {
        assert_true(c->dns_sd);
        assert_string_equal(c->dns_sd_domain, ".example.org");
}

static void chk_modules(const struct hsp_config *c) {
        assert_int_equal(c->n_blocks, 4);
        const struct hsp_block *b = hsp_config_find_block(c, "PCAP");
        assert_ptr_equal(b, &c->blocks[0]);
        assert_ptr_equal(b->module, &pcap_module);
        const struct pcap_conf *p0 = b->conf;
        assert_string_equal(p0->dev, "eth0");
        assert_true(p0->promisc);
        assert_false(p0->vport);
        assert_int_equal(p0->sampling, 1000);
        assert_ptr_equal(b->next_same, &c->blocks[2]);
        const struct pcap_conf *p1 = b->next_same->conf;
        assert_string_equal(p1->dev, "eth1"); /* alias "device" */
        assert_true(p1->vport);
        const struct hsp_block *t = hsp_config_find_block(c, "tcp");
        assert_ptr_equal(t, &c->blocks[1]);
        assert_null(t->next_same);
        const struct tcp_conf *tc = t->conf;
        assert_true(tc->tunnel);
        assert_false(tc->udp);
        const struct hsp_block *b3 = b->next_same->next_same;
        assert_ptr_equal(b3, &c->blocks[3]);
        assert_null(b3->next_same);
        assert_int_equal(b3->line, 5);
        const struct pcap_conf *p3 = b3->conf;
        assert_string_equal(p3->dev_pattern, "^en.*");
        assert_true(p3->promisc); /* from the module's defaults */
        assert_true(p1->promisc);
        assert_null(hsp_config_find_block(c, "docker"));
}

static void chk_speeds(const struct hsp_config *c) {
        static const struct hsp_speed_range want[] = {
                {1000000000ull, 1000000000ull, true}, {1000000000ull, UINT64_MAX, true},
                {0, 1000000000000ull, true},          {10000000ull, 40000000000ull, true},
                {1000ull, 1000000000000000ull, true}, {100, 100, true},
        };
        size_t i = 0;
        for (const struct hsp_block *b = hsp_config_find_block(c, "pcap"); b;
             b = b->next_same, i++) {
                const struct pcap_conf *pc = b->conf;
                assert_true(i < sizeof want / sizeof want[0]);
                assert_int_equal(pc->speed.min, want[i].min);
                assert_int_equal(pc->speed.max, want[i].max);
                assert_true(pc->speed.set);
        }
        assert_int_equal(i, sizeof want / sizeof want[0]);
}

static void chk_case(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 123);
        assert_int_equal(c->header_bytes, 64);
        assert_true(c->dns_sd);
        assert_string_equal(c->collectors[0].ip, "192.0.2.9");
        assert_int_equal(c->collectors[0].udpport, 7000);
        assert_non_null(hsp_config_find_block(c, "tcp"));
}

static void chk_last_wins(const struct hsp_config *c) {
        assert_int_equal(c->sampling, 20);
        assert_string_equal(c->agent_dev, "eth2");
}

static void chk_operator(const struct hsp_config *c) {
        assert_int_equal(c->polling, 20);
        assert_int_equal(c->sampling, 400);
        assert_int_equal(c->n_agent_cidrs, 1);
        assert_int_equal(c->n_collectors, 2);
        assert_int_equal(c->collectors[1].udpport, 6344);
        assert_int_equal(c->n_sampling_dotted, 5);
        assert_int_equal(c->n_blocks, 4);
        const struct pcap_conf *pc = hsp_config_find_block(c, "pcap")->conf;
        assert_int_equal(pc->speed.min, 1000000000ull);
        assert_int_equal(pc->speed.max, 1000000000000ull);
}

struct good_case {
        const char *name;
        const char *text;
        bool with_modules;
        void (*check)(const struct hsp_config *c);
};

static const struct good_case good_cases[] = {
        {"minimal", "sflow { collector { ip=127.0.0.1 } }", false, chk_minimal},
        {"adjacent braces", "sflow{collector{ip=127.0.0.1}}", false, chk_minimal},
        {"final brace missing (accepted like the reference)",
         "sflow {\n collector { ip=127.0.0.1 }\n", false, chk_minimal},
        {"every keyword",
         "sflow {\n sampling=512 polling=20 headerBytes=256 datagramBytes=8192 subAgentId=5\n"
         " refreshAdaptors=300 checkAdaptors=1 refreshVMs=3600 forgetVMs=600\n"
         " agentIP=10.1.2.3 agent=eth0 uuid=0123ABCD-4567-89ab-cdef-0123456789ab\n"
         " modules=/usr/lib/hsflowd/modules\n"
         " agent.cidr=10.0.0.0/8 agent.cidr=!172.17.0.0/16 agent.cidr=2001:db8::/32\n" COLL "}",
         false, chk_all_keywords},
        {"aliases", "sflow { packetSamplingRate=1000 counterPollingInterval=0 " COLL "}", false,
         chk_aliases},
        {"deprecated keywords",
         "sflow {\n DNSSD=on DNSSD_domain=.example.com ulogGroup=1 ulogProbability=0.01\n"
         " nflogGroup=5 nflogProbability=0.0025 jsonPort=36343 jsonFIFO=/tmp/fifo\n"
         " xen.update.dominfo=on xen.dsk=off loopback=on samplingDirection=in\n}",
         false, chk_deprecated},
        {"number suffixes", "sflow { sampling=2M datagramBytes=1k subAgentId=0x10 " COLL "}", false,
         chk_suffixes},
        {"dotted wildcards",
         "sflow {\n sampling.100M=100\n sampling.10G=10K\n sampling.bps_ratio=0\n"
         " sampling.http=50 polling.app.myapp=10\n sampling.app.myapp=100 polling.http=300\n"
         " sampling.1T=1 sampling.HTTP=60\n" COLL "}",
         false, chk_dotted},
        {"comments quotes separators CRLF",
         "# leading comment\r\nsflow { # open\r\n  sampling = 7 ; polling=9;\r\n"
         "  collector { ip=192.0.2.7; udpport=9999 } # done\r\n"
         "  collector { ip=\"host#1.example.com\" }\r\n"
         "  pcap { dev.pattern = \"^(eth|en)[0-9]{1,2} #x; \\\"q\\\"\" }\r\n}\r\n# end",
         true, chk_lexical},
        {"collectors",
         "sflow {\n collector { ip=192.0.2.1 }\n"
         " collector { ip=2001:db8::1 udpport=1 dev=mgmt }\n"
         " collector {\n  ip = collector.example.com\n  udpport = 65535\n"
         "  namespace = monitoring\n }\n}",
         false, chk_collectors},
        {"dns-sd instead of collectors", "sflow { dns-sd { } }", false, chk_dnssd},
        {"dns-sd domain", "sflow { DNS-SD { domain=.example.org } }", false, chk_dnssd_domain},
        {"module blocks",
         "sflow {\n pcap { dev=eth0 promisc=on vport=off sampling=1K legacy=x }\n"
         " tcp { tunnel=yes udp=false }\n pcap { device=eth1 vport=1 dev=eth1 }\n"
         " pcap { dev.pattern=\"^en.*\" }\n" COLL "}",
         true, chk_modules},
        {"speed ranges",
         "sflow {\n pcap { speed=1G }\n pcap { speed=1G- }\n pcap { speed=0-1T }\n"
         " pcap { speed=10M-40G }\n pcap { speed=1k-1p }\n pcap { speed=100 }\n" COLL "}",
         true, chk_speeds},
        {"case insensitive",
         "SFLOW {\n SAMPLING=123 HeaderBytes=64\n Collector { IP=192.0.2.9 UDPPort=7000 }\n"
         " Dns-Sd { Domain=x }\n TCP { Tunnel=ON }\n}",
         true, chk_case},
        {"last one wins", "sflow { sampling=10 agent=eth1 sampling=20 agent=eth2 " COLL "}", false,
         chk_last_wins},
        {"operator file",
         "# hsflowd configuration file\n"
         "# http://sflow.net/host-sflow-linux-config.php\n\n"
         "sflow {\n"
         "  # ======  Agent IP selection ======\n"
         "  agent.cidr = 10.0.0.0/8\n"
         "  # ====== Sampling/Polling/Collectors ======\n"
         "  polling = 20\n"
         "  sampling = 400\n"
         "  sampling.100M = 100\n"
         "  sampling.1G = 1000\n"
         "  sampling.10G = 10000\n"
         "  sampling.40G = 40000\n"
         "  sampling.http = 50\n"
         "  collector { ip=127.0.0.1 udpport=6343 }\n"
         "  collector { ip=10.0.0.50 udpport=6344 }\n"
         "  # ====== Local configuration ======\n"
         "  # PCAP+BPF packet-sampling:\n"
         "  pcap { speed=1G-1T }\n"
         "  pcap { dev = docker0 }\n"
         "  pcap { dev = eth0 }\n"
         "  # TCP round-trip-time/loss/jitter\n"
         "  tcp { }\n"
         "}\n",
         true, chk_operator},
};

static void test_good(void **state) {
        for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
                const struct good_case *g = &good_cases[i];
                print_message("good: %s\n", g->name);
                struct hsp_config *c = parse_ok(g->text, g->with_modules ? mods : no_mods);
                g->check(c);
                hsp_config_free(c);
        }
}

/* ---- Errors: one per class ---- */

struct bad_case {
        const char *name;
        const char *text;
        bool with_modules;
        unsigned line, column;
        const char *msg;
};

static char long_line[HSP_CONF_MAX_LINE + 64];
static char long_token[HSP_CONF_MAX_TOKEN + 64];

static const struct bad_case bad_cases[] = {
        {"unknown keyword, suggestion", "sflow {\n  samplng = 10\n" COLL "}", false, 2, 3,
         "test.conf:2:3: samplng: unknown keyword (did you mean 'sampling'?)"},
        {"unknown keyword", "sflow { frobnicate=1 " COLL "}", false, 1, 9,
         "frobnicate: unknown keyword"},
        {"unknown block", "sflow { frob { } " COLL "}", false, 1, 9, "frob: unknown block"},
        {"unknown block keyword", "sflow {\n collector { ipp=192.0.2.1 } }", false, 2, 14,
         "ipp: unknown keyword in collector block (did you mean 'ip'?) (allowed: ip udpport dev "
         "namespace)"},
        {"value missing", "sflow { " COLL " sampling }", false, 2, 2, "sampling: value missing"},
        {"value missing in block", "sflow { collector { ip } }", false, 1, 21, "ip: value missing"},
        {"out of range", "sflow { sampling=10000001 " COLL "}", false, 1, 18,
         "sampling: value 10000001 out of range (allowed: 0..10000000)"},
        {"out of range with suffix", "sflow { headerBytes=1K " COLL "}", false, 1, 21,
         "out of range (allowed: 0..256)"},
        {"below range", "sflow { datagramBytes=199 " COLL "}", false, 1, 23,
         "(allowed: 200..8192)"},
        {"port out of range", "sflow { collector { ip=x udpport=65536 } }", false, 1, 34,
         "udpport: value 65536 out of range (allowed: 1..65535)"},
        {"dotted out of range", "sflow { polling.app.x=301 " COLL "}", false, 1, 23,
         "polling.app.x: value 301 out of range (allowed: 0..300)"},
        {"dotted without suffix", "sflow { sampling.=5 " COLL "}", false, 1, 9,
         "sampling.: missing suffix"},
        {"bad number", "sflow { polling=abc " COLL "}", false, 1, 17, "bad number 'abc'"},
        {"bad number suffix", "sflow { polling=30s " COLL "}", false, 1, 17, "bad number '30s'"},
        {"huge number", "sflow { sampling=99999999999999999999999 " COLL "}", false, 1, 18,
         "out of range"},
        {"bad boolean", "sflow { tcp { tunnel=maybe } " COLL "}", true, 1, 22,
         "tunnel: bad boolean 'maybe' (allowed: on off)"},
        {"bad cidr", "sflow { agent.cidr=10.0.0/8 " COLL "}", false, 1, 20,
         "agent.cidr: bad address '10.0.0/8' in agent.cidr"},
        {"bad cidr prefix", "sflow { agent.cidr=10.0.0.0/33 " COLL "}", false, 1, 20,
         "bad address"},
        {"stacked repetitions", "sflow { pcap { dev.pattern=\"^(e+++++th|en)\" } " COLL "}", true,
         1, 28, "dev.pattern: bad regex '^(e+++++th|en)': repetition operators in a row"},
        {"repetition bounds", "sflow { pcap { dev.pattern=\"((a{100}){100})\" } " COLL "}", true, 1,
         28, "repetition bounds too large"},
        {"bad regex", "sflow { pcap { dev.pattern=\"eth[\" } " COLL "}", true, 1, 28,
         "dev.pattern: bad regex 'eth[': "},
        {"bad speed range", "sflow { pcap { speed=1G-100M } " COLL "}", true, 1, 22,
         "speed: bad speed range '1G-100M'"},
        {"bad speed", "sflow { pcap { speed=fast } " COLL "}", true, 1, 22, "bad speed range"},
        {"bad uuid", "sflow { uuid=1234 " COLL "}", false, 1, 14, "uuid: bad UUID '1234'"},
        {"unterminated quote", "sflow {\n pcap { dev.pattern=\"eth.* }\n}", true, 2, 21,
         "dev.pattern: unterminated quote"},
        {"extra closing brace", "sflow { " COLL "} }", false, 2, 3,
         "}: unbalanced braces: no block is open"},
        {"missing closing brace", "sflow {\n collector { ip=x\n", false, 2, 2,
         "collector: unbalanced braces: the block opened here at 2:12 has no closing '}'"},
        {"too deep", "sflow { pcap { x { y { } } } }", true, 1, 22, "y: too deep nesting"},
        {"line too long", long_line, false, 2, HSP_CONF_MAX_LINE + 1,
         "line: line too long (allowed: 2048 bytes)"},
        {"token too long", long_token, false, 1, 17, "agent: token too long (allowed: 255 bytes)"},
        {"duplicate block", "sflow {\n tcp { }\n " COLL " tcp { }\n}", true, 4, 2,
         "tcp: duplicate block, the first is at line 2 (allowed: one tcp block)"},
        {"duplicate dns-sd", "sflow { dns-sd { }\n dns-sd { } }", false, 2, 2,
         "dns-sd: duplicate block, the first is at line 1"},
        {"empty file", "# nothing\n", false, 1, 1, "missing 'sflow {'"},
        {"no sflow", COLL, false, 1, 1, "collector: missing 'sflow {'"},
        {"sflow without brace", "sflow collector", false, 1, 1, "missing '{' after sflow"},
        {"second sflow", "sflow { " COLL "}\nsflow { " COLL "}", false, 3, 1,
         "sflow: second sflow block (allowed: exactly one)"},
        {"trailing token", "sflow { " COLL "} extra", false, 2, 3, "extra: unexpected after"},
        {"no collector", "sflow {\n sampling=1\n}\n", false, 3, 1,
         "test.conf:3:1: sflow: no collector defined"},
        {"collector without ip", "sflow { collector { udpport=1 } }", false, 1, 9,
         "collector: ip is required"},
        {"module not built", "sflow {\n  pcap { dev.pattern=\"}{\" }\n" COLL "}", false, 2, 3,
         "pcap: module 'pcap' is not built into this hsflowd: rebuild with ./configure "
         "--enable-pcap"},
        {"module not built, no brace", "sflow { psample=1 " COLL "}", false, 1, 9,
         "./configure --enable-psample"},
        {"module not in this version", "sflow {\n ovs { }\n" COLL "}", false, 2, 2,
         "ovs: module 'ovs' is not available in this version of hsflowd"},
        {"network OS block", "sflow { sonic { unixsock=on } " COLL "}", false, 1, 9,
         "sonic: block 'sonic' is not supported by this agent"},
        {"validate", "sflow { pcap { dev=eth0 dev.pattern=x } " COLL "}", true, 1, 9,
         "pcap: dev and dev.pattern are mutually exclusive"},
        {"keyword used as block", "sflow { collector { ip { } } }", false, 1, 21,
         "ip: not a block (allowed in collector: ip udpport dev namespace)"},
        {"anonymous block", "sflow { { } " COLL "}", false, 1, 9, "sflow: unexpected '{'"},
        {"block without brace", "sflow { collector ip=1 }", false, 1, 9,
         "collector: expected '{' after collector"},
        {"setting as block", "sflow { sampling { } " COLL "}", false, 1, 9,
         "sampling: unknown block"},
};

static void test_bad(void **state) {
        /* 2049 bytes on line 2, and a 256-byte token */
        snprintf(long_line, sizeof long_line, "sflow {\n%-*s\n" COLL "}", HSP_CONF_MAX_LINE + 1,
                 "#");
        snprintf(long_token, sizeof long_token, "sflow { agent = %0*d\n" COLL "}",
                 HSP_CONF_MAX_TOKEN + 1, 0);
        unsigned failures = 0;
        for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
                const struct bad_case *b = &bad_cases[i];
                struct hsp_config *c = NULL;
                struct hsp_config_error err;
                char prefix[64];
                print_message("bad: %s\n", b->name);
                int r = hsp_config_parse_string(b->text, strlen(b->text), "test.conf",
                                                b->with_modules ? mods : no_mods, &c, &err);
                snprintf(prefix, sizeof prefix, "test.conf:%u:%u: ", b->line, b->column);
                if (r != -EINVAL || c) {
                        print_error("%s: expected -EINVAL, got %d\n", b->name, r);
                        hsp_config_free(c);
                        failures++;
                } else if (!strstr(err.msg, b->msg) || err.line != b->line ||
                           err.column != b->column || strncmp(err.msg, prefix, strlen(prefix))) {
                        print_error("%s: got %u:%u '%s', expected %u:%u '%s'\n", b->name, err.line,
                                    err.column, err.msg, b->line, b->column, b->msg);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_nul_byte(void **state) {
        static const char text[] = "sflow { collector { ip=1\0 } }";
        struct hsp_config *c = NULL;
        struct hsp_config_error err;
        assert_int_equal(hsp_config_parse_string(text, sizeof text - 1, "n", no_mods, &c, &err),
                         -EINVAL);
        assert_int_equal(err.column, 25);
        assert_non_null(strstr(err.msg, "NUL byte"));
}

/* ---- Limits: the largest line and token are accepted ---- */

static void test_limits(void **state) {
        char text[HSP_CONF_MAX_LINE * 2];
        /* a 255-byte device name */
        snprintf(text, sizeof text, "sflow { agent = %0*d\n" COLL "}", HSP_CONF_MAX_TOKEN, 0);
        struct hsp_config *c = parse_ok(text, no_mods);
        assert_int_equal(strlen(c->agent_dev), HSP_CONF_MAX_TOKEN);
        hsp_config_free(c);
        /* a line of exactly 2048 bytes, ended by CRLF */
        snprintf(text, sizeof text, "sflow {\r\n%-*s\r\n" COLL "}", HSP_CONF_MAX_LINE, "#");
        c = parse_ok(text, no_mods);
        assert_int_equal(c->collectors[0].line, 3);
        hsp_config_free(c);
}

/* ---- Deepest-match lookups ---- */

struct dotted_case {
        const char *query;
        bool found;
        uint32_t value;
};

static const struct dotted_case dotted_cases[] = {
        {"app", true, 1},
        {"app.nginx", true, 2},
        {"APP.Nginx", true, 2},
        {"app.nginx.worker", true, 3},
        {"app.nginx.worker.x.y", true, 3},
        {"app.nginx.other", true, 2},
        {"app.nginxplus", true, 1}, /* "app.nginx" only matches up to a '.' */
        {"app.other", true, 1},
        {"apple", false, 0},
        {"http", true, 50},
        {"10G", true, 10000},
        {"10g", true, 10000},
        {"10000M", true, 10000}, /* same speed written differently */
        {"1G", true, 1000},
        {"1000000000", true, 1000},
        {"40G", false, 0},
        {"", false, 0},
};

static void test_dotted(void **state) {
        struct hsp_config *c =
                parse_ok("sflow { sampling.app=1 sampling.app.nginx=2 sampling.app.nginx.worker=3 "
                         "sampling.http=50 sampling.10G=10000 sampling.1G=1000 " COLL "}",
                         no_mods);
        for (size_t i = 0; i < sizeof dotted_cases / sizeof dotted_cases[0]; i++) {
                const struct dotted_case *d = &dotted_cases[i];
                uint32_t v = 12345;
                bool found =
                        hsp_config_dotted(c->sampling_dotted, c->n_sampling_dotted, d->query, &v);
                if (found != d->found || (found && v != d->value))
                        fail_msg("query '%s': found=%d value=%u, expected %d %u", d->query, found,
                                 v, d->found, d->value);
                if (!found)
                        assert_int_equal(v, 12345);
        }
        assert_false(hsp_config_dotted(c->polling_dotted, c->n_polling_dotted, "app", NULL));
        hsp_config_free(c);
}

/* ---- Value readers ---- */

struct scaled_case {
        const char *s;
        int r;
        uint64_t v;
};

static const struct scaled_case scaled_cases[] = {
        {"0", 0, 0},
        {"400", 0, 400},
        {"1K", 0, 1000},
        {"1k", 0, 1000},
        {"100M", 0, 100000000},
        {"10G", 0, 10000000000ull},
        {"2T", 0, 2000000000000ull},
        {"1P", 0, 1000000000000000ull},
        {"0x20", 0, 32},
        {"18446744073709551615", 0, UINT64_MAX},
        {"18446744073709551616", -ERANGE, 0},
        {"20000P", -ERANGE, 0},
        {"", -EINVAL, 0},
        {"K", -EINVAL, 0},
        {"-1", -EINVAL, 0},
        {"1.5G", -EINVAL, 0},
        {"1KB", -EINVAL, 0},
        {"1X", -EINVAL, 0},
        {" 1", -EINVAL, 0},
};

static void test_scaled(void **state) {
        for (size_t i = 0; i < sizeof scaled_cases / sizeof scaled_cases[0]; i++) {
                uint64_t v = 7;
                int r = hsp_parse_scaled(scaled_cases[i].s, &v);
                if (r != scaled_cases[i].r)
                        fail_msg("'%s': r=%d, expected %d", scaled_cases[i].s, r,
                                 scaled_cases[i].r);
                assert_int_equal(v, r == 0 ? scaled_cases[i].v : 7);
        }
}

static void test_uuid_forms(void **state) {
        char out[37];
        assert_int_equal(hsp_parse_uuid("0123456789ABCDEF0123456789abcdef", out), 0);
        assert_string_equal(out, "01234567-89ab-cdef-0123-456789abcdef");
        assert_int_equal(hsp_parse_uuid("01234567-89ab-cdef-0123-456789abcdeg", out), -EINVAL);
        assert_int_equal(hsp_parse_uuid("0123456-789ab-cdef-0123-456789abcdef", out), -EINVAL);
        struct hsp_cidr cidr;
        assert_int_equal(hsp_parse_cidr("192.0.2.1", &cidr), 0);
        assert_int_equal(cidr.prefix, 32);
        assert_int_equal(hsp_parse_cidr("!::1", &cidr), 0);
        assert_true(cidr.exclude);
        assert_int_equal(cidr.prefix, 128);
        assert_int_not_equal(hsp_parse_cidr("10.0.0.0/", &cidr), 0);
        assert_int_not_equal(hsp_parse_cidr("!", &cidr), 0);
}

/* ---- Files ---- */

static void test_shipped_file(void **state) {
        const char *srcdir = getenv("srcdir");
        char path[4096];
        struct hsp_config *c = NULL;
        struct hsp_config_error err;
        snprintf(path, sizeof path, "%s/etc/hsflowd.conf", srcdir ? srcdir : ".");
        int r = hsp_config_parse_file(path, mods, &c, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(c->n_collectors, 1);
        assert_string_equal(c->collectors[0].ip, "127.0.0.1");
        assert_int_equal(c->collectors[0].udpport, 6343);
        assert_string_equal(c->path, path);
        hsp_config_free(c);
}

static void test_missing_file(void **state) {
        struct hsp_config *c = NULL;
        struct hsp_config_error err;
        assert_int_equal(hsp_config_parse_file("/nonexistent/hsflowd.conf", mods, &c, &err),
                         -ENOENT);
        assert_null(c);
        assert_int_equal(err.line, 0);
        assert_non_null(strstr(err.msg, "/nonexistent/hsflowd.conf: cannot read"));
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_ERR); /* deprecation warnings are expected here */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),         cmocka_unit_test(test_bad),
                cmocka_unit_test(test_nul_byte),     cmocka_unit_test(test_dotted),
                cmocka_unit_test(test_scaled),       cmocka_unit_test(test_uuid_forms),
                cmocka_unit_test(test_shipped_file), cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
