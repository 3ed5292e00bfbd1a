/* privileges.h - give up root: run as an unprivileged user with only the capabilities needed. */
#pragma once

#include <pwd.h>
#include <stdint.h>
#include <sys/types.h>

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
/* A user by name or by uid: /etc/passwd first, then the name service (getpwnam/getpwuid). The
 * agent's own users (hsflowd, nobody) are in /etc/passwd; reading it directly keeps the NSS
 * modules (libnss_systemd and what it links, some 300 kB resident) out of a long-lived agent
 * that would otherwise load them for one lookup at start. Returns NULL when there is none. */
const struct passwd *privileges_user_by_name(const char *name);
const struct passwd *privileges_user_by_uid(uid_t uid);
