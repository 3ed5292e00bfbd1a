/* address-lookup.c - agentIP=<name>: looked up without blocking the loop, the last answer kept. */
#include "address-lookup.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "log.h"
#include "resolve.h"

struct address_lookup {
        struct evloop *loop;
        char *name;              /* the name asked; NULL: none */
        struct resolve_req *req; /* the lookup running */
        bool have;               /* an answer came for name */
        struct sflow_address answer;
        int error; /* of the last lookup (EAI_*), 0 after a success */
        address_lookup_fn changed;
        void *userdata;
};

static void on_resolved(int error, const struct sockaddr *sa, socklen_t len, void *userdata) {
        struct address_lookup *l = userdata;
        struct sflow_address a;
        char text[64];
        l->req = NULL; /* released by resolve.c once the answer is delivered */
        if (error == 0 && address_from_sockaddr(sa, len, &a) < 0)
                error = EAI_FAMILY;
        if (error) {
                if (error != l->error) {
                        if (l->have)
                                log_warning("agentIP %s does not resolve (%s): keeping %s", l->name,
                                            gai_strerror(error),
                                            address_format(&l->answer, text, sizeof text));
                        else
                                log_warning("agentIP %s does not resolve (%s): the agent address "
                                            "is chosen as without agentIP until it does",
                                            l->name, gai_strerror(error));
                }
                l->error = error;
                return;
        }
        bool changed = !l->have || memcmp(&a, &l->answer, sizeof a) != 0;
        l->error = 0;
        l->have = true;
        l->answer = a;
        if (changed && l->changed)
                l->changed(l->userdata);
}

int address_lookup_new(struct evloop *loop, address_lookup_fn changed, void *userdata,
                       struct address_lookup **ret) {
        struct address_lookup *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->loop = evloop_ref(loop);
        l->changed = changed;
        l->userdata = userdata;
        *ret = l;
        return 0;
}

static void forget(struct address_lookup *l) {
        resolve_cancel(l->req);
        l->req = NULL;
        free(l->name);
        l->name = NULL;
        l->have = false;
        l->error = 0;
}

void address_lookup_free(struct address_lookup *l) {
        if (!l)
                return;
        forget(l);
        evloop_unref(l->loop);
        free(l);
}

void address_lookup_start(struct address_lookup *l, const char *name) {
        if (!l)
                return;
        if (!name || !l->name || strcmp(name, l->name) != 0) {
                forget(l);
                if (!name)
                        return;
                l->name = strdup(name);
                if (!l->name) {
                        log_error_errno(-ENOMEM, "Cannot look up agentIP %s: %m", name);
                        return;
                }
        }
        if (l->req)
                return; /* one lookup at a time: its answer is as fresh as another's */
        int r = resolve_start(l->loop, l->name, 0, on_resolved, l, &l->req);
        if (r < 0) {
                l->req = NULL;
                log_warning_errno(r, "Cannot look up agentIP %s: %m", l->name);
        }
}

const struct sflow_address *address_lookup_result(const struct address_lookup *l) {
        return l && l->have ? &l->answer : NULL;
}
