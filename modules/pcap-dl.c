/* pcap-dl.c - libpcap's functions, resolved when the pcap module starts. */
#include <errno.h>

#include "pcap-dl.h"

PCAP_SYMBOLS(DLSYM_DEFINE)

int pcap_dl_load(void) {
        static void *lib;
        static const struct dlsym_entry syms[] = {PCAP_SYMBOLS(DLSYM_ARG)};
        /* Debian's soname, then everyone else's */
        return DLOPEN_MANY(&lib, "pcap", "libpcap0.8 (libpcap on Fedora)", syms, "libpcap.so.0.8",
                           "libpcap.so.1");
}
