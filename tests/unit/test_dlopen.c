/* test_dlopen.c - dlopen_many: the first soname found, a missing library, a missing symbol
 * (every pointer left NULL), a second call once loaded. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "dlopen.h"

/* libm's functions: declared by math.h, so the pointers are typed by it */
#define M_SYMBOLS(X) X(cos) X(sqrt)
M_SYMBOLS(DLSYM_DEFINE)

static void test_sonames(void **state) {
        static const struct dlsym_entry syms[] = {M_SYMBOLS(DLSYM_ARG)};
        const struct {
                const char *sonames[3];
                int ret;
        } cases[] = {
                {{"libm.so.6"}, 0},
                {{"libhsflowd-none.so.0", "libm.so.6"},
                 0}, /* the second when the first is missing */
                {{"libm.so.6", "libhsflowd-none.so.0"}, 0},
                {{"libhsflowd-none.so.0", "libhsflowd-none.so.1"}, -ENOENT},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                void *lib = NULL;
                sym_cos = NULL, sym_sqrt = NULL;
                int r = dlopen_many(&lib, "test", cases[i].sonames, "libc6", syms,
                                    sizeof syms / sizeof syms[0]);
                assert_int_equal(r, cases[i].ret);
                if (r == 0) {
                        assert_non_null(lib);
                        assert_true(sym_sqrt(16.0) == 4.0);
                        assert_true(sym_cos(0.0) == 1.0);
                        /* loaded: a second call is a no-op */
                        assert_int_equal(dlopen_many(&lib, "test", cases[i].sonames, "libc6", syms,
                                                     sizeof syms / sizeof syms[0]),
                                         0);
                } else {
                        assert_null(lib);
                        assert_null(sym_cos);
                        assert_null(sym_sqrt);
                }
        }
}

static void test_missing_symbol(void **state) {
        void *not_there = NULL;
        const struct dlsym_entry syms[] = {
                {(void **)&sym_cos, "cos"},
                {&not_there, "hsflowd_no_such_function"},
                {(void **)&sym_sqrt, "sqrt"},
        };
        void *lib = NULL;
        sym_cos = NULL, sym_sqrt = NULL;
        assert_int_equal(DLOPEN_MANY(&lib, "test", "libc6", syms, "libm.so.6"), -ENOENT);
        assert_null(lib);
        /* none of the table is left set, not even what resolved before the missing one */
        assert_null(sym_cos);
        assert_null(not_there);
        assert_null(sym_sqrt);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sonames),
                cmocka_unit_test(test_missing_symbol),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
