/* nf-dl.h - libnl-nf-3, loaded when the nflog module starts rather than linked, so that an
 * hsflowd without nflog {} does not map it (nor libnl-route-3, which it brings). libnl-3 stays
 * linked (the core's links table uses it): the pointers below take the struct nl_sock of the
 * libnl-3 the core maps. sym_nfnl_log_*() pointers typed by libnl's own header. */
#pragma once

#include <netlink/netfilter/log.h>

#include "dlopen.h"

/* every libnl-nf-3 function the module calls (nflog.c) */
#define NF_SYMBOLS(X)                                                                              \
        X(nfnl_log_pf_bind)                                                                        \
        X(nfnl_log_alloc)                                                                          \
        X(nfnl_log_set_group)                                                                      \
        X(nfnl_log_set_copy_mode)                                                                  \
        X(nfnl_log_set_copy_range)                                                                 \
        X(nfnl_log_set_flush_timeout)                                                              \
        X(nfnl_log_set_flags)                                                                      \
        X(nfnl_log_create)                                                                         \
        X(nfnl_log_put)

NF_SYMBOLS(DLSYM_PROTOTYPE)

/* Load libnl-nf-3: 0, or -ENOENT logged when it is not installed. */
int nflog_dl_load(void);
