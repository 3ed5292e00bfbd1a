/* nf-dl.c - libnl-nf-3's functions, resolved when the nflog module starts. */
#include <errno.h>

#include "nf-dl.h"

NF_SYMBOLS(DLSYM_DEFINE)

int nflog_dl_load(void) {
        static void *lib;
        static const struct dlsym_entry syms[] = {NF_SYMBOLS(DLSYM_ARG)};
        return DLOPEN_MANY(&lib, "nflog", "libnl-nf-3-200 (libnl3 on Fedora)", syms,
                           "libnl-nf-3.so.200");
}
