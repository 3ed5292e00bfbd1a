/* test_ctrd_grpc.c - the containerd module's gRPC client (ctrd-grpc.c) against an HTTP/2 server
 * of nghttp2 on a unix socket, on one evloop: messages whole and split, statuses,
 * malformed answers, a connection that goes away. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "containerd.h"
#include "testutil.h"

/* What the server answers. */
enum answer {
        A_TWO,           /* 200, two messages in one DATA frame, grpc-status 0 */
        A_SPLIT,         /* the same bytes one DATA frame per byte */
        A_STATUS,        /* 200, no message, grpc-status 5 "not found" */
        A_TRAILERS_ONLY, /* headers with grpc-status 12 and END_STREAM */
        A_HTTP_500,      /* :status 500 */
        A_COMPRESSED,    /* a message with the compressed flag */
        A_TRUNCATED,     /* half a message, then the end of the stream */
        A_HANGUP,        /* the server closes the connection */
};

struct server {
        int lfd, fd;
        struct evsrc *lio, *io;
        nghttp2_session *h2;
        enum answer answer;
        uint8_t body[64];
        size_t body_len, body_off;
        char path[128], ns[64];
        size_t req_bytes;
        bool split;
};

struct client {
        int msgs, done, broken;
        int status;
        char message[128];
        uint8_t got[64];
        size_t got_len;
};

static ssize_t srv_send(nghttp2_session *s, const uint8_t *d, size_t n, int flags, void *ud) {
        struct server *sv = ud;
        ssize_t r = send(sv->fd, d, n, MSG_NOSIGNAL);
        return r < 0 ? (errno == EAGAIN ? NGHTTP2_ERR_WOULDBLOCK : NGHTTP2_ERR_CALLBACK_FAILURE)
                     : r;
}

static ssize_t srv_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                        nghttp2_data_source *src, void *ud) {
        struct server *sv = ud;
        size_t n = sv->body_len - sv->body_off;
        if (sv->split && n > 1)
                n = 1;
        if (n > len)
                n = len;
        memcpy(buf, sv->body + sv->body_off, n);
        sv->body_off += n;
        if (sv->body_off == sv->body_len) {
                *flags |= NGHTTP2_DATA_FLAG_EOF;
                if (sv->answer != A_TRUNCATED) {
                        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
                        const char *st = sv->answer == A_STATUS ? "5" : "0";
                        nghttp2_nv tr[] = {
                                {(uint8_t *)"grpc-status", (uint8_t *)st, 11, 1, 0},
                                {(uint8_t *)"grpc-message", (uint8_t *)"not found", 12, 9, 0},
                        };
                        nghttp2_submit_trailer(s, id, tr, sv->answer == A_STATUS ? 2 : 1);
                }
        }
        return (ssize_t)n;
}

static int srv_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                      const uint8_t *value, size_t vl, uint8_t flags, void *ud) {
        struct server *sv = ud;
        if (nl == 5 && memcmp(name, ":path", 5) == 0)
                snprintf(sv->path, sizeof sv->path, "%.*s", (int)vl, value);
        if (nl == 20 && memcmp(name, "containerd-namespace", 20) == 0)
                snprintf(sv->ns, sizeof sv->ns, "%.*s", (int)vl, value);
        return 0;
}

static int srv_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *d, size_t n,
                    void *ud) {
        ((struct server *)ud)->req_bytes += n;
        return 0;
}

static void put_msg(struct server *sv, uint8_t flag, const char *m) {
        size_t n = strlen(m);
        uint8_t *b = sv->body + sv->body_len;
        b[0] = flag;
        b[1] = b[2] = b[3] = 0;
        b[4] = (uint8_t)n;
        memcpy(b + 5, m, n);
        sv->body_len += 5 + n;
}

static int srv_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud) {
        struct server *sv = ud;
        if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM) ||
            (f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS))
                return 0;
        /* the request is complete: answer */
        nghttp2_nv ok[] = {{(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
                           {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0}};
        nghttp2_nv bad[] = {{(uint8_t *)":status", (uint8_t *)"500", 7, 3, 0}};
        nghttp2_nv only[] = {{(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
                             {(uint8_t *)"grpc-status", (uint8_t *)"12", 11, 2, 0}};
        nghttp2_data_provider dp = {.read_callback = srv_read};
        sv->body_len = sv->body_off = 0;
        switch (sv->answer) {
        case A_TWO:
        case A_SPLIT:
                put_msg(sv, 0, "hello");
                put_msg(sv, 0, "world!");
                sv->split = sv->answer == A_SPLIT;
                nghttp2_submit_response(s, f->hd.stream_id, ok, 2, &dp);
                break;
        case A_STATUS:
                nghttp2_submit_response(s, f->hd.stream_id, ok, 2, &dp);
                break;
        case A_TRAILERS_ONLY:
                nghttp2_submit_response(s, f->hd.stream_id, only, 2, NULL);
                break;
        case A_HTTP_500:
                nghttp2_submit_response(s, f->hd.stream_id, bad, 1, NULL);
                break;
        case A_COMPRESSED:
                put_msg(sv, 1, "zz");
                nghttp2_submit_response(s, f->hd.stream_id, ok, 2, &dp);
                break;
        case A_TRUNCATED:
                put_msg(sv, 0, "hello");
                sv->body_len -= 3;
                nghttp2_submit_response(s, f->hd.stream_id, ok, 2, &dp);
                break;
        case A_HANGUP:
                break;
        }
        return 0;
}

static int srv_io(struct evsrc *es, int fd, uint32_t revents, void *ud) {
        struct server *sv = ud;
        uint8_t buf[4096];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
                nghttp2_session_mem_recv(sv->h2, buf, (size_t)n);
        if (sv->answer == A_HANGUP && sv->path[0]) {
                sv->io = evsrc_disable_unref(sv->io);
                close(sv->fd);
                sv->fd = -1;
                return 0;
        }
        nghttp2_session_send(sv->h2);
        return 0;
}

static int srv_accept(struct evsrc *es, int fd, uint32_t revents, void *ud) {
        struct server *sv = ud;
        sv->fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        assert_true(sv->fd >= 0);
        nghttp2_session_callbacks *cb;
        nghttp2_session_callbacks_new(&cb);
        nghttp2_session_callbacks_set_send_callback(cb, srv_send);
        nghttp2_session_callbacks_set_on_header_callback(cb, srv_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, srv_data);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cb, srv_frame);
        nghttp2_session_server_new(&sv->h2, cb, sv);
        nghttp2_session_callbacks_del(cb);
        nghttp2_submit_settings(sv->h2, NGHTTP2_FLAG_NONE, NULL, 0);
        assert_int_equal(evloop_add_io(evsrc_get_loop(es), &sv->io, sv->fd, EPOLLIN, srv_io, sv),
                         0);
        return 0;
}

static void on_msg(const uint8_t *m, size_t n, void *ud) {
        struct client *c = ud;
        c->msgs++;
        memcpy(c->got + c->got_len, m, n);
        c->got_len += n;
}

static void on_done(int status, const char *message, void *ud) {
        struct client *c = ud;
        c->done++;
        c->status = status;
        snprintf(c->message, sizeof c->message, "%s", message);
}

static void on_broken(struct ctrd_grpc *g, int error, void *ud) {
        ((struct client *)ud)->broken++;
}

static void test_calls(void **state) {
        static const struct {
                enum answer answer;
                int msgs, status, broken;
                const char *got, *message;
        } cases[] = {
                {A_TWO, 2, 0, 0, "helloworld!", ""},  {A_SPLIT, 2, 0, 0, "helloworld!", ""},
                {A_STATUS, 0, 5, 0, "", "not found"}, {A_TRAILERS_ONLY, 0, 12, 0, "", ""},
                {A_HTTP_500, 0, -1, 0, "", ""},       {A_COMPRESSED, 0, -1, 0, "", ""},
                {A_TRUNCATED, 0, -1, 0, "", ""},      {A_HANGUP, 0, 0, 1, "", ""},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct evloop *e;
                assert_int_equal(evloop_new(&e), 0);
                struct server sv = {.fd = -1, .answer = cases[i].answer};
                struct sockaddr_un sa = {.sun_family = AF_UNIX};
                snprintf(sa.sun_path, sizeof sa.sun_path, "/tmp/test_ctrd_grpc.%d.sock",
                         (int)getpid());
                unlink(sa.sun_path);
                sv.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                assert_int_equal(bind(sv.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
                assert_int_equal(listen(sv.lfd, 4), 0);
                assert_int_equal(evloop_add_io(e, &sv.lio, sv.lfd, EPOLLIN, srv_accept, &sv), 0);

                struct client c = {.status = 99};
                struct ctrd_grpc *g;
                const struct ctrd_grpc_callbacks cb = {.broken = on_broken};
                assert_int_equal(ctrd_grpc_connect(e, sa.sun_path, "k8s.io", &cb, &c, &g), 0);
                const uint8_t req[] = {0x0a, 0x01, 'x'};
                assert_int_equal(ctrd_grpc_call(g, "/a.B/C", req, sizeof req, on_msg, on_done, &c),
                                 0);
                assert_int_equal(ctrd_grpc_calls(g), 1);
                for (int k = 0; k < 200 && !c.done && !c.broken; k++)
                        evloop_run(e, 10000);
                if (c.msgs != cases[i].msgs || c.broken != cases[i].broken ||
                    (!cases[i].broken && c.status != cases[i].status))
                        fail_msg("case %zu: %d msgs, status %d, broken %d", i, c.msgs, c.status,
                                 c.broken);
                assert_string_equal(sv.path, "/a.B/C");
                assert_string_equal(sv.ns, "k8s.io");
                assert_int_equal(sv.req_bytes, 5 + sizeof req);
                if (!cases[i].broken) {
                        assert_int_equal(c.done, 1);
                        assert_int_equal(ctrd_grpc_calls(g), 0);
                        assert_int_equal(c.got_len, strlen(cases[i].got));
                        assert_memory_equal(c.got, cases[i].got, c.got_len);
                        assert_string_equal(c.message, cases[i].message);
                } else {
                        assert_int_equal(c.done, 0); /* the owner forgets its calls */
                        assert_int_not_equal(
                                ctrd_grpc_call(g, "/a.B/C", req, sizeof req, on_msg, on_done, &c),
                                0);
                }
                ctrd_grpc_free(g);
                if (sv.h2)
                        nghttp2_session_del(sv.h2);
                evsrc_disable_unref(sv.io);
                evsrc_disable_unref(sv.lio);
                if (sv.fd >= 0)
                        close(sv.fd);
                close(sv.lfd);
                unlink(sa.sun_path);
                evloop_unref(e);
        }
}

static void test_connect_refused(void **state) {
        struct evloop *e;
        assert_int_equal(evloop_new(&e), 0);
        struct ctrd_grpc *g = (void *)1;
        const struct ctrd_grpc_callbacks cb = {.broken = on_broken};
        assert_true(ctrd_grpc_connect(e, "/nonexistent/containerd.sock", "k8s.io", &cb, NULL, &g) <
                    0);
        assert_ptr_equal(g, (void *)1); /* untouched on failure */
        char longp[200];
        memset(longp, 'a', sizeof longp - 1);
        longp[sizeof longp - 1] = '\0';
        assert_int_equal(ctrd_grpc_connect(e, longp, "k8s.io", &cb, NULL, &g), -ENAMETOOLONG);
        evloop_unref(e);
}

int main(void) {
        assert_int_equal(ctrd_dl_load(), 0); /* the module's libraries, as hsflowd loads them */
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_calls),
                cmocka_unit_test(test_connect_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
