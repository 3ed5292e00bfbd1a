/* resolve.c - asynchronous name resolution: getaddrinfo on a short-lived thread, result over a pipe. */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct resolve_req {
        atomic_int refs;        /* the loop side and the thread */
        char *host;
        char port[8];
        int pipe[2];
        int error;
        struct sockaddr_storage ss;
        socklen_t len;
        sd_event_source *io;
        resolve_cb cb;
        void *userdata;
};

static void req_unref(struct resolve_req *r) {
        if (atomic_fetch_sub(&r->refs, 1) != 1)
                return;
        close(r->pipe[0]);
        close(r->pipe[1]);
        free(r->host);
        free(r);
}

static void *worker(void *arg) {
        struct resolve_req *r = arg;
        const struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_ADDRCONFIG};
        struct addrinfo *res = NULL;
        r->error = getaddrinfo(r->host, r->port, &hints, &res);
        if (r->error == 0 && res) {
                memcpy(&r->ss, res->ai_addr, res->ai_addrlen);
                r->len = res->ai_addrlen;
        } else if (r->error == 0)
                r->error = EAI_NONAME;
        if (res)
                freeaddrinfo(res);
        char c = 1;
        (void)!write(r->pipe[1], &c, 1);
        req_unref(r);
        return NULL;
}

static int on_done(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct resolve_req *r = userdata;
        char c;
        (void)!read(fd, &c, 1);
        r->io = sd_event_source_disable_unref(r->io);
        resolve_cb cb = r->cb;
        void *ud = r->userdata;
        int error = r->error;
        struct sockaddr_storage ss = r->ss;
        socklen_t len = r->len;
        req_unref(r);
        cb(error, (struct sockaddr *)&ss, len, ud);
        return 0;
}

int resolve_start(sd_event *loop, const char *host, unsigned port, resolve_cb cb, void *userdata,
                  struct resolve_req **ret) {
        struct resolve_req *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->host = strdup(host);
        if (!r->host || pipe2(r->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
                free(r->host);
                free(r);
                return -ENOMEM;
        }
        snprintf(r->port, sizeof r->port, "%u", port);
        r->cb = cb;
        r->userdata = userdata;
        atomic_init(&r->refs, 2);
        int e = sd_event_add_io(loop, &r->io, r->pipe[0], EPOLLIN, on_done, r);
        if (e < 0) {
                atomic_store(&r->refs, 1);
                req_unref(r);
                return e;
        }
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        e = pthread_create(&t, &attr, worker, r);
        pthread_attr_destroy(&attr);
        if (e != 0) {
                sd_event_source_disable_unref(r->io);
                atomic_store(&r->refs, 1);
                req_unref(r);
                return -e;
        }
        *ret = r;
        return 0;
}

void resolve_cancel(struct resolve_req *r) {
        if (!r || !r->io)
                return; /* NULL, or already completed (the loop side let go in on_done) */
        r->io = sd_event_source_disable_unref(r->io);
        req_unref(r);
}
