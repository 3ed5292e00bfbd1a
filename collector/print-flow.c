/* print-flow.c - flow samples (0:1, 0:3), discard samples (0:5) and their records. */
#include <inttypes.h>
#include <stdio.h>

#include "print.h"
#include "sflow/layout.h"

/* Input/output port of a flow sample: "N", "multiple N", "dropCode N" (sflowtool's forms). */
static void print_port(struct output *o, const char *name, uint32_t format, uint32_t value) {
        switch (format) {
        case SFLOW_IF_SINGLE:
                out_u32(o, name, value);
                break;
        case SFLOW_IF_DISCARD:
                out_fieldf(o, name, "dropCode %" PRIu32, value);
                break;
        case SFLOW_IF_MULTIPLE:
                out_fieldf(o, name, "multiple %" PRIu32, value);
                break;
        case 3:
                out_fieldf(o, name, "format==3 %" PRIu32, value);
                break;
        default:
                out_field(o, name, "");
                break;
        }
}

static void print_tcp_info(struct output *o, const struct sflow_flow_tcp_info *t) {
        static const char *const dirs[] = {"unknown", "received", "sent"};

        out_field(o, "tcpinfo_direction", t->direction < 3 ? dirs[t->direction] : "<bad value>");
        out_u32(o, "tcpinfo_send_mss", t->snd_mss);
        out_u32(o, "tcpinfo_receive_mss", t->rcv_mss);
        out_u32(o, "tcpinfo_unacked_pkts", t->unacked);
        out_u32(o, "tcpinfo_lost_pkts", t->lost);
        out_u32(o, "tcpinfo_retrans_pkts", t->retrans);
        out_u32(o, "tcpinfo_path_mtu", t->pmtu);
        out_u32(o, "tcpinfo_rtt_uS", t->rtt);
        out_u32(o, "tcpinfo_rtt_uS_var", t->rttvar);
        out_u32(o, "tcpinfo_send_congestion_win", t->snd_cwnd);
        out_u32(o, "tcpinfo_reordering", t->reordering);
        out_u32(o, "tcpinfo_rtt_uS_min", t->min_rtt);
}

/* Strings are printed only when not empty, as the reference decoder does. */
static void print_nonempty(struct output *o, const char *name, const struct sflow_string *s) {
        if (s->len > 0)
                out_string(o, name, s);
}

static void print_flow_record(struct printer *p, const struct sflow_record *r) {
        struct output *o = p->out;
        char buf[32];

        o->ctx.element_tag = r->tag;
        out_object_begin(o, NULL);
        out_field(o, "flowBlock_tag", fmt_tag(buf, sizeof(buf), r->tag));
        if (!r->known) {
                print_unknown_record(p, r, "flow_sample_element");
                out_object_end(o);
                return;
        }
        switch (r->tag) {
        case SFLOW_FLOW_HEADER:
                print_sampled_header(o, &r->u.header);
                break;
        case SFLOW_FLOW_TIMESTAMP:
                out_field(o, "extendedType", "timestamp");
                out_u64(o, "timestamp_nS", r->u.timestamp.nanoseconds);
                break;
        case SFLOW_FLOW_TCP_INFO:
                print_tcp_info(o, &r->u.tcp_info);
                break;
        case SFLOW_FLOW_EGRESS_QUEUE:
                out_field(o, "extendedType", "egress_queue");
                out_u32(o, "egress_queue_id", r->u.egress_queue.queue);
                break;
        case SFLOW_FLOW_FUNCTION:
                out_field(o, "extendedType", "function");
                print_nonempty(o, "symbol", &r->u.function.symbol);
                break;
        case SFLOW_FLOW_TRANSIT:
                out_field(o, "extendedType", "transit_delay");
                out_u32(o, "transit_delay_nS", r->u.transit.delay);
                break;
        case SFLOW_FLOW_QUEUE:
                out_field(o, "extendedType", "queue_depth");
                out_u32(o, "queue_depth_bytes", r->u.queue.depth);
                break;
        case SFLOW_FLOW_HW_TRAP:
                out_field(o, "extendedType", "hw_trap");
                print_nonempty(o, "hw_trap_group", &r->u.hw_trap.group);
                print_nonempty(o, "hw_trap_name", &r->u.hw_trap.trap);
                break;
        case SFLOW_FLOW_LINUX_REASON:
                out_field(o, "extendedType", "linux_reason");
                print_nonempty(o, "linux_drop_reason", &r->u.linux_reason.reason);
                break;
        default:
                if (!print_record_ext(o, SFLOW_KIND_FLOW, r))
                        print_unknown_record(p, r, "flow_sample_element");
                break;
        }
        out_object_end(o);
}

static void print_flow_records(struct printer *p, const struct sflow_sample *s) {
        uint32_t n = s->num_records < SFLOW_MAX_RECORDS ? s->num_records : SFLOW_MAX_RECORDS;

        out_array_begin(p->out, "elements");
        for (uint32_t i = 0; i < n; i++)
                print_flow_record(p, &s->records[i]);
        out_array_end(p->out);
        print_records_note(p, s);
}

void print_flow_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        const struct sflow_flow_header *last_header = NULL;

        out_field(o, "sampleType", "FLOWSAMPLE");
        out_u32(o, "sampleSequenceNo", s->sequence);
        o->ctx.ds_class = s->ds_class;
        o->ctx.ds_index = s->ds_index;
        out_fieldf(o, "sourceId", "%" PRIu32 ":%" PRIu32, s->ds_class, s->ds_index);
        out_u32(o, "meanSkipCount", s->sampling_rate);
        out_u32(o, "samplePool", s->sample_pool);
        out_u32(o, "dropEvents", s->drops);
        print_port(o, "inputPort", s->input_format, s->input);
        print_port(o, "outputPort", s->output_format, s->output);
        print_flow_records(p, s);

        if (!p->header_sink)
                return;
        uint64_t sample_ns = 0;
        for (uint32_t i = 0; i < s->num_records && i < SFLOW_MAX_RECORDS; i++) {
                if (!s->records[i].known)
                        continue;
                if (s->records[i].tag == SFLOW_FLOW_HEADER)
                        last_header = &s->records[i].u.header;
                else if (s->records[i].tag == SFLOW_FLOW_TIMESTAMP)
                        sample_ns = s->records[i].u.timestamp.nanoseconds;
        }
        if (last_header)
                p->header_sink(p->header_sink_user, last_header, sample_ns, p->ri);
}

void print_discard_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        const char *reason = sflow_drop_reason_name(s->reason);

        out_field(o, "sampleType", "DISCARD");
        out_u32(o, "sampleSequenceNo", s->sequence);
        o->ctx.ds_class = s->ds_class;
        o->ctx.ds_index = s->ds_index;
        out_fieldf(o, "sourceId", "%" PRIu32 ":%" PRIu32, s->ds_class, s->ds_index);
        out_u32(o, "dropEvents", s->drops);
        out_u32(o, "inputPort", s->input);
        out_u32(o, "outputPort", s->output);
        out_u32(o, "discardCode", s->reason);
        out_field(o, "discardReason", reason ? reason : "NotFound");
        out_push_prefix(o, "discarded_");
        print_flow_records(p, s);
        out_pop_prefix(o);
}
