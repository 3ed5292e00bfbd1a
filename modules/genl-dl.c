/* genl-dl.c - libnl-genl-3's functions, resolved when psample or dropmon starts. */
#include <errno.h>

#include "genl-dl.h"

GENL_SYMBOLS(DLSYM_DEFINE)

int ksample_genl_load(const char *module) {
        static void *lib;
        static const struct dlsym_entry syms[] = {GENL_SYMBOLS(DLSYM_ARG)};
        return DLOPEN_MANY(&lib, module, "libnl-genl-3-200 (libnl3 on Fedora)", syms,
                           "libnl-genl-3.so.200");
}
