/* print-app.c - rtmetric/rtflow samples (4300:1002, 4300:1003), with sflowtool's field names
 * (the application structures are printed from the tables of print-records.c). */
#include <inttypes.h>
#include <stdio.h>

#include "print.h"

static void nonempty(struct output *o, const char *name, const struct sflow_string *s) {
        if (s->len > 0)
                out_string(o, name, s);
}

static const char *const rtm_types[SFLOW_RTM_NUM_TYPES] = {
        "string", "counter32", "counter64", "gauge32", "gauge64", "gaugeFloat", "gaugeDouble",
};
static const char *const rtf_types[SFLOW_RTF_NUM_TYPES] = {
        "string", "mac", "ip", "ip6", "int32", "int64", "float", "double",
};

/* "rtmetric_<type>_<name> value" for each entry, as sflowtool prints them. */
static void print_rt_entry(struct output *o, const char *sample, bool metric,
                           const struct sflow_rt_entry *x) {
        char name[160], v[64];
        const char *type = metric ? (x->type < SFLOW_RTM_NUM_TYPES ? rtm_types[x->type] : "?")
                                  : (x->type < SFLOW_RTF_NUM_TYPES ? rtf_types[x->type] : "?");

        snprintf(name, sizeof(name), "%s_%s_%.*s", sample, type, (int)x->name.len, x->name.str);
        if (metric) {
                switch (x->type) {
                case SFLOW_RTM_STRING:
                        out_string(o, name, &x->v.str);
                        return;
                case SFLOW_RTM_COUNTER32:
                case SFLOW_RTM_GAUGE32:
                        out_u32(o, name, x->v.u32);
                        return;
                case SFLOW_RTM_COUNTER64:
                case SFLOW_RTM_GAUGE64:
                        out_u64(o, name, x->v.u64);
                        return;
                case SFLOW_RTM_GAUGE_FLOAT:
                        out_fieldf(o, name, "%.3f", (double)x->v.f);
                        return;
                default:
                        out_fieldf(o, name, "%.3f", x->v.d);
                        return;
                }
        }
        switch (x->type) {
        case SFLOW_RTF_STRING:
                out_string(o, name, &x->v.str);
                return;
        case SFLOW_RTF_MAC:
                out_field(o, name, fmt_mac(v, sizeof(v), x->v.bytes));
                return;
        case SFLOW_RTF_IP:
                out_field(o, name, fmt_ipv4(v, sizeof(v), x->v.bytes));
                return;
        case SFLOW_RTF_IP6:
                out_field(o, name, fmt_ipv6(v, sizeof(v), x->v.bytes));
                return;
        case SFLOW_RTF_INT32:
                out_u32(o, name, x->v.u32);
                return;
        case SFLOW_RTF_INT64:
                out_u64(o, name, x->v.u64);
                return;
        case SFLOW_RTF_FLOAT:
                out_fieldf(o, name, "%.3f", (double)x->v.f);
                return;
        default:
                out_fieldf(o, name, "%.3f", x->v.d);
                return;
        }
}

void print_rt_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        bool metric = s->tag == SFLOW_SAMPLE_RTMETRIC;
        const char *kind = metric ? "rtmetric" : "rtflow";
        char name[48];
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        out_field(o, "sampleType", metric ? "RTMETRIC" : "RTFLOW");
        snprintf(name, sizeof(name), "%s_datasource_name", kind);
        nonempty(o, name, &s->rt_datasource);
        if (!metric) {
                out_u32(o, "rtflow_sampling_rate", s->sampling_rate);
                out_u32(o, "rtflow_sample_pool", s->sample_pool);
        }
        for (uint32_t i = 0; i < n; i++)
                print_rt_entry(o, kind, metric, &s->records[i].u.rt);
        print_records_note(p, s);
}
