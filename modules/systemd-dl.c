/* systemd-dl.c - sd-bus's functions, resolved when the systemd module starts. */
#include "systemd-dl.h"

SD_BUS_SYMBOLS(DLSYM_DEFINE)

int sd_dl_load(void) {
        static void *handle;
        static const struct dlsym_entry syms[] = {SD_BUS_SYMBOLS(DLSYM_ARG)};
        return DLOPEN_MANY(&handle, "systemd", "libsystemd0", syms, "libsystemd.so.0");
}
