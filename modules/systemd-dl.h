/* systemd-dl.h - sd-bus (libsystemd), loaded when the systemd module starts rather than linked:
 * an hsflowd without systemd {} maps neither libsystemd nor the libraries it brings. sym_sd_bus_*()
 * pointers typed by libsystemd's own header. */
#pragma once

#include <systemd/sd-bus.h>

#include "dlopen.h"

/* every function the module calls */
#define SD_BUS_SYMBOLS(X)                                                                          \
        X(sd_bus_open_system)                                                                      \
        X(sd_bus_set_method_call_timeout)                                                          \
        X(sd_bus_get_fd)                                                                           \
        X(sd_bus_get_events)                                                                       \
        X(sd_bus_get_timeout)                                                                      \
        X(sd_bus_process)                                                                          \
        X(sd_bus_flush_close_unref)                                                                \
        X(sd_bus_match_signal)                                                                     \
        X(sd_bus_add_match_async)                                                                  \
        X(sd_bus_call_method_async)                                                                \
        X(sd_bus_slot_set_destroy_callback)                                                        \
        X(sd_bus_slot_set_floating)                                                                \
        X(sd_bus_slot_unref)                                                                       \
        X(sd_bus_message_enter_container)                                                          \
        X(sd_bus_message_exit_container)                                                           \
        X(sd_bus_message_get_error)                                                                \
        X(sd_bus_message_get_path)                                                                 \
        X(sd_bus_message_is_method_error)                                                          \
        X(sd_bus_message_is_signal)                                                                \
        X(sd_bus_message_peek_type)                                                                \
        X(sd_bus_message_read)                                                                     \
        X(sd_bus_message_read_basic)                                                               \
        X(sd_bus_message_skip)                                                                     \
        X(sd_bus_path_decode)                                                                      \
        X(sd_bus_path_encode)

SD_BUS_SYMBOLS(DLSYM_PROTOTYPE)

/* Loads libsystemd.so.0 (once); 0 or -ENOENT, logged. */
int sd_dl_load(void);
