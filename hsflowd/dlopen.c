/* dlopen.c - an optional library and the table of its functions, resolved in one call. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dlopen.h"
#include "log.h"

int dlopen_many(void **handle, const char *module, const char *const *sonames, const char *package,
                const struct dlsym_entry *syms, size_t n) {
        if (*handle)
                return 0;
        void *lib = NULL;
        const char *soname = NULL;
        char tried[256] = "";
        size_t used = 0;
        for (size_t i = 0; sonames[i] && !lib; i++) {
                lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
                if (lib)
                        soname = sonames[i];
                else if (used < sizeof tried) {
                        int w = snprintf(tried + used, sizeof tried - used, "%s%s",
                                         used ? ", " : "", sonames[i]);
                        if (w > 0)
                                used += (size_t)w;
                }
        }
        if (!lib)
                return log_error_errno(-ENOENT, "%s: cannot load %s (%s): install %s", module,
                                       tried, dlerror(), package);
        for (size_t i = 0; i < n; i++) {
                dlerror();
                void *fn = dlsym(lib, syms[i].name);
                if (!fn) {
                        log_error("%s: %s has no symbol %s", module, soname, syms[i].name);
                        for (size_t j = 0; j < n; j++)
                                *syms[j].fn = NULL;
                        dlclose(lib);
                        return -ENOENT;
                }
                *syms[i].fn = fn;
        }
        log_debug("%s: loaded %s", module, soname);
        *handle = lib;
        return 0;
}
