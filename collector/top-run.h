/* top-run.h - sflowcat --top: the live view and --once snapshots, from a socket or a capture. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct top_run_opts {
        int fd;           /* live: the bound UDP socket */
        const char *path; /* or a capture file */
        uint16_t port;    /* capture: only datagrams to this port (0: any sFlow) */
        unsigned window;  /* seconds */
        double once;      /* > 0: one snapshot after this long, then exit */
        bool json;
        unsigned rows; /* rows per list in snapshots */
        void (*on_datagram)(void *user, const uint8_t *buf, size_t len); /* forwarding */
        void *user;
};

int top_run(const struct top_run_opts *o);
