/* autofile.c - the effective settings in /etc/hsflowd.auto, replaced atomically (temporary
 * file, fsync, rename) so that a reader never sees half a file. */
#include "autofile.h"

#include "privileges.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int autofile_write(const char *path, const char *text) {
        char tmp[4096];
        if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
                return -ENAMETOOLONG;
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text), off = 0;
        int r = 0;
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                off += (size_t)n;
        }
        if (r == 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

bool autofile_writable_by(const char *path, const char *user) {
        char *copy = strdup(path);
        struct stat st;
        const struct passwd *pw = privileges_user_by_name(user);
        bool ok = false;
        if (copy && pw && stat(dirname(copy), &st) == 0)
                ok = (st.st_mode & S_IWOTH) ||
                     (st.st_uid == pw->pw_uid && (st.st_mode & S_IWUSR)) ||
                     (st.st_gid == pw->pw_gid && (st.st_mode & S_IWGRP));
        free(copy);
        return ok;
}
