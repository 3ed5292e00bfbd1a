/* resolve.h - asynchronous name resolution on the loop (c-ares). */
#pragma once

#include <sys/socket.h>

#include "evloop.h"

struct resolve_req;

/* Called on the loop with error 0 and the first address, or a getaddrinfo EAI_* error. */
typedef void (*resolve_cb)(int error, const struct sockaddr *sa, socklen_t len, void *userdata);

/* Resolve host (port numeric) without blocking the loop. */
int resolve_start(struct evloop *loop, const char *host, unsigned port, resolve_cb cb,
                  void *userdata, struct resolve_req **ret);
/* Forget a request: its callback is never called. NULL is fine. */
void resolve_cancel(struct resolve_req *r);
