/* json-dl.h - libjson-c, loaded when the docker or the json module starts rather than linked,
 * so that an hsflowd with neither block maps neither it nor the libm it brings:
 * sym_json_*() pointers typed by json-c's own headers. */
#pragma once

#include <json-c/json.h>

#include "dlopen.h"

/* every json-c function docker-json.c, json-parse.c and json.c call */
#define JSON_SYMBOLS(X)                                                                            \
        X(json_object_array_get_idx)                                                               \
        X(json_object_array_length)                                                                \
        X(json_object_get_boolean)                                                                 \
        X(json_object_get_double)                                                                  \
        X(json_object_get_int64)                                                                   \
        X(json_object_get_object)                                                                  \
        X(json_object_get_string)                                                                  \
        X(json_object_get_string_len)                                                              \
        X(json_object_get_uint64)                                                                  \
        X(json_object_is_type)                                                                     \
        X(json_object_object_get_ex)                                                               \
        X(json_object_put)                                                                         \
        X(json_tokener_error_desc)                                                                 \
        X(json_tokener_free)                                                                       \
        X(json_tokener_get_error)                                                                  \
        X(json_tokener_get_parse_end)                                                              \
        X(json_tokener_new)                                                                        \
        X(json_tokener_new_ex)                                                                     \
        X(json_tokener_parse_ex)                                                                   \
        X(json_tokener_reset)                                                                      \
        X(json_tokener_set_flags)

JSON_SYMBOLS(DLSYM_PROTOTYPE)

/* Load libjson-c: 0, or -ENOENT logged under module's name when it is not installed. */
int json_dl_load(const char *module);

/* json_object_object_foreach() with its one call into the library, json_object_get_object(),
 * through the pointer; the entry accessors are inline in linkhash.h (fields before 0.16). */
#if JSON_C_VERSION_NUM >= ((0 << 16) | (16 << 8))
#define JSON_DL_HEAD(t) lh_table_head(t)
#define JSON_DL_K(e) lh_entry_k(e)
#define JSON_DL_V(e) lh_entry_v(e)
#define JSON_DL_NEXT(e) lh_entry_next(e)
#else
#define JSON_DL_HEAD(t) ((t)->head)
#define JSON_DL_K(e) ((e)->k)
#define JSON_DL_V(e) ((e)->v)
#define JSON_DL_NEXT(e) ((e)->next)
#endif
#define json_dl_object_foreach(obj, key, val)                                                      \
        char *key = NULL;                                                                          \
        struct json_object *val __attribute__((__unused__)) = NULL;                                \
        for (struct lh_entry *entry##key = JSON_DL_HEAD(sym_json_object_get_object(obj)),          \
                             *entry_next##key = NULL;                                              \
             entry##key && (key = (char *)JSON_DL_K(entry##key),                                   \
                           val = (struct json_object *)JSON_DL_V(entry##key),                      \
                           entry_next##key = JSON_DL_NEXT(entry##key), 1);                         \
             entry##key = entry_next##key)
