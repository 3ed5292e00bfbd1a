/* main.c - hsflowd: arguments, start-up, run, orderly shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-internal.h"
#include "autofile.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "privileges.h"

struct options {
        int debug; /* -d count: foreground; 2+ for debug messages */
        const char *config_path;
        const char *pidfile;
        const char *uuid, *machine_id;
        const char *auto_path; /* -o */
        bool keep_privileges;  /* -P */
        bool check_only;       /* -t */
};

/* Readiness (READY=1) follows the first datagram handed to the collectors; when none comes
 * within this long (no sample to send), the agent says it is ready anyway, so that a start
 * never ends in systemd's start timeout. */
#define READY_FALLBACK_USEC (10 * 1000000ULL)

struct daemon {
        struct options opt;
        struct loop *loop;
        struct hsp_agent *agent;
        bool ready;                /* READY=1 sent */
        struct evsrc *ready_timer; /* the fallback */
};

static void notify_ready(struct daemon *d, const char *status) {
        d->ready_timer = evsrc_disable_unref(d->ready_timer);
        if (d->ready)
                return;
        d->ready = true;
        exporter_on_first_datagram(agent_exporter(d->agent), NULL, NULL);
        notify_sendf("READY=1\nSTATUS=%s", status);
}

static void on_first_datagram(void *userdata, size_t n_collectors) {
        struct daemon *d = userdata;
        log_debug("First datagram handed to %zu collector(s): ready", n_collectors);
        notify_ready(d, n_collectors ? "Exporting sFlow" : "Exporting sFlow (no collector yet)");
}

static int on_ready_timeout(struct evsrc *es, uint64_t usec, void *userdata) {
        struct daemon *d = userdata;
        log_warning("No datagram within %llu s of the start: ready all the same",
                    (unsigned long long)(READY_FALLBACK_USEC / 1000000));
        notify_ready(d, "Exporting sFlow (no datagram yet)");
        return 0;
}

/* READY=1 after the first datagram (see above); the watchdog's keep-alive pings (WATCHDOG=1
 * every half WatchdogSec=) come from the event loop itself, so a loop that hangs stops them. */
static void readiness_setup(struct daemon *d) {
        int r = evloop_set_watchdog(d->loop->event, true);
        if (r < 0)
                log_warning_errno(r, "Cannot arm the watchdog pings: %m");
        else if (r > 0)
                log_debug("Watchdog pings from the event loop");
        if (exporter_stats(agent_exporter(d->agent))->datagrams > 0) {
                notify_ready(d, "Exporting sFlow");
                return;
        }
        exporter_on_first_datagram(agent_exporter(d->agent), on_first_datagram, d);
        uint64_t now;
        evloop_now(d->loop->event, CLOCK_MONOTONIC, &now);
        r = evloop_add_time(d->loop->event, &d->ready_timer, CLOCK_MONOTONIC,
                            now + READY_FALLBACK_USEC, 100000, on_ready_timeout, d);
        if (r < 0) {
                log_warning_errno(r, "Cannot arm the readiness timer (%m): ready now");
                notify_ready(d, "Exporting sFlow");
        }
}

static void usage(FILE *f) {
        fprintf(f,
                "Usage: hsflowd [-d]... [-f CONFIG] [-p PIDFILE] [-u UUID] [-m MACHINE-ID] [-P] "
                "[-t]\n"
                "  -d             stay in the foreground and log to stderr (-dd: debug messages)\n"
                "  -f CONFIG      configuration file (default %s)\n"
                "  -p PIDFILE     write the process id to PIDFILE\n"
                "  -u UUID        agent UUID (default: uuid=, DMI product UUID, machine-id)\n"
                "  -m MACHINE-ID  machine-id to derive the UUID from\n"
                "  -o FILE        write the effective settings to FILE (default %s, '' for none)\n"
                "  -P             keep privileges\n"
                "  -t             check the configuration and exit (0 = valid)\n"
                "  -v             print the version and exit\n",
                HSP_DEFAULT_CONFIG_PATH, HSP_DEFAULT_AUTO_PATH);
}

static int parse_args(int argc, char **argv, struct options *o) {
        o->config_path = HSP_DEFAULT_CONFIG_PATH;
        o->auto_path = HSP_DEFAULT_AUTO_PATH;
        int c;
        while ((c = getopt(argc, argv, "df:p:u:m:o:PtvhD:")) != -1) {
                switch (c) {
                case 'd':
                        o->debug++;
                        break;
                case 'f':
                        o->config_path = optarg;
                        break;
                case 'p':
                        o->pidfile = optarg;
                        break;
                case 'u':
                        o->uuid = optarg;
                        break;
                case 'm':
                        o->machine_id = optarg;
                        break;
                case 'o':
                        o->auto_path = optarg;
                        break;
                case 'P':
                        o->keep_privileges = true;
                        break;
                case 't':
                        o->check_only = true;
                        break;
                case 'D':
                        break; /* log file of the reference: logs go to stderr/journal here */
                case 'v':
                        printf("hsflowd %s\n", PACKAGE_VERSION);
                        exit(0);
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "hsflowd: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return -EINVAL;
        }
        return 0;
}

static int load_config(const char *path, struct hsp_config **ret) {
        struct hsp_config_error err = {0};
        int r = hsp_config_parse_file(path, hsp_modules, ret, &err);
        if (r < 0)
                log_error("%s", err.msg[0] ? err.msg : "cannot parse the configuration");
        return r;
}

static void on_reload(void *userdata, const char *why) {
        struct daemon *d = userdata;
        struct hsp_config *c;
        if (d->ready) /* not while starting: READY=1 would come before the first datagram */
                notify_send("RELOADING=1");
        log_info("Reloading %s (%s)", d->opt.config_path, why);
        if (load_config(d->opt.config_path, &c) < 0)
                log_error("Configuration not reloaded: keeping the one in force");
        else
                agent_reload(d->agent, c);
        if (d->ready)
                notify_send("READY=1");
}

static void on_terminate(void *userdata, int signo) {
        struct daemon *d = userdata;
        log_info("Signal %d: flushing and exiting", signo);
        notify_send("STOPPING=1");
        evloop_exit(d->loop->event, 0);
}

/* The pid file is created (as PATH.tmp) before going to the background, so that one that cannot
 * be written is an error the starting shell or init script sees: a daemon whose pid file cannot
 * be written cannot be managed, so hsflowd does not start. The error goes to stderr too when
 * logs go elsewhere. */
static int pidfile_open(const char *path, bool also_stderr, int *ret_fd) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                int r = -errno;
                log_error_errno(r, "Cannot write the pid file %s (creating %s: %m): not starting",
                                path, tmp);
                if (also_stderr)
                        fprintf(stderr,
                                "hsflowd: cannot write the pid file %s (creating %s: %s): "
                                "not starting\n",
                                path, tmp, strerror(-r));
                return r;
        }
        *ret_fd = fd;
        return 0;
}

/* In the process that runs: its pid into the file opened before, renamed into place. */
static int pidfile_commit(const char *path, int fd) {
        char tmp[4096], buf[32];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
        int r = write(fd, buf, (size_t)n) == n ? 0 : -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return log_error_errno(r, "Cannot write the pid file %s: %m", path);
        }
        return 0;
}

/* The reference daemonizes unless -d; under systemd (NOTIFY_SOCKET) we stay in the foreground. */
static int daemonize(void) {
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0)
                _exit(0);
        setsid();
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0)
                _exit(0);
        umask(022);
        if (chdir("/") < 0)
                return -errno;
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                dup2(fd, 0);
                dup2(fd, 1);
                dup2(fd, 2);
                if (fd > 2)
                        close(fd);
        }
        return 0;
}

int main(int argc, char **argv) {
        struct daemon d = {0};
        if (parse_args(argc, argv, &d.opt) < 0)
                return 2;

        bool systemd = getenv("NOTIFY_SOCKET") != NULL;
        if (d.opt.debug || d.opt.check_only)
                log_setup(HSP_LOG_STDERR, d.opt.debug >= 2 ? LOG_DEBUG : LOG_INFO);
        else if (log_stderr_is_journal())
                log_setup(HSP_LOG_JOURNAL, LOG_INFO);
        else
                log_setup(HSP_LOG_SYSLOG, LOG_INFO);

        struct hsp_config *config;
        if (load_config(d.opt.config_path, &config) < 0)
                return 1;
        if (d.opt.check_only) {
                printf("%s: configuration OK\n", d.opt.config_path);
                hsp_config_free(config);
                return 0;
        }

        int pid_fd = -1;
        char pid_abs[4096];
        if (d.opt.pidfile && d.opt.pidfile[0] != '/' && getcwd(pid_abs, sizeof pid_abs / 2)) {
                /* relative to where it was started: the daemon runs in / */
                size_t n = strlen(pid_abs);
                snprintf(pid_abs + n, sizeof pid_abs - n, "/%s", d.opt.pidfile);
                d.opt.pidfile = pid_abs;
        }
        if (d.opt.pidfile && pidfile_open(d.opt.pidfile, !d.opt.debug, &pid_fd) < 0) {
                hsp_config_free(config);
                return 1;
        }
        if (!d.opt.debug && !systemd) {
                int r = daemonize();
                if (r < 0) {
                        log_error_errno(r, "Cannot run in the background: %m");
                        return 1;
                }
        }
        if (d.opt.pidfile && pidfile_commit(d.opt.pidfile, pid_fd) < 0)
                return 1;

        const struct loop_callbacks cb = {
                .reload = on_reload, .terminate = on_terminate, .userdata = &d};
        if (loop_new(d.opt.config_path, &cb, &d.loop) < 0)
                return 1;
        const struct agent_options ao = {
                .uuid = d.opt.uuid, .machine_id = d.opt.machine_id, .auto_path = d.opt.auto_path};
        int r = agent_new(d.loop->event, &ao, config, &d.agent);
        if (r < 0) {
                log_error_errno(r, "Cannot create the agent: %m");
                return 1;
        }
        r = agent_start(d.agent);
        if (r < 0)
                return 1;
        if (!d.opt.keep_privileges) {
                uint64_t keep = agent_capabilities(d.agent);
                if (privileges_drop("nobody", keep) < 0)
                        return 1;
                agent_capabilities_held(d.agent, keep);
        }
        log_info("hsflowd %s running (%s)", PACKAGE_VERSION, d.opt.config_path);
        readiness_setup(&d);

        r = evloop_loop(d.loop->event);
        d.ready_timer = evsrc_disable_unref(d.ready_timer);
        exporter_on_first_datagram(agent_exporter(d.agent), NULL, NULL);
        agent_free(d.agent); /* flushes pending datagrams */
        loop_free(d.loop);
        if (d.opt.pidfile)
                unlink(d.opt.pidfile);
        return r < 0 ? 1 : 0;
}
