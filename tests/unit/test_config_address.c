/* test_config_address.c - values that look like IP addresses must be addresses: collector ip=,
 * agentIP= and agent.cidr, good and bad, with the place and the reason of each error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

static const struct hsp_module *const no_mods[] = {NULL};

static const struct {
        const char *value;
        int kind;        /* hsp_check_address: 1 address, 0 may be a name, -EINVAL */
        const char *why; /* part of the reason, for -EINVAL */
} address_cases[] = {
        {"192.0.2.1", 1, NULL},
        {"0.0.0.0", 1, NULL},
        {"255.255.255.255", 1, NULL},
        {"::1", 1, NULL},
        {"::", 1, NULL},
        {"2001:db8::1", 1, NULL},
        {"2001:DB8:0:0:0:0:0:1", 1, NULL},
        {"::ffff:192.0.2.1", 1, NULL},
        {"fe80::1%eth0", 1, NULL},
        {"collector.example.com", 0, NULL},
        {"localhost", 0, NULL},
        {"no-such-host.invalid", 0, NULL}, /* does not resolve: accepted, resolved later */
        {"host-10.example", 0, NULL},
        {"10.1.2", -EINVAL, "3 parts; an IPv4 address has 4"},
        {"1.2.3.4.5", -EINVAL, "5 parts; an IPv4 address has 4"},
        {"123", -EINVAL, "1 part; an IPv4 address has 4"},
        {"12345", -EINVAL, "part '12345' is over 255"},
        {"256.1.1.1", -EINVAL, "part '256' is over 255"},
        {"1.2.3.1000", -EINVAL, "part '1000' is over 255"},
        {"1..2.3", -EINVAL, "an empty part"},
        {"1.2.3.4.", -EINVAL, "an empty part"},
        {"01.2.3.4", -EINVAL, "part '01' has a leading zero"},
        {"2001:db8::1::2", -EINVAL, "more than one '::'"},
        {":::", -EINVAL, "more than one '::'"},
        {"2001:db8::g1", -EINVAL, "group 'g1' is not 1 to 4 hex digits"},
        {"2001:db8:12345::1", -EINVAL, "group '12345' is not 1 to 4 hex digits"},
        {"1:2:3:4:5:6:7", -EINVAL, "7 groups; an IPv6 address has 8"},
        {"1:2:3:4:5:6:7:8:9", -EINVAL, "9 groups; an IPv6 address has 8"},
        {"1:2:3:4::5:6:7:8", -EINVAL, "8 groups and '::'"},
        {"::ffff:300.1.1.1", -EINVAL, "its IPv4 part '300.1.1.1' is not an IPv4 address"},
        {"[::1]", -EINVAL, "brackets are not part of an address"},
        {"fe80::1%", -EINVAL, "an empty zone after '%'"},
        {"%2001:db8::", -EINVAL, "no address before the zone '%'"},
        {":1::2", -EINVAL, "a single ':' at its start or end"},
        {"1::2:", -EINVAL, "a single ':' at its start or end"},
};

static void test_address_values(void **state) {
        unsigned failures = 0;
        for (size_t i = 0; i < sizeof address_cases / sizeof address_cases[0]; i++) {
                const char *v = address_cases[i].value;
                char why[96] = "", text[256];
                int kind = hsp_check_address(v, why, sizeof why);
                if (kind != address_cases[i].kind ||
                    (address_cases[i].why && !strstr(why, address_cases[i].why))) {
                        print_error("'%s': got %d '%s', expected %d '%s'\n", v, kind, why,
                                    address_cases[i].kind,
                                    address_cases[i].why ? address_cases[i].why : "");
                        failures++;
                        continue;
                }
                /* the same value as collector ip= and as agentIP=, in a file: refused at the
                 * value's line and column, or accepted and kept as written */
                static const char *const forms[] = {
                        "sflow {\n  collector { ip = %s }\n}\n",
                        "sflow {\n  agentIP = %s\n  collector { ip = 192.0.2.9 }\n}\n",
                };
                for (size_t f = 0; f < 2; f++) {
                        struct hsp_config *c = NULL;
                        struct hsp_config_error err;
                        snprintf(text, sizeof text, forms[f], v);
                        unsigned col = (unsigned)(strstr(text, "= ") + 2 - strchr(text, '\n'));
                        int r = hsp_config_parse_string(text, strlen(text), "a.conf", no_mods, &c,
                                                        &err);
                        char want[192];
                        snprintf(want, sizeof want,
                                 "a.conf:2:%u: %s: '%s' looks like an IP address "
                                 "but is not one: %s",
                                 col, f ? "agentIP" : "ip", v,
                                 address_cases[i].why ? address_cases[i].why : "");
                        if (kind < 0 ? (r != -EINVAL || strncmp(err.msg, want, strlen(want)))
                                     : (r != 0 ||
                                        strcmp(f ? c->agent_ip : c->collectors[0].ip, v))) {
                                print_error("'%s' in form %zu: got %d '%s', expected '%s'\n", v, f,
                                            r, r < 0 ? err.msg : "", kind < 0 ? want : "accepted");
                                failures++;
                        }
                        hsp_config_free(c);
                }
        }
        assert_int_equal(failures, 0);
}

static void test_cidr_values(void **state) {
        static const struct {
                const char *value, *msg; /* msg NULL: accepted */
        } t[] = {
                {"192.0.2.0/24", NULL},
                {"!10.0.0.0/8", NULL},
                {"2001:db8::/32", NULL},
                {"10.1.2/8",
                 "bad address '10.1.2/8' in agent.cidr: 3 parts; an IPv4 address has 4"},
                {"!1.2.3.4.5/8", "in agent.cidr: 5 parts"},
                {"300.0.0.0/8", "in agent.cidr: part '300' is over 255"},
                {"2001:db8::1::/64", "in agent.cidr: more than one '::'"},
                {"2001:xdb8::/32", "in agent.cidr: group 'xdb8' is not 1 to 4 hex digits"},
                {"10.0.0.0/33", "in agent.cidr: bad prefix length"},
                {"example.com/8", "in agent.cidr: not an IPv4 or IPv6 address"},
        };
        unsigned failures = 0;
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                char text[256];
                struct hsp_config *c = NULL;
                struct hsp_config_error err;
                snprintf(text, sizeof text,
                         "sflow {\n  agent.cidr = %s\n  collector { ip = ::1 }\n}\n", t[i].value);
                int r = hsp_config_parse_string(text, strlen(text), "a.conf", no_mods, &c, &err);
                if (t[i].msg ? (r != -EINVAL || err.line != 2 || err.column != 16 ||
                                !strstr(err.msg, t[i].msg))
                             : (r != 0 || c->n_agent_cidrs != 1)) {
                        print_error("'%s': got %d %u:%u '%s', expected '%s'\n", t[i].value, r,
                                    err.line, err.column, r < 0 ? err.msg : "",
                                    t[i].msg ? t[i].msg : "accepted");
                        failures++;
                }
                hsp_config_free(c);
        }
        assert_int_equal(failures, 0);
}

int main(void) {
        log_setup(HSP_LOG_STDERR, LOG_ERR);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_address_values),
                cmocka_unit_test(test_cidr_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
