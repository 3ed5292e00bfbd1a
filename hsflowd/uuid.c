/* uuid.c - the agent's UUID: -u, the configuration, DMI, else derived from the machine-id. */
#include "uuid.h"

#include "digest.h"

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
        snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
                 u[13], u[14], u[15]);
}

/* The application id of hsflowd: the UUID is HMAC-SHA256(key = machine-id, message = this id),
 * its first 16 bytes made a version 4 UUID, exactly as sd_id128_get_machine_app_specific(3)
 * derives it, so `sd_id128_get_machine_app_specific(HSP_APP_ID)` on the same machine gives the
 * same UUID. The MAC is one-way: a receiver of the UUID learns nothing of the machine-id. */
static const uint8_t hsp_app_id[16] = {0xc8, 0x70, 0xd2, 0x9b, 0x3d, 0x44, 0x4d, 0x0d,
                                       0xb9, 0x88, 0x2f, 0xdb, 0x91, 0xbe, 0xc2, 0xb6};

int uuid_from_machine_id(const char *machine_id, uint8_t ret[16]) {
        uint8_t id[16], mac[32];
        int r = parse_hex16(machine_id, false, id);
        if (r < 0)
                return r;
        struct iovec iov = {.iov_base = (void *)hsp_app_id, .iov_len = sizeof hsp_app_id};
        int e = digest_in_child(DIGEST_HMAC_SHA256, id, sizeof id, &iov, 1, mac, sizeof mac);
        explicit_bzero(id, sizeof id);
        if (e < 0)
                return -EIO;
        memcpy(ret, mac, 16);
        explicit_bzero(mac, sizeof mac);
        ret[6] = (ret[6] & 0x0f) | 0x40; /* version 4 */
        ret[8] = (ret[8] & 0x3f) | 0x80; /* RFC 4122 variant */
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

int uuid_v5(const uint8_t ns[16], const char *name, size_t len, uint8_t ret[16]) {
        uint8_t sha[20];
        struct iovec iov[2] = {{.iov_base = (void *)ns, .iov_len = 16},
                               {.iov_base = (void *)name, .iov_len = len}};
        if (digest(DIGEST_SHA1, NULL, 0, iov, 2, sha, sizeof sha) < 0)
                return -EIO;
        memcpy(ret, sha, 16);
        ret[6] = (uint8_t)((ret[6] & 0x0f) | 0x50);
        ret[8] = (uint8_t)((ret[8] & 0x3f) | 0x80);
        return 0;
}
