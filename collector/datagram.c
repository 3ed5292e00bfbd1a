/* datagram.c - check a whole sFlow datagram, then print its header and samples. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "print.h"

/* One decoded sample at a time; the collector is single-threaded. */
static struct sflow_sample sample;

static const char *source_text(const struct printer *p, char *buf, size_t len) {
        if (p->ri->from_file)
                snprintf(buf, len, "capture");
        else
                fmt_address(buf, len, &p->ri->source);
        return buf;
}

static void report_error(const struct printer *p, const uint8_t *buf, const struct sflow_reader *r,
                         int rc, size_t len) {
        char src[64], version[48] = "";
        const char *what = r->error_what;

        if (!what)
                what = rc == -EPROTO ? "unsupported datagram version" : strerror(-rc);
        if (rc == -EPROTO && len >= 4)
                snprintf(version, sizeof(version), " (version field %" PRIu32 ", expected %d)",
                         (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 |
                                 buf[3],
                         SFLOW_VERSION);
        fprintf(stderr,
                "sflowcat: datagram %" PRIu64 " (%zu bytes from %s) skipped: offset %zu: %s%s\n",
                p->ri->index, len, source_text(p, src, sizeof(src)), r->error_offset, what,
                version);
}

static void report_note(const struct printer *p, size_t offset, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void report_note(const struct printer *p, size_t offset, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "sflowcat: datagram %" PRIu64 ": offset %zu: ", p->ri->index, offset);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void print_unknown_record(struct printer *p, const struct sflow_record *r, const char *what) {
        char tag[32];

        fmt_tag(tag, sizeof(tag), r->tag);
        out_note(p->out, "skipping unknown %s: %s len=%" PRIu32 "\n", what, tag, r->length);
        report_note(p, r->offset, "skipped unknown %s %s (%" PRIu32 " bytes)", what, tag,
                    r->length);
}

void print_records_note(struct printer *p, const struct sflow_sample *s) {
        char tag[32];

        if (s->num_records > SFLOW_MAX_RECORDS)
                report_note(p, s->offset,
                            "sample has %" PRIu32 " records, only the first %d are shown",
                            s->num_records, SFLOW_MAX_RECORDS);
        for (uint32_t i = 0; i < s->num_records && i < SFLOW_MAX_RECORDS; i++)
                if (s->records[i].truncated)
                        report_note(p, s->records[i].offset,
                                    "record %s holds more entries than shown",
                                    fmt_tag(tag, sizeof(tag), s->records[i].tag));
}

static int check_datagram(const uint8_t *buf, size_t len, struct sflow_reader *r) {
        struct sflow_datagram d;
        int rc;

        sflow_reader_init(r, buf, len);
        rc = sflow_decode_datagram_header(r, &d);
        if (rc < 0)
                return rc;
        if (d.version != SFLOW_VERSION) {
                r->error_offset = 0;
                r->error_what = "unsupported datagram version";
                return -EPROTO;
        }
        for (uint32_t i = 0; i < d.num_samples; i++) {
                rc = sflow_decode_sample(r, &sample);
                if (rc < 0)
                        return rc;
        }
        return 0;
}

bool datagram_looks_like_sflow(const uint8_t *buf, size_t len) {
        struct sflow_reader r;
        struct sflow_datagram d;

        sflow_reader_init(&r, buf, len);
        return sflow_decode_datagram_header(&r, &d) == 0 && d.version == SFLOW_VERSION;
}

static void print_receive_fields(struct printer *p, size_t len) {
        struct output *o = p->out;
        const struct recv_info *ri = p->ri;
        char buf[64];

        if (ri->from_file) {
                /* sflowtool's reading of a capture: no source, no receive time */
                out_field(o, "datagramSourceIP", "-");
                out_u32(o, "datagramSize", (uint32_t)len);
                out_u32(o, "unixSecondsUTC", 0);
                out_u32(o, "unixSecondsUTC_uS", 0);
                out_field(o, "localtime", fmt_localtime(buf, sizeof(buf), 0));
                /* as the reference decoder: the capture time, when the record has one */
                if (ri->file_time.tv_sec) {
                        out_field(o, "pcapTimestamp",
                                  fmt_localtime(buf, sizeof(buf), ri->file_time.tv_sec));
                        out_u32(o, "pcapTimestamp_uS", (uint32_t)ri->file_time.tv_usec);
                }
                return;
        }
        out_field(o, "datagramSourceIP", fmt_address(buf, sizeof(buf), &ri->source));
        out_u32(o, "datagramSize", (uint32_t)len);
        out_u64(o, "unixSecondsUTC", (uint64_t)ri->arrival.tv_sec);
        out_u32(o, "unixSecondsUTC_uS", (uint32_t)ri->arrival.tv_usec);
        out_field(o, "localtime", fmt_localtime(buf, sizeof(buf), ri->arrival.tv_sec));
}

static void print_sample(struct printer *p, const struct sflow_sample *s) {
        struct output *o = p->out;
        char tag[32];
        bool known = s->known;

        o->ctx.ds_class = o->ctx.ds_index = 0;
        o->ctx.sample_tag = s->tag;
        o->ctx.element_tag = 0;
        out_sample_begin(o);
        out_field(o, "sampleType_tag", fmt_tag(tag, sizeof(tag), s->tag));
        if (known) {
                switch (s->tag) {
                case SFLOW_SAMPLE_FLOW:
                case SFLOW_SAMPLE_FLOW_EXPANDED:
                        print_flow_sample(p, s);
                        break;
                case SFLOW_SAMPLE_COUNTERS:
                case SFLOW_SAMPLE_COUNTERS_EXPANDED:
                        print_counter_sample(p, s);
                        break;
                case SFLOW_SAMPLE_DISCARDS:
                        print_discard_sample(p, s);
                        break;
                case SFLOW_SAMPLE_RTMETRIC:
                case SFLOW_SAMPLE_RTFLOW:
                        print_rt_sample(p, s);
                        break;
                default:
                        known = false;
                        break;
                }
        }
        if (!known) {
                out_note(o, "skipping unknown sample: %s len=%" PRIu32 "\n", tag, s->length);
                report_note(p, s->offset, "skipped unknown sample %s (%" PRIu32 " bytes)", tag,
                            s->length);
        }
        out_sample_end(o, known);
}

int print_datagram(struct printer *p, const uint8_t *buf, size_t len, bool quiet) {
        struct output *o = p->out;
        struct sflow_reader r;
        struct sflow_datagram d;
        int rc;

        rc = check_datagram(buf, len, &r);
        if (rc < 0) {
                if (!quiet)
                        report_error(p, buf, &r, rc, len);
                return rc;
        }

        memset(&o->ctx, 0, sizeof(o->ctx));
        o->ctx.when = p->ri->from_file ? p->ri->file_time.tv_sec : p->ri->arrival.tv_sec;
        out_datagram_begin(o);
        print_receive_fields(p, len);

        sflow_reader_init(&r, buf, len);
        if (sflow_decode_datagram_header(&r, &d) < 0)
                return -EBADMSG; /* cannot happen: checked above */
        out_u32(o, "datagramVersion", d.version);
        o->ctx.agent = d.agent;
        o->ctx.sub_agent_id = d.sub_agent_id;
        out_u32(o, "agentSubId", d.sub_agent_id);
        o->ctx.sequence = d.sequence;
        char agent[64];
        out_field(o, "agent", fmt_address(agent, sizeof(agent), &d.agent));
        out_u32(o, "packetSequenceNo", d.sequence);
        out_u32(o, "sysUpTime", d.uptime_ms);
        out_u32(o, "samplesInPacket", d.num_samples);

        o->scope = OUT_SCOPE_SAMPLE;
        out_array_begin(o, "samples");
        for (uint32_t i = 0; i < d.num_samples; i++) {
                if (sflow_decode_sample(&r, &sample) < 0)
                        break; /* cannot happen: checked above */
                print_sample(p, &sample);
        }
        out_array_end(o);
        out_datagram_end(o);
        return 0;
}
