/* ksample-sock.c - the netlink socket of a kernel sampling channel: libnl opens it, the loop
 * reads it, a timer reopens it; and the common parts of the samples built from it. */
#include <errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "ksample-sock.h"
#include "log.h"

static uint8_t rxbuf[65536];

void ksample_sock_close(struct ksample_sock *ks) {
        ks->io = evsrc_disable_unref(ks->io);
        if (ks->sk)
                nl_socket_free(ks->sk);
        ks->sk = NULL;
}

void ksample_sock_free(struct ksample_sock *ks) {
        ksample_sock_close(ks);
        ks->retry = evsrc_disable_unref(ks->retry);
}

void ksample_sock_retry(struct ksample_sock *ks) {
        uint64_t now;
        if (ks->retry && evloop_now(ks->m->loop, CLOCK_MONOTONIC, &now) >= 0) {
                (void)evsrc_set_time(ks->retry, now + KSAMPLE_RETRY_USEC);
                (void)evsrc_set_enabled(ks->retry, EVSRC_ONESHOT);
        }
}

static int on_retry(struct evsrc *s, uint64_t usec, void *userdata) {
        struct ksample_sock *ks = userdata;
        if (!ks->sk)
                ks->open(ks->userdata);
        return 0;
}

int ksample_sock_init(struct ksample_sock *ks) {
        int r = evloop_add_time(ks->m->loop, &ks->retry, CLOCK_MONOTONIC, 0, 0, on_retry, ks);
        if (r < 0)
                return log_error_errno(r, "%s: cannot add a timer: %m", ks->m->module->name);
        (void)evsrc_set_enabled(ks->retry, EVSRC_OFF);
        return 0;
}

int ksample_sock_connect(struct ksample_sock *ks, int protocol) {
        int r;
        if (!(ks->sk = nl_socket_alloc()))
                return -NLE_NOMEM;
        nl_socket_disable_seq_check(ks->sk);
        if ((r = nl_connect(ks->sk, protocol)) < 0) {
                ksample_sock_close(ks);
                return r;
        }
        int fd = nl_socket_get_fd(ks->sk), sz = ks->rcvbuf;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
                (void)nl_socket_set_buffer_size(ks->sk, ks->rcvbuf, 0); /* up to rmem_max */
        return 0;
}

static int on_io(struct evsrc *s, int fd, uint32_t revents, void *userdata) {
        struct ksample_sock *ks = userdata;
        for (int i = 0; i < ks->reads; i++) {
                ssize_t len = recv(fd, rxbuf, sizeof rxbuf, MSG_DONTWAIT);
                if (len < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                break;
                        if (errno == ENOBUFS) {
                                ks->overruns++;
                                if (!ks->overrun_logged)
                                        log_warning("%s: receive buffer overrun (%s)", ks->name,
                                                    ks->lost);
                                ks->overrun_logged = true;
                                continue;
                        }
                        log_error_errno(-errno, "%s: read failed: %m%s", ks->name,
                                        ks->reopen ? "; reopening" : "");
                        if (ks->reopen) {
                                ksample_sock_close(ks);
                                ksample_sock_retry(ks);
                        }
                        return 0;
                }
                ks->overrun_logged = false;
                int left = (int)len;
                for (struct nlmsghdr *h = (struct nlmsghdr *)rxbuf; nlmsg_ok(h, left);
                     h = nlmsg_next(h, &left))
                        ks->on_msg(ks->userdata, h);
        }
        return 0;
}

int ksample_sock_watch(struct ksample_sock *ks) {
        (void)nl_socket_set_nonblocking(ks->sk);
        int r = evloop_add_io(ks->m->loop, &ks->io, nl_socket_get_fd(ks->sk), EPOLLIN, on_io, ks);
        if (r < 0) {
                ksample_sock_close(ks);
                return r;
        }
        (void)evsrc_set_description(ks->io, ks->m->module->name);
        return 0;
}

void ksample_sample_init(struct sflow_sample *s, uint32_t tag, uint32_t ds_index, uint32_t input,
                         uint32_t output) {
        s->tag = tag;
        s->ds_class = SFLOW_DS_IFINDEX;
        s->ds_index = ds_index;
        s->input_format = s->output_format = SFLOW_IF_SINGLE;
        s->input = input;
        s->output = output;
        s->num_records = 0;
}

void ksample_add_timestamp(struct sflow_sample *s, bool has_ts, uint64_t ns) {
        struct sflow_record *rec;
        if (has_ts && (rec = hsp_sample_add(s, SFLOW_FLOW_TIMESTAMP)))
                rec->u.timestamp.nanoseconds = ns;
}

bool ksample_add_header(struct sflow_sample *s, uint32_t protocol, uint32_t frame_length,
                        uint32_t stripped, uint32_t len, const uint8_t *bytes) {
        struct sflow_record *rec = hsp_sample_add(s, SFLOW_FLOW_HEADER);
        if (!rec)
                return false;
        rec->u.header = (struct sflow_flow_header){
                .protocol = protocol,
                .frame_length = frame_length,
                .stripped = stripped,
                .header_len = len,
                .header = bytes,
        };
        return true;
}
