/* host-proc.c - pure parsers of the text of /proc files for the host structures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* ---- small scanners that never cross a line end ---- */

static const char *skip_blanks(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

static const char *next_line(const char *p) {
        const char *e = strchr(p, '\n');
        return e ? e + 1 : p + strlen(p);
}

/* A token (up to blank or line end): *ret_len 0 when there is none. */
static const char *token(const char **pp, size_t *ret_len) {
        const char *p = skip_blanks(*pp), *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
                p++;
        *ret_len = (size_t)(p - s);
        *pp = p;
        return s;
}

/* An unsigned decimal; a leading '-' gives the two's complement (MaxConn -1). */
static bool number(const char **pp, uint64_t *ret) {
        const char *p = skip_blanks(*pp);
        bool neg = false;
        if (*p == '-') {
                neg = true;
                p++;
        }
        if (*p < '0' || *p > '9')
                return false;
        uint64_t v = 0;
        while (*p >= '0' && *p <= '9')
                v = v * 10 + (uint64_t)(*p++ - '0');
        *ret = neg ? (uint64_t)0 - v : v;
        *pp = p;
        return true;
}

static bool starts_with(const char *p, const char *prefix) {
        return strncmp(p, prefix, strlen(prefix)) == 0;
}

static bool token_is(const char *t, size_t len, const char *s) {
        return strlen(s) == len && memcmp(t, s, len) == 0;
}

/* ---- cpu ---- */

int hsp_parse_loadavg(const char *text, struct sflow_ctr_host_cpu *cpu) {
        char *end;
        float l[3];
        const char *p = text;
        for (int i = 0; i < 3; i++) {
                l[i] = strtof(p, &end);
                if (end == p)
                        return -ENODATA;
                p = end;
        }
        uint64_t run, total;
        if (!number(&p, &run) || *p != '/')
                return -ENODATA;
        p++;
        if (!number(&p, &total))
                return -ENODATA;
        cpu->load_one = l[0];
        cpu->load_five = l[1];
        cpu->load_fifteen = l[2];
        cpu->proc_run = (uint32_t)run;
        cpu->proc_total = (uint32_t)total;
        return 0;
}

static uint32_t jiffies_ms(uint64_t j, long hz) {
        return (uint32_t)(j * 1000 / (uint64_t)hz);
}

int hsp_parse_stat(const char *text, long hz, struct sflow_ctr_host_cpu *cpu) {
        bool found = false;
        if (hz <= 0)
                hz = 100;
        for (const char *p = text; *p; p = next_line(p)) {
                uint64_t v;
                const char *q;
                if (starts_with(p, "cpu ")) {
                        uint32_t *dst[] = {&cpu->cpu_user,      &cpu->cpu_nice,  &cpu->cpu_system,
                                           &cpu->cpu_idle,      &cpu->cpu_wio,   &cpu->cpu_intr,
                                           &cpu->cpu_sintr,     &cpu->cpu_steal, &cpu->cpu_guest,
                                           &cpu->cpu_guest_nice};
                        q = p + 4;
                        for (size_t i = 0; i < sizeof dst / sizeof dst[0] && number(&q, &v); i++)
                                *dst[i] = jiffies_ms(v, hz);
                        found = true;
                } else if (starts_with(p, "intr ")) {
                        q = p + 5;
                        if (number(&q, &v)) {
                                cpu->interrupts = (uint32_t)v;
                                found = true;
                        }
                } else if (starts_with(p, "ctxt ")) {
                        q = p + 5;
                        if (number(&q, &v)) {
                                cpu->contexts = (uint32_t)v;
                                found = true;
                        }
                } else if (starts_with(p, "procs_running ")) {
                        q = p + 14;
                        if (number(&q, &v)) {
                                cpu->proc_run = (uint32_t)v;
                                found = true;
                        }
                }
        }
        return found ? 0 : -ENODATA;
}

int hsp_parse_uptime(const char *text, struct sflow_ctr_host_cpu *cpu) {
        const char *p = text;
        uint64_t s;
        if (!number(&p, &s))
                return -ENODATA;
        cpu->uptime = (uint32_t)s;
        return 0;
}

int hsp_parse_cpuinfo_mhz(const char *text, uint32_t *ret_mhz) {
        for (const char *p = text; *p; p = next_line(p)) {
                if (!starts_with(p, "cpu MHz"))
                        continue;
                const char *c = strchr(p, ':');
                if (!c || c > next_line(p))
                        continue;
                char *end;
                double mhz = strtod(c + 1, &end);
                if (end == c + 1 || mhz < 0)
                        continue;
                *ret_mhz = (uint32_t)mhz;
                return 0;
        }
        return -ENODATA;
}

/* ---- memory ---- */

int hsp_parse_meminfo(const char *text, struct sflow_ctr_host_memory *mem) {
        static const struct {
                const char *key;
                size_t off;
        } keys[] = {
                {"MemTotal", offsetof(struct sflow_ctr_host_memory, mem_total)},
                {"MemFree", offsetof(struct sflow_ctr_host_memory, mem_free)},
                {"Shmem", offsetof(struct sflow_ctr_host_memory, mem_shared)},
                {"Buffers", offsetof(struct sflow_ctr_host_memory, mem_buffers)},
                {"Cached", offsetof(struct sflow_ctr_host_memory, mem_cached)},
                {"SwapTotal", offsetof(struct sflow_ctr_host_memory, swap_total)},
                {"SwapFree", offsetof(struct sflow_ctr_host_memory, swap_free)},
        };
        bool found = false;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *c = p;
                while (*c && *c != ':' && *c != '\n')
                        c++;
                if (*c != ':')
                        continue;
                size_t klen = (size_t)(c - p);
                for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                        if (!token_is(p, klen, keys[i].key))
                                continue;
                        const char *q = c + 1;
                        uint64_t v;
                        if (!number(&q, &v))
                                break;
                        q = skip_blanks(q);
                        if (q[0] == 'k' && q[1] == 'B')
                                v *= 1024;
                        memcpy((char *)mem + keys[i].off, &v, sizeof v);
                        found = true;
                        break;
                }
        }
        return found ? 0 : -ENODATA;
}

int hsp_parse_vmstat(const char *text, struct sflow_ctr_host_memory *mem) {
        static const struct {
                const char *key;
                size_t off;
        } keys[] = {
                {"pgpgin", offsetof(struct sflow_ctr_host_memory, page_in)},
                {"pgpgout", offsetof(struct sflow_ctr_host_memory, page_out)},
                {"pswpin", offsetof(struct sflow_ctr_host_memory, swap_in)},
                {"pswpout", offsetof(struct sflow_ctr_host_memory, swap_out)},
        };
        bool found = false;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *q = p;
                size_t klen;
                const char *k = token(&q, &klen);
                for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                        uint64_t v;
                        if (!token_is(k, klen, keys[i].key) || !number(&q, &v))
                                continue;
                        uint32_t v32 = (uint32_t)v;
                        memcpy((char *)mem + keys[i].off, &v32, sizeof v32);
                        found = true;
                        break;
                }
        }
        return found ? 0 : -ENODATA;
}

/* ---- disks ---- */

static bool name_prefix_digit(const char *name, size_t len, const char *prefix) {
        size_t pl = strlen(prefix);
        return len > pl && memcmp(name, prefix, pl) == 0 && name[pl] >= '0' && name[pl] <= '9';
}

static bool diskstats_has(const char *text, const char *name, size_t len) {
        for (const char *p = text; *p; p = next_line(p)) {
                const char *q = p;
                uint64_t major, minor;
                size_t l;
                if (!number(&q, &major) || !number(&q, &minor))
                        continue;
                const char *n = token(&q, &l);
                if (l == len && memcmp(n, name, len) == 0)
                        return true;
        }
        return false;
}

bool hsp_disk_counted(const char *text, const char *name, size_t len) {
        if (len == 0)
                return false;
        /* software RAID and device-mapper sit on top of other disks; loop devices on files */
        if (name_prefix_digit(name, len, "md") || (len > 4 && memcmp(name, "md_d", 4) == 0) ||
            (len > 3 && memcmp(name, "dm-", 3) == 0) || name_prefix_digit(name, len, "loop") ||
            name_prefix_digit(name, len, "ram") || name_prefix_digit(name, len, "zram"))
                return false;

        /* a partition is named after its disk: digits appended, with a 'p' in between when the
         * disk name ends in a digit (sda -> sda1, nvme0n1 -> nvme0n1p1) */
        size_t n = len;
        while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9')
                n--;
        if (n == len || n == 0)
                return true;
        if (n >= 2 && name[n - 1] == 'p' && name[n - 2] >= '0' && name[n - 2] <= '9' &&
            diskstats_has(text, name, n - 1))
                return false;
        return !diskstats_has(text, name, n);
}

int hsp_parse_diskstats(const char *text, struct sflow_ctr_host_disk_io *dsk) {
        bool found = false;
        uint64_t reads = 0, sectors_read = 0, read_ms = 0, writes = 0, sectors_written = 0,
                 write_ms = 0;
        for (const char *p = text; *p; p = next_line(p)) {
                const char *q = p;
                uint64_t major, minor, v[8];
                size_t len;
                if (!number(&q, &major) || !number(&q, &minor))
                        continue;
                const char *name = token(&q, &len);
                size_t i;
                for (i = 0; i < 8 && number(&q, &v[i]); i++)
                        ;
                if (len == 0 || i < 8)
                        continue;
                found = true;
                if (!hsp_disk_counted(text, name, len))
                        continue;
                /* reads, reads merged, sectors read, ms reading, writes, writes merged,
                 * sectors written, ms writing */
                reads += v[0];
                sectors_read += v[2];
                read_ms += v[3];
                writes += v[4];
                sectors_written += v[6];
                write_ms += v[7];
        }
        if (!found)
                return -ENODATA;
        dsk->reads = (uint32_t)reads;
        dsk->bytes_read = sectors_read * 512; /* diskstats sectors are always 512 bytes */
        dsk->read_time = (uint32_t)read_ms;
        dsk->writes = (uint32_t)writes;
        dsk->bytes_written = sectors_written * 512;
        dsk->write_time = (uint32_t)write_ms;
        return 0;
}

/* ---- /proc/net/snmp ---- */

struct snmp_column {
        const char *name;
        size_t off;
};

#define IP(n, f)                                                                                   \
        { n, offsetof(struct sflow_ctr_mib2_ip, f) }
static const struct snmp_column ip_columns[] = {
        IP("Forwarding", forwarding),
        IP("DefaultTTL", default_ttl),
        IP("InReceives", in_receives),
        IP("InHdrErrors", in_hdr_errors),
        IP("InAddrErrors", in_addr_errors),
        IP("ForwDatagrams", forw_datagrams),
        IP("InUnknownProtos", in_unknown_protos),
        IP("InDiscards", in_discards),
        IP("InDelivers", in_delivers),
        IP("OutRequests", out_requests),
        IP("OutDiscards", out_discards),
        IP("OutNoRoutes", out_no_routes),
        IP("ReasmTimeout", reasm_timeout),
        IP("ReasmReqds", reasm_reqds),
        IP("ReasmOKs", reasm_oks),
        IP("ReasmFails", reasm_fails),
        IP("FragOKs", frag_oks),
        IP("FragFails", frag_fails),
        IP("FragCreates", frag_creates),
        {NULL, 0},
};
#undef IP

#define ICMP(n, f)                                                                                 \
        { n, offsetof(struct sflow_ctr_mib2_icmp, f) }
static const struct snmp_column icmp_columns[] = {
        ICMP("InMsgs", in_msgs),
        ICMP("InErrors", in_errors),
        ICMP("InDestUnreachs", in_dest_unreachs),
        ICMP("InTimeExcds", in_time_excds),
        ICMP("InParmProbs", in_param_probs),
        ICMP("InSrcQuenchs", in_src_quenchs),
        ICMP("InRedirects", in_redirects),
        ICMP("InEchos", in_echos),
        ICMP("InEchoReps", in_echo_reps),
        ICMP("InTimestamps", in_timestamps),
        ICMP("InAddrMasks", in_addr_masks),
        ICMP("InAddrMaskReps", in_addr_mask_reps),
        ICMP("OutMsgs", out_msgs),
        ICMP("OutErrors", out_errors),
        ICMP("OutDestUnreachs", out_dest_unreachs),
        ICMP("OutTimeExcds", out_time_excds),
        ICMP("OutParmProbs", out_param_probs),
        ICMP("OutSrcQuenchs", out_src_quenchs),
        ICMP("OutRedirects", out_redirects),
        ICMP("OutEchos", out_echos),
        ICMP("OutEchoReps", out_echo_reps),
        ICMP("OutTimestamps", out_timestamps),
        ICMP("OutTimestampReps", out_timestamp_reps),
        ICMP("OutAddrMasks", out_addr_masks),
        ICMP("OutAddrMaskReps", out_addr_mask_reps),
        {NULL, 0},
};
#undef ICMP

#define TCP(n, f)                                                                                  \
        { n, offsetof(struct sflow_ctr_mib2_tcp, f) }
static const struct snmp_column tcp_columns[] = {
        TCP("RtoAlgorithm", rto_algorithm),
        TCP("RtoMin", rto_min),
        TCP("RtoMax", rto_max),
        TCP("MaxConn", max_conn),
        TCP("ActiveOpens", active_opens),
        TCP("PassiveOpens", passive_opens),
        TCP("AttemptFails", attempt_fails),
        TCP("EstabResets", estab_resets),
        TCP("CurrEstab", curr_estab),
        TCP("InSegs", in_segs),
        TCP("OutSegs", out_segs),
        TCP("RetransSegs", retrans_segs),
        TCP("InErrs", in_errs),
        TCP("OutRsts", out_rsts),
        TCP("InCsumErrors", in_csum_errs),
        {NULL, 0},
};
#undef TCP

#define UDP(n, f)                                                                                  \
        { n, offsetof(struct sflow_ctr_mib2_udp, f) }
static const struct snmp_column udp_columns[] = {
        UDP("InDatagrams", in_datagrams),    UDP("NoPorts", no_ports),
        UDP("InErrors", in_errors),          UDP("OutDatagrams", out_datagrams),
        UDP("RcvbufErrors", rcvbuf_errors),  UDP("SndbufErrors", sndbuf_errors),
        UDP("InCsumErrors", in_csum_errors), {NULL, 0},
};
#undef UDP

/* Fill out from the header/value line pair that starts with prefix ("Tcp:"). */
static bool snmp_section(const char *text, const char *prefix, const struct snmp_column *cols,
                         void *out) {
        for (const char *p = text; *p; p = next_line(p)) {
                if (!starts_with(p, prefix))
                        continue;
                const char *values = next_line(p);
                if (!starts_with(values, prefix))
                        return false;
                const char *h = p + strlen(prefix), *v = values + strlen(prefix);
                for (;;) {
                        size_t nlen;
                        uint64_t val;
                        const char *name = token(&h, &nlen);
                        if (nlen == 0 || !number(&v, &val))
                                break;
                        for (const struct snmp_column *c = cols; c->name; c++)
                                if (token_is(name, nlen, c->name)) {
                                        uint32_t v32 = (uint32_t)val;
                                        memcpy((char *)out + c->off, &v32, sizeof v32);
                                        break;
                                }
                }
                return true;
        }
        return false;
}

int hsp_parse_snmp(const char *text, struct sflow_ctr_mib2_ip *ip, struct sflow_ctr_mib2_icmp *icmp,
                   struct sflow_ctr_mib2_tcp *tcp, struct sflow_ctr_mib2_udp *udp,
                   unsigned *ret_found) {
        unsigned found = 0;
        if (ip && snmp_section(text, "Ip:", ip_columns, ip))
                found |= 1;
        if (icmp && snmp_section(text, "Icmp:", icmp_columns, icmp))
                found |= 2;
        if (tcp && snmp_section(text, "Tcp:", tcp_columns, tcp))
                found |= 4;
        if (udp && snmp_section(text, "Udp:", udp_columns, udp))
                found |= 8;
        if (ret_found)
                *ret_found = found;
        return found ? 0 : -ENODATA;
}

/* ---- /proc/mounts ---- */

bool hsp_mount_local_rw(const char *device, size_t dlen, const char *type, size_t tlen,
                        const char *options, size_t olen) {
        /* UBI volumes ("ubi0:rootfs", "ubi:rootfs") are local despite the colon */
        size_t u = 3;
        if (dlen > 3 && memcmp(device, "ubi", 3) == 0)
                while (u < dlen && device[u] >= '0' && device[u] <= '9')
                        u++;
        bool ubi = dlen > 3 && memcmp(device, "ubi", 3) == 0 && u < dlen && device[u] == ':';
        if (!ubi && !(dlen > 5 && memcmp(device, "/dev/", 5) == 0) &&
            !(dlen > 6 && memcmp(device, "/dev2/", 6) == 0))
                return false;
        /* read-only: the first option is "ro" */
        if (olen >= 2 && options[0] == 'r' && options[1] == 'o' && (olen == 2 || options[2] == ','))
                return false;
        /* remote or not a real filesystem (the rules of ganglia's metrics.c) */
        if (!ubi && memchr(device, ':', dlen))
                return false;
        if (tlen >= 3 && memcmp(type, "nfs", 3) == 0)
                return false;
        if (token_is(type, tlen, "autofs") || token_is(type, tlen, "gfs") ||
            token_is(type, tlen, "none") ||
            (token_is(type, tlen, "smbfs") && dlen >= 2 && device[0] == '/' && device[1] == '/'))
                return false;
        return true;
}

/* Was device accepted on an earlier line (before end)? */
static bool mounts_seen(const char *text, const char *end, const char *device, size_t dlen) {
        for (const char *p = text; p < end; p = next_line(p)) {
                const char *q = p;
                size_t l[4];
                const char *t[4];
                for (int i = 0; i < 4; i++)
                        t[i] = token(&q, &l[i]);
                if (l[0] == dlen && memcmp(t[0], device, dlen) == 0 &&
                    hsp_mount_local_rw(t[0], l[0], t[2], l[2], t[3], l[3]))
                        return true;
        }
        return false;
}

/* Undo the octal escapes of /proc/mounts (\040 space, \011 tab, \012 newline, \134 '\'). */
static bool unescape(const char *s, size_t len, char *out, size_t outsize) {
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                }
                if (o + 1 >= outsize)
                        return false;
                out[o++] = c;
        }
        out[o] = '\0';
        return true;
}

int hsp_parse_mounts(const char *text, hsp_mount_fn fn, void *userdata) {
        int n = 0;
        char path[4096];
        for (const char *p = text; *p; p = next_line(p)) {
                const char *q = p;
                size_t l[4];
                const char *t[4];
                for (int i = 0; i < 4; i++)
                        t[i] = token(&q, &l[i]);
                if (l[3] == 0 || !hsp_mount_local_rw(t[0], l[0], t[2], l[2], t[3], l[3]))
                        continue;
                if (mounts_seen(text, p, t[0], l[0]))
                        continue;
                if (!unescape(t[1], l[1], path, sizeof path))
                        continue;
                fn(path, userdata);
                n++;
        }
        return n;
}
