/* vnode.h - a container as a virtual node (3:N): what the docker and containerd modules share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include "cgroup.h"
#include "procbuf.h"
#include "sflow/sflow.h"

#define VNODE_MAX_ADAPTERS 8
#define VNODE_NAME_MAX 256

/* What every container of a module shares: the host's identity, the cgroup mounts, a buffer. */
struct vnode_host {
        const char *tag; /* "Docker", "containerd": log prefix */
        struct cgroup_mounts mounts;
        bool have_mounts;
        struct hsp_procbuf buf;
        struct utsname uts;
        uint32_t machine_type, host_cpus;
        uint64_t host_mem;
        bool warned_cgroup, warned_adapters;
};

/* One container (or pod) as reported. */
struct vnode {
        char name[VNODE_NAME_MAX]; /* 2000 hostname (cut at 64 on the wire) */
        uint8_t uuid[16];
        pid_t pid; /* a process inside: its network namespace */
        bool paused, ending;
        uint32_t cpus;      /* 0: the host's */
        uint64_t mem_limit; /* 0: from the cgroup, else the host's memory */
        struct cgroup_paths paths;
        bool have_paths;
        int n_ifs; /* interfaces (not lo) when the adapters were read, -1 none */
        unsigned n_adapters;
        struct sflow_adapter adapters[VNODE_MAX_ADAPTERS];
        struct cgroup_stats last; /* the last counters read: the final sample's */
        struct sflow_ctr_virt_net_io last_net;
};

/* Host facts and cgroup mounts; logs (once) when no cgroup hierarchy is found. */
void vnode_host_init(struct vnode_host *h, const char *tag);
void vnode_host_free(struct vnode_host *h);
/* The cgroup directories of v->pid (v->have_paths); warns once when not found. */
int vnode_find_cgroup(struct vnode_host *h, struct vnode *v);
/* Network counters from /proc/PID/net/dev (and the adapters when the interfaces changed or
 * refresh is set); MACs the runtime reported stand in when the namespace's /sys cannot be
 * read. Nothing is read once v->ending (the pid may be another process's by then). */
void vnode_read_net(struct vnode_host *h, struct vnode *v, bool refresh, const uint8_t (*macs)[6],
                    unsigned n_macs);
/* Read the cgroup counters (kept in v->last) and fill 2000 (hostname: name, or v->name when
 * NULL), 2001, 2002, 2101-2104. */
void vnode_fill(struct vnode_host *h, struct vnode *v, const char *hostname,
                struct sflow_sample *out);
/* Sum the counters of several cgroups (a pod without a cgroup of its own). */
void vnode_stats_add(struct cgroup_stats *sum, const struct cgroup_stats *s);
