/* resolve.c - asynchronous name resolution with c-ares on the loop (dns.c): one channel shared
 * by the requests, released when none is left. */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "cares-dl.h"
#include "dns.h"

struct resolve_req {
        resolve_cb cb; /* NULL once cancelled: the request is freed when c-ares answers */
        void *userdata;
};

static struct dns *shared;
static unsigned pending;
static struct evsrc *release; /* frees the idle channel outside its callbacks */

static int on_release(struct evsrc *es, void *userdata) {
        release = evsrc_disable_unref(release);
        if (pending == 0) {
                dns_free(shared);
                shared = NULL;
        }
        return 0;
}

static int eai_of(int status) {
        switch (status) {
        case ARES_SUCCESS:
                return 0;
        case ARES_ENOTFOUND:
        case ARES_ENODATA:
        case ARES_ENONAME:
                return EAI_NONAME;
        case ARES_ETIMEOUT:
        case ARES_ECONNREFUSED:
        case ARES_ESERVFAIL:
                return EAI_AGAIN;
        case ARES_ENOMEM:
                return EAI_MEMORY;
        default:
                return EAI_FAIL;
        }
}

static void on_addr(void *userdata, int status, struct ares_addrinfo *res) {
        struct resolve_req *r = userdata;
        struct sockaddr_storage ss;
        socklen_t len = 0;
        int error = eai_of(status);

        if (error == 0 && res && res->nodes && res->nodes->ai_addrlen <= sizeof ss) {
                memcpy(&ss, res->nodes->ai_addr, res->nodes->ai_addrlen);
                len = res->nodes->ai_addrlen;
        } else if (error == 0)
                error = EAI_NONAME;
        if (res)
                sym_ares_freeaddrinfo(res);
        pending--;
        if (pending == 0 && shared && !release && status != ARES_EDESTRUCTION &&
            evloop_add_defer(dns_loop(shared), &release, on_release, NULL) < 0)
                release = NULL;
        resolve_cb cb = r->cb;
        void *ud = r->userdata;
        free(r);
        if (cb && status != ARES_EDESTRUCTION)
                cb(error, (struct sockaddr *)&ss, len, ud);
}

int resolve_start(struct evloop *loop, const char *host, unsigned port, resolve_cb cb,
                  void *userdata, struct resolve_req **ret) {
        if (shared && dns_loop(shared) != loop) {
                if (pending)
                        return -EBUSY;
                release = evsrc_disable_unref(release);
                dns_free(shared);
                shared = NULL;
        }
        if (!shared) {
                int e = dns_new(loop, &shared);
                if (e < 0)
                        return e;
        }
        struct resolve_req *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->cb = cb;
        r->userdata = userdata;
        pending++;
        *ret = r;
        dns_getaddrinfo(shared, host, port, SOCK_DGRAM, on_addr, r);
        return 0;
}

void resolve_cancel(struct resolve_req *r) {
        if (r)
                r->cb = NULL; /* freed when its answer comes */
}
