/* fuzz_json.c - json module documents on arbitrary bytes: whatever js_parse() accepts encodes
 * whole (never -EINVAL, never half a sample) and decodes back to the same number of records. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/json-dl.h"
#include "modules/json-mod.h"
#include "sflow/sflow.h"

/* libjson-c is linked here: the pointers the module calls are its functions */
JSON_SYMBOLS(DLSYM_BIND)

static struct js_msg m;
static struct sflow_sample s, back;
static uint8_t buf[65536];

static void round_trip(const struct sflow_sample *x) {
        struct sflow_writer w;
        struct sflow_reader r;
        sflow_writer_init(&w, buf, sizeof buf);
        if (sflow_encode_sample(&w, x) != 0)
                abort();
        sflow_reader_init(&r, buf, w.len);
        if (sflow_decode_sample(&r, &back) != 0 || !back.known ||
            back.num_records != x->num_records || r.off != w.len)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_object *root = NULL;
        char why[256];
        if (js_parse((const char *)data, size, &m, &root, why, sizeof why) != 0) {
                if (root || m.kinds || !why[0])
                        abort();
                return 0;
        }
        if (m.kinds & JS_FLOW) {
                memset(&s, 0, offsetof(struct sflow_sample, records));
                s.tag = SFLOW_SAMPLE_FLOW_EXPANDED;
                s.ds_class = SFLOW_DS_LOGICAL;
                s.ds_index = JS_DS_FIRST;
                s.sampling_rate = m.flow.sampling_rate;
                s.num_records = m.flow.n_records;
                memcpy(s.records, m.flow.records, sizeof m.flow.records);
                s.records[0].u.app_op.application =
                        (struct sflow_string){m.flow.app.name, (uint32_t)strlen(m.flow.app.name)};
                round_trip(&s);
        }
        if (m.kinds & JS_RTMETRIC)
                round_trip(&m.rtmetric);
        if (m.kinds & JS_RTFLOW)
                round_trip(&m.rtflow);
        json_object_put(root);
        return 0;
}
