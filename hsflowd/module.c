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
