/* host.h - internal declarations of the host module: /proc parsers, file reading, interface
 * sources. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/utsname.h>

#include "module.h"
#include "procbuf.h"
#include "sflow/sflow.h"

/* ---- host-proc.c: pure parsers over the text of /proc files (read with procbuf.h) ---- */

/* The parsers take NUL-terminated text and fill only the fields they own (the caller zeroes
 * the structure). They return 0, or -ENODATA when the text has none of what they look for. */

/* /proc/loadavg: load_one/five/fifteen, proc_run and proc_total ("running/total"). */
int hsp_parse_loadavg(const char *text, struct sflow_ctr_host_cpu *cpu);
/* /proc/stat: cpu times (jiffies converted to ms with hz ticks per second), interrupts,
 * contexts and, when present, proc_run from procs_running (overriding loadavg's). */
int hsp_parse_stat(const char *text, long hz, struct sflow_ctr_host_cpu *cpu);
/* /proc/uptime: uptime in whole seconds. */
int hsp_parse_uptime(const char *text, struct sflow_ctr_host_cpu *cpu);
/* /proc/cpuinfo: MHz of the first "cpu MHz" line. */
int hsp_parse_cpuinfo_mhz(const char *text, uint32_t *ret_mhz);
/* /proc/meminfo: MemTotal, MemFree, Shmem, Buffers, Cached, SwapTotal, SwapFree in bytes;
 * missing keys stay 0. */
int hsp_parse_meminfo(const char *text, struct sflow_ctr_host_memory *mem);
/* /proc/vmstat: pgpgin, pgpgout, pswpin, pswpout. */
int hsp_parse_vmstat(const char *text, struct sflow_ctr_host_memory *mem);
/* /proc/diskstats: sums over whole disks (see hsp_disk_counted); bytes from 512-byte sectors. */
int hsp_parse_diskstats(const char *text, struct sflow_ctr_host_disk_io *dsk);
/* Whether the device name of a /proc/diskstats line is summed: not md, device-mapper, loop,
 * ram or zram (they would count I/O twice or are not disks) and not a partition of another
 * device listed in text (kernel partition naming: sda1 of sda, nvme0n1p1 of nvme0n1). */
bool hsp_disk_counted(const char *text, const char *name, size_t len);
/* /proc/net/snmp, mapped by the column names of each header line; unknown columns are
 * ignored and missing ones stay 0. Any of the outputs may be NULL. Returns 0 when at least one
 * section was found. *ret_found (optional) gets bits 1 ip, 2 icmp, 4 tcp, 8 udp. */
int hsp_parse_snmp(const char *text, struct sflow_ctr_mib2_ip *ip, struct sflow_ctr_mib2_icmp *icmp,
                   struct sflow_ctr_mib2_tcp *tcp, struct sflow_ctr_mib2_udp *udp,
                   unsigned *ret_found);
/* /proc/mounts: calls fn with the (unescaped) mount point of each local, read-write mount of a
 * block device, once per device. Returns the number of calls. */
typedef void (*hsp_mount_fn)(const char *mountpoint, void *userdata);
int hsp_parse_mounts(const char *text, hsp_mount_fn fn, void *userdata);
/* The mount-table rule on its own: device, type and options as in /proc/mounts. */
bool hsp_mount_local_rw(const char *device, size_t dlen, const char *type, size_t tlen,
                        const char *options, size_t olen);

/* ---- host-ifsources.c: interfaces from rtnetlink ---- */

struct hsp_ifsources;

/* Open the link cache, add its fd to m->loop and a 0:ifIndex source per interface (not lo). */
int hsp_ifsources_start(struct hsp_mod *m, struct hsp_ifsources **ret);
void hsp_ifsources_stop(struct hsp_ifsources *l);
/* Fill a sample for an interface source (0:1, 0:2 where available, 0:1005). */
int hsp_ifsources_poll(struct hsp_ifsources *l, struct hsp_source *src, struct sflow_sample *out);
/* Fresh statistics of all links, then the 2001 adapters and the 2006 totals. Either output may
 * be NULL. Returns 0 or negative errno (outputs untouched). */
int hsp_ifsources_host(struct hsp_ifsources *l, struct sflow_ctr_host_adapters *adapters,
                       struct sflow_ctr_host_net_io *nio);

/* ---- host.c ---- */

struct hsp_host {
        struct hsp_mod *m;
        struct hsp_source *src; /* 2:1 */
        struct hsp_procbuf buf;
        struct utsname uts; /* strings of the last 2000 record */
        long hz;
        uint32_t cpu_mhz; /* from /proc/cpuinfo when there is no cpufreq */
        bool cpu_mhz_read;
        unsigned warned; /* bit per file: failure already logged */
        struct hsp_ifsources *ifsources;
        int fds[16]; /* /proc files kept open, by file number (-1: not open) */
};
