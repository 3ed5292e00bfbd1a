/* kvm.h - the kvm module: libvirt domains as virtual nodes 3:N (shared declarations). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"
#include "sflow/sflow.h"

#define KVM_MAX_DISKS 16
#define KVM_MAX_IFS 16
#define KVM_DEV_MAX 64

/* ---- kvm-xml.c: what the module needs of a domain's XML description (libxml2 XPath) ---- */

enum kvm_disk_type { KVM_DISK_FILE, KVM_DISK_BLOCK, KVM_DISK_NETWORK, KVM_DISK_VOLUME };

struct kvm_disk {
        char target[KVM_DEV_MAX]; /* target@dev: the name libvirt's block calls take */
        enum kvm_disk_type type;
        char source[256]; /* file, device, protocol/name or pool/volume (for logs) */
};

struct kvm_if {
        char target[KVM_DEV_MAX]; /* target@dev on the host (the tap), "" when absent */
        uint8_t mac[6];
};

struct kvm_domxml {
        unsigned n_disks, n_ifs;
        struct kvm_disk disks[KVM_MAX_DISKS];
        struct kvm_if ifs[KVM_MAX_IFS];
        unsigned skipped_disks; /* read-only, cdrom/floppy or without a source */
        char arch[16];          /* os/type@arch, "" when absent */
};

/* Parse the domain XML text (len bytes). Returns 0, -EBADMSG when it is not well-formed XML
 * or not a <domain>, -ENOMEM. ret is written only on success. Disks and interfaces beyond
 * KVM_MAX_* are dropped; an interface without a valid MAC is skipped. */
int kvm_domxml_parse(const char *xml, size_t len, struct kvm_domxml *ret);
/* Parse "aa:bb:cc:dd:ee:ff". */
int kvm_parse_mac(const char *s, uint8_t mac[6]);

/* ---- kvm-event.c: libvirt's event loop implemented on evloop ---- */

/* Register the evloop implementation with libvirt (once per process; later calls only
 * change the loop used for new handles). */
int kvm_event_register(struct evloop *loop);
/* Call the free functions of removed handles and timeouts now (after virConnectClose). */
void kvm_event_flush(void);
/* Handles and timeouts registered and not removed (for tests). */
unsigned kvm_event_active(void);

/* ---- kvm-stats.c: one domain's counters through libvirt ---- */

typedef struct _virDomain *virDomainPtr;

struct kvm_stats {
        uint32_t state; /* virDomainState = SFLOW_VIRT_* */
        uint64_t cpu_ns;
        uint32_t vcpus;
        uint64_t memory, max_memory; /* bytes */
        struct sflow_ctr_virt_disk_io disk;
        struct sflow_ctr_virt_net_io net; /* the guest's point of view */
        unsigned disk_failures, if_failures;
};

/* Read the counters of a running domain: GetInfo, then GetBlockInfo and BlockStats for each
 * disk and InterfaceStats for each interface of x. Returns 0 (disks or interfaces that fail
 * are counted in ret->*_failures and left out), or -EIO when GetInfo failed. */
int kvm_stats_read(virDomainPtr dom, const struct kvm_domxml *x, struct kvm_stats *ret);
/* Records 2101-2104 from s (state overridden by state unless it is negative). */
void kvm_stats_records(const struct kvm_stats *s, int state, struct sflow_sample *out);

/* ---- kvm-dl.c: libvirt and libxml2, loaded when the module starts ---- */

/* 0, or -ENOENT logged when the libraries are not installed. */
int kvm_dl_load(void);
/* libvirt's last error message ("unknown error" when none). */
const char *kvm_last_error(void);

/* ---- kvm-conn.c: the read-only connection, its lifecycle events, reconnection ---- */

struct kvm_conn;
struct kvm_conn_callbacks {
        /* Connected (again): the running domains follow, one call each, then the end. The
         * domain reference passed to running() belongs to the callee. */
        void (*listed_begin)(void *userdata);
        void (*running)(virDomainPtr dom, void *userdata);
        void (*listed_end)(void *userdata);
        /* A lifecycle event (VIR_DOMAIN_EVENT_*); dom is borrowed for the call. */
        void (*event)(virDomainPtr dom, int event, int detail, void *userdata);
        /* The connection closed; it is retried with backoff. */
        void (*disconnected)(void *userdata);
};

/* Connect to uri (NULL: libvirt's default) now and after each loss. Returns 0 even when the
 * first attempt fails (it is retried), or -ENOMEM. */
int kvm_conn_new(struct evloop *loop, const char *uri, const struct kvm_conn_callbacks *cb,
                 void *userdata, struct kvm_conn **ret);
void kvm_conn_free(struct kvm_conn *c);
bool kvm_conn_up(const struct kvm_conn *c);
/* An attempt to connect is under way (its thread has not handed over yet). */
bool kvm_conn_waiting(const struct kvm_conn *c);
/* Times the connection was made, and attempts given up at their deadline (for tests). */
unsigned kvm_conn_connects(const struct kvm_conn *c);
unsigned kvm_conn_given_up(const struct kvm_conn *c);
/* Given-up attempts whose thread is still inside libvirt (for tests). */
unsigned kvm_conn_stuck(void);
/* How long an attempt (open, subscribe, list) may take before it is given up: 10 s. */
extern uint64_t kvm_conn_timeout_usec;

/* ---- kvm.c ---- */

/* The module's connection (for tests). */
struct hsp_mod;
struct kvm_conn *kvm_module_conn(struct hsp_mod *m);
