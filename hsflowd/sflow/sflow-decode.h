/* sflow-decode.h - the decoder of the sFlow v5 wire library (decode.c): a bounded reader over
 * one datagram that reports where and what is wrong. Included by sflow.h. */
#pragma once
/* the types it reads into are sflow.h's: include sflow.h, not this file */

/* ---- decoder (decode.c) ---- */
struct sflow_reader {
        const uint8_t *buf;
        size_t len, off;
        int error;              /* 0, or -EBADMSG / -EPROTO once something was wrong */
        size_t error_offset;    /* where the error was found */
        const char *error_what; /* static text describing it */
};

static inline void sflow_reader_init(struct sflow_reader *r, const void *buf, size_t len) {
        r->buf = buf;
        r->len = len;
        r->off = 0;
        r->error = 0;
        r->error_offset = 0;
        r->error_what = NULL;
}

/* Read the datagram header. Returns 0, -EPROTO for a version other than 5, or -EBADMSG
 * (truncated, agent address type not 0/1/2, datagram over SFLOW_MAX_DATAGRAM); d is untouched
 * on failure. Agent address type 0 (unknown) has no address bytes. */
int sflow_decode_datagram_header(struct sflow_reader *r, struct sflow_datagram *d);
/* Read the next sample (call num_samples times). Unknown sample types and unknown records are
 * returned with known=false (tag, length, offset, raw set) and skipped by their length. Records
 * are decoded as flow records in 0:1/0:3/0:5 and as counter records in 0:2/0:4. A record or
 * sample whose content is shorter than its declared length is fine: the rest is skipped.
 * Capacity limits keep the first SFLOW_MAX_RECORDS records (s->truncated), SFLOW_MAX_ADAPTERS
 * adapters and SFLOW_MAX_MACS MACs (record truncated); the rest is skipped, num_* keep the wire
 * counts. Returns 0 or -EBADMSG (a length overruns the datagram or the enclosing sample, or a
 * record's content overruns its length); r->error_offset and r->error_what tell where and what.
 * Errors are sticky: later calls return r->error. s is unspecified after a failure. */
int sflow_decode_sample(struct sflow_reader *r, struct sflow_sample *s);
