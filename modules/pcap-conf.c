/* pcap-conf.c - the pcap { } block's keywords and the sampling rate rules (pure functions). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "pcap.h"

const struct hsp_keyword pcap_keywords[] = {
        {"dev", HSP_KW_STRING, offsetof(struct pcap_conf, dev), 0, 0, "an interface name"},
        {"dev.pattern", HSP_KW_REGEX, offsetof(struct pcap_conf, dev_pattern), 0, 0,
         "a regular expression over interface names"},
        {"speed", HSP_KW_SPEED_RANGE, offsetof(struct pcap_conf, speed), 0, 0,
         "a speed or range: 1G, 1G-, 0-1T, 10M-40G"},
        {"sampling", HSP_KW_UINT, offsetof(struct pcap_conf, sampling), 1, 10000000,
         "1-in-N, 1..10000000"},
        {"promisc", HSP_KW_BOOL, offsetof(struct pcap_conf, promisc), 0, 0, "on or off"},
        {"vport", HSP_KW_BOOL, offsetof(struct pcap_conf, vport), 0, 0, "on or off"},
        HSP_KEYWORDS_END,
};

const struct pcap_conf pcap_defaults = {.promisc = false, .vport = false};

int pcap_conf_validate(const void *conf, char *err, size_t errlen) {
        const struct pcap_conf *c = conf;
        int n = !!c->dev + !!c->dev_pattern + !!c->speed.set;
        if (n == 0) {
                snprintf(err, errlen, "one of dev, dev.pattern or speed is required");
                return -EINVAL;
        }
        if (n > 1) {
                snprintf(err, errlen, "dev, dev.pattern and speed are mutually exclusive");
                return -EINVAL;
        }
        return 0;
}

static bool dotted_speed(const struct hsp_config *c, uint64_t speed, uint32_t *ret) {
        /* sampling.10G and sampling.10000M store the same numeric speed; the last one wins
         * as the parser keeps one entry per suffix */
        bool found = false;
        for (size_t i = 0; speed && i < c->n_sampling_dotted; i++)
                if (c->sampling_dotted[i].speed == speed) {
                        *ret = c->sampling_dotted[i].value;
                        found = true;
                }
        return found;
}

uint32_t pcap_rate_choose(uint32_t block_sampling, const struct hsp_config *c, uint64_t speed,
                          enum pcap_rule *ret_rule) {
        enum pcap_rule rule;
        uint32_t rate, v;

        if (block_sampling) {
                rule = PCAP_RULE_BLOCK;
                rate = block_sampling;
        } else if (dotted_speed(c, speed, &v)) {
                rule = PCAP_RULE_SPEED;
                rate = v;
        } else if (speed &&
                   hsp_config_dotted(c->sampling_dotted, c->n_sampling_dotted, "bps_ratio", &v) &&
                   v > 0) {
                rule = PCAP_RULE_BPS_RATIO;
                uint64_t r = speed / v;
                rate = r == 0 ? 1 : r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
        } else if (c->sampling_set) {
                rule = PCAP_RULE_GLOBAL_SET;
                rate = c->sampling;
        } else if (speed) {
                rule = PCAP_RULE_SPEED_DEFAULT;
                uint64_t r = speed / 1000000;
                rate = r < 100 ? 100 : r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
        } else {
                rule = PCAP_RULE_GLOBAL_DEFAULT;
                rate = c->sampling;
        }
        if (ret_rule)
                *ret_rule = rule;
        return rate;
}

const char *pcap_rule_name(enum pcap_rule r) {
        switch (r) {
        case PCAP_RULE_BLOCK:
                return "pcap { sampling }";
        case PCAP_RULE_SPEED:
                return "sampling.<speed>";
        case PCAP_RULE_BPS_RATIO:
                return "sampling.bps_ratio";
        case PCAP_RULE_GLOBAL_SET:
                return "sampling";
        case PCAP_RULE_SPEED_DEFAULT:
                return "speed default (ifSpeed / 1M, at least 100)";
        case PCAP_RULE_GLOBAL_DEFAULT:
                return "default sampling, speed unknown";
        }
        return "?";
}
