/* cares-dl.h - c-ares (and libresolv's message parser, for the TTLs of DNS-SD answers), loaded
 * when a name is first resolved or DNS-SD first looks up rather than linked, so that an hsflowd
 * whose collectors and agentIP are addresses maps neither: sym_ares_*() and sym_ns_*() pointers
 * typed by the libraries' own headers. */
#pragma once

#include <ares.h>
#include <arpa/nameser.h>

#include "dlopen.h"

/* every c-ares function dns.c, resolve.c and dnssd.c call */
#define CARES_SYMBOLS(X)                                                                           \
        X(ares_library_init)                                                                       \
        X(ares_strerror)                                                                           \
        X(ares_init_options)                                                                       \
        X(ares_destroy)                                                                            \
        X(ares_timeout)                                                                            \
        X(ares_process_fd)                                                                         \
        X(ares_search)                                                                             \
        X(ares_query)                                                                              \
        X(ares_getaddrinfo)                                                                        \
        X(ares_freeaddrinfo)                                                                       \
        X(ares_parse_srv_reply)                                                                    \
        X(ares_parse_txt_reply_ext)                                                                \
        X(ares_free_data)

/* libresolv's, for the TTLs (dnssd.c) */
#define RESOLV_SYMBOLS(X)                                                                          \
        X(ns_initparse)                                                                            \
        X(ns_parserr)

CARES_SYMBOLS(DLSYM_PROTOTYPE)
RESOLV_SYMBOLS(DLSYM_PROTOTYPE)

/* Load c-ares and libresolv and initialise c-ares: 0, or -ENOPKG when one is not installed,
 * logged the first time only, naming the package; each later call tries again. */
int cares_dl_load(void);
