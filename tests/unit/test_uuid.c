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

#include "uuid.h"

static void test_parse_table(void **state) {
        const struct {
                const char *in;
                int r;
                const char *out;
        } t[] = {
                {"12345678-9abc-def0-1234-56789abcdef0", 0, "12345678-9abc-def0-1234-56789abcdef0"},
                {"123456789ABCDEF0123456789ABCDEF0", 0, "12345678-9abc-def0-1234-56789abcdef0"},
                {"12345678-9abc-def0-1234-56789abcdef0\n", 0, "12345678-9abc-def0-1234-56789abcdef0"},
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
        assert_int_equal(a[6] >> 4, 4);     /* version 4 */
        assert_int_equal(a[8] >> 6, 2);     /* RFC 4122 variant */
        /* the machine-id itself is not exposed */
        const uint8_t raw[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
        assert_memory_not_equal(a, raw, 16);
        assert_int_equal(uuid_from_machine_id("01234567-89ab-cdef-0123-456789abcdef", a), -EINVAL);
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
                {NULL, NULL, dmi, NULL, mid, "DMI product UUID", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_machine_id),
                cmocka_unit_test(test_choose_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
