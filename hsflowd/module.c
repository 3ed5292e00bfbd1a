/* module.c - helpers shared by the core and modules. */
#include <string.h>

#include "module.h"

struct sflow_record *hsp_sample_add(struct sflow_sample *s, uint32_t tag) {
        if (s->num_records >= SFLOW_MAX_RECORDS)
                return NULL;
        struct sflow_record *r = &s->records[s->num_records++];
        memset(r, 0, sizeof *r);
        r->tag = tag;
        r->known = true;
        return r;
}

uint32_t hsp_ds_index_hash(const char *key, unsigned probe) {
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over unsigned bytes */
        for (const char *p = key; *p; p++) {
                h ^= (uint8_t)*p;
                h *= 0x100000001b3ULL;
        }
        return HSP_DS_HASH_BASE + (uint32_t)((h + probe) % HSP_DS_HASH_RANGE);
}
