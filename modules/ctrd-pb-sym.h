/* ctrd-pb-sym.h - included before each file of the C that protoc-c generates (modules/local.mk,
 * tests/fuzz/fuzz_containerd.gen): its calls into libprotobuf-c go through the sym_ pointers
 * that ctrd-dl.c resolves, like the module's own calls. */
#pragma once

#include "ctrd-dl.h"

#define protobuf_c_message_free_unpacked sym_protobuf_c_message_free_unpacked
#define protobuf_c_message_get_packed_size sym_protobuf_c_message_get_packed_size
#define protobuf_c_message_pack sym_protobuf_c_message_pack
#define protobuf_c_message_pack_to_buffer sym_protobuf_c_message_pack_to_buffer
#define protobuf_c_message_unpack sym_protobuf_c_message_unpack
#define protobuf_c_service_generated_init sym_protobuf_c_service_generated_init
#define protobuf_c_empty_string ctrd_pb_empty_string
