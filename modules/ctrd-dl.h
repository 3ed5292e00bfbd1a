/* ctrd-dl.h - libnghttp2 and libprotobuf-c, loaded when the containerd module starts rather
 * than linked, so that an hsflowd without containerd {} or k8s {} maps neither:
 * sym_nghttp2_*() and sym_protobuf_c_*() pointers typed by the libraries' own headers. */
#pragma once

#include <nghttp2/nghttp2.h>
#include <protobuf-c/protobuf-c.h>

#include "dlopen.h"

/* every function the module and the generated code call, by library */
#define H2_SYMBOLS(X)                                                                              \
        X(nghttp2_session_callbacks_new)                                                           \
        X(nghttp2_session_callbacks_del)                                                           \
        X(nghttp2_session_callbacks_set_send_callback)                                             \
        X(nghttp2_session_callbacks_set_on_header_callback)                                        \
        X(nghttp2_session_callbacks_set_on_data_chunk_recv_callback)                               \
        X(nghttp2_session_callbacks_set_on_stream_close_callback)                                  \
        X(nghttp2_session_client_new)                                                              \
        X(nghttp2_session_del)                                                                     \
        X(nghttp2_submit_settings)                                                                 \
        X(nghttp2_session_set_local_window_size)                                                   \
        X(nghttp2_submit_request)                                                                  \
        X(nghttp2_submit_rst_stream)                                                               \
        X(nghttp2_session_get_stream_user_data)                                                    \
        X(nghttp2_session_mem_recv)                                                                \
        X(nghttp2_session_send)                                                                    \
        X(nghttp2_session_want_read)                                                               \
        X(nghttp2_session_want_write)                                                              \
        X(nghttp2_strerror)

#define PB_SYMBOLS(X)                                                                              \
        X(protobuf_c_message_free_unpacked)                                                        \
        X(protobuf_c_message_get_packed_size)                                                      \
        X(protobuf_c_message_pack)                                                                 \
        X(protobuf_c_message_pack_to_buffer)                                                       \
        X(protobuf_c_message_unpack)                                                               \
        X(protobuf_c_service_generated_init)

H2_SYMBOLS(DLSYM_PROTOTYPE)
PB_SYMBOLS(DLSYM_PROTOTYPE)

/* The empty string the generated descriptors point to as the default of string fields. */
extern const char ctrd_pb_empty_string[];
