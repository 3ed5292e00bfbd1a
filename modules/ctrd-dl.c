/* ctrd-dl.c - libnghttp2's and libprotobuf-c's functions, resolved when the containerd module
 * starts. */
#include <errno.h>

#include "containerd.h"
#include "ctrd-dl.h"

H2_SYMBOLS(DLSYM_DEFINE)
PB_SYMBOLS(DLSYM_DEFINE)

const char ctrd_pb_empty_string[] = "";

int ctrd_dl_load(void) {
        static void *h2, *pb;
        static const struct dlsym_entry h2_syms[] = {H2_SYMBOLS(DLSYM_ARG)};
        static const struct dlsym_entry pb_syms[] = {PB_SYMBOLS(DLSYM_ARG)};
        int r = DLOPEN_MANY(&h2, "containerd", "libnghttp2-14", h2_syms, "libnghttp2.so.14");
        if (r < 0)
                return r;
        return DLOPEN_MANY(&pb, "containerd", "libprotobuf-c1", pb_syms, "libprotobuf-c.so.1");
}
