/* docker-curl.c - libcurl, loaded when the docker module starts rather than linked: libcurl
 * brings about forty libraries (TLS, Kerberos, LDAP...) whose pages would otherwise count in
 * every hsflowd's memory, docker or not. These definitions have libcurl's own names and forward
 * to the library's functions, so the module's code is plain libcurl code. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#define CURL_DISABLE_TYPECHECK /* these are the definitions, not calls to check */
#include <curl/curl.h>

#include "docker.h"
#include "log.h"

#define CURL_SONAME "libcurl.so.4"

static struct {
        void *lib;
        CURLcode (*global_init)(long);
        CURL *(*easy_init)(void);
        void (*easy_cleanup)(CURL *);
        CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
        CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
        const char *(*easy_strerror)(CURLcode);
        CURLM *(*multi_init)(void);
        CURLMcode (*multi_cleanup)(CURLM *);
        CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
        CURLMcode (*multi_add_handle)(CURLM *, CURL *);
        CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
        CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
        CURLMsg *(*multi_info_read)(CURLM *, int *);
        CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
        const char *(*multi_strerror)(CURLMcode);
} api;

int docker_curl_load(void) {
        if (api.lib)
                return 0;
        void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!lib)
                return log_error_errno(-ENOENT, "docker: cannot load %s (%s): install libcurl4",
                                       CURL_SONAME, dlerror());
        struct {
                void **fn;
                const char *name;
        } syms[] = {
                {(void **)&api.global_init, "curl_global_init"},
                {(void **)&api.easy_init, "curl_easy_init"},
                {(void **)&api.easy_cleanup, "curl_easy_cleanup"},
                {(void **)&api.easy_setopt, "curl_easy_setopt"},
                {(void **)&api.easy_getinfo, "curl_easy_getinfo"},
                {(void **)&api.easy_strerror, "curl_easy_strerror"},
                {(void **)&api.multi_init, "curl_multi_init"},
                {(void **)&api.multi_cleanup, "curl_multi_cleanup"},
                {(void **)&api.multi_setopt, "curl_multi_setopt"},
                {(void **)&api.multi_add_handle, "curl_multi_add_handle"},
                {(void **)&api.multi_remove_handle, "curl_multi_remove_handle"},
                {(void **)&api.multi_assign, "curl_multi_assign"},
                {(void **)&api.multi_info_read, "curl_multi_info_read"},
                {(void **)&api.multi_socket_action, "curl_multi_socket_action"},
                {(void **)&api.multi_strerror, "curl_multi_strerror"},
        };
        for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
                if (!(*syms[i].fn = dlsym(lib, syms[i].name))) {
                        log_error("docker: %s has no %s", CURL_SONAME, syms[i].name);
                        dlclose(lib);
                        return -ENOENT;
                }
        api.lib = lib;
        return 0;
}

/* libcurl's option numbers say the argument's type (CURLOPTTYPE_* bases). */
#define FORWARD_VARIADIC(fn, handle, option)                                                     \
        do {                                                                                     \
                va_list ap;                                                                      \
                va_start(ap, option);                                                            \
                long kind = (long)(option) / 10000 * 10000;                                       \
                if (kind == CURLOPTTYPE_LONG) {                                                  \
                        long v = va_arg(ap, long);                                               \
                        va_end(ap);                                                              \
                        return fn(handle, option, v);                                            \
                }                                                                                \
                if (kind == CURLOPTTYPE_OFF_T) {                                                 \
                        curl_off_t v = va_arg(ap, curl_off_t);                                   \
                        va_end(ap);                                                              \
                        return fn(handle, option, v);                                            \
                }                                                                                \
                void *v = va_arg(ap, void *); /* object and function pointers, blobs */          \
                va_end(ap);                                                                      \
                return fn(handle, option, v);                                                    \
        } while (0)

CURLcode curl_global_init(long flags) {
        return api.global_init(flags);
}
CURL *curl_easy_init(void) {
        return api.easy_init();
}
void curl_easy_cleanup(CURL *h) {
        api.easy_cleanup(h);
}
CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...) {
        FORWARD_VARIADIC(api.easy_setopt, h, option);
}
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...) {
        va_list ap;
        va_start(ap, info);
        void *out = va_arg(ap, void *); /* always a pointer to the result */
        va_end(ap);
        return api.easy_getinfo(h, info, out);
}
const char *curl_easy_strerror(CURLcode c) {
        return api.easy_strerror ? api.easy_strerror(c) : "libcurl not loaded";
}
CURLM *curl_multi_init(void) {
        return api.multi_init();
}
CURLMcode curl_multi_cleanup(CURLM *m) {
        return api.multi_cleanup(m);
}
CURLMcode curl_multi_setopt(CURLM *m, CURLMoption option, ...) {
        FORWARD_VARIADIC(api.multi_setopt, m, option);
}
CURLMcode curl_multi_add_handle(CURLM *m, CURL *h) {
        return api.multi_add_handle(m, h);
}
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h) {
        return api.multi_remove_handle(m, h);
}
CURLMcode curl_multi_assign(CURLM *m, curl_socket_t s, void *p) {
        return api.multi_assign(m, s, p);
}
CURLMsg *curl_multi_info_read(CURLM *m, int *left) {
        return api.multi_info_read(m, left);
}
CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int mask, int *running) {
        return api.multi_socket_action(m, s, mask, running);
}
const char *curl_multi_strerror(CURLMcode c) {
        return api.multi_strerror ? api.multi_strerror(c) : "libcurl not loaded";
}
