/* docker-curl.h - libcurl, loaded when the docker module starts rather than linked (libcurl
 * brings about forty libraries, TLS, Kerberos, LDAP..., whose pages would otherwise count in
 * every hsflowd's memory, docker or not): sym_curl_*() pointers typed by curl.h itself. */
#pragma once

#include <stdbool.h>
#include <curl/curl.h>

#include "dlopen.h"

/* every libcurl function the module calls */
#define CURL_SYMBOLS(X)                                                                            \
        X(curl_global_init)                                                                        \
        X(curl_easy_init)                                                                          \
        X(curl_easy_cleanup)                                                                       \
        X(curl_easy_setopt)                                                                        \
        X(curl_easy_getinfo)                                                                       \
        X(curl_easy_strerror)                                                                      \
        X(curl_multi_init)                                                                         \
        X(curl_multi_cleanup)                                                                      \
        X(curl_multi_setopt)                                                                       \
        X(curl_multi_add_handle)                                                                   \
        X(curl_multi_remove_handle)                                                                \
        X(curl_multi_assign)                                                                       \
        X(curl_multi_info_read)                                                                    \
        X(curl_multi_socket_action)                                                                \
        X(curl_multi_strerror)

CURL_SYMBOLS(DLSYM_PROTOTYPE)

/* Load libcurl: 0, or -ENOENT logged when it is not installed. */
int docker_curl_load(void);

/* Whether an option was set; a refusal is logged with the option's name and libcurl's reason. */
bool docker_easy_setopt_ok(CURLcode c, const char *option);
bool docker_multi_setopt_ok(CURLMcode c, const char *option);
#define DK_EASY_SETOPT(h, option, value)                                                           \
        docker_easy_setopt_ok(sym_curl_easy_setopt((h), (option), (value)), #option)
#define DK_MULTI_SETOPT(m, option, value)                                                          \
        docker_multi_setopt_ok(sym_curl_multi_setopt((m), (option), (value)), #option)
