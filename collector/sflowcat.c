/* sflowcat.c - sFlow v5 collector: arguments, UDP or capture-file input, one datagram at a time. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "forward.h"
#include "output.h"
#include "pcap-io.h"
#include "pcap-out.h"
#include "print.h"
#include "top-run.h"
#ifdef HAVE_PROMETHEUS
#include "prom-run.h"
#endif

#define RCVBUF_BYTES (4 * 1024 * 1024)

struct options {
        uint16_t port;
        bool port_given;
        const char *read_file;
        uint64_t count; /* 0: no limit */
        enum out_mode mode;
        const char *fields;
        bool top;
        double once;
        unsigned window, rows;
        const char *prometheus;
        double stale;
        struct forwarder fwd;
};

static void usage(FILE *f, const char *argv0) {
        fprintf(f,
                "Usage: %s [-p PORT] [-r FILE] [-c N] [-g | -j | -J | -L FIELDS | -t]\n"
                "Decode sFlow version 5 datagrams (field names and formats as sflowtool).\n"
                "\n"
                "input:\n"
                "   -p PORT     UDP port to listen on (default %d); with -r, only datagrams to "
                "PORT\n"
                "   -r FILE     read a pcap capture file (\"-\" for stdin) instead of listening\n"
                "   -c N        exit after N datagrams\n"
                "output (default: \"key value\" lines):\n"
                "   -g          grep-friendly: every line carries its context\n"
                "   -L F1,F2    CSV of the named fields, one line per sample\n"
                "   -j          JSON, one object per datagram per line\n"
                "   -J          JSON, indented\n"
                "   -t          sampled packet headers as a pcapng stream on stdout (one "
                "interface\n"
                "               per link type: Ethernet, raw IP, ...)\n"
                "   -f HOST/PORT  forward every datagram unchanged (repeatable)\n"
                "top view (estimates scaled by the sampling rate, with 95 %% confidence):\n"
                "   --top       live view of the last seconds: talkers, flows, TCP SYN sources,\n"
                "               destination ports, agents and interfaces; q quits\n"
                "   --window S  seconds of the sliding window (default 10, at most 60)\n"
                "   --once S    print one snapshot after S seconds and exit (-j: as JSON)\n"
                "   --rows N    rows per list in snapshots (default 10)\n"
                "metrics:\n"
                "   --prometheus [ADDR:]PORT  serve /metrics: counters of every agent, per "
                "interface,\n"
                "               virtual nodes, and the top rates as gauges%s\n"
                "   --stale S   forget an agent's data source silent for S seconds (default 300)\n"
                "   -h          this help\n",
                argv0, SFLOW_DEFAULT_PORT,
#ifdef HAVE_PROMETHEUS
                ""
#else
                " (not built: --enable-prometheus)"
#endif
        );
}

static int parse_args(int argc, char **argv, struct options *opt) {
        int c;

        static const struct option longopts[] = {
                {"top", no_argument, NULL, 'T'},
                {"once", required_argument, NULL, 'O'},
                {"window", required_argument, NULL, 'W'},
                {"rows", required_argument, NULL, 'R'},
                {"prometheus", required_argument, NULL, 'P'},
                {"stale", required_argument, NULL, 'S'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };

        opt->port = SFLOW_DEFAULT_PORT;
        opt->mode = OUT_TEXT;
        opt->window = 10;
        opt->rows = 10;
        opt->stale = 300;
        while ((c = getopt_long(argc, argv, "p:r:c:gL:jJtf:h", longopts, NULL)) != -1) {
                char *end;
                unsigned long long v;

                switch (c) {
                case 'p':
                        errno = 0;
                        v = strtoull(optarg, &end, 10);
                        if (errno || *end || end == optarg || v == 0 || v > 65535) {
                                fprintf(stderr, "sflowcat: invalid port: %s\n", optarg);
                                return -EINVAL;
                        }
                        opt->port = (uint16_t)v;
                        opt->port_given = true;
                        break;
                case 'r':
                        opt->read_file = optarg;
                        break;
                case 'c':
                        errno = 0;
                        v = strtoull(optarg, &end, 10);
                        if (errno || *end || end == optarg || v == 0) {
                                fprintf(stderr, "sflowcat: invalid count: %s\n", optarg);
                                return -EINVAL;
                        }
                        opt->count = v;
                        break;
                case 'g':
                        opt->mode = OUT_GREP;
                        break;
                case 'L':
                        opt->mode = OUT_CSV;
                        opt->fields = optarg;
                        break;
                case 'j':
                        opt->mode = OUT_JSON;
                        break;
                case 'J':
                        opt->mode = OUT_JSON_PRETTY;
                        break;
                case 't':
                        opt->mode = OUT_PCAP;
                        break;
                case 'f':
                        if (forward_add(&opt->fwd, optarg) < 0)
                                return -EINVAL;
                        break;
                case 'T':
                        opt->top = true;
                        break;
                case 'P':
#ifndef HAVE_PROMETHEUS
                        fprintf(stderr, "sflowcat: --prometheus is not built in (configure "
                                        "--enable-prometheus, with libmicrohttpd-dev)\n");
                        return -ENOTSUP;
#endif
                        opt->prometheus = optarg;
                        break;
                case 'O':
                case 'W':
                case 'R':
                case 'S':
                        errno = 0;
                        v = strtoull(optarg, &end, 10);
                        if (errno || *end || end == optarg || v == 0 || (c == 'W' && v > 60) ||
                            v > 86400) {
                                fprintf(stderr, "sflowcat: invalid %s: %s\n",
                                        c == 'O'   ? "--once"
                                        : c == 'W' ? "--window"
                                        : c == 'S' ? "--stale"
                                                   : "--rows",
                                        optarg);
                                return -EINVAL;
                        }
                        if (c == 'S')
                                opt->stale = (double)v;
                        else if (c == 'O')
                                opt->once = (double)v;
                        else if (c == 'W')
                                opt->window = (unsigned)v;
                        else
                                opt->rows = v > 64 ? 64 : (unsigned)v;
                        break;
                case 'h':
                        usage(stdout, argv[0]);
                        exit(EXIT_SUCCESS);
                default:
                        usage(stderr, argv[0]);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "sflowcat: unexpected argument: %s\n", argv[optind]);
                return -EINVAL;
        }
        if (opt->once > 0 && !opt->top) {
                fprintf(stderr, "sflowcat: --once needs --top\n");
                return -EINVAL;
        }
        if (opt->prometheus && (opt->top || opt->read_file)) {
                fprintf(stderr,
                        "sflowcat: --prometheus listens for datagrams: not with --top or -r\n");
                return -EINVAL;
        }
        if (opt->top && opt->mode != OUT_TEXT && opt->mode != OUT_JSON) {
                fprintf(stderr, "sflowcat: --top prints text, or JSON with -j\n");
                return -EINVAL;
        }
        return 0;
}

/* -t: the sample's own time (0:1043) when it has one, else when the datagram arrived. */
static void write_header(void *user, const struct sflow_flow_header *h, uint64_t sample_ns,
                         const struct recv_info *ri) {
        struct pcap_out *out = user;
        const struct timeval *tv = ri->from_file ? &ri->file_time : &ri->arrival;
        uint64_t when = sample_ns
                                ? sample_ns
                                : (uint64_t)tv->tv_sec * 1000000000 + (uint64_t)tv->tv_usec * 1000;

        if (pcap_out_write(out, h, when) < 0) {
                fprintf(stderr, "sflowcat: writing the capture output failed\n");
                exit(EXIT_FAILURE);
        }
}

/* One IPv6 socket that also receives IPv4; a plain IPv4 socket where IPv6 is unavailable. */
static int open_udp(uint16_t port, int *ret_fd) {
        struct sockaddr_in6 a6 = {
                .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
        struct sockaddr_in a4 = {.sin_family = AF_INET,
                                 .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_ANY)};
        int fd, off = 0, rcvbuf = RCVBUF_BYTES;

        fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
                if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == 0 &&
                    bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0)
                        goto done;
                int r = -errno;
                close(fd);
                if (r != -EADDRNOTAVAIL && r != -EAFNOSUPPORT && r != -ENOPROTOOPT)
                        return r;
        } else if (errno != EAFNOSUPPORT)
                return -errno;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
done:
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        *ret_fd = fd;
        return 0;
}

static void peer_address(const struct sockaddr_storage *ss, struct sflow_address *a) {
        static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

        memset(a, 0, sizeof(*a));
        if (ss->ss_family == AF_INET) {
                a->type = 1;
                memcpy(a->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        } else if (ss->ss_family == AF_INET6) {
                const uint8_t *b = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
                if (memcmp(b, v4mapped, sizeof(v4mapped)) == 0) {
                        a->type = 1;
                        memcpy(a->addr, b + 12, 4);
                } else {
                        a->type = 2;
                        memcpy(a->addr, b, 16);
                }
        }
}

static int run_live(const struct options *opt, struct printer *p) {
        static uint8_t buf[SFLOW_MAX_DATAGRAM];
        struct recv_info ri = {0};
        int fd = -1, r;

        r = open_udp(opt->port, &fd);
        if (r < 0) {
                fprintf(stderr, "sflowcat: cannot listen on UDP port %u: %s\n", opt->port,
                        strerror(-r));
                return r;
        }
        p->ri = &ri;
        for (;;) {
                struct sockaddr_storage peer;
                socklen_t plen = sizeof(peer);
                ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        fprintf(stderr, "sflowcat: recvfrom: %s\n", strerror(errno));
                        close(fd);
                        return r;
                }
                forward_datagram((void *)&opt->fwd, buf, (size_t)n);
                gettimeofday(&ri.arrival, NULL);
                peer_address(&peer, &ri.source);
                ri.index++;
                (void)print_datagram(p, buf, (size_t)n, false);
                if (opt->count && ri.index >= opt->count)
                        break;
        }
        close(fd);
        return 0;
}

static int run_file(const struct options *opt, struct printer *p) {
        struct recv_info ri = {.from_file = true};
        struct pcap_in *in;
        struct udp_datagram u;
        int r;

        r = pcap_in_open(&in, opt->read_file);
        if (r < 0)
                return r;
        p->ri = &ri;
        while ((r = pcap_in_next(in, &u)) > 0) {
                if (opt->port_given ? u.dport != opt->port
                                    : !datagram_looks_like_sflow(u.data, u.len))
                        continue;
                forward_datagram((void *)&opt->fwd, u.data, u.len);
                ri.source = u.src;
                ri.file_time = u.ts;
                ri.index++;
                (void)print_datagram(p, u.data, u.len, false);
                if (opt->count && ri.index >= opt->count)
                        break;
        }
        pcap_in_close(in);
        return r < 0 ? r : 0;
}

int main(int argc, char **argv) {
        struct options opt = {0};
        struct output out;
        struct printer p = {.out = &out};
        struct pcap_out *pcap = NULL;
        int r;

        if (parse_args(argc, argv, &opt) < 0)
                return 2;
#ifdef HAVE_PROMETHEUS
        if (opt.prometheus) {
                struct prom_run_opts po = {.listen = opt.prometheus,
                                           .window = opt.window,
                                           .rows = opt.rows,
                                           .stale = opt.stale,
                                           .on_datagram = opt.fwd.n ? forward_datagram : NULL,
                                           .user = &opt.fwd};

                r = open_udp(opt.port, &po.fd);
                if (r < 0) {
                        fprintf(stderr, "sflowcat: cannot listen on UDP port %u: %s\n", opt.port,
                                strerror(-r));
                        return 1;
                }
                r = prom_run(&po);
                forward_close(&opt.fwd);
                return r < 0 ? 1 : 0;
        }
#endif
        if (opt.top) {
                struct top_run_opts to = {.fd = -1,
                                          .path = opt.read_file,
                                          .port = opt.port_given ? opt.port : 0,
                                          .window = opt.window,
                                          .once = opt.once,
                                          .json = opt.mode == OUT_JSON,
                                          .rows = opt.rows,
                                          .on_datagram = opt.fwd.n ? forward_datagram : NULL,
                                          .user = &opt.fwd};

                if (!opt.read_file) {
                        r = open_udp(opt.port, &to.fd);
                        if (r < 0) {
                                fprintf(stderr, "sflowcat: cannot listen on UDP port %u: %s\n",
                                        opt.port, strerror(-r));
                                return 1;
                        }
                }
                r = top_run(&to);
                forward_close(&opt.fwd);
                return r < 0 ? 1 : 0;
        }
        r = out_init(&out, opt.mode, stdout, opt.fields);
        if (r < 0) {
                fprintf(stderr, "sflowcat: %s\n", r == -EINVAL ? "empty field list" : strerror(-r));
                return 2;
        }
        if (opt.mode == OUT_PCAP) {
                r = pcap_out_open(&pcap, stdout);
                if (r < 0)
                        return 1;
                p.header_sink = write_header;
                p.header_sink_user = pcap;
        }

        r = opt.read_file ? run_file(&opt, &p) : run_live(&opt, &p);

        fflush(stdout);
        forward_close(&opt.fwd);
        pcap_out_close(pcap);
        out_free(&out);
        return r < 0 ? 1 : 0;
}
