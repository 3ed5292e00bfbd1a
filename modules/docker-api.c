/* docker-api.c - the Docker Engine API over its unix socket: libcurl multi driven by evloop. */
#include "docker-curl.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "docker.h"
#include "log.h"

#define BACKOFF_MIN_USEC 1000000ULL
#define BACKOFF_MAX_USEC 30000000ULL
#define BODY_MAX (64u * 1024 * 1024)
#define REQUEST_TIMEOUT_MS 30000L
#define MAX_CONNECTIONS 8L /* at once to the engine, the event stream included */
#define EVENTS_FILTER "%7B%22type%22%3A%5B%22container%22%5D%7D" /* {"type":["container"]} */

enum req_kind { REQ_VERSION, REQ_EVENTS, REQ_LIST, REQ_INSPECT };

enum api_state { ST_DOWN, ST_VERSION, ST_SUBSCRIBING, ST_LISTING, ST_READY };

struct dk_req {
        struct dk_api *api;
        CURL *easy;
        enum req_kind kind;
        char id[DK_ID_MAX + 1];
        char path[160];
        char *body;
        size_t len, cap;
        long status; /* HTTP status, once the headers are in */
        bool headers_done;
        char err[CURL_ERROR_SIZE];
        struct dk_req *prev, *next;
};

struct dk_api {
        struct evloop *loop;
        CURLM *multi;
        struct evsrc *curl_timer, *retry_timer;
        char *socket;
        struct dk_api_callbacks cb;
        void *userdata;
        enum api_state state;
        unsigned minor;
        uint64_t backoff;
        bool broken, want_list, warned;
        struct dk_stream stream;
        struct dk_req *reqs, *events;
        unsigned n_reqs;
        struct dk_event *queue; /* events waiting to be delivered */
        size_t n_queue, cap_queue;
};

static void process(struct dk_api *a);

const char *dk_socket_path(void) {
        const char *h = getenv("DOCKER_HOST");
        if (h && strncmp(h, "unix://", 7) == 0 && h[7])
                return h + 7;
        if (h && *h)
                log_warning("DOCKER_HOST=%s is not a unix:// socket; using /var/run/docker.sock",
                            h);
        return "/var/run/docker.sock";
}

unsigned dk_api_requests(const struct dk_api *a) {
        return a->n_reqs;
}

/* ---- curl on the loop ---- */

static int on_io(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct dk_api *a = userdata;
        int flags = 0, running;
        if (revents & EPOLLIN)
                flags |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                flags |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                flags |= CURL_CSELECT_ERR;
        sym_curl_multi_socket_action(a->multi, fd, flags, &running);
        process(a);
        return 0;
}

static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp) {
        struct dk_api *a = userp;
        struct evsrc *es = socketp;
        if (what == CURL_POLL_REMOVE) {
                if (es) {
                        sym_curl_multi_assign(a->multi, s, NULL);
                        evsrc_disable_unref(es);
                }
                return 0;
        }
        uint32_t events =
                (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
        if (es)
                return evsrc_set_io_events(es, events) < 0 ? -1 : 0;
        int r = evloop_add_io(a->loop, &es, s, events, on_io, a);
        if (r < 0) {
                log_error_errno(r, "Failed to watch the docker socket: %m");
                return -1;
        }
        sym_curl_multi_assign(a->multi, s, es);
        return 0;
}

static int on_curl_timer_fired(struct evsrc *es, uint64_t usec, void *userdata) {
        struct dk_api *a = userdata;
        int running;
        sym_curl_multi_socket_action(a->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        process(a);
        return 0;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
        struct dk_api *a = userp;
        if (timeout_ms < 0)
                return evsrc_set_enabled(a->curl_timer, EVSRC_OFF) < 0 ? -1 : 0;
        uint64_t now;
        evloop_now(a->loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(a->curl_timer, now + (uint64_t)timeout_ms * 1000);
        return evsrc_set_enabled(a->curl_timer, EVSRC_ONESHOT) < 0 ? -1 : 0;
}

/* ---- requests ---- */

static size_t on_header(char *data, size_t size, size_t n, void *userdata) {
        struct dk_req *q = userdata;
        size_t len = size * n;
        if (len == 2 && data[0] == '\r' && data[1] == '\n') {
                sym_curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
                if (q->status >= 200) /* not an interim 1xx */
                        q->headers_done = true;
                if (q->kind == REQ_EVENTS && q->status / 100 == 2 &&
                    q->api->state == ST_SUBSCRIBING) {
                        /* subscribed: now the listing cannot miss anything */
                        q->api->state = ST_LISTING;
                        q->api->want_list = true;
                }
        }
        return len;
}

static void queue_event(const struct dk_event *ev, void *userdata) {
        struct dk_api *a = userdata;
        if (a->n_queue == a->cap_queue) {
                size_t ncap = a->cap_queue ? a->cap_queue * 2 : 16;
                struct dk_event *n = reallocarray(a->queue, ncap, sizeof *n);
                if (!n) {
                        log_error_errno(-ENOMEM, "Docker event dropped: %m");
                        a->broken = true; /* resynchronise rather than miss it */
                        return;
                }
                a->queue = n;
                a->cap_queue = ncap;
        }
        a->queue[a->n_queue++] = *ev;
}

static size_t on_write(char *data, size_t size, size_t n, void *userdata) {
        struct dk_req *q = userdata;
        size_t len = size * n;
        if (q->kind == REQ_EVENTS && q->status / 100 == 2) {
                dk_stream_feed(&q->api->stream, data, len, queue_event, q->api);
                return len;
        }
        if (len > BODY_MAX - q->len)
                return 0; /* CURLE_WRITE_ERROR */
        if (q->len + len + 1 > q->cap) {
                size_t ncap = q->cap ? q->cap : 4096;
                while (ncap < q->len + len + 1)
                        ncap *= 2;
                char *b = realloc(q->body, ncap);
                if (!b)
                        return 0;
                q->body = b;
                q->cap = ncap;
        }
        memcpy(q->body + q->len, data, len);
        q->len += len;
        q->body[q->len] = '\0';
        return len;
}

static void req_free(struct dk_req *q) {
        struct dk_api *a = q->api;
        if (q->easy) {
                sym_curl_multi_remove_handle(a->multi, q->easy);
                sym_curl_easy_cleanup(q->easy);
        }
        if (q->prev)
                q->prev->next = q->next;
        else
                a->reqs = q->next;
        if (q->next)
                q->next->prev = q->prev;
        if (a->events == q)
                a->events = NULL;
        a->n_reqs--;
        free(q->body);
        free(q);
}

static int req_start(struct dk_api *a, enum req_kind kind, const char *id, struct dk_req **ret) {
        struct dk_req *q = calloc(1, sizeof *q);
        if (!q)
                return -ENOMEM;
        q->api = a;
        q->kind = kind;
        switch (kind) {
        case REQ_VERSION:
                snprintf(q->path, sizeof q->path, "/version");
                break;
        case REQ_EVENTS:
                snprintf(q->path, sizeof q->path, "/v1.%u/events?filters=%s", a->minor,
                         EVENTS_FILTER);
                break;
        case REQ_LIST:
                snprintf(q->path, sizeof q->path, "/v1.%u/containers/json", a->minor);
                break;
        case REQ_INSPECT:
                snprintf(q->id, sizeof q->id, "%s", id);
                snprintf(q->path, sizeof q->path, "/v1.%u/containers/%s/json", a->minor, q->id);
                break;
        }
        char url[192];
        snprintf(url, sizeof url, "http://localhost%s", q->path);
        q->next = a->reqs;
        if (a->reqs)
                a->reqs->prev = q;
        a->reqs = q;
        a->n_reqs++;
        q->easy = sym_curl_easy_init();
        if (!q->easy) {
                req_free(q);
                return -ENOMEM;
        }
        CURL *e = q->easy;
        bool ok = DK_EASY_SETOPT(e, CURLOPT_UNIX_SOCKET_PATH, a->socket) &&
                  DK_EASY_SETOPT(e, CURLOPT_URL, url) && DK_EASY_SETOPT(e, CURLOPT_PRIVATE, q) &&
                  DK_EASY_SETOPT(e, CURLOPT_WRITEFUNCTION, on_write) &&
                  DK_EASY_SETOPT(e, CURLOPT_WRITEDATA, q) &&
                  DK_EASY_SETOPT(e, CURLOPT_HEADERFUNCTION, on_header) &&
                  DK_EASY_SETOPT(e, CURLOPT_HEADERDATA, q) &&
                  DK_EASY_SETOPT(e, CURLOPT_ERRORBUFFER, q->err) &&
                  DK_EASY_SETOPT(e, CURLOPT_NOSIGNAL, 1L) &&
                  DK_EASY_SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L) &&
                  DK_EASY_SETOPT(e, CURLOPT_PROTOCOLS_STR, "http");
        if (ok && kind != REQ_EVENTS)
                /* a fresh connection each time: nothing idle stays open between polls */
                ok = DK_EASY_SETOPT(e, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS) &&
                     DK_EASY_SETOPT(e, CURLOPT_FORBID_REUSE, 1L);
        if (!ok) {
                req_free(q);
                return -EIO;
        }
        CURLMcode mr = sym_curl_multi_add_handle(a->multi, e);
        if (mr != CURLM_OK) {
                log_error("Failed to start GET %s: %s", q->path, sym_curl_multi_strerror(mr));
                req_free(q);
                return -EIO;
        }
        if (ret)
                *ret = q;
        return 0;
}

/* ---- connection life ---- */

static int on_retry(struct evsrc *es, uint64_t usec, void *userdata);

static void teardown(struct dk_api *a) {
        while (a->reqs)
                req_free(a->reqs);
        a->n_queue = 0;
        dk_stream_reset(&a->stream);
        a->want_list = false;
        a->broken = false;
}

/* The connection is lost or unusable: drop every request and try again after the backoff. */
static void disconnect(struct dk_api *a) {
        bool was_up = a->state != ST_DOWN;
        teardown(a);
        a->state = ST_DOWN;
        uint64_t now;
        evloop_now(a->loop, CLOCK_MONOTONIC, &now);
        evsrc_set_time(a->retry_timer, now + a->backoff);
        evsrc_set_enabled(a->retry_timer, EVSRC_ONESHOT);
        log_debug("Docker: reconnecting in %llu ms", (unsigned long long)(a->backoff / 1000));
        a->backoff = a->backoff * 2 > BACKOFF_MAX_USEC ? BACKOFF_MAX_USEC : a->backoff * 2;
        if (was_up && a->cb.disconnected)
                a->cb.disconnected(a->userdata);
}

static void connect_engine(struct dk_api *a) {
        a->state = ST_VERSION;
        int r = req_start(a, REQ_VERSION, NULL, NULL);
        if (r < 0) {
                log_warning_errno(r, "Docker: failed to start a request: %m");
                a->broken = true;
        }
}

static int on_retry(struct evsrc *es, uint64_t usec, void *userdata) {
        struct dk_api *a = userdata;
        connect_engine(a);
        process(a);
        return 0;
}

static void on_listed(const char *id, void *userdata) {
        struct dk_api *a = userdata;
        if (a->cb.listed)
                a->cb.listed(id, a->userdata);
}

/* A finished request that failed: say why (once per outage for the connection itself). */
static void report(struct dk_api *a, struct dk_req *q, CURLcode res, const char *what) {
        bool conn = q->kind != REQ_INSPECT;
        int prio = conn && a->warned ? LOG_DEBUG : LOG_WARNING;
        if (q->kind == REQ_INSPECT && q->status == 404)
                prio = LOG_DEBUG; /* removed before we asked: an ordinary race */
        if (res != CURLE_OK)
                log_full_errno(prio, 0, "Docker GET %s (%s): %s", q->path, a->socket,
                               q->err[0] ? q->err : sym_curl_easy_strerror(res));
        else
                log_full_errno(prio, 0, "Docker GET %s: %s%ld: %.200s", q->path, what, q->status,
                               q->body ? q->body : "");
        if (conn)
                a->warned = true;
}

static void finish(struct dk_api *a, struct dk_req *q, CURLcode res) {
        long status = 0;
        sym_curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
        q->status = status;
        bool ok = res == CURLE_OK && status / 100 == 2;
        if (!ok && q->kind != REQ_EVENTS)
                report(a, q, res, "HTTP ");
        switch (q->kind) {
        case REQ_VERSION: {
                struct dk_version v;
                if (!ok) {
                        a->broken = true;
                        break;
                }
                if (dk_json_version(q->body, q->len, &v) < 0) {
                        log_warning("Docker GET %s: malformed answer, skipped", q->path);
                        a->broken = true;
                        break;
                }
                if (dk_api_choose(&v, &a->minor) < 0)
                        log_warning("Docker engine requires API 1.%u, newer than 1.%u", v.min_minor,
                                    DK_API_NEWEST_MINOR);
                log_debug("Docker engine API 1.%u (min 1.%u): using 1.%u", v.api_minor, v.min_minor,
                          a->minor);
                a->state = ST_SUBSCRIBING;
                if (req_start(a, REQ_EVENTS, NULL, NULL) < 0)
                        a->broken = true;
                break;
        }
        case REQ_EVENTS:
                /* the stream ends only when the engine goes away (or refused us) */
                if (res == CURLE_OK && status / 100 != 2)
                        report(a, q, res, "HTTP ");
                else if (!a->warned)
                        log_warning("Docker event stream from %s ended (%s); reconnecting",
                                    a->socket,
                                    res == CURLE_OK ? "closed" : sym_curl_easy_strerror(res));
                a->warned = true;
                a->broken = true;
                break;
        case REQ_LIST: {
                if (!ok) {
                        a->broken = true;
                        break;
                }
                if (a->cb.listed_begin)
                        a->cb.listed_begin(a->userdata);
                int r = dk_json_containers(q->body, q->len, on_listed, a);
                if (r < 0) {
                        log_warning("Docker GET %s: malformed answer, skipped", q->path);
                        a->broken = true;
                        break;
                }
                if (a->cb.listed_end)
                        a->cb.listed_end(a->userdata);
                if (a->warned || a->backoff > BACKOFF_MIN_USEC)
                        log_info("Docker engine at %s: connected, %d containers running", a->socket,
                                 r);
                a->state = ST_READY;
                a->backoff = BACKOFF_MIN_USEC;
                a->warned = false;
                break;
        }
        case REQ_INSPECT: {
                struct dk_inspect c;
                if (ok && dk_json_inspect(q->body, q->len, &c) < 0) {
                        log_warning("Docker GET %s: malformed answer, skipped", q->path);
                        ok = false;
                }
                char id[DK_ID_MAX + 1];
                memcpy(id, q->id, sizeof id);
                req_free(q); /* before the callback, which may ask again */
                if (a->cb.inspected)
                        a->cb.inspected(id, ok ? &c : NULL, status == 404, a->userdata);
                return;
        }
        }
        req_free(q);
}

static void process(struct dk_api *a) {
        CURLMsg *msg;
        int left;
        while ((msg = sym_curl_multi_info_read(a->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                struct dk_req *q = NULL;
                CURLcode res = msg->data.result;
                sym_curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
                if (q)
                        finish(a, q, res);
        }
        if (a->broken) {
                disconnect(a);
                return;
        }
        if (a->want_list) {
                a->want_list = false;
                if (req_start(a, REQ_LIST, NULL, NULL) < 0) {
                        disconnect(a);
                        return;
                }
        }
        /* events seen while listing wait until the listing is applied */
        if (a->state != ST_READY || !a->cb.event)
                return;
        for (size_t i = 0; i < a->n_queue && a->state == ST_READY; i++)
                a->cb.event(&a->queue[i], a->userdata);
        a->n_queue = 0;
}

int dk_api_inspect(struct dk_api *a, const char *id) {
        if (a->state == ST_DOWN)
                return -ENOTCONN;
        int r = req_start(a, REQ_INSPECT, id, NULL);
        if (r < 0)
                return log_warning_errno(r, "Docker: failed to inspect %.12s: %m", id);
        return 0;
}

int dk_api_new(struct evloop *loop, const char *socket_path, const struct dk_api_callbacks *cb,
               void *userdata, struct dk_api **ret) {
        static bool curl_ready;
        if (!curl_ready) {
                int r = docker_curl_load();
                if (r < 0)
                        return r;
                if (sym_curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
                        return log_error_errno(-EIO, "Failed to initialise libcurl");
                curl_ready = true;
        }
        struct dk_api *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->loop = evloop_ref(loop);
        a->cb = *cb;
        a->userdata = userdata;
        a->backoff = BACKOFF_MIN_USEC;
        a->socket = strdup(socket_path);
        int r = a->socket ? dk_stream_init(&a->stream) : -ENOMEM;
        if (r < 0)
                goto fail;
        a->multi = sym_curl_multi_init();
        if (!a->multi) {
                r = -ENOMEM;
                goto fail;
        }
        if (!(DK_MULTI_SETOPT(a->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) &&
              DK_MULTI_SETOPT(a->multi, CURLMOPT_SOCKETDATA, a) &&
              DK_MULTI_SETOPT(a->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) &&
              DK_MULTI_SETOPT(a->multi, CURLMOPT_TIMERDATA, a) &&
              DK_MULTI_SETOPT(a->multi, CURLMOPT_MAX_HOST_CONNECTIONS, MAX_CONNECTIONS))) {
                r = -EIO;
                goto fail;
        }
        r = evloop_add_time(loop, &a->curl_timer, CLOCK_MONOTONIC, 0, 1, on_curl_timer_fired, a);
        if (r >= 0)
                r = evsrc_set_enabled(a->curl_timer, EVSRC_OFF);
        if (r >= 0)
                r = evloop_add_time(loop, &a->retry_timer, CLOCK_MONOTONIC, 0, 0, on_retry, a);
        if (r >= 0)
                r = evsrc_set_enabled(a->retry_timer, EVSRC_OFF);
        if (r < 0)
                goto fail;
        connect_engine(a);
        if (a->broken)
                disconnect(a);
        *ret = a;
        return 0;
fail:
        dk_api_free(a);
        return log_error_errno(r, "Failed to set up the Docker API client: %m");
}

void dk_api_free(struct dk_api *a) {
        if (!a)
                return;
        if (a->multi)
                teardown(a);
        if (a->multi)
                sym_curl_multi_cleanup(a->multi);
        evsrc_disable_unref(a->curl_timer);
        evsrc_disable_unref(a->retry_timer);
        dk_stream_free(&a->stream);
        free(a->queue);
        free(a->socket);
        evloop_unref(a->loop);
        free(a);
}
