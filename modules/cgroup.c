/* cgroup.c - cgroup v1/v2 counters of a process: path discovery, file reading, pure parsers. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* v1 "unlimited" is PAGE_COUNTER_MAX pages: anything this large is no limit. */
#define CG_UNLIMITED (UINT64_C(1) << 62)

static const char *const ctrl_names[] = {
        [CG_CPUACCT] = "cpuacct", [CG_MEMORY] = "memory", [CG_BLKIO] = "blkio"};

static const char *next_line(const char *p) {
        const char *e = strchr(p, '\n');
        return e ? e + 1 : p + strlen(p);
}

static const char *line_end(const char *p) {
        const char *e = strchr(p, '\n');
        return e ? e : p + strlen(p);
}

/* Is word (len bytes) one of the comma-separated items of list (llen bytes)? */
static bool in_list(const char *list, size_t llen, const char *word) {
        size_t wlen = strlen(word);
        const char *p = list, *end = list + llen;
        while (p < end) {
                const char *c = memchr(p, ',', (size_t)(end - p));
                size_t n = c ? (size_t)(c - p) : (size_t)(end - p);
                if (n == wlen && memcmp(p, word, n) == 0)
                        return true;
                p += n + 1;
        }
        return false;
}

static int copy_field(char *dst, size_t size, const char *src, size_t len) {
        if (len + 1 > size)
                return -ENAMETOOLONG;
        memcpy(dst, src, len);
        dst[len] = '\0';
        return 0;
}

static bool is_octal(char c) {
        return c >= '0' && c <= '7';
}

int cgroup_mountinfo_unescape(char *dst, size_t size, const char *src, size_t len) {
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                char c = src[i];
                if (c == '\\' && i + 3 < len && is_octal(src[i + 1]) && is_octal(src[i + 2]) &&
                    is_octal(src[i + 3])) {
                        unsigned v = (unsigned)(src[i + 1] - '0') * 64 +
                                     (unsigned)(src[i + 2] - '0') * 8 +
                                     (unsigned)(src[i + 3] - '0');
                        if (v > 0 && v <= 0377) {
                                c = (char)v;
                                i += 3;
                        }
                }
                if (o + 1 >= size)
                        return -ENAMETOOLONG;
                dst[o++] = c;
        }
        if (o >= size)
                return -ENAMETOOLONG;
        dst[o] = '\0';
        return 0;
}

int cgroup_parse_mountinfo(const char *text, struct cgroup_mounts *ret) {
        struct cgroup_mounts m;
        memset(&m, 0, sizeof m);
        bool any = false;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *e = line_end(p);
                /* id parent maj:min root mountpoint options [optional...] - fstype source superopts
                 */
                const char *f[5];
                size_t fl[5];
                const char *q = p;
                int n = 0;
                for (; n < 5 && q < e; n++) {
                        while (q < e && *q == ' ')
                                q++;
                        f[n] = q;
                        while (q < e && *q != ' ')
                                q++;
                        fl[n] = (size_t)(q - f[n]);
                }
                if (n < 5)
                        continue;
                const char *dash = strstr(q, " - ");
                if (!dash || dash >= e)
                        continue;
                const char *type = dash + 3;
                const char *te = memchr(type, ' ', (size_t)(e - type));
                if (!te)
                        continue;
                const char *src = te + 1;
                const char *se = memchr(src, ' ', (size_t)(e - src));
                if (!se)
                        continue;
                const char *opts = se + 1;
                size_t tlen = (size_t)(te - type), olen = (size_t)(e - opts);
                int which[_CG_MAX], nw = 0;
                if (tlen == 7 && memcmp(type, "cgroup2", 7) == 0) {
                        which[nw++] = CG_V2;
                } else if (tlen == 6 && memcmp(type, "cgroup", 6) == 0) {
                        for (int c = 0; c < CG_V2; c++)
                                if (in_list(opts, olen, ctrl_names[c]))
                                        which[nw++] = c;
                } else {
                        continue;
                }
                for (int i = 0; i < nw; i++) {
                        int c = which[i];
                        if (m.mount[c][0])
                                continue; /* the first mount wins */
                        if (cgroup_mountinfo_unescape(m.mount[c], sizeof m.mount[c], f[4], fl[4]) <
                                    0 ||
                            cgroup_mountinfo_unescape(m.root[c], sizeof m.root[c], f[3], fl[3]) <
                                    0) {
                                m.mount[c][0] = m.root[c][0] = '\0';
                                continue;
                        }
                        any = true;
                }
        }
        if (!any)
                return -ENODATA;
        *ret = m;
        return 0;
}

int cgroup_parse_proc_cgroup(const char *text, const char *ctrl, char *ret, size_t size) {
        for (const char *p = text; *p; p = next_line(p)) {
                const char *e = line_end(p);
                const char *c1 = memchr(p, ':', (size_t)(e - p));
                if (!c1)
                        continue;
                const char *c2 = memchr(c1 + 1, ':', (size_t)(e - c1 - 1));
                if (!c2)
                        continue;
                const char *list = c1 + 1;
                size_t llen = (size_t)(c2 - list);
                bool match = ctrl ? in_list(list, llen, ctrl)
                                  : (llen == 0 && c1 - p == 1 && p[0] == '0');
                if (!match)
                        continue;
                const char *path = c2 + 1;
                size_t plen = (size_t)(e - path);
                if (plen == 0 || path[0] != '/')
                        return -EINVAL;
                return copy_field(ret, size, path, plen);
        }
        return -ENODATA;
}

int cgroup_parse_u64(const char *text, uint64_t *ret) {
        while (*text == ' ' || *text == '\t')
                text++;
        if (strncmp(text, "max", 3) == 0 && (text[3] == '\0' || text[3] == '\n')) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (*text < '0' || *text > '9')
                return -ENODATA;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (errno == ERANGE)
                return -EINVAL;
        if (*end != '\0' && *end != '\n' && *end != ' ')
                return -EINVAL;
        *ret = v;
        return 0;
}

int cgroup_parse_keyed(const char *text, const char *key, uint64_t *ret) {
        size_t klen = strlen(key);
        for (const char *p = text; *p; p = next_line(p)) {
                if (strncmp(p, key, klen) != 0 || (p[klen] != ' ' && p[klen] != '\t'))
                        continue;
                return cgroup_parse_u64(p + klen, ret);
        }
        return -ENODATA;
}

int cgroup_parse_blkio_v1(const char *text, uint64_t *rd, uint64_t *wr) {
        uint64_t r = 0, w = 0;
        bool any = false;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *e = line_end(p);
                /* "8:0 Read 4096" (device lines) or "Total 4096" */
                const char *sp = memchr(p, ' ', (size_t)(e - p));
                if (!sp || !memchr(p, ':', (size_t)(sp - p)))
                        continue;
                const char *op = sp + 1;
                const char *sp2 = memchr(op, ' ', (size_t)(e - op));
                if (!sp2)
                        continue;
                size_t oplen = (size_t)(sp2 - op);
                char *end;
                unsigned long long v = strtoull(sp2 + 1, &end, 10);
                if (end == sp2 + 1)
                        continue;
                if (oplen == 4 && strncasecmp(op, "read", 4) == 0) {
                        r += v;
                        any = true;
                } else if (oplen == 5 && strncasecmp(op, "write", 5) == 0) {
                        w += v;
                        any = true;
                }
        }
        *rd = r;
        *wr = w;
        /* an empty file (no I/O yet) is valid: counters are 0 */
        return any || !*text ? 0 : -ENODATA;
}

int cgroup_parse_io_v2(const char *text, struct cgroup_stats *st) {
        static const struct {
                const char *key;
                size_t off;
        } keys[] = {
                {"rbytes", offsetof(struct cgroup_stats, rd_bytes)},
                {"wbytes", offsetof(struct cgroup_stats, wr_bytes)},
                {"rios", offsetof(struct cgroup_stats, rd_ios)},
                {"wios", offsetof(struct cgroup_stats, wr_ios)},
        };
        uint64_t sum[4] = {0};
        bool any = false;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *e = line_end(p);
                const char *q = memchr(p, ' ', (size_t)(e - p));
                while (q && q < e) {
                        q++;
                        const char *eq = memchr(q, '=', (size_t)(e - q));
                        if (!eq)
                                break;
                        size_t klen = (size_t)(eq - q);
                        char *end;
                        unsigned long long v = strtoull(eq + 1, &end, 10);
                        for (size_t k = 0; k < 4; k++)
                                if (klen == strlen(keys[k].key) &&
                                    strncasecmp(q, keys[k].key, klen) == 0 && end != eq + 1) {
                                        sum[k] += v;
                                        any = true;
                                }
                        q = memchr(eq, ' ', (size_t)(e - eq));
                }
        }
        for (size_t k = 0; k < 4; k++)
                *(uint64_t *)((char *)st + keys[k].off) = sum[k];
        return any || !*text ? 0 : -ENODATA;
}

/* mount + (path without the mount's root) */
static int join_path(char *dst, size_t size, const char *mount, const char *root,
                     const char *path) {
        size_t rlen = strlen(root);
        if (rlen > 1 && strncmp(path, root, rlen) == 0 && (path[rlen] == '/' || !path[rlen]))
                path += rlen;
        int n = snprintf(dst, size, "%s%s", mount, strcmp(path, "/") == 0 ? "" : path);
        if (n < 0 || (size_t)n >= size) {
                dst[0] = '\0';
                return -ENAMETOOLONG;
        }
        return 0;
}

int cgroup_paths_from(const char *text, const struct cgroup_mounts *mounts,
                      struct cgroup_paths *ret) {
        struct cgroup_paths p;
        char path[512];
        bool any = false;
        memset(&p, 0, sizeof p);
        for (int c = 0; c < _CG_MAX; c++) {
                if (!mounts->mount[c][0])
                        continue;
                if (cgroup_parse_proc_cgroup(text, c == CG_V2 ? NULL : ctrl_names[c], path,
                                             sizeof path) < 0)
                        continue;
                /* a process in the v2 root is one whose cgroups are managed in v1 (hybrid) */
                if (c == CG_V2 && strcmp(path, "/") == 0)
                        continue;
                if (join_path(p.dir[c], sizeof p.dir[c], mounts->mount[c], mounts->root[c], path) ==
                    0)
                        any = true;
        }
        if (!any)
                return -ENODATA;
        *ret = p;
        return 0;
}

/* ---- reading ---- */

int cgroup_mounts_read(struct hsp_procbuf *b, struct cgroup_mounts *ret) {
        int r = hsp_procbuf_read(b, "/proc/self/mountinfo");
        if (r < 0)
                return r;
        return cgroup_parse_mountinfo(b->buf, ret);
}

int cgroup_paths_of_pid(struct hsp_procbuf *b, const struct cgroup_mounts *mounts, pid_t pid,
                        struct cgroup_paths *ret) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
        int r = hsp_procbuf_read(b, path);
        if (r < 0)
                return r;
        return cgroup_paths_from(b->buf, mounts, ret);
}

/* Read dir/name into b; 0 or negative errno. */
static int read_in(struct hsp_procbuf *b, const char *dir, const char *name) {
        char path[640];
        int n = snprintf(path, sizeof path, "%s/%s", dir, name);
        if (n < 0 || (size_t)n >= sizeof path)
                return -ENAMETOOLONG;
        return hsp_procbuf_read(b, path);
}

static void read_cpu(struct hsp_procbuf *b, const struct cgroup_paths *p, struct cgroup_stats *st) {
        if (p->dir[CG_CPUACCT][0] && read_in(b, p->dir[CG_CPUACCT], "cpuacct.usage") == 0 &&
            cgroup_parse_u64(b->buf, &st->cpu_ns) == 0) {
                st->have_cpu = true;
                return;
        }
        uint64_t usec;
        if (p->dir[CG_V2][0] && read_in(b, p->dir[CG_V2], "cpu.stat") == 0 &&
            cgroup_parse_keyed(b->buf, "usage_usec", &usec) == 0) {
                st->cpu_ns = usec * 1000;
                st->have_cpu = true;
        }
}

static void read_memory(struct hsp_procbuf *b, const struct cgroup_paths *p,
                        struct cgroup_stats *st) {
        const char *d = p->dir[CG_MEMORY];
        if (d[0]) {
                uint64_t rss, cache;
                if (read_in(b, d, "memory.usage_in_bytes") == 0 &&
                    cgroup_parse_u64(b->buf, &st->mem_usage) == 0)
                        st->have_memory = true;
                else if (read_in(b, d, "memory.stat") == 0 &&
                         cgroup_parse_keyed(b->buf, "rss", &rss) == 0 &&
                         cgroup_parse_keyed(b->buf, "cache", &cache) == 0) {
                        st->mem_usage = rss + cache;
                        st->have_memory = true;
                }
                if (st->have_memory) {
                        if (read_in(b, d, "memory.limit_in_bytes") < 0 ||
                            cgroup_parse_u64(b->buf, &st->mem_limit) < 0 ||
                            st->mem_limit >= CG_UNLIMITED)
                                st->mem_limit = UINT64_MAX;
                        return;
                }
        }
        d = p->dir[CG_V2];
        if (d[0] && read_in(b, d, "memory.current") == 0 &&
            cgroup_parse_u64(b->buf, &st->mem_usage) == 0) {
                st->have_memory = true;
                if (read_in(b, d, "memory.max") < 0 || cgroup_parse_u64(b->buf, &st->mem_limit) < 0)
                        st->mem_limit = UINT64_MAX;
        }
}

static void read_io(struct hsp_procbuf *b, const struct cgroup_paths *p, struct cgroup_stats *st) {
        const char *d = p->dir[CG_BLKIO];
        if (d[0] && read_in(b, d, "blkio.throttle.io_service_bytes") == 0 &&
            cgroup_parse_blkio_v1(b->buf, &st->rd_bytes, &st->wr_bytes) == 0) {
                st->have_io = true;
                if (read_in(b, d, "blkio.throttle.io_serviced") == 0)
                        (void)cgroup_parse_blkio_v1(b->buf, &st->rd_ios, &st->wr_ios);
                return;
        }
        d = p->dir[CG_V2];
        if (d[0] && read_in(b, d, "io.stat") == 0 && cgroup_parse_io_v2(b->buf, st) == 0)
                st->have_io = true;
}

int cgroup_read_stats(struct hsp_procbuf *b, const struct cgroup_paths *paths,
                      struct cgroup_stats *ret) {
        struct cgroup_stats st;
        memset(&st, 0, sizeof st);
        st.mem_limit = UINT64_MAX;
        read_cpu(b, paths, &st);
        read_memory(b, paths, &st);
        read_io(b, paths, &st);
        if (!st.have_cpu && !st.have_memory && !st.have_io)
                return -ENOENT;
        *ret = st;
        return 0;
}

int cgroup_paths_of_cgroup(const struct cgroup_mounts *mounts, const char *path,
                           struct cgroup_paths *ret) {
        struct cgroup_paths p;
        bool any = false;
        memset(&p, 0, sizeof p);
        if (path[0] != '/' || strcmp(path, "/") == 0)
                return -EINVAL;
        for (int c = 0; c < _CG_MAX; c++)
                if (mounts->mount[c][0] && join_path(p.dir[c], sizeof p.dir[c], mounts->mount[c],
                                                     mounts->root[c], path) == 0)
                        any = true;
        if (!any)
                return -ENODATA;
        *ret = p;
        return 0;
}
