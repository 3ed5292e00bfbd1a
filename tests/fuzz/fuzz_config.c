/* fuzz_config.c - libFuzzer harness: parse any input as hsflowd.conf, with and without modules. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "log.h"

struct fake_conf {
        char *dev;
        char *pattern;
        struct hsp_speed_range speed;
        uint32_t sampling;
        bool flag;
};

static const struct hsp_keyword fake_keywords[] = {
        {"dev", HSP_KW_STRING, offsetof(struct fake_conf, dev), 0, 0, NULL},
        {"device", HSP_KW_STRING, offsetof(struct fake_conf, dev), 0, 0, NULL},
        {"dev.pattern", HSP_KW_REGEX, offsetof(struct fake_conf, pattern), 0, 0, NULL},
        {"speed", HSP_KW_SPEED_RANGE, offsetof(struct fake_conf, speed), 0, 0, NULL},
        {"sampling", HSP_KW_UINT, offsetof(struct fake_conf, sampling), 1, 1000, NULL},
        {"promisc", HSP_KW_BOOL, offsetof(struct fake_conf, flag), 0, 0, NULL},
        {"legacy", HSP_KW_IGNORED, 0, 0, 0, NULL},
        HSP_KEYWORDS_END,
};

static int fake_validate(const void *conf, char *err, size_t len) {
        const struct fake_conf *c = conf;
        if (c->dev && c->pattern) {
                snprintf(err, len, "dev and dev.pattern are mutually exclusive");
                return -1;
        }
        return 0;
}

static const struct hsp_module pcap = {.name = "pcap",
                                       .keywords = fake_keywords,
                                       .conf_size = sizeof(struct fake_conf),
                                       .repeatable = true,
                                       .validate = fake_validate};
static const struct hsp_module tcp = {
        .name = "tcp", .keywords = fake_keywords, .conf_size = sizeof(struct fake_conf)};
static const struct hsp_module empty = {.name = "kvm"};

static const struct hsp_module *const none[] = {NULL};
static const struct hsp_module *const some[] = {&pcap, &tcp, &empty, NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        log_setup(HSP_LOG_STDERR, LOG_ERR);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const struct hsp_module *const *tables[] = {none, some};
        for (size_t i = 0; i < 2; i++) {
                struct hsp_config *c = NULL;
                struct hsp_config_error err;
                if (hsp_config_parse_string((const char *)data, size, "fuzz.conf", tables[i], &c,
                                            &err) == 0) {
                        uint32_t v;
                        hsp_config_dotted(c->sampling_dotted, c->n_sampling_dotted, "app.x.y", &v);
                        hsp_config_dotted(c->polling_dotted, c->n_polling_dotted, "10G", &v);
                        hsp_config_free(c);
                }
        }
        return 0;
}
