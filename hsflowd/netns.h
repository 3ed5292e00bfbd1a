/* netns.h - run a function inside another network namespace, then come back. */
#pragma once

/* Called inside the other namespace; returns 0/negative errno or a value >= 0 (an fd). */
typedef int (*netns_fn)(void *userdata);

/* Enter the network namespace nsfd refers to, call fn(userdata), return to selffd (an fd of our
 * own network namespace, opened before; -1: open /proc/self/ns/net now). Returns fn's result,
 * or negative errno when the namespace could not be entered (fn is not called). Failing to
 * return to our own namespace is fatal: the error is logged and the process exits with
 * status 1, so that its supervisor restarts it rather than have it run on in the wrong
 * namespace. */
int netns_run(int nsfd, int selffd, netns_fn fn, void *userdata);

/* The same for a namespace named as by `ip netns` (/run/netns/NAME). */
int netns_run_named(const char *name, netns_fn fn, void *userdata);
