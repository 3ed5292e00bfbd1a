/* test_procbuf.c - whole-file reads: files larger than the buffer, short reads, a file that
 * changes between reads, a FIFO, a /proc seq_file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procbuf.h"

/* pread is wrapped (-Wl,--wrap=pread): on the file under test it can return fewer bytes than
 * asked, as some /sys and /proc files do, and the file can be rewritten after a given call, as
 * a /proc file is regenerated between two reads. */
static struct {
        int fd;                  /* the descriptor watched, -1: none */
        size_t max_chunk;        /* 0: no limit */
        unsigned calls;          /* preads seen on fd */
        unsigned change_after;   /* rewrite the file after this call (0: never) */
        const char *path, *next; /* the file and its next contents */
} hook = {.fd = -1};

ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __real_pread64(int fd, void *buf, size_t n, off_t off);

static void write_file(const char *path, const char *s) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
        assert_int_equal(fclose(f), 0);
}

static ssize_t hooked(ssize_t (*real)(int, void *, size_t, off_t), int fd, void *buf, size_t n,
                      off_t off) {
        if (fd != hook.fd)
                return real(fd, buf, n, off);
        if (hook.max_chunk && n > hook.max_chunk)
                n = hook.max_chunk;
        ssize_t r = real(fd, buf, n, off);
        if (++hook.calls == hook.change_after)
                write_file(hook.path, hook.next);
        return r;
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off) {
        return hooked(__real_pread, fd, buf, n, off);
}

ssize_t __wrap_pread64(int fd, void *buf, size_t n, off_t off) {
        return hooked(__real_pread64, fd, buf, n, off);
}

/* Text of a given length in lines that all name their generation, so a read that splices two
 * generations is seen. */
static char *generation(unsigned gen, size_t len) {
        char *s = malloc(len + 1);
        assert_non_null(s);
        size_t i = 0;
        for (unsigned line = 0; i < len; line++) {
                char l[64];
                int n = snprintf(l, sizeof l, "gen %u line %u\n", gen, line);
                for (int j = 0; j < n && i < len; j++)
                        s[i++] = l[j];
        }
        s[len] = '\0';
        return s;
}

static char dir[] = "/tmp/test_procbuf_XXXXXX";

static void test_read_cases(void **state) {
        const struct {
                size_t first, second; /* lengths of generation 1, and of 2 when it changes */
                size_t max_chunk;
                unsigned change_after;
        } t[] = {
                {0, 0, 0, 0},
                {100, 0, 0, 0},
                {8190, 0, 0, 0},
                {8191, 0, 0, 0},
                {8192, 0, 0, 0},
                {100000, 0, 0, 0},
                /* short reads are not the end of the file */
                {100, 0, 7, 0},
                {50000, 0, 1000, 0},
                /* the file grows after the first read, which filled the buffer */
                {10000, 30000, 0, 1},
                /* ... read in short pieces, after the piece that filled the buffer */
                {10000, 30000, 1000, 9},
                /* it shrinks after the first read */
                {20000, 3000, 0, 1},
                /* it grows after the read that found the end */
                {3000, 20000, 0, 2},
        };
        char path[64];
        snprintf(path, sizeof path, "%s/file", dir);
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
                char *g1 = generation(1, t[i].first), *g2 = generation(2, t[i].second);
                struct hsp_procbuf b = {0};
                write_file(path, g1);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                assert_true(fd >= 0);
                hook.fd = fd;
                hook.calls = 0;
                hook.max_chunk = t[i].max_chunk;
                hook.change_after = t[i].change_after;
                hook.path = path;
                hook.next = g2;
                assert_int_equal(hsp_procbuf_pread(&b, path, &fd), 0);
                const char *want = g1;
                if (t[i].change_after && t[i].change_after < hook.calls)
                        want = g2; /* changed while it was read: the later generation whole */
                print_message("case %zu: %zu bytes in %u preads\n", i, b.len, hook.calls);
                assert_true(hook.calls > 0); /* the wrapper saw the reads */
                if (t[i].change_after)
                        assert_true(hook.calls >= t[i].change_after);
                assert_int_equal(b.len, strlen(want));
                assert_string_equal(b.buf, want);
                /* kept open: the next poll reads the file as it is now, from offset 0 */
                hook.change_after = 0;
                write_file(path, g2);
                assert_int_equal(hsp_procbuf_pread(&b, path, &fd), 0);
                assert_string_equal(b.buf, g2);
                hook.fd = -1;
                close(fd);
                hsp_procbuf_free(&b);
                free(g1);
                free(g2);
        }
        unlink(path);
}

struct writer {
        const char *path, *text;
};

static void *fifo_writer(void *arg) {
        const struct writer *w = arg;
        int fd = open(w->path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t len = strlen(w->text);
        for (size_t off = 0; off < len; off += 1000) {
                size_t n = len - off < 1000 ? len - off : 1000;
                if (write(fd, w->text + off, n) != (ssize_t)n)
                        break;
                usleep(200);
        }
        close(fd);
        return NULL;
}

/* A FIFO cannot be re-read from 0: it is read to its end in the pieces the writer sends. */
static void test_fifo(void **state) {
        char path[64];
        snprintf(path, sizeof path, "%s/fifo", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        char *text = generation(1, 40000);
        struct writer w = {path, text};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, fifo_writer, &w), 0);
        struct hsp_procbuf b = {0};
        assert_int_equal(hsp_procbuf_read(&b, path), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_int_equal(b.len, strlen(text));
        assert_string_equal(b.buf, text);
        hsp_procbuf_free(&b);
        free(text);
        unlink(path);
}

/* A real seq_file (larger than a page on most machines): the same text as reading it through
 * stdio. Mounts made meanwhile by other tests change it: then both are read again. */
static void test_proc_seq_file(void **state) {
        struct hsp_procbuf b = {0};
        bool same = false;
        for (int attempt = 0; attempt < 20 && !same; attempt++) {
                assert_int_equal(hsp_procbuf_read(&b, "/proc/self/mountinfo"), 0);
                FILE *f = fopen("/proc/self/mountinfo", "re");
                assert_non_null(f);
                char *s = malloc(b.len + 2);
                assert_non_null(s);
                size_t n = fread(s, 1, b.len + 1, f);
                fclose(f);
                same = n == b.len && memcmp(s, b.buf, n) == 0;
                free(s);
        }
        print_message("/proc/self/mountinfo: %zu bytes\n", b.len);
        assert_true(same);
        assert_true(b.len > 0 && b.buf[b.len - 1] == '\n');
        hsp_procbuf_free(&b);
}

/* A file without end is refused, not read until memory runs out. */
static void test_endless(void **state) {
        struct hsp_procbuf b = {0};
        assert_int_equal(hsp_procbuf_read(&b, "/dev/zero"), -EFBIG);
        hsp_procbuf_free(&b);
}

static int setup(void **state) {
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        return rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_cases),
                cmocka_unit_test(test_fifo),
                cmocka_unit_test(test_proc_seq_file),
                cmocka_unit_test(test_endless),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
