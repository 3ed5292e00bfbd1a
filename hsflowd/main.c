/* main.c - hsflowd: arguments, start-up, run, orderly shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "agent-internal.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "privileges.h"

struct options {
        int debug;              /* -d count: foreground; 2+ for debug messages */
        const char *config_path;
        const char *pidfile;
        const char *uuid, *machine_id;
        bool keep_privileges;   /* -P */
        bool check_only;        /* -t */
};

struct daemon {
        struct options opt;
        struct loop *loop;
        struct hsp_agent *agent;
};

static void usage(FILE *f) {
        fprintf(f,
                "Usage: hsflowd [-d]... [-f CONFIG] [-p PIDFILE] [-u UUID] [-m MACHINE-ID] [-P] [-t]\n"
                "  -d             stay in the foreground and log to stderr (-dd: debug messages)\n"
                "  -f CONFIG      configuration file (default %s)\n"
                "  -p PIDFILE     write the process id to PIDFILE\n"
                "  -u UUID        agent UUID (default: uuid=, DMI product UUID, machine-id)\n"
                "  -m MACHINE-ID  machine-id to derive the UUID from\n"
                "  -P             keep privileges\n"
                "  -t             check the configuration and exit (0 = valid)\n"
                "  -v             print the version and exit\n",
                HSP_DEFAULT_CONFIG_PATH);
}

static int parse_args(int argc, char **argv, struct options *o) {
        o->config_path = HSP_DEFAULT_CONFIG_PATH;
        int c;
        while ((c = getopt(argc, argv, "df:p:u:m:PtvhD:")) != -1) {
                switch (c) {
                case 'd': o->debug++; break;
                case 'f': o->config_path = optarg; break;
                case 'p': o->pidfile = optarg; break;
                case 'u': o->uuid = optarg; break;
                case 'm': o->machine_id = optarg; break;
                case 'P': o->keep_privileges = true; break;
                case 't': o->check_only = true; break;
                case 'D': break; /* log file of the reference: logs go to stderr/journal here */
                case 'v': printf("hsflowd %s\n", PACKAGE_VERSION); exit(0);
                case 'h': usage(stdout); exit(0);
                default: usage(stderr); return -EINVAL;
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
        sd_notify(0, "RELOADING=1");
        log_info("Reloading %s (%s)", d->opt.config_path, why);
        if (load_config(d->opt.config_path, &c) < 0)
                log_error("Configuration not reloaded: keeping the one in force");
        else
                agent_reload(d->agent, c);
        sd_notify(0, "READY=1");
}

static void on_terminate(void *userdata, int signo) {
        struct daemon *d = userdata;
        log_info("Signal %d: flushing and exiting", signo);
        sd_notify(0, "STOPPING=1");
        sd_event_exit(d->loop->event, 0);
}

static int write_pidfile(const char *path) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "we");
        if (!f)
                return log_error_errno(-errno, "Cannot write %s: %m", tmp);
        fprintf(f, "%d\n", (int)getpid());
        if (fclose(f) != 0 || rename(tmp, path) < 0)
                return log_error_errno(-errno, "Cannot write %s: %m", path);
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
        else if (access("/run/systemd/journal/socket", F_OK) == 0)
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

        if (!d.opt.debug && !systemd) {
                int r = daemonize();
                if (r < 0) {
                        log_error_errno(r, "Cannot run in the background: %m");
                        return 1;
                }
        }
        if (d.opt.pidfile && write_pidfile(d.opt.pidfile) < 0)
                return 1;

        const struct loop_callbacks cb = {.reload = on_reload, .terminate = on_terminate,
                                          .userdata = &d};
        if (loop_new(d.opt.config_path, &cb, &d.loop) < 0)
                return 1;
        const struct agent_options ao = {.uuid = d.opt.uuid, .machine_id = d.opt.machine_id};
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
        sd_notify(0, "READY=1\nSTATUS=Exporting sFlow");

        r = sd_event_loop(d.loop->event);
        agent_free(d.agent); /* flushes pending datagrams */
        loop_free(d.loop);
        if (d.opt.pidfile)
                unlink(d.opt.pidfile);
        return r < 0 ? 1 : 0;
}
