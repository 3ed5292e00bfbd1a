/* docker-curl.c - libcurl's functions, resolved when the docker module starts. */
#include <errno.h>

#include "docker-curl.h"
#include "log.h"

CURL_SYMBOLS(DLSYM_DEFINE)

int docker_curl_load(void) {
        static void *lib;
        static const struct dlsym_entry syms[] = {CURL_SYMBOLS(DLSYM_ARG)};
        return DLOPEN_MANY(&lib, "docker", "libcurl4 (or libcurl3-gnutls)", syms, "libcurl.so.4",
                           "libcurl-gnutls.so.4");
}

bool docker_easy_setopt_ok(CURLcode c, const char *option) {
        if (c == CURLE_OK)
                return true;
        log_error("docker: libcurl refused %s: %s", option, sym_curl_easy_strerror(c));
        return false;
}

bool docker_multi_setopt_ok(CURLMcode c, const char *option) {
        if (c == CURLM_OK)
                return true;
        log_error("docker: libcurl refused %s: %s", option, sym_curl_multi_strerror(c));
        return false;
}
