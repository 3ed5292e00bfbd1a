/* uuid.c - the agent's UUID: -u, the configuration, DMI, else derived from the machine-id. */
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int hexval(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = tolower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static int parse_hex16(const char *s, bool dashes_allowed, uint8_t ret[16]) {
        uint8_t u[16];
        size_t n = 0;
        for (const char *p = s; *p; p++) {
                if (*p == '-' && dashes_allowed)
                        continue;
                if (isspace((unsigned char)*p) && p[1] == '\0')
                        break; /* trailing newline of a file */
                int v = hexval((unsigned char)*p);
                if (v < 0 || n >= 32)
                        return -EINVAL;
                if (n % 2 == 0)
                        u[n / 2] = (uint8_t)(v << 4);
                else
                        u[n / 2] |= (uint8_t)v;
                n++;
        }
        if (n != 32)
                return -EINVAL;
        memcpy(ret, u, 16);
        return 0;
}

int uuid_parse(const char *s, uint8_t ret[16]) {
        return parse_hex16(s, true, ret);
}

void uuid_format(const uint8_t u[16], char buf[37]) {
        snprintf(buf, 37,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
}

/* splitmix64 finaliser: a fixed, well-mixed permutation of 64-bit values. */
static uint64_t mix64(uint64_t x) {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 31;
        return x;
}

int uuid_from_machine_id(const char *machine_id, uint8_t ret[16]) {
        uint8_t id[16];
        int r = parse_hex16(machine_id, false, id);
        if (r < 0)
                return r;
        uint64_t hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
                hi = hi << 8 | id[i];
                lo = lo << 8 | id[8 + i];
        }
        /* Two rounds, each half depending on both, keyed with the ASCII of "hsflowd". */
        const uint64_t key = 0x687366ULL << 32 | 0x6c6f77ULL;
        uint64_t a = mix64(hi ^ key), b = mix64(lo ^ a);
        a = mix64(a ^ b);
        for (int i = 0; i < 8; i++) {
                ret[i] = (uint8_t)(a >> (56 - 8 * i));
                ret[8 + i] = (uint8_t)(b >> (56 - 8 * i));
        }
        ret[6] = (ret[6] & 0x0f) | 0x40;
        ret[8] = (ret[8] & 0x3f) | 0x80;
        return 0;
}

static int read_small(const char *path, char *buf, size_t len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        buf[n] = '\0';
        return 0;
}

static bool uuid_is_filler(const uint8_t u[16]) {
        bool zeros = true, ones = true;
        for (int i = 0; i < 16; i++) {
                zeros &= u[i] == 0;
                ones &= u[i] == 0xff;
        }
        return zeros || ones;
}

int uuid_choose(const char *option, const char *config, const char *dmi_path,
                const char *machine_id, const char *machine_id_path, uint8_t ret[16],
                const char **source) {
        char buf[128];
        if (option && uuid_parse(option, ret) == 0) {
                *source = "-u option";
                return 0;
        }
        if (config && uuid_parse(config, ret) == 0) {
                *source = "uuid in the configuration";
                return 0;
        }
        if (dmi_path && read_small(dmi_path, buf, sizeof buf) == 0 && uuid_parse(buf, ret) == 0 &&
            !uuid_is_filler(ret)) {
                *source = "DMI product UUID";
                return 0;
        }
        if (machine_id && uuid_from_machine_id(machine_id, ret) == 0) {
                *source = "-m machine-id";
                return 0;
        }
        if (machine_id_path && read_small(machine_id_path, buf, sizeof buf) == 0 &&
            uuid_from_machine_id(buf, ret) == 0) {
                *source = "machine-id";
                return 0;
        }
        return -ENOENT;
}
