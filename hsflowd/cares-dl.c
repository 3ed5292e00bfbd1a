/* cares-dl.c - c-ares's and libresolv's functions, resolved when the first name is looked up. */
#include "cares-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "log.h"

CARES_SYMBOLS(DLSYM_DEFINE)
RESOLV_SYMBOLS(DLSYM_DEFINE)

#define CARES_SONAME "libcares.so.2"

int cares_dl_load(void) {
        static void *cares, *resolv;
        static bool ready, failed;
        static const struct dlsym_entry cares_syms[] = {CARES_SYMBOLS(DLSYM_ARG)};
        static const struct dlsym_entry resolv_syms[] = {RESOLV_SYMBOLS(DLSYM_ARG)};
        if (ready)
                return 0;
        /* the error was logged once; a name retried later finds the library once installed */
        if (failed) {
                void *probe = dlopen(CARES_SONAME, RTLD_NOW | RTLD_LOCAL);
                if (!probe)
                        return -ENOPKG;
                dlclose(probe);
        }
        failed = true;
        if (DLOPEN_MANY(&cares, "DNS", "libc-ares2", cares_syms, CARES_SONAME) < 0 ||
            DLOPEN_MANY(&resolv, "DNS", "libc6", resolv_syms, "libresolv.so.2") < 0)
                return -ENOPKG;
        int st = sym_ares_library_init(ARES_LIB_INIT_ALL);
        if (st != ARES_SUCCESS)
                return log_error_errno(-ENOMEM, "DNS: %s", sym_ares_strerror(st));
        ready = true;
        return 0;
}
