/* genl-dl.h - libnl-genl-3, loaded when psample or dropmon starts rather than linked, so that
 * an hsflowd without them does not map it. libnl-3, which it uses, stays linked (the core's
 * links table uses it): the pointers below take the struct nl_sock and struct nl_msg of the
 * libnl-3 the core maps. sym_genl*() pointers typed by libnl's own headers. */
#pragma once

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "dlopen.h"

/* every libnl-genl-3 function the genetlink channels call (ksample-genl.c, dropmon.c) */
#define GENL_SYMBOLS(X)                                                                            \
        X(genl_connect)                                                                            \
        X(genl_ctrl_resolve)                                                                       \
        X(genl_ctrl_resolve_grp)                                                                   \
        X(genlmsg_put)

GENL_SYMBOLS(DLSYM_PROTOTYPE)

/* Load libnl-genl-3 for module (what the error line begins with): 0, or -ENOENT logged when it
 * is not installed. Once loaded, for every module. */
int ksample_genl_load(const char *module);
