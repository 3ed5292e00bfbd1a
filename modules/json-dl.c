/* json-dl.c - libjson-c's functions, resolved when the docker or the json module starts. */
#include "json-dl.h"

JSON_SYMBOLS(DLSYM_DEFINE)

int json_dl_load(const char *module) {
        static void *lib;
        static const struct dlsym_entry syms[] = {JSON_SYMBOLS(DLSYM_ARG)};
        return DLOPEN_MANY(&lib, module, "libjson-c5", syms, "libjson-c.so.5");
}
