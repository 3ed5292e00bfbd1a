/* config-keywords.c - keyword tables of the core blocks, value readers and dotted lookups. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "config.h"

#define CONF(f) offsetof(struct hsp_config, f)
#define COLL(f) offsetof(struct hsp_collector_conf, f)

/* clang-format off */
/* Plain settings, their aliases (same offset) and the deprecated keywords of the reference. */
const struct hsp_conf_keyword hsp_conf_keywords[] = {
        {{"sampling", HSP_KW_UINT, CONF(sampling), 0, 10000000, NULL},
         HSP_DEFAULT_SAMPLING, CONF(sampling_set), HSP_CONF_PLAIN, NULL},
        {{"packetSamplingRate", HSP_KW_UINT, CONF(sampling), 0, 10000000, NULL},
         HSP_DEFAULT_SAMPLING, CONF(sampling_set), HSP_CONF_PLAIN, NULL},
        {{"polling", HSP_KW_UINT, CONF(polling), 0, 300, "0..300 seconds, 0 = off"},
         HSP_DEFAULT_POLLING, CONF(polling_set), HSP_CONF_PLAIN, NULL},
        {{"counterPollingInterval", HSP_KW_UINT, CONF(polling), 0, 300, "0..300 seconds, 0 = off"},
         HSP_DEFAULT_POLLING, CONF(polling_set), HSP_CONF_PLAIN, NULL},
        {{"headerBytes", HSP_KW_UINT, CONF(header_bytes), 0, 256, NULL},
         HSP_DEFAULT_HEADER_BYTES, 0, HSP_CONF_PLAIN, NULL},
        {{"datagramBytes", HSP_KW_UINT, CONF(datagram_bytes), 200, 8192, NULL},
         HSP_DEFAULT_DATAGRAM_BYTES, 0, HSP_CONF_PLAIN, NULL},
        {{"subAgentId", HSP_KW_UINT, CONF(sub_agent_id), 0, 199999, NULL},
         HSP_DEFAULT_SUB_AGENT_ID, 0, HSP_CONF_PLAIN, NULL},
        {{"refreshAdaptors", HSP_KW_UINT, CONF(refresh_adaptors), 60, 3600, NULL},
         180, 0, HSP_CONF_PLAIN, NULL},
        {{"checkAdaptors", HSP_KW_UINT, CONF(check_adaptors), 1, 3600, NULL},
         10, 0, HSP_CONF_PLAIN, NULL},
        {{"refreshVMs", HSP_KW_UINT, CONF(refresh_vms), 60, 3600, NULL},
         60, 0, HSP_CONF_PLAIN, NULL},
        {{"forgetVMs", HSP_KW_UINT, CONF(forget_vms), 60, UINT32_MAX, NULL},
         180, 0, HSP_CONF_PLAIN, NULL},
        {{"agentIP", HSP_KW_HOST, CONF(agent_ip), 0, 0, "an address or host name"},
         0, 0, HSP_CONF_PLAIN, NULL},
        {{"agent", HSP_KW_STRING, CONF(agent_dev), 0, 0, "a device name"},
         0, 0, HSP_CONF_PLAIN, NULL},
        {{"agent.cidr", HSP_KW_STRING, 0, 0, 0, "[!]address/prefix, IPv4 or IPv6"},
         0, 0, HSP_CONF_CIDR, NULL},
        {{"uuid", HSP_KW_STRING, CONF(uuid), 0, 0, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
         0, 0, HSP_CONF_UUID, NULL},
        {{"modules", HSP_KW_STRING, CONF(modules_path), 0, 0, "a directory"},
         0, 0, HSP_CONF_PLAIN, NULL},
        /* deprecated */
        {{"DNSSD", HSP_KW_BOOL, CONF(dns_sd), 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "dns-sd { } (omit to turn off)"},
        {{"DNSSD_domain", HSP_KW_STRING, CONF(dns_sd_domain), 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "dns-sd { domain=.example.com }"},
        {{"ulogGroup", HSP_KW_IGNORED, 0, 0, 0, NULL}, 0, 0, HSP_CONF_PLAIN, "ulog { group=N }"},
        {{"ulogProbability", HSP_KW_IGNORED, 0, 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "ulog { probability=0.nn }"},
        {{"nflogGroup", HSP_KW_IGNORED, 0, 0, 0, NULL}, 0, 0, HSP_CONF_PLAIN, "nflog { group=N }"},
        {{"nflogProbability", HSP_KW_IGNORED, 0, 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "nflog { probability=0.nn }"},
        {{"jsonPort", HSP_KW_UINT, CONF(json_port), 1025, 65535, NULL},
         0, 0, HSP_CONF_PLAIN, "json { udpport=N }"},
        {{"jsonFIFO", HSP_KW_STRING, CONF(json_fifo), 0, 0, "a path"},
         0, 0, HSP_CONF_PLAIN, "json { fifo=path }"},
        {{"xen.update.dominfo", HSP_KW_IGNORED, 0, 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "xen { update.dominfo=on|off }"},
        {{"xen.dsk", HSP_KW_IGNORED, 0, 0, 0, NULL}, 0, 0, HSP_CONF_PLAIN, "xen { dsk=on|off }"},
        {{"loopback", HSP_KW_IGNORED, 0, 0, 0, NULL}, 0, 0, HSP_CONF_PLAIN, ""},
        {{"samplingDirection", HSP_KW_IGNORED, 0, 0, 0, NULL},
         0, 0, HSP_CONF_PLAIN, "psample { ingress=on|off egress=on|off }"},
        {HSP_KEYWORDS_END, 0, 0, HSP_CONF_PLAIN, NULL},
};

const struct hsp_keyword hsp_collector_keywords[] = {
        {"ip", HSP_KW_HOST, COLL(ip), 0, 0, "an address or host name"},
        {"udpport", HSP_KW_UINT, COLL(udpport), 1, 65535, NULL},
        {"dev", HSP_KW_STRING, COLL(dev), 0, 0, "a device name"},
        {"namespace", HSP_KW_STRING, COLL(namespace), 0, 0, "a network namespace name"},
        HSP_KEYWORDS_END,
};

const struct hsp_keyword hsp_dnssd_keywords[] = {
        {"domain", HSP_KW_STRING, CONF(dns_sd_domain), 0, 0, "a DNS domain"},
        {"DNSSD_domain", HSP_KW_STRING, CONF(dns_sd_domain), 0, 0, "a DNS domain"},
        HSP_KEYWORDS_END,
};

/* Every block of the reference grammar that the module table may lack, in one place. */
const struct hsp_foreign_block hsp_foreign_blocks[] = {
        {"pcap", "--enable-pcap"},       {"psample", "--enable-psample"},
        {"tcp", "--enable-tcp"},         {"docker", "--enable-docker"},
        {"containerd", "--enable-containerd"}, {"k8s", "--enable-k8s"},
        {"systemd", "--enable-systemd"}, {"kvm", "--enable-kvm"},
        {"xen", "--enable-xen"},         {"nvml", "--enable-nvml"},
        {"json", "--enable-json"},       {"dropmon", "--enable-dropmon"},
        {"nflog", "--enable-nflog"},     {"ulog", "--enable-ulog"},
        {"ovs", "--enable-ovs"},         {"dbus", "--enable-dbus"},
        {"eapi", "--enable-eapi"},       {"nlroute", "--enable-nlroute"},
        {"cumulus", NULL},               {"dent", NULL},
        {"opx", NULL},                   {"os10", NULL},
        {"sonic", NULL},                 {"vpp", NULL},
        {NULL, NULL},
};

/* clang-format on */

/* Optional modules this source tree can build (configure's list, in modules.c); the empty list
 * here stands when the table is not linked (unit tests, fuzzing). */
__attribute__((weak)) const char *const hsp_modules_optional[] = {NULL};

bool hsp_module_optional(const char *name) {
        for (const char *const *m = hsp_modules_optional; *m; m++)
                if (strcasecmp(*m, name) == 0)
                        return true;
        return false;
}

int hsp_parse_scaled(const char *s, uint64_t *ret) {
        static const char suffixes[] = "KMGTP";
        uint64_t v = 0, base = 10;

        if (!s || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
                base = 16;
                s += 2;
        }
        for (; *s; s++) {
                unsigned d;
                if (isdigit((unsigned char)*s))
                        d = (unsigned)(*s - '0');
                else if (base == 16 && isxdigit((unsigned char)*s))
                        d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
                else
                        break;
                if (v > (UINT64_MAX - d) / base)
                        return -ERANGE;
                v = v * base + d;
        }
        if (*s) {
                const char *p = strchr(suffixes, toupper((unsigned char)*s));
                if (!p || s[1])
                        return -EINVAL;
                for (long i = 0; i <= p - suffixes; i++) {
                        if (v > UINT64_MAX / 1000)
                                return -ERANGE;
                        v *= 1000;
                }
        }
        *ret = v;
        return 0;
}

int hsp_parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = {"on", "yes", "true", "1"};
        static const char *const no[] = {"off", "no", "false", "0"};

        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int hsp_parse_speed_range(const char *s, struct hsp_speed_range *ret) {
        char buf[64];
        uint64_t lo, hi;
        size_t len = strlen(s);

        if (len == 0 || len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, len + 1);
        char *dash = strchr(buf, '-');
        if (dash)
                *dash = '\0';
        int r = hsp_parse_scaled(buf, &lo);
        if (r < 0)
                return r;
        if (!dash)
                hi = lo;
        else if (dash[1] == '\0')
                hi = UINT64_MAX;
        else if ((r = hsp_parse_scaled(dash + 1, &hi)) < 0)
                return r;
        if (hi < lo)
                return -ERANGE;
        *ret = (struct hsp_speed_range){.min = lo, .max = hi, .set = true};
        return 0;
}

/* What is wrong with a dotted-decimal value that inet_pton refused. */
static void ipv4_problem(const char *s, char *why, size_t len) {
        unsigned parts = 1;
        for (const char *p = s;; p++) {
                const char *start = p;
                while (isdigit((unsigned char)*p))
                        p++;
                size_t n = (size_t)(p - start);
                if (n == 0) {
                        snprintf(why, len, "an empty part (a dot at an end or two together)");
                        return;
                }
                if (n > 3 || strtoul(start, NULL, 10) > 255) {
                        snprintf(why, len, "part '%.*s' is over 255", (int)(n > 12 ? 12 : n),
                                 start);
                        return;
                }
                if (n > 1 && *start == '0') {
                        snprintf(why, len, "part '%.*s' has a leading zero", (int)n, start);
                        return;
                }
                if (*p != '.')
                        break;
                parts++;
        }
        if (parts != 4)
                snprintf(why, len, "%u part%s; an IPv4 address has 4", parts,
                         parts == 1 ? "" : "s");
        else
                snprintf(why, len, "not an IPv4 address");
}

static bool is_hex_group(const char *s, size_t n) {
        if (n == 0 || n > 4)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char)s[i]))
                        return false;
        return true;
}

/* What is wrong with a value holding ':' that inet_pton refused. */
static void ipv6_problem(const char *s, size_t slen, char *why, size_t len) {
        unsigned doubles = 0, groups = 0;
        if (slen == 0) { /* "%eth0" */
                snprintf(why, len, "no address before the zone '%%'");
                return;
        }
        for (size_t i = 0; i + 1 < slen; i++)
                if (s[i] == ':' && s[i + 1] == ':')
                        doubles++;
        if (s[0] == '[' || s[slen - 1] == ']') {
                snprintf(why, len, "brackets are not part of an address");
                return;
        }
        if (doubles > 1) {
                snprintf(why, len, "more than one '::'");
                return;
        }
        if ((s[0] == ':' && s[1] != ':') ||
            (s[slen - 1] == ':' && (slen < 2 || s[slen - 2] != ':'))) {
                snprintf(why, len, "a single ':' at its start or end");
                return;
        }
        for (size_t i = 0; i < slen;) {
                size_t n = 0;
                while (i + n < slen && s[i + n] != ':')
                        n++;
                if (n > 0) {
                        bool last = i + n == slen;
                        if (last && memchr(s + i, '.', n)) {
                                char v4[INET_ADDRSTRLEN];
                                struct in_addr a;
                                if (n >= sizeof v4)
                                        n = sizeof v4 - 1;
                                memcpy(v4, s + i, n);
                                v4[n] = '\0';
                                if (inet_pton(AF_INET, v4, &a) != 1) {
                                        snprintf(why, len,
                                                 "its IPv4 part '%s' is not an IPv4 address", v4);
                                        return;
                                }
                                groups += 2;
                        } else if (!is_hex_group(s + i, n)) {
                                snprintf(why, len, "group '%.*s' is not 1 to 4 hex digits",
                                         (int)(n > 16 ? 16 : n), s + i);
                                return;
                        } else
                                groups++;
                }
                i += n + 1;
        }
        if (doubles == 0 && groups != 8)
                snprintf(why, len, "%u groups; an IPv6 address has 8, or fewer with '::'", groups);
        else if (doubles == 1 && groups > 7)
                snprintf(why, len, "%u groups and '::'; at most 7 go with '::'", groups);
        else
                snprintf(why, len, "not an IPv6 address");
}

int hsp_check_address(const char *s, char *why, size_t len) {
        unsigned char a[16];
        size_t slen = strlen(s);
        const char *colon = strchr(s, ':'), *pct = strchr(s, '%');

        if (slen == 0)
                return 0;
        if (colon) {
                /* A host name never holds ':'. An IPv6 address may carry a zone: fe80::1%eth0. */
                size_t alen = pct ? (size_t)(pct - s) : slen;
                char buf[INET6_ADDRSTRLEN + 1];
                if (pct && pct[1] == '\0') {
                        snprintf(why, len, "an empty zone after '%%'");
                        return -EINVAL;
                }
                if (alen < sizeof buf) {
                        memcpy(buf, s, alen);
                        buf[alen] = '\0';
                        if (inet_pton(AF_INET6, buf, a) == 1)
                                return 1;
                }
                ipv6_problem(s, alen, why, len);
                return -EINVAL;
        }
        if (strspn(s, "0123456789.") == slen) {
                /* Digits and dots only: no host name (its last label is never numeric). */
                if (inet_pton(AF_INET, s, a) == 1)
                        return 1;
                ipv4_problem(s, why, len);
                return -EINVAL;
        }
        return 0;
}

int hsp_parse_cidr(const char *s, struct hsp_cidr *ret) {
        struct hsp_cidr c = {0};
        char buf[INET6_ADDRSTRLEN + 8];
        unsigned long prefix;

        if (*s == '!') {
                c.exclude = true;
                s++;
        }
        size_t len = strlen(s);
        if (len == 0 || len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, len + 1);
        char *slash = strchr(buf, '/');
        if (slash)
                *slash++ = '\0';
        if (inet_pton(AF_INET, buf, c.addr) == 1)
                c.family = AF_INET;
        else if (inet_pton(AF_INET6, buf, c.addr) == 1)
                c.family = AF_INET6;
        else
                return -EINVAL;
        unsigned bits = c.family == AF_INET ? 32 : 128;
        if (slash) {
                char *end;
                if (!isdigit((unsigned char)*slash))
                        return -EINVAL;
                errno = 0;
                prefix = strtoul(slash, &end, 10);
                if (*end || errno || prefix > bits)
                        return -ERANGE;
                bits = (unsigned)prefix;
        }
        c.prefix = bits;
        *ret = c;
        return 0;
}

int hsp_parse_uuid(const char *s, char out[37]) {
        size_t len = strlen(s), n = 0;
        char digits[32];

        if (len != 32 && len != 36)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
                        if (s[i] != '-')
                                return -EINVAL;
                        continue;
                }
                if (!isxdigit((unsigned char)s[i]))
                        return -EINVAL;
                digits[n++] = (char)tolower((unsigned char)s[i]);
        }
        for (size_t i = 0, o = 0; i < 32; i++) {
                if (i == 8 || i == 12 || i == 16 || i == 20)
                        out[o++] = '-';
                out[o++] = digits[i];
        }
        out[36] = '\0';
        return 0;
}

bool hsp_config_dotted(const struct hsp_dotted *list, size_t n, const char *suffix, uint32_t *ret) {
        size_t qlen = strlen(suffix), best_len = 0;
        uint64_t qspeed = 0;
        const struct hsp_dotted *best = NULL;

        if (hsp_parse_scaled(suffix, &qspeed) < 0)
                qspeed = 0;
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(list[i].suffix);
                if (qspeed && list[i].speed == qspeed)
                        l = qlen; /* "1000M" is "1G" */
                else if (l == 0 || l > qlen || strncasecmp(suffix, list[i].suffix, l) != 0 ||
                         (l < qlen && suffix[l] != '.'))
                        continue;
                if (!best || l >= best_len) {
                        best = &list[i];
                        best_len = l;
                }
        }
        if (best && ret)
                *ret = best->value;
        return best != NULL;
}

/* glibc's regcomp() copies a repeated sub-expression once per repetition, and again for every
 * operator stacked on it: "e++++...+" or "((a{255}){255}){255}" would take gigabytes. Refuse
 * stacked repetition operators and bounds whose product passes HSP_REGEX_MAX_REPEAT. */
#define HSP_REGEX_MAX_REPEAT 4096

int hsp_regex_check(const char *re, const char **why) {
        unsigned long product = 1;
        bool after_repeat = false, can_repeat = false;
        for (const char *p = re; *p; p++) {
                switch (*p) {
                case '\\':
                        if (p[1])
                                p++;
                        after_repeat = false;
                        can_repeat = true;
                        break;
                case '[': { /* a bracket expression: "]" first is literal, [:class:] inside */
                        const char *q = p + 1;
                        if (*q == '^')
                                q++;
                        if (*q == ']')
                                q++;
                        while (*q && *q != ']') {
                                if (*q == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
                                        const char *end = strchr(q + 2, q[1]);
                                        q = end && end[1] == ']' ? end + 2 : q + 1;
                                } else
                                        q++;
                        }
                        if (!*q)
                                return 0; /* unterminated: regcomp will say so */
                        p = q;
                        after_repeat = false;
                        can_repeat = true;
                        break;
                }
                case '*':
                case '+':
                case '?':
                case '{': {
                        if (after_repeat) {
                                *why = "repetition operators in a row";
                                return -EINVAL;
                        }
                        if (*p == '{') {
                                char *end;
                                unsigned long lo = strtoul(p + 1, &end, 10), hi = lo;
                                if (*end == ',')
                                        hi = isdigit((unsigned char)end[1])
                                                     ? strtoul(end + 1, &end, 10)
                                                     : (end++, lo);
                                if (*end != '}')
                                        return 0; /* not a bound: regcomp decides */
                                unsigned long n = hi > lo ? hi : lo;
                                if (n > 255 || (product *= n ? n : 1) > HSP_REGEX_MAX_REPEAT) {
                                        *why = "repetition bounds too large";
                                        return -EINVAL;
                                }
                                p = end;
                        }
                        after_repeat = can_repeat;
                        break;
                }
                default:
                        after_repeat = false;
                        can_repeat = *p != '(' && *p != '|';
                        break;
                }
        }
        return 0;
}
