/* pcap-dl.h - libpcap, loaded when the pcap module starts rather than linked: libpcap and the
 * libdbus it brings are pages that an hsflowd without pcap {} must not map. sym_pcap_*()
 * pointers typed by pcap/pcap.h itself. (sflowcat links libpcap: it reads and writes capture
 * files.) */
#pragma once

#include <pcap/pcap.h>

#include "dlopen.h"

/* every libpcap function the module calls (pcap-read.c) */
#define PCAP_SYMBOLS(X)                                                                            \
        X(pcap_create)                                                                             \
        X(pcap_set_snaplen)                                                                        \
        X(pcap_set_promisc)                                                                        \
        X(pcap_set_timeout)                                                                        \
        X(pcap_set_immediate_mode)                                                                 \
        X(pcap_set_buffer_size)                                                                    \
        X(pcap_set_tstamp_precision)                                                               \
        X(pcap_activate)                                                                           \
        X(pcap_statustostr)                                                                        \
        X(pcap_geterr)                                                                             \
        X(pcap_get_tstamp_precision)                                                               \
        X(pcap_datalink)                                                                           \
        X(pcap_datalink_val_to_name)                                                               \
        X(pcap_setnonblock)                                                                        \
        X(pcap_get_selectable_fd)                                                                  \
        X(pcap_fileno)                                                                             \
        X(pcap_dispatch)                                                                           \
        X(pcap_stats)                                                                              \
        X(pcap_close)

PCAP_SYMBOLS(DLSYM_PROTOTYPE)

/* Load libpcap: 0, or -ENOENT logged when it is not installed. */
int pcap_dl_load(void);
