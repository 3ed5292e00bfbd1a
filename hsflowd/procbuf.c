/* procbuf.c - reading /proc, /sys and cgroup files whole into a reused buffer. */
#include "procbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define PROCBUF_MIN 8192
#define PROCBUF_MAX (64u << 20) /* no /proc, /sys or cgroup file is larger */

/* Make room for at least one more byte and the NUL: double the buffer. */
static int grow(struct hsp_procbuf *b) {
        size_t nsize = b->size ? b->size * 2 : PROCBUF_MIN;
        if (nsize > PROCBUF_MAX)
                return -EFBIG; /* a file without end (a device) */
        char *n = realloc(b->buf, nsize);
        if (!n)
                return -ENOMEM;
        b->buf = n;
        b->size = nsize;
        return 0;
}

/* A pipe or FIFO cannot be read again from 0: read it to its end, growing in place. */
static int read_stream(struct hsp_procbuf *b, int fd) {
        size_t len = 0;
        for (;;) {
                if (b->size - len < 2) {
                        int r = grow(b);
                        if (r < 0)
                                return r;
                }
                ssize_t n = read(fd, b->buf + len, b->size - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        b->buf[len] = '\0';
        b->len = len;
        return 0;
}

/* One snapshot of the file: reads from offset 0 until pread returns 0. A read that fills the
 * buffer means the file may be larger: grow and start again at 0, so the text never mixes two
 * generations of the file (a /proc file regenerates its text on a read at offset 0). A short
 * read is not the end: it is followed until pread returns 0. */
static int read_whole(struct hsp_procbuf *b, int fd) {
        size_t len = 0;
        if (!b->buf) {
                int r = grow(b);
                if (r < 0)
                        return r;
        }
        for (;;) {
                size_t want = b->size - len - 1;
                if (want == 0) {
                        int r = grow(b);
                        if (r < 0)
                                return r;
                        len = 0; /* full: the file may have more, read it all again */
                        continue;
                }
                ssize_t n = pread(fd, b->buf + len, want, (off_t)len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        b->buf[len] = '\0';
        b->len = len;
        return 0;
}

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
        int r = read_whole(b, *fdp);
        if (r == -ESPIPE)
                r = read_stream(b, *fdp);
        if (r < 0 && r != -ENOMEM && r != -EFBIG) {
                close(*fdp);
                *fdp = -1;
                if (!reopened)
                        goto reopen; /* e.g. a /sys file whose device went away */
        }
        return r;
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
