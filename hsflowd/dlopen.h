/* dlopen.h - optional libraries loaded when the module that needs them starts, not linked.
 *
 * A module lists the functions it calls once, as X(name) entries; from that list it declares
 * (in its header) and defines (in its -dl.c file) one pointer per function,
 *
 *     typeof(curl_easy_init) *sym_curl_easy_init;
 *
 * whose type is the library header's own prototype, and calls sym_curl_easy_init() directly,
 * so the compiler checks every call. dlopen_many() tries the library's sonames in order and
 * resolves the whole table in one call, or none of it. */
#pragma once

#include <stddef.h>

#define DLSYM_PROTOTYPE(symbol) extern typeof(symbol) *sym_##symbol;
#define DLSYM_DEFINE(symbol) typeof(symbol) *sym_##symbol;
#define DLSYM_ARG(symbol) {(void **)&sym_##symbol, #symbol},

struct dlsym_entry {
        void **fn;
        const char *name;
};

/* Loads the first of sonames (NULL-terminated) that dlopen finds and resolves every entry of
 * syms in it. *handle, once set, makes later calls return 0 at once. On failure logs one error
 * naming the library (and the missing symbol, or "install <package>"), leaves every pointer
 * NULL and returns -ENOENT. */
int dlopen_many(void **handle, const char *module, const char *const *sonames, const char *package,
                const struct dlsym_entry *syms, size_t n);

#define DLOPEN_MANY(handle, module, package, syms, ...)                                            \
        dlopen_many((handle), (module), (const char *const[]){__VA_ARGS__, NULL}, (package),       \
                    (syms), sizeof(syms) / sizeof((syms)[0]))

/* For a program that links the library instead (a fuzz harness): the pointers, set at once. */
#define DLSYM_BIND(symbol) typeof(symbol) *sym_##symbol = symbol;
