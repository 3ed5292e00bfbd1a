/* procbuf.c - reading /proc, /sys and cgroup files whole into a reused buffer. */
#include "procbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define PROCBUF_MIN 8192

int hsp_procbuf_pread(struct hsp_procbuf *b, const char *path, int *fdp) {
        /* /proc and /sys files regenerate their text on a read at offset 0: keeping them open
         * saves an open and a close per poll. */
        bool reopened = false;
        if (*fdp < 0) {
        reopen:
                *fdp = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (*fdp < 0)
                        return -errno;
                reopened = true;
        }
        size_t len = 0;
        for (;;) {
                if (b->size - len < 2 || !b->buf) {
                        size_t nsize = b->size ? b->size * 2 : PROCBUF_MIN;
                        char *n = realloc(b->buf, nsize);
                        if (!n)
                                return -ENOMEM;
                        b->buf = n;
                        b->size = nsize;
                }
                size_t want = b->size - len - 1;
                ssize_t r = pread(*fdp, b->buf + len, want, (off_t)len);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = -errno;
                        close(*fdp);
                        *fdp = -1;
                        if (!reopened)
                                goto reopen; /* e.g. a /sys file whose device went away */
                        return e;
                }
                len += (size_t)r;
                /* A short read of a seq_file is the end: it fills the buffer while it can. */
                if (r == 0 || (size_t)r < want)
                        break;
        }
        b->buf[len] = '\0';
        b->len = len;
        return 0;
}

int hsp_procbuf_read(struct hsp_procbuf *b, const char *path) {
        int fd = -1;
        int r = hsp_procbuf_pread(b, path, &fd);
        if (fd >= 0)
                close(fd);
        return r;
}

void hsp_procbuf_free(struct hsp_procbuf *b) {
        free(b->buf);
        b->buf = NULL;
        b->size = b->len = 0;
}
