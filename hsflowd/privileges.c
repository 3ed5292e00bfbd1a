/* privileges.c - give up root: run as an unprivileged user with only the capabilities needed. */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* The account made for the agent by its packages; the caller's choice when it does not exist. */
#define HSP_USER "hsflowd"

static int cap_set(uint64_t caps) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {{0}};
        d[0].effective = d[0].permitted = (uint32_t)caps;
        d[1].effective = d[1].permitted = (uint32_t)(caps >> 32);
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static int cap_get(uint64_t *ret) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {{0}};
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        *ret = d[0].permitted | (uint64_t)d[1].permitted << 32;
        return 0;
}

/* Started without root (e.g. User= with AmbientCapabilities= in the systemd unit): give up the
 * capabilities the configuration does not need and say which needed ones were not granted. */
static int keep_only(uint64_t keep) {
        uint64_t held = 0;
        int r = cap_get(&held);
        if (r < 0)
                return log_error_errno(r, "Cannot read capabilities: %m");
        if (!held)
                return 0;
        if (keep & ~held)
                log_warning("Capabilities 0x%llx needed by the configuration were not granted",
                            (unsigned long long)(keep & ~held));
        r = cap_set(held & keep);
        if (r < 0)
                return log_error_errno(r, "Cannot give up capabilities: %m");
        const struct passwd *pw = privileges_user_by_uid(geteuid());
        log_info("Running as %s with capabilities 0x%llx", pw ? pw->pw_name : "?",
                 (unsigned long long)(held & keep));
        return 0;
}

static const struct passwd *from_file(const char *name, uid_t uid) {
        FILE *f = fopen("/etc/passwd", "re");
        if (!f)
                return NULL;
        const struct passwd *pw;
        while ((pw = fgetpwent(f)))
                if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid)
                        break;
        fclose(f); /* fgetpwent's static entry stays valid until its next call */
        return pw;
}

const struct passwd *privileges_user_by_name(const char *name) {
        const struct passwd *pw = from_file(name, 0);
        return pw ? pw : getpwnam(name);
}

const struct passwd *privileges_user_by_uid(uid_t uid) {
        const struct passwd *pw = from_file(NULL, uid);
        return pw ? pw : getpwuid(uid);
}

/* hsflowd, else user: both looked for in /etc/passwd before either is asked of the name service */
static const struct passwd *agent_user(const char *user) {
        const struct passwd *pw = from_file(HSP_USER, 0);
        if (!pw)
                pw = from_file(user, 0);
        if (!pw)
                pw = getpwnam(HSP_USER);
        return pw ? pw : getpwnam(user);
}

static unsigned cap_last(void) {
        for (unsigned c = 63; c > 0; c--)
                if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0)
                        return c;
        return 0;
}

const char *privileges_user(const char *user) {
        const struct passwd *pw =
                geteuid() != 0 ? privileges_user_by_uid(geteuid()) : agent_user(user);
        /* a copy: the entry is overwritten by the next lookup, which may be of this name */
        static char name[256];
        if (!pw || snprintf(name, sizeof name, "%s", pw->pw_name) >= (int)sizeof name)
                return user;
        return name;
}

int privileges_drop(const char *user, uint64_t keep) {
        if (geteuid() != 0)
                return keep_only(keep);
        const struct passwd *pw = agent_user(user);
        if (!pw)
                return log_error_errno(-ENOENT, "Cannot drop privileges: no user %s", user);
        unsigned last = cap_last();
        for (unsigned c = 0; c <= last; c++)
                if (!(keep & HSP_CAP(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                        return log_error_errno(-errno, "Cannot drop capability %u: %m", c);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
            setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
            setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                return log_error_errno(-errno, "Cannot switch to user %s: %m", pw->pw_name);
        int r = cap_set(keep);
        if (r < 0)
                return log_error_errno(r, "Cannot keep capabilities: %m");
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(-errno, "Cannot forbid new privileges: %m");
        log_info("Running as %s with capabilities 0x%llx (-P keeps root)", pw->pw_name,
                 (unsigned long long)keep);
        return 0;
}

int privileges_effective(uint64_t caps) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {{0}};
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        d[0].effective = (uint32_t)caps & d[0].permitted;
        d[1].effective = (uint32_t)(caps >> 32) & d[1].permitted;
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}
