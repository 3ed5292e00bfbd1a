/* fuzz_pcapfile.c - libFuzzer harness: sflowcat -r, the capture-file reader (collector/pcap-io.c:
 * link types, VLAN tags, IPv4/IPv6 to the UDP payload) on an arbitrary file, each datagram
 * found checked as sflowcat does before printing it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector/pcap-io.h"
#include "collector/print.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc;
        (void)argv;
        fd = memfd_create("fuzz-pcap", MFD_CLOEXEC);
        if (fd < 0)
                return -1;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        /* pcap_in_open names unreadable files on stderr */
        stderr = fopen("/dev/null", "w");
        return stderr ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
                abort();
        struct pcap_in *in;
        if (pcap_in_open(&in, path) < 0)
                return 0;
        struct udp_datagram u;
        volatile unsigned sum = 0;
        for (unsigned n = 0; n < 1000 && pcap_in_next(in, &u) > 0; n++) {
                for (size_t i = 0; i < u.len; i++)
                        sum += u.data[i];
                sum += u.sport + u.dport + datagram_looks_like_sflow(u.data, u.len);
        }
        pcap_in_close(in);
        return 0;
}
