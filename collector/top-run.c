/* top-run.c - the --top loops: live (UDP socket and keyboard, a screen every second, q quits,
 * the terminal's size followed) or from a capture file (the window follows its timestamps), and
 * --once: one snapshot after that many seconds. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include "pcap-io.h"
#include "print.h"
#include "top-run.h"
#include "top.h"

static volatile sig_atomic_t got_signal, got_winch;
static struct termios saved_tty;
static bool tty_raw;

static void on_signal(int sig) {
        if (sig == SIGWINCH)
                got_winch = 1;
        else
                got_signal = sig;
}

static double wall(void) {
        struct timeval tv;

        gettimeofday(&tv, NULL);
        return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void screen_restore(void) {
        if (!tty_raw)
                return;
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        fputs("\x1b[?25h\x1b[?1049l", stdout);
        fflush(stdout);
        tty_raw = false;
}

/* Keys without Enter and no echo, the alternate screen, no cursor. */
static void screen_setup(void) {
        struct termios raw;

        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
                return;
        raw = saved_tty;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
                return;
        tty_raw = true;
        atexit(screen_restore);
        fputs("\x1b[?1049h\x1b[?25l\x1b[2J", stdout);
}

static void term_size(unsigned *w, unsigned *h) {
        struct winsize ws;

        *w = 120;
        *h = 50;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
                *w = ws.ws_col;
                *h = ws.ws_row;
        }
}

static void snapshot_out(struct top *t, const struct top_run_opts *o) {
        if (o->json)
                top_print_json(t, stdout, o->rows);
        else
                top_print_text(t, stdout, 160, 8 + 6 * (o->rows + 2), false);
}

static void signals(void) {
        struct sigaction sa = {.sa_handler = on_signal};

        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGWINCH, &sa, NULL);
}

static int run_live(struct top *t, const struct top_run_opts *o) {
        static uint8_t buf[SFLOW_MAX_DATAGRAM];
        double start = wall(), next = start + 1;
        bool interactive = o->once <= 0;
        unsigned w, h;

        signals();
        if (interactive)
                screen_setup();
        for (;;) {
                struct pollfd pf[2] = {{.fd = o->fd, .events = POLLIN},
                                       {.fd = STDIN_FILENO, .events = POLLIN}};
                double now = wall(), until = o->once > 0 ? start + o->once : next;
                int timeout = until > now ? (int)((until - now) * 1000) + 1 : 0;
                int n = poll(pf, interactive && tty_raw ? 2 : 1, timeout);

                if (got_signal)
                        break;
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0 && (pf[0].revents & POLLIN)) {
                        /* drain what is queued, then look at the clock again */
                        for (int i = 0; i < 256; i++) {
                                ssize_t len = recv(o->fd, buf, sizeof(buf), MSG_DONTWAIT);

                                if (len < 0)
                                        break;
                                if (o->on_datagram)
                                        o->on_datagram(o->user, buf, (size_t)len);
                                top_datagram(t, buf, (size_t)len, wall());
                        }
                }
                if (n > 0 && interactive && (pf[1].revents & POLLIN)) {
                        char c;

                        if (read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
                                break;
                }
                now = wall();
                if (t->now < now)
                        t->now = now;
                if (o->once > 0) {
                        if (now >= start + o->once) {
                                snapshot_out(t, o);
                                return 0;
                        }
                        continue;
                }
                if (now >= next || got_winch) {
                        got_winch = 0;
                        term_size(&w, &h);
                        top_print_text(t, stdout, w, h, true);
                        next = now + 1;
                }
        }
        screen_restore();
        return 0;
}

static int run_file(struct top *t, const struct top_run_opts *o) {
        struct pcap_in *in;
        struct udp_datagram u;
        double first = -1;
        int r = pcap_in_open(&in, o->path);

        if (r < 0)
                return r;
        while ((r = pcap_in_next(in, &u)) > 0) {
                double ts = (double)u.ts.tv_sec + u.ts.tv_usec / 1e6;

                if (o->port ? u.dport != o->port : !datagram_looks_like_sflow(u.data, u.len))
                        continue;
                if (first < 0)
                        first = ts;
                if (o->once > 0 && ts >= first + o->once)
                        break;
                if (o->on_datagram)
                        o->on_datagram(o->user, u.data, u.len);
                top_datagram(t, u.data, u.len, ts);
        }
        pcap_in_close(in);
        if (r < 0)
                return r;
        if (o->once > 0 && first >= 0 && t->now < first + o->once)
                t->now = first + o->once; /* the capture ended earlier: the window ends on time */
        snapshot_out(t, o);
        return 0;
}

int top_run(const struct top_run_opts *o) {
        static struct top t;
        int r = top_init(&t, o->window);

        if (r < 0) {
                fprintf(stderr, "sflowcat: --top: %s\n", strerror(-r));
                return r;
        }
        r = o->path ? run_file(&t, o) : run_live(&t, o);
        top_free(&t);
        return r;
}
