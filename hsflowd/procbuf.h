/* procbuf.h - reading /proc, /sys and cgroup files whole into a reused buffer. */
#pragma once

#include <stddef.h>

/* A read buffer reused for every file: grown (never shrunk) when a file does not fit. */
struct hsp_procbuf {
        char *buf;
        size_t size; /* allocated bytes */
        size_t len;  /* bytes of the last file read; buf[len] is NUL */
};

/* Read a whole file with one open and as few read() calls as it takes into b (NUL-terminated).
 * Returns 0 or negative errno (-EFBIG past 64 MiB); b keeps its buffer either way. */
int hsp_procbuf_read(struct hsp_procbuf *b, const char *path);
/* The same through a file kept open in *fd (-1 at first). /proc, /sys and cgroup files generate
 * their text again on a read at offset 0: the file is read from 0 until pread returns 0, and a
 * read that fills the buffer grows it and reads again from 0, so the text is one generation of
 * the file, never two spliced. A pipe or FIFO is read once to its end. */
int hsp_procbuf_pread(struct hsp_procbuf *b, const char *path, int *fd);
void hsp_procbuf_free(struct hsp_procbuf *b);
