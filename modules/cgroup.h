/* cgroup.h - reading a process's cgroup counters (v1 and v2): pure parsers and path discovery. */
#pragma once

#include "procbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Controllers we read: CPU time, memory, block I/O. */
enum { CG_CPUACCT, CG_MEMORY, CG_BLKIO, CG_V2, _CG_MAX };

/* Where the hierarchies are mounted (from /proc/self/mountinfo). Empty strings: not mounted. */
struct cgroup_mounts {
        char mount[_CG_MAX][256]; /* mount point */
        char root[_CG_MAX][256];  /* the cgroup path mounted there (usually "/") */
};

/* The directories of one process's cgroups. Empty string: not found. */
struct cgroup_paths {
        char dir[_CG_MAX][512];
};

/* Counters of one cgroup; have_* tell which parts could be read. */
struct cgroup_stats {
        bool have_cpu, have_memory, have_io;
        uint64_t cpu_ns;    /* CPU time consumed */
        uint64_t mem_usage; /* bytes */
        uint64_t mem_limit; /* bytes, UINT64_MAX when unlimited */
        uint64_t rd_bytes, wr_bytes, rd_ios, wr_ios;
};

/* ---- pure parsers over NUL-terminated text; 0 or -ENODATA / -EINVAL ---- */

/* /proc/self/mountinfo: the mount points of the cpuacct, memory and blkio v1 hierarchies
 * (also when co-mounted, e.g. "cpu,cpuacct") and of cgroup2. */
int cgroup_parse_mountinfo(const char *text, struct cgroup_mounts *ret);
/* A field of mountinfo (len bytes of src) into dst, with the kernel's octal escapes (\040 space,
 * \011 tab, \012 newline, \134 backslash, any \ooo) decoded; a backslash not followed by three
 * octal digits (or \000) stays as it is. 0, or -ENAMETOOLONG when it does not fit in size. */
int cgroup_mountinfo_unescape(char *dst, size_t size, const char *src, size_t len);
/* /proc/PID/cgroup: the path of the v1 hierarchy holding controller ctrl ("memory"), or with
 * ctrl NULL the v2 path ("0::/..."). Copies at most size-1 bytes (-ENAMETOOLONG when longer). */
int cgroup_parse_proc_cgroup(const char *text, const char *ctrl, char *ret, size_t size);
/* A single number, or "max" (UINT64_MAX): cpuacct.usage, memory.current, memory.max. */
int cgroup_parse_u64(const char *text, uint64_t *ret);
/* "key value" lines (cpu.stat, memory.stat): the value of key. */
int cgroup_parse_keyed(const char *text, const char *key, uint64_t *ret);
/* v1 blkio.throttle.io_service_bytes or io_serviced: "MAJ:MIN Op N" lines summed over devices
 * into *rd and *wr; op names compared case-insensitively ("Read" and "read"); the "Total" lines
 * are ignored. */
int cgroup_parse_blkio_v1(const char *text, uint64_t *rd, uint64_t *wr);
/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." summed over devices; key names
 * compared case-insensitively. */
int cgroup_parse_io_v2(const char *text, struct cgroup_stats *st);
/* The directories for the cgroup lines of a process (text of /proc/PID/cgroup). v1
 * controllers are used when their hierarchy is mounted, else cgroup2. Returns 0 when at least
 * one directory was found. */
int cgroup_paths_from(const char *text, const struct cgroup_mounts *mounts,
                      struct cgroup_paths *ret);

/* ---- reading (one open and read per file, into a reused buffer: procbuf.h) ---- */

/* Mount points of this process's view (/proc/self/mountinfo). */
int cgroup_mounts_read(struct hsp_procbuf *b, struct cgroup_mounts *ret);
/* The directories of process pid. */
int cgroup_paths_of_pid(struct hsp_procbuf *b, const struct cgroup_mounts *mounts, pid_t pid,
                        struct cgroup_paths *ret);
/* CPU, memory and I/O counters of the cgroups in paths (v1 files or v2 files). Returns 0 when
 * anything could be read, else a negative errno (the cgroup is gone). */
int cgroup_read_stats(struct hsp_procbuf *b, const struct cgroup_paths *paths,
                      struct cgroup_stats *ret);
/* The directories of a cgroup given by its path in the hierarchy ("/system.slice/x.service",
 * as systemd's ControlGroup property says): the same path under every mounted hierarchy. */
int cgroup_paths_of_cgroup(const struct cgroup_mounts *mounts, const char *path,
                           struct cgroup_paths *ret);
