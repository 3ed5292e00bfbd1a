/* dropmon.h - the dropmon module: packets the kernel drops (drop_monitor, genetlink family
 * NET_DM) as sFlow discarded-packet samples (0:5). */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

/* The dropmon { } block (the reference's keywords and defaults). */
struct dropmon_conf {
        bool start, force, sw, hw, rn, hw_unknown, sw_passive, hw_passive;
        uint32_t limit;    /* discard samples per second, exactly */
        char *hide;        /* regex over reason and symbol: matches are not sent */
        uint32_t max;      /* netlink messages per second beyond which ... */
        uint32_t max_trip; /* ... for this many seconds in a row the feed pauses */
};

extern const struct hsp_keyword dropmon_keywords[];
extern const struct dropmon_conf dropmon_defaults;

/* What one NET_DM_CMD_PACKET_ALERT says (pointers into the message; strings NUL-terminated by
 * the parser's checks, at most 255 bytes). */
struct dropmon_pkt {
        const char *symbol, *reason, *trap_group, *trap_name, *in_name;
        uint32_t in_ifindex; /* 0 when absent */
        bool has_ts;
        uint64_t ts_ns;
        uint16_t proto; /* ETH_P_*, host order; 0 when absent */
        bool hw;        /* reported by a device (NET_DM_ORIGIN_HW) */
        const uint8_t *payload;
        uint32_t payload_len, orig_len;
};

/* Parse one message of the NET_DM family (family_id: its resolved id). 0 for a packet alert,
 * -ENOMSG for another message, -EBADMSG when malformed or without PAYLOAD. */
int dropmon_parse(const struct nlmsghdr *nlh, int family_id, struct dropmon_pkt *ret);

/* The sFlow drop reason (Dropped Packet Notification Structures) of a drop: from the Linux
 * reason, else the hardware trap name or group, else the function's name; -1 for drops that
 * are not drops (NOT_DROPPED_YET, ...), not reported. */
int dropmon_reason(const struct dropmon_pkt *p);

/* An exact rate limit: limit tokens per second, at most limit in a burst. */
struct dropmon_bucket {
        uint32_t limit;
        uint64_t last_ns;
        uint64_t milli_tokens; /* thousandths of a token */
};
void dropmon_bucket_init(struct dropmon_bucket *b, uint32_t limit, uint64_t now_ns);
bool dropmon_bucket_take(struct dropmon_bucket *b, uint64_t now_ns);

/* The overload breaker: called once a second with the messages of that second. Returns true
 * when the feed must pause (max exceeded max_trip seconds in a row). */
struct dropmon_breaker {
        uint32_t max, max_trip, over;
};
bool dropmon_breaker_tick(struct dropmon_breaker *b, uint64_t messages);
