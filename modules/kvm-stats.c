/* kvm-stats.c - one domain's counters (2101-2104) through libvirt's per-domain calls. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kvm-dl.h"

#include "kvm.h"
#include "module.h"

int kvm_stats_read(virDomainPtr dom, const struct kvm_domxml *x, struct kvm_stats *ret) {
        virDomainInfo info;
        if (sym_virDomainGetInfo(dom, &info) < 0)
                return -EIO;
        struct kvm_stats s = {0};
        s.state = info.state;
        s.cpu_ns = info.cpuTime;
        s.vcpus = info.nrVirtCpu;
        s.memory = (uint64_t)info.memory * 1024;
        s.max_memory = (uint64_t)info.maxMem * 1024;
        for (unsigned i = 0; i < x->n_disks; i++) {
                const char *dev = x->disks[i].target;
                virDomainBlockInfo bi;
                virDomainBlockStatsStruct bs;
                /* GetBlockInfo knows file, block and network-backed disks alike */
                if (sym_virDomainGetBlockInfo(dom, dev, &bi, 0) == 0) {
                        s.disk.capacity += bi.capacity;
                        s.disk.allocation += bi.allocation;
                        s.disk.available +=
                                bi.capacity > bi.allocation ? bi.capacity - bi.allocation : 0;
                } else {
                        s.disk_failures++;
                }
                if (sym_virDomainBlockStats(dom, dev, &bs, sizeof bs) == 0) {
                        s.disk.rd_req += bs.rd_req > 0 ? (uint32_t)bs.rd_req : 0;
                        s.disk.rd_bytes += bs.rd_bytes > 0 ? (uint64_t)bs.rd_bytes : 0;
                        s.disk.wr_req += bs.wr_req > 0 ? (uint32_t)bs.wr_req : 0;
                        s.disk.wr_bytes += bs.wr_bytes > 0 ? (uint64_t)bs.wr_bytes : 0;
                        s.disk.errs += bs.errs > 0 ? (uint32_t)bs.errs : 0;
                } else {
                        s.disk_failures++;
                }
        }
        for (unsigned i = 0; i < x->n_ifs; i++) {
                const struct kvm_if *f = &x->ifs[i];
                char mac[18];
                const char *dev = f->target;
                if (!dev[0]) { /* libvirt also takes the MAC address */
                        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", f->mac[0],
                                 f->mac[1], f->mac[2], f->mac[3], f->mac[4], f->mac[5]);
                        dev = mac;
                }
                /* libvirt reports a tap's counters from the guest's side (it swaps the host
                 * tap's rx and tx), which is what 2104 of a virtual node means */
                virDomainInterfaceStatsStruct is;
                if (sym_virDomainInterfaceStats(dom, dev, &is, sizeof is) < 0) {
                        s.if_failures++;
                        continue;
                }
                s.net.rx_bytes += is.rx_bytes > 0 ? (uint64_t)is.rx_bytes : 0;
                s.net.rx_packets += is.rx_packets > 0 ? (uint32_t)is.rx_packets : 0;
                s.net.rx_errs += is.rx_errs > 0 ? (uint32_t)is.rx_errs : 0;
                s.net.rx_drop += is.rx_drop > 0 ? (uint32_t)is.rx_drop : 0;
                s.net.tx_bytes += is.tx_bytes > 0 ? (uint64_t)is.tx_bytes : 0;
                s.net.tx_packets += is.tx_packets > 0 ? (uint32_t)is.tx_packets : 0;
                s.net.tx_errs += is.tx_errs > 0 ? (uint32_t)is.tx_errs : 0;
                s.net.tx_drop += is.tx_drop > 0 ? (uint32_t)is.tx_drop : 0;
        }
        *ret = s;
        return 0;
}

void kvm_stats_records(const struct kvm_stats *s, int state, struct sflow_sample *out) {
        struct sflow_record *rec;
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_CPU))) {
                rec->u.virt_cpu.state = state >= 0 ? (uint32_t)state : s->state;
                rec->u.virt_cpu.cpu_time = (uint32_t)(s->cpu_ns / 1000000);
                rec->u.virt_cpu.nr_virt_cpu = s->vcpus;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_MEMORY))) {
                rec->u.virt_memory.memory = s->memory;
                rec->u.virt_memory.max_memory = s->max_memory;
        }
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_DISK_IO)))
                rec->u.virt_disk_io = s->disk;
        if ((rec = hsp_sample_add(out, SFLOW_CTR_VIRT_NET_IO)))
                rec->u.virt_net_io = s->net;
}
