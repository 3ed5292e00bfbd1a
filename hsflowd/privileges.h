/* privileges.h - give up root: run as an unprivileged user with only the capabilities needed. */
#pragma once

#include <stdint.h>

#define HSP_CAP(c) (UINT64_C(1) << (c))

/* Switch to user (e.g. "nobody") keeping only the capabilities in keep (HSP_CAP(CAP_...) bits),
 * drop every other one from the bounding set and forbid regaining privileges. Does nothing when
 * not running as root. Returns 0 or negative errno. */
int privileges_drop(const char *user, uint64_t keep);
/* The user privileges_drop(user, ...) runs as: the current one when not root, else hsflowd
 * when it exists, else user. */
const char *privileges_user(const char *user);
/* Make caps (of those permitted) the effective ones: a capability kept for a rare use is raised
 * only around it. Returns 0 or negative errno. */
int privileges_effective(uint64_t caps);
