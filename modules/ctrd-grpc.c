/* ctrd-grpc.c - gRPC calls to containerd: HTTP/2 by libnghttp2 over a unix socket, driven by
 * evloop (non-blocking socket, one fd watcher), gRPC's 5-byte message framing by hand. */
#include <errno.h>
#include "ctrd-dl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "containerd.h"
#include "log.h"

#define WINDOW (1 << 24) /* per stream and (x4) for the connection: listings may be large */

struct call {
        struct ctrd_grpc *g;
        int32_t stream;
        uint8_t *req;
        size_t req_len, req_off;
        uint8_t *buf; /* received bytes not yet a whole message */
        size_t len, cap;
        int status;  /* grpc-status, -1 until seen */
        bool failed; /* HTTP status not 200, or a malformed message */
        char message[128];
        ctrd_msg_fn msg;
        ctrd_done_fn done;
        void *userdata;
        struct call *prev, *next;
};

struct ctrd_grpc {
        struct evloop *loop;
        int fd;
        struct evsrc *io, *defer;
        nghttp2_session *h2;
        char *ns;
        struct ctrd_grpc_callbacks cb;
        void *userdata;
        struct call *calls;
        unsigned n_calls;
        int error; /* the connection broke: reported from the defer source */
};

unsigned ctrd_grpc_calls(const struct ctrd_grpc *g) {
        return g->n_calls;
}

static void call_free(struct call *c) {
        struct ctrd_grpc *g = c->g;
        if (c->prev)
                c->prev->next = c->next;
        else
                g->calls = c->next;
        if (c->next)
                c->next->prev = c->prev;
        g->n_calls--;
        free(c->req);
        free(c->buf);
        free(c);
}

static int on_broken_defer(struct evsrc *es, void *userdata) {
        struct ctrd_grpc *g = userdata;
        evsrc_set_enabled(g->defer, EVSRC_OFF);
        g->cb.broken(g, g->error, g->userdata); /* may free g */
        return 0;
}

static void fail(struct ctrd_grpc *g, int error) {
        if (g->error)
                return;
        g->error = error ? error : -EPIPE;
        evsrc_set_enabled(g->io, EVSRC_OFF);
        evsrc_set_enabled(g->defer, EVSRC_ONESHOT);
}

void ctrd_grpc_abort(struct ctrd_grpc *g, int error) {
        fail(g, error);
}

/* ---- nghttp2 callbacks ---- */

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud) {
        struct ctrd_grpc *g = ud;
        ssize_t n = send(g->fd, data, len, MSG_NOSIGNAL);
        if (n >= 0)
                return n;
        if (errno == EAGAIN || errno == EINTR)
                return NGHTTP2_ERR_WOULDBLOCK;
        return NGHTTP2_ERR_CALLBACK_FAILURE;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud) {
        if (frame->hd.type != NGHTTP2_HEADERS)
                return 0;
        struct call *c = sym_nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
        if (!c)
                return 0;
        if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
                if (valuelen != 3 || memcmp(value, "200", 3) != 0)
                        c->failed = true;
        } else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
                int st = 0;
                for (size_t i = 0; i < valuelen && i < 6; i++)
                        st = value[i] >= '0' && value[i] <= '9' ? st * 10 + (value[i] - '0') : 2;
                c->status = st;
        } else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
                snprintf(c->message, sizeof c->message, "%.*s", (int)valuelen, (const char *)value);
        }
        return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data,
                   size_t len, void *ud) {
        struct call *c = sym_nghttp2_session_get_stream_user_data(s, stream);
        if (!c || c->failed)
                return 0;
        if (c->len + len > c->cap) {
                size_t cap = c->cap ? c->cap : 4096;
                while (cap < c->len + len)
                        cap *= 2;
                uint8_t *b = cap <= CTRD_MSG_MAX + 5 ? realloc(c->buf, cap) : NULL;
                if (!b) {
                        /* too large, or no memory: this call fails, the others go on */
                        c->failed = true;
                        c->len = 0;
                        sym_nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
                        return 0;
                }
                c->buf = b;
                c->cap = cap;
        }
        memcpy(c->buf + c->len, data, len);
        c->len += len;
        size_t off = 0;
        for (;;) {
                const uint8_t *msg;
                size_t n;
                int k = ctrd_grpc_next(c->buf + off, c->len - off, CTRD_MSG_MAX, &msg, &n);
                if (k < 0) {
                        c->failed = true;
                        sym_nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
                        break;
                }
                if (k == 0)
                        break;
                c->msg(msg, n, c->userdata);
                off += (size_t)k;
        }
        if (c->failed)
                c->len = 0;
        else if (off) {
                memmove(c->buf, c->buf + off, c->len - off);
                c->len -= off;
        }
        return 0;
}

static int on_close(nghttp2_session *s, int32_t stream, uint32_t error_code, void *ud) {
        struct call *c = sym_nghttp2_session_get_stream_user_data(s, stream);
        if (!c)
                return 0;
        int status = c->failed || error_code || c->len ? -1 : c->status;
        ctrd_done_fn done = c->done;
        void *u = c->userdata;
        char message[sizeof c->message];
        memcpy(message, c->message, sizeof message);
        call_free(c);
        done(status, message, u);
        return 0;
}

/* ---- the socket ---- */

static void update_events(struct ctrd_grpc *g) {
        if (g->error)
                return;
        if (!sym_nghttp2_session_want_read(g->h2) && !sym_nghttp2_session_want_write(g->h2)) {
                fail(g, -ECONNRESET); /* GOAWAY: nothing more will come */
                return;
        }
        uint32_t ev = EPOLLIN | (sym_nghttp2_session_want_write(g->h2) ? EPOLLOUT : 0);
        evsrc_set_io_events(g->io, ev);
}

static int on_io(struct evsrc *es, int fd, uint32_t revents, void *userdata) {
        struct ctrd_grpc *g = userdata;
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                uint8_t buf[16384];
                for (int i = 0; i < 64 && !g->error; i++) {
                        ssize_t n = recv(fd, buf, sizeof buf, 0);
                        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                                break;
                        if (n <= 0) {
                                fail(g, n < 0 ? -errno : -ECONNRESET);
                                return 0;
                        }
                        ssize_t r = sym_nghttp2_session_mem_recv(g->h2, buf, (size_t)n);
                        if (r < 0) {
                                log_debug("containerd: HTTP/2 error: %s",
                                          sym_nghttp2_strerror((int)r));
                                fail(g, -EPROTO);
                                return 0;
                        }
                }
        }
        if (!g->error && sym_nghttp2_session_send(g->h2) < 0) {
                fail(g, -EPIPE);
                return 0;
        }
        update_events(g);
        return 0;
}

int ctrd_grpc_connect(struct evloop *loop, const char *socket_path, const char *ns,
                      const struct ctrd_grpc_callbacks *cb, void *userdata,
                      struct ctrd_grpc **ret) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(socket_path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, socket_path);
        struct ctrd_grpc *g = calloc(1, sizeof *g);
        if (!g)
                return -ENOMEM;
        g->loop = loop;
        g->cb = *cb;
        g->userdata = userdata;
        g->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int r = g->fd < 0 ? -errno : 0;
        if (r == 0 && connect(g->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                r = -errno;
        if (r == 0 && !(g->ns = strdup(ns)))
                r = -ENOMEM;
        if (r == 0)
                r = evloop_add_io(loop, &g->io, g->fd, EPOLLIN | EPOLLOUT, on_io, g);
        if (r == 0)
                r = evloop_add_defer(loop, &g->defer, on_broken_defer, g);
        if (r == 0)
                r = evsrc_set_enabled(g->defer, EVSRC_OFF);
        nghttp2_session_callbacks *cbs = NULL;
        if (r == 0 && sym_nghttp2_session_callbacks_new(&cbs) != 0)
                r = -ENOMEM;
        if (r == 0) {
                sym_nghttp2_session_callbacks_set_send_callback(cbs, on_send);
                sym_nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
                sym_nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
                sym_nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_close);
                if (sym_nghttp2_session_client_new(&g->h2, cbs, g) != 0)
                        r = -ENOMEM;
                sym_nghttp2_session_callbacks_del(cbs);
        }
        if (r == 0) {
                nghttp2_settings_entry iv[] = {
                        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW},
                };
                if (sym_nghttp2_submit_settings(g->h2, NGHTTP2_FLAG_NONE, iv, 2) != 0 ||
                    sym_nghttp2_session_set_local_window_size(g->h2, NGHTTP2_FLAG_NONE, 0,
                                                              4 * WINDOW) != 0)
                        r = -ENOMEM;
        }
        if (r < 0) {
                ctrd_grpc_free(g);
                return r;
        }
        *ret = g;
        return 0;
}

void ctrd_grpc_free(struct ctrd_grpc *g) {
        if (!g)
                return;
        /* no callbacks from here on: the owner forgets its calls */
        while (g->calls)
                call_free(g->calls);
        if (g->h2)
                sym_nghttp2_session_del(g->h2);
        evsrc_disable_unref(g->io);
        evsrc_disable_unref(g->defer);
        if (g->fd >= 0)
                close(g->fd);
        free(g->ns);
        free(g);
}

static ssize_t on_read_body(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t length,
                            uint32_t *flags, nghttp2_data_source *source, void *ud) {
        struct call *c = source->ptr;
        size_t n = c->req_len - c->req_off;
        if (n > length)
                n = length;
        memcpy(buf, c->req + c->req_off, n);
        c->req_off += n;
        if (c->req_off == c->req_len)
                *flags |= NGHTTP2_DATA_FLAG_EOF;
        return (ssize_t)n;
}

#define NV(n, v)                                                                                   \
        { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

int ctrd_grpc_call(struct ctrd_grpc *g, const char *method, const uint8_t *req, size_t len,
                   ctrd_msg_fn msg, ctrd_done_fn done, void *userdata) {
        if (g->error)
                return g->error;
        struct call *c = calloc(1, sizeof *c);
        if (!c || !(c->req = malloc(len + 5))) {
                free(c);
                return -ENOMEM;
        }
        c->g = g;
        c->status = -1;
        c->msg = msg;
        c->done = done;
        c->userdata = userdata;
        c->req[0] = 0; /* not compressed */
        c->req[1] = (uint8_t)(len >> 24);
        c->req[2] = (uint8_t)(len >> 16);
        c->req[3] = (uint8_t)(len >> 8);
        c->req[4] = (uint8_t)len;
        if (len)
                memcpy(c->req + 5, req, len);
        c->req_len = len + 5;
        c->next = g->calls;
        if (g->calls)
                g->calls->prev = c;
        g->calls = c;
        g->n_calls++;
        nghttp2_nv hdrs[] = {
                NV(":method", "POST"),
                NV(":scheme", "http"),
                NV(":path", method),
                NV(":authority", "containerd"),
                NV("content-type", "application/grpc"),
                NV("te", "trailers"),
                NV("user-agent", "hsflowd"),
                NV("containerd-namespace", g->ns),
        };
        nghttp2_data_provider body = {.source.ptr = c, .read_callback = on_read_body};
        int32_t id = sym_nghttp2_submit_request(g->h2, NULL, hdrs, sizeof hdrs / sizeof hdrs[0],
                                                &body, c);
        if (id < 0) {
                call_free(c);
                return -EIO;
        }
        c->stream = id;
        /* sent when the loop sees the socket writable */
        evsrc_set_io_events(g->io, EPOLLIN | EPOLLOUT);
        return 0;
}
