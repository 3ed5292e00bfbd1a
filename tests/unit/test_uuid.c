/* test_uuid.c - UUID parsing, derivation from the machine-id, and the order of sources. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-id128.h>

#include "digest.h"
#include "uuid.h"

/* hsflowd's application id (hsflowd/uuid.c). */
#define APP_ID SD_ID128_MAKE(c8, 70, d2, 9b, 3d, 44, 4d, 0d, b9, 88, 2f, db, 91, be, c2, b6)

static void test_parse_table(void **state) {
        const struct {
                const char *in;
                int r;
                const char *out;
        } t[] = {
                {"12345678-9abc-def0-1234-56789abcdef0", 0, "12345678-9abc-def0-1234-56789abcdef0"},
                {"123456789ABCDEF0123456789ABCDEF0", 0, "12345678-9abc-def0-1234-56789abcdef0"},
                {"12345678-9abc-def0-1234-56789abcdef0\n", 0,
                 "12345678-9abc-def0-1234-56789abcdef0"},
                {"12345678-9abc-def0-1234-56789abcdef", -EINVAL, NULL},
                {"12345678-9abc-def0-1234-56789abcdef00", -EINVAL, NULL},
                {"g2345678-9abc-def0-1234-56789abcdef0", -EINVAL, NULL},
                {"", -EINVAL, NULL},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                uint8_t u[16];
                char text[37];
                assert_int_equal(uuid_parse(t[i].in, u), t[i].r);
                if (t[i].out) {
                        uuid_format(u, text);
                        assert_string_equal(text, t[i].out);
                }
        }
}

static void test_machine_id(void **state) {
        uint8_t a[16], b[16], c[16];
        assert_int_equal(uuid_from_machine_id("0123456789abcdef0123456789abcdef", a), 0);
        assert_int_equal(uuid_from_machine_id("0123456789abcdef0123456789abcdef\n", b), 0);
        assert_memory_equal(a, b, 16); /* stable: same input, same UUID */
        assert_int_equal(uuid_from_machine_id("0123456789abcdef0123456789abcdee", c), 0);
        assert_memory_not_equal(a, c, 16); /* one bit of difference changes it */
        assert_int_equal(a[6] >> 4, 4);    /* version 4 */
        assert_int_equal(a[8] >> 6, 2);    /* RFC 4122 variant */
        /* the machine-id itself is not exposed */
        const uint8_t raw[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
        assert_memory_not_equal(a, raw, 16);
        assert_int_equal(uuid_from_machine_id("01234567-89ab-cdef-0123-456789abcdef", a), -EINVAL);
}

/* Known answers computed outside the code under test:
 *   printf c870d29b3d444d0db9882fdb91bec2b6 | xxd -r -p |
 *     openssl dgst -sha256 -mac HMAC -macopt hexkey:<machine-id>
 * first 16 bytes of the MAC, then byte 6 = (b6 & 0x0f) | 0x40, byte 8 = (b8 & 0x3f) | 0x80. */
static void test_machine_id_known_answers(void **state) {
        const struct {
                const char *machine_id, *mac16, *uuid;
        } t[] = {
                {"0123456789abcdef0123456789abcdef", "c7562a128b668dabb2c4501ef265b507",
                 "c7562a12-8b66-4dab-b2c4-501ef265b507"},
                {"3d1219c7c4c5404aaa1f6d2a48adfda4", "25828f9c724e8b190bb6b6b62186dbe8",
                 "25828f9c-724e-4b19-8bb6-b6b62186dbe8"},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                uint8_t u[16], want[16];
                char text[37];
                assert_int_equal(uuid_parse(t[i].mac16, want), 0);
                want[6] = (want[6] & 0x0f) | 0x40;
                want[8] = (want[8] & 0x3f) | 0x80;
                assert_int_equal(uuid_from_machine_id(t[i].machine_id, u), 0);
                assert_memory_equal(u, want, 16);
                uuid_format(u, text);
                assert_string_equal(text, t[i].uuid);
        }
}

static int bits_differ(const uint8_t a[16], const uint8_t b[16]) {
        int n = 0;
        for (int i = 0; i < 16; i++)
                n += __builtin_popcount(a[i] ^ b[i]);
        return n;
}

/* Flipping any one of the 128 bits of the machine-id gives an unrelated UUID: about half of its
 * 122 free bits change (61 expected, standard deviation 5.5); a permutation of the id or a weak
 * mix would leave some flips with few changed bits. */
static void test_machine_id_one_bit(void **state) {
        const char *base = "3d1219c7c4c5404aaa1f6d2a48adfda4";
        uint8_t u0[16], u[16];
        int least = 128;
        assert_int_equal(uuid_from_machine_id(base, u0), 0);
        for (int bit = 0; bit < 128; bit++) {
                char id[33];
                static const char hex[] = "0123456789abcdef";
                memcpy(id, base, 33);
                int nib = bit / 4, v = (id[nib] <= '9' ? id[nib] - '0' : id[nib] - 'a' + 10);
                id[nib] = hex[v ^ (1 << (bit % 4))];
                assert_int_equal(uuid_from_machine_id(id, u), 0);
                int d = bits_differ(u0, u);
                if (d < least)
                        least = d;
        }
        print_message("fewest UUID bits changed by one machine-id bit: %d of 122\n", least);
        assert_true(least >= 35);
}

/* The same derivation as libsystemd's on this machine's own /etc/machine-id. */
static void test_machine_id_as_systemd(void **state) {
        char buf[64] = "";
        FILE *f = fopen("/etc/machine-id", "re");
        if (!f || !fgets(buf, sizeof buf, f) || strlen(buf) < 32) {
                if (f)
                        fclose(f);
                print_message("no /etc/machine-id: comparison with libsystemd not made\n");
                return; /* the known answers above still hold */
        }
        fclose(f);
        sd_id128_t want;
        uint8_t u[16];
        assert_int_equal(sd_id128_get_machine_app_specific(APP_ID, &want), 0);
        assert_int_equal(uuid_from_machine_id(buf, u), 0);
        assert_memory_equal(u, want.bytes, 16);
}

static char *write_tmp(const char *content) {
        char *path = strdup("/tmp/test_uuid_XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
        return path;
}

static void test_choose_order(void **state) {
        char *dmi = write_tmp("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\n");
        char *dmi_zero = write_tmp("00000000-0000-0000-0000-000000000000\n");
        char *mid = write_tmp("0123456789abcdef0123456789abcdef\n");
        uint8_t u[16], from_mid[16];
        char text[37];
        const char *src;
        assert_int_equal(uuid_from_machine_id("0123456789abcdef0123456789abcdef", from_mid), 0);

        const struct {
                const char *opt, *conf, *dmi, *mid_opt, *mid_path;
                const char *expect_src;
                const char *expect; /* NULL: the machine-id derivation */
        } t[] = {
                {"11111111-2222-3333-4444-555555555555", "66666666-7777-8888-9999-000000000000",
                 dmi, NULL, mid, "-u option", "11111111-2222-3333-4444-555555555555"},
                {NULL, "66666666-7777-8888-9999-000000000000", dmi, NULL, mid,
                 "uuid in the configuration", "66666666-7777-8888-9999-000000000000"},
                {NULL, NULL, dmi, NULL, mid, "DMI product UUID",
                 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},
                {NULL, NULL, dmi_zero, NULL, mid, "machine-id", NULL},
                {NULL, NULL, "/nonexistent", NULL, mid, "machine-id", NULL},
                {NULL, NULL, "/nonexistent", "0123456789abcdef0123456789abcdef", "/nonexistent",
                 "-m machine-id", NULL},
                {"bad", NULL, "/nonexistent", NULL, mid, "machine-id", NULL},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                assert_int_equal(uuid_choose(t[i].opt, t[i].conf, t[i].dmi, t[i].mid_opt,
                                             t[i].mid_path, u, &src),
                                 0);
                assert_string_equal(src, t[i].expect_src);
                if (t[i].expect) {
                        uuid_format(u, text);
                        assert_string_equal(text, t[i].expect);
                } else
                        assert_memory_equal(u, from_mid, 16);
        }
        assert_int_equal(uuid_choose(NULL, NULL, "/nonexistent", NULL, "/nonexistent", u, &src),
                         -ENOENT);
        unlink(dmi);
        unlink(dmi_zero);
        unlink(mid);
        free(dmi);
        free(dmi_zero);
        free(mid);
}

static void hex(const uint8_t *b, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", b[i]);
}

/* Known answers (FIPS 180-2 "abc", RFC 4231 test case 2), here and from a child process, the
 * message whole and split over two buffers. */
static void test_digest_known_answers(void **state) {
        const struct {
                enum digest_alg alg;
                const char *key, *msg, *want;
        } t[] = {
                {DIGEST_SHA1, NULL, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
                {DIGEST_SHA256, NULL, "abc",
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
                {DIGEST_HMAC_SHA256, "Jefe", "what do ya want for nothing?",
                 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        };
        for (int child = 1; child >= 0; child--) /* the child first: before libgcrypt is set up */
                for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
                        for (size_t split = 0; split < 3; split++) {
                                size_t len = strlen(t[i].msg), cut = split * len / 3;
                                struct iovec iov[2] = {
                                        {.iov_base = (void *)t[i].msg, .iov_len = cut},
                                        {.iov_base = (void *)(t[i].msg + cut),
                                         .iov_len = len - cut},
                                };
                                uint8_t out[32];
                                char text[65];
                                size_t klen = t[i].key ? strlen(t[i].key) : 0;
                                int r = (child ? digest_in_child : digest)(
                                        t[i].alg, t[i].key, klen, cut ? iov : iov + 1, cut ? 2 : 1,
                                        out, sizeof out);
                                assert_int_equal(r, strlen(t[i].want) / 2);
                                hex(out, (size_t)r, text);
                                assert_string_equal(text, t[i].want);
                                /* the child did it: libgcrypt was not loaded here by digest.c
                                 * (this test links libsystemd, which maps it) */
                                if (child)
                                        assert_false(digest_loaded());
                        }
        uint8_t small[16];
        assert_int_equal(digest(DIGEST_SHA1, NULL, 0, NULL, 0, small, sizeof small), -EINVAL);
        assert_int_equal(digest(DIGEST_HMAC_SHA256, NULL, 0, NULL, 0, small, 32), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_machine_id),
                cmocka_unit_test(test_machine_id_known_answers),
                cmocka_unit_test(test_machine_id_one_bit),
                cmocka_unit_test(test_machine_id_as_systemd),
                cmocka_unit_test(test_choose_order),
                cmocka_unit_test(test_digest_known_answers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
