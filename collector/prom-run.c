/* prom-run.c - sflowcat --prometheus [ADDR:]PORT: GET /metrics served by libmicrohttpd on this
 * thread's poll loop (its epoll descriptor beside the sFlow socket), the counters of every agent
 * and the top window's rates. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "prom-run.h"
#include "prom-store.h"
#include "top.h"

struct prom {
        struct prom_store store;
        struct top top;
        unsigned rows;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
        stop_signal = sig;
}

static double wall(void) {
        struct timeval tv;

        gettimeofday(&tv, NULL);
        return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **req) {
        struct prom *p = cls;
        struct MHD_Response *resp;
        enum MHD_Result r;
        char *text = NULL;
        size_t len = 0;
        FILE *f;
        unsigned status = MHD_HTTP_OK;

        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                status = MHD_HTTP_METHOD_NOT_ALLOWED;
        else if (strcmp(url, "/metrics") != 0)
                status = MHD_HTTP_NOT_FOUND;
        f = open_memstream(&text, &len);
        if (!f)
                return MHD_NO;
        if (status == MHD_HTTP_OK) {
                double now = wall();

                if (p->top.now < now)
                        p->top.now = now;
                prom_store_write(&p->store, f, now);
                top_print_prometheus(&p->top, f, p->rows);
        } else {
                fprintf(f, "%s\n",
                        status == MHD_HTTP_NOT_FOUND ? "not found: try /metrics"
                                                     : "method not allowed");
        }
        fclose(f);
        resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(text);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                status == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
                                                      : "text/plain");
        r = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return r;
}

/* [ADDR:]PORT: IPv4 address, or [IPv6] address, or nothing for every address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss) {
        const char *colon = strrchr(spec, ':');
        char host[128] = "";
        unsigned long port;
        char *end;

        memset(ss, 0, sizeof(*ss));
        if (colon) {
                size_t n = (size_t)(colon - spec);

                if (n >= sizeof(host))
                        return -EINVAL;
                memcpy(host, spec, n);
                host[n] = '\0';
                spec = colon + 1;
        }
        port = strtoul(spec, &end, 10);
        if (*end || end == spec || port == 0 || port > 65535)
                return -EINVAL;
        if (host[0] == '[') {
                struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
                size_t n = strlen(host);

                if (n < 3 || host[n - 1] != ']')
                        return -EINVAL;
                host[n - 1] = '\0';
                a6->sin6_family = AF_INET6;
                a6->sin6_port = htons((uint16_t)port);
                return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -EINVAL;
        }
        {
                struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

                a4->sin_family = AF_INET;
                a4->sin_port = htons((uint16_t)port);
                if (!host[0]) {
                        a4->sin_addr.s_addr = htonl(INADDR_ANY);
                        return 0;
                }
                return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
        }
}

int prom_run(const struct prom_run_opts *o) {
        static struct prom p;
        static uint8_t buf[SFLOW_MAX_DATAGRAM];
        struct sigaction sa = {.sa_handler = on_signal};
        struct sockaddr_storage ss;
        struct MHD_Daemon *d;
        const union MHD_DaemonInfo *info;
        int r;

        if (parse_listen(o->listen, &ss) < 0) {
                fprintf(stderr, "sflowcat: --prometheus %s: expected [ADDR:]PORT\n", o->listen);
                return -EINVAL;
        }
        r = top_init(&p.top, o->window);
        if (r < 0)
                return r;
        prom_store_init(&p.store, o->stale);
        p.rows = o->rows;
        d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer, &p,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
        if (!d) {
                fprintf(stderr, "sflowcat: --prometheus %s: cannot serve HTTP there\n", o->listen);
                top_free(&p.top);
                return -EADDRINUSE;
        }
        info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        fprintf(stderr, "sflowcat: serving /metrics on %s\n", o->listen);
        while (!stop_signal) {
                struct pollfd pf[2] = {{.fd = o->fd, .events = POLLIN},
                                       {.fd = info->epoll_fd, .events = POLLIN}};
                MHD_UNSIGNED_LONG_LONG to = 1000;
                int n;

                if (MHD_get_timeout(d, &to) == MHD_YES && to > 1000)
                        to = 1000;
                n = poll(pf, 2, (int)to);
                if (n < 0 && errno != EINTR)
                        break;
                if (n > 0 && (pf[0].revents & POLLIN)) {
                        for (int i = 0; i < 256; i++) {
                                ssize_t len = recv(o->fd, buf, sizeof(buf), MSG_DONTWAIT);
                                double now = wall();

                                if (len < 0)
                                        break;
                                if (o->on_datagram)
                                        o->on_datagram(o->user, buf, (size_t)len);
                                prom_store_datagram(&p.store, buf, (size_t)len, now);
                                top_datagram(&p.top, buf, (size_t)len, now);
                        }
                }
                MHD_run(d);
        }
        MHD_stop_daemon(d);
        prom_store_free(&p.store);
        top_free(&p.top);
        return 0;
}
