/* log.c - logging to stderr (foreground) or the journal/syslog. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-journal.h>

static enum hsp_log_target log_target = HSP_LOG_STDERR;
static int log_max_priority = LOG_INFO;

void log_setup(enum hsp_log_target target, int max_priority) {
        log_target = target;
        log_max_priority = max_priority;
        if (target == HSP_LOG_SYSLOG)
                openlog("hsflowd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int log_get_max_priority(void) {
        return log_max_priority;
}

static const char *prio_name(int prio) {
        static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                            "warning", "notice", "info", "debug"};
        return names[prio & 7];
}

int log_internal(int priority, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        int saved = errno;
        int e = error < 0 ? -error : error;
        if (priority > log_max_priority)
                return -e;

        char msg[2048];
        va_list ap;
        errno = e; /* so %m expands to the error given */
        va_start(ap, format);
        vsnprintf(msg, sizeof msg, format, ap);
        va_end(ap);

        switch (log_target) {
        case HSP_LOG_STDERR: {
                struct timespec ts;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &ts);
                localtime_r(&ts.tv_sec, &tm);
                fprintf(stderr, "%02d:%02d:%02d.%03ld hsflowd %s: %s\n", tm.tm_hour, tm.tm_min,
                        tm.tm_sec, ts.tv_nsec / 1000000, prio_name(priority), msg);
                break;
        }
        case HSP_LOG_JOURNAL:
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority, "CODE_FILE=%s", file,
                                "CODE_LINE=%d", line, "CODE_FUNC=%s", func, e ? "ERRNO=%d" : NULL,
                                e, NULL);
                break;
        case HSP_LOG_SYSLOG:
                syslog(priority, "%s", msg);
                break;
        }
        errno = saved;
        return -e;
}
